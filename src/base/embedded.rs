//! The files under `dialects/` (data and templates), embedded in the binary
//! by `build.rs` as `(folder, file name, text)`, so that the installed tool
//! does not depend on the working directory.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
