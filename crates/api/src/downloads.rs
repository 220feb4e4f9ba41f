//! Downloads of a video's renditions, at PeerTube's paths:
//!
//! - `GET /download/videos/generate/{id}?videoFileIds=…` (also `{id}.mp4`, `{id}.m4a`): the
//!   chosen rendition as a plain progressive MP4 with its audio, made on the fly from the HLS
//!   fragmented MP4 by [`kinora_core::mp4`] (no transcoding, samples streamed from storage, the
//!   length known before the first byte);
//! - `GET /download/videos/{uuid}-{resolution}.mp4`: the same file, by resolution (PeerTube's
//!   web-video download path);
//! - `GET /download/streaming-playlists/hls/videos/{uuid}-{resolution}-fragmented.mp4`: the
//!   rendition's fragmented MP4 as stored (each file's `fileDownloadUrl`).
//!
//! Every route asks [`kinora_app::visibility::can_view`] first (a video the caller may not see
//! is not admitted to exist: 404), then the owner's `downloadEnabled` (403 unless the caller
//! owns the video or is staff).

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use kinora_app::auth::AuthenticatedUser;
use kinora_app::{ByteRange, GeneratedName, Location, MediaStorage, StorageKey};
use kinora_core::mp4::{Indexer, Limits, Progressive};
use kinora_db::videos::{VideoFileRow, VideoRow};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::extract::MaybeAuth;
use crate::security_headers::{self, MediaCache};
use crate::{ApiError, ApiState};

/// Bytes read from storage at a time while streaming.
const CHUNK: u64 = 256 * 1024;

/// Generated downloads streaming at once, over the whole process; more get 429.
const MAX_PARALLEL: usize = 32;

/// Generated downloads in flight.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The download routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/download/videos/generate/{id}", get(generate))
        .route("/download/videos/{file}", get(by_resolution))
        .route(
            "/download/streaming-playlists/hls/videos/{file}",
            get(fragmented),
        )
        .layer(axum::middleware::map_response(vary_on_authorization))
        .with_state(state)
}

async fn vary_on_authorization(mut response: Response) -> Response {
    security_headers::vary_on_authorization(response.headers_mut());
    response
}

/// `GET /download/videos/generate/{id}?videoFileIds=…`.
async fn generate(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let ids = file_ids(query.as_deref().unwrap_or(""))?;
    // With an extension the answer imitates a plain file: no Content-Disposition.
    let (id, attachment) = match id.strip_suffix(".mp4").or_else(|| id.strip_suffix(".m4a")) {
        Some(id) => (id.to_owned(), false),
        None => (id, true),
    };
    let video = find_downloadable(&state, &id, viewer.as_ref()).await?;
    let files = kinora_db::videos::list_files(state.db.pool(), video.id).await?;
    let chosen: Vec<&VideoFileRow> = files.iter().filter(|f| ids.contains(&f.id)).collect();
    let file = match chosen.as_slice() {
        [] => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No files found for these videoFileIds",
            ));
        }
        [file] => *file,
        _ => {
            return Err(ApiError::invalid_query(
                "videoFileIds",
                "cannot put several video or audio files in one container: \
                 every rendition already holds its video and audio",
            ));
        }
    };
    progressive(&state, &video, file, attachment).await
}

/// `GET /download/videos/{uuid}-{resolution}.mp4`.
async fn by_resolution(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (uuid, resolution) = file
        .strip_suffix(".mp4")
        .and_then(split_resolution)
        .ok_or_else(|| ApiError::not_found("File"))?;
    let video = find_downloadable(&state, &uuid, viewer.as_ref()).await?;
    let row = find_file(&state, &video, resolution).await?;
    progressive(&state, &video, &row, true).await
}

/// `GET /download/streaming-playlists/hls/videos/{uuid}-{resolution}-fragmented.mp4`.
async fn fragmented(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (uuid, resolution) = file
        .strip_suffix("-fragmented.mp4")
        .and_then(split_resolution)
        .ok_or_else(|| ApiError::not_found("File"))?;
    let video = find_downloadable(&state, &uuid, viewer.as_ref()).await?;
    let row = find_file(&state, &video, resolution).await?;
    let key = stored_key(&video, &row)?;
    let location = kinora_app::media::media_location(&video)?;
    let cache = MediaCache::of(&state, &video, true).await?;
    let mut response =
        crate::static_files::serve_at(&state, location, &key, request, cache).await?;
    if response.status().is_success() {
        let name = download_name(&video.name, row.resolution, "-hls.mp4");
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
        if let Ok(value) = HeaderValue::from_str(&content_disposition(&name)) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}

/// `<uuid>-<resolution>` split at its last `-`.
fn split_resolution(stem: &str) -> Option<(String, i64)> {
    let (uuid, resolution) = stem.rsplit_once('-')?;
    let resolution = resolution
        .parse::<i64>()
        .ok()
        .filter(|r| (0..=10_000).contains(r))?;
    uuid::Uuid::parse_str(uuid).ok()?;
    Some((uuid.to_owned(), resolution))
}

/// PeerTube's `videoFileIds`: repeated (`videoFileIds=1&videoFileIds=2`, also with `[]`) or
/// comma-separated, one or two positive integers.
fn file_ids(query: &str) -> Result<Vec<i64>, ApiError> {
    let bad = |message: &str| ApiError::invalid_query("videoFileIds", message.to_owned());
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != "videoFileIds" && key != "videoFileIds[]" {
            continue;
        }
        for part in value.split(',') {
            let id = part
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| bad("must be file ids (positive integers)"))?;
            ids.push(id);
            if ids.len() > 2 {
                return Err(bad("at most 2 file ids"));
            }
        }
    }
    if ids.is_empty() {
        return Err(bad("is required"));
    }
    Ok(ids)
}

/// The video by numeric id, UUID or short UUID, if the caller may see it and download it.
async fn find_downloadable(
    state: &ApiState,
    id: &str,
    viewer: Option<&AuthenticatedUser>,
) -> Result<VideoRow, ApiError> {
    let video = kinora_app::videos::find_video(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Video"))?;
    if !kinora_app::visibility::can_view(&state.db, &video, viewer).await? {
        return Err(ApiError::not_found("Video"));
    }
    if video.download_enabled == 0 {
        let allowed = match viewer {
            Some(viewer) => {
                kinora_app::visibility::ensure_can_manage(&state.db, &video, viewer, "")
                    .await
                    .is_ok()
            }
            None => false,
        };
        if !allowed {
            return Err(ApiError::forbidden(
                "The owner of this video does not allow downloads",
            ));
        }
    }
    Ok(video)
}

async fn find_file(
    state: &ApiState,
    video: &VideoRow,
    resolution: i64,
) -> Result<VideoFileRow, ApiError> {
    kinora_db::videos::list_files(state.db.pool(), video.id)
        .await?
        .into_iter()
        .find(|f| f.resolution == resolution)
        .ok_or_else(|| ApiError::not_found("File"))
}

fn stored_key(video: &VideoRow, file: &VideoFileRow) -> Result<StorageKey, ApiError> {
    let uuid = uuid::Uuid::parse_str(&video.uuid).map_err(|_| ApiError::not_found("File"))?;
    let name = GeneratedName::parse(&file.file_name).map_err(|_| ApiError::not_found("File"))?;
    Ok(StorageKey::hls_file(uuid, &name))
}

/// Where a rendition's bytes are read from.
enum Source {
    Local(tokio::fs::File),
    S3 {
        storage: std::sync::Arc<MediaStorage>,
        location: Location,
        key: StorageKey,
    },
}

impl Source {
    async fn open(
        state: &ApiState,
        video: &VideoRow,
        file: &VideoFileRow,
    ) -> Result<(Self, u64), ApiError> {
        let key = stored_key(video, file)?;
        let location = kinora_app::media::media_location(video)?;
        match state.storage.local_path(location, &key) {
            Some(path) => {
                let handle = tokio::fs::File::open(&path)
                    .await
                    .map_err(|_| ApiError::not_found("File"))?;
                let len = handle
                    .metadata()
                    .await
                    .map_err(|_| ApiError::not_found("File"))?
                    .len();
                Ok((Source::Local(handle), len))
            }
            None => {
                let len = state
                    .storage
                    .size(location, &key)
                    .await?
                    .ok_or_else(|| ApiError::not_found("File"))?;
                Ok((
                    Source::S3 {
                        storage: state.storage.clone(),
                        location,
                        key,
                    },
                    len,
                ))
            }
        }
    }

    async fn read(&mut self, offset: u64, len: u64) -> Result<Vec<u8>, ApiError> {
        match self {
            Source::Local(file) => {
                let mut buf = vec![0u8; len as usize];
                file.seek(std::io::SeekFrom::Start(offset))
                    .await
                    .map_err(unavailable)?;
                file.read_exact(&mut buf).await.map_err(unavailable)?;
                Ok(buf)
            }
            Source::S3 {
                storage,
                location,
                key,
            } => {
                let range = ByteRange::Span {
                    first: offset,
                    last: offset + len - 1,
                };
                let body = storage.read_s3(*location, key, Some(range)).await?;
                Ok(body.collect().await?.to_vec())
            }
        }
    }

    /// The source ranges, in order, as one stream of chunks.
    fn stream(self, copies: Vec<(u64, u64)>) -> BoxStream<'static, std::io::Result<Bytes>> {
        match self {
            Source::Local(file) => {
                let ranges = copies.into_iter();
                stream::try_unfold(
                    (file, ranges, None::<(u64, u64)>),
                    |(mut file, mut ranges, current)| async move {
                        let (offset, left) = match current {
                            Some(current) if current.1 > 0 => current,
                            _ => match ranges.next() {
                                Some(next) => {
                                    file.seek(std::io::SeekFrom::Start(next.0)).await?;
                                    next
                                }
                                None => return Ok(None),
                            },
                        };
                        let want = left.min(CHUNK) as usize;
                        let mut buf = vec![0u8; want];
                        file.read_exact(&mut buf).await?;
                        let next = (offset + want as u64, left - want as u64);
                        Ok(Some((Bytes::from(buf), (file, ranges, Some(next)))))
                    },
                )
                .boxed()
            }
            Source::S3 {
                storage,
                location,
                key,
            } => stream::iter(copies)
                .then(move |(offset, len)| {
                    let storage = storage.clone();
                    let key = key.clone();
                    async move {
                        let range = ByteRange::Span {
                            first: offset,
                            last: offset + len - 1,
                        };
                        let body = storage
                            .read_s3(location, &key, Some(range))
                            .await
                            .map_err(std::io::Error::other)?;
                        Ok::<_, std::io::Error>(body.into_stream().map_err(std::io::Error::other))
                    }
                })
                .try_flatten()
                .boxed(),
        }
    }
}

fn unavailable(error: impl std::fmt::Display) -> ApiError {
    tracing::warn!(%error, "reading a rendition for a download");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "download_unavailable",
        "Cannot process the video download at the moment; try again later",
    )
}

/// Reads the rendition's boxes and describes its progressive form.
async fn index(source: &mut Source, len: u64) -> Result<Progressive, ApiError> {
    let mut indexer = Indexer::new(len, Limits::default());
    while let Some((offset, want)) = indexer.next_read() {
        let bytes = source.read(offset, want).await?;
        indexer.feed(&bytes).map_err(unavailable)?;
    }
    indexer.finish().map_err(unavailable)
}

/// Counts a generated download in flight until dropped (with the response body).
struct InFlight;

impl InFlight {
    fn take() -> Option<Self> {
        let before = IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        if before >= MAX_PARALLEL {
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(InFlight)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The progressive MP4 of one rendition.
async fn progressive(
    state: &ApiState,
    video: &VideoRow,
    file: &VideoFileRow,
    attachment: bool,
) -> Result<Response, ApiError> {
    let guard = InFlight::take().ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many parallel downloads on this server. Please try again later.",
        )
        .with_retry_after(5)
    })?;
    let (mut source, len) = Source::open(state, video, file).await?;
    let plan = index(&mut source, len).await?;
    let total = plan.len();
    let head = Bytes::from(plan.head);
    let body = stream::once(async move { Ok::<_, std::io::Error>(head) })
        .chain(source.stream(plan.copies))
        .map(move |chunk| {
            let _held = &guard;
            chunk
        });
    let audio_only = file.has_video == 0;
    let mut response = (StatusCode::OK, Body::from_stream(body)).into_response();
    let cache = MediaCache::of(state, video, false).await?;
    cache.apply(&mut response);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, total.into());
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if audio_only { "audio/mp4" } else { "video/mp4" }),
    );
    if attachment {
        let extension = if audio_only { ".m4a" } else { ".mp4" };
        let name = download_name(&video.name, file.resolution, extension);
        if let Ok(value) = HeaderValue::from_str(&content_disposition(&name)) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// PeerTube's download name: the title, the resolution and the extension.
fn download_name(title: &str, resolution: i64, suffix: &str) -> String {
    let resolution = if resolution == 0 {
        String::new()
    } else {
        format!("-{resolution}p")
    };
    format!("{title}{resolution}{suffix}")
}

/// `attachment` with an ASCII fallback name (anything unusual becomes `_`, at most 120
/// characters) and the full name in RFC 5987 form.
fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-()[]".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let encoded: String = name
        .chars()
        .take(200)
        .collect::<String>()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_read_as_peertube_sends_them() {
        assert_eq!(file_ids("videoFileIds=3").unwrap(), vec![3]);
        assert_eq!(
            file_ids("videoFileIds=3&videoFileIds=4").unwrap(),
            vec![3, 4]
        );
        assert_eq!(
            file_ids("videoFileIds[]=3&videoFileIds[]=4").unwrap(),
            vec![3, 4]
        );
        assert_eq!(file_ids("videoFileIds=3,4").unwrap(), vec![3, 4]);
        for bad in [
            "",
            "videoFileIds=",
            "videoFileIds=x",
            "videoFileIds=-1",
            "videoFileIds=1,2,3",
        ] {
            let error = file_ids(bad).unwrap_err();
            assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn the_file_name_is_safe() {
        let header = content_disposition("a\"b/c\\d\r\né.mp4");
        assert!(
            header.starts_with("attachment; filename=\"a_b_c_d___.mp4\""),
            "{header}"
        );
        assert!(
            header.ends_with("filename*=UTF-8''a%22b%2Fc%5Cd%0D%0A%C3%A9.mp4"),
            "{header}"
        );
        assert!(HeaderValue::from_str(&header).is_ok());
    }

    #[test]
    fn names_split_into_uuid_and_resolution() {
        let uuid = "0a1b2c3d-0000-4000-8000-000000000001";
        assert_eq!(
            split_resolution(&format!("{uuid}-720")),
            Some((uuid.to_owned(), 720))
        );
        assert_eq!(split_resolution("../etc-720"), None);
        assert_eq!(split_resolution(&format!("{uuid}-x")), None);
    }
}
