//! The instance's public URL.

/// `host[:port]` of a URL such as `http://localhost:9000/x` (`localhost:9000`), as PeerTube
/// writes `host` and WebFinger handles.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_keep_their_port_and_drop_scheme_and_path() {
        assert_eq!(host_of("http://localhost:9000"), "localhost:9000");
        assert_eq!(host_of("https://v.example/base/"), "v.example");
        assert_eq!(host_of("v.example"), "v.example");
    }
}
