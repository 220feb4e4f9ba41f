//! Helpers shared by the federation crate's tests.
#![allow(dead_code)]

pub mod fixtures;
pub mod netns;
pub mod origin;
pub mod servers;
