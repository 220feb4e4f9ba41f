//! `/api/v1/abuses`: abuse reports — filing one, the moderators' list and changes, and the
//! conversation between reporter and moderators. The reporter's own list is
//! `/api/v1/users/me/abuses` (`v1/users/me/abuses.rs`).

pub mod create;
pub mod delete;
pub mod list;
pub mod messages;
pub mod update;

use kinora_db::abuses::{AbuseFilter, AbuseOrder, AbusePage, OBJECT_KINDS};
use serde::Deserialize;

use crate::ApiError;
use crate::v1::pagination::{PageQuery, parse_filter_id};

/// The filters and page of a list of reports, read as text so bad values get a clear 400.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AbuseQuery {
    #[serde(flatten)]
    page: PageQuery,
    id: Option<String>,
    state: Option<String>,
    filter: Option<String>,
    predefined_reason: Option<String>,
    search: Option<String>,
    search_reporter: Option<String>,
    search_reportee: Option<String>,
    search_video: Option<String>,
    video_is: Option<String>,
}

fn parse_sort(sort: Option<&str>) -> Result<(AbuseOrder, bool), ApiError> {
    let sort = sort.unwrap_or("-id");
    let (descending, name) = match sort.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, sort),
    };
    let order = match name {
        "id" => AbuseOrder::Id,
        "createdAt" => AbuseOrder::CreatedAt,
        "state" => AbuseOrder::State,
        _ => {
            return Err(ApiError::invalid_field(
                "sort",
                format!("{sort:?} is not one of -id, -createdAt, -state (or without -)"),
            ));
        }
    };
    Ok((order, descending))
}

/// A search text: absent or blank is no search.
fn search(text: &Option<String>) -> Option<&str> {
    text.as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

impl AbuseQuery {
    /// The page asked for.
    pub(crate) fn page(&self) -> Result<AbusePage, ApiError> {
        let (start, count) = self.page.page()?;
        let (order, descending) = parse_sort(self.page.sort.as_deref())?;
        Ok(AbusePage {
            order,
            descending,
            start,
            count,
        })
    }

    /// The filter asked for; `moderator` adds the filters only moderators have.
    pub(crate) fn filter(&self, moderator: bool) -> Result<AbuseFilter<'_>, ApiError> {
        let id = self
            .id
            .as_deref()
            .map(|id| parse_filter_id("id", id))
            .transpose()?;
        let state = match self.state.as_deref() {
            None => None,
            Some(text) => match text.trim().parse::<i64>() {
                Ok(state @ 1..=3) => Some(state),
                _ => {
                    return Err(ApiError::invalid_field(
                        "state",
                        format!("{text:?} is not 1 (pending), 2 (rejected) or 3 (accepted)"),
                    ));
                }
            },
        };
        let mut filter = AbuseFilter {
            id,
            state,
            search: search(&self.search),
            ..AbuseFilter::default()
        };
        if !moderator {
            return Ok(filter);
        }
        if let Some(kind) = self.filter.as_deref() {
            filter.object_kind = Some(
                OBJECT_KINDS
                    .into_iter()
                    .find(|known| *known == kind)
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "filter",
                            format!("{kind:?} is not video, comment or account"),
                        )
                    })?,
            );
        }
        if let Some(reason) = self.predefined_reason.as_deref() {
            let id = kinora_core::abuse::reason_id(reason).ok_or_else(|| {
                ApiError::invalid_field(
                    "predefinedReason",
                    format!("{reason:?} is not a predefined reason"),
                )
            })?;
            filter.predefined_reason_bit = Some(kinora_core::abuse::reason_bit(id));
        }
        match self.video_is.as_deref() {
            None => {}
            Some("deleted") => filter.video_deleted = true,
            Some("blacklisted") => filter.video_blocked = true,
            Some(other) => {
                return Err(ApiError::invalid_field(
                    "videoIs",
                    format!("{other:?} is not deleted or blacklisted"),
                ));
            }
        }
        filter.search_reporter = search(&self.search_reporter);
        filter.search_reportee = search(&self.search_reportee);
        filter.search_video = search(&self.search_video);
        Ok(filter)
    }
}
