//! What `kiro_wait` decides after each poll (its observer for `crate::driver`), pure: whether its goal holds now, may still come,
//! or never can (the key was rejected, so the bridge is never asked again). `change` counts
//! from the first answer: the snapshot is not a change.

use super::observe::{Next, Note, Observer, Polled};
use super::{End, Engine, Goal, Reaction};
use crate::error::BridgeError;

/// Where a wait stands after a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The goal at this index of those given holds (the first that does).
    Reached(usize),
    Waiting,
    /// The key was rejected: it cannot be reached.
    Never,
}

/// One wait for a goal.
#[derive(Debug)]
pub struct Awaiting {
    goals: Vec<Goal>,
    changed: bool,
}

impl Awaiting {
    /// Waiting for any of `goals` (the first that holds ends it).
    pub fn new(goals: Vec<Goal>) -> Awaiting {
        Awaiting {
            goals,
            changed: false,
        }
    }

    /// After the engine took a poll's answer (or failure) and reacted.
    pub fn after(&mut self, engine: &Engine, reaction: &Reaction) -> Standing {
        self.changed |= reaction.events.iter().any(|e| e.kind.is_change());
        if reaction.end == Some(End::Fatal) {
            return Standing::Never;
        }
        let status = engine.answered_status();
        match self.goals.iter().position(|g| g.holds(status, self.changed)) {
            Some(i) => Standing::Reached(i),
            None => Standing::Waiting,
        }
    }
}

/// `kiro_wait`'s observer: done when a goal holds (Ok: which) or none ever can (the
/// rejection); each answer told as the status it showed.
impl Observer for Awaiting {
    type Done = Result<Goal, BridgeError>;

    fn polled(&mut self, p: Polled<'_>) -> Next<Self::Done> {
        match (self.after(p.engine, p.reaction), p.answer) {
            (Standing::Reached(i), _) => Next::Done(Ok(self.goals[i].clone())),
            (Standing::Never, Err(e)) => Next::Done(Err(e.clone())),
            (_, Err(e)) => Next::Tell(Note::StatusFailed(e.short())),
            (_, Ok(f)) => Next::Tell(Note::Status(std::sync::Arc::clone(&f.status))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant, SystemTime};

    use super::*;
    use crate::engine::{EngineConfig, Failure, Goal, Received};
    use crate::error::FailureKind;
    use crate::model::{KiroState, KiroStatus};

    fn st(state: KiroState, cmds: &[&str]) -> Arc<KiroStatus> {
        Arc::new(KiroStatus {
            status: state,
            current_command: None,
            version: Some("1.94.0".into()),
            available_commands: cmds.iter().map(|s| s.to_string()).collect(),
            timestamp: None,
        })
    }

    /// Feed the answers one poll apart (None: a failed poll; Some(None): a rejected key) and
    /// say where the wait stood after each.
    fn standings(goals: Vec<Goal>, answers: &[Option<Option<Arc<KiroStatus>>>]) -> Vec<Standing> {
        let t0 = Instant::now();
        let cfg = EngineConfig {
            jitter_seed: Some(1),
            ..EngineConfig::default()
        };
        let mut engine = Engine::new(cfg, t0);
        let mut wait = Awaiting::new(goals);
        let down = |fatal| Failure {
            kind: if fatal {
                FailureKind::Auth
            } else {
                FailureKind::Connect
            },
            message: "no".into(),
            retry_after: None,
            fatal,
        };
        answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let now = t0 + Duration::from_secs(10 * i as u64);
                let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(10 * i as u64);
                engine.poll_now(now);
                engine.start_poll(now, wall).expect("due");
                let reaction = match a {
                    Some(Some(s)) => engine.on_success(now, wall, Arc::clone(s), Received::default()),
                    Some(None) => engine.on_failure(now, wall, &down(true)),
                    None => engine.on_failure(now, wall, &down(false)),
                };
                wait.after(&engine, &reaction)
            })
            .collect()
    }

    use Standing::*;

    #[test]
    fn a_state_holds_on_the_answer_that_shows_it() {
        let ready = st(KiroState::Ready, &["a"]);
        let busy = st(KiroState::Busy, &["a"]);
        let got = standings(vec![Goal::Ready], &[Some(Some(busy)), None, Some(Some(ready))]);
        assert_eq!(got, [Waiting, Waiting, Reached(0)]);
    }

    #[test]
    fn change_is_not_the_first_answer_and_a_failure_is_no_state() {
        let ready = st(KiroState::Ready, &["a"]);
        let busy = st(KiroState::Busy, &["a"]);
        let got = standings(
            vec![Goal::Change],
            &[Some(Some(ready.clone())), Some(Some(ready)), Some(Some(busy))],
        );
        assert_eq!(got, [Waiting, Waiting, Reached(0)]);
        let got = standings(vec![Goal::Unavailable], &[None, None]);
        assert_eq!(
            got,
            [Waiting, Waiting],
            "a bridge that does not answer is in no state"
        );
    }

    #[test]
    fn a_command_appearing_or_going_and_a_rejected_key_that_ends_it() {
        let without = st(KiroState::Ready, &["a"]);
        let with = st(KiroState::Ready, &["a", "kiro.x"]);
        let got = standings(
            vec![Goal::Available("kiro.x".into())],
            &[Some(Some(without.clone())), Some(Some(with.clone()))],
        );
        assert_eq!(got, [Waiting, Reached(0)]);
        let got = standings(
            vec![Goal::Missing("kiro.x".into())],
            &[None, Some(Some(with)), Some(Some(without))],
        );
        assert_eq!(got, [Waiting, Waiting, Reached(0)], "missing needs an answer");
        let got = standings(vec![Goal::Ready], &[None, Some(None)]);
        assert_eq!(got, [Waiting, Never]);
    }

    #[test]
    fn of_several_goals_the_first_that_holds_is_the_one_reached() {
        let busy = st(KiroState::Busy, &["a"]);
        let down = st(KiroState::Unavailable, &["a"]);
        let goals = vec![Goal::Ready, Goal::Unavailable, Goal::Busy];
        let got = standings(goals.clone(), &[None, Some(Some(down))]);
        assert_eq!(got, [Waiting, Reached(1)]);
        let got = standings(goals, &[Some(Some(busy))]);
        assert_eq!(got, [Reached(2)]);
    }
}
