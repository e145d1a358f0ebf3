//! A local data center's domains taken out of the engine's records and imported again: the
//! 4.3 → 4.4 migration of a local-storage host (guide §1.1.9). Classes at tag
//! `ovirt-engine-4.4.10.7` under `backend/manager/modules/bll` (`storage/domain/`,
//! `exportimport/`), texts from `AppErrors.properties` and `AuditLogMessages.properties`.

use model::engine::{DomainAction, NewHost, NewLocalDomain, Password, SshAuthentication};
use ovirt_sim::{Reinstall, Violation};

use super::*;

const EL8: Reinstall = Reinstall {
    os: ElVersion::new(8, 6),
    host_type: HostType::Rhel,
    engine_key: true,
};

/// The local-storage example with its Manager at 4.4.10 (guide §1.1.9 starts there).
fn branch(faults: &str) -> Simulator {
    branch_with(scenario::load("example:local-storage").unwrap(), faults)
}

fn branch_with(inventory: Inventory, faults: &str) -> Simulator {
    let mut sim = Simulator::new(
        inventory,
        SimConfig::default(),
        faults.parse().unwrap(),
        7,
        START,
    );
    sim.set_manager_version("4.4.10".parse().unwrap()).unwrap();
    sim
}

/// The branch with a second local data domain, `branch-extra`, beside its master.
fn branch_with_a_second_domain() -> Simulator {
    let mut inventory = scenario::load("example:local-storage").unwrap();
    let mut extra = inventory.storage_domains[0].clone();
    extra.id = StorageDomainId(Uuid::derived("storage-domain", "branch-extra"));
    extra.name = "branch-extra".into();
    extra.master = false;
    extra.path = Some("/data/branch-extra".into());
    inventory.storage_domains.push(extra);
    branch_with(inventory, "")
}

fn dc(sim: &Simulator) -> DataCenterId {
    sim.inventory().data_centers[0].id
}

fn dc_status(sim: &Simulator) -> DataCenterStatus {
    sim.inventory().data_centers[0].status
}

fn domain(sim: &Simulator, name: &str) -> StorageDomain {
    sim.inventory()
        .storage_domains
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no domain {name}"))
        .clone()
}

fn vm_names(sim: &Simulator) -> Vec<String> {
    let mut names: Vec<String> = sim.inventory().vms.iter().map(|v| v.name.clone()).collect();
    names.sort();
    names
}

fn deactivate_domain(sim: &mut Simulator, id: StorageDomainId) -> Result<(), EngineError> {
    let dc = dc(sim);
    sim.storage_domain_action(dc, id, DomainAction::Deactivate)
}

fn local(name: &str, host: HostId, path: &str) -> NewLocalDomain {
    NewLocalDomain {
        name: name.into(),
        host,
        path: path.into(),
    }
}

fn shut_down_all(sim: &mut Simulator) {
    let running: Vec<VmId> = sim
        .inventory()
        .vms
        .iter()
        .filter(|v| v.is_running())
        .map(|v| v.id)
        .collect();
    for vm in running {
        sim.vm_action(vm, VmAction::Shutdown).unwrap();
    }
    run_until_idle(sim);
}

/// Everything up to the records' end: VMs down, the domain and the host in maintenance, the
/// domain destroyed, the host removed.
fn out_of_the_records(sim: &mut Simulator) -> (HostId, String) {
    shut_down_all(sim);
    let sd = domain(sim, "branch-local").id;
    if domain(sim, "branch-local").status != StorageDomainStatus::Maintenance {
        deactivate_domain(sim, sd).unwrap();
        run_until_idle(sim);
    }
    let host = host_id(sim, "branch-host");
    deactivate(sim, host).unwrap();
    run_until_idle(sim);
    sim.destroy_storage_domain(sd).unwrap();
    let address = sim.host(host).unwrap().address.clone();
    sim.remove_host(host, false).unwrap();
    (host, address)
}

/// The machine reinstalled with EL8 and added back into its cluster, up.
fn back_as_a_4_4_host(sim: &mut Simulator, address: &str) -> HostId {
    sim.reinstall_machine(address, EL8).unwrap();
    run_until_idle(sim);
    let cluster = sim.inventory().clusters[0].id;
    let host = sim
        .add_host(NewHost::new(
            "branch-host",
            address,
            cluster,
            SshAuthentication::Password(Password::new("s3cret")),
        ))
        .unwrap();
    run_until_idle(sim);
    assert_eq!(sim.host(host).unwrap().status, HostStatus::Up);
    host
}

/// The whole round trip. `DeactivateStorageDomainCommand` (the last master: 1030, the data
/// center to maintenance), `ForceRemoveStorageDomainCommand` (981; no master left:
/// `calcStoragePoolStatusByDomainsStatus` gives uninitialized), `RemoveVdsCommand`,
/// `AddVdsCommand`, `AddLocalStorageDomainCommand` (956; it runs
/// `AttachStorageDomainToPoolCommand` itself, 962: the first data domain becomes master and
/// brings the data center up), the portal's Import Domain (`AddExistingFileStorageDomainCommand`,
/// the old id, then attached), `GetUnregisteredVmsQuery`,
/// `ImportVmFromConfigurationCommand` (174): the VMs come back down with their ids and disks.
#[test]
fn a_local_data_center_is_taken_out_of_the_records_and_imported_again() {
    let mut sim = branch("");
    let old = domain(&sim, "branch-local");
    let before_vms: Vec<Vm> = sim.inventory().vms.clone();
    let before_disks = sim.inventory().disks.len();
    shut_down_all(&mut sim);

    deactivate_domain(&mut sim, old.id).unwrap();
    assert_eq!(
        domain(&sim, "branch-local").status,
        StorageDomainStatus::PreparingForMaintenance
    );
    run_until_idle(&mut sim);
    assert_eq!(
        domain(&sim, "branch-local").status,
        StorageDomainStatus::Maintenance
    );
    assert_eq!(dc_status(&sim), DataCenterStatus::Maintenance);
    assert_eq!(events_of(&sim, 1030).len(), 1);

    let (_, address) = out_of_the_records(&mut sim);
    assert!(sim.inventory().vms.is_empty() && sim.inventory().disks.is_empty());
    assert_eq!(dc_status(&sim), DataCenterStatus::Uninitialized);
    assert_eq!(events_of(&sim, 981).len(), 1);
    let machine = sim.machines().iter().find(|m| m.is(&address)).unwrap();
    let kept = &machine.storage["/data/branch-local"];
    assert_eq!((kept.id, kept.vms.len()), (old.id, 2));

    let host = back_as_a_4_4_host(&mut sim, &address);
    sim.add_local_domain(local("branch-new", host, "/localfs"))
        .unwrap();
    let created = domain(&sim, "branch-new");
    assert_eq!(
        (
            created.data_center,
            created.storage,
            created.path.as_deref()
        ),
        (Some(dc(&sim)), StorageType::Localfs, Some("/localfs"))
    );
    run_until_idle(&mut sim);
    let created = domain(&sim, "branch-new");
    assert!(created.master && created.status == StorageDomainStatus::Active);
    assert_eq!(dc_status(&sim), DataCenterStatus::Up);

    let imported = sim
        .import_local_domain(&address, "/data/branch-local", "branch-local")
        .unwrap();
    assert_eq!(imported, old.id);
    // Read from its OVF stores once it is active, not before.
    assert!(sim.unregistered_vms(imported).unwrap().is_empty());
    run_until_idle(&mut sim);
    assert!(!domain(&sim, "branch-local").master);

    let cluster = sim.inventory().clusters[0].id;
    let waiting = sim.unregistered_vms(imported).unwrap();
    assert_eq!(waiting.len(), 2);
    for vm in &waiting {
        sim.register_vm(imported, vm.id, cluster).unwrap();
    }
    assert!(sim.unregistered_vms(imported).unwrap().is_empty());
    assert_eq!(events_of(&sim, 174).len(), 2);
    for vm in &before_vms {
        let back = sim.vm(vm.id).unwrap();
        assert_eq!(
            (back.name.as_str(), back.status),
            (vm.name.as_str(), VmStatus::Down)
        );
    }
    assert_eq!(sim.inventory().disks.len(), before_disks);
    assert!(sim
        .inventory()
        .disks
        .iter()
        .all(|d| d.storage_domain == old.id));

    for vm in &before_vms {
        sim.vm_action(vm.id, VmAction::Start).unwrap();
    }
    run_until_idle(&mut sim);
    assert!(sim.inventory().vms.iter().all(|v| v.status == VmStatus::Up));
    for code in [956, 962] {
        assert_eq!(events_of(&sim, code).len(), 2, "{code}");
    }
    assert_clean(&sim);
}

/// `DeactivateStorageDomainCommand.validate`: running VMs with disks there
/// (ACTION_TYPE_FAILED_DETECTED_ACTIVE_VMS), a status in process (`checkStorageDomainStatus`:
/// ACTION_TYPE_FAILED_OBJECT_LOCKED), hosted-engine storage
/// (ACTION_TYPE_FAILED_HOSTED_ENGINE_STORAGE).
#[test]
fn deactivation_is_refused_with_running_vms_twice_and_for_hosted_engine_storage() {
    let mut sim = branch("");
    let sd = domain(&sim, "branch-local").id;
    let (status, text) = refusal(deactivate_domain(&mut sim, sd));
    assert_eq!(status, 409);
    assert!(text.contains("Cannot deactivate Storage. VMs in a state other than \"Down\""));
    shut_down_all(&mut sim);
    deactivate_domain(&mut sim, sd).unwrap();
    let (_, text) = refusal(deactivate_domain(&mut sim, sd));
    assert!(
        text.contains("Related operation is currently in progress"),
        "{text}"
    );
    run_until_idle(&mut sim);
    let (_, text) = refusal(deactivate_domain(&mut sim, sd));
    assert!(text.contains("status is Maintenance"), "{text}");

    let mut he = simulator("self-hosted", "");
    let hosted = he
        .inventory()
        .storage_domains
        .iter()
        .find(|d| d.hosted_engine)
        .unwrap()
        .clone();
    let (_, text) = refusal(he.storage_domain_action(
        hosted.data_center.unwrap(),
        hosted.id,
        DomainAction::Deactivate,
    ));
    assert!(text.contains("contains the self hosted engine"), "{text}");
}

/// `DeactivateStorageDomainCommand.validateMasterDeactivationAllowed`: not while only
/// non-data domains stay active (ERROR_CANNOT_DEACTIVATE_MASTER_WITH_NON_DATA_DOMAINS). A
/// master with another active data domain hands the role over (`electNewMaster`) and the
/// data center stays up.
#[test]
fn a_master_goes_last_and_hands_over_to_an_active_data_domain() {
    let mut inventory = scenario::load("example:local-storage").unwrap();
    let mut iso = inventory.storage_domains[0].clone();
    iso.id = StorageDomainId(Uuid::derived("storage-domain", "branch-iso"));
    iso.name = "branch-iso".into();
    iso.role = DomainRole::Iso;
    iso.master = false;
    iso.path = Some("/data/branch-iso".into());
    inventory.storage_domains.push(iso);
    let mut sim = branch_with(inventory, "");
    shut_down_all(&mut sim);
    let master = domain(&sim, "branch-local").id;
    let (_, text) = refusal(deactivate_domain(&mut sim, master));
    assert!(text.contains("active non-data domains"), "{text}");

    let mut sim = branch_with_a_second_domain();
    shut_down_all(&mut sim);
    let master = domain(&sim, "branch-local").id;
    deactivate_domain(&mut sim, master).unwrap();
    run_until_idle(&mut sim);
    assert!(domain(&sim, "branch-extra").master);
    assert_eq!(dc_status(&sim), DataCenterStatus::Up);
    assert_eq!(events_of(&sim, 968).len(), 1);
}

/// `ForceRemoveStorageDomainCommand.validate`: not an active domain
/// (`checkStorageDomainStatusNotEqual`), and a master with other domains in its pool needs an
/// active data domain to take its place (ERROR_CANNOT_DESTROY_LAST_STORAGE_DOMAIN).
#[test]
fn destroying_needs_an_inactive_domain_and_a_master_goes_last() {
    let mut sim = branch_with_a_second_domain();
    let master = domain(&sim, "branch-local").id;
    let extra = domain(&sim, "branch-extra").id;
    let (status, text) = refusal(sim.destroy_storage_domain(extra));
    assert_eq!(status, 409);
    assert!(
        text.contains("Cannot destroy Storage. The relevant Storage Domain's status is Active."),
        "{text}"
    );
    shut_down_all(&mut sim);
    deactivate_domain(&mut sim, extra).unwrap();
    run_until_idle(&mut sim);
    deactivate_domain(&mut sim, master).unwrap();
    run_until_idle(&mut sim);
    let (_, text) = refusal(sim.destroy_storage_domain(master));
    assert!(text.contains("Cannot destroy the master Storage Domain from the Data Center without another active Storage Domain"), "{text}");
    sim.destroy_storage_domain(extra).unwrap();
    sim.destroy_storage_domain(master).unwrap();
    assert_eq!(dc_status(&sim), DataCenterStatus::Uninitialized);
}

/// `Remove_Entities_From_storage_domain` (packaging/dbscripts/storages_sp.sql): only VMs whose
/// disks are all on the domain leave, with those disks; a VM with no disk there stays, and
/// one with a disk on another domain too stays without its disk there.
#[test]
fn destroying_keeps_vms_with_no_disk_there() {
    let mut inventory = scenario::load("example:local-storage").unwrap();
    let mut extra = inventory.storage_domains[0].clone();
    extra.id = StorageDomainId(Uuid::derived("storage-domain", "branch-extra"));
    extra.name = "branch-extra".into();
    extra.master = false;
    extra.path = Some("/data/branch-extra".into());
    let extra_id = extra.id;
    inventory.storage_domains.push(extra);
    let vm = |name: &str| inventory.vms.iter().find(|v| v.name == name).unwrap().id;
    let (file_server, print_server) = (vm("file-server"), vm("print-server"));
    // print-server is all on branch-extra; file-server has its second disk there.
    let mut seen_file_server = 0;
    for disk in &mut inventory.disks {
        if disk.vm == Some(file_server) {
            seen_file_server += 1;
            if seen_file_server == 2 {
                disk.storage_domain = extra_id;
            }
        } else if disk.vm == Some(print_server) {
            disk.storage_domain = extra_id;
        }
    }
    let mut diskless = inventory.vms[1].clone();
    diskless.id = VmId(Uuid::derived("vm", "diskless"));
    diskless.name = "diskless".into();
    diskless.status = VmStatus::Down;
    diskless.host = None;
    inventory.vms.push(diskless);
    let mut sim = branch_with(inventory, "");
    shut_down_all(&mut sim);
    deactivate_domain(&mut sim, extra_id).unwrap();
    run_until_idle(&mut sim);
    sim.destroy_storage_domain(extra_id).unwrap();
    assert_eq!(vm_names(&sim), ["diskless", "file-server"]);
    let local = domain(&sim, "branch-local").id;
    assert!(sim
        .inventory()
        .disks
        .iter()
        .all(|d| d.storage_domain == local));
    assert_eq!(sim.inventory().disks.len(), 1);
    let machine = &sim.machines()[0];
    let kept = &machine.storage["/data/branch-extra"];
    assert_eq!(kept.vms.len(), 1);
    assert_eq!(kept.disks.len(), 1);
}

/// `AddStorageDomainCommand.validate` and `AddLocalStorageDomainCommand.validate`: the host
/// up (ACTION_TYPE_FAILED_VDS_STATUS_ILLEGAL; **not confirmed** where the engine checks it),
/// its data center local (ACTION_TYPE_FAILED_STORAGE_POOL_IS_NOT_LOCAL), the name unused
/// (ACTION_TYPE_FAILED_STORAGE_DOMAIN_NAME_ALREADY_EXIST). An absolute path and a directory
/// free of another domain are the simulator's own checks (vdsm's, **not confirmed**).
#[test]
fn a_new_local_domain_needs_an_up_host_of_a_local_data_center_a_free_name_and_path() {
    let mut shared = simulator("standalone-local", "");
    let host = host_id(&shared, "host1");
    let (_, text) = refusal(
        shared
            .add_local_domain(local("x", host, "/localfs"))
            .map(drop),
    );
    assert_eq!(text, "[Data Center must be \"Local Storage\"]");

    let mut sim = branch("");
    let host = host_id(&sim, "branch-host");
    let (_, text) = refusal(
        sim.add_local_domain(local("branch-local", host, "/localfs"))
            .map(drop),
    );
    assert!(
        text.contains("The Storage Domain name is already in use."),
        "{text}"
    );
    let (status, _) = refusal(sim.add_local_domain(local("x", host, "localfs")).map(drop));
    assert_eq!(status, 400);
    let (_, text) = refusal(
        sim.add_local_domain(local("x", host, "/data/branch-local"))
            .map(drop),
    );
    assert!(
        text.contains("already holds storage domain branch-local"),
        "{text}"
    );
    shut_down_all(&mut sim);
    deactivate(&mut sim, host).unwrap();
    run_until_idle(&mut sim);
    let (_, text) = refusal(sim.add_local_domain(local("x", host, "/localfs")).map(drop));
    assert!(text.contains("only when Host status is Up"), "{text}");
}

/// The portal's Import Domain, `AddExistingFileStorageDomainCommand.checkExistingStorageDomain`: a domain whose id the
/// engine has is refused (ACTION_TYPE_FAILED_STORAGE_DOMAIN_ALREADY_EXIST); nothing at the
/// path is ACTION_TYPE_FAILED_STORAGE_DOMAIN_NOT_EXIST, which the simulator completes with
/// the path and the host.
#[test]
fn an_import_needs_a_domain_at_the_path_that_the_engine_does_not_know() {
    let mut sim = branch("");
    let (_, text) = refusal(
        sim.import_local_domain("branch-host", "/data/branch-local", "again")
            .map(drop),
    );
    assert!(
        text.contains("The Storage Domain already exists."),
        "{text}"
    );
    let (_, text) = refusal(
        sim.import_local_domain("branch-host", "/elsewhere", "x")
            .map(drop),
    );
    assert!(
        text.contains("Storage Domain doesn't exist.")
            && text.contains("/elsewhere on host branch-host"),
        "{text}"
    );
}

/// The simulator's own `storage-wiped` fault: the reinstall wipes the data disk, the import
/// finds nothing, and the checker reports the VMs lost.
#[test]
fn a_wiped_disk_leaves_nothing_to_import_and_its_vms_are_lost() {
    let mut sim = branch("storage-wiped:branch-host");
    let (_, address) = out_of_the_records(&mut sim);
    back_as_a_4_4_host(&mut sim, &address);
    let (_, text) = refusal(
        sim.import_local_domain(&address, "/data/branch-local", "branch-local")
            .map(drop),
    );
    assert!(
        text.contains("Nothing is stored at /data/branch-local on host branch-host"),
        "{text}"
    );
    let violations = sim.history().check(sim.inventory(), sim.now());
    let lost: Vec<&Violation> = violations
        .iter()
        .filter(|v| v.message.contains("was wiped before it was imported"))
        .collect();
    assert_eq!(lost.len(), 2, "{violations:#?}");
}

/// A VM whose domain left the records and was never registered again is reported, as not in
/// the engine rather than lost: its storage still holds it.
#[test]
fn a_vm_left_unregistered_is_reported_where_it_stays() {
    let mut sim = branch("");
    out_of_the_records(&mut sim);
    let violations = sim.history().check(sim.inventory(), sim.now());
    assert!(
        violations
            .iter()
            .all(|v| v.message.contains("was not registered again")),
        "{violations:#?}"
    );
    assert_eq!(violations.len(), 2);
}

/// `AttachStorageDomainToPoolCommand.validate`: a domain in a pool already
/// (`isStorageDomainNotInAnyPool`: ACTION_TYPE_FAILED_STORAGE_DOMAIN_STATUS_ILLEGAL), and
/// into an initialized pool only while its master is up (`checkMasterDomainIsUp`).
#[test]
fn attaching_needs_an_unattached_domain_and_an_up_master() {
    let mut sim = branch("");
    let dc = dc(&sim);
    let host = host_id(&sim, "branch-host");
    let old = domain(&sim, "branch-local").id;
    let (_, text) = refusal(sim.attach_storage_domain(dc, old));
    assert!(
        text.contains("The relevant Storage Domain is inaccessible."),
        "{text}"
    );
    shut_down_all(&mut sim);
    deactivate_domain(&mut sim, old).unwrap();
    run_until_idle(&mut sim);
    // `AddLocalStorageDomainCommand.validate` checks the master too, before its own attach.
    let (_, text) = refusal(
        sim.add_local_domain(local("second", host, "/data/second"))
            .map(drop),
    );
    assert!(
        text.contains("Please activate the master Storage Domain first."),
        "{text}"
    );
    sim.storage_domain_action(dc, old, DomainAction::Activate)
        .unwrap();
    run_until_idle(&mut sim);
    assert_eq!(dc_status(&sim), DataCenterStatus::Up);
    sim.add_local_domain(local("second", host, "/data/second"))
        .unwrap();
    run_until_idle(&mut sim);
    let second = domain(&sim, "second");
    assert!(!second.master && second.status == StorageDomainStatus::Active);
}

/// `ImportVmCommand.validate` (`isDomainExistAndActive`: ACTION_TYPE_FAILED_STORAGE_DOMAIN_STATUS_ILLEGAL2),
/// `ImportVmCommandBase.validate` (ACTION_TYPE_FAILED_VM_NOT_FOUND, ACTION_TYPE_FAILED_CLUSTER_CAN_NOT_BE_EMPTY,
/// ACTION_TYPE_FAILED_CLUSTER_IS_NOT_VALID for a cluster of another data center).
#[test]
fn registering_needs_an_active_domain_its_vm_and_a_cluster_of_its_data_center() {
    let mut inventory = scenario::load("example:local-storage").unwrap();
    let mut other_dc = inventory.data_centers[0].clone();
    other_dc.id = DataCenterId(Uuid::derived("data-center", "Elsewhere"));
    other_dc.name = "Elsewhere".into();
    let mut other_cluster = inventory.clusters[0].clone();
    other_cluster.id = ClusterId(Uuid::derived("cluster", "elsewhere"));
    other_cluster.name = "elsewhere".into();
    other_cluster.data_center = other_dc.id;
    let foreign = other_cluster.id;
    inventory.data_centers.push(other_dc);
    inventory.clusters.push(other_cluster);
    let mut sim = branch_with(inventory, "");
    let cluster = sim.inventory().clusters[0].id;
    let vm = vm_id(&sim, "file-server");
    let (_, address) = out_of_the_records(&mut sim);
    let host = back_as_a_4_4_host(&mut sim, &address);
    sim.add_local_domain(local("branch-new", host, "/localfs"))
        .unwrap();
    run_until_idle(&mut sim);
    let sd = sim
        .import_local_domain(&address, "/data/branch-local", "branch-local")
        .unwrap();
    let (_, text) = refusal(sim.register_vm(sd, vm, cluster));
    assert!(text.contains("status is Locked"), "{text}");
    run_until_idle(&mut sim);
    let (_, text) = refusal(sim.register_vm(sd, VmId(Uuid::derived("vm", "nobody")), cluster));
    assert!(
        text.contains("Cannot import VM. VM is not found."),
        "{text}"
    );
    let (status, _) = refusal(sim.register_vm(sd, vm, ClusterId(Uuid::derived("cluster", "none"))));
    assert_eq!(status, 400);
    let (_, text) = refusal(sim.register_vm(sd, vm, foreign));
    assert!(
        text.contains("Cannot import VM. Cluster ID is not valid."),
        "{text}"
    );
    sim.register_vm(sd, vm, cluster).unwrap();
    let (_, text) = refusal(sim.register_vm(sd, vm, cluster));
    assert!(text.contains("VM is not found"), "{text}");
}
