//! Carries a host migration out through the engine seam and a [`Reinstaller`], a wave at a
//! time: every host of the wave emptied by the plan, put in maintenance, removed, reinstalled
//! (the reinstalls overlap), added back and waited for. Every step is journaled before and
//! after; what a step finds on the engine decides whether it still has to be done, and hosts
//! are found by their address (a host added back has a new id), so a resume never removes a
//! host twice nor adds one twice. A failed host stops the run: nothing new starts, and the
//! summary says what it left behind.
//!
//! VMs the engine would not remove a host with (pinned to it, or unable to leave it) are held:
//! journaled with their placement first, shut down if they run there, the host taken out of
//! their placement; once the host is back under its new id they are pinned to that and, if
//! they ran, started again (not those with host devices, which the engine dropped). Each of
//! those steps, too, looks at the VM first, so a resume neither loses a pinning nor starts a
//! VM twice.
//!
//! A local-storage host (§1.1.9) holds every VM it runs; its domains go to maintenance and
//! out of the engine's records before the host is removed (the engine removes no host from
//! a local data center with domains), and once it is back a new first domain brings the
//! data center up and the old domains are imported from the same directories, their VMs
//! registered into the cluster. Domains keep their ids, so each step finds what is done.

use crate::journal::Fold;
use std::collections::BTreeSet;
use std::time::Duration;

use model::engine::{
    DomainAction, Engine, EngineError, HostAction, NewHost, NewLocalDomain, Severity,
    SshAuthentication, VmAction,
};
use model::{
    release, Affinity, DataCenterId, Host, HostId, HostStatus, Inventory, StorageDomainId,
    StorageDomainStatus, Timestamp, VmStatus,
};

use super::{
    HeldVm, HostMigration, HostResult, LocalDomain, LocalStorage, MigrateJournal, MigrateOutcome,
    MigrateRecord, MigrateState, MigrateSummary, MigrationFailure, MigrationPlan, ReinstallState,
    Reinstaller, Stage, VmStage,
};
use crate::clock::Clock;
use crate::cluster::{mobility, Mobility};
use crate::event::{EventSink, RunEvent};
use crate::executor::{
    ExecuteError, StopSignal, POLL_INTERVAL, POWER_OFF_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS,
    START_GRACE_MS,
};
use crate::journal::JournalError;

/// Tries of one VM's migration before its host is given up.
const MIGRATION_ATTEMPTS: u32 = 3;
const MIGRATION_TIMEOUT_MS: i64 = 10 * 60_000;
const MAINTENANCE_TIMEOUT_MS: i64 = 15 * 60_000;
/// A restarted VM must be up within this long of its start.
const VM_UP_TIMEOUT_MS: i64 = 10 * 60_000;
/// A storage domain's move to maintenance, out of the records or to active.
const DOMAIN_TIMEOUT_MS: i64 = 10 * 60_000;

/// Whether `host` goes through `stage`: a local-storage host's VMs cannot move, and only it
/// has local domains.
fn applies(stage: Stage, host: &HostMigration) -> bool {
    let local = host.local.is_some();
    match stage {
        Stage::Evacuate => !local,
        Stage::StorageMaintenance | Stage::Forget | Stage::FirstDomain | Stage::Import => local,
        _ => true,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Run(#[from] ExecuteError),
    #[error("the engine: {0}")]
    Engine(#[from] EngineError),
    #[error("the migration cannot start: {}", blockers.join("; "))]
    Blocked { blockers: Vec<String> },
}

/// How the run reaches the engine and the machines.
pub struct Hands<'a, E, C, R> {
    pub engine: &'a E,
    pub clock: &'a C,
    pub reinstaller: &'a R,
    /// How the engine logs in to a reinstalled machine.
    pub ssh: &'a SshAuthentication,
    pub sink: &'a dyn EventSink,
    pub stop: &'a StopSignal,
}

/// Runs `plan` from the start into `journal`, which must be new.
pub async fn run<E: Engine, C: Clock, R: Reinstaller>(
    hands: Hands<'_, E, C, R>,
    journal: &mut MigrateJournal,
    plan: MigrationPlan,
) -> Result<MigrateSummary, MigrateError> {
    if !plan.is_feasible() {
        return Err(MigrateError::Blocked {
            blockers: plan.blockers.iter().map(ToString::to_string).collect(),
        });
    }
    if !journal.entries()?.is_empty() {
        return Err(ExecuteError::NotEmpty {
            path: journal.path().to_owned(),
        }
        .into());
    }
    let mut executor = Executor {
        began: hands.clock.now(),
        hands,
        journal,
        state: MigrateState::default(),
    };
    executor.record(MigrateRecord::Planned { plan })?;
    executor.go(false).await
}

/// Picks up the migration journaled in `journal`; the caller checks its engine.
pub async fn resume<E: Engine, C: Clock, R: Reinstaller>(
    hands: Hands<'_, E, C, R>,
    journal: &mut MigrateJournal,
) -> Result<MigrateSummary, MigrateError> {
    let state = MigrateState::from_entries(&journal.entries()?);
    let path = journal.path().to_owned();
    if state
        .finished
        .as_ref()
        .is_some_and(MigrateSummary::is_clean)
    {
        return Err(ExecuteError::AlreadyFinished { path }.into());
    }
    if state.plan.is_none() {
        return Err(ExecuteError::NoPlan { path }.into());
    }
    let executor = Executor {
        began: state
            .began
            .first()
            .copied()
            .unwrap_or_else(|| hands.clock.now()),
        hands,
        journal,
        state,
    };
    executor.go(true).await
}

struct Executor<'a, E, C, R> {
    hands: Hands<'a, E, C, R>,
    journal: &'a mut MigrateJournal,
    state: MigrateState,
    began: Timestamp,
}

type Step = Result<(), MigrationFailure>;

impl<E: Engine, C: Clock, R: Reinstaller> Executor<'_, E, C, R> {
    fn now(&self) -> Timestamp {
        self.hands.clock.now()
    }

    fn emit(&self, event: RunEvent) {
        self.hands.sink.emit(self.now(), event);
    }

    fn record(&mut self, record: MigrateRecord) -> Result<(), JournalError> {
        let now = self.now();
        self.journal.append(now, &record)?;
        self.state.apply(now, &record);
        Ok(())
    }

    fn plan(&self) -> &MigrationPlan {
        self.state
            .plan
            .as_ref()
            .expect("a migration always has a plan")
    }

    fn seconds_since(&self, at: Timestamp) -> u64 {
        ((self.now().0 - at.0).max(0) / 1000) as u64
    }

    async fn sleep(&self) {
        self.hands.clock.sleep(POLL_INTERVAL).await;
    }

    async fn go(mut self, resumed: bool) -> Result<MigrateSummary, MigrateError> {
        self.record(MigrateRecord::Began { resumed })?;
        let plan = self.plan().clone();
        self.emit(RunEvent::MigrateStarted {
            run_id: self.journal.header().run_id.clone(),
            cluster: plan.cluster_name.clone(),
            hosts: plan.hosts().count(),
            waves: plan.waves.len(),
            migrations: plan.prediction.migrations,
            predicted_seconds: plan.prediction.duration_seconds,
            resumed,
        });
        for (index, wave) in plan.waves.iter().enumerate() {
            let hosts: Vec<HostMigration> = wave
                .iter()
                .filter(|h| !self.state.migrated(&h.name))
                .cloned()
                .collect();
            if hosts.is_empty() {
                continue;
            }
            if self.hands.stop.is_stopped() {
                return self.end(MigrateOutcome::Stopped);
            }
            self.record(MigrateRecord::WaveStarted { wave: index })?;
            self.emit(RunEvent::WaveStarted {
                wave: index + 1,
                of: plan.waves.len(),
                hosts: hosts.iter().map(|h| h.name.clone()).collect(),
            });
            let failed = self.wave(&hosts).await?;
            if let Some(host) = failed {
                return self.end(MigrateOutcome::HostFailed { host });
            }
        }
        self.end(MigrateOutcome::Completed)
    }

    fn end(&mut self, outcome: MigrateOutcome) -> Result<MigrateSummary, MigrateError> {
        let seconds = self.seconds_since(self.began);
        if outcome != MigrateOutcome::Completed {
            let reason = match &outcome {
                MigrateOutcome::HostFailed { host } => format!("host {host} failed"),
                _ => "stopped on request".to_owned(),
            };
            self.record(MigrateRecord::Stopping {
                reason: reason.clone(),
            })?;
            self.emit(RunEvent::Stopping { reason });
        }
        let summary = self.state.summary(outcome, seconds);
        self.record(MigrateRecord::Finished {
            summary: summary.clone(),
        })?;
        self.emit(RunEvent::MigrateFinished {
            summary: summary.clone(),
        });
        Ok(summary)
    }

    /// One wave, step by step across its hosts; the first host that failed, if any.
    async fn wave(&mut self, hosts: &[HostMigration]) -> Result<Option<String>, MigrateError> {
        let mut alive: Vec<HostMigration> = hosts.to_vec();
        let mut failed = None;
        for stage in Stage::ALL {
            let mut next = Vec::new();
            for host in alive {
                if self.state.done(&host.name, stage) || !applies(stage, &host) {
                    next.push(host);
                    continue;
                }
                self.emit(RunEvent::MigrateStage {
                    host: host.name.clone(),
                    stage,
                });
                let outcome = match stage {
                    Stage::Evacuate => self.evacuate(&host, hosts).await?,
                    Stage::Hold => self.hold(&host).await?,
                    Stage::Maintenance => self.maintenance(&host).await?,
                    Stage::Remove => self.remove(&host).await?,
                    Stage::Reinstall => self.start_reinstall(&host).await?,
                    Stage::Add => self.add(&host).await?,
                    Stage::WaitUp => self.wait_up(&host).await?,
                    Stage::StorageMaintenance => self.storage_maintenance(&host).await?,
                    Stage::Forget => self.forget(&host).await?,
                    Stage::FirstDomain => self.first_domain(&host).await?,
                    Stage::Import => self.import(&host).await?,
                    Stage::Restore => self.restore(&host).await?,
                };
                match outcome {
                    Ok(()) => next.push(host),
                    Err(failure) => {
                        failed.get_or_insert_with(|| host.name.clone());
                        self.host_failed(&host, failure)?;
                    }
                }
            }
            if stage == Stage::Reinstall {
                next = self.wait_reinstalled(next, &mut failed).await?;
            }
            alive = next;
        }
        for host in alive {
            let began = self
                .state
                .host_began(&host.name)
                .unwrap_or_else(|| self.now());
            let seconds = self.seconds_since(began);
            self.record(MigrateRecord::HostFinished {
                host: host.name.clone(),
                result: HostResult::Migrated { seconds },
            })?;
            self.emit(RunEvent::HostMigrated {
                host: host.name.clone(),
                seconds,
            });
        }
        Ok(failed)
    }

    fn host_failed(
        &mut self,
        host: &HostMigration,
        failure: MigrationFailure,
    ) -> Result<(), JournalError> {
        self.record(MigrateRecord::HostFinished {
            host: host.name.clone(),
            result: HostResult::Failed {
                failure: failure.clone(),
            },
        })?;
        self.emit(RunEvent::HostMigrationFailed {
            host: host.name.clone(),
            failure,
        });
        Ok(())
    }

    fn intent(&mut self, host: &HostMigration, stage: Stage) -> Result<(), JournalError> {
        if self.state.asked(&host.name, stage) {
            return Ok(());
        }
        self.record(MigrateRecord::Intent {
            host: host.name.clone(),
            stage,
        })
    }

    fn done(
        &mut self,
        host: &HostMigration,
        stage: Stage,
        id: Option<HostId>,
    ) -> Result<Step, MigrateError> {
        self.record(MigrateRecord::Done {
            host: host.name.clone(),
            stage,
            id,
        })?;
        Ok(Ok(()))
    }

    /// The host the engine knows at `address`, whatever its id.
    async fn find(&self, address: &str) -> Result<Option<Host>, MigrateError> {
        Ok(self
            .hands
            .engine
            .inventory()
            .await?
            .hosts
            .into_iter()
            .find(|h| at(h, address)))
    }

    /// Its VMs moved where the plan says (by the destination's name: reinstalled hosts have
    /// new ids), or where the rolling planner's rules say when that host cannot take them.
    async fn evacuate(
        &mut self,
        host: &HostMigration,
        wave: &[HostMigration],
    ) -> Result<Step, MigrateError> {
        self.intent(host, Stage::Evacuate)?;
        loop {
            let inventory = self.hands.engine.inventory().await?;
            let Some(current) = inventory.hosts.iter().find(|h| at(h, &host.address)) else {
                break;
            };
            // Those that cannot migrate are held, shut down and started again.
            let running: Vec<&model::Vm> = inventory
                .vms
                .iter()
                .filter(|v| v.host == Some(current.id) && v.status != VmStatus::Down)
                .filter(|v| mobility(v) != Mobility::Fixed)
                .collect();
            let Some(vm) = running.first() else { break };
            if vm.status != VmStatus::Up {
                // Migrating or settling: let it.
                self.sleep().await;
                continue;
            }
            let planned = host.migrations.iter().find(|m| m.vm_name == vm.name);
            let to = planned
                .and_then(|m| {
                    inventory.hosts.iter().find(|h| {
                        h.name == m.to_name
                            && h.status == HostStatus::Up
                            && h.cluster == current.cluster
                    })
                })
                .map(|h| h.id)
                .or_else(|| self.fallback(&inventory, vm.id, wave));
            let Some(to) = to else {
                return Ok(Err(MigrationFailure::CannotEvacuate {
                    vm: vm.name.clone(),
                    detail: "no host that stays up has room for it".into(),
                }));
            };
            let force =
                planned.is_some_and(|m| m.force) || vm.affinity == model::Affinity::UserMigratable;
            if let Err(detail) = self
                .migrate(vm, &current.name, to, &inventory, force)
                .await?
            {
                return Ok(Err(MigrationFailure::CannotEvacuate {
                    vm: vm.name.clone(),
                    detail,
                }));
            }
        }
        self.done(host, Stage::Evacuate, None)
    }

    /// Another destination by the rolling planner's rules: hosts migrated already, then those
    /// left alone, then those migrated later; never a host of this wave.
    fn fallback(
        &self,
        inventory: &Inventory,
        vm: model::VmId,
        wave: &[HostMigration],
    ) -> Option<HostId> {
        let plan = self.plan();
        let id_of = |name: &str| {
            inventory
                .hosts
                .iter()
                .find(|h| h.name == name)
                .map(|h| h.id)
        };
        let excluded: BTreeSet<HostId> = wave.iter().filter_map(|h| id_of(&h.name)).collect();
        let migrated: BTreeSet<HostId> = plan
            .hosts()
            .filter(|h| self.state.migrated(&h.name))
            .filter_map(|h| id_of(&h.name))
            .collect();
        let later: BTreeSet<HostId> = plan
            .hosts()
            .filter(|h| !self.state.migrated(&h.name))
            .filter_map(|h| id_of(&h.name))
            .collect();
        crate::planner::destination(inventory, plan.cluster, vm, &excluded, &migrated, &later)
    }

    /// One VM to `to`, tried again a few times; the reason when it would not go.
    async fn migrate(
        &mut self,
        vm: &model::Vm,
        from: &str,
        to: HostId,
        inventory: &Inventory,
        force: bool,
    ) -> Result<Result<(), String>, MigrateError> {
        let to_name = inventory
            .hosts
            .iter()
            .find(|h| h.id == to)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        let mut last = String::new();
        for attempt in 1..=MIGRATION_ATTEMPTS {
            self.record(MigrateRecord::Migrating {
                vm: vm.name.clone(),
                from: from.to_owned(),
                to: to_name.clone(),
            })?;
            self.emit(RunEvent::MigrationStarted {
                vm: vm.name.clone(),
                from: from.to_owned(),
                to: to_name.clone(),
            });
            let asked = self
                .hands
                .engine
                .vm_action(
                    vm.id,
                    VmAction::Migrate {
                        host: Some(to),
                        force,
                    },
                )
                .await;
            let result = match asked {
                Err(e) => Err(e.to_string()),
                Ok(()) => self.wait_vm_on(vm.id, vm.host, to).await?,
            };
            match result {
                Ok(()) => {
                    self.record(MigrateRecord::Migrated {
                        vm: vm.name.clone(),
                        to: to_name.clone(),
                    })?;
                    self.emit(RunEvent::MigrationDone {
                        vm: vm.name.clone(),
                        to: to_name.clone(),
                    });
                    return Ok(Ok(()));
                }
                Err(reason) => {
                    self.emit(RunEvent::MigrationFailed {
                        vm: vm.name.clone(),
                        to: to_name.clone(),
                        reason: reason.clone(),
                        attempt,
                    });
                    last = reason;
                }
            }
        }
        Ok(Err(last))
    }

    async fn wait_vm_on(
        &self,
        vm: model::VmId,
        from: Option<HostId>,
        to: HostId,
    ) -> Result<Result<(), String>, MigrateError> {
        let began = self.now();
        loop {
            self.sleep().await;
            let now = self.hands.engine.vm(vm).await?;
            if now.host == Some(to) && now.status == VmStatus::Up {
                return Ok(Ok(()));
            }
            if now.host == from && now.status == VmStatus::Up && self.now().0 - began.0 > 15_000 {
                return Ok(Err("the engine left it where it was".into()));
            }
            if now.host != from && now.host != Some(to) {
                return Ok(Ok(()));
            }
            if self.now().0 - began.0 > MIGRATION_TIMEOUT_MS {
                return Ok(Err(format!("still {} after ten minutes", now.status)));
            }
        }
    }

    fn vm_intent(
        &mut self,
        host: &HostMigration,
        vm: &str,
        stage: VmStage,
    ) -> Result<(), JournalError> {
        if self.state.vm_asked(&host.name, vm, stage) {
            return Ok(());
        }
        self.record(MigrateRecord::VmIntent {
            host: host.name.clone(),
            vm: vm.to_owned(),
            stage,
        })
    }

    fn vm_done(
        &mut self,
        host: &HostMigration,
        vm: &str,
        stage: VmStage,
    ) -> Result<(), JournalError> {
        self.record(MigrateRecord::VmDone {
            host: host.name.clone(),
            vm: vm.to_owned(),
            stage,
        })
    }

    /// The VMs the engine would not remove the host with, journaled as they are, then shut
    /// down (those running there) and the host taken out of their placement.
    async fn hold(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let inventory = self.hands.engine.inventory().await?;
        let Some(current) = inventory.hosts.iter().find(|h| at(h, &host.address)) else {
            // Removed already: its VMs were held before.
            return Ok(Ok(()));
        };
        let only_pinned = release::only_pinned_vms_block_host_removal(inventory.manager.version);
        for vm in inventory
            .vms
            .iter()
            .filter(|v| v.cluster == current.cluster && !v.hosted_engine)
        {
            let runs_here = vm.host == Some(current.id)
                && vm.is_running()
                && (host.local.is_some() || mobility(vm) == Mobility::Fixed);
            let pinned_here = vm.pinned_hosts.contains(&current.id)
                && (!only_pinned || vm.affinity == Affinity::Pinned || vm.host_devices > 0);
            let known = self.state.held(&host.name).iter().any(|h| h.id == vm.id);
            if (runs_here || pinned_here) && !known {
                self.record(MigrateRecord::Held {
                    host: host.name.clone(),
                    vm: HeldVm {
                        id: vm.id,
                        name: vm.name.clone(),
                        affinity: vm.affinity,
                        hosts: vm.pinned_hosts.clone(),
                        running: runs_here,
                        host_devices: vm.host_devices > 0,
                    },
                })?;
            }
        }
        let held = self.state.held(&host.name).to_vec();
        if held.is_empty() {
            return Ok(Ok(()));
        }
        self.intent(host, Stage::Hold)?;
        for vm in &held {
            if vm.running
                && self
                    .state
                    .vm_done(&host.name, &vm.name, VmStage::Stop)
                    .is_none()
            {
                if let Err(failure) = self.stop_vm(host, vm, current.id).await? {
                    return Ok(Err(failure));
                }
            }
            if self
                .state
                .vm_done(&host.name, &vm.name, VmStage::Unpin)
                .is_none()
            {
                if let Err(failure) = self.unpin(host, vm, current.id).await? {
                    return Ok(Err(failure));
                }
            }
        }
        self.done(host, Stage::Hold, None)
    }

    /// Shut down, gracefully first: powered off when the guest has not gone within the
    /// rolling upgrade's patience.
    async fn stop_vm(
        &mut self,
        host: &HostMigration,
        vm: &HeldVm,
        on: HostId,
    ) -> Result<Step, MigrateError> {
        let began = self.now();
        let mut shutdown: Option<Timestamp> = None;
        let mut power_off: Option<Timestamp> = None;
        loop {
            let now = self.hands.engine.vm(vm.id).await?;
            if !now.is_running() || now.host != Some(on) {
                self.vm_done(host, &vm.name, VmStage::Stop)?;
                self.emit(RunEvent::VmStopped {
                    vm: vm.name.clone(),
                });
                return Ok(Ok(()));
            }
            if let Some(at) = power_off {
                if self.now().0 - at.0 > POWER_OFF_TIMEOUT_MS {
                    return Ok(Err(MigrationFailure::CannotStopVm {
                        vm: vm.name.clone(),
                        detail: format!("still {} after a power-off", now.status),
                    }));
                }
            } else {
                // A shutdown asked before a resume counts from the resume.
                let mut force = self.now().0 - shutdown.unwrap_or(began).0 > SHUTDOWN_TIMEOUT_MS;
                if !force && shutdown.is_none() && now.status == VmStatus::Up {
                    self.vm_intent(host, &vm.name, VmStage::Stop)?;
                    match self.hands.engine.vm_action(vm.id, VmAction::Shutdown).await {
                        Ok(()) => {
                            shutdown = Some(self.now());
                            self.emit(RunEvent::VmStopping {
                                vm: vm.name.clone(),
                                host: host.name.clone(),
                                forced: false,
                            });
                        }
                        // No guest agent, …: powered off.
                        Err(_) => force = true,
                    }
                }
                if force {
                    self.vm_intent(host, &vm.name, VmStage::Stop)?;
                    if let Err(e) = self.hands.engine.vm_action(vm.id, VmAction::Stop).await {
                        return Ok(Err(MigrationFailure::CannotStopVm {
                            vm: vm.name.clone(),
                            detail: e.to_string(),
                        }));
                    }
                    power_off = Some(self.now());
                    self.emit(RunEvent::VmStopping {
                        vm: vm.name.clone(),
                        host: host.name.clone(),
                        forced: true,
                    });
                }
            }
            self.sleep().await;
        }
    }

    /// The host taken out of the VM's placement, which keeps its affinity and other hosts.
    async fn unpin(
        &mut self,
        host: &HostMigration,
        vm: &HeldVm,
        on: HostId,
    ) -> Result<Step, MigrateError> {
        let now = self.hands.engine.vm(vm.id).await?;
        if now.pinned_hosts.contains(&on) {
            self.vm_intent(host, &vm.name, VmStage::Unpin)?;
            let others = now
                .pinned_hosts
                .iter()
                .copied()
                .filter(|&h| h != on)
                .collect();
            if let Err(failure) = self.place(vm, now.affinity, others, Stage::Hold).await {
                return Ok(Err(failure));
            }
        }
        self.vm_done(host, &vm.name, VmStage::Unpin)?;
        Ok(Ok(()))
    }

    /// Sets a held VM's placement; a refusal fails the host at `stage`.
    async fn place(
        &self,
        vm: &HeldVm,
        affinity: Affinity,
        hosts: Vec<HostId>,
        stage: Stage,
    ) -> Result<(), MigrationFailure> {
        self.hands
            .engine
            .set_vm_placement(vm.id, affinity, hosts)
            .await
            .map_err(|e| MigrationFailure::Refused {
                stage,
                detail: format!("the placement of VM {}: {e}", vm.name),
            })
    }

    /// The held VMs pinned to the host's new id with their own affinity, and those that ran
    /// started again and waited for until up.
    async fn restore(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let held = self.state.held(&host.name).to_vec();
        if held.is_empty() {
            return Ok(Ok(()));
        }
        let Some(new) = self.state.added.get(&host.name).copied() else {
            return Ok(Err(MigrationFailure::Refused {
                stage: Stage::Restore,
                detail: "the journal has no new id for the host".into(),
            }));
        };
        self.intent(host, Stage::Restore)?;
        for vm in &held {
            let repinned = self
                .state
                .vm_done(&host.name, &vm.name, VmStage::Repin)
                .is_some();
            if !repinned && vm.hosts.contains(&host.host) {
                let now = self.hands.engine.vm(vm.id).await?;
                if !now.pinned_hosts.contains(&new) || now.affinity != vm.affinity {
                    self.vm_intent(host, &vm.name, VmStage::Repin)?;
                    let mut hosts = now.pinned_hosts.clone();
                    if !hosts.contains(&new) {
                        hosts.push(new);
                    }
                    if let Err(failure) = self.place(vm, vm.affinity, hosts, Stage::Restore).await {
                        return Ok(Err(failure));
                    }
                }
                self.vm_done(host, &vm.name, VmStage::Repin)?;
            }
            if vm.restarted()
                && self
                    .state
                    .vm_done(&host.name, &vm.name, VmStage::Start)
                    .is_none()
            {
                if let Err(failure) = self.start_vm(host, vm).await? {
                    return Ok(Err(failure));
                }
            }
        }
        self.done(host, Stage::Restore, None)
    }

    /// Started unless it runs already (a start asked before a kill), then waited for until up.
    async fn start_vm(&mut self, host: &HostMigration, vm: &HeldVm) -> Result<Step, MigrateError> {
        let began = self.now();
        let mut asked = false;
        loop {
            let now = self.hands.engine.vm(vm.id).await?;
            let waited = self.now().0 - began.0;
            match now.status {
                VmStatus::Up => break,
                VmStatus::Down if !asked => {
                    self.vm_intent(host, &vm.name, VmStage::Start)?;
                    if let Err(e) = self.hands.engine.vm_action(vm.id, VmAction::Start).await {
                        self.emit(RunEvent::VmStartFailed {
                            vm: vm.name.clone(),
                            reason: e.to_string(),
                        });
                        return Ok(Err(MigrationFailure::VmNotStarted {
                            vm: vm.name.clone(),
                            detail: e.to_string(),
                        }));
                    }
                    asked = true;
                }
                VmStatus::Down if waited > START_GRACE_MS => {
                    return Ok(Err(MigrationFailure::VmNotStarted {
                        vm: vm.name.clone(),
                        detail: "it went down again".into(),
                    }));
                }
                status if waited > VM_UP_TIMEOUT_MS => {
                    return Ok(Err(MigrationFailure::VmNotStarted {
                        vm: vm.name.clone(),
                        detail: format!("still {status} after ten minutes"),
                    }));
                }
                _ => {}
            }
            self.sleep().await;
        }
        self.vm_done(host, &vm.name, VmStage::Start)?;
        self.emit(RunEvent::VmStarted {
            vm: vm.name.clone(),
        });
        Ok(Ok(()))
    }

    async fn maintenance(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let Some(current) = self.find(&host.address).await? else {
            return self.done(host, Stage::Maintenance, None);
        };
        if current.status != HostStatus::Maintenance {
            self.intent(host, Stage::Maintenance)?;
            if current.status == HostStatus::Up {
                let asked = self
                    .hands
                    .engine
                    .host_action(
                        current.id,
                        HostAction::Deactivate {
                            reason: Some("reinstalled with Enterprise Linux 8 for 4.4".into()),
                            stop_gluster_service: false,
                        },
                    )
                    .await;
                if let Err(e) = asked {
                    return Ok(Err(MigrationFailure::Refused {
                        stage: Stage::Maintenance,
                        detail: e.to_string(),
                    }));
                }
            }
            let began = self.now();
            loop {
                let status = self.hands.engine.host(current.id).await?.status;
                if status == HostStatus::Maintenance {
                    break;
                }
                if self.now().0 - began.0 > MAINTENANCE_TIMEOUT_MS {
                    return Ok(Err(MigrationFailure::NoMaintenance { status }));
                }
                self.sleep().await;
            }
        }
        self.done(host, Stage::Maintenance, None)
    }

    /// Removed unless the engine no longer knows its address.
    async fn remove(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        if let Some(current) = self.find(&host.address).await? {
            self.intent(host, Stage::Remove)?;
            if let Err(e) = self.hands.engine.remove_host(current.id, false).await {
                return Ok(Err(MigrationFailure::Refused {
                    stage: Stage::Remove,
                    detail: e.to_string(),
                }));
            }
            while self.find(&host.address).await?.is_some() {
                self.sleep().await;
            }
        }
        self.done(host, Stage::Remove, None)
    }

    /// Started unless the machine is reinstalled or being reinstalled already.
    async fn start_reinstall(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let reinstaller = self.hands.reinstaller;
        match reinstaller.state(&host.name, &host.address).await {
            ReinstallState::Done => return self.done(host, Stage::Reinstall, None),
            ReinstallState::Running => return Ok(Ok(())),
            ReinstallState::Failed(_) | ReinstallState::Unknown => {}
        }
        self.intent(host, Stage::Reinstall)?;
        match reinstaller.start(&host.name, &host.address).await {
            Ok(()) => Ok(Ok(())),
            Err(detail) => Ok(Err(MigrationFailure::ReinstallFailed {
                address: host.address.clone(),
                detail,
            })),
        }
    }

    /// Waits for the wave's reinstalls; the hosts whose machines came back.
    async fn wait_reinstalled(
        &mut self,
        hosts: Vec<HostMigration>,
        failed: &mut Option<String>,
    ) -> Result<Vec<HostMigration>, MigrateError> {
        let minutes = self.plan().options.reinstall_timeout_minutes;
        let began = self.now();
        let mut waiting = hosts;
        let mut back = Vec::new();
        while !waiting.is_empty() {
            let mut still = Vec::new();
            for host in waiting {
                if self.state.done(&host.name, Stage::Reinstall) {
                    back.push(host);
                    continue;
                }
                let failure = match self
                    .hands
                    .reinstaller
                    .state(&host.name, &host.address)
                    .await
                {
                    ReinstallState::Done => {
                        self.done(&host, Stage::Reinstall, None)?.ok();
                        back.push(host);
                        continue;
                    }
                    ReinstallState::Failed(detail) => MigrationFailure::ReinstallFailed {
                        address: host.address.clone(),
                        detail,
                    },
                    ReinstallState::Running | ReinstallState::Unknown
                        if self.now().0 - began.0 <= i64::from(minutes) * 60_000 =>
                    {
                        still.push(host);
                        continue;
                    }
                    _ => MigrationFailure::ReinstallLost {
                        address: host.address.clone(),
                        minutes,
                    },
                };
                failed.get_or_insert_with(|| host.name.clone());
                self.host_failed(&host, failure)?;
            }
            waiting = still;
            if !waiting.is_empty() {
                self.hands.clock.sleep(Duration::from_secs(30)).await;
            }
        }
        Ok(back)
    }

    /// Added back into its cluster, unless the engine knows its address again already.
    async fn add(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        if let Some(current) = self.find(&host.address).await? {
            return self.done(host, Stage::Add, Some(current.id));
        }
        self.intent(host, Stage::Add)?;
        let new = NewHost {
            deploy_hosted_engine: host.hosted_engine,
            ..NewHost::new(
                &host.name,
                &host.address,
                self.plan().cluster,
                self.hands.ssh.clone(),
            )
        };
        match self.hands.engine.add_host(new).await {
            Ok(added) => self.done(host, Stage::Add, Some(added.id)),
            Err(e) => Ok(Err(MigrationFailure::Refused {
                stage: Stage::Add,
                detail: e.to_string(),
            })),
        }
    }

    /// Up, or the engine's reason why not.
    async fn wait_up(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let began = self.now();
        let newest = self.hands.engine.newest_event_id().await?;
        let patience = i64::from(self.plan().options.host_timeout_minutes) * 60_000;
        loop {
            let status = self.find(&host.address).await?.map(|h| h.status);
            match status {
                Some(HostStatus::Up) => return self.done(host, Stage::WaitUp, None),
                Some(status @ (HostStatus::InstallFailed | HostStatus::NonOperational)) => {
                    let reason = self.engine_reason(host, newest).await?;
                    return Ok(Err(MigrationFailure::NotUp { status, reason }));
                }
                Some(status) if self.now().0 - began.0 > patience => {
                    return Ok(Err(MigrationFailure::NotUp {
                        status,
                        reason: None,
                    }));
                }
                None => return Ok(Err(gone(Stage::WaitUp))),
                Some(_) => self.sleep().await,
            }
        }
    }

    /// The engine's last error about the host since `after`.
    async fn engine_reason(
        &self,
        host: &HostMigration,
        after: Option<u64>,
    ) -> Result<Option<String>, MigrateError> {
        let id = self.state.added.get(&host.name).copied();
        Ok(self
            .hands
            .engine
            .events(after)
            .await?
            .into_iter()
            .rev()
            .find(|e| e.host.is_some() && e.host == id && e.severity == Severity::Error)
            .map(|e| e.description))
    }

    fn storage<'h>(&self, host: &'h HostMigration) -> &'h LocalStorage {
        host.local
            .as_ref()
            .expect("local stages run for local-storage hosts only")
    }

    /// Its local domains in maintenance, non-master first (the engine deactivates a master
    /// only when no other active domain is left to hold it); a domain out of the records
    /// already counts.
    async fn storage_maintenance(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let storage = self.storage(host).clone();
        for domain in &storage.domains {
            let mut asked = false;
            let began = self.now();
            loop {
                let Some(now) = self.domain(domain.id).await? else {
                    break;
                };
                match now.status {
                    StorageDomainStatus::Maintenance => break,
                    StorageDomainStatus::Active | StorageDomainStatus::Unknown if !asked => {
                        self.intent(host, Stage::StorageMaintenance)?;
                        let deactivate = self.hands.engine.storage_domain_action(
                            storage.data_center,
                            domain.id,
                            DomainAction::Deactivate,
                        );
                        if let Err(e) = deactivate.await {
                            return Ok(Err(refused_on(Stage::StorageMaintenance, &domain.name, e)));
                        }
                        asked = true;
                    }
                    status if self.now().0 - began.0 > DOMAIN_TIMEOUT_MS => {
                        return Ok(Err(MigrationFailure::Refused {
                            stage: Stage::StorageMaintenance,
                            detail: format!(
                                "domain {} still {status} after ten minutes",
                                domain.name
                            ),
                        }));
                    }
                    _ => {}
                }
                self.sleep().await;
            }
        }
        self.done(host, Stage::StorageMaintenance, None)
    }

    /// Its local domains out of the engine's records, non-master first (the master goes
    /// last, when it is the pool's only domain); the VMs whose disks are there leave with
    /// them, and the disk keeps them all.
    async fn forget(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let storage = self.storage(host).clone();
        for domain in &storage.domains {
            if self.domain(domain.id).await?.is_none() {
                continue;
            }
            self.intent(host, Stage::Forget)?;
            if let Err(e) = self.hands.engine.destroy_storage_domain(domain.id).await {
                return Ok(Err(refused_on(Stage::Forget, &domain.name, e)));
            }
            while self.domain(domain.id).await?.is_some() {
                self.sleep().await;
            }
        }
        self.done(host, Stage::Forget, None)
    }

    /// The data center's new first domain in a new directory of the host, made unless the
    /// engine has it already (the engine attaches it), attached and active: the data center
    /// is up again.
    async fn first_domain(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let storage = self.storage(host).clone();
        let inventory = self.hands.engine.inventory().await?;
        let made = inventory
            .storage_domains
            .iter()
            .find(|d| d.name == storage.first_domain)
            .map(|d| d.id);
        let id = match made {
            Some(id) => id,
            None => {
                let Some(current) = inventory.hosts.iter().find(|h| at(h, &host.address)) else {
                    return Ok(Err(gone(Stage::FirstDomain)));
                };
                self.intent(host, Stage::FirstDomain)?;
                let new = NewLocalDomain {
                    name: storage.first_domain.clone(),
                    host: current.id,
                    path: storage.first_path.clone(),
                };
                match self.hands.engine.add_local_domain(new).await {
                    Ok(domain) => domain.id,
                    Err(e) => {
                        return Ok(Err(refused_on(
                            Stage::FirstDomain,
                            &storage.first_domain,
                            e,
                        )))
                    }
                }
            }
        };
        if let Err(failure) = self
            .attached(
                storage.data_center,
                id,
                &storage.first_domain,
                Stage::FirstDomain,
            )
            .await?
        {
            return Ok(Err(failure));
        }
        self.done(host, Stage::FirstDomain, None)
    }

    /// Each old domain imported from its directory unless the engine has it (it keeps its
    /// id): asked of the [`Reinstaller`], since no REST call imports a local domain, and
    /// waited for; then attached and active, and the VMs it holds registered into the
    /// cluster again.
    async fn import(&mut self, host: &HostMigration) -> Result<Step, MigrateError> {
        let storage = self.storage(host).clone();
        let patience = i64::from(self.plan().options.reinstall_timeout_minutes) * 60_000;
        for domain in &storage.domains {
            if self.domain(domain.id).await?.is_none() {
                self.intent(host, Stage::Import)?;
                self.emit(RunEvent::ImportAsked {
                    host: host.name.clone(),
                    domain: domain.name.clone(),
                    path: domain.path.clone(),
                });
                let asked = self
                    .hands
                    .reinstaller
                    .import_local_domain(
                        &host.name,
                        &host.address,
                        &storage.data_center_name,
                        &domain.name,
                        &domain.path,
                    )
                    .await;
                let failed = |detail: String| MigrationFailure::ImportFailed {
                    domain: domain.name.clone(),
                    path: domain.path.clone(),
                    detail,
                };
                if let Err(detail) = asked {
                    return Ok(Err(failed(detail)));
                }
                let began = self.now();
                while self.domain(domain.id).await?.is_none() {
                    if self.now().0 - began.0 > patience {
                        return Ok(Err(failed(format!(
                            "the engine did not know it within {} minutes",
                            patience / 60_000
                        ))));
                    }
                    self.hands.clock.sleep(Duration::from_secs(30)).await;
                }
            }
            if let Err(failure) = self
                .attached(storage.data_center, domain.id, &domain.name, Stage::Import)
                .await?
            {
                return Ok(Err(failure));
            }
            if let Err(failure) = self.register(host, domain).await? {
                return Ok(Err(failure));
            }
        }
        self.done(host, Stage::Import, None)
    }

    /// The VMs `domain` holds that the engine does not know, registered into the cluster;
    /// one registered before a resume is journaled as done.
    async fn register(
        &mut self,
        host: &HostMigration,
        domain: &LocalDomain,
    ) -> Result<Step, MigrateError> {
        let cluster = self.plan().cluster;
        let known = self.hands.engine.inventory().await?.vms;
        let pending: Vec<String> = self
            .state
            .vm_intents_of(&host.name, VmStage::Register)
            .into_iter()
            .filter(|vm| {
                self.state
                    .vm_done(&host.name, vm, VmStage::Register)
                    .is_none()
            })
            .collect();
        for vm in pending {
            if known.iter().any(|v| v.name == vm && v.cluster == cluster) {
                self.vm_done(host, &vm, VmStage::Register)?;
            }
        }
        let unregistered = match self.hands.engine.unregistered_vms(domain.id).await {
            Ok(vms) => vms,
            Err(e) => return Ok(Err(refused_on(Stage::Import, &domain.name, e))),
        };
        for vm in unregistered {
            self.vm_intent(host, &vm.name, VmStage::Register)?;
            if let Err(e) = self
                .hands
                .engine
                .register_vm(domain.id, vm.id, cluster)
                .await
            {
                return Ok(Err(MigrationFailure::Refused {
                    stage: Stage::Import,
                    detail: format!(
                        "registering VM {} from domain {}: {e}",
                        vm.name, domain.name
                    ),
                }));
            }
            self.vm_done(host, &vm.name, VmStage::Register)?;
            self.emit(RunEvent::VmRegistered {
                vm: vm.name.clone(),
                domain: domain.name.clone(),
            });
        }
        Ok(Ok(()))
    }

    /// The domain attached to `data_center` and active: attached when unattached,
    /// activated when in maintenance, then waited for.
    async fn attached(
        &mut self,
        data_center: DataCenterId,
        id: StorageDomainId,
        name: &str,
        stage: Stage,
    ) -> Result<Step, MigrateError> {
        let began = self.now();
        let mut asked = false;
        loop {
            let Some(now) = self.domain(id).await? else {
                return Ok(Err(MigrationFailure::Refused {
                    stage,
                    detail: format!("domain {name} is gone from the engine"),
                }));
            };
            let action = match (now.data_center == Some(data_center), now.status) {
                (true, StorageDomainStatus::Active) => return Ok(Ok(())),
                (false, StorageDomainStatus::Unattached) if !asked => Some(None),
                (true, StorageDomainStatus::Maintenance) if !asked => {
                    Some(Some(DomainAction::Activate))
                }
                _ => None,
            };
            if let Some(action) = action {
                let asked_now = match action {
                    None => {
                        self.hands
                            .engine
                            .attach_storage_domain(data_center, id)
                            .await
                    }
                    Some(action) => {
                        self.hands
                            .engine
                            .storage_domain_action(data_center, id, action)
                            .await
                    }
                };
                if let Err(e) = asked_now {
                    return Ok(Err(refused_on(stage, name, e)));
                }
                asked = true;
            } else if self.now().0 - began.0 > DOMAIN_TIMEOUT_MS {
                return Ok(Err(MigrationFailure::Refused {
                    stage,
                    detail: format!("domain {name} still {} after ten minutes", now.status),
                }));
            }
            self.sleep().await;
        }
    }

    /// A storage domain as the engine records it now, if it does.
    async fn domain(
        &self,
        id: StorageDomainId,
    ) -> Result<Option<model::StorageDomain>, MigrateError> {
        Ok(self
            .hands
            .engine
            .inventory()
            .await?
            .storage_domains
            .into_iter()
            .find(|d| d.id == id))
    }
}

/// Whether `host` is the engine's host of the machine at `address` (ids change, addresses
/// stay).
fn at(host: &Host, address: &str) -> bool {
    host.address.eq_ignore_ascii_case(address)
}

/// The engine's refusal of `stage` on the domain `name`.
fn refused_on(stage: Stage, name: &str, error: EngineError) -> MigrationFailure {
    MigrationFailure::Refused {
        stage,
        detail: format!("domain {name}: {error}"),
    }
}

/// The host vanished from the engine after it was added back.
fn gone(stage: Stage) -> MigrationFailure {
    MigrationFailure::Refused {
        stage,
        detail: "the host is gone from the engine".into(),
    }
}
