//! Prometheus metrics of a watch (`--metrics`): a `prometheus-client` registry with one set of
//! series per bridge, fed from what the engine saw after each poll. Every series has a `bridge`
//! label; no label takes values the bridge chooses freely except `version` in
//! `kiro_bridge_info`, and every label value is sanitized and cut to 128 characters, long
//! names kept distinct by a hash (the encoder escapes quotes and backslashes). `serve` puts it
//! on HTTP.

pub mod serve;

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::engine::Engine;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::KiroState;

/// Longest label value, in characters.
pub const LABEL_MAX: usize = 128;

/// A label value as safe to print as text output is (control characters made visible, secrets
/// redacted) and at most LABEL_MAX characters. A value cut short ends in `~` and a hash of the
/// whole, so two long names that differ only past the cut stay two series.
fn label(s: &str) -> String {
    let clean = crate::sanitize::line_whole(s);
    if clean.chars().count() <= LABEL_MAX {
        return clean.into_owned();
    }
    // FNV-1a: stable across runs and platforms, so a series keeps its name.
    let hash = clean.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut out: String = clean.chars().take(LABEL_MAX - 9).collect();
    out.push_str(&format!("~{:08x}", hash as u32));
    out
}

/// A bridge's own labels (from its bridges file), after `bridge` on each of its series.
type Extra = Vec<(String, String)>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Bridge {
    bridge: String,
    #[prometheus(flatten)]
    extra: Extra,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BridgeState {
    bridge: String,
    #[prometheus(flatten)]
    extra: Extra,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BridgeVersion {
    bridge: String,
    #[prometheus(flatten)]
    extra: Extra,
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BridgeKind {
    bridge: String,
    #[prometheus(flatten)]
    extra: Extra,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HookResult {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShardLabels {
    shard: String,
    shards: String,
}

type FGauge = Gauge<f64, AtomicU64>;
type Hist = Family<Bridge, Histogram, fn() -> Histogram>;

/// What the exporter shows besides each bridge's series.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsOptions {
    /// A request-duration and a command-duration histogram per bridge (30 more lines each);
    /// without, one of each for the whole fleet.
    pub per_bridge_histograms: bool,
    /// `--shard K/N`: shown as `kiro_poll_shard_info`.
    pub shard: Option<(u32, u32)>,
}

const KIRO_STATES: [KiroState; 3] = [KiroState::Ready, KiroState::Busy, KiroState::Unavailable];
const CIRCUIT: [(CircuitState, &str); 3] = [
    (CircuitState::Closed, "closed"),
    (CircuitState::Open, "open"),
    (CircuitState::HalfOpen, "half_open"),
];

/// The families, each registered once.
struct Families {
    up: Family<Bridge, Gauge>,
    state: Family<BridgeState, Gauge>,
    info: Family<BridgeVersion, Gauge>,
    available: Family<Bridge, Gauge>,
    busy: Family<Bridge, FGauge>,
    finished: Family<Bridge, Counter>,
    command_duration: Hist,
    requests: Family<Bridge, Counter>,
    not_modified: Family<Bridge, Counter>,
    errors: Family<BridgeKind, Counter>,
    bytes: Family<Bridge, Counter>,
    request_duration: Hist,
    circuit: Family<BridgeState, Gauge>,
    last_success: Family<Bridge, FGauge>,
    /// Without per-bridge histograms: the fleet's, which every bridge's series feeds.
    fleet_command_duration: Histogram,
    fleet_request_duration: Histogram,
    per_bridge_histograms: bool,
    reload_ok: Gauge,
    reload_at: FGauge,
    hook_runs: Family<HookResult, Counter>,
}

fn command_buckets() -> Histogram {
    Histogram::new([
        1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ])
}

fn request_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

impl Families {
    fn register(r: &mut Registry, opts: MetricsOptions) -> Families {
        let f = Families {
            up: Family::default(),
            state: Family::default(),
            info: Family::default(),
            available: Family::default(),
            busy: Family::default(),
            finished: Family::default(),
            command_duration: Family::new_with_constructor(command_buckets),
            requests: Family::default(),
            not_modified: Family::default(),
            errors: Family::default(),
            bytes: Family::default(),
            request_duration: Family::new_with_constructor(request_buckets),
            circuit: Family::default(),
            last_success: Family::default(),
            fleet_command_duration: command_buckets(),
            fleet_request_duration: request_buckets(),
            per_bridge_histograms: opts.per_bridge_histograms,
            reload_ok: Gauge::default(),
            reload_at: FGauge::default(),
            hook_runs: Family::default(),
        };
        let per_bridge = opts.per_bridge_histograms;
        r.register(
            "kiro_bridge_up",
            "1 when the last poll of the bridge was answered",
            f.up.clone(),
        );
        r.register(
            "kiro_bridge_state",
            "1 for the state Kiro is in, 0 for the others",
            f.state.clone(),
        );
        r.register(
            "kiro_bridge_info",
            "The bridge's Kiro version (value always 1)",
            f.info.clone(),
        );
        r.register(
            "kiro_bridge_available_commands",
            "Commands the bridge offers",
            f.available.clone(),
        );
        r.register(
            "kiro_bridge_busy_seconds",
            "How long the current command has been seen running (0 when idle)",
            f.busy.clone(),
        );
        r.register(
            "kiro_bridge_commands_finished",
            "Commands seen to finish",
            f.finished.clone(),
        );
        let help = "Observed durations of finished commands";
        match per_bridge {
            true => r.register(
                "kiro_bridge_command_duration_seconds",
                help,
                f.command_duration.clone(),
            ),
            false => r.register(
                "kiro_bridge_command_duration_seconds",
                help,
                f.fleet_command_duration.clone(),
            ),
        }
        r.register("kiro_poll_requests", "Status polls sent", f.requests.clone());
        r.register(
            "kiro_poll_not_modified",
            "Polls answered 304 Not Modified",
            f.not_modified.clone(),
        );
        r.register(
            "kiro_poll_errors",
            "Failed polls, by kind of failure",
            f.errors.clone(),
        );
        r.register(
            "kiro_poll_response_bytes",
            "Response body bytes received",
            f.bytes.clone(),
        );
        let help = "Time from sending a poll to its answer or failure";
        match per_bridge {
            true => r.register(
                "kiro_poll_request_duration_seconds",
                help,
                f.request_duration.clone(),
            ),
            false => r.register(
                "kiro_poll_request_duration_seconds",
                help,
                f.fleet_request_duration.clone(),
            ),
        }
        r.register(
            "kiro_poll_circuit_state",
            "1 for the circuit breaker's state, 0 for the others",
            f.circuit.clone(),
        );
        r.register(
            "kiro_poll_last_success_timestamp_seconds",
            "Unix time of the last answered poll",
            f.last_success.clone(),
        );
        r.register(
            "kiro_poll_config_last_reload_successful",
            "1 when the last reading of the bridges file succeeded",
            f.reload_ok.clone(),
        );
        r.register(
            "kiro_poll_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful reading of the bridges file",
            f.reload_at.clone(),
        );
        r.register(
            "kiro_poll_hook_runs",
            "Hooks (--on) run, by result: ok, failed (non-zero, killed, timed out, not started), dropped (queue full)",
            f.hook_runs.clone(),
        );
        if let Some((k, n)) = opts.shard {
            let info: Family<ShardLabels, Gauge> = Family::default();
            let labels = ShardLabels {
                shard: k.to_string(),
                shards: n.to_string(),
            };
            info.get_or_create(&labels).set(1);
            r.register(
                "kiro_poll_shard_info",
                "The shard of the bridges file this exporter watches (value always 1)",
                info,
            );
        }
        f.reload_ok.set(1);
        f
    }
}

/// One bridge's series, looked up once.
struct Series {
    /// Its `bridge` label and its own labels: every label set of its series starts so.
    key: Bridge,
    name: String,
    up: Gauge,
    state: [Gauge; 3],
    available: Gauge,
    busy: FGauge,
    finished: Counter,
    command_duration: Histogram,
    requests: Counter,
    not_modified: Counter,
    bytes: Counter,
    request_duration: Histogram,
    circuit: [Gauge; 3],
    last_success: FGauge,
    version: Mutex<Option<String>>,
    /// The kinds of failure counted, whose series go with the bridge.
    kinds: Mutex<Vec<&'static str>>,
}

impl Series {
    fn new(f: &Families, name: &str, own: &[(String, String)]) -> Series {
        let extra: Extra = own.iter().map(|(k, v)| (k.clone(), label(v))).collect();
        let b = Bridge {
            bridge: label(name),
            extra,
        };
        let st = |fam: &Family<BridgeState, Gauge>, state| {
            fam.get_or_create_owned(&BridgeState {
                bridge: b.bridge.clone(),
                extra: b.extra.clone(),
                state,
            })
        };
        let hist = |fam: &Hist, fleet: &Histogram| match f.per_bridge_histograms {
            true => fam.get_or_create_owned(&b),
            false => fleet.clone(),
        };
        let s = Series {
            key: b.clone(),
            name: b.bridge.clone(),
            up: f.up.get_or_create_owned(&b),
            state: KIRO_STATES.map(|k| st(&f.state, k.as_str())),
            available: f.available.get_or_create_owned(&b),
            busy: f.busy.get_or_create_owned(&b),
            finished: f.finished.get_or_create_owned(&b),
            command_duration: hist(&f.command_duration, &f.fleet_command_duration),
            requests: f.requests.get_or_create_owned(&b),
            not_modified: f.not_modified.get_or_create_owned(&b),
            bytes: f.bytes.get_or_create_owned(&b),
            request_duration: hist(&f.request_duration, &f.fleet_request_duration),
            circuit: CIRCUIT.map(|(_, n)| st(&f.circuit, n)),
            last_success: f.last_success.get_or_create_owned(&b),
            version: Mutex::new(None),
            kinds: Mutex::new(Vec::new()),
        };
        s.circuit[0].set(1);
        s
    }

    fn with_state(&self, state: &'static str) -> BridgeState {
        BridgeState {
            bridge: self.key.bridge.clone(),
            extra: self.key.extra.clone(),
            state,
        }
    }

    /// Take every series of this bridge out of the families (it left the bridges file).
    fn remove(&self, f: &Families) {
        let b = &self.key;
        for fam in [&f.up, &f.available] {
            fam.remove(b);
        }
        for fam in [&f.busy, &f.last_success] {
            fam.remove(b);
        }
        for fam in [&f.finished, &f.requests, &f.not_modified, &f.bytes] {
            fam.remove(b);
        }
        f.command_duration.remove(b);
        f.request_duration.remove(b);
        for k in KIRO_STATES {
            f.state.remove(&self.with_state(k.as_str()));
        }
        for (_, n) in CIRCUIT {
            f.circuit.remove(&self.with_state(n));
        }
        if let Some(v) = self.version.lock().unwrap_or_else(|p| p.into_inner()).take() {
            f.info.remove(&BridgeVersion {
                bridge: b.bridge.clone(),
                extra: b.extra.clone(),
                version: v,
            });
        }
        for kind in self.kinds.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            f.errors.remove(&BridgeKind {
                bridge: b.bridge.clone(),
                extra: b.extra.clone(),
                kind,
            });
        }
    }
}

/// What one poll came to, for the counters.
#[derive(Debug, Clone, Copy)]
pub struct Poll {
    /// Time from sending to the answer or failure.
    pub took: Duration,
    /// Answered: body bytes and whether it was a 304. Failed: the kind of failure.
    pub answer: Result<(u64, bool), &'static str>,
}

impl Poll {
    pub fn of(res: &Result<crate::client::StatusFetch, crate::error::BridgeError>, took: Duration) -> Poll {
        Poll {
            took,
            answer: match res {
                Ok(f) => Ok((f.bytes, f.not_modified)),
                Err(e) => Err(e.kind().as_str()),
            },
        }
    }
}

/// The registry of a watch and the series of each of its bridges, by the watch's slot (a
/// bridge removed by a reload leaves its slot empty until another takes it).
pub struct Metrics {
    registry: Registry,
    families: Families,
    bridges: std::sync::RwLock<Vec<Option<Series>>>,
}

impl Metrics {
    /// The registry with the series of `bridges` (name and own labels), indexed from 0.
    pub fn new<'a>(
        bridges: impl IntoIterator<Item = (&'a str, &'a [(String, String)])>,
        opts: MetricsOptions,
    ) -> Metrics {
        let mut registry = Registry::default();
        let families = Families::register(&mut registry, opts);
        // The start's reading of the bridges file was the first good one: its time, as
        // Prometheus's own gauge has, so a "config is stale" alert does not fire at once.
        let started = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
        families.reload_at.set(started.unwrap_or_default().as_secs_f64());
        let bridges = bridges
            .into_iter()
            .map(|(n, own)| Some(Series::new(&families, n, own)))
            .collect();
        Metrics {
            registry,
            families,
            bridges: std::sync::RwLock::new(bridges),
        }
    }

    /// A bridge a reload added: its series, in the watch's slot `i` for it (new, or one a
    /// removed bridge left).
    pub fn add_at(&self, i: usize, name: &str, own: &[(String, String)]) {
        let mut bridges = self.bridges.write().unwrap_or_else(|p| p.into_inner());
        if i >= bridges.len() {
            bridges.resize_with(i + 1, || None);
        }
        bridges[i] = Some(Series::new(&self.families, name, own));
    }

    /// A bridge a reload removed: its series go.
    pub fn remove(&self, i: usize) {
        let mut bridges = self.bridges.write().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = bridges.get_mut(i).and_then(Option::take) {
            s.remove(&self.families);
        }
    }

    /// A hook came to `result` (`ok`, `failed`, `dropped`).
    pub fn hook_ran(&self, result: &'static str) {
        self.families
            .hook_runs
            .get_or_create(&HookResult { result })
            .inc();
    }

    /// The bridges file was read again: `ok` whether it was good (then at `wall`).
    pub fn reloaded(&self, ok: bool, wall: SystemTime) {
        self.families.reload_ok.set(i64::from(ok));
        if ok {
            let unix = wall.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
            self.families.reload_at.set(unix.as_secs_f64());
        }
    }

    /// After a poll of bridge `i`: the engine has taken it in and produced `events`.
    pub fn observe(
        &self,
        i: usize,
        engine: &Engine,
        poll: Poll,
        events: &[Event],
        now: Instant,
        wall: SystemTime,
    ) {
        let bridges = self.bridges.read().unwrap_or_else(|p| p.into_inner());
        let Some(Some(s)) = bridges.get(i) else { return };
        s.requests.inc();
        s.request_duration.observe(poll.took.as_secs_f64());
        match poll.answer {
            Ok((bytes, not_modified)) => {
                s.up.set(1);
                s.bytes.inc_by(bytes);
                if not_modified {
                    s.not_modified.inc();
                }
                let unix = wall.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
                s.last_success.set(unix.as_secs_f64());
                self.status(s, engine, now);
            }
            Err(kind) => {
                s.up.set(0);
                // While down no state is current: the last one seen would count the bridge
                // ready (or keep "unavailable" firing) for as long as it is gone.
                for g in &s.state {
                    g.set(0);
                }
                s.busy.set(0.0);
                let key = BridgeKind {
                    bridge: s.name.clone(),
                    extra: s.key.extra.clone(),
                    kind,
                };
                self.families.errors.get_or_create(&key).inc();
                let mut kinds = s.kinds.lock().unwrap_or_else(|p| p.into_inner());
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
        }
        for e in events {
            match &e.kind {
                EventKind::CommandFinished { duration_ms, .. } => {
                    s.finished.inc();
                    s.command_duration.observe(*duration_ms as f64 / 1000.0);
                }
                EventKind::Circuit { state, .. } => {
                    for (g, (c, _)) in s.circuit.iter().zip(CIRCUIT) {
                        g.set(i64::from(c == *state));
                    }
                }
                _ => {}
            }
        }
    }

    fn status(&self, s: &Series, engine: &Engine, now: Instant) {
        let Some(status) = engine.current() else { return };
        for (g, k) in s.state.iter().zip(KIRO_STATES) {
            g.set(i64::from(k == status.status));
        }
        s.available.set(status.available_commands.len() as i64);
        s.busy
            .set(engine.running_for(now).map_or(0.0, |(_, d)| d.as_secs_f64()));
        let version = status.version.as_deref().map(label);
        let mut shown = s.version.lock().unwrap_or_else(|p| p.into_inner());
        if *shown != version {
            if let Some(old) = shown.take() {
                self.families.info.remove(&BridgeVersion {
                    bridge: s.name.clone(),
                    extra: s.key.extra.clone(),
                    version: old,
                });
            }
            if let Some(v) = &version {
                let key = BridgeVersion {
                    bridge: s.name.clone(),
                    extra: s.key.extra.clone(),
                    version: v.clone(),
                };
                self.families.info.get_or_create(&key).set(1);
            }
            *shown = version;
        }
    }

    /// The exposition: OpenMetrics text, or (`openmetrics` false) the Prometheus text format.
    pub fn encode(&self, openmetrics: bool) -> String {
        let n = self.bridges.read().map_or(0, |b| b.len());
        let mut text = String::with_capacity(n * 2048 + 4096);
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        if openmetrics {
            text
        } else {
            prometheus_text(&text)
        }
    }
}

/// The Prometheus text format (0.0.4) from OpenMetrics text: no `# EOF` or `# UNIT`, and a
/// counter's HELP and TYPE name its `_total` series.
pub fn prometheus_text(om: &str) -> String {
    let counters: Vec<&str> = om
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(om.len());
    for line in om.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "].into_iter().find_map(|p| {
            let rest = line.strip_prefix(p)?;
            let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            counters
                .contains(&name)
                .then(|| format!("{p}{name}_total {tail}"))
        });
        match meta {
            Some(m) => out.push_str(&m),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
