//! The orchestrator's tests: the planner (examples, blockers, properties), the executor
//! against the simulated engine on a paused clock (hundreds of seeds with faults and kills),
//! the journal, and the whole upgrade as one workflow (killed and resumed).

mod chain;
mod harness;
mod hosted_engine;
mod journal;
mod migrate;
mod planner;
mod simulation;
mod workflow;
