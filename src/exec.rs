//! `exec` and `input`: running Kiro commands from scripts. The I/O side: one POST, on a
//! connection of its own, never retried (a retried execute runs the command twice on the real
//! bridge); with `--wait`, a lost answer (408, a dropped connection) is followed through
//! `/status` by an engine at `--follow-interval`. What the answer means is
//! `engine::outcome`'s (pure); how it reads is `output::exec`'s.

use std::time::SystemTime;

use tokio::time::Instant;

use crate::cli::{ExecArgs, InputArgs};
use crate::client::BridgeClient;
use crate::config::Config;
use crate::engine::outcome::{on_answer, Decision, Lost, Outcome, Why};
use crate::engine::{Engine, EngineConfig, Failure, Follow, Received, Verdict};
use crate::error::{Exit, UsageError};
use crate::model::{ExecuteRequest, InputRequest};
use crate::output::exec as render;
use crate::output::terminal::{self, Spinner};
use crate::platform::{self, Sig, Signals};

pub async fn run_exec(client: &BridgeClient, config: &Config, args: &ExecArgs) -> anyhow::Result<()> {
    if args.command.trim().is_empty() {
        return Err(UsageError("invalid value '' for '<COMMAND>': a command id is required".into()).into());
    }
    let mut signals = Signals::install()?;
    let spinner = (config.term.stderr_tty && !config.quiet)
        .then(|| Spinner::start(crate::sanitize::line(&args.command).into_owned()));
    let mut run = Run {
        client,
        args,
        signals: &mut signals,
        spinner: spinner.as_ref(),
    };
    let started = Instant::now();
    let decision = run.execute(config).await;
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

/// One exec in progress: what it needs to wait on.
struct Run<'a> {
    client: &'a BridgeClient,
    args: &'a ExecArgs,
    signals: &'a mut Signals,
    spinner: Option<&'a Spinner>,
}

impl Run<'_> {
    fn say(&self, msg: &str) {
        if let Some(s) = self.spinner {
            s.say(msg);
        }
    }

    async fn execute(&mut self, config: &Config) -> Decision {
        let request = ExecuteRequest {
            command: self.args.command.clone(),
            args: self.args.args.clone(),
            workspace_path: self.args.workspace.clone(),
        };
        let limit = if self.args.wait {
            self.args.timeout
        } else {
            config.request_timeout
        };
        let started = Instant::now();
        let deadline = crate::engine::schedule::later(started.into_std(), limit).into();
        self.say("waiting for the bridge's answer");
        let answer = tokio::select! {
            biased;
            sig = wait_for_end(self.signals, self.spinner) => return Decision::interrupted(sig.exit_code()),
            a = self.client.execute(&request, limit) => a,
        };
        match on_answer(answer, self.args.wait, limit, started.elapsed()) {
            Ok(decision) => decision,
            Err(lost) => self.follow_status(lost, deadline).await,
        }
    }

    /// After a lost answer: follow /status while it shows the command, until `deadline`.
    async fn follow_status(&mut self, lost: Lost, deadline: Instant) -> Decision {
        self.say(&format!("{}; following its status", render::lost(&lost)));
        let cfg = EngineConfig::following(self.args.follow_interval);
        let mut engine = Engine::new(cfg, Instant::now().into_std());
        let mut follow = Follow::new(&self.args.command);
        loop {
            let due = Instant::from_std(engine.next_poll_at());
            tokio::select! {
                biased;
                sig = wait_for_end(self.signals, self.spinner) => return Decision::interrupted(sig.exit_code()),
                _ = tokio::time::sleep_until(deadline) => {
                    return followed_out(self.args.timeout, lost, &follow, &engine);
                }
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
            let answer = tokio::select! {
                biased;
                sig = wait_for_end(self.signals, self.spinner) => return Decision::interrupted(sig.exit_code()),
                _ = tokio::time::sleep_until(deadline) => {
                    return followed_out(self.args.timeout, lost, &follow, &engine);
                }
                a = self.client.status() => a,
            };
            let now = Instant::now().into_std();
            match answer {
                Ok(fetch) => {
                    engine.on_success(now, SystemTime::now(), fetch.status.clone(), Received::default());
                    match follow.observe(&fetch.status) {
                        Verdict::Running => self.say("Kiro reports it running; following its status"),
                        Verdict::NotYetSeen => {}
                        Verdict::Completed => return Decision::completed(),
                        Verdict::Unknown { unavailable } => {
                            let why = Why::NeverShown { lost, unavailable };
                            return Decision::new(Outcome::Unknown, why);
                        }
                    }
                }
                Err(e) if e.is_fatal() => return Decision::bridge(e),
                Err(e) => {
                    engine.on_failure(now, SystemTime::now(), &Failure::from(&e));
                    self.say(&format!("status unreachable ({}); retrying", e.short()));
                }
            }
        }
    }
}

/// The next signal that ends the wait; Ctrl-Z stops (the spinner cleared first) and a resume
/// redraws.
async fn wait_for_end(signals: &mut Signals, spinner: Option<&Spinner>) -> Sig {
    loop {
        match signals.recv().await {
            Sig::Stop => {
                terminal::suspend();
                platform::stop_self();
            }
            Sig::Continue => {
                terminal::resume();
                if let Some(s) = spinner {
                    s.invalidate();
                }
            }
            s => return s,
        }
    }
}

/// `--timeout` ran out while following the status: what it last showed of the command.
fn followed_out(limit: std::time::Duration, lost: Lost, follow: &Follow, engine: &Engine) -> Decision {
    let seen = follow.seen().then(|| engine.last_seen(Instant::now().into_std()));
    Decision::new(Outcome::TimedOut, Why::FollowedOut { limit, lost, seen })
}

pub async fn run_input(
    client: &BridgeClient,
    config: &Config,
    args: &InputArgs,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let request = InputRequest {
        value: args.value.clone(),
        kind: args.kind.into(),
        execution_id: args.execution_id.clone(),
    };
    let answer = client.input(&request, config.request_timeout).await?;
    render::input(out, config, &args.execution_id, &answer)?;
    match render::input_ending(&answer) {
        None => Ok(()),
        Some((2, msg)) => Err(UsageError(msg).into()),
        Some((code, msg)) => Err(Exit::new(code, msg).into()),
    }
}
