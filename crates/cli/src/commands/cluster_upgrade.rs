//! `ovirt-upgrade cluster-upgrade`, `resume` and `status`: the rolling upgrade of a cluster's
//! hosts, planned up front (`--dry-run` shows the plan), carried out with progress bars or a
//! stream of JSON events, journaled so that it can be resumed and inspected.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context as _};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use model::rng::Rng;
use model::{Inventory, Lang, PackageVersion, Timestamp, Uuid};
use orchestrator::event::{HostPhase, NeedsAttention, PolicyReason};
use orchestrator::journal::{Journal, RunHeader};
use orchestrator::state::{RunPhase, RunStatus};
use orchestrator::{
    EventSink, Options, PinnedPolicy, Plan, RunEvent, StopSignal, Summary, TokioClock,
};
use ovirt_sim::{Faults, SimConfig, SimEngine, Simulator};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::input_error;
use crate::text::{gib, section, table, tr};

/// How much faster than real time the simulated engine runs by default: a 25-minute host
/// upgrade takes 2.5 seconds.
pub(crate) const DEFAULT_SIM_SPEED: f64 = 600.0;
/// Names of the journals in the state directory.
const JOURNAL_PREFIX: &str = "cluster-upgrade-";
/// What an in-process simulated engine is called in a journal; it ends with its process.
pub(crate) const IN_PROCESS: &str = "in-process simulated engine";

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

/// The simulated engine, built in: the embedded default when no engine is named.
#[derive(Debug, Args)]
#[command(next_help_heading = "Simulated engine")]
pub struct SimArgs {
    /// Run against the simulated engine loaded with ENVIRONMENT: a scenario (.toml), an
    /// inventory (.json) or example:NAME [default: example:self-hosted].
    #[arg(long, value_name = "ENVIRONMENT", num_args = 0..=1, default_missing_value = "")]
    pub sim: Option<String>,
    /// How many times faster than real time the simulated engine runs.
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_SIM_SPEED)]
    pub sim_speed: f64,
    /// Faults for the simulated engine to inject, such as
    /// install-fail:HOST,never-return:HOST,migration-fail:VM,random:0.05,unavailable:0.02
    /// (and for the compatibility chain start-fail:VM,refuse-level:NAME,install-fail-once:HOST).
    #[arg(long, value_name = "FAULTS")]
    pub sim_faults: Option<String>,
    /// Seed of the simulated engine's random choices.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    pub sim_seed: u64,
}

/// Continue a cluster upgrade or a compatibility chain after a crash, a kill or Ctrl-C.
#[derive(Debug, Args)]
#[command(after_help = "\
The journal is replayed and every step whose outcome it does not know is settled by asking the
engine what it says now; nothing destructive is repeated blindly. A journal written against
another engine or cluster is refused.

Exit codes: 0 every planned host upgraded; 1 a failed host or a stopped run; 2 no journal, or
a journal that cannot be resumed here.")]
pub struct ResumeArgs {
    /// The run's journal [default: the newest in the state directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// Show where a cluster upgrade or a compatibility chain stands, from its journal.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The run's journal [default: the newest in the state directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

pub(crate) fn parse_minutes(text: &str) -> Result<u32, String> {
    let error =
        || format!("`{text}` is not a duration: write minutes like 60m or 90, or hours like 2h");
    let (number, factor) = match text.trim() {
        t if t.ends_with('h') => (&t[..t.len() - 1], 60),
        t if t.ends_with('m') => (&t[..t.len() - 1], 1),
        t => (t, 1),
    };
    let minutes = number
        .trim()
        .parse::<u32>()
        .map_err(|_| error())?
        .checked_mul(factor)
        .ok_or_else(error)?;
    if minutes == 0 {
        return Err("a host needs more than no time: give at least 1m".into());
    }
    Ok(minutes)
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

/// The engine a run talks to: a real one (or `sim serve`) through the HTTP client, or the
/// simulated engine in-process.
pub(crate) enum Target {
    Live(crate::live::Live),
    Sim(Box<SimTarget>),
}

impl Target {
    /// A named engine (`--engine` or OVIRT_URL) unless `--sim` asks for the simulated one.
    pub(crate) fn choose(
        sim: &SimArgs,
        ctx: &Context,
        correlation_id: &str,
    ) -> anyhow::Result<Target> {
        if let (None, Some(url)) = (&sim.sim, crate::live::engine_url(ctx)) {
            return Ok(Target::Live(crate::live::connect_for_run(
                ctx,
                url,
                correlation_id,
            )?));
        }
        SimTarget::choose(sim).map(|sim| Target::Sim(Box::new(sim)))
    }

    /// The environment as the run starts from it: read from the engine, or the scenario's.
    pub(crate) fn inventory(
        &self,
        ctx: &Context,
        scope: ovirt_client::Scope,
    ) -> anyhow::Result<Inventory> {
        match self {
            Target::Live(live) => live.read_inventory(ctx, scope),
            Target::Sim(sim) => Ok(sim.inventory.clone()),
        }
    }

    /// Who a journal belongs to: the engine's URL, or the in-process run (never resumable).
    pub(crate) fn journal_engine(&self, run_id: &str) -> String {
        match self {
            Target::Live(live) => live.client.url().to_owned(),
            Target::Sim(sim) => format!("{IN_PROCESS} ({}), run {run_id}", sim.spec),
        }
    }
}

/// Why a journal of an in-process run cannot be resumed, and what to do instead.
pub(crate) fn refuse_in_process_resume(path: &Path, lang: Lang) -> anyhow::Error {
    let shown = path.display();
    input_error(anyhow!(match lang {
        Lang::En => format!(
            "journal {shown} was written against an {IN_PROCESS}, which ended with its process; runs against an engine that outlives ovirt-upgrade (a real one, or `ovirt-upgrade sim serve` through --engine) can be resumed; `ovirt-upgrade status --journal {shown}` shows where it stood"
        ),
        Lang::Ja => format!(
            "ジャーナル {shown} はプロセス内のシミュレーションエンジンに対する実行で、エンジンはプロセスとともに終了しました。再開できるのは ovirt-upgrade より長く生きるエンジン (実エンジン、または --engine で接続する `ovirt-upgrade sim serve`) に対する実行です。`ovirt-upgrade status --journal {shown}` で状況を確認できます"
        ),
    }))
}

/// The journal's engine for `resume`, unless --engine names another (which the journal's own
/// check then refuses), logged in with the run's correlation id.
pub(crate) fn connect_for_resume(
    ctx: &Context,
    journal_engine: &str,
    correlation_id: &str,
) -> anyhow::Result<crate::live::Live> {
    let url = crate::live::engine_url(ctx)
        .unwrap_or(journal_engine)
        .to_owned();
    crate::live::connect_for_run(ctx, &url, correlation_id)
}

/// The simulated engine, loaded with an environment.
pub(crate) struct SimTarget {
    pub(crate) spec: String,
    pub(crate) inventory: Inventory,
    faults: Faults,
    pub(crate) speed: f64,
    seed: u64,
}

impl SimTarget {
    pub(crate) fn choose(sim: &SimArgs) -> anyhow::Result<SimTarget> {
        let spec = match sim.sim.as_deref() {
            None | Some("") => format!("example:{}", scenario::default_example().name),
            Some(spec) => spec.to_owned(),
        };
        let inventory =
            scenario::load(&spec).with_context(|| format!("cannot load the environment {spec}"))?;
        let faults: Faults = sim
            .sim_faults
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(input_error)?;
        if !(sim.sim_speed > 0.0 && sim.sim_speed.is_finite()) {
            return Err(input_error(anyhow!(
                "--sim-speed must be a positive factor, such as 600"
            )));
        }
        Ok(SimTarget {
            spec,
            inventory,
            faults,
            speed: sim.sim_speed,
            seed: sim.sim_seed,
        })
    }

    /// The simulated engine, with newer host packages published so `--check-upgrade` finds them.
    pub(crate) fn engine(&self, start: Timestamp) -> SimEngine {
        let mut simulator = Simulator::new(
            self.inventory.clone(),
            SimConfig::default(),
            self.faults.clone(),
            self.seed,
            start,
        );
        if let Some(update) = newer_vdsm(&self.inventory) {
            simulator.publish_host_update(update);
        }
        SimEngine::new(simulator, self.speed, self.seed)
    }
}

/// A vdsm one step newer than the newest installed (`4.30.51-1.el7ev` → `4.30.51.1-1.el7ev`).
pub(crate) fn newer_vdsm(inventory: &Inventory) -> Option<PackageVersion> {
    let newest = inventory
        .hosts
        .iter()
        .filter_map(|h| h.packages.get("vdsm"))
        .max()?;
    let (version, release) = newest
        .as_str()
        .split_once('-')
        .unwrap_or((newest.as_str(), "1"));
    Some(PackageVersion::new(format!("{version}.1-{release}")))
}

pub(crate) fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    Timestamp::from_millis(millis)
}

/// A run id and correlation id nobody else has: from the time and the process.
pub(crate) fn fresh_ids() -> (String, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = Rng::new(nanos ^ u64::from(std::process::id()).rotate_left(32));
    let run = Uuid::from_random_bits(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()));
    let correlation = format!("ovirt-upgrade-{:016x}", rng.next_u64());
    (run.to_string(), correlation)
}

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
                bail!(
                    "name the cluster to upgrade with --cluster (clusters: {})",
                    names.join(", ")
                );
            }
        },
    };
    let id = orchestrator::find_cluster(inventory, &name)?;
    Ok((id, name))
}

/// `$XDG_STATE_HOME/ovirt-upgrade`, else `~/.local/state/ovirt-upgrade`.
pub(crate) fn state_directory() -> anyhow::Result<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })
        .context("neither XDG_STATE_HOME nor HOME is set; name the journal with --journal FILE")?;
    Ok(base.join("ovirt-upgrade"))
}

pub(crate) fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The newest journal in the state directory, for `resume` and `status` without `--journal`.
fn newest_journal() -> anyhow::Result<PathBuf> {
    let dir = state_directory()?;
    let entries = std::fs::read_dir(&dir).map_err(|_| {
        input_error(anyhow!(
            "no journal in {}: no cluster upgrade or compatibility chain has run here; name one with --journal FILE",
            dir.display()
        ))
    })?;
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            [JOURNAL_PREFIX, super::compat::JOURNAL_PREFIX]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                && name.ends_with(".sqlite")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
        .ok_or_else(|| {
            input_error(anyhow!(
                "no journal in {}: no cluster upgrade or compatibility chain has run here; name one with --journal FILE",
                dir.display()
            ))
        })
}

/// Where a new run journals. A journal already there from a finished run (or from an
/// in-process simulation, which can never be resumed) is moved aside; an unfinished one of a
/// real engine must be resumed first.
/// Where a run's journal goes unless --journal says: the state directory, one file per
/// cluster or chain (`prefix` tells the kinds apart), in-process runs apart from live ones.
pub(crate) fn default_journal(
    prefix: &str,
    name: &str,
    in_process: bool,
) -> anyhow::Result<PathBuf> {
    let kind = if in_process { "sim-" } else { "" };
    Ok(state_directory()?.join(format!("{prefix}{kind}{}.sqlite", slug(name))))
}

fn prepare_journal(
    path: Option<&Path>,
    cluster: &str,
    in_process: bool,
) -> anyhow::Result<PathBuf> {
    let path = match path {
        Some(path) => path.to_owned(),
        None => default_journal(JOURNAL_PREFIX, cluster, in_process)?,
    };
    if !path.exists() {
        return Ok(path);
    }
    let journal = Journal::open(&path).map_err(input_error)?;
    let status =
        RunStatus::from_journal(journal.header(), &journal.entries().map_err(input_error)?);
    let resumable = !journal.header().engine.starts_with(IN_PROCESS);
    if status.state != RunPhase::Finished && resumable {
        return Err(input_error(anyhow!(
            "journal {} holds an unfinished run of cluster {}; `ovirt-upgrade resume --journal {}` continues it, or move the file away to start afresh",
            path.display(),
            status.cluster,
            path.display()
        )));
    }
    drop(journal);
    let aside = path.with_extension(format!(
        "{}.sqlite",
        &status.run_id[..8.min(status.run_id.len())]
    ));
    std::fs::rename(&path, &aside)
        .with_context(|| format!("cannot move the old journal {} aside", path.display()))?;
    Ok(path)
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run(args: ClusterUpgradeArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let (run_id, correlation_id) = fresh_ids();
    let target = Target::choose(&args.sim, ctx, &correlation_id)?;
    let inventory = target.inventory(ctx, ovirt_client::Scope::Compute)?;
    let (cluster, cluster_name) =
        pick_cluster(&inventory, args.cluster.as_deref()).map_err(input_error)?;
    let options = args.options();
    let plan = orchestrator::plan(&inventory, cluster, &options).map_err(input_error)?;
    drop(inventory);
    if args.dry_run {
        match ctx.output {
            OutputFormat::Json => super::print_json(&plan)?,
            OutputFormat::Text => {
                print!("{}", render_plan(&plan, &options, ctx.lang, ctx.verbosity))
            }
        }
        return Ok(if plan.is_feasible() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_FINDINGS)
        });
    }
    if !plan.is_feasible() {
        if ctx.output == OutputFormat::Json {
            super::print_json(&plan)?;
        } else {
            eprint!(
                "{}",
                render_plan(&plan, &options, ctx.lang, Verbosity::Quiet)
            );
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
            super::print_json(&plan)?;
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
        return Ok(ExitCode::SUCCESS);
    }
    let in_process = matches!(target, Target::Sim(_));
    let path = prepare_journal(args.journal.as_deref(), &cluster_name, in_process)?;
    let start = wall_clock();
    let header = RunHeader {
        run_id: run_id.clone(),
        engine: target.journal_engine(&run_id),
        cluster,
        cluster_name: cluster_name.clone(),
        correlation_id,
        created_ms: start.0,
        options: options.clone(),
    };
    let mut journal = Journal::create(&path, header).map_err(input_error)?;
    if ctx.says(Verbosity::Verbose) {
        eprintln!(
            "{} {}",
            tr(ctx.lang, "journal:", "ジャーナル:"),
            path.display()
        );
    }
    let summary = match target {
        Target::Live(live) => {
            let summary = live.runtime.block_on(async {
                // A real engine runs in real time.
                let clock = TokioClock::new(start, 1.0);
                let sink = Renderer::new(ctx, &plan);
                let stop = Arc::new(StopSignal::new());
                watch_ctrl_c(stop.clone(), sink.printer(), stopping_message(ctx.lang));
                let result =
                    orchestrator::run(&live.client, &clock, &mut journal, plan, &sink, &stop).await;
                sink.close();
                result
            });
            summary?
        }
        Target::Sim(sim) => runtime()?.block_on(async {
            let engine = sim.engine(start);
            engine
                .simulator()
                .set_correlation_id(Some(journal.header().correlation_id.clone()));
            let clock = TokioClock::new(start, sim.speed);
            let sink = Renderer::new(ctx, &plan);
            let stop = Arc::new(StopSignal::new());
            watch_ctrl_c(stop.clone(), sink.printer(), stopping_message(ctx.lang));
            let result = orchestrator::run(&engine, &clock, &mut journal, plan, &sink, &stop).await;
            sink.close();
            result
        })?,
    };
    finish(&summary, ctx, Some(&path))
}

pub fn resume(args: ResumeArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let path = match args.journal {
        Some(path) => path,
        None => newest_journal()?,
    };
    if let Some(chain) = super::compat::chain_journal(&path)? {
        return super::compat::resume(chain, &path, ctx);
    }
    let mut journal = Journal::open(&path).map_err(input_error)?;
    let header = journal.header().clone();
    let shown = path.display();
    if header.engine.starts_with(IN_PROCESS) {
        return Err(refuse_in_process_resume(&path, ctx.lang));
    }
    let live = connect_for_resume(ctx, &header.engine, &header.correlation_id)?;
    journal
        .check_target(live.client.url(), header.cluster, &header.cluster_name)
        .map_err(input_error)?;
    let state =
        orchestrator::state::RunState::from_entries(&journal.entries().map_err(input_error)?);
    let Some(plan) = state.plan else {
        return Err(input_error(orchestrator::ExecuteError::NoPlan {
            path: shown.to_string(),
        }));
    };
    let summary = live.runtime.block_on(async {
        let clock = TokioClock::new(wall_clock(), 1.0);
        let sink = Renderer::new(ctx, &plan);
        let stop = Arc::new(StopSignal::new());
        watch_ctrl_c(stop.clone(), sink.printer(), stopping_message(ctx.lang));
        let result = orchestrator::resume(&live.client, &clock, &mut journal, &sink, &stop).await;
        sink.close();
        result
    });
    finish(&summary.map_err(input_error)?, ctx, Some(&path))
}

pub fn status(args: StatusArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let path = match args.journal {
        Some(path) => path,
        None => newest_journal()?,
    };
    if let Some(chain) = super::compat::chain_journal(&path)? {
        return super::compat::status(&chain, &path, ctx);
    }
    let journal = Journal::open(&path).map_err(input_error)?;
    let status =
        RunStatus::from_journal(journal.header(), &journal.entries().map_err(input_error)?);
    match ctx.output {
        OutputFormat::Json => super::print_json(&status)?,
        OutputFormat::Text => print!("{}", render_status(&status, &path, ctx.lang)),
    }
    Ok(ExitCode::SUCCESS)
}

/// First Ctrl-C: stop starting new work and let what is under way finish (`telling` says
/// what that means for the run, printed through `say`). Second: leave at once; the journal
/// holds the run.
/// What Ctrl-C during a rolling upgrade does.
fn stopping_message(lang: Lang) -> &'static str {
    tr(
        lang,
        "stopping: hosts already upgrading finish and the cluster is put back; Ctrl-C again leaves at once",
        "停止します: アップグレード中のホストを完了させ、クラスターを元に戻します。もう一度 Ctrl-C ですぐに終了します",
    )
}

pub(crate) fn watch_ctrl_c(
    stop: Arc<StopSignal>,
    say: impl Fn(&str) + Send + 'static,
    telling: &'static str,
) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        stop.stop();
        say(telling);
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

fn finish(summary: &Summary, ctx: &Context, journal: Option<&Path>) -> anyhow::Result<ExitCode> {
    // The summary is what the command was asked for: printed even with -q.
    if ctx.output == OutputFormat::Text {
        print!("{}", render_summary(summary, ctx.lang));
        if let Some(path) = journal.filter(|_| !summary.is_clean()) {
            println!(
                "{} {}",
                tr(ctx.lang, "journal:", "ジャーナル:"),
                path.display()
            );
        }
    }
    Ok(if summary.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}

// ----- rendering -----

/// `1 h 21 min`, `16 min`, `45 s`.
pub(crate) fn duration(seconds: u64, lang: Lang) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (lang, h, m) {
        (Lang::En, 0, 0) => format!("{s} s"),
        (Lang::En, 0, _) => format!("{m} min"),
        (Lang::En, _, _) => format!("{h} h {m} min"),
        (Lang::Ja, 0, 0) => format!("{s} 秒"),
        (Lang::Ja, 0, _) => format!("{m} 分"),
        (Lang::Ja, _, _) => format!("{h} 時間 {m} 分"),
    }
}

/// The plan as the dry run prints it.
pub fn render_plan(plan: &Plan, options: &Options, lang: Lang, verbosity: Verbosity) -> String {
    let mut out = String::new();
    let p = &plan.prediction;
    let at_once = match (lang, options.max_parallel, p.max_hosts_out) {
        (Lang::En, k, out) if k <= 1 || out <= 1 => "one host at a time".to_owned(),
        (Lang::En, k, out) if out == k => format!("up to {k} hosts at a time"),
        (Lang::En, k, out) => format!("up to {out} hosts at a time ({k} allowed)"),
        (Lang::Ja, k, out) if k <= 1 || out <= 1 => "1 台ずつ".to_owned(),
        (Lang::Ja, k, out) if out == k => format!("同時に最大 {k} 台"),
        (Lang::Ja, k, out) => format!("同時に最大 {out} 台 ({k} 台まで許可)"),
    };
    let moves = match (lang, p.migrations, p.vms_moving_twice) {
        (Lang::En, 0, _) => "no migrations".to_owned(),
        (Lang::En, m, 0) => format!("{m} migrations of {} VMs: each moves once", p.vms_moved),
        (Lang::En, m, twice) => format!(
            "{m} migrations of {} VMs: {:.2} per VM moved; {twice} move twice (the first wave has no upgraded host to send them to)",
            p.vms_moved,
            p.migrations_per_moved_vm()
        ),
        (Lang::Ja, 0, _) => "移行なし".to_owned(),
        (Lang::Ja, m, 0) => format!("移行 {m} 回、VM {} 台: すべて 1 回ずつ", p.vms_moved),
        (Lang::Ja, m, twice) => format!(
            "移行 {m} 回、VM {} 台: 移行する VM 1 台あたり {:.2} 回。{twice} 台は 2 回移行 (最初のウェーブには送り先となる更新済みホストがないため)",
            p.vms_moved,
            p.migrations_per_moved_vm()
        ),
    };
    match lang {
        Lang::En => {
            let _ = writeln!(
                out,
                "Cluster {}: {} hosts in {} waves, {at_once}",
                plan.cluster_name, p.hosts, p.waves
            );
            let _ = writeln!(out, "  {moves}");
            match p.vms_stopped {
                0 => {}
                1 => {
                    let _ = writeln!(
                        out,
                        "  1 pinned VM shut down and started again as soon as its own host is back"
                    );
                }
                n => {
                    let _ = writeln!(out, "  {n} pinned VMs shut down and started again as soon as their own host is back");
                }
            }
            let _ = writeln!(
                out,
                "  predicted duration {}",
                duration(p.duration_seconds, lang)
            );
        }
        Lang::Ja => {
            let _ = writeln!(
                out,
                "クラスター {}: ホスト {} 台を {} ウェーブで、{at_once}",
                plan.cluster_name, p.hosts, p.waves
            );
            let _ = writeln!(out, "  {moves}");
            if p.vms_stopped > 0 {
                let _ = writeln!(
                    out,
                    "  固定 VM {} 台を停止し、自分のホストが戻り次第起動",
                    p.vms_stopped
                );
            }
            let _ = writeln!(out, "  予測所要時間 {}", duration(p.duration_seconds, lang));
        }
    }
    if verbosity > Verbosity::Quiet {
        for (w, wave) in plan.waves.iter().enumerate() {
            let names: Vec<&str> = wave.hosts.iter().map(|s| s.name.as_str()).collect();
            let longest = wave
                .hosts
                .iter()
                .map(|s| s.predicted_seconds)
                .max()
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "\n{} {}  {}  {}",
                tr(lang, "Wave", "ウェーブ"),
                w + 1,
                names.join(", "),
                duration(longest, lang)
            );
            let mut rows = Vec::new();
            for step in &wave.hosts {
                if step.in_place {
                    rows.push(vec![
                        tr(lang, "in place", "その場で").to_owned(),
                        step.name.clone(),
                        String::new(),
                        tr(
                            lang,
                            "already in maintenance; left in maintenance",
                            "すでにメンテナンス中。メンテナンスのまま",
                        )
                        .to_owned(),
                    ]);
                }
                for m in &step.migrations {
                    let mut route = format!("{} → {}", step.name, m.to_name);
                    if m.moves_again {
                        route.push_str(tr(lang, "  (moves again later)", "  (後でもう一度移行)"));
                    }
                    rows.push(vec![
                        tr(lang, "migrate", "移行").to_owned(),
                        m.vm_name.clone(),
                        gib(m.memory),
                        route,
                    ]);
                }
                for s in &step.stops {
                    let when = match lang {
                        Lang::En => format!("shut down, started again when {} is back", step.name),
                        Lang::Ja => format!("シャットダウンし、{} が戻ったら起動", step.name),
                    };
                    rows.push(vec![
                        tr(lang, "stop", "停止").to_owned(),
                        s.name.clone(),
                        gib(s.memory),
                        when,
                    ]);
                }
            }
            for line in table(&rows).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    section(
        &mut out,
        tr(lang, "Skipped", "スキップ"),
        plan.skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason.message().get(lang)))
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Notices", "注意"),
        plan.notices
            .iter()
            .map(|n| n.message().into_lang(lang).into_owned())
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Blockers", "ブロッカー"),
        plan.blockers
            .iter()
            .map(|b| b.message().into_lang(lang).into_owned())
            .collect(),
    );
    let verdict = match (plan.is_feasible(), lang) {
        (true, Lang::En) => "\nNo blockers: the same command without --dry-run carries it out.",
        (true, Lang::Ja) => "\nブロッカーなし: --dry-run を外すと実行します。",
        (false, Lang::En) => "\nThe run cannot start until the blockers are dealt with.",
        (false, Lang::Ja) => "\nブロッカーを解消するまで実行できません。",
    };
    let _ = writeln!(out, "{verdict}");
    out
}

pub fn render_summary(summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    let outcome = summary.outcome.message().into_lang(lang);
    let took = duration(summary.duration_seconds, lang);
    let planned = duration(summary.predicted_seconds, lang);
    match lang {
        Lang::En => {
            let _ = writeln!(
                out,
                "Cluster {}: {outcome}, in {took} (planned {planned})",
                summary.cluster
            );
        }
        Lang::Ja => {
            let _ = writeln!(
                out,
                "クラスター {}: {outcome}、所要 {took} (計画 {planned})",
                summary.cluster
            );
        }
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let upgraded: Vec<String> = summary
        .upgraded
        .iter()
        .map(|u| format!("{} ({})", u.host, duration(u.seconds, lang)))
        .collect();
    rows.push(vec![
        tr(lang, "upgraded", "アップグレード済み").into(),
        summary.upgraded.len().to_string(),
        upgraded.join(", "),
    ]);
    let skipped: Vec<String> = summary.skipped.iter().map(|s| s.host.clone()).collect();
    rows.push(vec![
        tr(lang, "skipped", "スキップ").into(),
        summary.skipped.len().to_string(),
        skipped.join(", "),
    ]);
    let failed: Vec<String> = summary.failed.iter().map(|f| f.host.clone()).collect();
    rows.push(vec![
        tr(lang, "failed", "失敗").into(),
        summary.failed.len().to_string(),
        failed.join(", "),
    ]);
    if !summary.not_started.is_empty() {
        rows.push(vec![
            tr(lang, "not started", "未着手").into(),
            summary.not_started.len().to_string(),
            summary.not_started.join(", "),
        ]);
    }
    let migrations = match lang {
        Lang::En => format!(
            "of {} VMs, {:.2} per VM moved, at most {} for one VM",
            summary.vms_moved,
            summary.migrations_per_moved_vm(),
            summary.max_migrations_of_a_vm
        ),
        Lang::Ja => format!(
            "VM {} 台、移行した VM 1 台あたり {:.2} 回、1 台で最大 {} 回",
            summary.vms_moved,
            summary.migrations_per_moved_vm(),
            summary.max_migrations_of_a_vm
        ),
    };
    rows.push(vec![
        tr(lang, "migrations", "移行").into(),
        summary.migrations.to_string(),
        migrations,
    ]);
    let downtime: Vec<String> = summary
        .vm_downtime
        .iter()
        .map(|d| match &d.still_down {
            None => format!("{} {}", d.vm, duration(d.seconds, lang)),
            Some(why) => format!(
                "{} {} ({})",
                d.vm,
                tr(lang, "still down", "停止のまま"),
                why
            ),
        })
        .collect();
    rows.push(vec![
        tr(lang, "VM downtime", "VM 停止時間").into(),
        summary.vm_downtime.len().to_string(),
        downtime.join(", "),
    ]);
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(policy) = summary.policy_restored {
        let _ = writeln!(
            out,
            "  {} {policy}",
            tr(
                lang,
                "scheduling policy restored to",
                "スケジューリングポリシーを戻しました:"
            )
        );
    }
    // A failed host out of service is told once, with its state, under "needs attention".
    let attention: Vec<&str> = summary
        .needs_attention
        .iter()
        .map(|a| a.host.as_str())
        .collect();
    for failed in summary
        .failed
        .iter()
        .filter(|f| !attention.contains(&f.host.as_str()))
    {
        let _ = writeln!(
            out,
            "  {} {}: {}",
            tr(lang, "failed:", "失敗:"),
            failed.host,
            failed.failure.message().get(lang)
        );
    }
    for NeedsAttention { host, status, why } in &summary.needs_attention {
        let _ = writeln!(
            out,
            "  {} {host} ({status}): {why}",
            tr(lang, "needs attention:", "要対応:")
        );
    }
    out
}

fn render_status(status: &RunStatus, path: &Path, lang: Lang) -> String {
    let mut out = String::new();
    let state = match (status.state, lang) {
        (RunPhase::Planned, Lang::En) => "planned, not started",
        (RunPhase::Planned, Lang::Ja) => "計画のみ、未開始",
        (RunPhase::Interrupted, Lang::En) => "interrupted: `ovirt-upgrade resume` goes on",
        (RunPhase::Interrupted, Lang::Ja) => "中断: `ovirt-upgrade resume` で続行します",
        (RunPhase::Finished, Lang::En) => "finished",
        (RunPhase::Finished, Lang::Ja) => "終了",
    };
    let rows = vec![
        vec![
            tr(lang, "journal", "ジャーナル").to_owned(),
            path.display().to_string(),
        ],
        vec![
            tr(lang, "cluster", "クラスター").to_owned(),
            status.cluster.clone(),
        ],
        vec![
            tr(lang, "engine", "エンジン").to_owned(),
            status.engine.clone(),
        ],
        vec![
            tr(lang, "run", "実行").to_owned(),
            match lang {
                Lang::En => format!(
                    "{} (correlation id {})",
                    status.run_id, status.correlation_id
                ),
                Lang::Ja => format!("{} (相関 ID {})", status.run_id, status.correlation_id),
            },
        ],
        vec![tr(lang, "state", "状態").to_owned(), state.to_owned()],
        vec![
            tr(lang, "plan", "計画").to_owned(),
            match lang {
                Lang::En => format!(
                    "revision {}, {} hosts",
                    status.plan_revision, status.hosts_planned
                ),
                Lang::Ja => format!(
                    "版 {}、ホスト {} 台",
                    status.plan_revision, status.hosts_planned
                ),
            },
        ],
        vec![
            tr(lang, "upgraded", "アップグレード済み").to_owned(),
            list(&status.upgraded),
        ],
        vec![tr(lang, "failed", "失敗").to_owned(), list(&status.failed)],
        vec![
            tr(lang, "pending", "未完了").to_owned(),
            list(&status.pending),
        ],
        vec![
            tr(lang, "migrations", "移行").to_owned(),
            status.migrations.to_string(),
        ],
        vec![
            tr(lang, "policy to restore", "戻すポリシー").to_owned(),
            status
                .policy_to_restore
                .map_or_else(|| "-".to_owned(), |p| p.to_string()),
        ],
        vec![
            tr(lang, "pinned VMs down", "停止中の固定 VM").to_owned(),
            list(&status.vms_down),
        ],
        vec![
            tr(lang, "unsettled steps", "結果不明のステップ").to_owned(),
            status.unsettled_steps.to_string(),
        ],
        vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            status
                .stopped_because
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
        ],
        vec![tr(lang, "last record", "最終記録").to_owned(), {
            let at = status
                .last_record_at
                .map_or_else(|| "-".to_owned(), |t| t.to_string());
            match lang {
                Lang::En => format!("{at} ({} records)", status.records),
                Lang::Ja => format!("{at} (記録 {} 件)", status.records),
            }
        }],
    ];
    out.push_str(&table(&rows));
    if let Some(summary) = &status.summary {
        out.push('\n');
        out.push_str(&render_summary(summary, lang));
    }
    out
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "-".into()
    } else {
        format!("{} ({})", names.len(), names.join(", "))
    }
}

// ----- progress -----

/// One JSON line of `--output json`: the engine time and the event.
#[derive(Serialize)]
pub(crate) struct Line<'a> {
    pub(crate) at: Timestamp,
    #[serde(flatten)]
    pub(crate) event: &'a RunEvent,
}

enum Mode {
    /// Progress bars on a terminal, notable events printed above them.
    Bars(Bars),
    /// Notable events as lines on standard error.
    Lines,
    /// Every event as a JSON line on standard output.
    Json,
    Quiet,
}

struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    migrations: ProgressBar,
    hosts: Mutex<Vec<(String, ProgressBar)>>,
}

/// Turns the run's events into progress bars, lines or JSON.
pub(crate) struct Renderer {
    mode: Mode,
    lang: Lang,
    verbose: bool,
    migrations_done: Mutex<u64>,
    /// When the run started, its predicted length, and the wave under way, in engine time.
    clock: Mutex<(Option<Timestamp>, u64, String)>,
}

impl Renderer {
    pub(crate) fn new(ctx: &Context, plan: &Plan) -> Renderer {
        let mode = match ctx.output {
            OutputFormat::Json => Mode::Json,
            OutputFormat::Text if ctx.verbosity == Verbosity::Quiet => Mode::Quiet,
            OutputFormat::Text if std::io::stderr().is_terminal() => {
                Mode::Bars(Bars::new(plan, ctx.lang))
            }
            OutputFormat::Text => Mode::Lines,
        };
        Renderer {
            mode,
            lang: ctx.lang,
            verbose: ctx.verbosity == Verbosity::Verbose,
            migrations_done: Mutex::new(0),
            clock: Mutex::new((None, plan.prediction.duration_seconds, String::new())),
        }
    }

    /// A way to print a line that keeps the bars intact, for the Ctrl-C handler.
    pub(crate) fn printer(&self) -> impl Fn(&str) + Send + 'static {
        let multi = match &self.mode {
            Mode::Bars(bars) => Some(bars.multi.clone()),
            _ => None,
        };
        move |text: &str| match &multi {
            Some(multi) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    fn say(&self, at: Timestamp, text: String) {
        let stamped = format!("{} {text}", &at.to_string()[11..19]);
        match &self.mode {
            Mode::Bars(bars) => {
                let _ = bars.multi.println(stamped);
            }
            Mode::Lines => eprintln!("{stamped}"),
            Mode::Json | Mode::Quiet => {}
        }
    }

    pub(crate) fn close(&self) {
        if let Mode::Bars(bars) = &self.mode {
            bars.overall.finish();
            bars.migrations.finish();
            for (_, bar) in bars.hosts.lock().unwrap().iter() {
                bar.finish_and_clear();
            }
            let _ = bars.multi.clear();
        }
    }

    fn host_bar(&self, host: &str) -> Option<ProgressBar> {
        let Mode::Bars(bars) = &self.mode else {
            return None;
        };
        let mut hosts = bars.hosts.lock().unwrap();
        if let Some((_, bar)) = hosts.iter().find(|(h, _)| h == host) {
            return Some(bar.clone());
        }
        let bar = bars.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("  {spinner} {prefix:<16} {wide_msg} ")
                .expect("a valid template"),
        );
        bar.set_prefix(host.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        hosts.push((host.to_owned(), bar.clone()));
        Some(bar)
    }

    fn host_done(&self, host: &str) {
        if let Mode::Bars(bars) = &self.mode {
            let mut hosts = bars.hosts.lock().unwrap();
            if let Some(position) = hosts.iter().position(|(h, _)| h == host) {
                let (_, bar) = hosts.remove(position);
                bar.finish_and_clear();
                bars.multi.remove(&bar);
            }
        }
    }

    fn text(&self, event: &RunEvent) -> Option<String> {
        let lang = self.lang;
        Some(match event {
            RunEvent::RunStarted { cluster, hosts, waves, migrations, predicted_seconds, resumed, .. } => match lang {
                Lang::En => format!(
                    "{} cluster {cluster}: {hosts} hosts in {waves} waves, {migrations} migrations, about {}",
                    if *resumed { "resuming" } else { "upgrading" },
                    duration(*predicted_seconds, lang)
                ),
                Lang::Ja => format!(
                    "クラスター {cluster} の{}: ホスト {hosts} 台、{waves} ウェーブ、移行 {migrations} 回、約 {}",
                    if *resumed { "再開" } else { "アップグレード" },
                    duration(*predicted_seconds, lang)
                ),
            },
            RunEvent::PolicySwitched { from, to, reason } => {
                let why = match (reason, lang) {
                    (PolicyReason::RunStarts, Lang::En) => "for the run",
                    (PolicyReason::PinnedVmsStart, Lang::En) => "for a moment, so pinned VMs may start",
                    (PolicyReason::PinnedVmsStarted, Lang::En) => "again",
                    (PolicyReason::RunEnds, Lang::En) => "restored",
                    (PolicyReason::RunStarts, Lang::Ja) => "実行中のため",
                    (PolicyReason::PinnedVmsStart, Lang::Ja) => "固定 VM 起動のため一時的に",
                    (PolicyReason::PinnedVmsStarted, Lang::Ja) => "再び",
                    (PolicyReason::RunEnds, Lang::Ja) => "復元",
                };
                format!("{} {from} → {to} ({why})", tr(lang, "scheduling policy", "スケジューリングポリシー"))
            }
            RunEvent::WaveStarted { wave, of, hosts } => {
                format!("{} {wave}/{of}: {}", tr(lang, "wave", "ウェーブ"), hosts.join(", "))
            }
            RunEvent::HostUpgraded { host, seconds } => {
                format!("{host} {} ({})", tr(lang, "upgraded", "アップグレード完了"), duration(*seconds, lang))
            }
            RunEvent::HostFailed { host, failure } => {
                format!("{host} {}: {}", tr(lang, "FAILED", "失敗"), failure.message().get(lang))
            }
            RunEvent::VmStopping { vm, host, forced } => match (lang, forced) {
                (Lang::En, false) => format!("shutting pinned VM {vm} down on {host}"),
                (Lang::En, true) => format!("powering pinned VM {vm} off on {host}: it did not shut down in time"),
                (Lang::Ja, false) => format!("{host} の固定 VM {vm} をシャットダウン"),
                (Lang::Ja, true) => format!("{host} の固定 VM {vm} を電源オフ (時間内にシャットダウンしませんでした)"),
            },
            RunEvent::VmStarted { vm } => format!("{} {vm}", tr(lang, "started pinned VM", "固定 VM を起動:")),
            RunEvent::VmStartFailed { vm, reason } => format!("{} {vm}: {reason}", tr(lang, "could not start", "起動できません:")),
            RunEvent::MigrationFailed { vm, to, reason, attempt } => {
                format!("{} {vm} → {to} ({attempt}): {reason}", tr(lang, "migration failed", "移行失敗"))
            }
            RunEvent::Replanned { reason, waves, .. } => match lang {
                Lang::En => format!("planned again ({reason}): {waves} waves left"),
                Lang::Ja => format!("再計画 ({reason}): 残り {waves} ウェーブ"),
            },
            RunEvent::Stopping { reason } => format!("{}: {reason}", tr(lang, "stopping", "停止中")),
            RunEvent::Retrying { call, error } if self.verbose => format!("{} {call}: {error}", tr(lang, "retrying", "再試行")),
            RunEvent::MigrationStarted { vm, from, to } if self.verbose => format!("{vm}: {from} → {to}"),
            RunEvent::EngineEvent { code, description, .. } if self.verbose => format!("[engine {code}] {description}"),
            _ => return None,
        })
    }

    /// The overall bar's message: the wave, and the engine time spent against the plan's.
    fn tell_time(&self, bars: &Bars, at: Timestamp, event: &RunEvent) {
        let mut clock = self.clock.lock().unwrap();
        match event {
            RunEvent::RunStarted {
                predicted_seconds, ..
            } => *clock = (Some(at), *predicted_seconds, String::new()),
            RunEvent::WaveStarted { wave, of, .. } => {
                clock.2 = format!("{} {wave}/{of}", tr(self.lang, "wave", "ウェーブ"))
            }
            _ => {}
        }
        let Some(start) = clock.0 else { return };
        let spent = duration(((at.0 - start.0) / 1000).max(0) as u64, self.lang);
        let planned = duration(clock.1, self.lang);
        let time = match self.lang {
            Lang::En => format!("{spent} of ~{planned}"),
            Lang::Ja => format!("{spent} / 予測 {planned}"),
        };
        bars.overall.set_message(format!("{}  {time}", clock.2));
    }

    fn update_bars(&self, at: Timestamp, event: &RunEvent) {
        let Mode::Bars(bars) = &self.mode else { return };
        let lang = self.lang;
        self.tell_time(bars, at, event);
        match event {
            RunEvent::Progress { percent } => bars.overall.set_position(u64::from(*percent)),
            RunEvent::MigrationDone { .. } => {
                let mut done = self.migrations_done.lock().unwrap();
                *done += 1;
                bars.migrations.set_position(*done);
            }
            RunEvent::MigrationStarted { vm, to, from } => {
                if let Some(bar) = self.host_bar(from) {
                    bar.set_message(format!("{} {vm} → {to}", tr(lang, "migrating", "移行中")));
                }
            }
            RunEvent::HostPhase { host, phase } => {
                let text = match (phase, lang) {
                    (HostPhase::Evacuating, Lang::En) => "migrating its VMs away",
                    (HostPhase::StoppingPinnedVms, Lang::En) => "shutting pinned VMs down",
                    (HostPhase::Upgrading, Lang::En) => "upgrading",
                    (HostPhase::StartingPinnedVms, Lang::En) => "starting pinned VMs again",
                    (HostPhase::Evacuating, Lang::Ja) => "VM を移行中",
                    (HostPhase::StoppingPinnedVms, Lang::Ja) => "固定 VM をシャットダウン中",
                    (HostPhase::Upgrading, Lang::Ja) => "アップグレード中",
                    (HostPhase::StartingPinnedVms, Lang::Ja) => "固定 VM を起動中",
                };
                if let Some(bar) = self.host_bar(host) {
                    bar.set_message(text.to_owned());
                }
            }
            // Only hosts at work have a line; a status seen before or after says nothing new.
            RunEvent::HostStatus { host, status }
                if bars.hosts.lock().unwrap().iter().any(|(h, _)| h == host) =>
            {
                if let Some(bar) = self.host_bar(host) {
                    bar.set_message(format!("{} {status}", tr(lang, "engine says", "エンジン:")));
                }
            }
            RunEvent::HostUpgraded { host, .. } | RunEvent::HostFailed { host, .. } => {
                self.host_done(host)
            }
            _ => {}
        }
    }
}

impl Bars {
    fn new(plan: &Plan, lang: Lang) -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(100));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:<18} [{bar:32.cyan/blue}] {pos:>3}%  {wide_msg} ",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        overall.set_prefix(format!(
            "{} {}",
            tr(lang, "cluster", "クラスター"),
            plan.cluster_name
        ));
        let migrations = multi.add(ProgressBar::new(plan.prediction.migrations as u64));
        migrations.set_style(
            ProgressStyle::with_template("{prefix:<18} [{bar:32.green/white}] {pos}/{len}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        migrations.set_prefix(tr(lang, "migrations", "移行").to_owned());
        Bars {
            multi,
            overall,
            migrations,
            hosts: Mutex::new(Vec::new()),
        }
    }
}

impl EventSink for Renderer {
    fn emit(&self, at: Timestamp, event: RunEvent) {
        match &self.mode {
            Mode::Json => {
                let line =
                    serde_json::to_string(&Line { at, event: &event }).expect("events serialise");
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            }
            Mode::Quiet => {}
            Mode::Bars(_) | Mode::Lines => {
                self.update_bars(at, &event);
                if let Some(text) = self.text(&event) {
                    self.say(at, text);
                }
            }
        }
    }
}
