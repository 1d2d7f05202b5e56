//! Who gets an in-flight slot, pure: two timer queues sharing `--max-in-flight`. A bridge whose
//! last poll failed (it refused, timed out, hung until `--request-timeout`) waits in the
//! failing lane, which may hold at most a quarter of the slots; bridges that answer take the
//! rest, and any slot the failing lane does not use. So however many bridges hang, the ones
//! that answer are polled on time. Time comes in as arguments.

use std::time::Instant;

use super::queue::Queue;

#[derive(Debug)]
pub struct Lanes {
    answering: Queue,
    failing: Queue,
    /// The lane each bridge's poll in flight was started from (true: failing).
    flying: Vec<Option<bool>>,
    max: usize,
    failing_cap: usize,
    in_flight: usize,
    failing_in_flight: usize,
}

impl Lanes {
    /// Lanes for `bridges` bridges and `max` polls in flight at once.
    pub fn new(bridges: usize, max: usize) -> Lanes {
        let max = max.max(1);
        Lanes {
            answering: Queue::default(),
            failing: Queue::default(),
            flying: vec![None; bridges],
            max,
            failing_cap: (max / 4).max(1),
            in_flight: 0,
            failing_in_flight: 0,
        }
    }

    /// Most polls of failing bridges in flight at once.
    pub fn failing_cap(&self) -> usize {
        self.failing_cap
    }

    /// Bridge `i` is due at `at`; `failing`: its last poll failed.
    pub fn push(&mut self, at: Instant, i: usize, failing: bool) {
        if failing {
            self.failing.push(at, i);
        } else {
            self.answering.push(at, i);
        }
    }

    fn room(&self) -> bool {
        self.in_flight < self.max
    }

    fn failing_room(&self) -> bool {
        self.room() && self.failing_in_flight < self.failing_cap
    }

    /// When the next poll can start: the earliest due bridge of a lane with room.
    pub fn next_due(&self) -> Option<Instant> {
        let a = self.answering.next_due().filter(|_| self.room());
        let f = self.failing.next_due().filter(|_| self.failing_room());
        match (a, f) {
            (Some(a), Some(f)) => Some(a.min(f)),
            (a, f) => a.or(f),
        }
    }

    /// The earliest bridge due at `now` in a lane with room: (due, bridge, failing). The caller
    /// then calls `started` (or pushes it back when its engine is not ready to poll).
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, usize, bool)> {
        let a = self.answering.next_due().filter(|at| self.room() && *at <= now);
        let f = self
            .failing
            .next_due()
            .filter(|at| self.failing_room() && *at <= now);
        match (a, f) {
            (Some(a), Some(f)) if f < a => self.failing.pop_due(now).map(|(t, i)| (t, i, true)),
            (Some(_), _) => self.answering.pop_due(now).map(|(t, i)| (t, i, false)),
            (None, Some(_)) => self.failing.pop_due(now).map(|(t, i)| (t, i, true)),
            (None, None) => None,
        }
    }

    /// Bridge `i`'s poll, taken from the lane `failing`, is in flight.
    pub fn started(&mut self, i: usize, failing: bool) {
        self.flying[i] = Some(failing);
        self.in_flight += 1;
        self.failing_in_flight += usize::from(failing);
    }

    /// Bridge `i`'s poll came back: its slot is free.
    pub fn finished(&mut self, i: usize) {
        if let Some(failing) = self.flying[i].take() {
            self.in_flight -= 1;
            self.failing_in_flight -= usize::from(failing);
        }
    }

    /// Give every waiting bridge a new due time (after a resume), each in its lane.
    pub fn reschedule(&mut self, mut due: impl FnMut(usize) -> Instant) {
        self.answering.reschedule(&mut due);
        self.failing.reschedule(&mut due);
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// No bridge waits in either lane.
    pub fn is_empty(&self) -> bool {
        self.answering.is_empty() && self.failing.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::queue::Lateness;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::time::Duration;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn failing_bridges_hold_at_most_a_quarter_of_the_slots() {
        let t0 = Instant::now();
        let mut l = Lanes::new(10, 8);
        assert_eq!(l.failing_cap(), 2);
        for i in 0..6 {
            l.push(t0, i, true);
        }
        l.push(t0 + MS, 6, false);
        let mut started = Vec::new();
        while let Some((_, i, failing)) = l.pop_due(t0) {
            l.started(i, failing);
            started.push(i);
        }
        assert_eq!(started.len(), 2, "two failing ones, then the lane is full");
        assert_eq!(l.next_due(), Some(t0 + MS), "the answering lane still has room");
        let (_, i, failing) = l.pop_due(t0 + MS).unwrap();
        assert_eq!((i, failing), (6, false));
        l.started(i, failing);
        l.finished(started[0]);
        let (_, i, failing) = l.pop_due(t0 + MS).unwrap();
        assert!(failing, "a freed failing slot is taken");
        l.started(i, failing);
        assert_eq!(l.in_flight(), 3);
    }

    #[test]
    fn a_reschedule_moves_every_waiting_bridge_in_its_lane() {
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(600);
        let mut l = Lanes::new(3, 4);
        l.push(far, 0, false);
        l.push(far, 1, true);
        l.reschedule(|i| t0 + MS * i as u32);
        assert_eq!(l.next_due(), Some(t0));
        assert_eq!(l.pop_due(t0 + MS), Some((t0, 0, false)));
        assert_eq!(l.pop_due(t0 + MS), Some((t0 + MS, 1, true)));
    }

    #[test]
    fn answering_bridges_may_use_every_slot() {
        let t0 = Instant::now();
        let mut l = Lanes::new(8, 4);
        for i in 0..8 {
            l.push(t0, i, false);
        }
        let mut n = 0;
        while let Some((_, i, f)) = l.pop_due(t0) {
            l.started(i, f);
            n += 1;
        }
        assert_eq!(n, 4);
        assert_eq!(l.next_due(), None, "no room in either lane");
    }

    /// 210 bridges, 200 of which accept and never answer (each poll holds its slot until the
    /// 10 s request timeout), `--max-in-flight 16`, polled every second: on the made-up clock,
    /// the 10 that answer are polled on time once the first round has shown which hang (that
    /// round itself takes 200 × 10 s / 16, as every unknown bridge gets its chance).
    #[test]
    fn hanging_bridges_never_starve_the_ones_that_answer() {
        let t0 = Instant::now();
        let (n, hanging, max) = (210, 200, 16);
        let interval = Duration::from_secs(1);
        let timeout = Duration::from_secs(10);
        let mut lanes = Lanes::new(n, max);
        for i in 0..n {
            lanes.push(crate::fleet::queue::first_poll(t0, i, n, interval), i, false);
        }
        // Polls in flight: (when it comes back, bridge).
        let mut back: BinaryHeap<Reverse<(Instant, usize)>> = BinaryHeap::new();
        let mut late = Lateness::default();
        let mut polls_of_answering = 0;
        let mut now = t0;
        let end = t0 + Duration::from_secs(300);
        while now < end {
            while let Some((due, i, failing)) = lanes.pop_due(now) {
                lanes.started(i, failing);
                let answers = i >= hanging;
                if answers && now > t0 + Duration::from_secs(150) {
                    late.record(now - due);
                    polls_of_answering += 1;
                }
                back.push(Reverse((now + if answers { MS } else { timeout }, i)));
            }
            let next_back = back.peek().map(|Reverse((t, _))| *t);
            now = match (lanes.next_due(), next_back) {
                (Some(d), Some(b)) => d.min(b).max(now),
                (d, b) => d.or(b).unwrap_or(end).max(now),
            };
            while let Some(Reverse((t, i))) = back.peek().copied() {
                if t > now {
                    break;
                }
                back.pop();
                lanes.finished(i);
                let answers = i >= hanging;
                lanes.push(t + interval, i, !answers);
            }
        }
        assert!(
            polls_of_answering >= 10 * 145,
            "each answering bridge about once a second: {polls_of_answering}"
        );
        assert!(
            late.quantile(0.99) <= Duration::from_millis(100),
            "p99 {:?}",
            late.quantile(0.99)
        );
        assert!(late.max() <= Duration::from_millis(100), "max {:?}", late.max());
    }
}
