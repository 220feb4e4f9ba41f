//! `POST /api/v1/bulk/remove-comments-of`: removes every comment of an account
//! (`{accountName, scope: "my-videos" | "instance"}`), on the caller's videos or, for
//! moderators, on the whole instance; 204. The account may be remote (`name@host`).

use axum::extract::State;
use axum::http::StatusCode;
use kinora_app::comment_reviews::RemovalScope;
use serde::Deserialize;

use crate::extract::{Auth, JsonOrForm};
use crate::v1::find_account;
use crate::{ApiError, ApiState};

/// PeerTube's `BulkRemoveCommentsOfBody`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCommentsOfBody {
    /// `name` or `name@host`.
    pub account_name: String,
    /// `my-videos` or `instance`.
    pub scope: String,
}

/// Removes the comments.
pub async fn remove_comments_of(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<RemoveCommentsOfBody>,
) -> Result<StatusCode, ApiError> {
    let scope = RemovalScope::parse(&body.scope)?;
    let account = find_account(&state, &body.account_name).await?;
    kinora_app::comment_reviews::remove_comments_of(&state.db, &user, &account, scope).await?;
    Ok(StatusCode::NO_CONTENT)
}
