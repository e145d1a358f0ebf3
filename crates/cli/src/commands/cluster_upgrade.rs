//! `ovirt-upgrade cluster-upgrade`: the rolling upgrade of a cluster's hosts, planned up front
//! (`--dry-run` shows the plan), carried out with progress bars or a stream of JSON events,
//! journaled so that `resume` continues it and `status` shows it.

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use clap::Args;
use model::Inventory;
use orchestrator::journal::{ClusterRun, RunHeader};
use orchestrator::{Journal, Options, PinnedPolicy};

use super::parse_minutes;
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::report::rolling_plan::render_plan;
use crate::report::{self, print_json};
use crate::runs::clock::wall_clock;
use crate::runs::ids::RunIds;
use crate::runs::journal;
use crate::runs::target::{SimArgs, Target};
use crate::runs::work::Rolling;
use crate::text::tr;

/// Upgrade every host of a cluster, rolling: planned first, migrating each VM once where
/// the cluster allows, resumable.
#[derive(Debug, Args)]
#[command(after_help = "\
The plan comes first: host order in waves, every VM's destination (VMs go to hosts already
upgraded, so most move once), the pinned VMs to stop, and every blocker, before anything is
touched. `--dry-run` prints it. The run journals every step; `ovirt-upgrade status` shows where it
stands and `ovirt-upgrade resume` continues it after a crash, a kill or Ctrl-C.

Examples:
  ovirt-upgrade cluster-upgrade --cluster Production --sim
  ovirt-upgrade cluster-upgrade --cluster Production --sim --dry-run --max-parallel 2
  ovirt-upgrade cluster-upgrade --cluster compute --sim example:pinned-and-ha --skip-pinned-hosts
  ovirt-upgrade cluster-upgrade --cluster Production --sim --sim-faults install-fail:prod-host02
  ovirt-upgrade cluster-upgrade --cluster Production --sim --output json

Exit codes: 0 every planned host upgraded; 1 a blocker, a failed host, or a stopped run; 2 an
unknown cluster or host, a bad option, or an unusable journal.")]
pub struct ClusterUpgradeArgs {
    /// The cluster to upgrade [default: the only cluster, when there is one].
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Only these hosts (names, comma-separated).
    #[arg(long, value_name = "HOST,...", value_delimiter = ',')]
    pub hosts: Vec<String>,
    /// Shut pinned VMs down gracefully and start them again as soon as their own host is back
    /// (the default, as in the Administration Portal's wizard).
    #[arg(long, conflicts_with = "skip_pinned_hosts")]
    pub stop_pinned_vms: bool,
    /// Leave hosts that run pinned VMs alone instead.
    #[arg(long)]
    pub skip_pinned_hosts: bool,
    /// How long one host may take from its upgrade until it is back: minutes (60m, 90) or
    /// hours (2h).
    #[arg(long, value_name = "DURATION", default_value = "60m", value_parser = parse_minutes)]
    pub timeout: u32,
    /// Ask every host for updates first; otherwise only hosts the engine already flags are
    /// upgraded (the others are listed as skipped).
    #[arg(long)]
    pub check_upgrade: bool,
    /// Do not reboot hosts after their packages are updated.
    #[arg(long)]
    pub no_reboot: bool,
    /// Keep the cluster's scheduling policy instead of `cluster_maintenance` for the run.
    #[arg(long)]
    pub no_maintenance_policy: bool,
    /// Hosts upgraded at once, at most; waves of several hosts are planned only where the
    /// others provably hold every VM with headroom.
    #[arg(long, value_name = "K", default_value = "1", value_parser = parse_parallel)]
    pub max_parallel: usize,
    /// Hosts that may fail before the run stops starting new ones.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub max_failures: usize,
    /// Print the plan (waves, each VM's moves, predicted migrations and duration, blockers)
    /// and touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The run's journal [default: in $XDG_STATE_HOME/ovirt-upgrade or
    /// ~/.local/state/ovirt-upgrade].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Seed of the planner's search when its first attempt finds a blocker.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub sim: SimArgs,
}

fn parse_parallel(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("at least one host must be upgraded at a time: give 1 or more".into()),
        Ok(k) => Ok(k),
        Err(_) => Err(format!("`{text}` is not a number of hosts")),
    }
}

impl ClusterUpgradeArgs {
    fn options(&self) -> Options {
        Options {
            hosts: self.hosts.clone(),
            pinned: if self.skip_pinned_hosts {
                PinnedPolicy::SkipHost
            } else {
                PinnedPolicy::StopAndRestart
            },
            host_timeout_minutes: self.timeout,
            check_upgrade: self.check_upgrade,
            reboot: !self.no_reboot,
            use_maintenance_policy: !self.no_maintenance_policy,
            max_parallel: self.max_parallel,
            max_failures: self.max_failures,
            seed: self.seed,
            ..Options::default()
        }
    }
}

/// The cluster named, or the only one.
fn pick_cluster(
    inventory: &Inventory,
    named: Option<&str>,
) -> anyhow::Result<(model::ClusterId, String)> {
    let name = match named {
        Some(name) => name.to_owned(),
        None => match inventory.clusters.as_slice() {
            [only] => only.name.clone(),
            clusters => {
                let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
                return Err(input_error(anyhow!(
                    "name the cluster to upgrade with --cluster (clusters: {})",
                    names.join(", ")
                )));
            }
        },
    };
    let id = orchestrator::find_cluster(inventory, &name)?;
    Ok((id, name))
}

pub fn run(args: ClusterUpgradeArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let ids = RunIds::fresh();
    let target = Target::choose(&args.sim, ctx, &ids.correlation)?;
    let inventory = target.inventory(ctx, ovirt_client::Scope::Compute)?;
    let (cluster, cluster_name) = pick_cluster(&inventory, args.cluster.as_deref())?;
    let options = args.options();
    let plan = orchestrator::plan(&inventory, cluster, &options)?;
    drop(inventory);
    if args.dry_run {
        match ctx.output {
            OutputFormat::Json => print_json(&plan)?,
            OutputFormat::Text => {
                print!("{}", render_plan(&plan, &options, ctx.lang, ctx.verbosity))
            }
        }
        return Ok(Exit::clean(plan.is_feasible()));
    }
    if !plan.is_feasible() {
        match ctx.output {
            OutputFormat::Json => print_json(&plan)?,
            OutputFormat::Text => eprint!(
                "{}",
                render_plan(&plan, &options, ctx.lang, Verbosity::Quiet)
            ),
        }
        bail!(
            "{}",
            tr(
                ctx.lang,
                "the run cannot start: the plan has blockers (listed above)",
                "実行できません: 計画にブロッカーがあります (上記)"
            )
        );
    }
    if plan.waves.is_empty() {
        if ctx.output == OutputFormat::Json {
            print_json(&plan)?;
        } else if ctx.verbosity > Verbosity::Quiet {
            print!("{}", render_plan(&plan, &options, ctx.lang, ctx.verbosity));
            println!(
                "{}",
                tr(
                    ctx.lang,
                    "Nothing to upgrade.",
                    "アップグレードするホストはありません。"
                )
            );
        }
        return Ok(Exit::Success);
    }
    let engine = target.journal_engine(&ids.run);
    let path = journal::prepare::<ClusterRun>(args.journal.as_deref(), &cluster_name, &engine)?;
    let start = wall_clock();
    let header = RunHeader {
        run_id: ids.run,
        engine: engine.to_string(),
        cluster,
        cluster_name,
        correlation_id: ids.correlation.clone(),
        created_ms: start.0,
        options,
    };
    let mut journal = Journal::create(&path, header)?;
    if ctx.says(Verbosity::Verbose) {
        eprintln!(
            "{} {}",
            tr(ctx.lang, "journal:", "ジャーナル:"),
            path.display()
        );
    }
    let work = Rolling {
        journal: &mut journal,
        plan: Some(plan),
        ctx,
    };
    let summary = target.carry_out(start, Some(&ids.correlation), work)??;
    Ok(report::finish(&summary, ctx, &path))
}
