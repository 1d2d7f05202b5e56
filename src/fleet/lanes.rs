//! Who gets an in-flight slot, pure: two timer queues sharing `--max-in-flight`. A bridge whose
//! last poll failed (it refused, timed out, hung until `--request-timeout`) waits in the
//! failing lane, which may hold at most a quarter of the slots; bridges that answer take the
//! rest, and any slot the failing lane does not use. So however many bridges hang, the ones
//! that answer are polled on time.
//!
//! Before its first answer nobody knows whether a bridge hangs, so every bridge starts in the
//! answering lane. A first poll that has gone unanswered for `FIRST_PATIENCE` while another
//! bridge waits for a slot gives its slot up (`give_up`): the watch cancels it as a timeout,
//! and the bridge goes on in the failing lane, where its next poll has the whole
//! `--request-timeout`. So the first round costs hanging bridges × 1 s / `--max-in-flight`,
//! not × `--request-timeout`; with no one waiting a first poll keeps its slot. Time comes in
//! as arguments.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::queue::Queue;

/// How long a first poll keeps its slot while other bridges wait for one.
pub const FIRST_PATIENCE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
struct Flight {
    /// Started from the failing lane.
    failing: bool,
    /// The bridge's first poll (it never answered nor failed).
    first: bool,
}

#[derive(Debug)]
pub struct Lanes {
    answering: Queue,
    failing: Queue,
    /// Each bridge's poll in flight.
    flying: Vec<Option<Flight>>,
    /// First polls in flight, oldest first: (started, bridge).
    firsts: VecDeque<(Instant, usize)>,
    patience: Duration,
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
            firsts: VecDeque::new(),
            patience: FIRST_PATIENCE,
            max,
            failing_cap: (max / 4).max(1),
            in_flight: 0,
            failing_in_flight: 0,
        }
    }

    /// Room for a bridge a reload added, at the next index.
    pub fn add(&mut self) -> usize {
        self.flying.push(None);
        self.flying.len() - 1
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

    /// Bridge `i`'s poll, taken from the lane `failing`, is in flight since `now`; `first`: it
    /// is the bridge's first poll.
    pub fn started(&mut self, i: usize, failing: bool, now: Instant, first: bool) {
        self.flying[i] = Some(Flight { failing, first });
        self.in_flight += 1;
        self.failing_in_flight += usize::from(failing);
        if first {
            self.firsts.push_back((now, i));
        }
    }

    /// Bridge `i`'s poll came back: its slot is free.
    pub fn finished(&mut self, i: usize) {
        if let Some(f) = self.flying[i].take() {
            self.in_flight -= 1;
            self.failing_in_flight -= usize::from(f.failing);
            if f.first {
                // At most --max-in-flight long, and only in the first round.
                self.firsts.retain(|&(_, b)| b != i);
            }
        }
    }

    /// When a bridge waits for a slot that is taken (None: nobody does).
    fn waiting_since(&self) -> Option<Instant> {
        let full = !self.room();
        let a = self.answering.next_due().filter(|_| full);
        // One the failing lane's own cap holds back gains nothing from a slot freed.
        let f = self
            .failing
            .next_due()
            .filter(|_| full && self.failing_in_flight < self.failing_cap);
        match (a, f) {
            (Some(a), Some(f)) => Some(a.min(f)),
            (a, f) => a.or(f),
        }
    }

    /// When the oldest first poll in flight is to give up its slot, if a bridge is waiting.
    pub fn give_up_at(&self) -> Option<Instant> {
        let &(since, _) = self.firsts.front()?;
        let waiting = self.waiting_since()?;
        Some(crate::engine::schedule::later(since, self.patience).max(waiting))
    }

    /// The bridge whose first poll gives its slot up now: the caller cancels that poll (it
    /// comes back as a failure, and `finished` frees the slot).
    pub fn give_up(&mut self, now: Instant) -> Option<usize> {
        if self.give_up_at()? > now {
            return None;
        }
        let (_, i) = self.firsts.pop_front()?;
        if let Some(f) = &mut self.flying[i] {
            f.first = false;
        }
        Some(i)
    }

    /// Give every waiting bridge a new due time (after a resume), each in its lane.
    pub fn reschedule(&mut self, mut due: impl FnMut(usize) -> Instant) {
        self.answering.reschedule(&mut due);
        self.failing.reschedule(&mut due);
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
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
            l.started(i, failing, t0, false);
            started.push(i);
        }
        assert_eq!(started.len(), 2, "two failing ones, then the lane is full");
        assert_eq!(l.next_due(), Some(t0 + MS), "the answering lane still has room");
        let (_, i, failing) = l.pop_due(t0 + MS).unwrap();
        assert_eq!((i, failing), (6, false));
        l.started(i, failing, t0, false);
        l.finished(started[0]);
        let (_, i, failing) = l.pop_due(t0 + MS).unwrap();
        assert!(failing, "a freed failing slot is taken");
        l.started(i, failing, t0, false);
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
            l.started(i, f, t0, false);
            n += 1;
        }
        assert_eq!(n, 4);
        assert_eq!(l.next_due(), None, "no room in either lane");
    }

    #[test]
    fn a_first_poll_gives_its_slot_up_only_when_a_bridge_waits() {
        let t0 = Instant::now();
        let mut l = Lanes::new(4, 2);
        l.push(t0, 0, false);
        l.push(t0, 1, false);
        for _ in 0..2 {
            let (_, i, f) = l.pop_due(t0).unwrap();
            l.started(i, f, t0, true);
        }
        assert_eq!(l.give_up_at(), None, "nobody waits");
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE * 9), None);
        l.push(t0 + MS * 300, 2, false);
        assert_eq!(l.next_due(), None, "every slot is taken");
        assert_eq!(l.give_up_at(), Some(t0 + FIRST_PATIENCE));
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE - MS), None, "patience first");
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE), Some(0), "the oldest first poll");
        assert_eq!(l.give_up_at(), Some(t0 + FIRST_PATIENCE), "bridge 1's turn");
        l.finished(0);
        assert_eq!(l.give_up_at(), None, "the freed slot is the waiter's");
        let (_, i, f) = l.pop_due(t0 + FIRST_PATIENCE).unwrap();
        l.started(i, f, t0 + FIRST_PATIENCE, false);
        l.push(t0, 3, false);
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE), Some(1));
        assert_eq!(
            l.give_up(t0 + FIRST_PATIENCE * 100),
            None,
            "a bridge past its first poll keeps its slot to the request timeout"
        );
        // A waiter in the failing lane at its own cap gains nothing from a freed slot.
        let mut l = Lanes::new(3, 1);
        l.push(t0, 0, false);
        let (_, i, f) = l.pop_due(t0).unwrap();
        l.started(i, f, t0, true);
        l.push(t0, 1, true);
        assert_eq!(
            l.give_up_at(),
            Some(t0 + FIRST_PATIENCE),
            "cap 1, none failing in flight"
        );
    }

    /// 210 bridges, 200 of which accept and never answer (each poll holds its slot until the
    /// 10 s request timeout, unless it is a first poll given up), `--max-in-flight 16`, polled
    /// every second, for 5 minutes on the made-up clock: the first round is over in about
    /// 200 × 1 s / 16, and from then on the 10 that answer are polled on time.
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
        // Polls in flight: (when it comes back, bridge, the flight's number); a poll given up
        // comes back at once, and its old entry is stale.
        let mut back: BinaryHeap<Reverse<(Instant, usize, u32)>> = BinaryHeap::new();
        let mut flight = vec![0u32; n];
        let mut polled = vec![false; n];
        let mut first_answer: Vec<Option<Instant>> = vec![None; n];
        let (mut all, mut steady) = (Lateness::default(), Lateness::default());
        let mut polls_of_answering = 0;
        let mut now = t0;
        let end = t0 + Duration::from_secs(300);
        while now < end {
            while let Some(i) = lanes.give_up(now) {
                flight[i] += 1;
                back.push(Reverse((now, i, flight[i])));
            }
            while let Some((due, i, failing)) = lanes.pop_due(now) {
                lanes.started(i, failing, now, !polled[i]);
                polled[i] = true;
                let answers = i >= hanging;
                if answers {
                    all.record(now - due);
                    if first_answer[i].is_some() {
                        steady.record(now - due);
                    }
                    polls_of_answering += 1;
                }
                flight[i] += 1;
                let takes = if answers { MS } else { timeout };
                back.push(Reverse((now + takes, i, flight[i])));
            }
            let next_back = back.peek().map(|Reverse((t, _, _))| *t);
            now = [lanes.next_due(), next_back, lanes.give_up_at()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(end)
                .max(now);
            while let Some(Reverse((t, i, f))) = back.peek().copied() {
                if t > now {
                    break;
                }
                back.pop();
                if f != flight[i] {
                    continue;
                }
                lanes.finished(i);
                let answers = i >= hanging;
                if answers && first_answer[i].is_none() {
                    first_answer[i] = Some(t);
                }
                lanes.push(t + interval, i, !answers);
            }
        }
        let round = first_answer[hanging..]
            .iter()
            .map(|t| t.unwrap() - t0)
            .max()
            .unwrap();
        assert!(round <= Duration::from_secs(14), "first round {round:?}");
        assert!(
            polls_of_answering >= 10 * 280,
            "each answering bridge about once a second: {polls_of_answering}"
        );
        assert!(
            all.quantile(0.99) <= Duration::from_millis(100),
            "p99 {:?}",
            all.quantile(0.99)
        );
        assert!(
            steady.max() <= Duration::from_millis(100),
            "max {:?}",
            steady.max()
        );
    }
}
