//! One cluster as the planner sees it: hosts with their free memory, VMs with the memory they
//! need and how they may move. Built from an inventory; objects are kept sorted by name and
//! referred to by position, so every decision is deterministic and cheap.

use std::collections::HashMap;

use model::{Affinity, ClusterId, HostId, HostStatus, Inventory, SchedulingPolicy, SpmStatus};
use model::{VmId, VmStatus};

/// The engine's estimate of a VM's memory overhead on its host, counted by its scheduler on
/// top of the VM's defined memory.
pub const VM_OVERHEAD: u64 = 64 << 20;

/// How a VM may leave its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mobility {
    Migratable,
    /// `user_migratable`: moves only when an administrator forces it.
    UserMigratable,
    /// Cannot migrate (affinity `pinned`, a vGPU, a host device): shut down and started again.
    Fixed,
}

#[derive(Debug, Clone)]
pub struct HostModel {
    pub id: HostId,
    pub name: String,
    pub status: HostStatus,
    pub memory: u64,
    /// Memory the scheduler may still place VMs into (`max_scheduling_memory`).
    pub free: u64,
    /// Deployed as a hosted-engine host.
    pub hosted_engine: bool,
    /// Can take the hosted-engine VM now (HA score above zero, not in local maintenance).
    pub hosted_engine_ready: bool,
    pub spm: bool,
    pub update_available: bool,
}

#[derive(Debug, Clone)]
pub struct VmModel {
    pub id: VmId,
    pub name: String,
    pub memory: u64,
    /// Memory it holds on a host, with the engine's overhead.
    pub need: u64,
    /// The host it runs on (by position); none when not running.
    pub host: Option<usize>,
    pub status: VmStatus,
    pub mobility: Mobility,
    /// Hosts it may go to, when the engine restricts it (`pinned_hosts` of a non-migratable VM).
    pub allowed_hosts: Option<Vec<usize>>,
    pub highly_available: bool,
    pub hosted_engine: bool,
}

impl VmModel {
    /// States a VM can neither migrate from nor be shut down cleanly in.
    pub fn is_stuck(&self) -> bool {
        matches!(
            self.status,
            VmStatus::Paused
                | VmStatus::Suspended
                | VmStatus::NotResponding
                | VmStatus::Unknown
                | VmStatus::ImageLocked
        )
    }

    /// States that pass by themselves (starting, migrating, rebooting).
    pub fn is_settling(&self) -> bool {
        self.host.is_some() && self.status != VmStatus::Up && !self.is_stuck()
    }
}

pub fn mobility(vm: &model::Vm) -> Mobility {
    if vm.hosted_engine {
        return Mobility::Migratable;
    }
    if vm.affinity == Affinity::Pinned || vm.vgpu || vm.host_devices > 0 {
        return Mobility::Fixed;
    }
    match vm.affinity {
        Affinity::UserMigratable => Mobility::UserMigratable,
        _ => Mobility::Migratable,
    }
}

#[derive(Debug, Clone)]
pub struct ClusterModel {
    pub id: ClusterId,
    pub name: String,
    pub policy: SchedulingPolicy,
    pub upgrade_running: bool,
    pub gluster: bool,
    /// Gluster volumes of the cluster with entries waiting for self-heal.
    pub healing_volumes: Vec<String>,
    pub hosts: Vec<HostModel>,
    pub vms: Vec<VmModel>,
    host_positions: HashMap<HostId, usize>,
    vm_positions: HashMap<VmId, usize>,
}

impl ClusterModel {
    /// The cluster `id` of `inventory`; `None` when the inventory has no such cluster.
    pub fn new(inventory: &Inventory, id: ClusterId) -> Option<ClusterModel> {
        let cluster = inventory.clusters.iter().find(|c| c.id == id)?;
        let mut hosts: Vec<HostModel> = inventory
            .hosts
            .iter()
            .filter(|h| h.cluster == id)
            .map(|h| HostModel {
                id: h.id,
                name: h.name.clone(),
                status: h.status,
                memory: h.memory,
                free: h.max_scheduling_memory.min(h.memory),
                hosted_engine: h.hosted_engine.is_some(),
                hosted_engine_ready: h
                    .hosted_engine
                    .is_some_and(|he| he.score > 0 && !he.local_maintenance),
                spm: h.spm == SpmStatus::Spm,
                update_available: h.update_available,
            })
            .collect();
        hosts.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let host_positions: HashMap<HostId, usize> =
            hosts.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
        let mut vms: Vec<VmModel> = inventory
            .vms
            .iter()
            .filter(|v| v.cluster == id)
            .map(|v| {
                let mobility = mobility(v);
                let restricted = mobility != Mobility::Migratable && !v.pinned_hosts.is_empty();
                VmModel {
                    id: v.id,
                    name: v.name.clone(),
                    memory: v.memory,
                    need: v.memory + VM_OVERHEAD,
                    host: v
                        .host
                        .filter(|_| v.is_running())
                        .and_then(|h| host_positions.get(&h).copied()),
                    status: v.status,
                    mobility,
                    allowed_hosts: restricted.then(|| {
                        v.pinned_hosts
                            .iter()
                            .filter_map(|h| host_positions.get(h).copied())
                            .collect()
                    }),
                    highly_available: v.high_availability,
                    hosted_engine: v.hosted_engine,
                }
            })
            .collect();
        vms.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let vm_positions = vms.iter().enumerate().map(|(i, v)| (v.id, i)).collect();
        let healing_volumes = inventory
            .gluster_volumes
            .iter()
            .filter(|g| g.cluster == id && g.pending_heals > 0)
            .map(|g| g.name.clone())
            .collect();
        Some(ClusterModel {
            id,
            name: cluster.name.clone(),
            policy: cluster.scheduling_policy,
            upgrade_running: cluster.upgrade_running,
            gluster: cluster.gluster_service,
            healing_volumes,
            hosts,
            vms,
            host_positions,
            vm_positions,
        })
    }

    pub fn host_position(&self, id: HostId) -> Option<usize> {
        self.host_positions.get(&id).copied()
    }

    pub fn vm_position(&self, id: VmId) -> Option<usize> {
        self.vm_positions.get(&id).copied()
    }

    /// Running VMs by host position.
    pub fn running_by_host(&self) -> Vec<Vec<usize>> {
        let mut on_host = vec![Vec::new(); self.hosts.len()];
        for (i, vm) in self.vms.iter().enumerate() {
            if let Some(h) = vm.host {
                on_host[h].push(i);
            }
        }
        on_host
    }
}
