//! Every way kiro-poll can fail, and the one function that turns a failure into an exit code
//! (PRODUCT.md's table). Adding an error never means hunting through `main`.

use std::time::Duration;

use crate::platform::Sig;

/// How a request to the bridge went wrong, for events (`unreachable.kind`) and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Could not connect (refused, no route, DNS).
    Connect,
    /// No answer within the request timeout.
    Timeout,
    /// The connection broke after it was made (reset, closed mid-response).
    Connection,
    /// The bridge answered something that is not the API (bad JSON, wrong types, HTML, too big).
    Protocol,
    /// The bridge answered an HTTP error status.
    Http,
    /// The bridge rejected the key (401/403).
    Auth,
    /// A redirect, which is never followed.
    Redirect,
}

impl FailureKind {
    const ALL: [FailureKind; 7] = [
        FailureKind::Connect,
        FailureKind::Timeout,
        FailureKind::Connection,
        FailureKind::Protocol,
        FailureKind::Http,
        FailureKind::Auth,
        FailureKind::Redirect,
    ];

    /// The kind an event names (`unreachable.kind`), as `as_str` wrote it.
    pub fn named(name: &str) -> Option<FailureKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect",
            FailureKind::Timeout => "timeout",
            FailureKind::Connection => "connection",
            FailureKind::Protocol => "protocol",
            FailureKind::Http => "http",
            FailureKind::Auth => "auth",
            FailureKind::Redirect => "redirect",
        }
    }
}

/// A failed exchange with the bridge. `url` is always already redacted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BridgeError {
    #[error("cannot reach the bridge at {url}: {detail}")]
    Unreachable {
        url: String,
        kind: FailureKind,
        detail: String,
    },
    #[error("the bridge at {url} sent something that is not its API: {detail}")]
    Protocol { url: String, detail: String },
    #[error("the bridge at {url} rejected the credentials (HTTP {status}): {message}")]
    Auth {
        url: String,
        status: u16,
        message: String,
    },
    #[error("Kiro is unavailable ({url}, HTTP 503): {message}")]
    Unavailable {
        url: String,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("HTTP {status} from {url}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("{url} answered HTTP {status} redirecting to {location}; redirects are not followed (the API key never travels to another host)")]
    Redirect {
        url: String,
        status: u16,
        location: String,
    },
}

impl BridgeError {
    pub fn kind(&self) -> FailureKind {
        match self {
            BridgeError::Unreachable { kind, .. } => *kind,
            BridgeError::Protocol { .. } => FailureKind::Protocol,
            BridgeError::Auth { .. } => FailureKind::Auth,
            BridgeError::Unavailable { .. } | BridgeError::Http { .. } => FailureKind::Http,
            BridgeError::Redirect { .. } => FailureKind::Redirect,
        }
    }

    /// The delay the bridge asked for (429/503 `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            BridgeError::Unavailable { retry_after, .. } | BridgeError::Http { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Fatal errors end a watch at once instead of being retried.
    pub fn is_fatal(&self) -> bool {
        matches!(self, BridgeError::Auth { .. })
    }

    /// A short text without the URL, for event lines.
    pub fn short(&self) -> String {
        match self {
            BridgeError::Unreachable { detail, .. } | BridgeError::Protocol { detail, .. } => detail.clone(),
            BridgeError::Auth { status, message, .. } => format!("HTTP {status}: {message}"),
            BridgeError::Unavailable { message, .. } => format!("HTTP 503: {message}"),
            BridgeError::Http { status, message, .. } => format!("HTTP {status}: {message}"),
            BridgeError::Redirect { status, location, .. } => {
                format!("HTTP {status} redirect to {location} (not followed)")
            }
        }
    }

    /// What to try, for the line that reports it.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            BridgeError::Unreachable { kind, detail, .. } => Hint::unreachable(*kind, detail),
            BridgeError::Auth { .. } => Some(Hint::Key),
            BridgeError::Unavailable { .. } => Some(Hint::KiroWindow),
            _ => None,
        }
    }
}

/// What to try after a failure: worded by `output::words::hint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// The host name did not resolve.
    HostName,
    /// Nothing listens there: is Kiro (and its bridge) running?
    NotRunning,
    /// No answer in time.
    Slow,
    /// The key was rejected.
    Key,
    /// The bridge is up but Kiro is not answering it.
    KiroWindow,
}

impl Hint {
    /// What to try when a bridge cannot be reached this way (`status`, exec, a watch's first
    /// `unreachable` line); `detail`: what failed.
    pub fn unreachable(kind: FailureKind, detail: &str) -> Option<Hint> {
        match kind {
            FailureKind::Connect if is_name_not_found(detail) => Some(Hint::HostName),
            FailureKind::Connect => Some(Hint::NotRunning),
            FailureKind::Timeout => Some(Hint::Slow),
            _ => None,
        }
    }
}

/// Whether a failure to connect was the host name not resolving (the system resolver's words
/// on Linux, macOS and Windows, or hyper's "dns error").
pub fn is_name_not_found(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "nodename nor servname",
        "no such host is known",
        "name resolution",
        "no address associated with hostname",
    ]
    .iter()
    .any(|w| d.contains(w))
}

/// A usage error found after clap (bad URL, unreadable key file, ...): exit 2.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Why the program ends: one row each of the README's exit-code table. `code` is the one place
/// that numbers them; nothing reads a number back to learn what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Done: the bridge answered, the command succeeded, `--until` was reached.
    Done,
    /// `exec`/`input`: the command failed, or was turned away before it started.
    CommandFailed,
    /// A bad flag, value or URL; the bridge's 400 validation answer.
    Usage,
    /// Unreachable, or speaking nonsense.
    Unreachable,
    /// The key was rejected (401/403).
    Auth,
    /// Kiro unavailable (503).
    Unavailable,
    /// `exec`: the outcome is unknown (the command may have run).
    OutcomeUnknown,
    /// `exec --wait --exit-status`: its end was seen but its result was not returned.
    ResultUnknown,
    /// stdout could not be written for another reason than its reader leaving (a full disk).
    OutputFailed,
    /// `--timeout` ran out.
    TimedOut,
    /// A signal ended it (Ctrl-C, SIGTERM, a hang-up).
    Signal(Sig),
}

impl Ending {
    /// The ending an exit code stands for (another kiro-poll's, passed on); a code of no row
    /// is a failure.
    pub fn of_code(code: u8) -> Ending {
        [
            Ending::Done,
            Ending::CommandFailed,
            Ending::Usage,
            Ending::Unreachable,
            Ending::Auth,
            Ending::Unavailable,
            Ending::OutcomeUnknown,
            Ending::ResultUnknown,
            Ending::OutputFailed,
            Ending::TimedOut,
            Ending::Signal(Sig::Interrupt),
            Ending::Signal(Sig::Terminate),
            Ending::Signal(Sig::Hangup),
        ]
        .into_iter()
        .find(|e| e.code() == code)
        .unwrap_or(Ending::CommandFailed)
    }

    /// The README's exit code.
    pub fn code(self) -> u8 {
        match self {
            Ending::Done => 0,
            Ending::CommandFailed => 1,
            Ending::Usage => 2,
            Ending::Unreachable => 3,
            Ending::Auth => 4,
            Ending::Unavailable => 5,
            Ending::OutcomeUnknown => 6,
            Ending::ResultUnknown => 7,
            // sysexits' EX_IOERR.
            Ending::OutputFailed => 74,
            Ending::TimedOut => 124,
            // 128 + the signal's number, as shells report it (Windows' Ctrl-C and Ctrl-Break
            // the same).
            Ending::Signal(Sig::Interrupt) => 130,
            Ending::Signal(Sig::Terminate) => 143,
            Ending::Signal(Sig::Hangup) => 129,
            // A stop or a resume never ends anything.
            Ending::Signal(Sig::Stop | Sig::Continue) => 0,
        }
    }
}

/// The README's exit-code table, each row in a few words: what `kiro-poll help exit-codes`,
/// `exec --help`, `watch --help` and the man page's EXIT STATUS print.
pub const EXIT_CODES: &[(Ending, &str)] = &[
    (
        Ending::Done,
        "done: the bridge answered, exec succeeded (or its end was seen), --until reached",
    ),
    (
        Ending::CommandFailed,
        "exec, input: Kiro reported the command failed, or turned it away (HTTP 422)",
    ),
    (
        Ending::Usage,
        "usage error: a bad flag, value or URL (or the bridge's 400)",
    ),
    (
        Ending::Unreachable,
        "the bridge is unreachable, or answers what is not its API",
    ),
    (Ending::Auth, "the API key was rejected (HTTP 401/403)"),
    (Ending::Unavailable, "Kiro is unavailable (HTTP 503)"),
    (
        Ending::OutcomeUnknown,
        "exec: the outcome is unknown, the command may have run: check before running it again",
    ),
    (
        Ending::ResultUnknown,
        "exec --wait --exit-status: its end was seen, its result not returned",
    ),
    (
        Ending::OutputFailed,
        "the output could not be written (a full disk)",
    ),
    (
        Ending::TimedOut,
        "timed out (--timeout), saying what was last seen",
    ),
    (
        Ending::Signal(Sig::Interrupt),
        "interrupted (Ctrl-C); 143 on SIGTERM, 129 on SIGHUP",
    ),
];

/// `EXIT_CODES` as text: `  0    done: …`, a row a line.
pub fn exit_table() -> String {
    EXIT_CODES
        .iter()
        .map(|(e, what)| format!("  {:<4} {what}", e.code()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why the program ends and what it says: built where that is decided (exec's decision, a
/// watch's end, a check of the arguments), worded by `output/`, numbered once by
/// `Ending::code`. Every command returns `Result<(), Failure>` to `main`; nothing is guessed
/// back from an error's type.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub ending: Ending,
    /// The line for stderr; None: end quietly (after Ctrl-C, or when the JSON said it all).
    pub message: Option<String>,
    pub hint: Option<Hint>,
}

impl Failure {
    pub fn new(ending: Ending, message: impl Into<String>) -> Failure {
        Failure {
            ending,
            message: Some(message.into()),
            hint: None,
        }
    }

    pub fn quiet(ending: Ending) -> Failure {
        Failure {
            ending,
            message: None,
            hint: None,
        }
    }

    /// A usage error found after clap: exit 2.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Ending::Usage, message)
    }

    /// Writing stdout failed: quietly done when its reader left (`| head -1`), else 74.
    pub fn output(io: std::io::Error) -> Failure {
        match is_reader_gone(&io) {
            true => Failure::quiet(Ending::Done),
            false => Failure::new(Ending::OutputFailed, format!("cannot write the output: {io}")),
        }
    }
}

impl Failure {
    /// The system refused what the process needs for itself (its signal handlers, its
    /// runtime): an I/O failure of its own, as writing its output is (sysexits' EX_IOERR).
    pub fn system(what: &str, e: std::io::Error) -> Failure {
        Failure::new(Ending::OutputFailed, format!("cannot {what}: {e}"))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or(""))
    }
}

impl From<BridgeError> for Failure {
    fn from(e: BridgeError) -> Failure {
        Failure {
            ending: bridge_ending(&e),
            hint: e.hint(),
            message: Some(e.to_string()),
        }
    }
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Failure {
        Failure::usage(e.0)
    }
}

/// The I/O a command does itself with `?` is writing its output: files it reads fail as
/// `UsageError`s and requests as `BridgeError`s, so an I/O error that reaches here is stdout's.
impl From<std::io::Error> for Failure {
    fn from(io: std::io::Error) -> Failure {
        Failure::output(io)
    }
}

pub fn bridge_ending(e: &BridgeError) -> Ending {
    match e {
        BridgeError::Auth { .. } => Ending::Auth,
        BridgeError::Unavailable { .. } => Ending::Unavailable,
        _ => Ending::Unreachable,
    }
}

/// True when a write failed because the reader went away: EPIPE (Windows: the pipe is being
/// closed), or EBADF: stdout was closed before we started (`>&-`).
pub fn is_reader_gone(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::BrokenPipe || crate::platform::is_closed_descriptor(io)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_name_that_does_not_resolve_is_told_on_every_platform() {
        for detail in [
            "failed to lookup address information: Name or service not known",
            "failed to lookup address information: nodename nor servname provided, or not known",
            "No such host is known. (os error 11001)",
            "dns error: failed to lookup address information: Temporary failure in name resolution",
        ] {
            let hint = Hint::unreachable(FailureKind::Connect, detail);
            assert_eq!(hint, Some(Hint::HostName), "{detail}");
        }
        let refused = Hint::unreachable(FailureKind::Connect, "Connection refused (os error 111)");
        assert_eq!(refused, Some(Hint::NotRunning));
    }

    use super::*;

    #[test]
    fn each_ending_has_the_readme_s_code() {
        let table = [
            (Ending::Done, 0),
            (Ending::CommandFailed, 1),
            (Ending::Usage, 2),
            (Ending::Unreachable, 3),
            (Ending::Auth, 4),
            (Ending::Unavailable, 5),
            (Ending::OutcomeUnknown, 6),
            (Ending::ResultUnknown, 7),
            (Ending::OutputFailed, 74),
            (Ending::TimedOut, 124),
            (Ending::Signal(Sig::Interrupt), 130),
            (Ending::Signal(Sig::Terminate), 143),
            (Ending::Signal(Sig::Hangup), 129),
        ];
        for (ending, code) in table {
            assert_eq!(ending.code(), code, "{ending:?}");
        }
        assert_eq!(Failure::from(UsageError("bad".into())).ending.code(), 2);
        let gone = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(Failure::from(gone), Failure::quiet(Ending::Done));
        let full = Failure::from(std::io::Error::other("No space left on device"));
        assert_eq!(full.ending, Ending::OutputFailed);
    }

    #[test]
    fn a_kind_is_found_by_the_name_events_give_it() {
        for k in FailureKind::ALL {
            assert_eq!(FailureKind::named(k.as_str()), Some(k));
        }
        assert_eq!(FailureKind::named("nonsense"), None);
    }
}
