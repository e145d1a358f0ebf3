//! The plan of a rolling upgrade: waves of hosts, every VM's move, what is stopped, what is
//! skipped and why, what blocks the run, and what it should cost. A value: computed by
//! [`crate::planner`], checked by [`crate::verify`], journaled, rendered by the CLI.

use std::fmt;

use model::{ClusterId, HostId, HostStatus, VmId, VmStatus, GIB};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub cluster: ClusterId,
    pub cluster_name: String,
    /// Hosts upgraded together; a wave starts when the one before it has finished.
    pub waves: Vec<Wave>,
    pub skipped: Vec<SkippedHost>,
    /// Why the run cannot start. A plan with blockers still shows the waves that are possible.
    pub blockers: Vec<Blocker>,
    pub notices: Vec<Notice>,
    pub prediction: Prediction,
}

impl Plan {
    /// The run may start: nothing blocks it.
    pub fn is_feasible(&self) -> bool {
        self.blockers.is_empty()
    }

    pub fn steps(&self) -> impl Iterator<Item = &HostStep> {
        self.waves.iter().flat_map(|w| w.hosts.iter())
    }

    pub fn step(&self, host: HostId) -> Option<&HostStep> {
        self.steps().find(|s| s.host == host)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    pub hosts: Vec<HostStep>,
}

impl Wave {
    /// Hosts this wave takes out of service (hosts already in maintenance are out anyway).
    pub fn hosts_taken_out(&self) -> usize {
        self.hosts.iter().filter(|s| !s.in_place).count()
    }
}

/// One host's part of the run, in the order the executor does it: migrate the VMs away, shut
/// the pinned ones down, upgrade, start the pinned ones again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostStep {
    pub host: HostId,
    pub name: String,
    /// Already in maintenance: upgraded where it is and left in maintenance, as found.
    pub in_place: bool,
    pub migrations: Vec<Migration>,
    /// VMs that cannot migrate, shut down before the upgrade and started after it.
    pub stops: Vec<PinnedVm>,
    pub predicted_seconds: u64,
}

/// A live migration with its destination chosen by the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    pub vm: VmId,
    pub vm_name: String,
    /// Defined memory in bytes.
    pub memory: u64,
    pub from: HostId,
    pub to: HostId,
    pub to_name: String,
    /// The VM is `user_migratable`: the engine moves it only when told to force.
    pub force: bool,
    /// The destination is upgraded later in the run, so the VM will move once more.
    pub moves_again: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedVm {
    pub vm: VmId,
    pub name: String,
    pub memory: u64,
    pub highly_available: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedHost {
    pub host: HostId,
    pub name: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The engine does not flag updates for it, and `--check-upgrade` was not given.
    NoUpdate,
    /// It runs VMs that cannot migrate, and the policy is to skip such hosts.
    RunsPinnedVms { vms: Vec<String> },
    /// Neither up nor in maintenance.
    Status { status: HostStatus },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoUpdate => {
                f.write_str("the engine reports no update (add --check-upgrade to ask the host)")
            }
            SkipReason::RunsPinnedVms { vms } => write!(
                f,
                "runs VMs that cannot migrate ({}) and --skip-pinned-hosts was given",
                vms.join(", ")
            ),
            SkipReason::Status { status } => {
                write!(
                    f,
                    "it is {status}; only hosts up or in maintenance are upgraded"
                )
            }
        }
    }
}

/// Why the run cannot start. Each names the object and says what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    /// The hosts that stay up cannot hold these VMs while `host` is upgraded.
    CannotEvacuate {
        host: String,
        vms: Vec<String>,
        /// Memory the largest of them needs, with the engine's overhead.
        largest_need: u64,
        /// The most free memory any host that could take them has.
        largest_free: u64,
    },
    /// The engine refuses maintenance for the last host up in a cluster.
    OnlyHostUp { host: String },
    /// The hosted-engine VM runs on `host` and no other hosted-engine host can take it.
    HostedEngineNoSpare { host: String },
    /// The engine's upgrade flag is already set on the cluster.
    UpgradeAlreadyRunning { cluster: String },
    /// Gluster volumes have entries waiting for self-heal; the engine refuses maintenance.
    GlusterHealing { volumes: Vec<String> },
    /// A VM on a host to upgrade is in a state that can neither migrate nor shut down cleanly.
    VmNotMovable {
        host: String,
        vm: String,
        status: VmStatus,
    },
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / GIB as f64)
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::CannotEvacuate { host, vms, largest_need, largest_free } => write!(
                f,
                "host {host} cannot be emptied: no host that stays up has room for {} (the largest needs {}, the most free memory is {}); free memory, stop VMs or add a host",
                vms.join(", "),
                gib(*largest_need),
                gib(*largest_free)
            ),
            Blocker::OnlyHostUp { host } => write!(
                f,
                "host {host} is the only host up in the cluster and the engine refuses to put it in maintenance; add or activate another host"
            ),
            Blocker::HostedEngineNoSpare { host } => write!(
                f,
                "the hosted-engine VM runs on {host} and no other hosted-engine host can take it; deploy a second hosted-engine host"
            ),
            Blocker::UpgradeAlreadyRunning { cluster } => write!(
                f,
                "the engine says an upgrade is already running on cluster {cluster}; wait for it, or if it is stale, finish it (POST /clusters/ID/upgrade upgrade_action=finish)"
            ),
            Blocker::GlusterHealing { volumes } => write!(
                f,
                "gluster volumes {} have entries waiting for self-heal; wait until `gluster volume heal VOLUME info` shows none",
                volumes.join(", ")
            ),
            Blocker::VmNotMovable { host, vm, status } => write!(
                f,
                "VM {vm} on host {host} is {status}; resume it, migrate it or shut it down first"
            ),
        }
    }
}

/// Things worth knowing that do not stop the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The cluster already uses `cluster_maintenance`: probably left by an earlier run.
    PolicyAlreadyMaintenance,
    /// A highly available VM that cannot migrate will be down while its host is upgraded.
    PinnedHighlyAvailable { vm: String, host: String },
    /// Gluster clusters are upgraded one host at a time to keep every replica set whole.
    GlusterOneAtATime,
    /// The VM is changing state; the executor waits for it to settle before moving it.
    VmSettling { vm: String, status: VmStatus },
    /// These hosts are planned as if the engine will find updates (`--check-upgrade`).
    AssumesUpdates { hosts: Vec<String> },
    /// Waves of several hosts would leave a later host impossible to empty; one at a time
    /// works.
    OneAtATime,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::PolicyAlreadyMaintenance => f.write_str(
                "the cluster already uses the cluster_maintenance policy, perhaps left by an earlier run; it is kept and restored as found",
            ),
            Notice::PinnedHighlyAvailable { vm, host } => write!(
                f,
                "highly available VM {vm} cannot migrate and will be down while {host} is upgraded"
            ),
            Notice::GlusterOneAtATime => {
                f.write_str("gluster cluster: one host at a time, so every replica set stays whole")
            }
            Notice::VmSettling { vm, status } => {
                write!(f, "VM {vm} is {status}; the run waits for it to settle before moving it")
            }
            Notice::AssumesUpdates { hosts } => write!(
                f,
                "{} will be asked for updates first; the plan assumes they have some",
                hosts.join(", ")
            ),
            Notice::OneAtATime => f.write_str(
                "waves of several hosts would leave a later host impossible to empty, so the plan takes one host at a time",
            ),
        }
    }
}

/// What the plan should cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub hosts: usize,
    pub waves: usize,
    /// The most hosts out of service at once because of the run.
    pub max_hosts_out: usize,
    pub migrations: usize,
    /// Distinct VMs that migrate at least once.
    pub vms_moved: usize,
    /// VMs that migrate twice (their first destination is upgraded later).
    pub vms_moving_twice: usize,
    /// VMs running in the cluster when planned.
    pub running_vms: usize,
    /// VMs shut down and started again.
    pub vms_stopped: usize,
    pub duration_seconds: u64,
}

impl Prediction {
    /// Migrations per VM that moves at all (1.0 is the floor).
    pub fn migrations_per_moved_vm(&self) -> f64 {
        if self.vms_moved == 0 {
            0.0
        } else {
            self.migrations as f64 / self.vms_moved as f64
        }
    }
}
