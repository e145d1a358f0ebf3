//! Data centers, clusters, hosts and VMs; the API root and the catalogs the simulator serves.

use std::collections::BTreeMap;

use model::{
    Affinity, ClusterId, ElVersion, HostId, HostedEngineState, Level, PackageVersion, SnapshotId,
    StorageKind, VmId,
};

use super::{
    built_in, built_in_scheduling_policy_id, built_in_scheduling_policy_properties, empty,
    scheduling_policy_from_id, ApiPath, Converting, BLANK_TEMPLATE_ID, DEFAULT_MAC_POOL_ID,
    DEFAULT_MIGRATION_POLICY_ID,
};
use crate::error::ConvertError;
use crate::types::*;

/// The storage format a new data center of this level gets.
fn storage_format_for(level: Level) -> StorageFormat {
    if level >= Level::new(4, 3) {
        StorageFormat::V5
    } else if level >= Level::new(4, 0) {
        StorageFormat::V4
    } else {
        StorageFormat::V3
    }
}

impl DataCenter {
    pub fn from_model(dc: &model::DataCenter, api: &ApiPath) -> DataCenter {
        let id = dc.id.to_string();
        DataCenter {
            href: Some(api.entity("datacenters", &id)),
            id: Some(id),
            actions: DataCenter::ACTIONS,
            links: DataCenter::LINKS,
            name: Some(dc.name.clone()),
            description: empty(),
            comment: empty(),
            local: Some(dc.storage == StorageKind::Local),
            quota_mode: Some("disabled".to_owned()),
            status: Some(dc.status),
            storage_format: Some(storage_format_for(dc.version)),
            supported_versions: Some(vec![Version::level(dc.version)]),
            version: Some(Version::level(dc.version)),
            mac_pool: Some(api.reference("macpools", DEFAULT_MAC_POOL_ID)),
        }
    }

    pub fn to_model(&self) -> Result<model::DataCenter, ConvertError> {
        let c = Converting::of(self);
        Ok(model::DataCenter {
            id: c.own_id(&self.id)?,
            name: c.name(&self.name)?,
            version: c.level(&self.version, "<version>")?,
            storage: if self.local == Some(true) {
                StorageKind::Local
            } else {
                StorageKind::Shared
            },
            status: c.required(&self.status, "<status>")?,
        })
    }

    /// The body of `PUT /datacenters/{id}` that raises its compatibility version.
    pub fn version_update(level: Level) -> DataCenter {
        DataCenter {
            version: Some(Version::level(level)),
            ..DataCenter::default()
        }
    }

    /// The level an update body asks for, if any.
    pub fn requested_version(&self) -> Result<Option<Level>, ConvertError> {
        Converting::of(self).optional_level(&self.version, "<version>")
    }
}

impl Cluster {
    /// The cluster with every element ansible's `ovirt_cluster` dereferences (trap §10.11).
    pub fn from_model(cluster: &model::Cluster, api: &ApiPath) -> Cluster {
        let id = cluster.id.to_string();
        Cluster {
            href: Some(api.entity("clusters", &id)),
            id: Some(id),
            actions: Cluster::ACTIONS,
            links: Cluster::LINKS,
            name: Some(cluster.name.clone()),
            description: empty(),
            comment: empty(),
            ballooning_enabled: Some(false),
            bios_type: None,
            cpu: Some(Cpu {
                architecture: Some("x86_64".to_owned()),
                type_: (!cluster.cpu_type.is_empty()).then(|| cluster.cpu_type.clone()),
                ..Cpu::default()
            }),
            custom_scheduling_policy_properties: Some(built_in_scheduling_policy_properties(
                cluster.scheduling_policy,
            )),
            error_handling: Some(ErrorHandling {
                on_error: Some("migrate".to_owned()),
            }),
            fencing_policy: Some(FencingPolicy {
                enabled: Some(true),
                skip_if_connectivity_broken: Some(SkipIfConnectivityBroken {
                    enabled: Some(false),
                    threshold: Some(50),
                }),
                skip_if_gluster_bricks_up: Some(false),
                skip_if_gluster_quorum_not_met: Some(false),
                skip_if_sd_active: Some(Enabled::new(false)),
            }),
            fips_mode: Some("disabled".to_owned()),
            firewall_type: Some("firewalld".to_owned()),
            gluster_service: Some(cluster.gluster_service),
            ha_reservation: Some(false),
            ksm: Some(Ksm {
                enabled: Some(true),
                merge_across_nodes: Some(true),
            }),
            log_max_memory_used_threshold: Some(95),
            log_max_memory_used_threshold_type: Some("percentage".to_owned()),
            memory_policy: Some(MemoryPolicy {
                over_commit: Some(MemoryOverCommit { percent: Some(100) }),
                transparent_hugepages: Some(Enabled::new(true)),
                ..MemoryPolicy::default()
            }),
            migration: Some(MigrationOptions {
                auto_converge: Some("inherit".to_owned()),
                bandwidth: Some(MigrationBandwidth {
                    assignment_method: Some("auto".to_owned()),
                    custom_value: None,
                }),
                compressed: Some("inherit".to_owned()),
                encrypted: Some("inherit".to_owned()),
                policy: Some(Ref::id(DEFAULT_MIGRATION_POLICY_ID)),
            }),
            required_rng_sources: Some(vec!["urandom".to_owned()]),
            switch_type: Some("legacy".to_owned()),
            threads_as_cores: Some(false),
            trusted_service: Some(false),
            tunnel_migration: Some(false),
            upgrade_correlation_id: None,
            upgrade_in_progress: Some(cluster.upgrade_running),
            upgrade_percent_complete: Some(0),
            version: Some(Version::level(cluster.version)),
            virt_service: Some(true),
            vnc_encryption: Some(false),
            data_center: Some(api.reference("datacenters", cluster.data_center)),
            mac_pool: Some(api.reference("macpools", DEFAULT_MAC_POOL_ID)),
            scheduling_policy: Some(api.reference(
                "schedulingpolicies",
                built_in_scheduling_policy_id(cluster.scheduling_policy),
            )),
        }
    }

    pub fn to_model(&self) -> Result<model::Cluster, ConvertError> {
        let c = Converting::of(self);
        let scheduling_policy = match &self.scheduling_policy {
            Some(policy) => scheduling_policy_of(&c, policy)?,
            None => return Err(c.error("<scheduling_policy>", "is missing")),
        };
        Ok(model::Cluster {
            id: c.own_id(&self.id)?,
            name: c.name(&self.name)?,
            // An engine shows a cluster in no data center after that data center was
            // force-removed; the model's clusters each belong to one.
            data_center: c.optional_reference(&self.data_center, "<data_center>")?.ok_or_else(|| {
                c.error(
                    "<data_center>",
                    "is missing: the cluster belongs to no data center (as after its data center was force-removed)",
                )
            })?,
            version: c.level(&self.version, "<version>")?,
            scheduling_policy,
            cpu_type: self
                .cpu
                .as_ref()
                .and_then(|cpu| cpu.type_.clone())
                .unwrap_or_default(),
            gluster_service: self.gluster_service.unwrap_or(false),
            upgrade_running: self.upgrade_in_progress.unwrap_or(false),
        })
    }

    /// The body of `PUT /clusters/{id}` for an update: only what changes.
    pub fn from_update(update: &model::engine::ClusterUpdate, api: &ApiPath) -> Cluster {
        Cluster {
            version: update.version.map(Version::level),
            scheduling_policy: update.scheduling_policy.map(|policy| {
                api.reference("schedulingpolicies", built_in_scheduling_policy_id(policy))
            }),
            ..Cluster::default()
        }
    }

    /// What an update body asks for. The policy may be given by id or by name, as the
    /// engine accepts both.
    pub fn to_update(&self) -> Result<model::engine::ClusterUpdate, ConvertError> {
        let c = Converting::of(self);
        Ok(model::engine::ClusterUpdate {
            version: c.optional_level(&self.version, "<version>")?,
            scheduling_policy: self
                .scheduling_policy
                .as_ref()
                .map(|policy| scheduling_policy_of(&c, policy))
                .transpose()?,
        })
    }
}

fn scheduling_policy_of(
    c: &Converting,
    policy: &Ref,
) -> Result<model::SchedulingPolicy, ConvertError> {
    const ELEMENT: &str = "<scheduling_policy>";
    if let Some(id) = &policy.id {
        return scheduling_policy_from_id(id).ok_or_else(|| {
            c.error(
                ELEMENT,
                format!("has id {id:?}, which is not one of the engine's built-in policies"),
            )
        });
    }
    match &policy.name {
        Some(name) => name
            .parse()
            .map_err(|error: model::UnknownValue| c.error(ELEMENT, error.to_string())),
        None => Err(c.error(ELEMENT, "has neither id nor name")),
    }
}

impl SchedulingPolicy {
    /// A built-in policy as `GET /schedulingpolicies` shows it.
    pub fn built_in(policy: model::SchedulingPolicy, api: &ApiPath) -> SchedulingPolicy {
        let id = built_in(policy).id;
        SchedulingPolicy {
            id: Some(id.to_owned()),
            href: Some(api.entity("schedulingpolicies", id)),
            links: SchedulingPolicy::LINKS,
            name: Some(policy.as_str().to_owned()),
            description: empty(),
            default_policy: Some(policy == model::SchedulingPolicy::None),
            locked: Some(true),
            properties: Some(built_in_scheduling_policy_properties(policy)),
            ..SchedulingPolicy::default()
        }
    }

    /// Every built-in policy.
    pub fn built_ins(api: &ApiPath) -> Vec<SchedulingPolicy> {
        model::SchedulingPolicy::ALL
            .iter()
            .map(|&policy| SchedulingPolicy::built_in(policy, api))
            .collect()
    }
}

impl MacPool {
    /// The engine's `Default` MAC pool.
    pub fn default_pool(api: &ApiPath) -> MacPool {
        MacPool {
            id: Some(DEFAULT_MAC_POOL_ID.to_owned()),
            href: Some(api.entity("macpools", DEFAULT_MAC_POOL_ID)),
            name: Some("Default".to_owned()),
            description: Some("Default MAC pool".to_owned()),
            allow_duplicates: Some(false),
            default_pool: Some(true),
            ranges: Some(vec![MacRange {
                from: Some("56:6f:85:ae:00:00".to_owned()),
                to: Some("56:6f:85:ae:ff:ff".to_owned()),
            }]),
            ..MacPool::default()
        }
    }
}

impl ClusterLevel {
    /// `<cluster_level id="4.7">`.
    pub fn for_level(level: Level, api: &ApiPath) -> ClusterLevel {
        let id = level.to_string();
        ClusterLevel {
            href: Some(api.entity("clusterlevels", &id)),
            id: Some(id),
            links: ClusterLevel::LINKS,
            ..ClusterLevel::default()
        }
    }

    /// The level it stands for (its id).
    pub fn level(&self) -> Result<Level, ConvertError> {
        let c = Converting::of(self);
        let id = c.required(&self.id, "id")?;
        id.parse()
            .map_err(|error: model::VersionError| c.error("id", error.to_string()))
    }
}

impl Api {
    /// The entry point of an engine of this version. `full_version` is the package version
    /// (`4.5.7-1.el9`); `build` is the version's third number.
    pub fn for_engine(version: model::Version, full_version: &str, api: &ApiPath) -> Api {
        let mut links = Vec::new();
        for (collection, searchable) in [
            ("clusters", true),
            ("datacenters", true),
            ("events", true),
            ("hosts", true),
            ("networks", false),
            ("storagedomains", true),
            ("vms", true),
            ("disks", true),
            ("jobs", false),
            ("schedulingpolicies", false),
            ("macpools", false),
            ("clusterlevels", false),
        ] {
            let href = api.collection(collection);
            if collection == "events" {
                links.push(Link::new(&href, collection));
                links.push(Link::new(
                    format!("{href};from={{event_id}}?search={{query}}"),
                    "events/search",
                ));
                continue;
            }
            links.push(Link::new(&href, collection));
            if searchable {
                links.push(Link::new(
                    format!("{href}?search={{query}}"),
                    format!("{collection}/search"),
                ));
            }
        }
        Api {
            link: links,
            product_info: Some(ProductInfo {
                instance_id: None,
                name: Some("oVirt Engine".to_owned()),
                vendor: Some("ovirt.org".to_owned()),
                version: Some(Version {
                    build: Some(version.patch.into()),
                    full_version: Some(full_version.to_owned()),
                    major: Some(version.major.into()),
                    minor: Some(version.minor.into()),
                    revision: Some(0),
                }),
            }),
            special_objects: Some(SpecialObjects {
                blank_template: Some(api.reference("templates", BLANK_TEMPLATE_ID)),
                root_tag: Some(api.reference("tags", BLANK_TEMPLATE_ID)),
            }),
            ..Api::default()
        }
    }

    /// The engine's version from `product_info` (a missing build reads as 0).
    pub fn engine_version(&self) -> Result<model::Version, ConvertError> {
        let c = Converting::of(self);
        let version = self
            .product_info
            .as_ref()
            .and_then(|info| info.version.as_ref())
            .ok_or_else(|| c.error("<product_info><version>", "is missing"))?;
        let part = |value: Option<i32>, part: &str| -> Result<u16, ConvertError> {
            let value = value.unwrap_or(0);
            u16::try_from(value).map_err(|_| {
                c.error(
                    &format!("<product_info><version><{part}>"),
                    format!("is not a version number: {value}"),
                )
            })
        };
        if version.major.is_none() || version.minor.is_none() {
            return Err(c.error("<product_info><version>", "has no <major> or <minor>"));
        }
        Ok(model::Version::new(
            part(version.major, "major")?,
            part(version.minor, "minor")?,
            part(version.build, "build")?,
        ))
    }
}

impl Api {
    /// The Enterprise Linux release the Manager runs on, when its package version says
    /// (`4.5.7-1.el9` → EL9); the API has no other mark of it.
    pub fn manager_os(&self) -> Option<ElVersion> {
        self.product_info
            .as_ref()
            .and_then(|info| info.version.as_ref())
            .and_then(|version| version.full_version.as_deref())
            .and_then(el_release_in)
    }
}

/// `4.30.17-1.el7ev` → `Version { major 4, minor 30, build 17, revision 0, full_version
/// "vdsm-4.30.17-1.el7ev" }`, the shape of a host's `<version>`.
fn package_version(package: &str, version: &PackageVersion) -> Version {
    let numbers: Vec<i32> = version
        .as_str()
        .split('-')
        .next()
        .unwrap_or("")
        .split('.')
        .map_while(|part| part.parse().ok())
        .collect();
    let number = |index: usize| Some(numbers.get(index).copied().unwrap_or(0));
    Version {
        build: number(2),
        full_version: Some(format!("{package}-{version}")),
        major: number(0),
        minor: number(1),
        revision: number(3),
    }
}

/// The package version in a host's `<version>`: its `full_version` without the package
/// name, else its numbers.
fn version_of_package(package: &str, version: &Version) -> Option<PackageVersion> {
    if let Some(full) = version.full_version.as_deref().filter(|f| !f.is_empty()) {
        let bare = full
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('-'))
            .unwrap_or(full);
        return Some(PackageVersion::new(bare));
    }
    let parts: Vec<String> = [version.major, version.minor, version.build]
        .iter()
        .map_while(|part| part.map(|p| p.to_string()))
        .collect();
    (!parts.is_empty()).then(|| PackageVersion::new(parts.join(".")))
}

/// The Enterprise Linux release in a text such as `vdsm-4.30.17-1.el7ev` or
/// `libvirt-4.5.0-10.el7_6.10` (`el7_6` is 7.6).
fn el_release_in(text: &str) -> Option<ElVersion> {
    let mut rest = text;
    while let Some(at) = rest.find(".el") {
        let after = &rest[at + 3..];
        let major_digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if let Ok(major) = after[..major_digits].parse::<u16>() {
            if (6..=10).contains(&major) {
                let tail = &after[major_digits..];
                let minor = tail.strip_prefix('_').and_then(|t| {
                    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
                    t[..digits].parse::<u16>().ok()
                });
                return Some(match minor {
                    Some(minor) => ElVersion::new(major, minor),
                    None => ElVersion::major_only(major),
                });
            }
        }
        rest = after;
    }
    None
}

impl Host {
    pub fn from_model(host: &model::Host, api: &ApiPath) -> Host {
        let id = host.id.to_string();
        let os_type = match host.host_type {
            model::HostType::Rhel => "RHEL",
            model::HostType::OvirtNode => "oVirt Node",
        };
        let os_version = Version {
            full_version: Some(match host.os.minor {
                Some(minor) => format!("{}.{minor} - 1.el{}", host.os.major, host.os.major),
                None => format!("{} - 1.el{}", host.os.major, host.os.major),
            }),
            major: Some(host.os.major.into()),
            minor: host.os.minor.map(i32::from),
            ..Version::default()
        };
        Host {
            href: Some(api.entity("hosts", &id)),
            id: Some(id),
            actions: Host::ACTIONS,
            links: Host::LINKS,
            name: Some(host.name.clone()),
            comment: empty(),
            address: Some(host.address.clone()),
            auto_numa_status: Some("disable".to_owned()),
            device_passthrough: Some(Enabled::new(false)),
            external_status: Some("ok".to_owned()),
            hosted_engine: host.hosted_engine.map(|state| HostedEngine {
                active: Some(state.active),
                configured: Some(state.configured),
                global_maintenance: Some(state.global_maintenance),
                local_maintenance: Some(state.local_maintenance),
                score: Some(i32::try_from(state.score).unwrap_or(i32::MAX)),
            }),
            kdump_status: Some("disabled".to_owned()),
            ksm: Some(Ksm {
                enabled: Some(false),
                merge_across_nodes: None,
            }),
            libvirt_version: host
                .packages
                .get("libvirt")
                .map(|version| package_version("libvirt", version)),
            max_scheduling_memory: Some(host.max_scheduling_memory),
            memory: Some(host.memory),
            numa_supported: Some(false),
            os: Some(OperatingSystem {
                custom_kernel_cmdline: empty(),
                type_: Some(os_type.to_owned()),
                version: Some(os_version),
                ..OperatingSystem::default()
            }),
            port: Some(54321),
            power_management: Some(PowerManagement {
                automatic_pm_enabled: Some(true),
                enabled: Some(false),
                kdump_detection: Some(true),
            }),
            protocol: Some("stomp".to_owned()),
            reinstallation_required: Some(false),
            se_linux: Some(SeLinux {
                mode: Some("enforcing".to_owned()),
            }),
            spm: Some(Spm {
                priority: Some(5),
                status: Some(host.spm),
            }),
            ssh: Some(Ssh {
                authentication_method: None,
                fingerprint: None,
                port: Some(22),
            }),
            status: Some(host.status),
            transparent_hugepages: Some(Enabled::new(true)),
            type_: Some(match host.host_type {
                model::HostType::Rhel => HostType::Rhel,
                model::HostType::OvirtNode => HostType::OvirtNode,
            }),
            update_available: Some(host.update_available),
            version: host
                .packages
                .get("vdsm")
                .map(|version| package_version("vdsm", version)),
            cluster: Some(api.reference("clusters", host.cluster)),
            ..Host::default()
        }
    }

    pub fn to_model(&self) -> Result<model::Host, ConvertError> {
        self.to_model_reporting(None)
    }

    /// As [`Host::to_model`], but a host that has not reported its operating system yet (one
    /// being deployed: vdsm reports it once installed) is taken to run `unreported_os`.
    pub fn to_model_or(&self, unreported_os: ElVersion) -> Result<model::Host, ConvertError> {
        self.to_model_reporting(Some(unreported_os))
    }

    fn to_model_reporting(
        &self,
        unreported_os: Option<ElVersion>,
    ) -> Result<model::Host, ConvertError> {
        let c = Converting::of(self);
        let host_type = match c.required(&self.type_, "<type>")? {
            HostType::Rhel => model::HostType::Rhel,
            // RHEV-H was the node image before oVirt Node NG.
            HostType::OvirtNode | HostType::RhevH => model::HostType::OvirtNode,
        };
        let mut packages = BTreeMap::new();
        if let Some(vdsm) = self
            .version
            .as_ref()
            .and_then(|v| version_of_package("vdsm", v))
        {
            packages.insert("vdsm".to_owned(), vdsm);
        }
        if let Some(libvirt) = self
            .libvirt_version
            .as_ref()
            .and_then(|v| version_of_package("libvirt", v))
        {
            packages.insert("libvirt".to_owned(), libvirt);
        }
        let hosted_engine = match &self.hosted_engine {
            Some(he) if he.configured == Some(true) => Some(HostedEngineState {
                configured: true,
                active: he.active.unwrap_or(false),
                score: match he.score {
                    Some(score) => c
                        .unsigned(Some(score), "<hosted_engine><score>")?
                        .unwrap_or_default(),
                    None => 0,
                },
                local_maintenance: he.local_maintenance.unwrap_or(false),
                global_maintenance: he.global_maintenance.unwrap_or(false),
            }),
            _ => None,
        };
        Ok(model::Host {
            id: c.own_id(&self.id)?,
            name: c.name(&self.name)?,
            address: self.address.clone().unwrap_or_default(),
            cluster: c.reference(&self.cluster, "<cluster>")?,
            host_type,
            os: match (self.enterprise_linux(&c), unreported_os) {
                (Ok(os), _) => os,
                (Err(_), Some(os)) if !self.reported_its_system() => os,
                (Err(error), _) => return Err(error),
            },
            packages,
            status: c.required(&self.status, "<status>")?,
            update_available: self.update_available.unwrap_or(false),
            // A host that never reported (non-responsive since it was added) has no memory;
            // nothing is scheduled onto memory that is not shown.
            memory: self.memory.unwrap_or(0),
            max_scheduling_memory: self
                .max_scheduling_memory
                .unwrap_or(0)
                .min(self.memory.unwrap_or(0)),
            spm: self
                .spm
                .as_ref()
                .and_then(|spm| spm.status)
                .unwrap_or_default(),
            hosted_engine,
            supported_levels: Vec::new(),
            ovn_configured: false,
        })
    }

    /// Whether vdsm has told the engine what the host runs: before, the engine shows neither
    /// `<os><version>` (`HostMapper.mapOperatingSystem` gives only the kernel command lines)
    /// nor vdsm's `<version>`.
    fn reported_its_system(&self) -> bool {
        self.os.as_ref().is_some_and(|os| os.version.is_some()) || self.version.is_some()
    }

    /// The host's EL release: `<os><version>` when it is one (RHEL, CentOS), else the `.elN`
    /// in the os, vdsm or libvirt versions or the kernel (oVirt Node reports its own
    /// version in `<os>`).
    fn enterprise_linux(&self, c: &Converting) -> Result<ElVersion, ConvertError> {
        let os = self.os.as_ref();
        if let Some(version) = os.and_then(|os| os.version.as_ref()) {
            let in_range = |value: i32| u16::try_from(value).ok().filter(|v| (6..=10).contains(v));
            if let Some(major) = version.major.and_then(in_range) {
                return Ok(match version.minor.and_then(|m| u16::try_from(m).ok()) {
                    Some(minor) => ElVersion::new(major, minor),
                    None => ElVersion::major_only(major),
                });
            }
        }
        [
            os.and_then(|os| os.version.as_ref())
                .and_then(|v| v.full_version.as_deref()),
            self.version
                .as_ref()
                .and_then(|v| v.full_version.as_deref()),
            self.libvirt_version
                .as_ref()
                .and_then(|v| v.full_version.as_deref()),
            os.and_then(|os| os.reported_kernel_cmdline.as_deref()),
        ]
        .into_iter()
        .flatten()
        .find_map(el_release_in)
        .ok_or_else(|| {
            c.error(
                "<os><version>",
                "is missing or names no Enterprise Linux release, and no package version names one",
            )
        })
    }
}

/// A VM update's `<placement_policy>`, as the engine's `VmBaseMapper` reads it: the affinity
/// when given (else the VM keeps its own), and the hosts, which become those listed (none when
/// `<hosts>` is absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedPlacement {
    pub affinity: Option<Affinity>,
    pub hosts: Vec<HostId>,
}

impl Vm {
    /// The VM with what ansible needs on every VM: `placement_policy/affinity`, `cpu`, and a
    /// `cluster` link with an href (trap §10.10).
    pub fn from_model(vm: &model::Vm, api: &ApiPath) -> Vm {
        let id = vm.id.to_string();
        Vm {
            href: Some(api.entity("vms", &id)),
            id: Some(id),
            actions: Vm::ACTIONS,
            links: Vm::LINKS,
            name: Some(vm.name.clone()),
            description: empty(),
            comment: empty(),
            bios: Some(Bios {
                boot_menu: Some(Enabled::new(false)),
                type_: None,
            }),
            cpu: Some(Cpu {
                architecture: Some("x86_64".to_owned()),
                mode: vm.cpu_passthrough.then(|| "host_passthrough".to_owned()),
                topology: Some(CpuTopology {
                    cores: Some(1),
                    sockets: Some(1),
                    threads: Some(1),
                }),
                ..Cpu::default()
            }),
            cpu_shares: Some(0),
            custom_compatibility_version: vm.custom_compatibility_version.map(Version::level),
            delete_protected: Some(false),
            display: Some(Display {
                monitors: Some(1),
                smartcard_enabled: Some(false),
                type_: Some("vnc".to_owned()),
                ..Display::default()
            }),
            high_availability: Some(HighAvailability {
                enabled: Some(vm.high_availability),
                priority: Some(1),
            }),
            io: Some(Io { threads: Some(1) }),
            memory: Some(vm.memory),
            memory_policy: Some(MemoryPolicy {
                guaranteed: Some(vm.memory),
                max: Some(vm.memory.saturating_mul(4)),
                ..MemoryPolicy::default()
            }),
            migration: Some(MigrationOptions {
                auto_converge: Some("inherit".to_owned()),
                compressed: Some("inherit".to_owned()),
                ..MigrationOptions::default()
            }),
            migration_downtime: Some(-1),
            multi_queues_enabled: Some(true),
            origin: Some(
                if vm.hosted_engine {
                    "managed_hosted_engine"
                } else {
                    "ovirt"
                }
                .to_owned(),
            ),
            os: Some(OperatingSystem {
                boot: Some(Boot {
                    devices: Some(vec!["hd".to_owned()]),
                }),
                type_: Some("other".to_owned()),
                ..OperatingSystem::default()
            }),
            placement_policy: Some(PlacementPolicy {
                affinity: Some(vm.affinity),
                hosts: (!vm.pinned_hosts.is_empty()).then(|| {
                    vm.pinned_hosts
                        .iter()
                        .map(|host| api.reference("hosts", host))
                        .collect()
                }),
            }),
            sso: Some(Sso {
                methods: Some(vec![Ref::id("guest_agent")]),
            }),
            start_paused: Some(false),
            stateless: Some(false),
            storage_error_resume_behaviour: Some("auto_resume".to_owned()),
            time_zone: Some(TimeZone {
                name: Some("Etc/GMT".to_owned()),
                utc_offset: None,
            }),
            type_: Some("server".to_owned()),
            usb: Some(Usb {
                enabled: Some(false),
                type_: None,
            }),
            cluster: Some(api.reference("clusters", vm.cluster)),
            next_run_configuration_exists: Some(vm.next_run_pending),
            numa_tune_mode: Some("interleave".to_owned()),
            run_once: Some(false),
            status: Some(vm.status),
            host: vm.host.map(|host| api.reference("hosts", host)),
            original_template: Some(api.reference("templates", BLANK_TEMPLATE_ID)),
            template: Some(api.reference("templates", BLANK_TEMPLATE_ID)),
            ..Vm::default()
        }
    }

    /// A `PUT /vms/{id}` body that sets the VM's placement alone: its affinity and its
    /// hosts by id (`<hosts/>` when none).
    pub fn placement_update(affinity: Affinity, hosts: &[HostId]) -> Vm {
        Vm {
            placement_policy: Some(PlacementPolicy {
                affinity: Some(affinity),
                hosts: Some(hosts.iter().map(|h| Ref::id(h.to_string())).collect()),
            }),
            ..Vm::default()
        }
    }

    /// What an update body asks of the VM's placement, `None` without a
    /// `<placement_policy>`.
    pub fn requested_placement(&self) -> Result<Option<RequestedPlacement>, ConvertError> {
        let c = Converting::of(self);
        let Some(placement) = &self.placement_policy else {
            return Ok(None);
        };
        let hosts = placement
            .hosts
            .iter()
            .flatten()
            .map(|host| c.reference_id::<HostId>(host, "<placement_policy><hosts><host>"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(RequestedPlacement {
            affinity: placement.affinity,
            hosts,
        }))
    }

    pub fn to_model(&self) -> Result<model::Vm, ConvertError> {
        let c = Converting::of(self);
        let placement = self.placement_policy.as_ref();
        let affinity = placement
            .and_then(|p| p.affinity)
            .ok_or_else(|| c.error("<placement_policy><affinity>", "is missing"))?;
        let pinned_hosts = placement
            .and_then(|p| p.hosts.as_ref())
            .map(|hosts| {
                hosts
                    .iter()
                    .map(|host| c.reference_id::<HostId>(host, "<placement_policy><hosts><host>"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let origin = self.origin.as_deref().unwrap_or("");
        Ok(model::Vm {
            id: c.own_id(&self.id)?,
            name: c.name(&self.name)?,
            cluster: c.reference::<ClusterId>(&self.cluster, "<cluster>")?,
            host: c.optional_reference(&self.host, "<host>")?,
            status: c.required(&self.status, "<status>")?,
            memory: c.required(&self.memory, "<memory>")?,
            affinity,
            pinned_hosts,
            high_availability: self
                .high_availability
                .as_ref()
                .and_then(|ha| ha.enabled)
                .unwrap_or(false),
            hosted_engine: matches!(origin, "managed_hosted_engine" | "hosted_engine"),
            next_run_pending: self.next_run_configuration_exists.unwrap_or(false),
            custom_compatibility_version: c.optional_level(
                &self.custom_compatibility_version,
                "<custom_compatibility_version>",
            )?,
            cpu_passthrough: self.cpu.as_ref().and_then(|cpu| cpu.mode.as_deref())
                == Some("host_passthrough"),
            vgpu: false,
            host_devices: 0,
            snapshots: Vec::new(),
        })
    }
}

impl Snapshot {
    pub fn from_model(snapshot: &model::Snapshot, vm: VmId, api: &ApiPath) -> Snapshot {
        let id = snapshot.id.to_string();
        let vm_id = vm.to_string();
        Snapshot {
            href: Some(format!("{}/snapshots/{id}", api.entity("vms", &vm_id))),
            id: Some(id),
            actions: Snapshot::ACTIONS,
            links: Snapshot::LINKS,
            description: Some(snapshot.description.clone()),
            persist_memorystate: Some(false),
            snapshot_status: Some(snapshot.status),
            snapshot_type: Some(SnapshotType::Regular),
            vm: Some(api.reference("vms", vm_id)),
            ..Snapshot::default()
        }
    }

    /// Whether the inventory holds it: every snapshot but the "Active VM" one, which stands
    /// for the VM's current state.
    pub fn kept_in_inventory(&self) -> bool {
        self.snapshot_type != Some(SnapshotType::Active)
    }

    pub fn to_model(&self) -> Result<model::Snapshot, ConvertError> {
        let c = Converting::of(self);
        Ok(model::Snapshot {
            id: c.own_id::<SnapshotId>(&self.id)?,
            description: self.description.clone().unwrap_or_default(),
            status: self.snapshot_status.unwrap_or_default(),
            cluster_level: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_versions_split_like_the_engine_shows_them() {
        let vdsm = package_version("vdsm", &PackageVersion::new("4.30.17-1.el7ev"));
        assert_eq!(
            (vdsm.major, vdsm.minor, vdsm.build, vdsm.revision),
            (Some(4), Some(30), Some(17), Some(0))
        );
        assert_eq!(vdsm.full_version.as_deref(), Some("vdsm-4.30.17-1.el7ev"));
        assert_eq!(
            version_of_package("vdsm", &vdsm).unwrap().as_str(),
            "4.30.17-1.el7ev"
        );
        let bare = Version {
            major: Some(4),
            minor: Some(40),
            build: Some(2),
            ..Version::default()
        };
        assert_eq!(
            version_of_package("vdsm", &bare).unwrap().as_str(),
            "4.40.2"
        );
        assert_eq!(version_of_package("vdsm", &Version::default()), None);
    }

    #[test]
    fn enterprise_linux_releases_are_found_in_package_versions() {
        assert_eq!(
            el_release_in("vdsm-4.30.17-1.el7ev"),
            Some(ElVersion::major_only(7))
        );
        assert_eq!(
            el_release_in("libvirt-4.5.0-10.el7_6.10"),
            Some(ElVersion::new(7, 6))
        );
        assert_eq!(
            el_release_in("BOOT_IMAGE=/vmlinuz-4.18.0-372.el8.x86_64 root=/dev/sda"),
            Some(ElVersion::major_only(8))
        );
        assert_eq!(el_release_in("4.4.10.2 - 0.20220324.0+1"), None);
        assert_eq!(el_release_in(".elephant .el99 .el"), None);
    }

    #[test]
    fn ovirt_node_hosts_take_their_release_from_vdsm() {
        let host = Host {
            id: Some("9be35c00-6523-4c2f-89d2-680a6b6da4c0".to_owned()),
            name: Some("node1".to_owned()),
            type_: Some(HostType::OvirtNode),
            status: Some(model::HostStatus::Up),
            cluster: Some(Ref::id("b875154c-5b87-4068-aa3f-f32c4d672193")),
            os: Some(OperatingSystem {
                type_: Some("oVirt Node".to_owned()),
                version: Some(Version {
                    major: Some(4),
                    minor: Some(4),
                    full_version: Some("4.4.10".to_owned()),
                    ..Version::default()
                }),
                ..OperatingSystem::default()
            }),
            version: Some(Version {
                full_version: Some("vdsm-4.40.100.2-1.el8".to_owned()),
                ..Version::default()
            }),
            ..Host::default()
        };
        let model = host.to_model().unwrap();
        assert_eq!(model.os, ElVersion::major_only(8));
        assert_eq!(model.host_type, model::HostType::OvirtNode);

        let unknown = Host {
            os: None,
            version: None,
            ..host
        };
        assert_eq!(
            unknown.to_model().unwrap_err().to_string(),
            "host \"node1\" (id 9be35c00-6523-4c2f-89d2-680a6b6da4c0): <os><version> is missing or \
             names no Enterprise Linux release, and no package version names one"
        );
    }
}
