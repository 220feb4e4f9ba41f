//! This instance's actors as PeerTube shapes them: an account is a `Person` at
//! `/accounts/<name>`, a channel a `Group` at `/video-channels/<name>` attributed to its owner,
//! and the instance actor the `Application` at `/accounts/peertube`.

use kinora_core::dates::iso_date;
use kinora_db::accounts::AccountRow;
use kinora_db::actors::ActorRow;
use kinora_db::channels::ChannelRow;
use serde_json::{Value, json};

use super::context::{ContextType, with_context};
use crate::urls::{LocalUrls, key_id};

/// One avatar picture of an actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorIcon<'a> {
    /// Where it is.
    pub url: &'a str,
    /// `image/jpeg`, `image/png`, …
    pub media_type: &'a str,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// `<actor>/followers`: an actor's followers collection.
pub fn followers_url(actor_url: &str) -> String {
    format!("{actor_url}/followers")
}

/// The fields every actor document has.
fn actor_document(
    urls: &LocalUrls,
    actor: &ActorRow,
    name: &str,
    summary: Option<&str>,
    icons: &[ActorIcon<'_>],
) -> Value {
    let id = urls.actor(actor);
    let mut document = json!({
        "type": actor.kind,
        "id": id,
        "url": id,
        "preferredUsername": actor.preferred_username,
        "name": name,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "following": format!("{id}/following"),
        "followers": followers_url(&id),
        "playlists": format!("{id}/playlists"),
        "endpoints": { "sharedInbox": urls.shared_inbox() },
        "published": iso_date(actor.created_at),
        "summary": summary,
    });
    if let Some(pem) = &actor.public_key_pem {
        document["publicKey"] = json!({
            "id": key_id(&id),
            "owner": id,
            "publicKeyPem": pem,
        });
    }
    if !icons.is_empty() {
        document["icon"] = image_list(icons);
    }
    with_context(document, ContextType::Actor)
}

/// Images as PeerTube lists an actor's avatars (`icon`) and banners (`image`): one `Image` per
/// stored size, with its media type and dimensions.
pub fn image_list(images: &[ActorIcon<'_>]) -> Value {
    images
        .iter()
        .map(|image| {
            json!({
                "type": "Image",
                "mediaType": image.media_type,
                "width": image.width,
                "height": image.height,
                "url": image.url,
            })
        })
        .collect()
}

/// A local account's `Person` (`actor` is its actor row).
pub fn person(
    urls: &LocalUrls,
    account: &AccountRow,
    actor: &ActorRow,
    icons: &[ActorIcon<'_>],
) -> Value {
    actor_document(
        urls,
        actor,
        &account.display_name,
        account.description.as_deref(),
        icons,
    )
}

/// A local channel's `Group`, attributed to its owner's `Person` (`owner_actor`).
pub fn group(
    urls: &LocalUrls,
    channel: &ChannelRow,
    actor: &ActorRow,
    owner_actor: &ActorRow,
    icons: &[ActorIcon<'_>],
) -> Value {
    let mut document = actor_document(
        urls,
        actor,
        &channel.display_name,
        channel.description.as_deref(),
        icons,
    );
    document["support"] = json!(channel.support);
    document["postingRestrictedToMods"] = json!(true);
    document["attributedTo"] = json!([{ "type": "Person", "id": urls.actor(owner_actor) }]);
    document
}

/// Adds what an actor's moves need (FEP-7628, as Mastodon): `alsoKnownAs`, the actors it says
/// it also is (set before an old actor moves to it), and `movedTo`, the actor it moved to.
pub fn add_move_fields(document: &mut Value, aliases: &[String], moved_to: Option<&str>) {
    if !aliases.is_empty() {
        document["alsoKnownAs"] = json!(aliases);
    }
    if let Some(target) = moved_to {
        document["movedTo"] = json!(target);
    }
}

/// The instance actor's `Application`.
pub fn application(urls: &LocalUrls, actor: &ActorRow) -> Value {
    actor_document(urls, actor, &actor.preferred_username, None, &[])
}
