//! The command line: arguments only, no behaviour. Doc comments are the help text. Values are
//! checked here (URLs, durations, interval minimums) so a bad one is a usage error naming the
//! flag; `config.rs` then resolves them against the environment (TTY, colour, key file). The
//! clap-facing enums convert into the policy's own types, which know nothing of clap.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::str::FromStr as _;

use crate::engine::{Goal, DEFAULTS};
use crate::model::InputType;
use crate::units::{parse_duration, parse_interval, parse_positive_duration};

const ROOT_EXAMPLES: &str = "\
Examples:
  kiro-poll status
  kiro-poll watch --json | jq -c 'select(.type == \"status_changed\")'
  kiro-poll exec kiro.generateCode 'Create a login form' --wait && echo done
  kiro-poll demo

Exit codes: kiro-poll help exit-codes";

/// What `--help` of a command that exits by the table ends with: its examples, then the table.
fn with_exit_codes(examples: &str) -> String {
    format!("{examples}\n\nExit codes:\n{}", crate::error::exit_table())
}

/// `kiro-poll --version`: the version and the target it was built for, for bug reports.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("KIRO_POLL_TARGET"), ")");

/// Monitor and remote control for the Kiro Communication Bridge.
///
/// Follows the bridge (Kiro IDE over HTTP) with adaptive polling: one request per change worth
/// knowing, connections reused, calm backoff while it is down. Exit codes mean one thing each;
/// --json prints one JSON object per line.
#[derive(Debug, Parser)]
#[command(name = "kiro-poll", version = VERSION, after_help = ROOT_EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// `--bridges`/`--shard` before the command (`kiro-poll --bridges F watch`), as scripts
    /// have it; they do something only for status and watch, which also take them after.
    #[command(flatten)]
    pub fleet: FleetArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Bridge base URL; repeat it to follow several bridges (status, watch)
    /// [env: KIRO_BRIDGE_URL] [default: http://localhost:3001]
    #[arg(long, global = true, help_heading = "Global options", value_parser = crate::bridges::parse_url, value_name = "URL", action = clap::ArgAction::Append)]
    pub url: Vec<url::Url>,

    /// A bridge named in the config file (see 'kiro-poll config'); repeat it to follow
    /// several (status, watch); a URL works too [default: the config's default]
    #[arg(short = 'b', long = "bridge", global = true, help_heading = "Global options", value_name = "NAME", action = clap::ArgAction::Append, conflicts_with = "url", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub bridge: Vec<String>,

    /// The config file: named bridges and the default one
    /// [default: ~/.config/kiro-poll/config.toml, or the platform's equivalent]
    #[arg(
        hide_short_help = true,
        long,
        global = true,
        env = "KIRO_POLL_CONFIG",
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub config: Option<std::path::PathBuf>,

    /// File holding the API key (the key itself may come from KIRO_API_KEY): the key sent to
    /// the bridge (mock-bridge: the key it requires); never printed
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "KIRO_API_KEY_FILE",
        value_name = "PATH"
    )]
    pub api_key_file: Option<std::path::PathBuf>,

    /// Machine output: JSON, one object per line (NDJSON)
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// When to colour output (NO_COLOR is honoured; auto = only on a terminal)
    #[arg(hide_short_help = true, long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Timeout for each request to the bridge
    #[arg(hide_short_help = true, long, global = true, help_heading = "Global options", default_value = "10s", value_parser = parse_duration, value_name = "DUR")]
    pub request_timeout: Duration,

    /// More detail on stderr (repeat for more)
    #[arg(short, long, global = true, help_heading = "Global options", action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors on stderr (watch --metrics: no event lines on stdout either)
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
}

/// Where the bridges come from besides `--url`: a file, and the shard of it kept (status and
/// watch, the commands that follow several bridges).
#[derive(Debug, Clone, Default, Args)]
pub struct FleetArgs {
    /// A bridges file: TOML (names, keys, intervals, labels), or Prometheus file_sd JSON when
    /// it ends in .json (watch reads it again when it changes and on SIGHUP)
    #[arg(long, value_name = "PATH", conflicts_with = "url", help_heading = "Bridges")]
    pub bridges: Option<std::path::PathBuf>,

    /// Keep only the bridges that fall to shard K of N (K from 0): N exporters over one bridges
    /// file split it with no coordination (rendezvous hashing on the name)
    #[arg(hide_short_help = true, long, value_parser = crate::bridges::shard::Shard::parse, value_name = "K/N", help_heading = "Bridges")]
    pub shard: Option<crate::bridges::shard::Shard>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One request: print the bridge's state
    #[command(after_help = "Example:\n  kiro-poll status --json | jq -r .status")]
    Status {
        #[command(flatten)]
        fleet: FleetArgs,

        /// With several bridges: at most this many requests at once
        #[arg(long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_in_flight: u32,
    },

    /// Check the bridge server itself (GET /health)
    #[command(after_help = "Example:\n  kiro-poll health && echo 'bridge is up'")]
    Health,

    /// List the Kiro commands the bridge offers, sorted
    #[command(after_help = "Example:\n  kiro-poll commands --filter kiro.")]
    Commands {
        /// Only commands containing this text (case-insensitive)
        #[arg(long, value_name = "S")]
        filter: Option<String>,
    },

    /// Follow the bridge with adaptive polling; one line (or JSON event) per change
    #[command(
        after_help = concat!("Examples:\n  kiro-poll watch\n  kiro-poll watch --until ready --timeout 2m   # wait for Kiro to come up\n  kiro-poll watch --json | jq -c 'select(.type == \"command_finished\")'", "\n\nThe common options; every option and the exit codes: kiro-poll watch --help"),
        after_long_help = with_exit_codes("Examples:\n  kiro-poll watch\n  kiro-poll watch --until ready --timeout 2m   # wait for Kiro to come up\n  kiro-poll watch --json | jq -c 'select(.type == \"command_finished\")'")
    )]
    Watch(WatchArgs),

    /// Run a Kiro command on the bridge
    #[command(
        after_help = concat!("Examples:\n  kiro-poll exec workbench.action.showCommands\n  kiro-poll exec kiro.generateCode 'Create a login form' --workspace ~/app --wait --timeout 15m\n  kiro-poll exec vscode.open file:///tmp/a.txt --json | jq .success", "\n\nThe common options; every option and the exit codes: kiro-poll exec --help"),
        after_long_help = with_exit_codes("Examples:\n  kiro-poll exec workbench.action.showCommands\n  kiro-poll exec kiro.generateCode 'Create a login form' --workspace ~/app --wait --timeout 15m\n  kiro-poll exec vscode.open file:///tmp/a.txt --json | jq .success")
    )]
    Exec(ExecArgs),

    /// List the commands run through kiro-poll (jobs), newest first; show one
    #[command(
        after_help = "Examples:\n  kiro-poll jobs --running\n  kiro-poll jobs show 12 --json | jq .outcome\n  kiro-poll jobs --since c41 --json   # what changed since a previous listing"
    )]
    Jobs(JobsArgs),

    /// Wait for jobs started with exec --detach; exit as exec --wait would have
    #[command(
        after_help = with_exit_codes("With several jobs, the exit code is the largest of theirs (0 only when all are 0).\nA job whose follower died is lost: 6.\n\nExamples:\n  id=$(kiro-poll exec kiro.generateCode 'Add tests' --detach); kiro-poll wait \"$id\"\n  kiro-poll wait 12 13 14 --timeout 20m")
    )]
    Wait(WaitArgs),

    /// Answer a running command's prompt (POST /api/kiro/input)
    #[command(after_help = "Example:\n  kiro-poll input exec-1642598400000-1 MyApp --type text")]
    Input(InputArgs),

    /// Serve a simulated bridge on localhost (for demos, scripts and tests)
    #[command(
        after_help = "Examples:\n  kiro-poll mock-bridge --port 3001\n  kiro-poll mock-bridge --like real   # behave like the real bridge (never busy, weak ETags)\n  kiro-poll mock-bridge ctl unavailable   # change the running one, from another terminal"
    )]
    MockBridge(MockArgs),

    /// Start the simulated bridge and watch it, in one process
    #[command(after_help = "Example:\n  kiro-poll demo --json | head -5")]
    Demo(DemoArgs),

    /// Your bridges by name: the config file (list, show, add, remove, default)
    #[command(
        subcommand,
        after_help = "Examples:\n  kiro-poll config add work http://10.0.0.5:3001 --key-file ~/.kiro-work.key\n  kiro-poll -b work status\n  kiro-poll config default work   # what commands use when no bridge is named\n  kiro-poll config show           # which bridge, and why"
    )]
    Config(ConfigCommand),

    /// Serve the bridge to AI agents: a Model Context Protocol server on stdin/stdout
    #[command(
        after_help = "Tools: kiro_status, kiro_commands, kiro_exec, kiro_wait, kiro_input; resource: kiro://status (subscribe for updates).\nLogs go to stderr; stdin closed ends it (exit 0).\n\nExample (an MCP client's configuration):\n  {\"mcpServers\": {\"kiro\": {\"command\": \"kiro-poll\", \"args\": [\"mcp\"]}}}"
    )]
    Mcp(McpArgs),

    /// Print a shell completion script or the man page
    #[command(
        after_help = "Examples:\n  kiro-poll completions bash > ~/.local/share/bash-completion/completions/kiro-poll\n  kiro-poll completions man > kiro-poll.1"
    )]
    Completions {
        /// Shell to complete for, or `man` for the man page
        #[arg(value_enum)]
        shell: CompletionTarget,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionTarget {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    Man,
}

/// An `--allow` pattern: a command id with `*` wildcards, no spaces or control characters.
fn parse_allow(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        true => Err("a command id pattern such as kiro.* or vscode.open".to_owned()),
        false => Ok(s.to_owned()),
    }
}

/// The kinds of input `input --type` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputKind {
    Text,
    Choice,
    File,
    Confirmation,
}

impl From<InputKind> for InputType {
    fn from(k: InputKind) -> InputType {
        match k {
            InputKind::Text => InputType::Text,
            InputKind::Choice => InputType::Choice,
            InputKind::File => InputType::File,
            InputKind::Confirmation => InputType::Confirmation,
        }
    }
}

/// A flag's help with the default it falls back to (`engine::DEFAULTS`, where it is written).
fn with_default(what: &str, default: Duration) -> String {
    format!("{what} [default: {}]", crate::units::human_duration(default))
}

/// How often a bridge is polled: `watch`'s flags, and `mcp`'s for the status resource.
#[derive(Debug, Clone, Args)]
pub struct PollArgs {
    #[arg(help = with_default("Poll interval while Kiro is ready", DEFAULTS.interval_ready), long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub interval_ready: Option<Duration>,

    #[arg(help = with_default("Poll interval while Kiro is busy", DEFAULTS.interval_busy), long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub interval_busy: Option<Duration>,

    #[arg(help = with_default("Poll interval while Kiro is unavailable", DEFAULTS.interval_unavailable), hide_short_help = true, long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub interval_unavailable: Option<Duration>,

    #[arg(help = with_default("Poll interval after the bridge answered with an error (5xx, nonsense)", DEFAULTS.interval_error), hide_short_help = true, long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub interval_error: Option<Duration>,

    #[arg(help = with_default("Longest wait between polls while the bridge is unreachable", DEFAULTS.max_backoff), hide_short_help = true, long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub max_backoff: Option<Duration>,

    #[arg(help = with_default("Report a command that stays busy longer than this (once per run of it)", DEFAULTS.stall_after), hide_short_help = true, long, value_parser = parse_interval, value_name = "DUR", help_heading = "Polling")]
    pub stall_after: Option<Duration>,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Exit 0 as soon as any of these is reached (an unreachable bridge is waited for): ready,
    /// busy, unavailable, change, available:ID (the bridge offers command ID), missing:ID
    #[arg(long, value_parser = Goal::from_str, value_delimiter = ',', value_name = "STATE", help_heading = "Ending")]
    pub until: Vec<Goal>,

    /// Give up after this long (exit 124, saying what was last seen)
    #[arg(long, value_parser = parse_duration, value_name = "DUR", help_heading = "Ending")]
    pub timeout: Option<Duration>,

    /// Stop after N polls
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Ending")]
    pub count: Option<u64>,

    /// When stdout is not a terminal, print a heartbeat once nothing was printed for this long
    #[arg(hide_short_help = true, long, value_parser = parse_interval, value_name = "DUR", help_heading = "Output")]
    pub heartbeat: Option<Duration>,

    #[command(flatten)]
    pub polling: PollArgs,

    /// Serve Prometheus metrics on this address: a port means 127.0.0.1 (e.g. 9464); name
    /// the interface to expose it (0.0.0.0:9464). With -q the watch only serves
    #[arg(long, value_parser = parse_addr, value_name = "ADDR", help_heading = "Exporter")]
    pub metrics: Option<std::net::SocketAddr>,

    /// With --metrics: a request-duration and a command-duration histogram for every bridge
    /// (30 more series each) instead of one of each for the whole fleet
    #[arg(hide_short_help = true, long, requires = "metrics", help_heading = "Exporter")]
    pub metrics_histograms: bool,

    /// With several bridges: at most this many requests at once
    #[arg(hide_short_help = true, long, default_value_t = 256, value_name = "N", value_parser = clap::value_parser!(u32).range(1..), help_heading = "Bridges")]
    pub max_in_flight: u32,

    /// Run the program after -- for each event of these types (comma-separated, or all): the
    /// event as its JSON line on stdin and KIRO_* variables, run directly (no shell)
    #[arg(
        long = "on",
        value_name = "TYPES",
        value_delimiter = ',',
        requires = "program",
        help_heading = "Hooks"
    )]
    pub on: Vec<String>,

    /// With --on: at most this many hooks run at once (more wait in a queue of 64)
    #[arg(hide_short_help = true, long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64), help_heading = "Hooks")]
    pub on_max: u32,

    /// With --on: end a hook and its process group after this long; at the end of the watch,
    /// running hooks get this long to finish
    #[arg(hide_short_help = true, long, default_value = "60s", value_parser = parse_positive_duration, value_name = "DUR", help_heading = "Hooks")]
    pub on_timeout: Duration,

    /// With --on: the program and its arguments, after --
    #[arg(last = true, value_name = "PROGRAM", requires = "on", help_heading = "Hooks")]
    pub program: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Kiro command id, e.g. kiro.generateCode
    #[arg(value_name = "COMMAND")]
    pub command: String,

    /// Arguments passed to the command (put them after `--` when one starts with `-`)
    #[arg(value_name = "ARGS")]
    pub args: Vec<String>,

    /// Workspace directory the command runs in
    #[arg(long, value_name = "PATH")]
    pub workspace: Option<String>,

    /// Wait for the command to finish, also past the bridge's own 30 s request limit
    #[arg(long)]
    pub wait: bool,

    /// With --wait: give up after this long (exit 124)
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DUR")]
    pub timeout: Duration,

    /// With --wait: how often to poll the status once the bridge gave up on the request
    #[arg(hide_short_help = true, long, default_value = "2s", value_parser = parse_interval, value_name = "DUR")]
    pub follow_interval: Duration,

    /// With --wait: exit 7, not 0, when the command's end was seen but its result was not
    /// returned (the real bridge past its 30 s request limit), for scripts that must know it
    /// succeeded
    #[arg(hide_short_help = true, long)]
    pub exit_status: bool,

    /// Send it and return at once with its job id; a follower in the background follows it
    /// as --wait does (up to --timeout) and records how it ended (kiro-poll wait ID)
    #[arg(long, conflicts_with = "wait")]
    pub detach: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// The job store, where every exec is recorded (`jobs`, `wait`).
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The job store's file (SQLite) [default: kiro-poll.db in the platform's state directory]
    #[arg(
        hide_short_help = true,
        long,
        env = "KIRO_POLL_STORE",
        value_name = "PATH",
        help_heading = "Job store"
    )]
    pub store: Option<std::path::PathBuf>,

    /// Record nothing, whatever --store says (exec without a job; --detach, jobs and wait need
    /// the store)
    #[arg(hide_short_help = true, long, help_heading = "Job store")]
    pub no_store: bool,

    /// Keep at most this many jobs (the oldest ended ones go first)
    #[arg(
        hide_short_help = true,
        long,
        env = "KIRO_POLL_KEEP_JOBS",
        default_value_t = 1000,
        value_name = "N",
        help_heading = "Job store"
    )]
    pub keep_jobs: u32,

    /// Forget ended jobs sent longer ago than this
    #[arg(hide_short_help = true, long, env = "KIRO_POLL_KEEP_JOBS_FOR", default_value = "30d", value_parser = parse_duration, value_name = "DUR", help_heading = "Job store")]
    pub keep_jobs_for: Duration,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[command(subcommand)]
    pub show: Option<JobsCommand>,

    /// Only jobs still running
    #[arg(long)]
    pub running: bool,

    /// Only jobs sent in the last DUR (1h, 2d), or, given a cursor (c42) from a previous
    /// listing, only the jobs that changed since it, oldest change first
    #[arg(long, value_name = "DUR|CURSOR", value_parser = crate::plan::parse_since)]
    pub since: Option<crate::plan::Since>,

    /// At most this many jobs
    #[arg(long, default_value_t = 50, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the config file is (or would be)
    Path,

    /// The bridges the config file names (* marks the default); URLs shown redacted
    List {
        /// Only the names, one per line (for scripts and shell completion)
        #[arg(long, hide = true)]
        names: bool,
    },

    /// The bridge a command would use, and where each setting came from
    #[command(
        after_help = "Examples:\n  kiro-poll config show          # the bridge used when none is named, and why\n  kiro-poll config show work\n  KIRO_BRIDGE_URL=http://h:3001 kiro-poll config show   # the environment wins over the default"
    )]
    Show {
        /// A bridge of the config file (default: what -b, --url, KIRO_BRIDGE_URL or the default give)
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },

    /// Add a bridge by name (the file and its folder are made if need be; the first one added
    /// becomes the default). No key is written: name a file or a variable that holds it
    Add {
        /// Its name: what -b takes (letters, digits, '.', '_', '-')
        #[arg(value_name = "NAME")]
        name: String,

        /// Its base URL (no password, no key in it)
        #[arg(id = "bridge_url", value_name = "URL", value_parser = crate::bridges::parse_url)]
        url: url::Url,

        /// A file holding its API key (kept as an absolute path)
        #[arg(long, value_name = "PATH", conflicts_with = "key_env")]
        key_file: Option<std::path::PathBuf>,

        /// An environment variable holding its API key
        #[arg(long, value_name = "VAR")]
        key_env: Option<String>,

        /// Make it the default
        #[arg(long)]
        default: bool,
    },

    /// Remove a bridge from the config file (and the default, if it was)
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
    },

    /// Make a bridge of the config file the one commands use when none is named
    Default {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Print one job, all it holds (with --json, its object)
    Show {
        /// The job's id
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The jobs to wait for (ids from exec --detach or jobs)
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<i64>,

    /// Give up after this long (exit 124); the jobs go on
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DUR")]
    pub timeout: Duration,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// The execution id the prompt belongs to
    #[arg(value_name = "EXECUTION_ID")]
    pub execution_id: String,

    /// The answer
    #[arg(value_name = "VALUE")]
    pub value: String,

    /// Kind of input
    #[arg(long = "type", value_enum, default_value_t = InputKind::Text)]
    pub kind: InputKind,
}

#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// kiro_exec with wait: how often to poll the status once the bridge gave up on the request
    #[arg(long, default_value = "2s", value_parser = parse_interval, value_name = "DUR")]
    pub follow_interval: Duration,

    /// Offer only what reads: kiro_status, kiro_commands, kiro_wait and kiro://status (no
    /// kiro_exec, no kiro_input)
    #[arg(long, conflicts_with = "allow")]
    pub read_only: bool,

    /// kiro_exec may run only commands matching PATTERN (repeatable; `*` matches any run of
    /// characters: `kiro.*`, `vscode.open`); any other is refused and never reaches the bridge
    #[arg(long, value_name = "PATTERN", value_parser = parse_allow)]
    pub allow: Vec<String>,

    /// Offer kiro_input too (answer a command's prompt by its execution id). Off by default:
    /// no bridge tells an execution id, so an agent cannot learn one
    #[arg(long, conflicts_with = "read_only")]
    pub offer_input: bool,

    #[command(flatten)]
    pub polling: PollArgs,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MockArgs {
    /// Change a mock-bridge that is running (its loopback control route)
    #[command(subcommand)]
    pub ctl: Option<MockCtlCommand>,

    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 3001)]
    pub port: u16,

    /// Built-in scenario name (demo, steady) or a scenario file (JSON)
    #[arg(long, default_value = "steady", value_name = "NAME|FILE")]
    pub scenario: String,

    /// Added to every answer
    #[arg(long, default_value = "0ms", value_parser = parse_duration, value_name = "DUR")]
    pub latency: Duration,

    /// Share of requests answered with HTTP 500 (0.0 to 1.0)
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate, value_name = "P")]
    pub fail_rate: f64,

    /// Which bridge to play: the spec's (reports busy, strong ETags) or the real one of
    /// BEHAVIOUR.md (never busy, weak ETags that change with every answer); the flags below
    /// override it
    #[arg(long, value_enum, default_value_t = LikeMode::Spec)]
    pub like: LikeMode,

    /// Answer an execute request with 408 after this long (the command runs on; the
    /// connection is destroyed when it ends)
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DUR")]
    pub server_timeout: Duration,

    /// Free the slot of a command running this long (another may start) while it runs on and
    /// its request waits for its end, as the real bridge does after 5 minutes
    #[arg(long, default_value = "5m", value_parser = parse_interval, value_name = "DUR")]
    pub command_limit: Duration,

    /// Which ETag the status carries: strong over the stable fields, weak like the real bridge
    /// (covers the timestamp), or none [default: strong; weak with --like real]
    #[arg(long, value_enum)]
    pub etag: Option<EtagMode>,

    /// Report busy + currentCommand while a command runs [default: true; false with --like real]
    #[arg(long, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub report_busy: Option<bool>,

    /// Serve N simulated bridges, each with its own state, on consecutive ports from --port
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20000))]
    pub instances: u32,
}

#[derive(Debug, Clone, Subcommand)]
pub enum MockCtlCommand {
    /// Change a running mock-bridge: Kiro unavailable or available, its version, the commands
    /// it offers, a command started as if a client had run it, a fault for a while
    #[command(
        after_help = "Examples:\n  kiro-poll mock-bridge ctl unavailable\n  kiro-poll mock-bridge ctl run kiro.generateCode --port 3001\n  kiro-poll mock-bridge ctl fault drop --for 10s"
    )]
    Ctl(CtlArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CtlArgs {
    #[command(subcommand)]
    pub action: CtlAction,

    /// The mock-bridge's address
    #[arg(long, default_value = "127.0.0.1", global = true)]
    pub host: String,

    /// The mock-bridge's port
    #[arg(long, default_value_t = 3001, global = true)]
    pub port: u16,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CtlAction {
    /// Kiro becomes unavailable (the status says so; executes answer 503)
    Unavailable,
    /// Kiro becomes available again
    Available,
    /// Kiro reports this version
    Version {
        #[arg(value_name = "VERSION")]
        to: String,
    },
    /// The bridge offers this command too
    Add { command: String },
    /// The bridge no longer offers this command
    Remove { command: String },
    /// Start this command as if a client had executed it (it runs its scenario length)
    Run { command: String },
    /// Misbehave for a while: rate-limit (429), drop (cut connections), malformed (bad JSON),
    /// error (500)
    Fault {
        #[arg(value_enum)]
        kind: CtlFault,
        /// For how long
        #[arg(long = "for", value_parser = parse_positive_duration, value_name = "DUR", default_value = "10s")]
        lasts: Duration,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CtlFault {
    RateLimit,
    Drop,
    Malformed,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LikeMode {
    /// openapi.yaml's bridge
    Spec,
    /// the shipped bridge, as BEHAVIOUR.md describes it
    Real,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EtagMode {
    Strong,
    Weak,
    None,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Stop after this long
    #[arg(long, value_parser = parse_duration, value_name = "DUR")]
    pub timeout: Option<Duration>,

    /// Stop after N polls
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Simulate this many bridges and watch them all (the fleet board)
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub instances: u32,

    /// Which bridge the simulators play (as mock-bridge --like)
    #[arg(long, value_enum, default_value_t = LikeMode::Spec)]
    pub like: LikeMode,

    /// The port the simulated bridge listens on, on 127.0.0.1 (several: consecutive ports from
    /// it); 0, the default, takes a free one
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
}

/// `9464` → 127.0.0.1:9464; `0.0.0.0:9464`, `[::1]:9464` as written.
pub fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    s.parse::<SocketAddr>()
        .map_err(|_| "expected a port (9464) or an address with a port (0.0.0.0:9464)".to_owned())
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| "not a number".to_string())?;
    if !(0.0..=1.0).contains(&p) {
        return Err("must be between 0.0 and 1.0".into());
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_too_long_for_a_clock_are_usage_errors() {
        for args in [
            &["kiro-poll", "watch", "--timeout", "500000000000y"][..],
            &["kiro-poll", "exec", "x", "--wait", "--timeout", "500000000000y"],
            &["kiro-poll", "watch", "--interval-ready", "500000000000y"],
        ] {
            let e = Cli::try_parse_from(args).unwrap_err();
            assert!(e.to_string().contains("too long"), "{e}");
        }
    }

    #[test]
    fn watch_flags_parse() {
        let cli = Cli::try_parse_from([
            "kiro-poll",
            "watch",
            "--until",
            "ready,change",
            "--timeout",
            "2m",
            "--count",
            "3",
        ])
        .unwrap();
        let Command::Watch(w) = cli.command else {
            panic!("not watch")
        };
        assert_eq!(w.until, vec![Goal::Ready, Goal::Change]);
        assert_eq!(w.timeout, Some(Duration::from_secs(120)));
        assert_eq!(w.count, Some(3));
        assert_eq!(w.polling.interval_busy, None);
        assert_eq!(w.max_in_flight, 256);
    }

    #[test]
    fn metrics_addresses() {
        assert_eq!(parse_addr("9464").unwrap(), "127.0.0.1:9464".parse().unwrap());
        assert_eq!(
            parse_addr("0.0.0.0:9464").unwrap(),
            "0.0.0.0:9464".parse().unwrap()
        );
        assert_eq!(parse_addr("[::1]:9").unwrap(), "[::1]:9".parse().unwrap());
        assert!(parse_addr("localhost").is_err());
        assert!(parse_addr("70000").is_err());
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(Cli::try_parse_from(["kiro-poll", "--url", "ftp://x", "status"]).is_err());
        assert!(Cli::try_parse_from(["kiro-poll", "--url", "not a url", "status"]).is_err());
        assert!(Cli::try_parse_from(["kiro-poll", "watch", "--interval-busy", "10ms"]).is_err());
        assert!(Cli::try_parse_from(["kiro-poll", "watch", "--until", "sleeping"]).is_err());
        assert!(Cli::try_parse_from(["kiro-poll", "mock-bridge", "--fail-rate", "2"]).is_err());
    }

    #[test]
    fn exec_takes_hyphenated_args() {
        let cli = Cli::try_parse_from(["kiro-poll", "exec", "x.y", "a", "--wait", "--", "-b"]).unwrap();
        let Command::Exec(e) = cli.command else {
            panic!("not exec")
        };
        assert!(e.wait);
        assert_eq!(e.args, vec!["a", "-b"]);
        let cli = Cli::try_parse_from([
            "kiro-poll",
            "exec",
            "x.y",
            "a b",
            "--workspace",
            "/w",
            "--wait",
            "--timeout",
            "1m",
        ])
        .unwrap();
        let Command::Exec(e) = cli.command else {
            panic!("not exec")
        };
        assert_eq!(e.args, vec!["a b".to_string()]);
        assert_eq!(
            (e.workspace, e.timeout),
            (Some("/w".into()), Duration::from_secs(60))
        );
    }
}
