//! The query string of the video lists (`/api/v1/videos`, `/api/v1/search/videos`, an account's,
//! a channel's, `/api/v1/users/me/videos`) read the way PeerTube reads it: `sort`, `start`,
//! `count`, `search`, `isLocal` and the narrowing filters (`categoryOneOf`, `tagsAllOf`, `nsfw`,
//! `hasHLSFiles`, `privacyOneOf`, and on search the duration and date ranges). Arrays come as
//! repeated keys (`categoryOneOf=1&categoryOneOf=2`, also `categoryOneOf[]=1`) or as one value.
//! Also `host`, moderators' `include` and `autoTagOneOf`, `excludeAlreadyWatched` and the NSFW
//! flags, with PeerTube's semantics where Kinora has no data yet (see
//! [`kinora_db::video_filters::VideoFilters`]). A malformed or unknown value is a 400 naming its
//! parameter; parameters PeerTube does not read on a route are left alone, as PeerTube does.

use std::collections::HashMap;

use kinora_app::auth::AuthenticatedUser;
use kinora_db::video_filters::{HostFilter, INCLUDE_ALL, VideoFilters};
use kinora_db::video_lists::{VideoFilter, VideoOrder, VideoPage};

use crate::ApiError;

/// Most videos one page may hold (PeerTube's limit).
const MAX_COUNT: i64 = 100;
/// Videos per page when `count` is absent.
const DEFAULT_COUNT: i64 = 15;
/// Most values one array parameter may carry.
const MAX_VALUES: usize = 50;
/// Longest value of a text array (a tag is at most 30 characters, a language code 10).
const MAX_VALUE_LENGTH: usize = 100;

/// Which list the query is for: what it may filter and sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// The instance's, an account's or a channel's public videos.
    Catalogue,
    /// `/api/v1/search/videos`: also durations, dates and `sort=-match`.
    Search,
    /// The caller's own videos: `privacyOneOf` for everyone, `nsfw` shows all.
    Mine,
}

/// A list query, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListParams {
    /// Order and page.
    pub page: VideoPage,
    /// Whether `sort` was given.
    pub sort_given: bool,
    /// The text searched for, trimmed.
    pub search: Option<String>,
    /// `isLocal`.
    pub local: Option<bool>,
    /// Whether `nsfw` was given (otherwise a signed-in viewer's NSFW policy decides,
    /// [`ListParams::follow_nsfw_policy`]).
    pub nsfw_given: bool,
    /// Everything else.
    pub filters: VideoFilters,
}

impl ListParams {
    /// Without an `nsfw` in the query, shows NSFW videos to a viewer whose policy is to see
    /// them (`display`, `blur` or `warn`), as PeerTube does; `do_not_list` leaves them out.
    pub(crate) fn follow_nsfw_policy(&mut self, policy: kinora_core::preferences::NsfwPolicy) {
        if !self.nsfw_given && self.filters.nsfw == Some(false) {
            self.filters.nsfw = match policy {
                kinora_core::preferences::NsfwPolicy::DoNotList => Some(false),
                _ => None,
            };
        }
    }

    /// The list filter of these parameters (to which the route adds its channel, account, mutes).
    pub(crate) fn filter(&self) -> VideoFilter<'_> {
        VideoFilter {
            search: self.search.as_deref(),
            local: self.local,
            filters: Some(&self.filters),
            ..VideoFilter::default()
        }
    }
}

/// The values of each parameter, by name (`name[]` counts as `name`).
struct Values(HashMap<String, Vec<String>>);

impl Values {
    fn parse(raw: Option<&str>) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let key = key.strip_suffix("[]").unwrap_or(&key).to_owned();
            values.entry(key).or_default().push(value.into_owned());
        }
        Values(values)
    }

    /// The one value of a scalar parameter; a repeated one is refused.
    fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([value]) => Ok(Some(value.as_str())),
            Some(_) => Err(ApiError::invalid_query(name, "is given more than once")),
        }
    }

    /// Every value of an array parameter (none when absent), at most [`MAX_VALUES`].
    fn many(&self, name: &str) -> Result<Option<&[String]>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(values) if values.len() > MAX_VALUES => Err(ApiError::invalid_query(
                name,
                format!("has more than {MAX_VALUES} values"),
            )),
            Some(values) => Ok(Some(values)),
        }
    }

    fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.one(name)?.map(|text| integer(name, text)).transpose()
    }

    fn integers(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        self.many(name)?
            .map(|values| values.iter().map(|text| integer(name, text)).collect())
            .transpose()
    }

    fn texts(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(values) = self.many(name)? else {
            return Ok(None);
        };
        if values.iter().any(|v| v.chars().count() > MAX_VALUE_LENGTH) {
            return Err(ApiError::invalid_query(
                name,
                format!("has a value longer than {MAX_VALUE_LENGTH} characters"),
            ));
        }
        Ok(Some(values.to_vec()))
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.one(name)?
            .map(|text| match text {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                other => Err(ApiError::invalid_query(
                    name,
                    format!("{other:?} is not true or false"),
                )),
            })
            .transpose()
    }

    fn date(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.one(name)?
            .map(|text| {
                kinora_core::dates::parse_date_or_day(text).ok_or_else(|| {
                    ApiError::invalid_query(name, format!("{text:?} is not an ISO 8601 date"))
                })
            })
            .transpose()
    }
}

fn integer(name: &str, text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::invalid_query(name, format!("{text:?} is not an integer")))
}

/// Reads PeerTube's `sort` for `kind` (`-publishedAt`, `name`, `-views`, `-trending`, `-match`
/// on search, …): PeerTube's `VIDEOS` columns, or its `VIDEOS_SEARCH` ones for search.
fn parse_sort(sort: Option<&str>, kind: ListKind) -> Result<(VideoOrder, bool), ApiError> {
    let sort = sort.unwrap_or("-publishedAt");
    let (descending, name) = match sort.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, sort),
    };
    let search = kind == ListKind::Search;
    let order = match name {
        "publishedAt" => VideoOrder::PublishedAt,
        "originallyPublishedAt" => VideoOrder::OriginallyPublishedAt,
        "createdAt" => VideoOrder::CreatedAt,
        "views" => VideoOrder::Views,
        "trending" | "hot" | "best" if !search => VideoOrder::Views,
        "likes" => VideoOrder::Likes,
        "name" => VideoOrder::Name,
        "duration" => VideoOrder::Duration,
        "localVideoFilesSize" if !search => VideoOrder::LocalFilesSize,
        "match" if search => VideoOrder::Match,
        _ => {
            return Err(ApiError::invalid_query(
                "sort",
                format!("{sort:?} is not a sort of videos here"),
            ));
        }
    };
    Ok((order, descending))
}

/// `start` and `count`, checked.
fn parse_window(values: &Values) -> Result<(i64, i64), ApiError> {
    let start = values.integer("start")?.unwrap_or(0);
    if start < 0 {
        return Err(ApiError::invalid_query("start", "must be 0 or more"));
    }
    let count = values.integer("count")?.unwrap_or(DEFAULT_COUNT);
    if !(0..=MAX_COUNT).contains(&count) {
        return Err(ApiError::invalid_query(
            "count",
            format!("must be between 0 and {MAX_COUNT}"),
        ));
    }
    Ok((start, count))
}

/// Refuses a moderators' parameter (`privacyOneOf`, `include`, `autoTagOneOf`) on a public list
/// to anyone but staff (PeerTube answers 401 to everyone else; here 401 without credentials,
/// 403 with a user's). One's own list takes them from anyone.
fn require_staff(
    name: &str,
    kind: ListKind,
    viewer: Option<&AuthenticatedUser>,
) -> Result<(), ApiError> {
    if kind == ListKind::Mine {
        return Ok(());
    }
    match viewer {
        None => Err(ApiError::unauthorized()),
        Some(user) if !user.is_staff() => Err(ApiError::forbidden(format!(
            "Only moderators may use {name} on this list."
        ))),
        Some(_) => Ok(()),
    }
}

/// `privacyOneOf`: PeerTube's privacy ids, for staff on public lists.
fn parse_privacies(
    values: &Values,
    kind: ListKind,
    viewer: Option<&AuthenticatedUser>,
) -> Result<Option<Vec<i64>>, ApiError> {
    let Some(privacies) = values.integers("privacyOneOf")? else {
        return Ok(None);
    };
    if let Some(bad) = privacies.iter().find(|id| !(1..=5).contains(*id)) {
        return Err(ApiError::invalid_query(
            "privacyOneOf",
            format!("{bad} is not a privacy id (1 to 5)"),
        ));
    }
    require_staff("privacyOneOf", kind, viewer)?;
    Ok(Some(privacies))
}

/// `include`: PeerTube's `VideoInclude` bits (0 to 127), for staff on public lists.
fn parse_include(
    values: &Values,
    kind: ListKind,
    viewer: Option<&AuthenticatedUser>,
) -> Result<i64, ApiError> {
    let Some(include) = values.integer("include")? else {
        return Ok(0);
    };
    if !(0..=INCLUDE_ALL).contains(&include) {
        return Err(ApiError::invalid_query(
            "include",
            format!("{include} is not a sum of PeerTube's include flags (0 to {INCLUDE_ALL})"),
        ));
    }
    if include != 0 {
        require_staff("include", kind, viewer)?;
    }
    Ok(include)
}

/// `autoTagOneOf`: automatic tag names, for staff on public lists.
fn parse_auto_tags(
    values: &Values,
    kind: ListKind,
    viewer: Option<&AuthenticatedUser>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(tags) = values.texts("autoTagOneOf")? else {
        return Ok(None);
    };
    require_staff("autoTagOneOf", kind, viewer)?;
    Ok(Some(tags))
}

/// `host`: a host name with an optional port, as PeerTube checks it (no scheme, no path);
/// ours means this instance's videos.
fn parse_host(values: &Values, local_host: &str) -> Result<Option<HostFilter>, ApiError> {
    let Some(host) = values.one("host")? else {
        return Ok(None);
    };
    let host = host.trim().to_ascii_lowercase();
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host.as_str(), None),
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let valid = !name.is_empty()
        && host.len() <= 253
        && name.split('.').all(label_ok)
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if !valid {
        return Err(ApiError::invalid_query(
            "host",
            format!("{host:?} is not a host name"),
        ));
    }
    Ok(Some(if host == local_host.to_ascii_lowercase() {
        HostFilter::Local
    } else {
        HostFilter::Remote(host)
    }))
}

/// `nsfwFlagsIncluded` or `nsfwFlagsExcluded`: a sum of PeerTube's NSFW flags (0 to 7).
fn parse_nsfw_flags(values: &Values, name: &str) -> Result<Option<i64>, ApiError> {
    let Some(flags) = values.integer(name)? else {
        return Ok(None);
    };
    if !(0..=7).contains(&flags) {
        return Err(ApiError::invalid_query(
            name,
            format!("{flags} is not a sum of NSFW flags (0 to 7)"),
        ));
    }
    Ok(Some(flags))
}

/// `excludeAlreadyWatched`: needs a signed-in viewer (400 otherwise, as PeerTube); answers the
/// user whose history is left out.
fn parse_exclude_watched(
    values: &Values,
    viewer: Option<&AuthenticatedUser>,
) -> Result<Option<i64>, ApiError> {
    let Some(exclude) = values.flag("excludeAlreadyWatched")? else {
        return Ok(None);
    };
    let Some(viewer) = viewer else {
        return Err(ApiError::invalid_query(
            "excludeAlreadyWatched",
            "cannot be used without an access token",
        ));
    };
    Ok(exclude.then_some(viewer.user_id))
}

/// `nsfw`: `true`, `false` or `both`. Absent, public lists leave NSFW videos out (the instance's
/// and its users' `do_not_list` policy); one's own list shows everything, as on PeerTube.
fn parse_nsfw(values: &Values, kind: ListKind) -> Result<Option<bool>, ApiError> {
    let given = values.one("nsfw")?;
    if kind == ListKind::Mine {
        return Ok(None);
    }
    match given {
        None | Some("false") => Ok(Some(false)),
        Some("true") => Ok(Some(true)),
        Some("both") => Ok(None),
        Some(other) => Err(ApiError::invalid_query(
            "nsfw",
            format!("{other:?} is not true, false or both"),
        )),
    }
}

/// Reads and checks the query string `raw` of a list of `kind`, asked by `viewer`.
pub(crate) fn parse(
    raw: Option<&str>,
    kind: ListKind,
    viewer: Option<&AuthenticatedUser>,
    local_host: &str,
) -> Result<ListParams, ApiError> {
    let values = Values::parse(raw);
    let sort = values.one("sort")?;
    let (order, descending) = parse_sort(sort, kind)?;
    let (start, count) = parse_window(&values)?;
    values.flag("skipCount")?;
    let search = crate::v1::search::search_text(values.one("search")?)?.map(str::to_owned);
    let mut filters = VideoFilters {
        categories: values.integers("categoryOneOf")?,
        licences: values.integers("licenceOneOf")?,
        languages: values.texts("languageOneOf")?,
        tags_one_of: values.texts("tagsOneOf")?,
        tags_all_of: values.texts("tagsAllOf")?,
        nsfw: parse_nsfw(&values, kind)?,
        live: values.flag("isLive")?,
        has_hls: values.flag("hasHLSFiles")?,
        has_web_videos: values.flag("hasWebVideoFiles")?,
        privacies: parse_privacies(&values, kind, viewer)?,
        host: parse_host(&values, local_host)?,
        include: parse_include(&values, kind, viewer)?,
        auto_tags_one_of: parse_auto_tags(&values, kind, viewer)?,
        exclude_watched_by: parse_exclude_watched(&values, viewer)?,
        nsfw_flags: (
            parse_nsfw_flags(&values, "nsfwFlagsIncluded")?,
            parse_nsfw_flags(&values, "nsfwFlagsExcluded")?,
        ),
        ..VideoFilters::default()
    };
    if kind == ListKind::Search {
        filters.duration_min = values.integer("durationMin")?;
        filters.duration_max = values.integer("durationMax")?;
        filters.published_from = values.date("startDate")?;
        filters.published_until = values.date("endDate")?;
        filters.originally_published_from = values.date("originallyPublishedStartDate")?;
        filters.originally_published_until = values.date("originallyPublishedEndDate")?;
    }
    Ok(ListParams {
        page: VideoPage {
            order,
            descending,
            start,
            count,
        },
        sort_given: sort.is_some(),
        search,
        local: values.flag("isLocal")?,
        nsfw_given: values.one("nsfw")?.is_some(),
        filters,
    })
}

#[cfg(test)]
mod tests;
