//! `GET /api/v1/config/about`: what the instance says about itself (PeerTube's `About`), from
//! the settings in force.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::ApiState;

/// Answers the About document.
pub async fn get_about(State(state): State<ApiState>) -> Json<Value> {
    let instance = state.instance.current();
    Json(json!({
        "instance": {
            "name": instance.name,
            "shortDescription": instance.short_description,
            "description": instance.description,
            "terms": instance.terms,
            "codeOfConduct": instance.code_of_conduct,
            "hardwareInformation": instance.hardware_information,
            "creationReason": instance.creation_reason,
            "moderationInformation": instance.moderation_information,
            "administrator": instance.administrator,
            "maintenanceLifetime": instance.maintenance_lifetime,
            "businessModel": instance.business_model,
            "languages": instance.languages,
            "categories": instance.categories,
            "avatars": [],
            "banners": []
        }
    }))
}
