//! User archives, as PeerTube ≥ 6.1 makes them (its "user export"): a user (or an
//! administrator for them) asks for one; a job writes the ZIP PeerTube writes
//! (`peertube/*.json`, `activity-pub/*.json`, `files/…`) into the private storage; its owner
//! downloads it through a short-lived signed link; it expires after
//! [`UserExportConfig::expiration_hours`]. One archive per user at a time, as PeerTube.

mod archive;
mod social;
mod videos;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use kinora_db::user_exports::{self as rows, UserExportRow};
use kinora_db::users::UserRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use kinora_jobs::Job;
use kinora_storage::{Location, MediaStorage, StorageKey};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// The most items of each kind an archive holds (PeerTube's `USER_EXPORT_MAX_ITEMS`).
pub const MAX_ITEMS: i64 = 1000;

/// How long a download link works (PeerTube's `JWT_TOKEN_USER_EXPORT_FILE_LIFETIME`).
pub const DOWNLOAD_LINK_LIFETIME_MS: i64 = 15 * 60 * 1000;

/// `[export]`: user archives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserExportConfig {
    /// Whether users may ask for archives of their data.
    pub enabled: bool,
    /// The most bytes of uploaded originals a user may have for an archive with video files
    /// (PeerTube's `export.users.max_user_video_quota`); more is refused (403).
    pub max_user_video_bytes: u64,
    /// How long an archive is kept after it was asked for, in hours.
    pub expiration_hours: u64,
}

impl Default for UserExportConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_user_video_bytes: 10 * 1024 * 1024 * 1024,
            expiration_hours: 48,
        }
    }
}

impl UserExportConfig {
    /// [`Self::expiration_hours`] in milliseconds.
    pub fn expiration_ms(&self) -> i64 {
        i64::try_from(self.expiration_hours)
            .unwrap_or(i64::MAX / 3_600_000)
            .saturating_mul(3_600_000)
    }

    fn ensure_enabled(&self) -> AppResult<()> {
        if self.enabled {
            Ok(())
        } else {
            Err(AppError::Unsupported {
                code: "user_export_disabled",
                message: "User export is disabled on this instance".to_owned(),
            })
        }
    }
}

/// The ActivityPub documents an archive carries, made by the federation layer (which `app`
/// does not depend on): the account's actor and each public video's `Create`.
pub trait ArchiveActivityPub: Send + Sync {
    /// The local actor's document (with its `@context`); `None` when it has none.
    fn actor(&self, actor_id: i64) -> BoxFuture<'_, AppResult<Option<Value>>>;
    /// The `Create` of a local video, as its followers received it; `None` for a video that
    /// does not federate (private, blocked, not published).
    fn video_create<'a>(&'a self, video: &'a VideoRow) -> BoxFuture<'a, AppResult<Option<Value>>>;
}

/// An export as its owner sees it.
#[derive(Debug, Clone)]
pub struct ExportView {
    /// The row.
    pub row: UserExportRow,
    /// A link that downloads it for [`DOWNLOAD_LINK_LIFETIME_MS`], once it is complete.
    pub download_url: Option<String>,
    /// When it will be removed, epoch milliseconds.
    pub expires_at: i64,
}

/// The label PeerTube shows for an export state.
pub fn state_label(state: i64) -> &'static str {
    match state {
        rows::PENDING => "Pending",
        rows::PROCESSING => "Processing",
        rows::COMPLETED => "Completed",
        _ => "Errored",
    }
}

/// The user `user_id` when `caller` may manage their exports (themselves, or an
/// administrator); 404 for an unknown user, 403 for anyone else.
async fn target_user(db: &Db, caller: &AuthenticatedUser, user_id: i64) -> AppResult<UserRow> {
    user_managed_by(db, caller, user_id, "Cannot manage exports of another user").await
}

/// The user `user_id` when `caller` is that user or an administrator; 404 for an unknown user,
/// 403 (`refusal`) for anyone else. Shared by archives in both directions.
pub(crate) async fn user_managed_by(
    db: &Db,
    caller: &AuthenticatedUser,
    user_id: i64,
    refusal: &str,
) -> AppResult<UserRow> {
    let user = kinora_db::users::find_by_id(db.pool(), user_id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    if caller.user_id != user.id && caller.role != kinora_core::UserRole::Admin {
        return Err(AppError::Forbidden(refusal.to_owned()));
    }
    Ok(user)
}

/// Asks for an archive of `user_id`'s data (with the videos' files when `with_video_files`);
/// answers its id. Refused while the user has one that did not fail, and, with video files,
/// when their originals exceed [`UserExportConfig::max_user_video_bytes`].
pub async fn request(
    db: &Db,
    config: &UserExportConfig,
    caller: &AuthenticatedUser,
    user_id: i64,
    with_video_files: bool,
) -> AppResult<i64> {
    config.ensure_enabled()?;
    let user = target_user(db, caller, user_id).await?;
    if with_video_files {
        let used = crate::quotas::used(db, user.id).await?;
        if u64::try_from(used.total).unwrap_or(0) > config.max_user_video_bytes {
            return Err(AppError::Refused {
                code: "max_user_video_quota_exceeded_for_user_export",
                message: "User video quota exceeds the maximum limit set by the admin to create \
                          a user archive containing videos"
                    .to_owned(),
            });
        }
    }
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let mut tx = db.begin().await?;
    if rows::has_live_export(&mut tx, user.id).await? {
        return Err(AppError::Conflict(
            "User has already processing or completed exports".to_owned(),
        ));
    }
    let id = rows::insert(
        &mut tx,
        user.id,
        with_video_files,
        &Uuid::new_v4().to_string(),
        &hex::encode(secret),
        now_millis(),
    )
    .await?;
    kinora_jobs::enqueue(&mut tx, &Job::CreateUserExport { export_id: id }).await?;
    tx.commit().await?;
    Ok(id)
}

/// A page of `user_id`'s exports, newest first, and their total; complete ones carry a fresh
/// download link.
pub async fn list(
    db: &Db,
    config: &UserExportConfig,
    caller: &AuthenticatedUser,
    user_id: i64,
    public_url: &str,
    (start, count): (i64, i64),
) -> AppResult<(Vec<ExportView>, i64)> {
    config.ensure_enabled()?;
    let user = target_user(db, caller, user_id).await?;
    let mut connection = db.pool().acquire().await?;
    let (listed, total) = rows::list_of_user(&mut connection, user.id, start, count).await?;
    let now = now_millis();
    let views = listed
        .into_iter()
        .map(|row| ExportView {
            download_url: (row.state == rows::COMPLETED)
                .then(|| download_url(&row, public_url, now)),
            expires_at: row.created_at.saturating_add(config.expiration_ms()),
            row,
        })
        .collect();
    Ok((views, total))
}

/// Deletes one of `user_id`'s exports and its file; 409 while it is being written.
pub async fn delete(
    db: &Db,
    storage: &MediaStorage,
    config: &UserExportConfig,
    caller: &AuthenticatedUser,
    user_id: i64,
    export_id: i64,
) -> AppResult<()> {
    config.ensure_enabled()?;
    let user = target_user(db, caller, user_id).await?;
    let row = rows::find(db.pool(), export_id)
        .await?
        .filter(|row| row.user_id == user.id)
        .ok_or(AppError::NotFound("User export"))?;
    if row.state == rows::PROCESSING {
        return Err(AppError::Conflict(
            "Cannot delete this user export because its state is not compatible with a deletion"
                .to_owned(),
        ));
    }
    remove(db, storage, &row).await
}

async fn remove(db: &Db, storage: &MediaStorage, row: &UserExportRow) -> AppResult<()> {
    rows::delete(db.pool(), row.id).await?;
    if let (Some(location), Ok(key)) = (
        row.location.as_deref().and_then(Location::parse),
        archive_key(row),
    ) {
        storage.delete(location, &key).await?;
    }
    Ok(())
}

/// Removes the exports older than the configured expiration (housekeeping); answers how many.
pub async fn expire(db: &Db, storage: &MediaStorage, config: &UserExportConfig) -> AppResult<u64> {
    let cutoff = now_millis().saturating_sub(config.expiration_ms());
    let mut removed = 0;
    for row in rows::list_created_before(db.pool(), cutoff, 100).await? {
        if row.state == rows::PROCESSING {
            continue;
        }
        remove(db, storage, &row).await?;
        removed += 1;
    }
    Ok(removed)
}

/// The file name an archive downloads as (`user-export-<userId>-<uuid>.zip`).
pub fn download_name(row: &UserExportRow) -> String {
    format!("user-export-{}-{}.zip", row.user_id, row.file_uuid)
}

fn archive_key(row: &UserExportRow) -> AppResult<StorageKey> {
    let uuid = Uuid::parse_str(&row.file_uuid)
        .map_err(|_| AppError::Internal(format!("export {} has a bad file id", row.id)))?;
    Ok(StorageKey::user_export(uuid))
}

fn signature(row: &UserExportRow, expires: i64) -> Option<Hmac<Sha256>> {
    let secret = hex::decode(&row.download_secret).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).ok()?;
    mac.update(format!("{}:{}:{expires}", row.id, row.file_uuid).as_bytes());
    Some(mac)
}

fn download_url(row: &UserExportRow, public_url: &str, now: i64) -> String {
    let expires = now + DOWNLOAD_LINK_LIFETIME_MS;
    let signed = signature(row, expires)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default();
    format!(
        "{public_url}/download/user-exports/{}?token={expires}.{signed}",
        download_name(row)
    )
}

/// The stored archive a download link names: where it is, its key and size. 404 for a name
/// that is no export's or one not complete; 403 for a wrong or expired token.
pub async fn open_download(
    db: &Db,
    file_name: &str,
    token: &str,
) -> AppResult<(Location, StorageKey, i64)> {
    let file_uuid = file_name
        .strip_suffix(".zip")
        .and_then(|name| name.strip_prefix("user-export-"))
        .and_then(|rest| rest.split_once('-'))
        .map(|(_, uuid)| uuid)
        .filter(|uuid| Uuid::parse_str(uuid).is_ok())
        .ok_or(AppError::NotFound("User export"))?;
    let row = rows::find_by_file(db.pool(), file_uuid)
        .await?
        .filter(|row| row.state == rows::COMPLETED && download_name(row) == file_name)
        .ok_or(AppError::NotFound("User export"))?;
    let forbidden = || AppError::Forbidden("This download link is not valid".to_owned());
    let (expires, signed) = token.split_once('.').ok_or_else(forbidden)?;
    let expires: i64 = expires.parse().map_err(|_| forbidden())?;
    let signed = hex::decode(signed).map_err(|_| forbidden())?;
    let mac = signature(&row, expires).ok_or_else(forbidden)?;
    if expires < now_millis() || mac.verify_slice(&signed).is_err() {
        return Err(forbidden());
    }
    let location = row
        .location
        .as_deref()
        .and_then(Location::parse)
        .ok_or(AppError::NotFound("User export"))?;
    Ok((location, archive_key(&row)?, row.size.unwrap_or(0)))
}

/// One stored file an archive carries.
#[derive(Debug, Clone)]
struct ArchiveFile {
    /// Its path in the ZIP.
    path: String,
    /// Where it is stored.
    location: Location,
    /// Its key.
    key: StorageKey,
}

/// What an archive is made of, gathered before it is written.
struct Gathered {
    db: Db,
    storage: Arc<MediaStorage>,
    activity_pub_source: Arc<dyn ArchiveActivityPub>,
    public_url: String,
    host: String,
    user: UserRow,
    with_video_files: bool,
    /// `peertube/<name>` documents.
    json: BTreeMap<&'static str, Value>,
    /// `activity-pub/<name>` documents (the outbox is added last).
    activity_pub: BTreeMap<&'static str, Value>,
    /// The outbox's activities.
    outbox: Vec<Value>,
    files: Vec<ArchiveFile>,
}

impl Gathered {
    fn actor_url(&self, kind: &str, name: &str) -> String {
        kinora_core::urls::local_actor_url(&self.public_url, kind, name)
    }

    /// A video's URL: its ActivityPub id when remote, else ours.
    fn video_url(&self, remote: Option<&str>, uuid: &str) -> String {
        remote.map_or_else(
            || format!("{}/videos/watch/{uuid}", self.public_url),
            str::to_owned,
        )
    }
}

/// `name@host` (our host for a local actor).
fn handle_of(name: &str, host: Option<&str>, local_host: &str) -> String {
    format!("{name}@{}", host.unwrap_or(local_host))
}

/// The extension of a stored file's name, with its dot (`.jpg`); empty when it has none or an
/// odd one (an archive path is never made of anything else the user chose).
fn extension_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, extension))
            if !extension.is_empty()
                && extension.len() <= 8
                && extension.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            format!(".{}", extension.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

/// Writes the archive of export `export_id` (the job): gathers the documents, writes the ZIP
/// to a work file, stores it, and marks the export complete; on failure marks it errored and
/// leaves no file. An export deleted before it ran is nothing to do.
pub async fn run(
    db: &Db,
    storage: &Arc<MediaStorage>,
    activity_pub: Arc<dyn ArchiveActivityPub>,
    public_url: &str,
    export_id: i64,
) -> AppResult<()> {
    let mut connection = db.pool().acquire().await?;
    if !rows::start(&mut connection, export_id, now_millis()).await? {
        return Ok(());
    }
    drop(connection);
    let Some(row) = rows::find(db.pool(), export_id).await? else {
        return Ok(());
    };
    match archive::write(db, storage, activity_pub, public_url, &row).await {
        Ok((location, size)) => {
            let mut connection = db.pool().acquire().await?;
            let size = i64::try_from(size).unwrap_or(i64::MAX);
            if !rows::complete(
                &mut connection,
                export_id,
                location.as_str(),
                size,
                now_millis(),
            )
            .await?
            {
                // Deleted while it was written: the file belongs to nothing.
                storage.delete(location, &archive_key(&row)?).await?;
            }
            Ok(())
        }
        Err(error) => {
            tracing::warn!(export_id, %error, "user export failed");
            let mut connection = db.pool().acquire().await?;
            rows::fail(&mut connection, export_id, &error.to_string(), now_millis()).await?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_only_plain_ones() {
        assert_eq!(extension_of("a.JPG"), ".jpg");
        assert_eq!(extension_of("video.mp4"), ".mp4");
        assert_eq!(extension_of("noext"), "");
        assert_eq!(extension_of("x./../etc"), "");
        assert_eq!(extension_of("x.a b"), "");
        assert_eq!(extension_of("x.verylongextension"), "");
    }

    fn row() -> UserExportRow {
        UserExportRow {
            id: 7,
            user_id: 3,
            state: rows::COMPLETED,
            with_video_files: 0,
            file_uuid: "0b7a3a3e-3a8f-4d4c-9d5b-2f1e0c9a8b7d".to_owned(),
            location: Some("local".to_owned()),
            size: Some(10),
            error: None,
            download_secret: "00".repeat(32),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn download_links_are_signed_for_their_export_and_time() {
        let row = row();
        let url = download_url(&row, "https://v.example", 1_000);
        let token = url.split_once("?token=").unwrap().1;
        let (expires, signed) = token.split_once('.').unwrap();
        assert_eq!(expires, (1_000 + DOWNLOAD_LINK_LIFETIME_MS).to_string());
        let mac = signature(&row, expires.parse().unwrap()).unwrap();
        assert!(mac.verify_slice(&hex::decode(signed).unwrap()).is_ok());
        // Another expiry, another export or another secret does not verify.
        let later = signature(&row, expires.parse::<i64>().unwrap() + 1).unwrap();
        assert!(later.verify_slice(&hex::decode(signed).unwrap()).is_err());
        let mut other = row.clone();
        other.id = 8;
        let mac = signature(&other, expires.parse().unwrap()).unwrap();
        assert!(mac.verify_slice(&hex::decode(signed).unwrap()).is_err());
        other = row;
        other.download_secret = "11".repeat(32);
        let mac = signature(&other, expires.parse().unwrap()).unwrap();
        assert!(mac.verify_slice(&hex::decode(signed).unwrap()).is_err());
    }
}
