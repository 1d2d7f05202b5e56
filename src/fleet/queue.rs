//! The fleet's timer queue, pure: which bridge is due next, how the first polls are spread,
//! how late polls start behind their due time. Time comes in as arguments.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::time::{Duration, Instant};

/// Due times of the bridges that are not being polled, earliest first. Ordered (not a heap) so
/// that the first due after a time is found too (`first_after`).
#[derive(Debug, Default)]
pub struct Queue {
    due: BTreeSet<(Instant, usize)>,
}

impl Queue {
    pub fn push(&mut self, at: Instant, bridge: usize) {
        self.due.insert((at, bridge));
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|&(at, _)| at)
    }

    /// The first due time later than `t`.
    pub fn first_after(&self, t: Instant) -> Option<Instant> {
        self.due
            .range((Bound::Excluded((t, usize::MAX)), Bound::Unbounded))
            .next()
            .map(|&(at, _)| at)
    }

    /// The earliest entry when it is due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, usize)> {
        match self.due.first() {
            Some(&(at, _)) if at <= now => self.due.pop_first(),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.due.len()
    }

    /// Give every waiting bridge a new due time.
    pub fn reschedule(&mut self, mut due: impl FnMut(usize) -> Instant) {
        let old = std::mem::take(&mut self.due);
        self.due = old.into_iter().map(|(_, i)| (due(i), i)).collect();
    }

    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }

    /// Keep only the bridges `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        self.due.retain(|&(_, i)| keep(i));
    }
}

/// When bridge `i` of `n` polls first: spread evenly across the first ready interval, but
/// never more than 10 ms apart (three bridges all show within 30 ms; a thousand over 10 s).
pub fn first_poll(start: Instant, i: usize, n: usize, interval: Duration) -> Instant {
    let window = interval.min(Duration::from_millis(10).saturating_mul(n as u32));
    start + window.mul_f64(i as f64 / n.max(1) as f64)
}

/// How late polls start behind their due time: a histogram by millisecond up to 2 s.
#[derive(Debug, Clone)]
pub struct Lateness {
    buckets: Vec<u64>,
    total: u64,
    max: Duration,
}

impl Default for Lateness {
    fn default() -> Self {
        Lateness {
            buckets: vec![0; 2002],
            total: 0,
            max: Duration::ZERO,
        }
    }
}

impl Lateness {
    pub fn record(&mut self, late: Duration) {
        let i = (late.as_millis() as usize).min(self.buckets.len() - 1);
        self.buckets[i] += 1;
        self.total += 1;
        self.max = self.max.max(late);
    }

    /// The lateness under which this share of polls started (to the millisecond; 2 s and over
    /// count as 2001 ms).
    pub fn quantile(&self, q: f64) -> Duration {
        let want = ((self.total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (ms, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= want {
                return Duration::from_millis(ms as u64);
            }
        }
        Duration::ZERO
    }

    pub fn max(&self) -> Duration {
        self.max
    }

    pub fn count(&self) -> u64 {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_hands_out_due_bridges_earliest_first() {
        let t0 = Instant::now();
        let mut q = Queue::default();
        q.push(t0 + Duration::from_secs(2), 1);
        q.push(t0 + Duration::from_secs(1), 0);
        q.push(t0 + Duration::from_secs(3), 2);
        assert_eq!(q.next_due(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(q.pop_due(t0), None, "nothing is due yet");
        let now = t0 + Duration::from_millis(2500);
        assert_eq!(q.pop_due(now).map(|e| e.1), Some(0));
        assert_eq!(q.pop_due(now).map(|e| e.1), Some(1));
        assert_eq!(q.pop_due(now), None);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn the_first_due_after_a_time_is_found() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut q = Queue::default();
        for (i, at) in [(0, t0), (1, t0 + s), (2, t0 + s), (3, t0 + 3 * s)] {
            q.push(at, i);
        }
        assert_eq!(
            q.first_after(t0),
            Some(t0 + s),
            "both due at t0 + 1 s are after t0"
        );
        assert_eq!(q.first_after(t0 + s), Some(t0 + 3 * s), "not at, after");
        assert_eq!(q.first_after(t0 + 3 * s), None);
    }

    #[test]
    fn first_polls_are_spread_but_small_fleets_start_at_once() {
        let t0 = Instant::now();
        let ten = Duration::from_secs(10);
        let last = first_poll(t0, 999, 1000, ten) - t0;
        assert!(last > Duration::from_millis(9900) && last < ten, "{last:?}");
        assert_eq!(first_poll(t0, 500, 1000, ten) - t0, Duration::from_secs(5));
        assert!(first_poll(t0, 2, 3, ten) - t0 <= Duration::from_millis(30));
        let one = Duration::from_secs(1);
        assert!(first_poll(t0, 999, 1000, one) - t0 < one);
        assert_eq!(first_poll(t0, 0, 1, ten), t0);
    }

    #[test]
    fn lateness_quantiles() {
        let mut l = Lateness::default();
        for ms in 0..100 {
            l.record(Duration::from_millis(ms));
        }
        l.record(Duration::from_secs(5));
        assert_eq!(l.quantile(0.5), Duration::from_millis(50));
        assert_eq!(l.quantile(0.99), Duration::from_millis(99));
        assert_eq!(l.quantile(1.0), Duration::from_millis(2001));
        assert_eq!(l.max(), Duration::from_secs(5));
        assert_eq!(l.count(), 101);
    }
}
