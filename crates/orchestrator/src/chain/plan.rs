//! Validating and ordering the chain, before anything is touched: what the guide asks
//! (§1.1.10–§1.1.12) and what the engine refuses. Pure: an inventory in, a plan out.
//!
//! Input that can never work (an unknown name, a level the Manager does not offer, a level
//! going down, a data center above its clusters) is a [`ChainError`]. What the environment
//! must fix first (hosts without the level, snapshots in preview, ...) is a [`ChainBlocker`]
//! in the plan; what deserves attention but does not stop the run is a [`ChainWarning`].

use std::fmt;

use model::release::{self, UnknownRelease, NIC_RENAMING_LEVEL};
use model::{
    Cluster, ClusterId, DataCenter, DataCenterId, HostStatus, Inventory, Level, Text, Version,
    VmStatus,
};
use serde::{Deserialize, Serialize};

use crate::planner::{closest, find_cluster, PlanError};

/// What to do with the VMs a raised cluster leaves with a pending configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestartMode {
    /// Restart them now, in batches.
    Now,
    /// Only list them.
    List,
    /// Leave them; they take the level at their next restart.
    Never,
}

impl RestartMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RestartMode::Now => "now",
            RestartMode::List => "list",
            RestartMode::Never => "never",
        }
    }
}

/// Everything a chain run is told. Journaled with its plan, so `resume` keeps the choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainOptions {
    pub restart: RestartMode,
    /// VMs restarted at once; highly available VMs always go one at a time.
    pub batch: usize,
    /// VMs that may fail to come back before the run stops restarting and raising.
    pub max_failures: usize,
    /// How long one VM may take from its restart until it is up again.
    pub restart_timeout_minutes: u32,
}

impl Default for ChainOptions {
    fn default() -> Self {
        ChainOptions {
            restart: RestartMode::Now,
            batch: 5,
            max_failures: 1,
            restart_timeout_minutes: 10,
        }
    }
}

/// One step of the chain, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum Stage {
    /// Raise a cluster (unless it is at `to` already), then deal with its pending VMs.
    Cluster {
        cluster: ClusterId,
        name: String,
        data_center: String,
        from: Level,
        to: Level,
        /// Running VMs that will wait for a restart, the Manager's VM aside.
        restarts: usize,
        /// Of those, the highly available ones.
        highly_available: usize,
    },
    DataCenter {
        data_center: DataCenterId,
        name: String,
        from: Level,
        to: Level,
    },
}

impl Stage {
    pub fn name(&self) -> &str {
        match self {
            Stage::Cluster { name, .. } | Stage::DataCenter { name, .. } => name,
        }
    }

    pub fn kind(&self) -> ObjectKind {
        match self {
            Stage::Cluster { .. } => ObjectKind::Cluster,
            Stage::DataCenter { .. } => ObjectKind::DataCenter,
        }
    }

    pub fn levels(&self) -> (Level, Level) {
        match self {
            Stage::Cluster { from, to, .. } | Stage::DataCenter { from, to, .. } => (*from, *to),
        }
    }

    /// Whether the stage changes a level (a cluster already there only restarts VMs).
    pub fn raises(&self) -> bool {
        let (from, to) = self.levels();
        from < to
    }
}

impl Stage {
    /// "cluster Production 4.6 → 4.7", or "cluster Production: restarts at 4.7".
    pub fn message(&self) -> Text {
        let (from, to) = self.levels();
        let kind = self.kind().title();
        let name = self.name();
        if from == to {
            Text::owned(
                format!("{} {name}: restarts at {to}", kind.en),
                format!("{} {name}: {to} での再起動", kind.ja),
            )
        } else {
            Text::owned(
                format!("{} {name} {from} → {to}", kind.en),
                format!("{} {name} {from} → {to}", kind.ja),
            )
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Cluster,
    DataCenter,
}

impl ObjectKind {
    pub const fn title(self) -> Text {
        match self {
            ObjectKind::Cluster => Text::new("cluster", "クラスター"),
            ObjectKind::DataCenter => Text::new("data center", "データセンター"),
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title().en)
    }
}

/// A cluster or data center and its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelObject {
    pub kind: ObjectKind,
    pub name: String,
    pub level: Level,
}

/// What the environment must fix before the chain can run; the engine would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBlocker {
    /// Active hosts whose vdsm does not offer the level.
    HostsWithoutLevel {
        cluster: String,
        level: Level,
        hosts: Vec<String>,
    },
    /// VMs previewing a snapshot cannot change level (guide §1.1.11).
    SnapshotsInPreview { cluster: String, vms: Vec<String> },
    /// VMs the engine cannot update to the new level: they keep a custom compatibility
    /// version this Manager no longer supports.
    VmsCannotTakeLevel {
        cluster: String,
        vms: Vec<(String, Level)>,
    },
    /// A host upgrade is under way in the cluster (its upgrade flag is set).
    UpgradeRunning { cluster: String },
    /// Suspended VMs hold a data center's level back.
    SuspendedVms {
        data_center: String,
        vms: Vec<String>,
    },
}

impl ChainBlocker {
    /// The object, what stands in the way and what to do, in both languages.
    pub fn message(&self) -> Text {
        match self {
            ChainBlocker::HostsWithoutLevel { cluster, level, hosts } => Text::owned(
                format!(
                    "cluster {cluster}: active hosts do not support level {level}: {}; upgrade them first (ovirt-upgrade cluster-upgrade --cluster {cluster})",
                    hosts.join(", ")
                ),
                format!(
                    "クラスター {cluster}: 稼働中のホストが互換レベル {level} に対応していません: {}。先にアップグレードしてください (ovirt-upgrade cluster-upgrade --cluster {cluster})",
                    hosts.join(", ")
                ),
            ),
            ChainBlocker::SnapshotsInPreview { cluster, vms } => Text::owned(
                format!(
                    "cluster {cluster}: VMs are previewing a snapshot: {}; commit or undo each preview first (Compute › Virtual Machines › Snapshots)",
                    vms.join(", ")
                ),
                format!(
                    "クラスター {cluster}: スナップショットをプレビュー中の仮想マシンがあります: {}。先にコミットするかプレビューを取り消してください",
                    vms.join(", ")
                ),
            ),
            ChainBlocker::VmsCannotTakeLevel { cluster, vms } => {
                let vms = with_detail(vms);
                Text::owned(
                    format!("cluster {cluster}: the engine cannot update these VMs, whose custom compatibility version this Manager does not support: {vms}; edit each VM and clear or change its Custom Compatibility Version"),
                    format!("クラスター {cluster}: この Manager が対応しないカスタム互換バージョンの仮想マシンはエンジンが更新できません: {vms}。各仮想マシンを編集し、カスタム互換バージョンを空にするか変更してください"),
                )
            }
            ChainBlocker::UpgradeRunning { cluster } => Text::owned(
                format!("cluster {cluster}: a host upgrade is under way (its upgrade flag is set); raise the level once it is done"),
                format!("クラスター {cluster}: ホストのアップグレード中です (アップグレード中フラグ)。完了してから互換レベルを上げてください"),
            ),
            ChainBlocker::SuspendedVms { data_center, vms } => Text::owned(
                format!(
                    "data center {data_center}: suspended VMs hold its level back: {}; resume or shut them down first",
                    vms.join(", ")
                ),
                format!(
                    "データセンター {data_center}: サスペンド中の仮想マシンが互換レベルの変更を妨げます: {}。再開するかシャットダウンしてください",
                    vms.join(", ")
                ),
            ),
        }
    }
}

/// "web1 (4.3), db1 (4.4)": names with what each is at.
fn with_detail<T: fmt::Display>(items: &[(String, T)]) -> String {
    items
        .iter()
        .map(|(name, detail)| format!("{name} ({detail})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ChainBlocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// What deserves attention but does not stop the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainWarning {
    /// The cluster crosses level 4.6, where VirtIO NICs show up as other devices (guide
    /// §1.1.10).
    NicRenaming {
        cluster: String,
        from: Level,
        /// The custom emulated machine that keeps the NICs as they are, where the guide names one.
        machine: Option<String>,
    },
    /// Hosts out of service that do not offer the level: once the cluster is raised they
    /// cannot come back until upgraded.
    HostsLeftBehind {
        cluster: String,
        hosts: Vec<(String, HostStatus)>,
    },
    /// VMs already carrying a pending configuration: it is applied with the level.
    AlreadyPending { cluster: String, vms: Vec<String> },
    /// Running VMs in a state the tool does not restart (paused, suspended, not responding).
    CannotRestart {
        cluster: String,
        vms: Vec<(String, VmStatus)>,
    },
    /// VMs with their own compatibility level: they do not follow the cluster.
    CustomLevels {
        cluster: String,
        vms: Vec<(String, Level)>,
    },
}

impl ChainWarning {
    pub fn message(&self) -> Text {
        match self {
            ChainWarning::NicRenaming { cluster, from, machine } => Text::owned(
                format!(
                    "cluster {cluster} crosses level {NIC_RENAMING_LEVEL}: VirtIO NICs then show up in the guests as other devices and may need configuring again. Test a VM first by setting its custom compatibility version to {NIC_RENAMING_LEVEL}; if its network breaks, give the VMs a custom emulated machine matching the one they run at {from}{}",
                    machine.as_deref().map_or_else(|| " (shown in each VM's details)".to_owned(), |m| format!(" ({m})"))
                ),
                format!(
                    "クラスター {cluster} は互換レベル 4.6 をまたぎます。ゲスト内で VirtIO NIC が別のデバイスとして認識され、再設定が必要になる場合があります。まず仮想マシンのカスタム互換バージョンを 4.6 にしてネットワークを確かめ、失敗する場合は {from} で使っているものと同じカスタムのエミュレートマシン{}を設定してください",
                    machine.as_deref().map_or_else(|| " (各仮想マシンの詳細に表示)".to_owned(), |m| format!(" ({m})"))
                ),
            ),
            ChainWarning::HostsLeftBehind { cluster, hosts } => {
                let hosts = with_detail(hosts);
                Text::owned(
                    format!("cluster {cluster}: hosts out of service do not support the new level and cannot return until upgraded: {hosts}"),
                    format!("クラスター {cluster}: 稼働していない次のホストは新しい互換レベルに対応せず、アップグレードするまで戻れません: {hosts}"),
                )
            }
            ChainWarning::AlreadyPending { cluster, vms } => Text::owned(
                format!(
                    "cluster {cluster}: VMs already wait for a restart with other changes, which their restart applies too: {}",
                    vms.join(", ")
                ),
                format!(
                    "クラスター {cluster}: 次の仮想マシンには別の変更も保留されており、再起動で一緒に適用されます: {}",
                    vms.join(", ")
                ),
            ),
            ChainWarning::CannotRestart { cluster, vms } => {
                let vms = with_detail(vms);
                Text::owned(
                    format!("cluster {cluster}: VMs in these states are not restarted; restart them by hand once they run normally: {vms}"),
                    format!("クラスター {cluster}: 次の状態の仮想マシンは再起動しません。通常の状態に戻ってから手動で再起動してください: {vms}"),
                )
            }
            ChainWarning::CustomLevels { cluster, vms } => {
                let vms = with_detail(vms);
                Text::owned(
                    format!("cluster {cluster}: VMs keep their own compatibility level and do not follow the cluster: {vms}"),
                    format!("クラスター {cluster}: 次の仮想マシンは独自の互換レベルを持ち、クラスターに従いません: {vms}"),
                )
            }
        }
    }
}

impl fmt::Display for ChainWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// Input that can never work; nothing is touched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(transparent)]
    UnknownCluster(#[from] PlanError),
    #[error("there is no data center named `{name}`{}", match suggestion { Some(s) => format!(" (did you mean `{s}`?)"), None => format!(" (data centers: {})", known.join(", ")) })]
    UnknownDataCenter {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error(transparent)]
    UnknownLevel(#[from] UnknownRelease),
    #[error("the Manager ({manager}) does not offer level {level}: it offers {}; update the Manager first", offered.iter().map(Level::to_string).collect::<Vec<_>>().join(", "))]
    UnsupportedLevel {
        level: Level,
        manager: Version,
        offered: Vec<Level>,
    },
    #[error(
        "{object} is at level {from}; a compatibility level never goes down, so {to} cannot be set"
    )]
    Lower {
        object: String,
        from: Level,
        to: Level,
    },
    #[error("data center {data_center} cannot go above its clusters: {} below {level}; raise them first (ovirt-upgrade compat --cluster NAME --to {level}), or run the whole chain with ovirt-upgrade finish --to {level}", clusters.iter().map(|(c, l)| format!("{c} is at {l}")).collect::<Vec<_>>().join(", "))]
    DataCenterAboveClusters {
        data_center: String,
        level: Level,
        clusters: Vec<(String, Level)>,
    },
    #[error("a batch holds at least one VM: give --batch 1 or more")]
    EmptyBatch,
}

/// The chain, ordered and validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainPlan {
    pub manager: Version,
    pub target: Level,
    pub stages: Vec<Stage>,
    /// Objects in scope already at the target, or above it: left alone.
    pub unchanged: Vec<LevelObject>,
    /// Clusters whose VMs must carry no pending configuration at the end.
    pub clusters_in_scope: Vec<ClusterId>,
    pub blockers: Vec<ChainBlocker>,
    pub warnings: Vec<ChainWarning>,
    pub options: ChainOptions,
}

impl ChainPlan {
    pub fn is_feasible(&self) -> bool {
        self.blockers.is_empty()
    }

    /// VMs the plan expects to restart.
    pub fn restarts(&self) -> usize {
        self.stages
            .iter()
            .map(|s| match s {
                Stage::Cluster { restarts, .. } => *restarts,
                Stage::DataCenter { .. } => 0,
            })
            .sum()
    }
}

/// A VM still waiting for its restart at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingVm {
    pub vm: String,
    pub cluster: String,
    pub status: VmStatus,
}

/// What the environment looks like at the end, for the objects of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndState {
    pub levels: Vec<LevelObject>,
    pub target: Level,
    /// VMs of the clusters in scope that still carry a pending configuration.
    pub pending: Vec<PendingVm>,
}

impl EndState {
    /// Every cluster and data center in scope is at the target or above.
    pub fn levels_at_target(&self) -> bool {
        self.levels.iter().all(|o| o.level >= self.target)
    }

    /// Objects still below the target.
    pub fn behind(&self) -> impl Iterator<Item = &LevelObject> {
        self.levels.iter().filter(|o| o.level < self.target)
    }
}

/// Validates `level` against what exists and what the Manager offers.
fn check_level(
    inventory: &Inventory,
    level: Level,
    options: &ChainOptions,
) -> Result<(), ChainError> {
    if options.batch == 0 {
        return Err(ChainError::EmptyBatch);
    }
    release::check_level(level)?;
    let manager = inventory.manager.version;
    let offered = release::supported_cluster_levels(manager);
    if !offered.contains(&level) {
        return Err(ChainError::UnsupportedLevel {
            level,
            manager,
            offered: offered.to_vec(),
        });
    }
    Ok(())
}

fn find_data_center<'a>(
    inventory: &'a Inventory,
    name: &str,
) -> Result<&'a DataCenter, ChainError> {
    inventory
        .data_centers
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| {
            let known: Vec<String> = inventory
                .data_centers
                .iter()
                .map(|d| d.name.clone())
                .collect();
            ChainError::UnknownDataCenter {
                name: name.to_owned(),
                suggestion: closest(name, known.iter().map(String::as_str)),
                known,
            }
        })
}

fn data_center_name(inventory: &Inventory, id: DataCenterId) -> String {
    inventory
        .data_centers
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_string(), |d| d.name.clone())
}

fn empty_plan(inventory: &Inventory, target: Level, options: &ChainOptions) -> ChainPlan {
    ChainPlan {
        manager: inventory.manager.version,
        target,
        stages: Vec::new(),
        unchanged: Vec::new(),
        clusters_in_scope: Vec::new(),
        blockers: Vec::new(),
        warnings: Vec::new(),
        options: options.clone(),
    }
}

/// Adds a cluster to the plan: its stage (when it is below the target, or has VMs to restart),
/// with what blocks it and what to mind.
fn add_cluster(plan: &mut ChainPlan, inventory: &Inventory, cluster: &Cluster) {
    let to = plan.target;
    plan.clusters_in_scope.push(cluster.id);
    let vms: Vec<&model::Vm> = inventory
        .vms
        .iter()
        .filter(|v| v.cluster == cluster.id && !v.hosted_engine)
        .collect();
    let waiting: Vec<&&model::Vm> = vms.iter().filter(|v| v.next_run_pending).collect();
    let raise = cluster.version < to;
    let restart_now = plan.options.restart == RestartMode::Now;
    if cluster.version > to || (!raise && (waiting.is_empty() || !restart_now)) {
        plan.unchanged.push(LevelObject {
            kind: ObjectKind::Cluster,
            name: cluster.name.clone(),
            level: cluster.version,
        });
        if cluster.version > to {
            return;
        }
    }
    let restartable: Vec<&&model::Vm> = vms
        .iter()
        .filter(|v| v.status == VmStatus::Up && (raise || v.next_run_pending))
        .collect();
    if raise || (!waiting.is_empty() && restart_now) {
        plan.stages.push(Stage::Cluster {
            cluster: cluster.id,
            name: cluster.name.clone(),
            data_center: data_center_name(inventory, cluster.data_center),
            from: cluster.version,
            to,
            restarts: restartable.len(),
            highly_available: restartable.iter().filter(|v| v.high_availability).count(),
        });
    }
    let name = cluster.name.clone();
    let stuck: Vec<(String, VmStatus)> = vms
        .iter()
        .filter(|v| v.is_running() && v.status != VmStatus::Up && (raise || v.next_run_pending))
        .map(|v| (v.name.clone(), v.status))
        .collect();
    if !stuck.is_empty() && restart_now {
        plan.warnings.push(ChainWarning::CannotRestart {
            cluster: name.clone(),
            vms: stuck,
        });
    }
    if !raise {
        return;
    }
    if cluster.upgrade_running {
        plan.blockers.push(ChainBlocker::UpgradeRunning {
            cluster: name.clone(),
        });
    }
    // Through the REST API hosts' levels are unseen: the engine refuses the update itself.
    let levels_seen = !inventory.unseen.contains(&model::Unseen::HostDetails);
    let hosts: Vec<&model::Host> = inventory
        .hosts
        .iter()
        .filter(|h| levels_seen && h.cluster == cluster.id)
        .collect();
    let without: Vec<String> = hosts
        .iter()
        .filter(|h| h.status == HostStatus::Up && !h.supported_levels.contains(&to))
        .map(|h| h.name.clone())
        .collect();
    if !without.is_empty() {
        plan.blockers.push(ChainBlocker::HostsWithoutLevel {
            cluster: name.clone(),
            level: to,
            hosts: without,
        });
    }
    let behind: Vec<(String, HostStatus)> = hosts
        .iter()
        .filter(|h| h.status != HostStatus::Up && !h.supported_levels.contains(&to))
        .map(|h| (h.name.clone(), h.status))
        .collect();
    if !behind.is_empty() {
        plan.warnings.push(ChainWarning::HostsLeftBehind {
            cluster: name.clone(),
            hosts: behind,
        });
    }
    let previewing: Vec<String> = vms
        .iter()
        .filter(|v| v.previewing_snapshot().is_some())
        .map(|v| v.name.clone())
        .collect();
    if !previewing.is_empty() {
        plan.blockers.push(ChainBlocker::SnapshotsInPreview {
            cluster: name.clone(),
            vms: previewing,
        });
    }
    let offered = release::supported_cluster_levels(inventory.manager.version);
    type Named = Vec<(String, Level)>;
    let (stranded, custom): (Named, Named) = vms
        .iter()
        .filter_map(|v| v.custom_compatibility_version.map(|l| (v.name.clone(), l)))
        .partition(|(_, l)| !offered.contains(l));
    if !stranded.is_empty() {
        plan.blockers.push(ChainBlocker::VmsCannotTakeLevel {
            cluster: name.clone(),
            vms: stranded,
        });
    }
    if !custom.is_empty() {
        plan.warnings.push(ChainWarning::CustomLevels {
            cluster: name.clone(),
            vms: custom,
        });
    }
    if !waiting.is_empty() {
        plan.warnings.push(ChainWarning::AlreadyPending {
            cluster: name.clone(),
            vms: waiting.iter().map(|v| v.name.clone()).collect(),
        });
    }
    if cluster.version < NIC_RENAMING_LEVEL && to >= NIC_RENAMING_LEVEL {
        plan.warnings.push(ChainWarning::NicRenaming {
            cluster: name,
            from: cluster.version,
            machine: release::emulated_machine_before_nic_renaming(cluster.version)
                .map(str::to_owned),
        });
    }
}

/// Adds a data center whose clusters will all be at the target or above.
fn add_data_center(plan: &mut ChainPlan, inventory: &Inventory, dc: &DataCenter) {
    let to = plan.target;
    if dc.version >= to {
        plan.unchanged.push(LevelObject {
            kind: ObjectKind::DataCenter,
            name: dc.name.clone(),
            level: dc.version,
        });
        return;
    }
    let clusters: Vec<ClusterId> = inventory
        .clusters
        .iter()
        .filter(|c| c.data_center == dc.id)
        .map(|c| c.id)
        .collect();
    let suspended: Vec<String> = inventory
        .vms
        .iter()
        .filter(|v| clusters.contains(&v.cluster) && v.status == VmStatus::Suspended)
        .map(|v| v.name.clone())
        .collect();
    if !suspended.is_empty() {
        plan.blockers.push(ChainBlocker::SuspendedVms {
            data_center: dc.name.clone(),
            vms: suspended,
        });
    }
    plan.stages.push(Stage::DataCenter {
        data_center: dc.id,
        name: dc.name.clone(),
        from: dc.version,
        to,
    });
}

/// `compat --cluster NAME --to LEVEL`: one cluster and its VMs.
pub fn plan_cluster(
    inventory: &Inventory,
    name: &str,
    level: Level,
    options: &ChainOptions,
) -> Result<ChainPlan, ChainError> {
    let id = find_cluster(inventory, name)?;
    check_level(inventory, level, options)?;
    let cluster = inventory
        .clusters
        .iter()
        .find(|c| c.id == id)
        .expect("found above");
    if cluster.version > level {
        return Err(ChainError::Lower {
            object: format!("cluster {name}"),
            from: cluster.version,
            to: level,
        });
    }
    let mut plan = empty_plan(inventory, level, options);
    add_cluster(&mut plan, inventory, cluster);
    Ok(plan)
}

/// `compat --data-center NAME --to LEVEL`: a data center whose clusters are there already.
pub fn plan_data_center(
    inventory: &Inventory,
    name: &str,
    level: Level,
    options: &ChainOptions,
) -> Result<ChainPlan, ChainError> {
    let dc = find_data_center(inventory, name)?;
    check_level(inventory, level, options)?;
    if dc.version > level {
        return Err(ChainError::Lower {
            object: format!("data center {name}"),
            from: dc.version,
            to: level,
        });
    }
    let below: Vec<(String, Level)> = inventory
        .clusters
        .iter()
        .filter(|c| c.data_center == dc.id && c.version < level)
        .map(|c| (c.name.clone(), c.version))
        .collect();
    if !below.is_empty() {
        return Err(ChainError::DataCenterAboveClusters {
            data_center: dc.name.clone(),
            level,
            clusters: below,
        });
    }
    let mut plan = empty_plan(inventory, level, options);
    add_data_center(&mut plan, inventory, dc);
    Ok(plan)
}

/// `finish --to LEVEL`: every cluster, then its data center, data center by data center.
pub fn plan_finish(
    inventory: &Inventory,
    level: Level,
    options: &ChainOptions,
) -> Result<ChainPlan, ChainError> {
    check_level(inventory, level, options)?;
    let mut plan = empty_plan(inventory, level, options);
    let mut data_centers: Vec<&DataCenter> = inventory.data_centers.iter().collect();
    data_centers.sort_by(|a, b| a.name.cmp(&b.name));
    for dc in data_centers {
        let mut clusters: Vec<&Cluster> = inventory
            .clusters
            .iter()
            .filter(|c| c.data_center == dc.id)
            .collect();
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        for cluster in clusters {
            add_cluster(&mut plan, inventory, cluster);
        }
        add_data_center(&mut plan, inventory, dc);
    }
    Ok(plan)
}

/// The end state of the plan's objects in `inventory`: their levels and the VMs still waiting.
pub fn verify_end_state(inventory: &Inventory, plan: &ChainPlan) -> EndState {
    let mut levels = Vec::new();
    let named = |kind: ObjectKind, name: &str| {
        plan.stages
            .iter()
            .any(|s| s.kind() == kind && s.name() == name)
            || plan
                .unchanged
                .iter()
                .any(|o| o.kind == kind && o.name == name)
    };
    for dc in inventory
        .data_centers
        .iter()
        .filter(|d| named(ObjectKind::DataCenter, &d.name))
    {
        levels.push(LevelObject {
            kind: ObjectKind::DataCenter,
            name: dc.name.clone(),
            level: dc.version,
        });
    }
    for cluster in inventory
        .clusters
        .iter()
        .filter(|c| plan.clusters_in_scope.contains(&c.id))
    {
        levels.push(LevelObject {
            kind: ObjectKind::Cluster,
            name: cluster.name.clone(),
            level: cluster.version,
        });
    }
    levels.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let cluster_name = |id: ClusterId| {
        inventory
            .clusters
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    };
    let mut pending: Vec<PendingVm> = inventory
        .vms
        .iter()
        .filter(|v| {
            plan.clusters_in_scope.contains(&v.cluster) && v.next_run_pending && !v.hosted_engine
        })
        .map(|v| PendingVm {
            vm: v.name.clone(),
            cluster: cluster_name(v.cluster),
            status: v.status,
        })
        .collect();
    pending.sort_by(|a, b| a.vm.cmp(&b.vm));
    EndState {
        levels,
        target: plan.target,
        pending,
    }
}
