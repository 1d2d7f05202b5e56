//! The metric families of a watch, each registered once, and the label sets they take: every
//! label value sanitized and cut to `LABEL_MAX` characters (`label`).

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::events::CircuitState;
use crate::model::KiroState;

/// Longest label value, in characters.
pub const LABEL_MAX: usize = 128;

/// A label value as safe to print as text output is (control characters made visible, secrets
/// redacted) and at most LABEL_MAX characters. A value cut short ends in `~` and a hash of the
/// whole, so two long names that differ only past the cut stay two series.
pub(super) fn label(s: &str) -> String {
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
pub(super) type Extra = Vec<(String, String)>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct Bridge {
    pub(super) bridge: String,
    #[prometheus(flatten)]
    pub(super) extra: Extra,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct BridgeState {
    pub(super) bridge: String,
    #[prometheus(flatten)]
    pub(super) extra: Extra,
    pub(super) state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct BridgeVersion {
    pub(super) bridge: String,
    #[prometheus(flatten)]
    pub(super) extra: Extra,
    pub(super) version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct BridgeKind {
    pub(super) bridge: String,
    #[prometheus(flatten)]
    pub(super) extra: Extra,
    pub(super) kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct HookResult {
    pub(super) result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct ShardLabels {
    pub(super) shard: String,
    pub(super) shards: String,
}

pub(super) type FGauge = Gauge<f64, AtomicU64>;
pub(super) type Hist = Family<Bridge, Histogram, fn() -> Histogram>;

/// What the exporter shows besides each bridge's series.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsOptions {
    /// A request-duration and a command-duration histogram per bridge (30 more lines each);
    /// without, one of each for the whole fleet.
    pub per_bridge_histograms: bool,
    /// `--shard K/N`: shown as `kiro_poll_shard_info`.
    pub shard: Option<(u32, u32)>,
}

pub(super) const KIRO_STATES: [KiroState; 3] = [KiroState::Ready, KiroState::Busy, KiroState::Unavailable];
pub(super) const CIRCUIT: [(CircuitState, &str); 3] = [
    (CircuitState::Closed, "closed"),
    (CircuitState::Open, "open"),
    (CircuitState::HalfOpen, "half_open"),
];

/// The families, each registered once.
pub(super) struct Families {
    pub(super) up: Family<Bridge, Gauge>,
    pub(super) state: Family<BridgeState, Gauge>,
    pub(super) info: Family<BridgeVersion, Gauge>,
    pub(super) available: Family<Bridge, Gauge>,
    pub(super) busy: Family<Bridge, FGauge>,
    pub(super) finished: Family<Bridge, Counter>,
    pub(super) command_duration: Hist,
    pub(super) requests: Family<Bridge, Counter>,
    pub(super) not_modified: Family<Bridge, Counter>,
    pub(super) errors: Family<BridgeKind, Counter>,
    pub(super) bytes: Family<Bridge, Counter>,
    pub(super) request_duration: Hist,
    pub(super) circuit: Family<BridgeState, Gauge>,
    pub(super) last_success: Family<Bridge, FGauge>,
    /// Without per-bridge histograms: the fleet's, which every bridge's series feeds.
    pub(super) fleet_command_duration: Histogram,
    pub(super) fleet_request_duration: Histogram,
    pub(super) per_bridge_histograms: bool,
    pub(super) reload_ok: Gauge,
    pub(super) reload_at: FGauge,
    pub(super) hook_runs: Family<HookResult, Counter>,
}

pub(super) fn command_buckets() -> Histogram {
    Histogram::new([
        1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ])
}

pub(super) fn request_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

impl Families {
    pub(super) fn register(r: &mut Registry, opts: MetricsOptions) -> Families {
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
