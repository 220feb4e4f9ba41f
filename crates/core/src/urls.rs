//! The instance's public URL.

/// `host[:port]` of a URL such as `http://localhost:9000/x` (`localhost:9000`), as PeerTube
/// writes `host` and WebFinger handles.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// The ActivityPub id of a local actor of `kind` (`Group`: a channel; anything else: an
/// account or the instance actor) named `name`, under `public_url`.
pub fn local_actor_url(public_url: &str, kind: &str, name: &str) -> String {
    let base = public_url.trim_end_matches('/');
    match kind {
        "Group" => format!("{base}/video-channels/{name}"),
        _ => format!("{base}/accounts/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{host_of, local_actor_url};

    #[test]
    fn local_actors_are_accounts_or_channels() {
        assert_eq!(
            local_actor_url("http://h:9000/", "Group", "c"),
            "http://h:9000/video-channels/c"
        );
        assert_eq!(
            local_actor_url("http://h:9000", "Person", "a"),
            "http://h:9000/accounts/a"
        );
    }

    #[test]
    fn hosts_keep_their_port_and_drop_scheme_and_path() {
        assert_eq!(host_of("http://localhost:9000"), "localhost:9000");
        assert_eq!(host_of("https://v.example/base/"), "v.example");
        assert_eq!(host_of("v.example"), "v.example");
    }
}
