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

#[test]
fn the_polls_a_wake_starts_and_the_wake_after_are_known_beforehand() {
    let t0 = Instant::now();
    let mut l = Lanes::new(4, 8);
    for (i, ms) in [(0, 0), (1, 4), (2, 6), (3, 20)] {
        l.push(t0 + ms * MS, i, Kind::Answered);
    }
    // Woken for t0, a little late: the polls within COALESCE of t0 start, counted from t0.
    assert_eq!(l.due_after(t0 + COALESCE), Some(t0 + 6 * MS));
    let woke = t0 + 2 * MS;
    let mut started = Vec::new();
    while let Some((_, i, _)) = l.pop_starting(t0, woke) {
        started.push(i);
    }
    assert_eq!(
        started,
        [0, 1],
        "bridge 2 is due 6 ms after the wake's due: not yet"
    );
    assert_eq!(
        l.next_due(),
        Some(t0 + 6 * MS),
        "the wake after is the one foreseen"
    );
    // A loop that woke later than the window counts from when it woke.
    let late = t0 + 18 * MS;
    assert_eq!(l.pop_starting(t0 + 6 * MS, late).map(|e| e.1), Some(2));
    assert_eq!(l.pop_starting(t0 + 6 * MS, late).map(|e| e.1), Some(3));
}
