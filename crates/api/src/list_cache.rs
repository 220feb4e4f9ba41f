//! Video list pages and totals kept in memory under the version of the data they were computed
//! from ([`kinora_db::video_lists::version`]): a request asks the database for that one number
//! and, while it has not moved, answers with the page's JSON as it was written, without the
//! queries and shaping of a page. Any change to what a list shows (a new, deleted, hidden or
//! renamed video, its files, channel, account, followers, mirrors) moves the version in the same
//! transaction, whoever makes it, and empties the cache at the next request.
//!
//! Memory is bounded: at most [`MAX_PAGES`] pages and [`MAX_BYTES`] of JSON, [`MAX_TOTALS`]
//! totals; past that the cache starts again empty (lists with arbitrary search text cannot grow
//! it without bound). A page missing is computed by one request while the others asking for it
//! wait ([`ListCache::flight`]), not by every connection at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

/// Most pages kept.
pub const MAX_PAGES: usize = 256;
/// Most bytes of page JSON kept.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// Most totals kept.
pub const MAX_TOTALS: usize = 1024;

/// Pages and totals of one version.
#[derive(Debug, Default)]
struct Entries {
    version: i64,
    pages: HashMap<String, Bytes>,
    bytes: usize,
    totals: HashMap<String, i64>,
}

impl Entries {
    /// Forgets everything computed under another version.
    fn at(&mut self, version: i64) -> &mut Self {
        if self.version != version {
            *self = Entries {
                version,
                ..Entries::default()
            };
        }
        self
    }
}

/// The cache (one per server, in [`crate::ApiState`]).
#[derive(Debug, Default)]
pub struct ListCache {
    entries: Mutex<Entries>,
    /// One lock per page being computed.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// What the HLS file route knows of public videos, kept under the same version.
    pub segments: crate::segment_cache::SegmentCache,
}

/// How often pages were found and computed (for tests and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Pages answered from memory.
    pub hits: u64,
    /// Pages computed.
    pub misses: u64,
}

impl ListCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The JSON of page `key` computed under `version`, if kept.
    pub fn page(&self, version: i64, key: &str) -> Option<Bytes> {
        let found = self.entries().at(version).pages.get(key).cloned();
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps page `key` computed under `version` (nothing if the version has moved since).
    pub fn keep_page(&self, version: i64, key: String, body: Bytes) {
        let mut entries = self.entries();
        if entries.version != version || body.len() > MAX_BYTES {
            return;
        }
        if entries.pages.len() >= MAX_PAGES || entries.bytes + body.len() > MAX_BYTES {
            entries.pages.clear();
            entries.bytes = 0;
        }
        entries.bytes += body.len();
        if let Some(old) = entries.pages.insert(key, body) {
            entries.bytes -= old.len();
        }
    }

    /// The total of list `key` counted under `version`, if kept.
    pub fn total(&self, version: i64, key: &str) -> Option<i64> {
        self.entries().at(version).totals.get(key).copied()
    }

    /// Keeps the total of list `key` counted under `version`.
    pub fn keep_total(&self, version: i64, key: String, total: i64) {
        let mut entries = self.entries();
        if entries.version != version {
            return;
        }
        if entries.totals.len() >= MAX_TOTALS {
            entries.totals.clear();
        }
        entries.totals.insert(key, total);
    }

    /// The lock of page `key`: who holds it computes the page, the others wait and then find
    /// it kept. Locks nobody holds are dropped once there are [`MAX_PAGES`] of them.
    pub fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if flights.len() >= MAX_PAGES {
            flights.retain(|_, flight| Arc::strong_count(flight) > 1);
        }
        flights.entry(key.to_owned()).or_default().clone()
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_totals_hold_for_their_version_only() {
        let cache = ListCache::default();
        assert_eq!(cache.page(1, "a"), None);
        cache.keep_page(1, "a".into(), Bytes::from_static(b"{}"));
        cache.keep_total(1, "f".into(), 7);
        assert_eq!(cache.page(1, "a").as_deref(), Some(&b"{}"[..]));
        assert_eq!(cache.total(1, "f"), Some(7));
        assert_eq!(cache.stats(), CacheStats { hits: 1, misses: 1 });
        // The version moved: everything is computed again, and a page of the old one is refused.
        assert_eq!(cache.page(2, "a"), None);
        assert_eq!(cache.total(2, "f"), None);
        cache.keep_page(1, "a".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.page(2, "a"), None);
    }

    #[test]
    fn one_lock_per_page_and_idle_locks_go() {
        let cache = ListCache::default();
        let held = cache.flight("a");
        assert!(Arc::ptr_eq(&held, &cache.flight("a")));
        assert!(!Arc::ptr_eq(&held, &cache.flight("b")));
        for i in 0..MAX_PAGES * 3 {
            drop(cache.flight(&i.to_string()));
            assert!(cache.flights.lock().unwrap().len() <= MAX_PAGES + 1);
        }
        assert!(Arc::ptr_eq(&held, &cache.flight("a")), "a held lock stays");
    }

    #[test]
    fn memory_stays_bounded() {
        let cache = ListCache::default();
        cache.page(1, "");
        for i in 0..MAX_PAGES * 3 {
            cache.keep_page(1, i.to_string(), Bytes::from(vec![0u8; 64 * 1024]));
            let entries = cache.entries();
            assert!(entries.pages.len() <= MAX_PAGES && entries.bytes <= MAX_BYTES);
        }
        for i in 0..MAX_TOTALS * 3 {
            cache.keep_total(1, i.to_string(), 1);
            assert!(cache.entries().totals.len() <= MAX_TOTALS);
        }
    }
}
