//! The polling engine of one bridge: pure policy, no I/O. It decides when the next poll
//! happens (`schedule`: adaptive interval, backoff with jitter, Retry-After, circuit breaker),
//! what changed between two answers (`crate::change`), what to report (typed events), and when
//! a watch is done (`--until`, `--count`, a fatal failure). `follow` is the same kind of policy
//! for `exec --wait`, and `awaiting` for `kiro_wait`. Time comes in as arguments (`Instant`
//! for scheduling, `SystemTime` for event stamps), so tests drive it with a made-up clock and
//! never sleep.

pub mod awaiting;
pub mod follow;
pub mod held;
pub mod observe;
pub mod outcome;
pub mod schedule;
mod vocab;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::change::{commands_diff, sorted, status_hash};
use crate::error::FailureKind;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::KiroStatus;
use crate::units::ms;
use schedule::{Breaker, Retry, Schedule};

pub use follow::{Follow, Following, Verdict};
pub use vocab::*;

/// The bridge is failing: since when, and the last failure reported.
#[derive(Debug)]
struct Outage {
    since: Instant,
    kind: FailureKind,
    message: String,
}

pub struct Engine {
    cfg: EngineConfig,
    schedule: Schedule,
    last: Option<Arc<KiroStatus>>,
    last_hash: u64,
    last_ok_at: Option<Instant>,
    /// The command seen running, and when it was first seen.
    running: Option<(String, Instant)>,
    stall_reported: bool,
    outage: Option<Outage>,
    counters: Counters,
    started: Instant,
}

impl Engine {
    pub fn new(cfg: EngineConfig, now: Instant) -> Engine {
        Engine {
            schedule: Schedule::new(cfg.backoff(), now),
            cfg,
            last: None,
            last_hash: 0,
            last_ok_at: None,
            running: None,
            stall_reported: false,
            outage: None,
            counters: Counters::default(),
            started: now,
        }
    }

    /// New policy (a reload changed the bridge's intervals): from its next poll on.
    pub fn reconfigure(&mut self, cfg: EngineConfig) {
        self.cfg = cfg;
    }

    /// The ready interval: what a fleet spreads first polls across.
    pub fn first_interval(&self) -> Duration {
        self.cfg.interval_ready
    }

    /// How long its next poll is away if nothing changes: the interval of the state it last
    /// answered with (ready's before any answer). Whether a connection is worth keeping.
    pub fn expected_interval(&self) -> Duration {
        self.current()
            .map_or(self.cfg.interval_ready, |s| self.cfg.interval(s.status))
    }

    /// Keep the poll's connection open after it: only when the next poll comes before the
    /// pool would drop the idle socket anyway (`idle`), so no socket idles out between polls to
    /// meet a server's close (the idle race). The one rule for the watch and the driver.
    pub fn keeps_connection(&self, idle: Duration) -> bool {
        self.expected_interval() < idle
    }

    pub fn next_poll_at(&self) -> Instant {
        self.schedule.next_poll_at()
    }

    pub fn in_flight(&self) -> bool {
        self.schedule.in_flight()
    }

    pub fn current(&self) -> Option<&KiroStatus> {
        self.last.as_deref()
    }

    /// What the last poll was answered with; None while it fails or before any answer.
    pub fn answered_status(&self) -> Option<&KiroStatus> {
        self.current().filter(|_| self.consecutive_failures() == 0)
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.schedule.failures()
    }

    /// The command seen running and for how long, as observed.
    pub fn running_for(&self, now: Instant) -> Option<(&str, Duration)> {
        self.running
            .as_ref()
            .map(|(c, since)| (c.as_str(), now.saturating_duration_since(*since)))
    }

    /// Begin a poll. None when one is already in flight (never two at once) or when it is not
    /// yet due; otherwise the events of starting it (a half-open circuit).
    pub fn start_poll(&mut self, now: Instant, wall: SystemTime) -> Option<Vec<Event>> {
        let probe = self.schedule.start(now)?;
        let mut events = Vec::new();
        if probe {
            events.push(self.record(wall, circuit(CircuitState::HalfOpen, None)));
        }
        Some(events)
    }

    /// Poll at once (resumed after SIGCONT); an open circuit is respected.
    pub fn poll_now(&mut self, now: Instant) {
        self.schedule.poll_now(now);
    }

    /// A poll answered with a status. The same `Arc` as last time (a 304, or an answer the
    /// client found unchanged) is unchanged by definition and is not hashed again.
    pub fn on_success(
        &mut self,
        now: Instant,
        wall: SystemTime,
        status: Arc<KiroStatus>,
        received: Received,
    ) -> Reaction {
        self.count_poll(received);
        let mut r = Reaction::default();
        let failures = self.schedule.failures();
        let was = self.schedule.answered(now, self.cfg.interval(status.status));
        self.recover(now, wall, (was, failures), &mut r.events);
        self.last_ok_at = Some(now);
        self.observe(now, wall, status, &mut r.events);
        self.check_stall(now, wall, &mut r.events);
        r.end = self.count_reached();
        r
    }

    /// A poll came back, answered or failed: what the watch and `exec --wait` do after each
    /// one (bytes and 304s counted, a rejected key ending it, as `on_success`/`on_failure`).
    pub fn take(
        &mut self,
        now: Instant,
        wall: SystemTime,
        res: &Result<crate::model::StatusFetch, crate::error::BridgeError>,
    ) -> Reaction {
        match res {
            Ok(f) => {
                let received = Received {
                    not_modified: f.not_modified,
                    bytes: f.bytes,
                };
                self.on_success(now, wall, Arc::clone(&f.status), received)
            }
            Err(e) => self.on_failure(now, wall, &Failure::from(e)),
        }
    }

    /// A poll failed.
    pub fn on_failure(&mut self, now: Instant, wall: SystemTime, failure: &Failure) -> Reaction {
        self.counters.polls += 1;
        self.counters.errors += 1;
        if failure.fatal {
            // Told as an event of its own (hooks and --json readers see it), then never polled.
            let rejected = Event {
                at: wall,
                kind: EventKind::Rejected {
                    message: failure.message.clone(),
                },
            };
            return Reaction {
                events: vec![rejected],
                end: Some(End::Fatal),
            };
        }
        let retry = match failure.kind {
            FailureKind::Http | FailureKind::Auth | FailureKind::Protocol | FailureKind::Redirect => {
                Retry::After(self.cfg.interval_error)
            }
            _ => Retry::Backoff,
        };
        let delay = self.schedule.failed(now, retry, failure.retry_after);
        let mut r = Reaction::default();
        let repeated = self
            .outage
            .as_ref()
            .is_some_and(|o| o.kind == failure.kind && o.message == failure.message);
        let since = self.outage.as_ref().map_or(now, |o| o.since);
        self.outage = Some(Outage {
            since,
            kind: failure.kind,
            message: failure.message.clone(),
        });
        if !repeated {
            let kind = EventKind::Unreachable {
                kind: failure.kind.as_str(),
                message: failure.message.clone(),
                consecutive_failures: self.schedule.failures(),
                retry_in_ms: ms(delay.delay),
                retry_after_ms: delay.capped.map(ms),
            };
            r.events.push(self.record(wall, kind));
        }
        if delay.opened {
            let kind = circuit(CircuitState::Open, Some(ms(delay.delay)));
            r.events.push(self.record(wall, kind));
        }
        r.end = self.count_reached();
        r
    }

    fn count_poll(&mut self, received: Received) {
        self.counters.polls += 1;
        self.counters.answered += 1;
        self.counters.bytes += received.bytes;
        self.counters.not_modified += u64::from(received.not_modified);
    }

    /// After failures: `recovered`, and `circuit closed` when it was not.
    /// `before`: the breaker and the consecutive failures before this answer reset them.
    fn recover(&mut self, now: Instant, wall: SystemTime, before: (Breaker, u32), events: &mut Vec<Event>) {
        let (was, failures) = before;
        // A bridge down from the start has nothing to come back to: its first answer is the
        // snapshot, not `recovered`.
        let outage = self.outage.take().filter(|_| self.last.is_some());
        if let Some(outage) = outage {
            let kind = EventKind::Recovered {
                after_failures: failures,
                downtime_ms: ms(now.saturating_duration_since(outage.since)),
            };
            events.push(self.record(wall, kind));
        }
        if was != Breaker::Closed {
            events.push(self.record(wall, circuit(CircuitState::Closed, None)));
        }
    }

    /// Take in a status; report a snapshot or the changes.
    fn observe(&mut self, now: Instant, wall: SystemTime, status: Arc<KiroStatus>, events: &mut Vec<Event>) {
        let same = self.last.as_ref().is_some_and(|prev| Arc::ptr_eq(prev, &status));
        let hash = if same {
            self.last_hash
        } else {
            status_hash(&status)
        };
        match self.last.take() {
            None => {
                let kind = EventKind::Snapshot {
                    status: status.status,
                    current_command: status.current_command.clone(),
                    version: status.version.clone(),
                    available_commands: sorted(&status.available_commands),
                };
                events.push(self.record(wall, kind));
                self.running = status.current_command.clone().map(|c| (c, now));
            }
            Some(prev) if hash != self.last_hash => self.diff(&prev, &status, now, wall, events),
            Some(_) => {}
        }
        self.last = Some(status);
        self.last_hash = hash;
    }

    fn diff(
        &mut self,
        prev: &KiroStatus,
        cur: &KiroStatus,
        now: Instant,
        wall: SystemTime,
        events: &mut Vec<Event>,
    ) {
        let mut kinds = Vec::new();
        if prev.status != cur.status {
            kinds.push(EventKind::StatusChanged {
                from: prev.status,
                to: cur.status,
            });
        }
        if prev.current_command != cur.current_command {
            if let Some((command, since)) = self.running.take() {
                let duration_ms = ms(now.saturating_duration_since(since));
                kinds.push(EventKind::CommandFinished { command, duration_ms });
            }
            self.stall_reported = false;
            if let Some(c) = &cur.current_command {
                self.running = Some((c.clone(), now));
                kinds.push(EventKind::CommandStarted { command: c.clone() });
            }
        }
        if prev.version != cur.version {
            kinds.push(EventKind::VersionChanged {
                from: prev.version.clone(),
                to: cur.version.clone(),
            });
        }
        if let Some((added, removed, count)) =
            commands_diff(&prev.available_commands, &cur.available_commands)
        {
            kinds.push(EventKind::CommandsChanged {
                added,
                removed,
                count,
            });
        }
        events.extend(kinds.into_iter().map(|k| self.record(wall, k)));
    }

    fn check_stall(&mut self, now: Instant, wall: SystemTime, events: &mut Vec<Event>) {
        let Some((cmd, since)) = &self.running else {
            return;
        };
        let busy_for = now.saturating_duration_since(*since);
        if !self.stall_reported && busy_for >= self.cfg.stall_after {
            self.stall_reported = true;
            let kind = EventKind::Stall {
                command: cmd.clone(),
                busy_for_ms: ms(busy_for),
            };
            events.push(self.record(wall, kind));
        }
    }

    fn count_reached(&self) -> Option<End> {
        self.cfg
            .count
            .filter(|c| self.counters.polls >= *c)
            .map(|_| End::Count)
    }

    /// Stamp an event and count it when it is a change.
    fn record(&mut self, wall: SystemTime, kind: EventKind) -> Event {
        let event = Event { at: wall, kind };
        if event.kind.is_change() {
            self.counters.changes += 1;
        }
        event
    }

    pub fn heartbeat(&self, wall: SystemTime) -> Event {
        Event {
            at: wall,
            kind: EventKind::Heartbeat {
                status: self.last.as_ref().map(|s| s.status),
                polls: self.counters.polls,
            },
        }
    }

    pub fn summary(&self, now: Instant, wall: SystemTime, end: &End) -> Event {
        summary(
            self.counters,
            now.saturating_duration_since(self.started),
            wall,
            end,
        )
    }

    /// What was last seen, for a timeout message.
    pub fn last_seen(&self, now: Instant) -> LastSeen {
        if let Some(o) = &self.outage {
            return LastSeen::Unreachable {
                for_: now.saturating_duration_since(o.since),
                why: o.message.clone(),
            };
        }
        match (&self.last, &self.running, self.last_ok_at) {
            (_, Some((cmd, since)), _) => LastSeen::Running {
                command: cmd.clone(),
                for_: now.saturating_duration_since(*since),
            },
            (Some(s), None, Some(at)) => LastSeen::State {
                state: s.status,
                ago: now.saturating_duration_since(at),
            },
            _ => LastSeen::Nothing,
        }
    }
}

fn circuit(state: CircuitState, retry_in_ms: Option<u64>) -> EventKind {
    EventKind::Circuit { state, retry_in_ms }
}

#[cfg(test)]
mod tests;
