//! Remote playlists' thumbnails (`icon`): when a stored remote playlist names an icon URL other
//! than the one its thumbnail came from, the image is downloaded through the one outbound client
//! under the rules of actor images ([`crate::actor_images::download`]: address rules, a size
//! cap, image media types only), decoded and re-encoded here as our 280×157 JPEG, and stored
//! locally; the file it replaces is deleted. A playlist without an icon loses ours. A failed
//! fetch keeps what we had and never fails the playlist.

use kinora_app::video_images::{self, VideoImage};
use kinora_db::playlists::PlaylistRow;
use url::Url;

use crate::Federation;
use crate::actor_images::{RemoteImageError, download};

/// Brings the thumbnail of remote playlist `playlist_id` in line with its `icon`, `previous`
/// being the playlist as it was stored before this update (None: new).
pub async fn refresh(
    federation: &Federation,
    playlist_id: i64,
    previous: Option<&PlaylistRow>,
    icon: Option<&str>,
) {
    if let Err(error) = refresh_inner(federation, playlist_id, previous, icon).await {
        tracing::warn!(playlist_id, icon, %error, "remote playlist thumbnail not taken");
    }
}

async fn refresh_inner(
    federation: &Federation,
    playlist_id: i64,
    previous: Option<&PlaylistRow>,
    icon: Option<&str>,
) -> Result<(), RemoteImageError> {
    let stored = previous.filter(|row| row.thumbnail_file.is_some());
    let stored_url = stored.and_then(|row| row.remote_thumbnail_url.as_deref());
    let (db, storage) = (federation.db(), federation.storage());
    match icon {
        None if stored.is_some() => {
            kinora_app::playlists::replace_remote_thumbnail(db, storage, playlist_id, None).await?;
        }
        None => {}
        Some(url) if stored_url == Some(url) => {}
        Some(url) => {
            let parsed = Url::parse(url).map_err(|_| RemoteImageError::BadUrl(url.to_owned()))?;
            if !matches!(parsed.scheme(), "http" | "https") || federation.urls().is_ours(url) {
                return Err(RemoteImageError::BadUrl(url.to_owned()));
            }
            let bytes = download(federation.client(), &parsed).await?;
            let jpeg =
                video_images::render_image_in_background(VideoImage::Thumbnail, bytes).await?;
            kinora_app::playlists::replace_remote_thumbnail(db, storage, playlist_id, Some(&jpeg))
                .await?;
        }
    }
    Ok(())
}
