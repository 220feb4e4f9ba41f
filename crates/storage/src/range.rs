//! One HTTP byte range, parsed from a `Range` header.

/// One byte range of an object, as an HTTP `Range: bytes=…` header names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=first-last`, both inclusive.
    Span {
        /// First byte.
        first: u64,
        /// Last byte (cut to the end of the object when past it).
        last: u64,
    },
    /// `bytes=first-`: from `first` to the end.
    From(u64),
    /// `bytes=-length`: the last `length` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// Parses a `Range` header holding exactly one range. `None` for anything else (several
    /// ranges, another unit, malformed numbers, `first > last`, an empty suffix): the caller
    /// then serves the whole object, as HTTP allows.
    pub fn parse_header(value: &str) -> Option<Self> {
        let spec = value.trim().strip_prefix("bytes=")?.trim();
        if spec.contains(',') {
            return None;
        }
        let (first, last) = spec.split_once('-')?;
        let number = |text: &str| -> Option<u64> {
            if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.parse().ok()
        };
        match (first.trim(), last.trim()) {
            ("", suffix) => number(suffix)
                .filter(|length| *length > 0)
                .map(ByteRange::Suffix),
            (first, "") => number(first).map(ByteRange::From),
            (first, last) => {
                let (first, last) = (number(first)?, number(last)?);
                (first <= last).then_some(ByteRange::Span { first, last })
            }
        }
    }

    /// The range as a `Range` header value.
    pub fn header_value(&self) -> String {
        match self {
            ByteRange::Span { first, last } => format!("bytes={first}-{last}"),
            ByteRange::From(first) => format!("bytes={first}-"),
            ByteRange::Suffix(length) => format!("bytes=-{length}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges_parse_and_everything_else_is_ignored() {
        assert_eq!(
            ByteRange::parse_header("bytes=0-99"),
            Some(ByteRange::Span { first: 0, last: 99 })
        );
        assert_eq!(
            ByteRange::parse_header("bytes=100-"),
            Some(ByteRange::From(100))
        );
        assert_eq!(
            ByteRange::parse_header("bytes=-500"),
            Some(ByteRange::Suffix(500))
        );
        for bad in [
            "",
            "bytes=",
            "bytes=-",
            "bytes=5-1",
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=a-b",
            "bytes=-0",
            "bytes=+1-2",
            "bytes=99999999999999999999-",
        ] {
            assert_eq!(ByteRange::parse_header(bad), None, "{bad:?}");
        }
        for range in [
            ByteRange::Span { first: 3, last: 9 },
            ByteRange::From(7),
            ByteRange::Suffix(2),
        ] {
            assert_eq!(ByteRange::parse_header(&range.header_value()), Some(range));
        }
    }
}
