//! `exec --wait` after the answer was lost (a 408, a dropped connection): what the status says
//! about the command we sent. A spec bridge shows it busy while it runs; the real bridge never
//! does, so a command never seen after a few polls is an unknown outcome, not a success.

use std::time::{Duration, Instant};

use super::held::{Close, Confirmed};
use super::observe::{ConnNews, Next, Note, Observer, Polled};
use super::outcome::{Decision, Lost, Outcome, Sign, Untold, Why};
use super::{End, Engine};
use crate::error::FailureKind;
use crate::model::{KiroState, KiroStatus};

#[derive(Debug)]
pub struct Follow {
    command: String,
    seen: bool,
    unseen_polls: u32,
    /// Status requests refused in a row.
    refused: u32,
}

/// What one status answer means for the followed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The status shows it running: keep waiting.
    Running,
    /// Not shown yet: look again.
    NotYetSeen,
    /// Shown running before, not any more: it finished (how, the status cannot say).
    Completed,
    /// Never shown: the status cannot tell what became of it. `unavailable`: the last status
    /// said Kiro is unavailable (worth saying: the command may never have run).
    Unknown { unavailable: bool },
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
            unseen_polls: 0,
            refused: 0,
        }
    }

    pub fn seen(&self) -> bool {
        self.seen
    }

    /// A status request was refused (nothing listens): true once `REFUSED_POLLS` came in a
    /// row, when the bridge is taken for gone.
    pub fn refused(&mut self) -> bool {
        self.refused += 1;
        self.refused >= Self::REFUSED_POLLS
    }

    pub fn observe(&mut self, status: &KiroStatus) -> Verdict {
        self.refused = 0;
        let shows_it = status.status == KiroState::Busy
            && status.current_command.as_deref() == Some(self.command.as_str());
        if shows_it {
            self.seen = true;
            return Verdict::Running;
        }
        if self.seen {
            return Verdict::Completed;
        }
        self.unseen_polls += 1;
        if self.unseen_polls >= Self::UNSEEN_POLLS {
            Verdict::Unknown {
                unavailable: status.status == KiroState::Unavailable,
            }
        } else {
            Verdict::NotYetSeen
        }
    }
}

/// The command follower: after a lost answer, what the status and the held connection show of
/// the command, until one shows its end (or shows it cannot).
#[derive(Debug)]
pub struct Following {
    follow: Follow,
    lost: Lost,
    /// Why the connection could not show the end, should it come to that.
    untold: Untold,
    /// Some(unavailable): the status showed it cannot tell (it never showed the command).
    told: Option<bool>,
    posted: Instant,
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
        }
    }

    fn unknown(&self, unavailable: bool) -> Decision {
        let why = Why::NeverShown {
            lost: self.lost.clone(),
            unavailable,
            conn: self.untold.clone(),
        };
        Decision::new(Outcome::Unknown, why)
    }

    /// `--timeout` ran out at `now` after `limit`; `held`: the connection was still open (the
    /// command still running).
    pub fn timed_out(&self, engine: &Engine, now: Instant, limit: Duration, held: bool) -> Decision {
        let seen = self.follow.seen().then(|| engine.last_seen(now));
        let why = Why::FollowedOut {
            limit,
            lost: self.lost.clone(),
            seen,
            held,
        };
        Decision::new(Outcome::TimedOut, why)
    }
}

impl Observer for Following {
    type Done = Decision;

    fn polled(&mut self, p: Polled<'_>) -> Next<Decision> {
        match p.answer {
            Ok(fetch) => match self.follow.observe(&fetch.status) {
                Verdict::Running => Next::Tell(Note::Running),
                Verdict::NotYetSeen => Next::Go,
                Verdict::Completed => {
                    let took = p.now.saturating_duration_since(self.posted);
                    Next::Done(Decision::completed(Sign::Status, took))
                }
                Verdict::Unknown { unavailable } if !p.held => Next::Done(self.unknown(unavailable)),
                Verdict::Unknown { unavailable } => {
                    self.told = Some(unavailable);
                    Next::Quiet(Note::StatusCannotTell)
                }
            },
            Err(e) if p.reaction.end == Some(End::Fatal) => Next::Done(Decision::bridge(e.clone())),
            // Nothing listens any more (with no connection held to tell): the bridge is gone,
            // and the command's outcome with it unknown.
            Err(e) if e.kind() == FailureKind::Connect && !p.held && self.follow.refused() => {
                self.untold = Untold::WentAway(e.short());
                Next::Done(self.unknown(false))
            }
            Err(e) => Next::Tell(Note::StatusFailed(e.short())),
        }
    }

    fn conn(&mut self, news: ConnNews) -> Next<Decision> {
        let note = match news {
            ConnNews::Closed {
                close: close @ (Close::Ended { took } | Close::Abandoned { took }),
                confirmed: Some(confirmed),
            } => {
                match confirmed {
                    Confirmed::Yes if matches!(close, Close::Abandoned { .. }) => {
                        return Next::Done(Decision::abandoned(took))
                    }
                    Confirmed::Yes => return Next::Done(Decision::completed(Sign::Connection, took)),
                    // A bridge gone or restarted shows nothing more of the command: unknown
                    // now, not after --timeout.
                    Confirmed::WentAway(what) => self.untold = Untold::WentAway(what),
                    Confirmed::Restarted => self.untold = Untold::Restarted,
                }
                return Next::Done(self.unknown(self.told.unwrap_or(false)));
            }
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
        };
        match self.told {
            Some(unavailable) => Next::Done(self.unknown(unavailable)),
            None => Next::Tell(note),
        }
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

    #[test]
    fn follow_completes_only_after_seeing_the_command() {
        let busy = st(KiroState::Busy, Some("kiro.generateCode"));
        let other = st(KiroState::Busy, Some("vscode.open"));
        let ready = st(KiroState::Ready, None);
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(
            f.observe(&other),
            Verdict::Completed,
            "another command now: ours is done"
        );

        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(
            f.observe(&ready),
            Verdict::NotYetSeen,
            "a spec bridge may lag a poll"
        );
        assert_eq!(f.observe(&busy), Verdict::Running);
        assert_eq!(f.observe(&ready), Verdict::Completed);
        assert!(f.seen());
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

    #[test]
    fn follow_never_seeing_the_command_is_unknown() {
        // The real bridge: always ready, never the command.
        let ready = st(KiroState::Ready, None);
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(f.observe(&ready), Verdict::NotYetSeen);
        assert_eq!(f.observe(&ready), Verdict::Unknown { unavailable: false });
        assert!(!f.seen());
        let mut f = Follow::new("kiro.generateCode");
        assert_eq!(
            f.observe(&st(KiroState::Busy, Some("other"))),
            Verdict::NotYetSeen
        );
        let down = st(KiroState::Unavailable, None);
        let mut f = Follow::new("kiro.generateCode");
        f.observe(&down);
        assert_eq!(f.observe(&down), Verdict::Unknown { unavailable: true });
    }

    mod following {
        use std::sync::Arc;
        use std::time::{Duration, Instant};

        use super::st;
        use crate::engine::held::{Close, Confirmed};
        use crate::engine::observe::{ConnNews, Next, Note, Observer, Polled, StatusAnswer};
        use crate::engine::outcome::{Decision, Lost, Outcome, Untold, Why};
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

        fn refused() -> StatusAnswer {
            Err(BridgeError::Unreachable {
                url: "u".into(),
                kind: FailureKind::Connect,
                detail: "refused".into(),
            })
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

        fn unknown_by(next: Next<Decision>) -> Untold {
            match next {
                Next::Done(Decision {
                    outcome: Outcome::Unknown,
                    why: Why::NeverShown { conn, .. },
                    ..
                }) => conn,
                other => panic!("not unknown: {other:?}"),
            }
        }

        #[test]
        fn the_status_showing_it_then_not_is_its_end_seen_at_that_poll() {
            let t0 = Instant::now();
            let mut f = follower(t0);
            let busy = answer(KiroState::Busy, Some("kiro.x"));
            assert!(matches!(
                poll(&mut f, &busy, true, t0 + S),
                Next::Tell(Note::Running)
            ));
            match poll(&mut f, &answer(KiroState::Ready, None), true, t0 + 9 * S) {
                Next::Done(d) => assert_eq!((d.outcome, d.seen), (Outcome::Completed, Some(9 * S))),
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn a_status_that_cannot_tell_hands_over_to_the_held_connection() {
            let t0 = Instant::now();
            let ready = answer(KiroState::Ready, None);
            let mut f = follower(t0);
            assert!(matches!(poll(&mut f, &ready, true, t0), Next::Go));
            assert!(matches!(
                poll(&mut f, &ready, true, t0 + S),
                Next::Quiet(Note::StatusCannotTell)
            ));
            // The connection then closes late: nothing more can tell, so unknown at once.
            let late = ConnNews::Closed {
                close: Close::Late { idle: 6 * S },
                confirmed: None,
            };
            assert_eq!(unknown_by(f.conn(late)), Untold::Late { idle: 6 * S });
            // Without a held connection the status's word is the last.
            let mut f = follower(t0);
            poll(&mut f, &ready, false, t0);
            unknown_by(poll(&mut f, &ready, false, t0 + S));
        }

        #[test]
        fn a_confirmed_close_is_the_end_and_a_bridge_gone_is_unknown() {
            let t0 = Instant::now();
            let ended = |confirmed| ConnNews::Closed {
                close: Close::Ended { took: 45 * S },
                confirmed: Some(confirmed),
            };
            match follower(t0).conn(ended(Confirmed::Yes)) {
                Next::Done(d) => assert_eq!(
                    (d.outcome, d.observed_by),
                    (Outcome::Completed, Some("connection"))
                ),
                other => panic!("{other:?}"),
            }
            let gone = follower(t0).conn(ended(Confirmed::WentAway("refused".into())));
            assert_eq!(unknown_by(gone), Untold::WentAway("refused".into()));
            assert_eq!(
                unknown_by(follower(t0).conn(ended(Confirmed::Restarted))),
                Untold::Restarted
            );
            let abandoned = ConnNews::Closed {
                close: Close::Abandoned { took: 300 * S },
                confirmed: Some(Confirmed::Yes),
            };
            match follower(t0).conn(abandoned) {
                Next::Done(d) => assert_eq!(d.outcome, Outcome::Abandoned),
                other => panic!("{other:?}"),
            }
            // Garbled, with the status still asked: it goes on by the status.
            let mut f = follower(t0);
            assert!(matches!(
                f.conn(ConnNews::Garbled("not HTTP".into())),
                Next::Tell(Note::Untrusted)
            ));
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
                unknown_by(poll(&mut f, &refused(), false, t0)),
                Untold::WentAway("refused".into())
            );
        }
    }
}
