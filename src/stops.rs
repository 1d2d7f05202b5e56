//! What ends or pauses a wait, for a watch of any number of bridges and for a wait on one
//! bridge alike: Ctrl-C, SIGTERM and a hang-up end it, Ctrl-Z tidies the screen and stops the
//! process, `fg` gives the screen back, and the deadline ends it. One handling, so the watch
//! and exec cannot drift apart. Also what a wait on one bridge (`crate::driver`) races each
//! step against: a `Waiter`'s typed stops, here on a terminal, in `mcp` a call's cancellation.

use std::future::Future;

use tokio::time::Instant;

use crate::engine::observe::Note;
use crate::engine::schedule::later;
use crate::engine::Halt;
use crate::output::terminal;
use crate::platform::{self, Sig, Signals};
use crate::units::MAX_DURATION;

/// What is on screen while waiting: taken down before a stop, put back after it; where a
/// wait's news is shown.
pub trait Screen {
    fn suspend(&mut self);
    fn resume(&mut self);
    fn say(&mut self, _msg: &str) {}
    /// News worth a line of its own that stays (not only the spinner's passing message).
    fn log(&mut self, msg: &str) {
        self.say(msg)
    }
}

/// What wakes a wait: what ends it, or a resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A signal, the call's cancellation, or the deadline.
    Halt(Halt),
    /// Back from Ctrl-Z (a terminal's only): the bridge is asked at once, the screen redrawn.
    Resumed,
}

/// What stops a wait on one bridge and where its news goes: on a terminal the signals, the
/// deadline and the spinner (`OnTerminal`); over MCP the call's cancellation, the deadline and
/// progress notifications.
pub trait Waiter {
    /// The next stop, or a resume.
    fn next(&mut self) -> impl Future<Output = Wake>;
    /// Only what ends it early (never `Halt::TimedOut`), whatever the deadline: for a request
    /// that keeps its own limit.
    fn halt(&mut self) -> impl Future<Output = Halt>;
    /// News of the wait.
    fn tell(&mut self, note: Note) -> impl Future<Output = ()>;
}

/// A waiter that never stops: for a loop aborted from outside; its news goes to `tell`.
pub struct Forever<F>(pub F);

impl<F: FnMut(Note) -> R, R: Future<Output = ()>> Waiter for Forever<F> {
    async fn next(&mut self) -> Wake {
        std::future::pending().await
    }

    async fn halt(&mut self) -> Halt {
        std::future::pending().await
    }

    async fn tell(&mut self, note: Note) {
        (self.0)(note).await
    }
}

/// A wait in a shell: the signals and the deadline, the screen (a spinner) for its news.
pub struct OnTerminal<'a, S> {
    pub stops: &'a mut Stops,
    pub screen: S,
}

impl<S: Screen> Waiter for OnTerminal<'_, S> {
    async fn next(&mut self) -> Wake {
        let deadline = self.stops.deadline;
        tokio::select! {
            biased;
            w = self.stops.signal(&mut self.screen) => w,
            _ = tokio::time::sleep_until(deadline) => Wake::Halt(Halt::TimedOut),
        }
    }

    async fn halt(&mut self) -> Halt {
        Halt::Signal(self.stops.ending_signal(&mut self.screen).await)
    }

    async fn tell(&mut self, note: Note) {
        let msg = crate::output::progress(&note);
        match note.lasting() {
            true => self.screen.log(&msg),
            false => self.screen.say(&msg),
        }
    }
}

/// The signals, and the deadline.
pub struct Stops {
    signals: Signals,
    deadline: Instant,
}

impl Stops {
    /// Listen for signals from now on; `deadline`: when the wait gives up (None: never).
    pub fn install(deadline: Option<Instant>) -> Result<Stops, crate::error::Failure> {
        let far = Instant::from_std(later(std::time::Instant::now(), MAX_DURATION));
        Ok(Stops {
            signals: Signals::install()
                .map_err(|e| crate::error::Failure::system("listen for signals", e))?,
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
    pub fn on_signal(&mut self, sig: Sig, screen: &mut dyn Screen) -> Option<Wake> {
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
                Some(Wake::Resumed)
            }
            s => Some(Wake::Halt(Halt::Signal(s))),
        }
    }

    /// The next signal that ends the wait or resumes it (Ctrl-Z is handled on the way).
    async fn signal(&mut self, screen: &mut dyn Screen) -> Wake {
        loop {
            let sig = self.signals.recv().await;
            if let Some(s) = self.on_signal(sig, screen) {
                return s;
            }
        }
    }

    /// Only a signal that ends the wait (Ctrl-Z and `fg` are handled on the way).
    async fn ending_signal(&mut self, screen: &mut dyn Screen) -> Sig {
        loop {
            if let Wake::Halt(Halt::Signal(sig)) = self.signal(screen).await {
                return sig;
            }
        }
    }
}
