//! Linked Data signatures (`RsaSignature2017`): a real Mastodon-signed activity verifies; what
//! we sign verifies; and every way of spoiling one leaves it unverified — a modified body, a
//! wrong key, an unknown context, missing fields — or untrusted: JSON that could say more than
//! its signed statements (research/security.md SIG-11), even when the signature holds.

mod common;

use std::time::SystemTime;

use kinora_federation::ld_signature::{self, LdSignatureError, verify};
use kinora_federation::protocol::{Audience, ContextType, activities};
use kinora_federation::signatures::{RequestSigner, parse_public_key_pem};
use rsa::RsaPublicKey;
use serde_json::{Value, json};

use common::fixtures::{peertube_private_key, peertube_public_key, pem};

/// One way of changing a document.
type Change = fn(&mut Value);

const ACTOR: &str = "https://kinora.example/accounts/alice";

fn signer() -> RequestSigner {
    RequestSigner::from_pem(format!("{ACTOR}#main-key"), &peertube_private_key()).unwrap()
}

fn our_key() -> RsaPublicKey {
    parse_public_key_pem(&peertube_public_key()).unwrap()
}

fn mastodon_key() -> RsaPublicKey {
    parse_public_key_pem(&pem("mastodon/public-key.json", "publicKey")).unwrap()
}

/// A public Create{Video} as the outbox builds it, from a real PeerTube Video object (less
/// `schedules`, a PeerTube 8 term that Kinora's context does not define).
fn create_video() -> Value {
    let mut video = common::fixture("peertube-video.json");
    video.as_object_mut().unwrap().remove("@context");
    video.as_object_mut().unwrap().remove("schedules");
    let audience = Audience::public(&format!("{ACTOR}/followers"));
    activities::create(&video, ACTOR, &audience, ContextType::Video)
}

fn signed_create() -> Value {
    let mut activity = create_video();
    ld_signature::sign(&mut activity, &signer(), SystemTime::now()).unwrap();
    activity
}

#[test]
fn mastodons_signed_create_verifies_and_is_trusted_whole() {
    let create = common::shared("mastodon/create.json");
    let trusted = verify(&create, &mastodon_key()).unwrap();
    assert_eq!(trusted, create, "nothing of Mastodon's Create is dropped");
    assert_eq!(
        ld_signature::creator_actor(&create).unwrap().as_str(),
        "http://localhost:3000/users/ronan2"
    );
}

#[test]
fn mastodons_create_with_a_bad_signature_is_refused() {
    let create = common::shared("mastodon/create-bad-signature.json");
    assert!(matches!(
        verify(&create, &mastodon_key()),
        Err(LdSignatureError::BadSignature)
    ));
}

#[test]
fn what_we_sign_verifies_with_our_key_and_keeps_every_field() {
    let activity = signed_create();
    let signature = &activity["signature"];
    assert_eq!(signature["type"], "RsaSignature2017");
    assert_eq!(signature["creator"], format!("{ACTOR}#main-key"));
    let created = signature["created"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    let trusted = verify(&activity, &our_key()).unwrap();
    // Every term a PeerTube Video uses is one the inbox trusts: nothing is dropped.
    assert_eq!(trusted, activity);
    // Signing again replaces the signature, it does not sign the old one.
    let mut again = activity.clone();
    ld_signature::sign(&mut again, &signer(), SystemTime::now()).unwrap();
    verify(&again, &our_key()).unwrap();
}

#[test]
fn a_modified_body_does_not_verify() {
    let signed = signed_create();
    let changes: [(&str, Change); 5] = [
        ("the name", |a| {
            a["object"]["name"] = json!("Something else")
        }),
        ("the audience", |a| a["to"] = json!([])),
        ("the object id", |a| {
            a["object"]["id"] = json!("https://kinora.example/videos/watch/other")
        }),
        ("a file URL", |a| {
            a["object"]["url"][0]["href"] = json!("https://evil.example/file.mp4")
        }),
        ("the creation time", |a| {
            a["signature"]["created"] = json!("2020-01-01T00:00:00Z")
        }),
    ];
    for (what, change) in changes {
        let mut activity = signed.clone();
        change(&mut activity);
        assert!(
            matches!(
                verify(&activity, &our_key()),
                Err(LdSignatureError::BadSignature)
            ),
            "a change of {what} went unnoticed"
        );
    }
}

#[test]
fn another_key_does_not_verify() {
    assert!(matches!(
        verify(&signed_create(), &mastodon_key()),
        Err(LdSignatureError::BadSignature)
    ));
}

#[test]
fn an_unknown_context_is_never_fetched_and_never_verified() {
    let mut activity = create_video();
    activity["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://relay.example/litepub-0.1.jsonld"));
    // Nothing to sign it with: the context cannot be read.
    assert!(matches!(
        ld_signature::sign(&mut activity.clone(), &signer(), SystemTime::now()),
        Err(LdSignatureError::UnknownContext(_))
    ));
    activity["signature"] = signed_create()["signature"].clone();
    assert!(matches!(
        verify(&activity, &our_key()),
        Err(LdSignatureError::UnknownContext(_))
    ));
}

#[test]
fn missing_or_wrong_fields_are_refused() {
    let signed = signed_create();
    let cases: [(&str, Change); 7] = [
        ("no signature", |a| {
            a.as_object_mut().unwrap().remove("signature");
        }),
        ("no signatureValue", |a| {
            a["signature"]
                .as_object_mut()
                .unwrap()
                .remove("signatureValue");
        }),
        ("no creator", |a| {
            a["signature"].as_object_mut().unwrap().remove("creator");
        }),
        ("no created", |a| {
            a["signature"].as_object_mut().unwrap().remove("created");
        }),
        ("another suite", |a| {
            a["signature"]["type"] = json!("Ed25519Signature2018")
        }),
        ("a value that is not base64", |a| {
            a["signature"]["signatureValue"] = json!("%%%")
        }),
        ("no @context", |a| {
            a.as_object_mut().unwrap().remove("@context");
        }),
    ];
    for (what, change) in cases {
        let mut activity = signed.clone();
        change(&mut activity);
        let result = verify(&activity, &our_key());
        assert!(
            matches!(
                result,
                Err(LdSignatureError::Missing
                    | LdSignatureError::Malformed(_)
                    | LdSignatureError::Unsupported(_)
                    | LdSignatureError::Unsafe(_))
            ),
            "{what}: {result:?}"
        );
    }
    assert!(matches!(
        verify(&json!(["not", "an", "object"]), &our_key()),
        Err(LdSignatureError::Missing)
    ));
}

/// Documents whose JSON could be read as something the signed statements do not say are
/// refused even when the signature holds (signed here by the actor itself).
#[test]
fn json_that_can_say_more_than_its_statements_is_not_trusted() {
    let cases: [(&str, Change); 10] = [
        ("@graph", |a| {
            a["@graph"] = json!([{"id": "https://evil.example/x"}])
        }),
        ("@included", |a| {
            a["object"]["@included"] = json!([{"id": "https://evil.example/x"}])
        }),
        ("@reverse", |a| {
            a["@reverse"] = json!({"as:actor": {"id": "https://evil.example/x"}})
        }),
        ("an aliased included", |a| {
            a["@context"]
                .as_array_mut()
                .unwrap()
                .push(json!({"included": "@included"}));
            a["included"] = json!([{"id": "https://evil.example/x"}]);
        }),
        ("a nested context", |a| {
            a["object"]["@context"] = json!({"name": "https://evil.example/name"})
        }),
        ("content made unsigned", |a| {
            a["@context"]
                .as_array_mut()
                .unwrap()
                .push(json!({"content": null}))
        }),
        ("a term redefined", |a| {
            a["@context"]
                .as_array_mut()
                .unwrap()
                .push(json!({"uuid": "https://www.w3.org/ns/activitystreams#name"}))
        }),
        ("@vocab", |a| {
            a["@context"]
                .as_array_mut()
                .unwrap()
                .push(json!({"@vocab": "https://evil.example/"}))
        }),
        ("an undefined type", |a| {
            a["object"]["type"] = json!("Mystery")
        }),
        ("a blank node id", |a| a["object"]["id"] = json!("_:b0")),
    ];
    for (what, change) in cases {
        let mut activity = create_video();
        change(&mut activity);
        // Signed by the actor: the signature itself is fine.
        ld_signature::sign(&mut activity, &signer(), SystemTime::now())
            .unwrap_or_else(|error| panic!("{what}: {error}"));
        let result = verify(&activity, &our_key());
        assert!(
            matches!(result, Err(LdSignatureError::Unsafe(_))),
            "{what}: {result:?}"
        );
    }
}

/// A relay may add keys no context defines (they make no statement, so the signature still
/// holds): they are not in the trusted view.
#[test]
fn unsigned_keys_are_dropped_from_the_trusted_view() {
    let mut create = common::shared("mastodon/create.json");
    create["object"]["streamingPlaylists"] = json!([{"url": "https://evil.example/x.m3u8"}]);
    create["evil"] = json!("not signed");
    let trusted = verify(&create, &mastodon_key()).unwrap();
    assert!(trusted.get("evil").is_none(), "{trusted}");
    assert!(trusted["object"].get("streamingPlaylists").is_none());
    assert_eq!(trusted["object"]["content"], create["object"]["content"]);
    // Undefined keys that PeerTube's own terms do not cover either.
    let mut activity = signed_create();
    activity["object"]["uuid2"] = json!("x");
    let trusted = verify(&activity, &our_key()).unwrap();
    assert!(trusted["object"].get("uuid2").is_none());
}
