//! Hostile bridges: nonsense, wrong types, HTML, huge bodies, resets, silence, 5xx storms,
//! restarts, the keep-alive race, redirects, and escape sequences in every printed field.
//! The program must not panic, must report the right event or exit code, must recover when the
//! server behaves again, must keep memory bounded, and must never pass raw control characters
//! to the terminal.

mod common;
use common::Start as _;

#[cfg(unix)] // the restart test, ended by SIGINT
use std::io::{BufRead, BufReader};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use common::{
    fixture, json_fixture, kiro, scripted, status_response, watch_json, write_json, RawServer, Sequence, FAST,
};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn events(out: &std::process::Output) -> Vec<Value> {
    common::events(&out.stdout)
}

fn types(ev: &[Value]) -> Vec<&str> {
    ev.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

fn no_panic(out: &std::process::Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

/// Watch a bad answer, then a good one: a protocol `unreachable` event, then the first answer
/// is the snapshot (there was nothing to recover to).
async fn bad_then_good(bad: ResponseTemplate, kind: &str, needle: &str) {
    let server = scripted(vec![bad, status_response("ready", None)]).await;
    let out = watch_json(&server.uri(), &["--count", "2"]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    let ev = events(&out);
    assert_eq!(types(&ev), ["unreachable", "snapshot", "summary"], "{needle}");
    assert_eq!(ev[0]["kind"], kind);
    assert!(
        ev[0]["message"].as_str().unwrap().contains(needle),
        "{}",
        ev[0]["message"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nonsense_bodies_are_protocol_events_and_recover() {
    for (bad, needle) in [
        (
            ResponseTemplate::new(200).set_body_raw("{\"status\":\"ready\",", "application/json"),
            "not JSON",
        ),
        (json_fixture(200, "status_wrong_type.json"), "invalid type"),
        (
            json_fixture(200, "status_bad_state.json"),
            "unknown variant `sleeping`",
        ),
        (
            ResponseTemplate::new(200).set_body_raw("<html><h1>It works</h1></html>", "text/html"),
            "text/html",
        ),
        (
            ResponseTemplate::new(200).set_body_raw("[1,2,3]", "application/json"),
            "unexpected JSON",
        ),
    ] {
        bad_then_good(bad, "protocol", needle).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nonsense_is_exit_3_for_one_shot_commands() {
    for bad in [
        ResponseTemplate::new(200).set_body_raw("{\"status\":", "application/json"),
        json_fixture(200, "status_wrong_type.json"),
        json_fixture(200, "status_bad_state.json"),
        ResponseTemplate::new(200).set_body_raw("<html></html>", "text/html"),
    ] {
        let server = scripted(vec![bad]).await;
        let out = kiro().args(["--url", &server.uri(), "status"]).output().unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}

#[cfg(target_os = "linux")] // peak memory read by wait4
#[test]
fn a_body_announced_at_hundreds_of_mb_is_refused_with_bounded_memory() {
    let server = RawServer::start(|_, _, _, s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 800000000\r\n\r\n"
        );
        // Stream as much as the client will take.
        let chunk = vec![b' '; 256 * 1024];
        for _ in 0..40 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
        false
    });
    let url = server.url();
    let mut args = vec!["--url", url.as_str(), "--json", "watch", "--count", "3"];
    args.extend(common::FAST);
    let (out, rss) = common::run_measured(&args);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(3), "no poll was answered");
    let ev = events(&out);
    assert!(
        ev[0]["message"]
            .as_str()
            .unwrap()
            .contains("over the 4 MiB limit"),
        "{}",
        ev[0]
    );
    assert!(ev.last().unwrap()["bytesReceived"].as_u64().unwrap() < 1024);
    assert!(rss < 64 * 1024, "max RSS of kiro-poll {rss} KiB");
}

#[test]
fn a_connection_reset_mid_response_is_an_event_then_recovery() {
    let good = fixture("status_ready.json");
    let server = RawServer::start(move |conn, _, _, s| {
        if conn == 0 {
            // Headers and half a body, then a reset.
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"status\":");
            let _ = s.flush();
            let _ = socket_reset(s);
            return false;
        }
        write_json(s, "200 OK", &good, "");
        true
    });
    let out = watch_json(&server.url(), &["--count", "2"]);
    no_panic(&out);
    let ev = events(&out);
    assert_eq!(types(&ev), ["unreachable", "snapshot", "summary"]);
    assert_eq!(ev[0]["kind"], "connection");
}

/// Close with SO_LINGER 0: the peer sees a reset, not an orderly close.
fn socket_reset(s: &mut TcpStream) -> std::io::Result<()> {
    socket2::SockRef::from(&*s).set_linger(Some(Duration::ZERO))?;
    s.shutdown(std::net::Shutdown::Both)
}

#[test]
fn a_server_that_never_answers_times_out_then_recovers() {
    let good = fixture("status_ready.json");
    let server = RawServer::start(move |conn, _, _, s| {
        if conn == 0 {
            common::hang(Duration::from_secs(3));
            return false;
        }
        write_json(s, "200 OK", &good, "");
        true
    });
    let out = kiro()
        .args(common::words(&format!(
            "--url {} --request-timeout 300ms --json watch --count 2",
            server.url()
        )))
        .args(FAST)
        .output()
        .unwrap();
    no_panic(&out);
    let ev = events(&out);
    assert_eq!(types(&ev), ["unreachable", "snapshot", "summary"]);
    assert_eq!(ev[0]["kind"], "timeout");
    assert_eq!(ev[0]["message"], "no answer within 300ms");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_storm_opens_the_breaker_which_probes_and_closes() {
    let mut responses = vec![status_response("ready", None)];
    responses.extend((0..6).map(|_| json_fixture(500, "error_500_spec.json")));
    responses.push(status_response("ready", None));
    let server = scripted(responses).await;
    let out = watch_json(&server.uri(), &["--count", "8"]);
    no_panic(&out);
    let ev = events(&out);
    assert_eq!(
        types(&ev),
        [
            "snapshot",
            "unreachable",
            "circuit",
            "circuit",
            "circuit",
            "circuit",
            "recovered",
            "circuit",
            "summary"
        ]
    );
    let states: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "circuit")
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["open", "half_open", "open", "half_open", "closed"]);
    assert_eq!(
        ev[1]["message"],
        "HTTP 500: INTERNAL_ERROR: An unexpected error occurred"
    );
    assert_eq!(ev[6]["afterFailures"], 6);
}

#[cfg(unix)]
#[test]
fn the_server_restarting_mid_watch_is_survived() {
    let start_mock = |port: u16| common::start_mock_bridge(&["--port", &port.to_string()]);
    let (mut first, url) = start_mock(0);
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let mut watch = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["--url", &url, "--json", "watch", "--timeout", "20s"])
        .args(FAST)
        .start(Stdio::piped());
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut next = |seen: &mut Vec<Value>| {
        let v: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        seen.push(v.clone());
        v
    };
    assert_eq!(next(&mut seen)["type"], "snapshot");
    first.stop();
    first.wait().unwrap();
    assert_eq!(next(&mut seen)["type"], "unreachable");
    let (mut second, _) = start_mock(port);
    assert_eq!(next(&mut seen)["type"], "recovered");
    unsafe { libc::kill(watch.id() as i32, libc::SIGINT) };
    let status = watch.wait().unwrap();
    second.stop();
    second.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        types(&seen)
            .iter()
            .all(|t| ["snapshot", "unreachable", "recovered"].contains(t)),
        "{seen:?}"
    );
}

#[test]
fn the_keep_alive_race_causes_no_errors() {
    // The server closes each idle connection after exactly the poll interval, like the real
    // bridge's keep-alive timeout landing on a poll. Every poll races the close.
    let body = fixture("status_ready.json");
    let server = RawServer::start(move |_, _, _, s| {
        write_json(s, "200 OK", &body, "Keep-Alive: timeout=0\r\n");
        let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
        let mut probe = [0u8; 1];
        match s.peek(&mut probe) {
            Ok(n) if n > 0 => {
                let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
                true
            }
            _ => false,
        }
    });
    let out = common::run(&format!(
        "--url {} --json watch --count 30 --interval-ready 100ms",
        server.url()
    ));
    no_panic(&out);
    let ev = events(&out);
    assert_eq!(types(&ev), ["snapshot", "summary"], "no spurious errors");
    assert_eq!(ev[1]["errors"], 0);
    assert_eq!(ev[1]["polls"], 30);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed_and_the_key_is_not_sent() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(status_response("ready", None))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/api/kiro/status", elsewhere.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    let out = kiro()
        .env("KIRO_API_KEY", "k-secret")
        .args(["--url", &server.uri(), "status"])
        .output()
        .unwrap();
    common::ended_saying(&out, 3, &["redirects are not followed"]);
    let out = kiro()
        .env("KIRO_API_KEY", "k-secret")
        .args(["--url", &server.uri(), "--json", "watch", "--count", "2"])
        .args(FAST)
        .output()
        .unwrap();
    assert_eq!(events(&out)[0]["kind"], "redirect");
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "nothing reached the other host"
    );
}

/// Every kind of terminal trickery the issue names.
const EVIL: &str = "x\u{1b}[2J\u{1b}]0;title\u{7}\u{1b}]52;c;aGVsbG8=\u{1b}\\\u{7}\r\u{8}\u{9b}31m\u{85}y";

/// Not a TTY: no control character at all. On a (pretend) TTY kiro-poll draws its own status
/// line with its own escapes, so there none of the sequences the server sent may appear raw.
fn assert_clean_for(bytes: &[u8], what: &str, tty: bool) {
    if !tty {
        return assert_clean(bytes, what);
    }
    let text = String::from_utf8_lossy(bytes);
    for raw in [
        "\u{1b}[2J",
        "\u{1b}]",
        "\u{7}",
        "\u{8}",
        "\u{9b}",
        "\u{85}",
        "\u{1b}\\",
    ] {
        assert!(!text.contains(raw), "{what}: raw {raw:?} in {text:?}");
    }
}

fn assert_clean(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        let bad = matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}');
        assert!(!bad, "{what}: raw {:?} in {text:?}", c);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_never_reach_the_terminal() {
    let status = serde_json::json!({
        "status": "busy",
        "currentCommand": EVIL,
        "version": EVIL,
        "availableCommands": [EVIL, "ok"],
        "timestamp": EVIL,
    })
    .to_string();
    let changed = serde_json::json!({
        "status": "ready",
        "version": format!("{EVIL}2"),
        "availableCommands": [format!("{EVIL}new")],
        "timestamp": EVIL,
    })
    .to_string();
    let error = serde_json::json!({"error": EVIL, "message": EVIL}).to_string();
    let server = common::serving(
        "/api/kiro/status",
        Sequence::new(vec![
            ResponseTemplate::new(200).set_body_raw(status.clone(), "application/json"),
            ResponseTemplate::new(500).set_body_raw(error.clone(), "application/json"),
            ResponseTemplate::new(200).set_body_raw(changed, "application/json"),
            ResponseTemplate::new(401).set_body_raw(error.clone(), "application/json"),
        ]),
    )
    .await;
    let exec_body =
        serde_json::json!({"success": false, "output": EVIL, "error": EVIL, "executionTimeMs": 1})
            .to_string();
    Mock::given(path("/api/kiro/execute"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(exec_body, "application/json"))
        .mount(&server)
        .await;
    let health = serde_json::json!({"status": "unhealthy", "timestamp": EVIL, "server": {"running": true, "host": EVIL, "port": 1}, "error": EVIL}).to_string();
    Mock::given(path("/health"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(health, "application/json"))
        .mount(&server)
        .await;
    let input = serde_json::json!({"success": false, "error": EVIL, "executionId": EVIL}).to_string();
    Mock::given(path("/api/kiro/input"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(input, "application/json"))
        .mount(&server)
        .await;

    let url = server.uri();
    for tty in ["0", "1"] {
        for json in [false, true] {
            let mut runs: Vec<Vec<String>> = vec![
                vec!["watch".into(), "--count".into(), "4".into()],
                vec!["exec".into(), EVIL.into(), EVIL.into()],
                vec!["health".into()],
                vec!["input".into(), "e".into(), "v".into()],
            ];
            for r in &mut runs {
                if r[0] == "watch" {
                    r.extend(FAST.iter().map(|s| s.to_string()));
                }
            }
            for args in runs {
                server.reset().await;
                Mock::given(path("/api/kiro/status"))
                    .respond_with(ResponseTemplate::new(200).set_body_raw(status.clone(), "application/json"))
                    .mount(&server)
                    .await;
                let mut cmd = kiro();
                cmd.env("KIRO_POLL_ASSUME_TTY", tty)
                    .args(["--url", &url, "--color", "never"]);
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.args(&args).output().unwrap();
                no_panic(&out);
                let what = format!("{args:?} json={json} tty={tty}");
                assert_clean_for(&out.stdout, &what, tty == "1");
                assert_clean_for(&out.stderr, &what, tty == "1");
            }
        }
    }
    // The sequence with changes and errors, in JSON and plain.
    for json in [false, true] {
        server.reset().await;
        Mock::given(path("/api/kiro/status"))
            .respond_with(Sequence::new(vec![
                ResponseTemplate::new(200).set_body_raw(status.clone(), "application/json"),
                ResponseTemplate::new(500).set_body_raw(error.clone(), "application/json"),
                ResponseTemplate::new(200).set_body_raw(
                    serde_json::json!({"status":"ready","version":format!("{EVIL}2"),"availableCommands":[format!("{EVIL}new")]}).to_string(),
                    "application/json",
                ),
                ResponseTemplate::new(401).set_body_raw(error.clone(), "application/json"),
            ]))
            .mount(&server)
            .await;
        let mut cmd = kiro();
        cmd.args(["--url", &url]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(["watch"]).args(FAST).output().unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(4));
        assert_clean(&out.stdout, "sequence");
        assert_clean(&out.stderr, "sequence");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("status_changed")
                && text.contains("commands_changed")
                && text.contains("version_changed"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_into_head_ends_quietly() {
    let server = scripted(vec![
        status_response("ready", None),
        status_response("busy", Some("x")),
        status_response("ready", None),
    ])
    .await;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["--url", &server.uri(), "--json", "watch"])
        .args(FAST)
        .start(Stdio::piped());
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[cfg(unix)] // sh closes the descriptors
#[test]
fn closed_stdout_or_stderr_never_panics() {
    let bin = assert_cmd::cargo::cargo_bin("kiro-poll");
    for redirect in ["2>&-", ">&-", ">&- 2>&-"] {
        let script = format!(
            "'{}' --url http://127.0.0.1:9 status {redirect}; echo $?",
            bin.display()
        );
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert_eq!(
            code, "3",
            "{redirect}: the bridge is unreachable whatever happened to the output"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{redirect}: {err}");
    }
}
