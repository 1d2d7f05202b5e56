//! `--until available:ID` and `--until missing:ID`: done when the bridge offers (or no longer
//! offers) the command, for one bridge and for every one of several; with `--timeout`, 124
//! naming what was last seen of it. Through the real binary against `mock-bridge` scenarios.

mod common;

use std::time::{Duration, Instant};

use common::{kiro, start_mock_bridges};

/// A scenario whose command list gains `kiro.late` at 1 s and loses `kiro.chat.open` at 2 s.
fn scenario(dir: &std::path::Path) -> String {
    let path = dir.join("late.json");
    std::fs::write(
        &path,
        r#"{"name": "late", "commands": ["kiro.chat.open", "kiro.generateCode"],
            "steps": [{"at": "1s", "addCommands": ["kiro.late"]}, {"at": "2s", "removeCommands": ["kiro.chat.open"]}]}"#,
    )
    .unwrap();
    path.display().to_string()
}

fn watch_until(urls: &[String], until: &str) -> (std::process::Output, Duration) {
    let mut cmd = kiro();
    for u in urls {
        cmd.args(["--url", u]);
    }
    let started = Instant::now();
    let out = cmd
        .args([
            "--json",
            "watch",
            "--interval-ready",
            "200ms",
            "--until",
            until,
            "--timeout",
            "8s",
        ])
        .output()
        .unwrap();
    (out, started.elapsed())
}

#[test]
fn a_command_that_appears_and_one_that_goes_end_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    for n in [1, 3] {
        let (mut mock, urls) = start_mock_bridges(&["--port", "0", "--scenario", &s], n);
        // The scenario's clock starts with the simulators.
        let t0 = Instant::now();
        let (out, _) = watch_until(&urls, "available:kiro.late");
        common::assert_exit(&out, 0);
        let took = t0.elapsed();
        assert!(
            took >= Duration::from_millis(900),
            "{n} bridges: it was not there before 1 s ({took:?})"
        );
        let last = common::events(&out.stdout).pop().unwrap();
        assert_eq!(last["reason"], "until available:kiro.late", "{last}");
        let (out, _) = watch_until(&urls, "missing:kiro.chat.open");
        common::assert_exit(&out, 0);
        let took = t0.elapsed();
        assert!(
            took >= Duration::from_millis(1900),
            "{n} bridges: gone only at 2 s ({took:?})"
        );
        mock.stop();
    }
}

#[test]
fn a_command_that_never_comes_times_out_naming_what_was_seen() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 2);
    let out = kiro()
        .args([
            "--url",
            &urls[0],
            "watch",
            "--until",
            "available:kiro.$(touch x);`y`|z",
            "--timeout",
            "1s",
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 124);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("timed out after 1s: last seen ready")
            && err.contains("kiro.$(touch x);`y`|z is not among its 5 commands"),
        "{err}"
    );
    let out = kiro()
        .args([
            "--url",
            &urls[0],
            "--url",
            &urls[1],
            "watch",
            "--until",
            "missing:kiro.generateCode",
            "--timeout",
            "1s",
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 124);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 of 2 bridges not missing:kiro.generateCode")
            && err.contains("it still offers kiro.generateCode"),
        "{err}"
    );
    let out = kiro().args(["watch", "--until", "missing:"]).output().unwrap();
    common::assert_exit(&out, 2);
    mock.stop();
}
