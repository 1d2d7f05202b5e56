//! How `watch` looks: NDJSON events, plain lines when stdout is not a terminal, and on a
//! terminal coloured aligned lines with one live status line under them (`terminal::LiveLine`)
//! that is redrawn in place, only when its text changes, and never mixed into the log. All of
//! it goes through `writer`, off the polling loop.

use std::io;
use std::time::{Duration, Instant};

use super::board::{self, Row};
use super::lines::{event_line, event_line_at, fit_summary, line_in_column, status_line};
use super::terminal::{LiveLine, TerminalGuard};
use super::writer::Stdout;
use super::Painter;
use crate::config::Config;
use crate::events::{Event, EventKind};
use crate::sanitize::line as clean;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Json,
    Plain,
    Live,
}

/// One bridge or a fleet: how its lines look. The watch's loop is the same for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Event lines without a bridge field or column, a status line redrawn on each answer,
    /// the bridge's own summary last (carrying the hooks'), its own words at the end.
    One,
    /// A bridge column this wide (the widest name, at most 24) and field, the board redrawn on
    /// the tick, an overall summary after each bridge's.
    Fleet { column: usize },
}

pub struct WatchView {
    mode: Mode,
    shape: Shape,
    /// One bridge's URL (redacted), named on its `unreachable` lines.
    url: Option<String>,
    /// The hint for an unreachable bridge was given.
    hinted: bool,
    painter: Painter,
    line: Option<LiveLine>,
    out: Option<Stdout>,
    _guard: Option<TerminalGuard>,
    /// When the last line was written (what `--heartbeat` counts from).
    last_line: Option<std::time::Instant>,
    /// Why writing stdout failed, once finished.
    failed: Option<String>,
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
        let live = mode == Mode::Live && config.term.stderr_tty && !config.quiet;
        let out = Stdout::spawn();
        // Log lines: on a terminal in order with the live lines; else a writer of their own.
        super::route_stderr(match config.term.stderr_tty {
            true => out.err_sink(),
            false => Some(super::writer::ErrSink::own()),
        });
        let shape = match config.many() {
            false => Shape::One,
            true => Shape::Fleet {
                column: (config.bridges.iter())
                    .map(|b| super::terminal::columns(&b.name))
                    .max()
                    .unwrap_or(0)
                    .clamp(3, 24),
            },
        };
        let url = match shape {
            Shape::One => config
                .bridges
                .first()
                .map(|b| crate::sanitize::redact_url(&b.url)),
            Shape::Fleet { .. } => None,
        };
        WatchView {
            mode,
            shape,
            url,
            hinted: false,
            painter: Painter::of(config),
            line: live.then(LiveLine::default),
            out: Some(out),
            _guard: live.then(TerminalGuard::acquire),
            last_line: None,
            failed: None,
        }
    }

    /// Print nothing at all (`-q` with `--metrics`: the watch only serves).
    pub fn silent(mut self) -> WatchView {
        self.line = None;
        self._guard = None;
        if let Some(out) = self.out.take() {
            super::route_stderr(None);
            out.finish(Duration::ZERO);
        }
        self
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The name a bridge's lines carry: none for one bridge.
    pub fn shown<'a>(&self, name: &'a str) -> Option<&'a str> {
        match self.shape {
            Shape::One => None,
            Shape::Fleet { .. } => Some(name),
        }
    }

    /// One event of the bridge named `name` (with its `--json` line when the caller built it).
    pub fn member_event(&mut self, name: &str, e: &Event, json: Option<Vec<u8>>) -> io::Result<()> {
        match self.shown(name) {
            None => self.event_with(e, json),
            Some(name) => self.bridge_event_with(name, e, json),
        }
    }

    /// Whether the status line is redrawn on each answer (one bridge's); a board waits for its
    /// tick: redrawn per answer it would cost 10,000 bridges a frame each.
    pub fn redraws_per_answer(&self) -> bool {
        self.shape == Shape::One && self.line.is_some()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn has_status_line(&self) -> bool {
        self.line.is_some()
    }

    /// Resolves when the reader of stdout went away: the watch should end quietly. It owns
    /// what it waits on, so a loop makes it once and keeps it across iterations.
    pub fn reader_gone(&self) -> impl std::future::Future<Output = ()> + 'static {
        let gone = self.out.as_ref().map(|o| o.gone());
        async move {
            match gone {
                Some(g) => g.await,
                None => std::future::pending().await,
            }
        }
    }

    /// Why stdout could not be written, when it was not its reader leaving (a full disk).
    pub fn write_error(&self) -> Option<String> {
        self.out.as_ref().and_then(|o| o.write_error())
    }

    /// Print one event: a JSON line, or a text line above the status line.
    pub fn event(&mut self, e: &Event) -> io::Result<()> {
        self.event_with(e, None)
    }

    /// `event`, with its `--json` line when the caller built it already (for a hook too).
    pub fn event_with(&mut self, e: &Event, json: Option<Vec<u8>>) -> io::Result<()> {
        let bytes = match self.mode {
            Mode::Json => match json {
                Some(line) => line,
                None => super::event_json_line(e)?,
            },
            Mode::Plain | Mode::Live => {
                let line = match &self.url {
                    Some(url) => event_line_at(e, self.painter, url),
                    None => event_line(e, self.painter),
                };
                format!("{}\n", self.fitted(line, e)).into_bytes()
            }
        };
        // Take the status line away; the next redraw puts it back under the log.
        self.take_line_off();
        self.put(bytes);
        self.hint_once(e);
        Ok(())
    }

    /// The first time one bridge cannot be reached, what to try (as `status` says it).
    fn hint_once(&mut self, e: &Event) {
        let EventKind::Unreachable { kind, message, .. } = &e.kind else {
            return;
        };
        if self.hinted || self.mode == Mode::Json || self.url.is_none() {
            return;
        }
        self.hinted = true;
        let hint =
            crate::error::FailureKind::named(kind).and_then(|k| crate::error::Hint::unreachable(k, message));
        if let Some(hint) = hint {
            super::log_line(&format!("hint: {}", super::words::hint(hint)));
        }
    }

    fn put(&mut self, bytes: Vec<u8>) {
        if let Some(out) = &self.out {
            out.write(bytes);
            self.last_line = Some(std::time::Instant::now());
        }
    }

    /// When a line was last written: a heartbeat is due `--heartbeat` after it (any line shows
    /// life), for one bridge and for a fleet alike.
    pub fn last_line(&self) -> Option<std::time::Instant> {
        self.last_line
    }

    /// One event of one bridge of a fleet, with its `--json` line when the caller built it already.
    pub fn bridge_event_with(&mut self, bridge: &str, e: &Event, json: Option<Vec<u8>>) -> io::Result<()> {
        self.tagged(Some(bridge), e, None, json)
    }

    /// An event of the whole fleet (a reload): no `bridge` field, `all` in the column; with its
    /// `--json` line when the caller built it already.
    pub fn fleet_event_with(&mut self, e: &Event, json: Option<Vec<u8>>) -> io::Result<()> {
        self.tagged(None, e, None, json)
    }

    /// A bridge's summary: one bridge's is the last word, so it carries what the hooks came
    /// to (from the `overall` one, which a fleet prints after its bridges').
    pub fn bridge_summary(&self, summary: &mut Event, overall: &Event) {
        let hooks_of = |e: &Event| match &e.kind {
            EventKind::Summary { hooks, .. } => *hooks,
            _ => None,
        };
        if let (Shape::One, EventKind::Summary { hooks, .. }) = (self.shape, &mut summary.kind) {
            *hooks = hooks_of(overall);
        }
    }

    /// Print the overall summary of a fleet of `bridges` (one bridge has none).
    pub fn overall_summary(&mut self, e: &Event, bridges: usize) -> io::Result<()> {
        match self.shape {
            Shape::One => Ok(()),
            Shape::Fleet { .. } => self.tagged(None, e, Some(bridges), None),
        }
    }

    /// `-v`: how late a fleet's polls started, by lane (one bridge's never wait for a slot).
    pub fn lateness(&self, lanes: &[crate::fleet::queue::Lateness; 3]) {
        if let Shape::Fleet { .. } = self.shape {
            super::log_line(&super::words::lateness(lanes));
        }
    }

    /// JSON: `bridge` after `at` (or `bridges` last); text: the bridge column (`all` for the
    /// overall summary).
    fn tagged(
        &mut self,
        bridge: Option<&str>,
        e: &Event,
        bridges: Option<usize>,
        json: Option<Vec<u8>>,
    ) -> io::Result<()> {
        let bytes = match self.mode {
            Mode::Json => match json {
                Some(line) => line,
                None => super::fleet_json_line(e, bridge, bridges)?,
            },
            Mode::Plain | Mode::Live => {
                let name = clean(bridge.unwrap_or("all"));
                let width = match self.shape {
                    Shape::Fleet { column } => column,
                    Shape::One => 3,
                };
                let name = super::terminal::fit(&name, width);
                let pad = width.saturating_sub(super::terminal::columns(&name));
                let column = self.painter.accent(&format!("{name}{}", " ".repeat(pad)));
                let line = line_in_column(e, self.painter, &column);
                format!("{}\n", self.fitted(line, e)).into_bytes()
            }
        };
        self.take_line_off();
        self.put(bytes);
        Ok(())
    }

    /// On a terminal, a summary fits its width instead of wrapping (it is the last thing seen).
    fn fitted(&self, line: String, e: &Event) -> String {
        match (self.mode, &e.kind) {
            (Mode::Live, EventKind::Summary { .. }) => fit_summary(line, super::terminal::width()),
            _ => line,
        }
    }

    /// Redraw what is under the log: one bridge's status line, or a fleet's board (leaving
    /// room for a few log lines above it). Nothing is written when it is what is on screen.
    pub fn redraw(&mut self, rows: &[Row<'_>], now: Instant) {
        match (self.shape, rows.first()) {
            (Shape::One, Some(row)) => {
                let text = status_line(row.engine, now, self.painter);
                self.redraw_lines(&[text])
            }
            (Shape::One, None) => {}
            (Shape::Fleet { .. }, _) => {
                let max = super::terminal::height().saturating_sub(4).max(1);
                let lines = board::lines(rows, now, max, self.painter);
                self.redraw_lines(&lines);
            }
        }
    }

    fn redraw_lines(&mut self, lines: &[String]) {
        if let (Some(line), Some(out)) = (&mut self.line, &self.out) {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            if let Some(bytes) = line.draw_lines(&refs) {
                out.write_err(bytes);
            }
        }
    }

    pub fn painter(&self) -> Painter {
        self.painter
    }

    /// Before a Ctrl-Z stop: take the line off (the terminal module shows the cursor).
    pub fn suspend(&mut self) {
        self.take_line_off();
        // The clearing must reach the terminal before the process stops.
        if let Some(out) = &self.out {
            out.drain(Duration::from_millis(500));
        }
    }

    /// Clear the live line, in order with the log (the writer carries both).
    fn take_line_off(&mut self) {
        if let (Some(line), Some(out)) = (&mut self.line, &self.out) {
            if let Some(bytes) = line.clear() {
                out.write_err(bytes);
            }
        }
    }

    /// After SIGCONT: the screen may have anything on it; draw afresh.
    pub fn resume(&mut self) {
        if let Some(line) = &mut self.line {
            line.invalidate();
        }
    }

    /// Take the status line off the screen and let stdout drain (at most `grace` for a reader
    /// that is stuck). Returns how many lines a slow reader made us drop.
    pub fn finish(&mut self, grace: Duration) -> u64 {
        self.take_line_off();
        self.line = None;
        let dropped = self.out.as_ref().map_or(0, Stdout::dropped);
        if let Some(out) = self.out.take() {
            super::route_stderr(None);
            self.failed = out.finish(grace);
        }
        self._guard = None;
        dropped
    }

    /// After `finish`: why writing stdout failed, if it did (not its reader going away).
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

impl Drop for WatchView {
    fn drop(&mut self) {
        self.finish(Duration::from_millis(500));
    }
}
