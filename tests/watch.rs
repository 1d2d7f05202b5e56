//! `watch` through the real binary against scripted servers: the events of a sequence, the 304
//! path, the real bridge's weak timestamped ETags, exit codes 0, 4, 124, 130 and 143.

mod common;
#[cfg(unix)]
use common::Start as _;

#[cfg(unix)] // the signal tests
use std::io::{BufRead, BufReader};
#[cfg(unix)]
use std::time::Duration;

use common::{events, json_fixture, kiro, scripted, status_body, status_response, watch_json, FAST};
use serde_json::Value;
use wiremock::ResponseTemplate;

fn types(ev: &[Value]) -> Vec<String> {
    ev.iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

fn ts(i: u32) -> String {
    format!("2026-11-01T09:12:{:02}.{:03}Z", i / 1000, i % 1000)
}

fn body(state: &str, cmd: Option<&str>, cmds: &[&str], i: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(status_body(state, cmd, cmds, &ts(i)), "application/json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scripted_sequence_gives_its_events() {
    let cmds = ["kiro.generateCode", "vscode.open"];
    let server = scripted(vec![
        body("ready", None, &cmds, 1),
        body("ready", None, &cmds, 2),
        body("busy", Some("kiro.generateCode"), &cmds, 3),
        body("busy", Some("kiro.generateCode"), &cmds, 4),
        body("ready", None, &["kiro.generateCode", "kiro.new"], 5),
        body("ready", None, &["kiro.generateCode", "kiro.new"], 6),
    ])
    .await;
    let out = watch_json(&server.uri(), &["--count", "6"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ev = events(&out.stdout);
    assert_eq!(
        types(&ev),
        [
            "snapshot",
            "status_changed",
            "command_started",
            "status_changed",
            "command_finished",
            "commands_changed",
            "summary"
        ]
    );
    for e in &ev {
        let at = e["at"].as_str().unwrap();
        assert!(at.ends_with('Z') && at.len() == 24, "RFC 3339 with ms: {at}");
    }
    assert_eq!(ev[0]["status"], "ready");
    assert_eq!(ev[1]["from"], "ready");
    assert_eq!(ev[1]["to"], "busy");
    assert_eq!(ev[2]["command"], "kiro.generateCode");
    assert!(ev[4]["durationMs"].as_u64().unwrap() >= 100);
    assert_eq!(ev[5]["added"], serde_json::json!(["kiro.new"]));
    assert_eq!(ev[5]["removed"], serde_json::json!(["vscode.open"]));
    assert_eq!(ev[6]["polls"], 6);
    assert_eq!(ev[6]["reason"], "count reached");
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_lines_when_not_a_terminal() {
    let server = scripted(vec![
        body("ready", None, &["a"], 1),
        body("busy", Some("kiro.x\u{1b}]0;pwned\u{7}"), &["a"], 2),
    ])
    .await;
    let out = kiro()
        .args(["--url", &server.uri(), "watch", "--count", "2"])
        .args(FAST)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].contains("  snapshot         ready · version 1.94.0 · 1 command"),
        "{text}"
    );
    assert!(lines[1].contains("  status_changed   ready → busy"), "{text}");
    assert!(
        lines[2].contains("command_started  kiro.x\\x1b]0;pwned\\x07"),
        "{text}"
    );
    assert!(lines[3].contains("summary"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
}

#[tokio::test(flavor = "multi_thread")]
async fn color_always_colours_plain_lines_too() {
    let server = scripted(vec![body("ready", None, &["a"], 1)]).await;
    let out = common::run(&format!("--url {} --color always watch --count 1", server.uri()));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "--color always, as for status"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn etags_make_unchanged_polls_cost_no_body() {
    let server = common::etag_bridge("\"stable\"", "status_ready.json").await;
    let out = watch_json(&server.uri(), &["--count", "5"]);
    assert!(out.status.success());
    let ev = events(&out.stdout);
    assert_eq!(types(&ev), ["snapshot", "summary"]);
    assert_eq!(ev[1]["notModified"], 4);
    let full = common::fixture("status_ready.json").len() as u64;
    assert_eq!(
        ev[1]["bytesReceived"].as_u64().unwrap(),
        full,
        "only the first poll carried a body"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn weak_timestamped_etags_give_no_spurious_events() {
    // The real bridge: a new weak ETag and timestamp on every answer, never busy.
    let responses = (0..8)
        .map(|i| {
            let mut r = body("ready", None, &["kiro.generateCode", "vscode.open"], 100 + i);
            r = r.insert_header("etag", format!("W/\"89-dd0pZKGaptfVyrdA3f0yu8y{i:03}\"").as_str());
            r
        })
        .collect();
    let server = scripted(responses).await;
    let out = watch_json(&server.uri(), &["--count", "8"]);
    assert!(out.status.success());
    let ev = events(&out.stdout);
    assert_eq!(types(&ev), ["snapshot", "summary"]);
    assert_eq!(ev[1]["notModified"], 0);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 8);
    assert_eq!(
        reqs[3].headers.get("if-none-match").unwrap(),
        "W/\"89-dd0pZKGaptfVyrdA3f0yu8y002\""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_rejected_mid_watch_is_exit_4() {
    let server = scripted(vec![
        status_response("ready", None),
        json_fixture(401, "error_401.json"),
    ])
    .await;
    let out = kiro()
        .args(["--url", &server.uri(), "--json", "watch"])
        .args(FAST)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let ev = events(&out.stdout);
    assert_eq!(types(&ev), ["snapshot", "rejected", "summary"]);
    assert!(
        ev[1]["message"]
            .as_str()
            .unwrap()
            .contains("Valid API key required"),
        "{}",
        ev[1]
    );
    assert_eq!(ev[2]["reason"], "authentication rejected");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Valid API key required"));
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_is_124_and_says_what_was_last_seen() {
    let server = scripted(vec![status_response("busy", Some("kiro.generateCode"))]).await;
    let out = kiro()
        .args(["--url", &server.uri(), "watch", "--timeout", "600ms"])
        .args(FAST)
        .output()
        .unwrap();
    common::ended_saying(
        &out,
        124,
        &["timed out after 600ms: still busy running kiro.generateCode for"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn until_ready_waits_through_unavailability() {
    let server = scripted(vec![
        json_fixture(503, "execute_503.json"),
        status_response("unavailable", None),
        status_response("ready", None),
    ])
    .await;
    let out = watch_json(
        &server.uri(),
        &["--until", "ready", "--interval-unavailable", "100ms"],
    );
    common::assert_exit(&out, 0);
    let ev = events(&out.stdout);
    assert_eq!(
        types(&ev),
        ["unreachable", "snapshot", "status_changed", "summary"]
    );
    assert_eq!(ev[0]["kind"], "http");
    assert_eq!(ev[3]["reason"], "until ready");
}

/// `--until A,B`: the summary names the goal that was reached, not the first one given.
#[tokio::test(flavor = "multi_thread")]
async fn until_several_goals_names_the_one_reached() {
    let server = scripted(vec![status_response("ready", None)]).await;
    let out = watch_json(&server.uri(), &["--until", "unavailable,ready"]);
    common::assert_exit(&out, 0);
    let ev = events(&out.stdout);
    assert_eq!(ev.last().unwrap()["reason"], "until ready", "{ev:?}");
}

#[test]
fn until_ready_against_nothing_times_out_saying_so() {
    let port = common::free_port();
    let out = common::run(&format!(
        "--url http://127.0.0.1:{port} watch --until ready --timeout 500ms"
    ));
    common::ended_saying(&out, 124, &["the bridge has been unreachable for"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "unreachable      http://127.0.0.1:{port}/: connect: Connection refused"
        )) && text.contains("(failure 1, retry in "),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured() {
    let server = scripted(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        status_response("ready", None),
    ])
    .await;
    // Within --max-backoff (60s by default): as asked, and nothing said of a cap.
    let out = common::run(&format!("--url {} --json watch --count 2", server.uri()));
    let ev = events(&out.stdout);
    assert_eq!(ev[0]["type"], "unreachable");
    assert_eq!(ev[0]["retryInMs"], 1000);
    assert_eq!(ev[0].get("retryAfterMs"), None);
    assert_eq!(ev[0]["message"], "HTTP 429: Too Many Requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn heartbeats_when_stdout_is_not_a_terminal() {
    let server = scripted(vec![status_response("ready", None)]).await;
    let out = common::run(&format!(
        "--url {} --json watch --heartbeat 200ms --timeout 3s",
        server.uri()
    ));
    assert_eq!(out.status.code(), Some(124));
    let ev = events(&out.stdout);
    // About 14; two is the rule, with room for a loaded machine.
    let beats = ev.iter().filter(|e| e["type"] == "heartbeat").count();
    assert!((2..=16).contains(&beats), "{:?}", types(&ev));
    assert_eq!(
        ev.iter().find(|e| e["type"] == "heartbeat").unwrap()["status"],
        "ready"
    );
}

#[cfg(unix)]
fn signal_test(sig: i32, code: i32) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(scripted(vec![status_response("ready", None)]));
    let mut child = common::spawn_kiro(&["--url", &server.uri(), "--json", "watch"]);
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("snapshot"));
    unsafe { libc::kill(child.id() as i32, sig) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code));
    let last: Value = serde_json::from_str(rest.trim_end().lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert!(rest.ends_with('\n'), "whole lines only");
    drop(rt);
}

#[cfg(unix)]
#[test]
fn sighup_ends_like_sigterm_with_a_summary_and_129() {
    signal_test(libc::SIGHUP, 129);
}

#[cfg(unix)]
#[test]
fn ctrl_c_prints_a_summary_and_exits_130() {
    signal_test(libc::SIGINT, 130);
}

#[cfg(unix)]
#[test]
fn sigterm_exits_143() {
    signal_test(libc::SIGTERM, 143);
}

#[cfg(unix)]
#[test]
fn sigcont_polls_at_once_instead_of_waiting_out_the_timer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(scripted(vec![status_response("ready", None)]));
    let mut child = common::spawn_kiro(&common::words(&format!(
        "--url {} --json watch --count 2 --interval-ready 10m",
        server.uri()
    )));
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("snapshot"));
    unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
    let what = "still waiting for a 10m timer after SIGCONT";
    let status = common::wait_at_most(&mut child, Duration::from_secs(10), what);
    assert_eq!(status.code(), Some(0));
    assert_eq!(rt.block_on(server.received_requests()).unwrap().len(), 2);
}

#[test]
fn count_against_a_dead_bridge_is_exit_3() {
    let out = watch_json(
        &format!("http://127.0.0.1:{}", common::free_port()),
        &["--count", "2"],
    );
    common::ended_saying(&out, 3, &["no poll was answered", "Connection refused"]);
    let ev = events(&out.stdout);
    assert_eq!(
        ev.last().unwrap()["type"],
        "summary",
        "the summary is still printed"
    );
}

#[test]
fn durations_too_long_for_the_clock_are_usage_errors_not_panics() {
    for args in [
        &["watch", "--timeout", "500000000000y"][..],
        &["exec", "x", "--wait", "--timeout", "500000000000y"],
        &["watch", "--interval-unavailable", "500000000000y"],
    ] {
        let out = kiro().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains("too long") && first.contains("500000000000y"),
            "{err}"
        );
        assert_eq!(
            err.lines().nth(1),
            Some(format!("  see 'kiro-poll {} --help'", args[0]).as_str()),
            "{err}"
        );
        assert_eq!(err.lines().count(), 2, "{err}");
    }
    // The longest allowed timeout is fine: no overflow anywhere.
    let out = watch_json(
        &format!("http://127.0.0.1:{}", common::free_port()),
        &["--count", "1", "--timeout", "100y", "--stall-after", "100y"],
    );
    assert_eq!(out.status.code(), Some(3));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_an_idle_watch_within_a_second() {
    // Idle: ready, and the next poll 10 minutes away. Nothing is written after the snapshot,
    // yet the closed pipe is noticed.
    let server = scripted(vec![status_response("ready", None)]).await;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(common::words(&format!(
            "--url {} --json watch --interval-ready 10m",
            server.uri()
        )))
        .start(std::process::Stdio::piped());
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    let closed_at = std::time::Instant::now();
    drop(stdout);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let took = closed_at.elapsed();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(
        took < std::time::Duration::from_secs(2),
        "ended {took:?} after the pipe closed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_stops_reading_does_not_stall_the_timeout() {
    // Every answer is a change carrying a large command list: stdout fills its pipe at once.
    let big: Vec<String> = (0..20_000).map(|i| format!("kiro.command.number.{i}")).collect();
    let refs: Vec<&str> = big.iter().map(String::as_str).collect();
    let a = ResponseTemplate::new(200)
        .set_body_raw(common::status_body("ready", None, &refs, "t"), "application/json");
    let b = ResponseTemplate::new(200).set_body_raw(
        common::status_body("ready", None, &refs[1..], "t"),
        "application/json",
    );
    let server = scripted(vec![a.clone(), b, a]).await;
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["--url", &server.uri(), "--json", "watch", "--timeout", "1500ms"])
        .args(FAST)
        .stdout(std::process::Stdio::piped()) // never read until the end
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    let status = tokio::task::spawn_blocking(move || {
        let s = child.wait().unwrap();
        drop(child.stdout.take());
        s
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(124));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[cfg(target_os = "linux")] // reads /proc/PID/stat
#[test]
fn ctrl_z_clears_the_live_line_and_shows_the_cursor_before_stopping() {
    let port = common::free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["--url", &format!("http://127.0.0.1:{port}"), "watch"])
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    // Everything the program draws, as it draws it: the test waits for what it expects to
    // see instead of sleeping.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = std::io::Read::read(&mut pipe, &mut buf) {
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wait_for = |what: &str, ok: &dyn Fn(&str) -> bool| {
        common::eventually(Duration::from_secs(10), what, || ok(&seen.lock().unwrap()));
    };
    let show = "\u{1b}[?25h";
    let hide = "\u{1b}[?25l";
    let pid = child.id() as i32;
    wait_for("the live line", &|e| e.contains('│'));
    unsafe { libc::kill(pid, libc::SIGTSTP) };
    let stat = format!("/proc/{pid}/stat");
    let state = || std::fs::read_to_string(&stat).unwrap_or_default();
    wait_for("the process stopped on Ctrl-Z", &|_| {
        state().split(") ").nth(1).is_some_and(|r| r.starts_with('T'))
    });
    unsafe { libc::kill(pid, libc::SIGCONT) };
    wait_for("the cursor hidden again after SIGCONT", &|e| {
        e.find(show).is_some_and(|i| e[i..].contains(hide))
    });
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert_eq!(status.code(), Some(130));
    let err = seen.lock().unwrap().clone();
    // Before the stop: the line cleared and the cursor shown; after SIGCONT hidden again.
    let first_show = err.find(show).expect("cursor shown before the stop");
    assert!(
        err[first_show..].contains(hide),
        "cursor hidden again after SIGCONT: {err:?}"
    );
    assert!(err.trim_end().ends_with(show), "restored at exit: {err:?}");
}

/// Narrowing the terminal under a live status line leaves no half of the old one: the line
/// drawn wider than the terminal is now wrapped, and every row of it is erased. In a real
/// terminal (tmux); CI installs it and sets KIRO_POLL_REQUIRE_TMUX.
#[test]
fn a_narrowed_terminal_keeps_one_clean_status_line() {
    let tmux = |args: &[&str]| std::process::Command::new("tmux").args(args).output();
    if !tmux(&["-V"]).is_ok_and(|o| o.status.success()) {
        common::skip_or_require(
            "KIRO_POLL_REQUIRE_TMUX",
            "the resize test",
            "tmux is not installed",
        );
        return;
    }
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let session = format!("kp-resize-{}", std::process::id());
    let bin = assert_cmd::cargo::cargo_bin("kiro-poll");
    let cmd = format!("{} --url {url} watch --interval-ready 1s", bin.display());
    let started = tmux(&["new-session", "-d", "-s", &session, "-x", "120", "-y", "12", &cmd]).unwrap();
    assert!(started.status.success(), "{started:?}");
    let pane = || {
        let out = tmux(&["capture-pane", "-p", "-t", &session]).unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let until = |what: &dyn Fn(&str) -> bool| {
        common::settle(std::time::Duration::from_secs(10), pane, |p: &String| what(p))
    };
    // Drawn wide once the bridge answered (before it, the line reads "connecting").
    let wide = until(&|p| {
        p.lines()
            .any(|l| l.starts_with("● ready") && l.contains("0 errors"))
    });
    assert!(wide.lines().any(|l| l.starts_with("● ready")), "{wide}");
    tmux(&["resize-window", "-t", &session, "-x", "50"]).unwrap();
    // The next redraws (4 a second) fit the new width.
    let narrow = until(&|p| p.lines().any(|l| l.starts_with("● ready") && l.ends_with('…')));
    let _ = tmux(&["kill-session", "-t", &session]);
    bridge.stop();
    let live: Vec<&str> = narrow
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(
        live.len(),
        1,
        "one status line, no half of the old one:\n{narrow}"
    );
    assert!(live[0].starts_with("● ready"), "{narrow}");
}

/// A 429 asking to wait u64::MAX seconds: the wait is capped by `--max-backoff`, and the event
/// says what the bridge asked; the bridge ready two polls later is seen long before --timeout.
#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_capped_by_max_backoff() {
    let busy = ResponseTemplate::new(429).insert_header("Retry-After", "18446744073709551615");
    let server = scripted(vec![busy.clone(), busy, status_response("ready", None)]).await;
    let started = std::time::Instant::now();
    let out = kiro()
        .args(["--url", &server.uri(), "--json", "watch", "--until", "ready"])
        .args(["--timeout", "15s", "--max-backoff", "1s"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let ev = events(&out.stdout);
    let unreachable = ev.iter().find(|e| e["type"] == "unreachable").unwrap();
    assert_eq!(unreachable["retryInMs"], 1000, "{unreachable}");
    assert_eq!(
        unreachable["retryAfterMs"], 3_600_000,
        "at most an hour is read: {unreachable}"
    );
    // In words too.
    let server = scripted(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "120"),
        status_response("ready", None),
    ])
    .await;
    let out = common::run(&format!(
        "--url {} watch --until ready --max-backoff 1s",
        server.uri()
    ));
    common::assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("retry in 1s; it asked for 2m, capped by --max-backoff"),
        "{text}"
    );
}

/// One bridge's answers are waited for in the read itself for a moment (client/direct.rs); an
/// answer slower than that is waited for by the runtime, on the same kept connection, and a
/// hangup between polls is the one silent retry.
#[test]
fn one_bridge_answering_slowly_or_closing_is_followed_on_its_connection() {
    use std::sync::atomic::Ordering;
    let server = common::RawServer::start(|conn, n, _, s| {
        if conn == 0 && n == 3 {
            // The keep-alive race: closed under the fourth request.
            return false;
        }
        if n % 2 == 1 {
            // Slower than a read waits by itself (20 ms): the runtime's wait finishes it.
            common::hang(std::time::Duration::from_millis(80));
        }
        common::write_json(s, "200 OK", &common::fixture("status_ready.json"), "");
        true
    });
    let out = common::run(&format!(
        "--url {} --json watch --count 6 --interval-ready 100ms",
        server.url()
    ));
    common::printed(&out, &["\"snapshot\""]);
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        2,
        "kept, and one new after the close"
    );
    assert_eq!(server.request_count(), 7, "six polls and the one retry");
}

/// The real bridge's weak, timestamped ETags never match, so every poll of one bridge is a
/// full body on its kept connection, read inline: the same content is no change.
#[test]
fn one_bridge_like_the_real_one_is_followed_without_spurious_changes() {
    let dir = tempfile::tempdir().unwrap();
    let sc = common::smoke_scenario(dir.path());
    let (mut mock, url) = common::real_like_bridge(&sc);
    let out = common::run(&format!(
        "--url {url} --json watch --count 5 --interval-ready 100ms"
    ));
    let text = common::printed(&out, &["\"snapshot\""]);
    let kinds: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        types(&kinds),
        ["snapshot", "summary"],
        "no change from a new ETag on the same content: {text}"
    );
    let summary = kinds.last().unwrap();
    assert_eq!(summary["polls"], 5);
    assert_eq!(summary["notModified"], 0, "weak ETags never match");
    mock.stop();
}
