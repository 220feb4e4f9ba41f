//! Notification e-mails: what each kind says, the unsubscribe link that turns that kind off
//! without logging in, and the bookkeeping of the job that sends them.

use std::collections::HashMap;

use kinora_core::email::OutgoingEmail;
use kinora_core::notifications::{EMAIL, NotificationKind, SETTINGS};
use kinora_db::Db;
use kinora_db::notifications::{DueEmail, EmailState};

use super::EmailContext;
use super::compose::{Draft, render};
use crate::auth::random_token;
use crate::{AppError, AppResult};

/// A due notification and its message (`None` when what it was about is gone, or the
/// recipient may not get it: banned, or an address never verified).
#[derive(Debug)]
pub struct NotificationEmail {
    /// The notification's id.
    pub id: i64,
    /// The message to send.
    pub email: Option<OutgoingEmail>,
}

/// The oldest `limit` notifications due to be e-mailed, each with its message.
pub async fn next_notification_emails(
    db: &Db,
    context: &EmailContext,
    limit: i64,
) -> AppResult<Vec<NotificationEmail>> {
    let due = kinora_db::notifications::due_emails(db.pool(), limit).await?;
    let mut out = Vec::with_capacity(due.len());
    // One unsubscribe secret per recipient, read (or made) once per batch.
    let mut tokens: HashMap<i64, String> = HashMap::new();
    for item in due {
        let email = if item.blocked != 0 || item.email_verified == 0 {
            None
        } else {
            compose(db, context, &item, &mut tokens).await?
        };
        out.push(NotificationEmail {
            id: item.notification.id,
            email,
        });
    }
    Ok(out)
}

/// Records that notification `id`'s e-mail was sent (`sent`), or will not be.
pub async fn finish_notification_email(db: &Db, id: i64, sent: bool) -> AppResult<()> {
    let state = if sent {
        EmailState::Sent
    } else {
        EmailState::NotSent
    };
    kinora_db::notifications::set_email_state(db.pool(), id, state).await?;
    Ok(())
}

/// The setting a link's `setting` names, when it is one of PeerTube's.
pub fn unsubscribe_setting_name(setting: &str) -> Option<&'static str> {
    SETTINGS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name == setting)
}

/// Follows an unsubscribe link: the user whose links carry `token` gets no more e-mail of
/// `setting` (the web part of the setting stays). A 404 for an unknown token, a 400 for an
/// unknown setting; answers the setting's name.
pub async fn unsubscribe(db: &Db, token: &str, setting: &str) -> AppResult<&'static str> {
    let Some(setting) = unsubscribe_setting_name(setting) else {
        return Err(AppError::Invalid {
            field: "setting",
            message: "is not a notification setting".to_owned(),
        });
    };
    let Some(user_id) = kinora_db::user_emails::user_of_unsubscribe_token(db.pool(), token).await?
    else {
        return Err(AppError::NotFound("Unsubscribe link"));
    };
    let current = kinora_db::notifications::settings(db.pool(), user_id)
        .await?
        .into_iter()
        .find(|(name, _)| *name == setting)
        .map_or(0, |(_, value)| value);
    let mut tx = db.begin().await?;
    kinora_db::notifications::save_settings(&mut tx, user_id, &[(setting, current & !EMAIL)])
        .await?;
    tx.commit().await?;
    Ok(setting)
}

/// The unsubscribe link of `user_id` for `setting`; the user's secret is read (or made) once
/// per batch (`tokens`).
async fn unsubscribe_url(
    db: &Db,
    context: &EmailContext,
    tokens: &mut HashMap<i64, String>,
    user_id: i64,
    setting: &str,
) -> AppResult<String> {
    let token = match tokens.get(&user_id) {
        Some(token) => token.clone(),
        None => {
            let mut connection = db
                .pool()
                .acquire()
                .await
                .map_err(kinora_db::DbError::from)?;
            let token = kinora_db::user_emails::unsubscribe_token(
                &mut connection,
                user_id,
                &random_token(),
            )
            .await?;
            tokens.insert(user_id, token.clone());
            token
        }
    };
    Ok(format!(
        "{}/unsubscribe?token={token}&setting={setting}",
        context.public_url
    ))
}

/// A video's name, the link to its watch page and its channel's id.
async fn video(
    db: &Db,
    context: &EmailContext,
    id: Option<i64>,
) -> AppResult<Option<(String, String, i64)>> {
    let Some(id) = id else { return Ok(None) };
    Ok(kinora_db::videos::find_by_id(db.pool(), id)
        .await?
        .map(|video| {
            (
                video.name,
                format!("{}/w/{}", context.public_url, video.short_uuid),
                video.channel_id,
            )
        }))
}

/// An account's display name and handle (`name@host` for a remote one).
async fn account(db: &Db, id: Option<i64>) -> AppResult<Option<(String, String)>> {
    let Some(id) = id else { return Ok(None) };
    Ok(kinora_db::accounts::find_by_id(db.pool(), id)
        .await?
        .map(|account| {
            let handle = match &account.host {
                Some(host) => format!("{}@{host}", account.name),
                None => account.name.clone(),
            };
            (account.display_name, handle)
        }))
}

/// An actor's handle (`name@host` for a remote one) and whether it is an instance.
async fn actor(db: &Db, id: Option<i64>) -> AppResult<Option<(String, bool)>> {
    let Some(id) = id else { return Ok(None) };
    Ok(kinora_db::actors::find_by_id(db.pool(), id)
        .await?
        .map(|actor| {
            let handle = match &actor.host {
                Some(host) => format!("{}@{host}", actor.preferred_username),
                None => actor.preferred_username.clone(),
            };
            (handle, actor.kind == "Application")
        }))
}

/// The message of one due notification; `None` when what it is about is gone.
async fn compose(
    db: &Db,
    context: &EmailContext,
    due: &DueEmail,
    tokens: &mut HashMap<i64, String>,
) -> AppResult<Option<OutgoingEmail>> {
    let row = &due.notification;
    let Some(kind) = NotificationKind::from_id(row.kind) else {
        return Ok(None);
    };
    let setting = kind.setting();
    let draft = match kind {
        NotificationKind::NewVideoFromSubscription
        | NotificationKind::MyVideoPublished
        | NotificationKind::BlacklistOnMyVideo
        | NotificationKind::UnblacklistOnMyVideo => {
            let Some((name, link, channel_id)) = video(db, context, row.video_id).await? else {
                return Ok(None);
            };
            let (subject, paragraph, reason) = match kind {
                NotificationKind::NewVideoFromSubscription => {
                    let channel = kinora_db::channels::find_by_id(db.pool(), channel_id)
                        .await?
                        .map_or_else(
                            || "A channel you follow".to_owned(),
                            |channel| channel.display_name,
                        );
                    (
                        format!("{channel} published a new video"),
                        format!("{channel} published a new video: {name}"),
                        "You get this e-mail because you subscribe to this channel.",
                    )
                }
                NotificationKind::MyVideoPublished => (
                    format!("Your video {name} is published"),
                    format!("Your video {name} is ready: it is published and can be watched."),
                    "You get this e-mail because you published this video.",
                ),
                NotificationKind::BlacklistOnMyVideo => (
                    format!("Your video {name} was blocked"),
                    format!("The moderators blocked your video {name}: it is hidden from others."),
                    "You get this e-mail because you own this video.",
                ),
                _ => (
                    format!("Your video {name} was unblocked"),
                    format!("The moderators unblocked your video {name}: it is visible again."),
                    "You get this e-mail because you own this video.",
                ),
            };
            Draft {
                subject,
                paragraphs: vec![paragraph],
                quote: None,
                action: Some(("Watch the video", link)),
                reason,
            }
        }
        NotificationKind::NewCommentOnMyVideo | NotificationKind::CommentMention => {
            let Some(comment_id) = row.comment_id else {
                return Ok(None);
            };
            let Some(comment) = kinora_db::comments::find_by_id(db.pool(), comment_id).await?
            else {
                return Ok(None);
            };
            if comment.deleted_at.is_some() {
                return Ok(None);
            }
            let Some((name, link, _)) = video(db, context, Some(comment.video_id)).await? else {
                return Ok(None);
            };
            let author = account(db, comment.account_id).await?.map_or_else(
                || "Someone".to_owned(),
                |(display, handle)| format!("{display} ({handle})"),
            );
            let (subject, paragraph, reason) = if kind == NotificationKind::NewCommentOnMyVideo {
                (
                    format!("New comment on your video {name}"),
                    format!("{author} commented on your video {name}:"),
                    "You get this e-mail because you own this video.",
                )
            } else {
                (
                    format!("New answer to your comment on {name}"),
                    format!("{author} answered your comment on {name}:"),
                    "You get this e-mail because you wrote the comment answered.",
                )
            };
            let thread = comment.thread_id.unwrap_or(comment.id);
            Draft {
                subject,
                paragraphs: vec![paragraph],
                quote: Some(comment.text),
                action: Some(("See the comment", format!("{link};threadId={thread}"))),
                reason,
            }
        }
        NotificationKind::NewAbuseForModerators
        | NotificationKind::AbuseStateChange
        | NotificationKind::AbuseNewMessage => {
            let Some(abuse_id) = row.abuse_id else {
                return Ok(None);
            };
            let Some(abuse) = kinora_db::abuses::find_by_id(db.pool(), abuse_id).await? else {
                return Ok(None);
            };
            let staff = kind == NotificationKind::NewAbuseForModerators
                || (kind == NotificationKind::AbuseNewMessage
                    && due.notification.user_id
                        != reporter_user(db, abuse.reporter_account_id).await?);
            let link = if staff {
                format!("{}/admin/moderation/abuses", context.public_url)
            } else {
                format!("{}/my-account/abuses", context.public_url)
            };
            let (subject, paragraphs, quote) = match kind {
                NotificationKind::NewAbuseForModerators => (
                    format!("New report #{abuse_id}"),
                    vec![format!(
                        "A new report (#{abuse_id}) waits for a moderator. Its reason:"
                    )],
                    Some(abuse.reason.clone()),
                ),
                NotificationKind::AbuseStateChange => {
                    let state = match abuse.state {
                        2 => "rejected",
                        3 => "accepted",
                        _ => "reopened",
                    };
                    (
                        format!("Your report #{abuse_id} was {state}"),
                        vec![format!("The moderators {state} your report #{abuse_id}.")],
                        abuse.moderation_comment.clone(),
                    )
                }
                _ => (
                    format!("New message on report #{abuse_id}"),
                    vec![format!("There is a new message on report #{abuse_id}.")],
                    None,
                ),
            };
            Draft {
                subject,
                paragraphs,
                quote,
                action: Some(("See the report", link)),
                reason: if staff {
                    "You get this e-mail because you moderate this instance."
                } else {
                    "You get this e-mail because you made this report."
                },
            }
        }
        NotificationKind::NewUserRegistration | NotificationKind::NewUserRegistrationRequest => {
            let Some((_, handle)) = account(db, row.account_id).await? else {
                return Ok(None);
            };
            let (subject, paragraph, link) = if kind == NotificationKind::NewUserRegistration {
                (
                    format!("New user {handle}"),
                    format!("{handle} just signed up."),
                    format!("{}/a/{handle}", context.public_url),
                )
            } else {
                (
                    format!("New registration request from {handle}"),
                    format!("{handle} asked to sign up; the request waits for a moderator."),
                    format!("{}/admin/moderation", context.public_url),
                )
            };
            Draft {
                subject,
                paragraphs: vec![paragraph],
                quote: None,
                action: Some(("See it", link)),
                reason: "You get this e-mail because you moderate this instance.",
            }
        }
        NotificationKind::NewFollow | NotificationKind::NewInstanceFollower => {
            let Some((follower, is_instance)) = actor(db, row.follower_actor_id).await? else {
                return Ok(None);
            };
            let Some((following, _)) = actor(db, row.following_actor_id).await? else {
                return Ok(None);
            };
            if kind == NotificationKind::NewInstanceFollower || is_instance {
                let host = follower
                    .split_once('@')
                    .map_or(follower.as_str(), |(_, host)| host);
                Draft {
                    subject: format!("{host} follows this instance"),
                    paragraphs: vec![format!("The instance {host} now follows this instance.")],
                    quote: None,
                    action: Some(("Open the instance", context.public_url.clone())),
                    reason: "You get this e-mail because you administer this instance.",
                }
            } else {
                Draft {
                    subject: format!("{follower} follows {following}"),
                    paragraphs: vec![format!("{follower} now follows {following}.")],
                    quote: None,
                    action: Some((
                        "See the follower",
                        format!("{}/a/{follower}", context.public_url),
                    )),
                    reason: "You get this e-mail because you own what is followed.",
                }
            }
        }
    };
    let unsubscribe = unsubscribe_url(db, context, tokens, row.user_id, setting).await?;
    Ok(Some(render(context, &due.email, draft, Some(unsubscribe))))
}

/// The local user of a reporter's account (0 when none).
async fn reporter_user(db: &Db, account_id: Option<i64>) -> AppResult<i64> {
    let Some(id) = account_id else { return Ok(0) };
    Ok(kinora_db::accounts::find_by_id(db.pool(), id)
        .await?
        .and_then(|account| account.user_id)
        .unwrap_or(0))
}
