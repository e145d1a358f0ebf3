//! Pre-upgrade checks: pure rules over an inventory, a target version and "now", and the
//! reports they make.
//!
//! [`check`] runs every rule of the [catalogue](rules::catalogue) and returns a [`Report`];
//! the [`render`] module turns it into the terminal report, JSON or a self-contained HTML
//! page. Nothing here reads files, the network or the clock: an inventory loaded from a file
//! and one read from a live engine go through the same rules.

mod capacity;
mod facts;
pub mod render;
mod report;
pub mod rule;
pub mod rules;
mod target;
#[cfg(test)]
mod testing;

pub use report::{check, Counts, Report, RuleResult};
pub use rule::{Evidence, Finding, Outcome, Rule, Scope, Section, Severity, Stage, Status};
pub use target::{default_target, TargetError};
