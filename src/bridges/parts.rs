//! Parsing a big bridges file a part at a time, so the parser's tokens and tables for the
//! whole file never exist at once.

use super::{File, Table};

/// Bridges parsed together: a file of 100,000 is parsed a part at a time, so the parser's
/// tokens and tables for the whole file never exist at once (207 MB for 100,000 bridges).
pub(super) const PART: usize = 1024;

/// Where a bridges file may be cut into parts that parse alone: before every `PART`th
/// `[[bridge]]` header line. A cut inside a multi-line string leaves a part that fails to
/// parse, and the whole file is then parsed at once, so the answer is TOML's either way.
pub(super) fn parts(text: &str) -> Vec<(std::ops::Range<usize>, usize)> {
    let mut cuts = vec![0];
    let (mut headers, mut at) = (0, 0);
    for line in text.split_inclusive('\n') {
        let header = line
            .trim_start()
            .strip_prefix("[[")
            .and_then(|rest| rest.split_once("]]"))
            .is_some_and(|(name, _)| name.trim() == "bridge");
        if header {
            if headers > 0 && headers % PART == 0 {
                cuts.push(at);
            }
            headers += 1;
        }
        at += line.len();
    }
    cuts.push(text.len());
    // Each part holds PART headers, the last what is left.
    let last = headers - PART * (cuts.len() - 2);
    cuts.windows(2)
        .enumerate()
        .map(|(n, w)| (w[0]..w[1], if n + 2 == cuts.len() { last } else { PART }))
        .collect()
}

/// A table, and where in the file the part it was parsed from begins.
pub(super) type Placed = (usize, Table);

/// The tables of a file parsed part by part, each with where its part begins; None when the
/// parts do not add up to the file (a part fails alone, `[defaults]` twice, bridges that are
/// not one per header): the caller then parses the whole file at once.
pub(super) fn parse_parts(text: &str) -> Option<(Option<toml::Spanned<String>>, Placed, Vec<Placed>)> {
    let parts = parts(text);
    if parts.len() < 2 {
        return None;
    }
    let mut defaults: Option<Placed> = None;
    let mut default = None;
    let mut bridges = Vec::new();
    for (range, headers) in parts {
        let file: File = toml::from_str(&text[range.clone()]).ok()?;
        // Only the first part can hold `default` (it comes before any table), whose span then
        // counts from the file's start.
        if file.default.is_some() {
            if range.start != 0 {
                return None;
            }
            default = file.default;
        }
        if file.bridge.len() != headers {
            return None;
        }
        if file.defaults.is_set() {
            if defaults.is_some() {
                return None;
            }
            defaults = Some((range.start, file.defaults));
        }
        bridges.extend(file.bridge.into_iter().map(|t| (range.start, t)));
    }
    Some((default, defaults.unwrap_or_default(), bridges))
}
