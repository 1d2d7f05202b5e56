//! `exec --wait` past the bridge's 408, through the real binary: the connection the bridge
//! answered on, kept busy and watched, shows the command's end (BEHAVIOUR.md); a bridge killed
//! or restarted, or a close that came too late, is never taken for it; `--timeout` still holds;
//! the status is followed beside it; exactly one POST in every case.

mod common;
use common::Start as _;

use std::io::Write;
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_exit, fixture, kiro, report, stderr, write_json, RawServer, Sim};
use serde_json::Value;

/// A run that ended 0, its end seen by the connection: its report and when it was seen (ms).
fn seen_by_connection(out: &std::process::Output) -> (serde_json::Value, u64) {
    assert_exit(out, 0);
    let r = report(out);
    assert_eq!(r["observedBy"], "connection", "{r}");
    let seen = r["seenMs"].as_u64().unwrap();
    (r, seen)
}

/// `kiro-poll --url URL GLOBAL exec kiro.long --wait ARGS`, timed.
fn exec_long(url: &str, global: &[&str], args: &[&str]) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let out = kiro()
        .args(["--url", url])
        .args(global)
        .args(["exec", "kiro.long", "--wait", "--follow-interval", "200ms"])
        .args(args)
        .output()
        .unwrap();
    (out, started.elapsed())
}

#[test]
fn on_a_bridge_like_the_real_one_the_end_is_seen_by_the_connection() {
    let key = [("KIRO_API_KEY", "sekrit-key-123")];
    let sim = Sim::start("5s", &["--like", "real", "--server-timeout", "1s"], &key);
    let started = Instant::now();
    let out = kiro()
        .envs(key)
        .args(["--url", &sim.url, "--json", "exec", "kiro.long", "--wait"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_exit(&out, 0);
    let r = report(&out);
    assert_eq!(r["outcome"], "completed", "{r}");
    assert_eq!(r["observedBy"], "connection", "{r}");
    assert_eq!(r["resultKnown"], false, "{r}");
    assert_eq!(r["success"], Value::Null, "{r}");
    let seen = r["seenMs"].as_u64().unwrap();
    assert!(
        (4_900..7_000).contains(&seen),
        "seen {seen} ms after the POST: {r}"
    );
    assert!(
        took >= Duration::from_millis(4_900) && took < Duration::from_secs(9),
        "ended with the command, not at the 408: {took:?}"
    );
    assert_eq!(sim.executes(), 1, "{:?}", sim.served());
    let served = sim.served();
    // The pings carried the key (a 401 would keep the connection busy just as well).
    assert!(
        served.iter().any(|l| l.starts_with("GET /health -> 200")),
        "{served:?}"
    );
    assert!(!served.iter().any(|l| l.contains("-> 401")), "{served:?}");

    // In words: exit 0, and stderr says the result is unknown.
    let out = kiro()
        .envs(key)
        .args(["--url", &sim.url, "exec", "kiro.long", "--wait"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_exit(&out, 0);
    assert!(
        err.contains("kiro.long ended after 5.")
            && err.contains("seen by the bridge closing the connection it answered on")
            && err.contains("its result was not returned, so whether it succeeded is unknown"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn exit_status_makes_an_end_without_its_result_exit_7() {
    let sim = Sim::start("3s", &["--like", "real", "--server-timeout", "1s"], &[]);
    let (out, _) = exec_long(&sim.url, &[], &["--exit-status"]);
    assert_exit(&out, 7);
    assert!(stderr(&out).contains("(--exit-status)"), "{}", stderr(&out));
    // Only with --wait: without it no end is ever seen.
    let out = common::run("exec kiro.long --exit-status");
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--wait"), "{}", stderr(&out));
    // So are --timeout and --follow-interval: without --wait they would do nothing.
    for flag in [["--timeout", "60s"], ["--follow-interval", "1s"]] {
        let out = kiro().args(["exec", "kiro.long"]).args(flag).output().unwrap();
        assert_exit(&out, 2);
        assert!(stderr(&out).contains("--wait"), "{}", stderr(&out));
    }
}

#[test]
fn a_bridge_killed_while_it_runs_the_command_is_never_reported_finished() {
    let mut sim = Sim::start("8s", &["--like", "real", "--server-timeout", "1s"], &[]);
    let started = Instant::now();
    let exec = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .env("KIRO_POLL_STORE", common::test_store())
        .args(["--url", &sim.url, "--json", "exec", "kiro.long", "--wait"])
        .start(Stdio::piped());
    // Past the 408 (the bridge's own log says it), while the command runs on: then killed.
    common::eventually(Duration::from_secs(10), "the execute's 408", || {
        sim.served()
            .iter()
            .any(|l| l.starts_with("POST /api/kiro/execute -> 408"))
    });
    sim.child.stop();
    let out = exec.wait_with_output().unwrap();
    assert_exit(&out, 6);
    let r = report(&out);
    assert_eq!(r["outcome"], "unknown", "{r}");
    assert_eq!(r["observedBy"], Value::Null, "{r}");
    let err = r["error"].as_str().unwrap();
    assert!(err.contains("the bridge no longer answers"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "decided at the close, not at the command's end"
    );
}

#[test]
fn the_timeout_ends_the_wait_with_124_while_the_connection_is_held() {
    let sim = Sim::start("60s", &["--like", "real", "--server-timeout", "1s"], &[]);
    let (out, took) = exec_long(&sim.url, &[], &["--timeout", "4s"]);
    assert_exit(&out, 124);
    let err = stderr(&out);
    assert!(
        err.contains("timed out after 4s")
            && err.contains(
                "the connection it answered on is still open, so kiro.long is still running in Kiro"
            ),
        "{err}"
    );
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert_eq!(sim.executes(), 1);
}

#[test]
fn on_a_spec_bridge_both_signals_run_and_the_first_decides() {
    // Status every 10 s: the connection shows the end first.
    let sim = Sim::start("3s", &["--server-timeout", "1s"], &[]);
    let started = Instant::now();
    let out = kiro()
        .args(["--url", &sim.url, "--json", "exec", "kiro.long", "--wait"])
        .args(["--follow-interval", "10s"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(report(&out)["observedBy"], "connection");
    assert!(started.elapsed() < Duration::from_secs(6));
    // A bridge that shows it busy: the status is asked too.
    assert!(
        sim.served().iter().any(|l| l.starts_with("GET /api/kiro/status")),
        "{:?}",
        sim.served()
    );
}

/// Case 5, as the real bridge has it: past its limit on a command the bridge frees the slot (a
/// 4th command may start) while the command runs on, and the connection its 408 came on closes
/// at the command's end, not at the limit.
#[test]
fn past_the_command_limit_the_slot_is_freed_and_the_end_still_seen() {
    let sim = Sim::start(
        "8s",
        &common::words("--like real --server-timeout 1s --command-limit 3s"),
        &[],
    );
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
            .env("KIRO_POLL_STORE", common::test_store())
            .args(["--url", &sim.url, "--json", "exec", "kiro.long", "--wait"])
            .start(Stdio::piped())
    };
    let three: Vec<common::Spawned> = (0..3).map(|_| spawn()).collect();
    // All three slots taken: a 4th is turned away (exit 1, not_started)...
    common::eventually(Duration::from_secs(5), "three executes", || sim.executes() >= 3);
    assert_eq!(slots(&sim.url), 3);
    let fourth = common::run(&format!("--url {} exec kiro.long", sim.url));
    assert_exit(&fourth, 1);
    // ...until the limit frees the slots while the commands run on: then a 4th starts (its
    // 408 comes at 1 s: exit 6).
    common::eventually(Duration::from_secs(10), "the slots freed", || slots(&sim.url) < 3);
    let fourth = common::run(&format!("--url {} exec kiro.long", sim.url));
    assert_exit(&fourth, 6);
    for child in three {
        let out = child.wait_with_output().unwrap();
        assert_exit(&out, 0);
        let r = report(&out);
        assert_eq!(r["observedBy"], "connection", "{r}");
        assert_eq!(r["slotFreed"], false, "{r}");
        let seen = r["seenMs"].as_u64().unwrap();
        assert!(
            seen >= 7_500,
            "at the command's end (8 s), not the limit (3 s): {r}"
        );
    }
}

/// A bridge that reports busy keeps showing a command past its limit on a command (the slot
/// is freed, the command runs on): neither witness takes the limit for the end.
#[test]
fn on_a_spec_bridge_the_limit_is_no_end_either() {
    let sim = Sim::start("5s", &["--server-timeout", "1s", "--command-limit", "2s"], &[]);
    let (out, _) = exec_long(&sim.url, &["--json"], &[]);
    assert_exit(&out, 0);
    let r = report(&out);
    let seen = r["seenMs"].as_u64().unwrap();
    assert!(
        seen >= 4_500,
        "at the command's end (5 s), not the limit (2 s): {r}"
    );
    assert_eq!(sim.executes(), 1);
}

/// The slots a simulator's running commands hold, as its control route reports them (a step
/// that changes nothing).
fn slots(url: &str) -> usize {
    let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    let body = "{}";
    write!(
        s,
        "POST /_mock/control HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut s, &mut answer).unwrap();
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {answer}"));
    v["slots"].as_u64().unwrap() as usize
}

/// Through an http proxy the connection held would be the proxy's: the status alone is
/// followed, and the words say why. The simulator plays the proxy (it answers absolute-form
/// requests as its own).
#[test]
fn through_a_proxy_only_the_status_is_followed_and_it_says_so() {
    let sim = Sim::start("3s", &["--like", "real", "--server-timeout", "1s"], &[]);
    let proxy = sim.url.clone();
    let out = kiro()
        .env("http_proxy", &proxy)
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .args(["--url", "http://kiro.example:3001", "exec", "kiro.long", "--wait"])
        .args(["--follow-interval", "200ms"])
        .output()
        .unwrap();
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(
        err.contains("through a proxy the connection it answered on is the proxy's"),
        "{err}"
    );
    assert_eq!(sim.executes(), 1);
}

/// A hand-made bridge, up 100 s when it starts: 408 on the execute (kept alive), `/status`
/// always ready (as the real one), `/health` with its uptime. `on_ping(uptime, stream)`
/// answers the pings on the connection the execute came on (false: close it);
/// `restarted`: a fresh connection meets a bridge that has just started.
fn hand_made<F>(restarted: bool, on_ping: F) -> (RawServer, Arc<AtomicUsize>)
where
    F: Fn(u64, &mut TcpStream) -> bool + Send + Sync + 'static,
{
    let born = Instant::now();
    let uptime = move || 100 + born.elapsed().as_secs();
    let post_conn = Arc::new(AtomicUsize::new(usize::MAX));
    let pc = post_conn.clone();
    let status = fixture("status_real_bridge.json");
    let server = RawServer::start(move |conn, _, req, s| {
        if req.starts_with("POST") {
            pc.store(conn, Ordering::SeqCst);
            write_json(
                s,
                "408 Request Timeout",
                r#"{"error":"Request Timeout","message":"Request timed out"}"#,
                "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n",
            );
            return true;
        }
        if req.starts_with("GET /health") && conn == pc.load(Ordering::SeqCst) {
            return on_ping(uptime(), s);
        }
        if req.starts_with("GET /health") {
            let up = if restarted { 0 } else { uptime() };
            write_json(s, "200 OK", &health(up), "");
            return true;
        }
        write_json(s, "200 OK", &status, "");
        true
    });
    (server, post_conn)
}

fn health(uptime: u64) -> String {
    format!(
        r#"{{"status":"healthy","timestamp":"2026-12-06T10:00:00.000Z","server":{{"running":true,"port":3001,"host":"localhost","uptime":{uptime}}}}}"#
    )
}

fn posts(server: &RawServer) -> usize {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count()
}

#[test]
fn a_connection_cut_while_kept_busy_is_the_end_and_the_post_goes_once() {
    let pings = Arc::new(AtomicUsize::new(0));
    let p = pings.clone();
    let (server, _) = hand_made(false, move |up, s| {
        // The second ping is cut: the command ended.
        if p.fetch_add(1, Ordering::SeqCst) == 1 {
            return false;
        }
        write_json(s, "200 OK", &health(up), "");
        true
    });
    let (out, took) = exec_long(&server.url(), &["--json"], &[]);
    let (r, seen) = seen_by_connection(&out);
    assert!(
        (3_900..6_000).contains(&seen),
        "the cut at the second ping, ~4 s: {r}"
    );
    assert!(took < Duration::from_secs(8));
    assert_eq!(posts(&server), 1);
    assert_eq!(pings.load(Ordering::SeqCst), 2);
}

#[test]
fn a_bridge_that_restarted_is_not_an_end() {
    let (server, _) = hand_made(true, |up, s| {
        // The bridge as it was: up 100 s and more; after the cut a fresh connection meets one
        // up 0 s.
        write_json(s, "200 OK", &health(up), "");
        false
    });
    let (out, _) = exec_long(&server.url(), &[], &[]);
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(
        err.contains("the connection it answered on closed because the bridge restarted"),
        "{err}"
    );
    assert_eq!(posts(&server), 1);
}

#[test]
fn a_close_long_after_the_last_answer_is_not_the_end() {
    let pings = Arc::new(AtomicUsize::new(0));
    let p = pings.clone();
    let (server, _) = hand_made(false, move |up, s| {
        if p.fetch_add(1, Ordering::SeqCst) == 0 {
            write_json(s, "200 OK", &health(up), "");
            let _ = s.flush();
            return true;
        }
        // The next ping "arrived late": the idle timer fired 5 s after the last answer.
        common::hang(Duration::from_millis(3_200));
        false
    });
    let (out, _) = exec_long(&server.url(), &[], &[]);
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(
        err.contains("closed 5.") && err.contains("too late to mean the command ended"),
        "{err}"
    );
    assert_eq!(posts(&server), 1);
}

#[test]
fn pings_answered_with_nonsense_let_go_of_the_connection_never_an_end() {
    for (what, answer) in [
        (
            "too big",
            format!("{{\"status\":\"healthy\",\"pad\":\"{}\"}}", "x".repeat(100 << 10)),
        ),
        ("not HTTP", String::new()),
    ] {
        let pings = Arc::new(AtomicUsize::new(0));
        let p = pings.clone();
        let (server, _) = hand_made(false, move |_, s| {
            p.fetch_add(1, Ordering::SeqCst);
            if answer.is_empty() {
                let _ = s.write_all(b"HTTP/1.1 2x0 \x1b[31mwhat\r\n\r\n");
            } else {
                write_json(s, "200 OK", &answer, "");
            }
            // Kept open: the close that follows is the client's own.
            common::hang(Duration::from_secs(3));
            true
        });
        let (out, took) = exec_long(&server.url(), &[], &["--timeout", "20s"]);
        assert_exit(&out, 6);
        let err = stderr(&out);
        assert!(err.contains("something unreadable"), "{what}: {err}");
        assert!(!err.contains('\u{1b}'), "{what}: no raw escape: {err:?}");
        assert!(took < Duration::from_secs(6), "{what}: {took:?}");
        assert_eq!(pings.load(Ordering::SeqCst), 1, "{what}");
        assert_eq!(posts(&server), 1);
    }
}

/// The execute's connection cut by the bridge going away (no 408, nothing held): the status
/// requests that follow are refused, and the outcome is unknown within seconds, not at
/// `--timeout`.
#[test]
fn a_bridge_gone_after_a_lost_connection_is_unknown_at_once() {
    let mut sim = Sim::start("60s", &["--server-timeout", "60s"], &[]);
    let started = Instant::now();
    let exec = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .env("KIRO_POLL_STORE", common::test_store())
        .args(["--url", &sim.url, "exec", "kiro.long", "--wait"])
        .start(Stdio::piped());
    // The command running on the bridge (its status says so), the execute unanswered.
    common::eventually(Duration::from_secs(10), "the command running", || {
        common::status_of(&sim.url)["status"] == "busy"
    });
    sim.child.stop();
    let out = exec.wait_with_output().unwrap();
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(
        err.contains("the connection was lost after the command was sent")
            && err.contains("the bridge no longer answers"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// What a scripted bridge is asked: the execute, a ping on the connection the execute came
/// on, `/health` or `/status` on another connection; `since`: how long after the execute.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Asked {
    Execute,
    Ping,
    Health,
    Status,
}

/// What a scripted bridge does.
enum Act {
    /// Answer 200 with this JSON.
    Json(String),
    /// The 408, kept alive, with these extra header lines.
    Gave408(&'static str),
    /// Close the connection.
    Close,
    /// Answer nothing for this long, then close.
    Hang(Duration),
}

/// A bridge scripted by `act(asked, since)`, up 100 s when it starts; the connection the
/// execute came on closes when idle for `idle` (its server's idle timer).
fn scripted_bridge<F>(idle: Duration, act: F) -> RawServer
where
    F: Fn(Asked, Duration) -> Act + Send + Sync + 'static,
{
    let posted: Arc<std::sync::Mutex<Option<(usize, Instant)>>> = Arc::default();
    RawServer::start(move |conn, _, req, s| {
        let mut p = posted.lock().unwrap();
        let asked = if req.starts_with("POST") {
            *p = Some((conn, Instant::now()));
            Asked::Execute
        } else if p.is_some_and(|(c, _)| c == conn) {
            Asked::Ping
        } else if req.starts_with("GET /health") {
            Asked::Health
        } else {
            Asked::Status
        };
        let since = p.map_or(Duration::ZERO, |(_, at)| at.elapsed());
        drop(p);
        match act(asked, since) {
            Act::Json(body) => write_json(s, "200 OK", &body, ""),
            Act::Gave408(extra) => {
                write_json(
                    s,
                    "408 Request Timeout",
                    r#"{"error":"Request Timeout","message":"Request timed out"}"#,
                    &format!("Connection: keep-alive\r\n{extra}"),
                );
            }
            Act::Close => return false,
            Act::Hang(d) => {
                // The scripted server hangs this long: the behaviour under test.
                common::hang(d);
                return false;
            }
        }
        if matches!(asked, Asked::Execute | Asked::Ping) {
            let _ = s.set_read_timeout(Some(idle));
        }
        true
    })
}

fn status_of(state: &str, cmd: Option<&str>) -> String {
    common::status_body(state, cmd, &["kiro.long", "kiro.b"], "2026-12-06T10:00:00.000Z")
}

fn health_of(healthy: bool, uptime: f64) -> String {
    format!(
        r#"{{"status":"{}","timestamp":"2026-12-06T10:00:00.000Z","server":{{"running":{healthy},"port":3001,"host":"localhost","uptime":{uptime}}}}}"#,
        if healthy { "healthy" } else { "unhealthy" }
    )
}

/// Uptime as the bridge gives it `since` after the execute (up 100 s at the execute).
fn up(since: Duration) -> f64 {
    100.0 + since.as_secs_f64()
}

/// Case 1: a spec bridge shows the command busy; its idle timer (1 s, shorter than the 2 s
/// ping and named nowhere) closes the held connection: the status decides, and it shows the
/// end at 6 s.
#[test]
fn a_close_the_status_contradicts_is_not_the_end() {
    let server = scripted_bridge(Duration::from_secs(1), |asked, since| match asked {
        Asked::Execute => Act::Gave408(""),
        Asked::Ping | Asked::Health => Act::Json(health_of(true, up(since))),
        Asked::Status if since < Duration::from_secs(6) => Act::Json(status_of("busy", Some("kiro.long"))),
        Asked::Status => Act::Json(status_of("ready", None)),
    });
    let (out, took) = exec_long(&server.url(), &["--json"], &[]);
    assert_exit(&out, 0);
    let r = report(&out);
    assert_eq!(
        (&r["outcome"], &r["observedBy"]),
        (&"completed".into(), &"status".into()),
        "{r}"
    );
    let seen = r["seenMs"].as_u64().unwrap();
    assert!(
        (6_000..9_000).contains(&seen),
        "the status's end, not the close at 1 s: {r}"
    );
    assert!(took < Duration::from_secs(12), "{took:?}");
    assert_eq!(posts(&server), 1);
}

/// The same through MCP's kiro_exec would say completed at 1 s: it shares the follower, so
/// one test of the CLI holds both (tests/mcp.rs runs kiro_exec on the simulator).
///
/// A 408 naming `Keep-Alive: timeout=1`: pings every 500 ms keep the connection from the
/// idle timer, and the close that comes is the command's end (at 4 s).
#[test]
fn the_servers_named_idle_timer_sets_the_pings_pace() {
    let server = scripted_bridge(Duration::from_secs(1), |asked, since| match asked {
        Asked::Execute => Act::Gave408("Keep-Alive: timeout=1\r\n"),
        Asked::Ping if since >= Duration::from_secs(4) => Act::Close,
        Asked::Ping | Asked::Health => Act::Json(health_of(true, up(since))),
        Asked::Status => Act::Json(status_of("ready", None)),
    });
    let (out, _) = exec_long(&server.url(), &["--json"], &[]);
    let (r, seen) = seen_by_connection(&out);
    assert!(
        (3_900..5_500).contains(&seen),
        "the end at 4 s, not the idle timer at 1 s: {r}"
    );
    let pings = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.starts_with("GET /health"))
        .count();
    assert!(pings >= 6, "every 500 ms: {pings}");
}

/// Case 3: the held connection closes 0.5 s after the 408, before any ping, because the
/// bridge restarted (asked afresh: up 0 s; asked beside the POST: up 100 s); or it answers
/// unhealthy afterwards. Neither is the command's end.
#[test]
fn a_close_that_cannot_be_confirmed_is_not_the_end() {
    for (what, fresh, words) in [
        ("restarted", health_of(true, 0.2), "because the bridge restarted"),
        (
            "unhealthy",
            health_of(false, 130.0),
            "the bridge then said it is not healthy",
        ),
    ] {
        let server = scripted_bridge(Duration::from_millis(500), move |asked, since| match asked {
            Asked::Execute => Act::Gave408(""),
            Asked::Health if since > Duration::from_millis(300) => Act::Json(fresh.clone()),
            Asked::Ping | Asked::Health => Act::Json(health_of(true, up(since))),
            Asked::Status => Act::Json(status_of("ready", None)),
        });
        let (out, took) = exec_long(&server.url(), &[], &[]);
        assert_exit(&out, 6);
        let err = stderr(&out);
        assert!(err.contains(words), "{what}: {err}");
        assert!(took < Duration::from_secs(6), "{what}: {took:?}");
        assert_eq!(posts(&server), 1);
    }
}

/// Case 4: the bridge freezes 3 s after the 408 (a ping, the status, everything unanswered):
/// unknown within about --request-timeout, never "still running" on no evidence.
#[test]
fn a_frozen_bridge_is_unknown_within_the_request_timeout() {
    let server = scripted_bridge(Duration::from_secs(5), |asked, since| {
        if asked != Asked::Execute && since >= Duration::from_secs(3) {
            return Act::Hang(Duration::from_secs(30));
        }
        match asked {
            Asked::Execute => Act::Gave408("Keep-Alive: timeout=5\r\n"),
            Asked::Ping | Asked::Health => Act::Json(health_of(true, up(since))),
            Asked::Status => Act::Json(status_of("ready", None)),
        }
    });
    let (out, took) = exec_long(&server.url(), &["--request-timeout", "2s"], &["--timeout", "30s"]);
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(err.contains("went unanswered for 2s"), "{err}");
    assert!(!err.contains("still running in Kiro"), "{err}");
    assert!(
        took < Duration::from_secs(10),
        "about 4 s (the freeze at 3, the ping's 2 s), not --timeout: {took:?}"
    );
}

/// Case 2: a spec bridge running several commands at once shows kiro.long, then another
/// command current: that is not kiro.long's end, and with no connection held the status
/// cannot tell it: unknown, saying why.
#[test]
fn another_command_shown_current_is_not_the_end() {
    let server = scripted_bridge(Duration::from_secs(5), |asked, since| match asked {
        Asked::Execute => Act::Gave408("Connection: close\r\n"),
        Asked::Ping | Asked::Health => Act::Json(health_of(true, up(since))),
        Asked::Status if since < Duration::from_secs(1) => Act::Json(status_of("busy", Some("kiro.long"))),
        Asked::Status if since < Duration::from_secs(20) => Act::Json(status_of("busy", Some("kiro.b"))),
        Asked::Status => Act::Json(status_of("ready", None)),
    });
    let (out, took) = exec_long(&server.url(), &["--json"], &[]);
    assert_exit(&out, 6);
    let r = report(&out);
    assert_eq!(r["outcome"], "unknown", "{r}");
    let err = r["error"].as_str().unwrap();
    assert!(
        err.contains("the status shows kiro.b current")
            && err.contains("cannot show whether kiro.long ended"),
        "{err}"
    );
    assert!(took < Duration::from_secs(6), "{took:?}");
}
