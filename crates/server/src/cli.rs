//! The command line: `kinora serve | migrate | user create | config check | jobs | storage`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kinora_app::users::{NewUserInput, UserOrigin};
use kinora_core::UserRole;

use crate::config::Config;

/// Kinora: a federated video platform compatible with PeerTube.
#[derive(Debug, Parser)]
#[command(name = "kinora", version, about)]
pub struct Cli {
    /// Configuration file (TOML); see kinora.example.toml.
    #[arg(long, short, global = true, env = "KINORA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Override one key, `section.key=value`; may be repeated; wins over file and environment.
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (HTTP, job worker); migrates the database first unless
    /// database.auto_migrate = false.
    Serve,
    /// Apply pending database migrations, or with --status only report them.
    Migrate {
        /// Only print which migrations are pending.
        #[arg(long)]
        status: bool,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Inspect and retry background jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Manage stored files.
    #[command(subcommand)]
    Storage(StorageCommand),
}

/// `kinora storage …`
#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Move every existing video's files to another backend (copy, verify size and SHA-256,
    /// switch the database, then delete the old copy). Safe to interrupt and run again.
    Migrate {
        /// The backend to move to: `s3` (needs [storage.s3]) or `local`.
        #[arg(long, value_parser = ["s3", "local"])]
        to: String,
    },
    /// Run the storage start-up self-test (S3: bucket, credentials, private objects not
    /// public, public locations readable) and report.
    Check,
}

/// `kinora user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with its account and default channel.
    Create(CreateUser),
}

/// `kinora user create …`
#[derive(Debug, Args)]
pub struct CreateUser {
    /// Login name: lowercase letters, digits, `_` (and `.`/`-` inside), 1–50 characters.
    #[arg(long)]
    pub username: String,
    /// E-mail address.
    #[arg(long)]
    pub email: String,
    /// Password, 6–255 characters.
    #[arg(long)]
    pub password: String,
    /// Make the user an administrator.
    #[arg(long, conflicts_with = "moderator")]
    pub admin: bool,
    /// Make the user a moderator.
    #[arg(long)]
    pub moderator: bool,
}

/// `kinora config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load every layer and report the first problem, or print the effective configuration.
    Check,
}

/// `kinora jobs …`
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs in a state: queued, running, done or dead.
    List {
        /// The state.
        #[arg(long, default_value = "dead")]
        state: String,
        /// Most jobs shown.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue a dead job again with a fresh set of attempts.
    Retry {
        /// The job's id.
        id: i64,
    },
}

impl Cli {
    /// Loads the configuration these arguments name.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        Config::load(self.config.as_deref(), &self.overrides).map_err(|error| {
            let source = self.config.as_ref().map_or_else(
                || "defaults and environment".to_owned(),
                |p| p.display().to_string(),
            );
            anyhow::anyhow!("invalid configuration ({source}): {error}")
        })
    }
}

/// Runs one of the short commands (everything but `serve`).
pub async fn run_command(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => unreachable!("serve is run by main"),
        Command::Config(ConfigCommand::Check) => {
            println!("configuration is valid");
            println!("server.listen = {}", config.server.listen);
            println!("server.public_url = {}", config.server.public_url);
            println!(
                "database.url = {}",
                crate::serve::redact(&config.database.url)
            );
            println!(
                "storage.local.root = {}",
                config.storage.local.root.display()
            );
            println!("storage.backend = {:?}", config.storage.backend);
            if config.storage.has_s3() {
                println!(
                    "storage.s3 = bucket {:?}, prefix {:?}, endpoint {}",
                    config.storage.s3.bucket,
                    config.storage.s3.prefix,
                    config.storage.s3.endpoint.as_deref().unwrap_or("AWS")
                );
            }
            Ok(())
        }
        Command::Storage(command) => crate::storage_command::run(&config, command).await,
        Command::Migrate { status } => {
            let db = kinora_db::Db::connect(&config.database).await?;
            let report = db.migration_status().await?;
            if status {
                println!("pending migrations: {:?}", report.pending);
                if !report.unknown.is_empty() {
                    println!("unknown (newer) migrations: {:?}", report.unknown);
                }
            } else {
                db.migrate().await?;
                println!(
                    "applied {} migration(s); the schema is current",
                    report.pending.len()
                );
            }
            db.close().await;
            Ok(())
        }
        Command::User(UserCommand::Create(user)) => {
            let db = crate::serve::open_database(&config).await?;
            let role = if user.admin {
                UserRole::Admin
            } else if user.moderator {
                UserRole::Moderator
            } else {
                UserRole::User
            };
            let created = kinora_app::users::create_user(
                &db,
                &config.instance,
                NewUserInput {
                    username: user.username.clone(),
                    email: user.email,
                    password: user.password,
                    role,
                    display_name: None,
                },
                UserOrigin::Admin,
            )
            .await
            .context("user not created")?;
            println!(
                "created user {} (id {}, role {}) with channel {}_channel",
                user.username,
                created.user_id,
                role.label(),
                user.username
            );
            db.close().await;
            Ok(())
        }
        Command::Jobs(JobsCommand::List { state, limit }) => {
            let db = crate::serve::open_database(&config).await?;
            for job in kinora_jobs::list(&db, &state, limit).await? {
                println!(
                    "{}\t{}\t{}\tattempts {}/{}\t{}",
                    job.id,
                    job.kind,
                    job.state,
                    job.attempts,
                    job.max_attempts,
                    job.last_error.unwrap_or_default()
                );
            }
            db.close().await;
            Ok(())
        }
        Command::Jobs(JobsCommand::Retry { id }) => {
            let db = crate::serve::open_database(&config).await?;
            let retried = kinora_jobs::retry_dead(&db, id).await?;
            db.close().await;
            if retried {
                println!("job {id} queued again");
                Ok(())
            } else {
                anyhow::bail!("job {id} is not in the dead letters")
            }
        }
    }
}
