//! A simulated oVirt engine: the embedded default for the demo and the test bed for
//! everything that talks to an engine.
//!
//! [`Simulator`] holds an inventory, a virtual clock and a seeded random generator, and
//! behaves like the engine (status sequences, validations, event codes, the scheduler's
//! choices); [`faults::Faults`] injects failures; [`invariants`] checks every run.
//! [`SimEngine`] serves it in-process through the [`model::engine::Engine`] seam on tokio's
//! clock, which tests pause to run deterministically; [`http`] serves the same engine at
//! `/ovirt-engine/api` to real clients.

mod engine;
pub mod faults;
pub mod http;
mod inprocess;
pub mod invariants;
mod measure;
pub mod messages;
pub mod placement;
pub mod search;

pub use engine::{
    ExternalEvent, Machine, MachineState, Reinstall, SimConfig, Simulator, StoredDomain,
};
pub use faults::{Faults, TransportFaults};
pub use inprocess::{SimEngine, TransportRoll, SLOW_ANSWER};
pub use invariants::Violation;
