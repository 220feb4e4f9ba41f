//! Create, Update and Undo of `CacheFile`s: other instances mirroring our videos' HLS files.
//!
//! Only an instance actor may announce a mirror, of one of our public or unlisted videos, with
//! the mirror's id and files on its own origin. The mirror is then listed in the video's
//! `redundancies[]` for players to fall back on.

use kinora_db::now_millis;
use kinora_db::redundancies::{NewRedundancy, RedundancyRow};
use serde_json::Value;
use url::Url;

use super::{Incoming, ProcessError, refused};
use crate::Federation;
use crate::inbox::route::http_url;
use crate::urls::{INSTANCE_ACTOR, LocalObject, origin_of};

/// Create or Update of a CacheFile.
pub async fn cache_file(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("a CacheFile must be announced by its instance"));
    }
    let signer = &incoming.signer;
    let is_instance = origin_of(signer)
        .is_some_and(|origin| signer.as_str() == format!("{origin}/accounts/{INSTANCE_ACTOR}"));
    if !is_instance {
        return Err(refused("only an instance actor announces mirrors"));
    }
    let object = incoming.object().ok_or_else(|| refused("no CacheFile"))?;
    let id = http_url(object.get("id")).ok_or_else(|| refused("the CacheFile has no id"))?;
    let video_url =
        http_url(object.get("object")).ok_or_else(|| refused("the CacheFile has no video"))?;
    let href = object
        .get("url")
        .and_then(|u| http_url(Some(u.get("href").unwrap_or(u))))
        .ok_or_else(|| refused("the CacheFile has no url"))?;
    if origin_of(&id) != origin_of(signer) || origin_of(&href) != origin_of(signer) {
        return Err(refused("a mirror's id and files must be on its instance"));
    }
    let Some(LocalObject::Video(uuid)) = federation.urls().parse(video_url.as_str()) else {
        return Err(refused("only mirrors of our videos are recorded"));
    };
    let pool = federation.db().pool();
    let video = kinora_db::videos::find_by_uuid(pool, &uuid)
        .await?
        .filter(|v| v.is_local() && v.state == 1 && matches!(v.privacy, 1 | 2))
        .ok_or_else(|| refused("no such public video"))?;
    let actor = crate::resolve::actor(federation, signer, false).await?;
    if let Some(existing) = kinora_db::redundancies::find_by_url(pool, id.as_str()).await?
        && existing.actor_id != Some(actor.id)
    {
        return Err(refused("another instance's mirror"));
    }
    let expires = object
        .get("expires")
        .and_then(Value::as_str)
        .and_then(kinora_core::dates::parse_iso_date);
    let db = federation.db();
    let mut tx = db.begin().await?;
    kinora_db::redundancies::upsert(
        &mut tx,
        &NewRedundancy {
            video_id: video.id,
            url: id.as_str(),
            base_url: href.as_str().trim_end_matches('/'),
            local: false,
            actor_id: Some(actor.id),
            size: 0,
            expires_at: expires,
        },
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(video = %video.uuid, mirror = %href, "mirror announced");
    Ok(())
}

/// Undo{Create{CacheFile}}.
pub async fn undo_create(federation: &Federation, incoming: &Incoming) -> Result<(), ProcessError> {
    if !incoming.signed_by_actor() {
        return Err(refused("an Undo must be signed by its actor"));
    }
    let create = incoming.object().ok_or_else(|| refused("nothing undone"))?;
    let id = create
        .get("object")
        .and_then(|o| http_url(Some(o.get("id").unwrap_or(o))))
        .ok_or_else(|| refused("the undone Create has no object"))?;
    let pool = federation.db().pool();
    match kinora_db::redundancies::find_by_url(pool, id.as_str()).await? {
        Some(mirror) => drop_remote_mirror(federation, &incoming.signer, mirror).await,
        None => Ok(()),
    }
}

/// Forgets another instance's mirror, when `signer` is that instance.
pub async fn drop_remote_mirror(
    federation: &Federation,
    signer: &Url,
    mirror: RedundancyRow,
) -> Result<(), ProcessError> {
    let pool = federation.db().pool();
    let owner = match mirror.actor_id {
        Some(actor_id) => kinora_db::actors::find_by_id(pool, actor_id).await?,
        None => None,
    };
    if mirror.local != 0 || owner.and_then(|o| o.url).as_deref() != Some(signer.as_str()) {
        return Err(refused(
            "only the mirroring instance may withdraw its mirror",
        ));
    }
    let db = federation.db();
    let mut tx = db.begin().await?;
    kinora_db::redundancies::delete(&mut tx, mirror.id).await?;
    tx.commit().await?;
    Ok(())
}
