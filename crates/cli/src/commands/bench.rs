//! `ovirt-upgrade bench rolling`: our planner against the oVirt role and Xen Orchestra on
//! seeded clusters, or, with `--against-role`, against oVirt's real role on `sim serve`.
//! Numbers, not a timed test.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use model::Version;
use orchestrator::baseline::AnsiblePace;
use orchestrator::bench::{self, RunMetrics, Strategy};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::Exit;
use crate::report::bench as report;
use crate::report::bench_role as role_report;
use crate::report::print_json;
use crate::runs::bench::{on_seeds, run_one};
use crate::runs::bench_role::{self, AgainstRole};

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

pub fn run(command: BenchCommand, ctx: &Context) -> anyhow::Result<Exit> {
    let BenchCommand::Rolling(args) = command;
    if args.against_role {
        return against_role(&args, ctx);
    }
    let mut strategies = vec![
        Strategy::Planner { max_parallel: 1 },
        Strategy::Planner {
            max_parallel: args.max_parallel.max(1),
        },
        Strategy::OvirtRole {
            pace: AnsiblePace::REAL_TIME,
        },
        Strategy::XenOrchestra,
    ];
    strategies.dedup();
    let seeds: Vec<u64> = (args.first_seed..args.first_seed + args.seeds.unwrap_or(200)).collect();
    let verbose = ctx.says(Verbosity::Verbose);
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
            if verbose {
                eprintln!("{}", report::run_line(&workload, &metrics));
            }
            runs.push(metrics);
        }
        (runs, violations)
    });
    let (runs, violations): (Vec<Vec<RunMetrics>>, Vec<Vec<String>>) = per_seed.into_iter().unzip();
    let mut runs: Vec<RunMetrics> = runs.into_iter().flatten().collect();
    runs.sort_by(|a, b| (a.seed, &a.strategy).cmp(&(b.seed, &b.strategy)));
    let violations = violations.into_iter().flatten().collect();
    let report = report::build_report(
        args.first_seed,
        args.max_parallel,
        &strategies,
        runs,
        violations,
    );
    match ctx.output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Text => print!("{}", report::render(&report, ctx.lang)),
    }
    Ok(Exit::clean(report.met()))
}

fn against_role(args: &RollingArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let setup = AgainstRole {
        seeds: (args.first_seed..args.first_seed + args.seeds.unwrap_or(20)).collect(),
        jobs: args.jobs.unwrap_or(4),
        speed: args.speed,
        engine_version: args.engine_version,
        max_parallel: args.max_parallel.max(1),
        venv: args.venv.clone(),
    };
    let started = Instant::now();
    let verbose = ctx.says(Verbosity::Verbose);
    let seeds = bench_role::run(&setup, |seed| {
        if verbose {
            eprintln!("{}", role_report::seed_line(seed));
        }
    })?;
    let report = role_report::summarise(&setup, seeds, started.elapsed());
    match ctx.output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Text => print!("{}", role_report::render(&report, ctx.lang)),
    }
    Ok(Exit::clean(report.met()))
}
