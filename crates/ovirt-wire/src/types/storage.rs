use model::{StorageDomainStatus, VolumeFormat};

use super::{
    DiskContentType, DiskStatus, DiskStorageType, Ref, StorageDomainType, StorageFormat,
    StorageType,
};

wire_entity! {
    /// `<storage_domain>`, from `GET /storagedomains` or `GET /datacenters/{id}/storagedomains`.
    /// The top-level list shows `<status>` only for unattached domains; the status of an
    /// attached one (and its single `<data_center>`) is only in its data center's list
    /// (trap §10.15). As a request it adds a domain (`POST /storagedomains`: `host`,
    /// `import`) or attaches one (`POST /datacenters/{id}/storagedomains`: its id alone).
    pub struct StorageDomain("storage_domain", "storage_domains", "storage domain") {
        /// Bytes free.
        available: one u64 = "available",
        backup: one bool = "backup",
        block_size: one i32 = "block_size",
        committed: one u64 = "committed",
        critical_space_action_blocker: one i32 = "critical_space_action_blocker",
        discard_after_delete: one bool = "discard_after_delete",
        external_status: one String = "external_status",
        /// Request only: take in a domain that exists on its storage (NFS, POSIX, Gluster, SAN;
        /// a `localfs` one is always made new).
        import_: one bool = "import",
        master: one bool = "master",
        status: one StorageDomainStatus = "status",
        storage: one HostStorage = "storage",
        storage_format: one StorageFormat = "storage_format",
        supports_discard: one bool = "supports_discard",
        supports_discard_zeroes_data: one bool = "supports_discard_zeroes_data",
        type_: one StorageDomainType = "type",
        /// Bytes used.
        used: one u64 = "used",
        warning_low_space_indicator: one i32 = "warning_low_space_indicator",
        wipe_after_delete: one bool = "wipe_after_delete",
        data_center: one Ref = "data_center",
        data_centers: list Ref = "data_centers" / "data_center",
        /// Request only: the host that creates or finds the domain.
        host: one Ref = "host",
    }
}

impl StorageDomain {
    pub const ACTIONS: &'static [&'static str] =
        &["isattached", "reduceluns", "refreshluns", "updateovfstore"];
    pub const LINKS: &'static [&'static str] = &[
        "diskprofiles",
        "disks",
        "disksnapshots",
        "permissions",
        "storageconnections",
        "templates",
        "vms",
    ];
    /// Under `/datacenters/{id}/storagedomains/{sd}`.
    pub const ATTACHED_ACTIONS: &'static [&'static str] = &["activate", "deactivate"];
    pub const ATTACHED_LINKS: &'static [&'static str] = &["disks"];
}

wire_value! {
    /// `<storage>` of a storage domain: how it is reached.
    pub struct HostStorage {
        address: one String = "address",
        nfs_version: one String = "nfs_version",
        path: one String = "path",
        type_: one StorageType = "type",
    }
}

wire_entity! {
    /// `<disk>` (`GET /disks`, research §4.7). `image_id` is its active volume.
    pub struct Disk("disk", "disks", "disk") {
        actual_size: one u64 = "actual_size",
        alias: one String = "alias",
        backup: one String = "backup",
        content_type: one DiskContentType = "content_type",
        format: one VolumeFormat = "format",
        image_id: one String = "image_id",
        propagate_errors: one bool = "propagate_errors",
        /// The virtual size in bytes.
        provisioned_size: one u64 = "provisioned_size",
        qcow_version: one String = "qcow_version",
        shareable: one bool = "shareable",
        sparse: one bool = "sparse",
        status: one DiskStatus = "status",
        storage_type: one DiskStorageType = "storage_type",
        total_size: one u64 = "total_size",
        wipe_after_delete: one bool = "wipe_after_delete",
        disk_profile: one Ref = "disk_profile",
        quota: one Ref = "quota",
        storage_domains: list Ref = "storage_domains" / "storage_domain",
    }
}

impl Disk {
    pub const ACTIONS: &'static [&'static str] =
        &["copy", "export", "move", "reduce", "refreshlun", "sparsify"];
    pub const LINKS: &'static [&'static str] = &["disksnapshots", "permissions", "statistics"];
}

wire_entity! {
    /// `<disk_snapshot>`: one volume of a disk's chain (research §4.8). Its id is the volume
    /// (image) id; `disk` is the owning disk and `parent` the volume below.
    pub struct DiskSnapshot("disk_snapshot", "disk_snapshots", "disk snapshot") {
        actual_size: one u64 = "actual_size",
        alias: one String = "alias",
        content_type: one DiskContentType = "content_type",
        format: one VolumeFormat = "format",
        image_id: one String = "image_id",
        propagate_errors: one bool = "propagate_errors",
        provisioned_size: one u64 = "provisioned_size",
        qcow_version: one String = "qcow_version",
        shareable: one bool = "shareable",
        sparse: one bool = "sparse",
        status: one DiskStatus = "status",
        storage_type: one DiskStorageType = "storage_type",
        total_size: one u64 = "total_size",
        wipe_after_delete: one bool = "wipe_after_delete",
        disk: one Ref = "disk",
        parent: one Ref = "parent",
        snapshot: one Ref = "snapshot",
        storage_domains: list Ref = "storage_domains" / "storage_domain",
    }
}

wire_entity! {
    /// `<disk_attachment>` (`GET /vms/{id}/diskattachments`): which disk a VM uses.
    pub struct DiskAttachment("disk_attachment", "disk_attachments", "disk attachment") {
        active: one bool = "active",
        bootable: one bool = "bootable",
        interface: one String = "interface",
        logical_name: one String = "logical_name",
        pass_discard: one bool = "pass_discard",
        read_only: one bool = "read_only",
        uses_scsi_reservation: one bool = "uses_scsi_reservation",
        disk: one Ref = "disk",
        vm: one Ref = "vm",
    }
}
