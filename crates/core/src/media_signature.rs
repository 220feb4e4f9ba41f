//! Recognising media files by their first bytes ("magic numbers"), so that uploads that are
//! plainly not audio or video (a `.torrent`, a text or HTML file renamed `.mp4`, an empty file)
//! are refused at upload, before they are stored, whatever their name says.
//!
//! The table covers every container the transcoder's demuxer allow-list accepts (PeerTube's
//! video and audio extensions: MP4/MOV/M4A/3GP, Matroska/WebM, AVI, FLV/F4V, MPEG-TS/M2TS,
//! MPEG-PS, Ogg/OGV/Opus, ASF/WMV/WMA, MXF, NUT, MP3, AAC, WAV, FLAC, AIFF). It is deliberately
//! lenient: it only answers "this cannot be one of them"; the transcoder's probe still decides
//! whether an accepted file really decodes.

/// How many leading bytes [`sniff`] needs at most to decide.
pub const SNIFF_BYTES: usize = 1024;

/// What the first bytes of an upload say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// A container or audio format the transcoder may accept (its usual name).
    Media(&'static str),
    /// Not any media format we accept.
    NotMedia,
    /// The file is empty.
    Empty,
    /// Fewer than [`SNIFF_BYTES`] bytes are known and the file goes on: ask again with more.
    NeedMore,
}

/// MP4 / QuickTime top-level box types a file may start with.
const MP4_BOXES: [&[u8; 4]; 7] = [
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot",
];

/// Decides from `head`, the first bytes of a file; `whole` says `head` is the whole file (so
/// a short head is final rather than [`Sniff::NeedMore`]).
pub fn sniff(head: &[u8], whole: bool) -> Sniff {
    if head.is_empty() {
        return if whole { Sniff::Empty } else { Sniff::NeedMore };
    }
    if let Some(name) = by_signature(head) {
        return Sniff::Media(name);
    }
    if !whole && head.len() < SNIFF_BYTES {
        return Sniff::NeedMore;
    }
    Sniff::NotMedia
}

fn by_signature(head: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if head.len() >= 8 && MP4_BOXES.iter().any(|b| at(4, &b[..])) {
        return Some("mp4");
    }
    let riff = at(0, b"RIFF") || at(0, b"RF64") || at(0, b"BW64");
    let table: [(bool, &'static str); 15] = [
        (at(0, &[0x1A, 0x45, 0xDF, 0xA3]), "matroska"),
        (riff && at(8, b"AVI "), "avi"),
        (riff && at(8, b"WAVE"), "wav"),
        (at(0, b"FLV\x01"), "flv"),
        (at(0, b"OggS"), "ogg"),
        (
            at(0, &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]),
            "asf",
        ),
        (at(0, &[0x06, 0x0E, 0x2B, 0x34]), "mxf"),
        (at(0, b"nut/multimedia container\0"), "nut"),
        (at(0, b"fLaC"), "flac"),
        (at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")), "aiff"),
        (at(0, b"ID3"), "id3"),
        (at(0, b"ADIF"), "aac"),
        (is_mpeg_ps(head), "mpeg"),
        (is_mpeg_audio(head), "mpeg-audio"),
        (is_transport_stream(head), "mpegts"),
    ];
    table.iter().find(|(hit, _)| *hit).map(|(_, name)| *name)
}

/// MPEG program stream: a pack header, system header or sequence header start code.
fn is_mpeg_ps(head: &[u8]) -> bool {
    head.len() >= 4 && head[..3] == [0, 0, 1] && matches!(head[3], 0xBA | 0xBB | 0xB3)
}

/// An MPEG audio (MP1/2/3) or ADTS AAC frame: 11 sync bits and a valid layer/version.
fn is_mpeg_audio(head: &[u8]) -> bool {
    if head.len() < 4 || head[0] != 0xFF || head[1] & 0xE0 != 0xE0 {
        return false;
    }
    let version = (head[1] >> 3) & 0x3;
    let layer = (head[1] >> 1) & 0x3;
    // ADTS (AAC): version bits 0b10/0b11 with layer 0; MPEG audio: any layer but the reserved
    // 0, version not the reserved 0b01, and a bit-rate index that is not 15.
    let adts = head[1] & 0xF6 == 0xF0;
    let mpeg = layer != 0 && version != 1 && head[2] >> 4 != 0xF;
    adts || mpeg
}

/// MPEG transport stream: 188-byte packets (or 192 for M2TS), each starting with 0x47, seen
/// at least twice in a row (once when the head is shorter than two packets).
fn is_transport_stream(head: &[u8]) -> bool {
    [(0usize, 188usize), (4, 192)].iter().any(|&(first, size)| {
        let syncs: Vec<usize> = (first..head.len()).step_by(size).take(3).collect();
        !syncs.is_empty()
            && syncs.iter().all(|&i| head[i] == 0x47)
            && (syncs.len() >= 2 || {
                // A file too short for a second packet: the sync byte alone is not enough
                // evidence unless the file is exactly one packet.
                head.len() == first + size
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(prefix: &[u8]) -> Vec<u8> {
        let mut v = prefix.to_vec();
        v.resize(SNIFF_BYTES, 0x20);
        v
    }

    #[test]
    fn containers_are_recognised() {
        let cases: [(&[u8], &str); 14] = [
            (b"\0\0\0\x20ftypisom", "mp4"),
            (b"\0\0\0\x08wide\0\0\0\0mdat", "mp4"),
            (&[0x1A, 0x45, 0xDF, 0xA3, 0x9F], "matroska"),
            (b"RIFF\x10\0\0\0AVI LIST", "avi"),
            (b"RIFF\x10\0\0\0WAVEfmt ", "wav"),
            (b"FLV\x01\x05", "flv"),
            (b"OggS\0\x02", "ogg"),
            (
                &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6],
                "asf",
            ),
            (b"fLaC\0\0\0\x22", "flac"),
            (b"FORM\0\0\0\0AIFF", "aiff"),
            (b"ID3\x04\0\0", "id3"),
            (&[0xFF, 0xFB, 0x90, 0x64], "mpeg-audio"),
            (&[0xFF, 0xF1, 0x50, 0x80], "mpeg-audio"),
            (&[0, 0, 1, 0xBA, 0x44], "mpeg"),
        ];
        for (prefix, name) in cases {
            assert_eq!(sniff(&padded(prefix), false), Sniff::Media(name), "{name}");
        }
        let mut ts = vec![0u8; 188 * 3];
        for i in 0..3 {
            ts[i * 188] = 0x47;
        }
        assert_eq!(sniff(&ts, true), Sniff::Media("mpegts"));
    }

    #[test]
    fn plain_files_are_not_media() {
        for text in [
            &b"d8:announce35:udp://tracker.example:1337/announce13:creation date"[..],
            b"<!DOCTYPE html><html><head><title>x</title></head></html>",
            b"just some text renamed to .mp4\n",
            b"GIF89a",
            b"\x89PNG\r\n\x1a\n",
            b"%PDF-1.7",
            b"PK\x03\x04",
        ] {
            assert_eq!(sniff(text, true), Sniff::NotMedia, "{text:?}");
            assert_eq!(sniff(&padded(text), false), Sniff::NotMedia, "{text:?}");
        }
        // A single 'G' (0x47) is not a transport stream.
        assert_eq!(sniff(&padded(b"Good morning"), false), Sniff::NotMedia);
    }

    #[test]
    fn short_heads_wait_unless_whole() {
        assert_eq!(sniff(b"", true), Sniff::Empty);
        assert_eq!(sniff(b"", false), Sniff::NeedMore);
        assert_eq!(sniff(b"hello", false), Sniff::NeedMore);
        assert_eq!(sniff(b"hello", true), Sniff::NotMedia);
        assert_eq!(sniff(b"OggS", false), Sniff::Media("ogg"));
    }
}
