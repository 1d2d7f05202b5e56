//! The polling engine: pure policy, no I/O. It decides when the next poll happens (adaptive
//! interval, exponential backoff with jitter, Retry-After, circuit breaker), what changed
//! between two answers (a hash over the fields that matter, never the timestamp), what to
//! report (typed events), and when a watch is done (`--until`, `--count`, fatal errors).
//! Time comes in as arguments (`Instant` for scheduling, `SystemTime` for event stamps), so
//! tests drive it with a made-up clock and never sleep.

use std::collections::{BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use backon::BackoffBuilder;

use crate::cli::UntilState;
use crate::error::FailureKind;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::{KiroState, KiroStatus};
use crate::output::human_duration;

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
    pub history: usize,
    pub until: Vec<UntilState>,
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
            history: 100,
            until: Vec::new(),
            count: None,
            timeout: None,
            jitter_seed: None,
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

/// Why a watch ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// `--until` reached: exit 0.
    Until(UntilState),
    /// `--count` polls done: exit 0.
    Count,
    /// A fatal failure (401/403): exit 4.
    Fatal(String),
}

/// What one step of the engine produced.
#[derive(Debug, Default)]
pub struct Step {
    pub events: Vec<Event>,
    pub stop: Option<Stop>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaker {
    Closed,
    Open { until: Instant },
    HalfOpen,
}

pub struct Engine {
    cfg: EngineConfig,
    last: Option<Arc<KiroStatus>>,
    last_hash: Option<u64>,
    last_ok_at: Option<Instant>,
    /// The command seen running, and when it was first seen.
    running: Option<(String, Instant)>,
    stall_reported: bool,
    failures: u32,
    first_failure_at: Option<Instant>,
    last_failure: Option<(FailureKind, String)>,
    backoff: Option<backon::ExponentialBackoff>,
    breaker: Breaker,
    next_poll: Instant,
    in_flight: bool,
    history: VecDeque<Event>,
    polls: u64,
    changes: u64,
    started: Instant,
}

/// The hash over what matters: status, current command, version, the set of commands.
/// Never the timestamp, which changes on every answer of the real bridge. The commands are
/// hashed one by one and summed, so their order does not matter and nothing is allocated.
pub fn status_hash(s: &KiroStatus) -> u64 {
    fingerprint(
        s.status,
        s.current_command.as_deref(),
        s.version.as_deref(),
        s.available_commands.iter().map(String::as_str),
    )
}

/// `status_hash` over borrowed parts, so a body can be fingerprinted before it is copied.
/// FxHash: fast, and collisions only matter to a bridge hiding its own changes from us.
pub fn fingerprint<'a>(
    status: KiroState,
    current_command: Option<&str>,
    version: Option<&str>,
    commands: impl Iterator<Item = &'a str>,
) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    status.hash(&mut h);
    current_command.hash(&mut h);
    version.hash(&mut h);
    let commands = commands.fold(0u64, |acc, c| {
        let mut one = rustc_hash::FxHasher::default();
        c.hash(&mut one);
        acc.wrapping_add(one.finish())
    });
    commands.hash(&mut h);
    h.finish()
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

impl Engine {
    pub fn new(cfg: EngineConfig, now: Instant) -> Engine {
        Engine {
            cfg,
            last: None,
            last_hash: None,
            last_ok_at: None,
            running: None,
            stall_reported: false,
            failures: 0,
            first_failure_at: None,
            last_failure: None,
            backoff: None,
            breaker: Breaker::Closed,
            next_poll: now,
            in_flight: false,
            history: VecDeque::new(),
            polls: 0,
            changes: 0,
            started: now,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// When the watch gives up, if it ever does.
    pub fn deadline(&self) -> Option<Instant> {
        self.cfg.timeout.map(|t| self.started + t)
    }

    /// Past the deadline: the message that says what was last seen.
    pub fn timed_out(&self, now: Instant) -> Option<String> {
        let deadline = self.deadline()?;
        (now >= deadline).then(|| {
            format!(
                "timed out after {}: {}",
                human_duration(self.cfg.timeout.unwrap_or_default()),
                self.last_seen(now)
            )
        })
    }

    /// When the next poll is due.
    pub fn next_poll_at(&self) -> Instant {
        self.next_poll
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    pub fn current(&self) -> Option<&KiroStatus> {
        self.last.as_deref()
    }

    pub fn polls(&self) -> u64 {
        self.polls
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }

    /// The command seen running and for how long, as observed.
    pub fn running_for(&self, now: Instant) -> Option<(&str, Duration)> {
        self.running
            .as_ref()
            .map(|(c, since)| (c.as_str(), now.saturating_duration_since(*since)))
    }

    /// The last changes, oldest first, at most `history` of them.
    pub fn history(&self) -> impl Iterator<Item = &Event> {
        self.history.iter()
    }

    /// Begin a poll. Returns None when one is already in flight (never two at once) or when
    /// it is not yet due; otherwise the events of starting it (a half-open circuit).
    pub fn start_poll(&mut self, now: Instant, wall: SystemTime) -> Option<Vec<Event>> {
        if self.in_flight || now < self.next_poll {
            return None;
        }
        self.in_flight = true;
        let mut events = Vec::new();
        if let Breaker::Open { .. } = self.breaker {
            self.breaker = Breaker::HalfOpen;
            events.push(self.record(
                wall,
                EventKind::Circuit {
                    state: CircuitState::HalfOpen,
                    retry_in_ms: None,
                },
            ));
        }
        Some(events)
    }

    /// Poll at once (resumed after SIGCONT): the timer we were waiting on is stale. An open
    /// circuit is respected.
    pub fn poll_now(&mut self, now: Instant) {
        if matches!(self.breaker, Breaker::Closed) && !self.in_flight {
            self.next_poll = self.next_poll.min(now);
        }
    }

    /// A poll answered with a status. The same `Arc` as last time (a 304) is unchanged by
    /// definition and is not hashed again.
    pub fn on_success(&mut self, now: Instant, wall: SystemTime, status: Arc<KiroStatus>) -> Step {
        self.in_flight = false;
        self.polls += 1;
        let mut step = Step::default();

        if self.failures > 0 {
            let downtime = self
                .first_failure_at
                .map(|t| now.saturating_duration_since(t))
                .unwrap_or_default();
            step.events.push(self.record(
                wall,
                EventKind::Recovered {
                    after_failures: self.failures,
                    downtime_ms: ms(downtime),
                },
            ));
        }
        if self.breaker != Breaker::Closed {
            step.events.push(self.record(
                wall,
                EventKind::Circuit {
                    state: CircuitState::Closed,
                    retry_in_ms: None,
                },
            ));
        }
        self.failures = 0;
        self.first_failure_at = None;
        self.last_failure = None;
        self.backoff = None;
        self.breaker = Breaker::Closed;
        self.last_ok_at = Some(now);

        let same = self.last.as_ref().is_some_and(|prev| Arc::ptr_eq(prev, &status));
        let hash = match self.last_hash {
            Some(h) if same => h,
            _ => status_hash(&status),
        };
        let mut changed = false;
        match self.last.take() {
            None => {
                step.events.push(self.record(
                    wall,
                    EventKind::Snapshot {
                        status: status.status,
                        current_command: status.current_command.clone(),
                        version: status.version.clone(),
                        available_commands: sorted(&status.available_commands),
                    },
                ));
                if let Some(c) = &status.current_command {
                    self.running = Some((c.clone(), now));
                }
            }
            Some(prev) if Some(hash) != self.last_hash => {
                let diff = self.diff(&prev, &status, now, wall);
                changed = !diff.is_empty();
                step.events.extend(diff);
            }
            Some(_) => {}
        }
        let state = status.status;
        self.last = Some(status);
        self.last_hash = Some(hash);

        if let Some((cmd, since)) = &self.running {
            let busy_for = now.saturating_duration_since(*since);
            if !self.stall_reported && busy_for >= self.cfg.stall_after {
                self.stall_reported = true;
                let kind = EventKind::Stall {
                    command: cmd.clone(),
                    busy_for_ms: ms(busy_for),
                };
                step.events.push(self.record(wall, kind));
            }
        }

        let interval = match state {
            KiroState::Ready => self.cfg.interval_ready,
            KiroState::Busy => self.cfg.interval_busy,
            KiroState::Unavailable => self.cfg.interval_unavailable,
        };
        self.next_poll = now + interval;

        step.stop = self
            .cfg
            .until
            .iter()
            .copied()
            .find(|u| match u {
                UntilState::Ready => state == KiroState::Ready,
                UntilState::Busy => state == KiroState::Busy,
                UntilState::Unavailable => state == KiroState::Unavailable,
                UntilState::Change => changed,
            })
            .map(Stop::Until)
            .or_else(|| self.count_reached());
        step
    }

    /// A poll failed.
    pub fn on_failure(&mut self, now: Instant, wall: SystemTime, failure: &Failure) -> Step {
        self.in_flight = false;
        self.polls += 1;
        let mut step = Step::default();
        if failure.fatal {
            step.stop = Some(Stop::Fatal(failure.message.clone()));
            return step;
        }
        self.failures += 1;
        self.first_failure_at.get_or_insert(now);

        let mut delay = match failure.kind {
            FailureKind::Http | FailureKind::Protocol | FailureKind::Redirect => self.cfg.interval_error,
            _ => self.next_backoff(),
        };
        if let Some(ra) = failure.retry_after {
            delay = ra.max(Duration::from_millis(100));
        }

        let half_open_failed = self.breaker == Breaker::HalfOpen;
        let opens = half_open_failed
            || (self.breaker == Breaker::Closed && self.failures >= self.cfg.breaker_threshold);
        if opens {
            delay = delay.max(self.cfg.breaker_recovery);
            self.breaker = Breaker::Open { until: now + delay };
        }
        self.next_poll = now + delay;

        let same = self
            .last_failure
            .as_ref()
            .is_some_and(|(k, m)| *k == failure.kind && *m == failure.message);
        if !same {
            step.events.push(self.record(
                wall,
                EventKind::Unreachable {
                    kind: failure.kind.as_str(),
                    message: failure.message.clone(),
                    consecutive_failures: self.failures,
                    retry_in_ms: ms(delay),
                },
            ));
            self.last_failure = Some((failure.kind, failure.message.clone()));
        }
        if opens {
            step.events.push(self.record(
                wall,
                EventKind::Circuit {
                    state: CircuitState::Open,
                    retry_in_ms: Some(ms(delay)),
                },
            ));
        }
        step.stop = self.count_reached();
        step
    }

    fn count_reached(&self) -> Option<Stop> {
        self.cfg.count.filter(|c| self.polls >= *c).map(|_| Stop::Count)
    }

    fn next_backoff(&mut self) -> Duration {
        let cfg = &self.cfg;
        let backoff = self.backoff.get_or_insert_with(|| {
            let mut b = backon::ExponentialBuilder::default()
                .with_min_delay(cfg.backoff_base)
                .with_max_delay(cfg.max_backoff)
                .with_factor(2.0)
                .without_max_times()
                .with_jitter();
            if let Some(seed) = cfg.jitter_seed {
                b = b.with_jitter_seed(seed);
            }
            b.build()
        });
        backoff
            .next()
            .unwrap_or(self.cfg.max_backoff)
            .min(self.cfg.max_backoff)
    }

    fn diff(&mut self, prev: &KiroStatus, cur: &KiroStatus, now: Instant, wall: SystemTime) -> Vec<Event> {
        let mut kinds = Vec::new();
        if prev.status != cur.status {
            kinds.push(EventKind::StatusChanged {
                from: prev.status,
                to: cur.status,
            });
        }
        if prev.current_command != cur.current_command {
            if let Some((cmd, since)) = self.running.take() {
                kinds.push(EventKind::CommandFinished {
                    command: cmd,
                    duration_ms: ms(now.saturating_duration_since(since)),
                });
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
        let old: BTreeSet<&String> = prev.available_commands.iter().collect();
        let new: BTreeSet<&String> = cur.available_commands.iter().collect();
        if old != new {
            kinds.push(EventKind::CommandsChanged {
                added: new.difference(&old).map(|s| (*s).clone()).collect(),
                removed: old.difference(&new).map(|s| (*s).clone()).collect(),
                count: new.len(),
            });
        }
        kinds.into_iter().map(|k| self.record(wall, k)).collect()
    }

    /// Stamp an event and remember it in the bounded history.
    fn record(&mut self, wall: SystemTime, kind: EventKind) -> Event {
        let event = Event { at: wall, kind };
        if event.kind.is_change() {
            self.changes += 1;
        }
        if self.cfg.history > 0 {
            if self.history.len() == self.cfg.history {
                self.history.pop_front();
            }
            self.history.push_back(event.clone());
        }
        event
    }

    pub fn heartbeat(&self, wall: SystemTime) -> Event {
        Event {
            at: wall,
            kind: EventKind::Heartbeat {
                status: self.last.as_ref().map(|s| s.status),
                polls: self.polls,
            },
        }
    }

    pub fn summary(
        &self,
        now: Instant,
        wall: SystemTime,
        stats: crate::client::StatsSnapshot,
        reason: &str,
    ) -> Event {
        Event {
            at: wall,
            kind: EventKind::Summary {
                polls: self.polls,
                not_modified: stats.not_modified,
                bytes_received: stats.bytes,
                errors: stats.errors,
                changes: self.changes,
                duration_ms: ms(now.saturating_duration_since(self.started)),
                reason: reason.to_owned(),
            },
        }
    }

    /// What was last seen, for a timeout message: "still busy running kiro.generateCode for
    /// 1m58s", "last seen ready 3s ago", "unreachable for 2m: Connection refused".
    pub fn last_seen(&self, now: Instant) -> String {
        if self.failures > 0 {
            let for_ = self
                .first_failure_at
                .map(|t| human_duration(now.saturating_duration_since(t)))
                .unwrap_or_default();
            let why = self
                .last_failure
                .as_ref()
                .map(|(_, m)| m.as_str())
                .unwrap_or("no answer");
            return format!("the bridge has been unreachable for {for_} ({why})");
        }
        match (&self.last, &self.running) {
            (_, Some((cmd, since))) => format!(
                "still busy running {} for {}",
                crate::sanitize::line(cmd),
                human_duration(now.saturating_duration_since(*since))
            ),
            (Some(s), None) => {
                let ago = self
                    .last_ok_at
                    .map(|t| human_duration(now.saturating_duration_since(t)))
                    .unwrap_or_default();
                format!("last seen {} {} ago", s.status, ago)
            }
            (None, None) => "no answer from the bridge yet".into(),
        }
    }
}

/// `exec --wait` after the answer was lost (a 408, a dropped connection): what the status says
/// about the command we sent. A spec bridge shows it busy while it runs; the real bridge never
/// does, so a command never seen after a few polls is an unknown outcome, not a success.
#[derive(Debug)]
pub struct Follow {
    command: String,
    seen: bool,
    unseen_polls: u32,
}

/// What one status answer means for the followed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The status shows it running: keep waiting.
    Running,
    /// Not shown yet: look again.
    NotYetSeen,
    /// Shown running before, not any more: it finished (how, the status cannot say).
    Completed,
    /// Never shown: the status cannot tell what became of it.
    Unknown,
}

impl Follow {
    /// Polls without a sign of the command before concluding the status cannot show it.
    pub const UNSEEN_POLLS: u32 = 2;

    pub fn new(command: &str) -> Follow {
        Follow {
            command: command.to_owned(),
            seen: false,
            unseen_polls: 0,
        }
    }

    pub fn seen(&self) -> bool {
        self.seen
    }

    pub fn observe(&mut self, status: &KiroStatus) -> Verdict {
        let shows_it = status.status == KiroState::Busy
            && status.current_command.as_deref() == Some(self.command.as_str());
        if shows_it {
            self.seen = true;
            return Verdict::Running;
        }
        if self.seen {
            return Verdict::Completed;
        }
        self.unseen_polls += 1;
        if self.unseen_polls >= Self::UNSEEN_POLLS {
            Verdict::Unknown
        } else {
            Verdict::NotYetSeen
        }
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(state: KiroState, cmd: Option<&str>, cmds: &[&str]) -> KiroStatus {
        KiroStatus {
            status: state,
            current_command: cmd.map(str::to_owned),
            version: Some("1.94.0".into()),
            available_commands: cmds.iter().map(|s| s.to_string()).collect(),
            timestamp: Some("2025-01-19T10:30:00Z".into()),
        }
    }

    fn ready() -> KiroStatus {
        st(KiroState::Ready, None, &["a", "b"])
    }

    fn down() -> Failure {
        Failure {
            kind: FailureKind::Connect,
            message: "Connection refused".into(),
            retry_after: None,
            fatal: false,
        }
    }

    struct Clock {
        t0: Instant,
        w0: SystemTime,
        at: Duration,
    }
    impl Clock {
        fn new() -> Clock {
            Clock {
                t0: Instant::now(),
                w0: SystemTime::UNIX_EPOCH,
                at: Duration::ZERO,
            }
        }
        fn now(&self) -> Instant {
            self.t0 + self.at
        }
        fn wall(&self) -> SystemTime {
            self.w0 + self.at
        }
        fn jump_to(&mut self, t: Instant) {
            self.at = t - self.t0;
        }
    }

    fn engine(cfg: EngineConfig, c: &Clock) -> Engine {
        Engine::new(
            EngineConfig {
                jitter_seed: Some(7),
                ..cfg
            },
            c.now(),
        )
    }

    fn names(step: &Step) -> Vec<&'static str> {
        step.events.iter().map(|e| e.kind.name()).collect()
    }

    /// Run one poll at the time it is due, with the given answer.
    fn poll(e: &mut Engine, c: &mut Clock, answer: Result<KiroStatus, Failure>) -> Step {
        let due = e.next_poll_at().max(c.now());
        c.jump_to(due);
        let mut pre = e.start_poll(c.now(), c.wall()).expect("poll due");
        let mut step = match answer {
            Ok(s) => e.on_success(c.now(), c.wall(), Arc::new(s)),
            Err(f) => e.on_failure(c.now(), c.wall(), &f),
        };
        pre.append(&mut step.events);
        step.events = pre;
        step
    }

    #[test]
    fn intervals_follow_the_state() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        assert_eq!(e.next_poll_at(), c.now(), "first poll at once");
        poll(&mut e, &mut c, Ok(ready()));
        assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(10));
        poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some("x"), &["a", "b"])));
        assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(2));
        poll(&mut e, &mut c, Ok(st(KiroState::Unavailable, None, &["a", "b"])));
        assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(30));
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter_up_to_the_cap_and_resets() {
        let mut c = Clock::new();
        let cfg = EngineConfig {
            breaker_threshold: 100,
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        let mut delays = Vec::new();
        for _ in 0..7 {
            poll(&mut e, &mut c, Err(down()));
            delays.push(e.next_poll_at() - c.now());
        }
        let bases = [5u64, 10, 20, 40, 60, 60, 60];
        for (d, base) in delays.iter().zip(bases) {
            let base = Duration::from_secs(base);
            let top = (base * 2).min(Duration::from_secs(60));
            assert!(
                *d >= base && *d <= top,
                "delay {d:?} outside [{base:?}, {top:?}] in {delays:?}"
            );
        }
        assert!(
            delays[..4].iter().any(|d| d.subsec_nanos() != 0),
            "jitter applied: {delays:?}"
        );
        // First success resets the backoff.
        poll(&mut e, &mut c, Ok(ready()));
        poll(&mut e, &mut c, Err(down()));
        let d = e.next_poll_at() - c.now();
        assert!(
            d >= Duration::from_secs(5) && d <= Duration::from_secs(10),
            "{d:?}"
        );
    }

    #[test]
    fn max_backoff_caps_the_delay() {
        let mut c = Clock::new();
        let cfg = EngineConfig {
            max_backoff: Duration::from_secs(8),
            breaker_threshold: 100,
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        for _ in 0..5 {
            poll(&mut e, &mut c, Err(down()));
            assert!(e.next_poll_at() - c.now() <= Duration::from_secs(8));
        }
    }

    #[test]
    fn retry_after_sets_the_delay() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        let f = Failure {
            kind: FailureKind::Http,
            message: "HTTP 429".into(),
            retry_after: Some(Duration::from_secs(42)),
            fatal: false,
        };
        poll(&mut e, &mut c, Err(f));
        assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(42));
    }

    #[test]
    fn answered_errors_wait_the_error_interval() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        let f = Failure {
            kind: FailureKind::Protocol,
            message: "bad json".into(),
            retry_after: None,
            fatal: false,
        };
        poll(&mut e, &mut c, Err(f));
        assert_eq!(e.next_poll_at() - c.now(), Duration::from_secs(15));
    }

    #[test]
    fn breaker_opens_probes_half_open_and_closes() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        for i in 1..=4 {
            let s = poll(&mut e, &mut c, Err(down()));
            assert!(!names(&s).contains(&"circuit"), "failure {i}");
        }
        let s = poll(&mut e, &mut c, Err(down()));
        assert_eq!(
            names(&s),
            vec!["circuit"],
            "same message: no repeated unreachable"
        );
        assert!(e.next_poll_at() - c.now() >= Duration::from_secs(60));
        // Nothing is sent before the recovery time.
        assert!(e
            .start_poll(c.now() + Duration::from_secs(59), c.wall())
            .is_none());
        // The probe fails: open again.
        let s = poll(&mut e, &mut c, Err(down()));
        assert_eq!(names(&s), vec!["circuit", "circuit"]);
        assert!(matches!(
            s.events[0].kind,
            EventKind::Circuit {
                state: CircuitState::HalfOpen,
                ..
            }
        ));
        assert!(matches!(
            s.events[1].kind,
            EventKind::Circuit {
                state: CircuitState::Open,
                ..
            }
        ));
        // The next probe succeeds: closed, recovered.
        let s = poll(&mut e, &mut c, Ok(ready()));
        assert_eq!(names(&s), vec!["circuit", "recovered", "circuit", "snapshot"]);
        assert!(matches!(
            s.events[2].kind,
            EventKind::Circuit {
                state: CircuitState::Closed,
                ..
            }
        ));
        assert!(matches!(
            s.events[1].kind,
            EventKind::Recovered {
                after_failures: 6,
                ..
            }
        ));
    }

    #[test]
    fn unreachable_is_reported_on_first_failure_and_when_it_changes() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        assert_eq!(names(&poll(&mut e, &mut c, Err(down()))), vec!["unreachable"]);
        assert!(names(&poll(&mut e, &mut c, Err(down()))).is_empty());
        let other = Failure {
            kind: FailureKind::Timeout,
            message: "no answer within 10s".into(),
            retry_after: None,
            fatal: false,
        };
        let s = poll(&mut e, &mut c, Err(other));
        assert!(matches!(
            s.events[0].kind,
            EventKind::Unreachable {
                consecutive_failures: 3,
                kind: "timeout",
                ..
            }
        ));
    }

    #[test]
    fn changes_are_detected_without_the_timestamp() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        assert_eq!(names(&poll(&mut e, &mut c, Ok(ready()))), vec!["snapshot"]);
        let mut same = ready();
        same.timestamp = Some("2025-01-19T10:31:00.123Z".into());
        same.available_commands.reverse();
        assert!(
            poll(&mut e, &mut c, Ok(same)).events.is_empty(),
            "timestamp and order are not changes"
        );

        let s = poll(
            &mut e,
            &mut c,
            Ok(st(KiroState::Busy, Some("kiro.generateCode"), &["a", "b"])),
        );
        assert_eq!(names(&s), vec!["status_changed", "command_started"]);
        c.at += Duration::from_secs(3);
        let s = poll(&mut e, &mut c, Ok(st(KiroState::Ready, None, &["a", "c"])));
        assert_eq!(
            names(&s),
            vec!["status_changed", "command_finished", "commands_changed"]
        );
        let EventKind::CommandFinished { duration_ms, .. } = &s.events[1].kind else {
            unreachable!()
        };
        assert_eq!(*duration_ms, 3000, "observed from first seen to first not seen");
        let EventKind::CommandsChanged {
            added,
            removed,
            count,
        } = &s.events[2].kind
        else {
            unreachable!()
        };
        assert_eq!(
            (added.clone(), removed.clone(), *count),
            (vec!["c".to_string()], vec!["b".to_string()], 2)
        );
        let mut v = st(KiroState::Ready, None, &["a", "c"]);
        v.version = Some("1.95.0".into());
        assert_eq!(names(&poll(&mut e, &mut c, Ok(v))), vec!["version_changed"]);
    }

    #[test]
    fn stall_is_reported_once_per_run() {
        let mut c = Clock::new();
        let cfg = EngineConfig {
            stall_after: Duration::from_secs(5),
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        let busy = st(KiroState::Busy, Some("x"), &["a"]);
        let mut stalls = 0;
        for _ in 0..10 {
            stalls += names(&poll(&mut e, &mut c, Ok(busy.clone())))
                .iter()
                .filter(|n| **n == "stall")
                .count();
        }
        assert_eq!(stalls, 1);
        assert!(
            e.last_seen(c.now()).starts_with("still busy running x for 18s"),
            "{}",
            e.last_seen(c.now())
        );
        // A new run of a command can stall again.
        poll(&mut e, &mut c, Ok(st(KiroState::Ready, None, &["a"])));
        for _ in 0..4 {
            stalls += names(&poll(&mut e, &mut c, Ok(busy.clone())))
                .iter()
                .filter(|n| **n == "stall")
                .count();
        }
        assert_eq!(stalls, 2);
    }

    #[test]
    fn never_two_polls_in_flight() {
        let c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        assert!(e.start_poll(c.now(), c.wall()).is_some());
        assert!(e.start_poll(c.now(), c.wall()).is_none());
        assert!(e
            .start_poll(c.now() + Duration::from_secs(3600), c.wall())
            .is_none());
        e.poll_now(c.now());
        assert!(e.in_flight());
        e.on_success(c.now(), c.wall(), Arc::new(ready()));
        assert!(!e.in_flight());
    }

    #[test]
    fn until_and_count_stop_the_watch() {
        let mut c = Clock::new();
        let cfg = EngineConfig {
            until: vec![UntilState::Ready],
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        assert_eq!(
            poll(&mut e, &mut c, Err(down())).stop,
            None,
            "unreachable is waited for"
        );
        assert_eq!(
            poll(&mut e, &mut c, Ok(st(KiroState::Unavailable, None, &[]))).stop,
            None
        );
        assert_eq!(
            poll(&mut e, &mut c, Ok(ready())).stop,
            Some(Stop::Until(UntilState::Ready))
        );

        let cfg = EngineConfig {
            until: vec![UntilState::Change],
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        assert_eq!(
            poll(&mut e, &mut c, Ok(ready())).stop,
            None,
            "the snapshot is not a change"
        );
        assert_eq!(poll(&mut e, &mut c, Ok(ready())).stop, None);
        assert_eq!(
            poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some("x"), &["a", "b"]))).stop,
            Some(Stop::Until(UntilState::Change))
        );

        let cfg = EngineConfig {
            count: Some(2),
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        assert_eq!(poll(&mut e, &mut c, Ok(ready())).stop, None);
        assert_eq!(poll(&mut e, &mut c, Err(down())).stop, Some(Stop::Count));
    }

    #[test]
    fn timeout_says_what_was_last_seen() {
        let mut c = Clock::new();
        let cfg = EngineConfig {
            timeout: Some(Duration::from_secs(120)),
            ..EngineConfig::default()
        };
        let mut e = engine(cfg, &c);
        assert_eq!(e.deadline(), Some(c.now() + Duration::from_secs(120)));
        poll(
            &mut e,
            &mut c,
            Ok(st(KiroState::Busy, Some("kiro.generateCode"), &["a"])),
        );
        assert_eq!(
            e.timed_out(c.now() + Duration::from_secs(119)),
            None,
            "not before the deadline"
        );
        let at = c.now() + Duration::from_secs(120);
        assert_eq!(
            e.timed_out(at).as_deref(),
            Some("timed out after 2m: still busy running kiro.generateCode for 2m")
        );
        let e2 = engine(EngineConfig::default(), &c);
        assert_eq!(e2.deadline(), None);
        assert_eq!(e2.timed_out(at + Duration::from_secs(9999)), None);
    }

    #[test]
    fn auth_failure_is_fatal() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        let f = Failure {
            kind: FailureKind::Http,
            message: "HTTP 401".into(),
            retry_after: None,
            fatal: true,
        };
        assert_eq!(
            poll(&mut e, &mut c, Err(f)).stop,
            Some(Stop::Fatal("HTTP 401".into()))
        );
    }

    #[test]
    fn history_is_bounded() {
        let mut c = Clock::new();
        let mut e = engine(
            EngineConfig {
                history: 3,
                ..EngineConfig::default()
            },
            &c,
        );
        for i in 0..10 {
            let cmd = format!("c{i}");
            poll(&mut e, &mut c, Ok(st(KiroState::Busy, Some(&cmd), &["a"])));
        }
        assert_eq!(e.history().count(), 3);
        assert!(
            matches!(&e.history().last().unwrap().kind, EventKind::CommandStarted { command } if command == "c9")
        );
    }

    #[test]
    fn resume_polls_at_once_unless_the_circuit_is_open() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        poll(&mut e, &mut c, Ok(ready()));
        e.poll_now(c.now());
        assert_eq!(e.next_poll_at(), c.now());
    }

    #[test]
    fn follow_completes_only_after_seeing_the_command() {
        let busy = st(KiroState::Busy, Some("kiro.generateCode"), &[]);
        let other = st(KiroState::Busy, Some("vscode.open"), &[]);
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(
            f.observe(&other),
            Verdict::Completed,
            "another command now: ours is done"
        );

        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(
            f.observe(&ready()),
            Verdict::NotYetSeen,
            "a spec bridge may lag a poll"
        );
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(f.observe(&ready()), Verdict::Completed);
        assert!(f.seen());
    }

    #[test]
    fn follow_never_seeing_the_command_is_unknown() {
        // The real bridge: always ready, never the command.
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(f.observe(&ready()), Verdict::NotYetSeen);
        assert_eq!(f.observe(&ready()), Verdict::Unknown);
        assert!(!f.seen());
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(
            f.observe(&st(KiroState::Busy, Some("other"), &[])),
            Verdict::NotYetSeen
        );
    }

    #[test]
    fn last_seen_says_what_was_seen() {
        let mut c = Clock::new();
        let mut e = engine(EngineConfig::default(), &c);
        assert_eq!(e.last_seen(c.now()), "no answer from the bridge yet");
        poll(&mut e, &mut c, Ok(ready()));
        c.at += Duration::from_secs(3);
        assert_eq!(e.last_seen(c.now()), "last seen ready 3s ago");
    }
}
