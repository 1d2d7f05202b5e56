//! The bridge client: the one HTTP client of the process and everything about talking to the
//! bridge. Keep-alive pool shorter-lived than the bridge's own 5 s, conditional GETs for the
//! status (`cache`), one silent retry of a GET on a connection the server had closed, never a
//! retried POST, a 4 MiB cap on bodies checked as they stream, redirects refused, proxies from
//! the environment as curl takes them (never for loopback). `answer` reads what came back.

pub mod answer;
pub mod cache;
pub mod direct;
pub mod http;
pub mod pinned;

pub use http::{http_client, proxy_from_env, room_for_sockets, POOL_IDLE};
use http::{http_client_keeping, is_stale_connection, transport_error};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::bridges::ApiKey;
use crate::error::{BridgeError, FailureKind, UsageError};
use crate::model::{ExecAnswer, ExecuteRequest, Health, InputAnswer, InputRequest, KiroStatusView};
use crate::sanitize::redact_url;
use crate::units::human_bytes;
use answer::RawResponse;
use cache::StatusCache;

/// The User-Agent of every request.
pub const USER_AGENT: &str = concat!("kiro-poll/", env!("CARGO_PKG_VERSION"));

/// Largest body kiro-poll reads; a larger one is refused without being read whole.
pub const BODY_CAP: usize = 4 * 1024 * 1024;

pub const STATUS_PATH: &str = "/api/kiro/status";
pub const HEALTH_PATH: &str = "/health";
pub const EXECUTE_PATH: &str = "/api/kiro/execute";
pub const INPUT_PATH: &str = "/api/kiro/input";

/// Transport counters: requests sent (retries included) and silent retries.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

pub use crate::model::StatusFetch;

pub use crate::model::Unheld;

/// The execute request sent: its answer, and the connection it was answered on when that is
/// still open.
pub struct ExecSent {
    pub answer: Result<ExecAnswer, BridgeError>,
    pub held: Result<pinned::HeldConn, Unheld>,
}

pub struct ClientOptions {
    pub base: url::Url,
    pub api_key: Option<ApiKey>,
    pub request_timeout: Duration,
    pub verbose: u8,
}

pub struct BridgeClient {
    http: reqwest::Client,
    base: url::Url,
    /// The status URL and its printable form, built once: it is asked for on every poll.
    status_url: url::Url,
    status_shown: String,
    auth: Option<HeaderValue>,
    request_timeout: Duration,
    verbose: u8,
    cache: StatusCache,
    /// The status poll's own connection, where one may be used (`direct`).
    direct: Option<direct::Direct>,
    /// Whether a status poll's connection may be kept for the next one (`Reuse`).
    reuse: Reuse,
    pub stats: Stats,
}

/// How clients of several bridges treat a connection once it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Keep it for the next poll (a fleet).
    Keep,
    /// Close it: one request per bridge (`status` of many), so the sockets open at once are
    /// the requests in flight, never one per bridge.
    Close,
}

/// Clients for several bridges on one shared HTTP client (a fleet, `status` of many).
pub fn for_bridges(
    bridges: &[crate::bridges::Bridge],
    request_timeout: Duration,
    verbose: u8,
    reuse: Reuse,
) -> Result<Vec<BridgeClient>, UsageError> {
    let tls = bridges.iter().any(|b| b.url.scheme() == "https");
    let http = shared_http(request_timeout, tls, reuse)?;
    for_bridges_on(&http, bridges, request_timeout, verbose, reuse)
}

/// The one HTTP client that bridges' clients share. `tls`: load the trust roots (some bridge
/// is https, or a reload may bring one).
pub fn shared_http(
    request_timeout: Duration,
    tls: bool,
    reuse: Reuse,
) -> Result<reqwest::Client, UsageError> {
    let idle = if reuse == Reuse::Keep { 2 } else { 0 };
    // Polls end within --request-timeout: no keep-alive probes.
    http_client_keeping(request_timeout, tls, idle, false)
}

/// Clients for `bridges` on the shared `http`.
pub fn for_bridges_on(
    http: &reqwest::Client,
    bridges: &[crate::bridges::Bridge],
    request_timeout: Duration,
    verbose: u8,
    reuse: Reuse,
) -> Result<Vec<BridgeClient>, UsageError> {
    let one = bridges.len() == 1;
    bridges
        .iter()
        .map(|b| {
            let opts = ClientOptions {
                base: b.url.clone(),
                api_key: b.api_key.clone(),
                request_timeout,
                verbose,
            };
            BridgeClient::with_http(http.clone(), opts)
                .map(|c| c.reusing(reuse))
                .map_err(|e| {
                    let msg = match one {
                        true => e.0,
                        false => format!("bridge {}: {}", b.name, e.0),
                    };
                    UsageError(msg)
                })
        })
        .collect()
}

impl BridgeClient {
    pub fn new(opts: ClientOptions) -> Result<BridgeClient, UsageError> {
        let http = http_client(opts.request_timeout, opts.base.scheme() == "https")?;
        BridgeClient::with_http(http, opts)
    }

    /// A client for one bridge on a shared HTTP client.
    pub fn with_http(http: reqwest::Client, opts: ClientOptions) -> Result<BridgeClient, UsageError> {
        let auth = match &opts.api_key {
            Some(key) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| UsageError("the API key holds characters a header cannot carry".into()))?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let status_url = endpoint_of(&opts.base, STATUS_PATH);
        let status_shown = redact_url(&status_url);
        let direct = direct::Direct::for_url(&status_url, auth.as_ref());
        Ok(BridgeClient {
            direct,
            reuse: Reuse::Keep,
            http,
            status_url,
            status_shown,
            base: opts.base,
            auth,
            request_timeout: opts.request_timeout,
            verbose: opts.verbose,
            cache: StatusCache::default(),
            stats: Stats::default(),
        })
    }

    /// Whether its status polls' connection is kept for the next poll (`Reuse`).
    pub fn reusing(mut self, reuse: Reuse) -> BridgeClient {
        self.reuse = reuse;
        self
    }

    pub fn endpoint(&self, path: &str) -> url::Url {
        endpoint_of(&self.base, path)
    }

    /// The base URL as it may be printed.
    /// The status URL as it may be shown (credentials redacted).
    pub fn status_shown(&self) -> &str {
        &self.status_shown
    }

    pub fn shown_base(&self) -> String {
        redact_url(&self.base)
    }

    fn request(&self, method: Method, url: &url::Url, timeout: Duration) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, url.clone()).timeout(timeout);
        if let Some(auth) = &self.auth {
            rb = rb.header(header::AUTHORIZATION, auth.clone());
        }
        rb
    }

    fn log(&self, level: u8, msg: impl FnOnce() -> String) {
        if self.verbose >= level {
            crate::output::tell(crate::output::Notice::Request(&msg()));
        }
    }

    /// Send, and for a GET retry once, silently, when a connection the server had already
    /// closed broke under the request (the keep-alive race).
    async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        shown: &str,
        idempotent: bool,
    ) -> Result<RawResponse, BridgeError> {
        let started = Instant::now();
        let mut attempt = 0;
        let resp = loop {
            attempt += 1;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            match build().send().await {
                Ok(r) => break r,
                Err(e) if idempotent && attempt == 1 && is_stale_connection(&e) => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    self.log(1, || {
                        format!("{shown}: connection closed by the server, retrying once")
                    });
                    continue;
                }
                Err(e) => {
                    let err = transport_error(&e, shown, self.request_timeout);
                    self.log(1, || format!("{shown}: {}", err.short()));
                    return Err(err);
                }
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match read_capped(resp).await {
            Ok(b) => b,
            Err(e) => {
                return Err(match e {
                    ReadError::TooLarge(n) => too_large(shown, n),
                    ReadError::Transport(e) => transport_error(&e, shown, self.request_timeout),
                });
            }
        };
        let raw = RawResponse {
            status,
            headers,
            body,
        };
        self.log_answer(shown, &raw, started);
        Ok(raw)
    }

    /// `-v`'s line for an answer, and `-vv`'s of its headers.
    fn log_answer(&self, shown: &str, raw: &RawResponse, started: Instant) {
        self.log(1, || {
            format!(
                "{shown} -> {} ({} bytes, {:.1} ms)",
                raw.status.as_u16(),
                raw.body.len(),
                started.elapsed().as_secs_f64() * 1000.0
            )
        });
        self.log(2, || {
            let mut s = String::from("response headers:");
            for (k, v) in &raw.headers {
                s.push_str(&format!(" {}={:?};", k, v.to_str().unwrap_or("<binary>")));
            }
            s
        });
    }

    /// The status `GET` on the bridge's direct connection (`direct`), retried once, silently,
    /// when a kept connection the server had closed broke under it (the keep-alive race).
    async fn get_direct(
        &self,
        d: &direct::Direct,
        validators: (Option<&HeaderValue>, Option<&HeaderValue>),
        (keep, alone): (bool, bool),
        shown: &str,
    ) -> Result<RawResponse, BridgeError> {
        let started = Instant::now();
        let connect_timeout = self.request_timeout.min(Duration::from_secs(5));
        let mut attempt = 0;
        let raw = loop {
            attempt += 1;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let got = tokio::time::timeout(
                self.request_timeout,
                d.get(validators, keep, alone, connect_timeout),
            )
            .await;
            let failed = match got {
                Ok(Ok(raw)) => break raw,
                Ok(Err(failed)) => failed,
                Err(_) => {
                    let err = BridgeError::Unreachable {
                        url: shown.to_owned(),
                        kind: FailureKind::Timeout,
                        detail: http::no_answer_within(self.request_timeout),
                    };
                    self.log(1, || format!("{shown}: {}", err.short()));
                    return Err(err);
                }
            };
            if attempt == 1 && failed.stale() {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                self.log(1, || {
                    format!("{shown}: connection closed by the server, retrying once")
                });
                continue;
            }
            let (kind, detail) = match failed {
                direct::DirectError::Connect(detail) => (FailureKind::Connect, detail),
                direct::DirectError::ConnectTimeout => {
                    (FailureKind::Timeout, http::no_answer_within(self.request_timeout))
                }
                direct::DirectError::Lost { detail, .. } => (FailureKind::Connection, detail),
                direct::DirectError::TooLarge(n) => return Err(too_large(shown, n)),
            };
            let err = BridgeError::Unreachable {
                url: shown.to_owned(),
                kind,
                detail,
            };
            self.log(1, || format!("{shown}: {}", err.short()));
            return Err(err);
        };
        self.log_answer(shown, &raw, started);
        Ok(raw)
    }

    /// `GET /api/kiro/status`, conditional on the last ETag / Last-Modified.
    pub async fn status(&self) -> Result<StatusFetch, BridgeError> {
        self.status_keeping(true).await
    }

    /// `status`, saying whether its connection is worth keeping: `keep` false asks for it to
    /// be closed after the answer (`Connection: close`), for a bridge whose next poll comes
    /// after the pool would drop it anyway (`POOL_IDLE`). Then no idle socket, read and write
    /// buffers wait for nothing: at 10,000 bridges polled every 10 s that is most of the memory.
    pub async fn status_keeping(&self, keep: bool) -> Result<StatusFetch, BridgeError> {
        self.status_with(keep, false).await
    }

    /// `status_keeping(true)` for the one bridge of a watch, which has nothing else to do while
    /// its poll is in flight: the answer is waited for in the read itself (`direct::Stream`).
    pub async fn status_alone(&self) -> Result<StatusFetch, BridgeError> {
        self.status_with(true, true).await
    }

    async fn status_with(&self, keep: bool, alone: bool) -> Result<StatusFetch, BridgeError> {
        let (url, shown) = (&self.status_url, self.status_shown.as_str());
        let (etag, last_modified) = self.cache.validators();
        let build = || {
            let mut rb = self.request(Method::GET, url, self.request_timeout);
            if let Some(e) = &etag {
                rb = rb.header(header::IF_NONE_MATCH, e.clone());
            }
            if let Some(lm) = &last_modified {
                rb = rb.header(header::IF_MODIFIED_SINCE, lm.clone());
            }
            if !keep {
                rb = rb.header(header::CONNECTION, "close");
            }
            rb
        };
        let raw = match &self.direct {
            Some(d) => {
                let keep = keep && self.reuse == Reuse::Keep;
                let validators = (etag.as_ref(), last_modified.as_ref());
                self.get_direct(d, validators, (keep, alone), shown).await?
            }
            None => self.send(build, shown, true).await?,
        };
        let bytes = raw.body.len() as u64;
        if raw.status == StatusCode::NOT_MODIFIED {
            let status = self.cache.status().ok_or_else(|| BridgeError::Protocol {
                url: shown.to_owned(),
                detail: "304 Not Modified to a request that was not conditional".into(),
            })?;
            return Ok(StatusFetch {
                status,
                not_modified: true,
                bytes,
            });
        }
        let view: KiroStatusView<'_> = answer::parse_ok(&raw, shown)?;
        let fingerprint = crate::change::fingerprint(
            view.status,
            view.current_command.as_deref(),
            view.version.as_deref(),
            view.available_commands.iter().map(|c| &**c),
        );
        // Nothing that matters changed (the real bridge's new timestamp aside): hand back the
        // cached value itself, without copying the body's strings.
        let status = self
            .cache
            .same_as(fingerprint)
            .unwrap_or_else(|| Arc::new(view.into_owned()));
        self.cache.store(
            Arc::clone(&status),
            fingerprint,
            raw.headers.get(header::ETAG).cloned(),
            raw.headers.get(header::LAST_MODIFIED).cloned(),
        );
        Ok(StatusFetch {
            status,
            not_modified: false,
            bytes,
        })
    }

    /// `GET /health`. A 500 with a health body is an answer (unhealthy), not an error.
    pub async fn health(&self) -> Result<Health, BridgeError> {
        let url = self.endpoint(HEALTH_PATH);
        let shown = redact_url(&url);
        let raw = self
            .send(
                || self.request(Method::GET, &url, self.request_timeout),
                &shown,
                true,
            )
            .await?;
        if raw.status == StatusCode::INTERNAL_SERVER_ERROR {
            if let Ok(h) = serde_json::from_slice::<Health>(&raw.body) {
                return Ok(h);
            }
        }
        answer::parse_ok(&raw, &shown)
    }

    /// `POST /api/kiro/execute`, once, on a connection of its own (`Connection: close`), so
    /// that nothing else ever rides on it; never retried (a retried execute runs twice).
    pub async fn execute(
        &self,
        request: &ExecuteRequest,
        timeout: Duration,
    ) -> Result<ExecAnswer, BridgeError> {
        let shown = redact_url(&self.endpoint(EXECUTE_PATH));
        exec_answer(self.post_json(EXECUTE_PATH, request, timeout, true).await, &shown)
    }

    /// `POST /api/kiro/execute`, once, on a connection of its own that nothing else shares,
    /// held open after a 408 so that its end can be watched (`pinned`). Over https or through
    /// a proxy the connection held would not be the bridge's: there the request goes as
    /// `execute` sends it, and `held` says why nothing is held.
    ///
    /// `on_wire` is told once the request is on the wire (over https or a proxy: as it is
    /// handed to reqwest, which cannot tell).
    pub async fn execute_held(
        &self,
        request: &ExecuteRequest,
        timeout: Duration,
        mut on_wire: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> ExecSent {
        let url = self.endpoint(EXECUTE_PATH);
        let unheld = if url.scheme() != "http" {
            Some(Unheld::Https)
        } else if http::is_proxied(&url, &|k| std::env::var(k).ok()) {
            Some(Unheld::Proxy)
        } else {
            None
        };
        if let Some(why) = unheld {
            if let Some(tell) = on_wire.take() {
                let _ = tell.send(());
            }
            return ExecSent {
                answer: self.execute(request, timeout).await,
                held: Err(why),
            };
        }
        let shown = redact_url(&url);
        let payload = match serde_json::to_vec(request) {
            Ok(p) => p,
            Err(e) => {
                let e = BridgeError::Protocol {
                    url: shown,
                    detail: format!("cannot encode the request: {e}"),
                };
                return ExecSent {
                    answer: Err(e),
                    held: Err(Unheld::Closed),
                };
            }
        };
        let target = pinned::Target {
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port_or_known_default().unwrap_or(80),
            host_header: HeaderValue::from_str(&url[url::Position::BeforeHost..url::Position::AfterPort])
                .unwrap_or_else(|_| HeaderValue::from_static("localhost")),
            auth: self.auth.clone(),
            shown: shown.clone(),
            connect_timeout: self.request_timeout.min(Duration::from_secs(5)),
        };
        let health = self.endpoint(HEALTH_PATH);
        let started = Instant::now();
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let posted = pinned::post(
            target,
            &url[url::Position::BeforePath..url::Position::AfterQuery],
            health[url::Position::BeforePath..url::Position::AfterQuery].to_owned(),
            payload,
            timeout,
            on_wire,
        )
        .await;
        self.log(1, || match &posted.answer {
            Ok(raw) => format!(
                "{shown} -> {} ({} bytes, {:.1} ms, on a connection of its own{})",
                raw.status.as_u16(),
                raw.body.len(),
                started.elapsed().as_secs_f64() * 1000.0,
                if posted.held.is_some() { ", held open" } else { "" }
            ),
            Err(e) => format!("{shown}: {}", e.short()),
        });
        ExecSent {
            answer: exec_answer(posted.answer, &shown),
            held: posted.held.ok_or(Unheld::Closed),
        }
    }

    /// How long one request may take (`--request-timeout`).
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Counts a ping on the held connection as a request.
    pub fn count_request(&self) {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// A line for `-v` (level 1) or `-vv` (2) about this bridge's requests.
    pub fn trace(&self, level: u8, msg: impl FnOnce() -> String) {
        self.log(level, msg);
    }

    /// `POST /api/kiro/input`, once.
    pub async fn input(&self, request: &InputRequest, timeout: Duration) -> Result<InputAnswer, BridgeError> {
        let shown = redact_url(&self.endpoint(INPUT_PATH));
        let raw = self.post_json(INPUT_PATH, request, timeout, false).await?;
        answer::input_answer(&raw, &shown)
    }

    /// POST a JSON body, once, never retried. `close` asks for a connection of its own.
    async fn post_json<T: Serialize>(
        &self,
        path: &str,
        body: &T,
        timeout: Duration,
        close: bool,
    ) -> Result<RawResponse, BridgeError> {
        let url = self.endpoint(path);
        let shown = redact_url(&url);
        let payload = serde_json::to_vec(body).map_err(|e| BridgeError::Protocol {
            url: shown.clone(),
            detail: format!("cannot encode the request: {e}"),
        })?;
        let build = || {
            let mut rb = self
                .request(Method::POST, &url, timeout)
                .header(header::CONTENT_TYPE, "application/json")
                .body(payload.clone());
            if close {
                rb = rb.header(header::CONNECTION, "close");
            }
            rb
        };
        self.send(build, &shown, false).await
    }
}

/// What an execute request came to: the bridge's answer read, or, once it was sent, no answer
/// in time or a connection lost (the command may be running), or the request's failure.
fn exec_answer(sent: Result<RawResponse, BridgeError>, shown: &str) -> Result<ExecAnswer, BridgeError> {
    match sent {
        Ok(raw) => answer::execute_answer(&raw, shown),
        Err(BridgeError::Unreachable {
            kind: FailureKind::Timeout,
            ..
        }) => Ok(ExecAnswer::NoAnswer),
        Err(BridgeError::Unreachable {
            kind: FailureKind::Connection,
            detail,
            ..
        }) => Ok(ExecAnswer::ConnectionLost(detail)),
        Err(e) => Err(e),
    }
}

/// A body over the 4 MiB limit, refused.
fn too_large(shown: &str, n: u64) -> BridgeError {
    BridgeError::Protocol {
        url: shown.to_owned(),
        detail: format!(
            "response body {} is over the 4 MiB limit; refused",
            human_bytes(n)
        ),
    }
}

fn endpoint_of(base: &url::Url, path: &str) -> url::Url {
    let mut u = base.clone();
    let prefix = u.path().trim_end_matches('/').to_owned();
    u.set_path(&format!("{prefix}{path}"));
    u
}

enum ReadError {
    TooLarge(u64),
    Transport(reqwest::Error),
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if let Some(len) = resp.content_length() {
        if len > BODY_CAP as u64 {
            return Err(ReadError::TooLarge(len));
        }
    }
    let initial = resp.content_length().unwrap_or(0).min(64 * 1024) as usize;
    let mut buf = Vec::with_capacity(initial);
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Transport)? {
        if buf.len() + chunk.len() > BODY_CAP {
            return Err(ReadError::TooLarge((buf.len() + chunk.len()) as u64));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

#[cfg(test)]
mod tests;
