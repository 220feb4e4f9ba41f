//! PeerTube's `ApproveReply` (`lib/activitypub/send/send-reply-approval.ts`): the owner of a
//! video whose comments require approval tells a remote comment's author that the comment is
//! published. Its id is `<our id of the comment>/approve-reply`; `object` is the comment's id,
//! `inReplyTo` what it answers (the parent comment or the video).

use serde_json::{Value, json};

use super::context::{ContextType, context};

/// The id of the `ApproveReply` of comment `comment_id_here` (as this instance numbers it) on
/// video `video_uuid`, under `base` (this instance's URL).
pub fn approve_reply_id(base: &str, video_uuid: &str, comment_id_here: i64) -> String {
    format!("{base}/videos/watch/{video_uuid}/comments/{comment_id_here}/approve-reply")
}

/// `ApproveReply` by `actor` (the video owner's account) of the comment `object`.
pub fn approve_reply(id: &str, actor: &str, object: &str, in_reply_to: &str) -> Value {
    let mut context = context(ContextType::Comment);
    if let Some(Value::Object(terms)) = context.as_array_mut().and_then(|list| list.last_mut()) {
        terms.insert("ApproveReply".into(), json!("pt:ApproveReply"));
    }
    json!({
        "@context": context,
        "type": "ApproveReply",
        "id": id,
        "actor": actor,
        "object": object,
        "inReplyTo": in_reply_to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approve_reply_has_peertube_shape() {
        let id = approve_reply_id("https://a.example", "u-1", 7);
        assert_eq!(
            id,
            "https://a.example/videos/watch/u-1/comments/7/approve-reply"
        );
        let activity = approve_reply(
            &id,
            "https://a.example/accounts/alice",
            "https://b.example/videos/watch/v/comments/3",
            "https://a.example/videos/watch/u-1",
        );
        assert_eq!(activity["type"], "ApproveReply");
        assert_eq!(activity["actor"], "https://a.example/accounts/alice");
        assert_eq!(
            activity["object"],
            "https://b.example/videos/watch/v/comments/3"
        );
        assert_eq!(activity["inReplyTo"], "https://a.example/videos/watch/u-1");
        let terms = activity["@context"].as_array().unwrap().last().unwrap();
        assert_eq!(terms["ApproveReply"], "pt:ApproveReply");
    }
}
