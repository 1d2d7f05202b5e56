//! How a watch ends: running hooks get their time, then each bridge's summary (and with many
//! the overall one), the last words and the exit code, decided by `ending`.

use std::time::SystemTime;

use tokio::time::Instant;

use super::outputs::{close, closed};
use super::{ending, Watch};
use crate::config::Config;
use crate::engine::{Counters, End};
use crate::events::{Event, EventKind};
use crate::fleet::queue::Lateness;
use crate::fleet::roster::Stopped;
use crate::plan::WatchPlan;
use crate::units::count;

/// The summary says what the hooks came to.
fn with_hooks(summary: &mut Event, counts: Option<crate::events::HookCounts>) {
    if let EventKind::Summary { hooks, .. } = &mut summary.kind {
        *hooks = counts;
    }
}

impl Watch {
    /// The summaries (each bridge's, then with many the overall one) and the exit code.
    pub(super) fn finish(mut self, config: &Config, plan: &WatchPlan, end: End) -> anyhow::Result<()> {
        // When the watch ended, for its summaries: not when its hooks were done.
        let (now, wall) = (Instant::now().into_std(), SystemTime::now());
        if config.verbose > 0 && !self.one {
            let lane = |l: &Lateness| {
                format!(
                    "{} started, lateness p50 {} ms, p99 {} ms, max {} ms",
                    count(l.count(), "poll"),
                    l.quantile(0.5).as_millis(),
                    l.quantile(0.99).as_millis(),
                    l.max().as_millis()
                )
            };
            let [answering, failing, first] = &self.lateness;
            crate::output::log_line(&format!(
                "fleet: {}; of bridges failing: {}; first polls: {}",
                lane(answering),
                lane(failing),
                lane(first)
            ));
        }
        // Running hooks get --on-timeout to finish; what failed meanwhile is still reported.
        let hook_counts = match self.hooks.take() {
            Some(h) => {
                let (counts, failed) = h.finish();
                if end != End::Closed {
                    for f in failed {
                        self.hook_failed(f)?;
                    }
                }
                Some(counts)
            }
            None => None,
        };
        if end == End::Closed {
            return closed(&self.view);
        }
        let mut total = Counters::default();
        let live: Vec<usize> = self.live().collect();
        for &i in &live {
            let own = self.roster.stopped(i).map_or(end, Stopped::end);
            let mut summary = self.engines[i].summary(now, wall, own);
            if self.one {
                with_hooks(&mut summary, hook_counts);
            }
            self.emit(i, &summary)?;
            total += self.engines[i].counters();
        }
        if !self.one {
            let took = now.saturating_duration_since(self.started.into_std());
            let mut overall = crate::engine::summary(total, took, wall, end);
            with_hooks(&mut overall, hook_counts);
            self.view.overall_summary(&overall, live.len())?;
        }
        let n = live.len();
        let fatal = self.fatal.take();
        let until = self.roster.until();
        let result = ending::exit(ending::Ended {
            end,
            one: self.one,
            bridges: n,
            answered: total.answered,
            rejected: live
                .iter()
                .copied()
                .filter(|&i| self.roster.stopped(i) == Some(Stopped::Auth))
                .map(|i| self.bridges[i].name.as_str())
                .collect(),
            fatal,
            timeout: plan.timeout,
            until,
            waiting: live
                .iter()
                .copied()
                .filter(|&i| self.one || !self.roster.met(i))
                .map(|i| ending::Waiting {
                    name: self.bridges[i].name.as_str(),
                    seen: self.engines[i].last_seen(now),
                    note: ending::command_note(until, self.engines[i].answered_status()),
                })
                .collect(),
        });
        close(self.view);
        result
    }
}
