//! Small clean environments for the rules' tests, and assertions on what a rule concluded.
//! Each rule's test takes a clean environment, breaks the one thing the rule looks at, and
//! checks that the rule fires there and stays quiet on the unbroken one.

use model::{Date, Inventory, Version};

use crate::rule::{Finding, Status};
use crate::{check, default_target, Report};

/// The fixed "today" of the tests.
pub fn now() -> Date {
    "2026-11-23".parse().unwrap()
}

pub fn v(text: &str) -> Version {
    text.parse().unwrap()
}

fn load(text: &str) -> Inventory {
    scenario::parse_scenario(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// A healthy standalone 4.5.6 environment: the newest release, levels 4.7, nothing to find.
pub fn clean() -> Inventory {
    load(
        r#"
name = "clean 4.5"
[manager]
version = "4.5.6"
deployment = "standalone"
fqdn = "engine.example.com"
os = "el9.4"
last_backup = "2026-11-20"
[[manager.certificates]]
name = "apache"
not_after = "2030-01-01"
[[data_centers]]
name = "Default"
version = "4.7"
[[clusters]]
name = "Default"
version = "4.7"
hosts = { count = 3, memory = "256 GiB", os = "el9.4" }
vms = { count = 6, memory = "8 GiB" }
"#,
    )
}

/// The same on a self-hosted engine with three hosted-engine hosts.
pub fn clean_self_hosted() -> Inventory {
    load(
        r#"
name = "clean self-hosted 4.5"
[manager]
version = "4.5.6"
deployment = "self-hosted"
os = "el9.4"
last_backup = "2026-11-20"
[[data_centers]]
name = "Default"
version = "4.7"
[[clusters]]
name = "Default"
version = "4.7"
hosts = { count = 4, memory = "256 GiB", os = "el9.4", hosted_engine = 3 }
vms = { count = 6, memory = "8 GiB" }
"#,
    )
}

/// A healthy standalone 4.4.10 environment at level 4.6.
pub fn clean_44() -> Inventory {
    load(
        r#"
name = "clean 4.4"
[manager]
version = "4.4.10"
deployment = "standalone"
os = "el8.6"
last_backup = "2026-11-20"
[[data_centers]]
name = "Default"
version = "4.6"
[[clusters]]
name = "Default"
version = "4.6"
hosts = { count = 3, memory = "256 GiB", os = "el8.6" }
vms = { count = 6, memory = "8 GiB" }
"#,
    )
}

/// A healthy standalone 4.3.11 environment at level 4.3, on EL7.
pub fn clean_43() -> Inventory {
    load(
        r#"
name = "clean 4.3"
[manager]
version = "4.3.11"
deployment = "standalone"
os = "el7.9"
last_backup = "2026-11-20"
[[data_centers]]
name = "Default"
version = "4.3"
[[clusters]]
name = "Default"
version = "4.3"
hosts = { count = 3, memory = "256 GiB", os = "el7.9" }
vms = { count = 6, memory = "8 GiB" }
"#,
    )
}

pub fn run<'a>(inventory: &'a Inventory, target: Option<&str>) -> Report<'a> {
    let target = target.map_or_else(|| default_target(inventory.manager.version), v);
    check(inventory, target, now()).unwrap_or_else(|e| panic!("{e}"))
}

fn status_and_findings(
    id: &str,
    inventory: &Inventory,
    target: Option<&str>,
) -> (Status, Vec<Finding>) {
    let report = run(inventory, target);
    let result = report
        .results
        .iter()
        .find(|r| r.rule.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"));
    (result.status(), result.findings().to_vec())
}

/// What the rule found, asserting that it fired.
pub fn assert_fires(id: &str, inventory: &Inventory, target: Option<&str>) -> Vec<Finding> {
    let (status, findings) = status_and_findings(id, inventory, target);
    assert!(
        matches!(status, Status::Info | Status::Warn | Status::Fail),
        "{id} did not fire on {} (status {status:?})",
        inventory.name
    );
    findings
}

pub fn assert_quiet(id: &str, inventory: &Inventory, target: Option<&str>) {
    let (status, findings) = status_and_findings(id, inventory, target);
    assert!(
        matches!(status, Status::Pass | Status::Skip),
        "{id} fired on {}: {findings:#?}",
        inventory.name
    );
}

pub fn assert_skipped(id: &str, inventory: &Inventory, target: Option<&str>) {
    let (status, _) = status_and_findings(id, inventory, target);
    assert_eq!(status, Status::Skip, "{id} on {}", inventory.name);
}

/// The names of every object in the findings' evidence.
pub fn evidence_names(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .flat_map(|f| f.evidence.iter().map(|e| e.name.as_str()))
        .collect()
}

#[test]
fn the_clean_environments_are_clean() {
    for (inventory, target) in [
        (clean(), None),
        (clean_self_hosted(), None),
        (clean_44(), Some("4.4.10")),
        (clean_43(), Some("4.3.11")),
    ] {
        let report = run(&inventory, target);
        let noisy: Vec<_> = report
            .results
            .iter()
            .filter(|r| !matches!(r.status(), Status::Pass | Status::Skip))
            .map(|r| (r.rule.id, r.findings().to_vec()))
            .collect();
        assert!(noisy.is_empty(), "{}: {noisy:#?}", inventory.name);
    }
}
