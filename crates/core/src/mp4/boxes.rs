//! A bounded reader of ISO BMFF boxes: headers, big-endian fields, children. Every read is
//! checked against the slice it reads from; nothing recurses deeper than the caller walks.

use super::Mp4Error;

/// A four-character box type.
pub type FourCc = [u8; 4];

/// A box header found at some position: its type, total size and header length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// The box type, such as `moov`.
    pub kind: FourCc,
    /// The whole box's size in bytes (header included). A box that runs to the end of the file
    /// (size 0 on the wire) reports `None`.
    pub size: Option<u64>,
    /// 8, or 16 for a 64-bit size.
    pub header_len: u8,
}

impl BoxHeader {
    /// Reads a box header from the start of `bytes` (at least 8 bytes; 16 when the size is
    /// 64-bit). `Ok(None)` when `bytes` is too short to tell.
    pub fn parse(bytes: &[u8]) -> Result<Option<Self>, Mp4Error> {
        if bytes.len() < 8 {
            return Ok(None);
        }
        let size32 = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let kind = [bytes[4], bytes[5], bytes[6], bytes[7]];
        let (size, header_len) = match size32 {
            0 => (None, 8),
            1 => {
                if bytes.len() < 16 {
                    return Ok(None);
                }
                let mut large = [0u8; 8];
                large.copy_from_slice(&bytes[8..16]);
                (Some(u64::from_be_bytes(large)), 16)
            }
            n => (Some(u64::from(n)), 8),
        };
        if size.is_some_and(|s| s < u64::from(header_len)) {
            return Err(Mp4Error::Malformed("a box smaller than its header"));
        }
        Ok(Some(Self {
            kind,
            size,
            header_len,
        }))
    }
}

/// A cursor over one box's payload.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Mp4Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(Mp4Error::Malformed("a field past the end of its box"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Mp4Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Mp4Error> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// Version and flags of a full box.
    pub(crate) fn full_header(&mut self) -> Result<(u8, u32), Mp4Error> {
        let word = self.u32()?;
        Ok(((word >> 24) as u8, word & 0x00ff_ffff))
    }
}

/// One child box: its type, its whole bytes (header included) and its payload.
#[derive(Clone, Copy)]
pub(crate) struct Child<'a> {
    pub kind: FourCc,
    pub whole: &'a [u8],
    pub payload: &'a [u8],
}

/// The boxes inside a container's payload, in order.
pub(crate) fn children(payload: &[u8]) -> Result<Vec<Child<'_>>, Mp4Error> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < payload.len() {
        let header = BoxHeader::parse(&payload[at..])?
            .ok_or(Mp4Error::Malformed("a truncated box header"))?;
        let size = match header.size {
            Some(size) => usize::try_from(size)
                .map_err(|_| Mp4Error::Malformed("a box larger than memory"))?,
            None => payload.len() - at,
        };
        let end = at
            .checked_add(size)
            .filter(|&end| end <= payload.len())
            .ok_or(Mp4Error::Malformed("a box larger than its parent"))?;
        out.push(Child {
            kind: header.kind,
            whole: &payload[at..end],
            payload: &payload[at + usize::from(header.header_len)..end],
        });
        at = end;
    }
    Ok(out)
}

/// The first child of `kind`, if any.
pub(crate) fn find<'a>(list: &[Child<'a>], kind: &FourCc) -> Option<Child<'a>> {
    list.iter().find(|c| &c.kind == kind).copied()
}

/// The first child of `kind`, or an error naming it.
pub(crate) fn require<'a>(
    list: &[Child<'a>],
    kind: &FourCc,
    what: &'static str,
) -> Result<Child<'a>, Mp4Error> {
    find(list, kind).ok_or(Mp4Error::Missing(what))
}

/// Writes boxes: a box is opened, filled and closed (its size patched in).
#[derive(Default)]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
    open: Vec<usize>,
}

impl Writer {
    pub(crate) fn begin(&mut self, kind: &FourCc) {
        self.open.push(self.bytes.len());
        self.bytes.extend_from_slice(&[0, 0, 0, 0]);
        self.bytes.extend_from_slice(kind);
    }

    pub(crate) fn begin_full(&mut self, kind: &FourCc, version: u8, flags: u32) {
        self.begin(kind);
        self.u32((u32::from(version) << 24) | (flags & 0x00ff_ffff));
    }

    pub(crate) fn end(&mut self) -> Result<(), Mp4Error> {
        let start = self
            .open
            .pop()
            .ok_or(Mp4Error::Malformed("unbalanced box"))?;
        let size = u32::try_from(self.bytes.len() - start)
            .map_err(|_| Mp4Error::TooLarge("a sample table"))?;
        self.bytes[start..start + 4].copy_from_slice(&size.to_be_bytes());
        Ok(())
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
}
