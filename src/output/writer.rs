//! Standard output, written off the polling loop. A reader that stops reading (a paused
//! `less`, a stuck pipe) blocks only the writer thread: polls, `--timeout` and signals go on.
//! What waits to be written is bounded (8 MiB); past that, lines are dropped and counted, and
//! the count is told on stderr. A reader that went away (EPIPE, or a pipe whose read end is
//! closed, noticed even when nothing is written where the platform can: see
//! `platform::watch_stdout_reader`) ends the watch quietly.
//! The loop awaits `gone()`.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// Most bytes waiting for a slow reader.
pub const QUEUE_CAP: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct Shared {
    queued: AtomicUsize,
    dropped: AtomicU64,
    closed: AtomicBool,
    /// Why a write failed, when it was not the reader going away (a full disk, an I/O error).
    failed: std::sync::Mutex<Option<String>>,
    /// Told once when `closed` is set.
    gone: tokio::sync::Notify,
}

impl Shared {
    fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.gone.notify_one();
        }
    }
}

/// How long to wait before writing again to a non-blocking stream that was full.
const FULL_PAUSE: Duration = Duration::from_millis(2);

/// Write all of `buf` and flush, as `write_all` does, but also through a stream that is
/// non-blocking (`O_NONBLOCK`, set by whoever shares it): a full one (`WouldBlock`) is written
/// again after a pause, so a line is never cut and the writer never gives up on it.
pub fn write_whole(w: &mut impl Write, mut buf: &[u8]) -> std::io::Result<()> {
    use std::io::ErrorKind::{Interrupted, WouldBlock, WriteZero};
    while !buf.is_empty() {
        match w.write(buf) {
            Ok(0) => return Err(WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == Interrupted => {}
            Err(e) if e.kind() == WouldBlock => std::thread::sleep(FULL_PAUSE),
            Err(e) => return Err(e),
        }
    }
    loop {
        match w.flush() {
            Ok(()) => return Ok(()),
            Err(e) if matches!(e.kind(), Interrupted | WouldBlock) => std::thread::sleep(FULL_PAUSE),
            Err(e) => return Err(e),
        }
    }
}

/// Which stream a buffer goes to. The live line (stderr) travels in the same queue as the
/// log (stdout), so on a terminal the two never overtake each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Out,
    Err,
}

enum Msg {
    Write(Target, Vec<u8>),
    /// Answer when everything queued before has been written.
    Sync(mpsc::Sender<()>),
}

/// The sending side; cheap to call from the loop, never blocks.
pub struct Stdout {
    tx: Option<mpsc::Sender<Msg>>,
    shared: Arc<Shared>,
    done: mpsc::Receiver<()>,
}

impl Stdout {
    /// Start the writer thread over the process's stdout, and the watch on its reader.
    pub fn spawn() -> Stdout {
        let out = Self::spawn_on(std::io::stdout());
        let shared = Arc::clone(&out.shared);
        crate::platform::watch_stdout_reader(move || shared.close());
        out
    }

    /// Start the writer thread over any writer (tests).
    pub fn spawn_on<W: Write + Send + 'static>(mut w: W) -> Stdout {
        let (tx, rx) = mpsc::channel::<Msg>();
        let (done_tx, done) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            for msg in rx {
                let (target, buf) = match msg {
                    Msg::Write(target, buf) => (target, buf),
                    Msg::Sync(ack) => {
                        let _ = ack.send(());
                        continue;
                    }
                };
                s.queued.fetch_sub(buf.len(), Ordering::SeqCst);
                if target == Target::Err {
                    let _ = write_whole(&mut std::io::stderr().lock(), &buf);
                    continue;
                }
                if let Err(e) = write_whole(&mut w, &buf) {
                    if !crate::error::is_reader_gone(&e) {
                        *s.failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                    }
                    s.close();
                    break;
                }
            }
            let _ = done_tx.send(());
        });
        Stdout {
            tx: Some(tx),
            shared,
            done,
        }
    }

    /// A handle that queues stderr lines in order with everything else (log lines, `-v`).
    pub fn err_sink(&self) -> Option<ErrSink> {
        Some(ErrSink(Sink::Shared {
            tx: self.tx.clone()?,
            shared: Arc::clone(&self.shared),
        }))
    }

    /// Queue whole lines for stdout. Dropped (and counted) when the queue is full.
    pub fn write(&self, buf: Vec<u8>) {
        self.send(Target::Out, buf);
    }

    /// Queue bytes for stderr (the live line), in order with stdout.
    pub fn write_err(&self, buf: Vec<u8>) {
        self.send(Target::Err, buf);
    }

    fn send(&self, target: Target, buf: Vec<u8>) {
        let Some(tx) = &self.tx else { return };
        // Counted before it is sent, so the thread's subtraction never comes first.
        let before = self.shared.queued.fetch_add(buf.len(), Ordering::SeqCst);
        if before + buf.len() > QUEUE_CAP {
            self.shared.queued.fetch_sub(buf.len(), Ordering::SeqCst);
            if target == Target::Out {
                self.shared.dropped.fetch_add(1, Ordering::SeqCst);
            }
            return;
        }
        if tx.send(Msg::Write(target, buf)).is_err() {
            self.shared.close();
        }
    }

    /// Resolves when the reader went away: a write failed, or (for a pipe) its read end is
    /// closed. Never resolves for a reader that stays. It owns what it waits on, so a loop
    /// creates it once and keeps it.
    pub fn gone(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let shared = self.shared.clone();
        async move { shared.gone.notified().await }
    }

    /// Why writing failed, when it was not the reader going away: `/dev/full`'s "No space left
    /// on device" is an error to report, not a quiet end.
    pub fn write_error(&self) -> Option<String> {
        self.shared
            .failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Bytes queued and not written yet.
    pub fn queued(&self) -> usize {
        self.shared.queued.load(Ordering::SeqCst)
    }

    /// Lines dropped because the reader did not keep up.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::SeqCst)
    }

    /// Wait until what is queued now has been written, at most `grace` (a stuck reader).
    pub fn drain(&self, grace: Duration) {
        let Some(tx) = &self.tx else { return };
        let (ack, written) = mpsc::channel();
        if tx.send(Msg::Sync(ack)).is_ok() {
            let _ = written.recv_timeout(grace);
        }
    }

    /// Let what is queued be written, waiting at most `grace` for a reader that is stuck;
    /// then why writing failed, if it did (not the reader going away).
    pub fn finish(mut self, grace: Duration) -> Option<String> {
        drop(self.tx.take());
        let _ = self.done.recv_timeout(grace);
        self.write_error()
    }
}

/// Log lines for stderr (`log_line`, `-v`), off the polling loop. On a terminal they share
/// the stdout writer's queue, in order with the live lines they clear; otherwise they have a
/// writer thread of their own, so a stderr nobody reads (its pipe full) holds up neither the
/// polls nor stdout: what does not fit its bounded queue is dropped.
pub struct ErrSink(Sink);

enum Sink {
    Shared {
        tx: mpsc::Sender<Msg>,
        shared: Arc<Shared>,
    },
    Own(Stdout),
}

impl ErrSink {
    /// A writer thread of its own over the process's stderr.
    pub fn own() -> ErrSink {
        ErrSink(Sink::Own(Stdout::spawn_on(std::io::stderr())))
    }

    pub fn write(&self, buf: Vec<u8>) {
        let (tx, shared) = match &self.0 {
            Sink::Own(w) => return w.write(buf),
            Sink::Shared { tx, shared } => (tx, shared),
        };
        let before = shared.queued.fetch_add(buf.len(), Ordering::SeqCst);
        if before + buf.len() > QUEUE_CAP {
            shared.queued.fetch_sub(buf.len(), Ordering::SeqCst);
            return;
        }
        if let Err(mpsc::SendError(Msg::Write(_, buf))) = tx.send(Msg::Write(Target::Err, buf)) {
            // The writer is gone (its reader left): straight to stderr.
            shared.queued.fetch_sub(buf.len(), Ordering::SeqCst);
            let _ = write_whole(&mut std::io::stderr().lock(), &buf);
        }
    }

    /// Let what is queued be written, at most `grace` for a stderr that is stuck.
    pub fn finish(self, grace: Duration) {
        if let Sink::Own(w) = self.0 {
            let _ = w.finish(grace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Slow(Arc<Mutex<Vec<u8>>>, Arc<AtomicBool>);
    impl Write for Slow {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            while self.1.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stuck_reader_never_blocks_the_caller_and_the_queue_is_bounded() {
        let out = Arc::new(Mutex::new(Vec::new()));
        let stuck = Arc::new(AtomicBool::new(true));
        let w = Stdout::spawn_on(Slow(out.clone(), stuck.clone()));
        let line = vec![b'x'; 1024 * 1024];
        for _ in 0..20 {
            w.write(line.clone()); // returns at once although nothing is written
        }
        assert!(
            w.dropped() >= 11,
            "at most 8 MiB queued (+1 being written): {}",
            w.dropped()
        );
        stuck.store(false, Ordering::SeqCst);
        let dropped = w.dropped();
        w.finish(Duration::from_secs(5));
        let written = out.lock().unwrap().len();
        assert_eq!(written as u64, (20 - dropped) * 1024 * 1024);
    }

    #[test]
    fn drain_returns_once_what_was_queued_is_written() {
        let out = Arc::new(Mutex::new(Vec::new()));
        let w = Stdout::spawn_on(Slow(out.clone(), Arc::new(AtomicBool::new(false))));
        for _ in 0..100 {
            w.write(b"line\n".to_vec());
        }
        w.drain(Duration::from_secs(5));
        assert_eq!(out.lock().unwrap().len(), 500);
    }

    #[tokio::test]
    async fn a_full_disk_is_an_error_and_a_closed_pipe_is_not() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "No space left on device",
                ))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let w = Stdout::spawn_on(Full);
        w.write(b"x\n".to_vec());
        tokio::time::timeout(Duration::from_secs(5), w.gone())
            .await
            .unwrap();
        assert_eq!(w.write_error().as_deref(), Some("No space left on device"));
    }

    #[tokio::test]
    async fn a_failed_write_marks_the_reader_gone() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let w = Stdout::spawn_on(Broken);
        w.write(b"x\n".to_vec());
        let told = tokio::time::timeout(Duration::from_secs(5), w.gone()).await;
        assert!(told.is_ok(), "gone() resolves once a write fails");
        assert_eq!(w.write_error(), None, "a closed pipe is a quiet end");
    }

    /// A non-blocking stream that is full every other call and takes 3 bytes at a time.
    struct Choppy(Vec<u8>, u32);
    impl Write for Choppy {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.1 += 1;
            if self.1 % 2 == 1 {
                return Err(std::io::ErrorKind::WouldBlock.into());
            }
            let n = b.len().min(3);
            self.0.extend_from_slice(&b[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_non_blocking_stream_gets_the_whole_line_later() {
        let mut w = Choppy(Vec::new(), 0);
        write_whole(&mut w, b"{\"jsonrpc\":\"2.0\"}\n").unwrap();
        assert_eq!(w.0, b"{\"jsonrpc\":\"2.0\"}\n");
    }
}
