//! The polling engine of one bridge: pure policy, no I/O. It decides when the next poll
//! happens (`schedule`: adaptive interval, backoff with jitter, Retry-After, circuit breaker),
//! what changed between two answers (`crate::change`), what to report (typed events), and when
//! a watch is done (`--until`, `--count`, a fatal failure). `follow` is the same kind of policy
//! for `exec --wait`. Time comes in as arguments (`Instant` for scheduling, `SystemTime` for
//! event stamps), so tests drive it with a made-up clock and never sleep.

pub mod follow;
pub mod outcome;
pub mod schedule;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::change::{commands_diff, sorted, status_hash};
use crate::error::FailureKind;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::{KiroState, KiroStatus};
use crate::units::ms;
use schedule::{later, Backoff, Breaker, Retry, Schedule};

pub use follow::{Follow, Verdict};

/// A state `--until` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Ready,
    Busy,
    Unavailable,
    /// Any change after the first state seen.
    Change,
}

impl Until {
    /// Does a bridge last seen in `state` (None: not answering) meet this? `changed`: a change
    /// of it was reported.
    pub fn holds(self, state: Option<KiroState>, changed: bool) -> bool {
        match self {
            Until::Ready => state == Some(KiroState::Ready),
            Until::Busy => state == Some(KiroState::Busy),
            Until::Unavailable => state == Some(KiroState::Unavailable),
            Until::Change => changed,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Until::Ready => "ready",
            Until::Busy => "busy",
            Until::Unavailable => "unavailable",
            Until::Change => "change",
        }
    }
}

/// Policy knobs; `Default` is PRODUCT.md's defaults.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub interval_ready: Duration,
    pub interval_busy: Duration,
    pub interval_unavailable: Duration,
    /// After the bridge answered with an error (5xx, nonsense).
    pub interval_error: Duration,
    /// First backoff delay while unreachable; doubles per failure.
    pub backoff_base: Duration,
    pub max_backoff: Duration,
    /// Consecutive failures that open the circuit.
    pub breaker_threshold: u32,
    /// How long an open circuit stays open before one half-open probe.
    pub breaker_recovery: Duration,
    pub stall_after: Duration,
    pub until: Vec<Until>,
    pub count: Option<u64>,
    /// Give up this long after the start (`--timeout`).
    pub timeout: Option<Duration>,
    /// Fixed seed for the jitter (tests); None picks a random one.
    pub jitter_seed: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            interval_ready: Duration::from_secs(10),
            interval_busy: Duration::from_secs(2),
            interval_unavailable: Duration::from_secs(30),
            interval_error: Duration::from_secs(15),
            backoff_base: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            breaker_threshold: 5,
            breaker_recovery: Duration::from_secs(60),
            stall_after: Duration::from_secs(15 * 60),
            until: Vec::new(),
            count: None,
            timeout: None,
            jitter_seed: None,
        }
    }
}

impl EngineConfig {
    /// `exec --wait` following a command whose answer was lost: one cadence whatever the
    /// state, a short backoff while the status is unreachable.
    pub fn following(every: Duration) -> EngineConfig {
        EngineConfig {
            interval_ready: every,
            interval_busy: every,
            interval_unavailable: every,
            interval_error: every,
            backoff_base: every.min(Duration::from_secs(1)),
            max_backoff: every.max(Duration::from_secs(10)),
            breaker_recovery: every.max(Duration::from_secs(10)),
            ..EngineConfig::default()
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: self.backoff_base,
            max: self.max_backoff,
            threshold: self.breaker_threshold,
            recovery: self.breaker_recovery,
            jitter_seed: self.jitter_seed,
        }
    }

    fn interval(&self, state: KiroState) -> Duration {
        match state {
            KiroState::Ready => self.interval_ready,
            KiroState::Busy => self.interval_busy,
            KiroState::Unavailable => self.interval_unavailable,
        }
    }
}

/// A failed poll, as the engine needs to know it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    /// The bridge asked for this delay (429/503 Retry-After).
    pub retry_after: Option<Duration>,
    /// Authentication rejected: end the watch, never retry.
    pub fatal: bool,
}

impl From<&crate::error::BridgeError> for Failure {
    fn from(e: &crate::error::BridgeError) -> Failure {
        Failure {
            kind: e.kind(),
            message: e.short(),
            retry_after: e.retry_after(),
            fatal: e.is_fatal(),
        }
    }
}

/// What came with an answer besides the status: for the counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Received {
    /// A 304: the status is the last one, unchanged.
    pub not_modified: bool,
    /// Body bytes received.
    pub bytes: u64,
}

/// How a watch ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `--until` reached: exit 0.
    Until(Until),
    /// `--count` polls done: exit 0 when any was answered.
    Count,
    /// Authentication rejected: exit 4.
    Fatal,
    /// `--timeout` ran out: exit 124.
    TimedOut,
    /// Ctrl-C (130), SIGTERM (143) or SIGHUP (129).
    Signal { code: u8 },
    /// The reader of stdout went away (`| head -1`): exit 0, quietly.
    Closed,
}

impl End {
    /// The summary's `reason`.
    pub fn reason(self) -> String {
        match self {
            End::Until(u) => format!("until {}", u.name()),
            End::Count => "count reached".into(),
            End::Fatal => "authentication rejected".into(),
            End::TimedOut => "timed out".into(),
            End::Signal { code: 130 } => "interrupted".into(),
            End::Signal { code: 129 } => "hung up".into(),
            End::Signal { .. } => "terminated".into(),
            End::Closed => "stdout closed".into(),
        }
    }
}

/// What one answer or failure produced.
#[derive(Debug, Default)]
pub struct Reaction {
    pub events: Vec<Event>,
    pub end: Option<End>,
}

/// The engine's own counters, for the summary and the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub polls: u64,
    /// Polls the bridge answered with a status.
    pub answered: u64,
    pub not_modified: u64,
    pub bytes: u64,
    /// Failed polls.
    pub errors: u64,
    /// Change events reported.
    pub changes: u64,
}

impl std::ops::AddAssign for Counters {
    fn add_assign(&mut self, o: Counters) {
        self.polls += o.polls;
        self.answered += o.answered;
        self.not_modified += o.not_modified;
        self.bytes += o.bytes;
        self.errors += o.errors;
        self.changes += o.changes;
    }
}

/// What was last seen of the bridge, for a timeout message; `output` renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastSeen {
    Nothing,
    Unreachable { for_: Duration, why: String },
    Running { command: String, for_: Duration },
    State { state: KiroState, ago: Duration },
}

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

    /// When the watch gives up, if it ever does.
    pub fn deadline(&self) -> Option<Instant> {
        self.cfg.timeout.map(|t| later(self.started, t))
    }

    /// Past the deadline?
    pub fn timed_out(&self, now: Instant) -> bool {
        self.deadline().is_some_and(|d| now >= d)
    }

    /// The ready interval: what a fleet spreads first polls across.
    pub fn first_interval(&self) -> Duration {
        self.cfg.interval_ready
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

    /// The state the last poll was answered with; None while it fails or before any answer.
    pub fn answered_state(&self) -> Option<KiroState> {
        self.current()
            .map(|s| s.status)
            .filter(|_| self.consecutive_failures() == 0)
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
        let changed = self.observe(now, wall, status, &mut r.events);
        self.check_stall(now, wall, &mut r.events);
        let state = self.last.as_ref().map(|s| s.status);
        r.end = self
            .until_reached(state, changed)
            .or_else(|| self.count_reached());
        r
    }

    /// A poll failed.
    pub fn on_failure(&mut self, now: Instant, wall: SystemTime, failure: &Failure) -> Reaction {
        self.counters.polls += 1;
        self.counters.errors += 1;
        if failure.fatal {
            return Reaction {
                events: Vec::new(),
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

    /// Take in a status; report a snapshot or the changes. True when something changed.
    fn observe(
        &mut self,
        now: Instant,
        wall: SystemTime,
        status: Arc<KiroStatus>,
        events: &mut Vec<Event>,
    ) -> bool {
        let same = self.last.as_ref().is_some_and(|prev| Arc::ptr_eq(prev, &status));
        let hash = if same {
            self.last_hash
        } else {
            status_hash(&status)
        };
        let mut changed = false;
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
            Some(prev) if hash != self.last_hash => {
                let before = events.len();
                self.diff(&prev, &status, now, wall, events);
                changed = events.len() > before;
            }
            Some(_) => {}
        }
        self.last = Some(status);
        self.last_hash = hash;
        changed
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

    fn until_reached(&self, state: Option<KiroState>, changed: bool) -> Option<End> {
        state?;
        self.cfg
            .until
            .iter()
            .copied()
            .find(|u| u.holds(state, changed))
            .map(End::Until)
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

    pub fn summary(&self, now: Instant, wall: SystemTime, end: End) -> Event {
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

/// The `summary` event of these counters over `took` (one engine's, or a fleet's sums).
pub fn summary(c: Counters, took: Duration, wall: SystemTime, end: End) -> Event {
    Event {
        at: wall,
        kind: EventKind::Summary {
            polls: c.polls,
            not_modified: c.not_modified,
            bytes_received: c.bytes,
            errors: c.errors,
            changes: c.changes,
            duration_ms: ms(took),
            reason: end.reason(),
        },
    }
}

fn circuit(state: CircuitState, retry_in_ms: Option<u64>) -> EventKind {
    EventKind::Circuit { state, retry_in_ms }
}

#[cfg(test)]
mod tests;
