//! `segments-sha256.json` of a live, as PeerTube's players check segments received from
//! peers: `{"0-000001.ts": "<sha256 hex>", …}` for the segments the media playlist lists,
//! rewritten atomically (a temporary file renamed over it) whenever the list changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kinora_media::live::{MEDIA_PLAYLIST, listed_segments};
use sha2::{Digest, Sha256};

pub use kinora_core::live::SEGMENTS_SHA256;

/// Keeps one live directory's hashes up to date.
#[derive(Debug)]
pub struct SegmentHashes {
    dir: PathBuf,
    hashes: BTreeMap<String, String>,
}

impl SegmentHashes {
    /// Watches `dir` (nothing is read yet).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            hashes: BTreeMap::new(),
        }
    }

    /// Reads the media playlist; hashes the segments it newly lists, forgets those it no
    /// longer lists, and rewrites the file when anything changed. Answers whether it did.
    pub fn refresh(&mut self) -> std::io::Result<bool> {
        let playlist = match std::fs::read_to_string(self.dir.join(MEDIA_PLAYLIST)) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        };
        let listed = listed_segments(&playlist);
        let before = self.hashes.len();
        self.hashes.retain(|name, _| listed.contains(name));
        let mut changed = self.hashes.len() != before;
        for name in listed {
            if self.hashes.contains_key(&name) {
                continue;
            }
            let bytes = match std::fs::read(self.dir.join(&name)) {
                Ok(bytes) => bytes,
                // Listed, then deleted before we looked: it is gone from the next list too.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(error) => return Err(error),
            };
            self.hashes
                .insert(name, hex::encode(Sha256::digest(&bytes)));
            changed = true;
        }
        if changed {
            let json = serde_json::to_vec(&self.hashes).map_err(std::io::Error::other)?;
            let temporary = self.dir.join(format!(".{SEGMENTS_SHA256}.tmp"));
            std::fs::write(&temporary, json)?;
            std::fs::rename(&temporary, self.dir.join(SEGMENTS_SHA256))?;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_follow_the_playlist() {
        let dir = tempfile::tempdir().unwrap();
        let mut hashes = SegmentHashes::new(dir.path());
        assert!(!hashes.refresh().unwrap(), "no playlist yet");
        std::fs::write(dir.path().join("0-000001.ts"), b"one").unwrap();
        std::fs::write(dir.path().join("0-000002.ts"), b"two").unwrap();
        std::fs::write(dir.path().join(MEDIA_PLAYLIST), "#EXTM3U\n0-000001.ts\n").unwrap();
        assert!(hashes.refresh().unwrap());
        let read = || -> BTreeMap<String, String> {
            serde_json::from_slice(&std::fs::read(dir.path().join(SEGMENTS_SHA256)).unwrap())
                .unwrap()
        };
        assert_eq!(
            read(),
            BTreeMap::from([(
                "0-000001.ts".to_owned(),
                hex::encode(Sha256::digest(b"one"))
            )])
        );
        assert!(!hashes.refresh().unwrap(), "nothing new");
        std::fs::write(dir.path().join(MEDIA_PLAYLIST), "#EXTM3U\n0-000002.ts\n").unwrap();
        assert!(hashes.refresh().unwrap());
        assert_eq!(read().keys().collect::<Vec<_>>(), ["0-000002.ts"]);
    }
}
