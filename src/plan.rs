//! What each long-running command runs with, resolved: `config::plans` builds these from the
//! command line, the environment and the bridges file (and `demo` builds its own), so nothing
//! below `config` sees clap's types. Plain data; no behaviour (but reading `--since`).

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use crate::bridges::Intervals;
use crate::engine::{EngineConfig, Goal};

/// The watch flags that set a bridge's engine, as given (None: not given): what a bridge that
/// a reload adds is built with, as the first ones were.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineFlags {
    /// `--interval-ready` and the rest, in the bridges file's own shape.
    pub intervals: Intervals,
    pub count: Option<u64>,
}

impl EngineFlags {
    /// One bridge's engine policy: a flag given wins, then what the bridges file set for it
    /// (its own, then `[defaults]`), then PRODUCT.md's defaults.
    pub fn engine(&self, file: &Intervals) -> EngineConfig {
        let d = EngineConfig::default();
        let i = self.intervals.or(*file);
        let max_backoff = i.max_backoff.unwrap_or(d.max_backoff);
        EngineConfig {
            interval_ready: i.interval_ready.unwrap_or(d.interval_ready),
            interval_busy: i.interval_busy.unwrap_or(d.interval_busy),
            interval_unavailable: i.interval_unavailable.unwrap_or(d.interval_unavailable),
            interval_error: i.interval_error.unwrap_or(d.interval_error),
            max_backoff,
            breaker_recovery: max_backoff,
            backoff_base: Duration::from_secs(5).min(max_backoff),
            stall_after: i.stall_after.unwrap_or(d.stall_after),
            count: self.count,
            ..d
        }
    }
}

/// A watch of one bridge or many: each bridge's engine, and what the watch judges across them.
#[derive(Debug, Clone)]
pub struct WatchPlan {
    /// Each bridge's engine policy, in the order of `Config::bridges`.
    pub engines: Vec<EngineConfig>,
    /// How the engine of a bridge a reload adds is built.
    pub flags: EngineFlags,
    /// Done when every bridge is in one of these states at once.
    pub until: Vec<Goal>,
    /// Give up this long after the start.
    pub timeout: Option<Duration>,
    /// When stdout is not a terminal: a line at least this often.
    pub heartbeat: Option<Duration>,
    /// Serve Prometheus metrics here.
    pub metrics: Option<SocketAddr>,
    /// Two histograms per bridge in the metrics (else one of each for the fleet).
    pub metrics_histograms: bool,
    /// At most this many polls in flight at once.
    pub max_in_flight: usize,
    /// `--on TYPES -- PROGRAM`: a program to run per event.
    pub hooks: Option<HookPlan>,
}

/// `watch --on TYPES -- PROGRAM [ARGS]...`.
#[derive(Debug, Clone)]
pub struct HookPlan {
    /// The event types that run it.
    pub types: Vec<&'static str>,
    /// The program and its arguments, run directly (no shell).
    pub program: Vec<String>,
    /// At most this many at once.
    pub max: usize,
    /// Each is ended (its whole process group) after this long; at the end of the watch,
    /// running ones get this long to finish.
    pub timeout: Duration,
}

/// `exec`: the command, and how long to wait for it.
#[derive(Debug, Clone)]
pub struct ExecPlan {
    pub command: String,
    pub args: Vec<String>,
    pub workspace: Option<String>,
    /// Wait for the command's result (`--wait`), following /status when the answer is lost.
    pub wait: bool,
    /// How long `--wait` waits in all.
    pub timeout: Duration,
    /// How often /status is asked while following.
    pub follow_interval: Duration,
    /// `--exit-status`: an end seen without its result exits `Ending::ResultUnknown`, not 0.
    pub exit_status: bool,
    /// `--detach`: a follower in the background sends it and follows it (`wait` is set too).
    pub detach: bool,
}

/// `jobs`: one job (`jobs show ID`), or which to list.
#[derive(Debug, Clone)]
pub struct JobsPlan {
    pub show: Option<i64>,
    pub filter: Filter,
    pub limit: usize,
}

/// `mcp`: how the status resource is polled while a client is subscribed, and how a
/// `kiro_exec` wait follows the status after a lost answer.
#[derive(Debug, Clone)]
pub struct McpPlan {
    pub engine: EngineConfig,
    pub follow_interval: Duration,
    /// What an agent may do: the tools offered and the commands `kiro_exec` may run.
    pub access: Access,
    /// The bridge's name in the config file, kept with each job.
    pub bridge_name: Option<String>,
}

/// What `kiro-poll mcp` lets an agent do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// `--read-only`: no kiro_exec, no kiro_input.
    pub read_only: bool,
    /// `--allow`: the command-id globs kiro_exec may run (empty: any).
    pub allow: Vec<String>,
    /// `--offer-input`: kiro_input is offered.
    pub input: bool,
}

impl Access {
    /// Is the tool named so offered?
    pub fn offers(&self, tool: &str) -> bool {
        match tool {
            "kiro_exec" => !self.read_only,
            "kiro_input" => !self.read_only && self.input,
            _ => true,
        }
    }

    /// Why a tool that is not offered was refused, in an agent's terms.
    pub fn refusal(&self, tool: &str) -> String {
        let why = match self.read_only {
            true => "this MCP server is read-only (kiro-poll mcp --read-only)",
            false => "this MCP server was not started with --offer-input (no bridge tells an execution id)",
        };
        format!("{tool} is not offered: {why}. Nothing was run.")
    }

    /// May `kiro_exec` run this command? Err: why not, naming the rule.
    pub fn allows(&self, command: &str) -> Result<(), String> {
        if self.allow.is_empty()
            || self
                .allow
                .iter()
                .any(|p| wildmatch::WildMatch::new(p).matches(command))
        {
            return Ok(());
        }
        Err(format!(
            "kiro_exec: {} is not allowed: this MCP server runs only commands matching {} (kiro-poll mcp --allow). Nothing was run.",
            crate::sanitize::line(command),
            self.allow.join(", ")
        ))
    }
}

/// `demo`: how long, how many polls, how many simulated bridges, which bridge they play.
#[derive(Debug, Clone, Copy)]
pub struct DemoPlan {
    pub timeout: Option<Duration>,
    pub count: Option<u64>,
    pub instances: u32,
    pub like: Like,
    /// Where the simulators listen on 127.0.0.1: this port and the next ones (0: free ones).
    pub port: u16,
}

/// Which bridge a simulator plays: the spec's (reports `busy`, strong ETags), or the real one
/// of BEHAVIOUR.md (never `busy`, weak timestamped ETags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Like {
    #[default]
    Spec,
    Real,
}

/// The ETags a simulator sends: strong (as the spec shows), weak and timestamped (as the real
/// bridge does), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Etag {
    Strong,
    Weak,
    None,
}

/// How a simulated bridge behaves, whatever its scenario (`mock-bridge` flags); `Default` is
/// the spec's bridge, answering at once.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub latency: Duration,
    pub fail_rate: f64,
    pub server_timeout: Duration,
    pub etag: Etag,
    pub report_busy: bool,
    /// The bridge frees the slot of a command running this long (a 4th may start), while the
    /// command runs on and its request (and the connection of a 408) waits for its end.
    pub command_limit: Duration,
    pub api_key: Option<String>,
    pub verbose: u8,
}

impl Behaviour {
    /// The behaviour of the bridge `like` plays, before any explicit flag. Both keep
    /// connections as the real one does (idle ones closed after 5 s, one answered 408 destroyed
    /// when its command ends) and free a command's slot after 5 minutes; the real one also never
    /// reports `busy` and sends weak ETags that change with every answer.
    pub fn like(like: Like) -> Behaviour {
        match like {
            Like::Spec => Behaviour::default(),
            Like::Real => Behaviour {
                etag: Etag::Weak,
                report_busy: false,
                ..Behaviour::default()
            },
        }
    }
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            server_timeout: Duration::from_secs(30),
            etag: Etag::Strong,
            report_busy: true,
            command_limit: Duration::from_secs(5 * 60),
            api_key: None,
            verbose: 0,
        }
    }
}

/// `mock-bridge`: how the simulators behave and where they listen.
#[derive(Debug, Clone)]
pub struct MockPlan {
    /// A built-in scenario's name or a scenario file.
    pub scenario: String,
    pub behaviour: Behaviour,
    pub ip: std::net::IpAddr,
    /// The first port (0: each on a free port).
    pub port: u16,
    pub instances: u32,
    pub quiet: bool,
    /// Print each simulator's URL as a JSON line (scripts that asked for port 0 read them).
    pub json: bool,
}

/// Which jobs `list` returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub running: bool,
    /// A redacted URL or a name.
    pub bridge: Option<String>,
    /// The URL (redacted) the config file gives that name: its jobs run by URL match too.
    pub bridge_url: Option<String>,
    pub since: Since,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Since {
    #[default]
    All,
    /// Jobs sent since then.
    Time(SystemTime),
    /// Jobs changed after this cursor.
    Cursor(i64),
}

/// `--since`: a cursor (`c42`) or a duration (`1h`: jobs sent in the last hour).
pub fn parse_since(s: &str) -> Result<Since, String> {
    if let Some(n) = s.strip_prefix('c').and_then(|n| n.parse::<i64>().ok()) {
        return Ok(Since::Cursor(n));
    }
    match crate::units::parse_duration(s) {
        Ok(d) => Ok(Since::Time(
            SystemTime::now().checked_sub(d).unwrap_or(SystemTime::UNIX_EPOCH),
        )),
        Err(_) => Err(format!(
            "'{}' is neither a cursor (c42, as a previous listing gave) nor a duration (30m, 2h, 1d)",
            crate::sanitize::line(s)
        )),
    }
}
