//! The web player's peer-to-peer swarms (`kinora_core::swarm`) of videos published before
//! Kinora recorded them: `kinora serve` records the missing ones at start, so the private
//! tracker admits every published video's viewers. New publications record theirs with their
//! files (the transcoder).

use kinora_db::Db;

use crate::AppResult;

/// Videos handled per query.
const BATCH: i64 = 100;

/// Records the swarms of every video that has rendition files but none yet; answers how many
/// videos got theirs.
pub async fn record_missing(db: &Db) -> AppResult<usize> {
    let mut recorded = 0;
    let mut after = 0;
    loop {
        let batch = kinora_db::swarms::videos_missing_swarms(db.pool(), after, BATCH).await?;
        let Some((last, _)) = batch.last() else {
            return Ok(recorded);
        };
        after = *last;
        for (id, uuid) in &batch {
            let mut tx = db.begin().await?;
            if kinora_db::swarms::record_from_files(&mut tx, *id, uuid).await? > 0 {
                recorded += 1;
            }
            tx.commit().await?;
        }
    }
}
