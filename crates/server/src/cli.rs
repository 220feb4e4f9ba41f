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
    /// Back the instance up, check a backup, restore one onto an empty machine.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Ask a running server whether it is ready (for container health checks): exits 0 when
    /// `url` answers 200 within `timeout_secs`, 1 otherwise, saying why.
    Health {
        /// The readiness URL (`/readyz` checks the database and the storage).
        #[arg(long, default_value = "http://127.0.0.1:9000/readyz")]
        url: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout_secs: u64,
    },
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

/// `kinora backup …`
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back the instance up into a new or empty directory while it serves: a consistent
    /// database copy (with every actor's private key), the configuration in force, every
    /// local media file, and a manifest with each file's size and SHA-256 (S3 objects are
    /// listed, not copied).
    Create {
        /// The directory to write (created; it must be new or empty).
        #[arg(long)]
        to: PathBuf,
    },
    /// Check a backup against its manifest: every file present, of its size and SHA-256,
    /// and nothing else. Exits 1 listing every problem.
    Verify {
        /// The backup's directory.
        #[arg(long)]
        from: PathBuf,
    },
    /// Restore a backup onto this configuration's empty database and storage. Everything is
    /// checked before anything changes; the public URL must be the backup's.
    Restore {
        /// The backup's directory.
        #[arg(long)]
        from: PathBuf,
    },
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

/// `kinora health`: one plain-HTTP GET of a local readiness URL (`http://host:port/path`); an
/// error unless it answers 200 within `timeout_secs`.
async fn check_health(url: &str, timeout_secs: u64) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: only http:// URLs are checked"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(authority).await?;
        stream
            .write_all(
                format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
        let mut answer = Vec::new();
        stream.take(4096).read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(timeout_secs), probe)
        .await
        .with_context(|| format!("{url} did not answer within {timeout_secs} s"))?
        .with_context(|| format!("{url} did not answer"))?;
    let status_line = answer.lines().next().unwrap_or_default();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
    if status_line.split_whitespace().nth(1) != Some("200") {
        anyhow::bail!("{url} answered {status_line:?}: {body}");
    }
    println!("ready");
    Ok(())
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
        Command::Backup(command) => crate::backup_command::run(&config, command).await,
        Command::Health { url, timeout_secs } => check_health(&url, timeout_secs).await,
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
