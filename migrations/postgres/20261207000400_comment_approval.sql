-- Comments held for review (PeerTube's commentsPolicy 3, "requires approval"): a comment by
-- anyone but the video's owner on such a video is stored with held_for_review = 1; it is shown
-- only to its author, the video's owner and moderators, not federated and not counted until
-- approved. reply_approval is the id of the ApproveReply received for a comment written here
-- on a remote video (PeerTube's replyApproval).
ALTER TABLE video_comments ADD COLUMN held_for_review BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reply_approval TEXT;
