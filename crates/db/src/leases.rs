//! Work that one server process of the cluster does at a time (the seeder, housekeeping): a
//! named lease row (`cluster_leases`) with its holder and expiry. The holder renews it before it
//! expires; when the holder dies, another process takes it once it has expired.

use sqlx::AnyPool;

use crate::DbResult;

/// Takes or renews the lease `name` for `holder` until `until` when it is free, expired at
/// `now` or already `holder`'s. True when `holder` holds it now.
pub async fn acquire(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> DbResult<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "INSERT INTO cluster_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
           expires_at = excluded.expires_at \
         WHERE cluster_leases.holder = excluded.holder OR cluster_leases.expires_at < $4 \
         RETURNING holder",
    )
    .bind(name)
    .bind(holder)
    .bind(until)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some_and(|(held_by,)| held_by == holder))
}

/// Gives the lease back when `holder` holds it (a clean shutdown), so that another process
/// takes it at once.
pub async fn release(pool: &AnyPool, name: &str, holder: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM cluster_leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await?;
    Ok(())
}

/// The holder of `name` and when its lease ends, if any row exists.
pub async fn holder(pool: &AnyPool, name: &str) -> DbResult<Option<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT holder, expires_at FROM cluster_leases WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}
