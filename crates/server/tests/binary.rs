//! The `kinora` binary as an administrator uses it: start, first-start admin, OAuth with a real
//! HTTP client, SIGTERM, migrations, configuration errors and the CLI commands.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::process::{
    KINORA, Server, children_of, free_port, kinora, oauth_as_root, root_session, write_config,
};
use kinora_db::testing::TestDb;

async fn first_start_flow(database_url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(dir.path(), port, database_url, "");
    let server = Server::start(&config);
    let password = server
        .password
        .clone()
        .expect("first start prints the admin password");
    let me = oauth_as_root(port, &password).await;
    assert_eq!(me["username"], "root");
    assert_eq!(me["role"]["id"], 0);
    assert_eq!(me["videoChannels"][0]["name"], "root_channel");
    server.terminate();

    // A second start keeps the data and prints no new password.
    let server = Server::start(&config);
    assert!(server.password.is_none());
    oauth_as_root(port, &password).await;
    server.terminate();
}

#[tokio::test]
async fn first_start_on_sqlite_prints_an_admin_login_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/kinora.db").display());
    first_start_flow(&url).await;
}

#[tokio::test]
async fn first_start_on_postgres_migrates_and_prints_an_admin_login_that_works() {
    let db = TestDb::postgres_unmigrated().await;
    first_start_flow(&db.config.url).await;
    db.finish().await;
}

#[tokio::test]
async fn an_out_of_date_schema_is_refused_without_auto_migrate_then_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let config = write_config(dir.path(), free_port(), &url, "auto_migrate = false\n");
    // `auto_migrate` sits after [storage.local]; move it into [database] properly.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("\nauto_migrate = false\n", "\n");
    let text = text.replace("[database]\n", "[database]\nauto_migrate = false\n");
    std::fs::write(&config, text).unwrap();
    let config = config.to_str().unwrap();
    let output = kinora(&["serve", "--config", config]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("out of date") && stderr.contains("kinora migrate"),
        "{stderr}"
    );

    let output = kinora(&["migrate", "--status", "--config", config]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("pending migrations: [2026"));
    let output = kinora(&["migrate", "--config", config]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = kinora(&["migrate", "--status", "--config", config]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("pending migrations: []"));
    let server = Server::start(Path::new(config));
    server.terminate();
}

#[tokio::test]
async fn a_schema_from_a_newer_build_is_refused() {
    let db = TestDb::sqlite().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (99990101000000, 'from the future', TRUE, x'00', 1)",
    )
    .execute(db.db.pool())
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), free_port(), &db.config.url, "");
    let output = kinora(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("newer Kinora") && stderr.contains("99990101000000"),
        "{stderr}"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_seeder_port_in_use_stops_the_server_at_start_with_the_section_named() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let extra =
        common::process::seeder_section(dir.path(), &taken.local_addr().unwrap().to_string());
    let config = write_config(dir.path(), free_port(), &url, &extra);
    let output = kinora(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("[seeder] listen"), "{stderr}");

    // A seeder setting out of range is refused before anything starts.
    let output = kinora(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--set",
        "seeder.max_peers_per_torrent=0",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seeder.max_peers_per_torrent"), "{stderr}");
}

#[test]
fn a_bad_config_key_is_reported_with_its_name_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    std::fs::write(
        &path,
        "[server]\nlisten = \"127.0.0.1:1\"\npublik_url = \"http://x\"\n",
    )
    .unwrap();
    let output = kinora(&["config", "check", "--config", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("publik_url") && stderr.contains("typo.toml"),
        "{stderr}"
    );

    let output = Command::new(KINORA)
        .args(["config", "check"])
        .env("KINORA__SERVER__LISTEN_PORT", "9")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("listen_port") && stderr.contains("KINORA__` environment"),
        "{stderr}"
    );

    let output = Command::new(KINORA)
        .args(["config", "check", "--set", "transcoding.workers=4"])
        .env("KINORA__SERVER__PUBLIC_URL", "https://videos.example")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("server.public_url = https://videos.example")
    );
}

#[test]
fn version_is_printed() {
    let output = kinora(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("kinora {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn users_are_created_and_dead_jobs_retried_from_the_command_line() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), free_port(), &db.config.url, "");
    let config = config.to_str().unwrap();
    let create = |name: &str| {
        kinora(&[
            "user",
            "create",
            "--username",
            name,
            "--email",
            &format!("{name}@example.com"),
            "--password",
            "secret-password",
            "--admin",
            "--config",
            config,
        ])
    };
    let output = create("alice");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("created user alice"));
    let output = create("alice");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
    let output = kinora(&[
        "user",
        "create",
        "--username",
        "Bad Name",
        "--email",
        "b@example.com",
        "--password",
        "secret-password",
        "--config",
        config,
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("username"));
    let (role,): (i64,) = sqlx::query_as("SELECT role FROM users WHERE username = 'alice'")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(role, 0);

    sqlx::query("UPDATE jobs SET state = 'dead', last_error = 'broken' WHERE id = 1")
        .execute(db.db.pool())
        .await
        .unwrap();
    let output = kinora(&["jobs", "list", "--state", "dead", "--config", config]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("broken"));
    assert!(
        kinora(&["jobs", "retry", "1", "--config", config])
            .status
            .success()
    );
    assert!(
        !kinora(&["jobs", "retry", "1", "--config", config])
            .status
            .success()
    );
    db.finish().await;
}

/// An upload in flight when the server dies resumes after a restart from the last durable byte,
/// and the stored file is byte-identical to the source.
#[tokio::test]
async fn a_resumable_upload_survives_a_server_killed_mid_chunk() {
    use sha2::{Digest, Sha256};
    use std::io::Write;

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let config = write_config(dir.path(), port, &url, "[transcoding]\nworkers = 0\n");
    let server = Server::start(&config);
    let password = server.password.clone().unwrap();
    let (http, token, me) = root_session(port, &password).await;
    let channel = me["videoChannels"][0]["id"].as_i64().unwrap();
    let base = format!("http://localhost:{port}");
    let source = common::mp4_like_bytes(3_000_000);
    let total = source.len();
    let response = http
        .post(format!("{base}/api/v1/videos/upload-resumable"))
        .bearer_auth(&token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&serde_json::json!({"name": "Survivor", "channelId": channel, "filename": "s.mp4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = format!("{base}{}", response.headers()["location"].to_str().unwrap());
    let first = 1_000_000;
    let response = http
        .put(&location)
        .bearer_auth(&token)
        .header("content-range", format!("bytes 0-{}/{total}", first - 1))
        .body(source[..first].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);

    // Half of the second chunk goes out, then the server is killed.
    let path_and_query = location.trim_start_matches(&base).to_owned();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "PUT {path_and_query} HTTP/1.1\r\nHost: localhost:{port}\r\nAuthorization: Bearer {token}\r\n\
                    Content-Type: application/octet-stream\r\nContent-Range: bytes {first}-{}/{total}\r\n\
                    Content-Length: {}\r\n\r\n", 2 * first - 1, first).unwrap();
    stream.write_all(&source[first..first + first / 2]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    drop(stream);
    drop(server);

    let server = Server::start(&config);
    // A new client: the old one's pooled connection died with the server. Like any client of a
    // server that closes idle connections (here after the 30 s header timeout), it does not
    // reuse one idle for longer, as the wait for Retry-After below may be.
    let http = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = http
        .put(&location)
        .bearer_auth(&token)
        .header("content-range", format!("bytes */{total}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);
    let range = response.headers()["range"].to_str().unwrap().to_owned();
    let resume_at: usize = range
        .trim_start_matches("bytes=0-")
        .parse::<usize>()
        .unwrap()
        + 1;
    assert_eq!(resume_at, first, "only acknowledged bytes count");
    // The killed process's claim on the upload (UP-04) outlives it for at most a lease: the
    // resumed PUT may be told 423 with the seconds until it ends, and goes through after them.
    let resume = || {
        http.put(&location)
            .bearer_auth(&token)
            .header(
                "content-range",
                format!("bytes {resume_at}-{}/{total}", total - 1),
            )
            .body(source[resume_at..].to_vec())
            .send()
    };
    let mut response = resume().await.unwrap();
    if response.status() == 423 {
        let wait: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&wait), "Retry-After: {wait}");
        tokio::time::sleep(Duration::from_secs(wait)).await;
        response = resume().await.unwrap();
    }
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let uuid = body["video"]["uuid"].as_str().unwrap();
    let stored = std::fs::read(dir.path().join("storage/original-video-files").join(uuid)).unwrap();
    assert_eq!(
        Sha256::digest(&stored),
        Sha256::digest(&source),
        "the final SHA-256 matches the source"
    );
    server.terminate();
}

/// `kinora serve` starts its transcoder pool and restarts a transcoder that dies.
#[tokio::test]
async fn a_transcoder_that_dies_is_restarted() {
    let transcoder = Path::new(KINORA).with_file_name("kinora-transcoder");
    assert!(transcoder.is_file(), "build kinora-transcoder first");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kinora.db").display());
    let config = write_config(
        dir.path(),
        free_port(),
        &url,
        "[transcoding]\nworkers = 2\n",
    );
    let server = Server::start(&config);
    let wait_for = |count: usize, exclude: &[u32]| {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let children: Vec<u32> = children_of(server.child.id())
                .into_iter()
                .filter(|pid| !exclude.contains(pid))
                .collect();
            if children.len() >= count {
                return children;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} transcoders never ran"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let first = wait_for(2, &[]);
    let victim = first[0];
    assert!(
        Command::new("kill")
            .args(["-KILL", &victim.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let replaced = wait_for(2, &[victim]);
    assert!(!replaced.contains(&victim));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    for pid in replaced {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists()
                || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .unwrap_or_default()
                    .contains(" Z "),
            "transcoder {pid} stopped with the server"
        );
    }
}
