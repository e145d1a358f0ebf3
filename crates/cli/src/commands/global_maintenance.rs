//! `ovirt-upgrade global-maintenance on|off|status`: the self-hosted engine's global
//! maintenance through the Manager VM's `maintenance` action, and its state as
//! `hosted-engine --vm-status` shows it.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use model::engine::Engine;
use model::{Lang, Timestamp};
use orchestrator::hosted_engine::{
    self, GlobalMaintenance, GlobalMaintenanceReport, HostedEngineError, HostedEngineView,
};
use orchestrator::{Clock, EventSink, RunEvent, TokioClock};

use super::cluster_upgrade::{
    duration, fresh_ids, parse_minutes, runtime, wall_clock, SimArgs, Target,
};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::input_error;
use crate::text::{table, tr};

/// Turn a self-hosted engine's global maintenance on or off, or show it.
#[derive(Debug, Args)]
#[command(after_help = "\
`on` before the Manager's update: the HA agents then leave the Manager VM alone. `off` after it:
the agents start the Manager VM again when it is down, and the command waits until the engine
reports {\"health\": \"good\", \"vm\": \"up\", \"detail\": \"Up\"}, telling each status on the way
(\"Powering up\" while the VM boots; the guide allows up to ten minutes). `status` shows every
hosted-engine host like `hosted-engine --vm-status`. Asking for the state it is in already
changes nothing.

Examples:
  ovirt-upgrade global-maintenance status --sim
  ovirt-upgrade global-maintenance on --sim example:demo
  ovirt-upgrade global-maintenance off --timeout 20m
  ovirt-upgrade global-maintenance status --engine https://engine.example.com/ovirt-engine/api

Exit codes: 0 done (or already so); 1 the engine refused, or did not come back in time; 2 an
environment without a hosted engine, or a bad option.")]
pub struct GlobalMaintenanceArgs {
    /// What to do.
    #[arg(value_enum)]
    pub action: MaintenanceAction,
    /// How long the hosts may take to report it and, turning it off, the engine to come back
    /// with good health: minutes (15m, 20) or hours (1h).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_minutes)]
    pub timeout: u32,
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaintenanceAction {
    On,
    Off,
    Status,
}

pub fn run(args: GlobalMaintenanceArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let target = Target::choose(&args.sim, ctx, &fresh_ids().1)?;
    let start = wall_clock();
    match target {
        // A real engine runs in real time.
        Target::Live(live) => live.runtime.block_on(execute(
            &live.client,
            &TokioClock::new(start, 1.0),
            args.action,
            args.timeout,
            ctx,
        )),
        Target::Sim(sim) => runtime()?.block_on(async {
            let engine = sim.engine(start);
            let clock = TokioClock::new(start, sim.speed);
            execute(&engine, &clock, args.action, args.timeout, ctx).await
        }),
    }
}

/// The command against any engine.
pub(crate) async fn execute<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    action: MaintenanceAction,
    timeout_minutes: u32,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let enabled = match action {
        MaintenanceAction::Status => {
            let inventory = engine
                .inventory()
                .await
                .context("cannot read the environment from the engine")?;
            let view = HostedEngineView::of(&inventory).map_err(refusal)?;
            match ctx.output {
                OutputFormat::Json => super::print_json(&view)?,
                OutputFormat::Text => print!("{}", render_view(&view, ctx.lang)),
            }
            return Ok(ExitCode::SUCCESS);
        }
        MaintenanceAction::On => true,
        MaintenanceAction::Off => false,
    };
    let report = set(engine, clock, enabled, timeout_minutes, ctx).await?;
    match ctx.output {
        OutputFormat::Json => super::print_json(&report)?,
        OutputFormat::Text => print!("{}", render_report(&report, ctx.lang)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Sets global maintenance, telling the engine's statuses on the way; shared with the demo.
pub(crate) async fn set<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    enabled: bool,
    timeout_minutes: u32,
    ctx: &Context,
) -> anyhow::Result<GlobalMaintenanceReport> {
    let sink = StatusLines {
        lang: ctx.lang,
        says: ctx.says(Verbosity::Normal),
        verbose: ctx.says(Verbosity::Verbose),
    };
    let timeout = Duration::from_secs(u64::from(timeout_minutes) * 60);
    hosted_engine::set_global_maintenance(engine, clock, enabled, timeout, &sink)
        .await
        .map_err(refusal)
}

/// A missing hosted engine is the user's input; the rest are failures.
fn refusal(error: HostedEngineError) -> anyhow::Error {
    match error {
        HostedEngineError::NoHostedEngine { .. } => input_error(error),
        other => anyhow::Error::new(other),
    }
}

/// Tells each engine status while waiting, on standard error; nothing with `-q` or JSON.
struct StatusLines {
    lang: Lang,
    says: bool,
    verbose: bool,
}

impl EventSink for StatusLines {
    fn emit(&self, at: Timestamp, event: RunEvent) {
        if !self.says {
            return;
        }
        let lang = self.lang;
        let text = match &event {
            RunEvent::EngineStatus { status } => {
                let waiting = if status.is_healthy() {
                    ""
                } else {
                    tr(lang, " (waiting)", " (待機中)")
                };
                format!(
                    "{} {status}{waiting}",
                    tr(lang, "engine status", "エンジンの状態:")
                )
            }
            RunEvent::Retrying { call, error } if self.verbose => {
                format!("{} {call}: {error}", tr(lang, "retrying", "再試行"))
            }
            _ => return,
        };
        eprintln!("{} {text}", &at.to_string()[11..19]);
    }
}

fn yes_no(value: bool, lang: Lang) -> &'static str {
    match (value, lang) {
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
        (true, Lang::Ja) => "はい",
        (false, Lang::Ja) => "いいえ",
    }
}

/// The view as `hosted-engine --vm-status` would give it, one row per host.
pub(crate) fn render_view(view: &HostedEngineView, lang: Lang) -> String {
    let mut out = String::new();
    let running = view.running_on.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(
        out,
        "{} {} ({}, {} {running})",
        tr(lang, "Manager VM", "Manager 用仮想マシン"),
        view.engine_vm,
        view.vm_status,
        tr(lang, "on", "ホスト")
    );
    let _ = writeln!(
        out,
        "{} {}",
        tr(lang, "Engine status:", "エンジンの状態:"),
        view.engine_status
    );
    let mut rows = vec![vec![
        tr(lang, "host", "ホスト").to_owned(),
        tr(lang, "state", "状態").to_owned(),
        tr(lang, "score", "スコア").to_owned(),
        tr(lang, "local maint.", "ローカルメンテ").to_owned(),
        tr(lang, "global maint.", "グローバルメンテ").to_owned(),
        tr(lang, "engine status", "エンジンの状態").to_owned(),
    ]];
    for host in &view.hosts {
        rows.push(vec![
            host.name.clone(),
            host.status.to_string(),
            host.score.to_string(),
            yes_no(host.local_maintenance, lang).to_owned(),
            if host.agent_alive {
                yes_no(host.global_maintenance, lang).to_owned()
            } else {
                // The engine cannot poll a host without its agent: the flag is an old one.
                format!(
                    "{} ({})",
                    yes_no(host.global_maintenance, lang),
                    tr(lang, "stale", "未更新")
                )
            },
            host.engine_status.to_string(),
        ]);
    }
    out.push_str(&table(&rows));
    match view.global_maintenance {
        GlobalMaintenance::On => out.push_str(tr(
            lang,
            "\n!! Cluster is in GLOBAL MAINTENANCE mode !!\n",
            "\n!! クラスターはグローバルメンテナンスモードです !!\n",
        )),
        GlobalMaintenance::Partly => out.push_str(tr(
            lang,
            "\nThe hosts disagree about global maintenance: their HA agents have not all caught up.\n",
            "\nグローバルメンテナンスについてホストの報告が一致しません (HA エージェントが追いついていません)。\n",
        )),
        GlobalMaintenance::Off => {}
    }
    out
}

pub(crate) fn render_report(report: &GlobalMaintenanceReport, lang: Lang) -> String {
    let mut out = String::new();
    let line = match (report.enabled, report.already, lang) {
        (true, true, Lang::En) => "Global maintenance was on already; nothing was changed.".to_owned(),
        (true, true, Lang::Ja) => "グローバルメンテナンスはすでに有効でした。何も変更していません。".to_owned(),
        (true, false, Lang::En) => "Global maintenance is on: the HA agents leave the Manager VM alone; the Manager can be updated.".to_owned(),
        (true, false, Lang::Ja) => "グローバルメンテナンスを有効にしました。HA エージェントは Manager 用仮想マシンに手を出さないため、Manager を更新できます。".to_owned(),
        (false, true, Lang::En) => format!(
            "Global maintenance was off already; the engine is healthy ({}).",
            report.view.engine_status
        ),
        (false, true, Lang::Ja) => format!(
            "グローバルメンテナンスはすでに無効でした。エンジンは正常です ({})。",
            report.view.engine_status
        ),
        (false, false, Lang::En) => format!(
            "Global maintenance is off and the engine is healthy again after {}: {}",
            duration(report.seconds, lang),
            report.view.engine_status
        ),
        (false, false, Lang::Ja) => format!(
            "グローバルメンテナンスを無効にしました。{} 後にエンジンが正常に戻りました: {}",
            duration(report.seconds, lang),
            report.view.engine_status
        ),
    };
    let _ = writeln!(out, "{line}");
    out
}
