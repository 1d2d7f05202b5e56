//! What a wait on one bridge makes of each poll, pure. The driver (`crate::driver`) does the
//! I/O (the schedule, one request at a time, the connection an execute was answered on) and
//! hands every reaction of the engine to an `Observer`, which says whether the wait goes on,
//! what is worth telling, and when it is over. Three observers: the command follower
//! (`follow::Following`, for `exec --wait` and `kiro_exec`), the goal check
//! (`awaiting::Awaiting`, for `kiro_wait`; the fleet's roster checks goals the same way) and
//! "worth an update" (`Updates`, for the `kiro://status` resource).

use std::sync::Arc;
use std::time::Instant;

use super::held::{Close, Confirmed};
use super::outcome::{Lost, Shown};
use super::{Engine, Reaction};
use crate::error::BridgeError;
use crate::events::EventKind;
use crate::model::{KiroStatus, StatusFetch, Unheld};

/// A status poll's answer, as the driver hands it on.
pub type StatusAnswer = Result<StatusFetch, BridgeError>;

/// What an observer says after a poll, or after news of the held connection.
#[derive(Debug)]
pub enum Next<T> {
    /// Go on.
    Go,
    /// Go on, and tell this.
    Tell(Note),
    /// Stop asking the status (it cannot tell); go on with the held connection; tell this.
    Quiet(Note),
    /// Ask the status now (afresh), and go on.
    Ask,
    /// The wait is over.
    Done(T),
}

/// News of a wait, typed; `output::progress` puts it in words.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The execute was sent; its answer is awaited.
    Sent,
    /// Its answer was lost; the command is followed (`unheld`: why no connection is held).
    Following { lost: Lost, unheld: Option<Unheld> },
    /// The bridge answered with this status.
    Status(Arc<KiroStatus>),
    /// The status could not be read (what happened); asked again.
    StatusFailed(String),
    /// What the resource reads as changed.
    Changed,
    /// The followed command shows running.
    Running,
    /// The status cannot show the followed command's end (what it showed); the held
    /// connection is followed.
    StatusCannotTell(Shown),
    /// The held connection closed without showing the end; the status is followed.
    ClosedUntold,
    /// The held connection closed while the status showed the command running: the status
    /// decides.
    ClosedWhileRunning,
    /// A ping on the held connection went unanswered; it was let go; the status is followed.
    ConnSilent,
    /// The bridge's own limit on a command passed (`after` the POST): it has freed the slot,
    /// while Kiro may still run it. Followed on.
    SlotFreed { after: std::time::Duration },
    /// The held connection answered nonsense and was let go; the status is followed.
    Untrusted,
}

impl Note {
    /// Worth a line that stays, not only a spinner's passing message: the bridge freed the
    /// slot of a command Kiro may still run.
    pub fn lasting(&self) -> bool {
        matches!(self, Note::SlotFreed { .. })
    }
}

/// What the connection an execute was answered on showed.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnNews {
    /// It closed: what the close means (`held.rs`), and for an end, what asking the bridge
    /// afresh confirmed.
    Closed {
        close: Close,
        confirmed: Option<Confirmed>,
    },
    /// It answered nonsense (what), so it was let go of: its close would be ours.
    Garbled(String),
    /// A ping on it went unanswered for `after` (`--request-timeout`), so it was let go of.
    Silent { after: std::time::Duration },
}

/// A poll as the engine took it.
pub struct Polled<'a> {
    pub engine: &'a Engine,
    pub answer: &'a StatusAnswer,
    pub reaction: &'a Reaction,
    /// A connection is still held.
    pub held: bool,
    pub now: Instant,
}

/// One wait's judgement of each poll.
pub trait Observer {
    type Done;

    /// After the engine took a poll's answer and reacted.
    fn polled(&mut self, p: Polled<'_>) -> Next<Self::Done>;

    /// News of the held connection (only a wait that holds one gets any).
    fn conn(&mut self, news: ConnNews) -> Next<Self::Done> {
        let _ = news;
        Next::Go
    }

    /// When the observer wants to be asked again whatever happens (`at`); None: never.
    fn due(&self) -> Option<Instant> {
        None
    }

    /// `due` came.
    fn at(&mut self, now: Instant) -> Next<Self::Done> {
        let _ = now;
        Next::Go
    }
}

/// "Worth an update": the resource tells its subscribers of each event that changes what it
/// reads as; a rejected key ends its polling (the key is never sent again).
#[derive(Debug, Default)]
pub struct Updates;

/// Does this event change what the resource reads as (the status, or that it cannot be
/// read)? A snapshot does not: it is what the subscriber reads next anyway.
pub fn worth_an_update(kind: &EventKind) -> bool {
    kind.is_change()
        || matches!(
            kind,
            EventKind::Unreachable { .. } | EventKind::Recovered { .. } | EventKind::Rejected { .. }
        )
}

impl Observer for Updates {
    /// The key was rejected.
    type Done = ();

    fn polled(&mut self, p: Polled<'_>) -> Next<()> {
        let reaction = p.reaction;
        if reaction.end == Some(super::End::Fatal) {
            return Next::Done(());
        }
        match reaction.events.iter().any(|e| worth_an_update(&e.kind)) {
            true => Next::Tell(Note::Changed),
            false => Next::Go,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KiroState;

    #[test]
    fn updates_are_for_what_changes_the_reading() {
        let changed = EventKind::StatusChanged {
            from: KiroState::Ready,
            to: KiroState::Busy,
        };
        assert!(worth_an_update(&changed));
        assert!(worth_an_update(&EventKind::Rejected { message: "no".into() }));
        let snapshot = EventKind::Snapshot {
            status: KiroState::Ready,
            current_command: None,
            version: None,
            available_commands: vec![],
        };
        assert!(!worth_an_update(&snapshot));
        assert!(!worth_an_update(&EventKind::Heartbeat {
            status: None,
            polls: 1
        }));
    }
}
