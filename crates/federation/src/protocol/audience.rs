//! Who an activity or object is addressed to (`to` and `cc`), as PeerTube addresses them.

use kinora_core::video::Privacy;
use serde_json::{Value, json};

/// The ActivityStreams public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The `to` and `cc` of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Primary recipients.
    pub to: Vec<String>,
    /// Secondary recipients.
    pub cc: Vec<String>,
}

impl Audience {
    /// `to [Public]`, `cc [followers]`: what an actor publishes for everyone.
    pub fn public(followers: &str) -> Self {
        Self {
            to: vec![PUBLIC.to_owned()],
            cc: vec![followers.to_owned()],
        }
    }

    /// `to []`, `cc []`: an unlisted video (its followers still get it, it is just not listed).
    pub fn unlisted() -> Self {
        Self::default()
    }

    /// `to [actor]`: an activity sent to one actor (a rating sent to a video's origin).
    pub fn direct(actor: &str) -> Self {
        Self {
            to: vec![actor.to_owned()],
            cc: Vec::new(),
        }
    }

    /// The audience of a video of `privacy` published by the account whose followers
    /// collection is `followers`; none for private and internal videos, which are never
    /// federated.
    pub fn of_video(privacy: i64, followers: &str) -> Option<Self> {
        match Privacy::from_id(privacy)? {
            Privacy::Public => Some(Self::public(followers)),
            Privacy::Unlisted => Some(Self::unlisted()),
            Privacy::Private | Privacy::Internal => None,
        }
    }

    /// Sets `to` and `cc` on `document` (an object).
    pub fn apply(&self, document: &mut Value) {
        if let Value::Object(map) = document {
            map.insert("to".into(), json!(self.to));
            map.insert("cc".into(), json!(self.cc));
        }
    }

    /// True when the public collection is a primary recipient.
    pub fn is_public(&self) -> bool {
        self.to.iter().any(|to| is_public_collection(to))
    }
}

/// True for the spellings of the public collection (`as:Public`, `Public` and the full URL).
pub fn is_public_collection(value: &str) -> bool {
    matches!(value, PUBLIC | "as:Public" | "Public")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_audiences_follow_privacy() {
        let public = Audience::of_video(1, "https://h/accounts/a/followers").unwrap();
        assert_eq!(public.to, [PUBLIC]);
        assert_eq!(public.cc, ["https://h/accounts/a/followers"]);
        assert!(public.is_public());
        let unlisted = Audience::of_video(2, "https://h/accounts/a/followers").unwrap();
        assert!(unlisted.to.is_empty() && unlisted.cc.is_empty());
        assert!(!unlisted.is_public());
        assert_eq!(Audience::of_video(3, "f"), None);
        assert_eq!(Audience::of_video(4, "f"), None);
        assert_eq!(Audience::of_video(5, "f"), None);
        let mut document = json!({"type": "Like"});
        Audience::direct("https://h/accounts/a").apply(&mut document);
        assert_eq!(document["to"], json!(["https://h/accounts/a"]));
        assert_eq!(document["cc"], json!([]));
    }
}
