//! The videos of a playlist: appending one (a video the caller may see, at most
//! [`MAX_ELEMENTS`] per playlist), its start and stop timestamps, removing and reordering, and
//! which of the caller's playlists hold given videos.

use kinora_core::playlist::MAX_ELEMENTS;
use kinora_db::playlists::{ElementRow, NewElement, PlaylistRow, VideoInPlaylist};
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

/// Checks a pair of timestamps: whole seconds from 0, the stop after the start, both within
/// the video when its duration is known.
pub fn check_timestamps(start: Option<i64>, stop: Option<i64>, duration: i64) -> AppResult<()> {
    for (field, value) in [("startTimestamp", start), ("stopTimestamp", stop)] {
        if let Some(value) = value {
            if value < 0 {
                return Err(invalid(field, "must be a number of seconds from 0"));
            }
            if duration > 0 && value > duration {
                return Err(invalid(field, "is past the end of the video"));
            }
        }
    }
    if let (Some(start), Some(stop)) = (start, stop)
        && stop <= start
    {
        return Err(invalid("stopTimestamp", "must be after startTimestamp"));
    }
    Ok(())
}

/// Appends the video `video_id` names (id, UUID or short UUID) to the caller's playlist.
/// A video the caller may not see is `NotFound`; a full playlist is refused. Returns the
/// element's id.
pub async fn add_video(
    db: &Db,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
    video_id: &str,
    start: Option<i64>,
    stop: Option<i64>,
) -> AppResult<i64> {
    super::ensure_owner(db, user, playlist).await?;
    let video = crate::videos::find_video(db, video_id)
        .await?
        .ok_or(AppError::NotFound("Video"))?;
    crate::visibility::check_can_view(db, &video, Some(user)).await?;
    check_timestamps(start, stop, video.duration)?;
    let mut tx = db.begin().await?;
    let now = now_millis();
    if !kinora_db::playlists::lock(&mut tx, playlist.id, now).await? {
        return Err(AppError::NotFound("Video playlist"));
    }
    if kinora_db::playlists::count_elements(&mut *tx, playlist.id).await? >= MAX_ELEMENTS {
        return Err(invalid(
            "videoId",
            format!("A playlist cannot hold more than {MAX_ELEMENTS} videos"),
        ));
    }
    let id = kinora_db::playlists::append(
        &mut tx,
        playlist.id,
        &NewElement {
            video_id: video.id,
            start_timestamp: start,
            stop_timestamp: stop,
            url: None,
        },
        now,
    )
    .await?;
    super::queue_changed(&mut tx, playlist.id, playlist.channel_id).await?;
    tx.commit().await?;
    Ok(id)
}

async fn find_element(db: &Db, playlist: &PlaylistRow, element_id: i64) -> AppResult<ElementRow> {
    kinora_db::playlists::find_element(db.pool(), playlist.id, element_id)
        .await?
        .ok_or(AppError::NotFound("Video playlist element"))
}

/// Sets an element's start and stop timestamps (the caller's playlist).
pub async fn update_element(
    db: &Db,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
    element_id: i64,
    start: Option<i64>,
    stop: Option<i64>,
) -> AppResult<()> {
    super::ensure_owner(db, user, playlist).await?;
    let element = find_element(db, playlist, element_id).await?;
    let duration = match element.video_id {
        Some(id) => kinora_db::videos::find_by_id(db.pool(), id)
            .await?
            .map_or(0, |v| v.duration),
        None => 0,
    };
    check_timestamps(start, stop, duration)?;
    let mut tx = db.begin().await?;
    let now = now_millis();
    kinora_db::playlists::set_timestamps(&mut *tx, element.id, start, stop, now).await?;
    kinora_db::playlists::lock(&mut tx, playlist.id, now).await?;
    super::queue_changed(&mut tx, playlist.id, playlist.channel_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an element from the caller's playlist.
pub async fn remove_element(
    db: &Db,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
    element_id: i64,
) -> AppResult<()> {
    super::ensure_owner(db, user, playlist).await?;
    let mut tx = db.begin().await?;
    kinora_db::playlists::lock(&mut tx, playlist.id, now_millis()).await?;
    // Read under the lock: its position is the one the gap closes behind.
    let element = kinora_db::playlists::find_element(&mut *tx, playlist.id, element_id)
        .await?
        .ok_or(AppError::NotFound("Video playlist element"))?;
    kinora_db::playlists::remove_element(&mut tx, &element).await?;
    super::queue_changed(&mut tx, playlist.id, playlist.channel_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves `length` elements from position `start` to after position `after` (0: the front),
/// as PeerTube's `reorder` does.
pub async fn reorder(
    db: &Db,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
    start: i64,
    after: i64,
    length: Option<i64>,
) -> AppResult<()> {
    super::ensure_owner(db, user, playlist).await?;
    let length = super::check_reorder(start, after, length)?;
    let mut tx = db.begin().await?;
    let now = now_millis();
    kinora_db::playlists::lock(&mut tx, playlist.id, now).await?;
    let total = kinora_db::playlists::count_elements(&mut *tx, playlist.id).await?;
    super::check_reorder_within(start, after, length, total, "videos in the playlist")?;
    kinora_db::playlists::reorder(&mut tx, playlist.id, start, after, length, now).await?;
    super::queue_changed(&mut tx, playlist.id, playlist.channel_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Where each of `video_ids` is in the caller's playlists (`videos-exist`); creates the
/// caller's "Watch later" first when missing, so clients find it.
pub async fn videos_exist(
    db: &Db,
    user: &AuthenticatedUser,
    video_ids: &[i64],
) -> AppResult<Vec<VideoInPlaylist>> {
    let account = super::account_of(db, user).await?;
    super::watch_later(db, account.id).await?;
    Ok(kinora_db::playlists::videos_in_playlists_of(db.pool(), account.id, video_ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_seconds_in_order_within_the_video() {
        assert!(check_timestamps(None, None, 0).is_ok());
        assert!(check_timestamps(Some(2), Some(5), 10).is_ok());
        assert!(check_timestamps(Some(-1), None, 10).is_err());
        assert!(check_timestamps(Some(5), Some(5), 10).is_err());
        assert!(check_timestamps(None, Some(11), 10).is_err());
        assert!(check_timestamps(Some(100), None, 0).is_ok());
    }
}
