//! What ends or pauses a wait, for a watch of any number of bridges and for `exec --wait`
//! alike: Ctrl-C, SIGTERM and a hang-up end it (with their exit codes), Ctrl-Z tidies the
//! screen and stops the process, `fg` gives the screen back, and the deadline ends it. One
//! handling, so the watch and exec cannot drift apart.

use tokio::time::Instant;

use crate::engine::schedule::later;
use crate::engine::End;
use crate::output::terminal;
use crate::platform::{self, Sig, Signals};
use crate::units::MAX_DURATION;

/// What is on screen while waiting: taken down before a stop, put back after it.
pub trait Screen {
    fn suspend(&mut self);
    fn resume(&mut self);
}

/// What came of waiting on the stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// The wait ends: `End::Signal` or `End::TimedOut`.
    Ends(End),
    /// Back from Ctrl-Z: the caller polls at once and redraws.
    Continued,
}

pub struct Stops {
    signals: Signals,
    deadline: Instant,
}

impl Stops {
    /// Listen for signals from now on; `deadline`: when the wait gives up (None: never).
    pub fn install(deadline: Option<Instant>) -> anyhow::Result<Stops> {
        let far = Instant::from_std(later(std::time::Instant::now(), MAX_DURATION));
        Ok(Stops {
            signals: Signals::install()?,
            deadline: deadline.unwrap_or(far),
        })
    }

    /// When the wait gives up (far off when it never does).
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The next signal, for a loop that times the deadline itself; `on_signal` handles it.
    pub async fn recv(&mut self) -> Sig {
        self.signals.recv().await
    }

    /// What a signal does to the wait: Ctrl-Z takes the screen down and stops the process
    /// (None: nothing for the caller to do), a resume gives it back, the rest end it.
    pub fn on_signal(&mut self, sig: Sig, screen: &mut dyn Screen) -> Option<Interrupt> {
        match sig {
            Sig::Stop => {
                screen.suspend();
                terminal::suspend();
                platform::stop_self();
                None
            }
            Sig::Continue => {
                terminal::resume();
                screen.resume();
                Some(Interrupt::Continued)
            }
            s => Some(Interrupt::Ends(End::Signal { code: s.exit_code() })),
        }
    }

    /// A signal that ends the wait, or the deadline; a resume from Ctrl-Z too, so the caller
    /// can catch up.
    pub async fn next(&mut self, screen: &mut dyn Screen) -> Interrupt {
        let deadline = self.deadline;
        tokio::select! {
            biased;
            i = self.signal(screen, true) => i,
            _ = tokio::time::sleep_until(deadline) => Interrupt::Ends(End::TimedOut),
        }
    }

    /// Only a signal that ends the wait (Ctrl-Z and `fg` are handled on the way), whatever the
    /// deadline: for a request that keeps its own time limit.
    pub async fn ending_signal(&mut self, screen: &mut dyn Screen) -> End {
        match self.signal(screen, false).await {
            Interrupt::Ends(end) => end,
            Interrupt::Continued => unreachable!("resumes are not returned"),
        }
    }

    async fn signal(&mut self, screen: &mut dyn Screen, resumes: bool) -> Interrupt {
        loop {
            let sig = self.signals.recv().await;
            match self.on_signal(sig, screen) {
                Some(Interrupt::Continued) if !resumes => {}
                Some(i) => return i,
                None => {}
            }
        }
    }
}
