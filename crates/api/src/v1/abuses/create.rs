//! `POST /api/v1/abuses`: report a video, a comment or an account,
//! `{reason, predefinedReasons[], video:{id, startAt, endAt} | comment:{id} | account:{id}}`
//! → `{abuse:{id}}`. The rules are `kinora_app::abuses::report`'s.

use axum::Json;
use axum::extract::State;
use kinora_app::abuses::report::{NewReport, ReportedObject};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{Auth, JsonOrForm};
use crate::{ApiError, ApiState};

/// A video named in a report.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoReference {
    /// Numeric id, UUID or short UUID.
    id: Value,
    start_at: Option<i64>,
    end_at: Option<i64>,
}

/// A comment or account named in a report.
#[derive(Debug, Deserialize)]
pub struct IdReference {
    id: i64,
}

/// The body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAbuseBody {
    reason: String,
    #[serde(default)]
    predefined_reasons: Vec<String>,
    video: Option<VideoReference>,
    comment: Option<IdReference>,
    account: Option<IdReference>,
}

impl CreateAbuseBody {
    fn into_report(self) -> Result<NewReport, ApiError> {
        let mut objects = Vec::new();
        if let Some(video) = self.video {
            let id = match &video.id {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => return Err(ApiError::invalid_field("video.id", "is not a video id")),
            };
            objects.push(ReportedObject::Video {
                id,
                start_at: video.start_at,
                end_at: video.end_at,
            });
        }
        if let Some(comment) = self.comment {
            objects.push(ReportedObject::Comment { id: comment.id });
        }
        if let Some(account) = self.account {
            objects.push(ReportedObject::Account { id: account.id });
        }
        Ok(NewReport {
            reason: self.reason,
            predefined_reasons: self.predefined_reasons,
            objects,
        })
    }
}

/// Files the report.
pub async fn create_abuse(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<CreateAbuseBody>,
) -> Result<Json<Value>, ApiError> {
    let report = body.into_report()?;
    let id = kinora_app::abuses::report::report(&state.db, &user, &report).await?;
    Ok(Json(json!({ "abuse": { "id": id } })))
}
