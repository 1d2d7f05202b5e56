//! The tools `kiro-poll mcp` offers, pure: their names and schemas (from `schema.rs`'s types),
//! which `Access` offers, the arguments read from a call, and the result each answer becomes.
//! The structured results carry the fields of the matching `--json` output (absent where it
//! prints null); the text is one human line then the same JSON, so a client that reads only
//! text sees everything. Failures are worded for an agent: what happened, whether the command
//! may have run, what to try.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use super::schema;

use crate::engine::outcome::Decision;
use crate::engine::Goal;
use crate::model::{InputRequest, InputType, KiroStatus};
use crate::output::exec as render;
use crate::output::status_line;
use crate::plan::{Access, ExecPlan};
use crate::sanitize::line as clean;
use crate::units::{count, human_duration};

pub const STATUS: &str = "kiro_status";
pub const COMMANDS: &str = "kiro_commands";
pub const EXEC: &str = "kiro_exec";
pub const WAIT: &str = "kiro_wait";
pub const INPUT: &str = "kiro_input";
pub const JOB: &str = "kiro_job";
pub const JOBS: &str = "kiro_jobs";

/// The most `kiro_job` waits in one call: below the 60 s at which MCP clients cut a call.
pub const MAX_JOB_WAIT: Duration = Duration::from_secs(50);

/// At most this many goals in one `kiro_wait`.
pub const MAX_GOALS: usize = 64;

/// How long `kiro_exec` with `wait` and `kiro_wait` wait when the call does not say: `exec
/// --timeout`'s default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The tools offered under `access`, in the order `tools/list` gives them: every one but
/// kiro_input by default (no bridge tells an execution id, so an agent cannot learn one);
/// `--read-only` only what reads; `--offer-input` adds kiro_input.
pub fn all(access: &Access) -> Vec<Tool> {
    let read_only = |title: &str| {
        ToolAnnotations::with_title(title)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    };
    let status = Tool::new(
        STATUS,
        "Kiro's state as the bridge reports it: ready, busy or unavailable, the command it runs, its version and the commands it offers (the object of `kiro-poll status --json`).",
        schema::input::<schema::StatusArgs>(),
    )
    .with_raw_output_schema(schema::output::<schema::StatusOut>())
    .annotate(read_only("Kiro status"));
    let commands = Tool::new(
        COMMANDS,
        "The Kiro command ids the bridge offers, sorted; with filter, only those containing it (case-insensitive).",
        schema::input::<schema::CommandsArgs>(),
    )
    .with_raw_output_schema(schema::output::<schema::CommandsOut>())
    .annotate(read_only("Kiro commands"));
    let allowed = match access.allow.is_empty() {
        true => String::new(),
        false => format!(
            " This server runs only commands matching {}.",
            access.allow.join(", ")
        ),
    };
    let exec = Tool::new(
        EXEC,
        format!("Run a Kiro command once; it is never retried (a retried command would run twice). Every run is a job (jobId). Clients with the tasks extension get a task at once and follow it with tasks/get. Otherwise: wait: false (the default) returns at once, with the result if the bridge answered within a second, else outcome running and the jobId: then call {JOB} with that id (and wait) until it ends; wait: true follows it to its end in this call, past the bridge's own 30 s limit (use it only for commands that end well within your client's time limit, often 60 s; progress is reported when the call has a progressToken).{allowed} The result's outcome says how it ended; on unknown, timed_out or interrupted the command may still be running: check kiro_status before running it again."),
        schema::input::<schema::ExecArgs>(),
    )
    .with_raw_output_schema(schema::output::<schema::ExecOut>())
    .annotate(
        ToolAnnotations::with_title("Run a Kiro command")
            .read_only(false)
            .destructive(true)
            .idempotent(false)
            .open_world(true),
    );
    let wait = Tool::new(
        WAIT,
        "Wait until Kiro's state is one of the goals given (ready, busy, unavailable, change, available:ID, missing:ID; several comma-separated), polling the bridge with kiro-poll's adaptive intervals. reachedGoal says which held. Not reached within timeout: an error result saying what was last seen. It cannot wait for a command to finish: kiro_exec with wait does.",
        schema::input::<schema::WaitArgs>(),
    )
    .with_raw_output_schema(schema::output::<schema::WaitOut>())
    .annotate(read_only("Wait for Kiro"));
    let input = Tool::new(
        INPUT,
        "Answer a running command's prompt, once, by its execution id (POST /api/kiro/input). No bridge tells an execution id: use it only with one learned elsewhere.",
        schema::input::<schema::InputArgs>(),
    )
    .with_raw_output_schema(schema::output::<schema::InputOut>())
    .annotate(
        ToolAnnotations::with_title("Answer a Kiro prompt")
            .read_only(false)
            .destructive(false)
            .idempotent(false)
            .open_world(true),
    );
    let job = Tool::new(
        JOB,
        format!("One job: a command run through {EXEC} (its jobId). With wait (seconds, at most 50), wait for it to end first, so no call meets a client's time limit: call again while its state is running. state is running, ended or lost (its follower ended without seeing the end: the command may still run); outcome and exitCode say how it ended, output is what the command returned."),
        schema::input::<schema::JobArgs>(),
    )
    .with_raw_output_schema(schema::output::<crate::output::jobs::JobObject>())
    .annotate(read_only("A Kiro job"));
    let jobs = Tool::new(
        JOBS,
        "The commands run through kiro-poll (jobs), newest first. Pass the cursor of the previous call as since to get only the jobs that changed after it (oldest change first), so each end is seen once.",
        schema::input::<schema::JobsArgs>(),
    )
    .with_raw_output_schema(schema::output::<crate::output::jobs::JobsObject>())
    .annotate(read_only("Kiro jobs"));
    [status, commands, exec, wait, input, job, jobs]
        .into_iter()
        .filter(|t| access.offers(&t.name))
        .collect()
}

fn span(s: Option<schema::Span>, tool: &str) -> Result<Duration, String> {
    let bad = |why: String| format!("{tool}: invalid value for 'timeout': {why}");
    match s {
        None => Ok(DEFAULT_TIMEOUT),
        Some(schema::Span::Seconds(n))
            if n.is_finite() && n > 0.0 && n <= crate::units::MAX_DURATION.as_secs_f64() =>
        {
            Ok(Duration::from_secs_f64(n))
        }
        Some(schema::Span::Seconds(n)) if n.is_finite() && n > 0.0 => Err(bad(format!(
            "{n} seconds is longer than the longest timeout (100 years)"
        ))),
        Some(schema::Span::Seconds(n)) => Err(bad(format!("{n} is not a number of seconds above 0"))),
        Some(schema::Span::Text(t)) => match crate::units::parse_duration(&t) {
            Ok(d) if d.is_zero() => Err(bad("it must be above 0".into())),
            Ok(d) => Ok(d),
            Err(e) => Err(bad(clean(&e).into_owned())),
        },
    }
}

/// A call's arguments as `T`, or the one line that says what is wrong with them.
fn read<T: serde::de::DeserializeOwned>(tool: &str, args: Option<JsonObject>) -> Result<T, String> {
    serde_json::from_value(Value::Object(args.unwrap_or_default()))
        .map_err(|e| format!("{tool}: invalid arguments: {}", clean(&e.to_string())))
}

fn job_args(args: Option<JsonObject>) -> Result<Call, String> {
    let a = read::<schema::JobArgs>(JOB, args)?;
    let wait = match a.wait {
        None => Duration::ZERO,
        Some(n) if n.is_finite() && n >= 0.0 => Duration::from_secs_f64(n.min(MAX_JOB_WAIT.as_secs_f64())),
        Some(n) => {
            return Err(format!(
                "{JOB}: invalid value for 'wait': {n} is not a number of seconds of 0 or more"
            ))
        }
    };
    Ok(Call::Job(a.id, wait))
}

fn jobs_args(args: Option<JsonObject>) -> Result<Call, String> {
    let a = read::<schema::JobsArgs>(JOBS, args)?;
    let since = match a.since.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => match c.strip_prefix('c').and_then(|n| n.parse::<i64>().ok()) {
            Some(n) => Some(n),
            None => {
                return Err(format!(
                "{JOBS}: invalid value for 'since': '{}' is not a cursor (c42, as the last kiro_jobs gave)",
                clean(c)
            ))
            }
        },
    };
    let limit = a.limit.unwrap_or(50).clamp(1, 500) as usize;
    Ok(Call::Jobs(since, a.running, limit))
}

fn status_args(args: Option<JsonObject>) -> Result<(), String> {
    read::<schema::StatusArgs>(STATUS, args).map(|_| ())
}

fn commands_args(args: Option<JsonObject>) -> Result<Option<String>, String> {
    read::<schema::CommandsArgs>(COMMANDS, args).map(|a| Some(a.filter).filter(|f| !f.is_empty()))
}

/// `kiro_exec`'s arguments as the plan `exec` runs with; a command `access` does not allow is
/// refused here, before anything is sent.
fn exec_args(
    args: Option<JsonObject>,
    follow_interval: Duration,
    access: &Access,
) -> Result<ExecPlan, String> {
    let a: schema::ExecArgs = read(EXEC, args)?;
    if a.command.trim().is_empty() {
        return Err(format!(
            "{EXEC}: invalid value '' for 'command': a command id is required"
        ));
    }
    access.allows(&a.command)?;
    Ok(ExecPlan {
        command: a.command,
        args: a.args,
        workspace: a.workspace,
        wait: a.wait,
        timeout: span(a.timeout, EXEC)?,
        follow_interval,
        exit_status: false,
        detach: false,
    })
}

/// `kiro_wait`'s arguments: the goals (one string, comma-separated, or a list), and how long.
fn wait_args(args: Option<JsonObject>) -> Result<(Vec<Goal>, Duration), String> {
    let a: schema::WaitArgs = read(WAIT, args)?;
    let given: Vec<String> = match a.until {
        schema::Goals::Text(t) => t.split(',').map(str::to_owned).collect(),
        schema::Goals::List(l) => l,
    };
    // Each goal is checked on every poll: a client cannot make that unbounded.
    if given.len() > MAX_GOALS {
        return Err(format!(
            "{WAIT}: 'until' names {} goals; at most {MAX_GOALS}",
            given.len()
        ));
    }
    let mut goals = Vec::new();
    for g in &given {
        match g.trim().parse::<Goal>() {
            Ok(goal) => goals.push(goal),
            Err(e) => return Err(format!("{WAIT}: invalid value '{}' for 'until': {e}", clean(g))),
        }
    }
    if goals.is_empty() {
        return Err(format!(
            "{WAIT}: 'until' names no goal: give one, such as \"ready\""
        ));
    }
    Ok((goals, span(a.timeout, WAIT)?))
}

fn input_args(args: Option<JsonObject>) -> Result<InputRequest, String> {
    let a: schema::InputArgs = read(INPUT, args)?;
    if a.execution_id.trim().is_empty() {
        return Err(format!(
            "{INPUT}: invalid value '' for 'executionId': an execution id is required"
        ));
    }
    Ok(InputRequest {
        value: a.value,
        kind: match a.kind {
            schema::InputKind::Text => InputType::Text,
            schema::InputKind::Choice => InputType::Choice,
            schema::InputKind::File => InputType::File,
            schema::InputKind::Confirmation => InputType::Confirmation,
        },
        execution_id: a.execution_id,
    })
}

/// A tool call with its arguments read.
#[derive(Debug)]
pub enum Call {
    Status,
    Commands(Option<String>),
    Exec(ExecPlan),
    Wait(Vec<Goal>, Duration),
    Input(InputRequest),
    /// `kiro_job`: the id, how long to wait for its end.
    Job(i64, Duration),
    /// `kiro_jobs`: since a cursor, only running ones, at most this many.
    Jobs(Option<i64>, bool, usize),
}

/// What a call of `name` asks for: None when there is no such tool, the one line that says
/// what is wrong when its arguments are, or why `access` refuses it.
pub fn call(
    name: &str,
    args: Option<JsonObject>,
    follow_interval: Duration,
    access: &Access,
) -> Option<Result<Call, String>> {
    if !matches!(name, STATUS | COMMANDS | EXEC | WAIT | INPUT | JOB | JOBS) {
        return None;
    }
    if !access.offers(name) {
        return Some(Err(access.refusal(name)));
    }
    Some(match name {
        STATUS => status_args(args).map(|()| Call::Status),
        COMMANDS => commands_args(args).map(Call::Commands),
        EXEC => exec_args(args, follow_interval, access).map(Call::Exec),
        WAIT => wait_args(args).map(|(goals, timeout)| Call::Wait(goals, timeout)),
        JOB => job_args(args),
        JOBS => jobs_args(args),
        _ => input_args(args).map(Call::Input),
    })
}

fn text(t: impl Into<String>) -> Vec<ContentBlock> {
    vec![ContentBlock::text(t.into())]
}

/// A call that failed before any result: its words for an agent, nothing structured.
pub fn failed(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(text(message))
}

/// A result with its structured content; its text carries the same JSON, after one human
/// line (a client that reads only text sees everything). `error`: it did not do what was asked.
fn result(structured: impl serde::Serialize, human: String, error: bool) -> CallToolResult {
    let value = serde_json::to_value(&structured).unwrap_or(Value::Null);
    let json = serde_json::to_string(&value).unwrap_or_default();
    let content = text(format!("{human}\n{json}"));
    let mut r = match error {
        true => CallToolResult::error(content),
        false => CallToolResult::success(content),
    };
    r.structured_content = Some(value);
    r
}

/// A failure of the bridge in an agent's terms: what happened, that nothing was run (these
/// tools only read), what to try. No CLI prefix, no CLI flags, no hint to start a simulator.
pub fn message(e: crate::error::BridgeError) -> String {
    use crate::error::{BridgeError, FailureKind};
    let what = clean(&e.to_string()).into_owned();
    let try_this = match &e {
        BridgeError::Unreachable {
            kind: FailureKind::Connect,
            ..
        } => "Kiro may not be running, or its Communication Bridge extension is off: ask the user to open Kiro, then call again",
        BridgeError::Unreachable {
            kind: FailureKind::Timeout,
            ..
        } => "the bridge is slow or stuck: call again in a while",
        BridgeError::Auth { .. } => {
            "the API key this MCP server was started with is not the one the bridge expects: the user must fix the server's configuration"
        }
        BridgeError::Unavailable { .. } => {
            "Kiro IDE is not answering its bridge: ask the user whether its window is open, then call again"
        }
        BridgeError::Redirect { .. } => "the bridge URL in this MCP server's configuration is wrong",
        _ => "call again in a while; if it persists, the bridge URL may point at something else",
    };
    format!("{what}. Nothing was run. To try: {try_this}.")
}

pub fn status_result(s: &KiroStatus) -> CallToolResult {
    result(schema::StatusOut::from(s), status_line(s), false)
}

pub fn commands_result(list: &[&str]) -> CallToolResult {
    let short = match list.len() {
        0 => "no commands".to_owned(),
        n => count(n as u64, "command"),
    };
    let out = schema::CommandsOut {
        count: list.len() as u64,
        commands: list.iter().map(|c| c.to_string()).collect(),
    };
    result(out, short, false)
}

/// `exec --json`'s fields, absent where it prints null; the text is the command's own output
/// (or how it ended), then the JSON. A failure says what happened, whether the command may
/// have run, and what to try.
pub fn exec_result(plan: &ExecPlan, d: &Decision, waited: Duration) -> CallToolResult {
    exec_result_of_job(plan, d, waited, None)
}

/// `exec_result`, with the id of the job that recorded it.
pub fn exec_result_of_job(
    plan: &ExecPlan,
    d: &Decision,
    waited: Duration,
    job_id: Option<i64>,
) -> CallToolResult {
    let r = render::report_for_agent(plan, d, waited);
    let out = schema::ExecOut {
        command: r.command.to_owned(),
        args: r.args.to_vec(),
        success: r.success,
        output: r.output.map(str::to_owned),
        error: r.error,
        execution_time_ms: r.execution_time_ms,
        waited_ms: r.waited_ms,
        observed_by: r.observed_by,
        outcome: r.outcome,
        seen_ms: r.seen_ms,
        result_known: r.result_known,
        slot_freed: r.slot_freed,
        job_id,
    };
    let failed = !d.outcome.ok();
    let human = match render::message_for_agent(plan, d) {
        Some(m) if failed => format!("{m}. {}", render::ran(d)),
        _ => match d.response.as_ref().and_then(|r| r.output.as_deref()) {
            Some(out) if !out.is_empty() => crate::sanitize::text(out).trim_end().to_owned(),
            _ => render::note(plan, d)
                .unwrap_or_else(|| format!("{} {}", clean(&plan.command), d.outcome.name())),
        },
    };
    result(out, human, failed)
}

/// `kiro_exec` with `wait: false` whose answer did not come at once: the job that follows it.
pub fn exec_running(plan: &ExecPlan, job_id: Option<i64>, waited: Duration) -> CallToolResult {
    let out = schema::ExecOut {
        command: plan.command.clone(),
        args: plan.args.clone(),
        success: None,
        output: None,
        error: None,
        execution_time_ms: None,
        waited_ms: crate::units::ms(waited),
        observed_by: None,
        outcome: crate::engine::outcome::Outcome::Running,
        seen_ms: None,
        result_known: false,
        slot_freed: false,
        job_id,
    };
    let human = match job_id {
        Some(id) => format!(
            "{} is running as job {id}; this server follows it to its end. Call {JOB} with id {id} (and wait, up to 50 seconds a call) to learn how it ended.",
            clean(&plan.command)
        ),
        None => format!(
            "{} was sent and is running; this server keeps no job store, so how it ends cannot be asked: check {STATUS} before running it again.",
            clean(&plan.command)
        ),
    };
    result(out, human, false)
}

/// `kiro_job`'s answer: the job, and what it means in a line.
pub fn job_result(j: &crate::jobs::Job) -> CallToolResult {
    use crate::jobs::JobState;
    let cmd = clean(&j.command);
    let human = match j.state {
        JobState::Running => format!(
            "job {} ({cmd}) is still running; call {JOB} again with wait to keep waiting",
            j.id
        ),
        JobState::Lost => format!(
            "job {} ({cmd}) was lost: {}. Check {STATUS} before running it again.",
            j.id,
            clean(j.error.as_deref().unwrap_or("its follower ended"))
        ),
        JobState::Ended => match (j.outcome.as_deref(), j.output.as_deref()) {
            (Some("succeeded"), Some(out)) if !out.is_empty() => {
                format!(
                    "job {} ({cmd}) succeeded: {}",
                    j.id,
                    crate::sanitize::text(out).trim_end()
                )
            }
            (o, _) => format!(
                "job {} ({cmd}) {}{}",
                j.id,
                o.unwrap_or("ended"),
                j.error
                    .as_deref()
                    .map(|e| format!(": {}", clean(e)))
                    .unwrap_or_default()
            ),
        },
    };
    let failed = j.state == JobState::Lost || j.exit_code.is_some_and(|c| c != 0);
    result(crate::output::jobs::object(j), human, failed)
}

/// `kiro_jobs`' answer.
pub fn jobs_result(jobs: &[crate::jobs::Job], cursor: i64) -> CallToolResult {
    let out = crate::output::jobs::JobsObject {
        jobs: jobs.iter().map(crate::output::jobs::summary).collect(),
        cursor: crate::jobs::cursor_text(cursor),
    };
    let human = format!(
        "{}; pass since: \"{}\" next time for only what changes after this",
        count(jobs.len() as u64, "job"),
        out.cursor
    );
    result(out, human, false)
}

/// A `kiro_job` for an id the store does not have.
pub fn no_job(id: i64) -> String {
    format!("{JOB}: there is no job {id} in the job store ({JOBS} lists them; old ones are pruned)")
}

/// What a `kiro_wait` came to.
#[derive(Debug)]
pub struct WaitEnd {
    pub goals: Vec<Goal>,
    /// The goal that held, when one did.
    pub reached: Option<Goal>,
    /// The last status answered (None: none, or the bridge is failing now).
    pub status: Option<Arc<KiroStatus>>,
    pub polls: u64,
    pub waited: Duration,
    /// When not reached: the timeout's words (or the stop's).
    pub message: Option<String>,
}

/// The goals as given, comma-separated.
pub fn goals_text(goals: &[Goal]) -> String {
    goals.iter().map(Goal::to_string).collect::<Vec<_>>().join(",")
}

pub fn wait_result(w: &WaitEnd) -> CallToolResult {
    let out = schema::WaitOut {
        reached: w.reached.is_some(),
        until: goals_text(&w.goals),
        reached_goal: w.reached.as_ref().map(Goal::to_string),
        status: w.status.as_deref().map(schema::StatusOut::from),
        polls: w.polls,
        waited_ms: crate::units::ms(w.waited),
        message: w.message.clone(),
    };
    let human = match (&w.reached, &w.message, &w.status) {
        (None, Some(m), _) => m.clone(),
        (Some(g), _, Some(s)) => format!(
            "{} reached after {}: {}",
            clean(&g.to_string()),
            human_duration(w.waited),
            status_line(s)
        ),
        (Some(g), _, None) => format!("{} reached", clean(&g.to_string())),
        (None, None, _) => "not reached".to_owned(),
    };
    result(out, human, w.reached.is_none())
}

/// `input --json`'s object when the bridge answered; the refusal's words otherwise.
pub fn input_result(request: &InputRequest, answer: &crate::model::InputAnswer) -> CallToolResult {
    use crate::model::InputAnswer;
    let ending = render::input_ending(answer);
    let out = |r: &crate::model::InputResponse| schema::InputOut {
        success: r.success,
        error: r.error.clone(),
        // The id asked about: the bridge echoes "" when it had no such prompt.
        execution_id: request.execution_id.clone(),
    };
    match (answer, ending) {
        (InputAnswer::Answered { response, .. }, None) => result(
            out(response),
            format!("input accepted for {}", clean(&request.execution_id)),
            false,
        ),
        (InputAnswer::Answered { response, .. }, Some((_, msg))) => result(out(response), msg, true),
        (InputAnswer::Rejected(_), Some((_, msg))) => failed(msg),
        (InputAnswer::Rejected(m), None) => failed(format!("the bridge rejected the input: {}", clean(m))),
    }
}

#[cfg(test)]
mod tests;
