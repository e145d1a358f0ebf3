use model::{HostStatus, SpmStatus};

use super::{Cpu, Enabled, HostType, Ksm, OperatingSystem, Ref, SshAuthenticationMethod, Version};

wire_entity! {
    /// `<host>` (`GET /hosts`, research §4.4). `hosted_engine` is only sent with
    /// `all_content=true`, and only for hosted-engine hosts. `root_password` is only ever
    /// sent to the engine, in `POST /hosts`.
    pub struct Host("host", "hosts", "host") {
        address: one String = "address",
        auto_numa_status: one String = "auto_numa_status",
        certificate: one Certificate = "certificate",
        cpu: one Cpu = "cpu",
        device_passthrough: one Enabled = "device_passthrough",
        external_status: one String = "external_status",
        hardware_information: one HardwareInformation = "hardware_information",
        hosted_engine: one HostedEngine = "hosted_engine",
        iscsi: one IscsiDetails = "iscsi",
        kdump_status: one String = "kdump_status",
        ksm: one Ksm = "ksm",
        libvirt_version: one Version = "libvirt_version",
        /// Bytes the scheduler may still place VMs into.
        max_scheduling_memory: one u64 = "max_scheduling_memory",
        /// Bytes.
        memory: one u64 = "memory",
        network_operation_in_progress: one bool = "network_operation_in_progress",
        numa_supported: one bool = "numa_supported",
        os: one OperatingSystem = "os",
        port: one i32 = "port",
        power_management: one PowerManagement = "power_management",
        protocol: one String = "protocol",
        reinstallation_required: one bool = "reinstallation_required",
        root_password: one String = "root_password",
        se_linux: one SeLinux = "se_linux",
        spm: one Spm = "spm",
        ssh: one Ssh = "ssh",
        status: one HostStatus = "status",
        status_detail: one String = "status_detail",
        summary: one VmSummary = "summary",
        transparent_hugepages: one Enabled = "transparent_hugepages",
        type_: one HostType = "type",
        update_available: one bool = "update_available",
        /// The vdsm version.
        version: one Version = "version",
        vgpu_placement: one String = "vgpu_placement",
        cluster: one Ref = "cluster",
    }
}

impl Host {
    pub const ACTIONS: &'static [&'static str] = &[
        "activate",
        "approve",
        "commitnetconfig",
        "deactivate",
        "enrollcertificate",
        "fence",
        "forceselectspm",
        "install",
        "iscsidiscover",
        "iscsilogin",
        "refresh",
        "setupnetworks",
        "syncallnetworks",
        "unregisteredstoragedomainsdiscover",
        "upgrade",
        "upgradecheck",
    ];
    pub const LINKS: &'static [&'static str] = &[
        "affinitylabels",
        "devices",
        "fenceagents",
        "hooks",
        "katelloerrata",
        "networkattachments",
        "nics",
        "numanodes",
        "permissions",
        "statistics",
        "storage",
        "storageconnectionextensions",
        "tags",
        "unmanagednetworks",
    ];
}

wire_value! {
    pub struct Certificate {
        content: one String = "content",
        organization: one String = "organization",
        subject: one String = "subject",
    }
}

wire_value! {
    pub struct HardwareInformation {
        family: one String = "family",
        manufacturer: one String = "manufacturer",
        product_name: one String = "product_name",
        serial_number: one String = "serial_number",
        uuid: one String = "uuid",
        version: one String = "version",
    }
}

wire_value! {
    /// What the hosted-engine HA agent reports for a host.
    pub struct HostedEngine {
        active: one bool = "active",
        configured: one bool = "configured",
        global_maintenance: one bool = "global_maintenance",
        local_maintenance: one bool = "local_maintenance",
        score: one i32 = "score",
    }
}

wire_value! {
    pub struct IscsiDetails {
        initiator: one String = "initiator",
    }
}

wire_value! {
    pub struct PowerManagement {
        automatic_pm_enabled: one bool = "automatic_pm_enabled",
        enabled: one bool = "enabled",
        kdump_detection: one bool = "kdump_detection",
    }
}

wire_value! {
    pub struct SeLinux {
        mode: one String = "mode",
    }
}

wire_value! {
    pub struct Spm {
        priority: one i32 = "priority",
        status: one SpmStatus = "status",
    }
}

wire_value! {
    pub struct Ssh {
        authentication_method: one SshAuthenticationMethod = "authentication_method",
        fingerprint: one String = "fingerprint",
        port: one i32 = "port",
    }
}

wire_value! {
    /// VM counts on a host: `active` is the number running.
    pub struct VmSummary {
        active: one i32 = "active",
        migrating: one i32 = "migrating",
        total: one i32 = "total",
    }
}
