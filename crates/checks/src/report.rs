//! Running the catalogue over one environment, and what came out.

use model::release;
use model::{Date, Inventory, Version};
use serde::Serialize;

use crate::facts::Facts;
use crate::rule::{Finding, Message, Outcome, Rule, Status};
use crate::rules;
use crate::target::TargetError;

/// What every rule concluded for one environment and target.
#[derive(Debug)]
pub struct Report<'a> {
    pub inventory: &'a Inventory,
    /// The Manager's version now.
    pub current: Version,
    pub target: Version,
    /// The day the checks were made for (certificate and backup ages count from it).
    pub now: Date,
    /// One result per rule, in catalogue order.
    pub results: Vec<RuleResult>,
}

#[derive(Debug)]
pub struct RuleResult {
    pub rule: &'static Rule,
    pub outcome: Outcome,
}

impl RuleResult {
    pub fn status(&self) -> Status {
        match &self.outcome {
            Outcome::Skipped(_) => Status::Skip,
            Outcome::Found(findings) if findings.is_empty() => Status::Pass,
            Outcome::Found(_) => self.rule.severity.into(),
        }
    }

    pub fn findings(&self) -> &[Finding] {
        match &self.outcome {
            Outcome::Found(findings) => findings,
            Outcome::Skipped(_) => &[],
        }
    }

    pub fn skip_reason(&self) -> Option<&Message> {
        match &self.outcome {
            Outcome::Skipped(reason) => Some(reason),
            Outcome::Found(_) => None,
        }
    }
}

/// How many rules ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub skipped: usize,
    pub info: usize,
    pub warnings: usize,
    pub failures: usize,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            total: self.results.len(),
            ..Counts::default()
        };
        for result in &self.results {
            *match result.status() {
                Status::Pass => &mut counts.passed,
                Status::Skip => &mut counts.skipped,
                Status::Info => &mut counts.info,
                Status::Warn => &mut counts.warnings,
                Status::Fail => &mut counts.failures,
            } += 1;
        }
        counts
    }

    /// At least one blocker: the command exits with 1.
    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.status() == Status::Fail)
    }
}

/// Runs every rule over `inventory` for an upgrade to `target`, as of `now`.
pub fn check(inventory: &Inventory, target: Version, now: Date) -> Result<Report<'_>, TargetError> {
    let current = inventory.manager.version;
    let current_release = release::release_of(current).map_err(TargetError::UnknownManager)?;
    let target_release = release::release_of(target).map_err(TargetError::UnknownTarget)?;
    if target < current {
        return Err(TargetError::OlderThanManager { target, current });
    }
    let facts = Facts::new(inventory, current_release, target, target_release, now);
    let results = rules::catalogue()
        .map(|rule| RuleResult {
            rule,
            outcome: (rule.check)(&facts),
        })
        .collect();
    Ok(Report {
        inventory,
        current,
        target,
        now,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn a_target_older_than_the_manager_or_unknown_is_refused() {
        let inventory = clean_44();
        let older = check(&inventory, v("4.3.11"), now()).unwrap_err();
        assert!(matches!(older, TargetError::OlderThanManager { .. }));
        assert!(older.to_string().contains("never downgraded"), "{older}");
        let unknown = check(&inventory, v("4.4.99"), now()).unwrap_err();
        assert!(unknown.to_string().contains("4.4.10"), "{unknown}");
    }

    #[test]
    fn counts_add_up_and_failures_decide() {
        let mut inventory = clean();
        let report = run(&inventory, None);
        let counts = report.counts();
        assert_eq!(counts.total, rules::catalogue().count());
        assert_eq!(counts.passed + counts.skipped, counts.total);
        assert!(!report.has_failures());
        inventory.manager.last_backup = None;
        assert!(run(&inventory, None).has_failures());
    }
}
