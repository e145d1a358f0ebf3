//! A rolling upgrade's plan as `--dry-run` prints it: the waves and every VM's move, what is
//! skipped, what to mind, what blocks the run.

use std::fmt::Write as _;

use model::text::duration;
use model::{Lang, Text};
use orchestrator::{Options, Plan};

use crate::context::Verbosity;
use crate::text::{gib, section, table, tr};

/// The plan as the dry run prints it.
pub fn render_plan(plan: &Plan, options: &Options, lang: Lang, verbosity: Verbosity) -> String {
    let mut out = String::new();
    let p = &plan.prediction;
    let at_once = match (options.max_parallel, p.max_hosts_out) {
        (k, out) if k <= 1 || out <= 1 => Text::new("one host at a time", "1 台ずつ"),
        (k, out) if out == k => Text::owned(
            format!("up to {k} hosts at a time"),
            format!("同時に最大 {k} 台"),
        ),
        (k, out) => Text::owned(
            format!("up to {out} hosts at a time ({k} allowed)"),
            format!("同時に最大 {out} 台 ({k} 台まで許可)"),
        ),
    };
    let moved = p.vms_moved;
    let moves = match (p.migrations, p.vms_moving_twice) {
        (0, _) => Text::new("no migrations", "移行なし"),
        (m, 0) => Text::owned(
            format!("{m} migrations of {moved} VMs: each moves once"),
            format!("移行 {m} 回、VM {moved} 台: すべて 1 回ずつ"),
        ),
        (m, twice) => {
            let per_vm = p.migrations_per_moved_vm();
            Text::owned(
                format!("{m} migrations of {moved} VMs: {per_vm:.2} per VM moved; {twice} move twice (the first wave has no upgraded host to send them to)"),
                format!("移行 {m} 回、VM {moved} 台: 移行する VM 1 台あたり {per_vm:.2} 回。{twice} 台は 2 回移行 (最初のウェーブには送り先となる更新済みホストがないため)"),
            )
        }
    };
    let (cluster, hosts, waves) = (&plan.cluster_name, p.hosts, p.waves);
    let headline = Text::owned(
        format!(
            "Cluster {cluster}: {hosts} hosts in {waves} waves, {}",
            at_once.en
        ),
        format!(
            "クラスター {cluster}: ホスト {hosts} 台を {waves} ウェーブで、{}",
            at_once.ja
        ),
    );
    let stopped = match p.vms_stopped {
        0 => None,
        1 => Some(Text::new(
            "1 pinned VM shut down and started again as soon as its own host is back",
            "固定 VM 1 台を停止し、自分のホストが戻り次第起動",
        )),
        n => Some(Text::owned(
            format!("{n} pinned VMs shut down and started again as soon as their own host is back"),
            format!("固定 VM {n} 台を停止し、自分のホストが戻り次第起動"),
        )),
    };
    let predicted = duration(p.duration_seconds);
    let predicted = Text::owned(
        format!("predicted duration {}", predicted.en),
        format!("予測所要時間 {}", predicted.ja),
    );
    let _ = writeln!(out, "{}", headline.get(lang));
    for line in [Some(moves), stopped, Some(predicted)]
        .into_iter()
        .flatten()
    {
        let _ = writeln!(out, "  {}", line.get(lang));
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
                    let host = &step.name;
                    let when = Text::owned(
                        format!("shut down, started again when {host} is back"),
                        format!("シャットダウンし、{host} が戻ったら起動"),
                    );
                    rows.push(vec![
                        tr(lang, "stop", "停止").to_owned(),
                        s.name.clone(),
                        gib(s.memory),
                        when.into_lang(lang).into_owned(),
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
    super::blockers_and_verdict(
        &mut out,
        plan.blockers.iter().map(|b| b.message()).collect(),
        Text::new(
            "The run cannot start until the blockers are dealt with.",
            "ブロッカーを解消するまで実行できません。",
        ),
        lang,
    );
    out
}
