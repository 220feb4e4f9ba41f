//! Federation events: what a local change asks the federation layer to tell other instances.
//!
//! A use case that changes something other instances know (or should know) queues one of these
//! in the same transaction as the change (as a `kinora_jobs::Job::Federate`); the federation
//! layer later turns it into ActivityPub activities and deliveries. Events name rows by id and
//! carry what would be gone by then (the URL of a deleted video, the inboxes of a deleted
//! actor's followers).

use serde::{Deserialize, Serialize};

/// One local change to tell other instances about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FederationEvent {
    /// A local video was published, edited, changed privacy or had its counts change: its
    /// followers get a Create, an Update or a Delete, by what they already have.
    VideoChanged {
        /// The video.
        video_id: i64,
    },
    /// A local video that followers had was deleted.
    VideoDeleted {
        /// The video's UUID (its ActivityPub id derives from it).
        video_uuid: String,
        /// The actor of the account that owned it (signs the Delete).
        account_actor_id: i64,
        /// The actor of its channel (whose followers are told too).
        channel_actor_id: i64,
    },
    /// A local account wrote a comment, on a local or a remote video.
    CommentCreated {
        /// The comment.
        comment_id: i64,
    },
    /// A comment written here was deleted (its tombstone stays).
    CommentDeleted {
        /// The comment.
        comment_id: i64,
        /// The actor of its author (the tombstone no longer names them).
        author_actor_id: i64,
    },
    /// A local video's likes or dislikes changed: its followers get the new counts in one
    /// `Update` per `rating_update_interval_secs` (a [`FederationEvent::VideoRatingsDue`]).
    VideoRatingsChanged {
        /// The video.
        video_id: i64,
    },
    /// The gathered rating changes of a local video are due: its followers get an `Update`.
    /// One per video and interval (`window` numbers the interval), so a stream of ratings
    /// costs one `Update`, not one each.
    VideoRatingsDue {
        /// The video.
        video_id: i64,
        /// The interval the changes were gathered in (epoch milliseconds / interval length).
        window: i64,
    },
    /// A local account rated a video (now liked, disliked or neither).
    VideoRated {
        /// The account.
        account_id: i64,
        /// The video.
        video_id: i64,
        /// The rating before (`like`, `dislike`), undone when it differs from the new one.
        previous: Option<String>,
    },
    /// A remote video was viewed here (the origin counts it).
    RemoteVideoViewed {
        /// The video.
        video_id: i64,
    },
    /// A local actor asked to follow a remote one (the follow is pending).
    FollowRequested {
        /// The follow.
        follow_id: i64,
    },
    /// An administrator asked the instance to follow `name@host` (for a whole instance, its
    /// instance actor) while `host` could not be reached: it is looked up again, with the
    /// job's backoff, and followed once it answers (PeerTube queues such follows too).
    InstanceFollowQueued {
        /// The actor's preferred username.
        name: String,
        /// Its instance, `host[:port]`.
        host: String,
    },
    /// A local actor stopped following a remote one.
    FollowUndone {
        /// The local follower.
        follower_actor_id: i64,
        /// The remote actor no longer followed.
        following_actor_id: i64,
        /// The id of the Follow activity being undone.
        follow_url: String,
    },
    /// A remote actor's follow of a local one was accepted.
    FollowAccepted {
        /// The follow.
        follow_id: i64,
    },
    /// A remote actor's follow of a local one was refused.
    FollowRejected {
        /// The remote actor.
        follower_actor_id: i64,
        /// The local actor it wanted to follow.
        following_actor_id: i64,
        /// The id of the Follow activity refused.
        follow_url: String,
    },
    /// A local actor's profile changed.
    ActorUpdated {
        /// The actor.
        actor_id: i64,
    },
    /// A local actor moved to `target_url` (its `movedTo`): its followers and the relays are
    /// sent a `Move`.
    ActorMoved {
        /// The actor that moved.
        actor_id: i64,
        /// The ActivityPub id of the actor it moved to.
        target_url: String,
        /// When it moved, epoch milliseconds (the Move's id derives from it).
        moved_at: i64,
    },
    /// A local actor was deleted.
    ActorDeleted {
        /// Its kind (`Person`, `Group`).
        actor_kind: String,
        /// Its name (its ActivityPub id derives from kind and name).
        actor_name: String,
        /// The inboxes of its remote followers when it was deleted.
        inboxes: Vec<String>,
    },
    /// A remote actor's activity about a local video (a comment) is passed on to the video's
    /// followers as received, so every instance that has the video hears of it.
    ActivityForwarded {
        /// The `inbox_activities` row.
        inbox_activity_id: i64,
        /// The local video it is about.
        video_id: i64,
    },
    /// This instance now mirrors a remote video's files (announced with `Create{CacheFile}`).
    RedundancyCreated {
        /// The mirror.
        redundancy_id: i64,
    },
    /// This instance stopped mirroring a remote video (withdrawn with
    /// `Undo{Create{CacheFile}}`); the mirror's row is gone by then.
    RedundancyRemoved {
        /// The video (still known here).
        video_id: i64,
        /// The `CacheFile`'s id.
        cache_file_url: String,
    },
    /// A comment held for review on a local video was approved: one written here now goes to
    /// the video's audience (`Create{Note}`), a remote one's author gets `ApproveReply`.
    CommentApproved {
        /// The comment.
        comment_id: i64,
    },
    /// A local user reported a remote video, comment or account: its origin gets a `Flag`.
    AbuseReported {
        /// The report.
        abuse_id: i64,
    },
    /// A moderator here accepted or rejected a report a remote `Flag` brought: the reporter's
    /// instance gets an `Accept` or a `Reject` of the Flag.
    AbuseStateChanged {
        /// The report.
        abuse_id: i64,
    },
    /// An administrator added a relay: the instance actor sends it our Follow.
    RelayFollowRequested {
        /// The relay.
        relay_id: i64,
    },
    /// An administrator removed a relay: it gets the `Undo` of our Follow.
    RelayUndone {
        /// Where the relay takes activities.
        inbox_url: String,
        /// What we followed: the public audience (Mastodon style) or the relay's actor.
        followed: String,
        /// The id of our Follow.
        follow_url: String,
    },
    /// A local playlist was created or changed: the followers of its channel get a Create
    /// (or an Update) while it is public or unlisted and in a channel, a Delete once it is not.
    PlaylistChanged {
        /// The playlist.
        playlist_id: i64,
    },
    /// A local playlist that followers may have was deleted.
    PlaylistDeleted {
        /// Its UUID (its ActivityPub id derives from it).
        playlist_uuid: String,
        /// The actor of the account that owned it (signs the Delete).
        account_actor_id: i64,
        /// The actor of its channel, whose followers are told.
        channel_actor_id: i64,
    },
}

impl FederationEvent {
    /// A short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::VideoChanged { .. } => "video-changed",
            Self::VideoDeleted { .. } => "video-deleted",
            Self::CommentCreated { .. } => "comment-created",
            Self::CommentDeleted { .. } => "comment-deleted",
            Self::VideoRatingsChanged { .. } => "video-ratings-changed",
            Self::VideoRatingsDue { .. } => "video-ratings-due",
            Self::VideoRated { .. } => "video-rated",
            Self::RemoteVideoViewed { .. } => "remote-video-viewed",
            Self::FollowRequested { .. } => "follow-requested",
            Self::InstanceFollowQueued { .. } => "instance-follow-queued",
            Self::FollowUndone { .. } => "follow-undone",
            Self::FollowAccepted { .. } => "follow-accepted",
            Self::FollowRejected { .. } => "follow-rejected",
            Self::ActorUpdated { .. } => "actor-updated",
            Self::ActorMoved { .. } => "actor-moved",
            Self::ActorDeleted { .. } => "actor-deleted",
            Self::ActivityForwarded { .. } => "activity-forwarded",
            Self::RedundancyCreated { .. } => "redundancy-created",
            Self::RedundancyRemoved { .. } => "redundancy-removed",
            Self::CommentApproved { .. } => "comment-approved",
            Self::AbuseReported { .. } => "abuse-reported",
            Self::AbuseStateChanged { .. } => "abuse-state-changed",
            Self::RelayFollowRequested { .. } => "relay-follow-requested",
            Self::RelayUndone { .. } => "relay-undone",
            Self::PlaylistChanged { .. } => "playlist-changed",
            Self::PlaylistDeleted { .. } => "playlist-deleted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FederationEvent;

    #[test]
    fn events_are_tagged_by_kind() {
        let event = FederationEvent::VideoChanged { video_id: 4 };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"kind":"video-changed","video_id":4}"#);
        assert_eq!(
            serde_json::from_str::<FederationEvent>(&json).unwrap(),
            event
        );
    }
}
