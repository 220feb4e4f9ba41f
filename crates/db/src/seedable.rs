//! What the seeding session may share: the rendition files, with their torrents, of published
//! public and unlisted videos whose media is on local disk (the videos the private tracker
//! tracks, as [`crate::videos::info_hash_is_public`] decides, minus those stored on S3).

use crate::DbResult;

/// A rendition file the seeder may share.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SeedableFile {
    /// The video's UUID (text): its files are under its HLS directory.
    pub video_uuid: String,
    /// `<fileUUID>-<res>-fragmented.mp4`.
    pub file_name: String,
    /// The file's torrent, a generated name under `torrents/`.
    pub torrent_file: String,
    /// The torrent's info hash, 40 hex digits.
    pub info_hash: String,
}

/// The seedable files, most recently recorded first, at most `limit`.
pub async fn list_seedable_files(pool: &sqlx::AnyPool, limit: i64) -> DbResult<Vec<SeedableFile>> {
    Ok(sqlx::query_as(&format!(
        "SELECT v.uuid AS video_uuid, f.file_name, f.torrent_file, f.info_hash \
         FROM video_files f JOIN videos v ON v.id = f.video_id \
         WHERE v.state = 1 AND v.privacy IN (1, 2) AND v.media_location = 'local' \
         AND f.torrent_file IS NOT NULL AND f.info_hash IS NOT NULL AND {} \
         ORDER BY f.id DESC LIMIT $1",
        crate::video_blacklist::unmoderated_as("v")
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
