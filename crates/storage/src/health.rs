//! Storage health: the fault counter every [`MediaStorage`](crate::MediaStorage) operation
//! reports to (`kinora_storage_errors_total{operation, backend}` in the process's metrics
//! recorder, when one is installed) and the check that a public S3 location is readable
//! anonymously.

use std::time::Duration;

use uuid::Uuid;

use crate::{Location, S3Storage, StorageError, StorageKey};

impl StorageError {
    /// Whether this is a fault of the storage (unreachable, refused, an I/O error) rather than
    /// an answer about the request (no such object, a range outside it, a name not generated).
    pub fn is_fault(&self) -> bool {
        !matches!(
            self,
            StorageError::NotFound { .. }
                | StorageError::RangeNotSatisfiable { .. }
                | StorageError::BadName(_)
        )
    }
}

/// Counts `result` as a fault of `operation` on `location`'s backend when it is one; passes it
/// on unchanged.
pub(crate) fn counted<T>(
    operation: &'static str,
    location: Location,
    result: Result<T, StorageError>,
) -> Result<T, StorageError> {
    if let Err(error) = &result
        && error.is_fault()
    {
        let backend = if location.is_s3() { "s3" } else { "local" };
        metrics::counter!("kinora_storage_errors_total", "operation" => operation, "backend" => backend)
            .increment(1);
    }
    result
}

/// Writes a probe in a public location and reads it back anonymously at its public URL.
pub(crate) async fn check_public_location(storage: &S3Storage) -> Result<(), StorageError> {
    let probe = StorageKey::self_test_probe(Uuid::new_v4());
    let content = format!("kinora public self-test {probe}");
    storage.put_bytes(&probe, content.clone()).await?;
    let url = storage.public_url(&probe);
    let fetched = async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| error.to_string())?;
        let response = client
            .get(&url)
            .send()
            .await
            .map_err(|error| error.to_string())?;
        let status = response.status();
        let body = response.bytes().await.map_err(|error| error.to_string())?;
        if status.is_success() && body == content.as_bytes() {
            Ok(())
        } else {
            Err(format!("answered HTTP {status}"))
        }
    }
    .await;
    let deleted = storage.delete(&probe).await;
    fetched.map_err(|detail| StorageError::S3PublicUnreadable {
        bucket: storage.config().bucket.clone(),
        url,
        detail,
    })?;
    deleted
}
