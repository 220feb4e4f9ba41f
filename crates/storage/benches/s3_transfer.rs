//! Benchmark: upload and download throughput of one large object through `kinora-storage`
//! against the same transfers made with the AWS CLI, to the same `s3s-fs` server in the same
//! run (BENCHMARKS.md, "S3 throughput"). Not a test: it asserts no timing, it measures.
//!
//! ```sh
//! scripts/bench_s3.sh            # installs a pinned awscli in a venv, then runs this
//! cargo bench -p kinora-storage --bench s3_transfer   # with `aws` on PATH or KINORA_AWS_CLI
//! ```
//!
//! It starts `s3s-fs` on 127.0.0.1 (as the S3 tests do, `tests/support/s3_server.rs`), writes
//! a file of pseudo-random bytes (`KINORA_BENCH_S3_BYTES`, default 1 GiB) and, for
//! `KINORA_BENCH_ROUNDS` rounds (default 3; which tool goes first alternates), times
//! (a) `S3Storage::put_file`, (b) `S3Storage::download_to_file` (16 MiB ranged GETs, 8 in
//! flight, each written at its offset; the CLI does the same with 10 in flight), (c) `aws s3 cp
//! FILE s3://…` and (d) `aws s3 cp s3://… FILE`; and, for information, (b′) one
//! `S3Storage::get_range(key, None)` streamed into a file (a single GET, as when serving a
//! client). Both tools use the same
//! credentials, path-style addressing, 16 MiB parts (`DEFAULT_PART_SIZE`, also the CLI's
//! `multipart_chunksize` and `multipart_threshold`) and checksums only where required. Kinora's
//! transfers run in a spawned task, as in the server. Every download is compared (SHA-256)
//! with the original. `sync` runs, untimed, before each transfer so that no transfer pays for
//! the write-back of the previous one. Prints a markdown table: MiB/s per tool and direction
//! (median of the rounds, each round in brackets), the ratio kinora/awscli, the client's CPU
//! time (median) and this process's peak RSS during its transfers.
//!
//! Environment: `KINORA_AWS_CLI` (the `aws` binary, else `aws` on PATH), `KINORA_S3S_FS`
//! (else `~/.cargo/bin/s3s-fs` or PATH), `KINORA_BENCH_DIR` (where the files go, default the
//! temporary directory; the server's root is always in the temporary directory).

#[allow(dead_code)]
#[path = "../tests/support/s3_server.rs"]
mod s3_server;

use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Instant;

use kinora_storage::{DEFAULT_PART_SIZE, S3Config, S3Storage, StorageKey};
use s3_server::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::runtime::Runtime;
use uuid::Uuid;

const MIB: f64 = 1024.0 * 1024.0;
/// Linux reports process CPU times in clock ticks of 1/100 s (USER_HZ) in `/proc`.
const TICKS_PER_SECOND: f64 = 100.0;
/// The buffer between a downloaded stream and its file (one write per MiB).
const DOWNLOAD_FILE_BUFFER: usize = 1024 * 1024;

/// One timed transfer.
#[derive(Debug, Clone, Copy)]
struct Sample {
    seconds: f64,
    /// User + system CPU seconds of the client (this process, or the `aws` child).
    cpu_seconds: f64,
    /// This process's resident memory when the transfer started and its peak during the
    /// transfer, in MiB (kinora only).
    rss_mib: Option<(f64, f64)>,
}

#[derive(Debug, Default)]
struct Samples {
    kinora_up: Vec<Sample>,
    kinora_down: Vec<Sample>,
    kinora_single_down: Vec<Sample>,
    aws_up: Vec<Sample>,
    aws_down: Vec<Sample>,
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

fn aws_cli() -> PathBuf {
    if let Some(path) = std::env::var_os("KINORA_AWS_CLI") {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("aws"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "the AWS CLI was not found (KINORA_AWS_CLI or `aws` on PATH); \
                 scripts/bench_s3.sh installs a pinned one in a venv"
            )
        })
}

/// Writes `size` pseudo-random (xorshift, incompressible) bytes, 1 MiB at a time.
fn write_source(path: &Path, size: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = vec![0u8; 1024 * 1024];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let length = left.min(block.len() as u64) as usize;
        file.write_all(&block[..length])?;
        left -= length as u64;
    }
    file.into_inner()?.sync_all()
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}

/// Flushes dirty pages so that the next transfer does not pay for the previous one's.
fn sync() {
    let _ = Command::new("sync").status();
}

/// From `/proc/self/stat`: (utime + stime, cutime + cstime) in seconds, the CPU time of this
/// process (all its threads) and that of the children it has waited for.
fn cpu_times() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default()
        .split_whitespace()
        .map(|field| field.parse().unwrap_or(0.0))
        .collect();
    // After the command name, the state is field 0: utime, stime, cutime, cstime are 11..=14.
    let field = |index: usize| fields.get(index).copied().unwrap_or(0.0);
    (
        (field(11) + field(12)) / TICKS_PER_SECOND,
        (field(13) + field(14)) / TICKS_PER_SECOND,
    )
}

/// Resets this process's peak RSS (VmHWM) to its current RSS (Linux `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A memory figure of `/proc/self/status` (`VmRSS`, `VmHWM`) in MiB.
fn memory_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Copies an object body into `file` (already at the right position) through a buffer.
async fn body_to_file(
    body: kinora_storage::ObjectBody,
    file: tokio::fs::File,
) -> Result<(), String> {
    let mut reader = Box::pin(body.into_async_read());
    let mut writer = tokio::io::BufWriter::with_capacity(DOWNLOAD_FILE_BUFFER, file);
    tokio::io::copy_buf(&mut reader, &mut writer)
        .await
        .map_err(|error| format!("download into a file: {error}"))?;
    writer
        .flush()
        .await
        .map_err(|error| format!("write the download file: {error}"))
}

struct Bench {
    storage: S3Storage,
    aws: PathBuf,
    aws_config: PathBuf,
    endpoint: String,
    source: PathBuf,
    source_sha256: String,
    work: PathBuf,
    size: u64,
}

impl Bench {
    /// Runs `transfer` as a task of `runtime` and times it; CPU time and peak RSS are this
    /// process's.
    fn time_kinora(
        runtime: &Runtime,
        what: &str,
        transfer: impl Future<Output = Result<(), String>> + Send + 'static,
    ) -> Sample {
        sync();
        reset_peak_rss();
        let rss_before = memory_mib("VmRSS");
        let (cpu_before, _) = cpu_times();
        let started = Instant::now();
        let result = runtime
            .block_on(runtime.spawn(transfer))
            .unwrap_or_else(|error| panic!("the {what} task failed: {error}"));
        let seconds = started.elapsed().as_secs_f64();
        let (cpu_after, _) = cpu_times();
        if let Err(error) = result {
            panic!("kinora {what} failed: {error}");
        }
        Sample {
            seconds,
            cpu_seconds: cpu_after - cpu_before,
            rss_mib: Some((rss_before, memory_mib("VmHWM"))),
        }
    }

    /// (a) `put_file`.
    fn kinora_up(self: &Arc<Self>, runtime: &Runtime, key: &StorageKey) -> Sample {
        let (bench, key) = (self.clone(), key.clone());
        Self::time_kinora(runtime, "upload", async move {
            bench
                .storage
                .put_file(&key, &bench.source)
                .await
                .map_err(|error| error.to_string())
        })
    }

    /// (b) `download_to_file`.
    fn kinora_down(self: &Arc<Self>, runtime: &Runtime, key: &StorageKey) -> Sample {
        let target = self.work.join("kinora-download.bin");
        let (bench, key, path) = (self.clone(), key.clone(), target.clone());
        let sample = Self::time_kinora(runtime, "download", async move {
            let size = bench
                .storage
                .download_to_file(&key, &path)
                .await
                .map_err(|error| error.to_string())?;
            if size == bench.size {
                Ok(())
            } else {
                Err(format!(
                    "download_to_file returned {size}, expected {}",
                    bench.size
                ))
            }
        });
        self.check("kinora download", &target);
        sample
    }

    /// (b′) One `get_range(key, None)` streamed into a file.
    fn kinora_single_down(self: &Arc<Self>, runtime: &Runtime, key: &StorageKey) -> Sample {
        let target = self.work.join("kinora-single-download.bin");
        let (bench, key, path) = (self.clone(), key.clone(), target.clone());
        let sample = Self::time_kinora(runtime, "single-stream download", async move {
            let body = bench
                .storage
                .get_range(&key, None)
                .await
                .map_err(|error| error.to_string())?;
            let file = tokio::fs::File::create(&path)
                .await
                .map_err(|error| format!("create {}: {error}", path.display()))?;
            body_to_file(body, file).await
        });
        self.check("kinora single-stream download", &target);
        sample
    }

    /// (c) `aws s3 cp FILE s3://…`.
    fn aws_up(&self, object_key: &str) -> Sample {
        let to = format!("s3://{BUCKET}/{object_key}");
        self.run_aws(&[self.source.to_str().expect("a UTF-8 path"), &to])
    }

    /// (d) `aws s3 cp s3://… FILE`.
    fn aws_down(&self, object_key: &str) -> Sample {
        let target = self.work.join("awscli-download.bin");
        let from = format!("s3://{BUCKET}/{object_key}");
        let sample = self.run_aws(&[&from, target.to_str().expect("a UTF-8 path")]);
        self.check("awscli download", &target);
        sample
    }

    /// Runs `aws s3 cp FROM TO` against the server; the CPU time is the child's.
    fn run_aws(&self, from_to: &[&str]) -> Sample {
        sync();
        let (_, children_before) = cpu_times();
        let started = Instant::now();
        let output = self
            .aws_command()
            .args([
                "s3",
                "cp",
                "--only-show-errors",
                "--endpoint-url",
                &self.endpoint,
            ])
            .args(from_to)
            .output()
            .unwrap_or_else(|error| panic!("could not run {}: {error}", self.aws.display()));
        let seconds = started.elapsed().as_secs_f64();
        let (_, children_after) = cpu_times();
        assert!(
            output.status.success(),
            "aws s3 cp {from_to:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        Sample {
            seconds,
            cpu_seconds: children_after - children_before,
            rss_mib: None,
        }
    }

    /// Deletes the CLI's object (untimed), so that the server's disk holds one copy at a time.
    fn aws_remove(&self, object_key: &str) {
        let _ = self
            .aws_command()
            .args([
                "s3",
                "rm",
                "--only-show-errors",
                "--endpoint-url",
                &self.endpoint,
            ])
            .arg(format!("s3://{BUCKET}/{object_key}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// The `aws` command with the server's credentials and the benchmark's config file.
    fn aws_command(&self) -> Command {
        let mut command = Command::new(&self.aws);
        command
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", &self.aws_config)
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null());
        command
    }

    /// The downloaded file has the original's bytes; it is removed afterwards.
    fn check(&self, what: &str, path: &Path) {
        let length = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
        let digest = sha256_of(path).unwrap_or_else(|error| panic!("read {what}: {error}"));
        assert!(
            length == self.size && digest == self.source_sha256,
            "{what}: {length} bytes with SHA-256 {digest}, expected {} bytes with {}",
            self.size,
            self.source_sha256
        );
        let _ = std::fs::remove_file(path);
    }

    fn mib_per_second(&self, sample: &Sample) -> f64 {
        self.size as f64 / MIB / sample.seconds
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn report(bench: &Bench, samples: &Samples, rounds: u64) {
    let speeds = |list: &[Sample]| -> Vec<f64> {
        list.iter()
            .map(|sample| bench.mib_per_second(sample))
            .collect()
    };
    let each = |list: &[Sample]| {
        speeds(list)
            .iter()
            .map(|speed| format!("{speed:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cpu = |list: &[Sample]| median(list.iter().map(|sample| sample.cpu_seconds).collect());
    // The highest peak of the rounds, and the RSS its transfer started from.
    let rss = |list: &[Sample]| {
        list.iter()
            .filter_map(|sample| sample.rss_mib)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or_else(String::new, |(start, peak)| {
                format!("{peak:.1} ({start:.1})")
            })
    };
    let ratios = |ours: &[Sample], theirs: &[Sample]| {
        let ratios: Vec<f64> = ours
            .iter()
            .zip(theirs)
            .map(|(ours, theirs)| theirs.seconds / ours.seconds)
            .collect();
        let each = ratios
            .iter()
            .map(|ratio| format!("{ratio:.2}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{:.2} ({each})", median(ratios))
    };
    println!();
    println!(
        "{:.0} MiB object, {} MiB parts, {rounds} rounds. MiB/s: median (each round); ratio \
         kinora/awscli of the medians; same-round ratios: median (each round); client CPU \
         seconds: median; kinora's RSS: highest peak (RSS at the start of that transfer)",
        bench.size as f64 / MIB,
        DEFAULT_PART_SIZE / 1024 / 1024
    );
    println!();
    println!(
        "| transfer | kinora-storage MiB/s | AWS CLI MiB/s | ratio kinora/awscli | same-round ratios | CPU s kinora / awscli | kinora peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (transfer, ours, theirs) in [
        ("upload (`put_file`)", &samples.kinora_up, &samples.aws_up),
        (
            "download (`download_to_file`)",
            &samples.kinora_down,
            &samples.aws_down,
        ),
        (
            "download, one `get_range(key, None)` stream (information)",
            &samples.kinora_single_down,
            &samples.aws_down,
        ),
    ] {
        let ours_speed = median(speeds(ours));
        let theirs_speed = median(speeds(theirs));
        println!(
            "| {transfer} | {ours_speed:.0} ({}) | {theirs_speed:.0} ({}) | **{:.2}** | {} | {:.1} / {:.1} | {} |",
            each(ours),
            each(theirs),
            ours_speed / theirs_speed,
            ratios(ours, theirs),
            cpu(ours),
            cpu(theirs),
            rss(ours),
        );
    }
    println!();
}

fn aws_config_text() -> String {
    // Path-style addressing, our part size, and checksums only where the operation requires
    // them (as `S3Storage` is configured). Everything else is the CLI's default (10 requests
    // in flight).
    format!(
        "[default]\nregion = us-east-1\n\
         request_checksum_calculation = when_required\n\
         response_checksum_validation = when_required\n\
         s3 =\n  addressing_style = path\n  multipart_chunksize = {DEFAULT_PART_SIZE}\n  \
         multipart_threshold = {DEFAULT_PART_SIZE}\n"
    )
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`) must not start a
    // multi-gigabyte run.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("s3_transfer: a benchmark; run it with `cargo bench --bench s3_transfer`");
        return ExitCode::SUCCESS;
    }
    let size = env_u64("KINORA_BENCH_S3_BYTES", 1024 * 1024 * 1024).max(1);
    let rounds = env_u64("KINORA_BENCH_ROUNDS", 3).max(1);
    let aws = aws_cli();
    let aws_version = Command::new(&aws)
        .arg("--version")
        .output()
        .map(|output| {
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
                + String::from_utf8_lossy(&output.stderr).trim()
        })
        .unwrap_or_else(|error| panic!("could not run {}: {error}", aws.display()));

    let work = match std::env::var_os("KINORA_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("a work directory");
    let source = work.path().join("source.bin");
    eprintln!("writing {size} bytes to {}", source.display());
    write_source(&source, size).expect("write the source file");
    let source_sha256 = sha256_of(&source).expect("hash the source file");
    let aws_config = work.path().join("aws-config");
    std::fs::write(&aws_config, aws_config_text()).expect("write the AWS CLI config");

    // The support creates the bucket (in s3s-fs, an empty directory of the root).
    let server = S3Server::start();
    let storage = S3Storage::connect(&S3Config {
        multipart_part_size: DEFAULT_PART_SIZE,
        ..server.config()
    })
    .expect("connect");
    let bench = Arc::new(Bench {
        storage,
        aws,
        aws_config,
        endpoint: server.endpoint(),
        source,
        source_sha256,
        work: work.path().to_owned(),
        size,
    });
    eprintln!(
        "s3s-fs at {}, {aws_version}, {rounds} rounds",
        bench.endpoint
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut samples = Samples::default();
    for round in 1..=rounds {
        let key = StorageKey::original(Uuid::new_v4());
        let aws_key = format!("bench/awscli-{}", Uuid::new_v4());
        let kinora_first = round % 2 == 1;
        for turn in 0..2 {
            if (turn == 0) == kinora_first {
                let up = bench.kinora_up(&runtime, &key);
                let down = bench.kinora_down(&runtime, &key);
                let single = bench.kinora_single_down(&runtime, &key);
                eprintln!(
                    "round {round}: kinora up {:.0} MiB/s, down {:.0} MiB/s, single-stream down {:.0} MiB/s",
                    bench.mib_per_second(&up),
                    bench.mib_per_second(&down),
                    bench.mib_per_second(&single),
                );
                samples.kinora_up.push(up);
                samples.kinora_down.push(down);
                samples.kinora_single_down.push(single);
                let (storage, key) = (bench.storage.clone(), key.clone());
                let _ = runtime.block_on(async move { storage.delete(&key).await });
            } else {
                let up = bench.aws_up(&aws_key);
                let down = bench.aws_down(&aws_key);
                eprintln!(
                    "round {round}: awscli up {:.0} MiB/s, down {:.0} MiB/s",
                    bench.mib_per_second(&up),
                    bench.mib_per_second(&down),
                );
                samples.aws_up.push(up);
                samples.aws_down.push(down);
                bench.aws_remove(&aws_key);
            }
        }
    }
    report(&bench, &samples, rounds);
    drop(server);
    ExitCode::SUCCESS
}
