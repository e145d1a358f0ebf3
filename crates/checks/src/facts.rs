//! What every rule needs, worked out once per run: the releases of both ends of the route,
//! the levels the target accepts, and the inventory's objects grouped the way rules walk them.

use std::cell::OnceCell;
use std::collections::HashMap;

use model::release::{self, Release};
use model::{
    ClusterId, DataCenterId, Date, Deployment, Host, HostId, HostStatus, Inventory, InventoryIndex,
    Level, Version, Vm, GIB,
};

use crate::capacity::{self, HostEvacuation};

pub(crate) struct Facts<'a> {
    pub inventory: &'a Inventory,
    pub index: InventoryIndex<'a>,
    pub current: Version,
    pub current_release: &'static Release,
    pub target: Version,
    pub target_release: &'static Release,
    /// Levels the target Manager accepts, oldest first.
    pub target_levels: &'static [Level],
    pub now: Date,
    pub hosts_by_cluster: HashMap<ClusterId, Vec<&'a Host>>,
    pub hosts_by_data_center: HashMap<DataCenterId, Vec<&'a Host>>,
    /// Running VMs (every state but down) on each host.
    pub running_by_host: HashMap<HostId, Vec<&'a Vm>>,
    pub engine_vm: Option<&'a Vm>,
    evacuations: OnceCell<Vec<HostEvacuation<'a>>>,
}

impl<'a> Facts<'a> {
    pub fn new(
        inventory: &'a Inventory,
        current_release: &'static Release,
        target: Version,
        target_release: &'static Release,
        now: Date,
    ) -> Facts<'a> {
        let index = InventoryIndex::new(inventory);
        let mut hosts_by_cluster: HashMap<ClusterId, Vec<&Host>> = HashMap::new();
        let mut hosts_by_data_center: HashMap<DataCenterId, Vec<&Host>> = HashMap::new();
        for host in &inventory.hosts {
            hosts_by_cluster.entry(host.cluster).or_default().push(host);
            if let Some(cluster) = index.cluster(host.cluster) {
                hosts_by_data_center
                    .entry(cluster.data_center)
                    .or_default()
                    .push(host);
            }
        }
        let mut running_by_host: HashMap<HostId, Vec<&Vm>> = HashMap::new();
        for vm in inventory.vms.iter().filter(|vm| vm.is_running()) {
            if let Some(host) = vm.host {
                running_by_host.entry(host).or_default().push(vm);
            }
        }
        Facts {
            inventory,
            index,
            current: inventory.manager.version,
            current_release,
            target,
            target_release,
            target_levels: release::supported_cluster_levels(target),
            now,
            hosts_by_cluster,
            hosts_by_data_center,
            running_by_host,
            engine_vm: inventory.vms.iter().find(|vm| vm.hosted_engine),
            evacuations: OnceCell::new(),
        }
    }

    /// The route enters `line` (4.3 → 4.4 enters 4.4, a minor update within 4.4 does not).
    pub fn enters(&self, line: Level) -> bool {
        self.current.line() < line && self.target.line() >= line
    }

    /// The target lies in a later release line than the Manager.
    pub fn changes_line(&self) -> bool {
        self.target.line() > self.current.line()
    }

    pub fn self_hosted(&self) -> bool {
        self.inventory.manager.deployment == Deployment::SelfHosted
    }

    /// The newest level the target accepts.
    pub fn newest_target_level(&self) -> Option<Level> {
        self.target_levels.last().copied()
    }

    pub fn target_accepts(&self, level: Level) -> bool {
        self.target_levels.contains(&level)
    }

    /// How every active host's VMs would leave it; worked out once, shared by the rules.
    pub fn evacuations(&self) -> &[HostEvacuation<'a>] {
        self.evacuations.get_or_init(|| capacity::evacuations(self))
    }

    pub fn running_on(&self, host: HostId) -> &[&'a Vm] {
        self.running_by_host.get(&host).map_or(&[], Vec::as_slice)
    }

    pub fn hosts_in_cluster(&self, cluster: ClusterId) -> &[&'a Host] {
        self.hosts_by_cluster
            .get(&cluster)
            .map_or(&[], Vec::as_slice)
    }

    pub fn hosts_in_data_center(&self, data_center: DataCenterId) -> &[&'a Host] {
        self.hosts_by_data_center
            .get(&data_center)
            .map_or(&[], Vec::as_slice)
    }

    pub fn host_name(&self, host: Option<HostId>) -> &'a str {
        host.and_then(|id| self.index.host(id))
            .map_or("-", |h| h.name.as_str())
    }

    pub fn cluster_name(&self, cluster: ClusterId) -> &'a str {
        self.index.cluster(cluster).map_or("-", |c| c.name.as_str())
    }
}

/// Whether a host can take over the hosted-engine VM: up, configured, not in local
/// maintenance, and with a score the HA agents accept.
pub(crate) fn can_run_engine_vm(host: &Host) -> bool {
    host.status == HostStatus::Up
        && host
            .hosted_engine
            .is_some_and(|he| he.configured && !he.local_maintenance && he.score > 0)
}

/// `12 GiB`, `1.5 GiB`: memory the way the portal shows it.
pub(crate) fn gib(bytes: u64) -> String {
    let tenths = (bytes as f64 / GIB as f64 * 10.0).round() as u64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if tenth == 0 {
        format!("{whole} GiB")
    } else {
        format!("{whole}.{tenth} GiB")
    }
}

/// `4.2–4.6`, or the single level: the levels a Manager accepts are always contiguous.
pub(crate) fn level_span(levels: &[Level]) -> String {
    match (levels.first(), levels.last()) {
        (Some(first), Some(last)) if first != last => format!("{first}–{last}"),
        (Some(only), _) => only.to_string(),
        _ => "-".into(),
    }
}

/// `el8.2–el8.6, el9.0–el9.6`.
pub(crate) fn os_ranges(release: &Release, manager: bool) -> String {
    let ranges = if manager {
        release.manager_os
    } else {
        release.host_os
    };
    ranges
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_levels_read_like_the_portal() {
        assert_eq!(gib(12 * GIB), "12 GiB");
        assert_eq!(gib(3 * GIB / 2), "1.5 GiB");
        assert_eq!(gib(0), "0 GiB");
        assert_eq!(
            level_span(&[Level::new(4, 2), Level::new(4, 3), Level::new(4, 4)]),
            "4.2–4.4"
        );
        assert_eq!(level_span(&[Level::new(4, 4)]), "4.4");
        assert_eq!(level_span(&[]), "-");
    }
}
