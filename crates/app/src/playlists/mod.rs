//! Video playlists (PeerTube's `VideoPlaylist`): creating, editing and deleting them, who may
//! see them, their thumbnails and every account's "Watch later"; their elements in
//! [`elements`].
//!
//! A playlist is seen by anyone when public or unlisted and by its owner only when private
//! ([`can_view`]); its elements ask [`crate::visibility::can_view`] each. A public playlist
//! must be in a channel of its owner, as on PeerTube. Changes of a playlist in a channel queue
//! a federation event in the same transaction.

pub mod channel_order;
pub mod elements;

use kinora_core::federation::FederationEvent;
use kinora_core::names::check_text_length;
use kinora_core::playlist::{
    DESCRIPTION_LENGTH, DISPLAY_NAME_LENGTH, KIND_REGULAR, KIND_WATCH_LATER, PlaylistPrivacy,
    WATCH_LATER_NAME,
};
use kinora_db::accounts::AccountRow;
use kinora_db::playlists::{NewPlaylist, PlaylistFields, PlaylistRow};
use kinora_db::{Connection, Db, now_millis};
use kinora_storage::{GeneratedName, Location, MediaStorage, StorageKey};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// What a creation or an update sets; `None` leaves a field as it is (an update) or takes
/// PeerTube's default (a creation: private, no channel, no description).
#[derive(Debug, Clone, Default)]
pub struct PlaylistInput {
    /// Display name (required to create).
    pub display_name: Option<String>,
    /// Description (`Some(None)` or an empty text clears it).
    pub description: Option<Option<String>>,
    /// Privacy id.
    pub privacy: Option<i64>,
    /// Channel id (`Some(None)` takes it out of its channel).
    pub channel_id: Option<Option<i64>>,
}

fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field,
        message: message.into(),
    }
}

/// The caller's account.
async fn account_of(db: &Db, user: &AuthenticatedUser) -> AppResult<AccountRow> {
    kinora_db::accounts::find_by_user(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::NotFound("Account"))
}

/// The fields a playlist ends up with once `input` is applied to `current` (or to the
/// defaults), checked: lengths, privacy, a channel of the caller's, public only in a channel.
async fn resolve_fields(
    db: &Db,
    account: &AccountRow,
    current: Option<&PlaylistRow>,
    input: &PlaylistInput,
) -> AppResult<(String, Option<String>, i64, Option<i64>)> {
    let display_name = match (&input.display_name, current) {
        (Some(name), _) => name.trim().to_owned(),
        (None, Some(current)) => current.display_name.clone(),
        (None, None) => return Err(invalid("displayName", "is required")),
    };
    let (min, max) = DISPLAY_NAME_LENGTH;
    check_text_length(&display_name, min, max)
        .map_err(|error| invalid("displayName", error.to_string()))?;
    let description = match &input.description {
        Some(text) => text.clone().filter(|t| !t.trim().is_empty()),
        None => current.and_then(|c| c.description.clone()),
    };
    if let Some(text) = &description {
        let (min, max) = DESCRIPTION_LENGTH;
        check_text_length(text, min, max)
            .map_err(|error| invalid("description", error.to_string()))?;
    }
    let privacy = input
        .privacy
        .or(current.map(|c| c.privacy))
        .unwrap_or(PlaylistPrivacy::Private.id());
    let privacy = PlaylistPrivacy::from_id(privacy)
        .ok_or_else(|| invalid("privacy", "must be 1 (public), 2 (unlisted) or 3 (private)"))?;
    let channel_id = match input.channel_id {
        Some(channel) => channel,
        None => current.and_then(|c| c.channel_id),
    };
    if let Some(channel_id) = channel_id {
        let channel = kinora_db::channels::find_by_id(db.pool(), channel_id)
            .await?
            .ok_or_else(|| invalid("videoChannelId", "names no channel"))?;
        if channel.account_id != account.id {
            return Err(AppError::Forbidden(
                "Only the owner of this channel may put playlists in it.".to_owned(),
            ));
        }
    }
    if privacy == PlaylistPrivacy::Public && channel_id.is_none() {
        return Err(invalid(
            "videoChannelId",
            "Cannot set a public playlist without a channel",
        ));
    }
    Ok((display_name, description, privacy.id(), channel_id))
}

/// Creates a playlist owned by `user`, with its thumbnail when given (a JPEG that
/// [`crate::video_images::render_image`] made). Returns it.
pub async fn create(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    input: &PlaylistInput,
    thumbnail: Option<&[u8]>,
) -> AppResult<PlaylistRow> {
    let account = account_of(db, user).await?;
    let (display_name, description, privacy, channel_id) =
        resolve_fields(db, &account, None, input).await?;
    let uuid = Uuid::new_v4();
    let short = kinora_core::video::short_uuid(&uuid);
    let uuid = uuid.to_string();
    let thumbnail = match thumbnail {
        Some(jpeg) => Some(store_thumbnail(storage, jpeg).await?),
        None => None,
    };
    let result = async {
        let mut tx = db.begin().await?;
        let now = now_millis();
        let id = kinora_db::playlists::insert(
            &mut tx,
            &NewPlaylist {
                uuid: &uuid,
                short_uuid: &short,
                account_id: account.id,
                channel_id,
                display_name: &display_name,
                description: description.as_deref(),
                privacy,
                kind: KIND_REGULAR,
                url: None,
                remote_thumbnail_url: None,
                remote_total: None,
            },
            now,
        )
        .await?;
        kinora_db::playlist_positions::place_last(&mut tx, id, channel_id).await?;
        if let Some(name) = &thumbnail {
            kinora_db::playlists::set_thumbnail(&mut tx, id, Some(name.as_str()), now).await?;
        }
        queue_changed(&mut tx, id, channel_id).await?;
        tx.commit().await?;
        kinora_db::playlists::find_by_id(db.pool(), id)
            .await?
            .ok_or(AppError::NotFound("Video playlist"))
    }
    .await;
    if result.is_err()
        && let Some(name) = &thumbnail
    {
        let _ = storage
            .delete(Location::Local, &StorageKey::thumbnail(name))
            .await;
    }
    result
}

/// Updates a playlist (its owner only; "Watch later" cannot change), and its thumbnail when
/// given.
pub async fn update(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
    input: &PlaylistInput,
    thumbnail: Option<&[u8]>,
) -> AppResult<()> {
    let account = ensure_owner(db, user, playlist).await?;
    if playlist.kind == KIND_WATCH_LATER {
        return Err(invalid("privacy", "Cannot update a watch later playlist."));
    }
    let (display_name, description, privacy, channel_id) =
        resolve_fields(db, &account, Some(playlist), input).await?;
    let thumbnail = match thumbnail {
        Some(jpeg) => Some(store_thumbnail(storage, jpeg).await?),
        None => None,
    };
    let mut tx = db.begin().await?;
    let now = now_millis();
    let moved = channel_id != playlist.channel_id;
    if moved {
        kinora_db::playlist_positions::leave(&mut tx, playlist.id).await?;
    }
    kinora_db::playlists::update(
        &mut *tx,
        playlist.id,
        &PlaylistFields {
            channel_id,
            display_name: &display_name,
            description: description.as_deref(),
            privacy,
            remote_thumbnail_url: None,
            remote_total: None,
        },
        now,
    )
    .await?;
    if moved {
        kinora_db::playlist_positions::place_last(&mut tx, playlist.id, channel_id).await?;
    }
    let previous = match &thumbnail {
        Some(name) => {
            kinora_db::playlists::set_thumbnail(&mut tx, playlist.id, Some(name.as_str()), now)
                .await?
        }
        None => None,
    };
    // Followers of the channel it left learn that it is gone there (and those of the new one
    // get a Create).
    if let Some(old) = playlist.channel_id
        && channel_id != Some(old)
        && playlist.federated == 1
    {
        queue_deleted(&mut tx, playlist, old).await?;
        kinora_db::playlists::set_federated(&mut tx, playlist.id, false).await?;
    }
    queue_changed(&mut tx, playlist.id, channel_id).await?;
    tx.commit().await?;
    delete_thumbnail(storage, previous).await;
    Ok(())
}

/// Deletes a playlist (its owner, or staff; never a "Watch later").
pub async fn delete(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
) -> AppResult<()> {
    if !user.is_staff() {
        ensure_owner(db, user, playlist).await?;
    }
    if !playlist.is_local() {
        return Err(AppError::Forbidden(
            "Cannot delete a playlist of another instance.".to_owned(),
        ));
    }
    if playlist.kind == KIND_WATCH_LATER {
        return Err(invalid(
            "playlistId",
            "Cannot delete a watch later playlist.",
        ));
    }
    let mut tx = db.begin().await?;
    kinora_db::playlist_positions::leave(&mut tx, playlist.id).await?;
    let thumbnail = kinora_db::playlists::delete(&mut tx, playlist.id).await?;
    if let Some(channel) = playlist.channel_id
        && playlist.federated == 1
    {
        queue_deleted(&mut tx, playlist, channel).await?;
    }
    tx.commit().await?;
    delete_thumbnail(storage, thumbnail).await;
    Ok(())
}

/// Checks the numbers of a reorder before anything is read: `start` from 1, `after` from 0,
/// `length` (default 1) from 1; answers the length.
pub(crate) fn check_reorder(start: i64, after: i64, length: Option<i64>) -> AppResult<i64> {
    let length = length.unwrap_or(1);
    if start < 1 {
        return Err(invalid("startPosition", "must be 1 or more"));
    }
    if after < 0 {
        return Err(invalid("insertAfterPosition", "must be 0 or more"));
    }
    if length < 1 {
        return Err(invalid("reorderLength", "must be 1 or more"));
    }
    Ok(length)
}

/// Checks a reorder against the `total` items of the list (`items` names them in messages):
/// the block and the destination lie within it.
pub(crate) fn check_reorder_within(
    start: i64,
    after: i64,
    length: i64,
    total: i64,
    items: &str,
) -> AppResult<()> {
    if start > total {
        return Err(invalid(
            "startPosition",
            format!("must be at most {total}, the number of {items}"),
        ));
    }
    if after > total {
        return Err(invalid(
            "insertAfterPosition",
            format!("must be at most {total}, the number of {items}"),
        ));
    }
    if start + length - 1 > total {
        return Err(invalid(
            "reorderLength",
            format!("reaches past the last of the {total} {items}"),
        ));
    }
    Ok(())
}

/// Queues [`FederationEvent::PlaylistChanged`] for a playlist in a channel (the outbox decides
/// what its privacy means for followers).
pub(crate) async fn queue_changed(
    connection: &mut Connection,
    playlist_id: i64,
    channel_id: Option<i64>,
) -> AppResult<()> {
    if channel_id.is_some() {
        crate::federation_events::queue(
            connection,
            FederationEvent::PlaylistChanged { playlist_id },
        )
        .await?;
    }
    Ok(())
}

async fn queue_deleted(
    connection: &mut Connection,
    playlist: &PlaylistRow,
    channel_id: i64,
) -> AppResult<()> {
    let Some(channel) = kinora_db::channels::find_by_id(&mut *connection, channel_id).await? else {
        return Ok(());
    };
    let Some(account) =
        kinora_db::accounts::find_by_id(&mut *connection, playlist.account_id).await?
    else {
        return Ok(());
    };
    crate::federation_events::queue(
        connection,
        FederationEvent::PlaylistDeleted {
            playlist_uuid: playlist.uuid.clone(),
            account_actor_id: account.actor_id,
            channel_actor_id: channel.actor_id,
        },
    )
    .await
}

async fn store_thumbnail(storage: &MediaStorage, jpeg: &[u8]) -> AppResult<GeneratedName> {
    let name = GeneratedName::parse(&format!("{}.jpg", Uuid::new_v4()))?;
    let (_, work) = storage.local().create_work_directory()?;
    let file = work.join("thumbnail.jpg");
    let result = async {
        tokio::fs::write(&file, jpeg)
            .await
            .map_err(|error| AppError::Internal(format!("writing an image failed: {error}")))?;
        storage
            .store_file(Location::Local, &file, &StorageKey::thumbnail(&name))
            .await?;
        Ok(name)
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

/// Replaces the stored thumbnail of remote playlist `playlist_id` with `jpeg` (already rendered
/// at the thumbnail size), or removes it (`None`); the file it replaces is deleted after the
/// row changed.
pub async fn replace_remote_thumbnail(
    db: &Db,
    storage: &MediaStorage,
    playlist_id: i64,
    jpeg: Option<&[u8]>,
) -> AppResult<()> {
    let name = match jpeg {
        Some(jpeg) => Some(store_thumbnail(storage, jpeg).await?),
        None => None,
    };
    let result = async {
        let mut tx = db.begin().await?;
        let previous = kinora_db::playlists::set_thumbnail(
            &mut tx,
            playlist_id,
            name.as_ref().map(GeneratedName::as_str),
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        AppResult::Ok(previous)
    }
    .await;
    match result {
        Ok(previous) => {
            delete_thumbnail(storage, previous).await;
            Ok(())
        }
        Err(error) => {
            delete_thumbnail(storage, name.map(|name| name.as_str().to_owned())).await;
            Err(error)
        }
    }
}

/// Deletes the stored thumbnail `file` of a playlist that no longer names it (if any).
pub async fn delete_thumbnail(storage: &MediaStorage, file: Option<String>) {
    if let Some(name) = file.and_then(|f| GeneratedName::parse(&f).ok()) {
        let _ = storage
            .delete(Location::Local, &StorageKey::thumbnail(&name))
            .await;
    }
}

/// Finds a playlist by numeric id, UUID or short UUID.
pub async fn find(db: &Db, id: &str) -> AppResult<Option<PlaylistRow>> {
    if let Ok(number) = id.parse::<i64>() {
        return Ok(kinora_db::playlists::find_by_id(db.pool(), number).await?);
    }
    let uuid = Uuid::parse_str(id)
        .ok()
        .or_else(|| kinora_core::video::parse_short_uuid(id));
    match uuid {
        Some(uuid) => Ok(kinora_db::playlists::find_by_uuid(db.pool(), &uuid.to_string()).await?),
        None => Ok(None),
    }
}

/// Answers whether `viewer` may see `playlist`: anyone a public or unlisted one, its owner a
/// private one.
pub async fn can_view(
    db: &Db,
    playlist: &PlaylistRow,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<bool> {
    if playlist.privacy != PlaylistPrivacy::Private.id() {
        return Ok(true);
    }
    match viewer {
        Some(viewer) => Ok(owns(db, viewer, playlist).await?),
        None => Ok(false),
    }
}

/// The playlist `id` names when `viewer` may see it; `NotFound` otherwise (a private playlist
/// is not admitted to exist).
pub async fn find_visible(
    db: &Db,
    id: &str,
    viewer: Option<&AuthenticatedUser>,
) -> AppResult<PlaylistRow> {
    match find(db, id).await? {
        Some(playlist) if can_view(db, &playlist, viewer).await? => Ok(playlist),
        _ => Err(AppError::NotFound("Video playlist")),
    }
}

async fn owns(db: &Db, user: &AuthenticatedUser, playlist: &PlaylistRow) -> AppResult<bool> {
    let account = kinora_db::accounts::find_by_id(db.pool(), playlist.account_id).await?;
    Ok(account.and_then(|a| a.user_id) == Some(user.user_id))
}

/// Refuses anyone but the playlist's owner; returns the owner's account.
pub async fn ensure_owner(
    db: &Db,
    user: &AuthenticatedUser,
    playlist: &PlaylistRow,
) -> AppResult<AccountRow> {
    let account = account_of(db, user).await?;
    if account.id != playlist.account_id {
        return Err(AppError::Forbidden(
            "Cannot manage video playlist of another user".to_owned(),
        ));
    }
    Ok(account)
}

/// Inserts the account's "Watch later" playlist (private, no channel) on the caller's
/// transaction (a new user's).
pub async fn insert_watch_later(
    connection: &mut Connection,
    account_id: i64,
    now: i64,
) -> AppResult<i64> {
    let uuid = Uuid::new_v4();
    let short = kinora_core::video::short_uuid(&uuid);
    Ok(kinora_db::playlists::insert(
        connection,
        &NewPlaylist {
            uuid: &uuid.to_string(),
            short_uuid: &short,
            account_id,
            channel_id: None,
            display_name: WATCH_LATER_NAME,
            description: None,
            privacy: PlaylistPrivacy::Private.id(),
            kind: KIND_WATCH_LATER,
            url: None,
            remote_thumbnail_url: None,
            remote_total: None,
        },
        now,
    )
    .await?)
}

/// The local account's "Watch later", created when it has none yet (accounts made before
/// playlists existed).
pub async fn watch_later(db: &Db, account_id: i64) -> AppResult<PlaylistRow> {
    if let Some(found) = kinora_db::playlists::find_watch_later(db.pool(), account_id).await? {
        return Ok(found);
    }
    let mut tx = db.begin().await?;
    match insert_watch_later(&mut tx, account_id, now_millis()).await {
        Ok(_) => tx.commit().await?,
        // Another request made it meanwhile.
        Err(AppError::Db(kinora_db::DbError::Conflict(_))) => {}
        Err(other) => return Err(other),
    }
    kinora_db::playlists::find_watch_later(db.pool(), account_id)
        .await?
        .ok_or(AppError::NotFound("Video playlist"))
}
