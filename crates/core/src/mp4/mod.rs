//! Fragmented MP4 to progressive MP4, without touching a sample: the download of a rendition.
//!
//! Our HLS renditions are one fragmented MP4 each (`moov` with empty sample tables, then
//! `moof` + `mdat` per segment; audio in the same file as video). A download is a plain MP4:
//! `ftyp`, a `moov` whose sample tables list every sample, then one `mdat` holding the source's
//! `mdat` payloads back to back. The samples are never copied into memory here: [`Indexer`]
//! reads only the source's box headers, `moov` and `moof`s (the caller fetches the byte ranges it
//! asks for), and [`Progressive`] says which bytes to send: its `head`, then the source ranges of
//! [`Progressive::copies`] in order. So the answer's length is known before its first byte and
//! memory stays at the sample tables (about 12 bytes per sample), whatever the file's size.
//!
//! No I/O happens in this module; `kinora-api`'s download route drives it. Parsing is bounded by
//! [`Limits`]. Start reading at [`Indexer`].

mod boxes;
mod fragments;
mod progressive;

pub use boxes::BoxHeader;

use boxes::Writer;
use fragments::Movie;
use progressive::Placement;

/// Why a file could not be turned into a progressive MP4.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Mp4Error {
    /// The file breaks the format.
    #[error("malformed MP4: {0}")]
    Malformed(&'static str),
    /// A required box is absent.
    #[error("malformed MP4: no {0} box")]
    Missing(&'static str),
    /// The file exceeds a limit.
    #[error("MP4 over the limit: {0}")]
    TooLarge(&'static str),
}

/// Bounds on what [`Indexer`] accepts.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest `moov` or `moof` read into memory.
    pub max_header_box: u64,
    /// Most tracks.
    pub max_tracks: usize,
    /// Most samples over all tracks (each costs about 12 bytes of sample tables).
    pub max_samples: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_box: 16 * 1024 * 1024,
            max_tracks: 8,
            max_samples: 5_000_000,
        }
    }
}

/// Bytes read at each box the indexer visits: the header and, usually, a whole `moof`.
pub const PROBE_LEN: u64 = 16 * 1024;

/// Walks the top-level boxes of a fragmented MP4 of known length. Ask [`Indexer::next_read`]
/// which byte range to read, hand the bytes to [`Indexer::feed`], repeat until it says `None`,
/// then [`Indexer::finish`].
pub struct Indexer {
    file_len: u64,
    position: u64,
    /// A box that needs more bytes than the probe: its start and whole length.
    want_whole: Option<u64>,
    limits: Limits,
    movie: Option<Movie>,
    mdats: Vec<(u64, u64)>,
    samples: u64,
}

impl Indexer {
    /// Starts at byte 0 of a file of `file_len` bytes.
    pub fn new(file_len: u64, limits: Limits) -> Self {
        Self {
            file_len,
            position: 0,
            want_whole: None,
            limits,
            movie: None,
            mdats: Vec::new(),
            samples: 0,
        }
    }

    /// The byte range to read next (`offset`, `length`), or `None` when every box was seen.
    pub fn next_read(&self) -> Option<(u64, u64)> {
        if self.position >= self.file_len {
            return None;
        }
        let left = self.file_len - self.position;
        Some((
            self.position,
            self.want_whole.unwrap_or(PROBE_LEN).min(left),
        ))
    }

    /// Takes the bytes read at the range [`Indexer::next_read`] gave.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Mp4Error> {
        let header = BoxHeader::parse(bytes)?.ok_or(Mp4Error::Malformed("a truncated box"))?;
        let size = header.size.unwrap_or(self.file_len - self.position);
        if size > self.file_len - self.position {
            return Err(Mp4Error::Malformed("a box past the end of the file"));
        }
        let hl = u64::from(header.header_len);
        match &header.kind {
            b"moov" | b"moof" => {
                if size > self.limits.max_header_box {
                    return Err(Mp4Error::TooLarge("a moov or moof box"));
                }
                if (bytes.len() as u64) < size {
                    self.want_whole = Some(size);
                    return Ok(());
                }
                let whole = &bytes[..size as usize];
                if &header.kind == b"moov" {
                    if self.movie.is_some() {
                        return Err(Mp4Error::Malformed("two moov boxes"));
                    }
                    self.movie = Some(Movie::parse(&whole[hl as usize..], &self.limits)?);
                } else {
                    let movie = self
                        .movie
                        .as_mut()
                        .ok_or(Mp4Error::Malformed("a moof before the moov"))?;
                    movie.add_fragment(self.position, whole, &self.limits, &mut self.samples)?;
                }
            }
            b"mdat" if size > hl => self.mdats.push((self.position + hl, size - hl)),
            _ => {}
        }
        self.want_whole = None;
        self.position += size;
        Ok(())
    }

    /// The progressive file, once every box was read.
    pub fn finish(self) -> Result<Progressive, Mp4Error> {
        if self.position < self.file_len {
            return Err(Mp4Error::Malformed("the file was not read to its end"));
        }
        let movie = self.movie.ok_or(Mp4Error::Missing("moov"))?;
        let mut placed = Vec::with_capacity(self.mdats.len());
        let mut before = 0u64;
        for &(start, len) in &self.mdats {
            placed.push((start, len, before));
            before += len;
        }
        let payload = before;
        let mdat_header: u64 = if payload + 8 > u64::from(u32::MAX) {
            16
        } else {
            8
        };
        // The moov's size does not depend on the offsets' values, only on their width: measure
        // it with 64-bit offsets, then choose 32-bit ones when every offset fits.
        let mut measure = Writer::default();
        progressive::write_ftyp(&mut measure)?;
        let zero = Placement {
            mdats: &placed,
            payload_start: 0,
        };
        progressive::write_moov(&mut measure, &movie, &zero, true)?;
        let narrow_start = measure.bytes.len() as u64 - 4 * runs(&movie) + mdat_header;
        let wide = narrow_start + payload > u64::from(u32::MAX);
        let start = if wide {
            measure.bytes.len() as u64 + mdat_header
        } else {
            narrow_start
        };
        let mut w = Writer::default();
        progressive::write_ftyp(&mut w)?;
        let place = Placement {
            mdats: &placed,
            payload_start: start,
        };
        progressive::write_moov(&mut w, &movie, &place, wide)?;
        if w.bytes.len() as u64 + mdat_header != start {
            return Err(Mp4Error::Malformed("the moov changed size while written"));
        }
        if mdat_header == 16 {
            w.u32(1);
            w.raw(b"mdat");
            w.u64(payload + 16);
        } else {
            w.u32((payload + 8) as u32);
            w.raw(b"mdat");
        }
        let head = w.bytes;
        let mut copies: Vec<(u64, u64)> = Vec::new();
        for (start, len) in self.mdats {
            match copies.last_mut() {
                Some((s, l)) if *s + *l == start => *l += len,
                _ => copies.push((start, len)),
            }
        }
        Ok(Progressive { head, copies })
    }
}

/// Chunks over all tracks (each one offset in `stco` or `co64`).
fn runs(movie: &Movie) -> u64 {
    movie.tracks.iter().map(|t| t.runs.len() as u64).sum()
}

/// A progressive MP4 described as its head and the source ranges that follow it.
#[derive(Debug, Clone)]
pub struct Progressive {
    /// `ftyp`, `moov` and the `mdat` header.
    pub head: Vec<u8>,
    /// Source byte ranges (`offset`, `length`) to send after `head`, in order.
    pub copies: Vec<(u64, u64)>,
}

impl Progressive {
    /// The whole file's length.
    pub fn len(&self) -> u64 {
        self.head.len() as u64 + self.copies.iter().map(|(_, l)| l).sum::<u64>()
    }

    /// Never true: a progressive file has at least its head.
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests;
