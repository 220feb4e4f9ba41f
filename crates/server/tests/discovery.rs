//! Discovery as fediverse servers use it: WebFinger for accounts, channels and the instance
//! actor (and refusals for other hosts, unknown names and bad resources), host-meta and
//! NodeInfo 2.0 with live counts (of local videos and comments only). On SQLite and PostgreSQL.

use crate::common;

use axum::http::{StatusCode, header};
use common::activitypub::{insert_comment, remote_account};
use common::harness::Harness;
use common::videos::insert_video;
use kinora_db::backend_tests;

backend_tests! {
    async fn webfinger_finds_accounts_channels_and_the_instance_actor(db: Db) {
        let h = Harness::new(&db, |_| {});
        h.user_with_channel("alice").await;
        for (resource, href) in [
            ("acct:alice@localhost:9000", "http://localhost:9000/accounts/alice"),
            ("alice@localhost:9000", "http://localhost:9000/accounts/alice"),
            ("acct:alice_channel@localhost:9000", "http://localhost:9000/video-channels/alice_channel"),
            ("acct:peertube@localhost:9000", "http://localhost:9000/accounts/peertube"),
            ("http://localhost:9000/accounts/alice", "http://localhost:9000/accounts/alice"),
        ] {
            let path = format!(
                "/.well-known/webfinger?resource={}",
                form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
            );
            let (status, headers, body) = h.get_text(&path).await;
            assert_eq!(status, StatusCode::OK, "{resource}: {body}");
            assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/jrd+json"));
            let json: serde_json::Value = serde_json::from_str(&body).unwrap();
            let name = href.rsplit('/').next().unwrap();
            assert_eq!(json["subject"], format!("acct:{name}@localhost:9000"));
            assert_eq!(json["links"][0]["rel"], "self");
            assert_eq!(json["links"][0]["type"], "application/activity+json");
            assert_eq!(json["links"][0]["href"], href, "{resource}");
        }
        for (resource, status) in [
            ("acct:alice@elsewhere.example", StatusCode::NOT_FOUND),
            ("acct:nobody@localhost:9000", StatusCode::NOT_FOUND),
            ("acct:@localhost:9000", StatusCode::NOT_FOUND),
            ("alice", StatusCode::NOT_FOUND),
            ("", StatusCode::BAD_REQUEST),
        ] {
            let path = format!(
                "/.well-known/webfinger?resource={}",
                form_urlencoded::byte_serialize(resource.as_bytes()).collect::<String>()
            );
            assert_eq!(h.get_text(&path).await.0, status, "{resource:?}");
        }
        assert_eq!(h.get_text("/.well-known/webfinger").await.0, StatusCode::BAD_REQUEST);
        let long = format!("/.well-known/webfinger?resource=acct:{}@localhost:9000", "a".repeat(600));
        assert_eq!(h.get_text(&long).await.0, StatusCode::BAD_REQUEST);
    }

    async fn host_meta_and_nodeinfo_describe_the_instance(db: Db) {
        let h = Harness::new(&db, |config| config.instance.name = "Test <Tube>".into());
        let (_, channel) = h.user_with_channel("alice").await;
        let public = insert_video(&db, channel, "Public", 1, 1, 0).await;
        insert_video(&db, channel, "Private", 3, 1, 0).await;
        // A public video of another instance, and comments: alice's (local, counted, on both
        // videos) and a remote account's (not counted).
        let remote = insert_video(&db, channel, "Remote", 1, 1, 0).await;
        sqlx::query("UPDATE videos SET url = 'https://remote.example/videos/watch/r' WHERE id = $1")
            .bind(remote.id)
            .execute(db.pool())
            .await
            .unwrap();
        let alice = kinora_db::accounts::find_local_by_name(db.pool(), "alice").await.unwrap().unwrap();
        insert_comment(&db, public.id, alice.id, None, "Local on local").await;
        insert_comment(&db, remote.id, alice.id, None, "Local on remote").await;
        let (_, carol) = remote_account(&db, "remote.example", "carol").await;
        let mut tx = db.begin().await.unwrap();
        for (video, url) in [(public.id, "https://remote.example/c/1"), (remote.id, "https://remote.example/c/2")] {
            kinora_db::comments::insert_remote(&mut tx, &kinora_db::comments::NewComment {
                video_id: video, account_id: carol, thread_id: None, in_reply_to_id: None, text: "Remote", held_for_review: false,
            }, url, 1, 1).await.unwrap();
        }
        tx.commit().await.unwrap();

        let (status, headers, xrd) = h.get_text("/.well-known/host-meta").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/xrd+xml"));
        assert!(xrd.contains("template=\"http://localhost:9000/.well-known/webfinger?resource={uri}\""), "{xrd}");

        let (_, links) = h.get("/.well-known/nodeinfo", None).await;
        assert_eq!(links["links"][0]["href"], "http://localhost:9000/nodeinfo/2.0.json");
        assert_eq!(links["links"][1]["href"], "http://localhost:9000/accounts/peertube");
        let (status, info) = h.get("/nodeinfo/2.0.json", None).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        assert_eq!(info["version"], "2.0");
        assert_eq!(info["software"]["name"], "kinora");
        assert_eq!(info["protocols"], serde_json::json!(["activitypub"]));
        assert_eq!(info["openRegistrations"], false);
        assert_eq!(info["usage"]["users"]["total"], 1);
        assert_eq!(info["usage"]["localPosts"], 1, "only the public local video: {info}");
        assert_eq!(info["usage"]["localComments"], 2, "only alice's comments: {info}");
        assert_eq!(info["metadata"]["nodeName"], "Test <Tube>");
    }
}
