//! The order of a channel's playlists (PeerTube's `videoChannelPosition`): a new one goes
//! last, the manager moves blocks of them (`POST /video-channels/{name}/video-playlists/reorder`,
//! checked like the elements' reorder), one that leaves the channel or is deleted closes its gap,
//! and the channel's list sorts on it.

use super::*;

/// The channel's playlists in its order: (display name, position).
async fn order(instance: &Instance, token: &str, channel: &str, sort: &str) -> Vec<(String, i64)> {
    let (status, list) = get(
        instance,
        Some(token),
        &format!("/video-channels/{channel}/video-playlists?sort={sort}"),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let position = p["videoChannelPosition"].as_i64().expect("a position");
            (p["displayName"].as_str().unwrap().to_owned(), position)
        })
        .collect()
}

fn named(names: &[&str]) -> Vec<(String, i64)> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_string(), i as i64 + 1))
        .collect()
}

pub(super) async fn channel_positions(instance: &Instance) {
    let carol = user(instance, "carol").await;
    let dave = user(instance, "dave").await;
    let token = carol.token.as_str();
    let channel = format!("{}_channel", carol.name);
    let mut ids = std::collections::HashMap::new();
    for name in ["First", "Second", "Third"] {
        let body = json!({"displayName": name, "privacy": 1, "videoChannelId": carol.channel});
        let (status, created) = post(instance, token, "/video-playlists", body).await;
        assert_eq!(status, 200, "{created}");
        ids.insert(name, created["videoPlaylist"]["id"].as_i64().unwrap());
    }
    let (_, outside) = post(
        instance,
        token,
        "/video-playlists",
        json!({"displayName": "Outside", "privacy": 3}),
    )
    .await;
    let (_, outside) = get(
        instance,
        Some(token),
        &format!("/video-playlists/{}", outside["videoPlaylist"]["id"]),
    )
    .await;
    assert_eq!(outside["videoChannelPosition"], Value::Null, "{outside}");
    let sort = "videoChannelPosition";
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["First", "Second", "Third"])
    );

    // The third to the front, then the first two after the last.
    let path = format!("/video-channels/{channel}/video-playlists/reorder");
    let (status, body) = post(
        instance,
        token,
        &path,
        json!({"startPosition": 3, "insertAfterPosition": 0}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["Third", "First", "Second"])
    );
    let (status, _) = post(
        instance,
        token,
        &path,
        json!({"startPosition": 1, "insertAfterPosition": 3, "reorderLength": 2}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["Second", "Third", "First"])
    );
    let mut reversed = named(&["Second", "Third", "First"]);
    reversed.reverse();
    assert_eq!(
        order(instance, token, &channel, "-videoChannelPosition").await,
        reversed
    );

    // Bad reorders change nothing.
    for (body, field) in [
        (
            json!({"startPosition": 0, "insertAfterPosition": 1}),
            "startPosition",
        ),
        (
            json!({"startPosition": 4, "insertAfterPosition": 1}),
            "startPosition",
        ),
        (
            json!({"startPosition": 1, "insertAfterPosition": 4}),
            "insertAfterPosition",
        ),
        (
            json!({"startPosition": 1, "insertAfterPosition": -1}),
            "insertAfterPosition",
        ),
        (
            json!({"startPosition": 2, "insertAfterPosition": 0, "reorderLength": 3}),
            "reorderLength",
        ),
        (
            json!({"startPosition": 2, "insertAfterPosition": 0, "reorderLength": 0}),
            "reorderLength",
        ),
    ] {
        let (status, problem) = post(instance, token, &path, body.clone()).await;
        assert_eq!(status, 400, "{body}: {problem}");
        assert!(problem.to_string().contains(field), "{body}: {problem}");
    }
    let body = json!({"startPosition": 1, "insertAfterPosition": 2});
    let (status, _) = post(instance, &dave.token, &path, body.clone()).await;
    assert_eq!(status, 403, "another user's channel");
    let (status, _) = post(
        instance,
        token,
        "/video-channels/nobody_channel/video-playlists/reorder",
        body.clone(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(instance, None, Method::POST, &path, Some(body)).await;
    assert_eq!(status, 401);
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["Second", "Third", "First"])
    );

    // Leaving the channel, or being deleted, closes the gap.
    let (status, body) = call(
        instance,
        Some(token),
        Method::PUT,
        &format!("/video-playlists/{}", ids["Third"]),
        Some(json!({"videoChannelId": null, "privacy": 3})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["Second", "First"])
    );
    let (_, third) = get(
        instance,
        Some(token),
        &format!("/video-playlists/{}", ids["Third"]),
    )
    .await;
    assert_eq!(third["videoChannelPosition"], Value::Null, "{third}");
    // Back in the channel: last.
    let (status, _) = call(
        instance,
        Some(token),
        Method::PUT,
        &format!("/video-playlists/{}", ids["Third"]),
        Some(json!({"videoChannelId": carol.channel, "privacy": 1})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["Second", "First", "Third"])
    );
    let (status, _) = call(
        instance,
        Some(token),
        Method::DELETE,
        &format!("/video-playlists/{}", ids["Second"]),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        order(instance, token, &channel, sort).await,
        named(&["First", "Third"])
    );
}
