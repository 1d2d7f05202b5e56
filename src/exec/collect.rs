//! `jobs` and `wait`: reading the store. Before each read, jobs whose follower is gone are
//! settled as lost (`Store::settle`), so nothing shows `running` for ever.

use std::time::Duration;

use crate::config::Config;
use crate::error::{Ending, Failure, UsageError};
use crate::jobs::{JobState, Since, Store, StorePlan, STALE_AFTER};
use crate::output::jobs as render;

/// How often `wait` reads the store.
const WAIT_EVERY: Duration = Duration::from_millis(250);

/// Open the store for a command that needs it (`what`).
pub fn open(plan: &StorePlan, what: &str) -> Result<Store, crate::error::Failure> {
    let Some(path) = &plan.path else {
        return Err(UsageError(render::no_store(what)).into());
    };
    Store::open(path).map_err(|e| UsageError(render::store_needed(&e)).into())
}

/// The store's answer to a read, or the error that ends the command.
fn read<T>(store: &Store, r: rusqlite::Result<T>) -> Result<T, crate::error::Failure> {
    r.map_err(|e| {
        Failure::usage(render::store_needed(&crate::jobs::StoreError {
            path: store.path.clone(),
            why: e.to_string(),
        }))
    })
}

pub fn list(
    config: &Config,
    at: &StorePlan,
    asked: &crate::plan::JobsPlan,
    out: &mut impl std::io::Write,
) -> Result<(), crate::error::Failure> {
    let mut store = open(at, "jobs")?;
    let settled = store.settle(STALE_AFTER, crate::jobs::alive);
    read(&store, settled)?;
    if let Some(id) = asked.show {
        let job = store.get(id);
        let Some(job) = read(&store, job)? else {
            return Err(UsageError(render::unknown_job(id, &store.path)).into());
        };
        return Ok(render::show(out, config, &job)?);
    }
    let filter = &asked.filter;
    let limit = asked.limit;
    // The cursor is read before the jobs: a change between the two is listed again next time,
    // never missed.
    let next = match filter.since {
        Since::Cursor(_) => {
            let c = store.cursor();
            Some(read(&store, c)?)
        }
        _ => None,
    };
    let jobs = store.list(filter, limit);
    let jobs = read(&store, jobs)?;
    // With a limit that cut a cursor listing short, the next cursor is the last one listed.
    let next = match (next, jobs.len() == limit) {
        (Some(_), true) => jobs.last().map(|j| j.cursor),
        (n, _) => n,
    };
    Ok(render::list(out, config, &jobs, filter, next)?)
}

/// `wait ID...`: until every job is no longer running; the exit code is the job's (one) or
/// the largest of theirs (several). `--timeout` (124) and a signal end the wait, not the jobs.
pub async fn wait(
    config: &Config,
    plan: &StorePlan,
    ids: &[i64],
    timeout: Duration,
) -> Result<(), crate::error::Failure> {
    use crate::engine::Halt;
    use crate::stops::{OnTerminal, Screen, Stops, Waiter, Wake};
    struct Quiet;
    impl Screen for Quiet {
        fn suspend(&mut self) {}
        fn resume(&mut self) {}
    }
    let mut store = open(plan, "wait")?;
    let deadline = crate::engine::schedule::later(std::time::Instant::now(), timeout);
    let mut stops = Stops::install(Some(deadline.into()))?;
    let mut waiter = OnTerminal {
        stops: &mut stops,
        screen: Quiet,
    };
    loop {
        let settled = store.settle(STALE_AFTER, crate::jobs::alive);
        read(&store, settled)?;
        let mut running = Vec::new();
        let mut ended = Vec::new();
        for id in ids {
            let job = store.get(*id);
            let Some(job) = read(&store, job)? else {
                return Err(UsageError(render::unknown_job(*id, &store.path)).into());
            };
            match job.state {
                JobState::Running => running.push(*id),
                _ => ended.push(job),
            }
        }
        if running.is_empty() {
            let code = ended.iter().filter_map(|j| j.wait_code()).max().unwrap_or(0);
            let mut out = std::io::stdout().lock();
            for j in &ended {
                render::waited(&mut out, config, j)?;
            }
            return match code {
                0 => Ok(()),
                c => Err(Failure::quiet(Ending::of_code(c))),
            };
        }
        tokio::select! {
            wake = waiter.next() => match wake {
                Wake::Halt(Halt::TimedOut) => {
                    return Err(Failure::new(Ending::TimedOut, render::wait_timed_out(timeout, &running)));
                }
                Wake::Halt(Halt::Signal(sig)) => {
                    return Err(Failure::quiet(Ending::Signal(sig)));
                }
                Wake::Halt(_) => {
                    return Err(Failure::quiet(Ending::Signal(crate::platform::Sig::Interrupt)));
                }
                Wake::Resumed => {}
            },
            () = tokio::time::sleep(WAIT_EVERY) => {}
        }
    }
}
