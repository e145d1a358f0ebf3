//! `ovirt-upgrade demo`: a whole minor update, once, end to end, on the embedded simulated
//! engine: check → checklist → global maintenance on → the Manager's update → global
//! maintenance off → every cluster's hosts → the compatibility chain → check again. Each step
//! goes through the same code as its own command; the demo only chains them and tells the
//! story, leaving the reports, the checklist, the journals and a summary in one folder.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use checks::Counts;
use clap::Args;
use guide::{Choices, VersionSpec};
use model::engine::{Engine, HostAction};
use model::release;
use model::{HostStatus, Inventory, Lang, Level, Timestamp, Version, VmStatus};
use orchestrator::chain::{
    self, ChainHeader, ChainJournal, ChainOptions, ChainSummary, LevelObject,
};
use orchestrator::event::{HostFailure, VmDowntime};
use orchestrator::journal::{Journal, RunHeader};
use orchestrator::{Clock, Options, StopSignal, Summary, TokioClock};
use ovirt_sim::invariants::Transition;
use ovirt_sim::{Faults, SimConfig, SimEngine, Simulator};
use serde::Serialize;

use super::check::{analyse, today};
use super::cluster_upgrade::{
    duration, fresh_ids, newer_vdsm, runtime, slug, wall_clock, watch_ctrl_c, Renderer,
    DEFAULT_SIM_SPEED, IN_PROCESS,
};
use super::compat::ChainRenderer;
use super::plan::{checklist, write_documents, DocumentArgs};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::input_error;
use crate::text::{table, tr};

/// The example the demo upgrades.
const DEMO_ENVIRONMENT: &str = "example:demo";
/// The demo's bad luck, as examples/demo.toml announces: the first installation on this host
/// fails; the demo then does what the guide asks and upgrades it again.
const DEMO_FAULTS: &str = "install-fail-once:dev-host02";
/// How long global maintenance may take to show, and the engine to come back healthy.
const GLOBAL_MAINTENANCE_MINUTES: u32 = 15;
/// How long a host activated again after a failed installation may take to come up.
const ACTIVATION_PATIENCE_MS: i64 = 10 * 60_000;

/// Run a whole upgrade once, end to end, on the embedded simulated engine.
#[derive(Debug, Args)]
#[command(after_help = "\
The demo takes the example environment `demo` (a self-hosted engine on RHV 4.4.5, two data
centers, three clusters at level 4.5, a pinned database server and highly available VMs) through
a minor update to 4.4.10 as the guide's chapter 1 does it: check, checklist, global maintenance
on, the Manager's update (simulated engine-setup; the Manager VM then boots afresh), global
maintenance off waiting for the engine's health, every cluster's rolling upgrade (one host's
first installation fails, and it is upgraded again), the compatibility chain to 4.6 with the VM
restarts, and a final check. It runs on the embedded simulated engine, faster than real time,
and touches nothing real.

It leaves in its folder: analyzer_report.html (the check before), analyzer_report_after.html,
checklist.md and checklist.html, the journals of every run (journals/), summary.txt and
summary.json (hosts upgraded, migrations, VM downtime, levels, the simulator's invariants, and
the wall time).

Exit codes: 0 every host upgraded, every level at the target, no VM lost or down unreported;
1 otherwise; 2 a bad option or an unwritable folder.")]
pub struct DemoArgs {
    /// The folder for the reports, the checklist, the journals and the summary.
    #[arg(long, value_name = "DIR", default_value = "ovirt-upgrade-demo")]
    pub out: PathBuf,
    /// How many times faster than real time the simulated engine runs.
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_SIM_SPEED)]
    pub sim_speed: f64,
    /// Seed of the simulated engine's random choices.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    pub sim_seed: u64,
}

/// One step of the demo and what it took.
#[derive(Debug, Serialize)]
struct StepTime {
    step: String,
    /// Simulated engine time.
    engine_seconds: u64,
    wall_seconds: f64,
}

#[derive(Debug, Serialize)]
struct Hosts {
    total: usize,
    upgraded: usize,
    /// Hosts whose first installation failed, upgraded again afterwards.
    failed_first: Vec<String>,
    /// Hosts not upgraded at the end, with their state.
    not_upgraded: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Downtime {
    /// Pinned VMs shut down while their host was upgraded.
    pinned: Vec<VmDowntime>,
    /// The Manager VM, from its shutdown after engine-setup until it ran again.
    manager_vm_seconds: u64,
    /// VMs restarted to take the new level.
    restarted_for_level: usize,
    restart_seconds_total: u64,
    restart_seconds_longest: u64,
}

/// What the demo did, as summary.json holds it.
#[derive(Debug, Serialize)]
struct DemoSummary {
    environment: String,
    manager_from: Version,
    manager_to: Version,
    target_level: Level,
    steps: Vec<StepTime>,
    hosts: Hosts,
    migrations: usize,
    vms_moved: usize,
    max_migrations_of_a_vm: u32,
    downtime: Downtime,
    levels: Vec<LevelObject>,
    every_level_at_target: bool,
    vms_waiting_for_restart: Vec<String>,
    /// The simulator's invariant checker over the whole run: VMs lost, VMs down that nobody
    /// stopped, hosts over their memory.
    invariant_violations: Vec<String>,
    /// VMs that went down and are not among the pinned VMs reported, the Manager VM or the
    /// VMs reported as not back.
    vms_down_unreported: Vec<String>,
    check_before: Counts,
    check_after: Counts,
    engine_seconds: u64,
    wall_seconds: f64,
    files: Vec<String>,
}

impl DemoSummary {
    fn is_clean(&self) -> bool {
        self.hosts.not_upgraded.is_empty()
            && self.every_level_at_target
            && self.vms_waiting_for_restart.is_empty()
            && self.invariant_violations.is_empty()
            && self.vms_down_unreported.is_empty()
    }
}

/// What the steps on the engine left, for the summary.
struct Story {
    clusters: Vec<Summary>,
    failed_first: Vec<String>,
    chain: ChainSummary,
    end: Inventory,
    violations: Vec<String>,
    downs: BTreeSet<String>,
    manager_vm_seconds: u64,
    engine_seconds: u64,
}

/// Tells the demo's steps as they go, and times them.
struct Narrator<'a> {
    ctx: &'a Context,
    wall: Instant,
    steps: Vec<StepTime>,
    /// The step under way, when it began on the wall clock and, for steps on the engine, in
    /// engine time.
    current: Option<(String, Instant, Option<Timestamp>)>,
}

const STEPS: usize = 8;

impl<'a> Narrator<'a> {
    fn step<C: Clock>(&mut self, number: usize, title: String, clock: Option<&C>) {
        self.close(clock);
        if self.ctx.says(Verbosity::Normal) {
            eprintln!("\n[{number}/{STEPS}] {title}");
        }
        self.current = Some((title, Instant::now(), clock.map(Clock::now)));
    }

    fn tell(&self, text: &str) {
        if self.ctx.says(Verbosity::Normal) {
            for line in text.lines() {
                eprintln!("      {line}");
            }
        }
    }

    fn close<C: Clock>(&mut self, clock: Option<&C>) {
        if let Some((step, began, at)) = self.current.take() {
            let engine_seconds = match (clock, at) {
                (Some(clock), Some(at)) => ((clock.now().0 - at.0).max(0) / 1000) as u64,
                _ => 0,
            };
            self.steps.push(StepTime {
                step,
                engine_seconds,
                wall_seconds: began.elapsed().as_secs_f64(),
            });
        }
    }
}

fn counts_text(counts: &Counts, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} rules: {} FAIL, {} WARN, {} INFO, {} PASS",
            counts.total, counts.failures, counts.warnings, counts.info, counts.passed
        ),
        Lang::Ja => format!(
            "ルール {} 件: FAIL {}、WARN {}、INFO {}、PASS {}",
            counts.total, counts.failures, counts.warnings, counts.info, counts.passed
        ),
    }
}

pub fn run(args: DemoArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    if !(args.sim_speed > 0.0 && args.sim_speed.is_finite()) {
        return Err(input_error(anyhow!(
            "--sim-speed must be a positive factor, such as 600"
        )));
    }
    let lang = ctx.lang;
    // The steps speak through their own renderers; with JSON asked for, only the summary shows.
    let inner = Context {
        lang,
        output: OutputFormat::Text,
        verbosity: if ctx.output == OutputFormat::Json {
            Verbosity::Quiet
        } else {
            ctx.verbosity
        },
        // The demo always runs on its own simulated engine, whatever engine the options name.
        connection: crate::cli::ConnectionArgs {
            engine: None,
            ..ctx.connection.clone()
        },
    };
    let out = args.out.as_path();
    std::fs::create_dir_all(out.join("journals"))
        .with_context(|| format!("cannot create the demo's folder {}", out.display()))
        .map_err(input_error)?;
    let mut inventory = scenario::load(DEMO_ENVIRONMENT)?;
    let now = today();
    // The guide's first step, engine-backup, taken today.
    inventory.manager.last_backup = Some(now);
    let from = inventory.manager.version;
    let to = checks::default_target(from);
    let level = *release::supported_cluster_levels(to)
        .last()
        .expect("every release offers levels");
    let mut narrator = Narrator {
        ctx: &inner,
        wall: Instant::now(),
        steps: Vec::new(),
        current: None,
    };
    if inner.says(Verbosity::Normal) {
        eprintln!("ovirt-upgrade demo: {}", inventory.name);
        eprintln!(
            "{}",
            match lang {
                Lang::En => format!(
                    "Manager {from} → {to}, cluster levels → {level}, on the embedded simulated engine at {}× real time; files go to {}",
                    args.sim_speed,
                    out.display()
                ),
                Lang::Ja => format!(
                    "Manager {from} → {to}、互換レベル → {level}。組み込みのシミュレーションエンジンで実時間の {} 倍の速さで実行し、ファイルは {} に出力します",
                    args.sim_speed,
                    out.display()
                ),
            }
        );
    }
    let no_clock: Option<&TokioClock> = None;

    narrator.step(
        1,
        match lang {
            Lang::En => format!("Check the environment for {to}"),
            Lang::Ja => format!("{to} に向けて環境をチェック"),
        },
        no_clock,
    );
    let before_html = out.join("analyzer_report.html");
    let check_before = analyse(&inventory, to, now, Some(&before_html), lang)?.counts();
    narrator.tell(&format!(
        "{} → {}",
        counts_text(&check_before, lang),
        before_html.display()
    ));

    narrator.step(
        2,
        tr(
            lang,
            "The checklist from the Upgrade Guide",
            "アップグレードガイドのチェックリスト",
        )
        .to_owned(),
        no_clock,
    );
    let choices = Choices {
        to: Some(VersionSpec::Exact(to)),
        ..Choices::default()
    };
    let guide_plan = checklist(&choices, Some(&inventory))?;
    let documents = DocumentArgs {
        markdown: Some(out.join("checklist.md")),
        html: Some(out.join("checklist.html")),
    };
    let silent = Context {
        verbosity: Verbosity::Quiet,
        connection: inner.connection.clone(),
        ..inner
    };
    write_documents(&guide_plan, &documents, None, &silent)?;
    narrator.tell(&match lang {
        Lang::En => format!(
            "{} steps → {}, checklist.html",
            guide_plan.steps().count(),
            out.join("checklist.md").display()
        ),
        Lang::Ja => format!(
            "手順 {} 件 → {}、checklist.html",
            guide_plan.steps().count(),
            out.join("checklist.md").display()
        ),
    });

    let faults: Faults = DEMO_FAULTS.parse().expect("the demo's faults parse");
    let start = wall_clock();
    let mut simulator = Simulator::new(
        inventory.clone(),
        SimConfig::default(),
        faults,
        args.sim_seed,
        start,
    );
    if let Some(update) = newer_vdsm(&inventory) {
        simulator.publish_host_update(update);
    }
    let engine = SimEngine::new(simulator, args.sim_speed, args.sim_seed);
    let clock = TokioClock::new(start, args.sim_speed);
    let story = runtime()?.block_on(upgrade(
        &engine,
        &clock,
        &mut narrator,
        &inner,
        out,
        to,
        level,
    ))?;

    narrator.step(
        8,
        match lang {
            Lang::En => format!("Check again, on {to}"),
            Lang::Ja => format!("{to} で再チェック"),
        },
        no_clock,
    );
    let after_html = out.join("analyzer_report_after.html");
    let check_after = analyse(
        &story.end,
        story.end.manager.version,
        now,
        Some(&after_html),
        lang,
    )?
    .counts();
    narrator.tell(&format!(
        "{} → {}",
        counts_text(&check_after, lang),
        after_html.display()
    ));
    narrator.close(no_clock);

    let summary = summarise(
        &story,
        &inventory,
        narrator.steps,
        check_before,
        check_after,
        narrator.wall.elapsed().as_secs_f64(),
        level,
    );
    let text = render_summary(&summary, lang);
    std::fs::write(out.join("summary.txt"), &text)
        .with_context(|| format!("cannot write {}", out.join("summary.txt").display()))?;
    let json = serde_json::to_string_pretty(&summary)?;
    std::fs::write(out.join("summary.json"), format!("{json}\n"))
        .with_context(|| format!("cannot write {}", out.join("summary.json").display()))?;
    match ctx.output {
        OutputFormat::Json => println!("{json}"),
        OutputFormat::Text => {
            println!();
            print!("{text}");
        }
    }
    Ok(if summary.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_FINDINGS)
    })
}

/// The steps on the engine: global maintenance, the Manager's update, the clusters, the chain.
async fn upgrade(
    engine: &SimEngine,
    clock: &TokioClock,
    narrator: &mut Narrator<'_>,
    ctx: &Context,
    out: &Path,
    to: Version,
    level: Level,
) -> anyhow::Result<Story> {
    let lang = ctx.lang;
    let began = clock.now();
    let stop = Arc::new(StopSignal::new());
    watch_ctrl_c(
        stop.clone(),
        |text| eprintln!("{text}"),
        tr(
            lang,
            "stopping: the run under way stops gently and the demo ends; Ctrl-C again leaves at once",
            "停止します: 実行中の処理を穏やかに止めてデモを終えます。もう一度 Ctrl-C ですぐに終了します",
        ),
    );

    narrator.step(
        3,
        tr(
            lang,
            "Global maintenance on",
            "グローバルメンテナンスを有効化",
        )
        .to_owned(),
        Some(clock),
    );
    let on = super::global_maintenance::set(engine, clock, true, GLOBAL_MAINTENANCE_MINUTES, ctx)
        .await?;
    narrator.tell(&super::global_maintenance::render_report(&on, lang));

    let from = engine.simulator().inventory().manager.version;
    narrator.step(
        4,
        match lang {
            Lang::En => format!("The Manager's update: engine-setup {from} → {to} (simulated)"),
            Lang::Ja => format!("Manager の更新: engine-setup {from} → {to} (シミュレーション)"),
        },
        Some(clock),
    );
    engine
        .simulator()
        .update_manager(to)
        .map_err(|e| anyhow!("the simulated engine-setup failed: {e}"))?;
    narrator.tell(tr(
        lang,
        "the Manager VM is shut down so that it boots afresh, as the guide asks; in global maintenance nothing starts it",
        "ガイドのとおり、Manager 用仮想マシンをシャットダウンして起動し直させます。グローバルメンテナンス中は起動されません",
    ));

    narrator.step(
        5,
        tr(
            lang,
            "Global maintenance off, waiting for the engine's health",
            "グローバルメンテナンスを無効化し、エンジンの正常性を待機",
        )
        .to_owned(),
        Some(clock),
    );
    let off = super::global_maintenance::set(engine, clock, false, GLOBAL_MAINTENANCE_MINUTES, ctx)
        .await?;
    narrator.tell(&super::global_maintenance::render_report(&off, lang));

    narrator.step(
        6,
        tr(
            lang,
            "Every cluster's hosts, one cluster at a time",
            "クラスターごとにすべてのホストを更新",
        )
        .to_owned(),
        Some(clock),
    );
    let inventory = engine.inventory().await?;
    let mut clusters: Vec<(bool, String)> = inventory
        .clusters
        .iter()
        .map(|c| {
            let hosted_engine = inventory
                .hosts
                .iter()
                .any(|h| h.cluster == c.id && h.hosted_engine.is_some());
            (!hosted_engine, c.name.clone())
        })
        .collect();
    // The guide: hosted-engine hosts first, then the others.
    clusters.sort_by_key(|(ordinary, _)| *ordinary);
    let mut summaries = Vec::new();
    let mut failed_first = Vec::new();
    for (_, cluster) in &clusters {
        let summary = rolling_upgrade(engine, clock, ctx, out, cluster, &[], &stop).await?;
        let failed: Vec<String> = summary
            .failed
            .iter()
            .filter(|f| f.failure == HostFailure::InstallFailed)
            .map(|f| f.host.clone())
            .collect();
        summaries.push(summary);
        for host in failed {
            narrator.tell(&match lang {
                Lang::En => format!("{host} failed its first installation (the demo's bad luck); as the guide says once the host-deploy log is read, it is activated and upgraded again"),
                Lang::Ja => format!("{host} は最初のインストールに失敗しました (デモの不運)。ガイドのとおり host-deploy のログを確認したら、有効化して再度アップグレードします"),
            });
            activate(engine, clock, &host).await?;
            summaries.push(
                rolling_upgrade(
                    engine,
                    clock,
                    ctx,
                    out,
                    cluster,
                    std::slice::from_ref(&host),
                    &stop,
                )
                .await?,
            );
            failed_first.push(host);
        }
        if stop.is_stopped() {
            bail!("{}", tr(lang, "the demo was stopped", "デモを停止しました"));
        }
    }

    narrator.step(
        7,
        match lang {
            Lang::En => {
                format!("The compatibility chain to {level}: clusters, their VMs, data centers")
            }
            Lang::Ja => {
                format!("互換レベル {level} への変更: クラスター、仮想マシン、データセンター")
            }
        },
        Some(clock),
    );
    let chain = compatibility_chain(engine, clock, ctx, out, level, &stop).await?;
    narrator.close(Some(clock));

    let end = engine.inventory().await?;
    let sim = engine.simulator();
    let violations = sim
        .history()
        .check(sim.inventory(), sim.now())
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut downs = BTreeSet::new();
    let mut manager_vm_seconds = 0;
    let mut manager_down_at: Option<Timestamp> = None;
    let engine_vm = end.vms.iter().find(|v| v.hosted_engine).map(|v| v.id);
    for (at, transition) in &sim.history().transitions {
        let Transition::Vm { vm, to, .. } = transition else {
            continue;
        };
        if *to == VmStatus::Down {
            if let Some(v) = end.vms.iter().find(|v| v.id == *vm) {
                downs.insert(v.name.clone());
            }
            if Some(*vm) == engine_vm {
                manager_down_at = Some(*at);
            }
        }
        if *to == VmStatus::Up && Some(*vm) == engine_vm {
            if let Some(down) = manager_down_at.take() {
                manager_vm_seconds += ((at.0 - down.0).max(0) / 1000) as u64;
            }
        }
    }
    Ok(Story {
        clusters: summaries,
        failed_first,
        chain,
        end,
        violations,
        downs,
        manager_vm_seconds,
        engine_seconds: ((clock.now().0 - began.0).max(0) / 1000) as u64,
    })
}

/// One rolling upgrade of `cluster` (only `hosts` when given), as `cluster-upgrade` runs it.
async fn rolling_upgrade(
    engine: &SimEngine,
    clock: &TokioClock,
    ctx: &Context,
    out: &Path,
    cluster: &str,
    hosts: &[String],
    stop: &StopSignal,
) -> anyhow::Result<Summary> {
    let inventory = engine.inventory().await?;
    let id = orchestrator::find_cluster(&inventory, cluster)?;
    let options = Options {
        hosts: hosts.to_vec(),
        ..Options::default()
    };
    let plan = orchestrator::plan(&inventory, id, &options)?;
    if !plan.is_feasible() {
        let blockers: Vec<String> = plan.blockers.iter().map(ToString::to_string).collect();
        bail!(
            "cluster {cluster} cannot be upgraded: {}",
            blockers.join("; ")
        );
    }
    let name = if hosts.is_empty() {
        format!("cluster-upgrade-{}.sqlite", slug(cluster))
    } else {
        format!(
            "cluster-upgrade-{}-again-{}.sqlite",
            slug(cluster),
            slug(&hosts.join("-"))
        )
    };
    let (run_id, correlation_id) = fresh_ids();
    let header = RunHeader {
        run_id: run_id.clone(),
        engine: format!("{IN_PROCESS} ({DEMO_ENVIRONMENT}), run {run_id}"),
        cluster: id,
        cluster_name: cluster.to_owned(),
        correlation_id: correlation_id.clone(),
        created_ms: clock.now().0,
        options,
    };
    let mut journal = Journal::create(&fresh_file(&out.join("journals").join(name))?, header)
        .map_err(input_error)?;
    engine.simulator().set_correlation_id(Some(correlation_id));
    let sink = Renderer::new(ctx, &plan);
    let result = orchestrator::run(engine, clock, &mut journal, plan, &sink, stop).await;
    sink.close();
    let summary = result?;
    if ctx.says(Verbosity::Normal) {
        for line in super::cluster_upgrade::render_summary(&summary, ctx.lang).lines() {
            eprintln!("      {line}");
        }
    }
    Ok(summary)
}

/// A host left in `install_failed`, activated again as the guide asks before a new attempt.
async fn activate(engine: &SimEngine, clock: &TokioClock, host: &str) -> anyhow::Result<()> {
    let inventory = engine.inventory().await?;
    let id = inventory
        .hosts
        .iter()
        .find(|h| h.name == host)
        .map(|h| h.id)
        .with_context(|| format!("host {host} is no longer on the engine"))?;
    engine
        .host_action(id, HostAction::Activate)
        .await
        .with_context(|| format!("the engine did not activate {host}"))?;
    let began = clock.now();
    while engine.host(id).await?.status != HostStatus::Up {
        if clock.now().0 - began.0 > ACTIVATION_PATIENCE_MS {
            bail!("host {host} did not come up after its activation");
        }
        clock.sleep(orchestrator::executor::POLL_INTERVAL).await;
    }
    Ok(())
}

/// `finish --to LEVEL` on the engine as it is now.
async fn compatibility_chain(
    engine: &SimEngine,
    clock: &TokioClock,
    ctx: &Context,
    out: &Path,
    level: Level,
    stop: &StopSignal,
) -> anyhow::Result<ChainSummary> {
    let inventory = engine.inventory().await?;
    let plan = chain::plan_finish(&inventory, level, &ChainOptions::default())?;
    if !plan.is_feasible() {
        let blockers: Vec<String> = plan.blockers.iter().map(ToString::to_string).collect();
        bail!(
            "the compatibility chain cannot start: {}",
            blockers.join("; ")
        );
    }
    if ctx.says(Verbosity::Normal) {
        for line in super::compat::render_plan_brief(&plan, ctx.lang).lines() {
            eprintln!("      {line}");
        }
    }
    let (run_id, correlation_id) = fresh_ids();
    let header = ChainHeader {
        run_id: run_id.clone(),
        engine: format!("{IN_PROCESS} ({DEMO_ENVIRONMENT}), run {run_id}"),
        correlation_id: correlation_id.clone(),
        created_ms: clock.now().0,
        command: format!("finish --to {level}"),
    };
    let path = fresh_file(&out.join("journals").join("finish.sqlite"))?;
    let mut journal = ChainJournal::create(&path, header).map_err(input_error)?;
    engine.simulator().set_correlation_id(Some(correlation_id));
    let sink = ChainRenderer::new(ctx, &plan);
    let result = chain::run(engine, clock, &mut journal, plan, &sink, stop).await;
    sink.close();
    let summary = result?;
    if ctx.says(Verbosity::Normal) {
        for line in super::compat::render_summary(&summary, ctx.lang).lines() {
            eprintln!("      {line}");
        }
    }
    Ok(summary)
}

/// `path`, after removing what an earlier demo left there.
fn fresh_file(path: &Path) -> anyhow::Result<PathBuf> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(input_error(anyhow!(
                "cannot replace {}: {e}",
                path.display()
            )))
        }
    }
    Ok(path.to_owned())
}

fn summarise(
    story: &Story,
    before: &Inventory,
    steps: Vec<StepTime>,
    check_before: Counts,
    check_after: Counts,
    wall_seconds: f64,
    level: Level,
) -> DemoSummary {
    let end = &story.end;
    let not_upgraded: Vec<String> = end
        .hosts
        .iter()
        .filter(|h| h.update_available || h.status != HostStatus::Up)
        .map(|h| format!("{} ({})", h.name, h.status))
        .collect();
    let pinned: Vec<VmDowntime> = story
        .clusters
        .iter()
        .flat_map(|s| s.vm_downtime.clone())
        .collect();
    let mut reported: BTreeSet<String> = pinned.iter().map(|d| d.vm.clone()).collect();
    reported.extend(
        end.vms
            .iter()
            .filter(|v| v.hosted_engine)
            .map(|v| v.name.clone()),
    );
    reported.extend(story.chain.failed.iter().map(|f| f.vm.clone()));
    let (restart_total, restart_longest) = story.chain.downtime();
    let end_state = story.chain.end_state.clone();
    DemoSummary {
        environment: before.name.clone(),
        manager_from: before.manager.version,
        manager_to: end.manager.version,
        target_level: level,
        steps,
        hosts: Hosts {
            total: end.hosts.len(),
            upgraded: end.hosts.len() - not_upgraded.len(),
            failed_first: story.failed_first.clone(),
            not_upgraded,
        },
        migrations: story.clusters.iter().map(|s| s.migrations).sum(),
        vms_moved: story.clusters.iter().map(|s| s.vms_moved).sum(),
        max_migrations_of_a_vm: story
            .clusters
            .iter()
            .map(|s| s.max_migrations_of_a_vm)
            .max()
            .unwrap_or(0),
        downtime: Downtime {
            pinned,
            manager_vm_seconds: story.manager_vm_seconds,
            restarted_for_level: story.chain.restarted.len(),
            restart_seconds_total: restart_total,
            restart_seconds_longest: restart_longest,
        },
        every_level_at_target: end_state.as_ref().is_some_and(|e| e.levels_at_target()),
        levels: end_state
            .as_ref()
            .map(|e| e.levels.clone())
            .unwrap_or_default(),
        vms_waiting_for_restart: end_state
            .map(|e| e.pending.into_iter().map(|p| p.vm).collect())
            .unwrap_or_default(),
        invariant_violations: story.violations.clone(),
        vms_down_unreported: story.downs.difference(&reported).cloned().collect(),
        check_before,
        check_after,
        engine_seconds: story.engine_seconds,
        wall_seconds,
        files: [
            "analyzer_report.html",
            "analyzer_report_after.html",
            "checklist.md",
            "checklist.html",
            "journals/",
            "summary.txt",
            "summary.json",
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect(),
    }
}

fn render_summary(summary: &DemoSummary, lang: Lang) -> String {
    let mut out = String::new();
    let verdict = match (summary.is_clean(), lang) {
        (true, Lang::En) => "done: every host upgraded, every level at the target, no VM lost",
        (true, Lang::Ja) => {
            "完了: すべてのホストを更新し、すべての互換レベルが目標に到達、失われた仮想マシンなし"
        }
        (false, Lang::En) => "finished with problems (below)",
        (false, Lang::Ja) => "問題が残りました (下記)",
    };
    let _ = writeln!(
        out,
        "{} {}: {verdict}",
        tr(lang, "Demo summary", "デモの結果"),
        summary.environment
    );
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_owned()
        } else {
            items.join(", ")
        }
    };
    let pinned: Vec<String> = summary
        .downtime
        .pinned
        .iter()
        .map(|d| format!("{} {}", d.vm, duration(d.seconds, lang)))
        .collect();
    let levels: Vec<String> = summary
        .levels
        .iter()
        .map(|o| format!("{} {} {}", o.kind, o.name, o.level))
        .collect();
    let rows = vec![
        vec![
            tr(lang, "Manager", "Manager").to_owned(),
            format!("{} → {}", summary.manager_from, summary.manager_to),
        ],
        vec![
            tr(lang, "hosts upgraded", "更新したホスト").to_owned(),
            match lang {
                Lang::En => format!(
                    "{} of {} (first installation failed: {})",
                    summary.hosts.upgraded,
                    summary.hosts.total,
                    list(&summary.hosts.failed_first)
                ),
                Lang::Ja => format!(
                    "{} / {} 台 (最初のインストールに失敗: {})",
                    summary.hosts.upgraded,
                    summary.hosts.total,
                    list(&summary.hosts.failed_first)
                ),
            },
        ],
        vec![
            tr(lang, "not upgraded", "未更新").to_owned(),
            list(&summary.hosts.not_upgraded),
        ],
        vec![
            tr(lang, "migrations", "移行").to_owned(),
            match lang {
                Lang::En => format!(
                    "{} of {} VMs, at most {} for one VM",
                    summary.migrations, summary.vms_moved, summary.max_migrations_of_a_vm
                ),
                Lang::Ja => format!(
                    "{} 回、VM {} 台、1 台で最大 {} 回",
                    summary.migrations, summary.vms_moved, summary.max_migrations_of_a_vm
                ),
            },
        ],
        vec![
            tr(lang, "pinned VMs down", "停止した固定 VM").to_owned(),
            list(&pinned),
        ],
        vec![
            tr(lang, "Manager VM down", "Manager 用 VM 停止").to_owned(),
            duration(summary.downtime.manager_vm_seconds, lang),
        ],
        vec![
            tr(lang, "VMs restarted", "再起動した VM").to_owned(),
            match (summary.downtime.restarted_for_level, lang) {
                (0, _) => "0".to_owned(),
                (n, Lang::En) => format!(
                    "{n} for level {}, {} down at most",
                    summary.target_level,
                    duration(summary.downtime.restart_seconds_longest, lang)
                ),
                (n, Lang::Ja) => format!(
                    "{n} 台 (互換レベル {})、停止は最大 {}",
                    summary.target_level,
                    duration(summary.downtime.restart_seconds_longest, lang)
                ),
            },
        ],
        vec![
            tr(lang, "levels", "互換レベル").to_owned(),
            levels.join(", "),
        ],
        vec![
            tr(lang, "VMs waiting", "再起動待ち VM").to_owned(),
            list(&summary.vms_waiting_for_restart),
        ],
        vec![
            tr(lang, "invariants", "不変条件").to_owned(),
            if summary.invariant_violations.is_empty() {
                tr(
                    lang,
                    "all kept (no VM lost, none down unasked, no host over memory)",
                    "すべて維持 (VM の喪失なし、意図しない停止なし、メモリ超過なし)",
                )
                .to_owned()
            } else {
                summary.invariant_violations.join("; ")
            },
        ],
        vec![
            tr(lang, "down, unreported", "報告のない停止").to_owned(),
            list(&summary.vms_down_unreported),
        ],
        vec![
            tr(lang, "check before", "事前チェック").to_owned(),
            counts_text(&summary.check_before, lang),
        ],
        vec![
            tr(lang, "check after", "事後チェック").to_owned(),
            counts_text(&summary.check_after, lang),
        ],
        vec![
            tr(lang, "time", "時間").to_owned(),
            match lang {
                Lang::En => format!(
                    "{} of engine time in {:.1} s of wall time",
                    duration(summary.engine_seconds, lang),
                    summary.wall_seconds
                ),
                Lang::Ja => format!(
                    "エンジン時間 {} を実時間 {:.1} 秒で",
                    duration(summary.engine_seconds, lang),
                    summary.wall_seconds
                ),
            },
        ],
    ];
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "\n{}", tr(lang, "Steps", "ステップ"));
    let step_rows: Vec<Vec<String>> = summary
        .steps
        .iter()
        .map(|s| {
            vec![
                s.step.clone(),
                duration(s.engine_seconds, lang),
                format!("{:.1} s", s.wall_seconds),
            ]
        })
        .collect();
    for line in table(&step_rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(
        out,
        "\n{} {}",
        tr(lang, "Files:", "ファイル:"),
        summary.files.join(", ")
    );
    out
}
