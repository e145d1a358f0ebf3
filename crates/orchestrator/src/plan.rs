//! The plan of a rolling upgrade: waves of hosts, every VM's move, what is stopped, what is
//! skipped and why, what blocks the run, and what it should cost. A value: computed by
//! [`crate::planner`], checked by [`crate::verify`], journaled, rendered by the CLI.

use std::fmt;

use model::{ClusterId, HostId, HostStatus, Text, VmId, VmStatus, GIB};
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
    /// Out of service already (in maintenance, or install_failed): upgraded where it is, with
    /// no VMs to move.
    pub in_place: bool,
    /// Where an in-place upgrade leaves the host: in maintenance as found, or up for a host
    /// found install_failed, which the engine activates after installing it again.
    #[serde(default = "maintenance")]
    pub in_place_ends: HostStatus,
    pub migrations: Vec<Migration>,
    /// VMs that cannot migrate, shut down before the upgrade and started after it.
    pub stops: Vec<PinnedVm>,
    pub predicted_seconds: u64,
}

fn maintenance() -> HostStatus {
    HostStatus::Maintenance
}

impl HostStep {
    /// The status the plan found the host in.
    pub fn found(&self) -> HostStatus {
        match (self.in_place, self.in_place_ends) {
            (false, _) => HostStatus::Up,
            (true, HostStatus::Up) => HostStatus::InstallFailed,
            (true, _) => HostStatus::Maintenance,
        }
    }

    /// The status a finished upgrade leaves the host in.
    pub fn ends(&self) -> HostStatus {
        if self.in_place {
            self.in_place_ends
        } else {
            HostStatus::Up
        }
    }
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

impl SkipReason {
    pub fn message(&self) -> Text {
        match self {
            SkipReason::NoUpdate => Text::new(
                "the engine reports no update (add --check-upgrade to ask the host)",
                "エンジンは更新なしと報告しています (--check-upgrade でホストに確認)",
            ),
            SkipReason::RunsPinnedVms { vms } => Text::owned(
                format!(
                    "runs VMs that cannot migrate ({}) and --skip-pinned-hosts was given",
                    vms.join(", ")
                ),
                format!(
                    "移行できない VM ({}) が動いており、--skip-pinned-hosts が指定されています",
                    vms.join(", ")
                ),
            ),
            SkipReason::Status { status } => Text::owned(
                format!("it is {status}; only hosts up or in maintenance are upgraded"),
                format!(
                    "{status} です。アップグレードするのは稼働中かメンテナンス中のホストだけです"
                ),
            ),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
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

impl Blocker {
    /// The object, what stands in the way and what to do, in both languages.
    pub fn message(&self) -> Text {
        match self {
            Blocker::CannotEvacuate { host, vms, largest_need, largest_free } => Text::owned(
                format!(
                    "host {host} cannot be emptied: no host that stays up has room for {} (the largest needs {}, the most free memory is {}); free memory, stop VMs or add a host",
                    vms.join(", "),
                    gib(*largest_need),
                    gib(*largest_free)
                ),
                format!(
                    "ホスト {host} を空にできません: 残るホストに {} の空きがありません (最大の VM は {}、空きは最大 {})。メモリを空けるか、VM を停止するか、ホストを追加してください",
                    vms.join(", "),
                    gib(*largest_need),
                    gib(*largest_free)
                ),
            ),
            Blocker::OnlyHostUp { host } => Text::owned(
                format!("host {host} is the only host up in the cluster and the engine refuses to put it in maintenance; add or activate another host"),
                format!("ホスト {host} はクラスターで唯一稼働中のホストで、エンジンはメンテナンスを拒否します。別のホストを追加または有効化してください"),
            ),
            Blocker::HostedEngineNoSpare { host } => Text::owned(
                format!("the hosted-engine VM runs on {host} and no other hosted-engine host can take it; deploy a second hosted-engine host"),
                format!("Hosted Engine VM は {host} で動いており、受け入れられる Hosted Engine ホストが他にありません。2 台目の Hosted Engine ホストをデプロイしてください"),
            ),
            Blocker::UpgradeAlreadyRunning { cluster } => Text::owned(
                format!("the engine says an upgrade is already running on cluster {cluster}; wait for it, or if it is stale, finish it (POST /clusters/ID/upgrade upgrade_action=finish)"),
                format!("クラスター {cluster} ではアップグレードがすでに実行中です。完了を待つか、古いものなら終了させてください (POST /clusters/ID/upgrade upgrade_action=finish)"),
            ),
            Blocker::GlusterHealing { volumes } => Text::owned(
                format!("gluster volumes {} have entries waiting for self-heal; wait until `gluster volume heal VOLUME info` shows none", volumes.join(", ")),
                format!("Gluster ボリューム {} に自己修復待ちのエントリーがあります。`gluster volume heal VOLUME info` で 0 件になるまで待ってください", volumes.join(", ")),
            ),
            Blocker::VmNotMovable { host, vm, status } => Text::owned(
                format!("VM {vm} on host {host} is {status}; resume it, migrate it or shut it down first"),
                format!("ホスト {host} の VM {vm} は {status} です。先に再開、移行、またはシャットダウンしてください"),
            ),
        }
    }
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
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
    /// The host's last installation failed; it is installed again, which works once the cause
    /// (in its host-deploy log) is fixed.
    RetriesInstallFailed { host: String },
}

impl Notice {
    pub fn message(&self) -> Text {
        match self {
            Notice::PolicyAlreadyMaintenance => Text::new(
                "the cluster already uses the cluster_maintenance policy, perhaps left by an earlier run; it is kept and restored as found",
                "クラスターはすでに cluster_maintenance ポリシーです (以前の実行の残りかもしれません)。そのまま保持し、見つけた状態に戻します",
            ),
            Notice::PinnedHighlyAvailable { vm, host } => Text::owned(
                format!("highly available VM {vm} cannot migrate and will be down while {host} is upgraded"),
                format!("高可用性 VM {vm} は移行できず、{host} のアップグレード中は停止します"),
            ),
            Notice::GlusterOneAtATime => Text::new(
                "gluster cluster: one host at a time, so every replica set stays whole",
                "Gluster クラスター: すべてのレプリカセットを保つため 1 台ずつ",
            ),
            Notice::VmSettling { vm, status } => Text::owned(
                format!("VM {vm} is {status}; the run waits for it to settle before moving it"),
                format!("VM {vm} は {status} です。落ち着くのを待ってから移行します"),
            ),
            Notice::AssumesUpdates { hosts } => Text::owned(
                format!("{} will be asked for updates first; the plan assumes they have some", hosts.join(", ")),
                format!("{} には最初に更新を確認します。計画は更新があるものとしています", hosts.join(", ")),
            ),
            Notice::OneAtATime => Text::new(
                "waves of several hosts would leave a later host impossible to empty, so the plan takes one host at a time",
                "複数台ずつのウェーブでは後のホストを空にできなくなるため、1 台ずつ計画しました",
            ),
            Notice::RetriesInstallFailed { host } => Text::owned(
                format!("{host} is install_failed: it is installed again, which works once the cause in its host-deploy log (/var/log/ovirt-engine/host-deploy/) is fixed"),
                format!("{host} は install_failed です。再度インストールします。host-deploy のログ (/var/log/ovirt-engine/host-deploy/) にある原因を先に解消してください"),
            ),
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
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
