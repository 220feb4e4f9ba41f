//! `kinora storage migrate --to s3|local` and `kinora storage check`.

use anyhow::Context;
use kinora_app::storage_migration::{MigrationEvent, migrate_storage};
use kinora_storage::{Backend, MediaStorage};

use crate::cli::StorageCommand;
use crate::config::Config;

/// Runs a `kinora storage` command.
pub async fn run(config: &Config, command: StorageCommand) -> anyhow::Result<()> {
    let storage = MediaStorage::open(&config.storage).context("storage")?;
    match command {
        StorageCommand::Check => {
            storage
                .self_test()
                .await
                .context("storage self-test failed")?;
            println!("storage self-test passed (backend {:?})", storage.backend());
            Ok(())
        }
        StorageCommand::Migrate { to } => {
            let to = if to == "s3" {
                Backend::S3
            } else {
                Backend::Local
            };
            storage
                .self_test()
                .await
                .context("storage self-test failed; nothing was moved")?;
            if to != storage.backend() {
                eprintln!(
                    "note: storage.backend is {:?}; new uploads still go there until you change it",
                    storage.backend()
                );
            }
            let db = crate::serve::open_database(config).await?;
            let result = migrate_storage(&db, &storage, to, |event| match event {
                MigrationEvent::Moved { uuid, files, bytes } => {
                    println!("moved video {uuid}: {files} file(s), {bytes} bytes, verified");
                }
                MigrationEvent::Skipped { uuid } => {
                    println!("skipped video {uuid}: still processing; run again later");
                }
                MigrationEvent::MovedFile { key, bytes } => {
                    println!("moved {key}: {bytes} bytes, verified");
                }
            })
            .await;
            db.close().await;
            let report = result.context("migration stopped; run the command again to resume")?;
            println!(
                "done: {} video(s) moved ({} files), {} caption and image file(s) moved, \
                 {} bytes in all, {} video(s) already there, {} skipped",
                report.moved,
                report.files,
                report.side_files,
                report.bytes,
                report.already_there,
                report.skipped
            );
            Ok(())
        }
    }
}
