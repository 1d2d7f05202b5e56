//! Watching several bridges from one process, through the real binary: a bridge that is down,
//! one that hangs and one that flaps do not hold up the others; every NDJSON line names its
//! bridge; `--until` across bridges; the bridges file's errors; `status` as a table;
//! `mock-bridge --instances`.

mod common;

use std::io::Write;
use std::time::Duration;

use common::{events, kiro, start_mock_bridge, status_response, RawServer, Sequence, FAST};
use serde_json::Value;
use wiremock::{Mock, MockServer};

fn dead_url() -> String {
    format!("http://127.0.0.1:{}", common::free_port())
}

/// A bridge that accepts connections and never answers.
fn hanging() -> RawServer {
    RawServer::start(|_, _, _, _| {
        common::hang(Duration::from_secs(30));
        false
    })
}

async fn server_with(responder: impl wiremock::Respond + 'static) -> MockServer {
    common::serving("/api/kiro/status", responder).await
}

fn of<'a>(ev: &'a [Value], bridge: &str) -> Vec<&'a Value> {
    ev.iter().filter(|e| e["bridge"] == bridge).collect()
}

fn name(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_down_a_hanging_and_a_flapping_bridge_hold_up_no_other() {
    let steady = server_with(status_response("ready", None)).await;
    let flapping = server_with(Sequence::new(
        (0..200)
            .map(|i| {
                if i % 2 == 0 {
                    status_response("ready", None)
                } else {
                    status_response("busy", Some("kiro.generateCode"))
                }
            })
            .collect(),
    ))
    .await;
    let hang = hanging();
    let dead = dead_url();
    let urls = [steady.uri(), dead.clone(), hang.url(), flapping.uri()];
    let mut cmd = kiro();
    for u in &urls {
        cmd.args(["--url", u]);
    }
    let started = std::time::Instant::now();
    let out = cmd
        .args(["--json", "--request-timeout", "2s", "watch"])
        .args(FAST)
        .args(["--timeout", "3s"])
        .output()
        .unwrap();
    let took = started.elapsed();
    common::assert_exit(&out, 124);
    assert!(took < Duration::from_secs(6), "{took:?}");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ev = events(&out.stdout);
    // Every line names its bridge right after `at`, but the overall summary, which counts them.
    for (line, e) in text.lines().zip(&ev) {
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        if e.get("bridges").is_some() {
            assert_eq!(keys.last().unwrap().as_str(), "bridges", "{line}");
            assert!(e.get("bridge").is_none(), "{line}");
        } else {
            assert_eq!(keys[..3], ["type", "at", "bridge"], "{line}");
        }
    }
    // The flapping bridge was followed at its own pace while the others hung or failed.
    let flaps = of(&ev, &name(&flapping.uri()));
    let changes = flaps.iter().filter(|e| e["type"] == "status_changed").count();
    assert!(
        changes >= 8,
        "flapping bridge: only {changes} status changes in 3 s"
    );
    let hung = of(&ev, &name(&hang.url()));
    assert!(
        hung.iter()
            .any(|e| e["type"] == "unreachable" && e["kind"] == "timeout"),
        "{hung:?}"
    );
    let down = of(&ev, &name(&dead));
    assert!(down.iter().any(|e| e["kind"] == "connect"), "{down:?}");
    let steady_events = of(&ev, &name(&steady.uri()));
    assert_eq!(steady_events[0]["type"], "snapshot");
    assert_eq!(
        steady_events.len(),
        2,
        "a snapshot and a summary: {steady_events:?}"
    );
    let last = ev.last().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["bridges"].as_u64()),
        (Some("summary"), Some(4))
    );
    let polls: u64 = ev
        .iter()
        .filter(|e| e["type"] == "summary" && e.get("bridge").is_some())
        .map(|e| e["polls"].as_u64().unwrap())
        .sum();
    assert_eq!(
        last["polls"].as_u64().unwrap(),
        polls,
        "the overall summary adds up"
    );
}

#[test]
fn until_holds_when_every_bridge_is_in_the_state() {
    let (mut mock, first) = start_mock_bridge(&["--port", "0"]);
    let (mut mock2, second) = start_mock_bridge(&["--port", "0"]);
    let out = kiro()
        .args([
            "--url", &first, "--url", &second, "--json", "watch", "--until", "ready",
        ])
        .args(FAST)
        .args(["--timeout", "10s"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let ev = events(&out.stdout);
    assert_eq!(ev.last().unwrap()["reason"], "until ready");
    mock.stop();
    mock2.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn until_times_out_naming_the_bridges_that_are_not_there() {
    let ready = server_with(status_response("ready", None)).await;
    let busy = server_with(status_response("busy", Some("kiro.generateCode"))).await;
    let out = kiro()
        .args(common::words(&format!(
            "--url {} --url {} watch --until ready",
            ready.uri(),
            busy.uri()
        )))
        .args(FAST)
        .args(["--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(124));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of 2 bridges not ready")
            && err.contains(&name(&busy.uri()))
            && !err.contains(&format!("{} (", name(&ready.uri()))),
        "{err}"
    );
    assert!(err.contains("still busy running kiro.generateCode"), "{err}");
}

#[test]
fn a_bridges_file_drives_the_watch_and_keys_stay_secret() {
    let (mut mock, url) = start_mock_bridge(&["--port", "0"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k"), "sup3r-secret-key").unwrap();
    let file = common::file(dir.path(), "bridges.toml", format!(
            "[defaults]\ninterval_ready = \"100ms\"\n\n[[bridge]]\nname = \"build-1\"\nurl = \"{url}\"\napi_key_file = \"k\"\n\n[[bridge]]\nname = \"build-2\"\nurl = \"{}\"\n",
            dead_url()
        ));
    let out = kiro()
        .args([
            "--bridges",
            file.to_str().unwrap(),
            "--json",
            "-vv",
            "watch",
            "--count",
            "3",
        ])
        .args(["--max-backoff", "200ms"])
        .output()
        .unwrap();
    let ev = events(&out.stdout);
    let b1 = of(&ev, "build-1");
    assert_eq!(b1[0]["type"], "snapshot", "{ev:?}");
    let s1 = b1.last().unwrap();
    assert_eq!(
        (s1["type"].as_str(), s1["polls"].as_u64()),
        (Some("summary"), Some(3))
    );
    assert!(of(&ev, "build-2").iter().any(|e| e["type"] == "unreachable"));
    assert_eq!(out.status.code(), Some(0), "one bridge answered");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("sup3r-secret-key"), "the key leaked: {all}");
    mock.stop();
}

#[test]
fn a_broken_bridges_file_is_one_line_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let cases = [
        (
            "[[bridge]]\nurl = \"http://a:1\"\ninterval_redy = \"1s\"\n",
            ":3: unknown field `interval_redy`",
        ),
        ("[[bridge]]\nurl = 7\n", ":2: url: invalid type"),
        (
            "[[bridge]]\nurl = \"http://a:1\"\n[[bridge]]\nurl = \"http://a:1\"\n",
            ":4: name: duplicate name 'a:1'",
        ),
        (
            "[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"missing\"\n",
            ":3: api_key_file: cannot read",
        ),
    ];
    for (text, want) in cases {
        std::fs::File::create(&file)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        for sub in ["watch", "status"] {
            let out = kiro()
                .args(["--bridges", file.to_str().unwrap(), sub])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{text}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.contains(&format!("{}{want}", file.display())),
                "{text:?}: {err}"
            );
        }
    }
    let out = common::run("--bridges /nonexistent/b.toml --url http://a:1 status");
    assert_eq!(out.status.code(), Some(2), "--bridges and --url together");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_several_is_a_table_and_the_first_failure_decides_the_code() {
    let ready = server_with(status_response("ready", None)).await;
    let busy = server_with(status_response("busy", Some("kiro.generateCode"))).await;
    let dead = dead_url();
    let out = common::run(&format!(
        "--url {} --url {dead} --url {} status",
        ready.uri(),
        busy.uri()
    ));
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert!(
        rows[0].starts_with("BRIDGE") && rows[0].contains("STATE"),
        "{table}"
    );
    assert!(
        rows[1].starts_with(&name(&ready.uri())) && rows[1].contains("ready"),
        "{table}"
    );
    assert!(
        rows[2].contains("unreachable") && rows[2].contains("connect:"),
        "{table}"
    );
    assert!(
        rows[3].contains("busy") && rows[3].contains("running kiro.generateCode"),
        "{table}"
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "a single status gives 3 for a bridge that is down"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 of 3 bridges did not answer"), "{err}");

    let out = common::run(&format!("--url {} --url {dead} --json status", ready.uri()));
    let ev = events(&out.stdout);
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0]["bridge"].as_str(), ev[0]["status"].as_str()),
        (Some(&*name(&ready.uri())), Some("ready"))
    );
    assert_eq!(ev[1]["error"]["kind"], "connect");
    assert_eq!(ev[1]["error"]["exitCode"], 3);
    assert_eq!(out.status.code(), Some(3));

    let out = common::run(&format!("--url {} --url {} status", ready.uri(), busy.uri()));
    assert_eq!(out.status.code(), Some(0), "all answered");
}

#[test]
fn commands_that_take_one_bridge_refuse_several() {
    for sub in [
        &["health"][..],
        &["exec", "x.y"],
        &["commands"],
        &["input", "id", "v"],
    ] {
        let out = kiro()
            .args(["--url", "http://127.0.0.1:1", "--url", "http://127.0.0.1:2"])
            .args(sub)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{sub:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("talks to one bridge"));
    }
}

#[test]
fn mock_bridge_instances_each_have_their_own_port_and_state() {
    let (mut child, urls) = common::start_mock_bridges(&["--port", "0"], 3);
    let distinct: std::collections::HashSet<&String> = urls.iter().collect();
    assert_eq!(distinct.len(), 3, "{urls:?}");
    // A command running on one (8 s in the steady scenario) leaves the others ready.
    let mut exec = common::spawn_kiro(&["--url", &urls[0], "exec", "kiro.generateCode"]);
    let mut states = Vec::new();
    common::eventually(Duration::from_secs(5), "the first bridge busy", || {
        let out = kiro()
            .args([
                "--json", "--url", &urls[0], "--url", &urls[1], "--url", &urls[2], "status",
            ])
            .output()
            .unwrap();
        states = events(&out.stdout)
            .iter()
            .map(|e| e["status"].as_str().unwrap().to_owned())
            .collect();
        states[0] == "busy"
    });
    assert_eq!(states, ["busy", "ready", "ready"]);
    child.stop();
    exec.stop();
}

/// `status` over more bridges than open files allow at once: at most `--max-in-flight`
/// requests at a time, each connection closed after its answer, so 1,500 bridges under a hard
/// limit of 1,024 descriptors all answer (they did not when all were asked at once).
#[cfg(unix)]
#[test]
fn status_of_more_bridges_than_open_files_asks_a_bounded_number_at_once() {
    use std::os::unix::process::CommandExt;
    let (mock, urls) = common::start_mock_bridges(&["--port", "0"], 1500);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"));
    for u in &urls {
        cmd.args(["--url", u]);
    }
    cmd.args(["--json", "status", "--max-in-flight", "64"]);
    // SAFETY: setrlimit between fork and exec touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let mut mock = mock;
    mock.stop();
    common::assert_exit(&out, 0);
    let answered = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(r#""status":"ready""#))
        .count();
    assert_eq!(answered, 1500);
}

/// `--until` over bridges of which one rejects the key can never hold: exit 4 at once, naming
/// it, as a single bridge does (it used to wait for ever).
#[test]
fn until_with_a_bridge_that_rejects_the_key_ends_with_4_at_once() {
    let (mut open, a) = start_mock_bridge(&["--port", "0"]);
    let (mut keyed, b) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "a-long-enough-key")]);
    let started = std::time::Instant::now();
    let out = kiro()
        .args(["--url", &a, "--url", &b, "--json", "watch", "--until", "ready"])
        .args(["--timeout", "20s"])
        .args(FAST)
        .output()
        .unwrap();
    for m in [&mut open, &mut keyed] {
        m.stop();
    }
    common::assert_exit(&out, 4);
    let err = String::from_utf8_lossy(&out.stderr);
    let name = b.trim_start_matches("http://");
    assert!(
        err.contains(&format!("authentication rejected by {name}")),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "not the 20 s timeout"
    );
    // Told as an event of its own, for --json readers and hooks, not only on stderr.
    let ev = common::events(&out.stdout);
    let r = ev
        .iter()
        .find(|e| e["type"] == "rejected")
        .expect("a rejected event");
    assert_eq!(r["bridge"], name, "{r}");
    assert!(r["message"].as_str().unwrap().contains("401"), "{r}");
    assert!(
        !err.contains("no longer polled"),
        "the event says it, not a log line: {err}"
    );
}

/// Back from Ctrl-Z (SIGCONT) a fleet polls at once instead of waiting out its timers, as a
/// single bridge's watch does (it used to send nothing until the next interval).
#[cfg(unix)]
#[test]
fn sigcont_polls_every_bridge_at_once() {
    use std::io::BufRead;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let a = rt.block_on(common::scripted(vec![status_response("ready", None)]));
    let b = rt.block_on(common::scripted(vec![status_response("ready", None)]));
    let mut child = common::spawn_kiro(&common::words(&format!(
        "--url {} --url {} --json watch --count 2 --interval-ready 10m",
        a.uri(),
        b.uri()
    )));
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    for _ in 0..2 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.contains("snapshot"), "{line}");
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
    let what = "still waiting for a 10m timer after SIGCONT";
    let status = common::wait_at_most(&mut child, Duration::from_secs(10), what);
    assert_eq!(status.code(), Some(0));
    for server in [&a, &b] {
        assert_eq!(rt.block_on(server.received_requests()).unwrap().len(), 2);
    }
}

/// The heartbeat of a fleet counts from the last line written, as one bridge's does: quiet
/// bridges get a heartbeat each once nothing was printed for `--heartbeat`.
#[test]
fn a_quiet_fleet_beats_once_nothing_was_printed_for_the_heartbeat() {
    let (mut mock, urls) = common::start_mock_bridges(&["--port", "0"], 2);
    let out = kiro()
        .args(["--url", &urls[0], "--url", &urls[1], "--json", "watch"])
        .args(common::words(
            "--heartbeat 1s --interval-ready 10m --timeout 3500ms",
        ))
        .output()
        .unwrap();
    mock.stop();
    common::assert_exit(&out, 124);
    let ev = events(&out.stdout);
    let beats: Vec<&Value> = ev.iter().filter(|e| e["type"] == "heartbeat").collect();
    // Snapshots at about 0 s; then a heartbeat for each bridge at about 1, 2 and 3 s, and no
    // more (a fleet's own lines once did not count as lines: a heartbeat every loop). Counted
    // per bridge, with room for a loaded machine: each gets its share, never hundreds.
    let of = |u: &str| {
        beats
            .iter()
            .filter(|b| b["bridge"] == u.trim_start_matches("http://"))
            .count()
    };
    let (a, b) = (of(&urls[0]), of(&urls[1]));
    assert!(
        (1..=4).contains(&a) && (1..=4).contains(&b) && a.abs_diff(b) <= 1,
        "{a} and {b} heartbeats"
    );
    assert!(beats.iter().all(|b| b["status"] == "ready"));
}

/// `-vv` request logs into a stderr nobody reads: once its pipe is full, a writer on the
/// polling loop would block every poll. Queued off the loop, the watch ends on time.
#[test]
fn a_stuck_stderr_never_stalls_the_polls() {
    let (mut mock, urls) = common::start_mock_bridges(&["--port", "0"], 40);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"));
    for u in &urls {
        cmd.args(["--url", u]);
    }
    let mut child = cmd
        .args(common::words(
            "-vv --json watch --count 15 --interval-ready 100ms",
        ))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped()) // never read
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut b);
        b
    });
    let status = common::wait_at_most(
        &mut child,
        Duration::from_secs(20),
        "the polls stalled behind stderr",
    );
    mock.stop();
    assert_eq!(status.code(), Some(0));
    let out = reader.join().unwrap();
    let summary = String::from_utf8_lossy(&out)
        .lines()
        .last()
        .unwrap_or("")
        .to_owned();
    assert!(summary.contains(r#""polls":600"#), "{summary}");
}

/// 20 bridges that accept and never answer, listed before 3 that answer, with 4 polls in
/// flight: the first round would hold every slot for 20 × 5 s / 4 = 25 s if first polls kept
/// their slots to the request timeout. They give them up after a second while others wait, so
/// the answering bridges are on their interval within about 6 s.
#[tokio::test(flavor = "multi_thread")]
async fn first_polls_of_hanging_bridges_hold_no_slot_for_long() {
    let hang = hanging();
    let steady = MockServer::start().await;
    Mock::given(wiremock::matchers::path_regex("^/ok[0-9]/api/kiro/status$"))
        .respond_with(status_response("ready", None))
        .mount(&steady)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut file = String::new();
    for i in 0..20 {
        file += &format!("[[bridge]]\nname = \"hang-{i}\"\nurl = \"{}/h{i}\"\n", hang.url());
    }
    for i in 0..3 {
        file += &format!(
            "[[bridge]]\nname = \"ok-{i}\"\nurl = \"{}/ok{i}\"\n",
            steady.uri()
        );
    }
    let path = common::file(dir.path(), "bridges.toml", file);
    let out = kiro()
        .args(["--json", "--request-timeout", "5s", "--bridges"])
        .arg(&path)
        .args(["watch", "--max-in-flight", "4", "--interval-ready", "1s"])
        .args(["--timeout", "9s"])
        .output()
        .unwrap();
    common::assert_exit(&out, 124);
    let ev = events(&out.stdout);
    for i in 0..3 {
        let name = format!("ok-{i}");
        let summary = of(&ev, &name)
            .into_iter()
            .find(|e| e["type"] == "summary")
            .unwrap();
        assert!(
            summary["polls"].as_u64().unwrap() >= 3,
            "{name} was polled only {} times in 9 s",
            summary["polls"]
        );
    }
    let gave_up = of(&ev, "hang-0")
        .into_iter()
        .find(|e| e["type"] == "unreachable")
        .unwrap();
    assert_eq!(gave_up["kind"], "timeout");
    assert!(
        gave_up["message"]
            .as_str()
            .unwrap()
            .contains("while other bridges waited for a slot"),
        "{gave_up}"
    );
}

/// A label name that may be a pasted key is not repeated in the usage error; a typo is.
#[test]
fn a_wrong_label_name_that_may_be_a_key_is_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let secret = "sk-live-9f8e7d6c5b4a39281706";
    std::fs::write(
        &file,
        format!(
            "[[bridge]]\nname = \"a\"\nurl = \"http://127.0.0.1:9\"\nlabels = {{ \"{secret}\" = \"x\" }}\n"
        ),
    )
    .unwrap();
    let out = common::kiro()
        .args(["--bridges", file.to_str().unwrap(), "status"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(secret), "{err}");
    assert!(err.contains("is not a label name"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
