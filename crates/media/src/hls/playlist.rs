//! Playlists and segment hashes: reading the media playlists libav wrote, making their URIs
//! relative file names, and writing the master playlist and PeerTube's `segments-sha256` JSON.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest, Sha256};

/// One media segment: its duration and the byte range of the fragmented MP4 holding it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Segment {
    pub duration: f64,
    pub offset: u64,
    pub length: u64,
}

/// The segments of a byte-range media playlist, in order. The `EXT-X-MAP` init section is not
/// a segment.
pub(crate) fn parse_segments(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut duration = None;
    let mut next_offset = 0u64;
    for line in text.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("#EXTINF:") {
            let number = value.split(',').next().unwrap_or_default();
            duration = Some(
                number
                    .parse::<f64>()
                    .map_err(|_| format!("bad EXTINF `{line}`"))?,
            );
        } else if let Some(value) = line.strip_prefix("#EXT-X-BYTERANGE:") {
            let (length, offset) = match value.split_once('@') {
                Some((l, o)) => (l, Some(o)),
                None => (value, None),
            };
            let length: u64 = length
                .parse()
                .map_err(|_| format!("bad byte range `{line}`"))?;
            let offset = match offset {
                Some(o) => o.parse().map_err(|_| format!("bad byte range `{line}`"))?,
                None => next_offset,
            };
            let duration = duration
                .take()
                .ok_or_else(|| format!("byte range without EXTINF: `{line}`"))?;
            segments.push(Segment {
                duration,
                offset,
                length,
            });
            next_offset = offset + length;
        }
    }
    if segments.is_empty() {
        return Err("the media playlist has no byte-range segments".into());
    }
    Ok(segments)
}

/// Makes every URI of a media playlist (the `EXT-X-MAP` URI and segment lines) the bare file
/// name of the fragmented MP4, as PeerTube does.
pub(crate) fn relative_uris(text: &str, file_name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("#EXT-X-MAP:") {
            let attrs: Vec<String> = split_attributes(rest)
                .into_iter()
                .map(|a| {
                    if a.starts_with("URI=") {
                        format!("URI=\"{file_name}\"")
                    } else {
                        a
                    }
                })
                .collect();
            out.push_str(&format!("#EXT-X-MAP:{}", attrs.join(",")));
        } else if !line.is_empty() && !line.starts_with('#') {
            out.push_str(file_name);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Splits an attribute list on commas outside quotes.
fn split_attributes(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in list.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// Peak and average bandwidth (bits per second) of a rendition. The peak is the highest
/// segment bit rate, ignoring segments under a second (only the last one can be) unless all
/// are; the average covers all segments. The peak is never below the average.
pub(crate) fn bandwidths(segments: &[Segment]) -> (u64, u64) {
    let rate = |s: &Segment| s.length as f64 * 8.0 / s.duration.max(0.001);
    let long: Vec<&Segment> = segments.iter().filter(|s| s.duration >= 1.0).collect();
    let pool: Vec<&Segment> = if long.is_empty() {
        segments.iter().collect()
    } else {
        long
    };
    let peak = pool.iter().map(|s| rate(s)).fold(0.0, f64::max).ceil() as u64;
    let bytes: u64 = segments.iter().map(|s| s.length).sum();
    let seconds: f64 = segments.iter().map(|s| s.duration).sum();
    let average = (bytes as f64 * 8.0 / seconds.max(0.001)).ceil() as u64;
    (peak.max(average), average)
}

/// One `EXT-X-STREAM-INF` entry of the master playlist.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub peak_bandwidth: u64,
    pub average_bandwidth: u64,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub codecs: String,
    pub uri: String,
}

/// The master playlist, listing variants in the given order.
pub(crate) fn master_playlist(variants: &[Variant]) -> String {
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:3\n");
    for v in variants {
        out.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},RESOLUTION={}x{},FRAME-RATE={:.3},CODECS=\"{}\"\n{}\n",
            v.peak_bandwidth, v.average_bandwidth, v.width, v.height, v.fps, v.codecs, v.uri
        ));
    }
    out
}

/// `"start-end"` (inclusive) → SHA-256 hex of those bytes of `path`, for every segment.
pub(crate) fn segment_hashes(
    path: &Path,
    segments: &[Segment],
) -> std::io::Result<Vec<(String, String)>> {
    let mut file = File::open(path)?;
    let mut buffer = vec![0u8; 1 << 20];
    let mut hashes = Vec::with_capacity(segments.len());
    for s in segments {
        file.seek(SeekFrom::Start(s.offset))?;
        let mut hasher = Sha256::new();
        let mut left = s.length;
        while left > 0 {
            let n = left.min(buffer.len() as u64) as usize;
            file.read_exact(&mut buffer[..n])?;
            hasher.update(&buffer[..n]);
            left -= n as u64;
        }
        let end = (s.offset + s.length).saturating_sub(1);
        hashes.push((
            format!("{}-{end}", s.offset),
            hex::encode(hasher.finalize()),
        ));
    }
    Ok(hashes)
}

/// PeerTube's `segments-sha256` JSON: `{"<fragmented file>": {"start-end": "<sha256>", …}, …}`,
/// compact, with files and ranges in order.
pub(crate) fn segments_sha256_json(files: &[(String, Vec<(String, String)>)]) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let body: Vec<String> = files
        .iter()
        .map(|(file, ranges)| {
            let inner: Vec<String> = ranges
                .iter()
                .map(|(range, hash)| format!("{}:{}", quote(range), quote(hash)))
                .collect();
            format!("{}:{{{}}}", quote(file), inner.join(","))
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAYLIST: &str = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n\
        #EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n\
        #EXT-X-MAP:URI=\"/tmp/x/abc-720-fragmented.mp4\",BYTERANGE=\"1357@0\"\n\
        #EXTINF:4.000000,\n#EXT-X-BYTERANGE:38778@1357\nabc-720-fragmented.mp4\n\
        #EXTINF:1.000000,\n#EXT-X-BYTERANGE:17675\nabc-720-fragmented.mp4\n#EXT-X-ENDLIST\n";

    #[test]
    fn parses_byte_ranges_with_and_without_offsets() {
        let segments = parse_segments(PLAYLIST).unwrap();
        assert_eq!(
            segments,
            vec![
                Segment {
                    duration: 4.0,
                    offset: 1357,
                    length: 38778
                },
                Segment {
                    duration: 1.0,
                    offset: 40135,
                    length: 17675
                },
            ]
        );
    }

    #[test]
    fn uris_become_the_bare_file_name() {
        let fixed = relative_uris(PLAYLIST, "abc-720-fragmented.mp4");
        assert!(fixed.contains("#EXT-X-MAP:URI=\"abc-720-fragmented.mp4\",BYTERANGE=\"1357@0\"\n"));
        assert!(!fixed.contains("/tmp/x"));
    }

    #[test]
    fn peak_ignores_a_short_last_segment_and_is_at_least_the_average() {
        let segments = [
            Segment {
                duration: 4.0,
                offset: 0,
                length: 400_000,
            },
            Segment {
                duration: 4.0,
                offset: 0,
                length: 600_000,
            },
            Segment {
                duration: 0.1,
                offset: 0,
                length: 100_000,
            },
        ];
        let (peak, average) = bandwidths(&segments);
        assert_eq!(peak, 1_200_000);
        assert_eq!(average, ((1_100_000.0 * 8.0) / 8.1_f64).ceil() as u64);
    }

    #[test]
    fn sha_json_has_peertube_shape() {
        let json = segments_sha256_json(&[(
            "a-720-fragmented.mp4".into(),
            vec![
                ("1357-40134".into(), "ab".into()),
                ("40135-57809".into(), "cd".into()),
            ],
        )]);
        assert_eq!(
            json,
            r#"{"a-720-fragmented.mp4":{"1357-40134":"ab","40135-57809":"cd"}}"#
        );
    }

    #[test]
    fn master_lists_every_attribute() {
        let text = master_playlist(&[Variant {
            peak_bandwidth: 900_000,
            average_bandwidth: 700_000,
            width: 1280,
            height: 720,
            fps: 25.0,
            codecs: "avc1.64001f,mp4a.40.2".into(),
            uri: "a-720.m3u8".into(),
        }]);
        assert_eq!(
            text,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=700000,\
             RESOLUTION=1280x720,FRAME-RATE=25.000,CODECS=\"avc1.64001f,mp4a.40.2\"\na-720.m3u8\n"
        );
    }
}
