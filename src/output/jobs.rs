//! How jobs read: the one object per job of `jobs --json`, `jobs show --json`, `exec --detach
//! --json` and MCP's `kiro_job` (schema/job.schema.json), the table of `jobs`, one job's lines,
//! and the words about the store.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::write_json_line;
use crate::config::Config;
use crate::jobs::{cursor_text, Job, JobState, StoreError};
use crate::sanitize::line as clean;
use crate::units::{human_duration, ms, rfc3339_ms};

/// One job, as JSON (`jobs --json`, MCP's `kiro_job`). What is not known yet (or never was)
/// is absent.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct JobObject {
    /// The job's id (`kiro-poll wait ID`, kiro_job).
    pub id: i64,
    /// Its last change's place: `jobs --since` with it lists what changed after.
    pub cursor: String,
    /// `running` (followed now), `ended` (its outcome recorded), `lost` (its follower ended
    /// without recording one).
    pub state: StateName,
    /// The bridge's URL, credentials redacted.
    pub bridge: String,
    /// The bridge's name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub bridge_name: Option<String>,
    /// The Kiro command id run.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The workspace it ran in, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub workspace: Option<String>,
    /// `cli` or `mcp`.
    pub started_by: String,
    /// Started with `exec --detach`.
    pub detached: bool,
    /// When the request was sent (RFC 3339).
    pub sent_at: String,
    /// When the bridge answered the request (its result, or the 408 after which it was
    /// followed).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub answered_at: Option<String>,
    /// When its end was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub ended_at: Option<String>,
    /// When its outcome was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub recorded_at: Option<String>,
    /// From the request to its end (seen, else recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub took_ms: Option<u64>,
    /// exec's outcome (`succeeded`, `failed`, `completed`, `unknown`, `timed_out`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub outcome: Option<String>,
    /// How its end was seen: response, connection or status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub observed_by: Option<String>,
    /// Whether its result (success, output) is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub result_known: Option<bool>,
    /// What the bridge said of it: true when it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub success: Option<bool>,
    /// The command's output as the bridge returned it (at most 64 KiB kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub output: Option<String>,
    /// Why it did not succeed, or why its end is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub error: Option<String>,
    /// The exit code exec gave or would have given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u8")]
    pub exit_code: Option<u8>,
    /// The follower's process id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32")]
    pub pid: Option<u32>,
    /// When its follower last said it was alive.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub heartbeat_at: Option<String>,
}

/// A job's state, as JSON names it (`JobState::name`).
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum StateName {
    Running,
    Ended,
    Lost,
}

/// A job in a list over MCP (`kiro_jobs`): what tells it apart; `kiro_job` gives the rest.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct JobSummary {
    /// The job's id (kiro_job takes it).
    pub id: i64,
    /// running, ended or lost (its follower ended without seeing the end).
    pub state: StateName,
    /// The Kiro command id run.
    pub command: String,
    /// When it was sent (RFC 3339).
    pub sent_at: String,
    /// How it ended (as kiro_exec's outcome), once it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub outcome: Option<String>,
    /// Milliseconds from sending to its end, once it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub took_ms: Option<u64>,
}

pub fn summary(j: &Job) -> JobSummary {
    let o = object(j);
    JobSummary {
        id: o.id,
        state: o.state,
        command: o.command,
        sent_at: o.sent_at,
        outcome: o.outcome,
        took_ms: o.took_ms,
    }
}

/// `jobs` through MCP (`kiro_jobs`): the jobs, and where to go on from.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobsObject {
    /// The jobs, newest first; with since, the ones that changed after it, oldest change first.
    pub jobs: Vec<JobSummary>,
    /// Pass it as since next time to get only what changed after this call.
    pub cursor: String,
}

fn at(t: Option<SystemTime>) -> Option<String> {
    t.map(rfc3339_ms)
}

pub fn object(j: &Job) -> JobObject {
    JobObject {
        id: j.id,
        cursor: cursor_text(j.cursor),
        state: match j.state {
            JobState::Running => StateName::Running,
            JobState::Ended => StateName::Ended,
            JobState::Lost => StateName::Lost,
        },
        bridge: j.bridge.clone(),
        bridge_name: j.bridge_name.clone(),
        command: j.command.clone(),
        args: j.args.clone(),
        workspace: j.workspace.clone(),
        started_by: j.started_by.clone(),
        detached: j.detached,
        sent_at: rfc3339_ms(j.sent_at),
        answered_at: at(j.answered_at),
        ended_at: at(j.ended_at),
        recorded_at: at(j.recorded_at),
        took_ms: j.took().map(ms),
        outcome: j.outcome.clone(),
        observed_by: j.observed_by.clone(),
        result_known: j.result_known,
        success: j.success,
        output: j.output.clone(),
        error: j.error.clone(),
        exit_code: j.exit_code,
        pid: j.pid,
        heartbeat_at: at(j.heartbeat_at),
    }
}

/// A duration as a table shows it: `42s`, `5m`, `3h`, `2d`.
fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

fn took(j: &Job) -> String {
    match (j.state, j.took()) {
        (JobState::Running, _) => format!(
            "{}…",
            short(SystemTime::now().duration_since(j.sent_at).unwrap_or_default())
        ),
        (_, Some(t)) if t < Duration::from_secs(60) => format!("{:.1}s", t.as_secs_f64()),
        (_, Some(t)) => short(t),
        (_, None) => "-".into(),
    }
}

/// What a job's outcome column says.
fn outcome(j: &Job) -> String {
    match j.state {
        JobState::Running => "running".into(),
        JobState::Lost => "lost".into(),
        JobState::Ended => j.outcome.clone().unwrap_or_else(|| "-".into()),
    }
}

/// `jobs`: a table, or one object per line. With `cursor` (a `--since CURSOR` listing), where
/// the reader goes on from is said on stderr.
pub fn list(
    out: &mut impl Write,
    config: &Config,
    jobs: &[Job],
    filter: &crate::plan::Filter,
    next: Option<i64>,
) -> io::Result<()> {
    if config.json {
        for j in jobs {
            write_json_line(out, &object(j))?;
        }
        return Ok(());
    }
    let painter = super::Painter::of(config);
    if jobs.is_empty() && next.is_none() && !config.quiet && !config.json {
        super::log_line(match (filter.running, &filter.bridge, filter.since) {
            (true, _, _) => "no job is running",
            (_, Some(_), _) | (_, _, crate::plan::Since::Time(_)) => "no jobs match",
            _ => "no jobs yet (each exec records one)",
        });
    }
    if !jobs.is_empty() {
        let command_width = jobs
            .iter()
            .map(|j| clean(&j.command).chars().count())
            .max()
            .unwrap_or(7)
            .clamp(7, 40);
        writeln!(
            out,
            "{:<6} {:<28} {:<command_width$} {:>5} {:>7}  OUTCOME",
            "ID", "BRIDGE", "COMMAND", "AGE", "TOOK"
        )?;
        for j in jobs {
            let age = short(SystemTime::now().duration_since(j.sent_at).unwrap_or_default());
            let cmd: String = clean(&j.command).chars().take(command_width).collect();
            let bridge: String = clean(j.bridge_name.as_deref().unwrap_or(&j.bridge))
                .chars()
                .take(28)
                .collect();
            let word = outcome(j);
            let word = match (j.state, j.exit_code) {
                (JobState::Running, _) => painter.bold(&word),
                (JobState::Lost, _) | (_, Some(1..)) => painter.bad(&word),
                _ => painter.good(&word),
            };
            writeln!(
                out,
                "{:<6} {bridge:<28} {cmd:<command_width$} {age:>5} {:>7}  {word}",
                j.id,
                took(j)
            )?;
        }
    }
    out.flush()?;
    if let (Some(n), false) = (next, config.quiet) {
        super::log_line(&format!(
            "{} changed; next time: kiro-poll jobs --since {}",
            crate::units::count(jobs.len() as u64, "job"),
            cursor_text(n)
        ));
    }
    Ok(())
}

/// `jobs show ID`: every field on a line of its own, or the object.
pub fn show(out: &mut impl Write, config: &Config, j: &Job) -> io::Result<()> {
    if config.json {
        return write_json_line(out, &object(j));
    }
    let o = object(j);
    let mut line = |k: &str, v: Option<String>| -> io::Result<()> {
        match v {
            Some(v) => writeln!(out, "{k:<13}{}", clean(&v)),
            None => Ok(()),
        }
    };
    line("job", Some(j.id.to_string()))?;
    line("state", Some(j.state.name().to_owned()))?;
    line("command", Some(o.command.clone()))?;
    if !o.args.is_empty() {
        line("args", Some(o.args.join(" ")))?;
    }
    line("workspace", o.workspace.clone())?;
    line("bridge", Some(o.bridge.clone()))?;
    line(
        "started by",
        Some(format!(
            "{}{}",
            o.started_by,
            if o.detached { " (detached)" } else { "" }
        )),
    )?;
    line("sent", Some(o.sent_at.clone()))?;
    line("answered", o.answered_at.clone())?;
    line("ended", o.ended_at.clone())?;
    line("took", j.took().map(human_duration))?;
    line("outcome", o.outcome.clone())?;
    line("seen by", o.observed_by.clone())?;
    line("success", o.success.map(|s| s.to_string()))?;
    line("exit code", o.exit_code.map(|c| c.to_string()))?;
    line("error", o.error.clone())?;
    if j.state == JobState::Running {
        line("follower", o.pid.map(|p| format!("pid {p}")))?;
        line("heartbeat", o.heartbeat_at.clone())?;
    }
    line("cursor", Some(o.cursor.clone()))?;
    if let Some(text) = o.output.as_deref().filter(|t| !t.is_empty()) {
        writeln!(out, "output:")?;
        let text = crate::sanitize::text(text);
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    out.flush()
}

/// `exec --detach`: the job's id on stdout (with `--json`, its object), and on stderr how to
/// collect it.
pub fn started(out: &mut impl Write, config: &Config, id: i64, job: Option<&Job>) -> io::Result<()> {
    match (config.json, job) {
        (true, Some(j)) => write_json_line(out, &object(j))?,
        (true, None) => write_json_line(out, &serde_json::json!({ "id": id, "state": "running" }))?,
        (false, _) => {
            writeln!(out, "{id}")?;
            out.flush()?;
        }
    }
    if !config.quiet && !config.json && config.term.stderr_tty {
        super::log_line(&format!(
            "job {id} started in the background; 'kiro-poll wait {id}' waits for it, 'kiro-poll jobs show {id}' shows it"
        ));
    }
    Ok(())
}

/// A store that could not be used by a command that records on the side.
pub fn store_warning(e: &StoreError) -> String {
    format!("warning: {e}; this run is not recorded as a job (--no-store to not record)")
}

/// A store that could not be used by a command that needs it.
pub fn store_needed(e: &StoreError) -> String {
    format!("{e} (choose another with --store PATH or KIRO_POLL_STORE)")
}

/// A command that needs the store, run with `--no-store`.
pub fn no_store(what: &str) -> String {
    format!("{what} needs the job store, and --no-store turned it off")
}

/// `wait`/`jobs show` for an id the store does not have.
pub fn unknown_job(id: i64, e: &std::path::Path) -> String {
    format!(
        "no job {id} in the job store {} (kiro-poll jobs lists them; old ones are pruned)",
        e.display()
    )
}

/// `wait` timed out: which jobs still run (they go on).
pub fn wait_timed_out(limit: Duration, running: &[i64]) -> String {
    let ids: Vec<String> = running.iter().map(|i| i.to_string()).collect();
    format!(
        "timed out after {} waiting; {} {} still running and {} followed",
        human_duration(limit),
        match running.len() {
            1 => "job",
            _ => "jobs",
        },
        ids.join(", "),
        match running.len() {
            1 => "is",
            _ => "are",
        }
    )
}

/// `wait`, for each job once it ended: its object (`--json`), else its output as `exec` prints
/// it, and on stderr what its record says when it did not succeed.
pub fn waited(out: &mut impl Write, config: &Config, j: &Job) -> io::Result<()> {
    if config.json {
        return write_json_line(out, &object(j));
    }
    if let Some(text) = j.output.as_deref().filter(|t| !t.is_empty()) {
        let text = crate::sanitize::text(text);
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        out.flush()?;
    }
    if let (Some(msg), false) = (wait_ended(j), config.quiet) {
        super::log_line(&msg);
    }
    Ok(())
}

/// `wait` for one job, on stderr when it did not succeed (or its end was seen without its
/// result, as `exec --wait` says it): what the job's record says.
fn wait_ended(j: &Job) -> Option<String> {
    if j.wait_code() == Some(0) {
        let unseen = j.outcome.as_deref() == Some("completed") && j.result_known != Some(true);
        return unseen.then(|| {
            format!(
                "job {} ({}) ended after {}{}; its result was not returned, so whether it succeeded is unknown",
                j.id,
                clean(&j.command),
                j.took().map(human_duration).unwrap_or_else(|| "?".into()),
                match j.observed_by.as_deref() {
                    Some("connection") => " (seen by the bridge closing the connection it answered on)",
                    Some("status") => " (seen through the bridge's status)",
                    _ => "",
                }
            )
        });
    }
    let what = match j.state {
        JobState::Lost => "was lost".to_owned(),
        _ => j.outcome.clone().unwrap_or_else(|| "ended".into()),
    };
    Some(format!(
        "job {} ({}) {what}{}",
        j.id,
        clean(&j.command),
        j.error
            .as_deref()
            .map(|e| format!(": {}", clean(e)))
            .unwrap_or_default()
    ))
}
