//! The FLV byte stream the RTMP ingest feeds the live remux: RTMP carries FLV's audio and
//! video tag bodies, so each message only needs FLV's tag header around it.

/// FLV's tag types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// An audio message.
    Audio = 8,
    /// A video message.
    Video = 9,
}

/// The FLV file header (audio and video flags set) and the first, empty previous-tag size.
pub fn header() -> Vec<u8> {
    vec![b'F', b'L', b'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// One tag: its 11-byte header, the body and the size of the whole tag after it. `None` when
/// the body is over FLV's 24-bit size (RTMP's message length is 24 bits too, so a sound
/// session never sends one).
pub fn tag(kind: TagKind, timestamp_ms: u32, body: &[u8]) -> Option<Vec<u8>> {
    let size = u32::try_from(body.len())
        .ok()
        .filter(|size| *size < 1 << 24)?;
    let mut tag = Vec::with_capacity(body.len() + 15);
    tag.push(kind as u8);
    tag.extend_from_slice(&size.to_be_bytes()[1..]);
    tag.extend_from_slice(&(timestamp_ms & 0x00ff_ffff).to_be_bytes()[1..]);
    tag.push((timestamp_ms >> 24) as u8);
    tag.extend_from_slice(&[0, 0, 0]);
    tag.extend_from_slice(body);
    tag.extend_from_slice(&(size + 11).to_be_bytes());
    Some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_flvs() {
        assert_eq!(&header()[..5], b"FLV\x01\x05");
        let tag = tag(TagKind::Video, 0x0102_0304, &[0xAA, 0xBB]).unwrap();
        assert_eq!(
            tag,
            [
                9, 0, 0, 2, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0xAA, 0xBB, 0, 0, 0, 13
            ]
        );
        assert!(super::tag(TagKind::Audio, 0, &vec![0; 1 << 24]).is_none());
    }
}
