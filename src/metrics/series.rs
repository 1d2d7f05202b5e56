//! One bridge's series in each family, looked up once when it is added (and removed with it),
//! so an observation touches no map.

use std::sync::Mutex;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;

use super::families::*;

/// One bridge's series, looked up once.
pub(super) struct Series {
    /// Its `bridge` label and its own labels: every label set of its series starts so.
    pub(super) key: Bridge,
    pub(super) name: String,
    pub(super) up: Gauge,
    pub(super) state: [Gauge; 3],
    pub(super) available: Gauge,
    pub(super) busy: FGauge,
    pub(super) finished: Counter,
    pub(super) command_duration: Histogram,
    pub(super) requests: Counter,
    pub(super) not_modified: Counter,
    pub(super) bytes: Counter,
    pub(super) request_duration: Histogram,
    pub(super) circuit: [Gauge; 3],
    pub(super) last_success: FGauge,
    pub(super) version: Mutex<Option<String>>,
    /// The kinds of failure counted, whose series go with the bridge.
    pub(super) kinds: Mutex<Vec<&'static str>>,
}

impl Series {
    pub(super) fn new(f: &Families, name: &str, own: &[(String, String)]) -> Series {
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

    pub(super) fn with_state(&self, state: &'static str) -> BridgeState {
        BridgeState {
            bridge: self.key.bridge.clone(),
            extra: self.key.extra.clone(),
            state,
        }
    }

    /// Take every series of this bridge out of the families (it left the bridges file).
    pub(super) fn remove(&self, f: &Families) {
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
