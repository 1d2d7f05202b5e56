use super::parts::{parse_parts, parts, PART};
use super::*;

fn load_text(text: &str) -> Result<Vec<Bridge>, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bridges.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::write(dir.path().join("key"), "s3cret-key\n").unwrap();
    let env = |k: &str| (k == "BUILD_KEY").then(|| "env-key-1".to_owned());
    load(&path, None, &env).map_err(|e| e.0.replace(&path.display().to_string(), "F"))
}

fn many(n: usize, defaults_after: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        if i == defaults_after {
            text += "[defaults]\ninterval_ready = \"7s\"\n\n";
        }
        text += &format!(
            "[[bridge]]\nname = \"b{i}\"\nurl = \"http://10.0.{}.{}:3001\"\n",
            i / 256,
            i % 256
        );
    }
    text
}

#[test]
fn a_big_file_parsed_in_parts_is_the_file() {
    let text = many(PART * 2 + 5, PART + 3);
    assert_eq!(parts(&text).len(), 3);
    let bridges = load_text(&text).unwrap();
    assert_eq!(bridges.len(), PART * 2 + 5);
    assert_eq!(bridges[PART * 2 + 4].name, format!("b{}", PART * 2 + 4));
    assert!(
        bridges
            .iter()
            .all(|b| b.intervals.interval_ready == Some(Duration::from_secs(7))),
        "[defaults] after some bridges is still every bridge's"
    );
    let whole: File = toml::from_str(&text).unwrap();
    let (_, _, tables) = parse_parts(&text).unwrap();
    assert_eq!(tables.len(), whole.bridge.len());
}

#[test]
fn errors_in_a_big_file_name_the_line_of_the_whole_file() {
    let mut text = many(PART * 2, usize::MAX);
    // Bridge 1500's URL, on line 3 × 1500 + 3.
    text = text.replacen("url = \"http://10.0.5.220:3001\"", "url = \"ftp://x\"", 1);
    let e = load_text(&text).unwrap_err();
    assert_eq!(e, "F:4503: url: scheme must be http or https, not ftp");
    let dup = format!("{}{}", many(PART + 1, 0), "[defaults]\nstall_after = \"1m\"\n");
    assert!(
        load_text(&dup).unwrap_err().contains("duplicate"),
        "two [defaults]"
    );
    // A header inside a multi-line string: the part cut there fails alone, and the whole
    // file is read as TOML reads it.
    let mut text = many(PART + 2, usize::MAX);
    let cut = text.find(&format!("name = \"b{}\"", PART - 1)).unwrap();
    text.insert_str(cut, "api_key_env = '''\n[[bridge]]\n'''\n");
    let e = load_text(&text).unwrap_err();
    assert!(
        e.starts_with(&format!("F:{}: api_key_env", 3 * (PART - 1) + 2)),
        "{e}"
    );
}

#[test]
fn a_good_file_with_defaults_names_and_keys() {
    let bridges = load_text(
        "[defaults]\ninterval_ready = \"10s\"\napi_key_env = \"BUILD_KEY\"\n\n\
         [[bridge]]\nname = \"build-1\"\nurl = \"http://10.0.0.5:3001\"\napi_key_file = \"key\"\ninterval_ready = \"2s\"\n\n\
         [[bridge]]\nurl = \"http://127.0.0.1:3002\"\n",
    )
    .unwrap();
    assert_eq!(bridges.len(), 2);
    assert_eq!(bridges[0].name, "build-1");
    assert_eq!(bridges[0].api_key.as_ref().unwrap().expose(), "s3cret-key");
    assert_eq!(bridges[0].intervals.interval_ready, Some(Duration::from_secs(2)));
    assert_eq!(bridges[1].name, "127.0.0.1:3002");
    assert_eq!(bridges[1].api_key.as_ref().unwrap().expose(), "env-key-1");
    assert_eq!(bridges[1].intervals.interval_ready, Some(Duration::from_secs(10)));
    assert_eq!(bridges[1].intervals.interval_busy, None);
}

#[test]
fn every_broken_file_names_file_line_and_field() {
    let cases: &[(&str, &str)] = &[
        ("[[bridge]\nurl = 1", "F:1: "),
        ("[[bridge]]\nurl = 5\n", "F:2: url: invalid type"),
        ("[[bridge]]\nurl = \"http://a:1\"\ncolour = \"red\"\n", "F:3: unknown field `colour`"),
        ("[[bridge]]\nname = \"a\"\nurl = \"http://a:1\"\n[[bridge]]\nname = \"a\"\nurl = \"http://b:1\"\n", "F:5: name: duplicate name 'a'"),
        ("[[bridge]]\nurl = \"ftp://a\"\n", "F:2: url: scheme must be http or https"),
        ("[[bridge]]\nurl = \"http://a:1\"\napi_key_file = \"nope\"\n", "F:3: api_key_file: cannot read"),
        (
            "[[bridge]]\nurl = \"http://a:1\"\napi_key_env = \"UNSET_VAR\"\n",
            "F:3: api_key_env: the environment variable it names is not set",
        ),
        ("[defaults]\ninterval_ready = \"5ms\"\n[[bridge]]\nurl = \"http://a:1\"\n", "F:2: interval_ready: invalid duration '5ms'"),
        ("[defaults]\nurl = \"http://a:1\"\n", "F:2: url: belongs in a [[bridge]]"),
        ("[[bridge]]\nname = \"x\"\n", "F:2: url: a [[bridge]] needs a url"),
        ("", "F: no [[bridge]] in the file"),
    ];
    for (text, want) in cases {
        let err = load_text(text).unwrap_err();
        assert!(err.starts_with(want), "{text:?}: got {err:?}, want {want:?}");
        assert!(!err.contains('\n'), "{err:?}");
    }
}

#[test]
fn a_key_put_in_the_wrong_place_is_never_echoed() {
    for text in [
        "[[bridge]]\nurl = \"http://a:1\"\nSEKRETKEY9f3 = 1\n",
        "[[bridge]]\nurl = \"http://a:1\"\napi_key_env = \"SEKRETKEY9f3\"\n",
        "[[bridge]]\nurl = \"http://a:1\"\nname = [\"SEKRETKEY9f3\"]\n",
        "[[bridge]]\nurl = \"http://a:1\"\nurl = \"SEKRETKEY9f3\"\n",
    ] {
        let err = load_text(text).unwrap_err();
        assert!(!err.contains("SEKRET"), "{text:?}: {err}");
    }
    assert_eq!(
        without_values("invalid type: string \"abc\", expected u64"),
        "invalid type: a string, expected u64"
    );
}

#[test]
fn debug_never_shows_a_password_or_key() {
    let b = &from_urls(
        &[url::Url::parse("http://u:PASSWORDXYZ@h:1").unwrap()],
        Some(&ApiKey::new("KEYXYZ")),
    )
    .unwrap()[0];
    let shown = format!("{b:?}");
    assert!(
        !shown.contains("PASSWORDXYZ") && !shown.contains("KEYXYZ"),
        "{shown}"
    );
    assert!(shown.contains("h:1"), "{shown}");
}

#[test]
fn urls_get_host_port_names_and_a_repeat_is_refused() {
    let u = |s: &str| url::Url::parse(s).unwrap();
    let b = from_urls(&[u("http://a:3001"), u("http://b")], None).unwrap();
    assert_eq!((b[0].name.as_str(), b[1].name.as_str()), ("a:3001", "b:80"));
    let e = from_urls(&[u("http://a:3001"), u("http://a:3001/")], None).unwrap_err();
    assert!(e.0.contains("a:3001 twice"), "{}", e.0);
}

#[test]
fn a_wrong_label_name_is_shown_only_when_it_looks_like_one() {
    let err = check_labels(&[("0bad".into(), "x".into())]).unwrap_err();
    assert!(err.starts_with("'0bad' is not a label name"), "{err}");
    let err = check_labels(&[("team-name".into(), "x".into())]).unwrap_err();
    assert!(err.starts_with("'team-name' is not a label name"), "{err}");
    for secret in ["sk-live-9f8e7d6c5b4a39281706", "Bearer abc", "k3y-1234-5678"] {
        let err = check_labels(&[(secret.into(), "x".into())]).unwrap_err();
        assert!(!err.contains(secret), "{err}");
        assert!(err.starts_with("a label's name is not a label name"), "{err}");
    }
}
