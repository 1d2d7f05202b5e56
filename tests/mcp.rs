//! `kiro-poll mcp`: the protocol on the wire (raw JSON-RPC lines against the real binary, with
//! wiremock or mock-bridge behind it), then the two real clients: the Python SDK's stdio
//! client (`tests/mcp/python_client.py`) and the TypeScript SDK's (`tests/mcp/ts_client.mjs`).
//!
//! The clients come from the registries: `KIRO_POLL_MCP_PYTHON` names a Python with `mcp`
//! installed, `KIRO_POLL_MCP_NODE_DIR` a directory whose `node_modules` holds
//! `@modelcontextprotocol/sdk` (`.ci/run` installs both). Without them those tests say so and
//! skip; `KIRO_POLL_REQUIRE_MCP_CLIENTS=1` (set by `.ci/run`) makes that a failure.

mod common;
use common::Start as _;

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A session with `kiro-poll mcp` over its stdin and stdout, lines read on a thread.
struct Session {
    child: common::Spawned,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
    /// Notifications and other messages seen while waiting for an answer.
    seen: Vec<Value>,
    next_id: u64,
    /// What the server said of itself when it was initialized.
    instructions: String,
}

fn kiro_mcp(args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("kiro-poll"));
    c.env("KIRO_POLL_STORE", common::test_store());
    for v in ["KIRO_BRIDGE_URL", "KIRO_API_KEY", "KIRO_API_KEY_FILE", "NO_COLOR"] {
        c.env_remove(v);
    }
    c.args(args);
    c
}

impl Session {
    /// Start `kiro-poll ARGS mcp MCP_ARGS` and do the handshake.
    fn start(args: &[&str], mcp_args: &[&str]) -> Session {
        Session::start_with(args, mcp_args, &[], json!({}))
    }

    /// `start`, with more environment, declaring `capabilities`.
    fn start_with(args: &[&str], mcp_args: &[&str], env: &[(&str, &str)], capabilities: Value) -> Session {
        let mut child = kiro_mcp(args)
            .envs(env.iter().copied())
            .arg("mcp")
            .args(mcp_args)
            .stdin(Stdio::piped())
            .start(Stdio::piped());
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON on stdout: {line:?}: {e}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut s = Session {
            stdin: child.stdin.take(),
            child,
            lines: rx,
            seen: Vec::new(),
            next_id: 1,
            instructions: String::new(),
        };
        let init = s.request(
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": {"name": "raw", "version": "1"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "kiro-poll", "{init}");
        s.instructions = init["result"]["instructions"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        s.send_raw(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        s
    }

    fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// Send a request; its id.
    fn send(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string());
        id
    }

    /// The next message with this id (others kept in `seen`).
    fn answer(&mut self, id: Value, within: Duration) -> Value {
        let what = format!("answer to {id}");
        self.until(within, &what, |v| {
            v.get("id") == Some(&id) && v.get("method").is_none()
        })
    }

    /// What the server sends within `window` (nothing is to come: an answer that would be
    /// late), kept in `seen`.
    fn gather_for(&mut self, window: Duration) {
        let end = Instant::now() + window;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => self.seen.push(v),
                Err(_) => break,
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        self.answer(json!(id), Duration::from_secs(15))
    }

    /// Start a call with a progress token and wait (at most 10 s) for its first progress
    /// notification: then it is in flight, waiting on the bridge. Its id.
    fn in_flight(&mut self, tool: &str, args: Value) -> u64 {
        self.in_flight_until(tool, args, |_| true)
    }

    /// `in_flight`, until a progress notification whose message `said` holds.
    fn in_flight_until(&mut self, tool: &str, args: Value, said: impl Fn(&str) -> bool) -> u64 {
        let token = format!("t{}", self.next_id);
        let id = self.send(
            "tools/call",
            json!({"name": tool, "arguments": args, "_meta": {"progressToken": token}}),
        );
        self.until(Duration::from_secs(10), &format!("{tool}'s progress"), |v| {
            v["method"] == "notifications/progress"
                && v["params"]["progressToken"] == token
                && said(v["params"]["message"].as_str().unwrap_or_default())
        });
        id
    }

    /// The next message `wanted` takes, within `limit` (the others kept in `seen`).
    fn until(&mut self, limit: Duration, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if wanted(&v) => return v,
                Ok(v) => self.seen.push(v),
                Err(e) => panic!("no {what} within {limit:?} ({e}); seen {:?}", self.seen),
            }
        }
    }

    fn call(&mut self, tool: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": tool, "arguments": args}));
        r["result"].clone()
    }

    /// Close stdin and wait for the exit: its code and everything on stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let status = common::wait_at_most(
            &mut self.child,
            Duration::from_secs(10),
            "still running 10 s after stdin closed",
        );
        let mut err = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut err).unwrap();
        (status.code(), err)
    }
}

fn text(result: &Value) -> String {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A result's human line: its text before the JSON it carries.
fn human(result: &Value) -> String {
    let t = text(result);
    match &result["structuredContent"] {
        Value::Null => t,
        _ => t.rsplit_once('\n').map_or(t.clone(), |(h, _)| h.to_owned()),
    }
}

#[test]
fn stdin_closed_at_once_is_exit_0_with_nothing_on_stdout() {
    let out = kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn a_malformed_line_is_a_parse_error_and_the_server_goes_on() {
    let mut s = Session::start(&["--url", "http://127.0.0.1:9"], &[]);
    s.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let e = s.answer(Value::Null, Duration::from_secs(5));
    assert_eq!(e["error"]["code"], -32700, "{e}");
    s.send_raw("\u{1b}[2Jnot json at all");
    assert_eq!(
        s.answer(Value::Null, Duration::from_secs(5))["error"]["code"],
        -32700
    );
    let pong = s.request("ping", json!({}));
    assert_eq!(pong["result"], json!({}), "{pong}");
    // An unknown tool is a bad request: a JSON-RPC error, not a result.
    let r = s.request("tools/call", json!({"name": "kiro_nothing", "arguments": {}}));
    assert!(r["error"]["code"].is_i64() && r.get("result").is_none(), "{r}");
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
}

/// Lines the SDK would drop without a word: invalid UTF-8 in a string, a lone surrogate, a
/// nesting deeper than it reads. Each is answered, and the server goes on.
#[test]
fn a_request_is_never_answered_by_silence() {
    let mut s = Session::start(&["--url", "http://127.0.0.1:9"], &[]);
    let stdin = s.stdin.as_mut().unwrap();
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"caf\xe9\"}\n")
        .unwrap();
    stdin.flush().unwrap();
    let e = s.answer(Value::Null, Duration::from_secs(5));
    assert_eq!(e["error"]["code"], -32700, "invalid UTF-8: {e}");
    s.send_raw(r#"{"jsonrpc":"2.0","id":12,"method":"\ud800"}"#);
    let e = s.answer(Value::Null, Duration::from_secs(5));
    assert_eq!(e["error"]["code"], -32700, "a lone surrogate: {e}");
    let deep = |n: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{n},"method":"ping","params":{{"a":{}1{}}}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    // Past JSON's own nesting limit (128): a parse error, whose id is null by the spec.
    s.send_raw(&deep(127));
    let e = s.answer(Value::Null, Duration::from_secs(5));
    assert_eq!(e["error"]["code"], -32700, "nested 127 deep: {e}");
    // Deeper than the server reads: an invalid request, with its id.
    for n in [100, 70] {
        s.send_raw(&deep(n));
        let e = s.answer(json!(n), Duration::from_secs(5));
        assert_eq!(e["error"]["code"], -32600, "nested {n} deep: {e}");
    }
    let pong = s.request("ping", json!({}));
    assert_eq!(pong["result"], json!({}), "{pong}");
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn bridge_failures_are_error_results_with_an_agents_words_and_no_key() {
    let bridge = common::serving(
        "/api/kiro/status",
        ResponseTemplate::new(401)
            .set_body_string(r#"{"error":"Unauthorized","message":"bad key k3y-sekrit-value"}"#),
    )
    .await;
    let (_dir, key) = common::in_temp_dir("key", "k3y-sekrit-value\n");
    let url = bridge.uri();
    let key_arg = key.to_str().unwrap().to_owned();
    let (r, stderr) = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(&["--url", &url, "--api-key-file", &key_arg], &[]);
        let r = s.call("kiro_status", json!({}));
        let w = s.call("kiro_wait", json!({"until": "ready", "timeout": "5s"}));
        assert_eq!(w["isError"], true, "a rejected key ends a wait at once: {w}");
        assert!(text(&w).contains("(HTTP 401)"), "{w}");
        let all = format!("{r} {w} {:?}", s.seen);
        let (code, stderr) = s.finish();
        assert_eq!(code, Some(0));
        (all, stderr)
    })
    .await
    .unwrap();
    assert!(r.contains(r#""isError":true"#), "{r}");
    assert!(
        r.contains(r#""text":"the bridge at "#) && r.contains("rejected the credentials (HTTP 401)"),
        "{r}"
    );
    assert!(
        !r.contains("kiro-poll: error")
            && !r.contains("KIRO_API_KEY")
            && r.contains("the user must fix the server's configuration"),
        "in an agent's words: {r}"
    );
    assert!(
        !r.contains("k3y-sekrit-value") && !stderr.contains("k3y-sekrit-value"),
        "{r} {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_strings_reach_the_text_neutralised() {
    let bridge = MockServer::start().await;
    let body =
        json!({"status": "busy", "currentCommand": "kiro.\u{1b}]0;pwned\u{7}x", "availableCommands": []});
    Mock::given(method("GET"))
        .and(path("/api/kiro/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&bridge)
        .await;
    let url = bridge.uri();
    let r = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(&["--url", &url], &[]);
        let r = s.call("kiro_status", json!({}));
        s.finish();
        r
    })
    .await
    .unwrap();
    assert_eq!(human(&r), "busy · running kiro.\\x1b]0;pwned\\x07x · 0 commands");
    assert!(
        !text(&r).contains('\u{1b}'),
        "the JSON it carries escapes the bytes: {r}"
    );
    // The structured content is the status as --json prints it: JSON escapes the bytes.
    assert_eq!(
        r["structuredContent"]["currentCommand"],
        "kiro.\u{1b}]0;pwned\u{7}x"
    );
}

/// A bridge that echoes the key in an answer: redacted in the structured content too, as
/// every `--json` line is, not only in the text.
/// A short key (`2`, `kiro`) never touches the protocol's own fields and names; a key holding
/// a quote and a backslash leaves every message JSON, and is redacted in the resource's text
/// too (a string that is itself JSON).
#[tokio::test(flavor = "multi_thread")]
async fn short_or_quoted_keys_never_break_the_protocol() {
    let quoted = "k\"e\\y-0123";
    let body = json!({"status": "ready", "version": format!("1.94.0-{quoted}"), "availableCommands": ["kiro.generateCode"]});
    let bridge = common::status_bridge(body).await;
    let dir = tempfile::tempdir().unwrap();
    for key in ["2", "kiro", quoted] {
        let file = common::file(dir.path(), "key", format!("{key}\n"));
        let (url, file) = (bridge.uri(), file.to_str().unwrap().to_owned());
        let (tools, status, read) = tokio::task::spawn_blocking(move || {
            // Session reads every line as JSON: a line that is not fails the test there.
            let mut s = Session::start(&["--url", &url, "--api-key-file", &file], &[]);
            let tools = s.request("tools/list", json!({}));
            let status = s.call("kiro_status", json!({}));
            let read = s.request("resources/read", json!({"uri": "kiro://status"}));
            s.finish();
            (tools, status, read)
        })
        .await
        .unwrap();
        assert_eq!(tools["jsonrpc"], "2.0", "key {key:?}: {tools}");
        let names: Vec<&str> = tools["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert!(
            names.contains(&"kiro_status") && names.contains(&"kiro_exec"),
            "key {key:?}: {names:?}"
        );
        if key == quoted {
            assert_eq!(status["structuredContent"]["version"], "1.94.0-***", "{status}");
            let contents = read["result"]["contents"][0]["text"].as_str().unwrap();
            let inner: Value = serde_json::from_str(contents).unwrap();
            assert_eq!(inner["version"], "1.94.0-***", "{contents}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_is_redacted_in_structured_content_too() {
    let body = json!({"status": "busy", "currentCommand": "kiro.x --token k3y-sekrit-value", "availableCommands": []});
    let bridge = common::status_bridge(body).await;
    let (_dir, key) = common::in_temp_dir("key", "k3y-sekrit-value\n");
    let (url, key) = (bridge.uri(), key.to_str().unwrap().to_owned());
    let (status, read) = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(&["--url", &url, "--api-key-file", &key], &[]);
        let status = s.call("kiro_status", json!({}));
        let read = s.request("resources/read", json!({"uri": "kiro://status"}));
        s.finish();
        (status, read)
    })
    .await
    .unwrap();
    assert_eq!(
        status["structuredContent"]["currentCommand"], "kiro.x --token ***",
        "{status}"
    );
    assert_eq!(human(&status), "busy · running kiro.x --token *** · 0 commands");
    assert!(!text(&status).contains("k3y-sekrit"), "{status}");
    let contents = read["result"]["contents"][0]["text"].as_str().unwrap();
    assert!(
        contents.contains("--token ***") && !contents.contains("k3y-sekrit"),
        "{read}"
    );
}

#[test]
fn a_bridge_that_hangs_is_an_error_within_the_request_timeout() {
    // Accepts, never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming().take(8) {
            conns.push(c);
        }
        // Holds the connections open, answering nothing, past the test's end.
        common::hang(Duration::from_secs(30));
    });
    let mut s = Session::start(&["--url", &url, "--request-timeout", "1s"], &[]);
    for _ in 0..3 {
        let t = Instant::now();
        let r = s.call("kiro_status", json!({}));
        let took = t.elapsed();
        assert_eq!(r["isError"], true, "{r}");
        let t = text(&r);
        assert!(
            t.starts_with("cannot reach the bridge at ")
                && t.contains("no answer within 1s. Nothing was run. To try: "),
            "{r}"
        );
        // The bridge hangs 30 s: only the 1 s request timeout ends a call within 10.
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
    drop(held);
}

/// Requests to the status endpoint wiremock has seen.
async fn status_polls(bridge: &MockServer) -> usize {
    common::received(bridge, |r| r.url.path() == "/api/kiro/status")
        .await
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_resource_is_polled_only_while_someone_is_subscribed() {
    let bridge = common::serving("/api/kiro/status", common::status_response("ready", None)).await;
    let url = bridge.uri();
    let (tx, rx) = std::sync::mpsc::channel::<&'static str>();
    let (back_tx, back_rx) = std::sync::mpsc::channel::<()>();
    let session = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(&["--url", &url], &["--interval-ready", "100ms"]);
        for step in rx {
            match step {
                "subscribe" => assert!(s.request("resources/subscribe", json!({"uri": "kiro://status"}))
                    ["result"]
                    .is_object()),
                "unsubscribe" => {
                    assert!(
                        s.request("resources/unsubscribe", json!({"uri": "kiro://status"}))["result"]
                            .is_object()
                    )
                }
                "bad" => {
                    let r = s.request("resources/subscribe", json!({"uri": "kiro://other"}));
                    assert!(r["error"]["code"].is_i64(), "{r}");
                }
                _ => break,
            }
            back_tx.send(()).unwrap();
        }
        s.finish()
    });
    let step = |what| {
        tx.send(what).unwrap();
        back_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    };
    // A window of six poll intervals in which a poll would show: nobody subscribed.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(status_polls(&bridge).await, 0, "nobody subscribed, no polling");
    step("bad");
    step("subscribe");
    common::eventually_async(Duration::from_secs(10), "four polls while subscribed", || async {
        status_polls(&bridge).await >= 4
    })
    .await;
    let while_subscribed = status_polls(&bridge).await;
    assert!(
        while_subscribed >= 4,
        "polled every 100ms while subscribed: {while_subscribed}"
    );
    step("unsubscribe");
    // A poll already on its way may still land; then a window of seven intervals without one.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = status_polls(&bridge).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        status_polls(&bridge).await,
        after,
        "no polling after the last one left"
    );
    tx.send("end").unwrap();
    let (code, _) = session.await.unwrap();
    assert_eq!(code, Some(0));
}

#[test]
fn a_cancelled_wait_ends_at_once_and_is_not_answered() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let mut s = Session::start(&["--url", &url], &[]);
    // kiro.generateCode takes 8 s on the simulator.
    let calls = [
        ("kiro_wait", json!({"until": "unavailable", "timeout": "60s"})),
        ("kiro_exec", json!({"command": "kiro.generateCode", "wait": true})),
    ];
    let mut ids = Vec::new();
    for (tool, args) in calls {
        let id = s.in_flight(tool, args);
        let t = Instant::now();
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id, "reason": "enough"}});
        s.send_raw(&cancel.to_string());
        let pong = s.request("ping", json!({}));
        assert!(
            pong["result"].is_object() && t.elapsed() < Duration::from_secs(2),
            "{pong}"
        );
        ids.push(json!(id));
    }
    // A window in which a late answer to the cancelled call would arrive.
    s.gather_for(Duration::from_millis(300));
    assert!(
        !s.seen
            .iter()
            .any(|v| v.get("id").is_some_and(|id| ids.contains(id))),
        "a cancelled request is not answered: {:?}",
        s.seen
    );
    let (code, stderr) = s.finish();
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains("kiro_wait cancelled; stopped waiting for unavailable"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("kiro_exec cancelled; stopped waiting, kiro.generateCode may still be running in Kiro"),
        "{stderr}"
    );
    bridge.stop();
}

#[test]
fn a_flood_of_calls_is_bounded_and_a_slot_comes_back_when_one_ends() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let mut s = Session::start(&["--url", &url], &[]);
    let wait = json!({"until": "unavailable", "timeout": "60s"});
    let ids: Vec<u64> = (0..64).map(|_| s.in_flight("kiro_wait", wait.clone())).collect();
    let r = s.call("kiro_status", json!({}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(text(&r).contains("64 tool calls are already in progress"), "{r}");
    let cancel =
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": ids[0]}});
    s.send_raw(&cancel.to_string());
    // The slot comes back when the cancellation is handled: asked until then (at most 10 s).
    common::eventually(
        Duration::from_secs(10),
        "a cancelled call gives its slot back",
        || s.call("kiro_status", json!({}))["isError"] == false,
    );
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
    bridge.stop();
}

#[test]
fn stdin_closed_during_a_wait_is_exit_0_at_once() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let mut s = Session::start(&["--url", &url], &[]);
    s.in_flight("kiro_wait", json!({"until": "unavailable", "timeout": "60s"}));
    let t = Instant::now();
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    bridge.stop();
}

/// Every structured result, success or not, is what the tool's output schema says: checked
/// here for every tool and the ways each ends, beside the TypeScript client's own check.
#[test]
fn every_structured_result_matches_its_tools_output_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bridge, url) = simulator(dir.path());
    let mut s = Session::start(&["--url", &url], &["--follow-interval", "200ms", "--offer-input"]);
    let tools = s.request("tools/list", json!({}))["result"]["tools"].clone();
    let schema_of = |name: &str| {
        let t = tools
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap();
        jsonschema::validator_for(&t["outputSchema"]).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let calls = [
        ("kiro_status", json!({}), false),
        ("kiro_commands", json!({"filter": "kiro."}), false),
        ("kiro_commands", json!({"filter": "nothing-like-it"}), false),
        ("kiro_exec", json!({"command": "kiro.quick"}), false),
        (
            "kiro_exec",
            json!({"command": "kiro.slow", "wait": true, "timeout": "20s"}),
            false,
        ),
        ("kiro_exec", json!({"command": "kiro.fails", "wait": true}), true),
        ("kiro_exec", json!({"command": "kiro.unknown"}), true),
        (
            "kiro_exec",
            json!({"command": "kiro.slow", "wait": true, "timeout": "300ms"}),
            true,
        ),
        ("kiro_wait", json!({"until": "ready"}), false),
        (
            "kiro_wait",
            json!({"until": "available:kiro.never", "timeout": "300ms"}),
            true,
        ),
        ("kiro_input", json!({"executionId": "exec-1", "value": "v"}), true),
    ];
    for (tool, args, is_error) in calls {
        let r = s.call(tool, args.clone());
        assert_eq!(r["isError"], is_error, "{tool} {args}: {r}");
        let sc = &r["structuredContent"];
        assert!(sc.is_object(), "{tool} {args}: no structured content: {r}");
        let errors: Vec<String> = schema_of(tool).iter_errors(sc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{tool} {args}: {sc}: {errors:?}");
        // The text carries the same JSON, after one human line.
        let t = text(&r);
        let (line, json_text) = t
            .rsplit_once('\n')
            .unwrap_or_else(|| panic!("{tool}: no JSON in the text: {t}"));
        assert!(!line.is_empty(), "{tool}: a human line first");
        let carried: Value = serde_json::from_str(json_text).unwrap_or_else(|e| panic!("{tool}: {e}: {t}"));
        assert_eq!(&carried, sc, "{tool} {args}");
    }
    s.finish();
    bridge.stop();
}

#[test]
fn mcp_talks_to_one_bridge() {
    let out = kiro_mcp(&common::words(
        "--url http://127.0.0.1:9 --url http://127.0.0.1:10 mcp",
    ))
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'mcp' talks to one bridge") && err.lines().count() == 1,
        "{err}"
    );
}

/// The simulator both clients run against: commands that take a while, one that fails, one
/// that appears after 4 s; the bridge gives up on a request after 1 s (a 408, as the real one
/// does after 30 s).
fn simulator(dir: &std::path::Path) -> (common::Spawned, String) {
    let scenario = common::file(
        dir,
        "mcp.json",
        r#"{"name":"mcp","commands":["kiro.slow","kiro.quick","kiro.fails","vscode.open"],"failing":["kiro.fails"],
            "durations":{"kiro.slow":"2s","kiro.quick":"50ms"},"steps":[{"at":"4s","addCommands":["kiro.later"]}]}"#,
    );
    common::start_mock_bridge(&[
        "--port",
        "0",
        "--scenario",
        scenario.to_str().unwrap(),
        "--server-timeout",
        "1s",
    ])
}

/// A URL that accepts connections and never answers, for as long as the test runs.
fn hanging_bridge() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut conns = Vec::new();
        for c in listener.incoming() {
            conns.push(c);
        }
    });
    url
}

/// A client named by `var`, or the reason it is missing (a failure when required).
fn client(var: &str, what: &str, check: impl Fn(&str) -> Result<(), String>) -> Option<String> {
    let why = match std::env::var(var) {
        Err(_) => format!("{var} is not set"),
        Ok(v) => match check(&v) {
            Ok(()) => return Some(v),
            Err(why) => why,
        },
    };
    common::skip_or_require("KIRO_POLL_REQUIRE_MCP_CLIENTS", &format!("the {what}"), &why);
    None
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(name)
}

/// What both clients check, besides their own.
const BOTH_CHECK: [&str; 11] = [
    "list_tools",
    "kiro_status, its text carrying its JSON",
    "kiro_commands",
    "kiro_exec wait through a 408, with progress",
    "kiro_exec outcomes",
    "kiro_input",
    "kiro_wait",
    "cancel a wait",
    "an unreachable bridge is an isError result",
    "--read-only",
    "--allow",
];

/// Run a client script (`cmd`: the program, the script and what comes before the common
/// arguments) against the simulator and a bridge that hangs, and check it passed `BOTH_CHECK`
/// and its own `checks`.
fn run_client(mut cmd: Command, checks: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (mut bridge, url) = simulator(dir.path());
    cmd.env("KIRO_POLL_STORE", dir.path().join("jobs.db"))
        .arg(assert_cmd::cargo::cargo_bin("kiro-poll"))
        .args([&url, &hanging_bridge()]);
    let out = cmd.output().unwrap();
    bridge.stop();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the client failed: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    for c in BOTH_CHECK.iter().chain(checks) {
        assert!(
            stdout.lines().any(|l| l == format!("ok: {c}")),
            "no 'ok: {c}' in\n{stdout}\n{stderr}"
        );
    }
    assert!(
        stderr.contains("kiro_wait cancelled; stopped waiting for unavailable"),
        "{stderr}"
    );
}

#[test]
fn the_python_sdk_client_drives_every_tool_and_the_resource() {
    let Some(python) = client("KIRO_POLL_MCP_PYTHON", "Python MCP SDK client", |py| {
        let ok = Command::new(py)
            .args(["-c", "import mcp.client.stdio"])
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then_some(()).ok_or_else(|| format!("{py} cannot import mcp"))
    }) else {
        return;
    };
    let mut cmd = Command::new(python);
    cmd.arg(script("python_client.py"));
    run_client(
        cmd,
        &[
            "bad arguments are an error result",
            "kiro_exec wait false, then kiro_job",
            "read kiro://status",
            "listen to kiro://status: an update when the simulator's state changes",
            "listen streams are bounded",
            "kiro_input not offered by default",
        ],
    );
}

#[test]
fn the_typescript_sdk_client_drives_every_tool_and_the_resource() {
    let Some(sdk) = client("KIRO_POLL_MCP_NODE_DIR", "TypeScript MCP SDK client", |d| {
        let pkg = std::path::Path::new(d).join("node_modules/@modelcontextprotocol/sdk/package.json");
        let node = Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        match (pkg.exists(), node) {
            (true, true) => Ok(()),
            (false, _) => Err(format!("{} is missing", pkg.display())),
            (_, false) => Err("node is not installed".into()),
        }
    }) else {
        return;
    };
    let mut cmd = Command::new("node");
    cmd.arg(script("ts_client.mjs")).arg(sdk);
    run_client(
        cmd,
        &[
            "subscribe to kiro://status: notifications/resources/updated when the state changes",
            "an unknown resource is a JSON-RPC error",
        ],
    );
}

/// `kiro_exec` with `wait` against a bridge that behaves like the real one: past its 408 the
/// end is seen by the connection it answered on, with progress saying so; cancelled while it
/// follows that connection, it stops at once.
#[test]
fn kiro_exec_follows_the_connection_past_the_408() {
    let (_dir, scenario) = common::in_temp_dir(
        "long.json",
        r#"{"name":"long","commands":["kiro.long"],"durations":{"kiro.long":"4s"}}"#,
    );
    let (mut bridge, url) = common::start_mock_bridge(&[
        "--port",
        "0",
        "--scenario",
        scenario.to_str().unwrap(),
        "--like",
        "real",
        "--server-timeout",
        "1s",
    ]);
    let mut s = Session::start(&["--url", &url], &[]);
    let started = Instant::now();
    let id = s.send(
        "tools/call",
        json!({"name": "kiro_exec", "arguments": {"command": "kiro.long", "wait": true, "timeout": "30s"},
               "_meta": {"progressToken": "p1"}}),
    );
    let r = s.answer(json!(id), Duration::from_secs(20))["result"].clone();
    let took = started.elapsed();
    assert_eq!(r["isError"], false, "{r}");
    let sc = &r["structuredContent"];
    assert_eq!(sc["outcome"], "completed", "{sc}");
    assert_eq!(sc["observedBy"], "connection", "{sc}");
    assert_eq!(sc["resultKnown"], false, "{sc}");
    assert!((3_900..6_500).contains(&sc["seenMs"].as_u64().unwrap()), "{sc}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(text(&r).contains("its result was not returned"), "{r}");
    let progress: Vec<String> = s
        .seen
        .iter()
        .filter(|v| v["method"] == "notifications/progress")
        .filter_map(|v| v["params"]["message"].as_str().map(str::to_owned))
        .collect();
    assert!(
        progress
            .iter()
            .any(|m| m.contains("HTTP 408") && m.contains("following the connection it answered on")),
        "{progress:?}"
    );

    // Cancelled after the 408, while the connection is followed: at once, and not answered.
    let id = s.in_flight_until("kiro_exec", json!({"command": "kiro.long", "wait": true}), |m| {
        m.contains("HTTP 408")
    });
    let t = Instant::now();
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}});
    s.send_raw(&cancel.to_string());
    let pong = s.request("ping", json!({}));
    assert!(
        pong["result"].is_object() && t.elapsed() < Duration::from_secs(2),
        "{pong}"
    );
    // A window in which a late answer to the cancelled call would arrive.
    s.gather_for(Duration::from_millis(300));
    assert!(
        !s.seen.iter().any(|v| v.get("id") == Some(&json!(id))),
        "{:?}",
        s.seen
    );
    let (code, stderr) = s.finish();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("kiro_exec cancelled"), "{stderr}");
    bridge.stop();
}

/// Listen streams count toward the 64 whatever they name (protocol 2026-07-28: no
/// `initialize`, each request carries its metadata): 64 that name no resource, and the 65th,
/// naming `kiro://status`, is refused.
#[test]
fn every_listen_stream_counts_toward_the_limit() {
    let mut child = kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::piped())
        .start(Stdio::piped());
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(serde_json::from_str(&line).unwrap()).is_err() {
                break;
            }
        }
    });
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}});
    let listen = |id: u64, notifications: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "subscriptions/listen", "params": {"_meta": meta, "notifications": notifications}})
            .to_string()
    };
    let mut stdin = child.stdin.take().unwrap();
    for id in 0..64 {
        writeln!(stdin, "{}", listen(id, json!({"toolsListChanged": true}))).unwrap();
    }
    writeln!(
        stdin,
        "{}",
        listen(999, json!({"resourceSubscriptions": ["kiro://status"]}))
    )
    .unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut acknowledged = 0;
    let refused = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = rx.recv_timeout(left).expect("an answer to the 65th stream");
        if v["method"] == "notifications/subscriptions/acknowledged" {
            acknowledged += 1;
            continue;
        }
        if v["id"] == 999 {
            break v;
        }
    };
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("64 listen streams are already open")),
        "{refused}"
    );
    // The SDK acknowledges a stream before the server sees it (the 65th too, then ended).
    assert!(acknowledged >= 64, "{acknowledged}");
    // The end of stdin ends the streams with it, at once.
    let closed = Instant::now();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        closed.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        closed.elapsed()
    );
}

/// The handshake and `n` requests, as lines: `initialize`, then `tools/list` with ids 1..=n.
fn flood(n: u64) -> Vec<u8> {
    let mut lines = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}).to_string();
    lines.push('\n');
    lines.push_str(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
    lines.push('\n');
    for id in 1..=n {
        lines.push_str(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string());
        lines.push('\n');
    }
    lines.into_bytes()
}

/// `> /dev/full`: a write that fails is exit 74 with the reason, as everywhere else.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_exit_74() {
    let out = kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .map(common::Spawned::from)
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(&flood(1))?;
            c.wait_with_output()
        })
        .unwrap();
    common::ended_saying(&out, 74, &["cannot write the output: No space left on device"]);
}

/// `kiro-poll mcp` of a bridge that is not there, its stdin and stdout piped, stderr unread.
fn unanswered_mcp() -> common::Spawned {
    kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::piped())
        .start(Stdio::null())
}

/// `… | kiro-poll mcp | head -c100` with stdin left open: the closed stdout ends it, exit 0.
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_server_whatever_stdin_does() {
    let mut child = unanswered_mcp();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&flood(1)).unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"id\":0"), "{first}");
    // The reader is gone now (dropped with the BufReader); stdin stays open and keeps asking.
    let asking = std::thread::spawn(move || {
        for id in 100..200 {
            let line = json!({"jsonrpc": "2.0", "id": id, "method": "ping"}).to_string();
            if writeln!(stdin, "{line}").is_err() {
                return;
            }
            // Paces the pings: a client that keeps asking, one every 50 ms.
            std::thread::sleep(Duration::from_millis(50));
        }
        // Then keeps stdin open, asking nothing, past the test's end.
        common::hang(Duration::from_secs(30));
    });
    assert_eq!(
        common::exited_within(&mut child, Duration::from_secs(5)).and_then(|s| s.code()),
        Some(0)
    );
    drop(asking);
}

/// stdin closed while the client reads nothing: its answers fill the pipe, and the server
/// still exits within its drain time.
#[test]
fn a_full_stdout_does_not_hold_the_exit() {
    let mut child = unanswered_mcp();
    // About 3 MB of answers against a 64 KiB pipe nobody reads.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&flood(600)).unwrap();
    // Lets the answers fill the pipe before stdin closes (nothing tells when it is full).
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    drop(stdin);
    let code = common::exited_within(&mut child, Duration::from_secs(6)).and_then(|s| s.code());
    assert_eq!(
        code,
        Some(0),
        "still running {:?} after stdin closed",
        started.elapsed()
    );
}

/// A stderr nobody reads (its pipe full) holds up nothing: log lines go through a writer of
/// their own, and a ping is still answered.
#[test]
fn a_stderr_nobody_reads_does_not_freeze_the_server() {
    // Session pipes stderr and reads it only at `finish`: until then its pipe fills at 64 KiB.
    let mut s = Session::start(&["-v", "--url", "http://127.0.0.1:9"], &[]);
    // Every call logs its refused request on stderr (-v): well over the pipe's 64 KiB.
    for _ in 0..1_500 {
        let r = s.call("kiro_status", json!({}));
        assert_eq!(r["isError"], true);
    }
    let t = Instant::now();
    let pong = s.request("ping", json!({}));
    assert!(
        pong["result"].is_object() && t.elapsed() < Duration::from_secs(2),
        "{pong}"
    );
    s.child.stop();
}

/// An `O_NONBLOCK` stdout (set by whoever shares the pipe): a full pipe is written again
/// later, every line whole, every request answered.
#[cfg(unix)]
#[test]
fn a_non_blocking_stdout_gets_every_answer_whole() {
    use std::os::fd::AsRawFd;
    let (reader, writer) = std::io::pipe().unwrap();
    unsafe {
        let fd = writer.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        assert!(libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) == 0);
    }
    let mut child = kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::null())
        .spawn()
        .map(common::Spawned::from)
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&flood(300)).unwrap();
    // Let the answers fill the pipe before anyone reads.
    std::thread::sleep(Duration::from_millis(800));
    drop(stdin);
    let mut ids = std::collections::BTreeSet::new();
    for line in std::io::BufReader::new(reader).lines() {
        let line = line.unwrap();
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("cut line {line:?}: {e}"));
        if let Some(id) = v["id"].as_u64() {
            ids.insert(id);
        }
    }
    assert_eq!(ids.len(), 301, "every request answered");
    assert_eq!(
        common::exited_within(&mut child, Duration::from_secs(5)).and_then(|s| s.code()),
        Some(0)
    );
}

/// `resources/read` against a bridge that hangs counts toward the same 64 as tool calls: past
/// them a read is answered at once with an error, never one more socket.
#[test]
fn reads_of_the_resource_are_bounded_as_tool_calls_are() {
    let url = hanging_bridge();
    let mut s = Session::start(&["--url", &url, "--request-timeout", "30s"], &[]);
    let ids: Vec<u64> = (0..80)
        .map(|_| s.send("resources/read", json!({"uri": "kiro://status"})))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut refused = 0;
    while let Ok(v) = s
        .lines
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        let answers_ours = v["id"].as_u64().is_some_and(|id| ids.contains(&id));
        if answers_ours
            && v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("64 requests to the bridge are already in progress"))
        {
            refused += 1;
        }
    }
    assert_eq!(refused, 16, "80 reads, 64 in flight");
    let pong = s.request("ping", json!({}));
    assert!(pong["result"].is_object(), "{pong}");
    s.child.stop();
}

/// A client that floods and reads slowly: the server stops reading stdin while answers wait
/// (its memory stays bounded), and every request is answered once it reads.
#[cfg(target_os = "linux")]
#[test]
fn a_flood_from_a_slow_reader_does_not_grow_the_server() {
    let mut child = unanswered_mcp();
    let n = 6_000;
    let mut stdin = child.stdin.take().unwrap();
    // Written on a thread: it blocks once the server stops reading.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&flood(n));
        stdin
    });
    // Lets the server read until the pipe of its answers is full and it stops reading.
    std::thread::sleep(Duration::from_secs(2));
    let rss_kib = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let held = rss_kib(child.id());
    assert!(held < 80 * 1024, "{held} KiB while {n} requests wait to be read");
    // Now read: every request gets its answer, every line whole.
    let mut ids = std::collections::BTreeSet::new();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    while ids.len() < n as usize + 1 {
        let line = lines.next().expect("an answer").unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        ids.insert(v["id"].as_u64().unwrap());
    }
    drop(writer.join().unwrap());
    assert_eq!(
        common::exited_within(&mut child, Duration::from_secs(5)).and_then(|s| s.code()),
        Some(0)
    );
}

/// stdin that cannot be read (a directory) is said, exit 2, not a quiet end.
#[cfg(unix)]
#[test]
fn an_unreadable_stdin_is_said() {
    let out = kiro_mcp(&["--url", "http://127.0.0.1:9", "mcp"])
        .stdin(std::fs::File::open("/").unwrap())
        .output()
        .unwrap();
    common::ended_saying(&out, 2, &["cannot read stdin: Is a directory"]);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_timeout_past_a_hundred_years_says_so() {
    let mut s = Session::start(&["--url", "http://127.0.0.1:9"], &[]);
    let r = s.call("kiro_wait", json!({"until": "ready", "timeout": 1e12}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        text(&r).contains("1000000000000 seconds is longer than the longest timeout (100 years)"),
        "{r}"
    );
    let r = s.call("kiro_wait", json!({"until": "ready", "timeout": -1}));
    assert!(text(&r).contains("is not a number of seconds above 0"), "{r}");
    s.finish();
}

/// A signal during a `kiro_exec` wait: the call is answered (stopped waiting, the command may
/// still be running), stderr says so as the CLI does, and the exit is the signal's.
#[cfg(unix)]
#[test]
fn a_signal_during_a_wait_answers_the_call_then_exits() {
    let (mut bridge, url) = common::start_mock_bridge(&["--port", "0"]);
    let mut s = Session::start(&["--url", &url], &[]);
    let id = s.in_flight("kiro_exec", json!({"command": "kiro.generateCode", "wait": true}));
    unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) };
    let r = s.answer(json!(id), Duration::from_secs(5));
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(
        text(&r["result"]).contains("kiro.generateCode may still be running in Kiro"),
        "{r}"
    );
    assert_eq!(
        common::exited_within(&mut s.child, Duration::from_secs(5)).and_then(|s| s.code()),
        Some(143)
    );
    let mut err = String::new();
    std::io::Read::read_to_string(&mut s.child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("kiro_exec ended by a termination signal; stopped waiting, kiro.generateCode may still be running in Kiro"),
        "{err}"
    );
    bridge.stop();
}

/// Every error names the request it answers: its own id where it has a usable one, else
/// `"id": null` (JSON-RPC 2.0), never no `id` at all; a tool call's params of the wrong shape
/// are invalid params (-32602), not "method not found".
#[test]
fn every_error_carries_an_id() {
    let mut s = Session::start(&["--url", "http://127.0.0.1:9"], &[]);
    for line in [
        "[1,2]",
        "5",
        "{}",
        r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
    ] {
        s.send_raw(line);
        let e = s.answer(Value::Null, Duration::from_secs(5));
        assert_eq!(e["error"]["code"], -32600, "{line}: {e}");
    }
    for (id, params) in [
        (41, json!({"name": 5})),
        (42, json!({"name": "kiro_status", "arguments": []})),
    ] {
        s.send_raw(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params}).to_string(),
        );
        let e = s.answer(json!(id), Duration::from_secs(5));
        assert_eq!(e["error"]["code"], -32602, "{e}");
    }
    // A key twice in one object: an invalid request, not "method not found".
    s.send_raw(r#"{"jsonrpc":"2.0","id":44,"method":"tools/call","params":{"name":"kiro_status","name":"kiro_health"}}"#);
    let e = s.answer(json!(44), Duration::from_secs(5));
    assert_eq!(e["error"]["code"], -32600, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a key appears twice"),
        "{e}"
    );
    // Params of the wrong shape the SDK judges: its error gets an id too.
    s.send_raw(r#"{"jsonrpc":"2.0","id":43,"method":"resources/read","params":{"uri":5}}"#);
    let deadline = Instant::now() + Duration::from_secs(5);
    let e = loop {
        let v = s
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("an answer");
        if v.get("error").is_some() {
            break v;
        }
    };
    assert!(
        e.as_object().unwrap().contains_key("id"),
        "an error with no id: {e}"
    );
    let pong = s.request("ping", json!({}));
    assert_eq!(pong["result"], json!({}), "{pong}");
    s.finish();
}

/// A command outside `--allow` is refused as an isError result naming the rule, and never
/// reaches the bridge; one inside it runs. `--read-only` offers no kiro_exec, and a call of it
/// is refused the same way. The server's instructions say which mode it runs in.
#[tokio::test(flavor = "multi_thread")]
async fn allow_and_read_only_refuse_before_the_bridge() {
    let bridge = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/kiro/execute"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true, "output": "done"})))
        .mount(&bridge)
        .await;
    let url = bridge.uri();
    let (allowed, refused, instructions, ro_tools, ro_exec) = tokio::task::spawn_blocking(move || {
        let mut s = Session::start(&["--url", &url], &["--allow", "vscode.open", "--allow", "kiro.*"]);
        let allowed = s.call("kiro_exec", json!({"command": "kiro.generateCode"}));
        let refused = s.call("kiro_exec", json!({"command": "workbench.action.reloadWindow"}));
        let allow_said = s.instructions.clone();
        s.finish();
        let mut ro = Session::start(&["--url", &url], &["--read-only"]);
        let init = (allow_said, ro.instructions.clone());
        let tools = ro.request("tools/list", json!({}))["result"]["tools"].clone();
        let exec = ro.call("kiro_exec", json!({"command": "kiro.generateCode"}));
        ro.finish();
        (allowed, refused, init, tools, exec)
    })
    .await
    .unwrap();
    assert_eq!(allowed["isError"], false, "{allowed}");
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(
        text(&refused).contains("workbench.action.reloadWindow is not allowed: this MCP server runs only commands matching vscode.open, kiro.*"),
        "{refused}"
    );
    let posts = bridge.received_requests().await.unwrap_or_default();
    let posts: Vec<_> = posts
        .iter()
        .filter(|r| r.url.path() == "/api/kiro/execute")
        .collect();
    assert_eq!(posts.len(), 1, "only the allowed command reached the bridge");
    let names: Vec<&str> = ro_tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "kiro_status",
            "kiro_commands",
            "kiro_wait",
            "kiro_job",
            "kiro_jobs"
        ]
    );
    assert_eq!(ro_exec["isError"], true, "{ro_exec}");
    assert!(text(&ro_exec).contains("read-only"), "{ro_exec}");
    let (allow_said, ro_said) = instructions;
    assert!(
        allow_said.contains("only commands matching vscode.open, kiro.*"),
        "{allow_said}"
    );
    assert!(
        ro_said.contains("This server is read-only: it cannot run commands"),
        "{ro_said}"
    );
    assert!(
        ro_said.contains("it cannot wait for a command to finish"),
        "{ro_said}"
    );
}

/// A client that declared the tasks extension gets a task for `kiro_exec` at once and its
/// result through `tasks/get`; `tasks/cancel` stops the follow (the command may still run, said
/// so) and the job records it. A client without tasks gets the job's id with `wait: false`
/// and the end through `kiro_job`, no call blocking past its bound. Each is one execute.
#[test]
fn long_commands_are_tasks_or_jobs_and_no_call_blocks() {
    let (dir, scenario) = common::in_temp_dir(
        "long.json",
        r#"{"name":"long","commands":["kiro.long","kiro.longer"],"durations":{"kiro.long":"3s","kiro.longer":"30s"}}"#,
    );
    let store = dir.path().join("jobs.db").to_string_lossy().into_owned();
    let (mut sim, url) = common::start_mock_bridge(&[
        "--like",
        "real",
        "--server-timeout",
        "1s",
        "--scenario",
        scenario.to_str().unwrap(),
    ]);
    let env = [("KIRO_POLL_STORE", store.as_str())];

    // Tasks.
    let mut s = Session::start_with(
        &["--url", &url],
        &["--follow-interval", "200ms"],
        &env,
        json!({"extensions": {"io.modelcontextprotocol/tasks": {}}}),
    );
    let started = Instant::now();
    let r = s.call("kiro_exec", json!({"command": "kiro.long", "wait": true}));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a task handle at once"
    );
    assert_eq!(r["resultType"], "task", "{r}");
    let task = r["taskId"].as_str().unwrap().to_owned();
    assert_eq!(r["status"], "working", "{r}");
    let mut got = Value::Null;
    common::eventually(Duration::from_secs(15), "the task completed", || {
        got = s.request("tasks/get", json!({"taskId": task}))["result"].clone();
        got["status"] == "completed"
    });
    let out = &got["result"]["structuredContent"];
    assert_eq!(out["outcome"], "completed", "{got}");
    assert_eq!(out["observedBy"], "connection", "{got}");
    let job = out["jobId"].as_i64().expect("the job's id");
    // Cancelled: the follow stops, the job says so.
    let r = s.call("kiro_exec", json!({"command": "kiro.longer"}));
    let task = r["taskId"].as_str().unwrap().to_owned();
    let ack = s.request("tasks/cancel", json!({"taskId": task}));
    assert!(ack.get("error").is_none(), "{ack}");
    common::eventually(Duration::from_secs(10), "the task cancelled", || {
        got = s.request("tasks/get", json!({"taskId": task}))["result"].clone();
        got["status"] == "cancelled"
    });
    assert!(
        got["statusMessage"]
            .as_str()
            .unwrap()
            .contains("may still be running"),
        "{got}"
    );
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));

    // No tasks: wait: false, then kiro_job.
    let mut s = Session::start_with(&["--url", &url], &["--follow-interval", "200ms"], &env, json!({}));
    let started = Instant::now();
    let r = s.call("kiro_exec", json!({"command": "kiro.long"}));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "wait: false returns at once"
    );
    let out = &r["structuredContent"];
    assert_eq!(out["outcome"], "running", "{r}");
    let id = out["jobId"].as_i64().unwrap();
    assert!(human(&r).contains(&format!("kiro_job with id {id}")), "{r}");
    let mut j = Value::Null;
    common::eventually(Duration::from_secs(15), "the job ended", || {
        let started = Instant::now();
        j = s.call("kiro_job", json!({"id": id, "wait": 2}));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "kiro_job keeps to its wait"
        );
        j["structuredContent"]["state"] == "ended"
    });
    assert_eq!(j["structuredContent"]["outcome"], "completed", "{j}");
    assert_eq!(j["isError"], false, "{j}");
    // kiro_jobs: everything, then nothing new since its cursor.
    let all = s.call("kiro_jobs", json!({}));
    let listed: Vec<i64> = all["structuredContent"]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed[0], id, "newest first: {all}");
    assert!(listed.contains(&job));
    let cursor = all["structuredContent"]["cursor"].as_str().unwrap().to_owned();
    let none = s.call("kiro_jobs", json!({"since": cursor}));
    assert_eq!(none["structuredContent"]["jobs"], json!([]), "{none}");
    // A job the server still follows when it ends is lost.
    let r = s.call("kiro_exec", json!({"command": "kiro.longer"}));
    let left = r["structuredContent"]["jobId"].as_i64().unwrap();
    let (code, _) = s.finish();
    assert_eq!(code, Some(0));
    let shown = common::kiro()
        .env("KIRO_POLL_STORE", &store)
        .args(["jobs", "show", &left.to_string(), "--json"])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["state"], "lost", "{shown}");
    assert!(shown["error"].as_str().unwrap().contains("MCP server"), "{shown}");
    sim.stop();
}
