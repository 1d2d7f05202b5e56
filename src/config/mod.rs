//! Resolving the parsed command line against the environment, once: the API key (from
//! KIRO_API_KEY or a key file), colour and TTY decisions. Everything after this works from
//! the resolved values and never looks at the environment again. `plans` turns each command's
//! arguments into the plan it runs with.

pub mod file;
pub mod plans;

use std::io::IsTerminal;
use std::time::Duration;

use crate::bridges::shard::Shard;
pub use crate::bridges::ApiKey;
use crate::bridges::Bridge;
use crate::cli::{ColorChoice, FleetArgs, GlobalArgs};
use crate::error::UsageError;

/// Where the terminal stands: is each stream a terminal, may we colour.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    pub color: bool,
}

impl Terminal {
    /// Decide TTY and colour. `KIRO_POLL_ASSUME_TTY=1` makes kiro-poll treat stdout and stderr
    /// as terminals (tests use it to check the terminal rendering through a pipe).
    pub fn detect(choice: ColorChoice) -> Terminal {
        let assume = std::env::var_os("KIRO_POLL_ASSUME_TTY").is_some_and(|v| v == "1");
        let mut stdout_tty = assume || std::io::stdout().is_terminal();
        let mut stderr_tty = assume || std::io::stderr().is_terminal();
        // A console that cannot take escape sequences (Windows before 10) is drawn as a pipe.
        if (stdout_tty || stderr_tty) && !assume && !crate::platform::enable_ansi() {
            (stdout_tty, stderr_tty) = (false, false);
        }
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|v| v == "dumb");
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color && !dumb,
        };
        Terminal {
            stdout_tty,
            stderr_tty,
            color,
        }
    }
}

/// Why a command talks to the bridge it does: the steps of the precedence, first first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chosen {
    /// `--url` on the command line.
    UrlFlag,
    /// `-b NAME` (or `-b URL`) on the command line.
    BridgeFlag,
    /// `--bridges FILE`.
    BridgesFile,
    /// KIRO_BRIDGE_URL.
    EnvUrl,
    /// The config file's `default`.
    ConfigDefault,
    /// Nothing said: `http://localhost:3001`.
    BuiltIn,
}

/// Where a command's bridges came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `--url` (repeated), `-b`, KIRO_BRIDGE_URL, the config's default or the built-in one.
    Urls,
    /// A bridges file, and the key for its bridges that name none (KIRO_API_KEY,
    /// `--api-key-file`), to read it again with.
    File {
        path: std::path::PathBuf,
        fallback_key: Option<ApiKey>,
        /// The names `-b` kept of it (all when none).
        only: Vec<String>,
    },
}

impl Source {
    /// Read the bridges file again (a reload), keeping the shard's: None for `--url` bridges.
    pub fn reload(&self, shard: Option<Shard>) -> Option<Result<Vec<Bridge>, UsageError>> {
        match self {
            Source::Urls => None,
            Source::File {
                path,
                fallback_key,
                only,
            } => Some(
                crate::bridges::load(path, fallback_key.as_ref(), &|k| std::env::var(k).ok())
                    .and_then(|b| select(b, only, path))
                    .map(|b| crate::bridges::keep_shard(b, shard)),
            ),
        }
    }
}

/// Settings shared by every command. Debug shows no secret (URLs redacted, keys hidden).
#[derive(Clone)]
pub struct Config {
    /// The first (often the only) bridge's URL and key.
    pub url: url::Url,
    pub api_key: Option<ApiKey>,
    /// Every bridge the command was given (after `--shard`: possibly none).
    pub bridges: Vec<Bridge>,
    /// Where the bridges came from, to read them again (`watch` reloads a file).
    pub source: Source,
    pub shard: Option<Shard>,
    pub request_timeout: Duration,
    pub json: bool,
    pub verbose: u8,
    pub quiet: bool,
    pub term: Terminal,
    /// A key is under `sanitize::MIN_SAFE_KEY` characters (`output::Notice::ShortKey` says so).
    pub short_key: bool,
    /// Why these bridges (`config show` says it).
    pub chosen: Chosen,
    /// The first bridge's name when a file named it (`-b work`, the config's default): kept
    /// with its jobs.
    pub bridge_name: Option<String>,
    /// The file the bridges were named in (the config file, `--bridges`): where `config show`
    /// finds the lines that set them.
    pub named_in: Option<std::path::PathBuf>,
    /// The key file `--api-key-file` or KIRO_API_KEY_FILE named (else the key, if any, was
    /// KIRO_API_KEY's): where the key of a bridge that names none comes from.
    pub key_file: Option<std::path::PathBuf>,
    /// Where the config file is (or would be).
    pub config_file: file::ConfigFile,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("url", &redact_url(&self.url))
            .field("api_key", &self.api_key)
            .field("bridges", &self.bridges)
            .field("source", &self.source)
            .field("shard", &self.shard)
            .field("request_timeout", &self.request_timeout)
            .field("json", &self.json)
            .field("verbose", &self.verbose)
            .field("quiet", &self.quiet)
            .field("term", &self.term)
            .field("chosen", &self.chosen)
            .field("bridge_name", &self.bridge_name)
            .field("named_in", &self.named_in)
            .field("key_file", &self.key_file)
            .field("config_file", &self.config_file)
            .finish()
    }
}

impl Config {
    /// The global options, and where the bridges come from besides `--url` (status and watch
    /// only; the default for every other command). Which bridge, first match wins: `--url` or
    /// `-b` (or `--bridges`), KIRO_BRIDGE_URL, the config file's `default`, localhost:3001.
    pub fn resolve(g: &GlobalArgs, fleet: &FleetArgs) -> Result<Config, UsageError> {
        Config::resolve_for(g, fleet, true)
    }

    /// `resolve`, for a command that reaches no bridge (`jobs`, `wait`, `demo`, `mock-bridge`)
    /// when `reaches` is false: the config file is then not read for its default.
    pub fn resolve_for(g: &GlobalArgs, fleet: &FleetArgs, reaches: bool) -> Result<Config, UsageError> {
        if fleet.bridges.is_some() && !g.url.is_empty() {
            return Err(UsageError(
                "the argument '--bridges <PATH>' cannot be used with '--url <URL>'".into(),
            ));
        }
        let fallback = read_api_key(g.api_key_file.as_deref())?;
        if let Some(k) = &fallback {
            crate::sanitize::register_secret(k.expose());
        }
        let config_file = file::ConfigFile::locate(g.config.as_deref());
        let (all, chosen, named_in) = choose(g, fleet, &config_file, fallback.as_ref(), reaches)?;
        // A name a file gave it (not `-b URL`'s nor `--url`'s `host:port`).
        let bridge_name = match (&named_in, all.as_slice()) {
            (Some(_), [one]) => Some(one.name.clone()),
            _ => None,
        };
        // The first bridge names the URL of one-bridge commands, even when a shard keeps none.
        let (url, api_key) = (all[0].url.clone(), all[0].api_key.clone());
        let bridges = crate::bridges::keep_shard(all, fleet.shard);
        let source = match &fleet.bridges {
            Some(path) => Source::File {
                path: path.clone(),
                fallback_key: fallback.clone(),
                only: g.bridge.clone(),
            },
            None => Source::Urls,
        };
        let short = bridges
            .iter()
            .filter_map(|b| b.api_key.as_ref())
            .any(|k| k.expose().chars().count() < crate::sanitize::MIN_SAFE_KEY);
        for b in &bridges {
            crate::sanitize::register_secret(b.url.username());
            if let Some(p) = b.url.password() {
                crate::sanitize::register_secret(p);
            }
        }
        if g.request_timeout.is_zero() {
            return Err(UsageError(
                "invalid value '0s' for '--request-timeout <DUR>': must be more than zero".into(),
            ));
        }
        Ok(Config {
            url: bridges.first().map_or(url, |b| b.url.clone()),
            api_key: bridges.first().map_or(api_key, |b| b.api_key.clone()),
            bridges,
            source,
            shard: fleet.shard,
            request_timeout: g.request_timeout,
            json: g.json,
            verbose: g.verbose,
            quiet: g.quiet,
            term: Terminal::detect(g.color),
            short_key: short,
            chosen,
            bridge_name,
            named_in,
            key_file: g.api_key_file.clone(),
            config_file,
        })
    }
}

/// The bridges a command talks to, why, and the file that named them: the precedence, step by
/// step.
fn choose(
    g: &GlobalArgs,
    fleet: &FleetArgs,
    config: &file::ConfigFile,
    fallback: Option<&ApiKey>,
    reaches: bool,
) -> Result<(Vec<Bridge>, Chosen, Option<std::path::PathBuf>), UsageError> {
    if let Some(path) = &fleet.bridges {
        let loaded = crate::bridges::load_file(
            path,
            fallback,
            &|k| std::env::var(k).ok(),
            &crate::bridges::Keys::All,
        )?;
        file::note_if_exposed(path, &loaded);
        let all = select(loaded.bridges, &g.bridge, path)?;
        return Ok((all, Chosen::BridgesFile, Some(path.clone())));
    }
    if !g.url.is_empty() {
        return Ok((
            crate::bridges::from_urls(&g.url, fallback)?,
            Chosen::UrlFlag,
            None,
        ));
    }
    if !g.bridge.is_empty() {
        let from_file = g.bridge.iter().any(|b| !b.contains("://"));
        let named_in = config.path.clone().filter(|_| from_file);
        return Ok((named(&g.bridge, config, fallback)?, Chosen::BridgeFlag, named_in));
    }
    if std::env::var_os("KIRO_BRIDGE_URL").is_some() {
        return Ok((
            crate::bridges::from_urls(&[url_from_env()?], fallback)?,
            Chosen::EnvUrl,
            None,
        ));
    }
    if let Some(loaded) = reaches
        .then(|| config.read(fallback, &crate::bridges::Keys::Default))
        .transpose()?
        .flatten()
    {
        if let Some(d) = &loaded.default {
            let bridge = file::pick(&loaded, d, config)?;
            return Ok((vec![bridge], Chosen::ConfigDefault, config.path.clone()));
        }
    }
    let local = crate::bridges::parse_url("http://localhost:3001").map_err(UsageError)?;
    Ok((
        crate::bridges::from_urls(&[local], fallback)?,
        Chosen::BuiltIn,
        None,
    ))
}

/// `-b` given once or more: names of the config file's bridges, or URLs.
fn named(
    given: &[String],
    config: &file::ConfigFile,
    fallback: Option<&ApiKey>,
) -> Result<Vec<Bridge>, UsageError> {
    let mut loaded = None;
    let mut out: Vec<Bridge> = Vec::with_capacity(given.len());
    for name in given {
        let bridge = if name.contains("://") {
            let url = crate::bridges::parse_url(name)
                .map_err(|e| UsageError(format!("invalid value for '--bridge <NAME>': {e}")))?;
            crate::bridges::from_urls(&[url], fallback)?.remove(0)
        } else {
            if loaded.is_none() {
                let names: Vec<String> = given.iter().filter(|n| !n.contains("://")).cloned().collect();
                loaded = Some(config.read_for(&names, fallback)?);
            }
            file::pick(loaded.as_ref().expect("read above"), name, config)?
        };
        if out.iter().any(|b| b.name == bridge.name) {
            return Err(UsageError(format!(
                "'--bridge' names the bridge {} twice; give each bridge once",
                crate::sanitize::line(&bridge.name)
            )));
        }
        out.push(bridge);
    }
    Ok(out)
}

/// The bridges of a file that `-b` names (all of them when it names none).
pub fn select(all: Vec<Bridge>, names: &[String], path: &std::path::Path) -> Result<Vec<Bridge>, UsageError> {
    if names.is_empty() {
        return Ok(all);
    }
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        match all.iter().find(|b| &b.name == name) {
            Some(b) if !out.iter().any(|o: &Bridge| o.name == b.name) => out.push(b.clone()),
            Some(_) => {}
            None => {
                let place = format!("'--bridges {}'", path.display());
                return Err(file::no_bridge(name, &place, all.iter().map(|b| b.name.as_str())));
            }
        }
    }
    Ok(out)
}

/// The bridge when no `--url` is given: KIRO_BRIDGE_URL, else the local default.
fn url_from_env() -> Result<url::Url, UsageError> {
    let raw = std::env::var("KIRO_BRIDGE_URL").unwrap_or_else(|_| "http://localhost:3001".into());
    crate::bridges::parse_url(&raw).map_err(|e| {
        // The value is not repeated: it may hold a password.
        UsageError(format!(
            "invalid value for '--url <URL>' (from KIRO_BRIDGE_URL): {e}"
        ))
    })
}

impl Config {
    /// Shown as many bridges (a table, a board, a `bridge` field on every line): more than
    /// one, or a bridges file or a shard, whose bridges may come and go.
    pub fn many(&self) -> bool {
        self.bridges.len() != 1 || matches!(self.source, Source::File { .. }) || self.shard.is_some()
    }

    /// The command takes one bridge: refuse several.
    pub fn one_bridge(&self, command: &str) -> Result<(), UsageError> {
        if self.shard.is_some() {
            return Err(UsageError(format!(
                "'{command}' talks to one bridge; --shard is for status and watch"
            )));
        }
        if self.bridges.len() > 1 {
            return Err(UsageError(format!(
                "'{command}' talks to one bridge; {} were given (only status and watch take several)",
                self.bridges.len()
            )));
        }
        Ok(())
    }
}

pub fn read_api_key(file: Option<&std::path::Path>) -> Result<Option<ApiKey>, UsageError> {
    if let Some(path) = file {
        // A path that does not exist is not repeated: it may be the key itself, given where
        // its file belongs (KIRO_API_KEY_FILE=the-key).
        let text =
            crate::files::read_capped(path, crate::files::KEY_CAP).map_err(|e| match path.exists() {
                true => UsageError(format!("cannot read '--api-key-file {}': {e}", path.display())),
                false => UsageError(format!(
                    "cannot read the file named by '--api-key-file' (or KIRO_API_KEY_FILE): {e}"
                )),
            })?;
        let key = text.trim();
        if key.is_empty() {
            return Err(UsageError(format!(
                "'--api-key-file {}' is empty",
                path.display()
            )));
        }
        return Ok(Some(ApiKey::new(key)));
    }
    match std::env::var("KIRO_API_KEY") {
        Ok(k) if !k.trim().is_empty() => Ok(Some(ApiKey::new(k.trim()))),
        _ => Ok(None),
    }
}

pub use crate::sanitize::redact_url;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_and_key_queries() {
        let u = url::Url::parse("http://user:s3cret@localhost:3001/x?apiKey=abc&n=1").unwrap();
        let shown = redact_url(&u);
        assert!(!shown.contains("s3cret") && !shown.contains("abc"), "{shown}");
        assert!(shown.contains("n=1"));
        let plain = url::Url::parse("http://localhost:3001/").unwrap();
        assert_eq!(redact_url(&plain), "http://localhost:3001/");
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let k = ApiKey::new("topsecret");
        assert!(!format!("{k:?}").contains("topsecret"));
    }
}
