//! How a watch ended → its exit code and last words, for one bridge and for many: the one
//! place that decides it. Pure: the facts come in, the error to exit with comes out.

use std::time::Duration;

use crate::engine::{End, LastSeen, Until};
use crate::error::{BridgeError, Exit};
use crate::output::{last_seen, timed_out};
use crate::units::{count, human_duration};

/// What a watch came to.
#[derive(Debug)]
pub struct Ended<'a> {
    pub end: End,
    /// Shown as one bridge (no bridge names in the words).
    pub one: bool,
    pub bridges: usize,
    /// Polls answered, across every bridge.
    pub answered: u64,
    /// Bridges whose key was rejected.
    pub rejected: Vec<&'a str>,
    /// With one bridge: the rejection as the bridge gave it.
    pub fatal: Option<BridgeError>,
    pub timeout: Option<Duration>,
    pub until: &'a [Until],
    /// What each bridge not yet where `--until` wants it last showed (with one bridge: that
    /// bridge, whatever `--until` is).
    pub waiting: Vec<Waiting<'a>>,
}

/// A bridge `--until` still waited for when the watch ended.
#[derive(Debug)]
pub struct Waiting<'a> {
    pub name: &'a str,
    pub seen: LastSeen,
    /// With `available:ID` or `missing:ID`: what its last answer said of the command.
    pub note: Option<String>,
}

/// What the last answer said of the command an `--until` waits on: `kiro.x is not among its 5
/// commands`, `it still offers kiro.x`.
pub fn command_note(until: &[Until], status: Option<&crate::model::KiroStatus>) -> Option<String> {
    let (id, wanted) = until.iter().find_map(|u| u.command())?;
    note_of(id, wanted, status)
}

/// `command_note` of one command: `wanted` offered (`available:ID`) or not (`missing:ID`).
pub fn note_of(id: &str, wanted: bool, status: Option<&crate::model::KiroStatus>) -> Option<String> {
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

/// The exit: Ok for 0, else the error that carries the code and the message.
pub fn exit(e: Ended<'_>) -> anyhow::Result<()> {
    let one = e.one;
    let code = |code, msg: String| Err(Exit::new(code, msg).into());
    match e.end {
        End::Signal { code } => Err(Exit::quiet(code).into()),
        End::Until(_) | End::Closed => Ok(()),
        End::Fatal | End::Count if one && !e.rejected.is_empty() => Err(e
            .fatal
            .map_or_else(|| Exit::new(4, "authentication rejected").into(), Into::into)),
        End::Fatal => code(
            4,
            format!(
                "authentication rejected by {}, so --until cannot be reached",
                names(&e.rejected)
            ),
        ),
        // Nothing to poll: every bridge there is (none) made its count.
        End::Count if e.bridges == 0 => Ok(()),
        End::Count if !e.rejected.is_empty() => {
            code(4, format!("authentication rejected by {}", names(&e.rejected)))
        }
        End::Count if e.answered == 0 && one => {
            code(3, format!("no poll was answered: {}", seen_of_one(&e.waiting)))
        }
        End::Count if e.answered == 0 => code(3, "no poll was answered by any bridge".into()),
        End::Count => Ok(()),
        End::TimedOut if one => code(
            124,
            match e.waiting.first() {
                Some(w) => one_timed_out(e.timeout.unwrap_or_default(), w),
                None => format!(
                    "timed out after {}",
                    human_duration(e.timeout.unwrap_or_default())
                ),
            },
        ),
        End::TimedOut => code(124, fleet_timed_out(&e)),
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

fn seen_of_one(waiting: &[Waiting<'_>]) -> String {
    waiting
        .first()
        .map_or_else(|| last_seen(&LastSeen::Nothing), |w| last_seen(&w.seen))
}

/// `timed out after 1s: 1 of 2 bridges not ready: b (still busy running x for 1s)`.
fn fleet_timed_out(e: &Ended<'_>) -> String {
    let timeout = human_duration(e.timeout.unwrap_or_default());
    if e.until.is_empty() {
        return format!("timed out after {timeout}");
    }
    let not: Vec<String> = e
        .waiting
        .iter()
        .map(|w| format!("{} ({})", crate::sanitize::line(w.name), seen_with_note(w)))
        .collect();
    let wanted: Vec<String> = e
        .until
        .iter()
        .map(|u| crate::sanitize::line(&u.name()).into_owned())
        .collect();
    format!(
        "timed out after {timeout}: {} of {} not {}: {}",
        not.len(),
        count(e.bridges as u64, "bridge"),
        wanted.join(" or "),
        not.join("; ")
    )
}

fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| crate::sanitize::line(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code;

    fn ended(end: End, bridges: usize) -> Ended<'static> {
        Ended {
            end,
            one: bridges == 1,
            bridges,
            answered: 1,
            rejected: Vec::new(),
            fatal: None,
            timeout: Some(Duration::from_secs(2)),
            until: &[Until::Ready],
            waiting: vec![Waiting {
                name: "b",
                seen: LastSeen::Nothing,
                note: None,
            }],
        }
    }

    fn code_and_message(e: Ended<'_>) -> (u8, String) {
        match exit(e) {
            Ok(()) => (0, String::new()),
            Err(err) => (exit_code(&err), crate::error::report(&err).unwrap_or_default()),
        }
    }

    #[test]
    fn each_way_of_ending_has_one_code_for_one_bridge_and_for_many() {
        for n in [1, 3] {
            assert_eq!(code_and_message(ended(End::Until(Until::Ready), n)).0, 0);
            assert_eq!(code_and_message(ended(End::Count, n)).0, 0);
            assert_eq!(code_and_message(ended(End::Closed, n)).0, 0);
            assert_eq!(code_and_message(ended(End::Signal { code: 130 }, n)).0, 130);
            assert_eq!(code_and_message(ended(End::TimedOut, n)).0, 124);
            let none = Ended {
                answered: 0,
                ..ended(End::Count, n)
            };
            assert_eq!(code_and_message(none).0, 3);
            for end in [End::Count, End::Fatal] {
                let rejected = Ended {
                    rejected: vec!["b"],
                    ..ended(end, n)
                };
                assert_eq!(code_and_message(rejected).0, 4, "{end:?} with {n}");
            }
        }
    }

    #[test]
    fn a_fleet_names_who_it_waited_for() {
        let (_, msg) = code_and_message(ended(End::TimedOut, 3));
        assert!(msg.contains("1 of 3 bridges not ready: b ("), "{msg}");
        let (_, msg) = code_and_message(Ended {
            rejected: vec!["x"],
            ..ended(End::Fatal, 3)
        });
        assert!(
            msg.contains("rejected by x, so --until cannot be reached"),
            "{msg}"
        );
        let (_, one) = code_and_message(ended(End::TimedOut, 1));
        assert!(
            one.contains("timed out after 2s: ") && !one.contains("of 1"),
            "{one}"
        );
    }
}
