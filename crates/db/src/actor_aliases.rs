//! `actor_aliases`: the other actors an actor says it also is (ActivityPub `alsoKnownAs`). A
//! local actor's list is set by its owner before an old account or channel moves to it; a
//! remote actor's is its document's list as last fetched, checked when a `Move` names it.

use crate::{Connection, DbResult};

/// The most aliases one actor keeps (Mastodon allows a handful; a move needs one).
pub const MAX_ALIASES: usize = 10;

/// The actor's aliases (actor URLs), oldest first.
pub async fn list(connection: &mut Connection, actor_id: i64) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT alias_url FROM actor_aliases WHERE actor_id = $1 ORDER BY created_at, alias_url",
    )
    .bind(actor_id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.into_iter().map(|(url,)| url).collect())
}

/// Adds an alias; adding one already there changes nothing. Answers whether it was new.
pub async fn add(
    connection: &mut Connection,
    actor_id: i64,
    alias_url: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "INSERT INTO actor_aliases (actor_id, alias_url, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (actor_id, alias_url) DO NOTHING",
    )
    .bind(actor_id)
    .bind(alias_url)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes an alias; answers whether it was there.
pub async fn remove(connection: &mut Connection, actor_id: i64, alias_url: &str) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM actor_aliases WHERE actor_id = $1 AND alias_url = $2")
        .bind(actor_id)
        .bind(alias_url)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Replaces a (remote) actor's aliases with `aliases`, as its document lists them now.
pub async fn replace(
    connection: &mut Connection,
    actor_id: i64,
    aliases: &[String],
    now: i64,
) -> DbResult<()> {
    sqlx::query("DELETE FROM actor_aliases WHERE actor_id = $1")
        .bind(actor_id)
        .execute(&mut *connection)
        .await?;
    for alias in aliases.iter().take(MAX_ALIASES) {
        add(connection, actor_id, alias, now).await?;
    }
    Ok(())
}
