//! Units people read and write: human durations (`500ms`, `1m58s`), byte sizes, counted nouns
//! ("1 poll", "2 polls"), and RFC 3339 stamps. The bottom floor: imports nothing of ours, so
//! the command line, the scenario files, the engine and the output all share one parser and
//! one way of saying things.

use std::time::{Duration, SystemTime};

/// The longest duration a user may give: far enough for any wait, near enough that adding it
/// to a clock reading can never overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(3_155_760_000); // 100 × 365.25 days

/// A human duration: `500ms`, `10s`, `5m`, `1h30m`, or bare seconds (`7`). At most 100 years.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = match s.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            humantime::parse_duration(s).map_err(|e| format!("not a duration ({e}); try 500ms, 10s or 5m"))?
        }
    };
    if d > MAX_DURATION {
        return Err("too long: at most 100 years".into());
    }
    Ok(d)
}

/// A polling interval: a duration of at least 100ms.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_millis(100) {
        return Err("must be at least 100ms".into());
    }
    Ok(d)
}

/// A duration that must be more than nothing (`--on-timeout`: a hook given 0 s could never
/// run).
pub fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err("must be more than 0s".into());
    }
    Ok(d)
}

/// Whole milliseconds, saturating.
pub fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

/// `1h2m`, `1m58s`, `12s`, `1.5s`, `450ms`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    if secs < 10 && !ms.is_multiple_of(1000) {
        return format!("{:.1}s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// `512 B`, `1.1 KiB`, `4.0 MiB`.
pub fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// A counted noun: `count(1, "poll")` is "1 poll", `count(3, "poll")` "3 polls".
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// RFC 3339, UTC, milliseconds: `2026-11-23T02:28:47.123Z`.
pub fn rfc3339_ms(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_human_units_and_are_bounded() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_interval("50ms").is_err());
        assert_eq!(parse_interval("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(
            parse_duration("500000000000y"),
            Err("too long: at most 100 years".into())
        );
        assert!(parse_duration("18446744073709551615").is_err());
        assert_eq!(parse_duration("100y").map(|_| ()), Ok(()));
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(human_duration(Duration::from_millis(450)), "450ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human_duration(Duration::from_secs(12)), "12s");
        assert_eq!(human_duration(Duration::from_secs(118)), "1m58s");
        assert_eq!(human_duration(Duration::from_secs(120)), "2m");
        assert_eq!(human_duration(Duration::from_secs(3720)), "1h2m");
    }

    #[test]
    fn counted_nouns_agree_with_their_number() {
        assert_eq!(count(1, "poll"), "1 poll");
        assert_eq!(count(0, "poll"), "0 polls");
        assert_eq!(count(2, "error"), "2 errors");
        assert_eq!(human_bytes(1126), "1.1 KiB");
    }
}
