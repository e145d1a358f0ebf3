//! The report as HTML, for a page to hold (`ovirt-upgrade serve`): the summary in the reader's
//! language, then each storage domain with what was compared, its verdict as a word, and the
//! tool's own lines ([`domain_text`]) as the guide quotes them, in English.

use maud::{html, Markup};
use model::{Lang, Text};

use crate::report::{domain_text, summary_lines, DomainReport, Report};

/// The rules [`html`]'s markup needs, for the page's stylesheet.
pub const STYLE: &str = "\
.domains td,.domains th{border:1px solid #ccc}\
.verdict{font-weight:bold}.verdict.found{color:#c62828}.verdict.clean{color:#1a7f37}";

/// One domain's verdict: a word and a class (the word says it without the colour).
fn verdict(domain: &DomainReport) -> (Text, &'static str) {
    let found = domain.findings.iter().filter(|f| f.counts()).count();
    if found > 0 {
        let ending = if found == 1 { "y" } else { "ies" };
        (
            Text::owned(
                format!("{found} discrepanc{ending}"),
                format!("不一致 {found} 件"),
            ),
            "found",
        )
    } else if domain.safe_to_ignore && !domain.findings.is_empty() {
        (
            Text::new(
                "differences safe to ignore (ISO/Export)",
                "無視できる差異 (ISO/Export)",
            ),
            "ignored",
        )
    } else {
        (Text::new("no discrepancies", "不一致なし"), "clean")
    }
}

/// The report's body: summary, a table of the domains, then each domain's lines.
pub fn html(report: &Report, lang: Lang) -> Markup {
    let summary = report.summary();
    let t = |text: Text| text.into_lang(lang);
    html! {
        section #summary {
            @for line in summary_lines(report, &summary) {
                p { (line.get(lang)) } "\n"
            }
        }
        "\n"
        @if !report.engine_problems.is_empty() {
            h2 { (t(Text::new("Reading the engine's records", "エンジンの記録の読み取り"))) } "\n"
            ul.error {
                @for problem in &report.engine_problems {
                    li { code { (problem.subject) } ": " (problem.message) } "\n"
                }
            }
            "\n"
        }
        @if !report.domains.is_empty() {
            table.domains {
                tr {
                    th { (t(Text::new("Storage domain", "ストレージドメイン"))) }
                    th { (t(Text::new("Role", "役割"))) }
                    th { (t(Text::new("Read from", "読み取り元"))) }
                    th { (t(Text::new("Volumes on storage", "ストレージ上のボリューム"))) }
                    th { (t(Text::new("In the engine's records", "エンジンの記録"))) }
                    th { (t(Text::new("Verdict", "結果"))) }
                }
                "\n"
                @for domain in &report.domains {
                    @let (word, class) = verdict(domain);
                    tr data-domain=(domain.id) {
                        td { a href=(format!("#sd-{}", domain.id)) { (name(domain)) } }
                        td { (domain.role.map_or("?", |r| r.as_str())) }
                        td { code { (domain.source) } }
                        td { (domain.volumes_on_storage) }
                        td { (domain.volumes_in_engine) }
                        td { span class={ "verdict " (class) } { (word.get(lang)) } }
                    }
                    "\n"
                }
            }
            "\n"
        }
        @for domain in &report.domains {
            h2 id=(format!("sd-{}", domain.id)) { (name(domain)) } "\n"
            pre.tool { (domain_text(domain)) } "\n"
        }
    }
}

/// "data1 (c277ad93-…)", or the id alone when the engine does not know the domain.
fn name(domain: &DomainReport) -> String {
    if domain.name.is_empty() {
        domain.id.to_string()
    } else {
        format!("{} ({})", domain.name, domain.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{DomainReport, Finding, FindingKind};

    fn domain(findings: Vec<Finding>) -> DomainReport {
        DomainReport {
            id: "c277ad93-0973-43d9-a0ca-22199bc8e801".parse().unwrap(),
            name: "data<1>".to_owned(),
            role: Some(model::DomainRole::Data),
            safe_to_ignore: false,
            source: "/mnt/data".to_owned(),
            volumes_on_storage: 2,
            volumes_in_engine: 2,
            findings,
        }
    }

    fn report(domains: Vec<DomainReport>) -> Report {
        Report {
            domains,
            engine_problems: Vec::new(),
            not_scanned: Vec::new(),
            confirmed: false,
            transient: 0,
        }
    }

    #[test]
    fn each_domain_has_its_verdict_and_the_tools_lines() {
        let clean = html(&report(vec![domain(Vec::new())]), Lang::En).into_string();
        assert!(clean.contains("no discrepancies"), "{clean}");
        assert!(clean.contains("No missing images found"), "{clean}");
        // Names from the engine are escaped.
        assert!(clean.contains("data&lt;1&gt;"), "{clean}");

        let volume = "ef325650-4b39-43cf-9e00-62b9f7659020".parse().unwrap();
        let finding = Finding::new(FindingKind::Initializing { volume }, false);
        let capacity = Finding::new(
            FindingKind::Attribute {
                volume,
                attribute: crate::report::Attribute::Capacity,
                storage: "1".to_owned(),
                engine: "2".to_owned(),
            },
            false,
        );
        let found = html(&report(vec![domain(vec![capacity, finding])]), Lang::Ja).into_string();
        assert!(found.contains("不一致 1 件"), "{found}");
        assert!(
            found.contains("has a different attribute capacity on storage(1) and on DB(2)"),
            "{found}"
        );
        assert!(found.contains("--confirm"), "{found}");
    }
}
