//! The benchmarks' runs: each seeded workload on its own simulated engine, in process with a
//! paused clock (hours of engine time take no wall time), seeds spread over threads; and what
//! a run cost, read from the simulator's history.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use model::{Affinity, HostId, Timestamp};
use orchestrator::bench::{self, RunMetrics, Strategy};
use ovirt_sim::{SimConfig, SimEngine, Simulator};

/// Where the simulated engines' clocks start.
pub const BENCH_START: Timestamp = Timestamp::from_millis(1_768_046_400_000);

/// Runs `work` on every seed, `jobs` seeds at a time, and gives the results in seed order.
pub fn on_seeds<T: Send>(seeds: &[u64], jobs: usize, work: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(seeds.len()));
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, seeds.len().max(1)) {
            scope.spawn(|| {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = work(seed);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((seed, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(seed, _)| *seed);
    results.into_iter().map(|(_, result)| result).collect()
}

/// One strategy on one workload, on a fresh simulated engine with a paused clock; and what
/// the simulator's invariant checker says afterwards.
pub fn run_one(workload: &bench::Workload, strategy: Strategy) -> (RunMetrics, Vec<String>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let simulator = Simulator::new(
            workload.inventory.clone(),
            SimConfig::default(),
            Default::default(),
            workload.seed,
            BENCH_START,
        );
        let engine = SimEngine::new(simulator, 1.0, workload.seed);
        let clock = orchestrator::TokioClock::new(BENCH_START, 1.0);
        let mut metrics = bench::run_strategy(&engine, &clock, workload, strategy).await;
        let simulator = engine.simulator();
        let until = simulator.now();
        measure_costs(&mut metrics, &simulator, workload, BENCH_START, until);
        (metrics, invariant_violations(&simulator))
    })
}

/// What the run cost the cluster's users, read from the simulator's history between `from`
/// and `until`: the pinned VMs' downtime and the window during which a host was out.
pub fn measure_costs(
    metrics: &mut RunMetrics,
    simulator: &Simulator,
    workload: &bench::Workload,
    from: Timestamp,
    until: Timestamp,
) {
    let history = simulator.history();
    let pinned_ms: i64 = workload
        .inventory
        .vms
        .iter()
        .filter(|v| {
            v.cluster == workload.cluster && v.is_running() && v.affinity == Affinity::Pinned
        })
        .map(|v| history.downtime_ms(v.id, true, from, until))
        .sum();
    let hosts: BTreeSet<HostId> = workload
        .inventory
        .hosts
        .iter()
        .filter(|h| h.cluster == workload.cluster)
        .map(|h| h.id)
        .collect();
    metrics.pinned_downtime_seconds = (pinned_ms / 1000).max(0) as u64;
    metrics.window_seconds = (history.degraded_ms(&hosts, from, until) / 1000).max(0) as u64;
}

/// The simulator's invariant checks over the whole run, as text.
pub fn invariant_violations(simulator: &Simulator) -> Vec<String> {
    simulator
        .history()
        .check(simulator.inventory(), simulator.now())
        .iter()
        .map(ToString::to_string)
        .collect()
}
