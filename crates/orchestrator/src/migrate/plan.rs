//! The host migration's decisions, pure. The rolling upgrade's planner orders the hosts and
//! places every VM (hosts already reinstalled first, so most VMs move once; at most one
//! hosted-engine host out; the Manager VM's host last, so another hosted-engine host is
//! redeployed before it); this adds what removing and reinstalling a host requires. A host
//! of a local data center is a wave of its own: its VMs cannot leave it (§1.1.9).

use model::{
    release, Affinity, DataCenter, DomainRole, Host, HostId, HostStatus, Inventory, Level,
    StorageKind, StorageType, Version, VmId,
};

use super::{
    HostMigration, LocalDomain, LocalStorage, MigrateOptions, MigrationBlocker, MigrationPlan,
    MigrationWarning, PinnedVmPlan, SkippedMachine,
};
use crate::options::{Options, PinnedPolicy};
use crate::plan::Prediction;
use crate::planner::{self, PlanError};

/// Hosts of this release's Manager need Enterprise Linux 8.
const TARGET_LINE: Version = Version::new(4, 4, 0);
/// The oldest cluster level a 4.4 host joins (§1.1.8's prerequisites).
const LOWEST_LEVEL: Level = Level::new(4, 2);
/// The engine's deployment of a new host: installation, reboot, activation.
const DEPLOY_SECONDS: u64 = 16 * 60;
/// A local data center's storage work: domains to maintenance and out of the records, the
/// new first domain, the imports and the registrations.
const LOCAL_STORAGE_SECONDS: u64 = 5 * 60;
/// Where the guide makes a local data center's new first domain (§1.1.9).
const FIRST_DOMAIN_PATH: &str = "/localfs";

/// Plans the migration of cluster `name`'s Enterprise Linux 7 hosts.
pub fn plan(
    inventory: &Inventory,
    name: &str,
    options: &MigrateOptions,
) -> Result<MigrationPlan, PlanError> {
    let cluster_id = planner::find_cluster(inventory, name)?;
    let cluster = inventory
        .clusters
        .iter()
        .find(|c| c.id == cluster_id)
        .expect("found above");
    let data_center = inventory
        .data_centers
        .iter()
        .find(|d| d.id == cluster.data_center);
    let local = data_center.is_some_and(|d| d.storage == StorageKind::Local);
    let hosts: Vec<&model::Host> = inventory
        .hosts
        .iter()
        .filter(|h| h.cluster == cluster_id)
        .collect();
    let to_migrate = |h: &model::Host| {
        h.os.major < 8 && matches!(h.status, HostStatus::Up | HostStatus::Maintenance)
    };
    let skipped = hosts
        .iter()
        .filter(|h| !to_migrate(h))
        .map(|h| SkippedMachine {
            name: h.name.clone(),
            os: h.os,
            status: h.status,
        })
        .collect();
    let selected: Vec<String> = hosts
        .iter()
        .filter(|h| to_migrate(h))
        .filter(|_| !local)
        .map(|h| h.name.clone())
        .collect();

    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
    let local_hosts: Vec<&Host> = hosts
        .iter()
        .copied()
        .filter(|h| local && to_migrate(h))
        .collect();
    let manager = inventory.manager.version;
    if manager < TARGET_LINE {
        blockers.push(MigrationBlocker::ManagerTooOld { manager });
    }
    if cluster.version < LOWEST_LEVEL {
        blockers.push(MigrationBlocker::LevelTooLow {
            cluster: cluster.name.clone(),
            level: cluster.version,
        });
    }

    let mut timing = options.timing.clone();
    timing.host_upgrade_seconds = u64::from(options.reinstall_minutes) * 60 + DEPLOY_SECONDS;
    let downtime =
        timing.vm_shutdown_seconds + timing.host_upgrade_seconds + timing.vm_start_seconds;
    let rolling = Options {
        hosts: selected.clone(),
        pinned: PinnedPolicy::StopAndRestart,
        check_upgrade: true,
        max_parallel: options.max_parallel,
        seed: options.seed,
        timing,
        ..Options::default()
    };
    let rolling_plan = if selected.is_empty() {
        None
    } else {
        Some(planner::plan(inventory, cluster_id, &rolling)?)
    };
    let host_of = |id| inventory.hosts.iter().find(|h| h.id == id);
    let manager_vm_host = inventory
        .vms
        .iter()
        .find(|v| v.hosted_engine && v.cluster == cluster_id)
        .and_then(|v| v.host);
    let mut waves = Vec::new();
    if let Some(rolling_plan) = &rolling_plan {
        blockers.extend(
            rolling_plan
                .blockers
                .iter()
                .cloned()
                .map(|blocker| MigrationBlocker::Evacuation { blocker }),
        );
        waves = rolling_plan
            .waves
            .iter()
            .map(|wave| {
                wave.hosts
                    .iter()
                    .map(|step| {
                        let host = host_of(step.host).expect("a planned host is in the inventory");
                        let stops: Vec<(VmId, String)> =
                            step.stops.iter().map(|s| (s.vm, s.name.clone())).collect();
                        let pinned = pinned_vms(inventory, step.host, &stops, downtime);
                        for vm in pinned.iter().filter(|p| !p.host_devices) {
                            warnings.push(MigrationWarning::PinnedVm {
                                vm: vm.vm.clone(),
                                host: step.name.clone(),
                                running: vm.running,
                                downtime_seconds: vm.downtime_seconds,
                            });
                        }
                        HostMigration {
                            host: step.host,
                            name: step.name.clone(),
                            address: host.address.clone(),
                            os: host.os,
                            hosted_engine: host.hosted_engine.is_some(),
                            runs_manager_vm: manager_vm_host == Some(step.host),
                            migrations: step.migrations.clone(),
                            pinned,
                            local: None,
                            predicted_seconds: step.predicted_seconds,
                        }
                    })
                    .collect()
            })
            .collect();
    }
    let mut prediction = rolling_plan.map(|p| p.prediction).unwrap_or_default();
    if let (false, Some(dc)) = (local_hosts.is_empty(), data_center) {
        let local_downtime = downtime + LOCAL_STORAGE_SECONDS;
        for host in &local_hosts {
            let (migration, storage) =
                local_migration(inventory, host, dc, local_downtime, &mut blockers);
            let stopped = migration.pinned.iter().filter(|p| p.running).count();
            warnings.push(MigrationWarning::LocalStorage {
                host: host.name.clone(),
                data_center: dc.name.clone(),
                domains: storage
                    .domains
                    .iter()
                    .map(|d| format!("{} at {}", d.name, d.path))
                    .collect(),
                vms: stopped,
                downtime_seconds: local_downtime,
            });
            prediction = Prediction {
                hosts: prediction.hosts + 1,
                waves: prediction.waves + 1,
                max_hosts_out: 1,
                running_vms: prediction.running_vms + stopped,
                vms_stopped: prediction.vms_stopped + stopped,
                duration_seconds: prediction.duration_seconds + migration.predicted_seconds,
                ..prediction
            };
            waves.push(vec![migration]);
        }
    }
    for vm in inventory.vms.iter().filter(|v| v.cluster == cluster_id) {
        if vm.cpu_passthrough {
            warnings.push(MigrationWarning::CpuPassthrough {
                vm: vm.name.clone(),
            });
        }
        if vm.host_devices > 0 {
            if let Some(host) = vm
                .host
                .or_else(|| vm.pinned_hosts.first().copied())
                .and_then(host_of)
            {
                warnings.push(MigrationWarning::HostDevices {
                    vm: vm.name.clone(),
                    host: host.name.clone(),
                });
            }
        }
    }
    if !selected.is_empty() || !local_hosts.is_empty() {
        warnings.push(MigrationWarning::NonOsStorage);
        warnings.push(MigrationWarning::LevelWaits {
            level: cluster.version,
            after: None,
        });
    }
    let mut plan = MigrationPlan {
        cluster: cluster_id,
        cluster_name: cluster.name.clone(),
        manager,
        level: cluster.version,
        waves,
        skipped,
        blockers,
        warnings,
        options: options.clone(),
        prediction,
    };
    let after = plan.level_after().filter(|&l| l > plan.level);
    for warning in &mut plan.warnings {
        if let MigrationWarning::LevelWaits { after: slot, .. } = warning {
            *slot = after;
        }
    }
    Ok(plan)
}

/// The VMs `host` cannot be removed with (`RemoveVdsCommand.validate`): those that run there
/// and cannot leave (`stops`: the rolling planner's, or all of a local-storage host's), and
/// those pinned to it that do not run there (from 4.4.4 only VMs pinned, or with host
/// devices, block; before, any VM that names the host in its placement). `downtime` is a
/// restarted VM's.
fn pinned_vms(
    inventory: &Inventory,
    host: HostId,
    stops: &[(VmId, String)],
    downtime: u64,
) -> Vec<PinnedVmPlan> {
    let only_pinned = release::only_pinned_vms_block_host_removal(inventory.manager.version);
    let running = stops.iter().map(|(id, name)| {
        let host_devices = inventory
            .vms
            .iter()
            .any(|v| v.id == *id && v.host_devices > 0);
        PinnedVmPlan {
            vm: name.clone(),
            running: true,
            host_devices,
            downtime_seconds: (!host_devices).then_some(downtime),
        }
    });
    let pinned_elsewhere = inventory
        .vms
        .iter()
        .filter(|v| !v.hosted_engine && v.pinned_hosts.contains(&host))
        .filter(|v| !only_pinned || v.affinity == Affinity::Pinned || v.host_devices > 0)
        .filter(|v| !stops.iter().any(|(id, _)| *id == v.id))
        .map(|v| PinnedVmPlan {
            vm: v.name.clone(),
            running: false,
            host_devices: v.host_devices > 0,
            downtime_seconds: None,
        });
    running.chain(pinned_elsewhere).collect()
}

/// A local-storage host's migration (§1.1.9), with its storage: every VM running there is
/// shut down and started again once its domains are imported; what stops it is added to
/// `blockers`.
fn local_migration(
    inventory: &Inventory,
    host: &Host,
    dc: &DataCenter,
    downtime: u64,
    blockers: &mut Vec<MigrationBlocker>,
) -> (HostMigration, LocalStorage) {
    let in_dc = || {
        inventory
            .storage_domains
            .iter()
            .filter(|s| s.data_center == Some(dc.id))
    };
    let shared: Vec<String> = in_dc()
        .filter(|s| s.role != DomainRole::Data || s.storage != StorageType::Localfs)
        .map(|s| s.name.clone())
        .collect();
    if !shared.is_empty() {
        blockers.push(MigrationBlocker::SharedDomainsInLocalDataCenter {
            data_center: dc.name.clone(),
            domains: shared,
        });
    }
    let mut domains: Vec<LocalDomain> = Vec::new();
    for domain in
        in_dc().filter(|s| s.role == DomainRole::Data && s.storage == StorageType::Localfs)
    {
        match &domain.path {
            Some(path) => domains.push(LocalDomain {
                id: domain.id,
                name: domain.name.clone(),
                path: path.clone(),
                master: domain.master,
            }),
            None => blockers.push(MigrationBlocker::LocalPathUnknown {
                domain: domain.name.clone(),
            }),
        }
    }
    domains.sort_by_key(|d| d.master);
    let stops: Vec<(VmId, String)> = inventory
        .vms
        .iter()
        .filter(|v| v.host == Some(host.id) && v.is_running())
        .map(|v| (v.id, v.name.clone()))
        .collect();
    let safe_name: String = dc
        .name
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    let storage = LocalStorage {
        data_center: dc.id,
        data_center_name: dc.name.clone(),
        domains,
        first_domain: format!("{safe_name}-localfs"),
        first_path: FIRST_DOMAIN_PATH.to_owned(),
    };
    let migration = HostMigration {
        host: host.id,
        name: host.name.clone(),
        address: host.address.clone(),
        os: host.os,
        hosted_engine: false,
        runs_manager_vm: false,
        migrations: Vec::new(),
        pinned: pinned_vms(inventory, host.id, &stops, downtime),
        local: Some(storage.clone()),
        predicted_seconds: downtime,
    };
    (migration, storage)
}
