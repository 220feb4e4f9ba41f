//! `GET /api/v1/blocklist/status?accounts=a@host&hosts=host`: which accounts and hosts are
//! muted by the caller (`blockedByUser`, false without a token) and by the instance
//! (`blockedByServer`), PeerTube's `BlockStatus`. Accounts unknown here are muted by nobody.

use axum::Json;
use axum::extract::{RawQuery, State};
use kinora_db::blocklists::MuteOwner;
use serde_json::{Map, Value, json};

use crate::extract::MaybeAuth;
use crate::{ApiError, ApiState};

/// Most accounts and hosts one request may ask about.
const MAX_ITEMS: usize = 100;

/// The values of `name` (or `name[]`) in the query string.
fn values_of(query: &str, name: &str) -> Vec<String> {
    let bracketed = format!("{name}[]");
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == name || key == bracketed.as_str())
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// `{blockedByUser, blockedByServer}`.
fn status(by_user: bool, by_server: bool) -> Value {
    json!({ "blockedByUser": by_user, "blockedByServer": by_server })
}

/// Answers `{accounts: {handle: status}, hosts: {host: status}}`.
pub async fn get_status(
    State(state): State<ApiState>,
    MaybeAuth(viewer): MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = query.unwrap_or_default();
    let handles = values_of(&query, "accounts");
    let hosts = values_of(&query, "hosts");
    if handles.len() + hosts.len() > MAX_ITEMS {
        return Err(ApiError::invalid_field(
            "accounts",
            format!("at most {MAX_ITEMS} accounts and hosts"),
        ));
    }
    let pool = state.db.pool();
    let viewer = match viewer {
        Some(user) => kinora_db::accounts::find_by_user(pool, user.user_id)
            .await?
            .map(|account| MuteOwner::Account(account.id)),
        None => None,
    };
    let mut accounts = Map::new();
    for handle in handles {
        if kinora_app::remote::Handle::parse(&handle, state.host()).is_none() {
            return Err(ApiError::invalid_field(
                "accounts",
                format!("{handle:?} is not an account handle"),
            ));
        }
        let target = match crate::v1::find_account(&state, &handle).await {
            Ok(account) => Some(account.id),
            Err(error) if error.status() == axum::http::StatusCode::NOT_FOUND => None,
            Err(error) => return Err(error),
        };
        let (by_user, by_server) = match target {
            Some(target) => (
                match viewer {
                    Some(owner) => {
                        kinora_db::blocklists::mutes_account(pool, owner, target).await?
                    }
                    None => false,
                },
                kinora_db::blocklists::mutes_account(pool, MuteOwner::Instance, target).await?,
            ),
            None => (false, false),
        };
        accounts.insert(handle, status(by_user, by_server));
    }
    let mut host_map = Map::new();
    for text in hosts {
        let host = kinora_app::blocklists::parse_host("hosts", &text)?;
        let by_user = match viewer {
            Some(owner) => kinora_db::blocklists::mutes_server(pool, owner, &host).await?,
            None => false,
        };
        let by_server =
            kinora_db::blocklists::mutes_server(pool, MuteOwner::Instance, &host).await?;
        host_map.insert(text, status(by_user, by_server));
    }
    Ok(Json(json!({ "accounts": accounts, "hosts": host_map })))
}
