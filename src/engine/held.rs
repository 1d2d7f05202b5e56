//! `exec --wait` after a 408, by the connection the bridge answered on (pure; the I/O is
//! `client::pinned` and `exec`). The real bridge destroys that connection when the command
//! ends, provided it is kept busy: a cheap request on it every `PING_EVERY`, well inside the
//! 5 s after which the bridge closes an idle connection (BEHAVIOUR.md). A close is evidence of
//! the end only when it came while the connection was kept busy, and only when the bridge is
//! still there afterwards, the same server: `on_close` and `confirm` decide.

use std::time::{Duration, Instant};

/// How often the held connection gets a request: well inside the bridge's 5 s keep-alive.
pub const PING_EVERY: Duration = Duration::from_secs(2);

/// A close this long or longer after the last answer on the connection may be the bridge's
/// idle timer (5 s after its last answer; measured 5 to 6 s) or a stall of ours (the machine
/// or the process stopped, a ping late): not evidence. Pings answer within milliseconds, so a
/// close that ends the command comes at most about `PING_EVERY` after the last answer.
pub const EVIDENCE_WITHIN: Duration = Duration::from_secs(4);

/// The real bridge's own limit on a command: after it the bridge abandons the command (frees
/// its slot, and closes the held connection) while Kiro may still be running it.
pub const COMMAND_LIMIT: Duration = Duration::from_secs(5 * 60);

/// An end seen within this of `COMMAND_LIMIT` after the POST is the bridge abandoning it.
pub const LIMIT_SLACK: Duration = Duration::from_secs(5);

/// Two estimates of the bridge's start (from its uptime) further apart than this: a new
/// server answers (uptime is whole seconds on the simulator, and a round trip apart).
const RESTART_SLACK: Duration = Duration::from_millis(1500);

/// The held connection, as far as policy goes: when the command was sent, the last answer on
/// it, what the bridge said of its own uptime.
#[derive(Debug, Clone)]
pub struct Hold {
    posted: Instant,
    last_answer: Instant,
    /// When the last ping was sent: one that failed is not sent again at once.
    last_ping: Option<Instant>,
    /// The bridge's start as its last ping placed it (the ping's moment less its uptime).
    started: Option<Instant>,
    /// An answer said `Connection: close`.
    announced: bool,
    command_limit: Duration,
}

/// What a close of the held connection means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// Closed while kept busy: the command ended, `took` after the POST (to be confirmed: the
    /// bridge may have gone away).
    Ended { took: Duration },
    /// Closed at the bridge's own command limit: it abandoned the command.
    Abandoned { took: Duration },
    /// Closed `idle` after the last answer on it: its idle timer or a stall of ours, not the
    /// command's end.
    Late { idle: Duration },
    /// The server had said it would close it.
    Announced,
}

/// What the bridge said on a fresh connection after the close.
#[derive(Debug, Clone, PartialEq)]
pub enum Fresh {
    /// `/health` answered at `at`, with the uptime it gave.
    Answered { at: Instant, uptime: Option<f64> },
    /// No answer: refused, reset, timed out; what happened.
    Failed(String),
}

/// Whether a close is the command's end, after asking the bridge afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Yes,
    /// The bridge is gone (its process ended, or the machine): what the fresh request met.
    WentAway(String),
    /// Another server answers: the bridge restarted, which also closes the connection.
    Restarted,
}

impl Hold {
    /// The connection held from `answered` (the 408), for an execute sent at `posted`.
    pub fn new(posted: Instant, answered: Instant, command_limit: Duration) -> Hold {
        Hold {
            posted,
            last_answer: answered,
            last_ping: None,
            started: None,
            announced: false,
            command_limit,
        }
    }

    /// When the next ping is due: `PING_EVERY` after the last answer, and never sooner than
    /// that after the last ping (one that failed, a bridge that answers pings with nonsense,
    /// does not make them a busy loop).
    pub fn next_ping(&self) -> Instant {
        self.last_answer.max(self.last_ping.unwrap_or(self.last_answer)) + PING_EVERY
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
        if idle >= EVIDENCE_WITHIN {
            return Close::Late { idle };
        }
        let took = at.saturating_duration_since(self.posted);
        let limit = self.command_limit;
        if took + LIMIT_SLACK >= limit && took <= limit + LIMIT_SLACK {
            Close::Abandoned { took }
        } else {
            Close::Ended { took }
        }
    }

    /// Whether the close was the command's end, from what the bridge answers afresh.
    pub fn confirm(&self, fresh: &Fresh) -> Confirmed {
        match fresh {
            Fresh::Failed(what) => Confirmed::WentAway(what.clone()),
            Fresh::Answered { at, uptime } => match (self.started, start_of(*at, *uptime)) {
                (Some(before), Some(now)) if now > before + RESTART_SLACK => Confirmed::Restarted,
                _ => Confirmed::Yes,
            },
        }
    }
}

/// The bridge's start, from its uptime given at `at`.
fn start_of(at: Instant, uptime: Option<f64>) -> Option<Instant> {
    let up = Duration::try_from_secs_f64(uptime?).ok()?;
    at.checked_sub(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    /// A hold for an execute sent at `t0`, answered 408 at t0 + 30 s.
    fn held(t0: Instant) -> Hold {
        Hold::new(t0, t0 + 30 * S, COMMAND_LIMIT)
    }

    #[test]
    fn pings_are_due_every_two_seconds_after_the_last_answer() {
        let t0 = Instant::now();
        let mut h = held(t0);
        assert_eq!(h.next_ping(), t0 + 32 * S);
        h.answered(t0 + 32 * S + Duration::from_millis(3), Some(100.0), false);
        assert_eq!(h.next_ping(), t0 + 34 * S + Duration::from_millis(3));
        assert!(
            PING_EVERY * 2 < EVIDENCE_WITHIN + S,
            "well inside the 5 s keep-alive"
        );
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
            h.on_close(t0 + 30 * S + Duration::from_millis(500)),
            Close::Ended {
                took: 30 * S + Duration::from_millis(500)
            }
        );
    }

    #[test]
    fn a_close_long_after_the_last_answer_is_not_evidence() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 40 * S, None, false);
        // The idle timer (a ping that came late), or a stall of ours.
        assert_eq!(h.on_close(t0 + 45 * S), Close::Late { idle: 5 * S });
        assert_eq!(h.on_close(t0 + 44 * S), Close::Late { idle: 4 * S });
        assert_eq!(
            h.on_close(t0 + 44 * S - Duration::from_millis(1)),
            Close::Ended {
                took: 44 * S - Duration::from_millis(1)
            }
        );
    }

    #[test]
    fn a_close_the_server_announced_says_nothing() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 32 * S, None, true);
        assert_eq!(h.on_close(t0 + 32 * S), Close::Announced);
    }

    #[test]
    fn a_close_at_the_bridges_command_limit_is_it_abandoning_the_command() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 299 * S, None, false);
        assert_eq!(
            h.on_close(t0 + 300 * S + Duration::from_millis(20)),
            Close::Abandoned {
                took: 300 * S + Duration::from_millis(20)
            }
        );
        assert_eq!(h.on_close(t0 + 296 * S), Close::Abandoned { took: 296 * S });
        let mut h2 = held(t0);
        h2.answered(t0 + 293 * S, None, false);
        assert_eq!(h2.on_close(t0 + 294 * S), Close::Ended { took: 294 * S });
        // A scaled-down limit (the simulator's).
        let mut h = Hold::new(t0, t0 + S, 3 * S);
        h.answered(t0 + 2 * S, None, false);
        assert!(matches!(h.on_close(t0 + 3 * S), Close::Abandoned { .. }));
    }

    #[test]
    fn a_bridge_gone_or_restarted_after_the_close_is_not_an_end() {
        let t0 = Instant::now();
        let mut h = held(t0);
        h.answered(t0 + 40 * S, Some(100.0), false);
        assert_eq!(
            h.confirm(&Fresh::Failed("Connection refused".into())),
            Confirmed::WentAway("Connection refused".into())
        );
        // The same server: its start stays where it was (whole seconds, a round trip apart).
        let same = Fresh::Answered {
            at: t0 + 43 * S,
            uptime: Some(102.0),
        };
        assert_eq!(h.confirm(&same), Confirmed::Yes);
        let restarted = Fresh::Answered {
            at: t0 + 43 * S,
            uptime: Some(0.0),
        };
        assert_eq!(h.confirm(&restarted), Confirmed::Restarted);
        // Nothing said of uptime: the answer is all there is to go by.
        let silent = Fresh::Answered {
            at: t0 + 43 * S,
            uptime: None,
        };
        assert_eq!(h.confirm(&silent), Confirmed::Yes);
    }
}
