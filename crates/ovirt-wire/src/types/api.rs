use super::{Link, Ref, Version};
use crate::time::DateTime;

wire_entity! {
    /// `<api>`: the entry point (`GET /ovirt-engine/api`, research §3). Ansible reads
    /// `product_info/version` (`major`, `minor`, `build`, `revision`, `full_version` must all
    /// be there); `summary` is only shown to administrators.
    pub struct Api("api", "apis", "API root") {
        link: each Link = "link",
        product_info: one ProductInfo = "product_info",
        special_objects: one SpecialObjects = "special_objects",
        summary: one ApiSummary = "summary",
        time: one DateTime = "time",
        authenticated_user: one Ref = "authenticated_user",
        effective_user: one Ref = "effective_user",
    }
}

wire_value! {
    pub struct ProductInfo {
        instance_id: one String = "instance_id",
        name: one String = "name",
        vendor: one String = "vendor",
        version: one Version = "version",
    }
}

wire_value! {
    pub struct SpecialObjects {
        blank_template: one Ref = "blank_template",
        root_tag: one Ref = "root_tag",
    }
}

wire_value! {
    pub struct ApiSummary {
        hosts: one ApiSummaryItem = "hosts",
        storage_domains: one ApiSummaryItem = "storage_domains",
        users: one ApiSummaryItem = "users",
        vms: one ApiSummaryItem = "vms",
    }
}

wire_value! {
    pub struct ApiSummaryItem {
        active: one i64 = "active",
        total: one i64 = "total",
    }
}
