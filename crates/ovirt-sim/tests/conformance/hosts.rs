//! Hosts removed and added, and the machines behind them reinstalled: the 4.3 → 4.4 host
//! migration (guide §1.1.8). Classes at tag `ovirt-engine-4.4.10.7` unless a test says
//! otherwise; `RemoveVdsCommand`, `AddVdsCommand` and `HostValidator` under
//! `backend/manager/modules/bll`, `BackendHostsResource` under the REST layer.

use model::engine::{NewHost, Password, SshAuthentication};
use ovirt_sim::{MachineState, Reinstall};

use super::*;

const EL8: Reinstall = Reinstall {
    os: ElVersion::new(8, 6),
    host_type: HostType::Rhel,
    engine_key: true,
};

fn root_password() -> SshAuthentication {
    SshAuthentication::Password(Password::new("s3cret"))
}

fn new_host(sim: &Simulator, name: &str, ssh: SshAuthentication) -> NewHost {
    let cluster = sim.inventory().clusters[0].id;
    NewHost::new(name, format!("{name}.example.com"), cluster, ssh)
}

/// The standalone 4.3 example with its Manager already at 4.4.10 (guide §1.1.8 starts
/// there) and `host` in maintenance, empty.
fn manager_at_4_4_with_host_in_maintenance(host: &str, faults: &str) -> (Simulator, HostId) {
    let mut sim = simulator("standalone-local", faults);
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    let id = host_id(&sim, host);
    deactivate(&mut sim, id).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(id).unwrap().status, HostStatus::Maintenance);
    (sim, id)
}

fn machine_state(sim: &Simulator, address: &str) -> MachineState {
    sim.machines()
        .iter()
        .find(|m| m.is(address))
        .unwrap()
        .state
        .clone()
}

fn added_statuses(sim: &Simulator, name: &str) -> Vec<HostStatus> {
    let id = host_id(sim, name);
    let mut statuses = vec![HostStatus::Installing];
    statuses.extend(
        sim.history()
            .transitions
            .iter()
            .filter_map(|(_, t)| match t {
                Transition::Host { host, to, .. } if *host == id => Some(*to),
                _ => None,
            }),
    );
    statuses
}

/// `RemoveVdsCommand.executeCommand`: the record goes first, then the host-remove playbook
/// runs (562, 563); the command logs 44 (`USER_REMOVE_VDS`). Then `AddVdsCommand` (42) and
/// `InstallVdsInternalCommand`: the Ansible deployment (560, 561), `SshHostRebootCommand`
/// with the `reboot` parameter (197; non-responsive once back), initializing, 504
/// (`VDS_INSTALL`), and up when the monitor reaches it (13). The machine keeps its
/// address; the new record has a new id and the levels of an EL8 host of 4.4.
#[test]
fn a_host_is_removed_reinstalled_and_added_back_as_a_4_4_host() {
    let (mut sim, old) = manager_at_4_4_with_host_in_maintenance("host3", "");
    let before = sim.events(None).first().unwrap().id;
    sim.remove_host(old, false).unwrap();
    let removal: Vec<u32> = sim
        .events(Some(before))
        .iter()
        .rev()
        .map(|e| e.code)
        .collect();
    assert_eq!(removal, [562, 563, 44]);
    assert!(sim.host(old).is_err());
    assert_eq!(
        machine_state(&sim, "host3.example.com"),
        MachineState::Running
    );

    sim.reinstall_machine("host3.example.com", EL8).unwrap();
    let started = sim.now();
    run_until_idle(&mut sim);
    assert_eq!(
        sim.now().0 - started.0,
        SimConfig::default().reinstall_ms as i64
    );
    let machine = sim.machines().iter().find(|m| m.is("host3")).unwrap();
    assert_eq!(
        (machine.os, machine.state.clone()),
        (EL8.os, MachineState::Running)
    );

    let before = sim.events(None).first().unwrap().id;
    let id = sim
        .add_host(new_host(&sim, "host3", root_password()))
        .unwrap();
    assert_ne!(id, old);
    assert_eq!(sim.host(id).unwrap().status, HostStatus::Installing);
    run_until_idle(&mut sim);
    use HostStatus::*;
    assert_eq!(
        added_statuses(&sim, "host3"),
        [Installing, Reboot, NonResponsive, Initializing, Up]
    );
    let addition: Vec<u32> = sim
        .events(Some(before))
        .iter()
        .rev()
        .map(|e| e.code)
        .collect();
    assert_eq!(addition, [42, 560, 561, 197, 504, 13]);
    let host = sim.host(id).unwrap();
    assert_eq!(host.os, EL8.os);
    assert!(host.packages["vdsm"].as_str().starts_with("4.40"));
    assert!(host.supported_levels.contains(&Level::new(4, 6)));
    assert_clean(&sim);
}

/// guide §1.1.8: "RHV 4.4 hosts need RHEL 8.2 to 8.6 … a clean install is required even on
/// the same physical machine". The 4.4 host-deploy role (`ovirt-host-deploy-facts`) has no
/// explicit EL7 refusal; the simulator fails the deployment (`install_failed`, 505) when the
/// Manager's hosts cannot run the machine's OS. The failure's text is the simulator's:
/// not confirmed against a real engine.
#[test]
fn an_el7_machine_added_to_a_4_4_engine_fails_its_deployment() {
    let (mut sim, old) = manager_at_4_4_with_host_in_maintenance("host3", "");
    sim.remove_host(old, false).unwrap();
    let id = sim
        .add_host(new_host(&sim, "host3", root_password()))
        .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(id).unwrap().status, HostStatus::InstallFailed);
    let failed = events_of(&sim, 505);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].description.contains("el7"), "{failed:?}");
    assert_clean(&sim);
}

/// `RemoveVdsCommand.statusLegalForRemove` and `validate`: an operational host is refused
/// (`VDS_CANNOT_REMOVE_VDS_STATUS_ILLEGAL`, 409), so is one with VMs
/// (`VDS_CANNOT_REMOVE_VDS_DETECTED_RUNNING_VM`). From 4.4.4 only VMs pinned to the host block
/// (`ACTION_TYPE_FAILED_DETECTED_PINNED_VMS`); before, every VM preferring it did
/// (`getAllNamesPinnedToHost` at 4.3.11). Refusals log nothing.
#[test]
fn removal_needs_maintenance_no_vms_and_no_vm_pinned_there() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let host2 = inventory
        .hosts
        .iter()
        .find(|h| h.name == "host2")
        .unwrap()
        .id;
    let web2 = inventory.vms.iter_mut().find(|v| v.name == "web2").unwrap();
    // Down, so that host2 can be emptied: a VM that prefers it only.
    web2.pinned_hosts = vec![host2];
    web2.affinity = Affinity::UserMigratable;
    web2.status = VmStatus::Down;
    web2.host = None;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let host1 = host_id(&sim, "host1");
    let events = sim.events(None).len();
    let (status, detail) = refusal(sim.remove_host(host1, false));
    assert_eq!(status, 409);
    assert!(detail.contains("Host is operational. Please switch Host to Maintenance mode first"));
    assert_eq!(sim.events(None).len(), events, "a refusal logs nothing");

    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    let (status, detail) = refusal(sim.remove_host(host2, false));
    assert_eq!(status, 409);
    assert!(
        detail.contains("set to run specifically only on this Host: web2"),
        "{detail}"
    );

    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    sim.remove_host(host2, false)
        .expect("from 4.4.4 a VM that only prefers the host does not block");
    assert!(sim.vm(vm_id(&sim, "web2")).unwrap().pinned_hosts.is_empty());
    assert_clean(&sim);
}

/// `RemoveVdsCommand.validate` at 4.4.10: a VM pinned to the host (`MigrationSupport.PINNED_TO_HOST`
/// among `vmDao.getAllPinnedToHost`) blocks its removal even while down
/// (`ACTION_TYPE_FAILED_DETECTED_PINNED_VMS`, 409), as does one with host devices from it
/// (`ACTION_TYPE_FAILED_DETECTED_ASSIGNED_HOST_DEVICES`). `UpdateVmCommand` takes the host out
/// of their placement (`PUT /vms/{id}`): a running pinned VM's list must keep the host it runs
/// on (`VmValidator.isPinnedVmRunningOnDedicatedHost`), a host must exist
/// (`VmHandler.validateDedicatedVdsExistOnSameCluster`), all 409s; a changed list drops the
/// VM's host devices (`updateVmHostDevices`) and logs 35 (`USER_UPDATE_VM`). Then the host goes.
#[test]
fn a_vm_pinned_to_a_host_blocks_its_removal_until_its_placement_drops_it() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let id_of = |inventory: &Inventory, name: &str| {
        inventory.hosts.iter().find(|h| h.name == name).unwrap().id
    };
    let (host1, host2) = (id_of(&inventory, "host1"), id_of(&inventory, "host2"));
    let build = inventory
        .vms
        .iter_mut()
        .find(|v| v.name == "build")
        .unwrap();
    build.affinity = Affinity::Pinned;
    build.pinned_hosts = vec![host2];
    let web2 = inventory.vms.iter_mut().find(|v| v.name == "web2").unwrap();
    web2.affinity = Affinity::Migratable;
    web2.pinned_hosts = vec![host2];
    web2.host_devices = 1;
    web2.status = VmStatus::Down;
    web2.host = None;
    let web1 = inventory.vms.iter_mut().find(|v| v.name == "web1").unwrap();
    web1.affinity = Affinity::Pinned;
    web1.pinned_hosts = vec![host1];
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    let (build, web2, web1) = (
        vm_id(&sim, "build"),
        vm_id(&sim, "web2"),
        vm_id(&sim, "web1"),
    );
    let (status, detail) = refusal(sim.remove_host(host2, false));
    assert_eq!(status, 409);
    assert!(
        detail.contains("set to run specifically only on this Host: build"),
        "a down VM pinned there blocks: {detail}"
    );
    sim.set_vm_placement(build, Affinity::Pinned, vec![])
        .unwrap();
    let (status, detail) = refusal(sim.remove_host(host2, false));
    assert_eq!(status, 409);
    assert!(
        detail.contains("assigned with host devices from this Host: web2"),
        "{detail}"
    );

    let (status, detail) = refusal(sim.set_vm_placement(web1, Affinity::Pinned, vec![host2]));
    assert_eq!(status, 409);
    assert!(detail.contains("Running VM is hosted on host1"), "{detail}");
    let unknown: HostId = "00000000-0000-0000-0000-00000000abcd".parse().unwrap();
    let (status, detail) = refusal(sim.set_vm_placement(build, Affinity::Pinned, vec![unknown]));
    assert_eq!(status, 409);
    assert!(
        detail.contains("The required host doesn't exist"),
        "{detail}"
    );

    let before = sim.events(None).first().unwrap().id;
    sim.set_vm_placement(web2, Affinity::Migratable, vec![])
        .unwrap();
    assert_eq!(
        sim.vm(web2).unwrap().host_devices,
        0,
        "its devices go with the pinning"
    );
    assert_eq!(
        sim.events(Some(before))
            .iter()
            .map(|e| e.code)
            .collect::<Vec<_>>(),
        [35]
    );
    sim.remove_host(host2, false).unwrap();
    assert_eq!(sim.vm(build).unwrap().affinity, Affinity::Pinned);
    assert_clean(&sim);
}

/// `VdsCommand.getVmCount`: a non-operational host that still runs a VM is refused.
#[test]
fn removal_is_refused_while_a_vm_runs_there() {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    inventory
        .hosts
        .iter_mut()
        .find(|h| h.name == "host1")
        .unwrap()
        .status = HostStatus::NonOperational;
    let mut sim = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let (status, detail) = refusal(sim.remove_host(host_id(&sim, "host1"), false));
    assert_eq!(status, 409);
    assert!(detail.contains("One or more VMs are still running on this Host"));
}

/// `RemoveVdsCommand.runAnsibleRemovePlaybook` (with `isUnreachableHostDown`, 4.4.0): a host
/// the playbook cannot reach gives 564 and 566 (OVN may remain), and is removed all the same.
#[test]
fn an_unreachable_host_is_removed_with_564_and_566() {
    let mut sim = with_update("standalone-local", "never-return:host2");
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    let host = host_id(&sim, "host2");
    upgrade(&mut sim, host, true).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::NonResponsive);
    let before = sim.events(None).first().unwrap().id;
    sim.remove_host(host, false).unwrap();
    let codes: Vec<u32> = sim
        .events(Some(before))
        .iter()
        .rev()
        .map(|e| e.code)
        .collect();
    assert_eq!(codes, [562, 564, 566, 44]);
    assert_clean(&sim);
}

/// `RemoveVdsCommand.validate`: a host of a local data center that still has its domain is
/// refused (`VDS_CANNOT_REMOVE_HOST_WITH_LOCAL_STORAGE`): guide §1.1.9 keeps the storage and
/// imports it instead.
#[test]
fn a_local_storage_host_is_not_removed_while_its_domain_is_there() {
    let mut sim = simulator("local-storage", "");
    let host = sim
        .inventory()
        .hosts
        .iter()
        .find(|h| {
            let cluster = sim.inventory().clusters.iter().find(|c| c.id == h.cluster);
            let dc = cluster.and_then(|c| {
                sim.inventory()
                    .data_centers
                    .iter()
                    .find(|d| d.id == c.data_center)
            });
            dc.is_some_and(|d| d.storage == StorageKind::Local)
        })
        .unwrap()
        .id;
    let running: Vec<VmId> = sim
        .inventory()
        .vms
        .iter()
        .filter(|v| v.host == Some(host) && v.is_running())
        .map(|v| v.id)
        .collect();
    for vm in running {
        sim.vm_action(vm, VmAction::Stop).unwrap();
    }
    run_until_idle(&mut sim);
    deactivate(&mut sim, host).unwrap();
    run_until_idle(&mut sim);
    let (status, detail) = refusal(sim.remove_host(host, false));
    assert_eq!(status, 409);
    assert!(
        detail.contains("contains a local Storage Domain"),
        "{detail}"
    );
}

/// `AddVdsCommand.validate` with `HostValidator`: the cluster (400), an empty name (400), an
/// invalid address (400), a name or address in use (409; per cluster from 4.4.0, commit
/// e4fbaa7c540, engine-wide before), an empty root password (400), and `canConnect`: an SSH
/// session to the machine (409 when it does not answer or refuses the engine's key).
#[test]
fn an_addition_is_validated_before_anything_is_recorded() {
    let (mut sim, old) = manager_at_4_4_with_host_in_maintenance("host3", "");
    let hosts = sim.inventory().hosts.len();
    let mut unknown_cluster = new_host(&sim, "host9", root_password());
    unknown_cluster.cluster = ClusterId(Uuid::derived("cluster", "nowhere"));
    let cases = [
        (unknown_cluster, 400, "Cluster ID is not valid"),
        (
            new_host(&sim, " ", root_password()),
            400,
            "The given name is empty",
        ),
        (
            NewHost {
                address: "host_9..example".into(),
                ..new_host(&sim, "host9", root_password())
            },
            400,
            "The given Host name is invalid",
        ),
        (
            new_host(&sim, "host1", root_password()),
            409,
            "name is already in use",
        ),
        (
            NewHost {
                address: "HOST2.example.com".into(),
                ..new_host(&sim, "host9", root_password())
            },
            409,
            "Host with the same address already exists",
        ),
        (
            new_host(
                &sim,
                "host9",
                SshAuthentication::Password(Password::new("")),
            ),
            400,
            "Cannot install Host with empty password",
        ),
        (
            new_host(&sim, "host9", root_password()),
            409,
            "Connecting to host via SSH has failed",
        ),
    ];
    for (new, status, text) in cases {
        let name = new.name.clone();
        match sim.add_host(new) {
            Err(EngineError::Refused {
                status: s, detail, ..
            }) => {
                assert_eq!(s, status, "{name}: {detail}");
                assert!(detail.contains(text), "{name}: {detail}");
            }
            other => panic!("{name}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(sim.inventory().hosts.len(), hosts);

    sim.remove_host(old, false).unwrap();
    sim.reinstall_machine(
        "host3.example.com",
        Reinstall {
            engine_key: false,
            ..EL8
        },
    )
    .unwrap();
    let (status, detail) = refusal(
        sim.add_host(new_host(&sim, "host3", root_password()))
            .map(drop),
    );
    assert_eq!(status, 409, "still reinstalling: {detail}");
    run_until_idle(&mut sim);
    let (status, detail) = refusal(
        sim.add_host(new_host(&sim, "host3", SshAuthentication::PublicKey))
            .map(drop),
    );
    assert_eq!(status, 409);
    assert!(detail.contains("SSH authentication failed"), "{detail}");
    sim.add_host(new_host(&sim, "host3", root_password()))
        .expect("the root password works where the engine's key is not installed");
}

/// `HostValidator.nameNotUsed` at 4.3.11 looks across the engine (`getByName(name)`); at
/// 4.4.10.7 within the cluster (`getByName(name, clusterId)`).
#[test]
fn before_4_4_host_names_are_unique_across_the_engine() {
    let mut sim = simulator("self-hosted", "");
    let development = sim
        .inventory()
        .clusters
        .iter()
        .find(|c| c.name == "Development")
        .unwrap()
        .id;
    let twin = NewHost::new(
        "prod-host01",
        "spare.example.com",
        development,
        root_password(),
    );
    let (status, _) = refusal(sim.add_host(twin.clone()).map(drop));
    assert_eq!(status, 409);
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    let (status, detail) = refusal(sim.add_host(twin).map(drop));
    assert_eq!(status, 409);
    assert!(
        detail.contains("Connecting to host via SSH has failed"),
        "the name passes in another cluster; no machine answers there: {detail}"
    );
}

/// `InstallVdsInternalCommand` at 4.3.11: otopi host-deploy reports its stages (509), then
/// `runAnsibleHostDeployPlaybook` runs (560, 561); there is no `reboot` parameter before 4.4.5
/// (`BackendHostsResource.add`, commit b4364e3d3cc), so the host initializes at once. With
/// `activate=false` it ends in maintenance.
#[test]
fn a_4_3_engine_deploys_an_el7_host_without_reboot_and_activate_false_keeps_maintenance() {
    let mut sim = simulator("standalone-local", "");
    let old = host_id(&sim, "host3");
    deactivate(&mut sim, old).unwrap();
    run_until_idle(&mut sim);
    sim.remove_host(old, false).unwrap();
    let before = sim.events(None).first().unwrap().id;
    let id = sim
        .add_host(new_host(&sim, "host3", root_password()))
        .unwrap();
    run_until_idle(&mut sim);
    let codes: Vec<u32> = sim
        .events(Some(before))
        .iter()
        .rev()
        .map(|e| e.code)
        .collect();
    assert_eq!(codes, [42, 509, 509, 560, 561, 504, 13]);
    use HostStatus::*;
    assert_eq!(
        added_statuses(&sim, "host3"),
        [Installing, Initializing, Up]
    );
    assert!(sim
        .host(id)
        .unwrap()
        .supported_levels
        .contains(&Level::new(4, 3)));

    let host2 = host_id(&sim, "host2");
    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    sim.remove_host(host2, false).unwrap();
    let id = sim
        .add_host(NewHost {
            activate: false,
            ..new_host(&sim, "host2", root_password())
        })
        .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(sim.host(id).unwrap().status, Maintenance);
    assert_clean(&sim);
}

/// `HostValidator.supportsDeployingHostedEngine`: deploying hosted engine needs the engine
/// VM managed (`ACTION_TYPE_FAILED_UNMANAGED_HOSTED_ENGINE`) and in the host's data center;
/// the deployed host reports its HA agent once up.
#[test]
fn a_hosted_engine_host_is_deployed_as_one_only_beside_the_engine_vm() {
    let mut standalone = simulator("standalone-local", "");
    let host3 = host_id(&standalone, "host3");
    deactivate(&mut standalone, host3).unwrap();
    run_until_idle(&mut standalone);
    standalone.remove_host(host3, false).unwrap();
    let (status, detail) = refusal(
        standalone
            .add_host(NewHost {
                deploy_hosted_engine: true,
                ..new_host(&standalone, "host3", root_password())
            })
            .map(drop),
    );
    assert_eq!(status, 409);
    assert!(detail.contains("unmanaged hosted engine VM"), "{detail}");

    let mut sim = simulator("self-hosted", "");
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    let old = host_id(&sim, "prod-host03");
    let cluster = sim.host(old).unwrap().cluster;
    deactivate(&mut sim, old).unwrap();
    run_until_idle(&mut sim);
    sim.remove_host(old, false).unwrap();
    sim.reinstall_machine("prod-host03", EL8).unwrap();
    run_until_idle(&mut sim);
    let mut back = NewHost::new(
        "prod-host03",
        "prod-host03.example.com",
        cluster,
        SshAuthentication::PublicKey,
    );
    back.deploy_hosted_engine = true;
    let id = sim.add_host(back).unwrap();
    run_until_idle(&mut sim);
    let host = sim.host(id).unwrap();
    assert_eq!(host.status, HostStatus::Up);
    let he = host
        .hosted_engine
        .expect("deployed as a hosted-engine host");
    assert!(he.configured && he.active && he.score == FULL_HOSTED_ENGINE_SCORE);
    assert_clean(&sim);
}

/// The reinstall happens outside the engine; the simulator refuses it while the engine still
/// knows the machine as a host (guide §1.1.8 removes it first). `reinstall-fail` leaves the
/// machine unbootable (the engine cannot reach it); `reinstall-lost` never ends. Not engine
/// behaviour: the simulator's.
#[test]
fn a_reinstall_waits_for_the_removal_and_can_fail_or_never_end() {
    let (mut sim, old) = manager_at_4_4_with_host_in_maintenance(
        "host3",
        "reinstall-fail:host3,reinstall-lost:host2",
    );
    let (status, detail) = refusal(sim.reinstall_machine("host3.example.com", EL8));
    assert_eq!(status, 409);
    assert!(detail.contains("remove it"), "{detail}");
    let (status, detail) = refusal(sim.reinstall_machine(
        "host3",
        Reinstall {
            os: ElVersion::major_only(8),
            ..EL8
        },
    ));
    assert_eq!(status, 400);
    assert!(detail.contains("el8.6"), "{detail}");

    sim.remove_host(old, false).unwrap();
    sim.reinstall_machine("host3", EL8).unwrap();
    run_until_idle(&mut sim);
    assert_eq!(machine_state(&sim, "host3"), MachineState::Failed);
    let (status, _) = refusal(
        sim.add_host(new_host(&sim, "host3", root_password()))
            .map(drop),
    );
    assert_eq!(status, 409, "an unbootable machine does not answer SSH");

    let host2 = host_id(&sim, "host2");
    deactivate(&mut sim, host2).unwrap();
    run_until_idle(&mut sim);
    sim.remove_host(host2, false).unwrap();
    sim.reinstall_machine("host2.example.com", EL8).unwrap();
    run_until_idle(&mut sim);
    assert!(matches!(
        machine_state(&sim, "host2"),
        MachineState::Reinstalling(_)
    ));
    assert_clean(&sim);
}

/// The machines come from the inventory's hosts: a 4.3 example's run EL7 (the scenario's
/// default host OS for the Manager's release) at their hosts' addresses.
#[test]
fn the_machines_of_a_4_3_environment_run_el7_at_their_hosts_addresses() {
    let sim = simulator("self-hosted", "");
    assert_eq!(sim.machines().len(), sim.inventory().hosts.len());
    for host in &sim.inventory().hosts {
        let machine = sim.machines().iter().find(|m| m.is(&host.address)).unwrap();
        assert_eq!((machine.os, machine.host_type), (host.os, host.host_type));
        assert_eq!(machine.os.major, 7, "{}", host.name);
        assert_eq!(machine.state, MachineState::Running);
    }
}

/// The invariant behind the migration: a VM on a host the engine no longer has is lost.
#[test]
fn a_vm_left_on_a_removed_host_breaks_the_invariants() {
    let sim = simulator("standalone-local", "");
    let mut state = sim.inventory().clone();
    state.hosts.retain(|h| h.name != "host1");
    let violations = sim.history().check(&state, sim.now());
    assert!(
        violations
            .iter()
            .any(|v| v.message.contains("which the engine no longer has")),
        "{violations:?}"
    );
}
