-- E-mail: whether a user's address is verified (users that existed before are), the new
-- address waiting for its verification, the one-time links sent by e-mail, and which
-- notifications are shown on the web and which still have to be e-mailed. Also the reason a
-- sign-up waiting for approval gave.
ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN pending_email TEXT;
-- Why a user asked to join (a sign-up waiting for approval, PeerTube's registrationReason).
ALTER TABLE users ADD COLUMN registration_reason TEXT;

-- One live link per user and purpose; a new one replaces it. token_hash is the SHA-256 (hex)
-- of the secret sent by e-mail; email is the address the link verifies (or the user's, for a
-- password reset). Times are epoch milliseconds.
CREATE TABLE user_email_tokens (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify-email', 'reset-password')),
    token_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- The secret of each user's unsubscribe links (a link turns off one kind of notification
-- e-mail, without logging in).
CREATE TABLE user_unsubscribe_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE
);

-- web: 1 when the notification is listed in the web front end. email_state: 0 no e-mail,
-- 1 to be e-mailed, 2 e-mailed, 3 not e-mailed (SMTP is not configured, or the server refused
-- the address).
ALTER TABLE user_notifications ADD COLUMN web INTEGER NOT NULL DEFAULT 1 CHECK (web IN (0, 1));
ALTER TABLE user_notifications ADD COLUMN email_state INTEGER NOT NULL DEFAULT 0 CHECK (email_state BETWEEN 0 AND 3);
