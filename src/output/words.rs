//! Words shared by the CLI and the MCP server: a status in one line, the news of a wait on one
//! bridge (`engine::observe::Note`) as its spinner or progress notifications say it, and what a
//! wait that ran out last saw.

use std::time::Duration;

use super::{last_seen, timed_out};
use crate::engine::observe::Note;
use crate::engine::outcome::Shown;
use crate::engine::{Goal, LastSeen};
use crate::model::{KiroStatus, Unheld};
use crate::sanitize::line as clean;
use crate::units::{count, human_duration};

/// `ready · running kiro.x · version 1.94.0 · 5 commands`.
pub fn status_line(s: &KiroStatus) -> String {
    let mut parts = vec![s.status.to_string()];
    if let Some(c) = &s.current_command {
        parts.push(format!("running {}", clean(c)));
    }
    if let Some(v) = &s.version {
        parts.push(format!("version {}", clean(v)));
    }
    parts.push(count(s.available_commands.len() as u64, "command"));
    parts.join(" · ")
}

/// A wait's news in a few words.
pub fn progress(note: &Note) -> String {
    match note {
        Note::Sent => "waiting for the bridge's answer".into(),
        Note::Following { lost, unheld } => {
            let how = match unheld {
                None => "following the connection it answered on and its status",
                Some(Unheld::Https) => "following its status (over https the connection cannot show the end)",
                Some(Unheld::Proxy) => "following its status (through a proxy the connection cannot show the end)",
                Some(_) => "following its status",
            };
            format!("{}; {how}", super::exec::lost(lost))
        }
        Note::Status(s) => status_line(s),
        Note::StatusFailed(why) => format!("status unreachable ({}); retrying", clean(why)),
        Note::Changed => "the status changed".into(),
        Note::Running => "Kiro reports it running; following its status".into(),
        Note::StatusCannotTell(shown) => {
            let what = match shown {
                Shown::Never => "its status does not show it (the real bridge never reports busy)".into(),
                Shown::Unavailable { .. } => "its status says Kiro is unavailable".into(),
                Shown::Other(Some(other)) => format!(
                    "its status shows {} current, which cannot show whether this one ended",
                    clean(other)
                ),
                Shown::Other(None) => {
                    "its status shows neither this command running nor Kiro ready with none".into()
                }
                Shown::Running => "its status cannot tell more".into(),
            };
            format!("{what}; following the connection it answered on")
        }
        Note::ClosedUntold => "the connection closed without showing the end; following its status".into(),
        Note::ClosedWhileRunning => {
            "the connection it answered on closed while its status shows it running; following its status".into()
        }
        Note::ConnSilent => {
            "the connection it answered on stopped answering; following its status".into()
        }
        Note::SlotFreed { after } => format!(
            "{} since it was sent: the bridge has freed its slot (its limit on a command), while Kiro may still be running it; still following",
            human_duration(*after)
        ),
        Note::Untrusted => {
            "the connection it answered on is no longer trusted; following its status".into()
        }
    }
}

/// A bridge `--until` still waited for when the watch ended.
#[derive(Debug)]
pub struct Waiting<'a> {
    pub name: &'a str,
    pub seen: LastSeen,
    /// With `available:ID` or `missing:ID`: what its last answer said of the command.
    pub note: Option<String>,
    /// It is where `--until` wants it (only a fleet's words leave it out).
    pub met: bool,
}

/// What the last answer said of the command an `--until` waits on: `kiro.x is not among its 5
/// commands`, `it still offers kiro.x`.
pub fn command_note(until: &[Goal], status: Option<&KiroStatus>) -> Option<String> {
    until.iter().find_map(|u| goal_note(u, status))
}

/// `command_note` of one goal (None for a state).
pub fn goal_note(goal: &Goal, status: Option<&KiroStatus>) -> Option<String> {
    let (id, wanted) = goal.command()?;
    note_of(id, wanted, status)
}

/// `command_note` of one command: `wanted` offered (`available:ID`) or not (`missing:ID`).
fn note_of(id: &str, wanted: bool, status: Option<&crate::model::KiroStatus>) -> Option<String> {
    let status = status?;
    let id_shown = crate::sanitize::line(id);
    Some(match wanted {
        true => format!(
            "{id_shown} is not among its {}",
            count(status.available_commands.len() as u64, "command")
        ),
        false => format!("it still offers {id_shown}"),
    })
}

fn seen_with_note(w: &Waiting<'_>) -> String {
    match &w.note {
        Some(n) => format!("{}; {n}", last_seen(&w.seen)),
        None => last_seen(&w.seen),
    }
}

/// The words of a wait for one bridge that ran out: `timed out after 5s: last seen busy 1s
/// ago`, with the command's note when it waited on one (`kiro_wait` says it the same way).
pub fn one_timed_out(timeout: Duration, w: &Waiting<'_>) -> String {
    match &w.note {
        Some(_) => format!(
            "timed out after {}: {}",
            human_duration(timeout),
            seen_with_note(w)
        ),
        None => timed_out(timeout, &w.seen),
    }
}

/// `count` polls of a watch, none answered: what was last seen of one bridge.
pub fn none_answered(one: bool, waiting: &[Waiting<'_>]) -> String {
    match one {
        true => format!("no poll was answered: {}", last_seen_of_one(waiting)),
        false => "no poll was answered by any bridge".into(),
    }
}

/// A watch's `--timeout` ran out: one bridge's last sighting, or the fleet's bridges not yet
/// where `--until` wants them.
pub fn watch_timed_out(
    one: bool,
    timeout: Duration,
    until: &[Goal],
    bridges: usize,
    waiting: &[Waiting<'_>],
) -> String {
    match (one, waiting.first()) {
        (true, Some(w)) => one_timed_out(timeout, w),
        (true, None) => format!("timed out after {}", human_duration(timeout)),
        (false, _) => fleet_timed_out(timeout, until, bridges, waiting),
    }
}

fn last_seen_of_one(waiting: &[Waiting<'_>]) -> String {
    waiting
        .first()
        .map_or_else(|| last_seen(&LastSeen::Nothing), |w| last_seen(&w.seen))
}

/// `timed out after 1s: 1 of 2 bridges not ready: b (still busy running x for 1s)`.
fn fleet_timed_out(timeout: Duration, until: &[Goal], bridges: usize, waiting: &[Waiting<'_>]) -> String {
    let timeout = human_duration(timeout);
    if until.is_empty() {
        return format!("timed out after {timeout}");
    }
    let not: Vec<String> = waiting
        .iter()
        .filter(|w| !w.met)
        .map(|w| format!("{} ({})", crate::sanitize::line(w.name), seen_with_note(w)))
        .collect();
    let wanted: Vec<String> = until.iter().map(|u| clean(&u.to_string()).into_owned()).collect();
    format!(
        "timed out after {timeout}: {} of {} not {}: {}",
        not.len(),
        count(bridges as u64, "bridge"),
        wanted.join(" or "),
        not.join("; ")
    )
}

pub fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| crate::sanitize::line(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fleet's lanes at its end (`-v`): how many polls each started, and how late.
pub fn lateness(lanes: &[crate::fleet::queue::Lateness; 3]) -> String {
    let lane = |l: &crate::fleet::queue::Lateness| {
        format!(
            "{} started, lateness p50 {} ms, p99 {} ms, max {} ms",
            count(l.count(), "poll"),
            l.quantile(0.5).as_millis(),
            l.quantile(0.99).as_millis(),
            l.max().as_millis()
        )
    };
    let [answering, first, failing] = lanes;
    format!(
        "fleet: {}; of bridges failing: {}; first polls: {}",
        lane(answering),
        lane(failing),
        lane(first)
    )
}

/// What kiro-poll says on stderr besides events and results, with its data; `say` words it.
/// Every such line goes through here (`output::tell`), so the words live in one place.
#[derive(Debug)]
pub enum Notice<'a> {
    /// The job store could not record this run.
    StoreUnusable(&'a crate::jobs::StoreError),
    /// A file read holds an API key and others can read it.
    KeyExposed(&'a std::path::Path),
    /// A key too short to be kept out of output reliably.
    ShortKey,
    /// A line already worded in `output/` (an exec's note, from `output::exec`).
    Worded(&'a str),
    /// An exec's failure that its exit code cannot tell (its result was already decided).
    ExecError(&'a str),
    /// What a wait on one bridge noticed on the way (`Waiter::log`).
    WaitNote(&'a str),
    /// `demo`: the simulators started (`like_real`: behaving like the real bridge).
    DemoRunning {
        first: &'a str,
        count: usize,
        like_real: bool,
    },
    /// `mock-bridge -v`: a scenario step took effect, `at` into the scenario.
    StepApplied {
        at: Duration,
    },
    /// `mock-bridge -v`: one request served.
    Served {
        method: &'a str,
        path: &'a str,
        status: u16,
        ms: f64,
    },
    /// `mock-bridge`: serving `count` simulators from `first` to `last`.
    MockServing {
        first: std::net::SocketAddr,
        last: std::net::SocketAddr,
        count: usize,
        scenario: &'a str,
    },
    MockStopped,
    /// A signal (`reason`) while hooks still ran: they are cut short.
    HooksCutShort {
        reason: &'a str,
        running: u64,
    },
    /// Lines a slow reader of stdout did not take.
    LinesDropped(u64),
    /// The open-files limit is below the sockets needed at once.
    OpenFilesLow {
        limit: u64,
        sockets: usize,
    },
    /// Every bridge of the file rejected its key.
    AllKeysRejected,
    /// A watch of a file (or shard) with no bridge.
    NothingToPoll,
    /// The bridges file cannot be watched for changes.
    CannotWatch {
        path: &'a std::path::Path,
        why: String,
    },
    /// `-v`: how long a reload took.
    ReloadTook {
        read_ms: u128,
        swap_ms: u128,
    },
    /// The exporter is up.
    ServingMetrics(std::net::SocketAddr),
    /// `status --shard K/N` kept no bridge.
    ShardKeepsNone {
        index: u32,
        count: u32,
    },
    /// `-v`: a request and its answer, as the client traces it.
    Request(&'a str),
    /// `mcp`: a call stopped waiting (`how`: a signal or the client's cancellation).
    McpStopped {
        tool: &'a str,
        how: &'a str,
        what: &'a str,
    },
    /// `mcp`: a listen stream past the limit was ended.
    McpTooManyStreams(usize),
    /// `mcp`: serving `bridge`; `terminal`: stdin is a terminal, not a client.
    McpServing {
        bridge: &'a str,
        terminal: bool,
    },
    /// `mcp`: the key was rejected while the resource was polled.
    McpResourceRejected(&'a str),
}

/// A notice's line (without the `kiro-poll: ` every line starts with).
pub fn say(n: &Notice<'_>) -> String {
    match n {
        Notice::StoreUnusable(e) => super::jobs::store_warning(e),
        Notice::KeyExposed(path) => format!(
            "warning: {} holds an API key and others can read it; make it yours alone (chmod 600) or name a key file instead",
            path.display()
        ),
        Notice::ShortKey => format!(
            "warning: an API key under {} characters cannot be kept out of output reliably; use a longer one",
            crate::sanitize::MIN_SAFE_KEY
        ),
        Notice::Worded(text) => (*text).to_owned(),
        Notice::ExecError(msg) => format!("error: {msg}"),
        Notice::WaitNote(msg) => format!("note: {msg}"),
        Notice::DemoRunning { first, count: 1, like_real } => format!(
            "demo: a simulated bridge{} is running on {first}; watching it (Ctrl-C to stop)",
            real(*like_real)
        ),
        Notice::DemoRunning { count, like_real, .. } => format!(
            "demo: {count} simulated bridges{} on 127.0.0.1; watching them (Ctrl-C to stop)",
            real(*like_real)
        ),
        Notice::StepApplied { at } => format!(
            "mock-bridge: scenario step at {} applied at {}",
            human_duration(*at),
            crate::units::rfc3339_ms(std::time::SystemTime::now())
        ),
        Notice::Served { method, path, status, ms } => {
            format!("mock-bridge: {method} {path} -> {status} ({ms:.1} ms)")
        }
        Notice::MockServing { first, count: 1, scenario, .. } => {
            format!("mock-bridge: serving a simulated bridge on http://{first} (scenario {scenario}); Ctrl-C to stop")
        }
        Notice::MockServing { first, last, count, scenario } => format!(
            "mock-bridge: serving {count} simulated bridges on http://{first} to http://{last} (scenario {scenario}); Ctrl-C to stop"
        ),
        Notice::MockStopped => "mock-bridge: stopped".to_owned(),
        Notice::HooksCutShort { reason, running } => {
            format!("{reason}: {} cut short", count(*running, "running hook"))
        }
        Notice::LinesDropped(n) => format!("stdout was not read fast enough: {} dropped", count(*n, "line")),
        Notice::OpenFilesLow { limit, sockets } => format!(
            "the open-files limit is {limit}, below the {sockets} sockets needed at once; some requests will fail with 'Too many open files' (raise `ulimit -n`)"
        ),
        Notice::AllKeysRejected => {
            "every bridge's key was rejected; waiting for the bridges file to be changed (or SIGHUP)".to_owned()
        }
        Notice::NothingToPoll => "nothing to poll: no bridge in the file or its shard".to_owned(),
        Notice::CannotWatch { path, why } => format!(
            "warning: cannot watch {} for changes ({why}); SIGHUP reads it again",
            path.display()
        ),
        Notice::ReloadTook { read_ms, swap_ms } => {
            format!("reload: read and checked in {read_ms} ms, swapped in {swap_ms} ms")
        }
        Notice::ServingMetrics(local) => format!("serving metrics on http://{local}/metrics"),
        Notice::ShardKeepsNone { index, count } => {
            format!("shard {index}/{count} keeps none of the bridges in the file")
        }
        Notice::Request(line) => (*line).to_owned(),
        Notice::McpStopped { tool, how, what } => format!("mcp: {tool} {how}; {what}"),
        Notice::McpTooManyStreams(n) => format!("mcp: {n} listen streams are already open; one more was ended"),
        Notice::McpServing { bridge, terminal: false } => {
            format!("mcp: serving {bridge} over MCP on stdin/stdout (stderr: logs)")
        }
        Notice::McpServing { terminal: true, .. } => "mcp: stdin is a terminal; an MCP client starts this server and speaks JSON-RPC to it (see README \"mcp\"); Ctrl-D ends it".to_owned(),
        Notice::McpResourceRejected(uri) => {
            format!("mcp: the bridge rejected the API key; {uri} is no longer polled")
        }
    }
}

fn real(like_real: bool) -> &'static str {
    match like_real {
        true => " (behaving like the real one)",
        false => "",
    }
}

/// What to try after a failure, in words.
pub fn hint(h: crate::error::Hint) -> &'static str {
    use crate::error::Hint;
    match h {
        Hint::HostName => {
            "the host name does not resolve: check it in --url (or KIRO_BRIDGE_URL) for a typo"
        }
        Hint::NotRunning => {
            "is Kiro running with the Communication Bridge extension? `kiro-poll mock-bridge` serves a simulated one"
        }
        Hint::Slow => "the bridge did not answer in time; raise --request-timeout if it is slow",
        Hint::Key => "set KIRO_API_KEY or --api-key-file to the key the bridge expects",
        Hint::KiroWindow => {
            "the bridge is up but Kiro IDE is not answering it; is the Kiro window open?"
        }
    }
}

/// The one line (hint included) a failure prints on stderr, or None when it ends quietly.
pub fn failure(f: &crate::error::Failure) -> Option<String> {
    let message = f.message.as_deref()?;
    // One line: what failed, where, what the bridge said, and a hint where one helps.
    let mut text = format!("kiro-poll: error: {}", clean(message));
    if let Some(h) = f.hint {
        text.push_str("; hint: ");
        text.push_str(hint(h));
    }
    Some(text)
}
