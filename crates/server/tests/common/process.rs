//! `kinora` processes: a config file, start and stop, and logging in as the first admin.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

pub const KINORA: &str = env!("CARGO_BIN_EXE_kinora");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A config file for one instance in `dir`. Unless `extra` has its own `[seeder]` section, the
/// seeder runs on a free loopback port with its state in `dir/seeder`.
pub fn write_config(dir: &Path, port: u16, database_url: &str, extra: &str) -> PathBuf {
    let path = dir.join("kinora.toml");
    let seeder = if extra.contains("[seeder]") {
        String::new()
    } else {
        seeder_section(dir, "127.0.0.1:0")
    };
    std::fs::write(
        &path,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://localhost:{port}\"\n\
             shutdown_grace_secs = 5\n[database]\nurl = \"{database_url}\"\n\
             [storage.local]\nroot = \"{}\"\n{extra}\n{seeder}",
            dir.join("storage").display()
        ),
    )
    .unwrap();
    path
}

/// A `[seeder]` section listening on `listen` with its state in `dir/seeder`.
pub fn seeder_section(dir: &Path, listen: &str) -> String {
    format!(
        "[seeder]\nlisten = \"{listen}\"\nresume_dir = \"{}\"\n",
        dir.join("seeder").display()
    )
}

pub fn kinora(args: &[&str]) -> Output {
    Command::new(KINORA)
        .args(args)
        .env_remove("KINORA_CONFIG")
        .output()
        .unwrap()
}

/// Runs `kinora --config <config> <args>` to its end.
pub fn kinora_with_config(config: &Path, args: &[&str]) -> Output {
    Command::new(KINORA)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("KINORA_CONFIG")
        .output()
        .unwrap()
}

/// What a finished process printed: its standard output, then its error output.
pub fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The pids of a process's children (Linux: `/proc/<pid>/task/*/children`, every thread's).
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        children.extend(
            text.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    children
}

/// Whether the process `pid` still runs (it exists and is not a zombie).
pub fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // `pid (name) state …`: the state follows the last parenthesis.
            let rest = &stat[stat.rfind(')')? + 1..];
            rest.split_whitespace()
                .next()
                .map(|state| state != "Z" && state != "X")
        })
        .unwrap_or(false)
}

/// Waits (at most 60 s) until a pool member of one of `servers` runs a transcode: answers
/// (the server, the pool member, its transcode child).
pub fn wait_mid_transcode(servers: &[u32]) -> (u32, u32, u32) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        for &server in servers {
            for member in children_of(server) {
                if let Some(&child) = children_of(member).first() {
                    return (server, member, child);
                }
            }
        }
        assert!(Instant::now() < deadline, "no transcode started");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub struct Server {
    pub child: Child,
    _lines: mpsc::Receiver<String>,
    pub password: Option<String>,
    /// What the server logged (its stderr), line by line; each line is also passed on to the
    /// test's stderr.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `kinora serve` and waits until it says it is running.
    pub fn start(config: &Path) -> Server {
        Self::start_logging(config, "warn")
    }

    /// [`Server::start`] with `filter` as its `RUST_LOG`.
    pub fn start_logging(config: &Path, filter: &str) -> Server {
        let mut child = Command::new(KINORA)
            .args(["serve", "--config", config.to_str().unwrap()])
            .env(
                "RUST_LOG",
                std::env::var("KINORA_TEST_SERVER_LOG").unwrap_or_else(|_| filter.to_owned()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let keeping = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                keeping.lock().unwrap().push(line);
            }
        });
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
            log,
        }
    }

    /// Every line the server logged so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The lines the server logged so far at ERROR.
    pub fn error_lines(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains("ERROR"))
            .cloned()
            .collect()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) {
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
pub async fn oauth_as_root(port: u16, password: &str) -> serde_json::Value {
    root_session(port, password).await.2
}

/// Logs in as root: (client, access token, `/users/me`).
pub async fn root_session(
    port: u16,
    password: &str,
) -> (reqwest::Client, String, serde_json::Value) {
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
    let token = token["access_token"].as_str().unwrap().to_owned();
    let me = http
        .get(format!("{base}/api/v1/users/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    (http, token, me)
}
