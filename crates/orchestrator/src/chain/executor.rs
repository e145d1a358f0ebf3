//! Carries a chain plan out through the engine seam, stage by stage: precheck (the live
//! level), act (journal the intent, call, journal the answer), wait (poll), verify (journal
//! what was seen). Every VM restart is settled from what the engine shows, so a resumed run
//! reconciles an unanswered call with the VM's state instead of repeating it blindly: a VM
//! is restarted again only when it still carries its pending configuration and nothing shows
//! the first restart happened.
//!
//! The run ends through one path that reads the end state and writes the summary.

use crate::journal::Fold;
use model::engine::{ClusterUpdate, Engine, VmAction};
use model::{Inventory, Level, Timestamp, Vm, VmStatus};

use super::plan::{verify_end_state, ChainPlan, RestartMode, Stage};
use super::restarts::{self, RestartVm};
use super::state::{ChainOutcome, ChainState, ChainSummary, RestartResult};
use super::{ChainAction, ChainJournal, ChainRecord};
use crate::clock::Clock;
use crate::event::{EventSink, RunEvent};
use crate::executor::{Caller, ExecuteError, Reply, StopSignal, POLL_INTERVAL};
use crate::journal::{Answer, Effect, JournalError};

/// Times the engine is asked to change one level before the run gives up on it.
const LEVEL_ATTEMPTS: usize = 3;
const REBOOT_ATTEMPTS: usize = 2;
const START_ATTEMPTS: usize = 3;
/// A reboot or start the engine accepted must show within this long, or it did not happen.
const ACTION_GRACE_MS: i64 = 60_000;
/// How long the end of a run keeps trying to read the end state.
const END_STATE_PATIENCE_MS: i64 = 2 * 60_000;

/// Runs `plan` from the start, journaling into `journal` (which must be new).
pub async fn run<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    journal: &mut ChainJournal,
    plan: ChainPlan,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<ChainSummary, ExecuteError> {
    if !plan.is_feasible() {
        return Err(ExecuteError::Infeasible {
            blockers: plan.blockers.iter().map(ToString::to_string).collect(),
        });
    }
    if !journal.entries()?.is_empty() {
        return Err(ExecuteError::NotEmpty {
            path: journal.path().to_owned(),
        });
    }
    let mut executor =
        ChainExecutor::new(engine, clock, journal, sink, stop, ChainState::default());
    executor.record(ChainRecord::Planned { plan })?;
    executor.go(false).await
}

/// Picks up the chain journaled in `journal`, reconciling with what the engine says now. The
/// caller makes sure the journal belongs to this engine.
pub async fn resume<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    journal: &mut ChainJournal,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<ChainSummary, ExecuteError> {
    let state = ChainState::from_entries(&journal.entries()?);
    if state.finished.is_some() {
        return Err(ExecuteError::AlreadyFinished {
            path: journal.path().to_owned(),
        });
    }
    if state.plan.is_none() {
        return Err(ExecuteError::NoPlan {
            path: journal.path().to_owned(),
        });
    }
    ChainExecutor::new(engine, clock, journal, sink, stop, state)
        .go(true)
        .await
}

/// How one level change or one stage ended, short of a journal failure.
enum Settled {
    Done,
    Outcome(ChainOutcome),
}

struct ChainExecutor<'a, E, C> {
    engine: &'a E,
    clock: &'a C,
    journal: &'a mut ChainJournal,
    sink: &'a dyn EventSink,
    stop: &'a StopSignal,
    state: ChainState,
    caller: Caller,
    began: Timestamp,
    percent: u8,
}

impl<'a, E: Engine, C: Clock> ChainExecutor<'a, E, C> {
    fn new(
        engine: &'a E,
        clock: &'a C,
        journal: &'a mut ChainJournal,
        sink: &'a dyn EventSink,
        stop: &'a StopSignal,
        state: ChainState,
    ) -> Self {
        let now = clock.now();
        ChainExecutor {
            engine,
            clock,
            journal,
            sink,
            stop,
            began: state.began.first().copied().unwrap_or(now),
            state,
            caller: Caller::new(now),
            percent: 0,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn since(&self, at: Timestamp) -> i64 {
        self.now().0 - at.0
    }

    fn emit(&self, event: RunEvent) {
        self.sink.emit(self.now(), event);
    }

    fn record(&mut self, record: ChainRecord) -> Result<(), JournalError> {
        let now = self.now();
        self.journal.append(now, &record)?;
        self.state.apply(now, &record);
        Ok(())
    }

    fn plan(&self) -> &ChainPlan {
        self.state.plan.as_ref().expect("a run always has a plan")
    }

    async fn call<T>(
        &mut self,
        what: &str,
        answer: impl std::future::Future<Output = Result<T, model::engine::EngineError>>,
    ) -> Reply<T> {
        let clock = self.clock;
        self.caller
            .call(|| clock.now(), self.sink, what, answer)
            .await
    }

    fn unreachable(&self) -> Option<String> {
        self.caller.unreachable(self.now())
    }

    /// Journals the intent, asks the engine, journals its answer.
    async fn act(&mut self, action: ChainAction) -> Result<(usize, Answer), JournalError> {
        let step = self.state.next_step();
        self.record(ChainRecord::Intent {
            step,
            action: action.clone(),
        })?;
        let engine = self.engine;
        let what = action.describe();
        let reply = match &action {
            ChainAction::SetClusterLevel { cluster, to, .. } => {
                let update = ClusterUpdate {
                    version: Some(*to),
                    scheduling_policy: None,
                };
                self.call(what, engine.update_cluster(*cluster, update))
                    .await
            }
            ChainAction::SetDataCenterLevel {
                data_center, to, ..
            } => {
                self.call(what, engine.update_data_center(*data_center, *to))
                    .await
            }
            ChainAction::Reboot { vm, .. } => {
                self.call(what, engine.vm_action(*vm, VmAction::Reboot))
                    .await
            }
            ChainAction::Start { vm, .. } => {
                self.call(what, engine.vm_action(*vm, VmAction::Start))
                    .await
            }
        };
        let answer = reply.into_answer();
        self.record(ChainRecord::Answered {
            step,
            answer: answer.clone(),
        })?;
        Ok((step as usize, answer))
    }

    fn observed(&mut self, step: usize, effect: Effect) -> Result<(), JournalError> {
        self.record(ChainRecord::Observed {
            step: step as u64,
            effect,
        })
    }

    async fn inventory(&mut self) -> Reply<Inventory> {
        let engine = self.engine;
        self.call("inventory", engine.inventory()).await
    }

    // ----- the run -----

    async fn go(mut self, resumed: bool) -> Result<ChainSummary, ExecuteError> {
        self.record(ChainRecord::Began { resumed })?;
        let outcome = self.work(resumed).await?;
        Ok(self.finish(outcome).await?)
    }

    async fn work(&mut self, resumed: bool) -> Result<ChainOutcome, JournalError> {
        let plan = self.plan().clone();
        self.emit(RunEvent::ChainStarted {
            run_id: self.journal.header().run_id.clone(),
            target: plan.target,
            stages: plan.stages.iter().map(ToString::to_string).collect(),
            restarts: if plan.options.restart == RestartMode::Now {
                plan.restarts()
            } else {
                0
            },
            resumed,
        });
        self.report_progress();
        for (index, stage) in plan.stages.iter().enumerate() {
            if self.state.stages_finished.contains(&index) {
                continue;
            }
            if self.stop.is_stopped() {
                return self.stopping("asked to stop: no new stage starts", ChainOutcome::Stopped);
            }
            if !self.state.stages_started.contains(&index) {
                self.record(ChainRecord::StageStarted { stage: index })?;
            }
            self.emit(RunEvent::StageStarted {
                stage: index + 1,
                of: plan.stages.len(),
                label: stage.to_string(),
            });
            let settled = match stage {
                Stage::Cluster { .. } => self.cluster_stage(index, stage).await?,
                Stage::DataCenter { .. } => self.raise(stage).await?,
            };
            if let Settled::Outcome(outcome) = settled {
                return Ok(outcome);
            }
            self.record(ChainRecord::StageFinished { stage: index })?;
            self.report_progress();
        }
        Ok(ChainOutcome::Completed)
    }

    /// Journals and tells why the run stops starting new work.
    fn stopping(
        &mut self,
        reason: &str,
        outcome: ChainOutcome,
    ) -> Result<ChainOutcome, JournalError> {
        self.record(ChainRecord::Stopping {
            reason: reason.to_owned(),
        })?;
        self.emit(RunEvent::Stopping {
            reason: reason.to_owned(),
        });
        Ok(outcome)
    }

    /// Measured share of the work done: one unit per stage, one per VM to restart (as
    /// planned once the cluster is raised, as predicted before).
    fn report_progress(&mut self) {
        let plan = self.plan();
        let restarting = plan.options.restart == RestartMode::Now;
        let vms: usize = plan
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| match (stage, self.state.batches.get(&i)) {
                (_, Some(batches)) => batches.iter().map(Vec::len).sum(),
                (Stage::Cluster { restarts, .. }, None) => *restarts,
                (Stage::DataCenter { .. }, None) => 0,
            })
            .sum();
        let total = plan.stages.len() + if restarting { vms } else { 0 };
        let done = self.state.stages_finished.len()
            + if restarting {
                self.state.settled.len()
            } else {
                0
            };
        let percent = (done.min(total) * 100).checked_div(total).unwrap_or(100) as u8;
        if percent > self.percent {
            self.percent = percent;
            self.emit(RunEvent::Progress { percent });
        }
    }

    // ----- levels -----

    fn level_action(stage: &Stage) -> ChainAction {
        match stage {
            Stage::Cluster {
                cluster,
                name,
                from,
                to,
                ..
            } => ChainAction::SetClusterLevel {
                cluster: *cluster,
                name: name.clone(),
                from: *from,
                to: *to,
            },
            Stage::DataCenter {
                data_center,
                name,
                from,
                to,
            } => ChainAction::SetDataCenterLevel {
                data_center: *data_center,
                name: name.clone(),
                from: *from,
                to: *to,
            },
        }
    }

    /// The object's level as the engine shows it now.
    fn live_level(inventory: &Inventory, action: &ChainAction) -> Option<Level> {
        match action {
            ChainAction::SetClusterLevel { cluster, .. } => inventory
                .clusters
                .iter()
                .find(|c| c.id == *cluster)
                .map(|c| c.version),
            ChainAction::SetDataCenterLevel { data_center, .. } => inventory
                .data_centers
                .iter()
                .find(|d| d.id == *data_center)
                .map(|d| d.version),
            _ => None,
        }
    }

    /// Brings the stage's object to its level, unless the engine shows it there already.
    async fn raise(&mut self, stage: &Stage) -> Result<Settled, JournalError> {
        let action = Self::level_action(stage);
        let (from, to) = stage.levels();
        let object = format!("{} {}", stage.kind(), stage.name());
        let mut attempts = self.state.level_steps(&action).count();
        loop {
            let inventory = match self.inventory().await {
                Reply::Ok(inventory) => inventory,
                Reply::Refused(detail) => {
                    return Ok(Settled::Outcome(ChainOutcome::Refused { object, detail }))
                }
                Reply::Unavailable(error) => {
                    if self.unreachable().is_some() {
                        return Ok(Settled::Outcome(ChainOutcome::EngineUnreachable { error }));
                    }
                    self.clock.sleep(POLL_INTERVAL).await;
                    continue;
                }
            };
            let Some(level) = Self::live_level(&inventory, &action) else {
                return Ok(Settled::Outcome(ChainOutcome::Refused {
                    object: object.clone(),
                    detail: format!("{object} is no longer on the engine"),
                }));
            };
            let unsettled: Vec<usize> = self
                .state
                .level_steps(&action)
                .filter(|(_, s)| s.is_unsettled() || (s.took_effect() && s.effect.is_none()))
                .map(|(i, _)| i)
                .collect();
            let shows = level >= to;
            for step in unsettled {
                let effect = if shows {
                    Effect::Done
                } else {
                    Effect::Failed {
                        reason: "not applied".into(),
                    }
                };
                self.observed(step, effect)?;
            }
            if shows {
                if self
                    .state
                    .level_steps(&action)
                    .any(|(_, s)| s.took_effect())
                {
                    self.emit(RunEvent::LevelRaised { object, from, to });
                }
                return Ok(Settled::Done);
            }
            if attempts >= LEVEL_ATTEMPTS {
                return Ok(Settled::Outcome(ChainOutcome::Refused {
                    object,
                    detail: format!("the engine accepted level {to} {LEVEL_ATTEMPTS} times and still shows {level}"),
                }));
            }
            attempts += 1;
            let (_, answer) = self.act(action.clone()).await?;
            match answer {
                Answer::Accepted => {}
                Answer::Refused { detail } => {
                    self.emit(RunEvent::LevelRefused {
                        object: object.clone(),
                        detail: detail.clone(),
                    });
                    return Ok(Settled::Outcome(ChainOutcome::Refused { object, detail }));
                }
                Answer::NoAnswer { error } => {
                    if self.unreachable().is_some() {
                        return Ok(Settled::Outcome(ChainOutcome::EngineUnreachable { error }));
                    }
                    self.clock.sleep(POLL_INTERVAL).await;
                }
            }
        }
    }

    // ----- a cluster and its VMs -----

    async fn cluster_stage(
        &mut self,
        index: usize,
        stage: &Stage,
    ) -> Result<Settled, JournalError> {
        let Stage::Cluster { cluster, name, .. } = stage else {
            unreachable!("called for cluster stages only")
        };
        if let Settled::Outcome(outcome) = self.raise(stage).await? {
            return Ok(Settled::Outcome(outcome));
        }
        match self.plan().options.restart {
            RestartMode::Never => Ok(Settled::Done),
            RestartMode::List => {
                let inventory = loop {
                    match self.inventory().await {
                        Reply::Ok(inventory) => break inventory,
                        Reply::Refused(detail) => {
                            return Ok(Settled::Outcome(ChainOutcome::Refused {
                                object: format!("cluster {name}"),
                                detail,
                            }))
                        }
                        Reply::Unavailable(error) => {
                            if self.unreachable().is_some() {
                                return Ok(Settled::Outcome(ChainOutcome::EngineUnreachable {
                                    error,
                                }));
                            }
                            self.clock.sleep(POLL_INTERVAL).await;
                        }
                    }
                };
                let vms = restarts::candidates(&inventory, *cluster)
                    .into_iter()
                    .map(|v| v.name)
                    .collect();
                self.emit(RunEvent::PendingRestarts {
                    cluster: name.clone(),
                    vms,
                });
                Ok(Settled::Done)
            }
            RestartMode::Now => self.restart_vms(index, stage).await,
        }
    }

    async fn restart_vms(&mut self, index: usize, stage: &Stage) -> Result<Settled, JournalError> {
        let Stage::Cluster { cluster, name, .. } = stage else {
            unreachable!("called for cluster stages only")
        };
        if !self.state.batches.contains_key(&index) {
            let inventory = loop {
                match self.inventory().await {
                    Reply::Ok(inventory) => break inventory,
                    Reply::Refused(detail) => {
                        return Ok(Settled::Outcome(ChainOutcome::Refused {
                            object: format!("cluster {name}"),
                            detail,
                        }))
                    }
                    Reply::Unavailable(error) => {
                        if self.unreachable().is_some() {
                            return Ok(Settled::Outcome(ChainOutcome::EngineUnreachable { error }));
                        }
                        self.clock.sleep(POLL_INTERVAL).await;
                    }
                }
            };
            let batches = restarts::batches(
                &restarts::candidates(&inventory, *cluster),
                self.plan().options.batch,
            );
            self.emit(RunEvent::RestartsPlanned {
                cluster: name.clone(),
                vms: batches.iter().map(Vec::len).sum(),
                batches: batches.len(),
            });
            self.record(ChainRecord::RestartsPlanned {
                stage: index,
                batches,
            })?;
        }
        let batches = self.state.batches[&index].clone();
        for (b, batch) in batches.iter().enumerate() {
            if batch.iter().all(|v| self.state.settled.contains_key(&v.vm)) {
                continue;
            }
            if self.state.failures() > self.plan().options.max_failures {
                let reason = format!(
                    "{} VMs did not come back, more than --max-failures {} allows: no more VMs are restarted and no level raised",
                    self.state.failures(),
                    self.plan().options.max_failures
                );
                let outcome = self.stopping(&reason, ChainOutcome::FailureBudgetSpent)?;
                return Ok(Settled::Outcome(outcome));
            }
            if self.stop.is_stopped() {
                let outcome = self.stopping(
                    "asked to stop: the batch under way finished, no new one starts",
                    ChainOutcome::Stopped,
                )?;
                return Ok(Settled::Outcome(outcome));
            }
            if !self.state.batch_started.contains_key(&(index, b)) {
                self.record(ChainRecord::BatchStarted {
                    stage: index,
                    batch: b,
                })?;
            }
            self.emit(RunEvent::RestartBatch {
                cluster: name.clone(),
                batch: b + 1,
                of: batches.len(),
                vms: batch.iter().map(|v| v.name.clone()).collect(),
            });
            loop {
                for vm in batch {
                    if !self.state.settled.contains_key(&vm.vm) {
                        self.tick_vm(index, b, vm).await?;
                    }
                }
                self.report_progress();
                if batch.iter().all(|v| self.state.settled.contains_key(&v.vm)) {
                    break;
                }
                if let Some(error) = self.unreachable() {
                    return Ok(Settled::Outcome(ChainOutcome::EngineUnreachable { error }));
                }
                self.clock.sleep(POLL_INTERVAL).await;
            }
        }
        if self.state.failures() > self.plan().options.max_failures {
            let reason = format!(
                "{} VMs did not come back, more than --max-failures {} allows: no level is raised further",
                self.state.failures(),
                self.plan().options.max_failures
            );
            let outcome = self.stopping(&reason, ChainOutcome::FailureBudgetSpent)?;
            return Ok(Settled::Outcome(outcome));
        }
        Ok(Settled::Done)
    }

    fn settle(&mut self, vm: &RestartVm, result: RestartResult) -> Result<(), JournalError> {
        match &result {
            RestartResult::Restarted { seconds } => self.emit(RunEvent::VmRestarted {
                vm: vm.name.clone(),
                seconds: *seconds,
            }),
            other => self.emit(RunEvent::VmNotRestarted {
                vm: vm.name.clone(),
                result: other.clone(),
            }),
        }
        self.record(ChainRecord::VmSettled {
            vm: vm.vm,
            name: vm.name.clone(),
            result,
        })
    }

    /// Takes one VM's restart one step further from what the engine shows now.
    async fn tick_vm(
        &mut self,
        stage: usize,
        batch: usize,
        vm: &RestartVm,
    ) -> Result<(), JournalError> {
        let engine = self.engine;
        let live: Vm = match self.call("vm", engine.vm(vm.vm)).await {
            Reply::Ok(live) => live,
            Reply::Refused(detail) => {
                return self.settle(
                    vm,
                    RestartResult::Failed {
                        reason: format!("the engine no longer shows it: {detail}"),
                        status: VmStatus::Unknown,
                    },
                )
            }
            Reply::Unavailable(_) => return Ok(()),
        };
        // Settle the last call if its answer never came, from what the VM shows.
        if let Some((index, step)) = self.state.vm_steps(vm.vm).last() {
            if step.is_unsettled() {
                let at = step.at;
                let shows = match step.action {
                    ChainAction::Reboot { .. } => {
                        !(live.status == VmStatus::Up && live.next_run_pending)
                    }
                    _ => live.status != VmStatus::Down,
                };
                if shows {
                    self.observed(index, Effect::Done)?;
                } else if self.since(at) < ACTION_GRACE_MS {
                    return Ok(());
                } else {
                    self.observed(
                        index,
                        Effect::Failed {
                            reason: "not applied".into(),
                        },
                    )?;
                }
            }
        }
        let steps: Vec<(ChainAction, Timestamp, bool, Option<String>)> = self
            .state
            .vm_steps(vm.vm)
            .map(|(_, s)| {
                (
                    s.action.clone(),
                    s.at,
                    s.took_effect(),
                    s.refused().map(str::to_owned),
                )
            })
            .collect();
        let first_at = steps.first().map(|(_, at, _, _)| *at);
        let reboots = steps
            .iter()
            .filter(|(a, ..)| matches!(a, ChainAction::Reboot { .. }))
            .count();
        let starts = steps
            .iter()
            .filter(|(a, ..)| matches!(a, ChainAction::Start { .. }))
            .count();
        let last = steps.last().cloned();
        let timeout_ms = i64::from(self.plan().options.restart_timeout_minutes) * 60_000;
        let last_refusal = steps.iter().rev().find_map(|(.., refused)| refused.clone());
        match live.status {
            VmStatus::Up if !live.next_run_pending => {
                let result = match first_at {
                    Some(at) => RestartResult::Restarted {
                        seconds: (self.since(at).max(0) / 1000) as u64,
                    },
                    None => RestartResult::AlreadyApplied,
                };
                self.settle(vm, result)
            }
            VmStatus::Up => {
                let waiting = last.as_ref().is_some_and(|(action, at, took, _)| {
                    matches!(action, ChainAction::Reboot { .. })
                        && *took
                        && self.since(*at) < ACTION_GRACE_MS
                });
                if waiting {
                    return Ok(());
                }
                if reboots >= REBOOT_ATTEMPTS {
                    let reason =
                        last_refusal.unwrap_or_else(|| "the engine did not reboot it".into());
                    return self.settle(
                        vm,
                        RestartResult::Failed {
                            reason,
                            status: live.status,
                        },
                    );
                }
                self.emit(RunEvent::VmRestarting {
                    vm: vm.name.clone(),
                });
                self.act(ChainAction::Reboot {
                    vm: vm.vm,
                    vm_name: vm.name.clone(),
                })
                .await?;
                Ok(())
            }
            VmStatus::Down if steps.is_empty() => self.settle(vm, RestartResult::WasDown),
            VmStatus::Down => {
                let waiting = last.as_ref().is_some_and(|(action, at, took, _)| {
                    matches!(action, ChainAction::Start { .. })
                        && *took
                        && self.since(*at) < ACTION_GRACE_MS
                });
                if waiting {
                    return Ok(());
                }
                if starts >= START_ATTEMPTS {
                    let reason = last_refusal
                        .unwrap_or_else(|| "it went down again after every start".into());
                    return self.settle(
                        vm,
                        RestartResult::Failed {
                            reason: format!("did not start again: {reason}"),
                            status: live.status,
                        },
                    );
                }
                self.act(ChainAction::Start {
                    vm: vm.vm,
                    vm_name: vm.name.clone(),
                })
                .await?;
                Ok(())
            }
            VmStatus::Paused
            | VmStatus::Suspended
            | VmStatus::NotResponding
            | VmStatus::Unknown
            | VmStatus::ImageLocked
                if steps.is_empty() =>
            {
                self.settle(
                    vm,
                    RestartResult::NeedsManualRestart {
                        status: live.status,
                    },
                )
            }
            status => {
                let since =
                    first_at.or_else(|| self.state.batch_started.get(&(stage, batch)).copied());
                if since.is_some_and(|at| self.since(at) > timeout_ms) {
                    let minutes = timeout_ms / 60_000;
                    return self.settle(
                        vm,
                        RestartResult::Failed {
                            reason: format!(
                                "not back within {minutes} minutes (last seen {status})"
                            ),
                            status,
                        },
                    );
                }
                Ok(())
            }
        }
    }

    // ----- the end -----

    async fn finish(mut self, outcome: ChainOutcome) -> Result<ChainSummary, JournalError> {
        let began = self.now();
        let end_state = loop {
            match self.inventory().await {
                Reply::Ok(inventory) => break Some(verify_end_state(&inventory, self.plan())),
                Reply::Refused(_) => break None,
                Reply::Unavailable(_) if self.since(began) < END_STATE_PATIENCE_MS => {
                    self.clock.sleep(POLL_INTERVAL).await;
                }
                Reply::Unavailable(_) => break None,
            }
        };
        let (restarted, failed, not_restarted) = self.state.restart_reports();
        let summary = ChainSummary {
            outcome,
            target: self.plan().target,
            restart_mode: self.plan().options.restart,
            raised: self.state.raised(),
            restarted,
            failed,
            not_restarted,
            end_state,
            duration_seconds: (self.since(self.began).max(0) / 1000) as u64,
        };
        if summary.outcome == ChainOutcome::Completed {
            self.report_progress();
        }
        self.record(ChainRecord::Finished {
            summary: summary.clone(),
        })?;
        self.emit(RunEvent::ChainFinished {
            summary: summary.clone(),
        });
        Ok(summary)
    }
}
