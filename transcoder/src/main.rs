//! `kinora-transcoder`: the process that turns uploads into HLS renditions.
//!
//! It links libav through `kinora-media` so the server never does, and runs each transcode in a
//! child process of its own under CPU, memory, file-size and wall-time limits: a libav crash or
//! hang only takes down that child, and the job is retried. It meets the server only through the
//! job queue, the database and storage, so transcoders can run on other machines (`run` with
//! the same configuration file). May depend on `kinora-core`, `kinora-db`, `kinora-jobs`,
//! `kinora-storage` and `kinora-media`. Start reading at [`job::TranscodeJobs`].

mod config;
mod job;
mod live;
mod metrics;
mod parent;
mod process;
mod protocol;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kinora_db::Db;
use kinora_jobs::{JobKind, Worker, WorkerConfig};
use kinora_storage::MediaStorage;
use tokio_util::sync::CancellationToken;

use crate::config::TranscoderConfig;

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
    /// Claim and run transcode jobs until SIGTERM.
    Run {
        /// Also stop when standard input closes (how `kinora serve` ties its pool to itself:
        /// if the server dies, even by SIGKILL, its transcoders follow).
        #[arg(long)]
        exit_with_parent: bool,
        /// Report each transcode's outcome and duration on stdout, one JSON line each (for the
        /// metrics of the `kinora serve` that started this process).
        #[arg(long)]
        report_to_parent: bool,
    },
    /// Check that the database and the storage are reachable and current.
    Check,
    /// Serve RTMP broadcasters of lives (`[live] rtmp_listen`) until SIGTERM.
    Live {
        /// Also stop when standard input closes (as `run`'s flag).
        #[arg(long)]
        exit_with_parent: bool,
    },
    /// (internal) Remux one broadcast, FLV on standard input, into a live's directory.
    #[command(hide = true)]
    LiveProcess {
        /// The live's empty directory.
        #[arg(long)]
        output: PathBuf,
        /// Segment length, seconds.
        #[arg(long, default_value_t = kinora_core::live::SEGMENT_SECS)]
        segment_secs: u32,
        /// Segments the media playlist lists.
        #[arg(long, default_value_t = kinora_core::live::PLAYLIST_SIZE)]
        playlist_size: u32,
        /// The first segment's number (after the last of the broadcast this one resumes).
        #[arg(long, default_value_t = 0)]
        start_number: u32,
    },
    /// (internal) Run one transcode in this process and report on stdout.
    #[command(hide = true)]
    Process {
        /// The original.
        #[arg(long)]
        input: PathBuf,
        /// The empty output directory.
        #[arg(long)]
        output: PathBuf,
        /// The standard resolutions to make below the source's own, comma-separated, possibly
        /// none (absent: every one).
        #[arg(long, value_parser = parse_resolution_list)]
        resolutions: Option<ResolutionList>,
    },
}

/// The value of `--resolutions`.
#[derive(Debug, Clone)]
struct ResolutionList(Vec<u32>);

/// Reads `240,720` (or an empty list).
fn parse_resolution_list(text: &str) -> Result<ResolutionList, String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u32>()
                .map_err(|_| format!("{part:?} is not a resolution"))
        })
        .collect::<Result<_, _>>()
        .map(ResolutionList)
}

/// Logs to stderr, as `[log]` says (JSON lines or text).
fn init_logging(log: &config::LogSection) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs the command; an error is printed as one `error: …` line with its causes (never a
/// backtrace): exit status 2 for a configuration error, 1 for any other.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(Failure::Config(error)) => {
            eprintln!("error: invalid configuration: {error:#}");
            std::process::ExitCode::from(2)
        }
        Err(Failure::Other(error)) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Why the command failed.
enum Failure {
    /// The configuration could not be loaded.
    Config(anyhow::Error),
    /// Anything after.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Other(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Other(error.into())
    }
}

fn run() -> Result<(), Failure> {
    let cli = Cli::parse();
    match &cli.command {
        // A transcode whose parent died has no one to report to: it goes at once.
        Command::Process { .. } | Command::LiveProcess { .. } => {
            parent::follow(rustix::process::Signal::KILL)
        }
        // A pool member stops as on SIGTERM: the job in hand gets its grace, then its lease
        // is given back (the end-of-file on standard input says the same, later).
        Command::Run {
            exit_with_parent: true,
            ..
        }
        | Command::Live {
            exit_with_parent: true,
        } => parent::follow(rustix::process::Signal::TERM),
        _ => {}
    }
    let config = TranscoderConfig::load(cli.config.as_deref()).map_err(Failure::Config)?;
    init_logging(&config.log);
    if let Command::Process {
        input,
        output,
        resolutions,
    } = &cli.command
    {
        let resolutions = resolutions.as_ref().map(|list| list.0.as_slice());
        process::run(input, output, resolutions, &config.transcoding);
        return Ok(());
    }
    if let Command::LiveProcess {
        output,
        segment_secs,
        playlist_size,
        start_number,
    } = &cli.command
    {
        live::child::run(
            output,
            *segment_secs,
            *playlist_size,
            *start_number,
            &config.transcoding,
        );
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async move {
        // The storage settings are checked first: a wrong one is named before any connection.
        let storage = MediaStorage::open(&config.storage).context("storage")?;
        let db = Db::connect(&config.database).await.context("database")?;
        db.require_current_schema().await?;
        storage
            .self_test()
            .await
            .context("storage self-test failed")?;
        match cli.command {
            Command::Check => {
                println!("database and storage are reachable; the schema is current");
            }
            Command::Run {
                exit_with_parent,
                report_to_parent,
            } => {
                run_worker(
                    db.clone(),
                    storage,
                    config,
                    exit_with_parent,
                    report_to_parent,
                )
                .await?
            }
            Command::Live { exit_with_parent } => {
                let settings = serde_json::to_string(&config)?;
                let shutdown = stop_signals(exit_with_parent);
                live::serve(db.clone(), storage, config.live, settings, shutdown).await?
            }
            Command::Process { .. } | Command::LiveProcess { .. } => {
                unreachable!("handled above")
            }
        }
        db.close().await;
        anyhow::Ok(())
    });
    // The stdin watcher blocks a thread in read(); do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(result?)
}

/// A token cancelled on SIGTERM or Ctrl-C, and with `exit_with_parent` when standard input
/// closes (the parent closed its end, or died).
fn stop_signals(exit_with_parent: bool) -> CancellationToken {
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        signal.cancel();
    });
    if exit_with_parent {
        let orphaned = shutdown.clone();
        tokio::spawn(async move {
            let mut stdin = tokio::io::stdin();
            let mut buffer = [0u8; 64];
            while let Ok(read) = tokio::io::AsyncReadExt::read(&mut stdin, &mut buffer).await {
                if read == 0 {
                    break;
                }
            }
            tracing::warn!("the parent process is gone; stopping");
            orphaned.cancel();
        });
    }
    shutdown
}

async fn run_worker(
    db: Db,
    storage: MediaStorage,
    config: TranscoderConfig,
    exit_with_parent: bool,
    report_to_parent: bool,
) -> anyhow::Result<()> {
    // A pool member reports to its server; one started on its own serves its metrics.
    if let Some(listen) = config.transcoding.metrics_listen
        && !report_to_parent
    {
        crate::metrics::serve(listen)?;
    }
    let shutdown = stop_signals(exit_with_parent);
    let mut worker = WorkerConfig::new(
        format!(
            "transcoder-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ),
        vec![JobKind::Transcode],
    );
    worker.concurrency = 1;
    worker.lease = Duration::from_secs(config.transcoding.lease_secs.max(2));
    worker.heartbeat = Duration::from_secs((config.transcoding.lease_secs / 4).clamp(1, 10));
    worker.shutdown_grace = Duration::from_secs(5);
    let handler = job::TranscodeJobs {
        storage,
        limits: config.transcoding.clone(),
        executable: std::env::current_exe()?,
        report_to_parent,
    };
    tracing::info!("transcoder ready");
    Worker::new(db, worker, handler).run(shutdown).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_resolution_list;

    #[test]
    fn resolution_lists_may_be_empty_and_refuse_what_is_not_a_number() {
        assert_eq!(parse_resolution_list("240,720").unwrap().0, vec![240, 720]);
        assert_eq!(parse_resolution_list("").unwrap().0, Vec::<u32>::new());
        assert!(parse_resolution_list("240,7x0").is_err());
        assert!(parse_resolution_list("-1").is_err());
    }
}
