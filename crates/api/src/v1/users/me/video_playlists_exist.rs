//! `GET /api/v1/users/me/video-playlists/videos-exist?videoIds=1&videoIds=2`: where each video
//! is in the caller's playlists, `{"1":[{"playlistElementId","playlistId","playlistDisplayName",
//! "playlistShortUUID","startTimestamp","stopTimestamp"}],"2":[]}`.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Map, Value, json};

use crate::extract::Auth;
use crate::{ApiError, ApiState};

/// Most videos one request may ask about.
const MAX_IDS: usize = 100;

/// Answers the map.
pub async fn videos_exist(
    State(state): State<ApiState>,
    Auth(user): Auth,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = query.unwrap_or_default();
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key != "videoIds" && key != "videoIds[]" {
            continue;
        }
        for part in value.split(',') {
            let id = part.trim().parse::<i64>().map_err(|_| {
                ApiError::invalid_query("videoIds", format!("{part:?} is not a video id"))
            })?;
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(ApiError::invalid_query("videoIds", "is required"));
    }
    if ids.len() > MAX_IDS {
        return Err(ApiError::invalid_query(
            "videoIds",
            format!("at most {MAX_IDS} videos"),
        ));
    }
    let found = kinora_app::playlists::elements::videos_exist(&state.db, &user, &ids).await?;
    let mut map: Map<String, Value> = ids
        .iter()
        .map(|id| (id.to_string(), Value::Array(Vec::new())))
        .collect();
    for row in found {
        if let Some(Value::Array(list)) = map.get_mut(&row.video_id.to_string()) {
            list.push(json!({
                "playlistElementId": row.element_id,
                "playlistId": row.playlist_id,
                "playlistDisplayName": row.display_name,
                "playlistShortUUID": row.short_uuid,
                "startTimestamp": row.start_timestamp,
                "stopTimestamp": row.stop_timestamp,
            }));
        }
    }
    Ok(Json(Value::Object(map)))
}
