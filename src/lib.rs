//! schemac compiles neutral TOML schema revisions into SQL scripts for
//! PostgreSQL, MySQL/MariaDB and SQLite. The modules follow the pipeline,
//! top to bottom, and none imports one above it:
//!
//! - `cli` (the command line) and `commands` (one function per command);
//! - `output` (files written: temporary, renamed into place, removed on an interrupt);
//! - `compile`, the driver: range -> replay -> plan -> render -> script;
//! - `render` (templates in `dialects/`, and `verify` with sqlparser);
//! - `plan` (typed steps per dialect);
//! - `replay` (the schema model, semantic checks, derived downgrades);
//! - `graph` (the revision chain);
//! - `language` (revision files and configuration);
//! - `dialect` (dialect data);
//! - `vocab` (operations, types, values);
//! - `base` (diagnostics, codes, shared helpers).
//!
//! See the README's Architecture section.

pub mod base;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod dialect;
pub mod graph;
pub mod language;
pub mod output;
pub mod plan;
pub mod render;
pub mod replay;
pub mod vocab;
