//! Global maintenance as it shows: the engine's status while waiting, the hosts as
//! `hosted-engine --vm-status` would show them, and what turning it on or off did.

use std::fmt::Write as _;

use model::text::duration;
use model::{Lang, Text};
use orchestrator::hosted_engine::{GlobalMaintenance, GlobalMaintenanceReport, HostedEngineView};

use crate::text::{table, tr};

fn yes_no(value: bool, lang: Lang) -> &'static str {
    if value {
        tr(lang, "yes", "はい")
    } else {
        tr(lang, "no", "いいえ")
    }
}

/// The view as `hosted-engine --vm-status` would give it, one row per host.
pub fn render_view(view: &HostedEngineView, lang: Lang) -> String {
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

pub fn render_report(report: &GlobalMaintenanceReport, lang: Lang) -> String {
    let mut out = String::new();
    let status = &report.view.engine_status;
    let line = match (report.enabled, report.already) {
        (true, true) => Text::new(
            "Global maintenance was on already; nothing was changed.",
            "グローバルメンテナンスはすでに有効でした。何も変更していません。",
        ),
        (true, false) => Text::new(
            "Global maintenance is on: the HA agents leave the Manager VM alone; the Manager can be updated.",
            "グローバルメンテナンスを有効にしました。HA エージェントは Manager 用仮想マシンに手を出さないため、Manager を更新できます。",
        ),
        (false, true) => Text::owned(
            format!("Global maintenance was off already; the engine is healthy ({status})."),
            format!("グローバルメンテナンスはすでに無効でした。エンジンは正常です ({status})。"),
        ),
        (false, false) => {
            let after = duration(report.seconds);
            Text::owned(
                format!("Global maintenance is off and the engine is healthy again after {}: {status}", after.en),
                format!("グローバルメンテナンスを無効にしました。{} 後にエンジンが正常に戻りました: {status}", after.ja),
            )
        }
    };
    let line = line.get(lang);
    let _ = writeln!(out, "{line}");
    out
}
