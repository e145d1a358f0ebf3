//! Objects clients look up rather than act on: scheduling policies, networks, cluster
//! levels, MAC pools, users, templates, statistics.

use super::{NetworkStatus, NetworkUsage, Property, Ref};
use crate::time::DateTime;

wire_entity! {
    /// `<scheduling_policy>` (`GET /schedulingpolicies`, research §4.11). The list has no
    /// `search`: clients list all and pick by name.
    pub struct SchedulingPolicy("scheduling_policy", "scheduling_policies", "scheduling policy") {
        default_policy: one bool = "default_policy",
        locked: one bool = "locked",
        properties: list Property = "properties" / "property",
    }
}

impl SchedulingPolicy {
    pub const LINKS: &'static [&'static str] = &["balances", "filters", "weights"];
}

wire_entity! {
    /// `<network>` (`GET /networks`; `GET /clusters/{id}/networks` adds `status`, `required`
    /// and `display`).
    pub struct Network("network", "networks", "network") {
        display: one bool = "display",
        mtu: one i32 = "mtu",
        required: one bool = "required",
        status: one NetworkStatus = "status",
        stp: one bool = "stp",
        usages: list NetworkUsage = "usages" / "usage",
        vlan: one Ref = "vlan",
        cluster: one Ref = "cluster",
        data_center: one Ref = "data_center",
    }
}

impl Network {
    pub const LINKS: &'static [&'static str] = &["networklabels", "permissions", "vnicprofiles"];
}

wire_entity! {
    /// `<cluster_level>` (`GET /clusterlevels`); its id is the level, `4.7`.
    pub struct ClusterLevel("cluster_level", "cluster_levels", "cluster level") {
        cpu_types: list CpuType = "cpu_types" / "cpu_type",
    }
}

impl ClusterLevel {
    pub const LINKS: &'static [&'static str] = &["clusterfeatures"];
}

wire_value! {
    pub struct CpuType {
        architecture: one String = "architecture",
        level: one i32 = "level",
        name: one String = "name",
    }
}

wire_entity! {
    /// `<mac_pool>` (`GET /macpools`; `ovirt_cluster` reads it).
    pub struct MacPool("mac_pool", "mac_pools", "MAC pool") {
        allow_duplicates: one bool = "allow_duplicates",
        default_pool: one bool = "default_pool",
        ranges: list MacRange = "ranges" / "range",
    }
}

wire_value! {
    pub struct MacRange {
        from: one String = "from",
        to: one String = "to",
    }
}

wire_entity! {
    /// `<user>` (`GET /users/{id}`; `ovirt_job` follows a job's owner).
    pub struct User("user", "users", "user") {
        last_name: one String = "last_name",
        namespace: one String = "namespace",
        principal: one String = "principal",
        user_name: one String = "user_name",
        domain: one Ref = "domain",
    }
}

wire_entity! {
    /// `<template>`, reduced to what identifies it (`GET /templates`).
    pub struct Template("template", "templates", "template") {
        creation_time: one DateTime = "creation_time",
        memory: one u64 = "memory",
        /// `ok`, `locked` or `illegal`.
        status: one String = "status",
        type_: one String = "type",
        cluster: one Ref = "cluster",
    }
}

wire_entity! {
    /// `<statistic>` (`GET /hosts/{id}/statistics`, `/vms/{id}/statistics`).
    pub struct Statistic("statistic", "statistics", "statistic") {
        kind: one String = "kind",
        type_: one String = "type",
        unit: one String = "unit",
        values: list StatisticValue = "values" / "value",
        host: one Ref = "host",
        vm: one Ref = "vm",
    }
}

wire_value! {
    pub struct StatisticValue {
        /// A decimal number as text.
        datum: one String = "datum",
    }
}
