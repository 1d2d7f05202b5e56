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
        format!("Run a Kiro command once; it is never retried (a retried command would run twice). With wait, follow it to its end past the bridge's own 30 s limit (progress is reported when the call has a progressToken).{allowed} The result's outcome says how it ended; on unknown, timed_out or interrupted the command may still be running: check kiro_status before running it again."),
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
    [status, commands, exec, wait, input]
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
}

/// What a call of `name` asks for: None when there is no such tool, the one line that says
/// what is wrong when its arguments are, or why `access` refuses it.
pub fn call(
    name: &str,
    args: Option<JsonObject>,
    follow_interval: Duration,
    access: &Access,
) -> Option<Result<Call, String>> {
    if !matches!(name, STATUS | COMMANDS | EXEC | WAIT | INPUT) {
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
