//! The compatibility chain: validation as the guide and the engine do it, restarts in
//! batches (highly available VMs alone, the Manager's VM never), the end state verified, and
//! runs against the simulated engine on a paused clock with faults and kills.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use model::rng::Rng;
use model::*;
use orchestrator::chain::{
    self, ChainBlocker, ChainError, ChainHeader, ChainJournal, ChainOptions, ChainOutcome,
    ChainPlan, ChainStatus, ChainSummary, ChainWarning, RestartMode, RestartResult, Stage,
};
use orchestrator::journal::KillPoint;
use orchestrator::*;
use ovirt_sim::invariants::Transition;
use ovirt_sim::SimEngine;

use super::harness::*;

const TARGET: Level = Level::new(4, 6);

/// The demo environment once its Manager runs 4.4.10, which offers level 4.6.
fn demo() -> Inventory {
    let mut inventory = scenario::load("example:demo").unwrap();
    inventory.manager.version = "4.4.10".parse().unwrap();
    inventory
}

fn header() -> ChainHeader {
    ChainHeader {
        run_id: "chain".into(),
        engine: "sim:test".into(),
        correlation_id: "corr".into(),
        created_ms: START.0,
        command: "finish --to 4.6".into(),
    }
}

fn options(batch: usize) -> ChainOptions {
    ChainOptions {
        batch,
        ..ChainOptions::default()
    }
}

fn names(stages: &[Stage]) -> Vec<String> {
    stages.iter().map(ToString::to_string).collect()
}

#[test]
fn finish_raises_each_cluster_before_its_data_center() {
    let plan = chain::plan_finish(&demo(), TARGET, &options(5)).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    assert_eq!(
        names(&plan.stages),
        [
            "cluster Branch 4.5 → 4.6",
            "data center Branch 4.5 → 4.6",
            "cluster Development 4.5 → 4.6",
            "cluster Production 4.5 → 4.6",
            "data center Default 4.5 → 4.6",
        ]
    );
    assert_eq!(plan.restarts(), 35, "every running VM but the Manager's");
    let crossing: Vec<&ChainWarning> = plan
        .warnings
        .iter()
        .filter(|w| matches!(w, ChainWarning::NicRenaming { .. }))
        .collect();
    assert_eq!(crossing.len(), 3);
    let text = crossing[0].to_string();
    assert!(
        text.contains("pc-q35-rhel8.3.0") && text.contains("VirtIO NICs"),
        "{text}"
    );
}

#[test]
fn input_that_can_never_work_is_refused_before_anything() {
    let inventory = demo();
    let unsupported = chain::plan_finish(
        &scenario::load("example:demo").unwrap(),
        TARGET,
        &options(5),
    )
    .unwrap_err();
    assert!(
        matches!(unsupported, ChainError::UnsupportedLevel { .. })
            && unsupported.to_string().contains("does not offer level 4.6")
            && unsupported.to_string().contains("update the Manager first"),
        "{unsupported}"
    );
    let unknown = chain::plan_cluster(&inventory, "Prodution", TARGET, &options(5)).unwrap_err();
    assert!(
        unknown.to_string().contains("did you mean `Production`"),
        "{unknown}"
    );
    let dc = chain::plan_data_center(&inventory, "Defualt", TARGET, &options(5)).unwrap_err();
    assert!(dc.to_string().contains("did you mean `Default`"), "{dc}");
    let above = chain::plan_data_center(&inventory, "Default", TARGET, &options(5)).unwrap_err();
    assert!(
        matches!(above, ChainError::DataCenterAboveClusters { .. })
            && above.to_string().contains("Development is at 4.5"),
        "{above}"
    );
    let lower =
        chain::plan_cluster(&inventory, "Production", Level::new(4, 4), &options(5)).unwrap_err();
    assert!(lower.to_string().contains("never goes down"), "{lower}");
    let made_up = chain::plan_finish(&inventory, Level::new(4, 9), &options(5)).unwrap_err();
    assert!(made_up.to_string().contains("does not exist"), "{made_up}");
    let empty = chain::plan_finish(&inventory, TARGET, &options(0)).unwrap_err();
    assert_eq!(empty, ChainError::EmptyBatch);
}

#[test]
fn what_the_engine_would_refuse_blocks_the_plan() {
    let mut inventory = demo();
    let dev = inventory
        .clusters
        .iter()
        .find(|c| c.name == "Development")
        .unwrap()
        .id;
    let dev_host = inventory
        .hosts
        .iter_mut()
        .find(|h| h.cluster == dev)
        .unwrap();
    dev_host.supported_levels.retain(|l| *l < TARGET);
    let dev_host = dev_host.name.clone();
    let vm = inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "app-ha")
        .unwrap();
    vm.snapshots.push(Snapshot {
        id: SnapshotId(Uuid::derived("snapshot", "app-ha-preview")),
        description: "before patch".into(),
        status: SnapshotStatus::InPreview,
        cluster_level: None,
    });
    inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "db-primary")
        .unwrap()
        .custom_compatibility_version = Some(Level::new(4, 1));
    inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "branch-vm01")
        .unwrap()
        .status = VmStatus::Suspended;
    let plan = chain::plan_finish(&inventory, TARGET, &options(5)).unwrap();
    let kinds: BTreeSet<&str> = plan
        .blockers
        .iter()
        .map(|b| match b {
            ChainBlocker::HostsWithoutLevel { hosts, .. } => {
                assert_eq!(hosts, &vec![dev_host.clone()]);
                "hosts"
            }
            ChainBlocker::SnapshotsInPreview { vms, .. } => {
                assert_eq!(vms, &vec!["app-ha".to_owned()]);
                "preview"
            }
            ChainBlocker::VmsCannotTakeLevel { vms, .. } => {
                assert_eq!(vms, &vec![("db-primary".to_owned(), Level::new(4, 1))]);
                "custom level"
            }
            ChainBlocker::SuspendedVms { .. } => "suspended",
            ChainBlocker::UpgradeRunning { .. } => "flag",
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["hosts", "preview", "custom level", "suspended"])
    );
    assert!(plan.warnings.iter().any(
        |w| matches!(w, ChainWarning::CannotRestart { vms, .. } if vms[0].0 == "branch-vm01")
    ));
}

#[test]
fn the_end_state_names_what_is_behind_and_what_still_waits() {
    let mut inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(5)).unwrap();
    let end = chain::verify_end_state(&inventory, &plan);
    assert!(!end.levels_at_target());
    assert_eq!(end.behind().count(), 5);
    assert!(end.pending.is_empty());
    for cluster in &mut inventory.clusters {
        cluster.version = TARGET;
    }
    for dc in &mut inventory.data_centers {
        dc.version = TARGET;
    }
    inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "app-ha")
        .unwrap()
        .next_run_pending = true;
    let end = chain::verify_end_state(&inventory, &plan);
    assert!(end.levels_at_target());
    assert_eq!(end.pending.len(), 1);
    assert_eq!(end.pending[0].vm, "app-ha");
}

/// A chain run on the simulated engine, resumed once if it was killed.
struct ChainRun {
    summary: ChainSummary,
    events: Vec<RunEvent>,
    engine: SimEngine,
    killed: bool,
}

async fn run_chain(
    inventory: &Inventory,
    plan: &ChainPlan,
    faults: &str,
    seed: u64,
    kill: Option<KillPoint>,
) -> Result<ChainRun, String> {
    let engine = engine(inventory, faults, seed);
    let clock = TokioClock::new(START, 1.0);
    let recorder = Recorder::default();
    let stop = StopSignal::new();
    let mut journal = ChainJournal::in_memory(header()).map_err(|e| e.to_string())?;
    if let Some(kill) = kill {
        journal.kill_at(kill);
    }
    let mut killed = false;
    let summary = match chain::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &stop,
    )
    .await
    {
        Ok(summary) => summary,
        Err(ExecuteError::Journal(JournalError::Killed { .. })) => {
            killed = true;
            let mut journal = journal.reopen();
            match chain::resume(&engine, &clock, &mut journal, &recorder, &stop).await {
                Ok(summary) => summary,
                Err(ExecuteError::NoPlan { .. }) => {
                    let mut journal =
                        ChainJournal::in_memory(header()).map_err(|e| e.to_string())?;
                    chain::run(
                        &engine,
                        &clock,
                        &mut journal,
                        plan.clone(),
                        &recorder,
                        &stop,
                    )
                    .await
                    .map_err(|e| format!("run again: {e}"))?
                }
                Err(ExecuteError::AlreadyFinished { .. }) => {
                    let entries = journal.entries().map_err(|e| e.to_string())?;
                    ChainStatus::from_journal(journal.header(), &entries)
                        .summary
                        .ok_or("finished without a summary")?
                }
                Err(error) => return Err(format!("resume: {error}")),
            }
        }
        Err(error) => return Err(format!("run: {error}")),
    };
    Ok(ChainRun {
        summary,
        events: recorder.events(),
        engine,
        killed,
    })
}

/// The simulator's invariants and the chain's own.
fn check_chain(before: &Inventory, plan: &ChainPlan, ran: &ChainRun) -> Result<(), String> {
    let sim = ran.engine.simulator();
    let mut problems: Vec<String> = sim
        .history()
        .check(sim.inventory(), sim.now())
        .iter()
        .map(ToString::to_string)
        .collect();
    let end = sim.inventory();
    let summary = &ran.summary;
    let name_of: BTreeMap<VmId, &str> =
        before.vms.iter().map(|v| (v.id, v.name.as_str())).collect();
    let highly_available: BTreeSet<VmId> = before
        .vms
        .iter()
        .filter(|v| v.high_availability)
        .map(|v| v.id)
        .collect();
    let engine_vm = before.vms.iter().find(|v| v.hosted_engine).map(|v| v.id);
    let failed: BTreeSet<&str> = summary.failed.iter().map(|f| f.vm.as_str()).collect();
    let mut reboots: BTreeMap<VmId, usize> = BTreeMap::new();
    let mut away: BTreeSet<VmId> = BTreeSet::new();
    for (at, transition) in &sim.history().transitions {
        let Transition::Vm { vm, from, to, .. } = transition else {
            continue;
        };
        if Some(*vm) == engine_vm && from != to {
            problems.push(format!("the Manager's VM went from {from} to {to} at {at}"));
        }
        if *to == VmStatus::RebootInProgress {
            *reboots.entry(*vm).or_default() += 1;
        }
        if *to == VmStatus::Up || failed.contains(name_of[vm]) {
            away.remove(vm);
        } else if from != to {
            away.insert(*vm);
        }
        let ha_away = away.iter().filter(|v| highly_available.contains(v)).count();
        if ha_away > 1 {
            problems.push(format!(
                "{ha_away} highly available VMs away at once at {at}"
            ));
        }
    }
    for (vm, count) in &reboots {
        let name = name_of[vm];
        if *count > 1 && !failed.contains(name) {
            problems.push(format!("VM {name} was rebooted {count} times"));
        }
    }
    for event in &ran.events {
        if let RunEvent::RestartBatch { vms, .. } = event {
            if vms.len() > plan.options.batch {
                problems.push(format!("a batch of {} VMs: {vms:?}", vms.len()));
            }
            let ha = vms
                .iter()
                .filter(|v| {
                    before
                        .vms
                        .iter()
                        .any(|b| &b.name == *v && b.high_availability)
                })
                .count();
            if ha > 0 && vms.len() > 1 {
                problems.push(format!("a highly available VM shares its batch: {vms:?}"));
            }
        }
    }
    let mut raised: Vec<&str> = Vec::new();
    for event in &ran.events {
        if let RunEvent::LevelRaised { object, .. } = event {
            raised.push(object);
        }
    }
    for (position, object) in raised.iter().enumerate() {
        let Some(dc) = object.strip_prefix("data center ") else {
            continue;
        };
        let dc_id = before
            .data_centers
            .iter()
            .find(|d| d.name == dc)
            .unwrap()
            .id;
        for cluster in before.clusters.iter().filter(|c| c.data_center == dc_id) {
            let at = end
                .clusters
                .iter()
                .find(|c| c.id == cluster.id)
                .unwrap()
                .version;
            let raised_before =
                raised[..position].contains(&format!("cluster {}", cluster.name).as_str());
            if at < TARGET || (!raised_before && cluster.version < TARGET) {
                problems.push(format!(
                    "data center {dc} raised before its cluster {}",
                    cluster.name
                ));
            }
        }
    }
    for vm in end.vms.iter().filter(|v| !v.is_running()) {
        let was_running = before.vms.iter().any(|b| b.id == vm.id && b.is_running());
        let reported = summary
            .failed
            .iter()
            .chain(&summary.not_restarted)
            .any(|n| n.vm == vm.name);
        if was_running && !reported {
            problems.push(format!(
                "VM {} is down and the summary does not say so",
                vm.name
            ));
        }
    }
    match (&summary.outcome, &summary.end_state) {
        (_, None) => problems.push("no end state".into()),
        (ChainOutcome::Completed, Some(end_state)) => {
            if !end_state.levels_at_target() {
                problems.push(format!(
                    "completed with levels behind: {:?}",
                    end_state.behind().collect::<Vec<_>>()
                ));
            }
            let unexplained: Vec<&str> = end_state
                .pending
                .iter()
                .filter(|_| plan.options.restart == RestartMode::Now)
                .map(|p| p.vm.as_str())
                .filter(|vm| {
                    !summary
                        .failed
                        .iter()
                        .chain(&summary.not_restarted)
                        .any(|n| n.vm == *vm)
                })
                .collect();
            if !unexplained.is_empty() {
                problems.push(format!("completed with VMs still pending: {unexplained:?}"));
            }
        }
        (_, Some(_)) => {}
    }
    let mut last = 0;
    for event in &ran.events {
        if let RunEvent::Progress { percent } = event {
            if *percent < last || *percent > 100 {
                problems.push(format!("progress went from {last} to {percent}"));
            }
            last = *percent;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[tokio::test(start_paused = true)]
async fn the_chain_restarts_in_batches_and_ends_verified() {
    let inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(4)).unwrap();
    let ran = run_chain(&inventory, &plan, "", 1, None).await.unwrap();
    check_chain(&inventory, &plan, &ran).unwrap();
    let summary = &ran.summary;
    assert!(summary.is_clean(), "{summary:#?}");
    assert_eq!(summary.raised.len(), 5);
    assert_eq!(summary.restarted.len(), 35);
    assert!(
        summary
            .restarted
            .iter()
            .all(|r| (40..=46).contains(&r.seconds)),
        "the simulated reboot takes 40 s: {:?}",
        summary.restarted
    );
    let batches: Vec<&Vec<String>> = ran
        .events
        .iter()
        .filter_map(|e| match e {
            RunEvent::RestartBatch { vms, .. } => Some(vms),
            _ => None,
        })
        .collect();
    let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 35);
    assert!(
        batches.iter().any(|b| b == &&vec!["app-ha".to_owned()]),
        "{batches:?}"
    );
    let end = summary.end_state.as_ref().unwrap();
    assert!(end.levels_at_target() && end.pending.is_empty());
    assert_eq!(
        ran.events
            .iter()
            .filter(|e| matches!(e, RunEvent::Progress { percent: 100 }))
            .count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn listing_or_leaving_the_vms_raises_levels_and_touches_no_vm() {
    let inventory = demo();
    for mode in [RestartMode::List, RestartMode::Never] {
        let options = ChainOptions {
            restart: mode,
            ..options(5)
        };
        let plan = chain::plan_cluster(&inventory, "Production", TARGET, &options).unwrap();
        let ran = run_chain(&inventory, &plan, "", 1, None).await.unwrap();
        check_chain(&inventory, &plan, &ran).unwrap();
        assert!(ran.summary.is_clean(), "{mode:?}: {:#?}", ran.summary);
        assert!(ran.summary.restarted.is_empty());
        let pending = &ran.summary.end_state.as_ref().unwrap().pending;
        assert_eq!(pending.len(), 21, "{mode:?}");
        let listed = ran.events.iter().find_map(|e| match e {
            RunEvent::PendingRestarts { vms, .. } => Some(vms.len()),
            _ => None,
        });
        assert_eq!(listed, (mode == RestartMode::List).then_some(21));
    }
    let mut raised = demo();
    raised
        .clusters
        .iter_mut()
        .find(|c| c.name == "Production")
        .unwrap()
        .version = TARGET;
    raised
        .vms
        .iter_mut()
        .filter(|v| v.name.starts_with("prod-vm0"))
        .for_each(|v| v.next_run_pending = true);
    let plan = chain::plan_cluster(&raised, "Production", TARGET, &options(5)).unwrap();
    assert_eq!(names(&plan.stages), ["cluster Production: restarts at 4.6"]);
    let ran = run_chain(&raised, &plan, "", 1, None).await.unwrap();
    check_chain(&raised, &plan, &ran).unwrap();
    assert!(ran.summary.is_clean(), "{:#?}", ran.summary);
    assert!(ran.summary.raised.is_empty());
    assert_eq!(
        ran.summary.restarted.len(),
        ran.summary
            .restarted
            .iter()
            .filter(|r| r.vm.starts_with("prod-vm0"))
            .count()
    );
}

#[tokio::test(start_paused = true)]
async fn a_vm_that_will_not_start_again_is_reported_and_spends_the_budget() {
    let inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(5)).unwrap();
    let ran = run_chain(&inventory, &plan, "start-fail:branch-vm02", 1, None)
        .await
        .unwrap();
    check_chain(&inventory, &plan, &ran).unwrap();
    let summary = &ran.summary;
    assert_eq!(
        summary.outcome,
        ChainOutcome::Completed,
        "one failure is within the budget"
    );
    assert!(!summary.is_clean());
    assert_eq!(summary.failed.len(), 1);
    assert!(
        matches!(&summary.failed[0].result, RestartResult::Failed { reason, status: VmStatus::Down } if reason.contains("did not start again")),
        "{:?}",
        summary.failed
    );

    let strict = ChainOptions {
        max_failures: 0,
        ..options(5)
    };
    let plan = chain::plan_finish(&inventory, TARGET, &strict).unwrap();
    let ran = run_chain(&inventory, &plan, "start-fail:branch-vm02", 1, None)
        .await
        .unwrap();
    check_chain(&inventory, &plan, &ran).unwrap();
    assert_eq!(ran.summary.outcome, ChainOutcome::FailureBudgetSpent);
    let end = ran.summary.end_state.as_ref().unwrap();
    let level = |name: &str| {
        end.levels
            .iter()
            .find(|o| o.name == name && o.kind == chain::ObjectKind::DataCenter)
            .unwrap()
            .level
    };
    assert_eq!(
        level("Branch"),
        Level::new(4, 5),
        "its data center is not raised"
    );
    assert_eq!(level("Default"), Level::new(4, 5), "nor anything after it");
}

/// A host that came up after planning and cannot run the new level: the engine answers 400
/// (`UpdateClusterCommand`, CLUSTER_CANNOT_UPDATE_COMPATIBILITY_VERSION_WITH_LOWER_HOSTS) and
/// the run stops naming that host and the fix.
#[tokio::test(start_paused = true)]
async fn a_level_refused_for_a_host_behind_names_the_host_and_the_fix() {
    let inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(5)).unwrap();
    let mut changed = inventory.clone();
    let development = changed
        .clusters
        .iter()
        .find(|c| c.name == "Development")
        .unwrap()
        .id;
    let behind = changed
        .hosts
        .iter_mut()
        .find(|h| h.cluster == development)
        .unwrap();
    behind.supported_levels.retain(|&l| l < TARGET);
    let behind = behind.name.clone();
    let ran = run_chain(&changed, &plan, "", 1, None).await.unwrap();
    let outcome = &ran.summary.outcome;
    assert!(
        matches!(outcome, ChainOutcome::Refused { object, .. } if object == "cluster Development"),
        "{outcome:?}"
    );
    let english = outcome.message().get(Lang::En).to_owned();
    assert!(
        english.contains(&format!(
            "hosts {behind} are up and cannot run the new level"
        )) && english.contains("ovirt-upgrade cluster-upgrade"),
        "{english}"
    );
    assert!(outcome
        .message()
        .get(Lang::Ja)
        .contains(&format!("ホスト {behind} が稼働中")));
}

#[tokio::test(start_paused = true)]
async fn the_engine_refusing_a_level_stops_the_chain_with_nothing_else_changed() {
    let inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(5)).unwrap();
    let ran = run_chain(&inventory, &plan, "refuse-level:Development", 1, None)
        .await
        .unwrap();
    check_chain(&inventory, &plan, &ran).unwrap();
    let summary = &ran.summary;
    assert!(
        matches!(&summary.outcome, ChainOutcome::Refused { object, detail } if object == "cluster Development" && detail.contains("updating the VMs and templates")),
        "{:?}",
        summary.outcome
    );
    let sim = ran.engine.simulator();
    let level = |name: &str| {
        sim.inventory()
            .clusters
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .version
    };
    assert_eq!(level("Branch"), TARGET, "the stages before it are done");
    assert_eq!(level("Development"), Level::new(4, 5));
    assert_eq!(
        level("Production"),
        Level::new(4, 5),
        "nothing after it started"
    );
    assert!(sim
        .inventory()
        .vms
        .iter()
        .filter(|v| v.name.starts_with("prod-") || v.name.starts_with("dev-"))
        .all(|v| !v.next_run_pending));
}

/// Kills the chain after every journal write, committed or not, and resumes: every resumed
/// run ends clean, no VM is rebooted twice and no level is asked twice once it showed.
#[tokio::test(start_paused = true)]
async fn a_kill_between_any_two_journal_writes_resumes_the_chain_cleanly() {
    let inventory = demo();
    let plan = chain::plan_finish(&inventory, TARGET, &options(6)).unwrap();
    let reference = {
        let engine = engine(&inventory, "", 3);
        let clock = TokioClock::new(START, 1.0);
        let mut journal = ChainJournal::in_memory(header()).unwrap();
        chain::run(
            &engine,
            &clock,
            &mut journal,
            plan.clone(),
            &Recorder::default(),
            &StopSignal::new(),
        )
        .await
        .unwrap();
        journal.writes()
    };
    assert!(reference > 100, "{reference} writes");
    for writes in 1..=reference {
        let committed = writes % 2 == 1;
        let kill = KillPoint { writes, committed };
        let ran = run_chain(&inventory, &plan, "", 3, Some(kill))
            .await
            .unwrap_or_else(|e| panic!("{kill:?}: {e}"));
        assert!(ran.killed, "{kill:?}");
        let context = format!("killed after write {writes} (committed: {committed})");
        check_chain(&inventory, &plan, &ran).unwrap_or_else(|p| panic!("{context}: {p}"));
        assert!(ran.summary.is_clean(), "{context}: {:#?}", ran.summary);
        let sim = ran.engine.simulator();
        let updates = sim
            .events(None)
            .iter()
            .filter(|e| e.code == 811 || e.code == 952)
            .count();
        assert_eq!(
            updates, 5,
            "{context}: one update per cluster and data center"
        );
    }
}

/// Every seed: the demo environment, random batch sizes and failure budgets, random faults
/// (a VM that will not start again, the engine refusing a level, 503s, dropped connections),
/// and half of the runs killed after a random journal write and resumed. `CHAIN_SEEDS=2000`
/// runs more; `CHAIN_SEED=N` runs one and prints its events.
#[test]
fn seeds_with_faults_and_kills_keep_the_chain_safe() {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let (first, count) = match number("CHAIN_SEED") {
        Some(seed) => (seed, 1),
        None => (0, number("CHAIN_SEEDS").unwrap_or(200)),
    };
    let inventory = demo();
    let failures = Mutex::new(Vec::new());
    let tally = Mutex::new(BTreeMap::<String, usize>::new());
    std::thread::scope(|scope| {
        for lane in 0..2 {
            let (failures, tally, inventory) = (&failures, &tally, &inventory);
            scope.spawn(move || {
                for seed in (first + lane..first + count).step_by(2) {
                    let (options, faults, kill) = chain_case(seed, inventory);
                    let plan = chain::plan_finish(inventory, TARGET, &options).unwrap();
                    let ran = paused(run_chain(inventory, &plan, &faults, seed, kill));
                    let checked = ran.and_then(|ran| check_chain(inventory, &plan, &ran).map(|()| ran));
                    match checked {
                        Ok(ran) => {
                            let outcome = match &ran.summary.outcome {
                                ChainOutcome::Refused { .. } => "refused".to_owned(),
                                other => format!("{other:?}"),
                            };
                            *tally.lock().unwrap().entry(outcome).or_default() += 1;
                            if ran.killed {
                                *tally.lock().unwrap().entry("killed and resumed".into()).or_default() += 1;
                            }
                            if count == 1 {
                                for event in &ran.events {
                                    println!("{}", serde_json::to_string(event).unwrap());
                                }
                            }
                        }
                        Err(problem) => failures.lock().unwrap().push(format!(
                            "seed {seed} (faults `{faults}`, kill {kill:?}, options {options:?}):\n{problem}\nreproduce: CHAIN_SEED={seed} cargo test -p orchestrator --test it -- chain::seeds --nocapture"
                        )),
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {count} seeds failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    let tally = tally.into_inner().unwrap();
    println!("{tally:?}");
    if count >= 100 {
        for wanted in ["Completed", "refused", "killed and resumed"] {
            assert!(
                tally.get(wanted).copied().unwrap_or(0) >= (count / 10) as usize,
                "{wanted}: {tally:?}"
            );
        }
    }
}

fn chain_case(seed: u64, inventory: &Inventory) -> (ChainOptions, String, Option<KillPoint>) {
    let mut rng = Rng::new(seed ^ 0x0063_6861_696e);
    let options = ChainOptions {
        batch: rng.between(1, 8) as usize,
        max_failures: rng.between(0, 2) as usize,
        ..ChainOptions::default()
    };
    let running: Vec<&str> = inventory
        .vms
        .iter()
        .filter(|v| v.is_running() && !v.hosted_engine)
        .map(|v| v.name.as_str())
        .collect();
    let objects: Vec<&str> = inventory
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .chain(inventory.data_centers.iter().map(|d| d.name.as_str()))
        .collect();
    let pick = |names: &[&str], rng: &mut Rng| {
        names[rng.between(0, names.len() as u64 - 1) as usize].to_owned()
    };
    let mut faults = Vec::new();
    if rng.chance(1, 3) {
        faults.push(format!("start-fail:{}", pick(&running, &mut rng)));
    }
    if rng.chance(1, 4) {
        faults.push(format!("refuse-level:{}", pick(&objects, &mut rng)));
    }
    if rng.chance(1, 3) {
        faults.push(format!("unavailable:0.0{}", rng.between(1, 5)));
    }
    if rng.chance(1, 5) {
        faults.push(format!("drop:0.0{}", rng.between(1, 3)));
    }
    let kill = rng.chance(1, 2).then(|| KillPoint {
        writes: rng.between(1, 300),
        committed: rng.chance(1, 2),
    });
    (options, faults.join(","), kill)
}

#[test]
fn a_chain_journal_is_not_a_cluster_upgrade_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.sqlite");
    let mut journal = ChainJournal::create(&path, header()).unwrap();
    let plan = chain::plan_finish(&demo(), TARGET, &options(5)).unwrap();
    journal
        .append(START, &chain::ChainRecord::Planned { plan })
        .unwrap();
    drop(journal);
    assert_eq!(
        journal::kind_of(&path).unwrap(),
        <chain::ChainRun as journal::RunKind>::NAME
    );
    let refused = Journal::open(&path).unwrap_err();
    assert!(
        refused.to_string().contains("holds a compatibility chain"),
        "{refused}"
    );
    let journal = ChainJournal::open(&path).unwrap();
    let status = ChainStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Planned);
    assert_eq!(status.stages.len(), 5);
    assert_eq!(status.command, "finish --to 4.6");
    journal.check_engine("sim:test").unwrap();
    let other = journal
        .check_engine("https://engine.example.com/ovirt-engine/api")
        .unwrap_err();
    assert!(
        other.to_string().contains("belongs to another engine"),
        "{other}"
    );
}
