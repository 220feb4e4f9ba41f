//! `GET /api/v1/users/me/subscriptions/videos`: public, published videos of the channels the
//! caller follows, `{total, data}` in the shape of `GET /api/v1/videos`, with the same `sort`,
//! `start`, `count`, `search` and filters (PeerTube reads that list's query here too).

use axum::extract::{RawQuery, State};
use axum::response::Response;
use kinora_db::video_lists::VideoFilter;

use crate::extract::Auth;
use crate::v1::videos::list::{answer_page, muted_by};
use crate::v1::videos::list_params::{ListKind, parse};
use crate::{ApiError, ApiState};

/// Answers one page.
pub async fn list_subscription_videos(
    State(state): State<ApiState>,
    Auth(user): Auth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut params = parse(
        query.as_deref(),
        ListKind::Catalogue,
        Some(&user),
        state.host(),
    )?;
    crate::v1::videos::list::follow_viewer_settings(&state, Some(&user), &mut params).await?;
    let account = kinora_app::users::find_account(&state.db, &user).await?;
    let filter = VideoFilter {
        subscriber_account_id: Some(account.id),
        muted_by: muted_by(&state, Some(&user)).await?,
        ..params.filter()
    };
    answer_page(&state, &filter, params.page).await
}
