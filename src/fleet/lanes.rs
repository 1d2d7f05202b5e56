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

    /// When a poll may start after the ones due by `t` have: the first due later than `t` in a
    /// lane with room now. Where the loop registers its timer ahead (watch/timer.rs).
    pub fn due_after(&self, t: Instant) -> Option<Instant> {
        Kind::ALL
            .into_iter()
            .filter(|&k| self.room(k))
            .filter_map(|k| self.queues[k.index()].first_after(t))
            .min()
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

    /// `pop_due` for the loop woken at `now` for a poll due at `woken_for`: polls due within
    /// `COALESCE` of it start too. Counted from the due time, not from when the runtime woke,
    /// so the loop knows beforehand which polls start together, and when the next wake is
    /// (`due_after`); a loop that woke later than that counts from `now`.
    pub fn pop_starting(&mut self, woken_for: Instant, now: Instant) -> Option<(Instant, usize, Kind)> {
        let upto = match now <= woken_for + COALESCE {
            true => woken_for + COALESCE,
            false => now + COALESCE,
        };
        self.pop_due(upto)
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
mod tests;
