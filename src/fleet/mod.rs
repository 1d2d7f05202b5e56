//! `watch` with several bridges: one process, one shared HTTP client, one engine per bridge
//! (its own schedule, backoff, breaker and history), and a timer queue that starts each poll
//! when that bridge's engine says it is due. Polls run concurrently (at most
//! `--max-in-flight`), so a bridge that hangs until the request timeout or refuses connections
//! delays no other bridge. `queue` (when) and `roster` (what the fleet has come to) are the
//! pure parts; this is the I/O.

pub mod lanes;
pub mod queue;
pub mod roster;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;

use crate::cli::WatchArgs;
use crate::client::{self, BridgeClient, StatusFetch};
use crate::config::Config;
use crate::engine::schedule::later;
use crate::engine::{Counters, End, Engine, EngineConfig, Until};
use crate::error::{BridgeError, Exit};
use crate::metrics::{self, serve::Exporter};
use crate::output::board::{self, Row};
use crate::output::terminal;
use crate::output::view::{Mode, WatchView};
use crate::platform::Signals;
use crate::units::{count, human_duration, MAX_DURATION};
use crate::watch::{self, Signalled, WatchSettings};
use lanes::Lanes;
use queue::Lateness;
use roster::{Roster, Stopped};

/// A poll in flight: which bridge, and what came of it when it ends, after how long.
type Poll<'a> = Pin<Box<dyn Future<Output = (usize, Result<StatusFetch, BridgeError>, Duration)> + 'a>>;

/// What the loop works with; bridge `i` is `names[i]`, `engines[i]`, `clients[i]`.
struct Fleet<'a> {
    names: Vec<String>,
    engines: Vec<Engine>,
    clients: &'a [BridgeClient],
    roster: Roster,
    view: WatchView,
    max_in_flight: usize,
    lateness: Lateness,
    started: Instant,
    exporter: Option<Exporter>,
}

/// What a fleet's watch runs with, resolved from the command line (or built by `demo`): one
/// engine policy per bridge, and what the fleet judges across them.
#[derive(Debug, Clone)]
pub struct FleetPlan {
    /// Each bridge's engine, in the order of `Config::bridges`, with no `until` of its own.
    pub engines: Vec<EngineConfig>,
    /// Reached when every bridge is in one of these states at once.
    pub until: Vec<Until>,
    pub timeout: Option<Duration>,
    pub heartbeat: Option<Duration>,
    pub metrics: Option<std::net::SocketAddr>,
    pub max_in_flight: usize,
}

impl FleetPlan {
    /// The plan of `watch` over these bridges: each bridge's settings as a single watch would
    /// resolve them (flag, then its bridges-file values, then the defaults).
    pub fn new(args: &WatchArgs, bridges: &[crate::bridges::Bridge]) -> FleetPlan {
        let engines = bridges
            .iter()
            .map(|b| {
                let mut engine = WatchSettings::new(args, &b.intervals).engine;
                // --until is the fleet's to judge, across every bridge.
                engine.until.clear();
                engine
            })
            .collect();
        FleetPlan {
            engines,
            until: args.until.iter().map(|&u| u.into()).collect(),
            timeout: args.timeout,
            heartbeat: args.heartbeat,
            metrics: args.metrics,
            max_in_flight: args.max_in_flight as usize,
        }
    }
}

/// `watch` over several bridges.
pub async fn run(config: &Config, args: &FleetPlan) -> anyhow::Result<()> {
    let n = config.bridges.len();
    // The exporter's clients are capped, so the polls keep what is left.
    let exporter = if args.metrics.is_some() {
        crate::metrics::serve::MAX_CONNECTIONS
    } else {
        0
    };
    if let Some(warning) = client::room_for_sockets(n + exporter) {
        crate::output::log_line(&warning);
    }
    let clients = client::for_bridges(
        &config.bridges,
        config.request_timeout,
        config.verbose,
        client::Reuse::Keep,
    )?;
    let started = Instant::now();
    let names = config.bridges.iter().map(|b| b.name.as_str());
    let (view, exporter) = watch::outputs(config, names, args.metrics).await?;
    let width = config
        .bridges
        .iter()
        .map(|b| terminal::columns(&b.name))
        .max()
        .unwrap_or(0);
    let mut fleet = Fleet {
        names: config.bridges.iter().map(|b| b.name.clone()).collect(),
        engines: args
            .engines
            .iter()
            .map(|e| Engine::new(e.clone(), started.into_std()))
            .collect(),
        clients: &clients,
        roster: Roster::new(n, args.until.clone()),
        view: view.with_bridge_column(width),
        max_in_flight: args.max_in_flight,
        lateness: Lateness::default(),
        started,
        exporter,
    };
    let end = fleet.poll_loop(args).await?;
    fleet.finish(config, args, end)
}

impl<'a> Fleet<'a> {
    async fn poll_loop(&mut self, args: &FleetPlan) -> anyhow::Result<End> {
        let n = self.engines.len();
        let mut queue = Lanes::new(n, self.max_in_flight);
        for (i, engine) in self.engines.iter().enumerate() {
            queue.push(
                queue::first_poll(self.started.into_std(), i, n, engine.first_interval()),
                i,
                false,
            );
        }
        let mut signals = Signals::install()?;
        let far = Instant::from_std(later(self.started.into_std(), MAX_DURATION));
        let deadline = args
            .timeout
            .map_or(far, |t| Instant::from_std(later(self.started.into_std(), t)));
        let heartbeat = args.heartbeat.filter(|_| self.view.mode() != Mode::Live);
        let mut flying: FuturesUnordered<Poll<'a>> = FuturesUnordered::new();
        let live = self.view.has_status_line();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            // The earliest bridge due in a lane with a free slot (see lanes.rs).
            let next = queue.next_due();
            let due = next.map_or(far, Instant::from_std);
            let last_line = self.view.last_line().unwrap_or(self.started.into_std());
            let beat_at = heartbeat.map_or(far, |h| Instant::from_std(later(last_line, h)));
            tokio::select! {
                biased;
                sig = signals.recv() => match watch::on_signal(sig, &mut self.view) {
                    Signalled::End(code) => return Ok(End::Signal { code }),
                    // Back from Ctrl-Z: the timers waited on are stale, so poll at once (spread
                    // as the first polls are), as a single bridge's watch does.
                    Signalled::Continued => {
                        self.resume(&mut queue);
                        self.redraw();
                    }
                    Signalled::Stopped => {}
                },
                _ = tokio::time::sleep_until(deadline) => return Ok(End::TimedOut),
                Some((i, res, took)) = flying.next(), if !flying.is_empty() => {
                    if let Some(end) = self.react(i, res, took, &mut queue)? {
                        return Ok(end);
                    }
                }
                _ = tokio::time::sleep_until(due), if next.is_some() => {
                    self.start_due(&mut queue, &mut flying)?;
                }
                _ = tokio::time::sleep_until(beat_at), if heartbeat.is_some() => {
                    self.heartbeats()?;
                }
                _ = self.view.reader_gone() => return Ok(End::Closed),
                _ = tick.tick(), if live => self.redraw(),
            }
        }
    }

    /// After SIGCONT: every waiting bridge is due now, spread as the first polls are; an open
    /// circuit keeps its time.
    fn resume(&mut self, queue: &mut Lanes) {
        let now = Instant::now().into_std();
        let n = self.engines.len();
        let engines = &mut self.engines;
        queue.reschedule(|i| {
            engines[i].poll_now(now);
            let spread = queue::first_poll(now, i, n, engines[i].first_interval());
            engines[i].next_poll_at().max(spread)
        });
    }

    /// Start every due poll there is room for.
    fn start_due(
        &mut self,
        queue: &mut Lanes,
        flying: &mut FuturesUnordered<Poll<'a>>,
    ) -> anyhow::Result<()> {
        let now = Instant::now().into_std();
        while let Some((due, i, failing)) = queue.pop_due(now) {
            let Some(events) = self.engines[i].start_poll(now, SystemTime::now()) else {
                // Not yet due by its engine (an open circuit): back in its lane.
                queue.push(self.engines[i].next_poll_at().max(now), i, failing);
                continue;
            };
            queue.started(i, failing);
            self.lateness.record(now.saturating_duration_since(due));
            for e in &events {
                self.view.bridge_event(&self.names[i], e)?;
            }
            let client = &self.clients[i];
            flying.push(Box::pin(async move {
                let sent = std::time::Instant::now();
                let res = client.status().await;
                (i, res, sent.elapsed())
            }));
        }
        Ok(())
    }

    /// Hand one bridge's poll result to its engine; print its events; judge the fleet.
    fn react(
        &mut self,
        i: usize,
        res: Result<StatusFetch, BridgeError>,
        took: Duration,
        queue: &mut Lanes,
    ) -> anyhow::Result<Option<End>> {
        queue.finished(i);
        let now = Instant::now().into_std();
        let answer = metrics::Poll::of(&res, took);
        let engine = &mut self.engines[i];
        let (reaction, error) = watch::react(engine, now, res);
        if let Some(x) = &self.exporter {
            x.metrics
                .observe(i, engine, answer, &reaction.events, now, SystemTime::now());
        }
        match reaction.end {
            Some(End::Fatal) => {
                let why = error.map_or_else(|| "authentication rejected".into(), |e| e.short());
                crate::output::log_line(&format!("{}: {why}; no longer polled", self.names[i]));
            }
            Some(_) => {}
            // A bridge whose poll failed waits in the failing lane, with its bounded share.
            None => queue.push(engine.next_poll_at(), i, engine.consecutive_failures() > 0),
        }
        let end = self.roster.after(i, engine.answered_state(), &reaction, now);
        for e in &reaction.events {
            self.view.bridge_event(&self.names[i], e)?;
        }
        Ok(end)
    }

    fn heartbeats(&mut self) -> anyhow::Result<()> {
        let wall = SystemTime::now();
        for (name, engine) in self.names.iter().zip(&self.engines) {
            self.view.bridge_event(name, &engine.heartbeat(wall))?;
        }
        Ok(())
    }

    fn redraw(&mut self) {
        let now = Instant::now().into_std();
        let rows: Vec<Row<'_>> = (0..self.engines.len())
            .map(|i| Row {
                name: &self.names[i],
                engine: &self.engines[i],
                last_change: self.roster.last_change(i),
                stopped: self.roster.stopped(i).is_some(),
            })
            .collect();
        // Leave room for a few log lines above the board.
        let max = terminal::height().saturating_sub(4).max(1);
        let lines = board::lines(&rows, now, max, self.view.painter());
        self.view.redraw_lines(&lines);
    }

    /// The summaries (each bridge's, then the overall one) and the exit code.
    fn finish(mut self, config: &Config, args: &FleetPlan, end: End) -> anyhow::Result<()> {
        if config.verbose > 0 {
            let l = &self.lateness;
            crate::output::log_line(&format!(
                "fleet: {} started, lateness p50 {} ms, p99 {} ms, max {} ms",
                count(l.count(), "poll"),
                l.quantile(0.5).as_millis(),
                l.quantile(0.99).as_millis(),
                l.max().as_millis()
            ));
        }
        if end == End::Closed {
            return watch::closed(&self.view);
        }
        let now = Instant::now().into_std();
        let wall = SystemTime::now();
        let mut total = Counters::default();
        for (i, engine) in self.engines.iter().enumerate() {
            let own = self.roster.stopped(i).map_or(end, Stopped::end);
            self.view
                .bridge_event(&self.names[i], &engine.summary(now, wall, own))?;
            total += engine.counters();
        }
        let took = now.saturating_duration_since(self.started.into_std());
        let overall = crate::engine::summary(total, took, wall, end);
        self.view.overall_summary(&overall, self.engines.len())?;
        let result = self.exit(end, args, total, now);
        watch::close(self.view);
        result
    }

    fn exit(
        &self,
        end: End,
        args: &FleetPlan,
        total: Counters,
        now: std::time::Instant,
    ) -> anyhow::Result<()> {
        let n = self.engines.len();
        let rejected: Vec<&str> = (0..n)
            .filter(|&i| self.roster.stopped(i) == Some(Stopped::Auth))
            .map(|i| self.names[i].as_str())
            .collect();
        match end {
            End::Signal { code } => Err(Exit::quiet(code).into()),
            End::Count if !rejected.is_empty() => {
                Err(Exit::new(4, format!("authentication rejected by {}", names(&rejected))).into())
            }
            End::Count if total.answered == 0 => {
                Err(Exit::new(3, "no poll was answered by any bridge").into())
            }
            End::TimedOut => Err(Exit::new(124, self.timed_out(args, now)).into()),
            End::Fatal => Err(Exit::new(
                4,
                format!(
                    "authentication rejected by {}, so --until cannot be reached",
                    names(&rejected)
                ),
            )
            .into()),
            End::Until(_) | End::Count | End::Closed => Ok(()),
        }
    }

    /// `timed out after 1s: 1 of 2 bridges not ready: b (still busy running x for 1s)`.
    fn timed_out(&self, args: &FleetPlan, now: std::time::Instant) -> String {
        let timeout = human_duration(args.timeout.unwrap_or_default());
        let until = self.roster.until();
        if until.is_empty() {
            return format!("timed out after {timeout}");
        }
        let not: Vec<String> = (0..self.engines.len())
            .filter(|&i| !self.roster.met(i))
            .map(|i| {
                let seen = crate::output::last_seen(&self.engines[i].last_seen(now));
                format!("{} ({seen})", self.names[i])
            })
            .collect();
        let wanted: Vec<&str> = until.iter().map(|u| u.name()).collect();
        format!(
            "timed out after {timeout}: {} of {} not {}: {}",
            not.len(),
            count(self.engines.len() as u64, "bridge"),
            wanted.join(" or "),
            not.join("; ")
        )
    }
}

fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| crate::sanitize::line(n))
        .collect::<Vec<_>>()
        .join(", ")
}
