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

    fn hint(&self) -> Option<&'static str> {
        match self {
            BridgeError::Unreachable { kind, detail, .. } => unreachable_hint(*kind, detail),
            BridgeError::Auth { .. } => {
                Some("set KIRO_API_KEY or --api-key-file to the key the bridge expects")
            }
            BridgeError::Unavailable { .. } => {
                Some("the bridge is up but Kiro IDE is not answering it; is the Kiro window open?")
            }
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

/// What to try when a bridge cannot be reached this way (the CLI's words, for `status` and for
/// a watch's first `unreachable` line); `detail`: what failed.
pub fn unreachable_hint(kind: FailureKind, detail: &str) -> Option<&'static str> {
    match kind {
        FailureKind::Connect if is_name_not_found(detail) => Some(
            "the host name does not resolve: check it in --url (or KIRO_BRIDGE_URL) for a typo",
        ),
        FailureKind::Connect => Some(
            "is Kiro running with the Communication Bridge extension? `kiro-poll mock-bridge` serves a simulated one",
        ),
        FailureKind::Timeout => Some("the bridge did not answer in time; raise --request-timeout if it is slow"),
        _ => None,
    }
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

/// An ending already decided that is not a bridge error: why, and the message for stderr
/// (None: end quietly, e.g. after Ctrl-C or when the JSON object said it all).
#[derive(Debug, thiserror::Error)]
#[error("{}", message.as_deref().unwrap_or(""))]
pub struct Exit {
    pub ending: Ending,
    pub message: Option<String>,
}

impl Exit {
    pub fn new(ending: Ending, message: impl Into<String>) -> Exit {
        Exit {
            ending,
            message: Some(message.into()),
        }
    }

    pub fn quiet(ending: Ending) -> Exit {
        Exit {
            ending,
            message: None,
        }
    }
}

/// Why a failure ends the program, as the README's table says.
pub fn ending(err: &anyhow::Error) -> Ending {
    if let Some(e) = err.downcast_ref::<BridgeError>() {
        return bridge_ending(e);
    }
    if err.downcast_ref::<UsageError>().is_some() {
        return Ending::Usage;
    }
    if let Some(e) = err.downcast_ref::<Exit>() {
        return e.ending;
    }
    if is_broken_pipe(err) {
        return Ending::Done;
    }
    if output_failure(err).is_some() {
        return Ending::OutputFailed;
    }
    Ending::Unreachable
}

/// The exit code for a failure.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    ending(err).code()
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

/// True when the error is (or wraps) a closed stdout.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(is_reader_gone))
}

/// A bare I/O error that is not a closed stdout: writing the output failed (a full disk). The
/// requests kiro-poll makes fail as `BridgeError`s, and files it reads as `UsageError`s, so an
/// I/O error left over is the output's.
pub fn output_failure(err: &anyhow::Error) -> Option<&std::io::Error> {
    err.downcast_ref::<std::io::Error>()
        .filter(|io| !is_reader_gone(io))
}

/// The one line (hint included) printed on stderr for a failure, or None when
/// the failure is to end quietly.
pub fn report(err: &anyhow::Error) -> Option<String> {
    if is_broken_pipe(err) {
        return None;
    }
    if err.downcast_ref::<Exit>().is_some_and(|e| e.message.is_none()) {
        return None;
    }
    if let Some(io) = output_failure(err) {
        return Some(format!("kiro-poll: error: cannot write the output: {io}"));
    }
    // One line: what failed, where, what the bridge said, and a hint where one helps.
    let mut text = format!("kiro-poll: error: {}", crate::sanitize::line(&format!("{err:#}")));
    if let Some(hint) = err.downcast_ref::<BridgeError>().and_then(BridgeError::hint) {
        text.push_str("; hint: ");
        text.push_str(hint);
    }
    Some(text)
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
            let hint = unreachable_hint(FailureKind::Connect, detail).unwrap();
            assert!(hint.contains("host name"), "{detail}");
        }
        let refused = unreachable_hint(FailureKind::Connect, "Connection refused (os error 111)");
        assert!(refused.unwrap().contains("is Kiro running"));
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
        let usage: anyhow::Error = UsageError("bad".into()).into();
        assert_eq!(exit_code(&usage), 2);
        let timed: anyhow::Error = Exit::new(Ending::TimedOut, "t").into();
        assert_eq!(ending(&timed), Ending::TimedOut);
    }

    #[test]
    fn a_kind_is_found_by_the_name_events_give_it() {
        for k in FailureKind::ALL {
            assert_eq!(FailureKind::named(k.as_str()), Some(k));
        }
        assert_eq!(FailureKind::named("nonsense"), None);
    }
}
