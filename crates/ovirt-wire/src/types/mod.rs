//! Wire structs: the API's objects as the XML and JSON carry them. Every field is optional
//! (a missing element reads as `None`), unknown elements are skipped, and field names are
//! the element names (`type` is `type_`, `async` is `async_`).

mod activity;
mod api;
mod catalog;
mod cluster;
mod common;
mod data_center;
mod enums;
mod host;
mod storage;
mod vm;

pub use activity::{Action, Event, Fault, Job, Step};
pub use api::{Api, ApiSummary, ApiSummaryItem, ProductInfo, SpecialObjects};
pub use catalog::{
    ClusterLevel, CpuType, MacPool, MacRange, Network, SchedulingPolicy, Statistic, StatisticValue,
    Template, User,
};
pub use cluster::{Cluster, ErrorHandling, FencingPolicy, SkipIfConnectivityBroken};
pub use common::{
    Boot, Cpu, CpuTopology, Enabled, Ksm, Link, MemoryOverCommit, MemoryPolicy, MigrationBandwidth,
    MigrationOptions, OperatingSystem, Property, Ref, Version,
};
pub use data_center::DataCenter;
pub use enums::{
    ClusterUpgradeAction, DiskContentType, DiskStatus, DiskStorageType, HostType, JobStatus,
    LogSeverity, NetworkStatus, NetworkUsage, SnapshotType, SshAuthenticationMethod, StepStatus,
    StepType, StorageDomainType, StorageFormat, StorageType,
};
pub use host::{
    Certificate, HardwareInformation, Host, HostedEngine, IscsiDetails, PowerManagement, SeLinux,
    Spm, Ssh, VmSummary,
};
pub use storage::{Disk, DiskAttachment, DiskSnapshot, HostStorage, StorageDomain};
pub use vm::{
    Bios, Display, HighAvailability, Io, PlacementPolicy, Snapshot, Sso, TimeZone, Usb, Vm,
    VmNumaNode,
};
