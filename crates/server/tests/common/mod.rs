//! Helpers shared by the server's integration tests (each test binary uses some of them).
#![allow(dead_code)]

pub mod activitypub;
pub mod garage;
pub mod harness;
pub mod instance;
pub mod process;
pub mod tcp_proxy;
pub mod videos;
