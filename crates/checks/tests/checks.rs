//! The checks as their users meet them: every shipped example analysed, its terminal report
//! pinned in a snapshot, each example finding what it was written to show, the JSON and HTML
//! reports well formed, and docs/check.md listing exactly the rules of the catalogue.

use checks::render::{self, TextOptions};
use checks::{check, default_target, rules, Report, Status};
use model::{Date, Inventory, Lang};

/// The day the snapshots were taken for; certificate and backup ages count from it.
fn now() -> Date {
    "2026-11-23".parse().unwrap()
}

fn example(name: &str) -> Inventory {
    scenario::load(&format!("example:{name}")).unwrap_or_else(|e| panic!("{e}"))
}

fn analyse(inventory: &Inventory) -> Report<'_> {
    check(inventory, default_target(inventory.manager.version), now()).unwrap()
}

fn status(report: &Report, id: &str) -> Status {
    report
        .results
        .iter()
        .find(|r| r.rule.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
        .status()
}

#[test]
fn every_example_is_analysed_and_its_report_pinned() {
    for shipped in scenario::EXAMPLES {
        let inventory = example(shipped.name);
        let report = analyse(&inventory);
        assert_eq!(report.results.len(), rules::catalogue().count());
        let text = render::text(&report, &TextOptions::new(Lang::En));
        insta::assert_snapshot!(format!("text_en_{}", shipped.name), text);
        // The other renderings work for every example too.
        assert!(!render::text(&report, &TextOptions::new(Lang::Ja)).is_empty());
        let json: serde_json::Value =
            serde_json::from_str(&render::json(&report, Lang::En)).unwrap();
        assert_eq!(
            json["results"].as_array().unwrap().len(),
            report.results.len()
        );
        assert!(render::html(&report, Lang::En).ends_with("</html>\n"));
    }
}

#[test]
fn the_japanese_report_reads_the_same() {
    let inventory = example("standalone-remote");
    let text = render::text(&analyse(&inventory), &TextOptions::new(Lang::Ja));
    insta::assert_snapshot!("text_ja_standalone-remote", text);
}

#[test]
fn each_example_shows_what_it_was_written_for() {
    let expectations: &[(&str, &[(&str, Status)])] = &[
        (
            "self-hosted",
            &[
                ("he.global-maintenance-required", Status::Info),
                ("host.not-up", Status::Warn),
                ("vm.pinned", Status::Warn),
                ("host.os-reinstall", Status::Warn),
                ("backup.none", Status::Pass),
            ],
        ),
        (
            "standalone-local",
            &[
                ("he.no-spare-host", Status::Skip),
                ("backup.stale", Status::Pass),
            ],
        ),
        (
            "standalone-remote",
            &[
                ("database.remote-postgresql", Status::Fail),
                ("dwh.remote-postgresql", Status::Fail),
                ("aaa.ldap-deprecated", Status::Warn),
                ("storage.export-domain", Status::Warn),
                ("storage.iso-domain", Status::Info),
            ],
        ),
        (
            "local-storage",
            &[
                ("datacenter.local-storage", Status::Info),
                ("evacuation.no-other-host", Status::Warn),
            ],
        ),
        (
            "hyperconverged",
            &[
                ("gluster.heals-pending", Status::Fail),
                ("gluster.geo-replication", Status::Warn),
                ("gluster.levels-below-4.3", Status::Pass),
            ],
        ),
        (
            "pinned-and-ha",
            &[
                ("vm.snapshot-in-preview", Status::Fail),
                ("vm.next-run-pending", Status::Fail),
                ("vm.vgpu", Status::Warn),
                ("vm.host-devices", Status::Warn),
                ("vm.custom-level-set", Status::Info),
                ("backup.stale", Status::Warn),
            ],
        ),
        (
            "sha1-certificates",
            &[
                ("pki.sha1-signature", Status::Warn),
                ("pki.expiring-30-days", Status::Warn),
                ("pki.external-ca", Status::Skip),
            ],
        ),
        (
            "rhv-4.2",
            &[
                ("aaa.ldap-deprecated", Status::Pass),
                ("cluster.compat-behind", Status::Info),
                ("storage.format-upgrade", Status::Info),
            ],
        ),
        (
            "self-hosted-migration",
            &[
                ("host.os-reinstall", Status::Warn),
                ("he.global-maintenance-required", Status::Info),
                ("cluster.compat-behind", Status::Info),
            ],
        ),
        (
            "local-storage-migration",
            &[
                ("datacenter.local-storage", Status::Info),
                ("host.os-reinstall", Status::Warn),
                ("evacuation.no-other-host", Status::Warn),
            ],
        ),
        (
            "demo",
            &[
                ("he.global-maintenance-required", Status::Info),
                ("cluster.virtio-nic-renaming", Status::Warn),
                ("cluster.compat-behind", Status::Info),
                ("vm.pinned", Status::Warn),
            ],
        ),
    ];
    assert_eq!(
        expectations.len(),
        scenario::EXAMPLES.len(),
        "an example without expectations"
    );
    for (name, expected) in expectations {
        let inventory = example(name);
        let report = analyse(&inventory);
        for (id, wanted) in *expected {
            assert_eq!(status(&report, id), *wanted, "{name}: {id}");
        }
    }
}

#[test]
fn the_route_from_4_2_passes_through_4_3() {
    let inventory = example("rhv-4.2");
    let to_44 = check(&inventory, "4.4.10".parse().unwrap(), now()).unwrap();
    assert_eq!(status(&to_44, "route.skips-release-line"), Status::Fail);
    assert_eq!(status(&to_44, "cluster.compat-too-old"), Status::Fail);
    let to_43 = analyse(&inventory);
    assert_eq!(to_43.target.to_string(), "4.3.11");
    assert_eq!(status(&to_43, "route.skips-release-line"), Status::Pass);
    assert_eq!(status(&to_43, "cluster.compat-too-old"), Status::Pass);
}

#[test]
fn a_large_inventory_is_checked_whole() {
    let inventory = scenario::generate(&scenario::GenerateParams {
        hosts: 200,
        vms: 4_000,
        clusters: 4,
        disks_per_vm: 2,
        seed: 7,
        ..Default::default()
    })
    .unwrap();
    let report = analyse(&inventory);
    // The generator sizes hosts so that any one of them can be evacuated.
    for id in ["evacuation.memory-short", "evacuation.memory-fragmented"] {
        assert_eq!(status(&report, id), Status::Pass, "{id}");
    }
    assert!(report.counts().total >= 40);
}

const TABLE_START: &str =
    "<!-- rules:start (generated from the catalogue by crates/checks/tests/checks.rs) -->\n";
const TABLE_END: &str = "<!-- rules:end -->";

fn rules_table() -> String {
    let mut table = String::from(TABLE_START);
    let mut section = None;
    for rule in rules::catalogue() {
        if section != Some(rule.section) {
            section = Some(rule.section);
            table.push_str(&format!(
                "\n### {}\n\n| rule | severity | blocks | passes when |\n|---|---|---|---|\n",
                rule.section.title().en
            ));
        }
        let blocks: Vec<_> = rule.blocks.iter().map(|s| s.title().en).collect();
        let blocks = if blocks.is_empty() {
            "-".to_owned()
        } else {
            blocks.join(", ")
        };
        let severity = Status::from(rule.severity).label();
        table.push_str(&format!(
            "| `{}` | {severity} | {blocks} | {} |\n",
            rule.id,
            rule.title.en.replace('|', "\\|")
        ));
    }
    table.push('\n');
    table.push_str(TABLE_END);
    table
}

/// docs/check.md carries the rule table between two markers; `UPDATE_DOCS=1 cargo test`
/// rewrites it from the catalogue.
#[test]
fn the_documentation_lists_every_rule() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/check.md");
    let doc = std::fs::read_to_string(path).expect("docs/check.md exists");
    let start = doc
        .find(TABLE_START)
        .expect("docs/check.md has the start marker");
    let end = doc
        .find(TABLE_END)
        .expect("docs/check.md has the end marker")
        + TABLE_END.len();
    let table = rules_table();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert!(
        doc[start..end] == table,
        "docs/check.md's rule table is out of date: run `UPDATE_DOCS=1 cargo test -p checks --test checks`"
    );
}
