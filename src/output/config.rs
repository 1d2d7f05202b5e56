//! How `kiro-poll config` reads: the list of named bridges, one bridge's settings and where
//! each came from, and the lines that confirm an edit. URLs are shown redacted, keys never.

use std::io::{self, Write};

use serde::Serialize;

use super::{write_json_line, Painter};
use crate::config::Chosen;
use crate::sanitize::line as clean;

/// One bridge of the config file (`config list --json`).
#[derive(Debug, Serialize)]
pub struct Entry {
    pub name: String,
    /// Its URL, credentials redacted.
    pub url: String,
    pub default: bool,
}

/// `config list`: `*` marks the default, as kubectl marks the current context.
pub fn list(
    entries: &[Entry],
    json: bool,
    names_only: bool,
    p: Painter,
    out: &mut impl Write,
) -> io::Result<()> {
    if json {
        for e in entries {
            write_json_line(out, e)?;
        }
        return Ok(());
    }
    if names_only {
        for e in entries {
            writeln!(out, "{}", clean(&e.name))?;
        }
        return out.flush();
    }
    let width = entries
        .iter()
        .map(|e| clean(&e.name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{}", p.bold(&format!("  {:<width$}  URL", "NAME")))?;
    for e in entries {
        let mark = if e.default { p.good("*") } else { " ".to_owned() };
        writeln!(out, "{mark} {:<width$}  {}", clean(&e.name), clean(&e.url))?;
    }
    out.flush()
}

/// `config list` with no file (or none in it): said on stderr, with how to begin.
pub fn list_empty(path: &str, exists: bool) -> String {
    match exists {
        true => format!("kiro-poll: {path} names no bridge; add one with 'kiro-poll config add NAME URL'"),
        false => format!(
            "kiro-poll: no config file yet ({path}); add a bridge with 'kiro-poll config add NAME URL'"
        ),
    }
}

/// One bridge's resolved settings and where they came from (`config show`).
#[derive(Debug, Serialize)]
pub struct Shown {
    /// Its name (`host:port` for a bridge given by URL).
    pub name: String,
    pub url: String,
    /// Why this bridge: `url_flag`, `bridge_flag`, `bridges_file`, `env`, `config_default`
    /// or `built_in`.
    pub chosen_by: &'static str,
    /// The file that names it, and the line of its `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Whether a key is sent, and where it is read from (never the key).
    pub key: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_from: Option<String>,
    /// The config file's default bridge, and the file (whether or not it exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    pub config: String,
    /// What the file sets for it: intervals, labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<(String, String)>,
}

/// Why a command talks to the bridge it does, as JSON says it and as a person reads it.
pub fn chosen(c: Chosen, name: &str) -> (&'static str, String) {
    let name = clean(name);
    match c {
        Chosen::UrlFlag => ("url_flag", "--url on the command line".into()),
        Chosen::BridgeFlag => ("bridge_flag", format!("-b {name} on the command line")),
        Chosen::BridgesFile => ("bridges_file", "--bridges on the command line".into()),
        Chosen::EnvUrl => ("env", "KIRO_BRIDGE_URL in the environment".into()),
        Chosen::ConfigDefault => (
            "config_default",
            format!("default = \"{name}\" in the config file"),
        ),
        Chosen::BuiltIn => (
            "built_in",
            "nothing named one (no -b, --url, KIRO_BRIDGE_URL or default): the built-in localhost:3001"
                .into(),
        ),
    }
}

pub fn show(s: &Shown, why: &str, json: bool, p: Painter, out: &mut impl Write) -> io::Result<()> {
    if json {
        return write_json_line(out, s);
    }
    let row = |out: &mut dyn Write, k: &str, v: &str| writeln!(out, "{}  {v}", p.dim(&format!("{k:<9}")));
    row(out, "bridge", &p.bold(&clean(&s.name)))?;
    row(out, "url", &clean(&s.url))?;
    row(out, "because", why)?;
    if let (Some(f), Some(l)) = (&s.file, s.line) {
        row(out, "set in", &format!("{}:{l}", clean(f)))?;
    }
    let key = match (s.key, &s.key_from) {
        (true, Some(from)) => format!("set, from {}", clean(from)),
        (true, None) => "set".to_owned(),
        (false, _) => "none (the bridge gets no Authorization header)".to_owned(),
    };
    row(out, "api key", &key)?;
    for (k, v) in &s.settings {
        row(out, k, &clean(v))?;
    }
    let default = s
        .default
        .as_deref()
        .map_or_else(|| "none".to_owned(), |d| clean(d).into_owned());
    row(out, "default", &default)?;
    row(out, "config", &clean(&s.config))?;
    out.flush()
}

/// Where the key of a bridge that names none came from (`config show`): the key file
/// `--api-key-file` or KIRO_API_KEY_FILE named, else KIRO_API_KEY.
pub fn fallback_key(file: Option<&std::path::Path>) -> String {
    match file {
        Some(f) => format!("--api-key-file (or KIRO_API_KEY_FILE) {}", f.display()),
        None => "KIRO_API_KEY in the environment".to_owned(),
    }
}

/// The line that confirms an edit, on stderr.
pub fn added(name: &str, path: &str, default: bool) -> String {
    let tail = if default { "; it is the default" } else { "" };
    format!("kiro-poll: added '{}' to {path}{tail}", clean(name))
}

pub fn removed(name: &str, path: &str, was_default: bool) -> String {
    let tail = match was_default {
        true => "; it was the default, so there is none now ('kiro-poll config default NAME')",
        false => "",
    };
    format!("kiro-poll: removed '{}' from {path}{tail}", clean(name))
}

pub fn default_set(name: &str, path: &str) -> String {
    format!("kiro-poll: '{}' is the default now ({path})", clean(name))
}

/// `config path` when there is no file there yet.
pub fn not_yet(path: &str) -> String {
    format!("kiro-poll: {path} does not exist yet ('kiro-poll config add NAME URL' makes it)")
}
