//! The HTML report (`analyzer_report.html`): one file with its CSS inline and no script, so
//! it opens anywhere, text-mode browsers included (`elinks analyzer_report.html`). Statuses
//! are written as words, never shown by colour alone; the template engine escapes every text
//! from the inventory.

use maud::{html, Markup};
use model::{Inventory, Lang, Text};

use super::{deployment, route_line, stages};
use crate::facts::gib;
use crate::rule::{Section, Status};
use crate::{Report, RuleResult};

/// The report's own rules, after the shared base: wide pages for the inventory's tables, ruled
/// cells, and statuses coloured as well as named.
const STYLE: &str = "\
body{max-width:75rem}table{margin:.5em 0 1em}\
th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f2f2f2}code{background:#f4f4f4;padding:0 .2em}\
.status{font-weight:bold;white-space:nowrap}.pass{color:#1a7f37}.skip{color:#777}.info{color:#0b5cad}\
.warn{color:#9a6700}.fail{color:#c62828}.finding{border-left:4px solid #ccc;padding-left:1em;margin:1em 0}\
.finding.fail{border-color:#c62828}.finding.warn{border-color:#d4a72c}.finding.info{border-color:#0b5cad}\
.finding p{color:#1b1b1b}@media print{th{background:none}}";

fn class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Skip => "skip",
        Status::Info => "info",
        Status::Warn => "warn",
        Status::Fail => "fail",
    }
}

/// A table with a header row.
fn table(lang: Lang, header: &[Text], rows: impl IntoIterator<Item = Vec<String>>) -> Markup {
    html! {
        table {
            "\n"
            tr { @for cell in header { th { (cell.get(lang)) } } }
            "\n"
            @for row in rows {
                tr { @for cell in row { td { (cell) } } }
                "\n"
            }
        }
        "\n"
    }
}

fn section_anchor(section: Section) -> String {
    format!("section-{}", section.id())
}

pub fn html(report: &Report, lang: Lang) -> String {
    let t = |text: Text| text.into_lang(lang);
    let inventory = report.inventory;
    let check = t(Text::new("Pre-upgrade check", "アップグレード前チェック"));
    let title = if inventory.name.is_empty() {
        check.into_owned()
    } else {
        format!("{check}: {}", inventory.name)
    };
    let body = html! {
        h1 { (title) } "\n"
        @if !inventory.source.is_empty() {
            p { (t(Text::new("Source", "読み込み元"))) ": " code { (inventory.source) } } "\n"
        }
        p { (route_line(report, lang)) } "\n"
        (counts(report, lang))
        (contents(lang))
        (environment(report, lang))
        (findings(report, lang))
        (inventory_tables(inventory, lang))
        hr; "\n"
        p {
            (t(Text::new(
                "Made by ovirt-upgrade check from the inventory above; nothing was changed in the environment.",
                "ovirt-upgrade check が上記のインベントリーから作成しました。環境には何も変更を加えていません。",
            )))
        }
        "\n"
    };
    page::document(lang, &title, STYLE, body).into_string()
}

fn counts(report: &Report, lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    let counts = report.counts();
    let rows = [
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
    ];
    let verdict = if counts.failures > 0 {
        Text::new(
            "Failures block the upgrade: fix them first, then check again.",
            "失敗の項目がアップグレードを妨げます。先に解決してから、もう一度チェックしてください。",
        )
    } else if counts.warnings > 0 {
        Text::new(
            "No blocker; read the warnings before the window.",
            "妨げとなる項目はありません。作業前に警告を確認してください。",
        )
    } else {
        Text::new(
            "Nothing stands in the way of the upgrade.",
            "アップグレードを妨げるものはありません。",
        )
    };
    html! {
        h2 #summary { (t(Text::new("Summary", "まとめ"))) } "\n"
        table {
            "\n"
            @for (status, label, count) in rows {
                tr { th class=[status.map(class)] { (t(label)) } td { (count) } } "\n"
            }
        }
        "\n"
        p { strong { (t(verdict)) } } "\n"
    }
}

fn contents(lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    html! {
        h2 #contents { (t(Text::new("Contents", "目次"))) } "\n"
        ul {
            "\n"
            li { a href="#environment" { (t(Text::new("Environment", "環境"))) } } "\n"
            li {
                a href="#findings" { (t(Text::new("Checks", "チェック結果"))) }
                ul {
                    "\n"
                    @for section in Section::ALL {
                        li { a href={ "#" (section_anchor(*section)) } { (section.title().get(lang)) } } "\n"
                    }
                }
            }
            "\n"
            li { a href="#inventory" { (t(Text::new("Inventory", "インベントリー"))) } } "\n"
        }
        "\n"
    }
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

fn environment(report: &Report, lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    let manager = &report.inventory.manager;
    let summary = report.inventory.summary();
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
        t(Text::new("none", "なし")).into_owned()
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
    .into_iter()
    .map(|(what, count)| format!("{} {count}", t(what)))
    .collect::<Vec<_>>()
    .join(match lang {
        Lang::En => ", ",
        Lang::Ja => "、",
    });
    let rows = [
        (
            Text::new("Manager version", "Manager のバージョン"),
            report.current.to_string(),
        ),
        (Text::new("Target", "ターゲット"), report.target.to_string()),
        (
            Text::new("Deployment", "デプロイメント"),
            deployment(manager.deployment).into_lang(lang).into_owned(),
        ),
        (Text::new("FQDN", "FQDN"), manager.fqdn.clone()),
        (Text::new("Operating system", "OS"), manager.os.to_string()),
        (
            Text::new("Engine database", "Manager データベース"),
            postgresql(
                manager.database.placement.to_string(),
                &manager.database.postgresql,
            ),
        ),
        (
            Text::new("Data Warehouse", "Data Warehouse"),
            postgresql(manager.dwh.placement.to_string(), &manager.dwh.postgresql),
        ),
        (
            Text::new("Grafana", "Grafana"),
            yes_no(lang, manager.grafana),
        ),
        (
            Text::new("OVN provider", "OVN プロバイダー"),
            yes_no(lang, manager.ovn),
        ),
        (Text::new("Extensions", "拡張パッケージ"), extensions),
        (
            Text::new("Last successful backup", "最後に成功したバックアップ"),
            manager
                .last_backup
                .map_or_else(|| "-".into(), |d| d.to_string()),
        ),
        (
            Text::new(
                "Levels the Manager accepts",
                "Manager の受け付ける互換レベル",
            ),
            levels(&summary.manager.supported_levels),
        ),
        (
            Text::new(
                "Levels the target accepts",
                "ターゲットの受け付ける互換レベル",
            ),
            levels(model::release::supported_cluster_levels(report.target)),
        ),
        (Text::new("Objects", "オブジェクト数"), objects),
    ];
    html! {
        h2 #environment { (t(Text::new("Environment", "環境"))) } "\n"
        (table(
            lang,
            &[Text::new("Item", "項目"), Text::new("Value", "値")],
            rows.into_iter().map(|(item, value)| vec![t(item).into_owned(), value]),
        ))
    }
}

fn findings(report: &Report, lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    let header = [
        Text::new("Status", "状態"),
        Text::new("Check", "チェック"),
        Text::new("Rule", "ルール"),
    ];
    html! {
        h2 #findings { (t(Text::new("Checks", "チェック結果"))) } "\n"
        @for section in Section::ALL {
            @let results: Vec<&RuleResult> = report
                .results
                .iter()
                .filter(|r| r.rule.section == *section)
                .collect();
            h3 id=(section_anchor(*section)) { (section.title().get(lang)) } "\n"
            table {
                "\n"
                tr { @for cell in &header { th { (cell.get(lang)) } } }
                "\n"
                @for result in &results {
                    @let status = result.status();
                    @let id = result.rule.id;
                    tr {
                        td class={ "status " (class(status)) } { "[" (status.label()) "]" }
                        td {
                            (result.rule.title.get(lang))
                            @if let Some(reason) = result.skip_reason() {
                                " (" (reason.get(lang)) ")"
                            }
                        }
                        td {
                            @if matches!(status, Status::Pass | Status::Skip) {
                                code { (id) }
                            } @else {
                                a href={ "#rule-" (id) } { code { (id) } }
                            }
                        }
                    }
                    "\n"
                }
            }
            "\n"
            @for result in results.iter().filter(|r| !matches!(r.status(), Status::Pass | Status::Skip)) {
                (finding(result, lang))
            }
        }
    }
}

fn finding(result: &RuleResult, lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    let status = result.status();
    let rule = result.rule;
    html! {
        div class={ "finding " (class(status)) } id={ "rule-" (rule.id) } {
            "\n"
            h4 {
                span class={ "status " (class(status)) } { "[" (status.label()) "]" }
                " " (rule.title.get(lang)) " " code { (rule.id) }
            }
            "\n"
            @for finding in result.findings() {
                p { (finding.message.get(lang)) } "\n"
                (table(
                    lang,
                    &[
                        Text::new("Kind", "種類"),
                        Text::new("Name", "名前"),
                        Text::new("Detail", "詳細"),
                    ],
                    finding.evidence.iter().map(|e| {
                        vec![
                            e.kind.title().into_lang(lang).into_owned(),
                            e.name.clone(),
                            e.detail.get(lang).to_owned(),
                        ]
                    }),
                ))
            }
            @if !rule.blocks.is_empty() {
                p { strong { (t(Text::new("Blocks", "影響"))) ":" } " " (stages(lang, rule.blocks)) } "\n"
            }
            p { strong { (t(Text::new("Fix", "対処"))) ":" } " " (rule.fix.get(lang)) } "\n"
        }
        "\n"
    }
}

fn inventory_tables(inventory: &Inventory, lang: Lang) -> Markup {
    let t = |text: Text| text.into_lang(lang);
    let index = model::InventoryIndex::new(inventory);
    let cluster_name = |id| index.cluster(id).map_or("-".to_owned(), |c| c.name.clone());
    let host_name = |id| index.host(id).map_or("-".to_owned(), |h| h.name.clone());

    let data_centers = table(
        lang,
        &[
            Text::new("Name", "名前"),
            Text::new("Level", "互換レベル"),
            Text::new("Storage", "ストレージ"),
            Text::new("Status", "状態"),
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

    let data_center_name = |id| {
        index
            .data_center(id)
            .map_or("-".to_owned(), |dc| dc.name.clone())
    };
    let clusters = table(
        lang,
        &[
            Text::new("Name", "名前"),
            Text::new("Data center", "データセンター"),
            Text::new("Level", "互換レベル"),
            Text::new("Scheduling policy", "スケジューリングポリシー"),
            Text::new("CPU type", "CPU タイプ"),
            Text::new("Gluster", "Gluster"),
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

    let hosts = table(
        lang,
        &[
            Text::new("Name", "名前"),
            Text::new("Cluster", "クラスター"),
            Text::new("Status", "状態"),
            Text::new("Type", "タイプ"),
            Text::new("OS", "OS"),
            Text::new("vdsm", "vdsm"),
            Text::new("Memory", "メモリー"),
            Text::new("Free for VMs", "仮想マシン用の空き"),
            Text::new("SPM", "SPM"),
            Text::new("Hosted engine", "ホストエンジン"),
            Text::new("Update", "更新"),
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
                            state.push(t(text).into_owned());
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

    let storage_domains = table(
        lang,
        &[
            Text::new("Name", "名前"),
            Text::new("Data center", "データセンター"),
            Text::new("Role", "役割"),
            Text::new("Type", "タイプ"),
            Text::new("Status", "状態"),
            Text::new("Format", "形式"),
            Text::new("Master", "Master"),
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

    let gluster_volumes = (!inventory.gluster_volumes.is_empty()).then(|| {
        table(
            lang,
            &[
                Text::new("Name", "名前"),
                Text::new("Cluster", "クラスター"),
                Text::new("Entries to heal", "修復待ちエントリー"),
                Text::new("Geo-replication", "geo レプリケーション"),
            ],
            inventory.gluster_volumes.iter().map(|v| {
                vec![
                    v.name.clone(),
                    cluster_name(v.cluster),
                    v.pending_heals.to_string(),
                    v.geo_replication.join(", "),
                ]
            }),
        )
    });

    let certificates = (!inventory.manager.certificates.is_empty()).then(|| {
        table(
            lang,
            &[
                Text::new("Name", "名前"),
                Text::new("Signature", "署名アルゴリズム"),
                Text::new("Not after", "有効期限"),
                Text::new("External CA", "外部 CA"),
            ],
            inventory.manager.certificates.iter().map(|c| {
                vec![
                    c.name.clone(),
                    c.signature_algorithm.clone(),
                    c.not_after.to_string(),
                    yes_no(lang, c.external_ca),
                ]
            }),
        )
    });

    let vms = table(
        lang,
        &[
            Text::new("Name", "名前"),
            Text::new("Cluster", "クラスター"),
            Text::new("Host", "ホスト"),
            Text::new("Status", "状態"),
            Text::new("Memory", "メモリー"),
            Text::new("Migration", "移行"),
            Text::new("HA", "HA"),
            Text::new("Notes", "備考"),
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
            .map(|(_, text)| t(text).into_owned())
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
    html! {
        h2 #inventory { (t(Text::new("Inventory", "インベントリー"))) } "\n"
        h3 { (t(Text::new("Data centers", "データセンター"))) } "\n"
        (data_centers)
        h3 { (t(Text::new("Clusters", "クラスター"))) } "\n"
        (clusters)
        h3 { (t(Text::new("Hosts", "ホスト"))) } "\n"
        (hosts)
        h3 { (t(Text::new("Storage domains", "ストレージドメイン"))) } "\n"
        (storage_domains)
        @if let Some(gluster_volumes) = gluster_volumes {
            h3 { (t(Text::new("Gluster volumes", "Gluster ボリューム"))) } "\n"
            (gluster_volumes)
        }
        @if let Some(certificates) = certificates {
            h3 { (t(Text::new("Certificates", "証明書"))) } "\n"
            (certificates)
        }
        h3 { (t(Text::new("Virtual machines", "仮想マシン"))) } "\n"
        (vms)
    }
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
        assert!(page.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"));
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
