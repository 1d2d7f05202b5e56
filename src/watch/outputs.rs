//! Where a watch writes and how it takes its outputs down: the view (and the metrics exporter
//! with `--metrics`), the view as the screen a Ctrl-Z takes down, and the last words of a watch
//! whose output closed.

use std::time::Duration;

use crate::config::Config;
use crate::error::Failure;
use crate::metrics::serve::Exporter;
use crate::metrics::MetricsOptions;
use crate::output::view::WatchView;
use crate::plan::WatchPlan;
use crate::stops::Screen;

/// Where a watch writes: the view, and the metrics server when `--metrics` asks for one.
/// With `-q` a watch that serves metrics prints nothing at all.
pub async fn outputs(
    config: &Config,
    plan: &WatchPlan,
) -> Result<(WatchView, Option<Exporter>), crate::error::Failure> {
    let exporter = match plan.metrics {
        Some(addr) => {
            let opts = MetricsOptions {
                per_bridge_histograms: plan.metrics_histograms,
                shard: config.shard.map(|s| (s.index, s.count)),
            };
            let bridges = config
                .bridges
                .iter()
                .map(|b| (b.name.as_str(), b.labels.as_slice()));
            Some(Exporter::start(addr, bridges, opts, config.quiet).await?)
        }
        None => None,
    };
    let view = WatchView::new(config);
    let view = if exporter.is_some() && config.quiet {
        view.silent()
    } else {
        view
    };
    Ok((view, exporter))
}

/// How a watch whose output closed ends: quietly (its reader left), or exit 74 when writing
/// failed for another reason (a full disk).
pub fn closed(view: &WatchView) -> Result<(), crate::error::Failure> {
    unwritten(view.write_error().as_deref())
}

/// Exit 74 when writing failed (`why`).
fn unwritten(why: Option<&str>) -> Result<(), crate::error::Failure> {
    match why {
        Some(why) => Err(Failure::new(
            crate::error::Ending::OutputFailed,
            format!("cannot write the output: {why}"),
        )),
        None => Ok(()),
    }
}

/// Take the view down, letting stdout drain; say so when a slow reader made lines drop. Err
/// (exit 74) when what was written could not be (a full disk), whatever the watch came to.
pub fn close(mut view: WatchView) -> Result<(), crate::error::Failure> {
    let dropped = view.finish(Duration::from_secs(1));
    if dropped > 0 {
        crate::output::tell(crate::output::Notice::LinesDropped(dropped));
    }
    unwritten(view.failed())
}

impl Screen for WatchView {
    fn suspend(&mut self) {
        WatchView::suspend(self);
    }

    fn resume(&mut self) {
        WatchView::resume(self);
    }
}
