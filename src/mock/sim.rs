//! The simulated Kiro: its state (version, commands, availability, running commands, a fault
//! in force) and the scenario driver that changes it on time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::scenario::{self, FaultKind};
use super::MockSettings;

pub struct Running {
    pub id: u64,
    pub command: String,
    /// It holds one of the 3 slots (until it ends, or the bridge's limit on a command frees
    /// the slot while it runs on).
    pub slot: bool,
}

pub struct Fault {
    pub kind: FaultKind,
    pub until: Instant,
    pub retry_after: Option<u64>,
}

pub struct Sim {
    pub version: String,
    pub commands: Vec<String>,
    pub available: bool,
    pub running: Vec<Running>,
    pub fault: Option<Fault>,
    pub next_id: u64,
}

pub struct Shared {
    pub settings: MockSettings,
    pub sim: Mutex<Sim>,
    pub started: Instant,
    pub port: u16,
    pub host: String,
}

pub type App = Arc<Shared>;

impl Shared {
    pub fn sim(&self) -> std::sync::MutexGuard<'_, Sim> {
        self.sim.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a request carries the key the mock requires (any, when it requires none):
    /// `Authorization: Bearer <key>` or the bare key, as the bridge takes it.
    pub fn authorized(&self, headers: &axum::http::HeaderMap) -> bool {
        let Some(key) = &self.settings.behaviour.api_key else {
            return true;
        };
        let Some(given) = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        given.strip_prefix("Bearer ").unwrap_or(given) == key
    }

    pub fn duration_of(&self, command: &str) -> Duration {
        self.settings.scenario.duration_of(command)
    }
}

/// Play the scenario's steps on time, looping if asked.
pub async fn drive_scenario(app: App) {
    let sc = app.settings.scenario.clone();
    let period = sc.repeat.map(|d| d.0);
    let mut steps = sc.steps;
    steps.sort_by_key(|s| s.at.0);
    // An instance of many starts part-way into the loop, so a fleet is not in lockstep.
    let now = Instant::now();
    let mut origin = now.checked_sub(app.settings.phase).unwrap_or(now);
    loop {
        for step in &steps {
            tokio::time::sleep_until(origin + step.at.0).await;
            apply(&app, step);
            if app.settings.behaviour.verbose > 0 {
                crate::output::tell(crate::output::Notice::StepApplied { at: step.at.0 });
            }
        }
        match period {
            Some(p) => origin += p,
            None => return,
        }
        tokio::time::sleep_until(origin).await;
    }
}

pub fn apply(app: &App, step: &scenario::Step) {
    let run = {
        let mut sim = app.sim();
        if let Some(a) = step.available {
            sim.available = a;
        }
        if let Some(v) = &step.version {
            sim.version = v.clone();
        }
        for c in &step.add_commands {
            if !sim.commands.contains(c) {
                sim.commands.push(c.clone());
            }
        }
        let remove: HashSet<&String> = step.remove_commands.iter().collect();
        sim.commands.retain(|c| !remove.contains(c));
        if let Some(f) = &step.fault {
            sim.fault = Some(Fault {
                kind: f.kind,
                until: Instant::now() + f.lasts.0,
                retry_after: f.retry_after,
            });
        }
        step.run
            .as_deref()
            .map(|command| (start_run(&mut sim, command), command.to_owned()))
    };
    if let Some((id, command)) = run {
        let length = app.duration_of(&command);
        let freed = length.min(app.settings.behaviour.command_limit);
        finish_after(app, id, freed, length, None);
    }
}

/// Start a simulated run of `command`; its id. The caller ends it with `finish_after`.
pub fn start_run(sim: &mut Sim, command: &str) -> u64 {
    let id = sim.next_id;
    sim.next_id += 1;
    sim.running.push(Running {
        id,
        command: command.to_owned(),
        slot: true,
    });
    id
}

/// Free the run `id`'s slot after `freed` (its end, or the bridge's limit on a command,
/// whichever comes first; it still shows running, as it runs on) and end it after `length`;
/// `done` is told when it has ended.
pub fn finish_after(
    app: &App,
    id: u64,
    freed: Duration,
    length: Duration,
    done: Option<tokio::sync::oneshot::Sender<()>>,
) {
    let app = Arc::clone(app);
    tokio::spawn(async move {
        tokio::time::sleep(freed).await;
        if let Some(r) = app.sim().running.iter_mut().find(|r| r.id == id) {
            r.slot = false;
        }
        tokio::time::sleep(length.saturating_sub(freed)).await;
        app.sim().running.retain(|r| r.id != id);
        if let Some(tx) = done {
            let _ = tx.send(());
        }
    });
}
