//! Importing a user archive (PeerTube ≥ 6.1's user import, and Kinora's own archives from
//! [`crate::user_exports`]): the ZIP arrives through the resumable upload protocol, is stored
//! privately, and a job brings its content into the user's account — channels, videos (their
//! files uploaded again and transcoded, with names, descriptions, tags, privacy, captions,
//! chapters and the original publication date), playlists of those videos, and subscriptions.
//! One import per user at a time; `GET …/imports/latest` tells how it went.

mod apply;
mod profile;
mod reader;

use std::path::Path;
use std::sync::Arc;

use kinora_db::user_imports::{self as rows, UserImportRow};
use kinora_db::{Db, now_millis};
use kinora_jobs::Job;
use kinora_storage::{MediaStorage, StorageKey};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::remote::RemoteActors;
use crate::videos::UploadLimits;
use crate::{AppError, AppResult, InstanceConfig, ModerationConfig};

/// The largest document of an archive read (`peertube/*.json`): PeerTube's own hold at most
/// 1,000 items each.
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// Successes, duplicates and errors of one kind of item (PeerTube's import summary).
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    success: u64,
    duplicates: u64,
    errors: u64,
}

impl Tally {
    fn json(self) -> Value {
        json!({ "success": self.success, "duplicates": self.duplicates, "errors": self.errors })
    }
}

/// The user `user_id` when `caller` may import into their account (themselves, or an
/// administrator); 404 for an unknown user, 403 for anyone else.
pub async fn target_user(
    db: &Db,
    caller: &AuthenticatedUser,
    user_id: i64,
) -> AppResult<kinora_db::users::UserRow> {
    crate::user_exports::user_managed_by(
        db,
        caller,
        user_id,
        "Cannot import an archive into another user's account",
    )
    .await
}

/// Refuses a new import while one of the user's is waiting or running (409).
pub async fn ensure_none_running(db: &Db, user_id: i64) -> AppResult<()> {
    let mut connection = db.pool().acquire().await?;
    if rows::has_running(&mut connection, user_id).await? {
        return Err(AppError::Conflict(
            "An import of this user is already pending or running".to_owned(),
        ));
    }
    Ok(())
}

/// Takes the uploaded archive at `file` (a finished resumable upload on local disk): stores it
/// and queues its import into `user_id`'s account. Answers the import's id.
pub async fn accept(db: &Db, storage: &MediaStorage, user_id: i64, file: &Path) -> AppResult<i64> {
    ensure_none_running(db, user_id).await?;
    let file_uuid = Uuid::new_v4();
    storage
        .store_file(
            storage.location_for_originals(),
            file,
            &StorageKey::user_import(file_uuid),
        )
        .await?;
    let mut tx = db.begin().await?;
    let id = rows::insert(&mut tx, user_id, &file_uuid.to_string(), now_millis()).await?;
    kinora_jobs::enqueue(&mut tx, &Job::ImportUserArchive { import_id: id }).await?;
    tx.commit().await?;
    Ok(id)
}

/// `user_id`'s latest import, for `caller` (themselves or an administrator).
pub async fn latest(db: &Db, caller: &AuthenticatedUser, user_id: i64) -> AppResult<UserImportRow> {
    let user = target_user(db, caller, user_id).await?;
    rows::latest_of_user(db.pool(), user.id)
        .await?
        .ok_or(AppError::NotFound("User import"))
}

/// What an import needs besides the database and storage.
pub struct ImportContext {
    /// Other instances (subscriptions to remote channels).
    pub remote: Arc<dyn RemoteActors>,
    /// The instance's settings in force (channel limits, transcoding resolutions).
    pub instance: InstanceConfig,
    /// `[moderation]` (new videos may wait for staff).
    pub moderation: ModerationConfig,
    /// `[uploads]` (each video is checked as an upload: size, quota).
    pub upload_limits: UploadLimits,
    /// This instance's public URL (a handle of ours is local).
    pub public_url: String,
}

/// Runs import `import_id` (the job): reads the archive and brings it in; marks the import
/// completed with its summary, or errored with the reason. The stored archive is removed
/// either way. An import already finished is nothing to do.
pub async fn run(
    db: &Db,
    storage: &MediaStorage,
    context: &ImportContext,
    import_id: i64,
) -> AppResult<()> {
    let mut connection = db.pool().acquire().await?;
    if !rows::start(&mut connection, import_id, now_millis()).await? {
        return Ok(());
    }
    drop(connection);
    let Some(row) = rows::find(db.pool(), import_id).await? else {
        return Ok(());
    };
    let key = Uuid::parse_str(&row.file_uuid)
        .map(StorageKey::user_import)
        .map_err(|_| AppError::Internal(format!("import {import_id} has a bad file id")))?;
    let location = storage.location_for_originals();
    let (work_key, work_dir) = storage.local().create_work_directory()?;
    let outcome = async {
        let archive = work_dir.join("archive.zip");
        storage.fetch_to_file(location, &key, &archive).await?;
        apply::import(db, storage, context, &row, &archive, &work_dir).await
    }
    .await;
    let _ = storage.local().delete(&work_key);
    let mut connection = db.pool().acquire().await?;
    match outcome {
        Ok(summary) => {
            rows::finish(
                &mut connection,
                import_id,
                Ok(&summary.to_string()),
                now_millis(),
            )
            .await?;
        }
        Err(error) => {
            tracing::warn!(import_id, %error, "user import failed");
            rows::finish(
                &mut connection,
                import_id,
                Err(&error.to_string()),
                now_millis(),
            )
            .await?;
        }
    }
    drop(connection);
    storage.delete(location, &key).await?;
    Ok(())
}
