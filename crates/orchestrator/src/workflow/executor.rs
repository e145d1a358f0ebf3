//! Carries a workflow out, step by step, through the engine seam. Every step is journaled
//! before and after; every run journals into its own file, named in the workflow's journal
//! before that file is made, so a resumed workflow finds the run under way and resumes it,
//! reads the summary of a run that ended before the workflow noted it, or starts afresh a run
//! that never planned. Global maintenance and the Manager's update are asked only when the
//! engine does not show them done already.

use crate::journal::Fold;
use std::path::Path;
use std::time::Duration;

use model::engine::{Engine, EngineError, HostAction};
use model::{HostStatus, Level, Timestamp, Version};

use super::plan::{manager_needs_update, needs_activation, retried_hosts, run_journal_name};
use super::{
    ManagerSetup, RunResult, StepRun, WorkflowJournal, WorkflowOutcome, WorkflowPlan,
    WorkflowRecord, WorkflowState, WorkflowStep, WorkflowSummary,
};
use crate::chain::{self, ChainError, ChainHeader, ChainJournal, ChainOutcome, ChainState};
use crate::clock::Clock;
use crate::event::{EventSink, Outcome, RunEvent, Summary};
use crate::executor::{ExecuteError, StopSignal, POLL_INTERVAL};
use crate::hosted_engine::{self, HostedEngineError};
use crate::journal::{Journal, JournalError, RunHeader};
use crate::planner::PlanError;
use crate::state::RunState;

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Run(#[from] ExecuteError),
    #[error("cannot read the environment from the engine: {0}")]
    Engine(#[source] EngineError),
    #[error(transparent)]
    HostedEngine(#[from] HostedEngineError),
    #[error("the Manager's update to {to} failed: {detail}")]
    ManagerUpdate { to: Version, detail: String },
    #[error("cluster {cluster}: {source}")]
    Plan {
        cluster: String,
        #[source]
        source: PlanError,
    },
    #[error("cluster {cluster} cannot be upgraded: {}", blockers.join("; "))]
    Blocked {
        cluster: String,
        blockers: Vec<String>,
    },
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("the compatibility chain cannot start: {}", blockers.join("; "))]
    ChainBlocked { blockers: Vec<String> },
    #[error("host {host} {detail}")]
    Activation { host: String, detail: String },
}

/// Runs `plan` from the start, journaling into `journal` (which must be new) and the runs'
/// journals beside it (which must not exist yet).
pub async fn run<E: Engine, C: Clock, M: ManagerSetup>(
    engine: &E,
    clock: &C,
    manager: &M,
    journal: &mut WorkflowJournal,
    plan: WorkflowPlan,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<WorkflowSummary, WorkflowError> {
    if !journal.entries()?.is_empty() {
        return Err(ExecuteError::NotEmpty {
            path: journal.path().to_owned(),
        }
        .into());
    }
    let mut executor = WorkflowExecutor {
        engine,
        clock,
        manager,
        began: clock.now(),
        journal,
        sink,
        stop,
        state: WorkflowState::default(),
    };
    executor.record(WorkflowRecord::Planned { plan })?;
    executor.go(false).await
}

/// Picks up the workflow journaled in `journal`. The caller makes sure the journal belongs
/// to this engine.
pub async fn resume<E: Engine, C: Clock, M: ManagerSetup>(
    engine: &E,
    clock: &C,
    manager: &M,
    journal: &mut WorkflowJournal,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<WorkflowSummary, WorkflowError> {
    let state = WorkflowState::from_entries(&journal.entries()?);
    let path = journal.path().to_owned();
    if state.finished.is_some() {
        return Err(ExecuteError::AlreadyFinished { path }.into());
    }
    if state.plan.is_none() {
        return Err(ExecuteError::NoPlan { path }.into());
    }
    let executor = WorkflowExecutor {
        engine,
        clock,
        manager,
        began: state.began.first().copied().unwrap_or_else(|| clock.now()),
        journal,
        sink,
        stop,
        state,
    };
    executor.go(true).await
}

/// How a step or a run ended, short of an error.
enum Ended<T> {
    Done(T),
    /// It stopped before its end; the workflow stops too, and `resume` goes on.
    Interrupted(String),
}

struct WorkflowExecutor<'a, E, C, M> {
    engine: &'a E,
    clock: &'a C,
    manager: &'a M,
    journal: &'a mut WorkflowJournal,
    sink: &'a dyn EventSink,
    stop: &'a StopSignal,
    state: WorkflowState,
    began: Timestamp,
}

impl<E: Engine, C: Clock, M: ManagerSetup> WorkflowExecutor<'_, E, C, M> {
    fn emit(&self, event: RunEvent) {
        self.sink.emit(self.clock.now(), event);
    }

    fn record(&mut self, record: WorkflowRecord) -> Result<(), JournalError> {
        let now = self.clock.now();
        self.journal.append(now, &record)?;
        self.state.apply(now, &record);
        Ok(())
    }

    async fn go(mut self, resumed: bool) -> Result<WorkflowSummary, WorkflowError> {
        self.record(WorkflowRecord::Began { resumed })?;
        let steps = self
            .state
            .plan
            .as_ref()
            .expect("a workflow always has a plan")
            .steps
            .clone();
        for (index, step) in steps.iter().enumerate() {
            if self.state.step_finished(index) {
                continue;
            }
            if self.stop.is_stopped() {
                return self.interrupted("stopped on request".into());
            }
            self.emit(RunEvent::WorkflowStepStarted {
                step: index + 1,
                of: steps.len(),
                what: step.clone(),
            });
            if !self.state.step_started(index) {
                self.record(WorkflowRecord::StepStarted { step: index })?;
            }
            let ended = match step {
                WorkflowStep::GlobalMaintenance { enabled } => {
                    self.global_maintenance(*enabled).await?
                }
                WorkflowStep::ManagerUpdate { to, .. } => self.update_manager(*to).await?,
                WorkflowStep::Hosts { clusters } => self.hosts(index, clusters).await?,
                WorkflowStep::CompatibilityChain { level } => self.chain(index, *level).await?,
            };
            match ended {
                Ended::Done(()) => self.record(WorkflowRecord::StepFinished { step: index })?,
                Ended::Interrupted(reason) => return self.interrupted(reason),
            }
        }
        let summary = self
            .state
            .summary(WorkflowOutcome::Completed, self.seconds());
        self.record(WorkflowRecord::Finished {
            summary: summary.clone(),
        })?;
        self.emit(RunEvent::WorkflowFinished {
            summary: summary.clone(),
        });
        Ok(summary)
    }

    fn seconds(&self) -> u64 {
        ((self.clock.now().0 - self.began.0).max(0) / 1000) as u64
    }

    fn interrupted(&mut self, reason: String) -> Result<WorkflowSummary, WorkflowError> {
        self.record(WorkflowRecord::Stopping {
            reason: reason.clone(),
        })?;
        let summary = self
            .state
            .summary(WorkflowOutcome::Interrupted { reason }, self.seconds());
        self.emit(RunEvent::WorkflowFinished {
            summary: summary.clone(),
        });
        Ok(summary)
    }

    fn options(&self) -> &super::WorkflowOptions {
        &self.state.plan.as_ref().expect("a plan").options
    }

    async fn global_maintenance(&mut self, enabled: bool) -> Result<Ended<()>, WorkflowError> {
        let timeout =
            Duration::from_secs(u64::from(self.options().global_maintenance_minutes) * 60);
        let report = hosted_engine::set_global_maintenance(
            self.engine,
            self.clock,
            enabled,
            timeout,
            self.sink,
        )
        .await?;
        self.emit(RunEvent::GlobalMaintenanceSet { report });
        Ok(Ended::Done(()))
    }

    async fn update_manager(&mut self, to: Version) -> Result<Ended<()>, WorkflowError> {
        let from = self.inventory().await?.manager.version;
        let already = !manager_needs_update(from, to);
        if !already {
            self.manager
                .update(to)
                .await
                .map_err(|detail| WorkflowError::ManagerUpdate { to, detail })?;
        }
        self.emit(RunEvent::ManagerUpdated { from, to, already });
        Ok(Ended::Done(()))
    }

    async fn inventory(&self) -> Result<model::Inventory, WorkflowError> {
        self.engine.inventory().await.map_err(WorkflowError::Engine)
    }

    /// Every cluster in turn; a host whose installation failed is activated and upgraded
    /// again once its cluster's run is over.
    async fn hosts(
        &mut self,
        step: usize,
        clusters: &[String],
    ) -> Result<Ended<()>, WorkflowError> {
        for cluster in clusters {
            let first = match self.rolling(step, cluster, &[]).await? {
                Ended::Done(summary) => summary,
                Ended::Interrupted(reason) => return Ok(Ended::Interrupted(reason)),
            };
            for host in first.as_ref().map(retried_hosts).unwrap_or_default() {
                let retry = std::slice::from_ref(&host);
                if self
                    .state
                    .run_result(&run_journal_name(Some(cluster), retry))
                    .is_none()
                {
                    self.emit(RunEvent::HostRetrying { host: host.clone() });
                    self.activate(step, &host).await?;
                }
                if let Ended::Interrupted(reason) = self.rolling(step, cluster, retry).await? {
                    return Ok(Ended::Interrupted(reason));
                }
            }
            if self.stop.is_stopped() {
                return Ok(Ended::Interrupted("stopped on request".into()));
            }
        }
        Ok(Ended::Done(()))
    }

    /// A host left failed, activated again and waited for until it is up.
    async fn activate(&mut self, step: usize, host: &str) -> Result<(), WorkflowError> {
        if self.state.activated(host) {
            return Ok(());
        }
        let failed = |detail: String| WorkflowError::Activation {
            host: host.to_owned(),
            detail,
        };
        let id = self
            .inventory()
            .await?
            .hosts
            .iter()
            .find(|h| h.name == host)
            .map(|h| h.id)
            .ok_or_else(|| failed("is no longer on the engine".into()))?;
        if !self.state.activating(host) {
            self.record(WorkflowRecord::Activating {
                step,
                host: host.to_owned(),
            })?;
        }
        let status = self
            .engine
            .host(id)
            .await
            .map_err(WorkflowError::Engine)?
            .status;
        if needs_activation(status) {
            self.engine
                .host_action(id, HostAction::Activate)
                .await
                .map_err(|e| failed(format!("was not activated by the engine: {e}")))?;
        }
        let began = self.clock.now();
        let patience = i64::from(self.options().activation_minutes) * 60_000;
        while self
            .engine
            .host(id)
            .await
            .map_err(WorkflowError::Engine)?
            .status
            != HostStatus::Up
        {
            if self.clock.now().0 - began.0 > patience {
                return Err(failed("did not come up after its activation".into()));
            }
            self.clock.sleep(POLL_INTERVAL).await;
        }
        self.record(WorkflowRecord::Activated {
            step,
            host: host.to_owned(),
        })?;
        Ok(())
    }

    /// Notes that a run begins, unless a resumed workflow noted it already.
    fn run_starts(
        &mut self,
        step: usize,
        journal: &str,
        cluster: Option<&str>,
        hosts: &[String],
    ) -> Result<(), JournalError> {
        if self.state.run_started(journal) {
            return Ok(());
        }
        self.record(WorkflowRecord::RunStarted {
            step,
            run: StepRun {
                journal: journal.to_owned(),
                cluster: cluster.map(str::to_owned),
                hosts: hosts.to_vec(),
            },
        })
    }

    fn run_ends(
        &mut self,
        step: usize,
        journal: &str,
        result: RunResult,
    ) -> Result<(), JournalError> {
        self.record(WorkflowRecord::RunFinished {
            step,
            journal: journal.to_owned(),
            result,
        })
    }

    /// One cluster's rolling upgrade (only `hosts`, when given): its summary, or none when
    /// there was nothing to upgrade.
    async fn rolling(
        &mut self,
        step: usize,
        cluster: &str,
        hosts: &[String],
    ) -> Result<Ended<Option<Summary>>, WorkflowError> {
        let name = run_journal_name(Some(cluster), hosts);
        match self.state.run_result(&name) {
            Some(RunResult::Rolling { summary }) => return Ok(Ended::Done(Some(summary.clone()))),
            Some(_) => return Ok(Ended::Done(None)),
            None => {}
        }
        let path = self.journal.run_path(&name);
        let mut journal = match self.state.run_started(&name) && path.exists() {
            true => Some(Journal::open(&path)?),
            false => None,
        };
        let journaled = match &journal {
            Some(journal) => RunState::from_entries(&journal.entries()?),
            None => RunState::default(),
        };
        if let Some(summary) = journaled.finished {
            self.run_ends(
                step,
                &name,
                RunResult::Rolling {
                    summary: summary.clone(),
                },
            )?;
            return Ok(Ended::Done(Some(summary)));
        }
        let summary = if let (Some(journal), Some(_)) = (&mut journal, &journaled.plan) {
            crate::executor::resume(self.engine, self.clock, journal, self.sink, self.stop).await?
        } else {
            self.run_starts(step, &name, Some(cluster), hosts)?;
            let inventory = self.inventory().await?;
            let plan_error = |source| WorkflowError::Plan {
                cluster: cluster.to_owned(),
                source,
            };
            let id = crate::planner::find_cluster(&inventory, cluster).map_err(plan_error)?;
            let options = crate::options::Options {
                hosts: hosts.to_vec(),
                ..self.options().rolling.clone()
            };
            let plan = crate::planner::plan(&inventory, id, &options).map_err(plan_error)?;
            if !plan.is_feasible() {
                return Err(WorkflowError::Blocked {
                    cluster: cluster.to_owned(),
                    blockers: plan.blockers.iter().map(ToString::to_string).collect(),
                });
            }
            if plan.waves.is_empty() {
                self.run_ends(step, &name, RunResult::NothingToDo)?;
                return Ok(Ended::Done(None));
            }
            let mut journal = match journal {
                Some(journal) => journal,
                None => Journal::create(
                    &path,
                    RunHeader {
                        run_id: self.run_id(&name),
                        engine: self.journal.header().engine.clone(),
                        cluster: id,
                        cluster_name: cluster.to_owned(),
                        correlation_id: self.journal.header().correlation_id.clone(),
                        created_ms: self.clock.now().0,
                        options,
                    },
                )?,
            };
            crate::executor::run(
                self.engine,
                self.clock,
                &mut journal,
                plan,
                self.sink,
                self.stop,
            )
            .await?
        };
        if !finished(&Journal::open(&path)?)? {
            return Ok(Ended::Interrupted(match &summary.outcome {
                Outcome::Stopped => "stopped on request".to_owned(),
                Outcome::EngineUnreachable { error } => {
                    format!("the engine could not be reached ({error})")
                }
                _ => format!("cluster {cluster} could not be put back"),
            }));
        }
        self.run_ends(
            step,
            &name,
            RunResult::Rolling {
                summary: summary.clone(),
            },
        )?;
        Ok(Ended::Done(Some(summary)))
    }

    /// A run's id: the workflow's, and the run's journal.
    fn run_id(&self, journal: &str) -> String {
        let run = Path::new(journal).file_stem().map_or_else(
            || journal.to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        format!("{}/{run}", self.journal.header().run_id)
    }

    /// The compatibility chain on the engine as it is now.
    async fn chain(&mut self, step: usize, level: Level) -> Result<Ended<()>, WorkflowError> {
        let name = run_journal_name(None, &[]);
        if self.state.run_result(&name).is_some() {
            return Ok(Ended::Done(()));
        }
        let path = self.journal.run_path(&name);
        let mut journal = match self.state.run_started(&name) && path.exists() {
            true => Some(ChainJournal::open(&path)?),
            false => None,
        };
        let journaled = match &journal {
            Some(journal) => ChainState::from_entries(&journal.entries()?),
            None => ChainState::default(),
        };
        if let Some(summary) = journaled.finished {
            self.run_ends(step, &name, RunResult::Chain { summary })?;
            return Ok(Ended::Done(()));
        }
        let summary = if let (Some(journal), Some(_)) = (&mut journal, &journaled.plan) {
            chain::resume(self.engine, self.clock, journal, self.sink, self.stop).await?
        } else {
            self.run_starts(step, &name, None, &[])?;
            let inventory = self.inventory().await?;
            let plan = chain::plan_finish(&inventory, level, &self.options().chain)?;
            if !plan.is_feasible() {
                return Err(WorkflowError::ChainBlocked {
                    blockers: plan.blockers.iter().map(ToString::to_string).collect(),
                });
            }
            if plan.stages.is_empty() {
                self.run_ends(step, &name, RunResult::NothingToDo)?;
                return Ok(Ended::Done(()));
            }
            self.emit(RunEvent::ChainPlanned { plan: plan.clone() });
            let mut journal = match journal {
                Some(journal) => journal,
                None => ChainJournal::create(
                    &path,
                    ChainHeader {
                        run_id: self.run_id(&name),
                        engine: self.journal.header().engine.clone(),
                        correlation_id: self.journal.header().correlation_id.clone(),
                        created_ms: self.clock.now().0,
                        command: format!("finish --to {level}"),
                    },
                )?,
            };
            chain::run(
                self.engine,
                self.clock,
                &mut journal,
                plan,
                self.sink,
                self.stop,
            )
            .await?
        };
        if ChainState::from_entries(&ChainJournal::open(&path)?.entries()?)
            .finished
            .is_none()
        {
            return Ok(Ended::Interrupted(match &summary.outcome {
                ChainOutcome::EngineUnreachable { error } => {
                    format!("the engine could not be reached ({error})")
                }
                _ => "stopped on request".to_owned(),
            }));
        }
        self.run_ends(step, &name, RunResult::Chain { summary })?;
        Ok(Ended::Done(()))
    }
}

/// The cluster run's journal holds its end.
fn finished(journal: &Journal) -> Result<bool, JournalError> {
    Ok(RunState::from_entries(&journal.entries()?)
        .finished
        .is_some())
}
