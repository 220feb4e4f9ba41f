//! Watch history: where each user stopped in each video (`user_video_history`), written as the
//! player reports its position (`POST /api/v1/videos/{id}/views` with `currentTime`), for
//! "continue watching" and resuming.
//!
//! Players report every few seconds, some every second. [`HistoryWriter`] coalesces: the first
//! report of a user and video is written at once; later ones within [`COALESCE_WINDOW`] only
//! replace a pending position held in memory, which [`HistoryWriter::flush_due`] (run every
//! second by the server) writes when the window has passed. A user and video thus costs at most
//! one write per window, and the last position reported is the one kept. Reads of one position
//! see the pending one first ([`HistoryWriter::position`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kinora_db::{Db, now_millis};

use crate::AppResult;

/// How long after a write further reports of the same user and video wait in memory.
pub const COALESCE_WINDOW: Duration = Duration::from_secs(5);

/// The longest position accepted, in seconds (a day: no video here is longer).
pub const POSITION_MAX_SECONDS: i64 = 24 * 3600;

/// One user and video.
type Key = (i64, i64);

#[derive(Debug)]
struct Entry {
    /// When the database was last written for this key.
    written: Instant,
    /// A position reported since, with when it was reported (epoch milliseconds).
    pending: Option<(i64, i64)>,
}

/// Coalesces history writes; one per server process.
#[derive(Debug)]
pub struct HistoryWriter {
    entries: Mutex<HashMap<Key, Entry>>,
    window: Duration,
}

impl Default for HistoryWriter {
    fn default() -> Self {
        Self::with_window(COALESCE_WINDOW)
    }
}

/// What [`HistoryWriter::record`] did with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Written to the database.
    Written,
    /// Held in memory until the window passes.
    Coalesced,
    /// Not kept: the user turned history off.
    Off,
}

impl HistoryWriter {
    /// A writer that holds reports back for `window` after each write ([`COALESCE_WINDOW`] by
    /// default).
    pub fn with_window(window: Duration) -> Self {
        Self {
            entries: Mutex::default(),
            window,
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that `user_id` is at `seconds` into `video_id` (the caller checked they may see
    /// it), unless they turned history off.
    pub async fn record(
        &self,
        db: &Db,
        user_id: i64,
        video_id: i64,
        seconds: i64,
    ) -> AppResult<Recorded> {
        let seconds = seconds.clamp(0, POSITION_MAX_SECONDS);
        let now = Instant::now();
        {
            let mut entries = self.entries();
            if let Some(entry) = entries.get_mut(&(user_id, video_id))
                && now.duration_since(entry.written) < self.window
            {
                entry.pending = Some((seconds, now_millis()));
                return Ok(Recorded::Coalesced);
            }
        }
        if !kinora_db::user_preferences::history_enabled(db.pool(), user_id).await? {
            return Ok(Recorded::Off);
        }
        self.entries().insert(
            (user_id, video_id),
            Entry {
                written: now,
                pending: None,
            },
        );
        kinora_db::user_history::record(db.pool(), user_id, video_id, seconds, now_millis())
            .await?;
        Ok(Recorded::Written)
    }

    /// A report of `user_id` in `video_id` not written yet, in seconds.
    pub fn pending(&self, user_id: i64, video_id: i64) -> Option<i64> {
        self.entries()
            .get(&(user_id, video_id))
            .and_then(|entry| entry.pending)
            .map(|(seconds, _)| seconds)
    }

    /// Where `user_id` stopped in `video_id`: a pending report, else the stored position.
    pub async fn position(&self, db: &Db, user_id: i64, video_id: i64) -> AppResult<Option<i64>> {
        match self.pending(user_id, video_id) {
            Some(seconds) => Ok(Some(seconds)),
            None => Ok(kinora_db::user_history::position(db.pool(), user_id, video_id).await?),
        }
    }

    /// Writes the pending positions whose window has passed and forgets keys idle for a
    /// window; answers how many were written. A failed write is kept for the next call.
    pub async fn flush_due(&self, db: &Db) -> AppResult<usize> {
        let window = self.window;
        self.flush(db, |entry, now| now.duration_since(entry.written) >= window)
            .await
    }

    /// Writes every pending position (at shutdown).
    pub async fn flush_all(&self, db: &Db) -> AppResult<usize> {
        self.flush(db, |_, _| true).await
    }

    async fn flush(&self, db: &Db, due: impl Fn(&Entry, Instant) -> bool) -> AppResult<usize> {
        let now = Instant::now();
        let writes: Vec<(Key, i64, i64)> = {
            let mut entries = self.entries();
            entries.retain(|_, entry| entry.pending.is_some() || !due(entry, now));
            entries
                .iter_mut()
                .filter(|(_, entry)| due(entry, now))
                .filter_map(|(&key, entry)| {
                    let (seconds, at) = entry.pending.take()?;
                    entry.written = now;
                    Some((key, seconds, at))
                })
                .collect()
        };
        let mut written = 0;
        for ((user_id, video_id), seconds, at) in writes {
            if let Err(error) =
                kinora_db::user_history::record(db.pool(), user_id, video_id, seconds, at).await
            {
                // Kept for the next flush unless a newer report came meanwhile.
                if let Some(entry) = self.entries().get_mut(&(user_id, video_id))
                    && entry.pending.is_none()
                {
                    entry.pending = Some((seconds, at));
                }
                return Err(error.into());
            }
            written += 1;
        }
        Ok(written)
    }

    /// Drops what is pending for `user_id` (their history was cleared or turned off), or only
    /// for `video_id` of theirs.
    pub fn forget(&self, user_id: i64, video_id: Option<i64>) {
        self.entries().retain(|&(user, video), _| {
            user != user_id || video_id.is_some_and(|only| only != video)
        });
    }

    /// Drops the reports of `user_id` pending since before `before` (epoch milliseconds).
    fn forget_before(&self, user_id: i64, before: i64) {
        for (_, entry) in self
            .entries()
            .iter_mut()
            .filter(|((user, _), _)| *user == user_id)
        {
            if entry.pending.is_some_and(|(_, at)| at < before) {
                entry.pending = None;
            }
        }
    }
}

/// Removes `video_id` from `user_id`'s history (pending reports too).
pub async fn remove(db: &Db, writer: &HistoryWriter, user_id: i64, video_id: i64) -> AppResult<()> {
    writer.forget(user_id, Some(video_id));
    let mut tx = db.begin().await?;
    kinora_db::user_history::remove(&mut tx, user_id, video_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes `user_id`'s history written before `before` (epoch milliseconds), or all of it
/// (pending reports too); answers how many entries went.
pub async fn clear(
    db: &Db,
    writer: &HistoryWriter,
    user_id: i64,
    before: Option<i64>,
) -> AppResult<u64> {
    match before {
        Some(before) => writer.forget_before(user_id, before),
        None => writer.forget(user_id, None),
    }
    let mut tx = db.begin().await?;
    let removed = kinora_db::user_history::remove_before(&mut tx, user_id, before).await?;
    tx.commit().await?;
    Ok(removed)
}
