//! `/api/v1/search`: videos and channels of this instance by text.

pub mod video_channels;
pub mod videos;

use crate::ApiError;

/// Longest search text accepted, characters.
const SEARCH_MAX: usize = 250;

/// The search text, trimmed; refused when too long.
pub(crate) fn search_text(search: Option<&str>) -> Result<Option<&str>, ApiError> {
    let text = search.map(str::trim).filter(|text| !text.is_empty());
    if text.is_some_and(|text| text.chars().count() > SEARCH_MAX) {
        return Err(ApiError::invalid_field(
            "search",
            format!("must be at most {SEARCH_MAX} characters"),
        ));
    }
    Ok(text)
}
