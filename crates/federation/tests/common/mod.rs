//! Helpers shared by the federation crate's tests.
#![allow(dead_code)]

pub mod fixtures;
