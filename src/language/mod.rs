//! Stage 1, the language: reading revision files (and the configuration)
//! into located operations, with a diagnostic for every wrong key or value.

pub mod config;
pub mod load;
