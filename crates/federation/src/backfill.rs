//! Back-fill: after a remote actor accepts our follow, its outbox is read for what it published
//! before, within page, item and time budgets (`Job::FetchOutbox`). PeerTube's outboxes hold
//! `Create`s of videos by accounts and `Announce`s of them by channels and the instance actor.

use std::time::{Duration, Instant};

use kinora_jobs::JobFailure;
use serde_json::Value;
use url::Url;

use crate::Federation;
use crate::inbox::route::http_url;
use crate::urls::origin_of;

/// Longest a back-fill may take.
const TIME_BUDGET: Duration = Duration::from_secs(120);

/// Reads the outbox of remote actor `actor_id` and takes in its videos. Returns how many were
/// stored.
pub async fn fetch_outbox(federation: &Federation, actor_id: i64) -> Result<usize, JobFailure> {
    let actor = kinora_db::actors::find_by_id(federation.db().pool(), actor_id)
        .await
        .map_err(|error| JobFailure::retryable(error.to_string()))?;
    let Some(actor) = actor.filter(|a| !a.is_local()) else {
        return Ok(0);
    };
    let Some(outbox) = actor.outbox_url.as_deref().and_then(|u| Url::parse(u).ok()) else {
        return Ok(0);
    };
    let Some(actor_url) = actor.url.as_deref().and_then(|u| Url::parse(u).ok()) else {
        return Ok(0);
    };
    if origin_of(&outbox) != origin_of(&actor_url) {
        return Err(JobFailure::permanent(
            "the outbox is not on its actor's host",
        ));
    }
    let config = federation.config();
    let started = Instant::now();
    let collection = crate::resolve::fetch(federation, &outbox)
        .await
        .map_err(|error| {
            if error.is_retryable() {
                JobFailure::retryable(error.to_string())
            } else {
                JobFailure::permanent(error.to_string())
            }
        })?
        .object;
    let mut page = match collection.get("first") {
        Some(first) if first.is_object() => Some(first.clone()),
        Some(first) => match http_url(Some(first)) {
            Some(url) => fetch_page(federation, &url, &actor_url).await,
            None => None,
        },
        // An unpaged collection holds its items itself.
        None => Some(collection.clone()),
    };
    let mut pages = 0;
    let mut seen = 0;
    let mut stored = 0;
    while let Some(current) = page.take() {
        pages += 1;
        let items = current
            .get("orderedItems")
            .or_else(|| current.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in items {
            if seen >= config.backfill_max_items || started.elapsed() > TIME_BUDGET {
                break;
            }
            seen += 1;
            match take_item(federation, &item, &actor_url).await {
                Ok(true) => stored += 1,
                Ok(false) => {}
                Err(error) => tracing::info!(%error, "back-fill item skipped"),
            }
        }
        if pages >= config.backfill_max_pages
            || seen >= config.backfill_max_items
            || started.elapsed() > TIME_BUDGET
        {
            break;
        }
        page = match http_url(current.get("next")) {
            Some(next) => fetch_page(federation, &next, &actor_url).await,
            None => None,
        };
    }
    tracing::info!(actor = %actor_url, pages, seen, stored, "outbox back-filled");
    Ok(stored)
}

/// Pages of a new remote video's `comments` collection read.
const COMMENT_PAGES: usize = 5;
/// Comments of a new remote video taken in.
const COMMENT_ITEMS: usize = 200;
/// Longest the comments of one new video may take.
const COMMENT_TIME_BUDGET: Duration = Duration::from_secs(30);

/// Takes in the comments of a remote video that was just stored, from its `comments`
/// collection at its origin, within page, item and time budgets. Failures only leave comments
/// out, so they are logged.
pub async fn fetch_comments(federation: &Federation, collection_url: &Url) {
    let started = Instant::now();
    let collection = match crate::resolve::fetch(federation, collection_url).await {
        Ok(fetched) => fetched.object,
        Err(error) => {
            tracing::info!(%collection_url, %error, "comments unreadable");
            return;
        }
    };
    let mut page = match collection.get("first") {
        Some(first) if first.is_object() => Some(first.clone()),
        Some(first) => match http_url(Some(first)) {
            Some(url) => fetch_page(federation, &url, collection_url).await,
            None => None,
        },
        None => Some(collection.clone()),
    };
    let (mut pages, mut seen) = (0, 0);
    while let Some(current) = page.take() {
        pages += 1;
        let items = current
            .get("orderedItems")
            .or_else(|| current.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in items {
            if seen >= COMMENT_ITEMS || started.elapsed() > COMMENT_TIME_BUDGET {
                return;
            }
            seen += 1;
            let note = if item.is_object() && origin_of_value(&item) == origin_of(collection_url) {
                Ok(item)
            } else {
                match http_url(Some(item.get("id").unwrap_or(&item))) {
                    Some(url) => crate::resolve::fetch(federation, &url)
                        .await
                        .map(|f| f.object),
                    None => continue,
                }
            };
            match note {
                Ok(note) => {
                    if let Err(error) = crate::inbox::store_fetched_note(federation, &note).await {
                        tracing::info!(%error, "back-filled comment refused");
                    }
                }
                Err(error) => tracing::info!(%error, "back-filled comment unreadable"),
            }
        }
        if pages >= COMMENT_PAGES || started.elapsed() > COMMENT_TIME_BUDGET {
            return;
        }
        page = match http_url(current.get("next")) {
            Some(next) => fetch_page(federation, &next, collection_url).await,
            None => None,
        };
    }
}

/// The origin of an embedded object's id.
fn origin_of_value(object: &Value) -> Option<String> {
    http_url(object.get("id")).and_then(|id| origin_of(&id))
}

/// A page of the outbox, when it is on the actor's origin.
async fn fetch_page(federation: &Federation, url: &Url, actor: &Url) -> Option<Value> {
    if origin_of(url) != origin_of(actor) {
        return None;
    }
    match crate::resolve::fetch(federation, url).await {
        Ok(fetched) => Some(fetched.object),
        Err(error) => {
            tracing::info!(%url, %error, "outbox page unreadable");
            None
        }
    }
}

/// Takes in the video an outbox item (an activity, or its id) is about. Returns whether a video
/// was stored.
async fn take_item(
    federation: &Federation,
    item: &Value,
    actor: &Url,
) -> Result<bool, crate::resolve::ResolveError> {
    let activity = if item.is_object() {
        item.clone()
    } else {
        let Some(url) = http_url(Some(item)) else {
            return Ok(false);
        };
        crate::resolve::fetch(federation, &url).await?.object
    };
    let kind = activity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(kind, "Create" | "Announce") {
        return Ok(false);
    }
    let object = activity.get("object");
    let Some(id) = object.and_then(|o| http_url(Some(o.get("id").unwrap_or(o)))) else {
        return Ok(false);
    };
    if federation.urls().is_ours(id.as_str()) {
        return Ok(false);
    }
    // An embedded video is believed only from its own origin; anything else is fetched.
    let embedded = object.filter(|o| o.get("type").and_then(Value::as_str) == Some("Video"));
    let document = match embedded {
        Some(video) if origin_of(&id) == origin_of(actor) => video.clone(),
        _ => crate::resolve::fetch(federation, &id).await?.object,
    };
    if document.get("type").and_then(Value::as_str) != Some("Video") {
        return Ok(false);
    }
    crate::inbox::store_video_document(federation, &document, false)
        .await
        .map(|_| true)
        .or_else(|error| match error {
            crate::inbox::ProcessError::Resolve(error) => Err(error),
            other => {
                tracing::info!(%other, "back-filled video refused");
                Ok(false)
            }
        })
}
