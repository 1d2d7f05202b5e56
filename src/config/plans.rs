//! The command line turned into the plans the commands run with: a flag given wins, then what
//! the bridges file set for that bridge (or its `[defaults]`), then PRODUCT.md's defaults. The
//! only place that reads clap's argument types after `Config::resolve`.

use std::time::Duration;

use super::Config;
use crate::bridges::Intervals;
use crate::cli::{DemoArgs, EtagMode, ExecArgs, MockArgs, WatchArgs};
use crate::engine::EngineConfig;
use crate::error::UsageError;
use crate::plan::{DemoPlan, Etag, ExecPlan, MockPlan, WatchPlan};

/// The plan of `watch` over the configured bridges (one or many).
pub fn watch(args: &WatchArgs, config: &Config) -> WatchPlan {
    WatchPlan {
        engines: config
            .bridges
            .iter()
            .map(|b| engine(args, &b.intervals))
            .collect(),
        until: args.until.iter().map(|&u| u.into()).collect(),
        timeout: args.timeout,
        heartbeat: args.heartbeat,
        metrics: args.metrics,
        metrics_histograms: args.metrics_histograms,
        max_in_flight: args.max_in_flight as usize,
    }
}

/// One bridge's engine policy.
fn engine(args: &WatchArgs, file: &Intervals) -> EngineConfig {
    let d = EngineConfig::default();
    let pick = |flag: Option<Duration>, file: Option<Duration>, default| flag.or(file).unwrap_or(default);
    let max_backoff = pick(args.max_backoff, file.max_backoff, d.max_backoff);
    EngineConfig {
        interval_ready: pick(args.interval_ready, file.interval_ready, d.interval_ready),
        interval_busy: pick(args.interval_busy, file.interval_busy, d.interval_busy),
        interval_unavailable: pick(
            args.interval_unavailable,
            file.interval_unavailable,
            d.interval_unavailable,
        ),
        interval_error: pick(args.interval_error, file.interval_error, d.interval_error),
        max_backoff,
        breaker_recovery: max_backoff,
        backoff_base: Duration::from_secs(5).min(max_backoff),
        stall_after: pick(args.stall_after, file.stall_after, d.stall_after),
        count: args.count,
        ..d
    }
}

pub fn exec(args: &ExecArgs) -> Result<ExecPlan, UsageError> {
    if args.command.trim().is_empty() {
        return Err(UsageError(
            "invalid value '' for '<COMMAND>': a command id is required".into(),
        ));
    }
    Ok(ExecPlan {
        command: args.command.clone(),
        args: args.args.clone(),
        workspace: args.workspace.clone(),
        wait: args.wait,
        timeout: args.timeout,
        follow_interval: args.follow_interval,
    })
}

pub fn demo(args: &DemoArgs) -> DemoPlan {
    DemoPlan {
        timeout: args.timeout,
        count: args.count,
        instances: args.instances,
    }
}

/// `mock-bridge`: how the simulators behave and where they listen.
pub fn mock(args: &MockArgs, config: &Config) -> Result<MockPlan, UsageError> {
    let ip: std::net::IpAddr = match args.host.as_str() {
        "localhost" => std::net::Ipv4Addr::LOCALHOST.into(),
        h => h
            .parse()
            .map_err(|_| UsageError(format!("invalid value '{h}' for '--host': not an IP address")))?,
    };
    Ok(MockPlan {
        scenario: args.scenario.clone(),
        latency: args.latency,
        fail_rate: args.fail_rate,
        server_timeout: args.server_timeout,
        etag: etag(args.etag),
        report_busy: args.report_busy,
        api_key: config.api_key.as_ref().map(|k| k.expose().to_owned()),
        verbose: config.verbose,
        ip,
        port: args.port,
        instances: args.instances,
        quiet: config.quiet,
        json: config.json,
    })
}

fn etag(mode: EtagMode) -> Etag {
    match mode {
        EtagMode::Strong => Etag::Strong,
        EtagMode::Weak => Etag::Weak,
        EtagMode::None => Etag::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn watch_args(extra: &[&str]) -> WatchArgs {
        let argv = ["kiro-poll", "watch"].iter().chain(extra).copied();
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Watch(w) => w,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_flag_wins_then_the_file_then_the_default() {
        let file = Intervals {
            interval_ready: Some(Duration::from_secs(3)),
            interval_busy: Some(Duration::from_secs(4)),
            ..Intervals::default()
        };
        let e = engine(&watch_args(&["--interval-busy", "1s"]), &file);
        assert_eq!(e.interval_busy, Duration::from_secs(1), "the flag");
        assert_eq!(e.interval_ready, Duration::from_secs(3), "the file");
        assert_eq!(e.interval_unavailable, Duration::from_secs(30), "the default");
        let e = engine(&watch_args(&["--max-backoff", "2s"]), &Intervals::default());
        assert_eq!(e.backoff_base, Duration::from_secs(2), "never above the cap");
    }

    #[test]
    fn an_empty_command_is_a_usage_error() {
        let argv = ["kiro-poll", "exec", " "];
        let Command::Exec(a) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!()
        };
        assert!(exec(&a).unwrap_err().0.contains("a command id is required"));
    }
}
