//! The rolling upgrade of a cluster as it shows: its progress lines and bars, its summary and
//! where a journaled run stands.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use model::text::duration;
use model::{Lang, Text, Timestamp};
use orchestrator::event::NeedsAttention;
use orchestrator::state::RunStatus;
use orchestrator::{RunEvent, Summary};

use super::progress::{Bars, RunBars};
use super::{counted, last_record_row, phase_text, RunSummary};
use crate::text::{table, tr};

/// A rolling upgrade's bars, from its start: the cluster's progress with the wave and the
/// engine time spent against the plan's, the migrations, a line per host at work.
pub fn start_bars(
    multi: &MultiProgress,
    at: Timestamp,
    event: &RunEvent,
    lang: Lang,
) -> Option<Box<dyn RunBars>> {
    let RunEvent::RunStarted {
        cluster,
        migrations,
        predicted_seconds,
        ..
    } = event
    else {
        return None;
    };
    let bars = Bars::new(
        multi,
        format!("{} {cluster}", tr(lang, "cluster", "クラスター")),
        tr(lang, "migrations", "移行"),
        *migrations as u64,
    );
    Some(Box::new(ClusterBars {
        bars,
        hosts: Vec::new(),
        lang,
        started: at,
        predicted_seconds: *predicted_seconds,
        wave: String::new(),
    }))
}

struct ClusterBars {
    bars: Bars,
    hosts: Vec<(String, ProgressBar)>,
    lang: Lang,
    started: Timestamp,
    predicted_seconds: u64,
    /// The wave under way, as the overall bar tells it.
    wave: String,
}

impl ClusterBars {
    fn host_bar(&mut self, host: &str) -> &ProgressBar {
        if let Some(i) = self.hosts.iter().position(|(h, _)| h == host) {
            return &self.hosts[i].1;
        }
        let bar = self.bars.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("  {spinner} {prefix:<16} {wide_msg} ")
                .expect("a valid template"),
        );
        bar.set_prefix(host.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.hosts.push((host.to_owned(), bar));
        &self.hosts.last().expect("just added").1
    }

    fn host_done(&mut self, host: &str) {
        if let Some(position) = self.hosts.iter().position(|(h, _)| h == host) {
            let (_, bar) = self.hosts.remove(position);
            bar.finish_and_clear();
            self.bars.multi.remove(&bar);
        }
    }

    /// The overall bar's message: the wave, and the engine time spent against the plan's.
    fn tell_time(&mut self, at: Timestamp) {
        let spent = duration(((at.0 - self.started.0) / 1000).max(0) as u64);
        let planned = duration(self.predicted_seconds);
        let time = Text::owned(
            format!("{} of ~{}", spent.en, planned.en),
            format!("{} / 予測 {}", spent.ja, planned.ja),
        );
        self.bars
            .overall
            .set_message(format!("{}  {}", self.wave, time.get(self.lang)));
    }
}

impl RunBars for ClusterBars {
    fn update(&mut self, at: Timestamp, event: &RunEvent) {
        let lang = self.lang;
        if let RunEvent::WaveStarted { wave, of, .. } = event {
            self.wave = format!("{} {wave}/{of}", tr(lang, "wave", "ウェーブ"));
        }
        self.tell_time(at);
        match event {
            RunEvent::Progress { percent } => self.bars.overall.set_position(u64::from(*percent)),
            RunEvent::MigrationDone { .. } => self.bars.count_one(),
            RunEvent::MigrationStarted { vm, to, from } => {
                let text = format!("{} {vm} → {to}", tr(lang, "migrating", "移行中"));
                self.host_bar(from).set_message(text);
            }
            RunEvent::HostPhase { host, phase } => {
                let text = phase.message().into_lang(lang).into_owned();
                self.host_bar(host).set_message(text);
            }
            // Only hosts at work have a line; a status seen before or after says nothing new.
            RunEvent::HostStatus { host, status } if self.hosts.iter().any(|(h, _)| h == host) => {
                let text = format!("{} {status}", tr(lang, "engine says", "エンジン:"));
                self.host_bar(host).set_message(text);
            }
            RunEvent::HostUpgraded { host, .. } | RunEvent::HostFailed { host, .. } => {
                self.host_done(host)
            }
            _ => {}
        }
    }

    fn finish(&mut self) {
        for (_, bar) in self.hosts.drain(..) {
            bar.finish_and_clear();
        }
        self.bars.finish();
    }
}

pub fn render_summary(summary: &Summary, lang: Lang) -> String {
    let mut out = String::new();
    let outcome = summary.outcome.message();
    let took = duration(summary.duration_seconds);
    let planned = duration(summary.predicted_seconds);
    let cluster = &summary.cluster;
    let headline = Text::owned(
        format!(
            "Cluster {cluster}: {}, in {} (planned {})",
            outcome.en, took.en, planned.en
        ),
        format!(
            "クラスター {cluster}: {}、所要 {} (計画 {})",
            outcome.ja, took.ja, planned.ja
        ),
    );
    let _ = writeln!(out, "{}", headline.get(lang));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let upgraded: Vec<String> = summary
        .upgraded
        .iter()
        .map(|u| format!("{} ({})", u.host, duration(u.seconds).into_lang(lang)))
        .collect();
    rows.push(vec![
        tr(lang, "upgraded", "アップグレード済み").into(),
        summary.upgraded.len().to_string(),
        upgraded.join(", "),
    ]);
    let skipped: Vec<String> = summary.skipped.iter().map(|s| s.host.clone()).collect();
    rows.push(vec![
        tr(lang, "skipped", "スキップ").into(),
        summary.skipped.len().to_string(),
        skipped.join(", "),
    ]);
    let failed: Vec<String> = summary.failed.iter().map(|f| f.host.clone()).collect();
    rows.push(vec![
        tr(lang, "failed", "失敗").into(),
        summary.failed.len().to_string(),
        failed.join(", "),
    ]);
    if !summary.not_started.is_empty() {
        rows.push(vec![
            tr(lang, "not started", "未着手").into(),
            summary.not_started.len().to_string(),
            summary.not_started.join(", "),
        ]);
    }
    let (moved, per_vm, most) = (
        summary.vms_moved,
        summary.migrations_per_moved_vm(),
        summary.max_migrations_of_a_vm,
    );
    let migrations = Text::owned(
        format!("of {moved} VMs, {per_vm:.2} per VM moved, at most {most} for one VM"),
        format!("VM {moved} 台、移行した VM 1 台あたり {per_vm:.2} 回、1 台で最大 {most} 回"),
    );
    rows.push(vec![
        tr(lang, "migrations", "移行").into(),
        summary.migrations.to_string(),
        migrations.into_lang(lang).into_owned(),
    ]);
    let downtime: Vec<String> = summary
        .vm_downtime
        .iter()
        .map(|d| match &d.still_down {
            None => format!("{} {}", d.vm, duration(d.seconds).into_lang(lang)),
            Some(why) => format!(
                "{} {} ({})",
                d.vm,
                tr(lang, "still down", "停止のまま"),
                why
            ),
        })
        .collect();
    rows.push(vec![
        tr(lang, "VM downtime", "VM 停止時間").into(),
        summary.vm_downtime.len().to_string(),
        downtime.join(", "),
    ]);
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(policy) = summary.policy_restored {
        let _ = writeln!(
            out,
            "  {} {policy}",
            tr(
                lang,
                "scheduling policy restored to",
                "スケジューリングポリシーを戻しました:"
            )
        );
    }
    // A failed host out of service is told once, with its state, under "needs attention".
    let attention: Vec<&str> = summary
        .needs_attention
        .iter()
        .map(|a| a.host.as_str())
        .collect();
    for failed in summary
        .failed
        .iter()
        .filter(|f| !attention.contains(&f.host.as_str()))
    {
        let _ = writeln!(
            out,
            "  {} {}: {}",
            tr(lang, "failed:", "失敗:"),
            failed.host,
            failed.failure.message().get(lang)
        );
    }
    for NeedsAttention { host, status, why } in &summary.needs_attention {
        let _ = writeln!(
            out,
            "  {} {host} ({status}): {why}",
            tr(lang, "needs attention:", "要対応:")
        );
    }
    out
}

pub fn render_status(status: &RunStatus, path: &Path, lang: Lang) -> String {
    let mut out = String::new();
    let state = phase_text(status.state, lang);
    let (run, correlation) = (&status.run_id, &status.correlation_id);
    let (revision, hosts) = (status.plan_revision, status.hosts_planned);
    let rows = vec![
        vec![
            tr(lang, "journal", "ジャーナル").to_owned(),
            path.display().to_string(),
        ],
        vec![
            tr(lang, "cluster", "クラスター").to_owned(),
            status.cluster.clone(),
        ],
        vec![
            tr(lang, "engine", "エンジン").to_owned(),
            status.engine.clone(),
        ],
        vec![
            tr(lang, "run", "実行").to_owned(),
            Text::owned(
                format!("{run} (correlation id {correlation})"),
                format!("{run} (相関 ID {correlation})"),
            )
            .into_lang(lang)
            .into_owned(),
        ],
        vec![tr(lang, "state", "状態").to_owned(), state],
        vec![
            tr(lang, "plan", "計画").to_owned(),
            Text::owned(
                format!("revision {revision}, {hosts} hosts"),
                format!("版 {revision}、ホスト {hosts} 台"),
            )
            .into_lang(lang)
            .into_owned(),
        ],
        vec![
            tr(lang, "upgraded", "アップグレード済み").to_owned(),
            counted(&status.upgraded),
        ],
        vec![
            tr(lang, "failed", "失敗").to_owned(),
            counted(&status.failed),
        ],
        vec![
            tr(lang, "pending", "未完了").to_owned(),
            counted(&status.pending),
        ],
        vec![
            tr(lang, "migrations", "移行").to_owned(),
            status.migrations.to_string(),
        ],
        vec![
            tr(lang, "policy to restore", "戻すポリシー").to_owned(),
            status
                .policy_to_restore
                .map_or_else(|| "-".to_owned(), |p| p.to_string()),
        ],
        vec![
            tr(lang, "pinned VMs down", "停止中の固定 VM").to_owned(),
            counted(&status.vms_down),
        ],
        vec![
            tr(lang, "unsettled steps", "結果不明のステップ").to_owned(),
            status.unsettled_steps.to_string(),
        ],
        vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            status
                .stopped_because
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
        ],
        last_record_row(status.last_record_at, status.records, lang),
    ];
    out.push_str(&table(&rows));
    if let Some(summary) = &status.summary {
        out.push('\n');
        out.push_str(&render_summary(summary, lang));
    }
    out
}

impl RunSummary for Summary {
    fn is_clean(&self) -> bool {
        Summary::is_clean(self)
    }

    fn render(&self, lang: Lang) -> String {
        render_summary(self, lang)
    }
}
