//! The neutral vocabulary: what a revision can say (operations) and the
//! values it says it with (types, values), independent of any dialect and
//! of how files are read. Below the language, the replay stage and the planner.

pub mod ops;
pub mod types;
