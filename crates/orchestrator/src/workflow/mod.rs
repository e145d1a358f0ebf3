//! The whole upgrade of an environment, step by step, as the guide's chapter orders it:
//! global maintenance on, the Manager's update, global maintenance off (waiting for the
//! engine's health), every cluster's hosts (hosted-engine clusters first; a host whose first
//! installation failed is activated and upgraded again), then the compatibility chain.
//!
//! - [`plan`] holds the decisions, pure: the steps, the cluster order, which failed hosts are
//!   retried, what counts as downtime and what is left undone at the end.
//! - [`executor`] carries the steps out through the engine seam. Its journal is a run kind of
//!   its own ([`WorkflowRun`]) that composes the other two: every rolling upgrade and the
//!   chain journal into their own files beside it, and the workflow's records name those
//!   files, so [`resume`] picks a killed workflow up by resuming the run under way (or
//!   reading the summary of one that finished) and going on from there.
//! - [`state`] folds the journal for resume and status.

pub mod executor;
pub mod plan;
pub mod state;

use std::future::Future;

use model::{Level, Text, Version};
use serde::{Deserialize, Serialize};

use crate::chain::{ChainOptions, ChainSummary};
use crate::event::Summary;
use crate::journal::{Log, LogEntry, RunKind};
use crate::options::Options;

pub use executor::{resume, run, WorkflowError};
pub use plan::{
    cluster_order, hosts_left_behind, manager_vm_downtime, plan, retried_hosts, run_journal_name,
    unreported_downs, VmTransition,
};
pub use state::{WorkflowState, WorkflowStatus};

/// The whole upgrade: global maintenance, the Manager, every cluster's hosts, the levels.
#[derive(Debug)]
pub struct WorkflowRun;

impl RunKind for WorkflowRun {
    const NAME: &'static str = "upgrade-workflow";
    const DESCRIPTION: &'static str = "a whole upgrade (the demo's workflow)";
    type Header = WorkflowHeader;
    type Record = WorkflowRecord;
    fn record_kind(record: &WorkflowRecord) -> &'static str {
        record.kind()
    }
    fn run_id(header: &WorkflowHeader) -> &str {
        &header.run_id
    }
    fn engine(header: &WorkflowHeader) -> &str {
        &header.engine
    }
}

/// The journal of a whole upgrade.
pub type WorkflowJournal = Log<WorkflowRun>;
pub type WorkflowEntry = LogEntry<WorkflowRecord>;

/// Who and what a workflow is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowHeader {
    pub run_id: String,
    /// The engine's identity; every run of the workflow journals it too.
    pub engine: String,
    /// Sent on every request of every run, so the engine's events of the upgrade group
    /// together.
    pub correlation_id: String,
    pub created_ms: i64,
    /// The folder of the runs' own journals.
    pub journals: String,
}

/// How the workflow's runs are carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowOptions {
    /// Every cluster's rolling upgrade (its `hosts` are ignored: every host is upgraded).
    pub rolling: Options,
    pub chain: ChainOptions,
    /// How long global maintenance may take to show, and the engine to come back healthy.
    pub global_maintenance_minutes: u32,
    /// How long a host activated again after a failed installation may take to come up.
    pub activation_minutes: u32,
}

impl Default for WorkflowOptions {
    fn default() -> Self {
        WorkflowOptions {
            rolling: Options::default(),
            chain: ChainOptions::default(),
            global_maintenance_minutes: 15,
            activation_minutes: 10,
        }
    }
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum WorkflowStep {
    /// Global maintenance on (before the Manager's update) or off (after it, waiting for
    /// the engine's good health).
    GlobalMaintenance { enabled: bool },
    /// engine-setup on the Manager's machine.
    ManagerUpdate { from: Version, to: Version },
    /// Every cluster's rolling upgrade, one cluster at a time, in this order.
    Hosts { clusters: Vec<String> },
    /// The compatibility chain: every cluster, its VMs, every data center.
    CompatibilityChain { level: Level },
}

impl WorkflowStep {
    /// The step's title: what it does, in both languages.
    pub fn message(&self) -> Text {
        match self {
            WorkflowStep::GlobalMaintenance { enabled: true } => {
                Text::new("Global maintenance on", "グローバルメンテナンスを有効化")
            }
            WorkflowStep::ManagerUpdate { from, to } => Text::owned(
                format!("The Manager's update: engine-setup {from} → {to}"),
                format!("Manager の更新: engine-setup {from} → {to}"),
            ),
            WorkflowStep::GlobalMaintenance { enabled: false } => Text::new(
                "Global maintenance off, waiting for the engine's health",
                "グローバルメンテナンスを無効化し、エンジンの正常性を待機",
            ),
            WorkflowStep::Hosts { .. } => Text::new(
                "Every cluster's hosts, one cluster at a time",
                "クラスターごとにすべてのホストを更新",
            ),
            WorkflowStep::CompatibilityChain { level } => Text::owned(
                format!("The compatibility chain to {level}: clusters, their VMs, data centers"),
                format!("互換レベル {level} への変更: クラスター、仮想マシン、データセンター"),
            ),
        }
    }
}

/// The steps, decided up front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowPlan {
    pub manager_from: Version,
    pub manager_to: Version,
    pub level: Level,
    pub steps: Vec<WorkflowStep>,
    pub options: WorkflowOptions,
}

/// A run of a step, journaled in a file of its own in the workflow's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRun {
    pub journal: String,
    /// The cluster of a rolling upgrade; none for the chain.
    pub cluster: Option<String>,
    /// Only these hosts (a retry); empty for every host.
    pub hosts: Vec<String>,
}

/// How a step's run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "run", rename_all = "snake_case")]
pub enum RunResult {
    Rolling {
        summary: Summary,
    },
    Chain {
        summary: ChainSummary,
    },
    /// The plan had nothing to do.
    NothingToDo,
}

/// One thing that happened in a workflow, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum WorkflowRecord {
    Planned {
        plan: WorkflowPlan,
    },
    Began {
        resumed: bool,
    },
    StepStarted {
        step: usize,
    },
    /// A run begins; written before its own journal is.
    RunStarted {
        step: usize,
        run: StepRun,
    },
    /// A run's journal holds its end.
    RunFinished {
        step: usize,
        journal: String,
        result: RunResult,
    },
    /// A host left failed is about to be activated again, before its retry.
    Activating {
        step: usize,
        host: String,
    },
    Activated {
        step: usize,
        host: String,
    },
    StepFinished {
        step: usize,
    },
    /// The workflow stops before its end, and why; `resume` goes on.
    Stopping {
        reason: String,
    },
    Finished {
        summary: WorkflowSummary,
    },
}

impl WorkflowRecord {
    fn kind(&self) -> &'static str {
        match self {
            WorkflowRecord::Planned { .. } => "planned",
            WorkflowRecord::Began { .. } => "began",
            WorkflowRecord::StepStarted { .. } => "step_started",
            WorkflowRecord::RunStarted { .. } => "run_started",
            WorkflowRecord::RunFinished { .. } => "run_finished",
            WorkflowRecord::Activating { .. } => "activating",
            WorkflowRecord::Activated { .. } => "activated",
            WorkflowRecord::StepFinished { .. } => "step_finished",
            WorkflowRecord::Stopping { .. } => "stopping",
            WorkflowRecord::Finished { .. } => "finished",
        }
    }
}

/// How a workflow ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkflowOutcome {
    /// Every step was carried out.
    Completed,
    /// A run stopped before its end (Ctrl-C, the engine away, a cluster that could not be
    /// put back); `resume` goes on.
    Interrupted { reason: String },
}

/// The workflow at its end: every run's summary, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowSummary {
    pub outcome: WorkflowOutcome,
    pub manager_from: Version,
    pub manager_to: Version,
    pub level: Level,
    /// Every rolling upgrade, retries included, in order.
    pub rolling: Vec<Summary>,
    /// Hosts whose first installation failed, activated and upgraded again.
    pub retried: Vec<String>,
    pub chain: Option<ChainSummary>,
    pub duration_seconds: u64,
}

impl WorkflowSummary {
    pub fn migrations(&self) -> usize {
        self.rolling.iter().map(|s| s.migrations).sum()
    }

    pub fn vms_moved(&self) -> usize {
        self.rolling.iter().map(|s| s.vms_moved).sum()
    }

    pub fn max_migrations_of_a_vm(&self) -> u32 {
        self.rolling
            .iter()
            .map(|s| s.max_migrations_of_a_vm)
            .max()
            .unwrap_or(0)
    }
}

/// The Manager's own update, engine-setup on its machine, which no API call does: done by
/// whoever runs the workflow (the simulated engine for the demo).
pub trait ManagerSetup: Send + Sync {
    /// Runs engine-setup to `to`; the error says why it failed.
    fn update(&self, to: Version) -> impl Future<Output = Result<(), String>> + Send;
}

impl Log<WorkflowRun> {
    /// Where the runs of this workflow journal.
    pub fn run_path(&self, journal: &str) -> std::path::PathBuf {
        std::path::Path::new(&self.header().journals).join(journal)
    }
}
