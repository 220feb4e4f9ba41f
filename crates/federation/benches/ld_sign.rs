//! Benchmark: what a Linked Data signature (`RsaSignature2017`) costs per activity, for the
//! activities the outbox signs (BENCHMARKS.md, "Linked Data signatures"). Not a test: it
//! asserts no timing, it measures.
//!
//! ```sh
//! cargo bench --locked -p kinora-federation --bench ld_sign
//! ```
//!
//! On one thread, `KINORA_BENCH_ITERATIONS` times each (default 200), after 10 untimed runs:
//! a bare RSA-2048 PKCS#1 v1.5 SHA-256 signature (the floor: the same key and blinded signing as
//! HTTP signatures), then for a Create(Video) (PeerTube's captured video, 13 KB of JSON) and an
//! Announce (0.5 KB): the document's URDNA2015 canonicalization alone, `ld_signature::sign`, and
//! `ld_signature::verify` of the signed document. Prints a markdown table of the median and the
//! 95th percentile in milliseconds.

use std::time::{Duration, Instant, SystemTime};

use kinora_federation::ld_signature::{self, canonical_nquads};
use kinora_federation::protocol::{Audience, ContextType, activities};
use kinora_federation::signatures::{RequestSigner, parse_public_key_pem};
use serde_json::Value;

const ACTOR: &str = "https://kinora.example/accounts/alice";

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs `work` `iterations` times (after 10 untimed runs); median and 95th percentile.
fn measure(iterations: usize, mut work: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..10 {
        work();
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let iterations: usize = std::env::var("KINORA_BENCH_ITERATIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(200)
        .max(10);
    let keys = fixture("../../../shared/fixtures/peertube/ap-json/peertube/keys.json");
    let signer = RequestSigner::from_pem(
        format!("{ACTOR}#main-key"),
        keys["privateKey"].as_str().unwrap(),
    )
    .unwrap();
    let public = parse_public_key_pem(keys["publicKey"].as_str().unwrap()).unwrap();
    let audience = Audience::public(&format!("{ACTOR}/followers"));
    let mut video = fixture("tests/fixtures/peertube-video.json");
    video.as_object_mut().unwrap().remove("@context");
    let documents = [
        (
            "Create(Video)",
            activities::create(&video, ACTOR, &audience, ContextType::Video),
        ),
        (
            "Announce",
            activities::announce(ACTOR, 3, "https://kinora.example/videos/watch/x", &audience),
        ),
    ];

    println!("| step | document | JSON bytes | median ms | p95 ms |");
    println!("|---|---|---|---|---|");
    let (median, p95) = measure(iterations, || {
        signer
            .sign_bytes(b"a 128-hex-digit string like the two hashes an LD signature signs")
            .unwrap();
    });
    println!(
        "| RSA-2048 signature alone | — | — | {} | {} |",
        ms(median),
        ms(p95)
    );
    for (name, document) in documents {
        let bytes = document.to_string().len();
        let (median, p95) = measure(iterations, || {
            canonical_nquads(&document).unwrap();
        });
        println!(
            "| URDNA2015 canonicalization | {name} | {bytes} | {} | {} |",
            ms(median),
            ms(p95)
        );
        let mut signed = document.clone();
        let (median, p95) = measure(iterations, || {
            signed = document.clone();
            ld_signature::sign(&mut signed, &signer, SystemTime::now()).unwrap();
        });
        println!("| sign | {name} | {bytes} | {} | {} |", ms(median), ms(p95));
        let (median, p95) = measure(iterations, || {
            ld_signature::verify(&signed, &public).unwrap();
        });
        println!(
            "| verify | {name} | {bytes} | {} | {} |",
            ms(median),
            ms(p95)
        );
    }
}
