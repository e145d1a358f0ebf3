//! The HTML report (`analyzer_report.html`): one file with its CSS inline and no script, so
//! it opens anywhere, text-mode browsers included (`elinks analyzer_report.html`). Statuses
//! are written as words, never shown by colour alone; every text from the inventory is escaped.

use std::fmt::Write as _;

use model::{Inventory, Lang, Text};

use super::{deployment, route_line, stages};
use crate::facts::gib;
use crate::rule::{Section, Status};
use crate::{Report, RuleResult};

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:75em;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{border-bottom:2px solid #ccc;margin-top:2em}h3{margin-top:1.5em}\
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}code{background:#f4f4f4;padding:0 .2em}\
.status{font-weight:bold;white-space:nowrap}.pass{color:#1a7f37}.skip{color:#777}.info{color:#0b5cad}\
.warn{color:#9a6700}.fail{color:#c62828}.finding{border-left:4px solid #ccc;padding-left:1em;margin:1em 0}\
.finding.fail{border-color:#c62828}.finding.warn{border-color:#d4a72c}.finding.info{border-color:#0b5cad}\
.finding p{color:#222}";

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Skip => "skip",
        Status::Info => "info",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

/// A table with a header row; every cell is escaped here.
fn table(out: &mut String, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    out.push_str("<table>\n<tr>");
    for cell in header {
        let _ = write!(out, "<th>{}</th>", escape(cell));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn section_anchor(section: Section) -> String {
    format!("section-{}", section.id())
}

pub fn html(report: &Report, lang: Lang) -> String {
    let t = |text: Text| text.get(lang);
    let inventory = report.inventory;
    let mut out = String::new();
    let title = if inventory.name.is_empty() {
        t(Text::new("Pre-upgrade check", "アップグレード前チェック")).to_owned()
    } else {
        format!(
            "{}: {}",
            t(Text::new("Pre-upgrade check", "アップグレード前チェック")),
            inventory.name
        )
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    if !inventory.source.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}: <code>{}</code></p>",
            t(Text::new("Source", "読み込み元")),
            escape(&inventory.source)
        );
    }
    let _ = writeln!(out, "<p>{}</p>", escape(&route_line(report, lang)));

    write_counts(&mut out, report, lang);
    write_contents(&mut out, lang);
    write_environment(&mut out, report, lang);
    write_findings(&mut out, report, lang);
    write_inventory(&mut out, inventory, lang);

    let _ = writeln!(
        out,
        "<hr>\n<p>{}</p>\n</body>\n</html>",
        escape(t(Text::new(
            "Made by ovirt-upgrade check from the inventory above; nothing was changed in the environment.",
            "ovirt-upgrade check が上記のインベントリーから作成しました。環境には何も変更を加えていません。",
        )))
    );
    out
}

fn write_counts(out: &mut String, report: &Report, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let counts = report.counts();
    let _ = writeln!(
        out,
        "<h2 id=\"summary\">{}</h2>",
        t(Text::new("Summary", "まとめ"))
    );
    out.push_str("<table>\n");
    for (status, label, count) in [
        (None, Text::new("Total", "合計"), counts.total),
        (
            Some(Status::Pass),
            Text::new("Passed", "合格"),
            counts.passed,
        ),
        (
            Some(Status::Skip),
            Text::new("Skipped", "対象外"),
            counts.skipped,
        ),
        (Some(Status::Info), Text::new("Info", "情報"), counts.info),
        (
            Some(Status::Warn),
            Text::new("Warnings", "警告"),
            counts.warnings,
        ),
        (
            Some(Status::Fail),
            Text::new("Failures", "失敗"),
            counts.failures,
        ),
    ] {
        let css = status.map_or("", class);
        let _ = writeln!(
            out,
            "<tr><th class=\"{css}\">{}</th><td>{count}</td></tr>",
            t(label)
        );
    }
    out.push_str("</table>\n");
    let verdict = if counts.failures > 0 {
        t(Text::new(
            "Failures block the upgrade: fix them first, then check again.",
            "失敗の項目がアップグレードを妨げます。先に解決してから、もう一度チェックしてください。",
        ))
    } else if counts.warnings > 0 {
        t(Text::new(
            "No blocker; read the warnings before the window.",
            "妨げとなる項目はありません。作業前に警告を確認してください。",
        ))
    } else {
        t(Text::new(
            "Nothing stands in the way of the upgrade.",
            "アップグレードを妨げるものはありません。",
        ))
    };
    let _ = writeln!(out, "<p><strong>{}</strong></p>", escape(verdict));
}

fn write_contents(out: &mut String, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let _ = writeln!(
        out,
        "<h2 id=\"contents\">{}</h2>\n<ul>",
        t(Text::new("Contents", "目次"))
    );
    let _ = writeln!(
        out,
        "<li><a href=\"#environment\">{}</a></li>",
        t(Text::new("Environment", "環境"))
    );
    let _ = writeln!(
        out,
        "<li><a href=\"#findings\">{}</a><ul>",
        t(Text::new("Checks", "チェック結果"))
    );
    for section in Section::ALL {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            section_anchor(*section),
            escape(section.title().get(lang))
        );
    }
    let _ = writeln!(
        out,
        "</ul></li>\n<li><a href=\"#inventory\">{}</a></li>\n</ul>",
        t(Text::new("Inventory", "インベントリー"))
    );
}

fn yes_no(lang: Lang, value: bool) -> String {
    if value {
        Text::new("yes", "あり")
    } else {
        Text::new("no", "なし")
    }
    .get(lang)
    .to_owned()
}

fn write_environment(out: &mut String, report: &Report, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let manager = &report.inventory.manager;
    let summary = report.inventory.summary();
    let _ = writeln!(
        out,
        "<h2 id=\"environment\">{}</h2>",
        t(Text::new("Environment", "環境"))
    );
    let postgresql = |placement: String, version: &Option<String>| match version {
        Some(v) => format!("{placement}, PostgreSQL {v}"),
        None => placement,
    };
    let levels = |levels: &[model::Level]| {
        levels
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let extensions = if manager.extensions.is_empty() {
        t(Text::new("none", "なし")).to_owned()
    } else {
        let names: Vec<&str> = manager.extensions.iter().map(|e| e.as_str()).collect();
        names.join(", ")
    };
    let objects = [
        (
            Text::new("data centers", "データセンター"),
            summary.totals.data_centers,
        ),
        (Text::new("clusters", "クラスター"), summary.totals.clusters),
        (Text::new("hosts", "ホスト"), summary.totals.hosts),
        (Text::new("VMs", "仮想マシン"), summary.totals.vms),
        (
            Text::new("storage domains", "ストレージドメイン"),
            summary.totals.storage_domains,
        ),
        (Text::new("disks", "ディスク"), summary.totals.disks),
        (
            Text::new("gluster volumes", "Gluster ボリューム"),
            summary.totals.gluster_volumes,
        ),
    ]
    .iter()
    .map(|(what, count)| format!("{} {count}", t(*what)))
    .collect::<Vec<_>>()
    .join(match lang {
        Lang::En => ", ",
        Lang::Ja => "、",
    });
    let rows = vec![
        vec![
            t(Text::new("Manager version", "Manager のバージョン")).into(),
            report.current.to_string(),
        ],
        vec![
            t(Text::new("Target", "ターゲット")).into(),
            report.target.to_string(),
        ],
        vec![
            t(Text::new("Deployment", "デプロイメント")).into(),
            deployment(lang, manager.deployment).into(),
        ],
        vec!["FQDN".into(), manager.fqdn.clone()],
        vec![
            t(Text::new("Operating system", "OS")).into(),
            manager.os.to_string(),
        ],
        vec![
            t(Text::new("Engine database", "Manager データベース")).into(),
            postgresql(
                manager.database.placement.to_string(),
                &manager.database.postgresql,
            ),
        ],
        vec![
            "Data Warehouse".into(),
            postgresql(manager.dwh.placement.to_string(), &manager.dwh.postgresql),
        ],
        vec!["Grafana".into(), yes_no(lang, manager.grafana)],
        vec![
            t(Text::new("OVN provider", "OVN プロバイダー")).into(),
            yes_no(lang, manager.ovn),
        ],
        vec![
            t(Text::new("Extensions", "拡張パッケージ")).into(),
            extensions,
        ],
        vec![
            t(Text::new(
                "Last successful backup",
                "最後に成功したバックアップ",
            ))
            .into(),
            manager
                .last_backup
                .map_or_else(|| "-".into(), |d| d.to_string()),
        ],
        vec![
            t(Text::new(
                "Levels the Manager accepts",
                "Manager の受け付ける互換レベル",
            ))
            .into(),
            levels(&summary.manager.supported_levels),
        ],
        vec![
            t(Text::new(
                "Levels the target accepts",
                "ターゲットの受け付ける互換レベル",
            ))
            .into(),
            levels(model::release::supported_cluster_levels(report.target)),
        ],
        vec![t(Text::new("Objects", "オブジェクト数")).into(), objects],
    ];
    table(
        out,
        &[t(Text::new("Item", "項目")), t(Text::new("Value", "値"))],
        rows,
    );
}

fn write_findings(out: &mut String, report: &Report, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let _ = writeln!(
        out,
        "<h2 id=\"findings\">{}</h2>",
        t(Text::new("Checks", "チェック結果"))
    );
    for section in Section::ALL {
        let results: Vec<&RuleResult> = report
            .results
            .iter()
            .filter(|r| r.rule.section == *section)
            .collect();
        let _ = writeln!(
            out,
            "<h3 id=\"{}\">{}</h3>",
            section_anchor(*section),
            escape(section.title().get(lang))
        );
        out.push_str("<table>\n<tr>");
        for header in [
            Text::new("Status", "状態"),
            Text::new("Check", "チェック"),
            Text::new("Rule", "ルール"),
        ] {
            let _ = write!(out, "<th>{}</th>", t(header));
        }
        out.push_str("</tr>\n");
        for result in &results {
            let status = result.status();
            let id = escape(result.rule.id);
            let rule_cell = if matches!(status, Status::Pass | Status::Skip) {
                format!("<code>{id}</code>")
            } else {
                format!("<a href=\"#rule-{id}\"><code>{id}</code></a>")
            };
            let mut check = escape(result.rule.title.get(lang));
            if let Some(reason) = result.skip_reason() {
                let _ = write!(check, " ({})", escape(reason.get(lang)));
            }
            let _ = writeln!(
                out,
                "<tr><td class=\"status {}\">[{}]</td><td>{check}</td><td>{rule_cell}</td></tr>",
                class(status),
                status.label()
            );
        }
        out.push_str("</table>\n");
        for result in results
            .iter()
            .filter(|r| !matches!(r.status(), Status::Pass | Status::Skip))
        {
            write_finding(out, result, lang);
        }
    }
}

fn write_finding(out: &mut String, result: &RuleResult, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let status = result.status();
    let rule = result.rule;
    let _ = writeln!(
        out,
        "<div class=\"finding {}\" id=\"rule-{}\">\n<h4><span class=\"status {}\">[{}]</span> {} <code>{}</code></h4>",
        class(status),
        escape(rule.id),
        class(status),
        status.label(),
        escape(rule.title.get(lang)),
        escape(rule.id)
    );
    for finding in result.findings() {
        let _ = writeln!(out, "<p>{}</p>", escape(finding.message.get(lang)));
        table(
            out,
            &[
                t(Text::new("Kind", "種類")),
                t(Text::new("Name", "名前")),
                t(Text::new("Detail", "詳細")),
            ],
            finding.evidence.iter().map(|e| {
                vec![
                    e.kind.title().get(lang).to_owned(),
                    e.name.clone(),
                    e.detail.get(lang).to_owned(),
                ]
            }),
        );
    }
    if !rule.blocks.is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>{}:</strong> {}</p>",
            t(Text::new("Blocks", "影響")),
            escape(&stages(lang, rule.blocks))
        );
    }
    let _ = writeln!(
        out,
        "<p><strong>{}:</strong> {}</p>\n</div>",
        t(Text::new("Fix", "対処")),
        escape(rule.fix.get(lang))
    );
}

fn write_inventory(out: &mut String, inventory: &Inventory, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let index = model::InventoryIndex::new(inventory);
    let cluster_name = |id| index.cluster(id).map_or("-".to_owned(), |c| c.name.clone());
    let host_name = |id| index.host(id).map_or("-".to_owned(), |h| h.name.clone());
    let _ = writeln!(
        out,
        "<h2 id=\"inventory\">{}</h2>",
        t(Text::new("Inventory", "インベントリー"))
    );

    let _ = writeln!(
        out,
        "<h3>{}</h3>",
        t(Text::new("Data centers", "データセンター"))
    );
    table(
        out,
        &[
            t(Text::new("Name", "名前")),
            t(Text::new("Level", "互換レベル")),
            t(Text::new("Storage", "ストレージ")),
            t(Text::new("Status", "状態")),
        ],
        inventory.data_centers.iter().map(|dc| {
            vec![
                dc.name.clone(),
                dc.version.to_string(),
                dc.storage.to_string(),
                dc.status.to_string(),
            ]
        }),
    );

    let _ = writeln!(out, "<h3>{}</h3>", t(Text::new("Clusters", "クラスター")));
    let data_center_name = |id| {
        index
            .data_center(id)
            .map_or("-".to_owned(), |dc| dc.name.clone())
    };
    table(
        out,
        &[
            t(Text::new("Name", "名前")),
            t(Text::new("Data center", "データセンター")),
            t(Text::new("Level", "互換レベル")),
            t(Text::new("Scheduling policy", "スケジューリングポリシー")),
            t(Text::new("CPU type", "CPU タイプ")),
            "Gluster",
        ],
        inventory.clusters.iter().map(|c| {
            vec![
                c.name.clone(),
                data_center_name(c.data_center),
                c.version.to_string(),
                c.scheduling_policy.to_string(),
                c.cpu_type.clone(),
                yes_no(lang, c.gluster_service),
            ]
        }),
    );

    let _ = writeln!(out, "<h3>{}</h3>", t(Text::new("Hosts", "ホスト")));
    table(
        out,
        &[
            t(Text::new("Name", "名前")),
            t(Text::new("Cluster", "クラスター")),
            t(Text::new("Status", "状態")),
            t(Text::new("Type", "タイプ")),
            "OS",
            "vdsm",
            t(Text::new("Memory", "メモリー")),
            t(Text::new("Free for VMs", "仮想マシン用の空き")),
            "SPM",
            t(Text::new("Hosted engine", "ホストエンジン")),
            t(Text::new("Update", "更新")),
        ],
        inventory.hosts.iter().map(|h| {
            let hosted_engine = h.hosted_engine.map_or_else(
                || "-".to_owned(),
                |he| {
                    let mut state =
                        vec![format!("{} {}", t(Text::new("score", "スコア")), he.score)];
                    for (on, text) in [
                        (
                            he.active,
                            Text::new("runs the Manager VM", "Manager 用仮想マシンを実行中"),
                        ),
                        (
                            he.local_maintenance,
                            Text::new("local maintenance", "ローカルメンテナンス"),
                        ),
                        (
                            he.global_maintenance,
                            Text::new("global maintenance", "グローバルメンテナンス"),
                        ),
                    ] {
                        if on {
                            state.push(t(text).to_owned());
                        }
                    }
                    state.join(", ")
                },
            );
            vec![
                h.name.clone(),
                cluster_name(h.cluster),
                h.status.to_string(),
                h.host_type.to_string(),
                h.os.to_string(),
                h.packages
                    .get("vdsm")
                    .map_or_else(|| "-".to_owned(), |v| v.to_string()),
                gib(h.memory),
                gib(h.max_scheduling_memory),
                h.spm.to_string(),
                hosted_engine,
                yes_no(lang, h.update_available),
            ]
        }),
    );

    let _ = writeln!(
        out,
        "<h3>{}</h3>",
        t(Text::new("Storage domains", "ストレージドメイン"))
    );
    table(
        out,
        &[
            t(Text::new("Name", "名前")),
            t(Text::new("Data center", "データセンター")),
            t(Text::new("Role", "役割")),
            t(Text::new("Type", "タイプ")),
            t(Text::new("Status", "状態")),
            t(Text::new("Format", "形式")),
            "Master",
        ],
        inventory.storage_domains.iter().map(|sd| {
            vec![
                sd.name.clone(),
                sd.data_center
                    .map_or_else(|| "-".to_owned(), data_center_name),
                sd.role.to_string(),
                sd.storage.to_string(),
                sd.status.to_string(),
                sd.format_version
                    .map_or_else(|| "-".to_owned(), |v| format!("V{v}")),
                yes_no(lang, sd.master),
            ]
        }),
    );

    if !inventory.gluster_volumes.is_empty() {
        let _ = writeln!(
            out,
            "<h3>{}</h3>",
            t(Text::new("Gluster volumes", "Gluster ボリューム"))
        );
        table(
            out,
            &[
                t(Text::new("Name", "名前")),
                t(Text::new("Cluster", "クラスター")),
                t(Text::new("Entries to heal", "修復待ちエントリー")),
                t(Text::new("Geo-replication", "geo レプリケーション")),
            ],
            inventory.gluster_volumes.iter().map(|v| {
                vec![
                    v.name.clone(),
                    cluster_name(v.cluster),
                    v.pending_heals.to_string(),
                    v.geo_replication.join(", "),
                ]
            }),
        );
    }

    if !inventory.manager.certificates.is_empty() {
        let _ = writeln!(out, "<h3>{}</h3>", t(Text::new("Certificates", "証明書")));
        table(
            out,
            &[
                t(Text::new("Name", "名前")),
                t(Text::new("Signature", "署名アルゴリズム")),
                t(Text::new("Not after", "有効期限")),
                t(Text::new("External CA", "外部 CA")),
            ],
            inventory.manager.certificates.iter().map(|c| {
                vec![
                    c.name.clone(),
                    c.signature_algorithm.clone(),
                    c.not_after.to_string(),
                    yes_no(lang, c.external_ca),
                ]
            }),
        );
    }

    let _ = writeln!(
        out,
        "<h3>{}</h3>",
        t(Text::new("Virtual machines", "仮想マシン"))
    );
    table(
        out,
        &[
            t(Text::new("Name", "名前")),
            t(Text::new("Cluster", "クラスター")),
            t(Text::new("Host", "ホスト")),
            t(Text::new("Status", "状態")),
            t(Text::new("Memory", "メモリー")),
            t(Text::new("Migration", "移行")),
            "HA",
            t(Text::new("Notes", "備考")),
        ],
        inventory.vms.iter().map(|vm| {
            let mut notes: Vec<String> = [
                (
                    vm.hosted_engine,
                    Text::new("Manager VM", "Manager 用仮想マシン"),
                ),
                (
                    vm.next_run_pending,
                    Text::new("change pending for next run", "次回起動時の変更あり"),
                ),
                (
                    vm.previewing_snapshot().is_some(),
                    Text::new("snapshot in preview", "スナップショットをプレビュー中"),
                ),
                (vm.vgpu, Text::new("vGPU", "vGPU")),
                (
                    vm.host_devices > 0,
                    Text::new("host devices", "ホストデバイス"),
                ),
                (
                    vm.cpu_passthrough,
                    Text::new("CPU passthrough", "CPU パススルー"),
                ),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, text)| t(text).to_owned())
            .collect();
            if let Some(level) = vm.custom_compatibility_version {
                notes.push(format!(
                    "{} {level}",
                    t(Text::new("custom level", "カスタム互換レベル"))
                ));
            }
            vec![
                vm.name.clone(),
                cluster_name(vm.cluster),
                vm.host.map_or_else(|| "-".to_owned(), host_name),
                vm.status.to_string(),
                gib(vm.memory),
                vm.affinity.to_string(),
                yes_no(lang, vm.high_availability),
                notes.join(", "),
            ]
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn names_from_the_inventory_are_escaped() {
        let mut inventory = clean();
        inventory.name = "<script>alert('x')</script> & co".into();
        inventory.vms[0].name = "web<1>\"".into();
        inventory.vms[0].next_run_pending = true;
        let page = html(&run(&inventory, None), Lang::En);
        assert!(!page.contains("<script"), "unescaped name");
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(page.contains("web&lt;1&gt;&quot;"));
        assert!(!page.contains("web<1>"));
    }

    #[test]
    fn the_page_stands_alone_and_says_every_status_in_words() {
        let mut inventory = clean();
        inventory.manager.last_backup = None;
        let page = html(&run(&inventory, None), Lang::Ja);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<html lang=\"ja\">"));
        for forbidden in ["<script", "<link", "src=", "http://", "https://"] {
            assert!(!page.contains(forbidden), "{forbidden}");
        }
        assert!(page.contains("[FAIL]") && page.contains("[PASS]"));
        assert!(page.contains("id=\"rule-backup.none\""));
        assert!(page.contains("href=\"#rule-backup.none\""));
        assert!(page.trim_end().ends_with("</html>"));
    }
}
