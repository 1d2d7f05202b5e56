//! What the fleet knows of its bridges beyond each engine, pure: which are no longer polled
//! and why, when each last changed, and when the whole fleet is done (`--until` holds for every
//! bridge at once, or every bridge stopped). Counts are kept as they change, so judging the
//! fleet after a poll costs the same for 3 bridges as for 10,000.

use std::time::Instant;

use crate::engine::{End, Goal, Reaction};
use crate::model::KiroStatus;

/// Why a bridge is no longer polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Its `--count` polls are done.
    Count,
    /// Its API key was rejected.
    Auth,
}

impl Stopped {
    /// The end its summary reports.
    pub fn end(self) -> End {
        match self {
            Stopped::Count => End::Count,
            Stopped::Auth => End::Fatal,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    stopped: Option<Stopped>,
    last_change: Option<Instant>,
    met: bool,
    /// Removed by a reload: counts for nothing.
    gone: bool,
}

#[derive(Debug)]
pub struct Roster {
    until: Vec<Goal>,
    seen: Vec<Seen>,
    /// Bridges not gone.
    live: usize,
    met: usize,
    stopped: usize,
    /// Of `stopped`, those whose key was rejected.
    rejected: usize,
    /// A reload may bring bridges or fix keys, and nothing else ends the watch (a bridges file,
    /// no `--count`, no `--until`): every bridge rejected is a wait for it, not an end.
    waits_for_reload: bool,
}

impl Roster {
    pub fn new(bridges: usize, until: Vec<Goal>) -> Roster {
        Roster {
            until,
            seen: vec![Seen::default(); bridges],
            live: bridges,
            met: 0,
            stopped: 0,
            rejected: 0,
            waits_for_reload: false,
        }
    }

    /// Whether a reload may still change what this watch comes to (see `waits_for_reload`).
    pub fn waiting_for_reloads(mut self, waits: bool) -> Roster {
        self.waits_for_reload = waits;
        self
    }

    /// Every bridge watched has had its key rejected (and there is at least one).
    pub fn all_rejected(&self) -> bool {
        self.live > 0 && self.rejected == self.live
    }

    /// A bridge a reload added, in slot `i` (a new one, or one a removed bridge left).
    pub fn add_at(&mut self, i: usize) {
        if i >= self.seen.len() {
            self.seen.resize(
                i + 1,
                Seen {
                    gone: true,
                    ..Seen::default()
                },
            );
        }
        debug_assert!(self.seen[i].gone, "slot {i} is free");
        self.seen[i] = Seen::default();
        self.live += 1;
    }

    /// How many slots it keeps (live or gone).
    pub fn slots(&self) -> usize {
        self.seen.len()
    }

    /// A bridge a reload removed: the rest are judged without it.
    pub fn remove(&mut self, i: usize) {
        let seen = &mut self.seen[i];
        if seen.gone {
            return;
        }
        seen.gone = true;
        self.live -= 1;
        self.met -= usize::from(seen.met);
        self.stopped -= usize::from(seen.stopped.is_some());
        self.rejected -= usize::from(seen.stopped == Some(Stopped::Auth));
    }

    /// How many bridges are watched (not removed by a reload).
    pub fn live(&self) -> usize {
        self.live
    }

    /// With nothing to poll, how a watch that is to end ends at once: `--until` holds for
    /// every bridge (there is none), and so does `--count`. None: it waits for a reload.
    pub fn empty_end(&self, count: bool) -> Option<End> {
        if self.live > 0 {
            return None;
        }
        match (self.until.first(), count) {
            (Some(u), _) => Some(End::Until(u.clone())),
            (None, true) => Some(End::Count),
            (None, false) => None,
        }
    }

    /// Whether a reload removed bridge `i`.
    pub fn gone(&self, i: usize) -> bool {
        self.seen[i].gone
    }

    pub fn until(&self) -> &[Goal] {
        &self.until
    }

    pub fn stopped(&self, i: usize) -> Option<Stopped> {
        self.seen[i].stopped
    }

    pub fn last_change(&self, i: usize) -> Option<Instant> {
        self.seen[i].last_change
    }

    pub fn met(&self, i: usize) -> bool {
        self.seen[i].met
    }

    /// Bridge `i`'s engine took in a poll and reacted; `status` is what that poll was answered
    /// with (None when it failed). Returns how the fleet ends, when it does.
    pub fn after(
        &mut self,
        i: usize,
        status: Option<&KiroStatus>,
        reaction: &Reaction,
        now: Instant,
    ) -> Option<End> {
        let seen = &mut self.seen[i];
        if seen.gone {
            return None;
        }
        if reaction.events.iter().any(|e| e.kind.is_change()) {
            seen.last_change = Some(now);
        }
        if let (Some(end), None) = (&reaction.end, seen.stopped) {
            seen.stopped = Some(if *end == End::Fatal {
                Stopped::Auth
            } else {
                Stopped::Count
            });
            self.stopped += 1;
            self.rejected += usize::from(*end == End::Fatal);
        }
        let changed = seen.last_change.is_some();
        // A bridge no longer polled because its key was rejected is never there.
        let rejected = seen.stopped == Some(Stopped::Auth);
        // Only a bridge that answered is anywhere (`change` too: a change, then an answer).
        // The goal this bridge reached, of those given (`--until unavailable,ready`): the one
        // the ending names.
        let reached = match rejected || status.is_none() {
            true => None,
            false => self.until.iter().position(|u| u.holds(status, changed)),
        };
        let met = reached.is_some();
        if met != seen.met {
            seen.met = met;
            if met {
                self.met += 1;
            } else {
                self.met -= 1;
            }
        }
        let n = self.live;
        match self.until.first() {
            // `--until` can no longer hold for every bridge: end now, as one bridge does.
            Some(_) if rejected => Some(End::Fatal),
            Some(_) if self.met == n => Some(End::Until(self.until[reached.unwrap_or(0)].clone())),
            // Every key rejected: a reload may fix them (and the watch says it waits), else
            // the end says why: never "count reached" without a --count.
            _ if self.stopped == n && self.rejected == n => (!self.waits_for_reload).then_some(End::Fatal),
            _ if self.stopped == n => Some(End::Count),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, EventKind};
    use crate::model::KiroState;
    use std::time::{Duration, SystemTime};
    use KiroState::*;

    fn st(state: KiroState) -> KiroStatus {
        KiroStatus {
            status: state,
            current_command: None,
            version: None,
            available_commands: vec!["kiro.a".into()],
            timestamp: None,
        }
    }

    fn quiet() -> Reaction {
        Reaction::default()
    }

    fn changed() -> Reaction {
        Reaction {
            events: vec![Event {
                at: SystemTime::UNIX_EPOCH,
                kind: EventKind::StatusChanged {
                    from: Ready,
                    to: Busy,
                },
            }],
            end: None,
        }
    }

    fn ended(end: End) -> Reaction {
        Reaction {
            events: Vec::new(),
            end: Some(end),
        }
    }

    #[test]
    fn until_holds_only_when_every_bridge_is_there_at_once() {
        let t0 = Instant::now();
        let mut r = Roster::new(3, vec![Goal::Ready]);
        assert_eq!(r.after(0, Some(&st(Ready)), &quiet(), t0), None);
        assert_eq!(r.after(1, Some(&st(Ready)), &quiet(), t0), None);
        assert_eq!(
            r.after(0, Some(&st(Busy)), &quiet(), t0),
            None,
            "bridge 0 left the state"
        );
        assert_eq!(r.after(2, Some(&st(Ready)), &quiet(), t0), None);
        assert!(!r.met(0) && r.met(1) && r.met(2));
        assert_eq!(
            r.after(0, None, &quiet(), t0),
            None,
            "an unreachable bridge is waited for"
        );
        assert_eq!(
            r.after(0, Some(&st(Ready)), &quiet(), t0),
            Some(End::Until(Goal::Ready))
        );
    }

    /// Of several goals, the ending names the one reached, not the first given.
    #[test]
    fn the_ending_names_the_goal_reached() {
        let t0 = Instant::now();
        let mut r = Roster::new(1, vec![Goal::Unavailable, Goal::Ready]);
        assert_eq!(
            r.after(0, Some(&st(Ready)), &quiet(), t0),
            Some(End::Until(Goal::Ready))
        );
        let mut r = Roster::new(2, vec![Goal::Busy, Goal::Unavailable]);
        assert_eq!(r.after(0, Some(&st(Busy)), &quiet(), t0), None);
        assert_eq!(
            r.after(1, Some(&st(Unavailable)), &quiet(), t0),
            Some(End::Until(Goal::Unavailable))
        );
    }

    /// Every key rejected: the end says so (never "count reached"), or, where a reload may fix
    /// them, it is a wait.
    #[test]
    fn every_key_rejected_is_its_own_end_or_a_wait_for_a_reload() {
        let t0 = Instant::now();
        let rejected = Reaction {
            end: Some(End::Fatal),
            ..quiet()
        };
        let mut r = Roster::new(2, Vec::new());
        assert_eq!(r.after(0, None, &rejected, t0), None);
        assert_eq!(r.after(1, None, &rejected, t0), Some(End::Fatal));
        let mut r = Roster::new(1, Vec::new()).waiting_for_reloads(true);
        assert_eq!(r.after(0, None, &rejected, t0), None, "a reload may fix the key");
        assert!(r.all_rejected());
        r.remove(0);
        r.add_at(0);
        assert!(!r.all_rejected(), "a reload replaced it");
    }

    /// One bridge is a roster of one: the rules a single watch always had.
    #[test]
    fn one_bridge_ends_where_it_gets_there() {
        let t0 = Instant::now();
        let mut r = Roster::new(1, vec![Goal::Ready]);
        assert_eq!(r.after(0, None, &quiet(), t0), None, "unreachable is waited for");
        assert_eq!(r.after(0, Some(&st(Unavailable)), &quiet(), t0), None);
        assert_eq!(
            r.after(0, Some(&st(Ready)), &quiet(), t0),
            Some(End::Until(Goal::Ready))
        );
        let mut r = Roster::new(1, vec![Goal::Change]);
        assert_eq!(
            r.after(0, Some(&st(Ready)), &quiet(), t0),
            None,
            "the snapshot is no change"
        );
        assert_eq!(
            r.after(0, None, &changed(), t0),
            None,
            "a change seen only while down"
        );
        assert_eq!(
            r.after(0, Some(&st(Busy)), &changed(), t0),
            Some(End::Until(Goal::Change))
        );
        let mut r = Roster::new(1, Vec::new());
        assert_eq!(
            r.after(0, Some(&st(Ready)), &ended(End::Count), t0),
            Some(End::Count)
        );
        let mut r = Roster::new(1, Vec::new());
        assert_eq!(r.after(0, None, &ended(End::Fatal), t0), Some(End::Fatal));
        assert_eq!(
            r.stopped(0),
            Some(Stopped::Auth),
            "the ending says it was the key"
        );
    }

    #[test]
    fn until_change_needs_a_change_of_every_bridge() {
        let t0 = Instant::now();
        let mut r = Roster::new(2, vec![Goal::Busy, Goal::Change]);
        assert_eq!(r.after(0, Some(&st(Ready)), &changed(), t0), None);
        assert_eq!(r.last_change(0), Some(t0));
        assert_eq!(r.after(1, Some(&st(Ready)), &quiet(), t0), None);
        let later = t0 + Duration::from_secs(1);
        assert_eq!(
            r.after(1, Some(&st(Busy)), &changed(), later),
            Some(End::Until(Goal::Busy))
        );
        assert_eq!(r.last_change(1), Some(later));
    }

    #[test]
    fn a_rejected_key_ends_an_until_at_once_and_is_never_met() {
        let t0 = Instant::now();
        let mut r = Roster::new(2, vec![Goal::Ready]);
        assert_eq!(r.after(0, Some(&st(Ready)), &quiet(), t0), None);
        assert!(r.met(0));
        assert_eq!(r.after(0, None, &ended(End::Fatal), t0), Some(End::Fatal));
        assert!(
            !r.met(0),
            "a bridge that was ready and is then rejected is not met"
        );
        // Without --until a rejected bridge only stops itself.
        let mut r = Roster::new(2, Vec::new());
        assert_eq!(r.after(0, None, &ended(End::Fatal), t0), None);
    }

    #[test]
    fn a_reload_changes_who_must_be_there() {
        let t0 = Instant::now();
        let mut r = Roster::new(2, vec![Goal::Ready]);
        assert_eq!(r.after(0, Some(&st(Ready)), &quiet(), t0), None);
        r.add_at(2);
        assert_eq!(r.slots(), 3);
        assert_eq!(
            r.after(1, Some(&st(Ready)), &quiet(), t0),
            None,
            "the added one is waited for"
        );
        r.remove(2);
        r.remove(2);
        assert!(r.gone(2));
        assert_eq!(
            r.after(2, Some(&st(Ready)), &quiet(), t0),
            None,
            "a removed one counts for nothing"
        );
        r.remove(1);
        assert_eq!(
            r.after(0, Some(&st(Ready)), &quiet(), t0),
            Some(End::Until(Goal::Ready))
        );
        // A slot a removed bridge left is the next one's, judged afresh.
        r.add_at(1);
        assert!(!r.gone(1) && !r.met(1) && r.stopped(1).is_none());
        assert_eq!(r.slots(), 3);
        assert_eq!(r.live(), 2);
    }

    #[test]
    fn the_fleet_ends_when_every_bridge_stopped() {
        let t0 = Instant::now();
        let mut r = Roster::new(2, Vec::new());
        assert_eq!(r.after(0, Some(&st(Ready)), &ended(End::Count), t0), None);
        assert_eq!(
            r.after(0, Some(&st(Ready)), &ended(End::Count), t0),
            None,
            "counted once"
        );
        assert_eq!(r.stopped(0), Some(Stopped::Count));
        assert_eq!(r.after(1, None, &ended(End::Fatal), t0), Some(End::Count));
        assert_eq!(r.stopped(1), Some(Stopped::Auth));
        assert_eq!(Stopped::Auth.end(), End::Fatal);
    }

    #[test]
    fn with_nothing_to_poll_until_and_count_hold_at_once() {
        let mut r = Roster::new(1, vec![Goal::Ready]);
        assert_eq!(r.empty_end(true), None, "one bridge to poll");
        r.remove(0);
        assert_eq!(r.empty_end(false), Some(End::Until(Goal::Ready)));
        let mut r = Roster::new(0, Vec::new());
        assert_eq!(r.empty_end(true), Some(End::Count));
        assert_eq!(r.empty_end(false), None, "a service waits for a reload");
        r.add_at(0);
        assert_eq!(r.empty_end(true), None);
    }
}
