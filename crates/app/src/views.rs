//! Counting views: at most one per viewer and video in each [`VIEW_WINDOW_MILLIS`] window.
//!
//! A viewer is the logged-in user, else the client's address (an IPv6 address by its /64, which
//! one client usually holds whole). Only a SHA-256 of the window and that key is stored, and
//! rows of past windows are deleted as new views arrive.

use std::net::IpAddr;

use kinora_core::video::VideoState;
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use sha2::{Digest, Sha256};

use crate::AppResult;
use crate::auth::AuthenticatedUser;
use crate::viewers::{Arrival, ViewerCounter};
use crate::visibility::check_can_view;

/// The window in which one viewer's views of a video count once: one hour.
pub const VIEW_WINDOW_MILLIS: i64 = 3600 * 1000;

/// The key a viewer is known by: the user, else the address (IPv6 by /64).
fn viewer_key(viewer: Option<&AuthenticatedUser>, address: Option<IpAddr>) -> String {
    match (viewer, address) {
        (Some(user), _) => format!("user:{}", user.user_id),
        (None, Some(IpAddr::V4(v4))) => format!("ip:{v4}"),
        (None, Some(IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let segments = v6.segments();
                format!(
                    "ip6:{:x}:{:x}:{:x}:{:x}",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        },
        (None, None) => "unknown".to_owned(),
    }
}

/// Counts a view of `video` by `viewer` (or, anonymous, by `address`) unless that viewer was
/// already counted in the current window, and counts them among its current `viewers`. Videos
/// not yet published are not counted. A viewer still watching (who told within the viewers'
/// minute: a live's player tells every few seconds) is not looked up in the database again.
/// Returns whether the view was counted.
pub async fn record_view(
    db: &Db,
    viewers: &ViewerCounter,
    viewer: Option<&AuthenticatedUser>,
    address: Option<IpAddr>,
    video: &VideoRow,
) -> AppResult<bool> {
    check_can_view(db, video, viewer).await?;
    if VideoState::from_id(video.state) != Some(VideoState::Published) {
        return Ok(false);
    }
    let now = now_millis();
    let key = viewer_key(viewer, address);
    if viewers.arrive(video.id, &key, now) == Arrival::StillWatching {
        return Ok(false);
    }
    let window_start = now - now.rem_euclid(VIEW_WINDOW_MILLIS);
    let hash = hex::encode(Sha256::digest(format!("{window_start}:{key}").as_bytes()));
    let mut tx = db.begin().await?;
    let counted = kinora_db::views::record(&mut tx, video.id, &hash, window_start).await?;
    if counted && !video.is_local() {
        // The origin counts views of its videos; ours tells it.
        crate::federation_events::queue(
            &mut tx,
            kinora_core::federation::FederationEvent::RemoteVideoViewed { video_id: video.id },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(counted)
}

/// Counts a view of one of our videos that another instance reports (a `View` activity, each
/// counted once by its id). Returns whether it was counted.
pub async fn record_remote_view(db: &Db, video: &VideoRow, activity_id: &str) -> AppResult<bool> {
    if !video.is_local() || !crate::visibility::can_view(db, video, None).await? {
        return Err(crate::AppError::NotFound("Video"));
    }
    let now = now_millis();
    let window_start = now - now.rem_euclid(VIEW_WINDOW_MILLIS);
    let hash = hex::encode(Sha256::digest(format!("remote:{activity_id}").as_bytes()));
    let mut tx = db.begin().await?;
    let counted = kinora_db::views::record(&mut tx, video.id, &hash, window_start).await?;
    tx.commit().await?;
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_are_users_then_addresses_and_ipv6_by_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(viewer_key(None, Some(a)), viewer_key(None, Some(b)));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(viewer_key(None, Some(mapped)), "ip:192.0.2.1");
        assert_ne!(
            viewer_key(None, Some("192.0.2.1".parse().unwrap())),
            viewer_key(None, Some("192.0.2.2".parse().unwrap()))
        );
    }
}
