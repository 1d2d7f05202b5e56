//! The status cache: the last status with its validators (ETag, Last-Modified) and its
//! fingerprint. A 304, or a 200 whose fingerprint matches, hands back the cached value itself,
//! so the engine can tell "unchanged" by pointer and nothing is copied.

use std::sync::{Arc, Mutex};

use reqwest::header::HeaderValue;

use crate::model::KiroStatus;

struct Entry {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
    status: Arc<KiroStatus>,
    fingerprint: u64,
}

#[derive(Default)]
pub struct StatusCache(Mutex<Option<Entry>>);

impl StatusCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Entry>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The validators to send with the next request.
    pub fn validators(&self) -> (Option<HeaderValue>, Option<HeaderValue>) {
        match self.lock().as_ref() {
            Some(e) => (e.etag.clone(), e.last_modified.clone()),
            None => (None, None),
        }
    }

    /// The cached status (for a 304).
    pub fn status(&self) -> Option<Arc<KiroStatus>> {
        self.lock().as_ref().map(|e| Arc::clone(&e.status))
    }

    /// The cached status when it has this fingerprint.
    pub fn same_as(&self, fingerprint: u64) -> Option<Arc<KiroStatus>> {
        self.lock()
            .as_ref()
            .filter(|e| e.fingerprint == fingerprint)
            .map(|e| Arc::clone(&e.status))
    }

    pub fn store(
        &self,
        status: Arc<KiroStatus>,
        fingerprint: u64,
        etag: Option<HeaderValue>,
        last_modified: Option<HeaderValue>,
    ) {
        *self.lock() = Some(Entry {
            etag: etag.filter(usable_etag),
            last_modified,
            status,
            fingerprint,
        });
    }
}

/// `If-None-Match: *` matches anything: an ETag of `*` (or an empty or huge one) is never kept.
pub fn usable_etag(v: &HeaderValue) -> bool {
    let s = v.as_bytes();
    !s.is_empty() && s != b"*" && s.len() < 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_etag_is_never_stored() {
        assert!(!usable_etag(&HeaderValue::from_static("*")));
        assert!(usable_etag(&HeaderValue::from_static("W/\"89-abc\"")));
        let c = StatusCache::default();
        let s = Arc::new(KiroStatus {
            status: crate::model::KiroState::Ready,
            current_command: None,
            version: None,
            available_commands: vec![],
            timestamp: None,
        });
        c.store(s, 1, Some(HeaderValue::from_static("*")), None);
        assert_eq!(c.validators().0, None);
        assert!(c.same_as(1).is_some() && c.same_as(2).is_none());
    }
}
