//! `ovirt-upgrade compat` and `ovirt-upgrade finish`: the compatibility chain at the end of
//! every chapter of the guide. Validated first (`--dry-run` shows the plan), then carried out
//! with progress bars or a stream of JSON events, journaled so that `status` shows it and
//! `resume` continues it.

use std::path::PathBuf;

use anyhow::bail;
use clap::{ArgGroup, Args, ValueEnum};
use model::{Level, Text};
use orchestrator::chain::{
    self, ChainHeader, ChainJournal, ChainOptions, ChainPlan, ChainRun, RestartMode,
};

use super::parse_minutes;
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::Exit;
use crate::report::chain_plan::{render_plan, render_plan_brief};
use crate::report::{self, print_json};
use crate::runs::clock::wall_clock;
use crate::runs::ids::RunIds;
use crate::runs::journal;
use crate::runs::target::{SimArgs, Target};
use crate::runs::work::Chain;
use crate::text::tr;

/// Raise one cluster's or one data center's compatibility level; restart the VMs left with a
/// pending configuration.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("object").required(true).args(["cluster", "data_center"])))]
#[command(after_help = "\
Validated first, as the guide and the engine do: every active host of the cluster offers the
level, no VM previews a snapshot, no VM keeps a custom compatibility version the Manager no
longer supports, a data center never goes above its clusters, a level never goes down. Crossing
level 4.6 warns that VirtIO NICs are renamed and names the emulated machine that avoids it.
`--dry-run` prints the plan and touches nothing.

After the cluster is raised its running VMs carry a pending configuration. `--restart-vms now`
restarts them in batches (ordinary VMs first, `--batch` at a time, then each highly available VM
alone); the Manager's own VM is never restarted; each VM's downtime is measured. A VM that does
not come back is started again, and reported.

Examples:
  ovirt-upgrade compat --cluster Production --to 4.6 --sim example:demo --dry-run
  ovirt-upgrade compat --cluster Production --to 4.6 --restart-vms list
  ovirt-upgrade compat --data-center Default --to 4.6
  ovirt-upgrade compat --cluster Production --to 4.6 --engine https://engine.example.com/ovirt-engine/api

Exit codes: 0 done and verified; 1 a blocker, a refusal, a VM that did not come back, or a
pending configuration left; 2 an unknown name, a level the Manager does not offer, a level
going down, a data center above its clusters, or a bad option.")]
pub struct CompatArgs {
    /// The cluster to raise.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The data center to raise (its clusters must be at the level already).
    #[arg(long, value_name = "NAME")]
    pub data_center: Option<String>,
    /// The compatibility level to reach, such as 4.6.
    #[arg(long, value_name = "LEVEL")]
    pub to: Level,
    #[command(flatten)]
    pub chain: ChainArgs,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// The whole chain: every cluster, its VMs, then its data center, data center by data center.
#[derive(Debug, Args)]
#[command(after_help = "\
Runs `compat` for every cluster below the level (and every cluster whose VMs still wait for a
restart), then raises each data center once all its clusters are there, data center by data
center. Everything is validated before the first change. At the end it verifies the end state:
every level at the target, no VM waiting for a restart.

Examples:
  ovirt-upgrade finish --to 4.6 --sim example:demo --dry-run
  ovirt-upgrade finish --to 4.6 --batch 10
  ovirt-upgrade finish --to 4.6 --restart-vms never
  ovirt-upgrade finish --to 4.6 --engine https://engine.example.com/ovirt-engine/api

Exit codes: 0 done and verified; 1 a blocker, a refusal, a VM that did not come back, or an end
state short of the target; 2 a level the Manager does not offer, or a bad option.")]
pub struct FinishArgs {
    /// The compatibility level every cluster and data center reaches, such as 4.6.
    #[arg(long, value_name = "LEVEL")]
    pub to: Level,
    #[command(flatten)]
    pub chain: ChainArgs,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// What to do with the VMs left with a pending configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RestartVms {
    /// Restart them now, in batches.
    Now,
    /// List them; restart them yourself.
    List,
    /// Leave them; they take the level at their next restart.
    Never,
}

#[derive(Debug, Args)]
pub struct ChainArgs {
    /// What to do with the running VMs once their cluster is raised.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "now")]
    pub restart_vms: RestartVms,
    /// Ordinary VMs restarted at once; highly available ones always go one at a time.
    #[arg(long, value_name = "N", default_value = "5", value_parser = parse_batch)]
    pub batch: usize,
    /// VMs that may fail to come back before the run stops restarting and raising.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub max_failures: usize,
    /// How long one VM may take from its restart until it is up again: minutes (10m) or
    /// hours (1h).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_minutes)]
    pub restart_timeout: u32,
    /// Print the plan (stages, restarts, warnings, blockers) and touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The run's journal [default: in $XDG_STATE_HOME/ovirt-upgrade or
    /// ~/.local/state/ovirt-upgrade].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

fn parse_batch(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("a batch holds at least one VM: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a number of VMs")),
    }
}

impl ChainArgs {
    pub(crate) fn options(&self) -> ChainOptions {
        ChainOptions {
            restart: match self.restart_vms {
                RestartVms::Now => RestartMode::Now,
                RestartVms::List => RestartMode::List,
                RestartVms::Never => RestartMode::Never,
            },
            batch: self.batch,
            max_failures: self.max_failures,
            restart_timeout_minutes: self.restart_timeout,
        }
    }
}

pub fn run_compat(args: CompatArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let ids = RunIds::fresh();
    let target = Target::choose(&args.sim, ctx, &ids.correlation)?;
    let inventory = target.inventory(ctx, ovirt_client::Scope::Everything)?;
    let options = args.chain.options();
    let (plan, command, name) = match (&args.cluster, &args.data_center) {
        (Some(cluster), _) => (
            chain::plan_cluster(&inventory, cluster, args.to, &options),
            format!("compat --cluster {cluster} --to {}", args.to),
            format!("cluster-{cluster}-{}", args.to),
        ),
        (None, Some(dc)) => (
            chain::plan_data_center(&inventory, dc, args.to, &options),
            format!("compat --data-center {dc} --to {}", args.to),
            format!("data-center-{dc}-{}", args.to),
        ),
        (None, None) => unreachable!("clap requires one of them"),
    };
    execute(target, ids, plan?, &command, &name, &args.chain, ctx)
}

pub fn run_finish(args: FinishArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let ids = RunIds::fresh();
    let target = Target::choose(&args.sim, ctx, &ids.correlation)?;
    let inventory = target.inventory(ctx, ovirt_client::Scope::Everything)?;
    let plan = chain::plan_finish(&inventory, args.to, &args.chain.options())?;
    execute(
        target,
        ids,
        plan,
        &format!("finish --to {}", args.to),
        &format!("finish-{}", args.to),
        &args.chain,
        ctx,
    )
}

/// Carries `plan` out; `name` names its journal in the state directory.
fn execute(
    target: Target,
    ids: RunIds,
    plan: ChainPlan,
    command: &str,
    name: &str,
    args: &ChainArgs,
    ctx: &Context,
) -> anyhow::Result<Exit> {
    if args.dry_run {
        match ctx.output {
            OutputFormat::Json => print_json(&plan)?,
            OutputFormat::Text => print!("{}", render_plan(&plan, ctx.lang)),
        }
        return Ok(Exit::clean(plan.is_feasible()));
    }
    if !plan.is_feasible() {
        match ctx.output {
            OutputFormat::Json => print_json(&plan)?,
            OutputFormat::Text => eprint!("{}", render_plan(&plan, ctx.lang)),
        }
        bail!(
            "{}",
            tr(
                ctx.lang,
                "the chain cannot start: the plan has blockers (listed above); nothing was changed",
                "実行できません: 計画にブロッカーがあります (上記)。何も変更していません"
            )
        );
    }
    if plan.stages.is_empty() {
        if ctx.output == OutputFormat::Text && ctx.verbosity > Verbosity::Quiet {
            let target = &plan.target;
            let nothing = Text::owned(
                format!("Nothing to do: everything named is at level {target} or above, and no VM waits for a restart."),
                format!("何もすることはありません: 対象はすべて互換レベル {target} 以上で、再起動を待つ仮想マシンもありません。"),
            );
            println!("{}", nothing.get(ctx.lang));
        }
        return Ok(Exit::Success);
    }
    if ctx.says(Verbosity::Normal) {
        eprint!("{}", render_plan_brief(&plan, ctx.lang));
    }
    let engine = target.journal_engine(&ids.run);
    let path = journal::prepare::<ChainRun>(args.journal.as_deref(), name, &engine)?;
    let start = wall_clock();
    let header = ChainHeader {
        run_id: ids.run,
        engine: engine.to_string(),
        correlation_id: ids.correlation.clone(),
        created_ms: start.0,
        command: command.to_owned(),
    };
    let mut journal = ChainJournal::create(&path, header)?;
    let work = Chain {
        journal: &mut journal,
        plan: Some(plan),
        ctx,
    };
    let summary = target.carry_out(start, Some(&ids.correlation), work)??;
    Ok(report::finish(&summary, ctx, &path))
}
