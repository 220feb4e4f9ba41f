//! Rows and documents the tests are made of (each test binary uses some of them).
#![allow(dead_code)]

pub mod delivery_bench;
pub mod fixtures;
pub mod netns;
pub mod origin;
pub mod servers;

use kinora_db::accounts::AccountRow;
use kinora_federation::protocol::parse::ParseError;
use serde_json::Value;

/// Local account `alice` (id 2, actor 20), described as `description`.
pub fn alice(display_name: &str, description: Option<&str>) -> AccountRow {
    AccountRow {
        id: 2,
        actor_id: 20,
        user_id: Some(1),
        name: "alice".into(),
        host: None,
        url: None,
        display_name: display_name.into(),
        description: description.map(str::to_owned),
        created_at: 0,
        updated_at: 0,
    }
}

/// A document of `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A document of the shared PeerTube fixtures (`ap-json/`).
pub fn shared(name: &str) -> Value {
    let path = format!(
        "{}/../../../shared/fixtures/peertube/ap-json/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A refusal case: what it is, how it spoils a good document, which field is refused.
pub type Case = (&'static str, Box<dyn FnOnce(&mut Value)>, &'static str);

/// The field a parse refused (or the shape problem), for comparing with a case.
pub fn refused_field(result: Result<(), ParseError>) -> String {
    match result {
        Err(ParseError::Invalid { field, .. }) => field.to_owned(),
        Err(ParseError::Shape { detail, .. }) => format!("shape: {detail}"),
        Err(other) => other.to_string(),
        Ok(()) => panic!("accepted"),
    }
}
