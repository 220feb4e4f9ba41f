//! `/api/v1/oauth-clients`.

pub mod local;
