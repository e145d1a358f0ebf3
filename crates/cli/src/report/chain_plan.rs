//! A compatibility chain's plan: as `--dry-run` prints it, and in brief before a run.

use std::fmt::Write as _;

use model::Lang;
use orchestrator::chain::{ChainPlan, RestartMode, Stage};

use crate::text::{count_of, section, table, tr};

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
pub fn render_plan_brief(plan: &ChainPlan, lang: Lang) -> String {
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
pub fn render_plan(plan: &ChainPlan, lang: Lang) -> String {
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
