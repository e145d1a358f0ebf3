//! Turns a scenario into an inventory: resolves names, expands groups, places VMs, fills in
//! what a real environment would have (storage domains, the hosted-engine VM, disks).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use model::release::{self, Release};
use model::*;
use toml::Spanned;

use crate::error::{line_and_column, Location, Problem};
use crate::size::SizeRange;
use crate::spec::*;
use model::rng::Rng;

/// The engine's per-VM memory overhead estimate used when scheduling.
const VM_OVERHEAD: u64 = 64 << 20;
/// Share of a host's memory the scenario's group placement fills at most, in percent,
/// leaving room for the migrations an upgrade needs.
const GROUP_FILL_PERCENT: u64 = 85;
/// Size of the hosted-engine VM the scenario adds when none is written (the appliance default).
const HOSTED_ENGINE_VM_MEMORY: u64 = 16 << 30;
const DEFAULT_DISK_SIZE: SizeRange = SizeRange {
    low: 20 << 30,
    high: 100 << 30,
};

/// A vdsm version typical of each release line, for hosts that do not name theirs.
pub(crate) struct Builder<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    rng: Rng,
}

type Lookup<T> = HashMap<String, T>;

impl<'t> Builder<'t> {
    pub(crate) fn new(text: &'t str, seed: u64) -> Self {
        Builder {
            text,
            problems: Vec::new(),
            rng: Rng::new(seed),
        }
    }

    fn problem(&mut self, span: Range<usize>, message: String, hint: impl Into<String>) {
        let location = if span.is_empty() && span.start == 0 {
            Location::File
        } else {
            line_and_column(self.text, span.start)
        };
        self.problems.push(Problem {
            location,
            message,
            hint: hint.into(),
        });
    }

    fn resolve<T: Copy>(
        &mut self,
        map: &Lookup<T>,
        name: &Name,
        kind: &str,
        context: &str,
    ) -> Option<T> {
        let found = map.get(name.get_ref()).copied();
        if found.is_none() {
            let mut known: Vec<&str> = map.keys().map(String::as_str).collect();
            known.sort_unstable();
            let hint = if known.is_empty() {
                format!(
                    "write a [[{kind}s]] entry named \"{}\" first",
                    name.get_ref()
                )
            } else if known.len() <= 8 {
                format!("known {kind}s: {}", known.join(", "))
            } else {
                format!("check the spelling; there are {} {kind}s", known.len())
            };
            self.problem(
                name.span(),
                format!("{context}: {kind} \"{}\" does not exist", name.get_ref()),
                hint,
            );
        }
        found
    }

    fn declare<T>(&mut self, map: &mut Lookup<T>, name: &Name, kind: &str, value: T) {
        if map.contains_key(name.get_ref()) {
            self.problem(
                name.span(),
                format!("{kind} name \"{}\" is used twice", name.get_ref()),
                format!("give every {kind} its own name"),
            );
        } else {
            map.insert(name.get_ref().clone(), value);
        }
    }

    fn level(&mut self, level: &Spanned<Level>, context: &str) -> Level {
        if let Err(error) = release::check_level(*level.get_ref()) {
            self.problem(
                level.span(),
                format!("{context}: {error}"),
                "compatibility levels run from 3.6 to 4.7",
            );
        }
        *level.get_ref()
    }

    fn single_size(&mut self, size: &Spanned<SizeRange>, context: &str) -> u64 {
        let range = size.get_ref();
        if range.low != range.high {
            self.problem(
                size.span(),
                format!("{context}: one object has one size, not a range"),
                "ranges are for groups (`vms = { count = 10, memory = \"4-16 GiB\" }`)",
            );
        }
        range.low
    }

    fn pick(&mut self, range: SizeRange) -> u64 {
        // Sizes come out in whole GiB where the range allows, as administrators size VMs.
        if range.high - range.low >= GIB {
            self.rng.between(range.low / GIB, range.high / GIB) * GIB
        } else {
            range.low
        }
    }

    fn id(explicit: Option<Uuid>, kind: &str, name: &str) -> Uuid {
        explicit.unwrap_or_else(|| Uuid::derived(kind, name))
    }

    pub(crate) fn build(
        mut self,
        spec: ScenarioSpec,
        source: &str,
    ) -> Result<Inventory, Vec<Problem>> {
        let manager_version = *spec.manager.version.get_ref();
        let manager_release = match release::release_of(manager_version) {
            Ok(r) => Some(r),
            Err(error) => {
                self.problem(
                    spec.manager.version.span(),
                    format!("manager.version: {error}"),
                    "use a released version such as 4.3.11 or 4.4.10",
                );
                None
            }
        };
        let manager = Manager {
            version: manager_version,
            deployment: spec.manager.deployment,
            fqdn: spec.manager.fqdn.clone(),
            os: spec.manager.os,
            database: Database {
                placement: spec.manager.database,
                postgresql: spec.manager.database_postgresql.clone(),
            },
            dwh: DataWarehouse {
                placement: spec.manager.dwh,
                postgresql: spec.manager.dwh_postgresql.clone(),
            },
            grafana: spec.manager.grafana,
            extensions: spec.manager.extensions.clone(),
            certificates: spec
                .manager
                .certificates
                .iter()
                .map(|c| Certificate {
                    name: c.name.clone(),
                    signature_algorithm: c.signature.clone(),
                    not_after: c.not_after,
                    external_ca: c.external_ca,
                    subject_alt_names: None,
                })
                .collect(),
            ovn: spec.manager.ovn,
            last_backup: spec.manager.last_backup,
        };
        let mut inventory = Inventory {
            format: INVENTORY_FORMAT,
            name: spec.name.clone(),
            source: source.to_owned(),
            captured_at: None,
            unseen: Vec::new(),
            manager,
            data_centers: Vec::new(),
            clusters: Vec::new(),
            hosts: Vec::new(),
            vms: Vec::new(),
            storage_domains: Vec::new(),
            disks: Vec::new(),
            gluster_volumes: Vec::new(),
            left_out: Vec::new(),
        };

        let data_centers = self.data_centers(&spec, &mut inventory);
        let clusters = self.clusters(&spec, &data_centers, &mut inventory);
        let domains = self.storage_domains(&spec, &data_centers, &mut inventory);
        let hosts = self.hosts(&spec, &clusters, manager_release, &mut inventory);
        let vms = self.vms(&spec, &clusters, &hosts, &mut inventory);
        self.hosted_engine_vm(&mut inventory);
        self.disks(&spec, &domains, &vms, &mut inventory);
        for volume in &spec.gluster_volumes {
            if let Some(cluster) = self.resolve(
                &clusters,
                &volume.cluster,
                "cluster",
                &format!("gluster volume \"{}\"", volume.name.get_ref()),
            ) {
                inventory.gluster_volumes.push(GlusterVolume {
                    id: GlusterVolumeId(Uuid::derived("gluster-volume", volume.name.get_ref())),
                    name: volume.name.get_ref().clone(),
                    cluster,
                    pending_heals: volume.pending_heals,
                    geo_replication: volume.geo_replication.clone(),
                });
            }
        }
        compute_scheduling_memory(&mut inventory);

        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        // Name resolution above reports with lines; what is left is a safety net.
        let problems = inventory.validate();
        if problems.is_empty() {
            Ok(inventory)
        } else {
            Err(problems
                .into_iter()
                .map(|p| Problem {
                    location: Location::Field(p.field),
                    message: format!("{}: {}", p.object, p.message),
                    hint: p.hint,
                })
                .collect())
        }
    }

    fn data_centers(
        &mut self,
        spec: &ScenarioSpec,
        inventory: &mut Inventory,
    ) -> Lookup<DataCenterId> {
        let mut map = Lookup::new();
        for dc in &spec.data_centers {
            let id = DataCenterId(Self::id(dc.id, "data-center", dc.name.get_ref()));
            self.declare(&mut map, &dc.name, "data center", id);
            let version = self.level(
                &dc.version,
                &format!("data center \"{}\"", dc.name.get_ref()),
            );
            inventory.data_centers.push(DataCenter {
                id,
                name: dc.name.get_ref().clone(),
                version,
                storage: dc.storage,
                status: dc.status,
            });
        }
        if spec.data_centers.is_empty() {
            // A compact scenario may leave out its one data center: it sits at its oldest cluster's level.
            let version = spec
                .clusters
                .iter()
                .map(|c| *c.version.get_ref())
                .min()
                .unwrap_or(inventory.manager.version.line());
            let id = DataCenterId(Uuid::derived("data-center", "Default"));
            map.insert("Default".into(), id);
            inventory.data_centers.push(DataCenter {
                id,
                name: "Default".into(),
                version,
                storage: StorageKind::Shared,
                status: DataCenterStatus::Up,
            });
        }
        map
    }

    fn clusters(
        &mut self,
        spec: &ScenarioSpec,
        data_centers: &Lookup<DataCenterId>,
        inventory: &mut Inventory,
    ) -> Lookup<ClusterId> {
        let mut map = Lookup::new();
        let only_dc = (inventory.data_centers.len() == 1).then(|| inventory.data_centers[0].id);
        for cluster in &spec.clusters {
            let context = format!("cluster \"{}\"", cluster.name.get_ref());
            let id = ClusterId(Self::id(cluster.id, "cluster", cluster.name.get_ref()));
            self.declare(&mut map, &cluster.name, "cluster", id);
            let version = self.level(&cluster.version, &context);
            let data_center = match &cluster.data_center {
                Some(name) => self.resolve(data_centers, name, "data center", &context),
                None if only_dc.is_some() => only_dc,
                None => {
                    self.problem(
                        cluster.name.span(),
                        format!("{context}: which data center is it in?"),
                        "add `data_center = \"NAME\"`: the scenario has several",
                    );
                    None
                }
            };
            if let Some(data_center) = data_center {
                inventory.clusters.push(Cluster {
                    id,
                    name: cluster.name.get_ref().clone(),
                    data_center,
                    version,
                    scheduling_policy: cluster.scheduling_policy,
                    cpu_type: cluster
                        .cpu_type
                        .clone()
                        .unwrap_or_else(|| "Intel Skylake Server IBRS SSBD Family".into()),
                    gluster_service: cluster.gluster,
                    upgrade_running: cluster.upgrade_running,
                });
            }
        }
        map
    }

    fn storage_domains(
        &mut self,
        spec: &ScenarioSpec,
        data_centers: &Lookup<DataCenterId>,
        inventory: &mut Inventory,
    ) -> Lookup<StorageDomainId> {
        let mut map = Lookup::new();
        for sd in &spec.storage_domains {
            let context = format!("storage domain \"{}\"", sd.name.get_ref());
            let id = StorageDomainId(Self::id(sd.id, "storage-domain", sd.name.get_ref()));
            self.declare(&mut map, &sd.name, "storage domain", id);
            let data_center = sd
                .data_center
                .as_ref()
                .and_then(|name| self.resolve(data_centers, name, "data center", &context));
            let default_status = if sd.data_center.is_some() {
                StorageDomainStatus::Active
            } else {
                StorageDomainStatus::Unattached
            };
            inventory.storage_domains.push(StorageDomain {
                id,
                name: sd.name.get_ref().clone(),
                data_center,
                role: sd.role,
                storage: sd.storage,
                status: sd.status.unwrap_or(default_status),
                master: sd.master,
                hosted_engine: sd.hosted_engine,
                format_version: sd.format_version,
                path: sd.path.clone().or_else(|| {
                    (sd.storage == StorageType::Localfs)
                        .then(|| format!("/data/{}", sd.name.get_ref()))
                }),
            });
        }
        if spec.storage_domains.is_empty() {
            // Every data center with clusters gets a master data domain, and a self-hosted
            // engine its hosted_storage beside the first cluster's.
            let self_hosted = inventory.manager.deployment == Deployment::SelfHosted;
            let first_dc = inventory.clusters.first().map(|c| c.data_center);
            for dc in &inventory.data_centers {
                if !inventory.clusters.iter().any(|c| c.data_center == dc.id) {
                    continue;
                }
                let local = dc.storage == StorageKind::Local;
                let name = format!("{}-data", dc.name.to_lowercase().replace(' ', "-"));
                let id = StorageDomainId(Uuid::derived("storage-domain", &name));
                map.insert(name.clone(), id);
                inventory.storage_domains.push(StorageDomain {
                    id,
                    name,
                    data_center: Some(dc.id),
                    role: DomainRole::Data,
                    storage: if local {
                        StorageType::Localfs
                    } else {
                        StorageType::Nfs
                    },
                    status: StorageDomainStatus::Active,
                    master: true,
                    hosted_engine: false,
                    format_version: Some(if dc.version >= Level::new(4, 3) { 5 } else { 4 }),
                    // The guide's example mounts the old local storage at /data (§1.1.9).
                    path: local.then(|| "/data".to_owned()),
                });
                if self_hosted && Some(dc.id) == first_dc {
                    let id = StorageDomainId(Uuid::derived("storage-domain", "hosted_storage"));
                    map.insert("hosted_storage".into(), id);
                    inventory.storage_domains.push(StorageDomain {
                        id,
                        name: "hosted_storage".into(),
                        data_center: Some(dc.id),
                        role: DomainRole::Data,
                        storage: StorageType::Nfs,
                        status: StorageDomainStatus::Active,
                        master: false,
                        hosted_engine: true,
                        format_version: Some(if dc.version >= Level::new(4, 3) { 5 } else { 4 }),
                        path: None,
                    });
                }
            }
        }
        map
    }

    fn host_defaults(
        &self,
        manager_release: Option<&'static Release>,
        os: Option<ElVersion>,
    ) -> (ElVersion, Vec<Level>, &'static str) {
        let line = manager_release.map_or(Level::new(4, 4), |r| r.line);
        let os =
            os.unwrap_or_else(|| manager_release.map_or(ElVersion::new(8, 6), |r| r.host_os[0].to));
        // A host supports what the release its OS belongs to supports; prefer the Manager's own.
        let host_release = manager_release
            .filter(|r| r.host_os_supported(os))
            .or_else(|| {
                release::RELEASES
                    .iter()
                    .rev()
                    .find(|r| r.host_os_supported(os))
            });
        let levels = host_release.map_or_else(Vec::new, |r| r.all_cluster_levels().to_vec());
        (
            os,
            levels,
            release::vdsm_version(host_release.map_or(line, |r| r.line)),
        )
    }

    fn hosts(
        &mut self,
        spec: &ScenarioSpec,
        clusters: &Lookup<ClusterId>,
        manager_release: Option<&'static Release>,
        inventory: &mut Inventory,
    ) -> Lookup<HostId> {
        let mut map = Lookup::new();
        for host in &spec.hosts {
            let context = format!("host \"{}\"", host.name.get_ref());
            let id = HostId(Self::id(host.id, "host", host.name.get_ref()));
            self.declare(&mut map, &host.name, "host", id);
            let memory = self.single_size(&host.memory, &context);
            let (os, levels, vdsm) = self.host_defaults(manager_release, host.os);
            let supported_levels = match &host.supported_levels {
                Some(levels) => levels.iter().map(|l| self.level(l, &context)).collect(),
                None => levels,
            };
            let hosted_engine = match &host.hosted_engine {
                None | Some(HostedEngineSpec::Flag(false)) => None,
                Some(HostedEngineSpec::Flag(true)) => Some(HostedEngineState::default()),
                Some(HostedEngineSpec::State(s)) => Some(HostedEngineState {
                    configured: true,
                    active: s.active,
                    score: s.score.unwrap_or(FULL_HOSTED_ENGINE_SCORE),
                    local_maintenance: s.local_maintenance,
                    global_maintenance: s.global_maintenance,
                }),
            };
            let Some(cluster) = self.resolve(clusters, &host.cluster, "cluster", &context) else {
                continue;
            };
            inventory.hosts.push(Host {
                id,
                name: host.name.get_ref().clone(),
                address: if host.address.is_empty() {
                    format!("{}.example.com", host.name.get_ref())
                } else {
                    host.address.clone()
                },
                cluster,
                host_type: host.host_type,
                os,
                packages: packages(&host.packages, vdsm),
                status: host.status,
                update_available: host.update_available,
                memory,
                max_scheduling_memory: 0,
                spm: host.spm,
                hosted_engine,
                supported_levels,
                ovn_configured: host.ovn_configured,
            });
        }
        for cluster in &spec.clusters {
            let Some(group) = &cluster.hosts else {
                continue;
            };
            let Some(&cluster_id) = clusters.get(cluster.name.get_ref()) else {
                continue;
            };
            let prefix = group
                .prefix
                .clone()
                .unwrap_or_else(|| format!("{}-host", cluster.name.get_ref().to_lowercase()));
            let (os, levels, vdsm) = self.host_defaults(manager_release, group.os);
            let width = digits(group.count);
            for n in 1..=group.count {
                let name = format!("{prefix}{n:0width$}");
                let id = HostId(Uuid::derived("host", &name));
                let spanned = Spanned::new(cluster.name.span(), name.clone());
                self.declare(&mut map, &spanned, "host", id);
                let memory = self.pick(*group.memory.get_ref());
                inventory.hosts.push(Host {
                    id,
                    address: format!("{name}.example.com"),
                    name,
                    cluster: cluster_id,
                    host_type: group.host_type,
                    os,
                    packages: packages(&group.packages, vdsm),
                    status: HostStatus::Up,
                    update_available: group.update_available,
                    memory,
                    max_scheduling_memory: 0,
                    spm: SpmStatus::None,
                    hosted_engine: (n <= group.hosted_engine).then(HostedEngineState::default),
                    supported_levels: levels.clone(),
                    ovn_configured: false,
                });
            }
        }
        // Every data center with hosts has an SPM; give it to the first up host when none is written.
        for dc in &inventory.data_centers {
            let in_dc: Vec<usize> = (0..inventory.hosts.len())
                .filter(|&i| {
                    inventory
                        .clusters
                        .iter()
                        .any(|c| c.id == inventory.hosts[i].cluster && c.data_center == dc.id)
                })
                .collect();
            let has_spm = in_dc
                .iter()
                .any(|&i| inventory.hosts[i].spm == SpmStatus::Spm);
            if let (false, Some(&first)) = (
                has_spm,
                in_dc
                    .iter()
                    .find(|&&i| inventory.hosts[i].status == HostStatus::Up),
            ) {
                inventory.hosts[first].spm = SpmStatus::Spm;
            }
        }
        map
    }

    fn vms(
        &mut self,
        spec: &ScenarioSpec,
        clusters: &Lookup<ClusterId>,
        hosts: &Lookup<HostId>,
        inventory: &mut Inventory,
    ) -> Lookup<VmId> {
        let mut map = Lookup::new();
        let mut used: HashMap<HostId, u64> = HashMap::new();
        for vm in &spec.vms {
            let context = format!("VM \"{}\"", vm.name.get_ref());
            let id = VmId(Self::id(vm.id, "vm", vm.name.get_ref()));
            self.declare(&mut map, &vm.name, "VM", id);
            let memory = self.single_size(&vm.memory, &context);
            let cluster = self.resolve(clusters, &vm.cluster, "cluster", &context);
            let host = vm
                .host
                .as_ref()
                .and_then(|name| self.resolve(hosts, name, "host", &context));
            let status = vm.status.unwrap_or(if vm.host.is_some() {
                VmStatus::Up
            } else {
                VmStatus::Down
            });
            let running = !matches!(status, VmStatus::Down | VmStatus::Unassigned);
            if running && vm.host.is_none() {
                self.problem(
                    vm.name.span(),
                    format!("{context} is {status} but names no host"),
                    "add `host = \"NAME\"`, or `status = \"down\"`",
                );
            }
            let pinned_hosts = vm
                .pinned_hosts
                .iter()
                .filter_map(|name| self.resolve(hosts, name, "host", &context))
                .collect();
            let custom_compatibility_version = vm
                .custom_compatibility_version
                .as_ref()
                .map(|l| self.level(l, &context));
            let snapshots = vm
                .snapshots
                .iter()
                .enumerate()
                .map(|(i, s)| Snapshot {
                    id: SnapshotId(Uuid::derived(
                        "snapshot",
                        &format!("{}/{i}", vm.name.get_ref()),
                    )),
                    description: s.description.clone(),
                    status: s.status,
                    cluster_level: s.cluster_level.as_ref().map(|l| self.level(l, &context)),
                })
                .collect();
            let Some(cluster) = cluster else { continue };
            if let (Some(host), true) = (host, running) {
                *used.entry(host).or_default() += memory + VM_OVERHEAD;
            }
            inventory.vms.push(Vm {
                id,
                name: vm.name.get_ref().clone(),
                cluster,
                host: if running { host } else { None },
                status,
                memory,
                affinity: vm.affinity,
                pinned_hosts,
                high_availability: vm.ha || vm.hosted_engine,
                hosted_engine: vm.hosted_engine,
                next_run_pending: vm.next_run_pending,
                custom_compatibility_version,
                cpu_passthrough: vm.cpu_passthrough,
                vgpu: vm.vgpu,
                host_devices: vm.host_devices,
                snapshots,
            });
        }
        for cluster in &spec.clusters {
            let Some(group) = &cluster.vms else { continue };
            let Some(&cluster_id) = clusters.get(cluster.name.get_ref()) else {
                continue;
            };
            self.vm_group(cluster, group, cluster_id, &mut map, &mut used, inventory);
        }
        map
    }

    fn vm_group(
        &mut self,
        cluster: &ClusterSpec,
        group: &VmGroupSpec,
        cluster_id: ClusterId,
        map: &mut Lookup<VmId>,
        used: &mut HashMap<HostId, u64>,
        inventory: &mut Inventory,
    ) {
        let prefix = group
            .prefix
            .clone()
            .unwrap_or_else(|| format!("{}-vm", cluster.name.get_ref().to_lowercase()));
        let candidates: Vec<(HostId, u64)> = inventory
            .hosts
            .iter()
            .filter(|h| h.cluster == cluster_id && h.status == HostStatus::Up)
            .map(|h| (h.id, h.memory * GROUP_FILL_PERCENT / 100))
            .collect();
        let special = group.pinned + group.user_migratable + group.ha + group.down;
        if special > group.count {
            self.problem(group.memory.span(), format!("cluster \"{}\": {special} pinned, user-migratable, HA and down VMs are more than the group's {}", cluster.name.get_ref(), group.count), "each VM of a group has one role: make count at least their sum");
            return;
        }
        let width = digits(group.count);
        for n in 1..=group.count {
            let name = format!("{prefix}{n:0width$}");
            let id = VmId(Uuid::derived("vm", &name));
            let spanned = Spanned::new(cluster.name.span(), name.clone());
            self.declare(map, &spanned, "VM", id);
            let memory = self.pick(*group.memory.get_ref());
            let k = n - 1;
            let down = n > group.count - group.down;
            let (affinity, ha) = if k < group.pinned {
                (Affinity::Pinned, false)
            } else if k < group.pinned + group.user_migratable {
                (Affinity::UserMigratable, false)
            } else {
                (
                    Affinity::Migratable,
                    k < group.pinned + group.user_migratable + group.ha,
                )
            };
            let host = if down {
                None
            } else {
                // Worst fit: the host with the most room left, so the cluster fills evenly.
                let best = candidates
                    .iter()
                    .map(|&(host, capacity)| {
                        (
                            host,
                            capacity.saturating_sub(used.get(&host).copied().unwrap_or(0)),
                        )
                    })
                    .filter(|&(_, free)| free >= memory + VM_OVERHEAD)
                    .max_by_key(|&(host, free)| (free, std::cmp::Reverse(host)));
                match best {
                    Some((host, _)) => {
                        *used.entry(host).or_default() += memory + VM_OVERHEAD;
                        Some(host)
                    }
                    None => {
                        self.problem(
                            group.memory.span(),
                            format!("cluster \"{}\": VM {name} ({} GiB) does not fit on any of its {} up hosts", cluster.name.get_ref(), memory / GIB, candidates.len()),
                            format!("add hosts or memory, or fewer VMs: a group fills hosts to {GROUP_FILL_PERCENT}% at most"),
                        );
                        return;
                    }
                }
            };
            inventory.vms.push(Vm {
                id,
                name,
                cluster: cluster_id,
                host,
                status: if down { VmStatus::Down } else { VmStatus::Up },
                memory,
                affinity,
                pinned_hosts: if affinity == Affinity::Pinned {
                    host.into_iter().collect()
                } else {
                    Vec::new()
                },
                high_availability: ha,
                hosted_engine: false,
                next_run_pending: false,
                custom_compatibility_version: None,
                cpu_passthrough: false,
                vgpu: false,
                host_devices: 0,
                snapshots: Vec::new(),
            });
        }
    }

    /// A self-hosted engine has its Manager VM on an active hosted-engine host.
    fn hosted_engine_vm(&mut self, inventory: &mut Inventory) {
        if inventory.manager.deployment != Deployment::SelfHosted {
            return;
        }
        if inventory.vms.iter().any(|v| v.hosted_engine) {
            mark_live_agents(inventory);
            return;
        }
        let Some(host) = inventory
            .hosts
            .iter()
            .find(|h| h.hosted_engine.is_some_and(|s| s.active))
            .or_else(|| {
                inventory
                    .hosts
                    .iter()
                    .find(|h| h.hosted_engine.is_some() && h.status == HostStatus::Up)
            })
        else {
            self.problem(
                0..0,
                "the deployment is self-hosted but no host is a hosted-engine host".into(),
                "mark hosts with `hosted_engine = true`, or in a group with `hosted_engine = N`",
            );
            return;
        };
        let (host_id, cluster) = (host.id, host.cluster);
        mark_live_agents(inventory);
        inventory.vms.insert(
            0,
            Vm {
                id: VmId(Uuid::derived("vm", "HostedEngine")),
                name: "HostedEngine".into(),
                cluster,
                host: Some(host_id),
                status: VmStatus::Up,
                memory: HOSTED_ENGINE_VM_MEMORY,
                affinity: Affinity::Migratable,
                pinned_hosts: Vec::new(),
                high_availability: true,
                hosted_engine: true,
                next_run_pending: false,
                custom_compatibility_version: None,
                cpu_passthrough: false,
                vgpu: false,
                host_devices: 0,
                snapshots: Vec::new(),
            },
        );
    }

    fn disks(
        &mut self,
        spec: &ScenarioSpec,
        domains: &Lookup<StorageDomainId>,
        vms: &Lookup<VmId>,
        inventory: &mut Inventory,
    ) {
        // Each data center's master data domain takes the disks that name no domain.
        let master_of: HashMap<DataCenterId, StorageDomainId> = inventory
            .storage_domains
            .iter()
            .filter(|sd| sd.role == DomainRole::Data && !sd.hosted_engine)
            .filter_map(|sd| sd.data_center.map(|dc| (dc, sd.id, sd.master)))
            .fold(HashMap::new(), |mut map, (dc, sd, master)| {
                if master || !map.contains_key(&dc) {
                    map.insert(dc, sd);
                }
                map
            });
        let dc_of_cluster: HashMap<ClusterId, DataCenterId> = inventory
            .clusters
            .iter()
            .map(|c| (c.id, c.data_center))
            .collect();
        let he_domain = inventory
            .storage_domains
            .iter()
            .find(|sd| sd.hosted_engine)
            .map(|sd| sd.id);
        let he_vm = inventory.vms.iter().find(|v| v.hosted_engine).map(|v| v.id);
        let written: HashSet<&str> = spec.vms.iter().map(|v| v.name.get_ref().as_str()).collect();

        let mut wanted: Vec<(
            VmId,
            String,
            ClusterId,
            u32,
            SizeRange,
            Option<StorageDomainId>,
        )> = Vec::new();
        for vm in &spec.vms {
            let Some(&id) = vms.get(vm.name.get_ref()) else {
                continue;
            };
            let Some(cluster) = inventory.vms.iter().find(|v| v.id == id).map(|v| v.cluster) else {
                continue;
            };
            let size = vm
                .disk_size
                .as_ref()
                .map_or(DEFAULT_DISK_SIZE, |s| *s.get_ref());
            let domain = if vm.hosted_engine { he_domain } else { None };
            wanted.push((
                id,
                vm.name.get_ref().clone(),
                cluster,
                vm.disks.unwrap_or(1),
                size,
                domain,
            ));
        }
        for cluster in &spec.clusters {
            let Some(group) = &cluster.vms else { continue };
            let Some(cluster_id) = inventory
                .clusters
                .iter()
                .find(|c| &c.name == cluster.name.get_ref())
                .map(|c| c.id)
            else {
                continue;
            };
            let domain = group.storage_domain.as_ref().and_then(|name| {
                self.resolve(
                    domains,
                    name,
                    "storage domain",
                    &format!("cluster \"{}\"", cluster.name.get_ref()),
                )
            });
            let size = group
                .disk_size
                .as_ref()
                .map_or(DEFAULT_DISK_SIZE, |s| *s.get_ref());
            let count = group.disks.unwrap_or(1);
            wanted.extend(
                inventory
                    .vms
                    .iter()
                    .filter(|v| {
                        v.cluster == cluster_id
                            && !v.hosted_engine
                            && !written.contains(v.name.as_str())
                    })
                    .map(|v| (v.id, v.name.clone(), cluster_id, count, size, domain)),
            );
        }
        // The hosted-engine VM the scenario added has the appliance's disk on hosted_storage.
        if let Some(he) = inventory
            .vms
            .iter()
            .find(|v| v.hosted_engine && !written.contains(v.name.as_str()))
        {
            wanted.push((
                he.id,
                he.name.clone(),
                he.cluster,
                1,
                SizeRange::exactly(58 << 30),
                he_domain,
            ));
        }
        for (vm, name, cluster, count, size, domain) in wanted {
            let Some(domain) = domain.or_else(|| {
                dc_of_cluster
                    .get(&cluster)
                    .and_then(|dc| master_of.get(dc))
                    .copied()
            }) else {
                continue;
            };
            for n in 1..=count {
                let alias = format!("{name}_Disk{n}");
                let capacity = self.pick(size);
                let disk_id = DiskId(Uuid::derived("disk", &alias));
                inventory.disks.push(Disk {
                    id: disk_id,
                    alias: alias.clone(),
                    storage_domain: domain,
                    vm: Some(vm),
                    content_type: if Some(vm) == he_vm {
                        ContentType::HostedEngine
                    } else {
                        ContentType::Data
                    },
                    volumes: vec![Volume {
                        id: VolumeId(Uuid::derived("volume", &alias)),
                        parent: None,
                        capacity,
                        actual_size: capacity / 4,
                        format: VolumeFormat::Cow,
                        allocation: Allocation::Sparse,
                        legality: Legality::Legal,
                    }],
                });
            }
        }
        for disk in &spec.disks {
            let context = format!("disk \"{}\"", disk.alias.get_ref());
            let domain = self.resolve(domains, &disk.storage_domain, "storage domain", &context);
            let vm = disk
                .vm
                .as_ref()
                .and_then(|name| self.resolve(vms, name, "VM", &context));
            let capacity = self.single_size(&disk.size, &context);
            let Some(domain) = domain else { continue };
            let volumes = disk.volumes.unwrap_or(1).max(1);
            let mut chain = Vec::with_capacity(volumes as usize);
            let mut parent = None;
            for n in 0..volumes {
                let id = VolumeId(Uuid::derived(
                    "volume",
                    &format!("{}/{n}", disk.alias.get_ref()),
                ));
                let top = n + 1 == volumes;
                chain.push(Volume {
                    id,
                    parent,
                    capacity,
                    actual_size: capacity / 4,
                    // A chain is a raw or qcow2 base with qcow2 layers above it.
                    format: if n == 0 {
                        disk.format
                    } else {
                        VolumeFormat::Cow
                    },
                    allocation: if n == 0 && disk.format == VolumeFormat::Raw {
                        Allocation::Preallocated
                    } else {
                        Allocation::Sparse
                    },
                    legality: if disk.illegal && top {
                        Legality::Illegal
                    } else {
                        Legality::Legal
                    },
                });
                parent = Some(id);
            }
            inventory.disks.push(Disk {
                id: DiskId(Self::id(disk.id, "disk", disk.alias.get_ref())),
                alias: disk.alias.get_ref().clone(),
                storage_domain: domain,
                vm,
                content_type: ContentType::Data,
                volumes: chain,
            });
        }
    }
}

fn packages(written: &BTreeMap<String, String>, vdsm: &str) -> BTreeMap<String, PackageVersion> {
    let mut packages: BTreeMap<String, PackageVersion> = written
        .iter()
        .map(|(name, version)| (name.clone(), PackageVersion::new(version.clone())))
        .collect();
    packages
        .entry("vdsm".into())
        .or_insert_with(|| PackageVersion::new(vdsm));
    packages
}

fn digits(count: u32) -> usize {
    count.to_string().len().max(2)
}

/// What the scheduler can still place on each host: its memory less the reserve and the
/// running VMs (with the engine's per-VM overhead).
fn compute_scheduling_memory(inventory: &mut Inventory) {
    let mut used: HashMap<HostId, u64> = HashMap::new();
    for vm in inventory.vms.iter().filter(|v| v.is_running()) {
        if let Some(host) = vm.host {
            *used.entry(host).or_default() += vm.memory + VM_OVERHEAD;
        }
    }
    for host in &mut inventory.hosts {
        let taken = HOST_RESERVED_MEMORY + used.get(&host.id).copied().unwrap_or(0);
        host.max_scheduling_memory = host.memory.saturating_sub(taken);
    }
}

/// A hosted-engine host is `active` when its HA agent runs, as the API shows it; a scenario's
/// `active` only chose where the engine VM starts.
fn mark_live_agents(inventory: &mut Inventory) {
    for host in &mut inventory.hosts {
        let alive = host.status.ha_agent_alive();
        if let Some(state) = &mut host.hosted_engine {
            state.active = alive;
        }
    }
}
