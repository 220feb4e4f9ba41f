//! The Garage harness against a real garage 2.5.0: public media is served straight from the
//! public bucket's website endpoint (ranges, CORS), private media is not readable anonymously.
//! Skipped, saying so, when garage is not installed (`scripts/install-garage`): the server's S3
//! tests then run on s3s-fs.

use crate::common;

use std::future::Future;
use std::time::Duration;

use common::garage::Garage;
use common::s3_server::garage_or_skip;
use kinora_storage::{GeneratedName, S3Config, S3Storage, Secret, StorageKey};
use reqwest::{StatusCode, header};
use uuid::Uuid;

/// The most any one step of these tests may take.
const STEP_LIMIT: Duration = Duration::from_secs(60);

async fn bounded<T>(step: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP_LIMIT, step)
        .await
        .expect("a step took longer than its limit")
}

fn storage(garage: &Garage, bucket: &str, public_base_url: Option<&str>) -> S3Storage {
    S3Storage::connect(&S3Config {
        endpoint: Some(garage.s3_endpoint.clone()),
        region: garage.region.clone(),
        bucket: bucket.to_owned(),
        access_key_id: Some(garage.access_key_id.clone()),
        secret_access_key: Some(Secret::new(garage.secret_access_key.clone())),
        force_path_style: true,
        public_base_url: public_base_url.map(str::to_owned),
        ..S3Config::default()
    })
    .expect("connect")
}

/// An HTTP client without any credentials: what a visitor's browser is.
fn anonymous() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn public_bucket_is_served_anonymously_and_private_bucket_is_not() {
    if !garage_or_skip() {
        return;
    }
    let mut garage = bounded(Garage::start()).await;
    let private = storage(&garage, &garage.private_bucket, None);
    let public = storage(
        &garage,
        &garage.public_bucket,
        Some(&garage.public_base_url),
    );
    bounded(private.self_test())
        .await
        .expect("the self-test passes on the private bucket");

    let content: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("segment.mp4");
    std::fs::write(&file, &content).unwrap();
    let video = Uuid::new_v4();
    let public_key = StorageKey::hls_file(
        video,
        &GeneratedName::parse("0-720-fragmented.mp4").unwrap(),
    );
    let private_key = StorageKey::original(video);
    bounded(public.put_file(&public_key, &file)).await.unwrap();
    bounded(private.put_file(&private_key, &file))
        .await
        .unwrap();
    let stored = bounded(async { private.get_range(&private_key, None).await?.collect().await })
        .await
        .expect("the key reads the private object back");
    assert_eq!(&stored[..], &content[..]);

    // Public media is linked straight to the bucket's website endpoint.
    let url = public.public_url(&public_key);
    assert_eq!(
        url,
        format!("{}/{}", garage.public_base_url, public_key.as_str())
    );
    let http = anonymous();
    let response = bounded(http.get(&url).send()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    assert_eq!(&bounded(response.bytes()).await.unwrap()[..], &content[..]);

    let response = bounded(http.get(&url).header(header::RANGE, "bytes=2-5").send())
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::PARTIAL_CONTENT,
        "ranged GET {url}"
    );
    assert_eq!(
        response.headers()[header::CONTENT_RANGE],
        format!("bytes 2-5/{}", content.len()).as_str()
    );
    assert_eq!(
        &bounded(response.bytes()).await.unwrap()[..],
        &content[2..=5]
    );

    let origin = "http://127.0.0.1:1234";
    let response = bounded(
        http.get(&url)
            .header(header::ORIGIN, origin)
            .header(header::RANGE, "bytes=0-0")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "*",
        "{:?}",
        response.headers()
    );
    // The preflight a browser sends before a ranged GET (header names lowercased).
    let response = bounded(
        http.request(reqwest::Method::OPTIONS, &url)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "range")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "preflight for {url}");
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    // Private media: refused anonymously on the S3 port...
    let url = private.public_url(&private_key);
    assert_eq!(
        url,
        format!(
            "{}/{}/{}",
            garage.s3_endpoint,
            garage.private_bucket,
            private_key.as_str()
        )
    );
    let response = bounded(http.get(&url).send()).await.unwrap();
    assert!(
        response.status().is_client_error(),
        "anonymous GET {url}: {}",
        response.status()
    );
    // ...and on the web port, whether asked for by its bucket's name or through the public one.
    let web = std::net::SocketAddr::from(([127, 0, 0, 1], garage.web_port));
    let by_name = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .resolve("kinora", web)
        .resolve("kinora.web.garage.localhost", web)
        .build()
        .unwrap();
    for url in [
        format!("http://kinora:{}/{}", garage.web_port, private_key.as_str()),
        format!(
            "http://kinora.web.garage.localhost:{}/{}",
            garage.web_port,
            private_key.as_str()
        ),
        format!("{}/{}", garage.public_base_url, private_key.as_str()),
        format!(
            "http://127.0.0.1:{}/{}",
            garage.web_port,
            private_key.as_str()
        ),
    ] {
        let response = bounded(by_name.get(&url).send()).await.unwrap();
        assert!(
            response.status().is_client_error(),
            "anonymous GET {url}: {}",
            response.status()
        );
    }

    // Stopped, the server refuses connections; restarted, it serves the same data.
    garage.stop();
    let url = public.public_url(&public_key);
    let answer = bounded(http.get(&url).send()).await;
    assert!(
        answer.is_err(),
        "GET {url} with the server stopped: {:?}",
        answer.map(|response| response.status())
    );
    bounded(garage.restart()).await;
    let response = bounded(http.get(&url).send()).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "GET {url} after a restart"
    );
    assert_eq!(&bounded(response.bytes()).await.unwrap()[..], &content[..]);
}
