//! Actors (the ActivityPub identities) with their accounts and channels.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// Inserts a local actor of `kind` (`Person`, `Group` or `Application`) and returns its id.
/// A name already used by another local actor is a `DbError::Conflict`.
pub async fn insert_local_actor(
    connection: &mut Connection,
    kind: &str,
    preferred_username: &str,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO actors (kind, preferred_username, host, created_at, updated_at) \
         VALUES ($1, $2, NULL, $3, $3) RETURNING id",
    )
    .bind(kind)
    .bind(preferred_username)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Stores an actor's RSA key pair (PEM).
pub async fn set_keys(
    connection: &mut Connection,
    actor_id: i64,
    public_key_pem: &str,
    private_key_pem: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE actors SET public_key_pem = $1, private_key_pem = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(public_key_pem)
    .bind(private_key_pem)
    .bind(now)
    .bind(actor_id)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The public key (PEM) of an actor, if it has one yet.
pub async fn find_public_key<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT public_key_pem FROM actors WHERE id = $1")
            .bind(actor_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.and_then(|(key,)| key))
}

/// Deletes an actor; its account or channel goes with it.
pub async fn delete(connection: &mut Connection, actor_id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM actors WHERE id = $1")
        .bind(actor_id)
        .execute(&mut *connection)
        .await?;
    Ok(result.rows_affected() == 1)
}

const ACTOR_COLUMNS: &str = "id, kind, preferred_username, host, url, inbox_url, \
    shared_inbox_url, outbox_url, followers_url, key_id, public_key_pem, avatar_url, \
    fetched_at, created_at, updated_at, moved_to_url, moved_at";

/// An actor as stored (without its private key).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActorRow {
    /// Numeric id.
    pub id: i64,
    /// `Person`, `Group` or `Application`.
    pub kind: String,
    /// The name (`preferredUsername`).
    pub preferred_username: String,
    /// `host[:port]`; none for local actors.
    pub host: Option<String>,
    /// The ActivityPub id of a remote actor (local ones derive theirs).
    pub url: Option<String>,
    /// A remote actor's inbox.
    pub inbox_url: Option<String>,
    /// A remote actor's shared inbox.
    pub shared_inbox_url: Option<String>,
    /// A remote actor's outbox.
    pub outbox_url: Option<String>,
    /// A remote actor's followers collection.
    pub followers_url: Option<String>,
    /// A remote actor's key id (`publicKey.id`).
    pub key_id: Option<String>,
    /// The public key (PEM).
    pub public_key_pem: Option<String>,
    /// A remote actor's avatar URL.
    pub avatar_url: Option<String>,
    /// When a remote actor was last fetched, epoch milliseconds.
    pub fetched_at: Option<i64>,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
    /// The actor this one moved to (`movedTo`), if it moved.
    pub moved_to_url: Option<String>,
    /// When it moved, epoch milliseconds.
    pub moved_at: Option<i64>,
}

impl ActorRow {
    /// True for actors of this instance.
    pub fn is_local(&self) -> bool {
        self.host.is_none()
    }

    /// The inbox to deliver to: the shared one when the actor has one.
    pub fn delivery_inbox(&self) -> Option<&str> {
        self.shared_inbox_url
            .as_deref()
            .or(self.inbox_url.as_deref())
    }
}

/// What a remote actor's document said, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteActor<'a> {
    /// `Person`, `Group` or `Application`.
    pub kind: &'a str,
    /// `preferredUsername`.
    pub preferred_username: &'a str,
    /// `host[:port]` of its id.
    pub host: &'a str,
    /// Its id.
    pub url: &'a str,
    /// Its inbox.
    pub inbox_url: &'a str,
    /// Its shared inbox.
    pub shared_inbox_url: Option<&'a str>,
    /// Its outbox.
    pub outbox_url: Option<&'a str>,
    /// Its followers collection.
    pub followers_url: Option<&'a str>,
    /// Its key id.
    pub key_id: Option<&'a str>,
    /// Its public key (PEM).
    pub public_key_pem: Option<&'a str>,
    /// Its avatar.
    pub avatar_url: Option<&'a str>,
}

/// Inserts a remote actor, or refreshes the one with the same URL (its URL and host never
/// change). Returns its id.
pub async fn upsert_remote(
    connection: &mut Connection,
    actor: &RemoteActor<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO actors (kind, preferred_username, host, url, inbox_url, shared_inbox_url, \
         outbox_url, followers_url, key_id, public_key_pem, avatar_url, fetched_at, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) \
         ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, \
         preferred_username = excluded.preferred_username, inbox_url = excluded.inbox_url, \
         shared_inbox_url = excluded.shared_inbox_url, outbox_url = excluded.outbox_url, \
         followers_url = excluded.followers_url, key_id = excluded.key_id, \
         public_key_pem = excluded.public_key_pem, avatar_url = excluded.avatar_url, \
         fetched_at = excluded.fetched_at, updated_at = excluded.updated_at RETURNING id",
    )
    .bind(actor.kind)
    .bind(actor.preferred_username)
    .bind(actor.host)
    .bind(actor.url)
    .bind(actor.inbox_url)
    .bind(actor.shared_inbox_url)
    .bind(actor.outbox_url)
    .bind(actor.followers_url)
    .bind(actor.key_id)
    .bind(actor.public_key_pem)
    .bind(actor.avatar_url)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Records that an actor moved to `target_url` at `now`: a local actor's own move, or a remote
/// actor's `Move` accepted here (its `moved_at` is the receiver's lock).
pub async fn mark_moved(
    connection: &mut Connection,
    actor_id: i64,
    target_url: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE actors SET moved_to_url = $1, moved_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(target_url)
    .bind(now)
    .bind(actor_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Records a remote actor's own `movedTo`, as its document says now (`moved_at`, set only when
/// a `Move` is accepted here, is left alone).
pub async fn set_moved_to(
    connection: &mut Connection,
    actor_id: i64,
    moved_to_url: Option<&str>,
) -> DbResult<()> {
    sqlx::query("UPDATE actors SET moved_to_url = $1 WHERE id = $2 AND host IS NOT NULL")
        .bind(moved_to_url)
        .bind(actor_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Finds an actor by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<ActorRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {ACTOR_COLUMNS} FROM actors WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// Finds a remote actor by its ActivityPub id.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<ActorRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ACTOR_COLUMNS} FROM actors WHERE url = $1"
    ))
    .bind(url)
    .fetch_optional(executor)
    .await?)
}

/// Finds a local actor (account, channel or the instance actor) by name.
pub async fn find_local_by_name<'e>(
    executor: impl Executor<'e, Database = Any>,
    name: &str,
) -> DbResult<Option<ActorRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ACTOR_COLUMNS} FROM actors WHERE preferred_username = $1 AND host IS NULL"
    ))
    .bind(name)
    .fetch_optional(executor)
    .await?)
}

/// Finds a remote actor by name and host (a `name@host` handle).
pub async fn find_remote_by_name<'e>(
    executor: impl Executor<'e, Database = Any>,
    name: &str,
    host: &str,
) -> DbResult<Option<ActorRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ACTOR_COLUMNS} FROM actors WHERE preferred_username = $1 AND host = $2"
    ))
    .bind(name)
    .bind(host)
    .fetch_optional(executor)
    .await?)
}

/// The private key (PEM) of a local actor, if it has one yet.
pub async fn find_private_key<'e>(
    executor: impl Executor<'e, Database = Any>,
    actor_id: i64,
) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT private_key_pem FROM actors WHERE id = $1 AND host IS NULL")
            .bind(actor_id)
            .fetch_optional(executor)
            .await?;
    Ok(row.and_then(|(key,)| key))
}

/// Ids of local actors that have no keys yet (their key job may have been lost).
pub async fn list_local_without_keys<'e>(
    executor: impl Executor<'e, Database = Any>,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM actors WHERE host IS NULL AND public_key_pem IS NULL ORDER BY id",
    )
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
