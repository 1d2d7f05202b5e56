//! How a watch ends: running hooks get their time, then each bridge's summary (and with many
//! the overall one), the last words and the exit code, decided by `ending`.

use std::time::SystemTime;

use super::outputs::{close, closed};
use super::{ending, Watch};
use crate::config::Config;
use crate::engine::End;
use crate::engine::Halt;
use crate::events::{Event, EventKind, HookCounts};
use crate::fleet::roster::Stopped;
use crate::output::view::Shape;
use crate::plan::WatchPlan;
use crate::stops::{Stops, Wake};

/// The summary says what the hooks came to.
fn with_hooks(summary: &mut Event, counts: Option<HookCounts>) {
    if let EventKind::Summary { hooks, .. } = &mut summary.kind {
        *hooks = counts;
    }
}

impl Watch {
    /// The watch is over: running and queued hooks get `--on-timeout` to finish, each failure
    /// an event as it comes (before the summaries, which stay last). Meanwhile `/metrics`
    /// answers, and a signal (a second Ctrl-C) ends the hooks' process groups at once: the
    /// watch then ends with that signal's code. Returns how it ends and what the hooks came to.
    pub(super) async fn drain_hooks(
        &mut self,
        stops: &mut Stops,
        mut end: End,
    ) -> Result<(End, Option<HookCounts>), crate::error::Failure> {
        let Some(mut hooks) = self.hooks.take() else {
            return Ok((end, None));
        };
        hooks.close();
        let mut cut = false;
        loop {
            tokio::select! {
                biased;
                sig = stops.recv(), if !cut => {
                    if let Some(Wake::Halt(Halt::Signal(sig))) = stops.on_signal(sig, &mut self.view) {
                        let now = End::Signal(sig);
                        let running = hooks.cut_short();
                        crate::output::tell(crate::output::Notice::HooksCutShort {
                            reason: &now.reason(),
                            running,
                        });
                        (end, cut) = (now, true);
                    }
                }
                failed = hooks.drained() => match failed {
                    Some(f) if end != End::Closed => self.hook_failed(f)?,
                    Some(_) => {}
                    None => break,
                },
            }
        }
        Ok((end, Some(hooks.counts())))
    }

    /// The summaries (each bridge's, then with many the overall one, as of `now` and `wall`,
    /// when the watch ended) and the exit code.
    pub(super) fn finish(
        mut self,
        config: &Config,
        plan: &WatchPlan,
        (end, (now, wall)): (End, (std::time::Instant, SystemTime)),
        hook_counts: Option<HookCounts>,
    ) -> Result<(), crate::error::Failure> {
        if config.verbose > 0 {
            self.view.lateness(&self.lateness);
        }
        if end == End::Closed {
            return closed(&self.view);
        }
        // Stamped when written, after whatever the hooks' drain printed; `durationMs` still
        // ends when the watch stopped (`now`).
        let wall = wall.max(SystemTime::now());
        // The overall sums count the bridges reloads removed too.
        let mut total = self.gone_total;
        let live: Vec<usize> = self.live().collect();
        for &i in &live {
            total += self.members[i].engine.counters();
        }
        let took = now.saturating_duration_since(self.started.into_std());
        let mut overall = crate::engine::summary(total, took, wall, &end);
        with_hooks(&mut overall, hook_counts);
        for &i in &live {
            let own = self.roster.stopped(i).map_or_else(|| end.clone(), Stopped::end);
            let mut summary = self.members[i].engine.summary(now, wall, &own);
            self.view.bridge_summary(&mut summary, &overall);
            self.emit(i, &summary)?;
        }
        self.view.overall_summary(&overall, live.len())?;
        let n = live.len();
        let fatal = self.fatal.take();
        let until = self.roster.until();
        let result = ending::exit(ending::Ended {
            end,
            one: self.view.shape() == Shape::One,
            bridges: n,
            answered: total.answered,
            rejected: live
                .iter()
                .copied()
                .filter(|&i| self.roster.stopped(i) == Some(Stopped::Auth))
                .map(|i| self.members[i].bridge.name.as_str())
                .collect(),
            fatal,
            timeout: plan.timeout,
            until,
            waiting: live
                .iter()
                .copied()
                .map(|i| {
                    let m = &self.members[i];
                    crate::output::words::Waiting {
                        name: m.bridge.name.as_str(),
                        seen: m.engine.last_seen(now),
                        note: crate::output::words::command_note(until, m.engine.answered_status()),
                        met: self.roster.met(i),
                    }
                })
                .collect(),
        });
        // Nothing written is worse than any ending the watch came to.
        close(self.view).and(result)
    }
}
