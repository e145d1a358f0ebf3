//! A run's state, folded from its journal: the executor keeps nothing that it could not
//! rebuild from the records, so a resumed run knows what the killed one knew.

use crate::journal::Fold;
use std::collections::{BTreeMap, HashMap};

use model::{HostId, SchedulingPolicy, Timestamp, VmId};
use serde::Serialize;

use crate::event::{PolicyReason, Summary};
use crate::journal::{Action, Answer, Effect, Entry, HostResult, Record, RunHeader};
use crate::plan::Plan;

/// A side effect the journal knows of: what was asked, when, and what came of it.
#[derive(Debug, Clone)]
pub struct Step<A = Action> {
    pub action: A,
    pub at: Timestamp,
    pub answer: Option<Answer>,
    pub effect: Option<Effect>,
}

impl<A> Step<A> {
    /// The engine accepted it and nothing observed since says it failed.
    pub fn took_effect(&self) -> bool {
        match &self.effect {
            Some(Effect::Done) => true,
            Some(Effect::Failed { .. }) => false,
            None => self.answer == Some(Answer::Accepted),
        }
    }

    /// Asked, but neither answered for sure nor observed: the effect is unknown.
    pub fn is_unsettled(&self) -> bool {
        self.effect.is_none()
            && !matches!(self.answer, Some(Answer::Accepted | Answer::Refused { .. }))
    }

    pub fn refused(&self) -> Option<&str> {
        match &self.answer {
            Some(Answer::Refused { detail }) => Some(detail),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RunState {
    pub plan: Option<Plan>,
    pub first_plan: Option<Plan>,
    pub revision: u32,
    /// Why each plan revision was made (none for the first).
    pub reasons: Vec<Option<String>>,
    pub steps: Vec<Step>,
    vm_steps: HashMap<VmId, Vec<usize>>,
    host_steps: HashMap<HostId, Vec<usize>>,
    cluster_steps: Vec<usize>,
    /// Shutdowns and power-offs, in order.
    stop_steps: Vec<usize>,
    pub wave: Option<(u32, usize)>,
    /// When the wave under way started.
    pub wave_at: Option<Timestamp>,
    pub finished_hosts: BTreeMap<HostId, (String, HostResult)>,
    /// Finished hosts in the order they finished.
    pub finish_order: Vec<HostId>,
    pub retargets: HashMap<VmId, HostId>,
    pub stopping: Option<String>,
    pub finished: Option<Summary>,
    pub began: Vec<Timestamp>,
    /// Predicted seconds of every host planned, by its latest plan: the weights of progress.
    pub weights: BTreeMap<HostId, u64>,
    /// The progress recorded in the journal alone (engines before 4.5).
    pub progress_recorded: u8,
    pub last_at: Option<Timestamp>,
}

impl Fold for RunState {
    type Record = Record;

    fn apply(&mut self, at: Timestamp, record: &Record) {
        self.last_at = Some(at);
        match record {
            Record::Planned {
                revision,
                reason,
                plan,
            } => {
                self.revision = *revision;
                self.reasons.push(reason.clone());
                for step in plan.steps() {
                    self.weights.insert(step.host, step.predicted_seconds);
                }
                if self.first_plan.is_none() {
                    self.first_plan = Some(plan.clone());
                }
                self.plan = Some(plan.clone());
                self.wave = None;
            }
            Record::Began { .. } => self.began.push(at),
            Record::Intent { step, action } => {
                debug_assert_eq!(
                    *step as usize,
                    self.steps.len(),
                    "steps are numbered in order"
                );
                let index = self.steps.len();
                if matches!(action, Action::Shutdown { .. } | Action::PowerOff { .. }) {
                    self.stop_steps.push(index);
                }
                match action {
                    Action::Migrate { vm, .. }
                    | Action::Shutdown { vm, .. }
                    | Action::PowerOff { vm, .. }
                    | Action::Start { vm, .. } => self.vm_steps.entry(*vm).or_default().push(index),
                    Action::Upgrade { host, .. } | Action::UpgradeCheck { host } => {
                        self.host_steps.entry(*host).or_default().push(index)
                    }
                    Action::StartUpgradeFlag
                    | Action::UpdateProgress { .. }
                    | Action::FinishUpgradeFlag
                    | Action::SetPolicy { .. } => self.cluster_steps.push(index),
                }
                self.steps.push(Step {
                    action: action.clone(),
                    at,
                    answer: None,
                    effect: None,
                });
            }
            Record::Answered { step, answer } => {
                if let Some(s) = self.steps.get_mut(*step as usize) {
                    s.answer = Some(answer.clone());
                }
            }
            Record::Observed { step, effect } => {
                if let Some(s) = self.steps.get_mut(*step as usize) {
                    s.effect = Some(effect.clone());
                }
            }
            Record::Retargeted { vm, to, .. } => {
                self.retargets.insert(*vm, *to);
            }
            Record::WaveStarted { revision, wave } => {
                self.wave = Some((*revision, *wave));
                self.wave_at = Some(at);
            }
            Record::HostFinished { host, name, result } => {
                if self
                    .finished_hosts
                    .insert(*host, (name.clone(), result.clone()))
                    .is_none()
                {
                    self.finish_order.push(*host);
                }
            }
            Record::Progress { percent } => {
                self.progress_recorded = self.progress_recorded.max(*percent)
            }
            Record::Stopping { reason } => {
                self.stopping.get_or_insert_with(|| reason.clone());
            }
            Record::Finished { summary } => self.finished = Some(summary.clone()),
        }
    }
}

impl RunState {
    pub fn next_step(&self) -> u64 {
        self.steps.len() as u64
    }

    pub fn vm_steps(&self, vm: VmId) -> impl Iterator<Item = (usize, &Step)> {
        self.vm_steps
            .get(&vm)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.steps[i]))
    }

    pub fn host_steps(&self, host: HostId) -> impl Iterator<Item = (usize, &Step)> {
        self.host_steps
            .get(&host)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.steps[i]))
    }

    pub fn cluster_steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.cluster_steps.iter().map(|&i| (i, &self.steps[i]))
    }

    /// The policy the cluster had before the run last switched it to `cluster_maintenance`.
    pub fn original_policy(&self) -> Option<SchedulingPolicy> {
        self.cluster_steps()
            .filter(|(_, s)| s.took_effect())
            .filter_map(|(_, s)| match s.action {
                Action::SetPolicy {
                    from,
                    reason: PolicyReason::RunStarts,
                    ..
                } => Some(from),
                _ => None,
            })
            .last()
    }

    /// The policy the run last set, and why.
    pub fn policy_set(&self) -> Option<(SchedulingPolicy, PolicyReason)> {
        self.cluster_steps()
            .filter(|(_, s)| s.took_effect())
            .filter_map(|(_, s)| match s.action {
                Action::SetPolicy { to, reason, .. } => Some((to, reason)),
                _ => None,
            })
            .last()
    }

    /// The run has switched the policy and not put it back.
    pub fn policy_switched(&self) -> bool {
        self.policy_set()
            .is_some_and(|(_, reason)| reason != PolicyReason::RunEnds)
    }

    /// The engine's upgrade flag is set by this run (the last flag action that took effect
    /// started it).
    pub fn flag_running(&self) -> bool {
        self.cluster_steps()
            .filter(|(_, s)| s.took_effect())
            .filter(|(_, s)| {
                matches!(
                    s.action,
                    Action::StartUpgradeFlag | Action::FinishUpgradeFlag
                )
            })
            .last()
            .is_some_and(|(_, s)| s.action == Action::StartUpgradeFlag)
    }

    /// The last progress the engine accepted.
    /// The progress a run reached before: sent to the engine or recorded in the journal.
    pub fn progress_reached(&self) -> u8 {
        self.progress_sent().max(self.progress_recorded)
    }

    pub fn progress_sent(&self) -> u8 {
        self.cluster_steps()
            .filter(|(_, s)| s.took_effect())
            .filter_map(|(_, s)| match s.action {
                Action::UpdateProgress { percent } => Some(percent),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Migrations the run saw complete, by VM.
    pub fn migrations(&self) -> BTreeMap<VmId, u32> {
        let mut counts = BTreeMap::new();
        for step in &self.steps {
            if let (Action::Migrate { vm, .. }, Some(Effect::Done)) = (&step.action, &step.effect) {
                *counts.entry(*vm).or_insert(0) += 1;
            }
        }
        counts
    }

    /// VMs the run shut down (or powered off), with the host they ran on and when.
    pub fn stopped_vms(&self) -> Vec<StoppedVm> {
        let mut stopped: BTreeMap<VmId, StoppedVm> = BTreeMap::new();
        for &index in &self.stop_steps {
            let step = &self.steps[index];
            match &step.action {
                Action::Shutdown { vm, vm_name, host } | Action::PowerOff { vm, vm_name, host } => {
                    stopped.entry(*vm).or_insert(StoppedVm {
                        vm: *vm,
                        name: vm_name.clone(),
                        host: *host,
                        since: step.at,
                        first_step: index,
                    });
                }
                _ => {}
            }
        }
        stopped.into_values().collect()
    }

    /// The run started `vm` again after stopping it (the last start took effect).
    pub fn restarted(&self, vm: VmId, after_step: usize) -> Option<Timestamp> {
        self.vm_steps(vm)
            .filter(|(i, s)| {
                *i > after_step
                    && matches!(s.action, Action::Start { .. })
                    && s.effect == Some(Effect::Done)
            })
            .map(|(_, s)| s.at)
            .last()
    }
}

/// A VM the run stopped, to be started again when its host is back.
#[derive(Debug, Clone)]
pub struct StoppedVm {
    pub vm: VmId,
    pub name: String,
    pub host: HostId,
    pub since: Timestamp,
    pub first_step: usize,
}

/// Where a journaled run stands, for `ovirt-upgrade status`.
#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub run_id: String,
    pub engine: String,
    pub cluster: String,
    pub correlation_id: String,
    pub state: RunPhase,
    pub plan_revision: u32,
    pub hosts_planned: usize,
    pub upgraded: Vec<String>,
    pub failed: Vec<String>,
    pub pending: Vec<String>,
    /// The wave under way, counted from 1 within the plan revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<usize>,
    pub migrations: usize,
    /// The scheduling policy the run switched away from and has not put back yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_to_restore: Option<SchedulingPolicy>,
    /// Pinned VMs the run stopped and has not started again.
    pub vms_down: Vec<String>,
    /// Side effects asked of the engine whose outcome the journal does not know.
    pub unsettled_steps: usize,
    /// Why the run stopped starting new hosts, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_because: Option<String>,
    pub records: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_record_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunPhase {
    /// Planned, nothing done yet.
    Planned,
    /// Under way, or killed while under way: `resume` goes on.
    Interrupted,
    /// Ended; the summary says how.
    Finished,
}

impl RunStatus {
    pub fn from_journal(header: &RunHeader, entries: &[Entry]) -> RunStatus {
        let state = RunState::from_entries(entries);
        let plan_hosts: Vec<(HostId, String)> = state
            .plan
            .iter()
            .flat_map(|p| p.steps())
            .map(|s| (s.host, s.name.clone()))
            .collect();
        let mut upgraded = Vec::new();
        let mut failed = Vec::new();
        for (name, result) in state
            .finish_order
            .iter()
            .filter_map(|h| state.finished_hosts.get(h))
        {
            match result {
                HostResult::Upgraded { .. } | HostResult::Current => upgraded.push(name.clone()),
                HostResult::Failed { .. } => failed.push(name.clone()),
            }
        }
        let pending: Vec<String> = plan_hosts
            .iter()
            .filter(|(id, _)| !state.finished_hosts.contains_key(id))
            .map(|(_, name)| name.clone())
            .collect();
        let policy_to_restore = state.original_policy().filter(|_| state.policy_switched());
        let vms_down = state
            .stopped_vms()
            .into_iter()
            .filter(|s| state.restarted(s.vm, s.first_step).is_none())
            .map(|s| s.name)
            .collect();
        let phase = if state.finished.is_some() {
            RunPhase::Finished
        } else if state.began.is_empty() {
            RunPhase::Planned
        } else {
            RunPhase::Interrupted
        };
        RunStatus {
            run_id: header.run_id.clone(),
            engine: header.engine.clone(),
            cluster: header.cluster_name.clone(),
            correlation_id: header.correlation_id.clone(),
            state: phase,
            plan_revision: state.revision,
            hosts_planned: state.weights.len(),
            upgraded,
            failed,
            pending,
            wave: state.wave.map(|(_, w)| w + 1),
            migrations: state.migrations().values().map(|&n| n as usize).sum(),
            policy_to_restore,
            vms_down,
            unsettled_steps: state.steps.iter().filter(|s| s.is_unsettled()).count(),
            stopped_because: state.stopping.clone(),
            records: entries.len(),
            last_record_at: state.last_at,
            summary: state.finished.clone(),
        }
    }
}
