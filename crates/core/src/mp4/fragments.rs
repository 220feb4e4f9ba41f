//! Reading a fragmented MP4: the tracks of its `moov` (with their `trex` defaults) and every
//! `moof`'s runs of samples (`tfhd`, `tfdt`, `trun`), into one sample table per track.

use super::boxes::{Child, Reader, children, find, require};
use super::{Limits, Mp4Error};

/// `tfhd` flags.
const BASE_DATA_OFFSET: u32 = 0x01;
const SAMPLE_DESCRIPTION: u32 = 0x02;
const DEFAULT_DURATION: u32 = 0x08;
const DEFAULT_SIZE: u32 = 0x10;
const DEFAULT_FLAGS: u32 = 0x20;
const DEFAULT_BASE_IS_MOOF: u32 = 0x02_0000;

/// `trun` flags.
const DATA_OFFSET: u32 = 0x01;
const FIRST_SAMPLE_FLAGS: u32 = 0x04;
const SAMPLE_DURATION: u32 = 0x100;
const SAMPLE_SIZE: u32 = 0x200;
const SAMPLE_FLAGS: u32 = 0x400;
const SAMPLE_CTO: u32 = 0x800;

/// `sample_is_non_sync_sample` in sample flags.
const NON_SYNC: u32 = 0x0001_0000;

/// One track of the movie and the samples read so far.
pub(crate) struct Track {
    pub id: u32,
    /// The `trak` box as the fragmented file has it.
    pub trak: Vec<u8>,
    pub timescale: u32,
    defaults: Defaults,
    pub durations: Vec<u32>,
    pub sizes: Vec<u32>,
    pub ctos: Vec<i32>,
    /// 1-based numbers of sync samples.
    pub syncs: Vec<u32>,
    /// Runs of samples contiguous in the file, in decode order.
    pub runs: Vec<Run>,
    next_dts: u64,
}

/// Samples contiguous in the source file: one chunk of the progressive file.
#[derive(Clone, Copy)]
pub(crate) struct Run {
    pub source_offset: u64,
    pub bytes: u64,
    pub samples: u32,
    pub description: u32,
}

#[derive(Clone, Copy, Default)]
struct Defaults {
    description: u32,
    duration: u32,
    size: u32,
    flags: u32,
}

/// What the `moov` of a fragmented file says.
pub(crate) struct Movie {
    /// The `mvhd` box.
    pub mvhd: Vec<u8>,
    pub timescale: u32,
    pub tracks: Vec<Track>,
    /// Other children of `moov` kept as they are (`udta`, `meta`).
    pub extra: Vec<Vec<u8>>,
}

impl Movie {
    /// Reads a `moov` payload.
    pub(crate) fn parse(payload: &[u8], limits: &Limits) -> Result<Self, Mp4Error> {
        let boxes = children(payload)?;
        let mvhd = require(&boxes, b"mvhd", "mvhd")?;
        let timescale = {
            let mut r = Reader::new(mvhd.payload);
            let (version, _) = r.full_header()?;
            r.take(if version == 1 { 16 } else { 8 })?;
            r.u32()?
        };
        if timescale == 0 {
            return Err(Mp4Error::Malformed("a movie time scale of 0"));
        }
        let mut trex = Vec::new();
        if let Some(mvex) = find(&boxes, b"mvex") {
            for child in children(mvex.payload)? {
                if &child.kind == b"trex" {
                    let mut r = Reader::new(child.payload);
                    r.full_header()?;
                    let id = r.u32()?;
                    let defaults = Defaults {
                        description: r.u32()?,
                        duration: r.u32()?,
                        size: r.u32()?,
                        flags: r.u32()?,
                    };
                    trex.push((id, defaults));
                }
            }
        }
        let mut tracks = Vec::new();
        let mut extra = Vec::new();
        for child in &boxes {
            match &child.kind {
                b"trak" => {
                    if tracks.len() >= limits.max_tracks {
                        return Err(Mp4Error::TooLarge("tracks"));
                    }
                    let (id, timescale) = track_ids(child)?;
                    if tracks.iter().any(|t: &Track| t.id == id) {
                        return Err(Mp4Error::Malformed("two tracks with one id"));
                    }
                    let defaults = trex
                        .iter()
                        .find(|(t, _)| *t == id)
                        .map(|(_, d)| *d)
                        .unwrap_or_default();
                    tracks.push(Track {
                        id,
                        trak: child.whole.to_vec(),
                        timescale,
                        defaults,
                        durations: Vec::new(),
                        sizes: Vec::new(),
                        ctos: Vec::new(),
                        syncs: Vec::new(),
                        runs: Vec::new(),
                        next_dts: 0,
                    });
                }
                b"mvhd" | b"mvex" => {}
                _ => extra.push(child.whole.to_vec()),
            }
        }
        if tracks.is_empty() {
            return Err(Mp4Error::Missing("trak"));
        }
        Ok(Self {
            mvhd: mvhd.whole.to_vec(),
            timescale,
            tracks,
            extra,
        })
    }

    /// Adds the samples of one `moof` (its whole bytes, starting at `offset` in the file).
    pub(crate) fn add_fragment(
        &mut self,
        offset: u64,
        moof: &[u8],
        limits: &Limits,
        total_samples: &mut u64,
    ) -> Result<(), Mp4Error> {
        let header_len = super::boxes::BoxHeader::parse(moof)?
            .map(|h| usize::from(h.header_len))
            .ok_or(Mp4Error::Malformed("a truncated moof"))?;
        let mut previous_end: Option<u64> = None;
        for traf in children(&moof[header_len..])? {
            if &traf.kind != b"traf" {
                continue;
            }
            let boxes = children(traf.payload)?;
            let tfhd = require(&boxes, b"tfhd", "tfhd")?;
            let mut r = Reader::new(tfhd.payload);
            let (_, flags) = r.full_header()?;
            let id = r.u32()?;
            let track = self
                .tracks
                .iter_mut()
                .find(|t| t.id == id)
                .ok_or(Mp4Error::Malformed("a fragment of an unknown track"))?;
            let mut defaults = track.defaults;
            let base = if flags & BASE_DATA_OFFSET != 0 {
                r.u64()?
            } else if flags & DEFAULT_BASE_IS_MOOF != 0 {
                offset
            } else {
                previous_end.unwrap_or(offset)
            };
            if flags & SAMPLE_DESCRIPTION != 0 {
                defaults.description = r.u32()?;
            }
            if flags & DEFAULT_DURATION != 0 {
                defaults.duration = r.u32()?;
            }
            if flags & DEFAULT_SIZE != 0 {
                defaults.size = r.u32()?;
            }
            if flags & DEFAULT_FLAGS != 0 {
                defaults.flags = r.u32()?;
            }
            if let Some(tfdt) = find(&boxes, b"tfdt") {
                let mut r = Reader::new(tfdt.payload);
                let (version, _) = r.full_header()?;
                let start = if version == 1 {
                    r.u64()?
                } else {
                    u64::from(r.u32()?)
                };
                // A gap between fragments lengthens the sample before it, as players do.
                if start > track.next_dts
                    && let Some(last) = track.durations.last_mut()
                {
                    let gap = u32::try_from(start - track.next_dts)
                        .map_err(|_| Mp4Error::Malformed("a gap of more than 2^32 ticks"))?;
                    *last = last.saturating_add(gap);
                    track.next_dts = start;
                }
            }
            let mut data_at = base;
            for trun in boxes.iter().filter(|b| &b.kind == b"trun") {
                data_at = read_run(track, trun, base, data_at, defaults, limits, total_samples)?;
            }
            previous_end = Some(data_at);
        }
        Ok(())
    }
}

/// Reads one `trun`; returns where its data ends in the file.
fn read_run(
    track: &mut Track,
    trun: &Child<'_>,
    base: u64,
    data_at: u64,
    defaults: Defaults,
    limits: &Limits,
    total_samples: &mut u64,
) -> Result<u64, Mp4Error> {
    let mut r = Reader::new(trun.payload);
    let (version, flags) = r.full_header()?;
    let count = r.u32()?;
    let start = if flags & DATA_OFFSET != 0 {
        let delta = i64::from(r.u32()? as i32);
        base.checked_add_signed(delta)
            .ok_or(Mp4Error::Malformed("a run before the file's start"))?
    } else {
        data_at
    };
    let first_flags = if flags & FIRST_SAMPLE_FLAGS != 0 {
        Some(r.u32()?)
    } else {
        None
    };
    *total_samples += u64::from(count);
    if *total_samples > limits.max_samples {
        return Err(Mp4Error::TooLarge("samples"));
    }
    let mut bytes = 0u64;
    for i in 0..count {
        let duration = if flags & SAMPLE_DURATION != 0 {
            r.u32()?
        } else {
            defaults.duration
        };
        let size = if flags & SAMPLE_SIZE != 0 {
            r.u32()?
        } else {
            defaults.size
        };
        let sample_flags = if flags & SAMPLE_FLAGS != 0 {
            r.u32()?
        } else if i == 0
            && let Some(first) = first_flags
        {
            first
        } else {
            defaults.flags
        };
        let cto = if flags & SAMPLE_CTO != 0 {
            let raw = r.u32()?;
            if version == 0 {
                i32::try_from(raw).map_err(|_| Mp4Error::TooLarge("a composition offset"))?
            } else {
                raw as i32
            }
        } else {
            0
        };
        track.durations.push(duration);
        track.sizes.push(size);
        track.ctos.push(cto);
        if sample_flags & NON_SYNC == 0 {
            // At most u32::MAX samples pass the limit above.
            track.syncs.push(track.sizes.len() as u32);
        }
        track.next_dts += u64::from(duration);
        bytes += u64::from(size);
    }
    if count > 0 {
        track.runs.push(Run {
            source_offset: start,
            bytes,
            samples: count,
            description: defaults.description.max(1),
        });
    }
    start
        .checked_add(bytes)
        .ok_or(Mp4Error::Malformed("a run past 2^64"))
}

/// The track id (from `tkhd`) and media time scale (from `mdhd`) of a `trak`.
fn track_ids(trak: &Child<'_>) -> Result<(u32, u32), Mp4Error> {
    let boxes = children(trak.payload)?;
    let tkhd = require(&boxes, b"tkhd", "tkhd")?;
    let mut r = Reader::new(tkhd.payload);
    let (version, _) = r.full_header()?;
    r.take(if version == 1 { 16 } else { 8 })?;
    let id = r.u32()?;
    let mdia = children(require(&boxes, b"mdia", "mdia")?.payload)?;
    let mdhd = require(&mdia, b"mdhd", "mdhd")?;
    let mut r = Reader::new(mdhd.payload);
    let (version, _) = r.full_header()?;
    r.take(if version == 1 { 16 } else { 8 })?;
    let timescale = r.u32()?;
    if timescale == 0 {
        return Err(Mp4Error::Malformed("a media time scale of 0"));
    }
    Ok((id, timescale))
}
