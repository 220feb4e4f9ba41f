//! `/api/v1/bulk`: actions on many objects at once.

pub mod remove_comments_of;
