//! The one output module: it knows whether stdout is a terminal, whether to colour, and how to
//! write JSON lines. Renderers take `&mut impl Write` so tests can capture them. Anything from
//! the bridge passes through `sanitize` before it is printed as text; JSON is escaped by serde
//! and then for the same dangerous characters as text (`sanitize::is_dangerous`).
//! `view` draws `watch`, `exec` the exec and input reports, `terminal` the live line and
//! spinner, `writer` puts stdout off the polling loop.

pub mod board;
pub mod config;
pub mod exec;
pub mod jobs;
pub mod lines;
pub mod status_render;
pub mod terminal;
pub mod view;
pub mod words;
pub mod writer;

pub use words::{progress, status_line, Notice};

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use crossterm::style::{Color, Stylize};
use serde::Serialize;

use crate::config::Config;
use crate::engine::LastSeen;
use crate::model::KiroState;
use crate::units::{human_duration, rfc3339_ms};

/// Colour on or off.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    /// Colour for text output, as `config` decided it for the terminal; never in JSON.
    pub fn of(config: &Config) -> Painter {
        Painter {
            color: config.term.color && !config.json,
        }
    }

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

/// One JSON object and its newline, as one buffer.
pub fn json_line<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    let mut buf = guarded_json(&text).into_owned();
    buf.push('\n');
    Ok(buf.into_bytes())
}

/// Serialized JSON as kiro-poll lets it out: registered secrets redacted in its strings, and
/// the controls a terminal could act on escaped. Every `--json` line, and every message
/// `kiro-poll mcp` writes.
pub fn guarded_json(text: &str) -> std::borrow::Cow<'_, str> {
    match crate::sanitize::redact_json(text) {
        std::borrow::Cow::Borrowed(t) => escape_json_controls(t),
        std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(escape_json_controls(&t).into_owned()),
    }
}

/// An event's `--json` line, serialized once: `type` first, `at` second, then (an event of one
/// bridge among several) `bridge`, then the event's own fields (`status_changed` also its
/// `status`), and for the overall summary of
/// a fleet `bridges` (how many) last. The kind is written by serde once (its tag first, as
/// serde writes an internally tagged enum) and the rest is spliced in; the line is redacted and
/// escaped as `json_line` does. The same bytes go to stdout and to a hook's stdin.
pub fn fleet_json_line(
    e: &crate::events::Event,
    bridge: Option<&str>,
    bridges: Option<usize>,
) -> io::Result<Vec<u8>> {
    let kind = serde_json::to_string(&e.kind).map_err(io::Error::other)?;
    // `{"type":"NAME"` is where the tag ends.
    let head = format!("{{\"type\":\"{}\"", e.kind.name());
    let Some(rest) = kind.strip_prefix(&head).and_then(|r| r.strip_suffix('}')) else {
        return Err(io::Error::other("an event's type is not its first field"));
    };
    let mut text = String::with_capacity(kind.len() + 64);
    text.push_str(&head);
    text.push_str(",\"at\":\"");
    text.push_str(&crate::units::rfc3339_ms(e.at));
    text.push('"');
    if let Some(b) = bridge {
        text.push_str(",\"bridge\":");
        text.push_str(&serde_json::to_string(b).map_err(io::Error::other)?);
    }
    text.push_str(rest);
    // The state it changed to, under the name `snapshot` gives it, so `jq .status` reads the
    // state on every line that has one.
    if let crate::events::EventKind::StatusChanged { to, .. } = &e.kind {
        text.push_str(",\"status\":\"");
        text.push_str(to.as_str());
        text.push('"');
    }
    if let Some(n) = bridges {
        text.push_str(&format!(",\"bridges\":{n}"));
    }
    text.push('}');
    let text = crate::sanitize::redact_json(&text);
    let mut buf = escape_json_controls(&text).into_owned();
    buf.push('\n');
    Ok(buf.into_bytes())
}

/// An event's `--json` line with no bridge field (one bridge, or the whole fleet's).
pub fn event_json_line(e: &crate::events::Event) -> io::Result<Vec<u8>> {
    fleet_json_line(e, None, None)
}

/// Write one JSON object and a newline in a single write, then flush: a reader never sees half
/// a line, even when the program is interrupted right after.
pub fn write_json_line<W: Write, T: Serialize>(w: &mut W, value: &T) -> io::Result<()> {
    w.write_all(&json_line(value)?)?;
    w.flush()
}

/// serde escapes C0 controls but leaves C1 controls (U+0080..U+009F, incl. the 8-bit CSI),
/// bidi overrides and the line separators U+2028/U+2029 raw; a terminal showing the JSON could
/// act on them. Outside strings JSON is ASCII, so rewriting them as `\uXXXX` keeps the
/// document the same.
pub fn escape_json_controls(json: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| crate::sanitize::is_dangerous(c, false);
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

/// Say a notice on stderr (`words::say` words it).
pub fn tell(n: words::Notice<'_>) {
    log_line(&words::say(&n));
}

/// A line of diagnostics on stderr (for -v). Never fails: a closed stderr is ignored.
/// A file read that holds a key others can read (`config::file::exposed`): said once.
pub fn tell_exposed() {
    static SAID: std::sync::Once = std::sync::Once::new();
    if let Some(path) = crate::config::file::exposed() {
        SAID.call_once(|| tell(Notice::KeyExposed(path)));
    }
}

pub fn log_line(msg: &str) {
    err_line(format!("kiro-poll: {}\n", crate::sanitize::line(msg)).as_bytes());
}

/// One line a hook wrote, on a terminal: its control characters made visible (a hook passes
/// on server strings), in order with the live line as `log_line`'s are.
pub fn hook_output_line(text: &str) {
    let text = text.strip_suffix('\n').unwrap_or(text);
    err_line(format!("{}\n", crate::sanitize::text(text)).as_bytes());
}

fn err_line(text: &[u8]) {
    // Over a live status line: clear it first (the next redraw puts it back under the log).
    let mut line = Vec::new();
    if terminal::live() {
        line = terminal::erase_shown();
        terminal::mark_cleared();
    }
    line.extend_from_slice(text);
    let sink = STDERR.lock().unwrap_or_else(|p| p.into_inner());
    match sink.as_ref() {
        // In order with stdout and the live lines, and off the polling loop.
        Some(sink) => sink.write(line),
        None => {
            let _ = io::stderr().lock().write_all(&line);
        }
    }
}

/// Where `log_line` writes while a watch owns the output: its writer thread.
static STDERR: std::sync::Mutex<Option<writer::ErrSink>> = std::sync::Mutex::new(None);

/// Route `log_line` through a watch's writer (Some), or straight to stderr again (None),
/// letting what the previous one holds be written first (at most a second).
pub fn route_stderr(sink: Option<writer::ErrSink>) {
    let old = std::mem::replace(&mut *STDERR.lock().unwrap_or_else(|p| p.into_inner()), sink);
    if let Some(old) = old {
        old.finish(std::time::Duration::from_secs(1));
    }
}

/// Time of day for event lines, in UTC to stay unambiguous: `02:28:47`.
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

/// What was last seen, in words: "still busy running kiro.generateCode for 1m58s", "last
/// seen ready 3s ago", "the bridge has been unreachable for 2m (Connection refused)".
pub fn last_seen(seen: &LastSeen) -> String {
    match seen {
        LastSeen::Nothing => "no answer from the bridge yet".into(),
        LastSeen::Unreachable { for_, why } => format!(
            "the bridge has been unreachable for {} ({})",
            human_duration(*for_),
            crate::sanitize::line(why)
        ),
        LastSeen::Running { command, for_ } => format!(
            "still busy running {} for {}",
            crate::sanitize::line(command),
            human_duration(*for_)
        ),
        LastSeen::State { state, ago } => format!("last seen {state} {} ago", human_duration(*ago)),
    }
}

/// The message of a `--timeout` that ran out.
pub fn timed_out(timeout: Duration, seen: &LastSeen) -> String {
    format!("timed out after {}: {}", human_duration(timeout), last_seen(seen))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serialized once and spliced, an event's line is the event's own serialization with
    /// `bridge` after `at` and `bridges` last: the same fields, in that order.
    #[test]
    fn an_event_line_is_spliced_in_order_from_one_serialization() {
        use crate::events::{Event, EventKind, HookCounts};
        let at = std::time::SystemTime::UNIX_EPOCH + Duration::from_millis(1_763_864_927_123);
        let kinds = [
            EventKind::Heartbeat {
                status: None,
                polls: 3,
            },
            EventKind::CommandStarted {
                command: "kiro.\"x\"\u{1b}[2J".into(),
            },
            EventKind::Summary {
                polls: 1,
                not_modified: 0,
                bytes_received: 2,
                errors: 0,
                changes: 0,
                duration_ms: 5,
                reason: "count reached".into(),
                hooks: Some(HookCounts {
                    hooks_run: 1,
                    hooks_failed: 0,
                    hooks_dropped: 0,
                }),
            },
        ];
        for kind in kinds {
            let e = Event { at, kind };
            let line = String::from_utf8(fleet_json_line(&e, Some("b\"1"), Some(2)).unwrap()).unwrap();
            let head = format!(
                "{{\"type\":\"{}\",\"at\":\"2025-11-23T02:28:47.123Z\",\"bridge\":\"b\\\"1\"",
                e.kind.name()
            );
            assert!(line.starts_with(&head), "{line}");
            assert!(line.ends_with(",\"bridges\":2}\n"), "{line}");
            let got: serde_json::Value = serde_json::from_str(&line).unwrap();
            let mut want = serde_json::to_value(&e).unwrap();
            want["bridge"] = "b\"1".into();
            want["bridges"] = 2.into();
            assert_eq!(got, want);
            let plain: serde_json::Value = serde_json::from_slice(&event_json_line(&e).unwrap()).unwrap();
            assert_eq!(plain, serde_json::to_value(&e).unwrap(), "no bridge fields");
            assert!(!line.contains('\u{1b}'), "control characters escaped: {line}");
        }
    }

    #[test]
    fn timeouts_say_what_was_last_seen() {
        let seen = LastSeen::Running {
            command: "kiro.generateCode".into(),
            for_: Duration::from_secs(118),
        };
        assert_eq!(
            timed_out(Duration::from_secs(120), &seen),
            "timed out after 2m: still busy running kiro.generateCode for 1m58s"
        );
        let seen = LastSeen::State {
            state: KiroState::Ready,
            ago: Duration::from_secs(3),
        };
        assert_eq!(last_seen(&seen), "last seen ready 3s ago");
        assert_eq!(last_seen(&LastSeen::Nothing), "no answer from the bridge yet");
    }

    #[test]
    fn json_lines_escape_line_separators_too() {
        let text =
            String::from_utf8(json_line(&serde_json::json!({"s": "a\u{2028}b\u{2029}"})).unwrap()).unwrap();
        assert_eq!(text, "{\"s\":\"a\\u2028b\\u2029\"}\n");
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
