//! The execute request's own connection, held open after the answer.
//!
//! Why not reqwest here: reqwest pools connections and cannot pin one, nor say when the server
//! closed it. The real bridge answers 408 after 30 s while the command runs on, and destroys
//! the connection it answered on when the command ends, provided that connection is kept
//! busy (BEHAVIOUR.md). So the execute goes on a connection of its own, made here with hyper's
//! `client::conn::http1` over a `TcpStream`: nothing else ever rides on it but the cheap
//! `GET /health` that keeps it busy, and its end is watched continuously (the connection's own
//! task ends the moment the server closes it, whether or not a ping is in flight).
//!
//! Only for plain http reached directly: through a proxy or over TLS the connection we hold
//! is not the bridge's, so `BridgeClient::execute_held` falls back to reqwest and says why.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::answer::RawResponse;
use crate::error::{BridgeError, FailureKind};
use crate::units::{human_bytes, human_duration};

/// A ping's answer is small; anything bigger is not a health answer.
const PING_CAP: usize = 64 * 1024;

/// TCP keep-alive probes on the held connection: a peer that vanished (a machine gone, not a
/// process) is found while the execute request waits up to `--timeout` for its answer.
const PROBE_AFTER: Duration = Duration::from_secs(15);

/// What a request on the held connection needs to be addressed and authorised.
#[derive(Clone)]
pub struct Target {
    /// `host[:port]` of the bridge, for the Host header and the connection.
    pub host: String,
    pub port: u16,
    pub host_header: HeaderValue,
    pub auth: Option<HeaderValue>,
    /// Shown in errors (credentials redacted).
    pub shown: String,
    pub connect_timeout: Duration,
}

/// The connection the execute was sent on, still open: what keeps it busy, and how its end is
/// seen.
pub struct HeldConn {
    send: SendRequest<Full<Bytes>>,
    /// Told the moment the connection ended (the server closed it, or it broke).
    closed: oneshot::Receiver<Instant>,
    target: Target,
    health_path: String,
    /// The server's idle timer, as the 408's `Keep-Alive: timeout=N` named it.
    keep_alive: Option<Duration>,
}

/// A ping's answer on the held connection.
#[derive(Debug, Clone, Copy)]
pub struct Pong {
    /// When its answer was read in full.
    pub at: Instant,
    /// The bridge's uptime in seconds, when its health answer says it.
    pub uptime: Option<f64>,
    /// The answer said `Connection: close`: the server closes the connection now, which says
    /// nothing about the command.
    pub closing: bool,
}

/// Why a ping got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PingFail {
    /// The connection ended under it (closed, reset): its close is told by `HeldConn::closed`.
    Cut(String),
    /// The bridge answered something that is not a health answer (unparseable, over 64 KiB):
    /// the connection cannot be trusted, and closing it is ours, not the bridge's.
    Garbled(String),
}

/// The execute request on a connection of its own: the answer, and the connection when it is
/// still open after it.
pub struct Posted {
    pub answer: Result<RawResponse, BridgeError>,
    pub held: Option<HeldConn>,
    /// When the answer came (or the request failed).
    pub at: Instant,
}

/// Connect to the bridge: every address its name resolves to, in turn (`localhost` may be
/// `::1` only).
async fn connect(t: &Target) -> Result<tokio::net::TcpStream, BridgeError> {
    let unreachable = |detail: String| BridgeError::Unreachable {
        url: t.shown.clone(),
        kind: FailureKind::Connect,
        detail,
    };
    let host = t.host.trim_start_matches('[').trim_end_matches(']');
    let stream = tokio::time::timeout(t.connect_timeout, tokio::net::TcpStream::connect((host, t.port)))
        .await
        .map_err(|_| {
            unreachable(format!(
                "no connection within {}",
                human_duration(t.connect_timeout)
            ))
        })?
        .map_err(|e| unreachable(e.to_string()))?;
    let _ = stream.set_nodelay(true);
    let probes = socket2::TcpKeepalive::new().with_time(PROBE_AFTER);
    let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(&probes);
    Ok(stream)
}

fn lost(t: &Target, detail: String) -> BridgeError {
    BridgeError::Unreachable {
        url: t.shown.clone(),
        kind: FailureKind::Connection,
        detail,
    }
}

/// What broke, without a URL (an error never echoes one).
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(s) = last.source() {
        last = s;
    }
    match last.to_string() {
        t if t.is_empty() => e.to_string(),
        t => t,
    }
}

/// The idle timer a server names in `Keep-Alive: timeout=N` (seconds; RFC 2068's header, as
/// Node and Apache send it); None when it names none, or nonsense.
pub fn keep_alive_timeout(headers: &hyper::HeaderMap) -> Option<Duration> {
    headers
        .get_all("keep-alive")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("timeout"))
        .and_then(|(_, v)| v.trim().parse::<u32>().ok())
        .map(|n| Duration::from_secs(u64::from(n)))
}

fn says_close(headers: &hyper::HeaderMap) -> bool {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("close"))
}

/// Send the execute request once on a new connection of its own, wait up to `limit` for its
/// answer, and keep the connection open after a 408 (keep-alive), unless the server said it
/// closes it. Never retried.
pub async fn post(
    t: Target,
    path_and_query: &str,
    health_path: String,
    payload: Vec<u8>,
    limit: Duration,
    on_wire: Option<oneshot::Sender<()>>,
) -> Posted {
    let failed = |e| Posted {
        answer: Err(e),
        held: None,
        at: Instant::now(),
    };
    let deadline = Instant::now() + limit;
    let stream = match tokio::time::timeout_at(deadline, connect(&t)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return failed(e),
        Err(_) => return failed(timeout(&t, limit)),
    };
    let stream = OnWire {
        inner: stream,
        wrote: false,
        tell: on_wire,
    };
    let (mut send, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
        Ok(pair) => pair,
        Err(e) => return failed(lost(&t, cause(&e))),
    };
    let (tx, closed) = oneshot::channel();
    tokio::spawn(async move {
        let _ = conn.await;
        let _ = tx.send(Instant::now());
    });
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path_and_query)
        .header(header::HOST, t.host_header.clone())
        .header(header::USER_AGENT, super::USER_AGENT)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(payload)))
        .expect("a request of valid parts");
    if let Some(a) = &t.auth {
        req.headers_mut().insert(header::AUTHORIZATION, a.clone());
    }
    let answer = tokio::time::timeout_at(deadline, async {
        let resp = send.send_request(req).await.map_err(|e| lost(&t, cause(&e)))?;
        read(resp, super::BODY_CAP, &t).await
    })
    .await
    .unwrap_or_else(|_| Err(timeout(&t, limit)));
    let at = Instant::now();
    let keep = match &answer {
        Ok((raw, closing)) => !closing && raw.status == hyper::StatusCode::REQUEST_TIMEOUT,
        Err(_) => false,
    };
    let keep_alive = answer
        .as_ref()
        .ok()
        .and_then(|(raw, _)| keep_alive_timeout(&raw.headers));
    let held = keep.then(|| HeldConn {
        send,
        closed,
        target: t,
        health_path,
        keep_alive,
    });
    Posted {
        answer: answer.map(|(raw, _)| raw),
        held,
        at,
    }
}

fn timeout(t: &Target, limit: Duration) -> BridgeError {
    BridgeError::Unreachable {
        url: t.shown.clone(),
        kind: FailureKind::Timeout,
        detail: format!("no answer within {}", human_duration(limit)),
    }
}

/// Read an answer's body up to `cap`; whether it said `Connection: close`.
async fn read(
    resp: hyper::Response<hyper::body::Incoming>,
    cap: usize,
    t: &Target,
) -> Result<(RawResponse, bool), BridgeError> {
    let (parts, body) = resp.into_parts();
    let closing = says_close(&parts.headers);
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    {
        if len > cap as u64 {
            return Err(too_large(t, len));
        }
    }
    let body = match Limited::new(body, cap).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large(t, cap as u64 + 1)),
        Err(e) => return Err(lost(t, cause(&*e))),
    };
    Ok((
        RawResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        },
        closing,
    ))
}

fn too_large(t: &Target, n: u64) -> BridgeError {
    BridgeError::Protocol {
        url: t.shown.clone(),
        detail: format!(
            "response body {} is over the 4 MiB limit; refused",
            human_bytes(n)
        ),
    }
}

impl HeldConn {
    /// The server's idle timer, as its 408 named it (`Keep-Alive: timeout=N`).
    pub fn keep_alive(&self) -> Option<Duration> {
        self.keep_alive
    }

    /// The moment the connection ended; pending while it is open.
    pub fn closed(&mut self) -> &mut oneshot::Receiver<Instant> {
        &mut self.closed
    }

    /// `GET /health` (with the key) on the held connection, to keep it busy. The future does
    /// not borrow the connection, so the close can be watched while it runs. Err: the ping
    /// got no answer (the connection ended under it: its close is told by `closed`).
    pub fn ping(&mut self) -> impl std::future::Future<Output = Result<Pong, PingFail>> + Send + 'static {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(self.health_path.as_str())
            .header(header::HOST, self.target.host_header.clone())
            .header(header::USER_AGENT, super::USER_AGENT)
            .body(Full::new(Bytes::new()))
            .expect("a request of valid parts");
        if let Some(a) = &self.target.auth {
            req.headers_mut().insert(header::AUTHORIZATION, a.clone());
        }
        let sent = self.send.send_request(req);
        let target = self.target.clone();
        async move {
            let resp = sent.await.map_err(|e| match e.is_parse() || e.is_user() {
                true => PingFail::Garbled(cause(&e)),
                false => PingFail::Cut(cause(&e)),
            })?;
            let (raw, closing) = read(resp, PING_CAP, &target).await.map_err(|e| match e {
                BridgeError::Protocol { detail, .. } => PingFail::Garbled(detail),
                other => PingFail::Cut(other.short()),
            })?;
            let uptime = serde_json::from_slice::<crate::model::Health>(&raw.body)
                .ok()
                .and_then(|h| h.server.uptime);
            Ok(Pong {
                at: Instant::now(),
                uptime,
                closing,
            })
        }
    }
}

/// The held connection's stream, which says once when the request is on the wire: hyper
/// flushes the transport only after it has written every byte it buffered (the request's head
/// and body), so the first flush after a write is that moment (`exec --detach` returns then).
struct OnWire {
    inner: tokio::net::TcpStream,
    wrote: bool,
    tell: Option<oneshot::Sender<()>>,
}

impl tokio::io::AsyncRead for OnWire {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for OnWire {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.wrote = true;
        }
        r
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.wrote = true;
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let r = std::pin::Pin::new(&mut self.inner).poll_flush(cx);
        if self.wrote && matches!(r, std::task::Poll::Ready(Ok(()))) {
            if let Some(tell) = self.tell.take() {
                let _ = tell.send(());
            }
        }
        r
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_timer_named_in_keep_alive() {
        let with = |v: &str| {
            let mut h = hyper::HeaderMap::new();
            h.insert("keep-alive", HeaderValue::from_str(v).unwrap());
            keep_alive_timeout(&h)
        };
        assert_eq!(with("timeout=5"), Some(Duration::from_secs(5)));
        assert_eq!(with("max=100, timeout=1"), Some(Duration::from_secs(1)));
        assert_eq!(with(" Timeout = 7 "), Some(Duration::from_secs(7)));
        assert_eq!(with("timeout=-1"), None);
        assert_eq!(with("timeout=99999999999999999999"), None);
        assert_eq!(with("max=5"), None);
        assert_eq!(keep_alive_timeout(&hyper::HeaderMap::new()), None);
    }
}
