//! The renditions of a remote video as stored: [`kinora_core::remote`], re-exported where the
//! parsers produce them.

pub use kinora_core::remote::{RemoteFile, media_playlist_of};
