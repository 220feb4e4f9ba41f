//! The S3 server the server's end-to-end S3 tests run against, on 127.0.0.1 in a temporary
//! directory: Garage when it is installed (a private bucket and a public website bucket that
//! anyone can read), otherwise s3s-fs (SigV4 checked, one private bucket; no anonymous access at
//! all, so no public bucket).
//!
//! Garage is found as [`super::garage`] says (`$KINORA_GARAGE`, `~/.cargo/bin/garage`, `PATH`);
//! s3s-fs at `$KINORA_S3S_FS`, `~/.cargo/bin/s3s-fs` or on `PATH`. Without either the tests fail
//! and say how to install s3s-fs (`scripts/install-s3s-fs`). Tests of the public bucket need
//! Garage: [`S3Server::public`] is `None` without it, and [`garage_or_skip`] says they were
//! skipped. The server is killed by its PID when the [`S3Server`] is dropped.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

use super::garage::{Garage, garage_binary};
use super::process::free_port;

/// How long s3s-fs may take to answer after it is started.
const START_LIMIT: Duration = Duration::from_secs(20);
/// The s3s-fs version `scripts/install-s3s-fs` installs.
const S3S_FS_VERSION: &str = "0.14.1";

/// A bucket whose objects anyone can read at `{base_url}/{key}` (Garage's website endpoint).
#[derive(Debug, Clone)]
pub struct PublicBucket {
    pub bucket: String,
    pub base_url: String,
}

/// A running S3 server with a private bucket (and, with Garage, a public one) and an access key.
pub struct S3Server {
    /// The S3 API, addressed path-style: `http://127.0.0.1:<port>`.
    pub s3_endpoint: String,
    pub s3_port: u16,
    /// The region requests are signed for (`garage` for Garage; s3s-fs accepts any).
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// No anonymous access at all.
    pub private_bucket: String,
    /// Readable by anyone; only with Garage.
    pub public: Option<PublicBucket>,
    backend: Backend,
}

enum Backend {
    Garage(Box<Garage>),
    S3sFs(S3sFs),
}

/// The first `name` found: `$variable` (which must then be a file), `~/.cargo/bin/<name>`,
/// then each directory of `PATH`.
pub fn find_binary(variable: &str, name: &str, install: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{variable}={} is not a file; install {name} with {install}",
            path.display()
        );
        return Some(path);
    }
    let home = std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo/bin"));
    let path_dirs = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    home.into_iter()
        .chain(path_dirs)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether Garage is installed; when it is not, prints that the calling test (a part that needs
/// Garage's anonymous public bucket) is skipped, and the test should return.
pub fn garage_or_skip() -> bool {
    let installed = garage_binary().is_some();
    if !installed {
        println!("skipped: garage not installed (scripts/install-garage)");
    }
    installed
}

/// An S3 client for `endpoint` (path-style) signed with the given key.
pub fn s3_client(endpoint: &str, region: &str, key_id: &str, secret: &str) -> aws_sdk_s3::Client {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .http_client(http_client)
        .credentials_provider(Credentials::new(key_id, secret, None, None, "test-harness"))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

impl S3Server {
    /// Starts Garage if it is installed, else s3s-fs.
    pub async fn start() -> S3Server {
        if garage_binary().is_some() {
            let garage = Garage::start().await;
            return S3Server {
                s3_endpoint: garage.s3_endpoint.clone(),
                s3_port: garage.s3_port,
                region: garage.region.clone(),
                access_key_id: garage.access_key_id.clone(),
                secret_access_key: garage.secret_access_key.clone(),
                private_bucket: garage.private_bucket.clone(),
                public: Some(PublicBucket {
                    bucket: garage.public_bucket.clone(),
                    base_url: garage.public_base_url.clone(),
                }),
                backend: Backend::Garage(Box::new(garage)),
            };
        }
        let binary = find_binary("KINORA_S3S_FS", "s3s-fs", "scripts/install-s3s-fs")
            .unwrap_or_else(|| {
                panic!(
                    "neither garage nor s3s-fs found (looked at $KINORA_GARAGE, \
                     ~/.cargo/bin/garage, $KINORA_S3S_FS, ~/.cargo/bin/s3s-fs and PATH). \
                     Install s3s-fs with scripts/install-s3s-fs (cargo install --locked \
                     --version {S3S_FS_VERSION} --features binary s3s-fs), or point \
                     KINORA_S3S_FS at the binary; scripts/install-garage adds the public-bucket \
                     tests."
                )
            });
        let region = "us-east-1".to_owned();
        let access_key_id = format!("kinora-test-{}", random_hex(8));
        let secret_access_key = random_hex(20);
        let private_bucket = "kinora".to_owned();
        let mut server = S3sFs::new(binary);
        // In s3s-fs a directory of the root is a bucket.
        std::fs::create_dir(server.root().join(&private_bucket)).expect("create the bucket");
        // Another process can take the port between `free_port` and s3s-fs binding it: then
        // s3s-fs exits, and starts again on another port.
        for attempt in 1..=5 {
            server.port = free_port();
            server.spawn(&access_key_id, &secret_access_key);
            let client = s3_client(
                &server.endpoint(),
                &region,
                &access_key_id,
                &secret_access_key,
            );
            match server.wait_until_answering(&client, &private_bucket).await {
                Ok(()) => break,
                Err(error) if attempt < 5 => eprintln!("s3s-fs could not start ({error})"),
                Err(error) => panic!(
                    "s3s-fs could not start five times, last: {error}\n{}",
                    server.process.log_tail()
                ),
            }
        }
        S3Server {
            s3_endpoint: server.endpoint(),
            s3_port: server.port,
            region,
            access_key_id,
            secret_access_key,
            private_bucket,
            public: None,
            backend: Backend::S3sFs(server),
        }
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

    /// Stops the server at once (SIGKILL to its PID, like a crash); its data stays for
    /// [`S3Server::restart`].
    pub fn kill(&mut self) {
        match &mut self.backend {
            Backend::Garage(garage) => garage.kill(),
            Backend::S3sFs(server) => server.process.kill(),
        }
    }

    /// Stops the server if it runs and starts it again on the same port and data; returns once
    /// it answers signed requests.
    pub async fn restart(&mut self) {
        let client = self.s3_client();
        match &mut self.backend {
            Backend::Garage(garage) => garage.restart().await,
            Backend::S3sFs(server) => {
                server.process.kill();
                server.spawn(&self.access_key_id, &self.secret_access_key);
                if let Err(error) = server
                    .wait_until_answering(&client, &self.private_bucket)
                    .await
                {
                    panic!(
                        "s3s-fs could not restart: {error}\n{}",
                        server.process.log_tail()
                    );
                }
            }
        }
    }

    /// kinora's whole `[storage]` configuration for this server reached at `endpoint`: the S3
    /// backend and [`S3Server::storage_settings`].
    pub fn server_settings(&self, endpoint: &str, public: bool) -> String {
        format!(
            "[storage]\nbackend = \"s3\"\n{}",
            self.storage_settings(endpoint, public)
        )
    }

    /// kinora's `[storage.s3]` section for this server reached at `endpoint`; with `public` and
    /// a public bucket, also `[storage.s3.hls]` and `[storage.s3.images]` in the public bucket.
    pub fn storage_settings(&self, endpoint: &str, public: bool) -> String {
        let mut text = format!(
            "[storage.s3]\nendpoint = \"{endpoint}\"\nregion = \"{}\"\nbucket = \"{}\"\n\
             access_key_id = \"{}\"\nsecret_access_key = \"{}\"\nforce_path_style = true\n",
            self.region, self.private_bucket, self.access_key_id, self.secret_access_key
        );
        if let Some(bucket) = self.public.as_ref().filter(|_| public) {
            for kind in ["hls", "images"] {
                text += &format!(
                    "[storage.s3.{kind}]\npublic = true\nbucket = \"{}\"\n\
                     public_base_url = \"{}\"\n",
                    bucket.bucket, bucket.base_url
                );
            }
        }
        text
    }

    /// An object's bytes (or a range of them), read with the harness's key.
    pub async fn object_bytes(&self, bucket: &str, key: &str, range: Option<&str>) -> Vec<u8> {
        self.s3_client()
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_range(range.map(str::to_owned))
            .send()
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "GET {bucket}/{key}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(&error)
                )
            })
            .body
            .collect()
            .await
            .unwrap()
            .into_bytes()
            .to_vec()
    }

    /// The keys in `bucket` that start with `prefix`.
    pub async fn object_keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let listed = self
            .s3_client()
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .send()
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "LIST {bucket}/{prefix}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(&error)
                )
            });
        listed
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect()
    }

    /// Every object of `bucket`: key → content.
    pub async fn bucket_contents(&self, bucket: &str) -> BTreeMap<String, Vec<u8>> {
        let mut contents = BTreeMap::new();
        for key in self.object_keys(bucket, "").await {
            let content = self.object_bytes(bucket, &key, None).await;
            contents.insert(key, content);
        }
        contents
    }
}

/// Random lowercase hex, `bytes` bytes long, from the OS generator.
pub fn random_hex(bytes: usize) -> String {
    let mut hex = String::with_capacity(bytes * 2);
    while hex.len() < bytes * 2 {
        hex.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    hex.truncate(bytes * 2);
    hex
}

/// A server process whose output is appended to a log file (every start); SIGKILLed by its PID
/// when dropped.
pub struct LoggedChild {
    /// The program started.
    pub binary: PathBuf,
    /// Where its stdout and stderr go.
    pub log: PathBuf,
    child: Option<Child>,
}

impl LoggedChild {
    /// Not started yet: see [`LoggedChild::spawn`].
    pub fn new(binary: PathBuf, log: PathBuf) -> LoggedChild {
        LoggedChild {
            binary,
            log,
            child: None,
        }
    }

    /// Starts `binary args` with the environment variables `env` added.
    pub fn spawn(&mut self, args: &[&std::ffi::OsStr], env: &[(&str, &str)]) {
        assert!(
            self.child.is_none(),
            "{} is already running",
            self.binary.display()
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap_or_else(|error| panic!("open {}: {error}", self.log.display()));
        let child = Command::new(&self.binary)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("could not start {}: {error}", self.binary.display()));
        self.child = Some(child);
    }

    /// Its PID while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL, as in a crash; nothing when it is not running.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// How it exited, if it did (then it is no longer running).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        let status = self.child.as_mut()?.try_wait().ok().flatten()?;
        self.child = None;
        Some(status)
    }

    /// The whole log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of the log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("--- last lines of {} ---\n{tail}", self.log.display())
    }
}

impl Drop for LoggedChild {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An s3s-fs process serving the directory `data` of its temporary directory; its output goes
/// to `s3s-fs.log` beside it.
struct S3sFs {
    process: LoggedChild,
    port: u16,
    dir: tempfile::TempDir,
}

impl S3sFs {
    fn new(binary: PathBuf) -> S3sFs {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join("data")).expect("create the data directory");
        S3sFs {
            process: LoggedChild::new(binary, dir.path().join("s3s-fs.log")),
            port: 0,
            dir,
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn spawn(&mut self, access_key: &str, secret_key: &str) {
        let port = self.port.to_string();
        let root = self.root();
        let args = [
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--access-key",
            access_key,
            "--secret-key",
            secret_key,
        ];
        let args: Vec<&std::ffi::OsStr> = args
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([root.as_os_str()])
            .collect();
        self.process.spawn(&args, &[("RUST_LOG", "warn")]);
    }

    /// Waits until it answers a signed HeadBucket of `bucket` (so that a stranger on the port
    /// does not count); an error if it exited or did not answer in time (then it is killed).
    async fn wait_until_answering(
        &mut self,
        client: &aws_sdk_s3::Client,
        bucket: &str,
    ) -> Result<(), String> {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + START_LIMIT;
        loop {
            if let Some(status) = self.process.exited() {
                return Err(format!(
                    "s3s-fs exited ({status}) instead of listening on {address}"
                ));
            }
            let head = client.head_bucket().bucket(bucket).send();
            let answer = match tokio::time::timeout(Duration::from_secs(2), head).await {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(error)) => aws_sdk_s3::error::DisplayErrorContext(&error).to_string(),
                Err(_) => "HeadBucket took more than 2 s".to_owned(),
            };
            if Instant::now() > deadline {
                self.process.kill();
                return Err(format!(
                    "s3s-fs on {address} did not answer within {START_LIMIT:?}: {answer}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
