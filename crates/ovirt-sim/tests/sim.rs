//! The simulated engine behaves like the engine: status sequences, refusals, events, and a
//! history that passes the invariant checks.

mod conformance;
mod http;

use model::engine::{
    ClusterUpdate, ClusterUpgrade, Engine, EngineError, Event, ExternalSource, HostAction,
    Severity, VmAction,
};
use model::*;
use ovirt_sim::invariants::Transition;
use ovirt_sim::{ExternalEvent, Faults, SimConfig, SimEngine, Simulator};

const START: Timestamp = Timestamp::from_millis(1_768_046_400_000);

fn simulator(example: &str, faults: &str) -> Simulator {
    let inventory = scenario::load(&format!("example:{example}")).unwrap();
    Simulator::new(
        inventory,
        SimConfig::default(),
        faults.parse().unwrap(),
        7,
        START,
    )
}

fn host_id(sim: &Simulator, name: &str) -> HostId {
    sim.inventory()
        .hosts
        .iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("no host {name}"))
        .id
}

fn vm_id(sim: &Simulator, name: &str) -> VmId {
    sim.inventory()
        .vms
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no VM {name}"))
        .id
}

fn run_until_idle(sim: &mut Simulator) {
    while let Some(next) = sim.next_due() {
        sim.advance_to(next);
    }
}

fn host_statuses(sim: &Simulator, host: HostId) -> Vec<HostStatus> {
    let mut statuses = vec![];
    for (_, t) in &sim.history().transitions {
        if let Transition::Host { host: h, from, to } = t {
            if *h == host {
                if statuses.is_empty() {
                    statuses.push(*from);
                }
                statuses.push(*to);
            }
        }
    }
    statuses
}

fn codes(sim: &Simulator) -> Vec<u32> {
    let mut codes: Vec<u32> = sim.events(None).iter().map(|e| e.code).collect();
    codes.reverse();
    codes
}

fn assert_clean(sim: &Simulator) {
    let violations = sim.history().check(sim.inventory(), sim.now());
    assert!(violations.is_empty(), "{violations:#?}");
}

fn refusal(result: Result<(), EngineError>) -> (u16, String) {
    match result {
        Err(EngineError::Refused { status, detail, .. }) => (status, detail),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_host_upgrade_goes_through_maintenance_and_comes_back_up() {
    let mut sim = simulator("standalone-local", "");
    let host = host_id(&sim, "host1");
    sim.publish_host_update(PackageVersion::new("4.30.52-1.el7ev"));
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    assert!(sim.host(host).unwrap().update_available);
    // `HostUpdatesChecker`: the packages (843) are logged before the check's end (885).
    assert!(codes(&sim).ends_with(&[884, 843, 885]));

    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: true,
            timeout_minutes: None,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    use HostStatus::*;
    // `SshHostRebootCommand.getStatusAfterReboot`: non-responsive until the monitor reaches it.
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
    let h = sim.host(host).unwrap();
    assert!(!h.update_available);
    assert_eq!(h.packages["vdsm"].as_str(), "4.30.52-1.el7ev");
    let codes = codes(&sim);
    for code in [840, 67, 63, 15, 888] {
        assert!(codes.contains(&code), "event {code} in {codes:?}");
    }
    assert!(sim
        .events(None)
        .iter()
        .any(|e| e.code == 888 && e.description.contains("host1")));
    assert!(
        sim.inventory()
            .vms
            .iter()
            .all(|v| v.host != Some(host) || !v.is_running()),
        "the host was emptied"
    );
    assert_clean(&sim);
}

#[test]
fn a_host_upgraded_from_maintenance_returns_to_maintenance_without_reboot() {
    let mut sim = simulator("standalone-local", "");
    let host = host_id(&sim, "host1");
    sim.host_action(
        host,
        HostAction::Deactivate {
            reason: Some("patching".into()),
            stop_gluster_service: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Maintenance);
    assert!(sim
        .events(None)
        .iter()
        .any(|e| e.code == 600 && e.description.contains("Reason: patching")));
    let (status, detail) = refusal(sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: false,
            timeout_minutes: None,
        },
    ));
    assert_eq!(status, 409);
    assert!(detail.contains("no available updates"), "{detail}");

    let (_, detail) = refusal(sim.host_action(
        host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    ));
    assert!(detail.contains("already in Maintenance"), "{detail}");

    sim.publish_host_update(PackageVersion::new("4.30.60-1.el7ev"));
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: false,
            timeout_minutes: None,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Maintenance);
    assert!(codes(&sim).contains(&842));
    sim.host_action(host, HostAction::Activate).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Up);
    assert_clean(&sim);
}

#[test]
fn maintenance_is_refused_for_pinned_vms_and_upgrades_for_user_migratable_ones() {
    let mut sim = simulator("pinned-and-ha", "");
    let pinned_host = sim.vm(vm_id(&sim, "sap-hana")).unwrap().host.unwrap();
    let (status, detail) = refusal(sim.host_action(
        pinned_host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    ));
    assert_eq!(status, 409);
    assert!(
        detail.contains("non-migratable") && detail.contains("sap-hana"),
        "{detail}"
    );

    let license = vm_id(&sim, "license-server");
    let host = sim.vm(license).unwrap().host.unwrap();
    let pinned_here: Vec<VmId> = sim
        .inventory()
        .vms
        .iter()
        .filter(|v| v.host == Some(host) && v.affinity == Affinity::Pinned)
        .map(|v| v.id)
        .collect();
    for vm in pinned_here {
        sim.vm_action(vm, VmAction::Shutdown).unwrap();
    }
    run_until_idle(&mut sim);
    sim.publish_host_update(PackageVersion::new("4.50.7-1.el8"));
    sim.host_action(host, HostAction::UpgradeCheck).unwrap();
    run_until_idle(&mut sim);
    // `UpgradeHostCommand` answers at once; its internal maintenance then refuses the
    // user_migratable VM, and the engine logs 17 and 841 (`HostUpgradeCallback`).
    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: true,
            timeout_minutes: None,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert!(codes(&sim).ends_with(&[840, 17, 841]), "{:?}", codes(&sim));
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Up);
    assert!(
        sim.host(host).unwrap().update_available,
        "the updates are still there"
    );
    assert_eq!(sim.vm(license).unwrap().host, Some(host));

    // A user's own maintenance migrates user_migratable VMs.
    sim.host_action(
        host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Maintenance);
    assert_ne!(sim.vm(license).unwrap().host, Some(host));
    assert_clean(&sim);
}

#[test]
fn migrations_follow_the_engine_rules() {
    let mut sim = simulator("pinned-and-ha", "");
    let (_, detail) = refusal(sim.vm_action(
        vm_id(&sim, "sap-hana"),
        VmAction::Migrate {
            host: None,
            force: true,
        },
    ));
    assert!(detail.contains("pinned to Host"), "{detail}");
    let license = vm_id(&sim, "license-server");
    let (_, detail) = refusal(sim.vm_action(
        license,
        VmAction::Migrate {
            host: None,
            force: false,
        },
    ));
    assert!(detail.contains("force-migration flag"), "{detail}");
    sim.vm_action(
        license,
        VmAction::Migrate {
            host: None,
            force: true,
        },
    )
    .unwrap();
    let (_, detail) = refusal(sim.vm_action(
        license,
        VmAction::Migrate {
            host: None,
            force: true,
        },
    ));
    assert!(detail.contains("migration is in progress"), "{detail}");
    run_until_idle(&mut sim);

    // An explicit destination without the memory is refused with the scheduler's reason.
    let hana_host = sim.vm(vm_id(&sim, "sap-hana")).unwrap().host.unwrap();
    let big = sim
        .inventory()
        .vms
        .iter()
        .find(|v| v.name == "compute-vm05")
        .unwrap()
        .clone();
    let free = sim.host(hana_host).unwrap().max_scheduling_memory;
    if free < big.memory + ovirt_sim::placement::VM_OVERHEAD {
        let (_, detail) = refusal(sim.vm_action(
            big.id,
            VmAction::Migrate {
                host: Some(hana_host),
                force: false,
            },
        ));
        assert!(detail.contains("filter Memory"), "{detail}");
    }
    assert_clean(&sim);
}

#[test]
fn faults_fail_installs_and_keep_hosts_away() {
    let mut sim = simulator("standalone-local", "install-fail:host2,never-return:host3");
    for name in ["host2", "host3"] {
        let host = host_id(&sim, name);
        sim.publish_host_update(PackageVersion::new("4.30.60-1.el7ev"));
        sim.host_action(host, HostAction::UpgradeCheck).unwrap();
        run_until_idle(&mut sim);
        sim.host_action(
            host,
            HostAction::Upgrade {
                reboot: true,
                timeout_minutes: None,
            },
        )
        .unwrap();
        run_until_idle(&mut sim);
    }
    assert_eq!(
        sim.host(host_id(&sim, "host2")).unwrap().status,
        HostStatus::InstallFailed
    );
    assert!(sim
        .events(None)
        .iter()
        .any(|e| e.code == 841 && e.description.contains("host2")));
    assert_eq!(
        sim.host(host_id(&sim, "host3")).unwrap().status,
        HostStatus::NonResponsive
    );
    assert_clean(&sim);
}

#[test]
fn raising_a_cluster_level_leaves_running_vms_pending_until_restarted() {
    let mut sim = simulator("standalone-local", "");
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    let cluster = sim.inventory().clusters[0].id;
    let dc = sim.inventory().data_centers[0].id;
    let (_, detail) = refusal(sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: Some(Level::new(4, 4)),
            scheduling_policy: None,
        },
    ));
    assert!(
        detail.contains("active Hosts with lower version"),
        "EL7 hosts cannot run level 4.4: {detail}"
    );

    for host in sim
        .inventory()
        .hosts
        .iter()
        .map(|h| h.id)
        .collect::<Vec<_>>()
    {
        let levels = release::release(Level::new(4, 4))
            .unwrap()
            .all_cluster_levels()
            .to_vec();
        // Reinstalled on EL8, as the guide does host by host.
        sim_host_reinstalled(&mut sim, host, levels);
    }
    let (_, detail) = refusal(sim.update_data_center(dc, Level::new(4, 4)));
    assert!(
        detail.contains("The following clusters should be upgraded: Default"),
        "{detail}"
    );
    sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: Some(Level::new(4, 4)),
            scheduling_policy: None,
        },
    )
    .unwrap();
    let web1 = vm_id(&sim, "web1");
    assert!(sim.vm(web1).unwrap().next_run_pending);
    assert_eq!(
        sim.vm(web1).unwrap().custom_compatibility_version,
        Some(Level::new(4, 3))
    );
    assert!(
        !sim.vm(vm_id(&sim, "build")).unwrap().next_run_pending,
        "a stopped VM takes the level at its next start"
    );
    sim.update_data_center(dc, Level::new(4, 4)).unwrap();
    let (_, detail) = refusal(sim.update_data_center(dc, Level::new(4, 3)));
    assert!(detail.contains("Cannot decrease"), "{detail}");

    sim.vm_action(web1, VmAction::Reboot).unwrap();
    run_until_idle(&mut sim);
    let vm = sim.vm(web1).unwrap();
    assert!(!vm.next_run_pending && vm.custom_compatibility_version.is_none());
    assert_clean(&sim);
}

/// Stands in for the guide's reinstall of a host on the new OS.
fn sim_host_reinstalled(sim: &mut Simulator, host: HostId, levels: Vec<Level>) {
    let mut inventory = sim.inventory().clone();
    let h = inventory.hosts.iter_mut().find(|h| h.id == host).unwrap();
    h.supported_levels = levels;
    *sim = Simulator::new(
        inventory,
        SimConfig::default(),
        Faults::default(),
        7,
        sim.now(),
    );
}

#[test]
fn previewed_snapshots_block_a_level_change() {
    let mut sim = simulator("pinned-and-ha", "");
    let cluster = sim.inventory().clusters[0].id;
    sim.set_manager_version("4.5.6".parse().unwrap()).unwrap();
    let (_, detail) = refusal(sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: Some(Level::new(4, 7)),
            scheduling_policy: None,
        },
    ));
    assert!(
        detail.contains("active Hosts with lower version"),
        "{detail}"
    );
    let levels = release::release(Level::new(4, 5))
        .unwrap()
        .all_cluster_levels()
        .to_vec();
    for host in sim
        .inventory()
        .hosts
        .iter()
        .map(|h| h.id)
        .collect::<Vec<_>>()
    {
        sim_host_reinstalled(&mut sim, host, levels.clone());
    }
    sim.set_manager_version("4.5.6".parse().unwrap()).unwrap();
    let (_, detail) = refusal(sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: Some(Level::new(4, 7)),
            scheduling_policy: None,
        },
    ));
    assert!(
        detail.contains("previewing a snapshot") && detail.contains("erp-test"),
        "{detail}"
    );
}

#[test]
fn global_maintenance_goes_through_the_hosted_engine_vm_only() {
    let mut sim = simulator("self-hosted", "");
    let (status, detail) = refusal(sim.vm_action(
        vm_id(&sim, "app-ha"),
        VmAction::GlobalMaintenance { enabled: true },
    ));
    assert_eq!(status, 400);
    assert!(
        detail.contains("only available for the VM containing the hosted engine"),
        "{detail}"
    );
    let poll = SimConfig::default().stats_poll_ms as i64;
    sim.vm_action(
        vm_id(&sim, "HostedEngine"),
        VmAction::GlobalMaintenance { enabled: true },
    )
    .unwrap();
    sim.advance_to(sim.now().plus_millis(poll));
    assert!(sim
        .inventory()
        .hosts
        .iter()
        .filter_map(|h| h.hosted_engine)
        .all(|he| he.global_maintenance));
    sim.vm_action(
        vm_id(&sim, "HostedEngine"),
        VmAction::GlobalMaintenance { enabled: false },
    )
    .unwrap();
    sim.advance_to(sim.now().plus_millis(poll));
    assert!(sim
        .inventory()
        .hosts
        .iter()
        .filter_map(|h| h.hosted_engine)
        .all(|he| !he.global_maintenance));
    assert!(codes(&sim).ends_with(&[10450, 10450]));
}

/// The statuses a VM went through, first to last.
fn vm_statuses(sim: &Simulator, vm: VmId) -> Vec<VmStatus> {
    let mut statuses = vec![];
    for (_, t) in &sim.history().transitions {
        if let Transition::Vm {
            vm: v, from, to, ..
        } = t
        {
            if *v == vm && from != to {
                if statuses.is_empty() {
                    statuses.push(*from);
                }
                statuses.push(*to);
            }
        }
    }
    statuses
}

#[test]
fn the_manager_vm_boots_afresh_once_global_maintenance_ends() {
    use VmStatus::*;
    let mut sim = simulator("self-hosted", "");
    let engine_vm = vm_id(&sim, "HostedEngine");
    sim.vm_action(engine_vm, VmAction::GlobalMaintenance { enabled: true })
        .unwrap();
    let (_, detail) = refusal(sim.update_manager("4.3.6".parse().unwrap()));
    assert!(detail.contains("never downgraded"), "{detail}");
    sim.update_manager("4.4.10".parse().unwrap()).unwrap();
    assert_eq!(sim.inventory().manager.version, "4.4.10".parse().unwrap());
    run_until_idle(&mut sim);
    assert_eq!(
        sim.vm(engine_vm).unwrap().status,
        Down,
        "in global maintenance the HA agents leave it down"
    );
    // `active` is the HA agent being alive (vdsm `_getHaInfo`), not running the VM.
    assert!(sim
        .inventory()
        .hosts
        .iter()
        .filter_map(|h| h.hosted_engine)
        .all(|he| he.active));

    sim.vm_action(engine_vm, VmAction::GlobalMaintenance { enabled: false })
        .unwrap();
    let config = SimConfig::default();
    sim.advance_to(
        sim.now()
            .plus_millis((config.ha_agent_ms + config.vm_start_ms + 1_000) as i64),
    );
    assert_eq!(
        sim.vm(engine_vm).unwrap().status,
        PoweringUp,
        "the VM runs; the Manager is not answering yet"
    );
    run_until_idle(&mut sim);
    let vm = sim.vm(engine_vm).unwrap();
    assert_eq!(vm.status, Up);
    assert_eq!(
        vm_statuses(&sim, engine_vm),
        [Up, PoweringDown, Down, WaitForLaunch, PoweringUp, Up]
    );
    assert!(
        sim.inventory()
            .hosts
            .iter()
            .any(|h| Some(h.id) == vm.host && h.hosted_engine.is_some()),
        "it runs on a hosted-engine host"
    );
    assert_clean(&sim);
}

#[test]
fn a_vm_that_will_not_start_again_ends_down_and_says_so() {
    let mut sim = simulator("self-hosted", "start-fail:app-ha");
    let vm = vm_id(&sim, "app-ha");
    sim.vm_action(vm, VmAction::Reboot).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.vm(vm).unwrap().status, VmStatus::Down);
    assert!(sim
        .events(None)
        .iter()
        .any(|e| e.code == 119 && e.description.contains("app-ha")));
    sim.vm_action(vm, VmAction::Start).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.vm(vm).unwrap().status, VmStatus::Down);
    assert!(sim
        .events(None)
        .iter()
        .any(|e| e.code == 54 && e.description.contains("app-ha")));
    assert_clean(&sim);
}

#[test]
fn a_host_whose_first_install_fails_succeeds_the_second_time() {
    let mut sim = simulator("self-hosted", "install-fail-once:dev-host01");
    sim.publish_host_update(PackageVersion::new("4.30.60-1.el7ev"));
    let host = host_id(&sim, "dev-host01");
    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: true,
            timeout_minutes: None,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::InstallFailed);
    sim.host_action(host, HostAction::Activate).unwrap();
    run_until_idle(&mut sim);
    sim.host_action(
        host,
        HostAction::Upgrade {
            reboot: true,
            timeout_minutes: None,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Up);
    assert!(!sim.host(host).unwrap().update_available);
    assert_clean(&sim);
}

#[test]
fn the_engine_refuses_levels_it_cannot_give_the_vms() {
    // The pinned-and-ha cluster one level lower, its preview committed.
    let at_4_5 = |faults: &str, custom: Option<Level>| {
        let mut inventory = scenario::load("example:pinned-and-ha").unwrap();
        inventory.clusters[0].version = Level::new(4, 5);
        inventory.data_centers[0].version = Level::new(4, 5);
        let erp = inventory
            .vms
            .iter_mut()
            .find(|v| v.name == "erp-test")
            .unwrap();
        erp.snapshots.clear();
        erp.custom_compatibility_version = custom;
        Simulator::new(
            inventory,
            SimConfig::default(),
            faults.parse().unwrap(),
            7,
            START,
        )
    };
    let to_4_6 = ClusterUpdate {
        version: Some(Level::new(4, 6)),
        scheduling_policy: None,
    };
    let mut sim = at_4_5("refuse-level:compute", None);
    let cluster = sim.inventory().clusters[0].id;
    let (status, detail) = refusal(sim.update_cluster(cluster, to_4_6.clone()));
    // CLUSTER_CANNOT_UPDATE_CLUSTER_FAILED_TO_UPDATE_VMS is an internal error: 500.
    assert_eq!(status, 500);
    assert!(
        detail.contains("updating the VMs and templates of cluster compute failed"),
        "{detail}"
    );

    let mut sim = at_4_5("", Some(Level::new(4, 1)));
    let (_, detail) = refusal(sim.update_cluster(cluster, to_4_6.clone()));
    assert!(
        detail.contains("erp-test (4.1)") && detail.contains("Custom Compatibility Version"),
        "{detail}"
    );

    let mut sim = at_4_5("", None);
    sim.update_cluster(cluster, to_4_6).unwrap();
    assert_eq!(sim.inventory().clusters[0].version, Level::new(4, 6));
}

#[test]
fn suspended_vms_hold_a_data_center_back() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    inventory.data_centers[0].version = Level::new(4, 2);
    let web1 = inventory.vms.iter_mut().find(|v| v.name == "web1").unwrap();
    web1.status = VmStatus::Suspended;
    web1.custom_compatibility_version = Some(Level::new(4, 2));
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let dc = sim.inventory().data_centers[0].id;
    let (_, detail) = refusal(sim.update_data_center(dc, Level::new(4, 3)));
    assert!(
        detail.contains("suspended") && detail.contains("web1"),
        "{detail}"
    );
}

#[test]
fn the_hosted_engine_host_needs_a_spare() {
    let mut sim = simulator("self-hosted", "");
    let he_host = sim.vm(vm_id(&sim, "HostedEngine")).unwrap().host.unwrap();
    let spares: Vec<HostId> = sim
        .inventory()
        .hosts
        .iter()
        .filter(|h| h.hosted_engine.is_some() && h.id != he_host)
        .map(|h| h.id)
        .collect();
    for spare in &spares {
        sim.host_action(
            *spare,
            HostAction::Deactivate {
                reason: None,
                stop_gluster_service: false,
            },
        )
        .unwrap();
    }
    run_until_idle(&mut sim);
    let (_, detail) = refusal(sim.host_action(
        he_host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    ));
    assert!(
        detail.contains("capable of running the engine VM"),
        "{detail}"
    );
    sim.host_action(spares[0], HostAction::Activate).unwrap();
    run_until_idle(&mut sim);
    sim.host_action(
        he_host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(
        sim.vm(vm_id(&sim, "HostedEngine")).unwrap().host,
        Some(spares[0]),
        "the engine VM moves to the only HE host up"
    );
    assert_clean(&sim);
}

#[test]
/// Engine `StartClusterUpgradeCommand` / `UpdateClusterUpgradeCommand` /
/// `FinishClusterUpgradeCommand` (4.5): a second start fails with event 893 and 400;
/// `update_progress` always compares correlation ids (without one given, the engine's own
/// for the command never matches); `finish` always succeeds (`ClearClusterUpgradeRunning`).
fn the_cluster_upgrade_flag_starts_once() {
    let mut sim = simulator("standalone-local", "");
    sim.set_manager_version(Version::new(4, 5, 6)).unwrap();
    let cluster = sim.inventory().clusters[0].id;
    sim.cluster_upgrade(cluster, ClusterUpgrade::Start, Some("corr-1"))
        .unwrap();
    assert!(sim.inventory().clusters[0].upgrade_running);
    let (status, _) = refusal(sim.cluster_upgrade(cluster, ClusterUpgrade::Start, None));
    assert_eq!(status, 400);
    assert_eq!(
        codes(&sim).last(),
        Some(&893),
        "a refused start is logged as USER_START_CLUSTER_UPGRADE_FAILED"
    );
    sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 40 },
        Some("corr-1"),
    )
    .unwrap();
    assert_eq!(sim.cluster_upgrade_state(cluster), (40, Some("corr-1")));
    refusal(sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 50 },
        Some("other"),
    ));
    let (status, detail) = refusal(sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 50 },
        None,
    ));
    assert_eq!(status, 400);
    assert!(detail.contains("correlation id does not match"), "{detail}");
    sim.set_correlation_id(Some("corr-1".into()));
    sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 60 },
        None,
    )
    .unwrap();
    sim.set_correlation_id(None);
    assert_eq!(
        sim.cluster_upgrade_state(cluster),
        (60, Some("corr-1")),
        "the request's Correlation-Id stands in for the body's"
    );
    refusal(sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 101 },
        Some("corr-1"),
    ));
    sim.cluster_upgrade(cluster, ClusterUpgrade::Finish, None)
        .unwrap();
    sim.cluster_upgrade(cluster, ClusterUpgrade::Finish, None)
        .unwrap();
    assert!(!sim.inventory().clusters[0].upgrade_running);
    assert_eq!(codes(&sim).iter().filter(|&&c| c == 894).count(), 2);
}

#[test]
/// Engine 4.4.10.7 `BackendClusterResource.upgrade`: anything but `start` runs
/// `FinishClusterUpgradeCommand`, and api-model 4.4.35's `ClusterUpgradeAction` has no
/// `update_progress` (its generated `fromValue` reads an unknown value as null), so
/// `update_progress` clears the flag. Not run against a real 4.4 engine.
fn an_engine_before_4_5_reads_update_progress_as_finish() {
    let mut sim = simulator("standalone-local", "");
    sim.set_manager_version(Version::new(4, 4, 10)).unwrap();
    assert!(!sim.tracks_upgrade_progress());
    let cluster = sim.inventory().clusters[0].id;
    sim.cluster_upgrade(cluster, ClusterUpgrade::Start, None)
        .unwrap();
    sim.cluster_upgrade(
        cluster,
        ClusterUpgrade::UpdateProgress { percent: 40 },
        Some("anything"),
    )
    .unwrap();
    assert!(!sim.inventory().clusters[0].upgrade_running);
    assert_eq!(codes(&sim).last(), Some(&894));
}

#[test]
/// Engine `AddExternalEventCommand`: a client's event is logged under its origin with code
/// 9801–9804 by severity; the engine's own origin `oVirt` is refused (any case), and a
/// custom id is taken once per origin (both `ErrorType.BAD_PARAMETERS`, 400).
fn external_events_take_their_origin_and_a_custom_id_once() {
    let mut sim = simulator("standalone-local", "");
    let cluster = sim.inventory().clusters[0].id;
    let event = |origin: &str, custom_id: i32, severity: Severity| ExternalEvent {
        source: ExternalSource {
            origin: origin.into(),
            custom_id,
        },
        severity,
        description: "Cluster upgrade progress: 0%".into(),
        correlation_id: None,
        host: None,
        vm: None,
        cluster: Some(cluster),
        data_center: None,
    };
    let id = sim
        .add_external_event(event("cluster_upgrade", 7, Severity::Normal))
        .unwrap();
    let logged = sim.events(None).into_iter().find(|e| e.id == id).unwrap();
    assert_eq!((logged.code, logged.cluster), (9801, Some(cluster)));
    assert_eq!(
        logged.external,
        Some(ExternalSource {
            origin: "cluster_upgrade".into(),
            custom_id: 7
        })
    );
    let (status, detail) = refusal(
        sim.add_external_event(event("cluster_upgrade", 7, Severity::Normal))
            .map(drop),
    );
    assert_eq!(status, 400);
    assert!(detail.contains("custom id already exists"), "{detail}");
    let other = sim
        .add_external_event(event("backup", 7, Severity::Alert))
        .unwrap();
    assert_eq!(sim.events(Some(other - 1))[0].code, 9804);
    let (status, detail) = refusal(
        sim.add_external_event(event("OVIRT", 8, Severity::Warning))
            .map(drop),
    );
    assert_eq!(status, 400);
    assert!(detail.contains("Illegal Origin"), "{detail}");
}

#[test]
fn events_come_newest_first_and_filter_by_id() {
    let mut sim = simulator("standalone-local", "");
    sim.host_action(
        host_id(&sim, "host2"),
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    let all = sim.events(None);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let newest = all[0].id;
    assert!(sim.events(Some(newest)).is_empty());
    assert_eq!(sim.events(Some(newest - 1)).len(), 1);
}

#[test]
fn cluster_maintenance_lets_only_ha_vms_start() {
    let mut sim = simulator("standalone-local", "");
    let cluster = sim.inventory().clusters[0].id;
    sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: None,
            scheduling_policy: Some(SchedulingPolicy::ClusterMaintenance),
        },
    )
    .unwrap();
    let (_, detail) = refusal(sim.vm_action(vm_id(&sim, "build"), VmAction::Start));
    assert!(detail.contains("ClusterInMaintenance"), "{detail}");
    sim.update_cluster(
        cluster,
        ClusterUpdate {
            version: None,
            scheduling_policy: Some(SchedulingPolicy::None),
        },
    )
    .unwrap();
    sim.vm_action(vm_id(&sim, "build"), VmAction::Start)
        .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.vm(vm_id(&sim, "build")).unwrap().status, VmStatus::Up);
    let mail = vm_id(&sim, "mail");
    sim.vm_action(mail, VmAction::Shutdown).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.vm(mail).unwrap().status, VmStatus::Down);
    assert!(codes(&sim).ends_with(&[73, 61]));
    assert_clean(&sim);
}

async fn upgrade_through_the_seam(seed: u64) -> Vec<(u32, String)> {
    let inventory = scenario::load("example:self-hosted").unwrap();
    let mut sim = Simulator::new(
        inventory,
        SimConfig::default(),
        Faults::default(),
        seed,
        START,
    );
    sim.publish_host_update(PackageVersion::new("4.30.60-1.el7ev"));
    let engine = SimEngine::new(sim, 1.0, seed);
    let inventory = engine.inventory().await.unwrap();
    let host = inventory
        .hosts
        .iter()
        .find(|h| h.name == "prod-host02")
        .unwrap()
        .id;
    engine
        .host_action(
            host,
            HostAction::Upgrade {
                reboot: true,
                timeout_minutes: None,
            },
        )
        .await
        .unwrap();
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let h = engine.host(host).await.unwrap();
        if h.status == HostStatus::Up && !h.update_available {
            break;
        }
    }
    let events = engine.events(None).await.unwrap();
    events
        .into_iter()
        .map(|e| (e.code, e.description))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_seam_runs_on_a_paused_clock_and_repeats_itself() {
    let first = upgrade_through_the_seam(3).await;
    let second = upgrade_through_the_seam(3).await;
    assert_eq!(first, second, "same seed, same history");
    assert!(first
        .iter()
        .any(|(code, text)| *code == 888 && text.contains("prod-host02")));
}

#[tokio::test(start_paused = true)]
async fn transport_faults_surface_as_transient_errors() {
    let inventory = scenario::load("example:standalone-local").unwrap();
    let sim = Simulator::new(
        inventory,
        SimConfig::default(),
        "unavailable:0.5,slow:0.2".parse().unwrap(),
        1,
        START,
    );
    let engine = SimEngine::new(sim, 1.0, 1);
    let mut failures = 0;
    for _ in 0..40 {
        match engine.events(None).await {
            Err(error) => {
                assert!(error.is_transient());
                failures += 1;
            }
            Ok(events) => assert!(!events.is_empty()),
        }
    }
    assert!((5..35).contains(&failures), "{failures} of 40 failed");
}

/// The benchmarks read a run's cost back from the history: a VM stopped and started again
/// was down from its stop to its return to up; a host taken out and back left its cluster
/// short for exactly that long.
#[test]
fn the_history_measures_a_vms_downtime_and_the_time_a_host_was_out() {
    let mut sim = simulator("standalone-local", "");
    let vm = sim
        .inventory()
        .vms
        .iter()
        .find(|v| v.is_running() && !v.hosted_engine)
        .unwrap()
        .clone();
    let config = sim.config().clone();
    sim.vm_action(vm.id, VmAction::Stop).unwrap();
    run_until_idle(&mut sim);
    let restart = START.plus_millis(60_000);
    sim.advance_to(restart);
    sim.vm_action(vm.id, VmAction::Start).unwrap();
    run_until_idle(&mut sim);
    let end = START.plus_millis(3_600_000);
    sim.advance_to(end);
    let down = sim.history().downtime_ms(vm.id, true, START, end);
    assert_eq!(
        down,
        60_000 + config.vm_start_ms as i64,
        "stop at 0, back up after the start"
    );

    let host = host_id(&sim, "host2");
    let out_at = sim.now();
    sim.host_action(
        host,
        HostAction::Deactivate {
            reason: None,
            stop_gluster_service: false,
        },
    )
    .unwrap();
    run_until_idle(&mut sim);
    let back = sim.now().plus_millis(600_000);
    sim.advance_to(back);
    sim.host_action(host, HostAction::Activate).unwrap();
    run_until_idle(&mut sim);
    let up_at = sim
        .history()
        .transitions
        .iter()
        .rev()
        .find_map(|(at, t)| {
            matches!(t, Transition::Host { host: h, to: HostStatus::Up, .. } if *h == host)
                .then_some(*at)
        })
        .unwrap();
    let finish = sim.now().plus_millis(600_000);
    sim.advance_to(finish);
    let hosts = [host, host_id(&sim, "host1")].into_iter().collect();
    assert_eq!(
        sim.history().degraded_ms(&hosts, out_at, finish),
        up_at.0 - out_at.0,
        "from the deactivation to the host's return to up; the other host never left"
    );
}
