//! A container started with a missing or wrong configuration value (issue 21): `kinora serve`
//! and `kinora-transcoder run`, configured by a file or by `KINORA__…` variables as a container
//! is, exit non-zero at once with a message that names the key, never with a panic.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::KINORA;

/// One case: the `KINORA__…` variables set, and what the error must name.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

fn transcoder() -> std::path::PathBuf {
    let path = Path::new(KINORA).with_file_name("kinora-transcoder");
    assert!(path.is_file(), "build kinora-transcoder first");
    path
}

/// Runs `program args` in `dir` with `env` (and no other `KINORA…` variable); it must exit
/// within 30 s. Answers the exit code and what it wrote on stderr.
fn run(program: &Path, args: &[&str], env: &[(&str, &str)], dir: &Path) -> (i32, String) {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_remove("KINORA_CONFIG")
        .env_remove("KINORA_TRANSCODER_SETTINGS")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("KINORA__") {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "{} {args:?} {env:?} did not exit within 30 s",
                program.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code().unwrap_or(-1), stderr)
}

/// The run failed, named every one of `names` and did not panic.
fn assert_refused((code, stderr): (i32, String), names: &[&str], case: &str) {
    assert_ne!(code, 0, "{case}: exited 0\n{stderr}");
    for name in names {
        assert!(
            stderr.contains(name),
            "{case}: {name:?} not named:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("panicked") && !stderr.to_lowercase().contains("backtrace"),
        "{case}: a panic:\n{stderr}"
    );
}

#[test]
fn kinora_serve_names_the_wrong_or_missing_key_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let kinora = Path::new(KINORA);
    let file = dir.path().join("kinora.toml");
    let config = file.to_str().unwrap();

    // Wrong types and values in the file.
    std::fs::write(&file, "[transcoding]\nworkers = \"many\"\n").unwrap();
    let result = run(kinora, &["serve", "--config", config], &[], dir.path());
    assert_eq!(result.0, 2, "{}", result.1);
    assert_refused(
        result,
        &["transcoding.workers", "kinora.toml"],
        "file: workers",
    );
    std::fs::write(&file, "[database]\nurl = 5\n").unwrap();
    assert_refused(
        run(kinora, &["serve", "--config", config], &[], dir.path()),
        &["database.url"],
        "file: database url",
    );

    // The same through the environment, as a container is configured.
    let cases: &[Case] = &[
        (
            &[("KINORA__TRANSCODING__WORKERS", "many")],
            &["transcoding.workers", "KINORA__"],
        ),
        (
            &[("KINORA__SERVER__LISTEN", "not-an-address")],
            &["server.listen"],
        ),
        (
            &[("KINORA__SERVER__PUBLIC_URL", "videos.example")],
            &["server.public_url"],
        ),
        (
            &[("KINORA__DATABASE__URL", "mysql://nowhere/kinora")],
            &["database.url"],
        ),
        (
            &[("KINORA__DATABASE__MAX_CONNECTIONS", "-1")],
            &["database.max_connections"],
        ),
        (
            &[("KINORA__BACKUP__KEEP", "0")],
            &["backup.keep", "at least 1"],
        ),
        (
            &[("KINORA__BACKUP__INTERVAL_HOURS", "0")],
            &["backup.interval_hours", "at least 1"],
        ),
        // Missing: S3 chosen without its bucket.
        (
            &[("KINORA__STORAGE__BACKEND", "s3")],
            &["storage.s3", "bucket"],
        ),
        (
            &[
                ("KINORA__STORAGE__BACKEND", "s3"),
                ("KINORA__STORAGE__S3__BUCKET", ""),
            ],
            &["storage.s3", "bucket"],
        ),
        // RTMPS: a certificate without its key, and a certificate that is not there.
        (
            &[("KINORA__LIVE__RTMPS_CERTIFICATE", "/etc/kinora/live.pem")],
            &["live.rtmps_private_key"],
        ),
        (
            &[
                ("KINORA__LIVE__ENABLED", "true"),
                ("KINORA__LIVE__RTMPS_CERTIFICATE", "/nonexistent/live.pem"),
                ("KINORA__LIVE__RTMPS_PRIVATE_KEY", "/nonexistent/live.key"),
            ],
            &["live.rtmps_certificate", "/nonexistent/live.pem"],
        ),
    ];
    for (env, names) in cases {
        assert_refused(
            run(kinora, &["serve"], env, dir.path()),
            names,
            &format!("{env:?}"),
        );
    }
    // A configuration file that is not there.
    assert_refused(
        run(
            kinora,
            &["serve", "--config", "/nonexistent/kinora.toml"],
            &[],
            dir.path(),
        ),
        &["/nonexistent/kinora.toml", "does not exist"],
        "missing file",
    );
}

#[test]
fn kinora_transcoder_names_the_wrong_or_missing_key_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let transcoder = transcoder();
    let file = dir.path().join("kinora.toml");
    let config = file.to_str().unwrap();
    let database = format!("sqlite://{}", dir.path().join("kinora.db").display());

    std::fs::write(
        &file,
        format!("[database]\nurl = \"{database}\"\n[transcoding]\nlease_secs = \"soon\"\n"),
    )
    .unwrap();
    let result = run(&transcoder, &["run", "--config", config], &[], dir.path());
    assert_eq!(result.0, 2, "{}", result.1);
    assert_refused(
        result,
        &["transcoding.lease_secs", "kinora.toml"],
        "file: lease_secs",
    );
    std::fs::write(&file, "[database]\nurl = 5\n").unwrap();
    assert_refused(
        run(&transcoder, &["run", "--config", config], &[], dir.path()),
        &["database.url"],
        "file: database url",
    );
    let cases: &[Case] = &[
        (
            &[
                ("KINORA__DATABASE__URL", database.as_str()),
                ("KINORA__TRANSCODING__LEASE_SECS", "soon"),
            ],
            &["transcoding.lease_secs", "KINORA__"],
        ),
        (
            &[("KINORA__DATABASE__URL", "mysql://nowhere/kinora")],
            &["database.url"],
        ),
        (
            &[
                ("KINORA__DATABASE__URL", database.as_str()),
                ("KINORA__STORAGE__BACKEND", "s3"),
            ],
            &["storage.s3", "bucket"],
        ),
        // Missing: a transcoder must be told the server's database.
        (&[], &["database.url"]),
    ];
    for (env, names) in cases {
        assert_refused(
            run(&transcoder, &["run"], env, dir.path()),
            names,
            &format!("{env:?}"),
        );
    }
}
