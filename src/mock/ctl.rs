//! A running mock-bridge under your hand: `POST /_mock/control` takes one scenario step (what a
//! scenario file's steps say: `available`, `version`, `addCommands`, `removeCommands`, `run`,
//! `fault`) and applies it now; `kiro-poll mock-bridge ctl …` sends it. The route answers only
//! on a loopback address, or with the mock's API key when it has one; faults and latency never
//! touch it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
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
        "fault": sim.fault.as_ref().map(|f| format!("{:?}", f.kind).to_lowercase()),
    })
}

pub async fn control(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let loopback = app
        .host
        .parse::<std::net::IpAddr>()
        .map_or(app.host == "localhost", |ip| ip.is_loopback());
    let keyed = app.settings.behaviour.api_key.is_some() && app.authorized(&headers);
    if !loopback && !keyed {
        let msg = "the control route answers on a loopback address, or with the mock's API key";
        return (StatusCode::FORBIDDEN, axum::Json(json!({"error": msg}))).into_response();
    }
    if app.settings.behaviour.api_key.is_some() && !keyed {
        let msg = "Valid API key required";
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": msg}))).into_response();
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
pub async fn send(base: &str, step: Value, key: Option<&str>, json: bool) -> anyhow::Result<()> {
    use crate::error::BridgeError;
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let url = format!("{base}{ROUTE}");
    let mut req = http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&step)?);
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    let resp = req.send().await.map_err(|e| {
        let why = crate::sanitize::line(&std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())).into_owned();
        crate::error::Exit::new(
            crate::error::Ending::Unreachable,
            format!("no mock-bridge answers at {base} ({why}); start one with `kiro-poll mock-bridge --port PORT`"),
        )
    })?;
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
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
