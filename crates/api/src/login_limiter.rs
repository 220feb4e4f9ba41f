//! Login attempt limits: [`kinora_app::login_limits`], whose counters live in the database so
//! that every server process spends one budget per account and per address.

pub use kinora_app::login_limits::{LoginKey, LoginLimiter};
