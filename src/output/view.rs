//! How `watch` looks: NDJSON events, plain lines when stdout is not a terminal, and on a
//! terminal coloured aligned lines with one live status line under them (indicatif) that is
//! redrawn in place and never mixed into the log.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use super::terminal::TerminalGuard;
use super::{clock, human_duration, write_json_line, Painter};
use crate::client::{human_bytes, StatsSnapshot};
use crate::config::Config;
use crate::engine::Engine;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::KiroState;
use crate::sanitize::line as clean;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Json,
    Plain,
    Live,
}

pub struct WatchView {
    mode: Mode,
    painter: Painter,
    bar: Option<StatusLine>,
    _guard: Option<TerminalGuard>,
}

/// One line at the bottom of the terminal (on stderr), redrawn in place. It is never wider
/// than the terminal minus a margin, so the cursor never sits in the last column: a `^C`
/// echoed by the terminal stays on this line and is cleared with it.
struct StatusLine {
    drawn: bool,
}

impl StatusLine {
    fn width() -> usize {
        crossterm::terminal::size()
            .map(|(w, _)| w as usize)
            .unwrap_or(80)
            .max(20)
    }

    fn draw(&mut self, text: &str) {
        let fitted = truncate_visible(text, Self::width().saturating_sub(4));
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{fitted}\x1b[0m");
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// Printable width of a string holding SGR colour sequences.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_esc = false;
    for c in s.chars() {
        match (in_esc, c) {
            (false, '\x1b') => in_esc = true,
            (true, 'm') => in_esc = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// Cut a coloured string to `max` printable characters, keeping escape sequences whole.
fn truncate_visible(s: &str, max: usize) -> String {
    if visible_len(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut n = 0;
    let mut in_esc = false;
    for c in s.chars() {
        match (in_esc, c) {
            (false, '\x1b') => {
                in_esc = true;
                out.push(c);
            }
            (true, 'm') => {
                in_esc = false;
                out.push(c);
            }
            (true, _) => out.push(c),
            (false, _) => {
                if n + 1 >= max {
                    out.push('…');
                    break;
                }
                out.push(c);
                n += 1;
            }
        }
    }
    out
}

impl WatchView {
    pub fn new(config: &Config) -> WatchView {
        let mode = if config.json {
            Mode::Json
        } else if config.term.stdout_tty {
            Mode::Live
        } else {
            Mode::Plain
        };
        let painter = config.painter();
        let (bar, guard) = if mode == Mode::Live && config.term.stderr_tty && !config.quiet {
            (Some(StatusLine { drawn: false }), Some(TerminalGuard::acquire()))
        } else {
            (None, None)
        };
        WatchView {
            mode,
            painter,
            bar,
            _guard: guard,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn has_status_line(&self) -> bool {
        self.bar.is_some()
    }

    /// Print one event: a JSON line, or a text line above the status line.
    pub fn event(&mut self, e: &Event) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match self.mode {
            Mode::Json => write_json_line(&mut out, e),
            Mode::Plain | Mode::Live => {
                let text = format!("{}\n", event_line(e, self.painter));
                if let Some(bar) = &mut self.bar {
                    // Take the status line away; the next redraw puts it back under the log.
                    bar.clear();
                }
                out.write_all(text.as_bytes())?;
                out.flush()
            }
        }
    }

    pub fn events(&mut self, events: &[Event]) -> io::Result<()> {
        events.iter().try_for_each(|e| self.event(e))
    }

    pub fn redraw(&mut self, engine: &Engine, now: Instant, stats: StatsSnapshot) {
        let painter = self.painter;
        if let Some(bar) = &mut self.bar {
            bar.draw(&status_line(engine, now, stats, painter));
        }
    }

    /// Take the status line off the screen (before the final summary and any error).
    pub fn finish(&mut self) {
        if let Some(mut bar) = self.bar.take() {
            bar.clear();
        }
        self._guard = None;
    }
}

impl Drop for WatchView {
    fn drop(&mut self) {
        self.finish();
    }
}

fn list(names: &[String], sign: &str) -> String {
    const SHOWN: usize = 5;
    let mut parts: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("{sign}{}", clean(n)))
        .collect();
    if names.len() > SHOWN {
        parts.push(format!("{sign}{} more", names.len() - SHOWN));
    }
    parts.join(" ")
}

/// One text line for an event: `02:28:47  status_changed    ready → busy`.
pub fn event_line(e: &Event, p: Painter) -> String {
    let name = e.kind.name();
    let details = match &e.kind {
        EventKind::Snapshot { status, current_command, version, available_commands } => {
            let mut s = p.state(*status);
            if let Some(c) = current_command {
                s.push_str(&format!(" running {}", p.accent(&clean(c))));
            }
            if let Some(v) = version {
                s.push_str(&format!(" · version {}", clean(v)));
            }
            s.push_str(&format!(" · {} commands", available_commands.len()));
            s
        }
        EventKind::StatusChanged { from, to } => format!("{} → {}", p.state(*from), p.state(*to)),
        EventKind::CommandStarted { command } => p.accent(&clean(command)),
        EventKind::CommandFinished { command, duration_ms } => format!(
            "{} after {}",
            p.accent(&clean(command)),
            human_duration(Duration::from_millis(*duration_ms))
        ),
        EventKind::CommandsChanged { added, removed, count } => {
            let mut s = format!("{count} commands");
            if !added.is_empty() {
                s.push_str(&format!(" {}", p.good(&list(added, "+"))));
            }
            if !removed.is_empty() {
                s.push_str(&format!(" {}", p.bad(&list(removed, "-"))));
            }
            s
        }
        EventKind::VersionChanged { from, to } => format!(
            "{} → {}",
            clean(from.as_deref().unwrap_or("none")),
            clean(to.as_deref().unwrap_or("none"))
        ),
        EventKind::Unreachable { kind, message, consecutive_failures, retry_in_ms } => format!(
            "{} {} (failure {consecutive_failures}, retry in {})",
            p.bad(&format!("{kind}:")),
            clean(message),
            human_duration(Duration::from_millis(*retry_in_ms))
        ),
        EventKind::Recovered { after_failures, downtime_ms } => p.good(&format!(
            "back after {after_failures} failed polls, down {}",
            human_duration(Duration::from_millis(*downtime_ms))
        )),
        EventKind::Circuit { state, retry_in_ms } => match state {
            CircuitState::Open => p.bad(&format!(
                "open: no requests for {}",
                human_duration(Duration::from_millis(retry_in_ms.unwrap_or(0)))
            )),
            CircuitState::HalfOpen => p.warn("half-open: one probe"),
            CircuitState::Closed => p.good("closed"),
        },
        EventKind::Stall { command, busy_for_ms } => p.warn(&format!(
            "{} busy for {}",
            clean(command),
            human_duration(Duration::from_millis(*busy_for_ms))
        )),
        EventKind::Heartbeat { status, polls } => format!(
            "{} · {polls} polls",
            status.map(|s| p.state(s)).unwrap_or_else(|| "no answer yet".into())
        ),
        EventKind::Summary { polls, not_modified, bytes_received, errors, changes, duration_ms, reason } => format!(
            "{polls} polls ({not_modified} not modified), {} received, {errors} errors, {changes} changes in {} ({})",
            human_bytes(*bytes_received),
            human_duration(Duration::from_millis(*duration_ms)),
            clean(reason)
        ),
    };
    let name_col = format!("{name:<16}");
    let name_col = match &e.kind {
        EventKind::Unreachable { .. } | EventKind::Stall { .. } => p.bad(&name_col),
        EventKind::Summary { .. } | EventKind::Heartbeat { .. } => p.dim(&name_col),
        _ => p.bold(&name_col),
    };
    format!("{}  {name_col} {details}", p.dim(&clock(e.at)))
}

/// The live status line: state, running command with elapsed time, next-poll countdown,
/// counters.
pub fn status_line(engine: &Engine, now: Instant, stats: StatsSnapshot, p: Painter) -> String {
    let state = if engine.consecutive_failures() > 0 {
        p.bad("● unreachable")
    } else {
        match engine.current().map(|s| s.status) {
            Some(s) => {
                let dot = match s {
                    KiroState::Ready => p.good("●"),
                    KiroState::Busy => p.warn("●"),
                    KiroState::Unavailable => p.bad("●"),
                };
                format!("{dot} {}", p.state(s))
            }
            None => p.dim("○ connecting"),
        }
    };
    let mut s = state;
    if let Some((cmd, for_)) = engine.running_for(now) {
        s.push_str(&format!("  {} {}", p.accent(&clean(cmd)), human_duration(for_)));
    }
    let next = if engine.in_flight() {
        "polling…".to_owned()
    } else {
        let wait = engine.next_poll_at().saturating_duration_since(now);
        format!(
            "next poll in {}",
            human_duration(Duration::from_secs(
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            ))
        )
    };
    s.push_str(&format!(
        "  {}",
        p.dim(&format!(
            "│ {next} │ {} polls · {} not modified · {} errors",
            engine.polls(),
            stats.not_modified,
            stats.errors
        ))
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_763_864_927)
    }

    #[test]
    fn plain_lines_are_aligned_and_clean() {
        let p = Painter { color: false };
        let e = Event {
            at: at(),
            kind: EventKind::StatusChanged {
                from: KiroState::Ready,
                to: KiroState::Busy,
            },
        };
        assert_eq!(event_line(&e, p), "02:28:47  status_changed   ready → busy");
        let e = Event {
            at: at(),
            kind: EventKind::CommandStarted {
                command: "x\u{1b}]52;c;aGk=\u{7}".into(),
            },
        };
        let line = event_line(&e, p);
        assert!(!line.contains('\u{1b}') && !line.contains('\u{7}'), "{line:?}");
    }

    #[test]
    fn status_line_is_cut_to_the_terminal_keeping_colours_whole() {
        let coloured = format!("\x1b[32m{}\x1b[39m tail", "x".repeat(30));
        assert_eq!(visible_len(&coloured), 35);
        let cut = truncate_visible(&coloured, 10);
        assert_eq!(visible_len(&cut), 10);
        assert!(cut.starts_with("\x1b[32mxxxxxxxxx…"), "{cut:?}");
        assert_eq!(truncate_visible("short", 10), "short");
    }

    #[test]
    fn long_command_lists_are_shortened() {
        let p = Painter { color: false };
        let added: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
        let e = Event {
            at: at(),
            kind: EventKind::CommandsChanged {
                added,
                removed: vec!["old".into()],
                count: 9,
            },
        };
        assert_eq!(
            event_line(&e, p),
            "02:28:47  commands_changed 9 commands +c0 +c1 +c2 +c3 +c4 +3 more -old"
        );
    }
}
