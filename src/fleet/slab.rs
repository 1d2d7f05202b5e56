//! Where a watch keeps its members, pure: one record per bridge in a slot that is reused once
//! the bridge is gone, so a fleet that reloads for a month holds no more slots than it ever had
//! bridges at once. A slot whose bridge a reload removed while its poll was in flight stays
//! taken (draining) until that poll comes back, so an answer can never be taken for the
//! bridge that gets the slot next.

/// One slot.
#[derive(Debug)]
enum Slot<T> {
    Live(T),
    /// Its member is gone, but a poll of it is still in flight.
    Draining,
    Free,
}

#[derive(Debug)]
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    /// Free slots, the lowest last (taken first), so members stay near the front.
    free: Vec<usize>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

impl<T> FromIterator<T> for Slab<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let slots: Vec<Slot<T>> = iter.into_iter().map(Slot::Live).collect();
        Slab {
            live: slots.len(),
            slots,
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Put a member in the lowest free slot (or a new one); returns the slot.
    pub fn insert(&mut self, member: T) -> usize {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i] = Slot::Live(member);
                i
            }
            None => {
                self.slots.push(Slot::Live(member));
                self.slots.len() - 1
            }
        }
    }

    /// Take the member out of slot `i`. `draining`: a poll of it is still in flight, so the
    /// slot stays taken until `release`.
    pub fn remove(&mut self, i: usize, draining: bool) -> Option<T> {
        let slot = self.slots.get_mut(i)?;
        if !matches!(slot, Slot::Live(_)) {
            return None;
        }
        let next = if draining { Slot::Draining } else { Slot::Free };
        let Slot::Live(member) = std::mem::replace(slot, next) else {
            return None;
        };
        self.live -= 1;
        if !draining {
            self.free_slot(i);
        }
        Some(member)
    }

    /// The poll in flight of a draining slot came back: the slot is free. Nothing for a slot
    /// that is live or free.
    pub fn release(&mut self, i: usize) {
        if let Some(slot @ Slot::Draining) = self.slots.get_mut(i) {
            *slot = Slot::Free;
            self.free_slot(i);
        }
    }

    fn free_slot(&mut self, i: usize) {
        // Kept sorted high to low: the lowest is popped first.
        let at = self.free.partition_point(|&f| f > i);
        self.free.insert(at, i);
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        match self.slots.get(i) {
            Some(Slot::Live(m)) => Some(m),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        match self.slots.get_mut(i) {
            Some(Slot::Live(m)) => Some(m),
            _ => None,
        }
    }

    /// The live members and their slots, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| match s {
            Slot::Live(m) => Some((i, m)),
            _ => None,
        })
    }

    /// The live members, mutably, in slot order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut T)> + '_ {
        self.slots.iter_mut().enumerate().filter_map(|(i, s)| match s {
            Slot::Live(m) => Some((i, m)),
            _ => None,
        })
    }

    /// How many members are live.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many slots there are, live, draining or free: the most members ever held at once
    /// (with those draining).
    pub fn slots(&self) -> usize {
        self.slots.len()
    }
}

/// The member in slot `i`, for a slot known to be live (taken from `iter`). A slot that is not
/// is a bug of the caller's.
impl<T> std::ops::Index<usize> for Slab<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        self.get(i).unwrap_or_else(|| panic!("slot {i} holds no member"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_members_slot_is_reused_lowest_first() {
        let mut s: Slab<&str> = ["a", "b", "c", "d"].into_iter().collect();
        assert_eq!(s.remove(2, false), Some("c"));
        assert_eq!(s.remove(0, false), Some("a"));
        assert_eq!(s.remove(0, false), None, "already gone");
        assert_eq!((s.len(), s.slots()), (2, 4));
        assert_eq!(
            s.iter().map(|(i, m)| (i, *m)).collect::<Vec<_>>(),
            [(1, "b"), (3, "d")]
        );
        assert_eq!(s.insert("e"), 0);
        assert_eq!(s.insert("f"), 2);
        assert_eq!(s.insert("g"), 4, "no free slot: a new one");
        assert_eq!(s.get(2), Some(&"f"));
        *s.get_mut(2).unwrap() = "F";
        assert_eq!(s.iter().map(|(_, m)| *m).collect::<String>(), "ebFdg");
    }

    #[test]
    fn a_draining_slot_is_not_reused_until_its_poll_comes_back() {
        let mut s: Slab<u32> = [10, 11].into_iter().collect();
        assert_eq!(s.remove(0, true), Some(10));
        assert_eq!(s.get(0), None, "the member is gone at once");
        assert_eq!(s.len(), 1);
        assert_eq!(s.insert(12), 2, "slot 0 still drains");
        s.release(0);
        s.release(1);
        assert_eq!(s.get(1), Some(&11), "releasing a live slot does nothing");
        assert_eq!(s.insert(13), 0);
    }

    /// 10,000 reloads that each swap every member for new ones, about a tenth of them with a
    /// poll in flight: the slots never outgrow the members held at once and those draining.
    #[test]
    fn ten_thousand_reloads_hold_no_more_slots_than_members_at_once() {
        let mut s: Slab<u64> = (0..100).collect();
        let mut next = 100;
        let mut most_draining = 0;
        for round in 0..10_000u64 {
            let old: Vec<usize> = s.iter().map(|(i, _)| i).collect();
            let draining: Vec<usize> = old
                .iter()
                .copied()
                .filter(|i| (i + round as usize).is_multiple_of(10))
                .collect();
            most_draining = most_draining.max(draining.len());
            for &i in &old {
                s.remove(i, draining.contains(&i)).unwrap();
            }
            for _ in 0..100 {
                s.insert(next);
                next += 1;
            }
            for i in draining {
                s.release(i);
            }
            assert_eq!(s.len(), 100);
        }
        assert!(
            s.slots() <= 100 + most_draining,
            "{} slots for 100 members and at most {most_draining} draining",
            s.slots()
        );
    }
}
