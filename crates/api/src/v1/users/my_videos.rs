//! `GET /api/v1/users/me/videos`: the caller's own videos, whatever their privacy or state
//! (newest first by default), so creators can follow transcoding and edit or delete them; with
//! PeerTube's filters (`privacyOneOf` too; `nsfw` is ignored: one's own list shows all).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::extract::Auth;
use crate::v1::videos::list::answer_page;
use crate::v1::videos::list_params::{ListKind, parse};
use crate::{ApiError, ApiState};

/// Answers `{total, data}`.
pub async fn list_my_videos(
    State(state): State<ApiState>,
    Auth(user): Auth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = parse(query.as_deref(), ListKind::Mine, Some(&user), state.host())?;
    if !params.sort_given {
        params.page.order = kinora_db::video_lists::VideoOrder::CreatedAt;
    }
    let account = kinora_db::accounts::find_by_user(state.db.pool(), user.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let filter = VideoFilter {
        account_id: Some(account.id),
        include_hidden: true,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}
