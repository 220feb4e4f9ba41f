//! Subscriptions: an account following a channel (the feed of their videos is a
//! [`VideoFilter`](crate::video_lists::VideoFilter) with `subscriber_account_id`).

use sqlx::{Any, Executor};

use crate::channels::ChannelRow;
use crate::{Connection, DbResult};

/// Subscribes an account to a channel; subscribing again changes nothing. Returns whether a
/// subscription was added.
pub async fn insert(
    connection: &mut Connection,
    account_id: i64,
    channel_id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "INSERT INTO subscriptions (account_id, channel_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, channel_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(channel_id)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Ends a subscription. Returns false when there was none.
pub async fn delete<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
    channel_id: i64,
) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM subscriptions WHERE account_id = $1 AND channel_id = $2")
        .bind(account_id)
        .bind(channel_id)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Moves every subscription of the channel `from_channel_id` to `to_channel_id` (an account
/// subscribed to both keeps one), keeping when each began. Answers the accounts moved.
pub async fn move_all(
    connection: &mut Connection,
    from_channel_id: i64,
    to_channel_id: i64,
) -> DbResult<Vec<i64>> {
    let accounts: Vec<(i64,)> =
        sqlx::query_as("SELECT account_id FROM subscriptions WHERE channel_id = $1 ORDER BY id")
            .bind(from_channel_id)
            .fetch_all(&mut *connection)
            .await?;
    sqlx::query(
        "INSERT INTO subscriptions (account_id, channel_id, created_at) \
         SELECT account_id, $1, created_at FROM subscriptions WHERE channel_id = $2 \
         ON CONFLICT (account_id, channel_id) DO NOTHING",
    )
    .bind(to_channel_id)
    .bind(from_channel_id)
    .execute(&mut *connection)
    .await?;
    sqlx::query("DELETE FROM subscriptions WHERE channel_id = $1")
        .bind(from_channel_id)
        .execute(&mut *connection)
        .await?;
    Ok(accounts.into_iter().map(|(id,)| id).collect())
}

/// Answers whether an account is subscribed to a channel.
pub async fn exists<'e>(
    executor: impl Executor<'e, Database = Any>,
    account_id: i64,
    channel_id: i64,
) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM subscriptions WHERE account_id = $1 AND channel_id = $2")
            .bind(account_id)
            .bind(channel_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.is_some())
}

/// The channels an account follows, latest subscription first (or oldest first when
/// `oldest_first`): how many, and one page.
pub async fn list_channels(
    connection: &mut Connection,
    account_id: i64,
    (start, count): (i64, i64),
    oldest_first: bool,
) -> DbResult<(i64, Vec<ChannelRow>)> {
    let direction = if oldest_first { "ASC" } else { "DESC" };
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM subscriptions WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *connection)
            .await?;
    let rows = sqlx::query_as(&format!(
        "{} JOIN subscriptions s ON s.channel_id = c.id WHERE s.account_id = $1 \
         ORDER BY s.created_at {direction}, s.id {direction} LIMIT $2 OFFSET $3",
        crate::channels::SELECT
    ))
    .bind(account_id)
    .bind(count)
    .bind(start)
    .fetch_all(&mut *connection)
    .await?;
    Ok((total, rows))
}
