//! `watch --on TYPES -- PROGRAM`: through the real binary against `mock-bridge`. A hook that
//! records its environment and stdin; a command id full of shell syntax that arrives byte for
//! byte and runs nothing; a slow hook that delays no poll; a failing one; a flood that
//! overflows the queue. Hooks here are `sh` scripts, so Unix only (the Wine suite runs one on
//! Windows).
#![cfg(unix)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{kiro, start_mock_bridges};

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// `bridges` simulators, and a hook that sleeps `secs` (in a directory kept until dropped).
fn slow_hook(bridges: usize, secs: u32) -> (tempfile::TempDir, common::Spawned, Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let (mock, urls) = start_mock_bridges(&["--port", "0"], bridges);
    let slow = script(dir.path(), "slow.sh", &format!("sleep {secs}"));
    (dir, mock, urls, slow)
}

/// A summary's `hooksRun` and `hooksFailed`.
fn ran_and_failed(summary: &serde_json::Value) -> (Option<u64>, Option<u64>) {
    (summary["hooksRun"].as_u64(), summary["hooksFailed"].as_u64())
}

/// A command id no shell should ever see unquoted.
const NASTY: &str = "kiro.$(touch PWNED);`touch PWNED2`|x&&y";

#[test]
fn a_hook_gets_the_event_as_data_and_nothing_runs_from_it() {
    let (dir, scenario) = common::in_temp_dir(
        "nasty.json",
        serde_json::json!({
            "name": "nasty",
            "commands": [NASTY],
            "durations": {NASTY: "300ms"},
            "steps": [{"at": "300ms", "run": NASTY}]
        })
        .to_string(),
    );
    let (mut mock, urls) = start_mock_bridges(&["--port", "0", "--scenario", scenario.to_str().unwrap()], 1);
    // Each run leaves its environment and its stdin in files named after the event.
    let rec = script(
        dir.path(),
        "rec.sh",
        "env | grep '^KIRO_' | sort > \"$KIRO_EVENT.env\"; cat > \"$KIRO_EVENT.stdin\"",
    );
    let out = kiro()
        .current_dir(dir.path())
        .env("KIRO_API_KEY", "not-for-hooks-1234")
        .env("KIRO_STATUS", "inherited")
        .args(common::words(&format!(
            "--url {} --json watch --interval-busy 100ms --interval-ready 100ms",
            urls[0]
        )))
        .args(common::words(&format!(
            "--until change --on command_started,snapshot -- {rec}"
        )))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    let started = lines.iter().find(|l| l.contains("\"command_started\"")).unwrap();
    let stdin = std::fs::read_to_string(dir.path().join("command_started.stdin")).unwrap();
    assert_eq!(stdin, format!("{started}\n"), "exactly the --json line");
    let env = std::fs::read_to_string(dir.path().join("command_started.env")).unwrap();
    assert!(
        env.contains(&format!("KIRO_COMMAND={NASTY}\n")),
        "byte for byte: {env}"
    );
    assert!(
        env.contains("KIRO_EVENT=command_started\n") && env.contains("KIRO_AT=20"),
        "{env}"
    );
    assert!(
        env.contains(&format!(
            "KIRO_BRIDGE={}\n",
            urls[0].trim_start_matches("http://")
        )),
        "{env}"
    );
    assert!(env.contains(&format!("KIRO_BRIDGE_URL={}/\n", urls[0])), "{env}");
    assert!(
        !env.contains("not-for-hooks") && !env.contains("inherited"),
        "nothing of ours leaks in: {env}"
    );
    let snap = std::fs::read_to_string(dir.path().join("snapshot.env")).unwrap();
    assert!(
        snap.contains("KIRO_STATUS=ready\n") && snap.contains("KIRO_AVAILABLE_COMMANDS=[\""),
        "{snap}"
    );
    assert!(
        !dir.path().join("PWNED").exists() && !dir.path().join("PWNED2").exists(),
        "nothing ran"
    );
    let last: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(ran_and_failed(&last), (Some(2), Some(0)), "{last}");
    mock.stop();
}

#[test]
fn a_slow_hook_delays_no_poll_and_a_failing_one_is_reported() {
    let (dir, mut mock, urls, slow) = slow_hook(1, 30);
    let started = Instant::now();
    let url = &urls[0];
    let out = common::run(&format!(
        "--url {url} --json watch --interval-ready 100ms --count 8 --heartbeat 100ms --on all --on-timeout 1s -- {slow}"
    ));
    let took = started.elapsed();
    common::assert_exit(&out, 0);
    let ev = common::events(&out.stdout);
    let summary = ev.last().unwrap();
    assert!(
        summary["durationMs"].as_u64().unwrap() < 1500,
        "8 polls at 100 ms, hooks or not: {summary}"
    );
    assert!(
        took < Duration::from_secs(5),
        "running hooks got --on-timeout, then were ended: {took:?}"
    );
    let timed_out: Vec<_> = ev.iter().filter(|e| e["type"] == "hook_failed").collect();
    assert!(!timed_out.is_empty(), "{ev:?}");
    // The summary stays last, and is not stamped before the lines the drain printed.
    let latest = ev.iter().filter_map(|e| e["at"].as_str()).max().unwrap();
    assert_eq!(summary["at"].as_str(), Some(latest), "{ev:?}");
    assert!(
        timed_out
            .iter()
            .all(|e| e["reason"] == "timed out" && e["signal"] == "KILL"),
        "{timed_out:?}"
    );

    let fail = script(dir.path(), "fail.sh", "exit 7");
    let out = kiro()
        .args([
            "--url", &urls[0], "--json", "watch", "--count", "1", "--on", "snapshot", "--", &fail,
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let ev = common::events(&out.stdout);
    let f = ev.iter().find(|e| e["type"] == "hook_failed").expect("reported");
    assert_eq!(
        (f["hookEvent"].clone(), f["exitCode"].clone(), f["reason"].clone()),
        ("snapshot".into(), 7.into(), "exited".into())
    );
    let out = kiro()
        .args(common::words(&format!(
            "--url {} --json watch --count 1 --on snapshot -- /nonexistent/hook",
            urls[0]
        )))
        .output()
        .unwrap();
    let ev = common::events(&out.stdout);
    let f = ev.iter().find(|e| e["type"] == "hook_failed").expect("reported");
    assert_eq!(f["reason"], "not started", "{f}");
    let last = ev.last().unwrap();
    assert_eq!(
        ran_and_failed(last),
        (Some(0), Some(1)),
        "a hook that never started did not run: {last}"
    );
    mock.stop();
}

#[test]
fn a_flood_of_events_overflows_the_queue_and_says_how_many_were_dropped() {
    let (_dir, mut mock, urls, slow) = slow_hook(10, 5);
    let mut cmd = kiro();
    for u in &urls {
        cmd.args(["--url", u]);
    }
    let out = cmd
        .args(["--json", "watch", "--heartbeat", "100ms", "--timeout", "3s"])
        .args(common::words(&format!(
            "--on heartbeat --on-max 1 --on-timeout 1s -- {slow}"
        )))
        .output()
        .unwrap();
    common::assert_exit(&out, 124);
    let ev = common::events(&out.stdout);
    let beats = ev.iter().filter(|e| e["type"] == "heartbeat").count() as u64;
    let overall = ev.last().unwrap();
    let dropped = overall["hooksDropped"].as_u64().unwrap();
    let run = overall["hooksRun"].as_u64().unwrap();
    // About 300; more than the queue (64) and the one running is what the test needs.
    assert!(beats > 70, "{beats} heartbeats");
    assert!(
        dropped > 0 && run <= 4,
        "one at a time (each ended after 1 s, in 3 s and the end's grace), 64 queued, the rest dropped: {overall}"
    );
    assert_eq!(
        dropped + run,
        beats,
        "every heartbeat ran or was dropped: {overall}"
    );
    mock.stop();
}

#[test]
fn bad_hook_arguments_are_usage_errors() {
    for (args, says) in [
        (&["watch", "--on", "snapshot"][..], "<PROGRAM>"),
        (&["watch", "--on", "sanpshot", "--", "true"], "not an event type"),
        (&["watch", "--on", "hook_failed", "--", "true"], "runs no hook"),
        (&["watch", "--", "true"], "--on"),
        (
            &["watch", "--on", "snapshot", "--on-timeout", "0s", "--", "true"],
            "--on-timeout",
        ),
    ] {
        let out = kiro().args(args).output().unwrap();
        common::assert_exit(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// `GET /metrics` on loopback by hand: whether it answered within a second.
fn metrics_answer(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text.starts_with("HTTP/1.1 200") && text.contains("kiro_bridge_up")
}

fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, sig) };
}

#[test]
fn a_second_signal_while_hooks_finish_ends_them_at_once_and_metrics_answer_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let started = dir.path().join("started");
    let slow = script(
        dir.path(),
        "slow.sh",
        &format!("touch '{}'; sleep 60", started.display()),
    );
    for (second, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let _ = std::fs::remove_file(&started);
        let port = common::free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = common::spawn_kiro(&common::words(&format!(
            "--url {url} --json watch --metrics {addr} --on snapshot -- {slow}"
        )));
        common::eventually(Duration::from_secs(10), "the hook started", || started.exists());
        signal(&child, libc::SIGINT);
        // The first Ctrl-C gives the hook --on-timeout (60 s): the exporter still answers.
        std::thread::sleep(Duration::from_millis(300));
        assert!(child.try_wait().unwrap().is_none(), "waits for its hook");
        assert!(metrics_answer(port), "/metrics answers while hooks finish");
        let asked = Instant::now();
        signal(&child, second);
        let status = common::wait_at_most(&mut child, Duration::from_secs(3), "a second signal ends it");
        let took = asked.elapsed();
        let mut out = String::new();
        let mut err = String::new();
        use std::io::Read;
        child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert_eq!(status.code(), Some(code), "{err}");
        assert!(took < Duration::from_secs(2), "at once: {took:?}");
        assert!(err.contains("1 running hook cut short"), "{err}");
        let ev = common::events(out.as_bytes());
        let cut = ev.iter().find(|e| e["type"] == "hook_failed").expect("told");
        assert_eq!(
            (cut["reason"].as_str(), cut["signal"].as_str()),
            (Some("cut short"), Some("KILL")),
            "{cut}"
        );
        let last = ev.last().unwrap();
        assert_eq!(last["type"], "summary", "the summary stays last: {out}");
        assert_eq!(ran_and_failed(last), (Some(1), Some(1)), "{last}");
    }
    mock.stop();
}

#[test]
fn a_key_a_bridges_file_takes_from_the_environment_never_reaches_a_hook() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mock, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "bravo-secret-77")]);
    let file = common::file(
        dir.path(),
        "bridges.toml",
        format!("[[bridge]]\nname = \"bravo\"\nurl = \"{url}\"\napi_key_env = \"BRAVO_KEY\"\n"),
    );
    let rec = script(dir.path(), "rec.sh", "env > hook.env");
    let out = kiro()
        .current_dir(dir.path())
        .env("BRAVO_KEY", "bravo-secret-77")
        .env("UNRELATED", "kept")
        .args([
            "--bridges",
            file.to_str().unwrap(),
            "--json",
            "watch",
            "--count",
            "1",
        ])
        .args(["--on", "snapshot", "--", &rec])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let env = std::fs::read_to_string(dir.path().join("hook.env")).unwrap();
    assert!(env.contains("KIRO_BRIDGE=bravo\n"), "the hook ran for it: {env}");
    assert!(env.contains("UNRELATED=kept\n"), "other variables stay: {env}");
    assert!(
        !env.contains("BRAVO_KEY") && !env.contains("bravo-secret-77"),
        "the key's variable is removed: {env}"
    );
    mock.stop();
}

#[test]
fn what_a_hook_leaves_running_ends_with_it_and_what_it_prints_is_sanitized_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let pidfile = dir.path().join("bg.pid");
    let hook = script(
        dir.path(),
        "bg.sh",
        &format!(
            "sleep 30 & echo $! > '{}'; printf 'hook says \\033]0;pwned\\007 \\033[2J done\\n'; printf 'on stderr\\033[31m red\\n' >&2",
            pidfile.display()
        ),
    );
    // Under a terminal (script(1) gives it one), as a person runs it.
    let bin = assert_cmd::cargo::cargo_bin("kiro-poll");
    let cmd = format!(
        "'{}' --url {url} --json watch --count 1 --on snapshot -- '{hook}'",
        bin.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .output()
        .expect("script(1), from util-linux");
    common::assert_exit(&out, 0);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("hook says \\x1b]0;pwned\\x07 \\x1b[2J done"),
        "{shown:?}"
    );
    assert!(shown.contains("on stderr\\x1b[31m red"), "{shown:?}");
    assert!(
        !shown.contains("\x1b]0;pwned") && !shown.contains("\x1b[2J"),
        "{shown:?}"
    );
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    common::eventually(Duration::from_secs(3), "the hook's background child gone", || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting for whoever reaps orphans here.
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("");
        stat.is_empty() || state == "Z" || !cfg!(target_os = "linux")
    });
    mock.stop();
}

#[test]
fn a_field_larger_than_a_variable_can_hold_is_cut_and_the_hook_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!("kiro.{}", "x".repeat(200 * 1024));
    let scenario = common::file(
        dir.path(),
        "huge.json",
        serde_json::json!({"name": "huge", "commands": [huge], "steps": []}).to_string(),
    );
    let (mut mock, url) =
        common::start_mock_bridge(&["--port", "0", "--scenario", scenario.to_str().unwrap()]);
    let rec = script(
        dir.path(),
        "rec.sh",
        "printf '%s' \"$KIRO_AVAILABLE_COMMANDS\" > var; cat > line",
    );
    let out = kiro()
        .current_dir(dir.path())
        .args([
            "--url", &url, "--json", "watch", "--count", "1", "--on", "snapshot", "--", &rec,
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let ev = common::events(&out.stdout);
    assert!(
        ev.iter().all(|e| e["type"] != "hook_failed"),
        "it started: {}",
        String::from_utf8_lossy(&out.stdout)
            .chars()
            .take(300)
            .collect::<String>()
    );
    let var = std::fs::read_to_string(dir.path().join("var")).unwrap();
    assert!(
        var.len() < 128 * 1024 && var.starts_with("[\"kiro.xxx"),
        "{}",
        var.len()
    );
    assert!(
        var.contains("… (cut: ") && var.ends_with("bytes in all; the whole event is on stdin)"),
        "{}",
        &var[var.len() - 80..]
    );
    let line = std::fs::read_to_string(dir.path().join("line")).unwrap();
    assert!(line.contains(&huge), "stdin keeps the whole line");
    mock.stop();
}
