//! The fleet board: under the event lines, one line per bridge (name, state, the command it
//! runs and for how long, the last change, errors) while they fit the terminal; otherwise one
//! totals line and the lines of the bridges that are not ready. Pure: rows in, lines out.

use std::time::{Duration, Instant};

use super::Painter;
use crate::engine::Engine;
use crate::model::KiroState;
use crate::sanitize::line as clean;
use crate::units::{count, human_duration};

/// Where one bridge stands, as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowState {
    Ready,
    Busy,
    Unavailable,
    Unreachable,
    Connecting,
    /// No longer polled: its --count is done, or its key was rejected.
    Stopped,
}

impl RowState {
    pub fn of(engine: &Engine, stopped: bool) -> RowState {
        if stopped {
            return RowState::Stopped;
        }
        if engine.consecutive_failures() > 0 {
            return RowState::Unreachable;
        }
        match engine.current().map(|s| s.status) {
            Some(KiroState::Ready) => RowState::Ready,
            Some(KiroState::Busy) => RowState::Busy,
            Some(KiroState::Unavailable) => RowState::Unavailable,
            None => RowState::Connecting,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RowState::Ready => "ready",
            RowState::Busy => "busy",
            RowState::Unavailable => "unavailable",
            RowState::Unreachable => "unreachable",
            RowState::Connecting => "connecting",
            RowState::Stopped => "stopped",
        }
    }

    fn painted(self, p: Painter) -> String {
        let text = format!("● {:<11}", self.name());
        match self {
            RowState::Ready => p.good(&text),
            RowState::Busy => p.warn(&text),
            RowState::Unavailable | RowState::Unreachable => p.bad(&text),
            RowState::Connecting | RowState::Stopped => p.dim(&text),
        }
    }
}

/// One bridge on the board.
pub struct Row<'a> {
    pub name: &'a str,
    pub engine: &'a Engine,
    /// When a change of it was last reported.
    pub last_change: Option<Instant>,
    pub stopped: bool,
}

impl Row<'_> {
    fn state(&self) -> RowState {
        RowState::of(self.engine, self.stopped)
    }
}

/// `812 ready · 150 busy · 30 unavailable · 8 unreachable` (states with none left out).
pub fn totals(rows: &[Row<'_>], p: Painter) -> String {
    let mut n = [0u64; 6];
    for r in rows {
        n[r.state() as usize] += 1;
    }
    let all = [
        RowState::Ready,
        RowState::Busy,
        RowState::Unavailable,
        RowState::Unreachable,
        RowState::Connecting,
        RowState::Stopped,
    ];
    let parts: Vec<String> = all
        .iter()
        .filter(|s| n[**s as usize] > 0 || **s == RowState::Ready)
        .map(|s| format!("{} {}", n[*s as usize], s.name()))
        .collect();
    p.bold(&parts.join(" · "))
}

/// Whole seconds: `0s`, `12s`, `3m5s`.
fn secs(d: Duration) -> String {
    match d.as_secs() {
        0 => "0s".to_owned(),
        s => human_duration(Duration::from_secs(s)),
    }
}

/// `text` cut and padded to `width` display columns (wide characters count two).
fn cell(text: &str, width: usize) -> String {
    let cut = super::terminal::fit(text, width);
    let pad = width.saturating_sub(super::terminal::columns(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

/// What a row runs, `kiro.generateCode 12s` (empty when nothing).
fn running(r: &Row<'_>, now: Instant) -> String {
    r.engine
        .running_for(now)
        .map(|(cmd, for_)| format!("{} {}", clean(cmd), secs(for_)))
        .unwrap_or_default()
}

/// One row in columns that line up whatever a row holds: the name, the state, what it runs
/// (`run_width` wide, when any row runs something), when it last changed, its failures.
fn row_line(r: &Row<'_>, width: usize, run_width: usize, now: Instant, p: Painter) -> String {
    let mut s = format!("{}  {}", cell(&clean(r.name), width), r.state().painted(p));
    if run_width > 0 {
        s.push_str(&format!("  {}", p.accent(&cell(&running(r, now), run_width))));
    }
    match r.last_change {
        Some(at) => {
            let ago = now.saturating_duration_since(at);
            s.push_str(&p.dim(&cell(&format!("  changed {} ago", secs(ago)), 22)));
        }
        None => s.push_str(&" ".repeat(22)),
    }
    // What is current: the failures since the last answer, gone once it answers again (the
    // total stays in the summary and the metrics).
    let failing = r.engine.consecutive_failures();
    if failing > 0 {
        s.push_str(&format!(
            "  {}",
            p.bad(&format!(
                "{} since the last answer",
                count(u64::from(failing), "error")
            ))
        ));
    }
    s.trim_end().to_owned()
}

/// The board's lines, at most `max_lines` (at least 1).
pub fn lines(rows: &[Row<'_>], now: Instant, max_lines: usize, p: Painter) -> Vec<String> {
    let width = rows
        .iter()
        .map(|r| super::terminal::columns(&clean(r.name)))
        .max()
        .unwrap_or(0)
        .min(24);
    let run_width = rows
        .iter()
        .map(|r| super::terminal::columns(&running(r, now)))
        .max()
        .unwrap_or(0)
        .min(40);
    if rows.len() <= max_lines {
        return rows
            .iter()
            .map(|r| row_line(r, width, run_width, now, p))
            .collect();
    }
    let mut out = vec![totals(rows, p)];
    let room = max_lines.saturating_sub(1);
    let troubled: Vec<&Row<'_>> = rows.iter().filter(|r| r.state() != RowState::Ready).collect();
    let shown = if troubled.len() > room {
        room.saturating_sub(1)
    } else {
        troubled.len()
    };
    out.extend(
        troubled[..shown]
            .iter()
            .map(|r| row_line(r, width, run_width, now, p)),
    );
    if shown < troubled.len() {
        out.push(p.dim(&format!("… {} more not ready", troubled.len() - shown)));
    }
    out
}

#[cfg(test)]
mod tests;
