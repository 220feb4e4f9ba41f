//! Two `kinora serve` processes of one instance on one PostgreSQL database and one storage root
//! (issue 21), each request sent to either: a resumable upload whose chunks alternate between
//! them, one restarted half-way, stores a byte-identical original; login limits are one budget
//! across both; WebSocket tracker clients whose sockets reach different processes get each
//! other's offers and answers and see one swarm; the HTTP tracker answers the same peers from
//! either process.

use crate::common;

use std::time::Duration;

use common::cluster::Pair;
use common::instance::fixtures;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumable_upload_alternates_between_processes_and_survives_a_restart() {
    let mut pair = Pair::start(0, "").await;
    let bytes = std::fs::read(fixtures().join("60fps_720p_small.mp4")).unwrap();
    let total = bytes.len();
    let first = &pair.first;
    let response = first
        .http
        .post(format!("{}/api/v1/videos/upload-resumable", first.base))
        .bearer_auth(&first.token)
        .header("x-upload-content-length", total.to_string())
        .header("x-upload-content-type", "video/mp4")
        .json(&json!({"name": "Alternating", "channelId": first.channel, "filename": "a.mp4"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let chunk = 32 * 1024;
    let (mut start, mut n) = (0, 0);
    let video = loop {
        if n == 3 {
            // The second process restarts between two chunks of the upload.
            pair.second = pair.second.restart();
        }
        let base = if n % 2 == 0 {
            &pair.first.base
        } else {
            &pair.second.base
        };
        let end = (start + chunk).min(total) - 1;
        let response = pair
            .first
            .http
            .put(format!("{base}{location}"))
            .bearer_auth(&pair.first.token)
            .header("content-range", format!("bytes {start}-{end}/{total}"))
            .body(bytes[start..=end].to_vec())
            .send()
            .await
            .unwrap();
        if end + 1 == total {
            assert_eq!(response.status(), 200);
            break response.json::<Value>().await.unwrap();
        }
        assert_eq!(response.status(), 308, "chunk {n} at {base}");
        assert_eq!(
            response.headers()["range"].to_str().unwrap(),
            format!("bytes=0-{end}")
        );
        start = end + 1;
        n += 1;
    };
    assert!(n >= 6, "{n} chunks");
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
        hex::encode(Sha256::digest(&bytes)),
        "the original is byte-identical"
    );
    // Both processes answer the same video.
    for base in pair.bases() {
        let json: Value = pair
            .first
            .http
            .get(format!("{base}/api/v1/videos/{uuid}"))
            .bearer_auth(&pair.first.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(json["name"], "Alternating");
    }
    pair.finish().await;
}

/// One wrong-password guess for `username` at `base`: the status. The OAuth client is read
/// from the first process (the local client answers only on the public host, as PeerTube's).
async fn guess(http: &reqwest::Client, base: &str, username: &str, first: &str) -> u16 {
    let client: Value = http
        .get(format!("{first}/api/v1/oauth-clients/local"))
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
        ("username", username),
        ("password", "wrong-password"),
    ];
    http.post(format!("{base}/api/v1/users/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_limits_are_one_budget_across_processes() {
    let pair = Pair::start(
        0,
        "[auth]\nlogin_attempts_per_account = 4\nlogin_attempts_per_address = 9\n\
         login_window_secs = 3600\n",
    )
    .await;
    let http = reqwest::Client::new();
    let bases = pair.bases();
    // The account's 4 attempts, alternating between the processes (root's own login at start
    // spent one of them), then every guess is refused by either process.
    let mut answers = Vec::new();
    for i in 0..6 {
        answers.push(guess(&http, &bases[i % 2], "root", &bases[0]).await);
    }
    assert_eq!(answers, [400, 400, 400, 429, 429, 429], "{answers:?}");
    // The address's budget of 9 is shared as well: 7 attempts are spent (6 guesses + root's
    // login), so two more names get an answer, and the third is refused on either process.
    let others = [
        guess(&http, &bases[0], "nobody-a", &bases[0]).await,
        guess(&http, &bases[1], "nobody-b", &bases[0]).await,
        guess(&http, &bases[1], "nobody-c", &bases[0]).await,
        guess(&http, &bases[0], "nobody-d", &bases[0]).await,
    ];
    assert_eq!(others, [400, 400, 429, 429], "{others:?}");
    pair.finish().await;
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Bytes as the npm client sends them: one character per byte.
fn binary(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next JSON message (pings skipped), within 10 s.
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracker_peers_on_different_processes_meet() {
    let pair = Pair::start(0, "[tracker]\nprivate = false\n").await;
    let socket_url = |port: u16| format!("ws://127.0.0.1:{port}/tracker/socket");
    let hash: Vec<u8> = (0..20u8)
        .map(|n| n.wrapping_mul(29).wrapping_add(3))
        .collect();
    let (peer_a, peer_b) = (
        binary(b"-WW0001-aaaaaaaaaaa\xe9"),
        binary(b"-WW0001-bbbbbbbbbbb\x01"),
    );
    let mut a = connect_async(socket_url(pair.first.port)).await.unwrap().0;
    let mut b = connect_async(socket_url(pair.second.port)).await.unwrap().0;
    send(
        &mut b,
        json!({"action": "announce", "event": "started", "info_hash": binary(&hash),
               "peer_id": peer_b, "numwant": 5, "uploaded": 0, "downloaded": 0, "offers": []}),
    )
    .await;
    assert_eq!(receive(&mut b).await["incomplete"], 1);
    // A, on the other process, sees B in the swarm's counts and offers to it.
    for round in 0..3u8 {
        let offer_id = binary(&[0xF0 + round; 20]);
        send(
            &mut a,
            json!({"action": "announce", "event": "started", "info_hash": binary(&hash),
                   "peer_id": peer_a, "numwant": 1, "uploaded": 0, "downloaded": 0,
                   "offers": [{"offer": {"type": "offer", "sdp": format!("v=0 from A {round}")},
                               "offer_id": offer_id}]}),
        )
        .await;
        let response = receive(&mut a).await;
        assert_eq!(response["incomplete"], 2, "{response}");
        let offer = receive(&mut b).await;
        assert_eq!(offer["peer_id"], peer_a);
        assert_eq!(offer["offer_id"], offer_id);
        assert_eq!(offer["info_hash"], binary(&hash));
        assert_eq!(offer["offer"]["sdp"], format!("v=0 from A {round}"));
        send(
            &mut b,
            json!({"action": "announce", "info_hash": binary(&hash), "peer_id": peer_b,
                   "to_peer_id": peer_a, "offer_id": offer_id,
                   "answer": {"type": "answer", "sdp": format!("v=0 from B {round}")}}),
        )
        .await;
        let answer = receive(&mut a).await;
        assert_eq!(answer["peer_id"], peer_b);
        assert_eq!(answer["offer_id"], offer_id);
        assert_eq!(answer["answer"]["sdp"], format!("v=0 from B {round}"));
    }
    // Scrapes on either process count both peers; once B's socket closes, A's process no
    // longer counts it.
    for socket in [&mut a, &mut b] {
        send(
            socket,
            json!({"action": "scrape", "info_hash": [binary(&hash)]}),
        )
        .await;
        let scrape = receive(socket).await;
        assert_eq!(scrape["files"][binary(&hash)]["incomplete"], 2, "{scrape}");
    }
    b.close(None).await.unwrap();
    let started = std::time::Instant::now();
    loop {
        send(
            &mut a,
            json!({"action": "scrape", "info_hash": [binary(&hash)]}),
        )
        .await;
        let scrape = receive(&mut a).await;
        if scrape["files"][binary(&hash)]["incomplete"] == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "B still counted: {scrape}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The HTTP tracker: a peer announced to one process is listed by the other.
    let announce = |base: &str, peer: u8, port: u16| {
        let encode = |bytes: &[u8]| {
            bytes
                .iter()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        };
        format!(
            "{base}/tracker/announce?info_hash={}&peer_id={}&port={port}&uploaded=0&\
             downloaded=0&left=100&compact=1",
            encode(&hash),
            encode(&[peer; 20])
        )
    };
    let http = reqwest::Client::new();
    let first = http
        .get(announce(&pair.first.base, 1, 7001))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(first.windows(7).any(|w| w == b"5:peers"), "{first:?}");
    let second = http
        .get(announce(&pair.second.base, 2, 7002))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    // One compact IPv4 peer: 127.0.0.1:7001, announced to the first process.
    let mut expected = b"5:peers6:".to_vec();
    expected.extend_from_slice(&[127, 0, 0, 1]);
    expected.extend_from_slice(&7001u16.to_be_bytes());
    assert!(
        second.windows(expected.len()).any(|w| w == expected),
        "{}",
        String::from_utf8_lossy(&second)
    );
    assert!(String::from_utf8_lossy(&second).contains("10:incompletei2e"));
    drop(a);
    pair.finish().await;
}
