//! `ovirt-upgrade bench rolling`: our planner against the oVirt role and Xen Orchestra on
//! seeded clusters, each run on its own simulated engine with a paused clock, so hours of
//! engine time take no wall time. Numbers, not a timed test.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::{Args, Subcommand};
use std::collections::BTreeSet;

use std::path::PathBuf;

use model::{Affinity, HostId, Lang, Timestamp, Version};
use orchestrator::bench::{self, RunMetrics, Stat, Strategy, StrategyReport};
use ovirt_sim::{SimConfig, SimEngine, Simulator};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::text::{table, tr};

/// The targets.
const MIGRATIONS_PER_VM_TARGET: f64 = 1.10;
const MAKESPAN_RATIO_TARGET: f64 = 0.6;
/// Where the simulated engines' clocks start.
pub(super) const BENCH_START: Timestamp = Timestamp::from_millis(1_768_046_400_000);

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Rolling upgrades of seeded clusters (4–200 hosts, 30–85 % memory load, pinned and HA
    /// VMs): our planner, its parallel waves, the oVirt role and Xen Orchestra. Reports
    /// migrations per VM, makespan in simulated time and stuck runs.
    Rolling(RollingArgs),
}

#[derive(Debug, Args)]
pub struct RollingArgs {
    /// How many seeded clusters [default: 200; 20 with --against-role].
    #[arg(long)]
    pub seeds: Option<u64>,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub first_seed: u64,
    /// Hosts our planner may upgrade at once in its parallel runs.
    #[arg(long, value_name = "K", default_value_t = 2)]
    pub max_parallel: usize,
    /// Seeds run at once [default: 2; 4 with --against-role, whose clients mostly wait].
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Measure against oVirt's real `ovirt.ovirt.cluster_upgrade` role instead of our
    /// re-enactments: on small seeded clusters, the role (through ansible-playbook) and ours
    /// (through the HTTP client) each on its own `sim serve`, both at --speed; a table per
    /// seed with the lower bound on migrations. Needs the venv scripts/python-clients makes.
    #[arg(long)]
    pub against_role: bool,
    /// With --against-role: engine time per real second on the simulated engines.
    #[arg(long, default_value_t = 300.0, requires = "against_role")]
    pub speed: f64,
    /// With --against-role: the Manager version the simulated engines run.
    #[arg(
        long,
        value_name = "X.Y.Z",
        default_value = "4.5.6",
        requires = "against_role"
    )]
    pub engine_version: Version,
    /// With --against-role: the Python venv holding ansible-playbook and the ovirt.ovirt
    /// collection.
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".venv",
        requires = "against_role"
    )]
    pub venv: PathBuf,
}

#[derive(Debug, Serialize)]
struct Comparison {
    /// Seeds where our planner moved VMs more often than the role (both completed).
    planner_worse_than_role: Vec<u64>,
    /// Our parallel makespan against the role's, on seeds where the dry run planned waves of
    /// several hosts for most of the cluster.
    makespan_ratio_where_parallel_feasible: Stat,
    parallel_feasible_seeds: usize,
    /// Our runs that got stuck although the dry run said feasible.
    stuck_where_feasible: Vec<u64>,
    /// Runs after which the simulator's invariant checker found a violation.
    invariant_violations: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Targets {
    mean_migrations_per_vm: f64,
    mean_migrations_per_vm_at_most: f64,
    never_worse_than_role: bool,
    makespan_ratio_mean: f64,
    makespan_ratio_at_most: f64,
    no_stuck_run_where_feasible: bool,
    met: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    seeds: u64,
    first_seed: u64,
    max_parallel: usize,
    strategies: Vec<StrategyReport>,
    comparison: Comparison,
    targets: Targets,
    runs: Vec<RunMetrics>,
}

pub fn run(command: BenchCommand, ctx: &Context) -> anyhow::Result<ExitCode> {
    let BenchCommand::Rolling(args) = command;
    if args.against_role {
        return super::bench_role::run(&args, ctx);
    }
    let seed_count = args.seeds.unwrap_or(200);
    let mut strategies = vec![
        Strategy::Planner { max_parallel: 1 },
        Strategy::Planner {
            max_parallel: args.max_parallel.max(1),
        },
        Strategy::OvirtRole,
        Strategy::XenOrchestra,
    ];
    strategies.dedup();
    let seeds: Vec<u64> = (args.first_seed..args.first_seed + seed_count).collect();
    let progress = ctx.says(Verbosity::Verbose);
    let per_seed = on_seeds(&seeds, args.jobs.unwrap_or(2), |seed| {
        let workload = bench::workload(seed);
        let mut runs = Vec::new();
        let mut violations = Vec::new();
        for strategy in strategies.iter().copied() {
            let (metrics, broken) = run_one(&workload, strategy);
            if !broken.is_empty() {
                violations.push(format!(
                    "seed {seed} {}: {}",
                    strategy.name(),
                    broken.join("; ")
                ));
            }
            if progress {
                eprintln!(
                    "seed {seed:>4} {:>3} hosts {:>2}% {:<22} {:.3} migrations/VM, {:>6.1} h{}",
                    workload.hosts,
                    workload.load_percent,
                    metrics.strategy,
                    metrics.migrations_per_vm,
                    metrics.makespan_seconds as f64 / 3600.0,
                    if metrics.blocked {
                        " blocked"
                    } else if metrics.stuck {
                        " STUCK"
                    } else if !metrics.completed {
                        " incomplete"
                    } else {
                        ""
                    }
                );
            }
            runs.push(metrics);
        }
        (runs, violations)
    });
    let (runs, violations): (Vec<Vec<RunMetrics>>, Vec<Vec<String>>) = per_seed.into_iter().unzip();
    let mut runs: Vec<RunMetrics> = runs.into_iter().flatten().collect();
    let violations: Vec<String> = violations.into_iter().flatten().collect();
    runs.sort_by(|a, b| (a.seed, &a.strategy).cmp(&(b.seed, &b.strategy)));
    let report = build_report(&args, &strategies, runs, violations);
    match ctx.output {
        OutputFormat::Json => super::print_json(&report)?,
        OutputFormat::Text => print!("{}", render(&report, ctx.lang)),
    }
    Ok(
        if report.targets.met && report.comparison.invariant_violations.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_FINDINGS)
        },
    )
}

/// Runs `work` on every seed, `jobs` seeds at a time, and gives the results in seed order.
pub(super) fn on_seeds<T: Send>(
    seeds: &[u64],
    jobs: usize,
    work: impl Fn(u64) -> T + Sync,
) -> Vec<T> {
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
pub(super) fn run_one(workload: &bench::Workload, strategy: Strategy) -> (RunMetrics, Vec<String>) {
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
pub(crate) fn measure_costs(
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
pub(crate) fn invariant_violations(simulator: &Simulator) -> Vec<String> {
    simulator
        .history()
        .check(simulator.inventory(), simulator.now())
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn build_report(
    args: &RollingArgs,
    strategies: &[Strategy],
    runs: Vec<RunMetrics>,
    invariant_violations: Vec<String>,
) -> Report {
    let of =
        |name: &str| -> Vec<&RunMetrics> { runs.iter().filter(|r| r.strategy == name).collect() };
    let reports: Vec<StrategyReport> = strategies
        .iter()
        .map(|s| bench::report(&s.name(), &of(&s.name())))
        .collect();
    let planner = Strategy::Planner { max_parallel: 1 }.name();
    let parallel = Strategy::Planner {
        max_parallel: args.max_parallel.max(1),
    }
    .name();
    let by_seed =
        |name: &str, seed: u64| runs.iter().find(|r| r.strategy == name && r.seed == seed);
    let role = Strategy::OvirtRole.name();
    let mut worse = Vec::new();
    let mut ratios = Vec::new();
    let mut stuck = Vec::new();
    let seeds: BTreeSet<u64> = runs.iter().map(|r| r.seed).collect();
    for &seed in &seeds {
        let (Some(ours), Some(theirs)) = (by_seed(&planner, seed), by_seed(&role, seed)) else {
            continue;
        };
        if ours.completed
            && theirs.completed
            && ours.migrations_per_vm > theirs.migrations_per_vm + 1e-9
        {
            worse.push(seed);
        }
        for mine in [Some(ours), by_seed(&parallel, seed)].into_iter().flatten() {
            if !mine.blocked && mine.stuck && !stuck.contains(&seed) {
                stuck.push(seed);
            }
        }
        if let Some(fast) = by_seed(&parallel, seed) {
            if fast.completed
                && theirs.completed
                && fast.parallel_feasible
                && theirs.makespan_seconds > 0
            {
                ratios.push(fast.makespan_seconds as f64 / theirs.makespan_seconds as f64);
            }
        }
    }
    let mean_migrations = reports.first().map_or(0.0, |r| r.migrations_per_vm.mean);
    let ratio = Stat::of(&ratios);
    let targets = Targets {
        mean_migrations_per_vm: mean_migrations,
        mean_migrations_per_vm_at_most: MIGRATIONS_PER_VM_TARGET,
        never_worse_than_role: worse.is_empty(),
        makespan_ratio_mean: ratio.mean,
        makespan_ratio_at_most: MAKESPAN_RATIO_TARGET,
        no_stuck_run_where_feasible: stuck.is_empty(),
        met: mean_migrations <= MIGRATIONS_PER_VM_TARGET
            && worse.is_empty()
            && ratio.mean <= MAKESPAN_RATIO_TARGET
            && stuck.is_empty(),
    };
    Report {
        seeds: seeds.len() as u64,
        first_seed: args.first_seed,
        max_parallel: args.max_parallel,
        strategies: reports,
        comparison: Comparison {
            planner_worse_than_role: worse,
            makespan_ratio_where_parallel_feasible: ratio,
            parallel_feasible_seeds: ratios.len(),
            stuck_where_feasible: stuck,
            invariant_violations,
        },
        targets,
        runs,
    }
}

fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} {}..{}",
        tr(
            lang,
            "Rolling upgrade benchmark:",
            "ローリングアップグレードのベンチマーク:"
        ),
        report.seeds,
        tr(lang, "seeded clusters, seeds", "クラスター、シード"),
        report.first_seed,
        report.first_seed + report.seeds.saturating_sub(1)
    );
    let mut rows = vec![vec![
        tr(lang, "strategy", "方式").to_owned(),
        tr(lang, "completed", "完了").to_owned(),
        tr(lang, "blocked", "事前に拒否").to_owned(),
        tr(lang, "stuck", "停滞").to_owned(),
        tr(lang, "migrations/VM mean", "移行/VM 平均").to_owned(),
        "p95".to_owned(),
        tr(lang, "max", "最大").to_owned(),
        tr(lang, "makespan h mean", "所要時間 h 平均").to_owned(),
        "p95".to_owned(),
    ]];
    for s in &report.strategies {
        rows.push(vec![
            s.strategy.clone(),
            format!("{}/{}", s.completed, s.runs),
            s.blocked.to_string(),
            s.stuck.to_string(),
            format!("{:.3}", s.migrations_per_vm.mean),
            format!("{:.3}", s.migrations_per_vm.p95),
            format!("{:.3}", s.migrations_per_vm.max),
            format!("{:.2}", s.makespan_hours.mean),
            format!("{:.2}", s.makespan_hours.p95),
        ]);
    }
    out.push_str(&table(&rows));
    let c = &report.comparison;
    let t = &report.targets;
    let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
    let _ = writeln!(
        out,
        "\n{} {:.3} (≤ {}): {}",
        tr(
            lang,
            "mean migrations per VM, planner:",
            "VM あたり平均移行回数 (planner):"
        ),
        t.mean_migrations_per_vm,
        t.mean_migrations_per_vm_at_most,
        mark(t.mean_migrations_per_vm <= t.mean_migrations_per_vm_at_most)
    );
    let _ = writeln!(
        out,
        "{} {:?}: {}",
        tr(
            lang,
            "seeds where the planner moved VMs more than the role:",
            "planner が role より多く移行したシード:"
        ),
        c.planner_worse_than_role,
        mark(t.never_worse_than_role)
    );
    let _ = writeln!(
        out,
        "{} {:.2} (p95 {:.2}, max {:.2}, {} {}) (≤ {}): {}",
        tr(
            lang,
            "makespan, parallel planner against the role:",
            "所要時間 (並列 planner / role):"
        ),
        c.makespan_ratio_where_parallel_feasible.mean,
        c.makespan_ratio_where_parallel_feasible.p95,
        c.makespan_ratio_where_parallel_feasible.max,
        c.parallel_feasible_seeds,
        tr(
            lang,
            "seeds where parallel waves are feasible",
            "並列可能なシード"
        ),
        t.makespan_ratio_at_most,
        mark(t.makespan_ratio_mean <= t.makespan_ratio_at_most)
    );
    let _ = writeln!(
        out,
        "{} {:?}: {}",
        tr(
            lang,
            "stuck runs the dry run called feasible:",
            "実行前に可能とされたのに停滞した実行:"
        ),
        c.stuck_where_feasible,
        mark(t.no_stuck_run_where_feasible)
    );
    let _ = writeln!(
        out,
        "{} {}",
        tr(lang, "invariant violations:", "不変条件違反:"),
        c.invariant_violations.len()
    );
    for v in &c.invariant_violations {
        let _ = writeln!(out, "  {v}");
    }
    out
}
