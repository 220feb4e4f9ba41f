//! The `kinora` binary as an administrator uses it: start, first-start admin, OAuth with a real
//! HTTP client, SIGTERM, migrations, configuration errors and the CLI commands.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kinora_db::testing::TestDb;

const KINORA: &str = env!("CARGO_BIN_EXE_kinora");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A config file for one instance in `dir`.
fn write_config(dir: &Path, port: u16, database_url: &str, extra: &str) -> PathBuf {
    let path = dir.join("kinora.toml");
    std::fs::write(
        &path,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://localhost:{port}\"\n\
             shutdown_grace_secs = 5\n[database]\nurl = \"{database_url}\"\n\
             [storage.local]\nroot = \"{}\"\n{extra}",
            dir.join("storage").display()
        ),
    )
    .unwrap();
    path
}

fn kinora(args: &[&str]) -> Output {
    Command::new(KINORA)
        .args(args)
        .env_remove("KINORA_CONFIG")
        .output()
        .unwrap()
}

struct Server {
    child: Child,
    _lines: mpsc::Receiver<String>,
    password: Option<String>,
}

impl Server {
    /// Starts `kinora serve` and waits until it says it is running.
    fn start(config: &Path) -> Server {
        let mut child = Command::new(KINORA)
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut password = None;
        loop {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the server printed that it is running");
            if let Some(rest) = line.trim().strip_prefix("password: ") {
                password = Some(rest.to_owned());
            }
            if line.contains("is running at") {
                break;
            }
        }
        Server {
            child,
            _lines: lines,
            password,
        }
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit after SIGTERM: {status}");
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The README's flow: first start prints the admin login; a token through PeerTube's OAuth.
async fn oauth_as_root(port: u16, password: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let base = format!("http://localhost:{port}");
    let client: serde_json::Value = http
        .get(format!("{base}/api/v1/oauth-clients/local"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", "root"),
        ("password", password),
    ];
    let token: serde_json::Value = http
        .post(format!("{base}/api/v1/users/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    http.get(format!("{base}/api/v1/users/me"))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

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
    let me = oauth_as_root(port, &password).await;
    let channel = me["videoChannels"][0]["id"].as_i64().unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://localhost:{port}");
    let token = {
        let client: serde_json::Value = http
            .get(format!("{base}/api/v1/oauth-clients/local"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let form = [
            ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
            ("grant_type", "password"),
            ("username", "root"),
            ("password", password.as_str()),
        ];
        let token: serde_json::Value = http
            .post(format!("{base}/api/v1/users/token"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        token["access_token"].as_str().unwrap().to_owned()
    };
    let source: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
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
    let http = reqwest::Client::new(); // the old client's pooled connection died with the server
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
    let response = http
        .put(&location)
        .bearer_auth(&token)
        .header(
            "content-range",
            format!("bytes {resume_at}-{}/{total}", total - 1),
        )
        .body(source[resume_at..].to_vec())
        .send()
        .await
        .unwrap();
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
