//! The terminal guard: while a live view is on screen the cursor is hidden; on every exit
//! (normal, error, Ctrl-C, panic) the status line is cleared and the cursor shown again.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// True while a live status line may be on the last line of the terminal.
pub fn live() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut err = std::io::stderr();
        let _ = crossterm::execute!(
            err,
            crossterm::cursor::MoveToColumn(0),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::CurrentLine),
            crossterm::cursor::Show
        );
        let _ = err.flush();
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
