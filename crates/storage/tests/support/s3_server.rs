//! Test support for the S3 tests: an `s3s-fs` server started on 127.0.0.1 (killed by PID
//! when dropped) and a TCP proxy that cuts connections, to inject network faults.
//!
//! The binary is found at `$KINORA_S3S_FS`, `~/.cargo/bin/s3s-fs` or on `PATH`; without it the
//! tests fail and say how to install it (`scripts/install-s3s-fs`).

use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kinora_storage::{GeneratedName, MIN_PART_SIZE, S3Config, S3Storage, Secret, StorageKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use uuid::Uuid;

pub const ACCESS_KEY: &str = "kinora-test-access-key";
pub const SECRET_KEY: &str = "kinora-test-secret-key-0123456789";
pub const BUCKET: &str = "kinora-test";
/// The most any one storage call may take in these tests.
pub const CALL_LIMIT: Duration = Duration::from_secs(60);

fn s3s_fs_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KINORA_S3S_FS") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "KINORA_S3S_FS={} is not a file; install s3s-fs with scripts/install-s3s-fs",
            path.display()
        );
        return path;
    }
    let home = std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo/bin"));
    let path_dirs = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    home.into_iter()
        .chain(path_dirs)
        .map(|dir| dir.join("s3s-fs"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "s3s-fs not found (looked at $KINORA_S3S_FS, ~/.cargo/bin/s3s-fs and PATH). \
                 Install it with scripts/install-s3s-fs \
                 (cargo install --locked --version 0.14.1 --features binary s3s-fs), \
                 or point KINORA_S3S_FS at the binary."
            )
        })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

/// A running s3s-fs with one empty bucket; killed (by PID) when dropped.
pub struct S3Server {
    child: Child,
    pub port: u16,
    pub root: tempfile::TempDir,
}

impl S3Server {
    pub fn start() -> Self {
        let binary = s3s_fs_binary();
        let root = tempfile::tempdir().expect("a temporary directory");
        // In s3s-fs an empty directory of the root is a bucket.
        std::fs::create_dir(root.path().join(BUCKET)).expect("create the bucket");
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(root.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|error| panic!("could not start {}: {error}", binary.display()));
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited: the port was taken meanwhile; try another
                }
                if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                    return Self { child, port, root };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("s3s-fs did not listen on {address} within 10 s");
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        panic!("s3s-fs exited at start-up five times");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn config(&self) -> S3Config {
        S3Config {
            endpoint: Some(self.endpoint()),
            bucket: BUCKET.to_owned(),
            access_key_id: Some(ACCESS_KEY.to_owned()),
            secret_access_key: Some(Secret::new(SECRET_KEY)),
            force_path_style: true,
            multipart_part_size: MIN_PART_SIZE,
            ..S3Config::default()
        }
    }

    pub fn storage(&self) -> S3Storage {
        S3Storage::connect(&self.config()).expect("connect")
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one storage call under [`CALL_LIMIT`].
pub async fn bounded<T>(call: impl Future<Output = T>) -> T {
    tokio::time::timeout(CALL_LIMIT, call)
        .await
        .expect("a storage call took longer than its limit")
}

pub fn hls_file(video: Uuid, name: &str) -> StorageKey {
    StorageKey::hls_file(video, &GeneratedName::parse(name).unwrap())
}

/// Deterministic, incompressible-looking bytes.
pub fn pseudo_random(length: usize, mut state: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(length + 8);
    while bytes.len() < length {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(length);
    bytes
}

/// What [`FaultyProxy`] does once `budget` bytes went upstream.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Cut every open connection, then keep accepting new ones (a network blip).
    CutOnce,
    /// Cut every open connection and stop listening (the server is gone).
    CutAndRefuse,
    /// Truncate this file (the source of an upload), cut every open connection (so that no
    /// byte read before the truncation reaches the server afterwards), then keep accepting new
    /// ones.
    TruncateFile(PathBuf),
}

/// A TCP proxy in front of the server that injects one [`Fault`] once `budget` bytes went
/// upstream.
pub struct FaultyProxy {
    pub port: u16,
    faults: Arc<watch::Sender<u32>>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultyProxy {
    pub async fn start(upstream: u16, budget: u64, fault: Fault) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // How many times the fault fired (0 or 1).
        let (faults, _) = watch::channel(0u32);
        let faults = Arc::new(faults);
        let sent = Arc::new(AtomicU64::new(0));
        let task_faults = faults.clone();
        let task = tokio::spawn(async move {
            let faults = task_faults;
            let mut watcher = faults.subscribe();
            let refuse = matches!(fault, Fault::CutAndRefuse);
            loop {
                let inbound = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((inbound, _)) => inbound,
                        Err(_) => return,
                    },
                    _ = watcher.wait_for(|fired| *fired > 0), if refuse => return,
                };
                let relay = Relay {
                    upstream,
                    sent: sent.clone(),
                    budget,
                    fault: fault.clone(),
                    faults: faults.clone(),
                };
                tokio::spawn(relay.run(inbound));
            }
        });
        Self { port, faults, task }
    }

    /// Whether the fault was injected.
    pub fn fired(&self) -> bool {
        *self.faults.borrow() > 0
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Relay {
    upstream: u16,
    sent: Arc<AtomicU64>,
    budget: u64,
    fault: Fault,
    faults: Arc<watch::Sender<u32>>,
}

impl Relay {
    async fn run(self, inbound: tokio::net::TcpStream) {
        let Ok(outbound) = tokio::net::TcpStream::connect(("127.0.0.1", self.upstream)).await
        else {
            return;
        };
        let mut watcher = self.faults.subscribe();
        let fired_at_start = *watcher.borrow();
        if fired_at_start > 0 && matches!(self.fault, Fault::CutAndRefuse) {
            // Accepted in the instant between the fault and the listener closing: refused too.
            return;
        }
        let (mut client_read, mut client_write) = inbound.into_split();
        let (mut server_read, mut server_write) = outbound.into_split();
        let upload = async {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let read = client_read.read(&mut buffer).await.unwrap_or(0);
                if read == 0 {
                    return;
                }
                let total = self.sent.fetch_add(read as u64, Ordering::SeqCst) + read as u64;
                if total > self.budget && fired_at_start == 0 {
                    // The file is truncated before anyone learns of the fault (the watchers
                    // are told when the closure returns).
                    self.faults.send_if_modified(|fired| {
                        if *fired > 0 {
                            return false;
                        }
                        if let Fault::TruncateFile(path) = &self.fault {
                            let file = std::fs::OpenOptions::new().write(true).open(path);
                            file.and_then(|file| file.set_len(0)).unwrap();
                        }
                        *fired = 1;
                        true
                    });
                    return;
                }
                if server_write.write_all(&buffer[..read]).await.is_err() {
                    return;
                }
            }
        };
        tokio::select! {
            () = upload => {}
            _ = tokio::io::copy(&mut server_read, &mut client_write) => {}
            _ = watcher.wait_for(|fired| *fired != fired_at_start) => {}
        }
    }
}

/// A fake S3 server whose bucket is public: it stores what is PUT and answers every request,
/// signed or not (what the self-test must refuse to start with). One request per connection.
pub struct PublicBucketServer {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl PublicBucketServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let objects = Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
            String,
            Vec<u8>,
        >::new()));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer_publicly(stream, objects.clone()));
            }
        });
        Self { port, task }
    }
}

impl Drop for PublicBucketServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer_publicly(
    mut stream: tokio::net::TcpStream,
    objects: Arc<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>>,
) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let header_end = loop {
        let Ok(read) = stream.read(&mut buffer).await else {
            return;
        };
        if read == 0 {
            return;
        }
        received.extend_from_slice(&buffer[..read]);
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..header_end]).to_string();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let content_length: usize = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = received[header_end..].to_vec();
    while body.len() < content_length {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => body.extend_from_slice(&buffer[..read]),
        }
    }
    let (status, content) = match method.as_str() {
        "PUT" => {
            objects.lock().unwrap().insert(path, body);
            ("200 OK", Vec::new())
        }
        "GET" => match objects.lock().unwrap().get(&path) {
            Some(content) => ("200 OK", content.clone()),
            None => ("404 Not Found", Vec::new()),
        },
        "DELETE" => {
            objects.lock().unwrap().remove(&path);
            ("204 No Content", Vec::new())
        }
        _ => ("200 OK", Vec::new()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nETag: \"0123\"\r\nConnection: close\r\n\r\n",
        content.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&content).await;
    let _ = stream.shutdown().await;
}
