//! The simulator over HTTP at `/ovirt-engine/api`, as the official clients expect it.

pub mod auth;
pub mod fields;
pub mod query;
