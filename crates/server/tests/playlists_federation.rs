//! Playlists between instances, as PeerTube's `Playlist` objects.
//!
//! Two real instances (A on SQLite, B on PostgreSQL): B follows A's channel; A's public
//! playlist of two videos reaches B (a Create, then Updates as videos are added), is listed
//! there and plays the same videos in the same order; a thumbnail set on A becomes B's own
//! re-encoded file; A's Delete takes it away. A's documents
//! are checked: the Playlist (`totalItems`, `first`, `attributedTo`, `icon`), its page of
//! element ids, and each PlaylistElement; a private playlist is not served.
//!
//! A fake origin announces a playlist of 100,000 items (endless pages): the instance reads at
//! most `REMOTE_ELEMENTS_MAX` of them and a bounded number of pages, and stores that many;
//! its icon, a web page rather than an image, is refused and the playlist kept without one.

use crate::common;

use std::time::Duration;

use common::activitypub::add_media;
use common::eventually;
use common::fake_origin::{FakeOrigin, PUBLIC, activity, key, post_signed_as};
use common::inbox_site::{DATABASES, Database, PRIVATE_ALLOWED, Site};
use common::instance::{Instance, api_request, channel_followers};
use common::videos::insert_video;
use kinora_core::playlist::REMOTE_ELEMENTS_MAX;
use serde_json::{Value, json};

async fn anonymous(instance: &Instance, path: &str) -> (u16, Value) {
    let response = instance
        .http
        .get(format!("{}{path}", instance.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ap(instance: &Instance, path: &str) -> (u16, Value) {
    let response = instance
        .http
        .get(format!("{}{path}", instance.base))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_playlist_of_a_reaches_b_in_order_and_leaves_with_its_delete() {
    let a = Site::start(Database::Sqlite, PRIVATE_ALLOWED).await;
    let b = Site::start(Database::Postgres, PRIVATE_ALLOWED).await;
    let uri = format!("root_channel@localhost:{}", a.instance.port);
    let (status, body) = api_request(
        &b.instance,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": uri })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(60), "B follows A's channel", || async {
        (channel_followers(&a.instance).await == 1).then_some(())
    })
    .await;

    // Two published videos on A (written into its database, with renditions).
    let first = insert_video(&a.db, a.instance.channel, "First of the list", 1, 1, 0).await;
    let second = insert_video(&a.db, a.instance.channel, "Second of the list", 1, 1, 0).await;
    add_media(&a.db, &first).await;
    add_media(&a.db, &second).await;

    let (status, created) = api_request(
        &a.instance,
        reqwest::Method::POST,
        "/api/v1/video-playlists",
        Some(json!({"displayName": "Shared list", "description": "From A to B", "privacy": 1, "videoChannelId": a.instance.channel})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let uuid = created["videoPlaylist"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    for video in [&second, &first] {
        let (status, body) = api_request(
            &a.instance,
            reqwest::Method::POST,
            &format!("/api/v1/video-playlists/{uuid}/videos"),
            Some(json!({ "videoId": video.uuid })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    // A's documents.
    let (status, document) = ap(&a.instance, &format!("/video-playlists/{uuid}")).await;
    assert_eq!(status, 200, "{document}");
    let playlist_url = a.url(&format!("/video-playlists/{uuid}"));
    assert_eq!(document["id"], playlist_url);
    assert_eq!(document["type"], "Playlist");
    assert_eq!(document["totalItems"], 2);
    assert_eq!(document["name"], "Shared list");
    assert_eq!(document["uuid"], uuid);
    assert_eq!(
        document["attributedTo"],
        json!([a.url("/video-channels/root_channel")])
    );
    assert_eq!(document["to"], json!([PUBLIC]), "{document}");
    assert_eq!(document["first"], format!("{playlist_url}?page=1"));
    let (_, page) = ap(&a.instance, &format!("/video-playlists/{uuid}?page=1")).await;
    let items = page["orderedItems"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .clone();
    assert_eq!(items.len(), 2, "{page}");
    let element_path = items[0]
        .as_str()
        .unwrap()
        .strip_prefix(&a.instance.base)
        .unwrap()
        .to_owned();
    let (status, element) = ap(&a.instance, &element_path).await;
    assert_eq!(status, 200, "{element}");
    assert_eq!(element["type"], "PlaylistElement");
    assert_eq!(
        element["url"],
        a.url(&format!("/videos/watch/{}", second.uuid))
    );
    assert_eq!(element["position"], 1);

    // B lists it and plays the same videos in the same order.
    let remote = eventually(
        Duration::from_secs(90),
        "the playlist on B with its videos",
        || async {
            let (_, list) = anonymous(&b.instance, "/api/v1/video-playlists").await;
            let found = list["data"]
                .as_array()?
                .iter()
                .find(|p| p["uuid"] == uuid)?
                .clone();
            (found["videosLength"] == 2).then_some(found)
        },
    )
    .await;
    assert_eq!(remote["isLocal"], false);
    assert_eq!(remote["displayName"], "Shared list");
    assert_eq!(remote["url"], playlist_url);
    assert_eq!(remote["videoChannel"]["name"], "root_channel", "{remote}");
    let (_, elements) = anonymous(
        &b.instance,
        &format!("/api/v1/video-playlists/{uuid}/videos"),
    )
    .await;
    let names: Vec<&str> = elements["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["video"]["name"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        names,
        ["Second of the list", "First of the list"],
        "{elements}"
    );
    let channel = format!("root_channel@localhost:{}", a.instance.port);
    let (_, of_channel) = anonymous(
        &b.instance,
        &format!("/api/v1/video-channels/{channel}/video-playlists"),
    )
    .await;
    assert_eq!(of_channel["total"], 1, "{of_channel}");
    // A thumbnail given on A reaches B as B's own file: fetched, re-encoded at 280×157 and
    // served by B (A's URL is not handed out).
    let red = {
        let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            640,
            360,
            image::Rgb([220, 20, 20]),
        ));
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let part = reqwest::multipart::Part::bytes(red)
        .file_name("red.png")
        .mime_str("image/png")
        .unwrap();
    let response = a
        .instance
        .http
        .put(format!("{}/api/v1/video-playlists/{uuid}", a.instance.base))
        .bearer_auth(&a.instance.token)
        .multipart(reqwest::multipart::Form::new().part("thumbnailfile", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204, "{}", response.text().await.unwrap());
    let thumbnail = eventually(Duration::from_secs(60), "the thumbnail on B", || async {
        let (_, found) = anonymous(&b.instance, &format!("/api/v1/video-playlists/{uuid}")).await;
        let url = found["thumbnailUrl"].as_str()?.to_owned();
        url.starts_with(&b.instance.base).then_some(url)
    })
    .await;
    let response = b.instance.http.get(&thumbnail).send().await.unwrap();
    assert_eq!(response.status(), 200, "{thumbnail}");
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let shown = image::load_from_memory(&response.bytes().await.unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!((shown.width(), shown.height()), (280, 157));
    let centre = shown.get_pixel(140, 78).0;
    assert!(
        centre[0] > 180 && centre[1] < 70 && centre[2] < 70,
        "{centre:?}"
    );

    // The channel's order travels: A's second playlist is second on B, and after A moves it
    // to the front, B has it first too.
    let (status, second) = api_request(
        &a.instance,
        reqwest::Method::POST,
        "/api/v1/video-playlists",
        Some(json!({"displayName": "Second list", "privacy": 1, "videoChannelId": a.instance.channel})),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let second_uuid = second["videoPlaylist"]["uuid"].as_str().unwrap().to_owned();
    let (_, document) = ap(&a.instance, &format!("/video-playlists/{second_uuid}")).await;
    assert_eq!(document["videoChannelPosition"], 2, "{document}");
    let positions_on_b = || async {
        let (_, list) = anonymous(
            &b.instance,
            &format!("/api/v1/video-channels/{channel}/video-playlists?sort=videoChannelPosition"),
        )
        .await;
        list["data"]
            .as_array()
            .map(|data| {
                data.iter()
                    .map(|p| {
                        (
                            p["uuid"].as_str().unwrap_or("").to_owned(),
                            p["videoChannelPosition"].as_i64(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let before = vec![(uuid.clone(), Some(1)), (second_uuid.clone(), Some(2))];
    eventually(
        Duration::from_secs(60),
        "both playlists on B in A's order",
        || async { (positions_on_b().await == before).then_some(()) },
    )
    .await;
    let (status, body) = api_request(
        &a.instance,
        reqwest::Method::POST,
        "/api/v1/video-channels/root_channel/video-playlists/reorder",
        Some(json!({"startPosition": 2, "insertAfterPosition": 0})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let after = vec![(second_uuid.clone(), Some(1)), (uuid.clone(), Some(2))];
    eventually(Duration::from_secs(60), "A's new order on B", || async {
        (positions_on_b().await == after).then_some(())
    })
    .await;

    // B redirects to A for the document of a playlist it did not make.
    let redirect = b
        .instance
        .http
        .get(b.url(&format!("/video-playlists/{uuid}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.url().as_str(), playlist_url);

    // A private playlist is not served; A's deletion reaches B.
    let (_, private) = api_request(
        &a.instance,
        reqwest::Method::POST,
        "/api/v1/video-playlists",
        Some(json!({"displayName": "Mine only"})),
    )
    .await;
    let private_uuid = private["videoPlaylist"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = ap(&a.instance, &format!("/video-playlists/{private_uuid}")).await;
    assert_eq!(status, 404);
    let (status, _) = api_request(
        &a.instance,
        reqwest::Method::DELETE,
        &format!("/api/v1/video-playlists/{uuid}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    eventually(
        Duration::from_secs(60),
        "the playlist gone from B",
        || async {
            let (status, _) =
                anonymous(&b.instance, &format!("/api/v1/video-playlists/{uuid}")).await;
            (status == 404).then_some(())
        },
    )
    .await;
    a.assert_no_faults().await;
    b.assert_no_faults().await;
    a.finish().await;
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_playlist_of_100000_items_is_read_within_its_budget() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let origin = FakeOrigin::start().await;
        // Someone here follows the origin's channel.
        let (status, body) = api_request(
            &site.instance,
            reqwest::Method::POST,
            "/api/v1/users/me/subscriptions",
            Some(json!({ "uri": format!("big_channel@{}", origin.host) })),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        // 100,000 items announced; pages of 10 element ids, each page naming the next, as far
        // as the instance could go (60 pages are served, twice what it may read).
        let playlist = json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": origin.url("/video-playlists/big"),
            "type": "Playlist",
            "name": "Enormous",
            "uuid": "0b1a6f43-3e85-4b9d-8f47-1d2d6f1a2b3c",
            "totalItems": 100_000,
            "first": origin.url("/big-pages/1"),
            "attributedTo": [origin.url("/video-channels/big_channel")],
            "to": [PUBLIC],
            "published": "2026-12-01T10:00:00.000Z",
            "updated": "2026-12-01T10:00:00.000Z",
            // An icon that is a web page, not an image: the playlist is kept, without it.
            "icon": {"type": "Image", "url": origin.url("/icons/big.jpg"), "mediaType": "image/jpeg",
                     "width": 280, "height": 157},
        });
        origin.serve_file(
            "/icons/big.jpg",
            "text/html",
            b"<html><body>not an image</body></html>".to_vec(),
        );
        origin.serve_document("/video-playlists/big", playlist.clone());
        for page in 1..=60u64 {
            let items: Vec<Value> = (0..10u64)
                .map(|n| json!(origin.url(&format!("/big-elements/{}", (page - 1) * 10 + n))))
                .collect();
            origin.serve_document(
                &format!("/big-pages/{page}"),
                json!({"type": "OrderedCollectionPage", "id": origin.url(&format!("/big-pages/{page}")),
                       "partOf": origin.url("/video-playlists/big"), "totalItems": 100_000,
                       "orderedItems": items, "next": origin.url(&format!("/big-pages/{}", page + 1))}),
            );
            for n in 0..10u64 {
                let index = (page - 1) * 10 + n;
                origin.serve_document(
                    &format!("/big-elements/{index}"),
                    json!({"type": "PlaylistElement", "id": origin.url(&format!("/big-elements/{index}")),
                           "url": origin.url(&format!("/numbered-videos/{}", index % 3)), "position": index + 1}),
                );
            }
        }
        let owner = origin.url("/video-channels/big_channel");
        let create = activity("Create", &origin.url("/activities/big"), &owner, playlist);
        let (status, answer) = post_signed_as(&site.inbox(), &key(&owner), &create).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;

        let pages = origin.fetch_count("/big-pages/");
        let elements = origin.fetch_count("/big-elements/");
        assert!(
            pages <= REMOTE_ELEMENTS_MAX / 10 + 1,
            "{database:?}: {pages} pages read"
        );
        assert_eq!(
            elements, REMOTE_ELEMENTS_MAX,
            "{database:?}: {elements} elements read"
        );
        assert!(
            origin.fetch_count("/numbered-videos/") <= 3,
            "{database:?}: each video fetched once"
        );
        let stored = site
            .count("SELECT COUNT(*) FROM video_playlist_elements e JOIN video_playlists p ON p.id = e.playlist_id WHERE p.url IS NOT NULL")
            .await;
        assert_eq!(
            stored,
            REMOTE_ELEMENTS_MAX as i64,
            "{database:?}: {:?}",
            site.job_errors().await
        );
        let (_, list) = anonymous(&site.instance, "/api/v1/video-playlists").await;
        assert_eq!(list["data"][0]["displayName"], "Enormous", "{list}");
        assert_eq!(
            list["data"][0]["videosLength"], REMOTE_ELEMENTS_MAX,
            "{list}"
        );
        assert_eq!(
            origin.fetch_count("/icons/"),
            1,
            "{database:?}: the icon was tried"
        );
        assert_eq!(list["data"][0]["thumbnailUrl"], Value::Null, "{list}");
        assert_eq!(list["data"][0]["thumbnails"], json!([]), "{list}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
