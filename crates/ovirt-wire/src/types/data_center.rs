use model::DataCenterStatus;

use super::{Ref, StorageFormat, Version};

wire_entity! {
    /// `<data_center>` (`GET /datacenters`, research §4.2).
    pub struct DataCenter("data_center", "data_centers", "data center") {
        local: one bool = "local",
        quota_mode: one String = "quota_mode",
        status: one DataCenterStatus = "status",
        storage_format: one StorageFormat = "storage_format",
        /// Always written by the engine.
        supported_versions: list Version = "supported_versions" / "version",
        version: one Version = "version",
        mac_pool: one Ref = "mac_pool",
    }
}

impl DataCenter {
    pub const ACTIONS: &'static [&'static str] = &["cleanfinishedtasks", "setmaster"];
    pub const LINKS: &'static [&'static str] = &[
        "clusters",
        "iscsibonds",
        "networks",
        "permissions",
        "quotas",
        "qoss",
        "storagedomains",
    ];
}
