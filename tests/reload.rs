//! A watch of a bridges file reads it again when it changes and on SIGHUP: bridges added,
//! removed, a URL changed, a broken edit (the last good set goes on) and its fix, a file
//! replaced by a rename; kept bridges' counters never reset. Also file_sd JSON and `--shard`.
//! Through the real binary against `mock-bridge`.

mod common;
use common::Start as _;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use common::{kiro, start_mock_bridges};
use serde_json::Value;

/// A running watch whose NDJSON lines arrive on a channel.
struct Following {
    /// Killed when the test ends; signalled by the Unix tests.
    #[cfg_attr(not(unix), allow(dead_code))]
    child: common::Spawned,
    lines: Receiver<Value>,
}

impl Following {
    fn start(args: &[&str]) -> Following {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
            .args(args)
            .start(Stdio::null());
        let out = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Following { child, lines }
    }

    /// The next event of this type (others are passed over), within 10 s.
    fn next(&self, kind: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if v["type"] == kind => return v,
                Ok(_) => {}
                Err(_) => panic!("no {kind} event within 10 s"),
            }
        }
    }
}

fn bridges_toml(list: &[(&str, &str)]) -> String {
    list.iter()
        .map(|(name, url)| format!("[[bridge]]\nname = \"{name}\"\nurl = \"{url}\"\n"))
        .collect()
}

fn names(v: &Value, field: &str) -> Vec<String> {
    let mut n: Vec<String> = v[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect();
    n.sort();
    n
}

fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text
}

/// Scrape until `bridge`'s request counter satisfies `ok` (at most 10 s); the last value.
fn requests_until(port: u16, bridge: &str, ok: impl Fn(u64) -> bool) -> u64 {
    let mut n = 0;
    common::eventually(Duration::from_secs(10), &format!("{bridge}'s requests"), || {
        n = requests(&scrape(port), bridge);
        ok(n)
    });
    n
}

fn requests(text: &str, bridge: &str) -> u64 {
    let key = format!("kiro_poll_requests_total{{bridge=\"{bridge}\"}} ");
    text.lines()
        .find(|l| l.starts_with(&key))
        .map_or(0, |l| l[key.len()..].trim().parse::<f64>().unwrap() as u64)
}

/// Write the file the way an editor that saves through a temporary file does: a rename over it.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_changed_bridges_file_is_swapped_in_and_a_broken_one_is_refused() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 5);
    let (_dir, file) = common::in_temp_dir("bridges.toml", bridges_toml(&[("a", &urls[0]), ("b", &urls[1])]));
    let port = common::free_port();
    let port_s = port.to_string();
    let path = file.to_str().unwrap();
    let w = Following::start(&common::words(&format!(
        "--json --bridges {path} watch --interval-ready 1s --metrics {port_s}"
    )));
    w.next("snapshot");
    w.next("snapshot");

    // Edited in place: b goes, c comes.
    std::fs::write(&file, bridges_toml(&[("a", &urls[0]), ("c", &urls[2])])).unwrap();
    let r = w.next("reloaded");
    assert_eq!(
        (names(&r, "added"), names(&r, "removed"), r["kept"].clone()),
        (vec!["c".into()], vec!["b".into()], 1.into())
    );
    assert!(r.get("bridge").is_none(), "about the whole set: {r}");
    let snap = w.next("snapshot");
    assert_eq!(snap["bridge"], "c");
    let before = requests_until(port, "a", |n| n >= 2);
    assert!(before >= 2, "a polled on: {before}");
    let text = scrape(port);
    assert!(!text.contains("bridge=\"b\""), "b's series are gone");

    // A broken edit: one message naming file, line and field; the last good set goes on.
    std::fs::write(&file, "[[bridge]]\nname = \"a\"\nurl = \"ftp://x\"\n").unwrap();
    let f = w.next("reload_failed");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.ends_with("bridges.toml:3: url: scheme must be http or https, not ftp"),
        "{msg}"
    );
    assert!(scrape(port).contains("kiro_poll_config_last_reload_successful 0"));

    // Fixed, and a's URL changed under the same name: another bridge, with its own series.
    replace(
        &file,
        &bridges_toml(&[("a", &urls[3]), ("c", &urls[2]), ("d", &urls[4])]),
    );
    let r = w.next("reloaded");
    assert_eq!(names(&r, "added"), vec!["a".to_owned(), "d".into()]);
    assert_eq!(names(&r, "removed"), vec!["a".to_owned()]);
    assert_eq!(r["kept"], 1);
    let text = scrape(port);
    assert!(
        text.contains("kiro_poll_config_last_reload_successful 1"),
        "{text}"
    );
    let c_before = requests(&text, "c");

    // SIGHUP reads it again even unchanged; kept bridges' counters go on.
    #[cfg(unix)]
    {
        let pid = w.child.id() as i32;
        // SAFETY: signalling our own child.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
        let r = w.next("reloaded");
        assert_eq!((r["kept"].clone(), names(&r, "added").len()), (3.into(), 0));
    }
    let c_after = requests_until(port, "c", |n| n > c_before);
    assert!(
        c_after > c_before,
        "c's counter never reset: {c_before} then {c_after}"
    );
    mock.stop();
}

#[test]
fn file_sd_targets_become_bridges_with_their_labels() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 2);
    let hosts: Vec<&str> = urls.iter().map(|u| u.trim_start_matches("http://")).collect();
    let (_dir, file) = common::in_temp_dir("targets.json", format!(
            "[\n  {{\"targets\": [\"{}\"], \"labels\": {{\"team\": \"a\", \"__meta_x\": \"y\"}}}},\n  {{\"targets\": [\"{}\"], \"labels\": {{\"name\": \"build\"}}}}\n]\n",
            hosts[0], hosts[1]
        ));
    let out = kiro()
        .args(["--json", "--bridges"])
        .arg(&file)
        .arg("status")
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let got: Vec<String> = common::events(&out.stdout)
        .iter()
        .map(|v| v["bridge"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, vec![hosts[0].to_owned(), "build".into()]);
    let port = common::free_port();
    let w = watch_file(&file, &["--metrics", &port.to_string()]);
    w.next("snapshot");
    w.next("snapshot");
    let text = scrape(port);
    assert!(
        text.contains(&format!("kiro_bridge_up{{bridge=\"{}\",team=\"a\"}} 1", hosts[0])),
        "{text}"
    );
    assert!(text.contains("kiro_bridge_up{bridge=\"build\"} 1"), "{text}");
    assert!(
        !text.contains("__meta"),
        "labels starting with __ are Prometheus's own"
    );
    drop(w);
    // Broken: one line naming the file and the line.
    std::fs::write(
        &file,
        "[\n {\"targets\": [\"h:1\"],\n  \"labels\": {\"0bad\": \"x\"}}\n]\n",
    )
    .unwrap();
    let out = kiro().arg("--bridges").arg(&file).arg("status").output().unwrap();
    common::ended_saying(&out, 2, &["targets.json:2: labels: '0bad' is not a label name"]);
    std::fs::write(&file, "[{\"targets\": [\"h:1\"], \"lables\": {}}]").unwrap();
    let out = kiro().arg("--bridges").arg(&file).arg("status").output().unwrap();
    common::ended_saying(&out, 2, &["targets.json:1: unknown field `lables`"]);
    mock.stop();
}

#[test]
fn shards_split_one_file_with_no_bridge_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let list: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("b{i}"),
                format!("http://127.0.0.1:{}", common::free_port()),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    std::fs::write(&file, bridges_toml(&refs)).unwrap();
    let mut all = Vec::new();
    for k in 0..3 {
        let out = kiro()
            .args([
                "--json",
                "--request-timeout",
                "1s",
                "--shard",
                &format!("{k}/3"),
                "--bridges",
            ])
            .arg(&file)
            .arg("status")
            .output()
            .unwrap();
        let got: Vec<String> = common::events(&out.stdout)
            .iter()
            .map(|v| v["bridge"].as_str().unwrap().to_owned())
            .collect();
        assert!((5..=22).contains(&got.len()), "shard {k}: {got:?}");
        all.extend(got);
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40, "every bridge in exactly one shard");
    for bad in ["3/3", "1", "x/2"] {
        let out = kiro()
            .args(["--shard", bad, "--bridges"])
            .arg(&file)
            .arg("status")
            .output()
            .unwrap();
        common::ended_saying(&out, 2, &["--shard"]);
    }
}

/// Resident memory of a process, in KiB (Linux).
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// The events of this type that arrive within `d` (others are passed over).
#[cfg(target_os = "linux")]
fn count_within(w: &Following, kind: &str, d: Duration) -> usize {
    let deadline = std::time::Instant::now() + d;
    let mut n = 0;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match w.lines.recv_timeout(left) {
            Ok(v) if v["type"] == kind => n += 1,
            Ok(_) => {}
            Err(_) => return n,
        }
    }
}

/// A reload reads the file as the start does: a FIFO, a symlink to /dev/zero and a 1 GB file
/// are each one `reload_failed` at once (no hang, no unbounded read), later edits are still
/// read, a missing file is one event however often its directory changes, and SIGTERM ends
/// the watch at once.
#[cfg(target_os = "linux")]
#[test]
fn a_reload_refuses_fifos_devices_and_huge_files_at_once_and_reports_a_failure_once() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 1);
    let good = bridges_toml(&[("a", &urls[0])]);
    let (dir, file) = common::in_temp_dir("bridges.toml", &good);
    let path = file.to_str().unwrap();
    let mut w = Following::start(&["--json", "--bridges", path, "watch", "--interval-ready", "1s"]);
    w.next("snapshot");
    let fix = |w: &Following| {
        replace(&file, &good);
        assert_eq!(w.next("reloaded")["kept"], 1);
    };
    // The next reading is one `reload_failed` saying why.
    let refused = |w: &Following, why: &str| {
        let f = w.next("reload_failed");
        assert!(f["message"].as_str().unwrap().ends_with(why), "{f}");
    };

    // A FIFO with no writer: the old reader blocked opening it, for ever.
    std::fs::remove_file(&file).unwrap();
    let c = std::ffi::CString::new(path).unwrap();
    // SAFETY: a NUL-terminated path in our own temporary directory.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    refused(&w, "not a regular file");
    std::fs::remove_file(&file).unwrap();
    fix(&w);

    // A symlink to /dev/zero: the old reader read it until memory ran out.
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    refused(&w, "not a regular file");
    std::fs::remove_file(&file).unwrap();
    fix(&w);

    // A 1 GiB file (sparse): refused by its size, before a byte is read.
    let big = dir.path().join("big.tmp~");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    std::fs::rename(&big, &file).unwrap();
    refused(&w, "larger than 64.0 MiB");
    let rss = rss_kib(w.child.id());
    assert!(rss < 128 * 1024, "RSS {rss} KiB after a 1 GiB bridges file");

    // Missing, while its directory keeps changing: one event, not one per change.
    std::fs::remove_file(&file).unwrap();
    assert!(w.next("reload_failed")["message"]
        .as_str()
        .unwrap()
        .contains("cannot read"));
    for i in 0..8 {
        std::fs::write(dir.path().join(format!("other{i}")), "x").unwrap();
        // Paces the changes: eight separate ones over 2.4 s, not one burst the watcher merges.
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(count_within(&w, "reload_failed", Duration::from_secs(1)), 0);
    fix(&w);

    // SIGTERM ends it at once, with its summary.
    let pid = w.child.id() as i32;
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = common::wait_at_most(
        &mut w.child,
        Duration::from_secs(10),
        "still running after SIGTERM",
    );
    assert_eq!(status.code(), Some(143));
    mock.stop();
}

/// A bridge whose key was rejected is polled again once a reload gives it another key: a
/// changed key (or labels) is not "kept", the bridge starts again with a first poll.
#[test]
fn a_reload_that_fixes_a_rejected_key_polls_the_bridge_again() {
    let (mut mock, url, dir) = keyed_mock();
    let file = dir.path().join("bridges.toml");
    let with_key = |k: &str| keyed_bridge("a", &url, k) + &keyed_bridge("b", &url, "right");
    std::fs::write(&file, with_key("wrong")).unwrap();
    let port = common::free_port();
    let port_s = port.to_string();
    let w = every_second(&file, &["--metrics", &port_s]);
    assert_eq!(w.next("snapshot")["bridge"], "b", "a's key is rejected");
    replace(&file, &with_key("right"));
    let r = w.next("reloaded");
    assert_eq!(
        (names(&r, "added"), names(&r, "removed"), r["kept"].clone()),
        (vec!["a".to_owned()], vec!["a".to_owned()], 1.into()),
        "a starts again, b is kept: {r}"
    );
    assert_eq!(w.next("snapshot")["bridge"], "a", "a is polled with its new key");
    let text = scrape(port);
    assert!(text.contains("kiro_bridge_up{bridge=\"a\"} 1"), "{text}");
    mock.stop();
}

/// `--json --bridges file watch`, and `more`.
fn watch_file(file: &std::path::Path, more: &[&str]) -> Following {
    let args = ["--json", "--bridges", file.to_str().unwrap(), "watch"];
    Following::start(&[&args[..], more].concat())
}

/// `watch_file`, polling every second.
fn every_second(file: &std::path::Path, more: &[&str]) -> Following {
    watch_file(file, &[&["--interval-ready", "1s"], more].concat())
}

/// A simulator that requires a key, and a directory with the files `right` (its key) and
/// `wrong` (another).
fn keyed_mock() -> (common::Spawned, String, tempfile::TempDir) {
    let (mock, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "right-key-123456")]);
    let dir = tempfile::tempdir().unwrap();
    common::file(dir.path(), "wrong", "wrong-key-654321");
    common::file(dir.path(), "right", "right-key-123456");
    (mock, url, dir)
}

/// A `[[bridge]]` entry whose key is read from the file `key` beside the bridges file.
fn keyed_bridge(name: &str, url: &str, key: &str) -> String {
    format!("[[bridge]]\nname = \"{name}\"\nurl = \"{url}\"\napi_key_file = \"{key}\"\n")
}

/// A bridges file whose only bridge has its key rejected does not end the service: it waits
/// for a reload that fixes the key (saying so once), as it waits with nothing to poll.
#[test]
fn a_file_whose_every_key_is_rejected_waits_for_a_reload() {
    let (mut mock, url, dir) = keyed_mock();
    let file = dir.path().join("bridges.toml");
    let with_key = |k: &str| keyed_bridge("a", &url, k);
    std::fs::write(&file, with_key("wrong")).unwrap();
    let w = every_second(&file, &[]);
    assert_eq!(w.next("rejected")["bridge"], "a");
    // The new key's file written in a later moment than the first read, so the watcher sees
    // a change of its own (not merged with the start).
    std::thread::sleep(Duration::from_millis(500));
    replace(&file, &with_key("right"));
    w.next("reloaded");
    assert_eq!(w.next("snapshot")["bridge"], "a", "polled with its new key");
    mock.stop();

    // The same with --until: the end says why (exit 4), never "count reached".
    let (mut mock, url) =
        common::start_mock_bridge_env(&["--port", "0"], &[("KIRO_API_KEY", "right-key-123456")]);
    let with_key = |k: &str| keyed_bridge("a", &url, k);
    std::fs::write(&file, with_key("wrong")).unwrap();
    let out = common::run(&format!(
        "--json --bridges {} watch --until ready",
        file.to_str().unwrap()
    ));
    common::assert_exit(&out, 4);
    let ev = common::events(&out.stdout);
    assert_eq!(ev.last().unwrap()["reason"], "authentication rejected", "{ev:?}");
    mock.stop();
}

/// An empty shard (or a file a reload empties) with `--count` or `--until` ends at once, exit
/// 0, saying why; without them it waits for a reload.
#[test]
fn nothing_to_poll_ends_a_counted_watch_at_once() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 2);
    let (_dir, file) = common::in_temp_dir("bridges.toml", bridges_toml(&[("a", &urls[0])]));
    let path = file.to_str().unwrap();
    let run = |shard: &str, args: &[&str]| {
        let started = std::time::Instant::now();
        let out = kiro()
            .args(["--json", "--bridges", path, "--shard", shard, "watch"])
            .args(common::FAST)
            .args(args)
            .output()
            .unwrap();
        (out, started.elapsed())
    };
    // One of the two shards keeps "a", the other nothing.
    let (polls0, _) = run("0/2", &["--count", "1", "--timeout", "20s"]);
    let empty = if String::from_utf8_lossy(&polls0.stdout).contains("\"snapshot\"") {
        "1/2"
    } else {
        "0/2"
    };
    for args in [&["--count", "1"][..], &["--until", "ready"]] {
        let (out, took) = run(empty, &[args, &["--timeout", "20s"]].concat());
        common::assert_exit(&out, 0);
        assert!(
            took < Duration::from_secs(5),
            "at once, not the 20 s timeout: {took:?}"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("nothing to poll: no bridge in the file or its shard"),
            "{err}"
        );
        let ev = common::events(&out.stdout);
        assert_eq!(ev.last().unwrap()["bridges"], 0, "{ev:?}");
    }
    let (out, _) = run(empty, &["--timeout", "1s"]);
    common::assert_exit(&out, 124);
    mock.stop();
}

#[cfg(unix)]
#[test]
fn the_overall_summary_counts_the_polls_of_bridges_a_reload_removed() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let path = file.to_str().unwrap();
    // A reload removes "b" after it was polled: the overall sums still count its polls.
    std::fs::write(&file, bridges_toml(&[("a", &urls[0]), ("b", &urls[1])])).unwrap();
    let w = Following::start(&common::words(&format!(
        "--json --bridges {path} watch --interval-ready 100ms --heartbeat 100ms"
    )));
    let mut polled_b = 0;
    while polled_b < 3 {
        let beat = w.next("heartbeat");
        if beat["bridge"] == "b" {
            polled_b = beat["polls"].as_u64().unwrap();
        }
    }
    replace(&file, &bridges_toml(&[("a", &urls[0])]));
    assert_eq!(names(&w.next("reloaded"), "removed"), ["b"]);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(w.child.id() as i32, libc::SIGINT) };
    let a = w.next("summary");
    assert_eq!(a["bridge"], "a", "{a}");
    let overall = w.next("summary");
    assert_eq!(overall["bridges"], 1, "{overall}");
    assert!(
        overall["polls"].as_u64().unwrap() >= a["polls"].as_u64().unwrap() + polled_b,
        "b's polls are in the sums: {a} / {overall}"
    );
    mock.stop();
}

/// Reloads that swap 1,000 bridges for 1,000 others (new names each time, `--metrics` on):
/// what a removed bridge held is freed and its slot reused, so memory stays flat. (Before,
/// every bridge ever watched stayed: about 1.7 MiB a reload.) `bench/soak.py` runs 1,000.
#[cfg(target_os = "linux")]
#[test]
fn reloads_that_swap_every_bridge_hold_memory_flat() {
    let (mut mock, urls) = start_mock_bridges(&["--port", "0"], 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let set = |gen: usize| -> String {
        (0..1000)
            .map(|i| format!("[[bridge]]\nname = \"r{gen}-{i}\"\nurl = \"{}\"\n", urls[0]))
            .collect()
    };
    std::fs::write(&file, set(0)).unwrap();
    let port = common::free_port().to_string();
    let w = watch_file(
        &file,
        &[
            "--interval-ready",
            "60s",
            "--metrics",
            &format!("127.0.0.1:{port}"),
        ],
    );
    w.next("snapshot");
    let mut at_20 = 0;
    for gen in 1..=100 {
        replace(&file, &set(gen));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(w.child.id() as i32, libc::SIGHUP) };
        loop {
            let r = w.next("reloaded");
            if r["added"].as_array().unwrap().len() == 1000 {
                assert_eq!(r["removed"].as_array().unwrap().len(), 1000);
                break;
            }
        }
        if gen == 20 {
            at_20 = rss_kib(w.child.id());
        }
    }
    let at_100 = rss_kib(w.child.id());
    assert!(
        at_100 < at_20 + 8 * 1024,
        "RSS after 20 reloads {at_20} KiB, after 100 {at_100} KiB"
    );
    let text = scrape(port.parse().unwrap());
    assert_eq!(
        text.lines().filter(|l| l.starts_with("kiro_bridge_up{")).count(),
        1000,
        "only the bridges watched now have series"
    );
    mock.stop();
}
