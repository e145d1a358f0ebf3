//! A workflow's state, folded from its journal, and where a journaled workflow stands for
//! `ovirt-upgrade status`.

use crate::journal::Fold;
use std::collections::{BTreeMap, BTreeSet};

use model::Timestamp;
use serde::Serialize;

use super::{
    RunResult, StepRun, WorkflowEntry, WorkflowHeader, WorkflowOutcome, WorkflowPlan,
    WorkflowRecord, WorkflowStep, WorkflowSummary,
};
use crate::chain::state::StagePhase;
use crate::state::RunPhase;

/// What the journal says happened so far.
#[derive(Debug, Clone, Default)]
pub struct WorkflowState {
    pub plan: Option<WorkflowPlan>,
    pub began: Vec<Timestamp>,
    started_steps: BTreeSet<usize>,
    finished_steps: BTreeSet<usize>,
    /// Every run started, in order.
    pub runs: Vec<StepRun>,
    /// How each run ended, by its journal.
    results: BTreeMap<String, RunResult>,
    activating: BTreeSet<String>,
    activated: BTreeSet<String>,
    pub stopping: Option<String>,
    pub finished: Option<WorkflowSummary>,
    pub records: usize,
    pub last_at: Option<Timestamp>,
}

impl Fold for WorkflowState {
    type Record = WorkflowRecord;

    fn apply(&mut self, at: Timestamp, record: &WorkflowRecord) {
        self.records += 1;
        self.last_at = Some(at);
        match record {
            WorkflowRecord::Planned { plan } => self.plan = Some(plan.clone()),
            WorkflowRecord::Began { .. } => {
                self.began.push(at);
                self.stopping = None;
            }
            WorkflowRecord::StepStarted { step } => {
                self.started_steps.insert(*step);
            }
            WorkflowRecord::RunStarted { run, .. } => self.runs.push(run.clone()),
            WorkflowRecord::RunFinished {
                journal, result, ..
            } => {
                self.results.insert(journal.clone(), result.clone());
            }
            WorkflowRecord::Activating { host, .. } => {
                self.activating.insert(host.clone());
            }
            WorkflowRecord::Activated { host, .. } => {
                self.activated.insert(host.clone());
            }
            WorkflowRecord::StepFinished { step } => {
                self.finished_steps.insert(*step);
            }
            WorkflowRecord::Stopping { reason } => self.stopping = Some(reason.clone()),
            WorkflowRecord::Finished { summary } => self.finished = Some(summary.clone()),
        }
    }
}

impl WorkflowState {
    pub fn step_started(&self, step: usize) -> bool {
        self.started_steps.contains(&step)
    }

    pub fn step_finished(&self, step: usize) -> bool {
        self.finished_steps.contains(&step)
    }

    pub fn run_started(&self, journal: &str) -> bool {
        self.runs.iter().any(|r| r.journal == journal)
    }

    pub fn run_result(&self, journal: &str) -> Option<&RunResult> {
        self.results.get(journal)
    }

    pub fn activating(&self, host: &str) -> bool {
        self.activating.contains(host)
    }

    pub fn activated(&self, host: &str) -> bool {
        self.activated.contains(host)
    }

    /// The summary of what the runs did so far, ended by `outcome`.
    pub fn summary(&self, outcome: WorkflowOutcome, duration_seconds: u64) -> WorkflowSummary {
        let plan = self.plan.as_ref().expect("a workflow always has a plan");
        let mut rolling = Vec::new();
        let mut chain = None;
        for run in &self.runs {
            match self.results.get(&run.journal) {
                Some(RunResult::Rolling { summary }) => rolling.push(summary.clone()),
                Some(RunResult::Chain { summary }) => chain = Some(summary.clone()),
                Some(RunResult::NothingToDo) | None => {}
            }
        }
        WorkflowSummary {
            outcome,
            manager_from: plan.manager_from,
            manager_to: plan.manager_to,
            level: plan.level,
            rolling,
            retried: self
                .runs
                .iter()
                .flat_map(|r| r.hosts.iter().cloned())
                .collect(),
            chain,
            duration_seconds,
        }
    }
}

/// A step and how far it got.
#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    pub step: WorkflowStep,
    pub state: StagePhase,
}

/// A run of the workflow, its journal, and whether it ended.
#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub journal: String,
    pub finished: bool,
}

/// Where a journaled workflow stands, for `ovirt-upgrade status`.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowStatus {
    pub run_id: String,
    pub engine: String,
    pub correlation_id: String,
    pub journals: String,
    pub state: RunPhase,
    pub steps: Vec<StepStatus>,
    pub runs: Vec<RunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_because: Option<String>,
    pub records: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_record_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<WorkflowSummary>,
}

impl WorkflowStatus {
    pub fn from_journal(header: &WorkflowHeader, entries: &[WorkflowEntry]) -> WorkflowStatus {
        let state = WorkflowState::from_entries(entries);
        let steps = state
            .plan
            .iter()
            .flat_map(|p| p.steps.iter().enumerate())
            .map(|(i, step)| StepStatus {
                step: step.clone(),
                state: if state.step_finished(i) {
                    StagePhase::Done
                } else if state.step_started(i) {
                    StagePhase::UnderWay
                } else {
                    StagePhase::Pending
                },
            })
            .collect();
        let phase = if state.finished.is_some() {
            RunPhase::Finished
        } else if state.began.is_empty() {
            RunPhase::Planned
        } else {
            RunPhase::Interrupted
        };
        WorkflowStatus {
            run_id: header.run_id.clone(),
            engine: header.engine.clone(),
            correlation_id: header.correlation_id.clone(),
            journals: header.journals.clone(),
            state: phase,
            steps,
            runs: state
                .runs
                .iter()
                .map(|r| RunStatus {
                    journal: r.journal.clone(),
                    finished: state.run_result(&r.journal).is_some(),
                })
                .collect(),
            stopped_because: state.stopping.clone(),
            records: state.records,
            last_record_at: state.last_at,
            summary: state.finished.clone(),
        }
    }
}
