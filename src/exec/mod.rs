//! `exec` and `input`: running Kiro commands from scripts. The I/O side: one POST, on a
//! connection of its own, never retried (a retried execute runs the command twice on the real
//! bridge); with `--wait`, a lost answer (408, a dropped connection) is followed by the driver
//! of a wait on one bridge (`crate::driver`): the connection it was answered on, and `/status`
//! at `--follow-interval`. What the answer means is `engine::outcome`'s and the follower's
//! (pure); how it reads is `output::exec`'s.

use tokio::time::Instant;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::driver::Driver;
use crate::engine::held::HoldPolicy;
use crate::engine::observe::Note;
use crate::engine::outcome::{on_answer, Decision, Untold};
use crate::engine::{EngineConfig, Following};
use crate::error::{Ending, Failure, UsageError};
use crate::jobs::{self, NewJob, StorePlan};
use record::Recorder;

pub mod collect;
pub mod detach;
pub mod record;
use crate::engine::Halt;
use crate::model::{ExecuteRequest, InputRequest, Unheld};
use crate::output::exec as render;
use crate::output::terminal::Spinner;
use crate::plan::ExecPlan;
use crate::stops::{OnTerminal, Screen, Stops, Waiter};

pub async fn run_exec(
    client: &BridgeClient,
    config: &Config,
    args: &ExecPlan,
    store: &StorePlan,
) -> Result<(), crate::error::Failure> {
    let follower = args.detach && detach::is_follower();
    if args.detach && !follower {
        return launch(config, store);
    }
    let mut job = NewJob::of(args, client.shown_base(), jobs::BY_CLI, follower);
    job.bridge_name = config.bridge_name.clone();
    let recorder = match follower {
        true => {
            Recorder::start(store, &job).map_err(|e| UsageError(crate::output::jobs::store_needed(&e)))?
        }
        false => Recorder::start_or_warn(store, &job, config.quiet),
    };
    let spinner = (config.term.stderr_tty && !config.quiet)
        .then(|| Spinner::start(crate::sanitize::line(&args.command).into_owned()));
    let limit = limit(args, config.request_timeout);
    let deadline = crate::engine::schedule::later(std::time::Instant::now(), limit);
    let mut stops = Stops::install(Some(deadline.into()))?;
    let waiter = recorder.noting(OnTerminal {
        stops: &mut stops,
        screen: SpinnerScreen {
            spinner: spinner.as_ref(),
            quiet: config.quiet,
        },
    });
    let started = Instant::now();
    let decision = match (follower, recorder.id()) {
        (true, Some(id)) => {
            let (tell, on_wire) = tokio::sync::oneshot::channel();
            let mut decided = std::pin::pin!(decide(client, args, waiter, limit, Some(tell)));
            let detached = async {
                if on_wire.await.is_err() {
                    return std::future::pending().await;
                }
                tokio::time::sleep(detach::GRACE).await;
            };
            tokio::select! {
                d = &mut decided => {
                    detach::tell_ended();
                    d
                }
                () = detached => {
                    detach::tell_following(id);
                    decided.await
                }
            }
        }
        _ => decide(client, args, waiter, limit, None).await,
    };
    let waited = started.elapsed();
    drop(spinner);
    recorder.finish(args, &decision, render::report(args, &decision, waited).error);
    let ending = render::ending(args, &decision);
    // A failing stdout never masks a failed outcome (the exit code is the command's), but a
    // success whose result could not be written is no 0: exit 74, saying how it went.
    let mut unwritten = None;
    if let Err(e) = render::print(&mut std::io::stdout().lock(), config, args, &decision, waited) {
        if !crate::error::is_reader_gone(&e) {
            let msg = format!(
                "{} {}, but its result could not be written: {e}",
                crate::sanitize::line(&args.command),
                decision.outcome.name()
            );
            match ending.is_none() {
                true => unwritten = Some(msg),
                false => crate::output::tell(crate::output::Notice::ExecError(&msg)),
            }
        }
    }
    if let Some(msg) = unwritten {
        return Err(Failure::new(Ending::OutputFailed, msg));
    }
    if !config.json && !config.quiet {
        if let Some(note) = render::note(args, &decision) {
            crate::output::tell(crate::output::Notice::Worded(&note));
        }
    }
    ending.map_or(Ok(()), Err)
}

/// `exec --detach` in the shell's process: start the follower; print the job it follows (its
/// id, or with `--json` the job's object), or pass on how it already ended.
fn launch(config: &Config, store: &StorePlan) -> Result<(), crate::error::Failure> {
    if store.path.is_none() {
        return Err(UsageError(crate::output::jobs::no_store("exec --detach")).into());
    }
    match detach::launch()? {
        detach::Launched::Ended(0) => Ok(()),
        detach::Launched::Ended(code) => Err(Failure::quiet(Ending::of_code(code))),
        detach::Launched::Following(id) => {
            let path = store.path.as_deref().expect("checked above");
            let job = jobs::Store::open(path)
                .ok()
                .and_then(|s| s.get(id).ok().flatten());
            let mut out = std::io::stdout().lock();
            crate::output::jobs::started(&mut out, config, id, job.as_ref())?;
            Ok(())
        }
    }
}

/// How long the execute request may take: `--timeout` with `--wait`, else the request timeout.
pub fn limit(args: &ExecPlan, request_timeout: std::time::Duration) -> std::time::Duration {
    if args.wait {
        args.timeout
    } else {
        request_timeout
    }
}

/// The spinner, as the screen a stop takes down, a resume redraws and the news goes to; news
/// that lasts is a line on stderr (unless `--quiet`), spinner or not.
struct SpinnerScreen<'a> {
    spinner: Option<&'a Spinner>,
    quiet: bool,
}

impl Screen for SpinnerScreen<'_> {
    fn suspend(&mut self) {}

    fn resume(&mut self) {
        if let Some(s) = self.spinner {
            s.invalidate();
        }
    }

    fn say(&mut self, msg: &str) {
        if let Some(s) = self.spinner {
            s.say(msg);
        }
    }

    fn log(&mut self, msg: &str) {
        if !self.quiet {
            crate::output::tell(crate::output::Notice::WaitNote(msg));
        }
    }
}

/// Run a command once and decide how it ended: the bridge's answer, or, after a lost answer
/// with `wait`, what following it showed (`crate::driver`, with the command follower).
/// `limit`: how long the execute request may take (`limit()`).
/// `on_wire`: told once the request is on the wire (`exec --detach`).
pub async fn decide(
    client: &BridgeClient,
    args: &ExecPlan,
    mut waiter: impl Waiter,
    limit: std::time::Duration,
    on_wire: Option<tokio::sync::oneshot::Sender<()>>,
) -> Decision {
    let request = ExecuteRequest {
        command: args.command.clone(),
        args: args.args.clone(),
        workspace_path: args.workspace.clone(),
    };
    let posted = std::time::Instant::now();
    waiter.tell(Note::Sent).await;
    // With --wait, the bridge's uptime is asked beside the POST (on another connection), so a
    // restart is visible however soon the held connection closes (`held::HoldPolicy::confirm`).
    let mut before = std::pin::pin!(async {
        match args.wait {
            true => client
                .health()
                .await
                .ok()
                .and_then(|h| crate::engine::held::start_of(std::time::Instant::now(), h.server.uptime)),
            false => None,
        }
    });
    let mut started: Option<Option<std::time::Instant>> = None;
    let mut execute = std::pin::pin!(client.execute_held(&request, limit, on_wire));
    // The request keeps its own time limit (it is the deadline), so only a halt races it.
    let sent = loop {
        tokio::select! {
            biased;
            halt = waiter.halt() => return Decision::interrupted(halt),
            s = &mut execute => break s,
            at = &mut before, if started.is_none() => started = Some(at),
        }
    };
    let lost = match on_answer(sent.answer, args.wait, limit, posted.elapsed()) {
        Ok(decision) => return decision,
        Err(lost) => lost,
    };
    let started = match started {
        Some(at) => at,
        None => tokio::select! {
            biased;
            halt = waiter.halt() => return Decision::interrupted(halt),
            at = &mut before => at,
        },
    };
    // Follow the command both ways at once until one shows its end or `--timeout` runs out:
    // the connection the bridge answered 408 on (it closes it when the command ends), and
    // /status at `--follow-interval` (a spec bridge shows the command busy).
    let now = std::time::Instant::now();
    let mut driver = Driver::new(client, EngineConfig::following(args.follow_interval));
    let (unheld, untold) = match sent.held {
        Ok(h) => {
            let hold = HoldPolicy::new(posted, now, h.keep_alive(), started);
            driver = driver.holding(h, hold);
            (None, Untold::NotHeld(Unheld::Closed))
        }
        Err(why) => (Some(why), Untold::NotHeld(why)),
    };
    waiter
        .tell(Note::Following {
            lost: lost.clone(),
            unheld,
        })
        .await;
    let mut following = Following::new(&args.command, lost, untold, posted);
    match driver.run(&mut following, &mut waiter).await {
        Ok(decision) => decision,
        Err(Halt::TimedOut) => {
            let now = std::time::Instant::now();
            following.timed_out(driver.engine(), now, args.timeout, driver.held())
        }
        Err(halt) => Decision::interrupted(halt),
    }
}

/// `input`: the request `config::plans::input` built, sent once.
pub async fn run_input(
    client: &BridgeClient,
    config: &Config,
    request: &InputRequest,
    out: &mut impl std::io::Write,
) -> Result<(), crate::error::Failure> {
    let answer = client.input(request, config.request_timeout).await?;
    render::input(out, config, &request.execution_id, &answer)?;
    match render::input_ending(&answer) {
        None => Ok(()),
        Some((Ending::Usage, msg)) => Err(UsageError(msg).into()),
        Some((ending, msg)) => Err(Failure::new(ending, msg)),
    }
}
