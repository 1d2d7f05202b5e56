//! The tool calls: each over the one `BridgeClient` of the process. A failure of the bridge is
//! a tool result with `isError` and the CLI's one-line message. `kiro_exec` with `wait` and
//! `kiro_wait` run on the driver of a wait on one bridge, with `waiting.rs`'s waiter.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use tokio::time::Instant;

use super::server::KiroServer;
use super::tools::{self, message, WaitEnd};
use super::waiting::{Cancel, Cancellable, Progress};
use crate::driver::Driver;
use crate::engine::awaiting::Awaiting;
use crate::engine::Halt;
use crate::engine::{EngineConfig, Goal};
use crate::output::words::{command_note, one_timed_out, Waiting};

impl KiroServer {
    pub(super) async fn status(&self) -> CallToolResult {
        match self.client.status().await {
            Ok(f) => tools::status_result(&f.status),
            Err(e) => tools::failed(message(e)),
        }
    }

    pub(super) async fn commands(&self, filter: Option<String>) -> CallToolResult {
        match self.client.status().await {
            Ok(f) => {
                let list = crate::oneshot::select_commands(&f.status.available_commands, filter.as_deref());
                tools::commands_result(&list)
            }
            Err(e) => tools::failed(message(e)),
        }
    }

    pub(super) fn stop<'a>(&'a self, ctx: &'a RequestContext<RoleServer>) -> Cancel<'a> {
        Cancel {
            call: &ctx.ct,
            closing: &self.closing,
            closing_why: &self.closing_why,
        }
    }

    pub(super) async fn exec(
        &self,
        plan: crate::plan::ExecPlan,
        ctx: &RequestContext<RoleServer>,
    ) -> CallToolResult {
        let limit = crate::exec::limit(&plan, self.request_timeout);
        let started = Instant::now();
        let mut progress = Progress::of(ctx);
        let stop = self.stop(ctx);
        let recorder = self.recorder(&plan);
        let id = recorder.id();
        let waiter = recorder.noting(Cancellable {
            stop,
            deadline: started + limit,
            progress: &mut progress,
        });
        let decision = crate::exec::decide(&self.client, &plan, waiter, limit, None).await;
        let waited = started.elapsed();
        let report = crate::output::exec::report_for_agent(&plan, &decision, waited);
        recorder.finish(&plan, &decision, report.error);
        if matches!(decision.outcome, crate::engine::outcome::Outcome::Interrupted) {
            let what = format!(
                "stopped waiting, {} may still be running in Kiro",
                crate::sanitize::line(&plan.command)
            );
            crate::output::tell(crate::output::Notice::McpStopped {
                tool: tools::EXEC,
                how: stop.how(),
                what: &what,
            });
        }
        tools::exec_result_of_job(&plan, &decision, waited, id)
    }

    pub(super) async fn input(&self, request: crate::model::InputRequest) -> CallToolResult {
        match self.client.input(&request, self.request_timeout).await {
            Ok(answer) => tools::input_result(&request, &answer),
            Err(e) => tools::failed(message(e)),
        }
    }

    /// `kiro_wait`: poll (the driver, with the goal check) until one of the goals holds, the
    /// timeout runs out, a rejected key makes them unreachable, or the call is cancelled.
    pub(super) async fn wait(
        &self,
        goals: Vec<Goal>,
        timeout: Duration,
        ctx: &RequestContext<RoleServer>,
    ) -> CallToolResult {
        let started = Instant::now();
        let mut progress = Progress::of(ctx);
        let stop = self.stop(ctx);
        let mut waiter = Cancellable {
            stop,
            deadline: started + timeout,
            progress: &mut progress,
        };
        let cfg = EngineConfig {
            count: None,
            ..self.plan.engine.clone()
        };
        let mut driver = Driver::new(&self.client, cfg);
        let mut awaiting = Awaiting::new(goals.clone());
        let got = driver.run(&mut awaiting, &mut waiter).await;
        let engine = driver.engine();
        let end = |reached: Option<Goal>, message: Option<String>| WaitEnd {
            goals: goals.clone(),
            reached,
            status: engine.answered_status().map(|s| Arc::new(s.clone())),
            polls: engine.counters().polls,
            waited: started.elapsed(),
            message,
        };
        let message = match got {
            Ok(Ok(goal)) => return tools::wait_result(&end(Some(goal), None)),
            Ok(Err(rejected)) => return tools::failed(message(rejected)),
            Err(Halt::TimedOut) => {
                let w = Waiting {
                    name: "",
                    seen: engine.last_seen(std::time::Instant::now()),
                    note: command_note(&goals, engine.answered_status()),
                    met: false,
                };
                one_timed_out(timeout, &w)
            }
            Err(_) => {
                let msg = format!(
                    "stopped waiting for {}",
                    crate::sanitize::line(&tools::goals_text(&goals))
                );
                crate::output::tell(crate::output::Notice::McpStopped {
                    tool: tools::WAIT,
                    how: stop.how(),
                    what: &msg,
                });
                msg
            }
        };
        tools::wait_result(&end(None, Some(message)))
    }
}
