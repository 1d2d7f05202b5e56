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

/// A command id no shell should ever see unquoted.
const NASTY: &str = "kiro.$(touch PWNED);`touch PWNED2`|x&&y";

#[test]
fn a_hook_gets_the_event_as_data_and_nothing_runs_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("nasty.json");
    std::fs::write(
        &scenario,
        serde_json::json!({
            "name": "nasty",
            "commands": [NASTY],
            "durations": {NASTY: "300ms"},
            "steps": [{"at": "300ms", "run": NASTY}]
        })
        .to_string(),
    )
    .unwrap();
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
        .args([
            "--url",
            &urls[0],
            "--json",
            "watch",
            "--interval-busy",
            "100ms",
            "--interval-ready",
            "100ms",
        ])
        .args([
            "--until",
            "change",
            "--on",
            "command_started,snapshot",
            "--",
            &rec,
        ])
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
    assert_eq!(
        (last["hooksRun"].as_u64(), last["hooksFailed"].as_u64()),
        (Some(2), Some(0)),
        "{last}"
    );
    let _ = mock.kill();
    let _ = mock.wait();
}

#[test]
fn a_slow_hook_delays_no_poll_and_a_failing_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 1);
    let slow = script(dir.path(), "slow.sh", "sleep 30");
    let started = Instant::now();
    let out = kiro()
        .args([
            "--url",
            &urls[0],
            "--json",
            "watch",
            "--interval-ready",
            "100ms",
            "--count",
            "8",
        ])
        .args([
            "--heartbeat",
            "100ms",
            "--on",
            "all",
            "--on-timeout",
            "1s",
            "--",
            &slow,
        ])
        .output()
        .unwrap();
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
        .args([
            "--url",
            &urls[0],
            "--json",
            "watch",
            "--count",
            "1",
            "--on",
            "snapshot",
            "--",
            "/nonexistent/hook",
        ])
        .output()
        .unwrap();
    let ev = common::events(&out.stdout);
    let f = ev.iter().find(|e| e["type"] == "hook_failed").expect("reported");
    assert_eq!(f["reason"], "not started", "{f}");
    let _ = mock.kill();
    let _ = mock.wait();
}

#[test]
fn a_flood_of_events_overflows_the_queue_and_says_how_many_were_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 10);
    let slow = script(dir.path(), "slow.sh", "sleep 5");
    let mut cmd = kiro();
    for u in &urls {
        cmd.args(["--url", u]);
    }
    let out = cmd
        .args(["--json", "watch", "--heartbeat", "100ms", "--timeout", "2s"])
        .args([
            "--on",
            "heartbeat",
            "--on-max",
            "1",
            "--on-timeout",
            "1s",
            "--",
            &slow,
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 124);
    let ev = common::events(&out.stdout);
    let beats = ev.iter().filter(|e| e["type"] == "heartbeat").count() as u64;
    let overall = ev.last().unwrap();
    let dropped = overall["hooksDropped"].as_u64().unwrap();
    let run = overall["hooksRun"].as_u64().unwrap();
    assert!(beats > 100, "{beats} heartbeats");
    assert!(
        dropped > 0 && run <= 3,
        "one at a time, 64 queued, the rest dropped: {overall}"
    );
    assert_eq!(
        dropped + run,
        beats,
        "every heartbeat ran or was dropped: {overall}"
    );
    let _ = mock.kill();
    let _ = mock.wait();
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
