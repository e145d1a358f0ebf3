//! The workflow's decisions, pure: which steps, in which order, which failed hosts get a
//! second attempt, and how the end is judged.

use std::collections::BTreeSet;

use model::{Host, HostStatus, Inventory, Level, Timestamp, Version, VmId, VmStatus};

use super::{WorkflowOptions, WorkflowPlan, WorkflowStep, WorkflowSummary};
use crate::event::{HostFailure, Summary};
use crate::journal::slug;

/// The steps from `inventory` as it is to a Manager on `to` and every level at `level`.
/// Global maintenance surrounds the Manager's update only on a self-hosted engine, whose
/// HA agents would otherwise restart the Manager VM under engine-setup; a Manager already
/// on `to` is not updated again.
pub fn plan(
    inventory: &Inventory,
    to: Version,
    level: Level,
    options: WorkflowOptions,
) -> WorkflowPlan {
    let from = inventory.manager.version;
    let mut steps = Vec::new();
    if manager_needs_update(from, to) {
        let self_hosted = inventory.vms.iter().any(|v| v.hosted_engine);
        if self_hosted {
            steps.push(WorkflowStep::GlobalMaintenance { enabled: true });
        }
        steps.push(WorkflowStep::ManagerUpdate { from, to });
        if self_hosted {
            steps.push(WorkflowStep::GlobalMaintenance { enabled: false });
        }
    }
    steps.push(WorkflowStep::Hosts {
        clusters: cluster_order(inventory),
    });
    steps.push(WorkflowStep::CompatibilityChain { level });
    WorkflowPlan {
        manager_from: from,
        manager_to: to,
        level,
        steps,
        options,
    }
}

/// The Manager is updated when it runs an older version than the target.
pub fn manager_needs_update(running: Version, to: Version) -> bool {
    running < to
}

/// The clusters in the order the guide upgrades them: those with hosted-engine hosts first,
/// then the others, each group in the inventory's order.
pub fn cluster_order(inventory: &Inventory) -> Vec<String> {
    let mut clusters: Vec<(bool, &str)> = inventory
        .clusters
        .iter()
        .map(|c| {
            let hosted_engine = inventory
                .hosts
                .iter()
                .any(|h| h.cluster == c.id && h.hosted_engine.is_some());
            (!hosted_engine, c.name.as_str())
        })
        .collect();
    clusters.sort_by_key(|(ordinary, _)| *ordinary);
    clusters.into_iter().map(|(_, c)| c.to_owned()).collect()
}

/// The hosts of a rolling upgrade that get a second attempt: those whose package
/// installation failed. The guide has the host-deploy log read and the host activated and
/// upgraded again; every other failure needs a person first.
pub fn retried_hosts(summary: &Summary) -> Vec<String> {
    summary
        .failed
        .iter()
        .filter(|f| f.failure == HostFailure::InstallFailed)
        .map(|f| f.host.clone())
        .collect()
}

/// A host is activated unless it is up already or on its way there.
pub fn needs_activation(status: HostStatus) -> bool {
    !matches!(
        status,
        HostStatus::Up | HostStatus::Initializing | HostStatus::Connecting
    )
}

/// The file a run of the workflow journals into: a cluster's rolling upgrade (its retry of
/// `hosts`, when given), or the compatibility chain.
pub fn run_journal_name(cluster: Option<&str>, hosts: &[String]) -> String {
    match (cluster, hosts) {
        (None, _) => "finish.sqlite".to_owned(),
        (Some(cluster), []) => format!("cluster-upgrade-{}.sqlite", slug(cluster)),
        (Some(cluster), hosts) => format!(
            "cluster-upgrade-{}-again-{}.sqlite",
            slug(cluster),
            slug(&hosts.join("-"))
        ),
    }
}

/// A VM's change of status, as an engine's history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmTransition {
    pub at: Timestamp,
    pub vm: VmId,
    pub to: VmStatus,
}

/// How long `vm` was down in all, from each time it went down until it was up again.
pub fn manager_vm_downtime(transitions: &[VmTransition], vm: VmId) -> u64 {
    let mut seconds = 0;
    let mut down_at: Option<Timestamp> = None;
    for t in transitions.iter().filter(|t| t.vm == vm) {
        match t.to {
            VmStatus::Down => down_at = Some(t.at),
            VmStatus::Up => {
                if let Some(down) = down_at.take() {
                    seconds += ((t.at.0 - down.0).max(0) / 1000) as u64;
                }
            }
            _ => {}
        }
    }
    seconds
}

/// The VMs of `end` that went down at some point without the workflow saying so: not a
/// pinned VM a rolling upgrade reported, not the Manager VM, not a VM the chain reported as
/// not back. Sorted by name.
pub fn unreported_downs(
    transitions: &[VmTransition],
    end: &Inventory,
    summary: &WorkflowSummary,
) -> Vec<String> {
    let went_down: BTreeSet<VmId> = transitions
        .iter()
        .filter(|t| t.to == VmStatus::Down)
        .map(|t| t.vm)
        .collect();
    let downs: BTreeSet<&str> = end
        .vms
        .iter()
        .filter(|v| went_down.contains(&v.id))
        .map(|v| v.name.as_str())
        .collect();
    let mut reported: BTreeSet<&str> = summary
        .rolling
        .iter()
        .flat_map(|s| s.vm_downtime.iter().map(|d| d.vm.as_str()))
        .collect();
    reported.extend(
        end.vms
            .iter()
            .filter(|v| v.hosted_engine)
            .map(|v| v.name.as_str()),
    );
    if let Some(chain) = &summary.chain {
        reported.extend(chain.failed.iter().map(|f| f.vm.as_str()));
    }
    downs
        .difference(&reported)
        .map(|name| (*name).to_owned())
        .collect()
}

/// The hosts of `end` the upgrade did not bring up to date: an update still offered, or not
/// up.
pub fn hosts_left_behind(end: &Inventory) -> Vec<&Host> {
    end.hosts
        .iter()
        .filter(|h| h.update_available || h.status != HostStatus::Up)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_millis(1_768_046_400_000);

    fn at(seconds: i64) -> Timestamp {
        T0.plus_millis(seconds * 1000)
    }

    #[test]
    fn journal_names_tell_first_runs_retries_and_the_chain_apart() {
        assert_eq!(
            run_journal_name(Some("Production"), &[]),
            "cluster-upgrade-Production.sqlite"
        );
        assert_eq!(
            run_journal_name(Some("dev cluster"), &["dev-host02".to_owned()]),
            "cluster-upgrade-dev_cluster-again-dev-host02.sqlite"
        );
        assert_eq!(run_journal_name(None, &[]), "finish.sqlite");
    }

    #[test]
    fn downtime_adds_every_stretch_down_until_up_again() {
        let vm = VmId(model::Uuid(1));
        let other = VmId(model::Uuid(2));
        let transitions = [
            VmTransition {
                at: at(0),
                vm,
                to: VmStatus::PoweringDown,
            },
            VmTransition {
                at: at(10),
                vm,
                to: VmStatus::Down,
            },
            VmTransition {
                at: at(20),
                vm: other,
                to: VmStatus::Down,
            },
            VmTransition {
                at: at(30),
                vm,
                to: VmStatus::PoweringUp,
            },
            VmTransition {
                at: at(190),
                vm,
                to: VmStatus::Up,
            },
            VmTransition {
                at: at(500),
                vm,
                to: VmStatus::Down,
            },
            VmTransition {
                at: at(560),
                vm,
                to: VmStatus::Up,
            },
        ];
        assert_eq!(manager_vm_downtime(&transitions, vm), 180 + 60);
        assert_eq!(manager_vm_downtime(&transitions, VmId(model::Uuid(3))), 0);
    }

    #[test]
    fn only_a_manager_behind_its_target_is_updated() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert!(manager_needs_update(v("4.4.5"), v("4.4.10")));
        assert!(!manager_needs_update(v("4.4.10"), v("4.4.10")));
        assert!(!manager_needs_update(v("4.5.0"), v("4.4.10")));
    }

    #[test]
    fn hosts_on_their_way_up_are_not_activated_again() {
        assert!(needs_activation(HostStatus::InstallFailed));
        assert!(needs_activation(HostStatus::Maintenance));
        assert!(!needs_activation(HostStatus::Up));
        assert!(!needs_activation(HostStatus::Initializing));
    }
}
