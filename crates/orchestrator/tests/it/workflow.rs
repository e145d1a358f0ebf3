//! The whole upgrade as one workflow: its decisions on the examples, and the demo's
//! environment carried through on the simulated engine, killed and resumed.

use std::path::Path;

use model::{Inventory, Level, Version};
use orchestrator::journal::KillPoint;
use orchestrator::workflow::{
    self, ManagerSetup, VmTransition, WorkflowHeader, WorkflowJournal, WorkflowOptions,
    WorkflowOutcome, WorkflowPlan, WorkflowStep, WorkflowSummary,
};
use orchestrator::{RunEvent, StopSignal, TokioClock};
use ovirt_sim::invariants::Transition;
use ovirt_sim::SimEngine;

use crate::harness::{self, Recorder, START};

/// engine-setup as the simulated engine plays it.
struct SimulatedSetup<'a>(&'a SimEngine);

impl ManagerSetup for SimulatedSetup<'_> {
    async fn update(&self, to: Version) -> Result<(), String> {
        self.0
            .simulator()
            .update_manager(to)
            .map_err(|e| e.to_string())
    }
}

/// The demo's first installation on this host fails once.
const DEMO_FAULTS: &str = "install-fail-once:dev-host02";

fn demo() -> (Inventory, WorkflowPlan) {
    let inventory = scenario::load("example:demo").unwrap();
    let plan = workflow::plan(
        &inventory,
        "4.4.10".parse().unwrap(),
        "4.6".parse::<Level>().unwrap(),
        WorkflowOptions::default(),
    );
    (inventory, plan)
}

fn header(dir: &Path) -> WorkflowHeader {
    WorkflowHeader {
        run_id: "workflow".into(),
        engine: "sim:demo".into(),
        correlation_id: "corr-workflow".into(),
        created_ms: START.0,
        journals: dir.display().to_string(),
    }
}

#[test]
fn the_guide_orders_the_steps_and_hosted_engine_clusters_first() {
    let (_, plan) = demo();
    assert_eq!(
        plan.steps,
        [
            WorkflowStep::GlobalMaintenance { enabled: true },
            WorkflowStep::ManagerUpdate {
                from: "4.4.5".parse().unwrap(),
                to: "4.4.10".parse().unwrap()
            },
            WorkflowStep::GlobalMaintenance { enabled: false },
            WorkflowStep::Hosts {
                clusters: vec!["Production".into(), "Development".into(), "Branch".into()]
            },
            WorkflowStep::CompatibilityChain {
                level: "4.6".parse().unwrap()
            },
        ]
    );
}

#[test]
fn a_standalone_manager_needs_no_global_maintenance_and_a_current_one_no_update() {
    let inventory = scenario::load("example:standalone-remote").unwrap();
    let running = inventory.manager.version;
    let newer: Version = "4.5.6".parse().unwrap();
    let level = *model::release::supported_cluster_levels(newer)
        .last()
        .unwrap();
    let plan = workflow::plan(&inventory, newer, level, WorkflowOptions::default());
    assert!(
        matches!(plan.steps[0], WorkflowStep::ManagerUpdate { .. }),
        "{:?}",
        plan.steps
    );
    assert!(!plan
        .steps
        .iter()
        .any(|s| matches!(s, WorkflowStep::GlobalMaintenance { .. })));
    let current = workflow::plan(&inventory, running, level, WorkflowOptions::default());
    assert!(matches!(current.steps[0], WorkflowStep::Hosts { .. }));
}

/// The simulator's VM transitions, as the workflow's judgements take them.
fn vm_transitions(engine: &SimEngine) -> Vec<VmTransition> {
    engine
        .simulator()
        .history()
        .transitions
        .iter()
        .filter_map(|(at, t)| match t {
            Transition::Vm { vm, to, .. } => Some(VmTransition {
                at: *at,
                vm: *vm,
                to: *to,
            }),
            _ => None,
        })
        .collect()
}

/// What every finished demo workflow must show: every host current, every level at the
/// target, the failed host retried once, no VM lost or down unreported.
async fn check_end(engine: &SimEngine, summary: &WorkflowSummary) -> Result<(), String> {
    if summary.outcome != WorkflowOutcome::Completed {
        return Err(format!("not completed: {:?}", summary.outcome));
    }
    if summary.retried != ["dev-host02"] {
        return Err(format!("retried {:?}", summary.retried));
    }
    let end = model::engine::Engine::inventory(engine)
        .await
        .map_err(|e| e.to_string())?;
    let behind: Vec<&str> = workflow::hosts_left_behind(&end)
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    if !behind.is_empty() {
        return Err(format!("hosts left behind: {behind:?}"));
    }
    if end.manager.version != summary.manager_to {
        return Err(format!("the Manager runs {}", end.manager.version));
    }
    let chain = summary.chain.as_ref().ok_or("no chain summary")?;
    if !chain.is_clean() {
        return Err(format!("the chain did not finish cleanly: {chain:?}"));
    }
    let sim = engine.simulator();
    let violations = sim.history().check(sim.inventory(), sim.now());
    if !violations.is_empty() {
        return Err(format!("invariants broken: {violations:?}"));
    }
    drop(sim);
    let transitions = vm_transitions(engine);
    let unreported = workflow::unreported_downs(&transitions, &end, summary);
    if !unreported.is_empty() {
        return Err(format!("VMs down unreported: {unreported:?}"));
    }
    let manager_vm = end.vms.iter().find(|v| v.hosted_engine).unwrap().id;
    if workflow::manager_vm_downtime(&transitions, manager_vm) == 0 {
        return Err("the Manager VM never went down for its update".into());
    }
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn the_demo_environment_is_upgraded_end_to_end_retrying_the_failed_host() {
    let (inventory, plan) = demo();
    let dir = tempfile::tempdir().unwrap();
    let engine = harness::engine(&inventory, DEMO_FAULTS, 1);
    let clock = TokioClock::new(START, 1.0);
    let mut journal =
        WorkflowJournal::create(&dir.path().join("workflow.sqlite"), header(dir.path())).unwrap();
    let recorder = Recorder::default();
    let summary = workflow::run(
        &engine,
        &clock,
        &SimulatedSetup(&engine),
        &mut journal,
        plan,
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_end(&engine, &summary).await.unwrap();
    let clusters: Vec<&str> = summary.rolling.iter().map(|s| s.cluster.as_str()).collect();
    assert_eq!(
        clusters,
        ["Production", "Development", "Development", "Branch"],
        "the hosted-engine cluster first; the failed host again right after its cluster"
    );
    let steps: Vec<usize> = recorder
        .events()
        .iter()
        .filter_map(|e| match e {
            RunEvent::WorkflowStepStarted { step, .. } => Some(*step),
            _ => None,
        })
        .collect();
    assert_eq!(steps, [1, 2, 3, 4, 5]);
    for file in [
        "cluster-upgrade-Production.sqlite",
        "cluster-upgrade-Development.sqlite",
        "cluster-upgrade-Development-again-dev-host02.sqlite",
        "cluster-upgrade-Branch.sqlite",
        "finish.sqlite",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} is missing");
    }
    let status =
        workflow::WorkflowStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Finished);
    assert!(status.runs.iter().all(|r| r.finished), "{:?}", status.runs);
}

/// A workflow killed at `kill` (a write of its own journal) or after `seconds` of engine time
/// (a kill at whatever the runs were doing), then resumed from its journal on the same
/// engine, which lived on.
async fn killed_and_resumed(kill: Option<KillPoint>, seconds: Option<u64>) -> Result<(), String> {
    let (inventory, plan) = demo();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workflow.sqlite");
    let engine = harness::engine(&inventory, DEMO_FAULTS, 1);
    let clock = TokioClock::new(START, 1.0);
    let setup = SimulatedSetup(&engine);
    let stop = StopSignal::new();
    let recorder = Recorder::default();
    let mut journal = WorkflowJournal::create(&path, header(dir.path())).unwrap();
    if let Some(kill) = kill {
        journal.kill_at(kill);
    }
    let limit = std::time::Duration::from_secs(seconds.unwrap_or(7 * 24 * 3600));
    let first = tokio::time::timeout(
        limit,
        workflow::run(
            &engine,
            &clock,
            &setup,
            &mut journal,
            plan,
            &recorder,
            &stop,
        ),
    )
    .await;
    drop(journal);
    if let Ok(Ok(summary)) = first {
        return Err(format!("the kill never struck: {:?}", summary.outcome));
    }
    if let Ok(Err(error)) = &first {
        if !error.to_string().contains("killed") {
            return Err(format!("the first run failed: {error}"));
        }
    }
    let mut journal = WorkflowJournal::open(&path).map_err(|e| e.to_string())?;
    let summary =
        match workflow::resume(&engine, &clock, &setup, &mut journal, &recorder, &stop).await {
            Ok(summary) => summary,
            // Killed before the plan was written: nothing was done, so it starts again.
            Err(workflow::WorkflowError::Run(orchestrator::ExecuteError::NoPlan { .. })) => {
                let (_, plan) = demo();
                let mut journal =
                    WorkflowJournal::create(&dir.path().join("again.sqlite"), header(dir.path()))
                        .unwrap();
                workflow::run(
                    &engine,
                    &clock,
                    &setup,
                    &mut journal,
                    plan,
                    &recorder,
                    &stop,
                )
                .await
                .map_err(|e| e.to_string())?
            }
            Err(error) => return Err(format!("resume failed: {error}")),
        };
    check_end(&engine, &summary).await
}

#[tokio::test(start_paused = true)]
async fn a_workflow_killed_between_its_journal_writes_resumes_to_the_same_end() {
    // Its 25 writes: planned, began, each step's start and end, each run's start and end,
    // the retried host's activation, finished. These are the ones resume has to think about:
    // a step begun, a run noted but without its file, an activation asked or done, a run
    // ended before the workflow noted it, the chain noted, the end.
    for (writes, committed) in [
        (3, false),
        (10, true),
        (14, false),
        (15, true),
        (17, false),
        (22, true),
        (25, false),
    ] {
        let kill = KillPoint { writes, committed };
        if let Err(problem) = killed_and_resumed(Some(kill), None).await {
            panic!("killed after write {writes} (committed: {committed}): {problem}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_workflow_killed_in_the_middle_of_a_run_resumes_that_run() {
    // Engine minutes into the first cluster, the failed host's retry, and the chain.
    for minutes in [30, 150, 172] {
        if let Err(problem) = killed_and_resumed(None, Some(minutes * 60)).await {
            panic!("killed after {minutes} engine minutes: {problem}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_stop_ends_the_workflow_after_the_run_under_way_and_resume_goes_on() {
    let (inventory, plan) = demo();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workflow.sqlite");
    let engine = harness::engine(&inventory, DEMO_FAULTS, 1);
    let clock = TokioClock::new(START, 1.0);
    let setup = SimulatedSetup(&engine);
    let stop = StopSignal::new();
    stop.stop();
    let mut journal = WorkflowJournal::create(&path, header(dir.path())).unwrap();
    let stopped = workflow::run(
        &engine,
        &clock,
        &setup,
        &mut journal,
        plan,
        &Recorder::default(),
        &stop,
    )
    .await
    .unwrap();
    assert!(
        matches!(stopped.outcome, WorkflowOutcome::Interrupted { .. }),
        "{:?}",
        stopped.outcome
    );
    assert!(stopped.rolling.is_empty(), "nothing was started");
    let status =
        workflow::WorkflowStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Interrupted);
    let summary = workflow::resume(
        &engine,
        &clock,
        &setup,
        &mut journal,
        &Recorder::default(),
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_end(&engine, &summary).await.unwrap();
}
