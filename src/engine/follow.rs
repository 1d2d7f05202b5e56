//! `exec --wait` after the answer was lost (a 408, a dropped connection): what the status and
//! the connection the bridge answered on prove about the command we sent. Only proof ends a
//! follow; a sign that proves nothing hands over to the other witness, or, when neither can
//! tell any more, is an unknown outcome. What each sign proves:
//!
//! | sign | proves |
//! |---|---|
//! | status shows our command busy | it runs (the status decides while it shows it) |
//! | status shows it, then `ready` with no command | it ended (`observedBy: status`) |
//! | status shows it, then another command, busy with none named, or `unavailable` | nothing: a bridge that runs several at once cannot show ours |
//! | status never shows it (the real bridge never reports busy) | nothing |
//! | held connection closed while kept busy, the same healthy server after | it ended (`observedBy: connection`) |
//! | that close while the latest status shows it running | nothing: the status decides |
//! | a close after which nothing answers, another server answers, `/health` unhealthy or not running, or no uptime known to compare | nothing; unknown |
//! | a close late after the last answer, or announced (`Connection: close`) | nothing |
//! | a ping unanswered within `--request-timeout` | nothing: the connection can no longer tell |
//! | 5 minutes since the POST | nothing: the real bridge frees the slot, Kiro may still run it |

use std::time::{Duration, Instant};

use super::held::{Close, Confirmed};
use super::observe::{ConnNews, Next, Note, Observer, Polled};
use super::outcome::{Decision, Lost, Outcome, Shown, Sign, Untold, Why};
use super::{End, Engine};
use crate::error::FailureKind;
use crate::model::{KiroState, KiroStatus};

/// The real bridge's own limit on a command: after it the bridge frees the command's slot (a
/// 4th command may start) while Kiro may still be running it; its request goes on
/// (BEHAVIOUR.md). Worth saying; no end.
pub const SLOT_FREED_AFTER: Duration = Duration::from_secs(5 * 60);

/// What the status has shown of the followed command.
#[derive(Debug)]
pub struct Follow {
    command: String,
    seen: bool,
    /// The latest answer shows it running.
    showing: bool,
    unseen_polls: u32,
    /// Status requests refused in a row.
    refused: u32,
}

/// What one status answer means for the followed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The status shows it running: keep waiting.
    Running,
    /// Not shown yet: look again.
    NotYetSeen,
    /// Shown running before, and now Kiro `ready` with no command: it finished (how, the
    /// status cannot say).
    Completed,
    /// The status cannot show its end: what it showed.
    CannotTell(Shown),
}

impl Follow {
    /// Polls without a sign of the command before concluding the status cannot show it.
    pub const UNSEEN_POLLS: u32 = 2;

    /// Status requests refused in a row (nothing listens) before concluding the bridge is
    /// gone, and the command's outcome with it unknown: not a wait until `--timeout`.
    pub const REFUSED_POLLS: u32 = 3;

    pub fn new(command: &str) -> Follow {
        Follow {
            command: command.to_owned(),
            seen: false,
            showing: false,
            unseen_polls: 0,
            refused: 0,
        }
    }

    pub fn seen(&self) -> bool {
        self.seen
    }

    /// The latest answer showed it running.
    pub fn showing(&self) -> bool {
        self.showing
    }

    /// What the status has shown so far, for an end nothing else can tell.
    pub fn shown(&self) -> Shown {
        match self.seen {
            true => Shown::Running,
            false => Shown::Never,
        }
    }

    /// A status request was refused (nothing listens): true once `REFUSED_POLLS` came in a
    /// row, when the bridge is taken for gone.
    pub fn refused(&mut self) -> bool {
        self.refused += 1;
        self.refused >= Self::REFUSED_POLLS
    }

    pub fn observe(&mut self, status: &KiroStatus) -> Verdict {
        self.refused = 0;
        let current = status.current_command.as_deref();
        let ours = current == Some(self.command.as_str());
        self.showing = status.status == KiroState::Busy && ours;
        if self.showing {
            self.seen = true;
            return Verdict::Running;
        }
        let other = || Shown::Other(current.filter(|c| *c != self.command).map(str::to_owned));
        if self.seen {
            return match status.status {
                KiroState::Unavailable => Verdict::CannotTell(Shown::Unavailable { seen: true }),
                KiroState::Ready if current.is_none() => Verdict::Completed,
                _ => Verdict::CannotTell(other()),
            };
        }
        self.unseen_polls += 1;
        if self.unseen_polls < Self::UNSEEN_POLLS {
            return Verdict::NotYetSeen;
        }
        Verdict::CannotTell(match status.status {
            KiroState::Unavailable => Shown::Unavailable { seen: false },
            KiroState::Busy => other(),
            _ => Shown::Never,
        })
    }
}

/// The command follower: after a lost answer, what the status and the held connection prove
/// of the command, until one proves its end (or neither can tell any more).
#[derive(Debug)]
pub struct Following {
    follow: Follow,
    lost: Lost,
    /// Why the connection could not show the end, should it come to that.
    untold: Untold,
    /// The status showed it cannot tell, and what it showed; no longer asked.
    told: Option<Shown>,
    posted: Instant,
    /// Past the bridge's 5-minute limit, said once.
    slot_freed: bool,
    /// A confirmed close (`took` after the POST) came while the last status, taken before it,
    /// showed the command running: the status is asked afresh, and decides.
    close_pending: Option<Duration>,
}

impl Following {
    /// Following `command`, sent at `posted`, whose answer was `lost`; `untold`: why no
    /// connection is held, or what to say should the held one close without showing the end.
    pub fn new(command: &str, lost: Lost, untold: Untold, posted: Instant) -> Following {
        Following {
            follow: Follow::new(command),
            lost,
            untold,
            told: None,
            posted,
            slot_freed: false,
            close_pending: None,
        }
    }

    fn done(&self, d: Decision) -> Next<Decision> {
        Next::Done(Decision {
            slot_freed: self.slot_freed,
            ..d
        })
    }

    /// Neither witness can tell: the outcome is unknown.
    fn unknown(&self) -> Next<Decision> {
        let why = Why::EndUnseen {
            lost: self.lost.clone(),
            shown: self.told.clone().unwrap_or_else(|| self.follow.shown()),
            conn: self.untold.clone(),
        };
        self.done(Decision::new(Outcome::Unknown, why))
    }

    /// `--timeout` ran out at `now` after `limit`; `held`: the connection was still open and
    /// answering (the command still running).
    pub fn timed_out(&self, engine: &Engine, now: Instant, limit: Duration, held: bool) -> Decision {
        let seen = self.follow.seen().then(|| engine.last_seen(now));
        let why = Why::FollowedOut {
            limit,
            lost: self.lost.clone(),
            seen,
            held,
        };
        Decision {
            slot_freed: self.slot_freed,
            ..Decision::new(Outcome::TimedOut, why)
        }
    }
}

impl Observer for Following {
    type Done = Decision;

    fn polled(&mut self, p: Polled<'_>) -> Next<Decision> {
        match p.answer {
            Ok(fetch) => match (self.follow.observe(&fetch.status), self.close_pending.take()) {
                // Asked afresh after a close: it still shows the command running, so the
                // close proves nothing; the status decides from now on.
                (Verdict::Running, Some(_)) => {
                    self.untold = Untold::Contradicted;
                    Next::Tell(Note::ClosedWhileRunning)
                }
                // It no longer shows it: nothing contradicts the close, which was the end.
                (_, Some(took)) => self.done(Decision::completed(Sign::Connection, took)),
                (Verdict::Running, None) => Next::Tell(Note::Running),
                (Verdict::NotYetSeen, None) => Next::Go,
                (Verdict::Completed, None) => {
                    let took = p.now.saturating_duration_since(self.posted);
                    self.done(Decision::completed(Sign::Status, took))
                }
                (Verdict::CannotTell(shown), None) => {
                    self.told = Some(shown.clone());
                    match p.held {
                        false => self.unknown(),
                        true => Next::Quiet(Note::StatusCannotTell(shown)),
                    }
                }
            },
            Err(e) if p.reaction.end == Some(End::Fatal) => self.done(Decision::bridge(e.clone())),
            // Nothing listens any more (with no connection held to tell): the bridge is gone,
            // and the command's outcome with it unknown.
            Err(e) if e.kind() == FailureKind::Connect && !p.held && self.follow.refused() => {
                self.untold = Untold::WentAway(e.short());
                self.unknown()
            }
            // No answer within --request-timeout, and no connection to tell either.
            Err(e) if e.kind() == FailureKind::Timeout && !p.held => {
                self.untold = Untold::WentAway(e.short());
                self.unknown()
            }
            Err(e) => Next::Tell(Note::StatusFailed(e.short())),
        }
    }

    fn conn(&mut self, news: ConnNews) -> Next<Decision> {
        let note = match news {
            ConnNews::Closed {
                close: Close::Ended { took },
                confirmed: Some(confirmed),
            } => match confirmed {
                Confirmed::Yes if !self.follow.showing() => {
                    return self.done(Decision::completed(Sign::Connection, took))
                }
                // The last status showed it running: ask it afresh before believing the close.
                Confirmed::Yes => {
                    self.close_pending = Some(took);
                    return Next::Ask;
                }
                // A bridge gone, restarted or unwell shows nothing more of the command:
                // unknown now, not after --timeout.
                Confirmed::WentAway(what) => {
                    self.untold = Untold::WentAway(what);
                    return self.unknown();
                }
                Confirmed::Restarted => {
                    self.untold = Untold::Restarted;
                    return self.unknown();
                }
                Confirmed::Unhealthy => {
                    self.untold = Untold::Unhealthy;
                    return self.unknown();
                }
                Confirmed::Rejected(what) => {
                    self.untold = Untold::Rejected(what);
                    return self.unknown();
                }
                Confirmed::Unknowable => {
                    self.untold = Untold::Unknowable;
                    Note::ClosedUntold
                }
            },
            ConnNews::Closed { close, .. } => {
                if let Close::Late { idle } = close {
                    self.untold = Untold::Late { idle };
                }
                Note::ClosedUntold
            }
            ConnNews::Garbled(what) => {
                self.untold = Untold::Garbled(what);
                Note::Untrusted
            }
            ConnNews::Silent { after } => {
                self.untold = Untold::Silent { after };
                Note::ConnSilent
            }
        };
        match self.told {
            Some(_) => self.unknown(),
            None => Next::Tell(note),
        }
    }

    fn due(&self) -> Option<Instant> {
        (!self.slot_freed).then(|| self.posted + SLOT_FREED_AFTER)
    }

    fn at(&mut self, _now: Instant) -> Next<Decision> {
        self.slot_freed = true;
        Next::Tell(Note::SlotFreed {
            after: SLOT_FREED_AFTER,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(state: KiroState, cmd: Option<&str>) -> KiroStatus {
        KiroStatus {
            status: state,
            current_command: cmd.map(str::to_owned),
            version: None,
            available_commands: vec![],
            timestamp: None,
        }
    }

    /// What the status proves, as a table: the answers in order, the verdict on the last.
    #[test]
    fn what_each_status_proves() {
        use KiroState::{Busy, Ready, Unavailable};
        let ours = Some("kiro.a");
        let b = Some("kiro.b");
        let other = |c: Option<&str>| Verdict::CannotTell(Shown::Other(c.map(str::to_owned)));
        type Answers<'a> = Vec<(KiroState, Option<&'a str>)>;
        let table: Vec<(&str, Answers, Verdict)> = vec![
            ("shown running", vec![(Busy, ours)], Verdict::Running),
            (
                "shown, then ready",
                vec![(Busy, ours), (Ready, None)],
                Verdict::Completed,
            ),
            (
                "a spec bridge may lag a poll",
                vec![(Ready, None)],
                Verdict::NotYetSeen,
            ),
            (
                "lagged, then shown",
                vec![(Ready, None), (Busy, ours)],
                Verdict::Running,
            ),
            (
                "shown, then another command current: not our end",
                vec![(Busy, ours), (Busy, b)],
                other(b),
            ),
            (
                "shown, then busy with none named",
                vec![(Busy, ours), (Busy, None)],
                other(None),
            ),
            (
                "shown, then unavailable",
                vec![(Busy, ours), (Unavailable, None)],
                Verdict::CannotTell(Shown::Unavailable { seen: true }),
            ),
            (
                "the real bridge: never shown",
                vec![(Ready, None), (Ready, None)],
                Verdict::CannotTell(Shown::Never),
            ),
            (
                "never shown, another command current",
                vec![(Busy, b), (Busy, b)],
                other(b),
            ),
            (
                "never shown, unavailable",
                vec![(Unavailable, None), (Unavailable, None)],
                Verdict::CannotTell(Shown::Unavailable { seen: false }),
            ),
            (
                "ours named but ready is not running",
                vec![(Busy, ours), (Ready, ours)],
                other(None),
            ),
        ];
        for (what, answers, verdict) in table {
            let mut f = Follow::new("kiro.a");
            let mut last = None;
            for (state, cmd) in answers {
                last = Some(f.observe(&st(state, cmd)));
            }
            assert_eq!(last, Some(verdict), "{what}");
        }
    }

    #[test]
    fn three_refusals_in_a_row_mean_the_bridge_is_gone() {
        let ready = st(KiroState::Ready, None);
        let mut f = Follow::new("kiro.generateCode");
        assert!(!f.refused() && !f.refused());
        f.observe(&ready);
        assert!(!f.refused() && !f.refused(), "an answer starts the count again");
        assert!(f.refused());
    }

    mod following {
        use std::sync::Arc;
        use std::time::{Duration, Instant};

        use super::st;
        use crate::engine::follow::SLOT_FREED_AFTER;
        use crate::engine::held::{Close, Confirmed};
        use crate::engine::observe::{ConnNews, Next, Note, Observer, Polled, StatusAnswer};
        use crate::engine::outcome::{Decision, Lost, Outcome, Shown, Untold, Why};
        use crate::engine::{Engine, EngineConfig, Following, Reaction};
        use crate::error::{BridgeError, FailureKind};
        use crate::model::{KiroState, StatusFetch, Unheld};

        const S: Duration = Duration::from_secs(1);

        fn lost() -> Lost {
            Lost::GaveUp {
                after: 30 * S,
                message: "Request Timeout".into(),
            }
        }

        fn follower(t0: Instant) -> Following {
            Following::new("kiro.x", lost(), Untold::NotHeld(Unheld::Closed), t0)
        }

        fn answer(state: KiroState, cmd: Option<&str>) -> StatusAnswer {
            Ok(StatusFetch {
                status: Arc::new(st(state, cmd)),
                not_modified: false,
                bytes: 1,
            })
        }

        fn failed(kind: FailureKind) -> StatusAnswer {
            Err(BridgeError::Unreachable {
                url: "u".into(),
                kind,
                detail: "refused".into(),
            })
        }

        fn refused() -> StatusAnswer {
            failed(FailureKind::Connect)
        }

        /// One poll's answer at `now`, `held` or not: what the follower says.
        fn poll(f: &mut Following, a: &StatusAnswer, held: bool, now: Instant) -> Next<Decision> {
            let engine = Engine::new(EngineConfig::default(), now);
            let reaction = Reaction::default();
            f.polled(Polled {
                engine: &engine,
                answer: a,
                reaction: &reaction,
                held,
                now,
            })
        }

        /// An unknown outcome: what the status had shown, why the connection could not tell.
        fn unknown_by(next: Next<Decision>) -> (Shown, Untold) {
            match next {
                Next::Done(Decision {
                    outcome: Outcome::Unknown,
                    why: Why::EndUnseen { shown, conn, .. },
                    ..
                }) => (shown, conn),
                other => panic!("not unknown: {other:?}"),
            }
        }

        fn completed_by(next: Next<Decision>) -> (&'static str, Option<Duration>) {
            match next {
                Next::Done(d) if d.outcome == Outcome::Completed => (d.observed_by.unwrap().name(), d.seen),
                other => panic!("not completed: {other:?}"),
            }
        }

        fn ended(confirmed: Confirmed) -> ConnNews {
            ConnNews::Closed {
                close: Close::Ended { took: 45 * S },
                confirmed: Some(confirmed),
            }
        }

        #[test]
        fn the_status_showing_it_then_ready_is_its_end_seen_at_that_poll() {
            let t0 = Instant::now();
            let mut f = follower(t0);
            let busy = answer(KiroState::Busy, Some("kiro.x"));
            assert!(matches!(
                poll(&mut f, &busy, true, t0 + S),
                Next::Tell(Note::Running)
            ));
            let ready = answer(KiroState::Ready, None);
            assert_eq!(
                completed_by(poll(&mut f, &ready, true, t0 + 9 * S)),
                ("status", Some(9 * S))
            );
        }

        /// Case 1: the connection closes while the status shows the command running.
        #[test]
        fn a_close_the_status_contradicts_is_no_end_and_the_status_decides() {
            let t0 = Instant::now();
            let busy = answer(KiroState::Busy, Some("kiro.x"));
            let mut f = follower(t0);
            for i in 1..=4 {
                poll(&mut f, &busy, true, t0 + i * S);
            }
            // The status is asked afresh before the close is believed; it still shows it.
            assert!(matches!(f.conn(ended(Confirmed::Yes)), Next::Ask));
            assert!(matches!(
                poll(&mut f, &busy, false, t0 + 5 * S),
                Next::Tell(Note::ClosedWhileRunning)
            ));
            assert!(matches!(
                poll(&mut f, &busy, false, t0 + 6 * S),
                Next::Tell(Note::Running)
            ));
            let ready = answer(KiroState::Ready, None);
            assert_eq!(
                completed_by(poll(&mut f, &ready, false, t0 + 20 * S)),
                ("status", Some(20 * S))
            );
            // Asked afresh, it no longer shows it (a status older than the close): the close
            // was the end, seen when it came.
            let mut f = follower(t0);
            poll(&mut f, &busy, true, t0 + S);
            assert!(matches!(f.conn(ended(Confirmed::Yes)), Next::Ask));
            assert_eq!(
                completed_by(poll(&mut f, &ready, false, t0 + 46 * S)),
                ("connection", Some(45 * S))
            );
            // The status then unreadable: the close still proves nothing.
            let mut f = follower(t0);
            poll(&mut f, &busy, true, t0 + S);
            f.conn(ended(Confirmed::Yes));
            poll(&mut f, &busy, false, t0 + 2 * S);
            assert_eq!(
                unknown_by(poll(&mut f, &failed(FailureKind::Timeout), false, t0 + 12 * S)),
                (Shown::Running, Untold::WentAway("refused".into()))
            );
        }

        /// Case 2: another command shown current is not ours ending.
        #[test]
        fn another_command_current_cannot_tell_ours() {
            let t0 = Instant::now();
            let busy = answer(KiroState::Busy, Some("kiro.x"));
            let other = answer(KiroState::Busy, Some("kiro.b"));
            let mut f = follower(t0);
            poll(&mut f, &busy, false, t0 + S);
            assert_eq!(
                unknown_by(poll(&mut f, &other, false, t0 + 5 * S)).0,
                Shown::Other(Some("kiro.b".into()))
            );
            // With the connection held it decides.
            let mut f = follower(t0);
            poll(&mut f, &busy, true, t0 + S);
            assert!(matches!(poll(&mut f, &other, true, t0 + 5 * S), Next::Quiet(_)));
            assert_eq!(
                completed_by(f.conn(ended(Confirmed::Yes))),
                ("connection", Some(45 * S))
            );
        }

        /// Case 3: a close that cannot be confirmed.
        #[test]
        fn only_a_confirmed_close_is_the_end() {
            let t0 = Instant::now();
            let ready = answer(KiroState::Ready, None);
            let quiet = |f: &mut Following| {
                poll(f, &ready, true, t0);
                assert!(matches!(poll(f, &ready, true, t0 + S), Next::Quiet(_)));
            };
            let table = [
                (
                    Confirmed::WentAway("refused".into()),
                    Untold::WentAway("refused".into()),
                ),
                (Confirmed::Restarted, Untold::Restarted),
                (Confirmed::Unhealthy, Untold::Unhealthy),
                (
                    Confirmed::Rejected("HTTP 401".into()),
                    Untold::Rejected("HTTP 401".into()),
                ),
                (Confirmed::Unknowable, Untold::Unknowable),
            ];
            for (confirmed, untold) in table {
                // A bridge gone, restarted or unwell: unknown at once; a close that could not
                // be confirmed hands over to the status while it still answers.
                match confirmed {
                    Confirmed::Unknowable => assert!(matches!(
                        follower(t0).conn(ended(confirmed.clone())),
                        Next::Tell(Note::ClosedUntold)
                    )),
                    _ => assert_eq!(unknown_by(follower(t0).conn(ended(confirmed.clone()))).1, untold),
                }
                let mut f = follower(t0);
                quiet(&mut f);
                assert_eq!(unknown_by(f.conn(ended(confirmed))), (Shown::Never, untold));
            }
            let mut f = follower(t0);
            quiet(&mut f);
            assert_eq!(
                completed_by(f.conn(ended(Confirmed::Yes))),
                ("connection", Some(45 * S))
            );
        }

        /// A close that proves nothing hands over to the status, or ends in unknown when the
        /// status has already said it cannot tell.
        #[test]
        fn closes_that_prove_nothing() {
            let t0 = Instant::now();
            let ready = answer(KiroState::Ready, None);
            for (news, untold) in [
                (
                    ConnNews::Closed {
                        close: Close::Late { idle: 6 * S },
                        confirmed: None,
                    },
                    Untold::Late { idle: 6 * S },
                ),
                (
                    ConnNews::Garbled("not HTTP".into()),
                    Untold::Garbled("not HTTP".into()),
                ),
                // Case 4: a frozen bridge's ping.
                (
                    ConnNews::Silent { after: 10 * S },
                    Untold::Silent { after: 10 * S },
                ),
            ] {
                let mut f = follower(t0);
                assert!(matches!(f.conn(news.clone()), Next::Tell(_)), "{news:?}");
                poll(&mut f, &ready, false, t0);
                assert_eq!(
                    unknown_by(poll(&mut f, &ready, false, t0 + S)),
                    (Shown::Never, untold)
                );
                let mut f = follower(t0);
                poll(&mut f, &ready, true, t0);
                poll(&mut f, &ready, true, t0 + S);
                unknown_by(f.conn(news));
            }
        }

        /// Case 4: nothing answers: unknown within one request timeout, never "running".
        #[test]
        fn a_status_unanswered_with_nothing_held_is_unknown() {
            let t0 = Instant::now();
            let mut f = follower(t0);
            poll(&mut f, &answer(KiroState::Busy, Some("kiro.x")), true, t0);
            assert!(matches!(
                poll(&mut f, &failed(FailureKind::Timeout), true, t0 + 10 * S),
                Next::Tell(Note::StatusFailed(_))
            ));
            assert!(matches!(
                f.conn(ConnNews::Silent { after: 10 * S }),
                Next::Tell(Note::ConnSilent)
            ));
            assert_eq!(
                unknown_by(poll(&mut f, &failed(FailureKind::Timeout), false, t0 + 20 * S)),
                (Shown::Running, Untold::WentAway("refused".into()))
            );
            // The status quiet (it cannot tell), the ping unanswered: unknown at once.
            let ready = answer(KiroState::Ready, None);
            let mut f = follower(t0);
            poll(&mut f, &ready, true, t0);
            poll(&mut f, &ready, true, t0 + S);
            assert_eq!(
                unknown_by(f.conn(ConnNews::Silent { after: 10 * S })),
                (Shown::Never, Untold::Silent { after: 10 * S })
            );
        }

        #[test]
        fn refusals_end_it_only_with_no_connection_held() {
            let t0 = Instant::now();
            let mut f = follower(t0);
            for _ in 0..5 {
                assert!(matches!(
                    poll(&mut f, &refused(), true, t0),
                    Next::Tell(Note::StatusFailed(_))
                ));
            }
            let mut f = follower(t0);
            assert!(matches!(poll(&mut f, &refused(), false, t0), Next::Tell(_)));
            assert!(matches!(poll(&mut f, &refused(), false, t0), Next::Tell(_)));
            assert_eq!(
                unknown_by(poll(&mut f, &refused(), false, t0)).1,
                Untold::WentAway("refused".into())
            );
        }

        /// Case 5: five minutes free the bridge's slot; they end nothing.
        #[test]
        fn five_minutes_are_said_once_and_end_nothing() {
            let t0 = Instant::now();
            let mut f = follower(t0);
            assert_eq!(f.due(), Some(t0 + SLOT_FREED_AFTER));
            assert!(matches!(
                f.at(t0 + SLOT_FREED_AFTER),
                Next::Tell(Note::SlotFreed { .. })
            ));
            assert_eq!(f.due(), None);
            let ready = answer(KiroState::Ready, None);
            poll(&mut f, &ready, true, t0 + 301 * S);
            poll(&mut f, &ready, true, t0 + 302 * S);
            match f.conn(ended(Confirmed::Yes)) {
                Next::Done(d) => assert_eq!((d.outcome, d.slot_freed), (Outcome::Completed, true)),
                other => panic!("{other:?}"),
            }
        }
    }
}
