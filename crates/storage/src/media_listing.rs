//! [`MediaStorage::list_s3_objects`]: every media object in the S3 locations, for backup
//! manifests.

use super::MediaStorage;
use crate::{StorageError, StorageKey};

impl MediaStorage {
    /// Every object of the instance's media in its S3 locations (each distinct bucket and
    /// prefix once), as `(bucket, key relative to the location's prefix, size)`, for backup
    /// manifests. Empty without `[storage.s3]`.
    pub async fn list_s3_objects(&self) -> Result<Vec<(String, String, u64)>, StorageError> {
        let Some(s3) = &self.s3 else {
            return Ok(Vec::new());
        };
        let mut listed = Vec::new();
        for (storage, _) in s3.distinct() {
            for top in [
                "original-video-files",
                "streaming-playlists",
                "redundancy",
                "thumbnails",
                "previews",
                "storyboards",
                "avatars",
                "video-captions",
                "torrents",
            ] {
                let directory = StorageKey::from_listing(top).expect("a valid key");
                for object in storage.list(&directory).await? {
                    listed.push((
                        storage.config().bucket.clone(),
                        object.key.as_str().to_owned(),
                        object.size,
                    ));
                }
            }
        }
        listed.sort();
        listed.dedup();
        Ok(listed)
    }
}
