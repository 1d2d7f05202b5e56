//! The bridges a command talks to: the one `--url`, several (`--url` repeated), or a bridges
//! file (`--bridges`, TOML). Each has a name (default `host:port`), a URL, its API key and the
//! intervals the file set for it. A broken file is one usage error naming the file, the line
//! and the field; keys are never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::UsageError;
use parts::parse_parts;

pub mod file_sd;
mod parts;
pub mod shard;

/// Watch intervals a bridges file may set (in `[defaults]` or per bridge); None: the command
/// line's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Intervals {
    pub interval_ready: Option<Duration>,
    pub interval_busy: Option<Duration>,
    pub interval_unavailable: Option<Duration>,
    pub interval_error: Option<Duration>,
    pub max_backoff: Option<Duration>,
    pub stall_after: Option<Duration>,
}

impl Intervals {
    /// These, with `other`'s where these have none.
    pub fn or(self, other: Intervals) -> Intervals {
        Intervals {
            interval_ready: self.interval_ready.or(other.interval_ready),
            interval_busy: self.interval_busy.or(other.interval_busy),
            interval_unavailable: self.interval_unavailable.or(other.interval_unavailable),
            interval_error: self.interval_error.or(other.interval_error),
            max_backoff: self.max_backoff.or(other.max_backoff),
            stall_after: self.stall_after.or(other.stall_after),
        }
    }
}

/// One bridge to talk to. Its Debug output shows the URL with credentials redacted.
#[derive(Clone)]
pub struct Bridge {
    pub name: String,
    pub url: url::Url,
    pub api_key: Option<ApiKey>,
    /// What the bridges file set for this bridge (its own, then `[defaults]`).
    pub intervals: Intervals,
    /// Labels its metrics series carry besides `bridge` (checked by `check_labels`).
    pub labels: Vec<(String, String)>,
}

/// Most labels of one bridge's own.
pub const MAX_LABELS: usize = 8;

/// Label names kiro-poll's own series use, which a bridge's labels may not take.
const OWN_LABELS: [&str; 9] = [
    "bridge", "state", "kind", "version", "shard", "shards", "result", "le", "instance",
];

/// A bridge's labels as Prometheus takes them: names `[a-zA-Z_][a-zA-Z0-9_]*`, not `__…`
/// (reserved), none of kiro-poll's own, at most MAX_LABELS. Values are sanitized and cut
/// when the series are made, like every label value.
pub fn check_labels(labels: &[(String, String)]) -> Result<(), String> {
    if labels.len() > MAX_LABELS {
        return Err(format!(
            "{} labels; at most {MAX_LABELS} per bridge",
            labels.len()
        ));
    }
    for (name, _) in labels {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || name.len() > 64 {
            let what = if looks_like_a_label(name) {
                format!("'{name}' is not a label name")
            } else {
                // It may be a key pasted where a name belongs: said, not shown.
                "a label's name is not a label name".to_owned()
            };
            return Err(format!(
                "{what} (letters, digits and _, not starting with a digit)"
            ));
        }
        if name.starts_with("__") {
            return Err(format!("'{name}': names starting with __ are Prometheus's own"));
        }
        if OWN_LABELS.contains(&name.as_str()) {
            return Err(format!("'{name}' is a label kiro-poll's series already have"));
        }
    }
    Ok(())
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("name", &self.name)
            .field("url", &crate::sanitize::redact_url(&self.url))
            .field("api_key", &self.api_key)
            .field("intervals", &self.intervals)
            .finish()
    }
}

/// A wrong label name that is shown in the error, as a typo of one would be: short, of letters,
/// digits, `_`, `-` and `.` only, with few digits. Anything else (a long token, a key pasted
/// where a name belongs) is not repeated.
fn looks_like_a_label(name: &str) -> bool {
    name.len() <= 24
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && name.bytes().filter(u8::is_ascii_digit).count() <= 3
}

/// A TOML or serde message with what may be a secret taken out: an unknown field's name unless
/// it looks like a field name (a typo: lower case and `_`), since it may be a key pasted where a
/// field belongs, and quoted string values. The line still says where.
fn without_values(msg: &str) -> String {
    let mut out = msg.to_owned();
    if let Some(rest) = out.strip_prefix("unknown field `") {
        let field_like = |n: &str| n.len() <= 40 && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        out = match rest.split_once('`') {
            Some((name, _)) if field_like(name) => out,
            Some((_, after)) => format!("unknown field{after}"),
            None => "unknown field".to_owned(),
        };
    }
    while let Some(at) = out.find("string \"") {
        let start = at + "string \"".len();
        let end = out[start..].find('"').map_or(out.len(), |e| start + e + 1);
        out.replace_range(at..end, "a string");
    }
    out
}

/// An API key. Its Debug output never shows the key.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: &str) -> ApiKey {
        ApiKey(key.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

pub fn parse_url(s: &str) -> Result<url::Url, String> {
    // `localhost:3001` and `10.0.0.5:3001` lack only the scheme: say the form that works (never
    // for a value that may hold a password).
    let fix = || match !s.contains("://") && !s.contains('@') && !s.chars().any(char::is_whitespace) {
        true => url::Url::parse(&format!("http://{s}"))
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
            .map(|_| format!("; did you mean http://{}?", crate::sanitize::line(s)))
            .unwrap_or_default(),
        false => String::new(),
    };
    let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e}){}", fix()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "scheme must be http or https, not {}{}",
            url.scheme(),
            fix()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    Ok(url)
}

/// The default name of a bridge: `host:port`.
pub fn default_name(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

/// The bridges `shard` keeps (all of them without one).
pub fn keep_shard(bridges: Vec<Bridge>, shard: Option<shard::Shard>) -> Vec<Bridge> {
    match shard {
        None => bridges,
        Some(s) => bridges.into_iter().filter(|b| s.keeps(&b.name)).collect(),
    }
}

/// The bridges of `--url` (given once or more), all with the same key.
pub fn from_urls(urls: &[url::Url], key: Option<&ApiKey>) -> Result<Vec<Bridge>, UsageError> {
    let mut out: Vec<Bridge> = Vec::with_capacity(urls.len());
    let mut names = rustc_hash::FxHashSet::default();
    for url in urls {
        let name = default_name(url);
        if !names.insert(name.clone()) {
            return Err(UsageError(format!(
                "'--url' names the bridge {name} twice; give each bridge once"
            )));
        }
        out.push(Bridge {
            name,
            url: url.clone(),
            api_key: key.cloned(),
            intervals: Intervals::default(),
            labels: Vec::new(),
        });
    }
    Ok(out)
}

/// A duration in a bridges file: a string such as "10s", checked like the flags.
#[derive(Debug, Clone, Copy)]
struct Dur(Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        let s = String::deserialize(d)?;
        crate::units::parse_interval(&s)
            .map(Dur)
            .map_err(|e| serde::de::Error::custom(format!("invalid duration '{s}': {e}")))
    }
}

/// A `[defaults]` table or a `[[bridge]]` entry: the same fields, `name` and `url` only in
/// a bridge.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    name: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    api_key_file: Option<Spanned<PathBuf>>,
    api_key_env: Option<Spanned<String>>,
    /// The key itself, written in the file by hand (kiro-poll never writes one): the file
    /// should then be readable by its owner only, and a warning says so when it is not.
    api_key: Option<Spanned<String>>,
    interval_ready: Option<Dur>,
    interval_busy: Option<Dur>,
    interval_unavailable: Option<Dur>,
    interval_error: Option<Dur>,
    max_backoff: Option<Dur>,
    stall_after: Option<Dur>,
    labels: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

impl Table {
    /// The fields a table may have: a key written on the line is named in an error only when
    /// it is one of them (an unknown one may be a pasted secret).
    const FIELDS: [&str; 12] = [
        "labels",
        "name",
        "url",
        "api_key_file",
        "api_key_env",
        "api_key",
        "interval_ready",
        "interval_busy",
        "interval_unavailable",
        "interval_error",
        "max_backoff",
        "stall_after",
    ];

    /// Any field given (a `[defaults]` written in the file).
    fn is_set(&self) -> bool {
        self.name.is_some()
            || self.url.is_some()
            || self.api_key_file.is_some()
            || self.api_key_env.is_some()
            || self.api_key.is_some()
            || self.labels.is_some()
            || self.intervals() != Intervals::default()
    }

    fn intervals(&self) -> Intervals {
        let d = |v: Option<Dur>| v.map(|d| d.0);
        Intervals {
            interval_ready: d(self.interval_ready),
            interval_busy: d(self.interval_busy),
            interval_unavailable: d(self.interval_unavailable),
            interval_error: d(self.interval_error),
            max_backoff: d(self.max_backoff),
            stall_after: d(self.stall_after),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The bridge commands use when none is named (a config file's; `-b NAME` picks another).
    default: Option<Spanned<String>>,
    #[serde(default)]
    defaults: Table,
    #[serde(default)]
    bridge: Vec<Table>,
}

/// Reading one bridges file: its path and text, for error positions.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    /// Where in `text` the part the spans at hand count from begins (see `parts`).
    offset: std::cell::Cell<usize>,
}

impl Reader<'_> {
    /// `file:line: field: message`, the field read off the line when the message lacks it.
    fn error(&self, span: Option<std::ops::Range<usize>>, field: Option<&str>, msg: &str) -> UsageError {
        let msg = msg.lines().next().unwrap_or("invalid").trim();
        let Some(span) = span else {
            return UsageError(format!("{}: {msg}", self.path.display()));
        };
        let start = (span.start + self.offset.get()).min(self.text.len());
        let line_no = self.text[..start].matches('\n').count() + 1;
        let line = self.text.lines().nth(line_no - 1).unwrap_or("");
        let field = field.map(str::to_owned).or_else(|| {
            let key = line.split_once('=')?.0.trim();
            Table::FIELDS.contains(&key).then(|| key.to_owned())
        });
        let msg = crate::sanitize::line(msg);
        match field {
            Some(f) if !msg.contains(&format!("`{f}`")) => {
                UsageError(format!("{}:{line_no}: {f}: {msg}", self.path.display()))
            }
            _ => UsageError(format!("{}:{line_no}: {msg}", self.path.display())),
        }
    }

    fn at<T>(&self, s: &Spanned<T>, field: &str, msg: &str) -> UsageError {
        self.error(Some(s.span()), Some(field), msg)
    }

    fn key(&self, t: &Table) -> Result<Option<ApiKey>, UsageError> {
        if let (Some(_), Some(env)) = (&t.api_key_file, &t.api_key_env) {
            return Err(self.at(env, "api_key_env", "give api_key_file or api_key_env, not both"));
        }
        if let Some(k) = &t.api_key {
            if t.api_key_file.is_some() || t.api_key_env.is_some() {
                return Err(self.at(k, "api_key", "give one of api_key, api_key_file and api_key_env"));
            }
            let key = k.get_ref().trim();
            if key.is_empty() {
                return Err(self.at(k, "api_key", "is empty"));
            }
            crate::sanitize::register_secret(key);
            return Ok(Some(ApiKey::new(key)));
        }
        if let Some(f) = &t.api_key_file {
            let path = self.path.parent().unwrap_or(Path::new("")).join(f.get_ref());
            let text = crate::files::read_capped(&path, crate::files::KEY_CAP)
                .map_err(|e| self.at(f, "api_key_file", &format!("cannot read {}: {e}", path.display())))?;
            let key = text.trim();
            if key.is_empty() {
                return Err(self.at(f, "api_key_file", &format!("{} is empty", path.display())));
            }
            crate::sanitize::register_secret(key);
            return Ok(Some(ApiKey::new(key)));
        }
        if let Some(var) = &t.api_key_env {
            let value = (self.env)(var.get_ref()).filter(|v| !v.trim().is_empty());
            let Some(v) = value else {
                // The name is not repeated: it may be the key itself, put in the wrong place.
                return Err(self.at(var, "api_key_env", "the environment variable it names is not set"));
            };
            crate::sanitize::register_secret(v.trim());
            remember_key_variable(var.get_ref());
            return Ok(Some(ApiKey::new(v.trim())));
        }
        Ok(None)
    }

    /// A table's labels over the defaults' (its own win, name by name), checked.
    fn labels(&self, t: &Table, defaults: &[(String, String)]) -> Result<Vec<(String, String)>, UsageError> {
        let mut merged: std::collections::BTreeMap<String, String> = defaults.iter().cloned().collect();
        if let Some(own) = &t.labels {
            merged.extend(own.get_ref().iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let labels: Vec<(String, String)> = merged.into_iter().collect();
        if let Err(e) = check_labels(&labels) {
            let span = t.labels.as_ref().map(Spanned::span);
            return Err(self.error(span, Some("labels"), &e));
        }
        Ok(labels)
    }

    /// A `[[bridge]]` as a Bridge; its key read only when `keyed` (else none), the defaults'
    /// key (`Err`: it cannot be read) only when it needs it.
    fn bridge(
        &self,
        t: &Table,
        defaults: Defaults<'_>,
        keyed: &dyn Fn(&str) -> bool,
    ) -> Result<Bridge, UsageError> {
        let Some(raw) = &t.url else {
            let span = t.name.as_ref().map(Spanned::span);
            return Err(self.error(span, Some("url"), "a [[bridge]] needs a url"));
        };
        let url = parse_url(raw.get_ref()).map_err(|e| self.at(raw, "url", &e))?;
        let name = match &t.name {
            Some(n) if n.get_ref().trim().is_empty() || n.get_ref().chars().any(char::is_control) => {
                return Err(self.at(n, "name", "a name must be printable and not empty"));
            }
            Some(n) => n.get_ref().clone(),
            None => default_name(&url),
        };
        let api_key = match keyed(&name) {
            false => None,
            true => match self.key(t)? {
                Some(k) => Some(k),
                None => defaults.1.clone()?,
            },
        };
        Ok(Bridge {
            name,
            url,
            api_key,
            intervals: t.intervals().or(defaults.0),
            labels: self.labels(t, defaults.2)?,
        })
    }
}

/// What `[defaults]` gives each bridge: intervals, its key (`Err`: it cannot be read, which
/// matters only to a bridge that needs it), labels.
type Defaults<'a> = (
    Intervals,
    &'a Result<Option<ApiKey>, UsageError>,
    &'a [(String, String)],
);

/// The environment variables bridges files named as key sources (`api_key_env`), at the start
/// and on every reload since: a hook's environment goes without them, as without `KIRO_*`.
static KEY_VARIABLES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn remember_key_variable(name: &str) {
    let mut names = KEY_VARIABLES.lock().unwrap_or_else(|p| p.into_inner());
    if !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// Every variable a bridges file has named as a key source.
pub fn key_variables() -> Vec<String> {
    KEY_VARIABLES.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Read a bridges file. `fallback_key` (KIRO_API_KEY, `--api-key-file`) serves the bridges
/// that name none; `env` reads `api_key_env` variables.
pub fn load(
    path: &Path,
    fallback_key: Option<&ApiKey>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Bridge>, UsageError> {
    load_file(path, fallback_key, env, &Keys::All).map(|l| l.bridges)
}

/// Whose keys a file's loading reads: a bridges file's, all (a key that cannot be read is an
/// error at once); a config file's, only the ones a command uses, so a variable unset for one
/// bridge does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    All,
    Of(Vec<String>),
    /// The file's `default` bridge's.
    Default,
    None,
}

/// A bridges (or config) file read.
pub struct Loaded {
    pub bridges: Vec<Bridge>,
    /// The bridge its `default` names (a config file's), checked to be one of them.
    pub default: Option<String>,
    /// A key is written in the file itself (`api_key`).
    pub holds_key: bool,
}

/// Read a bridges file or a config file (one format): its bridges and its `default`.
pub fn load_file(
    path: &Path,
    fallback_key: Option<&ApiKey>,
    env: &dyn Fn(&str) -> Option<String>,
    keys: &Keys,
) -> Result<Loaded, UsageError> {
    let text = crate::files::read_capped(path, crate::files::BRIDGES_CAP)
        .map_err(|e| UsageError(format!("cannot read '--bridges {}': {e}", path.display())))?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        let bridges = file_sd::parse(path, &text, fallback_key)?;
        let mut names = rustc_hash::FxHashSet::default();
        for b in &bridges {
            if !names.insert(b.name.as_str()) {
                return Err(UsageError(format!(
                    "{}: the bridge {} is named twice (a target listed twice, or two name labels alike)",
                    path.display(),
                    crate::sanitize::line(&b.name)
                )));
            }
        }
        return Ok(Loaded {
            bridges,
            default: None,
            holds_key: false,
        });
    }
    let r = Reader {
        path,
        text: &text,
        env,
        offset: std::cell::Cell::new(0),
    };
    let (default, (at, defaults_table), tables) = match parse_parts(&text) {
        Some(parsed) => parsed,
        None => {
            let file: File =
                toml::from_str(&text).map_err(|e| r.error(e.span(), None, &without_values(e.message())))?;
            (
                file.default,
                (0, file.defaults),
                file.bridge.into_iter().map(|t| (0, t)).collect(),
            )
        }
    };
    let holds_key = defaults_table.api_key.is_some() || tables.iter().any(|(_, t)| t.api_key.is_some());
    r.offset.set(at);
    for (field, s) in [("name", &defaults_table.name), ("url", &defaults_table.url)] {
        if let Some(s) = s {
            return Err(r.at(s, field, "belongs in a [[bridge]], not in [defaults]"));
        }
    }
    let default_key = match keys {
        Keys::All => Ok(r.key(&defaults_table)?.or_else(|| fallback_key.cloned())),
        _ => r
            .key(&defaults_table)
            .map(|k| k.or_else(|| fallback_key.cloned())),
    };
    let default_labels = r.labels(&defaults_table, &[])?;
    let defaults = (
        defaults_table.intervals(),
        &default_key,
        default_labels.as_slice(),
    );
    let default_name = default.as_ref().map(|d| d.get_ref().as_str());
    let keyed = |name: &str| match keys {
        Keys::All => true,
        Keys::Of(names) => names.iter().any(|n| n == name),
        Keys::Default => default_name == Some(name),
        Keys::None => false,
    };
    let mut bridges: Vec<Bridge> = Vec::with_capacity(tables.len());
    // Names seen so far: one look-up per bridge, so a file of 100,000 loads in linear time.
    let mut names = rustc_hash::FxHashSet::default();
    names.reserve(tables.len());
    for (offset, t) in &tables {
        r.offset.set(*offset);
        let b = r.bridge(t, defaults, &keyed)?;
        if !names.insert(b.name.clone()) {
            let span = t.name.as_ref().or(t.url.as_ref()).map(Spanned::span);
            return Err(r.error(span, Some("name"), &format!("duplicate name '{}'", b.name)));
        }
        bridges.push(b);
    }
    r.offset.set(0);
    if let Some(d) = &default {
        if !names.contains(d.get_ref()) {
            return Err(r.at(
                d,
                "default",
                &format!(
                    "no bridge named '{}' in the file",
                    crate::sanitize::line(d.get_ref())
                ),
            ));
        }
    }
    if bridges.is_empty() {
        return Err(UsageError(format!(
            "{}: no [[bridge]] in the file",
            path.display()
        )));
    }
    Ok(Loaded {
        bridges,
        default: default.map(Spanned::into_inner),
        holds_key,
    })
}

/// Where a named bridge's settings are written in its file (`config show`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The line of its `url`.
    pub line: usize,
    pub key: Option<KeyFrom>,
}

/// Where a bridge's key is read from, as its file says: the field, what it names (a file's
/// path, a variable's name; never the key), its line, and whether `[defaults]` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFrom {
    pub field: &'static str,
    pub names: Option<String>,
    pub line: usize,
    pub in_defaults: bool,
}

/// Where the bridge `name` of a (small, already loaded) TOML file is set; None when it is not
/// there.
pub fn origin(path: &Path, name: &str) -> Option<Origin> {
    let text = crate::files::read_capped(path, crate::files::BRIDGES_CAP).ok()?;
    let file: File = toml::from_str(&text).ok()?;
    let line = |span: std::ops::Range<usize>| text[..span.start.min(text.len())].matches('\n').count() + 1;
    let named = |t: &&Table| {
        let url = t.url.as_ref().and_then(|u| url::Url::parse(u.get_ref()).ok());
        match (&t.name, url) {
            (Some(n), _) => n.get_ref() == name,
            (None, Some(u)) => default_name(&u) == name,
            (None, None) => false,
        }
    };
    let t = file.bridge.iter().find(named)?;
    let key = |t: &Table, in_defaults: bool| -> Option<KeyFrom> {
        if let Some(f) = &t.api_key_file {
            let shown = path.parent().unwrap_or(Path::new("")).join(f.get_ref());
            return Some(KeyFrom {
                field: "api_key_file",
                names: Some(shown.display().to_string()),
                line: line(f.span()),
                in_defaults,
            });
        }
        if let Some(v) = &t.api_key_env {
            return Some(KeyFrom {
                field: "api_key_env",
                names: Some(v.get_ref().clone()),
                line: line(v.span()),
                in_defaults,
            });
        }
        t.api_key.as_ref().map(|k| KeyFrom {
            field: "api_key",
            names: None,
            line: line(k.span()),
            in_defaults,
        })
    };
    Some(Origin {
        line: t.url.as_ref().map_or(1, |u| line(u.span())),
        key: key(t, false).or_else(|| key(&file.defaults, true)),
    })
}

#[cfg(test)]
mod tests;
