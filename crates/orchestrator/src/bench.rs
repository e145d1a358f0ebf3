//! `bench rolling`: seeded clusters, the three ways to upgrade them, and what each costs.
//! Everything here works through the engine seam; the CLI supplies the simulated engine.

use std::collections::BTreeMap;

use model::engine::{Engine, Event};
use model::rng::Rng;
use model::*;
use serde::Serialize;

use crate::baseline;
use crate::clock::Clock;
use crate::cluster::{self, Mobility, VM_OVERHEAD};
use crate::event::{Discard, HostFailure};
use crate::executor::{self, StopSignal};
use crate::journal::{Journal, RunHeader};
use crate::options::Options;
use crate::planner;

/// The engine's event for a finished migration.
const MIGRATION_DONE: u32 = 63;
/// VM sizes drawn for the workloads, in GiB (small ones are the common case).
const VM_SIZES_GIB: [u64; 8] = [2, 2, 4, 4, 8, 8, 16, 32];

/// A seeded cluster to upgrade.
#[derive(Debug, Clone)]
pub struct Workload {
    pub seed: u64,
    pub inventory: Inventory,
    pub cluster: ClusterId,
    pub hosts: usize,
    /// Memory of the running VMs against the hosts' memory, in percent.
    pub load_percent: u32,
    pub self_hosted: bool,
}

/// A cluster of 4 to 200 hosts (most of them small, so many seeds stay quick) at 30–85 %
/// memory load, with pinned, user-migratable, highly available and stopped VMs, sometimes
/// hosts of mixed sizes, sometimes a self-hosted engine.
pub fn workload(seed: u64) -> Workload {
    let mut rng = Rng::new(seed ^ 0x0072_6f6c_6c69_6e67);
    let hosts = match rng.between(0, 99) {
        0..=44 => rng.between(4, 8),
        45..=74 => rng.between(9, 16),
        75..=91 => rng.between(17, 48),
        _ => rng.between(49, 200),
    } as usize;
    workload_with(seed, hosts, rng.between(30, 85) as u32, &mut rng)
}

/// A workload of `hosts` hosts at `load_percent`, the rest drawn from `rng`.
pub fn workload_with(seed: u64, hosts: usize, load_percent: u32, rng: &mut Rng) -> Workload {
    let mixed_sizes = rng.chance(1, 3);
    let self_hosted = rng.chance(1, 3) && hosts >= 3;
    let cluster_id = ClusterId(Uuid::derived("cluster", "bench"));
    let dc_id = DataCenterId(Uuid::derived("data center", "bench"));
    let width = hosts.to_string().len().max(2);
    let mut host_list: Vec<Host> = (0..hosts)
        .map(|i| {
            let name = format!("host{:0width$}", i + 1);
            let memory = if mixed_sizes {
                [128, 256, 384][rng.between(0, 2) as usize]
            } else {
                256
            } * GIB;
            Host {
                id: HostId(Uuid::derived("host", &name)),
                name: name.clone(),
                address: format!("{name}.example.com"),
                cluster: cluster_id,
                host_type: HostType::Rhel,
                os: ElVersion::new(8, 6),
                packages: [("vdsm".to_owned(), PackageVersion::new("4.50.3.4-1.el8"))]
                    .into_iter()
                    .collect(),
                status: HostStatus::Up,
                update_available: true,
                memory,
                max_scheduling_memory: memory,
                spm: SpmStatus::None,
                hosted_engine: None,
                supported_levels: vec![Level::new(4, 7)],
                ovn_configured: false,
            }
        })
        .collect();
    let spm = rng.between(0, hosts as u64 - 1) as usize;
    host_list[spm].spm = SpmStatus::Spm;
    let mut vms = Vec::new();
    let mut used = vec![0u64; hosts];
    if self_hosted {
        let mut engine_hosts: Vec<usize> = (0..hosts).collect();
        for i in 0..3 {
            let j = i + rng.between(0, (hosts - i - 1) as u64) as usize;
            engine_hosts.swap(i, j);
        }
        let active = engine_hosts[rng.between(0, 2) as usize];
        for &h in &engine_hosts[..3] {
            host_list[h].hosted_engine = Some(HostedEngineState {
                active: h == active,
                ..Default::default()
            });
        }
        vms.push(vm(
            "HostedEngine",
            cluster_id,
            Some(host_list[active].id),
            16 * GIB,
            Affinity::Migratable,
            true,
            true,
        ));
        used[active] += 16 * GIB + VM_OVERHEAD;
    }
    let mut count = 0;
    for h in 0..hosts {
        // Hosts carry different loads, so some are nearly empty and some nearly full.
        let share = 40 + rng.between(0, 120);
        let target = host_list[h].memory * u64::from(load_percent) / 100 * share / 100;
        let limit = host_list[h].memory * 95 / 100;
        while used[h] < target {
            let size = VM_SIZES_GIB[rng.between(0, VM_SIZES_GIB.len() as u64 - 1) as usize] * GIB;
            if used[h] + size + VM_OVERHEAD > limit.min(target + 8 * GIB) {
                break;
            }
            count += 1;
            let name = format!("vm{count:05}");
            let kind = rng.between(0, 99);
            let (affinity, ha) = match kind {
                0..=2 => (Affinity::Pinned, false),
                3..=4 => (Affinity::UserMigratable, false),
                5..=14 => (Affinity::Migratable, true),
                _ => (Affinity::Migratable, false),
            };
            let mut v = vm(
                &name,
                cluster_id,
                Some(host_list[h].id),
                size,
                affinity,
                ha,
                false,
            );
            if affinity == Affinity::Pinned {
                v.pinned_hosts = vec![host_list[h].id];
            }
            used[h] += size + VM_OVERHEAD;
            vms.push(v);
            if rng.chance(3, 100) {
                count += 1;
                let name = format!("vm{count:05}");
                vms.push(model::Vm {
                    status: VmStatus::Down,
                    host: None,
                    ..vm(
                        &name,
                        cluster_id,
                        None,
                        size,
                        Affinity::Migratable,
                        false,
                        false,
                    )
                });
            }
        }
    }
    for (h, host) in host_list.iter_mut().enumerate() {
        host.max_scheduling_memory = host.memory.saturating_sub(used[h]);
    }
    let memory: u64 = host_list.iter().map(|h| h.memory).sum();
    let load = (used.iter().sum::<u64>() * 100 / memory.max(1)) as u32;
    let inventory = Inventory {
        format: INVENTORY_FORMAT,
        name: format!("bench seed {seed}: {hosts} hosts at {load}%"),
        source: format!("orchestrator::bench::workload({seed})"),
        captured_at: None,
        unseen: Vec::new(),
        manager: Manager {
            version: Version::new(4, 5, 6),
            deployment: if self_hosted {
                Deployment::SelfHosted
            } else {
                Deployment::Standalone
            },
            fqdn: "engine.example.com".into(),
            os: ElVersion::new(8, 6),
            database: Default::default(),
            dwh: Default::default(),
            grafana: false,
            extensions: Vec::new(),
            certificates: Vec::new(),
            ovn: false,
            last_backup: None,
        },
        data_centers: vec![DataCenter {
            id: dc_id,
            name: "Default".into(),
            version: Level::new(4, 7),
            storage: StorageKind::Shared,
            status: DataCenterStatus::Up,
        }],
        clusters: vec![Cluster {
            id: cluster_id,
            name: "bench".into(),
            data_center: dc_id,
            version: Level::new(4, 7),
            scheduling_policy: SchedulingPolicy::EvenlyDistributed,
            cpu_type: String::new(),
            gluster_service: false,
            upgrade_running: false,
        }],
        hosts: host_list,
        vms,
        storage_domains: Vec::new(),
        disks: Vec::new(),
        gluster_volumes: Vec::new(),
        left_out: Vec::new(),
    };
    Workload {
        seed,
        inventory,
        cluster: cluster_id,
        hosts,
        load_percent: load,
        self_hosted,
    }
}

fn vm(
    name: &str,
    cluster: ClusterId,
    host: Option<HostId>,
    memory: u64,
    affinity: Affinity,
    ha: bool,
    hosted_engine: bool,
) -> model::Vm {
    model::Vm {
        id: VmId(Uuid::derived("vm", name)),
        name: name.to_owned(),
        cluster,
        host,
        status: VmStatus::Up,
        memory,
        affinity,
        pinned_hosts: Vec::new(),
        high_availability: ha,
        hosted_engine,
        next_run_pending: false,
        custom_compatibility_version: None,
        cpu_passthrough: false,
        vgpu: false,
        host_devices: 0,
        snapshots: Vec::new(),
    }
}

/// Who upgrades.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Our planner and executor, with `--max-parallel`.
    Planner { max_parallel: usize },
    /// The oVirt `cluster_upgrade` role with the wizard's defaults, its own time paced.
    OvirtRole { pace: baseline::AnsiblePace },
    /// Xen Orchestra's rolling pool update, migrating back home.
    XenOrchestra,
}

impl Strategy {
    pub fn name(&self) -> String {
        match self {
            Strategy::Planner { max_parallel: 1 } => "planner".into(),
            Strategy::Planner { max_parallel } => format!("planner-parallel-{max_parallel}"),
            Strategy::OvirtRole { .. } => "ovirt-role".into(),
            Strategy::XenOrchestra => "xen-orchestra".into(),
        }
    }
}

/// One strategy on one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMetrics {
    pub strategy: String,
    pub seed: u64,
    pub hosts: usize,
    pub load_percent: u32,
    pub self_hosted: bool,
    /// VMs running at the start that can migrate: the population migrations are counted over.
    pub migratable_vms: usize,
    pub migrations: usize,
    pub migrations_per_vm: f64,
    /// Migrations of each VM that moved (for percentiles over VMs).
    #[serde(skip)]
    pub per_vm: Vec<u32>,
    pub makespan_seconds: u64,
    pub hosts_upgraded: usize,
    /// Every host that was to be upgraded was.
    pub completed: bool,
    /// A host waited out its timeout (an evacuation that could never finish).
    pub stuck: bool,
    /// The dry run refused: blockers found before anything was touched (ours only).
    pub blocked: bool,
    /// The dry run planned waves of several hosts for most of the cluster (ours only).
    pub parallel_feasible: bool,
    /// Waves the dry run planned (ours only).
    pub waves: usize,
    pub stranded_vms: usize,
    /// The fewest migrations any strategy needs here (see [`migration_lower_bound`]).
    pub lower_bound: usize,
    /// Hosts the client reported as failed.
    pub failures: usize,
    /// Hosts that ended the run in maintenance.
    pub hosts_left_in_maintenance: usize,
    /// The cluster's scheduling policy is the one it had before the run.
    pub policy_restored: bool,
    /// Time the pinned VMs were down, summed over them, in the engine's seconds (read from the
    /// simulator's history by the caller).
    pub pinned_downtime_seconds: u64,
    /// Engine time during which at least one host of the cluster was not up: the window the
    /// cluster ran short, whatever the client did between hosts (read by the caller).
    pub window_seconds: u64,
}

/// The fewest migrations that can upgrade every host of `workload`: each VM that can move
/// moves once, and the VMs of whichever host goes first move twice, since no upgraded host
/// exists yet to receive them (the cheapest first host is assumed).
pub fn migration_lower_bound(workload: &Workload) -> usize {
    let on_cheapest_host = workload
        .inventory
        .hosts
        .iter()
        .filter(|h| h.cluster == workload.cluster)
        .map(|h| {
            workload
                .movable_vms()
                .filter(|v| v.host == Some(h.id))
                .count()
        })
        .min()
        .unwrap_or(0);
    workload.movable_vms().count() + on_cheapest_host
}

impl Workload {
    /// The cluster's running VMs that can migrate: what migrations are counted over.
    fn movable_vms(&self) -> impl Iterator<Item = &model::Vm> {
        self.inventory.vms.iter().filter(|v| {
            v.cluster == self.cluster && v.is_running() && cluster::mobility(v) != Mobility::Fixed
        })
    }
}

impl RunMetrics {
    /// Nothing done yet: the workload's figures, the rest to fill in.
    pub fn new(workload: &Workload, strategy: String) -> RunMetrics {
        RunMetrics {
            strategy,
            seed: workload.seed,
            hosts: workload.hosts,
            load_percent: workload.load_percent,
            self_hosted: workload.self_hosted,
            migratable_vms: workload.movable_vms().count(),
            migrations: 0,
            migrations_per_vm: 0.0,
            per_vm: Vec::new(),
            makespan_seconds: 0,
            hosts_upgraded: 0,
            completed: false,
            stuck: false,
            blocked: false,
            parallel_feasible: false,
            waves: 0,
            stranded_vms: 0,
            lower_bound: migration_lower_bound(workload),
            failures: 0,
            hosts_left_in_maintenance: 0,
            policy_restored: true,
            pinned_downtime_seconds: 0,
            window_seconds: 0,
        }
    }

    /// Counts the migrations the engine finished (event 63) among `events` after `after`.
    pub fn count_migrations(&mut self, events: &[Event], after: u64) {
        let per_vm = migrations_in(events, after);
        self.migrations = per_vm.values().map(|&n| n as usize).sum();
        self.migrations_per_vm = self.migrations as f64 / self.migratable_vms.max(1) as f64;
        self.per_vm = per_vm.into_values().collect();
    }
}

/// A small cluster (3 to 5 hosts) for runs against oVirt's real role, whose Ansible tasks
/// take real seconds each; otherwise drawn like [`workload`].
pub fn role_workload(seed: u64) -> Workload {
    let mut rng = Rng::new(seed ^ 0x0072_6f6c_6552_6f6c);
    let hosts = rng.between(3, 5) as usize;
    workload_with(seed, hosts, rng.between(30, 80) as u32, &mut rng)
}

/// Judges a finished run by the engine's state afterwards, never by the client's own
/// account: a host counts as upgraded when it is up with no update pending.
pub fn judge(metrics: &mut RunMetrics, workload: &Workload, end: &Inventory) {
    let before = |id: HostId| workload.inventory.hosts.iter().find(|h| h.id == id);
    let planned: Vec<&Host> = end
        .hosts
        .iter()
        .filter(|h| {
            h.cluster == workload.cluster && before(h.id).is_some_and(|b| b.update_available)
        })
        .collect();
    metrics.hosts_upgraded = planned
        .iter()
        .filter(|h| h.status == HostStatus::Up && !h.update_available)
        .count();
    metrics.hosts_left_in_maintenance = planned
        .iter()
        .filter(|h| h.status == HostStatus::Maintenance)
        .count();
    metrics.completed = !metrics.blocked && metrics.hosts_upgraded == planned.len();
    let policy = |inventory: &Inventory| {
        inventory
            .clusters
            .iter()
            .find(|c| c.id == workload.cluster)
            .map(|c| c.scheduling_policy)
    };
    metrics.policy_restored = policy(end) == policy(&workload.inventory);
}

/// Migrations per VM, from the engine's events after `after`.
pub fn migrations_in(events: &[Event], after: u64) -> BTreeMap<VmId, u32> {
    let mut counts = BTreeMap::new();
    for event in events
        .iter()
        .filter(|e| e.id > after && e.code == MIGRATION_DONE)
    {
        if let Some(vm) = event.vm {
            *counts.entry(vm).or_insert(0) += 1;
        }
    }
    counts
}

/// Runs `strategy` on `workload` against `engine` (which must hold the workload's inventory).
pub async fn run_strategy<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    workload: &Workload,
    strategy: Strategy,
) -> RunMetrics {
    let start = clock.now();
    let first_event = engine
        .events(None)
        .await
        .ok()
        .and_then(|e| e.iter().map(|e| e.id).max())
        .unwrap_or(0);
    let mut metrics = RunMetrics::new(workload, strategy.name());
    match strategy {
        Strategy::Planner { max_parallel } => {
            let options = Options {
                max_parallel,
                ..Options::default()
            };
            let plan = planner::plan(&workload.inventory, workload.cluster, &options)
                .expect("the bench cluster exists");
            // Two hosts at a time nearly throughout: at most one wave more than half the hosts.
            metrics.parallel_feasible = plan.waves.len() * 2 <= plan.prediction.hosts + 2;
            metrics.waves = plan.waves.len();
            if !plan.is_feasible() {
                metrics.blocked = true;
                return metrics;
            }
            let header = RunHeader {
                run_id: format!("bench-{}", workload.seed),
                engine: "sim:bench".into(),
                cluster: workload.cluster,
                cluster_name: "bench".into(),
                correlation_id: format!("bench-{}", workload.seed),
                created_ms: start.0,
                options,
            };
            let mut journal = Journal::in_memory(header).expect("an in-memory journal opens");
            let summary = executor::run(
                engine,
                clock,
                &mut journal,
                plan,
                &Discard,
                &StopSignal::new(),
            )
            .await
            .expect("the in-memory journal keeps working");
            metrics.failures = summary.failed.len();
            metrics.stuck = summary
                .failed
                .iter()
                .any(|f| matches!(f.failure, HostFailure::TimedOut { .. }));
        }
        Strategy::OvirtRole { .. } | Strategy::XenOrchestra => {
            let outcome = if let Strategy::OvirtRole { pace } = strategy {
                baseline::ovirt_role(engine, clock, workload.cluster, pace).await
            } else {
                baseline::xen_orchestra(engine, clock, workload.cluster).await
            };
            metrics.failures = usize::from(outcome.failed.is_some());
            metrics.stuck = outcome.stuck;
            metrics.stranded_vms = outcome.stranded_vms;
        }
    }
    metrics.makespan_seconds = ((clock.now().0 - start.0) / 1000).max(0) as u64;
    if let Ok(end) = engine.inventory().await {
        judge(&mut metrics, workload, &end);
    }
    let events = engine.events(Some(first_event)).await.unwrap_or_default();
    metrics.count_migrations(&events, first_event);
    metrics
}

/// Mean, 95th percentile and largest of some values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stat {
    pub mean: f64,
    pub p95: f64,
    pub max: f64,
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        if values.is_empty() {
            return Stat::default();
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = ((sorted.len() as f64 * 0.95).ceil() as usize).clamp(1, sorted.len()) - 1;
        Stat {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p95: sorted[rank],
            max: *sorted.last().expect("not empty"),
        }
    }
}

/// One strategy over every seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyReport {
    pub strategy: String,
    pub runs: usize,
    pub completed: usize,
    pub blocked: usize,
    pub stuck: usize,
    /// Migrations per migratable VM, per run (completed runs).
    pub migrations_per_vm: Stat,
    /// Migrations of single VMs, pooled over the completed runs' VMs that moved.
    pub migrations_of_a_vm: Stat,
    pub makespan_hours: Stat,
    pub stranded_vms: usize,
}

pub fn report(strategy: &str, runs: &[&RunMetrics]) -> StrategyReport {
    let completed: Vec<&&RunMetrics> = runs.iter().filter(|r| r.completed).collect();
    let per_run: Vec<f64> = completed.iter().map(|r| r.migrations_per_vm).collect();
    let per_vm: Vec<f64> = completed
        .iter()
        .flat_map(|r| r.per_vm.iter().map(|&n| f64::from(n)))
        .collect();
    let makespans: Vec<f64> = completed
        .iter()
        .map(|r| r.makespan_seconds as f64 / 3600.0)
        .collect();
    StrategyReport {
        strategy: strategy.to_owned(),
        runs: runs.len(),
        completed: completed.len(),
        blocked: runs.iter().filter(|r| r.blocked).count(),
        stuck: runs.iter().filter(|r| r.stuck).count(),
        migrations_per_vm: Stat::of(&per_run),
        migrations_of_a_vm: Stat::of(&per_vm),
        makespan_hours: Stat::of(&makespans),
        stranded_vms: runs.iter().map(|r| r.stranded_vms).sum(),
    }
}
