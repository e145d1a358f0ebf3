//! Progress as data: what a run tells while it works, and its final summary. The executor
//! emits typed events; the CLI turns them into progress bars, text or JSON lines.

use std::fmt;

use model::engine::Severity;
use model::text::duration;
use model::{HostStatus, Level, SchedulingPolicy, Text, Timestamp, Version};
use serde::{Deserialize, Serialize};

use crate::chain::{ChainPlan, ChainSummary, RestartResult};
use crate::hosted_engine::{EngineStatus, GlobalMaintenanceReport};
use crate::migrate::{MigrateSummary, MigrationFailure, Stage};
use crate::workflow::{WorkflowStep, WorkflowSummary};

/// Receives a run's events, in order.
pub trait EventSink: Send + Sync {
    fn emit(&self, at: Timestamp, event: RunEvent);
}

/// Drops every event.
pub struct Discard;

impl EventSink for Discard {
    fn emit(&self, _: Timestamp, _: RunEvent) {}
}

/// Why the scheduling policy changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyReason {
    /// `cluster_maintenance` for the run: no balancing, no new non-HA VM starts.
    RunStarts,
    /// The original policy for a moment, so the pinned VMs of an upgraded host may start.
    PinnedVmsStart,
    /// Back to `cluster_maintenance` once they started.
    PinnedVmsStarted,
    /// The original policy, whatever happened.
    RunEnds,
}

impl PolicyReason {
    /// Why, as the policy switch's line ends in parentheses.
    pub fn message(self) -> Text {
        match self {
            PolicyReason::RunStarts => Text::new("for the run", "実行中のため"),
            PolicyReason::PinnedVmsStart => Text::new(
                "for a moment, so pinned VMs may start",
                "固定 VM 起動のため一時的に",
            ),
            PolicyReason::PinnedVmsStarted => Text::new("again", "再び"),
            PolicyReason::RunEnds => Text::new("restored", "復元"),
        }
    }
}

/// What a host is doing in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostPhase {
    Evacuating,
    StoppingPinnedVms,
    Upgrading,
    StartingPinnedVms,
}

impl HostPhase {
    pub fn message(self) -> Text {
        match self {
            HostPhase::Evacuating => Text::new("migrating its VMs away", "VM を移行中"),
            HostPhase::StoppingPinnedVms => {
                Text::new("shutting pinned VMs down", "固定 VM をシャットダウン中")
            }
            HostPhase::Upgrading => Text::new("upgrading", "アップグレード中"),
            HostPhase::StartingPinnedVms => {
                Text::new("starting pinned VMs again", "固定 VM を起動中")
            }
        }
    }
}

/// Why a host was not upgraded. Every failed host is left safe: empty, or up with its VMs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostFailure {
    /// The package installation failed (`install_failed`, event 841).
    InstallFailed,
    /// Not back within the timeout; last seen in `status`.
    TimedOut { status: HostStatus, minutes: u32 },
    /// The host went to a state the engine does not recover from by itself; `reason` is the
    /// engine's own word for it where it logged one (154: a level the host cannot run).
    BadState {
        status: HostStatus,
        reason: Option<String>,
    },
    /// The engine refused the upgrade.
    Refused { detail: String },
    /// The engine accepted the upgrade, then could not take the host to maintenance and
    /// gave it up (events 17 and 841); `detail` is what the engine logged.
    Abandoned { detail: String },
    /// A VM could not be moved off; the host stays up and keeps what did not move.
    CannotEvacuate { vm: String, detail: String },
    /// A pinned VM would not shut down; the host stays up.
    CannotStopVm { vm: String, detail: String },
}

impl HostFailure {
    /// What happened to the host and what to do, in both languages.
    pub fn message(&self) -> Text {
        match self {
            HostFailure::InstallFailed => Text::new(
                "the package installation failed (install_failed); read the host upgrade log under /var/log/ovirt-engine/host-deploy, fix it, then upgrade the host again",
                "パッケージのインストールに失敗しました (install_failed)。/var/log/ovirt-engine/host-deploy のログを確認し、修正してから再度アップグレードしてください",
            ),
            HostFailure::TimedOut { status, minutes } => Text::owned(
                format!("not back within {minutes} minutes (last seen {status}); check its console, then activate or reinstall it"),
                format!("{minutes} 分以内に戻りませんでした (最後は {status})。コンソールを確認し、有効化または再インストールしてください"),
            ),
            HostFailure::BadState { status, reason: None } => Text::owned(
                format!("the host went {status}; check it in the Administration Portal, then activate it"),
                format!("ホストが {status} になりました。管理ポータルで確認してから有効化してください"),
            ),
            HostFailure::BadState { status, reason: Some(reason) } => Text::owned(
                format!("the host went {status}: {reason} Fix that, then activate it"),
                format!("ホストが {status} になりました: {reason} これを解消してから有効化してください"),
            ),
            HostFailure::Refused { detail } => Text::owned(
                format!("the engine refused the upgrade: {detail}"),
                format!("エンジンがアップグレードを拒否しました: {detail}"),
            ),
            HostFailure::Abandoned { detail } => Text::owned(
                format!("the engine accepted the upgrade, then gave it up because the host could not go to maintenance ({detail}); the host stays up with its VMs: read the engine's events for the reason, free the host, then upgrade it again"),
                format!("エンジンはアップグレードを受け付けた後、ホストをメンテナンスモードにできず中止しました ({detail})。ホストは VM を保持したまま稼働しています。エンジンのイベントで理由を確認し、ホストを空けてから再度アップグレードしてください"),
            ),
            HostFailure::CannotEvacuate { vm, detail } => Text::owned(
                format!("VM {vm} could not be moved off ({detail}); the host stays up with what did not move"),
                format!("VM {vm} を移行できませんでした ({detail})。ホストは稼働したまま、移行できなかった VM を保持します"),
            ),
            HostFailure::CannotStopVm { vm, detail } => Text::owned(
                format!("pinned VM {vm} would not shut down ({detail}); the host stays up"),
                format!("固定 VM {vm} がシャットダウンしませんでした ({detail})。ホストは稼働したままです"),
            ),
        }
    }
}

/// The English message, as journals and errors keep it.
impl fmt::Display for HostFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().en)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    RunStarted {
        run_id: String,
        cluster: String,
        correlation_id: String,
        hosts: usize,
        waves: usize,
        migrations: usize,
        predicted_seconds: u64,
        resumed: bool,
    },
    PolicySwitched {
        from: SchedulingPolicy,
        to: SchedulingPolicy,
        reason: PolicyReason,
    },
    WaveStarted {
        wave: usize,
        of: usize,
        hosts: Vec<String>,
    },
    HostPhase {
        host: String,
        phase: HostPhase,
    },
    HostStatus {
        host: String,
        status: HostStatus,
    },
    MigrationStarted {
        vm: String,
        from: String,
        to: String,
    },
    MigrationDone {
        vm: String,
        to: String,
    },
    MigrationFailed {
        vm: String,
        to: String,
        reason: String,
        attempt: u32,
    },
    VmStopping {
        vm: String,
        host: String,
        forced: bool,
    },
    VmStopped {
        vm: String,
    },
    VmStarted {
        vm: String,
    },
    /// A local domain's import is asked for (no REST call does it).
    ImportAsked {
        host: String,
        domain: String,
        path: String,
    },
    /// Registered again from a local domain imported after its host's reinstall.
    VmRegistered {
        vm: String,
        domain: String,
    },
    VmStartFailed {
        vm: String,
        reason: String,
    },
    HostUpgraded {
        host: String,
        seconds: u64,
    },
    HostFailed {
        host: String,
        failure: HostFailure,
    },
    Replanned {
        revision: u32,
        reason: String,
        waves: usize,
    },
    /// Measured share of the run's work done, 0–100, never going back.
    Progress {
        percent: u8,
    },
    /// An entry of the engine's own event log about the cluster.
    EngineEvent {
        id: u64,
        code: u32,
        severity: Severity,
        description: String,
        /// The correlation id the engine filed it under (the run's, for what the run caused).
        #[serde(skip_serializing_if = "Option::is_none")]
        correlation_id: Option<String>,
    },
    /// A call failed in a way worth trying again.
    Retrying {
        call: String,
        error: String,
    },
    /// The run stops starting new work, and why.
    Stopping {
        reason: String,
    },
    RunFinished {
        summary: Summary,
    },

    // ----- global maintenance (hosted engine) -----
    /// Global maintenance is now on or off (or already was).
    GlobalMaintenance {
        enabled: bool,
        already: bool,
    },
    /// The engine's status as `hosted-engine --vm-status` would show it, each time it changes
    /// while waiting for its health.
    EngineStatus {
        status: EngineStatus,
    },
    /// The engine is up with good health again.
    EngineHealthy {
        seconds: u64,
    },

    // ----- the compatibility chain -----
    ChainStarted {
        run_id: String,
        target: Level,
        stages: Vec<String>,
        restarts: usize,
        resumed: bool,
    },
    StageStarted {
        stage: usize,
        of: usize,
        label: String,
    },
    LevelRaised {
        object: String,
        from: Level,
        to: Level,
    },
    LevelRefused {
        object: String,
        detail: String,
    },
    RestartsPlanned {
        cluster: String,
        vms: usize,
        batches: usize,
    },
    /// `--restart-vms list`: the VMs waiting for a restart.
    PendingRestarts {
        cluster: String,
        vms: Vec<String>,
    },
    RestartBatch {
        cluster: String,
        batch: usize,
        of: usize,
        vms: Vec<String>,
    },
    VmRestarting {
        vm: String,
    },
    VmRestarted {
        vm: String,
        seconds: u64,
    },
    /// A VM the run could not restart, or left alone, and why.
    VmNotRestarted {
        vm: String,
        result: RestartResult,
    },
    ChainFinished {
        summary: ChainSummary,
    },

    // ----- the whole upgrade (workflow) -----
    /// A step of the workflow begins (or is picked up again).
    WorkflowStepStarted {
        step: usize,
        of: usize,
        what: WorkflowStep,
    },
    /// Global maintenance was set, with what the engine showed.
    GlobalMaintenanceSet {
        report: GlobalMaintenanceReport,
    },
    /// The Manager runs `to` now (or did already).
    ManagerUpdated {
        from: Version,
        to: Version,
        already: bool,
    },
    /// A host whose installation failed is activated and upgraded again.
    HostRetrying {
        host: String,
    },
    /// The compatibility chain's plan, before it runs.
    ChainPlanned {
        plan: ChainPlan,
    },
    WorkflowFinished {
        summary: WorkflowSummary,
    },

    // ----- the host migration to 4.4 -----
    MigrateStarted {
        run_id: String,
        cluster: String,
        hosts: usize,
        waves: usize,
        migrations: usize,
        predicted_seconds: u64,
        resumed: bool,
    },
    /// A host enters a step of its migration.
    MigrateStage {
        host: String,
        stage: Stage,
    },
    /// Reinstalled, added back and up.
    HostMigrated {
        host: String,
        seconds: u64,
    },
    HostMigrationFailed {
        host: String,
        failure: MigrationFailure,
    },
    MigrateFinished {
        summary: MigrateSummary,
    },
}

/// "12 hosts in 6 waves, 40 migrations, about 3 h": the size of a run as its start line gives it.
fn run_size(hosts: usize, waves: usize, migrations: usize, predicted_seconds: u64) -> Text {
    let about = duration(predicted_seconds);
    Text::owned(
        format!(
            "{hosts} hosts in {waves} waves, {migrations} migrations, about {}",
            about.en
        ),
        format!(
            "ホスト {hosts} 台、{waves} ウェーブ、移行 {migrations} 回、約 {}",
            about.ja
        ),
    )
}

impl RunEvent {
    /// The line the event tells as the run goes, in both languages; `None` for an event that
    /// only moves a progress bar, or that carries a result (a summary, a plan, a workflow step)
    /// its reporter shows whole. Which lines a terminal shows at which verbosity is the
    /// reporter's choice.
    pub fn message(&self) -> Option<Text> {
        Some(match self {
            RunEvent::RunStarted {
                cluster,
                hosts,
                waves,
                migrations,
                predicted_seconds,
                resumed,
                ..
            } => {
                let size = run_size(*hosts, *waves, *migrations, *predicted_seconds);
                let (en, ja) = if *resumed {
                    ("resuming", "再開")
                } else {
                    ("upgrading", "アップグレード")
                };
                Text::owned(
                    format!("{en} cluster {cluster}: {}", size.en),
                    format!("クラスター {cluster} の{ja}: {}", size.ja),
                )
            }
            RunEvent::PolicySwitched { from, to, reason } => {
                let why = reason.message();
                Text::owned(
                    format!("scheduling policy {from} → {to} ({})", why.en),
                    format!("スケジューリングポリシー {from} → {to} ({})", why.ja),
                )
            }
            RunEvent::WaveStarted { wave, of, hosts } => {
                let hosts = hosts.join(", ");
                Text::owned(
                    format!("wave {wave}/{of}: {hosts}"),
                    format!("ウェーブ {wave}/{of}: {hosts}"),
                )
            }
            RunEvent::HostUpgraded { host, seconds } => {
                let took = duration(*seconds);
                Text::owned(
                    format!("{host} upgraded ({})", took.en),
                    format!("{host} アップグレード完了 ({})", took.ja),
                )
            }
            RunEvent::HostFailed { host, failure } => host_failed(host, failure.message()),
            RunEvent::VmStopping {
                vm,
                host,
                forced: false,
            } => Text::owned(
                format!("shutting VM {vm} down on {host}: it cannot migrate"),
                format!("{host} の VM {vm} をシャットダウン (移行できません)"),
            ),
            RunEvent::VmStopping {
                vm,
                host,
                forced: true,
            } => Text::owned(
                format!("powering VM {vm} off on {host}: it did not shut down in time"),
                format!("{host} の VM {vm} を電源オフ (時間内にシャットダウンしませんでした)"),
            ),
            RunEvent::VmStarted { vm } => Text::owned(
                format!("started VM {vm} again"),
                format!("VM {vm} を再起動"),
            ),
            RunEvent::ImportAsked { host, domain, path } => Text::owned(
                format!("{host}: importing local domain {domain} from {path}"),
                format!("{host}: ローカルドメイン {domain} を {path} からインポート中"),
            ),
            RunEvent::VmRegistered { vm, domain } => Text::owned(
                format!("registered VM {vm} from imported domain {domain}"),
                format!("インポートしたドメイン {domain} から VM {vm} を登録"),
            ),
            RunEvent::VmStartFailed { vm, reason } => Text::owned(
                format!("could not start {vm}: {reason}"),
                format!("起動できません: {vm}: {reason}"),
            ),
            RunEvent::MigrationFailed {
                vm,
                to,
                reason,
                attempt,
            } => Text::owned(
                format!("migration failed {vm} → {to} ({attempt}): {reason}"),
                format!("移行失敗 {vm} → {to} ({attempt}): {reason}"),
            ),
            RunEvent::Replanned { reason, waves, .. } => Text::owned(
                format!("planned again ({reason}): {waves} waves left"),
                format!("再計画 ({reason}): 残り {waves} ウェーブ"),
            ),
            RunEvent::MigrationStarted { vm, from, to } => {
                Text::same(format!("{vm}: {from} → {to}"))
            }
            RunEvent::EngineEvent {
                code, description, ..
            } => Text::same(format!("[engine {code}] {description}")),
            RunEvent::Retrying { call, error } => Text::owned(
                format!("retrying {call}: {error}"),
                format!("再試行 {call}: {error}"),
            ),
            RunEvent::Stopping { reason } => {
                Text::owned(format!("stopping: {reason}"), format!("停止中: {reason}"))
            }
            RunEvent::EngineStatus { status } => {
                let (en, ja) = if status.is_healthy() {
                    ("", "")
                } else {
                    (" (waiting)", " (待機中)")
                };
                Text::owned(
                    format!("engine status {status}{en}"),
                    format!("エンジンの状態: {status}{ja}"),
                )
            }
            RunEvent::StageStarted { stage, of, label } => {
                Text::same(format!("[{stage}/{of}] {label}"))
            }
            RunEvent::LevelRaised { object, from, to } => Text::owned(
                format!("{object} raised: {from} → {to}"),
                format!("{object} を変更しました: {from} → {to}"),
            ),
            RunEvent::LevelRefused { object, detail } => Text::owned(
                format!("the engine refused to change {object}: {detail}"),
                format!("エンジンが {object} の変更を拒否しました: {detail}"),
            ),
            RunEvent::RestartsPlanned {
                cluster,
                vms,
                batches,
            } => Text::owned(
                format!("{cluster}: {vms} VMs to restart in {batches} batches"),
                format!("{cluster}: 仮想マシン {vms} 台を {batches} バッチで再起動"),
            ),
            RunEvent::PendingRestarts { cluster, vms } => {
                let (count, vms) = (vms.len(), vms.join(", "));
                Text::owned(
                    format!("{cluster}: {count} VMs wait for a restart: {vms}"),
                    format!("{cluster}: 再起動待ちの仮想マシン {count} 台: {vms}"),
                )
            }
            RunEvent::RestartBatch {
                cluster,
                batch,
                of,
                vms,
            } => {
                let vms = vms.join(", ");
                Text::owned(
                    format!("{cluster} batch {batch}/{of}: {vms}"),
                    format!("{cluster} バッチ {batch}/{of}: {vms}"),
                )
            }
            RunEvent::VmRestarted { vm, seconds } => {
                let result = RestartResult::Restarted { seconds: *seconds }.message();
                Text::owned(
                    format!("{vm}: {}", result.en),
                    format!("{vm}: {}", result.ja),
                )
            }
            RunEvent::VmNotRestarted { vm, result } => {
                let result = result.message();
                Text::owned(
                    format!("{vm}: {}", result.en),
                    format!("{vm}: {}", result.ja),
                )
            }
            // Bars, summaries and the workflow's reporter show these.
            RunEvent::HostPhase { .. }
            | RunEvent::HostStatus { .. }
            | RunEvent::MigrationDone { .. }
            | RunEvent::VmStopped { .. }
            | RunEvent::Progress { .. }
            | RunEvent::RunFinished { .. }
            | RunEvent::GlobalMaintenance { .. }
            | RunEvent::EngineHealthy { .. }
            | RunEvent::ChainStarted { .. }
            | RunEvent::VmRestarting { .. }
            | RunEvent::ChainFinished { .. }
            | RunEvent::WorkflowStepStarted { .. }
            | RunEvent::GlobalMaintenanceSet { .. }
            | RunEvent::ManagerUpdated { .. }
            | RunEvent::HostRetrying { .. }
            | RunEvent::ChainPlanned { .. }
            | RunEvent::WorkflowFinished { .. }
            | RunEvent::MigrateFinished { .. } => return None,
            RunEvent::MigrateStarted {
                cluster,
                hosts,
                waves,
                migrations,
                predicted_seconds,
                resumed,
                ..
            } => {
                let size = run_size(*hosts, *waves, *migrations, *predicted_seconds);
                let (en, ja) = if *resumed {
                    ("resuming the migration of", "再開")
                } else {
                    ("migrating", "開始")
                };
                Text::owned(
                    format!("{en} the hosts of cluster {cluster}: {}", size.en),
                    format!("クラスター {cluster} のホスト移行を{ja}: {}", size.ja),
                )
            }
            RunEvent::MigrateStage { host, stage } => {
                let step = stage.message();
                Text::owned(
                    format!("{host}: {}", step.en),
                    format!("{host}: {}", step.ja),
                )
            }
            RunEvent::HostMigrated { host, seconds } => {
                let took = duration(*seconds);
                Text::owned(
                    format!("{host} reinstalled and back up ({})", took.en),
                    format!("{host} 再インストールして稼働 ({})", took.ja),
                )
            }
            RunEvent::HostMigrationFailed { host, failure } => host_failed(host, failure.message()),
        })
    }
}

/// A host's failure line, for an upgrade's and a migration's failures alike.
fn host_failed(host: &str, why: Text) -> Text {
    Text::owned(
        format!("{host} FAILED: {}", why.en),
        format!("{host} 失敗: {}", why.ja),
    )
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Every planned host was dealt with (upgraded, or failed within the budget).
    Completed,
    /// More hosts failed than `--max-failures` allows; the others were not started.
    FailureBudgetSpent,
    /// Asked to stop (Ctrl-C); `resume` goes on.
    Stopped,
    /// The cluster changed so that the rest of the plan is no longer possible.
    Blocked { reason: String },
    /// The engine could not be reached; `resume` goes on when it is back.
    EngineUnreachable { error: String },
}

impl Outcome {
    pub fn message(&self) -> Text {
        match self {
            Outcome::Completed => Text::new("completed", "完了"),
            Outcome::FailureBudgetSpent => Text::new(
                "stopped: more hosts failed than --max-failures allows",
                "停止: --max-failures を超えるホストが失敗しました",
            ),
            Outcome::Stopped => Text::new(
                "stopped on request; `ovirt-upgrade resume` goes on",
                "要求により停止。`ovirt-upgrade resume` で続行します",
            ),
            Outcome::Blocked { reason } => {
                Text::owned(format!("stopped: {reason}"), format!("停止: {reason}"))
            }
            Outcome::EngineUnreachable { error } => Text::owned(
                format!("stopped: the engine could not be reached ({error}); `ovirt-upgrade resume` goes on when it is back"),
                format!("停止: エンジンに接続できません ({error})。戻ったら `ovirt-upgrade resume` で続行します"),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpgradedHost {
    pub host: String,
    pub seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedHost {
    pub host: String,
    pub failure: HostFailure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedHostReport {
    pub host: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VmDowntime {
    pub vm: String,
    pub seconds: u64,
    /// Not running again at the end, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub still_down: Option<String>,
}

/// A host that is not up at the end, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedsAttention {
    pub host: String,
    pub status: HostStatus,
    pub why: String,
}

/// The run in numbers, at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub outcome: Outcome,
    pub cluster: String,
    pub upgraded: Vec<UpgradedHost>,
    pub skipped: Vec<SkippedHostReport>,
    pub failed: Vec<FailedHost>,
    /// Planned hosts the run did not reach.
    pub not_started: Vec<String>,
    pub migrations: usize,
    pub vms_moved: usize,
    pub max_migrations_of_a_vm: u32,
    pub vm_downtime: Vec<VmDowntime>,
    pub duration_seconds: u64,
    pub predicted_seconds: u64,
    /// The scheduling policy the cluster is left with, when the run changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_restored: Option<SchedulingPolicy>,
    pub needs_attention: Vec<NeedsAttention>,
}

impl Summary {
    pub fn migrations_per_moved_vm(&self) -> f64 {
        if self.vms_moved == 0 {
            0.0
        } else {
            self.migrations as f64 / self.vms_moved as f64
        }
    }

    /// Everything planned was upgraded.
    pub fn is_clean(&self) -> bool {
        self.outcome == Outcome::Completed && self.failed.is_empty() && self.not_started.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use model::Lang;

    use super::*;

    #[test]
    fn a_failure_speaks_both_languages_and_journals_keep_the_english() {
        let failure = HostFailure::TimedOut {
            status: HostStatus::NonResponsive,
            minutes: 30,
        };
        let message = failure.message();
        assert_eq!(
            message.get(Lang::Ja),
            "30 分以内に戻りませんでした (最後は non_responsive)。コンソールを確認し、有効化または再インストールしてください"
        );
        assert_eq!(failure.to_string(), message.en);
        assert!(message.en.starts_with("not back within 30 minutes"));
    }

    #[test]
    fn a_run_event_tells_its_line_in_both_languages() {
        let upgraded = RunEvent::HostUpgraded {
            host: "h1".into(),
            seconds: 81 * 60,
        };
        assert_eq!(
            upgraded.message(),
            Some(Text::new(
                "h1 upgraded (1 h 21 min)",
                "h1 アップグレード完了 (1 時間 21 分)"
            ))
        );
        let restarted = RunEvent::VmRestarted {
            vm: "vm1".into(),
            seconds: 45,
        };
        assert_eq!(
            restarted.message().unwrap().get(Lang::Ja),
            "vm1: 45 秒 後に復帰"
        );
        assert_eq!(RunEvent::Progress { percent: 10 }.message(), None);
    }
}
