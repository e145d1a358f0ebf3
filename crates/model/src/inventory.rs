//! The inventory: one oVirt environment as the upgrade guide sees it.
//!
//! Objects live in flat lists and refer to each other by id, the way the engine's
//! database does; [`crate::InventoryIndex`] gives fast lookups. Serialised as JSON this is
//! the inventory snapshot format (`"format": 1`), documented in `docs/inventory-format.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::*;
use crate::os::ElVersion;
use crate::time::Date;
use crate::version::{Level, PackageVersion, Version};

/// The inventory format this build reads and writes.
pub const INVENTORY_FORMAT: u32 = 1;

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? } $(default $default:ident)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as the engine and our files spell it.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(crate::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    }),
                }
            }
        }

        $(impl Default for $name {
            fn default() -> Self { $name::$default }
        })?
    };
}

wire_enum!(
    /// Facts an inventory's source could not see, so that nothing reads their absence as
    /// "none": an engine's REST API shows neither the Manager machine nor a host's vdsm details.
    Unseen {
        /// The Manager machine: OS minor, databases, Data Warehouse, Grafana, extensions,
        /// certificates (but those recorded, which the engine presents over the network), OVN
        /// provider, backups.
        ManagerMachine = "manager_machine",
        /// Per host: the cluster levels its vdsm supports, packages beyond vdsm and libvirt, OVN.
        HostDetails = "host_details",
        /// Per VM: vGPUs and host devices.
        VmDevices = "vm_devices",
        /// The cluster level kept in each snapshot's configuration.
        SnapshotLevels = "snapshot_levels",
        /// Gluster volumes, their heals and geo-replication sessions.
        Gluster = "gluster",
    }
);

wire_enum!(
    /// How the Manager runs: in a VM on its own hosts, or on a separate machine.
    Deployment { SelfHosted = "self-hosted", Standalone = "standalone" }
);

wire_enum!(
    /// Where a database lives relative to the Manager machine.
    DatabasePlacement { Local = "local", Remote = "remote" } default Local
);

wire_enum!(
    /// Where Data Warehouse (ovirt-engine-dwh) lives, if it is installed at all.
    DwhPlacement { Local = "local", Remote = "remote", None = "none" } default Local
);

wire_enum!(
    /// Optional Manager extension packages the guide treats specially.
    Extension {
        /// ovirt-engine-extension-aaa-ldap: LDAP directories (deprecated in 4.4 for IdM / RHSSO).
        AaaLdap = "aaa-ldap",
        /// ovirt-engine-extension-aaa-misc.
        AaaMisc = "aaa-misc",
        /// ovirt-engine-extension-aaa-jdbc: the internal domain.
        AaaJdbc = "aaa-jdbc",
    }
);

wire_enum!(
    /// The engine's host states (API `HostStatus`), exactly.
    HostStatus {
        Down = "down", Error = "error", Initializing = "initializing", Installing = "installing",
        InstallFailed = "install_failed", Maintenance = "maintenance",
        NonOperational = "non_operational", NonResponsive = "non_responsive",
        PendingApproval = "pending_approval", PreparingForMaintenance = "preparing_for_maintenance",
        Connecting = "connecting", Reboot = "reboot", Unassigned = "unassigned", Up = "up",
        InstallingOs = "installing_os", Kdumping = "kdumping",
    } default Up
);

wire_enum!(
    /// What is installed on a host: Enterprise Linux with vdsm, or an oVirt Node / RHVH image.
    HostType { Rhel = "rhel", OvirtNode = "ovirt_node" } default Rhel
);

wire_enum!(
    /// Storage Pool Manager role of a host.
    SpmStatus { None = "none", Contending = "contending", Spm = "spm" } default None
);

wire_enum!(
    /// The engine's VM states (API `VmStatus`), exactly.
    VmStatus {
        Unassigned = "unassigned", Down = "down", Up = "up", PoweringUp = "powering_up",
        Paused = "paused", Migrating = "migrating", Unknown = "unknown",
        NotResponding = "not_responding", WaitForLaunch = "wait_for_launch",
        RebootInProgress = "reboot_in_progress", SavingState = "saving_state",
        RestoringState = "restoring_state", Suspended = "suspended", ImageLocked = "image_locked",
        PoweringDown = "powering_down",
    } default Up
);

wire_enum!(
    /// Whether and how a VM may be migrated (API `placement_policy/affinity`).
    Affinity {
        /// Migrates freely.
        Migratable = "migratable",
        /// Migrates only when an administrator asks (engine: implicitly non-migratable).
        UserMigratable = "user_migratable",
        /// Never migrates: pinned to its host(s).
        Pinned = "pinned",
    } default Migratable
);

wire_enum!(
    /// Scheduling policies built into the engine.
    SchedulingPolicy {
        None = "none", EvenlyDistributed = "evenly_distributed", PowerSaving = "power_saving",
        VmEvenlyDistributed = "vm_evenly_distributed", ClusterMaintenance = "cluster_maintenance",
    } default None
);

wire_enum!(
    /// Data-center status (API `DataCenterStatus`).
    DataCenterStatus {
        Uninitialized = "uninitialized", Up = "up", Maintenance = "maintenance",
        NotOperational = "not_operational", Problematic = "problematic", Contend = "contend",
    } default Up
);

wire_enum!(
    /// Whether a data center uses shared storage or storage local to its single host.
    StorageKind { Shared = "shared", Local = "local" } default Shared
);

wire_enum!(
    /// What a storage domain holds.
    DomainRole { Data = "data", Iso = "iso", Export = "export" } default Data
);

wire_enum!(
    /// How a storage domain is reached.
    StorageType {
        Nfs = "nfs", Iscsi = "iscsi", Fcp = "fcp", Glusterfs = "glusterfs", Localfs = "localfs",
        Posixfs = "posixfs",
    } default Nfs
);

wire_enum!(
    /// Storage-domain status in its data center (API `StorageDomainStatus`).
    StorageDomainStatus {
        Active = "active", Inactive = "inactive", Locked = "locked", Mixed = "mixed",
        Unattached = "unattached", Maintenance = "maintenance",
        PreparingForMaintenance = "preparing_for_maintenance", Detaching = "detaching",
        Activating = "activating", Unknown = "unknown",
    } default Active
);

wire_enum!(
    /// What a disk holds (API `DiskContentType`, the kinds an upgrade cares about).
    ContentType {
        Data = "data", OvfStore = "ovf_store", MemoryDumpVolume = "memory_dump_volume",
        MemoryMetadataVolume = "memory_metadata_volume", Iso = "iso",
        HostedEngine = "hosted_engine", HostedEngineSanlock = "hosted_engine_sanlock",
        HostedEngineMetadata = "hosted_engine_metadata",
        HostedEngineConfiguration = "hosted_engine_configuration",
    } default Data
);

wire_enum!(
    /// A volume's format on storage.
    VolumeFormat { Cow = "cow", Raw = "raw" } default Cow
);

wire_enum!(
    /// A volume's allocation on storage.
    Allocation { Sparse = "sparse", Preallocated = "preallocated" } default Sparse
);

wire_enum!(
    /// Whether vdsm considers a volume usable.
    Legality { Legal = "legal", Illegal = "illegal" } default Legal
);

wire_enum!(
    /// Snapshot status (API `SnapshotStatus`).
    SnapshotStatus { Ok = "ok", Locked = "locked", InPreview = "in_preview" } default Ok
);

/// A whole environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// Always [`INVENTORY_FORMAT`]; checked on load.
    pub format: u32,
    /// A name for people ("Production, Tokyo").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Where the inventory came from (a scenario file, an engine URL).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// When it was taken, as the source said (RFC 3339); absent for generated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    /// What the source could not see (empty for scenarios, which say everything).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<Unseen>,
    pub manager: Manager,
    #[serde(default)]
    pub data_centers: Vec<DataCenter>,
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    #[serde(default)]
    pub hosts: Vec<Host>,
    #[serde(default)]
    pub vms: Vec<Vm>,
    #[serde(default)]
    pub storage_domains: Vec<StorageDomain>,
    #[serde(default)]
    pub disks: Vec<Disk>,
    #[serde(default)]
    pub gluster_volumes: Vec<GlusterVolume>,
    /// Objects the source showed that this inventory cannot hold, and why: a cluster in no
    /// data center, a value a later engine added. Empty for scenarios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

/// An object the source showed but the inventory leaves out, so that nothing reads its
/// absence as "there is none". Objects that refer to it are left out too, each with its
/// own entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    /// What it is, in words: `cluster`, `host`, `VM`, `storage domain`, `disk`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its id as the source gave it (not always a UUID, when that is what was wrong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why, for people: `<data_center> is missing: it belongs to no data center`.
    pub reason: String,
}

/// The Manager (ovirt-engine) and what is installed around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manager {
    pub version: Version,
    pub deployment: Deployment,
    /// The Manager machine's host name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fqdn: String,
    /// Enterprise Linux release of the Manager machine (EL7, EL8.6, EL9).
    pub os: ElVersion,
    #[serde(default)]
    pub database: Database,
    #[serde(default)]
    pub dwh: DataWarehouse,
    #[serde(default, skip_serializing_if = "is_false")]
    pub grafana: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
    /// ovirt-provider-ovn is configured as a network provider.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ovn: bool,
    /// Date of the last successful `engine-backup`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup: Option<Date>,
}

/// The engine database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    #[serde(default)]
    pub placement: DatabasePlacement,
    /// PostgreSQL major version serving it ("9.5", "10", "12"), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgresql: Option<String>,
}

/// Data Warehouse and its database.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataWarehouse {
    #[serde(default)]
    pub placement: DwhPlacement,
    /// PostgreSQL major version of the Data Warehouse database, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgresql: Option<String>,
}

/// A certificate of the Manager's PKI (`/etc/pki/ovirt-engine/certs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// Its name as engine-setup knows it: `ca`, `engine`, `apache`, `websocket-proxy`, ...
    pub name: String,
    /// Signature algorithm as OpenSSL prints it (`sha256WithRSAEncryption`).
    pub signature_algorithm: String,
    pub not_after: Date,
    /// Issued by an external CA rather than the engine's own.
    #[serde(default, skip_serializing_if = "is_false")]
    pub external_ca: bool,
    /// The host names and addresses a server certificate is valid for (its subject
    /// alternative names), when they were read; absent for a CA or when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_alt_names: Option<Vec<String>>,
}

impl Certificate {
    /// SHA-1 signatures are what the guide's SHA-256 replacement procedure is about.
    pub fn is_sha1(&self) -> bool {
        is_sha1_signature(&self.signature_algorithm)
    }

    /// Whether a client reaching the Manager as `host` accepts this certificate's names:
    /// `None` when its names were not read. Names compare without case; a wildcard
    /// (`*.example.com`) stands for one leftmost label; addresses compare as addresses.
    pub fn is_valid_for(&self, host: &str) -> Option<bool> {
        let names = self.subject_alt_names.as_ref()?;
        Some(names.iter().any(|name| name_covers(name, host)))
    }
}

/// Whether a signature algorithm, as OpenSSL names it, hashes with SHA-1
/// (`sha1WithRSAEncryption`, `ecdsa-with-SHA1`).
pub fn is_sha1_signature(algorithm: &str) -> bool {
    let algorithm = algorithm.to_ascii_lowercase();
    algorithm.starts_with("sha1") || algorithm.ends_with("sha1")
}

/// Whether the certificate name `name` covers the host `host` (a name or an address).
fn name_covers(name: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let (Ok(name), Ok(host)) = (
        name.parse::<std::net::IpAddr>(),
        host.parse::<std::net::IpAddr>(),
    ) {
        return name == host;
    }
    let host = host.trim_end_matches('.');
    match name.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(parent)),
        None => name.trim_end_matches('.').eq_ignore_ascii_case(host),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataCenter {
    pub id: DataCenterId,
    pub name: String,
    pub version: Level,
    #[serde(default)]
    pub storage: StorageKind,
    #[serde(default)]
    pub status: DataCenterStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub id: ClusterId,
    pub name: String,
    pub data_center: DataCenterId,
    pub version: Level,
    #[serde(default)]
    pub scheduling_policy: SchedulingPolicy,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cpu_type: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub gluster_service: bool,
    /// The cluster's upgrade flag (`upgrade_in_progress`) is set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub upgrade_running: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub id: HostId,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    pub cluster: ClusterId,
    #[serde(default, rename = "type")]
    pub host_type: HostType,
    pub os: ElVersion,
    /// Installed versions of the packages that matter (vdsm, ovirt-host, libvirt, qemu-kvm...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub packages: BTreeMap<String, PackageVersion>,
    #[serde(default)]
    pub status: HostStatus,
    #[serde(default, skip_serializing_if = "is_false")]
    pub update_available: bool,
    /// Physical memory in bytes.
    pub memory: u64,
    /// Memory the scheduler may still place VMs into, in bytes.
    pub max_scheduling_memory: u64,
    #[serde(default, skip_serializing_if = "is_spm_none")]
    pub spm: SpmStatus,
    /// Hosted-engine state, for hosts deployed as hosted-engine hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_engine: Option<HostedEngineState>,
    /// Cluster levels this host can join (from its vdsm; `Unseen::HostDetails` through the API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_levels: Vec<Level>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ovn_configured: bool,
}

fn is_spm_none(spm: &SpmStatus) -> bool {
    *spm == SpmStatus::None
}

/// What `hosted-engine --vm-status` says about one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostedEngineState {
    #[serde(default = "yes")]
    pub configured: bool,
    /// The host's HA agent is alive (the API's `hosted_engine/active`, vdsm `_getHaInfo`);
    /// where the engine VM runs is the VM's host.
    #[serde(default, skip_serializing_if = "is_false")]
    pub active: bool,
    /// HA score: 3400 when healthy, 0 when it cannot run the engine VM.
    #[serde(default = "full_score")]
    pub score: u32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub local_maintenance: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub global_maintenance: bool,
}

fn yes() -> bool {
    true
}

impl HostStatus {
    /// Whether a hosted-engine host in this status runs its HA agent: its operating system
    /// and vdsm are up.
    pub fn ha_agent_alive(self) -> bool {
        matches!(
            self,
            HostStatus::Up
                | HostStatus::PreparingForMaintenance
                | HostStatus::Maintenance
                | HostStatus::NonOperational
        )
    }
}

/// Memory the engine keeps back on every host before scheduling VMs (its `reserved_memory`).
pub const HOST_RESERVED_MEMORY: u64 = 256 << 20;

/// The hosted-engine HA agent's score for a healthy host.
pub const FULL_HOSTED_ENGINE_SCORE: u32 = 3400;

fn full_score() -> u32 {
    FULL_HOSTED_ENGINE_SCORE
}

impl Default for HostedEngineState {
    fn default() -> Self {
        HostedEngineState {
            configured: true,
            active: false,
            score: FULL_HOSTED_ENGINE_SCORE,
            local_maintenance: false,
            global_maintenance: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vm {
    pub id: VmId,
    pub name: String,
    pub cluster: ClusterId,
    /// The host it runs on; none while down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostId>,
    #[serde(default)]
    pub status: VmStatus,
    /// Defined memory in bytes.
    pub memory: u64,
    #[serde(default)]
    pub affinity: Affinity,
    /// Hosts it is pinned to or restricted to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned_hosts: Vec<HostId>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub high_availability: bool,
    /// This is the self-hosted engine's own VM.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hosted_engine: bool,
    /// A configuration change waits for the next restart (`next_run_configuration_exists`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub next_run_pending: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_compatibility_version: Option<Level>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub cpu_passthrough: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub vgpu: bool,
    /// Host devices passed through (PCI, USB, SCSI).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub host_devices: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<Snapshot>,
}

impl Vm {
    /// Holds memory on its host: the engine counts every state but down.
    pub fn is_running(&self) -> bool {
        !matches!(self.status, VmStatus::Down | VmStatus::Unassigned)
    }

    /// A snapshot of this VM is being previewed.
    pub fn previewing_snapshot(&self) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .find(|s| s.status == SnapshotStatus::InPreview)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub id: SnapshotId,
    pub description: String,
    #[serde(default)]
    pub status: SnapshotStatus,
    /// Cluster level recorded in the snapshot's OVF, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageDomain {
    pub id: StorageDomainId,
    pub name: String,
    /// The data center it is attached to; none when unattached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_center: Option<DataCenterId>,
    #[serde(default)]
    pub role: DomainRole,
    #[serde(default)]
    pub storage: StorageType,
    #[serde(default)]
    pub status: StorageDomainStatus,
    #[serde(default, skip_serializing_if = "is_false")]
    pub master: bool,
    /// The domain holding the hosted-engine VM (`hosted_storage`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub hosted_engine: bool,
    /// Storage format version (`v4` = 4, `v5` = 5), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u8>,
    /// Its directory on its host, for a local domain (`<storage><path>`): where a
    /// reinstalled host mounts it again to import it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// A disk (an image group) and its chain of volumes, base first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disk {
    pub id: DiskId,
    pub alias: String,
    pub storage_domain: StorageDomainId,
    /// The VM it is attached to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<VmId>,
    #[serde(default, skip_serializing_if = "is_data")]
    pub content_type: ContentType,
    pub volumes: Vec<Volume>,
}

fn is_data(content: &ContentType) -> bool {
    *content == ContentType::Data
}

impl Disk {
    /// Virtual size the guest sees: the capacity of the top volume.
    pub fn capacity(&self) -> u64 {
        self.volumes.last().map_or(0, |v| v.capacity)
    }
}

/// One layer of a disk's chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    pub id: VolumeId,
    /// The volume below it; none for the base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<VolumeId>,
    /// Virtual size in bytes.
    pub capacity: u64,
    /// Bytes allocated on storage.
    #[serde(default)]
    pub actual_size: u64,
    #[serde(default)]
    pub format: VolumeFormat,
    #[serde(default)]
    pub allocation: Allocation,
    #[serde(default, skip_serializing_if = "is_legal")]
    pub legality: Legality,
}

fn is_legal(legality: &Legality) -> bool {
    *legality == Legality::Legal
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlusterVolume {
    pub id: GlusterVolumeId,
    pub name: String,
    pub cluster: ClusterId,
    /// Entries waiting for self-heal, summed over bricks.
    #[serde(default)]
    pub pending_heals: u64,
    /// Geo-replication sessions from this volume, by their remote (`host::volume`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geo_replication: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_certificate(names: &[&str]) -> Certificate {
        Certificate {
            name: "apache".into(),
            signature_algorithm: "sha256WithRSAEncryption".into(),
            not_after: Date::new(2030, 1, 1).unwrap(),
            external_ca: false,
            subject_alt_names: Some(names.iter().map(|n| n.to_string()).collect()),
        }
    }

    #[test]
    fn a_certificate_is_valid_for_its_names_wildcards_and_addresses() {
        let certificate = server_certificate(&[
            "engine.example.com",
            "*.lab.example.com",
            "192.0.2.10",
            "::1",
        ]);
        assert_eq!(certificate.is_valid_for("ENGINE.example.com"), Some(true));
        assert_eq!(certificate.is_valid_for("engine.example.com."), Some(true));
        assert_eq!(certificate.is_valid_for("rhvm.lab.example.com"), Some(true));
        assert_eq!(
            certificate.is_valid_for("a.b.lab.example.com"),
            Some(false),
            "a wildcard is one label"
        );
        assert_eq!(certificate.is_valid_for("lab.example.com"), Some(false));
        assert_eq!(certificate.is_valid_for("192.0.2.10"), Some(true));
        assert_eq!(certificate.is_valid_for("[::1]"), Some(true));
        assert_eq!(certificate.is_valid_for("192.0.2.11"), Some(false));
        assert_eq!(
            server_certificate(&[]).is_valid_for("engine.example.com"),
            Some(false)
        );
        let unread = Certificate {
            subject_alt_names: None,
            ..certificate
        };
        assert_eq!(unread.is_valid_for("engine.example.com"), None);
        assert!(!unread.is_sha1());
        for sha1 in ["sha1WithRSAEncryption", "ecdsa-with-SHA1", "dsaWithSHA1"] {
            assert!(is_sha1_signature(sha1), "{sha1}");
        }
        assert!(!is_sha1_signature("ecdsa-with-SHA256"));
    }
}
