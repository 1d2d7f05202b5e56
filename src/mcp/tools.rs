//! The tools `kiro-poll mcp` offers, pure: their names, input and output schemas, the
//! arguments read from a call, and the result each answer becomes. The structured results
//! carry the fields of the matching `--json` output; the text is the short line a client that
//! reads only text shows, or the CLI's one-line message when the call failed.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::outcome::Decision;
use crate::engine::Goal;
use crate::model::{InputRequest, InputType, KiroStatus};
use crate::output::exec as render;
use crate::output::status_line;
use crate::plan::ExecPlan;
use crate::sanitize::line as clean;
use crate::units::{count, human_duration};

pub const STATUS: &str = "kiro_status";
pub const COMMANDS: &str = "kiro_commands";
pub const EXEC: &str = "kiro_exec";
pub const WAIT: &str = "kiro_wait";
pub const INPUT: &str = "kiro_input";

/// How long `kiro_exec` with `wait` and `kiro_wait` wait when the call does not say: `exec
/// --timeout`'s default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

fn object(v: Value) -> Arc<JsonObject> {
    match v {
        Value::Object(m) => Arc::new(m),
        _ => unreachable!("a schema is an object"),
    }
}

/// The status object, as `status --json` prints it.
fn status_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["ready", "busy", "unavailable"]},
            "currentCommand": {"type": "string", "description": "The command Kiro reports running"},
            "version": {"type": "string"},
            "availableCommands": {"type": "array", "items": {"type": "string"}},
            "timestamp": {"type": "string", "description": "When the bridge answered (RFC 3339)"}
        },
        "required": ["status", "availableCommands"]
    })
}

/// `timeout`: a duration as the CLI takes it (`90s`, `10m`) or a number of seconds.
fn timeout_schema(what: &str) -> Value {
    json!({
        "type": ["string", "number"],
        "description": format!("{what}: a duration (\"90s\", \"10m\") or seconds; default 10m")
    })
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

/// Every tool, in the order `tools/list` gives them.
pub fn all() -> Vec<Tool> {
    let read_only = |title: &str| {
        ToolAnnotations::with_title(title)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    };
    let status = Tool::new(
        STATUS,
        "Kiro's state as the bridge reports it: ready, busy or unavailable, the command it runs, its version and the commands it offers. The same object as `kiro-poll status --json`.",
        object(json!({"type": "object", "properties": {}, "additionalProperties": false})),
    )
    .with_raw_output_schema(object(status_schema()))
    .annotate(read_only("Kiro status"));
    let commands = Tool::new(
        COMMANDS,
        "The Kiro commands the bridge offers, sorted, optionally only those containing `filter` (case-insensitive). As `kiro-poll commands --json`.",
        object(json!({
            "type": "object",
            "properties": {"filter": {"type": "string", "description": "Only commands containing this text"}},
            "additionalProperties": false
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "commands": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["count", "commands"]
    })))
    .annotate(read_only("Kiro commands"));
    let exec = Tool::new(
        EXEC,
        "Run a Kiro command once (never retried: a retried command would run twice). With `wait`, follow it to its end, past the bridge's own 30 s limit: when the bridge gives up on the request, by the connection it answered on (the bridge closes it when the command ends) and by the status; progress is reported when the call has a progressToken. The result has the fields of `kiro-poll exec --json`; `outcome` is succeeded, failed, not_started, completed (its end was seen, by `observedBy`, but its result was not returned: `resultKnown` is false), abandoned (the bridge gave up on it at its 5-minute limit; it may still be running), unknown (the answer was lost: it may still be running), timed_out, interrupted, unavailable, rejected, unauthorized or unreachable.",
        object(json!({
            "type": "object",
            "properties": {
                "command": {"type": "string", "minLength": 1, "description": "Kiro command id, e.g. kiro.generateCode"},
                "args": {"type": "array", "items": {"type": "string"}, "description": "Arguments passed to the command"},
                "workspace": {"type": "string", "description": "Workspace directory the command runs in"},
                "wait": {"type": "boolean", "description": "Wait for the command to finish (default false)"},
                "timeout": timeout_schema("With wait: give up after this long")
            },
            "required": ["command"],
            "additionalProperties": false
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "command": {"type": "string"},
            "args": {"type": "array", "items": {"type": "string"}},
            "success": nullable("boolean"),
            "output": nullable("string"),
            "error": nullable("string"),
            "executionTimeMs": nullable("number"),
            "waitedMs": {"type": "integer", "minimum": 0},
            "observedBy": {"enum": ["response", "connection", "status", null]},
            "outcome": {"type": "string", "enum": [
                "succeeded", "failed", "not_started", "completed", "abandoned", "unknown",
                "timed_out", "interrupted", "unavailable", "rejected", "unauthorized", "unreachable"
            ]},
            "seenMs": nullable("integer"),
            "resultKnown": {"type": "boolean"}
        },
        "required": ["command", "args", "success", "output", "error", "executionTimeMs", "waitedMs", "observedBy", "outcome", "seenMs", "resultKnown"]
    })))
    .annotate(
        ToolAnnotations::with_title("Run a Kiro command")
            .read_only(false)
            .destructive(true)
            .idempotent(false)
            .open_world(true),
    );
    let wait = Tool::new(
        WAIT,
        "Poll the bridge with kiro-poll's adaptive intervals (ETag, backoff while it is down) until `until` holds: ready, busy, unavailable, change (any change after the first answer), available:ID (the bridge offers command ID) or missing:ID. Not reached within `timeout`: an error result saying what was last seen.",
        object(json!({
            "type": "object",
            "properties": {
                "until": {"type": "string", "description": "ready, busy, unavailable, change, available:ID or missing:ID"},
                "timeout": timeout_schema("Give up after this long")
            },
            "required": ["until"],
            "additionalProperties": false
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "reached": {"type": "boolean"},
            "until": {"type": "string"},
            "status": {"anyOf": [status_schema(), {"type": "null"}]},
            "polls": {"type": "integer", "minimum": 0},
            "waitedMs": {"type": "integer", "minimum": 0},
            "message": {"type": "string", "description": "When not reached: why, and what was last seen"}
        },
        "required": ["reached", "until", "status", "polls", "waitedMs"]
    })))
    .annotate(read_only("Wait for Kiro"));
    let input = Tool::new(
        INPUT,
        "Answer a running command's prompt (POST /api/kiro/input), once. As `kiro-poll input --json`.",
        object(json!({
            "type": "object",
            "properties": {
                "executionId": {"type": "string", "minLength": 1, "description": "The execution id the prompt belongs to"},
                "value": {"type": "string", "description": "The answer"},
                "type": {"type": "string", "enum": ["text", "choice", "file", "confirmation"], "description": "Kind of input (default text)"}
            },
            "required": ["executionId", "value"],
            "additionalProperties": false
        })),
    )
    .with_raw_output_schema(object(json!({
        "type": "object",
        "properties": {
            "success": {"type": "boolean"},
            "error": {"type": "string"},
            "executionId": {"type": "string"}
        },
        "required": ["success", "executionId"]
    })))
    .annotate(
        ToolAnnotations::with_title("Answer a Kiro prompt")
            .read_only(false)
            .destructive(false)
            .idempotent(false)
            .open_world(true),
    );
    vec![status, commands, exec, wait, input]
}

/// A duration as a tool takes it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Span {
    Seconds(f64),
    Text(String),
}

fn span(s: Option<Span>, tool: &str) -> Result<Duration, String> {
    let bad = |why: String| format!("{tool}: invalid value for 'timeout': {why}");
    match s {
        None => Ok(DEFAULT_TIMEOUT),
        Some(Span::Seconds(n))
            if n.is_finite() && n > 0.0 && n <= crate::units::MAX_DURATION.as_secs_f64() =>
        {
            Ok(Duration::from_secs_f64(n))
        }
        Some(Span::Seconds(n)) if n.is_finite() && n > 0.0 => Err(bad(format!(
            "{n} seconds is longer than the longest timeout (100 years)"
        ))),
        Some(Span::Seconds(n)) => Err(bad(format!("{n} is not a number of seconds above 0"))),
        Some(Span::Text(t)) => match crate::units::parse_duration(&t) {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

fn status_args(args: Option<JsonObject>) -> Result<(), String> {
    read::<NoArgs>(STATUS, args).map(|_| ())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandsArgs {
    filter: Option<String>,
}

fn commands_args(args: Option<JsonObject>) -> Result<Option<String>, String> {
    read::<CommandsArgs>(COMMANDS, args).map(|a| a.filter)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecArgs {
    command: String,
    #[serde(default)]
    args: Vec<String>,
    workspace: Option<String>,
    #[serde(default)]
    wait: bool,
    timeout: Option<Span>,
}

/// `kiro_exec`'s arguments as the plan `exec` runs with.
fn exec_args(args: Option<JsonObject>, follow_interval: Duration) -> Result<ExecPlan, String> {
    let a: ExecArgs = read(EXEC, args)?;
    if a.command.trim().is_empty() {
        return Err(format!(
            "{EXEC}: invalid value '' for 'command': a command id is required"
        ));
    }
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitArgs {
    until: String,
    timeout: Option<Span>,
}

/// `kiro_wait`'s arguments: what to wait for, and how long.
fn wait_args(args: Option<JsonObject>) -> Result<(Goal, Duration), String> {
    let a: WaitArgs = read(WAIT, args)?;
    let goal = match a.until.trim().parse::<Goal>() {
        Ok(goal) => goal,
        Err(e) => {
            return Err(format!(
                "{WAIT}: invalid value '{}' for 'until': {e}",
                clean(&a.until)
            ))
        }
    };
    Ok((goal, span(a.timeout, WAIT)?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct InputArgs {
    execution_id: String,
    value: String,
    #[serde(rename = "type")]
    kind: Option<InputType>,
}

fn input_args(args: Option<JsonObject>) -> Result<InputRequest, String> {
    let a: InputArgs = read(INPUT, args)?;
    if a.execution_id.trim().is_empty() {
        return Err(format!(
            "{INPUT}: invalid value '' for 'executionId': an execution id is required"
        ));
    }
    Ok(InputRequest {
        value: a.value,
        kind: a.kind.unwrap_or(InputType::Text),
        execution_id: a.execution_id,
    })
}

/// A tool call with its arguments read.
#[derive(Debug)]
pub enum Call {
    Status,
    Commands(Option<String>),
    Exec(ExecPlan),
    Wait(Goal, Duration),
    Input(InputRequest),
}

/// What a call of `name` asks for: None when there is no such tool, the one line that says
/// what is wrong when its arguments are.
pub fn call(name: &str, args: Option<JsonObject>, follow_interval: Duration) -> Option<Result<Call, String>> {
    Some(match name {
        STATUS => status_args(args).map(|()| Call::Status),
        COMMANDS => commands_args(args).map(Call::Commands),
        EXEC => exec_args(args, follow_interval).map(Call::Exec),
        WAIT => wait_args(args).map(|(goal, timeout)| Call::Wait(goal, timeout)),
        INPUT => input_args(args).map(Call::Input),
        _ => return None,
    })
}

fn text(t: impl Into<String>) -> Vec<ContentBlock> {
    vec![ContentBlock::text(t.into())]
}

/// A call that failed: the CLI's one-line message, nothing structured.
pub fn failed(message: impl Into<String>) -> CallToolResult {
    CallToolResult::error(text(message))
}

/// A result with its structured content and its short text; `error`: it did not do what was
/// asked (what exits non-zero on the command line).
fn result(structured: Value, short: String, error: bool) -> CallToolResult {
    let mut r = if error {
        CallToolResult::error(text(short))
    } else {
        CallToolResult::success(text(short))
    };
    r.structured_content = Some(structured);
    r
}

fn to_value(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The CLI's line for a failure of the bridge (`kiro-poll: error: ...; hint: ...`).
pub fn message(e: crate::error::BridgeError) -> String {
    crate::error::report(&e.into()).unwrap_or_default()
}

pub fn status_result(s: &KiroStatus) -> CallToolResult {
    result(to_value(s), status_line(s), false)
}

pub fn commands_result(list: &[&str]) -> CallToolResult {
    let shown: Vec<String> = list.iter().map(|c| clean(c).into_owned()).collect();
    let short = match list.len() {
        0 => "no commands".to_owned(),
        n => format!("{}: {}", count(n as u64, "command"), shown.join(", ")),
    };
    result(json!({"count": list.len(), "commands": list}), short, false)
}

/// `exec --json`'s object; the text is the command's output (or that it finished), or the
/// CLI's words for an ending that is not a success.
pub fn exec_result(plan: &ExecPlan, d: &Decision, waited: Duration) -> CallToolResult {
    let report = to_value(&render::report(plan, d, waited));
    let failed = !d.outcome.ok();
    let short = match render::message(plan, d) {
        Some(m) if failed => m,
        _ => match d.response.as_ref().and_then(|r| r.output.as_deref()) {
            Some(out) if !out.is_empty() => crate::sanitize::text(out).into_owned(),
            _ => render::note(plan, d)
                .unwrap_or_else(|| format!("{} {}", clean(&plan.command), d.outcome.name())),
        },
    };
    result(report, short, failed)
}

/// What a `kiro_wait` came to.
#[derive(Debug)]
pub struct WaitEnd {
    pub goal: Goal,
    pub reached: bool,
    /// The last status answered (None: none, or the bridge is failing now).
    pub status: Option<Arc<KiroStatus>>,
    pub polls: u64,
    pub waited: Duration,
    /// When not reached: the timeout's words (or the stop's).
    pub message: Option<String>,
}

pub fn wait_result(w: &WaitEnd) -> CallToolResult {
    let mut v = json!({
        "reached": w.reached,
        "until": w.goal.to_string(),
        "status": w.status.as_deref().map_or(Value::Null, to_value),
        "polls": w.polls,
        "waitedMs": crate::units::ms(w.waited),
    });
    if let Some(m) = &w.message {
        v["message"] = Value::String(m.clone());
    }
    let short = match (&w.message, &w.status) {
        (Some(m), _) => m.clone(),
        (None, Some(s)) => format!(
            "{} reached after {}: {}",
            clean(&w.goal.to_string()),
            human_duration(w.waited),
            status_line(s)
        ),
        (None, None) => format!("{} reached", clean(&w.goal.to_string())),
    };
    result(v, short, !w.reached)
}

/// `input --json`'s object when the bridge answered; the refusal's words otherwise.
pub fn input_result(request: &InputRequest, answer: &crate::model::InputAnswer) -> CallToolResult {
    use crate::model::InputAnswer;
    let ending = render::input_ending(answer);
    match (answer, ending) {
        (InputAnswer::Answered { response, .. }, None) => result(
            to_value(response),
            format!("input accepted for {}", clean(&request.execution_id)),
            false,
        ),
        (InputAnswer::Answered { response, .. }, Some((_, msg))) => result(to_value(response), msg, true),
        (InputAnswer::Rejected(_), Some((_, msg))) => failed(msg),
        (InputAnswer::Rejected(m), None) => failed(format!("the bridge rejected the input: {}", clean(m))),
    }
}

#[cfg(test)]
mod tests;
