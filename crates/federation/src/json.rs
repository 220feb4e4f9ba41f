//! Bounded JSON for ActivityPub bodies: the size, the nesting depth, string lengths and the
//! number of items of one array or object are checked by a single pass over the bytes, without
//! recursion, before `serde_json` parses them. So a body nested 100,000 levels deep is an error,
//! never a stack overflow, and the parsed `Value` is never deeper than `max_depth`.
//!
//! Used by the outbound client for every fetched object and by the inbox for every POST.

use serde_json::Value;

/// The limits a JSON body must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Largest body in bytes ([`JsonError::TooLarge`]: the inbox answers 413).
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects; `1` allows `[1, 2]` but not `[[1]]`.
    pub max_depth: usize,
    /// Longest string (keys too), counted in bytes as written, escapes included.
    pub max_string_bytes: usize,
    /// Most elements of one array or members of one object.
    pub max_items: usize,
}

impl Default for JsonLimits {
    /// 3 MiB (PeerTube's inbox accepts 3,000 KB), depth 32, strings of 256 KiB, 10,000 items.
    fn default() -> Self {
        Self {
            max_bytes: 3 * 1024 * 1024,
            max_depth: 32,
            max_string_bytes: 256 * 1024,
            max_items: 10_000,
        }
    }
}

/// Why a JSON body was refused.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The body is larger than `max_bytes` (answer 413).
    #[error("the JSON body is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Arrays and objects are nested deeper than `max_depth`.
    #[error("the JSON body is nested deeper than {limit} levels")]
    TooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A string is longer than `max_string_bytes`.
    #[error("a JSON string is longer than {limit} bytes")]
    StringTooLong {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// An array or object has more than `max_items` entries.
    #[error("a JSON array or object has more than {limit} entries")]
    TooManyItems {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The body is not valid JSON.
    #[error("invalid JSON: {0}")]
    Syntax(#[from] serde_json::Error),
}

/// Parses an ActivityPub body after checking it against `limits` (see the module header).
pub fn parse_activity_json(bytes: &[u8], limits: &JsonLimits) -> Result<Value, JsonError> {
    if bytes.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    check_shape(bytes, limits)?;
    Ok(serde_json::from_slice(bytes)?)
}

/// Walks the bytes once with an explicit stack holding the comma count of each open array or
/// object (at most `max_depth` entries). It does not validate the syntax (serde does that
/// next); it only bounds what serde will build.
fn check_shape(bytes: &[u8], limits: &JsonLimits) -> Result<(), JsonError> {
    let mut commas_per_open_container: Vec<usize> = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                index = skip_string(bytes, index + 1, limits.max_string_bytes)?;
                continue;
            }
            b'[' | b'{' => {
                if commas_per_open_container.len() == limits.max_depth {
                    return Err(JsonError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                commas_per_open_container.push(0);
            }
            b']' | b'}' => {
                commas_per_open_container.pop();
            }
            b',' => {
                if let Some(commas) = commas_per_open_container.last_mut() {
                    *commas += 1;
                    // n commas separate n + 1 entries.
                    if *commas >= limits.max_items {
                        return Err(JsonError::TooManyItems {
                            limit: limits.max_items,
                        });
                    }
                }
            }
            _ => {}
        }
        index += 1;
    }
    Ok(())
}

/// Returns the index just after the string that starts at `start` (after its opening quote),
/// refusing strings longer than `max_bytes`. An unterminated string ends the input; serde then
/// reports the syntax error.
fn skip_string(bytes: &[u8], start: usize, max_bytes: usize) -> Result<usize, JsonError> {
    let mut index = start;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => return Ok(index + 1),
            b'\\' => index += 2,
            _ => index += 1,
        }
        if index - start > max_bytes {
            return Err(JsonError::StringTooLong { limit: max_bytes });
        }
    }
    Ok(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_depth: usize, max_string_bytes: usize, max_items: usize) -> JsonLimits {
        JsonLimits {
            max_bytes: 1 << 20,
            max_depth,
            max_string_bytes,
            max_items,
        }
    }

    #[test]
    fn items_are_counted_per_container() {
        let strict = limits(8, 64, 3);
        assert!(parse_activity_json(br#"[1,2,3]"#, &strict).is_ok());
        assert!(parse_activity_json(br#"[[1,2,3],[4,5,6],{"a":1,"b":2,"c":3}]"#, &strict).is_ok());
        assert!(matches!(
            parse_activity_json(br#"[1,2,3,4]"#, &strict),
            Err(JsonError::TooManyItems { limit: 3 })
        ));
        assert!(matches!(
            parse_activity_json(br#"{"a":1,"b":2,"c":3,"d":4}"#, &strict),
            Err(JsonError::TooManyItems { limit: 3 })
        ));
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let strict = limits(1, 64, 10);
        let value = parse_activity_json(br#"["a\"[[[[\\", "b"]"#, &strict).unwrap();
        assert_eq!(value[0], "a\"[[[[\\");
    }
}
