//! Our Linked Data signatures against an independent implementation: PyLD (URDNA2015) with
//! `cryptography`, driven by `tests/ld_signature/pyld_rsa2017.py` with the Python of the
//! fediverse-pasture venv that `scripts/install-clients` makes (or `KINORA_PASTURE_PYTHON`).
//! Both sides use only the contexts Kinora bundles; PyLD verifies the real Mastodon fixture
//! with them, which checks the bundled documents too.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use kinora_federation::ld_signature::{self, canonical_nquads, verify};
use kinora_federation::protocol::{Audience, ContextType, activities};
use kinora_federation::signatures::{RequestSigner, parse_public_key_pem};
use serde_json::{Value, json};

use common::fixtures::{peertube_private_key, peertube_public_key};

const ACTOR: &str = "https://kinora.example/video-channels/sea";

fn python() -> PathBuf {
    let path = std::env::var_os("KINORA_PASTURE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/kinora-clients/pasture/bin/python"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/install-clients",
        path.display()
    );
    path
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the PyLD script; its stdout.
fn pyld(args: &[&str]) -> String {
    let output = Command::new(python())
        .arg(manifest().join("tests/ld_signature/pyld_rsa2017.py"))
        .arg(manifest().join("src/ld_signature/contexts"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pyld {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Activities the outbox makes: a Create{Video} from a real PeerTube Video object (with
/// text that needs escaping), an Announce, a Delete, a Create{Note}.
fn activities() -> Vec<Value> {
    let audience = Audience::public(&format!("{ACTOR}/followers"));
    let mut video = common::fixture("peertube-video.json");
    video.as_object_mut().unwrap().remove("@context");
    // A PeerTube 8 term Kinora's context does not define (not signed, so not trusted).
    video.as_object_mut().unwrap().remove("schedules");
    video["content"] = json!("Line one\nline \"two\"\twith a tab \\ and \u{e9}t\u{e9} \u{1F30A}");
    let mut note = common::fixture("peertube-note.json");
    note.as_object_mut().unwrap().remove("@context");
    vec![
        activities::create(&video, ACTOR, &audience, ContextType::Video),
        activities::announce(ACTOR, 3, "https://kinora.example/videos/watch/x", &audience),
        activities::delete("https://kinora.example/videos/watch/x", ACTOR, None),
        activities::create(&note, ACTOR, &audience, ContextType::Comment),
    ]
}

#[test]
fn our_canonical_nquads_are_pylds() {
    let dir = tempfile::tempdir().unwrap();
    let mut documents = activities();
    documents.push(common::shared("mastodon/create.json"));
    for (index, document) in documents.iter().enumerate() {
        let path = write(dir.path(), &format!("{index}.json"), &document.to_string());
        let theirs = pyld(&["nquads", &path]);
        let ours = canonical_nquads(document).unwrap();
        assert!(theirs.lines().count() >= 3, "{theirs}");
        assert_eq!(ours, theirs, "document {index}: {document}");
    }
}

#[test]
fn pyld_verifies_what_we_sign() {
    let dir = tempfile::tempdir().unwrap();
    let public = write(dir.path(), "public.pem", &peertube_public_key());
    let signer =
        RequestSigner::from_pem(format!("{ACTOR}#main-key"), &peertube_private_key()).unwrap();
    for (index, mut activity) in activities().into_iter().enumerate() {
        ld_signature::sign(&mut activity, &signer, SystemTime::now()).unwrap();
        let path = write(dir.path(), &format!("{index}.json"), &activity.to_string());
        let answer: Value = serde_json::from_str(&pyld(&["verify", &path, &public])).unwrap();
        assert_eq!(answer["verified"], true, "{activity}");
        // A modified copy does not verify there either.
        activity["actor"] = json!("https://kinora.example/accounts/mallory");
        let path = write(
            dir.path(),
            &format!("{index}-bad.json"),
            &activity.to_string(),
        );
        let answer: Value = serde_json::from_str(&pyld(&["verify", &path, &public])).unwrap();
        assert_eq!(answer["verified"], false, "{activity}");
    }
    // And the real Mastodon activity verifies there with its key.
    let key = write(
        dir.path(),
        "mastodon.pem",
        &common::fixtures::pem("mastodon/public-key.json", "publicKey"),
    );
    let create = write(
        dir.path(),
        "mastodon.json",
        &common::shared("mastodon/create.json").to_string(),
    );
    let answer: Value = serde_json::from_str(&pyld(&["verify", &create, &key])).unwrap();
    assert_eq!(answer["verified"], true);
}

#[test]
fn we_verify_what_pyld_signs() {
    let dir = tempfile::tempdir().unwrap();
    let private = write(dir.path(), "private.pem", &peertube_private_key());
    let key = parse_public_key_pem(&peertube_public_key()).unwrap();
    for (index, activity) in activities().into_iter().enumerate() {
        let path = write(dir.path(), &format!("{index}.json"), &activity.to_string());
        let creator = format!("{ACTOR}#main-key");
        let signed = pyld(&["sign", &path, &private, &creator, "2026-12-06T08:00:00Z"]);
        let signed: Value = serde_json::from_str(&signed).unwrap();
        let trusted = verify(&signed, &key).unwrap();
        assert_eq!(trusted, signed);
        let mut modified = signed.clone();
        modified["actor"] = json!("https://kinora.example/accounts/mallory");
        assert!(verify(&modified, &key).is_err());
    }
}

#[test]
fn mastodons_and_peertubes_option_contexts_hash_alike() {
    // Mastodon hashes the options under identity v1, PeerTube under security v1: the same
    // statements, so one verification serves both.
    let answer: Value = serde_json::from_str(&pyld(&[
        "options",
        "https://peertube.example/accounts/bob",
        "2026-12-06T08:00:00.000Z",
    ]))
    .unwrap();
    assert_eq!(answer["identity"], answer["peertube"]);
    let ours = canonical_nquads(&json!({
        "@context": "https://w3id.org/identity/v1",
        "creator": "https://peertube.example/accounts/bob",
        "created": "2026-12-06T08:00:00.000Z",
    }))
    .unwrap();
    assert_eq!(answer["identity"], ours);
}
