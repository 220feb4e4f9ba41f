//! A real Garage S3 server (garage 2.5.0) on 127.0.0.1, in a temporary directory: one private
//! bucket, and one public bucket that Garage's website endpoint serves anonymously.
//!
//! The public bucket is named `localhost`: Garage's web endpoint picks the bucket from the
//! `Host` header (port removed), so `http://localhost:<web port>/<key>` serves the object
//! `<key>` of that bucket, and that is the public base URL. The private bucket `kinora` has no
//! website access: anonymous requests for it are refused on both ports.
//!
//! The binary is found at `$KINORA_GARAGE`, `~/.cargo/bin/garage` or on `PATH`
//! ([`garage_binary`]); [`Garage::start`] without it fails and says how to install it
//! (`scripts/install-garage`), so tests check first ([`super::s3_server::garage_or_skip`]). The
//! server is killed by its PID when the [`Garage`] is dropped (its [`LoggedChild`] is).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

use super::process::free_port;
use super::s3_server::{LoggedChild, find_binary, random_hex, s3_client};

/// The version the harness is written against (its CLI output is parsed).
pub const GARAGE_VERSION: &str = "2.5.0";
/// How long the server may take to answer after it is started.
const START_LIMIT: Duration = Duration::from_secs(20);
/// How long one `garage` CLI command or one request of the setup may take.
const COMMAND_LIMIT: Duration = Duration::from_secs(20);

/// The garage binary: `$KINORA_GARAGE`, `~/.cargo/bin/garage` or on `PATH`; `None` when it is
/// not installed.
pub fn garage_binary() -> Option<PathBuf> {
    find_binary("KINORA_GARAGE", "garage", "scripts/install-garage")
}

/// Checks that `binary` is the garage version whose CLI output this harness parses.
fn check_version(binary: &Path) {
    let output = Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("could not run {} --version: {error}", binary.display()));
    // "garage cargo:2.5.0 [features: ...]" (cargo install) or "garage v2.5.0 [...]" (git).
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.split_whitespace().nth(1).unwrap_or_default();
    let version = version.strip_prefix("cargo:").unwrap_or(version);
    let version = version.strip_prefix("git:").unwrap_or(version);
    assert!(
        version.strip_prefix('v').unwrap_or(version) == GARAGE_VERSION,
        "{} reports {:?}, expected garage {GARAGE_VERSION}; run scripts/install-garage",
        binary.display(),
        text.trim()
    );
}

/// `N` distinct free ports on 127.0.0.1.
fn free_ports<const N: usize>() -> [u16; N] {
    let mut ports = [0u16; N];
    let mut found = 0;
    while found < N {
        let port = free_port();
        if !ports[..found].contains(&port) {
            ports[found] = port;
            found += 1;
        }
    }
    ports
}

/// Of `ports`: those nothing listens on yet, and one that a socket of another process listens
/// on (so `pid` cannot). None without /proc (not Linux).
fn port_listeners(pid: u32, ports: &[u16]) -> Option<(Vec<u16>, Option<u16>)> {
    // The listening sockets on `ports`, by inode. Read before the process's file descriptors:
    // a socket has its descriptor before it listens, so none of the process's is missed.
    let mut listeners = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(table) = std::fs::read_to_string(table) else {
            continue;
        };
        // "sl local_address rem_address st ... inode": 0A is LISTEN; the port is hex.
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 || fields[3] != "0A" {
                continue;
            }
            if let Some(port) = fields[1]
                .rsplit(':')
                .next()
                .and_then(|port| u16::from_str_radix(port, 16).ok())
                .filter(|port| ports.contains(port))
            {
                listeners.push((port, fields[9].to_owned()));
            }
        }
    }
    // The inodes of the process's sockets: /proc/<pid>/fd/<n> -> "socket:[<inode>]".
    let own: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .flatten()
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            let inode = target.strip_prefix("socket:[")?.strip_suffix(']')?;
            Some(inode.to_owned())
        })
        .collect();
    let taken = listeners
        .iter()
        .find(|(_, inode)| !own.contains(inode))
        .map(|(port, _)| *port);
    let missing = ports
        .iter()
        .filter(|port| !listeners.iter().any(|(listening, _)| listening == *port))
        .copied()
        .collect();
    Some((missing, taken))
}

/// The value after `label` on the line of a `garage` table that starts with it
/// (`Key ID:      GK...`).
fn table_value(output: &str, label: &str) -> Option<String> {
    output
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A running Garage server with its two buckets and an access key; killed (by PID) when dropped.
pub struct Garage {
    /// The S3 API, addressed path-style: `http://127.0.0.1:<port>`.
    pub s3_endpoint: String,
    /// Where the public bucket is served anonymously: `http://localhost:<web port>`; the object
    /// `k` is at `{public_base_url}/k`.
    pub public_base_url: String,
    /// The region requests are signed for.
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// No anonymous access at all.
    pub private_bucket: String,
    /// Readable by anyone on the web port (with CORS for GET/HEAD from any origin).
    pub public_bucket: String,
    pub s3_port: u16,
    pub web_port: u16,
    pub admin_port: u16,
    pub rpc_port: u16,
    config: PathBuf,
    process: LoggedChild,
    dir: tempfile::TempDir,
}

impl Garage {
    /// Starts a fresh server and sets it up: a one-node layout, an access key, the private
    /// bucket `kinora`, the public bucket `localhost` (website access, CORS).
    pub async fn start() -> Garage {
        let binary = garage_binary().unwrap_or_else(|| {
            panic!(
                "garage not found (looked at $KINORA_GARAGE, ~/.cargo/bin/garage and PATH). \
                 Install it with scripts/install-garage \
                 (cargo install --locked --version {GARAGE_VERSION} garage), \
                 or point KINORA_GARAGE at the binary."
            )
        });
        check_version(&binary);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut garage = Garage {
            s3_endpoint: String::new(),
            public_base_url: String::new(),
            region: "garage".to_owned(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            private_bucket: "kinora".to_owned(),
            public_bucket: "localhost".to_owned(),
            s3_port: 0,
            web_port: 0,
            admin_port: 0,
            rpc_port: 0,
            config: dir.path().join("garage.toml"),
            process: LoggedChild::new(binary, dir.path().join("garage.log")),
            dir,
        };
        // Another process can take a port between `free_port` and Garage binding it: then it
        // starts again on other ports.
        for attempt in 1..=5 {
            garage.configure(free_ports::<4>());
            garage.spawn();
            match garage.wait_until_listening().await {
                Ok(()) => break,
                Err(error) if attempt < 5 => {
                    eprintln!("garage could not start ({error}); trying other ports");
                }
                Err(error) => panic!(
                    "garage could not start five times, last: {error}\n{}",
                    garage.log_tail()
                ),
            }
        }

        // A one-node cluster: the node gets a role, and the layout is applied.
        let node = garage.cli(&["node", "id", "-q"]).await;
        let node_id = node
            .trim()
            .split('@')
            .next()
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| panic!("no node id in `garage node id -q`: {node:?}"))
            .to_owned();
        garage
            .cli(&["layout", "assign", "-z", "dc1", "-c", "1G", &node_id])
            .await;
        garage.cli(&["layout", "apply", "--version", "1"]).await;
        garage.wait_until_healthy().await;

        let key = garage.cli(&["key", "create", "kinora-test"]).await;
        garage.access_key_id = table_value(&key, "Key ID:")
            .unwrap_or_else(|| panic!("no `Key ID:` in `garage key create`: {key}"));
        garage.secret_access_key = table_value(&key, "Secret key:")
            .filter(|secret| secret != "(redacted)")
            .unwrap_or_else(|| panic!("no `Secret key:` in `garage key create`: {key}"));
        let key_id = garage.access_key_id.clone();
        for bucket in [garage.private_bucket.clone(), garage.public_bucket.clone()] {
            garage.cli(&["bucket", "create", &bucket]).await;
            garage
                .cli(&[
                    "bucket", "allow", "--read", "--write", "--owner", &bucket, "--key", &key_id,
                ])
                .await;
        }
        let public_bucket = garage.public_bucket.clone();
        garage
            .cli(&["bucket", "website", "--allow", &public_bucket])
            .await;
        garage.put_public_cors().await;
        garage
    }

    /// Writes `garage.toml` for these ports (`[s3, rpc, web, admin]`) with new secrets.
    fn configure(&mut self, [s3_port, rpc_port, web_port, admin_port]: [u16; 4]) {
        let root = self.dir.path();
        std::fs::write(
            &self.config,
            format!(
                r#"metadata_dir = "{meta}"
data_dir = "{data}"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc_port}"
rpc_public_addr = "127.0.0.1:{rpc_port}"
rpc_secret = "{rpc_secret}"

[s3_api]
s3_region = "{region}"
api_bind_addr = "127.0.0.1:{s3_port}"
root_domain = ".s3.garage.localhost"

[s3_web]
bind_addr = "127.0.0.1:{web_port}"
root_domain = ".web.garage.localhost"
index = "index.html"

[admin]
api_bind_addr = "127.0.0.1:{admin_port}"
admin_token = "{admin_token}"
"#,
                meta = root.join("meta").display(),
                data = root.join("data").display(),
                region = self.region,
                rpc_secret = random_hex(32),
                admin_token = random_hex(32),
            ),
        )
        .expect("write garage.toml");
        self.s3_port = s3_port;
        self.rpc_port = rpc_port;
        self.web_port = web_port;
        self.admin_port = admin_port;
        self.s3_endpoint = format!("http://127.0.0.1:{s3_port}");
        self.public_base_url = format!("http://localhost:{web_port}");
    }

    /// Stops the server at once (SIGKILL to its PID, like a crash); its data stays for
    /// [`Garage::restart`]. Not SIGTERM: on SIGTERM Garage waits up to 10 s for every open HTTP
    /// connection to close, and clients keep idle keep-alive connections open.
    pub fn stop(&mut self) {
        self.process.kill();
    }

    /// The same as [`Garage::stop`]: SIGKILL, as in a crash.
    pub fn kill(&mut self) {
        self.stop();
    }

    /// Stops the server if it runs and starts it again on the same ports and data; returns once
    /// it answers and its cluster is healthy.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn();
        if let Err(error) = self.wait_until_listening().await {
            panic!("garage could not restart: {error}\n{}", self.log_tail());
        }
        self.wait_until_healthy().await;
    }

    /// A fragment naming every setting a client needs (not any particular config schema).
    pub fn toml_section(&self) -> String {
        format!(
            "s3_endpoint = \"{}\"\npublic_base_url = \"{}\"\nregion = \"{}\"\n\
             access_key_id = \"{}\"\nsecret_access_key = \"{}\"\n\
             private_bucket = \"{}\"\npublic_bucket = \"{}\"\n",
            self.s3_endpoint,
            self.public_base_url,
            self.region,
            self.access_key_id,
            self.secret_access_key,
            self.private_bucket,
            self.public_bucket
        )
    }

    /// The server's log (stdout and stderr of every start).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// The temporary directory with the config, the data and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The last lines of the log, for failure messages.
    fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    fn spawn(&mut self) {
        let config = self.config.clone();
        self.process.spawn(
            &["-c".as_ref(), config.as_os_str(), "server".as_ref()],
            &[
                ("RUST_LOG", "garage=info,netapp=warn,warn"),
                ("NO_COLOR", "1"),
            ],
        );
    }

    /// Panics (with the log) if the server exited.
    fn assert_running(&mut self) {
        if let Some(status) = self.process.exited() {
            panic!("garage exited ({status})\n{}", self.log_tail());
        }
    }

    /// Waits until the server listens on its four ports and the CLI reaches it over RPC
    /// (`garage status` succeeds). When a port is taken, Garage aborts (RPC port), or runs on
    /// without that server and logs the error only when it shuts down (HTTP ports): so the
    /// listening sockets are looked up in /proc. A taken port stops the server and is an error.
    async fn wait_until_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_LIMIT;
        let ports = [self.s3_port, self.rpc_port, self.web_port, self.admin_port];
        loop {
            if let Some(status) = self.process.exited() {
                return Err(format!("garage exited ({status})"));
            }
            let Some(pid) = self.process.id() else {
                return Err("garage is not running".to_owned());
            };
            let waiting_for = match port_listeners(pid, &ports) {
                Some((_, Some(port))) => {
                    self.stop();
                    return Err(format!("another process listens on port {port}"));
                }
                Some((missing, None)) if !missing.is_empty() => {
                    format!("garage does not listen on {missing:?} yet")
                }
                _ => match self.try_cli(&["status"]).await {
                    Ok(_) => return Ok(()),
                    Err(error) => error,
                },
            };
            assert!(
                Instant::now() < deadline,
                "garage did not start within {START_LIMIT:?}: {waiting_for}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the admin API's `/health` says the cluster can serve requests.
    async fn wait_until_healthy(&mut self) {
        let url = format!("http://127.0.0.1:{}/health", self.admin_port);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + START_LIMIT;
        loop {
            self.assert_running();
            let answer = match http.get(&url).send().await {
                Ok(response) if response.status().is_success() => return,
                Ok(response) => format!("HTTP {}", response.status()),
                Err(error) => error.to_string(),
            };
            assert!(
                Instant::now() < deadline,
                "garage's {url} did not become healthy within {START_LIMIT:?}: {answer}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `garage -c <config> <args>` (bounded in time; killed if it takes too long).
    async fn try_cli(&self, args: &[&str]) -> Result<String, String> {
        let mut command = tokio::process::Command::new(&self.process.binary);
        command
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = tokio::time::timeout(COMMAND_LIMIT, command.output())
            .await
            .map_err(|_| {
                format!(
                    "`garage {}` took more than {COMMAND_LIMIT:?}",
                    args.join(" ")
                )
            })?
            .map_err(|error| format!("could not run {}: {error}", self.process.binary.display()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "`garage {}` failed ({}): {}{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    async fn cli(&self, args: &[&str]) -> String {
        self.try_cli(args)
            .await
            .unwrap_or_else(|error| panic!("{error}\n{}", self.log_tail()))
    }

    /// An S3 client signed with the harness's key.
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        s3_client(
            &self.s3_endpoint,
            &self.region,
            &self.access_key_id,
            &self.secret_access_key,
        )
    }

    /// CORS on the public bucket (S3 PutBucketCors; Garage's CLI has no command for it):
    /// GET and HEAD from any origin, with a `Range` header. Garage compares the requested
    /// header names case-sensitively, and browsers send them lowercased in preflights, so both
    /// spellings are listed.
    async fn put_public_cors(&self) {
        let rule = CorsRule::builder()
            .allowed_origins("*")
            .allowed_methods("GET")
            .allowed_methods("HEAD")
            .allowed_headers("range")
            .allowed_headers("Range")
            .expose_headers("Accept-Ranges")
            .expose_headers("Content-Length")
            .expose_headers("Content-Range")
            .expose_headers("ETag")
            .max_age_seconds(3600)
            .build()
            .expect("a CORS rule");
        let cors = CorsConfiguration::builder()
            .cors_rules(rule)
            .build()
            .expect("a CORS configuration");
        let put = self
            .s3_client()
            .put_bucket_cors()
            .bucket(&self.public_bucket)
            .cors_configuration(cors)
            .send();
        match tokio::time::timeout(COMMAND_LIMIT, put).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => panic!(
                "PutBucketCors on {}: {}\n{}",
                self.public_bucket,
                aws_sdk_s3::error::DisplayErrorContext(&error),
                self.log_tail()
            ),
            Err(_) => panic!("PutBucketCors took more than {COMMAND_LIMIT:?}"),
        }
    }
}
