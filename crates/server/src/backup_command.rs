//! `kinora backup create | verify | restore` (the work is in [`kinora_app::backup`]).

use anyhow::Context;
use kinora_app::backup::{self, BackupEvent, BackupSource, RestoreTarget};
use kinora_storage::MediaStorage;

use crate::cli::BackupCommand;
use crate::config::Config;

fn print_event(event: BackupEvent) {
    match event {
        BackupEvent::Database { bytes } => println!("database: {bytes} bytes"),
        BackupEvent::Media { done, total, bytes } => {
            println!("media: {done}/{total} file(s), {bytes} bytes so far");
        }
        BackupEvent::Vanished { key } => {
            println!("media: {key} was deleted while the backup ran; it is not in the backup");
        }
    }
}

/// The configuration in force as TOML: what `config.toml` of a backup holds.
pub fn config_toml(config: &Config) -> anyhow::Result<String> {
    toml::to_string(config).context("cannot write the configuration as TOML")
}

/// What a backup of the instance `config` describes reads from.
pub fn backup_source<'a>(
    config: &'a Config,
    db: &'a kinora_db::Db,
    storage: &'a MediaStorage,
    config_toml: &'a str,
) -> BackupSource<'a> {
    BackupSource {
        db,
        database_url: &config.database.url,
        storage,
        public_url: &config.server.public_url,
        config_toml,
        kinora_version: env!("CARGO_PKG_VERSION"),
    }
}

/// Runs a `kinora backup` command.
pub async fn run(config: &Config, command: BackupCommand) -> anyhow::Result<()> {
    match command {
        BackupCommand::Create { to } => {
            let storage = MediaStorage::open(&config.storage).context("storage")?;
            let db = kinora_db::Db::connect(&config.database)
                .await
                .context("cannot open the database")?;
            let config_toml = config_toml(config)?;
            let source = backup_source(config, &db, &storage, &config_toml);
            let result = backup::create(source, &to, print_event).await;
            db.close().await;
            let report = result.with_context(|| format!("backup into {} failed", to.display()))?;
            println!(
                "backup written to {}: {} media file(s), {} bytes in all, {} S3 object(s) \
                 listed{}",
                to.display(),
                report.media_files,
                report.bytes,
                report.s3_objects,
                if report.vanished > 0 {
                    format!(", {} file(s) deleted while it ran", report.vanished)
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        BackupCommand::Verify { from } => {
            let report = backup::verify(&from)
                .await
                .with_context(|| format!("{} does not verify", from.display()))?;
            println!(
                "backup {} is whole: {} file(s), {} bytes, taken {} of {} by Kinora {}",
                from.display(),
                report.files,
                report.bytes,
                report.manifest.created_at,
                report.manifest.public_url,
                report.manifest.kinora_version
            );
            Ok(())
        }
        BackupCommand::Restore { from } => {
            let storage = MediaStorage::open(&config.storage).context("storage")?;
            let target = RestoreTarget {
                database: &config.database,
                storage: &storage,
                public_url: &config.server.public_url,
            };
            let report = backup::restore(&from, target, print_event)
                .await
                .with_context(|| format!("cannot restore {}", from.display()))?;
            println!(
                "restored {} ({} taken {}): the database and {} media file(s), {} bytes; \
                 its configuration is in {}; start the server with `kinora serve`",
                from.display(),
                report.manifest.public_url,
                report.manifest.created_at,
                report.media_files,
                report.bytes,
                from.join(backup::CONFIG_FILE).display()
            );
            let listed = report.manifest.s3_objects.len();
            match report.s3_missing.as_deref() {
                Some([]) if listed > 0 => {
                    println!("the {listed} S3 object(s) the backup lists are all in the bucket(s)");
                }
                Some([]) => {}
                Some(missing) => println!(
                    "warning: {} of the {listed} S3 object(s) the backup lists are not in the \
                     bucket(s) (first: {}): restore them with the tool you copied the bucket \
                     with",
                    missing.len(),
                    missing[0]
                ),
                None => println!(
                    "warning: the backup lists {listed} S3 object(s) but [storage.s3] is not \
                     configured: configure it and restore the bucket(s)"
                ),
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_round_trips_through_its_toml() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(
            None,
            &[
                "server.public_url=https://videos.example".into(),
                "storage.s3.bucket=media".into(),
                "storage.s3.secret_access_key=very-secret".into(),
            ],
        )
        .unwrap();
        let text = config_toml(&config).unwrap();
        assert!(text.contains("very-secret"), "secrets are kept: {text}");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &text).unwrap();
        let reloaded = Config::load(Some(&path), &[]).unwrap();
        assert_eq!(config_toml(&reloaded).unwrap(), text);
        assert_eq!(reloaded.server.public_url, "https://videos.example");
    }
}
