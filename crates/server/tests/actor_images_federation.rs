//! Avatars and banners across instances (issue 18). Two real `kinora serve` processes: A's
//! channel avatar and banner appear on B (fetched through B's outbound client, re-encoded and
//! served by B itself), an avatar changed on A reaches B with the `Update` of the channel, and a
//! banner removed on A goes from B. And a real instance facing a fake remote instance whose
//! actors' icons are too large, not images, an SVG, a lying PNG or a pixel bomb: the actors are
//! taken, their images are not; an `Update` replaces a good icon and one without an icon
//! removes it (SQLite and PostgreSQL).

use crate::common;

use std::io::Cursor;
use std::time::Duration;

use common::eventually;
use common::fake_origin::{FakeOrigin, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::instance::{Instance, api_request, channel_followers, start};
use image::{DynamicImage, ImageFormat, RgbImage};
use serde_json::{Value, json};

const FEDERATION: &str = "[federation]\nallow_private_addresses = true\n";

fn picture(width: u32, height: u32, colour: [u8; 3], format: ImageFormat) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, image::Rgb(colour)));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

async fn pick(instance: &Instance, path: &str, field: &str, bytes: Vec<u8>) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("picture.png")
        .mime_str("image/png")
        .unwrap();
    let response = instance
        .http
        .post(format!("{}/api/v1{path}", instance.base))
        .bearer_auth(&instance.token)
        .multipart(reqwest::multipart::Form::new().part(field.to_owned(), part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn get(instance: &Instance, path: &str) -> Value {
    api_request(instance, reqwest::Method::GET, path, None)
        .await
        .1
}

/// The colour in the middle of the image at `url`, fetched from `instance`, which must serve it.
async fn colour_at(instance: &Instance, url: &str) -> [u8; 3] {
    assert!(
        url.starts_with(&instance.base),
        "{url} is not served by {}",
        instance.base
    );
    let response = instance.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let image = image::load_from_memory(&response.bytes().await.unwrap())
        .unwrap()
        .to_rgb8();
    image.get_pixel(image.width() / 2, image.height() / 2).0
}

fn near(colour: [u8; 3], expected: [u8; 3]) -> bool {
    colour.iter().zip(expected).all(|(a, b)| a.abs_diff(b) < 40)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channels_avatar_and_banner_reach_the_other_instance() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let postgres = kinora_db::testing::TestDb::postgres().await;
    let db_a = format!("sqlite://{}/kinora.db", dir_a.path().display());
    let a = start(dir_a.path(), &db_a, 0, FEDERATION).await;
    let b = start(dir_b.path(), &postgres.config.url, 0, FEDERATION).await;
    pick(
        &a,
        "/video-channels/root_channel/avatar/pick",
        "avatarfile",
        picture(200, 200, [220, 20, 20], ImageFormat::Png),
    )
    .await;
    pick(
        &a,
        "/video-channels/root_channel/banner/pick",
        "bannerfile",
        picture(1200, 200, [20, 20, 220], ImageFormat::Png),
    )
    .await;

    let (status, body) = api_request(
        &b,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("root_channel@localhost:{}", a.port) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let handle = format!("/api/v1/video-channels/root_channel@localhost:{}", a.port);
    let channel = eventually(
        Duration::from_secs(30),
        "B has A's channel with its images",
        || async {
            let channel = get(&b, &handle).await;
            (channel["avatars"].as_array().is_some_and(|l| l.len() == 4)
                && channel["banners"].as_array().is_some_and(|l| l.len() == 2))
            .then_some(channel)
        },
    )
    .await;
    let widths: Vec<i64> = channel["avatars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [1500, 600, 120, 48]);
    // B serves its own copies, re-encoded: never a link to A.
    let avatar = channel["avatars"][2]["fileUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        near(colour_at(&b, &avatar).await, [220, 20, 20]),
        "{avatar}"
    );
    let banner = channel["banners"][0]["fileUrl"].as_str().unwrap();
    assert!(near(colour_at(&b, banner).await, [20, 20, 220]), "{banner}");

    // A changes the avatar and drops the banner: B follows the channel, so the Update reaches it.
    eventually(Duration::from_secs(30), "A has B's follower", || async {
        (channel_followers(&a).await == 1).then_some(())
    })
    .await;
    pick(
        &a,
        "/video-channels/root_channel/avatar/pick",
        "avatarfile",
        picture(200, 200, [20, 200, 20], ImageFormat::Png),
    )
    .await;
    let (status, _) = api_request(
        &a,
        reqwest::Method::DELETE,
        "/api/v1/video-channels/root_channel/banner",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let changed = eventually(
        Duration::from_secs(30),
        "B has A's new avatar and no banner",
        || async {
            let channel = get(&b, &handle).await;
            let url = channel["avatars"][2]["fileUrl"].as_str()?.to_owned();
            (url != avatar && channel["banners"] == json!([])).then_some(url)
        },
    )
    .await;
    assert!(
        near(colour_at(&b, &changed).await, [20, 200, 20]),
        "{changed}"
    );
    let old = b.http.get(&avatar).send().await.unwrap();
    assert_eq!(old.status(), 404, "B deleted the old copy");
    drop(a);
    drop(b);
    postgres.finish().await;
}

/// A Person on `origin` named `name` whose `icon` is at `icon` (none: no icon).
fn person_with_icon(origin: &FakeOrigin, name: &str, icon: Option<&str>) -> Value {
    let mut person = origin.person(name, name);
    if let Some(icon) = icon {
        person["icon"] = json!([{ "type": "Image", "mediaType": "image/png", "width": 400, "height": 400, "url": origin.url(icon) }]);
    }
    origin.serve_document(&format!("/accounts/{name}"), person.clone());
    person
}

/// How many images are stored for the remote actor at `url`, and where they came from.
async fn remote_images(site: &Site, url: &str) -> (i64, Option<String>) {
    let sql = format!(
        "SELECT COUNT(*) FROM actor_images i JOIN actors a ON a.id = i.actor_id WHERE a.url = '{url}'"
    );
    let count = site.count(&sql).await;
    let from = site
        .text(&format!(
            "SELECT i.remote_url FROM actor_images i JOIN actors a ON a.id = i.actor_id WHERE a.url = '{url}'"
        ))
        .await;
    (count, from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_icons_are_checked_and_replaced() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let origin = FakeOrigin::start().await;
        let root = site.url("/accounts/root");
        origin.serve_file(
            "/img/good.png",
            "image/png",
            picture(400, 400, [250, 120, 0], ImageFormat::Png),
        );
        origin.serve_file(
            "/img/good2.webp",
            "image/webp",
            picture(400, 400, [0, 120, 250], ImageFormat::WebP),
        );
        origin.serve_file("/img/huge.png", "image/png", vec![0u8; 5 * 1024 * 1024]);
        origin.serve_file(
            "/img/page.png",
            "text/html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        );
        origin.serve_file(
            "/img/face.svg",
            "image/svg+xml",
            br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
        );
        origin.serve_file(
            "/img/lying.png",
            "image/png",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec(),
        );
        let mut bomb = picture(1, 1, [0, 0, 0], ImageFormat::Png);
        bomb[16..24].copy_from_slice(&[0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60]);
        origin.serve_file("/img/bomb.png", "image/png", bomb);

        let cases = [
            ("good", "/img/good.png", 4),
            ("huge", "/img/huge.png", 0),
            ("page", "/img/page.png", 0),
            ("svg", "/img/face.svg", 0),
            ("lying", "/img/lying.png", 0),
            ("bomb", "/img/bomb.png", 0),
        ];
        for (n, (name, icon, expected)) in cases.iter().enumerate() {
            let person = person_with_icon(&origin, name, Some(icon));
            let id = person["id"].as_str().unwrap();
            let follow = activity(
                "Follow",
                &origin.url(&format!("/follows/{n}")),
                id,
                json!(root),
            );
            let (status, answer) = post_signed_as(&site.inbox(), &key(id), &follow).await;
            assert_eq!(status, 202, "{database:?} {name}: {answer}");
            site.settled().await;
            assert_eq!(
                site.count(&format!("SELECT COUNT(*) FROM actors WHERE url = '{id}'"))
                    .await,
                1,
                "{database:?} {name}: the actor is taken"
            );
            assert_eq!(
                remote_images(&site, id).await.0,
                *expected,
                "{database:?} {name}"
            );
        }
        let good = origin.url("/accounts/good");
        assert_eq!(
            remote_images(&site, &good).await.1,
            Some(origin.url("/img/good.png"))
        );
        let account = get(
            &site.instance,
            &format!("/api/v1/accounts/good@{}", origin.host),
        )
        .await;
        let url = account["avatars"][0]["fileUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("{account}"))
            .to_owned();
        assert!(near(colour_at(&site.instance, &url).await, [250, 120, 0]));

        // An Update naming another icon replaces the images; one without an icon removes them.
        let document = person_with_icon(&origin, "good", Some("/img/good2.webp"));
        let update = activity("Update", &origin.url("/updates/1"), &good, document);
        let (status, answer) = post_signed_as(&site.inbox(), &key(&good), &update).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(
            remote_images(&site, &good).await,
            (4, Some(origin.url("/img/good2.webp"))),
            "{database:?}"
        );
        let account = get(
            &site.instance,
            &format!("/api/v1/accounts/good@{}", origin.host),
        )
        .await;
        let new_url = account["avatars"][0]["fileUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(near(
            colour_at(&site.instance, &new_url).await,
            [0, 120, 250]
        ));
        assert_eq!(
            site.instance.http.get(&url).send().await.unwrap().status(),
            404,
            "the old copy is gone"
        );
        let document = person_with_icon(&origin, "good", None);
        let update = activity("Update", &origin.url("/updates/2"), &good, document);
        let (status, answer) = post_signed_as(&site.inbox(), &key(&good), &update).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(remote_images(&site, &good).await.0, 0, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
