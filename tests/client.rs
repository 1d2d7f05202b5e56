//! The bridge client against real local servers: conditional GETs and 304, the one silent
//! retry of a GET on a connection the server closed (never of a POST), the body cap,
//! redirects refused, the key sent, timeouts, and localhost over IPv6.

mod common;

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{fixture, write_json, RawServer};
use kiro_poll::client::{BridgeClient, ClientOptions};
use kiro_poll::error::{BridgeError, FailureKind};
use kiro_poll::model::{ExecAnswer, ExecuteRequest, KiroState};
use wiremock::matchers::{header, header_exists, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(url: &str) -> BridgeClient {
    client_with(url, Duration::from_secs(5))
}

fn client_with(url: &str, timeout: Duration) -> BridgeClient {
    BridgeClient::new(ClientOptions {
        base: url::Url::parse(url).unwrap(),
        api_key: None,
        request_timeout: timeout,
        verbose: 0,
    })
    .unwrap()
}

/// Ended well within the test's 10 s (a refusal at once, a request timeout of 300 ms).
fn soon(started: std::time::Instant) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn etag_is_sent_back_and_304_returns_the_last_status() {
    let server = common::etag_bridge("\"v1\"", "status_busy.json").await;
    let c = client(&server.uri());
    let first = c.status().await.unwrap();
    assert!(!first.not_modified);
    let second = c.status().await.unwrap();
    assert!(second.not_modified);
    assert_eq!(second.bytes, 0, "a 304 costs no body");
    assert_eq!(second.status, first.status);
    assert_eq!(
        second.status.current_command.as_deref(),
        Some("kiro.generateCode")
    );
    assert_eq!(c.stats.requests.load(Ordering::Relaxed), 2);
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0].headers.get("if-none-match").is_none());
    assert_eq!(reqs[1].headers.get("if-none-match").unwrap(), "\"v1\"");
}

/// A bridge whose status carries `header: value`, asked twice by one client.
async fn asked_twice(header: &str, value: &str) -> MockServer {
    let answer = ResponseTemplate::new(200)
        .insert_header(header, value)
        .set_body_raw(fixture("status_ready.json"), "application/json");
    let server = common::serving("/api/kiro/status", answer).await;
    let c = client(&server.uri());
    c.status().await.unwrap();
    c.status().await.unwrap();
    server
}

#[tokio::test]
async fn last_modified_is_sent_back() {
    let server = asked_twice("last-modified", "Sun, 19 Jan 2025 10:30:00 GMT").await;
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        reqs[1].headers.get("if-modified-since").unwrap(),
        "Sun, 19 Jan 2025 10:30:00 GMT"
    );
}

#[tokio::test]
async fn a_star_etag_never_becomes_if_none_match_star() {
    let server = asked_twice("etag", "*").await;
    for r in server.received_requests().await.unwrap() {
        assert!(r.headers.get("if-none-match").is_none());
    }
}

#[tokio::test]
async fn an_unconditional_304_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    let err = client(&server.uri()).status().await.unwrap_err();
    assert_eq!(err.kind(), FailureKind::Protocol);
}

#[tokio::test]
async fn the_api_key_is_sent_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer s3cr3t-key"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("status_ready.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let c = BridgeClient::new(ClientOptions {
        base: url::Url::parse(&server.uri()).unwrap(),
        api_key: Some(test_key("s3cr3t-key")),
        request_timeout: Duration::from_secs(5),
        verbose: 0,
    })
    .unwrap();
    assert_eq!(c.status().await.unwrap().status.status, KiroState::Ready);
}

fn test_key(k: &str) -> kiro_poll::config::ApiKey {
    // Resolve through the real code path: a key file.
    let (_dir, p) = common::in_temp_dir("key", format!("{k}\n"));
    let cli = <kiro_poll::cli::Cli as clap::Parser>::try_parse_from([
        "kiro-poll",
        "--api-key-file",
        p.to_str().unwrap(),
        "status",
    ])
    .unwrap();
    kiro_poll::config::Config::resolve(&cli.global, &cli.fleet)
        .unwrap()
        .api_key
        .unwrap()
}

#[tokio::test]
async fn bodies_over_4_mib_are_refused() {
    let server = MockServer::start().await;
    let big = format!(
        "{{\"status\":\"ready\",\"availableCommands\":[\"{}\"]}}",
        "x".repeat(5 * 1024 * 1024)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(big, "application/json"))
        .mount(&server)
        .await;
    let err = client(&server.uri()).status().await.unwrap_err();
    assert!(err.to_string().contains("over the 4 MiB limit"), "{err}");
}

#[tokio::test]
async fn a_huge_announced_body_is_refused_without_reading_it() {
    // Announces 500 MB, sends a few bytes, then waits: the client must refuse at once.
    let server = RawServer::start(|_, _, _, s| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n{{\"status\"");
        let _ = s.flush();
        // Hangs far longer than the test's bound, so only refusing at once passes.
        common::hang(Duration::from_secs(30));
        false
    });
    let started = std::time::Instant::now();
    let err = client(&server.url()).status().await.unwrap_err();
    assert!(err.to_string().contains("over the 4 MiB limit"), "{err}");
    soon(started);
}

#[tokio::test]
async fn a_chunked_body_is_cut_at_the_cap() {
    let server = RawServer::start(|_, _, _, s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..200 {
            if write!(s, "{:x}\r\n", chunk.len()).is_err()
                || s.write_all(&chunk).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                return false;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n");
        false
    });
    let err = client(&server.url()).status().await.unwrap_err();
    assert!(err.to_string().contains("over the 4 MiB limit"), "{err}");
}

#[tokio::test]
async fn redirects_are_not_followed_and_name_the_host() {
    let elsewhere = MockServer::start().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let err = client(&server.uri()).status().await.unwrap_err();
    assert!(matches!(err, BridgeError::Redirect { status: 302, .. }), "{err}");
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_get_on_a_connection_the_server_closed_is_retried_once() {
    // Connection 0 answers once, then closes under the second request (the keep-alive race).
    let server = RawServer::start(|conn, n, _, s| {
        if conn == 0 && n == 1 {
            return false;
        }
        write_json(s, "200 OK", &fixture("status_ready.json"), "");
        true
    });
    let c = client(&server.url());
    c.status().await.unwrap();
    let second = c.status().await.unwrap();
    assert_eq!(second.status.status, KiroState::Ready);
    assert_eq!(server.connections.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(server.request_count(), 3);
    assert_eq!(c.stats.retries.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_get_is_retried_only_once() {
    let server = RawServer::start(|_, _, _, _| false);
    let err = client(&server.url()).status().await.unwrap_err();
    assert_eq!(err.kind(), FailureKind::Connection, "{err}");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_post_is_never_retried() {
    let server = RawServer::start(|_, _, _, _| false);
    let c = client(&server.url());
    let req = ExecuteRequest {
        command: "kiro.generateCode".into(),
        args: vec![],
        workspace_path: None,
    };
    let answer = c.execute(&req, Duration::from_secs(5)).await.unwrap();
    assert!(matches!(answer, ExecAnswer::ConnectionLost(_)), "{answer:?}");
    assert_eq!(server.request_count(), 1, "exactly one POST");
    let sent = server.requests.lock().unwrap()[0].to_ascii_lowercase();
    assert!(sent.contains("connection: close"), "{sent}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = RawServer::start(|_, _, _, _| {
        // Hangs far longer than the test's bound, so only the request timeout passes.
        common::hang(Duration::from_secs(30));
        false
    });
    let started = std::time::Instant::now();
    let err = client_with(&server.url(), Duration::from_millis(300))
        .status()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), FailureKind::Timeout);
    assert!(err.to_string().contains("no answer within 300ms"), "{err}");
    soon(started);
}

#[tokio::test]
async fn connection_refused_is_a_connect_failure() {
    let port = common::free_port();
    let err = client(&format!("http://127.0.0.1:{port}"))
        .status()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), FailureKind::Connect, "{err}");
}

/// The real bridge may listen on `localhost` = ::1 only. Run for real: a private mount
/// namespace (unshare, as root, as CI is) whose /etc/hosts says `::1 localhost` and nothing
/// else, and a bridge listening on [::1] only. It needs root for the mount namespace: without
/// root it says so and skips, unless KIRO_POLL_REQUIRE_ROOT_TESTS=1 (as in CI, which runs as
/// root) makes that a failure. It never passes without having run.
#[cfg(target_os = "linux")] // unshare(1) and mount namespaces
#[test]
fn localhost_reaches_a_bridge_listening_on_ipv6_only() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let why = "needs root for a private mount namespace (unshare --mount)";
        common::skip_or_require(
            "KIRO_POLL_REQUIRE_ROOT_TESTS",
            "localhost_reaches_a_bridge_listening_on_ipv6_only",
            why,
        );
        return;
    }
    let listener = std::net::TcpListener::bind("[::1]:0").expect("an IPv6 loopback to listen on");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut s, &mut buf);
            write_json(
                &mut s,
                "200 OK",
                &fixture("status_ready.json"),
                "Connection: close\r\n",
            );
        }
    });
    let (_dir, hosts) = common::in_temp_dir("hosts", "::1 localhost\n");
    let bin = assert_cmd::cargo::cargo_bin("kiro-poll");
    let script = format!(
        "mount --bind '{}' /etc/hosts && exec '{}' --url http://localhost:{port} --json status",
        hosts.display(),
        bin.display()
    );
    let out = std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux) to run the test in a mount namespace of its own");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("unshare failed") && !err.contains("mount:"),
        "this test needs root to make a mount namespace: {err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "ready");
}

#[tokio::test]
async fn html_instead_of_json_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html><body>Hi</body></html>", "text/html"))
        .mount(&server)
        .await;
    let err = client(&server.uri()).status().await.unwrap_err();
    assert_eq!(err.kind(), FailureKind::Protocol);
    assert!(err.to_string().contains("text/html"), "{err}");
}

#[tokio::test]
async fn user_agent_names_kiro_poll() {
    let server = MockServer::start().await;
    Mock::given(header_exists("user-agent"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture("status_ready.json"), "application/json"),
        )
        .mount(&server)
        .await;
    client(&server.uri()).status().await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0]
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("kiro-poll/"));
}

#[tokio::test]
async fn an_answer_that_differs_only_in_its_timestamp_is_the_same_value() {
    let body = |ts: &str, cmds: &str| {
        ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"{{"status":"ready","version":"1.94.0","availableCommands":[{cmds}],"timestamp":"{ts}"}}"#
            ),
            "application/json",
        )
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(common::Sequence::new(vec![
            body("2026-01-01T00:00:00.001Z", r#""a","b\u002ec""#),
            body("2026-01-01T00:00:00.002Z", r#""b.c","a""#),
            body("2026-01-01T00:00:00.003Z", r#""a","b.c","d""#),
        ]))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let first = c.status().await.unwrap().status;
    let second = c.status().await.unwrap().status;
    assert!(
        std::sync::Arc::ptr_eq(&first, &second),
        "unchanged: the cached value, not a copy"
    );
    let third = c.status().await.unwrap().status;
    assert!(!std::sync::Arc::ptr_eq(&second, &third));
    assert_eq!(third.available_commands, vec!["a", "b.c", "d"]);
    assert_eq!(third.timestamp.as_deref(), Some("2026-01-01T00:00:00.003Z"));
}

/// A status answered by `write` on each request, asked by one client: the status, and the
/// requests the server read.
async fn answered_by(
    write: impl Fn(&mut std::net::TcpStream, &str) + Send + Sync + 'static,
) -> Result<kiro_poll::model::StatusFetch, BridgeError> {
    let server = RawServer::start(move |_, _, _, s| {
        write(s, &fixture("status_ready.json"));
        false
    });
    client(&server.url()).status().await
}

/// Writes the status `body` framed one way or another.
type Framed = fn(&mut std::net::TcpStream, &str);

#[tokio::test]
async fn an_answer_is_read_whole_however_it_is_framed() {
    let chunked: Framed = |s, body| {
        let (a, b) = body.split_at(body.len() / 3);
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x};ext=1\r\n{a}\r\n{:X}\r\n{b}\r\n0\r\nx-trailer: 1\r\n\r\n",
            a.len(),
            b.len()
        );
    };
    let to_the_close: Framed = |s, body| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{body}");
    };
    // An interim answer and the answer in one write, so both are in the first read.
    let after_an_interim: Framed = |s, body| {
        let _ = write!(
            s,
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    };
    for (how, write) in [
        ("chunks with an extension and trailers", chunked),
        ("no length, to the close", to_the_close),
        ("after a 100 Continue", after_an_interim),
    ] {
        let got = answered_by(write).await.unwrap_or_else(|e| panic!("{how}: {e}"));
        assert_eq!(got.status.status, KiroState::Ready, "{how}");
    }
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_by_its_length_or_its_chunks() {
    let by_length = answered_by(|s, _| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n{{");
    })
    .await
    .unwrap_err();
    assert!(matches!(by_length, BridgeError::Protocol { .. }), "{by_length}");
    assert!(
        by_length.to_string().contains("over the 4 MiB limit"),
        "{by_length}"
    );
    let by_chunks = answered_by(|s, _| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..5 {
            let _ = write!(s, "{:x}\r\n", chunk.len());
            let _ = s.write_all(&chunk);
            let _ = s.write_all(b"\r\n");
        }
    })
    .await
    .unwrap_err();
    assert!(
        by_chunks.to_string().contains("over the 4 MiB limit"),
        "{by_chunks}"
    );
}

#[tokio::test]
async fn what_is_not_http_is_a_lost_connection_that_says_so() {
    for (garbage, says) in [
        ("SSH-2.0-OpenSSH_9.6\r\n\r\n", "invalid HTTP version parsed"),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "invalid chunk size parsed",
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"status\"",
            "connection closed before message completed",
        ),
    ] {
        let err = answered_by(move |s, _| {
            let _ = s.write_all(garbage.as_bytes());
        })
        .await
        .unwrap_err();
        assert_eq!(err.kind(), FailureKind::Connection, "{garbage:?}: {err}");
        assert!(err.to_string().contains(says), "{garbage:?}: {err}");
    }
}

#[tokio::test]
async fn a_head_without_end_is_refused_at_64_kib() {
    let err = answered_by(|s, _| {
        let _ = write!(s, "HTTP/1.1 200 OK\r\n");
        let line = format!("x-filler: {}\r\n", "a".repeat(1000));
        for _ in 0..70 {
            if s.write_all(line.as_bytes()).is_err() {
                return;
            }
        }
        // Held open: only the cap ends the read.
        common::hang(Duration::from_secs(3));
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("message head is too large"), "{err}");
}

#[tokio::test]
async fn a_connection_waited_on_alone_serves_a_fleet_poll_after_it() {
    // One bridge's watch reads its answer inline; a reload that brings more bridges polls
    // it through the runtime again, on the same kept connection.
    let server = RawServer::start(|_, _, _, s| {
        write_json(s, "200 OK", &fixture("status_ready.json"), "");
        true
    });
    let c = client(&server.url());
    for _ in 0..2 {
        c.status_alone().await.unwrap();
    }
    c.status().await.unwrap();
    c.status_alone().await.unwrap();
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one connection throughout"
    );
    assert_eq!(server.request_count(), 4);
}
