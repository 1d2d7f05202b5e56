//! Helpers shared by the integration tests: fixtures, the binary with a clean environment,
//! scripted wiremock responders, and tiny raw-TCP servers for what wiremock cannot do
//! (closing connections, hanging, resetting).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use wiremock::{Request, Respond, ResponseTemplate};

/// A test that needs a real part (Prometheus, Wine, an MCP client SDK, root, the release
/// archives) that is missing here: `why`. It says so and skips, unless `var` is set to anything
/// but empty or `0` (`.ci/run` sets `1`): then it fails, so CI never passes a test that did not
/// run. The one rule for every such test.
pub fn skip_or_require(var: &str, what: &str, why: &str) {
    let required = std::env::var(var).is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{var} is set, but {what} cannot run: {why}");
    eprintln!("skipped: {what}: {why}");
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn json_fixture(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// The job store the tests of one test binary record in: never the user's own.
pub fn test_store() -> String {
    format!(
        "{}/jobs-{}.db",
        env!("CARGO_TARGET_TMPDIR"),
        env!("CARGO_CRATE_NAME")
    )
}

/// The binary with no inherited kiro-poll settings (its job store the tests' own).
pub fn kiro() -> Command {
    let mut c = Command::cargo_bin("kiro-poll").unwrap();
    for v in [
        "KIRO_BRIDGE_URL",
        "KIRO_API_KEY",
        "KIRO_API_KEY_FILE",
        "NO_COLOR",
        "KIRO_POLL_ASSUME_TTY",
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        c.env_remove(v);
    }
    c.env("KIRO_POLL_STORE", test_store());
    // No config file of the machine's: a test that wants one names it.
    c.env("KIRO_POLL_CONFIG", no_config());
    c.timeout(Duration::from_secs(30));
    c
}

/// A config file that does not exist.
pub fn no_config() -> String {
    format!("{}/no-such-config.toml", env!("CARGO_TARGET_TMPDIR"))
}

/// Answers a sequence of responses, one per request; the last one repeats.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Sequence {
    pub fn new(responses: Vec<ResponseTemplate>) -> Sequence {
        Sequence {
            responses,
            next: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[i.min(self.responses.len() - 1)].clone()
    }
}

pub fn status_body(state: &str, cmd: Option<&str>, commands: &[&str], ts: &str) -> String {
    let mut v = serde_json::json!({
        "status": state,
        "version": "1.94.0",
        "availableCommands": commands,
        "timestamp": ts,
    });
    if let Some(c) = cmd {
        v["currentCommand"] = serde_json::json!(c);
    }
    v.to_string()
}

pub fn status_response(state: &str, cmd: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        status_body(
            state,
            cmd,
            &["kiro.generateCode", "vscode.open"],
            "2026-11-01T09:12:44.518Z",
        ),
        "application/json",
    )
}

/// A raw HTTP/1.1 server on loopback: `handler(connection_index, request_index_on_connection,
/// request_text, stream)` decides what to write; returning false closes the connection.
pub struct RawServer {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    pub fn start<F>(handler: F) -> RawServer
    where
        F: Fn(usize, usize, &str, &mut TcpStream) -> bool + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let (c2, r2) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let conn = c2.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let requests = r2.clone();
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    let mut n = 0;
                    loop {
                        let Some(req) = read_request(&mut stream) else {
                            return;
                        };
                        requests.lock().unwrap().push(req.clone());
                        if !handler(conn, n, &req, &mut stream) {
                            return;
                        }
                        n += 1;
                    }
                });
            }
        });
        RawServer {
            addr,
            connections,
            requests,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// A run's stderr, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The run ended with `code`, saying each of `texts` on stderr: its stderr, for more checks.
pub fn ended_saying(out: &std::process::Output, code: i32, texts: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for text in texts {
        assert!(err.contains(text), "not said: {text:?}\n{err}");
    }
    err
}

/// A command started as the tests start one: stdout piped, stderr as `err` says, the child
/// killed on drop.
pub trait Start {
    fn start(&mut self, err: std::process::Stdio) -> Spawned;
}

impl Start for std::process::Command {
    fn start(&mut self, err: std::process::Stdio) -> Spawned {
        self.stdout(std::process::Stdio::piped())
            .stderr(err)
            .spawn()
            .map(Spawned::from)
            .unwrap()
    }
}

/// The run ended 0, printing each of `texts` on stdout: its stdout.
pub fn printed(out: &std::process::Output, texts: &[&str]) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    for t in texts {
        assert!(text.contains(t), "not printed: {t:?}\n{text}");
    }
    text
}

/// The one JSON object a run printed (`exec --json`).
pub fn report(out: &std::process::Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "one object: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Read one HTTP message's head and its Content-Length body (a request, or an answer); None
/// when the connection ends first.
pub fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some(head + &String::from_utf8_lossy(&body))
}

pub fn write_json(stream: &mut TcpStream, status: &str, body: &str, extra: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// A status endpoint answering `responses` in order (the last repeats).
pub async fn scripted(responses: Vec<ResponseTemplate>) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/api/kiro/status"))
        .respond_with(Sequence::new(responses))
        .mount(&server)
        .await;
    server
}

/// Parse NDJSON output into values, failing on any line that is not JSON.
pub fn events(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

/// The binary as a child process with piped output (for signals and early-closed pipes).
pub fn spawn_kiro(args: &[&str]) -> Spawned {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(args)
        .env("KIRO_POLL_STORE", test_store())
        .env("KIRO_POLL_CONFIG", no_config())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map(Spawned::from)
        .unwrap()
}

/// A child process a test started, killed and reaped when it is dropped: a test that panics
/// leaves no process behind. `stop` ends it on purpose (a bridge going away mid-test);
/// `wait_with_output` takes it whole, as `Child`'s does.
pub struct Spawned(Option<std::process::Child>);

impl Spawned {
    /// End it now (SIGKILL) and reap it.
    pub fn stop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// What it wrote and how it ended, once it ends by itself.
    pub fn wait_with_output(mut self) -> std::io::Result<std::process::Output> {
        self.0.take().expect("not taken").wait_with_output()
    }

    /// Stop it, then what it wrote.
    pub fn stop_with_output(mut self) -> std::process::Output {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
        }
        self.wait_with_output().unwrap()
    }
}

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        self.0.as_ref().expect("not taken")
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        self.0.as_mut().expect("not taken")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.stop();
    }
}

impl From<std::process::Child> for Spawned {
    fn from(c: std::process::Child) -> Spawned {
        Spawned(Some(c))
    }
}

/// `kiro-poll --json mock-bridge ARGS` in the background, and the URL it printed.
pub fn start_mock_bridge(args: &[&str]) -> (Spawned, String) {
    let (child, mut urls) = start_mock_bridges(args, 1);
    (child, urls.remove(0))
}

/// `kiro-poll --json mock-bridge ARGS` serving `n` bridges (`--instances`), and their URLs.
/// Every line it prints is read, so it never writes to a closed pipe.
pub fn start_mock_bridges(args: &[&str], n: usize) -> (Spawned, Vec<String>) {
    start_mock_bridges_env(args, n, &[])
}

/// `start_mock_bridge` with these environment variables set (a key: `KIRO_API_KEY`).
pub fn start_mock_bridge_env(args: &[&str], env: &[(&str, &str)]) -> (Spawned, String) {
    let (child, mut urls) = start_mock_bridges_env(args, 1, env);
    (child, urls.remove(0))
}

fn start_mock_bridges_env(args: &[&str], n: usize, env: &[(&str, &str)]) -> (Spawned, Vec<String>) {
    use std::io::BufRead;
    let instances = n.to_string();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .envs(env.iter().copied())
        .args(["--json", "mock-bridge"])
        .args(args)
        .args(["--instances", &instances])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let urls = (0..n)
        .map(|_| {
            let line = lines.next().unwrap().unwrap();
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            v["url"].as_str().unwrap().to_owned()
        })
        .collect();
    (Spawned::from(child), urls)
}

/// A loopback port nobody listens on, for a server a test starts later. Taken below the
/// ephemeral range (32768 and up on Linux, 49152 on macOS and Windows), where the kernel never
/// hands ports to clients or to `--port 0` binds of tests running meanwhile, from a block of
/// this test process's own (by its pid), each checked free; so two tests never get one port.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % 600) as u16 * 20;
    for _ in 0..2_000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) % 12_000;
        let port = 20_000 + (start + n) % 12_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port below the ephemeral range");
}

/// Poll intervals short enough for tests (the CLI's minimum is 100ms).
pub const FAST: [&str; 8] = [
    "--interval-ready",
    "100ms",
    "--interval-busy",
    "100ms",
    "--interval-error",
    "100ms",
    "--max-backoff",
    "200ms",
];

/// `kiro-poll --url URL --json watch <FAST> ARGS`, run to its end.
pub fn watch_json(url: &str, args: &[&str]) -> std::process::Output {
    kiro()
        .args(["--url", url, "--json", "watch"])
        .args(FAST)
        .args(args)
        .output()
        .unwrap()
}

/// Run the binary to its end and measure its own peak memory: `wait4` reports the rusage of
/// that one child, not of every child the test run ever had. Returns the output and the max
/// RSS in KiB.
#[allow(clippy::zombie_processes)] // reaped by wait4, which std does not know
#[cfg(target_os = "linux")] // ru_maxrss is KiB on Linux (bytes on macOS); no wait4 on Windows
pub fn run_measured(args: &[&str]) -> (std::process::Output, i64) {
    use std::os::unix::process::ExitStatusExt;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child, with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    };
    (output, usage.ru_maxrss)
}

/// Wait at most `limit` for `child` to exit: how it ended, or None when it had not (it is
/// then killed and reaped).
pub fn exited_within(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `exited_within`, or a panic saying `what`.
pub fn wait_at_most(
    child: &mut std::process::Child,
    limit: Duration,
    what: &str,
) -> std::process::ExitStatus {
    exited_within(child, limit).unwrap_or_else(|| panic!("{what}"))
}

/// The bridge's status as `kiro-poll --json status` prints it (Null when it does not answer).
pub fn status_of(url: &str) -> serde_json::Value {
    let out = kiro().args(["--url", url, "--json", "status"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// `eventually`, for a check that awaits (an async test's request).
pub async fn eventually_async<F, Fut>(limit: Duration, what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !cond().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A bridge (wiremock) answering `route` with `response`, whatever the method.
pub async fn serving(route: &str, response: impl Respond + 'static) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// A bridge (wiremock) whose status `fixture` carries the ETag `etag` and is answered 304
/// when asked with it.
pub async fn etag_bridge(etag: &str, fixture_name: &str) -> wiremock::MockServer {
    use wiremock::matchers::{header, path};
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(path("/api/kiro/status"))
        .and(header("if-none-match", etag))
        .respond_with(ResponseTemplate::new(304).insert_header("etag", etag))
        .with_priority(1)
        .mount(&server)
        .await;
    let full = json_fixture(200, fixture_name).insert_header("etag", etag);
    wiremock::Mock::given(path("/api/kiro/status"))
        .respond_with(full)
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// The requests a bridge (wiremock) was sent that `keep` keeps.
pub async fn received(server: &wiremock::MockServer, keep: impl Fn(&Request) -> bool) -> Vec<Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter().filter(|r| keep(r)).collect()
}

/// A bridge (wiremock) whose status is `body`.
pub async fn status_bridge(body: serde_json::Value) -> wiremock::MockServer {
    serving("/api/kiro/status", ResponseTemplate::new(200).set_body_json(body)).await
}

/// The words of `line`, split on whitespace: a command line's arguments.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// The binary run with the words of `line` (split on whitespace) as its arguments.
pub fn run(line: &str) -> std::process::Output {
    kiro().args(line.split_whitespace()).output().unwrap()
}

/// A temporary directory holding `text` as its file `name`: the directory (removed on drop)
/// and the file's path.
pub fn in_temp_dir(name: &str, text: impl AsRef<[u8]>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = file(dir.path(), name, text);
    (dir, p)
}

/// `text` written to the file `name` in `dir`: its path.
pub fn file(dir: &std::path::Path, name: &str, text: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A scripted peer holding its connection (or a client its pipe) `d` without a word: the hang
/// under test (a frozen bridge, a body that never ends), not a wait for an event.
#[allow(dead_code)]
pub fn hang(d: Duration) {
    std::thread::sleep(d)
}

/// Read `read` until `ok` accepts what it gives, for `limit` at most: what it gave last.
#[allow(dead_code)]
pub fn settle<T>(limit: Duration, mut read: impl FnMut() -> T, ok: impl Fn(&T) -> bool) -> T {
    let started = std::time::Instant::now();
    loop {
        let v = read();
        if ok(&v) || started.elapsed() > limit {
            return v;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `settle`, for a read that awaits (a query of another server), asked every 100 ms.
#[allow(dead_code)]
pub async fn settle_async<T, F, Fut>(limit: Duration, mut read: F, ok: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let started = std::time::Instant::now();
    loop {
        let v = read().await;
        if ok(&v) || started.elapsed() > limit {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait up to `limit` for `cond` to hold; panics saying `what` when it never does.
#[allow(dead_code)]
pub fn eventually(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !cond() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The run ended with this exit code; its stderr is the message when it did not.
pub fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A simulator's arguments: any port, a 408 after 1 s, playing `scenario`.
pub fn smoke_args(scenario: &std::path::Path) -> Vec<&str> {
    let sc = scenario.to_str().unwrap();
    vec!["--port", "0", "--server-timeout", "1s", "--scenario", sc]
}

/// A simulator like the real bridge, answering 408 after 1 s, playing `scenario`.
pub fn real_like_bridge(scenario: &std::path::Path) -> (Spawned, String) {
    let sc = scenario.to_str().unwrap();
    start_mock_bridge(&[
        "--port",
        "0",
        "--like",
        "real",
        "--server-timeout",
        "1s",
        "--scenario",
        sc,
    ])
}

/// A scenario whose one slow command outlives the mock's 1 s server timeout, so `exec --wait`
/// gets the bridge's 408 and follows the status until the command is done.
pub fn smoke_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("smoke.json");
    std::fs::write(&p, r#"{"name":"smoke","durations":{"kiro.generateCode":"2s"}}"#).unwrap();
    p
}

/// What every build of kiro-poll must do against a `mock-bridge` of `smoke_scenario` with a
/// 1 s server timeout: `status`; `watch --count 3` (snapshot first, summary last, 3 polls);
/// `exec --wait` through the 408 to `completed`, observed by the connection or the status; and 124 for an
/// `--until` that never comes. `run` runs the build under test with these arguments (under
/// Wine, under qemu).
pub fn talks_to(run: impl Fn(&[&str]) -> std::process::Output, url: &str) {
    let json = |out: &std::process::Output| -> Vec<serde_json::Value> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let out = run(&["--url", url, "status"]);
    assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ready"));

    let out = run(&[
        "--url",
        url,
        "--json",
        "watch",
        "--count",
        "3",
        "--interval-ready",
        "200ms",
    ]);
    assert_exit(&out, 0);
    let ev = json(&out);
    assert_eq!(ev.first().unwrap()["type"], "snapshot");
    assert_eq!(ev.last().unwrap()["type"], "summary");
    assert_eq!(ev.last().unwrap()["polls"], 3);

    let out = run(&[
        "--url",
        url,
        "--json",
        "exec",
        "kiro.generateCode",
        "--wait",
        "--follow-interval",
        "200ms",
    ]);
    assert_exit(&out, 0);
    let report = &json(&out)[0];
    assert_eq!(report["outcome"], "completed", "{report}");
    // The 408, then the connection it came on (closed when the command ends) and the status
    // (busy, then ready): the first to show the end decides.
    assert!(
        report["observedBy"] == "connection" || report["observedBy"] == "status",
        "{report}"
    );
    assert_eq!(report["resultKnown"], false, "{report}");

    // 124: the bridge stays ready, so unavailable never comes.
    let out = run(&[
        "--url",
        url,
        "--json",
        "watch",
        "--until",
        "unavailable",
        "--timeout",
        "1s",
        "--interval-ready",
        "200ms",
    ]);
    assert_exit(&out, 124);
}

/// A `mock-bridge` of its own (`-v --json`, on a free port) whose `kiro.long` takes a given
/// time; its `-v` lines are kept, so a test can wait for what it served.
pub struct Sim {
    pub child: Spawned,
    pub url: String,
    log: tempfile::NamedTempFile,
    _dir: tempfile::TempDir,
}

impl Sim {
    /// A simulator whose `kiro.long` takes `length`.
    pub fn start(length: &str, args: &[&str], env: &[(&str, &str)]) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("long.json");
        std::fs::write(
            &scenario,
            format!(r#"{{"name":"long","commands":["kiro.long"],"durations":{{"kiro.long":"{length}"}}}}"#),
        )
        .unwrap();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"))
            .env("KIRO_POLL_STORE", test_store())
            .envs(env.iter().copied())
            .args(["-v", "--json", "mock-bridge", "--port", "0", "--scenario"])
            .arg(&scenario)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        Sim {
            child: Spawned::from(child),
            url: v["url"].as_str().unwrap().to_owned(),
            log,
            _dir: dir,
        }
    }

    /// The requests it served, as its `-v` lines say them (`POST /api/kiro/execute -> 408`).
    pub fn served(&self) -> Vec<String> {
        std::fs::read_to_string(self.log.path())
            .unwrap()
            .lines()
            .filter_map(|l| l.split("mock-bridge: ").nth(1).map(str::to_owned))
            .filter(|l| l.contains(" -> "))
            .collect()
    }

    pub fn executes(&self) -> usize {
        self.served()
            .iter()
            .filter(|l| l.starts_with("POST /api/kiro/execute"))
            .count()
    }
}
