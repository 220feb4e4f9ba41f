//! `GET /api/v1/accounts/{name}/video-playlists`: an account's public playlists; its owner
//! sees all of them, "Watch later" included (made on the spot when missing).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::Value;

use crate::extract::MaybeAuth;
use crate::v1::find_account;
use crate::v1::video_playlists::PlaylistListQuery;
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_account_playlists(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    Path(handle): Path<String>,
    Query(query): Query<PlaylistListQuery>,
) -> Result<Json<Value>, ApiError> {
    let account = find_account(&state, &handle).await?;
    let mut filter = query.filter()?;
    filter.account_id = Some(account.id);
    let own = viewer
        .as_ref()
        .is_some_and(|viewer| account.user_id == Some(viewer.user_id));
    if own {
        kinora_app::playlists::watch_later(&state.db, account.id).await?;
        filter.all_privacies = true;
    }
    Ok(Json(
        crate::v1::video_playlists::answer(&state, &filter, &query).await?,
    ))
}
