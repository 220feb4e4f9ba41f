//! PeerTube's JSON-LD `@context` for each kind of document: the ActivityStreams and security
//! contexts, the `RsaSignature2017` term, then PeerTube's (`pt:`) and schema.org's (`sc:`)
//! terms for that kind.

use serde_json::{Map, Value, json};

/// Which terms a document needs, as PeerTube groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextType {
    /// A Video, and activities carrying one.
    Video,
    /// A Person, Group or Application, and activities carrying one.
    Actor,
    /// A Note (comment), and activities carrying one.
    Comment,
    /// An OrderedCollection or one of its pages.
    Collection,
    /// Follow (and its Undo).
    Follow,
    /// Accept of a Follow.
    Accept,
    /// Reject of a Follow.
    Reject,
    /// Announce (and its Undo).
    Announce,
    /// Delete.
    Delete,
    /// Like and Dislike (and their Undo).
    Rate,
    /// View.
    View,
    /// CacheFile (redundancy), and activities carrying one.
    CacheFile,
    /// A Playlist or a PlaylistElement, and activities carrying one.
    Playlist,
    /// A video's chapters (`hasParts`).
    Chapters,
}

fn typed(id: &str, kind: &str) -> Value {
    json!({ "@type": kind, "@id": id })
}

/// The type-specific terms.
fn terms(kind: ContextType) -> Option<Map<String, Value>> {
    let value = match kind {
        ContextType::Video => json!({
            "Hashtag": "as:Hashtag",
            "category": "sc:category",
            "licence": "sc:license",
            "subtitleLanguage": "sc:subtitleLanguage",
            "automaticallyGenerated": "pt:automaticallyGenerated",
            "sensitive": "as:sensitive",
            "language": "sc:inLanguage",
            "identifier": "sc:identifier",
            "isLiveBroadcast": "sc:isLiveBroadcast",
            "liveSaveReplay": typed("pt:liveSaveReplay", "sc:Boolean"),
            "permanentLive": typed("pt:permanentLive", "sc:Boolean"),
            "latencyMode": typed("pt:latencyMode", "sc:Number"),
            "Infohash": "pt:Infohash",
            "SensitiveTag": "pt:SensitiveTag",
            "tileWidth": typed("pt:tileWidth", "sc:Number"),
            "tileHeight": typed("pt:tileHeight", "sc:Number"),
            "tileDuration": typed("pt:tileDuration", "sc:Number"),
            "aspectRatio": typed("pt:aspectRatio", "sc:Float"),
            "uuid": typed("pt:uuid", "sc:identifier"),
            "originallyPublishedAt": "sc:datePublished",
            "uploadDate": "sc:uploadDate",
            "hasParts": "sc:hasParts",
            "views": typed("pt:views", "sc:Number"),
            "state": typed("pt:state", "sc:Number"),
            "size": typed("pt:size", "sc:Number"),
            "fps": typed("pt:fps", "sc:Number"),
            "commentsEnabled": typed("pt:commentsEnabled", "sc:Boolean"),
            "canReply": "pt:canReply",
            "commentsPolicy": typed("pt:commentsPolicy", "sc:Number"),
            "downloadEnabled": typed("pt:downloadEnabled", "sc:Boolean"),
            "waitTranscoding": typed("pt:waitTranscoding", "sc:Boolean"),
            "support": typed("pt:support", "sc:Text"),
            "likes": typed("as:likes", "@id"),
            "dislikes": typed("as:dislikes", "@id"),
            "shares": typed("as:shares", "@id"),
            "comments": typed("as:comments", "@id"),
            "PropertyValue": "sc:PropertyValue",
            "value": "sc:value",
        }),
        ContextType::Actor => json!({
            "playlists": typed("pt:playlists", "@id"),
            "support": typed("pt:support", "sc:Text"),
            "lemmy": "https://join-lemmy.org/ns#",
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "alsoKnownAs": typed("as:alsoKnownAs", "@id"),
            "movedTo": typed("as:movedTo", "@id"),
        }),
        ContextType::Comment => json!({ "replyApproval": "pt:replyApproval" }),
        ContextType::View => json!({
            "WatchAction": "sc:WatchAction",
            "InteractionCounter": "sc:InteractionCounter",
            "interactionType": "sc:interactionType",
            "userInteractionCount": "sc:userInteractionCount",
        }),
        ContextType::CacheFile => json!({
            "expires": "sc:expires",
            "CacheFile": "pt:CacheFile",
            "size": typed("pt:size", "sc:Number"),
            "fps": typed("pt:fps", "sc:Number"),
        }),
        ContextType::Playlist => json!({
            "Playlist": "pt:Playlist",
            "PlaylistElement": "pt:PlaylistElement",
            "position": typed("pt:position", "sc:Number"),
            "startTimestamp": typed("pt:startTimestamp", "sc:Number"),
            "stopTimestamp": typed("pt:stopTimestamp", "sc:Number"),
            "uuid": typed("pt:uuid", "sc:identifier"),
            "videoChannelPosition": typed("pt:videoChannelPosition", "sc:Number"),
        }),
        ContextType::Chapters => json!({
            "name": "sc:name",
            "hasPart": "sc:hasPart",
            "endOffset": "sc:endOffset",
            "startOffset": "sc:startOffset",
        }),
        ContextType::Collection
        | ContextType::Follow
        | ContextType::Accept
        | ContextType::Reject
        | ContextType::Announce
        | ContextType::Delete
        | ContextType::Rate => return None,
    };
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The `@context` value of a document of `kind`.
pub fn context(kind: ContextType) -> Value {
    let mut list = vec![
        json!("https://www.w3.org/ns/activitystreams"),
        json!("https://w3id.org/security/v1"),
        json!({ "RsaSignature2017": "https://w3id.org/security#RsaSignature2017" }),
    ];
    if let Some(terms) = terms(kind) {
        let mut map = Map::new();
        map.insert("pt".into(), json!("https://joinpeertube.org/ns#"));
        map.insert("sc".into(), json!("http://schema.org/"));
        map.extend(terms);
        list.push(Value::Object(map));
    }
    Value::Array(list)
}

/// `document` with its `@context` for `kind` set.
pub fn with_context(mut document: Value, kind: ContextType) -> Value {
    if let Value::Object(map) = &mut document {
        map.insert("@context".into(), context(kind));
    }
    document
}

/// `document` without its `@context` (an object embedded in an activity carries none).
pub fn without_context(mut document: Value) -> Value {
    if let Value::Object(map) = &mut document {
        map.remove("@context");
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_starts_with_activitystreams_and_security() {
        for kind in [ContextType::Video, ContextType::Follow, ContextType::Actor] {
            let context = context(kind);
            assert_eq!(context[0], "https://www.w3.org/ns/activitystreams");
            assert_eq!(context[1], "https://w3id.org/security/v1");
            assert_eq!(
                context[2]["RsaSignature2017"],
                "https://w3id.org/security#RsaSignature2017"
            );
        }
        assert_eq!(context(ContextType::Follow).as_array().unwrap().len(), 3);
        let video = context(ContextType::Video);
        assert_eq!(video[3]["pt"], "https://joinpeertube.org/ns#");
        assert_eq!(video[3]["Infohash"], "pt:Infohash");
        assert_eq!(video[3]["comments"]["@type"], "@id");
        let actor = context(ContextType::Actor);
        assert_eq!(
            actor[3]["postingRestrictedToMods"],
            "lemmy:postingRestrictedToMods"
        );
        let embedded = without_context(with_context(json!({"a": 1}), ContextType::Rate));
        assert_eq!(embedded, json!({"a": 1}));
    }
}
