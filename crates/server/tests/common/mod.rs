//! Helpers shared by the server's integration tests (each test binary uses some of them).
#![allow(dead_code)]

pub mod harness;
pub mod process;
