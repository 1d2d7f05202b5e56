//! How an `exec` ends: pure decisions from the bridge's typed answer (and, after the answer was
//! lost, from what following its status showed) to an `Outcome` and its exit code. The words
//! are `output::exec`'s; here only what happened, typed.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;

use super::Halt;
use super::LastSeen;
use crate::error::{bridge_ending, BridgeError, Ending};
use crate::model::{ExecAnswer, ExecuteResponse, Unheld};

/// The `outcome` of `exec --json` and of MCP's `kiro_exec`, one per way an exec can end: its
/// serialized names are the JSON's, its schema is the MCP tool's. (Plain comments on the
/// variants: a described variant would make the schema a `oneOf`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum Outcome {
    Succeeded,
    // It ran and failed.
    Failed,
    // HTTP 422: turned away before it started (exit 1, as a failure).
    NotStarted,
    // Its end was seen (through the status, or by the connection the bridge answered on) but
    // its result was not returned.
    Completed,
    Unknown,
    TimedOut,
    // A signal, or the MCP call's cancellation, ended the wait (which: `Why::Interrupted`).
    Interrupted,
    Unavailable,
    Rejected,
    Unauthorized,
    Unreachable,
    // Not ended yet: MCP's kiro_exec without wait, whose answer did not come at once (its job
    // follows it). No decision has it.
    Running,
}

impl Outcome {
    /// Its name in the JSON (`serde` writes the same; a test holds them together).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::NotStarted => "not_started",
            Outcome::Completed => "completed",
            Outcome::Unknown => "unknown",
            Outcome::TimedOut => "timed_out",
            Outcome::Interrupted => "interrupted",
            Outcome::Unavailable => "unavailable",
            Outcome::Rejected => "rejected",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Unreachable => "unreachable",
            Outcome::Running => "running",
        }
    }

    /// Did the command do what was asked, as far as anyone can tell (an end seen without its
    /// result counts, as `exec` without `--exit-status` counts it)?
    pub fn ok(self) -> bool {
        matches!(self, Outcome::Succeeded | Outcome::Completed)
    }

    /// How the program ends on it; `strict` (`exec --exit-status`): an end seen without its
    /// result is its own ending; `halt`: what interrupted it. None: a cancellation over MCP,
    /// which ends no program, or no end yet.
    fn ending(self, strict: bool, halt: Option<Halt>) -> Option<Ending> {
        Some(match self {
            Outcome::Completed if strict => Ending::ResultUnknown,
            Outcome::Succeeded | Outcome::Completed => Ending::Done,
            Outcome::Failed | Outcome::NotStarted => Ending::CommandFailed,
            Outcome::Rejected => Ending::Usage,
            Outcome::Unreachable => Ending::Unreachable,
            Outcome::Unauthorized => Ending::Auth,
            Outcome::Unavailable => Ending::Unavailable,
            Outcome::Unknown => Ending::OutcomeUnknown,
            Outcome::TimedOut => Ending::TimedOut,
            Outcome::Interrupted => match halt? {
                Halt::Signal(sig) => Ending::Signal(sig),
                Halt::Cancelled => return None,
                // The deadline is `Outcome::TimedOut`'s; said here so every halt has its code.
                Halt::TimedOut => Ending::TimedOut,
            },
            Outcome::Running => return None,
        })
    }
}

/// How the answer was lost, when it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// HTTP 408 after this long, with the bridge's words.
    GaveUp { after: Duration, message: String },
    /// The connection broke after sending: what broke.
    Connection(String),
}

/// How a command's end was seen: `observedBy` in `exec --json` and MCP's `kiro_exec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum Sign {
    // The bridge's answer said how it went.
    Response,
    // After the answer was lost: the status showed it running, then not.
    Status,
    // After the answer was lost: the bridge closed the connection it answered 408 on, kept
    // busy until then.
    Connection,
}

impl Sign {
    /// Its name in the JSON and the job store (`serde` writes the same).
    pub fn name(self) -> &'static str {
        match self {
            Sign::Response => "response",
            Sign::Status => "status",
            Sign::Connection => "connection",
        }
    }
}

/// Why the connection the bridge answered on could not show the command's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untold {
    /// It was not held: https, a proxy, or closed with the answer.
    NotHeld(Unheld),
    /// It closed `idle` after its last answer: the bridge's idle timer or a stall of ours,
    /// not the command's end.
    Late { idle: Duration },
    /// It closed and the bridge no longer answers: what a fresh request met.
    WentAway(String),
    /// It closed and another server answers: the bridge restarted.
    Restarted,
    /// It closed, and asked afresh the bridge rejected the key: its words.
    Rejected(String),
    /// It closed and the bridge says it is not healthy (or its server not running).
    Unhealthy,
    /// It closed, and the bridge's uptime was not known from before, so a restart could not be
    /// told from the command's end.
    Unknowable,
    /// It closed while the status still showed the command running: the status decides.
    Contradicted,
    /// A request on it went unanswered for `after` (`--request-timeout`): a frozen bridge, or
    /// a path that lost it. kiro-poll let go of it.
    Silent { after: Duration },
    /// The bridge answered a ping on it with something unreadable: what. kiro-poll let go
    /// of it, so its close says nothing.
    Garbled(String),
}

/// What the status showed of a followed command whose end it could not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Never shown running (the real bridge never reports busy).
    Never,
    /// Kiro unavailable; `seen`: after the command had been shown running.
    Unavailable { seen: bool },
    /// Another command current (`Some`), or neither ours nor Kiro `ready` with no command (busy
    /// with none named, or `ready` still naming ours): a bridge that runs several commands at
    /// once cannot show whether this one ended.
    Other(Option<String>),
    /// Last shown running; then neither the status nor the connection could tell more.
    Running,
}

/// Why an exec ended the way it did (rendered by `output::exec`).
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// Success: nothing to explain.
    Done,
    /// After the answer was lost, its end was seen `took` after the POST.
    SeenEnding { by: Sign, took: Duration },
    /// The bridge said the command failed: its words.
    CommandFailed(String),
    /// HTTP 422: the bridge turned the command away before it started (the real bridge: its
    /// limit of concurrent commands); its words.
    NotStarted(String),
    /// The bridge refused the request: its words.
    Rejected(String),
    /// The bridge answered the execute request with something unreadable (over 4 MiB, not
    /// JSON): the command may have run.
    Unreadable(BridgeError),
    /// No answer within `--request-timeout` (no `--wait`): it may still be running.
    NoAnswer { limit: Duration },
    /// With `--wait`: no answer within `--timeout`.
    WaitedOut { limit: Duration },
    /// The answer was lost and `--wait` was not given.
    LostWithoutWait(Lost),
    /// The answer was lost, the status could not show the command's end (`shown`: what it
    /// showed), and the connection could not tell it either (`conn`: why).
    EndUnseen { lost: Lost, shown: Shown, conn: Untold },
    /// `--timeout` ran out while following; what the status last showed of the command, when
    /// it ever showed it; `held`: the connection the bridge answered on was still open (so the
    /// command was still running).
    FollowedOut {
        limit: Duration,
        lost: Lost,
        seen: Option<LastSeen>,
        held: bool,
    },
    /// A signal, the MCP call's cancellation (or the deadline) ended the wait.
    Interrupted(Halt),
    /// The bridge failed us: unreachable, unavailable, key rejected, nonsense.
    Bridge(BridgeError),
}

/// How an exec ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    /// The bridge's answer, when it gave one.
    pub response: Option<ExecuteResponse>,
    /// What showed the end; None when nothing did.
    pub observed_by: Option<Sign>,
    pub why: Why,
    /// How long after the POST its end was seen, when it was seen without the answer.
    pub seen: Option<Duration>,
    /// It was followed past the bridge's 5-minute limit, when the bridge frees the command's
    /// slot while Kiro may still run it.
    pub slot_freed: bool,
}

impl Decision {
    /// An ending with neither the bridge's answer nor a sighting in the status behind it.
    pub fn new(outcome: Outcome, why: Why) -> Decision {
        Decision {
            outcome,
            response: None,
            observed_by: None,
            why,
            seen: None,
            slot_freed: false,
        }
    }

    /// The bridge failed us.
    pub fn bridge(e: BridgeError) -> Decision {
        let outcome = match bridge_ending(&e) {
            Ending::Auth => Outcome::Unauthorized,
            Ending::Unavailable => Outcome::Unavailable,
            _ => Outcome::Unreachable,
        };
        Decision::new(outcome, Why::Bridge(e))
    }

    pub fn interrupted(by: Halt) -> Decision {
        Decision::new(Outcome::Interrupted, Why::Interrupted(by))
    }

    /// Its end seen `took` after the POST, its result not returned.
    pub fn completed(by: Sign, took: Duration) -> Decision {
        Decision {
            observed_by: Some(by),
            seen: Some(took),
            ..Decision::new(Outcome::Completed, Why::SeenEnding { by, took })
        }
    }

    /// How the program ends on it; `strict` (`exec --exit-status`): an end seen without its
    /// result is its own ending. None: a cancellation over MCP, which ends no program.
    pub fn ending(&self, strict: bool) -> Option<Ending> {
        let halt = match self.why {
            Why::Interrupted(h) => Some(h),
            _ => None,
        };
        self.outcome.ending(strict, halt)
    }

    /// Whether the bridge's answer said how the command went.
    pub fn result_known(&self) -> bool {
        self.response.is_some()
    }
}

/// What to do with the execute answer: an ending, or follow the status (Err: how it was lost).
pub fn on_answer(
    answer: Result<ExecAnswer, BridgeError>,
    wait: bool,
    limit: Duration,
    elapsed: Duration,
) -> Result<Decision, Lost> {
    let answer = match answer {
        Ok(a) => a,
        // Answered, unreadable: the request reached the bridge, so the command may have run.
        Err(e @ BridgeError::Protocol { .. }) => {
            return Ok(Decision::new(Outcome::Unknown, Why::Unreadable(e)))
        }
        Err(e) => return Ok(Decision::bridge(e)),
    };
    let lost = match answer {
        ExecAnswer::Answered(r) => return Ok(answered(r)),
        ExecAnswer::Failed(r) => {
            let why = r.error.clone().unwrap_or_else(|| "no reason given".into());
            return Ok(Decision {
                observed_by: Some(Sign::Response),
                response: Some(r),
                ..Decision::new(Outcome::NotStarted, Why::NotStarted(why))
            });
        }
        ExecAnswer::Rejected(m) => return Ok(Decision::new(Outcome::Rejected, Why::Rejected(m))),
        ExecAnswer::NoAnswer if wait => {
            return Ok(Decision::new(Outcome::TimedOut, Why::WaitedOut { limit }));
        }
        ExecAnswer::NoAnswer => return Ok(Decision::new(Outcome::Unknown, Why::NoAnswer { limit })),
        ExecAnswer::GaveUp(message) => Lost::GaveUp {
            after: elapsed,
            message,
        },
        ExecAnswer::ConnectionLost(detail) => Lost::Connection(detail),
    };
    if wait {
        Err(lost)
    } else {
        Ok(Decision::new(Outcome::Unknown, Why::LostWithoutWait(lost)))
    }
}

/// The bridge answered: `success` decides.
fn answered(r: ExecuteResponse) -> Decision {
    let (outcome, why) = if r.success {
        (Outcome::Succeeded, Why::Done)
    } else {
        let why = r.error.clone().unwrap_or_else(|| "no reason given".into());
        (Outcome::Failed, Why::CommandFailed(why))
    };
    Decision {
        observed_by: Some(Sign::Response),
        response: Some(r),
        ..Decision::new(outcome, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FailureKind;

    const S: Duration = Duration::from_secs(1);

    fn resp(success: bool) -> ExecuteResponse {
        ExecuteResponse {
            success,
            output: Some("out".into()),
            error: (!success).then(|| "boom".into()),
            execution_time_ms: Some(2.0),
        }
    }

    fn end(answer: Result<ExecAnswer, BridgeError>, wait: bool) -> (Outcome, Ending) {
        let d = on_answer(answer, wait, S, S).expect("an ending");
        (d.outcome, d.ending(false).expect("a program's ending"))
    }

    #[test]
    fn every_answer_has_its_outcome_and_exit_code() {
        use ExecAnswer::*;
        assert_eq!(
            end(Ok(Answered(resp(true))), false),
            (Outcome::Succeeded, Ending::Done)
        );
        assert_eq!(
            end(Ok(Answered(resp(false))), true),
            (Outcome::Failed, Ending::CommandFailed)
        );
        assert_eq!(
            end(Ok(Failed(resp(false))), false),
            (Outcome::NotStarted, Ending::CommandFailed),
            "a 422"
        );
        assert_eq!(
            end(Ok(Rejected("x".into())), true),
            (Outcome::Rejected, Ending::Usage)
        );
        assert_eq!(
            end(Ok(NoAnswer), false),
            (Outcome::Unknown, Ending::OutcomeUnknown)
        );
        assert_eq!(end(Ok(NoAnswer), true), (Outcome::TimedOut, Ending::TimedOut));
        assert_eq!(
            end(Ok(GaveUp("t".into())), false),
            (Outcome::Unknown, Ending::OutcomeUnknown)
        );
        assert_eq!(
            end(Ok(ConnectionLost("reset".into())), false),
            (Outcome::Unknown, Ending::OutcomeUnknown)
        );
        let down = BridgeError::Unreachable {
            url: "u".into(),
            kind: FailureKind::Connect,
            detail: "refused".into(),
        };
        assert_eq!(end(Err(down), true), (Outcome::Unreachable, Ending::Unreachable));
        let auth = BridgeError::Auth {
            url: "u".into(),
            status: 401,
            message: "no".into(),
        };
        assert_eq!(end(Err(auth), true), (Outcome::Unauthorized, Ending::Auth));
        let unavailable = BridgeError::Unavailable {
            url: "u".into(),
            message: "no".into(),
            retry_after: None,
        };
        assert_eq!(
            end(Err(unavailable), true),
            (Outcome::Unavailable, Ending::Unavailable)
        );
        let sigint = Decision::interrupted(Halt::Signal(crate::platform::Sig::Interrupt));
        assert_eq!(
            sigint.ending(false),
            Some(Ending::Signal(crate::platform::Sig::Interrupt))
        );
        let cancelled = Decision::interrupted(Halt::Cancelled);
        assert_eq!(cancelled.ending(false), None, "no program ends on it");
        assert_eq!(cancelled.outcome.name(), "interrupted");
        let seen = Decision::completed(Sign::Connection, 45 * S);
        assert_eq!(seen.ending(false), Some(Ending::Done));
        assert_eq!(seen.ending(true), Some(Ending::ResultUnknown));
        assert_eq!(
            (seen.observed_by, seen.seen),
            (Some(Sign::Connection), Some(45 * S))
        );
        assert!(!seen.result_known());
        let by_status = Decision::completed(Sign::Status, S);
        assert_eq!(by_status.observed_by, Some(Sign::Status));
        assert_eq!(by_status.ending(true), Some(Ending::ResultUnknown));
        let answered = on_answer(Ok(Answered(resp(true))), true, S, S).unwrap();
        assert_eq!(answered.ending(true), Some(Ending::Done));
        assert!(answered.result_known());
    }

    #[test]
    fn a_lost_answer_is_followed_only_with_wait() {
        let lost = on_answer(Ok(ExecAnswer::GaveUp("Request Timeout".into())), true, S, 30 * S);
        assert_eq!(
            lost,
            Err(Lost::GaveUp {
                after: 30 * S,
                message: "Request Timeout".into()
            })
        );
        let lost = on_answer(Ok(ExecAnswer::ConnectionLost("reset".into())), true, S, S);
        assert_eq!(lost, Err(Lost::Connection("reset".into())));
    }

    #[test]
    fn the_answer_is_kept_and_observed_by_the_response() {
        let d = on_answer(Ok(ExecAnswer::Answered(resp(true))), false, S, S).unwrap();
        assert_eq!(d.observed_by, Some(Sign::Response));
        assert_eq!(d.response.unwrap().output.as_deref(), Some("out"));
    }
}
