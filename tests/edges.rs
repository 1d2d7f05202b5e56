//! Edges an input can reach: local files that never end or are too big, secrets in usage
//! errors, exit codes when stdout is closed or full. Through the real binary.

mod common;
use common::Start as _;

use std::time::Duration;

use common::{assert_exit, kiro};

/// The binary run with `args`, given 10 s at most (a refusal comes at once).
fn refused_within_10s(args: &[&str]) -> std::process::Output {
    kiro()
        .args(args)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap()
}

/// One line naming the problem, exit 2; a usage error clap found adds where the help is.
fn one_line_exit_2(out: &std::process::Output, names: &str) {
    assert_exit(out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].contains(names), "names {names}: {err}");
    assert!(
        lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("  see 'kiro-poll ")),
        "{err}"
    );
}

#[test]
fn a_key_or_bridges_file_too_big_is_refused_in_one_line() {
    let (dir, big) = common::in_temp_dir("big", "k".repeat(17 * 1024));
    let out = refused_within_10s(&["status", "--api-key-file", big.to_str().unwrap()]);
    one_line_exit_2(&out, "larger than 16.0 KiB");
    let toml = common::file(
        dir.path(),
        "b.toml",
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"big\"\n",
    );
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
        let out = refused_within_10s(&args);
        one_line_exit_2(&out, "not a regular file");
    }
    let toml = common::file(
        dir.path(),
        "b.toml",
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"/dev/zero\"\n",
    );
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

/// Run the binary with stdout a pipe whose reader is gone before anything is written.
fn with_stdout_closed(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(args)
        .env_remove("KIRO_API_KEY")
        .env_remove("KIRO_BRIDGE_URL")
        .start(std::process::Stdio::piped());
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

async fn execute_answers(status: u16, body: String) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(method("POST"))
        .and(path("/api/kiro/execute"))
        .respond_with(wiremock::ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_never_masks_the_outcome_of_exec() {
    let cases = [
        (422, common::fixture("execute_422_spec.json"), 1),
        (503, common::fixture("execute_503.json"), 5),
        (200, common::fixture("execute_success.json"), 0),
    ];
    for (status, body, code) in cases {
        let server = execute_answers(status, body).await;
        let url = server.uri();
        let out = tokio::task::spawn_blocking(move || {
            with_stdout_closed(&["--url", &url, "--json", "exec", "kiro.x"])
        })
        .await
        .unwrap();
        assert_exit(&out, code);
    }
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = with_stdout_closed(&["--url", &dead, "--json", "exec", "kiro.x"]);
    assert_exit(&out, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_execute_answer_too_big_to_read_is_unknown_not_unreachable() {
    let server = execute_answers(
        200,
        format!("{{\"success\":true,\"output\":\"{}\"}}", "x".repeat(5 << 20)),
    )
    .await;
    let out = common::run(&format!("--url {} --json exec kiro.x", server.uri()));
    assert_exit(&out, 6);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "unknown");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("over the 4 MiB limit") && err.contains("may have run"),
        "{err}"
    );
}

/// `/dev/full`: every write fails with ENOSPC. That is an error to report (74), never a quiet
/// end, and never "unreachable" (3) once exec's request was sent.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_and_never_read_as_unreachable() {
    let (mut mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
            .args(args)
            .stdout(full())
            .output()
            .unwrap()
    };
    // A success whose result could not be written is no 0.
    let out = run(&["--url", &url, "--json", "exec", "kiro.chat.open"]);
    common::ended_saying(
        &out,
        74,
        &["succeeded, but its result could not be written: No space left"],
    );
    let one = ["--url", url.as_str(), "watch", "--count", "1"];
    let one_json = ["--url", url.as_str(), "--json", "watch", "--count", "1"];
    let until = ["--url", url.as_str(), "watch", "--until", "ready"];
    for args in [
        &one[..],
        &one_json,
        &until,
        &["--help"],
        &["--version"],
        &["help", "exit-codes"],
        &["watch", "-h"],
    ] {
        let out = run(args);
        assert_exit(&out, 74);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot write the output: No space left on device"),
            "{args:?}: {err}"
        );
    }
    for args in [
        common::words(&format!(
            "--url {} --json watch --count 2 --interval-ready 200ms",
            url.as_str()
        )),
        vec!["--url", url.as_str(), "status"],
        vec!["completions", "bash"],
    ] {
        let out = run(&args);
        assert_exit(&out, 74);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim(),
            "kiro-poll: error: cannot write the output: No space left on device (os error 28)",
            "{args:?}"
        );
    }
    mock.stop();
}

#[test]
fn a_rejected_key_reads_as_rejected_not_as_did_not_answer() {
    let (mut open, a) = common::start_mock_bridge(&["--port", "0"]);
    let (mut keyed, b) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "a-long-enough-key")]);
    let out = common::run(&format!("--url {a} --url {b} --color never status"));
    assert_exit(&out, 4);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains("rejected") && l.contains("auth: HTTP 401")),
        "{table}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of 2 bridges rejected the API key") && !err.contains("did not answer"),
        "{err}"
    );
    let out = common::run(&format!("--url {a} --url {b} --json status"));
    let second: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["error"]["kind"], "auth");
    for m in [&mut open, &mut keyed] {
        m.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_megabyte_error_is_cut_on_stderr_and_whole_in_json() {
    let error = "e".repeat(1 << 20);
    let body = serde_json::json!({"success": false, "output": "", "error": error}).to_string();
    let server = execute_answers(200, body).await;
    let out = common::run(&format!("--url {} exec kiro.x", server.uri()));
    assert_exit(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1);
    assert!(err.len() < 1000, "cut: {} bytes", err.len());
    assert!(err.contains("more characters cut"), "{err}");
    let out = common::run(&format!("--url {} --json exec kiro.x", server.uri()));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["error"].as_str().unwrap().len(),
        1 << 20,
        "--json keeps it whole"
    );
}

#[test]
fn the_help_of_quiet_says_what_it_does_with_metrics() {
    let out = common::run("watch --help");
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("Only errors on stderr (watch --metrics: no event lines on stdout either)"),
        "{help}"
    );
}

/// Keys holding a quote or a backslash (short ones too), with a bridge whose strings hold
/// quotes and backslashes: every `--json` line stays JSON and the key is redacted in it (they
/// used to be matched in the line's escaped form, which cut a string short or made a bad escape).
#[tokio::test(flavor = "multi_thread")]
async fn keys_with_quotes_or_backslashes_leave_every_json_line_json() {
    let long = "k\"e\\y-0123-ab";
    let body = serde_json::json!({"status": "ready", "version": format!("1.94.0 \"beta\" \\ {long}"), "availableCommands": ["x.y"]});
    let bridge = common::status_bridge(body).await;
    let url = bridge.uri();
    for key in ["\\", "\"", long] {
        for args in [vec!["--json", "status"], vec!["--json", "watch", "--count", "1"]] {
            let out = kiro()
                .env("KIRO_API_KEY", key)
                .args(["--url", &url])
                .args(&args)
                .output()
                .unwrap();
            assert_exit(&out, 0);
            let text = String::from_utf8_lossy(&out.stdout);
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("key {key:?}, {args:?}: {e}: {line}"));
                if let (Some(version), true) = (v["version"].as_str(), key == long) {
                    assert!(
                        version.ends_with("*** ***") || version.ends_with(" ***"),
                        "{line}"
                    );
                    assert!(!version.contains("0123"), "{line}");
                }
            }
        }
    }
}

/// A host name that does not resolve is said as that, with the hint to check it, not the hint
/// to start Kiro or a simulator.
#[test]
fn a_host_name_that_does_not_resolve_gets_the_hint_to_check_it() {
    let out = common::run("--url http://nonexistent.invalid:3001 status");
    common::assert_exit(&out, 3);
    let err = common::stderr(&out);
    assert!(err.contains("hint: the host name does not resolve"), "{err}");
    assert!(!err.contains("mock-bridge"), "{err}");
    // A port nobody listens on keeps the hint to start Kiro.
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = common::kiro().args(["--url", &dead, "status"]).output().unwrap();
    assert!(common::stderr(&out).contains("is Kiro running"), "{out:?}");
}

/// A key under 8 characters is warned of once, by a command that sends it, and by no command
/// that does not (jobs, wait, completions), nor with --quiet.
#[test]
fn a_short_key_is_warned_of_once_and_only_where_it_is_used() {
    const WARNING: &str = "cannot be kept out of output reliably";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bridge = rt.block_on(common::scripted(vec![common::status_response("ready", None)]));
    let out = common::kiro()
        .env("KIRO_API_KEY", "k3y")
        .args(["--url", &bridge.uri(), "status"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert_eq!(common::stderr(&out).matches(WARNING).count(), 1, "{out:?}");
    for args in [
        &["jobs"][..],
        &["completions", "bash"][..],
        &["--url", &bridge.uri(), "-q", "status"][..],
    ] {
        let out = common::kiro()
            .env("KIRO_API_KEY", "k3y")
            .args(args)
            .output()
            .unwrap();
        assert!(!common::stderr(&out).contains(WARNING), "{args:?}: {out:?}");
    }
}
