//! `GET /api/v1/server/stats`: the instance's numbers, in PeerTube's `ServerStats` shape with
//! the counters Kinora keeps (users and how many were active, videos, views, comments, file
//! sizes, channels, instance follows, inbox activities, abuse reports). PeerTube's per-type
//! ActivityPub counters, playlists and redundancy sizes are not kept and not listed.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::{ApiError, ApiState};

/// Answers the statistics.
pub async fn get_stats(State(state): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let stats =
        kinora_db::instance_stats::server_stats(state.db.pool(), kinora_db::now_millis()).await?;
    let [daily, weekly, monthly] = stats.active_users;
    Ok(Json(json!({
        "totalUsers": stats.users,
        "totalDailyActiveUsers": daily,
        "totalWeeklyActiveUsers": weekly,
        "totalMonthlyActiveUsers": monthly,
        "totalModerators": stats.moderators,
        "totalAdmins": stats.admins,
        "totalLocalVideos": stats.local_videos,
        "totalLocalVideoViews": stats.local_video_views,
        "totalLocalVideoComments": stats.local_comments,
        "totalLocalVideoFilesSize": stats.local_files_size,
        "totalVideos": stats.videos,
        "totalVideoComments": stats.comments,
        "totalLocalVideoChannels": stats.local_channels,
        "totalInstanceFollowers": stats.instance_followers,
        "totalInstanceFollowing": stats.instance_following,
        "videosRedundancy": [],
        "totalActivityPubMessagesProcessed": stats.inbox_activities,
        "totalAbuses": stats.abuses,
        "totalAbusesProcessed": stats.abuses_processed
    })))
}
