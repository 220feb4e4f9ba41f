//! `/api/v1/video-playlists`: PeerTube's playlists, one file per endpoint; the lists of an
//! account, a channel and the search live beside those routes. What the handlers share is
//! here: reading a playlist form (JSON, URL-encoded or multipart with `thumbnailfile`),
//! `playlistType` and `sort`.

pub mod add_video;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod list_videos;
pub mod privacies;
pub mod remove_video;
pub mod reorder;
pub mod update;
pub mod update_video;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::handler::Handler;
use axum::http::{StatusCode, header};
use axum::routing::{get, post, put};
use kinora_app::playlists::PlaylistInput;
use kinora_app::video_images::{MAX_IMAGE_BYTES, VideoImage};
use kinora_db::playlists::{PlaylistFilter, PlaylistOrder, PlaylistRow};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::extract::JsonOrForm;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Largest body of a creation or an update: a thumbnail and the text fields.
const BODY_LIMIT: usize = MAX_IMAGE_BYTES + 1024 * 1024;

/// Every playlist route.
pub fn routes() -> Router<ApiState> {
    Router::new()
        .route(
            "/video-playlists",
            get(list::list_playlists)
                .post(create::create_playlist.layer(DefaultBodyLimit::max(BODY_LIMIT))),
        )
        .route("/video-playlists/privacies", get(privacies::list_privacies))
        .route(
            "/video-playlists/{id}",
            get(get::get_playlist)
                .put(update::update_playlist.layer(DefaultBodyLimit::max(BODY_LIMIT)))
                .delete(delete::delete_playlist),
        )
        .route(
            "/video-playlists/{id}/videos",
            get(list_videos::list_playlist_videos).post(add_video::add_video),
        )
        .route(
            "/video-playlists/{id}/videos/reorder",
            post(reorder::reorder_playlist),
        )
        .route(
            "/video-playlists/{id}/videos/{element}",
            put(update_video::update_element).delete(remove_video::remove_element),
        )
        .route(
            "/accounts/{name}/video-playlists",
            get(super::accounts::video_playlists::list_account_playlists),
        )
        .route(
            "/video-channels/{name}/video-playlists",
            get(super::video_channels::video_playlists::list_channel_playlists),
        )
        .route(
            "/video-channels/{name}/video-playlists/reorder",
            post(reorder::reorder_channel_playlists),
        )
        .route(
            "/users/me/video-playlists/videos-exist",
            get(super::users::me::video_playlists_exist::videos_exist),
        )
        .route(
            "/search/video-playlists",
            get(super::search::video_playlists::search_playlists),
        )
}

/// `Some(value)` whenever the field is present, `null` included (`Some(None)`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The fields of a playlist creation or update, as PeerTube names them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlaylistBody {
    display_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    privacy: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    video_channel_id: Option<Option<i64>>,
}

impl PlaylistBody {
    fn into_input(self) -> PlaylistInput {
        PlaylistInput {
            display_name: self.display_name,
            description: self.description,
            privacy: self.privacy,
            channel_id: self.video_channel_id,
        }
    }
}

/// Reads the body (JSON, URL-encoded or multipart) into the input and the thumbnail, rendered
/// already (so a bad image refuses the request before anything changes).
pub(crate) async fn read_playlist_form(
    state: &ApiState,
    request: Request,
) -> Result<(PlaylistInput, Option<Vec<u8>>), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let JsonOrForm(body) = JsonOrForm::<PlaylistBody>::from_request(request, state).await?;
        return Ok((body.into_input(), None));
    }
    let malformed = |text: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed_body", text);
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|error| malformed(error.body_text()))?;
    let mut fields = serde_json::Map::new();
    let mut image = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|error| malformed(error.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "thumbnailfile" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|error| malformed(error.body_text()))?
            {
                if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                    return Err(ApiError::invalid_field(
                        "thumbnailfile",
                        format!("the image is larger than {MAX_IMAGE_BYTES} bytes"),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            image = Some(bytes);
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|error| malformed(error.body_text()))?;
        if text.len() > 20_000 {
            return Err(ApiError::invalid_field(
                &name,
                "is longer than any field may be",
            ));
        }
        let value = match name.as_str() {
            "privacy" | "videoChannelId" if text.trim().is_empty() => Value::Null,
            "privacy" | "videoChannelId" => {
                text.trim().parse::<i64>().map(Value::from).map_err(|_| {
                    ApiError::invalid_field(&name, format!("{text:?} is not an integer"))
                })?
            }
            _ => Value::String(text),
        };
        if !name.is_empty() {
            fields.insert(name, value);
        }
    }
    let body: PlaylistBody = serde_json::from_value(Value::Object(fields)).map_err(|error| {
        let message = error.to_string();
        let field = message.split('`').nth(1).unwrap_or("body").to_owned();
        ApiError::invalid_field(&field, message)
    })?;
    let thumbnail = match image {
        Some(bytes) => Some(
            kinora_app::video_images::render_image_in_background(VideoImage::Thumbnail, bytes)
                .await?,
        ),
        None => None,
    };
    Ok((body.into_input(), thumbnail))
}

/// The query of a playlist list: the page, `sort`, `playlistType` and (some lists) `search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlaylistListQuery {
    start: Option<String>,
    count: Option<String>,
    sort: Option<String>,
    playlist_type: Option<String>,
    search: Option<String>,
    host: Option<String>,
}

/// The sort values PeerTube accepts on playlist lists.
const SORTS: &[&str] = &[
    "createdAt",
    "-createdAt",
    "updatedAt",
    "-updatedAt",
    "displayName",
    "-displayName",
    "videoChannelPosition",
    "-videoChannelPosition",
];

impl PlaylistListQuery {
    /// The page (start, count) and order, checked; `default` when `sort` is absent.
    pub(crate) fn page(
        &self,
        default: PlaylistOrder,
    ) -> Result<(i64, i64, PlaylistOrder), ApiError> {
        let page = PageQuery {
            start: self.start.clone(),
            count: self.count.clone(),
            sort: self.sort.clone(),
        };
        page.check_sort(SORTS)?;
        let (start, count) = page.page()?;
        let order = match self.sort.as_deref() {
            Some(sort) => PlaylistOrder::parse(sort)
                .ok_or_else(|| ApiError::invalid_field("sort", format!("{sort:?} is unknown")))?,
            None => default,
        };
        Ok((start, count, order))
    }

    /// A filter with `playlistType` (1 or 2) and `search` applied.
    pub(crate) fn filter(&self) -> Result<PlaylistFilter, ApiError> {
        let kind = match self.playlist_type.as_deref() {
            None => None,
            Some(text) => match text.trim().parse::<i64>() {
                Ok(kind @ (1 | 2)) => Some(kind),
                _ => {
                    return Err(ApiError::invalid_field(
                        "playlistType",
                        format!("{text:?} is not 1 (regular) or 2 (watch later)"),
                    ));
                }
            },
        };
        let search = super::search::search_text(self.search.as_deref())?.map(str::to_owned);
        Ok(PlaylistFilter {
            kind,
            search,
            ..PlaylistFilter::default()
        })
    }

    /// The `host` parameter (search only): `Some(None)` for this instance.
    pub(crate) fn host(&self, state: &ApiState) -> Result<Option<Option<String>>, ApiError> {
        match self.host.as_deref() {
            None => Ok(None),
            Some(text) => {
                let host = kinora_core::names::normalize_host(text)
                    .ok_or_else(|| ApiError::invalid_field("host", "is not a host"))?;
                Ok(Some((host != state.host()).then_some(host)))
            }
        }
    }
}

/// Answers one page of playlists as `{total, data}`.
pub(crate) async fn answer(
    state: &ApiState,
    filter: &PlaylistFilter,
    query: &PlaylistListQuery,
) -> Result<Value, ApiError> {
    let (start, count, order) = query.page(PlaylistOrder::CreatedAt(true))?;
    let (rows, total) =
        kinora_db::playlists::list(state.db.pool(), filter, order, start, count).await?;
    let data = crate::json::playlists::playlists(state, &rows).await?;
    Ok(serde_json::json!({ "total": total, "data": data }))
}

/// The playlist `{id}` names when the caller may see it, or 404.
pub(crate) async fn find_visible(
    state: &ApiState,
    id: &str,
    viewer: Option<&kinora_app::auth::AuthenticatedUser>,
) -> Result<PlaylistRow, ApiError> {
    Ok(kinora_app::playlists::find_visible(&state.db, id, viewer).await?)
}
