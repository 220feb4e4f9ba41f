//! Remote actors' avatars (`icon`) and banners (`image`): when a fetched actor document names
//! an image URL other than the one its stored images came from, the largest one is downloaded
//! through the one outbound client (address rules on every connection and redirect, at most
//! [`MAX_REMOTE_IMAGE_BYTES`] after decompression, an image media type), decoded and re-encoded
//! here in PeerTube's sizes ([`kinora_app::actor_images`]) and stored locally; the images it
//! replaces are deleted. A document without one removes ours. A failed fetch keeps what we had
//! and never fails the actor itself.

use kinora_app::actor_images::{self, ActorImageKind};
use url::Url;

use crate::Federation;
use crate::http_client::{ClientError, OutboundClient};
use crate::protocol::parse::actor::RemoteActorDocument;

/// Largest remote avatar or banner downloaded, bytes (PeerTube's upload limit).
pub const MAX_REMOTE_IMAGE_BYTES: usize = actor_images::DEFAULT_MAX_IMAGE_BYTES;
/// The media types a remote image may be served as.
pub const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp", "image/gif"];

/// Why a remote image was not taken.
#[derive(Debug, thiserror::Error)]
pub enum RemoteImageError {
    /// The URL is not an http(s) URL, or is ours.
    #[error("bad image URL {0}")]
    BadUrl(String),
    /// The download was refused or failed (private address, too large, wrong type, …).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The bytes are not an image we take, or storing it failed.
    #[error(transparent)]
    App(#[from] kinora_app::AppError),
}

/// Downloads the image at `url` through `client`: at most [`MAX_REMOTE_IMAGE_BYTES`], served as
/// one of [`IMAGE_TYPES`].
pub async fn download(client: &OutboundClient, url: &Url) -> Result<Vec<u8>, RemoteImageError> {
    let mut bytes = Vec::new();
    client
        .download(url, MAX_REMOTE_IMAGE_BYTES as u64, IMAGE_TYPES, &mut bytes)
        .await?;
    Ok(bytes)
}

/// Brings the stored images of remote actor `actor_id` in line with its document.
pub async fn refresh(federation: &Federation, actor_id: i64, document: &RemoteActorDocument) {
    for (kind, url) in [
        (ActorImageKind::Avatar, document.icon_url.as_deref()),
        (ActorImageKind::Banner, document.image_url.as_deref()),
    ] {
        if let Err(error) = refresh_one(federation, actor_id, kind, url).await {
            tracing::warn!(actor = %document.id, ?kind, url, %error, "remote actor image not taken");
        }
    }
}

async fn refresh_one(
    federation: &Federation,
    actor_id: i64,
    kind: ActorImageKind,
    url: Option<&str>,
) -> Result<(), RemoteImageError> {
    let db = federation.db();
    let stored = kinora_db::actor_images::list_for_actor(db.pool(), actor_id)
        .await
        .map_err(kinora_app::AppError::from)?;
    let stored_url = stored
        .iter()
        .find(|row| row.kind == kind.db_kind())
        .map(|row| row.remote_url.as_deref());
    match (url, stored_url) {
        (None, None) => Ok(()),
        (None, Some(_)) => {
            actor_images::remove(db, federation.storage(), actor_id, kind).await?;
            Ok(())
        }
        (Some(url), Some(Some(stored))) if url == stored => Ok(()),
        (Some(url), _) => {
            let parsed = Url::parse(url).map_err(|_| RemoteImageError::BadUrl(url.to_owned()))?;
            if !matches!(parsed.scheme(), "http" | "https") || federation.urls().is_ours(url) {
                return Err(RemoteImageError::BadUrl(url.to_owned()));
            }
            let bytes = download(federation.client(), &parsed).await?;
            let rendered =
                actor_images::render_in_background(kind, bytes, MAX_REMOTE_IMAGE_BYTES).await?;
            actor_images::store(
                db,
                federation.storage(),
                actor_id,
                kind,
                &rendered,
                Some(url),
            )
            .await?;
            Ok(())
        }
    }
}
