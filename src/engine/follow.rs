//! `exec --wait` after the answer was lost (a 408, a dropped connection): what the status says
//! about the command we sent. A spec bridge shows it busy while it runs; the real bridge never
//! does, so a command never seen after a few polls is an unknown outcome, not a success.

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
}
