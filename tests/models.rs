//! Every model against the fixtures (OpenAPI examples and the real bridge's bodies).

mod common;

use common::fixture;
use kiro_poll::model::*;

#[test]
fn status_bodies_parse() {
    let s: KiroStatus = serde_json::from_str(&fixture("status_ready.json")).unwrap();
    assert_eq!(s.status, KiroState::Ready);
    assert_eq!(s.available_commands.len(), 3);
    assert_eq!(s.current_command, None);
    let s: KiroStatus = serde_json::from_str(&fixture("status_busy.json")).unwrap();
    assert_eq!(s.status, KiroState::Busy);
    assert_eq!(s.current_command.as_deref(), Some("kiro.generateCode"));
    let s: KiroStatus = serde_json::from_str(&fixture("status_unavailable.json")).unwrap();
    assert_eq!((s.status, s.version), (KiroState::Unavailable, None));
    let s: KiroStatus = serde_json::from_str(&fixture("status_real_bridge.json")).unwrap();
    assert_eq!(s.version.as_deref(), Some("1.94.0"));
    let s: KiroStatus = serde_json::from_str(&fixture("status_real_unavailable.json")).unwrap();
    assert_eq!(
        s.available_commands.len(),
        4,
        "the real bridge keeps its commands while unavailable"
    );
}

#[test]
fn hostile_status_bodies_are_errors_not_panics() {
    let e = serde_json::from_str::<KiroStatus>(&fixture("status_bad_state.json")).unwrap_err();
    assert!(e.to_string().contains("unknown variant `sleeping`"), "{e}");
    assert!(serde_json::from_str::<KiroStatus>(&fixture("status_wrong_type.json")).is_err());
}

#[test]
fn extra_fields_are_tolerated() {
    let s: KiroStatus =
        serde_json::from_str(r#"{"status":"ready","availableCommands":[],"timestamp":"t","extra":{"x":1}}"#)
            .unwrap();
    assert_eq!(s.status, KiroState::Ready);
}

#[test]
fn health_bodies_parse() {
    let h: Health = serde_json::from_str(&fixture("health_healthy.json")).unwrap();
    assert_eq!(
        (h.status, h.server.port, h.server.uptime),
        (HealthState::Healthy, Some(3001), Some(3600.0))
    );
    let h: Health = serde_json::from_str(&fixture("health_unhealthy.json")).unwrap();
    assert_eq!(h.status, HealthState::Unhealthy);
    assert!(!h.server.running);
    assert_eq!(h.error.as_deref(), Some("Internal server error"));
}

#[test]
fn execute_bodies_parse() {
    let succeeded = ["execute_success.json", "execute_real_success.json"];
    let failed = [
        "execute_failure.json",
        "execute_real_failure.json",
        "execute_422_spec.json",
    ];
    let cases = succeeded
        .map(|n| (n, true))
        .into_iter()
        .chain(failed.map(|n| (n, false)));
    for (name, success) in cases {
        let r: ExecuteResponse = serde_json::from_str(&fixture(name)).unwrap();
        assert_eq!(r.success, success, "{name}");
        assert_eq!(r.error.is_some(), !success, "{name}");
    }
    let req = ExecuteRequest {
        command: "kiro.generateCode".into(),
        args: vec!["Create a login form".into()],
        workspace_path: Some("/path/to/workspace".into()),
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"command":"kiro.generateCode","args":["Create a login form"],"workspacePath":"/path/to/workspace"}"#
    );
    let bare = ExecuteRequest {
        command: "workbench.action.showCommands".into(),
        args: vec![],
        workspace_path: None,
    };
    assert_eq!(
        serde_json::to_string(&bare).unwrap(),
        r#"{"command":"workbench.action.showCommands"}"#
    );
}

#[test]
fn input_bodies_parse() {
    for (name, success) in [
        ("input_success.json", true),
        ("input_rejected.json", false),
        ("input_real_no_pending.json", false),
        ("input_404.json", false),
        ("input_408.json", false),
    ] {
        let r: InputResponse = serde_json::from_str(&fixture(name)).unwrap();
        assert_eq!(r.success, success, "{name}");
    }
    let req = InputRequest {
        value: "MyApp".into(),
        kind: InputType::Text,
        execution_id: "exec-1642598400000-1".into(),
    };
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"value":"MyApp","type":"text","executionId":"exec-1642598400000-1"}"#
    );
}

#[test]
fn both_error_shapes_are_understood() {
    let cases = [
        ("error_401.json", "Unauthorized: Valid API key required"),
        ("error_404.json", "Not Found: Route GET /api/kiro/nope not found"),
        ("execute_408_real.json", "Request Timeout: Request timed out"),
        (
            "execute_400_bad_json.json",
            "Bad Request: Invalid JSON in request body",
        ),
        (
            "execute_500_too_large.json",
            "Internal Server Error: An unexpected error occurred",
        ),
        (
            "execute_503.json",
            "KIRO_UNAVAILABLE: Kiro IDE is not responding to commands",
        ),
        (
            "execute_400_validation.json",
            "VALIDATION_FAILED: Command is required and must be a string",
        ),
        (
            "execute_422_real.json",
            "COMMAND_EXECUTION_FAILED: Command 'k' failed: Maximum concurrent commands limit reached (3)",
        ),
        (
            "error_500_spec.json",
            "INTERNAL_ERROR: An unexpected error occurred",
        ),
        (
            "execute_408_spec.json",
            "OPERATION_TIMEOUT: Operation 'command-execution' timed out after 305000ms (limit: 300000ms)",
        ),
    ];
    for (name, summary) in cases {
        let b = ErrorBody::parse(fixture(name).as_bytes()).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(b.summary(), summary, "{name}");
    }
    assert!(ErrorBody::parse(b"<html>").is_none());
    assert!(ErrorBody::parse(br#"{"error": 5}"#).is_none());
}

#[test]
fn the_borrowed_view_reads_the_same_as_the_owned_model() {
    for name in [
        "status_ready.json",
        "status_busy.json",
        "status_unavailable.json",
        "status_real_bridge.json",
        "status_real_unavailable.json",
    ] {
        let text = fixture(name);
        let owned: KiroStatus = serde_json::from_str(&text).unwrap();
        let view: KiroStatusView = serde_json::from_str(&text).unwrap();
        assert!(view.borrowed(), "{name}: strings without escapes are not copied");
        let fp = kiro_poll::change::fingerprint(
            view.status,
            view.current_command.as_deref(),
            view.version.as_deref(),
            view.available_commands.iter().map(|c| &**c),
        );
        assert_eq!(fp, kiro_poll::change::status_hash(&owned), "{name}");
        assert_eq!(view.into_owned(), owned, "{name}");
    }
    let escaped = r#"{"status":"busy","currentCommand":"a\"b\u001b","availableCommands":["x\ny"]}"#;
    let view: KiroStatusView = serde_json::from_str(escaped).unwrap();
    assert_eq!(
        view.into_owned(),
        serde_json::from_str::<KiroStatus>(escaped).unwrap()
    );
    assert!(serde_json::from_str::<KiroStatusView>(&fixture("status_bad_state.json")).is_err());
    assert!(serde_json::from_str::<KiroStatusView>(&fixture("status_wrong_type.json")).is_err());
}
