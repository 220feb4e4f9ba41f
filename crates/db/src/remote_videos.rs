//! Videos of other instances: the `videos` row they share with local ones (`url` set, channel
//! remote) and where their media lives on the origin.

use sqlx::{Any, Executor};

use crate::videos::VideoRow;
use crate::{Connection, DbResult};

/// A remote video as its origin describes it, to store.
#[derive(Debug, Clone)]
pub struct RemoteVideo<'a> {
    /// Its ActivityPub id.
    pub url: &'a str,
    /// Its UUID.
    pub uuid: &'a str,
    /// Its short UUID.
    pub short_uuid: &'a str,
    /// The remote channel it is in.
    pub channel_id: i64,
    /// Title.
    pub name: &'a str,
    /// Markdown description.
    pub description: Option<&'a str>,
    /// Support text.
    pub support: Option<&'a str>,
    /// Privacy id (public or unlisted: nothing else is federated).
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
    /// Tags as a JSON array.
    pub tags_json: &'a str,
    /// Seconds.
    pub duration: i64,
    /// Views counted by the origin.
    pub views: i64,
    /// Likes counted by the origin.
    pub likes: i64,
    /// Dislikes counted by the origin.
    pub dislikes: i64,
    /// Publication time, epoch milliseconds.
    pub published_at: i64,
    /// Last change at the origin, epoch milliseconds.
    pub updated_at: i64,
    /// PeerTube's state (1; for a live 4 waiting, 1 on the air or 5 ended).
    pub state: i64,
    /// A live (PeerTube's `isLiveBroadcast`).
    pub is_live: bool,
    /// Where it plays from.
    pub media: RemoteMedia<'a>,
}

/// Where a remote video's media lives on its origin.
#[derive(Debug, Clone, Default)]
pub struct RemoteMedia<'a> {
    /// The HLS master playlist.
    pub playlist_url: Option<&'a str>,
    /// The segment hashes file.
    pub segments_sha256_url: Option<&'a str>,
    /// The thumbnail.
    pub thumbnail_url: Option<&'a str>,
    /// The preview image.
    pub preview_url: Option<&'a str>,
    /// Its renditions, a JSON array (see `kinora_federation`'s remote file shape).
    pub files_json: &'a str,
    /// The origin's tracker URLs, a JSON array.
    pub tracker_urls_json: &'a str,
}

/// A remote video's media as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RemoteMediaRow {
    /// The video.
    pub video_id: i64,
    /// The HLS master playlist.
    pub playlist_url: Option<String>,
    /// The segment hashes file.
    pub segments_sha256_url: Option<String>,
    /// The thumbnail.
    pub thumbnail_url: Option<String>,
    /// The preview image.
    pub preview_url: Option<String>,
    /// Renditions, a JSON array.
    pub files: String,
    /// Tracker URLs, a JSON array.
    pub tracker_urls: String,
    /// When it was last fetched, epoch milliseconds.
    pub fetched_at: i64,
}

/// Inserts a remote video or refreshes the one with the same id (its channel and UUID never
/// change). A UUID already used by another video is a `DbError::Conflict`. Returns the video's
/// id and whether it was new.
pub async fn upsert(
    connection: &mut Connection,
    video: &RemoteVideo<'_>,
    now: i64,
) -> DbResult<Upserted> {
    let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM videos WHERE url = $1")
        .bind(video.url)
        .fetch_optional(&mut *connection)
        .await?;
    let (id, created) = match existing {
        Some((id,)) => {
            if !update_video(connection, id, video).await? {
                return Ok(Upserted {
                    id,
                    created: false,
                    applied: false,
                });
            }
            (id, false)
        }
        None => match insert_video(connection, video).await? {
            Some(id) => (id, true),
            None => {
                // Stored meanwhile by another activity about the same new video (a Create and
                // its Announces processed at once): that row is updated instead.
                let (id,): (i64,) = sqlx::query_as("SELECT id FROM videos WHERE url = $1")
                    .bind(video.url)
                    .fetch_optional(&mut *connection)
                    .await?
                    .ok_or_else(|| {
                        crate::DbError::Conflict(format!("the uuid of {}", video.url))
                    })?;
                if !update_video(connection, id, video).await? {
                    return Ok(Upserted {
                        id,
                        created: false,
                        applied: false,
                    });
                }
                (id, false)
            }
        },
    };
    let media = &video.media;
    sqlx::query(
        "INSERT INTO remote_video_media (video_id, playlist_url, segments_sha256_url, \
         thumbnail_url, preview_url, files, tracker_urls, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (video_id) DO UPDATE SET \
         playlist_url = excluded.playlist_url, segments_sha256_url = excluded.segments_sha256_url, \
         thumbnail_url = excluded.thumbnail_url, preview_url = excluded.preview_url, \
         files = excluded.files, tracker_urls = excluded.tracker_urls, \
         fetched_at = excluded.fetched_at",
    )
    .bind(id)
    .bind(media.playlist_url)
    .bind(media.segments_sha256_url)
    .bind(media.thumbnail_url)
    .bind(media.preview_url)
    .bind(media.files_json)
    .bind(media.tracker_urls_json)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(Upserted {
        id,
        created,
        applied: true,
    })
}

/// What [`upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    /// The video's id.
    pub id: i64,
    /// Whether the row is new.
    pub created: bool,
    /// False when the stored video is newer than the object (its `updated` date is later):
    /// nothing was written.
    pub applied: bool,
}

/// Writes what a remote video says into its row, unless the row holds a newer object (a later
/// `updated`); answers whether it wrote.
async fn update_video(
    connection: &mut Connection,
    id: i64,
    video: &RemoteVideo<'_>,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE videos SET name = $1, description = $2, support = $3, privacy = $4, \
         category = $5, licence = $6, language = $7, nsfw = $8, comments_policy = $9, \
         download_enabled = $10, tags = $11, duration = $12, views = $13, likes = $14, \
         dislikes = $15, updated_at = $16, remote_updated_at = $16, state = $18, is_live = $19 \
         WHERE id = $17 AND (remote_updated_at IS NULL OR remote_updated_at <= $16)",
    )
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
    .bind(video.tags_json)
    .bind(video.duration)
    .bind(video.views)
    .bind(video.likes)
    .bind(video.dislikes)
    .bind(video.updated_at)
    .bind(id)
    .bind(video.state)
    .bind(i64::from(video.is_live))
    .execute(&mut *connection)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Inserts a remote video's row; none when a row with its uuid or url is already there.
async fn insert_video(
    connection: &mut Connection,
    video: &RemoteVideo<'_>,
) -> DbResult<Option<i64>> {
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO videos (uuid, short_uuid, channel_id, name, description, support, \
         privacy, category, licence, language, nsfw, comments_policy, download_enabled, \
         wait_transcoding, tags, state, duration, views, likes, dislikes, \
         original_filename, original_size, url, created_at, updated_at, published_at, \
         remote_updated_at, is_live) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $22, $15, \
         $16, $17, $18, '', 0, $19, $20, $21, $20, $21, $23) ON CONFLICT DO NOTHING RETURNING id",
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
    .bind(video.tags_json)
    .bind(video.duration)
    .bind(video.views)
    .bind(video.likes)
    .bind(video.dislikes)
    .bind(video.url)
    .bind(video.published_at)
    .bind(video.updated_at)
    .bind(video.state)
    .bind(i64::from(video.is_live))
    .fetch_optional(&mut *connection)
    .await?;
    Ok(inserted.map(|(id,)| id))
}

/// Finds a remote video by its ActivityPub id.
pub async fn find_by_url<'e>(
    executor: impl Executor<'e, Database = Any>,
    url: &str,
) -> DbResult<Option<VideoRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM videos WHERE url = $1",
        crate::videos::COLUMNS
    ))
    .bind(url)
    .fetch_optional(executor)
    .await?)
}

/// The media of remote videos among `video_ids`.
pub async fn find_media(pool: &sqlx::AnyPool, video_ids: &[i64]) -> DbResult<Vec<RemoteMediaRow>> {
    if video_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT video_id, playlist_url, segments_sha256_url, thumbnail_url, preview_url, files, \
         tracker_urls, fetched_at FROM remote_video_media WHERE video_id IN ({})",
        crate::placeholders(video_ids.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in video_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(pool).await?)
}

/// Sets a remote video's counters, as its origin reports them.
pub async fn set_counts(
    connection: &mut Connection,
    id: i64,
    views: i64,
    likes: i64,
    dislikes: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE videos SET views = $1, likes = $2, dislikes = $3 WHERE id = $4")
        .bind(views)
        .bind(likes)
        .bind(dislikes)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Ids of the remote videos of channels hosted on `host`.
pub async fn list_ids_of_host<'e>(
    executor: impl Executor<'e, Database = Any>,
    host: &str,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id \
         JOIN actors a ON a.id = c.actor_id WHERE a.host = $1 AND v.url IS NOT NULL ORDER BY v.id",
    )
    .bind(host)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
