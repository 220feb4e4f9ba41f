//! Storage keys, built only from server-generated ids.

use std::fmt;

use uuid::Uuid;

use crate::StorageError;

/// A file name the server generated, such as `<uuid>-720-fragmented.mp4`: lowercase ASCII
/// letters, digits, `-` and one `.` extension, 1–100 characters, never `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneratedName(String);

impl GeneratedName {
    /// Checks that `name` has the shape of a generated name.
    pub fn parse(name: &str) -> Result<Self, StorageError> {
        let valid = !name.is_empty()
            && name.len() <= 100
            && !name.starts_with('.')
            && !name.starts_with('-')
            && name.matches('.').count() <= 1
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(StorageError::BadName(name.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The kinds of stored file, each of which can have its own S3 location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Uploaded originals.
    Original,
    /// HLS playlists, fragmented MP4s and segment hashes.
    Hls,
    /// Thumbnails, previews, storyboards and captions.
    Image,
    /// Torrent files.
    Torrent,
    /// Uploads in flight, working directories, self-test probes.
    Temporary,
}

/// Where a stored file lives, relative to the storage root. The layout follows PeerTube's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorageKey(String);

impl StorageKey {
    /// The uploaded original of a video: `original-video-files/<videoUUID>`.
    pub fn original(video: Uuid) -> Self {
        Self(format!("original-video-files/{video}"))
    }

    /// The HLS directory of a video: `streaming-playlists/hls/<videoUUID>`.
    pub fn hls_directory(video: Uuid) -> Self {
        Self(format!("streaming-playlists/hls/{video}"))
    }

    /// The directory a live's HLS is written to while it is broadcast:
    /// `streaming-playlists/live/<videoUUID>`.
    pub fn live_directory(video: Uuid) -> Self {
        Self(format!("streaming-playlists/live/{video}"))
    }

    /// One file of a live's directory, when `name` is one ([`kinora_core::live::is_live_file_name`]).
    pub fn live_file(video: Uuid, name: &str) -> Option<Self> {
        kinora_core::live::is_live_file_name(name)
            .then(|| Self(format!("streaming-playlists/live/{video}/{name}")))
    }

    /// The recording of a broadcast kept for its replay (the stream as sent, FLV), until its
    /// ending makes it a video's original: `live-replays/<videoUUID>/<sessionId>.flv`. Never
    /// served.
    pub fn live_replay(video: Uuid, session_id: i64) -> Self {
        Self(format!("live-replays/{video}/{session_id}.flv"))
    }

    /// The directory of a live's replay recordings not yet made videos.
    pub fn live_replays_directory(video: Uuid) -> Self {
        Self(format!("live-replays/{video}"))
    }

    /// One HLS file of a video.
    pub fn hls_file(video: Uuid, name: &GeneratedName) -> Self {
        Self(format!("streaming-playlists/hls/{video}/{}", name.as_str()))
    }

    /// This instance's mirror of a remote video's HLS files: `redundancy/hls/<videoUUID>`.
    pub fn mirror_directory(video: Uuid) -> Self {
        Self(format!("redundancy/hls/{video}"))
    }

    /// One file of a mirror, under the origin's name (players swap only the base URL).
    pub fn mirror_file(video: Uuid, name: &GeneratedName) -> Self {
        Self(format!("redundancy/hls/{video}/{}", name.as_str()))
    }

    /// A thumbnail: `thumbnails/<name>`.
    pub fn thumbnail(name: &GeneratedName) -> Self {
        Self(format!("thumbnails/{}", name.as_str()))
    }

    /// A preview: `previews/<name>`.
    pub fn preview(name: &GeneratedName) -> Self {
        Self(format!("previews/{}", name.as_str()))
    }

    /// A storyboard: `storyboards/<name>`.
    pub fn storyboard(name: &GeneratedName) -> Self {
        Self(format!("storyboards/{}", name.as_str()))
    }

    /// An avatar or a banner of an account or channel: `avatars/<name>` (PeerTube keeps both in
    /// its `avatars` directory).
    pub fn actor_image(name: &GeneratedName) -> Self {
        Self(format!("avatars/{}", name.as_str()))
    }

    /// A caption (WebVTT) file: `video-captions/<name>` (stored with the images).
    pub fn caption(name: &GeneratedName) -> Self {
        Self(format!("video-captions/{}", name.as_str()))
    }

    /// A torrent file: `torrents/<name>`.
    pub fn torrent(name: &GeneratedName) -> Self {
        Self(format!("torrents/{}", name.as_str()))
    }

    /// The bytes of a resumable upload: `tmp/resumable-uploads/<uploadUUID>`.
    pub fn resumable_upload(upload: Uuid) -> Self {
        Self(format!("tmp/resumable-uploads/{upload}"))
    }

    /// A user's archive (a ZIP, kept private until it expires): `user-exports/<uuid>.zip`.
    pub fn user_export(id: Uuid) -> Self {
        Self(format!("user-exports/{id}.zip"))
    }

    /// An uploaded archive waiting to be imported: `user-imports/<uuid>.zip`.
    pub fn user_import(id: Uuid) -> Self {
        Self(format!("user-imports/{id}.zip"))
    }

    /// A private working directory: `tmp/work/<uuid>`.
    pub fn work_directory(id: Uuid) -> Self {
        Self(format!("tmp/work/{id}"))
    }

    /// The probe object of the S3 start-up self-test: `tmp/self-test/<uuid>`.
    pub fn self_test_probe(id: Uuid) -> Self {
        Self(format!("tmp/self-test/{id}"))
    }

    /// A key found by listing the bucket. Only shapes the constructors above can produce pass:
    /// relative, `/`-separated segments of lowercase ASCII letters, digits, `-` and `.`, never
    /// empty, `.` or `..`.
    pub(crate) fn from_listing(key: &str) -> Option<Self> {
        let valid = !key.is_empty()
            && key.len() <= 1024
            && key.split('/').all(|segment| {
                !segment.is_empty()
                    && segment != "."
                    && segment != ".."
                    && segment.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    })
            });
        valid.then(|| Self(key.to_owned()))
    }

    /// The keys of a video's media files from the names the database lists: its HLS files
    /// (master, segment hashes, each rendition and its playlist) and its images. Fails on a name
    /// the server could not have generated.
    pub fn video_media<'a>(
        video: Uuid,
        hls: impl IntoIterator<Item = &'a str>,
        thumbnail: Option<&str>,
        preview: Option<&str>,
        storyboard: Option<&str>,
    ) -> Result<Vec<Self>, StorageError> {
        let mut keys = Vec::new();
        for name in hls {
            keys.push(Self::hls_file(video, &GeneratedName::parse(name)?));
        }
        if let Some(name) = thumbnail {
            keys.push(Self::thumbnail(&GeneratedName::parse(name)?));
        }
        if let Some(name) = preview {
            keys.push(Self::preview(&GeneratedName::parse(name)?));
        }
        if let Some(name) = storyboard {
            keys.push(Self::storyboard(&GeneratedName::parse(name)?));
        }
        Ok(keys)
    }

    /// The kind of file this key names.
    pub fn kind(&self) -> FileKind {
        let top = self.0.split('/').next().unwrap_or_default();
        match top {
            "original-video-files" | "user-exports" | "user-imports" => FileKind::Original,
            "streaming-playlists" | "redundancy" => FileKind::Hls,
            "thumbnails" | "previews" | "storyboards" | "avatars" | "video-captions" => {
                FileKind::Image
            }
            "torrents" => FileKind::Torrent,
            _ => FileKind::Temporary,
        }
    }

    /// The media type of the file, from its extension (`application/octet-stream` when
    /// unknown), as stored with S3 objects and sent by the proxy.
    pub fn content_type(&self) -> &'static str {
        crate::s3::content_type_for(self)
    }

    /// The key relative to the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_refuse_anything_path_like() {
        assert!(GeneratedName::parse("0b7e4c1a-720-fragmented.mp4").is_ok());
        assert!(GeneratedName::parse("abc-master.m3u8").is_ok());
        for bad in [
            "", ".", "..", "../etc", "a/b", "a\\b", "A.mp4", "a..b", "a.b.c", "-x", "a\0b",
            "%2e%2e", "é.mp4",
        ] {
            assert!(GeneratedName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(GeneratedName::parse(&"a".repeat(101)).is_err());
    }

    #[test]
    fn listed_keys_must_look_generated() {
        let video = Uuid::new_v4();
        let key = StorageKey::original(video);
        assert_eq!(StorageKey::from_listing(key.as_str()), Some(key));
        for bad in [
            "", "/abs", "a//b", "a/../b", "./a", "a/", "A/b", "a b", "a\\b", "é",
        ] {
            assert!(StorageKey::from_listing(bad).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn keys_follow_the_layout() {
        let video = Uuid::nil();
        let name = GeneratedName::parse("x-720.m3u8").unwrap();
        assert_eq!(
            StorageKey::hls_file(video, &name).as_str(),
            "streaming-playlists/hls/00000000-0000-0000-0000-000000000000/x-720.m3u8"
        );
        assert_eq!(
            StorageKey::original(video).as_str(),
            format!("original-video-files/{video}")
        );
    }

    #[test]
    fn a_videos_media_keys_cover_hls_and_images_and_refuse_bad_names() {
        let video = Uuid::nil();
        let keys = StorageKey::video_media(
            video,
            ["a-master.m3u8", "b-720.m3u8"],
            Some("t.jpg"),
            None,
            Some("s.jpg"),
        )
        .unwrap();
        let keys: Vec<&str> = keys.iter().map(StorageKey::as_str).collect();
        assert_eq!(
            keys,
            [
                format!("streaming-playlists/hls/{video}/a-master.m3u8").as_str(),
                &format!("streaming-playlists/hls/{video}/b-720.m3u8"),
                "thumbnails/t.jpg",
                "storyboards/s.jpg",
            ]
        );
        assert!(StorageKey::video_media(video, ["../x"], None, None, None).is_err());
        assert!(StorageKey::video_media(video, [], Some("a/b.jpg"), None, None).is_err());
    }

    #[test]
    fn every_key_knows_its_kind() {
        let video = Uuid::nil();
        let name = GeneratedName::parse("x.jpg").unwrap();
        assert_eq!(StorageKey::original(video).kind(), FileKind::Original);
        assert_eq!(StorageKey::hls_directory(video).kind(), FileKind::Hls);
        assert_eq!(StorageKey::hls_file(video, &name).kind(), FileKind::Hls);
        assert_eq!(StorageKey::mirror_directory(video).kind(), FileKind::Hls);
        assert_eq!(
            StorageKey::mirror_file(video, &name).as_str(),
            "redundancy/hls/00000000-0000-0000-0000-000000000000/x.jpg"
        );
        assert_eq!(StorageKey::thumbnail(&name).kind(), FileKind::Image);
        assert_eq!(StorageKey::preview(&name).kind(), FileKind::Image);
        assert_eq!(StorageKey::storyboard(&name).kind(), FileKind::Image);
        assert_eq!(StorageKey::actor_image(&name).as_str(), "avatars/x.jpg");
        assert_eq!(StorageKey::actor_image(&name).kind(), FileKind::Image);
        assert_eq!(
            StorageKey::work_directory(video).kind(),
            FileKind::Temporary
        );
        assert_eq!(
            StorageKey::resumable_upload(video).kind(),
            FileKind::Temporary
        );
    }
}
