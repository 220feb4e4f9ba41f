//! The WebSocket tracker (`/tracker/socket`) of a running `kinora serve`, spoken to with
//! tokio-tungstenite: an offer from one client reaches the other with its peer id and offer id
//! and the answer comes back; a flood of sockets from one address is capped at
//! `max_sockets_per_address`; a 10 MB frame closes only its own socket; bad messages get a
//! `failure reason`; in private mode a published video's info hash is tracked and an unknown
//! one refused, and the web player's swarm hashes of public videos are tracked while those of
//! private ones are refused (SQLite and PostgreSQL); a client that stops reading is dropped.

use crate::common;

use std::time::Duration;

use common::instance::start;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Bytes as the npm client sends them: one character per byte.
fn binary(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

async fn open(url: &str) -> Socket {
    connect_async(url).await.expect("the socket opens").0
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

/// Whether the server ends the socket within 10 s.
async fn closed(socket: &mut Socket) -> bool {
    let ended = async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), ended)
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offers_and_answers_are_relayed_and_floods_and_huge_frames_are_contained() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "[tracker]\nprivate = false\n").await;
    let url = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    // Control characters and bytes above 0x7F, as in real binary info hashes.
    let hash: Vec<u8> = (0..20u8)
        .map(|n| n.wrapping_mul(13).wrapping_add(7))
        .collect();
    let peer_a = binary(b"-WW0001-aaaaaaaaaaa\xe9");
    let peer_b = binary(b"-WW0001-bbbbbbbbbbb\x01");
    let offer_id = binary(&[0xF0; 20]);
    let mut a = open(&url).await;
    let mut b = open(&url).await;

    send(
        &mut b,
        json!({"action": "announce", "event": "started", "info_hash": binary(&hash),
               "peer_id": peer_b, "numwant": 5, "uploaded": 0, "downloaded": 0, "offers": []}),
    )
    .await;
    let response = receive(&mut b).await;
    assert_eq!(response["action"], "announce");
    assert_eq!(response["info_hash"], binary(&hash));
    assert_eq!(response["incomplete"], 1);
    assert!(response["interval"].as_u64().unwrap() > 0);

    send(
        &mut a,
        json!({"action": "announce", "event": "started", "info_hash": binary(&hash),
               "peer_id": peer_a, "numwant": 1, "uploaded": 0, "downloaded": 0,
               "offers": [{"offer": {"type": "offer", "sdp": "v=0 from A"}, "offer_id": offer_id}]}),
    )
    .await;
    let response = receive(&mut a).await;
    assert_eq!(response["incomplete"], 2);
    let offer = receive(&mut b).await;
    assert_eq!(offer["action"], "announce");
    assert_eq!(offer["peer_id"], peer_a);
    assert_eq!(offer["offer_id"], offer_id);
    assert_eq!(offer["info_hash"], binary(&hash));
    assert_eq!(offer["offer"]["sdp"], "v=0 from A");

    send(
        &mut b,
        json!({"action": "announce", "info_hash": binary(&hash), "peer_id": peer_b,
               "to_peer_id": peer_a, "offer_id": offer_id,
               "answer": {"type": "answer", "sdp": "v=0 from B"}}),
    )
    .await;
    let answer = receive(&mut a).await;
    assert_eq!(answer["peer_id"], peer_b);
    assert_eq!(answer["offer_id"], offer_id);
    assert_eq!(answer["answer"]["sdp"], "v=0 from B");

    // A malformed message gets a failure reason and the socket stays usable.
    send(&mut a, json!({"info_hash": binary(&hash)})).await;
    assert_eq!(receive(&mut a).await["failure reason"], "invalid action");
    send(
        &mut a,
        json!({"action": "announce", "info_hash": "short", "peer_id": peer_a}),
    )
    .await;
    assert_eq!(receive(&mut a).await["failure reason"], "invalid info_hash");
    a.send(Message::Binary(vec![0xFF, 0xFE].into()))
        .await
        .unwrap();
    assert_eq!(receive(&mut a).await["failure reason"], "invalid message");

    // 1,000 sockets from one address: 18 more open (A and B hold 2 of 20), the rest get 429.
    let mut flood = Vec::new();
    let mut refused = 0;
    for _ in 0..1000 {
        match connect_async(url.as_str()).await {
            Ok((socket, _)) => flood.push(socket),
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 429);
                refused += 1;
            }
            Err(error) => panic!("{error}"),
        }
    }
    assert_eq!(flood.len(), 18);
    assert_eq!(refused, 982);
    drop(flood);

    // A 10 MB frame closes its socket once a slot is free again; A and B keep working.
    let mut big = None;
    for _ in 0..100 {
        if let Ok((socket, _)) = connect_async(url.as_str()).await {
            big = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut big = big.expect("the flood's slots are freed when its sockets close");
    let huge = "x".repeat(10 * 1024 * 1024);
    let _ = big.send(Message::Text(huge.into())).await;
    assert!(closed(&mut big).await, "the 10 MB frame closes the socket");
    send(
        &mut a,
        json!({"action": "announce", "info_hash": binary(&hash), "peer_id": peer_a,
               "offers": [{"offer": {"type": "offer", "sdp": "again"}, "offer_id": offer_id}]}),
    )
    .await;
    assert_eq!(receive(&mut a).await["incomplete"], 2);
    assert_eq!(receive(&mut b).await["offer"]["sdp"], "again");

    // When A closes, it leaves the swarm.
    a.close(None).await.unwrap();
    drop(a);
    let mut left = false;
    for _ in 0..50 {
        send(
            &mut b,
            json!({"action": "announce", "info_hash": binary(&hash), "peer_id": peer_b}),
        )
        .await;
        if receive(&mut b).await["incomplete"] == 1 {
            left = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left, "a closed socket's peers leave the swarm");
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_mode_tracks_published_videos_and_refuses_unknown_info_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "").await;
    let json = common::instance::publish_with_torrents(&instance, "video_short.mp4").await;
    let file = &json["streamingPlaylists"][0]["files"][0];
    let torrent = reqwest::get(file["torrentUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let published = kinora_p2p::torrent::parse_info_hash(&torrent).unwrap();
    let url = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    let mut socket = open(&url).await;
    let peer_id = binary(b"-WW0001-cccccccccccc");
    send(
        &mut socket,
        json!({"action": "announce", "event": "started", "info_hash": binary(&[0xAB; 20]),
               "peer_id": peer_id, "offers": []}),
    )
    .await;
    let failure = receive(&mut socket).await;
    assert_eq!(failure["failure reason"], "unknown info_hash");
    assert_eq!(failure["info_hash"], binary(&[0xAB; 20]));
    send(
        &mut socket,
        json!({"action": "announce", "event": "started", "info_hash": binary(&published),
               "peer_id": peer_id, "offers": []}),
    )
    .await;
    let response = receive(&mut socket).await;
    assert_eq!(response["info_hash"], binary(&published));
    assert_eq!(response["incomplete"], 1, "{response}");
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_the_others_keep_going() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let instance = start(dir.path(), &database, 1, "[tracker]\nprivate = false\n").await;
    let url = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    let hash = binary(&[0x5A; 20]);
    let mut slow = open(&url).await;
    send(
        &mut slow,
        json!({"action": "announce", "event": "started", "info_hash": hash,
               "peer_id": binary(&[0x51; 20])}),
    )
    .await;
    assert_eq!(receive(&mut slow).await["incomplete"], 1);
    // From now on `slow` reads nothing; every offer of `fast` goes to it (the only other peer).
    let mut fast = open(&url).await;
    let sdp = "s".repeat(60 * 1024);
    let started = std::time::Instant::now();
    let mut alone = false;
    while started.elapsed() < Duration::from_secs(60) {
        send(
            &mut fast,
            json!({"action": "announce", "info_hash": hash, "peer_id": binary(&[0xFA; 20]),
                   "offers": [{"offer": {"type": "offer", "sdp": sdp}, "offer_id": binary(&[1; 20])}]}),
        )
        .await;
        let response = receive(&mut fast).await;
        if response["incomplete"] == 1 {
            alone = true;
            break;
        }
    }
    assert!(alone, "the client that stopped reading left the swarm");
    drop(slow);
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_socket_is_closed_after_twice_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    let extra = "[tracker]\nprivate = false\nannounce_interval_secs = 5\n";
    let instance = start(dir.path(), &database, 1, extra).await;
    let url = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    let mut socket = open(&url).await;
    send(
        &mut socket,
        json!({"action": "announce", "info_hash": binary(&[0x1D; 20]),
               "peer_id": binary(&[0x1E; 20])}),
    )
    .await;
    assert_eq!(receive(&mut socket).await["interval"], 5);
    let started = std::time::Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the silent socket is closed");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(20),
        "closed after {waited:?}, 10 s expected"
    );
    instance.server.terminate();
}

/// Announces `info_hash` (20 bytes) on a fresh socket; answers the tracker's reply.
pub(crate) async fn announce_once(url: &str, info_hash: &[u8]) -> Value {
    let mut socket = open(url).await;
    send(
        &mut socket,
        json!({"action": "announce", "event": "started", "info_hash": binary(info_hash),
               "peer_id": binary(b"-PM0203-swarmtest000"), "offers": []}),
    )
    .await;
    let reply = receive(&mut socket).await;
    let _ = socket.close(None).await;
    reply
}

/// The swarms the web player joins for a video, from its JSON (uuid and rendition resolutions).
fn player_swarms(json: &Value) -> Vec<kinora_core::swarm::VideoSwarm> {
    let resolutions: Vec<i64> = json["streamingPlaylists"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["resolution"]["id"].as_i64().unwrap())
        .collect();
    assert!(!resolutions.is_empty(), "{json}");
    kinora_core::swarm::video_swarms(json["uuid"].as_str().unwrap(), &resolutions)
}

async fn set_privacy(instance: &common::instance::Instance, uuid: &str, privacy: i64) {
    let response = instance
        .http
        .put(format!("{}/api/v1/videos/{uuid}", instance.base))
        .bearer_auth(&instance.token)
        .json(&json!({ "privacy": privacy }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

/// The private tracker admits the web player's swarm hashes (`kinora_core::swarm`) of a
/// published public video, refuses those of a private one, and follows privacy changes.
async fn private_mode_admits_player_swarms_of_public_videos_only(database: &str) {
    use common::instance::{fixtures, upload_multipart, wait_published};
    let dir = tempfile::tempdir().unwrap();
    let instance = start(dir.path(), database, 1, "").await;
    let url = format!("ws://127.0.0.1:{}/tracker/socket", instance.port);
    let limit = Duration::from_secs(180);
    let public = upload_multipart(&instance, &fixtures().join("video_short.mp4"), 1).await;
    let public_uuid = public["video"]["uuid"].as_str().unwrap().to_owned();
    let private = upload_multipart(&instance, &fixtures().join("video_short.mp4"), 3).await;
    let private_uuid = private["video"]["uuid"].as_str().unwrap().to_owned();
    let public_swarms = player_swarms(&wait_published(&instance, &public_uuid, limit).await);
    let private_swarms = player_swarms(&wait_published(&instance, &private_uuid, limit).await);

    for swarm in &public_swarms {
        let reply = announce_once(&url, &swarm.info_hash).await;
        assert_eq!(reply["info_hash"], swarm.info_hash_text());
        assert_eq!(reply["incomplete"], 1, "{}: {reply}", swarm.stream_swarm_id);
        assert!(reply.get("failure reason").is_none(), "{reply}");
    }
    for swarm in &private_swarms {
        let reply = announce_once(&url, &swarm.info_hash).await;
        assert_eq!(
            reply["failure reason"], "unknown info_hash",
            "{}: {reply}",
            swarm.stream_swarm_id
        );
    }
    // A hash derived from a wrong resolution is nobody's.
    let stranger = kinora_core::swarm::VideoSwarm::new(
        &public_uuid,
        kinora_core::swarm::StreamType::Main,
        1234,
    );
    let reply = announce_once(&url, &stranger.info_hash).await;
    assert_eq!(reply["failure reason"], "unknown info_hash");

    // Privacy changes apply to new sockets at once: the swarms stay recorded.
    set_privacy(&instance, &public_uuid, 3).await;
    set_privacy(&instance, &private_uuid, 2).await;
    let reply = announce_once(&url, &public_swarms[0].info_hash).await;
    assert_eq!(reply["failure reason"], "unknown info_hash", "{reply}");
    let reply = announce_once(&url, &private_swarms[0].info_hash).await;
    assert_eq!(reply["incomplete"], 1, "unlisted now: {reply}");
    instance.server.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_mode_admits_player_swarms_of_public_videos_only_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/kinora.db", dir.path().display());
    private_mode_admits_player_swarms_of_public_videos_only(&database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_mode_admits_player_swarms_of_public_videos_only_on_postgres() {
    let db = kinora_db::testing::TestDb::postgres_unmigrated().await;
    private_mode_admits_player_swarms_of_public_videos_only(&db.config.url).await;
    db.finish().await;
}
