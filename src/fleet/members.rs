//! What a reload of the bridges file does to the watched set, pure: a bridge of the new file
//! with the name and the settings (URL, key, labels) of one watched now is kept (its engine,
//! ETag, counters and series go on); every other bridge of the new file is added; every watched
//! bridge not kept is removed. A bridge whose URL, key or labels changed under the same name is
//! removed and added: it starts again with a first poll (a key that was rejected, then fixed,
//! is polled again), and its series start again under its new labels.

use rustc_hash::FxHashMap;

/// The outcome of comparing the watched bridges with a new file's.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// (slot of the watched bridge, index in the new file).
    pub kept: Vec<(usize, usize)>,
    /// Indexes in the new file.
    pub added: Vec<usize>,
    /// Slots of watched bridges.
    pub removed: Vec<usize>,
}

/// `watched`: (slot, name, settings) of every bridge watched now; `new`: (name, settings) of
/// the new file's bridges, in its order. Settings are whatever must be equal for a bridge to
/// be kept (the watch gives URL, key and labels).
pub fn diff<'a, S: PartialEq>(
    watched: impl IntoIterator<Item = (usize, &'a str, S)>,
    new: impl IntoIterator<Item = (&'a str, S)>,
) -> Diff {
    let mut by_name: FxHashMap<&str, (usize, S)> = watched
        .into_iter()
        .map(|(slot, name, url)| (name, (slot, url)))
        .collect();
    let mut d = Diff::default();
    for (i, (name, url)) in new.into_iter().enumerate() {
        match by_name.get(name) {
            Some((slot, old)) if *old == url => {
                let slot = *slot;
                by_name.remove(name);
                d.kept.push((slot, i));
            }
            _ => d.added.push(i),
        }
    }
    d.removed = by_name.into_values().map(|(slot, _)| slot).collect();
    d.removed.sort_unstable();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_added_removed_and_a_moved_url_is_another_bridge() {
        let watched = [(0, "a", "http://a"), (1, "b", "http://b"), (3, "c", "http://c")];
        let new = [("c", "http://c"), ("b", "http://b2"), ("d", "http://d")];
        let d = diff(watched, new);
        assert_eq!(d.kept, vec![(3, 0)]);
        assert_eq!(d.added, vec![1, 2], "b under a new URL, and d");
        assert_eq!(d.removed, vec![0, 1]);
        assert_eq!(diff([], [("x", "u")]).added, vec![0]);
        assert_eq!(diff([(5, "x", "u")], []).removed, vec![5]);
    }
}
