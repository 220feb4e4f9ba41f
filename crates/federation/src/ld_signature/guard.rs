//! What of a signed document the inbox may believe: its "trusted view".
//!
//! A Linked Data signature covers the RDF statements a document makes, not its JSON, and the
//! inbox reads JSON. A relay (or anyone holding a signed activity) may rewrite the JSON freely
//! as long as the statements stay the same — re-point terms with its own inline context, hide
//! values under keywords (`@graph`, `@included`, `@reverse`), add keys no context defines
//! (they make no statement, so the signature does not cover them). So before anything is
//! believed, the document must have a shape whose JSON means what its statements mean:
//!
//! - its `@context` names only bundled remote contexts and inline objects; an inline object
//!   defines plain terms only (no `@vocab`, `@base`, keyword aliases, scoped contexts, `@reverse`,
//!   `@graph` containers, `@type: @vocab`; `@type: @json` values are literals, never walked),
//!   each standing for an absolute IRI, and never
//!   redefines a term another entry defines differently;
//! - no key anywhere below starts with `@`, values the contexts make IRIs are absolute IRIs
//!   (not blank nodes, not relative), and `type` values are defined terms or IRIs;
//! - then only keys a bundled context defines, or that an inline context defines as the IRI the
//!   inbox reads them as ([`super::contexts::trusted_term`]), are kept; every other key is
//!   dropped from the trusted view (it is not signed, or not understood).
//!
//! Anything else is refused as [`LdSignatureError::Unsafe`]: the activity is then not trusted
//! and the inbox falls back to fetching from the origin.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::LdSignatureError;
use super::contexts::{self, definition_iri, expand, trusted_term};

/// One term of the active context.
struct Term {
    definition: Value,
    /// The key is kept in the trusted view.
    trusted: bool,
}

/// The terms in force for a document.
struct Active {
    terms: HashMap<String, Term>,
    /// Every definition so far, to expand compact IRIs with.
    flat: Map<String, Value>,
}

/// The trusted view of `document` (an object with `@context`), or why it has none.
pub(super) fn trusted_view(document: &Map<String, Value>) -> Result<Value, LdSignatureError> {
    let context = document
        .get("@context")
        .ok_or_else(|| unsafe_doc("the document has no @context"))?;
    let active = active_context(context)?;
    let mut view = Map::new();
    for (key, value) in document {
        match key.as_str() {
            "@context" | "signature" => {
                view.insert(key.clone(), value.clone());
            }
            _ => {
                if let Some(kept) = node_entry(&active, key, value)? {
                    view.insert(key.clone(), kept);
                }
            }
        }
    }
    Ok(Value::Object(view))
}

fn unsafe_doc(reason: &str) -> LdSignatureError {
    LdSignatureError::Unsafe(reason.to_owned())
}

fn active_context(context: &Value) -> Result<Active, LdSignatureError> {
    let entries: Vec<&Value> = match context {
        Value::Array(entries) => entries.iter().collect(),
        single => vec![single],
    };
    let mut active = Active {
        terms: HashMap::new(),
        flat: Map::new(),
    };
    for entry in entries {
        match entry {
            Value::String(url) => {
                let terms = contexts::terms(url)
                    .ok_or_else(|| LdSignatureError::UnknownContext(url.clone()))?;
                for (term, definition) in terms {
                    define(&mut active, term, definition, true)?;
                }
            }
            Value::Object(inline) => {
                for (term, definition) in inline {
                    check_inline(term, definition)?;
                }
                // Prefixes of this object may be used by its own terms.
                let mut prefixes = active.flat.clone();
                prefixes.extend(inline.clone());
                for (term, definition) in inline {
                    let trusted = definition_iri(definition, &prefixes)
                        .is_some_and(|iri| trusted_term(term, &iri));
                    define(&mut active, term, definition, trusted)?;
                }
            }
            _ => {
                return Err(unsafe_doc(
                    "a @context entry is neither a URL nor an object",
                ));
            }
        }
    }
    Ok(active)
}

fn define(
    active: &mut Active,
    term: &str,
    definition: &Value,
    trusted: bool,
) -> Result<(), LdSignatureError> {
    if let Some(existing) = active.terms.get(term) {
        if existing.definition != *definition {
            return Err(LdSignatureError::Unsafe(format!(
                "the context defines {term:?} twice, differently"
            )));
        }
        return Ok(());
    }
    active.terms.insert(
        term.to_owned(),
        Term {
            definition: definition.clone(),
            trusted,
        },
    );
    active.flat.insert(term.to_owned(), definition.clone());
    Ok(())
}

/// An inline term definition must be a plain term standing for an absolute IRI.
fn check_inline(term: &str, definition: &Value) -> Result<(), LdSignatureError> {
    if term.starts_with('@') || term.contains(':') || term.is_empty() {
        return Err(LdSignatureError::Unsafe(format!(
            "an inline context defines {term:?}"
        )));
    }
    let refuse = || LdSignatureError::Unsafe(format!("the inline definition of {term:?}"));
    match definition {
        Value::String(iri) if is_iri(iri) => Ok(()),
        Value::Object(map) => {
            for (key, value) in map {
                let ok = match (key.as_str(), value) {
                    ("@id", Value::String(iri)) => is_iri(iri),
                    ("@type", Value::String(kind)) => {
                        matches!(kind.as_str(), "@id" | "@json") || is_iri(kind)
                    }
                    ("@container", Value::String(container)) => {
                        matches!(container.as_str(), "@list" | "@set" | "@language")
                    }
                    _ => false,
                };
                if !ok {
                    return Err(refuse());
                }
            }
            if map.contains_key("@id") {
                Ok(())
            } else {
                Err(refuse())
            }
        }
        _ => Err(refuse()),
    }
}

/// An absolute or compact IRI: has a scheme (or prefix), is not a blank node or keyword, and
/// has no character an IRI may not hold.
fn is_iri(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme != "_"
        && !text.starts_with('@')
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && !text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// One `key: value` of a node object: the value to keep, none to drop, or a refusal.
fn node_entry(
    active: &Active,
    key: &str,
    value: &Value,
) -> Result<Option<Value>, LdSignatureError> {
    if key.starts_with('@') {
        return Err(LdSignatureError::Unsafe(format!(
            "the document uses the keyword {key:?}"
        )));
    }
    let Some(term) = active.terms.get(key) else {
        return Ok(None);
    };
    match &term.definition {
        Value::String(keyword) if keyword == "@id" => {
            check_iri_values(value, key)?;
            Ok(Some(value.clone()))
        }
        Value::String(keyword) if keyword == "@type" => {
            check_types(active, value)?;
            Ok(Some(value.clone()))
        }
        Value::String(keyword) if keyword.starts_with('@') => Err(LdSignatureError::Unsafe(
            format!("{key:?} stands for the keyword {keyword}"),
        )),
        definition => {
            let coerced = definition.get("@type").and_then(Value::as_str);
            let container = definition.get("@container").and_then(Value::as_str);
            if matches!(coerced, Some("@id" | "@vocab")) {
                check_iri_values(value, key)?;
            }
            if coerced == Some("@json") {
                // A JSON literal: signed as it is, never read as nodes.
                return Ok(term.trusted.then(|| value.clone()));
            }
            let walked = match container {
                // A language map: its keys are language tags, its values plain strings.
                Some("@language") => check_language_map(value, key)?,
                _ => node_value(active, value)?,
            };
            Ok(term.trusted.then_some(walked))
        }
    }
}

/// A value: node objects are walked, arrays element by element, the rest kept.
fn node_value(active: &Active, value: &Value) -> Result<Value, LdSignatureError> {
    match value {
        Value::Object(map) => {
            let mut kept = Map::new();
            for (key, inner) in map {
                if let Some(inner) = node_entry(active, key, inner)? {
                    kept.insert(key.clone(), inner);
                }
            }
            Ok(Value::Object(kept))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| node_value(active, item))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn check_language_map(value: &Value, key: &str) -> Result<Value, LdSignatureError> {
    let fine = match value {
        Value::Object(map) => map.iter().all(|(tag, text)| {
            !tag.starts_with('@')
                && match text {
                    Value::String(_) | Value::Null => true,
                    Value::Array(items) => items.iter().all(Value::is_string),
                    _ => false,
                }
        }),
        Value::Null => true,
        _ => false,
    };
    if fine {
        Ok(value.clone())
    } else {
        Err(LdSignatureError::Unsafe(format!(
            "{key:?} is not a plain language map"
        )))
    }
}

/// Strings where an IRI is expected must be absolute IRIs (a blank node or relative IRI makes
/// a statement the signature does not pin down).
fn check_iri_values(value: &Value, key: &str) -> Result<(), LdSignatureError> {
    let bad = || LdSignatureError::Unsafe(format!("{key:?} holds something that is not an IRI"));
    match value {
        Value::String(text) if is_iri(text) => Ok(()),
        Value::String(_) => Err(bad()),
        Value::Array(items) => items.iter().try_for_each(|item| match item {
            Value::String(text) if !is_iri(text) => Err(bad()),
            _ => Ok(()),
        }),
        _ => Ok(()),
    }
}

/// `type` values must be terms the context defines as IRIs the inbox can trust, or IRIs.
fn check_types(active: &Active, value: &Value) -> Result<(), LdSignatureError> {
    let check = |kind: &Value| -> Result<(), LdSignatureError> {
        let Value::String(kind) = kind else {
            return Err(unsafe_doc("a type is not a string"));
        };
        if let Some(term) = active.terms.get(kind.as_str()) {
            let is_iri_term = term
                .definition
                .as_str()
                .is_none_or(|text| !text.starts_with('@'));
            if term.trusted && is_iri_term {
                return Ok(());
            }
            return Err(LdSignatureError::Unsafe(format!(
                "the type {kind:?} is not one this instance trusts"
            )));
        }
        if is_iri(kind) && expand(kind, &active.flat).is_some() {
            return Ok(());
        }
        Err(LdSignatureError::Unsafe(format!(
            "the type {kind:?} is not defined"
        )))
    };
    match value {
        Value::Array(kinds) => kinds.iter().try_for_each(check),
        single => check(single),
    }
}
