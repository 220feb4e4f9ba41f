//! Custom thumbnails and previews (`thumbnailfile` / `previewfile` of `PUT /api/v1/videos/{id}`):
//! the uploaded JPEG or PNG is decoded under size limits (in pure Rust — libav never runs in the
//! server), cropped to PeerTube's sizes, encoded as JPEG under a fresh name, stored beside the
//! video's other files, and only then put in the row; the old image is deleted last.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};
use kinora_db::videos::VideoRow;
use kinora_db::{Db, now_millis};
use kinora_storage::{GeneratedName, MediaStorage, StorageKey};
use uuid::Uuid;

use crate::auth::AuthenticatedUser;
use crate::{AppError, AppResult};

/// Largest image file accepted, bytes (PeerTube's limit).
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Largest width or height of an accepted image, pixels.
const MAX_IMAGE_SIDE: u32 = 8192;

/// Which image of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoImage {
    /// The 280×157 thumbnail of lists.
    Thumbnail,
    /// The 850×480 preview shown before playback.
    Preview,
}

impl VideoImage {
    /// The field name in PeerTube's forms.
    pub fn field(self) -> &'static str {
        match self {
            VideoImage::Thumbnail => "thumbnailfile",
            VideoImage::Preview => "previewfile",
        }
    }

    fn size(self) -> (u32, u32) {
        match self {
            VideoImage::Thumbnail => (280, 157),
            VideoImage::Preview => (850, 480),
        }
    }

    fn key(self, name: &GeneratedName) -> StorageKey {
        match self {
            VideoImage::Thumbnail => StorageKey::thumbnail(name),
            VideoImage::Preview => StorageKey::preview(name),
        }
    }
}

/// Decodes `bytes` (JPEG or PNG only), crops it to `kind`'s size and encodes a JPEG.
pub fn render_image(kind: VideoImage, bytes: &[u8]) -> AppResult<Vec<u8>> {
    let field = kind.field();
    let invalid = |message: String| AppError::Invalid { field, message };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(invalid(format!(
            "the image is larger than {MAX_IMAGE_BYTES} bytes"
        )));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| invalid(error.to_string()))?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return Err(invalid("must be a JPEG or PNG image".to_owned()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|error| invalid(format!("the image cannot be read: {error}")))?;
    let (width, height) = kind.size();
    let cropped = image.resize_to_fill(width, height, image::imageops::FilterType::Triangle);
    let mut output = Vec::new();
    cropped
        .to_rgb8()
        .write_to(&mut Cursor::new(&mut output), ImageFormat::Jpeg)
        .map_err(|error| AppError::Internal(format!("encoding a JPEG failed: {error}")))?;
    Ok(output)
}

/// [`render_image`] on a blocking thread (decoding a large image takes a while).
pub async fn render_image_in_background(kind: VideoImage, bytes: Vec<u8>) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || render_image(kind, &bytes))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?
}

/// Replaces a video's thumbnail or preview with `jpeg`, an image [`render_image`] made (owner
/// or staff only).
pub async fn replace_image(
    db: &Db,
    storage: &MediaStorage,
    user: &AuthenticatedUser,
    video: &VideoRow,
    kind: VideoImage,
    jpeg: &[u8],
) -> AppResult<()> {
    crate::visibility::ensure_can_manage(db, video, user, "Cannot update another user's video.")
        .await?;
    let location = crate::media::media_location(video)?;
    let name = store_image(storage, location, kind, jpeg).await?;
    let result = async {
        let column = match kind {
            VideoImage::Thumbnail => kinora_db::videos::ImageColumn::Thumbnail,
            VideoImage::Preview => kinora_db::videos::ImageColumn::Preview,
        };
        let mut tx = db.begin().await?;
        let previous =
            kinora_db::videos::set_image(&mut tx, video.id, column, name.as_str(), now_millis())
                .await?;
        tx.commit().await?;
        if let Some(previous) = previous.and_then(|p| GeneratedName::parse(&p).ok()) {
            storage.delete(location, &kind.key(&previous)).await?;
        }
        Ok(())
    }
    .await;
    if result.is_err() {
        let _ = storage.delete(location, &kind.key(&name)).await;
    }
    result
}

/// Stores `jpeg` as a new image of `kind` under a fresh name at `location`; answers the name
/// (for the caller to put in the row).
pub async fn store_image(
    storage: &MediaStorage,
    location: kinora_storage::Location,
    kind: VideoImage,
    jpeg: &[u8],
) -> AppResult<GeneratedName> {
    let name = GeneratedName::parse(&format!("{}.jpg", Uuid::new_v4()))?;
    let key = kind.key(&name);
    let (_, work) = storage.local().create_work_directory()?;
    let file = work.join("image.jpg");
    let result = async {
        tokio::fs::write(&file, jpeg)
            .await
            .map_err(|error| AppError::Internal(format!("writing an image failed: {error}")))?;
        storage.store_file(location, &file, &key).await?;
        Ok(())
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result.map(|()| name)
}

/// The image of a live without its own (PeerTube gives lives a default background): a dark
/// gradient at `kind`'s size, as a JPEG.
pub fn live_background(kind: VideoImage) -> AppResult<Vec<u8>> {
    let (width, height) = kind.size();
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let across = (x * 60 / width.max(1)) as u8;
        let down = (y * 40 / height.max(1)) as u8;
        image::Rgb([28 + across, 24 + down / 2, 64 + down])
    });
    let mut output = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut output), ImageFormat::Jpeg)
        .map_err(|error| AppError::Internal(format!("encoding a JPEG failed: {error}")))?;
    Ok(output)
}

/// Removes images [`store_image`] stored, when what they were for was not written.
pub async fn discard_images(
    storage: &MediaStorage,
    location: kinora_storage::Location,
    images: &[(VideoImage, GeneratedName)],
) {
    for (kind, name) in images {
        let _ = storage.delete(location, &kind.key(name)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 10, 10]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn images_are_cropped_to_peertube_sizes() {
        let jpeg = render_image(VideoImage::Thumbnail, &png(640, 640)).unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (280, 157));
        let jpeg = render_image(VideoImage::Preview, &png(100, 50)).unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (850, 480));
    }

    #[test]
    fn other_formats_and_bombs_are_refused() {
        for bad in [
            b"GIF89a....".to_vec(),
            b"<svg></svg>".to_vec(),
            vec![0; 100],
        ] {
            assert!(matches!(
                render_image(VideoImage::Thumbnail, &bad),
                Err(AppError::Invalid {
                    field: "thumbnailfile",
                    ..
                })
            ));
        }
        // A PNG header announcing 100000×100000 pixels is refused before any allocation.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(render_image(VideoImage::Thumbnail, &bomb).is_err());
        let huge = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert!(render_image(VideoImage::Preview, &huge).is_err());
    }
}
