//! Typed models of every body the bridge sends or accepts (openapi.yaml), tolerant of extra
//! fields, strict about types: a wrong type or an unknown status value is a protocol error.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The state Kiro is in, as `/api/kiro/status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KiroState {
    Ready,
    Busy,
    Unavailable,
}

impl KiroState {
    pub fn as_str(self) -> &'static str {
        match self {
            KiroState::Ready => "ready",
            KiroState::Busy => "busy",
            KiroState::Unavailable => "unavailable",
        }
    }
}

impl std::fmt::Display for KiroState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /api/kiro/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KiroStatus {
    pub status: KiroState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub available_commands: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// The same body read without copying its strings: what the poll loop parses first, so an
/// unchanged status (a new timestamp, the same everything else) costs no allocations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KiroStatusView<'a> {
    pub status: KiroState,
    #[serde(default, borrow)]
    pub current_command: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub version: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub available_commands: Vec<Text<'a>>,
    #[serde(default, borrow)]
    pub timestamp: Option<Text<'a>>,
}

/// A string borrowed from the body when it has no escapes, copied only when it must be.
/// (serde borrows a `Cow<str>` only as a field of its own, hence the newtype.)
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl KiroStatusView<'_> {
    pub fn into_owned(self) -> KiroStatus {
        let own = |t: Text<'_>| t.0.into_owned();
        KiroStatus {
            status: self.status,
            current_command: self.current_command.map(own),
            version: self.version.map(own),
            available_commands: self.available_commands.into_iter().map(own).collect(),
            timestamp: self.timestamp.map(own),
        }
    }

    /// True when every command name was read without a copy (tests use it).
    pub fn borrowed(&self) -> bool {
        self.available_commands
            .iter()
            .all(|t| matches!(t.0, Cow::Borrowed(_)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthState {
    Healthy,
    Unhealthy,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub server: ServerInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerInfo {
    #[serde(default)]
    pub running: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime: Option<f64>,
}

/// `POST /api/kiro/execute` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteRequest {
    pub command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_path: Option<String>,
}

/// `POST /api/kiro/execute` answer (200, and the spec's 422).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteResponse {
    pub success: bool,
    /// None when the bridge did not send it (a 422 error body has none).
    #[serde(default)]
    pub output: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub execution_time_ms: Option<f64>,
}

/// Why the connection an execute was answered on is not held after its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unheld {
    /// An https bridge: the TLS connection may end at a proxy or terminator that holds the
    /// bridge's connection itself, so its end would say nothing.
    Https,
    /// Reached through an http proxy: the connection held is the proxy's.
    Proxy,
    /// The server closed it with its answer (or the answer never came on it).
    Closed,
}

/// What the bridge did with an execute request, read from its answer (the client builds it;
/// `exec` never looks at a status code).
#[derive(Debug, Clone, PartialEq)]
pub enum ExecAnswer {
    /// HTTP 200 with an execute body: `success` says how the command ended (the real bridge
    /// answers a failing command with 200 and `success: false`).
    Answered(ExecuteResponse),
    /// HTTP 422: the command failed (`success` is false; `error` holds the bridge's words).
    Failed(ExecuteResponse),
    /// HTTP 400: the request itself was refused; the bridge's words.
    Rejected(String),
    /// HTTP 408: the bridge gave up waiting while the command runs on; its words, if any.
    GaveUp(String),
    /// The connection broke after the request was sent: what broke.
    ConnectionLost(String),
    /// No answer within the time given; the command may be running.
    NoAnswer,
}

/// What the bridge did with an input request.
#[derive(Debug, Clone, PartialEq)]
pub enum InputAnswer {
    /// An input body (200, or the spec's 404/408): `success` says whether it was taken.
    Answered { status: u16, response: InputResponse },
    /// HTTP 400: the request itself was refused; the bridge's words.
    Rejected(String),
}

/// The kinds of input `/api/kiro/input` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    Text,
    Choice,
    File,
    Confirmation,
}

/// `POST /api/kiro/input` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequest {
    pub value: String,
    #[serde(rename = "type")]
    pub kind: InputType,
    pub execution_id: String,
}

/// `POST /api/kiro/input` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputResponse {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub execution_id: String,
}

/// Either error shape the bridge sends: `{error, message}` (Express) or the bridge error
/// `{code, message, recoverable, timestamp, ...}`. Every field optional so both parse.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recoverable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl ErrorBody {
    /// Parse an error body leniently: any JSON object with string fields in the right places.
    /// Wrong types are tolerated here (we are already on an error path), never a panic.
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let obj = value.as_object()?;
        let text = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let parsed = ErrorBody {
            error: text("error"),
            message: text("message"),
            code: text("code"),
            recoverable: obj.get("recoverable").and_then(|v| v.as_bool()),
            timestamp: text("timestamp"),
        };
        if parsed.error.is_none() && parsed.message.is_none() && parsed.code.is_none() {
            return None;
        }
        Some(parsed)
    }

    /// One human sentence: "CODE: message" or "Error: message".
    pub fn summary(&self) -> String {
        let head = self.code.as_deref().or(self.error.as_deref());
        match (head, self.message.as_deref()) {
            (Some(h), Some(m)) => format!("{h}: {m}"),
            (Some(h), None) => h.to_owned(),
            (None, Some(m)) => m.to_owned(),
            (None, None) => String::new(),
        }
    }
}

/// One status answer, as the client hands it over.
#[derive(Debug, Clone)]
pub struct StatusFetch {
    /// Shared with the client's cache: a 304 hands back the very same value, so callers can
    /// tell "unchanged" by pointer without hashing it again.
    pub status: std::sync::Arc<KiroStatus>,
    /// The bridge answered 304: `status` is the last value, unchanged.
    pub not_modified: bool,
    /// Body bytes received for this answer.
    pub bytes: u64,
}
