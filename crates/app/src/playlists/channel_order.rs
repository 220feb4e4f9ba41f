//! The order of a channel's playlists (PeerTube's `videoChannelPosition`): kept dense by
//! [`super::create`], [`super::update`] and [`super::delete`], and changed by the channel's
//! manager with [`reorder`], after which every playlist of the channel is federated again
//! (PeerTube sends an `Update` of each).

use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Moves `length` playlists (default 1) of channel `channel_name` from `start` to just after
/// `after` (0: the front), as PeerTube's `POST /video-channels/{handle}/video-playlists/reorder`.
pub async fn reorder(
    db: &Db,
    user: &AuthenticatedUser,
    channel_name: &str,
    start: i64,
    after: i64,
    length: Option<i64>,
) -> AppResult<()> {
    let channel = crate::channels::find_managed(db, user, channel_name).await?;
    let length = length.unwrap_or(1);
    let invalid = |field: &'static str, message: String| AppError::Invalid { field, message };
    if start < 1 {
        return Err(invalid("startPosition", "must be 1 or more".to_owned()));
    }
    if after < 0 {
        return Err(invalid(
            "insertAfterPosition",
            "must be 0 or more".to_owned(),
        ));
    }
    if length < 1 {
        return Err(invalid("reorderLength", "must be 1 or more".to_owned()));
    }
    let mut tx = db.begin().await?;
    kinora_db::playlist_positions::lock(&mut tx, channel.id).await?;
    let total = kinora_db::playlist_positions::count(&mut *tx, channel.id).await?;
    if start > total {
        return Err(invalid(
            "startPosition",
            format!("must be at most {total}, the channel's number of playlists"),
        ));
    }
    if after > total {
        return Err(invalid(
            "insertAfterPosition",
            format!("must be at most {total}, the channel's number of playlists"),
        ));
    }
    if start + length - 1 > total {
        return Err(invalid(
            "reorderLength",
            "reaches past the channel's last playlist".to_owned(),
        ));
    }
    kinora_db::playlist_positions::reorder(&mut tx, channel.id, start, after, length, now_millis())
        .await?;
    for id in kinora_db::playlist_positions::ids_in_order(&mut *tx, channel.id).await? {
        super::queue_changed(&mut tx, id, Some(channel.id)).await?;
    }
    tx.commit().await?;
    Ok(())
}
