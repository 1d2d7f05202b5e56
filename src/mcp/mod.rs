//! `kiro-poll mcp`: a Model Context Protocol server on stdin/stdout over the polling engine,
//! built on the official Rust SDK (`rmcp`). `tools` is what the server offers and how each
//! answer reads (pure); `resource` is `kiro://status`, its subscribers and its poll loop;
//! `server` the handler; `wire` the stdio framing (parse errors answered, lines bounded).
//! Logs only on stderr; stdin closed ends it with exit 0.

pub mod resource;
pub mod server;
pub mod tools;
pub mod wire;

use std::time::Duration;

use rmcp::ServiceExt;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::plan::McpPlan;

/// How long the last answers get to reach stdout once the session has ended.
const DRAIN: Duration = Duration::from_secs(2);

/// Serve until stdin closes (exit 0) or stdout does.
pub async fn serve(client: BridgeClient, config: &Config, plan: McpPlan) -> anyhow::Result<()> {
    let shown = client.shown_base();
    let wire = wire::start();
    let server = server::KiroServer::new(client, plan, config.request_timeout, wire.stdin_ended.clone());
    if !config.quiet {
        crate::output::log_line(&format!(
            "mcp: serving {shown} over MCP on stdin/stdout (stderr: logs)"
        ));
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            crate::output::log_line(
                "mcp: stdin is a terminal; an MCP client starts this server and speaks JSON-RPC to it (see README \"mcp\"); Ctrl-D ends it",
            );
        }
    }
    match server.serve((wire.sdk_in, wire.sdk_out)).await {
        Ok(running) => {
            let _ = running.waiting().await;
        }
        // Closed before the handshake: the client went away, which ends a server cleanly.
        Err(_) if wire.stdin_ended.is_cancelled() => {}
        Err(e) => anyhow::bail!("the MCP session could not start: {e}"),
    }
    let _ = tokio::time::timeout(DRAIN, wire.writer).await;
    Ok(())
}
