//! One exec's row in the job store, kept while it runs: added when the request goes, a
//! heartbeat from a thread of its own while it is followed (a blocking SQLite write never
//! holds up the follow), the 408's time, and the outcome at the end. A store that cannot be
//! used costs a plain `exec` one warning, never its run.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::engine::observe::Note;
use crate::engine::outcome::{Decision, Lost};
use crate::engine::Halt;
use crate::jobs::{NewJob, Outcome, Store, StoreError, StorePlan, HEARTBEAT};
use crate::plan::ExecPlan;
use crate::stops::{Waiter, Wake};

pub struct Recorder {
    store: Option<Store>,
    id: Option<i64>,
    sent: SystemTime,
    answered: Arc<Mutex<Option<SystemTime>>>,
    beat: Option<(mpsc::Sender<Tell>, std::thread::JoinHandle<()>)>,
}

/// What the heartbeat's thread is told.
enum Tell {
    /// The bridge answered 408 then: written at once, so a reader sees the follow begin.
    Answered(SystemTime),
    Stop,
}

impl Recorder {
    /// No store: nothing is recorded.
    pub fn off() -> Recorder {
        Recorder {
            store: None,
            id: None,
            sent: SystemTime::now(),
            answered: Arc::default(),
            beat: None,
        }
    }

    /// The job's row, running, with its heartbeat going.
    pub fn start(plan: &StorePlan, job: &NewJob) -> Result<Recorder, StoreError> {
        let Some(path) = &plan.path else {
            return Ok(Recorder::off());
        };
        let mut store = Store::open(path)?;
        let fail = |e: rusqlite::Error| StoreError {
            path: path.clone(),
            why: e.to_string(),
        };
        let sent = SystemTime::now();
        let id = store.add(job, plan.keep).map_err(fail)?;
        let (stop, told) = mpsc::channel::<Tell>();
        let beat_path = path.clone();
        let beat = std::thread::Builder::new()
            .name("job-heartbeat".into())
            .spawn(move || {
                // Its own connection, opened when first needed: a command answered at once
                // never costs a second open.
                let mut store: Option<Store> = None;
                let mut write = |f: &dyn Fn(&Store) -> rusqlite::Result<()>| {
                    if store.is_none() {
                        store = Store::open(&beat_path).ok();
                    }
                    if let Some(s) = &store {
                        let _ = f(s);
                    }
                };
                loop {
                    match told.recv_timeout(HEARTBEAT) {
                        Err(mpsc::RecvTimeoutError::Timeout) => write(&|s| s.beat(id)),
                        Ok(Tell::Answered(at)) => write(&|s| s.answered(id, at)),
                        Ok(Tell::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .ok()
            .map(|h| (stop, h));
        Ok(Recorder {
            store: Some(store),
            id: Some(id),
            sent,
            answered: Arc::default(),
            beat,
        })
    }

    /// `start`, or, when the store cannot be used, a warning (unless `quiet`) and no record.
    pub fn start_or_warn(plan: &StorePlan, job: &NewJob, quiet: bool) -> Recorder {
        match Recorder::start(plan, job) {
            Ok(r) => r,
            Err(e) => {
                if !quiet {
                    crate::output::tell(crate::output::Notice::StoreUnusable(&e));
                }
                Recorder::off()
            }
        }
    }

    pub fn id(&self) -> Option<i64> {
        self.id
    }

    /// A waiter that notes when the bridge answered (a 408 after which it is followed).
    pub fn noting<W: Waiter>(&self, inner: W) -> Noting<W> {
        Noting {
            inner,
            answered: Arc::clone(&self.answered),
            tell: self.beat.as_ref().map(|(t, _)| t.clone()),
        }
    }

    /// Record how it ended; the heartbeat stops.
    pub fn finish(mut self, plan: &ExecPlan, d: &Decision, error: Option<String>) {
        self.stop_beat();
        let (Some(store), Some(id)) = (self.store.as_mut(), self.id) else {
            return;
        };
        let answered = *self.answered.lock().unwrap_or_else(|p| p.into_inner());
        let answered = answered.or(d.response.as_ref().map(|_| SystemTime::now()));
        // A follow an MCP client cancelled has no exit code of exec's: its outcome is unknown.
        let exit_code = match d.why {
            crate::engine::outcome::Why::Interrupted(crate::engine::Halt::Cancelled) => {
                crate::error::Ending::OutcomeUnknown.code()
            }
            _ => crate::output::exec::ending(plan, d).map_or(0, |f| f.ending.code()),
        };
        let end = Outcome::of(d, self.sent, answered, error, exit_code);
        if let Err(e) = store.finish(id, &end) {
            let e = StoreError {
                path: store.path.clone(),
                why: e.to_string(),
            };
            crate::output::tell(crate::output::Notice::StoreUnusable(&e));
        }
    }

    fn stop_beat(&mut self) {
        if let Some((stop, handle)) = self.beat.take() {
            let _ = stop.send(Tell::Stop);
            let _ = handle.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop_beat();
    }
}

/// A waiter that passes everything through and notes the time of a 408.
pub struct Noting<W> {
    inner: W,
    answered: Arc<Mutex<Option<SystemTime>>>,
    tell: Option<mpsc::Sender<Tell>>,
}

impl<W: Waiter> Waiter for Noting<W> {
    async fn next(&mut self) -> Wake {
        self.inner.next().await
    }

    async fn halt(&mut self) -> Halt {
        self.inner.halt().await
    }

    async fn tell(&mut self, note: Note) {
        if let Note::Following {
            lost: Lost::GaveUp { .. },
            ..
        } = &note
        {
            let now = SystemTime::now();
            *self.answered.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
            if let Some(tell) = &self.tell {
                let _ = tell.send(Tell::Answered(now));
            }
        }
        self.inner.tell(note).await
    }
}
