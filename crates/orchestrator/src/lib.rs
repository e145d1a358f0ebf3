//! The rolling cluster upgrade, planned up front and carried out resumably.
//!
//! - [`planner`] turns an inventory and the user's [`Options`] into a [`Plan`]: the host
//!   order in waves, every VM's destination (migrate-once), what is stopped and skipped, what
//!   blocks the run, and what it should cost. Pure: no IO, no clock.
//! - [`verify`] replays a plan and proves every intermediate state feasible.
//! - [`executor`] carries a plan out through the [`model::engine::Engine`] seam only, on a
//!   [`Clock`], journaling before and after every side effect into a [`Journal`] (SQLite),
//!   emitting [`RunEvent`]s; [`executor::resume`] picks a killed run up.
//! - [`baseline`] holds the two ways others do it, for `bench rolling`: the oVirt
//!   `cluster_upgrade` role and Xen Orchestra's rolling pool update, built from the research.
//! - [`bench`] generates seeded clusters and measures runs.
//! - [`hosted_engine`] reads the self-hosted engine's state the way `hosted-engine
//!   --vm-status` shows it, and turns global maintenance on and off.
//! - [`chain`] is the compatibility chain after the hosts: cluster levels, the restarts of VMs
//!   with a pending configuration, data-center levels, validated first and journaled the
//!   same way.
//! - [`workflow`] is the whole upgrade as the guide's chapter orders it: global maintenance,
//!   the Manager's update, every cluster's hosts (retrying a failed installation), the
//!   chain; its decisions pure, its steps journaled over the other runs' journals.
//!
//! - [`migrate`] is the 4.3 → 4.4 host migration: every Enterprise Linux 7 host emptied,
//!   removed, reinstalled by the administrator's hook and added back, planned by the rolling
//!   planner and journaled the same way.
//!
//! Nothing here prints; the CLI renders the events, the plan and the summary.

pub mod baseline;
pub mod bench;
pub mod chain;
pub mod clock;
pub mod cluster;
pub mod event;
pub mod executor;
pub mod hosted_engine;
pub mod journal;
pub mod migrate;
pub mod options;
pub mod plan;
pub mod planner;
pub mod state;
pub mod verify;
pub mod workflow;

pub use clock::{Clock, TokioClock};
pub use event::{EventSink, Outcome, RunEvent, Summary};
pub use executor::{resume, run, ExecuteError, StopSignal};
pub use journal::{Journal, JournalError, RunHeader};
pub use options::{Options, PinnedPolicy, TimingModel};
pub use plan::{Blocker, Plan};
pub use planner::{find_cluster, plan, PlanError};
pub use state::RunStatus;
