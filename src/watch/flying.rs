//! The polls in flight. A `FuturesUnordered` that polls all of its futures to pending wakes its
//! task again (so it never starves the executor), and with one poll in flight, which is a
//! single bridge always and a quiet fleet mostly, that is one more trip round the loop per
//! wake-up. So the first poll in flight sits in a slot of its own, polled directly; the rest
//! go to the set.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, StreamExt};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub struct Flying<'a, T> {
    first: Option<Boxed<'a, T>>,
    many: FuturesUnordered<Boxed<'a, T>>,
}

impl<'a, T> Flying<'a, T> {
    pub fn new() -> Self {
        Flying {
            first: None,
            many: FuturesUnordered::new(),
        }
    }

    pub fn push(&mut self, f: Boxed<'a, T>) {
        match self.first {
            None => self.first = Some(f),
            Some(_) => self.many.push(f),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none() && self.many.is_empty()
    }

    /// The next poll to end; pending while none does (and for ever when there are none).
    pub async fn next(&mut self) -> T {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        if let Some(f) = &mut self.first {
            if let Poll::Ready(out) = f.as_mut().poll(cx) {
                self.first = None;
                return Poll::Ready(out);
            }
        }
        if self.many.is_empty() {
            return Poll::Pending;
        }
        match self.many.poll_next_unpin(cx) {
            Poll::Ready(Some(out)) => Poll::Ready(out),
            Poll::Ready(None) | Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_poll_comes_back_once_in_the_order_it_ends() {
        let mut f: Flying<'_, u32> = Flying::new();
        assert!(f.is_empty());
        let (tx1, rx1) = tokio::sync::oneshot::channel::<()>();
        f.push(Box::pin(async move {
            let _ = rx1.await;
            1
        }));
        f.push(Box::pin(async { 2 }));
        f.push(Box::pin(async { 3 }));
        let mut got = vec![f.next().await, f.next().await];
        got.sort();
        assert_eq!(got, [2, 3], "the set's polls end while the slot's waits");
        assert!(!f.is_empty());
        let _ = tx1.send(());
        assert_eq!(f.next().await, 1);
        assert!(f.is_empty());
        let never = tokio::time::timeout(std::time::Duration::from_millis(20), f.next()).await;
        assert!(never.is_err(), "nothing in flight: pending");
    }
}
