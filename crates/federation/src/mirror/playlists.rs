//! Reading the HLS files a mirror copies: the URIs a playlist names, a media playlist's byte
//! ranges, and checking those ranges against PeerTube's `segments-sha256` JSON.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

/// The origin's HLS files are not a mirror we can keep (retrying cannot help).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidMedia(pub String);

fn invalid(message: impl Into<String>) -> InvalidMedia {
    InvalidMedia(message.into())
}

/// The URIs a playlist names, in order and without repeats: its URI lines and the `URI`
/// attributes of `EXT-X-MAP` and `EXT-X-MEDIA` tags, but for subtitles renditions (captions
/// are not mirrored: players fetch them from their origin).
pub fn referenced_uris(text: &str) -> Vec<String> {
    let mut uris: Vec<String> = Vec::new();
    let mut add = |uri: &str| {
        if !uri.is_empty() && !uris.iter().any(|u| u == uri) {
            uris.push(uri.to_owned());
        }
    };
    for line in text.lines().map(str::trim) {
        if let Some(attributes) = line
            .strip_prefix("#EXT-X-MAP:")
            .or_else(|| line.strip_prefix("#EXT-X-MEDIA:"))
        {
            if attributes.contains("TYPE=SUBTITLES") {
                continue;
            }
            if let Some(uri) = uri_attribute(attributes) {
                add(uri);
            }
        } else if !line.is_empty() && !line.starts_with('#') {
            add(line);
        }
    }
    uris
}

/// The quoted `URI="…"` of an attribute list.
fn uri_attribute(attributes: &str) -> Option<&str> {
    let start = attributes.find("URI=\"")? + "URI=\"".len();
    let rest = &attributes[start..];
    rest.find('"').map(|end| &rest[..end])
}

/// One media segment's place in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRangeSegment {
    /// First byte.
    pub offset: u64,
    /// Bytes.
    pub length: u64,
}

impl ByteRangeSegment {
    /// PeerTube's key for it in `segments-sha256`: `<first>-<last>`.
    pub fn key(&self) -> String {
        format!(
            "{}-{}",
            self.offset,
            (self.offset + self.length).saturating_sub(1)
        )
    }
}

/// The segments (`EXT-X-BYTERANGE` after `EXTINF`) of a byte-range media playlist. A
/// playlist without byte ranges is not one PeerTube or Kinora writes.
pub fn byte_range_segments(text: &str) -> Result<Vec<ByteRangeSegment>, InvalidMedia> {
    let mut segments = Vec::new();
    let mut next_offset = 0u64;
    for line in text.lines().map(str::trim) {
        let Some(value) = line.strip_prefix("#EXT-X-BYTERANGE:") else {
            continue;
        };
        let bad = || invalid(format!("bad byte range `{line}`"));
        let (length, offset) = match value.split_once('@') {
            Some((length, offset)) => (length, Some(offset)),
            None => (value, None),
        };
        let length: u64 = length.parse().map_err(|_| bad())?;
        let offset = match offset {
            Some(offset) => offset.parse().map_err(|_| bad())?,
            None => next_offset,
        };
        next_offset = offset.checked_add(length).ok_or_else(bad)?;
        segments.push(ByteRangeSegment { offset, length });
    }
    if segments.is_empty() {
        return Err(invalid("a media playlist without byte-range segments"));
    }
    Ok(segments)
}

/// PeerTube's `segments-sha256` JSON: file name → `<first>-<last>` → SHA-256 in hex.
pub type SegmentHashes = HashMap<String, HashMap<String, String>>;

/// Reads a `segments-sha256` JSON.
pub fn parse_segment_hashes(bytes: &[u8]) -> Result<SegmentHashes, InvalidMedia> {
    serde_json::from_slice(bytes).map_err(|e| invalid(format!("bad segments-sha256 JSON: {e}")))
}

/// Checks every segment of the file at `path` (named `name` in `hashes`) against its hash.
/// Blocking: run it off the async threads.
pub fn verify_segments(
    path: &Path,
    name: &str,
    segments: &[ByteRangeSegment],
    hashes: &SegmentHashes,
) -> Result<(), MirrorCheckError> {
    let expected = hashes
        .get(name)
        .ok_or_else(|| invalid(format!("segments-sha256 does not list {name}")))?;
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut buffer = vec![0u8; 1 << 16];
    for segment in segments {
        let key = segment.key();
        let want = expected
            .get(&key)
            .ok_or_else(|| invalid(format!("no hash for {name} bytes {key}")))?;
        if segment.offset.saturating_add(segment.length) > size {
            return Err(invalid(format!("{name} is shorter than its segment {key}")).into());
        }
        file.seek(SeekFrom::Start(segment.offset))?;
        let mut hasher = Sha256::new();
        let mut left = segment.length;
        while left > 0 {
            let n = usize::try_from(left.min(buffer.len() as u64)).unwrap_or(buffer.len());
            file.read_exact(&mut buffer[..n])?;
            hasher.update(&buffer[..n]);
            left -= n as u64;
        }
        let got = hex_of(&hasher.finalize());
        if !got.eq_ignore_ascii_case(want) {
            return Err(invalid(format!("{name} bytes {key} do not match their hash")).into());
        }
    }
    Ok(())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why checking a copied file failed.
#[derive(Debug, thiserror::Error)]
pub enum MirrorCheckError {
    /// The file does not match what the origin announced.
    #[error(transparent)]
    Invalid(#[from] InvalidMedia),
    /// Reading our copy failed.
    #[error("reading the copy: {0}")]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_of_master_and_media_playlists() {
        let master = "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"x-0.m3u8\"\n\
            #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subtitles\",URI=\"https://o.example/c-en.m3u8\"\n\
            #EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1,mp4a\"\nx-720.m3u8\n\
            #EXT-X-STREAM-INF:BANDWIDTH=1\nx-240.m3u8\n";
        assert_eq!(
            referenced_uris(master),
            ["x-0.m3u8", "x-720.m3u8", "x-240.m3u8"]
        );
        let media = "#EXTM3U\n#EXT-X-MAP:URI=\"f-720-fragmented.mp4\",BYTERANGE=\"10@0\"\n\
            #EXTINF:4.0,\n#EXT-X-BYTERANGE:5@10\nf-720-fragmented.mp4\n\
            #EXTINF:1.0,\n#EXT-X-BYTERANGE:7\nf-720-fragmented.mp4\n#EXT-X-ENDLIST\n";
        assert_eq!(referenced_uris(media), ["f-720-fragmented.mp4"]);
        let segments = byte_range_segments(media).unwrap();
        assert_eq!(
            segments,
            [
                ByteRangeSegment {
                    offset: 10,
                    length: 5
                },
                ByteRangeSegment {
                    offset: 15,
                    length: 7
                }
            ]
        );
        assert_eq!(segments[1].key(), "15-21");
        assert!(byte_range_segments("#EXTM3U\nx.ts\n").is_err());
        assert!(byte_range_segments("#EXT-X-BYTERANGE:x@1\n").is_err());
    }

    #[test]
    fn segments_are_checked_against_their_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.mp4");
        std::fs::write(&path, b"0123456789abcdef").unwrap();
        let segments = [ByteRangeSegment {
            offset: 4,
            length: 6,
        }];
        let good = hex_of(&Sha256::digest(b"456789"));
        let hashes: SegmentHashes =
            parse_segment_hashes(format!(r#"{{"f.mp4":{{"4-9":"{good}"}}}}"#).as_bytes()).unwrap();
        verify_segments(&path, "f.mp4", &segments, &hashes).unwrap();
        let wrong: SegmentHashes = parse_segment_hashes(br#"{"f.mp4":{"4-9":"00"}}"#).unwrap();
        assert!(verify_segments(&path, "f.mp4", &segments, &wrong).is_err());
        assert!(verify_segments(&path, "g.mp4", &segments, &hashes).is_err());
        let beyond = [ByteRangeSegment {
            offset: 12,
            length: 6,
        }];
        let mut longer = hashes.clone();
        longer
            .get_mut("f.mp4")
            .unwrap()
            .insert("12-17".into(), good);
        assert!(verify_segments(&path, "f.mp4", &beyond, &longer).is_err());
    }
}
