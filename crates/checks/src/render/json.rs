//! The report as JSON for programs: one object per rule with its status, and one per finding
//! with the objects that show it. Texts are in the language asked for; ids and enums are not.

use model::summary::Summary;
use model::{Date, Lang, Version};
use serde::Serialize;

use crate::rule::{Scope, Section, Severity, Stage, Status};
use crate::{Counts, Report};

/// The version of this JSON layout; raised when a field changes meaning or disappears.
pub const JSON_FORMAT: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    format: u32,
    lang: Lang,
    current: Version,
    target: Version,
    now: Date,
    counts: Counts,
    environment: Summary,
    results: Vec<JsonResult<'a>>,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    id: &'static str,
    status: Status,
    severity: Severity,
    section: Section,
    scope: Scope,
    title: &'static str,
    blocks: &'static [Stage],
    fix: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_because: Option<&'a str>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    message: &'a str,
    evidence: Vec<JsonEvidence<'a>>,
}

#[derive(Serialize)]
struct JsonEvidence<'a> {
    kind: Scope,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
}

/// The report as pretty-printed JSON.
pub fn json(report: &Report, lang: Lang) -> String {
    let results = report
        .results
        .iter()
        .map(|result| JsonResult {
            id: result.rule.id,
            status: result.status(),
            severity: result.rule.severity,
            section: result.rule.section,
            scope: result.rule.scope,
            title: result.rule.title.get(lang),
            blocks: result.rule.blocks,
            fix: result.rule.fix.get(lang),
            skipped_because: result.skip_reason().map(|r| r.get(lang)),
            findings: result
                .findings()
                .iter()
                .map(|finding| JsonFinding {
                    message: finding.message.get(lang),
                    evidence: finding
                        .evidence
                        .iter()
                        .map(|e| JsonEvidence {
                            kind: e.kind,
                            name: &e.name,
                            id: e.id.map(|id| id.to_string()),
                            detail: e.detail.get(lang),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let document = JsonReport {
        format: JSON_FORMAT,
        lang,
        current: report.current,
        target: report.target,
        now: report.now,
        counts: report.counts(),
        environment: report.inventory.summary(),
        results,
    };
    serde_json::to_string_pretty(&document).expect("a report always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn json_carries_ids_statuses_and_evidence() {
        let mut inventory = clean();
        inventory.vms[0].next_run_pending = true;
        let report = run(&inventory, None);
        let value: serde_json::Value = serde_json::from_str(&json(&report, Lang::Ja)).unwrap();
        assert_eq!(value["format"], 1);
        assert_eq!(value["lang"], "ja");
        assert_eq!(value["target"], "4.5.6");
        assert_eq!(value["counts"]["failures"], 1);
        let results = value["results"].as_array().unwrap();
        let pending = results
            .iter()
            .find(|r| r["id"] == "vm.next-run-pending")
            .unwrap();
        assert_eq!(pending["status"], "fail");
        assert_eq!(pending["blocks"][0], "cluster-level");
        assert_eq!(pending["findings"][0]["evidence"][0]["kind"], "vm");
        assert_eq!(
            pending["findings"][0]["evidence"][0]["name"],
            inventory.vms[0].name
        );
        assert!(pending["findings"][0]["evidence"][0]["id"].is_string());
        let skipped = results.iter().find(|r| r["status"] == "skip").unwrap();
        assert!(skipped["skipped_because"].is_string());
    }
}
