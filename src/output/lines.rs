//! The words of every event a watch prints: one text line per event (`02:28:47  status_changed
//! ready → busy`, with a fleet's bridge column), and the live status line of one bridge. The
//! view (`view.rs`) decides where they go.

use std::time::{Duration, Instant};

use super::{clock, Painter};
use crate::engine::Engine;
use crate::events::{CircuitState, Event, EventKind};
use crate::model::KiroState;
use crate::sanitize::line as clean;
use crate::units::{count, human_bytes, human_duration};

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

fn ms(n: u64) -> String {
    human_duration(Duration::from_millis(n))
}

/// The words of one event, after its name.
fn details(kind: &EventKind, p: Painter) -> String {
    bridge_details(kind, p).unwrap_or_else(|| poll_details(kind, p))
}

/// Events about the bridge's state: what it runs, offers and is.
fn bridge_details(kind: &EventKind, p: Painter) -> Option<String> {
    Some(match kind {
        EventKind::Snapshot {
            status,
            current_command,
            version,
            available_commands,
        } => {
            let mut s = p.state(*status);
            if let Some(c) = current_command {
                s.push_str(&format!(" running {}", p.accent(&clean(c))));
            }
            if let Some(v) = version {
                s.push_str(&format!(" · version {}", clean(v)));
            }
            s.push_str(&format!(
                " · {}",
                count(available_commands.len() as u64, "command")
            ));
            s
        }
        EventKind::StatusChanged { from, to } => format!("{} → {}", p.state(*from), p.state(*to)),
        EventKind::CommandStarted { command } => p.accent(&clean(command)),
        // Seen between polls: how long it was seen running, not how long it ran (that is
        // within a poll interval of it either way).
        EventKind::CommandFinished { command, duration_ms } => {
            format!(
                "{} seen running for {}",
                p.accent(&clean(command)),
                ms(*duration_ms)
            )
        }
        EventKind::CommandsChanged {
            added,
            removed,
            count: n,
        } => {
            let mut s = count(*n as u64, "command");
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
        EventKind::Stall { command, busy_for_ms } => {
            p.warn(&format!("{} busy for {}", clean(command), ms(*busy_for_ms)))
        }
        _ => return None,
    })
}

/// Events about polling it: failures, recovery, the breaker, heartbeats, the summary.
fn poll_details(kind: &EventKind, p: Painter) -> String {
    match kind {
        EventKind::Unreachable {
            kind,
            message,
            consecutive_failures,
            retry_in_ms,
            retry_after_ms,
        } => {
            let capped = match retry_after_ms {
                Some(asked) => format!("; it asked for {}, capped by --max-backoff", ms(*asked)),
                None => String::new(),
            };
            format!(
                "{} {} (failure {consecutive_failures}, retry in {}{capped})",
                p.bad(&format!("{kind}:")),
                clean(message),
                ms(*retry_in_ms)
            )
        }
        EventKind::Recovered {
            after_failures,
            downtime_ms,
        } => p.good(&format!(
            "back after {}, down {}",
            count(u64::from(*after_failures), "failed poll"),
            ms(*downtime_ms)
        )),
        EventKind::Circuit { state, retry_in_ms } => match state {
            CircuitState::Open => p.bad(&format!("open: no requests for {}", ms(retry_in_ms.unwrap_or(0)))),
            CircuitState::HalfOpen => p.warn("half-open: one probe"),
            CircuitState::Closed => p.good("closed"),
        },
        EventKind::Heartbeat { status, polls } => format!(
            "{} · {}",
            status
                .map(|s| p.state(s))
                .unwrap_or_else(|| "no answer yet".into()),
            count(*polls, "poll")
        ),
        EventKind::Summary {
            polls,
            not_modified,
            bytes_received,
            errors,
            changes,
            duration_ms,
            reason,
            hooks,
        } => {
            let mut s = format!(
                "{} ({not_modified} not modified), {} received, {}, {} in {} ({})",
                count(*polls, "poll"),
                human_bytes(*bytes_received),
                count(*errors, "error"),
                count(*changes, "change"),
                ms(*duration_ms),
                clean(reason)
            );
            if let Some(h) = hooks {
                s.push_str(&format!(
                    "; hooks: {} ran, {} failed, {} dropped",
                    h.hooks_run, h.hooks_failed, h.hooks_dropped
                ));
            }
            s
        }
        EventKind::HookFailed {
            hook_event,
            exit_code,
            signal,
            reason,
            message,
            duration_ms,
        } => {
            let how = match (exit_code, signal, message) {
                (Some(c), _, _) => format!("exit {c}"),
                (_, Some(sig), _) => format!("signal {}", clean(sig)),
                (_, _, Some(m)) => clean(m).into_owned(),
                _ => (*reason).to_owned(),
            };
            p.bad(&format!(
                "the hook for {hook_event} {reason} ({how}) after {}",
                ms(*duration_ms)
            ))
        }
        EventKind::Reloaded { added, removed, kept } => {
            let mut s = format!("{} kept", count(*kept as u64, "bridge"));
            if !added.is_empty() {
                s.push_str(&format!(" {}", p.good(&list(added, "+"))));
            }
            if !removed.is_empty() {
                s.push_str(&format!(" {}", p.bad(&list(removed, "-"))));
            }
            s
        }
        EventKind::Rejected { message } => p.bad(&format!("{}; no longer polled", clean(message))),
        EventKind::ReloadFailed { message } => {
            format!(
                "{} the last good bridges go on",
                p.bad(&format!("{}:", clean(message)))
            )
        }
        _ => bridge_details(kind, p).unwrap_or_default(),
    }
}

/// A summary wider than the terminal, wrapped at spaces into lines of at most one column less
/// than it (continuations indented), so its reason is never cut off.
pub fn fit_summary(line: String, width: usize) -> String {
    let width = width.saturating_sub(1).max(20);
    if super::terminal::columns(&line) <= width {
        return line;
    }
    let indent = "          ";
    let mut out = String::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let candidate = match current.is_empty() {
            true => word.to_owned(),
            false => format!("{current} {word}"),
        };
        if super::terminal::columns(&candidate) > width && !current.trim().is_empty() {
            out.push_str(current.trim_end());
            out.push('\n');
            current = format!("{indent}{word}");
        } else {
            current = candidate;
        }
    }
    out.push_str(&current);
    // A word longer than the line itself is cut (never on a real summary).
    out.lines()
        .map(|l| super::terminal::fit(l, width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One text line for an event: `02:28:47  status_changed   ready → busy`.
pub fn event_line(e: &Event, p: Painter) -> String {
    line_in_column(e, p, "")
}

/// One bridge's event line, naming the bridge where a reader needs it: an `unreachable` line
/// says which URL could not be reached (`16:30:12  unreachable      http://…/: connect: …`).
pub fn event_line_at(e: &Event, p: Painter, url: &str) -> String {
    match &e.kind {
        EventKind::Unreachable { .. } => line_led(e, p, "", &format!("{}: ", clean(url))),
        _ => event_line(e, p),
    }
}

/// An event line with a column (a fleet's bridge name) between the time and the event:
/// `02:28:47  build-1  status_changed   ready → busy`.
pub fn line_in_column(e: &Event, p: Painter, column: &str) -> String {
    line_led(e, p, column, "")
}

/// An event line with a column, its details led by `lead`.
fn line_led(e: &Event, p: Painter, column: &str, lead: &str) -> String {
    let column = if column.is_empty() {
        String::new()
    } else {
        format!("{column}  ")
    };
    let name_col = format!("{:<16}", e.kind.name());
    let name_col = match &e.kind {
        EventKind::Unreachable { .. }
        | EventKind::Stall { .. }
        | EventKind::ReloadFailed { .. }
        | EventKind::Rejected { .. }
        | EventKind::HookFailed { .. } => p.bad(&name_col),
        EventKind::Summary { .. } | EventKind::Heartbeat { .. } => p.dim(&name_col),
        _ => p.bold(&name_col),
    };
    format!(
        "{}  {column}{name_col} {lead}{}",
        p.dim(&clock(e.at)),
        details(&e.kind, p)
    )
}

/// The state part of the status line: `● ready`, `● unreachable`, `○ connecting`.
fn state_dot(engine: &Engine, p: Painter) -> String {
    if engine.consecutive_failures() > 0 {
        return p.bad("● unreachable");
    }
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
}

/// The live status line: state, running command with elapsed time, next-poll countdown in
/// whole seconds (so it changes at most once a second), counters.
pub fn status_line(engine: &Engine, now: Instant, p: Painter) -> String {
    let mut s = state_dot(engine, p);
    if let Some((cmd, for_)) = engine.running_for(now) {
        let whole = Duration::from_secs(for_.as_secs());
        s.push_str(&format!("  {} {}", p.accent(&clean(cmd)), human_duration(whole)));
    }
    let next = if engine.in_flight() {
        "polling…".to_owned()
    } else {
        let wait = engine.next_poll_at().saturating_duration_since(now);
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        format!("next poll in {}", human_duration(Duration::from_secs(secs)))
    };
    let c = engine.counters();
    s.push_str(&format!(
        "  {}",
        p.dim(&format!(
            "│ {next} │ {} · {} not modified · {}",
            count(c.polls, "poll"),
            c.not_modified,
            count(c.errors, "error")
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
    fn a_summary_wraps_at_the_terminal_keeping_its_reason() {
        let p = Painter { color: false };
        let e = Event {
            at: at(),
            kind: EventKind::Summary {
                polls: 1234,
                not_modified: 1200,
                bytes_received: 5_000_000,
                errors: 3,
                changes: 30,
                duration_ms: 72_000,
                reason: "interrupted".into(),
                hooks: None,
            },
        };
        let line = event_line(&e, p);
        assert!(crate::output::terminal::columns(&line) > 100, "{line}");
        let fitted = fit_summary(line.clone(), 60);
        assert!(fitted.lines().count() >= 2, "{fitted}");
        assert!(
            fitted.lines().all(|l| crate::output::terminal::columns(l) <= 59),
            "{fitted}"
        );
        assert!(
            fitted.trim_end().ends_with("(interrupted)"),
            "the reason kept: {fitted}"
        );
        assert!(!fitted.contains('…'), "{fitted}");
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&fitted), words(&line), "every word kept, in order");
        assert_eq!(fit_summary(line.clone(), 200), line, "left whole where it fits");
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

    #[test]
    fn counted_nouns_agree_with_their_number() {
        let p = Painter { color: false };
        let e = Event {
            at: at(),
            kind: EventKind::Summary {
                polls: 1,
                not_modified: 0,
                bytes_received: 120,
                errors: 1,
                changes: 1,
                duration_ms: 1000,
                reason: "count reached".into(),
                hooks: None,
            },
        };
        assert_eq!(
            event_line(&e, p),
            "02:28:47  summary          1 poll (0 not modified), 120 B received, 1 error, 1 change in 1s (count reached)"
        );
        let e = Event {
            at: at(),
            kind: EventKind::Recovered {
                after_failures: 1,
                downtime_ms: 5000,
            },
        };
        assert!(event_line(&e, p).ends_with("back after 1 failed poll, down 5s"));
        let e = Event {
            at: at(),
            kind: EventKind::CommandsChanged {
                added: vec!["a".into()],
                removed: vec![],
                count: 1,
            },
        };
        assert!(event_line(&e, p).contains(" 1 command +a"));
    }

    #[test]
    fn a_finished_command_says_how_long_it_was_seen_not_how_long_it_ran() {
        let e = Event {
            at: at(),
            kind: EventKind::CommandFinished {
                command: "kiro.generateCode".into(),
                duration_ms: 2000,
            },
        };
        let line = event_line(&e, Painter { color: false });
        assert!(
            line.ends_with("command_finished kiro.generateCode seen running for 2s"),
            "{line}"
        );
    }
}
