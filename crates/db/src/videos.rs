//! Videos and their HLS rendition files.

use sqlx::{Any, Executor};

use crate::{Connection, DbResult};

pub(crate) const COLUMNS: &str = "id, uuid, short_uuid, channel_id, name, description, support, privacy, \
    category, licence, language, nsfw, comments_policy, download_enabled, wait_transcoding, tags, \
    state, transcoding_progress, failure_reason, duration, original_filename, original_size, \
    hls_master_file, hls_segments_file, thumbnail_file, preview_file, storyboard_file, \
    storyboard_json, views, likes, dislikes, created_at, updated_at, published_at, \
    media_location, original_location, original_torrent_file, original_info_hash, url, federated, \
    originally_published_at, is_live";

/// A video as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct VideoRow {
    /// Numeric id.
    pub id: i64,
    /// UUID (text).
    pub uuid: String,
    /// PeerTube's short UUID.
    pub short_uuid: String,
    /// The channel it was published in.
    pub channel_id: i64,
    /// Title.
    pub name: String,
    /// Markdown description.
    pub description: Option<String>,
    /// Support text.
    pub support: Option<String>,
    /// PeerTube privacy id.
    pub privacy: i64,
    /// PeerTube category id.
    pub category: Option<i64>,
    /// PeerTube licence id.
    pub licence: Option<i64>,
    /// Language code.
    pub language: Option<String>,
    /// 1 when not safe for work.
    pub nsfw: i64,
    /// PeerTube comments policy id.
    pub comments_policy: i64,
    /// 1 when downloads are allowed.
    pub download_enabled: i64,
    /// 1 when the video is published only after transcoding.
    pub wait_transcoding: i64,
    /// Tags, a JSON array of strings.
    pub tags: String,
    /// PeerTube state id.
    pub state: i64,
    /// Transcoding progress, percent.
    pub transcoding_progress: Option<i64>,
    /// Why processing failed, when it did.
    pub failure_reason: Option<String>,
    /// Seconds.
    pub duration: i64,
    /// The name of the uploaded file, as the client gave it (shown only, never a path).
    pub original_filename: String,
    /// Bytes of the uploaded file (counts against the quota).
    pub original_size: i64,
    /// HLS master playlist file name.
    pub hls_master_file: Option<String>,
    /// Segment hashes file name.
    pub hls_segments_file: Option<String>,
    /// Thumbnail file name.
    pub thumbnail_file: Option<String>,
    /// Preview file name.
    pub preview_file: Option<String>,
    /// Storyboard file name.
    pub storyboard_file: Option<String>,
    /// Storyboard geometry, JSON.
    pub storyboard_json: Option<String>,
    /// Views.
    pub views: i64,
    /// Likes.
    pub likes: i64,
    /// Dislikes.
    pub dislikes: i64,
    /// Creation time, epoch milliseconds.
    pub created_at: i64,
    /// Last change, epoch milliseconds.
    pub updated_at: i64,
    /// Publication time, epoch milliseconds.
    pub published_at: Option<i64>,
    /// Where the HLS files and images are (`kinora_storage::Location`'s name).
    pub media_location: String,
    /// Where the uploaded original is (`kinora_storage::Location`'s name).
    pub original_location: String,
    /// The torrent of the uploaded file (a generated name under `torrents/`), once made.
    pub original_torrent_file: Option<String>,
    /// The uploaded file's torrent info hash (40 hex digits), once made.
    pub original_info_hash: Option<String>,
    /// The ActivityPub id of a remote video; none for local ones.
    pub url: Option<String>,
    /// 1 when other instances have this local video (a Create went out, no Delete since).
    pub federated: i64,
    /// When the video was first published elsewhere (PeerTube's `originallyPublishedAt`),
    /// epoch milliseconds.
    pub originally_published_at: Option<i64>,
    /// 1 for a live (its `video_lives` row holds the rest).
    pub is_live: i64,
}

impl VideoRow {
    /// True for videos of this instance.
    pub fn is_local(&self) -> bool {
        self.url.is_none()
    }
}

/// What is needed to insert a video.
#[derive(Debug, Clone)]
pub struct NewVideo<'a> {
    /// UUID (text).
    pub uuid: &'a str,
    /// Short UUID.
    pub short_uuid: &'a str,
    /// Channel.
    pub channel_id: i64,
    /// Title.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Support text.
    pub support: Option<&'a str>,
    /// Privacy id.
    pub privacy: i64,
    /// Category id.
    pub category: Option<i64>,
    /// Licence id.
    pub licence: Option<i64>,
    /// Language code.
    pub language: Option<&'a str>,
    /// Not safe for work.
    pub nsfw: bool,
    /// Comments policy id.
    pub comments_policy: i64,
    /// Downloads allowed.
    pub download_enabled: bool,
    /// Publish only after transcoding.
    pub wait_transcoding: bool,
    /// Tags as a JSON array.
    pub tags_json: &'a str,
    /// State id.
    pub state: i64,
    /// Uploaded file's name.
    pub original_filename: &'a str,
    /// Uploaded file's size.
    pub original_size: i64,
    /// Where the original was stored.
    pub original_location: &'a str,
}

/// Inserts a video and returns its id.
pub async fn insert(connection: &mut Connection, video: &NewVideo<'_>, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO videos (uuid, short_uuid, channel_id, name, description, support, privacy, \
         category, licence, language, nsfw, comments_policy, download_enabled, wait_transcoding, \
         tags, state, original_filename, original_size, original_location, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $20) RETURNING id",
    )
    .bind(video.uuid)
    .bind(video.short_uuid)
    .bind(video.channel_id)
    .bind(video.name)
    .bind(video.description)
    .bind(video.support)
    .bind(video.privacy)
    .bind(video.category)
    .bind(video.licence)
    .bind(video.language)
    .bind(i64::from(video.nsfw))
    .bind(video.comments_policy)
    .bind(i64::from(video.download_enabled))
    .bind(i64::from(video.wait_transcoding))
    .bind(video.tags_json)
    .bind(video.state)
    .bind(video.original_filename)
    .bind(video.original_size)
    .bind(video.original_location)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// A video's editable fields, all written at once by [`edit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoEdit {
    /// Channel.
    pub channel_id: i64,
    /// Title.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Support text.
    pub support: Option<String>,
    /// Privacy id.
    pub privacy: i64,
    /// Category id.
    pub category: Option<i64>,
    /// Licence id.
    pub licence: Option<i64>,
    /// Language code.
    pub language: Option<String>,
    /// Not safe for work.
    pub nsfw: bool,
    /// Comments policy id.
    pub comments_policy: i64,
    /// Downloads allowed.
    pub download_enabled: bool,
    /// Publish only after transcoding.
    pub wait_transcoding: bool,
    /// Tags as a JSON array.
    pub tags_json: String,
    /// Original publication date, epoch milliseconds.
    pub originally_published_at: Option<i64>,
}

/// Writes a video's editable fields; answers whether the video exists.
pub async fn edit(
    connection: &mut Connection,
    id: i64,
    edit: &VideoEdit,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE videos SET channel_id = $1, name = $2, description = $3, support = $4, \
         privacy = $5, category = $6, licence = $7, language = $8, nsfw = $9, \
         comments_policy = $10, download_enabled = $11, wait_transcoding = $12, tags = $13, \
         updated_at = $14, originally_published_at = $16 WHERE id = $15",
    )
    .bind(edit.channel_id)
    .bind(&edit.name)
    .bind(edit.description.as_deref())
    .bind(edit.support.as_deref())
    .bind(edit.privacy)
    .bind(edit.category)
    .bind(edit.licence)
    .bind(edit.language.as_deref())
    .bind(i64::from(edit.nsfw))
    .bind(edit.comments_policy)
    .bind(i64::from(edit.download_enabled))
    .bind(i64::from(edit.wait_transcoding))
    .bind(&edit.tags_json)
    .bind(now)
    .bind(id)
    .bind(edit.originally_published_at)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sets a video's original publication date (epoch milliseconds), as an upload gives it.
pub async fn set_originally_published_at(
    connection: &mut Connection,
    id: i64,
    at: Option<i64>,
) -> DbResult<()> {
    sqlx::query("UPDATE videos SET originally_published_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The image columns of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageColumn {
    /// `thumbnail_file`.
    Thumbnail,
    /// `preview_file`.
    Preview,
}

/// Sets a video's thumbnail or preview file name; answers the name it replaced.
pub async fn set_image(
    connection: &mut Connection,
    id: i64,
    column: ImageColumn,
    name: &str,
    now: i64,
) -> DbResult<Option<String>> {
    let column = match column {
        ImageColumn::Thumbnail => "thumbnail_file",
        ImageColumn::Preview => "preview_file",
    };
    let previous: Option<(Option<String>,)> =
        sqlx::query_as(&format!("SELECT {column} FROM videos WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
    sqlx::query(&format!(
        "UPDATE videos SET {column} = $1, updated_at = $2 WHERE id = $3"
    ))
    .bind(name)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(previous.and_then(|(name,)| name))
}

/// Records the torrent made of a video's uploaded file; answers the torrent file it replaced.
pub async fn set_original_torrent(
    connection: &mut Connection,
    id: i64,
    torrent_file: &str,
    info_hash: &str,
    now: i64,
) -> DbResult<Option<String>> {
    let previous: Option<(Option<String>,)> =
        sqlx::query_as("SELECT original_torrent_file FROM videos WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
    sqlx::query(
        "UPDATE videos SET original_torrent_file = $1, original_info_hash = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(torrent_file)
    .bind(info_hash)
    .bind(now)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(previous.and_then(|(name,)| name))
}

/// Finds the video a torrent file belongs to.
pub async fn find_by_torrent<'e>(
    executor: impl Executor<'e, Database = Any>,
    file_name: &str,
) -> DbResult<Option<VideoRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM videos WHERE original_torrent_file = $1 \
         OR id = (SELECT video_id FROM video_files WHERE torrent_file = $1)"
    ))
    .bind(file_name)
    .fetch_optional(executor)
    .await?)
}

/// Whether `info_hash` (40 hex digits) is the torrent of a file of a published public or
/// unlisted video (what a private tracker may track for anyone).
pub async fn info_hash_is_public(pool: &sqlx::AnyPool, info_hash: &str) -> DbResult<bool> {
    let (count,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM video_files f JOIN videos v ON v.id = f.video_id \
         WHERE f.info_hash = $1 AND v.state = 1 AND v.privacy IN (1, 2) AND {}",
        crate::video_blacklist::unmoderated_as("v")
    ))
    .bind(info_hash)
    .fetch_one(pool)
    .await?;
    Ok(count > 0)
}

/// Forgets the torrents of a video's rendition files; answers their file names.
pub async fn clear_file_torrents(
    connection: &mut Connection,
    video_id: i64,
) -> DbResult<Vec<String>> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT torrent_file FROM video_files WHERE video_id = $1 AND torrent_file IS NOT NULL",
    )
    .bind(video_id)
    .fetch_all(&mut *connection)
    .await?;
    sqlx::query("UPDATE video_files SET torrent_file = NULL, info_hash = NULL WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(names.into_iter().map(|(name,)| name).collect())
}

/// Finds a video by numeric id.
pub async fn find_by_id<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
) -> DbResult<Option<VideoRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM videos WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?,
    )
}

/// Finds a video by UUID (text, lowercase hyphenated).
pub async fn find_by_uuid<'e>(
    executor: impl Executor<'e, Database = Any>,
    uuid: &str,
) -> DbResult<Option<VideoRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM videos WHERE uuid = $1"))
            .bind(uuid)
            .fetch_optional(executor)
            .await?,
    )
}

/// Records transcoding progress (percent).
pub async fn set_progress<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    percent: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE videos SET transcoding_progress = $1, updated_at = $2 WHERE id = $3")
        .bind(percent)
        .bind(now)
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

/// What transcoding produced, recorded when the video is published.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    /// Seconds.
    pub duration: i64,
    /// Master playlist file name.
    pub hls_master_file: &'a str,
    /// Segment hashes file name.
    pub hls_segments_file: &'a str,
    /// Thumbnail file name.
    pub thumbnail_file: Option<&'a str>,
    /// Preview file name.
    pub preview_file: Option<&'a str>,
    /// Storyboard file name.
    pub storyboard_file: Option<&'a str>,
    /// Storyboard geometry, JSON.
    pub storyboard_json: Option<&'a str>,
    /// Where these files were stored.
    pub media_location: &'a str,
}

/// Marks a video published with its files. Returns false when the video is gone.
pub async fn publish(
    connection: &mut Connection,
    id: i64,
    publication: &Publication<'_>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE videos SET state = 1, transcoding_progress = 100, failure_reason = NULL, \
         duration = $1, hls_master_file = $2, hls_segments_file = $3, thumbnail_file = $4, \
         preview_file = $5, storyboard_file = $6, storyboard_json = $7, \
         published_at = COALESCE(published_at, $8), updated_at = $8, media_location = $10 \
         WHERE id = $9",
    )
    .bind(publication.duration)
    .bind(publication.hls_master_file)
    .bind(publication.hls_segments_file)
    .bind(publication.thumbnail_file)
    .bind(publication.preview_file)
    .bind(publication.storyboard_file)
    .bind(publication.storyboard_json)
    .bind(now)
    .bind(id)
    .bind(publication.media_location)
    .execute(&mut *connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records where a video's original is now, if it is still at `from` (the compare keeps a
/// racing migration or a second worker from overwriting a newer location). Returns whether
/// the row changed.
pub async fn move_original<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE videos SET original_location = $1, updated_at = $2 \
         WHERE id = $3 AND original_location = $4",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records where a video's media (HLS files and images) is now, if it is still at `from` and
/// its files are still `master` (a re-transcode meanwhile would have replaced them). Returns
/// whether the row changed.
pub async fn move_media<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    master: Option<&str>,
    from: &str,
    to: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE videos SET media_location = $1, updated_at = $2 \
         WHERE id = $3 AND media_location = $4 \
         AND COALESCE(hls_master_file, '') = COALESCE($5, '')",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .bind(master)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Ids of every video, in id order, after `after` (for batch walks such as storage migration).
pub async fn list_ids_after<'e>(
    executor: impl Executor<'e, Database = Any>,
    after: i64,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM videos WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(executor)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Marks a video's transcoding as failed for good, with the reason.
pub async fn mark_failed<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: i64,
    reason: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE videos SET state = 7, failure_reason = $1, updated_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Deletes a video and its file rows.
pub async fn delete<'e>(executor: impl Executor<'e, Database = Any>, id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM videos WHERE id = $1")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A rendition file as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct VideoFileRow {
    /// Numeric id.
    pub id: i64,
    /// The video.
    pub video_id: i64,
    /// Smaller side in pixels (0 for audio only).
    pub resolution: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
    /// Frames per second.
    pub fps: f64,
    /// Bytes.
    pub size: i64,
    /// `<fileUUID>-<res>-fragmented.mp4`.
    pub file_name: String,
    /// `<fileUUID>-<res>.m3u8`.
    pub playlist_name: String,
    /// 1 with an audio track.
    pub has_audio: i64,
    /// 1 with a video track.
    pub has_video: i64,
    /// The file's torrent (a generated name under `torrents/`), once made.
    pub torrent_file: Option<String>,
    /// The torrent's info hash (40 hex digits), once made.
    pub info_hash: Option<String>,
}

/// Inserts a rendition file row.
pub async fn insert_file(
    connection: &mut Connection,
    file: &VideoFileRow,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO video_files (video_id, resolution, width, height, fps, size, file_name, \
         playlist_name, has_audio, has_video, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(file.video_id)
    .bind(file.resolution)
    .bind(file.width)
    .bind(file.height)
    .bind(file.fps)
    .bind(file.size)
    .bind(&file.file_name)
    .bind(&file.playlist_name)
    .bind(file.has_audio)
    .bind(file.has_video)
    .bind(now)
    .fetch_one(&mut *connection)
    .await?;
    Ok(id)
}

/// Deletes every rendition row of a video (before a new publication replaces them).
pub async fn delete_files(connection: &mut Connection, video_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM video_files WHERE video_id = $1")
        .bind(video_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// A video's rendition files, highest resolution first.
pub async fn list_files<'e>(
    executor: impl Executor<'e, Database = Any>,
    video_id: i64,
) -> DbResult<Vec<VideoFileRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {FILE_COLUMNS} FROM video_files WHERE video_id = $1 ORDER BY resolution DESC, id"
    ))
    .bind(video_id)
    .fetch_all(executor)
    .await?)
}

const FILE_COLUMNS: &str = "id, video_id, resolution, width, height, fps, size, file_name, \
                            playlist_name, has_audio, has_video, torrent_file, info_hash";

/// Records the torrent made of a rendition file; answers whether the file still exists.
pub async fn set_file_torrent(
    connection: &mut Connection,
    file_id: i64,
    torrent_file: &str,
    info_hash: &str,
) -> DbResult<bool> {
    let result =
        sqlx::query("UPDATE video_files SET torrent_file = $1, info_hash = $2 WHERE id = $3")
            .bind(torrent_file)
            .bind(info_hash)
            .bind(file_id)
            .execute(&mut *connection)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// The rendition files of several videos, each video's highest resolution first.
pub async fn list_files_of(pool: &sqlx::AnyPool, video_ids: &[i64]) -> DbResult<Vec<VideoFileRow>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM video_files WHERE video_id IN ({}) \
         ORDER BY video_id, resolution DESC, id",
        crate::placeholders(video_ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in video_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Finds the video an image file (thumbnail, preview or storyboard) belongs to.
pub async fn find_by_image<'e>(
    executor: impl Executor<'e, Database = Any>,
    file_name: &str,
) -> DbResult<Option<VideoRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM videos WHERE thumbnail_file = $1 OR preview_file = $1 \
         OR storyboard_file = $1"
    ))
    .bind(file_name)
    .fetch_optional(executor)
    .await?)
}

/// Records whether other instances have this local video.
pub async fn set_federated(connection: &mut Connection, id: i64, federated: bool) -> DbResult<()> {
    sqlx::query("UPDATE videos SET federated = $1 WHERE id = $2")
        .bind(i64::from(federated))
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Marks local video `id` changed at `now` (its captions or chapters changed: the `updated`
/// date other instances order its versions by).
pub async fn touch(connection: &mut Connection, id: i64, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE videos SET updated_at = $1 WHERE id = $2 AND updated_at < $1")
        .bind(now)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
