//! Subscriptions: a user following local channels, and the videos of the channels followed.
//!
//! Channels are named by their local name; the HTTP layer turns `name@host` handles into names
//! and refuses remote ones until federation can follow them.

use kinora_db::channels::ChannelRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};

use crate::auth::AuthenticatedUser;
use crate::visibility::can_view;
use crate::{AppError, AppResult};

async fn find_channel(db: &Db, name: &str) -> AppResult<Option<ChannelRow>> {
    Ok(kinora_db::channels::find_local_by_name(db.pool(), name).await?)
}

/// Subscribes `user` to the local channel `name`; subscribing again changes nothing.
pub async fn subscribe(db: &Db, user: &AuthenticatedUser, name: &str) -> AppResult<ChannelRow> {
    let channel = find_channel(db, name)
        .await?
        .ok_or(AppError::NotFound("Video channel"))?;
    let account = crate::users::find_account(db, user).await?;
    let mut tx = db.begin().await?;
    kinora_db::subscriptions::insert(&mut tx, account.id, channel.id, now_millis()).await?;
    tx.commit().await?;
    Ok(channel)
}

/// The local channel `name` and `user`'s account, or "Subscription not found" for an unknown
/// channel.
async fn channel_and_account(
    db: &Db,
    user: &AuthenticatedUser,
    name: &str,
) -> AppResult<(ChannelRow, i64)> {
    let channel = find_channel(db, name)
        .await?
        .ok_or(AppError::NotFound("Subscription"))?;
    let account = crate::users::find_account(db, user).await?;
    Ok((channel, account.id))
}

/// The local channel `name`, if `user` follows it; else "Subscription not found".
pub async fn find(db: &Db, user: &AuthenticatedUser, name: &str) -> AppResult<ChannelRow> {
    let (channel, account_id) = channel_and_account(db, user, name).await?;
    if !kinora_db::subscriptions::exists(db.pool(), account_id, channel.id).await? {
        return Err(AppError::NotFound("Subscription"));
    }
    Ok(channel)
}

/// Ends `user`'s subscription to the local channel `name`.
pub async fn unsubscribe(db: &Db, user: &AuthenticatedUser, name: &str) -> AppResult<()> {
    let (channel, account_id) = channel_and_account(db, user, name).await?;
    if !kinora_db::subscriptions::delete(db.pool(), account_id, channel.id).await? {
        return Err(AppError::NotFound("Subscription"));
    }
    Ok(())
}

/// For each local channel name (none: a remote handle), whether `user` follows it.
pub async fn which_subscribed(
    db: &Db,
    user: &AuthenticatedUser,
    names: &[Option<&str>],
) -> AppResult<Vec<bool>> {
    let account = crate::users::find_account(db, user).await?;
    let mut answers = Vec::with_capacity(names.len());
    for name in names {
        let channel = match name {
            Some(name) => find_channel(db, name).await?,
            None => None,
        };
        answers.push(match channel {
            Some(channel) => {
                kinora_db::subscriptions::exists(db.pool(), account.id, channel.id).await?
            }
            None => false,
        });
    }
    Ok(answers)
}

/// The channels `user` follows, latest first: how many, and one page.
pub async fn list_channels(
    db: &Db,
    user: &AuthenticatedUser,
    start: i64,
    count: i64,
) -> AppResult<(i64, Vec<ChannelRow>)> {
    let account = crate::users::find_account(db, user).await?;
    let mut connection = db.pool().acquire().await?;
    Ok(kinora_db::subscriptions::list_channels(&mut connection, account.id, start, count).await?)
}

/// Published public videos of the channels `user` follows, newest first: how many, and one
/// page. Each video is also checked with [`can_view`], the rule every route uses.
pub async fn list_videos(
    db: &Db,
    user: &AuthenticatedUser,
    start: i64,
    count: i64,
) -> AppResult<(i64, Vec<VideoRow>)> {
    let account = crate::users::find_account(db, user).await?;
    let mut connection = db.pool().acquire().await?;
    let (total, rows) =
        kinora_db::subscriptions::list_videos(&mut connection, account.id, start, count).await?;
    drop(connection);
    let mut visible = Vec::with_capacity(rows.len());
    for row in rows {
        if can_view(db, &row, Some(user)).await? {
            visible.push(row);
        }
    }
    Ok((total, visible))
}
