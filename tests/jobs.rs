//! Jobs through the binary: `exec --detach` returns at once and a follower in the background
//! follows the command as `--wait` does; `wait` collects it with exec's exit code; `jobs`
//! lists and shows the store; a follower that dies leaves a `lost` job, never one running for
//! ever. Against `mock-bridge --like real --server-timeout 1s` (the real bridge's 408 and its
//! connection closed at the command's end, scaled down) and wiremock.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{assert_exit, eventually, kiro, Sim};
use serde_json::Value;
use wiremock::{MockServer, ResponseTemplate};

/// A store of the test's own.
struct Store {
    _dir: tempfile::TempDir,
    path: String,
}

impl Store {
    fn new() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.db").to_string_lossy().into_owned();
        Store { _dir: dir, path }
    }

    /// `kiro-poll` with this store.
    fn kiro(&self) -> assert_cmd::Command {
        let mut c = kiro();
        c.env("KIRO_POLL_STORE", &self.path);
        c
    }

    /// This binary run with the words of `line` as its arguments.
    fn run(&self, line: &str) -> std::process::Output {
        self.kiro().args(line.split_whitespace()).output().unwrap()
    }

    fn show(&self, id: &str) -> Value {
        let out = self.run(&format!("jobs show {id} --json"));
        assert_exit(&out, 0);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `exec CMD --detach` on `url` from a shell that exits at once; the id it printed, and
    /// how long the shell took.
    fn detach(&self, url: &str, command: &str, extra: &str) -> (String, Duration) {
        let bin = assert_cmd::cargo::cargo_bin("kiro-poll");
        let started = Instant::now();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec '{}' --url {url} exec {command} --detach --follow-interval 200ms {extra}",
                bin.display()
            ))
            .env("KIRO_POLL_STORE", &self.path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_exit(&out, 0);
        let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert!(id.parse::<i64>().is_ok(), "an id on stdout, not {id:?}");
        (id, took)
    }
}

/// A wiremock bridge whose execute route answers `answer`, and the runtime it runs on.
fn execute_answers(answer: ResponseTemplate) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bridge = rt.block_on(async { common::serving("/api/kiro/execute", answer).await });
    (rt, bridge)
}

fn long_sim(length: &str) -> Sim {
    Sim::start(length, &["--like", "real", "--server-timeout", "1s"], &[])
}

#[test]
fn a_detached_command_returns_at_once_and_wait_collects_its_end() {
    let sim = long_sim("3s");
    let store = Store::new();
    let (id, took) = store.detach(&sim.url, "kiro.long", "");
    // The point of --detach: the shell has its prompt back long before the command's end
    // (the release binary takes well under 200 ms; a debug build under load, more).
    assert!(took < Duration::from_secs(2), "detach took {took:?}");
    let job = store.show(&id);
    assert_eq!(job["state"], "running", "{job}");
    assert_eq!(job["detached"], true);
    assert!(
        job["pid"].as_u64().is_some() && job["heartbeatAt"].is_string(),
        "{job}"
    );
    let out = store.kiro().args(["wait", &id]).output().unwrap();
    assert_exit(&out, 0);
    let job = store.show(&id);
    assert_eq!(job["state"], "ended", "{job}");
    assert_eq!(job["outcome"], "completed", "{job}");
    assert_eq!(job["observedBy"], "connection", "{job}");
    assert_eq!(job["exitCode"], 0);
    assert!(job["tookMs"].as_u64().unwrap() >= 2500, "{job}");
    assert_eq!(sim.executes(), 1, "one execute: {:?}", sim.served());
}

#[test]
fn wait_exits_as_exec_would_have_failed_unknown_or_timed_out() {
    // Failed: the bridge's answer after the grace says so.
    let store = Store::new();
    let (rt, bridge) = execute_answers(
        ResponseTemplate::new(200)
            .set_body_raw(r#"{"success":false,"error":"no such file"}"#, "application/json")
            .set_delay(Duration::from_millis(600)),
    );
    let (id, _) = store.detach(&bridge.uri(), "vscode.open", "");
    let out = store.kiro().args(["wait", &id]).output().unwrap();
    common::ended_saying(&out, 1, &["no such file"]);
    let posts = rt.block_on(bridge.received_requests()).unwrap();
    assert_eq!(
        posts
            .iter()
            .filter(|r| r.url.path() == "/api/kiro/execute")
            .count(),
        1
    );

    // Unknown: the bridge is killed during the follow (after its 408).
    let mut sim = long_sim("8s");
    let (id, _) = store.detach(&sim.url, "kiro.long", "");
    eventually(Duration::from_secs(10), "the 408 recorded", || {
        store.show(&id)["answeredAt"].is_string()
    });
    sim.child.stop();
    let out = store.kiro().args(["wait", &id]).output().unwrap();
    assert_exit(&out, 6);
    assert_eq!(store.show(&id)["outcome"], "unknown");

    // Timed out: wait's own --timeout ends the wait, not the job.
    let sim = long_sim("10s");
    let (id, _) = store.detach(&sim.url, "kiro.long", "");
    let out = store.run(&format!("wait {id} --timeout 500ms"));
    common::ended_saying(&out, 124, &["still running"]);
    assert_eq!(store.show(&id)["state"], "running");
}

#[cfg(unix)]
#[test]
fn a_follower_killed_leaves_a_lost_job_not_a_running_one() {
    let sim = long_sim("20s");
    let store = Store::new();
    let (id, _) = store.detach(&sim.url, "kiro.long", "");
    let pid = store.show(&id)["pid"].as_u64().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // Its process is gone: the next read says lost (at most a heartbeat later where the
    // process cannot be asked).
    eventually(Duration::from_secs(5), "the job lost", || {
        store.show(&id)["state"] == "lost"
    });
    let job = store.show(&id);
    assert!(
        job["error"].as_str().unwrap().contains(&format!("pid {pid}")),
        "{job}"
    );
    let out = store.kiro().args(["wait", &id]).output().unwrap();
    assert_exit(&out, 6);
}

#[test]
fn what_is_known_before_the_follow_is_exec_detachs_own_answer() {
    let store = Store::new();
    let (_rt, bridge) = execute_answers(
        ResponseTemplate::new(401)
            .set_body_raw(r#"{"success":false,"error":"Unauthorized"}"#, "application/json"),
    );
    let detach = |url: &str, cmd: &str| store.run(&format!("--url {url} exec {cmd} --detach"));
    assert_exit(&detach(&bridge.uri(), "kiro.x"), 4);
    let port = common::free_port();
    let out = detach(&format!("http://127.0.0.1:{port}"), "kiro.x");
    common::ended_saying(&out, 3, &["cannot reach the bridge"]);
    // A quick answer: its output, as exec prints it.
    let sim = long_sim("3s");
    let out = store.run(&format!("--url {} exec kiro.nope --detach", sim.url));
    assert_exit(&out, 1);
    // Each is on record, ended.
    let out = store.run("jobs --json");
    assert_exit(&out, 0);
    let jobs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<&str> = jobs.iter().map(|j| j["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["failed", "unreachable", "unauthorized"]);
    assert!(jobs.iter().all(|j| j["state"] == "ended"));
}

#[test]
fn jobs_json_is_what_the_schema_says_and_a_cursor_tells_each_change_once() {
    let store = Store::new();
    let sim = long_sim("2s");
    let start = {
        let out = store.run(&format!("--url {} exec kiro.nope", sim.url));
        assert_exit(&out, 1);
        store.show("1")["cursor"].as_str().unwrap().to_owned()
    };
    let (id, _) = store.detach(&sim.url, "kiro.long", "--workspace /tmp/a");
    let listed = |since: &str| -> Vec<Value> {
        let out = store.run(&format!("jobs --since {since} --json"));
        assert_exit(&out, 0);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let first = listed(&start);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["state"], "running");
    let cursor = first[0]["cursor"].as_str().unwrap().to_owned();
    assert!(listed(&cursor).is_empty(), "nothing changed yet");
    let out = store.kiro().args(["wait", &id]).output().unwrap();
    assert_exit(&out, 0);
    let ended = listed(&cursor);
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["state"], "ended");
    assert!(listed(ended[0]["cursor"].as_str().unwrap()).is_empty());

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/job.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let out = store.run("jobs --json");
    let all: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(all.len(), 2);
    for j in &all {
        let errors: Vec<String> = validator.iter_errors(j).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{j}: {errors:?}");
    }
    assert_eq!(all[0]["workspace"], "/tmp/a");
    // --bridge takes the URL as given (no trailing slash) or as listed.
    for given in [
        sim.url.trim_end_matches('/').to_owned(),
        format!("{}/", sim.url.trim_end_matches('/')),
    ] {
        let out = store.run(&format!("jobs --json --bridge {given}"));
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().lines().count(),
            2,
            "{given}"
        );
    }
    let out = store.run("jobs --bridge http://elsewhere:3001");
    assert_exit(&out, 0);
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no jobs"),
        "{out:?}"
    );
    // The text table: a header, a line a job, newest first.
    let out = store.run("jobs");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("OUTCOME"),
        "{text}"
    );
    assert!(
        lines[1].contains("kiro.long") && lines[1].contains("completed"),
        "{text}"
    );
    assert!(
        lines[2].contains("kiro.nope") && lines[2].contains("failed"),
        "{text}"
    );
}

#[test]
fn three_detached_and_one_waiting_write_the_store_at_once() {
    // A bridge runs at most 3 commands at once: the waiting one goes to another.
    let sim = long_sim("2s");
    let other = long_sim("2s");
    let store = Store::new();
    let waiting = {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"));
        c.env("KIRO_POLL_STORE", &store.path)
            .args(common::words(&format!(
                "--url {} exec kiro.long --wait --follow-interval 200ms",
                other.url
            )))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        common::Spawned::from(c.spawn().unwrap())
    };
    let ids: Vec<String> = (0..3)
        .map(|_| store.detach(&sim.url, "kiro.long", "").0)
        .collect();
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{out:?}"
    );
    let out = store.kiro().arg("wait").args(&ids).output().unwrap();
    assert_exit(&out, 0);
    let out = store.run("jobs --json");
    let n = String::from_utf8(out.stdout).unwrap().lines().count();
    assert_eq!(n, 4, "every exec is a job");
    assert_eq!(sim.executes() + other.executes(), 4);
}

#[test]
fn without_a_store_detach_and_wait_say_what_they_need() {
    let out = common::run("exec kiro.x --detach --no-store");
    common::ended_saying(&out, 2, &["needs the job store"]);
    let store = Store::new();
    let out = store.run("wait 999");
    common::ended_saying(&out, 2, &["no job 999"]);
    let out = store.run("jobs --since yesterday");
    assert_exit(&out, 2);
    // A store that cannot be made does not stop a plain exec: a warning, and its run.
    let sim = long_sim("1s");
    let out = kiro()
        .env("KIRO_POLL_STORE", "/proc/no-such/jobs.db")
        .args(["--url", &sim.url, "exec", "kiro.nope"])
        .output()
        .unwrap();
    common::ended_saying(&out, 1, &["warning: the job store"]);
}

#[test]
fn the_store_never_holds_a_key_or_a_password() {
    let store = Store::new();
    let (_rt, bridge) = execute_answers(ResponseTemplate::new(200).set_body_raw(
        r#"{"success":true,"output":"done with the-secret-key-42"}"#,
        "application/json",
    ));
    let url = bridge.uri().replace("http://", "http://user:hunter2-pass@");
    let out = store
        .kiro()
        .env("KIRO_API_KEY", "the-secret-key-42")
        .args(["--url", &url, "exec", "vscode.open"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let job = store.show("1");
    assert!(job["bridge"].as_str().unwrap().contains("***"), "{job}");
    // Every byte of the database and its write-ahead log.
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", store.path)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("the-secret-key-42"),
            "the key is in jobs.db{suffix}"
        );
        assert!(
            !text.contains("hunter2-pass"),
            "the password is in jobs.db{suffix}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_signal_ends_the_wait_not_the_job() {
    let sim = long_sim("20s");
    let store = Store::new();
    let (id, _) = store.detach(&sim.url, "kiro.long", "");
    let mut wait = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .env("KIRO_POLL_STORE", &store.path)
        .args(["wait", &id])
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    // The wait is reading the store (its process is up and the job still running).
    eventually(Duration::from_secs(5), "the wait started", || {
        std::fs::read_to_string(format!("/proc/{}/cmdline", wait.id())).is_ok_and(|c| c.contains("wait"))
    });
    // Its signal handling is installed right after it opens the store; nothing tells when, so
    // a moment's grace (a signal before it would end the process by the default action,
    // no exit code at all, and the test would say so).
    std::thread::sleep(Duration::from_millis(300));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &wait.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = common::wait_at_most(&mut wait, Duration::from_secs(5), "wait ignored SIGTERM");
    assert_eq!(status.code(), Some(143));
    assert_eq!(store.show(&id)["state"], "running", "the job goes on");
}
