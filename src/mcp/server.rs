//! The MCP handler: each tool call and resource request, over the one `BridgeClient` of the
//! process. A failure of the bridge is a tool result with `isError` and the CLI's one-line
//! message; JSON-RPC errors are for requests that are wrong (an unknown tool or resource).
//! Waits (`kiro_exec` with `wait`, `kiro_wait`) end at once on `notifications/cancelled` and
//! at their timeout, and tell their progress when the call gave a `progressToken`.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, ProgressToken,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams,
};
use rmcp::service::{Peer, RequestContext, SubscriptionContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::resource::{self, Resource};
use super::tools::{self, Call, WaitEnd};
use crate::client::BridgeClient;
use crate::driver::Driver;
use crate::engine::awaiting::Awaiting;
use crate::engine::observe::Note;
use crate::engine::{EngineConfig, Goal, Halt};
use crate::error::{report, BridgeError};
use crate::output::words::{goal_note, one_timed_out, Waiting};
use crate::plan::McpPlan;
use crate::stops::{Stop, Waiter, Wake};

/// How often a wait with a progress token says it is still waiting.
const TICK: Duration = Duration::from_secs(5);

/// At most this many tool calls at once: each wait holds an engine and a task, so a client that
/// floods gets an error result past it, and the memory stays bounded.
pub const MAX_CALLS: usize = 64;

pub struct KiroServer {
    client: Arc<BridgeClient>,
    plan: McpPlan,
    request_timeout: Duration,
    resource: Arc<Resource>,
    /// Cancelled when stdin ends: the client is gone, so every wait ends.
    closing: CancellationToken,
    /// Why `closing` was cancelled, when it was not the end of stdin (a signal).
    closing_why: Arc<std::sync::OnceLock<&'static str>>,
    /// Tool calls in progress (and reads that ask the bridge): a permit each, given back when
    /// it ends or is cancelled.
    calls: Semaphore,
    /// Listen streams open, whatever they name: each holds a task and a sink.
    streams: Semaphore,
}

impl KiroServer {
    pub fn new(
        client: BridgeClient,
        plan: McpPlan,
        request_timeout: Duration,
        closing: CancellationToken,
        closing_why: Arc<std::sync::OnceLock<&'static str>>,
    ) -> KiroServer {
        let client = Arc::new(client);
        KiroServer {
            resource: Resource::new(Arc::clone(&client), plan.engine.clone()),
            client,
            plan,
            request_timeout,
            closing,
            closing_why,
            calls: Semaphore::new(MAX_CALLS),
            streams: Semaphore::new(resource::MAX_LISTENS),
        }
    }
}

/// What ends a wait early: the call's cancellation, or the end of stdin.
#[derive(Clone, Copy)]
struct Cancel<'a> {
    call: &'a CancellationToken,
    closing: &'a CancellationToken,
    closing_why: &'a std::sync::OnceLock<&'static str>,
}

impl Cancel<'_> {
    async fn stopped(self) {
        tokio::select! {
            _ = self.call.cancelled() => {}
            _ = self.closing.cancelled() => {}
        }
    }

    /// For the log line: how it was stopped.
    fn how(self) -> &'static str {
        match self.call.is_cancelled() {
            true => "cancelled",
            false => self
                .closing_why
                .get()
                .copied()
                .unwrap_or("ended by the end of stdin"),
        }
    }
}

/// The CLI's line for a failure of the bridge (`kiro-poll: error: ...; hint: ...`).
fn message(e: BridgeError) -> String {
    report(&e.into()).unwrap_or_default()
}

/// A wait's progress notifications: none without a token; increasing numbers, a message each.
struct Progress {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
    sent: u32,
    /// The last message sent: the same news is not sent again (the ticks say it goes on).
    last: String,
    started: Instant,
    next_tick: Instant,
}

impl Progress {
    fn of(ctx: &RequestContext<RoleServer>) -> Progress {
        let now = Instant::now();
        Progress {
            peer: ctx.peer.clone(),
            token: ctx.meta.get_progress_token(),
            sent: 0,
            last: String::new(),
            started: now,
            next_tick: now + TICK,
        }
    }

    async fn say(&mut self, msg: &str) {
        let Some(token) = self.token.clone() else {
            return;
        };
        let msg = crate::sanitize::line(msg).into_owned();
        if msg == self.last {
            return;
        }
        self.sent += 1;
        let mut p = ProgressNotificationParam::new(token, f64::from(self.sent));
        p.message = Some(msg.clone());
        self.last = msg;
        let _ = self.peer.notify_progress(p).await;
    }

    /// Every `TICK` while waiting: that it still is (never without a token).
    async fn tick(&mut self) {
        if self.token.is_none() {
            return std::future::pending().await;
        }
        tokio::time::sleep_until(self.next_tick).await;
        self.next_tick += TICK;
        let waited = crate::units::human_duration(self.started.elapsed());
        self.say(&format!("still waiting ({waited})")).await;
    }
}

/// `exec`'s waiter over MCP: a cancellation (or the end of stdin) and the deadline end it.
struct Cancellable<'a> {
    stop: Cancel<'a>,
    deadline: Instant,
    progress: &'a mut Progress,
}

impl Waiter for Cancellable<'_> {
    async fn next(&mut self) -> Wake {
        loop {
            tokio::select! {
                biased;
                _ = self.stop.stopped() => return Wake::Stop(Stop::Halt(Halt::Cancelled)),
                _ = tokio::time::sleep_until(self.deadline) => return Wake::Stop(Stop::TimedOut),
                _ = self.progress.tick() => {}
            }
        }
    }

    async fn halt(&mut self) -> Halt {
        loop {
            tokio::select! {
                biased;
                _ = self.stop.stopped() => return Halt::Cancelled,
                _ = self.progress.tick() => {}
            }
        }
    }

    async fn tell(&mut self, note: Note) {
        self.progress.say(&crate::output::progress(&note)).await;
    }
}

impl KiroServer {
    async fn status(&self) -> CallToolResult {
        match self.client.status().await {
            Ok(f) => tools::status_result(&f.status),
            Err(e) => tools::failed(message(e)),
        }
    }

    async fn commands(&self, filter: Option<String>) -> CallToolResult {
        match self.client.status().await {
            Ok(f) => {
                let list = crate::oneshot::select_commands(&f.status.available_commands, filter.as_deref());
                tools::commands_result(&list)
            }
            Err(e) => tools::failed(message(e)),
        }
    }

    fn stop<'a>(&'a self, ctx: &'a RequestContext<RoleServer>) -> Cancel<'a> {
        Cancel {
            call: &ctx.ct,
            closing: &self.closing,
            closing_why: &self.closing_why,
        }
    }

    async fn exec(&self, plan: crate::plan::ExecPlan, ctx: &RequestContext<RoleServer>) -> CallToolResult {
        let limit = crate::exec::limit(&plan, self.request_timeout);
        let started = Instant::now();
        let mut progress = Progress::of(ctx);
        let stop = self.stop(ctx);
        let waiter = Cancellable {
            stop,
            deadline: started + limit,
            progress: &mut progress,
        };
        let decision = crate::exec::decide(&self.client, &plan, waiter, limit).await;
        if matches!(decision.outcome, crate::engine::outcome::Outcome::Interrupted(_)) {
            crate::output::log_line(&format!(
                "mcp: {} {}; stopped waiting, {} may still be running in Kiro",
                tools::EXEC,
                stop.how(),
                crate::sanitize::line(&plan.command),
            ));
        }
        tools::exec_result(&plan, &decision, started.elapsed())
    }

    async fn input(&self, request: crate::model::InputRequest) -> CallToolResult {
        match self.client.input(&request, self.request_timeout).await {
            Ok(answer) => tools::input_result(&request, &answer),
            Err(e) => tools::failed(message(e)),
        }
    }

    /// `kiro_wait`: poll (the driver, with the goal check) until the goal holds, the timeout
    /// runs out, a rejected key makes it unreachable, or the call is cancelled.
    async fn wait(&self, goal: Goal, timeout: Duration, ctx: &RequestContext<RoleServer>) -> CallToolResult {
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
        let mut awaiting = Awaiting::new(goal.clone());
        let got = driver.run(&mut awaiting, &mut waiter).await;
        let engine = driver.engine();
        let end = |reached: bool, message: Option<String>| WaitEnd {
            goal: goal.clone(),
            reached,
            status: engine.answered_status().map(|s| Arc::new(s.clone())),
            polls: engine.counters().polls,
            waited: started.elapsed(),
            message,
        };
        let message = match got {
            Ok(Ok(())) => return tools::wait_result(&end(true, None)),
            Ok(Err(rejected)) => return tools::failed(message(rejected)),
            Err(Stop::TimedOut) => {
                let w = Waiting {
                    name: "",
                    seen: engine.last_seen(std::time::Instant::now()),
                    note: goal_note(&goal, engine.answered_status()),
                    met: false,
                };
                one_timed_out(timeout, &w)
            }
            Err(Stop::Halt(_)) => {
                let msg = format!("stopped waiting for {}", crate::sanitize::line(&goal.to_string()));
                crate::output::log_line(&format!("mcp: {} {}; {msg}", tools::WAIT, stop.how()));
                msg
            }
        };
        tools::wait_result(&end(false, Some(message)))
    }
}

impl ServerHandler for KiroServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new("kiro-poll", env!("CARGO_PKG_VERSION")))
        .with_instructions(format!(
            "Kiro IDE through its Communication Bridge at {}. kiro_status tells Kiro's state; kiro_exec runs a command once (wait: follow it to its end); kiro_wait waits for a state or a command; subscribe to {} for status changes.",
            self.client.shown_base(),
            resource::URI
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::all()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(call) = tools::call(&request.name, request.arguments, self.plan.follow_interval) else {
            return Err(McpError::invalid_params(
                format!("unknown tool '{}'", crate::sanitize::line(&request.name)),
                None,
            ));
        };
        let Ok(_slot) = self.calls.try_acquire() else {
            return Ok(CallToolResponse::Complete(tools::failed(format!(
                "kiro-poll: error: {MAX_CALLS} tool calls are already in progress; wait for one to end or cancel one"
            ))));
        };
        let result = match call {
            Ok(Call::Status) => self.status().await,
            Ok(Call::Commands(filter)) => self.commands(filter).await,
            Ok(Call::Exec(plan)) => self.exec(plan, &ctx).await,
            Ok(Call::Wait(goal, timeout)) => self.wait(goal, timeout, &ctx).await,
            Ok(Call::Input(request)) => self.input(request).await,
            Err(e) => tools::failed(e),
        };
        Ok(CallToolResponse::Complete(result))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let status = rmcp::model::Resource::new(resource::URI, "status")
            .with_title("Kiro status")
            .with_description(
                "Kiro's state as the bridge reports it (the object of `kiro-poll status --json`); subscribe for an update on each change",
            )
            .with_mime_type("application/json");
        Ok(ListResourcesResult::with_all_items(vec![status]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        known(&request.uri)?;
        // While it is polled, the last answer is the reading: no request of its own.
        let status = match self.resource.latest() {
            Some(s) => s,
            None => {
                // A read that asks the bridge counts as a tool call does: a client that
                // floods reads against a bridge that hangs holds at most MAX_CALLS sockets.
                let Ok(_slot) = self.calls.try_acquire() else {
                    return Err(McpError::internal_error(
                        format!("{MAX_CALLS} requests to the bridge are already in progress; wait for one to end or cancel one"),
                        None,
                    ));
                };
                self.client
                    .status()
                    .await
                    .map_err(|e| McpError::internal_error(message(e), None))?
                    .status
            }
        };
        let text =
            serde_json::to_string(&*status).map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let contents = ResourceContents::text(text, resource::URI).with_mime_type("application/json");
        Ok(ReadResourceResponse::Complete(ReadResourceResult::new(vec![
            contents,
        ])))
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        known(&request.uri)?;
        self.resource.subscribe(ctx.peer);
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        known(&request.uri)?;
        self.resource.unsubscribe();
        Ok(())
    }

    fn accepted_subscription_filter(&self, requested: &SubscriptionFilter) -> Option<SubscriptionFilter> {
        let mut accepted = requested.supported_by(&self.get_info().capabilities);
        accepted.resource_subscriptions = accepted
            .resource_subscriptions
            .map(|uris| uris.into_iter().filter(|u| u == resource::URI).collect());
        Some(accepted)
    }

    async fn listen(&self, ctx: SubscriptionContext) -> Result<(), McpError> {
        // Every stream counts toward the limit, whatever it names.
        let Ok(_slot) = self.streams.try_acquire() else {
            return Err(too_many_streams());
        };
        let wants = ctx
            .accepted()
            .resource_subscriptions
            .as_ref()
            .is_some_and(|u| u.iter().any(|u| u == resource::URI));
        // A stream ends when its client cancels it, or when stdin ends (the client is gone).
        let ended = async {
            tokio::select! {
                _ = ctx.cancelled() => {}
                _ = self.closing.cancelled() => {}
            }
        };
        if !wants {
            ended.await;
            return Ok(());
        }
        let Some(id) = self.resource.listen(ctx.sink().clone()) else {
            return Err(too_many_streams());
        };
        ended.await;
        self.resource.unlisten(id);
        Ok(())
    }
}

/// The answer to a listen stream past `MAX_LISTENS`, said on stderr too.
fn too_many_streams() -> McpError {
    crate::output::log_line(&format!(
        "mcp: {} listen streams are already open; one more was ended",
        resource::MAX_LISTENS
    ));
    McpError::invalid_request(
        format!("{} listen streams are already open", resource::MAX_LISTENS),
        None,
    )
}

/// The one resource there is, or the JSON-RPC error for any other.
fn known(uri: &str) -> Result<(), McpError> {
    if uri == resource::URI {
        return Ok(());
    }
    Err(McpError::resource_not_found(
        format!(
            "no resource '{}' (kiro-poll has {})",
            crate::sanitize::line(uri),
            resource::URI
        ),
        None,
    ))
}
