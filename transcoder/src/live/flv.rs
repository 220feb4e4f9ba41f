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

/// The timestamp of the last complete tag of the FLV `bytes` ends with (its trailing
/// previous-tag size leads back to it); `None` when the bytes hold no tag or do not end with a
/// complete one (a recording cut mid-tag is read from its last complete tag by the demuxer,
/// but its end is not trusted here).
pub fn last_timestamp(bytes: &[u8]) -> Option<u32> {
    let (rest, trailer) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    let size = usize::try_from(u32::from_be_bytes(trailer.try_into().ok()?)).ok()?;
    if size < 11 || rest.len() < size + header().len() {
        return None;
    }
    let tag = &rest[rest.len() - size..];
    if !matches!(tag[0], 8 | 9)
        || usize::try_from(u32::from_be_bytes([0, tag[1], tag[2], tag[3]])).ok()? + 11 != size
    {
        return None;
    }
    Some(u32::from_be_bytes([tag[7], tag[4], tag[5], tag[6]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_timestamp_is_read_back_from_a_recordings_end() {
        let mut recording = header();
        assert_eq!(last_timestamp(&recording), None);
        recording.extend(tag(TagKind::Video, 40, &[1, 2, 3]).unwrap());
        recording.extend(tag(TagKind::Audio, 0x0102_0304, &[4; 300]).unwrap());
        assert_eq!(last_timestamp(&recording), Some(0x0102_0304));
        // Cut mid-tag, or ending with bytes that are no tag: not trusted.
        assert_eq!(last_timestamp(&recording[..recording.len() - 1]), None);
        let mut garbage = recording.clone();
        garbage.extend_from_slice(&[0, 0, 0, 20]);
        assert_eq!(last_timestamp(&garbage), None);
        assert_eq!(last_timestamp(&[0, 0, 0, 0xff]), None);
    }

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
