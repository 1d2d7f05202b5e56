//! The routes of the simulated bridge and the shapes of its answers.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use axum::body::Bytes;
use axum::extract::{Extension, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::conn::ConnHandle;
use super::faults::injected;
use super::reply::{bridge_error, express_error, json_response, now_stamp};
use super::sim::{self, App};
use super::Etag;

pub fn router(shared: App) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/kiro/status", get(status))
        .route("/api/kiro/execute", post(execute))
        .route("/api/kiro/input", post(input))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        // Outside the gate: faults, latency and a dropped connection never reach it.
        .route(super::ctl::ROUTE, post(super::ctl::control))
        .with_state(shared)
}

/// Every request: CORS, OPTIONS, logging, latency, injected faults, the API key.
async fn gate(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut resp = if method == Method::OPTIONS {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "OK",
        )
            .into_response()
    } else {
        if !app.settings.behaviour.latency.is_zero() {
            tokio::time::sleep(app.settings.behaviour.latency).await;
        }
        if let Some(r) = injected(&app, &req) {
            r
        } else if !app.authorized(req.headers()) {
            express_error(StatusCode::UNAUTHORIZED, "Unauthorized", "Valid API key required")
        } else {
            next.run(req).await
        }
    };
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("Content-Type, Authorization"),
    );
    h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
    if app.settings.behaviour.verbose > 0 {
        crate::output::tell(crate::output::Notice::Served {
            method: method.as_str(),
            path: &path,
            status: resp.status().as_u16(),
            ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }
    resp
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    express_error(
        StatusCode::NOT_FOUND,
        "Not Found",
        &format!("Route {method} {} not found", uri.path()),
    )
}

async fn health(State(app): State<App>) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "status": "healthy",
            "timestamp": now_stamp(),
            "server": {"running": true, "port": app.port, "host": app.host, "uptime": app.started.elapsed().as_secs()}
        }),
    )
}

/// The status body's stable part (everything but the timestamp).
fn status_value(app: &App) -> Value {
    let sim = app.sim();
    let mut v = json!({});
    let state = if !sim.available {
        "unavailable"
    } else if app.settings.behaviour.report_busy && !sim.running.is_empty() {
        "busy"
    } else {
        "ready"
    };
    v["status"] = json!(state);
    if state == "busy" {
        v["currentCommand"] = json!(sim.running[0].command);
    }
    v["version"] = json!(sim.version);
    v["availableCommands"] = json!(sim.commands);
    v
}

fn hash_hex(data: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    format!("{:016x}", h.finish())
}

async fn status(State(app): State<App>, headers: HeaderMap) -> Response {
    let stable = status_value(&app);
    let mut body = stable.clone();
    body["timestamp"] = json!(now_stamp());
    let text = body.to_string();
    let etag = match app.settings.behaviour.etag {
        Etag::Strong => Some(format!("\"{}\"", hash_hex(stable.to_string().as_bytes()))),
        Etag::Weak => Some(format!("W/\"{:x}-{}\"", text.len(), hash_hex(text.as_bytes()))),
        Etag::None => None,
    };
    if let (Some(tag), Some(inm)) = (
        &etag,
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()),
    ) {
        let weak = |s: &str| s.trim().trim_start_matches("W/").to_owned();
        let matches = inm.trim() == "*" || inm.split(',').any(|c| weak(c) == weak(tag));
        if matches {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            r.headers_mut()
                .insert(header::ETAG, HeaderValue::from_str(tag).expect("ascii etag"));
            return r;
        }
    }
    let mut r = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        text,
    )
        .into_response();
    if let Some(tag) = etag {
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&tag).expect("ascii etag"));
    }
    r
}

fn validation(message: &str) -> Response {
    bridge_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED", message, false)
}

#[allow(clippy::result_large_err)] // a Response is what every handler returns
fn parse_json(body: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(validation("Command is required and must be a string")),
        Err(_) => Err(express_error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "Invalid JSON in request body",
        )),
    }
}

/// The execute body's checks, in the real bridge's order and words; the command id.
#[allow(clippy::result_large_err)] // a Response is what every handler returns
fn validate_execute(body: &Bytes) -> Result<String, Response> {
    if body.len() > 10 * 1024 * 1024 {
        return Err(express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        ));
    }
    let m = parse_json(body)?;
    let command = match m.get("command") {
        Some(Value::String(c)) if !c.is_empty() => c.clone(),
        _ => return Err(validation("Command is required and must be a string")),
    };
    match m.get("args") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        Some(Value::Array(_)) => return Err(validation("All args must be strings")),
        Some(_) => return Err(validation("Args must be an array")),
    }
    match m.get("workspacePath") {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => return Err(validation("WorkspacePath must be a string")),
    }
    Ok(command)
}

/// Kiro takes the command: 503 while unavailable, 422 past 3 running, `Ok(None)` for an
/// unknown command, else the id of its run.
#[allow(clippy::result_large_err)]
fn admit(app: &App, command: &str) -> Result<Option<u64>, Response> {
    let mut s = app.sim();
    if !s.available {
        return Err(bridge_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "KIRO_UNAVAILABLE",
            "Kiro IDE is not responding to commands",
            true,
        ));
    }
    if s.running.iter().filter(|r| r.slot).count() >= 3 {
        let message = format!("Command '{command}' failed: Maximum concurrent commands limit reached (3)");
        return Err(bridge_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "COMMAND_EXECUTION_FAILED",
            &message,
            true,
        ));
    }
    if !s.commands.iter().any(|c| c == command) {
        return Ok(None);
    }
    Ok(Some(sim::start_run(&mut s, command)))
}

async fn execute(State(app): State<App>, conn: Option<Extension<ConnHandle>>, body: Bytes) -> Response {
    let command = match validate_execute(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match admit(&app, &command) {
        Ok(Some(id)) => id,
        Ok(None) => {
            let error = format!("command '{command}' not found");
            return json_response(
                StatusCode::OK,
                json!({"success": false, "output": "", "error": error, "executionTimeMs": 2}),
            );
        }
        Err(r) => return r,
    };
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let length = app.duration_of(&command);
    // The bridge's own limit on a command: past it, it frees the command's slot (a 4th may
    // start) while the command runs on and its request waits for it (BEHAVIOUR.md).
    let limit = app.settings.behaviour.command_limit;
    sim::finish_after(&app, id, length.min(limit), length, Some(tx));
    tokio::select! {
        _ = &mut rx => {
            let ms = length.as_millis() as u64;
            if app.settings.scenario.failing.contains(&command) {
                let error = format!("Command '{command}' failed");
                json_response(StatusCode::OK, json!({"success": false, "output": "", "error": error, "executionTimeMs": ms}))
            } else {
                let output = format!("{command} completed");
                json_response(StatusCode::OK, json!({"success": true, "output": output, "executionTimeMs": ms}))
            }
        }
        _ = tokio::time::sleep(app.settings.behaviour.server_timeout) => {
            // The real bridge's handler keeps awaiting the command (past its slot's limit too);
            // when it ends, its late answer throws and Express destroys the connection.
            if let Some(Extension(conn)) = conn {
                tokio::spawn(async move {
                    let _ = rx.await;
                    conn.destroy();
                });
            }
            express_error(StatusCode::REQUEST_TIMEOUT, "Request Timeout", "Request timed out")
        }
    }
}

async fn input(body: Bytes) -> Response {
    let m = match parse_json(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    match m.get("value") {
        Some(Value::String(v)) if !v.is_empty() => {}
        _ => return validation("Value is required and must be a string"),
    }
    match m.get("type").and_then(Value::as_str) {
        Some("text" | "choice" | "file" | "confirmation") => {}
        _ => return validation("Type must be one of: text, choice, file, confirmation"),
    }
    let id = match m.get("executionId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return validation("ExecutionId is required and must be a string"),
    };
    json_response(
        StatusCode::OK,
        json!({"success": false, "error": format!("No pending input request found with ID: {id}"), "executionId": ""}),
    )
}
