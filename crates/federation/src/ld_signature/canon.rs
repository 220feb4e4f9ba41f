//! URDNA2015 (RDFC-1.0) canonical N-Quads of a JSON-LD document, and its SHA-256: JSON-LD to
//! RDF by `oxjsonld`, with remote contexts taken only from the documents bundled in
//! [`super::contexts`] (never from the network: an unknown context is an error), blank nodes
//! relabelled by `oxrdf`'s RDFC-1.0, then one N-Quads line per quad, sorted.
//!
//! Literals are escaped as URDNA2015's N-Quads do in jsonld.js, pyld and Ruby's rdf-normalize
//! (`\\`, `"`, `\n`, `\r`, and `\t`), so that the hash matches PeerTube's and Mastodon's.

use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxrdf::{Dataset, GraphNameRef, NamedOrBlankNodeRef, TermRef, vocab::xsd};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::LdSignatureError;
use super::contexts;

/// Most quads one document may produce (a PeerTube video has a few hundred).
const MAX_QUADS: usize = 20_000;

/// The lowercase hex SHA-256 of the canonical N-Quads of `document`.
pub(super) fn hash(document: &Value) -> Result<String, LdSignatureError> {
    let nquads = canonical_nquads(document)?;
    Ok(hex_lower(&Sha256::digest(nquads.as_bytes())))
}

/// The canonical N-Quads of `document` (sorted lines, each ending with a newline).
pub(super) fn canonical_nquads(document: &Value) -> Result<String, LdSignatureError> {
    let bytes = serde_json::to_vec(document)
        .map_err(|error| LdSignatureError::Canonicalization(error.to_string()))?;
    let mut dataset = Dataset::new();
    let parser = JsonLdParser::new()
        .for_slice(&bytes)
        .with_load_document_callback(|url, _options| {
            contexts::document(url)
                .map(|text| JsonLdRemoteDocument {
                    document: text.as_bytes().to_vec(),
                    document_url: url.to_owned(),
                })
                .ok_or_else(|| format!("unknown JSON-LD context {url}").into())
        });
    for quad in parser {
        let quad = quad.map_err(|error| {
            let text = error.to_string();
            if text.contains("unknown JSON-LD context") {
                LdSignatureError::UnknownContext(text)
            } else {
                LdSignatureError::Canonicalization(text)
            }
        })?;
        dataset.insert(&quad);
        if dataset.len() > MAX_QUADS {
            return Err(LdSignatureError::Canonicalization(format!(
                "the document makes more than {MAX_QUADS} statements"
            )));
        }
    }
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset
        .iter()
        .map(|quad| {
            let mut line = String::new();
            write_subject(&mut line, quad.subject);
            line.push(' ');
            write_iri(&mut line, quad.predicate.as_str());
            line.push(' ');
            write_term(&mut line, quad.object);
            match quad.graph_name {
                GraphNameRef::DefaultGraph => {}
                GraphNameRef::NamedNode(node) => {
                    line.push(' ');
                    write_iri(&mut line, node.as_str());
                }
                GraphNameRef::BlankNode(node) => {
                    line.push_str(" _:");
                    line.push_str(node.as_str());
                }
            }
            line.push_str(" .\n");
            line
        })
        .collect();
    lines.sort_unstable();
    Ok(lines.concat())
}

fn write_subject(out: &mut String, subject: NamedOrBlankNodeRef<'_>) {
    match subject {
        NamedOrBlankNodeRef::NamedNode(node) => write_iri(out, node.as_str()),
        NamedOrBlankNodeRef::BlankNode(node) => {
            out.push_str("_:");
            out.push_str(node.as_str());
        }
    }
}

fn write_iri(out: &mut String, iri: &str) {
    out.push('<');
    out.push_str(iri);
    out.push('>');
}

fn write_term(out: &mut String, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(node) => write_iri(out, node.as_str()),
        TermRef::BlankNode(node) => {
            out.push_str("_:");
            out.push_str(node.as_str());
        }
        TermRef::Literal(literal) => {
            out.push('"');
            for c in literal.value().chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    other => out.push(other),
                }
            }
            out.push('"');
            if let Some(language) = literal.language() {
                out.push('@');
                out.push_str(language);
            } else if literal.datatype() != xsd::STRING {
                out.push_str("^^");
                write_iri(out, literal.datatype().as_str());
            }
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}
