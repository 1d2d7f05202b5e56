//! `exec` and `input`: running Kiro commands from scripts. The I/O side: one POST, on a
//! connection of its own, never retried (a retried execute runs the command twice on the real
//! bridge); with `--wait`, a lost answer (408, a dropped connection) is followed through
//! `/status` by an engine at `--follow-interval`. What the answer means is
//! `engine::outcome`'s (pure); how it reads is `output::exec`'s.

use std::time::SystemTime;

use tokio::time::Instant;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::engine::outcome::{on_answer, Decision, Lost, Outcome, Why};
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
        if let Some(note) = render::note(args, &decision, waited) {
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

impl<W: Waiter> Run<'_, W> {
    async fn execute(&mut self) -> Decision {
        let request = ExecuteRequest {
            command: self.args.command.clone(),
            args: self.args.args.clone(),
            workspace_path: self.args.workspace.clone(),
        };
        let started = Instant::now();
        self.waiter.say("waiting for the bridge's answer").await;
        // The request keeps its own time limit (it is the deadline), so only a signal races it.
        let answer = tokio::select! {
            biased;
            end = self.waiter.ending() => return interrupted(end),
            a = self.client.execute(&request, self.limit) => a,
        };
        match on_answer(answer, self.args.wait, self.limit, started.elapsed()) {
            Ok(decision) => decision,
            Err(lost) => self.follow_status(lost).await,
        }
    }

    /// What a stop came to while following: a signal, or `--timeout` ran out.
    fn stopped(&self, stop: Interrupt, lost: &Lost, follow: &Follow, engine: &Engine) -> Option<Decision> {
        match stop {
            Interrupt::Ends(End::TimedOut) => {
                Some(followed_out(self.args.timeout, lost.clone(), follow, engine))
            }
            Interrupt::Ends(end) => Some(interrupted(end)),
            Interrupt::Continued => None,
        }
    }

    /// After a lost answer: follow /status while it shows the command, until the deadline.
    async fn follow_status(&mut self, lost: Lost) -> Decision {
        self.waiter
            .say(&format!("{}; following its status", render::lost(&lost)))
            .await;
        let cfg = EngineConfig::following(self.args.follow_interval);
        let mut engine = Engine::new(cfg, Instant::now().into_std());
        let mut follow = Follow::new(&self.args.command);
        loop {
            let due = Instant::from_std(engine.next_poll_at());
            tokio::select! {
                biased;
                stop = self.waiter.next() => match self.stopped(stop, &lost, &follow, &engine) {
                    Some(decision) => return decision,
                    // Back from Ctrl-Z: poll at once.
                    None => engine.poll_now(Instant::now().into_std()),
                },
                _ = tokio::time::sleep_until(due) => {}
            }
            if engine
                .start_poll(Instant::now().into_std(), SystemTime::now())
                .is_none()
            {
                continue;
            }
            // Raced against the deadline too: --timeout is kept even while a status request
            // hangs for up to --request-timeout.
            let answer = loop {
                tokio::select! {
                    biased;
                    stop = self.waiter.next() => match self.stopped(stop, &lost, &follow, &engine) {
                        Some(decision) => return decision,
                        None => continue,
                    },
                    a = self.client.status() => break a,
                }
            };
            // The watch's step after each answer: bytes and 304s counted, a rejected key told
            // by the engine's reaction.
            let reaction = engine.take(Instant::now().into_std(), SystemTime::now(), &answer);
            match answer {
                Ok(fetch) => match follow.observe(&fetch.status) {
                    Verdict::Running => {
                        self.waiter
                            .say("Kiro reports it running; following its status")
                            .await
                    }
                    Verdict::NotYetSeen => {}
                    Verdict::Completed => return Decision::completed(),
                    Verdict::Unknown { unavailable } => {
                        let why = Why::NeverShown { lost, unavailable };
                        return Decision::new(Outcome::Unknown, why);
                    }
                },
                Err(e) if reaction.end == Some(End::Fatal) => return Decision::bridge(e),
                Err(e) => {
                    self.waiter
                        .say(&format!("status unreachable ({}); retrying", e.short()))
                        .await
                }
            }
        }
    }
}

/// `--timeout` ran out while following the status: what it last showed of the command.
fn followed_out(limit: std::time::Duration, lost: Lost, follow: &Follow, engine: &Engine) -> Decision {
    let seen = follow.seen().then(|| engine.last_seen(Instant::now().into_std()));
    Decision::new(Outcome::TimedOut, Why::FollowedOut { limit, lost, seen })
}

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
