//! Seeded generation of large environments, through the same group expansion as scenario
//! files, so a generated inventory is one a scenario could have written.

use model::{Deployment, ElVersion, Inventory, Level, Version, GIB};
use toml::Spanned;

use crate::error::LoadError;
use crate::size::SizeRange;
use crate::spec::*;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateParams {
    pub hosts: u32,
    pub vms: u32,
    pub clusters: u32,
    pub disks_per_vm: u32,
    pub seed: u64,
    pub manager_version: Version,
    pub deployment: Deployment,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            hosts: 10,
            vms: 100,
            clusters: 1,
            disks_per_vm: 1,
            seed: 0,
            manager_version: Version::new(4, 3, 11),
            deployment: Deployment::Standalone,
        }
    }
}

fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// Splits `total` into `parts` nearly equal whole shares, larger ones first.
fn share(total: u32, parts: u32, index: u32) -> u32 {
    total / parts + u32::from(index < total % parts)
}

/// Generates an environment: `clusters` clusters of one data center at the Manager's line,
/// hosts sized so the VMs fit with room to evacuate any host, a few pinned, user-migratable,
/// HA and stopped VMs in every cluster.
pub fn generate(params: &GenerateParams) -> Result<Inventory, LoadError> {
    let source = format!("generated (seed {})", params.seed);
    if params.clusters == 0 || params.hosts < params.clusters {
        return Err(LoadError::whole_file(
            &source,
            format!(
                "{} hosts cannot fill {} clusters",
                params.hosts, params.clusters
            ),
            "give every cluster at least one host",
        ));
    }
    let line = params.manager_version.line();
    let level = Level::new(line.major, line.minor);
    let os = if line >= Level::new(4, 4) {
        ElVersion::new(8, 6)
    } else {
        ElVersion::new(7, 9)
    };
    // VMs average about 9 GiB (2–16 GiB); size hosts for half again the average load.
    let vms_per_host = params.vms.div_ceil(params.hosts).max(1) as u64;
    let needed = (vms_per_host * 9 * GIB * 3 / 2) * 100 / 85;
    let low = needed.div_ceil(64 * GIB).max(1) * 64 * GIB;
    let clusters = (0..params.clusters)
        .map(|c| {
            let hosts = share(params.hosts, params.clusters, c);
            let vms = share(params.vms, params.clusters, c);
            let hosted_engine = if c == 0 && params.deployment == Deployment::SelfHosted {
                hosts.min(3)
            } else {
                0
            };
            ClusterSpec {
                name: unspanned(format!("cluster{:02}", c + 1)),
                data_center: None,
                version: unspanned(level),
                scheduling_policy: Default::default(),
                cpu_type: None,
                gluster: false,
                upgrade_running: false,
                id: None,
                hosts: Some(HostGroupSpec {
                    count: hosts,
                    memory: unspanned(SizeRange { low, high: low * 2 }),
                    prefix: Some(format!("c{:02}-host", c + 1)),
                    host_type: Default::default(),
                    os: Some(os),
                    hosted_engine,
                    update_available: true,
                    packages: Default::default(),
                }),
                vms: Some(VmGroupSpec {
                    count: vms,
                    memory: unspanned(SizeRange {
                        low: 2 * GIB,
                        high: 16 * GIB,
                    }),
                    prefix: Some(format!("c{:02}-vm", c + 1)),
                    pinned: vms / 100,
                    user_migratable: vms / 100,
                    ha: vms / 20,
                    down: vms * 3 / 100,
                    disks: Some(params.disks_per_vm),
                    disk_size: Some(unspanned(SizeRange {
                        low: 10 * GIB,
                        high: 200 * GIB,
                    })),
                    storage_domain: None,
                }),
            }
        })
        .collect();
    let spec = ScenarioSpec {
        name: format!(
            "Generated: {} hosts, {} VMs, {} clusters",
            params.hosts, params.vms, params.clusters
        ),
        seed: params.seed,
        manager: ManagerSpec {
            version: unspanned(params.manager_version),
            deployment: params.deployment,
            fqdn: "engine.example.com".into(),
            os: if line >= Level::new(4, 4) {
                ElVersion::new(8, 6)
            } else {
                ElVersion::major_only(7)
            },
            database: Default::default(),
            database_postgresql: None,
            dwh: Default::default(),
            dwh_postgresql: None,
            grafana: false,
            extensions: Vec::new(),
            ovn: false,
            last_backup: None,
            certificates: Vec::new(),
        },
        data_centers: Vec::new(),
        clusters,
        hosts: Vec::new(),
        vms: Vec::new(),
        storage_domains: Vec::new(),
        disks: Vec::new(),
        gluster_volumes: Vec::new(),
    };
    crate::build::Builder::new("", params.seed)
        .build(spec, &source)
        .map_err(|problems| LoadError {
            file: source.clone(),
            problems,
        })
}
