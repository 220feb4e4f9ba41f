//! What the HLS file route needs to know about a video an anonymous visitor may see (its row and
//! the file names the database lists for it), kept in memory so a public video's segments are
//! served without a database round trip each.
//!
//! Entries hold under the version of the data ([`kinora_db::video_lists::version`], moved by
//! triggers in the same transaction as any change to a video, its files or its mirrors, whoever
//! makes it). That number is asked of the database at most once per [`CHECK_INTERVAL`], by one
//! request while the others wait; when it has moved every entry is dropped. So a video made
//! private, deleted or given other files stops being served from memory at most
//! [`CHECK_INTERVAL`] after the change commits; a change made through this server's API is seen
//! at once: every request that may write (any method but GET, HEAD and OPTIONS) makes the next
//! lookup read the version again once it has been answered ([`forget_after_writes`]). Only videos anyone may see are kept: any other
//! answer (private, missing, still transcoding) goes to the database every time, with the
//! viewer's access check. Memory is bounded by [`MAX_VIDEOS`] entries.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use kinora_db::videos::VideoRow;

use crate::{ApiError, ApiState};

/// Longest time a change to a video may take to reach the files served from memory.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// Most videos kept; past that the cache starts again empty.
pub const MAX_VIDEOS: usize = 4096;

/// A video anyone may see, as the HLS file route needs it.
#[derive(Debug)]
pub struct PublicVideo {
    /// Its row.
    pub row: VideoRow,
    /// Every file name the database lists for it (playlists, renditions, master, segment hashes).
    names: HashSet<String>,
}

impl PublicVideo {
    /// Whether `file` is one of the video's listed files.
    pub fn lists(&self, file: &str) -> bool {
        self.names.contains(file)
    }
}

/// The version last read and when.
#[derive(Debug)]
struct Checked {
    version: i64,
    at: Option<Instant>,
}

/// The cache (one per server, in [`crate::list_cache::ListCache`]).
#[derive(Debug)]
pub struct SegmentCache {
    checked: tokio::sync::Mutex<Checked>,
    /// Set after a write: the next lookup reads the version whatever its age.
    forced: AtomicBool,
    /// Videos read from the database so far.
    lookups: AtomicU64,
    videos: Mutex<(i64, HashMap<uuid::Uuid, Arc<PublicVideo>>)>,
}

impl Default for SegmentCache {
    fn default() -> Self {
        Self {
            checked: tokio::sync::Mutex::new(Checked {
                version: 0,
                at: None,
            }),
            forced: AtomicBool::new(false),
            lookups: AtomicU64::new(0),
            videos: Mutex::new((i64::MIN, HashMap::new())),
        }
    }
}

impl SegmentCache {
    /// The data version, read again once [`CHECK_INTERVAL`] has passed since the last read.
    async fn version(&self, state: &ApiState) -> Result<i64, ApiError> {
        let mut checked = self.checked.lock().await;
        let forced = self.forced.swap(false, Ordering::AcqRel);
        if forced || checked.at.is_none_or(|at| at.elapsed() >= CHECK_INTERVAL) {
            // Taken before the query: a change committed before this instant is seen.
            let now = Instant::now();
            checked.version = kinora_db::video_lists::version(state.db.pool()).await?;
            checked.at = Some(now);
        }
        Ok(checked.version)
    }

    /// Makes the next lookup read the version again (after a change this server made).
    pub fn invalidate(&self) {
        self.forced.store(true, Ordering::Release);
    }

    /// How many times a video was read from the database (for tests and metrics).
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    fn videos(&self) -> std::sync::MutexGuard<'_, (i64, HashMap<uuid::Uuid, Arc<PublicVideo>>)> {
        // A panic while holding the lock leaves a plain map behind: still usable.
        self.videos
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The video `uuid` if an anonymous visitor may see it; `None` when it is missing or needs
    /// an access check (the caller then asks the database with the viewer). A file the entry
    /// does not list may be newer than the entry: the caller asks the database for it too.
    pub async fn public_video(
        &self,
        state: &ApiState,
        uuid: uuid::Uuid,
    ) -> Result<Option<Arc<PublicVideo>>, ApiError> {
        let version = self.version(state).await?;
        {
            let mut videos = self.videos();
            if videos.0 != version {
                *videos = (version, HashMap::new());
            }
            if let Some(found) = videos.1.get(&uuid) {
                return Ok(Some(found.clone()));
            }
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let Some(row) = kinora_db::videos::find_by_uuid(state.db.pool(), &uuid.to_string()).await?
        else {
            return Ok(None);
        };
        if !kinora_app::visibility::can_view(&state.db, &row, None).await? {
            return Ok(None);
        }
        let files = kinora_db::videos::list_files(state.db.pool(), row.id).await?;
        let mut names: HashSet<String> = files
            .into_iter()
            .flat_map(|f| [f.file_name, f.playlist_name])
            .collect();
        names.extend(row.hls_master_file.iter().cloned());
        names.extend(row.hls_segments_file.iter().cloned());
        let found = Arc::new(PublicVideo { row, names });
        let mut videos = self.videos();
        // Kept only if read under the version still current (else a newer request clears it).
        if videos.0 == version {
            if videos.1.len() >= MAX_VIDEOS {
                videos.1.clear();
            }
            videos.1.insert(uuid, found.clone());
        }
        Ok(Some(found))
    }
}

/// Middleware: once a request that may have changed a video has been answered (its transaction
/// committed), the next file lookup reads the data version again instead of trusting memory.
pub async fn forget_after_writes(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    if writes {
        state.list_cache.segments.invalidate();
    }
    response
}
