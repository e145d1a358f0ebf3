//! A chain run's state, folded from its journal, its end and its summary, and where a
//! journaled run stands for `ovirt-upgrade status`.

use crate::journal::Fold;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use model::{Level, Text, Timestamp, VmId, VmStatus};
use serde::{Deserialize, Serialize};

use super::plan::{ChainPlan, EndState, LevelObject, RestartMode};
use super::restarts::RestartVm;
use super::{ChainAction, ChainEntry, ChainHeader, ChainRecord};
use crate::state::{RunPhase, Step};

/// How a VM's restart ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RestartResult {
    /// Up again with the new configuration, after `seconds` away (measured by polling, to
    /// within a few seconds).
    Restarted { seconds: u64 },
    /// Its configuration was applied before its turn (someone restarted it).
    AlreadyApplied,
    /// Down at its turn: it takes the level when it next starts.
    WasDown,
    /// Not back: down, or stuck in `status`.
    Failed { reason: String, status: VmStatus },
    /// Paused, suspended or unresponsive: not restarted; it needs a hand.
    NeedsManualRestart { status: VmStatus },
}

impl RestartResult {
    pub fn is_failure(&self) -> bool {
        matches!(self, RestartResult::Failed { .. })
    }

    /// How the restart ended, in both languages.
    pub fn message(&self) -> Text {
        match self {
            RestartResult::Restarted { seconds } => {
                let away = model::text::duration(*seconds);
                Text::owned(
                    format!("back after {}", away.en),
                    format!("{} 後に復帰", away.ja),
                )
            }
            RestartResult::AlreadyApplied => Text::new(
                "its configuration was applied before its turn",
                "順番が来る前に設定が適用済み",
            ),
            RestartResult::WasDown => Text::new(
                "down: takes the level at its next start",
                "停止中: 次回起動時に新しい互換レベルになります",
            ),
            RestartResult::Failed { reason, status } => Text::owned(
                format!("{reason} (now {status})"),
                format!("{reason} (現在 {status})"),
            ),
            RestartResult::NeedsManualRestart { status } => Text::owned(
                format!("{status}: restart it by hand once it runs normally"),
                format!("{status}: 通常の状態に戻ってから手動で再起動してください"),
            ),
        }
    }
}

/// How a chain run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainOutcome {
    /// Every stage was carried out.
    Completed,
    /// The engine refused a level; nothing after it was started.
    Refused { object: String, detail: String },
    /// More VMs failed to come back than `--max-failures` allows.
    FailureBudgetSpent,
    /// Asked to stop (Ctrl-C); `resume` goes on.
    Stopped,
    /// The engine could not be reached; `resume` goes on when it is back.
    EngineUnreachable { error: String },
}

/// The hosts a level change waits for, from the engine's refusal
/// (`CLUSTER_CANNOT_UPDATE_COMPATIBILITY_VERSION_WITH_LOWER_HOSTS`: "-Please move Host h1, h2
/// with lower version to maintenance first.").
pub fn hosts_behind(detail: &str) -> Option<&str> {
    let (_, rest) = detail.split_once("Please move Host ")?;
    let (hosts, _) = rest.split_once(" with lower version")?;
    Some(hosts)
}

impl ChainOutcome {
    pub fn message(&self) -> Text {
        match self {
            ChainOutcome::Completed => Text::new("completed", "完了"),
            ChainOutcome::Refused { object, detail } => match hosts_behind(detail) {
                Some(hosts) => Text::owned(
                    format!("stopped: the engine refused to change {object}: hosts {hosts} are up and cannot run the new level; upgrade them first (ovirt-upgrade cluster-upgrade) or put them in maintenance, then resume (engine: {detail})"),
                    format!("停止: エンジンが {object} の変更を拒否しました: ホスト {hosts} が稼働中で新しい互換レベルに対応していません。先にアップグレードする (ovirt-upgrade cluster-upgrade) かメンテナンスにしてから resume してください (エンジン: {detail})"),
                ),
                None => Text::owned(
                    format!("stopped: the engine refused to change {object}: {detail}"),
                    format!("停止: エンジンが {object} の変更を拒否しました: {detail}"),
                ),
            },
            ChainOutcome::FailureBudgetSpent => Text::new(
                "stopped: more VMs failed to come back than --max-failures allows; nothing more was restarted or raised",
                "停止: --max-failures を超える仮想マシンが戻りませんでした。以降の再起動と互換レベルの変更は行っていません",
            ),
            ChainOutcome::Stopped => Text::new(
                "stopped on request; `ovirt-upgrade resume` goes on",
                "要求により停止。`ovirt-upgrade resume` で続行します",
            ),
            ChainOutcome::EngineUnreachable { error } => Text::owned(
                format!("stopped: the engine could not be reached ({error}); `ovirt-upgrade resume` goes on when it is back"),
                format!("停止: エンジンに接続できません ({error})。戻ったら `ovirt-upgrade resume` で続行します"),
            ),
        }
    }
}

impl fmt::Display for ChainOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

/// A level the run changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChange {
    pub object: String,
    pub from: Level,
    pub to: Level,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmRestarted {
    pub vm: String,
    pub seconds: u64,
    pub highly_available: bool,
}

/// A VM the run did not (successfully) restart, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmNote {
    pub vm: String,
    pub result: RestartResult,
}

/// The chain in numbers, at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainSummary {
    pub outcome: ChainOutcome,
    pub target: Level,
    pub restart_mode: RestartMode,
    pub raised: Vec<LevelChange>,
    pub restarted: Vec<VmRestarted>,
    /// VMs that did not come back.
    pub failed: Vec<VmNote>,
    /// VMs left alone, and why (down, applied already, needing a hand).
    pub not_restarted: Vec<VmNote>,
    /// The objects' levels and the VMs still waiting, as the engine showed them at the end;
    /// none when it could not be reached.
    pub end_state: Option<EndState>,
    pub duration_seconds: u64,
}

impl ChainSummary {
    /// Done, and the end state shows it: every level at the target and, when the VMs were to
    /// be restarted, none still waiting.
    pub fn is_clean(&self) -> bool {
        self.outcome == ChainOutcome::Completed
            && self.failed.is_empty()
            && self.end_state.as_ref().is_some_and(|end| {
                end.levels_at_target()
                    && (end.pending.is_empty() || self.restart_mode != RestartMode::Now)
            })
    }

    /// Total and longest downtime of the restarted VMs, in seconds.
    pub fn downtime(&self) -> (u64, u64) {
        let total = self.restarted.iter().map(|r| r.seconds).sum();
        let longest = self.restarted.iter().map(|r| r.seconds).max().unwrap_or(0);
        (total, longest)
    }
}

/// What the journal says, folded.
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    pub plan: Option<ChainPlan>,
    pub began: Vec<Timestamp>,
    pub steps: Vec<Step<ChainAction>>,
    vm_steps: BTreeMap<VmId, Vec<usize>>,
    pub stages_started: BTreeSet<usize>,
    pub stages_finished: BTreeSet<usize>,
    pub batches: BTreeMap<usize, Vec<Vec<RestartVm>>>,
    /// When each batch started, by stage and batch.
    pub batch_started: BTreeMap<(usize, usize), Timestamp>,
    pub settled: BTreeMap<VmId, (String, RestartResult)>,
    /// Settled VMs in the order they settled.
    pub settle_order: Vec<VmId>,
    pub stopping: Option<String>,
    pub finished: Option<ChainSummary>,
    pub last_at: Option<Timestamp>,
}

impl Fold for ChainState {
    type Record = ChainRecord;

    fn apply(&mut self, at: Timestamp, record: &ChainRecord) {
        self.last_at = Some(at);
        match record {
            ChainRecord::Planned { plan } => self.plan = Some(plan.clone()),
            ChainRecord::Began { .. } => self.began.push(at),
            ChainRecord::StageStarted { stage } => {
                self.stages_started.insert(*stage);
            }
            ChainRecord::Intent { action, .. } => {
                if let Some(vm) = action.vm() {
                    self.vm_steps.entry(vm).or_default().push(self.steps.len());
                }
                self.steps.push(Step {
                    action: action.clone(),
                    at,
                    answer: None,
                    effect: None,
                });
            }
            ChainRecord::Answered { step, answer } => {
                if let Some(s) = self.steps.get_mut(*step as usize) {
                    s.answer = Some(answer.clone());
                }
            }
            ChainRecord::Observed { step, effect } => {
                if let Some(s) = self.steps.get_mut(*step as usize) {
                    s.effect = Some(effect.clone());
                }
            }
            ChainRecord::RestartsPlanned { stage, batches } => {
                self.batches.insert(*stage, batches.clone());
            }
            ChainRecord::BatchStarted { stage, batch } => {
                self.batch_started.entry((*stage, *batch)).or_insert(at);
            }
            ChainRecord::VmSettled { vm, name, result } => {
                if self
                    .settled
                    .insert(*vm, (name.clone(), result.clone()))
                    .is_none()
                {
                    self.settle_order.push(*vm);
                }
            }
            ChainRecord::StageFinished { stage } => {
                self.stages_finished.insert(*stage);
            }
            ChainRecord::Stopping { reason } => {
                self.stopping.get_or_insert_with(|| reason.clone());
            }
            ChainRecord::Finished { summary } => self.finished = Some(summary.clone()),
        }
    }
}

impl ChainState {
    pub fn next_step(&self) -> u64 {
        self.steps.len() as u64
    }

    pub fn vm_steps(&self, vm: VmId) -> impl Iterator<Item = (usize, &Step<ChainAction>)> {
        self.vm_steps
            .get(&vm)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.steps[i]))
    }

    /// The level steps of a stage's object, by index.
    pub fn level_steps<'a>(
        &'a self,
        action: &'a ChainAction,
    ) -> impl Iterator<Item = (usize, &'a Step<ChainAction>)> + 'a {
        self.steps
            .iter()
            .enumerate()
            .filter(move |(_, s)| same_object(&s.action, action))
    }

    pub fn failures(&self) -> usize {
        self.settled
            .values()
            .filter(|(_, r)| r.is_failure())
            .count()
    }

    /// The levels the run changed and saw take effect.
    pub fn raised(&self) -> Vec<LevelChange> {
        self.steps
            .iter()
            .filter(|s| s.took_effect())
            .filter_map(|s| match &s.action {
                ChainAction::SetClusterLevel { name, from, to, .. } => Some(LevelChange {
                    object: format!("cluster {name}"),
                    from: *from,
                    to: *to,
                }),
                ChainAction::SetDataCenterLevel { name, from, to, .. } => Some(LevelChange {
                    object: format!("data center {name}"),
                    from: *from,
                    to: *to,
                }),
                _ => None,
            })
            .collect()
    }

    /// Restarted VMs, and the others, in the order they settled.
    pub fn restart_reports(&self) -> (Vec<VmRestarted>, Vec<VmNote>, Vec<VmNote>) {
        let highly_available: BTreeSet<VmId> = self
            .batches
            .values()
            .flatten()
            .flatten()
            .filter(|v| v.highly_available)
            .map(|v| v.vm)
            .collect();
        let (mut restarted, mut failed, mut others) = (Vec::new(), Vec::new(), Vec::new());
        for vm in &self.settle_order {
            let (name, result) = &self.settled[vm];
            match result {
                RestartResult::Restarted { seconds } => restarted.push(VmRestarted {
                    vm: name.clone(),
                    seconds: *seconds,
                    highly_available: highly_available.contains(vm),
                }),
                RestartResult::Failed { .. } => failed.push(VmNote {
                    vm: name.clone(),
                    result: result.clone(),
                }),
                _ => others.push(VmNote {
                    vm: name.clone(),
                    result: result.clone(),
                }),
            }
        }
        (restarted, failed, others)
    }
}

/// Whether two level actions are about the same cluster or data center.
fn same_object(a: &ChainAction, b: &ChainAction) -> bool {
    match (a, b) {
        (
            ChainAction::SetClusterLevel { cluster: x, .. },
            ChainAction::SetClusterLevel { cluster: y, .. },
        ) => x == y,
        (
            ChainAction::SetDataCenterLevel { data_center: x, .. },
            ChainAction::SetDataCenterLevel { data_center: y, .. },
        ) => x == y,
        _ => false,
    }
}

/// One stage, as `status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StageStatus {
    pub stage: String,
    pub state: StagePhase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StagePhase {
    Pending,
    UnderWay,
    Done,
}

/// Where a journaled chain run stands, for `ovirt-upgrade status`.
#[derive(Debug, Clone, Serialize)]
pub struct ChainStatus {
    pub run_id: String,
    pub engine: String,
    pub command: String,
    pub correlation_id: String,
    pub state: RunPhase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Level>,
    pub stages: Vec<StageStatus>,
    pub restarted: usize,
    pub failed: Vec<String>,
    /// VMs of the batch under way not settled yet.
    pub restarting: Vec<String>,
    pub unsettled_steps: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_because: Option<String>,
    pub records: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_record_at: Option<Timestamp>,
    /// Objects already at the target when the run was planned.
    pub unchanged: Vec<LevelObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<ChainSummary>,
}

impl ChainStatus {
    pub fn from_journal(header: &ChainHeader, entries: &[ChainEntry]) -> ChainStatus {
        let state = ChainState::from_entries(entries);
        let stages = state
            .plan
            .iter()
            .flat_map(|p| p.stages.iter().enumerate())
            .map(|(i, stage)| StageStatus {
                stage: stage.to_string(),
                state: if state.stages_finished.contains(&i) {
                    StagePhase::Done
                } else if state.stages_started.contains(&i) {
                    StagePhase::UnderWay
                } else {
                    StagePhase::Pending
                },
            })
            .collect();
        let (restarted, failed, _) = state.restart_reports();
        let restarting = state
            .batch_started
            .keys()
            .next_back()
            .and_then(|(stage, batch)| state.batches.get(stage)?.get(*batch))
            .into_iter()
            .flatten()
            .filter(|v| !state.settled.contains_key(&v.vm))
            .map(|v| v.name.clone())
            .collect();
        let phase = if state.finished.is_some() {
            RunPhase::Finished
        } else if state.began.is_empty() {
            RunPhase::Planned
        } else {
            RunPhase::Interrupted
        };
        ChainStatus {
            run_id: header.run_id.clone(),
            engine: header.engine.clone(),
            command: header.command.clone(),
            correlation_id: header.correlation_id.clone(),
            state: phase,
            target: state.plan.as_ref().map(|p| p.target),
            stages,
            restarted: restarted.len(),
            failed: failed.into_iter().map(|f| f.vm).collect(),
            restarting,
            unsettled_steps: state.steps.iter().filter(|s| s.is_unsettled()).count(),
            stopped_because: state.stopping.clone(),
            records: entries.len(),
            last_record_at: state.last_at,
            unchanged: state
                .plan
                .as_ref()
                .map(|p| p.unchanged.clone())
                .unwrap_or_default(),
            summary: state.finished.clone(),
        }
    }
}
