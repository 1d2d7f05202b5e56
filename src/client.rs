//! The bridge client: the one HTTP client of the process and everything about talking to the
//! bridge. Keep-alive pool shorter-lived than the bridge's own 5 s, conditional GETs for the
//! status, one silent retry of a GET on a connection the server had closed, never a retried
//! POST, a 4 MiB cap on bodies checked as they stream, redirects refused, the key never shown.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::config::{redact_url, ApiKey};
use crate::error::{BridgeError, FailureKind};
use crate::model::{ErrorBody, Health, KiroStatus, KiroStatusView};

/// Largest body kiro-poll reads; a larger one is refused without being read whole.
pub const BODY_CAP: usize = 4 * 1024 * 1024;
/// Idle connections are dropped before the real bridge's 5 s keep-alive timeout would close
/// them under our feet.
pub const POOL_IDLE: Duration = Duration::from_millis(4500);

pub const STATUS_PATH: &str = "/api/kiro/status";
pub const HEALTH_PATH: &str = "/health";
pub const EXECUTE_PATH: &str = "/api/kiro/execute";
pub const INPUT_PATH: &str = "/api/kiro/input";

/// Counters for the summary and the status line.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
    pub bytes: AtomicU64,
    /// Failed status polls (the summary's and status line's `errors`).
    pub errors: AtomicU64,
    pub retries: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub requests: u64,
    pub not_modified: u64,
    pub bytes: u64,
    pub errors: u64,
    pub retries: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }
}

/// One status answer.
#[derive(Debug, Clone)]
pub struct StatusFetch {
    /// Shared with the cache: a 304 hands back the very same value, so callers can tell
    /// "unchanged" by pointer without hashing it again.
    pub status: Arc<KiroStatus>,
    /// The bridge answered 304: `status` is the last value, unchanged.
    pub not_modified: bool,
    /// Body bytes received for this answer.
    pub bytes: u64,
}

/// A raw answer: status code, headers, body (capped).
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

struct StatusCache {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
    status: Arc<KiroStatus>,
    fingerprint: u64,
}

pub struct ClientOptions {
    pub base: url::Url,
    pub api_key: Option<ApiKey>,
    pub request_timeout: Duration,
    pub verbose: u8,
}

pub struct BridgeClient {
    http: reqwest::Client,
    base: url::Url,
    /// The status URL and its printable form, built once: it is asked for on every poll.
    status_url: url::Url,
    status_shown: String,
    auth: Option<HeaderValue>,
    request_timeout: Duration,
    verbose: u8,
    cache: Mutex<Option<StatusCache>>,
    pub stats: Stats,
}

impl BridgeClient {
    pub fn new(opts: ClientOptions) -> anyhow::Result<BridgeClient> {
        let mut builder = reqwest::Client::builder()
            .http1_only()
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(2)
            .tcp_nodelay(true)
            .connect_timeout(opts.request_timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("kiro-poll/", env!("CARGO_PKG_VERSION")));
        if opts.base.scheme() == "http" {
            // Plain HTTP needs no trust roots: skip loading them (start-up cost).
            builder = builder.tls_built_in_root_certs(false);
        }
        let http = builder.build()?;
        let auth = match &opts.api_key {
            Some(key) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| anyhow::anyhow!("the API key holds characters a header cannot carry"))?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let status_url = endpoint_of(&opts.base, STATUS_PATH);
        let status_shown = redact_url(&status_url);
        Ok(BridgeClient {
            http,
            status_url,
            status_shown,
            base: opts.base,
            auth,
            request_timeout: opts.request_timeout,
            verbose: opts.verbose,
            cache: Mutex::new(None),
            stats: Stats::default(),
        })
    }

    pub fn endpoint(&self, path: &str) -> url::Url {
        endpoint_of(&self.base, path)
    }

    /// The base URL as it may be printed.
    pub fn shown_base(&self) -> String {
        redact_url(&self.base)
    }

    fn request(&self, method: Method, url: &url::Url, timeout: Duration) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, url.clone()).timeout(timeout);
        if let Some(auth) = &self.auth {
            rb = rb.header(header::AUTHORIZATION, auth.clone());
        }
        rb
    }

    fn log(&self, level: u8, msg: impl FnOnce() -> String) {
        if self.verbose >= level {
            crate::output::log_line(&msg());
        }
    }

    /// Send, and for a GET retry once, silently, when a connection the server had already
    /// closed broke under the request (the keep-alive race).
    async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        shown: &str,
        idempotent: bool,
    ) -> Result<RawResponse, BridgeError> {
        let started = Instant::now();
        let mut attempt = 0;
        let resp = loop {
            attempt += 1;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            match build().send().await {
                Ok(r) => break r,
                Err(e) if idempotent && attempt == 1 && is_stale_connection(&e) => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.log(1, || {
                        format!("{shown}: connection closed by the server, retrying once")
                    });
                    continue;
                }
                Err(e) => {
                    let err = transport_error(&e, shown, self.request_timeout);
                    self.log(1, || format!("{shown}: {}", err.short()));
                    return Err(err);
                }
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match read_capped(resp).await {
            Ok(b) => b,
            Err(e) => {
                return Err(match e {
                    ReadError::TooLarge(n) => BridgeError::Protocol {
                        url: shown.to_owned(),
                        detail: format!(
                            "response body {} is over the 4 MiB limit; refused",
                            human_bytes(n)
                        ),
                    },
                    ReadError::Transport(e) => transport_error(&e, shown, self.request_timeout),
                });
            }
        };
        self.stats.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        self.log(1, || {
            format!(
                "{shown} -> {} ({} bytes, {:.1} ms)",
                status.as_u16(),
                body.len(),
                started.elapsed().as_secs_f64() * 1000.0
            )
        });
        self.log(2, || {
            let mut s = String::from("response headers:");
            for (k, v) in &headers {
                s.push_str(&format!(" {}={:?};", k, v.to_str().unwrap_or("<binary>")));
            }
            s
        });
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// `GET /api/kiro/status`, conditional on the last ETag / Last-Modified.
    pub async fn status(&self) -> Result<StatusFetch, BridgeError> {
        let result = self.fetch_status().await;
        if result.is_err() {
            self.stats.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    async fn fetch_status(&self) -> Result<StatusFetch, BridgeError> {
        let (url, shown) = (&self.status_url, self.status_shown.as_str());
        let (etag, last_modified) = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match cache.as_ref() {
                Some(c) => (c.etag.clone(), c.last_modified.clone()),
                None => (None, None),
            }
        };
        let raw = self
            .send(
                || {
                    let mut rb = self.request(Method::GET, url, self.request_timeout);
                    if let Some(e) = &etag {
                        rb = rb.header(header::IF_NONE_MATCH, e.clone());
                    }
                    if let Some(lm) = &last_modified {
                        rb = rb.header(header::IF_MODIFIED_SINCE, lm.clone());
                    }
                    rb
                },
                shown,
                true,
            )
            .await?;
        if raw.status == StatusCode::NOT_MODIFIED {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.as_ref() {
                self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                return Ok(StatusFetch {
                    status: Arc::clone(&c.status),
                    not_modified: true,
                    bytes: raw.body.len() as u64,
                });
            }
            return Err(BridgeError::Protocol {
                url: shown.to_owned(),
                detail: "304 Not Modified to a request that was not conditional".into(),
            });
        }
        let view: KiroStatusView<'_> = self.parse_ok(&raw, shown)?;
        let fingerprint = crate::engine::fingerprint(
            view.status,
            view.current_command.as_deref(),
            view.version.as_deref(),
            view.available_commands.iter().map(|c| &**c),
        );
        // Nothing that matters changed (the real bridge's new timestamp aside): hand back the
        // cached value itself, without copying the body's strings.
        let unchanged = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .as_ref()
                .filter(|c| c.fingerprint == fingerprint)
                .map(|c| Arc::clone(&c.status))
        };
        let status = unchanged.unwrap_or_else(|| Arc::new(view.into_owned()));
        let etag = raw.headers.get(header::ETAG).filter(|v| usable_etag(v)).cloned();
        let last_modified = raw.headers.get(header::LAST_MODIFIED).cloned();
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = Some(StatusCache {
            etag,
            last_modified,
            status: Arc::clone(&status),
            fingerprint,
        });
        Ok(StatusFetch {
            status,
            not_modified: false,
            bytes: raw.body.len() as u64,
        })
    }

    /// `GET /health`. A 500 with a health body is an answer (unhealthy), not an error.
    pub async fn health(&self) -> Result<Health, BridgeError> {
        let url = self.endpoint(HEALTH_PATH);
        let shown = redact_url(&url);
        let raw = self
            .send(
                || self.request(Method::GET, &url, self.request_timeout),
                &shown,
                true,
            )
            .await?;
        if raw.status == StatusCode::INTERNAL_SERVER_ERROR {
            if let Ok(h) = serde_json::from_slice::<Health>(&raw.body) {
                return Ok(h);
            }
        }
        self.parse_ok(&raw, &shown)
    }

    /// POST a JSON body, once, never retried. `close` asks for a connection of its own
    /// (`Connection: close`), so that nothing else ever rides on it.
    pub async fn post_json<T: Serialize>(
        &self,
        path: &str,
        body: &T,
        timeout: Duration,
        close: bool,
    ) -> Result<RawResponse, BridgeError> {
        let url = self.endpoint(path);
        let shown = redact_url(&url);
        let payload = serde_json::to_vec(body).map_err(|e| BridgeError::Protocol {
            url: shown.clone(),
            detail: format!("cannot encode the request: {e}"),
        })?;
        self.send(
            || {
                let mut rb = self
                    .request(Method::POST, &url, timeout)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(payload.clone());
                if close {
                    rb = rb.header(header::CONNECTION, "close");
                }
                rb
            },
            &shown,
            false,
        )
        .await
    }

    /// Turn a 2xx into `T`, anything else into the matching error.
    fn parse_ok<'a, T: serde::Deserialize<'a>>(
        &self,
        raw: &'a RawResponse,
        shown: &str,
    ) -> Result<T, BridgeError> {
        if !raw.status.is_success() {
            return Err(error_for_status(raw, shown, SystemTime::now()));
        }
        parse_body(raw, shown)
    }
}

fn endpoint_of(base: &url::Url, path: &str) -> url::Url {
    let mut u = base.clone();
    let prefix = u.path().trim_end_matches('/').to_owned();
    u.set_path(&format!("{prefix}{path}"));
    u
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

/// The error an HTTP status stands for, with the bridge's own message from either body shape.
pub fn error_for_status(raw: &RawResponse, shown: &str, now: SystemTime) -> BridgeError {
    let status = raw.status.as_u16();
    let message = ErrorBody::parse(&raw.body)
        .map(|b| b.summary())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            raw.status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned()
        });
    let retry_after = raw
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
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
                url: shown.to_owned(),
                status,
                location,
            }
        }
        401 | 403 => BridgeError::Auth {
            url: shown.to_owned(),
            status,
            message,
        },
        503 => BridgeError::Unavailable {
            url: shown.to_owned(),
            message,
            retry_after,
        },
        _ => BridgeError::Http {
            url: shown.to_owned(),
            status,
            message,
            retry_after,
        },
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

/// `If-None-Match: *` matches anything: an ETag of `*` (or an empty one) is never stored.
fn usable_etag(v: &HeaderValue) -> bool {
    let s = v.as_bytes();
    !s.is_empty() && s != b"*" && s.len() < 1024
}

enum ReadError {
    TooLarge(u64),
    Transport(reqwest::Error),
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if let Some(len) = resp.content_length() {
        if len > BODY_CAP as u64 {
            return Err(ReadError::TooLarge(len));
        }
    }
    let initial = resp.content_length().unwrap_or(0).min(64 * 1024) as usize;
    let mut buf = Vec::with_capacity(initial);
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Transport)? {
        if buf.len() + chunk.len() > BODY_CAP {
            return Err(ReadError::TooLarge((buf.len() + chunk.len()) as u64));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// True when a request failed because a pooled connection had been closed by the server:
/// nothing was answered, so a GET may safely go again on a fresh connection.
fn is_stale_connection(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() {
                return true;
            }
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        source = s.source();
    }
    false
}

fn transport_error(e: &reqwest::Error, shown: &str, timeout: Duration) -> BridgeError {
    let kind = if e.is_timeout() {
        FailureKind::Timeout
    } else if e.is_connect() {
        FailureKind::Connect
    } else {
        FailureKind::Connection
    };
    let detail = if kind == FailureKind::Timeout {
        format!("no answer within {}", crate::output::human_duration(timeout))
    } else {
        root_cause(e)
    };
    BridgeError::Unreachable {
        url: shown.to_owned(),
        kind,
        detail,
    }
}

/// The innermost cause, which says what actually happened ("Connection refused").
fn root_cause(e: &reqwest::Error) -> String {
    let mut last: &(dyn std::error::Error + 'static) = e;
    while let Some(s) = last.source() {
        last = s;
    }
    let text = last.to_string();
    if text.contains("error sending request") || text.contains("http://") || text.contains("https://") {
        // Never echo a URL from the error (it could carry credentials); say what kind it was.
        if e.is_connect() {
            return "connection failed".into();
        }
        return "connection lost".into();
    }
    text
}

fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(60)]);
    crate::sanitize::line(&s).into_owned()
}

pub fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn star_etag_is_never_stored() {
        assert!(!usable_etag(&HeaderValue::from_static("*")));
        assert!(usable_etag(&HeaderValue::from_static("W/\"89-abc\"")));
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
    fn endpoint_keeps_a_base_path() {
        let c = BridgeClient::new(ClientOptions {
            base: url::Url::parse("http://h:1/prefix/").unwrap(),
            api_key: None,
            request_timeout: Duration::from_secs(1),
            verbose: 0,
        })
        .unwrap();
        assert_eq!(
            c.endpoint(STATUS_PATH).as_str(),
            "http://h:1/prefix/api/kiro/status"
        );
    }
}
