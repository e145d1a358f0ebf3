//! The wire formats against real engines' recordings, round trips through the model, bad
//! input, a bounded fuzz of the XML reader, and snapshots of what the writer emits.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use model::engine::{
    ClusterUpdate, ClusterUpgrade, DomainAction, HostAction, NewLocalDomain, Severity,
    UnregisteredVm, VmAction,
};
use model::*;
use ovirt_wire::{ApiPath, Document, Entity, StorageDomainView, WireError};
use proptest::prelude::*;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real-engine")
}

/// This crate's own recordings: whole environments, one directory each (SOURCES.md).
fn own_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-engine")
}

/// The `.xml` files of a directory and of its subdirectories, named by their relative path.
fn xml_files_under(dir: &Path, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
    {
        let path = entry.expect("directory entry").path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            files.extend(xml_files_under(&path, &format!("{name}/")));
        } else if path.extension().is_some_and(|e| e == "xml") {
            files.push((name, std::fs::read(&path).expect("fixture")));
        }
    }
    files
}

/// Every recorded response: the shared set and this crate's own.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = fixtures_dir();
    let mut files = xml_files_under(&dir, "");
    assert!(
        files.len() >= 30,
        "expected the recorded fixtures in {}",
        dir.display()
    );
    let own = xml_files_under(&own_fixtures_dir(), "");
    assert!(
        own.len() >= 30,
        "expected this crate's recorded environments"
    );
    files.extend(own);
    files.sort();
    files
}

/// Members of a list document as the engine indents them: `    <vm href=…`.
fn members_in(body: &[u8], tag: &str) -> usize {
    let text = std::str::from_utf8(body).unwrap();
    text.lines()
        .filter(|line| line.starts_with(&format!("    <{tag} ")) || *line == format!("    <{tag}>"))
        .count()
}

/// Writing what was read and reading it again gives the same wire objects, in XML and JSON.
fn assert_rewrites<T: Entity + PartialEq + std::fmt::Debug>(name: &str, items: &[T]) {
    let xml = ovirt_wire::list_to_xml(items);
    let again: Vec<T> =
        ovirt_wire::list_from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(again, items, "{name}: XML rewrite differs");
    // The engine's JSON has dates as epoch milliseconds, without the XML's UTC offset, so
    // JSON is checked text against text.
    let json = ovirt_wire::list_to_json(items);
    let again: Vec<T> =
        ovirt_wire::list_from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        ovirt_wire::list_to_json(&again),
        json,
        "{name}: JSON rewrite differs"
    );
}

fn check_list<T: Entity + PartialEq + std::fmt::Debug>(name: &str, body: &[u8], items: &[T]) {
    assert_eq!(
        items.len(),
        members_in(body, T::TAG),
        "{name}: member count"
    );
    assert!(
        items.iter().all(|item| item.id().is_some()),
        "{name}: every member has an id"
    );
    assert_rewrites(name, items);
    let streamed: Vec<T> = ovirt_wire::iter_xml_list(body)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(streamed, items, "{name}: streaming read differs");
}

#[test]
fn every_recorded_engine_response_parses_and_converts() {
    let mut converted = 0;
    for (name, body) in fixtures() {
        let document = ovirt_wire::parse_document(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        match &document {
            Document::Hosts(hosts) => {
                check_list(&name, &body, hosts);
                for host in hosts {
                    match host.to_model() {
                        Ok(model) => {
                            assert!((6..=9).contains(&model.os.major), "{name}: {}", model.os);
                            converted += 1;
                        }
                        // A host that never reported has no release to convert; the
                        // conversion says so instead of guessing.
                        Err(error)
                            if host.status != Some(HostStatus::Up)
                                && error.element == "<os><version>" => {}
                        Err(error) => panic!("{name}: {error}"),
                    }
                }
            }
            Document::Host(host) => {
                let model = host.to_model().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(model.id.to_string(), host.id.clone().unwrap());
                converted += 1;
            }
            Document::Vms(vms) => {
                check_list(&name, &body, vms);
                for vm in vms {
                    let model = vm.to_model().unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(model.host.is_some(), vm.host.is_some(), "{name}");
                    converted += 1;
                }
            }
            Document::Vm(vm) => {
                vm.to_model().unwrap_or_else(|e| panic!("{name}: {e}"));
                converted += 1;
            }
            Document::Clusters(clusters) => {
                check_list(&name, &body, clusters);
                for cluster in clusters {
                    match cluster.to_model() {
                        Ok(_) => converted += 1,
                        // A cluster whose data center was force-removed belongs to none;
                        // the model's clusters each belong to one, so the client leaves it out.
                        Err(error)
                            if cluster.data_center.is_none()
                                && error.element == "<data_center>" => {}
                        Err(error) => panic!("{name}: {error}"),
                    }
                }
            }
            Document::Cluster(cluster) => {
                cluster.to_model().unwrap_or_else(|e| panic!("{name}: {e}"));
                converted += 1;
            }
            Document::DataCenters(dcs) => {
                check_list(&name, &body, dcs);
                for dc in dcs {
                    dc.to_model().unwrap_or_else(|e| panic!("{name}: {e}"));
                    converted += 1;
                }
            }
            Document::StorageDomains(domains) => {
                check_list(&name, &body, domains);
                for domain in domains.iter().filter(|d| d.kept_in_inventory()) {
                    // The top-level list has no status for attached domains (trap §10.15):
                    // those convert only with their data center's view.
                    match domain.to_model() {
                        Ok(_) => converted += 1,
                        Err(error) => {
                            assert!(
                                domain.status.is_none() && domain.data_centers.is_some(),
                                "{name}: {error}"
                            );
                            assert!(error.to_string().contains("<status> is missing"), "{error}");
                        }
                    }
                }
            }
            Document::StorageDomain(domain) => {
                let mut attached = (**domain).clone();
                attached.status = Some(StorageDomainStatus::Active);
                attached
                    .to_model()
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                converted += 1;
            }
            Document::Disks(disks) => {
                check_list(&name, &body, disks);
                for disk in disks.iter().filter(|d| d.kept_in_inventory()) {
                    let model = disk
                        .to_model(&[], None)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(model.volumes.len(), 1);
                    assert_eq!(Some(model.volumes[0].id.to_string()), disk.image_id);
                    converted += 1;
                }
            }
            Document::DiskAttachments(attachments) => {
                check_list(&name, &body, attachments);
                for attachment in attachments {
                    attachment
                        .disk_id()
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                }
            }
            Document::Snapshots(snapshots) => {
                check_list(&name, &body, snapshots);
                for snapshot in snapshots {
                    snapshot
                        .to_model()
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    converted += 1;
                }
            }
            Document::Networks(networks) => check_list(&name, &body, networks),
            Document::Templates(templates) => check_list(&name, &body, templates),
            Document::Statistics(statistics) => check_list(&name, &body, statistics),
            Document::Other { tag } => {
                // Endpoints outside the subset only need to be well-formed; the subset's
                // own collections never land here.
                let subset = [
                    "host",
                    "vm",
                    "cluster",
                    "datacenter",
                    "storagedomain",
                    "disk",
                    "network",
                ];
                assert!(
                    !subset.iter().any(|prefix| name.starts_with(prefix)),
                    "{name}: <{tag}> not read as the subset"
                );
            }
            other => assert!(!other.tag().is_empty(), "{name}"),
        }
    }
    assert!(converted > 100, "only {converted} objects converted");
}

#[test]
fn recorded_values_read_as_the_engine_wrote_them() {
    let body = std::fs::read(fixtures_dir().join("host-4.3-1.xml")).unwrap();
    let host: ovirt_wire::Host = ovirt_wire::from_xml(&body).unwrap();
    assert_eq!(host.name.as_deref(), Some("bodh2"));
    assert_eq!(
        host.comment.as_deref(),
        Some(""),
        "<comment></comment> is the empty string"
    );
    assert_eq!(host.memory, Some(16_654_532_608));
    assert_eq!(
        host.spm.as_ref().and_then(|s| s.status),
        Some(SpmStatus::Spm)
    );
    assert_eq!(host.update_available, Some(true));
    let model = host.to_model().unwrap();
    assert_eq!(model.os, ElVersion::new(7, 6));
    assert_eq!(model.packages["vdsm"].as_str(), "4.30.17-1.el7ev");
    assert_eq!(model.packages["libvirt"].as_str(), "4.5.0-10.el7_6.10");
    assert!(matches!(
        ovirt_wire::parse_document(b"<nics><nic id=\"1\"><name>eth0</name></nic></nics>"),
        Ok(Document::Other { tag }) if tag == "nics"
    ));
    assert!(matches!(
        ovirt_wire::parse_document(b"<nics><nic></nics>"),
        Err(WireError::MalformedXml { .. })
    ));

    let body = std::fs::read(fixtures_dir().join("vm-allcontent-4.3-1.xml")).unwrap();
    let vm: ovirt_wire::Vm = ovirt_wire::from_xml(&body).unwrap();
    assert_eq!(
        vm.start_time.map(|t| t.to_string()).as_deref(),
        Some("2019-12-16T11:56:20.331+01:00")
    );
    let display = vm.display.as_ref().unwrap();
    assert_eq!(display.type_.as_deref(), Some("spice"));

    let body = std::fs::read(fixtures_dir().join("datacenter-storagedomains-4.4-1.xml")).unwrap();
    let domains: Vec<ovirt_wire::StorageDomain> = ovirt_wire::list_from_xml(&body).unwrap();
    let iso = domains[1].to_model().unwrap();
    assert_eq!(
        (iso.name.as_str(), iso.role, iso.format_version),
        ("iso-domain", DomainRole::Iso, Some(1))
    );
    assert_eq!(
        iso.data_center.unwrap().to_string(),
        "d8fbd54e-d237-11ec-941a-6cae8b4e2d52"
    );
}

#[test]
fn glance_domains_are_recognised_and_not_kept() {
    let body = std::fs::read(fixtures_dir().join("storagedomains-4.3-1.xml")).unwrap();
    let domains: Vec<ovirt_wire::StorageDomain> = ovirt_wire::list_from_xml(&body).unwrap();
    let glance = domains
        .iter()
        .find(|d| d.type_ == Some(ovirt_wire::StorageDomainType::Image))
        .expect("the recording has the ovirt-image-repository");
    assert!(!glance.kept_in_inventory());
    let error = glance.to_model().unwrap_err().to_string();
    assert!(error.contains("<type> is \"image\""), "{error}");
}

// ---------------------------------------------------------------------------------------
// Round trips through the model.

fn id<T>(make: fn(Uuid) -> T, kind: &str, name: &str) -> T {
    make(Uuid::derived(kind, name))
}

fn a_host(name: &str) -> Host {
    Host {
        id: id(HostId, "host", name),
        name: name.to_owned(),
        address: format!("{name}.example.com"),
        cluster: id(ClusterId, "cluster", "Default"),
        host_type: HostType::Rhel,
        os: ElVersion::new(8, 6),
        packages: [
            ("vdsm".to_owned(), PackageVersion::new("4.50.3.4-1.el8")),
            ("libvirt".to_owned(), PackageVersion::new("8.0.0-5.el8")),
        ]
        .into_iter()
        .collect(),
        status: HostStatus::Up,
        update_available: true,
        memory: 16_654_532_608,
        max_scheduling_memory: 16_249_782_272,
        spm: SpmStatus::Spm,
        hosted_engine: Some(HostedEngineState {
            active: true,
            global_maintenance: true,
            ..HostedEngineState::default()
        }),
        supported_levels: Vec::new(),
        ovn_configured: false,
    }
}

fn a_vm(name: &str) -> Vm {
    Vm {
        id: id(VmId, "vm", name),
        name: name.to_owned(),
        cluster: id(ClusterId, "cluster", "Default"),
        host: Some(id(HostId, "host", "host2")),
        status: VmStatus::Up,
        memory: 2 * GIB,
        affinity: Affinity::Pinned,
        pinned_hosts: vec![id(HostId, "host", "host2")],
        high_availability: true,
        hosted_engine: false,
        next_run_pending: true,
        custom_compatibility_version: Some(Level::new(4, 6)),
        cpu_passthrough: true,
        vgpu: false,
        host_devices: 0,
        snapshots: Vec::new(),
    }
}

fn a_cluster(policy: SchedulingPolicy) -> Cluster {
    Cluster {
        id: id(ClusterId, "cluster", policy.as_str()),
        name: format!("cluster-{policy}"),
        data_center: id(DataCenterId, "dc", "Default"),
        version: Level::new(4, 7),
        scheduling_policy: policy,
        cpu_type: "Intel Skylake Server IBRS SSBD Family".to_owned(),
        gluster_service: policy == SchedulingPolicy::PowerSaving,
        upgrade_running: policy == SchedulingPolicy::ClusterMaintenance,
    }
}

fn a_disk(volumes: usize) -> Disk {
    let volume_id = |n: usize| id(VolumeId, "volume", &format!("v{n}"));
    Disk {
        id: id(DiskId, "disk", "vm1_Disk1"),
        alias: "vm1_Disk1".to_owned(),
        storage_domain: id(StorageDomainId, "sd", "data1"),
        vm: Some(id(VmId, "vm", "vm1")),
        content_type: ContentType::Data,
        volumes: (0..volumes)
            .map(|n| Volume {
                id: volume_id(n),
                parent: n.checked_sub(1).map(volume_id),
                capacity: 20 * GIB,
                actual_size: (n as u64 + 1) * GIB,
                format: if n == 0 {
                    VolumeFormat::Raw
                } else {
                    VolumeFormat::Cow
                },
                allocation: if n == 0 {
                    Allocation::Preallocated
                } else {
                    Allocation::Sparse
                },
                legality: if n == 1 {
                    Legality::Illegal
                } else {
                    Legality::Legal
                },
            })
            .collect(),
    }
}

/// model → wire → XML → wire → model, and the same through JSON.
fn both_ways<W: Entity, M>(wire: &W, back: impl Fn(&W) -> M) -> (M, M) {
    let xml = ovirt_wire::to_xml(wire);
    let from_xml: W = ovirt_wire::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let json = ovirt_wire::to_json(wire);
    let from_json: W =
        ovirt_wire::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{json}"));
    (back(&from_xml), back(&from_json))
}

#[test]
fn inventory_objects_survive_xml_and_json() {
    let api = ApiPath::default();

    let dc = DataCenter {
        id: id(DataCenterId, "dc", "Default"),
        name: "Default".to_owned(),
        version: Level::new(4, 6),
        storage: StorageKind::Local,
        status: DataCenterStatus::Problematic,
    };
    let (x, j) = both_ways(&ovirt_wire::DataCenter::from_model(&dc, &api), |w| {
        w.to_model().unwrap()
    });
    assert_eq!((&x, &j), (&dc, &dc));

    for &policy in SchedulingPolicy::ALL {
        let cluster = a_cluster(policy);
        let (x, j) = both_ways(&ovirt_wire::Cluster::from_model(&cluster, &api), |w| {
            w.to_model().unwrap()
        });
        assert_eq!((&x, &j), (&cluster, &cluster));
    }

    let mut node = a_host("node1");
    node.host_type = HostType::OvirtNode;
    node.os = ElVersion::major_only(8);
    node.hosted_engine = None;
    node.spm = SpmStatus::None;
    node.status = HostStatus::InstallFailed;
    node.packages.remove("libvirt");
    for host in [a_host("host2"), node] {
        let (x, j) = both_ways(&ovirt_wire::Host::from_model(&host, &api), |w| {
            w.to_model().unwrap()
        });
        assert_eq!((&x, &j), (&host, &host));
    }

    let mut down = a_vm("stopped");
    down.host = None;
    down.status = VmStatus::Down;
    down.affinity = Affinity::UserMigratable;
    down.pinned_hosts.clear();
    down.custom_compatibility_version = None;
    down.cpu_passthrough = false;
    let mut engine_vm = a_vm("HostedEngine");
    engine_vm.hosted_engine = true;
    engine_vm.affinity = Affinity::Migratable;
    engine_vm.pinned_hosts.clear();
    for vm in [a_vm("vm_on"), down, engine_vm] {
        let (x, j) = both_ways(&ovirt_wire::Vm::from_model(&vm, &api), |w| {
            w.to_model().unwrap()
        });
        assert_eq!((&x, &j), (&vm, &vm));
    }

    let snapshot = Snapshot {
        id: id(SnapshotId, "snapshot", "before upgrade"),
        description: "before upgrade".to_owned(),
        status: SnapshotStatus::InPreview,
        cluster_level: None,
    };
    let wire = ovirt_wire::Snapshot::from_model(&snapshot, id(VmId, "vm", "vm1"), &api);
    assert!(wire.kept_in_inventory());
    let (x, j) = both_ways(&wire, |w| w.to_model().unwrap());
    assert_eq!((&x, &j), (&snapshot, &snapshot));
}

#[test]
fn storage_domains_round_trip_through_both_lists() {
    let api = ApiPath::default();
    let attached = StorageDomain {
        id: id(StorageDomainId, "sd", "hosted_storage"),
        name: "hosted_storage".to_owned(),
        data_center: Some(id(DataCenterId, "dc", "Default")),
        role: DomainRole::Data,
        storage: StorageType::Glusterfs,
        status: StorageDomainStatus::Maintenance,
        master: true,
        hosted_engine: true,
        format_version: Some(5),
        path: None,
    };
    let unattached = StorageDomain {
        id: id(StorageDomainId, "sd", "export"),
        name: "export".to_owned(),
        data_center: None,
        role: DomainRole::Export,
        storage: StorageType::Nfs,
        status: StorageDomainStatus::Unattached,
        master: false,
        hosted_engine: false,
        format_version: Some(1),
        path: None,
    };
    let top_level: Vec<_> = [&attached, &unattached]
        .map(|sd| ovirt_wire::StorageDomain::from_model(sd, &api, StorageDomainView::TopLevel))
        .into();
    assert_eq!(
        top_level[0].status, None,
        "top level hides an attached domain's status"
    );
    assert_eq!(top_level[1].status, Some(StorageDomainStatus::Unattached));
    let in_dc =
        ovirt_wire::StorageDomain::from_model(&attached, &api, StorageDomainView::InDataCenter);
    let dc_href = format!(
        "/ovirt-engine/api/datacenters/{}/storagedomains/{}",
        attached.data_center.unwrap(),
        attached.id
    );
    assert_eq!(in_dc.href.as_deref(), Some(dc_href.as_str()));
    assert!(in_dc.actions.contains(&"activate"));

    let top_xml = ovirt_wire::list_to_xml(&top_level);
    let dc_xml = ovirt_wire::list_to_xml([&in_dc]);
    let merged = ovirt_wire::merge_storage_domain_views(
        ovirt_wire::list_from_xml(top_xml.as_bytes()).unwrap(),
        ovirt_wire::list_from_xml(dc_xml.as_bytes()).unwrap(),
    );
    let back: Vec<StorageDomain> = merged.iter().map(|sd| sd.to_model().unwrap()).collect();
    assert_eq!(back, vec![attached, unattached]);
}

#[test]
fn disks_round_trip_with_their_volume_chains() {
    let api = ApiPath::default();
    for volumes in [1, 2, 4] {
        let disk = a_disk(volumes);
        let wire = ovirt_wire::Disk::from_model(&disk, &api);
        assert_eq!(
            wire.image_id,
            Some(disk.volumes.last().unwrap().id.to_string())
        );
        let disk_xml = ovirt_wire::to_xml(&wire);
        for include_active in [false, true] {
            let mut snapshots =
                ovirt_wire::DiskSnapshot::chain_from_model(&disk, &api, include_active);
            snapshots.reverse();
            let snapshots_xml = ovirt_wire::list_to_xml(&snapshots);
            let read: ovirt_wire::Disk = ovirt_wire::from_xml(disk_xml.as_bytes()).unwrap();
            let read_snapshots: Vec<ovirt_wire::DiskSnapshot> =
                ovirt_wire::list_from_xml(snapshots_xml.as_bytes()).unwrap();
            let back = read.to_model(&read_snapshots, disk.vm).unwrap();
            assert_eq!(
                back, disk,
                "{volumes} volumes, include_active {include_active}"
            );
            let json_snapshots: Vec<ovirt_wire::DiskSnapshot> =
                ovirt_wire::list_from_json(ovirt_wire::list_to_json(&snapshots).as_bytes())
                    .unwrap();
            let read: ovirt_wire::Disk =
                ovirt_wire::from_json(ovirt_wire::to_json(&wire).as_bytes()).unwrap();
            assert_eq!(read.to_model(&json_snapshots, disk.vm).unwrap(), disk);
        }
    }
}

#[test]
fn broken_volume_chains_are_named() {
    let api = ApiPath::default();
    let disk = a_disk(3);
    let wire = ovirt_wire::Disk::from_model(&disk, &api);
    let snapshots = ovirt_wire::DiskSnapshot::chain_from_model(&disk, &api, false);
    let error = wire
        .to_model(&snapshots[1..], None)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("disk \"vm1_Disk1\" (id "), "{error}");
    assert!(error.contains("<disksnapshots> lack volume"), "{error}");

    let mut other_chain = snapshots.clone();
    other_chain[0].parent = Some(ovirt_wire::Ref::id(
        Uuid::derived("volume", "elsewhere").to_string(),
    ));
    other_chain[0].id = Some(Uuid::derived("volume", "stray").to_string());
    let error = wire.to_model(&other_chain, None).unwrap_err().to_string();
    assert!(
        error.contains("separate chains") || error.contains("lack volume"),
        "{error}"
    );
}

#[test]
fn events_and_actions_convert_to_the_engine_seam() {
    let api = ApiPath::default();
    let mut inventory = Inventory {
        format: INVENTORY_FORMAT,
        name: String::new(),
        source: String::new(),
        captured_at: None,
        unseen: Vec::new(),
        manager: Manager {
            version: model::Version::new(4, 5, 7),
            deployment: Deployment::SelfHosted,
            fqdn: String::new(),
            os: ElVersion::major_only(9),
            database: Default::default(),
            dwh: Default::default(),
            grafana: false,
            extensions: Vec::new(),
            certificates: Vec::new(),
            ovn: false,
            last_backup: None,
        },
        data_centers: vec![DataCenter {
            id: id(DataCenterId, "dc", "Default"),
            name: "Default".to_owned(),
            version: Level::new(4, 7),
            storage: StorageKind::Shared,
            status: DataCenterStatus::Up,
        }],
        clusters: vec![a_cluster(SchedulingPolicy::None)],
        hosts: vec![a_host("host2")],
        vms: vec![a_vm("vm1")],
        storage_domains: Vec::new(),
        disks: Vec::new(),
        gluster_volumes: Vec::new(),
        left_out: Vec::new(),
    };
    inventory.hosts[0].cluster = inventory.clusters[0].id;
    let index = InventoryIndex::new(&inventory);
    let event = model::engine::Event {
        id: 16359,
        code: 888,
        severity: Severity::Normal,
        description: "Upgrade was successful and host host2 will be rebooted.".to_owned(),
        time: Timestamp(1_768_056_305_485),
        host: Some(inventory.hosts[0].id),
        vm: None,
        cluster: Some(inventory.clusters[0].id),
        correlation_id: Some("4e787afc-ed42-4193-82a0-66943860d142".to_owned()),
        data_center: None,
        external: None,
    };
    let wire = ovirt_wire::Event::from_model(&event, &index, &api);
    assert_eq!(wire.index, Some(16359));
    assert_eq!(
        wire.host.as_ref().and_then(|h| h.name.as_deref()),
        Some("host2")
    );
    assert_eq!(
        wire.data_center.as_ref().and_then(|d| d.name.as_deref()),
        Some("Default")
    );
    let (x, j) = both_ways(&wire, |w| w.to_model().unwrap());
    assert_eq!((&x, &j), (&event, &event));

    let host_actions = [
        HostAction::Deactivate {
            reason: Some("upgrade".to_owned()),
            stop_gluster_service: false,
        },
        HostAction::Activate,
        HostAction::UpgradeCheck,
        HostAction::Upgrade {
            reboot: false,
            timeout_minutes: Some(30),
        },
    ];
    for action in host_actions {
        let (segment, body) = ovirt_wire::Action::for_host(&action);
        let read: ovirt_wire::Action =
            ovirt_wire::from_xml(ovirt_wire::to_request_xml(&body).as_bytes()).unwrap();
        assert_eq!(read.to_host_action(segment).unwrap(), action);
    }
    let vm_actions = [
        VmAction::Migrate {
            host: Some(inventory.hosts[0].id),
            force: true,
        },
        VmAction::Migrate {
            host: None,
            force: false,
        },
        VmAction::Start,
        VmAction::Stop,
        VmAction::Shutdown,
        VmAction::Reboot,
        VmAction::GlobalMaintenance { enabled: true },
    ];
    for action in vm_actions {
        let (segment, body) = ovirt_wire::Action::for_vm(&action);
        let read: ovirt_wire::Action =
            ovirt_wire::from_xml(ovirt_wire::to_request_xml(&body).as_bytes()).unwrap();
        assert_eq!(read.to_vm_action(segment, |_| None).unwrap(), action);
    }
    let by_name: ovirt_wire::Action =
        ovirt_wire::from_xml(b"<action><host><name>host2</name></host></action>").unwrap();
    let host2 = inventory.hosts[0].id;
    assert_eq!(
        by_name
            .to_vm_action("migrate", |name| (name == "host2").then_some(host2))
            .unwrap(),
        VmAction::Migrate {
            host: Some(host2),
            force: false
        }
    );
    for upgrade in [
        ClusterUpgrade::Start,
        ClusterUpgrade::UpdateProgress { percent: 42 },
        ClusterUpgrade::Finish,
    ] {
        let body = ovirt_wire::Action::for_cluster_upgrade(upgrade);
        let read: ovirt_wire::Action =
            ovirt_wire::from_json(ovirt_wire::to_json(&body).as_bytes()).unwrap();
        assert_eq!(read.to_cluster_upgrade().unwrap(), upgrade);
    }

    let update = ClusterUpdate {
        version: Some(Level::new(4, 7)),
        scheduling_policy: Some(SchedulingPolicy::ClusterMaintenance),
    };
    let body = ovirt_wire::to_request_xml(&ovirt_wire::Cluster::from_update(&update, &api));
    let read: ovirt_wire::Cluster = ovirt_wire::from_xml(body.as_bytes()).unwrap();
    assert_eq!(read.to_update().unwrap(), update);
    let by_name: ovirt_wire::Cluster = ovirt_wire::from_xml(
        b"<cluster><scheduling_policy><name>evenly_distributed</name></scheduling_policy></cluster>",
    )
    .unwrap();
    assert_eq!(
        by_name.to_update().unwrap().scheduling_policy,
        Some(SchedulingPolicy::EvenlyDistributed)
    );
    let body =
        ovirt_wire::to_request_xml(&ovirt_wire::DataCenter::version_update(Level::new(4, 7)));
    assert_eq!(body, "<data_center>\n  <version>\n    <major>4</major>\n    <minor>7</minor>\n  </version>\n</data_center>\n");
    let read: ovirt_wire::DataCenter = ovirt_wire::from_xml(body.as_bytes()).unwrap();
    assert_eq!(read.requested_version().unwrap(), Some(Level::new(4, 7)));
}

/// `PUT /vms/{id}`'s placement alone: affinity and hosts by id; an empty list is `<hosts/>`,
/// which the engine's `VmBaseMapper` reads as no host at all.
#[test]
fn a_vm_placement_update_round_trips() {
    let host: HostId = "a1b2c3d4-0000-4000-8000-000000000001".parse().unwrap();
    for hosts in [vec![host], vec![]] {
        let body =
            ovirt_wire::to_request_xml(&ovirt_wire::Vm::placement_update(Affinity::Pinned, &hosts));
        let read: ovirt_wire::Vm = ovirt_wire::from_xml(body.as_bytes()).unwrap();
        assert_eq!(
            read.requested_placement().unwrap(),
            Some(ovirt_wire::RequestedPlacement {
                affinity: Some(Affinity::Pinned),
                hosts: hosts.clone()
            }),
            "{body}"
        );
    }
    let body = ovirt_wire::to_request_xml(&ovirt_wire::Vm::placement_update(Affinity::Pinned, &[]));
    assert_eq!(body, "<vm>\n  <placement_policy>\n    <affinity>pinned</affinity>\n    <hosts/>\n  </placement_policy>\n</vm>\n");
    let none: ovirt_wire::Vm = ovirt_wire::from_xml(b"<vm><name>x</name></vm>").unwrap();
    assert_eq!(none.requested_placement().unwrap(), None);
}

#[test]
fn requests_look_like_the_python_sdk_sends_them() {
    let (_, upgrade) = ovirt_wire::Action::for_host(&HostAction::Upgrade {
        reboot: true,
        timeout_minutes: None,
    });
    assert_eq!(
        ovirt_wire::to_request_xml(&upgrade),
        "<action>\n  <reboot>true</reboot>\n</action>\n"
    );
    let (_, activate) = ovirt_wire::Action::for_host(&HostAction::Activate);
    assert_eq!(ovirt_wire::to_request_xml(&activate), "<action/>\n");
    let (_, migrate) = ovirt_wire::Action::for_vm(&VmAction::Migrate {
        host: Some(HostId(Uuid(1))),
        force: true,
    });
    assert_eq!(
        ovirt_wire::to_request_xml(&migrate),
        "<action>\n  <force>true</force>\n  <host id=\"00000000-0000-0000-0000-000000000001\"/>\n</action>\n"
    );
}

#[test]
fn the_cluster_upgrade_role_json_bodies_are_read() {
    for (body, expected) in [
        (
            &br#"{"upgrade_action": "start"}"#[..],
            ClusterUpgrade::Start,
        ),
        (
            br#"{"upgrade_action": "update_progress", "upgrade_percent_complete": "42"}"#,
            ClusterUpgrade::UpdateProgress { percent: 42 },
        ),
        (
            br#"{"upgrade_action": "update_progress", "upgrade_percent_complete": 7}"#,
            ClusterUpgrade::UpdateProgress { percent: 7 },
        ),
        (br#"{"upgrade_action": "finish"}"#, ClusterUpgrade::Finish),
    ] {
        let action: ovirt_wire::Action = ovirt_wire::from_json(body).unwrap();
        assert_eq!(action.to_cluster_upgrade().unwrap(), expected);
    }
    let action: ovirt_wire::Action = ovirt_wire::from_json(
        br#"{"upgrade_action": "update_progress", "upgrade_percent_complete": "142"}"#,
    )
    .unwrap();
    let error = action.to_cluster_upgrade().unwrap_err().to_string();
    assert_eq!(error, "action \"upgrade\": <upgrade_percent_complete> is 142; the value needs to be in the range of 0 to 100");
    let empty: ovirt_wire::Action = ovirt_wire::from_json(b"{}").unwrap();
    assert_eq!(empty, ovirt_wire::Action::default());
}

#[test]
fn json_follows_the_engine_shape() {
    let api = ApiPath::default();
    let vm = ovirt_wire::Vm::from_model(&a_vm("vm1"), &api);
    let json: serde_json::Value = serde_json::from_str(&ovirt_wire::to_json(&vm)).unwrap();
    assert_eq!(json["memory"], "2147483648", "integers are strings");
    assert_eq!(json["stateless"], "false", "booleans are strings");
    assert_eq!(
        json["placement_policy"]["hosts"]["host"][0]["id"],
        a_vm("vm1").pinned_hosts[0].to_string()
    );
    assert_eq!(json["actions"]["link"][0]["rel"], "cancelmigration");
    assert_eq!(json["link"][0]["rel"], "affinitylabels");
    let list: serde_json::Value = serde_json::from_str(&ovirt_wire::list_to_json([&vm])).unwrap();
    assert_eq!(list["vm"][0]["name"], "vm1");
    assert_eq!(ovirt_wire::list_to_json::<ovirt_wire::Vm>([]), "{}");
    assert_eq!(
        ovirt_wire::list_from_json::<ovirt_wire::Vm>(b"{}").unwrap(),
        vec![]
    );

    let event = ovirt_wire::Event {
        time: Some("2026-01-10T15:45:05.485+01:00".parse().unwrap()),
        ..Default::default()
    };
    let json: serde_json::Value = serde_json::from_str(&ovirt_wire::to_json(&event)).unwrap();
    assert_eq!(
        json["time"], 1_768_056_305_485i64,
        "dates are epoch milliseconds"
    );
}

#[test]
fn catalogs_the_simulator_serves_have_the_engine_shape() {
    let api = ApiPath::default();
    let root = ovirt_wire::Api::for_engine(model::Version::new(4, 5, 7), "4.5.7-1.el9", &api);
    let read: ovirt_wire::Api = ovirt_wire::from_xml(ovirt_wire::to_xml(&root).as_bytes()).unwrap();
    assert_eq!(read.engine_version().unwrap(), model::Version::new(4, 5, 7));
    let version = read.product_info.unwrap().version.unwrap();
    assert!(
        version.build.is_some() && version.revision.is_some() && version.full_version.is_some()
    );
    assert!(read
        .link
        .iter()
        .any(|l| l.rel == "hosts/search" && l.href == "/ovirt-engine/api/hosts?search={query}"));

    let policies = ovirt_wire::SchedulingPolicy::built_ins(&api);
    let xml = ovirt_wire::list_to_xml(&policies);
    assert!(xml.contains("<scheduling_policies>"));
    let read: Vec<ovirt_wire::SchedulingPolicy> =
        ovirt_wire::list_from_xml(xml.as_bytes()).unwrap();
    let maintenance = read
        .iter()
        .find(|p| p.name.as_deref() == Some("cluster_maintenance"))
        .unwrap();
    assert_eq!(
        maintenance.id.as_deref(),
        Some("7677771e-5eab-422e-83fa-dc04080d21b7")
    );
    assert!(read
        .iter()
        .all(|p| p.properties.as_ref().is_some_and(|p| !p.is_empty())));

    assert_eq!(
        ovirt_wire::list_to_xml::<ovirt_wire::VmNumaNode>([]),
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<vm_numa_nodes/>\n"
    );
    let level = ovirt_wire::ClusterLevel::for_level(Level::new(4, 7), &api);
    assert_eq!(
        level.href.as_deref(),
        Some("/ovirt-engine/api/clusterlevels/4.7")
    );
    assert_eq!(level.level().unwrap(), Level::new(4, 7));
    let pool = ovirt_wire::MacPool::default_pool(&api);
    assert_eq!(pool.id.as_deref(), Some(ovirt_wire::DEFAULT_MAC_POOL_ID));

    let cluster = ovirt_wire::Cluster::from_model(
        &a_cluster(SchedulingPolicy::None),
        &ApiPath::new("/api/v4/"),
    );
    assert!(cluster
        .href
        .as_deref()
        .unwrap()
        .starts_with("/api/v4/clusters/"));
    assert!(cluster
        .scheduling_policy
        .unwrap()
        .href
        .unwrap()
        .starts_with("/api/v4/schedulingpolicies/"));
}

// ---------------------------------------------------------------------------------------
// Bad input.

const HOST_WITH_BAD_STATUS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<hosts>
    <host href="/ovirt-engine/api/hosts/9be35c00-6523-4c2f-89d2-680a6b6da4c0" id="9be35c00-6523-4c2f-89d2-680a6b6da4c0">
        <status>flying</status>
        <name>host2</name>
    </host>
</hosts>
"#;

#[test]
fn unknown_enum_values_name_the_object_and_the_element() {
    let error = ovirt_wire::list_from_xml::<ovirt_wire::Host>(HOST_WITH_BAD_STATUS).unwrap_err();
    assert_eq!(
        error.to_string(),
        "host \"host2\" (id 9be35c00-6523-4c2f-89d2-680a6b6da4c0): <status> has unknown value \"flying\" \
         (expected one of: down, error, initializing, installing, install_failed, maintenance, non_operational, \
         non_responsive, pending_approval, preparing_for_maintenance, connecting, reboot, unassigned, up, \
         installing_os, kdumping)"
    );
    let nested = b"<vms><vm><name>a</name></vm><vm><placement_policy><affinity>nonmigratable</affinity></placement_policy></vm></vms>";
    let error = ovirt_wire::list_from_xml::<ovirt_wire::Vm>(nested)
        .unwrap_err()
        .to_string();
    assert!(
        error
            .starts_with("VM #2: <placement_policy><affinity> has unknown value \"nonmigratable\""),
        "{error}"
    );

    let json = br#"{"host": [{"name": "h1", "id": "1", "spm": {"status": "master"}}]}"#;
    let error = ovirt_wire::list_from_json::<ovirt_wire::Host>(json)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("host \"h1\" (id 1): spm.status has unknown value \"master\""),
        "{error}"
    );
}

#[test]
fn a_value_a_later_engine_added_comes_with_its_member_and_the_list_goes_on() {
    let body = br#"<hosts>
    <host id="9be35c00-6523-4c2f-89d2-680a6b6da4c0"><name>host2</name><status>flying</status><newer_element><x>1</x></newer_element></host>
    <host id="ce40bb38-f10a-43f3-8e15-d0ffad692a19"><name>host3</name><status>up</status></host>
</hosts>"#;
    let mut members = ovirt_wire::iter_xml_list::<ovirt_wire::Host>(body).unwrap();
    let first = members.next_member().unwrap().unwrap();
    assert_eq!(first.value.name.as_deref(), Some("host2"));
    assert_eq!(first.value.status, None);
    let unreadable = first.unreadable.expect("the unknown status is reported");
    assert_eq!(unreadable.element, "<status>");
    assert!(unreadable.to_string().starts_with("host \"host2\" (id 9be35c00-6523-4c2f-89d2-680a6b6da4c0): <status> has unknown value \"flying\""), "{unreadable}");
    let second = members.next_member().unwrap().unwrap();
    assert_eq!(
        (second.value.status, second.unreadable),
        (Some(HostStatus::Up), None)
    );
    assert!(members.next_member().is_none());
    // Read strictly, the same list stops at the unknown value.
    assert!(ovirt_wire::list_from_xml::<ovirt_wire::Host>(body).is_err());
}

#[test]
fn wrong_values_are_errors_not_guesses() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"<host id=\"x\"><update_available>\n true\n</update_available></host>",
            "host (id x): <update_available> is not true or false: \"\\n true\\n\"",
        ),
        (
            b"<host><name>h</name><memory>lots</memory></host>",
            "host \"h\": <memory> is not a whole number: \"lots\"",
        ),
        (
            b"<host><memory>99999999999999999999999</memory></host>",
            "host: <memory> is out of range: \"99999999999999999999999\"",
        ),
        (
            b"<host><name>h</name><os><version><major>x</major></version></os></host>",
            "host \"h\": <os><version><major> is not a whole number: \"x\"",
        ),
        (
            b"<host><name><b>bold</b></name></host>",
            "host: <name> should hold a value but holds an element <b>",
        ),
    ];
    for (body, expected) in cases {
        let error = ovirt_wire::from_xml::<ovirt_wire::Host>(body).unwrap_err();
        assert!(matches!(error, WireError::InvalidValue { .. }), "{error:?}");
        assert_eq!(error.to_string(), expected);
    }
    let error = ovirt_wire::from_xml::<ovirt_wire::Event>(
        b"<event id=\"1\"><time>2019-08-20 12:57</time></event>",
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("<time> is not a date and time"),
        "{error}"
    );
}

#[test]
fn model_conversion_errors_name_what_is_missing() {
    let vm: ovirt_wire::Vm = ovirt_wire::from_xml(
        b"<vm id=\"a1293e54-dae8-496f-baa4-27719592113e\"><name>vm_on</name><status>up</status><memory>1</memory>\
          <cluster id=\"5a55d518-00c7-00ef-015b-000000000055\"/></vm>",
    )
    .unwrap();
    assert_eq!(
        vm.to_model().unwrap_err().to_string(),
        "VM \"vm_on\" (id a1293e54-dae8-496f-baa4-27719592113e): <placement_policy><affinity> is missing"
    );
    let host: ovirt_wire::Host =
        ovirt_wire::from_xml(b"<host id=\"zz\"><name>h</name></host>").unwrap();
    assert_eq!(
        host.to_model().unwrap_err().to_string(),
        "host \"h\" (id zz): <type> is missing"
    );
    let host: ovirt_wire::Host = ovirt_wire::from_xml(
        b"<host id=\"zz\"><name>h</name><type>rhel</type><status>up</status><cluster id=\"c\"/></host>",
    )
    .unwrap();
    assert_eq!(
        host.to_model().unwrap_err().to_string(),
        "host \"h\" (id zz): id \"zz\" is not a UUID"
    );
    let cluster: ovirt_wire::Cluster = ovirt_wire::from_xml(
        b"<cluster><name>c</name><scheduling_policy id=\"00000000-0000-0000-0000-00000000abcd\"/></cluster>",
    )
    .unwrap();
    let error = cluster.to_model().unwrap_err().to_string();
    assert!(error.contains("<scheduling_policy> has id \"00000000-0000-0000-0000-00000000abcd\", which is not one of the engine's built-in policies"), "{error}");
}

#[test]
fn malformed_xml_is_located() {
    let cases: [(&[u8], usize); 6] = [
        (b"<hosts>\n  <host>\n</hosts>", 3),
        (b"<hosts>\n<host></hosts>", 2),
        (b"<hosts/>\n<hosts/>", 2),
        (
            b"<hosts>\n  <host><name>a &bogus; b</name></host>\n</hosts>",
            2,
        ),
        (b"<hosts>\n  <host id=\"1></host>\n</hosts>", 2),
        (b"<hosts>\n  <host>\n", 3),
    ];
    for (body, line) in cases {
        match ovirt_wire::list_from_xml::<ovirt_wire::Host>(body) {
            Err(WireError::MalformedXml {
                line: at, message, ..
            }) => {
                assert_eq!(at, line, "{message} in {:?}", String::from_utf8_lossy(body))
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(body)),
        }
    }
    let error = ovirt_wire::from_xml::<ovirt_wire::Host>(b"<vms/>").unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected a <host> document but the document is <vms>"
    );
    let text = ovirt_wire::from_xml::<ovirt_wire::Host>(
        b"<host><name>a &amp; b &#x263A;<![CDATA[<c>]]></name></host>",
    )
    .unwrap();
    assert_eq!(text.name.as_deref(), Some("a & b \u{263A}<c>"));
}

#[test]
fn an_html_error_page_is_recognised() {
    let page = b"<html><head><title>Error</title></head><body>Unauthorized</body></html>";
    let error = ovirt_wire::list_from_xml::<ovirt_wire::Host>(page).unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected a <hosts> document but got an HTML page (title \"Error\": \"Unauthorized\")"
    );
    let xhtml = b"<?xml version=\"1.0\"?>\n<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>";
    assert!(matches!(
        ovirt_wire::parse_document(xhtml),
        Err(WireError::Html { .. })
    ));
    assert!(matches!(
        ovirt_wire::from_xml::<ovirt_wire::Api>(b""),
        Err(WireError::Empty { .. })
    ));
    assert!(matches!(
        ovirt_wire::from_json::<ovirt_wire::Action>(page),
        Err(WireError::Html { .. })
    ));
    let error = ovirt_wire::from_json::<ovirt_wire::Action>(b"{\"upgrade_action\": ").unwrap_err();
    assert!(
        matches!(error, WireError::MalformedJson { line: 1, .. }),
        "{error:?}"
    );
}

#[test]
fn a_fault_document_is_the_engines_refusal() {
    let fault = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<fault>\n    <detail>[Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.]</detail>\n    <reason>Operation Failed</reason>\n</fault>\n";
    let error = ovirt_wire::from_xml::<ovirt_wire::Host>(fault).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the engine answered with a fault: Operation Failed: [Cannot switch Host to Maintenance mode. Host is already in Maintenance mode.]"
    );
    assert!(matches!(
        ovirt_wire::list_from_xml::<ovirt_wire::Vm>(fault),
        Err(WireError::Fault(_))
    ));
    assert!(matches!(
        ovirt_wire::parse_document(fault),
        Ok(Document::Fault(_))
    ));

    let refused = ovirt_wire::Action {
        fault: Some(ovirt_wire::Fault::new(
            "Operation Failed",
            "[Cannot upgrade Host. There are no available updates for the host.]",
        )),
        reboot: Some(true),
        status: Some("failed".to_owned()),
        ..Default::default()
    };
    let xml = ovirt_wire::to_xml(&refused);
    assert!(
        xml.contains("<action>\n    <fault>\n        <detail>"),
        "{xml}"
    );
    let read: ovirt_wire::Action = ovirt_wire::from_xml(xml.as_bytes()).unwrap();
    assert!(
        matches!(read.into_result(), Err(WireError::Fault(f)) if f.reason.as_deref() == Some("Operation Failed"))
    );
}

// ---------------------------------------------------------------------------------------
// The reader never panics: random bytes and mutated recordings, bounded in time.

const FUZZ_BUDGET: Duration = Duration::from_secs(3);

fn read_everything(body: &[u8]) {
    if let Ok(Document::Hosts(hosts)) = ovirt_wire::parse_document(body) {
        hosts.iter().for_each(|h| drop(h.to_model()));
    }
    let _ = ovirt_wire::list_from_xml::<ovirt_wire::Vm>(body)
        .map(|vms| vms.iter().for_each(|v| drop(v.to_model())));
    let _ = ovirt_wire::from_xml::<ovirt_wire::Host>(body);
    let _ = ovirt_wire::from_json::<ovirt_wire::Action>(body);
    let _ = ovirt_wire::list_from_json::<ovirt_wire::Vm>(body);
}

fn fuzz_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_time: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[test]
fn random_bytes_never_panic() {
    let started = Instant::now();
    proptest!(fuzz_config(20_000), |(body in proptest::collection::vec(any::<u8>(), 0..512))| {
        if started.elapsed() < FUZZ_BUDGET {
            read_everything(&body);
        }
    });
    proptest!(fuzz_config(20_000), |(body in "(<(vms|vm|hosts|host|name|status|memory|cpu|mode|placement_policy|affinity|hosts|cluster|os|version|major|fault|reason|x)( id=\"[a-z0-9-]{0,4}\")?/?>|</(vms|vm|hosts|host|name|status|memory|cpu|placement_policy|affinity|cluster|os|version|major|fault|x)>|up|pinned|[a-z0-9 -]{0,6}|&[a-z#0-9]{0,5};|<!\\[CDATA\\[|]]>|<\\?xml ?\\?>|\\{|\"|:)*")| {
        if started.elapsed() < FUZZ_BUDGET * 2 {
            read_everything(body.as_bytes());
        }
    });
}

#[test]
fn mutated_recordings_never_panic() {
    let fixtures = fixtures();
    let started = Instant::now();
    let strategy = (
        0..fixtures.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..8),
    );
    proptest!(fuzz_config(3_000), |((which, edits) in strategy)| {
        if started.elapsed() < FUZZ_BUDGET {
            let mut body = fixtures[which].1.clone();
            for (at, kind, byte) in edits {
                if body.is_empty() {
                    break;
                }
                let at = at.index(body.len());
                match kind {
                    0 => body[at] = byte,
                    1 => { body.remove(at); }
                    2 => body.insert(at, [b'<', b'>', b'/', b'&', b'"', byte][usize::from(byte) % 6]),
                    _ => body.truncate(at),
                }
            }
            read_everything(&body);
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any host and VM the model can hold survives XML and JSON, whatever text its names hold.
    #[test]
    fn generated_hosts_and_vms_round_trip(
        // Any text XML 1.0 can carry (the writer turns the rest into U+FFFD).
        name in "[^\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{fffe}\u{ffff}]{1,20}",
        status in proptest::sample::select(HostStatus::ALL),
        vm_status in proptest::sample::select(VmStatus::ALL),
        affinity in proptest::sample::select(Affinity::ALL),
        memory in any::<u64>(),
        minor in proptest::option::of(0u16..20),
        flags in any::<[bool; 4]>(),
    ) {
        let api = ApiPath::default();
        let mut host = a_host("h");
        host.name = name.clone();
        host.address = name.clone();
        host.status = status;
        host.memory = memory;
        host.os = ElVersion { major: 9, minor };
        host.hosted_engine = flags[0].then(HostedEngineState::default);
        let (x, j) = both_ways(&ovirt_wire::Host::from_model(&host, &api), |w| w.to_model().unwrap());
        prop_assert_eq!(&x, &host);
        prop_assert_eq!(&j, &host);

        let mut vm = a_vm("v");
        vm.name = name;
        vm.status = vm_status;
        vm.affinity = affinity;
        vm.memory = memory;
        vm.high_availability = flags[1];
        vm.next_run_pending = flags[2];
        vm.cpu_passthrough = flags[3];
        let (x, j) = both_ways(&ovirt_wire::Vm::from_model(&vm, &api), |w| w.to_model().unwrap());
        prop_assert_eq!(&x, &vm);
        prop_assert_eq!(&j, &vm);
    }
}

// ---------------------------------------------------------------------------------------
// What the writer emits, checked against research §4.4 and §4.5.

#[test]
fn host_xml_has_the_engine_shape() {
    let xml = ovirt_wire::to_xml(&ovirt_wire::Host::from_model(
        &a_host("host2"),
        &ApiPath::default(),
    ));
    insta::assert_snapshot!("host_xml", xml);
}

#[test]
fn vm_xml_has_the_engine_shape() {
    let xml = ovirt_wire::to_xml(&ovirt_wire::Vm::from_model(
        &a_vm("vm_on"),
        &ApiPath::default(),
    ));
    // Trap §10.10: affinity, a cpu element, a cluster link with an href, boot devices.
    for needed in [
        "<affinity>pinned</affinity>",
        "<cpu>",
        "<cluster href=\"/ovirt-engine/api/clusters/",
        "<device>hd</device>",
    ] {
        assert!(xml.contains(needed), "{needed}");
    }
    insta::assert_snapshot!("vm_xml", xml);
}

#[test]
fn a_local_domains_path_is_read_and_written_in_both_lists() {
    let api = ApiPath::default();
    let local = StorageDomain {
        id: id(StorageDomainId, "sd", "local"),
        name: "local".to_owned(),
        data_center: Some(id(DataCenterId, "dc", "local")),
        role: DomainRole::Data,
        storage: StorageType::Localfs,
        status: StorageDomainStatus::Active,
        master: true,
        hosted_engine: false,
        format_version: Some(5),
        path: Some("/data/images".to_owned()),
    };
    for view in [StorageDomainView::TopLevel, StorageDomainView::InDataCenter] {
        let wire = ovirt_wire::StorageDomain::from_model(&local, &api, view);
        let xml = ovirt_wire::to_xml(&wire);
        let compact: String = xml.split_whitespace().collect();
        assert!(
            compact.contains("<storage><path>/data/images</path><type>localfs</type></storage>"),
            "{xml}"
        );
    }
    let in_dc =
        ovirt_wire::StorageDomain::from_model(&local, &api, StorageDomainView::InDataCenter);
    let (x, j) = both_ways(&in_dc, |w| w.to_model().unwrap());
    assert_eq!((&x, &j), (&local, &local));

    // An NFS export's path is the export, not a directory of a host: the model keeps none.
    let nfs: ovirt_wire::StorageDomain = ovirt_wire::from_xml(
        b"<storage_domain id=\"5a55d518-00c7-00ef-015b-000000000001\"><name>nfs</name><type>data</type>\
          <status>unattached</status><storage><address>nfs.example.com</address>\
          <path>/exports/data</path><type>nfs</type></storage></storage_domain>",
    )
    .unwrap();
    assert_eq!(nfs.to_model().unwrap().path, None);
}

#[test]
fn a_local_domain_is_created_with_the_body_the_sdk_sends() {
    let host = id(HostId, "host", "h1");
    let new = NewLocalDomain {
        name: "local1".to_owned(),
        host,
        path: "/localfs".to_owned(),
    };
    let wire = ovirt_wire::StorageDomain::for_new_local(&new);
    let body = ovirt_wire::to_request_xml(&wire);
    assert_eq!(
        body,
        format!(
            "<storage_domain>\n  <name>local1</name>\n  <storage>\n    <path>/localfs</path>\n    <type>localfs</type>\n  </storage>\n  <type>data</type>\n  <host id=\"{host}\"/>\n</storage_domain>\n"
        )
    );
    let (x, j) = both_ways(&wire, |w| w.to_new_local_domain(host).unwrap());
    assert_eq!((&x, &j), (&new, &new));
    // The REST layer sends every localfs domain to AddLocalStorageDomain: an SDK's
    // `<import>` is read and changes nothing (BackendStorageDomainsResource.add).
    let with_import = body.replace(
        "<name>local1</name>",
        "<name>local1</name><import>true</import>",
    );
    let read: ovirt_wire::StorageDomain = ovirt_wire::from_xml(with_import.as_bytes()).unwrap();
    assert_eq!(read.to_new_local_domain(host).unwrap(), new);
}

#[test]
fn a_local_domain_request_names_what_it_lacks() {
    let host = id(HostId, "host", "h1");
    let error = |xml: &[u8]| {
        let read: ovirt_wire::StorageDomain = ovirt_wire::from_xml(xml).unwrap();
        read.to_new_local_domain(host).unwrap_err().to_string()
    };
    assert_eq!(
        error(b"<storage_domain><name>l</name><type>data</type><storage><type>localfs</type></storage></storage_domain>"),
        "storage domain \"l\": <storage><path> is missing"
    );
    assert_eq!(
        error(b"<storage_domain><name>l</name><type>data</type><storage><type>nfs</type><path>/x</path></storage></storage_domain>"),
        "storage domain \"l\": <storage><type> is \"nfs\"; only local domains (localfs) are added through this API subset"
    );
    assert_eq!(
        error(b"<storage_domain><name>l</name><type>iso</type></storage_domain>"),
        "storage domain \"l\": <type> is \"iso\"; a local domain is a data domain"
    );
    assert_eq!(
        error(b"<storage_domain><type>data</type><storage><type>localfs</type><path>/x</path></storage></storage_domain>"),
        "storage domain: <name> is missing"
    );
}

#[test]
fn a_domain_is_attached_by_its_id_alone() {
    let sd = id(StorageDomainId, "sd", "local1");
    let body = ovirt_wire::to_request_xml(&ovirt_wire::StorageDomain::for_attach(sd));
    assert_eq!(body, format!("<storage_domain id=\"{sd}\"/>\n"));
    let read: ovirt_wire::StorageDomain = ovirt_wire::from_xml(body.as_bytes()).unwrap();
    assert_eq!(read.id, Some(sd.to_string()));
}

#[test]
fn domain_actions_and_registration_convert_to_the_engine_seam() {
    for action in [DomainAction::Activate, DomainAction::Deactivate] {
        let (segment, body) = ovirt_wire::Action::for_domain(action);
        assert_eq!(ovirt_wire::to_request_xml(&body), "<action/>\n");
        assert_eq!(
            ovirt_wire::Action::to_domain_action(segment).unwrap(),
            action
        );
    }
    assert_eq!(
        ovirt_wire::Action::to_domain_action("detach")
            .unwrap_err()
            .to_string(),
        "action \"detach\": is not a storage domain action of this API subset"
    );

    let cluster = id(ClusterId, "cluster", "Default");
    let register = ovirt_wire::Action::for_register(cluster);
    assert_eq!(
        ovirt_wire::to_request_xml(&register),
        format!("<action>\n  <cluster id=\"{cluster}\"/>\n</action>\n")
    );
    let (x, j) = both_ways(&register, |w| w.cluster.clone());
    assert_eq!(x, j);
    assert_eq!(x.and_then(|c| c.id), Some(cluster.to_string()));
}

#[test]
fn unregistered_vms_are_listed_under_their_domain() {
    let api = ApiPath::default();
    let sd = id(StorageDomainId, "sd", "local1");
    let vm = UnregisteredVm {
        id: id(VmId, "vm", "db1"),
        name: "db1".to_owned(),
    };
    let wire = ovirt_wire::Vm::unregistered(&vm, sd, &api);
    assert_eq!(
        wire.href,
        Some(format!(
            "/ovirt-engine/api/storagedomains/{sd}/vms/{}",
            vm.id
        ))
    );
    let xml = ovirt_wire::list_to_xml([&wire]);
    assert!(
        xml.contains(&format!(
            "<storage_domain href=\"/ovirt-engine/api/storagedomains/{sd}\" id=\"{sd}\"/>"
        )),
        "{xml}"
    );
    assert!(xml.contains("/register\" rel=\"register\""), "{xml}");
    let listed: Vec<ovirt_wire::Vm> = ovirt_wire::list_from_xml(xml.as_bytes()).unwrap();
    assert_eq!(listed[0].to_unregistered().unwrap(), vm);
    let (x, j) = both_ways(&wire, |w| w.to_unregistered().unwrap());
    assert_eq!((&x, &j), (&vm, &vm));
    let nameless: ovirt_wire::Vm =
        ovirt_wire::from_xml(format!("<vm id=\"{}\"/>", vm.id).as_bytes()).unwrap();
    assert_eq!(
        nameless.to_unregistered().unwrap_err().to_string(),
        format!("VM (id {}): <name> is missing", vm.id)
    );
}
