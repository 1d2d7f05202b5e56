//! Words shared by the CLI and the MCP server: a status in one line, the news of a wait on one
//! bridge (`engine::observe::Note`) as its spinner or progress notifications say it, and what a
//! wait that ran out last saw.

use std::time::Duration;

use super::{last_seen, timed_out};
use crate::engine::observe::Note;
use crate::engine::outcome::Shown;
use crate::engine::{Goal, LastSeen};
use crate::model::{KiroStatus, Unheld};
use crate::sanitize::line as clean;
use crate::units::{count, human_duration};

/// `ready · running kiro.x · version 1.94.0 · 5 commands`.
pub fn status_line(s: &KiroStatus) -> String {
    let mut parts = vec![s.status.to_string()];
    if let Some(c) = &s.current_command {
        parts.push(format!("running {}", clean(c)));
    }
    if let Some(v) = &s.version {
        parts.push(format!("version {}", clean(v)));
    }
    parts.push(count(s.available_commands.len() as u64, "command"));
    parts.join(" · ")
}

/// A wait's news in a few words.
pub fn progress(note: &Note) -> String {
    match note {
        Note::Sent => "waiting for the bridge's answer".into(),
        Note::Following { lost, unheld } => {
            let how = match unheld {
                None => "following the connection it answered on and its status",
                Some(Unheld::Https) => "following its status (over https the connection cannot show the end)",
                Some(Unheld::Proxy) => "following its status (through a proxy the connection cannot show the end)",
                Some(_) => "following its status",
            };
            format!("{}; {how}", super::exec::lost(lost))
        }
        Note::Status(s) => status_line(s),
        Note::StatusFailed(why) => format!("status unreachable ({}); retrying", clean(why)),
        Note::Changed => "the status changed".into(),
        Note::Running => "Kiro reports it running; following its status".into(),
        Note::StatusCannotTell(shown) => {
            let what = match shown {
                Shown::Never => "its status does not show it (the real bridge never reports busy)".into(),
                Shown::Unavailable { .. } => "its status says Kiro is unavailable".into(),
                Shown::Other(Some(other)) => format!(
                    "its status shows {} current, which cannot show whether this one ended",
                    clean(other)
                ),
                Shown::Other(None) => {
                    "its status shows neither this command running nor Kiro ready with none".into()
                }
                Shown::Running => "its status cannot tell more".into(),
            };
            format!("{what}; following the connection it answered on")
        }
        Note::ClosedUntold => "the connection closed without showing the end; following its status".into(),
        Note::ClosedWhileRunning => {
            "the connection it answered on closed while its status shows it running; following its status".into()
        }
        Note::ConnSilent => {
            "the connection it answered on stopped answering; following its status".into()
        }
        Note::SlotFreed { after } => format!(
            "{} since it was sent: the bridge has freed its slot (its limit on a command), while Kiro may still be running it; still following",
            human_duration(*after)
        ),
        Note::Untrusted => {
            "the connection it answered on is no longer trusted; following its status".into()
        }
    }
}

/// A bridge `--until` still waited for when the watch ended.
#[derive(Debug)]
pub struct Waiting<'a> {
    pub name: &'a str,
    pub seen: LastSeen,
    /// With `available:ID` or `missing:ID`: what its last answer said of the command.
    pub note: Option<String>,
    /// It is where `--until` wants it (only a fleet's words leave it out).
    pub met: bool,
}

/// What the last answer said of the command an `--until` waits on: `kiro.x is not among its 5
/// commands`, `it still offers kiro.x`.
pub fn command_note(until: &[Goal], status: Option<&KiroStatus>) -> Option<String> {
    until.iter().find_map(|u| goal_note(u, status))
}

/// `command_note` of one goal (None for a state).
pub fn goal_note(goal: &Goal, status: Option<&KiroStatus>) -> Option<String> {
    let (id, wanted) = goal.command()?;
    note_of(id, wanted, status)
}

/// `command_note` of one command: `wanted` offered (`available:ID`) or not (`missing:ID`).
fn note_of(id: &str, wanted: bool, status: Option<&crate::model::KiroStatus>) -> Option<String> {
    let status = status?;
    let id_shown = crate::sanitize::line(id);
    Some(match wanted {
        true => format!(
            "{id_shown} is not among its {}",
            count(status.available_commands.len() as u64, "command")
        ),
        false => format!("it still offers {id_shown}"),
    })
}

fn seen_with_note(w: &Waiting<'_>) -> String {
    match &w.note {
        Some(n) => format!("{}; {n}", last_seen(&w.seen)),
        None => last_seen(&w.seen),
    }
}

/// The words of a wait for one bridge that ran out: `timed out after 5s: last seen busy 1s
/// ago`, with the command's note when it waited on one (`kiro_wait` says it the same way).
pub fn one_timed_out(timeout: Duration, w: &Waiting<'_>) -> String {
    match &w.note {
        Some(_) => format!(
            "timed out after {}: {}",
            human_duration(timeout),
            seen_with_note(w)
        ),
        None => timed_out(timeout, &w.seen),
    }
}

/// `count` polls of a watch, none answered: what was last seen of one bridge.
pub fn none_answered(one: bool, waiting: &[Waiting<'_>]) -> String {
    match one {
        true => format!("no poll was answered: {}", last_seen_of_one(waiting)),
        false => "no poll was answered by any bridge".into(),
    }
}

/// A watch's `--timeout` ran out: one bridge's last sighting, or the fleet's bridges not yet
/// where `--until` wants them.
pub fn watch_timed_out(
    one: bool,
    timeout: Duration,
    until: &[Goal],
    bridges: usize,
    waiting: &[Waiting<'_>],
) -> String {
    match (one, waiting.first()) {
        (true, Some(w)) => one_timed_out(timeout, w),
        (true, None) => format!("timed out after {}", human_duration(timeout)),
        (false, _) => fleet_timed_out(timeout, until, bridges, waiting),
    }
}

fn last_seen_of_one(waiting: &[Waiting<'_>]) -> String {
    waiting
        .first()
        .map_or_else(|| last_seen(&LastSeen::Nothing), |w| last_seen(&w.seen))
}

/// `timed out after 1s: 1 of 2 bridges not ready: b (still busy running x for 1s)`.
fn fleet_timed_out(timeout: Duration, until: &[Goal], bridges: usize, waiting: &[Waiting<'_>]) -> String {
    let timeout = human_duration(timeout);
    if until.is_empty() {
        return format!("timed out after {timeout}");
    }
    let not: Vec<String> = waiting
        .iter()
        .filter(|w| !w.met)
        .map(|w| format!("{} ({})", crate::sanitize::line(w.name), seen_with_note(w)))
        .collect();
    let wanted: Vec<String> = until.iter().map(|u| clean(&u.to_string()).into_owned()).collect();
    format!(
        "timed out after {timeout}: {} of {} not {}: {}",
        not.len(),
        count(bridges as u64, "bridge"),
        wanted.join(" or "),
        not.join("; ")
    )
}

pub fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| crate::sanitize::line(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fleet's lanes at its end (`-v`): how many polls each started, and how late.
pub fn lateness(lanes: &[crate::fleet::queue::Lateness; 3]) -> String {
    let lane = |l: &crate::fleet::queue::Lateness| {
        format!(
            "{} started, lateness p50 {} ms, p99 {} ms, max {} ms",
            count(l.count(), "poll"),
            l.quantile(0.5).as_millis(),
            l.quantile(0.99).as_millis(),
            l.max().as_millis()
        )
    };
    let [answering, first, failing] = lanes;
    format!(
        "fleet: {}; of bridges failing: {}; first polls: {}",
        lane(answering),
        lane(failing),
        lane(first)
    )
}
