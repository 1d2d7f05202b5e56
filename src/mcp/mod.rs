//! `kiro-poll mcp`: a Model Context Protocol server on stdin/stdout over the polling engine,
//! built on the official Rust SDK (`rmcp`). `tools` is what the server offers and how each
//! answer reads (pure); `resource` is `kiro://status`, its subscribers and its poll loop;
//! `server` the handler; `wire` the stdio framing (parse errors answered, lines bounded).
//! Logs only on stderr; stdin closed ends it with exit 0.

mod calls;
mod jobs;
pub mod resource;
pub mod schema;
pub mod server;
pub mod tools;
mod waiting;
pub mod wire;

use rmcp::ServiceExt;

use crate::platform::Sig;

use crate::client::BridgeClient;
use crate::config::Config;
use crate::error::{Ending, Failure};
use crate::plan::McpPlan;

/// Serve until stdin closes (exit 0) or stdout does (exit 0; 74 when a write failed for
/// another reason, a full disk). Log lines go to stderr through a writer of their own, so a
/// stderr nobody reads holds up nothing (what does not fit its bounded queue is dropped).
pub async fn serve(
    client: BridgeClient,
    config: &Config,
    plan: McpPlan,
    store: crate::jobs::StorePlan,
) -> Result<(), Failure> {
    let shown = client.shown_base();
    crate::output::route_stderr(Some(crate::output::writer::ErrSink::own()));
    let wire = wire::start();
    let closing_why = std::sync::Arc::new(std::sync::OnceLock::new());
    let following = server::Following::default();
    let server = server::KiroServer::new(
        client,
        plan,
        config.request_timeout,
        wire.stdin_ended.clone(),
        closing_why.clone(),
        store.clone(),
        following.clone(),
    );
    let mut signals =
        crate::platform::Signals::install().map_err(|e| Failure::system("listen for signals", e))?;
    if !config.quiet {
        crate::output::tell(crate::output::Notice::McpServing {
            bridge: &shown,
            terminal: false,
        });
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            crate::output::tell(crate::output::Notice::McpServing {
                bridge: &shown,
                terminal: true,
            });
        }
    }
    let gone = wire.stdout_gone.clone();
    let session = async {
        match server.serve((wire.sdk_in, wire.sdk_out)).await {
            Ok(running) => {
                let _ = running.waiting().await;
                Ok(())
            }
            // Closed before the handshake: the client went away, which ends a server cleanly.
            Err(_) if wire.stdin_ended.is_cancelled() => Ok(()),
            Err(e) => Err(Failure::new(
                Ending::Unreachable,
                format!("the MCP session could not start: {e}"),
            )),
        }
    };
    // A stdout whose reader is gone ends the session whatever stdin does (dropping it ends
    // the service and every wait in it); so does the end of stdin, after the drain time at
    // most (answers that a client reading nothing leaves waiting do not hold the exit).
    // A signal (Ctrl-C, SIGTERM) ends every wait as the end of stdin does, so each call in
    // progress is answered (`stopped waiting`, the command may still be running) before the
    // exit with the signal's code.
    let stdin_ended = wire.stdin_ended.clone();
    tokio::pin!(session);
    let mut signal = None;
    let ended = loop {
        tokio::select! {
            r = &mut session => break r,
            _ = gone.cancelled() => break Ok(()),
            _ = async {
                stdin_ended.cancelled().await;
                tokio::time::sleep(wire::DRAIN).await;
            } => break Ok(()),
            sig = signals.recv(), if signal.is_none() => match sig {
                Sig::Continue => {}
                Sig::Stop => crate::platform::stop_self(),
                sig => {
                    signal = Some(sig);
                    let _ = closing_why.set(match sig {
                        Sig::Interrupt => "interrupted (Ctrl-C)",
                        Sig::Hangup => "ended by a hang-up",
                        _ => "ended by a termination signal",
                    });
                    stdin_ended.cancel();
                }
            },
        }
    };
    let failed = tokio::time::timeout(wire::DRAIN, wire.writer)
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    jobs::abandon(&store, &following);
    crate::output::route_stderr(None);
    ended?;
    if let Some(sig) = signal {
        return Err(Failure::quiet(Ending::Signal(sig)));
    }
    let unreadable = wire.stdin_failed.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(why) = unreadable {
        return Err(crate::error::UsageError(format!(
            "cannot read stdin: {why}; an MCP client starts this server with its requests on stdin"
        ))
        .into());
    }
    match failed {
        Some(why) => Err(std::io::Error::other(why).into()),
        None => Ok(()),
    }
}
