//! RTMPS (issue 20): with `[live] rtmps_certificate` and `rtmps_private_key` the ingest of a
//! real `kinora serve` also listens over TLS; the ffmpeg CLI broadcasts to `rtmps://`, plain RTMP
//! on the RTMPS port is refused, a client that never starts TLS is let go after the handshake's
//! 10 s, and RTMP keeps working beside it.

use crate::common;
use crate::live_ingest::{kinora_media_names, live_dir, served_to_players};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use common::eventually;
use common::instance::{api_request, start};
use common::live::{
    broadcaster, create_live, finished, sessions, state, wait_for_ingest, wait_state,
};
use common::process::free_port;
use kinora_db::testing::TestDb;
use reqwest::Method;
use serde_json::{Value, json};

/// A self-signed certificate for `localhost` and its key, made by the `openssl` command, in
/// `dir`: `(certificate, key)`.
fn self_signed_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (certificate, key) = (dir.join("live.pem"), dir.join("live.key"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&certificate)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    (certificate, key)
}

/// RTMPS (`[live] rtmps_certificate` and `rtmps_private_key`): the owner is told the RTMPS URL,
/// the ffmpeg CLI broadcasts over TLS and the live goes on the air and ends as over RTMP; plain
/// RTMP on the RTMPS port is refused, and RTMP keeps working beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcaster_publishes_over_rtmps() {
    let database = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let (certificate, key) = self_signed_certificate(dir.path());
    let (rtmp_port, rtmps_port) = (free_port(), free_port());
    let instance = start(
        dir.path(),
        &database.config.url,
        0,
        &format!(
            "[live]\nenabled = true\nrtmp_listen = \"127.0.0.1:{rtmp_port}\"\n\
             rtmps_listen = \"127.0.0.1:{rtmps_port}\"\nrtmps_certificate = \"{}\"\n\
             rtmps_private_key = \"{}\"\n",
            certificate.display(),
            key.display()
        ),
    )
    .await;
    wait_for_ingest(rtmp_port).await;
    wait_for_ingest(rtmps_port).await;
    // A client that connects and never starts TLS is let go after the handshake's 10 s (checked
    // at the end, once the broadcasts below have taken longer than that).
    let mut idle = tokio::net::TcpStream::connect(("127.0.0.1", rtmps_port))
        .await
        .unwrap();
    let (uuid, stream_key) = create_live(
        &instance,
        json!({ "name": "Encrypted live", "permanentLive": true }),
    )
    .await;
    let (_, owned) = api_request(
        &instance,
        Method::GET,
        &format!("/api/v1/videos/live/{uuid}"),
        None,
    )
    .await;
    assert_eq!(
        owned["rtmpsUrl"],
        format!("rtmps://localhost:{rtmps_port}/live")
    );
    assert_eq!(
        owned["rtmpUrl"],
        format!("rtmp://localhost:{rtmp_port}/live")
    );

    let plain = broadcaster(
        &format!("rtmp://127.0.0.1:{rtmps_port}/live/{stream_key}"),
        3,
        true,
    );
    assert!(
        !finished(plain).await,
        "plain RTMP on the RTMPS port is refused"
    );
    assert_eq!(state(&instance, &uuid).await, 4);

    let secure = broadcaster(
        &format!("rtmps://127.0.0.1:{rtmps_port}/live/{stream_key}"),
        8,
        true,
    );
    wait_state(&instance, &uuid, 1, "the live is on the air over RTMPS").await;
    let live = live_dir(dir.path(), &uuid);
    eventually(Duration::from_secs(30), "a segment is listed", || async {
        let playlist = std::fs::read_to_string(live.join("0.m3u8")).ok()?;
        (!kinora_media_names(&playlist).is_empty()).then_some(())
    })
    .await;
    served_to_players(&instance, &uuid).await;
    assert!(finished(secure).await, "the broadcaster streamed over TLS");
    wait_state(&instance, &uuid, 4, "the permanent live waits again").await;
    let list = sessions(&instance, &uuid).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["error"], Value::Null, "{list:?}");

    // RTMP goes on beside it.
    let again = broadcaster(
        &format!("rtmp://127.0.0.1:{rtmp_port}/live/{stream_key}"),
        4,
        true,
    );
    wait_state(&instance, &uuid, 1, "on the air over RTMP").await;
    assert!(finished(again).await);
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(15), idle.read(&mut buffer))
        .await
        .expect("the silent client is let go within the handshake limit");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    database.finish().await;
}
