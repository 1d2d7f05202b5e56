//! `mock-bridge`: a simulated Kiro Communication Bridge built into the binary. It answers with
//! the exact shapes of openapi.yaml and the real bridge's behaviour (BEHAVIOUR.md): both error
//! shapes, validation messages, 404 and 401 bodies, CORS and OPTIONS, the concurrency limit of
//! 3, 503 while Kiro is unavailable, and 408 after the server timeout while the command runs
//! on. Busy reporting and the ETag flavour are switchable so it can play the spec's bridge or
//! the real one. `routes` answers requests, `faults` misbehaves on purpose, `sim` holds the
//! simulated Kiro and plays the `scenario`.

mod conn;
pub mod ctl;
mod faults;
mod reply;
mod routes;
pub mod scenario;
mod sim;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Ending, Failure};
use serde_json::json;
use tokio::time::Instant;

use scenario::Scenario;
use sim::{Shared, Sim};

pub use crate::plan::{Behaviour, Etag, MockPlan};

/// How the simulator behaves (from `mock-bridge` flags).
#[derive(Debug, Clone)]
pub struct MockSettings {
    pub scenario: Scenario,
    pub behaviour: Behaviour,
    /// How far into its scenario this bridge starts.
    pub phase: Duration,
}

impl MockSettings {
    pub fn new(scenario: Scenario) -> MockSettings {
        MockSettings {
            scenario,
            behaviour: Behaviour::default(),
            phase: Duration::ZERO,
        }
    }
}

pub async fn spawn(
    settings: MockSettings,
    addr: SocketAddr,
) -> Result<(SocketAddr, MockHandle), crate::error::Failure> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let sc = &settings.scenario;
    let shared = Arc::new(Shared {
        sim: Mutex::new(Sim {
            version: sc.version.clone(),
            commands: sc.commands.clone(),
            available: true,
            running: Vec::new(),
            fault: None,
            next_id: 1,
        }),
        settings,
        started: Instant::now(),
        port: local.port(),
        host: local.ip().to_string(),
    });
    tokio::spawn(sim::drive_scenario(shared.clone()));
    let app = routes::router(shared);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(conn::serve(listener, app, rx));
    Ok((local, MockHandle { stop: Some(tx), task }))
}

/// A running simulator. Dropping it stops it at once; `shutdown` lets answers in flight finish
/// (for at most `grace`).
pub struct MockHandle {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockHandle {
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            self.task.abort();
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start `n` simulators on consecutive ports from `port` (0: each on a free port), each with
/// its own state, spread across the scenario's loop.
pub async fn spawn_many(
    settings: &MockSettings,
    ip: std::net::IpAddr,
    port: u16,
    n: u32,
) -> Result<Vec<(SocketAddr, MockHandle)>, Failure> {
    let period = settings.scenario.repeat.map(|d| d.0).unwrap_or_default();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let p = match u16::try_from(u32::from(port) + i) {
            _ if port == 0 => 0,
            Ok(p) => p,
            Err(_) => {
                let msg = format!("--port {port} with --instances {n} runs past port 65535");
                return Err(Failure::usage(msg));
            }
        };
        let mut s = settings.clone();
        s.phase = period.mul_f64(f64::from(i) / f64::from(n));
        let spawned = spawn(s, SocketAddr::new(ip, p))
            .await
            .map_err(|e| Failure::new(Ending::Unreachable, format!("cannot listen on {ip}:{p}: {e:#}")))?;
        out.push(spawned);
    }
    Ok(out)
}

/// `kiro-poll mock-bridge`: serve until Ctrl-C or SIGTERM.
pub async fn serve_forever(plan: &MockPlan) -> Result<(), Failure> {
    let settings = &MockSettings {
        scenario: Scenario::load(&plan.scenario)?,
        behaviour: plan.behaviour.clone(),
        phase: Duration::ZERO,
    };
    if plan.instances > 1 {
        crate::platform::raise_open_files();
    }
    let name = settings.scenario.name.clone();
    let bridges = spawn_many(settings, plan.ip, plan.port, plan.instances).await?;
    if !plan.quiet {
        crate::output::tell(crate::output::Notice::MockServing {
            first: bridges[0].0,
            last: bridges[bridges.len() - 1].0,
            count: bridges.len(),
            scenario: &name,
        });
    }
    // Scripts read the addresses from stdout when they ask for port 0.
    if plan.json {
        let mut out = std::io::stdout().lock();
        for (addr, _) in &bridges {
            crate::output::write_json_line(&mut out, &json!({"url": format!("http://{addr}")}))?;
        }
    }
    let mut signals = crate::platform::Signals::install()?;
    loop {
        match signals.recv().await {
            crate::platform::Sig::Continue => {}
            crate::platform::Sig::Stop => crate::platform::stop_self(),
            _ => break,
        }
    }
    let grace = Duration::from_secs(2);
    futures_util::future::join_all(bridges.into_iter().map(|(_, t)| t.shutdown(grace))).await;
    if !plan.quiet {
        crate::output::tell(crate::output::Notice::MockStopped);
    }
    Ok(())
}
