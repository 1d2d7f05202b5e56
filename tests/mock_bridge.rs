//! The simulated bridge: every response shape against the fixtures and BEHAVIOUR.md, its
//! switches (busy reporting, ETag flavours, key), faults, and the binary's mock-bridge and demo.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{fixture, kiro};
use kiro_poll::mock::scenario::Scenario;
use kiro_poll::mock::Etag as EtagMode;
use kiro_poll::mock::{spawn, MockSettings};
use serde_json::Value;

async fn start(settings: MockSettings) -> String {
    let (addr, handle) = spawn(settings, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    // Dropping the handle stops the server: keep it for the rest of the test's runtime.
    std::mem::forget(handle);
    format!("http://{addr}")
}

fn scenario(json: &str) -> Scenario {
    let s: Scenario = serde_json::from_str(json).unwrap();
    s.validate().unwrap();
    s
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn fixture_keys(name: &str) -> Vec<String> {
    keys(&serde_json::from_str(&fixture(name)).unwrap())
}

async fn get(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = reqwest::get(url).await.unwrap();
    let (s, h) = (r.status().as_u16(), r.headers().clone());
    (s, h, r.text().await.unwrap())
}

async fn post(url: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (
        s,
        serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn shapes_match_the_spec_and_the_real_bridge() {
    let base = start(MockSettings::new(Scenario::steady())).await;
    let (s, h, body) = get(&format!("{base}/api/kiro/status")).await;
    assert_eq!(s, 200);
    assert!(h.get("etag").is_some());
    assert_eq!(h.get("access-control-allow-origin").unwrap(), "*");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(keys(&v), fixture_keys("status_real_bridge.json"));
    let parsed: kiro_poll::model::KiroStatus = serde_json::from_value(v).unwrap();
    assert_eq!(parsed.status, kiro_poll::model::KiroState::Ready);

    let (s, _, body) = get(&format!("{base}/health")).await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(keys(&v), fixture_keys("health_healthy.json"));
    assert_eq!(keys(&v["server"]), vec!["host", "port", "running", "uptime"]);

    let (s, _, body) = get(&format!("{base}/api/kiro/nope")).await;
    assert_eq!(s, 404);
    assert_eq!(body, fixture("error_404.json").trim());

    let r = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/api/kiro/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(r.text().await.unwrap(), "OK");
}

#[tokio::test]
async fn execute_answers_like_the_real_bridge() {
    let base = start(MockSettings::new(scenario(r#"{"failing":["vscode.open"]}"#))).await;
    let exec = format!("{base}/api/kiro/execute");
    let (s, v) = post(&exec, r#"{"command":"kiro.chat.open"}"#).await;
    assert_eq!((s, v["success"].clone()), (200, Value::Bool(true)));
    assert_eq!(keys(&v), fixture_keys("execute_real_success.json"));
    let (s, v) = post(&exec, r#"{"command":"x"}"#).await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        serde_json::json!({"success": false, "output": "", "error": "command 'x' not found", "executionTimeMs": 2})
    );
    let (s, v) = post(&exec, r#"{"command":"vscode.open"}"#).await;
    assert_eq!((s, v["success"].clone()), (200, Value::Bool(false)));

    for (body, message) in [
        (r#"{}"#, "Command is required and must be a string"),
        (r#"{"command":5}"#, "Command is required and must be a string"),
        (r#"{"command":"a","args":"b"}"#, "Args must be an array"),
        (r#"{"command":"a","args":[1]}"#, "All args must be strings"),
        (
            r#"{"command":"a","workspacePath":3}"#,
            "WorkspacePath must be a string",
        ),
    ] {
        let (s, v) = post(&exec, body).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(v["code"], "VALIDATION_FAILED");
        assert_eq!(v["message"], message);
        assert_eq!(v["recoverable"], false);
        assert!(v["timestamp"].is_string());
    }
    let (s, v) = post(&exec, "{nope").await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        serde_json::from_str::<Value>(&fixture("execute_400_bad_json.json")).unwrap()
    );
}

#[tokio::test]
async fn running_commands_show_busy_hold_slots_and_outlive_a_408() {
    let mut settings = MockSettings::new(scenario(r#"{"durations":{"kiro.generateCode":"1500ms"}}"#));
    settings.behaviour.server_timeout = Duration::from_millis(300);
    let base = start(settings).await;
    let exec = format!("{base}/api/kiro/execute");
    let (s, v) = post(&exec, r#"{"command":"kiro.generateCode"}"#).await;
    assert_eq!(s, 408);
    assert_eq!(
        v,
        serde_json::from_str::<Value>(&fixture("execute_408_real.json")).unwrap()
    );
    let (_, _, body) = get(&format!("{base}/api/kiro/status")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "busy", "the command runs on after the 408");
    assert_eq!(v["currentCommand"], "kiro.generateCode");
    // Two more fill the three slots; the fourth is refused at once.
    for _ in 0..2 {
        assert_eq!(post(&exec, r#"{"command":"kiro.generateCode"}"#).await.0, 408);
    }
    let (s, v) = post(&exec, r#"{"command":"k"}"#).await;
    assert_eq!(s, 422);
    assert_eq!(v["code"], "COMMAND_EXECUTION_FAILED");
    assert_eq!(
        v["message"],
        "Command 'k' failed: Maximum concurrent commands limit reached (3)"
    );
}

#[tokio::test]
async fn the_real_bridge_mode_never_reports_busy() {
    let mut settings = MockSettings::new(scenario(r#"{"durations":{"kiro.generateCode":"1s"}}"#));
    settings.behaviour.server_timeout = Duration::from_millis(200);
    settings.behaviour.report_busy = false;
    settings.behaviour.etag = EtagMode::Weak;
    let base = start(settings).await;
    post(
        &format!("{base}/api/kiro/execute"),
        r#"{"command":"kiro.generateCode"}"#,
    )
    .await;
    let (_, h, body) = get(&format!("{base}/api/kiro/status")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ready");
    assert!(v.get("currentCommand").is_none());
    assert!(h.get("etag").unwrap().to_str().unwrap().starts_with("W/\""));
}

#[tokio::test]
async fn strong_etags_give_304_and_none_gives_no_etag() {
    let base = start(MockSettings::new(Scenario::steady())).await;
    let url = format!("{base}/api/kiro/status");
    let (_, h, _) = get(&url).await;
    let tag = h.get("etag").unwrap().clone();
    let r = reqwest::Client::new()
        .get(&url)
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 304);
    assert!(r.headers().get("content-type").is_none());
    assert_eq!(r.bytes().await.unwrap().len(), 0);

    let mut settings = MockSettings::new(Scenario::steady());
    settings.behaviour.etag = EtagMode::None;
    let base = start(settings).await;
    assert!(get(&format!("{base}/api/kiro/status"))
        .await
        .1
        .get("etag")
        .is_none());
}

#[tokio::test]
async fn unavailable_kiro_is_503_on_execute_and_status_says_so() {
    let base = start(MockSettings::new(scenario(
        r#"{"steps":[{"at":"0s","available":false}]}"#,
    )))
    .await;
    let status = format!("{base}/api/kiro/status");
    // The scenario's first step is applied by its own task: asked until it shows.
    common::eventually_async(Duration::from_secs(5), "the step applied", || async {
        get(&status).await.2.contains("unavailable")
    })
    .await;
    let (_, _, body) = get(&status).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "unavailable");
    assert!(
        !v["availableCommands"].as_array().unwrap().is_empty(),
        "the real bridge keeps its commands"
    );
    let (s, v) = post(
        &format!("{base}/api/kiro/execute"),
        r#"{"command":"kiro.chat.open"}"#,
    )
    .await;
    assert_eq!(s, 503);
    assert_eq!(keys(&v), vec!["code", "message", "recoverable", "timestamp"]);
    assert_eq!(v["code"], "KIRO_UNAVAILABLE");
    let (_, _, health) = get(&format!("{base}/health")).await;
    assert!(health.contains("\"healthy\""), "health is the server, not Kiro");
}

#[tokio::test]
async fn a_key_guards_every_route_but_options() {
    let mut settings = MockSettings::new(Scenario::steady());
    settings.behaviour.api_key = Some("k1".into());
    let base = start(settings).await;
    let (s, _, body) = get(&format!("{base}/health")).await;
    assert_eq!(s, 401);
    assert_eq!(body, fixture("error_401.json").trim());
    let c = reqwest::Client::new();
    for auth in ["Bearer k1", "k1"] {
        let r = c
            .get(format!("{base}/api/kiro/status"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{auth}");
    }
    let r = c
        .request(reqwest::Method::OPTIONS, format!("{base}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn input_answers_no_pending_request() {
    let base = start(MockSettings::new(Scenario::steady())).await;
    let url = format!("{base}/api/kiro/input");
    let (s, v) = post(&url, r#"{"value":"MyApp","type":"text","executionId":"exec-1"}"#).await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        serde_json::from_str::<Value>(&fixture("input_real_no_pending.json")).unwrap()
    );
    let (s, v) = post(&url, r#"{"value":"a","type":"yes","executionId":"e"}"#).await;
    assert_eq!(
        (s, v["message"].clone()),
        (
            400,
            Value::from("Type must be one of: text, choice, file, confirmation")
        )
    );
}

#[tokio::test]
async fn faults_rate_limit_malformed_drop_and_fail_rate() {
    let base = start(MockSettings::new(scenario(
        r#"{"steps":[{"at":"0s","fault":{"kind":"rate_limit","for":"10s","retryAfter":3}}]}"#,
    )))
    .await;
    let status = format!("{base}/api/kiro/status");
    common::eventually_async(Duration::from_secs(5), "the rate limit", || async {
        get(&status).await.0 == 429
    })
    .await;
    let (s, h, _) = get(&status).await;
    assert_eq!((s, h.get("retry-after").unwrap().to_str().unwrap()), (429, "3"));

    let base = start(MockSettings::new(scenario(
        r#"{"steps":[{"at":"0s","fault":{"kind":"malformed","for":"10s"}}]}"#,
    )))
    .await;
    let status = format!("{base}/api/kiro/status");
    common::eventually_async(Duration::from_secs(5), "the malformed answers", || async {
        serde_json::from_str::<Value>(&get(&status).await.2).is_err()
    })
    .await;
    let (s, _, body) = get(&status).await;
    assert_eq!(s, 200);
    assert!(serde_json::from_str::<Value>(&body).is_err());

    let base = start(MockSettings::new(scenario(
        r#"{"steps":[{"at":"0s","fault":{"kind":"drop","for":"10s"}}]}"#,
    )))
    .await;
    let cut = || async {
        match reqwest::get(format!("{base}/api/kiro/status")).await {
            Err(_) => true,
            Ok(r) => r.bytes().await.is_err(),
        }
    };
    common::eventually_async(Duration::from_secs(5), "the dropped connections", cut).await;
    let r = reqwest::get(format!("{base}/api/kiro/status")).await;
    let failed = match r {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "the connection is cut mid-response");

    let mut settings = MockSettings::new(Scenario::steady());
    settings.behaviour.fail_rate = 1.0;
    let base = start(settings).await;
    assert_eq!(get(&format!("{base}/api/kiro/status")).await.0, 500);
}

#[cfg(unix)]
#[test]
fn the_binary_serves_and_kiro_poll_follows_it() {
    let (mut server, url) = common::start_mock_bridge(&["--port", "0", "--scenario", "demo"]);
    let out = common::run(&format!(
        "--url {url} --json watch --until busy --timeout 10s --interval-ready 200ms"
    ));
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let status = server.wait().unwrap();
    common::assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r#""type":"command_started","#) && text.contains("kiro.generateCode"),
        "{text}"
    );
    assert!(status.success(), "graceful shutdown");
}

#[test]
fn demo_runs_in_one_process() {
    let out = common::run("--json demo --count 8");
    common::assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let types: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(types.first().map(String::as_str), Some("snapshot"));
    assert_eq!(types.last().map(String::as_str), Some("summary"));
    assert!(types.iter().any(|t| t == "command_started"), "{types:?}");
}

#[test]
fn a_bad_scenario_is_a_usage_error() {
    kiro()
        .args(["mock-bridge", "--scenario", "/nonexistent.json"])
        .assert()
        .code(2);
}

/// Write `request` on `s` and read one answer; None when the connection was closed instead.
fn exchange(s: &mut std::net::TcpStream, request: &str) -> Option<String> {
    use std::io::Write;
    s.write_all(request.as_bytes()).ok()?;
    common::read_request(s)
}

/// How long until the server closes `s` (reads until EOF or a reset).
fn until_closed(s: &mut std::net::TcpStream) -> Duration {
    use std::io::Read;
    let started = std::time::Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return started.elapsed(),
            Ok(_) => {}
        }
    }
}

fn execute() -> String {
    let body = r#"{"command":"kiro.generateCode"}"#;
    format!(
        "POST /api/kiro/execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
const HEALTH: &str = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test(flavor = "multi_thread")]
async fn connections_are_kept_as_the_real_bridge_keeps_them() {
    let mut settings = MockSettings::new(scenario(r#"{"durations":{"kiro.generateCode":"4s"}}"#));
    settings.behaviour.server_timeout = Duration::from_millis(500);
    let base = start(settings).await;
    let addr = base.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        // An idle connection is closed 5 s after its last answer (Node's keep-alive).
        let mut idle = std::net::TcpStream::connect(&addr).unwrap();
        assert!(exchange(&mut idle, HEALTH).unwrap().starts_with("HTTP/1.1 200"));
        let closed = until_closed(&mut idle);
        assert!(
            closed >= Duration::from_millis(4_800) && closed < Duration::from_secs(7),
            "{closed:?}"
        );

        // The connection an execute was answered 408 on, kept busy, is destroyed when the
        // command ends (4 s after the POST), not before and not by the idle timer.
        let mut held = std::net::TcpStream::connect(&addr).unwrap();
        let started = std::time::Instant::now();
        let answer = exchange(&mut held, &execute()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
        let mut pings = 0;
        while exchange(&mut held, HEALTH).is_some() {
            pings += 1;
            // Paces the pings as the follower does, every 300 ms, until the bridge closes.
            std::thread::sleep(Duration::from_millis(300));
        }
        let ended = started.elapsed();
        assert!(
            ended >= Duration::from_millis(3_800) && ended < Duration::from_millis(5_500),
            "closed {ended:?} after the POST, {pings} pings"
        );
        assert!(pings >= 5, "{pings}");
    })
    .await
    .unwrap();
}

#[test]
fn like_real_plays_the_real_bridge_and_flags_override_it() {
    let (mut real, url) = common::start_mock_bridge(&["--port", "0", "--scenario", "demo", "--like", "real"]);
    let out = kiro()
        .args(["--url", &url, "--json", "watch", "--count", "12"])
        .args(common::FAST)
        .output()
        .unwrap();
    real.stop();
    common::assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("\"busy\""),
        "the real bridge never reports busy: {text}"
    );
    // Weak ETags that change with every answer: no 304s.
    let summary: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["notModified"], 0, "{summary}");
    // --report-busy true over --like real.
    let (mut spec, url) = common::start_mock_bridge(&common::words(
        "--port 0 --scenario demo --like real --report-busy true",
    ));
    let out = kiro()
        .args(common::words(&format!(
            "--url {url} --json watch --until busy --timeout 10s"
        )))
        .args(common::FAST)
        .output()
        .unwrap();
    spec.stop();
    common::assert_exit(&out, 0);
}

/// A running mock-bridge is changed from another terminal: unavailable now and back, a
/// version, a command added or removed, a command started, a fault for a while; and a port
/// where nothing listens says so.
#[test]
fn a_running_mock_bridge_is_changed_with_ctl() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let port = url.rsplit(':').next().unwrap().trim_end_matches('/').to_owned();
    let ctl = |args: &[&str]| {
        let out = kiro()
            .args(["mock-bridge", "ctl"])
            .args(args)
            .args(["--port", &port])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let status = || {
        let out = common::run(&format!("--url {url} --json status"));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert!(ctl(&["unavailable"]).starts_with("unavailable · "));
    assert_eq!(status()["status"], "unavailable");
    ctl(&["available"]);
    assert_eq!(status()["status"], "ready");
    ctl(&["version", "2.0.0"]);
    ctl(&["add", "kiro.newOne"]);
    ctl(&["remove", "vscode.open"]);
    let s = status();
    assert_eq!(s["version"], "2.0.0");
    let cmds: Vec<&str> = s["availableCommands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        cmds.contains(&"kiro.newOne") && !cmds.contains(&"vscode.open"),
        "{cmds:?}"
    );
    assert!(ctl(&["run", "kiro.generateCode"]).contains("running kiro.generateCode"));
    let s = status();
    assert_eq!(
        (s["status"].as_str(), s["currentCommand"].as_str()),
        (Some("busy"), Some("kiro.generateCode"))
    );
    ctl(&["fault", "error", "--for", "5s"]);
    let out = kiro().args(["--url", &url, "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "a 500 while the fault lasts");
    let nobody = kiro()
        .args([
            "mock-bridge",
            "ctl",
            "available",
            "--port",
            &common::free_port().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(nobody.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no mock-bridge answers at http://127.0.0.1:"));
    bridge.stop();
}

/// The control route answers loopback callers only: a request addressed to another host (DNS
/// rebinding), from a web page elsewhere, or not JSON (a browser's "simple" POST) is refused
/// and changes nothing; `ctl` against a keyed mock without its key is 4 with the hint.
#[test]
fn the_control_route_refuses_what_a_web_page_can_send() {
    use std::io::{Read, Write};
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let addr = url.trim_start_matches("http://").to_owned();
    let post = |host: &str, origin: Option<&str>, kind: &str| -> String {
        let body = r#"{"available":false,"version":"pwned"}"#;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        write!(
            s,
            "POST /_mock/control HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer
    };
    let port = addr.rsplit(':').next().unwrap();
    for (host, origin, kind, status, words) in [
        (
            "evil.example:1",
            None,
            "application/json",
            "403",
            "not addressed to a loopback host",
        ),
        (
            addr.as_str(),
            Some("http://evil.example"),
            "application/json",
            "403",
            "web page",
        ),
        (addr.as_str(), None, "text/plain", "415", "application/json only"),
    ] {
        let answer = post(host, origin, kind);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{host} {origin:?} {kind}: {answer}"
        );
        assert!(answer.contains(words), "{answer}");
    }
    let status = kiro().args(["--url", &url, "status"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("ready"),
        "nothing changed"
    );
    // Loopback by name and a loopback page are fine.
    let local = format!("localhost:{port}");
    let answer = post(
        &local,
        Some(&format!("http://localhost:{port}")),
        "application/json",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    bridge.stop();

    let (mut keyed, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "sekrit-key-123")]);
    let port = url.rsplit(':').next().unwrap();
    let out = kiro()
        .env_remove("KIRO_API_KEY")
        .args(["mock-bridge", "ctl", "available", "--port", port])
        .output()
        .unwrap();
    let err = common::ended_saying(&out, 4, &["pass its key (KIRO_API_KEY or --api-key-file)"]);
    assert!(!err.contains("sekrit"), "{err}");
    let out = kiro()
        .env("KIRO_API_KEY", "sekrit-key-123")
        .args(["mock-bridge", "ctl", "available", "--port", port])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    keyed.stop();
}

/// `demo --port P` serves its simulated bridge on 127.0.0.1:P, where another command reaches
/// it while the demo runs.
#[test]
fn demo_listens_on_the_port_given() {
    let port = common::free_port();
    let mut demo = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["demo", "--port", &port.to_string(), "--timeout", "20s"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let mut status = None;
    common::eventually(Duration::from_secs(10), "the demo's bridge answers", || {
        let out = common::run(&format!("--url {url} --json status"));
        let ok = out.status.success();
        status = Some(out);
        ok
    });
    demo.stop();
    let out = demo.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("127.0.0.1:{port}")),
        "{out:?}"
    );
    let v: Value = serde_json::from_slice(&status.unwrap().stdout).unwrap();
    assert!(v["status"].is_string(), "{v}");
}
