//! schemac compiles neutral TOML schema revisions into SQL scripts for
//! PostgreSQL, MySQL/MariaDB and SQLite. The pipeline, one module per stage:
//! `load` -> `graph` -> `replay` -> `plan` -> `render` -> `verify`, driven by
//! `compile` and dispatched by `cli`. See the README's Architecture section.

pub mod autogen;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod compile;
pub mod config;
pub mod diag;
pub mod dialect;
pub mod doc;
pub mod embedded;
pub mod fxhash;
pub mod graph;
pub mod inverse;
pub mod load;
pub mod model;
pub mod naming;
pub mod ops;
pub mod plan;
pub mod populate;
pub mod rawsql;
pub mod render;
pub mod replay;
pub mod revision;
pub mod sqlwords;
pub mod step;
pub mod verify;
