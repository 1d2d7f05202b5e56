//! How a watch ended → its exit code and last words, for one bridge and for many: the one
//! place that decides it. Pure: the facts come in, the error to exit with comes out.

use std::time::Duration;

use crate::engine::{End, Goal};
use crate::error::{BridgeError, Ending, Failure};
use crate::output::words::{names, none_answered, watch_timed_out, Waiting};

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
    pub until: &'a [Goal],
    /// What each bridge last showed, and whether it is where `--until` wants it (with one bridge: that
    /// bridge, whatever `--until` is).
    pub waiting: Vec<Waiting<'a>>,
}

/// The exit: Ok for 0, else the error that carries the code and the message.
pub fn exit(e: Ended<'_>) -> Result<(), crate::error::Failure> {
    let one = e.one;
    let code = |code, msg: String| Err(Failure::new(code, msg));
    match e.end {
        End::Signal(sig) => Err(Failure::quiet(Ending::Signal(sig))),
        End::Until(_) | End::Closed => Ok(()),
        End::Fatal | End::Count if one && !e.rejected.is_empty() => Err(e.fatal.map_or_else(
            || Failure::new(Ending::Auth, "authentication rejected"),
            Into::into,
        )),
        End::Fatal => code(
            Ending::Auth,
            format!(
                "authentication rejected by {}, so --until cannot be reached",
                names(&e.rejected)
            ),
        ),
        // Nothing to poll: every bridge there is (none) made its count.
        End::Count if e.bridges == 0 => Ok(()),
        End::Count if !e.rejected.is_empty() => code(
            Ending::Auth,
            format!("authentication rejected by {}", names(&e.rejected)),
        ),
        End::Count if e.answered == 0 => code(Ending::Unreachable, none_answered(one, &e.waiting)),
        End::Count => Ok(()),
        End::TimedOut => code(
            Ending::TimedOut,
            watch_timed_out(one, e.timeout.unwrap_or_default(), e.until, e.bridges, &e.waiting),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LastSeen;
    use crate::platform::Sig;

    fn ended(end: End, bridges: usize) -> Ended<'static> {
        Ended {
            end,
            one: bridges == 1,
            bridges,
            answered: 1,
            rejected: Vec::new(),
            fatal: None,
            timeout: Some(Duration::from_secs(2)),
            until: &[Goal::Ready],
            waiting: vec![Waiting {
                name: "b",
                seen: LastSeen::Nothing,
                note: None,
                met: false,
            }],
        }
    }

    fn code_and_message(e: Ended<'_>) -> (Ending, String) {
        match exit(e) {
            Ok(()) => (Ending::Done, String::new()),
            Err(f) => (f.ending, crate::output::words::failure(&f).unwrap_or_default()),
        }
    }

    #[test]
    fn each_way_of_ending_has_one_code_for_one_bridge_and_for_many() {
        for n in [1, 3] {
            let done = Ending::Done;
            assert_eq!(code_and_message(ended(End::Until(Goal::Ready), n)).0, done);
            assert_eq!(code_and_message(ended(End::Count, n)).0, done);
            assert_eq!(code_and_message(ended(End::Closed, n)).0, done);
            let sigint = Ending::Signal(Sig::Interrupt);
            assert_eq!(code_and_message(ended(End::Signal(Sig::Interrupt), n)).0, sigint);
            assert_eq!(code_and_message(ended(End::TimedOut, n)).0, Ending::TimedOut);
            let none = Ended {
                answered: 0,
                ..ended(End::Count, n)
            };
            assert_eq!(code_and_message(none).0, Ending::Unreachable);
            for end in [End::Count, End::Fatal] {
                let rejected = Ended {
                    rejected: vec!["b"],
                    ..ended(end.clone(), n)
                };
                assert_eq!(code_and_message(rejected).0, Ending::Auth, "{end:?} with {n}");
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
