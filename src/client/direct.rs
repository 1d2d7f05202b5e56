//! The status poll's own HTTP/1.1 connection, driven in the polling task itself: the request's
//! bytes built once (only the validators and `Connection: close` are added per poll), written
//! with one call, the answer read into a buffer the connection keeps and parsed in place
//! (httparse, the parser hyper uses).
//!
//! Why not reqwest for this one request: each request through it builds a `Request`, a URL and
//! a header map, checks a connection out of the pool and hands the request to the connection's
//! own task and the answer back (two task wake-ups), and the connection's task keeps a read
//! buffer of its own. That was most of a poll's user-space instructions, for the one request
//! sent thousands of times. What reqwest gave it, this keeps: every answer checked (status line,
//! headers, framing by `Content-Length` or chunks) and bounded (64 KiB of head, 4 MiB of body),
//! redirects not followed (a 3xx is an answer, read as `answer` reads it), keep-alive only while
//! the connection is fresh (`POOL_IDLE`, shorter than the bridge's own 5 s) with one silent
//! retry when a kept connection turns out closed (the idle race), the request timeout.
//!
//! reqwest stays for everything else: https (rustls, sessions), a bridge reached through a proxy
//! from the environment, a URL carrying credentials (sent as Basic auth), and every request that
//! is not the status poll.

use std::io;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a read of one bridge's kept connection waits in the read itself before the runtime
/// waits for it instead (`Stream::Inline`).
const INLINE_WAIT: Duration = Duration::from_millis(20);

use super::answer::RawResponse;
use super::{BODY_CAP, POOL_IDLE, USER_AGENT};

/// The most a response's head (status line and headers) may take.
const HEAD_CAP: usize = 64 * 1024;
/// The most headers a response may have: hyper's own limit, so an answer reqwest read is read
/// here too.
const MAX_HEADERS: usize = 100;
/// The read buffer a connection starts with: a 150-command status and its head fit.
const FIRST_READ: usize = 8 * 1024;

/// How a status request over the direct connection failed.
#[derive(Debug)]
pub enum DirectError {
    /// No connection to the bridge: refused, unresolved, unreachable (the system's words).
    Connect(String),
    /// No connection within the connect timeout.
    ConnectTimeout,
    /// The connection broke, or what came back is not an HTTP answer. `nothing`: not a byte of
    /// an answer came, so on a kept connection the server had closed it (a GET may go again).
    Lost { detail: String, nothing: bool },
    /// The body is over the 4 MiB limit (its size, or what was read of it).
    TooLarge(u64),
}

impl DirectError {
    /// Nothing answered before the connection broke: a kept connection the server had closed
    /// (the keep-alive race), or a server that dropped the request. A GET may go again, once,
    /// as reqwest's road retries it.
    pub fn stale(&self) -> bool {
        matches!(self, DirectError::Lost { nothing: true, .. })
    }
}

/// One bridge's status endpoint over plain HTTP, and the connection kept between its polls.
pub struct Direct {
    host: String,
    port: u16,
    /// The request line and the headers every poll sends.
    head: Vec<u8>,
    conn: Mutex<Option<Conn>>,
}

struct Conn {
    stream: Stream,
    /// The answer is read here; its length is what may be read into.
    buf: Vec<u8>,
    /// This poll's request.
    req: Vec<u8>,
    idle_since: Instant,
}

impl Direct {
    /// The direct connection for `status_url`, where one may be used: plain http, no
    /// credentials in the URL, no proxy from the environment for it. `auth`: the
    /// `Authorization` header's value.
    pub fn for_url(status_url: &url::Url, auth: Option<&HeaderValue>) -> Option<Direct> {
        if status_url.scheme() != "http"
            || !status_url.username().is_empty()
            || status_url.password().is_some()
        {
            return None;
        }
        if super::http::is_proxied(status_url, &|k| std::env::var(k).ok()) {
            return None;
        }
        let host = match status_url.host()? {
            url::Host::Domain(d) => d.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let port = status_url.port_or_known_default()?;
        let mut head = Vec::with_capacity(256);
        head.extend_from_slice(b"GET ");
        head.extend_from_slice(status_url[url::Position::BeforePath..url::Position::AfterQuery].as_bytes());
        head.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        head.extend_from_slice(status_url[url::Position::BeforeHost..url::Position::AfterPort].as_bytes());
        head.extend_from_slice(b"\r\nuser-agent: ");
        head.extend_from_slice(USER_AGENT.as_bytes());
        head.extend_from_slice(b"\r\naccept: */*\r\n");
        if let Some(a) = auth {
            head.extend_from_slice(b"authorization: ");
            head.extend_from_slice(a.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        Some(Direct {
            host,
            port,
            head,
            conn: Mutex::new(None),
        })
    }

    fn kept(&self) -> Option<Conn> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        // Idle past the pool's limit: the server may be closing it now; a new one is surer.
        (conn.idle_since.elapsed() < POOL_IDLE).then_some(conn)
    }

    /// `GET` the status once: on the connection kept from the last poll when there is one,
    /// else on a new one. `keep`: keep the connection for the next poll when the answer allows.
    /// `alone`: the one bridge of a watch, whose kept connection's answers are waited for in
    /// the read itself (`Stream::Inline`).
    pub async fn get(
        &self,
        validators: (Option<&HeaderValue>, Option<&HeaderValue>),
        keep: bool,
        alone: bool,
        connect_timeout: Duration,
    ) -> Result<RawResponse, DirectError> {
        let mut conn = match self.kept() {
            Some(c) => c,
            None => self.connect(connect_timeout, keep).await?,
        };
        // Only a connection kept for the polls to come is worth the switch (a few calls, once).
        let switched = match alone && keep && crate::platform::READS_MAY_BLOCK {
            true => conn.stream.inline(),
            // No longer alone (a reload brought more bridges): the runtime waits again.
            false => conn.stream.reactor().map(|_| ()),
        };
        switched.map_err(|e| lost(e.to_string(), true))?;
        conn.req.clear();
        conn.req.extend_from_slice(&self.head);
        let (etag, last_modified) = validators;
        if let Some(e) = etag {
            conn.req.extend_from_slice(b"if-none-match: ");
            conn.req.extend_from_slice(e.as_bytes());
            conn.req.extend_from_slice(b"\r\n");
        }
        if let Some(lm) = last_modified {
            conn.req.extend_from_slice(b"if-modified-since: ");
            conn.req.extend_from_slice(lm.as_bytes());
            conn.req.extend_from_slice(b"\r\n");
        }
        if !keep {
            conn.req.extend_from_slice(b"connection: close\r\n");
        }
        conn.req.extend_from_slice(b"\r\n");
        let (raw, reusable) = exchange(&mut conn).await?;
        if keep && reusable {
            if conn.buf.len() > HEAD_CAP {
                // A large answer's buffer is not kept for the small ones after it.
                conn.buf = vec![0; FIRST_READ];
            }
            conn.idle_since = Instant::now();
            *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
        }
        Ok(raw)
    }

    /// A new connection; `kept`: for more than one request.
    async fn connect(&self, timeout: Duration, kept: bool) -> Result<Conn, DirectError> {
        let stream =
            match tokio::time::timeout(timeout, TcpStream::connect((self.host.as_str(), self.port))).await {
                Err(_) => return Err(DirectError::ConnectTimeout),
                Ok(Err(e)) => return Err(DirectError::Connect(e.to_string())),
                Ok(Ok(s)) => s,
            };
        // As reqwest's: a request is one write, sent at once. The first write of a connection
        // is never held back, so one used once spares the call (a fleet's polls at default
        // intervals each have their own).
        if kept {
            let _ = stream.set_nodelay(true);
        }
        Ok(Conn {
            stream: Stream::Reactor(stream),
            buf: vec![0; FIRST_READ],
            req: Vec::with_capacity(self.head.len() + 128),
            idle_since: Instant::now(),
        })
    }
}

/// A connection's socket, and who waits for it.
enum Stream {
    /// The runtime: a read waits in its `epoll_wait` and then reads.
    Reactor(TcpStream),
    /// The read itself: a blocking socket with a receive (and send) timeout of `INLINE_WAIT`.
    /// One bridge's watch has nothing else to do while its poll is in flight, so its answer is
    /// waited for and read in one call rather than two. An answer slower than that (or a
    /// signal) hands the socket back to the runtime for the rest of the wait, so a bridge
    /// that hangs holds the runtime up for `INLINE_WAIT` per poll at most.
    Inline(std::net::TcpStream),
    /// Between the two, for a moment (never seen outside `Stream`'s own methods).
    Moving,
}

impl Stream {
    fn inline(&mut self) -> io::Result<()> {
        if let Stream::Reactor(_) = self {
            let Stream::Reactor(s) = std::mem::replace(self, Stream::Moving) else {
                unreachable!("matched above")
            };
            let s = s.into_std()?;
            s.set_nonblocking(false)?;
            s.set_read_timeout(Some(INLINE_WAIT))?;
            s.set_write_timeout(Some(INLINE_WAIT))?;
            *self = Stream::Inline(s);
        }
        Ok(())
    }

    fn reactor(&mut self) -> io::Result<&mut TcpStream> {
        if let Stream::Inline(_) = self {
            let Stream::Inline(s) = std::mem::replace(self, Stream::Moving) else {
                unreachable!("matched above")
            };
            s.set_nonblocking(true)?;
            *self = Stream::Reactor(TcpStream::from_std(s)?);
        }
        match self {
            Stream::Reactor(s) => Ok(s),
            _ => Err(io::Error::other("the connection was lost while it changed hands")),
        }
    }
}

/// The wait of an inline read or write ran out (or a signal cut it): the runtime's turn.
fn waited_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

impl Conn {
    /// Write the request.
    async fn send(&mut self) -> io::Result<()> {
        let mut sent = 0;
        if let Stream::Inline(s) = &mut self.stream {
            while sent < self.req.len() {
                match io::Write::write(s, &self.req[sent..]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => sent += n,
                    Err(e) if waited_out(&e) => break,
                    Err(e) => return Err(e),
                }
            }
            if sent == self.req.len() {
                return Ok(());
            }
        }
        self.stream.reactor()?.write_all(&self.req[sent..]).await
    }

    /// Read what comes into `buf[from..]`.
    async fn read_at(&mut self, from: usize) -> io::Result<usize> {
        if let Stream::Inline(s) = &mut self.stream {
            match io::Read::read(s, &mut self.buf[from..]) {
                Err(e) if waited_out(&e) => {}
                done => return done,
            }
        }
        self.stream.reactor()?.read(&mut self.buf[from..]).await
    }
}

/// How the body of an answer is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// An answer's head, owned.
struct Head {
    status: StatusCode,
    headers: HeaderMap,
    len: usize,
    framing: Framing,
    /// The server lets the connection be used again.
    keep_alive: bool,
}

fn lost(detail: impl Into<String>, nothing: bool) -> DirectError {
    DirectError::Lost {
        detail: detail.into(),
        nothing,
    }
}

/// The words hyper gives for the same failures, so a bridge's failure reads the same on
/// either road.
const CLOSED_EARLY: &str = "connection closed before message completed";

/// Write the request, read the answer: the answer, and whether the connection may be used again.
async fn exchange(conn: &mut Conn) -> Result<(RawResponse, bool), DirectError> {
    conn.send().await.map_err(|e| lost(e.to_string(), true))?;
    let mut filled = 0;
    // Whether any of an answer came (an interim one included): then it is no idle race.
    let mut answered = false;
    let head = loop {
        if filled > 0 {
            match parse_head(&conn.buf[..filled])? {
                Some(head) if head.status.is_informational() => {
                    // A 1xx before the answer: skipped, as hyper does; what follows it may
                    // be here already.
                    conn.buf.copy_within(head.len..filled, 0);
                    filled -= head.len;
                    continue;
                }
                Some(head) => break head,
                None => {}
            }
        }
        if filled == conn.buf.len() {
            if filled >= HEAD_CAP {
                return Err(lost("message head is too large", false));
            }
            conn.buf.resize((filled * 2).min(HEAD_CAP), 0);
        }
        let n = conn
            .read_at(filled)
            .await
            .map_err(|e| lost(e.to_string(), !answered))?;
        if n == 0 {
            return Err(lost(CLOSED_EARLY, !answered));
        }
        answered = true;
        filled += n;
    };
    let (body, rest_clean) = match head.framing {
        Framing::Empty => (Vec::new(), filled == head.len),
        Framing::Length(n) => {
            let n = usize::try_from(n)
                .ok()
                .filter(|&n| n <= BODY_CAP)
                .ok_or(DirectError::TooLarge(n))?;
            let end = head.len + n;
            if conn.buf.len() < end {
                conn.buf.resize(end, 0);
            }
            while filled < end {
                let got = conn
                    .read_at(filled)
                    .await
                    .map_err(|e| lost(e.to_string(), false))?;
                if got == 0 {
                    return Err(lost(CLOSED_EARLY, false));
                }
                filled += got;
            }
            (conn.buf[head.len..end].to_vec(), filled == end)
        }
        Framing::Chunked => read_chunked(conn, head.len, filled).await?,
        Framing::UntilClose => (read_to_close(conn, head.len, filled).await?, false),
    };
    let reusable = head.keep_alive && rest_clean && head.framing != Framing::UntilClose;
    Ok((
        RawResponse {
            status: head.status,
            headers: head.headers,
            body,
        },
        reusable,
    ))
}

/// The head, once all of it is in `buf`; None while more is to come.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, DirectError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut slots);
    let len = match resp.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(lost(parse_error(e), false)),
    };
    let code = resp.code.unwrap_or(0);
    let status = StatusCode::from_u16(code).map_err(|_| lost("invalid HTTP status-code parsed", false))?;
    let mut headers = HeaderMap::with_capacity(resp.headers.len());
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut close = resp.version != Some(1);
    for h in resp.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| lost("invalid HTTP header parsed", false))?;
        let value =
            HeaderValue::from_bytes(h.value).map_err(|_| lost("invalid HTTP header parsed", false))?;
        if name == reqwest::header::CONTENT_LENGTH {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| lost("invalid content-length parsed", false))?;
            if length.is_some_and(|l| l != n) {
                return Err(lost("invalid content-length parsed", false));
            }
            length = Some(n);
        } else if name == reqwest::header::TRANSFER_ENCODING {
            // Chunked when it is the last coding; any other coding is not one we can read.
            let last = h.value.rsplit(|&b| b == b',').next().unwrap_or_default();
            chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
            if !chunked {
                return Err(lost("unsupported transfer-encoding", false));
            }
        } else if name == reqwest::header::CONNECTION {
            close |= h
                .value
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
        }
        headers.append(name, value);
    }
    let framing = if status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::UntilClose
    };
    Ok(Some(Head {
        status,
        headers,
        len,
        framing,
        keep_alive: !close,
    }))
}

fn parse_error(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::Version => "invalid HTTP version parsed",
        httparse::Error::Status => "invalid HTTP status-code parsed",
        httparse::Error::TooManyHeaders => "message head is too large",
        _ => "invalid HTTP header parsed",
    }
}

/// Read more of the answer into `buf` after moving what is not yet used (`from..filled`) to its
/// start, with room for at least `want` bytes more: what is held now.
async fn read_more(conn: &mut Conn, from: usize, filled: usize, want: usize) -> Result<usize, DirectError> {
    conn.buf.copy_within(from..filled, 0);
    let held = filled - from;
    if conn.buf.len() < held + want {
        conn.buf.resize(held + want.max(FIRST_READ), 0);
    }
    let got = conn.read_at(held).await.map_err(|e| lost(e.to_string(), false))?;
    if got == 0 {
        return Err(lost(CLOSED_EARLY, false));
    }
    Ok(held + got)
}

/// A chunked body, bounded like any other; and whether nothing came after it.
async fn read_chunked(
    conn: &mut Conn,
    mut pos: usize,
    mut filled: usize,
) -> Result<(Vec<u8>, bool), DirectError> {
    let mut body = Vec::new();
    loop {
        match httparse::parse_chunk_size(&conn.buf[pos..filled]) {
            Ok(httparse::Status::Complete((used, 0))) => {
                pos += used;
                break;
            }
            Ok(httparse::Status::Complete((used, size))) => {
                let size = usize::try_from(size)
                    .ok()
                    .filter(|&s| body.len() + s <= BODY_CAP)
                    .ok_or(DirectError::TooLarge((body.len() as u64).saturating_add(size)))?;
                pos += used;
                while filled - pos < size + 2 {
                    filled = read_more(conn, pos, filled, size + 2).await?;
                    pos = 0;
                }
                body.extend_from_slice(&conn.buf[pos..pos + size]);
                if &conn.buf[pos + size..pos + size + 2] != b"\r\n" {
                    return Err(lost("invalid chunk size parsed", false));
                }
                pos += size + 2;
            }
            Ok(httparse::Status::Partial) if filled - pos < 1024 => {
                filled = read_more(conn, pos, filled, 1).await?;
                pos = 0;
            }
            _ => return Err(lost("invalid chunk size parsed", false)),
        }
    }
    // Trailers, if any, to the empty line that ends them.
    let mut trailers = 0;
    loop {
        match conn.buf[pos..filled].windows(2).position(|w| w == b"\r\n") {
            Some(0) => return Ok((body, pos + 2 == filled)),
            Some(i) => {
                pos += i + 2;
                trailers += i + 2;
            }
            None if trailers + (filled - pos) < HEAD_CAP => {
                filled = read_more(conn, pos, filled, 1).await?;
                pos = 0;
            }
            None => return Err(lost("message head is too large", false)),
        }
    }
}

/// A body that ends when the server closes the connection, bounded like any other.
async fn read_to_close(conn: &mut Conn, head: usize, mut filled: usize) -> Result<Vec<u8>, DirectError> {
    loop {
        if filled - head > BODY_CAP {
            return Err(DirectError::TooLarge((filled - head) as u64));
        }
        if filled == conn.buf.len() {
            let grown = (conn.buf.len() * 2).min(head + BODY_CAP + 1);
            conn.buf.resize(grown.max(filled + 1), 0);
        }
        let got = match conn.read_at(filled).await {
            Ok(n) => n,
            Err(e) => return Err(lost(e.to_string(), false)),
        };
        if got == 0 {
            return Ok(conn.buf[head..filled].to_vec());
        }
        filled += got;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Head {
        parse_head(text.as_bytes()).unwrap().expect("a whole head")
    }

    #[test]
    fn framing_follows_the_head() {
        let h = head("HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n");
        assert_eq!((h.framing, h.keep_alive), (Framing::Length(12), true));
        let h = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: Close\r\n\r\n");
        assert_eq!((h.framing, h.keep_alive), (Framing::Chunked, false));
        let h = head("HTTP/1.1 304 Not Modified\r\ncontent-length: 90\r\n\r\n");
        assert_eq!(h.framing, Framing::Empty, "a 304 has no body whatever it says");
        let h = head("HTTP/1.0 200 OK\r\n\r\n");
        assert_eq!((h.framing, h.keep_alive), (Framing::UntilClose, false));
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 1")
            .unwrap()
            .is_none());
    }

    #[test]
    fn as_many_headers_as_hyper_takes_are_taken() {
        let head_with = |n: usize| {
            let mut h = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..n {
                h.push_str(&format!("x-h{i}: v\r\n"));
            }
            h + "\r\n"
        };
        assert!(parse_head(head_with(MAX_HEADERS).as_bytes()).unwrap().is_some());
        assert!(parse_head(head_with(MAX_HEADERS + 1).as_bytes()).is_err());
        assert_eq!(MAX_HEADERS, 100, "hyper's limit");
    }

    #[test]
    fn a_head_that_lies_about_its_length_is_refused() {
        for bad in [
            "HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
            "HTTP/9 200 OK\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
        ] {
            assert!(parse_head(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_a_request_nothing_answered_is_stale() {
        assert!(lost(CLOSED_EARLY, true).stale());
        assert!(
            !lost(CLOSED_EARLY, false).stale(),
            "half an answer is the bridge's failure"
        );
        assert!(!DirectError::ConnectTimeout.stale());
    }

    #[test]
    fn only_plain_unproxied_urls_without_credentials_go_direct() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(Direct::for_url(&url("http://127.0.0.1:3001/api/kiro/status"), None).is_some());
        assert!(Direct::for_url(&url("https://127.0.0.1:3001/api/kiro/status"), None).is_none());
        assert!(Direct::for_url(&url("http://u:p@127.0.0.1:3001/api/kiro/status"), None).is_none());
        let d = Direct::for_url(&url("http://[::1]:3001/p/api/kiro/status?x=1"), None).unwrap();
        assert_eq!(d.host, "::1");
        assert!(String::from_utf8_lossy(&d.head)
            .starts_with("GET /p/api/kiro/status?x=1 HTTP/1.1\r\nhost: [::1]:3001\r\n"));
    }
}
