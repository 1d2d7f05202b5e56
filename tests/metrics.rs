//! `watch --metrics` against the real monitoring tools: `promtool check metrics` on a scrape of
//! three simulated bridges (one down), `promtool check/test rules` on the shipped alerts, and
//! a real Prometheus scraping kiro-poll every second until `kiro_bridge_up` is there for every
//! bridge with the right value. Where promtool or prometheus is not installed the tests say
//! they skipped; with KIRO_POLL_REQUIRE_PROMETHEUS=1 (set by .ci/run) that is a failure.

mod common;
use common::Start as _;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The tool's path, or None (skip) where it is missing and not required.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        common::skip_or_require(
            "KIRO_POLL_REQUIRE_PROMETHEUS",
            name,
            "it is not installed (apt-get install -y prometheus)",
        );
    }
    found
}

fn monitoring(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("monitoring")
        .join(file)
}

use common::Spawned;

/// Three bridges (two simulated, one down) watched with `-q --metrics`; returns the watch,
/// the mock, the metrics URL and the bridge names.
fn exporter() -> (Spawned, Spawned, String, Vec<String>) {
    let (mock, urls) = common::start_mock_bridges(&["--port", "0"], 2);
    let (first, second) = (urls[0].clone(), urls[1].clone());
    let dead = format!("http://127.0.0.1:{}", common::free_port());
    let port = common::free_port();
    let watch = Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(["--url", &first, "--url", &second, "--url", &dead, "-q", "watch"])
        .args(common::words(&format!(
            "--metrics {port} --interval-ready 200ms --max-backoff 500ms"
        )))
        .start(Stdio::piped());
    let names = [&first, &second, &dead]
        .iter()
        .map(|u| u.trim_start_matches("http://").to_owned())
        .collect();
    (watch, mock, format!("http://127.0.0.1:{port}/metrics"), names)
}

async fn get(url: &str, accept: Option<&str>) -> Option<(String, String)> {
    let client = reqwest::Client::new();
    let mut rb = client.get(url).timeout(Duration::from_secs(2));
    if let Some(a) = accept {
        rb = rb.header("accept", a);
    }
    let resp = rb.send().await.ok()?;
    let kind = resp.headers().get("content-type")?.to_str().ok()?.to_owned();
    Some((kind, resp.text().await.ok()?))
}

/// Scrape until every bridge has been polled (its `kiro_bridge_up` series is there).
async fn scrape_when_ready(url: &str, names: &[String]) -> String {
    let text = std::cell::RefCell::new(String::new());
    common::eventually_async(
        Duration::from_secs(10),
        "metrics covering every bridge",
        || async {
            let Some((_, t)) = get(url, None).await else {
                return false;
            };
            let polled = |n: &String| {
                t.contains(&format!("kiro_poll_requests_total{{bridge=\"{n}\"}} "))
                    && !t.contains(&format!("kiro_poll_requests_total{{bridge=\"{n}\"}} 0\n"))
            };
            let all = names.iter().all(polled);
            *text.borrow_mut() = t;
            all
        },
    )
    .await;
    text.into_inner()
}

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn promtool_accepts_the_scrape_and_the_shipped_rules() {
    let Some(promtool) = tool("promtool") else { return };
    let (watch, _mock, url, names) = exporter();
    let text = scrape_when_ready(&url, &names).await;
    assert!(
        text.contains(&format!("kiro_bridge_up{{bridge=\"{}\"}} 1", names[0])),
        "{text}"
    );
    assert!(
        text.contains(&format!("kiro_bridge_up{{bridge=\"{}\"}} 0", names[2])),
        "{text}"
    );
    assert!(text.contains(&format!(
        "kiro_poll_errors_total{{bridge=\"{}\",kind=\"connect\"}}",
        names[2]
    )));
    let mut check = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .start(Stdio::piped());
    use std::io::Write;
    check.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = check.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics: {said}"
    );

    // OpenMetrics when asked for it, and promtool reads that too.
    let (kind, om) = get(&url, Some("application/openmetrics-text;version=1.0.0"))
        .await
        .unwrap();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    assert!(om.ends_with("# EOF\n"));
    let (kind, _) = get(&url, None).await.unwrap();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");

    let out = run(Command::new(&promtool)
        .args(["check", "rules"])
        .arg(monitoring("alerts.yml")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(Command::new(&promtool)
        .args(["test", "rules"])
        .arg(monitoring("alerts_test.yml")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    for config in ["prometheus.yml", "sharded/prometheus.yml"] {
        let out = run(Command::new(&promtool)
            .args(["check", "config"])
            .arg(monitoring(config)));
        assert!(
            out.status.success(),
            "{config}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }

    // -q: the watch only served; nothing on stdout or stderr.
    let out = watch.stop_with_output();
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

async fn query(base: &str, q: &str) -> Value {
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{base}/api/v1/query"))
        .query(&[("query", q)])
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    // Null while Prometheus is still starting (its 503 is text, not JSON): the callers retry.
    serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_prometheus_scrapes_every_bridge() {
    let Some(prometheus) = tool("prometheus") else {
        return;
    };
    let (_watch, _mock, url, names) = exporter();
    let target = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned();
    let (dir, config) = common::in_temp_dir("prometheus.yml", format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n  - job_name: kiro-poll\n    static_configs:\n      - targets: ['{target}']\n",
            monitoring("alerts.yml").display()
        ));
    let port = common::free_port();
    let _prom = Spawned::from(
        Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    // Until every bridge's series is there with its value: 1 for the two that answer, 0 for
    // the one that is down (the first scrape may come before the first poll).
    let want = |name: &str| if name == names[2] { "0" } else { "1" };
    let right = |seen: &Vec<Value>| {
        seen.len() == names.len()
            && names.iter().all(|n| {
                seen.iter().any(|r| {
                    r["metric"]["bridge"] == n.as_str()
                        && r["metric"]["job"] == "kiro-poll"
                        && r["value"][1] == want(n)
                })
            })
    };
    let at = &base;
    let seen = common::settle_async(
        Duration::from_secs(60),
        move || async move {
            match get(&format!("{at}/-/ready"), None).await {
                Some(_) => query(at, "kiro_bridge_up").await["data"]["result"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        },
        right,
    )
    .await;
    assert!(
        right(&seen),
        "Prometheus never saw the right kiro_bridge_up for every bridge: {seen:?}"
    );
    // Every query of the shipped dashboard is valid PromQL to this Prometheus.
    let dash: Value =
        serde_json::from_str(&std::fs::read_to_string(monitoring("grafana-dashboard.json")).unwrap())
            .unwrap();
    for panel in dash["panels"].as_array().unwrap() {
        for t in panel["targets"].as_array().unwrap() {
            let expr = t["expr"].as_str().unwrap().replace("$__rate_interval", "1m");
            let v = query(&base, &expr).await;
            assert_eq!(v["status"], "success", "{expr}: {v}");
        }
    }
    let v = query(&base, "max by (bridge) ((kiro_bridge_state{state=\"ready\"} + ignoring(state) kiro_bridge_state{state=\"busy\"} * 2 + ignoring(state) kiro_bridge_state{state=\"unavailable\"} * 3) * ignoring(state) kiro_bridge_up + ignoring(state) (1 - kiro_bridge_up) * 4)").await;
    let down = v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"]["bridge"] == names[2].as_str())
        .cloned();
    assert_eq!(
        down.map(|d| d["value"][1].clone()),
        Some("4".into()),
        "the state timeline shows the down bridge as unreachable"
    );
}

#[test]
fn an_address_in_use_is_one_line_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = common::run(&format!("--url http://127.0.0.1:1 watch --metrics {port}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot serve metrics on 127.0.0.1:") && err.contains("--metrics"),
        "{err}"
    );
    let out = common::run("watch --metrics localhost");
    assert_eq!(out.status.code(), Some(2));
}

fn requests_of(text: &str, bridge: &str) -> u64 {
    let key = format!("kiro_poll_requests_total{{bridge=\"{bridge}\"}} ");
    let line = text.lines().find(|l| l.starts_with(&key)).unwrap();
    line[key.len()..].trim().parse::<f64>().unwrap() as u64
}

/// 400 clients that connect and send nothing, or half a request, neither starve the polls nor
/// hold the exporter's descriptors: past the cap and its door they are closed at once, those at
/// the door within its grace, the rest within the header timeout; the bridges are polled on throughout, and the next scrape is answered.
#[tokio::test(flavor = "multi_thread")]
async fn idle_and_half_sent_clients_are_capped_and_timed_out() {
    use std::io::{Read, Write};
    let (watch, _mock, url, names) = exporter();
    let before = scrape_when_ready(&url, &names).await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned();
    let started = Instant::now();
    let clients: Vec<std::net::TcpStream> = (0..400)
        .map(|i| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            if i % 2 == 1 {
                let _ = s.write_all(b"GET /metr");
            }
            s
        })
        .collect();
    #[cfg(target_os = "linux")]
    {
        // Counted once the exporter took its cap of them (so the count is not read too early).
        let pid = watch.id();
        let open = || std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count();
        let fds = common::settle(Duration::from_secs(10), open, |n| *n >= 32);
        assert!(
            fds >= 32,
            "the exporter never took its cap of clients: {fds} descriptors"
        );
        let most = kiro_poll::gate::Gate::most(32);
        assert!(
            fds < most + 3 + 40,
            "the exporter holds at most its cap and its door: {fds} descriptors open"
        );
    }
    // Every one of them is closed by the server, soon.
    for mut s in clients {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut b = [0u8; 64];
        let closed =
            matches!(s.read(&mut b), Ok(0)) || s.read(&mut b).is_err() || matches!(s.read(&mut b), Ok(0));
        assert!(closed, "a client the server never closed");
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "closed within the header timeout: {took:?}"
    );
    let after = scrape_when_ready(&url, &names).await;
    assert!(
        requests_of(&after, &names[0]) > requests_of(&before, &names[0]) + 5,
        "the polls went on through the flood"
    );
    assert!(after.contains(&format!("kiro_bridge_up{{bridge=\"{}\"}} 1", names[0])));
    drop(watch);
}

/// 32 clients that connect and send nothing, and 64 that send a request's head a byte at a
/// time, all reconnecting the moment they are closed: every slot is held by one of them all
/// the time, yet a scrape every 0.5 s is answered (a newcomer takes the oldest idle slot).
#[tokio::test(flavor = "multi_thread")]
async fn a_scrape_is_answered_while_idle_and_slow_clients_hold_every_slot() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let (watch, _mock, url, names) = exporter();
    scrape_when_ready(&url, &names).await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_owned();
    let stop = Arc::new(AtomicBool::new(false));
    let connects = Arc::new(AtomicUsize::new(0));
    let mut flood = Vec::new();
    for i in 0..96 {
        let (stop, connects, addr) = (stop.clone(), connects.clone(), addr.clone());
        flood.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut s) = std::net::TcpStream::connect(&addr) else {
                    continue;
                };
                connects.fetch_add(1, Ordering::Relaxed);
                s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
                let head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n";
                let mut sent = 0;
                let mut b = [0u8; 64];
                // Held until the server closes it (or the flood ends).
                while !stop.load(Ordering::Relaxed) {
                    if i >= 32 && sent < head.len() {
                        let _ = s.write_all(&head[sent..sent + 1]);
                        sent += 1;
                    }
                    match s.read(&mut b) {
                        Ok(0) => break,
                        Err(e)
                            if e.kind() == std::io::ErrorKind::WouldBlock
                                || e.kind() == std::io::ErrorKind::TimedOut => {}
                        _ => break,
                    }
                }
            }
        }));
    }
    // Every slot taken before the scrapes start: each of the flood's clients connected.
    common::eventually(Duration::from_secs(10), "the flood connected", || {
        connects.load(Ordering::Relaxed) >= 96
    });
    let (mut asked, mut answered) = (0, 0);
    for _ in 0..20 {
        asked += 1;
        if get(&url, None)
            .await
            .is_some_and(|(_, t)| t.contains("kiro_bridge_up"))
        {
            answered += 1;
        }
        // Paces the scrapes: twenty over ten seconds of the flood.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in flood {
        t.join().unwrap();
    }
    eprintln!(
        "scrapes answered: {answered} of {asked}, beside {} connections of 32 idle and 64 slow-header clients",
        connects.load(Ordering::Relaxed)
    );
    assert!(connects.load(Ordering::Relaxed) >= 96, "the flood ran");
    assert!(
        answered * 10 >= asked * 9,
        "{answered} of {asked} scrapes answered"
    );
    drop(watch);
}

/// Start Prometheus scraping `targets` every second; its base URL.
fn start_prometheus(prometheus: &Path, dir: &Path, targets: &[String]) -> (Spawned, String) {
    let config = dir.join("prometheus.yml");
    let list = targets
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    std::fs::write(
        &config,
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: kiro-poll\n    static_configs:\n      - targets: [{list}]\n"),
    )
    .unwrap();
    let port = common::free_port();
    let prom = Spawned::from(
        Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    (prom, format!("http://127.0.0.1:{port}"))
}

/// The single value of an instant query, or None when it has no result.
async fn scalar(base: &str, q: &str) -> Option<f64> {
    let v = query(base, q).await;
    let r = v["data"]["result"].as_array()?.first()?.clone();
    r["value"][1].as_str()?.parse().ok()
}

/// Two exporters, `--shard 0/2` and `--shard 1/2`, over one file of 200 simulated bridges, and
/// a real Prometheus scraping both: every bridge is seen exactly once. Then the file changes
/// (10 removed, 10 added) and Prometheus sees the new set within a few scrapes, while the kept
/// bridges' request counters never reset.
#[tokio::test(flavor = "multi_thread")]
async fn two_sharded_exporters_show_every_bridge_once_through_a_reload() {
    let Some(prometheus) = tool("prometheus") else {
        return;
    };
    let (mock, urls) = common::start_mock_bridges(&["--port", "0"], 210);
    let _mock = mock;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridges.toml");
    let write = |range: std::ops::Range<usize>| {
        let text: String = range
            .map(|i| format!("[[bridge]]\nname = \"b{i}\"\nurl = \"{}\"\n", urls[i]))
            .collect();
        let tmp = common::file(dir.path(), "bridges.tmp", text);
        std::fs::rename(&tmp, &file).unwrap();
    };
    write(0..200);
    let ports = [common::free_port(), common::free_port()];
    let _exporters: Vec<Spawned> = (0..2)
        .map(|k| {
            Spawned::from(
                Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
                    .arg("-q")
                    .arg("--bridges")
                    .arg(&file)
                    .args(["--shard", &format!("{k}/2"), "watch", "--interval-ready", "1s"])
                    .args(["--metrics", &ports[k].to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    let targets: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let (_prom, base) = start_prometheus(&prometheus, dir.path(), &targets);
    common::eventually_async(Duration::from_secs(60), "Prometheus ready", || async {
        get(&format!("{base}/-/ready"), None).await.is_some()
    })
    .await;
    let wait_for = |what: &'static str, q: &'static str, want: f64, secs: u64| {
        let base = base.clone();
        async move {
            let what = format!("{what}: {q} at {want}");
            common::eventually_async(Duration::from_secs(secs), &what, || async {
                scalar(&base, q).await == Some(want)
            })
            .await;
        }
    };
    wait_for("both exporters", "count(kiro_poll_shard_info)", 2.0, 60).await;
    wait_for("every bridge", "count(kiro_bridge_up == 1)", 200.0, 60).await;
    assert_eq!(
        scalar(&base, "count(count by (bridge) (kiro_bridge_up) > 1)").await,
        None,
        "no bridge on two exporters"
    );
    let per_shard = query(&base, "count by (instance) (kiro_bridge_up)").await;
    let split: Vec<f64> = per_shard["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"][1].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(split.len(), 2, "{per_shard}");
    assert!(
        split.iter().all(|&n| (70.0..=130.0).contains(&n)),
        "an even split: {split:?}"
    );

    // 10 go, 10 come: Prometheus has the new set within a few scrapes.
    let changed = Instant::now();
    write(10..210);
    wait_for(
        "the new set",
        "count(kiro_bridge_up{bridge=~\"b20[0-9]\"} == 1)",
        10.0,
        30,
    )
    .await;
    wait_for(
        "the old set gone",
        "count(kiro_bridge_up{bridge=~\"b[0-9]\"}) or vector(0)",
        0.0,
        30,
    )
    .await;
    let took = changed.elapsed();
    eprintln!("the new set showed in Prometheus {took:?} after the file changed");
    assert!(took < Duration::from_secs(6), "the new set took {took:?} to show");
    assert_eq!(scalar(&base, "count(kiro_bridge_up)").await, Some(200.0));
    assert_eq!(
        scalar(&base, "count(count by (bridge) (kiro_bridge_up) > 1)").await,
        None,
        "still no bridge on two exporters"
    );
    // A window of Prometheus scrapes in which a bridge on two exporters would show.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        scalar(
            &base,
            "sum(resets(kiro_poll_requests_total{bridge=~\"b([1-9][0-9]|1[0-9][0-9])\"}[5m]))"
        )
        .await,
        Some(0.0),
        "kept bridges' counters never reset"
    );
    assert_eq!(
        scalar(&base, "min(kiro_poll_config_last_reload_successful)").await,
        Some(1.0)
    );
}
