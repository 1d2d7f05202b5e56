//! The command line turned into the plans the commands run with: a flag given wins, then what
//! the bridges file set for that bridge (or its `[defaults]`), then PRODUCT.md's defaults. The
//! only place that reads clap's argument types after `Config::resolve`.

use super::Config;
use crate::bridges::Intervals;
use crate::cli::{DemoArgs, EtagMode, ExecArgs, InputArgs, LikeMode, McpArgs, MockArgs, PollArgs, WatchArgs};
use crate::error::UsageError;
use crate::plan::{
    Behaviour, DemoPlan, EngineFlags, Etag, ExecPlan, HookPlan, Like, McpPlan, MockPlan, WatchPlan,
};

/// The plan of `watch` over the configured bridges (one or many).
pub fn watch(args: &WatchArgs, config: &Config) -> Result<WatchPlan, UsageError> {
    let flags = flags(args);
    Ok(WatchPlan {
        engines: config
            .bridges
            .iter()
            .map(|b| flags.engine(&b.intervals))
            .collect(),
        flags,
        until: args.until.clone(),
        timeout: args.timeout,
        heartbeat: args.heartbeat,
        metrics: args.metrics,
        metrics_histograms: args.metrics_histograms,
        max_in_flight: args.max_in_flight as usize,
        hooks: hooks(args)?,
    })
}

/// `--on TYPES -- PROGRAM`: the types checked, `all` spelled out. A hook's own failure and
/// the summary run none: the first could run hooks for ever, the second comes when hooks no
/// longer run.
fn hooks(args: &WatchArgs) -> Result<Option<HookPlan>, UsageError> {
    if args.on.is_empty() {
        return Ok(None);
    }
    let not_hooked = ["hook_failed", "summary"];
    let mut types: Vec<&'static str> = Vec::new();
    for t in &args.on {
        let t = t.trim();
        if t == "all" {
            types.extend(crate::events::TYPES.iter().filter(|n| !not_hooked.contains(n)));
            continue;
        }
        let Some(&known) = crate::events::TYPES.iter().find(|n| **n == t) else {
            return Err(UsageError(format!(
                "invalid value '{}' for '--on <TYPES>': not an event type (all, or: {})",
                crate::sanitize::line(t),
                crate::events::TYPES
                    .iter()
                    .filter(|n| !not_hooked.contains(n))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if not_hooked.contains(&known) {
            return Err(UsageError(format!(
                "invalid value '{known}' for '--on <TYPES>': a {known} event runs no hook (the summary says how the hooks went)"
            )));
        }
        types.push(known);
    }
    types.sort_unstable();
    types.dedup();
    if args.program.first().is_none_or(|p| p.is_empty()) {
        return Err(UsageError(
            "'--on' needs a program after '--' (watch --on status_changed -- notify-send kiro)".into(),
        ));
    }
    Ok(Some(HookPlan {
        types,
        program: args.program.clone(),
        max: args.on_max as usize,
        timeout: args.on_timeout,
    }))
}

/// The engine flags as given.
fn flags(args: &WatchArgs) -> EngineFlags {
    EngineFlags {
        intervals: intervals(&args.polling),
        count: args.count,
    }
}

/// The polling flags as given.
fn intervals(p: &PollArgs) -> Intervals {
    Intervals {
        interval_ready: p.interval_ready,
        interval_busy: p.interval_busy,
        interval_unavailable: p.interval_unavailable,
        interval_error: p.interval_error,
        max_backoff: p.max_backoff,
        stall_after: p.stall_after,
    }
}

/// `mcp`: the status resource's engine (the polling flags over PRODUCT.md's defaults) and how
/// a `kiro_exec` wait follows the status.
pub fn mcp(args: &McpArgs, config: &Config) -> McpPlan {
    let flags = EngineFlags {
        intervals: intervals(&args.polling),
        count: None,
    };
    McpPlan {
        engine: flags.engine(&Intervals::default()),
        follow_interval: args.follow_interval,
        access: crate::plan::Access {
            read_only: args.read_only,
            allow: args.allow.clone(),
            input: args.offer_input,
        },
        bridge_name: config.bridge_name.clone(),
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
        wait: args.wait || args.detach,
        timeout: args.timeout,
        follow_interval: args.follow_interval,
        exit_status: args.exit_status,
        detach: args.detach,
    })
}

/// `input`: the request to send.
pub fn input(args: &InputArgs) -> crate::model::InputRequest {
    crate::model::InputRequest {
        value: args.value.clone(),
        kind: args.kind.into(),
        execution_id: args.execution_id.clone(),
    }
}

pub fn demo(args: &DemoArgs) -> DemoPlan {
    DemoPlan {
        timeout: args.timeout,
        count: args.count,
        instances: args.instances,
        like: like(args.like),
        port: args.port,
    }
}

fn like(mode: LikeMode) -> Like {
    match mode {
        LikeMode::Spec => Like::Spec,
        LikeMode::Real => Like::Real,
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
    let preset = Behaviour::like(like(args.like));
    Ok(MockPlan {
        scenario: args.scenario.clone(),
        behaviour: Behaviour {
            latency: args.latency,
            fail_rate: args.fail_rate,
            server_timeout: args.server_timeout,
            command_limit: args.command_limit,
            etag: args.etag.map_or(preset.etag, etag),
            report_busy: args.report_busy.unwrap_or(preset.report_busy),
            api_key: config.api_key.as_ref().map(|k| k.expose().to_owned()),
            verbose: config.verbose,
        },
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

/// `mock-bridge ctl`: the mock's base URL and the scenario step to apply now.
pub fn mock_ctl(args: &crate::cli::CtlArgs) -> (String, serde_json::Value) {
    use crate::cli::{CtlAction, CtlFault};
    use serde_json::json;
    let host = match args.host.parse::<std::net::Ipv6Addr>() {
        Ok(_) => format!("[{}]", args.host),
        Err(_) => args.host.clone(),
    };
    let step = match &args.action {
        CtlAction::Unavailable => json!({"available": false}),
        CtlAction::Available => json!({"available": true}),
        CtlAction::Version { to } => json!({"version": to}),
        CtlAction::Add { command } => json!({"addCommands": [command]}),
        CtlAction::Remove { command } => json!({"removeCommands": [command]}),
        CtlAction::Run { command } => json!({"run": command}),
        CtlAction::Fault { kind, lasts } => {
            let kind = match kind {
                CtlFault::RateLimit => "rate_limit",
                CtlFault::Drop => "drop",
                CtlFault::Malformed => "malformed",
                CtlFault::Error => "error",
            };
            json!({"fault": {"kind": kind, "for": format!("{}ms", lasts.as_millis())}})
        }
    };
    (format!("http://{host}:{}", args.port), step)
}

/// `jobs`: the job shown, or the filter (a `--bridge` URL as it is listed: parsed and
/// redacted, so `http://host:3001` is `http://host:3001/`).
/// `jobs`: `-b` names a bridge as the jobs recorded it, by name or URL; a name the config
/// file knows matches the jobs run on its URL too (a bridge it no longer names still filters).
pub fn jobs(args: &crate::cli::JobsArgs, bridge: Option<&str>, config: &Config) -> crate::plan::JobsPlan {
    let shown = |b: &str| match url::Url::parse(b) {
        Ok(u) => crate::sanitize::redact_url(&u),
        Err(_) => b.to_owned(),
    };
    let bridge_url = bridge.filter(|b| !b.contains("://")).and_then(|name| {
        let loaded = config
            .config_file
            .read(None, &crate::bridges::Keys::None)
            .ok()??;
        let b = loaded.bridges.into_iter().find(|b| b.name == name)?;
        Some(crate::sanitize::redact_url(&b.url))
    });
    let bridge = bridge.map(shown);
    crate::plan::JobsPlan {
        show: args.show.as_ref().map(|crate::cli::JobsCommand::Show { id }| *id),
        filter: crate::plan::Filter {
            running: args.running,
            bridge,
            bridge_url,
            since: args.since.unwrap_or_default(),
        },
        limit: args.limit as usize,
    }
}

/// Where the job store is and what it keeps: `--store`, else the platform's state directory;
/// none with `--no-store`.
pub fn store(args: &crate::cli::StoreArgs) -> crate::jobs::StorePlan {
    let path = match (args.no_store, &args.store) {
        (true, _) => None,
        (false, Some(p)) => Some(p.clone()),
        (false, None) => crate::jobs::store::default_path(),
    };
    crate::jobs::StorePlan {
        path,
        keep: crate::jobs::Keep {
            count: args.keep_jobs,
            age: args.keep_jobs_for,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;
    use std::time::Duration;

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
        let e = flags(&watch_args(&["--interval-busy", "1s"])).engine(&file);
        assert_eq!(e.interval_busy, Duration::from_secs(1), "the flag");
        assert_eq!(e.interval_ready, Duration::from_secs(3), "the file");
        assert_eq!(e.interval_unavailable, Duration::from_secs(30), "the default");
        let e = flags(&watch_args(&["--max-backoff", "2s"])).engine(&Intervals::default());
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
