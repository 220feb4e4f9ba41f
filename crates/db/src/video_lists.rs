//! Lists of videos: the public, published videos of the instance in one of PeerTube's orders.

use sqlx::AnyPool;

use crate::DbResult;
use crate::video_filters::VideoFilters;
use crate::videos::VideoRow;

/// What a list of videos is ordered by (PeerTube's `sort` values, without the `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoOrder {
    /// `publishedAt`.
    PublishedAt,
    /// `createdAt`.
    CreatedAt,
    /// `views` (also `trending` until views are counted per day).
    Views,
    /// `likes`.
    Likes,
    /// `name`.
    Name,
    /// `duration`.
    Duration,
    /// `originallyPublishedAt` (the publication date when none is set).
    OriginallyPublishedAt,
    /// `localVideoFilesSize`: bytes of the video's rendition files here.
    LocalFilesSize,
    /// `match`: how well the name matches the search text (whole name, its start, anywhere,
    /// tags only); newest publication first without a search text.
    Match,
}

impl VideoOrder {
    /// The column or expression; a fixed string, never built from input (`Match` is ordered
    /// by [`page`] itself).
    fn column(self) -> &'static str {
        match self {
            VideoOrder::OriginallyPublishedAt => "COALESCE(originally_published_at, published_at)",
            VideoOrder::LocalFilesSize => {
                "(SELECT COALESCE(SUM(f.size), 0) FROM video_files f WHERE f.video_id = videos.id)"
            }
            VideoOrder::Match => "published_at",
            VideoOrder::PublishedAt => "published_at",
            VideoOrder::CreatedAt => "created_at",
            VideoOrder::Views => "views",
            VideoOrder::Likes => "likes",
            VideoOrder::Name => "name",
            VideoOrder::Duration => "duration",
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoPage {
    /// The order.
    pub order: VideoOrder,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub start: i64,
    /// Rows to return.
    pub count: i64,
}

/// Which videos a list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VideoFilter<'a> {
    /// Only those of this channel.
    pub channel_id: Option<i64>,
    /// Only those in the channels of this account.
    pub account_id: Option<i64>,
    /// Only those in the channels this account subscribes to (its subscription feed).
    pub subscriber_account_id: Option<i64>,
    /// Only those whose name or tags contain this text (case-insensitive).
    pub search: Option<&'a str>,
    /// Every privacy and state (the owner's own list); otherwise only published public videos.
    pub include_hidden: bool,
    /// Only local videos (`Some(true)`), only remote ones (`Some(false)`), or both.
    pub local: Option<bool>,
    /// The viewer's account when it mutes anything: its muted accounts and servers are left
    /// out too (the instance's always are, unless `include_hidden`).
    pub muted_by: Option<i64>,
    /// PeerTube's narrowing filters (categories, tags, dates, …); `privacies` there replaces
    /// "public only".
    pub filters: Option<&'a VideoFilters>,
}

/// A value bound to a numbered placeholder.
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The `WHERE` clause of `filter` and the values its placeholders take.
fn conditions(filter: &VideoFilter<'_>) -> (String, Vec<Bind>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let privacies = filter.filters.and_then(|f| f.privacies.as_deref());
    if let Some(privacies) = privacies {
        let mut list = Vec::new();
        for &privacy in privacies {
            binds.push(Bind::Int(privacy));
            list.push(format!("${}", binds.len()));
        }
        conditions.push(format!("privacy IN ({})", list.join(", ")));
    }
    // PeerTube's `include` (moderators) lifts some of the usual conditions.
    let include = filter.filters.map_or(0, |f| f.include);
    let lifted = |bit: i64| include & bit != 0;
    if !filter.include_hidden {
        if !lifted(crate::video_filters::INCLUDE_NOT_PUBLISHED) {
            conditions.push("state = 1".to_owned());
        }
        if privacies.is_none() {
            conditions.push("privacy = 1".to_owned());
        }
        // Blocked videos and those of banned users (issue 15).
        if !lifted(crate::video_filters::INCLUDE_BLACKLISTED) {
            conditions.push(crate::video_blacklist::UNMODERATED.to_owned());
        }
    }
    if let Some(filters) = filter.filters {
        filters.push_conditions(&mut conditions, &mut binds);
    }
    match filter.local {
        Some(true) => conditions.push("url IS NULL".to_owned()),
        Some(false) => conditions.push("url IS NOT NULL".to_owned()),
        None => {}
    }
    if let Some(channel) = filter.channel_id {
        binds.push(Bind::Int(channel));
        conditions.push(format!("channel_id = ${}", binds.len()));
    }
    if let Some(account) = filter.account_id {
        binds.push(Bind::Int(account));
        conditions.push(format!(
            "channel_id IN (SELECT id FROM channels WHERE account_id = ${})",
            binds.len()
        ));
    }
    if let Some(subscriber) = filter.subscriber_account_id {
        binds.push(Bind::Int(subscriber));
        conditions.push(format!(
            "channel_id IN (SELECT channel_id FROM subscriptions WHERE account_id = ${})",
            binds.len()
        ));
    }
    if let Some(search) = filter.search {
        binds.push(Bind::Text(like_pattern(search)));
        let n = binds.len();
        conditions.push(format!(
            "(LOWER(name) LIKE ${n} ESCAPE '\\' OR LOWER(tags) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if !filter.include_hidden && !lifted(crate::video_filters::INCLUDE_BLOCKED_OWNER) {
        binds.push(Bind::Int(filter.muted_by.unwrap_or(0)));
        conditions.push(crate::blocklists::video_not_muted(&format!(
            "${}",
            binds.len()
        )));
    }
    let filter_sql = if conditions.is_empty() {
        "FROM videos".to_owned()
    } else {
        format!("FROM videos WHERE {}", conditions.join(" AND "))
    };
    (filter_sql, binds)
}

/// How many videos match `filter`. Unless `include_hidden`, only published public ones.
pub async fn count(pool: &AnyPool, filter: &VideoFilter<'_>) -> DbResult<i64> {
    let (filter_sql, binds) = conditions(filter);
    let sql = format!("SELECT COUNT(*) {filter_sql}");
    let mut query = sqlx::query_as::<_, (i64,)>(&sql);
    for bind in &binds {
        query = match bind {
            Bind::Int(value) => query.bind(*value),
            Bind::Text(value) => query.bind(value.as_str()),
        };
    }
    Ok(query.fetch_one(pool).await?.0)
}

/// One page of the videos matching `filter`. Unless `include_hidden`, never unlisted, private
/// or internal videos, nor those still processing.
pub async fn page(
    pool: &AnyPool,
    filter: &VideoFilter<'_>,
    page: VideoPage,
) -> DbResult<Vec<VideoRow>> {
    let (filter_sql, mut binds) = conditions(filter);
    let direction = if page.descending { "DESC" } else { "ASC" };
    let order = match (page.order, filter.search) {
        (VideoOrder::Match, Some(search)) => {
            // Higher is better: the whole name, its start, anywhere in it, then tags only.
            let lowered = search.to_lowercase();
            binds.push(Bind::Text(lowered.clone()));
            let whole = binds.len();
            let mut prefix = like_pattern(&lowered);
            prefix.remove(0);
            binds.push(Bind::Text(prefix));
            let start = binds.len();
            binds.push(Bind::Text(like_pattern(&lowered)));
            let anywhere = binds.len();
            format!(
                "CASE WHEN LOWER(name) = ${whole} THEN 3 \
                 WHEN LOWER(name) LIKE ${start} ESCAPE '\\' THEN 2 \
                 WHEN LOWER(name) LIKE ${anywhere} ESCAPE '\\' THEN 1 ELSE 0 END {direction}, \
                 published_at DESC, id DESC"
            )
        }
        (order, _) => format!("{} {direction}, id {direction}", order.column()),
    };
    let rows_sql = format!(
        "SELECT {} {filter_sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
        crate::videos::COLUMNS,
        binds.len() + 1,
        binds.len() + 2,
    );
    let mut rows = sqlx::query_as::<_, VideoRow>(&rows_sql);
    for bind in &binds {
        rows = match bind {
            Bind::Int(value) => rows.bind(*value),
            Bind::Text(value) => rows.bind(value.as_str()),
        };
    }
    Ok(rows
        .bind(page.count)
        .bind(page.start)
        .fetch_all(pool)
        .await?)
}

/// Videos matching `filter`: how many there are ([`count`]), and one page of them ([`page`]).
pub async fn list(
    pool: &AnyPool,
    filter: &VideoFilter<'_>,
    page: VideoPage,
) -> DbResult<(i64, Vec<VideoRow>)> {
    let total = count(pool, filter).await?;
    let rows = self::page(pool, filter, page).await?;
    Ok((total, rows))
}

/// The version of everything a list of videos shows: a number that moves (in the same
/// transaction) with every change to videos, their files, channels, accounts, actors, follows,
/// subscriptions, mirrors and remote media, whoever makes it (triggers of the
/// `video_list_version` migration). What was computed under one version holds while it stays.
pub async fn version(pool: &AnyPool) -> DbResult<i64> {
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM video_list_version WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok(version)
}

/// Published public videos of the whole instance (`GET /api/v1/videos`).
pub async fn list_public(pool: &AnyPool, page: VideoPage) -> DbResult<(i64, Vec<VideoRow>)> {
    list(pool, &VideoFilter::default(), page).await
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Cat"), "%cat%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
