//! The compatibility chain: the end of every chapter of the guide. Raise each cluster's
//! compatibility level, restart the VMs that then carry a pending configuration, raise each
//! data center once its clusters are there, and verify the end state.
//!
//! - [`plan`] validates first, as the guide and the engine do, and orders the stages: pure.
//! - [`restarts`] chooses the VMs to restart and their batches: pure.
//! - [`executor`] carries a plan out through the engine seam, journaling every side effect
//!   into a [`ChainJournal`] (the same SQLite format as the rolling upgrade's), so that
//!   [`resume`] picks a killed run up and [`ChainStatus`] shows where it stands.

pub mod executor;
pub mod plan;
pub mod restarts;
pub mod state;

use model::{ClusterId, DataCenterId, Level, VmId};
use serde::{Deserialize, Serialize};

use crate::journal::{Answer, Effect, Log, LogEntry, RunKind};

pub use executor::{resume, run};
pub use plan::{
    plan_cluster, plan_data_center, plan_finish, verify_end_state, ChainBlocker, ChainError,
    ChainOptions, ChainPlan, ChainWarning, EndState, LevelObject, ObjectKind, PendingVm,
    RestartMode, Stage,
};
pub use restarts::RestartVm;
pub use state::{ChainOutcome, ChainState, ChainStatus, ChainSummary, RestartResult};

/// A compatibility chain run: `compat` or `finish`.
#[derive(Debug)]
pub struct ChainRun;

impl RunKind for ChainRun {
    const NAME: &'static str = "compat-chain";
    const DESCRIPTION: &'static str = "a compatibility chain (compat or finish)";
    type Header = ChainHeader;
    type Record = ChainRecord;
    fn record_kind(record: &ChainRecord) -> &'static str {
        record.kind()
    }
    fn run_id(header: &ChainHeader) -> &str {
        &header.run_id
    }
    fn engine(header: &ChainHeader) -> &str {
        &header.engine
    }
}

/// The journal of a compatibility chain.
pub type ChainJournal = Log<ChainRun>;
pub type ChainEntry = LogEntry<ChainRecord>;

/// Who and what a chain run is about. It is only ever resumed against the same engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainHeader {
    pub run_id: String,
    /// The engine's identity: its API URL, or the simulated environment.
    pub engine: String,
    /// Sent on every request, so the engine's events of the run group together.
    pub correlation_id: String,
    pub created_ms: i64,
    /// What was asked, as the command line said it (`finish --to 4.6`).
    pub command: String,
}

/// One thing that happened in a chain run, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum ChainRecord {
    Planned {
        plan: ChainPlan,
    },
    Began {
        resumed: bool,
    },
    StageStarted {
        stage: usize,
    },
    /// A side effect is about to be asked of the engine.
    Intent {
        step: u64,
        action: ChainAction,
    },
    Answered {
        step: u64,
        answer: Answer,
    },
    Observed {
        step: u64,
        effect: Effect,
    },
    /// The VMs of a cluster stage to restart, in their batches.
    RestartsPlanned {
        stage: usize,
        batches: Vec<Vec<RestartVm>>,
    },
    BatchStarted {
        stage: usize,
        batch: usize,
    },
    /// A VM's restart is over, one way or another.
    VmSettled {
        vm: VmId,
        name: String,
        result: RestartResult,
    },
    StageFinished {
        stage: usize,
    },
    /// The run stops starting new work.
    Stopping {
        reason: String,
    },
    Finished {
        summary: ChainSummary,
    },
}

impl ChainRecord {
    fn kind(&self) -> &'static str {
        match self {
            ChainRecord::Planned { .. } => "planned",
            ChainRecord::Began { .. } => "began",
            ChainRecord::StageStarted { .. } => "stage_started",
            ChainRecord::Intent { .. } => "intent",
            ChainRecord::Answered { .. } => "answered",
            ChainRecord::Observed { .. } => "observed",
            ChainRecord::RestartsPlanned { .. } => "restarts_planned",
            ChainRecord::BatchStarted { .. } => "batch_started",
            ChainRecord::VmSettled { .. } => "vm_settled",
            ChainRecord::StageFinished { .. } => "stage_finished",
            ChainRecord::Stopping { .. } => "stopping",
            ChainRecord::Finished { .. } => "finished",
        }
    }
}

/// A side effect of the chain on the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ChainAction {
    SetClusterLevel {
        cluster: ClusterId,
        name: String,
        from: Level,
        to: Level,
    },
    SetDataCenterLevel {
        data_center: DataCenterId,
        name: String,
        from: Level,
        to: Level,
    },
    /// The Administration Portal's Restart: a reboot that applies the pending configuration.
    Reboot { vm: VmId, vm_name: String },
    /// A VM that did not come back from its reboot is started again.
    Start { vm: VmId, vm_name: String },
}

impl ChainAction {
    /// The VM it acts on, if any.
    pub fn vm(&self) -> Option<VmId> {
        match self {
            ChainAction::Reboot { vm, .. } | ChainAction::Start { vm, .. } => Some(*vm),
            _ => None,
        }
    }

    /// What the call does, for messages about retries.
    pub fn describe(&self) -> &'static str {
        match self {
            ChainAction::SetClusterLevel { .. } => "set a cluster's compatibility level",
            ChainAction::SetDataCenterLevel { .. } => "set a data center's compatibility level",
            ChainAction::Reboot { .. } => "restart a VM",
            ChainAction::Start { .. } => "start a VM",
        }
    }
}
