//! `/accounts/{name}` (a Person, or the instance's Application at `/accounts/peertube`),
//! `/video-channels/{name}` (a Group), and their `outbox`, `followers` and `following`
//! collections. `name@host` names a remote actor: it answers a redirect to its id.

use axum::extract::{Path, RawQuery, State};
use kinora_db::actors::ActorRow;
use kinora_db::follows::Side;
use serde_json::Value;

use super::{Document, FederationState, RouteError, RouteResult, page_of};
use crate::protocol::collections::collection;
use crate::protocol::context::without_context;
use crate::protocol::loader::actor_object_of;

/// Longest actor name (with its host) looked up.
const MAX_NAME: usize = 255;
/// The activities an outbox lists.
const OUTBOX_KINDS: [&str; 2] = ["Create", "Announce"];

/// The local actor `name` names, if it is of one of `kinds`; a redirect for a remote one.
async fn find_actor(
    state: &FederationState,
    name: &str,
    kinds: &[&str],
) -> Result<ActorRow, RouteError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(RouteError::NotFound("Actor"));
    }
    let pool = state.db.pool();
    let actor = match name.rsplit_once('@') {
        Some((local, host)) if host == state.urls.host() => {
            kinora_db::actors::find_local_by_name(pool, local).await?
        }
        Some((remote, host)) => {
            let actor = kinora_db::actors::find_remote_by_name(pool, remote, host).await?;
            return match actor.filter(|actor| kinds.contains(&actor.kind.as_str())) {
                Some(ActorRow { url: Some(url), .. }) => Err(RouteError::Elsewhere(url)),
                _ => Err(RouteError::NotFound("Actor")),
            };
        }
        None => kinora_db::actors::find_local_by_name(pool, name).await?,
    };
    actor
        .filter(|actor| kinds.contains(&actor.kind.as_str()))
        .ok_or(RouteError::NotFound("Actor"))
}

async fn actor_document(state: &FederationState, name: &str, kinds: &[&str]) -> RouteResult {
    let actor = find_actor(state, name, kinds).await?;
    actor_object_of(&state.db, &state.urls, &actor)
        .await?
        .map(Document)
        .ok_or(RouteError::NotFound("Actor"))
}

/// `GET /accounts/{name}`: the Person, or the Application for the instance actor.
pub async fn account(
    State(state): State<FederationState>,
    Path(name): Path<String>,
) -> RouteResult {
    actor_document(&state, &name, &["Person", "Application"]).await
}

/// `GET /video-channels/{name}`: the Group.
pub async fn channel(
    State(state): State<FederationState>,
    Path(name): Path<String>,
) -> RouteResult {
    actor_document(&state, &name, &["Group"]).await
}

/// `GET /accounts/{name}/{outbox,followers,following}`.
pub async fn account_collection(
    State(state): State<FederationState>,
    Path((name, which)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> RouteResult {
    actor_collection(
        &state,
        &name,
        &which,
        query.as_deref(),
        &["Person", "Application"],
    )
    .await
}

/// `GET /video-channels/{name}/{outbox,followers,following}`.
pub async fn channel_collection(
    State(state): State<FederationState>,
    Path((name, which)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> RouteResult {
    actor_collection(&state, &name, &which, query.as_deref(), &["Group"]).await
}

async fn actor_collection(
    state: &FederationState,
    name: &str,
    which: &str,
    query: Option<&str>,
    kinds: &[&str],
) -> RouteResult {
    if !matches!(which, "outbox" | "followers" | "following") {
        return Err(RouteError::NotFound("Collection"));
    }
    let page = page_of(query)?;
    let actor = find_actor(state, name, kinds).await?;
    let base = format!("{}/{which}", state.urls.actor(&actor));
    let (start, count) = page.window();
    let pool = state.db.pool();
    let (items, total): (Vec<Value>, i64) = if which == "outbox" {
        let (rows, total) =
            kinora_db::outbox::list_public(pool, actor.id, &OUTBOX_KINDS, start, count).await?;
        let items = rows
            .iter()
            .filter_map(|row| serde_json::from_str::<Value>(&row.body).ok())
            .map(without_context)
            .collect();
        (items, total)
    } else {
        let side = if which == "followers" {
            Side::Followers
        } else {
            Side::Following
        };
        let (entries, total) =
            kinora_db::follows::list(pool, actor.id, side, false, start, count).await?;
        let items = entries
            .into_iter()
            .map(|entry| {
                Value::String(entry.url.unwrap_or_else(|| {
                    state
                        .urls
                        .local_actor(&entry.kind, &entry.preferred_username)
                }))
            })
            .collect();
        (items, total)
    };
    Ok(Document(collection(&base, page, total, items)))
}
