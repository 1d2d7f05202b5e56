//! The bridges a command talks to: the one `--url`, several (`--url` repeated), or a bridges
//! file (`--bridges`, TOML). Each has a name (default `host:port`), a URL, its API key and the
//! intervals the file set for it. A broken file is one usage error naming the file, the line
//! and the field; keys are never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::UsageError;

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
    let url = url::Url::parse(s).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme must be http or https, not {}", url.scheme()));
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
    interval_ready: Option<Dur>,
    interval_busy: Option<Dur>,
    interval_unavailable: Option<Dur>,
    interval_error: Option<Dur>,
    max_backoff: Option<Dur>,
    stall_after: Option<Dur>,
}

impl Table {
    /// The fields a table may have: a key written on the line is named in an error only when
    /// it is one of them (an unknown one may be a pasted secret).
    const FIELDS: [&str; 10] = [
        "name",
        "url",
        "api_key_file",
        "api_key_env",
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

/// Bridges parsed together: a file of 100,000 is parsed a part at a time, so the parser's
/// tokens and tables for the whole file never exist at once (207 MB for 100,000 bridges).
const PART: usize = 1024;

/// Where a bridges file may be cut into parts that parse alone: before every `PART`th
/// `[[bridge]]` header line. A cut inside a multi-line string leaves a part that fails to
/// parse, and the whole file is then parsed at once, so the answer is TOML's either way.
fn parts(text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut cuts = vec![0];
    let (mut headers, mut at) = (0, 0);
    for line in text.split_inclusive('\n') {
        let header = line
            .trim_start()
            .strip_prefix("[[")
            .and_then(|rest| rest.split_once("]]"))
            .is_some_and(|(name, _)| name.trim() == "bridge");
        if header {
            if headers > 0 && headers % PART == 0 {
                cuts.push(at);
            }
            headers += 1;
        }
        at += line.len();
    }
    cuts.push(text.len());
    // Each part holds PART headers, the last what is left.
    let last = headers - PART * (cuts.len() - 2);
    cuts.windows(2)
        .enumerate()
        .map(|(n, w)| (w[0]..w[1], if n + 2 == cuts.len() { last } else { PART }))
        .collect()
}

/// A table, and where in the file the part it was parsed from begins.
type Placed = (usize, Table);

/// The tables of a file parsed part by part, each with where its part begins; None when the
/// parts do not add up to the file (a part fails alone, `[defaults]` twice, bridges that are
/// not one per header): the caller then parses the whole file at once.
fn parse_parts(text: &str) -> Option<(Placed, Vec<Placed>)> {
    let parts = parts(text);
    if parts.len() < 2 {
        return None;
    }
    let mut defaults: Option<Placed> = None;
    let mut bridges = Vec::new();
    for (range, headers) in parts {
        let file: File = toml::from_str(&text[range.clone()]).ok()?;
        if file.bridge.len() != headers {
            return None;
        }
        if file.defaults.is_set() {
            if defaults.is_some() {
                return None;
            }
            defaults = Some((range.start, file.defaults));
        }
        bridges.extend(file.bridge.into_iter().map(|t| (range.start, t)));
    }
    Some((defaults.unwrap_or_default(), bridges))
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
            return Ok(Some(ApiKey::new(v.trim())));
        }
        Ok(None)
    }

    fn bridge(&self, t: &Table, defaults: (Intervals, Option<&ApiKey>)) -> Result<Bridge, UsageError> {
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
        let api_key = self.key(t)?.or_else(|| defaults.1.cloned());
        Ok(Bridge {
            name,
            url,
            api_key,
            intervals: t.intervals().or(defaults.0),
        })
    }
}

/// Read a bridges file. `fallback_key` (KIRO_API_KEY, `--api-key-file`) serves the bridges
/// that name none; `env` reads `api_key_env` variables.
pub fn load(
    path: &Path,
    fallback_key: Option<&ApiKey>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Bridge>, UsageError> {
    let text = crate::files::read_capped(path, crate::files::BRIDGES_CAP)
        .map_err(|e| UsageError(format!("cannot read '--bridges {}': {e}", path.display())))?;
    let r = Reader {
        path,
        text: &text,
        env,
        offset: std::cell::Cell::new(0),
    };
    let ((at, defaults_table), tables) = match parse_parts(&text) {
        Some(parsed) => parsed,
        None => {
            let file: File =
                toml::from_str(&text).map_err(|e| r.error(e.span(), None, &without_values(e.message())))?;
            (
                (0, file.defaults),
                file.bridge.into_iter().map(|t| (0, t)).collect(),
            )
        }
    };
    r.offset.set(at);
    for (field, s) in [("name", &defaults_table.name), ("url", &defaults_table.url)] {
        if let Some(s) = s {
            return Err(r.at(s, field, "belongs in a [[bridge]], not in [defaults]"));
        }
    }
    let default_key = r.key(&defaults_table)?;
    let defaults = (defaults_table.intervals(), default_key.as_ref().or(fallback_key));
    let mut bridges: Vec<Bridge> = Vec::with_capacity(tables.len());
    // Names seen so far: one look-up per bridge, so a file of 100,000 loads in linear time.
    let mut names = rustc_hash::FxHashSet::default();
    names.reserve(tables.len());
    for (offset, t) in &tables {
        r.offset.set(*offset);
        let b = r.bridge(t, defaults)?;
        if !names.insert(b.name.clone()) {
            let span = t.name.as_ref().or(t.url.as_ref()).map(Spanned::span);
            return Err(r.error(span, Some("name"), &format!("duplicate name '{}'", b.name)));
        }
        bridges.push(b);
    }
    if bridges.is_empty() {
        return Err(UsageError(format!(
            "{}: no [[bridge]] in the file",
            path.display()
        )));
    }
    Ok(bridges)
}

#[cfg(test)]
mod tests {
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
        let (_, tables) = parse_parts(&text).unwrap();
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
}
