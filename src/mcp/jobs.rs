//! Jobs over MCP. Every `kiro_exec` is a job in the store. A client that declared the tasks
//! extension gets a task handle at once and follows it with `tasks/get` (rmcp's task manager
//! holds the task; the follow records the job); a client without tasks calls `kiro_exec` with
//! `wait: false` and gets the job's id at once (or the answer, when the bridge gave it within
//! `QUICK`), then reads the job with `kiro_job` (waiting up to `tools::MAX_JOB_WAIT`, below the 60 s
//! at which clients cut a call) or `kiro_jobs` (with a cursor). Either way the follow goes on
//! in this server, as `--wait` would follow it, and a job it still follows when the server
//! ends is recorded as lost: nobody is left to see its end.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolResult;
use rmcp::task_manager::{TaskExit, TaskOptions};
use tokio::time::Instant;

use super::server::{FollowSlot, Following, KiroServer};
use super::tools;
use crate::engine::observe::Note;
use crate::engine::outcome::Outcome;
use crate::engine::Halt;
use crate::exec::record::Recorder;
use crate::jobs::{self, Filter, JobState, NewJob, Since, Store, STALE_AFTER};
use crate::plan::ExecPlan;
use crate::stops::{Waiter, Wake};

/// How long `kiro_exec` with `wait: false` waits for the bridge's answer before it returns
/// the job's id: a quick command's result comes in the call.
pub const QUICK: Duration = Duration::from_secs(1);

/// How often `kiro_job` with `wait` reads the store.
const READ_EVERY: Duration = Duration::from_millis(250);

/// A follow in the background: only the task's cancellation and its deadline end it.
struct Background {
    stop: Pin<Box<dyn Future<Output = ()> + Send>>,
    deadline: Instant,
}

impl Waiter for Background {
    async fn next(&mut self) -> Wake {
        tokio::select! {
            biased;
            () = &mut self.stop => Wake::Halt(Halt::Cancelled),
            () = tokio::time::sleep_until(self.deadline) => Wake::Halt(Halt::TimedOut),
        }
    }

    async fn halt(&mut self) -> Halt {
        (&mut self.stop).await;
        Halt::Cancelled
    }

    async fn tell(&mut self, _note: Note) {}
}

impl KiroServer {
    /// A job's row for `plan`, on the bridge this server talks to (by name when it has one).
    pub(super) fn recorder(&self, plan: &ExecPlan) -> Recorder {
        let mut job = NewJob::of(plan, self.client.shown_base(), jobs::BY_MCP, false);
        job.bridge_name = self.plan.bridge_name.clone();
        Recorder::start_or_warn(&self.store, &job, false)
    }

    /// Follow `plan` to its end in the background (its job recorded); the job's id, and the
    /// result as `kiro_exec` with `wait` would give it, once there is one.
    fn follow(
        &self,
        plan: ExecPlan,
        stop: Pin<Box<dyn Future<Output = ()> + Send>>,
        slot: FollowSlot,
    ) -> (
        Option<i64>,
        impl Future<Output = (CallToolResult, Outcome)> + Send + 'static,
    ) {
        let plan = ExecPlan { wait: true, ..plan };
        let recorder = self.recorder(&plan);
        let id = recorder.id();
        let client = Arc::clone(&self.client);
        let following = Arc::clone(&self.following);
        if let Some(id) = id {
            following.lock().unwrap_or_else(|p| p.into_inner()).insert(id);
        }
        let run = async move {
            let started = Instant::now();
            let waiter = recorder.noting(Background {
                stop,
                deadline: started + plan.timeout,
            });
            let decision = crate::exec::decide(&client, &plan, waiter, plan.timeout, None).await;
            let waited = started.elapsed();
            let report = crate::output::exec::report_for_agent(&plan, &decision, waited);
            recorder.finish(&plan, &decision, report.error);
            if let Some(id) = id {
                following.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            }
            drop(slot);
            (
                tools::exec_result_of_job(&plan, &decision, waited, id),
                decision.outcome,
            )
        };
        (id, run)
    }

    /// `kiro_exec` for a client that declared tasks: the task at once; `tasks/get` follows it.
    pub(super) fn exec_task(&self, plan: ExecPlan, slot: FollowSlot) -> rmcp::model::Task {
        let ttl = plan.timeout + Duration::from_secs(600);
        let options = TaskOptions::new()
            .with_ttl_ms(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
            .with_poll_interval_ms(u64::try_from(plan.follow_interval.as_millis()).unwrap_or(2000))
            .with_status_message(format!("running {}", crate::sanitize::line(&plan.command)));
        let command = crate::sanitize::line(&plan.command).into_owned();
        self.tasks.spawn(options, |ctx| {
            let stop_ctx = ctx.clone();
            let stop = Box::pin(async move { stop_ctx.cancelled().await });
            let (id, run) = self.follow(plan, stop, slot);
            if let Some(id) = id {
                ctx.set_status_message(format!("running {command} as job {id}"));
            }
            Box::pin(async move {
                let (result, outcome) = run.await;
                if outcome == Outcome::Interrupted {
                    ctx.set_status_message(format!(
                        "stopped following; {command} may still be running in Kiro"
                    ));
                    return Err(TaskExit::Cancelled);
                }
                let job = id.map(|id| format!(" (job {id})")).unwrap_or_default();
                ctx.set_status_message(format!("{command} {}{job}", outcome.name()));
                Ok(result)
            })
        })
    }

    /// `kiro_exec` with `wait: false`: the answer if it comes within `QUICK`, else the job's id
    /// while the follow goes on here.
    pub(super) async fn exec_detached(&self, plan: ExecPlan, slot: FollowSlot) -> CallToolResult {
        let started = Instant::now();
        let (id, run) = self.follow(plan.clone(), Box::pin(std::future::pending()), slot);
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let _ = tx.send(run.await.0);
        });
        match tokio::time::timeout(QUICK, rx).await {
            Ok(Ok(result)) => result,
            _ => tools::exec_running(&plan, id, started.elapsed()),
        }
    }

    /// `kiro_job`: one job, once it is no longer running or `wait` runs out.
    pub(super) async fn job(
        &self,
        id: i64,
        wait: Duration,
        stop: super::waiting::Cancel<'_>,
    ) -> CallToolResult {
        let deadline = Instant::now() + wait.min(tools::MAX_JOB_WAIT);
        let mut store = match self.open_store() {
            Ok(s) => s,
            Err(e) => return tools::failed(e),
        };
        loop {
            let _ = store.settle(STALE_AFTER, jobs::alive);
            let job = match store.get(id) {
                Ok(Some(j)) => j,
                Ok(None) => return tools::failed(tools::no_job(id)),
                Err(e) => return tools::failed(format!("kiro_job: the job store: {e}")),
            };
            if job.state != JobState::Running || Instant::now() >= deadline {
                return tools::job_result(&job);
            }
            tokio::select! {
                () = stop.stopped() => return tools::job_result(&job),
                () = tokio::time::sleep(READ_EVERY.min(deadline - Instant::now())) => {}
            }
        }
    }

    /// `kiro_jobs`: jobs newest first, or those changed since a cursor; the next cursor.
    pub(super) fn jobs(&self, since: Option<i64>, running: bool, limit: usize) -> CallToolResult {
        let mut store = match self.open_store() {
            Ok(s) => s,
            Err(e) => return tools::failed(e),
        };
        let _ = store.settle(STALE_AFTER, jobs::alive);
        let filter = Filter {
            running,
            since: since.map_or(Since::All, Since::Cursor),
            ..Filter::default()
        };
        let listed = store.cursor().and_then(|c| Ok((c, store.list(&filter, limit)?)));
        match listed {
            Ok((cursor, jobs)) => {
                let cursor = match (since, jobs.len() == limit) {
                    (Some(_), true) => jobs.last().map_or(cursor, |j| j.cursor),
                    _ => cursor,
                };
                tools::jobs_result(&jobs, cursor)
            }
            Err(e) => tools::failed(format!("kiro_jobs: the job store: {e}")),
        }
    }

    fn open_store(&self) -> Result<Store, String> {
        let Some(path) = &self.store.path else {
            return Err(
                "this MCP server keeps no job store (kiro-poll mcp --no-store), so it has no jobs to tell"
                    .into(),
            );
        };
        Store::open(path).map_err(|e| e.to_string())
    }
}

/// The server ends: the jobs it still follows are lost (nobody is left to see their end).
pub fn abandon(store: &jobs::StorePlan, following: &Following) {
    let ids: Vec<i64> = following
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain()
        .collect();
    if ids.is_empty() {
        return;
    }
    let Some(path) = &store.path else { return };
    if let Ok(mut s) = Store::open(path) {
        let _ = s.abandon(
            &ids,
            "the MCP server that followed it ended (kiro-poll mcp exited); the command may still be running in Kiro",
        );
    }
}
