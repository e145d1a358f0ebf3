//! The compatibility chain as it shows: its progress lines and bars, its summary and where
//! a journaled chain stands.

use std::fmt::Write as _;
use std::path::Path;

use indicatif::MultiProgress;
use model::text::duration;
use model::{Lang, Text, Timestamp};
use orchestrator::chain::{self, ChainStatus, ChainSummary};
use orchestrator::RunEvent;

use super::progress::{Bars, RunBars};
use super::{counted, last_record_row, phase_text, RunSummary};
use crate::text::{table, tr};

/// A chain's bars, from its start: the level's progress with the stage under way, and the
/// VM restarts with the batch under way.
pub fn start_bars(multi: &MultiProgress, event: &RunEvent, lang: Lang) -> Option<Box<dyn RunBars>> {
    let RunEvent::ChainStarted {
        target, restarts, ..
    } = event
    else {
        return None;
    };
    let bars = Bars::new(
        multi,
        format!("{} {target}", tr(lang, "level", "互換レベル")),
        tr(lang, "VM restarts", "VM 再起動"),
        *restarts as u64,
    );
    Some(Box::new(ChainBars { bars, lang }))
}

struct ChainBars {
    bars: Bars,
    lang: Lang,
}

impl RunBars for ChainBars {
    fn update(&mut self, _: Timestamp, event: &RunEvent) {
        match event {
            RunEvent::Progress { percent } => self.bars.overall.set_position(u64::from(*percent)),
            RunEvent::StageStarted { stage, of, label } => self
                .bars
                .overall
                .set_message(format!("{stage}/{of} {label}")),
            RunEvent::RestartBatch {
                cluster, batch, of, ..
            } => self.bars.count.set_message(format!(
                "{cluster} {} {batch}/{of}",
                tr(self.lang, "batch", "バッチ")
            )),
            RunEvent::VmRestarted { .. } | RunEvent::VmNotRestarted { .. } => self.bars.count_one(),
            _ => {}
        }
    }

    fn finish(&mut self) {
        self.bars.finish();
    }
}

pub fn render_summary(summary: &ChainSummary, lang: Lang) -> String {
    let mut out = String::new();
    let (target, took) = (&summary.target, duration(summary.duration_seconds));
    let outcome = summary.outcome.message();
    let headline = Text::owned(
        format!(
            "Compatibility level {target}: {}, in {}",
            outcome.en, took.en
        ),
        format!("互換レベル {target}: {}、所要 {}", outcome.ja, took.ja),
    );
    let _ = writeln!(out, "{}", headline.get(lang));
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
    let restarted = match summary.restarted.len() {
        0 => String::new(),
        n => {
            let (average, most) = (duration(total / n as u64), duration(longest));
            Text::owned(
                format!("downtime {} on average, {} at most", average.en, most.en),
                format!("停止時間 平均 {}、最大 {}", average.ja, most.ja),
            )
            .into_lang(lang)
            .into_owned()
        }
    };
    rows.push(vec![
        tr(lang, "restarted", "再起動").into(),
        summary.restarted.len().to_string(),
        restarted,
    ]);
    let failed: Vec<String> = summary
        .failed
        .iter()
        .map(|f| format!("{}: {}", f.vm, f.result.message().get(lang)))
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
            .map(|n| format!("{}: {}", n.vm, n.result.message().get(lang)))
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
            let target = &end.target;
            let levels = if behind.is_empty() {
                Text::owned(
                    format!("every level at {target}"),
                    format!("すべて互換レベル {target}"),
                )
            } else {
                let behind = behind.join(", ");
                Text::owned(
                    format!("below {target}: {behind}"),
                    format!("{target} 未満: {behind}"),
                )
            };
            let pending = match end.pending.len() {
                0 => Text::new("no VM waits for a restart", "再起動待ちの仮想マシンなし"),
                n => {
                    let vms: Vec<&str> = end.pending.iter().map(|p| p.vm.as_str()).collect();
                    let vms = vms.join(", ");
                    Text::owned(
                        format!("{n} VMs wait for a restart (search next_run_config_exists=True): {vms}"),
                        format!("再起動待ちの仮想マシン {n} 台 (検索 next_run_config_exists=True): {vms}"),
                    )
                }
            };
            let (levels, pending) = (levels.get(lang), pending.get(lang));
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

pub fn render_status(status: &ChainStatus, path: &Path, lang: Lang) -> String {
    let state = phase_text(status.state, lang);
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
        vec![tr(lang, "state", "状態").to_owned(), state],
        vec![
            tr(lang, "VMs restarted", "再起動済み").to_owned(),
            status.restarted.to_string(),
        ],
        vec![
            tr(lang, "VMs not back", "未復帰").to_owned(),
            counted(&status.failed),
        ],
        vec![
            tr(lang, "restarting", "再起動中").to_owned(),
            counted(&status.restarting),
        ],
        vec![
            tr(lang, "unsettled steps", "結果不明のステップ").to_owned(),
            status.unsettled_steps.to_string(),
        ],
        vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            status.stopped_because.clone().unwrap_or_else(|| "-".into()),
        ],
        last_record_row(status.last_record_at, status.records, lang),
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

impl RunSummary for ChainSummary {
    fn is_clean(&self) -> bool {
        ChainSummary::is_clean(self)
    }

    fn render(&self, lang: Lang) -> String {
        render_summary(self, lang)
    }
}
