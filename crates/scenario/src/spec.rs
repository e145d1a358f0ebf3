//! The scenario file as written (TOML). Every field is documented in `docs/scenario-format.md`.
//! Names that refer to other objects are `Spanned` so that a wrong one is reported with its line.

use std::collections::BTreeMap;

use model::{
    Affinity, DataCenterStatus, DatabasePlacement, Date, Deployment, DomainRole, DwhPlacement,
    ElVersion, Extension, HostStatus, HostType, Level, SchedulingPolicy, SnapshotStatus, SpmStatus,
    StorageDomainStatus, StorageKind, StorageType, Version, VmStatus, VolumeFormat,
};
use serde::Deserialize;
use toml::Spanned;

use crate::size::SizeRange;

pub type Name = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    #[serde(default)]
    pub name: String,
    /// Seeds the choices groups make (VM sizes, placement); 0 when absent.
    #[serde(default)]
    pub seed: u64,
    pub manager: ManagerSpec,
    #[serde(default)]
    pub data_centers: Vec<DataCenterSpec>,
    #[serde(default)]
    pub clusters: Vec<ClusterSpec>,
    #[serde(default)]
    pub hosts: Vec<HostSpec>,
    #[serde(default)]
    pub vms: Vec<VmSpec>,
    #[serde(default)]
    pub storage_domains: Vec<StorageDomainSpec>,
    #[serde(default)]
    pub disks: Vec<DiskSpec>,
    #[serde(default)]
    pub gluster_volumes: Vec<GlusterVolumeSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagerSpec {
    pub version: Spanned<Version>,
    pub deployment: Deployment,
    #[serde(default)]
    pub fqdn: String,
    pub os: ElVersion,
    #[serde(default)]
    pub database: DatabasePlacement,
    #[serde(default)]
    pub database_postgresql: Option<String>,
    #[serde(default)]
    pub dwh: DwhPlacement,
    #[serde(default)]
    pub dwh_postgresql: Option<String>,
    #[serde(default)]
    pub grafana: bool,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub ovn: bool,
    #[serde(default)]
    pub last_backup: Option<Date>,
    #[serde(default)]
    pub certificates: Vec<CertificateSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSpec {
    pub name: String,
    #[serde(default = "sha256")]
    pub signature: String,
    pub not_after: Date,
    #[serde(default)]
    pub external_ca: bool,
}

fn sha256() -> String {
    "sha256WithRSAEncryption".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataCenterSpec {
    pub name: Name,
    pub version: Spanned<Level>,
    #[serde(default)]
    pub storage: StorageKind,
    #[serde(default)]
    pub status: DataCenterStatus,
    pub id: Option<model::Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: Name,
    /// Defaults to the only data center, or to `Default` when none is written.
    pub data_center: Option<Name>,
    pub version: Spanned<Level>,
    #[serde(default)]
    pub scheduling_policy: SchedulingPolicy,
    #[serde(default)]
    pub cpu_type: Option<String>,
    #[serde(default)]
    pub gluster: bool,
    #[serde(default)]
    pub upgrade_running: bool,
    pub id: Option<model::Uuid>,
    /// "6 hosts of 256 GiB".
    pub hosts: Option<HostGroupSpec>,
    /// "80 VMs of 4–16 GiB, 2 pinned, 3 HA".
    pub vms: Option<VmGroupSpec>,
}

/// Hosts written as a count.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostGroupSpec {
    pub count: u32,
    pub memory: Spanned<SizeRange>,
    /// Names are `<prefix>01`, `<prefix>02`, ...; defaults to `<cluster>-host`.
    pub prefix: Option<String>,
    #[serde(default, rename = "type")]
    pub host_type: HostType,
    /// Defaults to the Manager release's newest supported host OS.
    pub os: Option<ElVersion>,
    /// How many of them are hosted-engine hosts (the first ones).
    #[serde(default)]
    pub hosted_engine: u32,
    #[serde(default)]
    pub update_available: bool,
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
}

/// VMs written as a count, placed on the cluster's hosts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmGroupSpec {
    pub count: u32,
    pub memory: Spanned<SizeRange>,
    pub prefix: Option<String>,
    /// How many are pinned to the host they start on.
    #[serde(default)]
    pub pinned: u32,
    /// How many migrate only when an administrator asks.
    #[serde(default)]
    pub user_migratable: u32,
    /// How many are highly available.
    #[serde(default)]
    pub ha: u32,
    /// How many are down.
    #[serde(default)]
    pub down: u32,
    /// Disks per VM (default 1).
    pub disks: Option<u32>,
    /// Size of each disk (default 20–100 GiB).
    pub disk_size: Option<Spanned<SizeRange>>,
    /// Storage domain of the disks; defaults to the data center's master domain.
    pub storage_domain: Option<Name>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    pub name: Name,
    pub cluster: Name,
    pub memory: Spanned<SizeRange>,
    #[serde(default)]
    pub address: String,
    #[serde(default, rename = "type")]
    pub host_type: HostType,
    pub os: Option<ElVersion>,
    #[serde(default)]
    pub status: HostStatus,
    #[serde(default)]
    pub update_available: bool,
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
    #[serde(default)]
    pub spm: SpmStatus,
    /// `true`, or a table with the hosted-engine state.
    pub hosted_engine: Option<HostedEngineSpec>,
    /// Defaults to the levels the Manager accepts up to the cluster's.
    pub supported_levels: Option<Vec<Spanned<Level>>>,
    #[serde(default)]
    pub ovn_configured: bool,
    pub id: Option<model::Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum HostedEngineSpec {
    Flag(bool),
    State(HostedEngineStateSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostedEngineStateSpec {
    #[serde(default)]
    pub active: bool,
    pub score: Option<u32>,
    #[serde(default)]
    pub local_maintenance: bool,
    #[serde(default)]
    pub global_maintenance: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmSpec {
    pub name: Name,
    pub cluster: Name,
    pub memory: Spanned<SizeRange>,
    /// The host it runs on; required unless the VM is down.
    pub host: Option<Name>,
    #[serde(default)]
    pub status: Option<VmStatus>,
    #[serde(default)]
    pub affinity: Affinity,
    #[serde(default)]
    pub pinned_hosts: Vec<Name>,
    #[serde(default)]
    pub ha: bool,
    #[serde(default)]
    pub hosted_engine: bool,
    #[serde(default)]
    pub next_run_pending: bool,
    pub custom_compatibility_version: Option<Spanned<Level>>,
    #[serde(default)]
    pub cpu_passthrough: bool,
    #[serde(default)]
    pub vgpu: bool,
    #[serde(default)]
    pub host_devices: u32,
    #[serde(default)]
    pub snapshots: Vec<SnapshotSpec>,
    /// Disks created for it (default 1 when the VM's data center has a data domain).
    pub disks: Option<u32>,
    pub disk_size: Option<Spanned<SizeRange>>,
    pub id: Option<model::Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSpec {
    pub description: String,
    #[serde(default)]
    pub status: SnapshotStatus,
    pub cluster_level: Option<Spanned<Level>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageDomainSpec {
    pub name: Name,
    /// Absent for an unattached domain.
    pub data_center: Option<Name>,
    #[serde(default)]
    pub role: DomainRole,
    #[serde(default)]
    pub storage: StorageType,
    #[serde(default)]
    pub status: Option<StorageDomainStatus>,
    #[serde(default)]
    pub master: bool,
    #[serde(default)]
    pub hosted_engine: bool,
    pub format_version: Option<u8>,
    /// A local domain's directory on its host; `/data/NAME` when not given.
    pub path: Option<String>,
    pub id: Option<model::Uuid>,
}

/// A disk written out, with its chain when it has snapshots.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskSpec {
    pub alias: Name,
    pub storage_domain: Name,
    pub vm: Option<Name>,
    pub size: Spanned<SizeRange>,
    #[serde(default)]
    pub format: VolumeFormat,
    /// Volumes in the chain, base included (default 1).
    pub volumes: Option<u32>,
    #[serde(default)]
    pub illegal: bool,
    pub id: Option<model::Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlusterVolumeSpec {
    pub name: Name,
    pub cluster: Name,
    #[serde(default)]
    pub pending_heals: u64,
    #[serde(default)]
    pub geo_replication: Vec<String>,
}
