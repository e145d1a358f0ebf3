use super::{Cpu, Enabled, Ksm, MemoryPolicy, MigrationOptions, Property, Ref, Version};

wire_entity! {
    /// `<cluster>` (`GET /clusters`, research §4.3). Ansible's `ovirt_cluster` dereferences
    /// `ksm`, `fencing_policy`, `error_handling`, `migration/bandwidth`,
    /// `memory_policy/over_commit`, `required_rng_sources`, `mac_pool`, `scheduling_policy`,
    /// `custom_scheduling_policy_properties` and `gluster_service` (trap §10.11).
    pub struct Cluster("cluster", "clusters", "cluster") {
        ballooning_enabled: one bool = "ballooning_enabled",
        bios_type: one String = "bios_type",
        cpu: one Cpu = "cpu",
        /// The engine omits it when empty.
        custom_scheduling_policy_properties: list Property = "custom_scheduling_policy_properties" / "property",
        error_handling: one ErrorHandling = "error_handling",
        fencing_policy: one FencingPolicy = "fencing_policy",
        fips_mode: one String = "fips_mode",
        firewall_type: one String = "firewall_type",
        gluster_service: one bool = "gluster_service",
        ha_reservation: one bool = "ha_reservation",
        ksm: one Ksm = "ksm",
        log_max_memory_used_threshold: one i32 = "log_max_memory_used_threshold",
        log_max_memory_used_threshold_type: one String = "log_max_memory_used_threshold_type",
        memory_policy: one MemoryPolicy = "memory_policy",
        migration: one MigrationOptions = "migration",
        required_rng_sources: list String = "required_rng_sources" / "required_rng_source",
        switch_type: one String = "switch_type",
        threads_as_cores: one bool = "threads_as_cores",
        trusted_service: one bool = "trusted_service",
        tunnel_migration: one bool = "tunnel_migration",
        upgrade_correlation_id: one String = "upgrade_correlation_id",
        upgrade_in_progress: one bool = "upgrade_in_progress",
        upgrade_percent_complete: one i32 = "upgrade_percent_complete",
        version: one Version = "version",
        virt_service: one bool = "virt_service",
        vnc_encryption: one bool = "vnc_encryption",
        data_center: one Ref = "data_center",
        mac_pool: one Ref = "mac_pool",
        scheduling_policy: one Ref = "scheduling_policy",
    }
}

impl Cluster {
    pub const ACTIONS: &'static [&'static str] =
        &["resetemulatedmachine", "syncallnetworks", "upgrade"];
    /// `glustervolumes` must be there for ansible's cluster_upgrade role.
    pub const LINKS: &'static [&'static str] = &[
        "affinitygroups",
        "cpuprofiles",
        "glustervolumes",
        "networks",
        "permissions",
    ];
}

wire_value! {
    pub struct ErrorHandling {
        on_error: one String = "on_error",
    }
}

wire_value! {
    pub struct FencingPolicy {
        enabled: one bool = "enabled",
        skip_if_connectivity_broken: one SkipIfConnectivityBroken = "skip_if_connectivity_broken",
        skip_if_gluster_bricks_up: one bool = "skip_if_gluster_bricks_up",
        skip_if_gluster_quorum_not_met: one bool = "skip_if_gluster_quorum_not_met",
        skip_if_sd_active: one Enabled = "skip_if_sd_active",
    }
}

wire_value! {
    pub struct SkipIfConnectivityBroken {
        enabled: one bool = "enabled",
        threshold: one i32 = "threshold",
    }
}
