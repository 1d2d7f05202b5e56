//! Reading the bridge's answers: a 2xx body into its type, an error status into the matching
//! `BridgeError` (with the bridge's own words from either error shape, and `Retry-After`), and
//! an execute or input answer into what it means (`ExecAnswer`, `InputAnswer`).

use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;

use crate::error::BridgeError;
use crate::model::{ErrorBody, ExecAnswer, ExecuteResponse, InputAnswer, InputResponse};

/// A raw answer: status code, headers, body (capped).
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Decode a JSON body, with a clear protocol error for anything else.
pub fn parse_body<'a, T: serde::Deserialize<'a>>(
    raw: &'a RawResponse,
    shown: &str,
) -> Result<T, BridgeError> {
    serde_json::from_slice(&raw.body).map_err(|e| {
        let ctype = raw
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        let is_json = e.is_data() || serde_json::from_slice::<serde::de::IgnoredAny>(&raw.body).is_ok();
        let detail = if is_json {
            format!("unexpected JSON: {e}")
        } else {
            format!(
                "not JSON (content-type {ctype}): {e}; body starts {:?}",
                snippet(&raw.body)
            )
        };
        BridgeError::Protocol {
            url: shown.to_owned(),
            detail,
        }
    })
}

/// Turn a 2xx into `T`, anything else into the matching error.
pub fn parse_ok<'a, T: serde::Deserialize<'a>>(raw: &'a RawResponse, shown: &str) -> Result<T, BridgeError> {
    if !raw.status.is_success() {
        return Err(error_for_status(raw, shown, SystemTime::now()));
    }
    parse_body(raw, shown)
}

/// The bridge's own words in an error body, or the status's reason.
fn message_of(raw: &RawResponse) -> String {
    ErrorBody::parse(&raw.body)
        .map(|b| b.summary())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            raw.status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned()
        })
}

/// The error an HTTP status stands for, with the bridge's own message from either body shape.
pub fn error_for_status(raw: &RawResponse, shown: &str, now: SystemTime) -> BridgeError {
    let status = raw.status.as_u16();
    let message = message_of(raw);
    let retry_after = raw
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
    let url = shown.to_owned();
    match status {
        300..=399 => {
            let location = raw
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url::Url::parse(shown).ok()?.join(l).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "an unreadable location".into());
            BridgeError::Redirect {
                url,
                status,
                location,
            }
        }
        401 | 403 => BridgeError::Auth { url, status, message },
        503 => BridgeError::Unavailable {
            url,
            message,
            retry_after,
        },
        _ => BridgeError::Http {
            url,
            status,
            message,
            retry_after,
        },
    }
}

/// What an answer to `POST /api/kiro/execute` means.
pub fn execute_answer(raw: &RawResponse, shown: &str) -> Result<ExecAnswer, BridgeError> {
    match raw.status.as_u16() {
        200 => parse_body::<ExecuteResponse>(raw, shown).map(ExecAnswer::Answered),
        422 => {
            let mut resp = parse_body::<ExecuteResponse>(raw, shown).unwrap_or(ExecuteResponse {
                success: false,
                output: None,
                error: None,
                execution_time_ms: None,
            });
            resp.success = false;
            if resp.error.is_none() {
                resp.error = Some(message_of(raw));
            }
            Ok(ExecAnswer::Failed(resp))
        }
        400 => Ok(ExecAnswer::Rejected(
            error_for_status(raw, shown, SystemTime::now()).short(),
        )),
        408 => Ok(ExecAnswer::GaveUp(
            ErrorBody::parse(&raw.body)
                .map(|b| b.summary())
                .unwrap_or_default(),
        )),
        _ => Err(error_for_status(raw, shown, SystemTime::now())),
    }
}

/// What an answer to `POST /api/kiro/input` means. 200, and the spec's 404/408, carry an
/// input body; a 200 that is not one is a protocol error.
pub fn input_answer(raw: &RawResponse, shown: &str) -> Result<InputAnswer, BridgeError> {
    let status = raw.status.as_u16();
    let parsed: Option<InputResponse> = match status {
        200 => Some(parse_body(raw, shown)?),
        404 | 408 => serde_json::from_slice(&raw.body).ok(),
        _ => None,
    };
    match (parsed, status) {
        (Some(response), _) => Ok(InputAnswer::Answered { status, response }),
        (None, 400) => Ok(InputAnswer::Rejected(
            error_for_status(raw, shown, SystemTime::now()).short(),
        )),
        (None, _) => Err(error_for_status(raw, shown, SystemTime::now())),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date. Capped at one hour; a date in the past is 0.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    const MAX: Duration = Duration::from_secs(3600);
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO).min(MAX))
}

fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(60)]);
    crate::sanitize::line(&s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("999999", now), Some(Duration::from_secs(3600)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_map_to_errors_with_the_bridge_message() {
        let now = SystemTime::now();
        let e = error_for_status(
            &raw(
                401,
                r#"{"error":"Unauthorized","message":"Valid API key required"}"#,
            ),
            "u",
            now,
        );
        assert!(matches!(e, BridgeError::Auth { status: 401, .. }));
        assert!(e.to_string().contains("Valid API key required"));
        let e = error_for_status(
            &raw(
                503,
                r#"{"code":"KIRO_UNAVAILABLE","message":"Kiro IDE is not responding to commands","recoverable":true,"timestamp":"t"}"#,
            ),
            "u",
            now,
        );
        assert!(matches!(e, BridgeError::Unavailable { .. }));
        assert!(e
            .to_string()
            .contains("KIRO_UNAVAILABLE: Kiro IDE is not responding"));
        let e = error_for_status(&raw(500, "<html>oops</html>"), "u", now);
        assert!(e.to_string().contains("HTTP 500") && e.to_string().contains("Internal Server Error"));
    }

    #[test]
    fn redirect_names_the_location_host_only() {
        let mut r = raw(302, "");
        r.headers.insert(
            header::LOCATION,
            HeaderValue::from_static("http://evil.example:8080/steal?x=1"),
        );
        let e = error_for_status(&r, "http://localhost:3001/api/kiro/status", SystemTime::now());
        let text = e.to_string();
        assert!(text.contains("evil.example") && !text.contains("steal"), "{text}");
    }

    #[test]
    fn execute_answers_are_typed_and_say_null_for_what_was_not_sent() {
        let a = execute_answer(
            &raw(200, r#"{"success":true,"output":"ok","executionTimeMs":2}"#),
            "u",
        );
        assert!(matches!(
            a,
            Ok(ExecAnswer::Answered(ExecuteResponse { success: true, .. }))
        ));
        let a = execute_answer(
            &raw(422, r#"{"code":"COMMAND_EXECUTION_FAILED","message":"limit (3)","recoverable":true,"timestamp":"t"}"#),
            "u",
        )
        .unwrap();
        let ExecAnswer::Failed(r) = a else { panic!("{a:?}") };
        assert_eq!((r.output, r.execution_time_ms), (None, None));
        assert_eq!(r.error.as_deref(), Some("COMMAND_EXECUTION_FAILED: limit (3)"));
        let a = execute_answer(
            &raw(
                408,
                r#"{"error":"Request Timeout","message":"Request timed out"}"#,
            ),
            "u",
        );
        assert_eq!(
            a.unwrap(),
            ExecAnswer::GaveUp("Request Timeout: Request timed out".into())
        );
        let a = execute_answer(
            &raw(
                400,
                r#"{"code":"VALIDATION_FAILED","message":"Command is required"}"#,
            ),
            "u",
        );
        assert!(matches!(a, Ok(ExecAnswer::Rejected(m)) if m.contains("Command is required")));
        assert!(matches!(
            execute_answer(&raw(503, "{}"), "u"),
            Err(BridgeError::Unavailable { .. })
        ));
        assert!(matches!(
            execute_answer(&raw(200, "nope"), "u"),
            Err(BridgeError::Protocol { .. })
        ));
    }

    #[test]
    fn input_answers_are_typed() {
        let a = input_answer(
            &raw(
                200,
                r#"{"success":false,"error":"No pending input","executionId":""}"#,
            ),
            "u",
        );
        assert!(matches!(a, Ok(InputAnswer::Answered { status: 200, .. })));
        let a = input_answer(
            &raw(
                400,
                r#"{"code":"VALIDATION_FAILED","message":"Value is required"}"#,
            ),
            "u",
        );
        assert!(matches!(a, Ok(InputAnswer::Rejected(_))));
        assert!(matches!(
            input_answer(&raw(401, "{}"), "u"),
            Err(BridgeError::Auth { .. })
        ));
    }
}
