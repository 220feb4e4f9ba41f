//! What use cases need from other instances, implemented by `kinora-federation` (which the
//! REST API may not depend on) and handed to the API as a trait object.

use std::future::Future;
use std::pin::Pin;

use kinora_db::actors::ActorRow;

use crate::AppResult;

/// A boxed future, as trait objects return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A handle: `name` on this instance, or `name@host` on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handle<'a> {
    /// The actor's name.
    pub name: &'a str,
    /// Its host (`host[:port]`); none for this instance.
    pub host: Option<&'a str>,
}

impl<'a> Handle<'a> {
    /// Reads `name` or `name@host`; `our_host` makes a handle local. Returns none for text that
    /// is no handle.
    pub fn parse(text: &'a str, our_host: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.len() > 300 || text.starts_with('@') {
            return None;
        }
        match text.split_once('@') {
            None => Some(Self {
                name: text,
                host: None,
            }),
            Some((name, host)) if !name.is_empty() && !host.is_empty() && !host.contains('@') => {
                let host_ok = host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
                if !host_ok {
                    return None;
                }
                Some(Self {
                    name,
                    host: (!host.eq_ignore_ascii_case(our_host)).then_some(host),
                })
            }
            Some(_) => None,
        }
    }
}

/// How a relay is subscribed to (FEP-ae0c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayStyle {
    /// The instance actor sends `Follow{object: Public}` to the relay's inbox.
    Mastodon,
    /// The instance actor follows the relay's actor, and accepts its follow back.
    Litepub,
}

impl RelayStyle {
    /// The name stored in `relays.style`.
    pub fn as_str(self) -> &'static str {
        match self {
            RelayStyle::Mastodon => "mastodon",
            RelayStyle::Litepub => "litepub",
        }
    }
}

/// A relay URL checked and understood: what to store for its subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayTarget {
    /// The URL, normalised.
    pub url: String,
    /// How it is subscribed to.
    pub style: RelayStyle,
    /// Where our activities for it go.
    pub inbox_url: String,
    /// The relay's actor, when known already (LitePub).
    pub actor_url: Option<String>,
    /// The id our Follow of it will have.
    pub follow_url: String,
}

/// Reaching other instances.
pub trait RemoteActors: Send + Sync {
    /// Checks a relay URL (an http(s) URL whose host may be reached under the outbound
    /// client's address rules) and finds what it names: a URL whose path ends in `/inbox` is
    /// a Mastodon-style relay's inbox; anything else is fetched as the relay's actor (LitePub).
    fn probe_relay<'a>(&'a self, url: &'a str) -> BoxFuture<'a, AppResult<RelayTarget>> {
        Box::pin(async move {
            Err(crate::AppError::Unsupported {
                code: "relays_not_supported",
                message: format!("{url} cannot be subscribed to: relays are not supported here"),
            })
        })
    }

    /// The remote actor `name@host`: as stored when known and fresh, otherwise found through
    /// WebFinger and fetched from its origin, then stored with its account or channel.
    fn resolve_handle<'a>(
        &'a self,
        name: &'a str,
        host: &'a str,
    ) -> BoxFuture<'a, AppResult<ActorRow>>;

    /// The remote actor `name@host`, fetched again from its origin even when stored and fresh
    /// (what its document says now matters: a move checks the target's aliases).
    fn refresh_handle<'a>(
        &'a self,
        name: &'a str,
        host: &'a str,
    ) -> BoxFuture<'a, AppResult<ActorRow>>;

    /// The remote actor whose ActivityPub id is `url`, fetched again from its origin even when
    /// stored and fresh.
    fn refresh_actor_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, AppResult<ActorRow>>;

    /// The instance actor of `host` (for instance follows), fetched and stored likewise.
    fn resolve_instance<'a>(&'a self, host: &'a str) -> BoxFuture<'a, AppResult<ActorRow>>;

    /// The remote actor whose ActivityPub id is `url`: as stored when known and fresh,
    /// otherwise fetched from its origin and stored with its account or channel.
    fn resolve_actor_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, AppResult<ActorRow>>;

    /// The remote video whose ActivityPub id is `url`, fetched from its origin (never from a
    /// copy) and stored with its channel as any federated video is; returns its id.
    fn resolve_video_url<'a>(&'a self, url: &'a str) -> BoxFuture<'a, AppResult<i64>>;
}

#[cfg(test)]
mod tests {
    use super::Handle;

    #[test]
    fn handles_are_local_or_remote() {
        let local = Handle::parse("alice_channel", "localhost:9000").unwrap();
        assert_eq!(local.host, None);
        let ours = Handle::parse("alice_channel@localhost:9000", "localhost:9000").unwrap();
        assert_eq!(ours.host, None);
        let remote = Handle::parse("bob@video.example:443", "localhost:9000").unwrap();
        assert_eq!(
            (remote.name, remote.host),
            ("bob", Some("video.example:443"))
        );
        for bad in ["", "@", "a@", "@b", "@b@h", "a@b@c", "a@h/../x", "a@h ost"] {
            assert!(Handle::parse(bad, "localhost:9000").is_none(), "{bad:?}");
        }
    }
}
