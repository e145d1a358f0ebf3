//! A summary of an environment: what `inventory show` prints, as a value.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::id::ClusterId;
use crate::inventory::*;
use crate::release;
use crate::version::{Level, Version};

/// Counts by status, in the engine's spelling, sorted by name.
pub type StatusCounts = BTreeMap<&'static str, usize>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub name: String,
    pub source: String,
    pub manager: ManagerSummary,
    pub data_centers: Vec<DataCenterSummary>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManagerSummary {
    pub version: Version,
    pub deployment: Deployment,
    pub os: String,
    pub database: DatabasePlacement,
    pub dwh: DwhPlacement,
    pub grafana: bool,
    pub ovn: bool,
    pub extensions: Vec<Extension>,
    /// Cluster levels this Manager version accepts.
    pub supported_levels: Vec<Level>,
    /// The newest patch release of the Manager's line.
    pub latest_in_line: Option<Version>,
    pub sha1_certificates: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataCenterSummary {
    pub name: String,
    pub version: Level,
    pub storage: StorageKind,
    pub storage_domains: usize,
    pub clusters: Vec<ClusterSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSummary {
    pub name: String,
    pub version: Level,
    pub hosts: usize,
    pub hosted_engine_hosts: usize,
    pub vms: usize,
    pub running_vms: usize,
    pub host_states: StatusCounts,
    pub vm_states: StatusCounts,
    /// Total physical memory of the cluster's hosts, in bytes.
    pub host_memory: u64,
    /// Memory of its running VMs, in bytes.
    pub vm_memory: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub data_centers: usize,
    pub clusters: usize,
    pub hosts: usize,
    pub vms: usize,
    pub storage_domains: usize,
    pub disks: usize,
    pub gluster_volumes: usize,
    pub host_states: StatusCounts,
    pub vm_states: StatusCounts,
    pub pinned_vms: usize,
    pub ha_vms: usize,
}

impl Inventory {
    pub fn summary(&self) -> Summary {
        let mut clusters: BTreeMap<ClusterId, ClusterSummary> = self
            .clusters
            .iter()
            .map(|c| {
                (
                    c.id,
                    ClusterSummary {
                        name: c.name.clone(),
                        version: c.version,
                        hosts: 0,
                        hosted_engine_hosts: 0,
                        vms: 0,
                        running_vms: 0,
                        host_states: StatusCounts::new(),
                        vm_states: StatusCounts::new(),
                        host_memory: 0,
                        vm_memory: 0,
                    },
                )
            })
            .collect();
        let mut host_states = StatusCounts::new();
        for host in &self.hosts {
            *host_states.entry(host.status.as_str()).or_default() += 1;
            if let Some(c) = clusters.get_mut(&host.cluster) {
                c.hosts += 1;
                c.hosted_engine_hosts += host.hosted_engine.is_some() as usize;
                c.host_memory += host.memory;
                *c.host_states.entry(host.status.as_str()).or_default() += 1;
            }
        }
        let mut vm_states = StatusCounts::new();
        for vm in &self.vms {
            *vm_states.entry(vm.status.as_str()).or_default() += 1;
            if let Some(c) = clusters.get_mut(&vm.cluster) {
                c.vms += 1;
                if vm.is_running() {
                    c.running_vms += 1;
                    c.vm_memory += vm.memory;
                }
                *c.vm_states.entry(vm.status.as_str()).or_default() += 1;
            }
        }
        let data_centers = self
            .data_centers
            .iter()
            .map(|dc| DataCenterSummary {
                name: dc.name.clone(),
                version: dc.version,
                storage: dc.storage,
                storage_domains: self
                    .storage_domains
                    .iter()
                    .filter(|sd| sd.data_center == Some(dc.id))
                    .count(),
                clusters: self
                    .clusters
                    .iter()
                    .filter(|c| c.data_center == dc.id)
                    .filter_map(|c| clusters.remove(&c.id))
                    .collect(),
            })
            .collect();
        let manager = &self.manager;
        Summary {
            name: self.name.clone(),
            source: self.source.clone(),
            manager: ManagerSummary {
                version: manager.version,
                deployment: manager.deployment,
                os: manager.os.to_string(),
                database: manager.database.placement,
                dwh: manager.dwh.placement,
                grafana: manager.grafana,
                ovn: manager.ovn,
                extensions: manager.extensions.clone(),
                supported_levels: release::supported_cluster_levels(manager.version).to_vec(),
                latest_in_line: release::release_of(manager.version)
                    .ok()
                    .map(|r| r.latest()),
                sha1_certificates: manager.certificates.iter().filter(|c| c.is_sha1()).count(),
            },
            data_centers,
            totals: Totals {
                data_centers: self.data_centers.len(),
                clusters: self.clusters.len(),
                hosts: self.hosts.len(),
                vms: self.vms.len(),
                storage_domains: self.storage_domains.len(),
                disks: self.disks.len(),
                gluster_volumes: self.gluster_volumes.len(),
                host_states,
                vm_states,
                pinned_vms: self
                    .vms
                    .iter()
                    .filter(|v| v.affinity == Affinity::Pinned)
                    .count(),
                ha_vms: self.vms.iter().filter(|v| v.high_availability).count(),
            },
        }
    }
}
