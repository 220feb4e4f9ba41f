//! Users: roles, registration modes and quotas.

use serde::{Deserialize, Serialize};

/// A user's role, with PeerTube's numeric ids (0 administrator, 1 moderator, 2 user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    /// Runs the instance: every right.
    Admin,
    /// Moderates content and users.
    Moderator,
    /// An ordinary user.
    User,
}

impl UserRole {
    /// PeerTube's numeric id of the role.
    pub fn id(self) -> i64 {
        match self {
            UserRole::Admin => 0,
            UserRole::Moderator => 1,
            UserRole::User => 2,
        }
    }

    /// The role for a PeerTube numeric id.
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            0 => Some(UserRole::Admin),
            1 => Some(UserRole::Moderator),
            2 => Some(UserRole::User),
            _ => None,
        }
    }

    /// PeerTube's label of the role.
    pub fn label(self) -> &'static str {
        match self {
            UserRole::Admin => "Administrator",
            UserRole::Moderator => "Moderator",
            UserRole::User => "User",
        }
    }
}

/// Who may create an account on the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Only administrators create users (the default).
    #[default]
    Closed,
    /// Anyone may register.
    Open,
    /// Anyone may ask; an administrator approves.
    Approval,
}

/// Shortest accepted password, as in PeerTube.
pub const PASSWORD_MIN: usize = 6;
/// Longest accepted password, as in PeerTube; longer input is refused before hashing.
pub const PASSWORD_MAX: usize = 255;
/// Longest accepted e-mail address.
pub const EMAIL_MAX: usize = 254;

/// Checks an e-mail address's shape: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_plausible_email(email: &str) -> bool {
    if email.len() > EMAIL_MAX || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_peertube_ids() {
        for role in [UserRole::Admin, UserRole::Moderator, UserRole::User] {
            assert_eq!(UserRole::from_id(role.id()), Some(role));
        }
        assert_eq!(UserRole::from_id(7), None);
    }

    #[test]
    fn email_shapes() {
        assert!(is_plausible_email("a@example.com"));
        assert!(!is_plausible_email("a@b"));
        assert!(!is_plausible_email("a b@example.com"));
        assert!(!is_plausible_email("@example.com"));
        assert!(!is_plausible_email("a@@example.com"));
    }
}
