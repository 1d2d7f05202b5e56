//! Change detection: what about a status answer matters. A hash over the status, the current
//! command, the version and the *set* of commands, never the timestamp (the real bridge's
//! changes on every answer). The client uses it to hand back the cached value for an answer
//! that changed nothing; the engine uses it to decide whether to diff at all.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use crate::model::{KiroState, KiroStatus};

/// The fingerprint of an owned status.
pub fn status_hash(s: &KiroStatus) -> u64 {
    fingerprint(
        s.status,
        s.current_command.as_deref(),
        s.version.as_deref(),
        s.available_commands.iter().map(String::as_str),
    )
}

/// The fingerprint over borrowed parts, so a body can be fingerprinted before it is copied.
/// The commands are hashed one by one and summed: their order does not matter and nothing is
/// allocated. FxHash: fast, and a collision only lets a bridge hide its own change from us.
pub fn fingerprint<'a>(
    status: KiroState,
    current_command: Option<&str>,
    version: Option<&str>,
    commands: impl Iterator<Item = &'a str>,
) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    status.hash(&mut h);
    current_command.hash(&mut h);
    version.hash(&mut h);
    let commands = commands.fold(0u64, |acc, c| {
        let mut one = rustc_hash::FxHasher::default();
        c.hash(&mut one);
        acc.wrapping_add(one.finish())
    });
    commands.hash(&mut h);
    h.finish()
}

/// Commands added and removed between two lists, each sorted; None when the sets are equal.
pub fn commands_diff(old: &[String], new: &[String]) -> Option<(Vec<String>, Vec<String>, usize)> {
    let old: BTreeSet<&String> = old.iter().collect();
    let new: BTreeSet<&String> = new.iter().collect();
    if old == new {
        return None;
    }
    let added = new.difference(&old).map(|s| (*s).clone()).collect();
    let removed = old.difference(&new).map(|s| (*s).clone()).collect();
    Some((added, removed, new.len()))
}

/// A command list sorted and without duplicates.
pub fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(cmds: &[&str], ts: &str) -> KiroStatus {
        KiroStatus {
            status: KiroState::Ready,
            current_command: None,
            version: Some("1.94.0".into()),
            available_commands: cmds.iter().map(|s| s.to_string()).collect(),
            timestamp: Some(ts.into()),
        }
    }

    #[test]
    fn the_timestamp_and_the_order_are_not_changes() {
        let a = st(&["a", "b"], "2025-01-19T10:30:00Z");
        let b = st(&["b", "a"], "2025-01-19T10:31:00Z");
        assert_eq!(status_hash(&a), status_hash(&b));
        let c = st(&["a", "c"], "2025-01-19T10:30:00Z");
        assert_ne!(status_hash(&a), status_hash(&c));
        let mut d = a.clone();
        d.status = KiroState::Busy;
        assert_ne!(status_hash(&a), status_hash(&d));
    }

    #[test]
    fn command_sets_are_diffed() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(commands_diff(&s(&["a", "b"]), &s(&["b", "a"])), None);
        assert_eq!(
            commands_diff(&s(&["a", "b"]), &s(&["a", "c"])),
            Some((s(&["c"]), s(&["b"]), 2))
        );
        assert_eq!(sorted(&s(&["b", "a", "b"])), s(&["a", "b"]));
    }
}
