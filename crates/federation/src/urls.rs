//! The ActivityPub ids of this instance's objects, as PeerTube shapes them, and the way back
//! from such a URL to the object it names.
//!
//! Local actors and objects have no stored URL: theirs derive from `server.public_url` and
//! their name or UUID. Remote ones keep the id their origin gave them (`actors.url`,
//! `videos.url`, `video_comments.url`).

use std::sync::Arc;

use kinora_db::actors::ActorRow;

/// The name of the instance actor (PeerTube's `Application` actor).
pub const INSTANCE_ACTOR: &str = "peertube";

/// Builds and recognises this instance's URLs.
#[derive(Debug, Clone)]
pub struct LocalUrls {
    base: Arc<str>,
}

/// What a URL of this instance names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalObject {
    /// `/accounts/<name>` (also the instance actor, `/accounts/peertube`).
    Account(String),
    /// `/video-channels/<name>`.
    Channel(String),
    /// `/videos/watch/<uuid>`.
    Video(String),
    /// `/videos/watch/<uuid>/comments/<id>`.
    Comment(String, i64),
}

impl LocalUrls {
    /// URLs under `public_url` (without a trailing slash).
    pub fn new(public_url: &str) -> Self {
        Self {
            base: Arc::from(public_url.trim_end_matches('/')),
        }
    }

    /// The public URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `host[:port]` of the public URL.
    pub fn host(&self) -> &str {
        kinora_core::urls::host_of(&self.base)
    }

    /// A local account's actor.
    pub fn account(&self, name: &str) -> String {
        format!("{}/accounts/{name}", self.base)
    }

    /// A local channel's actor.
    pub fn channel(&self, name: &str) -> String {
        format!("{}/video-channels/{name}", self.base)
    }

    /// The instance actor.
    pub fn instance_actor(&self) -> String {
        self.account(INSTANCE_ACTOR)
    }

    /// The shared inbox.
    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    /// The actor URL of a local actor of `kind` named `name`.
    pub fn local_actor(&self, kind: &str, name: &str) -> String {
        kinora_core::urls::local_actor_url(&self.base, kind, name)
    }

    /// The ActivityPub id of any actor row: derived for local ones, stored for remote ones.
    pub fn actor(&self, actor: &ActorRow) -> String {
        match &actor.url {
            Some(url) => url.clone(),
            None => self.local_actor(&actor.kind, &actor.preferred_username),
        }
    }

    /// A local video (also the id of our copy's metadata for a remote video: theirs is
    /// `videos.url`).
    pub fn video(&self, uuid: &str) -> String {
        format!("{}/videos/watch/{uuid}", self.base)
    }

    /// A comment written here on the video `video_uuid` (local or remote).
    pub fn comment(&self, video_uuid: &str, comment_id: i64) -> String {
        format!("{}/comments/{comment_id}", self.video(video_uuid))
    }

    /// Which local object `url` names, if it is one of ours.
    pub fn parse(&self, url: &str) -> Option<LocalObject> {
        let path = url.strip_prefix(&*self.base)?;
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["accounts", name] if !name.is_empty() => {
                Some(LocalObject::Account((*name).to_owned()))
            }
            ["video-channels", name] if !name.is_empty() => {
                Some(LocalObject::Channel((*name).to_owned()))
            }
            ["videos", "watch", uuid] if !uuid.is_empty() => {
                Some(LocalObject::Video((*uuid).to_owned()))
            }
            ["videos", "watch", uuid, "comments", id] => id
                .parse()
                .ok()
                .map(|id| LocalObject::Comment((*uuid).to_owned(), id)),
            _ => None,
        }
    }

    /// True when `url` is on this instance's host (whatever it names): nothing remote may
    /// claim such a URL.
    pub fn is_ours(&self, url: &str) -> bool {
        let ours = url::Url::parse(&self.base)
            .ok()
            .and_then(|base| origin_of(&base));
        let theirs = url::Url::parse(url)
            .ok()
            .and_then(|parsed| origin_of(&parsed));
        ours.is_some() && ours == theirs
    }
}

/// `scheme://host[:port]` of a URL, the unit of authority in federation.
pub fn origin_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// `host[:port]` of a URL, as actors' `host` is stored.
pub fn host_and_port(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// `<actor>#main-key`, the key id of a local actor.
pub fn key_id(actor_url: &str) -> String {
    format!("{actor_url}#main-key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls_round_trip() {
        let urls = LocalUrls::new("http://localhost:9000/");
        assert_eq!(
            urls.account("alice"),
            "http://localhost:9000/accounts/alice"
        );
        assert_eq!(
            urls.parse(&urls.channel("alice_channel")),
            Some(LocalObject::Channel("alice_channel".into()))
        );
        let video = urls.video("0a1b");
        assert_eq!(urls.parse(&video), Some(LocalObject::Video("0a1b".into())));
        assert_eq!(
            urls.parse(&urls.comment("0a1b", 7)),
            Some(LocalObject::Comment("0a1b".into(), 7))
        );
        assert_eq!(urls.parse("http://localhost:9001/accounts/alice"), None);
        assert_eq!(urls.parse("http://localhost:9000/accounts/"), None);
        assert_eq!(
            urls.parse("http://localhost:9000/videos/watch/x/comments/y"),
            None
        );
        assert!(urls.is_ours("http://localhost:9000/anything"));
        assert!(!urls.is_ours("http://localhost:9001/anything"));
        assert!(!urls.is_ours("https://localhost:9000/anything"));
        assert_eq!(
            key_id("http://h/accounts/a"),
            "http://h/accounts/a#main-key"
        );
    }
}
