//! E-mail use cases: the one-time links sent by e-mail (address verification, password
//! reset), the notification e-mails and their unsubscribe links, and the messages' texts.
//!
//! Nothing here talks SMTP: a message is composed ([`kinora_core::email::OutgoingEmail`]) and
//! queued as a job in the transaction of the change that causes it; the server sends it
//! (`kinora-mail`) and retries while the SMTP server is unavailable. Secrets of links are
//! stored hashed, work once and expire.

mod compose;
mod links;
mod notifications;

pub use links::{
    RESET_LINK_LIFETIME_MS, VERIFY_LINK_LIFETIME_MS, ask_reset_password, ask_verify_email,
    reset_password, send_registration_answer, send_verification, verify_email,
};
pub use notifications::{
    NotificationEmail, finish_notification_email, next_notification_emails, unsubscribe,
    unsubscribe_setting_name,
};

/// What composing a message needs to know of the instance.
#[derive(Debug, Clone)]
pub struct EmailContext {
    /// The instance's public URL, without a trailing slash.
    pub public_url: String,
    /// The instance's name (the sender's name and the subjects' prefix).
    pub instance_name: String,
    /// Whether e-mail is on (`[smtp]` has a host). When off, no message is queued.
    pub enabled: bool,
}
