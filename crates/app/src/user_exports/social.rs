//! The parts of an archive about the user's account and what it did: `account.json`,
//! `channels.json`, `user-settings.json`, `blocklist.json`, `likes.json`, `dislikes.json`,
//! `follower.json`, `following.json`, `comments.json`, `video-history.json`, and the lists
//! Kinora has no equivalent of (`watched-words-lists.json`, `automatic-tag-policies.json`),
//! each in the shape of `@peertube/peertube-types` (`AccountExportJSON`, …).

use kinora_core::dates::iso_date;
use kinora_db::accounts::AccountRow;
use kinora_db::channels::ChannelRow;
use kinora_db::user_exports::ExportedFollow;
use kinora_storage::{GeneratedName, Location, StorageKey};
use serde_json::{Value, json};

use super::{ArchiveFile, Gathered, MAX_ITEMS, handle_of};
use crate::AppResult;
use crate::actor_images::ActorImageKind;

/// The account's and channels' own documents, with their images as archive files.
pub(super) async fn actors(
    gathered: &mut Gathered,
    account: &AccountRow,
    channels: &[ChannelRow],
) -> AppResult<()> {
    let (images, files) =
        actor_images(gathered, account.actor_id, &account.name, "account").await?;
    gathered.files.extend(files);
    gathered.json.insert(
        "account.json",
        json!({
            "url": gathered.actor_url("Person", &account.name),
            "name": account.name,
            "displayName": account.display_name,
            "description": account.description.clone().unwrap_or_default(),
            "updatedAt": iso_date(account.updated_at),
            "createdAt": iso_date(account.created_at),
            "avatars": images.avatars,
            "archiveFiles": { "avatar": images.avatar_file },
        }),
    );
    let mut exported = Vec::with_capacity(channels.len());
    for channel in channels {
        let (images, files) =
            actor_images(gathered, channel.actor_id, &channel.name, "channels").await?;
        gathered.files.extend(files);
        exported.push(json!({
            "url": gathered.actor_url("Group", &channel.name),
            "name": channel.name,
            "displayName": channel.display_name,
            "description": channel.description.clone().unwrap_or_default(),
            "support": channel.support.clone().unwrap_or_default(),
            "updatedAt": iso_date(channel.updated_at),
            "createdAt": iso_date(channel.created_at),
            "avatars": images.avatars,
            "banners": images.banners,
            "archiveFiles": { "avatar": images.avatar_file, "banner": images.banner_file },
        }));
    }
    gathered
        .json
        .insert("channels.json", json!({ "channels": exported }));
    Ok(())
}

/// An actor's images as `ImageExportJSON` lists, and the largest of each kind as a file.
struct ActorImages {
    avatars: Vec<Value>,
    banners: Vec<Value>,
    avatar_file: Option<String>,
    banner_file: Option<String>,
}

async fn actor_images(
    gathered: &Gathered,
    actor_id: i64,
    name: &str,
    folder: &str,
) -> AppResult<(ActorImages, Vec<ArchiveFile>)> {
    let rows = kinora_db::actor_images::list_for_actor(gathered.db.pool(), actor_id).await?;
    let mut images = ActorImages {
        avatars: Vec::new(),
        banners: Vec::new(),
        avatar_file: None,
        banner_file: None,
    };
    let mut files = Vec::new();
    for kind in [ActorImageKind::Avatar, ActorImageKind::Banner] {
        let of_kind: Vec<_> = rows
            .iter()
            .filter(|row| ActorImageKind::of_db(row.kind) == Some(kind))
            .collect();
        let listed: Vec<Value> = of_kind
            .iter()
            .map(|row| {
                json!({
                    "width": row.width,
                    "height": row.height,
                    "url": format!("{}{}", gathered.public_url, kind.path(&row.file_name)),
                    "createdAt": iso_date(row.created_at),
                    "updatedAt": iso_date(row.updated_at),
                })
            })
            .collect();
        let largest = of_kind.iter().max_by_key(|row| row.width);
        let mut archived = None;
        if let Some(row) = largest
            && let (Ok(file), Some(location)) = (
                GeneratedName::parse(&row.file_name),
                Location::parse(&row.location),
            )
        {
            let path = format!(
                "{}/{name}{}",
                kind.directory(),
                super::extension_of(&row.file_name)
            );
            files.push(ArchiveFile {
                path: format!("files/{folder}/{path}"),
                location,
                key: StorageKey::actor_image(&file),
            });
            archived = Some(format!("../files/{folder}/{path}"));
        }
        match kind {
            ActorImageKind::Avatar => (images.avatars, images.avatar_file) = (listed, archived),
            ActorImageKind::Banner => (images.banners, images.banner_file) = (listed, archived),
        }
    }
    Ok((images, files))
}

/// `user-settings.json`.
pub(super) async fn settings(gathered: &mut Gathered) -> AppResult<()> {
    let user = &gathered.user;
    let preferences = kinora_db::user_preferences::find(
        gathered.db.pool(),
        user.id,
        kinora_core::preferences::UserPreferences::defaults(
            crate::user_settings::INSTANCE_NSFW_POLICY,
        ),
    )
    .await?;
    let notifications: serde_json::Map<String, Value> =
        kinora_db::notifications::settings(gathered.db.pool(), user.id)
            .await?
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Value::from(value)))
            .collect();
    let settings = json!({
        "email": user.email,
        "emailPublic": preferences.email_public,
        "nsfwPolicy": preferences.nsfw_policy.as_str(),
        "autoPlayVideo": preferences.auto_play_video,
        "autoPlayNextVideo": preferences.auto_play_next_video,
        "autoPlayNextVideoPlaylist": preferences.auto_play_next_video_playlist,
        "p2pEnabled": preferences.p2p_enabled,
        "videosHistoryEnabled": preferences.videos_history_enabled,
        "videoLanguages": preferences.video_languages.unwrap_or_default(),
        "language": preferences.language.unwrap_or_default(),
        "theme": preferences.theme,
        "createdAt": iso_date(user.created_at),
        "notificationSettings": notifications,
    });
    gathered.json.insert("user-settings.json", settings);
    Ok(())
}

/// `blocklist.json`: the servers and accounts the user muted.
pub(super) async fn blocklist(gathered: &mut Gathered, account: &AccountRow) -> AppResult<()> {
    use kinora_db::blocklists::MuteOwner;
    let pool = gathered.db.pool();
    let owner = MuteOwner::Account(account.id);
    let (_, servers) =
        kinora_db::blocklists::list_servers(pool, owner, false, 0, MAX_ITEMS).await?;
    let (_, accounts) =
        kinora_db::blocklists::list_accounts(pool, owner, false, 0, MAX_ITEMS).await?;
    let ids: Vec<i64> = accounts.iter().map(|row| row.target_account_id).collect();
    let targets = kinora_db::accounts::find_by_ids(pool, &ids).await?;
    let actors: Vec<Value> = targets
        .iter()
        .map(|target| json!({ "handle": handle_of(&target.name, target.host.as_deref(), &gathered.host) }))
        .collect();
    let instances: Vec<Value> = servers
        .iter()
        .map(|row| json!({ "host": row.host }))
        .collect();
    gathered.json.insert(
        "blocklist.json",
        json!({ "instances": instances, "actors": actors }),
    );
    Ok(())
}

/// `likes.json` and `dislikes.json`, with their ActivityPub collections.
pub(super) async fn ratings(gathered: &mut Gathered, account: &AccountRow) -> AppResult<()> {
    let mut connection = gathered.db.pool().acquire().await?;
    let rows = kinora_db::user_exports::ratings_of(&mut connection, account.id, MAX_ITEMS).await?;
    drop(connection);
    for (kind, plural) in [("like", "likes"), ("dislike", "dislikes")] {
        let of_kind: Vec<_> = rows.iter().filter(|row| row.kind == kind).collect();
        let urls: Vec<String> = of_kind
            .iter()
            .map(|row| gathered.video_url(row.video_url.as_deref(), &row.video_uuid))
            .collect();
        let listed: Vec<Value> = of_kind
            .iter()
            .zip(&urls)
            .map(|(row, url)| json!({ "videoUrl": url, "createdAt": iso_date(row.created_at) }))
            .collect();
        let file = if kind == "like" {
            "likes.json"
        } else {
            "dislikes.json"
        };
        gathered.activity_pub.insert(file, collection(file, &urls));
        gathered.json.insert(file, json!({ plural: listed }));
    }
    Ok(())
}

/// `follower.json` (who follows the account and its channels) and `following.json` (the
/// channels the account subscribed to), with the following collection.
pub(super) async fn follows(
    gathered: &mut Gathered,
    account: &AccountRow,
    channels: &[ChannelRow],
) -> AppResult<()> {
    let mut connection = gathered.db.pool().acquire().await?;
    let mut followers = Vec::new();
    for actor_id in std::iter::once(account.actor_id).chain(channels.iter().map(|c| c.actor_id)) {
        followers.extend(
            kinora_db::user_exports::followers_of(&mut connection, actor_id, MAX_ITEMS).await?,
        );
    }
    let following =
        kinora_db::user_exports::following_of(&mut connection, account.id, MAX_ITEMS).await?;
    drop(connection);
    let host = gathered.host.clone();
    let entry = |follow: &ExportedFollow, mine_first: bool| {
        let other = handle_of(&follow.name, follow.host.as_deref(), &host);
        let own = handle_of(&follow.own_name, None, &host);
        let (handle, target) = if mine_first {
            (own, other)
        } else {
            (other, own)
        };
        json!({ "handle": handle, "targetHandle": target, "createdAt": iso_date(follow.created_at) })
    };
    let follower_entries: Vec<Value> = followers.iter().map(|f| entry(f, false)).collect();
    let following_entries: Vec<Value> = following.iter().map(|f| entry(f, true)).collect();
    let following_urls: Vec<String> = following
        .iter()
        .map(|follow| {
            follow
                .url
                .clone()
                .unwrap_or_else(|| gathered.actor_url(&follow.kind, &follow.name))
        })
        .collect();
    gathered
        .json
        .insert("follower.json", json!({ "followers": follower_entries }));
    gathered
        .json
        .insert("following.json", json!({ "following": following_entries }));
    gathered.activity_pub.insert(
        "following.json",
        collection("following.json", &following_urls),
    );
    Ok(())
}

/// `comments.json`: the comments the account wrote.
pub(super) async fn comments(gathered: &mut Gathered, account: &AccountRow) -> AppResult<()> {
    let mut connection = gathered.db.pool().acquire().await?;
    let rows = kinora_db::user_exports::comments_of(&mut connection, account.id, MAX_ITEMS).await?;
    drop(connection);
    let comments: Vec<Value> = rows
        .iter()
        .map(|row| {
            let video_url = gathered.video_url(row.video_url.as_deref(), &row.video_uuid);
            let mut comment = json!({
                "url": format!("{video_url}/comments/{}", row.id),
                "text": row.text,
                "createdAt": iso_date(row.created_at),
                "videoUrl": video_url,
            });
            if let Some(parent) = row.parent_id {
                let parent_url = row
                    .parent_url
                    .clone()
                    .unwrap_or_else(|| format!("{video_url}/comments/{parent}"));
                comment["inReplyToCommentUrl"] = Value::String(parent_url);
            }
            comment
        })
        .collect();
    gathered
        .json
        .insert("comments.json", json!({ "comments": comments }));
    Ok(())
}

/// `video-history.json`: what the user watched and where they stopped.
pub(super) async fn history(gathered: &mut Gathered) -> AppResult<()> {
    let mut connection = gathered.db.pool().acquire().await?;
    let rows =
        kinora_db::user_exports::history_of(&mut connection, gathered.user.id, MAX_ITEMS).await?;
    drop(connection);
    let watched: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "videoUrl": gathered.video_url(row.video_url.as_deref(), &row.video_uuid),
                "lastTimecode": row.current_time,
                "createdAt": iso_date(row.updated_at),
                "updatedAt": iso_date(row.updated_at),
            })
        })
        .collect();
    gathered
        .json
        .insert("video-history.json", json!({ "watchedVideos": watched }));
    // Kinora has no watched-word lists or automatic comment tags: the files say so by being
    // empty, so that importers that expect every file find it.
    gathered.json.insert(
        "watched-words-lists.json",
        json!({ "watchedWordLists": [] }),
    );
    gathered.json.insert(
        "automatic-tag-policies.json",
        json!({ "reviewComments": [] }),
    );
    Ok(())
}

/// An ActivityPub `OrderedCollection` of `items`, with `id` the file's name (as PeerTube's
/// archives name their collections).
pub(super) fn collection(id: &str, items: &[String]) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })
}
