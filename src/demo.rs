//! `kiro-poll demo`: simulators on free loopback ports, watched in the same process with
//! intervals short enough to see something happen. It sits above `mock` and `watch` and only
//! puts them together: the simulators become the bridges, and the demo's plan the watch's.

use std::time::Duration;

use crate::bridges::Bridge;
use crate::config::Config;
use crate::engine::EngineConfig;
use crate::error::{Ending, Failure};
use crate::mock::{self, scenario::Scenario, MockSettings};
use crate::plan::{DemoPlan, WatchPlan};

/// The demo's engine: quick enough to show a command run in a few seconds.
fn engine(plan: DemoPlan) -> EngineConfig {
    EngineConfig {
        interval_ready: Duration::from_secs(1),
        interval_busy: Duration::from_millis(500),
        interval_unavailable: Duration::from_secs(2),
        interval_error: Duration::from_secs(2),
        backoff_base: Duration::from_secs(1),
        max_backoff: Duration::from_secs(5),
        breaker_recovery: Duration::from_secs(5),
        count: plan.count,
        ..EngineConfig::default()
    }
}

/// The demo's watch of `bridges` simulators: every one with the demo's engine.
fn watch_plan(plan: DemoPlan, bridges: usize) -> WatchPlan {
    WatchPlan {
        engines: vec![engine(plan); bridges],
        flags: Default::default(),
        until: Vec::new(),
        timeout: plan.timeout,
        heartbeat: None,
        metrics: None,
        metrics_histograms: false,
        max_in_flight: 256,
        hooks: None,
    }
}

pub async fn run(plan: DemoPlan, config: &Config) -> Result<(), Failure> {
    let sim = MockSettings {
        behaviour: crate::plan::Behaviour::like(plan.like),
        ..MockSettings::new(Scenario::demo())
    };
    let spawned = mock::spawn_many(&sim, [127, 0, 0, 1].into(), plan.port, plan.instances).await?;
    let mut bridges = Vec::with_capacity(spawned.len());
    for (i, (addr, _)) in spawned.iter().enumerate() {
        bridges.push(Bridge {
            name: match spawned.len() {
                1 => addr.to_string(),
                _ => format!("kiro-{}", i + 1),
            },
            url: url::Url::parse(&format!("http://{addr}")).expect("an address is a URL's host"),
            api_key: None,
            intervals: Default::default(),
            labels: Vec::new(),
        });
    }
    if !config.quiet && !config.json {
        crate::output::tell(crate::output::Notice::DemoRunning {
            first: bridges[0].url.as_str(),
            count: bridges.len(),
            like_real: plan.like == crate::plan::Like::Real,
        });
    }
    let config = Config {
        url: bridges[0].url.clone(),
        api_key: None,
        bridges,
        source: crate::config::Source::Urls,
        shard: None,
        ..config.clone()
    };
    match crate::watch::run(&config, &watch_plan(plan, config.bridges.len())).await {
        // The demo's own --timeout is how it is meant to end.
        Err(Failure {
            ending: Ending::TimedOut,
            ..
        }) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_runs_with_its_own_settings_not_the_watch_defaults() {
        let demo = DemoPlan {
            timeout: Some(Duration::from_secs(9)),
            count: None,
            instances: 3,
            like: Default::default(),
            port: 0,
        };
        let plan = watch_plan(demo, 3);
        assert_eq!(plan.engines.len(), 3);
        for e in &plan.engines {
            // It backed off from watch's 5 s when it was built from command-line flags.
            assert_eq!(e.backoff_base, Duration::from_secs(1));
            assert_eq!(e.interval_ready, Duration::from_secs(1));
        }
        assert_eq!(plan.timeout, Some(Duration::from_secs(9)));
    }
}
