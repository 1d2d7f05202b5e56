//! Jobs: every `exec` (the CLI's and MCP's, detached or not) is a row in the job store, so a
//! command can be started now and collected later (`exec --detach`, `jobs`, `wait`, MCP's
//! tasks and `kiro_job`), and what ran stays on record. What a job is and what a decision
//! records are here (pure); `store` is the SQLite file. Keeping one exec's row while it runs
//! (`exec::record`), detaching (`exec::detach`) and the `jobs` and `wait` commands
//! (`exec::collect`) are `exec`'s; how a job reads is `output::jobs`'s.

pub mod store;

use std::time::{Duration, SystemTime};

use crate::engine::outcome::Decision;
use crate::plan::ExecPlan;

pub use crate::plan::{parse_since, Filter, Since};
pub use store::{Keep, Store, StoreError, StorePlan};

/// How often a follower says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(2);

/// A running job whose follower has not been heard from for this long is lost (when its
/// process cannot be asked: another machine's, or Windows').
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// At most this much of a command's output, and of its error, is kept in the store.
pub const TEXT_CAP: usize = 64 * 1024;

/// `text`, cut to `TEXT_CAP` bytes at a character boundary.
pub fn cap(text: &str) -> &str {
    if text.len() <= TEXT_CAP {
        return text;
    }
    let mut end = TEXT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Its follower is following it.
    Running,
    /// Its outcome is recorded (whatever it was).
    Ended,
    /// Its follower ended without recording an outcome (killed, the machine restarted).
    Lost,
}

impl JobState {
    pub fn name(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Ended => "ended",
            JobState::Lost => "lost",
        }
    }

    fn parse(s: &str) -> JobState {
        match s {
            "running" => JobState::Running,
            "ended" => JobState::Ended,
            _ => JobState::Lost,
        }
    }
}

/// Who started a job.
pub const BY_CLI: &str = "cli";
pub const BY_MCP: &str = "mcp";

/// A job as it starts.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The bridge's URL, redacted.
    pub bridge: String,
    pub bridge_name: Option<String>,
    pub command: String,
    pub args: Vec<String>,
    pub workspace: Option<String>,
    pub started_by: &'static str,
    pub detached: bool,
    /// Followed past a lost answer (`--wait`, `--detach`, MCP's follows).
    pub wait: bool,
    pub pid: u32,
}

impl NewJob {
    pub fn of(plan: &ExecPlan, bridge: String, started_by: &'static str, detached: bool) -> NewJob {
        NewJob {
            bridge,
            bridge_name: None,
            command: plan.command.clone(),
            args: plan.args.clone(),
            workspace: plan.workspace.clone(),
            started_by,
            detached,
            wait: plan.wait,
            pid: std::process::id(),
        }
    }
}

/// What a job's end records.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub outcome: &'static str,
    pub observed_by: Option<&'static str>,
    pub result_known: bool,
    pub success: Option<bool>,
    pub output: Option<String>,
    pub error: Option<String>,
    /// The exit code `exec` gave (or would give) for it.
    pub exit_code: u8,
    pub answered_at: Option<SystemTime>,
    /// When its end was seen (its answer, or the follow's sign).
    pub ended_at: Option<SystemTime>,
}

impl Outcome {
    /// A decision, as recorded: `sent` is when the request went, `answered` when the bridge
    /// answered it (its result, or the 408 after which it was followed).
    /// `exit_code`: the one `exec` gave or would have given for it.
    pub fn of(
        d: &Decision,
        sent: SystemTime,
        answered: Option<SystemTime>,
        error: Option<String>,
        exit_code: u8,
    ) -> Outcome {
        let r = d.response.as_ref();
        let ended_at = match (d.seen, r) {
            (Some(seen), _) => Some(sent + seen),
            (None, Some(_)) => answered.or(Some(SystemTime::now())),
            (None, None) => None,
        };
        Outcome {
            outcome: d.outcome.name(),
            observed_by: d.observed_by.map(crate::engine::outcome::Sign::name),
            result_known: d.result_known(),
            success: r.map(|r| r.success),
            output: r.and_then(|r| r.output.clone()),
            error,
            exit_code,
            answered_at: answered,
            ended_at,
        }
    }
}

/// A job as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    /// The cursor of its last change.
    pub cursor: i64,
    pub state: JobState,
    pub bridge: String,
    pub bridge_name: Option<String>,
    pub command: String,
    pub args: Vec<String>,
    pub workspace: Option<String>,
    pub started_by: String,
    pub detached: bool,
    pub wait: bool,
    pub sent_at: SystemTime,
    pub answered_at: Option<SystemTime>,
    pub ended_at: Option<SystemTime>,
    pub recorded_at: Option<SystemTime>,
    pub outcome: Option<String>,
    pub observed_by: Option<String>,
    pub result_known: Option<bool>,
    pub success: Option<bool>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub exit_code: Option<u8>,
    pub pid: Option<u32>,
    pub heartbeat_at: Option<SystemTime>,
}

impl Job {
    /// From the request to its end (seen, or recorded when it was not seen).
    pub fn took(&self) -> Option<Duration> {
        let end = self.ended_at.or(self.recorded_at)?;
        end.duration_since(self.sent_at).ok()
    }

    /// The exit code `wait` gives for it, once it is no longer running. An `exec` stopped by
    /// a signal gives the signal's code, but a job stopped that way is one whose outcome is
    /// unknown (`wait` itself was not signalled).
    pub fn wait_code(&self) -> Option<u8> {
        if self.state == JobState::Running {
            return None;
        }
        let unknown = crate::error::Ending::OutcomeUnknown.code();
        Some(match self.exit_code {
            Some(c) if c >= 128 => unknown,
            Some(c) => c,
            None => unknown,
        })
    }
}

/// A cursor as readers see it: `c` and its number.
pub fn cursor_text(n: i64) -> String {
    format!("c{n}")
}

/// Whether a process is alive, where this platform can tell.
pub fn alive(pid: u32) -> Option<bool> {
    crate::platform::process_alive(pid)
}

#[cfg(test)]
mod tests;
