//! A compatibility chain's plan: as `--dry-run` prints it, and in brief before a run.

use std::fmt::Write as _;

use model::{Lang, Text};
use orchestrator::chain::{ChainPlan, RestartMode, Stage};

use crate::text::{count_of, section, table, tr};

fn restarts_line(plan: &ChainPlan, lang: Lang) -> String {
    let vms = plan.restarts();
    let batch = plan.options.batch;
    let text = match plan.options.restart {
        RestartMode::Now => Text::owned(
            format!("{vms} running VMs restarted to take the level, {batch} at a time, highly available ones one at a time; the Manager's VM is never restarted"),
            format!("実行中の仮想マシン {vms} 台を再起動して新しい互換レベルを適用 ({batch} 台ずつ、高可用性の仮想マシンは 1 台ずつ)。Manager 用仮想マシンは再起動しません"),
        ),
        RestartMode::List => Text::owned(
            format!("{vms} running VMs will wait for a restart: they are listed, not restarted"),
            format!("実行中の仮想マシン {vms} 台が再起動待ちになります。一覧を表示し、再起動はしません"),
        ),
        RestartMode::Never => Text::owned(
            format!("{vms} running VMs are left to take the level at their next restart"),
            format!("実行中の仮想マシン {vms} 台は次回の再起動で新しい互換レベルになります"),
        ),
    };
    text.into_lang(lang).into_owned()
}

/// The stages and what to mind, as printed before a run.
pub fn render_plan_brief(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let (target, manager, stages) = (&plan.target, &plan.manager, plan.stages.len());
    let headline = Text::owned(
        format!(
            "Compatibility level {target} (Manager {manager}): {}",
            count_of(Lang::En, stages, ("stage", "stages"), "")
        ),
        format!("互換レベル {target} (Manager {manager}): {stages} 段階"),
    );
    let _ = writeln!(out, "{}", headline.get(lang));
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
pub fn render_plan(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let (target, manager) = (&plan.target, &plan.manager);
    let headline = Text::owned(
        format!("Compatibility chain to level {target} (Manager {manager})"),
        format!("互換レベル {target} への変更 (Manager {manager})"),
    );
    let _ = writeln!(out, "{}", headline.get(lang));
    let _ = writeln!(out, "  {}", restarts_line(plan, lang));
    let mut rows = Vec::new();
    for (i, stage) in plan.stages.iter().enumerate() {
        let restarts = match stage {
            Stage::Cluster {
                restarts,
                highly_available,
                ..
            } => Text::owned(
                format!("{restarts} VMs to restart ({highly_available} highly available)"),
                format!("再起動する仮想マシン {restarts} 台 (高可用性 {highly_available} 台)"),
            ),
            Stage::DataCenter { .. } => Text::same(""),
        };
        rows.push(vec![
            format!("{}.", i + 1),
            stage.message().into_lang(lang).into_owned(),
            restarts.into_lang(lang).into_owned(),
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
    super::blockers_and_verdict(
        &mut out,
        plan.blockers.iter().map(|b| b.message()).collect(),
        Text::new(
            "The chain cannot start until the blockers are dealt with.",
            "ブロッカーを解消するまで実行できません。",
        ),
        lang,
    );
    out
}
