//! Who is watching now: PeerTube's `viewers` of a video, the distinct viewers (the user, else the
//! address, as [`crate::views`] knows them) whose player told this process within the last
//! [`VIEWER_WINDOW_MILLIS`]. The player of a live says so every few seconds while it plays.
//!
//! Kept in memory, one counter per server process (PeerTube keeps them in memory too): nothing
//! to write for each "still watching", and nothing left behind by a restart — viewers come back
//! within the window. Only a keyed hash of each viewer is held, and at most
//! [`ViewerCounter::with_capacity`] of them: viewers whose window ended are dropped once a
//! window, and when the counter is full; if it is full of viewers still watching, a new viewer
//! is not counted (the count stays a floor, the memory bounded).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

/// How long a viewer counts after their player last told: a minute, as PeerTube's
/// `VIEW_LIFETIME.VIEWER_COUNTER`.
pub const VIEWER_WINDOW_MILLIS: i64 = 60 * 1000;

/// How many viewers are held by default, across all videos (16 bytes and a map slot each).
pub const DEFAULT_CAPACITY: usize = 200_000;

/// What [`ViewerCounter::arrive`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Not watching this video in the last window: a new viewer (counted).
    New,
    /// Already counted within the window: the viewer goes on watching.
    StillWatching,
    /// The counter is full of viewers still watching: not counted.
    NotCounted,
}

/// The viewers of every video, by video id.
#[derive(Debug)]
pub struct ViewerCounter {
    hasher: RandomState,
    capacity: usize,
    state: Mutex<Viewers>,
}

#[derive(Debug, Default)]
struct Viewers {
    /// Video id → viewer hash → when the viewer last told (ms since the epoch).
    by_video: HashMap<i64, HashMap<u64, i64>>,
    held: usize,
    /// When the viewers whose window ended were last dropped.
    pruned_at: i64,
}

impl Default for ViewerCounter {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl ViewerCounter {
    /// A counter holding at most `capacity` viewers.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            hasher: RandomState::new(),
            capacity,
            state: Mutex::new(Viewers::default()),
        }
    }

    /// Viewer `viewer_key` of video `video_id` told at `now` that they are watching.
    pub fn arrive(&self, video_id: i64, viewer_key: &str, now: i64) -> Arrival {
        let viewer = self.hasher.hash_one(viewer_key);
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Once a window, the gone are dropped (so a quiet video's viewers do not stay held).
        if now.saturating_sub(state.pruned_at) >= VIEWER_WINDOW_MILLIS {
            state.forget_gone(now);
        }
        if let Some(seen) = state
            .by_video
            .get_mut(&video_id)
            .and_then(|viewers| viewers.get_mut(&viewer))
        {
            let fresh = now.saturating_sub(*seen) < VIEWER_WINDOW_MILLIS;
            *seen = now;
            return if fresh {
                Arrival::StillWatching
            } else {
                Arrival::New
            };
        }
        if state.held >= self.capacity {
            state.forget_gone(now);
            if state.held >= self.capacity {
                return Arrival::NotCounted;
            }
        }
        state
            .by_video
            .entry(video_id)
            .or_default()
            .insert(viewer, now);
        state.held += 1;
        Arrival::New
    }

    /// How many viewers of `video_id` told within the window before `now`.
    pub fn count(&self, video_id: i64, now: i64) -> usize {
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.by_video.get(&video_id).map_or(0, |viewers| {
            viewers
                .values()
                .filter(|&&seen| now.saturating_sub(seen) < VIEWER_WINDOW_MILLIS)
                .count()
        })
    }

    /// Drops every viewer whose window ended ([`Self::arrive`] does it once a window).
    pub fn forget_gone(&self, now: i64) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.forget_gone(now);
    }

    /// How many viewers are held, watching or not yet forgotten.
    pub fn held(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .held
    }
}

impl Viewers {
    fn forget_gone(&mut self, now: i64) {
        let mut held = 0;
        self.by_video.retain(|_, viewers| {
            viewers.retain(|_, seen| now.saturating_sub(*seen) < VIEWER_WINDOW_MILLIS);
            held += viewers.len();
            !viewers.is_empty()
        });
        self.held = held;
        self.pruned_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_counts_once_while_watching_and_leaves_after_the_window() {
        let counter = ViewerCounter::default();
        assert_eq!(counter.arrive(1, "ip:192.0.2.1", 0), Arrival::New);
        assert_eq!(
            counter.arrive(1, "ip:192.0.2.1", 10_000),
            Arrival::StillWatching
        );
        assert_eq!(counter.arrive(1, "user:7", 20_000), Arrival::New);
        assert_eq!(
            counter.arrive(2, "user:7", 20_000),
            Arrival::New,
            "another video"
        );
        assert_eq!(counter.count(1, 20_000), 2);
        assert_eq!(counter.count(2, 20_000), 1);
        assert_eq!(counter.count(3, 20_000), 0);
        // The address last told at 10 s: gone a minute later; the user stays until 80 s.
        assert_eq!(counter.count(1, 70_000), 1);
        assert_eq!(counter.count(1, 80_000), 0);
        // Back after the window: a new viewer again.
        assert_eq!(counter.arrive(1, "ip:192.0.2.1", 90_000), Arrival::New);
        assert_eq!(counter.count(1, 90_000), 1);
    }

    #[test]
    fn a_full_counter_forgets_the_gone_then_refuses_new_viewers() {
        let counter = ViewerCounter::with_capacity(3);
        for viewer in ["a", "b", "c"] {
            assert_eq!(counter.arrive(1, viewer, 0), Arrival::New);
        }
        assert_eq!(counter.arrive(1, "d", 1_000), Arrival::NotCounted);
        assert_eq!(
            counter.arrive(1, "a", 1_000),
            Arrival::StillWatching,
            "known viewers go on"
        );
        assert_eq!(counter.count(1, 1_000), 3);
        assert_eq!(counter.held(), 3);
        // Once b and c are gone, there is room again.
        assert_eq!(counter.arrive(2, "d", 60_500), Arrival::New);
        assert_eq!(counter.held(), 2, "a (seen at 1 s) and d");
        counter.forget_gone(200_000);
        assert_eq!(counter.held(), 0);
        assert_eq!(counter.count(1, 200_000), 0);
    }

    #[test]
    fn the_gone_are_dropped_once_a_window_without_a_full_counter() {
        let counter = ViewerCounter::default();
        counter.arrive(5, "a", 0);
        counter.arrive(5, "b", 30_000);
        assert_eq!(counter.held(), 2);
        counter.arrive(6, "c", 70_000);
        assert_eq!(counter.held(), 2, "a is dropped, b (30 s) still counts");
        assert_eq!(counter.count(5, 70_000), 1);
    }
}
