//! `/api/v1/videos/{id}/comment-threads`: a video's threads, a new thread, one thread's tree.

pub mod create;
pub mod get;
pub mod list;
