//! Video channels: create, update and delete, with the owner's rights checked here.

use kinora_core::ActorName;
use kinora_core::UserRole;
use kinora_core::federation::FederationEvent;
use kinora_core::names::{
    ActorKind, DESCRIPTION_MAX, DISPLAY_NAME_MAX, SUPPORT_MAX, check_text_length,
};
use kinora_db::channels::{ChannelChange, ChannelRow, NewChannel};
use kinora_db::{Db, now_millis};
use kinora_jobs::{Job, enqueue};

use crate::auth::AuthenticatedUser;
use crate::users::insert_actor;
use crate::{AppError, AppResult, InstanceConfig};

/// What a new channel is made of.
#[derive(Debug, Clone, Default)]
pub struct NewChannelInput {
    /// Actor name (`name`).
    pub name: String,
    /// Display name (`displayName`).
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// How to support the channel.
    pub support: Option<String>,
}

/// The fields of an update; absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct ChannelUpdateInput {
    /// Display name (`displayName`).
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// How to support the channel.
    pub support: Option<String>,
}

fn check_display_name(text: &str) -> AppResult<()> {
    check_text_length(text, 1, DISPLAY_NAME_MAX).map_err(|error| AppError::Invalid {
        field: "displayName",
        message: error.to_string(),
    })
}

fn check_optional(field: &'static str, text: Option<&str>, max: usize) -> AppResult<()> {
    match text {
        Some(text) => check_text_length(text, 3, max).map_err(|error| AppError::Invalid {
            field,
            message: error.to_string(),
        }),
        None => Ok(()),
    }
}

/// Creates a channel owned by `user` and queues its key generation. The per-user channel limit
/// is checked inside the transaction, after the insert, so concurrent requests cannot exceed it.
pub async fn create_channel(
    db: &Db,
    config: &InstanceConfig,
    user: &AuthenticatedUser,
    input: NewChannelInput,
) -> AppResult<i64> {
    let name =
        ActorName::parse(&input.name, ActorKind::Channel).map_err(|error| AppError::Invalid {
            field: "name",
            message: error.to_string(),
        })?;
    check_display_name(&input.display_name)?;
    check_optional("description", input.description.as_deref(), DESCRIPTION_MAX)?;
    check_optional("support", input.support.as_deref(), SUPPORT_MAX)?;
    let account = kinora_db::accounts::find_by_user(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::NotFound("account"))?;

    let mut tx = db.begin().await?;
    let now = now_millis();
    let actor_id = insert_actor(&mut tx, "Group", name.as_str(), now).await?;
    let channel_id = kinora_db::channels::insert(
        &mut tx,
        &NewChannel {
            actor_id,
            account_id: account.id,
            display_name: &input.display_name,
            description: input.description.as_deref(),
            support: input.support.as_deref(),
        },
        now,
    )
    .await?;
    enqueue(&mut tx, &Job::GenerateActorKeys { actor_id }).await?;
    let owned = kinora_db::channels::count_by_account(&mut *tx, account.id).await?;
    if owned > config.max_channels_per_user {
        // Dropping the transaction rolls back the channel, its actor and its job.
        return Err(AppError::Invalid {
            field: "name",
            message: format!(
                "You cannot create more than {} channels",
                config.max_channels_per_user
            ),
        });
    }
    tx.commit().await?;
    Ok(channel_id)
}

/// Finds a local channel the caller may manage: its owner, or an administrator.
pub(crate) async fn find_managed(
    db: &Db,
    user: &AuthenticatedUser,
    name: &str,
) -> AppResult<ChannelRow> {
    let channel = kinora_db::channels::find_local_by_name(db.pool(), name)
        .await?
        .ok_or(AppError::NotFound("Video channel"))?;
    let account = kinora_db::accounts::find_by_id(db.pool(), channel.account_id)
        .await?
        .ok_or(AppError::NotFound("Video channel"))?;
    if account.user_id != Some(user.user_id) && user.role != UserRole::Admin {
        return Err(AppError::Forbidden(
            "Only a user with sufficient right can access this account resource.".to_owned(),
        ));
    }
    Ok(channel)
}

/// Checks that the caller may manage the local channel `name` (its owner, or an administrator).
pub async fn ensure_managed(db: &Db, user: &AuthenticatedUser, name: &str) -> AppResult<()> {
    find_managed(db, user, name).await.map(|_| ())
}

/// Updates a channel's display name, description or support text.
pub async fn update_channel(
    db: &Db,
    user: &AuthenticatedUser,
    name: &str,
    input: ChannelUpdateInput,
) -> AppResult<()> {
    if let Some(display_name) = &input.display_name {
        check_display_name(display_name)?;
    }
    check_optional("description", input.description.as_deref(), DESCRIPTION_MAX)?;
    check_optional("support", input.support.as_deref(), SUPPORT_MAX)?;
    let channel = find_managed(db, user, name).await?;
    let display_name = input.display_name.unwrap_or(channel.display_name);
    let description = input.description.or(channel.description);
    let support = input.support.or(channel.support);
    let mut tx = db.begin().await?;
    kinora_db::channels::update(
        &mut tx,
        channel.id,
        &ChannelChange {
            display_name: &display_name,
            description: description.as_deref(),
            support: support.as_deref(),
        },
        now_millis(),
    )
    .await?;
    crate::federation_events::queue(
        &mut tx,
        FederationEvent::ActorUpdated {
            actor_id: channel.actor_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a channel; a user's last channel cannot be deleted. Answers the rows of its avatar
/// and banner, gone with it, whose files the caller deletes
/// ([`crate::actor_images::delete_files`]).
pub async fn delete_channel(
    db: &Db,
    user: &AuthenticatedUser,
    name: &str,
) -> AppResult<Vec<kinora_db::actor_images::ActorImageRow>> {
    let channel = find_managed(db, user, name).await?;
    let images = kinora_db::actor_images::list_for_actor(db.pool(), channel.actor_id).await?;
    let mut tx = db.begin().await?;
    if kinora_db::channels::count_by_account(&mut *tx, channel.account_id).await? <= 1 {
        return Err(AppError::Conflict(
            "Cannot remove the last channel of this user".to_owned(),
        ));
    }
    let inboxes =
        kinora_db::follows::remote_follower_inboxes(&mut *tx, &[channel.actor_id]).await?;
    if !inboxes.is_empty() {
        crate::federation_events::queue(
            &mut tx,
            FederationEvent::ActorDeleted {
                actor_kind: "Group".to_owned(),
                actor_name: channel.name.clone(),
                inboxes,
            },
        )
        .await?;
    }
    kinora_db::actors::delete(&mut tx, channel.actor_id).await?;
    tx.commit().await?;
    Ok(images)
}
