//! Activities that can happen again under the id PeerTube gives them (a Delete of a video given
//! back and withdrawn again, a Follow after its Undo, a Like after its Undo): receivers skip an
//! activity id they have seen, and the outbox skips an id it has stored, so each repetition is
//! numbered: the first keeps PeerTube's id, the `n`-th after it gets `<id>/<n>`.

use serde_json::Value;

use super::FanOutError;
use crate::Federation;

/// The activity with the id it has in `round`: as built in the first, `<id>/<round>` after.
pub(super) fn in_round(mut activity: Value, round: u64) -> Value {
    if round > 0
        && let Some(id) = activity.get("id").and_then(Value::as_str)
    {
        activity["id"] = Value::String(format!("{id}/{round}"));
    }
    activity
}

/// How many rounds of `activity` (as built, with its first id) are stored in the outbox: the
/// round a new one takes; the last one sent is the round before.
pub(super) async fn rounds_stored(
    federation: &Federation,
    activity: &Value,
) -> Result<u64, FanOutError> {
    let pool = federation.db().pool();
    let mut round = 0;
    loop {
        let body = in_round(activity.clone(), round);
        let id = body.get("id").and_then(Value::as_str).unwrap_or_default();
        if kinora_db::outbox::find_by_url(pool, id).await?.is_none() {
            return Ok(round);
        }
        round += 1;
    }
}

/// `activity` under an id not used before (see [`rounds_stored`]).
pub(super) async fn fresh(federation: &Federation, activity: Value) -> Result<Value, FanOutError> {
    let round = rounds_stored(federation, &activity).await?;
    Ok(in_round(activity, round))
}

/// `activity` under the id it was last sent with (its first id when none was stored).
pub(super) async fn last_sent(
    federation: &Federation,
    activity: Value,
) -> Result<Value, FanOutError> {
    let round = rounds_stored(federation, &activity).await?;
    Ok(in_round(activity, round.saturating_sub(1)))
}
