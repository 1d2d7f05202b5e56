//! `exec --detach`: the command is sent by a follower in the background, not by the process the
//! shell waits for, because the connection the bridge answers on is one of the follow's
//! witnesses and a connection closed by its sender shows nothing. The process started from the
//! shell runs this same program again with the same arguments, detached from the terminal
//! (`platform::detach`), marked as the follower by `FOLLOWER_ENV`, with its stdout and stderr
//! as pipes. The follower says on its stdout, in one line, either that the request is on the
//! wire and nothing came back within `GRACE` (`following ID`: the shell gets the job's id and
//! its prompt back) or that it already knows how it went (`ended`: everything it prints after
//! is what `exec` prints, passed on, and its exit code is the shell's).

use crate::error::{Ending, Failure};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Set in the follower's environment (the value is `1`): it is the process that sends.
pub const FOLLOWER_ENV: &str = "KIRO_POLL_INTERNAL_FOLLOWER";

/// How long after the request is on the wire an answer is still `exec --detach`'s to report
/// (a 401, a 422 turn-away, a quick result): the bridge gives those at once.
pub const GRACE: Duration = Duration::from_millis(100);

/// Whether this process is a detached follower.
pub fn is_follower() -> bool {
    std::env::var_os(FOLLOWER_ENV).is_some_and(|v| v == "1")
}

/// What the shell's process learnt from the follower.
pub enum Launched {
    /// Sent and followed in the background: the job's id.
    Following(i64),
    /// It already ended (or never went): the follower's exit code, its output passed on.
    Ended(u8),
}

/// Start the follower and wait for its one line.
pub fn launch() -> Result<Launched, Failure> {
    let exe = std::env::current_exe().map_err(|e| {
        Failure::new(
            Ending::Unreachable,
            format!("cannot find this program to start the follower: {e}"),
        )
    })?;
    let mut cmd = Command::new(exe);
    cmd.args(std::env::args_os().skip(1))
        .env(FOLLOWER_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::platform::detach(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure::new(Ending::Unreachable, format!("cannot start the follower: {e}")))?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    // What the follower says on stderr before it detaches (-v lines, its error) is ours.
    let relay = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let mut err = std::io::stderr().lock();
                    let _ = err.write_all(&buf[..n]);
                    let _ = err.flush();
                }
            }
        }
    });
    let mut out = BufReader::new(stdout);
    let mut first = String::new();
    let _ = out.read_line(&mut first);
    if let Some(id) = first.trim_end().strip_prefix("following ") {
        if let Ok(id) = id.parse::<i64>() {
            return Ok(Launched::Following(id));
        }
    }
    // Ended: what it prints is exec's output, passed on as it comes.
    let mut sink = std::io::stdout().lock();
    let _ = std::io::copy(&mut out, &mut sink);
    let _ = sink.flush();
    let status = child.wait()?;
    let _ = relay.join();
    Ok(Launched::Ended(match status.code() {
        Some(c) => u8::try_from(c).unwrap_or(1),
        None => crate::error::Ending::OutcomeUnknown.code(),
    }))
}

/// The follower: the request is on the wire and followed from here; the shell's process may
/// go. Nothing is written to the terminal after this.
pub fn tell_following(id: i64) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "following {id}");
    let _ = out.flush();
    drop(out);
    crate::platform::silence_output();
}

/// The follower: it ended before it detached; what follows is exec's own output.
pub fn tell_ended() {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ended");
    let _ = out.flush();
}
