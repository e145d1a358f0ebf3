//! The host migration to 4.4: the planner's properties, and seeded runs on the simulated
//! engine (a 4.4 Manager over a 4.3 cluster of EL7 hosts) ending with every host reinstalled
//! and back, killed at every journal write and resumed, and the reinstall faults.

use std::collections::{BTreeMap, BTreeSet};

use model::engine::SshAuthentication;
use model::rng::Rng;
use model::*;
use orchestrator::bench;
use orchestrator::event::RunEvent;
use orchestrator::executor::StopSignal;
use orchestrator::journal::{JournalError, KillPoint};
use orchestrator::migrate::executor::Hands;
use orchestrator::migrate::*;
use orchestrator::{ExecuteError, TokioClock};
use ovirt_sim::{MachineState, Reinstall, SimEngine};
use proptest::prelude::*;

use super::harness::{engine, paused, Recorder, START};

/// An administrator asked to import a local domain in the portal who has not done it yet.
struct PortalNotYetDone<'a>(SimReinstaller<'a>);

impl Reinstaller for PortalNotYetDone<'_> {
    async fn start(&self, name: &str, address: &str) -> Result<(), String> {
        self.0.start(name, address).await
    }

    async fn state(&self, name: &str, address: &str) -> ReinstallState {
        self.0.state(name, address).await
    }

    async fn import_local_domain(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// No REST call imports a local domain: the run asks the administrator and waits. Not done
/// within the reinstall's patience, the host stops with what is left; once the administrator
/// has imported it, a resume attaches it and registers its VMs.
#[test]
fn an_import_left_to_the_administrator_is_waited_for_and_resumed() {
    paused(async {
        let inventory = local_example();
        let options = MigrateOptions {
            reinstall_timeout_minutes: 45,
            ..MigrateOptions::default()
        };
        let plan = plan(&inventory, "branch", &options).unwrap();
        let sim = engine(&inventory, "", 7);
        let recorder = Recorder::default();
        let waiting = PortalNotYetDone(SimReinstaller(&sim));
        let mut journal = MigrateJournal::in_memory(header()).unwrap();
        let summary = go_with(&waiting, &sim, &mut journal, Some(plan), &recorder)
            .await
            .unwrap();
        let failure = &summary.failed[0].failure;
        assert!(
            matches!(failure, MigrationFailure::ImportFailed { detail, .. } if detail.contains("within 45 minutes")),
            "{failure:?}"
        );
        assert!(recorder
            .events()
            .iter()
            .any(|e| matches!(e, RunEvent::ImportAsked { domain, path, .. } if domain == "branch-local" && path == "/data")));
        sim.import_local_domain("branch-host", "/data", "branch-local")
            .unwrap();
        let mut journal = journal.reopen();
        let summary = go(&sim, &mut journal, None, &recorder).await.unwrap();
        assert!(summary.is_clean(), "{summary:#?}");
        check_engine(&sim, &inventory).unwrap();
        local_storage_back(&sim, &inventory).unwrap();
    });
}

const TARGET: ElVersion = ElVersion::new(8, 6);

/// The simulator's machines, reinstalled as a kickstart would.
struct SimReinstaller<'a>(&'a SimEngine);

impl Reinstaller for SimReinstaller<'_> {
    async fn import_local_domain(
        &self,
        _: &str,
        address: &str,
        _: &str,
        domain: &str,
        path: &str,
    ) -> Result<(), String> {
        self.0
            .import_local_domain(address, path, domain)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    async fn start(&self, _: &str, address: &str) -> Result<(), String> {
        self.0
            .reinstall_machine(
                address,
                Reinstall {
                    os: TARGET,
                    host_type: HostType::Rhel,
                    engine_key: true,
                },
            )
            .map_err(|e| e.to_string())
    }

    async fn state(&self, _: &str, address: &str) -> ReinstallState {
        let sim = self.0.simulator();
        match sim
            .machines()
            .iter()
            .find(|m| m.is(address))
            .map(|m| (&m.state, m.os))
        {
            Some((MachineState::Reinstalling(_), _)) => ReinstallState::Running,
            Some((MachineState::Failed, _)) => ReinstallState::Failed("it does not boot".into()),
            Some((MachineState::Running, os)) if os == TARGET => ReinstallState::Done,
            _ => ReinstallState::Unknown,
        }
    }
}

fn example() -> Inventory {
    scenario::load("example:self-hosted-migration").expect("the example loads")
}

fn header() -> MigrateHeader {
    MigrateHeader {
        run_id: "migrate-test".into(),
        engine: "sim:test".into(),
        cluster_name: "Production".into(),
        correlation_id: "corr".into(),
        created_ms: START.0,
        reinstall: "sim".into(),
        root_password_file: None,
    }
}

/// A run (or a resume when `plan` is none) on `sim` into `journal`.
async fn go(
    sim: &SimEngine,
    journal: &mut MigrateJournal,
    plan: Option<MigrationPlan>,
    recorder: &Recorder,
) -> Result<MigrateSummary, MigrateError> {
    go_with(&SimReinstaller(sim), sim, journal, plan, recorder).await
}

async fn go_with<R: Reinstaller>(
    reinstaller: &R,
    sim: &SimEngine,
    journal: &mut MigrateJournal,
    plan: Option<MigrationPlan>,
    recorder: &Recorder,
) -> Result<MigrateSummary, MigrateError> {
    let clock = TokioClock::new(sim.simulator().now(), 1.0);
    let stop = StopSignal::new();
    let hands = Hands {
        engine: sim,
        clock: &clock,
        reinstaller,
        ssh: &SshAuthentication::PublicKey,
        sink: recorder,
        stop: &stop,
    };
    match plan {
        Some(plan) => run(hands, journal, plan).await,
        None => resume(hands, journal).await,
    }
}

/// What every run must leave: the simulator's invariants, every VM that ran still running,
/// each machine known by one host at most.
fn check_engine(sim: &SimEngine, initial: &Inventory) -> Result<(), String> {
    let sim = sim.simulator();
    let violations = sim.history().check(sim.inventory(), sim.now());
    if !violations.is_empty() {
        return Err(format!("{violations:#?}"));
    }
    let end = sim.inventory();
    for vm in initial.vms.iter().filter(|v| v.is_running()) {
        let now = end
            .vms
            .iter()
            .find(|v| v.id == vm.id)
            .ok_or("a VM vanished")?;
        if !now.is_running() {
            return Err(format!("VM {} is {} at the end", vm.name, now.status));
        }
    }
    let addresses: BTreeSet<&str> = end.hosts.iter().map(|h| h.address.as_str()).collect();
    if addresses.len() != end.hosts.len() {
        return Err("a machine is known by two hosts".into());
    }
    Ok(())
}

/// The example with two VMs pinned by affinity: `prod-vm01`, running, to its host, and the
/// down VM to `prod-host03`. RemoveVdsCommand.validate (4.4.10) refuses to remove a host while
/// any VM with MigrationSupport.PINNED_TO_HOST names it (vmDao.getAllPinnedToHost), running
/// or not, so both must leave the hosts' placements before the removals.
fn with_pinned_vms() -> Inventory {
    let mut inventory = example();
    let host_named = |inventory: &Inventory, name: &str| {
        inventory.hosts.iter().find(|h| h.name == name).unwrap().id
    };
    let host03 = host_named(&inventory, "prod-host03");
    let running = inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "prod-vm01")
        .unwrap();
    let home = running.host.expect("prod-vm01 runs");
    running.affinity = Affinity::Pinned;
    running.pinned_hosts = vec![home];
    let down = inventory
        .vms
        .iter_mut()
        .find(|v| !v.is_running() && !v.hosted_engine)
        .expect("the example has a down VM");
    down.affinity = Affinity::Pinned;
    down.pinned_hosts = vec![host03];
    inventory
}

/// The pinned VMs pinned, with their affinity, to the new id of the host they were pinned to;
/// the one that ran up there, started once; the down one still down.
fn pinned_vms_back(sim: &SimEngine, initial: &Inventory) -> Result<(), String> {
    let sim = sim.simulator();
    let end = sim.inventory();
    for vm in initial
        .vms
        .iter()
        .filter(|v| v.affinity == Affinity::Pinned)
    {
        let now = end
            .vms
            .iter()
            .find(|v| v.id == vm.id)
            .ok_or("a VM vanished")?;
        // The host each pinned id named, as it is now (by its address).
        let back: Vec<&Host> = vm
            .pinned_hosts
            .iter()
            .filter_map(|h| {
                let address = &initial.hosts.iter().find(|x| x.id == *h)?.address;
                end.hosts.iter().find(|x| &x.address == address)
            })
            .collect();
        let expected: Vec<HostId> = back.iter().map(|h| h.id).collect();
        if now.affinity != Affinity::Pinned || now.pinned_hosts != expected {
            return Err(format!(
                "{} is {} to {:?}, not pinned to the new ids of {:?}",
                vm.name,
                now.affinity,
                now.pinned_hosts,
                back.iter().map(|h| &h.name).collect::<Vec<_>>()
            ));
        }
        if vm.is_running() {
            if now.status != VmStatus::Up || now.host.is_none_or(|h| !expected.contains(&h)) {
                return Err(format!("{} is {} on {:?}", vm.name, now.status, now.host));
            }
        } else if now.status != VmStatus::Down {
            return Err(format!("{} was down and is {}", vm.name, now.status));
        }
        let starts = sim
            .events(None)
            .iter()
            .filter(|e| e.vm == Some(vm.id) && e.code == 32)
            .count();
        if starts > usize::from(vm.is_running()) {
            return Err(format!("{} started {starts} times", vm.name));
        }
    }
    Ok(())
}

fn local_example() -> Inventory {
    scenario::load("example:local-storage-migration").expect("the example loads")
}

/// What a local-storage host's migration leaves (§1.1.9): each old domain of its data
/// center back there with its id and active, beside the new first domain, the master; the
/// data center up; every VM back with its id in its cluster.
fn local_storage_back(sim: &SimEngine, initial: &Inventory) -> Result<(), String> {
    let end = sim.simulator().inventory().clone();
    for dc in initial
        .data_centers
        .iter()
        .filter(|d| d.storage == StorageKind::Local)
    {
        for old in initial
            .storage_domains
            .iter()
            .filter(|s| s.data_center == Some(dc.id))
        {
            let now = end
                .storage_domains
                .iter()
                .find(|s| s.id == old.id)
                .ok_or_else(|| format!("domain {} was not imported", old.name))?;
            if now.data_center != Some(dc.id) || now.status != StorageDomainStatus::Active {
                return Err(format!(
                    "domain {} is {} in {:?}",
                    now.name, now.status, now.data_center
                ));
            }
        }
        let master = end
            .storage_domains
            .iter()
            .find(|s| s.data_center == Some(dc.id) && s.master)
            .ok_or_else(|| format!("data center {} has no master", dc.name))?;
        if !master.name.ends_with("-localfs") {
            return Err(format!(
                "{} is the master, not the new first domain",
                master.name
            ));
        }
        let status = end
            .data_centers
            .iter()
            .find(|d| d.id == dc.id)
            .map(|d| d.status);
        if status != Some(DataCenterStatus::Up) {
            return Err(format!("data center {} is {status:?}", dc.name));
        }
        let clusters: Vec<ClusterId> = initial
            .clusters
            .iter()
            .filter(|c| c.data_center == dc.id)
            .map(|c| c.id)
            .collect();
        for vm in initial.vms.iter().filter(|v| clusters.contains(&v.cluster)) {
            if !end
                .vms
                .iter()
                .any(|v| v.id == vm.id && v.cluster == vm.cluster)
            {
                return Err(format!("VM {} is not back in its cluster", vm.name));
            }
        }
    }
    Ok(())
}

fn every_host_back(sim: &SimEngine, initial: &Inventory) -> Result<(), String> {
    let end = sim.simulator().inventory().clone();
    for host in &initial.hosts {
        let now = end
            .hosts
            .iter()
            .find(|h| h.address == host.address)
            .ok_or_else(|| format!("{} is not back", host.name))?;
        if now.os.major != 8 || now.status != HostStatus::Up || now.cluster != host.cluster {
            return Err(format!(
                "{} is {} on {} in another state",
                now.name, now.status, now.os
            ));
        }
        if host.hosted_engine.is_some() != now.hosted_engine.is_some() {
            return Err(format!("{} lost or gained hosted engine", now.name));
        }
    }
    Ok(())
}

#[test]
fn the_plan_orders_the_hosted_engine_hosts_and_says_what_waits() {
    let inventory = example();
    let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    let hosts: Vec<&HostMigration> = plan.hosts().collect();
    assert_eq!(hosts.len(), 4);
    let he: Vec<&&HostMigration> = hosts.iter().filter(|h| h.hosted_engine).collect();
    assert_eq!(he.len(), 3);
    assert!(
        he.last().unwrap().runs_manager_vm,
        "the Manager VM's host is the last hosted-engine host"
    );
    assert!(plan
        .warnings
        .iter()
        .any(|w| matches!(w, MigrationWarning::CpuPassthrough { vm } if vm == "build-cpu")));
    assert!(plan.warnings.contains(&MigrationWarning::LevelWaits {
        level: Level::new(4, 3),
        after: Some(Level::new(4, 6)),
    }));
    assert!(plan.prediction.duration_seconds > 4 * 30 * 60);
}

#[test]
fn a_43_manager_and_local_storage_are_named_before_anything_runs() {
    let old = scenario::load("example:self-hosted").unwrap();
    let blocked = plan(&old, "Production", &MigrateOptions::default()).unwrap();
    assert!(blocked
        .blockers
        .iter()
        .any(|b| matches!(b, MigrationBlocker::ManagerTooOld { .. })));
    // db-primary is pinned to its host: no longer a blocker, it is shut down and started
    // again once its host is back.
    assert!(blocked.warnings.iter().any(
        |w| matches!(w, MigrationWarning::PinnedVm { vm, host, running: true, downtime_seconds: Some(_) } if vm == "db-primary" && host == "prod-host04")
    ));
    let host04 = blocked.hosts().find(|h| h.name == "prod-host04").unwrap();
    assert_eq!(host04.pinned.len(), 1);
    assert!(host04.pinned[0].restarted());

    let mut local = scenario::load("example:local-storage").unwrap();
    local.manager.version = Version::new(4, 4, 10);
    let cluster = local
        .clusters
        .iter()
        .find(|c| {
            local
                .data_centers
                .iter()
                .any(|d| d.id == c.data_center && d.storage == StorageKind::Local)
        })
        .unwrap()
        .name
        .clone();
    let planned = plan(&local, &cluster, &MigrateOptions::default()).unwrap();
    assert!(planned.is_feasible(), "{:?}", planned.blockers);
    let host = planned.hosts().next().expect("the local host is planned");
    let storage = host.local.as_ref().expect("with its local storage");
    assert_eq!(storage.data_center_name, "Branch");
    let domains: Vec<(&str, &str)> = storage
        .domains
        .iter()
        .map(|d| (d.name.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(domains, [("branch-local", "/data/branch-local")]);
    assert_eq!(storage.first_path, "/localfs");
    // Its VMs cannot leave it: both shut down and started again, none migrated.
    assert!(host.migrations.is_empty());
    assert_eq!(host.pinned.iter().filter(|p| p.restarted()).count(), 2);
    assert!(planned.warnings.iter().any(
        |w| matches!(w, MigrationWarning::LocalStorage { host, vms: 2, .. } if host == "branch-host")
    ));

    // The engine removes no host from a local data center that has any domain: a shared
    // ISO domain there must be detached first; a domain without a path cannot be imported.
    let dc = local
        .data_centers
        .iter()
        .find(|d| d.name == "Branch")
        .unwrap()
        .id;
    let mut iso = local.storage_domains[0].clone();
    iso.id = StorageDomainId(Uuid::derived("storage-domain", "iso"));
    iso.name = "iso".into();
    iso.role = DomainRole::Iso;
    iso.storage = StorageType::Nfs;
    iso.master = false;
    iso.data_center = Some(dc);
    local.storage_domains.push(iso);
    local
        .storage_domains
        .iter_mut()
        .find(|d| d.name == "branch-local")
        .unwrap()
        .path = None;
    let blocked = plan(&local, &cluster, &MigrateOptions::default()).unwrap();
    assert!(blocked.blockers.iter().any(|b| matches!(
        b,
        MigrationBlocker::SharedDomainsInLocalDataCenter { domains, .. } if domains == &["iso"]
    )));
    assert!(blocked.blockers.iter().any(|b| matches!(
        b,
        MigrationBlocker::LocalPathUnknown { domain } if domain == "branch-local"
    )));
}

/// A seeded cluster of EL7 hosts under a 4.4 Manager.
fn el7_cluster(seed: u64, hosts: usize, load: u32) -> bench::Workload {
    let mut rng = Rng::new(seed);
    let mut workload = bench::workload_with(seed, hosts, load, &mut rng);
    workload.inventory.manager.version = Version::new(4, 4, 10);
    for cluster in &mut workload.inventory.clusters {
        cluster.version = Level::new(4, 3);
    }
    for dc in &mut workload.inventory.data_centers {
        dc.version = Level::new(4, 3);
    }
    for host in &mut workload.inventory.hosts {
        host.os = ElVersion::new(7, 9);
        host.supported_levels = vec![Level::new(4, 2), Level::new(4, 3)];
    }
    workload
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every EL7 host once; the Manager VM's host last; no VM sent to its own host or to a
    /// host of its wave; where a feasible plan moves a VM twice, its first stop is a host
    /// reinstalled later.
    #[test]
    fn every_host_is_planned_once_and_the_manager_vm_host_last(seed in 0u64..10_000, hosts in 3usize..8, load in 20u32..70, parallel in 1usize..3) {
        let workload = el7_cluster(seed, hosts, load);
        let options = MigrateOptions { max_parallel: parallel, seed, ..MigrateOptions::default() };
        let plan = plan(&workload.inventory, "bench", &options).unwrap();
        let names: Vec<&str> = plan.hosts().map(|h| h.name.as_str()).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        prop_assert_eq!(unique.len(), names.len());
        if plan.is_feasible() {
            prop_assert_eq!(names.len(), hosts);
        }
        if let Some(position) = plan.hosts().position(|h| h.runs_manager_vm) {
            prop_assert!(plan.hosts().skip(position + 1).all(|h| !h.hosted_engine));
        }
        for wave in &plan.waves {
            let here: BTreeSet<&str> = wave.iter().map(|h| h.name.as_str()).collect();
            for host in wave {
                for m in &host.migrations {
                    prop_assert!(!here.contains(m.to_name.as_str()), "{} goes to {} of its own wave", m.vm_name, m.to_name);
                }
            }
        }
        let mut moves: BTreeMap<&str, usize> = BTreeMap::new();
        for m in plan.hosts().flat_map(|h| &h.migrations) {
            *moves.entry(m.vm_name.as_str()).or_default() += 1;
        }
        prop_assert!(moves.values().all(|&n| n <= 2));
    }
}

#[test]
fn a_43_cluster_ends_reinstalled_and_back_with_no_vm_lost() {
    let inventory = example();
    let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
    let sim = engine(&inventory, "", 7);
    let recorder = Recorder::default();
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = paused(go(&sim, &mut journal, Some(plan.clone()), &recorder)).unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    check_engine(&sim, &inventory).unwrap();
    every_host_back(&sim, &inventory).unwrap();
    assert_eq!(summary.migrated.len(), 4);
    assert!(summary.max_migrations_of_a_vm <= 2);
    assert_eq!(summary.level_after, Some(Level::new(4, 6)));
    eprintln!(
        "figures: {} migrations of {} VMs ({:.2} per VM, at most {}), {} s against {} s planned, {} journal writes",
        summary.migrations,
        summary.vms_moved,
        summary.migrations_per_moved_vm(),
        summary.max_migrations_of_a_vm,
        summary.duration_seconds,
        summary.predicted_seconds,
        journal.writes()
    );
}

/// A local-storage host (§1.1.9): its VMs shut down, its domain out of the records and
/// imported again once the host is back, every VM registered with its id, those that ran
/// started again.
#[test]
fn a_local_storage_host_comes_back_with_its_domain_and_its_vms() {
    let inventory = local_example();
    let plan = plan(&inventory, "branch", &MigrateOptions::default()).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    let sim = engine(&inventory, "", 7);
    let recorder = Recorder::default();
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = paused(go(&sim, &mut journal, Some(plan), &recorder)).unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    check_engine(&sim, &inventory).unwrap();
    every_host_back(&sim, &inventory).unwrap();
    local_storage_back(&sim, &inventory).unwrap();
    let mut registered = summary.registered.clone();
    registered.sort();
    assert_eq!(registered, ["archive", "file-server", "print-server"]);
    let mut restarted: Vec<&str> = summary.restarted.iter().map(|r| r.vm.as_str()).collect();
    restarted.sort();
    assert_eq!(restarted, ["file-server", "print-server"]);
    assert_eq!(summary.migrations, 0);
    eprintln!(
        "figures: VMs down {:?} s, window {} s against {} s planned, {} journal writes",
        summary
            .restarted
            .iter()
            .map(|r| r.down_seconds)
            .collect::<Vec<_>>(),
        summary.duration_seconds,
        summary.predicted_seconds,
        journal.writes()
    );
}

/// A reinstall that wiped the disk holding the local domain: the import finds nothing at
/// its path, the run stops there and says what is left: the host is back, the data center
/// up on its new first domain, the old domain and its VMs out of the Manager's records.
#[test]
fn a_wiped_local_disk_stops_the_import_and_says_what_is_left() {
    let inventory = local_example();
    let plan = plan(&inventory, "branch", &MigrateOptions::default()).unwrap();
    let sim = engine(&inventory, "storage-wiped:branch-host", 7);
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = paused(go(&sim, &mut journal, Some(plan), &Recorder::default())).unwrap();
    assert_eq!(
        summary.outcome,
        MigrateOutcome::HostFailed {
            host: "branch-host".into()
        }
    );
    let failure = &summary.failed[0].failure;
    assert!(
        matches!(failure, MigrationFailure::ImportFailed { domain, path, .. } if domain == "branch-local" && path == "/data"),
        "{failure:?}"
    );
    assert!(!failure.left_removed(), "the host itself is back");
    eprintln!("aftermath of storage-wiped: {failure}");
    let end = sim.simulator().inventory().clone();
    assert!(end
        .hosts
        .iter()
        .any(|h| h.name == "branch-host" && h.status == HostStatus::Up && h.os.major == 8));
    assert!(end.storage_domains.iter().all(|s| s.name != "branch-local"));
    assert!(end.vms.iter().all(|v| v.name != "file-server"));
}

/// A pinned VM running on a host and one pinned there while down no longer block: the first
/// is shut down, both lose the host from their placement before its removal, and once the
/// host is back under its new id both are pinned to that; the first starts there again.
#[test]
fn pinned_vms_are_shut_down_unpinned_and_back_on_their_reinstalled_host() {
    let inventory = with_pinned_vms();
    let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    let pinned: Vec<(&str, bool, Option<u64>)> = plan
        .hosts()
        .flat_map(|h| &h.pinned)
        .map(|p| (p.vm.as_str(), p.running, p.downtime_seconds))
        .collect();
    assert_eq!(pinned.len(), 2, "{pinned:?}");
    assert!(pinned.iter().any(|&(vm, running, down)| vm == "prod-vm01"
        && running
        && down.is_some_and(|s| s > 30 * 60)));
    assert!(pinned
        .iter()
        .any(|&(_, running, down)| !running && down.is_none()));
    let warned = plan
        .warnings
        .iter()
        .filter(|w| matches!(w, MigrationWarning::PinnedVm { .. }))
        .count();
    assert_eq!(warned, 2);

    let sim = engine(&inventory, "", 7);
    let recorder = Recorder::default();
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = paused(go(&sim, &mut journal, Some(plan.clone()), &recorder)).unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    check_engine(&sim, &inventory).unwrap();
    every_host_back(&sim, &inventory).unwrap();
    pinned_vms_back(&sim, &inventory).unwrap();
    assert_eq!(summary.restarted.len(), 1);
    assert_eq!(summary.restarted[0].vm, "prod-vm01");
    assert_eq!(summary.repinned.len(), 2);
    assert!(summary.left_stopped.is_empty());
    eprintln!(
        "figures: {} migrations of {} VMs ({:.2} per VM, at most {}), {} s against {} s planned; prod-vm01 down {} s (planned {} s), {} journal writes",
        summary.migrations,
        summary.vms_moved,
        summary.migrations_per_moved_vm(),
        summary.max_migrations_of_a_vm,
        summary.duration_seconds,
        summary.predicted_seconds,
        summary.restarted[0].down_seconds,
        pinned[0].2.or(pinned[1].2).unwrap(),
        journal.writes()
    );
}

/// A VM with host devices pinned to its host: shut down, unpinned (the engine drops its
/// devices, UpdateVmCommand.updateVmHostDevices), pinned to the new id, and left down for the
/// administrator to attach its devices again.
#[test]
fn a_host_device_vm_is_repinned_and_left_down() {
    let mut inventory = with_pinned_vms();
    let vm = inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "prod-vm01")
        .unwrap();
    vm.host_devices = 1;
    let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
    assert!(plan.is_feasible(), "{:?}", plan.blockers);
    assert!(plan
        .warnings
        .iter()
        .any(|w| matches!(w, MigrationWarning::HostDevices { vm, .. } if vm == "prod-vm01")));
    let sim = engine(&inventory, "", 7);
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = paused(go(&sim, &mut journal, Some(plan), &Recorder::default())).unwrap();
    assert!(summary.is_clean(), "{summary:#?}");
    every_host_back(&sim, &inventory).unwrap();
    assert_eq!(summary.left_stopped, ["prod-vm01"]);
    assert!(summary.restarted.is_empty());
    let end = sim.simulator().inventory().clone();
    let now = end.vms.iter().find(|v| v.name == "prod-vm01").unwrap();
    assert_eq!(now.status, VmStatus::Down);
    assert_eq!(now.host_devices, 0, "the engine dropped them");
    assert_eq!(now.pinned_hosts.len(), 1);
}

#[test]
fn killed_at_any_journal_write_the_resumed_run_ends_the_same_and_adds_no_host_twice() {
    killed_at_every_write(&with_pinned_vms(), "Production");
}

#[test]
fn killed_at_any_journal_write_a_local_storage_host_comes_back_with_its_domain_and_vms() {
    killed_at_every_write(&local_example(), "branch");
}

fn killed_at_every_write(inventory: &Inventory, cluster: &str) {
    let plan = plan(inventory, cluster, &MigrateOptions::default()).unwrap();
    let writes = {
        let sim = engine(inventory, "", 7);
        let mut journal = MigrateJournal::in_memory(header()).unwrap();
        paused(go(
            &sim,
            &mut journal,
            Some(plan.clone()),
            &Recorder::default(),
        ))
        .unwrap();
        journal.writes()
    };
    eprintln!("{cluster}: killed at each of {writes} writes, before and after commit");
    for at in 1..=writes {
        for committed in [true, false] {
            paused(killed_and_resumed(
                inventory,
                &plan,
                KillPoint {
                    writes: at,
                    committed,
                },
            ));
        }
    }
}

async fn killed_and_resumed(inventory: &Inventory, plan: &MigrationPlan, kill: KillPoint) {
    let sim = engine(inventory, "", 7);
    let recorder = Recorder::default();
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    journal.kill_at(kill);
    let first = go(&sim, &mut journal, Some(plan.clone()), &recorder).await;
    assert!(
        matches!(
            first,
            Err(MigrateError::Journal(JournalError::Killed { .. }))
        ),
        "{kill:?}: {first:?}"
    );
    let mut journal = journal.reopen();
    let summary = match go(&sim, &mut journal, None, &recorder).await {
        Ok(summary) => summary,
        Err(MigrateError::Run(ExecuteError::NoPlan { .. })) => {
            let mut journal = MigrateJournal::in_memory(header()).unwrap();
            go(&sim, &mut journal, Some(plan.clone()), &recorder)
                .await
                .unwrap()
        }
        Err(MigrateError::Run(ExecuteError::AlreadyFinished { .. })) => return,
        Err(e) => panic!("{kill:?}: resume: {e}"),
    };
    assert!(summary.is_clean(), "{kill:?}: {summary:#?}");
    let context = |e: String| format!("{kill:?}: {e}");
    check_engine(&sim, inventory).map_err(context).unwrap();
    every_host_back(&sim, inventory).map_err(context).unwrap();
    pinned_vms_back(&sim, inventory).map_err(context).unwrap();
    local_storage_back(&sim, inventory)
        .map_err(context)
        .unwrap();
    assert_eq!(
        sim.simulator().inventory().hosts.len(),
        inventory.hosts.len()
    );
}

/// The aftermath of a reinstall fault: the run stops, the host is removed and its machine
/// named; the other hosts are untouched or back, no VM lost.
async fn stops_safely(
    fault: &str,
    expect: fn(&MigrationFailure) -> bool,
) -> (SimEngine, MigrateJournal, Inventory) {
    let inventory = example();
    let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
    let first = plan.hosts().next().unwrap().clone();
    let sim = engine(&inventory, &format!("{fault}:{}", first.name), 7);
    let mut journal = MigrateJournal::in_memory(header()).unwrap();
    let summary = go(&sim, &mut journal, Some(plan), &Recorder::default())
        .await
        .unwrap();
    assert_eq!(
        summary.outcome,
        MigrateOutcome::HostFailed {
            host: first.name.clone()
        }
    );
    let failed = &summary.failed[0];
    assert!(expect(&failed.failure), "{:?}", failed.failure);
    assert!(failed.failure.left_removed());
    assert_eq!(failed.address, first.address);
    assert!(failed.failure.to_string().contains(&first.address));
    assert_eq!(summary.not_started.len(), 3);
    assert_eq!(summary.level_after, None, "the level waits for every host");
    check_engine(&sim, &inventory).unwrap();
    let end = sim.simulator().inventory().clone();
    assert!(
        end.hosts.iter().all(|h| h.address != first.address),
        "the failed host stays removed"
    );
    assert!(
        end.hosts.iter().all(|h| h.status == HostStatus::Up),
        "the others stay up"
    );
    eprintln!("aftermath of {fault}: {}", failed.failure);
    (sim, journal, inventory)
}

#[test]
fn a_failed_reinstall_stops_the_run_and_resumes_once_the_machine_is_fixed() {
    paused(async {
        let (sim, journal, inventory) = stops_safely("reinstall-fail", |f| {
            matches!(f, MigrationFailure::ReinstallFailed { .. })
        })
        .await;
        // The administrator fixes what broke the installation; the resume reinstalls it again.
        sim.simulator().faults_mut().reinstall_fail.clear();
        let mut journal = journal.reopen();
        let summary = go(&sim, &mut journal, None, &Recorder::default())
            .await
            .unwrap();
        assert!(summary.is_clean(), "{summary:#?}");
        check_engine(&sim, &inventory).unwrap();
        every_host_back(&sim, &inventory).unwrap();
    });
}

#[test]
fn a_machine_lost_in_its_reinstall_is_reported_and_resumed_when_it_is_back() {
    paused(async {
        let (sim, journal, inventory) = stops_safely("reinstall-lost", |f| {
            matches!(f, MigrationFailure::ReinstallLost { minutes: 120, .. })
        })
        .await;
        // The administrator finishes the reinstall by hand: the machine answers again.
        {
            let mut simulator = sim.simulator();
            simulator.faults_mut().reinstall_lost.clear();
            let address = inventory
                .hosts
                .iter()
                .map(|h| h.address.clone())
                .find(|a| {
                    simulator
                        .machines()
                        .iter()
                        .any(|m| m.is(a) && matches!(m.state, MachineState::Reinstalling(_)))
                })
                .unwrap();
            simulator.finish_reinstall(&address);
        }
        let mut journal = journal.reopen();
        let summary = go(&sim, &mut journal, None, &Recorder::default())
            .await
            .unwrap();
        assert!(summary.is_clean(), "{summary:#?}");
        every_host_back(&sim, &inventory).unwrap();
    });
}
