//! Deterministic simulation: the executor against the simulated engine on a paused clock.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use model::*;
use orchestrator::bench;
use orchestrator::event::HostFailure;
use orchestrator::journal::{Fold, KillPoint};
use orchestrator::*;

use super::harness::*;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Every seed: a small cluster, random options, random faults from the simulator (failed
/// installs, hosts that never return, failed migrations, 503s, dropped connections, slow
/// answers) on engines 4.3.2, 4.4.10 and 4.5.6 in turn, and for half of them the orchestrator
/// killed after a random journal write and resumed. `ORCH_SEEDS=5000` runs more; `ORCH_SEED=N`
/// runs one and prints its events.
#[test]
fn seeds_with_faults_and_kills_keep_every_invariant() {
    let (first, count) = match env_number("ORCH_SEED") {
        Some(seed) => (seed, 1),
        None => (
            env_number("ORCH_FIRST_SEED").unwrap_or(0),
            env_number("ORCH_SEEDS").unwrap_or(500),
        ),
    };
    let failures = Mutex::new(Vec::new());
    let tally = Mutex::new(BTreeMap::<&str, usize>::new());
    std::thread::scope(|scope| {
        for lane in 0..2 {
            let (failures, tally) = (&failures, &tally);
            scope.spawn(move || {
                for seed in (first + lane..first + count).step_by(2) {
                    let case = case(seed);
                    match paused(run_case(&case)) {
                        Ok(ran) => {
                            let mut tally = tally.lock().unwrap();
                            *tally.entry("runs").or_default() += 1;
                            if ran.killed {
                                *tally.entry("killed and resumed").or_default() += 1;
                            }
                            match &ran.summary {
                                None => *tally.entry("blocked by the plan").or_default() += 1,
                                Some(s) if s.is_clean() => *tally.entry("clean").or_default() += 1,
                                Some(s) if !s.failed.is_empty() => *tally.entry("with failed hosts").or_default() += 1,
                                Some(_) => *tally.entry("stopped early").or_default() += 1,
                            }
                            if count == 1 {
                                println!("{case:#?}");
                                for event in &ran.events {
                                    println!("{}", serde_json::to_string(event).unwrap());
                                }
                            }
                        }
                        Err(problem) => failures.lock().unwrap().push(format!(
                            "seed {seed} (engine {}, {} hosts, faults `{}`, kill {:?}, options {}):\n{problem}\nreproduce: {}",
                            case.workload.inventory.manager.version,
                            case.workload.hosts,
                            case.faults,
                            case.kill,
                            serde_json::to_string(&case.options).unwrap(),
                            reproduction(seed)
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
        assert!(
            tally.get("killed and resumed").copied().unwrap_or(0) >= (count / 5) as usize,
            "{tally:?}"
        );
        assert!(
            tally.get("clean").copied().unwrap_or(0) >= (count / 5) as usize,
            "{tally:?}"
        );
    }
}

fn example(name: &str, cluster: &str) -> (Inventory, ClusterId) {
    let inventory = scenario::load(&format!("example:{name}")).unwrap();
    let cluster = find_cluster(&inventory, cluster).unwrap();
    (inventory, cluster)
}

fn example_header(cluster: ClusterId, name: &str, options: &Options) -> RunHeader {
    RunHeader {
        run_id: "example".into(),
        engine: "sim:example".into(),
        cluster,
        cluster_name: name.into(),
        correlation_id: "corr".into(),
        created_ms: START.0,
        options: options.clone(),
    }
}

fn as_workload(inventory: &Inventory, cluster: ClusterId) -> bench::Workload {
    bench::Workload {
        seed: 0,
        inventory: inventory.clone(),
        cluster,
        hosts: 0,
        load_percent: 0,
        self_hosted: false,
    }
}

#[tokio::test(start_paused = true)]
async fn the_self_hosted_example_upgrades_cleanly_as_planned() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    let events = recorder.events();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &events,
    )
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    assert_eq!(summary.upgraded.len(), 5);
    assert_eq!(
        summary.migrations, plan.prediction.migrations,
        "the run migrates exactly as planned"
    );
    assert!(
        summary.migrations_per_moved_vm() <= 1.15,
        "{}",
        summary.migrations_per_moved_vm()
    );
    assert_eq!(summary.policy_restored, Some(SchedulingPolicy::None));
    // The pinned database is down only while its own host is upgraded.
    let db = summary
        .vm_downtime
        .iter()
        .find(|d| d.vm == "db-primary")
        .unwrap();
    assert!(db.still_down.is_none() && db.seconds < 20 * 60, "{db:?}");
    // The hosted-engine VM moves once, in the last wave.
    let last_wave = plan.waves.last().unwrap();
    assert!(last_wave.hosts[0]
        .migrations
        .iter()
        .any(|m| m.vm_name == "HostedEngine"));
    let duration = summary.duration_seconds as f64;
    let predicted = summary.predicted_seconds as f64;
    assert!(
        (duration - predicted).abs() / predicted < 0.1,
        "{duration} s against {predicted} s predicted"
    );
    let position = |wanted: fn(&RunEvent) -> bool| events.iter().position(wanted).unwrap();
    let db_started = position(|e| matches!(e, RunEvent::VmStarted { vm } if vm == "db-primary"));
    let second_wave = position(|e| matches!(e, RunEvent::WaveStarted { wave: 2, .. }));
    assert!(
        db_started < second_wave,
        "db-primary starts again before the next host goes"
    );
}

#[tokio::test(start_paused = true)]
async fn a_spare_host_makes_every_vm_migrate_exactly_once() {
    let mut rng = model::rng::Rng::new(11);
    let mut workload = bench::workload_with(11, 6, 60, &mut rng);
    for host in workload.inventory.hosts.iter_mut() {
        host.memory = 256 * GIB;
    }
    let spare = workload.inventory.hosts[2].id;
    workload.inventory.vms.retain(|v| v.host != Some(spare));
    for host in workload.inventory.hosts.iter_mut() {
        let used: u64 = workload
            .inventory
            .vms
            .iter()
            .filter(|v| v.host == Some(host.id))
            .map(|v| v.memory + orchestrator::cluster::VM_OVERHEAD)
            .sum();
        host.max_scheduling_memory = host.memory - used;
    }
    let options = Options::default();
    let plan = orchestrator::plan(&workload.inventory, workload.cluster, &options).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    assert_eq!(
        plan.waves[0].hosts[0].host, spare,
        "the empty host goes first"
    );
    assert_eq!(plan.prediction.vms_moving_twice, 0);
    let engine = engine(&workload.inventory, "", 11);
    let clock = TokioClock::new(START, 1.0);
    let metrics = bench::run_strategy(
        &engine,
        &clock,
        &workload,
        bench::Strategy::Planner { max_parallel: 1 },
    )
    .await;
    assert!(metrics.completed, "{metrics:?}");
    assert!(
        metrics.per_vm.iter().all(|&n| n == 1),
        "{:?}",
        metrics.per_vm
    );
}

/// Kills the orchestrator after every journal write of a run, committed or not, and resumes:
/// every resumed run ends clean, and no host is upgraded twice nor any VM migrated more than
/// the uninterrupted run migrates it.
#[tokio::test(start_paused = true)]
async fn a_kill_between_any_two_journal_writes_resumes_cleanly() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let workload = as_workload(&inventory, cluster);
    let reference = {
        let engine = engine(&inventory, "", 3);
        let clock = TokioClock::new(START, 1.0);
        let mut journal =
            Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
        orchestrator::run(
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
        let committed = writes % 2 == 0;
        let engine = engine(&inventory, "", 3);
        let clock = TokioClock::new(START, 1.0);
        let mut journal =
            Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
        journal.kill_at(KillPoint { writes, committed });
        let recorder = Recorder::default();
        let result = orchestrator::run(
            &engine,
            &clock,
            &mut journal,
            plan.clone(),
            &recorder,
            &StopSignal::new(),
        )
        .await;
        assert!(
            matches!(
                result,
                Err(ExecuteError::Journal(JournalError::Killed { .. }))
            ),
            "write {writes}: {result:?}"
        );
        let mut journal = journal.reopen();
        let summary = match orchestrator::resume(
            &engine,
            &clock,
            &mut journal,
            &recorder,
            &StopSignal::new(),
        )
        .await
        {
            Ok(summary) => summary,
            Err(ExecuteError::NoPlan { .. }) => {
                assert!(
                    writes == 1 && !committed,
                    "only a run killed before its plan was written has none"
                );
                assert_eq!(
                    engine.simulator().events(None).len(),
                    1,
                    "and it did nothing"
                );
                continue;
            }
            Err(error) => panic!("kill after write {writes}: {error}"),
        };
        let context = format!("killed after write {writes} (committed: {committed})");
        check_run(
            &engine,
            &workload,
            &options,
            &plan,
            &summary,
            &recorder.events(),
        )
        .unwrap_or_else(|p| panic!("{context}: {p}"));
        assert!(summary.is_clean(), "{context}: {summary:#?}");
        let sim = engine.simulator();
        let events = sim.events(None);
        for host in &inventory.hosts {
            let upgrades = events
                .iter()
                .filter(|e| e.code == 840 && e.host == Some(host.id))
                .count();
            assert!(
                upgrades <= 1,
                "{context}: {} upgraded {upgrades} times",
                host.name
            );
        }
        let migrations = events.iter().filter(|e| e.code == 63).count();
        assert_eq!(migrations, plan.prediction.migrations, "{context}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_journal_on_disk_survives_the_kill() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/run.sqlite");
    let engine = engine(&inventory, "", 5);
    let clock = TokioClock::new(START, 1.0);
    let mut journal =
        Journal::create(&path, example_header(cluster, "Production", &options)).unwrap();
    journal.kill_at(KillPoint {
        writes: 60,
        committed: true,
    });
    let recorder = Recorder::default();
    let killed = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await;
    assert!(
        matches!(
            killed,
            Err(ExecuteError::Journal(JournalError::Killed { writes: 60 }))
        ),
        "{killed:?}"
    );
    drop(journal);

    let mut journal = Journal::open(&path).unwrap();
    let status = RunStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(status.state, orchestrator::state::RunPhase::Interrupted);
    assert_eq!(status.policy_to_restore, Some(SchedulingPolicy::None));
    assert_eq!(status.records, 60);
    assert!(matches!(
        Journal::create(&path, example_header(cluster, "Production", &options)),
        Err(JournalError::Exists { .. })
    ));
    let summary =
        orchestrator::resume(&engine, &clock, &mut journal, &recorder, &StopSignal::new())
            .await
            .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert!(summary.is_clean());
    let again =
        orchestrator::resume(&engine, &clock, &mut journal, &recorder, &StopSignal::new()).await;
    assert!(
        matches!(again, Err(ExecuteError::AlreadyFinished { .. })),
        "{again:?}"
    );
}

#[test]
fn a_journal_from_another_engine_or_cluster_is_refused() {
    let (_, cluster) = example("self-hosted", "Production");
    let journal =
        Journal::in_memory(example_header(cluster, "Production", &Options::default())).unwrap();
    let other_engine = journal
        .check_target(
            "https://engine.example.com/ovirt-engine/api",
            cluster,
            "Production",
        )
        .unwrap_err();
    assert!(
        other_engine
            .to_string()
            .contains("belongs to another engine: it was written against sim:example"),
        "{other_engine}"
    );
    let (_, development) = example("self-hosted", "Development");
    let other_cluster = journal
        .check_target("sim:example", development, "Development")
        .unwrap_err();
    assert!(
        other_cluster
            .to_string()
            .contains("belongs to cluster Production"),
        "{other_cluster}"
    );
    journal
        .check_target("sim:example", cluster, "Production")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_engine_going_away_stops_the_run_safely_and_resume_finishes_it() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let clock = TokioClock::new(START, 1.0);
    let inner = engine(&inventory, "", 9);
    let engine = Outage {
        inner: inner.clone(),
        clock: clock.clone(),
        from: START.plus_millis(25 * 60_000),
        until: START.plus_millis(70 * 60_000),
    };
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    assert!(
        matches!(summary.outcome, Outcome::EngineUnreachable { .. }),
        "{:?}",
        summary.outcome
    );
    assert!(
        summary.policy_restored.is_none(),
        "the policy could not be restored while the engine was away"
    );
    let status = RunStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(
        status.state,
        orchestrator::state::RunPhase::Interrupted,
        "the journal keeps the run open"
    );
    assert_eq!(status.policy_to_restore, Some(SchedulingPolicy::None));

    tokio::time::sleep_until(tokio::time::Instant::now() + Duration::from_secs(3600)).await;
    let summary =
        orchestrator::resume(&engine, &clock, &mut journal, &recorder, &StopSignal::new())
            .await
            .unwrap();
    check_run(
        &inner,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_lets_hosts_in_flight_finish_and_resume_goes_on() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options {
        max_parallel: 2,
        ..Options::default()
    };
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let engine = engine(&inventory, "", 4);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let stop = StopSignal::new();
    let (summary, ()) = tokio::join!(
        orchestrator::run(
            &engine,
            &clock,
            &mut journal,
            plan.clone(),
            &recorder,
            &stop
        ),
        async {
            tokio::time::sleep(Duration::from_secs(20 * 60)).await;
            stop.stop();
        }
    );
    let summary = summary.unwrap();
    assert_eq!(summary.outcome, Outcome::Stopped);
    assert!(
        !summary.upgraded.is_empty() && !summary.not_started.is_empty(),
        "{summary:#?}"
    );
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    {
        let sim = engine.simulator();
        let production = sim
            .inventory()
            .clusters
            .iter()
            .find(|c| c.id == cluster)
            .unwrap();
        assert_eq!(
            production.scheduling_policy,
            SchedulingPolicy::None,
            "restored on stop"
        );
    }
    let status = RunStatus::from_journal(journal.header(), &journal.entries().unwrap());
    assert_eq!(
        status.state,
        orchestrator::state::RunPhase::Interrupted,
        "a stopped run can be resumed"
    );
    assert_eq!(
        status.policy_to_restore, None,
        "and left the cluster as it found it"
    );
    let summary =
        orchestrator::resume(&engine, &clock, &mut journal, &recorder, &StopSignal::new())
            .await
            .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    assert_eq!(summary.upgraded.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_failed_install_is_left_safe_and_the_run_goes_on() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let victim = plan.waves[1].hosts[0].name.clone();
    let engine = engine(&inventory, &format!("install-fail:{victim}"), 2);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert_eq!(summary.outcome, Outcome::Completed);
    assert_eq!(summary.failed.len(), 1);
    assert_eq!(summary.failed[0].host, victim);
    assert_eq!(summary.failed[0].failure, HostFailure::InstallFailed);
    assert_eq!(summary.upgraded.len(), 4);
    let attention = summary
        .needs_attention
        .iter()
        .find(|a| a.host == victim)
        .unwrap();
    assert_eq!(attention.status, HostStatus::InstallFailed);
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| matches!(e, RunEvent::Replanned { .. })),
        "the rest is planned without the failed host"
    );
}

#[tokio::test(start_paused = true)]
async fn the_failure_budget_stops_new_hosts_and_puts_the_cluster_back() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options {
        max_failures: 0,
        ..Options::default()
    };
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let first = plan.waves[0].hosts[0].name.clone();
    let engine = engine(&inventory, &format!("never-return:{first}"), 2);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert_eq!(summary.outcome, Outcome::FailureBudgetSpent);
    assert!(timed_out(&summary), "{summary:#?}");
    assert_eq!(summary.not_started.len(), 4);
    assert_eq!(summary.policy_restored, Some(SchedulingPolicy::None));
    // Its pinned VM cannot start on a host that never came back: reported, not lost.
    let db = summary.vm_downtime.iter().find(|d| d.vm == "db-primary");
    if let Some(db) = db {
        assert!(
            db.still_down.as_deref().is_some_and(|w| w.contains(&first)),
            "{db:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_vm_that_will_not_migrate_fails_its_host_which_stays_up() {
    let (inventory, cluster) = example("self-hosted", "Production");
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let moved_first: Vec<&str> = plan.waves[0].hosts[0]
        .migrations
        .iter()
        .map(|m| m.vm_name.as_str())
        .collect();
    let stubborn = plan.waves[1].hosts[0]
        .migrations
        .iter()
        .find(|m| !moved_first.contains(&m.vm_name.as_str()))
        .unwrap()
        .vm_name
        .clone();
    let host = plan.waves[1].hosts[0].name.clone();
    let engine = engine(&inventory, &format!("migration-fail:{stubborn}"), 2);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    let failed = summary.failed.iter().find(|f| f.host == host).unwrap();
    // The reason is the engine's own: `MigrateVmToServerCommand` logs 120 for a migration to
    // a named host that fails, naming the VM, its source and destination.
    assert!(
        matches!(&failed.failure, HostFailure::CannotEvacuate { vm, detail }
            if *vm == stubborn && detail.starts_with(&format!("Migration failed (VM: {stubborn}, Source: {host}, Destination: "))),
        "{failed:?}"
    );
    let failed_attempts: Vec<String> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            RunEvent::MigrationFailed { vm, reason, .. } if vm == stubborn => Some(reason),
            _ => None,
        })
        .collect();
    assert!(
        !failed_attempts.is_empty()
            && failed_attempts
                .iter()
                .all(|r| r.starts_with("Migration failed (VM: ")),
        "every failed attempt shows the engine's event 120: {failed_attempts:?}"
    );
    let sim = engine.simulator();
    let h = sim
        .inventory()
        .hosts
        .iter()
        .find(|h| h.name == host)
        .unwrap();
    assert_eq!(
        h.status,
        HostStatus::Up,
        "a host that could not be emptied stays up"
    );
}

#[tokio::test(start_paused = true)]
async fn check_upgrade_asks_the_hosts_first_and_skips_those_without_updates() {
    let (mut inventory, cluster) = example("self-hosted", "Production");
    for host in inventory.hosts.iter_mut() {
        host.update_available = false;
    }
    let options = Options {
        check_upgrade: true,
        ..Options::default()
    };
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    assert_eq!(plan.prediction.hosts, 5);
    assert!(plan
        .notices
        .iter()
        .any(|n| matches!(n, orchestrator::plan::Notice::AssumesUpdates { .. })));
    // One host already has the packages the engine would install: its check finds nothing.
    let current = inventory
        .hosts
        .iter_mut()
        .find(|h| h.name == "prod-host03")
        .unwrap();
    current
        .packages
        .insert("vdsm".into(), PackageVersion::new("4.50.3.6-1.el8"));
    let engine = engine(&inventory, "", 6);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let recorder = Recorder::default();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &recorder,
        &StopSignal::new(),
    )
    .await
    .unwrap();
    check_run(
        &engine,
        &as_workload(&inventory, cluster),
        &options,
        &plan,
        &summary,
        &recorder.events(),
    )
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    assert_eq!(summary.upgraded.len(), 4);
    assert!(
        summary.skipped.iter().any(|s| s.host == "prod-host03"),
        "{:?}",
        summary.skipped
    );
    assert!(recorder.events().iter().any(
        |e| matches!(e, RunEvent::Replanned { reason, .. } if reason.contains("asked for updates"))
    ));
}

/// The run's journaled cluster actions and the engine's progress events, for a run of the
/// self-hosted example with its Manager at `manager`.
async fn upgrade_flag_traffic(manager: &str) -> (Vec<orchestrator::journal::Action>, Vec<u32>) {
    let (mut inventory, cluster) = example("self-hosted", "Production");
    inventory.manager.version = manager.parse().unwrap();
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Production", &options)).unwrap();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan,
        &Recorder::default(),
        &StopSignal::new(),
    )
    .await
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    assert!(
        !engine
            .simulator()
            .inventory()
            .clusters
            .iter()
            .any(|c| c.upgrade_running),
        "the flag is finished"
    );
    let state = orchestrator::state::RunState::from_entries(&journal.entries().unwrap());
    let actions = state
        .cluster_steps()
        .map(|(_, s)| s.action.clone())
        .filter(|a| !matches!(a, orchestrator::journal::Action::SetPolicy { .. }))
        .collect();
    // The engine lists events newest first.
    let codes = engine
        .simulator()
        .events(None)
        .iter()
        .rev()
        .map(|e| e.code)
        .filter(|c| matches!(c, 892 | 894 | 896))
        .collect();
    (actions, codes)
}

/// ovirt-engine before 4.5.0 (commit 5cfed654892) has no `update_progress` and shows no flag:
/// the run starts and finishes the flag and sends no progress; from 4.5 it reports progress;
/// before 4.3.3 there is no flag to set.
#[tokio::test(start_paused = true)]
async fn progress_reaches_the_engine_only_where_it_can_show_it() {
    use orchestrator::journal::Action::*;
    let (actions, codes) = upgrade_flag_traffic("4.4.10").await;
    assert_eq!(actions, [StartUpgradeFlag, FinishUpgradeFlag]);
    assert_eq!(codes, [892, 894]);
    let (actions, codes) = upgrade_flag_traffic("4.3.2").await;
    assert!(
        actions.is_empty() && codes.is_empty(),
        "no upgrade action before 4.3.3: {actions:?}"
    );
    let (actions, codes) = upgrade_flag_traffic("4.5.6").await;
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, UpdateProgress { percent: 100 })),
        "{actions:?}"
    );
    assert!(
        codes.contains(&896) && codes.last() == Some(&894),
        "{codes:?}"
    );
}

/// `HostUpgradeCallback`: an upgrade the engine accepted and then gave up (17, 841, the host
/// still up with its updates) is recognised from those events and reported with the engine's
/// words, not waited on until the timeout; the run goes on with the other hosts.
#[tokio::test(start_paused = true)]
async fn an_upgrade_the_engine_gives_up_is_reported_with_its_reason() {
    let (mut inventory, cluster) = example("standalone-local", "Default");
    for host in &mut inventory.hosts {
        host.update_available = true;
    }
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let engine = engine(&inventory, "upgrade-abandoned:host2", 1);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Default", &options)).unwrap();
    let began = clock.now();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan,
        &Recorder::default(),
        &StopSignal::new(),
    )
    .await
    .unwrap();
    let failed = summary
        .failed
        .iter()
        .find(|f| f.host == "host2")
        .unwrap_or_else(|| panic!("host2 is reported: {summary:#?}"));
    assert!(
        matches!(&failed.failure, HostFailure::Abandoned { detail } if detail.contains("Failed to switch Host host2 to Maintenance mode")),
        "{failed:?}"
    );
    assert_eq!(summary.upgraded.len(), 2, "the other hosts are upgraded");
    let minutes = (clock.now().0 - began.0) / 60_000;
    assert!(
        minutes < i64::from(options.host_timeout_minutes),
        "not waited out: {minutes} min"
    );
    let host2 = engine
        .simulator()
        .inventory()
        .hosts
        .iter()
        .find(|h| h.name == "host2")
        .unwrap()
        .clone();
    assert_eq!(host2.status, HostStatus::Up);
}

/// `HandleVdsVersionCommand`: a host that comes back unable to run its cluster's level goes
/// non-operational with event 154; the run reports it with the engine's words.
#[tokio::test(start_paused = true)]
async fn a_host_back_non_operational_is_reported_with_the_engines_reason() {
    let (mut inventory, cluster) = example("standalone-local", "Default");
    for host in &mut inventory.hosts {
        host.update_available = true;
        if host.name == "host2" {
            host.supported_levels = vec![Level::new(4, 2)];
        }
    }
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    let engine = engine(&inventory, "", 1);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Default", &options)).unwrap();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan,
        &Recorder::default(),
        &StopSignal::new(),
    )
    .await
    .unwrap();
    let failed = summary
        .failed
        .iter()
        .find(|f| f.host == "host2")
        .unwrap_or_else(|| panic!("host2 is reported: {summary:#?}"));
    assert!(
        matches!(&failed.failure, HostFailure::BadState { status: HostStatus::NonOperational, reason: Some(reason) } if reason.contains("cannot join Cluster Default which is set to version 4.3")),
        "{failed:?}"
    );
}

/// `UpgradeHostCommand` accepts an install_failed host; the engine installs it again and
/// activates it. The plan takes such a host in place, says so, and the run ends with it up.
#[tokio::test(start_paused = true)]
async fn an_install_failed_host_is_installed_again_and_ends_up() {
    let (mut inventory, cluster) = example("standalone-local", "Default");
    let failed = inventory
        .hosts
        .iter()
        .rfind(|h| h.cluster == cluster && h.spm != SpmStatus::Spm)
        .unwrap()
        .clone();
    inventory.vms.retain(|v| v.host != Some(failed.id));
    let host = inventory
        .hosts
        .iter_mut()
        .find(|h| h.id == failed.id)
        .unwrap();
    host.status = HostStatus::InstallFailed;
    host.update_available = true;
    let options = Options::default();
    let plan = orchestrator::plan(&inventory, cluster, &options).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    let step = plan
        .waves
        .iter()
        .flat_map(|w| &w.hosts)
        .find(|s| s.host == failed.id)
        .unwrap_or_else(|| panic!("the install_failed host is planned: {:?}", plan.skipped));
    assert!(step.in_place && step.migrations.is_empty());
    assert_eq!(step.found(), HostStatus::InstallFailed);
    assert!(plan.notices.iter().any(
        |n| matches!(n, orchestrator::plan::Notice::RetriesInstallFailed { host } if *host == failed.name)
    ));
    let engine = engine(&inventory, "", 3);
    let clock = TokioClock::new(START, 1.0);
    let mut journal = Journal::in_memory(example_header(cluster, "Default", &options)).unwrap();
    let summary = orchestrator::run(
        &engine,
        &clock,
        &mut journal,
        plan.clone(),
        &Recorder::default(),
        &StopSignal::new(),
    )
    .await
    .unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    assert!(
        summary.upgraded.iter().any(|u| u.host == failed.name),
        "{summary:#?}"
    );
    let sim = engine.simulator();
    let after = sim
        .inventory()
        .hosts
        .iter()
        .find(|h| h.id == failed.id)
        .unwrap();
    assert_eq!(after.status, HostStatus::Up);
    assert!(!after.update_available);
}

/// The re-enacted role must fail where oVirt's role fails. Its `ovirt_vm` task with
/// `migrate: true` waits only for the VM to be up again (`_migrate_vm` and `_wait_for_UP` in the
/// collection's `plugins/modules/ovirt_vm.py`). So a migration the engine accepts and then
/// fails leaves the VM up on the same host, and the role goes on to the host's upgrade. Only a
/// refused `migrate` action stops it.
#[tokio::test(start_paused = true)]
async fn the_reenacted_role_goes_on_past_a_failed_migration() {
    // The first role cluster where a host runs a `user_migratable` VM, the only kind the role
    // migrates itself: the VM whose migrations fail, and its host.
    let (workload, first, failing) = (0..100)
        .map(bench::role_workload)
        .find_map(|workload| {
            let mut hosts: Vec<&Host> = workload
                .inventory
                .hosts
                .iter()
                .filter(|h| h.cluster == workload.cluster && h.update_available)
                .collect();
            hosts.sort_by(|a, b| a.name.cmp(&b.name));
            let (host, vm) = hosts.iter().find_map(|host| {
                workload
                    .inventory
                    .vms
                    .iter()
                    .find(|v| {
                        v.host == Some(host.id)
                            && v.is_running()
                            && v.affinity == Affinity::UserMigratable
                    })
                    .map(|vm| (host.id, vm.clone()))
            })?;
            Some((workload, host, vm))
        })
        .expect("a role cluster runs a user_migratable VM");
    let engine = engine(
        &workload.inventory,
        &format!("migration-fail:{}", failing.name),
        3,
    );
    let clock = TokioClock::new(START, 1.0);
    let outcome = orchestrator::baseline::ovirt_role(
        &engine,
        &clock,
        workload.cluster,
        orchestrator::baseline::AnsiblePace::REAL_TIME,
    )
    .await;
    if let Some((_, reason)) = &outcome.failed {
        assert!(
            !reason.starts_with(&format!("migration of {}", failing.name)),
            "the role stopped at the failed migration: {reason}"
        );
    }
    assert!(
        outcome.upgraded.contains(&first) || outcome.failed.as_ref().is_some_and(|f| f.0 == first),
        "the role went on to the first host's upgrade: {outcome:?}"
    );
}

/// The role is Ansible: each of its tasks takes about a second of real time, which an engine
/// run 300 times faster (`sim serve --speed 300`, where `bench rolling --against-role` runs the
/// real role) sees as five minutes. On role cluster 7, whose hosts cannot be emptied, the real
/// role made 129 migrations there: the engine finished each failed maintenance's migrations
/// before the role reached the next host. A re-enactment that took no time between tasks
/// started the next host with the previous one's migrations in flight and counted 49.
#[tokio::test(start_paused = true)]
async fn the_reenacted_role_takes_ansibles_time_between_hosts() {
    use model::engine::Engine;
    use ovirt_sim::{SimConfig, SimEngine, Simulator};
    let workload = bench::role_workload(7);
    let second_host_started = |pace| {
        let workload = &workload;
        async move {
            let engine = SimEngine::new(
                Simulator::new(
                    workload.inventory.clone(),
                    SimConfig::default(),
                    Default::default(),
                    workload.seed,
                    START,
                ),
                1.0,
                workload.seed,
            );
            let clock = TokioClock::new(START, 1.0);
            baseline::ovirt_role(&engine, &clock, workload.cluster, pace).await;
            let mut events = engine.events(None).await.expect("the simulator's events");
            events.reverse();
            // Migrations started and ended when the role asked the second host's upgrade.
            let mut upgrades = 0;
            let (mut started, mut ended) = (0, 0);
            for event in &events {
                match event.code {
                    840 => {
                        upgrades += 1;
                        if upgrades == 2 {
                            break;
                        }
                    }
                    62 | 67 => started += 1,
                    63 | 65 => ended += 1,
                    _ => {}
                }
            }
            assert_eq!(upgrades, 2, "the role reached a second host");
            (started, ended)
        }
    };
    let (started, ended) = second_host_started(baseline::AnsiblePace {
        engine_speed: 300.0,
    })
    .await;
    assert!(
        started > 0,
        "the first host's maintenance started migrations"
    );
    assert_eq!(
        ended, started,
        "at speed 300 the first host's migrations end before the role reaches the second"
    );
    let (started, ended) = second_host_started(baseline::AnsiblePace::REAL_TIME).await;
    assert!(
        ended < started,
        "in real time the role reaches the second host with migrations in flight"
    );
}
