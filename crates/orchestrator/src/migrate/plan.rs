//! The host migration's decisions, pure. The rolling upgrade's planner orders the hosts and
//! places every VM (hosts already reinstalled first, so most VMs move once; at most one
//! hosted-engine host out; the Manager VM's host last, so another hosted-engine host is
//! redeployed before it); this adds what removing and reinstalling a host requires.

use model::{release, Affinity, DomainRole, HostStatus, Inventory, Level, StorageKind, Version};

use super::{
    HostMigration, ManualHost, MigrateOptions, MigrationBlocker, MigrationPlan, MigrationWarning,
    PinnedVmPlan, SkippedMachine,
};
use crate::options::{Options, PinnedPolicy};
use crate::planner::{self, PlanError};

/// Hosts of this release's Manager need Enterprise Linux 8.
const TARGET_LINE: Version = Version::new(4, 4, 0);
/// The oldest cluster level a 4.4 host joins (§1.1.8's prerequisites).
const LOWEST_LEVEL: Level = Level::new(4, 2);
/// The engine's deployment of a new host: installation, reboot, activation.
const DEPLOY_SECONDS: u64 = 16 * 60;

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
    let manual: Vec<ManualHost> = match (local, data_center) {
        (true, Some(dc)) => hosts
            .iter()
            .filter(|h| to_migrate(h))
            .map(|h| ManualHost {
                name: h.name.clone(),
                data_center: dc.name.clone(),
                domains: inventory
                    .storage_domains
                    .iter()
                    .filter(|s| s.data_center == Some(dc.id) && s.role == DomainRole::Data)
                    .map(|s| s.name.clone())
                    .collect(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let selected: Vec<String> = hosts
        .iter()
        .filter(|h| to_migrate(h))
        .filter(|_| !local)
        .map(|h| h.name.clone())
        .collect();

    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
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
                        let pinned = pinned_vms(inventory, step, downtime);
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
                            predicted_seconds: step.predicted_seconds,
                        }
                    })
                    .collect()
            })
            .collect();
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
    if !selected.is_empty() || !manual.is_empty() {
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
        manual,
        skipped,
        blockers,
        warnings,
        options: options.clone(),
        prediction: rolling_plan.map(|p| p.prediction).unwrap_or_default(),
    };
    let after = plan.level_after().filter(|&l| l > plan.level);
    for warning in &mut plan.warnings {
        if let MigrationWarning::LevelWaits { after: slot, .. } = warning {
            *slot = after;
        }
    }
    Ok(plan)
}

/// The VMs `step`'s host cannot be removed with (`RemoveVdsCommand.validate`): those that run
/// there and cannot migrate (the rolling planner's stops), and those pinned to it that do not
/// run there (from 4.4.4 only VMs pinned, or with host devices, block; before, any VM that
/// names the host in its placement). `downtime` is a restarted VM's.
fn pinned_vms(
    inventory: &Inventory,
    step: &crate::plan::HostStep,
    downtime: u64,
) -> Vec<PinnedVmPlan> {
    let only_pinned = release::only_pinned_vms_block_host_removal(inventory.manager.version);
    let vm_named = |name: &str| inventory.vms.iter().find(|v| v.name == name);
    let running = step.stops.iter().map(|stop| {
        let host_devices = vm_named(&stop.name).is_some_and(|v| v.host_devices > 0);
        PinnedVmPlan {
            vm: stop.name.clone(),
            running: true,
            host_devices,
            downtime_seconds: (!host_devices).then_some(downtime),
        }
    });
    let pinned_elsewhere = inventory
        .vms
        .iter()
        .filter(|v| !v.hosted_engine && v.pinned_hosts.contains(&step.host))
        .filter(|v| !only_pinned || v.affinity == Affinity::Pinned || v.host_devices > 0)
        .filter(|v| !step.stops.iter().any(|s| s.vm == v.id))
        .map(|v| PinnedVmPlan {
            vm: v.name.clone(),
            running: false,
            host_devices: v.host_devices > 0,
            downtime_seconds: None,
        });
    running.chain(pinned_elsewhere).collect()
}
