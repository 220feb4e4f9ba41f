//! Reports other instances make: a remote `Flag` of our objects becomes pending reports, and a
//! remote moderator's answer to our `Flag` sets the state of our copy. The federation layer
//! checks who signed and which objects are ours; this writes the rows.

use kinora_core::abuse::{AbuseState, TEXT_MAX};
use kinora_db::abuses::NewAbuse;
use kinora_db::accounts::AccountRow;
use kinora_db::comments::CommentRow;
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};

use crate::{AppError, AppResult};

/// One local object a Flag names.
#[derive(Debug, Clone)]
pub enum FlaggedObject {
    /// A video of ours.
    Video(Box<VideoRow>),
    /// A comment written here.
    Comment(CommentRow),
    /// An account of ours.
    Account(AccountRow),
}

/// A Flag received, its objects found.
#[derive(Debug, Clone)]
pub struct RemoteFlag<'a> {
    /// The account of the actor that signed it.
    pub reporter_account_id: i64,
    /// The Flag's id.
    pub flag_url: &'a str,
    /// Its `content` (may be empty: Mastodon's reports need not say why).
    pub reason: &'a str,
    /// Predefined reasons as bits (from its `Hashtag` tags).
    pub predefined_reasons: i64,
    /// Where the problem starts in a flagged video, seconds.
    pub start_at: Option<i64>,
    /// Where it ends.
    pub end_at: Option<i64>,
    /// The local objects it names.
    pub objects: Vec<FlaggedObject>,
}

/// The account owning a flagged video or comment (a video's is its channel's).
async fn owner_of(db: &Db, object: &FlaggedObject) -> AppResult<Option<i64>> {
    Ok(match object {
        FlaggedObject::Video(video) => kinora_db::channels::find_by_id(db.pool(), video.channel_id)
            .await?
            .map(|channel| channel.account_id),
        FlaggedObject::Comment(comment) => comment.account_id,
        FlaggedObject::Account(account) => Some(account.id),
    })
}

/// Stores one pending report per object of `flag`, in one transaction; answers their ids.
/// An account listed next to a video or comment of its own is the context Mastodon adds (its
/// reports always name the account), not a report of its own.
pub async fn report_from_remote(db: &Db, flag: &RemoteFlag<'_>) -> AppResult<Vec<i64>> {
    let mut owners = Vec::with_capacity(flag.objects.len());
    for object in &flag.objects {
        owners.push(owner_of(db, object).await?);
    }
    let owners_of_content: Vec<i64> = flag
        .objects
        .iter()
        .zip(&owners)
        .filter(|(object, _)| !matches!(object, FlaggedObject::Account(_)))
        .filter_map(|(_, owner)| *owner)
        .collect();
    let reason: String = flag.reason.chars().take(TEXT_MAX).collect();
    let now = now_millis();
    let mut ids = Vec::new();
    let mut tx = db.begin().await?;
    for (object, owner) in flag.objects.iter().zip(&owners) {
        let new = match object {
            FlaggedObject::Account(account) if owners_of_content.contains(&account.id) => {
                continue;
            }
            FlaggedObject::Account(_) => NewAbuse {
                object_kind: "account",
                ..NewAbuse::default()
            },
            FlaggedObject::Comment(comment) => NewAbuse {
                object_kind: "comment",
                comment_id: Some(comment.id),
                ..NewAbuse::default()
            },
            FlaggedObject::Video(video) => NewAbuse {
                object_kind: "video",
                video_id: Some(video.id),
                video_uuid: Some(video.uuid.as_str()),
                video_name: Some(video.name.as_str()),
                start_at: flag.start_at,
                end_at: flag.end_at,
                ..NewAbuse::default()
            },
        };
        let id = kinora_db::abuses::insert(
            &mut tx,
            &NewAbuse {
                reporter_account_id: flag.reporter_account_id,
                flagged_account_id: *owner,
                reason: &reason,
                predefined_reasons: flag.predefined_reasons,
                flag_url: Some(flag.flag_url),
                ..new
            },
            now,
        )
        .await?;
        super::report::notify_moderators(&mut tx, id, now).await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// The origin of what report `id` is about accepted or rejected it: our copy takes that state
/// (nothing is sent on).
pub async fn answered_by_origin(db: &Db, id: i64, state: AbuseState) -> AppResult<()> {
    let mut tx = db.begin().await?;
    if !kinora_db::abuses::update(&mut tx, id, Some(state.id()), None, now_millis()).await? {
        return Err(AppError::NotFound("Abuse"));
    }
    tx.commit().await?;
    Ok(())
}
