//! Prometheus metrics of a watch (`--metrics`): a `prometheus-client` registry with one set of
//! series per bridge, fed from what the engine saw after each poll. Every series has a `bridge`
//! label; no label takes values the bridge chooses freely except `version` in
//! `kiro_bridge_info`, and every label value is sanitized and cut to 128 characters, long
//! names kept distinct by a hash (the encoder escapes quotes and backslashes). `serve` puts it
//! on HTTP. The families are `families.rs`'s, each bridge's series `series.rs`'s; here what
//! a poll observed goes into them.

mod families;
mod series;
pub mod serve;

use families::*;
pub use families::{MetricsOptions, LABEL_MAX};
use series::Series;

use std::time::{Duration, Instant, SystemTime};

use prometheus_client::registry::Registry;

use crate::engine::Engine;
use crate::events::{Event, EventKind};

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
