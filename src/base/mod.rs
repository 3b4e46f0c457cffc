//! Shared helpers below every stage: diagnostic codes and diagnostics,
//! did-you-mean, the TOML document, generated names, SQL word scanning,
//! the embedded dialect files, the fast hash, user text on its way out. Nothing here imports a stage.

pub mod codes;
pub mod diag;
pub mod doc;
pub mod embedded;
pub mod files;
pub mod fxhash;
pub mod naming;
pub mod sqlwords;
pub mod suggest;
pub mod text;
