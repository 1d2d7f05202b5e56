//! The real Windows binary, run under Wine on this Linux machine, both ways round: the Windows
//! kiro-poll against the Linux `mock-bridge`, and the Linux kiro-poll against the Windows
//! `mock-bridge`. status, `watch --json --count`, `exec --wait` (through the bridge's 408 and
//! the follow-up), Ctrl-C, Windows paths (drive letters, backslashes, relative to a bridges
//! file), and the exit codes 0, 2, 3, 4 and 124.
//!
//! `ci/cross.sh build-windows` builds the binary; `KIRO_POLL_WINDOWS_EXE` names it (and
//! `WINEPREFIX` the prefix `ci/cross.sh setup` made). Without it these tests say so and skip;
//! `KIRO_POLL_REQUIRE_WINE=1` (set by `.ci/run`) makes that a failure.
#![cfg(target_os = "linux")]

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{assert_exit, kiro};
use serde_json::Value;

const WINE: &str = "/usr/lib/wine/wine64";

/// The Windows binary, or None (after saying why) when it is not there.
fn windows_exe() -> Option<PathBuf> {
    let exe = std::env::var_os("KIRO_POLL_WINDOWS_EXE").map(PathBuf::from);
    let why = match &exe {
        None => "KIRO_POLL_WINDOWS_EXE is not set (ci/cross.sh build-windows prints the path)".to_owned(),
        Some(p) if !p.is_file() => format!("{} does not exist", p.display()),
        Some(_) if !Path::new(WINE).exists() => format!("{WINE} is missing (apt-get install wine64)"),
        Some(_) => return exe,
    };
    common::skip_or_require("KIRO_POLL_REQUIRE_WINE", "the Windows binary under Wine", &why);
    None
}

/// `kiro-poll.exe ARGS` under Wine, with a clean kiro-poll environment.
fn win(exe: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(WINE);
    c.arg(exe).env("WINEDEBUG", "-all");
    for v in ["KIRO_BRIDGE_URL", "KIRO_API_KEY", "KIRO_API_KEY_FILE", "NO_COLOR"] {
        c.env_remove(v);
    }
    c.timeout(Duration::from_secs(60));
    c
}

/// A Linux path as the Windows binary sees it: Wine's Z: drive is `/`.
fn win_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The Windows `mock-bridge` under Wine, and the URL it printed.
fn start_windows_mock(exe: &Path, args: &[&str], key: Option<&str>) -> (common::Spawned, String) {
    let mut cmd = Command::new(WINE);
    cmd.arg(exe)
        .args(["--json", "mock-bridge", "--port", "0"])
        .args(args)
        .env("WINEDEBUG", "-all")
        .env_remove("KIRO_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(k) = key {
        cmd.env("KIRO_API_KEY", k);
    }
    let mut child = common::Spawned::from(cmd.spawn().unwrap());
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, v["url"].as_str().unwrap().to_owned())
}

fn stop(mut child: common::Spawned) {
    child.stop();
}

/// The checks each client makes against a ready bridge that runs `kiro.generateCode` for 2 s.
#[test]
fn the_windows_binary_against_the_linux_mock_bridge() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sc = common::smoke_scenario(dir.path());
    let (mock, url) = common::start_mock_bridge(&common::smoke_args(&sc));
    common::talks_to(|args| win(&exe).args(args).output().unwrap(), &url);

    // 2: a bad URL and a bad flag, one line each.
    let out = win(&exe).args(["--url", "ftp://x", "status"]).output().unwrap();
    assert_exit(&out, 2);
    let out = win(&exe).args(["status", "--no-such-flag"]).output().unwrap();
    common::ended_saying(&out, 2, &["--no-such-flag"]);
    // 3: nobody listens.
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = win(&exe).args(["--url", &dead, "status"]).output().unwrap();
    assert_exit(&out, 3);
    stop(mock);
}

#[test]
fn keys_and_bridges_files_take_windows_paths_and_a_rejected_key_is_4() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (mock, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "s3cret-key-for-wine")]);
    let out = win(&exe).args(["--url", &url, "status"]).output().unwrap();
    assert_exit(&out, 4);

    // The key file by drive letter and backslashes.
    std::fs::write(dir.path().join("key"), "s3cret-key-for-wine\n").unwrap();
    let key = win_path(&dir.path().join("key"));
    let out = win(&exe)
        .args(["--url", &url, "--api-key-file", &key, "--json", "status"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out)[0]["status"], "ready");

    // A bridges file by a Windows path; its key file relative to it, in a subfolder written
    // with a backslash.
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    std::fs::write(dir.path().join("keys").join("k"), "s3cret-key-for-wine").unwrap();
    let toml = format!("[[bridge]]\nname = \"win\"\nurl = \"{url}\"\napi_key_file = 'keys\\k'\n");
    std::fs::write(dir.path().join("bridges.toml"), toml).unwrap();
    let file = win_path(&dir.path().join("bridges.toml"));
    let out = win(&exe)
        .args(["--bridges", &file, "--json", "status"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(lines(&out)[0]["status"], "ready");
    // The key is never printed, whichever way it came.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s3cret"));
    stop(mock);
}

#[test]
fn the_linux_binary_against_the_windows_mock_bridge() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sc = win_path(&common::smoke_scenario(dir.path()));
    let (mock, url) = start_windows_mock(&exe, &["--server-timeout", "1s", "--scenario", &sc], None);
    common::talks_to(|args| kiro().args(args).output().unwrap(), &url);
    stop(mock);

    let (mock, url) = start_windows_mock(&exe, &[], Some("s3cret-key-for-wine"));
    let out = kiro().args(["--url", &url, "status"]).output().unwrap();
    assert_exit(&out, 4);
    let out = kiro()
        .env("KIRO_API_KEY", "s3cret-key-for-wine")
        .args(["--url", &url, "status"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    stop(mock);
}

/// The Windows `watch --json` under Wine, once it printed its snapshot; its stdout to read on.
fn windows_watch(
    exe: &Path,
    url: &str,
    args: &[&str],
    stderr: Stdio,
) -> (common::Spawned, std::io::BufReader<std::process::ChildStdout>) {
    let mut watch = Command::new(WINE)
        .arg(exe)
        .args(["--url", url, "--json", "watch"])
        .args(args)
        .env("WINEDEBUG", "-all")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    let mut out = std::io::BufReader::new(watch.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains(r#""type":"snapshot""#), "{first}");
    (watch, out)
}

/// Wine turns SIGINT into the console's Ctrl-C event: the Windows watch ends with its summary
/// and 130, through tokio's `signal::windows::ctrl_c`.
#[test]
fn ctrl_c_ends_the_windows_watch_with_its_summary_and_130() {
    let Some(exe) = windows_exe() else { return };
    let (mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let (mut watch, mut out) = windows_watch(&exe, &url, &[], Stdio::null());
    // SAFETY: signalling our own child.
    unsafe { libc::kill(watch.id() as i32, libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let status = watch.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    let last: Value = serde_json::from_str(rest.trim_end().lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["reason"], "interrupted");
    stop(mock);
}

/// Windows cannot notice a lost reader while idle: the next line (here a heartbeat) finds the
/// pipe closed, and the watch ends quietly with 0.
#[test]
fn a_closed_pipe_ends_the_windows_watch_at_its_next_line_with_0() {
    let Some(exe) = windows_exe() else { return };
    let (mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let (watch, out) = windows_watch(&exe, &url, &["--heartbeat", "1s"], Stdio::piped());
    drop(out);
    let started = std::time::Instant::now();
    let done = watch.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&done.stderr), "", "quietly");
    assert!(
        // About a second when idle; generous for Wine on a loaded machine.
        started.elapsed() < Duration::from_secs(20),
        "ended at the heartbeat after the reader left: {:?}",
        started.elapsed()
    );
    stop(mock);
}

/// A hook on Windows: `cmd /c` writes the variables it was given to a file, in the hook's own
/// process group, and the watch reports it ran.
#[test]
fn a_hook_runs_on_windows() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let out_file = win_path(&dir.path().join("hook.txt"));
    let out = win(&exe)
        .args([
            "--url", &url, "--json", "watch", "--count", "1", "--on", "snapshot", "--",
        ])
        // Words without spaces (Rust quotes none of them): cmd takes a quoted argument as one
        // command name, and Wine's cmd a space before `>` as part of the name.
        .args(["cmd", "/c", "set", &format!("KIRO>{out_file}")])
        .output()
        .unwrap();
    stop(mock);
    assert_exit(&out, 0);
    let summary = lines(&out).pop().unwrap();
    assert_eq!(
        (summary["hooksRun"].as_u64(), summary["hooksFailed"].as_u64()),
        (Some(1), Some(0)),
        "{summary}"
    );
    let env = std::fs::read_to_string(dir.path().join("hook.txt")).unwrap();
    assert!(
        env.contains("KIRO_EVENT=snapshot") && env.contains("KIRO_STATUS=ready"),
        "{env}"
    );
}

/// `kiro-poll.exe mcp` over stdin/stdout under Wine: the handshake, a tool call against the
/// Linux `mock-bridge`, a line that is not JSON, and stdin closed (exit 0).
#[test]
fn the_windows_binary_serves_mcp_on_stdio() {
    let Some(exe) = windows_exe() else { return };
    let (mock, url) = common::start_mock_bridge(&["--port", "0"]);
    let input = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wine","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        "not json",
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"kiro_status","arguments":{}}}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"kiro_commands","arguments":{"filter":"kiro."}}}"#,
    ]
    .join("\r\n")
        + "\r\n";
    let out = win(&exe)
        .args(["--url", &url, "mcp"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let msgs = lines(&out);
    let by_id = |id: Value| {
        msgs.iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {msgs:?}"))
    };
    assert_eq!(by_id(Value::from(1))["result"]["serverInfo"]["name"], "kiro-poll");
    assert_eq!(by_id(Value::Null)["error"]["code"], -32700);
    let status = &by_id(Value::from(2))["result"];
    assert_eq!(status["isError"], false, "{status}");
    assert_eq!(status["structuredContent"]["status"], "ready");
    let commands = &by_id(Value::from(3))["result"]["structuredContent"];
    assert!(commands["count"].as_u64().is_some_and(|n| n > 0), "{commands}");
    stop(mock);
}

/// `exec --detach` on Windows: the follower is a detached process of its own, the shell's
/// process returns the job's id before the command's end (nothing it holds open keeps a
/// caller's pipe waiting), and `wait` collects the end from the store, at a Windows path.
#[test]
fn a_detached_job_runs_on_windows() {
    let Some(exe) = windows_exe() else { return };
    let (dir, sc) = common::in_temp_dir(
        "long.json",
        r#"{"name":"long","durations":{"kiro.generateCode":"6s"}}"#,
    );
    let (mock, url) = common::real_like_bridge(&sc);
    let store = win_path(&dir.path().join("jobs.db"));
    // stdout is a pipe, as in `id=$(kiro-poll exec … --detach)`. stderr goes to a file: every
    // process Wine starts keeps Wine's own Unix stderr open (its debug channel), whatever
    // Windows handles it was given, so a pipe there would stay open to the follower's end
    // under Wine alone.
    let err = tempfile::NamedTempFile::new().unwrap();
    let detach = || -> (String, Duration) {
        let started = std::time::Instant::now();
        let out = Command::new(WINE)
            .arg(&exe)
            .env("WINEDEBUG", "-all")
            .env("KIRO_POLL_STORE", &store)
            .args(["--url", &url, "exec", "kiro.generateCode", "--detach"])
            .stdin(Stdio::null())
            .stderr(err.reopen().unwrap())
            .output()
            .unwrap();
        assert_exit(&out, 0);
        (
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            started.elapsed(),
        )
    };
    let show = |id: &str| -> Value {
        let out = win(&exe)
            .env("KIRO_POLL_STORE", &store)
            .args(["jobs", "show", id, "--json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (id, took) = detach();
    assert!(
        took < Duration::from_secs(5),
        "detach returned after {took:?}, not before the command's end"
    );
    let out = win(&exe)
        .env("KIRO_POLL_STORE", &store)
        .args(["wait", &id])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let job = show(&id);
    assert_eq!(job["outcome"], "completed", "{job}");

    // A follower ended by force is lost at the next read: its process is asked, not only its
    // heartbeat.
    let (id, _) = detach();
    let pid = show(&id)["pid"].as_u64().unwrap();
    let killed = win(Path::new("taskkill"))
        .args(["/F", "/PID", &pid.to_string()])
        .output()
        .unwrap();
    assert!(killed.status.success(), "{killed:?}");
    common::eventually(Duration::from_secs(5), "the killed follower's job lost", || {
        show(&id)["state"] == "lost"
    });
    stop(mock);
}
