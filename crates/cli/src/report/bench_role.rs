//! `bench rolling --against-role`'s report: a row per seed (ours, the real role, our
//! re-enactment of it, the lower bound), the targets, in text or JSON.

use std::fmt::Write as _;
use std::time::Duration;

use model::Lang;
use orchestrator::bench::{RunMetrics, Stat};
use serde::Serialize;

use crate::runs::bench_role::{AgainstRole, Seed};
use crate::text::{table, tr};

/// The targets.
const BOUND_GAP_TARGET: f64 = 0.02;
const WINDOW_RATIO_TARGET: f64 = 0.5;

#[derive(Debug, Serialize)]
struct Targets {
    /// Seeds where ours migrated more than the role, both having completed.
    more_migrations_than_role: Vec<u64>,
    /// Seeds where our pinned VMs were down longer than the role's.
    longer_pinned_downtime_than_role: Vec<u64>,
    /// Ours minus the bound, in migrations per movable VM, over the seeds ours completed.
    mean_gap_to_bound: f64,
    mean_gap_to_bound_at_most: f64,
    /// Our window (`--max-parallel`) against the role's, where every wave took two hosts.
    window_ratio_where_parallel: Stat,
    parallel_seeds: usize,
    /// The same on odd clusters whose waves all took two hosts but the last.
    window_ratio_odd_clusters: Stat,
    odd_seeds: usize,
    window_ratio_at_most: f64,
    /// Our runs that got stuck or failed although the dry run called the plan feasible.
    ours_stuck_or_failed: Vec<u64>,
    invariant_violations: usize,
    met: bool,
}

#[derive(Debug, Serialize)]
struct Drift {
    /// |re-enacted − real| migrations, per seed.
    migrations: Stat,
    /// |re-enacted − real| engine time taken, as a share of the real role's, per seed.
    makespan: Stat,
    /// Seeds where the re-enactment and the real role disagree on completing.
    completion_differs: Vec<u64>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    engine_version: String,
    speed: f64,
    max_parallel: usize,
    wall_seconds: f64,
    seeds: Vec<Seed>,
    reenactment_drift: Drift,
    targets: Targets,
}

impl Report {
    pub fn met(&self) -> bool {
        self.targets.met
    }
}

pub fn seed_line(seed: &Seed) -> String {
    format!(
        "seed {:>4} {} hosts {:>3} VMs: bound {:>3}, ours {:>3}{}, role {:>3}{}, re-enacted {:>3}{} ({:.0} s)",
        seed.seed,
        seed.hosts,
        seed.movable_vms,
        seed.lower_bound,
        seed.ours.migrations,
        completion_mark(&seed.ours),
        seed.role.migrations,
        completion_mark(&seed.role),
        seed.reenacted_role.migrations,
        completion_mark(&seed.reenacted_role),
        seed.role_wall_seconds
    )
}

fn completion_mark(run: &RunMetrics) -> &'static str {
    if run.blocked {
        " blocked"
    } else if run.stuck {
        " stuck"
    } else if !run.completed {
        " incomplete"
    } else {
        ""
    }
}

pub fn summarise(setup: &AgainstRole, seeds: Vec<Seed>, wall: Duration) -> Report {
    let both = |s: &&Seed| s.ours.completed && s.role.completed;
    let more_migrations_than_role = seeds
        .iter()
        .filter(both)
        .filter(|s| s.ours.migrations > s.role.migrations)
        .map(|s| s.seed)
        .collect();
    let longer_pinned_downtime_than_role = seeds
        .iter()
        .filter(both)
        .filter(|s| s.ours.pinned_downtime_seconds > s.role.pinned_downtime_seconds)
        .map(|s| s.seed)
        .collect();
    let gaps: Vec<f64> = seeds
        .iter()
        .filter(|s| s.ours.completed)
        .map(|s| (s.ours.migrations as f64 - s.lower_bound as f64) / s.movable_vms.max(1) as f64)
        .collect();
    let mean_gap_to_bound = Stat::of(&gaps).mean;
    let window_ratios = |pairs: fn(&RunMetrics) -> bool| -> Vec<f64> {
        seeds
            .iter()
            .filter(|s| s.role.completed && s.role.window_seconds > 0)
            .filter_map(|s| {
                let fast = s.ours_parallel.as_ref()?;
                (fast.completed && pairs(fast))
                    .then(|| fast.window_seconds as f64 / s.role.window_seconds as f64)
            })
            .collect()
    };
    // Every wave takes two hosts: only an even cluster can, and only there can the window halve.
    let ratios = window_ratios(|run| run.waves * 2 == run.hosts);
    let window_ratio_where_parallel = Stat::of(&ratios);
    // An odd cluster's last host goes alone, so ⌈n/2⌉/n is its best.
    let odd_ratios = window_ratios(|run| run.hosts % 2 == 1 && run.waves == run.hosts.div_ceil(2));
    let ours_stuck_or_failed: Vec<u64> = seeds
        .iter()
        .filter(|s| {
            let failed = |run: &RunMetrics| !run.blocked && !run.completed;
            failed(&s.ours) || s.ours_parallel.as_ref().is_some_and(failed)
        })
        .map(|s| s.seed)
        .collect();
    let invariant_violations = seeds.iter().map(|s| s.invariant_violations.len()).sum();
    let met = Vec::<u64>::is_empty(&more_migrations_than_role)
        && Vec::<u64>::is_empty(&longer_pinned_downtime_than_role)
        && mean_gap_to_bound <= BOUND_GAP_TARGET
        && (ratios.is_empty() || window_ratio_where_parallel.mean <= WINDOW_RATIO_TARGET)
        && ours_stuck_or_failed.is_empty()
        && invariant_violations == 0;
    let drifts: Vec<f64> = seeds
        .iter()
        .map(|s| (s.reenacted_role.migrations as f64 - s.role.migrations as f64).abs())
        .collect();
    let makespan_drifts: Vec<f64> = seeds
        .iter()
        .filter(|s| s.role.makespan_seconds > 0)
        .map(|s| {
            let (real, reenacted) = (s.role.makespan_seconds, s.reenacted_role.makespan_seconds);
            real.abs_diff(reenacted) as f64 / real as f64
        })
        .collect();
    let completion_differs = seeds
        .iter()
        .filter(|s| s.role.completed != s.reenacted_role.completed)
        .map(|s| s.seed)
        .collect();
    Report {
        engine_version: setup.engine_version.to_string(),
        speed: setup.speed,
        max_parallel: setup.max_parallel,
        wall_seconds: wall.as_secs_f64(),
        reenactment_drift: Drift {
            migrations: Stat::of(&drifts),
            makespan: Stat::of(&makespan_drifts),
            completion_differs,
        },
        targets: Targets {
            more_migrations_than_role,
            longer_pinned_downtime_than_role,
            mean_gap_to_bound,
            mean_gap_to_bound_at_most: BOUND_GAP_TARGET,
            window_ratio_where_parallel,
            parallel_seeds: ratios.len(),
            window_ratio_odd_clusters: Stat::of(&odd_ratios),
            odd_seeds: odd_ratios.len(),
            window_ratio_at_most: WINDOW_RATIO_TARGET,
            ours_stuck_or_failed,
            invariant_violations,
            met,
        },
        seeds,
    }
}

fn migrations(run: &RunMetrics) -> String {
    format!("{}{}", run.migrations, completion_mark(run))
}

fn minutes(seconds: u64) -> String {
    format!("{:.0}", seconds as f64 / 60.0)
}

pub fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {}, {} {}×, --max-parallel {}",
        tr(
            lang,
            "Rolling upgrade against oVirt's cluster_upgrade role: engine",
            "oVirt の cluster_upgrade ロールとの比較: エンジン"
        ),
        report.engine_version,
        tr(lang, "on sim serve", "(sim serve)"),
        tr(lang, "speed", "速度"),
        report.speed,
        report.max_parallel
    );
    let _ = writeln!(
        out,
        "{}\n",
        tr(
            lang,
            "migrations are event 63; times are engine minutes; window = time a host was out; ∥ = --max-parallel",
            "移行数はイベント 63、時間はエンジン時間 (分)、window = ホストが欠けていた時間、∥ = --max-parallel"
        )
    );
    let parallel =
        |s: &Seed, f: fn(&RunMetrics) -> String| s.ours_parallel.as_ref().map_or("-".to_owned(), f);
    let mut rows = vec![[
        "seed",
        "hosts",
        "VMs",
        "bound",
        "ours",
        "ours ∥",
        "role",
        "re-enacted",
        "window ours",
        "ours ∥",
        "role",
        "pinned down ours",
        "role",
        "time ours",
        "ours ∥",
        "role",
        "in maint. ours/role",
        "failures",
        "policy restored",
    ]
    .map(String::from)
    .to_vec()];
    for s in &report.seeds {
        rows.push(vec![
            s.seed.to_string(),
            s.hosts.to_string(),
            s.movable_vms.to_string(),
            s.lower_bound.to_string(),
            migrations(&s.ours),
            parallel(s, migrations),
            migrations(&s.role),
            migrations(&s.reenacted_role),
            minutes(s.ours.window_seconds),
            parallel(s, |r| minutes(r.window_seconds)),
            minutes(s.role.window_seconds),
            minutes(s.ours.pinned_downtime_seconds),
            minutes(s.role.pinned_downtime_seconds),
            minutes(s.ours.makespan_seconds),
            parallel(s, |r| minutes(r.makespan_seconds)),
            minutes(s.role.makespan_seconds),
            format!(
                "{}/{}",
                s.ours.hosts_left_in_maintenance, s.role.hosts_left_in_maintenance
            ),
            format!("{}/{}", s.ours.failures, s.role.failures),
            format!(
                "{}/{}",
                yes_no(s.ours.policy_restored),
                yes_no(s.role.policy_restored)
            ),
        ]);
    }
    out.push_str(&table(&rows));
    let t = &report.targets;
    let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
    // Over the seeds where ours and the role both completed, so the four means compare.
    let mean = |f: fn(&Seed) -> f64| {
        let values: Vec<f64> = report
            .seeds
            .iter()
            .filter(|s| s.ours.completed && s.role.completed)
            .map(f)
            .collect();
        Stat::of(&values).mean
    };
    let _ = writeln!(
        out,
        "\n{} {:.3} / {:.3} / {:.3} / {:.3}",
        tr(
            lang,
            "migrations per movable VM where both completed, mean (bound / ours / role / re-enacted):",
            "両方が完了したシードでの移行可能な VM あたりの移行数の平均 (下限 / ours / role / 再現):"
        ),
        mean(|s| s.lower_bound as f64 / s.movable_vms.max(1) as f64),
        mean(|s| s.ours.migrations_per_vm),
        mean(|s| s.role.migrations_per_vm),
        mean(|s| s.reenacted_role.migrations_per_vm),
    );
    let _ = writeln!(
        out,
        "{} {:?}: {}",
        tr(
            lang,
            "seeds where ours migrated more than the role:",
            "ours が role より多く移行したシード:"
        ),
        t.more_migrations_than_role,
        mark(t.more_migrations_than_role.is_empty())
    );
    let _ = writeln!(
        out,
        "{} {:?}: {}",
        tr(
            lang,
            "seeds where our pinned VMs were down longer:",
            "ours の固定 VM の停止時間が長かったシード:"
        ),
        t.longer_pinned_downtime_than_role,
        mark(t.longer_pinned_downtime_than_role.is_empty())
    );
    let _ = writeln!(
        out,
        "{} {:.4} (≤ {}): {}",
        tr(
            lang,
            "ours above the bound, per VM:",
            "ours と下限の差 (VM あたり):"
        ),
        t.mean_gap_to_bound,
        t.mean_gap_to_bound_at_most,
        mark(t.mean_gap_to_bound <= t.mean_gap_to_bound_at_most)
    );
    if report.max_parallel > 1 {
        let _ = writeln!(
            out,
            "{} {:.2} (max {:.2}, {} {}) (≤ {}): {}",
            tr(
                lang,
                "our window against the role's:",
                "ours の window / role の window:"
            ),
            t.window_ratio_where_parallel.mean,
            t.window_ratio_where_parallel.max,
            t.parallel_seeds,
            tr(
                lang,
                "seeds where every wave took two hosts",
                "すべてのウェーブが 2 台だったシード"
            ),
            t.window_ratio_at_most,
            mark(
                t.parallel_seeds == 0
                    || t.window_ratio_where_parallel.mean <= t.window_ratio_at_most
            )
        );
        let _ = writeln!(
            out,
            "{} {:.2} (max {:.2}, {} {})",
            tr(
                lang,
                "  the same on odd clusters, the last host alone (best ⌈n/2⌉/n):",
                "  奇数台のクラスター (最後の 1 台は単独、最良で ⌈n/2⌉/n):"
            ),
            t.window_ratio_odd_clusters.mean,
            t.window_ratio_odd_clusters.max,
            t.odd_seeds,
            tr(lang, "seeds", "シード")
        );
    }
    let _ = writeln!(
        out,
        "{} {:?}: {}",
        tr(
            lang,
            "our runs stuck or failed:",
            "停滞または失敗した ours の実行:"
        ),
        t.ours_stuck_or_failed,
        mark(t.ours_stuck_or_failed.is_empty())
    );
    let _ = writeln!(
        out,
        "{} {}",
        tr(lang, "invariant violations:", "不変条件違反:"),
        t.invariant_violations
    );
    for v in report.seeds.iter().flat_map(|s| &s.invariant_violations) {
        let _ = writeln!(out, "  {v}");
    }
    let d = &report.reenactment_drift;
    let _ = writeln!(
        out,
        "{} {:.1} (max {:.0}); {} {:.0} % (max {:.0} %); {} {:?}",
        tr(
            lang,
            "re-enacted role against the real one, |Δ migrations| mean:",
            "再現した role と実際の role の移行数の差 (平均):"
        ),
        d.migrations.mean,
        d.migrations.max,
        tr(lang, "|Δ time| mean", "所要時間の差 (平均)"),
        d.makespan.mean * 100.0,
        d.makespan.max * 100.0,
        tr(
            lang,
            "completion differs on seeds",
            "完了の可否が異なるシード"
        ),
        d.completion_differs
    );
    let _ = writeln!(
        out,
        "{} {:.0} s",
        tr(lang, "wall time:", "実時間:"),
        report.wall_seconds
    );
    out
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}
