//! The outbound client's body limits against a real origin on 127.0.0.1: caps counted after
//! decompression (DOS-01), the total deadline (DOS-02) and nesting (DOS-03).

mod common;

use std::time::{Duration, Instant};

use common::origin::*;
use common::servers::*;
use kinora_federation::http_client::{ClientError, OutboundClient, OutboundConfig};
use kinora_federation::json::JsonError;

#[tokio::test]
async fn dos_01_gzip_bomb_is_cut_at_the_decompressed_cap() {
    let (base, client) = start().await;
    assert!(
        (BOMB.get().unwrap().len() as u64) < CAP / 8,
        "the compressed body is far below the cap"
    );
    let result = client
        .fetch_object(&base.join("gzip-bomb").unwrap(), None)
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
    let mut sink = Vec::new();
    let result = client
        .download(
            &base.join("bomb.mp4").unwrap(),
            CAP,
            &["video/mp4"],
            &mut sink,
        )
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
    assert!(sink.len() as u64 <= CAP);
}

#[tokio::test]
async fn gzip_encoded_objects_are_decoded_and_other_encodings_refused() {
    let (base, client) = start().await;
    let fetched = client
        .fetch_object(&base.join("gzip-object").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(fetched.object["content"], "zipped");
    let result = client
        .fetch_object(&base.join("brotli").unwrap(), None)
        .await;
    assert!(
        matches!(result, Err(ClientError::BadContentEncoding(ref coding)) if coding == "br"),
        "{result:?}"
    );
}

#[tokio::test]
async fn dos_01_endless_body_is_cut_at_the_cap() {
    let (base, client) = start().await;
    let result = client
        .fetch_object(&base.join("endless").unwrap(), None)
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
    let mut sink = Vec::new();
    let result = client
        .download(
            &base.join("endless.mp4").unwrap(),
            5 * CAP,
            &["video/mp4"],
            &mut sink,
        )
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
    assert!(
        sink.len() as u64 <= 5 * CAP && sink.len() as u64 > 4 * CAP,
        "{}",
        sink.len()
    );
}

#[tokio::test]
async fn dos_01_a_declared_length_over_the_cap_is_refused() {
    let (base, client) = start().await;
    let result = client
        .fetch_object(&base.join("large").unwrap(), None)
        .await;
    assert!(matches!(result, Err(ClientError::TooLarge)), "{result:?}");
}

#[tokio::test]
async fn dos_02_a_trickling_body_ends_at_the_total_deadline() {
    let (base, _) = start().await;
    let config = OutboundConfig {
        total_timeout: Duration::from_secs(1),
        download_timeout: Duration::from_secs(1),
        ..client_config(true)
    };
    let client = OutboundClient::new(&config).unwrap();
    let started = Instant::now();
    let result = client
        .fetch_object(&base.join("trickle").unwrap(), None)
        .await;
    assert!(matches!(result, Err(ClientError::Timeout)), "{result:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn dos_03_a_deeply_nested_object_is_refused() {
    let (base, client) = start().await;
    let result = client.fetch_object(&base.join("deep").unwrap(), None).await;
    assert!(
        matches!(
            result,
            Err(ClientError::Json(JsonError::TooDeep { limit: 32 }))
        ),
        "{result:?}"
    );
}
