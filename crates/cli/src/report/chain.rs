//! The compatibility chain as it shows: its progress lines and bars, its summary and where
//! a journaled chain stands.

use std::fmt::Write as _;
use std::path::Path;

use indicatif::MultiProgress;
use model::{Lang, Timestamp};
use orchestrator::chain::{self, ChainStatus, ChainSummary, RestartResult};
use orchestrator::RunEvent;

use super::progress::{Bars, Detail, RunBars};
use super::{counted, duration, last_record_row, phase_text, RunSummary};
use crate::text::{table, tr};

/// The line a chain's event prints, if any.
pub fn line(event: &RunEvent, lang: Lang, detail: Detail) -> Option<String> {
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
        } if detail.verbose || !detail.bars => {
            format!(
                "{cluster} {} {batch}/{of}: {}",
                tr(lang, "batch", "バッチ"),
                vms.join(", ")
            )
        }
        RunEvent::VmRestarted { vm, seconds } if detail.verbose => {
            format!(
                "{vm}: {}",
                result_text(&RestartResult::Restarted { seconds: *seconds }, lang)
            )
        }
        RunEvent::VmNotRestarted { vm, result } => {
            format!("{vm}: {}", result_text(result, lang))
        }
        _ => return None,
    })
}

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

pub fn result_text(result: &RestartResult, lang: Lang) -> String {
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

pub fn render_summary(summary: &ChainSummary, lang: Lang) -> String {
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
        vec![tr(lang, "state", "状態").to_owned(), state.to_owned()],
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
