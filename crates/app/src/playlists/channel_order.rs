//! The order of a channel's playlists (PeerTube's `videoChannelPosition`): kept dense by
//! [`super::create`], [`super::update`] and [`super::delete`], and changed by the channel's
//! manager with [`reorder`], after which every playlist of the channel is federated again
//! (PeerTube sends an `Update` of each).

use kinora_db::{Db, now_millis};

use crate::AppResult;
use crate::auth::AuthenticatedUser;

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
    let length = super::check_reorder(start, after, length)?;
    let mut tx = db.begin().await?;
    kinora_db::playlist_positions::lock(&mut tx, channel.id).await?;
    let total = kinora_db::playlist_positions::count(&mut *tx, channel.id).await?;
    super::check_reorder_within(start, after, length, total, "playlists in the channel")?;
    kinora_db::playlist_positions::reorder(&mut tx, channel.id, start, after, length, now_millis())
        .await?;
    for id in kinora_db::playlist_positions::ids_in_order(&mut *tx, channel.id).await? {
        super::queue_changed(&mut tx, id, Some(channel.id)).await?;
    }
    tx.commit().await?;
    Ok(())
}
