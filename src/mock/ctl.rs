//! A running mock-bridge under your hand: `POST /_mock/control` takes one scenario step (what a
//! scenario file's steps say: `available`, `version`, `addCommands`, `removeCommands`, `run`,
//! `fault`) and applies it now; `kiro-poll mock-bridge ctl …` sends it. With an API key, the
//! mock's key is needed (wherever it listens); without one, the route answers only on a
//! loopback address, and only requests addressed to a loopback host (`Host`) from no web page
//! elsewhere (`Origin`): a page in the user's browser cannot drive it, not even through DNS
//! rebinding. The body must be `application/json` (a browser's "simple" cross-origin POST
//! cannot send it). Faults and latency never touch the route.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::scenario::Step;
use super::sim::{self, App};

pub const ROUTE: &str = "/_mock/control";

/// The simulator's state as the control route reports it.
fn state(app: &App) -> Value {
    let sim = app.sim();
    json!({
        "available": sim.available,
        "version": sim.version,
        "commands": sim.commands,
        "running": sim.running.iter().map(|r| r.command.clone()).collect::<Vec<_>>(),
        "slots": sim.running.iter().filter(|r| r.slot).count(),
        "fault": sim.fault.as_ref().map(|f| format!("{:?}", f.kind).to_lowercase()),
    })
}

/// A loopback host: `localhost` (or a name under it), 127.0.0.0/8, `::1`; `host` may carry a
/// port, and an IPv6 address its brackets.
fn loopback_host(host: &str) -> bool {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host
            .rsplit_once(':')
            .map_or(host, |(h, port)| match port.parse::<u16>() {
                Ok(_) => h,
                Err(_) => host,
            }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why a request may not use the route, if it may not.
fn refused(app: &App, headers: &HeaderMap) -> Option<(StatusCode, String)> {
    let header = |n: header::HeaderName| headers.get(n).map(|v| v.to_str().unwrap_or("?"));
    let json = header(header::CONTENT_TYPE).is_some_and(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    if !json {
        let msg = "the control route takes application/json only";
        return Some((StatusCode::UNSUPPORTED_MEDIA_TYPE, msg.into()));
    }
    if app.settings.behaviour.api_key.is_some() {
        return (!app.authorized(headers)).then(|| {
            let msg =
                "Valid API key required: this mock has an API key; pass it (KIRO_API_KEY or --api-key-file)";
            (StatusCode::UNAUTHORIZED, msg.into())
        });
    }
    let bound_loopback = app
        .host
        .parse::<std::net::IpAddr>()
        .map_or(app.host == "localhost", |ip| ip.is_loopback());
    if !bound_loopback {
        let msg = "the control route answers on a loopback address, or with the mock's API key";
        return Some((StatusCode::FORBIDDEN, msg.into()));
    }
    if !header(header::HOST).is_some_and(loopback_host) {
        let msg = "refused: the request is not addressed to a loopback host (Host), so it may come from a web page through DNS rebinding";
        return Some((StatusCode::FORBIDDEN, msg.into()));
    }
    if let Some(origin) = header(header::ORIGIN) {
        let host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if !loopback_host(host) {
            let msg = "refused: the request comes from a web page that is not on this machine (Origin)";
            return Some((StatusCode::FORBIDDEN, msg.into()));
        }
    }
    None
}

pub async fn control(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some((status, msg)) = refused(&app, &headers) {
        return (status, axum::Json(json!({"error": msg}))).into_response();
    }
    let step = serde_json::from_slice::<Value>(&body)
        .map_err(|e| e.to_string())
        .and_then(|mut v| {
            if let Value::Object(m) = &mut v {
                m.entry("at").or_insert_with(|| json!("0s"));
            }
            serde_json::from_value::<Step>(v).map_err(|e| e.to_string())
        });
    match step {
        Ok(step) => {
            sim::apply(&app, &step);
            (StatusCode::OK, axum::Json(state(&app))).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, axum::Json(json!({"error": e}))).into_response(),
    }
}

/// `kiro-poll mock-bridge ctl`: send `step` to the mock at `base`; its state after, as a line
/// (or the JSON with `json`).
pub async fn send(
    base: &str,
    step: Value,
    key: Option<&str>,
    json: bool,
) -> Result<(), crate::error::Failure> {
    use crate::error::BridgeError;
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| crate::error::Failure::usage(format!("cannot set up the HTTP client: {e}")))?;
    let url = format!("{base}{ROUTE}");
    let mut req = http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(step.to_string());
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.map_err(|e| {
        let why = crate::sanitize::line(&std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())).into_owned();
        crate::error::Failure::new(
            crate::error::Ending::Unreachable,
            format!("no mock-bridge answers at {base} ({why}); start one with `kiro-poll mock-bridge --port PORT`"),
        )
    })?;
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        let why = crate::sanitize::line(body["error"].as_str().unwrap_or("")).into_owned();
        let hint = match key {
            Some(_) => "the key given is not the mock's",
            None => "pass its key (KIRO_API_KEY or --api-key-file)",
        };
        return Err(crate::error::Failure::new(
            crate::error::Ending::Auth,
            format!(
                "mock-bridge refused the control request (HTTP {}): {why}; {hint}",
                status.as_u16()
            ),
        ));
    }
    if !status.is_success() {
        let why = body["error"].as_str().unwrap_or("").to_owned();
        return Err(BridgeError::Http {
            url,
            status: status.as_u16(),
            message: crate::sanitize::line(&why).into_owned(),
            retry_after: None,
        }
        .into());
    }
    let mut out = std::io::stdout().lock();
    if json {
        crate::output::write_json_line(&mut out, &body)?;
        return Ok(());
    }
    use std::io::Write;
    let running: Vec<&str> = body["running"]
        .as_array()
        .map_or(vec![], |a| a.iter().filter_map(Value::as_str).collect());
    writeln!(
        out,
        "{} · version {} · {} commands{}",
        if body["available"] == true {
            "available"
        } else {
            "unavailable"
        },
        crate::sanitize::line(body["version"].as_str().unwrap_or("")),
        body["commands"].as_array().map_or(0, Vec::len),
        match running.is_empty() {
            true => String::new(),
            false => format!(" · running {}", crate::sanitize::line(&running.join(", "))),
        }
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::loopback_host;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "localhost:3001",
            "LOCALHOST.",
            "a.localhost:9",
            "127.0.0.1",
            "127.8.9.1:80",
            "[::1]:3001",
            "::1",
        ] {
            assert!(loopback_host(h), "{h}");
        }
        for h in [
            "evil.example:3001",
            "localhost.evil.example",
            "10.0.0.1",
            "[::2]:80",
            "",
            "0.0.0.0",
        ] {
            assert!(!loopback_host(h), "{h}");
        }
    }
}
