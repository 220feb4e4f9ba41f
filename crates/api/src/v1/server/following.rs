//! `/api/v1/server/following`: what this instance follows. `GET` lists it (PeerTube's
//! `ActorFollow`s), `POST {hosts, handles}` follows instances and channels (administrators),
//! `DELETE /{hostOrHandle}` stops.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kinora_app::instance_follows::FollowTarget;
use kinora_app::remote::Handle;
use kinora_db::follows::Side;
use serde::Deserialize;
use serde_json::Value;

use crate::extract::{Auth, JsonOrForm};
use crate::json::list;
use crate::v1::pagination::PageQuery;
use crate::{ApiError, ApiState};

/// Most instances and handles one request may follow.
const MAX_TARGETS: usize = 20;

/// The body of a follow request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowBody {
    /// Hosts (`host[:port]`) of instances to follow.
    pub hosts: Vec<String>,
    /// Handles (`name@host`) of channels or accounts to follow.
    pub handles: Vec<String>,
}

/// Checks a host as PeerTube accepts them: a DNS name or address with an optional port.
fn check_host(host: &str) -> Result<(), ApiError> {
    let valid = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !host.starts_with(['.', '-', ':']);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "hosts",
            format!("{host:?} is not a host"),
        ))
    }
}

/// Lists what the instance follows.
pub async fn list_following(
    State(state): State<ApiState>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    query.check_sort(&["-createdAt", "createdAt"])?;
    let (start, count) = query.page()?;
    let (ours, entries, total) =
        kinora_app::instance_follows::list(&state.db, Side::Following, start, count).await?;
    let mut data = Vec::with_capacity(entries.len());
    for entry in &entries {
        let mut json = super::follow_json(&state, &ours, entry, true);
        // Whether this instance mirrors the followed one's videos.
        let mirrored = match entry.host.as_deref() {
            Some(host) => kinora_db::deliveries::find_host(state.db.pool(), host)
                .await?
                .is_some_and(|h| h.redundancy_allowed != 0),
            None => false,
        };
        json["following"]["hostRedundancyAllowed"] = Value::Bool(mirrored);
        data.push(json);
    }
    Ok(Json(list(total as usize, data)))
}

/// Follows instances and handles.
pub async fn follow(
    State(state): State<ApiState>,
    Auth(user): Auth,
    JsonOrForm(body): JsonOrForm<FollowBody>,
) -> Result<StatusCode, ApiError> {
    if body.hosts.is_empty() && body.handles.is_empty() {
        return Err(ApiError::invalid_field(
            "hosts",
            "give hosts or handles to follow",
        ));
    }
    if body.hosts.len() + body.handles.len() > MAX_TARGETS {
        return Err(ApiError::invalid_field(
            "hosts",
            format!("at most {MAX_TARGETS} hosts and handles at once"),
        ));
    }
    let mut targets = Vec::new();
    for host in &body.hosts {
        check_host(host)?;
        if host.eq_ignore_ascii_case(state.host()) {
            return Err(ApiError::invalid_field(
                "hosts",
                "this instance cannot follow itself",
            ));
        }
        targets.push(FollowTarget::Host(host));
    }
    for handle in &body.handles {
        let parsed = Handle::parse(handle, state.host())
            .filter(|h| h.host.is_some())
            .ok_or_else(|| {
                ApiError::invalid_field("handles", format!("{handle:?} is not a remote handle"))
            })?;
        targets.push(FollowTarget::Handle(parsed));
    }
    kinora_app::instance_follows::follow(&state.db, &*state.remote, &user, &targets).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops following a host or a handle.
pub async fn unfollow(
    State(state): State<ApiState>,
    Auth(user): Auth,
    Path(target): Path<String>,
) -> Result<StatusCode, ApiError> {
    let target = if target.contains('@') {
        let handle = Handle::parse(&target, state.host())
            .filter(|h| h.host.is_some())
            .ok_or_else(|| ApiError::invalid_field("hostOrHandle", "is not a remote handle"))?;
        FollowTarget::Handle(handle)
    } else {
        check_host(&target)
            .map_err(|_| ApiError::invalid_field("hostOrHandle", "is not a host"))?;
        FollowTarget::Host(&target)
    };
    kinora_app::instance_follows::unfollow(&state.db, &state.storage, &user, target).await?;
    Ok(StatusCode::NO_CONTENT)
}
