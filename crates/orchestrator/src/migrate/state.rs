//! A host migration's state, folded from its journal, and where it stands for `status`.

use crate::journal::Fold;
use std::collections::{BTreeMap, BTreeSet};

use model::{HostId, Timestamp};
use serde::Serialize;

use super::{
    FailedMigration, HeldVm, HostResult, MigrateEntry, MigrateHeader, MigrateOutcome,
    MigrateRecord, MigrateSummary, MigrationPlan, RestartedVm, Stage, VmStage,
};
use crate::event::UpgradedHost;
use crate::state::RunPhase;

/// What the journal says happened so far.
#[derive(Debug, Clone, Default)]
pub struct MigrateState {
    pub plan: Option<MigrationPlan>,
    pub began: Vec<Timestamp>,
    /// Steps asked of each host, and those done.
    intents: BTreeSet<(String, Stage)>,
    done: BTreeSet<(String, Stage)>,
    /// When each host's migration began (its first step).
    host_began: BTreeMap<String, Timestamp>,
    /// The ids hosts came back with.
    pub added: BTreeMap<String, HostId>,
    /// The VMs each host's removal needed out of the way, as they were before.
    held: BTreeMap<String, Vec<HeldVm>>,
    /// Steps asked of held VMs (by host and VM), and when those done were.
    vm_intents: BTreeSet<(String, String, VmStage)>,
    vm_done: BTreeMap<(String, String, VmStage), Timestamp>,
    /// Migrations done, by VM.
    pub migrations: BTreeMap<String, u32>,
    /// How each host ended; a failed host is taken up again by a resume.
    pub results: BTreeMap<String, HostResult>,
    pub stopping: Option<String>,
    pub finished: Option<MigrateSummary>,
    pub records: usize,
    pub last_at: Option<Timestamp>,
}

impl Fold for MigrateState {
    type Record = MigrateRecord;

    fn apply(&mut self, at: Timestamp, record: &MigrateRecord) {
        self.records += 1;
        self.last_at = Some(at);
        match record {
            MigrateRecord::Planned { plan } => self.plan = Some(plan.clone()),
            MigrateRecord::Began { .. } => {
                self.began.push(at);
                self.stopping = None;
            }
            MigrateRecord::WaveStarted { .. } | MigrateRecord::Migrating { .. } => {}
            MigrateRecord::Migrated { vm, .. } => {
                *self.migrations.entry(vm.clone()).or_default() += 1
            }
            MigrateRecord::Held { host, vm } => {
                let held = self.held.entry(host.clone()).or_default();
                if !held.iter().any(|h| h.name == vm.name) {
                    held.push(vm.clone());
                }
            }
            MigrateRecord::VmIntent { host, vm, stage } => {
                self.vm_intents.insert((host.clone(), vm.clone(), *stage));
            }
            MigrateRecord::VmDone { host, vm, stage } => {
                self.vm_done
                    .entry((host.clone(), vm.clone(), *stage))
                    .or_insert(at);
            }
            MigrateRecord::Intent { host, stage } => {
                self.host_began.entry(host.clone()).or_insert(at);
                self.intents.insert((host.clone(), *stage));
            }
            MigrateRecord::Done { host, stage, id } => {
                self.done.insert((host.clone(), *stage));
                if let Some(id) = id {
                    self.added.insert(host.clone(), *id);
                }
            }
            MigrateRecord::HostFinished { host, result } => {
                // A host retried after a failure starts its failed step again.
                if let HostResult::Failed { .. } = result {
                    self.intents.retain(|(h, _)| h != host);
                    self.vm_intents.retain(|(h, _, _)| h != host);
                }
                self.results.insert(host.clone(), result.clone());
            }
            MigrateRecord::Stopping { reason } => self.stopping = Some(reason.clone()),
            MigrateRecord::Finished { summary } => self.finished = Some(summary.clone()),
        }
    }
}

impl MigrateState {
    pub fn asked(&self, host: &str, stage: Stage) -> bool {
        self.intents.contains(&(host.to_owned(), stage))
    }

    pub fn done(&self, host: &str, stage: Stage) -> bool {
        self.done.contains(&(host.to_owned(), stage))
    }

    /// The VMs held for `host`'s removal, in the order they were found.
    pub fn held(&self, host: &str) -> &[HeldVm] {
        self.held.get(host).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn vm_asked(&self, host: &str, vm: &str, stage: VmStage) -> bool {
        self.vm_intents
            .contains(&(host.to_owned(), vm.to_owned(), stage))
    }

    /// The VMs a step was asked of for `host`, in name order.
    pub fn vm_intents_of(&self, host: &str, stage: VmStage) -> Vec<String> {
        self.vm_intents
            .iter()
            .filter(|(h, _, s)| h == host && *s == stage)
            .map(|(_, vm, _)| vm.clone())
            .collect()
    }

    /// When the step on the held VM was done.
    pub fn vm_done(&self, host: &str, vm: &str, stage: VmStage) -> Option<Timestamp> {
        self.vm_done
            .get(&(host.to_owned(), vm.to_owned(), stage))
            .copied()
    }

    pub fn host_began(&self, host: &str) -> Option<Timestamp> {
        self.host_began.get(host).copied()
    }

    /// Migrated: nothing more to do for it.
    pub fn migrated(&self, host: &str) -> bool {
        matches!(self.results.get(host), Some(HostResult::Migrated { .. }))
    }

    /// The summary so far, ended by `outcome`.
    pub fn summary(&self, outcome: MigrateOutcome, duration_seconds: u64) -> MigrateSummary {
        let plan = self.plan.as_ref().expect("a migration always has a plan");
        let mut migrated = Vec::new();
        let mut failed = Vec::new();
        let mut not_started = Vec::new();
        for host in plan.hosts() {
            match self.results.get(&host.name) {
                Some(HostResult::Migrated { seconds }) => migrated.push(UpgradedHost {
                    host: host.name.clone(),
                    seconds: *seconds,
                }),
                Some(HostResult::Failed { failure }) => failed.push(FailedMigration {
                    host: host.name.clone(),
                    address: host.address.clone(),
                    failure: failure.clone(),
                }),
                None => not_started.push(host.name.clone()),
            }
        }
        let every_host_back = failed.is_empty() && not_started.is_empty();
        let mut restarted = Vec::new();
        let mut repinned = Vec::new();
        let mut left_stopped = Vec::new();
        for (host, vms) in &self.held {
            for vm in vms {
                let done = |stage| self.vm_done(host, &vm.name, stage);
                if done(VmStage::Repin).is_some() {
                    repinned.push(vm.name.clone());
                    if vm.running && vm.host_devices {
                        left_stopped.push(vm.name.clone());
                    }
                }
                if let (Some(stopped), Some(started)) = (done(VmStage::Stop), done(VmStage::Start))
                {
                    restarted.push(RestartedVm {
                        vm: vm.name.clone(),
                        host: host.clone(),
                        down_seconds: ((started.0 - stopped.0).max(0) / 1000) as u64,
                    });
                }
            }
        }
        MigrateSummary {
            outcome,
            cluster: plan.cluster_name.clone(),
            migrated,
            failed,
            not_started,
            migrations: self.migrations.values().map(|&n| n as usize).sum(),
            vms_moved: self.migrations.len(),
            max_migrations_of_a_vm: self.migrations.values().copied().max().unwrap_or(0),
            restarted,
            repinned,
            left_stopped,
            registered: self
                .vm_done
                .keys()
                .filter(|(_, _, stage)| *stage == VmStage::Register)
                .map(|(_, vm, _)| vm.clone())
                .collect(),
            duration_seconds,
            predicted_seconds: plan.prediction.duration_seconds,
            level: plan.level,
            level_after: plan
                .level_after()
                .filter(|&l| every_host_back && l > plan.level),
        }
    }
}

/// Where a journaled host migration stands, for `ovirt-upgrade status`.
#[derive(Debug, Clone, Serialize)]
pub struct MigrateStatus {
    pub run_id: String,
    pub engine: String,
    pub cluster: String,
    pub state: RunPhase,
    pub hosts: Vec<HostStatusLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_because: Option<String>,
    pub records: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_record_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<MigrateSummary>,
}

/// A planned host and the last step it reached.
#[derive(Debug, Clone, Serialize)]
pub struct HostStatusLine {
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<HostResult>,
}

impl MigrateStatus {
    pub fn from_journal(header: &MigrateHeader, entries: &[MigrateEntry]) -> MigrateStatus {
        let state = MigrateState::from_entries(entries);
        let hosts = state
            .plan
            .iter()
            .flat_map(|p| p.hosts())
            .map(|h| HostStatusLine {
                host: h.name.clone(),
                stage: Stage::ALL
                    .into_iter()
                    .rev()
                    .find(|&s| state.asked(&h.name, s) || state.done(&h.name, s)),
                result: state.results.get(&h.name).cloned(),
            })
            .collect();
        // A run that stopped on a failed host ends with a summary, yet `resume` goes on.
        let phase = if state
            .finished
            .as_ref()
            .is_some_and(MigrateSummary::is_clean)
        {
            RunPhase::Finished
        } else if state.began.is_empty() {
            RunPhase::Planned
        } else {
            RunPhase::Interrupted
        };
        MigrateStatus {
            run_id: header.run_id.clone(),
            engine: header.engine.clone(),
            cluster: header.cluster_name.clone(),
            state: phase,
            hosts,
            stopped_because: state.stopping.clone(),
            records: state.records,
            last_record_at: state.last_at,
            summary: state.finished.clone(),
        }
    }
}
