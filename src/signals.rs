//! Signals, as a stream the polling loops select on: Ctrl-C (130), SIGTERM (143), Ctrl-Z
//! (SIGTSTP: the owner clears its live line, then `stop_self`), and SIGCONT (resumed: redraw,
//! and the timer waited on is stale, so poll at once).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    Interrupt,
    Terminate,
    /// Ctrl-Z: tidy the terminal, then `stop_self`.
    Stop,
    Continue,
}

impl Sig {
    /// The exit code a signal ends the program with (Interrupt and Terminate).
    pub fn exit_code(self) -> u8 {
        match self {
            Sig::Interrupt => 130,
            Sig::Terminate => 143,
            Sig::Stop | Sig::Continue => 0,
        }
    }
}

/// Stop the process as Ctrl-Z would have, once the terminal is tidy. Catching SIGTSTP replaced
/// its default action, so the stop is SIGSTOP; the shell sees a stopped job all the same.
pub fn stop_self() {
    #[cfg(unix)]
    // SAFETY: raising a signal at ourselves.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}

#[cfg(unix)]
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    tstp: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            tstp: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            cont: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }

    pub async fn recv(&mut self) -> Sig {
        tokio::select! {
            _ = self.int.recv() => Sig::Interrupt,
            _ = self.term.recv() => Sig::Terminate,
            _ = self.tstp.recv() => Sig::Stop,
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

/// Raise the soft open-files limit to the hard one: a fleet holds a socket per bridge.
/// Returns the limit now in force.
pub fn raise_open_files() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let want = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &want) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    Some(lim.rlim_cur)
}
