//! When the next poll happens: the adaptive interval after an answer, exponential backoff with
//! jitter after a failure (backon), `Retry-After`, and the circuit breaker (closed → open after
//! N failures → one half-open probe → closed). Never two polls in flight. Pure: time is an
//! argument, and every addition to a clock reading is checked.

use std::time::{Duration, Instant};

use backon::BackoffBuilder;

use crate::units::MAX_DURATION;

/// `now + d`, saturating at the far future instead of panicking on overflow.
pub fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(MAX_DURATION))
        .unwrap_or(now)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaker {
    Closed,
    Open,
    HalfOpen,
}

/// What the schedule needs to know of the policy knobs.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    /// Consecutive failures that open the circuit.
    pub threshold: u32,
    /// How long an open circuit stays open before one half-open probe.
    pub recovery: Duration,
    /// Fixed seed for the jitter (tests); None picks a random one.
    pub jitter_seed: Option<u64>,
}

/// How a failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Back off: the bridge did not answer.
    Backoff,
    /// Wait this fixed interval: the bridge answered with an error.
    After(Duration),
}

/// What a failure did to the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub delay: Duration,
    /// The circuit opened with this failure.
    pub opened: bool,
    /// The bridge's `Retry-After`, when it asked for longer than `--max-backoff` (the delay
    /// is capped there).
    pub capped: Option<Duration>,
}

#[derive(Debug)]
pub struct Schedule {
    cfg: Backoff,
    next_poll: Instant,
    in_flight: bool,
    breaker: Breaker,
    backoff: Option<backon::ExponentialBackoff>,
    failures: u32,
}

impl Schedule {
    pub fn new(cfg: Backoff, first_poll: Instant) -> Schedule {
        Schedule {
            cfg,
            next_poll: first_poll,
            in_flight: false,
            breaker: Breaker::Closed,
            backoff: None,
            failures: 0,
        }
    }

    pub fn next_poll_at(&self) -> Instant {
        self.next_poll
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    pub fn breaker(&self) -> Breaker {
        self.breaker
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Begin a poll when one is due and none is in flight. `Some(true)`: this poll is the
    /// half-open probe of an open circuit.
    pub fn start(&mut self, now: Instant) -> Option<bool> {
        if self.in_flight || now < self.next_poll {
            return None;
        }
        self.in_flight = true;
        let probe = self.breaker == Breaker::Open;
        if probe {
            self.breaker = Breaker::HalfOpen;
        }
        Some(probe)
    }

    /// Poll at once (resumed after SIGCONT): the timer waited on is stale. An open circuit is
    /// respected.
    pub fn poll_now(&mut self, now: Instant) {
        if self.breaker == Breaker::Closed && !self.in_flight {
            self.next_poll = self.next_poll.min(now);
        }
    }

    /// An answer: reset backoff and breaker; the next poll after `interval`. Returns the
    /// breaker as it was (not Closed: the circuit closes now).
    pub fn answered(&mut self, now: Instant, interval: Duration) -> Breaker {
        let was = self.breaker;
        self.in_flight = false;
        self.failures = 0;
        self.backoff = None;
        self.breaker = Breaker::Closed;
        self.next_poll = later(now, interval);
        was
    }

    /// A failure: the delay before the next poll, and whether the circuit opened.
    pub fn failed(&mut self, now: Instant, retry: Retry, retry_after: Option<Duration>) -> Delay {
        self.in_flight = false;
        self.failures = self.failures.saturating_add(1);
        let mut delay = match retry {
            Retry::After(d) => d,
            Retry::Backoff => self.next_backoff(),
        };
        // A bridge's Retry-After is honoured within --max-backoff: a wait it asks for beyond
        // that (an hour, u64::MAX seconds) would outlast every --timeout.
        let mut capped = None;
        if let Some(ra) = retry_after {
            delay = ra.clamp(
                Duration::from_millis(100),
                self.cfg.max.max(Duration::from_millis(100)),
            );
            capped = (ra > delay).then_some(ra);
        }
        let opened = self.breaker == Breaker::HalfOpen
            || (self.breaker == Breaker::Closed && self.failures >= self.cfg.threshold);
        if opened {
            delay = delay.max(self.cfg.recovery);
            self.breaker = Breaker::Open;
        }
        self.next_poll = later(now, delay);
        Delay {
            delay,
            opened,
            capped,
        }
    }

    fn next_backoff(&mut self) -> Duration {
        let cfg = &self.cfg;
        let backoff = self.backoff.get_or_insert_with(|| {
            let mut b = backon::ExponentialBuilder::default()
                .with_min_delay(cfg.base)
                .with_max_delay(cfg.max)
                .with_factor(2.0)
                .without_max_times()
                .with_jitter();
            if let Some(seed) = cfg.jitter_seed {
                b = b.with_jitter_seed(seed);
            }
            b.build()
        });
        backoff.next().unwrap_or(cfg.max).min(cfg.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Backoff {
        Backoff {
            base: Duration::from_secs(5),
            max: Duration::from_secs(60),
            threshold: 5,
            recovery: Duration::from_secs(60),
            jitter_seed: Some(7),
        }
    }

    #[test]
    fn adding_to_a_clock_never_overflows() {
        let now = Instant::now();
        assert_eq!(later(now, Duration::from_secs(1)), now + Duration::from_secs(1));
        let far = later(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(3600 * 24 * 365));
    }

    #[test]
    fn open_circuit_ignores_resume_and_waits_for_its_probe() {
        let now = Instant::now();
        let mut s = Schedule::new(cfg(), now);
        for _ in 0..5 {
            let t = s.next_poll_at();
            assert_eq!(s.start(t), Some(false));
            s.failed(t, Retry::Backoff, None);
        }
        assert_eq!(s.breaker(), Breaker::Open);
        let due = s.next_poll_at();
        s.poll_now(due - Duration::from_secs(30));
        assert_eq!(s.next_poll_at(), due, "resume does not cut the recovery short");
        assert_eq!(s.start(due), Some(true), "the first poll after is the probe");
    }
}
