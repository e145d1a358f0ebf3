//! Exports of real engines' recorded answers (crates/ovirt-wire/tests/fixtures/real-engine,
//! SOURCES.md there), as they were and with one thing changed at a time: whatever a real
//! engine answers, the export is whole, consistent, and names what it left out.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use model::Inventory;
use ovirt_client::{Export, Scope};

use crate::stub::{self, Stub};
use crate::{connect, example};

const SDK_REFRESH: &str = "env-4.3-sdk-refresh";
/// The cluster of SDK_REFRESH whose data center was removed.
const DETACHED_CLUSTER: &str = "5a55d518-00c7-00ef-015b-000000000055";
const HOST_BODH2: &str = "9be35c00-6523-4c2f-89d2-680a6b6da4c0";
const VM_ON: &str = "a1293e54-dae8-496f-baa4-27719592113e";

fn environments_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ovirt-wire/tests/fixtures/real-engine")
}

/// A stub engine of the Manager version the recordings were made with, answering with the
/// recorded environment `name`.
fn recorded_engine(name: &str) -> Arc<Stub> {
    let mut manager = example("self-hosted");
    manager.manager.version = "4.3.5".parse().unwrap();
    let stub = Stub::new(manager);
    stub.replay(&environments_dir().join(name));
    stub
}

/// Changes one recorded answer, as a later or a different engine would send it.
fn change(stub: &Stub, path: &str, edit: impl FnOnce(String) -> String) {
    let mut recorded = stub.recorded.lock().unwrap();
    let body = recorded.remove(path).unwrap();
    let changed = edit(body.clone());
    assert_ne!(changed, body, "the change to {path} applies");
    recorded.insert(path.to_owned(), changed);
}

async fn export(stub: &Arc<Stub>) -> Export {
    let url = stub::serve(stub.clone(), None).await;
    let export = connect(&url)
        .await
        .export(Scope::Everything, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("the export stopped: {e}"));
    assert_consistent(&export.inventory);
    export
}

/// Loads as any inventory file must: nothing dangling, nothing contradictory.
fn assert_consistent(inventory: &Inventory) {
    let problems = inventory.validate();
    assert!(problems.is_empty(), "{problems:#?}");
    let json = scenario::to_json(inventory);
    let again: Inventory = serde_json::from_slice(&json).unwrap();
    assert_eq!(&again, inventory, "the file reads back");
}

/// The warning about the object with this id.
fn warning_about<'a>(export: &'a Export, id: &str) -> &'a ovirt_client::Warning {
    export
        .warnings
        .iter()
        .find(|w| w.object.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no warning about {id}: {:#?}", export.warnings))
}

fn left_out(export: &Export, id: &str) -> bool {
    export
        .inventory
        .left_out
        .iter()
        .any(|o| o.id.as_deref() == Some(id))
}

#[tokio::test]
async fn every_recorded_environment_exports_whole_and_consistent() {
    let mut environments: Vec<PathBuf> = std::fs::read_dir(environments_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    environments.sort();
    assert!(environments.len() >= 3, "{environments:?}");
    for dir in environments {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let export = export(&recorded_engine(&name)).await;
        let inventory = &export.inventory;
        assert!(
            !inventory.hosts.is_empty() && !inventory.vms.is_empty() && !inventory.disks.is_empty(),
            "{name}: {} hosts, {} VMs, {} disks",
            inventory.hosts.len(),
            inventory.vms.len(),
            inventory.disks.len()
        );
        assert!(
            !inventory.storage_domains.is_empty() && !inventory.clusters.is_empty(),
            "{name}"
        );
        // Every object left out is named by a warning.
        for object in &inventory.left_out {
            assert!(
                export.warnings.iter().any(|w| w.object.id == object.id
                    && w.message == format!("left out: {}", object.reason)),
                "{name}: {object:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_cluster_without_a_data_center_exports_with_a_warning() {
    let stub = recorded_engine(SDK_REFRESH);
    let export = export(&stub).await;
    let warning = warning_about(&export, DETACHED_CLUSTER);
    assert_eq!(
        warning.to_string(),
        format!(
            "cluster \"Default\" (id {DETACHED_CLUSTER}): left out: <data_center> is missing: the cluster \
             belongs to no data center (as after its data center was force-removed)"
        )
    );
    assert!(left_out(&export, DETACHED_CLUSTER));
    assert!(export
        .inventory
        .clusters
        .iter()
        .all(|c| c.id.to_string() != DETACHED_CLUSTER));
    // The clusters that belong to a data center are all there.
    assert_eq!(export.inventory.clusters.len(), 2);
}

#[tokio::test]
async fn the_hosts_and_vms_of_a_cluster_without_a_data_center_are_left_out_by_name() {
    let stub = recorded_engine(SDK_REFRESH);
    // bodh2 moved into the detached cluster, with a VM running on it.
    change(&stub, "hosts", |body| {
        body.replace(
            "<cluster href=\"/ovirt-engine/api/clusters/b875154c-5b87-4068-aa3f-f32c4d672193\" id=\"b875154c-5b87-4068-aa3f-f32c4d672193\"/>",
            &format!("<cluster href=\"/ovirt-engine/api/clusters/{DETACHED_CLUSTER}\" id=\"{DETACHED_CLUSTER}\"/>"),
        )
    });
    change(&stub, "vms", |body| {
        body.replace("ce40bb38-f10a-43f3-8e15-d0ffad692a19", HOST_BODH2)
    });
    let export = export(&stub).await;
    assert_eq!(
        warning_about(&export, HOST_BODH2).message,
        "left out: its cluster \"Default\", which is left out"
    );
    assert_eq!(
        warning_about(&export, VM_ON).message,
        "left out: it runs on host \"bodh2\", which is left out"
    );
    assert!(left_out(&export, HOST_BODH2) && left_out(&export, VM_ON));
    // The VM's disks stay, without the VM they were attached to.
    assert!(export
        .inventory
        .disks
        .iter()
        .all(|d| d.vm.map(|vm| vm.to_string()).as_deref() != Some(VM_ON)));
    assert!(export
        .warnings
        .iter()
        .any(|w| w.object.kind == "disk" && w.message.contains("VM \"vm_on\", which is left out")));
}

#[tokio::test]
async fn a_down_vm_has_no_host_and_exports_as_it_is() {
    let export = export(&recorded_engine(SDK_REFRESH)).await;
    let vm_off = export
        .inventory
        .vms
        .iter()
        .find(|vm| vm.name == "vm_off")
        .unwrap();
    assert_eq!((vm_off.status, vm_off.host), (model::VmStatus::Down, None));
    assert!(export
        .warnings
        .iter()
        .all(|w| w.object.name.as_deref() != Some("vm_off")));
}

#[tokio::test]
async fn a_running_vm_whose_host_link_is_missing_is_left_out_with_a_warning() {
    let stub = recorded_engine(SDK_REFRESH);
    change(&stub, "vms", |body| {
        body.replace(
            "        <host href=\"/ovirt-engine/api/hosts/ce40bb38-f10a-43f3-8e15-d0ffad692a19\" id=\"ce40bb38-f10a-43f3-8e15-d0ffad692a19\"/>\n",
            "",
        )
    });
    let export = export(&stub).await;
    assert_eq!(
        warning_about(&export, VM_ON).to_string(),
        format!(
            "VM \"vm_on\" (id {VM_ON}): left out: it is up but the engine names no host it runs on"
        )
    );
    assert!(export.inventory.vms.iter().all(|vm| vm.name != "vm_on"));
}

#[tokio::test]
async fn missing_optional_elements_leave_the_object_in_or_name_why_not() {
    let stub = recorded_engine(SDK_REFRESH);
    // bodh1 without memory, cpu or hosted-engine state; bodh2 without its os and vdsm version.
    change(&stub, "hosts", |body| {
        let (bodh1, bodh2) = body.split_at(
            body.find(&format!(
                "<host href=\"/ovirt-engine/api/hosts/{HOST_BODH2}\""
            ))
            .unwrap(),
        );
        let bodh1 = without_element(
            &without_element(&without_element(bodh1, "memory"), "cpu"),
            "hosted_engine",
        );
        let bodh2 = without_element(
            &without_element(&without_element(bodh2, "os"), "version"),
            "libvirt_version",
        );
        format!("{bodh1}{bodh2}")
    });
    // Domains without their sizes; disks without their actual sizes.
    for path in [
        "storagedomains",
        "datacenters/2812e1c2-fb19-4bf9-ac42-74c069a5e507/storagedomains",
        "datacenters/944df9ee-3274-43c4-908f-8c35e59e483b/storagedomains",
    ] {
        change(&stub, path, |body| {
            without_element(
                &without_element(&without_element(&body, "available"), "used"),
                "committed",
            )
        });
    }
    change(&stub, "disks", |body| {
        without_element(&without_element(&body, "actual_size"), "total_size")
    });
    let export = export(&stub).await;
    let inventory = &export.inventory;
    let bodh1 = inventory.hosts.iter().find(|h| h.name == "bodh1").unwrap();
    assert_eq!(bodh1.memory, 0);
    assert!(bodh1.hosted_engine.is_none());
    assert_eq!(
        warning_about(&export, HOST_BODH2).message,
        "left out: <os><version> is missing or names no Enterprise Linux release, and no package version names one"
    );
    let with_sizes = export_of_unchanged().await;
    assert_eq!(inventory.storage_domains, with_sizes.storage_domains);
    assert_eq!(inventory.disks.len(), with_sizes.disks.len());
    assert!(inventory
        .disks
        .iter()
        .flat_map(|d| &d.volumes)
        .all(|v| v.actual_size == 0));
}

async fn export_of_unchanged() -> Inventory {
    export(&recorded_engine(SDK_REFRESH)).await.inventory
}

/// The text without every element `<tag>…</tag>` (or `<tag/>`) of that name.
fn without_element(text: &str, tag: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    let open = format!("<{tag}>");
    let empty = format!("<{tag}/>");
    let close = format!("</{tag}>");
    loop {
        let at = [rest.find(&open), rest.find(&empty)]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = at else { break };
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        rest = if rest.starts_with(&empty) {
            &rest[empty.len()..]
        } else {
            let end = rest.find(&close).expect("closed") + close.len();
            &rest[end..]
        };
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn values_and_elements_a_later_engine_added_do_not_stop_the_export() {
    let stub = recorded_engine(SDK_REFRESH);
    change(&stub, "hosts", |body| {
        body.replacen(
            "<status>up</status>",
            "<status>upgrading_firmware</status><quantum_state>superposed</quantum_state>",
            1,
        )
    });
    change(&stub, "vms", |body| {
        body.replace("<status>down</status>", "<status>hibernating</status>")
    });
    change(&stub, "storagedomains", |body| {
        body.replacen("<type>nfs</type>", "<type>nvme_of</type>", 1)
    });
    let export = export(&stub).await;
    let bodh1 = warning_about(&export, "ce40bb38-f10a-43f3-8e15-d0ffad692a19");
    assert!(
        bodh1.to_string().starts_with(
            "host \"bodh1\" (id ce40bb38-f10a-43f3-8e15-d0ffad692a19): left out: <status> has unknown value \"upgrading_firmware\""
        ),
        "{bodh1}"
    );
    let vm_off = warning_about(&export, "8070fa6d-5b82-412c-9d41-a00017205c73");
    assert!(
        vm_off
            .message
            .starts_with("left out: <status> has unknown value \"hibernating\""),
        "{vm_off}"
    );
    assert!(
        export
            .warnings
            .iter()
            .any(|w| w.object.kind == "storage domain"
                && w.message
                    .contains("<storage><type> has unknown value \"nvme_of\"")),
        "{:#?}",
        export.warnings
    );
    // bodh2 and its VMs are unaffected.
    assert!(export.inventory.hosts.iter().any(|h| h.name == "bodh2"));
}

#[tokio::test]
async fn an_answer_that_is_not_the_engines_shape_still_stops_the_export_and_says_why() {
    let stub = recorded_engine(SDK_REFRESH);
    change(&stub, "hosts", |body| body[..body.len() / 2].to_owned());
    let url = stub::serve(stub.clone(), None).await;
    let error = connect(&url)
        .await
        .export(Scope::Everything, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("/hosts") && error.contains("malformed XML at line"),
        "{error}"
    );
}

/// A host being deployed has not reported its system yet. ovirt-engine's
/// `HostMapper.mapOperatingSystem` then gives `<os>` with only the custom kernel command line,
/// and vdsm's `<version>` is unknown too. An export cannot say what such a host runs, so it
/// leaves it out by name; the seam keeps it, as `host` does (the oldest system the Manager's
/// hosts run), so that `migrate-hosts`, waiting for the host it added back, sees it install.
#[tokio::test]
async fn a_host_that_has_not_reported_its_system_is_left_out_of_an_export_but_seen_by_a_run() {
    use model::engine::Engine as _;
    const H1: &str = "dc0e9719-0189-49b1-81dc-b3db078a8ed0";
    let stub = recorded_engine("env-4.3-multi-datacenter");
    // H1, the first host, as the engine shows it before vdsm reports.
    change(&stub, "hosts", |hosts| {
        let span = |xml: &str, from: usize, tag: &str| {
            let start = from + xml[from..].find(&format!("<{tag}>")).unwrap();
            let close = format!("</{tag}>");
            (
                start,
                start + xml[start..].find(&close).unwrap() + close.len(),
            )
        };
        let (start, end) = span(&hosts, 0, "os");
        let hosts = format!(
            "{}<os><custom_kernel_cmdline></custom_kernel_cmdline></os>{}",
            &hosts[..start],
            &hosts[end..]
        );
        // vdsm's version is the host's own `<version>`, after `<os>`; libvirt's comes before.
        let (start, end) = span(&hosts, start, "version");
        let hosts = format!("{}{}", &hosts[..start], &hosts[end..]);
        let (start, end) = span(&hosts, 0, "libvirt_version");
        format!("{}{}", &hosts[..start], &hosts[end..])
    });
    let exported = export(&stub).await;
    assert!(left_out(&exported, H1));
    assert!(
        warning_about(&exported, H1).to_string().contains("<os>"),
        "{}",
        warning_about(&exported, H1)
    );
    let url = stub::serve(stub.clone(), None).await;
    let seen = connect(&url).await.inventory().await.unwrap();
    let h1 = seen.hosts.iter().find(|h| h.id.to_string() == H1);
    assert!(
        h1.is_some_and(|h| h.os.major == 7),
        "taken to run the oldest system a 4.3 Manager's hosts run: {h1:?}"
    );
}
