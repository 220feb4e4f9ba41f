-- A user's own settings (PeerTube's UserUpdateMe). A user without a row has the defaults, the
-- NSFW policy being the instance's. video_languages is a JSON array of language codes (NULL:
-- every language); booleans are 0 or 1.
CREATE TABLE user_preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    nsfw_policy TEXT NOT NULL CHECK (nsfw_policy IN ('display', 'blur', 'warn', 'do_not_list')),
    p2p_enabled INTEGER NOT NULL CHECK (p2p_enabled IN (0, 1)),
    auto_play_video INTEGER NOT NULL CHECK (auto_play_video IN (0, 1)),
    auto_play_next_video INTEGER NOT NULL CHECK (auto_play_next_video IN (0, 1)),
    auto_play_next_video_playlist INTEGER NOT NULL CHECK (auto_play_next_video_playlist IN (0, 1)),
    videos_history_enabled INTEGER NOT NULL CHECK (videos_history_enabled IN (0, 1)),
    video_languages TEXT,
    language TEXT,
    theme TEXT NOT NULL,
    email_public INTEGER NOT NULL CHECK (email_public IN (0, 1)),
    no_instance_config_warning_modal INTEGER NOT NULL CHECK (no_instance_config_warning_modal IN (0, 1)),
    no_welcome_modal INTEGER NOT NULL CHECK (no_welcome_modal IN (0, 1)),
    no_account_setup_warning_modal INTEGER NOT NULL CHECK (no_account_setup_warning_modal IN (0, 1)),
    updated_at INTEGER NOT NULL
);

-- What each user watched (PeerTube's UserVideoHistory): one row per user and video, the last
-- player position in whole seconds and when it was written (epoch milliseconds).
CREATE TABLE user_video_history (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    video_id INTEGER NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    position_seconds INTEGER NOT NULL CHECK (position_seconds >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, video_id)
);
CREATE INDEX user_video_history_recent ON user_video_history (user_id, updated_at);
CREATE INDEX user_video_history_video ON user_video_history (video_id);
