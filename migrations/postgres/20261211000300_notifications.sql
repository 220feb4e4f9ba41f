-- Notifications (PeerTube's UserNotification): kind is PeerTube's type number; what a
-- notification is about is in the columns its kind uses, each deleted with its object (a
-- notification of a deleted video, comment, report or actor goes too). follower_actor_id and
-- following_actor_id name a follow (NEW_FOLLOW, NEW_INSTANCE_FOLLOWER); account_id a new user's
-- account (registrations).
CREATE TABLE user_notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind BIGINT NOT NULL CHECK (kind BETWEEN 1 AND 22),
    read BIGINT NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    video_id BIGINT REFERENCES videos (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES video_comments (id) ON DELETE CASCADE,
    abuse_id BIGINT REFERENCES abuses (id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    follower_actor_id BIGINT REFERENCES actors (id) ON DELETE CASCADE,
    following_actor_id BIGINT REFERENCES actors (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX user_notifications_user ON user_notifications (user_id, id);
CREATE INDEX user_notifications_unread ON user_notifications (user_id) WHERE read = 0;
CREATE INDEX user_notifications_video ON user_notifications (video_id);
CREATE INDEX user_notifications_comment ON user_notifications (comment_id);
CREATE INDEX user_notifications_abuse ON user_notifications (abuse_id);
CREATE INDEX user_notifications_account ON user_notifications (account_id);
CREATE INDEX user_notifications_follower ON user_notifications (follower_actor_id);
CREATE INDEX user_notifications_following ON user_notifications (following_actor_id);

-- A user's notification settings that differ from PeerTube's defaults: value is a sum of 1
-- (web) and 2 (e-mail), 0 for neither.
CREATE TABLE user_notification_settings (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    setting TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value BETWEEN 0 AND 3),
    PRIMARY KEY (user_id, setting)
);
