//! Completion scripts (clap_complete) and the man page (clap_mangen), generated from the one
//! definition of the command line; the copies in completions/ are checked by a test. And live
//! completion (`COMPLETE=bash kiro-poll`, clap_complete's `CompleteEnv`): `exec <TAB>` and
//! `commands --filter <TAB>` offer the command ids of the bridge the command line names,
//! asked with a 300 ms timeout, and nothing (silently) when it does not answer.

use std::ffi::OsStr;
use std::io::Write;
use std::time::Duration;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::Shell;

use crate::cli::{Cli, CompletionTarget};
use crate::client::{BridgeClient, ClientOptions};

/// How long a TAB waits for the bridge.
pub const LIVE_TIMEOUT: Duration = Duration::from_millis(300);

/// When the shell asks (`COMPLETE=<shell>` in the environment), answer it and exit.
pub fn complete_env() {
    clap_complete::CompleteEnv::with_factory(live_command).complete();
}

/// The command line with the live completers attached to the arguments that take a command id.
fn live_command() -> clap::Command {
    let ids = || ArgValueCompleter::new(bridge_commands);
    Cli::command()
        .mut_arg("bridge", |a| a.add(ArgValueCompleter::new(bridge_names)))
        // mut_arg moves an argument to the end: `args` is moved after `command` again.
        .mut_subcommand("exec", |c| {
            c.mut_arg("command", |a| a.add(ids())).mut_arg("args", |a| a)
        })
        .mut_subcommand("commands", |c| c.mut_arg("filter", |a| a.add(ids())))
}

/// The value of option `long` (or `short`) in the words being completed: `--url X`, `--url=X`.
fn option(words: &[String], long: &str, short: Option<&str>) -> Option<String> {
    let mut found = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w == long || short.is_some_and(|s| w == s) {
            found = it.next().cloned();
        } else if let Some(v) = w.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            found = Some(v.to_owned());
        }
    }
    found
}

/// The config file the words being completed name (`--config`), else KIRO_POLL_CONFIG, else
/// the platform's.
fn config_of(words: &[String]) -> crate::config::file::ConfigFile {
    let given = option(words, "--config", None)
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("KIRO_POLL_CONFIG").map(Into::into));
    crate::config::file::ConfigFile::locate(given.as_deref())
}

/// The bridge the words being completed name, as a command would take it: `--url`, `-b NAME`
/// (its URL and key from the config file), the environment, the config's default.
fn bridge_of(words: &[String]) -> (Option<String>, Option<crate::config::ApiKey>) {
    use crate::bridges::Keys;
    let key_file = option(words, "--api-key-file", None)
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("KIRO_API_KEY_FILE").map(Into::into));
    let fallback = crate::config::read_api_key(key_file.as_deref()).ok().flatten();
    if let Some(url) = option(words, "--url", None) {
        return (Some(url), fallback);
    }
    let named = option(words, "--bridge", Some("-b"));
    if named.is_none() {
        if let Ok(url) = std::env::var("KIRO_BRIDGE_URL") {
            return (Some(url), fallback);
        }
    }
    let keys = match &named {
        Some(n) => Keys::Of(vec![n.clone()]),
        None => Keys::Default,
    };
    let loaded = config_of(words).read(fallback.as_ref(), &keys).ok().flatten();
    let name = named.or_else(|| loaded.as_ref().and_then(|l| l.default.clone()));
    let bridge = loaded
        .zip(name)
        .and_then(|(l, n)| l.bridges.into_iter().find(|b| b.name == n));
    match bridge {
        Some(b) => (Some(b.url.to_string()), b.api_key),
        None => (None, fallback),
    }
}

/// `-b <TAB>`: the names the config file gives its bridges.
fn bridge_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let loaded = config_of(&words)
        .read(None, &crate::bridges::Keys::None)
        .ok()
        .flatten();
    loaded
        .map(|l| l.bridges)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.name.starts_with(&*prefix))
        .map(|b| CompletionCandidate::new(b.name).help(Some(crate::sanitize::redact_url(&b.url).into())))
        .collect()
}

/// The bridge's command ids starting with `current`; none when it does not answer in time.
fn bridge_commands(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let (url, api_key) = bridge_of(&words);
    let Some(ids) = fetch_ids(url.as_deref().unwrap_or("http://localhost:3001"), api_key) else {
        return Vec::new();
    };
    ids.into_iter()
        .filter(|id| id.starts_with(&*prefix))
        .map(CompletionCandidate::new)
        .collect()
}

fn fetch_ids(url: &str, api_key: Option<crate::config::ApiKey>) -> Option<Vec<String>> {
    let base = url::Url::parse(url).ok()?;
    let client = BridgeClient::new(ClientOptions {
        base,
        api_key,
        request_timeout: LIVE_TIMEOUT,
        verbose: 0,
    })
    .ok()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let fetch = rt.block_on(async { tokio::time::timeout(LIVE_TIMEOUT, client.status()).await });
    let mut ids = fetch.ok()?.ok()?.status.available_commands.clone();
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

pub fn generate(target: CompletionTarget, out: &mut impl Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    let shell = match target {
        CompletionTarget::Bash => Shell::Bash,
        CompletionTarget::Zsh => Shell::Zsh,
        CompletionTarget::Fish => Shell::Fish,
        CompletionTarget::Powershell => Shell::PowerShell,
        CompletionTarget::Elvish => Shell::Elvish,
        CompletionTarget::Man => {
            // The page is the same for every target (one copy is shipped in every archive and
            // the .deb), so it names the version alone, not `--version`'s target.
            let cmd = cmd.version(env!("CARGO_PKG_VERSION"));
            return man_page(clap_mangen::Man::new(cmd), out);
        }
    };
    // Into memory first: clap_complete panics on a failed write (`> /dev/full`); ours is an
    // error with an exit code.
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "kiro-poll", &mut buf);
    out.write_all(&buf)?;
    out.flush()
}

/// The file each target is kept in under completions/.
pub fn file_name(target: CompletionTarget) -> &'static str {
    match target {
        CompletionTarget::Bash => "kiro-poll.bash",
        CompletionTarget::Zsh => "_kiro-poll",
        CompletionTarget::Fish => "kiro-poll.fish",
        CompletionTarget::Powershell => "_kiro-poll.ps1",
        CompletionTarget::Elvish => "kiro-poll.elv",
        CompletionTarget::Man => "kiro-poll.1",
    }
}

pub const ALL: [CompletionTarget; 6] = [
    CompletionTarget::Bash,
    CompletionTarget::Zsh,
    CompletionTarget::Fish,
    CompletionTarget::Powershell,
    CompletionTarget::Elvish,
    CompletionTarget::Man,
];

/// The man page: clap_mangen's sections, with EXIT STATUS (the README's table) before VERSION.
fn man_page(man: clap_mangen::Man, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    man.render_extra_section(out)?;
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (ending, what) in crate::error::EXIT_CODES {
        // Roff: a backslash is \e; a line never starts with a control character.
        let what = what.replace('\\', "\\e");
        writeln!(out, ".TP\n\\fB{}\\fR\n\\&{what}", ending.code())?;
    }
    man.render_version_section(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bridge_comes_from_the_words_being_completed() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        std::fs::write(&key, "the-key-0123456789").unwrap();
        let key_arg = format!("--api-key-file={}", key.display());
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (url, k) = bridge_of(&w(&["kiro-poll", "--url", "http://h:1", &key_arg, "exec", "ki"]));
        assert_eq!(url.as_deref(), Some("http://h:1"));
        assert_eq!(k.as_ref().map(|k| k.expose()), Some("the-key-0123456789"));
        let (url, _) = bridge_of(&w(&["kiro-poll", "--url=http://h:2", "exec"]));
        assert_eq!(url.as_deref(), Some("http://h:2"));
        // -b NAME: its URL and key from the config file the words name.
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[[bridge]]\nname = \"lab\"\nurl = \"http://lab:3\"\napi_key_file = \"{}\"\n",
                key.display()
            ),
        )
        .unwrap();
        let c = config.to_str().unwrap();
        let (url, k) = bridge_of(&w(&["kiro-poll", "--config", c, "-b", "lab", "exec"]));
        assert_eq!(url.as_deref(), Some("http://lab:3/"));
        assert!(k.is_some());
    }
}
