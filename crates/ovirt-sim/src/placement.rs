//! Where the engine's scheduler would put a VM: the filters that matter for an upgrade
//! (same cluster, host up, memory, hosted-engine hosts for the engine VM) and the weight of
//! the cluster's policy. Pure: state in, a host out.

use model::{Affinity, HostId, HostStatus, Inventory, SchedulingPolicy, Vm};

/// The engine's estimate of a VM's memory overhead on its host.
pub const VM_OVERHEAD: u64 = 64 << 20;

/// Why a VM cannot go to a host, in the engine's words.
pub fn refusal(
    inventory: &Inventory,
    vm: &Vm,
    host_id: HostId,
    source: Option<HostId>,
) -> Option<String> {
    let host = inventory.hosts.iter().find(|h| h.id == host_id)?;
    if Some(host_id) == source {
        return Some(format!("The host {} is the source host", host.name));
    }
    if host.cluster != vm.cluster {
        return Some(format!("The host {} is not in the VM's cluster", host.name));
    }
    if host.status != HostStatus::Up {
        return Some(format!(
            "The host {} is not up (it is {})",
            host.name, host.status
        ));
    }
    if vm.hosted_engine
        && !host
            .hosted_engine
            .is_some_and(|he| he.score > 0 && !he.local_maintenance)
    {
        return Some(format!("The host {} did not satisfy internal filter HostedEnginesSpares: it cannot run the hosted engine", host.name));
    }
    if !vm.pinned_hosts.is_empty()
        && vm.affinity != Affinity::Migratable
        && !vm.pinned_hosts.contains(&host_id)
    {
        return Some(format!(
            "The host {} did not satisfy internal filter PinToHost",
            host.name
        ));
    }
    let needed = vm.memory + VM_OVERHEAD;
    if host.max_scheduling_memory < needed {
        return Some(format!(
            "The host {} did not satisfy internal filter Memory because its available memory is too low ({} MB) to run the VM",
            host.name,
            host.max_scheduling_memory >> 20
        ));
    }
    None
}

/// The host the scheduler picks for `vm`, other than `source`, under the cluster's policy:
/// the emptiest by memory for the even-distribution policies (and `none` and
/// `cluster_maintenance`, which weigh the same), the fullest that fits for `power_saving`,
/// the one with fewest VMs for `vm_evenly_distributed`. Ties go to the lower id.
pub fn choose(
    inventory: &Inventory,
    vm: &Vm,
    source: Option<HostId>,
    policy: SchedulingPolicy,
) -> Option<HostId> {
    let candidates = inventory
        .hosts
        .iter()
        .filter(|h| refusal(inventory, vm, h.id, source).is_none());
    let vm_count = |id: HostId| {
        inventory
            .vms
            .iter()
            .filter(|v| v.host == Some(id) && v.is_running())
            .count()
    };
    match policy {
        SchedulingPolicy::PowerSaving => candidates
            .min_by_key(|h| (h.max_scheduling_memory, h.id))
            .map(|h| h.id),
        SchedulingPolicy::VmEvenlyDistributed => candidates
            .min_by_key(|h| (vm_count(h.id), h.id))
            .map(|h| h.id),
        SchedulingPolicy::None
        | SchedulingPolicy::EvenlyDistributed
        | SchedulingPolicy::ClusterMaintenance => candidates
            .max_by_key(|h| (h.max_scheduling_memory, std::cmp::Reverse(h.id)))
            .map(|h| h.id),
    }
}
