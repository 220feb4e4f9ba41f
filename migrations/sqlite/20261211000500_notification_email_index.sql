-- The notifications still to be e-mailed, found by the e-mail job without a scan.
CREATE INDEX user_notifications_email_due ON user_notifications (id) WHERE email_state = 1;
