//! `/api/v1/search`: videos and channels of this instance by text.

pub mod video_channels;
pub mod video_playlists;
pub mod videos;

use kinora_app::auth::AuthenticatedUser;
use kinora_app::remote_search::{SearchTarget, Searcher, parse_target};

use crate::{ApiError, ApiState};

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

/// What the search text names (a handle, a URL or words); a malformed handle or URL is
/// refused naming `search`.
pub(crate) fn target(state: &ApiState, text: &str) -> Result<SearchTarget, ApiError> {
    parse_target(text, state.host()).map_err(|message| ApiError::invalid_field("search", message))
}

/// The searcher for a viewer: may it make the server fetch remote objects?
pub(crate) fn searcher<'a>(
    state: &'a ApiState,
    viewer: Option<&AuthenticatedUser>,
) -> Searcher<'a> {
    Searcher {
        db: &state.db,
        remote: state.remote.as_ref(),
        our_base: &state.public_url,
        may_fetch: state.search.may_fetch(viewer.is_some()),
    }
}
