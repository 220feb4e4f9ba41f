//! A local user reports a video, a comment or an account.
//!
//! In order: the reason (2 to 3,000 characters), the predefined reasons (PeerTube's names),
//! exactly one object, the video's time range (400 for each); the reporter's hourly allowance
//! (429 with `Retry-After`, [`REPORTS_PER_HOUR`]); the object, which must exist and be visible
//! to the reporter (404); a video of one's own is refused (403). The report is pending; one of
//! a remote object is sent to its origin as a `Flag`.

use kinora_core::abuse::{REPORTS_PER_HOUR, reasons_to_bits};
use kinora_core::federation::FederationEvent;
use kinora_db::abuses::NewAbuse;
use kinora_db::{Db, now_millis};

use super::check_text;
use crate::auth::AuthenticatedUser;
use crate::visibility::{check_can_view, is_owner};
use crate::{AppError, AppResult};

/// The window of the reporter's allowance, milliseconds.
const WINDOW_MILLIS: i64 = 3600 * 1000;

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedObject {
    /// A video (numeric id, UUID or short UUID), with the part of it in question (seconds).
    Video {
        /// How the client named the video.
        id: String,
        /// Where the problem starts.
        start_at: Option<i64>,
        /// Where it ends.
        end_at: Option<i64>,
    },
    /// A comment.
    Comment {
        /// Its id.
        id: i64,
    },
    /// An account.
    Account {
        /// Its id.
        id: i64,
    },
}

/// A report as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    /// The reporter's words.
    pub reason: String,
    /// PeerTube's names of predefined reasons.
    pub predefined_reasons: Vec<String>,
    /// What is reported, in the order video, comment, account: the first is reported, the
    /// others must exist too (none is a 400).
    pub objects: Vec<ReportedObject>,
}

/// What the report is about, found and checked.
struct Target {
    object_kind: &'static str,
    flagged_account_id: Option<i64>,
    video: Option<kinora_db::videos::VideoRow>,
    comment_id: Option<i64>,
    remote: bool,
}

fn check_times(start_at: Option<i64>, end_at: Option<i64>) -> AppResult<()> {
    for (field, value) in [("video.startAt", start_at), ("video.endAt", end_at)] {
        if value.is_some_and(|seconds| seconds < 0) {
            return Err(AppError::Invalid {
                field,
                message: "must be 0 or more".to_owned(),
            });
        }
    }
    if let (Some(start), Some(end)) = (start_at, end_at)
        && start > end
    {
        return Err(AppError::Invalid {
            field: "video.endAt",
            message: "Should have a startAt timestamp beginning before endAt".to_owned(),
        });
    }
    Ok(())
}

/// Refuses the report when the reporter used up the hour's allowance.
async fn check_allowance(db: &Db, account_id: i64, now: i64) -> AppResult<()> {
    let (recent, oldest) =
        kinora_db::abuses::count_recent_by_reporter(db.pool(), account_id, now - WINDOW_MILLIS)
            .await?;
    if recent < REPORTS_PER_HOUR {
        return Ok(());
    }
    let free_at = oldest.unwrap_or(now) + WINDOW_MILLIS;
    Err(AppError::RateLimited {
        message: format!("You may file at most {REPORTS_PER_HOUR} reports per hour."),
        retry_after_secs: ((free_at - now).max(0) / 1000 + 1) as u64,
    })
}

async fn find_target(
    db: &Db,
    user: &AuthenticatedUser,
    object: &ReportedObject,
) -> AppResult<Target> {
    let pool = db.pool();
    match object {
        ReportedObject::Video { id, .. } => {
            let video = crate::videos::find_video(db, id)
                .await?
                .ok_or(AppError::NotFound("Video"))?;
            check_can_view(db, &video, Some(user)).await?;
            if is_owner(db, &video, user.user_id).await? {
                return Err(AppError::Forbidden(
                    "You cannot report a video you own.".to_owned(),
                ));
            }
            let channel = kinora_db::channels::find_by_id(pool, video.channel_id).await?;
            Ok(Target {
                object_kind: "video",
                flagged_account_id: channel.map(|channel| channel.account_id),
                remote: !video.is_local(),
                comment_id: None,
                video: Some(video),
            })
        }
        ReportedObject::Comment { id } => {
            let comment = kinora_db::comments::find_by_id(pool, *id)
                .await?
                .ok_or(AppError::NotFound("Video comment"))?;
            let video = kinora_db::videos::find_by_id(pool, comment.video_id)
                .await?
                .ok_or(AppError::NotFound("Video comment"))?;
            if !crate::visibility::can_view(db, &video, Some(user)).await? {
                return Err(AppError::NotFound("Video comment"));
            }
            Ok(Target {
                object_kind: "comment",
                flagged_account_id: comment.account_id,
                remote: comment.url.is_some(),
                comment_id: Some(comment.id),
                video: None,
            })
        }
        ReportedObject::Account { id } => {
            let account = kinora_db::accounts::find_by_id(pool, *id)
                .await?
                .ok_or(AppError::NotFound("Account"))?;
            Ok(Target {
                object_kind: "account",
                flagged_account_id: Some(account.id),
                remote: account.host.is_some(),
                comment_id: None,
                video: None,
            })
        }
    }
}

/// Files `input` for `user`; answers the report's id.
pub async fn report(db: &Db, user: &AuthenticatedUser, input: &NewReport) -> AppResult<i64> {
    check_text("reason", &input.reason)?;
    let predefined_reasons = reasons_to_bits(input.predefined_reasons.iter().map(String::as_str))
        .map_err(|unknown| AppError::Invalid {
        field: "predefinedReasons",
        message: format!("{unknown:?} is not a predefined reason"),
    })?;
    // PeerTube takes a report naming a video, a comment and an account at once: each must
    // exist, and the first in that order is the one reported (`reportAbuse` in its
    // `server/core/controllers/api/abuse.ts`).
    let Some((object, others)) = input.objects.split_first() else {
        return Err(AppError::Invalid {
            field: "video",
            message: "video id or account id or comment id is required.".to_owned(),
        });
    };
    let (start_at, end_at) = match object {
        ReportedObject::Video {
            start_at, end_at, ..
        } => (*start_at, *end_at),
        _ => (None, None),
    };
    check_times(start_at, end_at)?;
    let reporter = crate::users::find_account(db, user).await?;
    let now = now_millis();
    check_allowance(db, reporter.id, now).await?;
    let target = find_target(db, user, object).await?;
    for other in others {
        find_target(db, user, other).await?;
    }
    let mut tx = db.begin().await?;
    let id = kinora_db::abuses::insert(
        &mut tx,
        &NewAbuse {
            reporter_account_id: reporter.id,
            flagged_account_id: target.flagged_account_id,
            object_kind: target.object_kind,
            video_id: target.video.as_ref().map(|video| video.id),
            comment_id: target.comment_id,
            video_uuid: target.video.as_ref().map(|video| video.uuid.as_str()),
            video_name: target.video.as_ref().map(|video| video.name.as_str()),
            start_at,
            end_at,
            reason: &input.reason,
            predefined_reasons,
            flag_url: None,
        },
        now,
    )
    .await?;
    if target.remote {
        crate::federation_events::queue(&mut tx, FederationEvent::AbuseReported { abuse_id: id })
            .await?;
    }
    notify_moderators(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Administrators and moderators are told of a new report.
pub(crate) async fn notify_moderators(
    tx: &mut kinora_db::Tx,
    abuse_id: i64,
    now: i64,
) -> AppResult<()> {
    let about = kinora_db::notifications::About {
        abuse_id: Some(abuse_id),
        ..Default::default()
    };
    let kind = kinora_core::notifications::NotificationKind::NewAbuseForModerators;
    kinora_db::notifications::notify_staff(tx, kind, &about, true, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_times;

    #[test]
    fn time_ranges_are_checked() {
        assert!(check_times(None, None).is_ok());
        assert!(check_times(Some(3), Some(3)).is_ok());
        assert!(check_times(Some(-1), None).is_err());
        assert!(check_times(Some(5), Some(2)).is_err());
    }
}
