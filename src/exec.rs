//! `exec` and `input`: running Kiro commands from scripts. One POST, on a connection of its
//! own, never retried (a retried execute runs the command twice on the real bridge). With
//! `--wait`, a 408 or a connection lost after sending is followed through `/status` for as long
//! as the status shows the command; when the status cannot show it, kiro-poll says the outcome
//! is unknown (exit 6) instead of guessing.

use std::io::Write;
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::StatusCode;
use serde::Serialize;
use tokio::time::Instant;

use crate::cli::{ExecArgs, InputArgs};
use crate::client::{error_for_status, parse_body, BridgeClient, RawResponse, EXECUTE_PATH, INPUT_PATH};
use crate::config::Config;
use crate::engine::{Engine, EngineConfig, Failure, Follow, Verdict};
use crate::error::{BridgeError, FailureKind, Outcome, UsageError};
use crate::model::{ErrorBody, ExecuteRequest, ExecuteResponse, InputRequest, InputResponse};
use crate::output::{human_duration, write_json_line};
use crate::sanitize;
use crate::signals::{Sig, Signals};

/// The one object `exec --json` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecReport {
    pub command: String,
    pub args: Vec<String>,
    pub success: Option<bool>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub execution_time_ms: Option<f64>,
    pub waited_ms: u64,
    /// `response` (the bridge's answer) or `status` (inferred from /status); null when neither.
    pub observed_by: Option<&'static str>,
    /// succeeded | failed | completed | unknown | timed_out | interrupted | unavailable |
    /// rejected | unauthorized | unreachable
    pub outcome: &'static str,
}

/// How an exec ended, before it is printed.
struct Ending {
    report: ExecReport,
    /// None: success (exit 0).
    error: Option<anyhow::Error>,
}

impl Ending {
    fn success(mut report: ExecReport, outcome: &'static str) -> Ending {
        report.outcome = outcome;
        Ending { report, error: None }
    }

    /// A failed or unknown ending: `text` goes into the report, `error` decides the exit code.
    fn failure(
        mut report: ExecReport,
        outcome: &'static str,
        text: String,
        error: impl Into<anyhow::Error>,
    ) -> Ending {
        report.outcome = outcome;
        report.error = Some(text);
        Ending {
            report,
            error: Some(error.into()),
        }
    }

    /// The bridge itself failed us (unreachable, unavailable, key rejected, nonsense).
    fn bridge(report: ExecReport, e: BridgeError) -> Ending {
        let outcome = match &e {
            BridgeError::Unavailable { .. } => "unavailable",
            BridgeError::Auth { .. } => "unauthorized",
            _ => "unreachable",
        };
        Ending::failure(report, outcome, e.short(), e)
    }
}

struct Spinner(Option<ProgressBar>);

impl Spinner {
    fn new(enabled: bool, command: &str) -> Spinner {
        if !enabled {
            return Spinner(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {elapsed:>4} · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(sanitize::line(command).into_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner(Some(bar))
    }
    fn say(&self, msg: &str) {
        if let Some(b) = &self.0 {
            b.set_message(msg.to_owned());
        }
    }
    fn clear(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.clear();
    }
}

pub async fn run_exec(client: &BridgeClient, config: &Config, args: &ExecArgs) -> anyhow::Result<()> {
    if args.command.trim().is_empty() {
        return Err(UsageError("invalid value '' for '<COMMAND>': a command id is required".into()).into());
    }
    let mut signals = Signals::install()?;
    let mut spinner = Spinner::new(config.term.stderr_tty && !config.quiet, &args.command);
    let started = Instant::now();
    let mut ending = execute(client, config, args, &mut signals, &spinner, started).await;
    ending.report.waited_ms = started.elapsed().as_millis() as u64;
    spinner.clear();
    finish(config, ending)
}

fn finish(config: &Config, ending: Ending) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if config.json {
        write_json_line(&mut out, &ending.report)?;
    } else if let Some(text) = &ending.report.output {
        if !text.is_empty() {
            let clean = sanitize::text(text);
            out.write_all(clean.as_bytes())?;
            if !clean.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
    }
    if ending.error.is_none() && !config.json && !config.quiet && ending.report.observed_by == Some("status")
    {
        let _ = writeln!(
            std::io::stderr().lock(),
            "kiro-poll: {} finished after {} (seen through the bridge's status; its result was not returned)",
            sanitize::line(&ending.report.command),
            human_duration(Duration::from_millis(ending.report.waited_ms))
        );
    }
    ending.error.map_or(Ok(()), Err)
}

async fn execute(
    client: &BridgeClient,
    config: &Config,
    args: &ExecArgs,
    signals: &mut Signals,
    spinner: &Spinner,
    started: Instant,
) -> Ending {
    let request = ExecuteRequest {
        command: args.command.clone(),
        args: args.args.clone(),
        workspace_path: args.workspace.clone(),
    };
    let limit = if args.wait {
        args.timeout
    } else {
        config.request_timeout
    };
    let deadline = started + limit;
    let report = ExecReport {
        command: args.command.clone(),
        args: args.args.clone(),
        success: None,
        output: None,
        error: None,
        execution_time_ms: None,
        waited_ms: 0,
        observed_by: None,
        outcome: "unknown",
    };
    spinner.say("waiting for the bridge's answer");

    let answer = tokio::select! {
        biased;
        sig = wait_for_stop(signals) => {
            return interrupted(report, sig);
        }
        a = client.post_json(EXECUTE_PATH, &request, limit, true) => a,
    };

    let lost = match answer {
        Ok(raw) if raw.status == StatusCode::REQUEST_TIMEOUT => {
            let msg = ErrorBody::parse(&raw.body)
                .map(|b| b.summary())
                .unwrap_or_default();
            format!(
                "the bridge gave up on the request after {} (HTTP 408{}{})",
                human_duration(started.elapsed()),
                if msg.is_empty() { "" } else { ": " },
                msg
            )
        }
        Ok(raw) => return answered(report, raw, client),
        Err(BridgeError::Unreachable {
            kind: FailureKind::Timeout,
            ..
        }) if args.wait => {
            let msg = format!(
                "timed out after {} waiting for the bridge's answer; {} may still be running in Kiro",
                human_duration(limit),
                sanitize::line(&args.command)
            );
            return Ending::failure(report, "timed_out", msg.clone(), Outcome::TimedOut(msg));
        }
        Err(BridgeError::Unreachable {
            kind: FailureKind::Timeout,
            ..
        }) => {
            let msg = format!(
                "no answer within {}; {} may still be running in Kiro (use --wait to wait for it)",
                human_duration(limit),
                sanitize::line(&args.command)
            );
            return Ending::failure(report, "unknown", msg.clone(), Outcome::Unknown(msg));
        }
        Err(BridgeError::Unreachable {
            kind: FailureKind::Connection,
            detail,
            ..
        }) => {
            format!("the connection was lost after the command was sent ({detail})")
        }
        Err(e) => return Ending::bridge(report, e),
    };

    if !args.wait {
        let msg = format!(
            "{lost}; {} may still be running in Kiro and its outcome is unknown (use --wait to follow it)",
            sanitize::line(&args.command)
        );
        return Ending::failure(report, "unknown", msg.clone(), Outcome::Unknown(msg));
    }
    follow_status(client, args, signals, spinner, report, deadline, lost).await
}

/// After a 408 or a lost connection: follow /status while it shows the command.
async fn follow_status(
    client: &BridgeClient,
    args: &ExecArgs,
    signals: &mut Signals,
    spinner: &Spinner,
    mut report: ExecReport,
    deadline: Instant,
    lost: String,
) -> Ending {
    spinner.say(&format!("{lost}; following its status"));
    let busy = EngineConfig::default().interval_busy;
    let cfg = EngineConfig {
        interval_ready: busy,
        interval_unavailable: busy,
        interval_error: busy,
        backoff_base: Duration::from_secs(1),
        max_backoff: Duration::from_secs(10),
        breaker_recovery: Duration::from_secs(10),
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(cfg, Instant::now().into_std());
    let mut follow = Follow::new(&args.command);
    loop {
        let due = Instant::from_std(engine.next_poll_at());
        tokio::select! {
            biased;
            sig = wait_for_stop(signals) => {
                return interrupted(report, sig);
            }
            _ = tokio::time::sleep_until(deadline) => {
                let seen_text = if follow.seen() {
                    engine.last_seen(Instant::now().into_std())
                } else {
                    format!("{lost}, and the status never showed it")
                };
                let msg = format!("timed out after {}: {seen_text}", human_duration(args.timeout));
                return Ending::failure(report, "timed_out", msg.clone(), Outcome::TimedOut(msg));
            }
            _ = tokio::time::sleep_until(due) => {}
        }
        if engine
            .start_poll(Instant::now().into_std(), SystemTime::now())
            .is_none()
        {
            continue;
        }
        let answer = tokio::select! {
            biased;
            sig = wait_for_stop(signals) => {
                return interrupted(report, sig);
            }
            a = client.status() => a,
        };
        let now = Instant::now().into_std();
        match answer {
            Ok(fetch) => {
                engine.on_success(now, SystemTime::now(), fetch.status.clone());
                match follow.observe(&fetch.status) {
                    Verdict::Running => spinner.say("Kiro reports it running; following its status"),
                    Verdict::NotYetSeen => {}
                    Verdict::Completed => {
                        report.observed_by = Some("status");
                        return Ending::success(report, "completed");
                    }
                    Verdict::Unknown => {
                        let msg = format!(
                            "{lost}, and its status does not show {} running (the real bridge never reports busy): the outcome is unknown and the command may still be running in Kiro",
                            sanitize::line(&args.command)
                        );
                        return Ending::failure(report, "unknown", msg.clone(), Outcome::Unknown(msg));
                    }
                }
            }
            Err(e) if e.is_fatal() => return Ending::bridge(report, e),
            Err(e) => {
                engine.on_failure(now, SystemTime::now(), &Failure::from(&e));
                spinner.say(&format!("status unreachable ({}); retrying", e.short()));
            }
        }
    }
}

async fn wait_for_stop(signals: &mut Signals) -> Sig {
    loop {
        let s = signals.recv().await;
        if s != Sig::Continue {
            return s;
        }
    }
}

fn interrupted(report: ExecReport, sig: Sig) -> Ending {
    let msg = format!(
        "stopped waiting; {} may still be running in Kiro",
        sanitize::line(&report.command)
    );
    let _ = writeln!(std::io::stderr().lock(), "kiro-poll: {msg}");
    Ending::failure(
        report,
        "interrupted",
        msg,
        Outcome::Interrupted {
            code: sig.exit_code(),
        },
    )
}

/// The bridge answered the execute request itself.
fn answered(mut report: ExecReport, raw: RawResponse, client: &BridgeClient) -> Ending {
    let shown = crate::config::redact_url(&client.endpoint(EXECUTE_PATH));
    report.observed_by = Some("response");
    match raw.status.as_u16() {
        200 | 422 => {
            let parsed: Result<ExecuteResponse, _> = parse_body(&raw, &shown);
            let resp = match (parsed, raw.status.as_u16()) {
                (Ok(r), _) => r,
                (Err(_), 422) => ExecuteResponse {
                    success: false,
                    output: String::new(),
                    error: Some(
                        ErrorBody::parse(&raw.body)
                            .map(|b| b.summary())
                            .unwrap_or_else(|| "HTTP 422".into()),
                    ),
                    execution_time_ms: 0.0,
                },
                (Err(e), _) => {
                    report.observed_by = None;
                    return Ending::failure(report, "unknown", e.short(), e);
                }
            };
            let succeeded = resp.success && raw.status == StatusCode::OK;
            report.success = Some(succeeded);
            report.output = Some(resp.output);
            report.execution_time_ms = Some(resp.execution_time_ms);
            if succeeded {
                report.error = resp.error;
                return Ending::success(report, "succeeded");
            }
            let why = resp.error.unwrap_or_else(|| "no reason given".into());
            let msg = format!(
                "{} failed: {}",
                sanitize::line(&report.command),
                sanitize::line(&why)
            );
            Ending::failure(report, "failed", why, Outcome::CommandFailed(msg))
        }
        400 => {
            let e = error_for_status(&raw, &shown, SystemTime::now());
            let msg = format!("the bridge rejected the request: {}", e.short());
            Ending::failure(report, "rejected", e.short(), UsageError(msg))
        }
        _ => Ending::bridge(report, error_for_status(&raw, &shown, SystemTime::now())),
    }
}

pub async fn run_input(
    client: &BridgeClient,
    config: &Config,
    args: &InputArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let request = InputRequest {
        value: args.value.clone(),
        kind: args.kind,
        execution_id: args.execution_id.clone(),
    };
    let raw = client
        .post_json(INPUT_PATH, &request, config.request_timeout, false)
        .await?;
    let shown = crate::config::redact_url(&client.endpoint(INPUT_PATH));
    let status = raw.status.as_u16();
    // 200, and the spec's 404/408, carry an input answer.
    let parsed: Option<InputResponse> = match status {
        200 => Some(parse_body(&raw, &shown)?),
        404 | 408 => serde_json::from_slice(&raw.body).ok(),
        _ => None,
    };
    let Some(resp) = parsed else {
        let e = error_for_status(&raw, &shown, SystemTime::now());
        if status == 400 {
            return Err(UsageError(format!("the bridge rejected the input: {}", e.short())).into());
        }
        return Err(e.into());
    };
    if config.json {
        write_json_line(out, &resp)?;
    }
    if resp.success && status == 200 {
        if !config.json {
            writeln!(out, "input accepted for {}", sanitize::line(&args.execution_id))?;
        }
        return Ok(());
    }
    let why = resp.error.unwrap_or_else(|| format!("HTTP {status}"));
    Err(Outcome::CommandFailed(format!("the bridge refused the input: {}", sanitize::line(&why))).into())
}
