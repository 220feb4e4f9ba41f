//! JPEG encoding (libavcodec's MJPEG encoder) and fitting pictures to a size.

use std::path::Path;

use ffmpeg_next::{Dictionary, Packet, Rational, codec, encoder, format, frame};

use crate::graph::{filter_one, rotation_filters};
use crate::{MediaError, ffi};

/// JPEG quantiser scale (2 best … 31 worst).
const QUALITY: i32 = 3;

/// libavcodec's lambda per quantiser step (`FF_QP2LAMBDA`).
const QP2LAMBDA: i32 = 118;

/// Rotates `picture`, scales it to cover `width`×`height` and crops the overflow (centred), as
/// full-range 4:2:0 ready for JPEG. `display` is the picture's shape on screen after rotation
/// (its sample aspect ratio applied), so anamorphic pictures are not cropped squeezed.
pub(crate) fn cover(
    picture: &frame::Video,
    rotation: i32,
    display: (u32, u32),
    width: u32,
    height: u32,
) -> Result<frame::Video, MediaError> {
    let (scaled_w, scaled_h) = cover_size(display, width, height);
    let spec = format!(
        "[in]{}scale=w={scaled_w}:h={scaled_h}:flags=bicubic,\
         crop={width}:{height}:exact=1,setsar=1,format=yuvj420p[out0]",
        rotation_filters(rotation)
    );
    filter_one(picture, &spec)
}

/// The smallest size of `display`'s shape that covers `width`×`height`.
fn cover_size(display: (u32, u32), width: u32, height: u32) -> (u32, u32) {
    let (dw, dh) = (f64::from(display.0.max(1)), f64::from(display.1.max(1)));
    let scale = (f64::from(width) / dw).max(f64::from(height) / dh);
    (
        ((dw * scale).ceil() as u32).max(width),
        ((dh * scale).ceil() as u32).max(height),
    )
}

/// Writes `picture` (yuvj420p) as a JPEG file.
pub(crate) fn write_jpeg(picture: &frame::Video, path: &Path) -> Result<(), MediaError> {
    let codec = encoder::find_by_name("mjpeg")
        .ok_or_else(|| MediaError::Libav("the mjpeg encoder is not available".into()))?;
    let mut video = codec::Context::new_with_codec(codec)
        .encoder()
        .video()
        .map_err(|e| MediaError::libav("creating the JPEG encoder", e))?;
    video.set_width(picture.width());
    video.set_height(picture.height());
    video.set_format(format::Pixel::YUVJ420P);
    video.set_time_base(Rational::new(1, 25));
    let lambda = QUALITY * QP2LAMBDA;
    let mut options = Dictionary::new();
    options.set("flags", "+qscale");
    options.set("global_quality", &lambda.to_string());
    ffi::open_codec(&mut video.0.0, codec, options)
        .map_err(|e| MediaError::Libav(format!("opening the JPEG encoder: {e}")))?;
    let mut encoder = encoder::video::Encoder(video);
    let mut input = picture.clone();
    input.set_pts(Some(0));
    ffi::set_frame_quality(&mut input, lambda);
    let err = |e| MediaError::libav("encoding JPEG", e);
    encoder.send_frame(&input).map_err(err)?;
    encoder.send_eof().map_err(err)?;
    let mut packet = Packet::empty();
    encoder.receive_packet(&mut packet).map_err(err)?;
    let bytes = packet
        .data()
        .ok_or_else(|| MediaError::Libav("empty JPEG".into()))?;
    std::fs::write(path, bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cover_size;

    #[test]
    fn covering_follows_the_display_shape() {
        // A 16:9 display covers a 16:9 target exactly, whatever the stored picture size.
        assert_eq!(cover_size((1916, 1078), 850, 480), (854, 480));
        assert_eq!(cover_size((1280, 720), 560, 315), (560, 315));
        // A wide picture into a square target keeps its height and overflows sideways.
        assert_eq!(cover_size((2000, 1000), 100, 100), (200, 100));
        // A portrait picture into a wide target.
        assert_eq!(cover_size((720, 1280), 160, 90), (160, 285));
    }
}
