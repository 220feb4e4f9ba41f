//! The storyboard: one JPEG sprite sheet with a picture every `sprite_duration` seconds, as
//! PeerTube makes it (longest sprite edge 192 px, grid at most 11×11, none under 3 s).

use std::path::Path;

use ffmpeg_next::{format, frame};

use super::StoryboardInfo;
use super::jpeg::{cover, write_jpeg};
use super::reader::FrameReader;
use crate::MediaError;

/// Longest edge of a sprite, in pixels.
const SPRITE_MAX_SIZE: u32 = 192;

/// Most sprites per row and per column.
const MAX_EDGE_COUNT: u32 = 11;

/// Videos shorter than this get no storyboard.
const MIN_DURATION_SECS: f64 = 3.0;

/// Sprite count, seconds per sprite, grid columns and rows for a duration (PeerTube's maths).
pub(crate) fn layout(duration_secs: f64) -> Option<(u32, u32, u32, u32)> {
    if duration_secs.is_nan() || duration_secs < MIN_DURATION_SECS {
        return None;
    }
    let max_sprites = (duration_secs.ceil() as u64).min(u64::from(MAX_EDGE_COUNT * MAX_EDGE_COUNT));
    let sprite_duration = (duration_secs / max_sprites as f64).ceil() as u32;
    let total = (duration_secs / f64::from(sprite_duration)).ceil() as u32;
    let (columns, rows) = grid(total)?;
    Some((total, sprite_duration, columns, rows))
}

/// The smallest rows × columns grid (columns ≥ rows, both ≤ 11) holding `count` sprites.
fn grid(count: u32) -> Option<(u32, u32)> {
    (1..=MAX_EDGE_COUNT)
        .flat_map(|rows| (rows..=MAX_EDGE_COUNT).map(move |columns| (columns, rows)))
        .find(|(columns, rows)| count <= columns * rows)
}

/// Sprite size for a display size: the longest edge is 192, both even.
pub(crate) fn sprite_size(width: u32, height: u32) -> (u32, u32) {
    let even = |v: f64| (((v / 2.0).round() as u32) * 2).max(2);
    let ratio = f64::from(width.max(1)) / f64::from(height.max(1));
    if width >= height {
        (SPRITE_MAX_SIZE, even(f64::from(SPRITE_MAX_SIZE) / ratio))
    } else {
        (even(f64::from(SPRITE_MAX_SIZE) * ratio), SPRITE_MAX_SIZE)
    }
}

/// Makes the sprite sheet at `path`, or returns `None` for videos under 3 s.
pub(crate) fn make(
    reader: &mut FrameReader,
    display: (u32, u32),
    duration_secs: f64,
    path: &Path,
) -> Result<Option<StoryboardInfo>, MediaError> {
    let Some((total, sprite_duration, columns, rows)) = layout(duration_secs) else {
        return Ok(None);
    };
    let (sprite_width, sprite_height) = sprite_size(display.0, display.1);
    let mut sheet = frame::Video::new(
        format::Pixel::YUVJ420P,
        columns * sprite_width,
        rows * sprite_height,
    );
    fill_black(&mut sheet);
    let mut last: Option<frame::Video> = None;
    for i in 0..total {
        let picture = match reader.picture_at(f64::from(i * sprite_duration))? {
            Some(p) => p,
            None => match last.take() {
                Some(p) => p,
                None => break,
            },
        };
        let sprite = cover(
            &picture,
            reader.rotation,
            display,
            sprite_width,
            sprite_height,
        )?;
        let (x, y) = ((i % columns) * sprite_width, (i / columns) * sprite_height);
        paste(&mut sheet, &sprite, x, y);
        last = Some(picture);
    }
    write_jpeg(&sheet, path)?;
    Ok(Some(StoryboardInfo {
        total_width: columns * sprite_width,
        total_height: rows * sprite_height,
        sprite_width,
        sprite_height,
        sprite_duration,
    }))
}

/// Full-range black: Y 0, chroma 128.
fn fill_black(sheet: &mut frame::Video) {
    for plane in 0..3 {
        let value = if plane == 0 { 0 } else { 128 };
        sheet.data_mut(plane).fill(value);
    }
}

/// Copies `sprite` into `sheet` at (`x`, `y`); both are 4:2:0 and the offsets are even.
fn paste(sheet: &mut frame::Video, sprite: &frame::Video, x: u32, y: u32) {
    for plane in 0..3 {
        let shift = u32::from(plane > 0);
        let (px, py) = ((x >> shift) as usize, (y >> shift) as usize);
        let width = sprite.plane_width(plane) as usize;
        let rows = sprite.plane_height(plane) as usize;
        let (src_stride, dst_stride) = (sprite.stride(plane), sheet.stride(plane));
        let src = sprite.data(plane);
        let dst = sheet.data_mut(plane);
        for row in 0..rows {
            let from = &src[row * src_stride..row * src_stride + width];
            let at = (py + row) * dst_stride + px;
            dst[at..at + width].copy_from_slice(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_follows_peertube() {
        assert_eq!(layout(2.9), None);
        assert_eq!(layout(5.0), Some((5, 1, 5, 1)));
        assert_eq!(layout(13.0), Some((13, 1, 7, 2)));
        // 124.6 s: 121 sprites at most, so 2 s each: 63 sprites, 6 rows of 11.
        assert_eq!(layout(124.634), Some((63, 2, 11, 6)));
        let (total, duration, columns, rows) = layout(12.0 * 3600.0).unwrap();
        assert_eq!((duration, columns, rows), (358, 11, 11));
        assert!(total <= 121);
    }

    #[test]
    fn sprites_keep_the_aspect_with_a_192_px_longest_edge() {
        assert_eq!(sprite_size(1280, 720), (192, 108));
        assert_eq!(sprite_size(720, 1280), (108, 192));
        assert_eq!(sprite_size(1088, 1088), (192, 192));
        assert_eq!(sprite_size(640, 480), (192, 144));
    }
}
