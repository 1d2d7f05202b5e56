use super::*;

fn lines(input: &[u8], max: usize) -> Vec<Option<(bool, String)>> {
    let mut r = std::io::BufReader::with_capacity(4, input);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match read_line(&mut r, &mut buf, max).unwrap() {
            None => break,
            Some(whole) => out.push(Some((whole, String::from_utf8_lossy(&buf).into_owned()))),
        }
    }
    out
}

#[test]
fn lines_are_bounded_and_a_long_one_is_skipped_to_its_end() {
    let got = lines(b"{\"a\":1}\r\nxxxxxxxxxxxxxxxxxxxx\n{}\nlast", 10);
    assert_eq!(
        got,
        vec![
            Some((true, "{\"a\":1}".into())),
            Some((false, String::new())),
            Some((true, "{}".into())),
            Some((true, "last".into())),
        ]
    );
}

#[test]
fn not_json_is_a_parse_error_and_json_goes_to_the_sdk() {
    assert!(matches!(
        classify(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
        Line::Message(..)
    ));
    assert!(matches!(
        classify(br#"{"not":"json-rpc"}"#),
        Line::Refused { code: -32600, .. }
    ));
    let bad = classify(b"{\"jsonrpc\": ");
    assert!(matches!(bad, Line::Malformed(_)), "{bad:?}");
    let e: serde_json::Value = serde_json::from_slice(&error_line(&bad).unwrap()).unwrap();
    assert_eq!(e["error"]["code"], -32700);
    assert_eq!(e["id"], serde_json::Value::Null);
    let e: serde_json::Value = serde_json::from_slice(&error_line(&Line::TooLong).unwrap()).unwrap();
    assert_eq!(e["error"]["code"], -32600);
    assert!(error_line(&Line::Message(vec![], Flow::default())).is_none());
}

#[test]
fn what_the_sdk_answers_without_an_id_is_answered_here() {
    let refused = |line: &str| match classify(line.as_bytes()) {
        Line::Refused { code, id, .. } => Some((code, id)),
        _ => None,
    };
    let null = serde_json::Value::Null;
    assert_eq!(refused("[1,2]"), Some((-32600, null.clone())), "a batch");
    assert_eq!(refused("5"), Some((-32600, null.clone())), "a scalar");
    assert_eq!(refused("{}"), Some((-32600, null.clone())));
    assert_eq!(
        refused(r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#),
        Some((-32600, null.clone()))
    );
    assert_eq!(
        refused(r#"{"jsonrpc":"2.0","id":3}"#),
        Some((-32600, serde_json::json!(3)))
    );
    assert_eq!(
        refused(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":5}}"#),
        Some((-32602, serde_json::json!(4)))
    );
    assert_eq!(
        refused(
            r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"kiro_status","arguments":[]}}"#
        ),
        Some((-32602, serde_json::json!("x")))
    );
    assert_eq!(
        refused(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"kiro_status"}}"#),
        None
    );
    assert_eq!(
        refused(r#"{"jsonrpc":"2.0","id":6,"result":{}}"#),
        None,
        "a response"
    );
    // The SDK's error without an id gets a null one; anything else is left as it is.
    let fixed = with_an_id(b"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"x\"}}\n".to_vec());
    let v: serde_json::Value = serde_json::from_slice(&fixed).unwrap();
    assert_eq!(v["id"], serde_json::Value::Null);
    assert!(v.as_object().unwrap().contains_key("id"));
    let ok = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}\n".to_vec();
    assert_eq!(with_an_id(ok.clone()), ok);
}

#[test]
fn what_the_sdk_would_drop_in_silence_is_answered() {
    // Invalid UTF-8 in a string, a lone surrogate: parse errors.
    for line in [
        &b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"caf\xe9\"}"[..],
        br#"{"jsonrpc":"2.0","id":1,"method":"\ud800"}"#,
    ] {
        let l = classify(line);
        assert!(matches!(l, Line::Malformed(_)), "{l:?}");
    }
    // Nesting past MAX_DEPTH: an invalid request with its id; just under it goes on.
    let nested = |n: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","id":7,"method":"ping","params":{{"a":{}1{}}}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let deep = classify(nested(MAX_DEPTH).as_bytes());
    assert!(
        matches!(&deep, Line::Refused { code: -32600, id, .. } if *id == serde_json::json!(7)),
        "{deep:?}"
    );
    let e: serde_json::Value = serde_json::from_slice(&error_line(&deep).unwrap()).unwrap();
    assert_eq!(
        (e["id"].clone(), e["error"]["code"].clone()),
        (serde_json::json!(7), serde_json::json!(-32600))
    );
    assert!(matches!(
        classify(nested(MAX_DEPTH - 3).as_bytes()),
        Line::Message(..)
    ));
    // Past serde_json's own limit: a parse error, still an answer.
    assert!(matches!(classify(nested(200).as_bytes()), Line::Malformed(_)));
    // An id JSON-RPC does not allow is answered with null.
    let odd = format!(
        r#"{{"jsonrpc":"2.0","id":{{"x":1}},"params":{}1{}}}"#,
        "[".repeat(80),
        "]".repeat(80)
    );
    assert!(matches!(
        classify(odd.as_bytes()),
        Line::Refused {
            id: serde_json::Value::Null,
            ..
        }
    ));
}
