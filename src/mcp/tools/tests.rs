use super::*;
use serde_json::json;

fn every() -> Access {
    Access {
        input: true,
        ..Access::default()
    }
}

fn args(v: Value) -> Option<JsonObject> {
    match v {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[test]
fn every_tool_has_an_object_input_and_output_schema() {
    let tools = all(&every());
    let names: Vec<&str> = tools.iter().map(|t| &*t.name).collect();
    assert_eq!(names, [STATUS, COMMANDS, EXEC, WAIT, INPUT, JOB, JOBS]);
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
        &every(),
    )
    .unwrap();
    assert_eq!((p.command.as_str(), p.args.len(), p.wait), ("kiro.x", 1, true));
    assert_eq!(p.timeout, Duration::from_secs(90));
    let p = exec_args(
        args(json!({"command": "kiro.x", "timeout": 1.5})),
        follow,
        &every(),
    )
    .unwrap();
    assert_eq!((p.timeout, p.wait), (Duration::from_millis(1500), false));
    assert_eq!(
        exec_args(args(json!({"command": "k"})), follow, &every())
            .unwrap()
            .timeout,
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
        let e = exec_args(args(bad.clone()), follow, &every()).unwrap_err();
        assert!(e.starts_with("kiro_exec: ") && e.contains(says), "{bad}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
}

#[test]
fn wait_takes_what_until_takes_and_owns_the_id() {
    let (g, t) = wait_args(args(json!({"until": "available:kiro.x", "timeout": "5s"}))).unwrap();
    assert_eq!(
        (g, t),
        (vec![Goal::Available("kiro.x".into())], Duration::from_secs(5))
    );
    let (g, _) = wait_args(args(json!({"until": "change"}))).unwrap();
    assert_eq!(g, [Goal::Change]);
    // The CLI's list, as one string or as a list.
    let (g, _) = wait_args(args(json!({"until": "ready, busy"}))).unwrap();
    assert_eq!(g, [Goal::Ready, Goal::Busy]);
    let (g, _) = wait_args(args(json!({"until": ["unavailable", "missing:kiro.x"]}))).unwrap();
    assert_eq!(g, [Goal::Unavailable, Goal::Missing("kiro.x".into())]);
    let many = vec!["ready"; MAX_GOALS + 1].join(",");
    let e = wait_args(args(json!({"until": many}))).unwrap_err();
    assert!(e.contains("names 65 goals; at most 64"), "{e}");
    let e = wait_args(args(json!({"until": "ready,soon"}))).unwrap_err();
    assert!(e.contains("invalid value 'soon' for 'until'"), "{e}");
    let e = wait_args(args(json!({"until": "soon\u{1b}[2J"}))).unwrap_err();
    assert!(e.contains("expected ready, busy") && !e.contains('\u{1b}'), "{e}");
}

#[test]
fn a_call_is_read_by_its_tool_and_an_unknown_tool_is_none() {
    let d = Duration::from_secs(2);
    let a = every();
    assert!(call("kiro_nothing", None, d, &a).is_none());
    assert!(matches!(call(STATUS, None, d, &a), Some(Ok(Call::Status))));
    assert!(matches!(call(STATUS, args(json!({"x": 1})), d, &a), Some(Err(_))));
    let wait = call(WAIT, args(json!({"until": "busy"})), d, &a);
    assert!(matches!(wait, Some(Ok(Call::Wait(ref g, DEFAULT_TIMEOUT))) if g == &[Goal::Busy]));
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

#[test]
fn read_only_offers_only_what_reads_and_refuses_the_rest() {
    let ro = Access {
        read_only: true,
        ..Access::default()
    };
    let names: Vec<String> = all(&ro).iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, [STATUS, COMMANDS, WAIT, JOB, JOBS]);
    let d = Duration::from_secs(2);
    let exec = call(EXEC, args(json!({"command": "kiro.x"})), d, &ro);
    let Some(Err(e)) = exec else { panic!("not refused") };
    assert!(
        e.contains("kiro_exec is not offered: this MCP server is read-only"),
        "{e}"
    );
    // By default kiro_input is not offered: no bridge tells an execution id.
    let names: Vec<String> = all(&Access::default())
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, [STATUS, COMMANDS, EXEC, WAIT, JOB, JOBS]);
    assert!(matches!(call(INPUT, None, d, &Access::default()), Some(Err(_))));
}

#[test]
fn an_allow_list_refuses_other_commands_naming_the_rule() {
    let a = Access {
        allow: vec!["kiro.*".into(), "vscode.open".into()],
        ..Access::default()
    };
    let d = Duration::from_secs(2);
    for ok in ["kiro.generateCode", "kiro.x", "vscode.open"] {
        assert!(
            matches!(
                call(EXEC, args(json!({"command": ok})), d, &a),
                Some(Ok(Call::Exec(_)))
            ),
            "{ok}"
        );
    }
    for no in ["workbench.action.reloadWindow", "vscode.openFolder", "xkiro.y"] {
        let Some(Err(e)) = call(EXEC, args(json!({"command": no})), d, &a) else {
            panic!("{no} allowed")
        };
        assert!(
            e.contains(&format!("{no} is not allowed")) && e.contains("matching kiro.*, vscode.open"),
            "{e}"
        );
    }
    let exec = all(&a).into_iter().find(|t| t.name == EXEC).unwrap();
    assert!(exec
        .description
        .unwrap()
        .contains("only commands matching kiro.*, vscode.open"));
}

/// The schemas of every tool, within the subset the strictest clients pass on to models.
#[test]
fn every_schema_is_within_the_strictest_clients_subset() {
    for t in all(&every()) {
        let input = Value::Object((*t.input_schema).clone());
        let output = Value::Object((**t.output_schema.as_ref().unwrap()).clone());
        for (which, s) in [("input", &input), ("output", &output)] {
            let out = schema::outside_the_subset(s, &format!("{} {which}", t.name));
            assert!(out.is_empty(), "{out:?}\n{s:#}");
            assert!(
                jsonschema::validator_for(s).is_ok(),
                "{} {which}: not JSON Schema",
                t.name
            );
        }
    }
    // The checker fails on the schema kiro_exec's timeout had: a type array.
    let before = json!({"type": "object", "properties": {"timeout": {
        "type": ["string", "number"],
        "description": "With wait: give up after this long"
    }}});
    assert_eq!(
        schema::outside_the_subset(&before, "kiro_exec input"),
        ["kiro_exec input.timeout: type [\"string\",\"number\"]"]
    );
    let nullable = json!({"type": "object", "properties": {"status": {"anyOf": [{"type": "object"}, {"type": "null"}], "description": "x"}}});
    assert!(!schema::outside_the_subset(&nullable, "w").is_empty());
}

#[test]
fn a_results_text_carries_its_json_after_one_human_line() {
    let s = KiroStatus {
        status: crate::model::KiroState::Busy,
        current_command: Some("kiro.generateCode".into()),
        version: None,
        available_commands: vec!["kiro.generateCode".into(), "vscode.open".into()],
        timestamp: None,
    };
    let r = status_result(&s);
    let ContentBlock::Text(t) = &r.content[0] else {
        panic!("no text")
    };
    let (human, json_line) = t.text.split_once('\n').unwrap();
    assert_eq!(human, "busy · running kiro.generateCode · 2 commands");
    let parsed: Value = serde_json::from_str(json_line).unwrap();
    assert_eq!(Some(&parsed), r.structured_content.as_ref());
    assert_eq!(
        parsed["availableCommands"],
        json!(["kiro.generateCode", "vscode.open"])
    );
    assert!(parsed.get("version").is_none(), "absent, not null: {parsed}");
}

#[test]
fn a_bridge_failure_is_worded_for_an_agent() {
    let down = crate::error::BridgeError::Unreachable {
        url: "http://127.0.0.1:9/".into(),
        kind: crate::error::FailureKind::Connect,
        detail: "connection refused".into(),
    };
    let m = message(down);
    assert!(
        !m.contains("kiro-poll: error") && !m.contains("mock-bridge") && !m.contains("--"),
        "{m}"
    );
    assert!(
        m.starts_with(
            "cannot reach the bridge at http://127.0.0.1:9/: connection refused. Nothing was run. To try:"
        ),
        "{m}"
    );
}

#[test]
fn an_exec_that_may_have_run_says_so_in_an_agents_terms() {
    use crate::engine::outcome::on_answer;
    use crate::model::ExecAnswer;
    let plan = ExecPlan {
        command: "kiro.generateCode".into(),
        args: vec![],
        workspace: None,
        wait: false,
        timeout: DEFAULT_TIMEOUT,
        follow_interval: Duration::from_secs(2),
        exit_status: false,
        detach: false,
    };
    let d = on_answer(
        Ok(ExecAnswer::NoAnswer),
        false,
        Duration::from_secs(30),
        Duration::from_secs(30),
    )
    .unwrap();
    let r = exec_result(&plan, &d, Duration::from_secs(30));
    assert_eq!(r.is_error, Some(true));
    let ContentBlock::Text(t) = &r.content[0] else {
        panic!("no text")
    };
    let human = t.text.split('\n').next().unwrap();
    assert!(
        human.contains("next time, call kiro_exec with wait: true"),
        "{human}"
    );
    assert!(
        human.contains("may have run") && human.contains("check kiro_status before running it again"),
        "{human}"
    );
    assert!(
        !human.contains("--wait") && !human.contains("kiro-poll: error"),
        "{human}"
    );
}

#[test]
fn an_input_result_names_the_id_asked_about_not_the_bridges_empty_echo() {
    use crate::model::{InputAnswer, InputResponse};
    let request = InputRequest {
        value: "yes".into(),
        kind: InputType::Confirmation,
        execution_id: "exec-1".into(),
    };
    let answer = InputAnswer::Answered {
        status: 200,
        response: InputResponse {
            success: false,
            error: Some("No pending input request found with ID: exec-1".into()),
            execution_id: String::new(),
        },
    };
    let r = input_result(&request, &answer);
    assert_eq!(r.structured_content.unwrap()["executionId"], "exec-1");
}

/// `ExecOut`'s schema is derived from the types `exec --json` writes: it lists every outcome
/// and every way an end is seen, by the names the JSON and the job store use.
#[test]
fn the_exec_schemas_enums_are_the_names_exec_writes() {
    use crate::engine::outcome::{Outcome, Sign};
    let out = schema::output::<schema::ExecOut>();
    let names = |field: &str| -> Vec<String> {
        out["properties"][field]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: no enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let outcomes = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::NotStarted,
        Outcome::Completed,
        Outcome::Unknown,
        Outcome::TimedOut,
        Outcome::Interrupted,
        Outcome::Unavailable,
        Outcome::Rejected,
        Outcome::Unauthorized,
        Outcome::Unreachable,
        Outcome::Running,
    ];
    for o in outcomes {
        assert_eq!(serde_json::to_value(o).unwrap(), o.name(), "{o:?}");
    }
    let written: Vec<String> = outcomes.iter().map(|o| o.name().to_owned()).collect();
    assert_eq!(names("outcome"), written);
    let signs = [Sign::Response, Sign::Status, Sign::Connection];
    for s in signs {
        assert_eq!(serde_json::to_value(s).unwrap(), s.name(), "{s:?}");
    }
    let seen: Vec<String> = signs.iter().map(|s| s.name().to_owned()).collect();
    assert_eq!(names("observedBy"), seen);
}
