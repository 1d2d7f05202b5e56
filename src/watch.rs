//! `watch`: the I/O side of polling. It asks the engine when to poll, sends the one status
//! request (never two at once), hands the answer back, prints the events, and listens for
//! signals, the deadline, heartbeats and the status-line tick. All decisions are the engine's.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use clap::ValueEnum;

use crate::cli::WatchArgs;
use crate::client::{BridgeClient, StatusFetch};
use crate::config::Config;
use crate::engine::{Engine, EngineConfig, Failure, Stop};
use crate::error::{BridgeError, Outcome};
use crate::output::view::{Mode, WatchView};
use crate::signals::{Sig, Signals};

pub fn engine_config(args: &WatchArgs) -> EngineConfig {
    EngineConfig {
        interval_ready: args.interval_ready,
        interval_busy: args.interval_busy,
        interval_unavailable: args.interval_unavailable,
        interval_error: args.interval_error,
        max_backoff: args.max_backoff,
        breaker_recovery: args.max_backoff,
        backoff_base: Duration::from_secs(5).min(args.max_backoff),
        stall_after: args.stall_after,
        history: args.history as usize,
        until: args.until.clone(),
        count: args.count,
        timeout: args.timeout,
        ..EngineConfig::default()
    }
}

enum End {
    Stop(Stop),
    /// The engine stopped on a fatal failure: this is the error that caused it.
    Fatal(BridgeError),
    Timeout,
    Signal(Sig),
}

type StatusFuture<'a> = Pin<Box<dyn Future<Output = Result<StatusFetch, BridgeError>> + 'a>>;

/// Await the in-flight poll, or never when there is none.
async fn in_flight(f: &mut Option<StatusFuture<'_>>) -> Result<StatusFetch, BridgeError> {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// Follow the bridge until the engine says stop, the deadline passes, or a signal arrives.
/// `demo` runs this same loop against its built-in simulator.
pub async fn run(client: &BridgeClient, config: &Config, args: &WatchArgs) -> anyhow::Result<()> {
    let mut view = WatchView::new(config);
    let mut signals = Signals::install()?;
    let started = Instant::now();
    let mut engine = Engine::new(engine_config(args), started.into_std());
    let far = started + Duration::from_secs(100 * 365 * 24 * 3600);
    let deadline = engine.deadline().map(Instant::from_std).unwrap_or(far);
    // A heartbeat only where nothing else shows life: stdout not a terminal.
    let heartbeat = args.heartbeat.filter(|_| view.mode() != Mode::Live);
    let mut last_line = Instant::now();
    let mut poll: Option<StatusFuture<'_>> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let live = view.has_status_line();

    let end = loop {
        let due = Instant::from_std(engine.next_poll_at());
        let beat_at = heartbeat.map(|h| last_line + h).unwrap_or(far);
        tokio::select! {
            biased;
            sig = signals.recv() => {
                if sig == Sig::Continue {
                    engine.poll_now(Instant::now().into_std());
                    continue;
                }
                break End::Signal(sig);
            }
            _ = tokio::time::sleep_until(deadline) => break End::Timeout,
            res = in_flight(&mut poll) => {
                poll = None;
                let now = Instant::now().into_std();
                let (step, failure) = match res {
                    Ok(fetch) => (engine.on_success(now, SystemTime::now(), fetch.status), None),
                    Err(e) => (engine.on_failure(now, SystemTime::now(), &Failure::from(&e)), Some(e)),
                };
                if !step.events.is_empty() {
                    view.events(&step.events)?;
                    last_line = Instant::now();
                }
                match (step.stop, failure) {
                    (Some(Stop::Fatal(_)), Some(e)) => break End::Fatal(e),
                    (Some(stop), _) => break End::Stop(stop),
                    (None, _) => {}
                }
                view.redraw(&engine, now, client.stats.snapshot());
            }
            _ = tokio::time::sleep_until(due), if poll.is_none() => {
                if let Some(events) = engine.start_poll(Instant::now().into_std(), SystemTime::now()) {
                    view.events(&events)?;
                    poll = Some(Box::pin(client.status()));
                    view.redraw(&engine, Instant::now().into_std(), client.stats.snapshot());
                }
            }
            _ = tokio::time::sleep_until(beat_at), if heartbeat.is_some() => {
                view.event(&engine.heartbeat(SystemTime::now()))?;
                last_line = Instant::now();
            }
            _ = tick.tick(), if live => {
                view.redraw(&engine, Instant::now().into_std(), client.stats.snapshot());
            }
        }
    };
    drop(poll);

    let now = Instant::now().into_std();
    let reason = match &end {
        End::Stop(Stop::Until(u)) => {
            format!(
                "until {}",
                u.to_possible_value()
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            )
        }
        End::Stop(Stop::Count) => "count reached".into(),
        End::Fatal(_) | End::Stop(Stop::Fatal(_)) => "authentication rejected".into(),
        End::Timeout => "timed out".into(),
        End::Signal(Sig::Interrupt) => "interrupted".into(),
        End::Signal(_) => "terminated".into(),
    };
    view.finish();
    view.event(&engine.summary(now, SystemTime::now(), client.stats.snapshot(), &reason))?;

    match end {
        End::Fatal(e) => Err(e.into()),
        End::Stop(Stop::Fatal(msg)) => Err(anyhow::anyhow!(msg)),
        End::Stop(_) => Ok(()),
        End::Timeout => {
            let msg = engine.timed_out(now).unwrap_or_else(|| engine.last_seen(now));
            Err(Outcome::TimedOut(msg).into())
        }
        End::Signal(sig) => Err(Outcome::Interrupted {
            code: sig.exit_code(),
        }
        .into()),
    }
}
