//! `mock-bridge` and `demo`: a simulated Kiro Communication Bridge built into the binary.
//! It answers with the exact shapes of openapi.yaml and the real bridge's behaviour
//! (BEHAVIOUR.md): both error shapes, validation messages, 404 and 401 bodies, CORS and
//! OPTIONS, the concurrency limit of 3, 503 while Kiro is unavailable, and 408 after the
//! server timeout while the command runs on. Busy reporting and the ETag flavour are
//! switchable so it can play the spec's bridge or the real one.

pub mod scenario;

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::cli::{EtagMode, MockArgs};
use crate::config::Config;
use scenario::{FaultKind, Scenario};

/// How the simulator behaves (from `mock-bridge` flags).
#[derive(Debug, Clone)]
pub struct MockSettings {
    pub scenario: Scenario,
    pub latency: Duration,
    pub fail_rate: f64,
    pub server_timeout: Duration,
    pub etag: EtagMode,
    pub report_busy: bool,
    pub api_key: Option<String>,
    pub verbose: u8,
}

impl MockSettings {
    pub fn new(scenario: Scenario) -> MockSettings {
        MockSettings {
            scenario,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            server_timeout: Duration::from_secs(30),
            etag: EtagMode::Strong,
            report_busy: true,
            api_key: None,
            verbose: 0,
        }
    }
}

struct Running {
    id: u64,
    command: String,
}

struct Fault {
    kind: FaultKind,
    until: Instant,
    retry_after: Option<u64>,
}

struct Sim {
    version: String,
    commands: Vec<String>,
    available: bool,
    running: Vec<Running>,
    fault: Option<Fault>,
    next_id: u64,
}

struct Shared {
    settings: MockSettings,
    sim: Mutex<Sim>,
    started: Instant,
    port: u16,
    host: String,
}

type App = Arc<Shared>;

impl Shared {
    fn sim(&self) -> std::sync::MutexGuard<'_, Sim> {
        self.sim.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn duration_of(&self, command: &str) -> Duration {
        self.settings.scenario.duration_of(command)
    }
}

fn now_stamp() -> String {
    crate::units::rfc3339_ms(SystemTime::now())
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn bridge_error(status: StatusCode, code: &str, message: &str, recoverable: bool) -> Response {
    json_response(
        status,
        json!({"code": code, "message": message, "recoverable": recoverable, "timestamp": now_stamp()}),
    )
}

fn express_error(status: StatusCode, error: &str, message: &str) -> Response {
    json_response(status, json!({"error": error, "message": message}))
}

/// Start the simulator on `addr`; returns the bound address and the server task.
pub async fn spawn(settings: MockSettings, addr: SocketAddr) -> anyhow::Result<(SocketAddr, MockHandle)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let sc = &settings.scenario;
    let shared = Arc::new(Shared {
        sim: Mutex::new(Sim {
            version: sc.version.clone(),
            commands: sc.commands.clone(),
            available: true,
            running: Vec::new(),
            fault: None,
            next_id: 1,
        }),
        settings,
        started: Instant::now(),
        port: local.port(),
        host: local.ip().to_string(),
    });
    tokio::spawn(drive_scenario(shared.clone()));
    let app = router(shared);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok((local, MockHandle { stop: Some(tx), task }))
}

/// A running simulator. Dropping it stops it at once; `shutdown` lets answers in flight finish
/// (for at most `grace`).
pub struct MockHandle {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockHandle {
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn router(shared: App) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/kiro/status", get(status))
        .route("/api/kiro/execute", post(execute))
        .route("/api/kiro/input", post(input))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
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
        if !app.settings.latency.is_zero() {
            tokio::time::sleep(app.settings.latency).await;
        }
        if let Some(r) = injected(&app, &req) {
            r
        } else if !authorized(&app, req.headers()) {
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
    if app.settings.verbose > 0 {
        crate::output::log_line(&format!(
            "mock-bridge: {method} {path} -> {} ({:.1} ms)",
            resp.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }
    resp
}

fn authorized(app: &App, headers: &HeaderMap) -> bool {
    let Some(key) = &app.settings.api_key else {
        return true;
    };
    let Some(given) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let given = given.strip_prefix("Bearer ").unwrap_or(given);
    given == key
}

fn injected(app: &App, req: &Request) -> Option<Response> {
    if req.uri().path() == "/health" {
        return None;
    }
    if app.settings.fail_rate > 0.0 && fastrand::f64() < app.settings.fail_rate {
        return Some(express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        ));
    }
    let mut sim = app.sim();
    let fault = sim.fault.as_ref()?;
    if Instant::now() >= fault.until {
        sim.fault = None;
        return None;
    }
    Some(match fault.kind {
        FaultKind::RateLimit => {
            let secs = fault.retry_after.unwrap_or(1);
            let mut r = express_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "Rate limit exceeded",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
        FaultKind::Error => express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        ),
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":"ready","availableCommands":["#,
        )
            .into_response(),
        FaultKind::Drop => {
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by the simulator"))
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    })
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
    } else if app.settings.report_busy && !sim.running.is_empty() {
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
    let etag = match app.settings.etag {
        EtagMode::Strong => Some(format!("\"{}\"", hash_hex(stable.to_string().as_bytes()))),
        EtagMode::Weak => Some(format!("W/\"{:x}-{}\"", text.len(), hash_hex(text.as_bytes()))),
        EtagMode::None => None,
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

async fn execute(State(app): State<App>, body: Bytes) -> Response {
    if body.len() > 10 * 1024 * 1024 {
        return express_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
            "An unexpected error occurred",
        );
    }
    let m = match parse_json(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let command = match m.get("command") {
        Some(Value::String(c)) if !c.is_empty() => c.clone(),
        _ => return validation("Command is required and must be a string"),
    };
    match m.get("args") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        Some(Value::Array(_)) => return validation("All args must be strings"),
        Some(_) => return validation("Args must be an array"),
    }
    match m.get("workspacePath") {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => return validation("WorkspacePath must be a string"),
    }
    let (known, id) = {
        let mut sim = app.sim();
        if !sim.available {
            return bridge_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "KIRO_UNAVAILABLE",
                "Kiro IDE is not responding to commands",
                true,
            );
        }
        if sim.running.len() >= 3 {
            return bridge_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "COMMAND_EXECUTION_FAILED",
                &format!("Command '{command}' failed: Maximum concurrent commands limit reached (3)"),
                true,
            );
        }
        let known = sim.commands.contains(&command);
        let id = sim.next_id;
        sim.next_id += 1;
        if known {
            sim.running.push(Running {
                id,
                command: command.clone(),
            });
        }
        (known, id)
    };
    if !known {
        return json_response(
            StatusCode::OK,
            json!({"success": false, "output": "", "error": format!("command '{command}' not found"), "executionTimeMs": 2}),
        );
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let runner = app.clone();
    let length = app.duration_of(&command);
    let cmd = command.clone();
    tokio::spawn(async move {
        tokio::time::sleep(length).await;
        runner.sim().running.retain(|r| r.id != id);
        let _ = tx.send(());
        drop(cmd);
    });
    tokio::select! {
        _ = rx => {
            let failing = app.settings.scenario.failing.contains(&command);
            let ms = length.as_millis() as u64;
            if failing {
                json_response(StatusCode::OK, json!({"success": false, "output": "", "error": format!("Command '{command}' failed"), "executionTimeMs": ms}))
            } else {
                json_response(StatusCode::OK, json!({"success": true, "output": format!("{command} completed"), "executionTimeMs": ms}))
            }
        }
        _ = tokio::time::sleep(app.settings.server_timeout) => {
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

/// Play the scenario's steps on time, looping if asked.
async fn drive_scenario(app: App) {
    let sc = app.settings.scenario.clone();
    let period = sc.repeat.map(|d| d.0);
    let mut steps = sc.steps;
    steps.sort_by_key(|s| s.at.0);
    let mut origin = Instant::now();
    loop {
        for step in &steps {
            tokio::time::sleep_until(origin + step.at.0).await;
            apply(&app, step);
            if app.settings.verbose > 0 {
                crate::output::log_line(&format!(
                    "mock-bridge: scenario step at {} applied at {}",
                    crate::units::human_duration(step.at.0),
                    now_stamp()
                ));
            }
        }
        match period {
            Some(p) => origin += p,
            None => return,
        }
        tokio::time::sleep_until(origin).await;
    }
}

fn apply(app: &App, step: &scenario::Step) {
    let run = {
        let mut sim = app.sim();
        if let Some(a) = step.available {
            sim.available = a;
        }
        if let Some(v) = &step.version {
            sim.version = v.clone();
        }
        for c in &step.add_commands {
            if !sim.commands.contains(c) {
                sim.commands.push(c.clone());
            }
        }
        let remove: HashSet<&String> = step.remove_commands.iter().collect();
        sim.commands.retain(|c| !remove.contains(c));
        if let Some(f) = &step.fault {
            sim.fault = Some(Fault {
                kind: f.kind,
                until: Instant::now() + f.lasts.0,
                retry_after: f.retry_after,
            });
        }
        step.run.clone().map(|command| {
            let id = sim.next_id;
            sim.next_id += 1;
            sim.running.push(Running {
                id,
                command: command.clone(),
            });
            (id, command)
        })
    };
    if let Some((id, command)) = run {
        let app2 = app.clone();
        let length = app.duration_of(&command);
        tokio::spawn(async move {
            tokio::time::sleep(length).await;
            app2.sim().running.retain(|r| r.id != id);
        });
    }
}

fn settings_from(args: &MockArgs, config: &Config) -> anyhow::Result<MockSettings> {
    Ok(MockSettings {
        scenario: Scenario::load(&args.scenario)?,
        latency: args.latency,
        fail_rate: args.fail_rate,
        server_timeout: args.server_timeout,
        etag: args.etag,
        report_busy: args.report_busy,
        api_key: config.api_key.as_ref().map(|k| k.expose().to_owned()),
        verbose: config.verbose,
    })
}

/// `kiro-poll mock-bridge`: serve until Ctrl-C or SIGTERM.
pub async fn serve_forever(args: &MockArgs, config: &Config) -> anyhow::Result<()> {
    let settings = settings_from(args, config)?;
    let ip: std::net::IpAddr = match args.host.as_str() {
        "localhost" => std::net::Ipv4Addr::LOCALHOST.into(),
        h => h.parse().map_err(|_| {
            crate::error::UsageError(format!("invalid value '{h}' for '--host': not an IP address"))
        })?,
    };
    let name = settings.scenario.name.clone();
    let (addr, task) = spawn(settings, SocketAddr::new(ip, args.port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    if !config.quiet {
        crate::output::log_line(&format!(
            "mock-bridge: serving a simulated bridge on http://{addr} (scenario {name}); Ctrl-C to stop"
        ));
    }
    // Scripts read the address from stdout when they ask for port 0.
    if config.json {
        crate::output::write_json_line(
            &mut std::io::stdout().lock(),
            &json!({"url": format!("http://{addr}")}),
        )?;
    }
    let mut signals = crate::signals::Signals::install()?;
    loop {
        match signals.recv().await {
            crate::signals::Sig::Continue => {}
            crate::signals::Sig::Stop => crate::signals::stop_self(),
            _ => break,
        }
    }
    task.shutdown(Duration::from_secs(2)).await;
    if !config.quiet {
        crate::output::log_line("mock-bridge: stopped");
    }
    Ok(())
}
