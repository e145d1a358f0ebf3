//! The rule catalogue: every rule, grouped by the report section it prints in.

mod compat;
mod evacuation;
mod hosted_engine;
mod hosts;
mod manager;
mod route;
mod storage;
mod vms;

use model::{Cluster, DataCenter, Host, Text, Vm};

use crate::facts::Facts;
use crate::rule::{Evidence, Rule, Scope};

const GROUPS: &[&[Rule]] = &[
    route::RULES,
    manager::RULES,
    hosted_engine::RULES,
    compat::RULES,
    hosts::RULES,
    evacuation::RULES,
    vms::RULES,
    storage::RULES,
];

/// Every rule, in report order.
pub fn catalogue() -> impl Iterator<Item = &'static Rule> {
    GROUPS.iter().flat_map(|group| group.iter())
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalogue().find(|rule| rule.id == id)
}

/// The Manager, named by its host name, or by its version when the inventory has no name.
fn manager_evidence(f: &Facts, detail: Text) -> Evidence {
    let fqdn = &f.inventory.manager.fqdn;
    let name = if fqdn.is_empty() {
        f.current.to_string()
    } else {
        fqdn.clone()
    };
    Evidence::new(Scope::Manager, name, None, detail)
}

fn host_evidence(host: &Host, detail: Text) -> Evidence {
    Evidence::new(Scope::Host, &host.name, Some(host.id.0), detail)
}

fn vm_evidence(vm: &Vm, detail: Text) -> Evidence {
    Evidence::new(Scope::Vm, &vm.name, Some(vm.id.0), detail)
}

fn cluster_evidence(cluster: &Cluster, detail: Text) -> Evidence {
    Evidence::new(Scope::Cluster, &cluster.name, Some(cluster.id.0), detail)
}

fn data_center_evidence(dc: &DataCenter, detail: Text) -> Evidence {
    Evidence::new(Scope::DataCenter, &dc.name, Some(dc.id.0), detail)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::rule::{Section, Severity};

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for rule in catalogue() {
            assert!(seen.insert(rule.id), "{} is used twice", rule.id);
            let (area, what) = rule.id.split_once('.').expect("ids are area.what");
            let allowed = |s: &str| {
                !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    })
            };
            assert!(allowed(area) && allowed(what), "{}", rule.id);
        }
        assert!(seen.len() >= 40, "only {} rules", seen.len());
    }

    #[test]
    fn every_rule_says_what_to_do_in_both_languages() {
        for rule in catalogue() {
            for text in [&rule.title, &rule.fix] {
                assert!(!text.en.is_empty() && !text.ja.is_empty(), "{}", rule.id);
                assert_ne!(text.en, text.ja, "{} is not translated", rule.id);
            }
            if rule.severity == Severity::Fail {
                assert!(!rule.blocks.is_empty(), "{} blocks nothing", rule.id);
            }
        }
    }

    /// Every rule has a test that makes it fire; that each stays quiet on a clean environment
    /// is `testing::the_clean_environments_are_clean`.
    #[test]
    fn every_rule_has_a_test_that_makes_it_fire() {
        let sources = [
            include_str!("route.rs"),
            include_str!("manager.rs"),
            include_str!("hosted_engine.rs"),
            include_str!("compat.rs"),
            include_str!("hosts.rs"),
            include_str!("evacuation.rs"),
            include_str!("vms.rs"),
            include_str!("storage.rs"),
        ]
        .concat();
        // rustfmt may break a call over lines; compare without whitespace.
        let sources: String = sources.chars().filter(|c| !c.is_whitespace()).collect();
        for rule in catalogue() {
            assert!(
                sources.contains(&format!("assert_fires(\"{}\"", rule.id)),
                "no test makes {} fire",
                rule.id
            );
        }
    }

    #[test]
    fn every_section_has_rules_and_groups_follow_the_sections() {
        for section in Section::ALL {
            assert!(catalogue().any(|r| r.section == *section), "{section:?}");
        }
        let sections: Vec<Section> = catalogue().map(|r| r.section).collect();
        assert!(
            sections.windows(2).all(|w| w[0] <= w[1]),
            "rules out of section order"
        );
    }
}
