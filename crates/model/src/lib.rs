//! Domain types of an oVirt environment, and what we know about its releases.
//!
//! Everything here is a value: no IO, no clock. Versions compare as numbers, ids are typed,
//! enums carry the engine's exact spellings.

pub mod engine;
pub mod id;
pub mod index;
pub mod inventory;
pub mod os;
pub mod release;
pub mod rng;
pub mod summary;
pub mod text;
pub mod time;
pub mod validate;
pub mod version;

pub use id::*;
pub use index::InventoryIndex;
pub use inventory::*;
pub use os::{ElVersion, ElVersionError};
pub use summary::Summary;
pub use text::{Lang, Text};
pub use time::{Date, DateError, Timestamp};
pub use validate::Problem;
pub use version::{Level, PackageVersion, Version, VersionError};

/// A word that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}` (expected one of: {expected})")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub expected: String,
}

/// Bytes in a gibibyte, the unit oVirt's portal shows memory in.
pub const GIB: u64 = 1 << 30;
