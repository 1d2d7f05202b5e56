//! Who gets an in-flight slot, pure: three timer queues sharing `--max-in-flight`, one per
//! kind of bridge. A bridge that has answered (its last poll did) waits in the answering lane;
//! one nobody knows yet (its first poll) in the unknown lane; one whose last poll failed (it
//! refused, timed out, hung until `--request-timeout`) in the failing lane. Each kind has its
//! share of the slots:
//!
//! - the failing lane holds at most a quarter of them;
//! - the unknown and failing lanes together leave one slot to the answering lane whenever it
//!   has a bridge, and a slot that frees goes first to a bridge that has answered and is due:
//!   so a bridge that has answered once never queues behind the first polls of bridges nobody
//!   knows yet, however many there are and however overdue they are;
//! - the answering lane may take any slot free.
//!
//! So however many bridges hang, the ones that answer are polled on time from their first
//! answer on, and the first round loses one slot at most. An empty answering lane reserves
//! nothing: a first round with nobody known yet has every slot.
//!
//! Before its first answer nobody knows whether a bridge hangs. A first poll that has gone
//! unanswered for `FIRST_PATIENCE` while another bridge waits for a slot gives its slot up
//! (`give_up`): the watch cancels it as a timeout, and the bridge goes on in the failing lane,
//! where its next poll has the whole `--request-timeout`. So the first round costs hanging
//! bridges × 1 s / `--max-in-flight`, not × `--request-timeout`; with no one waiting a first
//! poll keeps its slot. Time comes in as arguments.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::queue::Queue;

/// Polls due within this long of `now` start with those due now: one wake-up of the loop for
/// them all, not one each (at 10,000 bridges a poll is due every millisecond).
pub const COALESCE: Duration = Duration::from_millis(5);

/// How long a first poll keeps its slot while other bridges wait for one.
pub const FIRST_PATIENCE: Duration = Duration::from_secs(1);

/// The three kinds of bridge, each with its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Its last poll was answered.
    Answered = 0,
    /// Never polled: nobody knows yet whether it answers.
    Unknown = 1,
    /// Its last poll failed.
    Failing = 2,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Answered, Kind::Unknown, Kind::Failing];

    /// Its index in `[answered, unknown, failing]` arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy)]
struct Flight {
    kind: Kind,
    /// A first poll that may still give its slot up.
    first: bool,
}

#[derive(Debug)]
pub struct Lanes {
    /// A queue per kind, by `Kind::index`.
    queues: [Queue; 3],
    /// Each bridge's poll in flight.
    flying: Vec<Option<Flight>>,
    /// First polls in flight, oldest first: (started, bridge).
    firsts: VecDeque<(Instant, usize)>,
    patience: Duration,
    max: usize,
    failing_cap: usize,
    /// Slots the unknown and failing lanes leave to the answering lane while it has a bridge
    /// (one; none with a single slot).
    reserve: usize,
    /// Polls in flight, by kind.
    in_flight: [usize; 3],
}

impl Lanes {
    /// Lanes for `bridges` bridges and `max` polls in flight at once.
    pub fn new(bridges: usize, max: usize) -> Lanes {
        let max = max.max(1);
        Lanes {
            queues: Default::default(),
            flying: vec![None; bridges],
            firsts: VecDeque::new(),
            patience: FIRST_PATIENCE,
            max,
            failing_cap: (max / 4).max(1),
            reserve: usize::from(max >= 2),
            in_flight: [0; 3],
        }
    }

    /// Room for a bridge a reload added, in slot `i` (new, or one a removed bridge left).
    pub fn add_at(&mut self, i: usize) {
        if i >= self.flying.len() {
            self.flying.resize(i + 1, None);
        }
    }

    /// Whether bridge `i` has a poll in flight.
    pub fn is_flying(&self, i: usize) -> bool {
        self.flying.get(i).is_some_and(Option::is_some)
    }

    /// Bridges a reload removed: their waits go from every lane (one pass), so a slot reused
    /// holds only its new bridge's. A poll of theirs in flight still frees its slot through
    /// `finished`.
    pub fn forget(&mut self, gone: &[usize]) {
        if gone.is_empty() {
            return;
        }
        let gone: rustc_hash::FxHashSet<usize> = gone.iter().copied().collect();
        for q in &mut self.queues {
            q.retain(|i| !gone.contains(&i));
        }
    }

    /// How many waits the lanes hold, and slots they keep track of.
    pub fn sizes(&self) -> (usize, usize) {
        (self.queues.iter().map(Queue::len).sum(), self.flying.len())
    }

    /// Most polls of failing bridges in flight at once.
    pub fn failing_cap(&self) -> usize {
        self.failing_cap
    }

    /// Bridge `i`, of this kind, is due at `at`.
    pub fn push(&mut self, at: Instant, i: usize, kind: Kind) {
        self.queues[kind.index()].push(at, i);
    }

    fn total_in_flight(&self) -> usize {
        self.in_flight.iter().sum()
    }

    /// Whether a poll of this kind may start now.
    fn room(&self, kind: Kind) -> bool {
        if self.total_in_flight() >= self.max {
            return false;
        }
        let answering_has_bridges =
            !self.queues[Kind::Answered.index()].is_empty() || self.in_flight[Kind::Answered.index()] > 0;
        let reserve = if answering_has_bridges { self.reserve } else { 0 };
        let others = self.in_flight[Kind::Unknown.index()] + self.in_flight[Kind::Failing.index()];
        match kind {
            Kind::Answered => true,
            Kind::Unknown => others < self.max - reserve,
            Kind::Failing => {
                others < self.max - reserve && self.in_flight[Kind::Failing.index()] < self.failing_cap
            }
        }
    }

    /// The earliest due time of a lane with room, and its kind (on a tie the answering lane,
    /// then unknown, then failing).
    fn earliest(&self) -> Option<(Instant, Kind)> {
        Kind::ALL
            .into_iter()
            .filter(|&k| self.room(k))
            .filter_map(|k| self.queues[k.index()].next_due().map(|at| (at, k)))
            .min_by_key(|&(at, k)| (at, k.index()))
    }

    /// When the next poll can start: the earliest due bridge of a lane with room.
    pub fn next_due(&self) -> Option<Instant> {
        self.earliest().map(|(at, _)| at)
    }

    /// The next bridge to start at `now`: one that has answered and is due first, else the
    /// earliest due in a lane with room: (due, bridge, kind). The caller then calls `started`
    /// (or pushes it back when its engine is not ready to poll).
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, usize, Kind)> {
        let answered = Kind::Answered;
        let kind = match self.queues[answered.index()].next_due() {
            Some(at) if at <= now && self.room(answered) => answered,
            _ => self.earliest().filter(|&(at, _)| at <= now)?.1,
        };
        let (at, i) = self.queues[kind.index()].pop_due(now)?;
        Some((at, i, kind))
    }

    /// `pop_due` for the loop woken at `now`: polls due within `COALESCE` start too.
    pub fn pop_starting(&mut self, now: Instant) -> Option<(Instant, usize, Kind)> {
        self.pop_due(now + COALESCE)
    }

    /// Bridge `i`'s poll, taken from the lane of `kind`, is in flight since `now`. A poll from
    /// the unknown lane is a first poll, which may give its slot up.
    pub fn started(&mut self, i: usize, kind: Kind, now: Instant) {
        let first = kind == Kind::Unknown;
        self.flying[i] = Some(Flight { kind, first });
        self.in_flight[kind.index()] += 1;
        if first {
            self.firsts.push_back((now, i));
        }
    }

    /// Bridge `i`'s poll came back: its slot is free.
    pub fn finished(&mut self, i: usize) {
        if let Some(f) = self.flying[i].take() {
            self.in_flight[f.kind.index()] -= 1;
            if f.first {
                // At most --max-in-flight long, and only while bridges are unknown.
                self.firsts.retain(|&(_, b)| b != i);
            }
        }
    }

    /// When a bridge waits for a slot that a first poll giving its own up would let it have
    /// (None: nobody does): the earliest due of a lane with no room now, but for the failing
    /// lane at its own cap, which gains nothing from it.
    fn waiting_since(&self) -> Option<Instant> {
        Kind::ALL
            .into_iter()
            .filter(|&k| !self.room(k))
            .filter(|&k| k != Kind::Failing || self.in_flight[Kind::Failing.index()] < self.failing_cap)
            .filter_map(|k| self.queues[k.index()].next_due())
            .min()
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
        for q in &mut self.queues {
            q.reschedule(&mut due);
        }
    }

    pub fn in_flight(&self) -> usize {
        self.total_in_flight()
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

    fn start_all(l: &mut Lanes, now: Instant) -> Vec<(usize, Kind)> {
        let mut started = Vec::new();
        while let Some((_, i, kind)) = l.pop_due(now) {
            l.started(i, kind, now);
            started.push((i, kind));
        }
        started
    }

    #[test]
    fn failing_bridges_hold_at_most_a_quarter_of_the_slots() {
        let t0 = Instant::now();
        let mut l = Lanes::new(10, 8);
        assert_eq!(l.failing_cap(), 2);
        for i in 0..6 {
            l.push(t0, i, Kind::Failing);
        }
        l.push(t0 + MS, 6, Kind::Answered);
        let started = start_all(&mut l, t0);
        assert_eq!(started.len(), 2, "two failing ones, then the lane is full");
        assert_eq!(l.next_due(), Some(t0 + MS), "the answering lane still has room");
        let (_, i, kind) = l.pop_due(t0 + MS).unwrap();
        assert_eq!((i, kind), (6, Kind::Answered));
        l.started(i, kind, t0);
        l.finished(started[0].0);
        let (_, i, kind) = l.pop_due(t0 + MS).unwrap();
        assert_eq!(kind, Kind::Failing, "a freed failing slot is taken");
        l.started(i, kind, t0);
        assert_eq!(l.in_flight(), 3);
    }

    #[test]
    fn unknown_bridges_leave_a_slot_to_those_that_answered() {
        let t0 = Instant::now();
        let mut l = Lanes::new(40, 8);
        // Nobody answered yet: first polls may take every slot.
        for i in 0..20 {
            l.push(t0, i, Kind::Unknown);
        }
        assert_eq!(start_all(&mut l, t0).len(), 8, "a first round has every slot");
        for i in 0..8 {
            l.finished(i);
        }
        // Now one has answered and waits for its next poll: 1 of 8 is kept for it.
        l.push(t0 + MS * 50, 30, Kind::Answered);
        let started = start_all(&mut l, t0 + MS);
        assert_eq!(started.len(), 7, "unknown ones stop at 8 - 1: {started:?}");
        assert!(started.iter().all(|&(_, k)| k == Kind::Unknown));
        assert_eq!(
            l.next_due(),
            Some(t0 + MS * 50),
            "the answering bridge's own time"
        );
        assert_eq!(
            l.pop_due(t0 + MS * 50),
            Some((t0 + MS * 50, 30, Kind::Answered)),
            "on time, though 5 unknown ones are overdue"
        );
        // A slot that frees goes to an answered bridge that is due before any overdue one.
        l.started(30, Kind::Answered, t0 + MS * 50);
        l.push(t0 + MS * 60, 31, Kind::Answered);
        l.finished(8);
        assert_eq!(l.pop_due(t0 + MS * 60).map(|(_, i, _)| i), Some(31));
        // Unknown and failing together stay within their share.
        let mut l = Lanes::new(40, 8);
        l.push(t0 + MS * 900, 39, Kind::Answered);
        for i in 0..10 {
            l.push(t0, i, Kind::Failing);
            l.push(t0 + MS, 10 + i, Kind::Unknown);
        }
        let started = start_all(&mut l, t0 + MS);
        let failing = started.iter().filter(|&&(_, k)| k == Kind::Failing).count();
        assert_eq!((started.len(), failing), (7, 2), "{started:?}");
        // With one slot there is nothing to share.
        let mut l = Lanes::new(3, 1);
        l.push(t0 + MS, 0, Kind::Answered);
        l.push(t0, 1, Kind::Unknown);
        assert_eq!(l.pop_due(t0).map(|(_, i, _)| i), Some(1));
    }

    #[test]
    fn a_reschedule_moves_every_waiting_bridge_in_its_lane() {
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(600);
        let mut l = Lanes::new(3, 4);
        l.push(far, 0, Kind::Answered);
        l.push(far, 1, Kind::Failing);
        l.push(far, 2, Kind::Unknown);
        l.reschedule(|i| t0 + MS * i as u32);
        assert_eq!(l.next_due(), Some(t0));
        assert_eq!(l.pop_due(t0 + MS * 2), Some((t0, 0, Kind::Answered)));
        assert_eq!(l.pop_due(t0 + MS * 2), Some((t0 + MS, 1, Kind::Failing)));
        assert_eq!(l.pop_due(t0 + MS * 2), Some((t0 + MS * 2, 2, Kind::Unknown)));
    }

    #[test]
    fn answering_bridges_may_use_every_slot() {
        let t0 = Instant::now();
        let mut l = Lanes::new(8, 4);
        for i in 0..8 {
            l.push(t0, i, Kind::Answered);
        }
        assert_eq!(start_all(&mut l, t0).len(), 4);
        assert_eq!(l.next_due(), None, "no room in any lane");
    }

    #[test]
    fn a_first_poll_gives_its_slot_up_only_when_a_bridge_waits() {
        let t0 = Instant::now();
        let mut l = Lanes::new(4, 2);
        l.push(t0, 0, Kind::Unknown);
        l.push(t0, 1, Kind::Unknown);
        assert_eq!(start_all(&mut l, t0).len(), 2);
        assert_eq!(l.give_up_at(), None, "nobody waits");
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE * 9), None);
        l.push(t0 + MS * 300, 2, Kind::Unknown);
        assert_eq!(l.next_due(), None, "every slot is taken");
        assert_eq!(l.give_up_at(), Some(t0 + FIRST_PATIENCE));
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE - MS), None, "patience first");
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE), Some(0), "the oldest first poll");
        assert_eq!(l.give_up_at(), Some(t0 + FIRST_PATIENCE), "bridge 1's turn");
        l.finished(0);
        assert_eq!(l.give_up_at(), None, "the freed slot is the waiter's");
        let (_, i, k) = l.pop_due(t0 + FIRST_PATIENCE).unwrap();
        l.started(i, k, t0 + FIRST_PATIENCE);
        assert_eq!(
            l.give_up(t0 + FIRST_PATIENCE),
            None,
            "bridge 1's, but nobody waits now"
        );
        l.push(t0, 3, Kind::Answered);
        assert_eq!(l.give_up(t0 + FIRST_PATIENCE), Some(1));
        assert_eq!(
            l.give_up(t0 + FIRST_PATIENCE * 100),
            Some(2),
            "bridge 2's first poll, in time"
        );
        assert_eq!(
            l.give_up(t0 + FIRST_PATIENCE * 100),
            None,
            "a bridge past its first poll keeps its slot to the request timeout"
        );
        // A waiter in the failing lane at its own cap gains nothing from a freed slot.
        let mut l = Lanes::new(3, 1);
        l.push(t0, 0, Kind::Unknown);
        start_all(&mut l, t0);
        l.push(t0, 1, Kind::Failing);
        assert_eq!(
            l.give_up_at(),
            Some(t0 + FIRST_PATIENCE),
            "cap 1, none failing in flight"
        );
        // Unknown bridges held back by the answering lane's reserve wait for the first polls
        // that hold their share, not for the slots kept free.
        let mut l = Lanes::new(10, 4);
        l.push(t0 + FIRST_PATIENCE * 60, 9, Kind::Answered);
        for i in 0..6 {
            l.push(t0, i, Kind::Unknown);
        }
        assert_eq!(start_all(&mut l, t0).len(), 3, "4 - 1 kept");
        assert_eq!(
            l.give_up_at(),
            Some(t0 + FIRST_PATIENCE),
            "three wait, a slot is free"
        );
    }

    /// What a simulated fleet came to: when each bridge first answered, how late the polls of
    /// bridges that had answered started, how many they had.
    struct Run {
        first_answer: Vec<Option<Instant>>,
        /// Lateness of the polls of bridges that had answered before, across the whole run.
        steady: Lateness,
        /// The same, only in the first 12 s (while the first round goes on).
        steady_early: Lateness,
        polls_of_answering: u64,
        t0: Instant,
    }

    /// `n` bridges of which those `hangs` picks accept and never answer (each poll holds its
    /// slot until the 10 s request timeout, unless it is a first poll given up); the others
    /// answer in 1 ms. Polled every second for 5 minutes with `max` slots, on the made-up
    /// clock.
    fn simulate(n: usize, max: usize, hangs: impl Fn(usize) -> bool) -> Run {
        let t0 = Instant::now();
        let interval = Duration::from_secs(1);
        let timeout = Duration::from_secs(10);
        let mut lanes = Lanes::new(n, max);
        for i in 0..n {
            lanes.push(
                crate::fleet::queue::first_poll(t0, i, n, interval),
                i,
                Kind::Unknown,
            );
        }
        // Polls in flight: (when it comes back, bridge, the flight's number); a poll given up
        // comes back at once, and its old entry is stale.
        let mut back: BinaryHeap<Reverse<(Instant, usize, u32)>> = BinaryHeap::new();
        let mut flight = vec![0u32; n];
        let mut run = Run {
            first_answer: vec![None; n],
            steady: Lateness::default(),
            steady_early: Lateness::default(),
            polls_of_answering: 0,
            t0,
        };
        let mut now = t0;
        let end = t0 + Duration::from_secs(300);
        while now < end {
            while let Some(i) = lanes.give_up(now) {
                flight[i] += 1;
                back.push(Reverse((now, i, flight[i])));
            }
            while let Some((due, i, kind)) = lanes.pop_due(now) {
                lanes.started(i, kind, now);
                let answers = !hangs(i);
                if answers {
                    if run.first_answer[i].is_some() {
                        run.steady.record(now - due);
                        if now - t0 < Duration::from_secs(12) {
                            run.steady_early.record(now - due);
                        }
                    }
                    run.polls_of_answering += 1;
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
                let answers = !hangs(i);
                if answers && run.first_answer[i].is_none() {
                    run.first_answer[i] = Some(t);
                }
                let kind = if answers { Kind::Answered } else { Kind::Failing };
                lanes.push(t + interval, i, kind);
            }
        }
        run
    }

    /// 210 bridges, 200 of which hang, `--max-in-flight 16`: the first round is over in about
    /// 200 × 1 s / 12 (4 slots to the failing ones), and from then on the 10 that answer are
    /// polled on time.
    #[test]
    fn hanging_bridges_never_starve_the_ones_that_answer() {
        let run = simulate(210, 16, |i| i < 200);
        let round = run.first_answer[200..]
            .iter()
            .map(|t| t.unwrap() - run.t0)
            .max()
            .unwrap();
        assert!(round <= Duration::from_secs(17), "first round {round:?}");
        assert!(
            run.polls_of_answering >= 10 * 280,
            "each answering bridge about once a second: {}",
            run.polls_of_answering
        );
        assert!(
            run.steady.max() <= Duration::from_millis(100),
            "max {:?}",
            run.steady.max()
        );
    }

    /// The same fleet with the ten healthy bridges among the first to be polled (every 21st):
    /// from its first answer on, a healthy bridge's poll starts within 100 ms of its due time,
    /// while 200 bridges nobody knows yet still wait for their first poll.
    #[test]
    fn a_bridge_that_answered_never_waits_behind_first_polls() {
        let run = simulate(210, 16, |i| i % 21 != 0);
        let healthy: Vec<usize> = (0..210).filter(|i| i % 21 == 0).collect();
        assert!(
            run.steady_early.count() > 0,
            "polls of healthy bridges during the first round"
        );
        assert!(
            run.steady_early.max() <= Duration::from_millis(100),
            "during the first round: max {:?} over {} polls",
            run.steady_early.max(),
            run.steady_early.count()
        );
        assert!(
            run.steady.max() <= Duration::from_millis(100),
            "max {:?}",
            run.steady.max()
        );
        let first = healthy
            .iter()
            .map(|&i| run.first_answer[i].unwrap() - run.t0)
            .max()
            .unwrap();
        // Nobody knows them before they answer: the last is first polled late in the round.
        assert!(
            first <= Duration::from_secs(20),
            "each answered in the first round: {first:?}"
        );
        assert!(run.polls_of_answering >= 10 * 280, "{}", run.polls_of_answering);
    }
}
