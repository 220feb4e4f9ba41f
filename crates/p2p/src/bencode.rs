//! A small bencode encoder and a bounded reader, as BEP 3 defines the format.
//!
//! The encoder writes dictionary keys sorted as raw byte strings (a `BTreeMap` keeps them so),
//! which is the canonical form BEP 3 requires and the form every client re-hashes. The reader
//! does not build values: it walks a `.torrent` once, checks that it is well formed (with a
//! nesting limit, so hostile input cannot exhaust the stack) and returns where the top-level
//! `info` dictionary lies, because an info hash is the SHA-1 of those bytes exactly as written.

use std::collections::BTreeMap;
use std::ops::Range;

/// How deep lists and dictionaries may nest in a document we read.
const MAX_DEPTH: usize = 32;

/// A bencoded value to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// `i<n>e`
    Int(i64),
    /// `<len>:<bytes>`
    Bytes(Vec<u8>),
    /// `l…e`
    List(Vec<Value>),
    /// `d…e`, keys in byte order.
    Dict(BTreeMap<Vec<u8>, Value>),
}

impl Value {
    /// A byte string holding the UTF-8 of `text`.
    pub(crate) fn text(text: &str) -> Self {
        Self::Bytes(text.as_bytes().to_vec())
    }

    /// Appends the bencoded form of the value to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Self::Int(n) => {
                out.push(b'i');
                out.extend_from_slice(n.to_string().as_bytes());
                out.push(b'e');
            }
            Self::Bytes(bytes) => encode_bytes(bytes, out),
            Self::List(items) => {
                out.push(b'l');
                for item in items {
                    item.encode_into(out);
                }
                out.push(b'e');
            }
            Self::Dict(entries) => {
                out.push(b'd');
                for (key, value) in entries {
                    encode_bytes(key, out);
                    value.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }

    /// The bencoded form of the value.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }
}

fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(bytes.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(bytes);
}

/// Where the top-level `info` dictionary of a bencoded `.torrent` lies in `bytes`.
///
/// The whole input must be one well-formed dictionary with nothing after it, and its `info`
/// value must itself be a dictionary.
pub(crate) fn find_info(bytes: &[u8]) -> Result<Range<usize>, String> {
    let mut reader = Reader { bytes, pos: 0 };
    if reader.peek()? != b'd' {
        return Err("the document is not a dictionary".into());
    }
    reader.pos += 1;
    let mut info = None;
    while reader.peek()? != b'e' {
        let key = reader.read_bytes()?;
        let start = reader.pos;
        reader.skip_value(1)?;
        if key == b"info" {
            if info.is_some() {
                return Err("two info dictionaries".into());
            }
            if bytes[start] != b'd' {
                return Err("info is not a dictionary".into());
            }
            info = Some(start..reader.pos);
        }
    }
    reader.pos += 1;
    if reader.pos != bytes.len() {
        return Err(format!(
            "{} bytes after the end of the document",
            bytes.len() - reader.pos
        ));
    }
    info.ok_or_else(|| "no info dictionary".to_string())
}

/// A cursor over a bencoded document that checks what it skips.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, String> {
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| format!("unexpected end of data at byte {}", self.pos))
    }

    /// Moves past one value of any kind, nested at most [`MAX_DEPTH`] deep.
    fn skip_value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "nesting deeper than {MAX_DEPTH} at byte {}",
                self.pos
            ));
        }
        match self.peek()? {
            b'i' => self.read_int().map(|_| ()),
            b'0'..=b'9' => self.read_bytes().map(|_| ()),
            b'l' => {
                self.pos += 1;
                while self.peek()? != b'e' {
                    self.skip_value(depth + 1)?;
                }
                self.pos += 1;
                Ok(())
            }
            b'd' => {
                self.pos += 1;
                while self.peek()? != b'e' {
                    self.read_bytes()?;
                    self.skip_value(depth + 1)?;
                }
                self.pos += 1;
                Ok(())
            }
            other => Err(format!("unexpected byte {other:#04x} at byte {}", self.pos)),
        }
    }

    /// Reads `i<n>e`: an optional minus sign, no leading zeros, no `-0`.
    fn read_int(&mut self) -> Result<i64, String> {
        let start = self.pos;
        self.pos += 1;
        let end = self.find(b'e')?;
        let digits = &self.bytes[self.pos..end];
        let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
        let canonical = !unsigned.is_empty()
            && unsigned.iter().all(u8::is_ascii_digit)
            && (unsigned == b"0" || unsigned[0] != b'0')
            && digits != b"-0";
        let value = std::str::from_utf8(digits)
            .ok()
            .filter(|_| canonical)
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| format!("bad integer at byte {start}"))?;
        self.pos = end + 1;
        Ok(value)
    }

    /// Reads `<len>:<bytes>` and returns the bytes.
    fn read_bytes(&mut self) -> Result<&'a [u8], String> {
        let start = self.pos;
        let colon = self.find(b':')?;
        let digits = &self.bytes[self.pos..colon];
        let canonical = !digits.is_empty()
            && digits.iter().all(u8::is_ascii_digit)
            && (digits == b"0" || digits[0] != b'0');
        let len: usize = std::str::from_utf8(digits)
            .ok()
            .filter(|_| canonical)
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| format!("bad string length at byte {start}"))?;
        let end = (colon + 1)
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("string at byte {start} runs past the end"))?;
        self.pos = end;
        Ok(&self.bytes[colon + 1..end])
    }

    /// The index of the next `byte` at or after the cursor.
    fn find(&self, byte: u8) -> Result<usize, String> {
        self.bytes[self.pos..]
            .iter()
            .position(|b| *b == byte)
            .map(|offset| self.pos + offset)
            .ok_or_else(|| format!("unterminated value at byte {}", self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_dictionary_keys_in_byte_order() {
        let mut dict = BTreeMap::new();
        dict.insert(b"url-list".to_vec(), Value::List(vec![Value::text("u")]));
        dict.insert(b"announce-list".to_vec(), Value::Int(-3));
        dict.insert(b"announce".to_vec(), Value::Int(0));
        assert_eq!(
            Value::Dict(dict).encode(),
            b"d8:announcei0e13:announce-listi-3e8:url-listl1:uee"
        );
    }

    #[test]
    fn finds_the_info_dictionary_as_written() {
        let doc = b"d8:announce3:abc4:infod4:name1:ae1:zli1eee";
        let span = find_info(doc).unwrap();
        assert_eq!(&doc[span], b"d4:name1:ae");
    }

    #[test]
    fn refuses_malformed_documents() {
        for bad in [
            &b""[..],
            b"le",
            b"d3:abci1ee",
            b"d4:infoi1ee",
            b"d4:infodeex",
            b"d4:infod1:ai01eee",
            b"d4:infod1:ai-0eee",
            b"d4:infod1:a99:xee",
            b"d4:infod1:a01:xeee",
            b"d4:infodee4:infodee",
        ] {
            assert!(find_info(bad).is_err(), "{bad:?}");
        }
        assert!(find_info(b"d4:infodee").is_ok());
    }

    #[test]
    fn refuses_nesting_past_the_limit() {
        let deep = format!("d4:info{}{}e", "l".repeat(100), "e".repeat(100));
        assert!(find_info(deep.as_bytes()).unwrap_err().contains("nesting"));
    }
}
