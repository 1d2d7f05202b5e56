//! `watch --on TYPES -- PROGRAM [ARGS]...`: a program run per event, off the polling loop.
//! The loop only offers an event (a `try_send` into a queue of 64; what overflows is dropped
//! and counted); `--on-max` worker threads take them, run PROGRAM directly (no shell) in a
//! process group of its own, with the event's JSON line on stdin and as `KIRO_*` variables, and
//! end it (the whole group) after `--on-timeout`. A run that exits non-zero, is killed or
//! cannot start comes back to the loop as a `hook_failed` event. Server strings reach the hook
//! only as data: in its environment and on its stdin, never in its command line.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::events::{Event, EventKind, HookCounts};
use crate::metrics::Metrics;
use crate::plan::HookPlan;

/// Events waiting for a free worker, at most.
pub const QUEUE: usize = 64;

/// One run to do: for which bridge (None: the whole fleet), its stdin and environment.
struct Job {
    bridge: Option<usize>,
    event: &'static str,
    line: Vec<u8>,
    env: Vec<(String, String)>,
}

/// A run that failed, for the loop to report.
#[derive(Debug)]
pub struct Failed {
    pub bridge: Option<usize>,
    pub event: Event,
}

#[derive(Default)]
struct Counts {
    run: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

pub struct Hooks {
    plan: HookPlan,
    queue: Option<SyncSender<Job>>,
    workers: Vec<std::thread::JoinHandle<()>>,
    failed: tokio::sync::mpsc::UnboundedReceiver<Failed>,
    counts: Arc<Counts>,
    metrics: Option<Arc<Metrics>>,
    /// Once set, runs still going are ended and queued ones dropped (the watch is over).
    deadline: Arc<Mutex<Option<Instant>>>,
}

impl Hooks {
    pub fn start(plan: &HookPlan, metrics: Option<Arc<Metrics>>) -> Hooks {
        let (tx, rx) = sync_channel::<Job>(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let (fail_tx, failed) = tokio::sync::mpsc::unbounded_channel();
        let counts = Arc::new(Counts::default());
        let deadline = Arc::new(Mutex::new(None));
        let workers = (0..plan.max)
            .map(|_| {
                let worker = Worker {
                    rx: Arc::clone(&rx),
                    program: plan.program.clone(),
                    timeout: plan.timeout,
                    failed: fail_tx.clone(),
                    counts: Arc::clone(&counts),
                    metrics: metrics.clone(),
                    deadline: Arc::clone(&deadline),
                };
                std::thread::spawn(move || worker.run())
            })
            .collect();
        Hooks {
            plan: plan.clone(),
            queue: Some(tx),
            workers,
            failed,
            counts,
            metrics,
            deadline,
        }
    }

    /// Whether events of this type run the hook.
    pub fn wants(&self, kind: &str) -> bool {
        self.plan.types.contains(&kind)
    }

    /// Run the hook for this event if its type is one of `--on`'s. `line`: exactly what
    /// `--json` prints for it; `bridge`: its index, name and URL.
    pub fn offer(&self, e: &Event, line: &[u8], bridge: Option<(usize, &str, &url::Url)>) {
        let kind = e.kind.name();
        if !self.plan.types.contains(&kind) {
            return;
        }
        let Some(queue) = &self.queue else { return };
        let job = Job {
            bridge: bridge.map(|b| b.0),
            event: kind,
            line: line.to_vec(),
            env: environment(e, bridge.map(|b| (b.1, b.2))),
        };
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = queue.try_send(job) {
            self.counts.dropped.fetch_add(1, Ordering::Relaxed);
            if let Some(m) = &self.metrics {
                m.hook_ran("dropped");
            }
        }
    }

    /// The next run that failed (never resolves while none does).
    pub async fn failed(&mut self) -> Failed {
        match self.failed.recv().await {
            Some(f) => f,
            None => std::future::pending().await,
        }
    }

    /// The watch is over: queued and running hooks get `--on-timeout` to finish, then the rest
    /// are ended (and what never started counted dropped). Returns what they came to.
    pub fn finish(mut self) -> (HookCounts, Vec<Failed>) {
        self.queue = None;
        *self.deadline.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + self.plan.timeout);
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        let mut failed = Vec::new();
        while let Ok(f) = self.failed.try_recv() {
            failed.push(f);
        }
        let counts = HookCounts {
            hooks_run: self.counts.run.load(Ordering::Relaxed),
            hooks_failed: self.counts.failed.load(Ordering::Relaxed),
            hooks_dropped: self.counts.dropped.load(Ordering::Relaxed),
        };
        (counts, failed)
    }
}

/// `durationMs` → `DURATION_MS`.
fn env_name(field: &str) -> String {
    let mut out = String::from("KIRO_");
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// An environment value: no NUL (a process cannot take one), strings as they are, arrays
/// and objects as JSON.
fn env_value(v: &serde_json::Value) -> Option<String> {
    let s = match v {
        serde_json::Value::Null => return None,
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    // A key the bridge echoed is redacted here as on every output.
    Some(crate::sanitize::redact(&s).replace('\0', "\u{fffd}"))
}

/// The event as variables: `KIRO_EVENT`, `KIRO_AT`, `KIRO_BRIDGE`, `KIRO_BRIDGE_URL`
/// (credentials redacted), and one per field.
fn environment(e: &Event, bridge: Option<(&str, &url::Url)>) -> Vec<(String, String)> {
    let mut env = vec![
        ("KIRO_EVENT".to_owned(), e.kind.name().to_owned()),
        ("KIRO_AT".to_owned(), crate::units::rfc3339_ms(e.at)),
    ];
    if let Some((name, url)) = bridge {
        env.push(("KIRO_BRIDGE".to_owned(), name.replace('\0', "\u{fffd}")));
        env.push(("KIRO_BRIDGE_URL".to_owned(), crate::sanitize::redact_url(url)));
    }
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&e.kind) {
        for (k, v) in fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "type" | "at" | "bridge"))
        {
            if let Some(v) = env_value(v) {
                env.push((env_name(k), v));
            }
        }
    }
    env
}

struct Worker {
    rx: Arc<Mutex<Receiver<Job>>>,
    program: Vec<String>,
    timeout: Duration,
    failed: tokio::sync::mpsc::UnboundedSender<Failed>,
    counts: Arc<Counts>,
    metrics: Option<Arc<Metrics>>,
    deadline: Arc<Mutex<Option<Instant>>>,
}

/// How one run ended.
enum Ran {
    Ok,
    Exited(i32),
    Killed(String),
    TimedOut,
    NotStarted(String),
}

impl Worker {
    fn run(self) {
        loop {
            let job = match self.rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
                Ok(job) => job,
                Err(_) => return,
            };
            let over = *self.deadline.lock().unwrap_or_else(|p| p.into_inner());
            if over.is_some_and(|d| Instant::now() >= d) {
                self.counts.dropped.fetch_add(1, Ordering::Relaxed);
                if let Some(m) = &self.metrics {
                    m.hook_ran("dropped");
                }
                continue;
            }
            let started = Instant::now();
            let ran = self.one(&job);
            self.report(&job, ran, started.elapsed());
        }
    }

    fn report(&self, job: &Job, ran: Ran, took: Duration) {
        self.counts.run.fetch_add(1, Ordering::Relaxed);
        let (exit_code, signal, reason, message) = match ran {
            Ran::Ok => {
                if let Some(m) = &self.metrics {
                    m.hook_ran("ok");
                }
                return;
            }
            Ran::Exited(c) => (Some(c), None, "exited", None),
            Ran::Killed(sig) => (None, Some(sig), "killed", None),
            Ran::TimedOut => (None, Some("KILL".to_owned()), "timed out", None),
            Ran::NotStarted(why) => (None, None, "not started", Some(why)),
        };
        self.counts.failed.fetch_add(1, Ordering::Relaxed);
        if let Some(m) = &self.metrics {
            m.hook_ran("failed");
        }
        let event = Event {
            at: std::time::SystemTime::now(),
            kind: EventKind::HookFailed {
                hook_event: job.event,
                exit_code,
                signal,
                reason,
                message,
                duration_ms: crate::units::ms(took),
            },
        };
        let _ = self.failed.send(Failed {
            bridge: job.bridge,
            event,
        });
    }

    /// Run the program once for `job`, to its end or its time limit.
    fn one(&self, job: &Job) -> Ran {
        let mut cmd = Command::new(&self.program[0]);
        cmd.args(&self.program[1..])
            .stdin(Stdio::piped())
            .stdout(crate::platform::stderr_for_child())
            .stderr(Stdio::inherit());
        // Nothing of ours leaks in (a key, a variable an event did not set this time).
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("KIRO_") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(job.env.iter().map(|(k, v)| (k, v)));
        crate::platform::own_process_group(&mut cmd);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let name = crate::sanitize::line(&self.program[0]).into_owned();
                return Ran::NotStarted(format!("cannot run {name}: {e}"));
            }
        };
        if let Some(mut stdin) = child.stdin.take() {
            let line = job.line.clone();
            // A hook that never reads its stdin must not hold the worker.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&line);
            });
        }
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ran::Ok,
                Ok(Some(status)) => {
                    return match (status.code(), crate::platform::killed_by(&status)) {
                        (Some(c), _) => Ran::Exited(c),
                        (None, Some(sig)) => Ran::Killed(sig),
                        (None, None) => Ran::Exited(-1),
                    }
                }
                Ok(None) => {}
                Err(e) => return Ran::NotStarted(format!("cannot wait for it: {e}")),
            }
            let over = *self.deadline.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if now.duration_since(started) >= self.timeout || over.is_some_and(|d| now >= d) {
                crate::platform::kill_group(&mut child);
                let _ = child.wait();
                return Ran::TimedOut;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_variables_and_values_stay_data() {
        let e = Event {
            at: std::time::SystemTime::UNIX_EPOCH,
            kind: EventKind::CommandFinished {
                command: "kiro.$(rm -rf ~);`x`|y\0z".into(),
                duration_ms: 8000,
            },
        };
        let url = url::Url::parse("http://user:pw@10.0.0.5:3001/").unwrap();
        let env = environment(&e, Some(("build-1", &url)));
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("KIRO_EVENT"), Some("command_finished"));
        assert_eq!(get("KIRO_AT"), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(get("KIRO_BRIDGE"), Some("build-1"));
        assert!(!get("KIRO_BRIDGE_URL").unwrap().contains("pw"));
        assert_eq!(get("KIRO_COMMAND"), Some("kiro.$(rm -rf ~);`x`|y\u{fffd}z"));
        assert_eq!(get("KIRO_DURATION_MS"), Some("8000"));
        assert_eq!(env_name("availableCommands"), "KIRO_AVAILABLE_COMMANDS");
    }
}
