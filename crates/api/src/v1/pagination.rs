//! PeerTube's `start` and `count` query parameters, refused by name when they are not numbers
//! or out of range.

use super::videos::list::parse_number;
use crate::ApiError;

/// Most items one page may hold (PeerTube's limit).
pub(crate) const MAX_COUNT: i64 = 100;
/// Items per page when `count` is absent (PeerTube's default).
pub(crate) const DEFAULT_COUNT: i64 = 15;

/// Reads `start` (0 or more, default 0) and `count` (0 to [`MAX_COUNT`], default
/// [`DEFAULT_COUNT`]).
pub(crate) fn parse_page(start: Option<&str>, count: Option<&str>) -> Result<(i64, i64), ApiError> {
    let start = parse_number("start", start, 0)?;
    if start < 0 {
        return Err(ApiError::invalid_field("start", "must be 0 or more"));
    }
    let count = parse_number("count", count, DEFAULT_COUNT)?;
    if !(0..=MAX_COUNT).contains(&count) {
        return Err(ApiError::invalid_field(
            "count",
            format!("must be between 0 and {MAX_COUNT}"),
        ));
    }
    Ok((start, count))
}

/// Reads a positive numeric id from a path segment; anything else is a 400 naming `field`.
pub(crate) fn parse_id(field: &str, text: &str) -> Result<i64, ApiError> {
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::invalid_field(
            field,
            format!("{text:?} is not a valid id"),
        )),
    }
}

/// Reads an id used as a list filter: any integer, as PeerTube's `isIdValid`
/// (`server/core/helpers/custom-validators/misc.ts`, `validator.isInt`) takes it, so `0` or a
/// negative id is no error but matches nothing; anything else is a 400 naming `field`.
pub(crate) fn parse_filter_id(field: &str, text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::invalid_field(field, format!("{text:?} is not a valid id")))
}

/// A page query: `start`, `count` and `sort`, read as text so bad values get a clear 400.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) start: Option<String>,
    pub(crate) count: Option<String>,
    pub(crate) sort: Option<String>,
}

impl PageQuery {
    /// `start` and `count`, checked.
    pub(crate) fn page(&self) -> Result<(i64, i64), ApiError> {
        parse_page(self.start.as_deref(), self.count.as_deref())
    }

    /// Refuses a `sort` other than the ones given (absent is the first).
    pub(crate) fn check_sort(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.sort.as_deref() {
            Some(sort) if !allowed.contains(&sort) => Err(ApiError::invalid_field(
                "sort",
                format!("{sort:?} is not one of {allowed:?}"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_id_is_any_integer_as_peertube_takes_it() {
        assert_eq!(parse_filter_id("id", "0").unwrap(), 0);
        assert_eq!(parse_filter_id("id", "-134042").unwrap(), -134_042);
        assert_eq!(parse_filter_id("id", "42").unwrap(), 42);
        assert!(parse_filter_id("id", "x").is_err());
        assert!(parse_filter_id("id", "1.5").is_err());
        assert!(parse_filter_id("id", "99999999999999999999999").is_err());
        // A path id stays positive.
        assert!(parse_id("id", "0").is_err());
    }
}
