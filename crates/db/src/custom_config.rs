//! The instance settings an administrator changed at run time: one row (`custom_config`, id 1)
//! holding them as JSON text. The JSON's shape belongs to `kinora-app`; this module only stores
//! and reads the text.

use sqlx::AnyPool;

use crate::{DbResult, now_millis};

/// The stored settings' JSON, or `None` when nothing was changed (the file's values apply).
pub async fn read(pool: &AnyPool) -> DbResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT settings FROM custom_config WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(settings,)| settings))
}

/// Stores the settings' JSON, replacing what was stored.
pub async fn write(pool: &AnyPool, settings: &str) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO custom_config (id, settings, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, \
         updated_at = excluded.updated_at",
    )
    .bind(settings)
    .bind(now_millis())
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the stored settings (the file's values apply again).
pub async fn delete(pool: &AnyPool) -> DbResult<()> {
    sqlx::query("DELETE FROM custom_config WHERE id = 1")
        .execute(pool)
        .await?;
    Ok(())
}
