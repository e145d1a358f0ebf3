//! `ovirt-upgrade demo`: a whole minor update, once, end to end, on the embedded simulated
//! engine: check → checklist → the orchestrator's workflow (global maintenance on → the
//! Manager's update → global maintenance off → every cluster's hosts → the compatibility
//! chain) → check again. The demo only chains them and tells the story, leaving the reports,
//! the checklist, the journals and a summary in one folder.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use clap::Args;
use guide::{Choices, VersionSpec};
use model::{release, Text};
use orchestrator::workflow::{
    self, VmTransition, WorkflowHeader, WorkflowJournal, WorkflowOptions, WorkflowOutcome,
};
use orchestrator::{StopSignal, TokioClock};
use ovirt_sim::invariants::Transition;
use ovirt_sim::SimEngine;

use super::check::analyse;
use super::plan::{checklist, DocumentArgs};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::report::demo::{counts_text, render_summary, summarise, Narrator, Observed};
use crate::runs::clock::{today, wall_clock};
use crate::runs::ids::RunIds;
use crate::runs::runtime::{runtime, watch_ctrl_c};
use crate::runs::target::{
    check_speed, simulated_engine, JournalEngine, SimulatedSetup, DEFAULT_SIM_SPEED,
};
use crate::text::tr;

/// The example the demo upgrades.
const DEMO_ENVIRONMENT: &str = "example:demo";
/// The demo's bad luck, as examples/demo.toml announces: the first installation on this host
/// fails; the demo then does what the guide asks and upgrades it again.
const DEMO_FAULTS: &str = "install-fail-once:dev-host02";

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

pub fn run(args: DemoArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let speed = check_speed(args.sim_speed)?;
    let lang = ctx.lang;
    // The steps speak through their own reporters; with JSON asked for, only the summary shows.
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
    let journals = out.join("journals");
    clear_journals(&journals)?;
    let mut inventory = scenario::load(DEMO_ENVIRONMENT)?;
    let now = today();
    // The guide's first step, engine-backup, taken today.
    inventory.manager.last_backup = Some(now);
    let to = checks::default_target(inventory.manager.version);
    let level = *release::supported_cluster_levels(to)
        .last()
        .expect("every release offers levels");
    let plan = workflow::plan(&inventory, to, level, WorkflowOptions::default());
    // The checks and the checklist come before the workflow's steps, a check after them.
    let steps = plan.steps.len() + 3;
    let narrator = Narrator::new(&inner, steps, 2);
    if inner.says(Verbosity::Normal) {
        eprintln!("ovirt-upgrade demo: {}", inventory.name);
        let (from, files) = (&inventory.manager.version, out.display());
        let what = Text::owned(
            format!("Manager {from} → {to}, cluster levels → {level}, on the embedded simulated engine at {speed}× real time; files go to {files}"),
            format!("Manager {from} → {to}、互換レベル → {level}。組み込みのシミュレーションエンジンで実時間の {speed} 倍の速さで実行し、ファイルは {files} に出力します"),
        );
        eprintln!("{}", what.get(lang));
    }
    let wall = Instant::now();

    narrator.step(
        1,
        Text::owned(
            format!("Check the environment for {to}"),
            format!("{to} に向けて環境をチェック"),
        )
        .into_lang(lang)
        .into_owned(),
        None,
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
        None,
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
    crate::report::plan::write_documents(&guide_plan, &documents, None, &silent)?;
    let (steps_in_guide, checklist) = (guide_plan.steps().count(), out.join("checklist.md"));
    let checklist = checklist.display();
    let written = Text::owned(
        format!("{steps_in_guide} steps → {checklist}, checklist.html"),
        format!("手順 {steps_in_guide} 件 → {checklist}、checklist.html"),
    );
    narrator.tell(written.get(lang));

    let start = wall_clock();
    let faults = DEMO_FAULTS.parse().expect("the demo's faults parse");
    let engine = simulated_engine(&inventory, faults, args.sim_seed, speed, start);
    let ids = RunIds::fresh();
    engine
        .simulator()
        .set_correlation_id(Some(ids.correlation.clone()));
    let header = WorkflowHeader {
        engine: JournalEngine::InProcess {
            environment: DEMO_ENVIRONMENT.to_owned(),
            run: ids.run.clone(),
        }
        .to_string(),
        run_id: ids.run,
        correlation_id: ids.correlation,
        created_ms: start.0,
        journals: journals.display().to_string(),
    };
    let mut journal = WorkflowJournal::create(&journals.join("workflow.sqlite"), header)?;
    let summary = runtime()?.block_on(async {
        let clock = TokioClock::new(start, speed);
        let stop = Arc::new(StopSignal::new());
        watch_ctrl_c(
            stop.clone(),
            narrator.printer(),
            tr(
                lang,
                "stopping: the run under way stops gently and the demo ends; Ctrl-C again leaves at once",
                "停止します: 実行中の処理を穏やかに止めてデモを終えます。もう一度 Ctrl-C ですぐに終了します",
            )
            .to_owned(),
        );
        let setup = SimulatedSetup(&engine);
        workflow::run(&engine, &clock, &setup, &mut journal, plan, &narrator, &stop).await
    })?;
    if let WorkflowOutcome::Interrupted { .. } = summary.outcome {
        bail!("{}", tr(lang, "the demo was stopped", "デモを停止しました"));
    }
    let observed = observe(&engine);

    narrator.step(
        steps,
        Text::owned(
            format!("Check again, on {to}"),
            format!("{to} で再チェック"),
        )
        .into_lang(lang)
        .into_owned(),
        None,
    );
    let after_html = out.join("analyzer_report_after.html");
    let end = &observed.end;
    let check_after = analyse(end, end.manager.version, now, Some(&after_html), lang)?.counts();
    narrator.tell(&format!(
        "{} → {}",
        counts_text(&check_after, lang),
        after_html.display()
    ));
    narrator.close(None);

    let summary = summarise(
        &inventory,
        &summary,
        &observed,
        narrator.into_steps(),
        check_before,
        check_after,
        wall.elapsed().as_secs_f64(),
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
    Ok(Exit::clean(summary.is_clean()))
}

/// The demo's folder with an empty `journals` in it: the journals of an earlier demo go.
fn clear_journals(journals: &std::path::Path) -> anyhow::Result<()> {
    let cannot = |e: std::io::Error| {
        input_error(anyhow::Error::new(e).context(format!(
            "cannot prepare the demo's folder {}",
            journals.display()
        )))
    };
    std::fs::create_dir_all(journals).map_err(cannot)?;
    for entry in std::fs::read_dir(journals).map_err(cannot)? {
        let path = entry.map_err(cannot)?.path();
        if path.extension().is_some_and(|e| e == "sqlite") {
            std::fs::remove_file(&path).map_err(cannot)?;
        }
    }
    Ok(())
}

/// What the simulated engine shows at the end: the environment, every VM's transitions and
/// the invariants it checked all along.
fn observe(engine: &SimEngine) -> Observed {
    let sim = engine.simulator();
    Observed {
        end: sim.inventory().clone(),
        transitions: sim
            .history()
            .transitions
            .iter()
            .filter_map(|(at, t)| match t {
                Transition::Vm { vm, to, .. } => Some(VmTransition {
                    at: *at,
                    vm: *vm,
                    to: *to,
                }),
                _ => None,
            })
            .collect(),
        violations: sim
            .history()
            .check(sim.inventory(), sim.now())
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}
