//! `--until available:ID` and `--until missing:ID`: done when the bridge offers (or no longer
//! offers) the command, for one bridge and for every one of several; with `--timeout`, 124
//! naming what was last seen of it. Through the real binary against `mock-bridge` scenarios.

mod common;

use std::time::{Duration, Instant};

use common::{kiro, start_mock_bridges};

/// A scenario whose command list gains `kiro.late` at 1 s and loses `kiro.chat.open` at 2 s.
fn scenario(dir: &std::path::Path) -> String {
    let path = common::file(
        dir,
        "late.json",
        r#"{"name": "late", "commands": ["kiro.chat.open", "kiro.generateCode"],
            "steps": [{"at": "1s", "addCommands": ["kiro.late"]}, {"at": "2s", "removeCommands": ["kiro.chat.open"]}]}"#,
    );
    path.display().to_string()
}

fn watch_until(urls: &[String], until: &str) -> (std::process::Output, Duration) {
    let mut cmd = kiro();
    for u in urls {
        cmd.args(["--url", u]);
    }
    let started = Instant::now();
    let out = cmd
        .args(common::words(&format!(
            "--json watch --interval-ready 200ms --until {until} --timeout 8s"
        )))
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
        // kiro.late comes at 1 s, kiro.chat.open goes at 2 s: neither wait ends before.
        for (until, not_before) in [("available:kiro.late", 900), ("missing:kiro.chat.open", 1900)] {
            let (out, _) = watch_until(&urls, until);
            common::assert_exit(&out, 0);
            let took = t0.elapsed();
            assert!(
                took >= Duration::from_millis(not_before),
                "{n} bridges: {until} held before {not_before} ms ({took:?})"
            );
            let last = common::events(&out.stdout).pop().unwrap();
            assert_eq!(last["reason"], format!("until {until}"), "{last}");
        }
        mock.stop();
    }
}

/// `watch --until until --timeout 1s` of `urls`.
fn watch_for_a_second(urls: &[String], until: &str) -> std::process::Output {
    let mut cmd = kiro();
    for u in urls {
        cmd.args(["--url", u]);
    }
    cmd.args(["watch", "--until", until, "--timeout", "1s"])
        .output()
        .unwrap()
}

#[test]
fn a_command_that_never_comes_times_out_naming_what_was_seen() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 2);
    let out = watch_for_a_second(&urls[..1], "available:kiro.$(touch x);`y`|z");
    common::ended_saying(
        &out,
        124,
        &[
            "timed out after 1s: last seen ready",
            "kiro.$(touch x);`y`|z is not among its 5 commands",
        ],
    );
    let out = watch_for_a_second(&urls, "missing:kiro.generateCode");
    common::ended_saying(
        &out,
        124,
        &[
            "2 of 2 bridges not missing:kiro.generateCode",
            "it still offers kiro.generateCode",
        ],
    );
    let out = common::run("watch --until missing:");
    common::assert_exit(&out, 2);
    mock.stop();
}
