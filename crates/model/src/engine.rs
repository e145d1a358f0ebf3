//! The one seam to an engine: what can be asked of it and what it answers. The HTTP client
//! for real engines and the in-process simulator both implement [`Engine`]; everything that
//! acts on an environment (live checks, the rolling upgrade, the compatibility chain) talks
//! to this trait only.

use std::fmt;
use std::future::Future;

use serde::Serialize;

use crate::id::*;
use crate::inventory::{Affinity, Host, Inventory, SchedulingPolicy, StorageDomain, Vm};
use crate::time::Timestamp;
use crate::version::Level;

/// What can be done to a host (API `HostService` actions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAction {
    /// Move to maintenance, migrating its VMs away. `stop_gluster_service` (a URL parameter
    /// on the wire) also stops gluster there, after the engine's quorum and heal checks.
    Deactivate {
        reason: Option<String>,
        stop_gluster_service: bool,
    },
    /// Back from maintenance to up.
    Activate,
    /// Ask the host whether package updates are available.
    UpgradeCheck,
    /// Update its packages (through maintenance), reboot when asked, return to its status.
    Upgrade {
        reboot: bool,
        timeout_minutes: Option<u32>,
    },
}

/// What can be done to a VM (API `VmService` actions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmAction {
    /// Live-migrate, to `host` or where the scheduler chooses; `force` overrides user_migratable.
    Migrate {
        host: Option<HostId>,
        force: bool,
    },
    Start,
    /// Power off.
    Stop,
    /// Ask the guest to shut down.
    Shutdown,
    Reboot,
    /// The hosted-engine VM's `maintenance` action: global maintenance on or off.
    GlobalMaintenance {
        enabled: bool,
    },
}

/// A change to a cluster (API `PUT /clusters/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterUpdate {
    pub version: Option<Level>,
    pub scheduling_policy: Option<SchedulingPolicy>,
}

/// The cluster's upgrade flag (API `ClusterUpgradeAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterUpgrade {
    Start,
    UpdateProgress { percent: u8 },
    Finish,
}

/// A password that never shows in debug output: a user's for the API, root's for a new host.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Self {
        Password(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// How the engine logs in over SSH to deploy a new host (API `ssh/authentication_method`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshAuthentication {
    /// The engine's own key, already in root's `authorized_keys` there (`publickey`).
    PublicKey,
    /// root's password (`password`, sent as `root_password`), read by the caller from a file.
    Password(Password),
}

/// A host to add to a cluster (API `POST /hosts`, engine `AddVdsCommand`): the engine
/// validates it at once, then deploys the machine over SSH in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHost {
    /// Its name in the engine, unique in its cluster (engine-wide before 4.4).
    pub name: String,
    /// The machine's FQDN or IP address, where the engine reaches it over SSH.
    pub address: String,
    pub cluster: ClusterId,
    pub ssh: SshAuthentication,
    /// Deploy it as a hosted-engine host (the `deploy_hosted_engine` URL parameter).
    pub deploy_hosted_engine: bool,
    /// Activate it once installed (`activate`, the engine's default); else it stays in
    /// maintenance.
    pub activate: bool,
    /// Reboot it once installed (`reboot`, the engine's default from 4.4.5; older engines
    /// have no such parameter and do not reboot).
    pub reboot: bool,
}

impl NewHost {
    /// A host with the engine's defaults: activated and rebooted, no hosted engine.
    pub fn new(
        name: impl Into<String>,
        address: impl Into<String>,
        cluster: ClusterId,
        ssh: SshAuthentication,
    ) -> NewHost {
        NewHost {
            name: name.into(),
            address: address.into(),
            cluster,
            ssh,
            deploy_hosted_engine: false,
            activate: true,
            reboot: true,
        }
    }
}

/// A new data domain in an empty directory of a host of a local data center (API `POST
/// /storagedomains` with `<storage><type>localfs</type><path>`, `AddLocalStorageDomainCommand`,
/// which attaches it to the host's data center itself: the first becomes its master). The
/// REST API sends every localfs domain there: it cannot import one that exists (only the
/// Administration Portal's Import Domain can, `AddExistingFileStorageDomainCommand`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocalDomain {
    pub name: String,
    /// The host whose directory it is; it must be up.
    pub host: HostId,
    pub path: String,
}

/// A storage domain's activation in its data center (API
/// `/datacenters/{id}/storagedomains/{id}/activate|deactivate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainAction {
    Activate,
    /// To maintenance (`DeactivateStorageDomainWithOvfUpdateCommand`: its OVF stores are
    /// written first). A master domain goes last; with it the data center goes to maintenance.
    Deactivate,
}

/// A VM a data domain holds that the engine does not know (API `GET
/// /storagedomains/{id}/vms;unregistered`), read from the domain's OVF stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnregisteredVm {
    pub id: VmId,
    pub name: String,
}

/// Severity of an engine event (API `LogSeverity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Normal,
    Warning,
    Error,
    Alert,
}

/// One entry of the engine's audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Numeric and increasing; lists come newest first.
    pub id: u64,
    /// The engine's `AuditLogType` code (842: host upgrade finished, 63: migration done, ...).
    pub code: u32,
    pub severity: Severity,
    pub description: String,
    pub time: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<HostId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm: Option<VmId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Only a client's own event names a data center apart from its cluster's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_center: Option<DataCenterId>,
    /// Set on events a client added (`POST /events`); the engine's own have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalSource>,
}

/// Who added an external event: its `origin` (anything but the engine's own `oVirt`) and
/// the `custom_id` it is known by there, unique per origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalSource {
    pub origin: String,
    pub custom_id: i32,
}

/// Why an engine did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The engine refused (its `<fault>`): 409 for conflicts, 400 for bad requests.
    #[error("the engine refused: {detail} (HTTP {status}, {reason})")]
    Refused {
        status: u16,
        reason: String,
        detail: String,
    },
    #[error("{kind} {id} does not exist on the engine")]
    NotFound { kind: &'static str, id: String },
    /// The engine could not be reached or answered 5xx; worth retrying idempotent calls.
    #[error("the engine is unavailable: {0}")]
    Unavailable(String),
    /// Login failed or the token was rejected twice.
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The engine answered something we cannot read.
    #[error("unexpected answer from the engine: {0}")]
    Protocol(String),
}

impl EngineError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, EngineError::Unavailable(_))
    }
}

/// An engine, real or simulated. Actions return once the engine accepted them; their effects
/// follow asynchronously, as on a real engine, and are observed by reading state and events.
pub trait Engine: Send + Sync {
    /// The whole environment as the engine sees it now.
    fn inventory(&self) -> impl Future<Output = Result<Inventory, EngineError>> + Send;
    fn host(&self, id: HostId) -> impl Future<Output = Result<Host, EngineError>> + Send;
    fn vm(&self, id: VmId) -> impl Future<Output = Result<Vm, EngineError>> + Send;
    fn host_action(
        &self,
        id: HostId,
        action: HostAction,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    fn vm_action(
        &self,
        id: VmId,
        action: VmAction,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// Removes a host from the engine (API `DELETE /hosts/{id}`, engine `RemoveVdsCommand`):
    /// it must be in maintenance (or down, non-responsive, non-operational, install_failed)
    /// and run no VM. `force` (a URL parameter) removes a gluster host whose peers are all down.
    fn remove_host(
        &self,
        id: HostId,
        force: bool,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// Adds a host and starts its deployment; returns it as the engine shows it then
    /// (`installing`). It comes up, or ends `install_failed`, later.
    fn add_host(&self, host: NewHost) -> impl Future<Output = Result<Host, EngineError>> + Send;
    /// Sets where a VM may run (API `PUT /vms/{id}` with a `<placement_policy>` alone, engine
    /// `UpdateVmCommand`): its affinity and the hosts it is pinned to or prefers, by id; none
    /// lets it run on any host of its cluster. The engine refuses a host it does not know or
    /// of another cluster, and a list without the host a running pinned VM is on; a VM whose
    /// hosts change loses its host devices.
    fn set_vm_placement(
        &self,
        id: VmId,
        affinity: Affinity,
        hosts: Vec<HostId>,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// Takes a storage domain out of the engine's records (API `DELETE
    /// /storagedomains/{id}?destroy=true`, `ForceRemoveStorageDomainCommand`): the VMs whose
    /// disks are all there leave with it, the storage itself is not touched, so the domain
    /// can be imported again. It must not be active; a master goes last, and with it the
    /// data center becomes uninitialized.
    fn destroy_storage_domain(
        &self,
        id: StorageDomainId,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// Creates a local data domain and attaches it to its host's data center.
    fn add_local_domain(
        &self,
        domain: NewLocalDomain,
    ) -> impl Future<Output = Result<StorageDomain, EngineError>> + Send;
    /// Attaches a domain to a data center and activates it (API `POST
    /// /datacenters/{id}/storagedomains`, `AttachStorageDomainToPoolCommand`); the first data
    /// domain becomes its master and brings it up.
    fn attach_storage_domain(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    fn storage_domain_action(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// The VMs an attached domain holds that the engine does not know.
    fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> impl Future<Output = Result<Vec<UnregisteredVm>, EngineError>> + Send;
    /// Registers one of them into a cluster of the domain's data center, with its id (API
    /// `POST /storagedomains/{id}/vms/{id}/register`, `ImportVmFromConfigurationCommand`);
    /// it is down.
    fn register_vm(
        &self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    fn update_cluster(
        &self,
        id: ClusterId,
        update: ClusterUpdate,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    fn update_data_center(
        &self,
        id: DataCenterId,
        version: Level,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    fn cluster_upgrade(
        &self,
        id: ClusterId,
        action: ClusterUpgrade,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
    /// Events with ids greater than `after` (all when `None`), newest first.
    fn events(
        &self,
        after: Option<u64>,
    ) -> impl Future<Output = Result<Vec<Event>, EngineError>> + Send;
    /// The id of the newest event, where a run starts watching the log. The default reads
    /// the whole log; a real engine's can be millions of entries, so clients override it.
    fn newest_event_id(&self) -> impl Future<Output = Result<Option<u64>, EngineError>> + Send {
        async move { Ok(self.events(None).await?.iter().map(|e| e.id).max()) }
    }
}

impl fmt::Display for HostAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostAction::Deactivate { .. } => "deactivate",
            HostAction::Activate => "activate",
            HostAction::UpgradeCheck => "upgradecheck",
            HostAction::Upgrade { .. } => "upgrade",
        })
    }
}

impl fmt::Display for VmAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VmAction::Migrate { .. } => "migrate",
            VmAction::Start => "start",
            VmAction::Stop => "stop",
            VmAction::Shutdown => "shutdown",
            VmAction::Reboot => "reboot",
            VmAction::GlobalMaintenance { .. } => "maintenance",
        })
    }
}
