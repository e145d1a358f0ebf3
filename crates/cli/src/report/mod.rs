//! How runs and their results show: one progress reporter for every kind of run
//! ([`progress`]), each kind's plan, summary and status in text ([`rolling`], [`chain`],
//! [`maintenance`], [`demo`], [`migrate`]), JSON through serde.

pub mod bench;
pub mod bench_role;
pub mod chain;
pub mod chain_plan;
pub mod demo;
pub mod maintenance;
pub mod migrate;
pub mod progress;
pub mod rolling;
pub mod rolling_plan;

use std::path::Path;

use model::Lang;
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

/// `1 h 21 min`, `16 min`, `45 s`.
pub fn duration(seconds: u64, lang: Lang) -> String {
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

/// `2 (a, b)`, or `-` for none.
pub fn counted(names: &[String]) -> String {
    if names.is_empty() {
        "-".into()
    } else {
        format!("{} ({})", names.len(), names.join(", "))
    }
}

/// A journaled run's phase, as `status` shows it.
pub fn phase_text(phase: RunPhase, lang: Lang) -> &'static str {
    match (phase, lang) {
        (RunPhase::Planned, Lang::En) => "planned, not started",
        (RunPhase::Planned, Lang::Ja) => "計画のみ、未開始",
        (RunPhase::Interrupted, Lang::En) => "interrupted: `ovirt-upgrade resume` goes on",
        (RunPhase::Interrupted, Lang::Ja) => "中断: `ovirt-upgrade resume` で続行します",
        (RunPhase::Finished, Lang::En) => "finished",
        (RunPhase::Finished, Lang::Ja) => "終了",
    }
}

/// The `last record` row of a status: when, and how many records.
pub fn last_record_row(at: Option<model::Timestamp>, records: usize, lang: Lang) -> Vec<String> {
    let at = at.map_or_else(|| "-".to_owned(), |t| t.to_string());
    vec![
        tr(lang, "last record", "最終記録").to_owned(),
        match lang {
            Lang::En => format!("{at} ({records} records)"),
            Lang::Ja => format!("{at} (記録 {records} 件)"),
        },
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
