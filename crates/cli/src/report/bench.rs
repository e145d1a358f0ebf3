//! `bench rolling`'s report: every strategy over the seeds, the comparisons with the issue's
//! targets, in text or JSON.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use model::Lang;
use orchestrator::baseline::AnsiblePace;
use orchestrator::bench::{self, RunMetrics, Stat, Strategy, StrategyReport, Workload};
use serde::Serialize;

use crate::text::{table, tr};

/// The targets.
const MIGRATIONS_PER_VM_TARGET: f64 = 1.10;
const MAKESPAN_RATIO_TARGET: f64 = 0.6;

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
pub struct Report {
    seeds: u64,
    first_seed: u64,
    max_parallel: usize,
    strategies: Vec<StrategyReport>,
    comparison: Comparison,
    targets: Targets,
    runs: Vec<RunMetrics>,
}

/// One run, as `-v` shows it while the benchmark goes on.
pub fn run_line(workload: &Workload, metrics: &RunMetrics) -> String {
    format!(
        "seed {:>4} {:>3} hosts {:>2}% {:<22} {:.3} migrations/VM, {:>6.1} h{}",
        workload.seed,
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
    )
}

impl Report {
    /// Whether every target was met and no invariant broke.
    pub fn met(&self) -> bool {
        self.targets.met && self.comparison.invariant_violations.is_empty()
    }
}

pub fn build_report(
    first_seed: u64,
    max_parallel: usize,
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
        max_parallel: max_parallel.max(1),
    }
    .name();
    let by_seed =
        |name: &str, seed: u64| runs.iter().find(|r| r.strategy == name && r.seed == seed);
    let role = Strategy::OvirtRole {
        pace: AnsiblePace::REAL_TIME,
    }
    .name();
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
        first_seed,
        max_parallel,
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

pub fn render(report: &Report, lang: Lang) -> String {
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
