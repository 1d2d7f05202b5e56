//! Edges an input can reach: local files that never end or are too big, secrets in usage
//! errors, exit codes when stdout is closed or full. Through the real binary.

mod common;

use std::time::Duration;

use common::{assert_exit, kiro};

fn one_line_exit_2(out: &std::process::Output, names: &str) {
    assert_exit(out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(names), "names {names}: {err}");
}

#[test]
fn a_key_or_bridges_file_too_big_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    std::fs::write(&big, "k".repeat(17 * 1024)).unwrap();
    let out = kiro()
        .args(["status", "--api-key-file"])
        .arg(&big)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    one_line_exit_2(&out, "larger than 16.0 KiB");
    let toml = dir.path().join("b.toml");
    std::fs::write(
        &toml,
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"big\"\n",
    )
    .unwrap();
    let out = kiro().arg("--bridges").arg(&toml).arg("status").output().unwrap();
    one_line_exit_2(&out, "b.toml:3: api_key_file:");
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_at_once_not_read_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["status", "--api-key-file", "/dev/zero"],
        vec!["status", "--api-key-file", "/dev/urandom"],
        vec!["status", "--api-key-file", fifo],
        vec!["--bridges", "/dev/zero", "status"],
        vec!["--bridges", fifo, "status"],
    ] {
        let out = kiro()
            .args(&args)
            .timeout(Duration::from_secs(10))
            .output()
            .unwrap();
        one_line_exit_2(&out, "not a regular file");
    }
    let toml = dir.path().join("b.toml");
    std::fs::write(
        &toml,
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"/dev/zero\"\n",
    )
    .unwrap();
    let out = kiro()
        .arg("--bridges")
        .arg(&toml)
        .arg("status")
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    one_line_exit_2(&out, "api_key_file: cannot read /dev/zero: not a regular file");
}

#[test]
fn a_password_in_a_url_is_never_echoed_in_a_usage_error() {
    let bad = [
        "http://u:PASSWORDXYZ123@127.0.0.1:99999",
        "ftp://u:PASSWORDXYZ123@127.0.0.1/",
        "http://u:PASSWORDXYZ123@[::1",
    ];
    for url in bad {
        let out = kiro().args(["--url", url, "status"]).output().unwrap();
        one_line_exit_2(&out, "'--url <URL>'");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("PASSWORDXYZ123"));
        let out = kiro().env("KIRO_BRIDGE_URL", url).arg("status").output().unwrap();
        one_line_exit_2(&out, "KIRO_BRIDGE_URL");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("PASSWORDXYZ123"));
    }
}

#[test]
fn a_key_given_where_its_file_or_variable_name_belongs_is_never_echoed() {
    let out = kiro()
        .env("KIRO_API_KEY_FILE", "SEKRETKEY9f3")
        .arg("status")
        .output()
        .unwrap();
    one_line_exit_2(&out, "--api-key-file");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("SEKRET"));
    let dir = tempfile::tempdir().unwrap();
    for (i, body) in [
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_env = \"SEKRETKEY9f3\"\n",
        "[[bridge]]\nurl = \"http://a:1\"\nSEKRETKEY9f3 = \"x\"\n",
    ]
    .iter()
    .enumerate()
    {
        let toml = dir.path().join(format!("b{i}.toml"));
        std::fs::write(&toml, body).unwrap();
        let out = kiro().arg("--bridges").arg(&toml).arg("status").output().unwrap();
        one_line_exit_2(&out, ":3:");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("SEKRET"));
    }
}
