//! `GET /api/v1/video-playlists/privacies`: `{"1":"Public","2":"Unlisted","3":"Private"}`.

use axum::Json;
use kinora_core::playlist::PlaylistPrivacy;
use serde_json::{Map, Value};

/// Answers the privacy labels by id.
pub async fn list_privacies() -> Json<Value> {
    let map: Map<String, Value> = PlaylistPrivacy::ALL
        .into_iter()
        .map(|p| (p.id().to_string(), Value::from(p.label())))
        .collect();
    Json(Value::Object(map))
}
