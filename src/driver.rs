//! One way to wait on one bridge, for `exec --wait`, MCP's `kiro_exec` and `kiro_wait`, and
//! the `kiro://status` resource. The driver owns the schedule (the engine says when), one
//! request at a time, the keep-or-close rule for its connection, `Engine::take`, and the
//! connection an execute was answered on, kept busy and watched for its close; it races each
//! step against a `Waiter`'s typed stops (a signal or a cancellation, the deadline; a
//! terminal's resume from Ctrl-Z apart). What each poll means is an `Observer`'s (pure, in
//! `engine::observe`); how news reads is `output::progress`'s. The fleet loop (`watch`) is its
//! own, for thousands of bridges at once, and shares the pure parts.

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use tokio::time::Instant;

use crate::client::pinned::{HeldConn, PingFail, Pong};
use crate::client::{BridgeClient, POOL_IDLE};
use crate::engine::held::{Close, Fresh, HoldPolicy};
use crate::engine::observe::{ConnNews, Next, Observer, Polled, StatusAnswer};
use crate::engine::Halt;
use crate::engine::{Engine, EngineConfig};
use crate::stops::{Waiter, Wake};

/// A request in flight while the loop goes on.
type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A ping's answer, or Err: none within `--request-timeout`.
type Pinged = Result<Result<Pong, PingFail>, tokio::time::error::Elapsed>;

/// Waiting on one bridge.
pub struct Driver<'a> {
    client: &'a BridgeClient,
    engine: Engine,
    /// The connection an execute was answered on, and its policy.
    conn: Option<(HeldConn, HoldPolicy)>,
}

impl<'a> Driver<'a> {
    pub fn new(client: &'a BridgeClient, cfg: EngineConfig) -> Driver<'a> {
        Driver {
            client,
            engine: Engine::new(cfg, std::time::Instant::now()),
            conn: None,
        }
    }

    /// Watch this connection too (the execute was answered on it).
    pub fn holding(mut self, held: HeldConn, hold: HoldPolicy) -> Driver<'a> {
        self.conn = Some((held, hold));
        self
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// A connection is still held.
    pub fn held(&self) -> bool {
        self.conn.is_some()
    }

    /// Poll (and watch the held connection) until the observer is done or a stop comes.
    pub async fn run<O: Observer>(&mut self, obs: &mut O, waiter: &mut impl Waiter) -> Result<O::Done, Halt> {
        let client: &'a BridgeClient = self.client;
        // The status shows it cannot tell: no longer asked.
        let mut quiet = false;
        let mut status_req: Option<Pending<'a, StatusAnswer>> = None;
        let mut ping: Option<Pending<'static, Pinged>> = None;
        // A ping gets no longer than any request: a frozen bridge is not a running command.
        let ping_limit = client.request_timeout();
        loop {
            let status_due = Instant::from_std(self.engine.next_poll_at());
            let ping_due = self
                .conn
                .as_ref()
                .map_or(status_due, |(_, hold)| Instant::from_std(hold.next_ping()));
            let asking = !quiet && status_req.is_none();
            let due = obs.due().map(Instant::from_std);
            let next = tokio::select! {
                biased;
                wake = waiter.next() => match wake {
                    Wake::Halt(halt) => return Err(halt),
                    Wake::Resumed => {
                        self.engine.poll_now(std::time::Instant::now());
                        Next::Go
                    }
                },
                at = async { self.conn.as_mut().map(|(h, _)| h.closed()).expect("held").await }, if self.conn.is_some() => {
                    let at = at.unwrap_or_else(|_| Instant::now());
                    let (_, hold) = self.conn.take().expect("held");
                    let news = self.closed(hold, ping.take(), at, waiter).await?;
                    obs.conn(news)
                }
                pong = async { ping.as_mut().expect("a ping").await }, if ping.is_some() => {
                    ping = None;
                    client.trace(2, || format!("ping on the held connection: {pong:?}"));
                    match pong {
                        // Unanswered within --request-timeout: the connection can no longer
                        // tell (a frozen bridge); let go of it.
                        Err(_) => {
                            self.conn = None;
                            obs.conn(ConnNews::Silent { after: ping_limit })
                        }
                        Ok(Ok(p)) => {
                            if let Some((_, hold)) = self.conn.as_mut() {
                                hold.answered(p.at.into_std(), p.uptime, p.closing);
                            }
                            Next::Go
                        }
                        // Let go of a connection that answers nonsense: its close would be ours.
                        Ok(Err(PingFail::Garbled(what))) => {
                            self.conn = None;
                            obs.conn(ConnNews::Garbled(what))
                        }
                        // Its close is told by the connection itself.
                        Ok(Err(PingFail::Cut(_))) => Next::Go,
                    }
                }
                _ = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    obs.at(std::time::Instant::now())
                }
                _ = tokio::time::sleep_until(ping_due), if self.conn.is_some() && ping.is_none() => {
                    if let Some((h, hold)) = self.conn.as_mut() {
                        client.count_request();
                        hold.pinged(std::time::Instant::now());
                        ping = Some(Box::pin(tokio::time::timeout(ping_limit, h.ping())));
                    }
                    Next::Go
                }
                answer = async { status_req.as_mut().expect("a status request").await }, if status_req.is_some() => {
                    status_req = None;
                    let now = std::time::Instant::now();
                    let reaction = self.engine.take(now, SystemTime::now(), &answer);
                    obs.polled(Polled {
                        engine: &self.engine,
                        answer: &answer,
                        reaction: &reaction,
                        held: self.conn.is_some(),
                        now,
                    })
                }
                _ = tokio::time::sleep_until(status_due), if asking => {
                    if self.engine.start_poll(std::time::Instant::now(), SystemTime::now()).is_some() {
                        // A connection its next poll cannot reuse is closed at once.
                        let keep = self.engine.keeps_connection(POOL_IDLE);
                        status_req = Some(Box::pin(client.status_keeping(keep)));
                    }
                    Next::Go
                }
            };
            match next {
                Next::Go => {}
                Next::Ask => {
                    quiet = false;
                    self.engine.poll_now(std::time::Instant::now());
                }
                Next::Tell(note) => waiter.tell(note).await,
                Next::Quiet(note) => {
                    quiet = true;
                    status_req = None;
                    waiter.tell(note).await;
                }
                Next::Done(done) => return Ok(done),
            }
        }
    }

    /// The held connection closed at `at`: what that means. A ping answered just before the
    /// close is read first (it says who the bridge was); one answered with nonsense closed the
    /// connection itself, so that close is ours. An end is confirmed by asking the bridge
    /// afresh: its going away (killed, a crash) or a restart closes the connection too.
    async fn closed(
        &mut self,
        mut hold: HoldPolicy,
        ping: Option<Pending<'static, Pinged>>,
        at: Instant,
        waiter: &mut impl Waiter,
    ) -> Result<ConnNews, Halt> {
        if let Some(p) = ping {
            match p.await {
                Ok(Ok(p)) => hold.answered(p.at.into_std().min(at.into_std()), p.uptime, p.closing),
                Ok(Err(PingFail::Garbled(what))) => return Ok(ConnNews::Garbled(what)),
                Ok(Err(PingFail::Cut(_))) | Err(_) => {}
            }
        }
        let close = hold.on_close(at.into_std());
        self.client.trace(1, || {
            format!("the connection the execute was answered on closed: {close:?}")
        });
        if !matches!(close, Close::Ended { .. }) {
            return Ok(ConnNews::Closed {
                close,
                confirmed: None,
            });
        }
        let fresh = loop {
            tokio::select! {
                biased;
                wake = waiter.next() => match wake {
                    Wake::Halt(halt) => return Err(halt),
                    Wake::Resumed => continue,
                },
                h = self.client.health() => break h,
            }
        };
        let fresh = match fresh {
            Ok(h) => Fresh::answered(std::time::Instant::now(), &h),
            Err(e) => Fresh::failed(&e),
        };
        Ok(ConnNews::Closed {
            close,
            confirmed: Some(hold.confirm(&fresh)),
        })
    }
}
