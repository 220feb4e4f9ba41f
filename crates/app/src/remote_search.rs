//! Search by handle or URL, as PeerTube's `search.remote_uri`: text that names a channel
//! (`name@host`, `@name@host`, `acct:name@host`, or its URL in any of PeerTube's forms) or a
//! video (its URL) is looked up here and, when the configuration lets the viewer, fetched from
//! its origin through [`RemoteActors`] and imported. Everything else is a plain text search.
//!
//! A remote object that cannot be had (unreachable, refused by the outbound client, 404 at its
//! origin, not a channel) is no error for the searcher: the search answers nothing, as
//! PeerTube's does; the log keeps why.

use kinora_db::channels::ChannelRow;
use kinora_db::videos::VideoRow;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::remote::RemoteActors;
use crate::{AppError, AppResult};

/// Longest remote actor name accepted in a handle (Mastodon allows 30, PeerTube 50).
const REMOTE_NAME_MAX: usize = 100;

/// The `[search]` configuration section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// `[search.remote_uri]`: who may make a search fetch an object from another instance.
    pub remote_uri: RemoteUriConfig,
}

/// The `[search.remote_uri]` section (PeerTube's `search.remote_uri`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemoteUriConfig {
    /// Logged-in users may search by handle or URL for objects this instance does not know
    /// yet (they are fetched from their origin and imported).
    pub users: bool,
    /// Anonymous visitors may too (off by default: each such search makes the server fetch).
    pub anonymous: bool,
}

impl Default for RemoteUriConfig {
    fn default() -> Self {
        Self {
            users: true,
            anonymous: false,
        }
    }
}

impl SearchConfig {
    /// Whether a viewer (logged in or not) may make a search fetch remote objects.
    pub fn may_fetch(&self, logged_in: bool) -> bool {
        if logged_in {
            self.remote_uri.users
        } else {
            self.remote_uri.anonymous
        }
    }
}

/// What a search text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTarget {
    /// Words to find in names.
    Text,
    /// An actor by handle: `name` on this instance (no host), or `name@host`.
    Handle {
        /// The actor's name.
        name: String,
        /// Its host (`host[:port]`, lower case); none for this instance.
        host: Option<String>,
    },
    /// An object by URL (query and fragment dropped).
    Url(Url),
}

/// Reads a search text: a URL when it starts with `http://` or `https://`, a handle when it is
/// one word with an `@`, text otherwise. A URL or a handle that is malformed is refused with a
/// message for the `search` field.
pub fn parse_target(text: &str, our_host: &str) -> Result<SearchTarget, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        if text.chars().any(char::is_whitespace) {
            return Err("a URL may not contain spaces".into());
        }
        let mut url = Url::parse(text).map_err(|error| format!("is not a valid URL: {error}"))?;
        if url.host_str().is_none_or(str::is_empty) || !url.username().is_empty() {
            return Err("is not a valid URL: it needs a host and no user name".into());
        }
        url.set_query(None);
        url.set_fragment(None);
        return Ok(SearchTarget::Url(url));
    }
    if !text.contains('@') || text.chars().any(char::is_whitespace) {
        return Ok(SearchTarget::Text);
    }
    parse_handle(text, our_host)
}

/// Reads `name@host`, `@name@host`, `acct:name@host` or `@name`.
fn parse_handle(text: &str, our_host: &str) -> Result<SearchTarget, String> {
    let bare = text
        .strip_prefix("acct:")
        .or_else(|| text.strip_prefix('@'))
        .unwrap_or(text);
    let bad = || format!("{text:?} is not a valid handle: expected name@host or @name@host");
    let (name, host) = match bare.split_once('@') {
        Some((name, host)) => (name, Some(host)),
        None => (bare, None),
    };
    let name_ok = !name.is_empty()
        && name.len() <= REMOTE_NAME_MAX
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !name_ok {
        return Err(bad());
    }
    let host = match host {
        None => None,
        Some(host) => {
            let host = kinora_core::names::normalize_host(host).ok_or_else(bad)?;
            (!host.eq_ignore_ascii_case(our_host)).then_some(host)
        }
    };
    Ok(SearchTarget::Handle {
        name: name.to_owned(),
        host,
    })
}

/// The ActivityPub id PeerTube (and Kinora) give the channel or account a page URL shows:
/// `/c/name…` and `/video-channels/name/…` → `/video-channels/name`, `/a/name…` and
/// `/accounts/name/…` → `/accounts/name`. A page of a remote channel shown on another
/// instance (`/c/name@host`) becomes that handle. Other URLs are kept.
pub fn actor_target(url: &Url, our_host: &str) -> AppResult<SearchTarget> {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let (kind, name) = match segments.as_slice() {
        ["c" | "video-channels", name, ..] => ("video-channels", *name),
        ["a" | "accounts", name, ..] => ("accounts", *name),
        _ => return Ok(SearchTarget::Url(url.clone())),
    };
    let name = percent_decode(name);
    if name.contains('@') {
        return parse_handle(&name, our_host).map_err(|message| AppError::Invalid {
            field: "search",
            message,
        });
    }
    let mut actor = url.clone();
    actor.set_path(&format!("/{kind}/{name}"));
    Ok(SearchTarget::Url(actor))
}

/// The ActivityPub id of the video a page URL shows: `/w/<shortUUID or UUID>`,
/// `/videos/watch/<uuid>` and `/videos/embed/<uuid>` → `/videos/watch/<uuid>`. Other URLs
/// are kept.
pub fn video_url(url: &Url) -> Url {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let id = match segments.as_slice() {
        ["w", id] | ["videos", "watch" | "embed", id] => *id,
        _ => return url.clone(),
    };
    let uuid = uuid::Uuid::parse_str(id)
        .ok()
        .or_else(|| kinora_core::video::parse_short_uuid(id));
    match uuid {
        Some(uuid) => {
            let mut canonical = url.clone();
            canonical.set_path(&format!("/videos/watch/{uuid}"));
            canonical
        }
        None => url.clone(),
    }
}

fn percent_decode(text: &str) -> String {
    // `@` is the only character of a handle a browser escapes in a path.
    text.replace("%40", "@")
}

/// Whether `url` is on this instance (`our_base`: the public URL without a trailing slash).
fn is_ours(url: &Url, our_base: &str) -> bool {
    Url::parse(our_base).is_ok_and(|ours| ours.origin() == url.origin())
}

/// The last path segment of a URL (a name or an id on this instance).
fn last_segment(url: &Url) -> Option<String> {
    url.path_segments()
        .and_then(|mut segments| segments.nth(1))
        .map(percent_decode)
}

/// Logs why a remote object could not be had and answers nothing; failures of this
/// instance (database, queue, storage, internal) stay errors.
fn nothing_on_remote_failure<T>(result: AppResult<T>, what: &str) -> AppResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(
            error @ (AppError::Db(_)
            | AppError::Job(_)
            | AppError::Storage(_)
            | AppError::Internal(_)),
        ) => Err(error),
        Err(error) => {
            tracing::info!(%error, search = what, "a search by handle or URL found nothing");
            Ok(None)
        }
    }
}

/// Who is searching and what they may do.
pub struct Searcher<'a> {
    /// The database.
    pub db: &'a kinora_db::Db,
    /// Other instances.
    pub remote: &'a dyn RemoteActors,
    /// The instance's public URL without a trailing slash.
    pub our_base: &'a str,
    /// Whether this searcher may make the server fetch what it does not know yet.
    pub may_fetch: bool,
}

impl Searcher<'_> {
    fn our_host(&self) -> &str {
        kinora_core::urls::host_of(self.our_base)
    }

    /// The channel a handle or URL names: known here, or (when allowed) fetched from its
    /// origin and stored. None when there is no such channel to be had.
    pub async fn channel(&self, target: &SearchTarget) -> AppResult<Option<ChannelRow>> {
        let pool = self.db.pool();
        match target {
            SearchTarget::Text => Ok(None),
            SearchTarget::Handle { name, host: None } => {
                Ok(kinora_db::channels::find_local_by_name(pool, name).await?)
            }
            SearchTarget::Handle {
                name,
                host: Some(host),
            } => {
                let actor = if self.may_fetch {
                    nothing_on_remote_failure(
                        self.remote.resolve_handle(name, host).await,
                        "handle",
                    )?
                } else {
                    kinora_db::actors::find_remote_by_name(pool, name, host).await?
                };
                match actor {
                    Some(actor) => Ok(kinora_db::channels::find_by_actor(pool, actor.id).await?),
                    None => Ok(None),
                }
            }
            SearchTarget::Url(url) => match actor_target(url, self.our_host())? {
                SearchTarget::Url(url) if is_ours(&url, self.our_base) => {
                    let is_channel = url.path().starts_with("/video-channels/");
                    match last_segment(&url) {
                        Some(name) if is_channel => {
                            Ok(kinora_db::channels::find_local_by_name(pool, &name).await?)
                        }
                        _ => Ok(None),
                    }
                }
                SearchTarget::Url(url) => {
                    let actor = if self.may_fetch {
                        nothing_on_remote_failure(
                            self.remote.resolve_actor_url(url.as_str()).await,
                            "url",
                        )?
                    } else {
                        kinora_db::actors::find_by_url(pool, url.as_str()).await?
                    };
                    match actor {
                        Some(actor) => {
                            Ok(kinora_db::channels::find_by_actor(pool, actor.id).await?)
                        }
                        None => Ok(None),
                    }
                }
                handle => Box::pin(self.channel(&handle)).await,
            },
        }
    }

    /// The video a URL names: known here, or (when allowed) fetched from its origin and
    /// imported. None when there is no such video to be had (the caller still asks whether
    /// the viewer may see it).
    pub async fn video(&self, url: &Url) -> AppResult<Option<VideoRow>> {
        let url = video_url(url);
        if is_ours(&url, self.our_base) {
            return match url.path().strip_prefix("/videos/watch/") {
                Some(id) => crate::videos::find_video(self.db, id).await,
                None => Ok(None),
            };
        }
        let pool = self.db.pool();
        if !self.may_fetch {
            return Ok(kinora_db::remote_videos::find_by_url(pool, url.as_str()).await?);
        }
        let id =
            nothing_on_remote_failure(self.remote.resolve_video_url(url.as_str()).await, "url")?;
        match id {
            Some(id) => Ok(kinora_db::videos::find_by_id(pool, id).await?),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "localhost:9000";

    fn handle(name: &str, host: Option<&str>) -> SearchTarget {
        SearchTarget::Handle {
            name: name.into(),
            host: host.map(Into::into),
        }
    }

    #[test]
    fn handles_urls_and_text_are_told_apart() {
        assert_eq!(parse_target("cats and dogs", HOST), Ok(SearchTarget::Text));
        assert_eq!(parse_target("mail me@x", HOST), Ok(SearchTarget::Text));
        assert_eq!(
            parse_target("bob@Video.Example:8443", HOST),
            Ok(handle("bob", Some("video.example:8443")))
        );
        assert_eq!(
            parse_target("@Gargron@mastodon.social", HOST),
            Ok(handle("Gargron", Some("mastodon.social")))
        );
        assert_eq!(
            parse_target("acct:bob@v.example", HOST),
            Ok(handle("bob", Some("v.example")))
        );
        assert_eq!(
            parse_target("alice@localhost:9000", HOST),
            Ok(handle("alice", None))
        );
        assert_eq!(parse_target("@alice", HOST), Ok(handle("alice", None)));
        let SearchTarget::Url(url) =
            parse_target("https://v.example/w/abc?start=10#x", HOST).unwrap()
        else {
            panic!("a URL")
        };
        assert_eq!(url.as_str(), "https://v.example/w/abc");
    }

    #[test]
    fn malformed_handles_and_urls_are_refused() {
        for bad in [
            "@",
            "a@",
            "@b@",
            "@@b",
            "a@b@c",
            "@a@b@c",
            "a@h/../x",
            "a@ho$t",
            "a@-h",
            "a@h:0",
            "a@h:99999",
            "é@h",
            "a!@h",
        ] {
            let error = parse_target(bad, HOST).unwrap_err();
            assert!(error.contains("not a valid handle"), "{bad:?}: {error}");
        }
        for bad in [
            "http://",
            "https://[::1",
            "http://user@host/x",
            "http://a b",
        ] {
            assert!(parse_target(bad, HOST).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn page_urls_become_activitypub_ids() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert_eq!(
            actor_target(&url("https://v.example/c/chan/videos"), HOST).unwrap(),
            SearchTarget::Url(url("https://v.example/video-channels/chan"))
        );
        assert_eq!(
            actor_target(&url("https://v.example/a/bob"), HOST).unwrap(),
            SearchTarget::Url(url("https://v.example/accounts/bob"))
        );
        assert_eq!(
            actor_target(&url("https://v.example/c/chan@other.example"), HOST).unwrap(),
            handle("chan", Some("other.example"))
        );
        assert_eq!(
            actor_target(&url("https://m.example/@bob"), HOST).unwrap(),
            SearchTarget::Url(url("https://m.example/@bob"))
        );
        let uuid = uuid::Uuid::parse_str("9c9de5e8-0a1e-484a-b099-e80766180a6d").unwrap();
        let short = kinora_core::video::short_uuid(&uuid);
        let watch = url(&format!("https://v.example/videos/watch/{uuid}"));
        assert_eq!(
            video_url(&url(&format!("https://v.example/w/{short}"))),
            watch
        );
        assert_eq!(
            video_url(&url(&format!("https://v.example/w/{uuid}"))),
            watch
        );
        assert_eq!(
            video_url(&url(&format!("https://v.example/videos/embed/{uuid}"))),
            watch
        );
        assert_eq!(video_url(&watch), watch);
        let other = url("https://m.example/@bob/1234");
        assert_eq!(video_url(&other), other);
    }

    #[test]
    fn remote_search_is_for_users_by_default() {
        let config = SearchConfig::default();
        assert!(config.may_fetch(true));
        assert!(!config.may_fetch(false));
    }
}
