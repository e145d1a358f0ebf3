//! `bench rolling --against-role`: oVirt's own `ovirt.ovirt.cluster_upgrade` role, run by
//! `ansible-playbook` from the venv `scripts/python-clients` makes, against one simulated engine
//! served over HTTP, and our planner through the HTTP client against an identical fresh one at
//! the same speed. Both are judged from the engines afterwards: migrations (event 63), the
//! engine time taken, the pinned VMs' downtime, the window a host was out, hosts left in
//! maintenance, failures, the scheduling policy. Beside them: the per-seed lower bound on
//! migrations and our in-process re-enactment of the role, to see how far it drifts.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use model::{HostStatus, Lang, Timestamp};
use orchestrator::bench::{self, RunMetrics, Stat, Strategy, Workload};
use orchestrator::{Clock, TokioClock};
use ovirt_client::{Client, Config, Password, Tls};
use ovirt_sim::http::{HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};
use serde::Serialize;

use super::bench::{
    invariant_violations, measure_costs, on_seeds, run_one, RollingArgs, BENCH_START,
};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::input_error;
use crate::text::{table, tr};

/// The playbook: the role with the Upgrade wizard's choices.
const PLAYBOOK: &str = include_str!("../../assets/bench_role.yml");
/// What the real role is called in the report.
const REAL_ROLE: &str = "ovirt-role (real)";
/// The role's `upgrade_timeout`, in the engine's seconds.
const ROLE_UPGRADE_TIMEOUT_SECONDS: f64 = 3600.0;
/// A role run that has not ended after this long (real time) is stopped and counted stuck.
const ROLE_WALL_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The shortest real pause between two polls of ours.
const SHORTEST_REAL_POLL: Duration = Duration::from_millis(100);
/// The targets.
const BOUND_GAP_TARGET: f64 = 0.02;
const WINDOW_RATIO_TARGET: f64 = 0.5;

/// One seed: the workload's bound and the three runs.
#[derive(Debug, Serialize)]
struct Seed {
    seed: u64,
    hosts: usize,
    movable_vms: usize,
    lower_bound: usize,
    /// Ours one host at a time, as `cluster-upgrade` runs by default.
    ours: RunMetrics,
    /// Ours with `--max-parallel` above 1, for the window.
    ours_parallel: Option<RunMetrics>,
    role: RunMetrics,
    /// Our re-enactment of the role, in process on a paused clock.
    reenacted_role: RunMetrics,
    /// The real role's run, from `ansible-playbook`.
    role_exit_code: Option<i32>,
    role_wall_seconds: f64,
    invariant_violations: Vec<String>,
}

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
    /// |re-enacted − real| migrations, per seed where both completed.
    migrations: Stat,
    /// Seeds where the re-enactment and the real role disagree on completing.
    completion_differs: Vec<u64>,
}

#[derive(Debug, Serialize)]
struct Report {
    engine_version: String,
    speed: f64,
    max_parallel: usize,
    wall_seconds: f64,
    seeds: Vec<Seed>,
    reenactment_drift: Drift,
    targets: Targets,
}

pub(super) fn run(args: &RollingArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if !(args.speed > 0.0 && args.speed.is_finite()) {
        return Err(input_error(anyhow!(
            "--speed must be a positive factor, such as 300"
        )));
    }
    let ansible = args.venv.join("bin/ansible-playbook");
    if !ansible.exists() {
        return Err(input_error(anyhow!(
            "{} is missing: run scripts/python-clients to make the venv with oVirt's Ansible \
             collection, or name another venv with --venv",
            ansible.display()
        )));
    }
    let scratch =
        std::env::temp_dir().join(format!("ovirt-upgrade-bench-role-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let playbook = scratch.join("cluster_upgrade.yml");
    std::fs::write(&playbook, PLAYBOOK)
        .with_context(|| format!("cannot write {}", playbook.display()))?;
    let started = Instant::now();
    let first = args.first_seed;
    let seeds: Vec<u64> = (first..first + args.seeds.unwrap_or(20)).collect();
    let verbose = ctx.says(Verbosity::Verbose);
    let outcomes = on_seeds(&seeds, args.jobs.unwrap_or(4), |seed| {
        let workload = bench::role_workload(seed);
        let (reenacted_role, _) = run_one(&workload, Strategy::OvirtRole);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let race = Race {
            args,
            workload: &workload,
            ansible: &ansible,
            playbook: &playbook,
            scratch: &scratch,
        };
        let outcome = runtime.block_on(race.run(reenacted_role))?;
        if verbose {
            eprintln!("{}", seed_line(&outcome));
        }
        anyhow::Ok(outcome)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let seeds = outcomes
        .into_iter()
        .collect::<anyhow::Result<Vec<Seed>>>()?;
    let report = summarise(args, seeds, started.elapsed());
    match ctx.output {
        OutputFormat::Json => super::print_json(&report)?,
        OutputFormat::Text => print!("{}", render(&report, ctx.lang)),
    }
    Ok(if report.targets.met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}

/// One seed's two engines and two clients.
struct Race<'a> {
    args: &'a RollingArgs,
    workload: &'a Workload,
    ansible: &'a Path,
    playbook: &'a Path,
    scratch: &'a Path,
}

impl Race<'_> {
    async fn run(&self, reenacted_role: RunMetrics) -> anyhow::Result<Seed> {
        let parallel = self.args.max_parallel.max(1);
        let for_role = self.serve().await?;
        let for_us = self.serve().await?;
        let for_us_parallel = self.serve().await?;
        let (role, ours, ours_parallel) =
            tokio::join!(self.role(&for_role), self.ours(&for_us, 1), async {
                match parallel {
                    1 => Ok(None),
                    _ => self.ours(&for_us_parallel, parallel).await.map(Some),
                }
            });
        let (role, role_exit_code, role_wall) = role?;
        let (ours, ours_parallel) = (ours?, ours_parallel?);
        let mut violations = Vec::new();
        for (who, served) in [
            ("role", &for_role),
            ("ours", &for_us),
            ("ours parallel", &for_us_parallel),
        ] {
            let simulator = served.engine().simulator();
            let seed = self.workload.seed;
            violations.extend(
                invariant_violations(&simulator)
                    .into_iter()
                    .map(|v| format!("seed {seed} {who}: {v}")),
            );
        }
        for served in [for_role, for_us, for_us_parallel] {
            served.stop().await;
        }
        Ok(Seed {
            seed: self.workload.seed,
            hosts: self.workload.hosts,
            movable_vms: ours.migratable_vms,
            lower_bound: ours.lower_bound,
            ours,
            ours_parallel,
            role,
            reenacted_role,
            role_exit_code,
            role_wall_seconds: role_wall.as_secs_f64(),
            invariant_violations: violations,
        })
    }

    /// A fresh simulated engine over the workload, at the version and speed asked for.
    async fn serve(&self) -> anyhow::Result<HttpSim> {
        let mut simulator = Simulator::new(
            self.workload.inventory.clone(),
            SimConfig::default(),
            Default::default(),
            self.workload.seed,
            BENCH_START,
        );
        simulator
            .set_manager_version(self.args.engine_version)
            .map_err(|e| input_error(anyhow!("--engine-version: {e}")))?;
        let engine = SimEngine::new(simulator, self.args.speed, self.workload.seed);
        Ok(HttpSim::start(engine, ServeOptions::default()).await?)
    }

    /// oVirt's role through `ansible-playbook`, then what the engine shows.
    async fn role(&self, served: &HttpSim) -> anyhow::Result<(RunMetrics, Option<i32>, Duration)> {
        let (from, first_event) = {
            let simulator = served.engine().simulator();
            (simulator.now(), newest_event(&simulator))
        };
        let timeout = (ROLE_UPGRADE_TIMEOUT_SECONDS / self.args.speed)
            .ceil()
            .max(1.0);
        let mut command = Command::new(self.ansible);
        command
            .arg(self.playbook)
            .env("ENGINE_URL", served.api_url())
            .env("ENGINE_USER", "admin@internal")
            .env("ENGINE_PASSWORD", "sim-password")
            .env("CLUSTER_NAME", cluster_name(self.workload))
            .env("UPGRADE_TIMEOUT_SECONDS", format!("{timeout}"))
            .env("ANSIBLE_LOCAL_TEMP", self.scratch)
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false")
            .env("ANSIBLE_NOCOLOR", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let began = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot run {}", self.ansible.display()))?;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if began.elapsed() > ROLE_WALL_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let wall = began.elapsed();
        let simulator = served.engine().simulator();
        let until = simulator.now();
        let mut metrics = RunMetrics::new(self.workload, REAL_ROLE.into());
        metrics.makespan_seconds = ((until.0 - from.0) / 1000).max(0) as u64;
        bench::judge(&mut metrics, self.workload, simulator.inventory());
        let events = simulator.events(Some(first_event));
        metrics.count_migrations(&events, first_event);
        // The role's rescue logs this when a host fails; its own account, read from the engine.
        let failed = format!("Upgrade of cluster {} failed.", cluster_name(self.workload));
        metrics.failures = events.iter().filter(|e| e.description == failed).count();
        metrics.stuck = status.is_none()
            || simulator
                .inventory()
                .hosts
                .iter()
                .any(|h| h.status == HostStatus::PreparingForMaintenance);
        measure_costs(&mut metrics, &simulator, self.workload, from, until);
        Ok((metrics, status.and_then(|s| s.code()), wall))
    }

    /// Our planner and executor through the HTTP client, on the engine's clock.
    async fn ours(&self, served: &HttpSim, max_parallel: usize) -> anyhow::Result<RunMetrics> {
        let mut config = Config::new(
            served.api_url(),
            "admin@internal",
            Password::new("sim-password"),
        );
        config.tls = Tls::System;
        let client = Client::connect(&config)
            .await
            .with_context(|| format!("cannot log in to {}", served.api_url()))?;
        let from = served.engine().simulator().now();
        let clock = PacedClock {
            engine: TokioClock::new(from, self.args.speed),
            speed: self.args.speed,
        };
        let strategy = Strategy::Planner { max_parallel };
        let mut metrics = bench::run_strategy(&client, &clock, self.workload, strategy).await;
        let _ = client.close().await;
        let simulator = served.engine().simulator();
        let until = simulator.now();
        measure_costs(&mut metrics, &simulator, self.workload, from, until);
        Ok(metrics)
    }
}

/// The engine's clock for our client, polling no faster than a client on a real engine
/// could matter: at --speed 300 the executor's 3 s would be 10 ms of real time, a load that
/// would slow the role's engine beside it.
struct PacedClock {
    engine: TokioClock,
    speed: f64,
}

impl Clock for PacedClock {
    fn now(&self) -> Timestamp {
        self.engine.now()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration.div_f64(self.speed).max(SHORTEST_REAL_POLL)).await;
    }
}

fn newest_event(simulator: &Simulator) -> u64 {
    simulator.events(None).first().map_or(0, |e| e.id)
}

fn cluster_name(workload: &Workload) -> String {
    workload
        .inventory
        .clusters
        .iter()
        .find(|c| c.id == workload.cluster)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

fn seed_line(seed: &Seed) -> String {
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

fn summarise(args: &RollingArgs, seeds: Vec<Seed>, wall: Duration) -> Report {
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
        .filter(|s| s.role.completed && s.reenacted_role.completed)
        .map(|s| (s.reenacted_role.migrations as f64 - s.role.migrations as f64).abs())
        .collect();
    let completion_differs = seeds
        .iter()
        .filter(|s| s.role.completed != s.reenacted_role.completed)
        .map(|s| s.seed)
        .collect();
    Report {
        engine_version: args.engine_version.to_string(),
        speed: args.speed,
        max_parallel: args.max_parallel,
        wall_seconds: wall.as_secs_f64(),
        reenactment_drift: Drift {
            migrations: Stat::of(&drifts),
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

fn render(report: &Report, lang: Lang) -> String {
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
        "{} {:.1} (max {:.0}); {} {:?}",
        tr(
            lang,
            "re-enacted role against the real one, |Δ migrations| mean:",
            "再現した role と実際の role の移行数の差 (平均):"
        ),
        d.migrations.mean,
        d.migrations.max,
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
