//! The simulated engine: an inventory that changes the way a real engine's would, driven by
//! a virtual clock. Actions validate at once (refusing as the engine refuses) and schedule
//! their effects; [`Simulator::advance_to`] plays the effects that fall due, in time order.
//! Nothing here reads the real clock: the same seed and the same calls give the same history.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use model::engine::{
    ClusterUpdate, ClusterUpgrade, EngineError, Event, ExternalSource, HostAction, Severity,
    VmAction,
};
use model::release;
use model::rng::Rng;
use model::*;

use crate::faults::Faults;
use crate::invariants::{History, Transition};
use crate::messages::{self as msg, USER};
use crate::placement::{self, VM_OVERHEAD};

mod hosts;
mod storage;
pub use hosts::{Machine, MachineState, Reinstall};
pub use storage::StoredDomain;

/// How long things take, in milliseconds of virtual time. The defaults follow the research:
/// hosts take 20–30 minutes from upgrade start to up; reboot waits up to 10 minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Live-migration throughput.
    pub migration_bytes_per_second: u64,
    /// Fixed cost of every migration (setup, final switch-over).
    pub migration_setup_ms: u64,
    /// Migrations vdsm runs at once from one host; the engine launches them all, the rest queue.
    pub max_outgoing_migrations: usize,
    /// How long a host stuck in preparing_for_maintenance waits before trying again
    /// (`HostPreparingForMaintenanceIdleTime`, 300 s).
    pub maintenance_retry_ms: u64,
    pub install_ms: u64,
    pub reboot_ms: u64,
    /// A machine's operating-system reinstall (PXE or kickstart), outside the engine.
    pub reinstall_ms: u64,
    /// From activation (or vdsm's restart after an upgrade without reboot) to up.
    pub activate_ms: u64,
    /// From a rebooted host answering again to the engine's monitor setting it up.
    pub reconnect_ms: u64,
    /// How often the engine polls a host's statistics, where hosted-engine flags show.
    pub stats_poll_ms: u64,
    pub upgrade_check_ms: u64,
    pub vm_start_ms: u64,
    pub vm_stop_ms: u64,
    pub vm_shutdown_ms: u64,
    pub vm_reboot_ms: u64,
    /// From the Manager VM powering up to the engine answering with good health.
    pub engine_start_ms: u64,
    /// How long the hosted-engine HA agents take to notice the Manager VM is down and start it.
    pub ha_agent_ms: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            migration_bytes_per_second: 1 << 30,
            migration_setup_ms: 2_000,
            max_outgoing_migrations: 2,
            maintenance_retry_ms: 300_000,
            install_ms: 600_000,
            reboot_ms: 300_000,
            reinstall_ms: 1_800_000,
            activate_ms: 20_000,
            reconnect_ms: 60_000,
            stats_poll_ms: 15_000,
            upgrade_check_ms: 30_000,
            vm_start_ms: 40_000,
            vm_stop_ms: 3_000,
            vm_shutdown_ms: 30_000,
            vm_reboot_ms: 40_000,
            engine_start_ms: 180_000,
            ha_agent_ms: 10_000,
        }
    }
}

/// Things that happen later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    MigrationDone {
        vm: VmId,
        to: HostId,
        started: Timestamp,
        kind: MigrationKind,
    },
    EvacuationRetry {
        host: HostId,
    },
    /// An upgrade's move to maintenance, which the engine runs after answering.
    UpgradeMaintenance {
        host: HostId,
    },
    InstallDone {
        host: HostId,
    },
    /// A new host's deployment (host-deploy) ends.
    DeployDone {
        host: HostId,
    },
    /// A new host is back from the reboot after its deployment.
    DeployRebooted {
        host: HostId,
    },
    /// A machine's operating-system reinstall ends (by its place in `machines`).
    ReinstallDone {
        machine: usize,
    },
    RebootDone {
        host: HostId,
    },
    /// The monitor reaches a host again after its reboot or vdsm restart.
    Reconnected {
        host: HostId,
    },
    Activated {
        host: HostId,
    },
    /// A host's statistics poll shows the hosted-engine global maintenance flag.
    HaFlagPolled {
        host: HostId,
        enabled: bool,
    },
    UpgradeCheckDone {
        host: HostId,
    },
    VmUp {
        vm: VmId,
    },
    VmDown {
        vm: VmId,
        shutdown: bool,
    },
    /// The hosted-engine HA agents start the Manager VM.
    EngineVmStart,
    /// The Manager's services answer inside its VM.
    EngineUp {
        vm: VmId,
    },
    /// No host accesses a deactivated domain any more: it is in maintenance.
    DomainMaintenance {
        domain: StorageDomainId,
    },
    /// An attached or activated domain is connected and monitored: active.
    DomainActive {
        domain: StorageDomainId,
    },
}

impl Step {
    /// The host the step acts on, if it acts on one.
    fn host(&self) -> Option<HostId> {
        match *self {
            Step::MigrationDone { to, .. } => Some(to),
            Step::EvacuationRetry { host }
            | Step::UpgradeMaintenance { host }
            | Step::InstallDone { host }
            | Step::DeployDone { host }
            | Step::DeployRebooted { host }
            | Step::RebootDone { host }
            | Step::Reconnected { host }
            | Step::Activated { host }
            | Step::HaFlagPolled { host, .. }
            | Step::UpgradeCheckDone { host } => Some(host),
            Step::ReinstallDone { .. }
            | Step::VmUp { .. }
            | Step::VmDown { .. }
            | Step::EngineVmStart
            | Step::EngineUp { .. }
            | Step::DomainMaintenance { .. }
            | Step::DomainActive { .. } => None,
        }
    }

    /// The VM the step acts on, if it acts on one.
    fn vm(&self) -> Option<VmId> {
        match *self {
            Step::MigrationDone { vm, .. }
            | Step::VmUp { vm }
            | Step::VmDown { vm, .. }
            | Step::EngineUp { vm } => Some(vm),
            _ => None,
        }
    }
}

/// Who asked for a migration, which decides its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MigrationKind {
    /// Launched by a move to maintenance (`MigrateMultipleVms`): 67, then 63 or 120.
    Evacuation,
    /// Asked for with a destination (`MigrateVmToServer`): 62, then 63 or 120.
    ToHost,
    /// Asked for without one (`MigrateVm`): 62, then 63, or 65 (140 while the source prepares).
    Scheduled,
}

/// Event 17's text (`VDS_MAINTENANCE_FAILED`).
fn maintenance_failed(host: &str) -> String {
    format!("Failed to switch Host {host} to Maintenance mode.")
}

/// A day in milliseconds: event 843 is logged once a day per host.
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Default)]
struct HostRun {
    /// Moving to maintenance; `internal` when an upgrade asked (user_migratable VMs then block).
    maintenance: Option<MaintenanceRun>,
    /// Upgrading; the status to return to when done.
    upgrade: Option<UpgradeRun>,
    /// A check for updates is running (a second one gets 886).
    checking: bool,
    /// Package updates wait in the host's repositories, whatever the API shows.
    updates_pending: bool,
    /// Being deployed after it was added.
    deploy: Option<hosts::DeployRun>,
}

#[derive(Debug, Clone)]
struct MaintenanceRun {
    reason: Option<String>,
    internal: bool,
}

#[derive(Debug, Clone, Copy)]
struct UpgradeRun {
    return_to: HostStatus,
    reboot: bool,
}

/// The cluster upgrade flag's bookkeeping (`upgrade_correlation_id`, `upgrade_percent_complete`).
#[derive(Debug, Clone, Default)]
struct ClusterUpgradeRun {
    correlation_id: String,
    percent: u8,
}

pub struct Simulator {
    inventory: Inventory,
    hosts: HashMap<HostId, usize>,
    vms: HashMap<VmId, usize>,
    clusters: HashMap<ClusterId, usize>,
    data_centers: HashMap<DataCenterId, usize>,
    now: Timestamp,
    queue: BinaryHeap<Reverse<(Timestamp, u64, Step)>>,
    sequence: u64,
    rng: Rng,
    config: SimConfig,
    faults: Faults,
    events: Vec<Event>,
    host_runs: HashMap<HostId, HostRun>,
    migrating_to: HashMap<VmId, HostId>,
    /// When each of a host's vdsm migration slots is free again.
    outgoing_slots: HashMap<HostId, Vec<Timestamp>>,
    /// Global maintenance as the HA agents share it; hosts show it after their next poll.
    global_maintenance: bool,
    cluster_upgrades: HashMap<ClusterId, ClusterUpgradeRun>,
    published_update: Option<PackageVersion>,
    history: History,
    /// The `Correlation-Id` of the client's session: tags the events its actions cause.
    session_correlation_id: Option<String>,
    /// Hosts (by name) and machines (by address) whose one failing installation
    /// (`install-fail-once`) has happened.
    failed_once: std::collections::HashSet<String>,
    /// The machines behind the hosts, which outlive their host records.
    machines: Vec<Machine>,
    /// The machine (by its place in `machines`) whose disk holds each local domain.
    local_domains: HashMap<StorageDomainId, usize>,
    /// What imported domains hold that is not registered yet, as their OVF stores show it.
    unregistered: HashMap<StorageDomainId, StoredDomain>,
}

fn refused(status: u16, detail: impl Into<String>) -> EngineError {
    EngineError::Refused {
        status,
        reason: "Operation Failed".into(),
        detail: format!("[{}]", detail.into()),
    }
}

fn conflict(detail: impl Into<String>) -> EngineError {
    refused(409, detail)
}

impl Simulator {
    pub fn new(
        inventory: Inventory,
        config: SimConfig,
        faults: Faults,
        seed: u64,
        start: Timestamp,
    ) -> Simulator {
        let positions = |ids: Vec<Uuid>| {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id, i))
                .collect::<HashMap<_, _>>()
        };
        let hosts = positions(inventory.hosts.iter().map(|h| h.id.0).collect())
            .into_iter()
            .map(|(k, v)| (HostId(k), v))
            .collect();
        let vms = positions(inventory.vms.iter().map(|v| v.id.0).collect())
            .into_iter()
            .map(|(k, v)| (VmId(k), v))
            .collect();
        let clusters = positions(inventory.clusters.iter().map(|c| c.id.0).collect())
            .into_iter()
            .map(|(k, v)| (ClusterId(k), v))
            .collect();
        let data_centers = positions(inventory.data_centers.iter().map(|d| d.id.0).collect())
            .into_iter()
            .map(|(k, v)| (DataCenterId(k), v))
            .collect();
        let history = History::new(&inventory, start);
        let machines = inventory.hosts.iter().map(Machine::of).collect();
        let mut sim = Simulator {
            inventory,
            hosts,
            vms,
            clusters,
            data_centers,
            now: start,
            queue: BinaryHeap::new(),
            sequence: 0,
            rng: Rng::new(seed),
            config,
            faults,
            events: Vec::new(),
            host_runs: HashMap::new(),
            migrating_to: HashMap::new(),
            outgoing_slots: HashMap::new(),
            global_maintenance: false,
            cluster_upgrades: HashMap::new(),
            published_update: None,
            history,
            session_correlation_id: None,
            failed_once: Default::default(),
            machines,
            local_domains: HashMap::new(),
            unregistered: HashMap::new(),
        };
        sim.local_domains = sim.starting_local_domains();
        sim.global_maintenance = sim
            .inventory
            .hosts
            .iter()
            .filter_map(|h| h.hosted_engine)
            .any(|he| he.global_maintenance);
        let hosts: Vec<(HostId, bool)> = sim
            .inventory
            .hosts
            .iter()
            .map(|h| (h.id, h.update_available))
            .collect();
        for (host, pending) in hosts {
            sim.host_runs.entry(host).or_default().updates_pending = pending;
            sim.refresh_agent(host);
        }
        // The engine's log is never empty: clients ask for `max=1` to learn where it ends.
        sim.event(
            msg::VDS_DETECTED,
            Severity::Normal,
            "Simulated engine started.".into(),
            None,
            None,
            None,
        );
        sim
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The faults, to change while running: an administrator fixing what a fault broke.
    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// When the next scheduled effect falls due, if any.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.queue.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Plays every effect due up to `time`, in order, and moves the clock there.
    pub fn advance_to(&mut self, time: Timestamp) {
        while let Some(&Reverse((at, _, step))) = self.queue.peek() {
            if at > time {
                break;
            }
            self.queue.pop();
            self.now = self.now.max(at);
            self.play(step);
        }
        self.now = self.now.max(time);
    }

    /// Events with ids above `after`, newest first, as the engine lists them.
    pub fn events(&self, after: Option<u64>) -> Vec<Event> {
        let after = after.unwrap_or(0);
        self.events
            .iter()
            .rev()
            .take_while(|e| e.id > after)
            .cloned()
            .collect()
    }

    /// The correlation id a client sends with every request (the `Correlation-Id` header):
    /// events from now on carry it, and a cluster upgrade started without one takes it.
    pub fn set_correlation_id(&mut self, correlation_id: Option<String>) {
        self.session_correlation_id = correlation_id;
    }

    /// Sim control: new host packages are published, so `upgradecheck` finds them.
    pub fn publish_host_update(&mut self, vdsm: PackageVersion) {
        self.published_update = Some(vdsm);
    }

    /// Sim control: the Manager now runs `version`, as if `engine-setup` had run.
    pub fn set_manager_version(&mut self, version: Version) -> Result<(), EngineError> {
        release::release_of(version).map_err(|e| refused(400, e.to_string()))?;
        self.inventory.manager.version = version;
        Ok(())
    }

    /// Sim control: the Manager is updated to `version` the way the guide does it on a
    /// self-hosted engine: engine-setup runs, then the Manager VM is shut down so that it
    /// boots afresh; the HA agents start it again once global maintenance is off (at once
    /// when it is not on). A standalone Manager just takes the version.
    pub fn update_manager(&mut self, version: Version) -> Result<(), EngineError> {
        if version < self.inventory.manager.version {
            return Err(refused(
                400,
                format!(
                    "the Manager runs {}; it is never downgraded to {version}",
                    self.inventory.manager.version
                ),
            ));
        }
        self.set_manager_version(version)?;
        let engine_vm = self
            .inventory
            .vms
            .iter()
            .find(|v| v.hosted_engine && v.status == VmStatus::Up)
            .cloned();
        if let Some(vm) = engine_vm {
            self.stop(&vm, true)?;
        }
        Ok(())
    }

    /// The HA agents start the Manager VM on the best-scoring hosted-engine host.
    fn engine_vm_start(&mut self) {
        let Some(vm) = self.inventory.vms.iter().find(|v| v.hosted_engine).cloned() else {
            return;
        };
        if vm.is_running() || self.global_maintenance {
            return;
        }
        let host = self
            .inventory
            .hosts
            .iter()
            .filter(|h| placement::refusal(&self.inventory, &vm, h.id, None).is_none())
            .max_by_key(|h| {
                (
                    h.hosted_engine.map_or(0, |he| he.score),
                    std::cmp::Reverse(h.id),
                )
            })
            .map(|h| h.id);
        let Some(host) = host else {
            // No host can take it now; the agents try again.
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
            return;
        };
        self.reserve_memory(host, vm.memory);
        self.set_vm_status(vm.id, VmStatus::WaitForLaunch, Some(host));
        self.schedule(self.config.vm_start_ms, Step::VmUp { vm: vm.id });
    }

    fn engine_up(&mut self, vm_id: VmId) {
        let Ok(vm) = self.vm(vm_id).cloned() else {
            return;
        };
        if vm.status == VmStatus::PoweringUp {
            self.set_vm_status(vm_id, VmStatus::Up, vm.host);
        }
    }

    /// The engine still works on the host: an evacuation, an upgrade, a check for updates, or
    /// a status that only passes (activation, installation, reboot).
    pub fn host_busy(&self, id: HostId) -> bool {
        let working = self
            .host_runs
            .get(&id)
            .is_some_and(|r| r.maintenance.is_some() || r.upgrade.is_some() || r.checking);
        let passing = self.host(id).is_ok_and(|h| {
            matches!(
                h.status,
                HostStatus::PreparingForMaintenance
                    | HostStatus::Unassigned
                    | HostStatus::Installing
                    | HostStatus::Reboot
                    | HostStatus::Initializing
            )
        });
        working || passing
    }

    /// The VM is between two settled states (migrating, starting, stopping, rebooting).
    pub fn vm_busy(&self, id: VmId) -> bool {
        self.vm(id).is_ok_and(|v| {
            matches!(
                v.status,
                VmStatus::Migrating
                    | VmStatus::WaitForLaunch
                    | VmStatus::PoweringUp
                    | VmStatus::PoweringDown
                    | VmStatus::RebootInProgress
            )
        })
    }

    pub fn host(&self, id: HostId) -> Result<&Host, EngineError> {
        self.hosts
            .get(&id)
            .map(|&i| &self.inventory.hosts[i])
            .ok_or_else(|| EngineError::NotFound {
                kind: "host",
                id: id.to_string(),
            })
    }

    pub fn vm(&self, id: VmId) -> Result<&Vm, EngineError> {
        self.vms
            .get(&id)
            .map(|&i| &self.inventory.vms[i])
            .ok_or_else(|| EngineError::NotFound {
                kind: "VM",
                id: id.to_string(),
            })
    }

    fn host_mut(&mut self, id: HostId) -> &mut Host {
        &mut self.inventory.hosts[self.hosts[&id]]
    }

    fn vm_mut(&mut self, id: VmId) -> &mut Vm {
        &mut self.inventory.vms[self.vms[&id]]
    }

    fn cluster(&self, id: ClusterId) -> Option<&Cluster> {
        self.clusters.get(&id).map(|&i| &self.inventory.clusters[i])
    }

    fn data_center(&self, id: DataCenterId) -> Result<&DataCenter, EngineError> {
        self.data_centers
            .get(&id)
            .map(|&i| &self.inventory.data_centers[i])
            .ok_or_else(|| EngineError::NotFound {
                kind: "data center",
                id: id.to_string(),
            })
    }

    fn schedule(&mut self, after_ms: u64, step: Step) {
        self.schedule_at(self.now.plus_millis(after_ms as i64), step);
    }

    fn schedule_at(&mut self, at: Timestamp, step: Step) {
        self.sequence += 1;
        self.queue.push(Reverse((at, self.sequence, step)));
    }

    fn event(
        &mut self,
        code: u32,
        severity: Severity,
        description: String,
        host: Option<HostId>,
        vm: Option<VmId>,
        cluster: Option<ClusterId>,
    ) {
        let id = self.events.last().map_or(1, |e| e.id + 1);
        let correlation_id = self.session_correlation_id.clone();
        self.events.push(Event {
            id,
            code,
            severity,
            description,
            time: self.now,
            host,
            vm,
            cluster,
            correlation_id,
            data_center: None,
            external: None,
        });
    }

    fn set_host_status(&mut self, id: HostId, status: HostStatus) {
        let from = self.host(id).map(|h| h.status).unwrap_or(status);
        if from != status {
            self.history.record(
                self.now,
                Transition::Host {
                    host: id,
                    from,
                    to: status,
                },
            );
            self.host_mut(id).status = status;
            self.refresh_agent(id);
        }
    }

    fn set_vm_status(&mut self, id: VmId, status: VmStatus, host: Option<HostId>) {
        let (from, from_host) = self
            .vm(id)
            .map(|v| (v.status, v.host))
            .unwrap_or((status, host));
        self.history.record(
            self.now,
            Transition::Vm {
                vm: id,
                from,
                to: status,
                from_host,
                to_host: host,
            },
        );
        let vm = self.vm_mut(id);
        vm.status = status;
        vm.host = host;
    }

    fn release_memory(&mut self, host: HostId, vm_memory: u64) {
        let h = self.host_mut(host);
        h.max_scheduling_memory = (h.max_scheduling_memory + vm_memory + VM_OVERHEAD).min(h.memory);
    }

    fn reserve_memory(&mut self, host: HostId, vm_memory: u64) {
        let h = self.host_mut(host);
        h.max_scheduling_memory = h
            .max_scheduling_memory
            .saturating_sub(vm_memory + VM_OVERHEAD);
        let used: u64 = self.used_memory(host);
        let index = self.hosts[&host];
        self.history
            .check_memory(self.now, &self.inventory.hosts[index], used);
    }

    /// Memory held on a host: its running VMs and the migrations coming in.
    fn used_memory(&self, host: HostId) -> u64 {
        let running: u64 = self
            .inventory
            .vms
            .iter()
            .filter(|v| v.host == Some(host) && v.is_running())
            .map(|v| v.memory + VM_OVERHEAD)
            .sum();
        let incoming: u64 = self
            .migrating_to
            .iter()
            .filter(|(_, &to)| to == host)
            .map(|(vm, _)| self.vm(*vm).map_or(0, |v| v.memory + VM_OVERHEAD))
            .sum();
        running + incoming
    }

    fn running_on(&self, host: HostId) -> Vec<VmId> {
        self.inventory
            .vms
            .iter()
            .filter(|v| v.host == Some(host) && v.is_running())
            .map(|v| v.id)
            .collect()
    }

    fn policy_of(&self, cluster: ClusterId) -> SchedulingPolicy {
        self.cluster(cluster)
            .map_or(SchedulingPolicy::None, |c| c.scheduling_policy)
    }

    // ----- hosts -----

    pub fn host_action(&mut self, id: HostId, action: HostAction) -> Result<(), EngineError> {
        let host = self.host(id)?.clone();
        match action {
            HostAction::Deactivate {
                reason,
                stop_gluster_service,
            } => self.deactivate(&host, reason, stop_gluster_service),
            HostAction::Activate => self.activate(&host),
            HostAction::UpgradeCheck => self.upgrade_check(&host),
            HostAction::Upgrade { reboot, .. } => self.upgrade(&host, reboot),
        }
    }

    fn deactivate(
        &mut self,
        host: &Host,
        reason: Option<String>,
        stop_gluster_service: bool,
    ) -> Result<(), EngineError> {
        self.check_maintenance(host, false, stop_gluster_service)?;
        self.begin_maintenance(
            host.id,
            MaintenanceRun {
                reason,
                internal: false,
            },
        );
        Ok(())
    }

    /// The engine's validation of a move to maintenance (`MaintenanceNumberOfVdssCommand.validate`).
    /// `internal` when an upgrade asks: user_migratable VMs then block too. Gluster's checks run
    /// only when the gluster service is to be stopped (`stop_gluster_service`, or an upgrade).
    fn check_maintenance(
        &self,
        host: &Host,
        internal: bool,
        stop_gluster_service: bool,
    ) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(
            host.status,
            Up | NonOperational
                | Error
                | InstallFailed
                | Down
                | NonResponsive
                | PreparingForMaintenance
                | Maintenance
        ) {
            return Err(conflict(format!(
                "Cannot switch Host {} to Maintenance mode. Host is not operational ({}).",
                host.name, host.status
            )));
        }
        let running: Vec<&Vm> = self
            .running_on(host.id)
            .into_iter()
            .filter_map(|v| self.vm(v).ok())
            .collect();
        if running.iter().any(|v| v.hosted_engine) && !self.spare_for_engine_vm(host) {
            return Err(conflict(format!("Cannot switch the Host(s) {} to Maintenance mode. There are no available hosts capable of running the engine VM.", host.name)));
        }
        let blocking: Vec<&str> = running
            .iter()
            .filter(|v| {
                !v.hosted_engine
                    && (v.affinity == Affinity::Pinned
                        || (internal && v.affinity == Affinity::UserMigratable))
            })
            .map(|v| v.name.as_str())
            .collect();
        if !blocking.is_empty() {
            return Err(conflict(format!(
                "Cannot switch the following Hosts to Maintenance mode: {}. One or more running VMs are indicated as non-migratable. The non-migratable VMs are: {}.",
                host.name,
                blocking.join(", ")
            )));
        }
        if host.status == Maintenance {
            return Err(conflict(
                "Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.",
            ));
        }
        if host.status == NonResponsive && !running.is_empty() {
            return Err(conflict(format!("Cannot switch Host to Maintenance mode. Host {} is non responsive and has running VMs.", host.name)));
        }
        let other_up = self
            .inventory
            .hosts
            .iter()
            .any(|h| h.id != host.id && h.cluster == host.cluster && h.status == Up);
        if !running.is_empty() && !other_up {
            let cluster = self
                .cluster(host.cluster)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            return Err(conflict(format!(
                "Cannot switch Host to Maintenance mode. There are no available hosts in cluster {cluster} to migrate the running VMs of host {} to.",
                host.name
            )));
        }
        let gluster = self
            .cluster(host.cluster)
            .is_some_and(|c| c.gluster_service);
        if gluster && stop_gluster_service {
            let unhealed: Vec<&str> = self
                .inventory
                .gluster_volumes
                .iter()
                .filter(|g| g.cluster == host.cluster && g.pending_heals > 0)
                .map(|g| g.name.as_str())
                .collect();
            if !unhealed.is_empty() {
                return Err(conflict(format!(
                    "Cannot switch the Host(s) {} to Maintenance mode. There are unsynced entries present in Gluster volumes: {}.",
                    host.name,
                    unhealed.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Another Up hosted-engine host with a live agent, a score and no local maintenance
    /// (`HostedEngineHelper.haveHostsAvailableForHE`).
    fn spare_for_engine_vm(&self, leaving: &Host) -> bool {
        self.inventory.hosts.iter().any(|h| {
            h.id != leaving.id
                && h.cluster == leaving.cluster
                && h.status == HostStatus::Up
                && h.hosted_engine
                    .is_some_and(|he| he.configured && he.score > 0 && !he.local_maintenance)
        })
    }

    /// The move to maintenance, validated: the host prepares, its VMs are launched towards
    /// other hosts at once, and the engine logs the outcome of that launch
    /// (`MaintenanceVdsCommand.getAuditLogTypeValue`). The host reaches maintenance later, when
    /// it is empty.
    fn begin_maintenance(&mut self, host_id: HostId, run: MaintenanceRun) {
        let status = self.host(host_id).map(|h| h.status).unwrap_or_default();
        if !matches!(
            status,
            HostStatus::PreparingForMaintenance | HostStatus::NonResponsive | HostStatus::Down
        ) {
            self.set_host_status(host_id, HostStatus::PreparingForMaintenance);
        }
        if let Some(he) = &mut self.host_mut(host_id).hosted_engine {
            he.local_maintenance = true;
            he.score = 0;
        }
        self.hand_over_spm(host_id);
        let internal = run.internal;
        let reason = run.reason.clone().filter(|r| !r.is_empty());
        self.host_runs.entry(host_id).or_default().maintenance = Some(run);
        let placed_all = self.launch_evacuation(host_id);
        let name = self
            .host(host_id)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        let (code, severity, text) = match (internal, placed_all, reason) {
            (true, true, _) => (msg::VDS_MAINTENANCE, Severity::Normal, format!("Host {name} was switched to Maintenance Mode.")),
            (true, false, _) => (msg::VDS_MAINTENANCE_FAILED, Severity::Error, maintenance_failed(&name)),
            (false, true, Some(reason)) => {
                (msg::USER_VDS_MAINTENANCE, Severity::Normal, format!("Host {name} was switched to Maintenance mode by {USER} (Reason: {reason})."))
            }
            (false, true, None) => (msg::USER_VDS_MAINTENANCE_WITHOUT_REASON, Severity::Normal, format!("Host {name} was switched to Maintenance mode by {USER}.")),
            (false, false, _) => (
                msg::USER_VDS_MAINTENANCE_MIGRATION_FAILED,
                Severity::Warning,
                format!("Host {name} cannot change into maintenance mode - not all Vms have been migrated successfully. Consider manual intervention: stopping/migrating Vms running on this host. (User: {USER})."),
            ),
        };
        self.event(code, severity, text, Some(host_id), None, None);
        if matches!(status, HostStatus::NonResponsive | HostStatus::Down) {
            // Nothing runs there to wait for (`MaintenanceVdsCommand`: straight to maintenance).
            self.maintenance_reached(host_id);
            return;
        }
        let upgrading = self
            .host_runs
            .get(&host_id)
            .is_some_and(|r| r.upgrade.is_some());
        if !placed_all && upgrading {
            // `MaintenanceNumberOfVdssCommand`: an upgrade's failed evacuation activates the host
            // again, and the upgrade ends (`HostUpgradeCallback`: 17, then 841).
            self.abandon_upgrade(host_id);
            return;
        }
        if !placed_all {
            self.schedule(
                self.config.maintenance_retry_ms,
                Step::EvacuationRetry { host: host_id },
            );
        }
        self.maintenance_if_empty(host_id);
    }

    /// An upgrade that could not take its host to maintenance: the host is activated again
    /// with its updates still pending.
    fn abandon_upgrade(&mut self, host_id: HostId) {
        if let Some(run) = self.host_runs.get_mut(&host_id) {
            run.maintenance = None;
            run.upgrade = None;
        }
        let name = self
            .host(host_id)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        self.event(
            msg::VDS_MAINTENANCE_FAILED,
            Severity::Error,
            maintenance_failed(&name),
            Some(host_id),
            None,
            None,
        );
        self.event(
            msg::HOST_UPGRADE_FAILED,
            Severity::Error,
            format!("Failed to upgrade Host {name} (User: {USER})."),
            Some(host_id),
            None,
            None,
        );
        if self.host(host_id).map(|h| h.status) == Ok(HostStatus::PreparingForMaintenance) {
            self.set_host_status(host_id, HostStatus::Unassigned);
            self.schedule(self.config.activate_ms, Step::Activated { host: host_id });
        }
    }

    /// The SPM role moves to another up host of the data center when its host leaves.
    fn hand_over_spm(&mut self, leaving: HostId) {
        if self.host(leaving).map(|h| h.spm) != Ok(SpmStatus::Spm) {
            return;
        }
        self.host_mut(leaving).spm = SpmStatus::None;
        let dc = self
            .host(leaving)
            .ok()
            .and_then(|h| self.cluster(h.cluster))
            .map(|c| c.data_center);
        let successor = self.inventory.hosts.iter().find(|h| {
            h.id != leaving
                && h.status == HostStatus::Up
                && self.cluster(h.cluster).map(|c| c.data_center) == dc
        });
        if let Some(next) = successor.map(|h| h.id) {
            self.host_mut(next).spm = SpmStatus::Spm;
        }
    }

    /// `MigrateMultipleVmsCommand`: every VM on the host that is not already moving is
    /// scheduled and launched at once (event 67); vdsm then runs a few at a time. Returns
    /// whether every VM found a destination.
    fn launch_evacuation(&mut self, host_id: HostId) -> bool {
        let waiting: Vec<VmId> = self
            .running_on(host_id)
            .into_iter()
            .filter(|vm| !self.migrating_to.contains_key(vm))
            .collect();
        let policy = self
            .host(host_id)
            .map(|h| self.policy_of(h.cluster))
            .unwrap_or_default();
        let mut placed_all = true;
        for vm_id in waiting {
            let vm = self.vm(vm_id).expect("vm exists").clone();
            match placement::choose(&self.inventory, &vm, Some(host_id), policy) {
                Some(to) => self.start_migration(&vm, host_id, to, MigrationKind::Evacuation),
                None => placed_all = false,
            }
        }
        placed_all
    }

    /// The monitor finds a preparing host with nothing left on it and sets it to maintenance
    /// (`HostMonitoring.moveVDSToMaintenanceIfNeeded`).
    fn maintenance_if_empty(&mut self, host_id: HostId) {
        let preparing =
            self.host(host_id).map(|h| h.status) == Ok(HostStatus::PreparingForMaintenance);
        let evacuating = self
            .host_runs
            .get(&host_id)
            .is_some_and(|r| r.maintenance.is_some());
        if preparing && evacuating && self.running_on(host_id).is_empty() {
            self.maintenance_reached(host_id);
        }
    }

    fn migration_ms(&self, vm: &Vm) -> u64 {
        self.config.migration_setup_ms
            + vm.memory * 1000 / self.config.migration_bytes_per_second.max(1)
    }

    fn start_migration(&mut self, vm: &Vm, from: HostId, to: HostId, kind: MigrationKind) {
        self.reserve_memory(to, vm.memory);
        self.migrating_to.insert(vm.id, to);
        self.set_vm_status(vm.id, VmStatus::Migrating, Some(from));
        let (source, destination) = (
            self.host(from).map(|h| h.name.clone()).unwrap_or_default(),
            self.host(to).map(|h| h.name.clone()).unwrap_or_default(),
        );
        let (code, text) = match kind {
            MigrationKind::Evacuation => (
                msg::VM_MIGRATION_START_SYSTEM_INITIATED,
                format!("Migration initiated by system (VM: {}, Source: {source}, Destination: {destination}, Reason: Host preparing for maintenance).", vm.name),
            ),
            MigrationKind::ToHost | MigrationKind::Scheduled => {
                (msg::VM_MIGRATION_START, format!("Migration started (VM: {}, Source: {source}, Destination: {destination}, User: {USER}). ", vm.name))
            }
        };
        self.event(
            code,
            Severity::Normal,
            text,
            Some(from),
            Some(vm.id),
            Some(vm.cluster),
        );
        // vdsm runs a few outgoing migrations at a time; the rest wait for a free slot.
        let (duration, now, count) = (
            self.migration_ms(vm) as i64,
            self.now,
            self.config.max_outgoing_migrations.max(1),
        );
        let slots = self
            .outgoing_slots
            .entry(from)
            .or_insert_with(|| vec![Timestamp(i64::MIN); count]);
        let (slot, free_at) = slots
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(_, at)| at)
            .expect("at least one slot");
        let ends = free_at.max(now).plus_millis(duration);
        slots[slot] = ends;
        let started = self.now;
        self.schedule_at(
            ends,
            Step::MigrationDone {
                vm: vm.id,
                to,
                started,
                kind,
            },
        );
    }

    fn migration_done(&mut self, vm_id: VmId, to: HostId, started: Timestamp, kind: MigrationKind) {
        if self.migrating_to.get(&vm_id) != Some(&to) {
            // Cancelled: the VM was stopped while it moved.
            return;
        }
        let vm = self.vm(vm_id).expect("vm exists").clone();
        let from = vm.host.expect("a migrating VM has a source");
        self.migrating_to.remove(&vm_id);
        let (source, destination) = (
            self.host(from).map(|h| h.name.clone()).unwrap_or_default(),
            self.host(to).map(|h| h.name.clone()).unwrap_or_default(),
        );
        let fails = self.faults.migration_fail.contains(&vm.name) || self.random_failure();
        if fails {
            self.release_memory(to, vm.memory);
            self.set_vm_status(vm_id, VmStatus::Up, Some(from));
            let preparing =
                self.host(from).map(|h| h.status) == Ok(HostStatus::PreparingForMaintenance);
            // `MigrateVmToServerCommand` reports 120 and never tries elsewhere; a scheduled
            // migration (`MigrateVmCommand`) reports 140 while its source prepares, else 65.
            let (code, text) = match kind {
                MigrationKind::Evacuation | MigrationKind::ToHost => {
                    (msg::VM_MIGRATION_TO_SERVER_FAILED, format!("Migration failed (VM: {}, Source: {source}, Destination: {destination}).", vm.name))
                }
                MigrationKind::Scheduled if preparing => (
                    msg::VM_MIGRATION_FAILED_DURING_MOVE_TO_MAINTENANCE,
                    format!("Migration failed while Host is in 'preparing for maintenance' state.\n  Consider manual intervention: stopping/migrating Vms as Host's state will not\n  turn to maintenance while VMs are still running on it.(VM: {}, Source: {source}, Destination: {destination}).", vm.name),
                ),
                MigrationKind::Scheduled => (msg::VM_MIGRATION_FAILED, format!("Migration failed (VM: {}, Source: {source}).", vm.name)),
            };
            self.event(
                code,
                Severity::Error,
                text,
                Some(from),
                Some(vm_id),
                Some(vm.cluster),
            );
            if self
                .host_runs
                .get(&from)
                .is_some_and(|r| r.maintenance.is_some())
            {
                // The monitor tries the maintenance again after its idle time.
                self.schedule(
                    self.config.maintenance_retry_ms,
                    Step::EvacuationRetry { host: from },
                );
            }
            return;
        }
        self.set_vm_status(vm_id, VmStatus::Up, Some(to));
        self.release_memory(from, vm.memory);
        let seconds = (self.now.0 - started.0) / 1000;
        self.event(
            msg::VM_MIGRATION_DONE,
            Severity::Normal,
            format!("Migration completed (VM: {}, Source: {source}, Destination: {destination}, Duration: {seconds} seconds, Total: {seconds} seconds, Actual downtime: 80ms)", vm.name),
            Some(to),
            Some(vm_id),
            Some(vm.cluster),
        );
        self.maintenance_if_empty(from);
    }

    /// `VdsEventListener.handleVdsMaintenanceTimeout`: a host still preparing after the idle
    /// time is taken to maintenance again, as an internal request.
    fn retry_evacuation(&mut self, host_id: HostId) {
        let Ok(host) = self.host(host_id).cloned() else {
            return;
        };
        if host.status != HostStatus::PreparingForMaintenance
            || self
                .host_runs
                .get(&host_id)
                .is_none_or(|r| r.maintenance.is_none())
        {
            return;
        }
        if self
            .running_on(host_id)
            .iter()
            .all(|vm| self.migrating_to.contains_key(vm))
        {
            // Everything is already on its way; the last arrival finishes the maintenance.
            return;
        }
        let reason = self.host_runs[&host_id]
            .maintenance
            .as_ref()
            .and_then(|m| m.reason.clone());
        if self.check_maintenance(&host, true, false).is_ok() {
            self.begin_maintenance(
                host_id,
                MaintenanceRun {
                    reason,
                    internal: true,
                },
            );
        } else {
            self.schedule(
                self.config.maintenance_retry_ms,
                Step::EvacuationRetry { host: host_id },
            );
        }
    }

    fn random_failure(&mut self) -> bool {
        self.faults.random_failure > 0.0
            && self
                .rng
                .chance((self.faults.random_failure * 1_000_000.0) as u64, 1_000_000)
    }

    fn maintenance_reached(&mut self, host_id: HostId) {
        let run = self.host_runs.entry(host_id).or_default();
        run.maintenance = None;
        let upgrading = run.upgrade.is_some();
        self.set_host_status(host_id, HostStatus::Maintenance);
        if upgrading {
            self.start_install(host_id);
        }
    }

    fn start_install(&mut self, host_id: HostId) {
        self.set_host_status(host_id, HostStatus::Installing);
        self.schedule(self.config.install_ms, Step::InstallDone { host: host_id });
    }

    fn activate(&mut self, host: &Host) -> Result<(), EngineError> {
        use HostStatus::*;
        match host.status {
            Maintenance | NonOperational | Error | InstallFailed | PreparingForMaintenance => {}
            Up => return Err(conflict("Cannot activate Host. Host in Up status.")),
            other => {
                return Err(conflict(format!(
                    "Cannot activate Host. Host is in {other} status."
                )))
            }
        }
        if host.status == PreparingForMaintenance {
            // Activation cancels the evacuation; migrations under way finish where they go.
            if let Some(run) = self.host_runs.get_mut(&host.id) {
                run.maintenance = None;
                run.upgrade = None;
            }
        }
        self.set_host_status(host.id, Unassigned);
        self.event(
            msg::VDS_ACTIVATE,
            Severity::Normal,
            format!("Activation of host {} initiated by {USER}.", host.name),
            Some(host.id),
            None,
            None,
        );
        self.schedule(self.config.activate_ms, Step::Activated { host: host.id });
        Ok(())
    }

    fn activated(&mut self, host_id: HostId) {
        if self.host(host_id).map(|h| h.status) != Ok(HostStatus::Unassigned) {
            return;
        }
        self.host_up(host_id);
    }

    /// A host the engine talks to again joins its cluster: up, unless it cannot run the
    /// cluster's level (`HandleVdsVersionCommand`: non-operational, event 154).
    fn host_up(&mut self, host_id: HostId) {
        let host = self.host(host_id).expect("host").clone();
        let cluster = self.cluster(host.cluster).cloned();
        if let Some(cluster) = cluster.filter(|c| {
            !host.supported_levels.is_empty() && !host.supported_levels.contains(&c.version)
        }) {
            self.set_host_status(host_id, HostStatus::NonOperational);
            let levels: Vec<String> = host
                .supported_levels
                .iter()
                .map(ToString::to_string)
                .collect();
            self.event(
                msg::VDS_CLUSTER_VERSION_NOT_SUPPORTED,
                Severity::Error,
                format!("Host {} is compatible with versions ({}) and cannot join Cluster {} which is set to version {}.", host.name, levels.join(","), cluster.name, cluster.version),
                Some(host_id),
                None,
                Some(cluster.id),
            );
            return;
        }
        self.set_host_status(host_id, HostStatus::Up);
        if let Some(he) = &mut self.host_mut(host_id).hosted_engine {
            he.local_maintenance = false;
            he.score = FULL_HOSTED_ENGINE_SCORE;
        }
        self.become_spm_if_none(host_id);
    }

    fn become_spm_if_none(&mut self, host_id: HostId) {
        let dc = self
            .host(host_id)
            .ok()
            .and_then(|h| self.cluster(h.cluster))
            .map(|c| c.data_center);
        let has_spm = self.inventory.hosts.iter().any(|h| {
            h.spm == SpmStatus::Spm && self.cluster(h.cluster).map(|c| c.data_center) == dc
        });
        if !has_spm {
            self.host_mut(host_id).spm = SpmStatus::Spm;
        }
    }

    /// `HostUpgradeCheckCommand`: validated by status at once (`ActionUtils`), then run in
    /// the background (`HostUpdatesChecker`).
    fn upgrade_check(&mut self, host: &Host) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(
            host.status,
            Up | Maintenance | NonOperational | InstallFailed
        ) {
            return Err(conflict(
                "Cannot check for available updates on Host. Host status is illegal.",
            ));
        }
        self.event(
            msg::HOST_AVAILABLE_UPDATES_STARTED,
            Severity::Normal,
            format!(
                "Started to check for available updates on host {}.",
                host.name
            ),
            Some(host.id),
            None,
            None,
        );
        let run = self.host_runs.entry(host.id).or_default();
        if run.checking {
            self.event(
                msg::HOST_AVAILABLE_UPDATES_PROCESS_IS_ALREADY_RUNNING,
                Severity::Warning,
                format!("Failed to check for available updates on host {}: Another process is already running.", host.name),
                Some(host.id),
                None,
                None,
            );
            return Ok(());
        }
        run.checking = true;
        self.schedule(
            self.config.upgrade_check_ms,
            Step::UpgradeCheckDone { host: host.id },
        );
        Ok(())
    }

    fn upgrade_check_done(&mut self, host_id: HostId) {
        self.host_runs.entry(host_id).or_default().checking = false;
        let host = self.host(host_id).expect("host").clone();
        if !matches!(
            host.status,
            HostStatus::Up | HostStatus::NonOperational | HostStatus::Maintenance
        ) {
            // `VDSStatus.isEligibleForOnDemandCheckUpdates`: no result, no 885.
            self.event(
                msg::HOST_AVAILABLE_UPDATES_SKIPPED_UNSUPPORTED_STATUS,
                Severity::Warning,
                format!(
                    "Failed to check for available updates on host {}: Unsupported host status.",
                    host.name
                ),
                Some(host_id),
                None,
                None,
            );
            return;
        }
        let newer = self
            .published_update
            .as_ref()
            .is_some_and(|v| host.packages.get("vdsm").is_none_or(|current| current < v));
        let pending = self
            .host_runs
            .get(&host_id)
            .is_some_and(|r| r.updates_pending);
        let available = pending || newer;
        // The engine keeps what the check found, clearing a flag left from before.
        self.host_mut(host_id).update_available = available;
        if available {
            let logged_today = self
                .events
                .iter()
                .rev()
                .take_while(|e| e.time.0 > self.now.0 - DAY_MS)
                .any(|e| {
                    e.code == msg::HOST_UPDATES_ARE_AVAILABLE_WITH_PACKAGES
                        && e.host == Some(host_id)
                });
            if !logged_today {
                self.event(
                    msg::HOST_UPDATES_ARE_AVAILABLE_WITH_PACKAGES,
                    Severity::Normal,
                    format!("Host {} has available updates: vdsm.", host.name),
                    Some(host_id),
                    None,
                    None,
                );
            }
        }
        let message = if available {
            "found updates for packages vdsm"
        } else {
            "no updates found."
        };
        self.event(
            msg::HOST_AVAILABLE_UPDATES_FINISHED,
            Severity::Normal,
            format!("Check for available updates on host {} was completed successfully with message '{message}'.", host.name),
            Some(host_id),
            None,
            None,
        );
    }

    /// `UpgradeHostCommand`: the REST call checks the status, the updates and the CPU and
    /// answers; the move to maintenance runs afterwards, as a child command whose failure
    /// ends the upgrade with 17 and 841.
    fn upgrade(&mut self, host: &Host, reboot: bool) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(
            host.status,
            Up | Maintenance | NonOperational | InstallFailed
        ) {
            return Err(conflict("Cannot upgrade Host. Host status is illegal."));
        }
        if !host.update_available {
            return Err(conflict(
                "Cannot upgrade Host. There are no available updates for the host.",
            ));
        }
        if self
            .host_runs
            .get(&host.id)
            .is_some_and(|r| r.upgrade.is_some())
        {
            return Err(conflict("Cannot upgrade Host. Related operation is currently in progress. Please try again later."));
        }
        let return_to = if host.status == Maintenance {
            Maintenance
        } else {
            Up
        };
        self.host_runs.entry(host.id).or_default().upgrade = Some(UpgradeRun { return_to, reboot });
        self.event(
            msg::HOST_UPGRADE_STARTED,
            Severity::Normal,
            format!("Host {} upgrade was started (User: {USER}).", host.name),
            Some(host.id),
            None,
            None,
        );
        if host.status == Maintenance {
            self.start_install(host.id);
        } else {
            self.schedule(0, Step::UpgradeMaintenance { host: host.id });
        }
        Ok(())
    }

    /// The upgrade's child `MaintenanceNumberOfVdss`: validated only now, as an internal
    /// request that stops the gluster service where the cluster has it.
    fn upgrade_maintenance(&mut self, host_id: HostId) {
        if self
            .host_runs
            .get(&host_id)
            .is_none_or(|r| r.upgrade.is_none())
        {
            return;
        }
        let host = self.host(host_id).expect("host").clone();
        let gluster = self
            .cluster(host.cluster)
            .is_some_and(|c| c.gluster_service);
        let refused = self.faults.upgrade_abandoned.contains(&host.name)
            || self.check_maintenance(&host, true, gluster).is_err();
        if refused {
            self.abandon_upgrade(host_id);
        } else {
            self.begin_maintenance(
                host_id,
                MaintenanceRun {
                    reason: None,
                    internal: true,
                },
            );
        }
    }

    /// `UpgradeHostInternalCommand`: packages installed, `update_available` cleared, then an
    /// SSH reboot when asked or on oVirt Node; 888 when the `reboot` parameter was set, else 842.
    fn install_done(&mut self, host_id: HostId) {
        let host = self.host(host_id).expect("host").clone();
        let Some(upgrade) = self.host_runs.get_mut(&host_id).and_then(|r| r.upgrade) else {
            return;
        };
        let first_failure = self.faults.install_fail_once.contains(&host.name)
            && self.failed_once.insert(host.name.clone());
        if first_failure || self.faults.install_fail.contains(&host.name) || self.random_failure() {
            self.host_runs.get_mut(&host_id).expect("run").upgrade = None;
            self.set_host_status(host_id, HostStatus::InstallFailed);
            self.event(
                msg::HOST_UPGRADE_FAILED,
                Severity::Error,
                format!("Failed to upgrade Host {} (User: {USER}). Package installation failed, please check the host upgrade log.", host.name),
                Some(host_id),
                None,
                None,
            );
            return;
        }
        self.host_mut(host_id).update_available = false;
        self.host_runs
            .get_mut(&host_id)
            .expect("run")
            .updates_pending = false;
        if let Some(version) = self.published_update.clone() {
            self.host_mut(host_id)
                .packages
                .insert("vdsm".into(), version);
        }
        let reboots = upgrade.reboot || host.host_type == HostType::OvirtNode;
        if reboots {
            self.set_host_status(host_id, HostStatus::Reboot);
            self.event(
                msg::SYSTEM_SSH_HOST_RESTART,
                Severity::Normal,
                format!("Host {} was restarted using SSH by the engine.", host.name),
                Some(host_id),
                None,
                None,
            );
        } else if upgrade.return_to == HostStatus::Maintenance {
            self.set_host_status(host_id, HostStatus::Maintenance);
        } else {
            self.set_host_status(host_id, HostStatus::Initializing);
            self.schedule(self.config.activate_ms, Step::Reconnected { host: host_id });
        }
        if upgrade.reboot {
            self.event(
                msg::HOST_UPGRADE_FINISHED_AND_WILL_BE_REBOOTED,
                Severity::Normal,
                format!(
                    "Upgrade was successful and host {} will be rebooted.",
                    host.name
                ),
                Some(host_id),
                None,
                None,
            );
        } else {
            self.event(
                msg::HOST_UPGRADE_FINISHED,
                Severity::Normal,
                format!("Host {} upgrade was completed successfully.", host.name),
                Some(host_id),
                None,
                None,
            );
        }
        if reboots {
            self.schedule(self.config.reboot_ms, Step::RebootDone { host: host_id });
        } else {
            self.host_runs.get_mut(&host_id).expect("run").upgrade = None;
        }
    }

    /// `SshHostRebootCommand.getStatusAfterReboot`: a host that was in maintenance stays
    /// there; any other is non-responsive until the monitor reaches it again.
    fn reboot_done(&mut self, host_id: HostId) {
        let Some(upgrade) = self
            .host_runs
            .get_mut(&host_id)
            .and_then(|r| r.upgrade.take())
        else {
            return;
        };
        let name = self
            .host(host_id)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        if upgrade.return_to == HostStatus::Maintenance {
            self.set_host_status(host_id, HostStatus::Maintenance);
            return;
        }
        self.set_host_status(host_id, HostStatus::NonResponsive);
        if self.faults.never_return.contains(&name) {
            self.event(
                msg::VDS_FAILURE,
                Severity::Error,
                format!("Host {name} is non responsive."),
                Some(host_id),
                None,
                None,
            );
            return;
        }
        self.schedule(
            self.config.reconnect_ms,
            Step::Reconnected { host: host_id },
        );
    }

    /// The monitor reaches a host that was rebooted or restarted its vdsm.
    fn reconnected(&mut self, host_id: HostId) {
        if !matches!(
            self.host(host_id).map(|h| h.status),
            Ok(HostStatus::NonResponsive | HostStatus::Initializing)
        ) {
            return;
        }
        self.host_up(host_id);
        if let Ok(host) = self.host(host_id).cloned() {
            self.event(
                msg::VDS_DETECTED,
                Severity::Normal,
                format!("Status of host {} was set to {}.", host.name, host.status),
                Some(host_id),
                None,
                None,
            );
        }
    }

    /// The hosted-engine HA agent runs while the host's operating system and vdsm do: what
    /// the API's `hosted_engine/active` shows (vdsm `_getHaInfo`).
    fn refresh_agent(&mut self, host_id: HostId) {
        let status = self.host(host_id).map(|h| h.status).unwrap_or_default();
        if let Some(he) = &mut self.host_mut(host_id).hosted_engine {
            he.active = status.ha_agent_alive();
        }
    }

    // ----- VMs -----

    pub fn vm_action(&mut self, id: VmId, action: VmAction) -> Result<(), EngineError> {
        let vm = self.vm(id)?.clone();
        match action {
            VmAction::Migrate { host, force } => self.migrate(&vm, host, force),
            VmAction::Start => self.start(&vm),
            VmAction::Stop => self.stop(&vm, false),
            VmAction::Shutdown => self.stop(&vm, true),
            VmAction::Reboot => self.reboot(&vm),
            VmAction::GlobalMaintenance { enabled } => self.global_maintenance(&vm, enabled),
        }
    }

    /// `MigrateVmCommand` / `MigrateVmToServerCommand`, validated as `VmValidator.canMigrate`.
    fn migrate(
        &mut self,
        vm: &Vm,
        destination: Option<HostId>,
        force: bool,
    ) -> Result<(), EngineError> {
        if vm.status == VmStatus::Migrating {
            return Err(conflict("Cannot migrate VM. VM migration is in progress"));
        }
        let movable = matches!(
            vm.status,
            VmStatus::Up | VmStatus::PoweringUp | VmStatus::Paused | VmStatus::RebootInProgress
        );
        let Some(source) = vm.host.filter(|_| movable) else {
            return Err(conflict(format!(
                "Cannot migrate VM. VM {} is not running.",
                vm.name
            )));
        };
        if vm.affinity == Affinity::Pinned {
            return Err(conflict("Cannot migrate VM. VM is pinned to Host."));
        }
        if vm.affinity == Affinity::UserMigratable && !force {
            return Err(conflict("Cannot migrate VM. VM is non migratable and user did not specify the force-migration flag"));
        }
        let (to, kind) = match destination {
            Some(to) => {
                let target = self.host(to)?;
                if target.status != HostStatus::Up {
                    return Err(conflict("Cannot migrate VM. Host status must be Up."));
                }
                if to == source {
                    return Err(conflict(
                        "Cannot migrate VM. The destination host is the host the VM runs on.",
                    ));
                }
                if let Some(reason) = placement::refusal(&self.inventory, vm, to, Some(source)) {
                    return Err(conflict(format!("Cannot migrate VM. There is no host that satisfies current scheduling constraints. See below for details:, {reason}.")));
                }
                (to, MigrationKind::ToHost)
            }
            None => {
                let to = placement::choose(&self.inventory, vm, Some(source), self.policy_of(vm.cluster))
                    .ok_or_else(|| conflict("Cannot migrate VM. There is no host that satisfies current scheduling constraints."))?;
                (to, MigrationKind::Scheduled)
            }
        };
        self.start_migration(vm, source, to, kind);
        Ok(())
    }

    fn start(&mut self, vm: &Vm) -> Result<(), EngineError> {
        if vm.is_running() {
            return Err(conflict(format!(
                "Cannot run VM. VM {} is running.",
                vm.name
            )));
        }
        if self.policy_of(vm.cluster) == SchedulingPolicy::ClusterMaintenance
            && !vm.high_availability
        {
            return Err(conflict("Cannot run VM. There is no host that satisfies current scheduling constraints. See below for details:, The cluster is in maintenance: only highly available VMs may start (filter ClusterInMaintenance)."));
        }
        let host = placement::choose(&self.inventory, vm, None, self.policy_of(vm.cluster))
            .ok_or_else(|| conflict("Cannot run VM. There is no host that satisfies current scheduling constraints."))?;
        self.reserve_memory(host, vm.memory);
        self.set_vm_status(vm.id, VmStatus::WaitForLaunch, Some(host));
        self.schedule(self.config.vm_start_ms, Step::VmUp { vm: vm.id });
        Ok(())
    }

    fn stop(&mut self, vm: &Vm, shutdown: bool) -> Result<(), EngineError> {
        if !vm.is_running() {
            return Err(conflict(format!(
                "Cannot {} VM. VM {} is not running.",
                if shutdown { "shutdown" } else { "stop" },
                vm.name
            )));
        }
        if let Some(to) = self.migrating_to.remove(&vm.id) {
            // `StopVmCommandBase`: a migrating VM may be stopped; its migration is abandoned.
            self.release_memory(to, vm.memory);
        }
        self.history.explicit_stop(vm.id);
        let host_name = vm
            .host
            .and_then(|h| self.host(h).ok())
            .map(|h| h.name.clone())
            .unwrap_or_default();
        if shutdown {
            self.event(
                msg::USER_INITIATED_SHUTDOWN_VM,
                Severity::Normal,
                format!(
                    "VM shutdown initiated by {USER} on VM {} (Host: {host_name}).",
                    vm.name
                ),
                vm.host,
                Some(vm.id),
                Some(vm.cluster),
            );
        } else {
            self.event(
                msg::USER_STOP_VM,
                Severity::Normal,
                format!("VM {} powered off by {USER} (Host: {host_name}).", vm.name),
                vm.host,
                Some(vm.id),
                Some(vm.cluster),
            );
        }
        self.set_vm_status(vm.id, VmStatus::PoweringDown, vm.host);
        let delay = if shutdown {
            self.config.vm_shutdown_ms
        } else {
            self.config.vm_stop_ms
        };
        self.schedule(
            delay,
            Step::VmDown {
                vm: vm.id,
                shutdown,
            },
        );
        Ok(())
    }

    fn reboot(&mut self, vm: &Vm) -> Result<(), EngineError> {
        if vm.status != VmStatus::Up {
            return Err(conflict(format!(
                "Cannot reboot VM. VM {} is not up.",
                vm.name
            )));
        }
        self.set_vm_status(vm.id, VmStatus::RebootInProgress, vm.host);
        self.schedule(self.config.vm_reboot_ms, Step::VmUp { vm: vm.id });
        Ok(())
    }

    fn vm_up(&mut self, vm_id: VmId) {
        let vm = self.vm(vm_id).expect("vm").clone();
        if !matches!(
            vm.status,
            VmStatus::WaitForLaunch | VmStatus::RebootInProgress
        ) {
            return;
        }
        let started = vm.status == VmStatus::WaitForLaunch;
        if self.faults.start_fail.contains(&vm.name) {
            self.failed_to_start(&vm, started);
            return;
        }
        if vm.hosted_engine && started {
            // The VM runs; the Manager inside it takes a while to answer.
            self.set_vm_status(vm_id, VmStatus::PoweringUp, vm.host);
            self.schedule(self.config.engine_start_ms, Step::EngineUp { vm: vm_id });
            return;
        }
        self.set_vm_status(vm_id, VmStatus::Up, vm.host);
        // A fresh boot takes the pending configuration, the new cluster level included.
        let v = self.vm_mut(vm_id);
        v.next_run_pending = false;
        v.custom_compatibility_version = None;
        if started {
            let host_name = vm
                .host
                .and_then(|h| self.host(h).ok())
                .map(|h| h.name.clone())
                .unwrap_or_default();
            self.event(
                msg::USER_RUN_VM,
                Severity::Normal,
                format!("VM {} started on Host {host_name}", vm.name),
                vm.host,
                Some(vm_id),
                Some(vm.cluster),
            );
        }
    }

    /// The `start-fail` fault: the VM's new configuration does not start, and it ends down.
    fn failed_to_start(&mut self, vm: &Vm, started: bool) {
        // An injected failure, not a lost VM: the run is judged on reporting it.
        self.history.explicit_stop(vm.id);
        if let Some(host) = vm.host {
            self.release_memory(host, vm.memory);
        }
        self.set_vm_status(vm.id, VmStatus::Down, None);
        self.apply_next_run(vm.id);
        if started {
            self.event(
                msg::USER_FAILED_RUN_VM,
                Severity::Error,
                format!("Failed to run VM {} (User: {USER}).", vm.name),
                vm.host,
                Some(vm.id),
                Some(vm.cluster),
            );
        } else {
            self.event(
                msg::VM_DOWN_ERROR,
                Severity::Error,
                format!("VM {} is down with error. Exit message: the guest failed to start with its new configuration.", vm.name),
                vm.host,
                Some(vm.id),
                Some(vm.cluster),
            );
        }
    }

    /// A VM that goes down takes its pending configuration (engine: `ProcessDownVm`), the
    /// new cluster level included.
    fn apply_next_run(&mut self, vm_id: VmId) {
        let vm = self.vm_mut(vm_id);
        vm.next_run_pending = false;
        vm.custom_compatibility_version = None;
    }

    fn vm_down(&mut self, vm_id: VmId, shutdown: bool) {
        let vm = self.vm(vm_id).expect("vm").clone();
        if vm.status != VmStatus::PoweringDown {
            return;
        }
        if let Some(host) = vm.host {
            self.release_memory(host, vm.memory);
        }
        self.set_vm_status(vm_id, VmStatus::Down, None);
        self.apply_next_run(vm_id);
        let exit = if shutdown {
            "Exit message: User shut down from within the guest"
        } else {
            "Exit message: Admin shut down from the engine"
        };
        self.event(
            msg::VM_DOWN,
            Severity::Normal,
            format!("VM {} is down. {exit}", vm.name),
            vm.host,
            Some(vm_id),
            Some(vm.cluster),
        );
        if let Some(host) = vm.host {
            self.maintenance_if_empty(host);
        }
        if vm.hosted_engine {
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
        }
    }

    /// `POST /vms/{id}/maintenance` (`SetHaMaintenanceCommand`): vdsm on the host running the
    /// hosted-engine VM sets global maintenance for every HA agent; each host shows the flag
    /// after its next statistics poll, so hosts the engine does not poll keep the old one.
    fn global_maintenance(&mut self, vm: &Vm, enabled: bool) -> Result<(), EngineError> {
        if !vm.hosted_engine {
            return Err(refused(400, "Moving to maintenance mode is currently only available for the VM containing the hosted engine."));
        }
        // Only a simulator answers while its Manager VM is down: then this stands for
        // `hosted-engine --set-maintenance` on a host, as the guide does it.
        if let Some(host_id) = vm.host.filter(|_| vm.is_running()) {
            let host = self.host(host_id)?.clone();
            if host.status != HostStatus::Up || host.hosted_engine.is_none_or(|he| !he.configured) {
                self.event(
                    msg::USER_FAILED_TO_SET_HOSTED_ENGINE_MAINTENANCE,
                    Severity::Error,
                    format!(
                        "Hosted Engine HA maintenance mode could not be updated on host {}.",
                        host.name
                    ),
                    Some(host_id),
                    None,
                    None,
                );
                return Err(conflict(format!("Cannot set the hosted-engine maintenance mode: host {} running the hosted-engine VM is {} or has no HA configured.", host.name, host.status)));
            }
            self.event(
                msg::USER_SET_HOSTED_ENGINE_MAINTENANCE,
                Severity::Normal,
                format!(
                    "Hosted Engine HA maintenance mode was updated on host {}.",
                    host.name
                ),
                Some(host_id),
                None,
                None,
            );
        }
        self.global_maintenance = enabled;
        let polled: Vec<HostId> = self
            .inventory
            .hosts
            .iter()
            .filter(|h| h.hosted_engine.is_some() && h.status.ha_agent_alive())
            .map(|h| h.id)
            .collect();
        for host in polled {
            self.schedule(
                self.config.stats_poll_ms,
                Step::HaFlagPolled { host, enabled },
            );
        }
        if !enabled && !vm.is_running() {
            // Out of maintenance, the HA agents start the Manager VM that was shut down.
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
        }
        Ok(())
    }

    fn ha_flag_polled(&mut self, host_id: HostId, enabled: bool) {
        if enabled != self.global_maintenance {
            return;
        }
        let alive = self.host(host_id).is_ok_and(|h| h.status.ha_agent_alive());
        if let Some(he) = self
            .host_mut(host_id)
            .hosted_engine
            .as_mut()
            .filter(|_| alive)
        {
            he.global_maintenance = enabled;
        }
    }

    /// `PUT /vms/{id}` with a placement policy: `UpdateVmCommand.validate`'s checks on the
    /// dedicated hosts (`VmHandler.validateDedicatedVdsExistOnSameCluster`,
    /// `VmValidator.isPinnedVmRunningOnDedicatedHost`), then the new list; a changed list
    /// drops the VM's host devices (`UpdateVmCommand.updateVmHostDevices`).
    pub fn set_vm_placement(
        &mut self,
        id: VmId,
        affinity: Affinity,
        hosts: Vec<HostId>,
    ) -> Result<(), EngineError> {
        let vm = self.vm(id)?.clone();
        let prefix = "Cannot edit VM. VM is pinned to a specific host.";
        for &host in &hosts {
            let Ok(found) = self.host(host) else {
                return Err(conflict(format!(
                    "{prefix} The required host doesn't exist."
                )));
            };
            if found.cluster != vm.cluster {
                return Err(conflict(format!(
                    "{prefix} The host's cluster must be the same as the selected VM cluster."
                )));
            }
        }
        if let Some(running_on) = vm
            .host
            .filter(|_| affinity == Affinity::Pinned && vm.is_running() && !hosts.is_empty())
        {
            if !hosts.contains(&running_on) {
                let name = self
                    .host(running_on)
                    .map(|h| h.name.clone())
                    .unwrap_or_default();
                return Err(conflict(format!("Cannot edit VM. Running VM is hosted on {name}. Include {name} in dedicated hosts, or migrate VM to dedicated host prior to pinning.")));
            }
        }
        let mut unique: Vec<HostId> = Vec::new();
        for host in hosts {
            if !unique.contains(&host) {
                unique.push(host);
            }
        }
        let changed = vm.pinned_hosts.len() != unique.len()
            || unique.iter().any(|h| !vm.pinned_hosts.contains(h));
        let target = self.vm_mut(id);
        target.affinity = affinity;
        target.pinned_hosts = unique;
        if changed {
            target.host_devices = 0;
        }
        self.event(
            msg::USER_UPDATE_VM,
            Severity::Normal,
            format!("VM {} configuration was updated by {USER}.", vm.name),
            None,
            Some(id),
            Some(vm.cluster),
        );
        Ok(())
    }

    // ----- clusters and data centers -----

    pub fn update_cluster(
        &mut self,
        id: ClusterId,
        update: ClusterUpdate,
    ) -> Result<(), EngineError> {
        let cluster = self
            .cluster(id)
            .cloned()
            .ok_or_else(|| EngineError::NotFound {
                kind: "cluster",
                id: id.to_string(),
            })?;
        if let Some(level) = update.version.filter(|&l| l != cluster.version) {
            self.validate_cluster_level(&cluster, level)?;
            let old = cluster.version;
            let i = self.clusters[&id];
            self.inventory.clusters[i].version = level;
            // Running VMs keep the old level until restarted (engine: next-run configuration).
            for vm in self
                .inventory
                .vms
                .iter_mut()
                .filter(|v| v.cluster == id && v.is_running() && !v.hosted_engine)
            {
                vm.next_run_pending = true;
                vm.custom_compatibility_version.get_or_insert(old);
            }
        }
        if let Some(policy) = update.scheduling_policy {
            let i = self.clusters[&id];
            self.inventory.clusters[i].scheduling_policy = policy;
        }
        self.event(
            msg::USER_UPDATE_CLUSTER,
            Severity::Normal,
            format!("Host cluster {} was updated by {USER}", cluster.name),
            None,
            None,
            Some(id),
        );
        Ok(())
    }

    /// `UpdateClusterCommand.validate` and `ClusterValidator`: refusals are 400s; a failure to
    /// update the cluster's VMs is an internal error, 500.
    fn validate_cluster_level(&self, cluster: &Cluster, level: Level) -> Result<(), EngineError> {
        let prefix = "Cannot change Cluster Compatibility Version";
        if !release::supported_cluster_levels(self.inventory.manager.version).contains(&level) {
            return Err(refused(
                400,
                format!(
                    "{prefix}: version {level} is not supported by this engine ({}).",
                    self.inventory.manager.version
                ),
            ));
        }
        let hosts: Vec<&Host> = self
            .inventory
            .hosts
            .iter()
            .filter(|h| h.cluster == cluster.id)
            .collect();
        if level < cluster.version && !hosts.is_empty() {
            return Err(refused(
                400,
                format!("{prefix} to a lower version when there are Hosts in the Cluster."),
            ));
        }
        if let Ok(dc) = self.data_center(cluster.data_center) {
            if level < dc.version {
                return Err(refused(
                    400,
                    format!(
                        "{prefix} to a version lower than the Data Center's ({}).",
                        dc.version
                    ),
                ));
            }
        }
        let behind: Vec<&str> = hosts
            .iter()
            .filter(|h| {
                matches!(
                    h.status,
                    HostStatus::Up | HostStatus::PreparingForMaintenance
                ) && !h.supported_levels.contains(&level)
            })
            .map(|h| h.name.as_str())
            .collect();
        if !behind.is_empty() {
            // `UpdateClusterCommand` with CLUSTER_CANNOT_UPDATE_COMPATIBILITY_VERSION_WITH_LOWER_HOSTS.
            return Err(refused(400, format!("{prefix} to higher version when there are active Hosts with lower version.\n-Please move Host {} with lower version to maintenance first.", behind.join(", "))));
        }
        if !hosts.is_empty() && !hosts.iter().any(|h| h.supported_levels.contains(&level)) {
            return Err(refused(
                400,
                format!("{prefix}: none of the Hosts in the Cluster supports version {level}."),
            ));
        }
        let supported = release::supported_cluster_levels(self.inventory.manager.version);
        let stranded: Vec<String> = self
            .inventory
            .vms
            .iter()
            .filter(|v| v.cluster == cluster.id && !v.hosted_engine)
            .filter_map(|v| {
                v.custom_compatibility_version
                    .filter(|l| !supported.contains(l))
                    .map(|l| format!("{} ({l})", v.name))
            })
            .collect();
        if !stranded.is_empty() {
            return Err(refused(500, format!(
                "{prefix}: updating the VMs failed for the following, whose custom compatibility version this engine does not support: {}. Edit each VM, clear or change its Custom Compatibility Version, then try again.",
                stranded.join(", ")
            )));
        }
        if self.faults.refuse_level.contains(&cluster.name) {
            return Err(refused(500, format!(
                "{prefix}: updating the VMs and templates of cluster {} failed. Edit each of them (the Edit Virtual Machine window shows what to fix), then try again.",
                cluster.name
            )));
        }
        let previewing: Vec<&str> = self
            .inventory
            .vms
            .iter()
            .filter(|v| v.cluster == cluster.id && v.previewing_snapshot().is_some())
            .map(|v| v.name.as_str())
            .collect();
        if !previewing.is_empty() {
            return Err(refused(400, format!(
                "{prefix}: the following VMs are previewing a snapshot; commit or undo the preview first: {}.",
                previewing.join(", ")
            )));
        }
        Ok(())
    }

    pub fn update_data_center(
        &mut self,
        id: DataCenterId,
        level: Level,
    ) -> Result<(), EngineError> {
        let dc = self.data_center(id)?.clone();
        if level < dc.version {
            return Err(refused(
                400,
                "Cannot decrease data center compatibility version.",
            ));
        }
        if !release::supported_cluster_levels(self.inventory.manager.version).contains(&level) {
            return Err(refused(400, format!("Cannot update Data Center compatibility version: {level} is not supported by this engine.")));
        }
        let behind: Vec<&str> = self
            .inventory
            .clusters
            .iter()
            .filter(|c| c.data_center == id && c.version < level)
            .map(|c| c.name.as_str())
            .collect();
        if !behind.is_empty() {
            return Err(refused(400, format!(
                "Cannot update Data Center compatibility version to a value that is greater than its cluster's version. The following clusters should be upgraded: {}.",
                behind.join(", ")
            )));
        }
        let clusters: Vec<ClusterId> = self
            .inventory
            .clusters
            .iter()
            .filter(|c| c.data_center == id)
            .map(|c| c.id)
            .collect();
        // `UpdateStoragePoolCommand`: only suspended VMs that would resume at an older level block.
        let suspended: Vec<&str> = self
            .inventory
            .vms
            .iter()
            .filter(|v| {
                clusters.contains(&v.cluster)
                    && v.status == VmStatus::Suspended
                    && v.custom_compatibility_version.is_some_and(|l| l < level)
            })
            .map(|v| v.name.as_str())
            .collect();
        if !suspended.is_empty() {
            return Err(refused(400, format!(
                "Cannot update Data Center compatibility version while VMs are suspended; resume or shut them down first: {}.",
                suspended.join(", ")
            )));
        }
        if self.faults.refuse_level.contains(&dc.name) {
            return Err(refused(500, format!("Cannot update Data Center compatibility version: updating data center {} failed; see the engine log.", dc.name)));
        }
        let i = self.data_centers[&id];
        self.inventory.data_centers[i].version = level;
        self.event(
            msg::USER_UPDATE_STORAGE_POOL,
            Severity::Normal,
            format!("Data Center {} was updated by {USER}", dc.name),
            None,
            None,
            None,
        );
        Ok(())
    }

    /// The cluster's upgrade flag (engine `StartClusterUpgradeCommand`,
    /// `UpdateClusterUpgradeCommand`, `FinishClusterUpgradeCommand`). `correlation_id` is the
    /// action body's; without one the engine takes the request's `Correlation-Id`, else the
    /// one it makes up for the command (`ClusterUpgradeParameters.getEffectiveCorrelationid`).
    /// Engines before 4.5.0 know only `start` and `finish`, and read any other action as
    /// `finish` (`BackendClusterResource.upgrade` at 4.4.10.7).
    pub fn cluster_upgrade(
        &mut self,
        id: ClusterId,
        action: ClusterUpgrade,
        correlation_id: Option<&str>,
    ) -> Result<(), EngineError> {
        if !release::has_cluster_upgrade_action(self.inventory.manager.version) {
            return Err(EngineError::NotFound {
                kind: "cluster upgrade action",
                id: id.to_string(),
            });
        }
        let cluster = self
            .cluster(id)
            .cloned()
            .ok_or_else(|| refused(400, "Cannot update Cluster. Cluster ID is not valid."))?;
        let correlation_id = correlation_id
            .map(str::to_owned)
            .or_else(|| self.session_correlation_id.clone())
            .unwrap_or_else(|| self.random_uuid().to_string());
        let i = self.clusters[&id];
        let action = match action {
            ClusterUpgrade::UpdateProgress { .. } if !self.tracks_upgrade_progress() => {
                ClusterUpgrade::Finish
            }
            other => other,
        };
        match action {
            ClusterUpgrade::Start => {
                if cluster.upgrade_running {
                    self.event(
                        msg::USER_START_CLUSTER_UPGRADE_FAILED,
                        Severity::Error,
                        format!(
                            "Failed to set upgrade running flag on Host cluster {} by {USER}",
                            cluster.name
                        ),
                        None,
                        None,
                        Some(id),
                    );
                    return Err(refused(
                        400,
                        format!(
                            "Failed to set upgrade running flag on cluster '{}'.",
                            cluster.id
                        ),
                    ));
                }
                self.inventory.clusters[i].upgrade_running = true;
                self.cluster_upgrades.insert(
                    id,
                    ClusterUpgradeRun {
                        correlation_id,
                        percent: 0,
                    },
                );
                self.event(
                    msg::USER_START_CLUSTER_UPGRADE,
                    Severity::Normal,
                    format!(
                        "Successfully set upgrade running flag on Host cluster {} by {USER}",
                        cluster.name
                    ),
                    None,
                    None,
                    Some(id),
                );
            }
            ClusterUpgrade::UpdateProgress { percent } => {
                if !cluster.upgrade_running {
                    return Err(refused(
                        400,
                        "Cannot update progress, cluster upgrade has not been started.",
                    ));
                }
                if percent > 100 {
                    return Err(refused(400, "Cannot update upgrade percent complete, the value needs to be in the range of 0 to 100."));
                }
                let run = self.cluster_upgrades.entry(id).or_default();
                if correlation_id != run.correlation_id {
                    return Err(refused(400, "Cannot update progress, given correlation id does not match the current update correlation id."));
                }
                run.percent = percent;
                self.event(msg::USER_UPDATE_CLUSTER_UPGRADE, Severity::Normal, format!("Successfully updated upgrade percent complete on Host cluster {} by (User: {USER})", cluster.name), None, None, Some(id));
            }
            ClusterUpgrade::Finish => {
                self.inventory.clusters[i].upgrade_running = false;
                if let Some(run) = self.cluster_upgrades.get_mut(&id) {
                    run.percent = 0;
                }
                self.event(msg::USER_FINISH_CLUSTER_UPGRADE, Severity::Normal, format!("Successfully cleared upgrade running flag on Host cluster {} by (User: {USER})", cluster.name), None, None, Some(id));
            }
        }
        Ok(())
    }

    /// The cluster's upgrade progress and correlation id, as the API shows them.
    pub fn cluster_upgrade_state(&self, id: ClusterId) -> (u8, Option<&str>) {
        self.cluster_upgrades
            .get(&id)
            .map_or((0, None), |r| (r.percent, Some(r.correlation_id.as_str())))
    }

    fn play(&mut self, step: Step) {
        if let Some(host) = step.host() {
            if self.host(host).is_err() {
                // The host was removed; what it still had under way went with it.
                return;
            }
        }
        if let Some(vm) = step.vm() {
            if self.vm(vm).is_err() {
                // The VM left the records with its storage domain.
                return;
            }
        }
        match step {
            Step::MigrationDone {
                vm,
                to,
                started,
                kind,
            } => self.migration_done(vm, to, started, kind),
            Step::EvacuationRetry { host } => self.retry_evacuation(host),
            Step::UpgradeMaintenance { host } => self.upgrade_maintenance(host),
            Step::InstallDone { host } => self.install_done(host),
            Step::DeployDone { host } => self.deploy_done(host),
            Step::DeployRebooted { host } => self.deploy_rebooted(host),
            Step::ReinstallDone { machine } => self.reinstall_done(machine),
            Step::RebootDone { host } => self.reboot_done(host),
            Step::Reconnected { host } => self.reconnected(host),
            Step::HaFlagPolled { host, enabled } => self.ha_flag_polled(host, enabled),
            Step::Activated { host } => self.activated(host),
            Step::UpgradeCheckDone { host } => self.upgrade_check_done(host),
            Step::VmUp { vm } => self.vm_up(vm),
            Step::VmDown { vm, shutdown } => self.vm_down(vm, shutdown),
            Step::EngineVmStart => self.engine_vm_start(),
            Step::EngineUp { vm } => self.engine_up(vm),
            Step::DomainMaintenance { domain } => self.domain_maintenance(domain),
            Step::DomainActive { domain } => self.domain_active(domain),
        }
    }
}

/// A client's own event (`POST /events`): what the engine's `AddExternalEventCommand` takes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalEvent {
    pub source: ExternalSource,
    pub severity: Severity,
    pub description: String,
    pub correlation_id: Option<String>,
    pub host: Option<HostId>,
    pub vm: Option<VmId>,
    pub cluster: Option<ClusterId>,
    pub data_center: Option<DataCenterId>,
}

/// The engine keeps an event's text to this many characters (`MaxAuditLogMessageLength`).
const MAX_EVENT_TEXT: usize = 10_000;

impl Simulator {
    /// Whether the cluster shows its upgrade progress and takes `update_progress`: engines
    /// from 4.5.0 (engine commit 5cfed654892, first in ovirt-engine-4.5.0.1).
    pub fn tracks_upgrade_progress(&self) -> bool {
        release::shows_cluster_upgrade_progress(self.inventory.manager.version)
    }

    fn random_uuid(&mut self) -> Uuid {
        Uuid::from_random_bits(self.rng.next_u64() as u128 | (self.rng.next_u64() as u128) << 64)
    }

    /// Adds a client's event to the log, as `AddExternalEventCommand` does: the origin may not
    /// be the engine's own, a custom id is used once per origin, and the code follows the
    /// severity (9801 normal, 9802 warning, 9803 error, 9804 alert). Returns the event's id.
    pub fn add_external_event(&mut self, event: ExternalEvent) -> Result<u64, EngineError> {
        if event
            .source
            .origin
            .eq_ignore_ascii_case(ovirt_wire::ENGINE_ORIGIN)
        {
            return Err(refused(
                400,
                "Cannot add External Event. Illegal Origin for External Event : oVirt",
            ));
        }
        if self
            .events
            .iter()
            .any(|e| e.external.as_ref() == Some(&event.source))
        {
            return Err(refused(
                400,
                "Cannot add External Event. External Event with this custom id already exists.",
            ));
        }
        let code = match event.severity {
            Severity::Normal => msg::EXTERNAL_EVENT_NORMAL,
            Severity::Warning => msg::EXTERNAL_EVENT_WARNING,
            Severity::Error => msg::EXTERNAL_EVENT_ERROR,
            Severity::Alert => msg::EXTERNAL_ALERT,
        };
        let description = abbreviate(&event.description, MAX_EVENT_TEXT);
        let id = self.events.last().map_or(1, |e| e.id + 1);
        self.events.push(Event {
            id,
            code,
            severity: event.severity,
            description,
            time: self.now,
            host: event.host,
            vm: event.vm,
            cluster: event.cluster,
            correlation_id: event.correlation_id,
            data_center: event.data_center,
            external: Some(event.source),
        });
        Ok(id)
    }
}

/// Cuts a text to `max` characters, ending in `...`, as commons-lang `StringUtils.abbreviate`.
fn abbreviate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max - 3).collect();
    short.push_str("...");
    short
}
