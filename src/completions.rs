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
        // mut_arg moves an argument to the end: `args` is moved after `command` again.
        .mut_subcommand("exec", |c| {
            c.mut_arg("command", |a| a.add(ids())).mut_arg("args", |a| a)
        })
        .mut_subcommand("commands", |c| c.mut_arg("filter", |a| a.add(ids())))
}

/// `--url` and `--api-key-file` as the words being completed give them, else the environment.
fn bridge_of(words: &[String]) -> (Option<String>, Option<std::path::PathBuf>) {
    let mut url = None;
    let mut key_file = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w == "--url" {
            url = it.next().cloned();
        } else if let Some(v) = w.strip_prefix("--url=") {
            url = Some(v.to_owned());
        } else if w == "--api-key-file" {
            key_file = it.next().map(Into::into);
        } else if let Some(v) = w.strip_prefix("--api-key-file=") {
            key_file = Some(v.into());
        }
    }
    let url = url.or_else(|| std::env::var("KIRO_BRIDGE_URL").ok());
    let key_file = key_file.or_else(|| std::env::var_os("KIRO_API_KEY_FILE").map(Into::into));
    (url, key_file)
}

/// The bridge's command ids starting with `current`; none when it does not answer in time.
fn bridge_commands(current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let (url, key_file) = bridge_of(&words);
    let Some(ids) = fetch_ids(url.as_deref().unwrap_or("http://localhost:3001"), key_file) else {
        return Vec::new();
    };
    ids.into_iter()
        .filter(|id| id.starts_with(&*prefix))
        .map(CompletionCandidate::new)
        .collect()
}

fn fetch_ids(url: &str, key_file: Option<std::path::PathBuf>) -> Option<Vec<String>> {
    let base = url::Url::parse(url).ok()?;
    let api_key = crate::config::read_api_key(key_file.as_deref()).ok()?;
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
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (url, key) = bridge_of(&w(&[
            "kiro-poll",
            "--url",
            "http://h:1",
            "--api-key-file=/k",
            "exec",
            "ki",
        ]));
        assert_eq!(url.as_deref(), Some("http://h:1"));
        assert_eq!(key, Some("/k".into()));
        let (url, _) = bridge_of(&w(&["kiro-poll", "--url=http://h:2", "exec"]));
        assert_eq!(url.as_deref(), Some("http://h:2"));
    }
}
