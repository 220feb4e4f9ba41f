//! `Move` in the inbox (issue 17), from a fake remote instance to a real `kinora serve`, on
//! SQLite and PostgreSQL. Root follows the remote `old_channel`. Each bad Move is refused and
//! leaves the subscription where it was: one signed by another actor, one moving someone else,
//! one to a target that does not list `old_channel` in `alsoKnownAs`, to an account, to a
//! target that has moved itself (a loop), to itself, and one without a target. Then the good
//! one (its target lists `old_channel`): root follows the target (a Follow reaches the origin)
//! and no longer the old channel (an Undo reaches it). A second Move of the same actor inside
//! 7 days is refused: a user who followed `old_channel` since stays there.

use crate::common;

use common::accounts::{as_user, user};
use common::fake_origin::{FakeOrigin, activity, key};
use common::inbox_site::{DATABASES, Database, PRIVATE_ALLOWED, Site};
use serde_json::{Value, json};

async fn subscriptions(site: &Site, token: &str) -> Vec<String> {
    let (status, body) = as_user(
        &site.instance,
        token,
        reqwest::Method::GET,
        "/api/v1/users/me/subscriptions?count=100",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|channel| channel["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn subscribe(site: &Site, token: &str, origin: &FakeOrigin, name: &str) {
    let (status, body) = as_user(
        &site.instance,
        token,
        reqwest::Method::POST,
        "/api/v1/users/me/subscriptions",
        Some(json!({ "uri": format!("{name}@{}", origin.host) })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

/// A Move of `actor` (and `object`) to `target` (none: no target).
fn move_activity(
    origin: &FakeOrigin,
    n: u32,
    actor: &str,
    object: &str,
    target: Option<&str>,
) -> Value {
    let mut body = activity(
        "Move",
        &origin.url(&format!("/moves/{n}")),
        actor,
        json!(object),
    );
    if let Some(target) = target {
        body["target"] = json!(target);
    }
    body
}

/// A Group of the origin that says it also is `old`, and, when given, that it moved.
fn aliased_group(origin: &FakeOrigin, name: &str, old: &str, moved_to: Option<&str>) -> Value {
    let mut group = origin.group(name);
    group["alsoKnownAs"] = json!([old]);
    if let Some(moved_to) = moved_to {
        group["movedTo"] = json!(moved_to);
    }
    group
}

async fn moves_are_checked(database: Database) {
    let origin = FakeOrigin::start().await;
    let site = Site::start(database, PRIVATE_ALLOWED).await;
    let inbox = site.inbox();
    let old = origin.url("/video-channels/old_channel");
    let new = origin.url("/video-channels/new_channel");
    origin.serve_document(
        "/video-channels/new_channel",
        aliased_group(&origin, "new_channel", &old, None),
    );
    origin.serve_document(
        "/video-channels/later_channel",
        aliased_group(&origin, "later_channel", &old, None),
    );
    origin.serve_document(
        "/video-channels/gone_channel",
        aliased_group(&origin, "gone_channel", &old, Some(&old)),
    );
    let mut person = origin.person("new_person", "New person");
    person["alsoKnownAs"] = json!([old]);
    origin.serve_document("/accounts/new_person", person);
    let token = site.instance.token.clone();
    subscribe(&site, &token, &origin, "old_channel").await;
    assert_eq!(subscriptions(&site, &token).await, ["old_channel"]);

    let plain = origin.url("/video-channels/plain_channel");
    let other = origin.url("/video-channels/other_channel");
    let person = origin.url("/accounts/new_person");
    let gone = origin.url("/video-channels/gone_channel");
    let mallory = origin.url("/accounts/mallory");
    let refused: Vec<(&str, String, Value)> = vec![
        (
            "signed by another actor",
            key(&mallory),
            move_activity(&origin, 1, &old, &old, Some(&new)),
        ),
        (
            "moving someone else",
            key(&old),
            move_activity(&origin, 2, &old, &other, Some(&new)),
        ),
        (
            "to a target without the alias",
            key(&old),
            move_activity(&origin, 3, &old, &old, Some(&plain)),
        ),
        (
            "to an account",
            key(&old),
            move_activity(&origin, 4, &old, &old, Some(&person)),
        ),
        (
            "to a target that moved itself",
            key(&old),
            move_activity(&origin, 5, &old, &old, Some(&gone)),
        ),
        (
            "to itself",
            key(&old),
            move_activity(&origin, 6, &old, &old, Some(&old)),
        ),
        (
            "without a target",
            key(&old),
            move_activity(&origin, 7, &old, &old, None),
        ),
    ];
    for (case, key_id, body) in &refused {
        let (status, answer) = origin.post_signed(&inbox, key_id, body).await;
        assert!(
            (200..300).contains(&status) || (400..500).contains(&status),
            "{case}: {status} {answer}"
        );
        site.settled().await;
        assert_eq!(
            subscriptions(&site, &token).await,
            ["old_channel"],
            "{database:?}: a Move {case} changed the subscription"
        );
    }

    // The good Move.
    let (status, answer) = origin
        .post_signed(
            &inbox,
            &key(&old),
            &move_activity(&origin, 8, &old, &old, Some(&new)),
        )
        .await;
    assert!((200..300).contains(&status), "{status} {answer}");
    site.settled().await;
    assert_eq!(
        subscriptions(&site, &token).await,
        ["new_channel"],
        "{database:?}"
    );
    common::eventually(
        std::time::Duration::from_secs(30),
        "the Follow and the Undo",
        || {
            let received = origin.received();
            let follows_new = received
                .iter()
                .any(|activity| activity["type"] == "Follow" && activity["object"] == new.as_str());
            let undoes_old = received.iter().any(|activity| {
                activity["type"] == "Undo" && activity["object"]["object"] == old.as_str()
            });
            async move { (follows_new && undoes_old).then_some(()) }
        },
    )
    .await;
    assert_eq!(
        site.text("SELECT moved_to_url FROM actors WHERE url LIKE '%/video-channels/old_channel'")
            .await
            .as_deref(),
        Some(new.as_str())
    );

    // Another user follows old_channel since; a second Move of it inside 7 days is refused.
    let second = user(&site.instance, "second").await;
    subscribe(&site, &second, &origin, "old_channel").await;
    let later = origin.url("/video-channels/later_channel");
    let (status, answer) = origin
        .post_signed(
            &inbox,
            &key(&old),
            &move_activity(&origin, 9, &old, &old, Some(&later)),
        )
        .await;
    assert!((200..300).contains(&status), "{status} {answer}");
    site.settled().await;
    assert_eq!(
        subscriptions(&site, &second).await,
        ["old_channel"],
        "{database:?}"
    );
    site.assert_no_faults().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_in_the_inbox_are_checked_before_followers_move() {
    for database in DATABASES {
        moves_are_checked(database).await;
    }
}
