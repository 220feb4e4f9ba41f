//! Video feeds: `/feeds/videos.xml` (RSS 2.0, or Atom with `?format=atom`) and
//! `/feeds/videos.atom`, of the instance's public videos or, with `videoChannelId` or
//! `accountId`, of one channel's or account's. Only public, published videos: the same list
//! as the API's (unlisted and private videos are never in a feed). Descriptions are Markdown,
//! rendered to safe HTML as the web page renders them ([`crate::markdown`]): feed readers
//! show a description as HTML, so none of its source markup ever reaches them live.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kinora_db::video_lists::{VideoFilter, VideoOrder, VideoPage};
use kinora_db::videos::VideoRow;
use serde::Deserialize;

use crate::{ApiError, ApiState, markdown};

/// Videos in one feed.
const FEED_LENGTH: i64 = 50;

/// The query string.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedQuery {
    video_channel_id: Option<String>,
    account_id: Option<String>,
    format: Option<String>,
}

/// The two feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeedFormat {
    Rss,
    Atom,
}

fn parse_id(field: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|text| {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::invalid_field(field, format!("{text:?} is not an id")))
        })
        .transpose()
}

/// `/feeds/{file}`: `videos.xml` or `videos.atom`.
pub async fn video_feed(
    State(state): State<ApiState>,
    Path(file): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, ApiError> {
    let format = match (file.as_str(), query.format.as_deref()) {
        ("videos.xml", None | Some("xml" | "rss")) => FeedFormat::Rss,
        ("videos.xml", Some("atom")) | ("videos.atom", None | Some("atom")) => FeedFormat::Atom,
        ("videos.xml" | "videos.atom", Some(other)) => {
            return Err(ApiError::invalid_field(
                "format",
                format!("{other:?} is not rss or atom"),
            ));
        }
        _ => return Err(ApiError::not_found("Feed")),
    };
    let pool = state.db.pool();
    let channel_id = parse_id("videoChannelId", query.video_channel_id.as_deref())?;
    let account_id = parse_id("accountId", query.account_id.as_deref())?;
    let mut title = state.instance.current().name.clone();
    let mut link = state.public_url.to_string();
    if let Some(id) = channel_id {
        let channel = kinora_db::channels::find_by_id(pool, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Video channel"))?;
        title = channel.display_name.clone();
        link = format!("{}/c/{}", state.public_url, channel.name);
    }
    if let Some(id) = account_id {
        let account = kinora_db::accounts::find_by_id(pool, id)
            .await?
            .ok_or_else(|| ApiError::not_found("Account"))?;
        title = account.display_name.clone();
        link = format!("{}/a/{}", state.public_url, account.name);
    }
    let filter = VideoFilter {
        channel_id,
        account_id,
        ..VideoFilter::default()
    };
    let page = VideoPage {
        order: VideoOrder::PublishedAt,
        descending: true,
        start: 0,
        count: FEED_LENGTH,
    };
    let (_, videos) = kinora_db::video_lists::list(pool, &filter, page).await?;
    let feed = Feed {
        state: &state,
        title: &title,
        link: &link,
        videos: &videos,
    };
    let (body, content_type) = match format {
        FeedFormat::Rss => (feed.rss(), "application/rss+xml; charset=utf-8"),
        FeedFormat::Atom => (feed.atom(), "application/atom+xml; charset=utf-8"),
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

/// What a feed is made of.
struct Feed<'a> {
    state: &'a ApiState,
    title: &'a str,
    link: &'a str,
    videos: &'a [VideoRow],
}

fn published(video: &VideoRow) -> i64 {
    video.published_at.unwrap_or(video.created_at)
}

fn date_time(millis: i64) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .fixed_offset()
}

impl Feed<'_> {
    fn watch_url(&self, video: &VideoRow) -> String {
        format!("{}/w/{}", self.state.public_url, video.short_uuid)
    }

    fn thumbnail_url(&self, video: &VideoRow) -> Option<String> {
        video
            .thumbnail_file
            .as_ref()
            .map(|file| format!("{}/lazy-static/thumbnails/{file}", self.state.public_url))
    }

    fn rss(&self) -> String {
        let items: Vec<rss::Item> = self
            .videos
            .iter()
            .map(|video| {
                let enclosure = self.thumbnail_url(video).map(|url| rss::Enclosure {
                    url,
                    length: "0".to_owned(),
                    mime_type: "image/jpeg".to_owned(),
                });
                rss::Item {
                    title: Some(video.name.clone()),
                    link: Some(self.watch_url(video)),
                    description: video.description.as_deref().map(markdown::to_safe_html),
                    guid: Some(rss::Guid {
                        value: format!("{}/videos/watch/{}", self.state.public_url, video.uuid),
                        permalink: true,
                    }),
                    pub_date: Some(date_time(published(video)).to_rfc2822()),
                    enclosure,
                    ..rss::Item::default()
                }
            })
            .collect();
        let channel = rss::Channel {
            title: self.title.to_owned(),
            link: self.link.to_owned(),
            description: format!("Videos of {}", self.title),
            generator: Some("Kinora".to_owned()),
            items,
            ..rss::Channel::default()
        };
        channel.to_string()
    }

    fn atom(&self) -> String {
        let entries: Vec<atom_syndication::Entry> = self
            .videos
            .iter()
            .map(|video| atom_syndication::Entry {
                id: format!("{}/videos/watch/{}", self.state.public_url, video.uuid),
                title: atom_syndication::Text::plain(video.name.clone()),
                updated: date_time(video.updated_at),
                published: Some(date_time(published(video))),
                links: vec![atom_syndication::Link {
                    href: self.watch_url(video),
                    rel: "alternate".to_owned(),
                    mime_type: Some("text/html".to_owned()),
                    ..atom_syndication::Link::default()
                }],
                summary: video
                    .description
                    .as_deref()
                    .map(|text| atom_syndication::Text::html(markdown::to_safe_html(text))),
                ..atom_syndication::Entry::default()
            })
            .collect();
        let updated = self
            .videos
            .iter()
            .map(|video| video.updated_at)
            .max()
            .unwrap_or(0);
        let feed = atom_syndication::Feed {
            id: self.link.to_owned(),
            title: atom_syndication::Text::plain(self.title.to_owned()),
            updated: date_time(updated),
            links: vec![atom_syndication::Link {
                href: self.link.to_owned(),
                rel: "alternate".to_owned(),
                ..atom_syndication::Link::default()
            }],
            generator: Some(atom_syndication::Generator {
                value: "Kinora".to_owned(),
                ..atom_syndication::Generator::default()
            }),
            entries,
            ..atom_syndication::Feed::default()
        };
        feed.to_string()
    }
}
