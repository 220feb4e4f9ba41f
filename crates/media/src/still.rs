//! The still picture that stands in for video in an audio-only upload: the file's cover art
//! when it has some, else a generated picture.

use std::path::Path;

use ffmpeg_next::{Packet, format, frame};

use crate::graph::filter_one;
use crate::input;
use crate::ladder::AUDIO_STILL;

/// How many packets to read looking for the cover picture (libav queues it first).
const COVER_SEARCH_PACKETS: usize = 64;

/// The 854x480 yuv420p still for an audio-only input.
pub(crate) fn still_picture(path: &Path) -> frame::Video {
    cover_picture(path).unwrap_or_else(generated_picture)
}

/// The cover art fitted (letterboxed) into the still's size, if the file has readable art.
fn cover_picture(path: &Path) -> Option<frame::Video> {
    let mut input = input::open(path, 1024).ok()?;
    let index = input::select_streams(&input).ok()?.cover?;
    let mut decoder = input::open_decoder(&input.stream(index)?, 8192 * 8192).ok()?;
    let mut packet = Packet::empty();
    for _ in 0..COVER_SEARCH_PACKETS {
        packet.read(&mut input).ok()?;
        if packet.stream() != index {
            continue;
        }
        decoder.send_packet(&packet).ok()?;
        let _ = decoder.send_eof();
        let mut picture = frame::Video::empty();
        decoder.receive_frame(&mut picture).ok()?;
        let (w, h, _) = AUDIO_STILL;
        let spec = format!(
            "[in]scale=w={w}:h={h}:force_original_aspect_ratio=decrease:force_divisible_by=2:\
             flags=bicubic,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p,setsar=1[out0]"
        );
        return filter_one(&picture, &spec).ok();
    }
    None
}

/// A dark picture with a soft vertical gradient and a lighter disc in the middle.
pub(crate) fn generated_picture() -> frame::Video {
    let (w, h, _) = AUDIO_STILL;
    let mut picture = frame::Video::new(format::Pixel::YUV420P, w, h);
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let stride = picture.stride(0);
    let luma = picture.data_mut(0);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let gradient = 28.0 + 20.0 * y as f64 / f64::from(h);
            let r = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
            let disc = if (24.0..120.0).contains(&r) {
                36.0
            } else {
                0.0
            };
            luma[y * stride + x] = (gradient + disc) as u8;
        }
    }
    for plane in 1..3 {
        let stride = picture.stride(plane);
        let rows = picture.plane_height(plane) as usize;
        let data = picture.data_mut(plane);
        let tint = if plane == 1 { 138 } else { 124 };
        for row in 0..rows {
            data[row * stride..(row + 1) * stride].fill(tint);
        }
    }
    picture
}
