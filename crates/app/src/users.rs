//! Users: creating one creates its account (Person) and its default channel (Group) too, and
//! queues the generation of both actors' keys, all in one transaction.

use kinora_core::names::{ActorKind, DISPLAY_NAME_MAX, check_text_length};
use kinora_core::notifications::NotificationKind;
use kinora_core::user::is_plausible_email;
use kinora_core::{ActorName, RegistrationMode, UserRole};
use kinora_db::{Db, DbError, Tx, now_millis};
use kinora_jobs::{Job, enqueue};

use crate::passwords::{check_password, hash_password};
use crate::{AppError, AppResult, InstanceConfig};

/// What a new user is made of.
#[derive(Debug, Clone)]
pub struct NewUserInput {
    /// Login and account name.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Plain password (hashed here).
    pub password: String,
    /// Role.
    pub role: UserRole,
    /// Display name of the account; the username when absent.
    pub display_name: Option<String>,
}

/// The ids of what [`create_user`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedUser {
    /// The user.
    pub user_id: i64,
    /// Its account.
    pub account_id: i64,
    /// Its default channel.
    pub channel_id: i64,
}

/// How the user came to be, which decides whether it may log in at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrigin {
    /// Made by an administrator or the command line.
    Admin,
    /// Signed up through the registration endpoint.
    Registration,
}

/// Validates the input, then creates the user, its account and its default channel
/// (`<username>_channel`, "Main <username> channel") and queues their key generation.
pub async fn create_user(
    db: &Db,
    config: &InstanceConfig,
    input: NewUserInput,
    origin: UserOrigin,
) -> AppResult<CreatedUser> {
    insert_user(db, config, input, origin, None, None).await
}

/// A sign-up (`POST /api/v1/users/register`): [`create_user`] as a registration. When the
/// instance requires verified addresses and sends e-mail, the user may log in only once the
/// link e-mailed to them (in the same transaction) is opened.
///
/// `reason` is why they ask to join (PeerTube's `registrationReason`, for staff approving
/// sign-ups; 2 to 3000 characters).
pub async fn register(
    db: &Db,
    config: &InstanceConfig,
    input: NewUserInput,
    reason: Option<&str>,
    email: &crate::emails::EmailContext,
) -> AppResult<CreatedUser> {
    if let Some(reason) = reason {
        crate::registrations::check_text(
            "registrationReason",
            reason,
            crate::registrations::REASON_MIN,
        )?;
    }
    insert_user(
        db,
        config,
        input,
        UserOrigin::Registration,
        reason,
        Some(email),
    )
    .await
}

async fn insert_user(
    db: &Db,
    config: &InstanceConfig,
    input: NewUserInput,
    origin: UserOrigin,
    reason: Option<&str>,
    email_context: Option<&crate::emails::EmailContext>,
) -> AppResult<CreatedUser> {
    let verify = email_context
        .filter(|context| context.enabled && config.signup_requires_email_verification);
    let username = ActorName::parse(&input.username, ActorKind::Account).map_err(|error| {
        AppError::Invalid {
            field: "username",
            message: error.to_string(),
        }
    })?;
    if origin == UserOrigin::Registration
        && kinora_core::names::is_reserved_for_signup(username.as_str())
    {
        return Err(AppError::Invalid {
            field: "username",
            message: format!("\"{username}\" is reserved for the instance"),
        });
    }
    let email = input.email.trim().to_owned();
    if !is_plausible_email(&email) {
        return Err(AppError::Invalid {
            field: "email",
            message: "is not a valid e-mail address".to_owned(),
        });
    }
    check_password(&input.password)?;
    let display_name = input.display_name.unwrap_or_else(|| username.to_string());
    check_text_length(&display_name, 1, DISPLAY_NAME_MAX).map_err(|error| AppError::Invalid {
        field: "displayName",
        message: error.to_string(),
    })?;
    let approved = match origin {
        UserOrigin::Admin => true,
        UserOrigin::Registration => match config.registration {
            RegistrationMode::Closed => {
                return Err(AppError::Forbidden(
                    "User registration is not enabled.".to_owned(),
                ));
            }
            RegistrationMode::Open => true,
            RegistrationMode::Approval => false,
        },
    };
    let password_hash = hash_password(&input.password)?;

    let mut tx = db.begin().await?;
    let now = now_millis();
    let user_id = kinora_db::users::insert(
        &mut tx,
        &kinora_db::users::NewUser {
            username: username.as_str(),
            email: &email,
            password_hash: &password_hash,
            role: input.role.id(),
            video_quota: config.default_video_quota,
            video_quota_daily: config.default_video_quota_daily,
            approved,
            email_verified: verify.is_none(),
        },
        now,
    )
    .await
    .map_err(|error| conflict(error, "User with this username or email already exists."))?;
    let account_actor = insert_actor(&mut tx, "Person", username.as_str(), now).await?;
    let account_id =
        kinora_db::accounts::insert(&mut tx, account_actor, Some(user_id), &display_name, now)
            .await?;
    let channel_name = username.default_channel_name();
    let channel_display_name = format!("Main {username} channel");
    let channel_actor = insert_actor(&mut tx, "Group", channel_name.as_str(), now).await?;
    let channel_id = kinora_db::channels::insert(
        &mut tx,
        &kinora_db::channels::NewChannel {
            actor_id: channel_actor,
            account_id,
            display_name: truncate(&channel_display_name, DISPLAY_NAME_MAX),
            description: None,
            support: None,
        },
        now,
    )
    .await?;
    enqueue(
        &mut tx,
        &Job::GenerateActorKeys {
            actor_id: account_actor,
        },
    )
    .await?;
    enqueue(
        &mut tx,
        &Job::GenerateActorKeys {
            actor_id: channel_actor,
        },
    )
    .await?;
    crate::playlists::insert_watch_later(&mut tx, account_id, now).await?;
    if let Some(reason) = reason {
        kinora_db::users::set_registration_reason(&mut tx, user_id, reason).await?;
    }
    if let Some(context) = verify
        && let Some(user) = kinora_db::users::find_by_id(&mut *tx, user_id).await?
    {
        crate::emails::send_verification(&mut tx, context, &user, &email, false).await?;
    }
    if matches!(origin, UserOrigin::Registration) {
        // Staff are told of a sign-up, or of a request to approve.
        let kind = if approved {
            NotificationKind::NewUserRegistration
        } else {
            NotificationKind::NewUserRegistrationRequest
        };
        let about = kinora_db::notifications::About {
            account_id: Some(account_id),
            ..Default::default()
        };
        kinora_db::notifications::notify_staff(&mut tx, kind, &about, true, now).await?;
    }
    tx.commit().await?;
    tracing::info!(user = %username, user_id, "user created");
    Ok(CreatedUser {
        user_id,
        account_id,
        channel_id,
    })
}

/// Inserts a local actor, turning a name clash into PeerTube's conflict message.
pub(crate) async fn insert_actor(tx: &mut Tx, kind: &str, name: &str, now: i64) -> AppResult<i64> {
    kinora_db::actors::insert_local_actor(tx, kind, name, now)
        .await
        .map_err(|error| {
            conflict(
                error,
                "Another actor (account/channel) with this name on this instance already exists \
                 or has already existed.",
            )
        })
}

/// Maps a unique-constraint violation to [`AppError::Conflict`] with `message`.
pub(crate) fn conflict(error: DbError, message: &str) -> AppError {
    match error {
        DbError::Conflict(_) => AppError::Conflict(message.to_owned()),
        other => AppError::Db(other),
    }
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

/// Creates the first administrator (`root`) with a random password when the instance has no
/// user yet. Returns the password to show once, or `None` when users exist already.
pub async fn create_first_admin(db: &Db, config: &InstanceConfig) -> AppResult<Option<String>> {
    if kinora_db::users::count(db.pool()).await? > 0 {
        return Ok(None);
    }
    let password = crate::auth::random_token()[..24].to_owned();
    create_user(
        db,
        config,
        NewUserInput {
            username: "root".to_owned(),
            email: config.admin_email.clone(),
            password: password.clone(),
            role: UserRole::Admin,
            display_name: None,
        },
        UserOrigin::Admin,
    )
    .await?;
    Ok(Some(password))
}

/// Approves a registration that waits for it. Returns false when there was none.
pub async fn approve_registration(db: &Db, user_id: i64) -> AppResult<bool> {
    let mut connection = db.pool().acquire().await.map_err(DbError::from)?;
    Ok(kinora_db::users::approve(&mut connection, user_id, now_millis()).await?)
}

/// The account of an authenticated user.
pub async fn find_account(
    db: &Db,
    user: &crate::auth::AuthenticatedUser,
) -> AppResult<kinora_db::accounts::AccountRow> {
    kinora_db::accounts::find_by_user(db.pool(), user.user_id)
        .await?
        .ok_or(AppError::NotFound("Account"))
}
