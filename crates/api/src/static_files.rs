//! Static media: `/static/streaming-playlists/hls/<videoUUID>/<file>`, our mirrors of remote
//! videos at `/static/redundancy/hls/<videoUUID>/<file>` and the images under
//! `/lazy-static/{thumbnails,previews,storyboards,avatars,banners}/<file>`, captions at
//! `/lazy-static/video-captions/<file>.vtt` (each with its one-segment HLS media playlist at
//! `<file>.m3u8`, written on the fly), with Range (206 and exact
//! `Content-Range`), `Accept-Ranges`, `Last-Modified`, `ETag`, cache headers and the same
//! visibility rule as the API. Files of a video an anonymous visitor may see are cached
//! publicly; any other file was answered after an access check and is `private` (originals
//! `no-store`), without the CORS wildcard; every answer varies on `Authorization`
//! ([`crate::security_headers`]). Only names the database lists for a video are ever served, so a
//! request path never becomes a file path on its own. Files of videos stored in S3 are proxied
//! from the bucket (one byte range passed through, status, `Content-Range` and `ETag` relayed),
//! so private videos' files never need to be public in the bucket. A mirror is served while its
//! row says we hold it, from its directory on local disk, which holds only the files the mirror
//! job copied there under names it checked.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kinora_app::actor_images::ActorImageKind;
use kinora_app::{GeneratedName, StorageKey};

use crate::extract::MaybeAuth;
use crate::security_headers::{self, MediaCache, UserBytes};
use crate::{ApiError, ApiState};

/// The static routes.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route(
            "/static/streaming-playlists/hls/{video}/{file}",
            get(serve_hls),
        )
        .route("/static/redundancy/hls/{video}/{file}", get(serve_mirror))
        .route("/lazy-static/{kind}/{file}", get(serve_image))
        .route("/download/torrents/{file}", get(download_torrent))
        .route(
            "/download/original-video-files/{video}",
            get(download_original),
        )
        .layer(axum::middleware::map_response(vary_on_authorization))
        .with_state(state)
}

/// Every answer of these routes (files, 304s and 404s alike) depends on who asks.
async fn vary_on_authorization(mut response: Response) -> Response {
    security_headers::vary_on_authorization(response.headers_mut());
    response
}

async fn serve_hls(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path((video, file)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let uuid = uuid::Uuid::parse_str(&video).map_err(|_| ApiError::not_found("File"))?;
    // A video anyone may see is answered from memory (anyone includes this viewer).
    let public = state.list_cache.segments.public_video(&state, uuid).await?;
    // A live's files change under fixed names: the entry says it is a live anyone may see.
    if let Some(public) = &public
        && public.row.is_live == 1
        && public.row.is_local()
    {
        return serve_live(&state, uuid, &file, request, true).await;
    }
    if let Some(public) = public.filter(|public| public.lists(&file)) {
        let name = GeneratedName::parse(&file).map_err(|_| ApiError::not_found("File"))?;
        let location = kinora_app::media::media_location(&public.row)?;
        let cache = MediaCache::Public {
            immutable: file.ends_with(".mp4"),
        };
        let key = StorageKey::hls_file(uuid, &name);
        return serve_at(&state, location, &key, request, cache).await;
    }
    let row = kinora_db::videos::find_by_uuid(state.db.pool(), &uuid.to_string())
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    if !kinora_app::visibility::can_view(&state.db, &row, viewer.as_ref()).await? {
        return Err(ApiError::not_found("File"));
    }
    if row.is_live == 1 && row.is_local() {
        // Not one anyone may see (that one was answered from memory above).
        return serve_live(&state, uuid, &file, request, false).await;
    }
    let files = kinora_db::videos::list_files(state.db.pool(), row.id).await?;
    let listed = row.hls_master_file.as_deref() == Some(file.as_str())
        || row.hls_segments_file.as_deref() == Some(file.as_str())
        || files
            .iter()
            .any(|f| f.file_name == file || f.playlist_name == file);
    if !listed {
        return Err(ApiError::not_found("File"));
    }
    let name = GeneratedName::parse(&file).map_err(|_| ApiError::not_found("File"))?;
    let immutable = file.ends_with(".mp4");
    serve_stored(
        &state,
        &row,
        &StorageKey::hls_file(uuid, &name),
        request,
        immutable,
    )
    .await
}

/// A file of a live's directory (its playlists, segment hashes and segments, by their fixed
/// names only), for a viewer who may see the live (`public`: anyone may); revalidated at each
/// request.
async fn serve_live(
    state: &ApiState,
    uuid: uuid::Uuid,
    file: &str,
    request: Request,
    public: bool,
) -> Result<Response, ApiError> {
    let key = StorageKey::live_file(uuid, file).ok_or_else(|| ApiError::not_found("File"))?;
    serve_at(
        state,
        kinora_app::Location::Local,
        &key,
        request,
        MediaCache::Live { public },
    )
    .await
}

/// A file of our copy of a remote video's HLS files, for a viewer who may see the video.
async fn serve_mirror(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path((video, file)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let uuid = uuid::Uuid::parse_str(&video).map_err(|_| ApiError::not_found("File"))?;
    let name = GeneratedName::parse(&file).map_err(|_| ApiError::not_found("File"))?;
    let row = kinora_db::videos::find_by_uuid(state.db.pool(), &uuid.to_string())
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    if !kinora_app::visibility::can_view(&state.db, &row, viewer.as_ref()).await? {
        return Err(ApiError::not_found("File"));
    }
    let mirrors = kinora_db::redundancies::list_of(state.db.pool(), &[row.id]).await?;
    if !mirrors.iter().any(|m| m.local != 0) {
        return Err(ApiError::not_found("File"));
    }
    let key = StorageKey::mirror_file(uuid, &name);
    let path = state
        .storage
        .local_path(kinora_app::Location::Local, &key)
        .ok_or_else(|| ApiError::not_found("File"))?;
    let cache = MediaCache::of(&state, &row, file.ends_with(".mp4")).await?;
    let mut response = serve(path, &key, request).await?;
    cache.apply(&mut response);
    Ok(response)
}

async fn serve_image(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path((kind, file)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    if kind == "torrents" {
        return serve_torrent(&state, viewer.as_ref(), &file, request, false).await;
    }
    if kind == "video-captions" {
        return serve_caption(&state, viewer.as_ref(), &file, request).await;
    }
    let name = GeneratedName::parse(&file).map_err(|_| ApiError::not_found("File"))?;
    let actor_image = match kind.as_str() {
        "avatars" => Some(ActorImageKind::Avatar),
        "banners" => Some(ActorImageKind::Banner),
        _ => None,
    };
    if let Some(actor_image) = actor_image {
        return serve_actor_image(&state, actor_image, &name, request).await;
    }
    let key = match kind.as_str() {
        "thumbnails" => StorageKey::thumbnail(&name),
        "previews" => StorageKey::preview(&name),
        "storyboards" => StorageKey::storyboard(&name),
        _ => return Err(ApiError::not_found("File")),
    };
    let Some(row) = kinora_db::videos::find_by_image(state.db.pool(), &file).await? else {
        return serve_playlist_thumbnail(&state, viewer.as_ref(), &kind, &key, &file, request)
            .await;
    };
    if !kinora_app::visibility::can_view(&state.db, &row, viewer.as_ref()).await? {
        return Err(ApiError::not_found("File"));
    }
    serve_stored(&state, &row, &key, request, true).await
}

/// A playlist's thumbnail (kept on local disk), for a viewer who may see the playlist.
async fn serve_playlist_thumbnail(
    state: &ApiState,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
    kind: &str,
    key: &StorageKey,
    file: &str,
    request: Request,
) -> Result<Response, ApiError> {
    if kind != "thumbnails" {
        return Err(ApiError::not_found("File"));
    }
    let playlist = kinora_db::playlists::find_by_thumbnail(state.db.pool(), file)
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    if !kinora_app::playlists::can_view(&state.db, &playlist, viewer).await? {
        return Err(ApiError::not_found("File"));
    }
    let path = state
        .storage
        .local_path(kinora_app::Location::Local, key)
        .ok_or_else(|| ApiError::not_found("File"))?;
    serve(path, key, request).await
}

/// An avatar or banner the database lists under this name: public (accounts and channels are),
/// never changing under its name, a JPEG the server encoded, with the user-bytes headers.
async fn serve_actor_image(
    state: &ApiState,
    kind: ActorImageKind,
    name: &GeneratedName,
    request: Request,
) -> Result<Response, ApiError> {
    let row = kinora_db::actor_images::find_by_file(state.db.pool(), name.as_str(), kind.db_kind())
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    let location =
        kinora_app::Location::parse(&row.location).ok_or_else(|| ApiError::not_found("File"))?;
    let mut response = serve_at(
        state,
        location,
        &StorageKey::actor_image(name),
        request,
        MediaCache::Public { immutable: true },
    )
    .await?;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    security_headers::user_bytes(headers, UserBytes::Inline);
    Ok(response)
}

/// A caption the database lists, for a viewer who may see its video: the WebVTT file (user
/// bytes: `text/vtt`, `nosniff`, a sandboxing CSP), or its HLS media playlist.
async fn serve_caption(
    state: &ApiState,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
    file: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let (vtt, playlist) = match kinora_app::captions::file_of_playlist(file) {
        Some(vtt) => (vtt, true),
        None => (file.to_owned(), false),
    };
    let name = GeneratedName::parse(&vtt).map_err(|_| ApiError::not_found("File"))?;
    if !vtt.ends_with(".vtt") {
        return Err(ApiError::not_found("File"));
    }
    let caption = kinora_db::video_captions::find_by_file_name(state.db.pool(), &vtt)
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    let row = kinora_db::videos::find_by_id(state.db.pool(), caption.video_id)
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    if !kinora_app::visibility::can_view(&state.db, &row, viewer).await? {
        return Err(ApiError::not_found("File"));
    }
    // A caption file's name is new with every upload: the file never changes.
    let cache = MediaCache::of(state, &row, !playlist).await?;
    let mut response = if playlist {
        let url = kinora_app::captions::caption_url(&caption, &state.public_url)
            .ok_or_else(|| ApiError::not_found("File"))?;
        let body = kinora_core::captions::hls::caption_media_playlist(&url, row.duration);
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.apple.mpegurl"),
        );
        cache.apply(&mut response);
        response
    } else {
        let location =
            kinora_app::media::parse_location(caption.location.as_deref().unwrap_or(""))?;
        let mut response =
            serve_at(state, location, &StorageKey::caption(&name), request, cache).await?;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/vtt; charset=utf-8"),
        );
        response
    };
    security_headers::user_bytes(response.headers_mut(), UserBytes::Inline);
    Ok(response)
}

/// `/download/torrents/<file>`: the torrent as an attachment.
async fn download_torrent(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    serve_torrent(&state, viewer.as_ref(), &file, request, true).await
}

/// A torrent file the database lists for a video the caller may see (kept on local disk).
async fn serve_torrent(
    state: &ApiState,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
    file: &str,
    request: Request,
    attachment: bool,
) -> Result<Response, ApiError> {
    let name = GeneratedName::parse(file).map_err(|_| ApiError::not_found("File"))?;
    let row = kinora_db::videos::find_by_torrent(state.db.pool(), file)
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    if !kinora_app::visibility::can_view(&state.db, &row, viewer).await? {
        return Err(ApiError::not_found("File"));
    }
    let key = StorageKey::torrent(&name);
    let path = state
        .storage
        .local_path(kinora_app::Location::Local, &key)
        .ok_or_else(|| ApiError::not_found("File"))?;
    let cache = MediaCache::of(state, &row, true).await?;
    let mut response = serve(path, &key, request).await?;
    cache.apply(&mut response);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-bittorrent"),
    );
    if attachment {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    Ok(response)
}

/// `/download/original-video-files/<videoUUID>`: the uploaded file, for its owner and staff only.
async fn download_original(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(video): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let uuid = uuid::Uuid::parse_str(&video).map_err(|_| ApiError::not_found("File"))?;
    let row = kinora_db::videos::find_by_uuid(state.db.pool(), &uuid.to_string())
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    let Some(viewer) = viewer else {
        return Err(ApiError::not_found("File"));
    };
    if kinora_app::visibility::ensure_can_manage(&state.db, &row, &viewer, "")
        .await
        .is_err()
    {
        return Err(ApiError::not_found("File"));
    }
    let location = kinora_app::media::original_location(&row)?;
    let mut response = serve_at(
        &state,
        location,
        &StorageKey::original(uuid),
        request,
        MediaCache::NoStore,
    )
    .await?;
    // The bytes are whatever the uploader sent: never sniffed, run or shown inline.
    security_headers::user_bytes(response.headers_mut(), UserBytes::Attachment);
    Ok(response)
}

/// Serves a file of `video` from wherever the video's files are.
async fn serve_stored(
    state: &ApiState,
    video: &kinora_db::videos::VideoRow,
    key: &StorageKey,
    request: Request,
    immutable: bool,
) -> Result<Response, ApiError> {
    let location = kinora_app::media::media_location(video)?;
    let cache = MediaCache::of(state, video, immutable).await?;
    serve_at(state, location, key, request, cache).await
}

/// Serves `key` at `location` under `cache`: from local disk, or proxied from S3.
pub(crate) async fn serve_at(
    state: &ApiState,
    location: kinora_app::Location,
    key: &StorageKey,
    request: Request,
    cache: MediaCache,
) -> Result<Response, ApiError> {
    let mut response = match state.storage.local_path(location, key) {
        Some(path) => serve(path, key, request).await?,
        None => {
            crate::object_proxy::proxy(&state.storage, location, key, request.headers()).await?
        }
    };
    cache.apply(&mut response);
    Ok(response)
}

/// Serves one file of local storage with Range and conditional requests (the caller sets the
/// cache headers).
async fn serve(
    path: std::path::PathBuf,
    key: &StorageKey,
    request: Request,
) -> Result<Response, ApiError> {
    crate::local_file::serve_local(
        path,
        key.content_type(),
        request.method(),
        request.headers(),
    )
    .await
}
