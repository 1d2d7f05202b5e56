//! What an MCP call that waits waits with: its cancellation (or the end of stdin), its
//! deadline, and progress notifications when the call gave a `progressToken` (the news of the
//! wait, and a tick while nothing new happens). The `Waiter` of `crate::driver` over MCP.

use std::time::Duration;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use rmcp::RoleServer;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::engine::observe::Note;
use crate::engine::Halt;
use crate::stops::{Waiter, Wake};

/// How often a wait with a progress token says it is still waiting.
const TICK: Duration = Duration::from_secs(5);

/// What ends a wait early: the call's cancellation, or the end of stdin.
#[derive(Clone, Copy)]
pub(super) struct Cancel<'a> {
    pub(super) call: &'a CancellationToken,
    pub(super) closing: &'a CancellationToken,
    pub(super) closing_why: &'a std::sync::OnceLock<&'static str>,
}

impl Cancel<'_> {
    pub(super) async fn stopped(self) {
        tokio::select! {
            _ = self.call.cancelled() => {}
            _ = self.closing.cancelled() => {}
        }
    }

    /// For the log line: how it was stopped.
    pub(super) fn how(self) -> &'static str {
        match self.call.is_cancelled() {
            true => "cancelled",
            false => self
                .closing_why
                .get()
                .copied()
                .unwrap_or("ended by the end of stdin"),
        }
    }
}

/// A wait's progress notifications: none without a token; increasing numbers, a message each.
pub(super) struct Progress {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
    sent: u32,
    /// The last message sent: the same news is not sent again (the ticks say it goes on).
    last: String,
    started: Instant,
    next_tick: Instant,
}

impl Progress {
    pub(super) fn of(ctx: &RequestContext<RoleServer>) -> Progress {
        let now = Instant::now();
        Progress {
            peer: ctx.peer.clone(),
            token: ctx.meta.get_progress_token(),
            sent: 0,
            last: String::new(),
            started: now,
            next_tick: now + TICK,
        }
    }

    pub(super) async fn say(&mut self, msg: &str) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let msg = crate::sanitize::line(msg).into_owned();
        if msg == self.last {
            return;
        }
        self.sent += 1;
        let mut p = ProgressNotificationParam::new(token, f64::from(self.sent));
        p.message = Some(msg.clone());
        self.last = msg;
        let _ = self.peer.notify_progress(p).await;
    }

    /// Every `TICK` while waiting: that it still is (never without a token).
    pub(super) async fn tick(&mut self) {
        if self.token.is_none() {
            return std::future::pending().await;
        }
        tokio::time::sleep_until(self.next_tick).await;
        self.next_tick += TICK;
        let waited = crate::units::human_duration(self.started.elapsed());
        self.say(&format!("still waiting ({waited})")).await;
    }
}

/// `exec`'s waiter over MCP: a cancellation (or the end of stdin) and the deadline end it.
pub(super) struct Cancellable<'a> {
    pub(super) stop: Cancel<'a>,
    pub(super) deadline: Instant,
    pub(super) progress: &'a mut Progress,
}

impl Waiter for Cancellable<'_> {
    async fn next(&mut self) -> Wake {
        loop {
            tokio::select! {
                biased;
                _ = self.stop.stopped() => return Wake::Halt(Halt::Cancelled),
                _ = tokio::time::sleep_until(self.deadline) => return Wake::Halt(Halt::TimedOut),
                _ = self.progress.tick() => {}
            }
        }
    }

    async fn halt(&mut self) -> Halt {
        loop {
            tokio::select! {
                biased;
                _ = self.stop.stopped() => return Halt::Cancelled,
                _ = self.progress.tick() => {}
            }
        }
    }

    async fn tell(&mut self, note: Note) {
        self.progress.say(&crate::output::progress(&note)).await;
    }
}
