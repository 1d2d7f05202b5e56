//! The MCP handler: what the server offers, each request routed (the tool calls themselves are
//! `calls.rs`'s), and the limits that keep a client that floods bounded: at most `MAX_CALLS`
//! calls in progress (a semaphore's permits), `resource::MAX_LISTENS` listen streams. JSON-RPC
//! errors are for requests that are wrong (an unknown tool or resource).

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ResourceContents, ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::resource::{self, Resource};
use super::tools::{self, Call};
use crate::client::BridgeClient;
use crate::plan::McpPlan;

/// At most this many commands followed in the background at once (tasks and `wait: false`):
/// each holds a connection, a heartbeat's thread and a task, and their calls have returned, so
/// `MAX_CALLS` does not bound them.
pub const MAX_FOLLOWS: usize = 64;

/// A place among the `MAX_FOLLOWS`, held by the follow to its end.
pub type FollowSlot = tokio::sync::OwnedSemaphorePermit;

/// The jobs this server follows now (recorded as lost if it ends first).
pub type Following = Arc<std::sync::Mutex<std::collections::HashSet<i64>>>;

/// At most this many tool calls at once: each wait holds an engine and a task, so a client that
/// floods gets an error result past it, and the memory stays bounded.
pub const MAX_CALLS: usize = 64;

pub struct KiroServer {
    pub(super) client: Arc<BridgeClient>,
    pub(super) plan: McpPlan,
    pub(super) request_timeout: Duration,
    pub(super) resource: Arc<Resource>,
    /// Cancelled when stdin ends: the client is gone, so every wait ends.
    pub(super) closing: CancellationToken,
    /// Why `closing` was cancelled, when it was not the end of stdin (a signal).
    pub(super) closing_why: Arc<std::sync::OnceLock<&'static str>>,
    /// Tool calls in progress (and reads that ask the bridge): a permit each, given back when
    /// it ends or is cancelled.
    pub(super) calls: Semaphore,
    /// Listen streams open, whatever they name: each holds a task and a sink.
    pub(super) streams: Semaphore,
    /// The job store every kiro_exec is recorded in.
    pub(super) store: crate::jobs::StorePlan,
    /// The tasks of clients that declared the tasks extension.
    pub(super) tasks: rmcp::task_manager::TaskManager,
    /// The jobs followed here now.
    pub(super) following: Following,
    /// Follows in the background: a permit each (`jobs::MAX_FOLLOWS`).
    pub(super) follows: Arc<Semaphore>,
}

impl KiroServer {
    pub fn new(
        client: BridgeClient,
        plan: McpPlan,
        request_timeout: Duration,
        closing: CancellationToken,
        closing_why: Arc<std::sync::OnceLock<&'static str>>,
        store: crate::jobs::StorePlan,
        following: Following,
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
            store,
            tasks: rmcp::task_manager::TaskManager::new(),
            following,
            follows: Arc::new(Semaphore::new(MAX_FOLLOWS)),
        }
    }
}

impl ServerHandler for KiroServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_tasks()
                .build(),
        )
        .with_server_info(Implementation::new("kiro-poll", env!("CARGO_PKG_VERSION")))
        .with_instructions(instructions(&self.client.shown_base(), &self.plan.access))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::all(&self.plan.access)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(call) = tools::call(
            &request.name,
            request.arguments,
            self.plan.follow_interval,
            &self.plan.access,
        ) else {
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
        let tasks = ctx
            .client_capabilities()
            .is_some_and(|caps| caps.supports_tasks());
        let background = matches!(&call, Ok(Call::Exec(plan)) if tasks || !plan.wait);
        let slot = match background {
            true => match Arc::clone(&self.follows).try_acquire_owned() {
                Ok(slot) => Some(slot),
                Err(_) => {
                    return Ok(CallToolResponse::Complete(tools::failed(format!(
                        "kiro_exec: {} commands are already followed in the background; wait for one to end (kiro_jobs lists them). Nothing was run.",
                        MAX_FOLLOWS
                    ))))
                }
            },
            false => None,
        };
        let result = match (call, slot) {
            (Ok(Call::Exec(plan)), Some(slot)) if tasks => {
                return Ok(CallToolResponse::Task(rmcp::model::CreateTaskResult::new(
                    self.exec_task(plan, slot),
                )));
            }
            (Ok(Call::Exec(plan)), Some(slot)) => self.exec_detached(plan, slot).await,
            (call, _) => self.call_now(call, &ctx).await,
        };
        Ok(CallToolResponse::Complete(result))
    }
    async fn get_task(
        &self,
        request: rmcp::model::GetTaskParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::GetTaskResult, McpError> {
        self.tasks
            .get_task(&request.task_id)
            .map(rmcp::model::GetTaskResult::new)
    }

    async fn cancel_task(
        &self,
        request: rmcp::model::CancelTaskParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.tasks.cancel_task(&request.task_id)
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
                    .map_err(|e| McpError::internal_error(tools::message(e), None))?
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
    crate::output::tell(crate::output::Notice::McpTooManyStreams(resource::MAX_LISTENS));
    McpError::invalid_request(
        format!("{} listen streams are already open", resource::MAX_LISTENS),
        None,
    )
}

/// What the server tells a client of itself, in the mode it runs in.
fn instructions(base: &str, access: &crate::plan::Access) -> String {
    let exec = match (access.read_only, access.allow.is_empty()) {
        (true, _) => " This server is read-only: it cannot run commands.".to_owned(),
        (false, true) => " kiro_exec runs a command once as a job (a task for clients with the tasks extension; else wait: false returns its jobId at once, wait: true follows it to its end in the call).".to_owned(),
        (false, false) => format!(
            " kiro_exec runs a command once as a job (a task for clients with the tasks extension; else wait: false returns its jobId at once, wait: true follows it to its end in the call), only commands matching {}.",
            access.allow.join(", ")
        ),
    };
    format!(
        "Kiro IDE through its Communication Bridge at {base}. kiro_status tells Kiro's state; kiro_commands lists the commands it offers.{exec} kiro_wait waits until Kiro's state is one of the goals given (ready, busy, unavailable, change, available:ID, missing:ID); it cannot wait for a command to finish: kiro_job (with wait, up to 50 s a call) does, and kiro_jobs lists the jobs (since a cursor: only what changed). Subscribe to {} for status changes.",
        resource::URI
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

impl KiroServer {
    /// A call answered in the call.
    async fn call_now(
        &self,
        call: Result<Call, String>,
        ctx: &RequestContext<RoleServer>,
    ) -> rmcp::model::CallToolResult {
        match call {
            Ok(Call::Job(id, wait)) => self.job(id, wait, self.stop(ctx)).await,
            Ok(Call::Jobs(since, running, limit)) => self.jobs(since, running, limit),
            Ok(Call::Status) => self.status().await,
            Ok(Call::Commands(filter)) => self.commands(filter).await,
            Ok(Call::Exec(plan)) => self.exec(plan, ctx).await,
            Ok(Call::Wait(goals, timeout)) => self.wait(goals, timeout, ctx).await,
            Ok(Call::Input(request)) => self.input(request).await,
            Err(e) => tools::failed(e),
        }
    }
}
