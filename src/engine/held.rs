//! `exec --wait` after a 408, by the connection the bridge answered on (pure; the I/O is
//! `client::pinned` and `driver`). The real bridge destroys that connection when the command
//! ends, provided it is kept busy: a cheap request on it well inside the server's own idle
//! timer (`Keep-Alive: timeout=N` on the 408; 5 s on the real bridge, BEHAVIOUR.md).
//!
//! What a close proves, and what it does not (the follower, `follow.rs`, holds it against the
//! status too):
//! - closed while kept busy, the same server healthy afterwards (its start, from `/health`'s
//!   uptime before the POST and on every ping, where it was): the command ended;
//! - closed late (longer after the last answer than pings allow): its idle timer, a proxy's,
//!   or a stall of ours: nothing;
//! - announced (`Connection: close`): nothing;
//! - closed, and afterwards nothing answers, another server answers (a restart), the server
//!   says it is unhealthy or not running, or its start was never known: unconfirmed, nothing.

use std::time::{Duration, Instant};

/// How often the held connection gets a request when the server names no idle timer: well
/// inside the real bridge's 5 s keep-alive. Never more often than `PING_FLOOR`.
pub const PING_EVERY: Duration = Duration::from_secs(2);

/// The most often a ping goes, whatever idle timer the server names.
pub const PING_FLOOR: Duration = Duration::from_millis(500);

/// A close this long or longer after the last answer on the connection may be the bridge's
/// idle timer (5 s after its last answer; measured 5 to 6 s) or a stall of ours (the machine
/// or the process stopped, a ping late): not evidence. Pings answer within milliseconds, so a
/// close that ends the command comes at most about one ping's interval after the last answer.
pub const EVIDENCE_WITHIN: Duration = Duration::from_secs(4);

/// Two estimates of the bridge's start (from its uptime) further apart than this: a new
/// server answers (uptime is whole seconds on the simulator, and a round trip apart).
const RESTART_SLACK: Duration = Duration::from_millis(1500);

/// The held connection, as far as policy goes: when the command was sent, the last answer on
/// it, what the bridge said of its own uptime, how often it must be kept busy.
#[derive(Debug, Clone)]
pub struct HoldPolicy {
    posted: Instant,
    last_answer: Instant,
    /// When the last ping was sent: one that failed is not sent again at once.
    last_ping: Option<Instant>,
    /// The bridge's start as `/health` placed it (before the POST, then on every ping): the
    /// moment less its uptime.
    started: Option<Instant>,
    /// An answer said `Connection: close`.
    announced: bool,
    /// How often a ping goes.
    every: Duration,
    /// A close later than this after the last answer is late.
    evidence: Duration,
}

/// What a close of the held connection means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// Closed while kept busy: the command ended, `took` after the POST (to be confirmed: the
    /// bridge may have gone away or restarted).
    Ended { took: Duration },
    /// Closed `idle` after the last answer on it: its idle timer or a stall of ours, not the
    /// command's end.
    Late { idle: Duration },
    /// The server had said it would close it.
    Announced,
}

/// What the bridge said on a fresh connection after the close.
#[derive(Debug, Clone, PartialEq)]
pub enum Fresh {
    /// `/health` answered at `at`, with the uptime it gave; `healthy`: it said `healthy` and
    /// its server running.
    Answered {
        at: Instant,
        uptime: Option<f64>,
        healthy: bool,
    },
    /// No answer: refused, reset, timed out; what happened.
    Failed(String),
    /// The bridge rejected the key (401/403): its words.
    Rejected(String),
}

impl Fresh {
    /// `/health` answered `h` at `at`: healthy only when it says `healthy` and its server
    /// running.
    pub fn answered(at: Instant, h: &crate::model::Health) -> Fresh {
        Fresh::Answered {
            at,
            uptime: h.server.uptime,
            healthy: h.status == crate::model::HealthState::Healthy && h.server.running,
        }
    }

    /// `/health` failed: the key rejected, or no answer at all.
    pub fn failed(e: &crate::error::BridgeError) -> Fresh {
        match e.kind() {
            crate::error::FailureKind::Auth => Fresh::Rejected(e.short()),
            _ => Fresh::Failed(e.short()),
        }
    }
}

/// Whether a close is the command's end, after asking the bridge afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Yes,
    /// The bridge is gone (its process ended, or the machine): what the fresh request met.
    WentAway(String),
    /// Another server answers: the bridge restarted, which also closes the connection.
    Restarted,
    /// The bridge rejected the key when asked afresh: its words.
    Rejected(String),
    /// The bridge says it is not healthy, or its server not running.
    Unhealthy,
    /// Its uptime was not known before the close (or not given after), so a restart could not
    /// be told from an end.
    Unknowable,
}

impl HoldPolicy {
    /// The connection held from `answered` (the 408), for an execute sent at `posted`;
    /// `keep_alive`: the idle timer the 408's `Keep-Alive: timeout=N` named; `started`: the
    /// bridge's start as `/health` placed it before the POST.
    pub fn new(
        posted: Instant,
        answered: Instant,
        keep_alive: Option<Duration>,
        started: Option<Instant>,
    ) -> HoldPolicy {
        let (every, evidence) = match keep_alive {
            Some(n) => {
                let every = (n * 2 / 5).clamp(PING_FLOOR, PING_EVERY);
                (every, (every * 2).min(n).max(every + PING_FLOOR / 2))
            }
            None => (PING_EVERY, EVIDENCE_WITHIN),
        };
        HoldPolicy {
            posted,
            last_answer: answered,
            last_ping: None,
            started,
            announced: false,
            every,
            evidence,
        }
    }

    /// How often a ping goes.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// When the next ping is due: one interval after the last answer, and never sooner than
    /// that after the last ping (one that failed, a bridge that answers pings with nonsense,
    /// does not make them a busy loop).
    pub fn next_ping(&self) -> Instant {
        self.last_answer.max(self.last_ping.unwrap_or(self.last_answer)) + self.every
    }

    /// A ping was sent at `at`.
    pub fn pinged(&mut self, at: Instant) {
        self.last_ping = Some(at);
    }

    /// A ping was answered at `at`; `uptime`: what the bridge said of itself; `closing`: the
    /// answer said `Connection: close`.
    pub fn answered(&mut self, at: Instant, uptime: Option<f64>, closing: bool) {
        self.last_answer = self.last_answer.max(at);
        self.announced |= closing;
        if let Some(started) = start_of(at, uptime) {
            self.started = Some(started);
        }
    }

    /// The connection was seen closed at `at`.
    pub fn on_close(&self, at: Instant) -> Close {
        if self.announced {
            return Close::Announced;
        }
        let idle = at.saturating_duration_since(self.last_answer);
        if idle >= self.evidence {
            return Close::Late { idle };
        }
        Close::Ended {
            took: at.saturating_duration_since(self.posted),
        }
    }

    /// Whether the close was the command's end, from what the bridge answers afresh.
    pub fn confirm(&self, fresh: &Fresh) -> Confirmed {
        match fresh {
            Fresh::Failed(what) => Confirmed::WentAway(what.clone()),
            Fresh::Rejected(what) => Confirmed::Rejected(what.clone()),
            Fresh::Answered { healthy: false, .. } => Confirmed::Unhealthy,
            Fresh::Answered { at, uptime, .. } => match (self.started, start_of(*at, *uptime)) {
                (Some(before), Some(now)) if now > before + RESTART_SLACK => Confirmed::Restarted,
                (Some(_), Some(_)) => Confirmed::Yes,
                _ => Confirmed::Unknowable,
            },
        }
    }
}

/// The bridge's start, from its uptime given at `at`.
pub fn start_of(at: Instant, uptime: Option<f64>) -> Option<Instant> {
    let up = Duration::try_from_secs_f64(uptime?).ok()?;
    at.checked_sub(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);
    const MS: Duration = Duration::from_millis(1);

    /// A hold for an execute sent at `t0`, answered 408 at t0 + 30 s, by a bridge up 100 s at
    /// the POST, which named no idle timer.
    fn held(t0: Instant) -> HoldPolicy {
        HoldPolicy::new(t0, t0 + 30 * S, None, start_of(t0, Some(100.0)))
    }

    #[test]
    fn pings_are_due_every_two_seconds_after_the_last_answer() {
        let t0 = Instant::now();
        let mut h = held(t0);
        assert_eq!(h.next_ping(), t0 + 32 * S);
        h.answered(t0 + 32 * S + 3 * MS, Some(132.0), false);
        assert_eq!(h.next_ping(), t0 + 34 * S + 3 * MS);
        assert!(
            PING_EVERY * 2 < EVIDENCE_WITHIN + S,
            "well inside the 5 s keep-alive"
        );
    }

    #[test]
    fn the_servers_idle_timer_sets_the_pace_within_bounds() {
        let t0 = Instant::now();
        // (Keep-Alive: timeout=N, ping every, a close later than this is late)
        for (n, every, evidence) in [
            (S, 500 * MS, S),
            (5 * S, 2 * S, 4 * S),
            (2 * S, 800 * MS, 1600 * MS),
            (60 * S, 2 * S, 4 * S),
            (Duration::ZERO, 500 * MS, 750 * MS),
        ] {
            let h = HoldPolicy::new(t0, t0, Some(n), None);
            assert_eq!((h.every(), h.evidence), (every, evidence), "timeout={n:?}");
            assert!(h.every() >= PING_FLOOR);
            assert_eq!(h.on_close(t0 + evidence), Close::Late { idle: evidence });
        }
        let h = HoldPolicy::new(t0, t0 + 30 * S, Some(S), None);
        assert_eq!(h.next_ping(), t0 + 30 * S + 500 * MS);
        assert!(matches!(h.on_close(t0 + 30 * S + 900 * MS), Close::Ended { .. }));
    }

    #[test]
    fn a_close_while_kept_busy_is_the_end_seen_from_the_post() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 44 * S, None, false);
        assert_eq!(h.on_close(t0 + 45 * S), Close::Ended { took: 45 * S });
        // Right after the 408, before any ping.
        let h = held(t0);
        assert_eq!(
            h.on_close(t0 + 30 * S + 500 * MS),
            Close::Ended {
                took: 30 * S + 500 * MS
            }
        );
        // However long the command: no limit of the bridge's makes a close mean more.
        let mut h = held(t0);
        h.answered(t0 + 299 * S, None, false);
        assert_eq!(h.on_close(t0 + 300 * S), Close::Ended { took: 300 * S });
    }

    #[test]
    fn a_close_long_after_the_last_answer_is_not_evidence() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 40 * S, None, false);
        // The idle timer (a ping that came late), or a stall of ours.
        assert_eq!(h.on_close(t0 + 45 * S), Close::Late { idle: 5 * S });
        assert_eq!(h.on_close(t0 + 44 * S), Close::Late { idle: 4 * S });
        assert_eq!(h.on_close(t0 + 44 * S - MS), Close::Ended { took: 44 * S - MS });
    }

    #[test]
    fn a_close_the_server_announced_says_nothing() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 32 * S, None, true);
        assert_eq!(h.on_close(t0 + 32 * S), Close::Announced);
    }

    /// What asking afresh after a close confirms, as a table.
    #[test]
    fn only_the_same_healthy_server_confirms_an_end() {
        let t0 = Instant::now();
        let at = t0 + 43 * S;
        let fresh = |uptime: Option<f64>, healthy| Fresh::Answered { at, uptime, healthy };
        let unknown_start = HoldPolicy::new(t0, t0 + 30 * S, None, None);
        let mut pinged_only = HoldPolicy::new(t0, t0 + 30 * S, None, None);
        pinged_only.answered(t0 + 40 * S, Some(140.0), false);
        for (hold, fresh, confirmed) in [
            // The same server: its start stays where it was (whole seconds, a round trip apart).
            (held(t0), fresh(Some(143.0), true), Confirmed::Yes),
            (held(t0), fresh(Some(142.0), true), Confirmed::Yes),
            (pinged_only.clone(), fresh(Some(143.0), true), Confirmed::Yes),
            // A new server (before any ping, too: the start was taken before the POST).
            (held(t0), fresh(Some(0.0), true), Confirmed::Restarted),
            (held(t0), fresh(Some(40.0), true), Confirmed::Restarted),
            (held(t0), fresh(Some(143.0), false), Confirmed::Unhealthy),
            (held(t0), fresh(None, false), Confirmed::Unhealthy),
            // Nothing to compare: a restart cannot be told from an end.
            (held(t0), fresh(None, true), Confirmed::Unknowable),
            (unknown_start, fresh(Some(0.0), true), Confirmed::Unknowable),
            (
                held(t0),
                Fresh::Failed("Connection refused".into()),
                Confirmed::WentAway("Connection refused".into()),
            ),
            (
                held(t0),
                Fresh::Rejected("HTTP 401".into()),
                Confirmed::Rejected("HTTP 401".into()),
            ),
        ] {
            assert_eq!(hold.confirm(&fresh), confirmed, "{fresh:?}");
        }
        // From what /health said: `healthy` and running, or a key rejected.
        let health = |body: &str| serde_json::from_str::<crate::model::Health>(body).unwrap();
        let down = health(r#"{"status":"unhealthy","server":{"running":false,"uptime":143}}"#);
        let idle = health(r#"{"status":"healthy","server":{"running":false,"uptime":143}}"#);
        let up = health(r#"{"status":"healthy","server":{"running":true,"uptime":143}}"#);
        assert_eq!(
            held(t0).confirm(&Fresh::answered(at, &down)),
            Confirmed::Unhealthy
        );
        assert_eq!(
            held(t0).confirm(&Fresh::answered(at, &idle)),
            Confirmed::Unhealthy
        );
        assert_eq!(held(t0).confirm(&Fresh::answered(at, &up)), Confirmed::Yes);
        let auth = crate::error::BridgeError::Auth {
            url: "u".into(),
            status: 401,
            message: "Valid API key required".into(),
        };
        assert!(matches!(Fresh::failed(&auth), Fresh::Rejected(_)));
    }
}
