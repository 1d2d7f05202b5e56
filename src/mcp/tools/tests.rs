use super::*;

fn args(v: Value) -> Option<JsonObject> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[test]
fn every_tool_has_an_object_input_and_output_schema() {
    let tools = all();
    let names: Vec<&str> = tools.iter().map(|t| &*t.name).collect();
    assert_eq!(names, [STATUS, COMMANDS, EXEC, WAIT, INPUT]);
    for t in &tools {
        assert_eq!(t.input_schema.get("type"), Some(&json!("object")), "{}", t.name);
        let out = t.output_schema.as_ref().expect("an output schema");
        assert_eq!(out.get("type"), Some(&json!("object")), "{}", t.name);
        assert!(t.description.as_ref().is_some_and(|d| d.len() > 40), "{}", t.name);
    }
}

#[test]
fn exec_arguments_become_the_plan_and_bad_ones_one_line() {
    let follow = Duration::from_secs(2);
    let p = exec_args(
        args(json!({"command": "kiro.x", "args": ["a"], "wait": true, "timeout": "90s"})),
        follow,
    )
    .unwrap();
    assert_eq!((p.command.as_str(), p.args.len(), p.wait), ("kiro.x", 1, true));
    assert_eq!(p.timeout, Duration::from_secs(90));
    let p = exec_args(args(json!({"command": "kiro.x", "timeout": 1.5})), follow).unwrap();
    assert_eq!((p.timeout, p.wait), (Duration::from_millis(1500), false));
    assert_eq!(
        exec_args(args(json!({"command": "k"})), follow).unwrap().timeout,
        DEFAULT_TIMEOUT
    );
    for (bad, says) in [
        (json!({}), "missing field `command`"),
        (json!({"command": " "}), "a command id is required"),
        (
            json!({"command": "k", "timeout": -1}),
            "not a number of seconds above 0",
        ),
        (
            json!({"command": "k", "timeout": "soon"}),
            "invalid value for 'timeout'",
        ),
        (json!({"command": "k", "wiat": true}), "unknown field `wiat`"),
        (json!({"command": 3}), "invalid arguments"),
    ] {
        let e = exec_args(args(bad.clone()), follow).unwrap_err();
        assert!(e.starts_with("kiro_exec: ") && e.contains(says), "{bad}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn wait_takes_what_until_takes_and_owns_the_id() {
    let (g, t) = wait_args(args(json!({"until": "available:kiro.x", "timeout": "5s"}))).unwrap();
    assert_eq!((g, t), (Goal::Available("kiro.x".into()), Duration::from_secs(5)));
    let (g, _) = wait_args(args(json!({"until": "change"}))).unwrap();
    assert_eq!(g, Goal::Change);
    let e = wait_args(args(json!({"until": "soon\u{1b}[2J"}))).unwrap_err();
    assert!(e.contains("expected ready, busy") && !e.contains('\u{1b}'), "{e}");
}

#[test]
fn a_call_is_read_by_its_tool_and_an_unknown_tool_is_none() {
    let d = Duration::from_secs(2);
    assert!(call("kiro_nothing", None, d).is_none());
    assert!(matches!(call(STATUS, None, d), Some(Ok(Call::Status))));
    assert!(matches!(call(STATUS, args(json!({"x": 1})), d), Some(Err(_))));
    let wait = call(WAIT, args(json!({"until": "busy"})), d);
    assert!(matches!(wait, Some(Ok(Call::Wait(Goal::Busy, DEFAULT_TIMEOUT)))));
}

#[test]
fn input_defaults_to_text_and_needs_an_id() {
    let r = input_args(args(json!({"executionId": "e-1", "value": "v"}))).unwrap();
    assert_eq!(r.kind, InputType::Text);
    let r = input_args(args(
        json!({"executionId": "e-1", "value": "y", "type": "confirmation"}),
    ))
    .unwrap();
    assert_eq!(r.kind, InputType::Confirmation);
    assert!(input_args(args(json!({"executionId": "", "value": "v"}))).is_err());
    assert!(input_args(args(json!({"executionId": "e", "value": "v", "type": "x"}))).is_err());
    assert!(status_args(args(json!({"x": 1}))).is_err());
    assert!(status_args(None).is_ok());
}

#[test]
fn a_status_reads_in_one_line_with_server_strings_neutralised() {
    let s = KiroStatus {
        status: crate::model::KiroState::Busy,
        current_command: Some("kiro.\u{1b}]0;x\u{7}".into()),
        version: Some("1.94.0".into()),
        available_commands: vec!["a".into(), "b".into()],
        timestamp: None,
    };
    let line = status_line(&s);
    assert_eq!(
        line,
        "busy · running kiro.\\x1b]0;x\\x07 · version 1.94.0 · 2 commands"
    );
    let r = status_result(&s);
    assert_eq!(r.is_error, Some(false));
    assert_eq!(
        r.structured_content.unwrap()["currentCommand"],
        json!("kiro.\u{1b}]0;x\u{7}")
    );
}
