//! The event schema, pinned twice: every event type is read back into a typed struct that
//! refuses unknown fields and its every field is checked, and every event (built here, and
//! from a real watch) is validated against schema/events.schema.json, which is checked in.

mod common;

use std::time::{Duration, SystemTime};

use kiro_poll::events::{CircuitState, Event, EventKind};
use kiro_poll::model::KiroState;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
enum Typed {
    Snapshot {
        at: String,
        status: String,
        current_command: Option<String>,
        version: Option<String>,
        available_commands: Vec<String>,
    },
    StatusChanged {
        at: String,
        from: String,
        to: String,
        status: String,
    },
    CommandStarted {
        at: String,
        command: String,
    },
    CommandFinished {
        at: String,
        command: String,
        duration_ms: u64,
    },
    CommandsChanged {
        at: String,
        added: Vec<String>,
        removed: Vec<String>,
        count: u64,
    },
    VersionChanged {
        at: String,
        from: Option<String>,
        to: Option<String>,
    },
    Unreachable {
        at: String,
        kind: String,
        message: String,
        consecutive_failures: u32,
        retry_in_ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    Recovered {
        at: String,
        after_failures: u32,
        downtime_ms: u64,
    },
    Circuit {
        at: String,
        state: String,
        retry_in_ms: Option<u64>,
    },
    Stall {
        at: String,
        command: String,
        busy_for_ms: u64,
    },
    Heartbeat {
        at: String,
        status: Option<String>,
        polls: u64,
    },
    Reloaded {
        at: String,
        added: Vec<String>,
        removed: Vec<String>,
        kept: usize,
    },
    ReloadFailed {
        at: String,
        message: String,
    },
    Rejected {
        at: String,
        message: String,
    },
    HookFailed {
        at: String,
        hook_event: String,
        exit_code: Option<i32>,
        signal: Option<String>,
        reason: String,
        message: Option<String>,
        duration_ms: u64,
    },
    Summary {
        at: String,
        polls: u64,
        not_modified: u64,
        bytes_received: u64,
        errors: u64,
        changes: u64,
        duration_ms: u64,
        reason: String,
        hooks_run: Option<u64>,
        hooks_failed: Option<u64>,
        hooks_dropped: Option<u64>,
    },
}

const AT: &str = "2025-11-23T02:28:47.123Z";

fn every_event() -> Vec<(EventKind, Typed)> {
    let at = || AT.to_owned();
    let s = |v: &str| v.to_owned();
    vec![
        (
            EventKind::Snapshot {
                status: KiroState::Busy,
                current_command: Some(s("k.gen")),
                version: Some(s("1.94.0")),
                available_commands: vec![s("a"), s("k.gen")],
            },
            Typed::Snapshot {
                at: at(),
                status: s("busy"),
                current_command: Some(s("k.gen")),
                version: Some(s("1.94.0")),
                available_commands: vec![s("a"), s("k.gen")],
            },
        ),
        (
            EventKind::StatusChanged {
                from: KiroState::Ready,
                to: KiroState::Unavailable,
            },
            Typed::StatusChanged {
                at: at(),
                from: s("ready"),
                to: s("unavailable"),
                status: s("unavailable"),
            },
        ),
        (
            EventKind::CommandStarted { command: s("k.gen") },
            Typed::CommandStarted {
                at: at(),
                command: s("k.gen"),
            },
        ),
        (
            EventKind::CommandFinished {
                command: s("k.gen"),
                duration_ms: 8000,
            },
            Typed::CommandFinished {
                at: at(),
                command: s("k.gen"),
                duration_ms: 8000,
            },
        ),
        (
            EventKind::CommandsChanged {
                added: vec![s("c")],
                removed: vec![s("b")],
                count: 2,
            },
            Typed::CommandsChanged {
                at: at(),
                added: vec![s("c")],
                removed: vec![s("b")],
                count: 2,
            },
        ),
        (
            EventKind::VersionChanged {
                from: Some(s("1.94.0")),
                to: None,
            },
            Typed::VersionChanged {
                at: at(),
                from: Some(s("1.94.0")),
                to: None,
            },
        ),
        (
            EventKind::Unreachable {
                kind: "connect",
                message: s("Connection refused"),
                consecutive_failures: 3,
                retry_in_ms: 20_000,
                retry_after_ms: None,
            },
            Typed::Unreachable {
                at: at(),
                kind: s("connect"),
                message: s("Connection refused"),
                consecutive_failures: 3,
                retry_in_ms: 20_000,
                retry_after_ms: None,
            },
        ),
        (
            EventKind::Unreachable {
                kind: "http",
                message: s("HTTP 429: Too Many Requests"),
                consecutive_failures: 1,
                retry_in_ms: 60_000,
                retry_after_ms: Some(3_600_000),
            },
            Typed::Unreachable {
                at: at(),
                kind: s("http"),
                message: s("HTTP 429: Too Many Requests"),
                consecutive_failures: 1,
                retry_in_ms: 60_000,
                retry_after_ms: Some(3_600_000),
            },
        ),
        (
            EventKind::Recovered {
                after_failures: 6,
                downtime_ms: 61_000,
            },
            Typed::Recovered {
                at: at(),
                after_failures: 6,
                downtime_ms: 61_000,
            },
        ),
        (
            EventKind::Circuit {
                state: CircuitState::Open,
                retry_in_ms: Some(60_000),
            },
            Typed::Circuit {
                at: at(),
                state: s("open"),
                retry_in_ms: Some(60_000),
            },
        ),
        (
            EventKind::Circuit {
                state: CircuitState::HalfOpen,
                retry_in_ms: None,
            },
            Typed::Circuit {
                at: at(),
                state: s("half_open"),
                retry_in_ms: None,
            },
        ),
        (
            EventKind::Stall {
                command: s("k.gen"),
                busy_for_ms: 900_000,
            },
            Typed::Stall {
                at: at(),
                command: s("k.gen"),
                busy_for_ms: 900_000,
            },
        ),
        (
            EventKind::Heartbeat {
                status: Some(KiroState::Ready),
                polls: 7,
            },
            Typed::Heartbeat {
                at: at(),
                status: Some(s("ready")),
                polls: 7,
            },
        ),
        (
            EventKind::Heartbeat {
                status: None,
                polls: 0,
            },
            Typed::Heartbeat {
                at: at(),
                status: None,
                polls: 0,
            },
        ),
        (
            EventKind::Summary {
                polls: 18,
                not_modified: 13,
                bytes_received: 1126,
                errors: 1,
                changes: 6,
                duration_ms: 13_000,
                reason: s("interrupted"),
                hooks: Some(kiro_poll::events::HookCounts {
                    hooks_run: 4,
                    hooks_failed: 1,
                    hooks_dropped: 2,
                }),
            },
            Typed::Summary {
                at: at(),
                polls: 18,
                not_modified: 13,
                bytes_received: 1126,
                errors: 1,
                changes: 6,
                duration_ms: 13_000,
                reason: s("interrupted"),
                hooks_run: Some(4),
                hooks_failed: Some(1),
                hooks_dropped: Some(2),
            },
        ),
        (
            EventKind::Reloaded {
                added: vec![s("b")],
                removed: vec![],
                kept: 3,
            },
            Typed::Reloaded {
                at: at(),
                added: vec![s("b")],
                removed: vec![],
                kept: 3,
            },
        ),
        (
            EventKind::ReloadFailed {
                message: s("bridges.toml:3: url: scheme must be http or https, not ftp"),
            },
            Typed::ReloadFailed {
                at: at(),
                message: s("bridges.toml:3: url: scheme must be http or https, not ftp"),
            },
        ),
        (
            EventKind::Rejected {
                message: s("HTTP 401: Unauthorized: Valid API key required"),
            },
            Typed::Rejected {
                at: at(),
                message: s("HTTP 401: Unauthorized: Valid API key required"),
            },
        ),
        (
            EventKind::HookFailed {
                hook_event: "status_changed",
                exit_code: Some(3),
                signal: None,
                reason: "exited",
                message: None,
                duration_ms: 12,
            },
            Typed::HookFailed {
                at: at(),
                hook_event: s("status_changed"),
                exit_code: Some(3),
                signal: None,
                reason: s("exited"),
                message: None,
                duration_ms: 12,
            },
        ),
    ]
}

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/events.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn check(v: &jsonschema::Validator, line: &Value) {
    let errors: Vec<String> = v.iter_errors(line).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{line}: {errors:?}");
}

#[test]
fn every_event_type_pins_every_field_and_matches_the_schema() {
    let v = validator();
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_763_864_927_123);
    let all = every_event();
    let names: std::collections::BTreeSet<&str> = all.iter().map(|(k, _)| k.name()).collect();
    assert_eq!(
        names.len(),
        kiro_poll::events::TYPES.len(),
        "every event type is covered"
    );
    for (kind, typed) in all {
        let line = kiro_poll::output::json_line(&Event { at, kind }).unwrap();
        let text = String::from_utf8(line).unwrap();
        let back: Typed = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back, typed, "{text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!((keys[0].as_str(), keys[1].as_str()), ("type", "at"), "{text}");
        check(&v, &value);
    }
}

#[test]
fn the_schema_refuses_what_is_not_an_event() {
    let v = validator();
    for bad in [
        serde_json::json!({"type": "snapshot", "at": AT, "status": "sleeping", "availableCommands": []}),
        serde_json::json!({"type": "summary", "at": AT, "polls": 1}),
        serde_json::json!({"type": "recovered", "at": AT, "afterFailures": 1, "downtimeMs": 5, "extra": 1}),
        serde_json::json!({"type": "nope", "at": AT}),
    ] {
        assert!(!v.is_valid(&bad), "{bad}");
    }
}

#[test]
fn a_real_watch_matches_the_schema() {
    let v = validator();
    let out = common::run("--json demo --count 12");
    assert_eq!(out.status.code(), Some(0));
    let lines = common::events(&out.stdout);
    assert!(lines.len() >= 3);
    for line in &lines {
        check(&v, line);
    }
}

#[test]
fn a_real_fleet_watch_matches_the_schema() {
    let v = validator();
    let out = common::run("--json demo --instances 3 --count 4");
    common::assert_exit(&out, 0);
    let lines = common::events(&out.stdout);
    assert!(lines.len() >= 7, "3 snapshots, 3 summaries and the overall one");
    for line in &lines {
        check(&v, line);
    }
    let last = lines.last().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["bridges"].as_u64()),
        (Some("summary"), Some(3))
    );
}

/// schema/job.schema.json is the schema of the job object (`jobs --json`, `kiro_job`), as
/// derived from its type; `UPDATE_SCHEMA=1 cargo test --test schema` writes it again.
#[test]
fn the_job_schema_is_the_job_objects() {
    // As it is written (fields absent when unknown are not required).
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<kiro_poll::output::jobs::JobObject>();
    let mut schema = serde_json::to_value(schema).unwrap();
    schema["title"] = serde_json::json!("kiro-poll job");
    schema["description"] = serde_json::json!(
        "One job: a Kiro command run through kiro-poll (jobs --json, jobs show --json, exec --detach --json, wait --json, MCP's kiro_job). What is not known is absent."
    );
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/job.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == generated,
        "schema/job.schema.json differs from the job object's type: UPDATE_SCHEMA=1 cargo test --test schema"
    );
}

/// `status_changed` carries the new state as `status`, the name `snapshot` gives it, so one jq
/// path reads the state on every line that has one.
#[test]
fn status_changed_carries_the_state_as_snapshot_names_it() {
    use kiro_poll::events::{Event, EventKind};
    use kiro_poll::model::KiroState;
    let e = Event {
        at: std::time::SystemTime::UNIX_EPOCH,
        kind: EventKind::StatusChanged {
            from: KiroState::Ready,
            to: KiroState::Busy,
        },
    };
    let line = kiro_poll::output::fleet_json_line(&e, Some("kiro-1"), None).unwrap();
    let v: Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(v["status"], "busy", "{v}");
    assert_eq!(v["to"], "busy");
    assert_eq!(serde_json::to_value(&e).unwrap()["status"], "busy");
}
