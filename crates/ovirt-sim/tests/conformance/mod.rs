//! One test per engine behaviour the orchestrator relies on, each naming the ovirt-engine
//! class it follows (tag `ovirt-engine-4.4.10.7`, `backend/manager/modules/bll` and `common`;
//! the same code on master unless a test says otherwise). docs/simulator.md lists them.

use super::*;

mod hosts;
mod storage;

fn events_of(sim: &Simulator, code: u32) -> Vec<Event> {
    sim.events(None)
        .into_iter()
        .filter(|e| e.code == code)
        .collect()
}

fn upgrade(sim: &mut Simulator, host: HostId, reboot: bool) -> Result<(), EngineError> {
    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot,
            timeout_minutes: None,
        },
    )
}

fn deactivate(sim: &mut Simulator, host: HostId) -> Result<(), EngineError> {
    sim.host_action(
        host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    )
}

/// Every host of the scenario offered the update, as after a check that found it.
fn with_update(example: &str, faults: &str) -> Simulator {
    let mut inventory = scenario::load(&format!("example:{example}")).unwrap();
    for host in &mut inventory.hosts {
        host.update_available = true;
    }
    Simulator::new(
        inventory,
        SimConfig::default(),
        faults.parse().unwrap(),
        7,
        START,
    )
}

/// `ActionUtils` (UpgradeHost is black-listed for neither InstallFailed nor NonOperational) and
/// `UpgradeHostValidator.statusSupportedForHostUpgrade`.
#[test]
fn an_install_failed_host_may_be_upgraded_again() {
    let mut sim = with_update("standalone-local", "install-fail-once:host2");
    let host = host_id(&sim, "host2");
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::InstallFailed);
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Up);
    assert!(!sim.host(host).unwrap().update_available);
    assert_clean(&sim);
}

/// `UpgradeHostCommand.validate` checks only the status, the updates and the CPU; the move to
/// maintenance is an asynchronous child (`MaintenanceNumberOfVdssCommand`). When it fails,
/// `HostUpgradeCallback` logs 17 and 841 and the host stays up.
#[test]
fn an_upgrade_of_an_up_host_is_accepted_then_abandoned_when_maintenance_fails() {
    let mut sim = with_update("standalone-local", "");
    let host = host_id(&sim, "host1");
    for other in ["host2", "host3"] {
        let other = host_id(&sim, other);
        sim.host_action(
            other,
            HostAction::Deactivate {
                reason: None,
                stop_gluster_service: false,
            },
        )
        .unwrap();
        run_until_idle(&mut sim);
    }
    // web1 runs on host1 and no other host is up: maintenance would be refused at once.
    let (status, _) = refusal(deactivate(&mut sim, host));
    assert_eq!(status, 409);
    upgrade(&mut sim, host, true).expect("the REST call itself is accepted");
    run_until_idle(&mut sim);
    assert!(codes(&sim).ends_with(&[840, 17, 841]), "{:?}", codes(&sim));
    let h = sim.host(host).unwrap();
    assert_eq!(h.status, HostStatus::Up);
    assert!(h.update_available);
    assert_clean(&sim);
}

/// `MaintenanceNumberOfVdssCommand.executeCommand`: when an upgrade's evacuation cannot place
/// every VM, the host is activated again rather than left preparing.
#[test]
fn an_upgrade_whose_evacuation_cannot_place_every_vm_activates_the_host_again() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    for host in &mut inventory.hosts {
        host.update_available = true;
    }
    // host1 holds more than the others can take.
    let big = inventory.vms.iter_mut().find(|v| v.name == "web1").unwrap();
    big.memory = 200 << 30;
    let host1 = inventory
        .hosts
        .iter_mut()
        .find(|h| h.name == "host1")
        .unwrap();
    host1.memory = 256 << 30;
    host1.max_scheduling_memory = 40 << 30;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let host = host_id(&sim, "host1");
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    use HostStatus::*;
    assert_eq!(
        host_statuses(&sim, host),
        [Up, PreparingForMaintenance, Unassigned, Up]
    );
    assert!(
        codes(&sim).ends_with(&[841]) && codes(&sim).contains(&17),
        "{:?}",
        codes(&sim)
    );
    assert_clean(&sim);
}

/// `UpgradeHostInternalCommand` and `SshHostRebootCommand.getStatusAfterReboot`.
#[test]
fn after_a_reboot_a_host_is_non_responsive_until_the_monitor_reaches_it() {
    let mut sim = with_update("standalone-local", "");
    let host = host_id(&sim, "host2");
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    use HostStatus::*;
    assert_eq!(
        host_statuses(&sim, host),
        [
            Up,
            PreparingForMaintenance,
            Maintenance,
            Installing,
            Reboot,
            NonResponsive,
            Up
        ]
    );
    // SYSTEM_SSH_HOST_RESTART, then the monitor's VDS_DETECTED.
    assert_eq!(events_of(&sim, 197).len(), 1);
    assert!(events_of(&sim, 13)
        .iter()
        .any(|e| e.description == "Status of host host2 was set to up."));
}

/// `UpgradeHostInternalCommand.updateHostStatusAfterSuccessfulUpgrade`: without a reboot an
/// Enterprise Linux host initialises and comes up; `update_available` is false at once.
#[test]
fn without_a_reboot_a_host_initialises_and_its_updates_are_gone_at_once() {
    let mut sim = with_update("standalone-local", "");
    let host = host_id(&sim, "host2");
    upgrade(&mut sim, host, false).unwrap();
    let install_ends = sim
        .now()
        .plus_millis((SimConfig::default().install_ms + 60_000) as i64);
    while sim.host(host).unwrap().status != HostStatus::Initializing {
        let next = sim.next_due().expect("the upgrade goes on");
        assert!(next <= install_ends, "the host never initialised");
        sim.advance_to(next);
    }
    assert!(
        !sim.host(host).unwrap().update_available,
        "cleared as the install ends"
    );
    run_until_idle(&mut sim);
    use HostStatus::*;
    assert_eq!(
        host_statuses(&sim, host),
        [
            Up,
            PreparingForMaintenance,
            Maintenance,
            Installing,
            Initializing,
            Up
        ]
    );
    assert_eq!(events_of(&sim, 842).len(), 1);
}

/// `SshHostRebootCommand.getStatusAfterReboot` keeps a host that started in maintenance there.
#[test]
fn a_host_upgraded_from_maintenance_returns_to_maintenance_after_its_reboot() {
    let mut sim = with_update("standalone-local", "");
    let host = host_id(&sim, "host2");
    deactivate(&mut sim, host).unwrap();
    run_until_idle(&mut sim);
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    use HostStatus::*;
    assert_eq!(
        host_statuses(&sim, host),
        [
            Up,
            PreparingForMaintenance,
            Maintenance,
            Installing,
            Reboot,
            Maintenance
        ]
    );
}

/// `UpgradeHostInternalCommand.getAuditLogTypeValue`: 888 when the `reboot` parameter was set,
/// 842 otherwise, whatever the host type; oVirt Node reboots either way.
#[test]
fn the_reboot_parameter_decides_888_or_842_not_the_host_type() {
    let mut sim = with_update("standalone-local", "");
    let node = host_id(&sim, "host3");
    assert_eq!(sim.host(node).unwrap().host_type, HostType::OvirtNode);
    upgrade(&mut sim, node, false).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(events_of(&sim, 842).len(), 1);
    assert!(events_of(&sim, 888).is_empty());
    assert!(
        host_statuses(&sim, node).contains(&HostStatus::Reboot),
        "a node reboots into its new image"
    );
}

/// `HostUpdatesChecker.checkForUpdates` and `HostUpgradeManager`: 884, then the packages (843,
/// once a day) before 885; the flag is what the check found.
#[test]
fn a_check_for_updates_logs_843_before_885_once_a_day_and_keeps_its_result() {
    let mut sim = simulator("standalone-local", "");
    let host = host_id(&sim, "host1");
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    assert!(!sim.host(host).unwrap().update_available);
    assert!(events_of(&sim, 885)[0]
        .description
        .ends_with("'no updates found.'."));
    sim.publish_host_update(PackageVersion::new("4.30.52-1.el7ev"));
    for _ in 0..2 {
        sim.host_action(host, HostAction::UpgradeCheck).unwrap();
        run_until_idle(&mut sim);
    }
    assert!(sim.host(host).unwrap().update_available);
    assert_eq!(
        codes(&sim).iter().filter(|&&c| c == 843).count(),
        1,
        "843 is suppressed for a day"
    );
    assert!(
        codes(&sim).ends_with(&[884, 843, 885, 884, 885]),
        "{:?}",
        codes(&sim)
    );
}

/// `HostUpdatesChecker`: a check already running gives 886; a host whose status is not
/// eligible (`VDSStatus.isEligibleForOnDemandCheckUpdates`: install_failed) gives 887 and no 885.
#[test]
fn a_second_check_gives_886_and_an_install_failed_host_gives_887_without_885() {
    let mut sim = simulator("standalone-local", "install-fail:host2");
    let host = host_id(&sim, "host1");
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(codes(&sim)[codes(&sim).len() - 4..], [884, 884, 886, 885]);

    let failed = host_id(&sim, "host2");
    sim.publish_host_update(PackageVersion::new("4.30.52-1.el7ev"));
    sim.host_action(failed, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    upgrade(&mut sim, failed, true).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(failed).unwrap().status, HostStatus::InstallFailed);
    sim.host_action(failed, HostAction::UpgradeCheck)
        .expect("the REST call passes ActionUtils");
    run_until_idle(&mut sim);
    assert!(codes(&sim).ends_with(&[884, 887]), "{:?}", codes(&sim));
}

/// `MaintenanceNumberOfVdssCommand.validate`: preparing hosts may be asked again (the
/// evacuation is re-run); running VMs with no other up host in the cluster are refused at once.
#[test]
fn maintenance_may_be_asked_again_while_preparing_and_needs_another_up_host() {
    let mut sim = simulator("standalone-local", "migration-fail:web1");
    let host1 = host_id(&sim, "host1");
    deactivate(&mut sim, host1).unwrap();
    sim.advance_to(sim.now().plus_millis(60_000));
    assert_eq!(
        sim.host(host1).unwrap().status,
        HostStatus::PreparingForMaintenance
    );
    deactivate(&mut sim, host1).expect("asked again while preparing");
    assert_eq!(
        events_of(&sim, 120).len(),
        1,
        "the first attempt failed towards its destination"
    );

    let mut sim = simulator("standalone-local", "");
    let (host2, host3) = (host_id(&sim, "host2"), host_id(&sim, "host3"));
    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    deactivate(&mut sim, host3).unwrap();
    run_until_idle(&mut sim);
    let (status, detail) = refusal(deactivate(&mut sim, host1));
    assert_eq!(status, 409);
    assert!(
        detail.contains("no available hosts in cluster Default"),
        "{detail}"
    );
}

/// `BackendHostResource.deactivate` and `MaintenanceNumberOfVdssCommand.validateGlusterParams`:
/// gluster's heal checks run only when the gluster service is to be stopped.
#[test]
fn gluster_checks_run_only_when_the_gluster_service_is_stopped() {
    let mut sim = simulator("hyperconverged", "");
    let host = sim
        .inventory()
        .hosts
        .iter()
        .find(|h| {
            !sim.inventory()
                .vms
                .iter()
                .any(|v| v.hosted_engine && v.host == Some(h.id))
        })
        .unwrap()
        .id;
    let (status, detail) = refusal(sim.host_action(
        host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: true,
        },
    ));
    assert_eq!(status, 409);
    assert!(
        detail.contains("unsynced entries") && detail.contains("vmstore"),
        "{detail}"
    );
    deactivate(&mut sim, host).expect("without stop_gluster_service the heals are not checked");
}

/// `MaintenanceVdsCommand` and `MigrateMultipleVmsCommand`: every VM is launched at once as a
/// system-initiated migration (67), and 620 (no reason) is logged when they are launched.
#[test]
fn an_evacuation_launches_every_vm_at_once_and_logs_620_at_launch() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let host1 = inventory
        .hosts
        .iter()
        .find(|h| h.name == "host1")
        .unwrap()
        .id;
    for vm in &mut inventory.vms {
        if vm.name != "mail" {
            vm.host = Some(host1);
            vm.status = VmStatus::Up;
        }
    }
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    deactivate(&mut sim, host1).unwrap();
    let launched = events_of(&sim, 67);
    assert_eq!(launched.len(), 3, "web1, web2 and build leave together");
    assert!(
        launched[0]
            .description
            .contains("Reason: Host preparing for maintenance"),
        "{}",
        launched[0].description
    );
    assert_eq!(codes(&sim).last(), Some(&620));
    assert_eq!(
        sim.host(host1).unwrap().status,
        HostStatus::PreparingForMaintenance
    );
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host1).unwrap().status, HostStatus::Maintenance);
    assert_eq!(
        events_of(&sim, 620).len(),
        1,
        "nothing more is logged on reaching maintenance"
    );
    assert_clean(&sim);
}

/// `MigrateMultipleVmsCommand.executeCommand` fails when a VM has no destination:
/// `MaintenanceVdsCommand` then logs 602 for a user's request, and the monitor tries again after
/// `HostPreparingForMaintenanceIdleTime` (`VdsEventListener.handleVdsMaintenanceTimeout`).
#[test]
fn an_evacuation_that_cannot_place_a_vm_logs_602_and_tries_again_after_300_seconds() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let web1 = inventory.vms.iter_mut().find(|v| v.name == "web1").unwrap();
    web1.memory = 126 << 30;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let host1 = host_id(&sim, "host1");
    deactivate(&mut sim, host1).unwrap();
    assert_eq!(codes(&sim).last(), Some(&602));
    assert_eq!(events_of(&sim, 67).len(), 0);
    sim.advance_to(sim.now().plus_millis(299_000));
    assert_eq!(events_of(&sim, 17).len(), 0);
    sim.advance_to(sim.now().plus_millis(2_000));
    assert_eq!(
        events_of(&sim, 17).len(),
        1,
        "the retry is internal and fails the same way"
    );
    assert_eq!(
        sim.host(host1).unwrap().status,
        HostStatus::PreparingForMaintenance
    );
}

/// `MigrateVmToServerCommand.rerun` and `getAuditLogForMigrationFailure`: a migration to a named
/// host that fails is reported as 120 and not tried elsewhere.
#[test]
fn a_migration_to_a_named_host_fails_with_120_and_is_not_retried() {
    let mut sim = simulator("standalone-local", "migration-fail:web1");
    let (web1, host2) = (vm_id(&sim, "web1"), host_id(&sim, "host2"));
    sim.vm_action(
        web1,
        VmAction::Migrate {
            host: Some(host2),
            force: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(events_of(&sim, 62).len(), 1);
    assert_eq!(events_of(&sim, 120).len(), 1);
    assert!(events_of(&sim, 65).is_empty());
    assert_eq!(sim.vm(web1).unwrap().host, Some(host_id(&sim, "host1")));

    let mut sim = simulator("standalone-local", "migration-fail:web1");
    sim.vm_action(
        web1,
        VmAction::Migrate {
            host: None,
            force: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(
        events_of(&sim, 65).len(),
        1,
        "a scheduled migration reports 65"
    );
}

/// `VmValidator.canMigrate`: Up, PoweringUp, Paused and RebootInProgress VMs may migrate.
#[test]
fn a_rebooting_vm_may_migrate() {
    let mut sim = simulator("standalone-local", "");
    let (web1, host2) = (vm_id(&sim, "web1"), host_id(&sim, "host2"));
    sim.vm_action(web1, VmAction::Reboot).unwrap();
    assert_eq!(sim.vm(web1).unwrap().status, VmStatus::RebootInProgress);
    sim.vm_action(
        web1,
        VmAction::Migrate {
            host: Some(host2),
            force: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    let vm = sim.vm(web1).unwrap();
    assert_eq!((vm.status, vm.host), (VmStatus::Up, Some(host2)));
    assert_clean(&sim);
}

/// `StopVmCommandBase.validate` accepts any running status (`VMStatus.isRunning`), migrating
/// included; the migration is abandoned.
#[test]
fn a_migrating_vm_may_be_stopped() {
    let mut sim = simulator("standalone-local", "");
    let (web1, host2) = (vm_id(&sim, "web1"), host_id(&sim, "host2"));
    sim.vm_action(
        web1,
        VmAction::Migrate {
            host: Some(host2),
            force: false,
        },
    )
    .unwrap();
    sim.vm_action(web1, VmAction::Stop)
        .expect("stopping a migrating VM is allowed");
    run_until_idle(&mut sim);
    assert_eq!(sim.vm(web1).unwrap().status, VmStatus::Down);
    assert!(events_of(&sim, 63).is_empty());
    assert_clean(&sim);
}

/// `SetHaMaintenanceCommand` through vdsm on the engine VM's host; each host shows the flag
/// after its next statistics poll, so a host the engine does not poll keeps the old one.
#[test]
fn global_maintenance_shows_per_host_after_a_poll_and_stays_stale_on_hosts_not_polled() {
    let mut inventory = scenario::load("example:self-hosted").unwrap();
    let engine_host = inventory
        .vms
        .iter()
        .find(|v| v.hosted_engine)
        .unwrap()
        .host
        .unwrap();
    // A hosted-engine host the engine cannot reach is not polled.
    let unreachable = inventory
        .hosts
        .iter_mut()
        .find(|h| h.id != engine_host && h.hosted_engine.is_some())
        .unwrap();
    unreachable.status = HostStatus::NonResponsive;
    let spare = unreachable.id;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let engine_vm = vm_id(&sim, "HostedEngine");
    sim.vm_action(engine_vm, VmAction::GlobalMaintenance { enabled: true })
        .unwrap();
    assert!(
        !sim.host(engine_host)
            .unwrap()
            .hosted_engine
            .unwrap()
            .global_maintenance,
        "not before the poll"
    );
    sim.advance_to(
        sim.now()
            .plus_millis(SimConfig::default().stats_poll_ms as i64),
    );
    assert!(
        sim.host(engine_host)
            .unwrap()
            .hosted_engine
            .unwrap()
            .global_maintenance
    );
    assert!(
        !sim.host(spare)
            .unwrap()
            .hosted_engine
            .unwrap()
            .global_maintenance,
        "stale on a host not polled"
    );
    assert_eq!(events_of(&sim, 10450).len(), 1);
}

/// Not confirmed against a real engine: what `SetHaMaintenanceCommand` answers when the engine
/// VM's host is not up. The simulator refuses (409) and logs 10451.
#[test]
fn global_maintenance_is_refused_when_the_engine_vms_host_is_not_up() {
    let mut inventory = scenario::load("example:self-hosted").unwrap();
    let engine_host = inventory
        .vms
        .iter()
        .find(|v| v.hosted_engine)
        .unwrap()
        .host
        .unwrap();
    inventory
        .hosts
        .iter_mut()
        .find(|h| h.id == engine_host)
        .unwrap()
        .status = HostStatus::NonOperational;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let (status, _) = refusal(sim.vm_action(
        vm_id(&sim, "HostedEngine"),
        VmAction::GlobalMaintenance { enabled: true },
    ));
    assert_eq!(status, 409);
    assert_eq!(events_of(&sim, 10451).len(), 1);
}

/// vdsm `host/api.py _getHaInfo`: `hosted_engine/active` is the HA agent being alive, on every
/// hosted-engine host that runs, not only where the engine VM is.
#[test]
fn hosted_engine_active_means_the_ha_agent_is_alive() {
    let mut sim = with_update("self-hosted", "");
    let engine_vm = vm_id(&sim, "HostedEngine");
    let engine_host = sim.vm(engine_vm).unwrap().host.unwrap();
    let he_hosts: Vec<HostId> = sim
        .inventory()
        .hosts
        .iter()
        .filter(|h| h.hosted_engine.is_some())
        .map(|h| h.id)
        .collect();
    assert!(he_hosts.len() > 1);
    assert!(he_hosts
        .iter()
        .all(|&h| sim.host(h).unwrap().hosted_engine.unwrap().active));
    let other = *he_hosts.iter().find(|&&h| h != engine_host).unwrap();
    upgrade(&mut sim, other, true).unwrap();
    while sim.host(other).unwrap().status != HostStatus::Reboot {
        let next = sim.next_due().unwrap();
        sim.advance_to(next);
    }
    assert!(
        !sim.host(other).unwrap().hosted_engine.unwrap().active,
        "no agent while the host reboots"
    );
}

/// `ClusterValidator` / `UpdateClusterCommand.validate`: hosts up or preparing for maintenance
/// that cannot run the level refuse it, and so does a cluster where no host supports it; both
/// are 400s.
#[test]
fn a_level_is_refused_for_preparing_hosts_that_lack_it_and_when_no_host_has_it() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    for host in &mut inventory.hosts {
        host.supported_levels.retain(|&l| l <= Level::new(4, 3));
    }
    inventory.manager.version = "4.4.10".parse().unwrap();
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let cluster = sim.inventory().clusters[0].id;
    let to_4_4 = ClusterUpdate {
        version: Some(Level::new(4, 4)),
        scheduling_policy: None,
    };
    let (status, detail) = refusal(sim.update_cluster(cluster, to_4_4.clone()));
    assert_eq!(status, 400);
    // AppErrors' CLUSTER_CANNOT_UPDATE_COMPATIBILITY_VERSION_WITH_LOWER_HOSTS, with ${host}.
    assert!(
        detail.contains("Cannot change Cluster Compatibility Version to higher version when there are active Hosts with lower version.\n-Please move Host host1, host2, host3 with lower version to maintenance first."),
        "{detail}"
    );
    for name in ["host1", "host2", "host3"] {
        let host = host_id(&sim, name);
        let _ = sim.host_action(
            host,
            HostAction::Deactivate {
                reason: None,
                stop_gluster_service: false,
            },
        );
    }
    let (status, detail) = refusal(sim.update_cluster(cluster, to_4_4));
    assert_eq!(status, 400);
    assert!(
        detail.contains("active Hosts with lower version") || detail.contains("none of the Hosts"),
        "{detail}"
    );
}

/// `HandleVdsVersionCommand`: a host activated into a cluster whose level it cannot run goes
/// non-operational (154).
#[test]
fn a_host_activated_into_a_level_it_cannot_run_goes_non_operational() {
    let mut sim = simulator("standalone-local", "");
    let host2 = host_id(&sim, "host2");
    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    let mut inventory = sim.inventory().clone();
    inventory
        .hosts
        .iter_mut()
        .find(|h| h.id == host2)
        .unwrap()
        .supported_levels = vec![Level::new(4, 2)];
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    sim.host_action(host2, HostAction::Activate).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host2).unwrap().status, HostStatus::NonOperational);
    let event = &events_of(&sim, 154)[0];
    assert!(
        event
            .description
            .contains("cannot join Cluster Default which is set to version 4.3"),
        "{}",
        event.description
    );
}

/// `UpdateStoragePoolCommand`: a data-center level above a cluster's is a 400; suspended VMs
/// block only when they would resume at an older level.
#[test]
fn a_data_center_level_is_held_back_only_by_clusters_and_older_suspended_vms() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    inventory.data_centers[0].version = Level::new(4, 2);
    inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "web1")
        .unwrap()
        .status = VmStatus::Suspended;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let dc = sim.inventory().data_centers[0].id;
    let (status, _) = refusal(sim.update_data_center(dc, Level::new(4, 4)));
    assert_eq!(status, 400, "above the cluster's 4.3");
    sim.update_data_center(dc, Level::new(4, 3))
        .expect("a suspended VM at the cluster's level does not block");
}

/// `BackendClusterResource.upgrade` first appears in ovirt-engine 4.3.3: an older engine has
/// no such action (the HTTP layer answers 404).
#[test]
fn engines_before_4_3_3_have_no_cluster_upgrade_action() {
    let mut sim = simulator("rhv-4.2", "");
    let cluster = sim.inventory().clusters[0].id;
    assert!(matches!(
        sim.cluster_upgrade(cluster, ClusterUpgrade::Start, None),
        Err(EngineError::NotFound { .. })
    ));
    sim.set_manager_version("4.3.3".parse().unwrap()).unwrap();
    sim.cluster_upgrade(cluster, ClusterUpgrade::Start, None)
        .unwrap();
}
