//! Loading environments: every shipped example, the generator, the JSON format, and the
//! errors a person gets for a broken file.

use model::{Affinity, Deployment, HostStatus, Level, VmStatus, GIB};
use scenario::{
    generate, parse_inventory, parse_scenario, to_json, GenerateParams, LoadError, Location,
    EXAMPLES,
};

fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn every_example_loads_and_is_listed() {
    for example in EXAMPLES {
        let inventory =
            parse_scenario(example.text, example.file).unwrap_or_else(|e| panic!("{e}"));
        assert!(inventory.validate().is_empty(), "{}", example.name);
        assert!(!inventory.hosts.is_empty(), "{} has hosts", example.name);
        assert!(!inventory.name.is_empty(), "{} has a name", example.name);
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXAMPLES
        .iter()
        .map(|e| format!("{}.toml", e.name))
        .collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every file in examples/ is compiled in, and only those"
    );
}

#[test]
fn examples_cover_every_deployment_the_guide_describes() {
    let load = |name: &str| scenario::load(&format!("example:{name}")).unwrap();
    let self_hosted = load("self-hosted");
    assert_eq!(self_hosted.manager.deployment, Deployment::SelfHosted);
    let he_vm = self_hosted
        .vms
        .iter()
        .find(|v| v.hosted_engine)
        .expect("a hosted-engine VM");
    let he_host = self_hosted
        .hosts
        .iter()
        .find(|h| Some(h.id) == he_vm.host)
        .unwrap();
    assert!(
        he_host.hosted_engine.unwrap().active,
        "the HE VM's host is the active one"
    );
    assert!(self_hosted
        .hosts
        .iter()
        .any(|h| h.status == HostStatus::InstallFailed));

    let remote = load("standalone-remote");
    assert_eq!(
        remote.manager.database.placement,
        model::DatabasePlacement::Remote
    );
    assert_eq!(remote.manager.dwh.placement, model::DwhPlacement::Remote);

    let local = load("local-storage");
    assert_eq!(local.data_centers[0].storage, model::StorageKind::Local);

    let hc = load("hyperconverged");
    assert!(hc.clusters[0].gluster_service);
    assert!(hc
        .gluster_volumes
        .iter()
        .any(|v| v.pending_heals > 0 && !v.geo_replication.is_empty()));

    let pinned = load("pinned-and-ha");
    assert!(pinned
        .vms
        .iter()
        .any(|v| v.affinity == Affinity::Pinned && v.pinned_hosts.len() == 1));
    assert!(pinned.vms.iter().any(|v| v.previewing_snapshot().is_some()));
    assert!(pinned.vms.iter().any(|v| v.vgpu));

    let sha1 = load("sha1-certificates");
    assert!(sha1.manager.certificates.iter().any(|c| c.is_sha1()));

    let old = load("rhv-4.2");
    assert_eq!(old.manager.version.line(), Level::new(4, 2));
    assert!(old.clusters.iter().any(|c| c.version == Level::new(4, 1)));
}

#[test]
fn group_placement_fills_hosts_evenly_and_within_memory() {
    let inventory = scenario::load("example:self-hosted").unwrap();
    for host in &inventory.hosts {
        let used: u64 = inventory
            .vms
            .iter()
            .filter(|v| v.host == Some(host.id))
            .map(|v| v.memory)
            .sum();
        assert!(
            used <= host.memory,
            "{} holds {used} bytes of VMs in {}",
            host.name,
            host.memory
        );
        assert!(host.max_scheduling_memory < host.memory);
    }
    let prod: Vec<usize> = inventory
        .hosts
        .iter()
        .filter(|h| h.name.starts_with("prod-host"))
        .map(|h| {
            inventory
                .vms
                .iter()
                .filter(|v| v.host == Some(h.id))
                .count()
        })
        .collect();
    let (min, max) = (prod.iter().min().unwrap(), prod.iter().max().unwrap());
    assert!(max - min <= 4, "VMs spread evenly: {prod:?}");
    assert!(inventory
        .vms
        .iter()
        .filter(|v| v.status == VmStatus::Down)
        .all(|v| v.host.is_none()));
}

#[test]
fn generator_is_deterministic_and_sized_as_asked() {
    let params = GenerateParams {
        hosts: 40,
        vms: 600,
        clusters: 3,
        disks_per_vm: 2,
        seed: 7,
        ..Default::default()
    };
    let first = to_json(&generate(&params).unwrap());
    let second = to_json(&generate(&params).unwrap());
    assert_eq!(first, second, "same seed, same bytes");
    let other = to_json(
        &generate(&GenerateParams {
            seed: 8,
            ..params.clone()
        })
        .unwrap(),
    );
    assert_ne!(first, other, "another seed, another environment");

    let inventory = generate(&params).unwrap();
    assert_eq!(inventory.hosts.len(), 40);
    assert_eq!(inventory.vms.len(), 600);
    assert_eq!(inventory.clusters.len(), 3);
    assert_eq!(inventory.disks.len(), 1200);
    assert!(inventory.vms.iter().any(|v| v.affinity == Affinity::Pinned));
    assert!(inventory.validate().is_empty());

    let self_hosted = generate(&GenerateParams {
        deployment: Deployment::SelfHosted,
        ..params
    })
    .unwrap();
    assert_eq!(
        self_hosted.vms.iter().filter(|v| v.hosted_engine).count(),
        1
    );
}

#[test]
fn inventory_json_round_trips() {
    for example in EXAMPLES {
        let inventory = parse_scenario(example.text, example.file).unwrap();
        let json = to_json(&inventory);
        let back = parse_inventory(&json, "round-trip.json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, inventory, "{}", example.name);
        assert_eq!(to_json(&back), json);
    }
    let generated = generate(&GenerateParams {
        hosts: 12,
        vms: 90,
        seed: 3,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        parse_inventory(&to_json(&generated), "g.json").unwrap(),
        generated
    );
}

fn scenario_error(text: &str) -> LoadError {
    parse_scenario(text, "broken.toml").expect_err("the scenario must be refused")
}

fn first_line(error: &LoadError) -> usize {
    match error.problems[0].location {
        Location::Line { line, .. } => line,
        ref other => panic!("expected a line, got {other:?} in {error}"),
    }
}

const MINIMAL: &str = r#"
[manager]
version = "4.3.11"
deployment = "standalone"
os = "el7.9"

[[clusters]]
name = "Default"
version = "4.3"

[[hosts]]
name = "host1"
cluster = "Default"
memory = "64 GiB"
"#;

#[test]
fn a_minimal_scenario_loads() {
    let inventory = parse_scenario(MINIMAL, "minimal.toml").unwrap();
    assert_eq!(inventory.data_centers[0].name, "Default");
    assert_eq!(inventory.hosts[0].memory, 64 * GIB);
    assert_eq!(inventory.hosts[0].spm, model::SpmStatus::Spm);
}

#[test]
fn syntax_errors_name_the_line() {
    let error = scenario_error(&format!("{MINIMAL}\n[[vms]\nname = \"x\"\n"));
    assert_eq!(first_line(&error), 16);
    assert!(error.to_string().starts_with("broken.toml:16:"), "{error}");
}

#[test]
fn unknown_fields_are_named_with_their_line_and_a_hint() {
    let error =
        scenario_error(&MINIMAL.replace("memory = \"64 GiB\"", "memory = \"64 GiB\"\nmemroy = 3"));
    let text = error.to_string();
    assert_eq!(first_line(&error), 15);
    assert!(text.contains("unknown field `memroy`"), "{text}");
    assert!(text.contains("hint:"), "{text}");
}

#[test]
fn a_vm_on_a_missing_host_is_refused_with_the_known_hosts() {
    let text = format!("{MINIMAL}\n[[vms]]\nname = \"web\"\ncluster = \"Default\"\nhost = \"host9\"\nmemory = \"4 GiB\"\n");
    let error = scenario_error(&text);
    assert_eq!(first_line(&error), 19);
    let message = error.to_string();
    assert!(
        message.contains("VM \"web\": host \"host9\" does not exist"),
        "{message}"
    );
    assert!(message.contains("known hosts: host1"), "{message}");
}

#[test]
fn duplicate_names_are_refused() {
    let text = format!(
        "{MINIMAL}\n[[hosts]]\nname = \"host1\"\ncluster = \"Default\"\nmemory = \"64 GiB\"\n"
    );
    let error = scenario_error(&text);
    assert_eq!(first_line(&error), 17);
    assert!(error
        .to_string()
        .contains("host name \"host1\" is used twice"));
}

#[test]
fn duplicate_ids_are_refused_by_field() {
    let id = "2812e1c2-fb19-4bf9-ac42-74c069a5e507";
    let text = MINIMAL.replace("memory = \"64 GiB\"", &format!("memory = \"64 GiB\"\nid = \"{id}\""))
        + &format!("\n[[hosts]]\nname = \"host2\"\ncluster = \"Default\"\nmemory = \"64 GiB\"\nid = \"{id}\"\n");
    let error = scenario_error(&text);
    assert_eq!(
        error.problems[0].location,
        Location::Field("hosts[1].id".into())
    );
    assert!(
        error.to_string().contains("already used by hosts[0]"),
        "{error}"
    );
}

#[test]
fn versions_that_do_not_exist_are_refused() {
    let error = scenario_error(&MINIMAL.replace("4.3.11", "4.3.99"));
    assert_eq!(first_line(&error), 3);
    assert!(
        error.to_string().contains("the 4.3 line ended at 4.3.11"),
        "{error}"
    );

    let error = scenario_error(&MINIMAL.replace("version = \"4.3\"", "version = \"4.9\""));
    assert_eq!(first_line(&error), 9);
    assert!(
        error
            .to_string()
            .contains("compatibility level 4.9 does not exist"),
        "{error}"
    );

    let error = scenario_error(&MINIMAL.replace("4.3.11", "four"));
    assert_eq!(first_line(&error), 3);
}

#[test]
fn groups_that_do_not_fit_are_refused() {
    let text = MINIMAL.replace(
        "version = \"4.3\"\n",
        "version = \"4.3\"\nvms = { count = 50, memory = \"16 GiB\" }\n",
    );
    let error = scenario_error(&text);
    assert!(
        error
            .to_string()
            .contains("does not fit on any of its 1 up hosts"),
        "{error}"
    );
}

#[test]
fn broken_inventories_are_refused_with_the_field_or_line() {
    let good = to_json(&parse_scenario(MINIMAL, "m.toml").unwrap());
    let text = String::from_utf8(good).unwrap();

    let error = parse_inventory(
        text.replace("\"format\": 1", "\"format\": 7").as_bytes(),
        "old.json",
    )
    .unwrap_err();
    assert!(error.to_string().contains("inventory format 7"), "{error}");

    let error = parse_inventory(&text.as_bytes()[..text.len() / 2], "cut.json").unwrap_err();
    assert!(matches!(error.problems[0].location, Location::Line { .. }));
    assert!(error.to_string().contains("cut short"), "{error}");

    let error = parse_inventory(
        text.replacen("\"status\": \"up\"", "\"status\": \"flying\"", 1)
            .as_bytes(),
        "enum.json",
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("unknown variant `flying`"),
        "{error}"
    );

    let cluster_id = text.split("\"cluster\": \"").nth(1).unwrap()[..36].to_owned();
    let orphan = text.replace(
        &format!("\"cluster\": \"{cluster_id}\""),
        "\"cluster\": \"00000000-0000-0000-0000-000000000001\"",
    );
    let error = parse_inventory(orphan.as_bytes(), "orphan.json").unwrap_err();
    assert_eq!(
        error.problems[0].location,
        Location::Field("hosts[0].cluster".into())
    );

    let error =
        parse_inventory(b"<html><body>502 Bad Gateway</body></html>", "page.json").unwrap_err();
    assert!(error.to_string().contains("not valid JSON"), "{error}");

    let error = parse_inventory(br#"{"name": "x"}"#, "other.json").unwrap_err();
    assert!(
        error.to_string().contains("not an ovirt-upgrade inventory"),
        "{error}"
    );
}

#[test]
fn unreadable_and_unknown_sources_are_explained() {
    let error = scenario::load("/nonexistent/env.toml").unwrap_err();
    assert!(
        error.to_string().contains("cannot read the file"),
        "{error}"
    );
    let error = scenario::load("example:nope").unwrap_err();
    assert!(
        error.to_string().contains("examples: self-hosted"),
        "{error}"
    );
}
