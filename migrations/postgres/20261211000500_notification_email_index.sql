-- no-transaction
-- The notifications still to be e-mailed, found by the e-mail job without a scan. Built
-- CONCURRENTLY: user_notifications may be large and written to while this runs.
CREATE INDEX CONCURRENTLY IF NOT EXISTS user_notifications_email_due ON user_notifications (id) WHERE email_state = 1;
