//! Two `kinora serve` processes of one instance on one PostgreSQL database behind nginx (the
//! Debian package), which sends each request to the next process in turn (round robin, one
//! worker): a resumable upload's chunks alternate between the processes and the original is
//! byte-identical; login limits hold through the proxy; two WebSocket tracker sockets opened
//! through it reach different processes and still exchange an offer and its answer.
//! Skipped, saying so, when nginx is not installed (`scripts/install-deps --test` installs it).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::cluster::Pair;
use common::instance::fixtures;
use common::process::free_port;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON text message, within 10 s.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

fn nginx() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

/// nginx on 127.0.0.1:`port` in front of `upstreams`, with its files in `dir`; stopped on drop.
struct Proxy(Child);

impl Proxy {
    fn start(binary: &Path, dir: &Path, port: u16, upstreams: &[u16]) -> Proxy {
        let servers: String = upstreams
            .iter()
            .map(|port| format!("    server 127.0.0.1:{port};\n"))
            .collect();
        let d = dir.display();
        let config = format!(
            "daemon off;\nmaster_process on;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nuser root;\nevents {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n\
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n\
             upstream kinora {{\n{servers}  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size 0;\n\
             proxy_request_buffering off;\n    location / {{\n\
             proxy_pass http://kinora;\n      proxy_http_version 1.1;\n\
             proxy_set_header Host $http_host;\n\
             proxy_set_header Upgrade $http_upgrade;\n\
             proxy_set_header Connection $connection_upgrade;\n\
             proxy_set_header X-Forwarded-For $remote_addr;\n\
             proxy_read_timeout 300s;\n    }}\n  }}\n}}\n"
        );
        let file = dir.join("nginx.conf");
        std::fs::write(&file, config).unwrap();
        let child = Command::new(binary)
            .args(["-p", dir.to_str().unwrap(), "-c", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "nginx did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Proxy(child)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_behind_nginx_are_one_instance() {
    let Some(binary) = nginx() else {
        eprintln!("SKIPPED: nginx is not installed (scripts/install-deps --test installs it)");
        return;
    };
    let pair = Pair::start(
        0,
        "[tracker]\nprivate = false\n[auth]\nlogin_attempts_per_account = 3\n\
         login_window_secs = 3600\n",
    )
    .await;
    let nginx_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _proxy = Proxy::start(
        &binary,
        nginx_dir.path(),
        port,
        &[pair.first.port, pair.second.port],
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = &pair.first.http;
    let token = &pair.first.token;

    // A resumable upload in 16 KiB chunks: round robin sends them to each process in turn.
    let bytes = std::fs::read(fixtures().join("60fps_720p_small.mp4")).unwrap();
    let total = bytes.len();
    let response = http
        .post(format!("{base}/api/v1/videos/upload-resumable"))
        .bearer_auth(token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&json!({"name": "Proxied", "channelId": pair.first.channel, "filename": "p.mp4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let mut start = 0;
    let video: Value = loop {
        let end = (start + 16 * 1024).min(total) - 1;
        let response = http
            .put(format!("{base}{location}"))
            .bearer_auth(token)
            .header("content-range", format!("bytes {start}-{end}/{total}"))
            .body(bytes[start..=end].to_vec())
            .send()
            .await
            .unwrap();
        if end + 1 == total {
            assert_eq!(response.status(), 200);
            break response.json().await.unwrap();
        }
        assert_eq!(response.status(), 308);
        start = end + 1;
    };
    let uuid = video["video"]["uuid"].as_str().unwrap();
    let original = std::fs::read(
        pair.dir
            .path()
            .join("storage/original-video-files")
            .join(uuid),
    )
    .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&original)),
        hex::encode(Sha256::digest(&bytes))
    );

    // Login limits through the proxy: root's budget of 3 (one spent at start) is shared.
    // The local client is answered on the public host only (the instance's, as PeerTube's).
    let client: Value = http
        .get(format!("{base}/api/v1/oauth-clients/local"))
        .header("host", format!("localhost:{}", pair.first.port))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut answers = Vec::new();
    for _ in 0..4 {
        let form = [
            ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
            ("grant_type", "password"),
            ("username", "root"),
            ("password", "wrong-password"),
        ];
        let status = http
            .post(format!("{base}/api/v1/users/token"))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status();
        answers.push(status.as_u16());
    }
    assert_eq!(answers, [400, 400, 429, 429]);

    // Two tracker sockets through the proxy land on different processes and still meet.
    let url = format!("ws://127.0.0.1:{port}/tracker/socket");
    let binary = |bytes: &[u8]| bytes.iter().map(|&b| char::from(b)).collect::<String>();
    let hash = binary(&[0x42; 20]);
    let (peer_a, peer_b, offer_id) = (binary(&[1; 20]), binary(&[2; 20]), binary(&[3; 20]));
    let mut a = connect_async(url.as_str()).await.unwrap().0;
    let mut b = connect_async(url.as_str()).await.unwrap().0;
    let text = |value: Value| Message::Text(value.to_string().into());
    b.send(text(
        json!({"action": "announce", "event": "started", "info_hash": hash,
                        "peer_id": peer_b, "offers": []}),
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut b).await["incomplete"], 1);
    a.send(text(json!({"action": "announce", "event": "started", "info_hash": hash,
                        "peer_id": peer_a, "numwant": 1,
                        "offers": [{"offer": {"type": "offer", "sdp": "A"}, "offer_id": offer_id}]})))
        .await
        .unwrap();
    assert_eq!(next_json(&mut a).await["incomplete"], 2);
    let offer = next_json(&mut b).await;
    assert_eq!(
        (offer["peer_id"].as_str(), offer["offer"]["sdp"].as_str()),
        (Some(peer_a.as_str()), Some("A"))
    );
    b.send(text(
        json!({"action": "announce", "info_hash": hash, "peer_id": peer_b,
                        "to_peer_id": peer_a, "offer_id": offer_id,
                        "answer": {"type": "answer", "sdp": "B"}}),
    ))
    .await
    .unwrap();
    let answer = next_json(&mut a).await;
    assert_eq!(answer["answer"]["sdp"], "B");
    // The two sockets are held by the two processes.
    let (holders,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT process_id) FROM tracker_peers WHERE info_hash = $1")
            .bind(hex::encode([0x42u8; 20]))
            .fetch_one(pair.db.db.pool())
            .await
            .unwrap();
    assert_eq!(holders, 2);
    drop((a, b));
    pair.finish().await;
}
