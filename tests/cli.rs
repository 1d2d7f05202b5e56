//! The real binary against wiremock: output of the one-shot commands, every exit code, usage
//! errors as one line, the key never shown, colour rules, and a closed stdout.

mod common;

use std::io::{BufRead, BufReader};

use common::{fixture, json_fixture, kiro};
use predicates::prelude::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_prints_the_state() {
    let s = common::serving("/api/kiro/status", json_fixture(200, "status_busy.json")).await;
    let out = common::run(&format!("--url {} status", s.uri()));
    let text = common::printed(&out, &["state     busy", "running   kiro.generateCode"]);
    assert!(text.contains("version   1.85.0") && text.contains("commands  1 available"));
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_json_is_the_bridge_fields() {
    let s = common::serving("/api/kiro/status", json_fixture(200, "status_ready.json")).await;
    let out = common::run(&format!("--url {} status --json", s.uri()));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut want: serde_json::Value = serde_json::from_str(&fixture("status_ready.json")).unwrap();
    // The bridge first, as for several bridges and as when it does not answer: one shape.
    let bridge = s.uri().trim_start_matches("http://").to_owned();
    want.as_object_mut()
        .unwrap()
        .insert("bridge".into(), bridge.clone().into());
    assert_eq!(got, want);
    assert_eq!(text.find("\"bridge\""), Some(1), "{text}");
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let out = common::run(&format!("--url {dead} status --json"));
    let failed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        failed["bridge"].is_string() && failed["error"]["kind"] == "connect",
        "{failed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_healthy_and_unhealthy() {
    let s = common::serving("/health", json_fixture(200, "health_healthy.json")).await;
    let out = common::run(&format!("--url {} health", s.uri()));
    common::printed(&out, &["healthy", "running on localhost:3001, up 1h"]);
    let s = common::serving("/health", json_fixture(500, "health_unhealthy.json")).await;
    kiro()
        .args(["--url", &s.uri(), "health"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("unhealthy"))
        .stderr(predicate::str::contains("unhealthy: Internal server error"));
    let out = common::run(&format!("--url {} health --json", s.uri()));
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "unhealthy");
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_are_sorted_filtered_and_json() {
    let s = common::serving("/api/kiro/status", json_fixture(200, "status_ready.json")).await;
    kiro()
        .args(["--url", &s.uri(), "commands"])
        .assert()
        .success()
        .stdout("kiro.generateCode\nvscode.open\nworkbench.action.showCommands\n");
    kiro()
        .args(["--url", &s.uri(), "commands", "--filter", "OPEN"])
        .assert()
        .success()
        .stdout("vscode.open\n");
    let out = common::run(&format!("--url {} --json commands", s.uri()));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["count"], 3);
    assert_eq!(v["commands"][0], "kiro.generateCode");
}

#[test]
fn bad_flags_are_one_short_block_and_exit_2() {
    for (args, needle) in [
        (vec!["status", "--bogus"], "--bogus"),
        (vec!["--url", "ftp://x", "status"], "--url"),
        (vec!["--request-timeout", "soon", "status"], "--request-timeout"),
        (vec!["watch", "--interval-busy", "10ms"], "--interval-busy"),
        (vec!["watch", "--until", "sleeping"], "sleeping"),
        (vec!["--color", "purple", "status"], "--color"),
    ] {
        let out = kiro().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert!((2..=4).contains(&lines.len()), "{args:?}: {err}");
        assert!(
            lines[0].starts_with("kiro-poll: error: ") && lines[0].contains(needle),
            "{args:?}: {err}"
        );
        assert!(
            lines.last().unwrap().starts_with("  see 'kiro-poll "),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// A typo keeps clap's suggestion, and the pointer names the subcommand's own help.
#[test]
fn usage_errors_keep_the_suggestion_and_name_the_subcommands_help() {
    for (args, says) in [
        (
            vec!["watch", "--untill", "ready"],
            vec![
                "kiro-poll: error: unexpected argument '--untill' found",
                "  tip: a similar argument exists: '--until'",
                "  see 'kiro-poll watch --help'",
            ],
        ),
        (
            vec!["exce", "kiro.x"],
            vec![
                "kiro-poll: error: unrecognized subcommand 'exce'",
                "  tip: a similar subcommand exists: 'exec'",
                "  see 'kiro-poll --help'",
            ],
        ),
        (
            vec!["exec"],
            vec![
                "kiro-poll: error: the following required arguments were not provided: <COMMAND>",
                "  see 'kiro-poll exec --help'",
            ],
        ),
        (
            vec!["--url", "localhost:3001", "status"],
            vec![
                "kiro-poll: error: invalid value for '--url <URL>': scheme must be http or https, not localhost; did you mean http://localhost:3001?",
                "  see 'kiro-poll status --help'",
            ],
        ),
    ] {
        let out = kiro().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_of(&out);
        for line in says {
            assert!(err.lines().any(|l| l == line), "{args:?}: no {line:?} in\n{err}");
        }
    }
    // A URL that may hold a password is never repeated, nor suggested back.
    let out = common::run("--url me:s3cret@host:1 status");
    let err = stderr_of(&out);
    assert!(!err.contains("s3cret") && !err.contains("did you mean"), "{err}");
}

#[test]
fn a_bad_env_url_is_a_usage_error() {
    let out = kiro()
        .env("KIRO_BRIDGE_URL", "localhost:3001")
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--url"));
}

#[test]
fn a_missing_key_file_is_a_usage_error() {
    kiro()
        .args(["--api-key-file", "/nonexistent/key", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--api-key-file"));
}

#[test]
fn help_ends_with_an_example() {
    for cmd in [
        "status",
        "health",
        "commands",
        "watch",
        "exec",
        "input",
        "mock-bridge",
        "demo",
        "completions",
    ] {
        let out = kiro().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        // The exit-code table, where there is one, comes after the examples.
        let text = text.split("\nExit codes:\n").next().unwrap().to_owned();
        let tail: Vec<&str> = text.trim_end().lines().rev().take(4).collect();
        assert!(
            tail.iter().any(|l| l.trim_start().starts_with("kiro-poll ")),
            "{cmd}: {text}"
        );
    }
}

#[test]
fn unreachable_is_exit_3_with_a_hint() {
    let port = common::free_port();
    kiro()
        .args(["--url", &format!("http://127.0.0.1:{port}"), "status"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot reach the bridge"))
        .stderr(predicate::str::contains("; hint: is Kiro running"))
        .stderr(predicate::function(|e: &str| e.lines().count() == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_for_bridge_answers() {
    let cases: [(&str, ResponseTemplate, i32, &str); 5] = [
        (
            "401",
            json_fixture(401, "error_401.json"),
            4,
            "Valid API key required",
        ),
        ("403", json_fixture(403, "error_401.json"), 4, "HTTP 403"),
        (
            "503",
            json_fixture(503, "execute_503.json"),
            5,
            "KIRO_UNAVAILABLE",
        ),
        (
            "nonsense",
            ResponseTemplate::new(200).set_body_raw("{\"status\":", "application/json"),
            3,
            "not JSON",
        ),
        (
            "unknown state",
            json_fixture(200, "status_bad_state.json"),
            3,
            "unknown variant",
        ),
    ];
    for (name, resp, code, needle) in cases {
        let s = common::serving("/api/kiro/status", resp).await;
        let out = kiro().args(["--url", &s.uri(), "status"]).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        assert!(stderr_of(&out).contains(needle), "{name}: {}", stderr_of(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_never_appears_in_any_output() {
    let key = "kp-SECRET-7f3a9c";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/kiro/status"))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {key}").as_str(),
        ))
        .respond_with(json_fixture(200, "status_ready.json").insert_header("etag", "\"a\""))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_fixture(401, "error_401.json"))
        .mount(&server)
        .await;
    let (_dir, keyfile) = common::in_temp_dir("key", key);
    let runs = [
        kiro()
            .env("KIRO_API_KEY", key)
            .args(["--url", &server.uri(), "-vv", "status"])
            .output()
            .unwrap(),
        kiro()
            .env("KIRO_API_KEY", key)
            .args(["--url", &server.uri(), "-vv", "--json", "status"])
            .output()
            .unwrap(),
        common::run(&format!(
            "--api-key-file {} --url {} -vv health",
            keyfile.to_str().unwrap(),
            server.uri()
        )),
        kiro()
            .env("KIRO_API_KEY", key)
            .args(common::words(&format!(
                "--url {} -vv watch --count 2 --interval-ready 100ms",
                server.uri()
            )))
            .output()
            .unwrap(),
    ];
    assert!(runs[0].status.success(), "{}", stderr_of(&runs[0]));
    assert_eq!(
        runs[2].status.code(),
        Some(4),
        "health without the key header match is 401 here"
    );
    for out in &runs {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr_of(out));
        assert!(!all.contains(key), "key leaked: {all}");
        assert!(!all.contains("SECRET"), "key leaked: {all}");
    }
    assert!(
        stderr_of(&runs[0]).contains("-> 200"),
        "-vv logs requests: {}",
        stderr_of(&runs[0])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bridge_that_echoes_the_key_never_gets_it_printed() {
    let key = "kp-ECHOED-51d2e8";
    let echo = format!("Invalid key: Bearer {key}");
    let server = common::serving(
        "/api/kiro/status",
        ResponseTemplate::new(500).set_body_json(serde_json::json!({"error": "Internal", "message": echo})),
    )
    .await;
    Mock::given(path("/api/kiro/execute"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"success": false, "output": format!("saw {key}"), "error": echo, "executionTimeMs": 1}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/health"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "Unauthorized", "message": echo})),
        )
        .mount(&server)
        .await;
    let runs: Vec<std::process::Output> = [
        vec!["-vv", "status"],
        vec!["-vv", "health"],
        vec!["--json", "watch", "--count", "2", "--interval-error", "100ms"],
        vec!["watch", "--count", "2", "--interval-error", "100ms"],
        vec!["exec", "x"],
        vec!["--json", "exec", "x"],
    ]
    .into_iter()
    .map(|args| {
        kiro()
            .env("KIRO_API_KEY", key)
            .args(["--url", &server.uri()])
            .args(args)
            .output()
            .unwrap()
    })
    .collect();
    for out in &runs {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr_of(out));
        assert!(!all.contains("ECHOED"), "key printed: {all}");
        assert!(
            all.contains("Bearer ***"),
            "the rest of the message is kept: {all}"
        );
    }
}

#[test]
fn credentials_in_the_url_are_redacted() {
    let port = common::free_port();
    let out = common::run(&format!("--url http://admin:hunter2@127.0.0.1:{port} -vv status"));
    let err = common::ended_saying(&out, 3, &["***"]);
    assert!(!err.contains("hunter2") && !err.contains("admin"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn colour_follows_tty_no_color_and_the_flag() {
    let s = common::serving("/api/kiro/status", json_fixture(200, "status_ready.json")).await;
    let esc = |out: std::process::Output| String::from_utf8_lossy(&out.stdout).contains('\u{1b}');
    assert!(
        !esc(kiro().args(["--url", &s.uri(), "status"]).output().unwrap()),
        "pipe: plain"
    );
    assert!(esc(kiro()
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .args(["--url", &s.uri(), "status"])
        .output()
        .unwrap()));
    assert!(!esc(kiro()
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .env("NO_COLOR", "1")
        .args(["--url", &s.uri(), "status"])
        .output()
        .unwrap()));
    assert!(!esc(kiro()
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .args(["--url", &s.uri(), "--color", "never", "status"])
        .output()
        .unwrap()));
    assert!(esc(common::run(&format!(
        "--url {} --color always status",
        s.uri()
    ))));
    assert!(!esc(kiro()
        .env("KIRO_POLL_ASSUME_TTY", "1")
        .args(["--url", &s.uri(), "--json", "status"])
        .output()
        .unwrap()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_ends_quietly() {
    let many: Vec<String> = (0..30_000)
        .map(|i| format!("kiro.command.number{i:05}"))
        .collect();
    let body =
        serde_json::json!({"status": "ready", "availableCommands": many, "timestamp": "t"}).to_string();
    let s = common::serving(
        "/api/kiro/status",
        ResponseTemplate::new(200).set_body_raw(body, "application/json"),
    )
    .await;
    let mut child = common::spawn_kiro(&["--url", &s.uri(), "commands"]);
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "kiro.command.number00000\n");
    // The reader is gone (like `| head -1`).
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr_of(&out), "", "quiet");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remote_bridge_is_reached_through_the_proxy_and_loopback_never_is() {
    // The "proxy" is a local server that answers the proxied request itself.
    let proxy = common::serving("/api/kiro/status", json_fixture(200, "status_ready.json")).await;
    let out = kiro()
        .env("HTTP_PROXY", proxy.uri())
        .args(["--url", "http://bridge.example.invalid:3001", "--json", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let reqs = proxy.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].url.host_str(),
        Some("bridge.example.invalid"),
        "sent to the proxy in absolute form"
    );

    // NO_PROXY names the host: direct (and so unreachable here: exit 3).
    let out = kiro()
        .env("http_proxy", proxy.uri())
        .env("NO_PROXY", "example.invalid")
        .args(common::words(
            "--url http://bridge.example.invalid:3001 status --request-timeout 2s",
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        proxy.received_requests().await.unwrap().len(),
        1,
        "not through the proxy"
    );

    // NO_PROXY by reqwest's rules: a CIDR block, an IPv6 one; an address outside them is
    // proxied. (10.255.255.1 and fd00::1 are reached by nobody here: direct is exit 3.)
    for (url, no_proxy, code, proxied) in [
        ("http://10.255.255.1:3001", "10.0.0.0/8", 3, 1),
        ("http://10.255.255.1:3001", "192.168.0.0/16, .corp", 0, 2),
        ("http://[fd00::1]:3001", "fd00::/8", 3, 2),
    ] {
        let out = kiro()
            .env("HTTP_PROXY", proxy.uri())
            .env("no_proxy", no_proxy)
            .args(["--url", url, "status", "--request-timeout", "2s"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{url} {no_proxy}: {}",
            stderr_of(&out)
        );
        assert_eq!(
            proxy.received_requests().await.unwrap().len(),
            proxied,
            "{url} with no_proxy {no_proxy}"
        );
    }

    // A loopback bridge is reached directly even with a proxy set (here a dead one).
    let bridge = common::serving("/api/kiro/status", json_fixture(200, "status_ready.json")).await;
    let out = kiro()
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .args(["--url", &bridge.uri(), "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

/// `--version` names the version and the target, for bug reports; so does each subcommand's.
#[test]
fn version_names_the_target() {
    let want = format!(
        "kiro-poll {} ({})\n",
        env!("CARGO_PKG_VERSION"),
        env!("KIRO_POLL_TARGET")
    );
    assert!(env!("KIRO_POLL_TARGET").contains('-'), "not a target triple");
    for (args, name) in [
        (&["--version"][..], "kiro-poll"),
        (&["-V"], "kiro-poll"),
        (&["watch", "--version"], "kiro-poll-watch"),
    ] {
        let out = kiro().args(args).output().unwrap();
        assert!(out.status.success());
        let want = want.replacen("kiro-poll", name, 1);
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{args:?}");
    }
}

/// A key as short as `3` is redacted in string values only: every `--json` line stays JSON,
/// with its numbers as numbers (it read `"polls":***`).
#[test]
fn a_short_key_leaves_the_ndjson_whole() {
    let (mut mock, url) = common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "3")]);
    let out = kiro()
        .env("KIRO_API_KEY", "3")
        .args(common::words(&format!(
            "--url {url} --json watch --count 3 --interval-ready 100ms"
        )))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let lines = common::events(&out.stdout);
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["polls"], 3, "{summary}");
    mock.stop();
}

/// The exit codes are where people look: `help exit-codes`, the end of `exec --help` and
/// `watch --help`, and the man page's EXIT STATUS.
#[test]
fn exit_codes_are_in_the_help_the_man_page_and_a_topic_of_their_own() {
    let topic = common::run("help exit-codes");
    let text = common::printed(&topic, &["  0    done", "  6    exec: the outcome is unknown"]);
    assert!(text.contains("  124  timed out") && text.contains("  130  interrupted"));
    for cmd in ["exec", "watch"] {
        let help = kiro().args([cmd, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        let table = help
            .split("Exit codes:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("no table in {cmd} --help:\n{help}"));
        assert!(
            table.contains("  3    the bridge is unreachable") && table.contains("  124  timed out"),
            "{table}"
        );
    }
    let root = kiro().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&root.stdout).contains("Exit codes: kiro-poll help exit-codes"));
    let man = common::run("completions man");
    let man = String::from_utf8_lossy(&man.stdout);
    let section = man
        .split(".SH \"EXIT STATUS\"")
        .nth(1)
        .expect("an EXIT STATUS section");
    assert!(
        section.contains("\\fB124\\fR") && section.contains("\\fB4\\fR"),
        "{section}"
    );
}

/// What cannot be reached is named: one bridge's `status --json` prints its error object (as
/// the many-bridge form does), and a watch's `unreachable` line names the URL and gives the
/// hint `status` gives, once.
#[test]
fn what_cannot_be_reached_is_named() {
    let url = format!("http://127.0.0.1:{}", common::free_port());
    let out = common::run(&format!("--url {url} --json status"));
    assert_eq!(out.status.code(), Some(3));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    assert_eq!(line["error"]["kind"], "connect", "{line}");
    assert_eq!(line["error"]["exitCode"], 3, "{line}");
    assert!(
        line["bridge"].as_str().is_some_and(|b| url.ends_with(b)),
        "{line}"
    );
    let out = common::run(&format!("--url {url} watch --count 3 --max-backoff 1s"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = stderr_of(&out);
    let first = stdout
        .lines()
        .find(|l| l.contains("unreachable"))
        .expect("an unreachable line");
    assert!(first.contains(&format!("{url}/: connect: ")), "{stdout}");
    assert_eq!(
        stderr
            .matches("hint: is Kiro running with the Communication Bridge extension?")
            .count(),
        1,
        "{stderr}"
    );
}

/// Each command's help lists its own options first and the global ones under their own
/// heading; `--bridges` and `--shard` are offered only where they do something, and an option
/// given where it does nothing is a usage error.
#[test]
fn help_has_headings_and_options_only_where_they_do_something() {
    let help = |cmd: &str| String::from_utf8(kiro().args([cmd, "--help"]).output().unwrap().stdout).unwrap();
    let exec = help("exec");
    let own = exec.find("\nOptions:\n").expect("Options");
    let global = exec.find("\nGlobal options:\n").expect("Global options");
    assert!(
        own < global && exec[own..global].contains("--wait") && exec[global..].contains("--url"),
        "{exec}"
    );
    for cmd in ["exec", "mcp", "mock-bridge", "input", "health"] {
        let h = help(cmd);
        assert!(!h.contains("--bridges") && !h.contains("--shard"), "{cmd}: {h}");
    }
    let watch = help("watch");
    let mut at = 0;
    for heading in [
        "Bridges:",
        "Ending:",
        "Output:",
        "Polling:",
        "Exporter:",
        "Hooks:",
        "Global options:",
    ] {
        let i = watch
            .find(&format!("\n{heading}\n"))
            .unwrap_or_else(|| panic!("{heading} in {watch}"));
        assert!(i > at, "{heading} in order");
        at = i;
    }
    assert!(watch.contains("--bridges <PATH>") && watch.contains("--shard <K/N>"));
    for (args, says) in [
        (
            vec!["mock-bridge", "--url", "http://x:1"],
            "'--url' does nothing with mock-bridge",
        ),
        (
            vec!["--request-timeout", "2s", "mock-bridge"],
            "'--request-timeout' does nothing with mock-bridge",
        ),
        (
            vec!["exec", "x", "--shard", "0/2"],
            "unexpected argument '--shard'",
        ),
        (
            vec!["--bridges", "b.toml", "exec", "x"],
            "'--bridges' does nothing with exec",
        ),
        (
            vec!["--url", "http://x:1", "watch", "--bridges", "b.toml"],
            "'--bridges <PATH>' cannot be used with '--url <URL>'",
        ),
    ] {
        let out = kiro().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr_of(&out).contains(says), "{args:?}: {}", stderr_of(&out));
    }
}

/// `-h` is the common options and a pointer; `--help` every option, grouped, and the exit codes.
#[test]
fn short_help_is_a_summary_and_long_help_is_everything() {
    for (cmd, rare) in [("watch", "--interval-error"), ("exec", "--follow-interval")] {
        let short = kiro().args([cmd, "-h"]).output().unwrap();
        let long = kiro().args([cmd, "--help"]).output().unwrap();
        let (short, long) = (
            String::from_utf8(short.stdout).unwrap(),
            String::from_utf8(long.stdout).unwrap(),
        );
        assert!(
            short.lines().count() < 60,
            "{cmd} -h: {} lines",
            short.lines().count()
        );
        assert!(!short.contains(rare), "{cmd} -h lists {rare}");
        assert!(
            short.trim_end().ends_with(&format!("kiro-poll {cmd} --help")),
            "{short}"
        );
        assert!(
            long.contains(rare) && long.contains("Exit codes:"),
            "{cmd} --help"
        );
        assert!(!short.contains("Exit codes:"), "{cmd} -h");
    }
}
