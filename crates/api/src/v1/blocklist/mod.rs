//! Mutes ("blocklists"), PeerTube's account and server blocks: the caller's own under
//! `/api/v1/users/me/blocklist/…` and the instance's under `/api/v1/server/blocklist/…` (staff
//! only) share these handlers, told apart by a [`kinora_app::blocklists::MuteScope`]; `GET /api/v1/blocklist/status`
//! tells which accounts and hosts are muted by the caller and by the instance.

pub mod accounts;
pub mod handlers;
pub mod servers;
pub mod status;

use std::collections::HashMap;

use kinora_db::accounts::AccountRow;
use serde_json::Value;

use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Reads `start`, `count` and `sort` (`createdAt` or `-createdAt`, the default) of a list.
fn page_of(query: &PageQuery) -> Result<(bool, i64, i64), ApiError> {
    query.check_sort(&["-createdAt", "createdAt"])?;
    let (start, count) = query.page()?;
    Ok((query.sort.as_deref() != Some("createdAt"), start, count))
}

/// The accounts of `ids`, as the API shows them, by id.
async fn accounts_by_id(state: &ApiState, ids: &[i64]) -> Result<HashMap<i64, Value>, ApiError> {
    let rows = kinora_db::accounts::find_by_ids(state.db.pool(), ids).await?;
    let refs: Vec<&AccountRow> = rows.iter().collect();
    let counts = crate::json::follower_counts(state, &refs, &[]).await?;
    Ok(rows
        .iter()
        .map(|row| (row.id, crate::json::account_with(state, row, &counts)))
        .collect())
}
