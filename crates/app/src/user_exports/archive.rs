//! Writing one archive: gathers its documents ([`super::social`], [`super::videos`]), then
//! streams them and the stored files into a ZIP on a blocking thread, in a work directory of
//! the local disk, and stores the finished ZIP (renamed into place, or uploaded to S3).
//! Documents are deflated; media files are stored as they are (they are compressed already).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use kinora_db::Db;
use kinora_db::user_exports::UserExportRow;
use kinora_storage::{Location, MediaStorage};
use serde_json::Value;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::{ArchiveActivityPub, Gathered, archive_key, social, videos};
use crate::{AppError, AppResult};

/// One entry handed to the writing thread.
enum Entry {
    /// A document, written deflated.
    Document { path: String, bytes: Vec<u8> },
    /// A file on local disk, stored; removed afterwards when `temporary`.
    File {
        path: String,
        source: PathBuf,
        temporary: bool,
    },
}

/// Gathers and writes the archive of `row`; answers where it was stored and its size.
pub(super) async fn write(
    db: &Db,
    storage: &Arc<MediaStorage>,
    activity_pub: Arc<dyn ArchiveActivityPub>,
    public_url: &str,
    row: &UserExportRow,
) -> AppResult<(Location, u64)> {
    let user = kinora_db::users::find_by_id(db.pool(), row.user_id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let account = kinora_db::accounts::find_by_user(db.pool(), user.id)
        .await?
        .ok_or(AppError::NotFound("Account"))?;
    let channels = kinora_db::channels::list_by_account(db.pool(), account.id).await?;
    let mut gathered = Gathered {
        db: db.clone(),
        storage: storage.clone(),
        activity_pub_source: activity_pub.clone(),
        public_url: public_url.to_owned(),
        host: kinora_core::urls::host_of(public_url).to_owned(),
        user,
        with_video_files: row.with_video_files != 0,
        json: Default::default(),
        activity_pub: Default::default(),
        outbox: Vec::new(),
        files: Vec::new(),
    };
    social::actors(&mut gathered, &account, &channels).await?;
    videos::videos(&mut gathered, &channels).await?;
    social::blocklist(&mut gathered, &account).await?;
    social::ratings(&mut gathered, &account).await?;
    social::follows(&mut gathered, &account, &channels).await?;
    social::settings(&mut gathered).await?;
    social::comments(&mut gathered, &account).await?;
    videos::playlists(&mut gathered, account.id, &channels).await?;
    social::history(&mut gathered).await?;
    if let Some(mut actor) = activity_pub.actor(account.actor_id).await? {
        // As PeerTube's archives: the actor's collections are the files beside it.
        for (field, file) in [
            ("outbox", "outbox.json"),
            ("following", "following.json"),
            ("likes", "likes.json"),
            ("dislikes", "dislikes.json"),
        ] {
            actor[field] = Value::String(file.to_owned());
        }
        gathered.activity_pub.insert("actor.json", actor);
    }
    let outbox_items = std::mem::take(&mut gathered.outbox);
    let mut outbox = social::collection("outbox.json", &[]);
    outbox["totalItems"] = Value::from(outbox_items.len());
    outbox["orderedItems"] = Value::Array(outbox_items);
    gathered.activity_pub.insert("outbox.json", outbox);

    let (work_key, work_dir) = storage.local().create_work_directory()?;
    let written = write_zip(storage, &gathered, &work_dir).await;
    let stored = match written {
        Ok((zip_path, size)) => {
            let location = storage.location_for_originals();
            storage
                .store_file(location, &zip_path, &archive_key(row)?)
                .await
                .map(|()| (location, size))
                .map_err(AppError::from)
        }
        Err(error) => Err(error),
    };
    let _ = storage.local().delete(&work_key);
    stored
}

/// Writes the ZIP into `work_dir`; answers its path and size.
async fn write_zip(
    storage: &MediaStorage,
    gathered: &Gathered,
    work_dir: &Path,
) -> AppResult<(PathBuf, u64)> {
    let zip_path = work_dir.join("archive.zip");
    let (sender, receiver) = mpsc::sync_channel::<Entry>(1);
    let writer_path = zip_path.clone();
    let writer = tokio::task::spawn_blocking(move || write_entries(&writer_path, receiver));

    let mut documents = Vec::new();
    for (name, value) in &gathered.json {
        documents.push((format!("peertube/{name}"), value));
    }
    for (name, value) in &gathered.activity_pub {
        documents.push((format!("activity-pub/{name}"), value));
    }
    let mut sent = true;
    for (path, value) in documents {
        let bytes = serde_json::to_vec_pretty(value)
            .map_err(|error| AppError::Internal(error.to_string()))?;
        if sender.send(Entry::Document { path, bytes }).is_err() {
            sent = false;
            break;
        }
    }
    for (index, file) in gathered.files.iter().enumerate() {
        if !sent {
            break;
        }
        let (source, temporary) = match storage.local_path(file.location, &file.key) {
            Some(path) => (path, false),
            None => {
                let path = work_dir.join(format!("file-{index}"));
                storage
                    .fetch_to_file(file.location, &file.key, &path)
                    .await?;
                (path, true)
            }
        };
        if !source.is_file() {
            // A file the database names but storage lost: the archive goes on without it
            // (its JSON still says where it was), as PeerTube's does.
            tracing::warn!(key = %file.key, "a file of a user export is missing");
            continue;
        }
        let entry = Entry::File {
            path: file.path.clone(),
            source,
            temporary,
        };
        // Sending blocks while the writer is busy with the previous file: at most two fetched
        // files wait on disk at once.
        let sender = sender.clone();
        sent = tokio::task::spawn_blocking(move || sender.send(entry).is_ok())
            .await
            .unwrap_or(false);
    }
    drop(sender);
    let size = writer
        .await
        .map_err(|error| AppError::Internal(error.to_string()))??;
    Ok((zip_path, size))
}

/// The writing thread: every entry into the ZIP at `path`; answers its size.
fn write_entries(path: &Path, entries: mpsc::Receiver<Entry>) -> AppResult<u64> {
    let io = |error: std::io::Error| AppError::Internal(format!("writing the archive: {error}"));
    let zipped =
        |error: zip::result::ZipError| AppError::Internal(format!("writing the archive: {error}"));
    let file = std::fs::File::create(path).map_err(io)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    for entry in entries {
        match entry {
            Entry::Document { path, bytes } => {
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Deflated)
                    .compression_level(Some(9));
                zip.start_file(path, options).map_err(zipped)?;
                zip.write_all(&bytes).map_err(io)?;
            }
            Entry::File {
                path,
                source,
                temporary,
            } => {
                let mut input = std::fs::File::open(&source).map_err(io)?;
                let length = input.metadata().map_err(io)?.len();
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Stored)
                    .large_file(length >= u64::from(u32::MAX));
                zip.start_file(path, options).map_err(zipped)?;
                std::io::copy(&mut input, &mut zip).map_err(io)?;
                if temporary {
                    let _ = std::fs::remove_file(&source);
                }
            }
        }
    }
    let mut inner = zip.finish().map_err(zipped)?;
    inner.flush().map_err(io)?;
    let file = inner.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(file.metadata().map_err(io)?.len())
}
