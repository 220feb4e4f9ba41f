//! Avatars and banners (issue 18) on a real `kinora serve`, on SQLite and PostgreSQL: uploaded
//! through PeerTube's routes, stored as JPEGs the server encoded in PeerTube's sizes, served
//! under `/lazy-static/avatars/` and `/lazy-static/banners/` with the user-bytes headers, shown
//! in the REST JSON (accounts, channels, `users/me`, a video's account and channel, a comment's
//! account) and in the actors' ActivityPub `icon` and `image`, replaced and removed with their
//! files. Bad input (an SVG, a 60000×60000 PNG, an animated 500-frame GIF, an empty file, a file
//! whose declared type lies, an oversize body, another user's channel) is refused or bounded,
//! and a refusal changes nothing.

use crate::common;

use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, Instant};

use common::inbox_site::{DATABASES, Site};
use common::instance::{Instance, api_request};
use common::videos::insert_video;
use image::{DynamicImage, ImageFormat, RgbImage};
use serde_json::{Value, json};

/// An image of `width`×`height` in one colour, encoded as `format`.
fn picture(width: u32, height: u32, colour: [u8; 3], format: ImageFormat) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, image::Rgb(colour)));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

/// A valid 1×1 PNG whose header (checksum fixed) says it is `side`×`side` pixels.
fn png_claiming(side: u32) -> Vec<u8> {
    let mut bomb = picture(1, 1, [0, 0, 0], ImageFormat::Png);
    bomb[16..20].copy_from_slice(&side.to_be_bytes());
    bomb[20..24].copy_from_slice(&side.to_be_bytes());
    let mut crc = 0xffff_ffffu32;
    for byte in &bomb[12..29] {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xedb8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    bomb[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bomb
}

/// An animated GIF of `frames` 300×300 frames: the first red, the others blue.
fn animated_gif(frames: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        for index in 0..frames {
            let colour = if index == 0 {
                [255, 0, 0, 255]
            } else {
                [0, 0, 255, 255]
            };
            let frame = image::RgbaImage::from_pixel(300, 300, image::Rgba(colour));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    bytes
}

/// Posts `bytes` as multipart field `field` (file name and declared type given) to `path`.
async fn pick(
    instance: &Instance,
    token: &str,
    path: &str,
    field: &str,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap();
    let form = reqwest::multipart::Form::new().part(field.to_owned(), part);
    let mut request = instance
        .http
        .post(format!("{}/api/v1{path}", instance.base));
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.multipart(form).send().await;
    // A server that refuses a body before reading all of it may close the connection while
    // the client is still writing: status 0.
    let Ok(response) = response else {
        return (0, Value::Null);
    };
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sends only the head of an avatar upload announcing `length` bytes; answers the status and
/// text the server gave from the head alone.
async fn pick_head_only(instance: &Instance, token: &str, length: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", instance.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/users/me/avatar/pick HTTP/1.1\r\nhost: localhost:{}\r\n\
         authorization: Bearer {token}\r\ncontent-type: multipart/form-data; boundary=x\r\n\
         content-length: {length}\r\nconnection: close\r\n\r\n",
        instance.port
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answered from the head alone")
        .unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// A new user (made by root) and their access token.
async fn user_token(instance: &Instance, name: &str) -> String {
    let (status, body) = api_request(instance, reqwest::Method::POST, "/api/v1/users",
        Some(json!({ "username": name, "email": format!("{name}@example.com"), "password": "secret-password", "role": 2 }))).await;
    assert_eq!(status, 200, "{body}");
    let client = get(instance, "/api/v1/oauth-clients/local").await;
    let form = [
        ("client_id", client["client_id"].as_str().unwrap()),
        ("client_secret", client["client_secret"].as_str().unwrap()),
        ("grant_type", "password"),
        ("username", name),
        ("password", "secret-password"),
    ];
    let response = instance
        .http
        .post(format!("{}/api/v1/users/token", instance.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn get(instance: &Instance, path: &str) -> Value {
    let (status, body) = api_request(instance, reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The `width`s of a list of `ActorImage`s.
fn widths(images: &Value) -> Vec<i64> {
    images
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {images}"))
        .iter()
        .map(|image| image["width"].as_i64().unwrap())
        .collect()
}

/// The files under the instance's stored avatars and banners.
fn stored_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("storage/avatars"))
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Fetches an image URL: checks the headers of user bytes and answers the decoded image.
async fn fetch_image(instance: &Instance, url: &str) -> DynamicImage {
    let response = instance.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg", "{url}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{url}");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"),
        "{url}"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(image::guess_format(&bytes).unwrap(), ImageFormat::Jpeg);
    image::load_from_memory(&bytes).unwrap()
}

async fn status_of(instance: &Instance, url: &str) -> u16 {
    instance
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn avatars_and_banners_are_resized_served_shown_and_removed() {
    for database in DATABASES {
        let site = Site::start(database, "").await;
        let a = &site.instance;
        let token = a.token.clone();
        let png = picture(300, 200, [200, 10, 10], ImageFormat::Png);

        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "avatarfile",
            png.clone(),
            "me.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 200, "{database:?}: {body}");
        assert_eq!(widths(&body["avatars"]), [1500, 600, 120, 48], "{body}");
        for image in body["avatars"].as_array().unwrap() {
            let path = image["path"].as_str().unwrap();
            assert!(
                path.starts_with("/lazy-static/avatars/") && path.ends_with(".jpg"),
                "{path}"
            );
            assert_eq!(image["fileUrl"], format!("{}{path}", a.base));
            assert_eq!(image["height"], image["width"]);
            let served = fetch_image(a, image["fileUrl"].as_str().unwrap()).await;
            assert_eq!(i64::from(served.width()), image["width"].as_i64().unwrap());
            assert_eq!(
                i64::from(served.height()),
                image["height"].as_i64().unwrap()
            );
        }
        let first_avatar = body["avatars"][0]["fileUrl"].as_str().unwrap().to_owned();
        assert_eq!(stored_files(site.dir()).len(), 4);

        let (status, body) = pick(
            a,
            &token,
            "/video-channels/root_channel/avatar/pick",
            "avatarfile",
            picture(64, 64, [10, 200, 10], ImageFormat::WebP),
            "c.webp",
            "image/webp",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, banner) = pick(
            a,
            &token,
            "/video-channels/root_channel/banner/pick",
            "bannerfile",
            picture(1200, 200, [10, 10, 200], ImageFormat::Jpeg),
            "b.jpg",
            "image/jpeg",
        )
        .await;
        assert_eq!(status, 200, "{banner}");
        assert_eq!(widths(&banner["banners"]), [1920, 600]);
        assert_eq!(banner["banners"][0]["height"], 317);
        let wide = fetch_image(a, banner["banners"][1]["fileUrl"].as_str().unwrap()).await;
        assert_eq!((wide.width(), wide.height()), (600, 100));
        // A banner is not an avatar: its file is not served under /lazy-static/avatars/.
        let banner_path = banner["banners"][0]["path"].as_str().unwrap();
        assert_eq!(
            status_of(
                a,
                &format!(
                    "{}{}",
                    a.base,
                    banner_path.replace("/banners/", "/avatars/")
                )
            )
            .await,
            404
        );

        // The REST JSON.
        let me = get(a, "/api/v1/users/me").await;
        assert_eq!(
            widths(&me["account"]["avatars"]),
            [1500, 600, 120, 48],
            "{me}"
        );
        assert_eq!(
            widths(&me["videoChannels"][0]["avatars"]),
            [1500, 600, 120, 48],
            "{me}"
        );
        assert_eq!(
            widths(&me["videoChannels"][0]["banners"]),
            [1920, 600],
            "{me}"
        );
        let account = get(a, "/api/v1/accounts/root").await;
        assert_eq!(account["avatars"][0]["fileUrl"], first_avatar);
        let channel = get(a, "/api/v1/video-channels/root_channel").await;
        assert_eq!(widths(&channel["banners"]), [1920, 600]);
        assert_eq!(
            widths(&channel["ownerAccount"]["avatars"]),
            [1500, 600, 120, 48]
        );
        let video = insert_video(&site.db, a.channel, "With faces", 1, 1, 0).await;
        let listed = get(a, "/api/v1/videos?count=5").await;
        let item = &listed["data"][0];
        assert_eq!(
            widths(&item["account"]["avatars"]),
            [1500, 600, 120, 48],
            "{item}"
        );
        assert_eq!(
            widths(&item["channel"]["avatars"]),
            [1500, 600, 120, 48],
            "{item}"
        );
        let details = get(a, &format!("/api/v1/videos/{}", video.uuid)).await;
        assert_eq!(widths(&details["channel"]["avatars"]), [1500, 600, 120, 48]);
        let (status, body) = api_request(
            a,
            reqwest::Method::POST,
            &format!("/api/v1/videos/{}/comment-threads", video.uuid),
            Some(json!({ "text": "Nice faces" })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let threads = get(a, &format!("/api/v1/videos/{}/comment-threads", video.uuid)).await;
        assert_eq!(
            widths(&threads["data"][0]["account"]["avatars"]),
            [1500, 600, 120, 48],
            "{threads}"
        );

        // ActivityPub: icon and image as PeerTube sends them.
        let group = common::instance::ap_document(a, "/video-channels/root_channel").await;
        let icons = group["icon"]
            .as_array()
            .unwrap_or_else(|| panic!("{group}"));
        assert_eq!(icons.len(), 4);
        assert_eq!(icons[0]["type"], "Image");
        assert_eq!(icons[0]["mediaType"], "image/jpeg");
        assert_eq!(
            (icons[0]["width"].as_i64(), icons[0]["height"].as_i64()),
            (Some(1500), Some(1500))
        );
        assert_eq!(group["image"].as_array().unwrap().len(), 2, "{group}");
        assert_eq!(group["image"][0]["url"], banner["banners"][0]["fileUrl"]);
        let person = common::instance::ap_document(a, "/accounts/root").await;
        assert_eq!(person["icon"][0]["url"], first_avatar.as_str());
        // The changes were queued for the followers (an Update of each actor).
        assert!(site.count("SELECT COUNT(*) FROM jobs WHERE kind = 'federate' AND payload LIKE '%actor-updated%'").await >= 3);

        // A new avatar replaces the old files; removal empties the lists and deletes the files.
        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "avatarfile",
            picture(80, 80, [1, 2, 3], ImageFormat::Gif),
            "new.gif",
            "image/gif",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            status_of(a, &first_avatar).await,
            404,
            "the old avatar is gone"
        );
        assert_eq!(stored_files(site.dir()).len(), 4 + 4 + 2);
        let (status, _) =
            api_request(a, reqwest::Method::DELETE, "/api/v1/users/me/avatar", None).await;
        assert_eq!(status, 204);
        assert_eq!(get(a, "/api/v1/accounts/root").await["avatars"], json!([]));
        assert_eq!(
            status_of(a, body["avatars"][0]["fileUrl"].as_str().unwrap()).await,
            404
        );
        let (status, _) = api_request(
            a,
            reqwest::Method::DELETE,
            "/api/v1/video-channels/root_channel/banner",
            None,
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(
            get(a, "/api/v1/video-channels/root_channel").await["banners"],
            json!([])
        );
        assert!(
            common::instance::ap_document(a, "/video-channels/root_channel")
                .await
                .get("image")
                .is_none()
        );
        assert_eq!(
            stored_files(site.dir()).len(),
            4,
            "only the channel's avatar is left"
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_images_are_refused_and_change_nothing() {
    for database in DATABASES {
        let site = Site::start(database, "[uploads]\nmax_image_size = 2097152\n").await;
        let a = &site.instance;
        let token = a.token.clone();
        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "avatarfile",
            picture(100, 100, [9, 9, 9], ImageFormat::Png),
            "ok.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let before = get(a, "/api/v1/accounts/root").await["avatars"].clone();
        let files = stored_files(site.dir());

        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script></svg>"#.to_vec();
        let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
        let cases: Vec<(&str, Vec<u8>, &str, &str, u16)> = vec![
            ("an SVG", svg, "face.svg", "image/svg+xml", 400),
            (
                "an SVG declared as a PNG",
                br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec(),
                "face.png",
                "image/png",
                400,
            ),
            ("HTML declared as a PNG", html, "face.png", "image/png", 400),
            (
                "a 60000x60000 PNG",
                png_claiming(60_000),
                "bomb.png",
                "image/png",
                400,
            ),
            ("an empty file", Vec::new(), "empty.png", "image/png", 400),
            (
                "a truncated PNG",
                picture(100, 100, [1, 1, 1], ImageFormat::Png)[..60].to_vec(),
                "cut.png",
                "image/png",
                400,
            ),
            (
                "a file over uploads.max_image_size",
                vec![0u8; 2 * 1024 * 1024 + 1],
                "big.png",
                "image/png",
                413,
            ),
        ];
        for (what, bytes, name, mime, expected) in cases {
            let started = Instant::now();
            let (status, body) = pick(
                a,
                &token,
                "/users/me/avatar/pick",
                "avatarfile",
                bytes,
                name,
                mime,
            )
            .await;
            // An oversize body may be cut off while it is still being sent.
            if !(expected == 413 && status == 0) {
                assert_eq!(status, expected, "{database:?} {what}: {body}");
                assert!(
                    body["detail"].is_string() || body["error"].is_string(),
                    "{what}: problem+json {body}"
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{what} took {:?}",
                started.elapsed()
            );
            assert_eq!(
                get(a, "/api/v1/accounts/root").await["avatars"],
                before,
                "{what} changed the avatar"
            );
            assert_eq!(stored_files(site.dir()), files, "{what} left files");
        }
        // A body announced over the limit is refused from its head alone.
        let (status, answer) = pick_head_only(a, &token, 17 * 1024 * 1024).await;
        assert_eq!(status, 413, "{database:?}: {answer}");
        assert!(answer.contains("max_file_size_reached"), "{answer}");
        // The wrong field name, or none.
        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "bannerfile",
            picture(10, 10, [1, 1, 1], ImageFormat::Png),
            "b.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 400, "{body}");
        // Another user's channel: 403 before the image is even read, nothing changed.
        let mallory = user_token(a, "mallory").await;
        let (status, body) = pick(
            a,
            &mallory,
            "/video-channels/root_channel/avatar/pick",
            "avatarfile",
            picture(10, 10, [1, 1, 1], ImageFormat::Png),
            "x.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 403, "{body}");
        let response = a
            .http
            .delete(format!(
                "{}/api/v1/video-channels/root_channel/avatar",
                a.base
            ))
            .bearer_auth(&mallory)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let (status, _) = pick(
            a,
            "",
            "/users/me/avatar/pick",
            "avatarfile",
            picture(10, 10, [1, 1, 1], ImageFormat::Png),
            "x.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(stored_files(site.dir()), files);

        // A 500-frame animated GIF: its first frame only (red), in bounded time.
        let gif = animated_gif(500);
        assert!(
            gif.len() < 2 * 1024 * 1024,
            "the GIF fits the limit: {}",
            gif.len()
        );
        let started = Instant::now();
        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "avatarfile",
            gif,
            "anim.gif",
            "image/gif",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the GIF took {:?}",
            started.elapsed()
        );
        let small = fetch_image(a, body["avatars"][3]["fileUrl"].as_str().unwrap())
            .await
            .to_rgb8();
        let [r, g, b] = small.get_pixel(24, 24).0;
        assert!(
            r > 200 && g < 60 && b < 60,
            "the first frame, red: {r} {g} {b}"
        );

        // A JPEG declared as a PNG is read for what it is, and served re-encoded.
        let jpeg = picture(100, 100, [250, 250, 0], ImageFormat::Jpeg);
        let (status, body) = pick(
            a,
            &token,
            "/users/me/avatar/pick",
            "avatarfile",
            jpeg.clone(),
            "lie.png",
            "image/png",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let served = a
            .http
            .get(body["avatars"][3]["fileUrl"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_ne!(served.as_ref(), jpeg.as_slice(), "never the uploaded bytes");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
