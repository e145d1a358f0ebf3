//! `ovirt-upgrade migrate-hosts`: a cluster's hosts moved from Enterprise Linux 7 (4.3) to 8
//! (4.4), planned first (`--dry-run`), each host emptied, removed, reinstalled by the
//! administrator's hook, added back and waited for; journaled so `resume` continues it.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _};
use clap::Args;
use model::engine::{Password, SshAuthentication};
use model::ElVersion;
use orchestrator::migrate::{self, MigrateHeader, MigrateJournal, MigrateOptions, MigrateRun};
use orchestrator::TokioClock;

use super::parse_minutes;
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::report::migrate::render_plan;
use crate::report::reinstall::{reinstall_needs, ReinstallNeeds};
use crate::report::{self, print_json};
use crate::runs::clock::wall_clock;
use crate::runs::ids::RunIds;
use crate::runs::journal;
use crate::runs::reinstall::{self, Pause, Simulated};
use crate::runs::runtime::runtime;
use crate::runs::target::{SimArgs, Target};
use crate::runs::work::HostMigration;
use crate::text::tr;

/// Move a cluster's hosts to 4.4: each emptied, removed, reinstalled with Enterprise Linux 8
/// and added back, planned first, journaled and resumable.
#[derive(Debug, Args)]
#[command(after_help = "\
The plan comes first: the host order (the Manager VM's host last, another hosted-engine host
redeployed before it), every VM's destination (hosts already reinstalled, so most VMs move
once), CPU-passthrough VMs and the cluster level, which waits until every host is back. VMs
pinned to a host or unable to leave it are shut down, the host taken out of their placement
before its removal, and once it is back pinned to its new id and started again (those with host
devices are left down: attach their devices again, then start them).

A local-storage host (§1.1.9) keeps its storage: its VMs are shut down, its domains put in
maintenance and taken out of the Manager's records (the disk is not touched); the reinstall
must keep that disk and mount it at the same path (the dry run lists the commands); once the
host is back, a new first domain at /localfs brings its data center up; each old domain is then
imported in the Administration Portal (no REST call can: the run prints the fields and waits,
up to --reinstall-timeout; with --sim the simulated engine does it), and its VMs are registered
and started again.

The reinstall is yours: --reinstall-command runs `sh -c CMD` with {host} and {fqdn} replaced and
must return once the machine runs Enterprise Linux 8 (exit 0); --reinstall pause prints what to
reinstall and waits until you touch the file it names. With --sim the simulated engine
reinstalls its machines. A failed host stops the run and stays removed, its machine named;
fix it, then `ovirt-upgrade resume`.

Examples:
  ovirt-upgrade migrate-hosts --cluster Production --sim example:self-hosted-migration
  ovirt-upgrade migrate-hosts --cluster Production --sim example:self-hosted-migration --dry-run
  ovirt-upgrade migrate-hosts --cluster branch --sim example:local-storage-migration
  ovirt-upgrade migrate-hosts --cluster Production --engine https://engine.example.com/ovirt-engine/api \\
      --reinstall-command 'foreman-reinstall {fqdn}' --root-password-file /root/host-password

Exit codes: 0 every host reinstalled and back; 1 a blocker, a failed host or a stopped run;
2 an unknown cluster, a bad option or an unusable journal.")]
pub struct MigrateHostsArgs {
    /// The cluster whose hosts move.
    #[arg(long, value_name = "NAME")]
    pub cluster: String,
    /// The reinstall: `CMD {host} {fqdn}`, run once per host, returning when it is done.
    #[arg(long, value_name = "CMD", conflicts_with = "reinstall")]
    pub reinstall_command: Option<String>,
    /// `pause`: wait for the administrator to reinstall each host and touch a file.
    #[arg(long, value_name = "pause", value_parser = ["pause"])]
    pub reinstall: Option<String>,
    /// What the hosts get, for the simulated engine and the plan.
    #[arg(long, value_name = "ELX.Y", default_value = "el8.6")]
    pub os: ElVersion,
    /// The engine logs in to the reinstalled hosts as root with the password in this file;
    /// without it, by its own SSH key (put in authorized_keys by the reinstall).
    #[arg(long, value_name = "FILE")]
    pub root_password_file: Option<PathBuf>,
    /// Hosts reinstalled at once, at most.
    #[arg(long, value_name = "K", default_value = "1")]
    pub max_parallel: usize,
    /// How long a reinstall (or a local domain's import in the portal) may take before it counts as lost.
    #[arg(long, value_name = "DURATION", default_value = "2h", value_parser = parse_minutes)]
    pub reinstall_timeout: u32,
    /// Print the plan and touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The run's journal [default: in the state directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Seed of the planner's search when its first attempt finds a blocker.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// How the engine logs in to a reinstalled host: root's password from `file`, or its key.
pub fn ssh_from(file: Option<&str>) -> anyhow::Result<SshAuthentication> {
    let Some(file) = file else {
        return Ok(SshAuthentication::PublicKey);
    };
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read root's password from {file}"))
        .map_err(input_error)?;
    Ok(SshAuthentication::Password(Password::new(
        text.trim_end_matches(['\n', '\r']),
    )))
}

pub fn run(args: MigrateHostsArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let ids = RunIds::fresh();
    let target = Target::choose(&args.sim, ctx, &ids.correlation)?;
    let hook = match (&target, &args.reinstall_command, &args.reinstall) {
        (Target::Sim(_), None, None) => reinstall::SIMULATED.to_owned(),
        (_, Some(command), _) => command.clone(),
        (_, None, Some(_)) => reinstall::PAUSE.to_owned(),
        (Target::Live(_), None, None) if !args.dry_run => {
            return Err(input_error(anyhow!(
                "say how hosts are reinstalled: --reinstall-command 'CMD {{host}} {{fqdn}}' or --reinstall pause"
            )))
        }
        (Target::Live(_), None, None) => String::new(),
    };
    let inventory = target.inventory(ctx, ovirt_client::Scope::Compute)?;
    let options = MigrateOptions {
        max_parallel: args.max_parallel.max(1),
        seed: args.seed,
        os: args.os,
        reinstall_timeout_minutes: args.reinstall_timeout,
        ..MigrateOptions::default()
    };
    let plan = migrate::plan(&inventory, &args.cluster, &options)?;
    let needs = reinstall_needs(&inventory, &plan);
    drop(inventory);
    if args.dry_run || !plan.is_feasible() || plan.waves.is_empty() {
        match ctx.output {
            OutputFormat::Json => print_json(&plan)?,
            OutputFormat::Text if args.dry_run || ctx.verbosity > Verbosity::Quiet => {
                print!("{}", render_plan(&plan, ctx.lang));
                print!("{}", report::reinstall::render(&needs, ctx.lang));
            }
            OutputFormat::Text => {}
        }
        if !args.dry_run && !plan.is_feasible() {
            bail!(
                "{}",
                tr(
                    ctx.lang,
                    "the run cannot start: the plan has blockers (listed above)",
                    "実行できません: 計画にブロッカーがあります (上記)"
                )
            );
        }
        return Ok(Exit::clean(plan.is_feasible()));
    }
    let root_password_file = args
        .root_password_file
        .as_ref()
        .map(|p| p.display().to_string());
    let ssh = ssh_from(root_password_file.as_deref())?;
    let engine = target.journal_engine(&ids.run);
    let path = journal::prepare::<MigrateRun>(args.journal.as_deref(), &args.cluster, &engine)?;
    let start = wall_clock();
    let mut journal = MigrateJournal::create(
        &path,
        MigrateHeader {
            run_id: ids.run,
            engine: engine.to_string(),
            cluster_name: args.cluster.clone(),
            correlation_id: ids.correlation.clone(),
            created_ms: start.0,
            reinstall: hook.clone(),
            root_password_file,
        },
    )?;
    if ctx.says(Verbosity::Verbose) {
        eprintln!(
            "{} {}",
            tr(ctx.lang, "journal:", "ジャーナル:"),
            path.display()
        );
    }
    let summary = match target {
        Target::Sim(sim) => runtime()?.block_on(async {
            let engine = sim.engine(start);
            engine
                .simulator()
                .set_correlation_id(Some(ids.correlation.clone()));
            let reinstaller = Simulated {
                engine: &engine,
                os: args.os,
            };
            let work = HostMigration {
                journal: &mut journal,
                plan: Some(plan),
                reinstaller: &reinstaller,
                ssh,
                ctx,
            };
            crate::runs::target::EngineWork::on(work, &engine, &TokioClock::new(start, sim.speed))
                .await
        })?,
        live => carry_out_live(live, &mut journal, Some(plan), &hook, &needs, ssh, ctx)??,
    };
    Ok(report::finish(&summary, ctx, &path))
}

/// A run or resume on a live engine, with the journal's reinstall hook; a pause shows each
/// host's `needs` (none on a resume: the removed hosts' kinds are no longer in the engine).
pub fn carry_out_live(
    target: Target,
    journal: &mut MigrateJournal,
    plan: Option<migrate::MigrationPlan>,
    hook: &str,
    needs: &[ReinstallNeeds],
    ssh: SshAuthentication,
    ctx: &Context,
) -> anyhow::Result<Result<migrate::MigrateSummary, migrate::MigrateError>> {
    let start = wall_clock();
    if hook == reinstall::PAUSE {
        let folder = std::path::Path::new(journal.path()).with_extension("reinstalled");
        std::fs::create_dir_all(&folder)?;
        let reinstaller = Pause {
            folder,
            needs: needs.to_vec(),
            lang: ctx.lang,
        };
        let work = HostMigration {
            journal,
            plan,
            reinstaller: &reinstaller,
            ssh,
            ctx,
        };
        return target.carry_out(start, None, work);
    }
    let reinstaller = reinstall::Command::new(hook, ctx.lang);
    let work = HostMigration {
        journal,
        plan,
        reinstaller: &reinstaller,
        ssh,
        ctx,
    };
    target.carry_out(start, None, work)
}
