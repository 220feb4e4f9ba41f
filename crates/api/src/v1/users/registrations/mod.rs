//! `/api/v1/users/registrations`: sign-ups waiting for approval (PeerTube's registrations; here
//! a waiting registration is a user not yet approved, with the same id).

pub mod accept;
pub mod delete;
pub mod list;
pub mod reject;
pub mod request;

use kinora_db::users::UserRow;
use serde_json::{Value, json};

use crate::json::iso_date;
use crate::{ApiError, ApiState};

/// PeerTube's `UserRegistration` of a waiting registration.
pub(crate) async fn registration_json(state: &ApiState, user: &UserRow) -> Result<Value, ApiError> {
    let pool = state.db.pool();
    let account = kinora_db::accounts::find_by_user(pool, user.id).await?;
    let channel = match &account {
        Some(account) => kinora_db::channels::list_by_account(pool, account.id)
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    Ok(json!({
        "id": user.id,
        "state": { "id": 1, "label": "Pending" },
        "registrationReason": user.registration_reason.clone().unwrap_or_default(),
        "moderationResponse": null,
        "username": user.username,
        "email": user.email,
        "emailVerified": user.email_verified != 0,
        "accountDisplayName": account.as_ref().map_or(user.username.as_str(), |a| a.display_name.as_str()),
        "channelHandle": channel.as_ref().map(|c| c.name.clone()),
        "channelDisplayName": channel.as_ref().map(|c| c.display_name.clone()),
        "createdAt": iso_date(user.created_at),
        "updatedAt": iso_date(user.updated_at),
        "user": null,
    }))
}

/// The optional `moderationResponse` of an accept or reject body.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationResponse {
    #[serde(default)]
    moderation_response: Option<String>,
    /// PeerTube's `preventEmailDelivery`: answer without telling the requester.
    #[serde(default)]
    prevent_email_delivery: Option<bool>,
}
