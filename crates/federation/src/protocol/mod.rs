//! ActivityPub documents as PeerTube shapes them.
//!
//! Outgoing: builders that turn plain rows into JSON with PeerTube's `@context` for their type
//! ([`actors`], [`video`], [`notes`], [`activities`], [`collections`]), and [`loader`], which
//! reads what they need from the database (the one call for the fan-out and the read routes).
//! Incoming: [`parse`], typed and bounded, which returns the ids a document names for the
//! caller to check against who signed or where it was fetched from. [`remote_file`] is how a
//! remote video's renditions are stored.

pub mod activities;
pub mod actors;
pub mod audience;
pub mod collections;
pub mod context;
pub mod loader;
pub mod notes;
pub mod parse;
pub mod playlist;
pub mod remote_file;
pub mod reply_approval;
pub mod video;

pub use audience::{Audience, PUBLIC};
pub use context::{ContextType, context, with_context, without_context};
