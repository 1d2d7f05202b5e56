//! The watch loop's timer: two tokio sleeps taking turns, so that a single bridge's steady
//! polling never registers a timer earlier than every other one.
//!
//! Tokio's timer wakes the runtime through its eventfd (a `write`, and an `epoll_wait` to
//! read it back) whenever a timer is registered earlier than the earliest one the runtime
//! parked for, even when the runtime is the thread doing it. A poll's own timer, set again once
//! it fired, is such a timer. So the poll after next is registered ahead, on the sleep not
//! waited on, while the current one still stands earlier; when its time comes to be waited
//! for, the loop takes that sleep as it is, and an answer that moves it later moves it in
//! place (tokio only extends a registered timer).

use std::pin::Pin;

use tokio::time::{Instant, Sleep};

pub struct Timer {
    sleeps: [Pin<Box<Sleep>>; 2],
    /// Where each sleep is set; None once the waited one fired.
    at: [Option<Instant>; 2],
    /// The sleep waited on.
    main: usize,
}

impl Timer {
    pub fn new(far: Instant) -> Timer {
        Timer {
            sleeps: [
                Box::pin(tokio::time::sleep_until(far)),
                Box::pin(tokio::time::sleep_until(far)),
            ],
            at: [Some(far), None],
            main: 0,
        }
    }

    /// Wait for `wake` from now on: the sleep already set there, or the waited one moved.
    pub fn set(&mut self, wake: Instant) {
        if self.at[self.main] == Some(wake) {
            return;
        }
        let other = 1 - self.main;
        if self.at[other] == Some(wake) {
            self.main = other;
            return;
        }
        self.sleeps[self.main].as_mut().reset(wake);
        self.at[self.main] = Some(wake);
    }

    /// Register `at` on the sleep not waited on, for a later `set` to take as it is.
    pub fn ahead(&mut self, at: Instant) {
        let other = 1 - self.main;
        if self.at[other] != Some(at) {
            self.sleeps[other].as_mut().reset(at);
            self.at[other] = Some(at);
        }
    }

    /// The sleep waited on fired: the next `set` sets one again.
    pub fn fired(&mut self) {
        self.at[self.main] = None;
    }

    /// The sleep to wait on.
    pub fn waited(&mut self) -> Pin<&mut Sleep> {
        self.sleeps[self.main].as_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The steady rhythm of one bridge: the poll after next registered ahead is taken as it
    /// is when its turn comes (no sleep reset), an answer moves it later in place, and the
    /// sleep waited on fires at the time set last.
    #[tokio::test(start_paused = true)]
    async fn the_sleep_registered_ahead_is_taken_as_it_is() {
        let t0 = Instant::now();
        let far = t0 + Duration::from_secs(3600);
        let mut timer = Timer::new(far);
        let due = t0 + Duration::from_millis(100);
        timer.set(due);
        assert_eq!((timer.main, timer.at), (0, [Some(due), None]));
        let next = due + Duration::from_millis(100);
        timer.ahead(next);
        assert_eq!(timer.at, [Some(due), Some(next)]);
        timer.waited().await;
        assert_eq!(Instant::now(), due);
        timer.fired();
        // The poll is in flight: the loop waits for the next one, where the other sleep is.
        timer.set(next);
        assert_eq!((timer.main, timer.at), (1, [None, Some(next)]));
        // Its answer came 5 ms later: the next poll moves 5 ms, on the same sleep.
        let answered = next + Duration::from_millis(5);
        timer.set(answered);
        assert_eq!((timer.main, timer.at), (1, [None, Some(answered)]));
        timer.waited().await;
        assert_eq!(Instant::now(), answered);
    }

    /// A wake earlier than both sleeps (a heartbeat, a deadline) moves the one waited on.
    #[tokio::test(start_paused = true)]
    async fn an_earlier_wake_moves_the_sleep_waited_on() {
        let t0 = Instant::now();
        let mut timer = Timer::new(t0 + Duration::from_secs(60));
        timer.ahead(t0 + Duration::from_secs(30));
        let soon = t0 + Duration::from_secs(1);
        timer.set(soon);
        assert_eq!(timer.main, 0);
        timer.waited().await;
        assert_eq!(Instant::now(), soon);
    }
}
