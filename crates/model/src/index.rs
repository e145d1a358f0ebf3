//! Lookups by id over an inventory, built once.

use std::collections::HashMap;

use crate::id::*;
use crate::inventory::*;

/// Positions of every object by id, and each cluster's hosts and VMs.
pub struct InventoryIndex<'a> {
    pub inventory: &'a Inventory,
    data_centers: HashMap<DataCenterId, usize>,
    clusters: HashMap<ClusterId, usize>,
    hosts: HashMap<HostId, usize>,
    vms: HashMap<VmId, usize>,
    storage_domains: HashMap<StorageDomainId, usize>,
}

fn positions<K: std::hash::Hash + Eq, T>(items: &[T], key: impl Fn(&T) -> K) -> HashMap<K, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        map.entry(key(item)).or_insert(position);
    }
    map
}

impl<'a> InventoryIndex<'a> {
    pub fn new(inventory: &'a Inventory) -> Self {
        InventoryIndex {
            inventory,
            data_centers: positions(&inventory.data_centers, |d| d.id),
            clusters: positions(&inventory.clusters, |c| c.id),
            hosts: positions(&inventory.hosts, |h| h.id),
            vms: positions(&inventory.vms, |v| v.id),
            storage_domains: positions(&inventory.storage_domains, |s| s.id),
        }
    }

    pub fn data_center(&self, id: DataCenterId) -> Option<&'a DataCenter> {
        self.data_centers
            .get(&id)
            .map(|&i| &self.inventory.data_centers[i])
    }

    pub fn cluster(&self, id: ClusterId) -> Option<&'a Cluster> {
        self.clusters.get(&id).map(|&i| &self.inventory.clusters[i])
    }

    pub fn host(&self, id: HostId) -> Option<&'a Host> {
        self.hosts.get(&id).map(|&i| &self.inventory.hosts[i])
    }

    pub fn vm(&self, id: VmId) -> Option<&'a Vm> {
        self.vms.get(&id).map(|&i| &self.inventory.vms[i])
    }

    pub fn storage_domain(&self, id: StorageDomainId) -> Option<&'a StorageDomain> {
        self.storage_domains
            .get(&id)
            .map(|&i| &self.inventory.storage_domains[i])
    }

    /// The data center a cluster belongs to.
    pub fn data_center_of(&self, cluster: &Cluster) -> Option<&'a DataCenter> {
        self.data_center(cluster.data_center)
    }
}
