//! `kiro-poll demo`: the simulator on a free loopback port, watched in the same process with
//! intervals short enough to see something happen. It sits above `mock` and `watch` and only
//! puts them together.

use std::net::SocketAddr;
use std::time::Duration;

use crate::bridges::Bridge;
use crate::cli::DemoArgs;
use crate::client::{BridgeClient, ClientOptions};
use crate::config::Config;
use crate::engine::EngineConfig;
use crate::error::Exit;
use crate::fleet::{self, FleetPlan};
use crate::mock::{self, scenario::Scenario, MockSettings};
use crate::watch::{self, WatchSettings};

/// The demo's watch: quick enough to show a command run in a few seconds.
pub fn settings(args: &DemoArgs) -> WatchSettings {
    WatchSettings {
        engine: EngineConfig {
            interval_ready: Duration::from_secs(1),
            interval_busy: Duration::from_millis(500),
            interval_unavailable: Duration::from_secs(2),
            interval_error: Duration::from_secs(2),
            backoff_base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(5),
            breaker_recovery: Duration::from_secs(5),
            count: args.count,
            timeout: args.timeout,
            ..EngineConfig::default()
        },
        heartbeat: None,
        metrics: None,
    }
}

/// The demo's watch of several simulated bridges: every one with the demo's own settings.
fn fleet_plan(args: &DemoArgs, bridges: usize) -> FleetPlan {
    let s = settings(args);
    FleetPlan {
        engines: vec![s.engine.clone(); bridges],
        until: Vec::new(),
        timeout: s.engine.timeout,
        heartbeat: s.heartbeat,
        metrics: s.metrics,
        max_in_flight: 256,
    }
}

/// `demo --instances N`: N simulated bridges, each at its own point of the scenario, on the
/// fleet board.
async fn run_fleet(args: &DemoArgs, config: &Config) -> anyhow::Result<()> {
    let sim = MockSettings::new(Scenario::demo());
    let spawned = mock::spawn_many(&sim, [127, 0, 0, 1].into(), 0, args.instances).await?;
    let mut bridges = Vec::with_capacity(spawned.len());
    for (i, (addr, _)) in spawned.iter().enumerate() {
        bridges.push(Bridge {
            name: format!("kiro-{}", i + 1),
            url: url::Url::parse(&format!("http://{addr}"))?,
            api_key: None,
            intervals: Default::default(),
        });
    }
    if !config.quiet && !config.json {
        crate::output::log_line(&format!(
            "demo: {} simulated bridges on 127.0.0.1; watching them (Ctrl-C to stop)",
            bridges.len()
        ));
    }
    let config = Config {
        bridges,
        ..config.clone()
    };
    let plan = fleet_plan(args, config.bridges.len());
    match fleet::run(&config, &plan).await {
        Err(e) if e.downcast_ref::<Exit>().is_some_and(|x| x.code == 124) => Ok(()),
        other => other,
    }
}

pub async fn run(args: &DemoArgs, config: &Config) -> anyhow::Result<()> {
    if args.instances > 1 {
        return run_fleet(args, config).await;
    }
    let sim = MockSettings::new(Scenario::demo());
    let (addr, _task) = mock::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = url::Url::parse(&format!("http://{addr}"))?;
    if !config.quiet && !config.json {
        crate::output::log_line(&format!(
            "demo: a simulated bridge is running on {url}; watching it (Ctrl-C to stop)"
        ));
    }
    let client = BridgeClient::new(ClientOptions {
        base: url,
        api_key: None,
        request_timeout: config.request_timeout,
        verbose: config.verbose,
    })?;
    match watch::run(&client, config, &settings(args)).await {
        // The demo's own --timeout is how it is meant to end.
        Err(e) if e.downcast_ref::<Exit>().is_some_and(|x| x.code == 124) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_demo_runs_with_the_demo_settings_not_the_watch_defaults() {
        let args = DemoArgs {
            timeout: Some(Duration::from_secs(9)),
            count: None,
            instances: 3,
        };
        let plan = fleet_plan(&args, 3);
        assert_eq!(plan.engines.len(), 3);
        let one = settings(&args).engine;
        for e in &plan.engines {
            // It backed off from watch's 5 s when it was built from command-line flags.
            assert_eq!(e.backoff_base, Duration::from_secs(1));
            assert_eq!(e.interval_ready, one.interval_ready);
        }
        assert_eq!(plan.timeout, Some(Duration::from_secs(9)));
    }
}
