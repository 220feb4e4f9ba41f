//! Which source frames each rendition encodes, and where keyframes go.
//!
//! Keyframes are decided once per source frame for all renditions: the first frame at or
//! after each GOP boundary (every 2 s, measured from the first output frame) is a keyframe in
//! every rendition, so segment cuts line up exactly. Between keyframes a rendition with a lower
//! frame rate keeps one frame per output slot; slots are counted from the last keyframe, so the
//! keyframe frame itself is always kept.

/// Ticks per second of the video timestamps given to the encoders (time base 1/90000).
pub(crate) const TICKS: i64 = 90_000;

/// A frame is kept when its slot number, counted from the last keyframe, has advanced. A frame
/// up to 30 % of a slot early still counts for that slot (timestamp jitter).
const SLOT_EARLINESS: f64 = 0.3;

/// What to do with one source frame.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    /// Force an IDR frame in every rendition that encodes this frame (all of them).
    pub keyframe: bool,
    /// Per rendition: encode this frame.
    pub emit: Vec<bool>,
}

/// Per-job frame selection state.
#[derive(Debug)]
pub(crate) struct Cadence {
    fps: Vec<f64>,
    gop_ticks: i64,
    next_boundary: i64,
    epoch_start: i64,
    last_slot: Vec<i64>,
    last_pts: Option<i64>,
}

impl Cadence {
    /// A cadence for renditions at `fps`, with a keyframe every `gop_secs`.
    pub(crate) fn new(fps: Vec<f64>, gop_secs: f64) -> Self {
        let count = fps.len();
        Cadence {
            fps,
            gop_ticks: ((gop_secs * TICKS as f64).round() as i64).max(1),
            next_boundary: 0,
            epoch_start: 0,
            last_slot: vec![0; count],
            last_pts: None,
        }
    }

    /// Decides for a source frame at `pts` (in 1/90000 s). `None` means no rendition wants it
    /// (including timestamps that do not increase).
    pub(crate) fn decide(&mut self, pts: i64) -> Option<Decision> {
        if self.last_pts.is_some_and(|last| pts <= last) {
            return None;
        }
        let first = self.last_pts.is_none();
        self.last_pts = Some(pts);
        if first || pts >= self.next_boundary {
            self.epoch_start = pts;
            if first {
                self.next_boundary = pts;
            }
            while self.next_boundary <= pts {
                self.next_boundary += self.gop_ticks;
            }
            self.last_slot.iter_mut().for_each(|s| *s = 0);
            return Some(Decision {
                keyframe: true,
                emit: vec![true; self.fps.len()],
            });
        }
        let elapsed = (pts - self.epoch_start) as f64 / TICKS as f64;
        let emit: Vec<bool> = self
            .fps
            .iter()
            .zip(self.last_slot.iter_mut())
            .map(|(fps, last)| {
                let slot = (elapsed * fps + SLOT_EARLINESS).floor() as i64;
                let keep = slot > *last;
                if keep {
                    *last = slot;
                }
                keep
            })
            .collect();
        emit.iter().any(|e| *e).then_some(Decision {
            keyframe: false,
            emit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cadence: &mut Cadence, source_fps: f64, frames: usize) -> Vec<Option<Decision>> {
        (0..frames)
            .map(|i| cadence.decide((i as f64 * TICKS as f64 / source_fps).round() as i64))
            .collect()
    }

    #[test]
    fn keyframes_every_two_seconds_in_every_rendition() {
        let mut c = Cadence::new(vec![30.0, 30.0], 2.0);
        let decisions = run(&mut c, 30.0, 181);
        let keys: Vec<usize> = decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| d.as_ref().is_some_and(|d| d.keyframe))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(keys, vec![0, 60, 120, 180]);
        assert!(
            decisions
                .iter()
                .all(|d| d.as_ref().unwrap().emit == vec![true, true])
        );
    }

    #[test]
    fn sixty_fps_source_gives_every_other_frame_at_30_and_keeps_keyframes() {
        let mut c = Cadence::new(vec![60.0, 30.0], 2.0);
        let decisions = run(&mut c, 60.0, 240);
        let kept_60 = decisions
            .iter()
            .filter(|d| d.as_ref().is_some_and(|d| d.emit[0]))
            .count();
        let kept_30 = decisions
            .iter()
            .filter(|d| d.as_ref().is_some_and(|d| d.emit[1]))
            .count();
        assert_eq!(kept_60, 240);
        assert_eq!(kept_30, 120);
        let key = decisions[120].as_ref().unwrap();
        assert!(key.keyframe && key.emit == vec![true, true]);
    }

    #[test]
    fn ntsc_decimation_keeps_keyframes_aligned() {
        let fps = 60000.0 / 1001.0;
        let mut c = Cadence::new(vec![fps, fps / 2.0], 2.0);
        let decisions = run(&mut c, fps, 1300);
        for d in decisions.iter().flatten().filter(|d| d.keyframe) {
            assert_eq!(d.emit, vec![true, true]);
        }
        let kept_low = decisions
            .iter()
            .filter(|d| d.as_ref().is_some_and(|d| d.emit[1]))
            .count();
        assert!((640..=660).contains(&kept_low), "{kept_low}");
    }

    #[test]
    fn jittery_millisecond_timestamps_keep_every_frame() {
        let mut c = Cadence::new(vec![30.0], 2.0);
        let mut kept = 0;
        for i in 0..300 {
            let ms = (i as f64 * 1000.0 / 30.0).round() as i64;
            if c.decide(ms * 90).is_some() {
                kept += 1;
            }
        }
        assert_eq!(kept, 300);
    }

    #[test]
    fn non_increasing_timestamps_are_dropped() {
        let mut c = Cadence::new(vec![25.0], 2.0);
        assert!(c.decide(0).is_some());
        assert!(c.decide(0).is_none());
        assert!(c.decide(-5).is_none());
        assert!(c.decide(3600).is_some());
    }
}
