//! Single-file BitTorrent v1 torrents with a web seed, one per published video file, as PeerTube
//! makes them (`server/core/helpers/webtorrent.ts`).
//!
//! [`build_torrent`] reads the file once in bounded buffers, hashes each piece with SHA-1 and
//! writes the `.torrent`: `info` = {length, name, piece length, pieces}, and around it `announce`,
//! `announce-list`, `url-list` (BEP 19 web seed), `created by`, `creation date` and `comment`.
//! A correct writer has exactly ⌈size / piece length⌉ piece hashes; librqbit 9.1.0 writes one
//! too many for sizes that are exact multiples, which aria2 and Transmission reject.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::P2pError;
use crate::bencode::{self, Value};

/// The smallest piece length [`piece_length_for`] picks: 16 KiB, the BitTorrent block size.
pub const MIN_PIECE_LENGTH: u32 = 16 * 1024;
/// The largest piece length [`piece_length_for`] picks: 4 MiB.
pub const MAX_PIECE_LENGTH: u32 = 4 * 1024 * 1024;
/// The most pieces [`piece_length_for`] aims for before it doubles the piece length.
pub const MAX_TARGET_PIECES: u64 = 2048;

/// How much of the file is read at a time while hashing.
const READ_BUFFER: usize = 1024 * 1024;
/// Length of one SHA-1 piece hash.
const HASH_LEN: usize = 20;

/// The piece length for a file of `size` bytes.
///
/// The rule: the smallest power of two that cuts the file into at most
/// [`MAX_TARGET_PIECES`] (2048) pieces, kept between [`MIN_PIECE_LENGTH`] (16 KiB) and
/// [`MAX_PIECE_LENGTH`] (4 MiB). Between 32 MiB and 8 GiB a file therefore gets 1025 to 2048
/// pieces; smaller files get fewer pieces of 16 KiB, larger files more pieces of 4 MiB. Like
/// webtorrent's `piece-length`, it keeps the piece list (20 bytes per piece) small while
/// letting clients verify and share data in small units.
pub fn piece_length_for(size: u64) -> u32 {
    let wanted = size.div_ceil(MAX_TARGET_PIECES).max(1).next_power_of_two();
    let clamped = wanted.clamp(u64::from(MIN_PIECE_LENGTH), u64::from(MAX_PIECE_LENGTH));
    u32::try_from(clamped).unwrap_or(MAX_PIECE_LENGTH)
}

/// What goes into a torrent besides the file's data.
#[derive(Debug, Clone, Default)]
pub struct TorrentSpec<'a> {
    /// The file name inside the torrent (PeerTube: `"<video name> <res>p<ext>"`). It must be a
    /// plain name: not empty, not `.` or `..`, without `/`, `\` or NUL.
    pub name: &'a str,
    /// The public URL of the file, written as the `url-list` web seed. `None` for files that are
    /// not publicly served (PeerTube writes no web seed for private videos).
    pub web_seed_url: Option<&'a str>,
    /// Tracker tiers, e.g. `[["wss://host/tracker/socket"], ["https://host/tracker/announce"]]`.
    /// The first URL also becomes `announce`; empty tiers are left out.
    pub announce_list: Vec<Vec<String>>,
    /// Written as `created by` when not empty (PeerTube writes `"PeerTube"`).
    pub created_by: &'a str,
    /// Unix seconds written as `creation date`; `None` leaves it out, so the bytes depend on the
    /// file and this spec alone.
    pub creation_date: Option<i64>,
    /// Written as `comment` when set.
    pub comment: Option<&'a str>,
}

/// A `.torrent` as written, with what callers store about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Torrent {
    /// The bencoded `.torrent` file.
    pub bytes: Vec<u8>,
    /// SHA-1 of the bencoded `info` dictionary exactly as it appears in `bytes`.
    pub info_hash: [u8; 20],
    /// Bytes per piece (the last piece may be shorter).
    pub piece_length: u32,
    /// Number of pieces: ⌈length / piece_length⌉.
    pub piece_count: u64,
    /// Size of the file in bytes.
    pub length: u64,
}

impl Torrent {
    /// The info hash as 40 lower-case hex digits, as magnets and PeerTube's API write it.
    pub fn info_hash_hex(&self) -> String {
        hex::encode(self.info_hash)
    }
}

/// The result of hashing a file piece by piece.
struct Pieces {
    length: u64,
    piece_length: u32,
    hashes: Vec<u8>,
}

/// Builds the torrent for the file at `path`, hashing on tokio's blocking pool.
///
/// Refuses an empty file (clients reject torrents without data), a file whose size changes
/// while it is read, and a spec whose `name` is not a plain file name.
pub async fn build_torrent(path: &Path, spec: &TorrentSpec<'_>) -> Result<Torrent, P2pError> {
    check_spec(spec)?;
    let owned = path.to_path_buf();
    let pieces = tokio::task::spawn_blocking(move || hash_pieces(&owned))
        .await
        .map_err(|err| P2pError::Torrent(format!("hashing task failed: {err}")))??;
    assemble(spec, pieces)
}

/// Builds the torrent for the file at `path` on the calling thread; see [`build_torrent`].
pub fn build_torrent_blocking(path: &Path, spec: &TorrentSpec<'_>) -> Result<Torrent, P2pError> {
    check_spec(spec)?;
    assemble(spec, hash_pieces(path)?)
}

/// Reads a `.torrent` and returns its info hash: the SHA-1 of its `info` dictionary exactly as
/// written. The document must be one well-formed bencoded dictionary with an `info` dictionary.
pub fn parse_info_hash(bytes: &[u8]) -> Result<[u8; 20], P2pError> {
    let info = bencode::find_info(bytes).map_err(P2pError::InvalidTorrent)?;
    Ok(Sha1::digest(&bytes[info]).into())
}

fn check_spec(spec: &TorrentSpec<'_>) -> Result<(), P2pError> {
    let name = spec.name;
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
        return Err(P2pError::Torrent(format!(
            "{name:?} is not a plain file name"
        )));
    }
    Ok(())
}

/// Reads the file once, in [`READ_BUFFER`]-sized reads, and hashes every piece.
fn hash_pieces(path: &Path) -> Result<Pieces, P2pError> {
    let read_error = |source| P2pError::Read {
        path: PathBuf::from(path),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let expected = file.metadata().map_err(read_error)?.len();
    if expected == 0 {
        return Err(P2pError::Torrent(format!(
            "{} is empty; a torrent needs at least one byte",
            path.display()
        )));
    }
    let piece_length = piece_length_for(expected);
    let (length, hashes) = hash_reader(file, piece_length, READ_BUFFER).map_err(read_error)?;
    if length != expected {
        return Err(P2pError::Torrent(format!(
            "{} changed while it was hashed ({expected} bytes, then {length})",
            path.display()
        )));
    }
    Ok(Pieces {
        length,
        piece_length,
        hashes,
    })
}

/// Reads `reader` to its end through one buffer of `buffer_len` bytes and returns how many
/// bytes it held and the SHA-1 of each `piece_length` piece, the last one possibly shorter.
fn hash_reader(
    mut reader: impl Read,
    piece_length: u32,
    buffer_len: usize,
) -> std::io::Result<(u64, Vec<u8>)> {
    let piece_length = u64::from(piece_length);
    let mut hashes = Vec::new();
    let mut buffer = vec![0; buffer_len];
    let mut hasher = Sha1::new();
    let mut in_piece: u64 = 0;
    let mut length: u64 = 0;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        length += read as u64;
        let mut chunk = &buffer[..read];
        while !chunk.is_empty() {
            let room = piece_length - in_piece;
            let take = chunk.len().min(usize::try_from(room).unwrap_or(usize::MAX));
            hasher.update(&chunk[..take]);
            in_piece += take as u64;
            chunk = &chunk[take..];
            if in_piece == piece_length {
                hashes.extend_from_slice(&hasher.finalize_reset());
                in_piece = 0;
            }
        }
    }
    if in_piece > 0 {
        hashes.extend_from_slice(&hasher.finalize());
    }
    Ok((length, hashes))
}

/// Writes the `.torrent` around the piece hashes.
fn assemble(spec: &TorrentSpec<'_>, pieces: Pieces) -> Result<Torrent, P2pError> {
    let piece_count = (pieces.hashes.len() / HASH_LEN) as u64;
    if piece_count != pieces.length.div_ceil(u64::from(pieces.piece_length)) {
        return Err(P2pError::Torrent(format!(
            "{piece_count} piece hashes for {} bytes in pieces of {}",
            pieces.length, pieces.piece_length
        )));
    }
    let too_large = |what| P2pError::Torrent(format!("{what} does not fit a bencode integer"));
    let info = BTreeMap::from([
        (
            b"length".to_vec(),
            Value::Int(i64::try_from(pieces.length).map_err(|_| too_large("length"))?),
        ),
        (b"name".to_vec(), Value::text(spec.name)),
        (
            b"piece length".to_vec(),
            Value::Int(i64::from(pieces.piece_length)),
        ),
        (b"pieces".to_vec(), Value::Bytes(pieces.hashes)),
    ]);
    let mut top = BTreeMap::from([(b"info".to_vec(), Value::Dict(info))]);
    let tiers: Vec<Value> = spec
        .announce_list
        .iter()
        .filter(|tier| !tier.is_empty())
        .map(|tier| Value::List(tier.iter().map(|url| Value::text(url)).collect()))
        .collect();
    if let Some(Value::List(first_tier)) = tiers.first() {
        top.insert(b"announce".to_vec(), first_tier[0].clone());
        top.insert(b"announce-list".to_vec(), Value::List(tiers));
    }
    if let Some(url) = spec.web_seed_url {
        top.insert(b"url-list".to_vec(), Value::List(vec![Value::text(url)]));
    }
    if !spec.created_by.is_empty() {
        top.insert(b"created by".to_vec(), Value::text(spec.created_by));
    }
    if let Some(date) = spec.creation_date {
        top.insert(b"creation date".to_vec(), Value::Int(date));
    }
    if let Some(comment) = spec.comment {
        top.insert(b"comment".to_vec(), Value::text(comment));
    }
    let bytes = Value::Dict(top).encode();
    let info_hash = parse_info_hash(&bytes)?;
    Ok(Torrent {
        bytes,
        info_hash,
        piece_length: pieces.piece_length,
        piece_count,
        length: pieces.length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;

    #[test]
    fn piece_length_stays_between_16_kib_and_4_mib() {
        for size in [
            0,
            1,
            16 * KIB,
            32 * MIB,
            GIB,
            8 * GIB,
            8 * GIB + 1,
            1 << 50,
            u64::MAX,
        ] {
            let length = u64::from(piece_length_for(size));
            assert!(length.is_power_of_two(), "{size}");
            assert!((16 * KIB..=4 * MIB).contains(&length), "{size}: {length}");
        }
        assert_eq!(piece_length_for(0), MIN_PIECE_LENGTH);
        assert_eq!(piece_length_for(32 * MIB), MIN_PIECE_LENGTH);
        assert_eq!(piece_length_for(u64::MAX), MAX_PIECE_LENGTH);
    }

    #[test]
    fn piece_length_aims_for_1025_to_2048_pieces() {
        assert_eq!(u64::from(piece_length_for(32 * MIB + 1)), 32 * KIB);
        assert_eq!(u64::from(piece_length_for(GIB)), 512 * KIB);
        assert_eq!(u64::from(piece_length_for(GIB + 1)), MIB);
        assert_eq!(u64::from(piece_length_for(8 * GIB)), 4 * MIB);
        for size in [
            32 * MIB + 1,
            100 * MIB,
            GIB - 1,
            GIB,
            GIB + 1,
            3 * GIB,
            8 * GIB,
        ] {
            let pieces = size.div_ceil(u64::from(piece_length_for(size)));
            assert!((1025..=2048).contains(&pieces), "{size}: {pieces} pieces");
        }
    }

    #[test]
    fn pieces_do_not_depend_on_how_the_file_is_read() {
        let data: Vec<u8> = (0..70_001u32).map(|i| (i * 7 + i / 251) as u8).collect();
        let piece_length = 16 * 1024;
        let expected: Vec<u8> = data
            .chunks(piece_length as usize)
            .flat_map(|piece| Sha1::digest(piece).to_vec())
            .collect();
        for buffer_len in [1, 7, 1000, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 1 << 20] {
            let (length, hashes) = hash_reader(&data[..], piece_length, buffer_len).unwrap();
            assert_eq!(length, data.len() as u64);
            assert_eq!(hashes, expected, "buffer of {buffer_len}");
        }
        let exact = &data[..4 * piece_length as usize];
        let (_, hashes) = hash_reader(exact, piece_length, 1000).unwrap();
        assert_eq!(hashes.len(), 4 * HASH_LEN);
    }

    #[test]
    fn names_must_be_plain_file_names() {
        for name in ["", ".", "..", "a/b", "a\\b", "a\0b"] {
            let spec = TorrentSpec {
                name,
                ..TorrentSpec::default()
            };
            assert!(check_spec(&spec).is_err(), "{name:?}");
        }
        let spec = TorrentSpec {
            name: "Ma vidéo 720p.mp4",
            ..TorrentSpec::default()
        };
        assert!(check_spec(&spec).is_ok());
    }
}
