//! The pure policy of watching bridges side by side: `queue` (when each is due, how the first
//! polls are spread, how late polls start), `lanes` (who gets an in-flight slot, so failing
//! bridges never starve answering ones) and `roster` (what the bridges have come to together:
//! who stopped and why, when `--until` holds for all), `members` (what a reload keeps, adds and
//! removes) and `slab` (the slots the members live in, reused once freed). `watch` is the I/O
//! that runs them, for one bridge as for ten thousand.

pub mod lanes;
pub mod members;
pub mod queue;
pub mod roster;
pub mod slab;
