//! Everything that differs by operating system, and nothing else: signals, the open-files
//! limit, the watch on a lost stdout reader and the terminal's escape-sequence support. One
//! implementation per OS (`unix.rs` for Linux and macOS, `windows.rs`) behind the same
//! functions, so no `cfg(` is needed anywhere else in the program.
//!
//! | | Linux | macOS | Windows |
//! |---|---|---|---|
//! | Interrupt | SIGINT | SIGINT | Ctrl-C |
//! | Terminate | SIGTERM | SIGTERM | Ctrl-Break, console closed, logoff, shutdown |
//! | Hangup | SIGHUP | SIGHUP | (console closed is Terminate) |
//! | Stop / Continue | SIGTSTP / SIGCONT | SIGTSTP / SIGCONT | none (no job control) |
//! | open files | soft → hard limit | soft → hard, capped by `kern.maxfilesperproc` | no limit to raise |
//! | lost reader, idle | pipe or socket: `poll(2)` | pipe or socket: `poll(2)` | noticed at the next write |
//! | stdin's writer gone, unread | pipe or socket: `poll(2)` | pipe or socket: `poll(2)` | noticed at the next read |
//! | one bridge's answer | waited for in the read (receive timeout) | waited for in the read | by the runtime |

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub use imp::Signals;

/// Whether a read may wait for its data itself, a blocking socket with a receive timeout (one
/// bridge's poll, `client::direct`). A read that timed out leaves a Unix socket as it was; on
/// Windows it leaves the socket's state undefined, so there the runtime always waits.
pub const READS_MAY_BLOCK: bool = cfg!(unix);

/// The static Linux binaries (musl) allocate with mimalloc: musl's allocator cost the poll path
/// a fifth more instructions than glibc's (README "Benchmarks"). Elsewhere the system's.
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    Interrupt,
    Terminate,
    /// SIGHUP: the terminal was closed. Ends like Terminate, with its own exit code (`error::Ending`). Never on Windows, where
    /// closing the console is Terminate.
    Hangup,
    /// Ctrl-Z: tidy the terminal, then `stop_self`. Never arrives on Windows.
    Stop,
    Continue,
}

/// Stop the process as Ctrl-Z would have, once the terminal is tidy. Catching SIGTSTP replaced
/// its default action, so the stop is SIGSTOP; the shell sees a stopped job all the same.
/// Nothing on Windows (where `Sig::Stop` never arrives).
pub fn stop_self() {
    imp::stop_self()
}

/// Raise the soft open-files limit as far as the system accepts: a fleet holds a socket per
/// bridge. Returns the limit now in force, or None where there is no such limit (Windows).
pub fn raise_open_files() -> Option<u64> {
    imp::raise_open_files()
}

/// Call `on_gone` (on a thread of its own) when the reader of stdout goes away while nothing
/// is being written. Only a pipe or a socket can tell: for a terminal, a file or `/dev/null`
/// nothing is watched (macOS's `poll` answers POLLNVAL for every device, which would read as
/// "gone" at once). On Windows nothing is watched; a lost reader is noticed at the next write.
pub fn watch_stdout_reader(on_gone: impl FnOnce() + Send + 'static) {
    imp::watch_stdout_reader(on_gone)
}

/// Whether stdin, a pipe or socket, has been closed by its writer, even while data it sent is
/// still unread (`poll` reports a hang-up): a reader that stopped reading on purpose can still
/// tell that its client is gone. False for a terminal or a file, and on Windows.
pub fn stdin_hung_up() -> bool {
    imp::stdin_hung_up()
}

/// Whether a write failed because the reader is not there, beyond std's BrokenPipe: the
/// descriptor or handle was closed before we started (`>&-`; EBADF on Unix,
/// ERROR_INVALID_HANDLE on Windows), or (Windows) the pipe is no longer connected.
pub fn is_closed_descriptor(e: &std::io::Error) -> bool {
    imp::is_closed_descriptor(e)
}

/// Columns and rows of the terminal stderr or stdout is on, asked of a descriptor already open
/// (no `/dev/tty` opened per call: the live line asks four times a second). None off a terminal.
pub fn terminal_size() -> Option<(u16, u16)> {
    imp::terminal_size()
}

/// Make the terminal interpret ANSI escape sequences (colour, cursor). True where it does:
/// always on Unix; on Windows once virtual-terminal processing is on (Windows 10 and later,
/// Windows Terminal and conhost alike).
pub fn enable_ansi() -> bool {
    imp::enable_ansi()
}

/// Open a local file for reading without blocking on it: a FIFO with no writer opens at once
/// (Unix: `O_NONBLOCK`), so the caller can look at what it opened (`File::metadata`, which is
/// `fstat` on the descriptor) and refuse it. Windows has no FIFOs to block an open.
pub fn open_for_reading(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    imp::open_for_reading(path)
}

/// A hook's process gets a process group (Unix) or console process group (Windows) of its
/// own, so ending it ends whatever it started too.
pub fn own_process_group(cmd: &mut std::process::Command) {
    imp::own_process_group(cmd)
}

/// End a hook and everything in its group: SIGKILL to the group on Unix, `taskkill /T /F` on
/// Windows.
pub fn kill_group(child: &mut std::process::Child) {
    imp::kill_group(child)
}

/// Whether a hook has exited, and if so its status, after ending what is left of its process
/// group (a background child it started). Unix: looked at without reaping (`waitid` with
/// `WNOWAIT`), so the group is signalled while its id cannot yet be reused, then reaped.
/// Windows: the hook only (a process it started outlives it, as the README says).
pub fn exited_ending_group(
    child: &mut std::process::Child,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    imp::exited_ending_group(child)
}

/// An HTTP client's connections without TCP keep-alive probes (reqwest sets them, 15 s idle,
/// by default) nor, on Linux, the `TCP_USER_TIMEOUT` it sets with them.
pub fn without_keepalive_probes(b: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    let b = b
        .tcp_keepalive(None)
        .tcp_keepalive_interval(None)
        .tcp_keepalive_retries(None);
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    let b = b.tcp_user_timeout(None);
    b
}

/// The signal that ended a process, by name (`KILL`, `TERM`, or the number); None when it
/// exited (always on Windows).
pub fn killed_by(status: &std::process::ExitStatus) -> Option<String> {
    imp::killed_by(status)
}

/// Our stderr, for a child's stdout: a hook's output never mixes into `--json` lines.
pub fn stderr_for_child() -> std::process::Stdio {
    imp::stderr_for_child()
}

/// The soft limit to ask for: the hard limit, but no more than what the kernel accepts for
/// one process (`cap`, where the system has one below the hard limit, as macOS does when the
/// hard limit is unlimited).
pub fn open_files_target(hard: u64, cap: Option<u64>) -> u64 {
    match cap {
        Some(c) if c > 0 => hard.min(c),
        _ => hard,
    }
}

/// Whether process `pid` exists (a job's follower): Unix asks with signal 0, Windows opens it
/// for a query and asks whether it has exited; None when it cannot tell (the heartbeat decides).
pub fn process_alive(pid: u32) -> Option<bool> {
    imp::process_alive(pid)
}

/// A detached follower outlives the shell and the terminal that started it: a session of its
/// own on Unix (no controlling terminal, so no hang-up reaches it), a detached process with no
/// console on Windows.
pub fn detach(cmd: &mut std::process::Command) {
    imp::detach(cmd)
}

/// The follower, once `exec --detach` has returned: its stdout and stderr (the pipes to the
/// parent that has gone) point at nothing, so nothing it says later reaches a terminal.
pub fn silence_output() {
    imp::silence_output()
}

/// Whether others than the owner may read a file (Unix: its group or other read bit). Windows
/// says no: its files are guarded by access lists, which a profile's folder keeps to its owner.
pub fn readable_by_others(path: &std::path::Path) -> bool {
    imp::readable_by_others(path)
}

/// Write a file in full through a new file beside it, renamed over it, so a reader never sees
/// half of it. The new file has the old one's permissions, or (a new file) the owner's alone
/// on Unix.
pub fn replace_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = imp::create_private(&temp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_asked_for_is_the_hard_one_capped_by_the_kernel() {
        assert_eq!(open_files_target(1_048_576, None), 1_048_576);
        // macOS: hard RLIM_INFINITY, kern.maxfilesperproc 24576.
        assert_eq!(open_files_target(u64::MAX, Some(24_576)), 24_576);
        assert_eq!(open_files_target(4096, Some(24_576)), 4096);
        assert_eq!(open_files_target(4096, Some(0)), 4096);
    }
}
