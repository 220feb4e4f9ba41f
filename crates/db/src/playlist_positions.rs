//! The order of a channel's playlists (PeerTube's `videoChannelPosition`, from 1). A playlist
//! that joins a channel goes last ([`place_last`]); one that leaves it, moved or deleted,
//! closes its gap ([`leave`]); the channel's owner moves a block of them ([`reorder`]).
//! A remote playlist takes the position its origin gives ([`set`]).

use sqlx::{Any, Executor};

use crate::positions::{Order, move_block};
use crate::{Connection, DbResult};

const ORDER: Order = Order {
    table: "video_playlists",
    owner: "channel_id",
    position: "video_channel_position",
};

/// Puts playlist `id` last in `channel` (no position without a channel).
pub async fn place_last(
    connection: &mut Connection,
    id: i64,
    channel: Option<i64>,
) -> DbResult<()> {
    match channel {
        Some(channel) => {
            sqlx::query(
                "UPDATE video_playlists SET video_channel_position = \
                 (SELECT COALESCE(MAX(video_channel_position), 0) + 1 FROM video_playlists \
                 WHERE channel_id = $1 AND id <> $2) WHERE id = $2",
            )
            .bind(channel)
            .bind(id)
            .execute(&mut *connection)
            .await?;
        }
        None => set(connection, id, None).await?,
    }
    Ok(())
}

/// Sets playlist `id`'s position as given (a remote playlist's, from its origin).
pub async fn set(connection: &mut Connection, id: i64, position: Option<i64>) -> DbResult<()> {
    sqlx::query("UPDATE video_playlists SET video_channel_position = $1 WHERE id = $2")
        .bind(position)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Takes playlist `id` out of its channel's order (before it moves to another channel or is
/// deleted): those after it move up by one, and it has no position.
pub async fn leave(connection: &mut Connection, id: i64) -> DbResult<()> {
    let current: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT channel_id, video_channel_position FROM video_playlists WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?;
    if let Some((Some(channel), Some(position))) = current {
        sqlx::query(
            "UPDATE video_playlists SET video_channel_position = video_channel_position - 1 \
             WHERE channel_id = $1 AND video_channel_position > $2",
        )
        .bind(channel)
        .bind(position)
        .execute(&mut *connection)
        .await?;
        set(connection, id, None).await?;
    }
    Ok(())
}

/// How many playlists `channel` orders (the last position).
pub async fn count<'e>(executor: impl Executor<'e, Database = Any>, channel: i64) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM video_playlists \
         WHERE channel_id = $1 AND video_channel_position IS NOT NULL",
    )
    .bind(channel)
    .fetch_one(executor)
    .await?;
    Ok(count)
}

/// Takes `channel`'s row lock for the rest of the transaction: reorders take it first, so
/// two of them do not interleave.
pub async fn lock(connection: &mut Connection, channel: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE channels SET updated_at = updated_at WHERE id = $1")
        .bind(channel)
        .execute(&mut *connection)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the `length` playlists from `start` to just after `after` (0: the front); the caller
/// holds [`lock`] and checked the positions against [`count`].
pub async fn reorder(
    connection: &mut Connection,
    channel: i64,
    start: i64,
    after: i64,
    length: i64,
    now: i64,
) -> DbResult<()> {
    move_block(connection, ORDER, channel, start, after, length, now).await
}

/// The ids of `channel`'s playlists, in its order.
pub async fn ids_in_order<'e>(
    executor: impl Executor<'e, Database = Any>,
    channel: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM video_playlists WHERE channel_id = $1 \
         ORDER BY video_channel_position, id",
    )
    .bind(channel)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
