//! The instance's local OAuth client (the one `GET /api/v1/oauth-clients/local` hands out).

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

/// The local OAuth client's credentials.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OAuthClientRow {
    /// Public client id.
    pub client_id: String,
    /// Client secret (public by design, as in PeerTube: it only names the client).
    pub client_secret: String,
}

/// The first (local) client, if one was created.
pub async fn find_local<'e>(
    executor: impl Executor<'e, Database = Any>,
) -> DbResult<Option<OAuthClientRow>> {
    Ok(
        sqlx::query_as("SELECT client_id, client_secret FROM oauth_clients ORDER BY id LIMIT 1")
            .fetch_optional(executor)
            .await?,
    )
}

/// Inserts a client.
pub async fn insert(
    connection: &mut Connection,
    client_id: &str,
    client_secret: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO oauth_clients (client_id, client_secret, created_at) VALUES ($1, $2, $3)",
    )
    .bind(client_id)
    .bind(client_secret)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(())
}
