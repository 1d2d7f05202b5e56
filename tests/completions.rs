//! The completion scripts and man page in completions/ must match what the current command
//! line generates. Regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completions`.

use kiro_poll::completions::{file_name, generate, ALL};

#[test]
fn completions_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for target in ALL {
        let mut fresh = Vec::new();
        generate(target, &mut fresh).unwrap();
        assert!(!fresh.is_empty());
        let path = dir.join(file_name(target));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        if std::fs::read(&path).ok().as_deref() != Some(fresh.as_slice()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale completions: {stale:?}; run `UPDATE_COMPLETIONS=1 cargo test --test completions` and commit"
    );
}

#[test]
fn the_binary_prints_the_same_script() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kiro-poll"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut fresh = Vec::new();
    generate(kiro_poll::cli::CompletionTarget::Bash, &mut fresh).unwrap();
    assert_eq!(out.stdout, fresh);
}

mod common;

#[test]
fn exec_tab_completes_command_ids_from_the_live_bridge_and_is_silent_when_it_is_down() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let out = common::kiro()
        .env("COMPLETE", "fish")
        .args(["--", "kiro-poll", "--url", &url, "exec", "kiro."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let ids: Vec<&str> = text.lines().collect();
    assert_eq!(ids, vec!["kiro.chat.open", "kiro.generateCode"], "{text}");
    let out = common::kiro()
        .env("COMPLETE", "fish")
        .env("KIRO_BRIDGE_URL", &url)
        .args(["--", "kiro-poll", "commands", "--filter", "workbench."])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    bridge.stop();

    let port = common::free_port();
    let out = common::kiro()
        .env("COMPLETE", "fish")
        .args([
            "--",
            "kiro-poll",
            "--url",
            &format!("http://127.0.0.1:{port}"),
            "exec",
            "kiro.",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "silent when the bridge is down"
    );
}
