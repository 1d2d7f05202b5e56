//! Signals, as a stream the polling loops select on: Ctrl-C (130), SIGTERM (143), and SIGCONT
//! (resumed after Ctrl-Z: the timer we were waiting on is stale, poll at once).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    Interrupt,
    Terminate,
    Continue,
}

impl Sig {
    /// The exit code a signal ends the program with.
    pub fn exit_code(self) -> u8 {
        match self {
            Sig::Interrupt => 130,
            Sig::Terminate => 143,
            Sig::Continue => 0,
        }
    }
}

#[cfg(unix)]
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            cont: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }

    pub async fn recv(&mut self) -> Sig {
        tokio::select! {
            _ = self.int.recv() => Sig::Interrupt,
            _ = self.term.recv() => Sig::Terminate,
            _ = self.cont.recv() => Sig::Continue,
        }
    }
}

#[cfg(not(unix))]
pub struct Signals;

#[cfg(not(unix))]
impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    pub async fn recv(&mut self) -> Sig {
        let _ = tokio::signal::ctrl_c().await;
        Sig::Interrupt
    }
}
