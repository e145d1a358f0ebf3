//! The host migration as it shows: its plan, its progress lines, its summary (with the
//! figures: migrations per VM, the window against the plan, what a failed host left behind)
//! and where a journaled run stands.

use std::fmt::Write as _;
use std::path::Path;

use model::{Lang, Text};
use orchestrator::migrate::{MigrateOutcome, MigrateStatus, MigrateSummary, MigrationPlan};

use model::text::duration;

use super::{counted, last_record_row, phase_text, RunSummary};
use crate::text::{table, tr};

/// The plan: host order with each host's moves, what the administrator does, warnings and
/// blockers, and what it should cost.
pub fn render_plan(plan: &MigrationPlan, lang: Lang) -> String {
    let mut out = String::new();
    let p = &plan.prediction;
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Host migration of cluster {} to Enterprise Linux 8 (Manager {}, cluster level {}): {} hosts in {} waves, {} migrations of {} VMs, about {}",
                plan.cluster_name, plan.manager, plan.level, plan.hosts().count(), plan.waves.len(), p.migrations, p.vms_moved, duration(p.duration_seconds).get(lang)
            ),
            Lang::Ja => format!(
                "クラスター {} のホストを Enterprise Linux 8 へ移行 (Manager {}、互換レベル {}): ホスト {} 台、{} ウェーブ、VM {} 台の移行 {} 回、約 {}",
                plan.cluster_name, plan.manager, plan.level, plan.hosts().count(), plan.waves.len(), p.vms_moved, p.migrations, duration(p.duration_seconds).get(lang)
            ),
        }
    );
    for (i, wave) in plan.waves.iter().enumerate() {
        let _ = writeln!(out, "\n{} {}:", tr(lang, "wave", "ウェーブ"), i + 1);
        for host in wave {
            let role = match (host.runs_manager_vm, host.hosted_engine, lang) {
                (true, _, Lang::En) => " [hosted engine, runs the Manager VM: last]",
                (true, _, Lang::Ja) => " [Hosted Engine、Manager VM を実行: 最後]",
                (false, true, Lang::En) => " [hosted engine: added back as one]",
                (false, true, Lang::Ja) => " [Hosted Engine: Hosted Engine ホストとして再追加]",
                (false, false, _) => "",
            };
            let _ = writeln!(out, "  {} ({}, {}){role}", host.name, host.address, host.os);
            for m in &host.migrations {
                let again = if m.moves_again {
                    tr(lang, " (moves again later)", " (後で再移行)")
                } else {
                    ""
                };
                let _ = writeln!(out, "    {} → {}{again}", m.vm_name, m.to_name);
            }
            for vm in &host.pinned {
                let what = match (vm.restarted(), vm.running, lang) {
                    (true, _, Lang::En) => format!(
                        "shut down, started again once back{}",
                        vm.downtime_seconds
                            .map(|s| format!(" (down about {})", duration(s).en))
                            .unwrap_or_default()
                    ),
                    (true, _, Lang::Ja) => format!(
                        "シャットダウンし、戻った後に起動{}",
                        vm.downtime_seconds
                            .map(|s| format!(" (停止 約 {})", duration(s).ja))
                            .unwrap_or_default()
                    ),
                    (false, true, Lang::En) => {
                        "shut down and left down: its host devices to attach again".to_owned()
                    }
                    (false, true, Lang::Ja) => {
                        "シャットダウンし停止のまま: ホストデバイスを再割り当て".to_owned()
                    }
                    (false, false, Lang::En) => {
                        "pinned here, down: pinned to its new id once back".to_owned()
                    }
                    (false, false, Lang::Ja) => {
                        "ここに固定 (停止中): 戻った後に新しい ID へ固定".to_owned()
                    }
                };
                let why = match host.local {
                    Some(_) => tr(lang, "on local storage", "ローカルストレージ"),
                    None => tr(lang, "pinned", "固定"),
                };
                let _ = writeln!(out, "    {} ({why}): {what}", vm.vm);
            }
            let steps = match &host.local {
                None => tr(
                    lang,
                    "maintenance → remove → reinstall → add back → up",
                    "メンテナンス → 削除 → 再インストール → 再追加 → 稼働",
                )
                .to_owned(),
                Some(local) => {
                    let domains: Vec<&str> =
                        local.domains.iter().map(|d| d.name.as_str()).collect();
                    let domains = domains.join(", ");
                    Text::owned(
                        format!(
                            "local storage (§1.1.9): {domains} to maintenance → host to maintenance → {domains} out of the Manager's records (the disk is kept) → remove → reinstall → add back → up → new first domain {} at {} → import {domains}, register their VMs → start",
                            local.first_domain, local.first_path
                        ),
                        format!(
                            "ローカルストレージ (§1.1.9): {domains} をメンテナンス → ホストをメンテナンス → {domains} を Manager の記録から外す (ディスクは保持) → 削除 → 再インストール → 再追加 → 稼働 → 新しい最初のドメイン {} ({}) → {domains} をインポートし VM を登録 → 起動",
                            local.first_domain, local.first_path
                        ),
                    )
                    .get(lang)
                    .to_owned()
                }
            };
            let _ = writeln!(out, "    {steps}");
        }
    }
    if !plan.skipped.is_empty() {
        let names: Vec<String> = plan
            .skipped
            .iter()
            .map(|s| format!("{} ({}, {})", s.name, s.os, s.status))
            .collect();
        let _ = writeln!(
            out,
            "\n{} {}",
            tr(lang, "left as they are:", "対象外:"),
            names.join(", ")
        );
    }
    for warning in &plan.warnings {
        let _ = writeln!(
            out,
            "{} {}",
            tr(lang, "note:", "注意:"),
            warning.message().get(lang)
        );
    }
    for blocker in &plan.blockers {
        let _ = writeln!(
            out,
            "{} {}",
            tr(lang, "BLOCKER:", "ブロッカー:"),
            blocker.message().get(lang)
        );
    }
    out
}

impl RunSummary for MigrateSummary {
    fn is_clean(&self) -> bool {
        MigrateSummary::is_clean(self)
    }

    fn render(&self, lang: Lang) -> String {
        let outcome = match (&self.outcome, lang) {
            (MigrateOutcome::Completed, _) => tr(lang, "completed", "完了").to_owned(),
            (MigrateOutcome::Stopped, _) => tr(
                lang,
                "stopped on request; `ovirt-upgrade resume` goes on",
                "要求により停止。`ovirt-upgrade resume` で続行します",
            )
            .to_owned(),
            (MigrateOutcome::HostFailed { host }, Lang::En) => {
                format!("stopped: host {host} failed; nothing more was started")
            }
            (MigrateOutcome::HostFailed { host }, Lang::Ja) => {
                format!("停止: ホスト {host} が失敗したため、以降は開始していません")
            }
        };
        let names = |hosts: &[orchestrator::event::UpgradedHost]| -> Vec<String> {
            hosts
                .iter()
                .map(|h| format!("{} {}", h.host, duration(h.seconds).get(lang)))
                .collect()
        };
        let level = match (self.level_after, lang) {
            (Some(after), Lang::En) => format!(
                "{} now; every host is back: raise it to {after} (ovirt-upgrade finish)",
                self.level
            ),
            (Some(after), Lang::Ja) => format!(
                "現在 {}。全ホストが戻ったので {after} に上げられます (ovirt-upgrade finish)",
                self.level
            ),
            (None, Lang::En) => format!("{} (waits until every host is back)", self.level),
            (None, Lang::Ja) => format!("{} (全ホストが戻るまで据え置き)", self.level),
        };
        let mut rows = vec![
            vec![
                tr(lang, "cluster", "クラスター").to_owned(),
                self.cluster.clone(),
            ],
            vec![tr(lang, "outcome", "結果").to_owned(), outcome],
            vec![
                tr(lang, "reinstalled", "再インストール済み").to_owned(),
                counted(&names(&self.migrated)),
            ],
            vec![
                tr(lang, "not started", "未着手").to_owned(),
                counted(&self.not_started),
            ],
            vec![
                tr(lang, "migrations", "移行").to_owned(),
                match lang {
                    Lang::En => format!(
                        "{} of {} VMs: {:.2} per VM moved, at most {} for one VM",
                        self.migrations,
                        self.vms_moved,
                        self.migrations_per_moved_vm(),
                        self.max_migrations_of_a_vm
                    ),
                    Lang::Ja => format!(
                        "VM {} 台で {} 回: 1 台あたり {:.2} 回、最大 {} 回",
                        self.vms_moved,
                        self.migrations,
                        self.migrations_per_moved_vm(),
                        self.max_migrations_of_a_vm
                    ),
                },
            ],
            vec![
                tr(lang, "window", "所要時間").to_owned(),
                match lang {
                    Lang::En => format!(
                        "{} against {} planned",
                        duration(self.duration_seconds).get(lang),
                        duration(self.predicted_seconds).get(lang)
                    ),
                    Lang::Ja => format!(
                        "{} (計画 {})",
                        duration(self.duration_seconds).get(lang),
                        duration(self.predicted_seconds).get(lang)
                    ),
                },
            ],
            vec![tr(lang, "cluster level", "互換レベル").to_owned(), level],
        ];
        if !self.restarted.is_empty() {
            let restarted: Vec<String> = self
                .restarted
                .iter()
                .map(|r| match lang {
                    Lang::En => format!("{} ({} down)", r.vm, duration(r.down_seconds).en),
                    Lang::Ja => format!("{} (停止 {})", r.vm, duration(r.down_seconds).ja),
                })
                .collect();
            rows.push(vec![
                tr(
                    lang,
                    "VMs shut down and started again",
                    "停止後に再起動した VM",
                )
                .to_owned(),
                counted(&restarted),
            ]);
        }
        if !self.repinned.is_empty() {
            rows.push(vec![
                tr(lang, "pinned to new host ids", "新しいホスト ID へ固定").to_owned(),
                counted(&self.repinned),
            ]);
        }
        if !self.registered.is_empty() {
            rows.push(vec![
                tr(
                    lang,
                    "registered from imported local domains",
                    "インポートしたローカルドメインから登録",
                )
                .to_owned(),
                counted(&self.registered),
            ]);
        }
        if !self.left_stopped.is_empty() {
            rows.push(vec![
                tr(
                    lang,
                    "left down: attach host devices, start",
                    "停止のまま: デバイス再割り当て後に起動",
                )
                .to_owned(),
                counted(&self.left_stopped),
            ]);
        }
        for failed in &self.failed {
            rows.push(vec![
                format!("{} {}", tr(lang, "FAILED", "失敗"), failed.host),
                failed.failure.message().get(lang).to_owned(),
            ]);
        }
        table(&rows)
    }
}

pub fn render_status(status: &MigrateStatus, path: &Path, lang: Lang) -> String {
    let mut rows = vec![
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
        vec![tr(lang, "run", "実行").to_owned(), status.run_id.clone()],
        vec![
            tr(lang, "state", "状態").to_owned(),
            phase_text(status.state, lang).to_owned(),
        ],
    ];
    for host in &status.hosts {
        let at = match (&host.result, host.stage) {
            (Some(orchestrator::migrate::HostResult::Migrated { .. }), _) => {
                tr(lang, "reinstalled and back", "再インストール済み").to_owned()
            }
            (Some(orchestrator::migrate::HostResult::Failed { failure }), _) => {
                failure.message().get(lang).to_owned()
            }
            (None, Some(stage)) => stage.message().get(lang).to_owned(),
            (None, None) => tr(lang, "not started", "未着手").to_owned(),
        };
        rows.push(vec![host.host.clone(), at]);
    }
    if let Some(reason) = &status.stopped_because {
        rows.push(vec![
            tr(lang, "stopped because", "停止理由").to_owned(),
            reason.clone(),
        ]);
    }
    rows.push(last_record_row(status.last_record_at, status.records, lang));
    table(&rows)
}
