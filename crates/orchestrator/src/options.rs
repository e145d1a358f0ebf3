//! What the user asked for: the Administration Portal wizard's options with the wizard's
//! defaults (guide §1.2.8), and ours on top (host selection, parallelism, failure budget).

use serde::{Deserialize, Serialize};

/// What to do with VMs that cannot migrate (affinity `pinned`, a vGPU, a host device).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinnedPolicy {
    /// Shut them down gracefully and start them again as soon as their own host is back (the
    /// wizard's "stop pinned VMs", on by default).
    StopAndRestart,
    /// Leave the hosts that run them alone, and say so.
    SkipHost,
}

/// How long things take, for the plan's predictions. The defaults match the simulated engine
/// and a fast migration network; real hosts take 20–30 minutes from upgrade to up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingModel {
    /// Fixed cost of one live migration (setup and switch-over), in milliseconds.
    pub migration_setup_ms: u64,
    /// Live-migration throughput, in bytes per second.
    pub migration_bytes_per_second: u64,
    /// Migrations one host sends (and receives) at once: vdsm's default of 2.
    pub migrations_per_host: usize,
    /// From the upgrade call to the host being up again, with a reboot.
    pub host_upgrade_seconds: u64,
    /// The same without a reboot.
    pub host_upgrade_no_reboot_seconds: u64,
    pub vm_shutdown_seconds: u64,
    pub vm_start_seconds: u64,
    pub upgrade_check_seconds: u64,
}

impl Default for TimingModel {
    fn default() -> Self {
        TimingModel {
            migration_setup_ms: 2_000,
            migration_bytes_per_second: 1 << 30,
            migrations_per_host: 2,
            host_upgrade_seconds: 900,
            host_upgrade_no_reboot_seconds: 600,
            vm_shutdown_seconds: 30,
            vm_start_seconds: 40,
            upgrade_check_seconds: 30,
        }
    }
}

impl TimingModel {
    /// Predicted duration of one migration of a VM with `memory` bytes.
    pub fn migration_ms(&self, memory: u64) -> u64 {
        self.migration_setup_ms + memory * 1000 / self.migration_bytes_per_second.max(1)
    }
}

/// Everything a cluster upgrade run is told. Journaled with the run, so `resume` goes on
/// with the same choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Host names to upgrade; empty means every host of the cluster.
    pub hosts: Vec<String>,
    pub pinned: PinnedPolicy,
    /// How long one host may take from its upgrade call until it is back.
    pub host_timeout_minutes: u32,
    /// Ask each host for updates just before planning (otherwise only hosts the engine already
    /// flags `update_available` are upgraded; the others are listed as skipped).
    pub check_upgrade: bool,
    pub reboot: bool,
    /// Switch the cluster to `cluster_maintenance` for the run, and back afterwards.
    pub use_maintenance_policy: bool,
    /// Hosts upgraded at once, at most; waves of several hosts are planned only where the
    /// other hosts provably hold every VM.
    pub max_parallel: usize,
    /// Hosts that may fail before the run stops starting new ones.
    pub max_failures: usize,
    /// Share of the receiving hosts' memory that must stay free during a wave of several hosts.
    pub headroom_percent: u8,
    /// Seed of the planner's search when its first attempt finds a blocker.
    pub seed: u64,
    #[serde(default)]
    pub timing: TimingModel,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            hosts: Vec::new(),
            pinned: PinnedPolicy::StopAndRestart,
            host_timeout_minutes: 60,
            check_upgrade: false,
            reboot: true,
            use_maintenance_policy: true,
            max_parallel: 1,
            max_failures: 1,
            headroom_percent: 10,
            seed: 0,
            timing: TimingModel::default(),
        }
    }
}
