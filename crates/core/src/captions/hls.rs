//! The HLS subtitles rendition of a video's captions, so that native HLS players (Safari,
//! iOS, smart TVs, VLC) offer them: one `EXT-X-MEDIA:TYPE=SUBTITLES` line per caption in the
//! master playlist, every variant naming the group, and per caption a one-segment media
//! playlist whose segment is the whole `.vtt` file. The master is rewritten from the stored
//! one (the transcoder's), never re-encoded: earlier subtitle lines are dropped first, so the
//! rewrite is idempotent and an empty caption list gives back the transcoder's playlist.

use std::fmt::Write as _;

/// The `GROUP-ID` of the subtitles rendition.
pub const SUBTITLES_GROUP: &str = "subtitles";
/// Largest master playlist rewritten, bytes.
pub const MAX_MASTER_BYTES: usize = 256 * 1024;

/// One caption as the master playlist lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtitleRendition {
    /// Language code (`en`, `pt-BR`).
    pub language: String,
    /// Its English name (`English`).
    pub name: String,
    /// The caption's media playlist (absolute URL).
    pub playlist_url: String,
}

/// Why a master playlist cannot be rewritten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaylistError {
    /// Not an HLS master playlist of a sane size.
    #[error("not a master playlist")]
    NotMaster,
}

/// A quoted-string attribute value: `"` and line breaks cannot be written, so they are dropped.
fn quoted(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '\n' | '\r'))
        .collect()
}

/// Removes `,SUBTITLES="…"` from an `EXT-X-STREAM-INF` line.
fn without_subtitles_attribute(line: &str) -> String {
    let Some(start) = line.find(",SUBTITLES=\"") else {
        return line.to_owned();
    };
    let value_start = start + ",SUBTITLES=\"".len();
    match line[value_start..].find('"') {
        Some(end) => format!("{}{}", &line[..start], &line[value_start + end + 1..]),
        None => line[..start].to_owned(),
    }
}

/// `master` with exactly `captions` as its subtitles rendition.
pub fn master_with_subtitles(
    master: &str,
    captions: &[SubtitleRendition],
) -> Result<String, PlaylistError> {
    if master.len() > MAX_MASTER_BYTES || !master.starts_with("#EXTM3U") {
        return Err(PlaylistError::NotMaster);
    }
    let mut media = String::new();
    // None is shown by default; a player may pick the one in its viewer's language.
    for caption in captions {
        let _ = writeln!(
            media,
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"{SUBTITLES_GROUP}\",NAME=\"{}\",LANGUAGE=\"{}\",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"{}\"",
            quoted(&caption.name),
            quoted(&caption.language),
            quoted(&caption.playlist_url),
        );
    }
    let mut out = String::with_capacity(master.len() + media.len() + 64);
    let mut inserted = false;
    let mut variants = 0;
    for line in master.lines() {
        if line.starts_with("#EXT-X-MEDIA:") && line.contains("TYPE=SUBTITLES") {
            continue;
        }
        if let Some(attributes) = line.strip_prefix("#EXT-X-STREAM-INF:") {
            if !inserted {
                out.push_str(&media);
                inserted = true;
            }
            variants += 1;
            let line = without_subtitles_attribute(&format!("#EXT-X-STREAM-INF:{attributes}"));
            out.push_str(&line);
            if !captions.is_empty() {
                let _ = write!(out, ",SUBTITLES=\"{SUBTITLES_GROUP}\"");
            }
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if variants == 0 {
        return Err(PlaylistError::NotMaster);
    }
    Ok(out)
}

/// The media playlist of one caption: the whole WebVTT file as one segment lasting the video.
pub fn caption_media_playlist(vtt_url: &str, duration_secs: i64) -> String {
    let duration = duration_secs.max(1);
    format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{duration}\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:{duration}.000,\n{vtt_url}\n#EXT-X-ENDLIST\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f,mp4a.40.2\"\na-720.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\na-240.m3u8\n";

    fn english() -> SubtitleRendition {
        SubtitleRendition {
            language: "en".into(),
            name: "English".into(),
            playlist_url: "https://v.example/lazy-static/video-captions/x-en.m3u8".into(),
        }
    }

    #[test]
    fn subtitles_are_added_once_and_removed() {
        let with = master_with_subtitles(MASTER, &[english()]).unwrap();
        assert_eq!(with.matches("TYPE=SUBTITLES").count(), 1);
        assert_eq!(with.matches(",SUBTITLES=\"subtitles\"").count(), 2);
        assert!(with.find("TYPE=SUBTITLES").unwrap() < with.find("STREAM-INF").unwrap());
        // Idempotent, and an empty list gives the original back.
        assert_eq!(master_with_subtitles(&with, &[english()]).unwrap(), with);
        assert_eq!(master_with_subtitles(&with, &[]).unwrap(), MASTER);
    }

    #[test]
    fn anything_but_a_master_is_refused() {
        assert!(master_with_subtitles("hello", &[]).is_err());
        assert!(master_with_subtitles("#EXTM3U\n#EXTINF:4,\na.mp4\n", &[]).is_err());
    }

    #[test]
    fn the_media_playlist_is_one_segment() {
        let text = caption_media_playlist("https://v.example/c.vtt", 63);
        assert!(text.contains("#EXTINF:63.000,\nhttps://v.example/c.vtt\n#EXT-X-ENDLIST"));
        assert!(text.contains("#EXT-X-TARGETDURATION:63\n"));
    }
}
