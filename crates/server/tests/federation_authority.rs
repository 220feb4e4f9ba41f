//! Who may change or delete what, at a real instance's inbox (issue 7, research/security.md
//! §1.3): a video followed here lives on fake instance C; fake instance B, correctly signed,
//! tries to update and delete it, our own video, our users and other actors. Each case runs on
//! SQLite and on PostgreSQL and reads the instance's tables; a change by the real owner closes
//! each case, so the test would see a change had one slipped through.

use crate::common;

use common::fake_origin::{FakeOrigin, activity, key};
use common::inbox_site::{DATABASES, PRIVATE_ALLOWED, Site};
use common::videos::insert_video;
use serde_json::json;

const CHANNEL: &str = "/video-channels/noticias.alquimidia";

/// Root follows C's channel (through WebFinger and a Follow delivered to C), then C's channel
/// sends Create{Video}; answers the video's id once the instance stored it.
async fn followed_video(site: &Site, c: &FakeOrigin) -> String {
    let response = site
        .instance
        .http
        .post(site.url("/api/v1/users/me/subscriptions"))
        .bearer_auth(&site.instance.token)
        .json(&json!({"uri": format!("noticias.alquimidia@{}", c.host)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204, "{}", response.text().await.unwrap());
    let video = c.video();
    let id = video["id"].as_str().unwrap().to_owned();
    c.serve_document(&id.replace(&c.base, ""), video.clone());
    let channel = c.url(CHANNEL);
    let create = activity("Create", &format!("{id}/activity"), &channel, video);
    let (status, answer) = c.post_signed(&site.inbox(), &key(&channel), &create).await;
    assert_eq!(status, 202, "{answer}");
    site.settled().await;
    assert_eq!(video_name(site, &id).await.as_deref(), Some(ORIGINAL_NAME));
    id
}

const ORIGINAL_NAME: &str =
    "1° WebSocialBR – Fórum do Fediverso Brasileiro - 12/3/2025, 8:21:48 PM";

async fn video_name(site: &Site, url: &str) -> Option<String> {
    site.text(&format!("SELECT name FROM videos WHERE url = '{url}'"))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn az_01_only_a_videos_owner_updates_it() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let c = FakeOrigin::start().await;
        let video_id = followed_video(&site, &c).await;
        let ours = insert_video(&site.db, site.instance.channel, "Our own video", 1, 1, 0).await;
        let our_url = site.url(&format!("/videos/watch/{}", ours.uuid));
        let mallory = b.url("/accounts/mallory");
        let files_before = site
            .text("SELECT files FROM remote_video_media")
            .await
            .unwrap();

        // B rewrites C's video, embedded (title, privacy, files, playlist) and by reference.
        let mut hijacked = c.video();
        hijacked["name"] = json!("Hijacked by B");
        hijacked["to"] = json!([]);
        hijacked["url"] = json!([{
            "type": "Link",
            "mediaType": "application/x-mpegURL",
            "href": b.url("/evil/master.m3u8"),
            "tag": [],
        }]);
        let update = activity("Update", &b.url("/updates/1"), &mallory, hijacked.clone());
        let by_reference = activity("Update", &b.url("/updates/2"), &mallory, json!(video_id));
        // … and our video, claiming it with a copy of C's document under our id.
        let mut our_copy = hijacked;
        our_copy["id"] = json!(our_url);
        our_copy["uuid"] = json!(ours.uuid);
        let update_ours = activity("Update", &b.url("/updates/3"), &mallory, our_copy);
        // … and a neighbour on C, who signs for C's host but does not own the video.
        let eve = c.url("/accounts/eve");
        let mut neighbour = c.video();
        neighbour["name"] = json!("Hijacked by a neighbour");
        let update_by_neighbour = activity("Update", &c.url("/updates/4"), &eve, neighbour);
        let (status, answer) = c
            .post_signed(&site.inbox(), &key(&eve), &update_by_neighbour)
            .await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;
        assert_eq!(
            video_name(&site, &video_id).await.as_deref(),
            Some(ORIGINAL_NAME),
            "{database:?}: a neighbour on the video's host"
        );
        for body in [update, by_reference, update_ours] {
            let (status, answer) = b.post_signed(&site.inbox(), &key(&mallory), &body).await;
            assert!(status == 202 || status == 403, "{database:?}: {answer}");
        }
        site.settled().await;
        assert_eq!(
            video_name(&site, &video_id).await.as_deref(),
            Some(ORIGINAL_NAME),
            "{database:?}"
        );
        let files_after = site.text("SELECT files FROM remote_video_media").await;
        assert_eq!(files_after.as_deref(), Some(files_before.as_str()));
        let playlists = site
            .count(&format!(
                "SELECT COUNT(*) FROM remote_video_media WHERE playlist_url LIKE '{}%'",
                b.base
            ))
            .await;
        assert_eq!(playlists, 0, "{database:?}");
        let privacy = site
            .count(&format!(
                "SELECT COUNT(*) FROM videos WHERE url = '{video_id}' AND privacy = 1"
            ))
            .await;
        assert_eq!(privacy, 1, "{database:?}");
        let our_name = site
            .text(&format!("SELECT name FROM videos WHERE id = {}", ours.id))
            .await;
        assert_eq!(our_name.as_deref(), Some("Our own video"), "{database:?}");

        // The owner's Update goes through.
        let mut renamed = c.video();
        renamed["name"] = json!("Renamed by its channel");
        c.serve_document(&video_id.replace(&c.base, ""), renamed.clone());
        let channel = c.url(CHANNEL);
        let update = activity("Update", &c.url("/updates/9"), &channel, renamed);
        let (status, answer) = c.post_signed(&site.inbox(), &key(&channel), &update).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(
            video_name(&site, &video_id).await.as_deref(),
            Some("Renamed by its channel"),
            "{database:?}"
        );
        site.assert_no_faults().await;
        site.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn az_02_deletes_by_non_owners_are_ignored() {
    for database in DATABASES {
        let site = Site::start(database, PRIVATE_ALLOWED).await;
        let b = FakeOrigin::start().await;
        let c = FakeOrigin::start().await;
        let video_id = followed_video(&site, &c).await;
        let mallory = b.url("/accounts/mallory");
        let victims = [
            video_id.clone(),
            site.url("/accounts/root"),
            site.url("/video-channels/root_channel"),
            c.url(CHANNEL),
            c.url("/accounts/noticias.alquimidia-owner"),
            c.url("/notes/1"),
        ];
        // A comment on the video by C's talker, for a Delete by someone else.
        let talker = c.url("/accounts/talker");
        let note = c.note("/notes/1", &video_id, "said on C");
        let create = activity("Create", &c.url("/notes/1/activity"), &talker, note);
        let (status, answer) = c.post_signed(&site.inbox(), &key(&talker), &create).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        let live_comment = format!(
            "SELECT COUNT(*) FROM video_comments WHERE url = '{}' AND deleted_at IS NULL",
            c.url("/notes/1")
        );
        assert_eq!(
            site.count(&live_comment).await,
            1,
            "{:?}",
            site.job_errors().await
        );
        let actors_before = site.count("SELECT COUNT(*) FROM actors").await;
        for (n, victim) in victims.iter().enumerate() {
            let delete = activity(
                "Delete",
                &b.url(&format!("/deletes/{n}")),
                &mallory,
                json!(victim),
            );
            let (status, answer) = b.post_signed(&site.inbox(), &key(&mallory), &delete).await;
            assert_eq!(status, 202, "{database:?} {victim}: {answer}");
        }
        // A Delete{Person} with the person embedded, as Mastodon sends it.
        let embedded = activity(
            "Delete",
            &b.url("/deletes/embedded"),
            &mallory,
            json!({"type": "Person", "id": c.url("/accounts/noticias.alquimidia-owner")}),
        );
        let (status, answer) = b
            .post_signed(&site.inbox(), &key(&mallory), &embedded)
            .await;
        assert_eq!(status, 202, "{database:?}: {answer}");
        site.settled().await;
        assert_eq!(
            video_name(&site, &video_id).await.as_deref(),
            Some(ORIGINAL_NAME),
            "{database:?}"
        );
        // Mallory herself was stored by the key fetch; nobody else went.
        assert_eq!(
            site.count("SELECT COUNT(*) FROM actors").await,
            actors_before + 1,
            "{database:?}"
        );
        assert_eq!(
            site.count("SELECT COUNT(*) FROM users WHERE username = 'root'")
                .await,
            1
        );
        for url in [c.url(CHANNEL), c.url("/accounts/noticias.alquimidia-owner")] {
            let kept = site
                .count(&format!("SELECT COUNT(*) FROM actors WHERE url = '{url}'"))
                .await;
            assert_eq!(kept, 1, "{database:?} {url}");
        }

        assert_eq!(site.count(&live_comment).await, 1, "{database:?}");

        // The author's own Delete removes the comment; the channel's own, the video.
        let delete = activity(
            "Delete",
            &c.url("/deletes/8"),
            &talker,
            json!(c.url("/notes/1")),
        );
        let (status, answer) = c.post_signed(&site.inbox(), &key(&talker), &delete).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(site.count(&live_comment).await, 0, "{database:?}");
        let channel = c.url(CHANNEL);
        let delete = activity("Delete", &c.url("/deletes/9"), &channel, json!(video_id));
        let (status, answer) = c.post_signed(&site.inbox(), &key(&channel), &delete).await;
        assert_eq!(status, 202, "{answer}");
        site.settled().await;
        assert_eq!(video_name(&site, &video_id).await, None, "{database:?}");
        site.assert_no_faults().await;
        site.finish().await;
    }
}
