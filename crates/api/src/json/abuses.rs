//! PeerTube's JSON shapes for abuse reports: `AdminAbuse` (moderators' list), `UserAbuse` (the
//! reporter's own list) and `AbuseMessage`. The rows a page needs (accounts, videos, channels,
//! comments) are read here, once per page or per report; which videos are blocked, once per page.

use std::collections::{HashMap, HashSet};

use kinora_core::abuse::{AbuseState, bits_to_reasons};
use kinora_db::abuses::{AbuseMessageRow, AbuseRow};
use kinora_db::accounts::AccountRow;
use serde_json::{Value, json};

use super::{account_with, channel_with, follower_counts, iso_date};
use crate::{ApiError, ApiState};

/// Which shape a report takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbuseView {
    /// `AdminAbuse`: with the reporter, the moderators' note and the counts.
    Admin,
    /// `UserAbuse`: what the reporter sees of their own report.
    User,
}

/// The accounts of `ids`, by id.
async fn accounts_by_id(
    state: &ApiState,
    mut ids: Vec<i64>,
) -> Result<HashMap<i64, AccountRow>, ApiError> {
    ids.sort_unstable();
    ids.dedup();
    let rows = kinora_db::accounts::find_by_ids(state.db.pool(), &ids).await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// The `video` of a video report: the video as it is, or as it was when deleted; `blocked`
/// says whether staff blocked it.
async fn video_of(
    state: &ApiState,
    row: &AbuseRow,
    view: AbuseView,
    blocked: bool,
) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let video = match row.video_id {
        Some(id) => kinora_db::videos::find_by_id(pool, id).await?,
        None => None,
    };
    let uuid = video
        .as_ref()
        .map(|video| video.uuid.clone())
        .or_else(|| row.video_uuid.clone())
        .unwrap_or_default();
    let short_uuid = uuid::Uuid::parse_str(&uuid)
        .map(|parsed| kinora_core::video::short_uuid(&parsed))
        .unwrap_or_default();
    let channel = match &video {
        Some(video) => kinora_db::channels::find_by_id(pool, video.channel_id).await?,
        None => None,
    };
    let channel = match channel {
        Some(channel) => {
            let counts = follower_counts(state, &[], &[&channel]).await?;
            Some(channel_with(state, &channel, None, &counts))
        }
        None => None,
    };
    let mut value = json!({
        "id": row.video_id,
        "name": video.as_ref().map(|video| video.name.clone()).or_else(|| row.video_name.clone()),
        "uuid": uuid,
        "shortUUID": short_uuid,
        "nsfw": video.as_ref().is_some_and(|video| video.nsfw != 0),
        "deleted": video.is_none(),
        "blacklisted": blocked,
        "startAt": row.start_at,
        "endAt": row.end_at,
        "thumbnailPath": video.as_ref().and_then(|video| video.thumbnail_file.as_ref())
            .map(|file| format!("/lazy-static/thumbnails/{file}")),
        "thumbnails": [],
        "channel": channel,
    });
    if view == AbuseView::Admin {
        value["countReports"] = json!(row.video_reports);
        value["nthReport"] = json!(row.video_nth);
    }
    Ok(value)
}

/// The `comment` of a comment report (null once the comment is gone with its video).
async fn comment_of(state: &ApiState, row: &AbuseRow) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let Some(comment) = (match row.comment_id {
        Some(id) => kinora_db::comments::find_by_id(pool, id).await?,
        None => None,
    }) else {
        return Ok(Value::Null);
    };
    let video = kinora_db::videos::find_by_id(pool, comment.video_id).await?;
    Ok(json!({
        "id": comment.id,
        "threadId": comment.root_id(),
        "text": comment.text,
        "deleted": comment.deleted_at.is_some(),
        "video": video.map(|video| json!({
            "id": video.id,
            "name": video.name,
            "uuid": video.uuid,
        })),
    }))
}

/// The reports of one page in `view`'s shape.
pub async fn abuses(
    state: &ApiState,
    rows: &[AbuseRow],
    view: AbuseView,
) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|row| [row.reporter_account_id, row.flagged_account_id])
        .flatten()
        .collect();
    let accounts = accounts_by_id(state, ids).await?;
    let listed: Vec<&AccountRow> = accounts.values().collect();
    let counts = follower_counts(state, &listed, &[]).await?;
    let account_json = |id: Option<i64>| {
        id.and_then(|id| accounts.get(&id))
            .map(|account| account_with(state, account, &counts))
    };
    let video_ids: Vec<i64> = rows.iter().filter_map(|row| row.video_id).collect();
    let blocked: HashSet<i64> =
        kinora_db::video_blacklist::find_by_videos(state.db.pool(), &video_ids)
            .await?
            .into_iter()
            .map(|block| block.video_id)
            .collect();
    let mut data = Vec::with_capacity(rows.len());
    for row in rows {
        let abuse_state = AbuseState::from_id(row.state).unwrap_or(AbuseState::Pending);
        let video = match row.object_kind.as_str() {
            "video" => {
                let is_blocked = row.video_id.is_some_and(|id| blocked.contains(&id));
                video_of(state, row, view, is_blocked).await?
            }
            _ => Value::Null,
        };
        let comment = match row.object_kind.as_str() {
            "comment" => comment_of(state, row).await?,
            _ => Value::Null,
        };
        let mut value = json!({
            "id": row.id,
            "reason": row.reason,
            "predefinedReasons": bits_to_reasons(row.predefined_reasons),
            "flaggedAccount": account_json(row.flagged_account_id),
            "state": { "id": abuse_state.id(), "label": abuse_state.label() },
            "video": video,
            "comment": comment,
            "countMessages": row.count_messages,
            "createdAt": iso_date(row.created_at),
            "updatedAt": iso_date(row.updated_at),
        });
        if view == AbuseView::Admin {
            value["reporterAccount"] = json!(account_json(row.reporter_account_id));
            value["moderationComment"] = json!(row.moderation_comment);
            value["countReportsForReporter"] = json!(row.reporter_reports);
            value["countReportsForReportee"] = json!(row.flagged_reports);
        }
        data.push(value);
    }
    Ok(data)
}

/// The messages of a report as `AbuseMessage`s, their authors as `AccountSummary`s.
pub async fn messages(state: &ApiState, rows: &[AbuseMessageRow]) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<i64> = rows.iter().filter_map(|row| row.account_id).collect();
    let accounts = accounts_by_id(state, ids).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let account = row
                .account_id
                .and_then(|id| accounts.get(&id))
                .map(|account| {
                    json!({
                        "id": account.id,
                        "name": account.name,
                        "displayName": account.display_name,
                        "url": account.url.clone().unwrap_or_else(|| {
                            format!("{}/accounts/{}", state.public_url, account.name)
                        }),
                        "host": account.host.as_deref().unwrap_or(state.host()),
                        "avatars": [],
                    })
                });
            json!({
                "id": row.id,
                "message": row.message,
                "byModerator": row.by_moderator != 0,
                "createdAt": iso_date(row.created_at),
                "account": account,
            })
        })
        .collect())
}
