//! `/api/v1/abuses/{id}/messages`: the conversation of a report between its reporter and the
//! moderators (others: 403).

pub mod create;
pub mod delete;
pub mod list;
