//! Which VMs a raised cluster leaves waiting for a restart, and in which batches they go.
//! Pure.
//!
//! Ordinary VMs go first, `size` at a time: a new level that breaks guests shows on them
//! before any highly available VM is touched. Highly available VMs then go one at a time,
//! each back up before the next goes down. The Manager's own VM is never restarted (the guide:
//! it needs no restart).

use model::{ClusterId, Inventory, VmId, VmStatus};
use serde::{Deserialize, Serialize};

/// A VM to restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartVm {
    pub vm: VmId,
    pub name: String,
    pub highly_available: bool,
}

/// The VMs of `cluster` waiting for a restart: up, with a pending configuration, not the
/// Manager's VM; by name.
pub fn candidates(inventory: &Inventory, cluster: ClusterId) -> Vec<RestartVm> {
    let mut vms: Vec<RestartVm> = inventory
        .vms
        .iter()
        .filter(|v| {
            v.cluster == cluster
                && v.status == VmStatus::Up
                && v.next_run_pending
                && !v.hosted_engine
        })
        .map(|v| RestartVm {
            vm: v.id,
            name: v.name.clone(),
            highly_available: v.high_availability,
        })
        .collect();
    vms.sort_by(|a, b| a.name.cmp(&b.name));
    vms
}

/// `vms` in batches: the ordinary ones `size` at a time, then each highly available one on
/// its own. `size` is at least 1.
pub fn batches(vms: &[RestartVm], size: usize) -> Vec<Vec<RestartVm>> {
    let size = size.max(1);
    let (highly_available, ordinary): (Vec<&RestartVm>, Vec<&RestartVm>) =
        vms.iter().partition(|v| v.highly_available);
    let mut batches: Vec<Vec<RestartVm>> = ordinary
        .chunks(size)
        .map(|chunk| chunk.iter().map(|v| (*v).clone()).collect())
        .collect();
    batches.extend(highly_available.into_iter().map(|v| vec![v.clone()]));
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Uuid;

    fn vm(name: &str, highly_available: bool) -> RestartVm {
        RestartVm {
            vm: VmId(Uuid::derived("vm", name)),
            name: name.to_owned(),
            highly_available,
        }
    }

    #[test]
    fn ordinary_vms_go_in_batches_then_each_ha_vm_alone() {
        let vms = [
            vm("a", false),
            vm("b", true),
            vm("c", false),
            vm("d", false),
            vm("e", true),
            vm("f", false),
            vm("g", false),
        ];
        let planned = batches(&vms, 2);
        let names: Vec<Vec<&str>> = planned
            .iter()
            .map(|b| b.iter().map(|v| v.name.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["a", "c"],
                vec!["d", "f"],
                vec!["g"],
                vec!["b"],
                vec!["e"]
            ]
        );
        assert_eq!(batches(&vms, 10).len(), 3);
        assert!(batches(&[], 3).is_empty());
    }
}
