//! Allow-lists: which demuxers and codecs libav may use on an upload.
//!
//! Anything not listed is refused. In particular there is no playlist (`hls`, `dash`), no
//! `concat`, no image sequence or single-image demuxer (`image2`, `*_pipe`), no `tee`, no raw
//! elementary streams and no device.

/// Demuxers libav may pick, as a libav `format_whitelist` (a demuxer is allowed when any of its
/// comma-separated names is listed, so `mov` covers `mov,mp4,m4a,3gp,3g2,mj2`).
pub(crate) const FORMAT_WHITELIST: &str =
    "mov,matroska,avi,flv,mpegts,mpeg,ogg,asf,mxf,nut,mp3,wav,flac,aac,aiff";

/// Video codecs we decode (libav codec names).
const VIDEO_CODECS: &[&str] = &[
    "h264",
    "hevc",
    "vp8",
    "vp9",
    "av1",
    "mpeg4",
    "mpeg1video",
    "mpeg2video",
    "theora",
    "h263",
    "flv1",
    "msmpeg4v2",
    "msmpeg4v3",
    "wmv1",
    "wmv2",
    "wmv3",
    "vc1",
    "mjpeg",
    "prores",
    "dnxhd",
    "dvvideo",
];

/// Audio codecs we decode (libav codec names); `pcm_*` is allowed as a family.
const AUDIO_CODECS: &[&str] = &[
    "aac", "mp3", "mp2", "ac3", "eac3", "opus", "vorbis", "flac", "alac", "wmav1", "wmav2",
    "wmapro", "amr_nb", "amr_wb", "dts",
];

/// Picture codecs accepted for cover art attached to audio files.
const COVER_CODECS: &[&str] = &["mjpeg", "png", "bmp", "webp"];

/// Whether the demuxer `name` (libav's comma-separated name) is on the allow-list.
pub(crate) fn is_allowed_format(name: &str) -> bool {
    let allowed: Vec<&str> = FORMAT_WHITELIST.split(',').collect();
    name.split(',').any(|n| allowed.contains(&n))
}

/// Whether video codec `name` is on the allow-list.
pub(crate) fn is_allowed_video_codec(name: &str) -> bool {
    VIDEO_CODECS.contains(&name)
}

/// Whether audio codec `name` is on the allow-list.
pub(crate) fn is_allowed_audio_codec(name: &str) -> bool {
    AUDIO_CODECS.contains(&name) || name.starts_with("pcm_")
}

/// Whether cover-art codec `name` is on the allow-list.
pub(crate) fn is_allowed_cover_codec(name: &str) -> bool {
    COVER_CODECS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlists_and_image_sequences_are_not_allowed() {
        for name in [
            "hls",
            "applehttp",
            "concat",
            "image2",
            "png_pipe",
            "tee",
            "lavfi",
            "dash",
        ] {
            assert!(!is_allowed_format(name), "{name} must be refused");
        }
        assert!(is_allowed_format("mov,mp4,m4a,3gp,3g2,mj2"));
        assert!(is_allowed_format("matroska,webm"));
        assert!(!is_allowed_format("mpegvideo"));
    }

    #[test]
    fn codec_lists() {
        assert!(is_allowed_video_codec("h264"));
        assert!(!is_allowed_video_codec("rawvideo"));
        assert!(is_allowed_audio_codec("pcm_s16le"));
        assert!(!is_allowed_audio_codec("xbin"));
        assert!(is_allowed_cover_codec("png"));
    }
}
