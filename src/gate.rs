//! Who gets a connection slot on kiro-poll's own small servers (the exporter's `--metrics`,
//! `mock-bridge`). A client that connects and sends nothing, or only part of a request, must
//! not keep a real one out: the number of connections is capped; when the cap is reached, a
//! newcomer waits at the door (`KNOCK_GRACE`, at most `KNOCKING` at once) until its whole
//! request head has arrived (a scrape sends it at once), then takes the slot of the oldest
//! connection that has not yet sent a whole request (those serving a request keep theirs); one
//! that shows no whole head in time, or finds the door crowded, is closed. A connection that
//! has sent no whole request within the header timeout is closed too. So a scrape is answered
//! while idle or slow-header clients reconnect as fast as they can, and descriptors stay
//! bounded (`cap + KNOCKING`). Evicting for any newcomer would not do (clients that reconnect
//! the moment they are closed evict a scrape before it is read), nor would closing every
//! newcomer at once (they reconnect in a busy loop that starves the process).
//!
//! (hyper's `header_read_timeout` starts only at a request's first byte, so it alone does not
//! close a connection that sends nothing.)

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// Newcomers waiting at a full gate at once, at most.
pub const KNOCKING: usize = 128;

/// How long a newcomer at a full gate has to show its whole request head.
pub const KNOCK_GRACE: Duration = Duration::from_millis(250);

/// Connection slots, at most `cap`, and the door of a full gate.
pub struct Gate {
    cap: usize,
    open: Mutex<VecDeque<Slot>>,
    door: Arc<tokio::sync::Semaphore>,
}

/// What becomes of a connection just accepted.
pub enum Entry {
    /// A slot now.
    In(Ticket),
    /// The gate is full: wait at the door (`Gate::knocked`).
    Knock(tokio::sync::OwnedSemaphorePermit),
    /// Close it at once.
    Out,
}

struct Slot {
    asked: Arc<AtomicBool>,
    /// Dropped by the connection when it ends (then `is_closed`); sent to evict it.
    evict: oneshot::Sender<()>,
}

/// One admitted connection: mark it `asked` when a whole request came; `evicted` resolves when
/// a newcomer took its slot.
pub struct Ticket {
    asked: Arc<AtomicBool>,
    evicted: oneshot::Receiver<()>,
}

impl Gate {
    pub fn new(cap: usize) -> Gate {
        Gate {
            cap: cap.max(1),
            open: Mutex::new(VecDeque::new()),
            door: Arc::new(tokio::sync::Semaphore::new(KNOCKING)),
        }
    }

    /// Most descriptors its connections hold at once.
    pub fn most(cap: usize) -> usize {
        cap + KNOCKING
    }

    /// A slot for the connection just accepted, or a place at the door when full.
    pub fn enter(&self) -> Entry {
        if let Some(t) = self.admit(false) {
            return Entry::In(t);
        }
        match Arc::clone(&self.door).try_acquire_owned() {
            Ok(p) => Entry::Knock(p),
            Err(_) => Entry::Out,
        }
    }

    /// A newcomer at the door of a full gate: a slot once its whole request head has arrived
    /// (a free one, or the oldest idle one's), within `KNOCK_GRACE`; None: close it.
    pub async fn knocked(
        &self,
        stream: &tokio::net::TcpStream,
        _at_door: tokio::sync::OwnedSemaphorePermit,
    ) -> Option<Ticket> {
        let wait = async {
            loop {
                if stream.readable().await.is_err() {
                    return false;
                }
                if head_arrived(stream) {
                    return true;
                }
                // Part of a head (or a close): look again shortly, not in a busy loop.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        match tokio::time::timeout(KNOCK_GRACE, wait).await {
            Ok(true) => self.admit(true),
            _ => None,
        }
    }

    /// A slot for a new connection: a free one, or with `evict`, the oldest one whose
    /// connection has sent no whole request yet (that connection is told to close). None: no
    /// free slot (with `evict`: every slot serves a request).
    pub fn admit(&self, evict: bool) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|s| !s.evict.is_closed());
        if open.len() >= self.cap {
            if !evict {
                return None;
            }
            let idle = open.iter().position(|s| !s.asked.load(Ordering::Acquire))?;
            if let Some(slot) = open.remove(idle) {
                let _ = slot.evict.send(());
            }
        }
        let asked = Arc::new(AtomicBool::new(false));
        let (evict, evicted) = oneshot::channel();
        open.push_back(Slot {
            asked: Arc::clone(&asked),
            evict,
        });
        Some(Ticket { asked, evicted })
    }

    /// Connections holding a slot now.
    #[cfg(test)]
    fn open(&self) -> usize {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|s| !s.evict.is_closed());
        open.len()
    }
}

impl Ticket {
    /// What a service calls when a whole request came (its headers read).
    pub fn asked(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.asked)
    }

    /// Serve `conn` until it ends, its slot is taken by a newcomer, or it has sent no whole
    /// request within `header_timeout`; the slot is free when this returns.
    pub async fn serve<F: Future>(self, conn: F, header_timeout: Duration) {
        let asked = Arc::clone(&self.asked);
        let header_deadline = async move {
            tokio::time::sleep(header_timeout).await;
            if asked.load(Ordering::Acquire) {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = conn => {}
            _ = self.evicted => {}
            _ = header_deadline => {}
        }
    }
}

/// The first request's head (up to its blank line) is already in the socket's buffer: a peek,
/// which takes nothing from it.
fn head_arrived<S>(stream: &S) -> bool
where
    for<'s> socket2::SockRef<'s>: From<&'s S>,
{
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 4096];
    let Ok(n) = socket2::SockRef::from(stream).peek(&mut buf) else {
        return false;
    };
    // SAFETY: `peek` initialised the first `n` bytes.
    let got = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n) };
    got.windows(4).any(|w| w == b"\r\n\r\n")
}

/// Mark a ticket's connection as having sent a whole request.
pub fn mark(asked: &AtomicBool) {
    asked.store(true, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_head_is_seen_without_taking_it() {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut half = std::net::TcpStream::connect(addr).unwrap();
        half.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n").unwrap();
        let (half_taken, _) = listener.accept().unwrap();
        let mut whole = std::net::TcpStream::connect(addr).unwrap();
        whole
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let (taken, _) = listener.accept().unwrap();
        // Seen once it has arrived, and seen again: a peek takes nothing.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !head_arrived(&taken) {
            assert!(
                std::time::Instant::now() < deadline,
                "the whole head never arrived"
            );
            std::thread::yield_now();
        }
        assert!(head_arrived(&taken));
        // Sent before it, on loopback: here by now, and no whole head.
        assert!(!head_arrived(&half_taken), "half a head");
    }

    #[test]
    fn a_newcomer_takes_the_oldest_idle_slot_never_a_busy_one() {
        let gate = Gate::new(3);
        let a = gate.admit(false).unwrap();
        let b = gate.admit(false).unwrap();
        let mut c = gate.admit(false).unwrap();
        mark(&a.asked());
        assert!(gate.admit(false).is_none(), "full");
        // Full: the oldest that has asked nothing (b) is evicted, a keeps its slot.
        let d = gate.admit(true).unwrap();
        let mut b = b;
        assert!(b.evicted.try_recv().is_ok(), "b evicted");
        assert!(c.evicted.try_recv().is_err(), "c kept");
        assert_eq!(gate.open(), 3);
        // Every slot serving a request: the newcomer is refused.
        mark(&c.asked());
        mark(&d.asked());
        assert!(gate.admit(true).is_none());
        // A connection that ends frees its slot.
        drop(a);
        assert_eq!(gate.open(), 2);
        assert!(gate.admit(false).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_asks_nothing_is_closed_at_the_header_timeout() {
        let gate = Gate::new(2);
        let t = gate.admit(false).unwrap();
        let started = tokio::time::Instant::now();
        t.serve(std::future::pending::<()>(), Duration::from_secs(2))
            .await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        // One that asked is served until it ends.
        let t = gate.admit(false).unwrap();
        mark(&t.asked());
        let started = tokio::time::Instant::now();
        t.serve(tokio::time::sleep(Duration::from_secs(7)), Duration::from_secs(2))
            .await;
        assert_eq!(started.elapsed(), Duration::from_secs(7));
        assert_eq!(gate.open(), 0);
    }
}
