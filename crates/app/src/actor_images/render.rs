//! Turning an uploaded or fetched picture into the sizes PeerTube stores, in pure Rust (libav
//! never runs in the server): the format is read from the bytes themselves (PNG, JPEG, WebP or
//! GIF; the declared type and the file name are not believed), the dimensions are read from the
//! header and checked before anything is decoded, decoding runs under allocation limits, and
//! every size is a JPEG encoded here, so the uploaded bytes are never served. An animated GIF or
//! WebP gives its first frame only: one frame is decoded, whatever the number of frames.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};

use super::ActorImageKind;
use crate::{AppError, AppResult};

/// Largest width or height of an accepted picture, pixels.
pub const MAX_SIDE: u32 = 8192;
/// Largest number of pixels of an accepted picture (a 40-megapixel photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most memory the decoder may allocate, bytes.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// Quality of the JPEGs written.
const JPEG_QUALITY: u8 = 85;

/// One size of an avatar or banner, encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedImage {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// The JPEG.
    pub jpeg: Vec<u8>,
}

/// Decodes `bytes` (at most `max_bytes`) and renders every size of `kind`, largest first.
pub fn render(
    kind: ActorImageKind,
    bytes: &[u8],
    max_bytes: usize,
) -> AppResult<Vec<RenderedImage>> {
    let field = kind.field();
    let invalid = |message: String| AppError::Invalid { field, message };
    if bytes.is_empty() {
        return Err(invalid("the file is empty".to_owned()));
    }
    if bytes.len() > max_bytes {
        return Err(AppError::TooLarge {
            code: "max_file_size_reached",
            message: format!("The image is larger than {max_bytes} bytes"),
        });
    }
    let format = reader(bytes, field)?.format();
    if !matches!(
        format,
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif)
    ) {
        return Err(invalid(
            "must be a PNG, JPEG, WebP or GIF image (its content says otherwise)".to_owned(),
        ));
    }
    // The header alone: nothing is decoded or allocated for the pixels yet.
    let (width, height) = reader(bytes, field)?
        .into_dimensions()
        .map_err(|error| invalid(format!("the image cannot be read: {error}")))?;
    check_dimensions(width, height).map_err(invalid)?;
    let mut decoder = reader(bytes, field)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    decoder.limits(limits);
    let image = decoder
        .decode()
        .map_err(|error| invalid(format!("the image cannot be read: {error}")))?;
    let source = flatten(image);
    let mut rendered = Vec::new();
    // Each size is made from the one before (the first from the source): same shape, less work.
    let mut previous = DynamicImage::ImageRgb8(source);
    for &(width, height) in kind.sizes() {
        let sized = previous.resize_to_fill(width, height, FilterType::Triangle);
        rendered.push(RenderedImage {
            width,
            height,
            jpeg: encode_jpeg(sized.as_rgb8().cloned().unwrap_or_else(|| sized.to_rgb8()))?,
        });
        previous = sized;
    }
    Ok(rendered)
}

/// A reader of `bytes` whose format is guessed from their first bytes.
fn reader<'a>(bytes: &'a [u8], field: &'static str) -> AppResult<ImageReader<Cursor<&'a [u8]>>> {
    ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| AppError::Invalid {
            field,
            message: error.to_string(),
        })
}

/// Refuses a picture too wide, too tall or with too many pixels.
pub fn check_dimensions(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err("the image has no pixels".to_owned());
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "the image is {width}x{height} pixels; at most {MAX_SIDE} pixels a side and \
             {MAX_PIXELS} pixels are accepted"
        ));
    }
    Ok(())
}

/// The picture as RGB, transparent parts laid over white.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    RgbImage::from_fn(width, height, |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            ((c * a + 255 * (255 - a)) / 255) as u8
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn encode_jpeg(image: RgbImage) -> AppResult<Vec<u8>> {
    let mut output = Vec::new();
    JpegEncoder::new_with_quality(&mut output, JPEG_QUALITY)
        .encode_image(&image)
        .map_err(|error| AppError::Internal(format!("encoding a JPEG failed: {error}")))?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 4 * 1024 * 1024;

    fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        encoded(
            DynamicImage::ImageRgb8(RgbImage::from_pixel(
                width,
                height,
                image::Rgb([200, 10, 10]),
            )),
            ImageFormat::Png,
        )
    }

    #[test]
    fn avatars_and_banners_get_peertubes_sizes_as_jpegs() {
        let avatars = render(ActorImageKind::Avatar, &png(300, 200), MAX).unwrap();
        let sizes: Vec<_> = avatars.iter().map(|i| (i.width, i.height)).collect();
        assert_eq!(sizes, [(1500, 1500), (600, 600), (120, 120), (48, 48)]);
        for image in &avatars {
            let decoded = image::load_from_memory(&image.jpeg).unwrap();
            assert_eq!(image::guess_format(&image.jpeg).unwrap(), ImageFormat::Jpeg);
            assert_eq!(
                (decoded.width(), decoded.height()),
                (image.width, image.height)
            );
        }
        let banners = render(ActorImageKind::Banner, &png(1000, 100), MAX).unwrap();
        let sizes: Vec<_> = banners.iter().map(|i| (i.width, i.height)).collect();
        assert_eq!(sizes, [(1920, 317), (600, 100)]);
    }

    #[test]
    fn webp_gif_and_jpeg_are_read_and_transparency_becomes_white() {
        let clear = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            64,
            64,
            image::Rgba([0, 0, 0, 0]),
        ));
        for format in [ImageFormat::Png, ImageFormat::WebP, ImageFormat::Gif] {
            let out = render(ActorImageKind::Avatar, &encoded(clear.clone(), format), MAX).unwrap();
            let small = image::load_from_memory(&out[3].jpeg).unwrap().to_rgb8();
            assert!(
                small.get_pixel(10, 10).0.iter().all(|c| *c > 240),
                "{format:?}"
            );
        }
        let jpeg = encoded(
            DynamicImage::ImageRgb8(RgbImage::new(50, 50)),
            ImageFormat::Jpeg,
        );
        assert_eq!(render(ActorImageKind::Avatar, &jpeg, MAX).unwrap().len(), 4);
    }

    #[test]
    fn svg_empty_and_lying_files_are_refused() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
        let html = b"<html><script>alert(1)</script></html>";
        for bad in [
            &svg[..],
            &html[..],
            &[0u8; 100][..],
            &b"\x89PNG\r\n\x1a\n broken"[..],
        ] {
            assert!(matches!(
                render(ActorImageKind::Avatar, bad, MAX),
                Err(AppError::Invalid {
                    field: "avatarfile",
                    ..
                })
            ));
        }
        assert!(matches!(
            render(ActorImageKind::Banner, b"", MAX),
            Err(AppError::Invalid {
                field: "bannerfile",
                ..
            })
        ));
        assert!(matches!(
            render(ActorImageKind::Avatar, &png(10, 10), 10),
            Err(AppError::TooLarge { .. })
        ));
    }

    /// A valid 1×1 PNG whose header (with a correct checksum) says `side`×`side`.
    pub(crate) fn png_claiming(side: u32) -> Vec<u8> {
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&side.to_be_bytes());
        bomb[20..24].copy_from_slice(&side.to_be_bytes());
        let mut crc = 0xffff_ffffu32;
        for byte in &bomb[12..29] {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    0xedb8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        bomb[29..33].copy_from_slice(&(!crc).to_be_bytes());
        bomb
    }

    #[test]
    fn a_huge_png_header_is_refused_before_decoding() {
        let bomb = png_claiming(60_000);
        let Err(AppError::Invalid { message, .. }) = render(ActorImageKind::Avatar, &bomb, MAX)
        else {
            panic!("a 60000x60000 PNG was accepted");
        };
        assert!(message.contains("60000x60000"), "{message}");
        assert!(check_dimensions(8192, 4096).is_ok());
        assert!(check_dimensions(8192, 8192).is_err());
    }
}
