//! The outbox: activities this instance sent, kept for the actors' outbox collections and for
//! their deliveries.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRow {
    /// Numeric id.
    pub id: i64,
    /// The activity's ActivityPub id.
    pub url: String,
    /// The local actor that signs it (none once that actor was deleted: the instance actor
    /// signs then).
    pub actor_id: Option<i64>,
    /// `Create`, `Update`, `Delete`, `Follow`, …
    pub kind: String,
    /// The id of its object, when it has one.
    pub object_url: Option<String>,
    /// 1 when addressed to the public (listed in the actor's outbox collection).
    pub public: i64,
    /// The JSON sent.
    pub body: String,
    /// When it was made, epoch milliseconds.
    pub created_at: i64,
}

/// What is needed to store an activity.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    /// Its id.
    pub url: &'a str,
    /// The signing actor.
    pub actor_id: Option<i64>,
    /// Its type.
    pub kind: &'a str,
    /// Its object's id.
    pub object_url: Option<&'a str>,
    /// Addressed to the public.
    pub public: bool,
    /// The JSON to send.
    pub body: &'a str,
}

const COLUMNS: &str = "id, url, actor_id, kind, object_url, public, body, created_at";

/// Stores an activity and returns its id. An activity with the same id already stored is a
/// `DbError::Conflict`.
pub async fn insert(
    connection: &mut Connection,
    activity: &NewActivity<'_>,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox_activities (url, actor_id, kind, object_url, public, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(activity.url)
    .bind(activity.actor_id)
    .bind(activity.kind)
    .bind(activity.object_url)
    .bind(i64::from(activity.public))
    .bind(activity.body)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Finds an activity by id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<ActivityRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox_activities WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?)
}

/// Finds an activity by its ActivityPub id.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<ActivityRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox_activities WHERE url = $1"
    ))
    .bind(url)
    .fetch_optional(executor)
    .await?)
}

/// A page of an actor's public activities whose object still stands (no later Delete of the
/// same object), newest first, and their total: the actor's outbox collection.
pub async fn list_public(
    pool: &sqlx::AnyPool,
    actor_id: i64,
    kinds: &[&str],
    start: i64,
    count: i64,
) -> DbResult<(Vec<ActivityRow>, i64)> {
    let kinds_sql = (0..kinds.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let condition = format!(
        "actor_id = $1 AND public = 1 AND kind IN ({kinds_sql}) AND NOT EXISTS (SELECT 1 FROM \
         outbox_activities later WHERE later.object_url = outbox_activities.object_url \
         AND later.kind = 'Delete' AND later.id > outbox_activities.id)"
    );
    let limit = kinds.len() + 2;
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox_activities WHERE {condition} ORDER BY id DESC \
         LIMIT ${limit} OFFSET ${}",
        limit + 1
    );
    let mut query = sqlx::query_as(&sql).bind(actor_id);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let rows: Vec<ActivityRow> = query.bind(count).bind(start).fetch_all(pool).await?;
    let sql = format!("SELECT COUNT(*) FROM outbox_activities WHERE {condition}");
    let mut query = sqlx::query_as(&sql).bind(actor_id);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let (total,): (i64,) = query.fetch_one(pool).await?;
    Ok((rows, total))
}

/// A page of the activities of `kind` on the object `object_url` that were not undone since
/// (no later `Undo` whose object is the activity, and no later `Delete` of the object: a video
/// withdrawn and given back is announced anew), oldest first, and their total: a video's
/// `shares` collection lists its Announces this way.
pub async fn list_by_object(
    pool: &sqlx::AnyPool,
    object_url: &str,
    kind: &str,
    start: i64,
    count: i64,
) -> DbResult<(Vec<ActivityRow>, i64)> {
    let condition = "object_url = $1 AND kind = $2 AND NOT EXISTS (SELECT 1 FROM \
         outbox_activities undo WHERE undo.kind = 'Undo' \
         AND undo.object_url = outbox_activities.url AND undo.id > outbox_activities.id) \
         AND NOT EXISTS (SELECT 1 FROM outbox_activities later WHERE later.kind = 'Delete' \
         AND later.object_url = outbox_activities.object_url AND later.id > outbox_activities.id)";
    let rows = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox_activities WHERE {condition} ORDER BY id LIMIT $3 OFFSET $4"
    ))
    .bind(object_url)
    .bind(kind)
    .bind(count)
    .bind(start)
    .fetch_all(pool)
    .await?;
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM outbox_activities WHERE {condition}"
    ))
    .bind(object_url)
    .bind(kind)
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}
