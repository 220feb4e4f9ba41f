//! The JSON of many videos at once, for list pages: PeerTube's `VideoDetails` of each
//! ([`details_of_many`], with a few queries for the whole page) and its `Video` list items
//! ([`list_items`]). Each video is shaped by [`super::get`] as a single video is.

use kinora_db::redundancies::RedundancyRow;
use kinora_db::remote_videos::RemoteMediaRow;
use kinora_db::video_blacklist::BlockRow;
use kinora_db::video_schedules::ScheduleRow;
use kinora_db::videos::{VideoFileRow, VideoRow};
use serde_json::Value;

use super::get::{VideoParts, shape};
use crate::{ApiError, ApiState};

/// PeerTube's `Video` JSON of many videos, as lists answer them: [`details_of_many`] with the
/// details-only fields left out and the account and channel as summaries.
pub(crate) async fn list_items(
    state: &ApiState,
    videos: &[VideoRow],
) -> Result<Vec<Value>, ApiError> {
    Ok(details_of_many(state, videos)
        .await?
        .into_iter()
        .map(crate::json::video_of_details)
        .collect())
}

/// The `VideoDetails` JSON of many videos (a list page), with a few queries in all: their
/// channels, those channels' accounts, their followers, files, remote media and mirrors.
pub(crate) async fn details_of_many(
    state: &ApiState,
    videos: &[VideoRow],
) -> Result<Vec<Value>, ApiError> {
    use std::collections::HashMap;
    let pool = state.db.pool();
    let channels = crate::json::channels_by_id(state, videos.iter().map(|v| v.channel_id)).await?;
    let accounts =
        crate::json::accounts_by_id(state, channels.values().map(|c| c.account_id)).await?;
    let video_ids: Vec<i64> = videos.iter().map(|v| v.id).collect();
    let mut files: HashMap<i64, Vec<VideoFileRow>> = HashMap::new();
    for file in kinora_db::videos::list_files_of(pool, &video_ids).await? {
        files.entry(file.video_id).or_default().push(file);
    }
    let remote_ids: Vec<i64> = videos
        .iter()
        .filter(|v| !v.is_local())
        .map(|v| v.id)
        .collect();
    let remote: HashMap<i64, RemoteMediaRow> =
        kinora_db::remote_videos::find_media(pool, &remote_ids)
            .await?
            .into_iter()
            .map(|m| (m.video_id, m))
            .collect();
    let mut mirrors: HashMap<i64, Vec<RedundancyRow>> = HashMap::new();
    for mirror in kinora_db::redundancies::list_of(pool, &video_ids).await? {
        mirrors.entry(mirror.video_id).or_default().push(mirror);
    }
    let followers = crate::json::follower_counts(
        state,
        &accounts.values().collect::<Vec<_>>(),
        &channels.values().collect::<Vec<_>>(),
    )
    .await?;
    let blocks: HashMap<i64, BlockRow> =
        kinora_db::video_blacklist::find_by_videos(pool, &video_ids)
            .await?
            .into_iter()
            .map(|b| (b.video_id, b))
            .collect();
    let comments = kinora_db::comments::count_shown_of(pool, &video_ids).await?;
    let schedules: HashMap<i64, ScheduleRow> =
        kinora_db::video_schedules::find_of(pool, &video_ids)
            .await?
            .into_iter()
            .map(|s| (s.video_id, s))
            .collect();
    videos
        .iter()
        .map(|video| {
            let channel = channels
                .get(&video.channel_id)
                .ok_or_else(|| ApiError::not_found("Video channel"))?;
            let account = accounts
                .get(&channel.account_id)
                .ok_or_else(|| ApiError::not_found("Account"))?;
            let parts = VideoParts {
                channel,
                account,
                files: files.get(&video.id).map_or(&[][..], Vec::as_slice),
                remote: remote.get(&video.id),
                mirrors: mirrors.get(&video.id).map_or(&[][..], Vec::as_slice),
                followers: &followers,
                block: blocks.get(&video.id),
                comments: comments.get(&video.id).copied().unwrap_or(0),
                schedule: schedules.get(&video.id),
            };
            shape(state, video, &parts)
        })
        .collect()
}
