//! What each collection's objects offer to the search language (research §6 "keys used by
//! our tool and the clients"), read from the simulator's inventory.

use model::engine::{Event, Severity};
use model::*;

use crate::search::FieldValue::{self, Bool, Enum, Number, Text};

fn text(value: impl Into<String>) -> Option<Vec<FieldValue>> {
    Some(vec![Text(value.into())])
}

fn cluster_name(inventory: &Inventory, id: ClusterId) -> String {
    inventory
        .clusters
        .iter()
        .find(|c| c.id == id)
        .map_or_else(String::new, |c| c.name.clone())
}

fn data_center_name_of_cluster(inventory: &Inventory, id: ClusterId) -> String {
    inventory
        .clusters
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| {
            inventory
                .data_centers
                .iter()
                .find(|d| d.id == c.data_center)
        })
        .map_or_else(String::new, |d| d.name.clone())
}

fn host_name(inventory: &Inventory, id: Option<HostId>) -> String {
    id.and_then(|id| inventory.hosts.iter().find(|h| h.id == id))
        .map_or_else(String::new, |h| h.name.clone())
}

pub fn host(inventory: &Inventory, host: &Host, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "name" => text(&host.name),
        "id" => text(host.id.to_string()),
        "status" => Some(vec![Enum(host.status.as_str().into())]),
        "cluster" => text(cluster_name(inventory, host.cluster)),
        "datacenter" => text(data_center_name_of_cluster(inventory, host.cluster)),
        "update_available" => Some(vec![Bool(host.update_available)]),
        "type" => Some(vec![Enum(host.host_type.as_str().into())]),
        "address" => text(&host.address),
        "version" => text(host.packages.get("vdsm").map_or("", |v| v.as_str())),
        "ha_score" => Some(vec![Number(
            host.hosted_engine.map_or(0, |he| he.score as i64),
        )]),
        "spm_id" | "spm" => Some(vec![Bool(host.spm == SpmStatus::Spm)]),
        "memory" => Some(vec![Number((host.memory >> 20) as i64)]),
        _ => key.strip_prefix("vms.").map(|vm_key| {
            inventory
                .vms
                .iter()
                .filter(|v| v.host == Some(host.id))
                .filter_map(|v| vm(inventory, v, vm_key))
                .flatten()
                .collect()
        }),
    }
}

pub fn vm(inventory: &Inventory, vm: &Vm, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "name" => text(&vm.name),
        "id" => text(vm.id.to_string()),
        "status" => Some(vec![Enum(vm.status.as_str().into())]),
        "cluster" => text(cluster_name(inventory, vm.cluster)),
        "datacenter" => text(data_center_name_of_cluster(inventory, vm.cluster)),
        "host" | "host.name" | "on_host" => text(host_name(inventory, vm.host)),
        "next_run_config_exists" => Some(vec![Bool(vm.next_run_pending)]),
        "custom_compatibility_level" | "custom_compatibility_version" => text(
            vm.custom_compatibility_version
                .map_or_else(String::new, |l| l.to_string()),
        ),
        "compatibility_level" => {
            let cluster_level = inventory
                .clusters
                .iter()
                .find(|c| c.id == vm.cluster)
                .map(|c| c.version);
            text(
                vm.custom_compatibility_version
                    .or(cluster_level)
                    .map_or_else(String::new, |l| l.to_string()),
            )
        }
        "memory" => Some(vec![Number((vm.memory >> 20) as i64)]),
        "ha" | "high_availability" => Some(vec![Bool(vm.high_availability)]),
        _ => None,
    }
}

pub fn cluster(inventory: &Inventory, cluster: &Cluster, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "name" => text(&cluster.name),
        "id" => text(cluster.id.to_string()),
        "compatibility_level" | "compatibility_version" | "version" => {
            text(cluster.version.to_string())
        }
        "cpu_type" => text(&cluster.cpu_type),
        "architecture" => text("x86_64"),
        "datacenter" => text(
            inventory
                .data_centers
                .iter()
                .find(|d| d.id == cluster.data_center)
                .map_or("", |d| d.name.as_str()),
        ),
        _ => None,
    }
}

pub fn data_center(dc: &DataCenter, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "name" => text(&dc.name),
        "id" => text(dc.id.to_string()),
        "status" => Some(vec![Enum(dc.status.as_str().into())]),
        "compatibility_version" | "compatibility_level" | "version" => text(dc.version.to_string()),
        "local" => Some(vec![Bool(dc.storage == StorageKind::Local)]),
        _ => None,
    }
}

pub fn storage_domain(
    inventory: &Inventory,
    sd: &StorageDomain,
    key: &str,
) -> Option<Vec<FieldValue>> {
    match key {
        "name" => text(&sd.name),
        "id" => text(sd.id.to_string()),
        "status" => Some(vec![Enum(sd.status.as_str().into())]),
        "type" => Some(vec![Enum(sd.role.as_str().into())]),
        "datacenter" => text(
            sd.data_center
                .and_then(|id| inventory.data_centers.iter().find(|d| d.id == id))
                .map_or("", |d| d.name.as_str()),
        ),
        _ => None,
    }
}

pub fn disk(disk: &Disk, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "alias" | "name" => text(&disk.alias),
        "id" => text(disk.id.to_string()),
        "disk_content_type" => Some(vec![Enum(disk.content_type.as_str().into())]),
        "provisioned_size" => Some(vec![Number(disk.capacity() as i64)]),
        "actual_size" => Some(vec![Number(
            disk.volumes.iter().map(|v| v.actual_size).sum::<u64>() as i64,
        )]),
        "disk_type" => Some(vec![Enum("image".into())]),
        _ => None,
    }
}

fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Normal => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
        Severity::Alert => 3,
    }
}

pub fn event(inventory: &Inventory, event: &Event, key: &str) -> Option<Vec<FieldValue>> {
    match key {
        "type" => Some(vec![Number(event.code as i64)]),
        "id" => Some(vec![Number(event.id as i64)]),
        "severity" => {
            // `severity>normal` compares ranks; `severity=error` compares names.
            let name = format!("{:?}", event.severity).to_lowercase();
            Some(vec![Enum(name), Number(severity_rank(event.severity))])
        }
        "message" | "description" => text(&event.description),
        "time" => text(event.time.to_string()),
        "correlation_id" => text(event.correlation_id.clone().unwrap_or_default()),
        "origin" => text(
            event
                .external
                .as_ref()
                .map_or(ovirt_wire::ENGINE_ORIGIN, |e| e.origin.as_str()),
        ),
        "custom_id" => Some(vec![Number(
            event
                .external
                .as_ref()
                .map_or(-1, |e| i64::from(e.custom_id)),
        )]),
        "host.name" | "host" => text(host_name(inventory, event.host)),
        "vm.name" | "vm" => text(
            event
                .vm
                .and_then(|id| inventory.vms.iter().find(|v| v.id == id))
                .map_or("", |v| v.name.as_str()),
        ),
        "cluster.name" | "cluster" => text(
            event
                .cluster
                .map(|id| cluster_name(inventory, id))
                .unwrap_or_default(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Query;

    #[test]
    fn the_roles_queries_find_what_they_should() {
        let inventory = scenario::load("example:self-hosted").unwrap();
        let query =
            Query::parse("cluster=Production update_available=true name=* status=up").unwrap();
        let found = inventory
            .hosts
            .iter()
            .filter(|h| query.matches(&|k| host(&inventory, h, k), false).unwrap())
            .count();
        assert_eq!(found, 5);
        let query = Query::parse("cluster=Production and host=prod-host01 and status=up").unwrap();
        let on_host = inventory
            .vms
            .iter()
            .filter(|v| query.matches(&|k| vm(&inventory, v, k), true).unwrap())
            .count();
        let host01 = inventory
            .hosts
            .iter()
            .find(|h| h.name == "prod-host01")
            .unwrap()
            .id;
        assert_eq!(
            on_host,
            inventory
                .vms
                .iter()
                .filter(|v| v.host == Some(host01) && v.status == VmStatus::Up)
                .count()
        );
        let query = Query::parse("status=installfailed").unwrap();
        assert_eq!(
            inventory
                .hosts
                .iter()
                .filter(|h| query.matches(&|k| host(&inventory, h, k), false).unwrap())
                .count(),
            1
        );
    }
}
