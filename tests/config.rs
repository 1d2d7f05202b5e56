//! The config file and named bridges, through the binary: `-b NAME` on every command that
//! reaches a bridge, the default, the precedence (a test per step), `kiro-poll config` editing
//! a hand-written file, the warning for a key others can read. HOME and XDG_CONFIG_HOME point
//! at a temporary directory, so the file is found where a user's would be.

mod common;

use std::path::PathBuf;

use common::Sim;
use serde_json::Value;

/// A home of its own: `$XDG_CONFIG_HOME/kiro-poll/config.toml` is where the config is.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("xdg/kiro-poll/config.toml")
    }

    fn write(&self, text: &str) {
        std::fs::create_dir_all(self.config().parent().unwrap()).unwrap();
        std::fs::write(self.config(), text).unwrap();
    }

    /// The binary with this home, no config named otherwise.
    fn kiro(&self) -> assert_cmd::Command {
        let mut c = common::kiro();
        c.env_remove("KIRO_POLL_CONFIG")
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg"));
        c
    }

    /// This binary run with the words of `line` as its arguments.
    fn run(&self, line: &str) -> std::process::Output {
        self.kiro().args(line.split_whitespace()).output().unwrap()
    }

    /// `config show --json` with these arguments and environment.
    fn show(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let out = self
            .kiro()
            .envs(env.iter().copied())
            .args(args)
            .args(["config", "show", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn two(work: &str, home: &str) -> String {
    format!(
        "# hand-written: my two bridges\ndefault = \"work\"\n\n[[bridge]]\nname = \"work\" # the office\nurl = \"{work}\"\n\n[[bridge]]\nname = \"home\"\nurl = \"{home}\"\n"
    )
}

fn status_of(sim: &Sim) -> usize {
    sim.served()
        .iter()
        .filter(|l| l.starts_with("GET /api/kiro/status"))
        .count()
}

#[test]
fn named_bridges_reach_the_right_bridge_on_every_command() {
    let (work, home) = (Sim::start("1s", &[], &[]), Sim::start("1s", &[], &[]));
    let h = Home::new();
    h.write(&two(&work.url, &home.url));

    // status: by name, and the default.
    let before = (status_of(&work), status_of(&home));
    for (args, want) in [
        (vec!["-b", "home"], "home"),
        (vec![], "work"),
        (vec!["--bridge", "work"], "work"),
    ] {
        let out = h.kiro().args(&args).args(["status", "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["bridge"], want, "{args:?}");
    }
    assert_eq!((status_of(&work), status_of(&home)), (before.0 + 2, before.1 + 1));

    // exec -b NAME (after the command, as a global option): only that bridge runs it, and the
    // job keeps the name.
    h.kiro()
        .args(["exec", "-b", "home", "kiro.long", "--wait", "--json"])
        .assert()
        .success();
    assert_eq!((home.executes(), work.executes()), (1, 0));
    let out = h.run("jobs -b home --json --limit 1");
    let job: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(job["bridgeName"], "home", "{job}");
    assert_eq!(job["command"], "kiro.long");

    // watch -b work -b home: both followed, each line naming its bridge by name.
    let out = h.run("watch -b work -b home --json --timeout 2s");
    let text = String::from_utf8_lossy(&out.stdout);
    let named: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["bridge"].as_str().map(str::to_owned))
        .collect();
    assert!(named.contains("work") && named.contains("home"), "{text}");

    // mcp -b home: kiro_status asks home, not work.
    let (before_work, before_home) = (status_of(&work), status_of(&home));
    let session = [
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "kiro_status", "arguments": {}}}),
    ]
    .map(|m| m.to_string() + "\n")
    .concat();
    let out = h
        .kiro()
        .args(["mcp", "-b", "home"])
        .write_stdin(session)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"id\":1") && text.contains("ready"), "{text}");
    assert!(status_of(&home) > before_home, "home was asked");
    assert_eq!(status_of(&work), before_work, "work was not");
}

#[test]
fn an_unknown_name_is_a_usage_error_that_names_the_known_ones() {
    let h = Home::new();
    h.write(&two("http://127.0.0.1:9", "http://127.0.0.1:10"));
    let out = h.run("-b wrok status");
    common::ended_saying(
        &out,
        2,
        &["no bridge named 'wrok'", "work, home", "did you mean 'work'?"],
    );
    // No file at all: said, with how to make one.
    let empty = Home::new();
    common::ended_saying(&empty.run("-b work health"), 2, &["config add work URL"]);
}

/// `config show --json`'s URL and why it was chosen.
fn chose(v: &Value) -> (&str, &str) {
    (v["url"].as_str().unwrap(), v["chosen_by"].as_str().unwrap())
}

// Precedence: flags, then the environment, then the config's default, then localhost:3001.

#[test]
fn precedence_1_url_flag_beats_the_environment_and_the_default() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let v = h.show(
        &["--url", "http://flag.test:3"],
        &[("KIRO_BRIDGE_URL", "http://env.test:4")],
    );
    assert_eq!(chose(&v), ("http://flag.test:3/", "url_flag"));
}

#[test]
fn precedence_2_bridge_flag_beats_the_environment_and_the_default() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let v = h.show(&["-b", "home"], &[("KIRO_BRIDGE_URL", "http://env.test:4")]);
    assert_eq!(chose(&v), ("http://home.test:2/", "bridge_flag"));
    assert_eq!(v["line"], 10, "where it is written: {v}");
}

#[test]
fn precedence_3_the_environment_beats_the_default() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let v = h.show(&[], &[("KIRO_BRIDGE_URL", "http://env.test:4")]);
    assert_eq!(chose(&v), ("http://env.test:4/", "env"));
}

#[test]
fn precedence_4_the_default_beats_the_built_in() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let v = h.show(&[], &[]);
    assert_eq!(chose(&v), ("http://work.test:1/", "config_default"));
    assert_eq!(v["default"], "work");
}

#[test]
fn precedence_5_nothing_said_is_localhost_3001() {
    let h = Home::new();
    let v = h.show(&[], &[]);
    assert_eq!(chose(&v), ("http://localhost:3001/", "built_in"));
    // A file with bridges but no default: still the built-in one.
    h.write("[[bridge]]\nname = \"work\"\nurl = \"http://work.test:1\"\n");
    assert_eq!(h.show(&[], &[])["chosen_by"], "built_in");
    // --config (and KIRO_POLL_CONFIG) name another file.
    let other = common::file(
        h.dir.path(),
        "other.toml",
        "default = \"lab\"\n[[bridge]]\nname = \"lab\"\nurl = \"http://lab.test:5\"\n",
    );
    let v = h.show(&["--config", other.to_str().unwrap()], &[]);
    assert_eq!(v["url"], "http://lab.test:5/");
    let v = h.show(&[], &[("KIRO_POLL_CONFIG", other.to_str().unwrap())]);
    assert_eq!(v["url"], "http://lab.test:5/");
}

#[test]
fn a_named_bridge_sends_its_own_key_and_the_environment_serves_those_without_one() {
    let (_dir, key) = common::in_temp_dir("work.key", "work-key-0123456789\n");
    let key_arg = key.to_str().unwrap();
    let work = Sim::start("1s", &["--api-key-file", key_arg], &[]);
    let home = Sim::start("1s", &[], &[("KIRO_API_KEY", "home-key-0123456789")]);
    let h = Home::new();
    h.write(&format!(
        "[[bridge]]\nname = \"work\"\nurl = \"{}\"\napi_key_file = \"{key_arg}\"\n\n[[bridge]]\nname = \"home\"\nurl = \"{}\"\n",
        work.url, home.url
    ));
    // KIRO_API_KEY is home's: work still gets its own.
    let env = [("KIRO_API_KEY", "home-key-0123456789")];
    h.kiro()
        .envs(env)
        .args(["-b", "work", "health"])
        .assert()
        .success();
    h.kiro()
        .envs(env)
        .args(["-b", "home", "health"])
        .assert()
        .success();
    let v = h.show(&["-b", "work"], &env);
    assert_eq!(v["key"], true);
    assert!(v["key_from"].as_str().unwrap().starts_with("api_key_file"), "{v}");
    assert!(!v.to_string().contains("work-key"), "never the key: {v}");
}

#[test]
fn a_variable_unset_for_one_bridge_does_not_stop_the_others() {
    let h = Home::new();
    h.write("default = \"work\"\n[[bridge]]\nname = \"work\"\nurl = \"http://work.test:1\"\n\n[[bridge]]\nname = \"lab\"\nurl = \"http://lab.test:2\"\napi_key_env = \"KIRO_TEST_UNSET_LAB_KEY\"\n");
    assert_eq!(h.show(&[], &[])["url"], "http://work.test:1/");
    common::ended_saying(&h.run("-b lab config show"), 2, &[":9: api_key_env"]);
}

#[test]
fn config_add_default_and_remove_edit_the_file_keeping_what_a_person_wrote() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let key = common::file(h.dir.path(), "lab.key", "lab-key-0123456789");
    let text = || std::fs::read_to_string(h.config()).unwrap();

    h.kiro()
        .args([
            "config",
            "add",
            "lab",
            "http://lab.test:3",
            "--key-file",
            key.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains("added 'lab'"));
    assert!(text().contains(&format!("api_key_file = \"{}\"", key.display())));
    assert!(!text().contains("lab-key"), "the key itself is never written");
    h.kiro().args(["config", "default", "lab"]).assert().success();
    assert!(text().contains("default = \"lab\""));
    h.kiro().args(["config", "remove", "work"]).assert().success();
    let t = text();
    assert!(t.contains("# hand-written: my two bridges"), "{t}");
    assert!(
        !t.contains("work.test") && t.contains("home.test") && t.contains("lab.test"),
        "{t}"
    );

    let out = h.run("config list --json");
    let listed: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<(&str, bool)> = listed
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["default"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, [("home", false), ("lab", true)]);
    let table = h.run("config list");
    assert_eq!(
        String::from_utf8_lossy(&table.stdout),
        "  NAME  URL\n  home  http://home.test:2/\n* lab   http://lab.test:3/\n"
    );

    // Mistakes: a name taken, a secret in the URL, an unknown name; the file untouched.
    let before = text();
    for args in [
        vec!["config", "add", "home", "http://x.test:1"],
        vec!["config", "add", "new", "http://user:pw@x.test:1"],
        vec!["config", "add", "new", "ftp://user:pw@x.test:1"],
        common::words("config add new http://x.test:1 --url http://y.test:1"),
        vec!["config", "default", "nosuch"],
        vec!["config", "remove", "nosuch"],
        vec!["config", "add", "bad name", "http://x.test:1"],
    ] {
        let out = h.kiro().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("pw@"), "{args:?}");
    }
    assert_eq!(text(), before);
}

#[test]
fn config_add_makes_the_file_owner_only_and_path_says_where() {
    let h = Home::new();
    let out = h.run("config path");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        h.config().to_str().unwrap()
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist yet"));
    h.kiro()
        .args(["config", "add", "work", "http://work.test:1"])
        .assert()
        .success();
    let t = std::fs::read_to_string(h.config()).unwrap();
    assert!(
        t.starts_with("# kiro-poll's config") && t.contains("default = \"work\""),
        "{t}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(h.config()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[cfg(unix)]
#[test]
fn a_key_written_in_a_file_others_can_read_is_warned_about_once() {
    use std::os::unix::fs::PermissionsExt;
    let bridge = Sim::start("1s", &[], &[]);
    let h = Home::new();
    h.write(&format!(
        "default = \"work\"\n[[bridge]]\nname = \"work\"\nurl = \"{}\"\napi_key = \"inline-key-0123456789\"\n",
        bridge.url
    ));
    let set_mode = |m| std::fs::set_permissions(h.config(), std::fs::Permissions::from_mode(m)).unwrap();
    set_mode(0o644);
    let out = h.run("status");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("holds an API key and others can read it").count(),
        1,
        "{err}"
    );
    assert!(!err.contains("inline-key") && !String::from_utf8_lossy(&out.stdout).contains("inline-key"));
    // The same file given as a bridges file: the same warning, once.
    let out = h
        .kiro()
        .args(["--bridges", h.config().to_str().unwrap(), "status"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("holds an API key and others can read it").count(),
        1,
        "{err}"
    );
    set_mode(0o600);
    let out = h.run("status");
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn dash_b_tab_completes_the_config_files_names() {
    let h = Home::new();
    h.write(&two("http://work.test:1", "http://home.test:2"));
    let complete = |args: &[&str]| {
        let out = h
            .kiro()
            .env("COMPLETE", "fish")
            .arg("--")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        complete(&["kiro-poll", "-b", ""]),
        "work\thttp://work.test:1/\nhome\thttp://home.test:2/\n"
    );
    assert_eq!(
        complete(&["kiro-poll", "status", "--bridge", "h"]),
        "home\thttp://home.test:2/\n"
    );
}
