//! Avatars and banners of actors (`actor_images`): one row per stored size, replaced as a set.

use std::collections::HashMap;

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

const COLUMNS: &str =
    "id, actor_id, kind, file_name, width, height, location, remote_url, created_at, updated_at";

/// PeerTube's `ActorImageType`: 1 for an avatar.
pub const AVATAR: i64 = 1;
/// PeerTube's `ActorImageType`: 2 for a banner.
pub const BANNER: i64 = 2;

/// One stored size of an actor's avatar or banner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActorImageRow {
    /// Numeric id.
    pub id: i64,
    /// The actor it belongs to.
    pub actor_id: i64,
    /// [`AVATAR`] or [`BANNER`].
    pub kind: i64,
    /// The generated file name (`<uuid>.jpg`).
    pub file_name: String,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Where the file is stored (a storage location name).
    pub location: String,
    /// For a remote actor's image, the URL it was fetched from.
    pub remote_url: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
}

/// One size to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActorImage<'a> {
    /// The generated file name.
    pub file_name: &'a str,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
}

/// Replaces the actor's images of `kind` with `images` (all stored at `location`, fetched from
/// `remote_url` for a remote actor); answers the rows replaced, whose files the caller deletes
/// once the transaction is committed.
pub async fn replace(
    connection: &mut Connection,
    actor_id: i64,
    kind: i64,
    images: &[NewActorImage<'_>],
    location: &str,
    remote_url: Option<&str>,
    now: i64,
) -> DbResult<Vec<ActorImageRow>> {
    let old = remove(connection, actor_id, kind).await?;
    for image in images {
        sqlx::query(
            "INSERT INTO actor_images (actor_id, kind, file_name, width, height, location, \
             remote_url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(actor_id)
        .bind(kind)
        .bind(image.file_name)
        .bind(image.width)
        .bind(image.height)
        .bind(location)
        .bind(remote_url)
        .bind(now)
        .execute(&mut *connection)
        .await?;
    }
    Ok(old)
}

/// Deletes the actor's images of `kind`; answers the rows deleted.
pub async fn remove(
    connection: &mut Connection,
    actor_id: i64,
    kind: i64,
) -> DbResult<Vec<ActorImageRow>> {
    let old: Vec<ActorImageRow> = sqlx::query_as(&format!(
        "DELETE FROM actor_images WHERE actor_id = $1 AND kind = $2 RETURNING {COLUMNS}"
    ))
    .bind(actor_id)
    .bind(kind)
    .fetch_all(&mut *connection)
    .await?;
    Ok(old)
}

/// The images of `actor_ids`, by actor, widest first.
pub async fn list_of<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_ids: &[i64],
) -> DbResult<HashMap<i64, Vec<ActorImageRow>>> {
    let mut by_actor: HashMap<i64, Vec<ActorImageRow>> = HashMap::new();
    if actor_ids.is_empty() {
        return Ok(by_actor);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM actor_images WHERE actor_id IN ({}) \
         ORDER BY actor_id, kind, width DESC, id",
        crate::placeholders(actor_ids.len())
    );
    let mut query = sqlx::query_as::<_, ActorImageRow>(&sql);
    for id in actor_ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(executor).await? {
        by_actor.entry(row.actor_id).or_default().push(row);
    }
    Ok(by_actor)
}

/// The image stored under `file_name`, when it is of `kind`.
pub async fn find_by_file<'e>(
    executor: impl Executor<'e, Database = Any>,
    file_name: &str,
    kind: i64,
) -> DbResult<Option<ActorImageRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actor_images WHERE file_name = $1 AND kind = $2"
    ))
    .bind(file_name)
    .bind(kind)
    .fetch_optional(executor)
    .await?)
}

/// Every stored image of an actor (to delete the files when the actor goes).
pub async fn list_for_actor<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Vec<ActorImageRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actor_images WHERE actor_id = $1 ORDER BY kind, width DESC"
    ))
    .bind(actor_id)
    .fetch_all(executor)
    .await?)
}

/// Stored images by id, after `after_id` (at most `limit`): the walk of
/// `kinora storage migrate`.
pub async fn list_after<'e>(
    executor: impl Executor<'e, Database = Any>,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<ActorImageRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actor_images WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(executor)
    .await?)
}

/// Records that image `id`'s file moved from `from` to `to`, if it is still that file at
/// `from` (an image replaced meanwhile is a new row). Returns whether it switched.
pub async fn move_file<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    file_name: &str,
    from: &str,
    to: &str,
) -> DbResult<bool> {
    crate::switch_file_location(executor, "actor_images", id, file_name, from, to).await
}
