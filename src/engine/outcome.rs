//! How an `exec` ends: pure decisions from the bridge's typed answer (and, after the answer was
//! lost, from what following its status showed) to an `Outcome` and its exit code. The words
//! are `output::exec`'s; here only what happened, typed.

use std::time::Duration;

use super::LastSeen;
use crate::error::{bridge_exit_code, BridgeError};
use crate::model::{ExecAnswer, ExecuteResponse};

/// The `outcome` of `exec --json`, one per way an exec can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// It ran and failed.
    Failed,
    /// HTTP 422: turned away before it started (exit 1, as a failure).
    NotStarted,
    /// Seen finishing through the status (the answer itself was lost).
    Completed,
    Unknown,
    TimedOut,
    Interrupted {
        code: u8,
    },
    Unavailable,
    Rejected,
    Unauthorized,
    Unreachable,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::NotStarted => "not_started",
            Outcome::Completed => "completed",
            Outcome::Unknown => "unknown",
            Outcome::TimedOut => "timed_out",
            Outcome::Interrupted { .. } => "interrupted",
            Outcome::Unavailable => "unavailable",
            Outcome::Rejected => "rejected",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Unreachable => "unreachable",
        }
    }

    /// PRODUCT.md's exit code for it.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Succeeded | Outcome::Completed => 0,
            Outcome::Failed | Outcome::NotStarted => 1,
            Outcome::Rejected => 2,
            Outcome::Unreachable => 3,
            Outcome::Unauthorized => 4,
            Outcome::Unavailable => 5,
            Outcome::Unknown => 6,
            Outcome::TimedOut => 124,
            Outcome::Interrupted { code } => code,
        }
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

/// Why an exec ended the way it did (rendered by `output::exec`).
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// Success: nothing to explain.
    Done,
    /// Seen finishing through the status after the answer was lost.
    SeenFinishing,
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
    NoAnswer {
        limit: Duration,
    },
    /// With `--wait`: no answer within `--timeout`.
    WaitedOut {
        limit: Duration,
    },
    /// The answer was lost and `--wait` was not given.
    LostWithoutWait(Lost),
    /// The answer was lost and the status never showed the command; `unavailable`: the status
    /// said Kiro is unavailable.
    NeverShown {
        lost: Lost,
        unavailable: bool,
    },
    /// `--timeout` ran out while following the status; what it last showed of the command,
    /// when it ever showed it.
    FollowedOut {
        limit: Duration,
        lost: Lost,
        seen: Option<LastSeen>,
    },
    Interrupted,
    /// The bridge failed us: unreachable, unavailable, key rejected, nonsense.
    Bridge(BridgeError),
}

/// How an exec ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    /// The bridge's answer, when it gave one.
    pub response: Option<ExecuteResponse>,
    /// `response` or `status`; None when neither showed the end.
    pub observed_by: Option<&'static str>,
    pub why: Why,
}

impl Decision {
    /// An ending with neither the bridge's answer nor a sighting in the status behind it.
    pub fn new(outcome: Outcome, why: Why) -> Decision {
        Decision {
            outcome,
            response: None,
            observed_by: None,
            why,
        }
    }

    /// The bridge failed us.
    pub fn bridge(e: BridgeError) -> Decision {
        let outcome = match bridge_exit_code(&e) {
            4 => Outcome::Unauthorized,
            5 => Outcome::Unavailable,
            _ => Outcome::Unreachable,
        };
        Decision::new(outcome, Why::Bridge(e))
    }

    pub fn interrupted(code: u8) -> Decision {
        Decision::new(Outcome::Interrupted { code }, Why::Interrupted)
    }

    /// Seen finishing through the status.
    pub fn completed() -> Decision {
        Decision {
            observed_by: Some("status"),
            ..Decision::new(Outcome::Completed, Why::SeenFinishing)
        }
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
                outcome: Outcome::NotStarted,
                response: Some(r),
                observed_by: Some("response"),
                why: Why::NotStarted(why),
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
        outcome,
        response: Some(r),
        observed_by: Some("response"),
        why,
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

    fn end(answer: Result<ExecAnswer, BridgeError>, wait: bool) -> (Outcome, u8) {
        let d = on_answer(answer, wait, S, S).expect("an ending");
        (d.outcome, d.outcome.exit_code())
    }

    #[test]
    fn every_answer_has_its_outcome_and_exit_code() {
        use ExecAnswer::*;
        assert_eq!(end(Ok(Answered(resp(true))), false), (Outcome::Succeeded, 0));
        assert_eq!(end(Ok(Answered(resp(false))), true), (Outcome::Failed, 1));
        assert_eq!(
            end(Ok(Failed(resp(false))), false),
            (Outcome::NotStarted, 1),
            "a 422"
        );
        assert_eq!(end(Ok(Rejected("x".into())), true), (Outcome::Rejected, 2));
        assert_eq!(end(Ok(NoAnswer), false), (Outcome::Unknown, 6));
        assert_eq!(end(Ok(NoAnswer), true), (Outcome::TimedOut, 124));
        assert_eq!(end(Ok(GaveUp("t".into())), false), (Outcome::Unknown, 6));
        assert_eq!(
            end(Ok(ConnectionLost("reset".into())), false),
            (Outcome::Unknown, 6)
        );
        let down = BridgeError::Unreachable {
            url: "u".into(),
            kind: FailureKind::Connect,
            detail: "refused".into(),
        };
        assert_eq!(end(Err(down), true), (Outcome::Unreachable, 3));
        let auth = BridgeError::Auth {
            url: "u".into(),
            status: 401,
            message: "no".into(),
        };
        assert_eq!(end(Err(auth), true), (Outcome::Unauthorized, 4));
        let unavailable = BridgeError::Unavailable {
            url: "u".into(),
            message: "no".into(),
            retry_after: None,
        };
        assert_eq!(end(Err(unavailable), true), (Outcome::Unavailable, 5));
        assert_eq!(Decision::interrupted(130).outcome.exit_code(), 130);
        assert_eq!(Decision::completed().outcome.exit_code(), 0);
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
        assert_eq!(d.observed_by, Some("response"));
        assert_eq!(d.response.unwrap().output.as_deref(), Some("out"));
    }
}
