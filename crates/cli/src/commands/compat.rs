//! `ovirt-upgrade compat` and `ovirt-upgrade finish`: the compatibility chain at the end of
//! every chapter of the guide. Validated first (`--dry-run` shows the plan), then carried out
//! with progress bars or a stream of JSON events, journaled so that `status` shows it and
//! `resume` continues it.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use clap::{ArgGroup, Args, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use model::{Lang, Level, Timestamp};
use orchestrator::chain::{
    self, ChainHeader, ChainJournal, ChainOptions, ChainPlan, ChainRun, ChainStatus, ChainSummary,
    RestartMode, RestartResult, Stage,
};
use orchestrator::journal::{self, RunKind};
use orchestrator::state::RunPhase;
use orchestrator::{EventSink, RunEvent, StopSignal, TokioClock};

use super::cluster_upgrade::{
    connect_for_resume, default_journal, duration, fresh_ids, parse_minutes,
    refuse_in_process_resume, runtime, wall_clock, watch_ctrl_c, Line, SimArgs, Target, IN_PROCESS,
};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::input_error;
use crate::text::{count_of, section, table, tr};
use model::engine::Engine;

/// Names of the chain journals in the state directory.
pub(crate) const JOURNAL_PREFIX: &str = "compat-";

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

pub fn run_compat(args: CompatArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ids = fresh_ids();
    let target = Target::choose(&args.sim, ctx, &ids.1)?;
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
    let plan = plan.map_err(input_error)?;
    execute(target, ids, plan, &command, &name, &args.chain, ctx)
}

pub fn run_finish(args: FinishArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ids = fresh_ids();
    let target = Target::choose(&args.sim, ctx, &ids.1)?;
    let inventory = target.inventory(ctx, ovirt_client::Scope::Everything)?;
    let plan =
        chain::plan_finish(&inventory, args.to, &args.chain.options()).map_err(input_error)?;
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

/// Carries `plan` out; `name` names its journal in the state directory; `ids` are the run's
/// id and correlation id.
fn execute(
    target: Target,
    (run_id, correlation_id): (String, String),
    plan: ChainPlan,
    command: &str,
    name: &str,
    args: &ChainArgs,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    if args.dry_run {
        match ctx.output {
            OutputFormat::Json => super::print_json(&plan)?,
            OutputFormat::Text => print!("{}", render_plan(&plan, ctx.lang)),
        }
        return Ok(if plan.is_feasible() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_FINDINGS)
        });
    }
    if !plan.is_feasible() {
        match ctx.output {
            OutputFormat::Json => super::print_json(&plan)?,
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
            println!(
                "{}",
                match ctx.lang {
                    Lang::En => format!(
                        "Nothing to do: everything named is at level {} or above, and no VM waits for a restart.",
                        plan.target
                    ),
                    Lang::Ja => format!(
                        "何もすることはありません: 対象はすべて互換レベル {} 以上で、再起動を待つ仮想マシンもありません。",
                        plan.target
                    ),
                }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if ctx.says(Verbosity::Normal) {
        eprint!("{}", render_plan_brief(&plan, ctx.lang));
    }
    let in_process = matches!(target, Target::Sim(_));
    let path = prepare_journal(args.journal.as_deref(), name, in_process)?;
    let start = wall_clock();
    let header = ChainHeader {
        run_id: run_id.clone(),
        engine: target.journal_engine(&run_id),
        correlation_id,
        created_ms: start.0,
        command: command.to_owned(),
    };
    let mut journal = ChainJournal::create(&path, header).map_err(input_error)?;
    let summary = match target {
        // A real engine runs in real time.
        Target::Live(live) => live.runtime.block_on(carry_out(
            &live.client,
            &TokioClock::new(start, 1.0),
            &mut journal,
            Some(plan),
            ctx,
        ))?,
        Target::Sim(sim) => runtime()?.block_on(async {
            let engine = sim.engine(start);
            engine
                .simulator()
                .set_correlation_id(Some(journal.header().correlation_id.clone()));
            let clock = TokioClock::new(start, sim.speed);
            carry_out(&engine, &clock, &mut journal, Some(plan), ctx).await
        })?,
    };
    print_summary(&summary, ctx, Some(&path))
}

/// Runs a new chain (`plan` given) or picks up the journaled one, with progress and Ctrl-C.
async fn carry_out<E: Engine>(
    engine: &E,
    clock: &TokioClock,
    journal: &mut ChainJournal,
    plan: Option<ChainPlan>,
    ctx: &Context,
) -> anyhow::Result<ChainSummary> {
    let sink = match &plan {
        Some(plan) => ChainRenderer::new(ctx, plan),
        None => {
            let journaled =
                chain::ChainState::from_entries(&journal.entries().map_err(input_error)?)
                    .plan
                    .ok_or_else(|| {
                        input_error(orchestrator::ExecuteError::NoPlan {
                            path: journal.path().to_owned(),
                        })
                    })?;
            ChainRenderer::new(ctx, &journaled)
        }
    };
    let stop = Arc::new(StopSignal::new());
    watch_ctrl_c(
        stop.clone(),
        sink.printer(),
        tr(
            ctx.lang,
            "stopping: the batch under way finishes, nothing new starts; Ctrl-C again leaves at once",
            "停止します: 実行中のバッチを完了させ、新しい処理は始めません。もう一度 Ctrl-C ですぐに終了します",
        ),
    );
    let result = match plan {
        Some(plan) => chain::run(engine, clock, journal, plan, &sink, &stop).await,
        None => chain::resume(engine, clock, journal, &sink, &stop).await,
    };
    sink.close();
    Ok(result?)
}

/// `ovirt-upgrade resume` for a chain journal: only against the engine it was written for.
pub(crate) fn resume(
    mut journal: ChainJournal,
    path: &Path,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let header = journal.header().clone();
    if header.engine.starts_with(IN_PROCESS) {
        return Err(refuse_in_process_resume(path, ctx.lang));
    }
    let live = connect_for_resume(ctx, &header.engine, &header.correlation_id)?;
    journal
        .check_engine(live.client.url())
        .map_err(input_error)?;
    let summary = live.runtime.block_on(carry_out(
        &live.client,
        &TokioClock::new(wall_clock(), 1.0),
        &mut journal,
        None,
        ctx,
    ));
    print_summary(&summary.map_err(input_error)?, ctx, Some(path))
}

/// Prints the summary (even with `-q`: it is what was asked for) and chooses the exit code.
pub(crate) fn print_summary(
    summary: &ChainSummary,
    ctx: &Context,
    journal: Option<&Path>,
) -> anyhow::Result<ExitCode> {
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

/// Where a new chain journals. A finished journal there (or one of an in-process engine,
/// which can never be resumed) is moved aside; an unfinished one of a real engine must be
/// resumed first.
fn prepare_journal(path: Option<&Path>, name: &str, in_process: bool) -> anyhow::Result<PathBuf> {
    let path = match path {
        Some(path) => path.to_owned(),
        None => default_journal(JOURNAL_PREFIX, name, in_process)?,
    };
    if !path.exists() {
        return Ok(path);
    }
    let Some(journal) = chain_journal(&path)? else {
        return Err(input_error(anyhow!(
            "journal {} holds a cluster upgrade; name another file for the chain with --journal FILE",
            path.display()
        )));
    };
    let status =
        ChainStatus::from_journal(journal.header(), &journal.entries().map_err(input_error)?);
    if status.state != RunPhase::Finished && !status.engine.starts_with(IN_PROCESS) {
        return Err(input_error(anyhow!(
            "journal {} holds an unfinished chain ({}); `ovirt-upgrade resume --journal {}` continues it, or move the file away to start afresh",
            path.display(),
            status.command,
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

/// The chain journal at `path`, or none when it holds a cluster upgrade.
pub(crate) fn chain_journal(path: &Path) -> anyhow::Result<Option<ChainJournal>> {
    let kind = journal::kind_of(path).map_err(input_error)?;
    if kind != ChainRun::NAME {
        return Ok(None);
    }
    ChainJournal::open(path).map(Some).map_err(input_error)
}

/// `ovirt-upgrade status` for a chain journal.
pub(crate) fn status(
    journal: &ChainJournal,
    path: &Path,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let status =
        ChainStatus::from_journal(journal.header(), &journal.entries().map_err(input_error)?);
    match ctx.output {
        OutputFormat::Json => super::print_json(&status)?,
        OutputFormat::Text => print!("{}", render_status(&status, path, ctx.lang)),
    }
    Ok(ExitCode::SUCCESS)
}

// ----- rendering -----

fn result_text(result: &RestartResult, lang: Lang) -> String {
    match (result, lang) {
        (RestartResult::Restarted { seconds }, Lang::En) => {
            format!("back after {}", duration(*seconds, lang))
        }
        (RestartResult::Restarted { seconds }, Lang::Ja) => {
            format!("{} 後に復帰", duration(*seconds, lang))
        }
        (RestartResult::AlreadyApplied, Lang::En) => {
            "its configuration was applied before its turn".into()
        }
        (RestartResult::AlreadyApplied, Lang::Ja) => "順番が来る前に設定が適用済み".into(),
        (RestartResult::WasDown, Lang::En) => "down: takes the level at its next start".into(),
        (RestartResult::WasDown, Lang::Ja) => {
            "停止中: 次回起動時に新しい互換レベルになります".into()
        }
        (RestartResult::Failed { reason, status }, Lang::En) => format!("{reason} (now {status})"),
        (RestartResult::Failed { reason, status }, Lang::Ja) => format!("{reason} (現在 {status})"),
        (RestartResult::NeedsManualRestart { status }, Lang::En) => {
            format!("{status}: restart it by hand once it runs normally")
        }
        (RestartResult::NeedsManualRestart { status }, Lang::Ja) => {
            format!("{status}: 通常の状態に戻ってから手動で再起動してください")
        }
    }
}

fn restarts_line(plan: &ChainPlan, lang: Lang) -> String {
    let vms = plan.restarts();
    let batch = plan.options.batch;
    match (plan.options.restart, lang) {
        (RestartMode::Now, Lang::En) => format!(
            "{vms} running VMs restarted to take the level, {batch} at a time, highly available ones one at a time; the Manager's VM is never restarted"
        ),
        (RestartMode::Now, Lang::Ja) => format!(
            "実行中の仮想マシン {vms} 台を再起動して新しい互換レベルを適用 ({batch} 台ずつ、高可用性の仮想マシンは 1 台ずつ)。Manager 用仮想マシンは再起動しません"
        ),
        (RestartMode::List, Lang::En) => format!("{vms} running VMs will wait for a restart: they are listed, not restarted"),
        (RestartMode::List, Lang::Ja) => format!("実行中の仮想マシン {vms} 台が再起動待ちになります。一覧を表示し、再起動はしません"),
        (RestartMode::Never, Lang::En) => format!("{vms} running VMs are left to take the level at their next restart"),
        (RestartMode::Never, Lang::Ja) => format!("実行中の仮想マシン {vms} 台は次回の再起動で新しい互換レベルになります"),
    }
}

/// The stages and what to mind, as printed before a run.
pub(crate) fn render_plan_brief(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Compatibility level {} (Manager {}): {}",
                plan.target,
                plan.manager,
                count_of(lang, plan.stages.len(), ("stage", "stages"), "")
            ),
            Lang::Ja => format!(
                "互換レベル {} (Manager {}): {} 段階",
                plan.target,
                plan.manager,
                plan.stages.len()
            ),
        }
    );
    let _ = writeln!(out, "  {}", restarts_line(plan, lang));
    for warning in &plan.warnings {
        let _ = writeln!(
            out,
            "  {} {}",
            tr(lang, "warning:", "警告:"),
            warning.message().get(lang)
        );
    }
    out
}

/// The plan as the dry run prints it.
pub(crate) fn render_plan(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Compatibility chain to level {} (Manager {})",
                plan.target, plan.manager
            ),
            Lang::Ja => format!(
                "互換レベル {} への変更 (Manager {})",
                plan.target, plan.manager
            ),
        }
    );
    let _ = writeln!(out, "  {}", restarts_line(plan, lang));
    let mut rows = Vec::new();
    for (i, stage) in plan.stages.iter().enumerate() {
        let restarts = match (stage, lang) {
            (
                Stage::Cluster {
                    restarts,
                    highly_available,
                    ..
                },
                Lang::En,
            ) => {
                format!("{restarts} VMs to restart ({highly_available} highly available)")
            }
            (
                Stage::Cluster {
                    restarts,
                    highly_available,
                    ..
                },
                Lang::Ja,
            ) => {
                format!("再起動する仮想マシン {restarts} 台 (高可用性 {highly_available} 台)")
            }
            (Stage::DataCenter { .. }, _) => String::new(),
        };
        rows.push(vec![
            format!("{}.", i + 1),
            stage.message().into_lang(lang).into_owned(),
            restarts,
        ]);
    }
    out.push('\n');
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    section(
        &mut out,
        tr(lang, "Already there", "変更不要"),
        plan.unchanged
            .iter()
            .map(|o| format!("{} {} ({})", o.kind.title().get(lang), o.name, o.level))
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Warnings", "警告"),
        plan.warnings
            .iter()
            .map(|w| w.message().into_lang(lang).into_owned())
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
        (false, Lang::En) => "\nThe chain cannot start until the blockers are dealt with.",
        (false, Lang::Ja) => "\nブロッカーを解消するまで実行できません。",
    };
    let _ = writeln!(out, "{verdict}");
    out
}

pub(crate) fn render_summary(summary: &ChainSummary, lang: Lang) -> String {
    let mut out = String::new();
    let took = duration(summary.duration_seconds, lang);
    let outcome = summary.outcome.message().into_lang(lang);
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Compatibility level {}: {outcome}, in {took}",
                summary.target
            ),
            Lang::Ja => format!("互換レベル {}: {outcome}、所要 {took}", summary.target),
        }
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    let raised: Vec<String> = summary
        .raised
        .iter()
        .map(|r| format!("{} {} → {}", r.object, r.from, r.to))
        .collect();
    rows.push(vec![
        tr(lang, "raised", "変更").into(),
        summary.raised.len().to_string(),
        raised.join(", "),
    ]);
    let (total, longest) = summary.downtime();
    let restarted = match (summary.restarted.len(), lang) {
        (0, _) => String::new(),
        (n, Lang::En) => format!(
            "downtime {} on average, {} at most",
            duration(total / n as u64, lang),
            duration(longest, lang)
        ),
        (n, Lang::Ja) => format!(
            "停止時間 平均 {}、最大 {}",
            duration(total / n as u64, lang),
            duration(longest, lang)
        ),
    };
    rows.push(vec![
        tr(lang, "restarted", "再起動").into(),
        summary.restarted.len().to_string(),
        restarted,
    ]);
    let failed: Vec<String> = summary
        .failed
        .iter()
        .map(|f| format!("{}: {}", f.vm, result_text(&f.result, lang)))
        .collect();
    rows.push(vec![
        tr(lang, "not back", "未復帰").into(),
        summary.failed.len().to_string(),
        failed.join("; "),
    ]);
    if !summary.not_restarted.is_empty() {
        let others: Vec<String> = summary
            .not_restarted
            .iter()
            .map(|n| format!("{}: {}", n.vm, result_text(&n.result, lang)))
            .collect();
        rows.push(vec![
            tr(lang, "left alone", "対象外").into(),
            summary.not_restarted.len().to_string(),
            others.join("; "),
        ]);
    }
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    match &summary.end_state {
        None => {
            let _ = writeln!(
                out,
                "{}",
                tr(
                    lang,
                    "End state: not verified (the engine could not be reached at the end).",
                    "最終状態: 未確認 (終了時にエンジンに接続できませんでした)。"
                )
            );
        }
        Some(end) => {
            let behind: Vec<String> = end
                .behind()
                .map(|o| format!("{} {} ({})", o.kind, o.name, o.level))
                .collect();
            let levels = match (behind.is_empty(), lang) {
                (true, Lang::En) => format!("every level at {}", end.target),
                (true, Lang::Ja) => format!("すべて互換レベル {}", end.target),
                (false, Lang::En) => format!("below {}: {}", end.target, behind.join(", ")),
                (false, Lang::Ja) => format!("{} 未満: {}", end.target, behind.join(", ")),
            };
            let pending = match (end.pending.len(), lang) {
                (0, Lang::En) => "no VM waits for a restart".to_owned(),
                (0, Lang::Ja) => "再起動待ちの仮想マシンなし".to_owned(),
                (n, Lang::En) => format!(
                    "{n} VMs wait for a restart (search next_run_config_exists=True): {}",
                    end.pending
                        .iter()
                        .map(|p| p.vm.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (n, Lang::Ja) => format!(
                    "再起動待ちの仮想マシン {n} 台 (検索 next_run_config_exists=True): {}",
                    end.pending
                        .iter()
                        .map(|p| p.vm.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let _ = writeln!(
                out,
                "{} {levels}{}{pending}",
                tr(lang, "End state:", "最終状態:"),
                tr(lang, "; ", "、")
            );
        }
    }
    out
}

fn render_status(status: &ChainStatus, path: &Path, lang: Lang) -> String {
    let state = match (status.state, lang) {
        (RunPhase::Planned, Lang::En) => "planned, not started",
        (RunPhase::Planned, Lang::Ja) => "計画のみ、未開始",
        (RunPhase::Interrupted, Lang::En) => "interrupted: `ovirt-upgrade resume` goes on",
        (RunPhase::Interrupted, Lang::Ja) => "中断: `ovirt-upgrade resume` で続行します",
        (RunPhase::Finished, Lang::En) => "finished",
        (RunPhase::Finished, Lang::Ja) => "終了",
    };
    let list = |names: &[String]| {
        if names.is_empty() {
            "-".to_owned()
        } else {
            format!("{} ({})", names.len(), names.join(", "))
        }
    };
    let stages: Vec<String> = status
        .stages
        .iter()
        .map(|s| {
            let mark = match s.state {
                chain::state::StagePhase::Done => "[x]",
                chain::state::StagePhase::UnderWay => "[>]",
                chain::state::StagePhase::Pending => "[ ]",
            };
            format!("{mark} {}", s.stage)
        })
        .collect();
    let rows = vec![
        vec![
            tr(lang, "journal", "ジャーナル").to_owned(),
            path.display().to_string(),
        ],
        vec![
            tr(lang, "command", "コマンド").to_owned(),
            format!("ovirt-upgrade {}", status.command),
        ],
        vec![
            tr(lang, "engine", "エンジン").to_owned(),
            status.engine.clone(),
        ],
        vec![tr(lang, "run", "実行").to_owned(), status.run_id.clone()],
        vec![tr(lang, "state", "状態").to_owned(), state.to_owned()],
        vec![
            tr(lang, "VMs restarted", "再起動済み").to_owned(),
            status.restarted.to_string(),
        ],
        vec![
            tr(lang, "VMs not back", "未復帰").to_owned(),
            list(&status.failed),
        ],
        vec![
            tr(lang, "restarting", "再起動中").to_owned(),
            list(&status.restarting),
        ],
        vec![
            tr(lang, "unsettled steps", "結果不明のステップ").to_owned(),
            status.unsettled_steps.to_string(),
        ],
        vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            status.stopped_because.clone().unwrap_or_else(|| "-".into()),
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
    let mut out = table(&rows);
    let _ = writeln!(out, "\n{}", tr(lang, "Stages", "段階"));
    for stage in stages {
        let _ = writeln!(out, "  {stage}");
    }
    if let Some(summary) = &status.summary {
        out.push('\n');
        out.push_str(&render_summary(summary, lang));
    }
    out
}

// ----- progress -----

enum Mode {
    Bars(Bars),
    Lines,
    Json,
    Quiet,
}

struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    restarts: ProgressBar,
}

/// Turns a chain's events into progress bars, lines or JSON.
pub(crate) struct ChainRenderer {
    mode: Mode,
    lang: Lang,
    verbose: bool,
    restarted: Mutex<u64>,
}

impl ChainRenderer {
    pub(crate) fn new(ctx: &Context, plan: &ChainPlan) -> ChainRenderer {
        let mode = match ctx.output {
            OutputFormat::Json => Mode::Json,
            OutputFormat::Text if ctx.verbosity == Verbosity::Quiet => Mode::Quiet,
            OutputFormat::Text if std::io::stderr().is_terminal() => {
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
                    tr(ctx.lang, "level", "互換レベル"),
                    plan.target
                ));
                overall.enable_steady_tick(Duration::from_millis(120));
                let restarting = plan.options.restart == RestartMode::Now;
                let restarts = multi.add(ProgressBar::new(if restarting {
                    plan.restarts() as u64
                } else {
                    0
                }));
                restarts.set_style(
                    ProgressStyle::with_template(
                        "{prefix:<18} [{bar:32.green/white}] {pos}/{len}  {wide_msg} ",
                    )
                    .expect("a valid template")
                    .progress_chars("=> "),
                );
                restarts.set_prefix(tr(ctx.lang, "VM restarts", "VM 再起動").to_owned());
                Mode::Bars(Bars {
                    multi,
                    overall,
                    restarts,
                })
            }
            OutputFormat::Text => Mode::Lines,
        };
        ChainRenderer {
            mode,
            lang: ctx.lang,
            verbose: ctx.verbosity == Verbosity::Verbose,
            restarted: Mutex::new(0),
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

    pub(crate) fn close(&self) {
        if let Mode::Bars(bars) = &self.mode {
            bars.overall.finish();
            bars.restarts.finish();
            let _ = bars.multi.clear();
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

    fn text(&self, event: &RunEvent) -> Option<String> {
        let lang = self.lang;
        Some(match event {
            RunEvent::StageStarted { stage, of, label } => format!("[{stage}/{of}] {label}"),
            RunEvent::LevelRaised { object, from, to } => match lang {
                Lang::En => format!("{object} raised: {from} → {to}"),
                Lang::Ja => format!("{object} を変更しました: {from} → {to}"),
            },
            RunEvent::LevelRefused { object, detail } => match lang {
                Lang::En => format!("the engine refused to change {object}: {detail}"),
                Lang::Ja => format!("エンジンが {object} の変更を拒否しました: {detail}"),
            },
            RunEvent::RestartsPlanned {
                cluster,
                vms,
                batches,
            } => match lang {
                Lang::En => format!("{cluster}: {vms} VMs to restart in {batches} batches"),
                Lang::Ja => format!("{cluster}: 仮想マシン {vms} 台を {batches} バッチで再起動"),
            },
            RunEvent::PendingRestarts { cluster, vms } => match lang {
                Lang::En => format!(
                    "{cluster}: {} VMs wait for a restart: {}",
                    vms.len(),
                    vms.join(", ")
                ),
                Lang::Ja => format!(
                    "{cluster}: 再起動待ちの仮想マシン {} 台: {}",
                    vms.len(),
                    vms.join(", ")
                ),
            },
            RunEvent::RestartBatch {
                cluster,
                batch,
                of,
                vms,
            } if self.verbose || matches!(self.mode, Mode::Lines) => {
                format!(
                    "{cluster} {} {batch}/{of}: {}",
                    tr(lang, "batch", "バッチ"),
                    vms.join(", ")
                )
            }
            RunEvent::VmRestarted { vm, seconds } if self.verbose => {
                format!(
                    "{vm}: {}",
                    result_text(&RestartResult::Restarted { seconds: *seconds }, lang)
                )
            }
            RunEvent::VmNotRestarted { vm, result } => {
                format!("{vm}: {}", result_text(result, lang))
            }
            RunEvent::Stopping { reason } => {
                format!("{}: {reason}", tr(lang, "stopping", "停止中"))
            }
            RunEvent::Retrying { call, error } if self.verbose => {
                format!("{} {call}: {error}", tr(lang, "retrying", "再試行"))
            }
            _ => return None,
        })
    }

    fn update_bars(&self, event: &RunEvent) {
        let Mode::Bars(bars) = &self.mode else { return };
        match event {
            RunEvent::Progress { percent } => bars.overall.set_position(u64::from(*percent)),
            RunEvent::StageStarted { stage, of, label } => {
                bars.overall.set_message(format!("{stage}/{of} {label}"))
            }
            RunEvent::RestartBatch {
                cluster, batch, of, ..
            } => bars.restarts.set_message(format!(
                "{cluster} {} {batch}/{of}",
                tr(self.lang, "batch", "バッチ")
            )),
            RunEvent::VmRestarted { .. } | RunEvent::VmNotRestarted { .. } => {
                let mut done = self.restarted.lock().unwrap_or_else(|p| p.into_inner());
                *done += 1;
                if *done > bars.restarts.length().unwrap_or(0) {
                    bars.restarts.set_length(*done);
                }
                bars.restarts.set_position(*done);
            }
            _ => {}
        }
    }
}

impl EventSink for ChainRenderer {
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
                self.update_bars(&event);
                if let Some(text) = self.text(&event) {
                    self.say(at, text);
                }
            }
        }
    }
}
