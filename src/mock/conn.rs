//! The simulator's connections, served one by one as the real bridge's Node server serves them
//! (BEHAVIOUR.md): kept alive, closed `KEEP_ALIVE` after their last answer when nothing else
//! comes, and destroyed when an execute answered 408 on them ends (`ConnHandle::destroy`,
//! which the execute route calls). `axum::serve` hides the connection; this loop keeps it.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long the real bridge keeps an idle connection (Node's `keepAliveTimeout`, `Keep-Alive:
/// timeout=5`).
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Most connections a simulator keeps at once; past it a newcomer takes the slot of the oldest
/// connection that has sent no whole request (`crate::gate`), so idle sockets cannot keep a
/// client out, and descriptors stay bounded.
pub const MAX_CONNECTIONS: usize = 256;

/// A connection must have sent its first request's headers by then.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection's state, shared with the requests on it.
struct Conn {
    destroy: Notify,
    /// Told when an answer is done, to start the idle timer again.
    answered: Notify,
    in_flight: AtomicUsize,
    last_answer: Mutex<Instant>,
}

impl Conn {
    fn last_answer(&self) -> Instant {
        *self.last_answer.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The connection a request came on, as a route sees it (a request extension).
#[derive(Clone)]
pub struct ConnHandle(Arc<Conn>);

impl ConnHandle {
    /// Close the connection at once, whatever is in flight on it (Express destroying the
    /// socket when a late answer throws).
    pub fn destroy(&self) {
        self.0.destroy.notify_one();
    }
}

/// Accept and serve connections until `stop`; then let answers in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut conns = JoinSet::new();
    let (shut_tx, shut_rx) = watch::channel(false);
    let gate = Arc::new(crate::gate::Gate::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let entry = gate.enter();
                    if !matches!(entry, crate::gate::Entry::Out) {
                        let (app, shut, gate) = (app.clone(), shut_rx.clone(), Arc::clone(&gate));
                        conns.spawn(async move {
                            let ticket = match entry {
                                crate::gate::Entry::In(t) => t,
                                crate::gate::Entry::Knock(at_door) => match gate.knocked(&stream, at_door).await {
                                    Some(t) => t,
                                    None => return,
                                },
                                crate::gate::Entry::Out => return,
                            };
                            let asked = ticket.asked();
                            ticket.serve(connection(stream, app, shut, asked), HEADER_TIMEOUT).await;
                        });
                    }
                }
                // Out of descriptors, a connection reset before it was taken: wait a little,
                // as a server does, rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let _ = shut_tx.send(true);
    while conns.join_next().await.is_some() {}
}

async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    mut shutdown: watch::Receiver<bool>,
    asked: Arc<std::sync::atomic::AtomicBool>,
) {
    let _ = stream.set_nodelay(true);
    let conn = Arc::new(Conn {
        destroy: Notify::new(),
        answered: Notify::new(),
        in_flight: AtomicUsize::new(0),
        last_answer: Mutex::new(Instant::now()),
    });
    let shared = conn.clone();
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        crate::gate::mark(&asked);
        let conn = shared.clone();
        let mut app = app.clone();
        req.extensions_mut().insert(ConnHandle(conn.clone()));
        conn.in_flight.fetch_add(1, Ordering::SeqCst);
        async move {
            let resp = tower_service::Service::call(&mut app, req).await;
            *conn.last_answer.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
            conn.in_flight.fetch_sub(1, Ordering::SeqCst);
            conn.answered.notify_one();
            Ok::<_, Infallible>(resp.unwrap_or_else(|e| match e {}))
        }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(served);
    let mut closing = false;
    loop {
        let idle_at = conn.last_answer() + KEEP_ALIVE;
        let busy = conn.in_flight.load(Ordering::SeqCst) > 0;
        tokio::select! {
            _ = served.as_mut() => return,
            // Dropping the connection closes the socket, whatever is in flight.
            _ = conn.destroy.notified() => return,
            changed = shutdown.changed(), if !closing => {
                closing = true;
                if changed.is_ok() {
                    served.as_mut().graceful_shutdown();
                }
            }
            _ = conn.answered.notified() => {}
            _ = tokio::time::sleep_until(idle_at), if !busy => {
                let idle = conn.in_flight.load(Ordering::SeqCst) == 0
                    && conn.last_answer().elapsed() >= KEEP_ALIVE;
                if idle {
                    return;
                }
            }
        }
    }
}
