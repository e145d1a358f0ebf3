//! The simulated engine: an inventory that changes the way a real engine's would, driven by
//! a virtual clock. Actions validate at once (refusing as the engine refuses) and schedule
//! their effects; [`Simulator::advance_to`] plays the effects that fall due, in time order.
//! Nothing here reads the real clock: the same seed and the same calls give the same history.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use model::engine::{ClusterUpdate, ClusterUpgrade, EngineError, Event, ExternalSource, HostAction, Severity, VmAction};
use model::release;
use model::rng::Rng;
use model::*;

use crate::faults::Faults;
use crate::invariants::{History, Transition};
use crate::messages::{self as msg, USER};
use crate::placement::{self, VM_OVERHEAD};

/// How long things take, in milliseconds of virtual time. The defaults follow the research:
/// hosts take 20–30 minutes from upgrade start to up; reboot waits up to 10 minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Live-migration throughput.
    pub migration_bytes_per_second: u64,
    /// Fixed cost of every migration (setup, final switch-over).
    pub migration_setup_ms: u64,
    /// Outgoing migrations per host during an evacuation (the "Minimal downtime" policy's 2).
    pub max_outgoing_migrations: usize,
    /// How long a host stuck in preparing_for_maintenance waits before trying again.
    pub maintenance_retry_ms: u64,
    pub install_ms: u64,
    pub reboot_ms: u64,
    pub activate_ms: u64,
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
            activate_ms: 20_000,
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
    MigrationDone { vm: VmId, to: HostId, started: Timestamp },
    EvacuationRetry { host: HostId },
    InstallDone { host: HostId },
    RebootDone { host: HostId },
    Activated { host: HostId },
    UpgradeCheckDone { host: HostId },
    VmUp { vm: VmId },
    VmDown { vm: VmId, shutdown: bool },
    /// The hosted-engine HA agents start the Manager VM.
    EngineVmStart,
    /// The Manager's services answer inside its VM.
    EngineUp { vm: VmId },
}

#[derive(Debug, Clone, Default)]
struct HostRun {
    /// Moving to maintenance; `internal` when an upgrade asked (user_migratable VMs then block).
    maintenance: Option<MaintenanceRun>,
    /// Upgrading; the status to return to when done.
    upgrade: Option<UpgradeRun>,
    outgoing: usize,
    stuck_reported: bool,
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
    cluster_upgrades: HashMap<ClusterId, ClusterUpgradeRun>,
    published_update: Option<PackageVersion>,
    history: History,
    /// The `Correlation-Id` of the client's session: tags the events its actions cause.
    session_correlation_id: Option<String>,
    /// Hosts whose one failing installation (`install-fail-once`) has happened.
    failed_once: std::collections::HashSet<HostId>,
}

fn refused(status: u16, detail: impl Into<String>) -> EngineError {
    EngineError::Refused { status, reason: "Operation Failed".into(), detail: format!("[{}]", detail.into()) }
}

fn conflict(detail: impl Into<String>) -> EngineError {
    refused(409, detail)
}

impl Simulator {
    pub fn new(inventory: Inventory, config: SimConfig, faults: Faults, seed: u64, start: Timestamp) -> Simulator {
        let positions = |ids: Vec<Uuid>| ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect::<HashMap<_, _>>();
        let hosts = positions(inventory.hosts.iter().map(|h| h.id.0).collect()).into_iter().map(|(k, v)| (HostId(k), v)).collect();
        let vms = positions(inventory.vms.iter().map(|v| v.id.0).collect()).into_iter().map(|(k, v)| (VmId(k), v)).collect();
        let clusters = positions(inventory.clusters.iter().map(|c| c.id.0).collect()).into_iter().map(|(k, v)| (ClusterId(k), v)).collect();
        let data_centers =
            positions(inventory.data_centers.iter().map(|d| d.id.0).collect()).into_iter().map(|(k, v)| (DataCenterId(k), v)).collect();
        let history = History::new(&inventory, start);
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
            cluster_upgrades: HashMap::new(),
            published_update: None,
            history,
            session_correlation_id: None,
            failed_once: Default::default(),
        };
        // The engine's log is never empty: clients ask for `max=1` to learn where it ends.
        sim.event(msg::VDS_DETECTED, Severity::Normal, "Simulated engine started.".into(), None, None, None);
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
        self.events.iter().rev().take_while(|e| e.id > after).cloned().collect()
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
            return Err(refused(400, format!("the Manager runs {}; it is never downgraded to {version}", self.inventory.manager.version)));
        }
        self.set_manager_version(version)?;
        let engine_vm = self.inventory.vms.iter().find(|v| v.hosted_engine && v.status == VmStatus::Up).cloned();
        if let Some(vm) = engine_vm {
            self.stop(&vm, true)?;
        }
        Ok(())
    }

    /// Global maintenance as the hosted-engine hosts report it.
    fn in_global_maintenance(&self) -> bool {
        self.inventory.hosts.iter().filter_map(|h| h.hosted_engine).any(|he| he.global_maintenance)
    }

    /// Marks the host running the Manager VM as the active hosted-engine host.
    fn mark_engine_host(&mut self, running_on: Option<HostId>) {
        for host in self.inventory.hosts.iter_mut() {
            let here = Some(host.id) == running_on;
            if let Some(he) = &mut host.hosted_engine {
                he.active = here;
            }
        }
    }

    /// The HA agents start the Manager VM on the best-scoring hosted-engine host.
    fn engine_vm_start(&mut self) {
        let Some(vm) = self.inventory.vms.iter().find(|v| v.hosted_engine).cloned() else { return };
        if vm.is_running() || self.in_global_maintenance() {
            return;
        }
        let host = self
            .inventory
            .hosts
            .iter()
            .filter(|h| placement::refusal(&self.inventory, &vm, h.id, None).is_none())
            .max_by_key(|h| (h.hosted_engine.map_or(0, |he| he.score), std::cmp::Reverse(h.id)))
            .map(|h| h.id);
        let Some(host) = host else {
            // No host can take it now; the agents try again.
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
            return;
        };
        self.reserve_memory(host, vm.memory);
        self.set_vm_status(vm.id, VmStatus::WaitForLaunch, Some(host));
        self.mark_engine_host(Some(host));
        self.schedule(self.config.vm_start_ms, Step::VmUp { vm: vm.id });
    }

    fn engine_up(&mut self, vm_id: VmId) {
        let Ok(vm) = self.vm(vm_id).cloned() else { return };
        if vm.status == VmStatus::PoweringUp {
            self.set_vm_status(vm_id, VmStatus::Up, vm.host);
        }
    }

    pub fn host(&self, id: HostId) -> Result<&Host, EngineError> {
        self.hosts.get(&id).map(|&i| &self.inventory.hosts[i]).ok_or_else(|| EngineError::NotFound { kind: "host", id: id.to_string() })
    }

    pub fn vm(&self, id: VmId) -> Result<&Vm, EngineError> {
        self.vms.get(&id).map(|&i| &self.inventory.vms[i]).ok_or_else(|| EngineError::NotFound { kind: "VM", id: id.to_string() })
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

    fn schedule(&mut self, after_ms: u64, step: Step) {
        self.sequence += 1;
        let at = self.now.plus_millis(after_ms as i64);
        self.queue.push(Reverse((at, self.sequence, step)));
    }

    fn event(&mut self, code: u32, severity: Severity, description: String, host: Option<HostId>, vm: Option<VmId>, cluster: Option<ClusterId>) {
        let id = self.events.last().map_or(1, |e| e.id + 1);
        let correlation_id = self.session_correlation_id.clone();
        self.events.push(Event { id, code, severity, description, time: self.now, host, vm, cluster, correlation_id, data_center: None, external: None });
    }

    fn set_host_status(&mut self, id: HostId, status: HostStatus) {
        let from = self.host(id).map(|h| h.status).unwrap_or(status);
        if from != status {
            self.history.record(self.now, Transition::Host { host: id, from, to: status });
            self.host_mut(id).status = status;
        }
    }

    fn set_vm_status(&mut self, id: VmId, status: VmStatus, host: Option<HostId>) {
        let (from, from_host) = self.vm(id).map(|v| (v.status, v.host)).unwrap_or((status, host));
        self.history.record(self.now, Transition::Vm { vm: id, from, to: status, from_host, to_host: host });
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
        h.max_scheduling_memory = h.max_scheduling_memory.saturating_sub(vm_memory + VM_OVERHEAD);
        let used: u64 = self.used_memory(host);
        let index = self.hosts[&host];
        self.history.check_memory(self.now, &self.inventory.hosts[index], used);
    }

    /// Memory held on a host: its running VMs and the migrations coming in.
    fn used_memory(&self, host: HostId) -> u64 {
        let running: u64 = self.inventory.vms.iter().filter(|v| v.host == Some(host) && v.is_running()).map(|v| v.memory + VM_OVERHEAD).sum();
        let incoming: u64 = self.migrating_to.iter().filter(|(_, &to)| to == host).map(|(vm, _)| self.vm(*vm).map_or(0, |v| v.memory + VM_OVERHEAD)).sum();
        running + incoming
    }

    fn running_on(&self, host: HostId) -> Vec<VmId> {
        self.inventory.vms.iter().filter(|v| v.host == Some(host) && v.is_running()).map(|v| v.id).collect()
    }

    fn policy_of(&self, cluster: ClusterId) -> SchedulingPolicy {
        self.cluster(cluster).map_or(SchedulingPolicy::None, |c| c.scheduling_policy)
    }

    fn migration_ms(&self, vm: &Vm) -> u64 {
        self.config.migration_setup_ms + vm.memory * 1000 / self.config.migration_bytes_per_second.max(1)
    }

    // ----- hosts -----

    pub fn host_action(&mut self, id: HostId, action: HostAction) -> Result<(), EngineError> {
        let host = self.host(id)?.clone();
        match action {
            HostAction::Deactivate { reason } => self.deactivate(&host, reason, false),
            HostAction::Activate => self.activate(&host),
            HostAction::UpgradeCheck => self.upgrade_check(&host),
            HostAction::Upgrade { reboot, .. } => self.upgrade(&host, reboot),
        }
    }

    fn deactivate(&mut self, host: &Host, reason: Option<String>, internal: bool) -> Result<(), EngineError> {
        self.check_maintenance(host, internal)?;
        self.begin_maintenance(host, reason, internal);
        Ok(())
    }

    /// The engine's validation of a move to maintenance (`MaintenanceNumberOfVdssCommand`).
    fn check_maintenance(&self, host: &Host, internal: bool) -> Result<(), EngineError> {
        use HostStatus::*;
        match host.status {
            Maintenance => return Err(conflict("Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.")),
            PreparingForMaintenance if !internal => return Err(conflict("Cannot switch Host to Maintenance mode. Host is already switching to Maintenance mode.")),
            Up | NonOperational | PreparingForMaintenance | InstallFailed | Error | NonResponsive => {}
            other => return Err(conflict(format!("Cannot switch Host to Maintenance mode while it is {other}."))),
        }
        let running: Vec<&Vm> = self.running_on(host.id).into_iter().filter_map(|v| self.vm(v).ok()).collect();
        let blocking: Vec<&str> = running
            .iter()
            .filter(|v| v.affinity == Affinity::Pinned || (internal && v.affinity == Affinity::UserMigratable))
            .map(|v| v.name.as_str())
            .collect();
        if !blocking.is_empty() {
            return Err(conflict(format!(
                "Cannot switch the following Hosts to Maintenance mode: {}. One or more running VMs are indicated as non-migratable. The non-migratable VMs are: {}.",
                host.name,
                blocking.join(", ")
            )));
        }
        if running.iter().any(|v| v.hosted_engine) {
            let spare = self.inventory.hosts.iter().any(|h| {
                h.id != host.id && h.cluster == host.cluster && h.status == Up && h.hosted_engine.is_some_and(|he| he.score > 0 && !he.local_maintenance)
            });
            if !spare {
                return Err(conflict(format!("Cannot switch the Host(s) {} to Maintenance mode. There are no available hosts capable of running the engine VM.", host.name)));
            }
        }
        if let Some(cluster) = self.cluster(host.cluster).filter(|c| c.gluster_service) {
            let unhealed: Vec<&str> =
                self.inventory.gluster_volumes.iter().filter(|g| g.cluster == cluster.id && g.pending_heals > 0).map(|g| g.name.as_str()).collect();
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

    fn begin_maintenance(&mut self, host: &Host, reason: Option<String>, internal: bool) {
        self.host_runs.entry(host.id).or_default().maintenance = Some(MaintenanceRun { reason, internal });
        self.set_host_status(host.id, HostStatus::PreparingForMaintenance);
        if let Some(he) = &mut self.host_mut(host.id).hosted_engine {
            he.local_maintenance = true;
            he.score = 0;
        }
        self.hand_over_spm(host.id);
        self.pump_evacuation(host.id);
    }

    /// The SPM role moves to another up host of the data center when its host leaves.
    fn hand_over_spm(&mut self, leaving: HostId) {
        if self.host(leaving).map(|h| h.spm) != Ok(SpmStatus::Spm) {
            return;
        }
        self.host_mut(leaving).spm = SpmStatus::None;
        let dc = self.host(leaving).ok().and_then(|h| self.cluster(h.cluster)).map(|c| c.data_center);
        let successor = self.inventory.hosts.iter().find(|h| {
            h.id != leaving && h.status == HostStatus::Up && self.cluster(h.cluster).map(|c| c.data_center) == dc
        });
        if let Some(next) = successor.map(|h| h.id) {
            self.host_mut(next).spm = SpmStatus::Spm;
        }
    }

    /// Starts as many outgoing migrations as the host may run; finishes maintenance when empty.
    fn pump_evacuation(&mut self, host_id: HostId) {
        let Some(run) = self.host_runs.get(&host_id) else { return };
        if run.maintenance.is_none() {
            return;
        }
        let running = self.running_on(host_id);
        let waiting: Vec<VmId> = running.iter().copied().filter(|vm| !self.migrating_to.contains_key(vm)).collect();
        if running.is_empty() {
            self.maintenance_reached(host_id);
            return;
        }
        let policy = self.host(host_id).map(|h| self.policy_of(h.cluster)).unwrap_or_default();
        let mut stuck = false;
        for vm_id in waiting {
            if self.host_runs[&host_id].outgoing >= self.config.max_outgoing_migrations {
                break;
            }
            let vm = self.vm(vm_id).expect("vm exists").clone();
            match placement::choose(&self.inventory, &vm, Some(host_id), policy) {
                Some(to) => {
                    self.start_migration(&vm, host_id, to);
                    self.host_runs.get_mut(&host_id).expect("run").outgoing += 1;
                }
                None => {
                    self.event(
                        msg::VM_MIGRATION_NO_VDS_TO_MIGRATE_TO,
                        Severity::Warning,
                        format!("No available host was found to migrate VM {} to.", vm.name),
                        Some(host_id),
                        Some(vm.id),
                        Some(vm.cluster),
                    );
                    stuck = true;
                }
            }
        }
        if stuck {
            let run = self.host_runs.get_mut(&host_id).expect("run");
            if !run.stuck_reported {
                run.stuck_reported = true;
                let name = self.host(host_id).map(|h| h.name.clone()).unwrap_or_default();
                self.event(msg::VDS_MAINTENANCE_FAILED, Severity::Error, format!("Failed to switch Host {name} to Maintenance mode."), Some(host_id), None, None);
            }
            self.schedule(self.config.maintenance_retry_ms, Step::EvacuationRetry { host: host_id });
        }
    }

    fn start_migration(&mut self, vm: &Vm, from: HostId, to: HostId) {
        self.reserve_memory(to, vm.memory);
        self.migrating_to.insert(vm.id, to);
        self.set_vm_status(vm.id, VmStatus::Migrating, Some(from));
        let (source, destination) = (self.host(from).map(|h| h.name.clone()).unwrap_or_default(), self.host(to).map(|h| h.name.clone()).unwrap_or_default());
        self.event(
            msg::VM_MIGRATION_START,
            Severity::Normal,
            format!("Migration started (VM: {}, Source: {source}, Destination: {destination}, User: {USER}).", vm.name),
            Some(from),
            Some(vm.id),
            Some(vm.cluster),
        );
        let started = self.now;
        self.schedule(self.migration_ms(vm), Step::MigrationDone { vm: vm.id, to, started });
    }

    fn migration_done(&mut self, vm_id: VmId, to: HostId, started: Timestamp) {
        let vm = self.vm(vm_id).expect("vm exists").clone();
        let from = vm.host.expect("a migrating VM has a source");
        self.migrating_to.remove(&vm_id);
        let (source, destination) = (self.host(from).map(|h| h.name.clone()).unwrap_or_default(), self.host(to).map(|h| h.name.clone()).unwrap_or_default());
        let fails = self.faults.migration_fail.contains(&vm.name) || self.random_failure();
        if fails {
            self.release_memory(to, vm.memory);
            self.set_vm_status(vm_id, VmStatus::Up, Some(from));
            self.event(
                msg::VM_MIGRATION_FAILED,
                Severity::Error,
                format!("Migration failed (VM: {}, Source: {source}, Destination: {destination}).", vm.name),
                Some(from),
                Some(vm_id),
                Some(vm.cluster),
            );
        } else {
            self.set_vm_status(vm_id, VmStatus::Up, Some(to));
            self.release_memory(from, vm.memory);
            if vm.hosted_engine {
                self.mark_engine_host(Some(to));
            }
            let seconds = (self.now.0 - started.0) / 1000;
            self.event(
                msg::VM_MIGRATION_DONE,
                Severity::Normal,
                format!("Migration completed (VM: {}, Source: {source}, Destination: {destination}, Duration: {seconds} seconds, Total: {seconds} seconds, Actual downtime: 80ms)", vm.name),
                Some(to),
                Some(vm_id),
                Some(vm.cluster),
            );
        }
        if let Some(run) = self.host_runs.get_mut(&from) {
            if run.maintenance.is_some() {
                run.outgoing = run.outgoing.saturating_sub(1);
                if fails {
                    // The engine retries a failed evacuation on its next maintenance attempt.
                    self.schedule(self.config.maintenance_retry_ms, Step::EvacuationRetry { host: from });
                } else {
                    self.pump_evacuation(from);
                }
            }
        }
    }

    fn random_failure(&mut self) -> bool {
        self.faults.random_failure > 0.0 && self.rng.chance((self.faults.random_failure * 1_000_000.0) as u64, 1_000_000)
    }

    fn maintenance_reached(&mut self, host_id: HostId) {
        let run = self.host_runs.get_mut(&host_id).expect("run");
        let maintenance = run.maintenance.take().expect("in maintenance run");
        run.stuck_reported = false;
        let upgrade = run.upgrade;
        self.set_host_status(host_id, HostStatus::Maintenance);
        let name = self.host(host_id).map(|h| h.name.clone()).unwrap_or_default();
        if maintenance.internal {
            self.event(msg::VDS_MAINTENANCE, Severity::Normal, format!("Host {name} was switched to Maintenance Mode."), Some(host_id), None, None);
        } else {
            let reason = maintenance.reason.unwrap_or_default();
            self.event(
                msg::USER_VDS_MAINTENANCE,
                Severity::Normal,
                format!("Host {name} was switched to Maintenance mode by {USER} (Reason: {reason})."),
                Some(host_id),
                None,
                None,
            );
        }
        if upgrade.is_some() {
            self.set_host_status(host_id, HostStatus::Installing);
            self.schedule(self.config.install_ms, Step::InstallDone { host: host_id });
        }
    }

    fn activate(&mut self, host: &Host) -> Result<(), EngineError> {
        use HostStatus::*;
        match host.status {
            Maintenance | NonOperational | Error | InstallFailed | PreparingForMaintenance => {}
            Up => return Err(conflict("Cannot activate Host. Host in Up status.")),
            other => return Err(conflict(format!("Cannot activate Host. Host is in {other} status."))),
        }
        if host.status == PreparingForMaintenance {
            // Activation cancels the evacuation; migrations under way finish where they go.
            if let Some(run) = self.host_runs.get_mut(&host.id) {
                run.maintenance = None;
                run.upgrade = None;
            }
        }
        self.set_host_status(host.id, Unassigned);
        self.event(msg::VDS_ACTIVATE, Severity::Normal, format!("Activation of host {} initiated by {USER}.", host.name), Some(host.id), None, None);
        self.schedule(self.config.activate_ms, Step::Activated { host: host.id });
        Ok(())
    }

    fn activated(&mut self, host_id: HostId) {
        if self.host(host_id).map(|h| h.status) != Ok(HostStatus::Unassigned) {
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
        let dc = self.host(host_id).ok().and_then(|h| self.cluster(h.cluster)).map(|c| c.data_center);
        let has_spm = self.inventory.hosts.iter().any(|h| h.spm == SpmStatus::Spm && self.cluster(h.cluster).map(|c| c.data_center) == dc);
        if !has_spm {
            self.host_mut(host_id).spm = SpmStatus::Spm;
        }
    }

    fn upgrade_check(&mut self, host: &Host) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(host.status, Up | Maintenance | NonOperational | InstallFailed) {
            return Err(conflict("Cannot check for available updates on Host. Valid Host statuses for upgrade check are Up, Maintenance, Non-Operational or Install Failed."));
        }
        self.event(msg::HOST_AVAILABLE_UPDATES_STARTED, Severity::Normal, format!("Started to check for available updates on host {}.", host.name), Some(host.id), None, None);
        self.schedule(self.config.upgrade_check_ms, Step::UpgradeCheckDone { host: host.id });
        Ok(())
    }

    fn upgrade_check_done(&mut self, host_id: HostId) {
        let host = self.host(host_id).expect("host").clone();
        let newer = self.published_update.as_ref().filter(|v| host.packages.get("vdsm").is_none_or(|current| current < *v)).cloned();
        let available = host.update_available || newer.is_some();
        self.host_mut(host_id).update_available = available;
        let message = if available { "found updates for packages vdsm" } else { "no updates found." };
        self.event(
            msg::HOST_AVAILABLE_UPDATES_FINISHED,
            Severity::Normal,
            format!("Check for available updates on host {} was completed successfully with message '{message}'.", host.name),
            Some(host_id),
            None,
            None,
        );
        if available {
            self.event(msg::HOST_UPDATES_ARE_AVAILABLE_WITH_PACKAGES, Severity::Normal, format!("Host {} has available updates: vdsm.", host.name), Some(host_id), None, None);
        }
    }

    fn upgrade(&mut self, host: &Host, reboot: bool) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(host.status, Up | Maintenance | NonOperational) {
            return Err(conflict("Cannot upgrade Host. Valid Host statuses for upgrade are Up, Maintenance, and Non-Operational."));
        }
        if !host.update_available {
            return Err(conflict("Cannot upgrade Host. There are no available updates for the host."));
        }
        // oVirt Node images always reboot to switch to the new image.
        let reboot = reboot || host.host_type == HostType::OvirtNode;
        if host.status != Maintenance {
            self.check_maintenance(host, true)?;
        }
        self.host_runs.entry(host.id).or_default().upgrade = Some(UpgradeRun { return_to: host.status, reboot });
        self.event(msg::HOST_UPGRADE_STARTED, Severity::Normal, format!("Host {} upgrade was started (User: {USER}).", host.name), Some(host.id), None, None);
        if host.status == Maintenance {
            self.set_host_status(host.id, Installing);
            self.schedule(self.config.install_ms, Step::InstallDone { host: host.id });
        } else {
            self.begin_maintenance(host, None, true);
        }
        Ok(())
    }

    fn install_done(&mut self, host_id: HostId) {
        let host = self.host(host_id).expect("host").clone();
        let Some(upgrade) = self.host_runs.get_mut(&host_id).and_then(|r| r.upgrade) else { return };
        let first_failure = self.faults.install_fail_once.contains(&host.name) && self.failed_once.insert(host_id);
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
        let h = self.host_mut(host_id);
        h.update_available = false;
        if let Some(version) = self.published_update.clone() {
            self.host_mut(host_id).packages.insert("vdsm".into(), version);
        }
        if upgrade.reboot {
            self.set_host_status(host_id, HostStatus::Reboot);
            self.event(
                msg::HOST_UPGRADE_FINISHED_AND_WILL_BE_REBOOTED,
                Severity::Normal,
                format!("Upgrade was successful and host {} will be rebooted.", host.name),
                Some(host_id),
                None,
                None,
            );
            self.schedule(self.config.reboot_ms, Step::RebootDone { host: host_id });
        } else {
            self.event(msg::HOST_UPGRADE_FINISHED, Severity::Normal, format!("Host {} upgrade was completed successfully.", host.name), Some(host_id), None, None);
            self.finish_upgrade(host_id, upgrade.return_to);
        }
    }

    fn reboot_done(&mut self, host_id: HostId) {
        let Some(upgrade) = self.host_runs.get(&host_id).and_then(|r| r.upgrade) else { return };
        let name = self.host(host_id).map(|h| h.name.clone()).unwrap_or_default();
        if self.faults.never_return.contains(&name) {
            self.host_runs.get_mut(&host_id).expect("run").upgrade = None;
            self.set_host_status(host_id, HostStatus::NonResponsive);
            self.event(msg::VDS_DETECTED, Severity::Error, format!("Status of host {name} was set to NonResponsive."), Some(host_id), None, None);
            return;
        }
        self.finish_upgrade(host_id, upgrade.return_to);
    }

    /// Back to the status the host had before its upgrade.
    fn finish_upgrade(&mut self, host_id: HostId, return_to: HostStatus) {
        self.host_runs.get_mut(&host_id).expect("run").upgrade = None;
        if return_to == HostStatus::Up {
            self.set_host_status(host_id, HostStatus::Up);
            if let Some(he) = &mut self.host_mut(host_id).hosted_engine {
                he.local_maintenance = false;
                he.score = FULL_HOSTED_ENGINE_SCORE;
            }
            self.become_spm_if_none(host_id);
        } else {
            self.set_host_status(host_id, HostStatus::Maintenance);
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

    fn migrate(&mut self, vm: &Vm, destination: Option<HostId>, force: bool) -> Result<(), EngineError> {
        if vm.status == VmStatus::Migrating {
            return Err(conflict("Cannot migrate VM. VM migration is in progress"));
        }
        let Some(source) = vm.host.filter(|_| vm.status == VmStatus::Up) else {
            return Err(conflict(format!("Cannot migrate VM. VM {} is not running.", vm.name)));
        };
        if vm.affinity == Affinity::Pinned {
            return Err(conflict("Cannot migrate VM. VM is pinned to Host."));
        }
        if vm.affinity == Affinity::UserMigratable && !force {
            return Err(conflict("Cannot migrate VM. VM is non migratable and user did not specify the force-migration flag"));
        }
        let to = match destination {
            Some(to) => {
                self.host(to)?;
                if let Some(reason) = placement::refusal(&self.inventory, vm, to, Some(source)) {
                    return Err(conflict(format!("Cannot migrate VM. There is no host that satisfies current scheduling constraints. See below for details:, {reason}.")));
                }
                to
            }
            None => placement::choose(&self.inventory, vm, Some(source), self.policy_of(vm.cluster)).ok_or_else(|| {
                conflict("Cannot migrate VM. There is no host that satisfies current scheduling constraints.")
            })?,
        };
        self.start_migration(vm, source, to);
        Ok(())
    }

    fn start(&mut self, vm: &Vm) -> Result<(), EngineError> {
        if vm.is_running() {
            return Err(conflict(format!("Cannot run VM. VM {} is running.", vm.name)));
        }
        if self.policy_of(vm.cluster) == SchedulingPolicy::ClusterMaintenance && !vm.high_availability {
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
            return Err(conflict(format!("Cannot {} VM. VM {} is not running.", if shutdown { "shutdown" } else { "stop" }, vm.name)));
        }
        if vm.status == VmStatus::Migrating {
            return Err(conflict("Cannot stop VM. VM migration is in progress"));
        }
        self.history.explicit_stop(vm.id);
        let host_name = vm.host.and_then(|h| self.host(h).ok()).map(|h| h.name.clone()).unwrap_or_default();
        if shutdown {
            self.event(msg::USER_INITIATED_SHUTDOWN_VM, Severity::Normal, format!("VM shutdown initiated by {USER} on VM {} (Host: {host_name}).", vm.name), vm.host, Some(vm.id), Some(vm.cluster));
        } else {
            self.event(msg::USER_STOP_VM, Severity::Normal, format!("VM {} powered off by {USER} (Host: {host_name}).", vm.name), vm.host, Some(vm.id), Some(vm.cluster));
        }
        self.set_vm_status(vm.id, VmStatus::PoweringDown, vm.host);
        let delay = if shutdown { self.config.vm_shutdown_ms } else { self.config.vm_stop_ms };
        self.schedule(delay, Step::VmDown { vm: vm.id, shutdown });
        Ok(())
    }

    fn reboot(&mut self, vm: &Vm) -> Result<(), EngineError> {
        if vm.status != VmStatus::Up {
            return Err(conflict(format!("Cannot reboot VM. VM {} is not up.", vm.name)));
        }
        self.set_vm_status(vm.id, VmStatus::RebootInProgress, vm.host);
        self.schedule(self.config.vm_reboot_ms, Step::VmUp { vm: vm.id });
        Ok(())
    }

    fn vm_up(&mut self, vm_id: VmId) {
        let vm = self.vm(vm_id).expect("vm").clone();
        if !matches!(vm.status, VmStatus::WaitForLaunch | VmStatus::RebootInProgress) {
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
            let host_name = vm.host.and_then(|h| self.host(h).ok()).map(|h| h.name.clone()).unwrap_or_default();
            self.event(msg::USER_RUN_VM, Severity::Normal, format!("VM {} started on Host {host_name}", vm.name), vm.host, Some(vm_id), Some(vm.cluster));
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
            self.event(msg::USER_FAILED_RUN_VM, Severity::Error, format!("Failed to run VM {} (User: {USER}).", vm.name), vm.host, Some(vm.id), Some(vm.cluster));
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
        let exit = if shutdown { "Exit message: User shut down from within the guest" } else { "Exit message: Admin shut down from the engine" };
        self.event(msg::VM_DOWN, Severity::Normal, format!("VM {} is down. {exit}", vm.name), vm.host, Some(vm_id), Some(vm.cluster));
        if let Some(host) = vm.host {
            self.pump_evacuation(host);
        }
        if vm.hosted_engine {
            self.mark_engine_host(None);
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
        }
    }

    fn global_maintenance(&mut self, vm: &Vm, enabled: bool) -> Result<(), EngineError> {
        if !vm.hosted_engine {
            return Err(refused(400, "Moving to maintenance mode is currently only available for the VM containing the hosted engine."));
        }
        for host in self.inventory.hosts.iter_mut() {
            if let Some(he) = &mut host.hosted_engine {
                he.global_maintenance = enabled;
            }
        }
        if !enabled && !vm.is_running() {
            // Out of maintenance, the HA agents start the Manager VM that was shut down.
            self.schedule(self.config.ha_agent_ms, Step::EngineVmStart);
        }
        Ok(())
    }

    // ----- clusters and data centers -----

    pub fn update_cluster(&mut self, id: ClusterId, update: ClusterUpdate) -> Result<(), EngineError> {
        let cluster = self.cluster(id).cloned().ok_or_else(|| EngineError::NotFound { kind: "cluster", id: id.to_string() })?;
        if let Some(level) = update.version.filter(|&l| l != cluster.version) {
            self.validate_cluster_level(&cluster, level)?;
            let old = cluster.version;
            let i = self.clusters[&id];
            self.inventory.clusters[i].version = level;
            // Running VMs keep the old level until restarted (engine: next-run configuration).
            for vm in self.inventory.vms.iter_mut().filter(|v| v.cluster == id && v.is_running() && !v.hosted_engine) {
                vm.next_run_pending = true;
                vm.custom_compatibility_version.get_or_insert(old);
            }
        }
        if let Some(policy) = update.scheduling_policy {
            let i = self.clusters[&id];
            self.inventory.clusters[i].scheduling_policy = policy;
        }
        self.event(msg::USER_UPDATE_CLUSTER, Severity::Normal, format!("Host cluster {} was updated by {USER}", cluster.name), None, None, Some(id));
        Ok(())
    }

    fn validate_cluster_level(&self, cluster: &Cluster, level: Level) -> Result<(), EngineError> {
        let prefix = "Cannot change Cluster Compatibility Version";
        if !release::supported_cluster_levels(self.inventory.manager.version).contains(&level) {
            return Err(refused(400, format!("{prefix}: version {level} is not supported by this engine ({}).", self.inventory.manager.version)));
        }
        let hosts: Vec<&Host> = self.inventory.hosts.iter().filter(|h| h.cluster == cluster.id).collect();
        if level < cluster.version && !hosts.is_empty() {
            return Err(conflict(format!("{prefix} to a lower version when there are Hosts in the Cluster.")));
        }
        if let Some(dc) = self.data_centers.get(&cluster.data_center).map(|&i| &self.inventory.data_centers[i]) {
            if level < dc.version {
                return Err(conflict(format!("{prefix} to a version lower than the Data Center's ({}).", dc.version)));
            }
        }
        let behind: Vec<&str> = hosts.iter().filter(|h| h.status == HostStatus::Up && !h.supported_levels.contains(&level)).map(|h| h.name.as_str()).collect();
        if !behind.is_empty() {
            return Err(conflict(format!("{prefix} to higher version when there are active Hosts with lower version: {}.", behind.join(", "))));
        }
        let supported = release::supported_cluster_levels(self.inventory.manager.version);
        let stranded: Vec<String> = self
            .inventory
            .vms
            .iter()
            .filter(|v| v.cluster == cluster.id && !v.hosted_engine)
            .filter_map(|v| v.custom_compatibility_version.filter(|l| !supported.contains(l)).map(|l| format!("{} ({l})", v.name)))
            .collect();
        if !stranded.is_empty() {
            return Err(conflict(format!(
                "{prefix}: updating the VMs failed for the following, whose custom compatibility version this engine does not support: {}. Edit each VM, clear or change its Custom Compatibility Version, then try again.",
                stranded.join(", ")
            )));
        }
        if self.faults.refuse_level.contains(&cluster.name) {
            return Err(conflict(format!(
                "{prefix}: updating the VMs and templates of cluster {} failed. Edit each of them (the Edit Virtual Machine window shows what to fix), then try again.",
                cluster.name
            )));
        }
        let previewing: Vec<&str> =
            self.inventory.vms.iter().filter(|v| v.cluster == cluster.id && v.previewing_snapshot().is_some()).map(|v| v.name.as_str()).collect();
        if !previewing.is_empty() {
            return Err(conflict(format!(
                "{prefix}: the following VMs are previewing a snapshot; commit or undo the preview first: {}.",
                previewing.join(", ")
            )));
        }
        Ok(())
    }

    pub fn update_data_center(&mut self, id: DataCenterId, level: Level) -> Result<(), EngineError> {
        let &i = self.data_centers.get(&id).ok_or_else(|| EngineError::NotFound { kind: "data center", id: id.to_string() })?;
        let dc = self.inventory.data_centers[i].clone();
        if level < dc.version {
            return Err(conflict("Cannot decrease data center compatibility version."));
        }
        if !release::supported_cluster_levels(self.inventory.manager.version).contains(&level) {
            return Err(refused(400, format!("Cannot update Data Center compatibility version: {level} is not supported by this engine.")));
        }
        let behind: Vec<&str> = self.inventory.clusters.iter().filter(|c| c.data_center == id && c.version < level).map(|c| c.name.as_str()).collect();
        if !behind.is_empty() {
            return Err(conflict(format!(
                "Cannot update Data Center compatibility version to a value that is greater than its cluster's version. The following clusters should be upgraded: {}.",
                behind.join(", ")
            )));
        }
        let clusters: Vec<ClusterId> = self.inventory.clusters.iter().filter(|c| c.data_center == id).map(|c| c.id).collect();
        let suspended: Vec<&str> =
            self.inventory.vms.iter().filter(|v| clusters.contains(&v.cluster) && v.status == VmStatus::Suspended).map(|v| v.name.as_str()).collect();
        if !suspended.is_empty() {
            return Err(conflict(format!(
                "Cannot update Data Center compatibility version while VMs are suspended; resume or shut them down first: {}.",
                suspended.join(", ")
            )));
        }
        if self.faults.refuse_level.contains(&dc.name) {
            return Err(conflict(format!("Cannot update Data Center compatibility version: updating data center {} failed; see the engine log.", dc.name)));
        }
        self.inventory.data_centers[i].version = level;
        self.event(msg::USER_UPDATE_STORAGE_POOL, Severity::Normal, format!("Data Center {} was updated by {USER}", dc.name), None, None, None);
        Ok(())
    }

    /// The cluster's upgrade flag (engine `StartClusterUpgradeCommand`,
    /// `UpdateClusterUpgradeCommand`, `FinishClusterUpgradeCommand`). `correlation_id` is the
    /// action body's; without one the engine takes the request's `Correlation-Id`, else the
    /// one it makes up for the command (`ClusterUpgradeParameters.getEffectiveCorrelationid`).
    /// Engines before 4.5.0 know only `start` and `finish`, and read any other action as
    /// `finish` (`BackendClusterResource.upgrade` at 4.4.10.7).
    pub fn cluster_upgrade(&mut self, id: ClusterId, action: ClusterUpgrade, correlation_id: Option<&str>) -> Result<(), EngineError> {
        let cluster = self.cluster(id).cloned().ok_or_else(|| refused(400, "Cannot update Cluster. Cluster ID is not valid."))?;
        let correlation_id = correlation_id.map(str::to_owned).or_else(|| self.session_correlation_id.clone()).unwrap_or_else(|| self.random_uuid().to_string());
        let i = self.clusters[&id];
        let action = match action {
            ClusterUpgrade::UpdateProgress { .. } if !self.tracks_upgrade_progress() => ClusterUpgrade::Finish,
            other => other,
        };
        match action {
            ClusterUpgrade::Start => {
                if cluster.upgrade_running {
                    self.event(msg::USER_START_CLUSTER_UPGRADE_FAILED, Severity::Error, format!("Failed to set upgrade running flag on Host cluster {} by {USER}", cluster.name), None, None, Some(id));
                    return Err(refused(400, format!("Failed to set upgrade running flag on cluster '{}'.", cluster.id)));
                }
                self.inventory.clusters[i].upgrade_running = true;
                self.cluster_upgrades.insert(id, ClusterUpgradeRun { correlation_id, percent: 0 });
                self.event(msg::USER_START_CLUSTER_UPGRADE, Severity::Normal, format!("Successfully set upgrade running flag on Host cluster {} by {USER}", cluster.name), None, None, Some(id));
            }
            ClusterUpgrade::UpdateProgress { percent } => {
                if !cluster.upgrade_running {
                    return Err(refused(400, "Cannot update progress, cluster upgrade has not been started."));
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
        self.cluster_upgrades.get(&id).map_or((0, None), |r| (r.percent, Some(r.correlation_id.as_str())))
    }

    fn play(&mut self, step: Step) {
        match step {
            Step::MigrationDone { vm, to, started } => self.migration_done(vm, to, started),
            Step::EvacuationRetry { host } => {
                if self.host(host).map(|h| h.status) == Ok(HostStatus::PreparingForMaintenance) {
                    self.pump_evacuation(host);
                }
            }
            Step::InstallDone { host } => self.install_done(host),
            Step::RebootDone { host } => self.reboot_done(host),
            Step::Activated { host } => self.activated(host),
            Step::UpgradeCheckDone { host } => self.upgrade_check_done(host),
            Step::VmUp { vm } => self.vm_up(vm),
            Step::VmDown { vm, shutdown } => self.vm_down(vm, shutdown),
            Step::EngineVmStart => self.engine_vm_start(),
            Step::EngineUp { vm } => self.engine_up(vm),
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
        self.inventory.manager.version >= Version::new(4, 5, 0)
    }

    fn random_uuid(&mut self) -> Uuid {
        Uuid::from_random_bits(self.rng.next_u64() as u128 | (self.rng.next_u64() as u128) << 64)
    }

    /// Adds a client's event to the log, as `AddExternalEventCommand` does: the origin may not
    /// be the engine's own, a custom id is used once per origin, and the code follows the
    /// severity (9801 normal, 9802 warning, 9803 error, 9804 alert). Returns the event's id.
    pub fn add_external_event(&mut self, event: ExternalEvent) -> Result<u64, EngineError> {
        if event.source.origin.eq_ignore_ascii_case(ovirt_wire::ENGINE_ORIGIN) {
            return Err(refused(400, "Cannot add External Event. Illegal Origin for External Event : oVirt"));
        }
        if self.events.iter().any(|e| e.external.as_ref() == Some(&event.source)) {
            return Err(refused(400, "Cannot add External Event. External Event with this custom id already exists."));
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
