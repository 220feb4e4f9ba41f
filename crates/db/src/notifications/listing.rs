//! Reading a user's notifications and settings, and marking them read. Only the notifications
//! shown on the web (`web = 1`) are listed and counted.

use std::collections::HashMap;

use kinora_core::notifications::SETTINGS;
use sqlx::{Any, AnyPool, Executor};

use super::{COLUMNS, NotificationRow};
use crate::{Connection, DbResult};

/// Which notifications a page lists.
#[derive(Debug, Clone, Default)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: bool,
    /// Only these type numbers.
    pub kinds: Option<Vec<i64>>,
    /// Oldest first (PeerTube's `createdAt`); newest first otherwise.
    pub oldest_first: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// One page of `user_id`'s notifications, and how many match.
pub async fn page(
    pool: &AnyPool,
    user_id: i64,
    query: &NotificationQuery,
) -> DbResult<(i64, Vec<NotificationRow>)> {
    let mut filter = String::from("FROM user_notifications WHERE user_id = $1 AND web = 1");
    if query.unread {
        filter.push_str(" AND read = 0");
    }
    let kinds = query.kinds.as_deref().unwrap_or_default();
    if !kinds.is_empty() {
        let list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 2)).collect();
        filter.push_str(&format!(" AND kind IN ({})", list.join(", ")));
    }
    let count_sql = format!("SELECT COUNT(*) {filter}");
    let mut counting = sqlx::query_as::<_, (i64,)>(&count_sql).bind(user_id);
    for kind in kinds {
        counting = counting.bind(*kind);
    }
    let (total,) = counting.fetch_one(pool).await?;
    let direction = if query.oldest_first { "ASC" } else { "DESC" };
    let next = kinds.len() + 2;
    let rows_sql = format!(
        "SELECT {COLUMNS} {filter} ORDER BY id {direction} LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let mut rows = sqlx::query_as::<_, NotificationRow>(&rows_sql).bind(user_id);
    for kind in kinds {
        rows = rows.bind(*kind);
    }
    let rows = rows
        .bind(query.count)
        .bind(query.start)
        .fetch_all(pool)
        .await?;
    Ok((total, rows))
}

/// How many of `user_id`'s notifications are unread.
pub async fn unread_count<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM user_notifications WHERE user_id = $1 AND web = 1 AND read = 0",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await?;
    Ok(count)
}

/// Marks `ids` of `user_id`'s notifications read (others' ids change nothing); answers how
/// many changed.
pub async fn mark_read(
    connection: &mut Connection,
    user_id: i64,
    ids: &[i64],
    now: i64,
) -> DbResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE user_notifications SET read = 1, updated_at = $1 WHERE user_id = $2 \
         AND read = 0 AND id IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(user_id);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query.execute(&mut *connection).await?.rows_affected())
}

/// Marks every notification of `user_id` read; answers how many changed.
pub async fn mark_all_read(connection: &mut Connection, user_id: i64, now: i64) -> DbResult<u64> {
    let done = sqlx::query(
        "UPDATE user_notifications SET read = 1, updated_at = $1 WHERE user_id = $2 AND read = 0",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *connection)
    .await?;
    Ok(done.rows_affected())
}

/// Every notification setting of `user_id`: PeerTube's defaults, with the user's changes.
pub async fn settings<'e>(
    executor: impl Executor<'e, Database = Any>,
    user_id: i64,
) -> DbResult<Vec<(&'static str, i64)>> {
    let stored: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT setting, value FROM user_notification_settings WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(executor)
    .await?
    .into_iter()
    .collect();
    Ok(SETTINGS
        .iter()
        .map(|&(name, default)| (name, stored.get(name).copied().unwrap_or(default)))
        .collect())
}

/// Stores `changes` (setting name, value) of `user_id`'s settings; the caller checked them.
pub async fn save_settings(
    connection: &mut Connection,
    user_id: i64,
    changes: &[(&str, i64)],
) -> DbResult<()> {
    for (setting, value) in changes {
        sqlx::query(
            "INSERT INTO user_notification_settings (user_id, setting, value) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, setting) DO UPDATE SET value = excluded.value",
        )
        .bind(user_id)
        .bind(*setting)
        .bind(*value)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}
