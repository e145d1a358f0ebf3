//! The terminal report, in the manner of Proxmox's `pve8to9`: a section per area, one
//! `STATUS:` line per rule, the evidence and the fix under each finding, counts at the end.

use std::fmt::Write as _;

use model::{Lang, Text};

use super::{display_width, route_line, stages};
use crate::rule::{Section, Status};
use crate::{Report, RuleResult};

/// How much the terminal report shows.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    pub lang: Lang,
    /// Print rules that passed or were skipped, not only what they found.
    pub show_passed: bool,
    /// Evidence lines printed per finding; the rest are counted.
    pub evidence_limit: Option<usize>,
}

impl TextOptions {
    pub fn new(lang: Lang) -> TextOptions {
        TextOptions {
            lang,
            show_passed: true,
            evidence_limit: Some(10),
        }
    }
}

const INDENT: &str = "      ";

pub fn text(report: &Report, options: &TextOptions) -> String {
    let lang = options.lang;
    let t = |text: Text| text.into_lang(lang);
    let mut out = String::new();
    let inventory = report.inventory;
    let title = t(Text::new(
        "ovirt-upgrade check",
        "ovirt-upgrade check (アップグレード前チェック)",
    ));
    if inventory.name.is_empty() {
        let _ = writeln!(out, "{title}");
    } else {
        let _ = writeln!(out, "{title}: {}", inventory.name);
    }
    if !inventory.source.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            t(Text::new("Source", "読み込み元")),
            inventory.source
        );
    }
    let _ = writeln!(out, "{}", route_line(report, lang));

    for section in Section::ALL {
        let results: Vec<&RuleResult> = report
            .results
            .iter()
            .filter(|r| r.rule.section == *section)
            .filter(|r| options.show_passed || !matches!(r.status(), Status::Pass | Status::Skip))
            .collect();
        if results.is_empty() {
            continue;
        }
        let heading = section.title().into_lang(lang);
        let heading = match lang {
            Lang::En => heading.to_uppercase(),
            Lang::Ja => heading.into_owned(),
        };
        let _ = writeln!(out, "\n= {heading} =\n");
        for result in results {
            write_result(&mut out, result, options);
        }
    }
    write_summary(&mut out, report, lang);
    out
}

fn write_result(out: &mut String, result: &RuleResult, options: &TextOptions) {
    let lang = options.lang;
    let t = |text: Text| text.into_lang(lang);
    let rule = result.rule;
    let status = result.status();
    let label = status.label();
    match status {
        Status::Pass => {
            let _ = writeln!(out, "{label}: {}  [{}]", rule.title.get(lang), rule.id);
        }
        Status::Skip => {
            let reason = result.skip_reason().map_or("", |r| r.get(lang));
            let _ = writeln!(
                out,
                "{label}: {} ({reason})  [{}]",
                rule.title.get(lang),
                rule.id
            );
        }
        Status::Info | Status::Warn | Status::Fail => {
            for finding in result.findings() {
                let _ = writeln!(out, "{label}: {}  [{}]", finding.message.get(lang), rule.id);
                let shown = options.evidence_limit.unwrap_or(usize::MAX);
                for evidence in finding.evidence.iter().take(shown) {
                    let detail = evidence.detail.get(lang);
                    let kind = evidence.kind.title().into_lang(lang);
                    if detail.is_empty() {
                        let _ = writeln!(out, "{INDENT}- {kind} {}", evidence.name);
                    } else {
                        let _ = writeln!(out, "{INDENT}- {kind} {}: {detail}", evidence.name);
                    }
                }
                let hidden = finding.evidence.len().saturating_sub(shown);
                if hidden > 0 {
                    let more = match lang {
                        Lang::En => format!("... and {hidden} more (-v shows all)"),
                        Lang::Ja => format!("... ほか {hidden} 件 (-v ですべて表示)"),
                    };
                    let _ = writeln!(out, "{INDENT}{more}");
                }
            }
            if status != Status::Info && !rule.blocks.is_empty() {
                let blocks = t(Text::new("blocks", "影響"));
                let _ = writeln!(out, "{INDENT}{blocks}: {}", stages(lang, rule.blocks));
            }
            let fix = t(Text::new("fix", "対処"));
            let _ = writeln!(out, "{INDENT}{fix}: {}", rule.fix.get(lang));
        }
    }
}

fn write_summary(out: &mut String, report: &Report, lang: Lang) {
    let counts = report.counts();
    let heading = Text::new("SUMMARY", "まとめ").into_lang(lang);
    let _ = writeln!(out, "\n= {heading} =\n");
    let rows = [
        (Text::new("TOTAL:", "合計:"), counts.total),
        (Text::new("PASSED:", "合格:"), counts.passed),
        (Text::new("SKIPPED:", "対象外:"), counts.skipped),
        (Text::new("INFO:", "情報:"), counts.info),
        (Text::new("WARNINGS:", "警告:"), counts.warnings),
        (Text::new("FAILURES:", "失敗:"), counts.failures),
    ];
    let width = rows
        .iter()
        .map(|(label, _)| display_width(label.get(lang)))
        .max()
        .unwrap_or(0);
    for (label, count) in rows {
        let label = label.get(lang);
        let padding = " ".repeat(width - display_width(label) + 1);
        let _ = writeln!(out, "{label}{padding}{count}");
    }
    let closing = match (counts.failures, counts.warnings, lang) {
        (0, 0, Lang::En) => "Nothing stands in the way of the upgrade.".to_owned(),
        (0, 0, Lang::Ja) => "アップグレードを妨げるものはありません。".to_owned(),
        (0, w, Lang::En) => format!("{w} warning(s): read them before the window; none blocks the upgrade."),
        (0, w, Lang::Ja) => format!("警告 {w} 件: 作業前に確認してください。アップグレードを止めるものはありません。"),
        (f, _, Lang::En) => format!("{f} failure(s) block the upgrade: fix them one at a time, then run the check again."),
        (f, _, Lang::Ja) => format!("失敗 {f} 件がアップグレードを妨げます。1 つずつ解決し、もう一度チェックを実行してください。"),
    };
    let _ = writeln!(out, "\n{closing}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn quiet_reports_show_only_what_was_found() {
        let mut inventory = clean();
        inventory.manager.last_backup = None;
        let report = run(&inventory, None);
        let full = text(&report, &TextOptions::new(Lang::En));
        assert!(full.contains("PASS: "), "{full}");
        assert!(full.contains("FAIL: No successful engine-backup"), "{full}");
        let quiet = text(
            &report,
            &TextOptions {
                show_passed: false,
                ..TextOptions::new(Lang::En)
            },
        );
        assert!(!quiet.contains("PASS: "), "{quiet}");
        assert!(quiet.contains("[backup.none]"));
        assert!(quiet.contains("FAILURES: 1"), "{quiet}");
    }

    #[test]
    fn long_evidence_is_cut_unless_asked() {
        let mut inventory = clean();
        for vm in &mut inventory.vms {
            vm.next_run_pending = true;
        }
        let report = run(&inventory, None);
        let short = text(
            &report,
            &TextOptions {
                evidence_limit: Some(2),
                ..TextOptions::new(Lang::En)
            },
        );
        assert!(short.contains("... and 4 more (-v shows all)"), "{short}");
        let japanese = text(
            &report,
            &TextOptions {
                evidence_limit: None,
                ..TextOptions::new(Lang::Ja)
            },
        );
        assert!(!japanese.contains("..."), "{japanese}");
        assert!(japanese.contains("= まとめ ="), "{japanese}");
        assert!(japanese.contains("失敗:"), "{japanese}");
    }
}
