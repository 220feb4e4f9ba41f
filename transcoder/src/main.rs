//! `kinora-transcoder`: the process that turns uploads into HLS renditions.
//!
//! It links libav through `kinora-media` so the server never does: a libav crash or hang can
//! only take down a transcoder. It reads the same configuration file as `kinora` (only the
//! `[database]` and `[storage]` sections) and meets the server only through the job queue and
//! storage, so transcoders can run on other machines. May depend on `kinora-core`, `kinora-db`,
//! `kinora-jobs`, `kinora-storage` and `kinora-media`.
//!
//! Today it offers `check`, which proves a transcoder machine reaches the database (at the
//! schema level of this build) and the storage; claiming transcode jobs arrives with the
//! upload-and-transcoding work.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use kinora_db::{DatabaseConfig, Db};
use kinora_storage::{LocalStorage, StorageConfig};
use serde::{Deserialize, Serialize};

/// The sections of the shared configuration a transcoder reads.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct TranscoderConfig {
    database: DatabaseConfig,
    storage: StorageConfig,
}

/// kinora-transcoder: turns uploads into HLS renditions, away from the server process.
#[derive(Debug, Parser)]
#[command(name = "kinora-transcoder", version, about)]
struct Cli {
    /// The Kinora configuration file (the same as the server's).
    #[arg(long, short, global = true, env = "KINORA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that the database and the storage are reachable and current.
    Check,
}

fn load(path: Option<&PathBuf>) -> anyhow::Result<TranscoderConfig> {
    let mut figment = Figment::from(Serialized::defaults(TranscoderConfig::default()));
    if let Some(path) = path {
        anyhow::ensure!(
            path.is_file(),
            "configuration file {} does not exist",
            path.display()
        );
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(Env::prefixed("KINORA__").split("__"));
    Ok(figment.extract()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = load(cli.config.as_ref())?;
    match cli.command {
        Command::Check => {
            let db = Db::connect(&config.database).await.context("database")?;
            db.require_current_schema().await?;
            LocalStorage::open(&config.storage.local).context("storage")?;
            db.close().await;
            println!("database and storage are reachable; the schema is current");
        }
    }
    Ok(())
}
