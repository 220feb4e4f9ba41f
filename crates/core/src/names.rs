//! Actor names (usernames and channel names) and the other short texts users choose.
//!
//! The rules follow PeerTube's so that names round-trip between instances: 1–50 characters of
//! lowercase ASCII letters, digits and `_`, with `.` and `-` allowed inside the name only, and
//! display names of 1–120 characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a name or text was refused. The message says which rule was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The text is empty or longer than allowed.
    #[error("must be between {min} and {max} characters long")]
    Length {
        /// Smallest accepted length in characters.
        min: usize,
        /// Largest accepted length in characters.
        max: usize,
    },
    /// The text contains a character outside the allowed set.
    #[error(
        "may only contain lowercase letters, digits and '_' ('.' and '-' inside only); found {0:?}"
    )]
    Character(char),
    /// The text is reserved for the instance itself.
    #[error("the name {0:?} is reserved")]
    Reserved(String),
}

/// Longest username or channel name, as in PeerTube.
pub const ACTOR_NAME_MAX: usize = 50;
/// Longest display name, as in PeerTube.
pub const DISPLAY_NAME_MAX: usize = 120;
/// Longest account or channel description, as in PeerTube.
pub const DESCRIPTION_MAX: usize = 1000;
/// Longest channel "support" text, as in PeerTube.
pub const SUPPORT_MAX: usize = 1000;

/// Names that belong to the instance and cannot be taken by users or channels.
const RESERVED: &[&str] = &["peertube", "kinora", "root_channel_reserved"];

/// Names a visitor may not sign up with, because they would pass for the instance's staff or
/// its mail roles (staff may still create such users).
pub const SIGNUP_RESERVED: &[&str] = &[
    "root",
    "admin",
    "admins",
    "administrator",
    "moderator",
    "moderators",
    "mod",
    "staff",
    "support",
    "abuse",
    "security",
    "postmaster",
    "hostmaster",
    "webmaster",
    "noreply",
    "no-reply",
    "system",
    "instance",
];

/// Whether a visitor may not sign up as `name` ([`SIGNUP_RESERVED`], ignoring case).
pub fn is_reserved_for_signup(name: &str) -> bool {
    SIGNUP_RESERVED
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(name))
}

/// The kind of actor a name is for; channels accept a slightly wider alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A user's account (ActivityPub Person).
    Account,
    /// A video channel (ActivityPub Group).
    Channel,
}

/// A validated username or channel name (`preferredUsername` in ActivityPub).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorName(String);

impl ActorName {
    /// Checks `text` against PeerTube's rule, `^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$` with 1–50
    /// characters, shared by accounts and channels (they share one namespace).
    pub fn parse(text: &str, _kind: ActorKind) -> Result<Self, NameError> {
        let length = text.chars().count();
        if length == 0 || length > ACTOR_NAME_MAX {
            return Err(NameError::Length {
                min: 1,
                max: ACTOR_NAME_MAX,
            });
        }
        let last = length - 1;
        for (index, c) in text.chars().enumerate() {
            let always = c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            let inside = (c == '.' || c == '-') && index != 0 && index != last;
            if !(always || inside) {
                return Err(NameError::Character(c));
            }
        }
        if RESERVED.contains(&text) {
            return Err(NameError::Reserved(text.to_owned()));
        }
        Ok(Self(text.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of the channel created with every new user: `<username>_channel`.
    pub fn default_channel_name(&self) -> ActorName {
        // "_channel" is 8 characters; keep the result within the limit.
        let keep = ACTOR_NAME_MAX - "_channel".len();
        let stem: String = self.0.chars().take(keep).collect();
        ActorName(format!("{stem}_channel"))
    }
}

impl fmt::Display for ActorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a free text's length in characters (display names, descriptions, support texts).
pub fn check_text_length(text: &str, min: usize, max: usize) -> Result<(), NameError> {
    let length = text.chars().count();
    if length < min || length > max {
        return Err(NameError::Length { min, max });
    }
    Ok(())
}

/// A server's host as PeerTube writes it (`name.tld` or `name:port`), in lower case: labels of
/// letters, digits and `-` (not at either end) joined by dots, at most 253 characters, and an
/// optional port of 1 to 65535. `None` for anything else (a URL, a path, spaces, `@`).
pub fn normalize_host(text: &str) -> Option<String> {
    let text = text.trim().to_ascii_lowercase();
    let (name, port) = match text.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (text.as_str(), None),
    };
    if let Some(port) = port
        && !(port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)))
    {
        return None;
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    (!name.is_empty() && name.len() <= 253 && name.split('.').all(label_ok)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_peertube_style_names() {
        assert!(ActorName::parse("alice", ActorKind::Account).is_ok());
        assert!(ActorName::parse("alice_2.x", ActorKind::Account).is_ok());
        assert!(ActorName::parse("my-channel", ActorKind::Channel).is_ok());
        assert!(ActorName::parse("a", ActorKind::Account).is_ok());
    }

    #[test]
    fn refuses_bad_names() {
        assert_eq!(
            ActorName::parse("", ActorKind::Account),
            Err(NameError::Length { min: 1, max: 50 })
        );
        assert_eq!(
            ActorName::parse("Alice", ActorKind::Account),
            Err(NameError::Character('A'))
        );
        assert_eq!(
            ActorName::parse("-channel", ActorKind::Channel),
            Err(NameError::Character('-'))
        );
        assert_eq!(
            ActorName::parse("channel.", ActorKind::Channel),
            Err(NameError::Character('.'))
        );
        assert_eq!(
            ActorName::parse("a:b", ActorKind::Channel),
            Err(NameError::Character(':'))
        );
        assert_eq!(
            ActorName::parse("a../etc", ActorKind::Channel),
            Err(NameError::Character('/'))
        );
        assert!(ActorName::parse(&"a".repeat(51), ActorKind::Account).is_err());
        assert!(matches!(
            ActorName::parse("peertube", ActorKind::Account),
            Err(NameError::Reserved(_))
        ));
    }

    #[test]
    fn default_channel_name_stays_within_the_limit() {
        let short = ActorName::parse("bob", ActorKind::Account).unwrap();
        assert_eq!(short.default_channel_name().as_str(), "bob_channel");
        let long = ActorName::parse(&"b".repeat(50), ActorKind::Account).unwrap();
        let channel = long.default_channel_name();
        assert_eq!(channel.as_str().len(), 50);
        assert!(ActorName::parse(channel.as_str(), ActorKind::Channel).is_ok());
    }

    #[test]
    fn text_length_counts_characters() {
        assert!(check_text_length("ééé", 3, 3).is_ok());
        assert!(check_text_length("", 1, 10).is_err());
    }

    #[test]
    fn hosts_are_names_with_an_optional_port() {
        assert_eq!(
            normalize_host("Example.ORG").as_deref(),
            Some("example.org")
        );
        assert_eq!(
            normalize_host("localhost:9001").as_deref(),
            Some("localhost:9001")
        );
        for bad in [
            "",
            "http://a.org",
            "a.org/x",
            "a b",
            "a@b",
            "-a.org",
            "a..org",
            "a.org:",
            "a.org:0",
            "a.org:70000",
            "a.org:1:2",
            ".a.org",
        ] {
            assert_eq!(normalize_host(bad), None, "{bad:?}");
        }
    }
}
