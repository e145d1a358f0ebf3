//! Consistency of an inventory: ids and names unique, references resolved, versions real.
//!
//! This is about whether the inventory describes a possible environment, not whether the
//! environment is ready to upgrade: a host in maintenance or an old cluster level is valid
//! here and a finding for the checks.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::index::InventoryIndex;
use crate::inventory::*;
use crate::release;

/// One thing wrong with an inventory: where, on which object, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, as a path into the inventory (`vms[12].host`).
    pub field: String,
    /// The object it belongs to, for people (`VM "web-12"`).
    pub object: String,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.object, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "; {}", self.hint)?;
        }
        Ok(())
    }
}

struct Collector {
    problems: Vec<Problem>,
}

impl Collector {
    fn push(&mut self, field: String, object: String, message: String, hint: impl Into<String>) {
        self.problems.push(Problem {
            field,
            object,
            message,
            hint: hint.into(),
        });
    }

    fn unique<'a, K: std::hash::Hash + Eq + fmt::Display>(
        &mut self,
        list: &str,
        kind: &str,
        what: &str,
        items: impl Iterator<Item = (K, &'a str)>,
    ) {
        let mut seen: HashMap<K, usize> = HashMap::new();
        for (position, (key, name)) in items.enumerate() {
            if let Some(first) = seen.get(&key) {
                self.push(
                    format!("{list}[{position}].{what}"),
                    format!("{kind} \"{name}\""),
                    format!("{what} {key} is already used by {list}[{first}]"),
                    format!("give every {kind} its own {what}"),
                );
            } else {
                seen.insert(key, position);
            }
        }
    }
}

impl Inventory {
    /// Every consistency problem of this inventory; empty when it is sound.
    pub fn validate(&self) -> Vec<Problem> {
        let mut c = Collector {
            problems: Vec::new(),
        };
        let index = InventoryIndex::new(self);

        if let Err(error) = release::release_of(self.manager.version) {
            c.push(
                "manager.version".into(),
                "Manager".into(),
                error.to_string(),
                "use a released version such as 4.3.11 or 4.4.10",
            );
        }
        for (list, kind, pairs) in [
            (
                "data_centers",
                "data center",
                self.data_centers
                    .iter()
                    .map(|d| (d.id.0, d.name.as_str()))
                    .collect::<Vec<_>>(),
            ),
            (
                "clusters",
                "cluster",
                self.clusters
                    .iter()
                    .map(|x| (x.id.0, x.name.as_str()))
                    .collect(),
            ),
            (
                "hosts",
                "host",
                self.hosts
                    .iter()
                    .map(|x| (x.id.0, x.name.as_str()))
                    .collect(),
            ),
            (
                "vms",
                "VM",
                self.vms.iter().map(|x| (x.id.0, x.name.as_str())).collect(),
            ),
            (
                "storage_domains",
                "storage domain",
                self.storage_domains
                    .iter()
                    .map(|x| (x.id.0, x.name.as_str()))
                    .collect(),
            ),
            (
                "gluster_volumes",
                "gluster volume",
                self.gluster_volumes
                    .iter()
                    .map(|x| (x.id.0, x.name.as_str()))
                    .collect(),
            ),
        ] {
            c.unique(list, kind, "id", pairs.iter().map(|&(id, name)| (id, name)));
            // The engine keeps names unique per kind, except gluster volumes (unique per cluster).
            if list != "gluster_volumes" {
                c.unique(
                    list,
                    kind,
                    "name",
                    pairs.iter().map(|&(_, name)| (name, name)),
                );
            }
        }
        c.unique(
            "disks",
            "disk",
            "id",
            self.disks.iter().map(|d| (d.id.0, d.alias.as_str())),
        );

        let level_problem = |c: &mut Collector, field: String, object: String, level| {
            if let Err(error) = release::check_level(level) {
                c.push(
                    field,
                    object,
                    error.to_string(),
                    "use a level such as 4.3 or 4.6",
                );
            }
        };

        for (i, dc) in self.data_centers.iter().enumerate() {
            level_problem(
                &mut c,
                format!("data_centers[{i}].version"),
                format!("data center \"{}\"", dc.name),
                dc.version,
            );
        }
        for (i, cluster) in self.clusters.iter().enumerate() {
            let object = format!("cluster \"{}\"", cluster.name);
            level_problem(
                &mut c,
                format!("clusters[{i}].version"),
                object.clone(),
                cluster.version,
            );
            if index.data_center(cluster.data_center).is_none() {
                c.push(
                    format!("clusters[{i}].data_center"),
                    object,
                    format!("no data center has id {}", cluster.data_center),
                    "add the data center or correct the id",
                );
            }
        }
        for (i, host) in self.hosts.iter().enumerate() {
            let object = format!("host \"{}\"", host.name);
            if index.cluster(host.cluster).is_none() {
                c.push(
                    format!("hosts[{i}].cluster"),
                    object.clone(),
                    format!("no cluster has id {}", host.cluster),
                    "add the cluster or correct the id",
                );
            }
            for (j, &level) in host.supported_levels.iter().enumerate() {
                level_problem(
                    &mut c,
                    format!("hosts[{i}].supported_levels[{j}]"),
                    object.clone(),
                    level,
                );
            }
            if host.max_scheduling_memory > host.memory {
                c.push(
                    format!("hosts[{i}].max_scheduling_memory"),
                    object,
                    format!(
                        "{} bytes schedulable is more than the host's {} bytes of memory",
                        host.max_scheduling_memory, host.memory
                    ),
                    "max_scheduling_memory is what is left for VMs: at most memory",
                );
            }
        }
        self.validate_vms(&mut c, &index);
        self.validate_storage(&mut c, &index);
        c.problems
    }

    fn validate_vms(&self, c: &mut Collector, index: &InventoryIndex) {
        let mut hosted_engine_vms = 0;
        for (i, vm) in self.vms.iter().enumerate() {
            let object = format!("VM \"{}\"", vm.name);
            let cluster = index.cluster(vm.cluster);
            if cluster.is_none() {
                c.push(
                    format!("vms[{i}].cluster"),
                    object.clone(),
                    format!("no cluster has id {}", vm.cluster),
                    "add the cluster or correct the id",
                );
            }
            if let Some(level) = vm.custom_compatibility_version {
                if let Err(error) = release::check_level(level) {
                    c.push(
                        format!("vms[{i}].custom_compatibility_version"),
                        object.clone(),
                        error.to_string(),
                        "remove it or use a level such as 4.3",
                    );
                }
            }
            match (vm.host, vm.is_running()) {
                (Some(host_id), _) => match index.host(host_id) {
                    None => c.push(
                        format!("vms[{i}].host"),
                        object.clone(),
                        format!("no host has id {host_id}"),
                        "run it on a host that exists, or mark it down without a host",
                    ),
                    Some(host)
                        if Some(host.cluster) != cluster.map(|c| c.id) && !vm.hosted_engine =>
                    {
                        c.push(
                            format!("vms[{i}].host"),
                            object.clone(),
                            format!(
                                "runs on host \"{}\", which is in another cluster",
                                host.name
                            ),
                            "a VM runs only on hosts of its own cluster",
                        )
                    }
                    Some(_) if !vm.is_running() => c.push(
                        format!("vms[{i}].host"),
                        object.clone(),
                        format!("is {} but names a host", vm.status),
                        "a VM that is down runs nowhere: remove its host",
                    ),
                    Some(_) => {}
                },
                (None, true) => c.push(
                    format!("vms[{i}].host"),
                    object.clone(),
                    format!("is {} but has no host", vm.status),
                    "give it the host it runs on, or mark it down",
                ),
                (None, false) => {}
            }
            for (j, pinned) in vm.pinned_hosts.iter().enumerate() {
                if index.host(*pinned).is_none() {
                    c.push(
                        format!("vms[{i}].pinned_hosts[{j}]"),
                        object.clone(),
                        format!("no host has id {pinned}"),
                        "pin it to a host that exists",
                    );
                }
            }
            if vm.affinity == Affinity::Pinned && vm.pinned_hosts.is_empty() {
                c.push(
                    format!("vms[{i}].pinned_hosts"),
                    object.clone(),
                    "is pinned but names no host".into(),
                    "list the host(s) it is pinned to",
                );
            }
            let mut snapshot_ids = HashSet::new();
            for (j, snapshot) in vm.snapshots.iter().enumerate() {
                if !snapshot_ids.insert(snapshot.id) {
                    c.push(
                        format!("vms[{i}].snapshots[{j}].id"),
                        object.clone(),
                        format!("snapshot id {} appears twice", snapshot.id),
                        "give every snapshot its own id",
                    );
                }
            }
            hosted_engine_vms += vm.hosted_engine as usize;
        }
        if hosted_engine_vms > 1 {
            c.push(
                "vms".into(),
                "hosted-engine VM".into(),
                format!("{hosted_engine_vms} VMs are marked as the hosted-engine VM"),
                "an environment has one Manager VM at most",
            );
        }
        if self.manager.deployment == Deployment::SelfHosted
            && hosted_engine_vms == 0
            && !self.vms.is_empty()
        {
            c.push("manager.deployment".into(), "Manager".into(), "is self-hosted but no VM is the hosted-engine VM".into(), "mark the Manager's VM with hosted_engine = true, or make the deployment standalone");
        }
    }

    fn validate_storage(&self, c: &mut Collector, index: &InventoryIndex) {
        for (i, sd) in self.storage_domains.iter().enumerate() {
            if let Some(dc) = sd.data_center {
                if index.data_center(dc).is_none() {
                    c.push(
                        format!("storage_domains[{i}].data_center"),
                        format!("storage domain \"{}\"", sd.name),
                        format!("no data center has id {dc}"),
                        "attach it to a data center that exists, or leave it unattached",
                    );
                }
            }
        }
        for (i, disk) in self.disks.iter().enumerate() {
            let object = format!("disk \"{}\"", disk.alias);
            if index.storage_domain(disk.storage_domain).is_none() {
                c.push(
                    format!("disks[{i}].storage_domain"),
                    object.clone(),
                    format!("no storage domain has id {}", disk.storage_domain),
                    "put it on a storage domain that exists",
                );
            }
            if let Some(vm) = disk.vm {
                if index.vm(vm).is_none() {
                    c.push(
                        format!("disks[{i}].vm"),
                        object.clone(),
                        format!("no VM has id {vm}"),
                        "attach it to a VM that exists, or leave it floating",
                    );
                }
            }
            if disk.volumes.is_empty() {
                c.push(
                    format!("disks[{i}].volumes"),
                    object,
                    "has no volume".into(),
                    "a disk has at least its base volume",
                );
            }
        }
        for (i, volume) in self.gluster_volumes.iter().enumerate() {
            if index.cluster(volume.cluster).is_none() {
                c.push(
                    format!("gluster_volumes[{i}].cluster"),
                    format!("gluster volume \"{}\"", volume.name),
                    format!("no cluster has id {}", volume.cluster),
                    "add the cluster or correct the id",
                );
            }
        }
    }
}
