//! The events `watch` reports, one JSON object per line in `--json` mode. Every event has
//! `type` first and `at` (RFC 3339, UTC, milliseconds) second; field names are camelCase and
//! documented in README.md. Names never change silently: tests pin them.

use std::time::SystemTime;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::model::KiroState;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: SystemTime,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    Open,
    HalfOpen,
    Closed,
}

/// What the hooks of a watch came to, for its summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookCounts {
    pub hooks_run: u64,
    pub hooks_failed: u64,
    pub hooks_dropped: u64,
}

/// Every event type, as `--on` takes them.
pub const TYPES: [&str; 16] = [
    "snapshot",
    "status_changed",
    "command_started",
    "command_finished",
    "commands_changed",
    "version_changed",
    "unreachable",
    "recovered",
    "circuit",
    "stall",
    "heartbeat",
    "reloaded",
    "reload_failed",
    "rejected",
    "hook_failed",
    "summary",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum EventKind {
    /// The first state seen.
    Snapshot {
        status: KiroState,
        #[serde(skip_serializing_if = "Option::is_none")]
        current_command: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        available_commands: Vec<String>,
    },
    StatusChanged {
        from: KiroState,
        to: KiroState,
    },
    CommandStarted {
        command: String,
    },
    CommandFinished {
        command: String,
        /// Observed duration: from the poll that first saw it to the poll that no longer did.
        duration_ms: u64,
    },
    CommandsChanged {
        added: Vec<String>,
        removed: Vec<String>,
        count: usize,
    },
    VersionChanged {
        from: Option<String>,
        to: Option<String>,
    },
    Unreachable {
        kind: &'static str,
        message: String,
        consecutive_failures: u32,
        retry_in_ms: u64,
        /// The bridge's `Retry-After`, when it asked for longer than `--max-backoff` allows.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Recovered {
        after_failures: u32,
        downtime_ms: u64,
    },
    Circuit {
        state: CircuitState,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_in_ms: Option<u64>,
    },
    Stall {
        command: String,
        busy_for_ms: u64,
    },
    Heartbeat {
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<KiroState>,
        polls: u64,
    },
    /// The bridges file was read again and the new set swapped in (no `bridge` field).
    Reloaded {
        added: Vec<String>,
        removed: Vec<String>,
        kept: usize,
    },
    /// The bridges file was read again and is broken: the last good set goes on.
    ReloadFailed {
        message: String,
    },
    /// The bridge rejected the key (401, 403): it is no longer polled.
    Rejected {
        message: String,
    },
    /// A hook (`--on`) exited non-zero, was killed, ran out of time or could not start.
    HookFailed {
        /// The type of the event it ran for.
        hook_event: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        signal: Option<String>,
        /// `exited`, `killed`, `timed out`, `cut short` or `not started`.
        reason: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        duration_ms: u64,
    },
    Summary {
        polls: u64,
        not_modified: u64,
        bytes_received: u64,
        errors: u64,
        changes: u64,
        duration_ms: u64,
        reason: String,
        /// With `--on`: the hooks that ran, failed and were dropped.
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        hooks: Option<HookCounts>,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Snapshot { .. } => "snapshot",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::CommandStarted { .. } => "command_started",
            EventKind::CommandFinished { .. } => "command_finished",
            EventKind::CommandsChanged { .. } => "commands_changed",
            EventKind::VersionChanged { .. } => "version_changed",
            EventKind::Unreachable { .. } => "unreachable",
            EventKind::Recovered { .. } => "recovered",
            EventKind::Circuit { .. } => "circuit",
            EventKind::Stall { .. } => "stall",
            EventKind::Heartbeat { .. } => "heartbeat",
            EventKind::Reloaded { .. } => "reloaded",
            EventKind::ReloadFailed { .. } => "reload_failed",
            EventKind::Rejected { .. } => "rejected",
            EventKind::HookFailed { .. } => "hook_failed",
            EventKind::Summary { .. } => "summary",
        }
    }

    /// Events that describe a change of the bridge's state (what `--until change` waits for).
    pub fn is_change(&self) -> bool {
        matches!(
            self,
            EventKind::StatusChanged { .. }
                | EventKind::CommandStarted { .. }
                | EventKind::CommandFinished { .. }
                | EventKind::CommandsChanged { .. }
                | EventKind::VersionChanged { .. }
        )
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let body = serde_json::to_value(&self.kind).map_err(serde::ser::Error::custom)?;
        let serde_json::Value::Object(fields) = body else {
            return Err(serde::ser::Error::custom("event is not an object"));
        };
        let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
        map.serialize_entry("type", self.kind.name())?;
        map.serialize_entry("at", &crate::units::rfc3339_ms(self.at))?;
        for (k, v) in fields.iter().filter(|(k, _)| k.as_str() != "type") {
            map.serialize_entry(k, v)?;
        }
        // As `output::fleet_json_line` writes it: the new state as `status` too.
        if let EventKind::StatusChanged { to, .. } = &self.kind {
            map.serialize_entry("status", to)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_763_864_927_123)
    }

    #[test]
    fn type_and_at_come_first_and_names_are_stable() {
        let e = Event {
            at: at(),
            kind: EventKind::CommandFinished {
                command: "kiro.generateCode".into(),
                duration_ms: 8000,
            },
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"command_finished","at":"2025-11-23T02:28:47.123Z","command":"kiro.generateCode","durationMs":8000}"#
        );
        let e = Event {
            at: at(),
            kind: EventKind::Unreachable {
                kind: "connect",
                message: "Connection refused".into(),
                consecutive_failures: 2,
                retry_in_ms: 10_000,
                retry_after_ms: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"unreachable","at":"2025-11-23T02:28:47.123Z","kind":"connect","message":"Connection refused","consecutiveFailures":2,"retryInMs":10000}"#
        );
        let e = Event {
            at: at(),
            kind: EventKind::Circuit {
                state: CircuitState::HalfOpen,
                retry_in_ms: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"circuit","at":"2025-11-23T02:28:47.123Z","state":"half_open"}"#
        );
        let e = Event {
            at: at(),
            kind: EventKind::Reloaded {
                added: vec!["b".into()],
                removed: vec![],
                kept: 2,
            },
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"type":"reloaded","at":"2025-11-23T02:28:47.123Z","added":["b"],"removed":[],"kept":2}"#
        );
    }
}
