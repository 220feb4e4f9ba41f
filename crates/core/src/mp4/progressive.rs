//! Writing the head of a progressive MP4 (`ftyp`, `moov` with complete sample tables, the
//! `mdat` header) for samples that stay where they are in the source's `mdat`s.

use super::Mp4Error;
use super::boxes::{Reader, Writer, children, require};
use super::fragments::{Movie, Track};

/// Where the source's `mdat` payloads land in the output.
pub(crate) struct Placement<'a> {
    /// Each payload's source start, length and the payload bytes before it in the output.
    pub mdats: &'a [(u64, u64, u64)],
    /// Output offset of the first `mdat` payload byte.
    pub payload_start: u64,
}

impl Placement<'_> {
    /// The output offset of a source byte range, which must lie inside one `mdat` payload.
    fn map(&self, source: u64, bytes: u64) -> Result<u64, Mp4Error> {
        let index = self.mdats.partition_point(|(start, _, _)| *start <= source);
        let (start, len, before) = index
            .checked_sub(1)
            .map(|i| self.mdats[i])
            .ok_or(Mp4Error::Malformed("samples outside every mdat"))?;
        if source + bytes > start + len {
            return Err(Mp4Error::Malformed("samples outside every mdat"));
        }
        Ok(self.payload_start + before + (source - start))
    }
}

/// Writes `ftyp`.
pub(crate) fn write_ftyp(w: &mut Writer) -> Result<(), Mp4Error> {
    w.begin(b"ftyp");
    w.raw(b"isom");
    w.u32(0x200);
    for brand in [b"isom", b"iso2", b"avc1", b"mp41"] {
        w.raw(brand);
    }
    w.end()
}

/// Writes the `moov` of the progressive file.
pub(crate) fn write_moov(
    w: &mut Writer,
    movie: &Movie,
    place: &Placement<'_>,
    wide_offsets: bool,
) -> Result<(), Mp4Error> {
    let mut movie_duration = 0u64;
    let mut traks = Vec::new();
    for track in &movie.tracks {
        let mut t = Writer::default();
        let duration = write_trak(&mut t, track, movie.timescale, place, wide_offsets)?;
        movie_duration = movie_duration.max(duration);
        traks.push(t.bytes);
    }
    w.begin(b"moov");
    w.raw(&with_duration(&movie.mvhd, movie_duration, 16, 24)?);
    for trak in traks {
        w.raw(&trak);
    }
    for extra in &movie.extra {
        w.raw(extra);
    }
    w.end()
}

/// A copy of a full box (its whole bytes) with the duration field set; the field is at
/// `v0_at` (32-bit) or `v1_at` (64-bit) in the payload.
fn with_duration(
    whole: &[u8],
    duration: u64,
    v0_at: usize,
    v1_at: usize,
) -> Result<Vec<u8>, Mp4Error> {
    let mut out = whole.to_vec();
    let header = 8;
    let version = *out
        .get(header)
        .ok_or(Mp4Error::Malformed("an empty full box"))?;
    if version == 1 {
        let at = header + v1_at;
        out.get_mut(at..at + 8)
            .ok_or(Mp4Error::Malformed("a short header box"))?
            .copy_from_slice(&duration.to_be_bytes());
    } else {
        let at = header + v0_at;
        let value = u32::try_from(duration).map_err(|_| Mp4Error::TooLarge("a duration"))?;
        out.get_mut(at..at + 4)
            .ok_or(Mp4Error::Malformed("a short header box"))?
            .copy_from_slice(&value.to_be_bytes());
    }
    Ok(out)
}

/// Writes one `trak`; returns its duration in the movie's time scale.
fn write_trak(
    w: &mut Writer,
    track: &Track,
    movie_timescale: u32,
    place: &Placement<'_>,
    wide_offsets: bool,
) -> Result<u64, Mp4Error> {
    let header = super::boxes::BoxHeader::parse(&track.trak)?
        .ok_or(Mp4Error::Malformed("a truncated trak"))?;
    let boxes = children(&track.trak[usize::from(header.header_len)..])?;
    let media_duration: u64 = track.durations.iter().map(|&d| u64::from(d)).sum();
    let to_movie = |ticks: u64| {
        (u128::from(ticks) * u128::from(movie_timescale) / u128::from(track.timescale)) as u64
    };
    // Where the last sample stops being shown (composition offsets move frames later than
    // their decoding): an open-ended edit runs until then.
    let mut dts = 0i64;
    let mut presentation_end = 0i64;
    for (&duration, &cto) in track.durations.iter().zip(&track.ctos) {
        presentation_end = presentation_end.max(dts + i64::from(cto) + i64::from(duration));
        dts += i64::from(duration);
    }
    let presentation_end = u64::try_from(presentation_end).unwrap_or(0);
    let edits = match boxes.iter().find(|b| &b.kind == b"edts") {
        Some(edts) => Some(rewrite_edits(edts.payload, presentation_end, &to_movie)?),
        None => None,
    };
    let track_duration = match &edits {
        Some((_, total)) => *total,
        None => to_movie(media_duration),
    };
    let tkhd = require(&boxes, b"tkhd", "tkhd")?;
    let mdia = require(&boxes, b"mdia", "mdia")?;
    w.begin(b"trak");
    w.raw(&with_duration(tkhd.whole, track_duration, 20, 28)?);
    if let Some((edts, _)) = &edits {
        w.raw(edts);
    }
    w.begin(b"mdia");
    for child in children(mdia.payload)? {
        match &child.kind {
            b"mdhd" => w.raw(&with_duration(child.whole, media_duration, 16, 24)?),
            b"minf" => {
                w.begin(b"minf");
                for part in children(child.payload)? {
                    if &part.kind == b"stbl" {
                        let stsd = require(&children(part.payload)?, b"stsd", "stsd")?;
                        write_stbl(w, track, stsd.whole, place, wide_offsets)?;
                    } else {
                        w.raw(part.whole);
                    }
                }
                w.end()?;
            }
            _ => w.raw(child.whole),
        }
    }
    w.end()?;
    for child in &boxes {
        if !matches!(&child.kind, b"tkhd" | b"edts" | b"mdia") {
            w.raw(child.whole);
        }
    }
    w.end()?;
    Ok(track_duration)
}

/// The `edts` box with open-ended edits (duration 0, as fragmented files write them) closed at
/// the media's presentation end, and the edits' total duration in the movie's time scale.
fn rewrite_edits(
    edts: &[u8],
    presentation_end: u64,
    to_movie: &dyn Fn(u64) -> u64,
) -> Result<(Vec<u8>, u64), Mp4Error> {
    let Some(elst) = children(edts)?.into_iter().find(|b| &b.kind == b"elst") else {
        return Err(Mp4Error::Missing("elst"));
    };
    let mut r = Reader::new(elst.payload);
    let (version, _) = r.full_header()?;
    let count = r.u32()?;
    if count > 1024 {
        return Err(Mp4Error::TooLarge("edit list"));
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        let (duration, media_time) = if version == 1 {
            (r.u64()?, r.u64()? as i64)
        } else {
            (u64::from(r.u32()?), i64::from(r.u32()? as i32))
        };
        let rate = r.u32()?;
        entries.push((duration, media_time, rate));
    }
    let mut total = 0u64;
    for (duration, media_time, _) in &mut entries {
        if *duration == 0 && *media_time >= 0 {
            *duration = to_movie(presentation_end.saturating_sub(*media_time as u64));
        }
        total += *duration;
    }
    let wide = entries
        .iter()
        .any(|(d, m, _)| *d > u64::from(u32::MAX) || i32::try_from(*m).is_err());
    let mut w = Writer::default();
    w.begin(b"edts");
    w.begin_full(b"elst", u8::from(wide), 0);
    w.u32(count);
    for (duration, media_time, rate) in entries {
        if wide {
            w.u64(duration);
            w.u64(media_time as u64);
        } else {
            w.u32(duration as u32);
            w.u32(media_time as i32 as u32);
        }
        w.u32(rate);
    }
    w.end()?;
    w.end()?;
    Ok((w.bytes, total))
}

/// Writes `stbl`: the sample description as it was and the tables of every sample.
fn write_stbl(
    w: &mut Writer,
    track: &Track,
    stsd: &[u8],
    place: &Placement<'_>,
    wide_offsets: bool,
) -> Result<(), Mp4Error> {
    w.begin(b"stbl");
    w.raw(stsd);

    // Decoding times, run-length coded.
    let stts = run_lengths(track.durations.iter().copied());
    w.begin_full(b"stts", 0, 0);
    w.u32(stts.len() as u32);
    for (count, delta) in stts {
        w.u32(count);
        w.u32(delta);
    }
    w.end()?;

    if track.ctos.iter().any(|&c| c != 0) {
        let negative = track.ctos.iter().any(|&c| c < 0);
        let ctts = run_lengths(track.ctos.iter().copied());
        w.begin_full(b"ctts", u8::from(negative), 0);
        w.u32(ctts.len() as u32);
        for (count, offset) in ctts {
            w.u32(count);
            w.u32(offset as u32);
        }
        w.end()?;
    }

    if track.syncs.len() != track.sizes.len() {
        w.begin_full(b"stss", 0, 0);
        w.u32(track.syncs.len() as u32);
        for &sync in &track.syncs {
            w.u32(sync);
        }
        w.end()?;
    }

    // One chunk per run; consecutive runs with the same shape share an entry.
    w.begin_full(b"stsc", 0, 0);
    let mut entries: Vec<(u32, u32, u32)> = Vec::new();
    for (index, run) in track.runs.iter().enumerate() {
        if entries.last().is_none_or(|&(_, samples, description)| {
            samples != run.samples || description != run.description
        }) {
            entries.push((index as u32 + 1, run.samples, run.description));
        }
    }
    w.u32(entries.len() as u32);
    for (first, samples, description) in entries {
        w.u32(first);
        w.u32(samples);
        w.u32(description);
    }
    w.end()?;

    w.begin_full(b"stsz", 0, 0);
    let uniform = track
        .sizes
        .first()
        .filter(|&&first| track.sizes.iter().all(|&s| s == first));
    match uniform {
        Some(&size) => {
            w.u32(size);
            w.u32(track.sizes.len() as u32);
        }
        None => {
            w.u32(0);
            w.u32(track.sizes.len() as u32);
            for &size in &track.sizes {
                w.u32(size);
            }
        }
    }
    w.end()?;

    if wide_offsets {
        w.begin_full(b"co64", 0, 0);
    } else {
        w.begin_full(b"stco", 0, 0);
    }
    w.u32(track.runs.len() as u32);
    for run in &track.runs {
        let offset = place.map(run.source_offset, run.bytes)?;
        if wide_offsets {
            w.u64(offset);
        } else {
            w.u32(u32::try_from(offset).map_err(|_| Mp4Error::TooLarge("a chunk offset"))?);
        }
    }
    w.end()?;
    w.end()
}

/// `(count, value)` pairs of equal consecutive values.
fn run_lengths<T: PartialEq + Copy>(values: impl Iterator<Item = T>) -> Vec<(u32, T)> {
    let mut out: Vec<(u32, T)> = Vec::new();
    for value in values {
        match out.last_mut() {
            Some((count, last)) if *last == value => *count += 1,
            _ => out.push((1, value)),
        }
    }
    out
}
