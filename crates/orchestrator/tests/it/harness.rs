//! Runs the orchestrator against the in-process simulated engine on tokio's paused clock, and
//! checks every run: the simulator's invariants and ours.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use model::engine::{
    ClusterUpdate, ClusterUpgrade, DomainAction, Engine, EngineError, Event, HostAction, NewHost,
    NewLocalDomain, UnregisteredVm, VmAction,
};
use model::rng::Rng;
use model::*;
use orchestrator::bench::{self, Workload};
use orchestrator::event::HostFailure;
use orchestrator::journal::KillPoint;
use orchestrator::Summary;
use orchestrator::*;
use ovirt_sim::invariants::Transition;
use ovirt_sim::{SimConfig, SimEngine, Simulator};

pub const START: Timestamp = Timestamp::from_millis(1_768_046_400_000);
/// Every run of a small cluster ends well within this much engine time, faults and all.
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(3 * 24 * 3600);

/// Collects a run's events.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<(Timestamp, RunEvent)>>);

impl EventSink for Recorder {
    fn emit(&self, at: Timestamp, event: RunEvent) {
        self.0.lock().unwrap().push((at, event));
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<RunEvent> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }
}

/// One simulated run: a cluster, the options, the faults, and where to kill the orchestrator.
#[derive(Debug, Clone)]
pub struct Case {
    pub seed: u64,
    pub workload: Workload,
    pub options: Options,
    pub faults: String,
    pub kill: Option<KillPoint>,
}

/// Engine versions whose cluster upgrade flag differs: none before 4.3.3, blind start and
/// finish until 4.5, shown with its progress from 4.5.
pub const ENGINE_VERSIONS: [&str; 3] = ["4.3.2", "4.4.10", "4.5.6"];

/// The case a seed stands for: a small cluster (3–8 hosts) on one of the engine versions,
/// options and faults drawn at random.
pub fn case(seed: u64) -> Case {
    let mut rng = Rng::new(seed ^ 0x0051_6d75_6c61_7465);
    let hosts = rng.between(3, 8) as usize;
    let load = rng.between(25, 80) as u32;
    let mut workload = bench::workload_with(seed, hosts, load, &mut rng);
    workload.inventory.manager.version = ENGINE_VERSIONS[(seed % 3) as usize]
        .parse()
        .expect("a known version");
    let options = Options {
        max_parallel: rng.between(1, 3) as usize,
        max_failures: rng.between(0, 2) as usize,
        pinned: if rng.chance(1, 4) {
            PinnedPolicy::SkipHost
        } else {
            PinnedPolicy::StopAndRestart
        },
        reboot: !rng.chance(1, 10),
        check_upgrade: rng.chance(1, 5),
        use_maintenance_policy: !rng.chance(1, 10),
        seed,
        ..Options::default()
    };
    let host_names: Vec<&str> = workload
        .inventory
        .hosts
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    let vm_names: Vec<&str> = workload
        .inventory
        .vms
        .iter()
        .filter(|v| v.is_running())
        .map(|v| v.name.as_str())
        .collect();
    let pick = |names: &[&str], rng: &mut Rng| {
        names[rng.between(0, names.len() as u64 - 1) as usize].to_owned()
    };
    let mut faults = Vec::new();
    if rng.chance(1, 4) {
        faults.push(format!("install-fail:{}", pick(&host_names, &mut rng)));
    }
    if rng.chance(1, 6) {
        faults.push(format!("never-return:{}", pick(&host_names, &mut rng)));
    }
    if rng.chance(1, 4) && !vm_names.is_empty() {
        faults.push(format!("migration-fail:{}", pick(&vm_names, &mut rng)));
    }
    if rng.chance(1, 4) {
        faults.push(format!("random:0.0{}", rng.between(1, 4)));
    }
    if rng.chance(1, 3) {
        faults.push(format!("unavailable:0.0{}", rng.between(1, 5)));
    }
    if rng.chance(1, 5) {
        faults.push(format!("drop:0.0{}", rng.between(1, 3)));
    }
    if rng.chance(1, 6) {
        faults.push("slow:0.05".to_owned());
    }
    let kill = rng.chance(1, 2).then(|| KillPoint {
        writes: rng.between(1, 250),
        committed: rng.chance(1, 2),
    });
    Case {
        seed,
        workload,
        options,
        faults: faults.join(","),
        kill,
    }
}

/// The one-line command that runs a seed again.
pub fn reproduction(seed: u64) -> String {
    format!(
        "ORCH_SEED={seed} cargo test -p orchestrator --test it -- simulation::seeds --nocapture"
    )
}

pub fn header(workload: &Workload, options: &Options) -> RunHeader {
    RunHeader {
        run_id: format!("run-{}", workload.seed),
        engine: "sim:test".into(),
        cluster: workload.cluster,
        cluster_name: "bench".into(),
        correlation_id: format!("corr-{}", workload.seed),
        created_ms: START.0,
        options: options.clone(),
    }
}

pub fn engine(inventory: &Inventory, faults: &str, seed: u64) -> SimEngine {
    let mut sim = Simulator::new(
        inventory.clone(),
        SimConfig::default(),
        faults.parse().expect("faults parse"),
        seed,
        START,
    );
    sim.publish_host_update(PackageVersion::new("4.50.3.6-1.el8"));
    SimEngine::new(sim, 1.0, seed)
}

/// What a case did, for the tests that look closer.
pub struct Ran {
    pub summary: Option<Summary>,
    pub events: Vec<RunEvent>,
    pub killed: bool,
}

/// Runs a case to its end (resuming once after the kill) and checks it.
pub async fn run_case(case: &Case) -> Result<Ran, String> {
    let workload = &case.workload;
    let plan = orchestrator::plan(&workload.inventory, workload.cluster, &case.options)
        .map_err(|e| e.to_string())?;
    let problems = orchestrator::verify::check(&workload.inventory, &case.options, &plan);
    if !problems.is_empty() {
        return Err(format!("the plan does not hold: {problems:#?}"));
    }
    if !plan.is_feasible() {
        return Ok(Ran {
            summary: None,
            events: Vec::new(),
            killed: false,
        });
    }
    let engine = engine(&workload.inventory, &case.faults, case.seed);
    let clock = TokioClock::new(START, 1.0);
    let mut journal =
        Journal::in_memory(header(workload, &case.options)).map_err(|e| e.to_string())?;
    if let Some(kill) = case.kill {
        journal.kill_at(kill);
    }
    let recorder = Recorder::default();
    let stop = StopSignal::new();
    let mut killed = false;
    let ran = tokio::time::timeout(RUN_LIMIT, async {
        match orchestrator::run(
            &engine,
            &clock,
            &mut journal,
            plan.clone(),
            &recorder,
            &stop,
        )
        .await
        {
            Ok(summary) => Ok(summary),
            Err(ExecuteError::Journal(JournalError::Killed { .. })) => {
                killed = true;
                let mut journal = std::mem::replace(
                    &mut journal,
                    Journal::in_memory(header(workload, &case.options)).expect("a journal"),
                )
                .reopen();
                match orchestrator::resume(&engine, &clock, &mut journal, &recorder, &stop).await {
                    Ok(summary) => Ok(summary),
                    // Killed before the plan was written: nothing happened, so the run starts over.
                    Err(ExecuteError::NoPlan { .. }) => {
                        let mut journal = Journal::in_memory(header(workload, &case.options))
                            .map_err(|e| e.to_string())?;
                        orchestrator::run(
                            &engine,
                            &clock,
                            &mut journal,
                            plan.clone(),
                            &recorder,
                            &stop,
                        )
                        .await
                        .map_err(|e| format!("run again: {e}"))
                    }
                    // Killed after its last write: the journal holds the summary.
                    Err(ExecuteError::AlreadyFinished { .. }) => {
                        let entries = journal.entries().map_err(|e| e.to_string())?;
                        RunStatus::from_journal(journal.header(), &entries)
                            .summary
                            .ok_or_else(|| "finished without a summary".to_owned())
                    }
                    Err(error) => Err(format!("resume: {error}")),
                }
            }
            Err(error) => Err(format!("run: {error}")),
        }
    })
    .await;
    let summary = match ran {
        Ok(result) => result?,
        Err(_) => {
            let events = recorder.events();
            let tail: Vec<String> = events
                .iter()
                .rev()
                .take(400)
                .rev()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect();
            return Err(format!(
                "the run did not end within {RUN_LIMIT:?} of engine time; its last events:\n{}",
                tail.join("\n")
            ));
        }
    };
    let events = recorder.events();
    check_run(&engine, workload, &case.options, &plan, &summary, &events)?;
    Ok(Ran {
        summary: Some(summary),
        events,
        killed,
    })
}

/// The simulator's invariants, and the run's own: the policy and the flag put back, never
/// more hosts out than planned, no host left out unreported, every stopped VM back or
/// reported, progress within 0–100 and never going back.
pub fn check_run(
    engine: &SimEngine,
    workload: &Workload,
    options: &Options,
    plan: &Plan,
    summary: &Summary,
    events: &[RunEvent],
) -> Result<(), String> {
    let sim = engine.simulator();
    let mut problems: Vec<String> = sim
        .history()
        .check(sim.inventory(), sim.now())
        .iter()
        .map(ToString::to_string)
        .collect();
    let initial = &workload.inventory;
    let end = sim.inventory();
    let cluster = |inventory: &Inventory| {
        inventory
            .clusters
            .iter()
            .find(|c| c.id == workload.cluster)
            .cloned()
            .expect("cluster")
    };
    if options.use_maintenance_policy
        && cluster(end).scheduling_policy != cluster(initial).scheduling_policy
    {
        problems.push(format!(
            "the policy is {}, not {}",
            cluster(end).scheduling_policy,
            cluster(initial).scheduling_policy
        ));
    }
    if cluster(end).upgrade_running {
        problems.push("the upgrade flag is still set".into());
    }
    let failed: BTreeSet<&str> = summary.failed.iter().map(|f| f.host.as_str()).collect();
    let names: BTreeMap<HostId, &str> = initial
        .hosts
        .iter()
        .map(|h| (h.id, h.name.as_str()))
        .collect();
    let started_up: BTreeSet<HostId> = initial
        .hosts
        .iter()
        .filter(|h| h.status == HostStatus::Up)
        .map(|h| h.id)
        .collect();
    let mut status: BTreeMap<HostId, HostStatus> =
        initial.hosts.iter().map(|h| (h.id, h.status)).collect();
    let mut most_out = 0;
    for (at, transition) in &sim.history().transitions {
        if let Transition::Host { host, to, .. } = transition {
            status.insert(*host, *to);
            let out = status
                .iter()
                .filter(|(h, s)| {
                    started_up.contains(h) && !failed.contains(names[h]) && in_upgrade(**s)
                })
                .count();
            if out > options.max_parallel {
                problems.push(format!(
                    "{out} hosts out at {at}, more than --max-parallel {}",
                    options.max_parallel
                ));
            }
            most_out = most_out.max(out);
        }
    }
    let planned: BTreeSet<&str> = plan.steps().map(|s| s.name.as_str()).collect();
    let reported: BTreeSet<&str> = summary
        .needs_attention
        .iter()
        .map(|a| a.host.as_str())
        .collect();
    for host in end
        .hosts
        .iter()
        .filter(|h| planned.contains(h.name.as_str()) && h.status != HostStatus::Up)
    {
        if !reported.contains(host.name.as_str()) {
            problems.push(format!(
                "host {} is {} and the summary does not say so",
                host.name, host.status
            ));
        }
    }
    let accounted: BTreeSet<&str> = summary
        .upgraded
        .iter()
        .map(|u| u.host.as_str())
        .chain(summary.failed.iter().map(|f| f.host.as_str()))
        .chain(summary.not_started.iter().map(String::as_str))
        .chain(summary.skipped.iter().map(|s| s.host.as_str()))
        .collect();
    for host in &planned {
        if !accounted.contains(host) {
            problems.push(format!("host {host} is missing from the summary"));
        }
    }
    let stopped: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::VmStopping { vm, .. } => Some(vm.as_str()),
            _ => None,
        })
        .collect();
    for vm in end
        .vms
        .iter()
        .filter(|v| stopped.contains(v.name.as_str()) && !v.is_running())
    {
        let reported = summary
            .vm_downtime
            .iter()
            .any(|d| d.vm == vm.name && d.still_down.is_some());
        if !reported {
            problems.push(format!(
                "VM {} was stopped by the run and is down, unreported",
                vm.name
            ));
        }
    }
    let mut last = 0;
    for event in events {
        if let RunEvent::Progress { percent } = event {
            if *percent < last || *percent > 100 {
                problems.push(format!("progress went from {last} to {percent}"));
            }
            last = *percent;
        }
    }
    if summary.outcome == Outcome::Completed
        && summary.failed.is_empty()
        && !summary.not_started.is_empty()
    {
        problems.push(format!(
            "completed, yet {:?} were not started",
            summary.not_started
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Out of service because an upgrade is under way.
fn in_upgrade(status: HostStatus) -> bool {
    matches!(
        status,
        HostStatus::PreparingForMaintenance
            | HostStatus::Maintenance
            | HostStatus::Installing
            | HostStatus::Reboot
            | HostStatus::Unassigned
            | HostStatus::Initializing
            | HostStatus::Connecting
    )
}

/// Runs `body` on a fresh current-thread runtime whose clock is paused.
pub fn paused<T>(body: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime")
        .block_on(body)
}

/// A host failure is a timeout (the never-return fault).
pub fn timed_out(summary: &Summary) -> bool {
    summary
        .failed
        .iter()
        .any(|f| matches!(f.failure, HostFailure::TimedOut { .. }))
}

/// An engine that stops answering between two moments of its clock, as if it went away.
pub struct Outage<E> {
    pub inner: E,
    pub clock: TokioClock,
    pub from: Timestamp,
    pub until: Timestamp,
}

impl<E: Engine> Outage<E> {
    fn down(&self) -> Result<(), EngineError> {
        let now = self.clock.now();
        if now >= self.from && now < self.until {
            Err(EngineError::Unavailable("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

impl<E: Engine> Engine for Outage<E> {
    async fn inventory(&self) -> Result<Inventory, EngineError> {
        self.down()?;
        self.inner.inventory().await
    }
    async fn host(&self, id: HostId) -> Result<Host, EngineError> {
        self.down()?;
        self.inner.host(id).await
    }
    async fn vm(&self, id: VmId) -> Result<Vm, EngineError> {
        self.down()?;
        self.inner.vm(id).await
    }
    async fn host_action(&self, id: HostId, action: HostAction) -> Result<(), EngineError> {
        self.down()?;
        self.inner.host_action(id, action).await
    }
    async fn vm_action(&self, id: VmId, action: VmAction) -> Result<(), EngineError> {
        self.down()?;
        self.inner.vm_action(id, action).await
    }
    async fn remove_host(&self, id: HostId, force: bool) -> Result<(), EngineError> {
        self.down()?;
        self.inner.remove_host(id, force).await
    }
    async fn add_host(&self, host: NewHost) -> Result<Host, EngineError> {
        self.down()?;
        self.inner.add_host(host).await
    }
    async fn set_vm_placement(
        &self,
        id: VmId,
        affinity: Affinity,
        hosts: Vec<HostId>,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.set_vm_placement(id, affinity, hosts).await
    }
    async fn destroy_storage_domain(&self, id: StorageDomainId) -> Result<(), EngineError> {
        self.down()?;
        self.inner.destroy_storage_domain(id).await
    }
    async fn add_local_domain(&self, new: NewLocalDomain) -> Result<StorageDomain, EngineError> {
        self.down()?;
        self.inner.add_local_domain(new).await
    }
    async fn attach_storage_domain(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.attach_storage_domain(data_center, domain).await
    }
    async fn storage_domain_action(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner
            .storage_domain_action(data_center, domain, action)
            .await
    }
    async fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        self.down()?;
        self.inner.unregistered_vms(domain).await
    }
    async fn register_vm(
        &self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.register_vm(domain, vm, cluster).await
    }
    async fn update_cluster(
        &self,
        id: ClusterId,
        update: ClusterUpdate,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.update_cluster(id, update).await
    }
    async fn update_data_center(
        &self,
        id: DataCenterId,
        version: Level,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.update_data_center(id, version).await
    }
    async fn cluster_upgrade(
        &self,
        id: ClusterId,
        action: ClusterUpgrade,
    ) -> Result<(), EngineError> {
        self.down()?;
        self.inner.cluster_upgrade(id, action).await
    }
    async fn events(&self, after: Option<u64>) -> Result<Vec<Event>, EngineError> {
        self.down()?;
        self.inner.events(after).await
    }
}
