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
/// full-range 4:2:0 ready for JPEG.
pub(crate) fn cover(
    picture: &frame::Video,
    rotation: i32,
    width: u32,
    height: u32,
) -> Result<frame::Video, MediaError> {
    let spec = format!(
        "[in]{}scale=w={width}:h={height}:force_original_aspect_ratio=increase:flags=bicubic,\
         crop={width}:{height}:exact=1,setsar=1,format=yuvj420p[out0]",
        rotation_filters(rotation)
    );
    filter_one(picture, &spec)
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
