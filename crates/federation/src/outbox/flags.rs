//! Plans for abuse reports: a report of a remote object becomes PeerTube's `Flag`, sent by the
//! reporter's account to the flagged account's (shared) inbox; accepting or rejecting a report
//! a remote Flag brought becomes an `Accept` or `Reject` of that Flag, sent by the instance
//! actor to the reporter's inbox (PeerTube ignores these; a Kinora reporter updates its copy).
//!
//! A Flag of a comment names the comment's author too (`object: [account, comment]`):
//! Mastodon acts only on reports that name a local account.

use kinora_core::abuse::{AbuseState, bits_to_reasons};
use kinora_db::abuses::AbuseRow;

use super::*;
use crate::protocol::context::context;
use crate::urls::LocalUrls;

/// The ActivityPub id of our report `id` — the id of its Flag (PeerTube's
/// `/admin/abuses/<id>`).
pub(crate) fn flag_id(urls: &LocalUrls, id: i64) -> String {
    format!("{}/admin/abuses/{id}", urls.base())
}

/// Which of our reports a Flag id of ours names.
pub(crate) fn parse_flag_id(urls: &LocalUrls, url: &str) -> Option<i64> {
    url.strip_prefix(urls.base())?
        .strip_prefix("/admin/abuses/")?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

/// The `@context` of a Flag: ActivityStreams, security, and the `Hashtag` term.
fn flag_context() -> Value {
    let mut list = match context(ContextType::Accept) {
        Value::Array(list) => list,
        other => vec![other],
    };
    list.push(json!({ "Hashtag": "as:Hashtag" }));
    Value::Array(list)
}

/// The account row of `account_id` and its actor.
async fn account_actor(
    federation: &Federation,
    account_id: Option<i64>,
) -> Result<Option<ActorRow>, FanOutError> {
    let Some(account_id) = account_id else {
        return Ok(None);
    };
    let pool = federation.db().pool();
    let Some(account) = kinora_db::accounts::find_by_id(pool, account_id).await? else {
        return Ok(None);
    };
    actor(federation, account.actor_id).await
}

/// What a Flag of `abuse` names: the remote object's id (and, for a comment, its author's).
async fn flagged_object(
    federation: &Federation,
    abuse: &AbuseRow,
    flagged_url: &str,
) -> Result<Option<Value>, FanOutError> {
    let pool = federation.db().pool();
    Ok(match abuse.object_kind.as_str() {
        "video" => match abuse.video_id {
            Some(id) => kinora_db::videos::find_by_id(pool, id)
                .await?
                .and_then(|video| video.url)
                .map(Value::from),
            None => None,
        },
        "comment" => match abuse.comment_id {
            Some(id) => kinora_db::comments::find_by_id(pool, id)
                .await?
                .and_then(|comment| comment.url)
                .map(|url| json!([flagged_url, url])),
            None => None,
        },
        _ => Some(json!(flagged_url)),
    })
}

/// The `Flag` of our report `abuse_id` of a remote object, to the flagged account's origin.
pub(super) async fn abuse_reported(
    federation: &Federation,
    abuse_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(abuse) = kinora_db::abuses::find_by_id(pool, abuse_id).await? else {
        return Ok(Plan::default());
    };
    let reporter = account_actor(federation, abuse.reporter_account_id).await?;
    let flagged = account_actor(federation, abuse.flagged_account_id).await?;
    let (Some(reporter), Some(flagged)) = (reporter, flagged) else {
        return Ok(Plan::default());
    };
    let Some(inbox) = flagged.delivery_inbox().map(str::to_owned) else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let flagged_url = urls.actor(&flagged);
    let Some(object) = flagged_object(federation, &abuse, &flagged_url).await? else {
        return Ok(Plan::default());
    };
    let tags: Vec<Value> = bits_to_reasons(abuse.predefined_reasons)
        .into_iter()
        .map(|name| json!({ "type": "Hashtag", "name": name }))
        .collect();
    let mut body = json!({
        "@context": flag_context(),
        "type": "Flag",
        "id": flag_id(urls, abuse.id),
        "actor": urls.actor(&reporter),
        "to": [flagged_url],
        "cc": [],
        "content": abuse.reason,
        "mediaType": "text/markdown",
        "object": object,
        "tag": tags,
    });
    if abuse.object_kind == "video" {
        if let Some(start_at) = abuse.start_at {
            body["startAt"] = json!(start_at);
        }
        if let Some(end_at) = abuse.end_at {
            body["endAt"] = json!(end_at);
        }
    }
    Ok(Plan {
        outgoing: vec![Outgoing::new(body, Some(reporter.id), false, vec![inbox])],
        effects: Vec::new(),
    })
}

/// The `Accept` (accepted) or `Reject` (rejected) of the remote Flag report `abuse_id` came
/// from, to its reporter.
pub(super) async fn abuse_state_changed(
    federation: &Federation,
    abuse_id: i64,
) -> Result<Plan, FanOutError> {
    let pool = federation.db().pool();
    let Some(abuse) = kinora_db::abuses::find_by_id(pool, abuse_id).await? else {
        return Ok(Plan::default());
    };
    let Some(flag_url) = abuse.flag_url.clone() else {
        return Ok(Plan::default());
    };
    let kind = match AbuseState::from_id(abuse.state) {
        Some(AbuseState::Accepted) => "Accept",
        Some(AbuseState::Rejected) => "Reject",
        _ => return Ok(Plan::default()),
    };
    let Some(reporter) = account_actor(federation, abuse.reporter_account_id).await? else {
        return Ok(Plan::default());
    };
    let Some(inbox) = reporter.delivery_inbox().map(str::to_owned) else {
        return Ok(Plan::default());
    };
    let urls = federation.urls();
    let body = json!({
        "@context": context(ContextType::Accept),
        "type": kind,
        "id": format!("{}/{}", flag_id(urls, abuse.id), kind.to_lowercase()),
        "actor": urls.instance_actor(),
        "to": [urls.actor(&reporter)],
        "object": flag_url,
    });
    Ok(Plan {
        outgoing: vec![Outgoing::new(
            super::follows::with_unique_id(body),
            None,
            false,
            vec![inbox],
        )],
        effects: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_ids_round_trip() {
        let urls = LocalUrls::new("http://localhost:9000");
        let id = flag_id(&urls, 42);
        assert_eq!(id, "http://localhost:9000/admin/abuses/42");
        assert_eq!(parse_flag_id(&urls, &id), Some(42));
        assert_eq!(
            parse_flag_id(&urls, "http://localhost:9001/admin/abuses/42"),
            None
        );
        assert_eq!(
            parse_flag_id(&urls, "http://localhost:9000/admin/abuses/x"),
            None
        );
        assert_eq!(
            parse_flag_id(&urls, "http://localhost:9000/admin/abuses/0"),
            None
        );
    }

    #[test]
    fn flags_carry_the_hashtag_term() {
        let context = flag_context();
        let last = context.as_array().unwrap().last().unwrap();
        assert_eq!(last["Hashtag"], "as:Hashtag");
    }
}
