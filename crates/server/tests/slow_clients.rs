//! Slow and greedy clients against a real `kinora serve`, all on loopback: 60 connections that
//! trickle a request head one byte every 2 s are closed after `server.header_read_timeout_secs`
//! (defaults: 30 s, 64 connections per address); one address's connections beyond
//! `server.max_connections_per_address` are answered 429 and closed at once; meanwhile a normal
//! request answers promptly, from another address when the trickling one is full.

use crate::common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use common::process::{Server, free_port};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TRICKLERS: usize = 60;
/// A request head that is never finished.
const HEAD: &[u8] =
    b"GET /api/v1/config HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";

/// How a trickling connection ended.
#[derive(Debug)]
enum Ending {
    /// The server closed it after this long, having sent `answer` first.
    Closed { after: Duration, answer: String },
    /// Still open when the test stopped waiting.
    Open,
}

/// Starts `kinora serve` on SQLite with `server_keys` added to its `[server]` section.
fn start(dir: &Path, server_keys: &str) -> (Server, u16) {
    let port = free_port();
    let config = dir.join("kinora.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\npublic_url = \"http://localhost:{port}\"\n\
             shutdown_grace_secs = 5\n{server_keys}\n[database]\nurl = \"sqlite://{dir}/kinora.db\"\n\
             [storage.local]\nroot = \"{dir}/storage\"\n[transcoding]\nworkers = 0\n\
             [seeder]\nenabled = false\n",
            dir = dir.display()
        ),
    )
    .unwrap();
    (Server::start(&config), port)
}

/// Connects from 127.0.0.1 and sends `HEAD` one byte every 2 s; answers how the connection
/// ended within `limit`.
async fn trickle(port: u16, limit: Duration) -> Ending {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    for byte in HEAD.iter().cycle() {
        if started.elapsed() > limit {
            return Ending::Open;
        }
        let sent = stream.write_all(std::slice::from_ref(byte)).await;
        let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer)).await;
        match (sent, read) {
            (Ok(()), Err(_)) => continue,
            (_, Ok(Ok(n))) if n > 0 => answer.extend_from_slice(&buffer[..n]),
            _ => {
                return Ending::Closed {
                    after: started.elapsed(),
                    answer: String::from_utf8_lossy(&answer).into_owned(),
                };
            }
        }
    }
    unreachable!("the head cycles forever")
}

/// Starts the trickling connections one after the other (each connected before the next).
async fn start_tricklers(port: u16, limit: Duration) -> Vec<tokio::task::JoinHandle<Ending>> {
    let mut tricklers = Vec::new();
    for _ in 0..TRICKLERS {
        tricklers.push(tokio::spawn(trickle(port, limit)));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tricklers
}

async fn endings(tricklers: Vec<tokio::task::JoinHandle<Ending>>) -> Vec<Ending> {
    let mut endings = Vec::new();
    for trickler in tricklers {
        endings.push(trickler.await.unwrap());
    }
    endings
}

/// `GET /api/v1/config` from `from`; answers the status and how long it took.
async fn normal_request(port: u16, from: IpAddr) -> (u16, Duration) {
    let http = reqwest::Client::builder()
        .local_address(from)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = http
        .get(format!("http://127.0.0.1:{port}/api/v1/config"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), started.elapsed())
}

/// What a connection from 127.0.0.1 that sends nothing is told within 3 s.
async fn silent_connection_answer(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Another loopback address (Linux routes all of 127.0.0.0/8 to lo).
const OTHER_LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = start(dir.path(), "");
    let tricklers = start_tricklers(port, Duration::from_secs(45)).await;

    // The 60 trickling connections do not hold the server: a request answers at once.
    let (status, took) = normal_request(port, LOOPBACK).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "{took:?}");

    let endings = endings(tricklers).await;
    for ending in &endings {
        match ending {
            Ending::Closed { after, answer } => {
                assert!(
                    *after >= Duration::from_secs(29) && *after < Duration::from_secs(34),
                    "closed after {after:?}, not after the 30 s header timeout"
                );
                assert!(
                    answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
                    "{answer}"
                );
            }
            Ending::Open => panic!("a trickling connection is still open after 45 s"),
        }
    }
    let (status, _) = normal_request(port, LOOPBACK).await;
    assert_eq!(status, 200);
    server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_connections() {
    let dir = tempfile::tempdir().unwrap();
    let keys = "header_read_timeout_secs = 4\nmax_connections_per_address = 16";
    let (server, port) = start(dir.path(), keys);
    let started = Instant::now();
    let tricklers = start_tricklers(port, Duration::from_secs(20)).await;

    // 127.0.0.1 is full: a new connection is told so; another address is served at once.
    let refusal = silent_connection_answer(port).await;
    assert!(refusal.starts_with("HTTP/1.1 429 "), "{refusal}");
    assert!(refusal.contains("Retry-After: 10"), "{refusal}");
    let (status, took) = normal_request(port, OTHER_LOOPBACK).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the checks above ran while the 16 were held"
    );

    let endings = endings(tricklers).await;
    let (mut refused, mut held) = (0, 0);
    for ending in &endings {
        match ending {
            Ending::Closed { after, .. } if *after < Duration::from_secs(2) => refused += 1,
            Ending::Closed { after, .. } if *after < Duration::from_secs(8) => held += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((held, refused), (16, TRICKLERS - 16), "{endings:?}");
    // Their places are free again.
    let (status, _) = normal_request(port, LOOPBACK).await;
    assert_eq!(status, 200);
    server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_limits_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kinora.toml");
    std::fs::write(&config, "[server]\nmax_connections_per_address = 0\n").unwrap();
    let output = common::process::kinora(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("server.max_connections_per_address"),
        "{stderr}"
    );
}
