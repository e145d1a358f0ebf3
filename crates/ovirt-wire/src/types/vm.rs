use model::{Affinity, SnapshotStatus, VmStatus};

use super::{
    Cpu, DiskAttachment, Enabled, MemoryPolicy, MigrationOptions, OperatingSystem, Ref,
    SnapshotType, Version,
};
use crate::time::DateTime;

wire_entity! {
    /// `<vm>` (`GET /vms`, research §4.5). Every VM must carry `placement_policy/affinity`,
    /// a `cpu` element and a `cluster` link with an href (trap §10.10).
    pub struct Vm("vm", "vms", "VM") {
        bios: one Bios = "bios",
        cpu: one Cpu = "cpu",
        cpu_shares: one i32 = "cpu_shares",
        creation_time: one DateTime = "creation_time",
        /// Set while a running VM keeps an older level after its cluster was raised.
        custom_compatibility_version: one Version = "custom_compatibility_version",
        delete_protected: one bool = "delete_protected",
        display: one Display = "display",
        high_availability: one HighAvailability = "high_availability",
        io: one Io = "io",
        /// Bytes.
        memory: one u64 = "memory",
        memory_policy: one MemoryPolicy = "memory_policy",
        migration: one MigrationOptions = "migration",
        migration_downtime: one i32 = "migration_downtime",
        multi_queues_enabled: one bool = "multi_queues_enabled",
        /// Free text: `ovirt`, `rhev`, `managed_hosted_engine` (the self-hosted engine's VM), …
        origin: one String = "origin",
        os: one OperatingSystem = "os",
        placement_policy: one PlacementPolicy = "placement_policy",
        sso: one Sso = "sso",
        start_paused: one bool = "start_paused",
        stateless: one bool = "stateless",
        storage_error_resume_behaviour: one String = "storage_error_resume_behaviour",
        time_zone: one TimeZone = "time_zone",
        /// Free text: `desktop`, `server`, `high_performance`.
        type_: one String = "type",
        usb: one Usb = "usb",
        cluster: one Ref = "cluster",
        cpu_profile: one Ref = "cpu_profile",
        fqdn: one String = "fqdn",
        next_run_configuration_exists: one bool = "next_run_configuration_exists",
        numa_tune_mode: one String = "numa_tune_mode",
        run_once: one bool = "run_once",
        start_time: one DateTime = "start_time",
        status: one VmStatus = "status",
        stop_time: one DateTime = "stop_time",
        /// Only while it runs.
        host: one Ref = "host",
        original_template: one Ref = "original_template",
        /// Only under `/storagedomains/{id}/vms`: the domain that holds it.
        storage_domain: one Ref = "storage_domain",
        template: one Ref = "template",
        /// Inline only when asked for with `follow=disk_attachments`; otherwise a link.
        disk_attachments: list DiskAttachment = "disk_attachments" / "disk_attachment",
        /// Inline only when asked for with `follow=snapshots`; otherwise a link.
        snapshots: list Snapshot = "snapshots" / "snapshot",
    }
}

impl Vm {
    pub const ACTIONS: &'static [&'static str] = &[
        "cancelmigration",
        "clone",
        "commitsnapshot",
        "detach",
        "export",
        "freezefilesystems",
        "logon",
        "maintenance",
        "migrate",
        "previewsnapshot",
        "reboot",
        "reordermacaddresses",
        "shutdown",
        "start",
        "stop",
        "suspend",
        "thawfilesystems",
        "ticket",
        "undosnapshot",
    ];
    pub const LINKS: &'static [&'static str] = &[
        "affinitylabels",
        "applications",
        "backups",
        "cdroms",
        "diskattachments",
        "graphicsconsoles",
        "hostdevices",
        "katelloerrata",
        "nics",
        "numanodes",
        "permissions",
        "reporteddevices",
        "sessions",
        "snapshots",
        "statistics",
        "tags",
        "watchdogs",
    ];
    /// Under `/storagedomains/{id}/vms/{vm}`: what a data domain holds.
    pub const ON_DOMAIN_ACTIONS: &'static [&'static str] = &["import", "register"];
    pub const ON_DOMAIN_LINKS: &'static [&'static str] = &["diskattachments", "disks"];
}

wire_value! {
    pub struct Bios {
        boot_menu: one Enabled = "boot_menu",
        type_: one String = "type",
    }
}

wire_value! {
    pub struct Display {
        address: one String = "address",
        allow_override: one bool = "allow_override",
        monitors: one i32 = "monitors",
        port: one i32 = "port",
        secure_port: one i32 = "secure_port",
        smartcard_enabled: one bool = "smartcard_enabled",
        /// `vnc` or `spice`.
        type_: one String = "type",
    }
}

wire_value! {
    pub struct HighAvailability {
        enabled: one bool = "enabled",
        priority: one i32 = "priority",
    }
}

wire_value! {
    pub struct Io {
        threads: one i32 = "threads",
    }
}

wire_value! {
    /// How the VM may move: `affinity`, and the hosts it is pinned to.
    pub struct PlacementPolicy {
        affinity: one Affinity = "affinity",
        hosts: list Ref = "hosts" / "host",
    }
}

wire_value! {
    pub struct Sso {
        methods: list Ref = "methods" / "method",
    }
}

wire_value! {
    pub struct TimeZone {
        name: one String = "name",
        utc_offset: one String = "utc_offset",
    }
}

wire_value! {
    pub struct Usb {
        enabled: one bool = "enabled",
        type_: one String = "type",
    }
}

wire_entity! {
    /// `<snapshot>` of a VM (`GET /vms/{id}/snapshots`).
    pub struct Snapshot("snapshot", "snapshots", "snapshot") {
        date: one DateTime = "date",
        persist_memorystate: one bool = "persist_memorystate",
        snapshot_status: one SnapshotStatus = "snapshot_status",
        snapshot_type: one SnapshotType = "snapshot_type",
        vm: one Ref = "vm",
    }
}

impl Snapshot {
    pub const ACTIONS: &'static [&'static str] = &["restore"];
    pub const LINKS: &'static [&'static str] = &["disks", "nics"];
}

wire_entity! {
    /// `<vm_numa_node>`; ansible reads `GET /vms/{id}/numanodes` (`<vm_numa_nodes/>`) on
    /// every `ovirt_vm` run.
    pub struct VmNumaNode("vm_numa_node", "vm_numa_nodes", "VM NUMA node") {
        index: one i32 = "index",
        memory: one u64 = "memory",
        vm: one Ref = "vm",
    }
}
