//! How `exec` and `input` read: the one JSON object of `exec --json`, the command's output as
//! text, the words for every way an exec ends, and the exit error that carries them.

use std::io::{self, Write};
use std::time::Duration;

use serde::Serialize;

use super::write_json_line;
use crate::config::Config;
use crate::engine::outcome::{Decision, Lost, Outcome, Shown, Sign, Untold, Why};
use crate::error::{Ending, Failure};
use crate::model::{InputAnswer, Unheld};
use crate::plan::ExecPlan;
use crate::sanitize::line as clean;
use crate::units::{human_duration, ms};

/// The one object `exec --json` prints. What the bridge did not send is null.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecReport<'a> {
    pub command: &'a str,
    pub args: &'a [String],
    pub success: Option<bool>,
    pub output: Option<&'a str>,
    pub error: Option<String>,
    pub execution_time_ms: Option<f64>,
    pub waited_ms: u64,
    /// `response` (the bridge's answer), `connection` (the bridge closed the connection it
    /// answered 408 on) or `status` (inferred from /status); null when none.
    pub observed_by: Option<Sign>,
    pub outcome: Outcome,
    /// When the end was seen without the answer: how long after the request it was seen.
    pub seen_ms: Option<u64>,
    /// Whether the bridge's answer said how the command went (`success`, `output`); false when
    /// its end was seen without it, or not seen at all.
    pub result_known: bool,
    /// It was followed past the bridge's 5-minute limit, when the bridge frees the command's
    /// slot while Kiro may still run it.
    pub slot_freed: bool,
}

/// How the answer was lost, in words.
pub fn lost(l: &Lost) -> String {
    match l {
        Lost::GaveUp { after, message } => format!(
            "the bridge gave up on the request after {} (HTTP 408{}{})",
            human_duration(*after),
            if message.is_empty() { "" } else { ": " },
            clean(message)
        ),
        Lost::Connection(detail) => {
            format!(
                "the connection was lost after the command was sent ({})",
                clean(detail)
            )
        }
    }
}

/// How the end was seen, in words.
fn seen_by(by: Sign) -> &'static str {
    match by {
        Sign::Response => "told by the bridge's answer",
        Sign::Status => "seen through the bridge's status",
        Sign::Connection => "seen by the bridge closing the connection it answered on",
    }
}

/// Why the connection could not show the end, as a clause after the status's.
fn untold(conn: &Untold, lost: &Lost, cmd: &str) -> String {
    match conn {
        Untold::NotHeld(Unheld::Https) => {
            "; over https the connection it answered on may end at a proxy, so it cannot show the end".into()
        }
        Untold::NotHeld(Unheld::Proxy) => {
            "; through a proxy the connection it answered on is the proxy's, so it cannot show the end".into()
        }
        Untold::NotHeld(Unheld::Closed) => match lost {
            Lost::Connection(_) => String::new(),
            Lost::GaveUp { .. } => {
                "; the bridge closed the connection with its answer, so it cannot show the end".into()
            }
        },
        Untold::Late { idle } => format!(
            "; the connection it answered on closed {} after its last answer, too late to mean the command ended (the bridge's idle timer, or this machine stalled)",
            human_duration(*idle)
        ),
        Untold::WentAway(what) => format!("; the bridge no longer answers ({})", clean(what)),
        Untold::Restarted => {
            "; the connection it answered on closed because the bridge restarted".into()
        }
        Untold::Rejected(what) => format!(
            "; the connection it answered on closed, and asked afresh the bridge rejected the key ({})",
            clean(what)
        ),
        Untold::Unhealthy => {
            "; the connection it answered on closed, and the bridge then said it is not healthy".into()
        }
        Untold::Unknowable => {
            "; the connection it answered on closed, but the bridge never said its uptime, so a restart could not be told from the command's end".into()
        }
        Untold::Contradicted => format!(
            "; the connection it answered on closed while the status still showed {cmd} running, so that close proves nothing"
        ),
        Untold::Silent { after } => format!(
            "; a request on the connection it answered on went unanswered for {}, so that connection can no longer tell",
            human_duration(*after)
        ),
        Untold::Garbled(what) => format!(
            "; the bridge answered a request on the connection it answered on with something unreadable ({}), so that connection cannot show the end",
            clean(what)
        ),
    }
}

/// What the status showed of a command whose end it could not show.
fn shown(shown: &Shown, cmd: &str) -> String {
    match shown {
        Shown::Never => {
            format!("its status does not show {cmd} running (the real bridge never reports busy)")
        }
        Shown::Unavailable { seen: false } => "the status says Kiro is unavailable".into(),
        Shown::Unavailable { seen: true } => {
            format!("the status showed {cmd} running, then said Kiro is unavailable")
        }
        Shown::Other(Some(other)) => format!(
            "the status shows {} current, and a bridge that runs several commands at once cannot show whether {cmd} ended",
            clean(other)
        ),
        Shown::Other(None) => format!(
            "the status no longer shows {cmd} running, but neither Kiro ready with no command, so it cannot show whether {cmd} ended"
        ),
        Shown::Running => format!("the status last showed {cmd} running"),
    }
}

/// The sentence for an ending that is not a success; None for a success.
pub fn message(args: &ExecPlan, d: &Decision) -> Option<String> {
    message_with(args, d, "use --wait")
}

/// `message` in an agent's terms: the tool's argument, not the CLI's flag.
pub fn message_for_agent(args: &ExecPlan, d: &Decision) -> Option<String> {
    message_with(args, d, "next time, call kiro_exec with wait: true")
}

/// Whether the command ran, as far as the ending tells, for an agent deciding what to do next.
pub fn ran(d: &Decision) -> &'static str {
    use crate::engine::outcome::Outcome;
    match d.outcome {
        Outcome::Succeeded | Outcome::Completed => "The command ran.",
        Outcome::Failed => "The command ran and failed.",
        Outcome::NotStarted | Outcome::Rejected => "The command did not run.",
        Outcome::Unavailable | Outcome::Unauthorized | Outcome::Unreachable => match d.why {
            Why::Unreadable(_) => "The command may have run: check kiro_status before running it again.",
            _ => "The command did not run.",
        },
        Outcome::Unknown | Outcome::TimedOut | Outcome::Interrupted | Outcome::Running => {
            "The command may have run and may still be running: check kiro_status before running it again (running it again may run it twice)."
        }
    }
}

fn message_with(args: &ExecPlan, d: &Decision, to_wait: &str) -> Option<String> {
    let cmd = clean(&args.command);
    Some(match &d.why {
        Why::Done | Why::SeenEnding { .. } => return None,
        Why::CommandFailed(why) => format!("{cmd} failed: {}", clean(why)),
        Why::NotStarted(why) => format!(
            "{cmd} did not start: the bridge turned it away ({}); it runs a few commands at once, and commands you stopped waiting for (Ctrl-C, a 408) keep their slots until they end",
            clean(why)
        ),
        Why::Rejected(m) => format!("the bridge rejected the request: {}", clean(m)),
        Why::NoAnswer { limit } => format!(
            "no answer within {}; {cmd} may still be running in Kiro ({to_wait} to wait for it)",
            human_duration(*limit)
        ),
        Why::WaitedOut { limit } => format!(
            "timed out after {} waiting for the bridge's answer; {cmd} may still be running in Kiro",
            human_duration(*limit)
        ),
        Why::LostWithoutWait(l) => format!(
            "{}; {cmd} may still be running in Kiro and its outcome is unknown ({to_wait} to follow it)",
            lost(l)
        ),
        Why::EndUnseen { lost: l, shown: s, conn } => format!(
            "{}, and {}{}: the outcome is unknown and {cmd} may still be running in Kiro",
            lost(l),
            shown(s, &cmd),
            untold(conn, l, &cmd)
        ),
        Why::FollowedOut { limit, lost: l, seen, held } => {
            let seen = match seen {
                Some(s) => super::last_seen(s),
                None => format!("{}, and the status never showed it", lost(l)),
            };
            let running = match held {
                true => format!("; the connection it answered on is still open, so {cmd} is still running in Kiro"),
                false => format!("; {cmd} may still be running in Kiro"),
            };
            format!("timed out after {}: {seen}{running}", human_duration(*limit))
        }
        Why::Interrupted(_) => format!("stopped waiting; {cmd} may still be running in Kiro"),
        Why::Bridge(e) => e.to_string(),
        Why::Unreadable(e) => format!(
            "{e}; the bridge answered, so {cmd} may have run: check Kiro before running it again"
        ),
    })
}

/// The report's `error`: the bridge's words where it gave them, else the message (`words`:
/// the CLI's or an agent's).
fn error_field(
    args: &ExecPlan,
    d: &Decision,
    words: fn(&ExecPlan, &Decision) -> Option<String>,
) -> Option<String> {
    match &d.why {
        Why::Done | Why::SeenEnding { .. } => d.response.as_ref().and_then(|r| r.error.clone()),
        Why::CommandFailed(why) | Why::NotStarted(why) => Some(why.clone()),
        Why::Rejected(m) => Some(m.clone()),
        Why::Bridge(e) | Why::Unreadable(e) => Some(e.short()),
        _ => words(args, d),
    }
}

/// `exec --json`'s object.
pub fn report<'a>(args: &'a ExecPlan, d: &'a Decision, waited: Duration) -> ExecReport<'a> {
    report_in(args, d, waited, message)
}

/// `report` with its `error` in an agent's terms (MCP's `kiro_exec`).
pub fn report_for_agent<'a>(args: &'a ExecPlan, d: &'a Decision, waited: Duration) -> ExecReport<'a> {
    report_in(args, d, waited, message_for_agent)
}

fn report_in<'a>(
    args: &'a ExecPlan,
    d: &'a Decision,
    waited: Duration,
    words: fn(&ExecPlan, &Decision) -> Option<String>,
) -> ExecReport<'a> {
    let r = d.response.as_ref();
    ExecReport {
        command: &args.command,
        args: &args.args,
        success: r.map(|r| r.success),
        output: r.and_then(|r| r.output.as_deref()),
        error: error_field(args, d, words),
        execution_time_ms: r.and_then(|r| r.execution_time_ms),
        waited_ms: ms(waited),
        observed_by: d.observed_by,
        outcome: d.outcome,
        seen_ms: d.seen.map(ms),
        result_known: d.result_known(),
        slot_freed: d.slot_freed,
    }
}

/// stdout: the JSON report, or the command's output as text (control characters neutralised).
pub fn print(
    out: &mut impl Write,
    config: &Config,
    args: &ExecPlan,
    d: &Decision,
    waited: Duration,
) -> io::Result<()> {
    if config.json {
        return write_json_line(out, &report(args, d, waited));
    }
    let Some(text) = d.response.as_ref().and_then(|r| r.output.as_deref()) else {
        return Ok(());
    };
    if text.is_empty() {
        return Ok(());
    }
    let text = crate::sanitize::text(text);
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// An end seen without the bridge's answer, in words: what ended, when, how it was seen.
fn ended(args: &ExecPlan, by: Sign, took: Duration) -> String {
    format!(
        "{} ended after {} ({}); its result was not returned, so whether it succeeded is unknown",
        clean(&args.command),
        human_duration(took),
        seen_by(by)
    )
}

/// A line for stderr on an end the answer did not show (exit 0 unless `--exit-status`).
pub fn note(args: &ExecPlan, d: &Decision) -> Option<String> {
    match d.why {
        Why::SeenEnding { by, took } if !args.exit_status => Some(ended(args, by, took)),
        _ => None,
    }
}

/// The error that ends the program with the decision's exit code; None for a success.
pub fn ending(args: &ExecPlan, d: &Decision) -> Option<crate::error::Failure> {
    let ending = d.ending(args.exit_status)?;
    if ending == Ending::Done {
        return None;
    }
    if let Why::SeenEnding { by, took } = d.why {
        return Some(Failure::new(
            ending,
            format!("{} (--exit-status)", ended(args, by, took)),
        ));
    }
    Some(match (&d.why, message(args, d)) {
        (Why::Bridge(e), _) => e.clone().into(),
        (Why::Rejected(_), Some(m)) => Failure::usage(m),
        (_, message) => Failure {
            ending,
            message,
            hint: None,
        },
    })
}

/// `input`: the answer as JSON, or a line when it was taken.
pub fn input(
    out: &mut impl Write,
    config: &Config,
    execution_id: &str,
    answer: &InputAnswer,
) -> io::Result<()> {
    let InputAnswer::Answered { status, response } = answer else {
        return Ok(());
    };
    if config.json {
        return write_json_line(out, response);
    }
    if response.success && *status == 200 {
        writeln!(out, "input accepted for {}", clean(execution_id))?;
    }
    Ok(())
}

/// `input`'s exit code and message when the input was not taken.
pub fn input_ending(answer: &InputAnswer) -> Option<(Ending, String)> {
    match answer {
        InputAnswer::Answered {
            status: 200,
            response,
        } if response.success => None,
        InputAnswer::Answered { status, response } => {
            let why = response.error.clone().unwrap_or_else(|| format!("HTTP {status}"));
            Some((
                Ending::CommandFailed,
                format!("the bridge refused the input: {}", clean(&why)),
            ))
        }
        InputAnswer::Rejected(m) => Some((
            Ending::Usage,
            format!("the bridge rejected the input: {}", clean(m)),
        )),
    }
}
