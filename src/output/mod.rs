//! The one output module: it knows whether stdout is a terminal, whether to colour, and how to
//! write JSON lines. Renderers take `&mut impl Write` so tests can capture them. Anything from
//! the bridge passes through `sanitize` before it is printed as text; JSON is escaped by serde.

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use crossterm::style::{Color, Stylize};
use serde::Serialize;

use crate::model::KiroState;

/// Colour on or off, decided once in `config`.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    fn paint(&self, s: &str, color: Color, bold: bool) -> String {
        if !self.color {
            return s.to_owned();
        }
        let styled = s.with(color);
        if bold {
            styled.bold().to_string()
        } else {
            styled.to_string()
        }
    }

    pub fn state(&self, state: KiroState) -> String {
        let color = match state {
            KiroState::Ready => Color::Green,
            KiroState::Busy => Color::Yellow,
            KiroState::Unavailable => Color::Red,
        };
        self.paint(state.as_str(), color, true)
    }

    pub fn good(&self, s: &str) -> String {
        self.paint(s, Color::Green, false)
    }
    pub fn warn(&self, s: &str) -> String {
        self.paint(s, Color::Yellow, false)
    }
    pub fn bad(&self, s: &str) -> String {
        self.paint(s, Color::Red, false)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint(s, Color::DarkGrey, false)
    }
    pub fn accent(&self, s: &str) -> String {
        self.paint(s, Color::Cyan, false)
    }
    pub fn bold(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_owned()
        }
    }
}

/// Write one JSON object and a newline in a single write, then flush: a reader never sees half
/// a line, even when the program is interrupted right after.
pub fn write_json_line<W: Write, T: Serialize>(w: &mut W, value: &T) -> io::Result<()> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let mut buf = escape_json_controls(&text).into_owned();
    buf.push('\n');
    w.write_all(buf.as_bytes())?;
    w.flush()
}

/// serde escapes C0 controls but leaves C1 controls (U+0080..U+009F, incl. the 8-bit CSI) and
/// bidi overrides raw; a terminal showing the JSON could act on them. Outside strings JSON is
/// ASCII, so rewriting these characters as `\uXXXX` keeps the document the same.
pub fn escape_json_controls(json: &str) -> std::borrow::Cow<'_, str> {
    let risky =
        |c: char| matches!(c, '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !json.chars().any(risky) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A line of diagnostics on stderr (for -v). Never fails: a closed stderr is ignored.
pub fn log_line(msg: &str) {
    // Over a live status line: clear it first (the next redraw puts it back under the log).
    let clear = if terminal::live() { "\r\x1b[2K" } else { "" };
    let line = format!("{clear}kiro-poll: {}\n", crate::sanitize::line(msg));
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// `1h2m`, `1m58s`, `12s`, `1.5s`, `450ms`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    if secs < 10 && ms % 1000 != 0 {
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

/// RFC 3339, UTC, milliseconds: `2026-11-23T02:28:47.123Z`.
pub fn rfc3339_ms(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Local wall-clock time of day for event lines: `02:28:47` (UTC, to stay unambiguous).
pub fn clock(t: SystemTime) -> String {
    let full = rfc3339_ms(t);
    full.get(11..19).unwrap_or(&full).to_owned()
}

/// How long ago a bridge timestamp was, if it parses.
pub fn age_of(timestamp: &str, now: SystemTime) -> Option<Duration> {
    let t = humantime::parse_rfc3339_weak(timestamp.trim_end_matches('Z'))
        .or_else(|_| humantime::parse_rfc3339(timestamp))
        .ok()?;
    Some(now.duration_since(t).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn json_lines_escape_c1_and_bidi_controls() {
        let mut out = Vec::new();
        let v = serde_json::json!({"s": "a\u{9b}31mb\u{202e}c"});
        write_json_line(&mut out, &v).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "{\"s\":\"a\\u009b31mb\\u202ec\"}\n");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v, "the same document");
    }

    #[test]
    fn json_lines_are_whole() {
        let mut out = Vec::new();
        write_json_line(&mut out, &serde_json::json!({"type": "x", "s": "\u{1b}[2J"})).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n') && !text.contains('\u{1b}'), "{text:?}");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = Painter { color: false };
        assert_eq!(plain.state(KiroState::Busy), "busy");
        let coloured = Painter { color: true };
        assert!(coloured.state(KiroState::Busy).contains('\u{1b}'));
    }

    #[test]
    fn ages_of_bridge_timestamps() {
        let ts = "2025-01-19T10:30:00Z";
        let t = humantime::parse_rfc3339(ts).unwrap();
        assert_eq!(
            age_of(ts, t + Duration::from_secs(5)),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            age_of("2025-01-19T10:30:00.250Z", t + Duration::from_secs(1)),
            Some(Duration::from_millis(750))
        );
        assert_eq!(age_of("yesterday", t), None);
    }
}

pub mod terminal;
pub mod view;
