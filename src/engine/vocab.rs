//! The engine's vocabulary: what it runs with (`EngineConfig`, `Goal`), what it is told
//! (`Failure`, `Received`) and what it says (`Reaction`, `End`, `Counters`, `LastSeen`, the
//! summary event).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::FailureKind;
use crate::events::{Event, EventKind};
use crate::model::{KiroState, KiroStatus};
use crate::platform::Sig;
use crate::units::ms;

use super::schedule::Backoff;

/// What a wait waits for: `watch --until` (any of several) and `kiro_wait`'s `until`, parsed
/// the same way (`"ready"`, `"available:kiro.x"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    Ready,
    Busy,
    Unavailable,
    /// Any change after the first state seen.
    Change,
    /// The bridge offers this command (`available:ID`).
    Available(Arc<str>),
    /// The bridge no longer offers this command (`missing:ID`).
    Missing(Arc<str>),
}

impl Goal {
    /// Does a bridge whose last answer was `status` (None: not answering) meet this?
    /// `changed`: a change of it was reported. The one check of a goal, for the fleet's roster
    /// and for `kiro_wait`.
    pub fn holds(&self, status: Option<&KiroStatus>, changed: bool) -> bool {
        let state = status.map(|s| s.status);
        match self {
            Goal::Ready => state == Some(KiroState::Ready),
            Goal::Busy => state == Some(KiroState::Busy),
            Goal::Unavailable => state == Some(KiroState::Unavailable),
            Goal::Change => changed,
            Goal::Available(id) => offers(status, id),
            Goal::Missing(id) => lacks(status, id),
        }
    }

    /// The command it waits on, and whether it is wanted offered, for a timeout's words.
    pub fn command(&self) -> Option<(&str, bool)> {
        match self {
            Goal::Available(id) => Some((id, true)),
            Goal::Missing(id) => Some((id, false)),
            _ => None,
        }
    }
}

/// As given: `ready`, `available:kiro.x`.
impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Goal::Ready => f.write_str("ready"),
            Goal::Busy => f.write_str("busy"),
            Goal::Unavailable => f.write_str("unavailable"),
            Goal::Change => f.write_str("change"),
            Goal::Available(id) => write!(f, "available:{id}"),
            Goal::Missing(id) => write!(f, "missing:{id}"),
        }
    }
}

impl std::str::FromStr for Goal {
    type Err = String;

    /// `ready`, `busy`, `unavailable`, `change` (any case), `available:ID` or `missing:ID`.
    fn from_str(s: &str) -> Result<Goal, String> {
        let id = |rest: &str| {
            let rest = rest.trim();
            match rest.is_empty() || rest.chars().any(char::is_control) {
                true => Err("a command id follows the colon (available:kiro.generateCode)".to_owned()),
                false => Ok(Arc::<str>::from(rest)),
            }
        };
        if let Some(rest) = s.strip_prefix("available:") {
            return id(rest).map(Goal::Available);
        }
        if let Some(rest) = s.strip_prefix("missing:") {
            return id(rest).map(Goal::Missing);
        }
        match s.to_ascii_lowercase().as_str() {
            "ready" => Ok(Goal::Ready),
            "busy" => Ok(Goal::Busy),
            "unavailable" => Ok(Goal::Unavailable),
            "change" => Ok(Goal::Change),
            _ => Err("expected ready, busy, unavailable, change, available:ID or missing:ID".to_owned()),
        }
    }
}

/// Does the bridge whose last answer was `status` offer this command?
fn offers(status: Option<&KiroStatus>, id: &str) -> bool {
    status.is_some_and(|s| s.available_commands.iter().any(|c| c == id))
}

/// Did the bridge answer, without this command? (Not answering is not lacking it.)
fn lacks(status: Option<&KiroStatus>, id: &str) -> bool {
    status.is_some() && !offers(status, id)
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
    /// Stop after this many polls (`--count`).
    pub count: Option<u64>,
    /// Fixed seed for the jitter (tests); None picks a random one.
    pub jitter_seed: Option<u64>,
}

/// The engine's defaults, written once: `--help` shows them from here (`cli::PollArgs`).
pub const DEFAULTS: EngineConfig = EngineConfig {
    interval_ready: Duration::from_secs(10),
    interval_busy: Duration::from_secs(2),
    interval_unavailable: Duration::from_secs(30),
    interval_error: Duration::from_secs(15),
    backoff_base: Duration::from_secs(5),
    max_backoff: Duration::from_secs(60),
    breaker_threshold: 5,
    breaker_recovery: Duration::from_secs(60),
    stall_after: Duration::from_secs(15 * 60),
    count: None,
    jitter_seed: None,
};

impl Default for EngineConfig {
    fn default() -> Self {
        DEFAULTS
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

    pub(super) fn backoff(&self) -> Backoff {
        Backoff {
            base: self.backoff_base,
            max: self.max_backoff,
            threshold: self.breaker_threshold,
            recovery: self.breaker_recovery,
            jitter_seed: self.jitter_seed,
        }
    }

    pub(super) fn interval(&self, state: KiroState) -> Duration {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// `--until` reached: exit 0.
    Until(Goal),
    /// `--count` polls done: exit 0 when any was answered.
    Count,
    /// Authentication rejected: exit 4.
    Fatal,
    /// `--timeout` ran out.
    TimedOut,
    /// Ctrl-C, SIGTERM or SIGHUP.
    Signal(Sig),
    /// The reader of stdout went away (`| head -1`): exit 0, quietly.
    Closed,
}

impl End {
    /// The summary's `reason`.
    pub fn reason(&self) -> String {
        match self {
            End::Until(u) => format!("until {u}"),
            End::Count => "count reached".into(),
            End::Fatal => "authentication rejected".into(),
            End::TimedOut => "timed out".into(),
            End::Signal(sig) => Halt::Signal(*sig).reason().into(),
            End::Closed => "stdout closed".into(),
        }
    }
}

/// What ends a wait before its answer: a signal, (over MCP) the call's cancellation, or the
/// wait's deadline. The one type a signal travels in from the stops to the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    Signal(Sig),
    Cancelled,
    TimedOut,
}

impl Halt {
    /// In a few words, for a summary's `reason` and a log line.
    pub fn reason(self) -> &'static str {
        match self {
            Halt::Signal(Sig::Interrupt) => "interrupted",
            Halt::Signal(Sig::Hangup) => "hung up",
            Halt::Signal(_) => "terminated",
            Halt::Cancelled => "cancelled",
            Halt::TimedOut => "timed out",
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

/// The `summary` event of these counters over `took` (one engine's, or a fleet's sums).
pub fn summary(c: Counters, took: Duration, wall: SystemTime, end: &End) -> Event {
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
            hooks: None,
        },
    }
}
