//! `exec` and `input`: running Kiro commands from scripts. The I/O side: one POST, on a
//! connection of its own, never retried (a retried execute runs the command twice on the real
//! bridge); with `--wait`, a lost answer (408, a dropped connection) is followed through
//! `/status` by an engine at `--follow-interval`. What the answer means is
//! `engine::outcome`'s (pure); how it reads is `output::exec`'s.

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use tokio::time::Instant;

use crate::client::pinned::{Held, PingFail, Pong};
use crate::client::{BridgeClient, Unheld};
use crate::config::Config;
use crate::engine::held::{Close, Confirmed, Fresh, Hold, COMMAND_LIMIT};
use crate::engine::outcome::{on_answer, Decision, Lost, Outcome, Sign, Untold, Why};
use crate::engine::End;
use crate::engine::{Engine, EngineConfig, Follow, Verdict};
use crate::error::{Exit, UsageError};
use crate::model::{ExecuteRequest, InputRequest};
use crate::output::exec as render;
use crate::output::terminal::Spinner;
use crate::plan::ExecPlan;
use crate::stops::{Interrupt, Screen, Stops};

pub async fn run_exec(client: &BridgeClient, config: &Config, args: &ExecPlan) -> anyhow::Result<()> {
    let spinner = (config.term.stderr_tty && !config.quiet)
        .then(|| Spinner::start(crate::sanitize::line(&args.command).into_owned()));
    let limit = limit(args, config.request_timeout);
    let deadline = crate::engine::schedule::later(std::time::Instant::now(), limit);
    let mut stops = Stops::install(Some(deadline.into()))?;
    let waiter = OnTerminal {
        stops: &mut stops,
        screen: SpinnerScreen(spinner.as_ref()),
    };
    let started = Instant::now();
    let decision = decide(client, args, waiter, limit).await;
    let waited = started.elapsed();
    drop(spinner);
    let ending = render::ending(args, &decision);
    // A lost or failing stdout never masks the outcome: the exit code is the command's.
    if let Err(e) = render::print(&mut std::io::stdout().lock(), config, args, &decision, waited) {
        if !crate::error::is_reader_gone(&e) {
            crate::output::log_line(&format!(
                "error: {} {}, but its result could not be written: {e}",
                crate::sanitize::line(&args.command),
                decision.outcome.name()
            ));
        }
    }
    if !config.json && !config.quiet {
        if let Some(note) = render::note(args, &decision) {
            crate::output::log_line(&note);
        }
    }
    ending.map_or(Ok(()), Err)
}

/// How long the execute request may take: `--timeout` with `--wait`, else the request timeout.
pub fn limit(args: &ExecPlan, request_timeout: std::time::Duration) -> std::time::Duration {
    if args.wait {
        args.timeout
    } else {
        request_timeout
    }
}

/// What an exec waits with: what stops it and where it says how it goes. On a terminal the
/// signals and the deadline, and the spinner; over MCP a cancellation and the deadline, and
/// progress notifications. One exec logic for both, so the two cannot drift apart.
pub trait Waiter {
    /// What ends the wait (a signal or a cancellation, or the deadline), or a resume from
    /// Ctrl-Z after which the status is asked at once.
    fn next(&mut self) -> impl std::future::Future<Output = Interrupt>;
    /// Only what ends it early (a signal, a cancellation), whatever the deadline: for the
    /// execute request, which keeps its own time limit.
    fn ending(&mut self) -> impl std::future::Future<Output = End>;
    /// How the wait goes, in a few words.
    fn say(&mut self, msg: &str) -> impl std::future::Future<Output = ()>;
}

/// The spinner, as the screen a stop takes down and a resume redraws.
struct SpinnerScreen<'a>(Option<&'a Spinner>);

impl Screen for SpinnerScreen<'_> {
    fn suspend(&mut self) {}

    fn resume(&mut self) {
        if let Some(s) = self.0 {
            s.invalidate();
        }
    }
}

/// `exec` in a shell: signals and the deadline, handled as a watch handles them; the spinner.
struct OnTerminal<'a> {
    stops: &'a mut Stops,
    screen: SpinnerScreen<'a>,
}

impl Waiter for OnTerminal<'_> {
    async fn next(&mut self) -> Interrupt {
        self.stops.next(&mut self.screen).await
    }

    async fn ending(&mut self) -> End {
        self.stops.ending_signal(&mut self.screen).await
    }

    async fn say(&mut self, msg: &str) {
        if let Some(s) = self.screen.0 {
            s.say(msg);
        }
    }
}

/// Run a command once and decide how it ended: the bridge's answer, or, after a lost answer
/// with `wait`, what following its status showed. `limit`: how long the execute request may
/// take (`limit()`).
pub async fn decide(
    client: &BridgeClient,
    args: &ExecPlan,
    waiter: impl Waiter,
    limit: std::time::Duration,
) -> Decision {
    Run {
        client,
        args,
        waiter,
        limit,
    }
    .execute()
    .await
}

/// One exec in progress: what it needs to wait on.
struct Run<'a, W> {
    client: &'a BridgeClient,
    args: &'a ExecPlan,
    waiter: W,
    /// How long the execute request may take: `--timeout` with `--wait`.
    limit: std::time::Duration,
}

/// An exec ended by a signal or a cancellation.
fn interrupted(end: End) -> Decision {
    match end {
        End::Signal { code } => Decision::interrupted(code),
        other => unreachable!("a stop ends with a signal or the deadline, not {other:?}"),
    }
}

impl<'a, W: Waiter> Run<'a, W> {
    async fn execute(&mut self) -> Decision {
        let request = ExecuteRequest {
            command: self.args.command.clone(),
            args: self.args.args.clone(),
            workspace_path: self.args.workspace.clone(),
        };
        let posted = Instant::now();
        self.waiter.say("waiting for the bridge's answer").await;
        // The request keeps its own time limit (it is the deadline), so only a signal races it.
        let sent = tokio::select! {
            biased;
            end = self.waiter.ending() => return interrupted(end),
            s = self.client.execute_held(&request, self.limit) => s,
        };
        match on_answer(sent.answer, self.args.wait, self.limit, posted.elapsed()) {
            Ok(decision) => decision,
            Err(lost) => self.follow(lost, sent.held, posted).await,
        }
    }

    /// What a stop came to while following: a signal, or `--timeout` ran out.
    fn stopped(
        &self,
        stop: Interrupt,
        lost: &Lost,
        follow: &Follow,
        engine: &Engine,
        held: bool,
    ) -> Option<Decision> {
        match stop {
            Interrupt::Ends(End::TimedOut) => {
                let seen = follow.seen().then(|| engine.last_seen(Instant::now().into_std()));
                let limit = self.args.timeout;
                let why = Why::FollowedOut {
                    limit,
                    lost: lost.clone(),
                    seen,
                    held,
                };
                Some(Decision::new(Outcome::TimedOut, why))
            }
            Interrupt::Ends(end) => Some(interrupted(end)),
            Interrupt::Continued => None,
        }
    }

    /// After a lost answer, follow the command both ways at once until one shows its end or
    /// `--timeout` runs out: the connection the bridge answered 408 on, kept busy with a ping
    /// every `PING_EVERY` and watched continuously (the real bridge closes it when the command
    /// ends), and /status at `--follow-interval` (a spec bridge shows the command busy). The
    /// status stops being asked once it showed it cannot tell (it never showed the command)
    /// while the connection still can.
    async fn follow(&mut self, lost: Lost, held: Result<Held, Unheld>, posted: Instant) -> Decision {
        let client: &'a BridgeClient = self.client;
        let now = Instant::now();
        let (mut conn, mut untold) = match held {
            Ok(h) => {
                let hold = Hold::new(posted.into_std(), now.into_std(), COMMAND_LIMIT);
                (Some((h, hold)), Untold::NotHeld(Unheld::Closed))
            }
            Err(why) => (None, Untold::NotHeld(why)),
        };
        let how = match (&conn, &untold) {
            (Some(_), _) => "following the connection it answered on and its status".to_owned(),
            (None, Untold::NotHeld(Unheld::Https)) => {
                "following its status (over https the connection cannot show the end)".to_owned()
            }
            (None, Untold::NotHeld(Unheld::Proxy)) => {
                "following its status (through a proxy the connection cannot show the end)".to_owned()
            }
            (None, _) => "following its status".to_owned(),
        };
        self.waiter.say(&format!("{}; {how}", render::lost(&lost))).await;
        let cfg = EngineConfig::following(self.args.follow_interval);
        let mut engine = Engine::new(cfg, now.into_std());
        let mut follow = Follow::new(&self.args.command);
        // Some(unavailable): the status showed it cannot tell (it never showed the command).
        let mut status_told: Option<bool> = None;
        let mut status_req: Option<Pending<'a, StatusAnswer>> = None;
        let mut ping: Option<Pending<'static, Result<Pong, PingFail>>> = None;
        loop {
            let status_due = Instant::from_std(engine.next_poll_at());
            let ping_due = conn
                .as_ref()
                .map_or(now, |(_, hold)| Instant::from_std(hold.next_ping()));
            let asking_status = status_told.is_none() && status_req.is_none();
            tokio::select! {
                biased;
                stop = self.waiter.next() => {
                    match self.stopped(stop, &lost, &follow, &engine, conn.is_some()) {
                        Some(decision) => return decision,
                        // Back from Ctrl-Z: poll at once.
                        None => engine.poll_now(Instant::now().into_std()),
                    }
                }
                at = async { conn.as_mut().map(|(h, _)| h.closed()).expect("held").await }, if conn.is_some() => {
                    let at = at.unwrap_or_else(|_| Instant::now());
                    let (_, mut hold) = conn.take().expect("held");
                    // A ping answered just before the close: read it first (it says who the
                    // bridge was); one cut by the close ends at once. One answered with
                    // nonsense closed the connection itself: that close is ours.
                    let mut garbled = None;
                    if let Some(p) = ping.take() {
                        match p.await {
                            Ok(p) => hold.answered(p.at.into_std().min(at.into_std()), p.uptime, p.closing),
                            Err(PingFail::Garbled(what)) => garbled = Some(what),
                            Err(PingFail::Cut(_)) => {}
                        }
                    }
                    let close = match garbled {
                        Some(what) => {
                            untold = Untold::Garbled(what);
                            Close::Announced
                        }
                        None => hold.on_close(at.into_std()),
                    };
                    client.trace(1, || format!(
                        "the connection the execute was answered on closed {} after the request: {close:?}",
                        crate::units::human_duration(at.saturating_duration_since(posted))
                    ));
                    if let Close::Ended { took } | Close::Abandoned { took } = close {
                        // The bridge gone (killed, a crash) or restarted closes it too: ask it
                        // afresh before believing the command ended.
                        let fresh = loop {
                            tokio::select! {
                                biased;
                                stop = self.waiter.next() => match self.stopped(stop, &lost, &follow, &engine, false) {
                                    Some(decision) => return decision,
                                    None => continue,
                                },
                                h = client.health() => break h,
                            }
                        };
                        let fresh = match fresh {
                            Ok(h) => Fresh::Answered { at: Instant::now().into_std(), uptime: h.server.uptime },
                            Err(e) => Fresh::Failed(e.short()),
                        };
                        let conn = match hold.confirm(&fresh) {
                            Confirmed::Yes if matches!(close, Close::Abandoned { .. }) => return Decision::abandoned(took),
                            Confirmed::Yes => return Decision::completed(Sign::Connection, took),
                            // A bridge gone or restarted shows nothing more of the command:
                            // unknown now, not after --timeout.
                            Confirmed::WentAway(what) => Untold::WentAway(what),
                            Confirmed::Restarted => Untold::Restarted,
                        };
                        let why = Why::NeverShown { lost, unavailable: status_told.unwrap_or(false), conn };
                        return Decision::new(Outcome::Unknown, why);
                    }
                    if let Close::Late { idle } = close {
                        untold = Untold::Late { idle };
                    }
                    if let Some(unavailable) = status_told {
                        let why = Why::NeverShown { lost, unavailable, conn: untold };
                        return Decision::new(Outcome::Unknown, why);
                    }
                    self.waiter.say("the connection closed without showing the end; following its status").await;
                }
                pong = async { ping.as_mut().expect("a ping").await }, if ping.is_some() => {
                    ping = None;
                    client.trace(2, || format!("ping on the held connection: {pong:?}"));
                    match pong {
                        Ok(p) => {
                            if let Some((_, hold)) = conn.as_mut() {
                                hold.answered(p.at.into_std(), p.uptime, p.closing);
                            }
                        }
                        // Let go of a connection that answers nonsense: its close would be ours.
                        Err(PingFail::Garbled(what)) => {
                            conn = None;
                            untold = Untold::Garbled(what);
                            if let Some(unavailable) = status_told {
                                let why = Why::NeverShown { lost, unavailable, conn: untold };
                                return Decision::new(Outcome::Unknown, why);
                            }
                            self.waiter.say("the connection it answered on is no longer trusted; following its status").await;
                        }
                        // Its close is told by the connection itself.
                        Err(PingFail::Cut(_)) => {}
                    }
                }
                _ = tokio::time::sleep_until(ping_due), if conn.is_some() && ping.is_none() => {
                    if let Some((h, hold)) = conn.as_mut() {
                        client.count_request();
                        hold.pinged(Instant::now().into_std());
                        ping = Some(Box::pin(h.ping()));
                    }
                }
                answer = async { status_req.as_mut().expect("a status request").await }, if status_req.is_some() => {
                    status_req = None;
                    // The watch's step after each answer: bytes and 304s counted, a rejected
                    // key told by the engine's reaction.
                    let reaction = engine.take(Instant::now().into_std(), SystemTime::now(), &answer);
                    match answer {
                        Ok(fetch) => match follow.observe(&fetch.status) {
                            Verdict::Running => {
                                self.waiter.say("Kiro reports it running; following its status").await
                            }
                            Verdict::NotYetSeen => {}
                            Verdict::Completed => {
                                return Decision::completed(Sign::Status, posted.elapsed());
                            }
                            Verdict::Unknown { unavailable } => {
                                if conn.is_none() {
                                    let why = Why::NeverShown { lost, unavailable, conn: untold };
                                    return Decision::new(Outcome::Unknown, why);
                                }
                                status_told = Some(unavailable);
                                self.waiter
                                    .say("its status does not show it (the real bridge never reports busy); following the connection it answered on")
                                    .await;
                            }
                        },
                        Err(e) if reaction.end == Some(End::Fatal) => return Decision::bridge(e),
                        // Nothing listens any more (with no connection held to tell): the
                        // bridge is gone, and the command's outcome with it unknown.
                        Err(e) if e.kind() == crate::error::FailureKind::Connect && conn.is_none() && follow.refused() => {
                            let why = Why::NeverShown { lost, unavailable: false, conn: Untold::WentAway(e.short()) };
                            return Decision::new(Outcome::Unknown, why);
                        }
                        Err(e) => {
                            self.waiter
                                .say(&format!("status unreachable ({}); retrying", e.short()))
                                .await
                        }
                    }
                }
                _ = tokio::time::sleep_until(status_due), if asking_status => {
                    if engine.start_poll(Instant::now().into_std(), SystemTime::now()).is_some() {
                        status_req = Some(Box::pin(client.status()));
                    }
                }
            }
        }
    }
}

type StatusAnswer = Result<crate::model::StatusFetch, crate::error::BridgeError>;

/// A request in flight while the follow loop goes on.
type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `input`: the request `config::plans::input` built, sent once.
pub async fn run_input(
    client: &BridgeClient,
    config: &Config,
    request: &InputRequest,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let answer = client.input(request, config.request_timeout).await?;
    render::input(out, config, &request.execution_id, &answer)?;
    match render::input_ending(&answer) {
        None => Ok(()),
        Some((2, msg)) => Err(UsageError(msg).into()),
        Some((code, msg)) => Err(Exit::new(code, msg).into()),
    }
}
