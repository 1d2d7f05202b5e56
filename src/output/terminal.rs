//! The live elements of a terminal, drawn by us with crossterm and nothing else: the status
//! line under `watch`'s log and the spinner of `exec --wait` are the same `LiveLine`. While one
//! is on screen the cursor is hidden; on every exit (normal, error, Ctrl-C, panic) and before a
//! Ctrl-Z stop, the line is cleared and the cursor shown again, and it comes back on SIGCONT.
//! The line is fitted to the terminal by display columns (wide and combining characters count
//! for what they show) and written only when its text changes.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use unicode_width::UnicodeWidthChar;

static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set when something else cleared the live line (a log line written over it).
static CLEARED: AtomicBool = AtomicBool::new(false);

/// Something cleared the live line from under its owner: the next draw must write.
pub fn mark_cleared() {
    CLEARED.store(true, Ordering::SeqCst);
}

/// True while a live line may be on the last line of the terminal.
pub fn live() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

fn clear_and_show_cursor() {
    let mut err = std::io::stderr();
    let _ = err.write_all(&erase_shown());
    let _ = crossterm::execute!(err, crossterm::cursor::Show);
    let _ = err.flush();
}

fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        clear_and_show_cursor();
    }
}

/// Before the process stops (Ctrl-Z): clear the live line and show the cursor, so the shell
/// gets a clean terminal. The owner redraws on SIGCONT after `resume`.
pub fn suspend() {
    if live() {
        clear_and_show_cursor();
    }
}

/// After SIGCONT: hide the cursor again (the owner redraws its line).
pub fn resume() {
    if live() {
        let _ = crossterm::execute!(std::io::stderr(), crossterm::cursor::Hide);
    }
}

/// Holds the terminal in live-view state; dropping it restores the terminal.
pub struct TerminalGuard(());

impl TerminalGuard {
    pub fn acquire() -> TerminalGuard {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        ACTIVE.store(true, Ordering::SeqCst);
        let _ = crossterm::execute!(std::io::stderr(), crossterm::cursor::Hide);
        TerminalGuard(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Columns of the terminal: a terminal that reports none (a pty without a size) is 80 wide.
pub fn width() -> usize {
    match crate::platform::terminal_size() {
        Some((w, _)) if w > 0 => w as usize,
        _ => 80,
    }
    .max(20)
}

/// The display columns of each line of the live element on screen (for `log_line`, which
/// clears them all): how many rows they take is counted at the width of the moment, since a
/// terminal narrowed since rewraps them.
static SHOWN_COLUMNS: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

fn set_shown(cols: Vec<usize>) {
    *SHOWN_COLUMNS.lock().unwrap_or_else(|p| p.into_inner()) = cols;
}

/// Rows that lines of these columns take on a terminal `width` wide (a line wider than it
/// wraps, as a narrowed terminal rewraps what was drawn).
pub fn rows_of(columns: &[usize], width: usize) -> usize {
    let width = width.max(1);
    columns.iter().map(|c| c.div_ceil(width).max(1)).sum()
}

/// The bytes that take a live element of `height` lines off the screen, the cursor being at
/// the end of its last line.
pub fn erase(height: usize) -> Vec<u8> {
    match height {
        0 | 1 => b"\r\x1b[2K".to_vec(),
        h => format!("\x1b[{}A\r\x1b[J", h - 1).into_bytes(),
    }
}

/// What `log_line` writes first so its line replaces the live element.
pub fn erase_shown() -> Vec<u8> {
    let cols = SHOWN_COLUMNS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    erase(rows_of(&cols, width()))
}

/// Rows of the terminal (24 when it reports none).
pub fn height() -> usize {
    match crate::platform::terminal_size() {
        Some((_, h)) if h > 0 => h as usize,
        _ => 24,
    }
}

/// Lines at the bottom of the terminal (on stderr), redrawn in place: one for `watch`'s
/// status line and the spinner, several for the fleet board. No line is wider than the
/// terminal minus a margin, so the cursor never sits in the last column: a `^C` echoed by the
/// terminal stays on the last line and is cleared with it.
#[derive(Default)]
pub struct LiveLine {
    /// The lines on screen, as written; None when nothing is.
    shown: Option<Vec<String>>,
}

impl LiveLine {
    /// The bytes that draw `text`, or None when exactly that is already on screen. The caller
    /// writes them to stderr (directly, or in order with stdout through `writer`).
    pub fn draw(&mut self, text: &str) -> Option<Vec<u8>> {
        self.draw_lines(std::slice::from_ref(&text))
    }

    /// The bytes that draw these lines in place of what is shown.
    pub fn draw_lines(&mut self, lines: &[&str]) -> Option<Vec<u8>> {
        let w = width().saturating_sub(4);
        let fitted: Vec<String> = lines.iter().map(|l| fit(l, w)).collect();
        let cleared = CLEARED.swap(false, Ordering::SeqCst);
        if !cleared && self.shown.as_ref() == Some(&fitted) {
            return None;
        }
        // After a log line cleared the block, the cursor is on a fresh line.
        // What is on screen may have been drawn wider than the terminal is now: it wrapped,
        // and every row of it goes.
        let before = match (&self.shown, cleared) {
            (Some(old), false) => {
                let cols: Vec<usize> = old.iter().map(|l| columns(l)).collect();
                rows_of(&cols, width())
            }
            _ => 1,
        };
        let mut bytes = erase(before);
        bytes.extend_from_slice(fitted.join("\x1b[0m\r\n").as_bytes());
        bytes.extend_from_slice(b"\x1b[0m");
        set_shown(fitted.iter().map(|l| columns(l)).collect());
        self.shown = Some(fitted);
        Some(bytes)
    }

    /// The bytes that take the lines off the screen (the next `draw` puts them back).
    pub fn clear(&mut self) -> Option<Vec<u8>> {
        let old = self.shown.take()?;
        set_shown(Vec::new());
        let cols: Vec<usize> = old.iter().map(|l| columns(l)).collect();
        Some(erase(rows_of(&cols, width())))
    }

    /// Forget what is on screen (after a stop, a resume): the next draw writes.
    pub fn invalidate(&mut self) {
        self.shown = None;
    }
}

/// Display columns of a string holding SGR colour sequences.
pub fn columns(s: &str) -> usize {
    let mut n = 0;
    let mut in_esc = false;
    for c in s.chars() {
        match (in_esc, c) {
            (false, '\x1b') => in_esc = true,
            (true, 'm') => in_esc = false,
            (true, _) => {}
            (false, c) => n += c.width().unwrap_or(0),
        }
    }
    n
}

/// Cut a coloured string to `max` display columns, ending in `…`, escape sequences kept whole.
pub fn fit(s: &str, max: usize) -> String {
    if columns(s) <= max {
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
            (false, c) => {
                let w = c.width().unwrap_or(0);
                if n + w + 1 > max {
                    out.push('…');
                    break;
                }
                out.push(c);
                n += w;
            }
        }
    }
    out
}

/// `exec`'s spinner on stderr: indicatif's (a steady tick, the elapsed time from its first
/// frame, `finish_and_clear`), drawn through `SpinnerTerm` so it goes where the live lines go
/// and a log line takes it off the screen as it takes a live line. The watch's status line and
/// the fleet's board stay `LiveLine`s: they are redrawn only when their text changes (a board
/// of 10,000 bridges), and in order with the log through the writer thread, which a progress
/// bar's own ticking cannot be.
pub struct Spinner {
    bar: indicatif::ProgressBar,
    /// The prefix's display columns, to know the message's room.
    prefix: usize,
    _guard: TerminalGuard,
}

/// Columns of the spinner's line besides its prefix and message: the frame and a space, a
/// space, the elapsed time (at most 8: `59m59s`, `1h59m`), ` · `.
const SPINNER_FRAME: usize = 2 + 1 + 8 + 3;

/// The spinner's message cut to the room a `width`-column terminal leaves after `prefix`
/// columns, ending in `…` when it is cut (indicatif would cut it bare).
pub fn spinner_news(msg: &str, prefix: usize, width: usize) -> String {
    fit(msg, width.saturating_sub(prefix + SPINNER_FRAME).max(1))
}

/// Where the spinner draws: stderr, as the live lines are (also under `KIRO_POLL_ASSUME_TTY`).
#[derive(Debug)]
struct SpinnerTerm;

impl SpinnerTerm {
    fn put(&self, s: &str) -> std::io::Result<()> {
        let mut err = std::io::stderr().lock();
        err.write_all(s.as_bytes())
    }
}

impl indicatif::TermLike for SpinnerTerm {
    fn width(&self) -> u16 {
        width().min(usize::from(u16::MAX)) as u16
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        match n {
            0 => Ok(()),
            n => self.put(&format!("\x1b[{n}A")),
        }
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        match n {
            0 => Ok(()),
            n => self.put(&format!("\x1b[{n}B")),
        }
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        match n {
            0 => Ok(()),
            n => self.put(&format!("\x1b[{n}C")),
        }
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        match n {
            0 => Ok(()),
            n => self.put(&format!("\x1b[{n}D")),
        }
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.put(&format!("{s}\n"))
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.put(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.put("\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().lock().flush()
    }
}

impl Spinner {
    /// Start spinning. `prefix` is already clean.
    pub fn start(prefix: String) -> Spinner {
        let target = indicatif::ProgressDrawTarget::term_like_with_hz(Box::new(SpinnerTerm), 10);
        let bar = indicatif::ProgressBar::with_draw_target(None, target);
        let style = indicatif::ProgressStyle::with_template("{spinner} {prefix} {took:>4} · {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
            // Whole seconds from the first frame: `0s`, `12s`, `3m5s`.
            .with_key(
                "took",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let secs = Duration::from_secs(state.elapsed().as_secs());
                    let shown = match secs.is_zero() {
                        true => "0s".to_owned(),
                        false => crate::units::human_duration(secs),
                    };
                    let _ = w.write_str(&shown);
                },
            );
        bar.set_style(style);
        let cols = columns(&prefix);
        bar.set_prefix(prefix);
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner {
            bar,
            prefix: cols,
            _guard: TerminalGuard::acquire(),
        }
    }

    /// The spinner's message (made clean here: it may carry a server's words).
    pub fn say(&self, msg: &str) {
        let msg = crate::sanitize::line(msg);
        self.bar.set_message(spinner_news(&msg, self.prefix, width()));
    }

    /// After a stop and resume: draw again now.
    pub fn invalidate(&self) {
        self.bar.tick();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinner_message_too_long_for_the_terminal_ends_in_an_ellipsis() {
        let msg = "the bridge gave up on the request after 30s (HTTP 408); following the connection it answered on and its status";
        let cut = spinner_news(msg, "kiro.generateCode".len(), 80);
        assert!(cut.ends_with('…'), "{cut}");
        assert_eq!(columns(&cut), 80 - 17 - SPINNER_FRAME);
        assert_eq!(spinner_news("waiting", 17, 80), "waiting");
    }

    #[test]
    fn lines_are_cut_by_display_columns_keeping_colours_whole() {
        let coloured = format!("\x1b[32m{}\x1b[39m tail", "x".repeat(30));
        assert_eq!(columns(&coloured), 35);
        let cut = fit(&coloured, 10);
        assert_eq!(columns(&cut), 10);
        assert!(cut.starts_with("\x1b[32mxxxxxxxxx…"), "{cut:?}");
        assert_eq!(fit("short", 10), "short");
    }

    #[test]
    fn the_line_is_written_only_when_its_text_changes() {
        let mut l = LiveLine::default();
        assert!(l.draw("● ready │ next poll in 9s").is_some());
        assert!(
            l.draw("● ready │ next poll in 9s").is_none(),
            "same text: nothing written"
        );
        assert!(l.draw("● ready │ next poll in 8s").is_some());
        assert!(l.clear().is_some());
        assert!(l.clear().is_none(), "nothing on screen: nothing to clear");
        assert!(
            l.draw("● ready │ next poll in 8s").is_some(),
            "cleared: drawn again"
        );
        mark_cleared();
        assert!(
            l.draw("● ready │ next poll in 8s").is_some(),
            "a log line cleared it"
        );
    }

    #[test]
    fn wide_characters_count_for_two_columns() {
        assert_eq!(columns("日本語"), 6);
        assert_eq!(columns("e\u{301}"), 1, "a combining accent takes no column");
        let cut = fit("日本語テキスト", 7);
        assert_eq!(cut, "日本語…");
        assert!(columns(&cut) <= 7);
    }

    #[test]
    fn a_line_drawn_wider_than_the_terminal_now_is_erased_row_by_row() {
        assert_eq!(rows_of(&[76], 80), 1);
        assert_eq!(rows_of(&[76], 40), 2, "narrowed: it wrapped onto two rows");
        assert_eq!(rows_of(&[76, 10, 0], 30), 3 + 1 + 1);
        assert_eq!(erase(2), b"\x1b[1A\r\x1b[J".to_vec());
    }
}
