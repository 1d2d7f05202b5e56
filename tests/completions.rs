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
