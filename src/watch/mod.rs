//! `watch`, the I/O side of polling, for one bridge or ten thousand: one shared HTTP client,
//! one engine per bridge (its own schedule, backoff, breaker and history), and the lanes that
//! start each poll when its engine says it is due and a slot is free. Polls run concurrently
//! (at most `--max-in-flight`, never two of one bridge), so a bridge that hangs or refuses
//! delays no other. A single bridge is a watch of one; only the view differs (event lines and
//! a status line for one, a bridge column and the board for many). Every decision is the
//! engine's, the lanes' or the roster's; every look is the view's; how it ends is `ending`'s.

pub mod ending;
mod finish;
mod flying;
mod outputs;
mod reload;
mod timer;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::bridges::Bridge;
use crate::client::{self, BridgeClient, StatusFetch};
use crate::config::{Config, Source};
use crate::engine::schedule::later;
use crate::engine::Halt;
use crate::engine::{End, Engine};
use crate::error::BridgeError;
use crate::events::Event;
use crate::fleet::lanes::{Kind, Lanes};
use crate::fleet::queue::{self, Lateness};
use crate::fleet::roster::Roster;
use crate::fleet::slab::Slab;
use crate::metrics::{self, serve::Exporter};
use crate::output::board::Row;
use crate::output::view::{Mode, WatchView};
use crate::plan::{EngineFlags, WatchPlan};
use crate::stops::{Stops, Wake};
use crate::units::MAX_DURATION;
use flying::Flying;
use outputs::outputs;

/// An event's `--json` line, for the view and for the hook (None where it needs none).
type JsonLines = (Option<Vec<u8>>, Option<Vec<u8>>);

/// What a poll in flight comes to: which bridge, what it answered, after how long.
type PollDone = (usize, Result<StatusFetch, BridgeError>, Duration);

/// One bridge of the watch and all that is its own.
struct Member {
    bridge: Bridge,
    engine: Engine,
    client: Arc<BridgeClient>,
    /// Its first poll in flight, which may be told to give its slot up (see lanes.rs).
    give_up: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the loop works with. Bridge `i` is the member in slot `i`; the roster, the lanes and
/// the metrics keep what is theirs of it by the same slot. A bridge a reload removes is freed
/// and its slot reused (see slab.rs).
struct Watch {
    members: Slab<Member>,
    /// The one HTTP client every bridge's client is on, for the bridges a reload adds.
    http: reqwest::Client,
    request_timeout: Duration,
    verbose: u8,
    /// How a bridge a reload adds gets its engine.
    flags: EngineFlags,
    roster: Roster,
    /// How it looks: one bridge or a fleet (`Shape`), the loop is the same.
    view: WatchView,
    lanes: Lanes,
    /// How late polls started, by `Kind::index`: of bridges that answered, first polls, of
    /// bridges that failed.
    lateness: [Lateness; 3],
    started: Instant,
    exporter: Option<Exporter>,
    /// The first rejection of a key, as the bridge gave it: one bridge's last words.
    fatal: Option<BridgeError>,
    /// `--on`: the hooks, fed every event the view prints.
    hooks: Option<crate::hooks::Hooks>,
    /// The counters of the bridges reloads removed, for the overall summary.
    gone_total: crate::engine::Counters,
    /// With one bridge, while its poll is in flight, where the loop's timer waits: when its
    /// next poll comes if the answer changes nothing (`floor_after_next`, registered ahead;
    /// see timer.rs). Its answer then moves the timer later, in place. Among many bridges
    /// some timer is always near, and this is None.
    floor: Option<std::time::Instant>,
}

/// Follow the configured bridges until the plan is met, the deadline passes, a signal arrives
/// or the reader goes away. `demo` runs this same loop against its simulators.
pub async fn run(config: &Config, plan: &WatchPlan) -> Result<(), crate::error::Failure> {
    let n = config.bridges.len();
    if n > 1 {
        // The exporter's clients are capped, so the polls keep what is left.
        let exporter = plan
            .metrics
            .map_or(0, |_| crate::gate::Gate::most(metrics::serve::MAX_CONNECTIONS));
        if let Some((limit, sockets)) = client::room_for_sockets(n + exporter) {
            crate::output::tell(crate::output::Notice::OpenFilesLow { limit, sockets });
        }
    }
    // A file read again may bring https bridges: then the trust roots are loaded from the start.
    let reloadable = matches!(config.source, Source::File { .. });
    let tls = reloadable || config.bridges.iter().any(|b| b.url.scheme() == "https");
    let http = client::shared_http(config.request_timeout, tls, client::Reuse::Keep)?;
    let clients = client::for_bridges_on(
        &http,
        &config.bridges,
        config.request_timeout,
        config.verbose,
        client::Reuse::Keep,
    )?;
    let started = Instant::now();
    let (view, exporter) = outputs(config, plan).await?;
    let hooks = plan.hooks.as_ref().map(|h| {
        let metrics = exporter.as_ref().map(|x| std::sync::Arc::clone(&x.metrics));
        crate::hooks::Hooks::start(h, metrics)
    });
    let members = config
        .bridges
        .iter()
        .zip(&plan.engines)
        .zip(clients)
        .map(|((bridge, engine), client)| Member {
            bridge: bridge.clone(),
            engine: Engine::new(engine.clone(), started.into_std()),
            client: Arc::new(client),
            give_up: None,
        })
        .collect();
    let mut watch = Watch {
        members,
        http,
        request_timeout: config.request_timeout,
        verbose: config.verbose,
        flags: plan.flags,
        roster: Roster::new(n, plan.until.clone()).waiting_for_reloads(
            matches!(config.source, crate::config::Source::File { .. })
                && plan.until.is_empty()
                && plan.flags.count.is_none(),
        ),
        view,
        lanes: Lanes::new(n, plan.max_in_flight),
        lateness: Default::default(),
        floor: None,
        started,
        exporter,
        fatal: None,
        hooks,
        gone_total: Default::default(),
    };
    let deadline = plan
        .timeout
        .map(|t| Instant::from_std(later(started.into_std(), t)));
    let mut stops = Stops::install(deadline)?;
    let mut reloader = reload::Reloader::for_source(&config.source, config.shard);
    let end = watch.poll_loop(&mut stops, &mut reloader, plan.heartbeat).await?;
    // When the watch ended, for its summaries: not when its hooks were done.
    let ended = (Instant::now().into_std(), SystemTime::now());
    let (end, hook_counts) = watch.drain_hooks(&mut stops, end).await?;
    watch.finish(config, plan, (end, ended), hook_counts)
}

/// The next hook that failed (never without hooks).
async fn hooks_failed(hooks: &mut Option<crate::hooks::Hooks>) -> crate::hooks::Failed {
    match hooks {
        Some(h) => h.failed().await,
        None => std::future::pending().await,
    }
}

/// A first poll that gave its slot up: a timeout, as its bridge's engine and view see it.
fn gave_up(client: &BridgeClient) -> BridgeError {
    BridgeError::Unreachable {
        url: client.status_shown().to_owned(),
        kind: crate::error::FailureKind::Timeout,
        detail: format!(
            "no answer to its first poll within {} while other bridges waited for a slot; asked again in the failing lane",
            crate::units::human_duration(crate::fleet::lanes::FIRST_PATIENCE)
        ),
    }
}

impl Watch {
    async fn poll_loop(
        &mut self,
        stops: &mut Stops,
        reloader: &mut Option<reload::Reloader>,
        heartbeat: Option<Duration>,
    ) -> Result<End, crate::error::Failure> {
        if let Some(end) = self.nothing_to_poll() {
            return Ok(end);
        }
        let n = self.members.len();
        for (i, m) in self.members.iter() {
            let first = queue::first_poll(self.started.into_std(), i, n, m.engine.first_interval());
            self.lanes.push(first, i, Kind::Unknown);
        }
        let far = Instant::from_std(later(self.started.into_std(), MAX_DURATION));
        // A heartbeat only where nothing else shows life: stdout not a terminal.
        let heartbeat = heartbeat.filter(|_| self.view.mode() != Mode::Live);
        let mut flying: Flying<'static, PollDone> = Flying::new();
        // Redraws of the live line or board, 4 a second so the whole-second countdown is never
        // late; only when there is one.
        let live = self.view.has_status_line();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let gone = self.view.reader_gone();
        tokio::pin!(gone);
        // One timer for everything timed: the next due poll, the heartbeat, a first poll to
        // give up, the deadline. Kept across iterations and reset only when its time moves,
        // so an iteration that changes nothing touches no timer (see timer.rs).
        let mut timer = timer::Timer::new(far);
        loop {
            // The earliest bridge due in a lane with a free slot (see lanes.rs).
            let due = self.lanes.next_due().map_or(far, Instant::from_std);
            let beat_at = heartbeat.map_or(far, |h| {
                let last_line = self.view.last_line().unwrap_or(self.started.into_std());
                Instant::from_std(later(last_line, h))
            });
            let give_up = self.lanes.give_up_at().map_or(far, Instant::from_std);
            let reload_at = reloader.as_ref().and_then(|r| r.due()).unwrap_or(far);
            let floor = self
                .floor
                .map(Instant::from_std)
                .filter(|&at| at > Instant::now())
                .unwrap_or(far);
            let wake = due
                .min(beat_at)
                .min(give_up)
                .min(reload_at)
                .min(stops.deadline())
                .min(floor);
            let file_changed = reload::watcher(reloader);
            // Arms that can never fire are not polled (a single bridge has neither).
            let reloading = reloader.as_ref().is_some_and(|r| r.is_reading());
            let hooked = self.hooks.is_some();
            timer.set(wake);
            if self.floor.is_none() && wake == due && due < far {
                // Among many bridges: the wake after this one, as things stand, registered
                // ahead, so that no timer set once this one fired (the next wake's, a poll's
                // timeouts) is earlier than every timer the runtime parked for (timer.rs).
                let after = self
                    .lanes
                    .due_after(due.into_std() + crate::fleet::lanes::COALESCE)
                    .map_or(far, Instant::from_std);
                let next = after
                    .min(beat_at)
                    .min(give_up)
                    .min(reload_at)
                    .min(stops.deadline());
                if next > wake && next < far {
                    timer.ahead(next);
                }
            }
            tokio::select! {
                biased;
                sig = stops.recv() => match reload::on_hangup(sig, reloader) {
                    // A hang-up reads the bridges file again, as Prometheus's does.
                    true => {}
                    false => match stops.on_signal(sig, &mut self.view) {
                    Some(Wake::Halt(Halt::Signal(sig))) => return Ok(End::Signal(sig)),
                    // Back from Ctrl-Z: the timers waited on are stale, so poll at once.
                    Some(Wake::Resumed) => {
                        self.resume();
                        self.redraw();
                    }
                    // A signal halts with a signal only.
                    Some(Wake::Halt(_)) | None => {}
                    },
                },
                _ = reload::changed(file_changed.as_deref()), if file_changed.is_some() => {
                    if let Some(r) = reloader.as_mut() {
                        r.debounce(Instant::now());
                    }
                }
                (read, took) = reload::read(reloader), if reloading => {
                    if let Some(read) = read {
                        self.apply_reload(read, took)?;
                        if let Some(end) = self.nothing_to_poll() {
                            return Ok(end);
                        }
                    }
                }
                _ = timer.waited() => {
                    // Spent: the next iteration sets it again.
                    timer.fired();
                    let now = Instant::now();
                    if now >= stops.deadline() {
                        return Ok(End::TimedOut);
                    }
                    if now >= give_up {
                        self.give_up_slots();
                    }
                    if now >= reload_at {
                        if let Some(r) = reloader.as_mut() {
                            r.start();
                        }
                    }
                    if now >= due {
                        self.start_due(&mut flying, due.into_std())?;
                    }
                    if now >= beat_at {
                        self.heartbeats()?;
                    }
                }
                (i, res, took) = flying.next(), if !flying.is_empty() => {
                    self.floor = None;
                    if let Some(end) = self.react(i, res, took)? {
                        return Ok(end);
                    }
                    if let Some(at) = self.floor_after_next() {
                        timer.ahead(Instant::from_std(at));
                    }
                    if self.view.redraws_per_answer() {
                        self.redraw();
                    }
                }
                f = hooks_failed(&mut self.hooks), if hooked => self.hook_failed(f)?,
                _ = &mut gone => return Ok(End::Closed),
                _ = tick.tick(), if live => self.redraw(),
            }
        }
    }

    /// Print one event of bridge `i`, and run its hook.
    fn emit(&mut self, i: usize, e: &Event) -> std::io::Result<()> {
        let Some(m) = self.members.get(i) else {
            return self.emit_fleet(e);
        };
        let b = &m.bridge;
        let (for_view, for_hook) = self.json_lines(e, self.view.shown(&b.name))?;
        self.view.member_event(&b.name, e, for_view)?;
        if let (Some(h), Some(line)) = (&self.hooks, for_hook) {
            h.offer(e, &line, Some((i, &b.name, &b.url)));
        }
        Ok(())
    }

    /// The `--json` line of `e`, built once when the view prints JSON or a hook wants it:
    /// (for the view, for the hook), the same bytes.
    fn json_lines(&self, e: &Event, bridge: Option<&str>) -> std::io::Result<JsonLines> {
        let hook = self.hooks.as_ref().is_some_and(|h| h.wants(e.kind.name()));
        let json = self.view.mode() == Mode::Json;
        if !hook && !json {
            return Ok((None, None));
        }
        let line = crate::output::fleet_json_line(e, bridge, None)?;
        Ok(match hook {
            true => (json.then(|| line.clone()), Some(line)),
            false => (Some(line), None),
        })
    }

    /// Print an event of the whole set (a reload, a hook that failed for one), and run its hook.
    fn emit_fleet(&mut self, e: &Event) -> std::io::Result<()> {
        let (for_view, for_hook) = self.json_lines(e, None)?;
        self.view.fleet_event_with(e, for_view)?;
        if let (Some(h), Some(line)) = (&self.hooks, for_hook) {
            h.offer(e, &line, None);
        }
        Ok(())
    }

    /// A hook that failed: reported for its bridge (or the whole set).
    fn hook_failed(&mut self, f: crate::hooks::Failed) -> std::io::Result<()> {
        // A slot reused since is not the bridge the hook ran for: then the whole set's.
        match f.bridge {
            Some((i, ref name)) if self.members.get(i).is_some_and(|m| &m.bridge.name == name) => {
                self.emit(i, &f.event)
            }
            _ => self.emit_fleet(&f.event),
        }
    }

    /// After SIGCONT: every waiting bridge is due now (many spread as the first polls are); an
    /// open circuit keeps its time.
    fn resume(&mut self) {
        let now = Instant::now().into_std();
        let n = self.members.slots();
        let members = &mut self.members;
        self.lanes.reschedule(|i| {
            let Some(m) = members.get_mut(i) else { return now };
            m.engine.poll_now(now);
            let spread = queue::first_poll(now, i, n, m.engine.first_interval());
            m.engine.next_poll_at().max(spread)
        });
    }

    /// With one bridge, where the timer will wait while its next poll is in flight: that poll's
    /// due time and its interval after it, as `start_due` sets `floor` (see timer.rs).
    fn floor_after_next(&self) -> Option<std::time::Instant> {
        if self.members.len() != 1 {
            return None;
        }
        let m = self.members.iter().next()?.1;
        Some(later(m.engine.next_poll_at(), m.engine.expected_interval()))
    }

    /// Start every due poll there is room for.
    fn start_due(
        &mut self,
        flying: &mut Flying<'static, PollDone>,
        woken_for: std::time::Instant,
    ) -> Result<(), crate::error::Failure> {
        let now = Instant::now().into_std();
        // Polls due a moment from now start with those due now (lanes.rs); their engines see
        // them start on time.
        let one = self.members.len() == 1;
        while let Some((due, i, kind)) = self.lanes.pop_starting(woken_for, now) {
            let Some(m) = self.members.get_mut(i) else {
                // A reload removed it while it waited (lanes forget those; never reached).
                continue;
            };
            let Some(events) = m.engine.start_poll(due.max(now), SystemTime::now()) else {
                // Not yet due by its engine (an open circuit): back in its lane.
                self.lanes.push(m.engine.next_poll_at().max(now), i, kind);
                continue;
            };
            let client = Arc::clone(&m.client);
            // A connection its next poll cannot reuse is closed at once, not kept idle.
            let keep = m.engine.keeps_connection(client::POOL_IDLE);
            if one {
                self.floor = Some(later(due, m.engine.expected_interval()));
            }
            let first = kind == Kind::Unknown;
            self.lanes.started(i, kind, now);
            self.lateness[kind.index()].record(now.saturating_duration_since(due));
            for e in &events {
                self.emit(i, e)?;
            }
            let Some(patient) = first.then(|| self.first_poll(i)) else {
                flying.push(Box::pin(async move {
                    let sent = std::time::Instant::now();
                    let res = match one && keep {
                        true => client.status_alone().await,
                        false => client.status_keeping(keep).await,
                    };
                    (i, res, sent.elapsed())
                }));
                continue;
            };
            flying.push(Box::pin(async move {
                let sent = std::time::Instant::now();
                let res = tokio::select! {
                    res = client.status_keeping(keep) => res,
                    Ok(()) = patient => Err(gave_up(&client)),
                };
                (i, res, sent.elapsed())
            }));
        }
        if self.view.redraws_per_answer() {
            self.redraw();
        }
        Ok(())
    }

    /// Bridge `i`'s first poll: what tells it to give its slot up.
    fn first_poll(&mut self, i: usize) -> tokio::sync::oneshot::Receiver<()> {
        let (tell, told) = tokio::sync::oneshot::channel();
        if let Some(m) = self.members.get_mut(i) {
            m.give_up = Some(tell);
        }
        told
    }

    /// First polls unanswered for `FIRST_PATIENCE` while other bridges wait: cancelled.
    fn give_up_slots(&mut self) {
        let now = Instant::now().into_std();
        while let Some(i) = self.lanes.give_up(now) {
            if let Some(tell) = self.members.get_mut(i).and_then(|m| m.give_up.take()) {
                let _ = tell.send(());
            }
        }
    }

    /// Hand one bridge's poll result to its engine; print its events; judge the watch.
    fn react(
        &mut self,
        i: usize,
        res: Result<StatusFetch, BridgeError>,
        took: Duration,
    ) -> Result<Option<End>, crate::error::Failure> {
        self.lanes.finished(i);
        let Some(m) = self.members.get_mut(i) else {
            // Its answer came after a reload removed it: now its slot is free.
            self.members.release(i);
            return Ok(None);
        };
        m.give_up = None;
        let now = Instant::now().into_std();
        let answer = metrics::Poll::of(&res, took);
        let engine = &mut m.engine;
        let reaction = engine.take(now, SystemTime::now(), &res);
        let error = res.err();
        if let Some(x) = &self.exporter {
            x.metrics
                .observe(i, engine, answer, &reaction.events, now, SystemTime::now());
        }
        let status = engine.answered_status();
        let end = self.roster.after(i, status, &reaction, now);
        if end.is_none() && reaction.end == Some(End::Fatal) && self.roster.all_rejected() {
            crate::output::tell(crate::output::Notice::AllKeysRejected);
        }
        match reaction.end {
            // The `rejected` event tells it; one bridge's last words are the bridge's own.
            Some(End::Fatal) => self.fatal = self.fatal.take().or(error),
            Some(_) => {}
            // A bridge whose poll failed waits in the failing lane, with its bounded share; one
            // that answered in the answering lane, never behind bridges nobody knows yet.
            None => {
                let kind = match engine.consecutive_failures() {
                    0 => Kind::Answered,
                    _ => Kind::Failing,
                };
                self.lanes.push(engine.next_poll_at(), i, kind);
            }
        }
        for e in &reaction.events {
            self.emit(i, e)?;
        }
        Ok(end)
    }

    /// With no bridge left to poll, a watch with `--count` or `--until` ends at once.
    fn nothing_to_poll(&self) -> Option<End> {
        let end = self.roster.empty_end(self.flags.count.is_some())?;
        crate::output::tell(crate::output::Notice::NothingToPoll);
        Some(end)
    }

    /// The slots of the bridges watched now.
    fn live(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().map(|(i, _)| i)
    }

    fn heartbeats(&mut self) -> Result<(), crate::error::Failure> {
        let wall = SystemTime::now();
        let beats: Vec<(usize, Event)> = self
            .members
            .iter()
            .map(|(i, m)| (i, m.engine.heartbeat(wall)))
            .collect();
        for (i, beat) in beats {
            self.emit(i, &beat)?;
        }
        Ok(())
    }

    fn redraw(&mut self) {
        let now = Instant::now().into_std();
        let rows: Vec<Row<'_>> = self
            .members
            .iter()
            .map(|(i, m)| Row {
                name: &m.bridge.name,
                engine: &m.engine,
                last_change: self.roster.last_change(i),
                stopped: self.roster.stopped(i).is_some(),
            })
            .collect();
        self.view.redraw(&rows, now);
    }
}
