//! Enumerations of the API whose value sets differ from the model's (where they are equal,
//! wire structs use the model's enums directly: `HostStatus`, `VmStatus`, `Affinity`,
//! `DataCenterStatus`, `StorageDomainStatus`, `SpmStatus`, `SnapshotStatus`, `VolumeFormat`).
//!
//! Values are the engine's exact spellings (research §4.1). A value outside the set is a
//! read error naming the element, the value and the object; see the crate documentation
//! for which fields are read as enums and which as free text.

use std::borrow::Cow;

use crate::field::{unknown_value, Scalar};

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),*
        }

        impl $name {
            /// Every value, in the API's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as the engine spells it.
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
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)*
                    _ => Err(unknown_value(text, $name::ALL.iter().map(|v| v.as_str()))),
                }
            }
        }

        impl Scalar for $name {
            fn parse(text: &str) -> Result<Self, String> {
                text.parse()
            }

            fn render(&self) -> Cow<'_, str> {
                Cow::Borrowed(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// How the engine logs in over SSH to a host it deploys (`SshAuthenticationMethod`).
    SshAuthenticationMethod { Password = "password", Publickey = "publickey" }
);

wire_enum!(
    /// `<type>` of a host (API `HostType`).
    HostType {
        Rhel = "rhel",
        OvirtNode = "ovirt_node",
        /// The pre-4.0 RHEV-H image; deprecated, still in the API.
        RhevH = "rhev_h",
    }
);

wire_enum!(
    /// `<type>` of a storage domain (API `StorageDomainType`).
    StorageDomainType {
        Data = "data", Iso = "iso", Export = "export",
        /// A Glance image repository (external provider).
        Image = "image",
        /// A Cinder volume provider (external provider).
        Volume = "volume",
        ManagedBlockStorage = "managed_block_storage",
    }
);

wire_enum!(
    /// `<storage><type>` (API `StorageType`).
    StorageType {
        Iscsi = "iscsi", Fcp = "fcp", Nfs = "nfs", Localfs = "localfs", Posixfs = "posixfs",
        Glusterfs = "glusterfs", Glance = "glance", Cinder = "cinder",
        ManagedBlockStorage = "managed_block_storage",
    }
);

wire_enum!(
    /// `<storage_format>` of data centers and storage domains.
    StorageFormat { V1 = "v1", V2 = "v2", V3 = "v3", V4 = "v4", V5 = "v5" }
);

impl StorageFormat {
    /// The format's number: `v5` is 5.
    pub const fn number(self) -> u8 {
        match self {
            StorageFormat::V1 => 1,
            StorageFormat::V2 => 2,
            StorageFormat::V3 => 3,
            StorageFormat::V4 => 4,
            StorageFormat::V5 => 5,
        }
    }

    pub fn from_number(number: u8) -> Option<StorageFormat> {
        StorageFormat::ALL
            .iter()
            .copied()
            .find(|f| f.number() == number)
    }
}

wire_enum!(
    /// `<status>` of a disk or disk snapshot (API `DiskStatus`).
    DiskStatus { Illegal = "illegal", Locked = "locked", Ok = "ok" }
);

wire_enum!(
    /// `<content_type>` of a disk (API `DiskContentType`).
    DiskContentType {
        Data = "data", OvfStore = "ovf_store", MemoryDumpVolume = "memory_dump_volume",
        MemoryMetadataVolume = "memory_metadata_volume", Iso = "iso",
        HostedEngine = "hosted_engine", HostedEngineSanlock = "hosted_engine_sanlock",
        HostedEngineMetadata = "hosted_engine_metadata",
        HostedEngineConfiguration = "hosted_engine_configuration",
        BackupScratch = "backup_scratch",
    }
);

wire_enum!(
    /// `<storage_type>` of a disk (API `DiskStorageType`).
    DiskStorageType {
        Image = "image", Lun = "lun", Cinder = "cinder",
        ManagedBlockStorage = "managed_block_storage",
    }
);

wire_enum!(
    /// `<severity>` of an event (API `LogSeverity`).
    LogSeverity { Normal = "normal", Warning = "warning", Error = "error", Alert = "alert" }
);

wire_enum!(
    /// `<status>` of a job (API `JobStatus`).
    JobStatus {
        Aborted = "aborted", Failed = "failed", Finished = "finished", Started = "started",
        Unknown = "unknown",
    }
);

wire_enum!(
    /// `<status>` of a step (API `StepStatus`).
    StepStatus {
        Aborted = "aborted", Failed = "failed", Finished = "finished", Started = "started",
        Unknown = "unknown",
    }
);

wire_enum!(
    /// `<type>` of a step (API `StepEnum`).
    StepType {
        Validating = "validating", Executing = "executing", Finalizing = "finalizing",
        RebalancingVolume = "rebalancing_volume", RemovingBricks = "removing_bricks",
        Unknown = "unknown",
    }
);

wire_enum!(
    /// `<status>` of a network in a cluster (API `NetworkStatus`).
    NetworkStatus { Operational = "operational", NonOperational = "non_operational" }
);

wire_enum!(
    /// One of a network's `<usages>` (API `NetworkUsage`).
    NetworkUsage {
        DefaultRoute = "default_route", Display = "display", Gluster = "gluster",
        Management = "management", Migration = "migration", Vm = "vm",
    }
);

wire_enum!(
    /// `<upgrade_action>` of the cluster `upgrade` action (API `ClusterUpgradeAction`).
    ClusterUpgradeAction { Start = "start", UpdateProgress = "update_progress", Finish = "finish" }
);

wire_enum!(
    /// `<snapshot_type>` of a VM snapshot (API `SnapshotType`).
    SnapshotType { Regular = "regular", Active = "active", Stateless = "stateless", Preview = "preview" }
);
