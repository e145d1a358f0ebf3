//! Running the catalogue over one environment, and what came out.

use model::release;
use model::{Date, Inventory, Text, Unseen, Version};
use serde::Serialize;

use crate::facts::Facts;
use crate::rule::{Finding, Outcome, Rule, Status};
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

    pub fn skip_reason(&self) -> Option<&Text> {
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
            outcome: match reads_unseen(rule.id, inventory) {
                Some(unseen) => unseen_outcome(unseen),
                None => (rule.check)(&facts),
            },
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

/// The facts a rule reads that its inventory's source could not see, if any: such a rule
/// is skipped rather than passed (or failed) on an absence that means nothing.
fn reads_unseen(rule: &str, inventory: &Inventory) -> Option<Unseen> {
    let needs = match rule {
        "backup.none"
        | "backup.stale"
        | "aaa.ldap-deprecated"
        | "manager.extensions-reinstall"
        | "ovn.provider-upgrade" => Unseen::ManagerMachine,
        // The certificates the engine presents over the network (its CA, its HTTPS
        // certificate) are read without the Manager machine: once recorded, the rules run.
        _ if rule.starts_with("pki.") && !inventory.manager.certificates.is_empty() => return None,
        _ if rule.starts_with("pki.")
            || rule.starts_with("database.")
            || rule.starts_with("dwh.") =>
        {
            Unseen::ManagerMachine
        }
        "host.cluster-level-unsupported" | "ovn.host-not-configured" => Unseen::HostDetails,
        "vm.vgpu" | "vm.host-devices" => Unseen::VmDevices,
        "vm.snapshot-level-unsupported" => Unseen::SnapshotLevels,
        _ if rule.starts_with("gluster.") => Unseen::Gluster,
        _ => return None,
    };
    inventory.unseen.contains(&needs).then_some(needs)
}

fn unseen_outcome(unseen: Unseen) -> Outcome {
    Outcome::skip(match unseen {
        Unseen::ManagerMachine => Text::new(
            "the engine's API does not show the Manager machine (databases, certificates, extensions, backups): check it there, or run check on an inventory that records it",
            "エンジンの API は Manager マシンの情報 (データベース、証明書、拡張、バックアップ) を示しません。Manager マシンで確認するか、それを記録したインベントリーで check を実行してください",
        ),
        Unseen::HostDetails => Text::new(
            "the engine's API does not show the cluster levels, packages and OVN of each host's vdsm: check them with `vdsm-client Host getCapabilities` on the hosts",
            "エンジンの API は各ホストの vdsm が対応する互換レベル、パッケージ、OVN を示しません。ホストで `vdsm-client Host getCapabilities` で確認してください",
        ),
        Unseen::VmDevices => Text::new(
            "the inventory was read without the VMs' vGPUs and host devices: check them in the Administration Portal (Virtual Machines → Host Devices)",
            "インベントリーは仮想マシンの vGPU とホストデバイスを読まずに作られました。管理ポータル (仮想マシン → ホストデバイス) で確認してください",
        ),
        Unseen::SnapshotLevels => Text::new(
            "the engine's API does not show the cluster level kept in each snapshot",
            "エンジンの API は各スナップショットに保存された互換レベルを示しません",
        ),
        Unseen::Gluster => Text::new(
            "the inventory was read without gluster volumes: check heals with `gluster volume heal VOLUME info` and geo-replication with `gluster volume geo-replication status`",
            "インベントリーは Gluster ボリュームを読まずに作られました。`gluster volume heal VOLUME info` と `gluster volume geo-replication status` で確認してください",
        ),
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
    fn facts_the_source_could_not_see_skip_their_rules_and_only_those() {
        let mut inventory = clean_44();
        inventory.manager.last_backup = None;
        let seen = check(&inventory, v("4.4.10"), now()).unwrap();
        let status = |report: &Report, id: &str| {
            report
                .results
                .iter()
                .find(|r| r.rule.id == id)
                .map(|r| r.status())
                .unwrap()
        };
        assert_eq!(
            status(&seen, "backup.none"),
            Status::Fail,
            "a scenario says there is no backup"
        );
        let mut through_api = inventory.clone();
        through_api.unseen = Unseen::ALL.to_vec();
        let live = check(&through_api, v("4.4.10"), now()).unwrap();
        assert_eq!(
            status(&live, "backup.none"),
            Status::Skip,
            "through the API it is unknown"
        );
        assert_eq!(status(&live, "pki.sha1-signature"), Status::Skip);
        assert_eq!(status(&live, "gluster.heals-pending"), Status::Skip);
        let skipped = |report: &Report| {
            report
                .results
                .iter()
                .filter(|r| r.status() == Status::Skip)
                .count()
        };
        assert!(skipped(&live) > skipped(&seen));
        assert_eq!(
            status(&live, "vm.next-run-pending"),
            status(&seen, "vm.next-run-pending"),
            "what the API shows still counts"
        );
        // The certificates the engine presents are read over the network: with them recorded,
        // the pki rules run though the Manager machine stays unseen.
        let mut presented = through_api.clone();
        presented.manager.fqdn = "engine.example.com".into();
        presented.manager.certificates = vec![model::Certificate {
            name: "apache".into(),
            signature_algorithm: "sha1WithRSAEncryption".into(),
            not_after: now().add_days(400),
            external_ca: false,
            subject_alt_names: Some(vec!["localhost".into()]),
        }];
        let read = check(&presented, v("4.4.10"), now()).unwrap();
        assert_eq!(status(&read, "pki.sha1-signature"), Status::Warn);
        assert_eq!(status(&read, "pki.san-mismatch"), Status::Warn);
        assert_eq!(status(&read, "pki.expired"), Status::Pass);
        assert_eq!(
            status(&read, "backup.none"),
            Status::Skip,
            "the rest of the Manager machine is still unseen"
        );
        // Every rule the mapping names exists.
        let ids: Vec<&str> = rules::catalogue().map(|r| r.id).collect();
        for id in [
            "backup.none",
            "backup.stale",
            "aaa.ldap-deprecated",
            "manager.extensions-reinstall",
            "ovn.provider-upgrade",
            "host.cluster-level-unsupported",
            "ovn.host-not-configured",
            "vm.vgpu",
            "vm.host-devices",
            "vm.snapshot-level-unsupported",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
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
