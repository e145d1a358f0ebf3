//! The 4.3 → 4.4 host migration of a cluster (guide §1.1.8, §2.1.6, §3.1.7, and §1.1.9 for
//! local storage): every Enterprise Linux 7 host emptied, put in maintenance, removed from the
//! Manager, reinstalled with Enterprise Linux 8 outside the engine, added back to its cluster
//! (as a hosted-engine host where it was one) and waited for until it is up.
//!
//! - [`plan`] decides, pure: the host order and every VM's destination come from the rolling
//!   upgrade's planner (migrate-once: VMs go to hosts already reinstalled; the Manager VM's
//!   host last), with what the migration adds: what blocks it, what to warn about, the
//!   cluster level, and for a local-storage host its domains (§1.1.9).
//! - [`executor`] carries it out through the engine seam and a [`Reinstaller`] (the
//!   administrator's hook), journaling before and after every side effect; a resume looks
//!   each host up by its address, so it never removes a host twice nor adds one twice. A
//!   local-storage host's VMs are shut down, its domains put in maintenance and taken out of
//!   the engine's records (the disk is not touched), and once it is back a new first domain
//!   brings its data center up and the old domains are imported with their VMs.
//! - [`state`] folds the journal for resume and status.

pub mod executor;
pub mod plan;
pub mod state;

use std::fmt;
use std::future::Future;

use model::{
    Affinity, ClusterId, DataCenterId, ElVersion, HostId, HostStatus, Level, StorageDomainId, Text,
    Version, VmId,
};
use serde::{Deserialize, Serialize};

use crate::journal::{Log, LogEntry, RunKind};
use crate::options::TimingModel;
use crate::plan::{Migration, Prediction};

pub use executor::{resume, run, MigrateError};
pub use plan::plan;
pub use state::{MigrateState, MigrateStatus};

/// A cluster's host migration.
#[derive(Debug)]
pub struct MigrateRun;

impl RunKind for MigrateRun {
    const NAME: &'static str = "migrate-hosts";
    const DESCRIPTION: &'static str = "a host migration to 4.4";
    type Header = MigrateHeader;
    type Record = MigrateRecord;
    fn record_kind(record: &MigrateRecord) -> &'static str {
        record.kind()
    }
    fn run_id(header: &MigrateHeader) -> &str {
        &header.run_id
    }
    fn engine(header: &MigrateHeader) -> &str {
        &header.engine
    }
}

pub type MigrateJournal = Log<MigrateRun>;
pub type MigrateEntry = LogEntry<MigrateRecord>;

/// Who and what a host migration is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrateHeader {
    pub run_id: String,
    pub engine: String,
    pub cluster_name: String,
    pub correlation_id: String,
    pub created_ms: i64,
    /// The reinstall as the administrator gave it (a command template, `pause`, or the
    /// simulated engine's), so that a resume does it the same way.
    pub reinstall: String,
    /// The file root's password is read from when the engine logs in by password; the
    /// password itself is never journaled.
    pub root_password_file: Option<String>,
}

/// What the administrator asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrateOptions {
    /// Hosts reinstalled at once, at most (the rolling planner's waves).
    pub max_parallel: usize,
    pub seed: u64,
    /// What the reinstall puts on the machines (EL8 for a 4.4 Manager).
    pub os: ElVersion,
    /// How long a reinstall should take, for the prediction.
    pub reinstall_minutes: u32,
    /// How long a machine may take to come back from its reinstall before it counts as lost,
    /// and a local domain's import in the portal before the host fails.
    pub reinstall_timeout_minutes: u32,
    /// How long a host may take from its addition until it is up.
    pub host_timeout_minutes: u32,
    pub timing: TimingModel,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            max_parallel: 1,
            seed: 0,
            os: ElVersion::new(8, 6),
            reinstall_minutes: 30,
            reinstall_timeout_minutes: 120,
            host_timeout_minutes: 60,
            timing: TimingModel::default(),
        }
    }
}

/// The migration decided up front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationPlan {
    pub cluster: ClusterId,
    pub cluster_name: String,
    pub manager: Version,
    /// The cluster's level now; it stays there until every host is back.
    pub level: Level,
    /// Hosts reinstalled together; a wave starts when the one before it is back.
    pub waves: Vec<Vec<HostMigration>>,
    /// Hosts not migrated and why (already Enterprise Linux 8, not up).
    pub skipped: Vec<SkippedMachine>,
    pub blockers: Vec<MigrationBlocker>,
    pub warnings: Vec<MigrationWarning>,
    pub options: MigrateOptions,
    pub prediction: Prediction,
}

impl MigrationPlan {
    pub fn is_feasible(&self) -> bool {
        self.blockers.is_empty()
    }

    pub fn hosts(&self) -> impl Iterator<Item = &HostMigration> {
        self.waves.iter().flatten()
    }

    /// The level the cluster may take once every host is back: the newest the Manager offers.
    pub fn level_after(&self) -> Option<Level> {
        model::release::release_of(self.manager)
            .ok()
            .and_then(|r| r.cluster_levels_at(self.manager.patch).last().copied())
    }
}

/// One host's migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostMigration {
    /// Its id before the removal; it comes back with another.
    pub host: HostId,
    pub name: String,
    /// Where the engine reaches the machine, and how the run finds its host again.
    pub address: String,
    pub os: ElVersion,
    /// Added back with hosted engine deployed, as it was.
    pub hosted_engine: bool,
    /// It runs the Manager's VM: the last of the hosted-engine hosts.
    pub runs_manager_vm: bool,
    /// Its VMs' moves, destinations named (ids change as hosts come back).
    pub migrations: Vec<Migration>,
    /// The VMs its removal needs out of the way, which do not migrate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<PinnedVmPlan>,
    /// Its data center's storage is on its own disks (§1.1.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalStorage>,
    pub predicted_seconds: u64,
}

/// A local-storage host's storage (§1.1.9). Its VMs cannot leave it: they are shut down,
/// its domains put in maintenance and taken out of the engine's records with their VMs (the
/// disk keeps them); the reinstall keeps that disk and mounts it where it was. Once the host
/// is back, a new first domain brings the data center up (it is uninitialized without one,
/// and keeps its networks and permissions), and the old domains are imported from their
/// directories, their VMs registered into the cluster again with their ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalStorage {
    pub data_center: DataCenterId,
    pub data_center_name: String,
    /// The data domains on the host, non-master first: the order the engine takes them out.
    pub domains: Vec<LocalDomain>,
    /// The new first domain: a new empty directory on the host.
    pub first_domain: String,
    pub first_path: String,
}

/// One of a local-storage host's domains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalDomain {
    /// It keeps its id through the import.
    pub id: StorageDomainId,
    pub name: String,
    /// Its directory on the host, where the reinstalled host mounts it again.
    pub path: String,
    pub master: bool,
}

/// A VM the engine would not let a host go with (`RemoveVdsCommand.validate`): pinned to it,
/// down or running there, or running there unable to migrate (a vGPU, host devices). If it
/// runs there it is shut down; the host is taken out of its placement; once the host is back
/// under its new id, the VM is pinned to that and, if it ran, started again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PinnedVmPlan {
    pub vm: String,
    /// It runs on the host: shut down, and started again once the host is back.
    pub running: bool,
    /// It has host devices, which the engine drops when its placement changes
    /// (`UpdateVmCommand.updateVmHostDevices`): it is left down to have them attached again.
    pub host_devices: bool,
    /// How long it is down, predicted: its shutdown, the host's reinstall and deployment, its
    /// start. None when it is not started by the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_seconds: Option<u64>,
}

impl PinnedVmPlan {
    /// Shut down by the run and started again by it.
    pub fn restarted(&self) -> bool {
        self.running && !self.host_devices
    }
}

/// A host the run does not reinstall, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedMachine {
    pub name: String,
    pub os: ElVersion,
    pub status: HostStatus,
}

/// Why the migration cannot start. Each names the object and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MigrationBlocker {
    /// Hosts reinstalled with Enterprise Linux 8 need a 4.4 Manager first (§1.1.1–1.1.7).
    ManagerTooOld { manager: Version },
    /// A 4.4 host cannot join a cluster below 4.2 (§1.1.8's prerequisites).
    LevelTooLow { cluster: String, level: Level },
    /// The rolling planner's: a host cannot be emptied, the Manager VM has nowhere to go, …
    Evacuation { blocker: crate::plan::Blocker },
    /// The inventory does not say where a local domain lives on its host.
    LocalPathUnknown { domain: String },
    /// A local data center also has shared domains (ISO, export): the engine removes no
    /// host from a local data center that has any domain.
    SharedDomainsInLocalDataCenter {
        data_center: String,
        domains: Vec<String>,
    },
}

impl MigrationBlocker {
    pub fn message(&self) -> Text {
        match self {
            MigrationBlocker::ManagerTooOld { manager } => Text::owned(
                format!("the Manager runs {manager}; migrate it to 4.4 first (guide §1.1.1–1.1.7: back up, install RHEL 8 and the 4.4 Manager, restore): a 4.3 Manager cannot add Enterprise Linux 8 hosts"),
                format!("Manager は {manager} です。先に 4.4 に移行してください (ガイド §1.1.1–1.1.7: バックアップ、RHEL 8 と 4.4 Manager のインストール、リストア)。4.3 の Manager は Enterprise Linux 8 ホストを追加できません"),
            ),
            MigrationBlocker::LevelTooLow { cluster, level } => Text::owned(
                format!("cluster {cluster} is at level {level}; 4.4 hosts join clusters at 4.2 or later: raise it to 4.2 or 4.3 first"),
                format!("クラスター {cluster} の互換レベルは {level} です。4.4 ホストが参加できるのは 4.2 以降です。先に 4.2 または 4.3 に上げてください"),
            ),
            MigrationBlocker::Evacuation { blocker } => blocker.message(),
            MigrationBlocker::LocalPathUnknown { domain } => Text::owned(
                format!("the inventory does not say where local domain {domain} lives on its host: take the inventory from the engine again (ovirt-upgrade inventory export), which reads its path"),
                format!("ローカルドメイン {domain} のホスト上のパスがインベントリにありません。エンジンからインベントリを取り直してください (ovirt-upgrade inventory export)"),
            ),
            MigrationBlocker::SharedDomainsInLocalDataCenter { data_center, domains } => {
                let domains = domains.join(", ");
                Text::owned(
                    format!("local data center {data_center} also has {domains}; the engine removes no host from a local data center with any domain: put them in maintenance and detach them (Storage → Data Center → Maintenance, Detach), attach them again once the host is back"),
                    format!("ローカルデータセンター {data_center} には {domains} もあります。ドメインが残るローカルデータセンターからはホストを削除できません。メンテナンスにしてデタッチし (ストレージ → データセンター → メンテナンス、デタッチ)、ホストが戻ったら再度アタッチしてください"),
                )
            }
        }
    }
}

impl fmt::Display for MigrationBlocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// What the administrator should know before the run; none of it stops it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MigrationWarning {
    /// CPU passthrough: it migrates only between hosts with the same CPU, and reinstalled
    /// hosts must keep it.
    CpuPassthrough { vm: String },
    /// Host devices are attached by the host's id, which the removal ends; the engine drops
    /// them when the VM's placement changes, so the run leaves the VM down.
    HostDevices { vm: String, host: String },
    /// A VM pinned to a host, or unable to leave it: shut down if it runs there, and pinned
    /// to the host again (and started if it ran) once the host is back.
    PinnedVm {
        vm: String,
        host: String,
        running: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        downtime_seconds: Option<u64>,
    },
    /// A reinstall may wipe any disk but the operating system's.
    NonOsStorage,
    /// The cluster stays at its level until every host is back; then it may be raised.
    LevelWaits { level: Level, after: Option<Level> },
    /// A local-storage host: its VMs are down while it is reinstalled, and its disk must
    /// survive the reinstall.
    LocalStorage {
        host: String,
        data_center: String,
        /// Each domain as `name at path`.
        domains: Vec<String>,
        vms: usize,
        downtime_seconds: u64,
    },
}

impl MigrationWarning {
    pub fn message(&self) -> Text {
        match self {
            MigrationWarning::CpuPassthrough { vm } => Text::owned(
                format!("VM {vm} uses CPU passthrough: it migrates only to a host with the same CPU; check the reinstalled hosts' CPUs match, or it will not move back"),
                format!("VM {vm} は CPU パススルーを使用しています。同じ CPU のホストにしか移行できません。再インストール後のホストの CPU が同じか確認してください"),
            ),
            MigrationWarning::HostDevices { vm, host } => Text::owned(
                format!("VM {vm} has host devices of {host}: it is shut down and {host} taken out of its placement, which makes the engine drop its devices; once {host} is back the VM is pinned to it again but left down: attach its devices again, then start it"),
                format!("VM {vm} は {host} のホストデバイスを使用しています。シャットダウンして配置から {host} を外すため、エンジンがデバイスの割り当てを解除します。{host} が戻ると再度固定しますが停止したままです。デバイスを再度割り当ててから起動してください"),
            ),
            MigrationWarning::PinnedVm { vm, host, running: true, downtime_seconds } => {
                let down = downtime_seconds.map(model::text::duration);
                Text::owned(
                    format!("VM {vm} cannot leave {host} (pinned, or a vGPU): it is shut down before {host} is removed and started again once {host} is back, pinned to it{}", down.as_ref().map(|d| format!(" (down about {})", d.en)).unwrap_or_default()),
                    format!("VM {vm} は {host} から移行できません (固定または vGPU)。{host} の削除前にシャットダウンし、{host} が戻ったら固定し直して起動します{}", down.as_ref().map(|d| format!(" (停止時間 約 {})", d.ja)).unwrap_or_default()),
                )
            }
            MigrationWarning::PinnedVm { vm, host, running: false, .. } => Text::owned(
                format!("VM {vm} is pinned to {host} and the engine removes no host a VM is pinned to: {host} is taken out of its placement, and put back under its new id once it is back"),
                format!("VM {vm} は {host} に固定されており、エンジンは VM が固定されたホストを削除しません。配置から {host} を外し、戻った後に新しい ID で固定し直します"),
            ),
            MigrationWarning::NonOsStorage => Text::new(
                "storage attached to a host other than its operating system's disks (local disks, LUNs seen by it alone) must survive the reinstall: keep it out of the installer's clearpart",
                "ホストに接続された OS 以外のストレージ (ローカルディスク、そのホストだけが見る LUN) は再インストールで消えないよう、インストーラーの clearpart から除外してください",
            ),
            MigrationWarning::LevelWaits { level, after: Some(after) } => Text::owned(
                format!("the cluster stays at {level} while it runs mixed (4.4 hosts on Enterprise Linux 8 join a {level} cluster); raise it to {after} only when every host is back (ovirt-upgrade finish)"),
                format!("混在中はクラスターを {level} のままにします (Enterprise Linux 8 の 4.4 ホストは {level} のクラスターに参加できます)。全ホストが戻ってから {after} に上げてください (ovirt-upgrade finish)"),
            ),
            MigrationWarning::LevelWaits { level, after: None } => Text::owned(
                format!("the cluster stays at {level} until every host is back"),
                format!("全ホストが戻るまでクラスターは {level} のままです"),
            ),
            MigrationWarning::LocalStorage { host, data_center, domains, vms, downtime_seconds } => {
                let down = model::text::duration(*downtime_seconds);
                let domains = domains.join(", ");
                Text::owned(
                    format!("{host} keeps its VMs on local storage ({domains}) in data center {data_center}: its {vms} VMs cannot move and are down about {} (guide §1.1.9); its domains leave the Manager's records with their VMs and are imported again once it is back; the reinstall must keep the disk that holds them and mount it again at the same path, owned by 36:36", down.en),
                    format!("{host} はデータセンター {data_center} のローカルストレージ ({domains}) に VM を保存しています。VM {vms} 台は移行できず約 {} 停止します (ガイド §1.1.9)。ドメインは VM とともに Manager の記録から外し、ホストが戻った後に再インポートします。再インストールではそのディスクを保持し、同じパスに再マウントして 36:36 を所有者にしてください", down.ja),
                )
            }
        }
    }
}

impl fmt::Display for MigrationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// A side effect on one host, journaled before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Evacuate,
    /// Its pinned VMs shut down and the host taken out of their placement.
    Hold,
    Maintenance,
    Remove,
    Reinstall,
    Add,
    WaitUp,
    /// Its local domains put in maintenance.
    StorageMaintenance,
    /// Its local domains taken out of the engine's records, the disk untouched.
    Forget,
    /// Its data center's new first domain made and attached.
    FirstDomain,
    /// Its old local domains imported and attached, their VMs registered.
    Import,
    /// Its pinned VMs pinned to its new id and started again.
    Restore,
}

impl Stage {
    /// Every stage in the order a host goes through it (each for the hosts it applies to).
    pub const ALL: [Stage; 12] = [
        Stage::Evacuate,
        Stage::Hold,
        Stage::StorageMaintenance,
        Stage::Maintenance,
        Stage::Forget,
        Stage::Remove,
        Stage::Reinstall,
        Stage::Add,
        Stage::WaitUp,
        Stage::FirstDomain,
        Stage::Import,
        Stage::Restore,
    ];

    pub fn message(self) -> Text {
        match self {
            Stage::Evacuate => Text::new("moving its VMs away", "VM を移行中"),
            Stage::Hold => Text::new(
                "shutting its pinned VMs down, unpinning them",
                "固定 VM をシャットダウンし固定を解除中",
            ),
            Stage::Maintenance => Text::new("to maintenance", "メンテナンスへ"),
            Stage::Remove => Text::new("removing it from the Manager", "Manager から削除中"),
            Stage::Reinstall => {
                Text::new("reinstalling its operating system", "OS を再インストール中")
            }
            Stage::Add => Text::new("adding it back", "再追加中"),
            Stage::WaitUp => Text::new(
                "deploying, waiting until it is up",
                "デプロイ中、稼働を待機",
            ),
            Stage::StorageMaintenance => Text::new(
                "putting its local storage domains in maintenance",
                "ローカルストレージドメインをメンテナンスへ",
            ),
            Stage::Forget => Text::new(
                "taking its local domains out of the Manager's records (the disk is kept)",
                "ローカルドメインを Manager の記録から外す (ディスクは保持)",
            ),
            Stage::FirstDomain => Text::new(
                "making its data center's new first local domain",
                "データセンターの新しい最初のローカルドメインを作成中",
            ),
            Stage::Import => Text::new(
                "importing its old local domains and registering their VMs",
                "以前のローカルドメインをインポートし VM を登録中",
            ),
            Stage::Restore => Text::new(
                "pinning its VMs to it again, starting them",
                "VM を再度固定し起動中",
            ),
        }
    }
}

/// Why a host's migration stopped, and what it leaves behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MigrationFailure {
    /// A VM would not move; the host stays up in the engine with what did not move.
    CannotEvacuate { vm: String, detail: String },
    /// The engine refused a step; the host is where that step found it.
    Refused { stage: Stage, detail: String },
    /// A pinned VM would not shut down; the host stays up in the engine.
    CannotStopVm { vm: String, detail: String },
    /// The maintenance did not come in time.
    NoMaintenance { status: HostStatus },
    /// The reinstall hook failed: the host is removed from the Manager, its machine named.
    ReinstallFailed { address: String, detail: String },
    /// The machine did not answer within the reinstall timeout: removed, its machine named.
    ReinstallLost { address: String, minutes: u32 },
    /// Added back, the deployment did not bring it up; the engine's reason.
    NotUp {
        status: HostStatus,
        reason: Option<String>,
    },
    /// The host is back and the VM pinned to it, but it did not start again.
    VmNotStarted { vm: String, detail: String },
    /// A local domain could not be imported: out of the Manager's records, with its VMs.
    ImportFailed {
        domain: String,
        path: String,
        detail: String,
    },
}

impl MigrationFailure {
    /// What happened, what it left, and what to do; both languages.
    pub fn message(&self) -> Text {
        match self {
            MigrationFailure::CannotEvacuate { vm, detail } => Text::owned(
                format!("VM {vm} could not be moved off ({detail}); the host stays up in the Manager"),
                format!("VM {vm} を移行できませんでした ({detail})。ホストは Manager 上で稼働したままです"),
            ),
            MigrationFailure::Refused { stage, detail } => Text::owned(
                format!("the engine refused {}: {detail}", stage.message().en),
                format!("エンジンが拒否しました ({}): {detail}", stage.message().ja),
            ),
            MigrationFailure::CannotStopVm { vm, detail } => Text::owned(
                format!("pinned VM {vm} would not shut down ({detail}); the host stays up in the Manager, pinned VMs already shut down stay down until `ovirt-upgrade resume`"),
                format!("固定 VM {vm} をシャットダウンできませんでした ({detail})。ホストは Manager 上で稼働したままです。シャットダウン済みの固定 VM は `ovirt-upgrade resume` まで停止したままです"),
            ),
            MigrationFailure::NoMaintenance { status } => Text::owned(
                format!("it did not reach maintenance (still {status}); it stays in the Manager"),
                format!("メンテナンスになりませんでした (現在 {status})。Manager に残っています"),
            ),
            MigrationFailure::ReinstallFailed { address, detail } => Text::owned(
                format!("its reinstall failed ({detail}): the host is removed from the Manager and machine {address} does not boot; reinstall it with Enterprise Linux 8, then `ovirt-upgrade resume` adds it back"),
                format!("再インストールに失敗しました ({detail})。ホストは Manager から削除済みで、マシン {address} は起動しません。Enterprise Linux 8 で再インストールしてから `ovirt-upgrade resume` で再追加してください"),
            ),
            MigrationFailure::ReinstallLost { address, minutes } => Text::owned(
                format!("machine {address} did not come back within {minutes} minutes of its reinstall: the host is removed from the Manager; check the machine's console, finish its reinstall, then `ovirt-upgrade resume` adds it back"),
                format!("マシン {address} は再インストール後 {minutes} 分以内に戻りませんでした。ホストは Manager から削除済みです。コンソールを確認して再インストールを完了させ、`ovirt-upgrade resume` で再追加してください"),
            ),
            MigrationFailure::NotUp { status, reason } => Text::owned(
                format!("added back, it went {status}{}; read /var/log/ovirt-engine/host-deploy, fix it, then reinstall the host from the Administration Portal", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()),
                format!("再追加後 {status} になりました{}。/var/log/ovirt-engine/host-deploy を確認して修正し、管理ポータルから再インストールしてください", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()),
            ),
            MigrationFailure::VmNotStarted { vm, detail } => Text::owned(
                format!("the host is back and VM {vm} pinned to it, but the VM did not start again ({detail}); see why in the Manager's events, then `ovirt-upgrade resume` starts it"),
                format!("ホストは戻り VM {vm} も再度固定されましたが、VM が起動しませんでした ({detail})。Manager のイベントで原因を確認し、`ovirt-upgrade resume` で起動してください"),
            ),
            MigrationFailure::ImportFailed { domain, path, detail } => Text::owned(
                format!("local domain {domain} could not be imported from {path} ({detail}): it and its VMs are out of the Manager's records but still on the host's disk if the reinstall kept it; mount that disk at {path} (chown 36:36), then `ovirt-upgrade resume` asks for its import again and registers its VMs"),
                format!("ローカルドメイン {domain} を {path} からインポートできませんでした ({detail})。ドメインと VM は Manager の記録から外れていますが、再インストールでディスクが保持されていればホスト上に残っています。そのディスクを {path} にマウントし (chown 36:36)、`ovirt-upgrade resume` を実行するとインポートを再度依頼し VM を登録します"),
            ),
        }
    }

    /// The host is out of the Manager (removed, not added back).
    pub fn left_removed(&self) -> bool {
        matches!(
            self,
            MigrationFailure::ReinstallFailed { .. } | MigrationFailure::ReinstallLost { .. }
        )
    }
}

impl fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// One thing that happened, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum MigrateRecord {
    Planned {
        plan: MigrationPlan,
    },
    Began {
        resumed: bool,
    },
    WaveStarted {
        wave: usize,
    },
    /// A VM is asked to migrate.
    Migrating {
        vm: String,
        from: String,
        to: String,
    },
    /// It runs there now.
    Migrated {
        vm: String,
        to: String,
    },
    /// A VM `host`'s removal needs out of the way, with its placement before the run touched
    /// it; journaled before anything is done to it.
    Held {
        host: String,
        vm: HeldVm,
    },
    /// A step on a held VM is about to be asked.
    VmIntent {
        host: String,
        vm: String,
        stage: VmStage,
    },
    /// It is done.
    VmDone {
        host: String,
        vm: String,
        stage: VmStage,
    },
    /// A step on `host` is about to be asked.
    Intent {
        host: String,
        stage: Stage,
    },
    /// It is done (an added host's new id with it).
    Done {
        host: String,
        stage: Stage,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<HostId>,
    },
    HostFinished {
        host: String,
        result: HostResult,
    },
    Stopping {
        reason: String,
    },
    Finished {
        summary: MigrateSummary,
    },
}

impl MigrateRecord {
    fn kind(&self) -> &'static str {
        match self {
            MigrateRecord::Planned { .. } => "planned",
            MigrateRecord::Began { .. } => "began",
            MigrateRecord::WaveStarted { .. } => "wave_started",
            MigrateRecord::Migrating { .. } => "migrating",
            MigrateRecord::Migrated { .. } => "migrated",
            MigrateRecord::Held { .. } => "held",
            MigrateRecord::VmIntent { .. } => "vm_intent",
            MigrateRecord::VmDone { .. } => "vm_done",
            MigrateRecord::Intent { .. } => "intent",
            MigrateRecord::Done { .. } => "done",
            MigrateRecord::HostFinished { .. } => "host_finished",
            MigrateRecord::Stopping { .. } => "stopping",
            MigrateRecord::Finished { .. } => "finished",
        }
    }
}

/// A VM held for a host's removal, as it was before the run touched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldVm {
    pub id: VmId,
    pub name: String,
    pub affinity: Affinity,
    /// The hosts it was pinned to or preferred.
    pub hosts: Vec<HostId>,
    /// It ran on the host: the run shuts it down and starts it again.
    pub running: bool,
    /// It has host devices: the engine drops them with the placement change, so it stays down.
    pub host_devices: bool,
}

impl HeldVm {
    /// Started again by the run once its host is back.
    pub fn restarted(&self) -> bool {
        self.running && !self.host_devices
    }
}

/// A side effect on a held VM, journaled before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VmStage {
    /// Shut down (powered off if it will not).
    Stop,
    /// The host taken out of its placement.
    Unpin,
    /// The host's new id put in its placement, with its affinity.
    Repin,
    /// Registered again from its imported local domain.
    Register,
    Start,
}

impl VmStage {
    pub fn message(self) -> Text {
        match self {
            VmStage::Stop => Text::new("shutting it down", "シャットダウン"),
            VmStage::Unpin => Text::new(
                "taking the host out of its placement",
                "配置からホストを外す",
            ),
            VmStage::Repin => Text::new(
                "pinning it to the host's new id",
                "ホストの新しい ID に固定",
            ),
            VmStage::Register => Text::new(
                "registering it from its imported domain",
                "インポートしたドメインから登録",
            ),
            VmStage::Start => Text::new("starting it again", "再起動"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum HostResult {
    Migrated { seconds: u64 },
    Failed { failure: MigrationFailure },
}

/// How a migration run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MigrateOutcome {
    Completed,
    /// A host failed; nothing more was started and the rest waits for `resume`.
    HostFailed {
        host: String,
    },
    /// Asked to stop (Ctrl-C); `resume` goes on.
    Stopped,
}

/// A host that failed, where its machine is, and what it leaves behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMigration {
    pub host: String,
    pub address: String,
    pub failure: MigrationFailure,
}

/// The run in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrateSummary {
    pub outcome: MigrateOutcome,
    pub cluster: String,
    pub migrated: Vec<crate::event::UpgradedHost>,
    pub failed: Vec<FailedMigration>,
    /// Planned hosts not reached.
    pub not_started: Vec<String>,
    pub migrations: usize,
    pub vms_moved: usize,
    pub max_migrations_of_a_vm: u32,
    /// Pinned VMs shut down and started again on their host once it was back.
    #[serde(default)]
    pub restarted: Vec<RestartedVm>,
    /// VMs pinned to a host's new id, those restarted included.
    #[serde(default)]
    pub repinned: Vec<String>,
    /// VMs with host devices shut down and left down: their devices to attach again.
    #[serde(default)]
    pub left_stopped: Vec<String>,
    /// VMs registered again from local domains imported after their host's reinstall.
    #[serde(default)]
    pub registered: Vec<String>,
    pub duration_seconds: u64,
    pub predicted_seconds: u64,
    pub level: Level,
    /// The level the cluster may be raised to now that every host is back.
    pub level_after: Option<Level>,
}

impl MigrateSummary {
    pub fn migrations_per_moved_vm(&self) -> f64 {
        if self.vms_moved == 0 {
            0.0
        } else {
            self.migrations as f64 / self.vms_moved as f64
        }
    }

    pub fn is_clean(&self) -> bool {
        self.outcome == MigrateOutcome::Completed && self.failed.is_empty()
    }
}

/// A pinned VM the run shut down and started again, and for how long it was down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartedVm {
    pub vm: String,
    pub host: String,
    pub down_seconds: u64,
}

/// What the machine behind a removed host says about its reinstall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReinstallState {
    /// Reinstalled and answering: the host can be added back.
    Done,
    /// Under way.
    Running,
    /// It failed; the reason.
    Failed(String),
    /// Not known, or not started: the hook runs (again).
    Unknown,
}

/// What the migration needs that no REST call does: the operating system's reinstall (PXE,
/// kickstart, Foreman or Satellite through the administrator's command, the administrator
/// by hand, or the simulated engine's machines), and for a local-storage host the
/// Administration Portal's Import Domain (the REST API sends every localfs domain to
/// `AddLocalStorageDomainCommand`, which makes a new one).
pub trait Reinstaller: Send + Sync {
    /// Starts (or carries out) the reinstall of the machine at `address`, the host `name`.
    fn start(&self, name: &str, address: &str) -> impl Future<Output = Result<(), String>> + Send;
    /// Where its reinstall stands.
    fn state(&self, name: &str, address: &str) -> impl Future<Output = ReinstallState> + Send;
    /// Asks for (or carries out) the import of `domain`, at `path` on host `name`, into its
    /// data center `data_center`; the run then waits until the engine knows it.
    fn import_local_domain(
        &self,
        name: &str,
        address: &str,
        data_center: &str,
        domain: &str,
        path: &str,
    ) -> impl Future<Output = Result<(), String>> + Send;
}
