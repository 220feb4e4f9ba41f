//! Avatars and banners of accounts and channels (PeerTube's actor images): an owner uploads or
//! removes them (`POST /api/v1/users/me/avatar/pick`, `…/video-channels/{name}/avatar/pick`,
//! `…/banner/pick` and their `DELETE`s), and the federation layer stores a remote actor's the
//! same way ([`store`] with the URL they came from).
//!
//! Every size is rendered first ([`render`]), written to storage under fresh generated names
//! (`avatars/<uuid>.jpg`), and only then put in the database, in one transaction with the
//! `Update` of the actor for its followers; the files of the images replaced are deleted last.

pub mod render;

use kinora_core::federation::FederationEvent;
use kinora_db::actor_images::{ActorImageRow, NewActorImage};
use kinora_db::{Db, now_millis};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageKey};
use uuid::Uuid;

pub use render::RenderedImage;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Default largest avatar or banner file, bytes (PeerTube's 4 MiB; `uploads.max_image_size`).
pub const DEFAULT_MAX_IMAGE_BYTES: usize = 4 * 1024 * 1024;

/// Which picture of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorImageKind {
    /// The square picture beside the name.
    Avatar,
    /// The wide picture at the top of a channel's page.
    Banner,
}

impl ActorImageKind {
    /// The multipart field PeerTube's forms send it in.
    pub fn field(self) -> &'static str {
        match self {
            ActorImageKind::Avatar => "avatarfile",
            ActorImageKind::Banner => "bannerfile",
        }
    }

    /// PeerTube's `ActorImageType` (the `kind` column).
    pub fn db_kind(self) -> i64 {
        match self {
            ActorImageKind::Avatar => kinora_db::actor_images::AVATAR,
            ActorImageKind::Banner => kinora_db::actor_images::BANNER,
        }
    }

    /// The kind a `kind` column holds.
    pub fn of_db(kind: i64) -> Option<Self> {
        match kind {
            kinora_db::actor_images::AVATAR => Some(ActorImageKind::Avatar),
            kinora_db::actor_images::BANNER => Some(ActorImageKind::Banner),
            _ => None,
        }
    }

    /// PeerTube's sizes (`ACTOR_IMAGES_SIZE`), largest first.
    pub fn sizes(self) -> &'static [(u32, u32)] {
        match self {
            ActorImageKind::Avatar => &[(1500, 1500), (600, 600), (120, 120), (48, 48)],
            ActorImageKind::Banner => &[(1920, 317), (600, 100)],
        }
    }

    /// The directory of `/lazy-static/` the files are served under (`avatars`, `banners`).
    pub fn directory(self) -> &'static str {
        match self {
            ActorImageKind::Avatar => "avatars",
            ActorImageKind::Banner => "banners",
        }
    }

    /// `/lazy-static/<directory>/<file>`: where a stored image is served.
    pub fn path(self, file_name: &str) -> String {
        format!("/lazy-static/{}/{file_name}", self.directory())
    }
}

/// [`render::render`] on a blocking thread (decoding and resizing take a while).
pub async fn render_in_background(
    kind: ActorImageKind,
    bytes: Vec<u8>,
    max_bytes: usize,
) -> AppResult<Vec<RenderedImage>> {
    tokio::task::spawn_blocking(move || render::render(kind, &bytes, max_bytes))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
}

/// Replaces the caller's account avatar; answers the new rows (largest first).
pub async fn set_my_avatar(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    rendered: &[RenderedImage],
) -> AppResult<Vec<ActorImageRow>> {
    let actor_id = my_actor(db, user).await?;
    store(
        db,
        storage,
        actor_id,
        ActorImageKind::Avatar,
        rendered,
        None,
    )
    .await
}

/// Removes the caller's account avatar.
pub async fn remove_my_avatar(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
) -> AppResult<()> {
    let actor_id = my_actor(db, user).await?;
    remove(db, storage, actor_id, ActorImageKind::Avatar).await
}

/// Replaces a channel's avatar or banner (its owner or an administrator); answers the new rows.
pub async fn set_channel_image(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    channel: &str,
    kind: ActorImageKind,
    rendered: &[RenderedImage],
) -> AppResult<Vec<ActorImageRow>> {
    let channel = crate::channels::find_managed(db, user, channel).await?;
    store(db, storage, channel.actor_id, kind, rendered, None).await
}

/// Removes a channel's avatar or banner (its owner or an administrator).
pub async fn remove_channel_image(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    channel: &str,
    kind: ActorImageKind,
) -> AppResult<()> {
    let channel = crate::channels::find_managed(db, user, channel).await?;
    remove(db, storage, channel.actor_id, kind).await
}

async fn my_actor(db: &Db, user: &AuthenticatedUser) -> AppResult<i64> {
    Ok(kinora_db::accounts::find_by_user(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::NotFound("Account"))?
        .actor_id)
}

/// Stores `rendered` as the actor's images of `kind`, replacing those it had. For a local
/// actor its followers are sent an `Update`; `remote_url` is where a remote actor's came from.
pub async fn store(
    db: &Db,
    storage: &MediaStorage,
    actor_id: i64,
    kind: ActorImageKind,
    rendered: &[RenderedImage],
    remote_url: Option<&str>,
) -> AppResult<Vec<ActorImageRow>> {
    let location = storage.location_for_media(true);
    let (_, work) = storage.local().create_work_directory()?;
    let mut names = Vec::with_capacity(rendered.len());
    let result = async {
        for image in rendered {
            let name = GeneratedName::parse(&format!("{}.jpg", Uuid::new_v4()))?;
            let file = work.join(name.as_str());
            tokio::fs::write(&file, &image.jpeg)
                .await
                .map_err(|error| AppError::Internal(format!("writing an image failed: {error}")))?;
            storage
                .store_file(location, &file, &StorageKey::actor_image(&name))
                .await?;
            names.push(name);
        }
        let rows: Vec<NewActorImage<'_>> = names
            .iter()
            .zip(rendered)
            .map(|(name, image)| NewActorImage {
                file_name: name.as_str(),
                width: i64::from(image.width),
                height: i64::from(image.height),
            })
            .collect();
        let mut tx = db.begin().await?;
        let old = kinora_db::actor_images::replace(
            &mut tx,
            actor_id,
            kind.db_kind(),
            &rows,
            location.as_str(),
            remote_url,
            now_millis(),
        )
        .await?;
        if remote_url.is_none() {
            crate::federation_events::queue(&mut tx, FederationEvent::ActorUpdated { actor_id })
                .await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>(old)
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    match result {
        Ok(old) => {
            delete_files(storage, &old).await;
            Ok(kinora_db::actor_images::list_for_actor(db.pool(), actor_id)
                .await?
                .into_iter()
                .filter(|row| row.kind == kind.db_kind())
                .collect())
        }
        Err(error) => {
            for name in &names {
                let _ = storage
                    .delete(location, &StorageKey::actor_image(name))
                    .await;
            }
            Err(error)
        }
    }
}

/// Removes the actor's images of `kind` (a local actor's followers are sent an `Update`).
pub async fn remove(
    db: &Db,
    storage: &MediaStorage,
    actor_id: i64,
    kind: ActorImageKind,
) -> AppResult<()> {
    let local = kinora_db::actors::find_by_id(db.pool(), actor_id)
        .await?
        .is_some_and(|actor| actor.is_local());
    let mut tx = db.begin().await?;
    let old = kinora_db::actor_images::remove(&mut tx, actor_id, kind.db_kind()).await?;
    if local && !old.is_empty() {
        crate::federation_events::queue(&mut tx, FederationEvent::ActorUpdated { actor_id })
            .await?;
    }
    tx.commit().await?;
    delete_files(storage, &old).await;
    Ok(())
}

/// Deletes the files of image rows already gone from the database (failures are logged: an
/// orphaned file is harmless, the row decides what is served).
pub async fn delete_files(storage: &MediaStorage, rows: &[ActorImageRow]) {
    for row in rows {
        let (Ok(name), Some(location)) = (
            GeneratedName::parse(&row.file_name),
            Location::parse(&row.location),
        ) else {
            continue;
        };
        if let Err(error) = storage
            .delete(location, &StorageKey::actor_image(&name))
            .await
        {
            tracing::warn!(%error, file = row.file_name, "deleting an actor image failed");
        }
    }
}
