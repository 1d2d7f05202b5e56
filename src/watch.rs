//! `watch`: the I/O side of polling. It asks the engine when to poll, sends the one status
//! request (never two at once), hands the answer back, hands the events to the view, and
//! listens for signals, the deadline, heartbeats, a reader that went away and the status-line
//! tick. All decisions are the engine's; all looks are the view's.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::bridges::Intervals;
use crate::cli::WatchArgs;
use crate::client::{BridgeClient, StatusFetch};
use crate::config::Config;
use crate::engine::schedule::later;
use crate::engine::{End, Engine, EngineConfig, Failure, Received};
use crate::error::{BridgeError, Exit};
use crate::metrics::{self, serve::Exporter, Metrics};
use crate::output::terminal;
use crate::output::view::{Mode, WatchView};
use crate::platform::{self, Sig, Signals};
use crate::units::MAX_DURATION;

/// What a watch runs with: the engine's policy and the heartbeat.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub engine: EngineConfig,
    /// When stdout is not a terminal: a heartbeat at least this often.
    pub heartbeat: Option<Duration>,
    /// Serve Prometheus metrics here.
    pub metrics: Option<std::net::SocketAddr>,
}

impl WatchSettings {
    /// The settings for one bridge: a flag given on the command line wins, then what the
    /// bridges file set for it, then PRODUCT.md's defaults.
    pub fn new(args: &WatchArgs, file: &Intervals) -> WatchSettings {
        let d = EngineConfig::default();
        let pick = |flag: Option<Duration>, file: Option<Duration>, default| flag.or(file).unwrap_or(default);
        let max_backoff = pick(args.max_backoff, file.max_backoff, d.max_backoff);
        WatchSettings {
            engine: EngineConfig {
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
                until: args.until.iter().map(|&u| u.into()).collect(),
                count: args.count,
                timeout: args.timeout,
                ..d
            },
            heartbeat: args.heartbeat,
            metrics: args.metrics,
        }
    }
}

type StatusFuture<'a> = Pin<Box<dyn Future<Output = Result<StatusFetch, BridgeError>> + 'a>>;

/// Await the in-flight poll, or never when there is none.
async fn in_flight(f: &mut Option<StatusFuture<'_>>) -> Result<StatusFetch, BridgeError> {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// How the loop ended: the end, and the error behind a fatal one.
struct Ended {
    end: End,
    fatal: Option<BridgeError>,
}

/// Follow the bridge until the engine says stop, the deadline passes, a signal arrives or the
/// reader goes away. `demo` runs this same loop against its built-in simulator.
pub async fn run(client: &BridgeClient, config: &Config, settings: &WatchSettings) -> anyhow::Result<()> {
    let (mut view, exporter) = outputs(config, [config.bridges[0].name.as_str()], settings.metrics).await?;
    let mut signals = Signals::install()?;
    let mut engine = Engine::new(settings.engine.clone(), Instant::now().into_std());
    let metrics = exporter.as_ref().map(|e| &*e.metrics);
    let ended = poll_loop(
        client,
        &mut engine,
        &mut view,
        &mut signals,
        settings.heartbeat,
        metrics,
    )
    .await?;
    let now = Instant::now().into_std();
    if ended.end == End::Closed {
        return closed(&view);
    }
    view.event(&engine.summary(now, SystemTime::now(), ended.end))?;
    close(view);
    match ended.end {
        End::Fatal => Err(ended
            .fatal
            .map_or_else(|| anyhow::anyhow!("authentication rejected"), Into::into)),
        End::Count if engine.counters().answered == 0 => Err(Exit::new(
            3,
            format!(
                "no poll was answered: {}",
                crate::output::last_seen(&engine.last_seen(now))
            ),
        )
        .into()),
        End::Until(_) | End::Count | End::Closed => Ok(()),
        End::TimedOut => {
            let timeout = settings.engine.timeout.unwrap_or_default();
            Err(Exit::new(124, crate::output::timed_out(timeout, &engine.last_seen(now))).into())
        }
        End::Signal { code } => Err(Exit::quiet(code).into()),
    }
}

/// Where a watch writes: the view, and the metrics server when `--metrics` asks for one.
/// With `-q` a watch that serves metrics prints nothing at all.
pub async fn outputs<'a>(
    config: &Config,
    names: impl IntoIterator<Item = &'a str>,
    metrics: Option<std::net::SocketAddr>,
) -> anyhow::Result<(WatchView, Option<Exporter>)> {
    let exporter = match metrics {
        Some(addr) => Some(Exporter::start(addr, names, config.quiet).await?),
        None => None,
    };
    let view = WatchView::new(config);
    let view = if exporter.is_some() && config.quiet {
        view.silent()
    } else {
        view
    };
    Ok((view, exporter))
}

/// How a watch whose output closed ends: quietly (its reader left), or exit 74 when writing
/// failed for another reason (a full disk). One bridge and a fleet alike.
pub fn closed(view: &WatchView) -> anyhow::Result<()> {
    match view.write_error() {
        Some(why) => Err(Exit::new(
            crate::error::OUTPUT_FAILED,
            format!("cannot write the output: {why}"),
        )
        .into()),
        None => Ok(()),
    }
}

/// Take the view down, letting stdout drain; say so when a slow reader made lines drop.
pub fn close(mut view: WatchView) {
    let dropped = view.finish(Duration::from_secs(1));
    if dropped > 0 {
        crate::output::log_line(&format!(
            "stdout was not read fast enough: {} dropped",
            crate::units::count(dropped, "line")
        ));
    }
}

/// What a signal did to a watch.
pub enum Signalled {
    /// Ctrl-Z: the terminal was tidied and the process stopped (it runs on here after `fg`).
    Stopped,
    /// SIGCONT: the terminal is ours again; the caller redraws.
    Continued,
    /// Ctrl-C or SIGTERM: end the watch with this exit code.
    End(u8),
}

/// Handle a signal's terminal side for a watch of one bridge or many.
pub fn on_signal(sig: Sig, view: &mut WatchView) -> Signalled {
    match sig {
        Sig::Stop => {
            view.suspend();
            terminal::suspend();
            platform::stop_self();
            Signalled::Stopped
        }
        Sig::Continue => {
            terminal::resume();
            view.resume();
            Signalled::Continued
        }
        s => Signalled::End(s.exit_code()),
    }
}

/// Hand a poll's result to the engine; the error too, when it failed.
pub fn react(
    engine: &mut Engine,
    now: std::time::Instant,
    res: Result<StatusFetch, BridgeError>,
) -> (crate::engine::Reaction, Option<BridgeError>) {
    let wall = SystemTime::now();
    match res {
        Ok(f) => {
            let received = Received {
                not_modified: f.not_modified,
                bytes: f.bytes,
            };
            (engine.on_success(now, wall, f.status, received), None)
        }
        Err(e) => (engine.on_failure(now, wall, &Failure::from(&e)), Some(e)),
    }
}

async fn poll_loop(
    client: &BridgeClient,
    engine: &mut Engine,
    view: &mut WatchView,
    signals: &mut Signals,
    heartbeat: Option<Duration>,
    metrics: Option<&Metrics>,
) -> anyhow::Result<Ended> {
    let started = Instant::now();
    let far = Instant::from_std(later(started.into_std(), MAX_DURATION));
    let deadline = engine.deadline().map(Instant::from_std).unwrap_or(far);
    // A heartbeat only where nothing else shows life: stdout not a terminal.
    let heartbeat = heartbeat.filter(|_| view.mode() != Mode::Live);
    let mut poll: Option<StatusFuture<'_>> = None;
    let mut sent_at = started.into_std();
    // Redraws of the live line, 4 a second so the whole-second countdown is never late; only
    // when there is a live line.
    let live = view.has_status_line();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let ended = |end, fatal| Ended { end, fatal };

    let result = loop {
        let due = Instant::from_std(engine.next_poll_at());
        let last_line = view.last_line().unwrap_or(started.into_std());
        let beat_at = heartbeat.map_or(far, |h| Instant::from_std(later(last_line, h)));
        tokio::select! {
            biased;
            sig = signals.recv() => match on_signal(sig, view) {
                Signalled::End(code) => break ended(End::Signal { code }, None),
                // Back from Ctrl-Z: poll at once, draw afresh.
                Signalled::Continued => {
                    engine.poll_now(Instant::now().into_std());
                    view.redraw(engine, Instant::now().into_std());
                }
                Signalled::Stopped => {}
            },
            _ = tokio::time::sleep_until(deadline) => break ended(End::TimedOut, None),
            res = in_flight(&mut poll) => {
                poll = None;
                let now = Instant::now().into_std();
                let answer = metrics::Poll::of(&res, now.saturating_duration_since(sent_at));
                let (reaction, fatal) = react(engine, now, res);
                if let Some(m) = metrics {
                    m.observe(0, engine, answer, &reaction.events, now, SystemTime::now());
                }
                view.events(&reaction.events)?;
                if let Some(end) = reaction.end {
                    break ended(end, fatal.filter(|_| end == End::Fatal));
                }
                view.redraw(engine, now);
            }
            _ = tokio::time::sleep_until(due), if poll.is_none() => {
                if let Some(events) = engine.start_poll(Instant::now().into_std(), SystemTime::now()) {
                    view.events(&events)?;
                    poll = Some(Box::pin(client.status()));
                    sent_at = Instant::now().into_std();
                    view.redraw(engine, Instant::now().into_std());
                }
            }
            _ = tokio::time::sleep_until(beat_at), if heartbeat.is_some() => {
                view.event(&engine.heartbeat(SystemTime::now()))?;
            }
            _ = view.reader_gone() => break ended(End::Closed, None),
            _ = tick.tick(), if live => {
                view.redraw(engine, Instant::now().into_std());
            }
        }
    };
    Ok(result)
}
