//! `watch` with several bridges: one process, one shared HTTP client, one engine per bridge
//! (its own schedule, backoff, breaker and history), and a timer queue that starts each poll
//! when that bridge's engine says it is due. Polls run concurrently (at most
//! `--max-in-flight`), so a bridge that hangs until the request timeout or refuses connections
//! delays no other bridge. `queue` is the pure bookkeeping; this is the I/O.

pub mod queue;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;

use crate::bridges::Bridge;
use crate::cli::WatchArgs;
use crate::client::{self, BridgeClient, ClientOptions, StatusFetch};
use crate::config::Config;
use crate::engine::schedule::later;
use crate::engine::{Engine, Failure, Received, Until};
use crate::error::{BridgeError, Exit};
use crate::events::{Event, EventKind};
use crate::metrics::{self, serve::Exporter};
use crate::output::board::{self, Row};
use crate::output::terminal;
use crate::output::view::{Mode, WatchView};
use crate::signals::{self, Sig, Signals};
use crate::units::{count, human_duration, MAX_DURATION};
use crate::watch::WatchSettings;
use queue::{Lateness, Queue};

/// Why a bridge is no longer polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopped {
    /// Its `--count` polls are done.
    Count,
    /// Its API key was rejected.
    Auth,
}

/// One bridge's state in the fleet (its client lives apart: polls in flight borrow it).
struct Member {
    name: String,
    engine: Engine,
    stopped: Option<Stopped>,
    last_change: Option<std::time::Instant>,
    changed: bool,
    met: bool,
}

/// How the fleet ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FleetEnd {
    Until(Until),
    /// Every bridge stopped (counts done, keys rejected).
    AllStopped,
    TimedOut,
    Signal(u8),
    Closed,
}

impl FleetEnd {
    fn reason(self) -> String {
        match self {
            FleetEnd::Until(u) => format!("until {}", u.name()),
            FleetEnd::AllStopped => "count reached".into(),
            FleetEnd::TimedOut => "timed out".into(),
            FleetEnd::Signal(130) => "interrupted".into(),
            FleetEnd::Signal(_) => "terminated".into(),
            FleetEnd::Closed => "stdout closed".into(),
        }
    }
}

/// A poll in flight: which bridge, and what came of it when it ends, after how long.
type Poll<'a> = Pin<Box<dyn Future<Output = (usize, Result<StatusFetch, BridgeError>, Duration)> + 'a>>;

fn clients(config: &Config, bridges: &[Bridge]) -> anyhow::Result<Vec<BridgeClient>> {
    let tls = bridges.iter().any(|b| b.url.scheme() == "https");
    let http = client::http_client(config.request_timeout, tls)?;
    bridges
        .iter()
        .map(|b| {
            BridgeClient::with_http(
                http.clone(),
                ClientOptions {
                    base: b.url.clone(),
                    api_key: b.api_key.clone(),
                    request_timeout: config.request_timeout,
                    verbose: config.verbose,
                },
            )
            .map_err(|e| crate::error::UsageError(format!("bridge {}: {e:#}", b.name)).into())
        })
        .collect()
}

/// What the loop works with.
struct Fleet<'a> {
    members: Vec<Member>,
    clients: &'a [BridgeClient],
    view: WatchView,
    until: Vec<Until>,
    max_in_flight: usize,
    lateness: Lateness,
    met: usize,
    started: Instant,
    exporter: Option<Exporter>,
}

/// `watch` over several bridges.
pub async fn run(config: &Config, args: &WatchArgs) -> anyhow::Result<()> {
    let limit = signals::raise_open_files();
    let n = config.bridges.len();
    if let Some(l) = limit.filter(|l| *l < n as u64 + 32) {
        crate::output::log_line(&format!(
            "the open-files limit is {l}, below the {n} bridges' sockets; some polls will fail with 'Too many open files' (raise `ulimit -n`)"
        ));
    }
    let clients = clients(config, &config.bridges)?;
    let started = Instant::now();
    let width = config
        .bridges
        .iter()
        .map(|b| terminal::columns(&b.name))
        .max()
        .unwrap_or(0);
    let members = config
        .bridges
        .iter()
        .map(|b| {
            let mut settings = WatchSettings::new(args, &b.intervals).engine;
            // --until is the fleet's to judge, across every bridge.
            settings.until.clear();
            Member {
                name: b.name.clone(),
                engine: Engine::new(settings, started.into_std()),
                stopped: None,
                last_change: None,
                changed: false,
                met: false,
            }
        })
        .collect();
    let exporter = match args.metrics {
        Some(addr) => {
            Some(Exporter::start(addr, config.bridges.iter().map(|b| b.name.as_str()), config.quiet).await?)
        }
        None => None,
    };
    let mut view = WatchView::new(config).with_bridge_column(width);
    if exporter.is_some() && config.quiet {
        view = view.silent();
    }
    let mut fleet = Fleet {
        members,
        clients: &clients,
        view,
        until: args.until.iter().map(|&u| u.into()).collect(),
        max_in_flight: args.max_in_flight as usize,
        lateness: Lateness::default(),
        met: 0,
        started,
        exporter,
    };
    let end = fleet.poll_loop(args).await?;
    fleet.finish(config, args, end)
}

impl<'a> Fleet<'a> {
    fn settings_of(&self, i: usize) -> Duration {
        self.members[i].engine.first_interval()
    }

    async fn poll_loop(&mut self, args: &WatchArgs) -> anyhow::Result<FleetEnd> {
        let n = self.members.len();
        let mut queue = Queue::default();
        for i in 0..n {
            let at = queue::first_poll(self.started.into_std(), i, n, self.settings_of(i));
            queue.push(at, i);
        }
        let mut signals = Signals::install()?;
        let far = Instant::from_std(later(self.started.into_std(), MAX_DURATION));
        let deadline = args
            .timeout
            .map_or(far, |t| Instant::from_std(later(self.started.into_std(), t)));
        let heartbeat = args.heartbeat.filter(|_| self.view.mode() != Mode::Live);
        let mut last_beat = self.started;
        let mut flying: FuturesUnordered<Poll<'a>> = FuturesUnordered::new();
        let live = self.view.has_status_line();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let due = queue.next_due().map_or(far, Instant::from_std);
            let room = flying.len() < self.max_in_flight;
            let beat_at = heartbeat.map_or(far, |h| Instant::from_std(later(last_beat.into_std(), h)));
            tokio::select! {
                biased;
                sig = signals.recv() => if let Some(code) = self.on_signal(sig) {
                    return Ok(FleetEnd::Signal(code));
                },
                _ = tokio::time::sleep_until(deadline) => return Ok(FleetEnd::TimedOut),
                Some((i, res, took)) = flying.next(), if !flying.is_empty() => {
                    if let Some(end) = self.react(i, res, took, &mut queue)? {
                        return Ok(end);
                    }
                }
                _ = tokio::time::sleep_until(due), if room && !queue.is_empty() => {
                    self.start_due(&mut queue, &mut flying)?;
                }
                _ = tokio::time::sleep_until(beat_at), if heartbeat.is_some() => {
                    self.heartbeats()?;
                    last_beat = Instant::now();
                }
                _ = self.view.reader_gone() => return Ok(FleetEnd::Closed),
                _ = tick.tick(), if live => self.redraw(),
            }
        }
    }

    /// Start every due poll there is room for.
    fn start_due(
        &mut self,
        queue: &mut Queue,
        flying: &mut FuturesUnordered<Poll<'a>>,
    ) -> anyhow::Result<()> {
        let now = Instant::now().into_std();
        while flying.len() < self.max_in_flight {
            let Some((due, i)) = queue.pop_due(now) else {
                break;
            };
            let m = &mut self.members[i];
            match m.engine.start_poll(now, SystemTime::now()) {
                Some(events) => {
                    self.lateness.record(now.saturating_duration_since(due));
                    for e in &events {
                        self.view.fleet_event(Some(&self.members[i].name), e, 0)?;
                    }
                    let client = &self.clients[i];
                    flying.push(Box::pin(async move {
                        let sent = std::time::Instant::now();
                        let res = client.status().await;
                        (i, res, sent.elapsed())
                    }));
                }
                // Not yet due by its engine (an open circuit): back in the queue.
                None => queue.push(m.engine.next_poll_at().max(now), i),
            }
        }
        Ok(())
    }

    /// Hand one bridge's poll result to its engine; print its events; judge the fleet.
    fn react(
        &mut self,
        i: usize,
        res: Result<StatusFetch, BridgeError>,
        took: Duration,
        queue: &mut Queue,
    ) -> anyhow::Result<Option<FleetEnd>> {
        let now = Instant::now().into_std();
        let wall = SystemTime::now();
        let answer = metrics::Poll::of(&res, took);
        let m = &mut self.members[i];
        let reaction = match &res {
            Ok(f) => {
                let received = Received {
                    not_modified: f.not_modified,
                    bytes: f.bytes,
                };
                m.engine.on_success(now, wall, f.status.clone(), received)
            }
            Err(e) => m.engine.on_failure(now, wall, &Failure::from(e)),
        };
        if let Some(x) = &self.exporter {
            x.metrics
                .observe(i, &m.engine, answer, &reaction.events, now, wall);
        }
        if reaction.events.iter().any(|e| e.kind.is_change()) {
            m.last_change = Some(now);
            m.changed = true;
        }
        match reaction.end {
            Some(crate::engine::End::Fatal) => {
                m.stopped = Some(Stopped::Auth);
                let why = res
                    .err()
                    .map_or_else(|| "authentication rejected".into(), |e| e.short());
                crate::output::log_line(&format!("{}: {why}; no longer polled", m.name));
            }
            Some(_) => m.stopped = Some(Stopped::Count),
            None => queue.push(m.engine.next_poll_at(), i),
        }
        let answered = m.engine.consecutive_failures() == 0;
        let state = m.engine.current().map(|s| s.status).filter(|_| answered);
        let met = queue::meets(&self.until, state, m.changed);
        if met != m.met {
            m.met = met;
            if met {
                self.met += 1;
            } else {
                self.met -= 1;
            }
        }
        for e in &reaction.events {
            self.view.fleet_event(Some(&self.members[i].name), e, 0)?;
        }
        let n = self.members.len();
        if !self.until.is_empty() && self.met == n {
            return Ok(Some(FleetEnd::Until(self.until[0])));
        }
        if self.members.iter().all(|m| m.stopped.is_some()) {
            return Ok(Some(FleetEnd::AllStopped));
        }
        Ok(None)
    }

    fn heartbeats(&mut self) -> anyhow::Result<()> {
        let wall = SystemTime::now();
        for m in &self.members {
            self.view
                .fleet_event(Some(&m.name), &m.engine.heartbeat(wall), 0)?;
        }
        Ok(())
    }

    fn redraw(&mut self) {
        let now = Instant::now().into_std();
        let rows: Vec<Row<'_>> = self
            .members
            .iter()
            .map(|m| Row {
                name: &m.name,
                engine: &m.engine,
                last_change: m.last_change,
                stopped: m.stopped.is_some(),
            })
            .collect();
        // Leave room for a few log lines above the board.
        let max = terminal::height().saturating_sub(4).max(1);
        let lines = board::lines(&rows, now, max, self.view.painter());
        self.view.redraw_lines(&lines);
    }

    fn on_signal(&mut self, sig: Sig) -> Option<u8> {
        match sig {
            Sig::Stop => {
                self.view.suspend();
                terminal::suspend();
                signals::stop_self();
            }
            Sig::Continue => {
                terminal::resume();
                self.view.resume();
                self.redraw();
            }
            s => return Some(s.exit_code()),
        }
        None
    }

    /// The summaries (each bridge's, then the overall one) and the exit code.
    fn finish(mut self, config: &Config, args: &WatchArgs, end: FleetEnd) -> anyhow::Result<()> {
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
        if end == FleetEnd::Closed {
            return Ok(());
        }
        let now = Instant::now().into_std();
        let wall = SystemTime::now();
        let mut total = crate::engine::Counters::default();
        for m in &self.members {
            let reason = match m.stopped {
                Some(Stopped::Count) => "count reached".to_owned(),
                Some(Stopped::Auth) => "authentication rejected".to_owned(),
                None => end.reason(),
            };
            let mut e = m.engine.summary(now, wall, crate::engine::End::Count);
            if let EventKind::Summary { reason: r, .. } = &mut e.kind {
                *r = reason;
            }
            self.view.fleet_event(Some(&m.name), &e, 0)?;
            let c = m.engine.counters();
            total.polls += c.polls;
            total.answered += c.answered;
            total.not_modified += c.not_modified;
            total.bytes += c.bytes;
            total.errors += c.errors;
            total.changes += c.changes;
        }
        let overall = Event {
            at: wall,
            kind: EventKind::Summary {
                polls: total.polls,
                not_modified: total.not_modified,
                bytes_received: total.bytes,
                errors: total.errors,
                changes: total.changes,
                duration_ms: crate::units::ms(now.saturating_duration_since(self.started.into_std())),
                reason: end.reason(),
            },
        };
        let n = self.members.len();
        self.view.fleet_event(None, &overall, n)?;
        let dropped = self.view.finish(Duration::from_secs(1));
        if dropped > 0 {
            crate::output::log_line(&format!(
                "stdout was not read fast enough: {} dropped",
                count(dropped, "line")
            ));
        }
        self.exit(end, args, total, now)
    }

    fn exit(
        &self,
        end: FleetEnd,
        args: &WatchArgs,
        total: crate::engine::Counters,
        now: std::time::Instant,
    ) -> anyhow::Result<()> {
        let rejected: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.stopped == Some(Stopped::Auth))
            .map(|m| m.name.as_str())
            .collect();
        match end {
            FleetEnd::Signal(code) => Err(Exit::quiet(code).into()),
            FleetEnd::AllStopped if !rejected.is_empty() => {
                Err(Exit::new(4, format!("authentication rejected by {}", names(&rejected))).into())
            }
            FleetEnd::AllStopped if total.answered == 0 => {
                Err(Exit::new(3, "no poll was answered by any bridge").into())
            }
            FleetEnd::TimedOut => {
                let timeout = human_duration(args.timeout.unwrap_or_default());
                let not: Vec<String> = self
                    .members
                    .iter()
                    .filter(|m| !m.met)
                    .map(|m| {
                        let seen = crate::output::last_seen(&m.engine.last_seen(now));
                        format!("{} ({seen})", m.name)
                    })
                    .collect();
                let msg = if self.until.is_empty() {
                    format!("timed out after {timeout}")
                } else {
                    let wanted: Vec<&str> = self.until.iter().map(|u| u.name()).collect();
                    format!(
                        "timed out after {timeout}: {} of {} not {}: {}",
                        not.len(),
                        count(self.members.len() as u64, "bridge"),
                        wanted.join(" or "),
                        not.join("; ")
                    )
                };
                Err(Exit::new(124, msg).into())
            }
            FleetEnd::Until(_) | FleetEnd::AllStopped | FleetEnd::Closed => Ok(()),
        }
    }
}

fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| crate::sanitize::line(n))
        .collect::<Vec<_>>()
        .join(", ")
}
