//! How runs and their results show: one progress reporter for every kind of run
//! ([`progress`]), each kind's plan, summary and status in text ([`rolling`], [`chain`],
//! [`maintenance`], [`demo`], [`migrate`]), JSON through serde.

pub mod bench;
pub mod bench_role;
pub mod chain;
pub mod chain_plan;
pub mod demo;
pub mod discrepancies;
pub mod maintenance;
pub mod migrate;
pub mod plan;
pub mod progress;
pub mod reinstall;
pub mod rolling;
pub mod rolling_plan;

use std::path::Path;

use model::{Lang, Text};
use orchestrator::state::RunPhase;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Exit;
use crate::text::tr;

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

/// `2 (a, b)`, or `-` for none.
pub fn counted(names: &[String]) -> String {
    if names.is_empty() {
        "-".into()
    } else {
        format!("{} ({})", names.len(), names.join(", "))
    }
}

/// A dry run's end: its blockers, then whether the same command without --dry-run would start
/// (`refusal` says what cannot start when it would not).
pub fn blockers_and_verdict(out: &mut String, blockers: Vec<Text>, refusal: Text, lang: Lang) {
    let feasible = blockers.is_empty();
    crate::text::section(
        out,
        tr(lang, "Blockers", "ブロッカー"),
        blockers
            .into_iter()
            .map(|b| b.into_lang(lang).into_owned())
            .collect(),
    );
    let verdict = if feasible {
        Text::new(
            "No blockers: the same command without --dry-run carries it out.",
            "ブロッカーなし: --dry-run を外すと実行します。",
        )
    } else {
        refusal
    };
    out.push('\n');
    out.push_str(verdict.get(lang));
    out.push('\n');
}

/// A journaled run's phase, as `status` shows it.
pub fn phase_text(phase: RunPhase, lang: Lang) -> String {
    let text = match phase {
        RunPhase::Planned => Text::new("planned, not started", "計画のみ、未開始"),
        RunPhase::Interrupted => Text::new(
            "interrupted: `ovirt-upgrade resume` goes on",
            "中断: `ovirt-upgrade resume` で続行します",
        ),
        RunPhase::Finished => Text::new("finished", "終了"),
    };
    text.get(lang).to_owned()
}

/// The `last record` row of a status: when, and how many records.
pub fn last_record_row(at: Option<model::Timestamp>, records: usize, lang: Lang) -> Vec<String> {
    let at = at.map_or_else(|| "-".to_owned(), |t| t.to_string());
    let when = Text::owned(
        format!("{at} ({records} records)"),
        format!("{at} (記録 {records} 件)"),
    );
    vec![
        tr(lang, "last record", "最終記録").to_owned(),
        when.into_lang(lang).into_owned(),
    ]
}

/// The end of a run as a command reports it.
pub trait RunSummary {
    fn is_clean(&self) -> bool;
    fn render(&self, lang: Lang) -> String;
}

/// Prints a run's summary (even with `-q`: it is what the command was asked for) and, when
/// it is not clean, where its journal is; the exit status says whether it is clean.
pub fn finish(summary: &impl RunSummary, ctx: &Context, journal: &Path) -> Exit {
    if ctx.output == OutputFormat::Text {
        print!("{}", summary.render(ctx.lang));
        if !summary.is_clean() {
            println!(
                "{} {}",
                tr(ctx.lang, "journal:", "ジャーナル:"),
                journal.display()
            );
        }
    }
    Exit::clean(summary.is_clean())
}
