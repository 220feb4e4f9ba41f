//! Magnet links as PeerTube writes them for a video file (`generateMagnetUri` with the
//! `magnet-uri` package): `xs`, `xt`, `dn`, then one `tr` per tracker and one `ws` per web seed.

/// The magnet link for a torrent.
///
/// `magnet:?xs=<torrent url>&xt=urn:btih:<hash>&dn=<name>&tr=…&ws=…`, in that order. Values are
/// percent-encoded as JavaScript's `encodeURIComponent` does; in `dn` a space becomes `+`, as
/// in PeerTube's magnets. An empty `torrent_url` or `display_name` is left out.
pub fn magnet_uri(
    torrent_url: &str,
    info_hash_hex: &str,
    display_name: &str,
    trackers: &[String],
    web_seeds: &[String],
) -> String {
    let mut params = Vec::with_capacity(3 + trackers.len() + web_seeds.len());
    if !torrent_url.is_empty() {
        params.push(format!("xs={}", encode_component(torrent_url)));
    }
    params.push(format!("xt=urn:btih:{}", encode_component(info_hash_hex)));
    if !display_name.is_empty() {
        params.push(format!(
            "dn={}",
            encode_component(display_name).replace("%20", "+")
        ));
    }
    params.extend(
        trackers
            .iter()
            .map(|url| format!("tr={}", encode_component(url))),
    );
    params.extend(
        web_seeds
            .iter()
            .map(|url| format!("ws={}", encode_component(url))),
    );
    format!("magnet:?{}", params.join("&"))
}

/// Percent-encodes `text` as `encodeURIComponent`: every UTF-8 byte except ASCII letters,
/// digits and `-_.!~*'()` becomes `%XX`.
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_parameters_in_peertubes_order() {
        let magnet = magnet_uri(
            "https://v.example/lazy-static/torrents/abc-720.torrent",
            "0123456789abcdef0123456789abcdef01234567",
            "My video",
            &[
                "https://v.example/tracker/announce".to_string(),
                "wss://v.example:443/tracker/socket".to_string(),
            ],
            &["https://v.example/static/web-videos/abc-720.mp4".to_string()],
        );
        assert_eq!(
            magnet,
            "magnet:?xs=https%3A%2F%2Fv.example%2Flazy-static%2Ftorrents%2Fabc-720.torrent\
             &xt=urn:btih:0123456789abcdef0123456789abcdef01234567\
             &dn=My+video\
             &tr=https%3A%2F%2Fv.example%2Ftracker%2Fannounce\
             &tr=wss%3A%2F%2Fv.example%3A443%2Ftracker%2Fsocket\
             &ws=https%3A%2F%2Fv.example%2Fstatic%2Fweb-videos%2Fabc-720.mp4"
        );
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode_component("aZ09-_.!~*'()"), "aZ09-_.!~*'()");
        assert_eq!(
            encode_component("a b&c=d+e/f?g#h%"),
            "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h%25"
        );
        assert_eq!(encode_component("vidéo ✓"), "vid%C3%A9o%20%E2%9C%93");
    }

    #[test]
    fn leaves_out_empty_optional_parts() {
        let magnet = magnet_uri("", "00", "", &[], &[]);
        assert_eq!(magnet, "magnet:?xt=urn:btih:00");
        let named = magnet_uri("", "00", "a&b c", &[], &[]);
        assert_eq!(named, "magnet:?xt=urn:btih:00&dn=a%26b+c");
    }
}
