//! Moving a block of rows in a dense 1-based order, as PeerTube's reorders do: the rows of one
//! owner (a playlist's elements, a channel's playlists), `length` of them from `start`, go just
//! after position `after` (0: the front); those in between shift by the block's length.

use crate::{Connection, DbResult};

/// One ordered table: its name, the column naming the owner and the position column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub table: &'static str,
    pub owner: &'static str,
    pub position: &'static str,
}

/// Moves the block (the caller holds the owner's lock and checked the positions lie within
/// its rows); `updated_at` of every row that moves becomes `now`.
pub(crate) async fn move_block(
    connection: &mut Connection,
    order: Order,
    owner_id: i64,
    start: i64,
    after: i64,
    length: i64,
    now: i64,
) -> DbResult<()> {
    let Order {
        table,
        owner,
        position,
    } = order;
    let end = start + length - 1;
    if after >= start - 1 && after <= end {
        return Ok(());
    }
    let block: Vec<(i64,)> = sqlx::query_as(&format!(
        "SELECT id FROM {table} WHERE {owner} = $1 AND {position} BETWEEN $2 AND $3"
    ))
    .bind(owner_id)
    .bind(start)
    .bind(end)
    .fetch_all(&mut *connection)
    .await?;
    // The others between the block and its destination move by the block's length; the block
    // moves by the distance.
    let (shifted_from, shifted_to, shift, moved) = if after < start {
        (after + 1, start - 1, length, after + 1 - start)
    } else {
        (end + 1, after, -length, after - end)
    };
    sqlx::query(&format!(
        "UPDATE {table} SET {position} = {position} + $1, updated_at = $2 \
         WHERE {owner} = $3 AND {position} BETWEEN $4 AND $5"
    ))
    .bind(shift)
    .bind(now)
    .bind(owner_id)
    .bind(shifted_from)
    .bind(shifted_to)
    .execute(&mut *connection)
    .await?;
    for chunk in block.chunks(500) {
        let sql = format!(
            "UPDATE {table} SET {position} = {position} + $1, updated_at = $2 WHERE id IN ({})",
            (3..3 + chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(&sql).bind(moved).bind(now);
        for (id,) in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}
