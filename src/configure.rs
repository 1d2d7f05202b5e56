//! `kiro-poll config`: the config file's bridges listed and shown, and `add`, `remove` and
//! `default`, which edit the file in place (toml_edit keeps a person's comments and layout).
//! No key is ever written to the file: `add` names a key file or a variable.

use std::io::Write;
use std::path::Path;

use crate::cli::ConfigCommand;
use crate::config::file::{self, ConfigFile, KeyRef};
use crate::config::Config;
use crate::error::UsageError;
use crate::output::config as render;
use crate::output::Painter;

/// `config path`, `list`, `add`, `remove`, `default`: they work on the file itself, so a broken
/// one can be found and mended (`show` resolves a bridge as any command does: `show`).
pub fn run(
    cmd: &ConfigCommand,
    config: &ConfigFile,
    json: bool,
    quiet: bool,
    p: Painter,
) -> Result<(), crate::error::Failure> {
    let shown = config.shown();
    let mut out = std::io::stdout().lock();
    match cmd {
        ConfigCommand::Path => {
            let Some(path) = &config.path else {
                return Err(UsageError(
                    "this system has no config directory; name a file with --config or KIRO_POLL_CONFIG"
                        .into(),
                )
                .into());
            };
            if !path.exists() && !quiet {
                say(&render::not_yet(&shown));
            }
            match json {
                true => crate::output::write_json_line(
                    &mut out,
                    &serde_json::json!({ "path": shown, "exists": path.exists() }),
                )?,
                false => writeln!(out, "{}", path.display())?,
            }
            Ok(out.flush()?)
        }
        ConfigCommand::List { names } => {
            let loaded = config.read(None, &crate::bridges::Keys::None)?;
            if !quiet {
                crate::output::tell_exposed();
            }
            let entries: Vec<render::Entry> = loaded
                .as_ref()
                .map(|l| {
                    l.bridges
                        .iter()
                        .map(|b| render::Entry {
                            name: b.name.clone(),
                            url: crate::sanitize::redact_url(&b.url),
                            default: l.default.as_deref() == Some(b.name.as_str()),
                        })
                        .collect()
                })
                .unwrap_or_default();
            if entries.is_empty() && !json && !names {
                say(&render::list_empty(&shown, config.exists()));
                return Ok(());
            }
            Ok(render::list(&entries, json, *names, p, &mut out)?)
        }
        ConfigCommand::Add {
            name,
            url,
            key_file,
            key_env,
            default,
        } => {
            file::check_name(name)?;
            let path = writable(config)?;
            if crate::sanitize::redact_url(url) != url.as_str() || !url.username().is_empty() {
                return Err(UsageError(
                    "the URL holds a secret (a user, a password or a key in its query): kiro-poll writes no secret to its config; give the key with --key-file or --key-env".into(),
                )
                .into());
            }
            let key = match (key_file, key_env) {
                (Some(f), _) => KeyRef::File(key_file_path(f)?),
                (None, Some(v)) => KeyRef::Env(variable(v)?),
                (None, None) => KeyRef::None,
            };
            let text = current(path)?;
            let (edited, is_default) = file::add(&text, path, name, url, &key, *default)?;
            save(path, &edited, quiet, &render::added(name, &shown, is_default))
        }
        ConfigCommand::Remove { name } => {
            let path = existing(config)?;
            let (edited, was_default) = file::remove(&current(path)?, path, name)?;
            save(path, &edited, quiet, &render::removed(name, &shown, was_default))
        }
        ConfigCommand::Default { name } => {
            let path = existing(config)?;
            let edited = file::set_default(&current(path)?, path, name)?;
            save(path, &edited, quiet, &render::default_set(name, &shown))
        }
        ConfigCommand::Show { .. } => unreachable!("show resolves a bridge: show()"),
    }
}

/// `config show [NAME]`: the bridge `config` resolved (NAME was given to it as `-b NAME`),
/// where it came from, and where its key is read from.
pub fn show(config: &Config, p: Painter) -> Result<(), crate::error::Failure> {
    let Some(b) = config.bridges.first() else {
        return Err(UsageError("no bridge to show".into()).into());
    };
    let from_file = config.named_in.as_deref();
    let origin = from_file.and_then(|f| crate::bridges::origin(f, &b.name));
    let key_from = match origin.as_ref().and_then(|o| o.key.as_ref()) {
        Some(k) => Some(format!(
            "{}{}{} (line {})",
            if k.in_defaults { "[defaults] " } else { "" },
            k.field,
            k.names.as_deref().map_or(String::new(), |n| format!(" {n}")),
            k.line
        )),
        None if b.api_key.is_some() => Some(render::fallback_key(config.key_file.as_deref())),
        None => None,
    };
    let default = config
        .config_file
        .read(None, &crate::bridges::Keys::None)
        .ok()
        .flatten()
        .and_then(|l| l.default);
    let (chosen_by, why) = render::chosen(config.chosen, &b.name);
    let mut settings = Vec::new();
    let i = b.intervals;
    for (k, v) in [
        ("interval_ready", i.interval_ready),
        ("interval_busy", i.interval_busy),
        ("interval_unavailable", i.interval_unavailable),
        ("interval_error", i.interval_error),
        ("max_backoff", i.max_backoff),
        ("stall_after", i.stall_after),
    ] {
        if let Some(d) = v {
            settings.push((k.to_owned(), crate::units::human_duration(d)));
        }
    }
    if !b.labels.is_empty() {
        let labels: Vec<String> = b.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        settings.push(("labels".to_owned(), labels.join(",")));
    }
    let shown = render::Shown {
        name: b.name.clone(),
        url: crate::sanitize::redact_url(&b.url),
        chosen_by,
        file: origin.as_ref().and(from_file).map(|f| f.display().to_string()),
        line: origin.as_ref().map(|o| o.line),
        key: b.api_key.is_some(),
        key_from,
        default,
        config: config.config_file.shown(),
        settings,
    };
    let mut out = std::io::stdout().lock();
    Ok(render::show(&shown, &why, config.json, p, &mut out)?)
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn writable(config: &ConfigFile) -> Result<&Path, UsageError> {
    config.path.as_deref().ok_or_else(|| {
        UsageError(
            "this system has no config directory; name a file with --config or KIRO_POLL_CONFIG".into(),
        )
    })
}

fn existing(config: &ConfigFile) -> Result<&Path, UsageError> {
    let path = writable(config)?;
    if !path.exists() {
        return Err(UsageError(format!(
            "there is no config file yet ({}); add a bridge with 'kiro-poll config add NAME URL'",
            path.display()
        )));
    }
    Ok(path)
}

/// The file's text, or nothing when it does not exist yet.
fn current(path: &Path) -> Result<String, UsageError> {
    if !path.exists() {
        return Ok(String::new());
    }
    crate::files::read_capped(path, crate::files::BRIDGES_CAP)
        .map_err(|e| UsageError(format!("cannot read the config file {}: {e}", path.display())))
}

/// Write the edited file, then say what changed (`done`) unless `--quiet`.
fn save(path: &Path, text: &str, quiet: bool, done: &str) -> Result<(), crate::error::Failure> {
    crate::platform::replace_file(path, text)
        .map_err(|e| UsageError(format!("cannot write the config file {}: {e}", path.display())))?;
    if !quiet {
        say(done);
    }
    Ok(())
}

/// `--key-file`: a file that holds a key now, kept by its absolute path (the config file's
/// folder is where a relative one would be read from).
fn key_file_path(f: &Path) -> Result<std::path::PathBuf, UsageError> {
    crate::config::read_api_key(Some(f)).map_err(|UsageError(e)| {
        UsageError(
            e.replace("'--api-key-file' (or KIRO_API_KEY_FILE)", "'--key-file'")
                .replace("--api-key-file", "--key-file"),
        )
    })?;
    std::path::absolute(f).map_err(|e| UsageError(format!("'--key-file {}': {e}", f.display())))
}

/// `--key-env`: a variable's name (not its value: a key given here is refused unrepeated).
fn variable(v: &str) -> Result<String, UsageError> {
    let ok = v.len() <= 64
        && v.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match ok {
        true => Ok(v.to_owned()),
        false => Err(UsageError(
            "invalid value for '--key-env <VAR>': an environment variable's name (letters, digits, _), not the key".into(),
        )),
    }
}
