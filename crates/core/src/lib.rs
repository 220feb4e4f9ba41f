//! Kinora's domain core: identifiers, names, roles and the validation rules they obey.
//!
//! This crate knows nothing of HTTP, SQL, object storage, libav or BitTorrent and depends on no
//! other Kinora crate; every other crate depends on it. Start reading at [`names`] (what a valid
//! username or channel name is), then [`user`] (roles, registration modes, quotas).

pub mod abuse;
pub mod captions;
pub mod chapters;
pub mod dates;
pub mod email;
pub mod federation;
pub mod labels;
pub mod live;
pub mod magnet;
pub mod media_signature;
pub mod mp4;
pub mod names;
pub mod network;
pub mod notifications;
pub mod playlist;
pub mod preferences;
pub mod remote;
pub mod swarm;
pub mod torrents;
pub mod transcoding;
pub mod urls;
pub mod user;
pub mod video;

pub use names::{ActorName, NameError};
pub use user::{RegistrationMode, UserRole};
