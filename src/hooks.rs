//! `watch --on TYPES -- PROGRAM [ARGS]...`: a program run per event, off the polling loop.
//! The loop only offers an event (a `try_send` into a queue of 64; what overflows is dropped
//! and counted); `--on-max` worker threads take them, run PROGRAM directly (no shell) in a
//! process group of its own, with the event's JSON line on stdin and as `KIRO_*` variables, and
//! end it (the whole group) after `--on-timeout`. A run that exits non-zero, is killed or
//! cannot start comes back to the loop as a `hook_failed` event. Server strings reach the hook
//! only as data: in its environment and on its stdin, never in its command line.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::events::{Event, EventKind, HookCounts};
use crate::metrics::Metrics;
use crate::plan::HookPlan;

/// Events waiting for a free worker, at most.
pub const QUEUE: usize = 64;

/// Most bytes of one variable, `NAME=value` and its NUL: Linux refuses a longer one
/// (`MAX_ARG_STRLEN`, 32 pages), and with it the whole run. A longer value is cut, and says so.
const VAR_CAP: usize = 128 * 1024;

/// Most bytes of all the variables of one run (the kernel's limit for arguments and
/// environment together is 2 MiB on most systems, and the inherited environment counts).
const ENV_CAP: usize = 1024 * 1024;

/// One run to do: for which bridge (its slot and name; None: the whole fleet), its stdin and
/// environment.
struct Job {
    bridge: Option<(usize, String)>,
    event: &'static str,
    line: Vec<u8>,
    env: Vec<(String, String)>,
}

/// A run that failed, for the loop to report.
#[derive(Debug)]
pub struct Failed {
    /// The bridge's slot and name (the slot may hold another bridge by the time it is told).
    pub bridge: Option<(usize, String)>,
    pub event: Event,
}

#[derive(Default)]
struct Counts {
    /// Runs that started (one that could not start is failed, not run).
    run: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    /// Runs going on now.
    running: AtomicU64,
    /// Set by a second signal while the watch waits for its hooks: running ones are ended
    /// at once and say so.
    cut: AtomicBool,
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
            bridge: bridge.map(|b| (b.0, b.1.to_owned())),
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

    /// The watch is over: no more events come, and queued and running hooks get
    /// `--on-timeout` to finish; then the rest are ended (and what never started counted
    /// dropped). `drained` tells what fails meanwhile, and when they are all done.
    pub fn close(&mut self) {
        self.queue = None;
        *self.deadline.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + self.plan.timeout);
    }

    /// After `close`: the next run that failed, or None once every worker is done. Awaited on
    /// the loop's runtime, so `/metrics` answers and signals are heard while hooks finish.
    pub async fn drained(&mut self) -> Option<Failed> {
        let f = self.failed.recv().await;
        if f.is_none() {
            // Every worker has returned (each held a sender): joining waits for nothing.
            for w in self.workers.drain(..) {
                let _ = w.join();
            }
        }
        f
    }

    /// A second signal while hooks finish: the running ones are ended now (their process
    /// groups killed, each a `hook_failed` with reason `cut short`) and the queued ones dropped.
    /// Returns how many were running.
    pub fn cut_short(&self) -> u64 {
        self.counts.cut.store(true, Ordering::SeqCst);
        *self.deadline.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.counts.running.load(Ordering::SeqCst)
    }

    /// What the hooks came to so far.
    pub fn counts(&self) -> HookCounts {
        HookCounts {
            hooks_run: self.counts.run.load(Ordering::Relaxed),
            hooks_failed: self.counts.failed.load(Ordering::Relaxed),
            hooks_dropped: self.counts.dropped.load(Ordering::Relaxed),
        }
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

/// `value` cut so that `NAME=value` and its NUL take at most `room` bytes, saying so in it
/// (the whole event is on the hook's stdin); None when not even that fits.
fn fit(name: &str, value: String, room: usize) -> Option<String> {
    if name.len() + 2 + value.len() <= room {
        return Some(value);
    }
    let note = format!(
        "… (cut: {} bytes in all; the whole event is on stdin)",
        value.len()
    );
    let mut keep = room.checked_sub(name.len() + 2 + note.len())?;
    while !value.is_char_boundary(keep) {
        keep -= 1;
    }
    Some(format!("{}{note}", &value[..keep]))
}

/// Each variable within `VAR_CAP`, all of them within `ENV_CAP` (past it, a variable is left
/// out).
fn bounded(env: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut left = ENV_CAP;
    env.into_iter()
        .filter_map(|(k, v)| {
            let v = fit(&k, v, VAR_CAP.min(left))?;
            left -= k.len() + 2 + v.len();
            Some((k, v))
        })
        .collect()
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
    bounded(env)
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
    /// Ended by a second signal while the watch waited for it.
    CutShort,
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
            self.counts.running.fetch_add(1, Ordering::SeqCst);
            let ran = self.one(&job);
            self.counts.running.fetch_sub(1, Ordering::SeqCst);
            self.report(&job, ran, started.elapsed());
        }
    }

    fn report(&self, job: &Job, ran: Ran, took: Duration) {
        if !matches!(ran, Ran::NotStarted(_)) {
            self.counts.run.fetch_add(1, Ordering::Relaxed);
        }
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
            Ran::CutShort => (None, Some("KILL".to_owned()), "cut short", None),
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
            bridge: job.bridge.clone(),
            event,
        });
    }

    /// Run the program once for `job`, to its end or its time limit.
    fn one(&self, job: &Job) -> Ran {
        let mut cmd = Command::new(&self.program[0]);
        // On a terminal a hook's output passes through the sanitizer (it may print a server
        // string); elsewhere it goes to our stderr as it is, for logs.
        let on_terminal = std::io::stderr().is_terminal();
        cmd.args(&self.program[1..]).stdin(Stdio::piped());
        match on_terminal {
            true => cmd.stdout(Stdio::piped()).stderr(Stdio::piped()),
            false => cmd
                .stdout(crate::platform::stderr_for_child())
                .stderr(Stdio::inherit()),
        };
        // Nothing of ours leaks in (a key, a variable an event did not set this time), nor a
        // variable a bridges file takes a key from.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("KIRO_") {
                cmd.env_remove(k);
            }
        }
        for k in crate::bridges::key_variables() {
            cmd.env_remove(k);
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
        for out in [
            child.stdout.take().map(|o| Box::new(o) as Box<dyn Read + Send>),
            child.stderr.take().map(|e| Box::new(e) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            std::thread::spawn(move || pass_on(out));
        }
        if let Some(mut stdin) = child.stdin.take() {
            let line = job.line.clone();
            // A hook that never reads its stdin must not hold the worker.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&line);
            });
        }
        let started = Instant::now();
        loop {
            match crate::platform::exited_ending_group(&mut child) {
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
                return match self.counts.cut.load(Ordering::SeqCst) {
                    true => Ran::CutShort,
                    false => Ran::TimedOut,
                };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A hook's output, line by line (at most 16 KiB a line), through the sanitizer to stderr.
fn pass_on(out: Box<dyn Read + Send>) {
    let mut reader = std::io::BufReader::new(out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut reader).take(16 * 1024).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => crate::output::hook_output_line(&String::from_utf8_lossy(&buf)),
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

    #[test]
    fn a_huge_field_is_cut_to_what_a_process_takes_and_says_so() {
        let huge = "é".repeat(300 * 1024);
        let e = Event {
            at: std::time::SystemTime::UNIX_EPOCH,
            kind: EventKind::CommandFinished {
                command: huge.clone(),
                duration_ms: 1,
            },
        };
        let env = environment(&e, None);
        let (k, v) = env.iter().find(|(k, _)| k == "KIRO_COMMAND").unwrap();
        assert!(k.len() + 2 + v.len() <= VAR_CAP, "{}", v.len());
        assert!(v.len() > VAR_CAP - 200, "as much as fits: {}", v.len());
        assert!(v.starts_with("éé"), "cut on a character boundary");
        assert!(
            v.ends_with(&format!(
                "… (cut: {} bytes in all; the whole event is on stdin)",
                huge.len()
            )),
            "{}",
            &v[v.len() - 80..]
        );
        assert_eq!(
            env.iter()
                .find(|(k, _)| k == "KIRO_DURATION_MS")
                .map(|(_, v)| v.as_str()),
            Some("1"),
            "the small ones untouched"
        );
        let many: Vec<(String, String)> = (0..20)
            .map(|i| (format!("KIRO_{i}"), "x".repeat(VAR_CAP)))
            .collect();
        let total: usize = bounded(many).iter().map(|(k, v)| k.len() + 2 + v.len()).sum();
        assert!(total <= ENV_CAP, "all of them bounded too: {total}");
    }
}
