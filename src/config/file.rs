//! The config file: where it is (`--config`, KIRO_POLL_CONFIG, else the platform's config
//! directory), and the bridges it names, in the bridges file's format plus `default = "NAME"`.
//! Read only when a command needs it: `-b NAME`, or no `--url` and no KIRO_BRIDGE_URL.

use std::path::{Path, PathBuf};

use crate::bridges::{ApiKey, Bridge, Keys, Loaded};
use crate::error::UsageError;

/// `config.toml` in the platform's config directory (`$XDG_CONFIG_HOME/kiro-poll`, else
/// `~/.config/kiro-poll` on Linux; Application Support on macOS; `%APPDATA%` on Windows).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kiro-poll").map(|d| d.config_dir().join("config.toml"))
}

/// Where the config file is: the one `--config` (or KIRO_POLL_CONFIG) names, else the
/// platform's.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: Option<PathBuf>,
}

impl ConfigFile {
    pub fn locate(given: Option<&Path>) -> ConfigFile {
        ConfigFile {
            path: given.map(Path::to_path_buf).or_else(default_path),
        }
    }

    /// The path as shown to a person.
    pub fn shown(&self) -> String {
        self.path.as_deref().map_or_else(
            || "(no config directory on this system)".to_owned(),
            |p| p.display().to_string(),
        )
    }

    /// Whether there is a file to read.
    pub fn exists(&self) -> bool {
        self.path.as_deref().is_some_and(Path::exists)
    }

    /// Read it: None when there is none (even one named by KIRO_POLL_CONFIG: a file not made
    /// yet, as kubectl takes one); only `-b NAME` needs it (`read_for`). Notes it when it
    /// holds a key others can read (`exposed`). Only the keys `keys` says are read.
    pub fn read(&self, fallback: Option<&ApiKey>, keys: &Keys) -> Result<Option<Loaded>, UsageError> {
        let Some(path) = self.path.as_deref() else {
            return Ok(None);
        };
        if !path.exists() {
            return Ok(None);
        }
        let loaded = crate::bridges::load_file(path, fallback, &|k| std::env::var(k).ok(), keys)
            .map_err(|UsageError(e)| UsageError(e.replace("'--bridges ", "the config file '")))?;
        note_if_exposed(path, &loaded);
        Ok(Some(loaded))
    }

    /// Read it for names: a missing file is an error that says how to make one.
    pub fn read_for(&self, names: &[String], fallback: Option<&ApiKey>) -> Result<Loaded, UsageError> {
        let name = names.first().map_or("", String::as_str);
        match self.read(fallback, &Keys::Of(names.to_vec()))? {
            Some(l) => Ok(l),
            None => Err(UsageError(format!(
                "no bridge named '{}': there is no config file ({}); add one with 'kiro-poll config add {} URL'",
                crate::sanitize::line(name),
                self.shown(),
                crate::sanitize::line(name),
            ))),
        }
    }
}

/// A bridge of the file by name, or a usage error naming those there are.
pub fn pick(loaded: &Loaded, name: &str, file: &ConfigFile) -> Result<Bridge, UsageError> {
    match loaded.bridges.iter().find(|b| b.name == name) {
        Some(b) => Ok(b.clone()),
        None => Err(no_bridge(
            name,
            &file.shown(),
            loaded.bridges.iter().map(|b| b.name.as_str()),
        )),
    }
}

/// `name` is none of the bridges `place` (a file) names: the error says which it names (the
/// first twelve) and a close one, as clap suggests a flag. The one wording for `-b`, `config`
/// and `--bridges`.
pub fn no_bridge<'a>(name: &str, place: &str, names: impl Iterator<Item = &'a str>) -> UsageError {
    let names: Vec<&str> = names.collect();
    let near = names
        .iter()
        .map(|n| (strsim::levenshtein(n, name), *n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| format!("; did you mean '{}'?", crate::sanitize::line(n)))
        .unwrap_or_default();
    let known = match names.is_empty() {
        true => "it names none".to_owned(),
        false => format!(
            "it names: {}",
            names.iter().take(12).copied().collect::<Vec<_>>().join(", ")
        ),
    };
    UsageError(format!(
        "no bridge named '{}' in {place} ({}){near}",
        crate::sanitize::line(name),
        crate::sanitize::line(&known),
    ))
}

/// The first file read that holds a key others may read (the config file, a bridges file):
/// `output::Notice::KeyExposed` says it once, as ssh does, unless `--quiet`.
static EXPOSED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Note `path` when what was read from it holds a key and others can read it.
pub fn note_if_exposed(path: &Path, loaded: &Loaded) {
    if loaded.holds_key && crate::platform::readable_by_others(path) {
        let _ = EXPOSED.set(path.to_path_buf());
    }
}

/// The file read that holds a key others can read, if any.
pub fn exposed() -> Option<&'static Path> {
    EXPOSED.get().map(PathBuf::as_path)
}

/// What `config add` writes for a bridge's key: where to read it, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    None,
    File(PathBuf),
    Env(String),
}

/// The first lines of a config file kiro-poll makes.
const HEADER: &str = "\
# kiro-poll's config: named bridges (kiro-poll -b NAME) and the one used when none is named.
# The same [[bridge]] entries as a bridges file. Keys belong in files (api_key_file) or the
# environment (api_key_env), not here.
";

/// A bridge's name as `config add` takes it: what `-b` can be given and a shell needs no
/// quotes for.
pub fn check_name(name: &str) -> Result<(), UsageError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    match ok {
        true => Ok(()),
        false => Err(UsageError(format!(
            "invalid value '{}' for '<NAME>': a name is letters, digits, '.', '_' and '-' (at most 64, not starting with '-')",
            crate::sanitize::line(&name.chars().take(64).collect::<String>())
        ))),
    }
}

fn parse_doc(text: &str, path: &Path) -> Result<toml_edit::DocumentMut, UsageError> {
    text.parse::<toml_edit::DocumentMut>().map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .map_or(String::new(), |l| format!(":{l}"));
        UsageError(format!(
            "{}{line}: not TOML kiro-poll can edit ({}); fix it by hand",
            path.display(),
            crate::sanitize::line(e.message())
        ))
    })
}

/// The index in `[[bridge]]` of the entry named `name`.
fn position(doc: &toml_edit::DocumentMut, name: &str) -> Option<usize> {
    let bridges = doc.get("bridge")?.as_array_of_tables()?;
    bridges.iter().position(|t| {
        let own = t.get("name").and_then(|v| v.as_str());
        let by_url = || {
            t.get("url")
                .and_then(|v| v.as_str())
                .and_then(|u| url::Url::parse(u).ok())
                .map(|u| crate::bridges::default_name(&u))
        };
        match own {
            Some(n) => n == name,
            None => by_url().as_deref() == Some(name),
        }
    })
}

/// `text` (a config file, maybe empty) with the bridge added; whether it became the default.
pub fn add(
    text: &str,
    path: &Path,
    name: &str,
    url: &url::Url,
    key: &KeyRef,
    make_default: bool,
) -> Result<(String, bool), UsageError> {
    // A new file's header goes first: in a document of comments only, toml_edit keeps them
    // as its end, after whatever is added.
    let header = match text.trim().is_empty() {
        true => format!("{HEADER}\n"),
        false => String::new(),
    };
    let mut doc = parse_doc(text, path)?;
    if position(&doc, name).is_some() {
        return Err(UsageError(format!(
            "{} already names a bridge '{name}'; remove it first ('kiro-poll config remove {name}') or choose another name",
            path.display()
        )));
    }
    let mut t = toml_edit::Table::new();
    t["name"] = toml_edit::value(name);
    t["url"] = toml_edit::value(url.as_str());
    match key {
        KeyRef::None => {}
        KeyRef::File(f) => t["api_key_file"] = toml_edit::value(f.to_string_lossy().into_owned()),
        KeyRef::Env(v) => t["api_key_env"] = toml_edit::value(v.as_str()),
    }
    let becomes_default = make_default || doc.get("default").is_none();
    if becomes_default {
        doc["default"] = toml_edit::value(name);
    }
    match doc.get_mut("bridge") {
        Some(item) => match item.as_array_of_tables_mut() {
            Some(arr) => arr.push(t),
            None => {
                return Err(UsageError(format!(
                    "{}: 'bridge' is not a list of [[bridge]] tables; fix it by hand",
                    path.display()
                )))
            }
        },
        None => {
            let mut arr = toml_edit::ArrayOfTables::new();
            arr.push(t);
            doc.insert("bridge", toml_edit::Item::ArrayOfTables(arr));
        }
    }
    Ok((header + &with_blank_lines(doc.to_string()), becomes_default))
}

/// `text` without the bridge `name`; whether it was the default (then no default is left).
pub fn remove(text: &str, path: &Path, name: &str) -> Result<(String, bool), UsageError> {
    let mut doc = parse_doc(text, path)?;
    let Some(at) = position(&doc, name) else {
        return Err(not_there(&doc, path, name));
    };
    if let Some(arr) = doc.get_mut("bridge").and_then(|i| i.as_array_of_tables_mut()) {
        arr.remove(at);
    }
    let was_default = doc.get("default").and_then(|v| v.as_str()) == Some(name);
    if was_default {
        // The comment above the line goes to the top of the file, not with the line.
        let above = doc
            .as_table()
            .key("default")
            .and_then(|k| k.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_owned();
        doc.remove("default");
        let root = doc.as_table_mut().decor_mut();
        let before = root.prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
        root.set_prefix(before + &above);
    }
    Ok((doc.to_string(), was_default))
}

/// `text` with `name` the default.
pub fn set_default(text: &str, path: &Path, name: &str) -> Result<String, UsageError> {
    let mut doc = parse_doc(text, path)?;
    if position(&doc, name).is_none() {
        return Err(not_there(&doc, path, name));
    }
    match doc.get_mut("default").and_then(|i| i.as_value_mut()) {
        // Its value replaced where it stands, the comments around it kept.
        Some(v) => {
            let decor = v.decor().clone();
            *v = toml_edit::Value::from(name);
            *v.decor_mut() = decor;
        }
        None => doc["default"] = toml_edit::value(name),
    }
    Ok(doc.to_string())
}

fn not_there(doc: &toml_edit::DocumentMut, path: &Path, name: &str) -> UsageError {
    let tables = doc.get("bridge").and_then(|b| b.as_array_of_tables());
    let names = tables
        .into_iter()
        .flat_map(|arr| arr.iter())
        .filter_map(|t| t.get("name").and_then(|v| v.as_str()));
    no_bridge(name, &path.display().to_string(), names)
}

/// A `[[bridge]]` header toml_edit adds starts right under the line before it: a blank line
/// between entries, as a person writes them.
fn with_blank_lines(text: String) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut prev_blank = true;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("[[bridge]]") && !prev_blank {
            out.push('\n');
        }
        prev_blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &str = "\
# my bridges, by hand
default = \"home\" # the laptop

[defaults]
interval_ready = \"2s\"

# the office one
[[bridge]]
name = \"work\"
url = \"http://10.0.0.5:3001\"

[[bridge]]
name = \"home\" # mine
url = \"http://localhost:3001\"
";

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn p() -> &'static Path {
        Path::new("config.toml")
    }

    #[test]
    fn adding_keeps_every_comment_and_the_default() {
        let (text, default) = add(
            HAND,
            p(),
            "lab",
            &url("http://lab:3001"),
            &KeyRef::Env("LAB_KEY".into()),
            false,
        )
        .unwrap();
        assert!(!default);
        for kept in [
            "# my bridges, by hand",
            "# the laptop",
            "# the office one",
            "# mine",
            "default = \"home\"",
        ] {
            assert!(text.contains(kept), "{kept} lost:\n{text}");
        }
        assert!(
            text.ends_with(
                "\n\n[[bridge]]\nname = \"lab\"\nurl = \"http://lab:3001/\"\napi_key_env = \"LAB_KEY\"\n"
            ),
            "{text}"
        );
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["bridge"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn the_first_bridge_added_becomes_the_default_and_a_new_file_says_what_it_is() {
        let (text, default) = add(
            "",
            p(),
            "work",
            &url("http://w:1"),
            &KeyRef::File("/k".into()),
            false,
        )
        .unwrap();
        assert!(default);
        assert!(text.starts_with("# kiro-poll's config"), "{text}");
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["default"].as_str(), Some("work"));
        assert_eq!(parsed["bridge"][0]["api_key_file"].as_str(), Some("/k"));
    }

    #[test]
    fn a_name_taken_is_refused() {
        let e = add(HAND, p(), "work", &url("http://x:1"), &KeyRef::None, false).unwrap_err();
        assert!(e.0.contains("already names a bridge 'work'"), "{}", e.0);
    }

    #[test]
    fn removing_keeps_the_other_comments_and_drops_the_default_it_was() {
        let (text, was) = remove(HAND, p(), "work").unwrap();
        assert!(!was);
        assert!(
            text.contains("# my bridges, by hand") && text.contains("# mine"),
            "{text}"
        );
        assert!(!text.contains("10.0.0.5"));
        let (text, was) = remove(&text, p(), "home").unwrap();
        assert!(was, "home was the default");
        assert!(!text.contains("default ="), "{text}");
        assert!(
            text.contains("# my bridges, by hand") && text.contains("interval_ready"),
            "{text}"
        );
    }

    #[test]
    fn the_default_is_changed_where_it_stands() {
        let text = set_default(HAND, p(), "work").unwrap();
        assert!(text.contains("default = \"work\" # the laptop"), "{text}");
        assert_eq!(
            text.replace("\"work\" # the laptop", "\"home\" # the laptop"),
            HAND
        );
        let e = set_default(HAND, p(), "wrok").unwrap_err();
        assert!(e.0.contains("it names: work, home"), "{}", e.0);
    }

    #[test]
    fn names_are_what_a_shell_and_dash_b_take() {
        for ok in ["work", "lab-2", "eu.west_1"] {
            check_name(ok).unwrap();
        }
        for bad in ["", "-b", "my bridge", "a/b", "http://x", "é"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_that_is_not_toml_is_left_alone_with_its_line() {
        let e = add(
            "a = \n[[bridge]]",
            p(),
            "x",
            &url("http://x:1"),
            &KeyRef::None,
            false,
        )
        .unwrap_err();
        assert!(e.0.starts_with("config.toml:1: not TOML"), "{}", e.0);
    }
}
