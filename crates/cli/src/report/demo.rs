//! The demo as it shows: the story told step by step while the workflow runs (each run's
//! progress through the one reporter, its summary once its bars are gone), the summary of
//! the whole, and where a journaled workflow stands.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use checks::Counts;
use model::text::duration;
use model::{Inventory, Lang, Level, Text, Timestamp, Version};
use orchestrator::chain::state::StagePhase;
use orchestrator::chain::LevelObject;
use orchestrator::event::VmDowntime;
use orchestrator::workflow::{self, VmTransition, WorkflowStatus, WorkflowSummary};
use orchestrator::{EventSink, RunEvent};
use serde::Serialize;

use super::chain_plan::render_plan_brief;
use super::maintenance::render_report;
use super::progress::Progress;
use super::{chain, counted, last_record_row, phase_text, rolling};
use crate::context::{Context, Verbosity};
use crate::text::{table, tr};

/// Tells the demo's steps as they go, and times them: the command's own steps, and the
/// workflow's, from its events.
pub struct Narrator {
    lang: Lang,
    says: bool,
    progress: Progress,
    of: usize,
    /// The command's steps before the workflow's.
    before: usize,
    steps: Mutex<Vec<StepTime>>,
    /// The step under way, when it began on the wall clock and, for steps on the engine, in
    /// engine time.
    current: Mutex<Option<(String, Instant, Option<Timestamp>)>>,
}

impl Narrator {
    /// For `of` steps, of which the workflow's come after `before` of the command's.
    pub fn new(ctx: &Context, of: usize, before: usize) -> Narrator {
        Narrator {
            lang: ctx.lang,
            says: ctx.says(Verbosity::Normal),
            progress: Progress::new(ctx),
            of,
            before,
            steps: Mutex::new(Vec::new()),
            current: Mutex::new(None),
        }
    }

    /// A way to print a line that keeps the bars intact, for the Ctrl-C handler.
    pub fn printer(&self) -> impl Fn(&str) + Send + 'static {
        self.progress.printer()
    }

    /// Step `number` begins; `at` is the engine's time for steps on the engine.
    pub fn step(&self, number: usize, title: String, at: Option<Timestamp>) {
        self.close(at);
        if self.says {
            eprintln!("\n[{number}/{}] {title}", self.of);
        }
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some((title, Instant::now(), at));
    }

    pub fn tell(&self, text: &str) {
        if self.says {
            for line in text.lines() {
                eprintln!("      {line}");
            }
        }
    }

    /// The step under way ends, at `at` in engine time for steps on the engine.
    pub fn close(&self, at: Option<Timestamp>) {
        let current = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some((step, began, began_at)) = current {
            let engine_seconds = match (at, began_at) {
                (Some(at), Some(began)) => ((at.0 - began.0).max(0) / 1000) as u64,
                _ => 0,
            };
            self.steps
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(StepTime {
                    step,
                    engine_seconds,
                    wall_seconds: began.elapsed().as_secs_f64(),
                });
        }
    }

    /// Every step told, with what it took.
    pub fn into_steps(self) -> Vec<StepTime> {
        self.steps.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl EventSink for Narrator {
    fn emit(&self, at: Timestamp, event: RunEvent) {
        let lang = self.lang;
        let told = match &event {
            RunEvent::WorkflowStepStarted { step, what, .. } => {
                self.step(
                    self.before + step,
                    what.message().into_lang(lang).into_owned(),
                    Some(at),
                );
                None
            }
            RunEvent::GlobalMaintenanceSet { report } => Some(render_report(report, lang)),
            RunEvent::ManagerUpdated { .. } => Some(tr(
                lang,
                "the Manager VM is shut down so that it boots afresh, as the guide asks; in global maintenance nothing starts it",
                "ガイドのとおり、Manager 用仮想マシンをシャットダウンして起動し直させます。グローバルメンテナンス中は起動されません",
            ).to_owned()),
            RunEvent::HostRetrying { host } => Some(Text::owned(
                format!("{host} failed its first installation (the demo's bad luck); as the guide says once the host-deploy log is read, it is activated and upgraded again"),
                format!("{host} は最初のインストールに失敗しました (デモの不運)。ガイドのとおり host-deploy のログを確認したら、有効化して再度アップグレードします"),
            ).into_lang(lang).into_owned()),
            RunEvent::ChainPlanned { plan } => Some(render_plan_brief(plan, lang)),
            RunEvent::RunFinished { summary } => Some(rolling::render_summary(summary, lang)),
            RunEvent::ChainFinished { summary } => Some(chain::render_summary(summary, lang)),
            RunEvent::WorkflowFinished { .. } => {
                self.close(Some(at));
                None
            }
            _ => None,
        };
        // The run's lines and bars first: its summary shows once its bars are gone.
        self.progress.emit(at, event);
        if let Some(text) = told {
            self.tell(&text);
        }
    }
}

/// One step of the demo and what it took.
#[derive(Debug, Serialize)]
pub struct StepTime {
    pub step: String,
    /// Simulated engine time.
    pub engine_seconds: u64,
    pub wall_seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct Hosts {
    pub total: usize,
    pub upgraded: usize,
    /// Hosts whose first installation failed, upgraded again afterwards.
    pub failed_first: Vec<String>,
    /// Hosts not upgraded at the end, with their state.
    pub not_upgraded: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Downtime {
    /// Pinned VMs shut down while their host was upgraded.
    pub pinned: Vec<VmDowntime>,
    /// The Manager VM, from its shutdown after engine-setup until it ran again.
    pub manager_vm_seconds: u64,
    /// VMs restarted to take the new level.
    pub restarted_for_level: usize,
    pub restart_seconds_total: u64,
    pub restart_seconds_longest: u64,
}

/// What the demo did, as summary.json holds it.
#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub environment: String,
    pub manager_from: Version,
    pub manager_to: Version,
    pub target_level: Level,
    pub steps: Vec<StepTime>,
    pub hosts: Hosts,
    pub migrations: usize,
    pub vms_moved: usize,
    pub max_migrations_of_a_vm: u32,
    pub downtime: Downtime,
    pub levels: Vec<LevelObject>,
    pub every_level_at_target: bool,
    pub vms_waiting_for_restart: Vec<String>,
    /// The simulator's invariant checker over the whole run: VMs lost, VMs down that nobody
    /// stopped, hosts over their memory.
    pub invariant_violations: Vec<String>,
    /// VMs that went down and are not among the pinned VMs reported, the Manager VM or the
    /// VMs reported as not back.
    pub vms_down_unreported: Vec<String>,
    pub check_before: Counts,
    pub check_after: Counts,
    pub engine_seconds: u64,
    pub wall_seconds: f64,
    pub files: Vec<String>,
}

impl DemoSummary {
    pub fn is_clean(&self) -> bool {
        self.hosts.not_upgraded.is_empty()
            && self.every_level_at_target
            && self.vms_waiting_for_restart.is_empty()
            && self.invariant_violations.is_empty()
            && self.vms_down_unreported.is_empty()
    }
}

/// What the engine showed at the end, besides the workflow's own summary.
pub struct Observed {
    pub end: Inventory,
    pub transitions: Vec<VmTransition>,
    /// The simulator's invariant checker over the whole run.
    pub violations: Vec<String>,
}

/// The summary of the demo, from the workflow's and what the engine showed.
pub fn summarise(
    before: &Inventory,
    workflow: &WorkflowSummary,
    observed: &Observed,
    steps: Vec<StepTime>,
    check_before: Counts,
    check_after: Counts,
    wall_seconds: f64,
) -> DemoSummary {
    let end = &observed.end;
    let not_upgraded: Vec<String> = workflow::hosts_left_behind(end)
        .iter()
        .map(|h| format!("{} ({})", h.name, h.status))
        .collect();
    let manager_vm_seconds = end.vms.iter().find(|v| v.hosted_engine).map_or(0, |vm| {
        workflow::manager_vm_downtime(&observed.transitions, vm.id)
    });
    let chain = workflow.chain.as_ref();
    let (restart_total, restart_longest) = chain.map_or((0, 0), |c| c.downtime());
    let end_state = chain.and_then(|c| c.end_state.clone());
    DemoSummary {
        environment: before.name.clone(),
        manager_from: before.manager.version,
        manager_to: end.manager.version,
        target_level: workflow.level,
        steps,
        hosts: Hosts {
            total: end.hosts.len(),
            upgraded: end.hosts.len() - not_upgraded.len(),
            failed_first: workflow.retried.clone(),
            not_upgraded,
        },
        migrations: workflow.migrations(),
        vms_moved: workflow.vms_moved(),
        max_migrations_of_a_vm: workflow.max_migrations_of_a_vm(),
        downtime: Downtime {
            pinned: workflow
                .rolling
                .iter()
                .flat_map(|s| s.vm_downtime.clone())
                .collect(),
            manager_vm_seconds,
            restarted_for_level: chain.map_or(0, |c| c.restarted.len()),
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
        invariant_violations: observed.violations.clone(),
        vms_down_unreported: workflow::unreported_downs(&observed.transitions, end, workflow),
        check_before,
        check_after,
        engine_seconds: workflow.duration_seconds,
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

pub fn counts_text(counts: &Counts, lang: Lang) -> String {
    let Counts {
        total,
        failures,
        warnings,
        info,
        passed,
        ..
    } = counts;
    Text::owned(
        format!("{total} rules: {failures} FAIL, {warnings} WARN, {info} INFO, {passed} PASS"),
        format!("ルール {total} 件: FAIL {failures}、WARN {warnings}、INFO {info}、PASS {passed}"),
    )
    .into_lang(lang)
    .into_owned()
}

pub fn render_summary(summary: &DemoSummary, lang: Lang) -> String {
    let mut out = String::new();
    let verdict = if summary.is_clean() {
        Text::new(
            "done: every host upgraded, every level at the target, no VM lost",
            "完了: すべてのホストを更新し、すべての互換レベルが目標に到達、失われた仮想マシンなし",
        )
    } else {
        Text::new("finished with problems (below)", "問題が残りました (下記)")
    };
    let verdict = verdict.get(lang);
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
        .map(|d| format!("{} {}", d.vm, duration(d.seconds).into_lang(lang)))
        .collect();
    let levels: Vec<String> = summary
        .levels
        .iter()
        .map(|o| format!("{} {} {}", o.kind, o.name, o.level))
        .collect();
    let (upgraded, total) = (summary.hosts.upgraded, summary.hosts.total);
    let failed_first = list(&summary.hosts.failed_first);
    let (migrations, moved, most) = (
        summary.migrations,
        summary.vms_moved,
        summary.max_migrations_of_a_vm,
    );
    let (engine, wall) = (duration(summary.engine_seconds), summary.wall_seconds);
    let rows = vec![
        vec![
            tr(lang, "Manager", "Manager").to_owned(),
            format!("{} → {}", summary.manager_from, summary.manager_to),
        ],
        vec![
            tr(lang, "hosts upgraded", "更新したホスト").to_owned(),
            Text::owned(
                format!("{upgraded} of {total} (first installation failed: {failed_first})"),
                format!("{upgraded} / {total} 台 (最初のインストールに失敗: {failed_first})"),
            )
            .into_lang(lang)
            .into_owned(),
        ],
        vec![
            tr(lang, "not upgraded", "未更新").to_owned(),
            list(&summary.hosts.not_upgraded),
        ],
        vec![
            tr(lang, "migrations", "移行").to_owned(),
            Text::owned(
                format!("{migrations} of {moved} VMs, at most {most} for one VM"),
                format!("{migrations} 回、VM {moved} 台、1 台で最大 {most} 回"),
            )
            .into_lang(lang)
            .into_owned(),
        ],
        vec![
            tr(lang, "pinned VMs down", "停止した固定 VM").to_owned(),
            list(&pinned),
        ],
        vec![
            tr(lang, "Manager VM down", "Manager 用 VM 停止").to_owned(),
            duration(summary.downtime.manager_vm_seconds)
                .into_lang(lang)
                .into_owned(),
        ],
        vec![
            tr(lang, "VMs restarted", "再起動した VM").to_owned(),
            match summary.downtime.restarted_for_level {
                0 => "0".to_owned(),
                n => {
                    let (level, longest) = (
                        &summary.target_level,
                        duration(summary.downtime.restart_seconds_longest),
                    );
                    Text::owned(
                        format!("{n} for level {level}, {} down at most", longest.en),
                        format!("{n} 台 (互換レベル {level})、停止は最大 {}", longest.ja),
                    )
                    .into_lang(lang)
                    .into_owned()
                }
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
            Text::owned(
                format!("{} of engine time in {wall:.1} s of wall time", engine.en),
                format!("エンジン時間 {} を実時間 {wall:.1} 秒で", engine.ja),
            )
            .into_lang(lang)
            .into_owned(),
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
                duration(s.engine_seconds).into_lang(lang).into_owned(),
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

/// Where a journaled workflow stands: its steps and the journals of its runs.
pub fn render_status(status: &WorkflowStatus, path: &Path, lang: Lang) -> String {
    let finished: Vec<String> = status
        .runs
        .iter()
        .filter(|r| r.finished)
        .map(|r| r.journal.clone())
        .collect();
    let under_way: Vec<String> = status
        .runs
        .iter()
        .filter(|r| !r.finished)
        .map(|r| r.journal.clone())
        .collect();
    let rows = vec![
        vec![
            tr(lang, "journal", "ジャーナル").to_owned(),
            path.display().to_string(),
        ],
        vec![
            tr(lang, "engine", "エンジン").to_owned(),
            status.engine.clone(),
        ],
        vec![tr(lang, "run", "実行").to_owned(), status.run_id.clone()],
        vec![
            tr(lang, "state", "状態").to_owned(),
            phase_text(status.state, lang),
        ],
        vec![
            tr(lang, "runs finished", "終了した実行").to_owned(),
            counted(&finished),
        ],
        vec![
            tr(lang, "run under way", "実行中").to_owned(),
            counted(&under_way),
        ],
        vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            status.stopped_because.clone().unwrap_or_else(|| "-".into()),
        ],
        last_record_row(status.last_record_at, status.records, lang),
    ];
    let mut out = table(&rows);
    let _ = writeln!(out, "\n{}", tr(lang, "Steps", "ステップ"));
    for step in &status.steps {
        let mark = match step.state {
            StagePhase::Done => "[x]",
            StagePhase::UnderWay => "[>]",
            StagePhase::Pending => "[ ]",
        };
        let _ = writeln!(out, "  {mark} {}", step.step.message().get(lang));
    }
    out
}
