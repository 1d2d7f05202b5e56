//! The tools' arguments and results as Rust types: serde reads and writes them, and schemars
//! derives their input and output schemas (through rmcp's helpers), so a schema cannot drift
//! from what the server does. Every schema stays within the subset that the strictest MCP
//! clients pass on to models (Gemini's function declarations): one `type` string per value (an
//! optional field is absent, never `null`), no `anyOf`/`oneOf`/`allOf`, no `$ref`, `items` on
//! every array, a description on every field. `strict` settles what schemars writes beyond it.

use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_input, schema_for_output};
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::outcome::{Outcome, Sign};

/// A duration as a tool takes it: `"90s"`, `"10m"`, or (leniently) a number of seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Span {
    Seconds(f64),
    Text(String),
}

/// `kiro_status` takes nothing.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandsArgs {
    /// Only the commands whose id contains this text, case-insensitive (e.g. "generate"); every
    /// command when empty or absent.
    #[serde(default)]
    pub filter: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecArgs {
    /// The Kiro command id to run, e.g. "kiro.generateCode" or "vscode.open" (kiro_commands
    /// lists them).
    pub command: String,
    /// Arguments passed to the command, each a string (default: none).
    #[serde(default)]
    pub args: Vec<String>,
    /// The workspace directory the command runs in (default: Kiro's own).
    #[serde(default)]
    #[schemars(with = "String")]
    pub workspace: Option<String>,
    /// true: follow the command to its end in this call, past the bridge's own 30 s limit.
    /// false (the default): return at once, with the result if the bridge answered within a
    /// second, else the jobId to ask kiro_job with.
    #[serde(default)]
    pub wait: bool,
    /// With wait: give up after this long, a duration such as "90s", "10m" or "1h" (default
    /// "10m"). The command is never stopped, only the wait.
    #[serde(default)]
    #[schemars(with = "String")]
    pub timeout: Option<Span>,
}

/// One goal, several in one string (`"ready,busy"`), or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Goals {
    Text(String),
    List(Vec<String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitArgs {
    /// What to wait for: one goal, or several separated by commas (the first to hold ends the
    /// wait): ready, busy, unavailable, change (any change after the first answer),
    /// available:ID (the bridge offers command ID), missing:ID (it no longer does). E.g.
    /// "ready", "ready,busy", "available:kiro.generateCode". A list of goals is taken too. It
    /// cannot wait for a command to finish: kiro_exec with wait does that.
    #[schemars(with = "String")]
    pub until: Goals,
    /// Give up after this long, a duration such as "30s", "5m" or "1h" (default "10m").
    #[serde(default)]
    #[schemars(with = "String")]
    pub timeout: Option<Span>,
}

/// The kinds of input a prompt takes.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum InputKind {
    #[default]
    Text,
    Choice,
    File,
    Confirmation,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InputArgs {
    /// The execution id of the command whose prompt this answers.
    pub execution_id: String,
    /// The answer.
    pub value: String,
    /// The kind of input: text (the default), choice, file or confirmation.
    #[serde(rename = "type", default)]
    pub kind: InputKind,
}

/// Kiro's state.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum State {
    Ready,
    Busy,
    Unavailable,
}

/// Kiro's state as the bridge reports it: the object of `kiro-poll status --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct StatusOut {
    /// Kiro's state: ready, busy or unavailable.
    pub status: State,
    /// The command Kiro reports running (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub current_command: Option<String>,
    /// Kiro's version (absent when the bridge does not say).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub version: Option<String>,
    /// The command ids the bridge offers.
    pub available_commands: Vec<String>,
    /// When the bridge answered, RFC 3339 (absent when it does not say).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub timestamp: Option<String>,
}

impl From<&crate::model::KiroStatus> for StatusOut {
    fn from(s: &crate::model::KiroStatus) -> StatusOut {
        use crate::model::KiroState;
        StatusOut {
            status: match s.status {
                KiroState::Ready => State::Ready,
                KiroState::Busy => State::Busy,
                KiroState::Unavailable => State::Unavailable,
            },
            current_command: s.current_command.clone(),
            version: s.version.clone(),
            available_commands: s.available_commands.clone(),
            timestamp: s.timestamp.clone(),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CommandsOut {
    /// How many commands are listed.
    pub count: u64,
    /// The command ids, sorted.
    pub commands: Vec<String>,
}

/// The fields of `kiro-poll exec --json`; what the bridge did not send is absent.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecOut {
    /// The command id run.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// What the bridge said of it: true when it succeeded (absent without its answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub success: Option<bool>,
    /// The command's own output (absent when it gave none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub output: Option<String>,
    /// Why it did not succeed: the bridge's words, or what happened to the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub error: Option<String>,
    /// How long Kiro says it ran, in milliseconds (absent without its answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "f64")]
    pub execution_time_ms: Option<f64>,
    /// How long the call waited, in milliseconds.
    pub waited_ms: u64,
    /// How its end was seen: response (the bridge's answer), connection (the connection the
    /// bridge answered on closed) or status (it showed running, then not); absent when unseen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Sign")]
    pub observed_by: Option<Sign>,
    /// succeeded, failed, not_started, completed (its end was seen but its result not
    /// returned), unknown (the answer was lost: it may still run), timed_out, interrupted, unavailable,
    /// rejected, unauthorized or unreachable; running (wait: false: its job follows it).
    pub outcome: Outcome,
    /// Milliseconds from sending to seeing its end, when it was seen without its result.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64")]
    pub seen_ms: Option<u64>,
    /// Whether its result (success, output) is known.
    pub result_known: bool,
    /// It was followed past 5 minutes, when the bridge frees the command's slot (another
    /// command may start) while Kiro may still be running it.
    pub slot_freed: bool,
    /// The job that records this run: kiro_job with this id tells how it went (absent when
    /// the server keeps no job store).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "i64")]
    pub job_id: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobArgs {
    /// The job's id: kiro_exec's jobId, or one kiro_jobs listed.
    pub id: i64,
    /// Wait up to this many seconds (at most 50) for it to end before answering (default 0:
    /// answer at once).
    #[serde(default)]
    #[schemars(with = "f64")]
    pub wait: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobsArgs {
    /// The cursor the previous kiro_jobs returned: only the jobs that changed after it (default:
    /// the latest jobs).
    #[serde(default)]
    #[schemars(with = "String")]
    pub since: Option<String>,
    /// Only the jobs still running (default false).
    #[serde(default)]
    pub running: bool,
    /// At most this many jobs (default 50, at most 500).
    #[serde(default)]
    #[schemars(with = "u32")]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitOut {
    /// Whether a goal was reached.
    pub reached: bool,
    /// The goals waited for, comma-separated, as given.
    pub until: String,
    /// The goal that held (absent when none did).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub reached_goal: Option<String>,
    /// The last status the bridge answered with (absent when none, or it is failing now).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "StatusOut")]
    pub status: Option<StatusOut>,
    /// Status requests made.
    pub polls: u64,
    /// How long the call waited, in milliseconds.
    pub waited_ms: u64,
    /// When not reached: why, and what was last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputOut {
    /// Whether the bridge took the input.
    pub success: bool,
    /// Why it did not (the bridge's words).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub error: Option<String>,
    /// The execution id the input was for.
    pub execution_id: String,
}

/// A tool's input schema, within the subset.
pub fn input<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let raw = schema_for_input::<T>().unwrap_or_else(|e| panic!("an input schema: {e}"));
    strict(&raw)
}

/// A tool's output schema, within the subset.
pub fn output<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    strict(&schema_for_output::<T>())
}

/// What schemars writes beyond the subset, settled: no `$schema`, no `format` (Gemini knows a
/// few and refuses the rest; `uint64` is not among them), no `default: null`; descriptions on
/// one line (doc comments wrap); an object always has `properties`.
fn strict(raw: &JsonObject) -> Arc<JsonObject> {
    fn settle(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("$schema");
                m.remove("format");
                if m.get("default") == Some(&Value::Null) {
                    m.remove("default");
                }
                if let Some(Value::String(d)) = m.get_mut("description") {
                    *d = d.split_whitespace().collect::<Vec<_>>().join(" ");
                }
                if m.get("type") == Some(&Value::String("object".into())) && !m.contains_key("properties") {
                    m.insert("properties".into(), Value::Object(JsonObject::new()));
                }
                m.values_mut().for_each(settle);
            }
            Value::Array(a) => a.iter_mut().for_each(settle),
            _ => {}
        }
    }
    let mut v = Value::Object(raw.clone());
    settle(&mut v);
    match v {
        Value::Object(m) => Arc::new(m),
        _ => unreachable!("an object stays an object"),
    }
}

/// Where a schema leaves the subset (empty: it is within it): a `type` that is not one string,
/// `anyOf`/`oneOf`/`allOf`, `$ref`/`$defs`/`$schema`, an array without `items`, a property
/// without a description. `at`: the path shown.
pub fn outside_the_subset(v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Value::Object(m) = v else {
        return out;
    };
    for k in [
        "anyOf",
        "oneOf",
        "allOf",
        "$ref",
        "$defs",
        "definitions",
        "$schema",
        "nullable",
    ] {
        if m.contains_key(k) {
            out.push(format!("{at}: {k}"));
        }
    }
    match m.get("type") {
        Some(Value::String(t)) if t == "array" && !m.contains_key("items") => {
            out.push(format!("{at}: an array without items"))
        }
        Some(Value::String(_)) | None => {}
        Some(other) => out.push(format!("{at}: type {other}")),
    }
    if let Some(Value::Object(props)) = m.get("properties") {
        for (name, p) in props {
            let here = format!("{at}.{name}");
            let described = p
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty());
            if !described {
                out.push(format!("{here}: no description"));
            }
            out.extend(outside_the_subset(p, &here));
        }
    }
    if let Some(items) = m.get("items") {
        out.extend(outside_the_subset(items, &format!("{at}[]")));
    }
    out
}
