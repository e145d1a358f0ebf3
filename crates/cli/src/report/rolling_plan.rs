//! A rolling upgrade's plan as `--dry-run` prints it: the waves and every VM's move, what is
//! skipped, what to mind, what blocks the run.

use std::fmt::Write as _;

use model::text::duration;
use model::Lang;
use orchestrator::{Options, Plan};

use crate::context::Verbosity;
use crate::text::{gib, section, table, tr};

/// The plan as the dry run prints it.
pub fn render_plan(plan: &Plan, options: &Options, lang: Lang, verbosity: Verbosity) -> String {
    let mut out = String::new();
    let p = &plan.prediction;
    let at_once = match (lang, options.max_parallel, p.max_hosts_out) {
        (Lang::En, k, out) if k <= 1 || out <= 1 => "one host at a time".to_owned(),
        (Lang::En, k, out) if out == k => format!("up to {k} hosts at a time"),
        (Lang::En, k, out) => format!("up to {out} hosts at a time ({k} allowed)"),
        (Lang::Ja, k, out) if k <= 1 || out <= 1 => "1 台ずつ".to_owned(),
        (Lang::Ja, k, out) if out == k => format!("同時に最大 {k} 台"),
        (Lang::Ja, k, out) => format!("同時に最大 {out} 台 ({k} 台まで許可)"),
    };
    let moves = match (lang, p.migrations, p.vms_moving_twice) {
        (Lang::En, 0, _) => "no migrations".to_owned(),
        (Lang::En, m, 0) => format!("{m} migrations of {} VMs: each moves once", p.vms_moved),
        (Lang::En, m, twice) => format!(
            "{m} migrations of {} VMs: {:.2} per VM moved; {twice} move twice (the first wave has no upgraded host to send them to)",
            p.vms_moved,
            p.migrations_per_moved_vm()
        ),
        (Lang::Ja, 0, _) => "移行なし".to_owned(),
        (Lang::Ja, m, 0) => format!("移行 {m} 回、VM {} 台: すべて 1 回ずつ", p.vms_moved),
        (Lang::Ja, m, twice) => format!(
            "移行 {m} 回、VM {} 台: 移行する VM 1 台あたり {:.2} 回。{twice} 台は 2 回移行 (最初のウェーブには送り先となる更新済みホストがないため)",
            p.vms_moved,
            p.migrations_per_moved_vm()
        ),
    };
    match lang {
        Lang::En => {
            let _ = writeln!(
                out,
                "Cluster {}: {} hosts in {} waves, {at_once}",
                plan.cluster_name, p.hosts, p.waves
            );
            let _ = writeln!(out, "  {moves}");
            match p.vms_stopped {
                0 => {}
                1 => {
                    let _ = writeln!(
                        out,
                        "  1 pinned VM shut down and started again as soon as its own host is back"
                    );
                }
                n => {
                    let _ = writeln!(out, "  {n} pinned VMs shut down and started again as soon as their own host is back");
                }
            }
            let _ = writeln!(
                out,
                "  predicted duration {}",
                duration(p.duration_seconds).into_lang(lang)
            );
        }
        Lang::Ja => {
            let _ = writeln!(
                out,
                "クラスター {}: ホスト {} 台を {} ウェーブで、{at_once}",
                plan.cluster_name, p.hosts, p.waves
            );
            let _ = writeln!(out, "  {moves}");
            if p.vms_stopped > 0 {
                let _ = writeln!(
                    out,
                    "  固定 VM {} 台を停止し、自分のホストが戻り次第起動",
                    p.vms_stopped
                );
            }
            let _ = writeln!(
                out,
                "  予測所要時間 {}",
                duration(p.duration_seconds).into_lang(lang)
            );
        }
    }
    if verbosity > Verbosity::Quiet {
        for (w, wave) in plan.waves.iter().enumerate() {
            let names: Vec<&str> = wave.hosts.iter().map(|s| s.name.as_str()).collect();
            let longest = wave
                .hosts
                .iter()
                .map(|s| s.predicted_seconds)
                .max()
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "\n{} {}  {}  {}",
                tr(lang, "Wave", "ウェーブ"),
                w + 1,
                names.join(", "),
                duration(longest).into_lang(lang)
            );
            let mut rows = Vec::new();
            for step in &wave.hosts {
                if step.in_place {
                    rows.push(vec![
                        tr(lang, "in place", "その場で").to_owned(),
                        step.name.clone(),
                        String::new(),
                        tr(
                            lang,
                            "already in maintenance; left in maintenance",
                            "すでにメンテナンス中。メンテナンスのまま",
                        )
                        .to_owned(),
                    ]);
                }
                for m in &step.migrations {
                    let mut route = format!("{} → {}", step.name, m.to_name);
                    if m.moves_again {
                        route.push_str(tr(lang, "  (moves again later)", "  (後でもう一度移行)"));
                    }
                    rows.push(vec![
                        tr(lang, "migrate", "移行").to_owned(),
                        m.vm_name.clone(),
                        gib(m.memory),
                        route,
                    ]);
                }
                for s in &step.stops {
                    let when = match lang {
                        Lang::En => format!("shut down, started again when {} is back", step.name),
                        Lang::Ja => format!("シャットダウンし、{} が戻ったら起動", step.name),
                    };
                    rows.push(vec![
                        tr(lang, "stop", "停止").to_owned(),
                        s.name.clone(),
                        gib(s.memory),
                        when,
                    ]);
                }
            }
            for line in table(&rows).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    section(
        &mut out,
        tr(lang, "Skipped", "スキップ"),
        plan.skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason.message().get(lang)))
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Notices", "注意"),
        plan.notices
            .iter()
            .map(|n| n.message().into_lang(lang).into_owned())
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
        (false, Lang::En) => "\nThe run cannot start until the blockers are dealt with.",
        (false, Lang::Ja) => "\nブロッカーを解消するまで実行できません。",
    };
    let _ = writeln!(out, "{verdict}");
    out
}
