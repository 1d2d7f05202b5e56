//! Linux and macOS (and the other Unixes): POSIX signals, `setrlimit`, `poll(2)` on a pipe.

use super::Sig;

/// The signals the program listens for, told one at a time. A task of their own waits on the
/// five of them and hands each on: the loop that receives them then waits on one channel, not
/// on five signal streams polled at each of its turns (which cost a poll a fifth of its
/// instructions).
pub struct Signals {
    told: tokio::sync::mpsc::Receiver<Sig>,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut hup = signal(SignalKind::hangup())?;
        let mut tstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;
        let mut cont = signal(SignalKind::from_raw(libc::SIGCONT))?;
        let (tell, told) = tokio::sync::mpsc::channel(8);
        tokio::spawn(async move {
            loop {
                let sig = tokio::select! {
                    _ = int.recv() => Sig::Interrupt,
                    _ = term.recv() => Sig::Terminate,
                    _ = hup.recv() => Sig::Hangup,
                    _ = tstp.recv() => Sig::Stop,
                    _ = cont.recv() => Sig::Continue,
                };
                // Nobody listens any more: the streams go with the task.
                if tell.send(sig).await.is_err() {
                    return;
                }
            }
        });
        Ok(Signals { told })
    }

    pub async fn recv(&mut self) -> Sig {
        match self.told.recv().await {
            Some(sig) => sig,
            // The task is gone only with the runtime.
            None => std::future::pending().await,
        }
    }
}

pub fn stop_self() {
    // SAFETY: raising a signal at ourselves.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}

#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux and macOS, not on every Unix
pub fn raise_open_files() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    let target = super::open_files_target(lim.rlim_max as u64, kernel_cap()) as libc::rlim_t;
    if lim.rlim_cur < target {
        let want = libc::rlimit {
            rlim_cur: target,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) } == 0 {
            lim.rlim_cur = target;
        }
    }
    Some(lim.rlim_cur as u64)
}

/// The most open files the kernel gives one process, where it is below an unlimited hard
/// limit: macOS refuses a soft limit of RLIM_INFINITY (it wants at most
/// `kern.maxfilesperproc`), Linux one above `fs.nr_open`.
#[cfg(target_os = "macos")]
fn kernel_cap() -> Option<u64> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>();
    // SAFETY: a NUL-terminated name, and an int-sized buffer whose size we pass.
    let rc = unsafe {
        libc::sysctlbyname(
            c"kern.maxfilesperproc".as_ptr(),
            &mut value as *mut libc::c_int as *mut libc::c_void,
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    // OPEN_MAX (sys/syslimits.h) when the sysctl cannot be read.
    Some(if rc == 0 && value > 0 {
        value as u64
    } else {
        10_240
    })
}

#[cfg(target_os = "linux")]
fn kernel_cap() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/sys/fs/nr_open").ok()?;
    text.trim().parse().ok()
}

#[cfg(not(any(target_os = "macos", target_os = "linux")))]
fn kernel_cap() -> Option<u64> {
    None
}

pub fn watch_stdout_reader(on_gone: impl FnOnce() + Send + 'static) {
    if !is_pipe_or_socket(libc::STDOUT_FILENO) {
        return;
    }
    std::thread::spawn(move || {
        if wait_reader_gone(libc::STDOUT_FILENO) {
            on_gone();
        }
    });
}

/// Whether `fd` is a pipe (FIFO) or a socket: the only kinds whose lost reader `poll` reports.
fn is_pipe_or_socket(fd: libc::c_int) -> bool {
    // SAFETY: fstat writes only the struct we pass; a bad fd is an error, not UB.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return false;
    }
    let kind = st.st_mode & libc::S_IFMT;
    kind == libc::S_IFIFO || kind == libc::S_IFSOCK
}

/// Block until `fd`, a pipe or socket we write to, has lost its reader: `poll` asking for no
/// event still reports an error or a hang-up on our end. True when that happened.
fn wait_reader_gone(fd: libc::c_int) -> bool {
    loop {
        let mut fds = libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd; no timeout.
        let n = unsafe { libc::poll(&mut fds, 1, -1) };
        if n > 0 {
            return fds.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0;
        }
        if n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return false;
        }
    }
}

pub fn stdin_hung_up() -> bool {
    if !is_pipe_or_socket(libc::STDIN_FILENO) {
        return false;
    }
    let mut fds = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; no wait.
    let n = unsafe { libc::poll(&mut fds, 1, 0) };
    n > 0 && fds.revents & libc::POLLHUP != 0
}

pub fn terminal_size() -> Option<(u16, u16)> {
    [libc::STDERR_FILENO, libc::STDOUT_FILENO]
        .into_iter()
        .find_map(|fd| {
            // SAFETY: TIOCGWINSZ writes only the winsize we pass; a non-terminal is an error.
            let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
            let ok = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0;
            (ok && ws.ws_col > 0).then_some((ws.ws_col, ws.ws_row))
        })
}

pub fn is_closed_descriptor(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::EBADF)
}

pub fn enable_ansi() -> bool {
    true
}

pub fn open_for_reading(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

pub fn readable_by_others(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

pub fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

pub fn own_process_group(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

pub fn kill_group(child: &mut std::process::Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling the group our own child leads (process_group(0) made it).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

pub fn exited_ending_group(
    child: &mut std::process::Child,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    let pid = libc::id_t::from(child.id());
    // SAFETY: an all-zero siginfo_t is valid; waitid only writes into it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: our own child, not yet reaped (WNOWAIT leaves it so).
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            pid,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if r != 0 {
        return child.try_wait();
    }
    // SAFETY: reading the pid waitid filled in (0: it has not exited).
    if unsafe { info.si_pid() } == 0 {
        return Ok(None);
    }
    // SAFETY: the group our child leads (process_group(0)); it is a zombie, not reaped, so
    // the id is still ours.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
    child.wait().map(Some)
}

pub fn killed_by(status: &std::process::ExitStatus) -> Option<String> {
    use std::os::unix::process::ExitStatusExt;
    let n = status.signal()?;
    let name = match n {
        libc::SIGHUP => "HUP",
        libc::SIGINT => "INT",
        libc::SIGQUIT => "QUIT",
        libc::SIGABRT => "ABRT",
        libc::SIGKILL => "KILL",
        libc::SIGSEGV => "SEGV",
        libc::SIGPIPE => "PIPE",
        libc::SIGTERM => "TERM",
        _ => return Some(n.to_string()),
    };
    Some(name.to_owned())
}

pub fn stderr_for_child() -> std::process::Stdio {
    use std::os::fd::AsFd;
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => fd.into(),
        Err(_) => std::process::Stdio::null(),
    }
}

pub fn process_alive(pid: u32) -> Option<bool> {
    let pid = i32::try_from(pid).ok()?;
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    if r == 0 {
        return Some(true);
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::ESRCH) => Some(false),
        // EPERM: it exists, another user's.
        _ => Some(true),
    }
}

pub fn detach(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn silence_output() {
    let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
        return;
    };
    use std::os::fd::AsRawFd;
    // SAFETY: dup2 onto the standard descriptors, from a file open for the call's length.
    unsafe {
        libc::dup2(null.as_raw_fd(), 1);
        libc::dup2(null.as_raw_fd(), 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    fn pipe() -> (libc::c_int, libc::c_int) {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: a fresh pipe; both ends are ours.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        (fds[0], fds[1])
    }

    #[test]
    fn a_pipe_whose_reader_closes_is_noticed_without_writing() {
        let (read_end, write_end) = pipe();
        let watcher = std::thread::spawn(move || wait_reader_gone(write_end));
        unsafe { libc::close(read_end) };
        assert!(
            watcher.join().unwrap(),
            "POLLERR on the write end once its reader is gone"
        );
        unsafe { libc::close(write_end) };
    }

    #[test]
    fn only_pipes_and_sockets_are_watched_never_files_or_devices() {
        let (read_end, write_end) = pipe();
        assert!(is_pipe_or_socket(write_end));
        unsafe { libc::close(read_end) };
        unsafe { libc::close(write_end) };
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(is_pipe_or_socket(a.as_raw_fd()));
        // A device (macOS's poll answers POLLNVAL for these) and a regular file.
        let null = std::fs::OpenOptions::new().write(true).open("/dev/null").unwrap();
        assert!(!is_pipe_or_socket(null.as_raw_fd()));
        let file = tempfile::tempfile().unwrap();
        assert!(!is_pipe_or_socket(file.as_raw_fd()));
        assert!(!is_pipe_or_socket(-1), "a closed descriptor is not watched");
    }

    #[test]
    fn no_terminal_has_no_size_and_asking_opens_nothing() {
        // Under cargo test stderr and stdout are pipes or files.
        if unsafe { libc::isatty(2) } == 0 && unsafe { libc::isatty(1) } == 0 {
            assert_eq!(terminal_size(), None);
        }
    }

    #[allow(clippy::unnecessary_cast)]
    #[test]
    fn the_open_files_limit_is_raised_to_what_the_kernel_accepts() {
        let got = raise_open_files().expect("getrlimit works");
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        assert_eq!(got, lim.rlim_cur as u64, "reports the limit in force");
        let target = crate::platform::open_files_target(lim.rlim_max as u64, kernel_cap());
        assert_eq!(lim.rlim_cur as u64, target);
    }
}
