//! The `kiro://status` resource: who is subscribed (a 2025-era `resources/subscribe`, and
//! each 2026 `subscriptions/listen` stream that names it), and the poll loop that runs while
//! anyone is: the driver of a wait on one bridge (`crate::driver`: the engine's adaptive
//! intervals, ETags, backoff and breaker, the connection kept only when the next poll comes
//! before the pool would drop it). Each event that changes what the resource reads as sends
//! `notifications/resources/updated`. Nobody subscribed, no polling.

use std::sync::{Arc, Mutex};

use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::{Peer, SubscriptionSink};
use rmcp::RoleServer;

use crate::client::BridgeClient;
use crate::driver::Driver;
use crate::engine::observe::{Next, Note, Observer, Polled, Updates};
use crate::engine::EngineConfig;
use crate::model::KiroStatus;
use crate::stops::Forever;

pub const URI: &str = "kiro://status";

/// At most this many listen streams open at once (each holds a task and a sink).
pub const MAX_LISTENS: usize = 64;

/// Whether the poll loop starts, stops, or goes on as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Start,
    Stop,
    Same,
}

/// Pure: what a change in the number of subscribers does to the poll loop. It runs while
/// anyone is subscribed.
pub fn turn(before: usize, after: usize) -> Turn {
    match (before, after) {
        (0, n) if n > 0 => Turn::Start,
        (b, 0) if b > 0 => Turn::Stop,
        _ => Turn::Same,
    }
}

#[derive(Default)]
struct State {
    /// The session that subscribed the 2025 way (one per session: subscribing twice is once).
    legacy: Option<Peer<RoleServer>>,
    /// The open listen streams that name the resource, by a number of ours.
    sinks: Vec<(u64, SubscriptionSink)>,
    next_sink: u64,
    poller: Option<tokio::task::JoinHandle<()>>,
    /// What the poll loop last read: the status, None while it fails.
    latest: Option<Arc<KiroStatus>>,
}

impl State {
    /// Who wants the resource's updates.
    fn subscribers(&self) -> usize {
        usize::from(self.legacy.is_some()) + self.sinks.len()
    }
}

/// The resource's subscribers and poll loop.
pub struct Resource {
    client: Arc<BridgeClient>,
    engine: EngineConfig,
    state: Mutex<State>,
}

impl Resource {
    pub fn new(client: Arc<BridgeClient>, engine: EngineConfig) -> Arc<Resource> {
        Arc::new(Resource {
            client,
            engine,
            state: Mutex::new(State::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The status the poll loop last read, while it polls and the bridge answers.
    pub fn latest(&self) -> Option<Arc<KiroStatus>> {
        self.lock().latest.clone()
    }

    /// Change who is subscribed, and start or stop the poll loop as that says; what `change`
    /// returns.
    fn subscribers<R>(self: &Arc<Self>, change: impl FnOnce(&mut State) -> R) -> R {
        let mut st = self.lock();
        let before = st.subscribers();
        let r = change(&mut st);
        match turn(before, st.subscribers()) {
            Turn::Start => {
                let me = Arc::clone(self);
                st.poller = Some(tokio::spawn(async move { me.poll().await }));
            }
            Turn::Stop => {
                if let Some(p) = st.poller.take() {
                    p.abort();
                }
                st.latest = None;
            }
            Turn::Same => {}
        }
        r
    }

    pub fn subscribe(self: &Arc<Self>, peer: Peer<RoleServer>) {
        self.subscribers(|st| st.legacy = Some(peer));
    }

    pub fn unsubscribe(self: &Arc<Self>) {
        self.subscribers(|st| st.legacy = None);
    }

    /// A listen stream that names the resource, until `unlisten` with the number returned;
    /// None when `MAX_LISTENS` are open.
    pub fn listen(self: &Arc<Self>, sink: SubscriptionSink) -> Option<u64> {
        self.subscribers(|st| {
            if st.sinks.len() >= MAX_LISTENS {
                return None;
            }
            let id = st.next_sink;
            st.next_sink += 1;
            st.sinks.push((id, sink));
            Some(id)
        })
    }

    pub fn unlisten(self: &Arc<Self>, id: u64) {
        self.subscribers(|st| st.sinks.retain(|(i, _)| *i != id));
    }

    /// Tell every subscriber the resource changed.
    async fn updated(&self) {
        let (legacy, sinks) = {
            let st = self.lock();
            let sinks: Vec<SubscriptionSink> = st.sinks.iter().map(|(_, s)| s.clone()).collect();
            (st.legacy.clone(), sinks)
        };
        if let Some(peer) = legacy {
            let _ = peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(URI))
                .await;
        }
        for s in sinks {
            let _ = s.notify_resource_updated(URI).await;
        }
    }

    /// The poll loop, while anyone is subscribed (it is aborted when the last one goes): the
    /// driver of a wait on one bridge, its observer "worth an update", which a rejected key
    /// ends (it is never sent again).
    async fn poll(self: Arc<Self>) {
        let mut driver = Driver::new(&self.client, self.engine.clone());
        let me = Arc::clone(&self);
        let mut waiter = Forever(move |note: Note| {
            let me = Arc::clone(&me);
            async move {
                if note == Note::Changed {
                    me.updated().await;
                }
            }
        });
        let mut reading = Reading(&self);
        if let Ok(()) = driver.run(&mut reading, &mut waiter).await {
            crate::output::tell(crate::output::Notice::McpResourceRejected(URI));
        }
    }
}

/// "Worth an update", and the reading kept for `resources/read`: what each poll read.
struct Reading<'a>(&'a Resource);

impl Observer for Reading<'_> {
    type Done = ();

    fn polled(&mut self, p: Polled<'_>) -> Next<()> {
        self.0.lock().latest = p.answer.as_ref().ok().map(|f| Arc::clone(&f.status));
        Updates.polled(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_runs_while_anyone_is_subscribed() {
        assert_eq!(turn(0, 1), Turn::Start);
        assert_eq!(turn(0, 2), Turn::Start);
        assert_eq!(turn(1, 1), Turn::Same, "subscribing twice is once");
        assert_eq!(turn(1, 2), Turn::Same);
        assert_eq!(turn(2, 1), Turn::Same, "a listen stream is still open");
        assert_eq!(turn(1, 0), Turn::Stop);
        assert_eq!(turn(0, 0), Turn::Same, "never below nobody");
    }
}
