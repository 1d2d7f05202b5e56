//! `exec` and `input` through the real binary: every answer the bridge can give, the 408 and
//! dropped-connection paths followed through /status, and exactly one POST in every case.

mod common;

use std::time::Duration;

use common::{fixture, json_fixture, kiro, report, status_response, stderr, write_json, RawServer, Sequence};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn bridge(execute: ResponseTemplate, status: Vec<ResponseTemplate>) -> MockServer {
    let server = common::serving("/api/kiro/execute", execute).await;
    if !status.is_empty() {
        Mock::given(method("GET"))
            .and(path("/api/kiro/status"))
            .respond_with(Sequence::new(status))
            .mount(&server)
            .await;
    }
    server
}

async fn posts(server: &MockServer) -> Vec<wiremock::Request> {
    common::received(server, |r| r.method.as_str() == "POST").await
}

/// `kiro-poll [GLOBAL] --url URL exec kiro.generateCode [ARGS] --wait`, following the status
/// every 100ms after a lost answer.
fn exec_wait(url: &str, global: &[&str], args: &[&str]) -> std::process::Output {
    kiro()
        .args(global)
        .args(["--url", url, "exec", "kiro.generateCode"])
        .args(args)
        .args(["--wait", "--follow-interval", "100ms"])
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn success_prints_the_output_and_sends_one_post_of_its_own() {
    let server = bridge(json_fixture(200, "execute_success.json"), vec![]).await;
    let out = common::run(&format!(
        "--url {} exec vscode.open file:///tmp/a.txt --workspace /w",
        server.uri()
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "File opened successfully\n");
    let p = posts(&server).await;
    assert_eq!(p.len(), 1);
    let body: Value = serde_json::from_slice(&p[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"command": "vscode.open", "args": ["file:///tmp/a.txt"], "workspacePath": "/w"})
    );
    // Its own connection, kept alive (not `Connection: close`): after a 408 it is held to
    // see the command's end.
    assert_eq!(p[0].headers.get("connection"), None);
    assert!(p[0].headers.get("host").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn json_success_is_one_object() {
    let server = bridge(json_fixture(200, "execute_success.json"), vec![]).await;
    let out = common::run(&format!("--url {} --json exec vscode.open", server.uri()));
    assert_eq!(out.status.code(), Some(0));
    let r = report(&out);
    assert_eq!(r["command"], "vscode.open");
    assert_eq!(r["args"], serde_json::json!([]));
    assert_eq!(r["success"], true);
    assert_eq!(r["output"], "File opened successfully");
    assert_eq!(r["error"], Value::Null);
    assert_eq!(r["executionTimeMs"], 1250.0);
    assert!(r["waitedMs"].is_u64());
    assert_eq!(r["observedBy"], "response");
    assert_eq!(r["outcome"], "succeeded");
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_with_http_200_and_422_exit_1() {
    for (resp, needle) in [
        (
            json_fixture(200, "execute_real_failure.json"),
            "command 'x' not found",
        ),
        (
            json_fixture(200, "execute_failure.json"),
            "Command 'invalid.command' not found",
        ),
        (
            json_fixture(422, "execute_422_real.json"),
            "Maximum concurrent commands limit reached (3)",
        ),
        (
            json_fixture(422, "execute_422_spec.json"),
            "Maximum concurrent commands limit reached (3)",
        ),
    ] {
        let server = bridge(resp, vec![]).await;
        let out = common::run(&format!("--url {} exec x", server.uri()));
        assert_eq!(out.status.code(), Some(1), "{needle}");
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
        // A 422 never started: the bridge turned it away.
        let said = if needle.contains("limit reached") {
            "x did not start"
        } else {
            "x failed"
        };
        assert!(stderr(&out).contains(said), "{}", stderr(&out));
        let out = common::run(&format!("--url {} --json exec x", server.uri()));
        let r = report(&out);
        // Named apart: turned away before it started, or ran and failed.
        let outcome = if needle.contains("limit reached") {
            "not_started"
        } else {
            "failed"
        };
        assert_eq!(
            (r["success"].clone(), r["outcome"].clone()),
            (Value::Bool(false), Value::from(outcome))
        );
        assert_eq!(posts(&server).await.len(), 2, "one POST per run");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unavailable_validation_and_auth_have_their_codes() {
    for (resp, code, needle) in [
        (
            json_fixture(503, "execute_503.json"),
            5,
            "KIRO_UNAVAILABLE: Kiro IDE is not responding to commands",
        ),
        (
            json_fixture(400, "execute_400_validation.json"),
            2,
            "Command is required and must be a string",
        ),
        (
            json_fixture(400, "execute_400_bad_json.json"),
            2,
            "Invalid JSON in request body",
        ),
        (json_fixture(401, "error_401.json"), 4, "Valid API key required"),
    ] {
        let server = bridge(resp, vec![]).await;
        let out = common::run(&format!("--url {} exec x --wait", server.uri()));
        assert_eq!(out.status.code(), Some(code), "{needle}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
        assert_eq!(posts(&server).await.len(), 1);
    }
}

/// A bridge that answers the execute 408 and then shows the command running, then not.
async fn lost_then_seen_ending() -> MockServer {
    let statuses = vec![
        status_response("busy", Some("kiro.generateCode")),
        status_response("ready", None),
    ];
    bridge(json_fixture(408, "execute_408_real.json"), statuses).await
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_408_the_status_is_followed_to_completion() {
    let server = bridge(
        json_fixture(408, "execute_408_real.json"),
        vec![
            status_response("busy", Some("kiro.generateCode")),
            status_response("busy", Some("kiro.generateCode")),
            status_response("ready", None),
        ],
    )
    .await;
    let out = exec_wait(&server.uri(), &["--json"], &["Create a login form"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["observedBy"], "status");
    assert_eq!(r["outcome"], "completed");
    assert_eq!(r["success"], Value::Null, "the result itself was not seen");
    assert_eq!(posts(&server).await.len(), 1);
    // Three status polls, and the bridge's uptime asked beside the POST.
    let requests = server.received_requests().await.unwrap();
    let path = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
    assert_eq!((path("/api/kiro/status"), path("/health")), (3, 1));

    // Human mode says that the result was not seen.
    let server = lost_then_seen_ending().await;
    let out = exec_wait(&server.uri(), &[], &[]);
    common::ended_saying(&out, 0, &["its result was not returned"]);

    // --exit-status: an end seen through the status without its result is exit 7.
    let server = lost_then_seen_ending().await;
    let out = exec_wait(&server.uri(), &[], &["--exit-status"]);
    common::ended_saying(
        &out,
        7,
        &["(seen through the bridge's status); its result was not returned"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_408_a_status_that_never_shows_it_is_outcome_unknown() {
    // The connection closed with the 408: nothing but the status can tell.
    let server = bridge(
        json_fixture(408, "execute_408_real.json").insert_header("connection", "close"),
        vec![status_response("ready", None)],
    )
    .await;
    let out = exec_wait(&server.uri(), &[], &[]);
    assert_eq!(out.status.code(), Some(6));
    let err = stderr(&out);
    assert!(err.contains("HTTP 408"), "{err}");
    assert!(
        err.contains("the outcome is unknown and kiro.generateCode may still be running in Kiro"),
        "{err}"
    );
    assert!(
        err.contains("the bridge closed the connection with its answer"),
        "{err}"
    );
    assert_eq!(posts(&server).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_408_an_unavailable_status_is_named_in_the_message() {
    let server = bridge(
        json_fixture(408, "execute_408_real.json").insert_header("connection", "close"),
        vec![json_fixture(200, "status_real_unavailable.json")],
    )
    .await;
    let out = exec_wait(&server.uri(), &[], &[]);
    assert_eq!(out.status.code(), Some(6));
    let err = stderr(&out);
    assert!(err.contains("the status says Kiro is unavailable"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_says_null_for_what_the_bridge_did_not_send() {
    let server = bridge(
        ResponseTemplate::new(422).set_body_raw(
            r#"{"code":"COMMAND_EXECUTION_FAILED","message":"Command 'k' failed: Maximum concurrent commands limit reached (3)","recoverable":true,"timestamp":"2026-11-01T09:12:44.518Z"}"#,
            "application/json",
        ),
        vec![],
    )
    .await;
    let out = common::run(&format!("--url {} --json exec k", server.uri()));
    assert_eq!(out.status.code(), Some(1));
    let r = report(&out);
    assert_eq!(r["output"], Value::Null, "{r}");
    assert_eq!(r["executionTimeMs"], Value::Null, "{r}");
    assert_eq!(r["success"], false);
    assert!(r["error"].as_str().unwrap().contains("limit reached (3)"), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_408_without_wait_is_outcome_unknown() {
    let server = bridge(json_fixture(408, "execute_408_real.json"), vec![]).await;
    common::ended_saying(
        &common::run(&format!("--url {} exec kiro.generateCode", server.uri())),
        6,
        &["use --wait"],
    );
}

#[test]
fn a_connection_dropped_after_send_is_followed_and_never_resent() {
    let status = fixture("status_ready.json");
    let server = RawServer::start(move |_, _, req, s| {
        if req.starts_with("POST") {
            return false; // read the request, then drop the connection
        }
        write_json(s, "200 OK", &status, "");
        true
    });
    let out = exec_wait(&server.url(), &[], &[]);
    common::ended_saying(&out, 6, &["the connection was lost after the command was sent"]);
    let reqs = server.requests.lock().unwrap();
    assert_eq!(reqs.iter().filter(|r| r.starts_with("POST")).count(), 1);
    assert!(reqs.iter().any(|r| r.starts_with("GET /api/kiro/status")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wait_is_bounded_by_timeout() {
    let server = bridge(
        json_fixture(408, "execute_408_real.json"),
        vec![status_response("busy", Some("kiro.generateCode"))],
    )
    .await;
    let out = common::run(&format!(
        "--url {} exec kiro.generateCode --wait --timeout 1s",
        server.uri()
    ));
    common::ended_saying(
        &out,
        124,
        &["timed out after 1s: still busy running kiro.generateCode for"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_answer_without_wait_is_unknown_and_not_resent() {
    let server = bridge(
        json_fixture(200, "execute_success.json").set_delay(Duration::from_secs(3)),
        vec![],
    )
    .await;
    let out = common::run(&format!(
        "--url {} --request-timeout 300ms exec kiro.generateCode",
        server.uri()
    ));
    common::ended_saying(&out, 6, &["no answer within 300ms"]);
    assert_eq!(posts(&server).await.len(), 1);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_waiting_exits_130() {
    signal_while_waiting(libc::SIGINT, 130).await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_terminal_while_waiting_exits_129_and_says_the_command_may_run_on() {
    signal_while_waiting(libc::SIGHUP, 129).await;
}

#[cfg(unix)]
async fn signal_while_waiting(sig: i32, code: i32) {
    let server = bridge(
        json_fixture(200, "execute_success.json").set_delay(Duration::from_secs(10)),
        vec![],
    )
    .await;
    let mut child = common::spawn_kiro(&["--url", &server.uri(), "exec", "kiro.generateCode", "--wait"]);
    // Wait until the request has reached the server, then interrupt.
    common::eventually_async(Duration::from_secs(5), "the POST received", || async {
        !posts(&server).await.is_empty()
    })
    .await;
    unsafe { libc::kill(child.id() as i32, sig) };
    let out = tokio::task::spawn_blocking(move || {
        let _ = &mut child;
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(code));
    assert!(
        stderr(&out).contains("may still be running in Kiro"),
        "{}",
        stderr(&out)
    );
}

async fn input_bridge(resp: ResponseTemplate) -> MockServer {
    common::serving("/api/kiro/input", resp).await
}

#[tokio::test(flavor = "multi_thread")]
async fn input_checks_success_not_the_status_code() {
    let server = input_bridge(json_fixture(200, "input_real_no_pending.json")).await;
    let out = common::run(&format!("--url {} input exec-1 MyApp", server.uri()));
    common::ended_saying(&out, 1, &["No pending input request found with ID: exec-1"]);
    let sent: Value = serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"value": "MyApp", "type": "text", "executionId": "exec-1"})
    );

    let server = input_bridge(json_fixture(200, "input_success.json")).await;
    let out = common::run(&format!(
        "--url {} input exec-1642598400000-1 React --type choice",
        server.uri()
    ));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "input accepted for exec-1642598400000-1\n"
    );

    let server = input_bridge(json_fixture(404, "input_404.json")).await;
    let out = common::run(&format!("--url {} --json input exec-invalid-id x", server.uri()));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report(&out)["success"], false);

    let server = input_bridge(ResponseTemplate::new(400).set_body_raw(
        r#"{"code":"VALIDATION_FAILED","message":"Type must be one of: text, choice, file, confirmation","recoverable":false,"timestamp":"t"}"#,
        "application/json",
    ))
    .await;
    let out = common::run(&format!("--url {} input e x", server.uri()));
    assert_eq!(out.status.code(), Some(2));
}

/// The status request that follows a 408 hangs: `--timeout` is kept all the same, not
/// overshot by up to `--request-timeout`.
#[tokio::test(flavor = "multi_thread")]
async fn the_timeout_holds_while_a_follow_up_status_request_hangs() {
    let server = bridge(
        json_fixture(408, "execute_408_real.json"),
        vec![status_response("ready", None).set_delay(Duration::from_secs(20))],
    )
    .await;
    let started = std::time::Instant::now();
    let out = exec_wait(&server.uri(), &["--request-timeout", "15s"], &["--timeout", "2s"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(124), "{}", stderr(&out));
    assert!(
        took < Duration::from_secs(6),
        "ended at the 2 s timeout, took {took:?}"
    );
}

/// The spinner on a terminal: its first frame already shows the elapsed time in whole seconds
/// (`0s`, never `0ms`), its message is the wait's news, and it is cleared at the end, leaving
/// stderr's last line the command's own.
#[test]
fn the_spinner_starts_at_0s_and_is_cleared_at_the_end() {
    let (_dir, scenario) = common::in_temp_dir(
        "slow.json",
        r#"{"name":"slow","commands":["kiro.slow"],"durations":{"kiro.slow":"1500ms"},"steps":[]}"#,
    );
    let (mut bridge, url) =
        common::start_mock_bridge(&["--port", "0", "--scenario", scenario.to_str().unwrap()]);
    let out = kiro()
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .args(["--url", &url, "exec", "kiro.slow", "--wait"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    bridge.stop();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let frames: Vec<&str> = err
        .split("\r\x1b[2K")
        .filter(|f| f.contains("kiro.slow"))
        .collect();
    let first = frames.first().unwrap_or_else(|| panic!("no frame in {err:?}"));
    assert!(first.contains("kiro.slow   0s ·"), "{first:?}");
    assert!(!err.contains("0ms"), "{err:?}");
    assert!(
        frames
            .iter()
            .any(|f| f.contains("waiting for the bridge's answer")),
        "{err:?}"
    );
    assert!(
        frames.iter().any(|f| f.contains("kiro.slow   1s ·")),
        "a steady tick: {err:?}"
    );
    assert!(
        err.trim_end_matches("\x1b[?25h").ends_with("\r\x1b[2K"),
        "cleared at the end: {err:?}"
    );
}
