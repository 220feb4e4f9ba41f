//! Torrents built from real files of awkward sizes: the piece list is checked against an
//! independent computation, the info hash against a hand-written info dictionary and against
//! what Transmission and aria2 read from the `.torrent`.

mod support;

use std::ffi::OsStr;
use std::path::Path;

use kinora_p2p::{P2pError, Torrent, build_torrent, parse_info_hash, piece_length_for};
use sha1::{Digest, Sha1};
use support::{TRACKERS, random_bytes, run_client, spec, text_of, write_file};

const WEB_SEED: &str = "http://127.0.0.1:1/static/web-videos/0a1b2c3d-720.mp4";
const PIECE: usize = 16 * 1024;

/// Builds the torrent of `data` and checks everything that does not need a client.
async fn build_and_check(dir: &Path, name: &str, data: &[u8]) -> Torrent {
    let path = write_file(dir, name, data);
    let torrent = build_torrent(&path, &spec(name, WEB_SEED)).await.unwrap();

    let piece_length = piece_length_for(data.len() as u64);
    assert_eq!(torrent.piece_length, piece_length);
    assert_eq!(torrent.length, data.len() as u64);
    let chunks = data.chunks(piece_length as usize);
    assert_eq!(torrent.piece_count, chunks.len() as u64);
    assert_eq!(
        torrent.piece_count,
        (data.len() as u64).div_ceil(piece_length.into())
    );

    let hashes: Vec<u8> = chunks
        .flat_map(|piece| Sha1::digest(piece).to_vec())
        .collect();
    let mut info = format!(
        "d6:lengthi{}e4:name{}:{name}12:piece lengthi{piece_length}e6:pieces{}:",
        data.len(),
        name.len(),
        hashes.len()
    )
    .into_bytes();
    info.extend_from_slice(&hashes);
    info.push(b'e');
    let at = torrent.bytes.windows(info.len()).position(|w| w == info);
    assert!(
        at.is_some(),
        "the info dictionary is not written as expected"
    );
    assert_eq!(torrent.info_hash, <[u8; 20]>::from(Sha1::digest(&info)));
    assert_eq!(parse_info_hash(&torrent.bytes).unwrap(), torrent.info_hash);
    assert_eq!(torrent.info_hash_hex(), hex_of(&torrent.info_hash));

    std::fs::write(dir.join(format!("{name}.torrent")), &torrent.bytes).unwrap();
    torrent
}

/// Checks that Transmission and aria2 accept the `.torrent` written for `name`.
fn check_with_clients(dir: &Path, name: &str, torrent: &Torrent) {
    let file = dir.join(format!("{name}.torrent"));
    let hash = torrent.info_hash_hex();

    let shown = run_client("transmission-show", "transmission-cli", &[file.as_os_str()]);
    let text = text_of(&shown);
    assert!(
        shown.status.success(),
        "transmission-show refused {name}:\n{text}"
    );
    for expected in [
        format!("Hash: {hash}"),
        format!("Piece Count: {}", torrent.piece_count),
        WEB_SEED.to_string(),
        // Transmission 3 lists only trackers it can use, so not the WebSocket one.
        TRACKERS[1].to_string(),
    ] {
        assert!(
            text.contains(&expected),
            "transmission-show lacks {expected:?}:\n{text}"
        );
    }

    let listed = run_client(
        "aria2c",
        "aria2",
        &[OsStr::new("--show-files"), file.as_os_str()],
    );
    let text = text_of(&listed);
    assert!(listed.status.success(), "aria2c refused {name}:\n{text}");
    for expected in [
        format!("Info Hash: {hash}"),
        format!("The Number of Pieces: {}", torrent.piece_count),
        format!(
            "({})\nURL List:\n {WEB_SEED}\n",
            group_thousands(torrent.length)
        ),
        format!("Announce:\n {}\n {}\n", TRACKERS[0], TRACKERS[1]),
        format!("Name: {name}\n"),
    ] {
        assert!(
            text.contains(&expected),
            "aria2c lacks {expected:?}:\n{text}"
        );
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `1234567` as aria2 prints it, `1,234,567`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[tokio::test]
async fn awkward_sizes_have_exactly_one_hash_per_piece_and_clients_agree() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("one byte.mp4", 1),
        ("one piece.mp4", PIECE),
        ("four pieces.mp4", 4 * PIECE),
        ("four pieces and a byte.mp4", 4 * PIECE + 1),
        ("a few megabytes.mp4", 5_000_123),
    ];
    for (seed, (name, size)) in cases.into_iter().enumerate() {
        let data = random_bytes(size, seed as u64 + 1);
        let torrent = build_and_check(dir.path(), name, &data).await;
        check_with_clients(dir.path(), name, &torrent);
    }
    let four = build_and_check(dir.path(), "four.mp4", &random_bytes(4 * PIECE, 9)).await;
    assert_eq!(
        four.piece_count, 4,
        "an exact multiple must not get an extra piece"
    );
}

#[tokio::test]
async fn the_whole_document_is_canonical_bencode() {
    let dir = tempfile::tempdir().unwrap();
    let data = b"x";
    let torrent = build_and_check(dir.path(), "x.mp4", data).await;
    let mut expected = format!(
        "d8:announce{}:{}13:announce-listll{}:{}el{}:{}ee7:comment12:test torrent\
         10:created by6:Kinora13:creation datei1764000000e4:infod6:lengthi1e4:name5:x.mp4\
         12:piece lengthi16384e6:pieces20:",
        TRACKERS[0].len(),
        TRACKERS[0],
        TRACKERS[0].len(),
        TRACKERS[0],
        TRACKERS[1].len(),
        TRACKERS[1],
    )
    .into_bytes();
    expected.extend_from_slice(&Sha1::digest(data));
    expected.extend_from_slice(format!("e8:url-listl{}:{WEB_SEED}ee", WEB_SEED.len()).as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&torrent.bytes),
        String::from_utf8_lossy(&expected)
    );
}

#[tokio::test]
async fn a_torrent_without_trackers_or_web_seed_is_still_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "private.mp4", &random_bytes(40_000, 3));
    let spec = kinora_p2p::TorrentSpec {
        name: "private.mp4",
        ..Default::default()
    };
    let torrent = build_torrent(&path, &spec).await.unwrap();
    assert!(!torrent.bytes.windows(8).any(|w| w == b"url-list"));
    assert!(!torrent.bytes.windows(8).any(|w| w == b"announce"));
    std::fs::write(dir.path().join("private.mp4.torrent"), &torrent.bytes).unwrap();
    let file = dir.path().join("private.mp4.torrent");
    let shown = run_client("transmission-show", "transmission-cli", &[file.as_os_str()]);
    assert!(shown.status.success(), "{}", text_of(&shown));
    let listed = run_client("aria2c", "aria2", &[OsStr::new("-S"), file.as_os_str()]);
    assert!(listed.status.success(), "{}", text_of(&listed));
}

#[tokio::test]
async fn empty_and_missing_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write_file(dir.path(), "empty.mp4", b"");
    let err = build_torrent(&empty, &spec("empty.mp4", WEB_SEED))
        .await
        .unwrap_err();
    assert!(
        matches!(err, P2pError::Torrent(ref m) if m.contains("empty")),
        "{err}"
    );

    let missing = dir.path().join("missing.mp4");
    let err = build_torrent(&missing, &spec("missing.mp4", WEB_SEED))
        .await
        .unwrap_err();
    assert!(matches!(err, P2pError::Read { .. }), "{err}");

    let err = build_torrent(&empty, &spec("../escape.mp4", WEB_SEED))
        .await
        .unwrap_err();
    assert!(matches!(err, P2pError::Torrent(_)), "{err}");
}

#[test]
fn parse_info_hash_refuses_what_is_not_a_torrent() {
    for bad in [
        &b""[..],
        b"not bencode",
        b"d4:name1:ae",
        b"d4:infod",
        b"d4:infodee trailing",
    ] {
        let err = parse_info_hash(bad).unwrap_err();
        assert!(matches!(err, P2pError::InvalidTorrent(_)), "{bad:?}: {err}");
    }
}
