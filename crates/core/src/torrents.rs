//! What the instance writes in torrents and magnets: its tracker URLs, and magnet links as
//! PeerTube builds them. Pure text; the torrents themselves are made by `kinora-p2p`.

/// The tracker tiers of an instance at `public_url`:
/// `[[ws(s)://host/tracker/socket], [http(s)://host/tracker/announce]]`.
pub fn tracker_tiers(public_url: &str) -> Vec<Vec<String>> {
    let socket = match public_url.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}/tracker/socket"),
        None => format!(
            "ws://{}/tracker/socket",
            public_url.trim_start_matches("http://")
        ),
    };
    vec![vec![socket], vec![format!("{public_url}/tracker/announce")]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trackers_follow_the_scheme_of_the_public_url() {
        assert_eq!(
            tracker_tiers("https://v.example"),
            vec![
                vec!["wss://v.example/tracker/socket".to_owned()],
                vec!["https://v.example/tracker/announce".to_owned()]
            ]
        );
        assert_eq!(
            tracker_tiers("http://localhost:9000")[0][0],
            "ws://localhost:9000/tracker/socket"
        );
    }
}
