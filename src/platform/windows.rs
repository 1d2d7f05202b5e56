//! Windows: console control events instead of signals, no open-files limit to raise, and
//! virtual-terminal processing switched on for colour and the live line.

use super::Sig;

/// Ctrl-C is an interrupt; Ctrl-Break, closing the console window, logging off and
/// shutting down end like SIGTERM (a terminate). Windows gives a closing console a few seconds
/// before it ends the process, time enough for the summary and restoring the terminal.
pub struct Signals {
    c: tokio::signal::windows::CtrlC,
    brk: tokio::signal::windows::CtrlBreak,
    close: tokio::signal::windows::CtrlClose,
    logoff: tokio::signal::windows::CtrlLogoff,
    shutdown: tokio::signal::windows::CtrlShutdown,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::windows as w;
        Ok(Signals {
            c: w::ctrl_c()?,
            brk: w::ctrl_break()?,
            close: w::ctrl_close()?,
            logoff: w::ctrl_logoff()?,
            shutdown: w::ctrl_shutdown()?,
        })
    }

    pub async fn recv(&mut self) -> Sig {
        tokio::select! {
            _ = self.c.recv() => Sig::Interrupt,
            _ = self.brk.recv() => Sig::Terminate,
            _ = self.close.recv() => Sig::Terminate,
            _ = self.logoff.recv() => Sig::Terminate,
            _ = self.shutdown.recv() => Sig::Terminate,
        }
    }
}

/// There is no Ctrl-Z job control on Windows (a console program is not suspended and resumed
/// by the shell), so `Sig::Stop` never arrives and there is nothing to do.
pub fn stop_self() {}

/// Sockets are handles on Windows, bounded by memory, not by a per-process descriptor limit.
pub fn raise_open_files() -> Option<u64> {
    None
}

/// Windows has no way to learn that an anonymous pipe's reader is gone without writing to
/// it: the next write fails (ERROR_NO_DATA, a broken pipe), and the watch ends then.
pub fn watch_stdout_reader(_on_gone: impl FnOnce() + Send + 'static) {}

pub fn stdin_hung_up() -> bool {
    false
}

/// ERROR_INVALID_HANDLE (6): the standard handle was closed or never given; and
/// ERROR_PIPE_NOT_CONNECTED (233), which a write to a pipe whose reader left can also give
/// besides the broken-pipe codes std already maps (109, 232). Wine answers 233.
pub fn is_closed_descriptor(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(6 | 233))
}

/// The console's window, from the process's own console handle.
pub fn terminal_size() -> Option<(u16, u16)> {
    crossterm::terminal::size().ok().filter(|(w, _)| *w > 0)
}

pub fn open_for_reading(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

pub fn readable_by_others(_path: &std::path::Path) -> bool {
    false
}

pub fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

pub fn own_process_group(cmd: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    // CREATE_NEW_PROCESS_GROUP
    cmd.creation_flags(0x0000_0200);
}

pub fn kill_group(child: &mut std::process::Child) {
    let _ = std::process::Command::new("taskkill")
        .args(["/T", "/F", "/PID", &child.id().to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let _ = child.kill();
}

pub fn exited_ending_group(
    child: &mut std::process::Child,
) -> std::io::Result<Option<std::process::ExitStatus>> {
    child.try_wait()
}

pub fn killed_by(_status: &std::process::ExitStatus) -> Option<String> {
    None
}

pub fn stderr_for_child() -> std::process::Stdio {
    use std::os::windows::io::AsHandle;
    match std::io::stderr().as_handle().try_clone_to_owned() {
        Ok(h) => h.into(),
        Err(_) => std::process::Stdio::null(),
    }
}

pub fn enable_ansi() -> bool {
    crossterm::ansi_support::supports_ansi()
}

pub fn process_alive(pid: u32) -> Option<bool> {
    use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, ERROR_INVALID_PARAMETER, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: a handle opened here for a query only, closed before returning.
    unsafe {
        let h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if h.is_null() {
            // No such process; access denied means another user's, which exists.
            return match GetLastError() {
                ERROR_INVALID_PARAMETER => Some(false),
                _ => None,
            };
        }
        let mut code = 0u32;
        let asked = GetExitCodeProcess(h, &mut code);
        CloseHandle(h);
        (asked != 0)
            .then_some(code != STILL_ACTIVE as u32)
            .map(|ended| !ended)
    }
}

pub fn detach(cmd: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    use windows_sys::Win32::Foundation::{SetHandleInformation, HANDLE_FLAG_INHERIT, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Console::{
        GetStdHandle, STD_ERROR_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
    };
    // A process is started with every inheritable handle of its parent, not only the three it
    // is given: this process's own stdin, stdout and stderr (a caller's pipes, as in
    // `id=$(kiro-poll exec … --detach)`) would stay open in the follower, and the caller would
    // wait for the command's end after all. They are made non-inheritable first.
    for which in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        // SAFETY: GetStdHandle returns this process's handle (or none); SetHandleInformation
        // changes only its inheritance flag.
        unsafe {
            let h = GetStdHandle(which);
            if !h.is_null() && h != INVALID_HANDLE_VALUE {
                SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
            }
        }
    }
    // DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW
    cmd.creation_flags(0x0000_0008 | 0x0000_0200 | 0x0800_0000);
}

pub fn silence_output() {
    // The pipes' reader is gone: writes fail, and every write of ours ignores that.
}
