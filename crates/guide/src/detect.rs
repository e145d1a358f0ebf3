//! What an inventory says about the plan to make: the version, the deployment and each
//! conditional part of the guide, every finding with the fields it was read from.

use model::{
    DatabasePlacement, Deployment, DwhPlacement, Extension, HostType, Inventory, StorageKind,
    Version,
};

use crate::request::{DeploymentKind, Environment, HostTypes, NamedLevel, Sha1Scope};
use model::Text;

use crate::text::tr;

/// A value read from the inventory, and the fields that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<T> {
    pub value: T,
    pub evidence: Text,
}

fn found<T>(value: T, evidence: Text) -> Finding<T> {
    Finding { value, evidence }
}

/// Evidence that is only field names and values, the same in both languages.
fn fields(text: impl Into<String>) -> Text {
    let text = text.into();
    tr(text.clone(), text)
}

/// Everything an inventory tells the planner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// Where the inventory came from, for messages.
    pub source: String,
    pub from: Finding<Version>,
    pub deployment: Finding<DeploymentKind>,
    pub remote_engine_db: Finding<bool>,
    pub remote_dwh: Finding<bool>,
    pub local_storage: Finding<bool>,
    pub gluster: Finding<bool>,
    pub sha1_certs: Finding<Option<Sha1Scope>>,
    pub external_ca: Finding<bool>,
    pub ovn: Finding<bool>,
    pub aaa_ldap: Finding<bool>,
    /// None when the inventory lists no host.
    pub host_types: Option<Finding<HostTypes>>,
    pub environment: Environment,
}

fn quoted_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|name| format!("\"{name}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn deployment(inventory: &Inventory) -> Finding<DeploymentKind> {
    let manager = &inventory.manager;
    match manager.deployment {
        Deployment::SelfHosted => found(
            DeploymentKind::SelfHosted,
            fields("manager.deployment = self-hosted"),
        ),
        Deployment::Standalone => {
            let remote_db = manager.database.placement == DatabasePlacement::Remote;
            let remote_dwh = manager.dwh.placement == DwhPlacement::Remote;
            let placement = format!(
                "manager.deployment = standalone, manager.database.placement = {}, \
                 manager.dwh.placement = {}",
                manager.database.placement, manager.dwh.placement
            );
            let kind = if remote_db || remote_dwh {
                DeploymentKind::StandaloneRemoteDb
            } else {
                DeploymentKind::Standalone
            };
            found(kind, fields(placement))
        }
    }
}

fn sha1(inventory: &Inventory) -> Finding<Option<Sha1Scope>> {
    let certificates = &inventory.manager.certificates;
    let sha1: Vec<_> = certificates.iter().filter(|c| c.is_sha1()).collect();
    if sha1.is_empty() {
        let evidence = if certificates.is_empty() {
            tr(
                "manager.certificates lists no certificate",
                "manager.certificates に証明書の記載なし",
            )
        } else {
            tr(
                "no certificate in manager.certificates is signed with SHA-1",
                "manager.certificates に SHA-1 署名の証明書なし",
            )
        };
        return found(None, evidence);
    }
    let listed = |word: &str| {
        sha1.iter()
            .map(|c| format!("{word} \"{}\": {}", c.name, c.signature_algorithm))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let evidence = tr(listed("certificate"), listed("証明書"));
    // Only the Apache certificate on SHA-1 is the guide's browser-warning case.
    let scope = if sha1.iter().all(|c| c.name == "apache") {
        Sha1Scope::Apache
    } else {
        Sha1Scope::All
    };
    found(Some(scope), evidence)
}

fn host_types(inventory: &Inventory) -> Option<Finding<HostTypes>> {
    if inventory.hosts.is_empty() {
        return None;
    }
    let count = |kind: HostType| {
        inventory
            .hosts
            .iter()
            .filter(|h| h.host_type == kind)
            .count()
    };
    let (rhel, node) = (count(HostType::Rhel), count(HostType::OvirtNode));
    let value = match (rhel, node) {
        (_, 0) => HostTypes::Rhel,
        (0, _) => HostTypes::Rhvh,
        _ => HostTypes::Mixed,
    };
    Some(found(
        value,
        tr(
            format!("hosts: {rhel} rhel, {node} ovirt_node"),
            format!("ホスト: rhel {rhel} 台、ovirt_node {node} 台"),
        ),
    ))
}

/// Reads the plan's inputs from an inventory.
pub fn detect(inventory: &Inventory) -> Detection {
    let manager = &inventory.manager;
    let local_dcs: Vec<&str> = inventory
        .data_centers
        .iter()
        .filter(|dc| dc.storage == StorageKind::Local)
        .map(|dc| dc.name.as_str())
        .collect();
    let local_storage = if local_dcs.is_empty() {
        found(
            false,
            tr(
                "no data center uses local storage",
                "ローカルストレージを使うデータセンターなし",
            ),
        )
    } else {
        let names = quoted_names(local_dcs.into_iter());
        found(
            true,
            tr(
                format!("data center {names}: storage = local"),
                format!("データセンター {names}: storage = local"),
            ),
        )
    };
    let gluster_clusters: Vec<&str> = inventory
        .clusters
        .iter()
        .filter(|c| c.gluster_service)
        .map(|c| c.name.as_str())
        .collect();
    let volumes = inventory.gluster_volumes.len();
    let gluster = match (gluster_clusters.is_empty(), volumes) {
        (true, 0) => found(
            false,
            tr(
                "no cluster runs the gluster service, no gluster volume",
                "Gluster サービスを動かすクラスターも Gluster ボリュームもなし",
            ),
        ),
        (true, _) => found(
            true,
            tr(
                format!("{volumes} gluster volumes"),
                format!("Gluster ボリューム {volumes} 個"),
            ),
        ),
        (false, _) => {
            let names = quoted_names(gluster_clusters.into_iter());
            found(
                true,
                tr(
                    format!("cluster {names}: gluster service; {volumes} gluster volumes"),
                    format!(
                        "クラスター {names}: Gluster サービス、Gluster ボリューム {volumes} 個"
                    ),
                ),
            )
        }
    };
    let external: Vec<&str> = manager
        .certificates
        .iter()
        .filter(|c| c.external_ca)
        .map(|c| c.name.as_str())
        .collect();
    let external_ca = if external.is_empty() {
        found(
            false,
            tr(
                "no certificate in manager.certificates comes from an external CA",
                "manager.certificates に外部 CA の証明書なし",
            ),
        )
    } else {
        let names = quoted_names(external.into_iter());
        found(
            true,
            tr(
                format!("certificate {names}: external CA"),
                format!("証明書 {names}: 外部 CA"),
            ),
        )
    };
    let ovn_hosts = inventory.hosts.iter().filter(|h| h.ovn_configured).count();
    let ovn = match (manager.ovn, ovn_hosts) {
        (true, _) => found(true, fields("manager.ovn = true")),
        (false, 0) => found(
            false,
            tr(
                "manager.ovn = false, no host has OVN configured",
                "manager.ovn = false、OVN 設定済みのホストなし",
            ),
        ),
        (false, n) => found(
            true,
            tr(
                format!("{n} hosts have OVN configured"),
                format!("OVN 設定済みのホスト {n} 台"),
            ),
        ),
    };
    let ldap: Vec<&str> = manager
        .extensions
        .iter()
        .filter(|e| matches!(e, Extension::AaaLdap | Extension::AaaMisc))
        .map(|e| e.as_str())
        .collect();
    let aaa_ldap = if ldap.is_empty() {
        found(
            false,
            tr(
                "manager.extensions has neither aaa-ldap nor aaa-misc",
                "manager.extensions に aaa-ldap も aaa-misc もなし",
            ),
        )
    } else {
        found(
            true,
            fields(format!("manager.extensions: {}", ldap.join(", "))),
        )
    };
    let named = |name: &str, level| NamedLevel {
        name: name.to_owned(),
        level,
    };
    let source = if inventory.source.is_empty() {
        inventory.name.clone()
    } else {
        inventory.source.clone()
    };
    Detection {
        source,
        from: found(
            manager.version,
            fields(format!("manager.version = {}", manager.version)),
        ),
        deployment: deployment(inventory),
        remote_engine_db: found(
            manager.database.placement == DatabasePlacement::Remote,
            fields(format!(
                "manager.database.placement = {}",
                manager.database.placement
            )),
        ),
        remote_dwh: found(
            manager.dwh.placement == DwhPlacement::Remote,
            fields(format!("manager.dwh.placement = {}", manager.dwh.placement)),
        ),
        local_storage,
        gluster,
        sha1_certs: sha1(inventory),
        external_ca,
        ovn,
        aaa_ldap,
        host_types: host_types(inventory),
        environment: Environment {
            manager_fqdn: Some(manager.fqdn.clone()).filter(|fqdn| !fqdn.is_empty()),
            manager_os: Some(manager.os),
            clusters: inventory
                .clusters
                .iter()
                .map(|c| named(&c.name, c.version))
                .collect(),
            data_centers: inventory
                .data_centers
                .iter()
                .map(|d| named(&d.name, d.version))
                .collect(),
        },
    }
}
