//! E-mail messages as Kinora composes them: who gets one, its subject, its plain-text and HTML
//! parts, and the link that turns that kind of message off. Sending them is another crate's
//! job (`kinora-mail`); this module only holds the message and the rules its parts obey.

use serde::{Deserialize, Serialize};

/// One message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// The recipient's address.
    pub to: String,
    /// The subject line (one line).
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part (a whole document; every value in it escaped).
    pub html: String,
    /// Where one click stops this kind of message (RFC 8058's `List-Unsubscribe`), when it has
    /// one; the link of account messages (verification, reset) is `None`.
    pub unsubscribe_url: Option<String>,
}

/// One line of a subject: control characters (and so header injection) become spaces, and it
/// is cut to 200 characters.
pub fn subject_line(subject: &str) -> String {
    let line: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = line.trim();
    match trimmed.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_stay_on_one_line() {
        assert_eq!(subject_line("Hi\r\nBcc: x@y.z"), "Hi  Bcc: x@y.z");
        let long = "é".repeat(300);
        let cut = subject_line(&long);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
    }
}
