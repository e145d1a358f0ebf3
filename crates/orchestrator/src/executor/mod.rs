//! The executor: carries a plan out against an engine, through the engine seam only.
//!
//! It works in ticks. Each tick it observes the hosts and VMs of the wave under way and takes
//! each one step further — precheck (observe), act (journal the intent, call, journal the
//! answer), wait (observe again next tick), verify (journal what was observed). It decides
//! nothing the plan did not decide, except a new destination when the engine refuses one and
//! a new plan when the cluster no longer matches the old one. Everything it knows it can
//! rebuild from the journal, so [`resume`] picks up a killed run where it stood, reconciling
//! each unsettled step with what the engine says now instead of repeating it blindly.
//!
//! Whatever happens, the run ends through one path that puts the scheduling policy back,
//! starts the pinned VMs it stopped and clears the engine's upgrade flag.

use crate::journal::Fold;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use model::engine::{ClusterUpdate, ClusterUpgrade, Engine, EngineError, HostAction, VmAction};
use model::{
    Cluster, ClusterId, Host, HostId, HostStatus, Inventory, SchedulingPolicy, SpmStatus, Timestamp,
};
use model::{Vm, VmId, VmStatus};

use crate::clock::Clock;
use crate::cluster::{ClusterModel, Mobility};
use crate::event::*;
use crate::journal::{Action, Answer, Effect, HostResult, Journal, JournalError, Record};
use crate::options::Options;
use crate::plan::{HostStep, Plan, SkipReason, Wave};
use crate::planner::{self, Progress};
use crate::state::{RunState, StoppedVm};

mod caller;
mod host;
mod pinned;
mod report;

pub(crate) use caller::{Caller, Reply, UNREACHABLE_LIMIT_MS};

/// How often the run looks at the engine (the oVirt role polls every 3 s).
pub const POLL_INTERVAL: Duration = Duration::from_secs(3);
/// A migration the engine accepted but that has not shown within this long did not happen.
const MIGRATION_START_GRACE_MS: i64 = 15_000;
/// Tries per VM and host before the host counts as failed.
const MIGRATION_ATTEMPTS: usize = 3;
/// A pinned VM's guest gets this long to shut down before it is powered off (Xen Orchestra
/// waits as long); the host migration's pinned VMs too.
pub(crate) const SHUTDOWN_TIMEOUT_MS: i64 = 10 * 60_000;
pub(crate) const POWER_OFF_TIMEOUT_MS: i64 = 5 * 60_000;
const STOP_ATTEMPTS: usize = 3;
/// An upgrade the engine accepted must show (the host leaving its status, or its update
/// flag clearing) within this long, or it did not happen.
const UPGRADE_START_GRACE_MS: i64 = 2 * 60_000;
const UPGRADE_ATTEMPTS: usize = 2;
/// A started VM must be running within this long.
pub(crate) const START_GRACE_MS: i64 = 2 * 60_000;
const START_ATTEMPTS: usize = 3;
/// How long `upgradecheck` may take on every host.
const UPGRADE_CHECK_TIMEOUT_MS: i64 = 10 * 60_000;
/// How long the end of a run keeps trying to put the cluster back.
const RESTORE_PATIENCE_MS: i64 = 5 * 60_000;
/// Engine progress is sent in steps of this many percent.
const PROGRESS_STEP: u8 = 5;
const UPDATES_CHECKED: &str = "the hosts were asked for updates";
/// The engine's events that end an update check: finished, failed, and skipped for the host's
/// status (`HostUpdatesChecker`: 887 comes without 885). 886, a check already running, does
/// not end it: the running one answers.
const CHECK_FINISHED: u32 = 885;
const CHECK_FAILED: u32 = 839;
const CHECK_SKIPPED: u32 = 887;
/// The engine's events when it gives up an upgrade it accepted (`HostUpgradeCallback`), and
/// when a host cannot run its cluster's level (`HandleVdsVersionCommand`).
const MAINTENANCE_FAILED: u32 = 17;
const UPGRADE_FAILED: u32 = 841;
const CLUSTER_LEVEL_UNSUPPORTED: u32 = 154;
/// The engine's events when a VM could not leave a host: a migration to a named host
/// (`MigrateVmToServerCommand`, 120, also each VM of an evacuation), a scheduled one (65), one
/// while its source prepares for maintenance (140), and the maintenance that therefore cannot
/// finish (602, `MaintenanceNumberOfVdssCommand`).
const MIGRATION_FAILED: u32 = 65;
const MIGRATION_TO_HOST_FAILED: u32 = 120;
const MIGRATION_FAILED_DURING_MAINTENANCE: u32 = 140;
const MAINTENANCE_MIGRATION_FAILED: u32 = 602;
/// Every event kept per host as the engine's reasons.
const HOST_TROUBLE: [u32; 7] = [
    MAINTENANCE_FAILED,
    UPGRADE_FAILED,
    CLUSTER_LEVEL_UNSUPPORTED,
    MIGRATION_FAILED,
    MIGRATION_TO_HOST_FAILED,
    MIGRATION_FAILED_DURING_MAINTENANCE,
    MAINTENANCE_MIGRATION_FAILED,
];

/// One of the engine's events that explains a host's or a VM's trouble.
#[derive(Debug, Clone)]
struct Trouble {
    at: Timestamp,
    code: u32,
    vm: Option<VmId>,
    text: String,
}

/// Asks a run to stop starting new work (Ctrl-C). Hosts already upgrading finish; the run
/// then ends as always, and `resume` goes on later.
#[derive(Debug, Default)]
pub struct StopSignal(AtomicBool);

impl StopSignal {
    pub fn new() -> StopSignal {
        StopSignal::default()
    }

    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the run in journal {path} has already finished; start a new run instead")]
    AlreadyFinished { path: String },
    #[error("journal {path} holds no plan: its run ended before planning, so nothing was done; start it again")]
    NoPlan { path: String },
    #[error("journal {path} already holds a run; `ovirt-upgrade resume` continues it")]
    NotEmpty { path: String },
    #[error("the plan cannot run:\n{}", blockers.join("\n"))]
    Infeasible { blockers: Vec<String> },
}

/// Runs `plan` from the start, journaling into `journal` (which must be new).
pub async fn run<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    journal: &mut Journal,
    plan: Plan,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<Summary, ExecuteError> {
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
    let mut executor = Executor::new(engine, clock, journal, sink, stop, RunState::default());
    executor
        .record(Record::Planned {
            revision: 1,
            reason: None,
            plan,
        })
        .map_err(Abort::into_error)?;
    executor.go(false).await
}

/// Picks up the run journaled in `journal`, reconciling with what the engine says now. The
/// caller makes sure the journal belongs to this engine and cluster
/// ([`Journal::check_target`]).
pub async fn resume<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    journal: &mut Journal,
    sink: &dyn EventSink,
    stop: &StopSignal,
) -> Result<Summary, ExecuteError> {
    let state = RunState::from_entries(&journal.entries()?);
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
    Executor::new(engine, clock, journal, sink, stop, state)
        .go(true)
        .await
}

/// Why the work loop ended early.
enum Abort {
    Journal(JournalError),
}

impl Abort {
    fn into_error(self) -> ExecuteError {
        match self {
            Abort::Journal(e) => ExecuteError::Journal(e),
        }
    }
}

enum HostTick {
    Working,
    Finished,
    /// Left alone because the run is stopping; not upgraded.
    Released,
}

enum Stage {
    InProgress,
    Done,
    Failed(HostFailure),
}

enum NextWave {
    Started,
    Done,
    Blocked(String),
    Unreachable(String),
}

struct Executor<'a, E, C> {
    engine: &'a E,
    clock: &'a C,
    journal: &'a mut Journal,
    sink: &'a dyn EventSink,
    stop: &'a StopSignal,
    state: RunState,
    options: Options,
    cluster: ClusterId,
    cluster_name: String,
    host_names: HashMap<HostId, String>,
    cluster_vms: HashSet<VmId>,
    caller: Caller,
    last_event: Option<u64>,
    seen_status: HashMap<HostId, HostStatus>,
    /// Hosts seen away from their status since their latest upgrade call.
    upgrade_seen: HashSet<HostId>,
    /// The engine's reasons about each host since the run began (see [`HOST_TROUBLE`]).
    host_trouble: HashMap<HostId, Vec<Trouble>>,
    phases: HashMap<HostId, HostPhase>,
    percent: u8,
    draining: Option<Outcome>,
    /// The engine's version, read when the run starts: it decides what the cluster upgrade
    /// flag can do there.
    engine_version: Option<model::Version>,
}

impl<'a, E: Engine, C: Clock> Executor<'a, E, C> {
    fn new(
        engine: &'a E,
        clock: &'a C,
        journal: &'a mut Journal,
        sink: &'a dyn EventSink,
        stop: &'a StopSignal,
        state: RunState,
    ) -> Self {
        let header = journal.header().clone();
        let now = clock.now();
        Executor {
            engine,
            clock,
            journal,
            sink,
            stop,
            state,
            options: header.options,
            cluster: header.cluster,
            cluster_name: header.cluster_name,
            host_names: HashMap::new(),
            cluster_vms: HashSet::new(),
            caller: Caller::new(now),
            last_event: None,
            seen_status: HashMap::new(),
            upgrade_seen: HashSet::new(),
            host_trouble: HashMap::new(),
            phases: HashMap::new(),
            percent: 0,
            draining: None,
            engine_version: None,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The engine shows the cluster's upgrade flag and progress (4.5 and later); older ones
    /// take `start` and `finish` blind.
    fn flag_visible(&self) -> bool {
        self.engine_version
            .is_none_or(model::release::shows_cluster_upgrade_progress)
    }

    /// The engine has the upgrade flag at all (4.3.3 and later).
    fn flag_exists(&self) -> bool {
        self.engine_version
            .is_none_or(model::release::has_cluster_upgrade_action)
    }

    /// What the engine logged about `host` with one of `codes` since `since`, in order.
    fn engine_reason(&self, host: HostId, since: Timestamp, codes: &[u32]) -> Option<String> {
        self.trouble_text(host, since, codes, |_| true)
    }

    /// Why the engine says `vm` did not leave `host` since `since` (events 65, 120, 140).
    fn migration_failure(&self, host: HostId, vm: VmId, since: Timestamp) -> Option<String> {
        let codes = [
            MIGRATION_FAILED,
            MIGRATION_TO_HOST_FAILED,
            MIGRATION_FAILED_DURING_MAINTENANCE,
        ];
        self.trouble_text(host, since, &codes, |t| t.vm == Some(vm))
    }

    fn trouble_text(
        &self,
        host: HostId,
        since: Timestamp,
        codes: &[u32],
        about: impl Fn(&Trouble) -> bool,
    ) -> Option<String> {
        let texts: Vec<&str> = self
            .host_trouble
            .get(&host)
            .into_iter()
            .flatten()
            .filter(|t| t.at >= since && codes.contains(&t.code) && about(t))
            .map(|t| t.text.as_str())
            .collect();
        (!texts.is_empty()).then(|| texts.join(" "))
    }

    fn since(&self, at: Timestamp) -> i64 {
        self.now().0 - at.0
    }

    fn emit(&self, event: RunEvent) {
        self.sink.emit(self.now(), event);
    }

    fn record(&mut self, record: Record) -> Result<(), Abort> {
        let now = self.now();
        self.journal.append(now, &record).map_err(Abort::Journal)?;
        self.state.apply(now, &record);
        Ok(())
    }

    fn plan(&self) -> &Plan {
        self.state.plan.as_ref().expect("a run always has a plan")
    }

    fn host_name(&self, id: HostId) -> String {
        self.host_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn failures(&self) -> usize {
        self.state
            .finished_hosts
            .values()
            .filter(|(_, r)| matches!(r, HostResult::Failed { .. }))
            .count()
    }

    // ----- talking to the engine -----

    async fn call<T>(
        &mut self,
        what: &str,
        answer: impl Future<Output = Result<T, EngineError>>,
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
    async fn act(&mut self, action: Action) -> Result<(usize, Answer), Abort> {
        let step = self.state.next_step();
        self.record(Record::Intent {
            step,
            action: action.clone(),
        })?;
        let engine = self.engine;
        let cluster = self.cluster;
        let what = action_name(&action);
        let reply = match &action {
            Action::StartUpgradeFlag => {
                self.call(what, engine.cluster_upgrade(cluster, ClusterUpgrade::Start))
                    .await
            }
            Action::UpdateProgress { percent } => {
                self.call(
                    what,
                    engine.cluster_upgrade(
                        cluster,
                        ClusterUpgrade::UpdateProgress { percent: *percent },
                    ),
                )
                .await
            }
            Action::FinishUpgradeFlag => {
                self.call(
                    what,
                    engine.cluster_upgrade(cluster, ClusterUpgrade::Finish),
                )
                .await
            }
            Action::SetPolicy { to, .. } => {
                let update = ClusterUpdate {
                    version: None,
                    scheduling_policy: Some(*to),
                };
                self.call(what, engine.update_cluster(cluster, update))
                    .await
            }
            Action::UpgradeCheck { host } => {
                self.call(what, engine.host_action(*host, HostAction::UpgradeCheck))
                    .await
            }
            Action::Migrate { vm, to, force, .. } => {
                self.call(
                    what,
                    engine.vm_action(
                        *vm,
                        VmAction::Migrate {
                            host: Some(*to),
                            force: *force,
                        },
                    ),
                )
                .await
            }
            Action::Shutdown { vm, .. } => {
                self.call(what, engine.vm_action(*vm, VmAction::Shutdown))
                    .await
            }
            Action::PowerOff { vm, .. } => {
                self.call(what, engine.vm_action(*vm, VmAction::Stop)).await
            }
            Action::Upgrade { host, reboot } => {
                let timeout_minutes = Some(self.options.host_timeout_minutes);
                self.call(
                    what,
                    engine.host_action(
                        *host,
                        HostAction::Upgrade {
                            reboot: *reboot,
                            timeout_minutes,
                        },
                    ),
                )
                .await
            }
            Action::Start { vm, .. } => {
                self.call(what, engine.vm_action(*vm, VmAction::Start))
                    .await
            }
        };
        let answer = reply.into_answer();
        self.record(Record::Answered {
            step,
            answer: answer.clone(),
        })?;
        Ok((step as usize, answer))
    }

    fn observed(&mut self, step: usize, effect: Effect) -> Result<(), Abort> {
        self.record(Record::Observed {
            step: step as u64,
            effect,
        })
    }

    async fn inventory(&mut self) -> Reply<Inventory> {
        let engine = self.engine;
        self.call("inventory", engine.inventory()).await
    }

    async fn live_cluster(&mut self) -> Reply<Cluster> {
        match self.inventory().await {
            Reply::Ok(inventory) => match inventory
                .clusters
                .into_iter()
                .find(|c| c.id == self.cluster)
            {
                Some(cluster) => Reply::Ok(cluster),
                None => Reply::Refused(format!(
                    "cluster {} is no longer on the engine",
                    self.cluster_name
                )),
            },
            Reply::Refused(d) => Reply::Refused(d),
            Reply::Unavailable(e) => Reply::Unavailable(e),
        }
    }

    /// A cluster-wide step (flag, policy), carried through until the engine's state shows it,
    /// it is refused, or the engine stays away too long.
    async fn cluster_step(
        &mut self,
        action: Action,
        patience_ms: i64,
    ) -> Result<Result<(), String>, Abort> {
        let began = self.now();
        loop {
            let (step, answer) = self.act(action.clone()).await?;
            match answer {
                Answer::Accepted => return Ok(Ok(())),
                Answer::Refused { detail } => return Ok(Err(detail)),
                Answer::NoAnswer { error } => {
                    self.clock.sleep(POLL_INTERVAL).await;
                    if let Reply::Ok(cluster) = self.live_cluster().await {
                        if cluster_shows(&cluster, &action, self.flag_visible()) {
                            self.observed(step, Effect::Done)?;
                            return Ok(Ok(()));
                        }
                        self.observed(
                            step,
                            Effect::Failed {
                                reason: "not applied".into(),
                            },
                        )?;
                    }
                    if self.since(began) > patience_ms {
                        return Ok(Err(format!("the engine did not answer: {error}")));
                    }
                }
            }
        }
    }

    /// Settles cluster-wide steps a killed run left without an answer, from the live cluster.
    fn settle_cluster_steps(&mut self, cluster: &Cluster) -> Result<(), Abort> {
        let unsettled: Vec<(usize, Action)> = self
            .state
            .cluster_steps()
            .filter(|(_, s)| s.is_unsettled())
            .map(|(i, s)| (i, s.action.clone()))
            .collect();
        let last_policy_step = unsettled
            .iter()
            .rev()
            .find(|(_, a)| matches!(a, Action::SetPolicy { .. }))
            .map(|(i, _)| *i);
        for (step, action) in unsettled {
            // Only the newest policy change can be judged from the policy seen now.
            let shows = match action {
                Action::SetPolicy { .. } => {
                    Some(step) == last_policy_step
                        && cluster_shows(cluster, &action, self.flag_visible())
                }
                Action::UpdateProgress { .. } => false,
                _ => cluster_shows(cluster, &action, self.flag_visible()),
            };
            let effect = if shows {
                Effect::Done
            } else {
                Effect::Failed {
                    reason: "not applied".into(),
                }
            };
            self.observed(step, effect)?;
        }
        Ok(())
    }

    // ----- the run -----

    async fn go(mut self, resumed: bool) -> Result<Summary, ExecuteError> {
        let result = match self.record(Record::Began { resumed }) {
            Ok(()) => self.work(resumed).await,
            Err(abort) => Err(abort),
        };
        match result {
            Ok(outcome) => self.finish(outcome).await.map_err(Abort::into_error),
            Err(Abort::Journal(error)) => {
                if !matches!(error, JournalError::Killed { .. }) {
                    self.emergency_restore().await;
                }
                Err(ExecuteError::Journal(error))
            }
        }
    }

    async fn work(&mut self, resumed: bool) -> Result<Outcome, Abort> {
        let inventory = loop {
            match self.inventory().await {
                Reply::Ok(inventory) => break inventory,
                Reply::Refused(detail) => return Ok(Outcome::Blocked { reason: detail }),
                Reply::Unavailable(error) => {
                    if self.unreachable().is_some() {
                        return Ok(Outcome::EngineUnreachable { error });
                    }
                    self.clock.sleep(POLL_INTERVAL).await;
                }
            }
        };
        let Some(cluster) = inventory
            .clusters
            .iter()
            .find(|c| c.id == self.cluster)
            .cloned()
        else {
            return Ok(Outcome::Blocked {
                reason: format!("cluster {} is no longer on the engine", self.cluster_name),
            });
        };
        self.learn(&inventory);
        self.engine_version = Some(inventory.manager.version);
        let engine = self.engine;
        if let Reply::Ok(newest) = self.call("events", engine.newest_event_id()).await {
            self.last_event = Some(newest.unwrap_or(0));
        }
        let plan = self.plan().clone();
        self.emit(RunEvent::RunStarted {
            run_id: self.journal.header().run_id.clone(),
            cluster: self.cluster_name.clone(),
            correlation_id: self.journal.header().correlation_id.clone(),
            hosts: plan.prediction.hosts,
            waves: plan.prediction.waves,
            migrations: plan.prediction.migrations,
            predicted_seconds: plan.prediction.duration_seconds,
            resumed,
        });
        self.settle_cluster_steps(&cluster)?;
        self.percent = self.state.progress_reached();

        if self.flag_exists() && !self.state.flag_running() {
            if let Err(detail) = self
                .cluster_step(Action::StartUpgradeFlag, UNREACHABLE_LIMIT_MS)
                .await?
            {
                return Ok(Outcome::Blocked {
                    reason: format!("the engine did not set the cluster's upgrade flag: {detail}"),
                });
            }
        }
        if self.options.use_maintenance_policy
            && !self.state.policy_switched()
            && cluster.scheduling_policy != SchedulingPolicy::ClusterMaintenance
        {
            let action = Action::SetPolicy {
                from: cluster.scheduling_policy,
                to: SchedulingPolicy::ClusterMaintenance,
                reason: PolicyReason::RunStarts,
            };
            match self.cluster_step(action, UNREACHABLE_LIMIT_MS).await? {
                Ok(()) => self.emit(RunEvent::PolicySwitched {
                    from: cluster.scheduling_policy,
                    to: SchedulingPolicy::ClusterMaintenance,
                    reason: PolicyReason::RunStarts,
                }),
                Err(detail) => {
                    return Ok(Outcome::Blocked {
                        reason: format!(
                        "the engine did not switch the cluster to cluster_maintenance: {detail}"
                    ),
                    })
                }
            }
        }
        if self.options.check_upgrade && !self.updates_checked() {
            if let Some(outcome) = self.check_updates().await? {
                return Ok(outcome);
            }
        }

        loop {
            if let Some(error) = self.unreachable() {
                return Ok(Outcome::EngineUnreachable { error });
            }
            if self.draining.is_none() {
                if self.stop.is_stopped() {
                    self.begin_draining(
                        Outcome::Stopped,
                        "asked to stop: hosts already upgrading finish, no new ones start",
                    )?;
                } else if self.failures() > self.options.max_failures {
                    let reason = format!(
                        "{} hosts failed, more than --max-failures {} allows: no new hosts start",
                        self.failures(),
                        self.options.max_failures
                    );
                    self.begin_draining(Outcome::FailureBudgetSpent, &reason)?;
                }
            }
            let wave = match self.current_wave() {
                Some(wave) => wave,
                None => {
                    if let Some(outcome) = self.draining.clone() {
                        if !self.restarts_pending() {
                            return Ok(outcome);
                        }
                        Wave { hosts: Vec::new() }
                    } else {
                        match self.next_wave().await? {
                            NextWave::Started => continue,
                            NextWave::Done => return Ok(Outcome::Completed),
                            NextWave::Blocked(reason) => return Ok(Outcome::Blocked { reason }),
                            NextWave::Unreachable(error) => {
                                return Ok(Outcome::EngineUnreachable { error })
                            }
                        }
                    }
                }
            };
            // The engine's events first: a host's status is then read with its reasons known.
            self.relay_events().await;
            let mut working = false;
            for step in &wave.hosts {
                if matches!(self.tick_host(step, &wave).await?, HostTick::Working) {
                    working = true;
                }
            }
            self.start_stopped_vms().await?;
            self.report_progress().await?;
            if !working && self.draining.is_some() && !self.restarts_pending() {
                return Ok(self.draining.clone().expect("draining"));
            }
            if self.draining.is_none() && self.current_wave().is_none() {
                // The wave is over: the next one starts without waiting.
                continue;
            }
            self.clock.sleep(POLL_INTERVAL).await;
        }
    }

    fn learn(&mut self, inventory: &Inventory) {
        for host in inventory.hosts.iter().filter(|h| h.cluster == self.cluster) {
            self.host_names.insert(host.id, host.name.clone());
            self.seen_status.entry(host.id).or_insert(host.status);
        }
        self.cluster_vms = inventory
            .vms
            .iter()
            .filter(|v| v.cluster == self.cluster)
            .map(|v| v.id)
            .collect();
    }

    fn begin_draining(&mut self, outcome: Outcome, reason: &str) -> Result<(), Abort> {
        self.record(Record::Stopping {
            reason: reason.to_owned(),
        })?;
        self.emit(RunEvent::Stopping {
            reason: reason.to_owned(),
        });
        self.draining = Some(outcome);
        Ok(())
    }

    /// The wave under way, while any of its hosts is unfinished.
    fn current_wave(&self) -> Option<Wave> {
        let (revision, index) = self.state.wave?;
        if revision != self.state.revision {
            return None;
        }
        let wave = self.plan().waves.get(index)?;
        (!self.wave_finished(wave)).then(|| wave.clone())
    }

    fn wave_finished(&self, wave: &Wave) -> bool {
        wave.hosts
            .iter()
            .all(|s| self.state.finished_hosts.contains_key(&s.host))
    }

    fn progress(&self) -> Progress {
        let mut progress = Progress::default();
        for (host, (_, result)) in &self.state.finished_hosts {
            match result {
                HostResult::Upgraded { .. } | HostResult::Current => {
                    progress.upgraded.insert(*host)
                }
                HostResult::Failed { .. } => progress.failed.insert(*host),
            };
        }
        progress.remaining = self
            .plan()
            .steps()
            .map(|s| s.host)
            .filter(|h| !self.state.finished_hosts.contains_key(h))
            .collect();
        progress
    }

    fn planning_options(&self) -> Options {
        // Once the hosts were asked, a host without updates is skipped like any other.
        Options {
            check_upgrade: false,
            ..self.options.clone()
        }
    }

    /// Validates the next wave against the live cluster, planning the rest again when they
    /// disagree, and starts it.
    async fn next_wave(&mut self) -> Result<NextWave, Abort> {
        let mut replanned = false;
        loop {
            let index = match self.state.wave {
                Some((revision, index)) if revision == self.state.revision => index + 1,
                _ => 0,
            };
            let Some(wave) = self.plan().waves.get(index).cloned() else {
                return Ok(NextWave::Done);
            };
            if wave
                .hosts
                .iter()
                .all(|s| self.state.finished_hosts.contains_key(&s.host))
            {
                let revision = self.state.revision;
                self.record(Record::WaveStarted {
                    revision,
                    wave: index,
                })?;
                continue;
            }
            let inventory = match self.inventory().await {
                Reply::Ok(inventory) => inventory,
                Reply::Refused(detail) => return Ok(NextWave::Blocked(detail)),
                Reply::Unavailable(error) => {
                    if self.unreachable().is_some() {
                        return Ok(NextWave::Unreachable(error));
                    }
                    self.clock.sleep(POLL_INTERVAL).await;
                    continue;
                }
            };
            let Some(model) = ClusterModel::new(&inventory, self.cluster) else {
                return Ok(NextWave::Blocked(format!(
                    "cluster {} is no longer on the engine",
                    self.cluster_name
                )));
            };
            let disagreement = validate_wave(&model, &wave, &self.state.finished_hosts).err();
            match disagreement {
                Some(reason) if !replanned => {
                    let plan = match planner::replan(
                        &inventory,
                        self.cluster,
                        &self.planning_options(),
                        &self.progress(),
                    ) {
                        Ok(plan) => plan,
                        Err(error) => return Ok(NextWave::Blocked(error.to_string())),
                    };
                    if !plan.is_feasible() {
                        let blockers: Vec<String> =
                            plan.blockers.iter().map(ToString::to_string).collect();
                        return Ok(NextWave::Blocked(format!(
                            "{reason}; the rest cannot be planned: {}",
                            blockers.join("; ")
                        )));
                    }
                    let revision = self.state.revision + 1;
                    self.emit(RunEvent::Replanned {
                        revision,
                        reason: reason.clone(),
                        waves: plan.waves.len(),
                    });
                    self.record(Record::Planned {
                        revision,
                        reason: Some(reason),
                        plan,
                    })?;
                    replanned = true;
                    continue;
                }
                Some(reason) => {
                    return Ok(NextWave::Blocked(format!(
                        "the cluster keeps changing: {reason}"
                    )))
                }
                None => {}
            }
            let revision = self.state.revision;
            self.record(Record::WaveStarted {
                revision,
                wave: index,
            })?;
            let hosts: Vec<String> = wave.hosts.iter().map(|s| s.name.clone()).collect();
            self.emit(RunEvent::WaveStarted {
                wave: index + 1,
                of: self.plan().waves.len(),
                hosts,
            });
            return Ok(NextWave::Started);
        }
    }

    fn updates_checked(&self) -> bool {
        self.state
            .reasons
            .iter()
            .any(|r| r.as_deref() == Some(UPDATES_CHECKED))
    }

    /// Asks every planned host for updates, waits for the answers, and plans again.
    async fn check_updates(&mut self) -> Result<Option<Outcome>, Abort> {
        let hosts: Vec<HostId> = self.plan().steps().map(|s| s.host).collect();
        let began = self.now();
        let since_event = self.last_event;
        for &host in &hosts {
            if self
                .state
                .host_steps(host)
                .any(|(_, s)| matches!(s.action, Action::UpgradeCheck { .. }))
            {
                continue;
            }
            self.act(Action::UpgradeCheck { host }).await?;
        }
        let mut pending: BTreeSet<HostId> = hosts.iter().copied().collect();
        while !pending.is_empty() && self.since(began) < UPGRADE_CHECK_TIMEOUT_MS {
            self.clock.sleep(POLL_INTERVAL).await;
            let engine = self.engine;
            let events = match self.call("events", engine.events(since_event)).await {
                Reply::Ok(events) => events,
                _ => Vec::new(),
            };
            for event in events
                .iter()
                .filter(|e| matches!(e.code, CHECK_FINISHED | CHECK_FAILED | CHECK_SKIPPED))
            {
                if let Some(host) = event.host {
                    pending.remove(&host);
                }
            }
            // A check finished before a resumed run looked shows in the host's update flag.
            for host in pending.clone() {
                if let Reply::Ok(h) = self.call("host", engine.host(host)).await {
                    if h.update_available {
                        pending.remove(&host);
                    }
                }
            }
            if let Some(error) = self.unreachable() {
                return Ok(Some(Outcome::EngineUnreachable { error }));
            }
        }
        for host in &hosts {
            let steps: Vec<usize> = self
                .state
                .host_steps(*host)
                .filter(|(_, s)| {
                    matches!(s.action, Action::UpgradeCheck { .. }) && s.effect.is_none()
                })
                .map(|(i, _)| i)
                .collect();
            for step in steps {
                let effect = if pending.contains(host) {
                    Effect::Failed {
                        reason: "no answer to the update check in time".into(),
                    }
                } else {
                    Effect::Done
                };
                self.observed(step, effect)?;
            }
        }
        let inventory = loop {
            match self.inventory().await {
                Reply::Ok(inventory) => break inventory,
                Reply::Refused(detail) => return Ok(Some(Outcome::Blocked { reason: detail })),
                Reply::Unavailable(error) => {
                    if self.unreachable().is_some() {
                        return Ok(Some(Outcome::EngineUnreachable { error }));
                    }
                    self.clock.sleep(POLL_INTERVAL).await;
                }
            }
        };
        let plan = match planner::replan(
            &inventory,
            self.cluster,
            &self.planning_options(),
            &self.progress(),
        ) {
            Ok(plan) => plan,
            Err(error) => {
                return Ok(Some(Outcome::Blocked {
                    reason: error.to_string(),
                }))
            }
        };
        if !plan.is_feasible() {
            let blockers: Vec<String> = plan.blockers.iter().map(ToString::to_string).collect();
            return Ok(Some(Outcome::Blocked {
                reason: blockers.join("; "),
            }));
        }
        let revision = self.state.revision + 1;
        self.emit(RunEvent::Replanned {
            revision,
            reason: UPDATES_CHECKED.into(),
            waves: plan.waves.len(),
        });
        self.record(Record::Planned {
            revision,
            reason: Some(UPDATES_CHECKED.into()),
            plan,
        })?;
        Ok(None)
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::StartUpgradeFlag => "start the cluster upgrade flag",
        Action::UpdateProgress { .. } => "update the cluster upgrade progress",
        Action::FinishUpgradeFlag => "finish the cluster upgrade flag",
        Action::SetPolicy { .. } => "set the scheduling policy",
        Action::UpgradeCheck { .. } => "check a host for updates",
        Action::Migrate { .. } => "migrate a VM",
        Action::Shutdown { .. } => "shut a VM down",
        Action::PowerOff { .. } => "power a VM off",
        Action::Upgrade { .. } => "upgrade a host",
        Action::Start { .. } => "start a VM",
    }
}

/// Whether the cluster, as seen now, shows the effect of a cluster-wide action. On an engine
/// that does not show the upgrade flag, an unanswered `start` is taken as applied (asking again
/// would be refused while it runs) and an unanswered `finish` as not (asking again is harmless:
/// `finish` always succeeds).
fn cluster_shows(cluster: &Cluster, action: &Action, flag_visible: bool) -> bool {
    match action {
        Action::StartUpgradeFlag => !flag_visible || cluster.upgrade_running,
        Action::FinishUpgradeFlag => flag_visible && !cluster.upgrade_running,
        Action::SetPolicy { to, .. } => cluster.scheduling_policy == *to,
        _ => false,
    }
}

fn is_stuck(status: VmStatus) -> bool {
    matches!(
        status,
        VmStatus::Paused
            | VmStatus::Suspended
            | VmStatus::NotResponding
            | VmStatus::Unknown
            | VmStatus::ImageLocked
    )
}

/// Whether a wave still fits the live cluster: its hosts as planned, its VMs where the plan
/// left them, every destination up with room for what it gets.
fn validate_wave(
    model: &ClusterModel,
    wave: &Wave,
    finished: &BTreeMap<HostId, (String, HostResult)>,
) -> Result<(), String> {
    let members: Vec<usize> = wave
        .hosts
        .iter()
        .filter_map(|s| model.host_position(s.host))
        .collect();
    let mut free: Vec<u64> = model.hosts.iter().map(|h| h.free).collect();
    for step in wave
        .hosts
        .iter()
        .filter(|s| !finished.contains_key(&s.host))
    {
        let Some(h) = model.host_position(step.host) else {
            return Err(format!("host {} is no longer in the cluster", step.name));
        };
        let host = &model.hosts[h];
        let expected = step.found();
        if host.status != expected {
            return Err(format!(
                "host {} is {}, the plan expects {expected}",
                host.name, host.status
            ));
        }
        if !host.update_available {
            return Err(format!("host {} no longer reports an update", host.name));
        }
        let planned: BTreeSet<VmId> = step
            .migrations
            .iter()
            .map(|m| m.vm)
            .chain(step.stops.iter().map(|s| s.vm))
            .collect();
        for vm in model.vms.iter().filter(|v| v.host == Some(h)) {
            if !planned.contains(&vm.id) {
                return Err(format!(
                    "VM {} now runs on {}, which the plan did not expect",
                    vm.name, host.name
                ));
            }
            if vm.mobility == Mobility::Fixed && !step.stops.iter().any(|s| s.vm == vm.id) {
                return Err(format!("VM {} on {} cannot migrate", vm.name, host.name));
            }
        }
        for m in &step.migrations {
            let Some(v) = model.vm_position(m.vm) else {
                continue;
            };
            let vm = &model.vms[v];
            if vm.host != Some(h) {
                return Err(format!("VM {} is no longer on {}", vm.name, host.name));
            }
            let Some(to) = model.host_position(m.to) else {
                return Err(format!("host {} is no longer in the cluster", m.to_name));
            };
            let target = &model.hosts[to];
            if target.status != HostStatus::Up || members.contains(&to) {
                return Err(format!(
                    "{} cannot take {}: it is {}",
                    target.name, vm.name, target.status
                ));
            }
            if vm.hosted_engine && !(target.hosted_engine && target.hosted_engine_ready) {
                return Err(format!(
                    "{} cannot run the hosted-engine VM now",
                    target.name
                ));
            }
            if free[to] < vm.need {
                return Err(format!(
                    "{} has no longer room for {}",
                    target.name, vm.name
                ));
            }
            free[to] -= vm.need;
        }
    }
    Ok(())
}
