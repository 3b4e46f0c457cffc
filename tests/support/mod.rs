//! Shared support for the integration tests.
//!
//! A test file that needs it declares `mod support;`. `engines` applies SQL
//! scripts to real databases through their command-line clients, the way a
//! DBA applies schemac's output; `catalog` is the engine-neutral description
//! of the schema that `engines` reads back.

// Every test crate compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod catalog;
pub mod engines;
pub mod roundtrip;
mod sqlite_ddl;
