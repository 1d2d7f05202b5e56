//! kiro-poll: a monitor and remote control for the Kiro Communication Bridge.
//!
//! Map, from the top floor down (imports only ever point down):
//! - `lib` dispatches one function per subcommand: `oneshot` (status, health, commands),
//!   `watch` (the one polling loop's I/O, for one bridge or many), `exec` (execute and input;
//!   each run recorded as a job, `exec --detach`, and the `jobs` and `wait` commands),
//!   `demo` (which puts `mock` and `watch` together), `mock` (the simulated bridge),
//!   `mcp` (a Model Context Protocol server: `exec`'s and the engine's logic as tools and a
//!   subscribable resource), `completions`.
//! - `stops` is what ends or pauses a wait (signals, the deadline), for `watch` and `exec`.
//! - `cli` (arguments) → `config` (resolved once against the environment; `config::plans`
//!   turns arguments into the `plan` each command runs with, so nothing below sees clap).
//! - `client` is the only code that speaks HTTP to the bridge; `output` (with `view`,
//!   `terminal`, `writer`) and `sanitize` the only code that decides how things look.
//! - `engine` is pure policy for one bridge (when to poll, what changed, what to report, how an
//!   exec ends), producing `events`; `fleet` is pure policy across bridges (who is due, who
//!   gets a slot, when `--until` holds for all); `change` is change detection.
//! - `jobs` is what a job is and the job store (SQLite) that keeps them.
//! - `model` (the bridge's bodies), `error` (failures, and `exit_code`, the one place that maps
//!   them to exit codes), `units`, and `platform` (everything that differs by OS: signals,
//!   the open-files limit, the lost-reader watch, ANSI on Windows) at the bottom.

pub mod bridges;
pub mod change;
pub mod cli;
pub mod client;
pub mod completions;
pub mod config;
pub mod configure;
pub mod demo;
pub mod driver;
pub mod engine;
pub mod error;
pub mod events;
pub mod exec;
pub mod files;
pub mod fleet;
pub mod gate;
pub mod hooks;
pub mod jobs;
pub mod mcp;
pub mod metrics;
pub mod mock;
pub mod model;
pub mod oneshot;
pub mod output;
pub mod plan;
pub mod platform;
pub mod sanitize;
pub mod stops;
pub mod units;
pub mod watch;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::client::{BridgeClient, ClientOptions};
use crate::config::Config;
use crate::error::{Ending, Failure, UsageError};

/// Parse the command line, run, and return the exit code. Never panics on bad input.
pub fn main_entry() -> u8 {
    completions::complete_env();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `kiro-poll help exit-codes`: a help topic of its own, beside clap's help of commands.
    if args.len() == 3 && args[1] == "help" && args[2] == "exit-codes" {
        let mut out = std::io::stdout().lock();
        let written = writeln!(
            out,
            "kiro-poll's exit codes (each means one thing):\n\n{}",
            crate::error::exit_table()
        )
        .and_then(|()| out.flush());
        return printed(written);
    }
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches_from(&args)
        .and_then(|m| {
            if let Some(msg) = idle_option(&m) {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "kiro-poll: error: {msg}\n  see '{}'",
                    help_pointer(&args)
                );
                return Ok(None);
            }
            <Cli as clap::FromArgMatches>::from_arg_matches(&m).map(Some)
        });
    let cli = match parsed {
        Ok(Some(c)) => c,
        Ok(None) => return Ending::Usage.code(),
        Err(e) => return usage_exit(e, help_pointer(&args)),
    };
    match run(cli) {
        Ok(()) => Ending::Done.code(),
        Err(failure) => {
            if let Some(msg) = output::words::failure(&failure) {
                let _ = writeln!(std::io::stderr().lock(), "{msg}");
            }
            failure.ending.code()
        }
    }
}

/// A global option given on the command line where it does nothing: `mock-bridge` serves,
/// so it reaches no bridge (`--url`, `--request-timeout`); `completions` prints a script.
fn idle_option(m: &clap::ArgMatches) -> Option<String> {
    use clap::parser::ValueSource;
    let (name, sub) = m.subcommand()?;
    let before = ["bridges", "shard"]
        .into_iter()
        .find(|id| m.value_source(id) == Some(ValueSource::CommandLine));
    if let (Some(id), false) = (before, matches!(name, "status" | "watch")) {
        return Some(format!(
            "'--{id}' does nothing with {name} (only status and watch follow several bridges)"
        ));
    }
    if name == "exec" && !sub.get_flag("wait") && !sub.get_flag("detach") {
        let given = ["timeout", "follow_interval", "exit_status"]
            .into_iter()
            .find(|id| sub.value_source(id) == Some(ValueSource::CommandLine));
        if let Some(id) = given {
            return Some(format!(
                "'--{}' does nothing without '--wait' or '--detach' (it is about following the command to its end)",
                id.replace('_', "-")
            ));
        }
    }
    // `config` edits or lists a file: no bridge is reached (only `show` resolves one).
    if let ("config", Some((verb, leaf))) = (name, sub.subcommand()) {
        let idle: &[&str] = match verb {
            "show" => &["request_timeout"],
            _ => &["url", "bridge", "api_key_file", "request_timeout"],
        };
        return idle
            .iter()
            .find(|id| {
                [m, sub, leaf]
                    .iter()
                    .any(|x| x.value_source(id) == Some(ValueSource::CommandLine))
            })
            .map(|id| format!("'--{}' does nothing with config {verb}", id.replace('_', "-")));
    }
    let idle: &[&str] = match name {
        "mock-bridge" => &["url", "bridge", "config", "request_timeout"],
        "jobs" => &["url", "api_key_file", "request_timeout"],
        "wait" => &["url", "bridge", "api_key_file", "request_timeout"],
        "demo" => &["url", "bridge"],
        "completions" => &[
            "url",
            "bridge",
            "config",
            "api_key_file",
            "json",
            "color",
            "request_timeout",
            "verbose",
            "quiet",
        ],
        _ => return None,
    };
    idle.iter()
        .find(|id| {
            [m, sub]
                .iter()
                .any(|x| x.value_source(id) == Some(ValueSource::CommandLine))
        })
        .map(|id| format!("'--{}' does nothing with {name}", id.replace('_', "-")))
}

/// Where a usage error points: the help of the subcommand the command line names
/// (`kiro-poll watch --help`), else the program's.
fn help_pointer(args: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let sub = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|a| cmd.get_subcommands().find(|s| s.get_name() == a));
    match sub {
        Some(s) => format!("kiro-poll {} --help", s.get_name()),
        None => "kiro-poll --help".to_owned(),
    }
}

/// A usage error as one short block: clap's first line, its tips (a similar argument or
/// subcommand; how to pass a value that starts with `-`), and where the help is. Never its
/// usage lines, never a value that may be a secret.
pub fn usage_message(rendered: &str, help: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ");
    let mut rest = lines.peekable();
    // "the following required arguments were not provided:" names them on the next lines.
    let mut first = first.to_owned();
    if first.ends_with(':') {
        let mut named = Vec::new();
        while let Some(l) = rest.next_if(|l| l.starts_with('<') || l.starts_with("--")) {
            named.push(l.to_owned());
        }
        first = format!("{first} {}", named.join(", "));
    }
    let mut out = format!("kiro-poll: error: {}", sanitize::line(&first));
    for tip in rest.filter(|l| l.starts_with("tip:")) {
        out.push_str("\n  ");
        out.push_str(&sanitize::line(tip));
    }
    out.push_str(&format!("\n  see '{help}'"));
    out
}

/// clap errors: help and version print normally; anything else is one short block naming the
/// flag, with clap's tips and the pointer to `help`.
/// How a run that only prints ends: 0, or 74 (said on stderr) when stdout could not take it
/// (a full disk); a reader gone is a quiet 0, as everywhere.
fn printed(written: std::io::Result<()>) -> u8 {
    match written {
        Ok(()) => Ending::Done.code(),
        Err(e) if crate::error::is_reader_gone(&e) => Ending::Done.code(),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "kiro-poll: error: cannot write the output: {e}"
            );
            Ending::OutputFailed.code()
        }
    }
}

fn usage_exit(e: clap::Error, help: String) -> u8 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            printed(e.print().and_then(|()| std::io::stdout().flush()))
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            Ending::Usage.code()
        }
        ErrorKind::ValueValidation | ErrorKind::InvalidValue if secret_arg(&e) => {
            // The value is not repeated: a URL may hold a password, a key file's "path" may be
            // the key itself.
            let arg = match e.get(clap::error::ContextKind::InvalidArg) {
                Some(clap::error::ContextValue::String(a)) => a.clone(),
                _ => "--url <URL>".to_owned(),
            };
            let why = std::error::Error::source(&e).map(|s| s.to_string());
            let why = why
                .map(|w| format!(": {}", sanitize::line(&w)))
                .unwrap_or_default();
            let _ = writeln!(
                std::io::stderr().lock(),
                "kiro-poll: error: invalid value for '{arg}'{why}\n  see '{help}'"
            );
            Ending::Usage.code()
        }
        _ => {
            let rendered = e.render().to_string();
            let _ = writeln!(std::io::stderr().lock(), "{}", usage_message(&rendered, &help));
            Ending::Usage.code()
        }
    }
}

/// Whether a clap error is about an argument whose value may be a secret.
fn secret_arg(e: &clap::Error) -> bool {
    match e.get(clap::error::ContextKind::InvalidArg) {
        Some(clap::error::ContextValue::String(a)) => {
            a.starts_with("--url") || a.starts_with("--api-key-file") || a == "<URL>"
        }
        _ => false,
    }
}

/// Run a parsed command line.
pub fn run(mut cli: Cli) -> Result<(), crate::error::Failure> {
    if let Command::Completions { shell } = &cli.command {
        let mut out = std::io::stdout().lock();
        return Ok(completions::generate(*shell, &mut out)?);
    }
    match &cli.command {
        Command::Config(cli::ConfigCommand::Show { name: Some(name) }) => {
            if !cli.global.url.is_empty() || !cli.global.bridge.is_empty() {
                return Err(UsageError(
                    "'config show NAME' names its bridge; give no --url or --bridge with it".into(),
                )
                .into());
            }
            cli.global.bridge.push(name.clone());
        }
        Command::Config(cli::ConfigCommand::Show { name: None }) => {}
        Command::Config(cmd) => {
            let file = config::file::ConfigFile::locate(cli.global.config.as_deref());
            let json = cli.global.json;
            let painter = output::Painter {
                color: config::Terminal::detect(cli.global.color).color && !json,
            };
            return configure::run(cmd, &file, json, cli.global.quiet, painter);
        }
        _ => {}
    }
    // Given before the command or after it (status and watch), they are one setting.
    let after = match &cli.command {
        Command::Status { fleet, .. } => Some(fleet),
        Command::Watch(args) => Some(&args.fleet),
        _ => None,
    };
    let fleet = cli::FleetArgs {
        bridges: after
            .and_then(|f| f.bridges.clone())
            .or(cli.fleet.bridges.clone()),
        shard: after.and_then(|f| f.shard).or(cli.fleet.shard),
    };
    // `jobs -b NAME` filters the jobs kept: a name the config file no longer knows still does.
    let jobs_bridge = match &cli.command {
        Command::Jobs(_) if cli.global.bridge.len() > 1 => {
            return Err(UsageError("'jobs' filters on one '--bridge'".into()).into());
        }
        Command::Jobs(_) => std::mem::take(&mut cli.global.bridge).pop(),
        _ => None,
    };
    let reaches = !matches!(
        cli.command,
        Command::Jobs(_) | Command::Wait(_) | Command::Demo(_) | Command::MockBridge(_)
    );
    let config = Config::resolve_for(&cli.global, &fleet, reaches)?;
    if !config.quiet {
        output::tell_exposed();
    }
    if let Command::Jobs(args) = &cli.command {
        let plan = config::plans::jobs(args, jobs_bridge.as_deref(), &config);
        let store = config::plans::store(&args.store);
        let mut out = std::io::stdout().lock();
        return exec::collect::list(&config, &store, &plan, &mut out);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::system("start the runtime", e))?;
    runtime.block_on(dispatch(cli.command, config))
}

fn make_client(config: &Config) -> Result<BridgeClient, crate::error::Failure> {
    BridgeClient::new(ClientOptions {
        base: config.url.clone(),
        api_key: config.api_key.clone(),
        request_timeout: config.request_timeout,
        verbose: config.verbose,
    })
    .map_err(|e| UsageError(format!("{e:#}")).into())
}

async fn dispatch(command: Command, config: Config) -> Result<(), crate::error::Failure> {
    // Said by the commands that send or require a key.
    let keyed = !matches!(
        command,
        Command::Jobs(_)
            | Command::Wait(_)
            | Command::Demo(_)
            | Command::Config(_)
            | Command::Completions { .. }
    );
    if keyed && config.short_key && !config.quiet {
        output::tell(output::Notice::ShortKey);
    }
    let painter = output::Painter::of(&config);
    let mut out = std::io::stdout().lock();
    match command {
        Command::Status { .. } if config.bridges.is_empty() => {
            if let Some(s) = config.shard {
                output::tell(output::Notice::ShardKeepsNone {
                    index: s.index,
                    count: s.count,
                });
            }
            Ok(())
        }
        Command::Status { max_in_flight, .. } if config.many() => {
            oneshot::status_many(&config, max_in_flight as usize, painter, &mut out).await
        }
        Command::Status { .. } => {
            let name = config.bridges.first().map_or("", |b| b.name.as_str());
            oneshot::status(&make_client(&config)?, name, config.json, painter, &mut out).await
        }
        Command::Health => {
            config.one_bridge("health")?;
            oneshot::health(&make_client(&config)?, config.json, painter, &mut out).await
        }
        Command::Commands { filter } => {
            config.one_bridge("commands")?;
            oneshot::commands(&make_client(&config)?, filter.as_deref(), config.json, &mut out).await
        }
        Command::Watch(args) => {
            drop(out);
            let plan = config::plans::watch(&args, &config)?;
            // A task of its own, not the runtime's `block_on` future: a task woken by another
            // (the connection's, with the answer) is queued, where waking `block_on` writes to
            // the runtime's eventfd and costs a second `epoll_wait`, on every poll.
            let run = tokio::spawn(async move { watch::run(&config, &plan).await });
            run.await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
        }
        Command::Exec(args) => {
            drop(out);
            config.one_bridge("exec")?;
            let plan = config::plans::exec(&args)?;
            let store = config::plans::store(&args.store);
            exec::run_exec(&make_client(&config)?, &config, &plan, &store).await
        }
        Command::Jobs(_) => unreachable!("handled before the runtime starts"),
        Command::Config(_) => {
            drop(out);
            configure::show(&config, painter)
        }
        Command::Wait(args) => {
            drop(out);
            let store = config::plans::store(&args.store);
            exec::collect::wait(&config, &store, &args.ids, args.timeout).await
        }
        Command::Input(args) => {
            config.one_bridge("input")?;
            exec::run_input(
                &make_client(&config)?,
                &config,
                &config::plans::input(&args),
                &mut out,
            )
            .await
        }
        Command::Mcp(args) => {
            drop(out);
            config.one_bridge("mcp")?;
            let store = config::plans::store(&args.store);
            mcp::serve(
                make_client(&config)?,
                &config,
                config::plans::mcp(&args, &config),
                store,
            )
            .await
        }
        Command::MockBridge(args) => {
            drop(out);
            if let Some(cli::MockCtlCommand::Ctl(ctl)) = &args.ctl {
                let (base, step) = config::plans::mock_ctl(ctl);
                let key = config.api_key.as_ref().map(|k| k.expose().to_owned());
                return mock::ctl::send(&base, step, key.as_deref(), config.json).await;
            }
            mock::serve_forever(&config::plans::mock(&args, &config)?).await
        }
        Command::Demo(args) => {
            drop(out);
            demo::run(config::plans::demo(&args), &config).await
        }
        Command::Completions { .. } => unreachable!("handled before the runtime starts"),
    }
}
