//! The client against the HTTP simulated engine (`ovirt_sim::http`), the same server
//! `ovirt-upgrade sim serve` runs: login, faults, TLS with its CA, and the whole environment
//! read back.

use std::time::Duration;

use model::engine::{DomainAction, Engine, EngineError, HostAction, NewLocalDomain, VmAction};
use model::{Inventory, StorageDomainStatus, Timestamp, VmStatus};
use ovirt_client::{Client, Config, ErrorKind, Password, Retry, Scope, Tls};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{Faults, SimConfig, SimEngine, Simulator};

use crate::{as_the_api_shows_it, largest_example};

const START: Timestamp = Timestamp::from_millis(1_768_046_400_000);

async fn start(inventory: Inventory, faults: &str, tls: bool) -> HttpSim {
    serve(
        inventory,
        faults,
        ServeOptions {
            tls,
            ..ServeOptions::default()
        },
    )
    .await
}

/// The simulated engine over `inventory`, served as `options` say.
pub(crate) async fn serve(inventory: Inventory, faults: &str, options: ServeOptions) -> HttpSim {
    let simulator = Simulator::new(
        inventory,
        SimConfig::default(),
        faults.parse().unwrap(),
        7,
        START,
    );
    HttpSim::start(SimEngine::new(simulator, 60.0, 7), options)
        .await
        .unwrap()
}

pub(crate) fn config(server: &HttpSim, password: &str) -> Config {
    let mut config = Config::new(
        server.api_url(),
        Credentials::default().username,
        Password::new(password),
    );
    config.retry = Retry {
        attempts: 8,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    };
    config
}

pub(crate) fn password() -> String {
    Credentials::default().password
}

#[tokio::test]
async fn logs_in_with_sso_reads_and_logs_out() {
    let server = start(crate::example("self-hosted"), "", false).await;
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let expected = server.engine().simulator().inventory().clone();
    assert_eq!(client.engine_version(), expected.manager.version);
    let host = client.host(expected.hosts[0].id).await.unwrap();
    assert_eq!(host.name, expected.hosts[0].name);
    assert_eq!(
        host.hosted_engine, expected.hosts[0].hosted_engine,
        "all_content brings the hosted-engine state"
    );
    client.close().await.unwrap();
    // The token is revoked: the next request logs in again, so it still works.
    client.host(expected.hosts[0].id).await.unwrap();
}

#[tokio::test]
async fn the_newest_event_is_found_without_reading_the_whole_log() {
    let server = start(crate::example("self-hosted"), "", false).await;
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let host = server.engine().simulator().inventory().hosts[0].id;
    client
        .host_action(host, HostAction::UpgradeCheck)
        .await
        .unwrap();
    let all = client.events(None).await.unwrap();
    assert!(all.len() > 1, "the log has several events");
    assert_eq!(client.newest_event_id().await.unwrap(), Some(all[0].id));
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_hint() {
    let server = start(crate::example("self-hosted"), "", false).await;
    let error = Client::connect(&config(&server, "not-the-password"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Authentication);
    assert!(
        error.to_string().contains("access_denied")
            || error.to_string().contains("Cannot authenticate"),
        "{error}"
    );
    assert!(error.to_string().contains("--password-file"), "{error}");
}

#[tokio::test]
async fn expired_tokens_and_503s_are_survived() {
    let server = start(
        crate::example("self-hosted"),
        "token-expiry:0.1,unavailable:0.2",
        false,
    )
    .await;
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let expected = server.engine().simulator().inventory().clone();
    for host in &expected.hosts {
        let read = client.host(host.id).await.unwrap();
        assert_eq!(read.id, host.id);
    }
    let inventory = client
        .read_inventory(Scope::Everything, &|_| {})
        .await
        .unwrap();
    assert_eq!(inventory.vms.len(), expected.vms.len());
}

#[tokio::test]
async fn tls_needs_the_engines_ca() {
    let server = start(crate::example("self-hosted"), "", true).await;
    let error = Client::connect(&config(&server, &password()))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Tls, "{error}");
    assert!(error.to_string().contains("pass --ca-file"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("engine-ca.pem");
    std::fs::write(&ca, server.ca_pem().unwrap()).unwrap();
    let mut trusted = config(&server, &password());
    trusted.tls = Tls::CaFile(ca);
    let client = Client::connect(&trusted).await.unwrap();
    let hosts = client
        .read_inventory(Scope::Everything, &|_| {})
        .await
        .unwrap()
        .hosts;
    assert_eq!(
        hosts.len(),
        server.engine().simulator().inventory().hosts.len()
    );
}

#[tokio::test]
async fn the_largest_example_reads_back_as_its_scenario() {
    let scenario = largest_example();
    let server = start(scenario.clone(), "", false).await;
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let read = client
        .read_inventory(Scope::Everything, &|_| {})
        .await
        .unwrap();
    assert_eq!(read.manager.os.major, scenario.manager.os.major);
    let mut read_back = as_the_api_shows_it(read);
    read_back.manager.os = scenario.manager.os;
    assert_eq!(read_back, as_the_api_shows_it(scenario));
}

/// The host migration's calls (guide §1.1.8) on a 4.4 engine: a host taken out with
/// `DELETE /hosts/{id}`, its machine reinstalled through the simulator's control, and added
/// back with `POST /hosts` and a root password that shows nowhere. A host being deployed
/// has not reported its system yet; the client takes it to run what the Manager's hosts must.
#[tokio::test]
async fn a_host_is_removed_reinstalled_and_added_back() {
    use model::engine::{EngineError, NewHost, SshAuthentication};
    use model::{ElVersion, HostStatus, HostType};

    let mut inventory = crate::example("standalone-local");
    inventory.manager.version = "4.4.10".parse().unwrap();
    let simulator = Simulator::new(inventory, SimConfig::default(), Faults::default(), 7, START);
    let server = HttpSim::start(
        SimEngine::new(simulator, 100_000.0, 7),
        ServeOptions::default(),
    )
    .await
    .unwrap();
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let inventory = client.inventory().await.unwrap();
    let id_of = |name: &str| inventory.hosts.iter().find(|h| h.name == name).unwrap().id;
    let (host1, host3) = (id_of("host1"), id_of("host3"));
    let cluster = inventory.clusters[0].id;

    match client.remove_host(host1, false).await {
        Err(EngineError::Refused { status, detail, .. }) => {
            assert_eq!(status, 409);
            assert!(detail.contains("Maintenance mode first"), "{detail}");
        }
        other => panic!("an up host is not removed: {other:?}"),
    }
    client
        .host_action(
            host3,
            HostAction::Deactivate {
                reason: None,
                stop_gluster_service: false,
            },
        )
        .await
        .unwrap();
    wait_for(&client, host3, HostStatus::Maintenance).await;
    client.remove_host(host3, false).await.unwrap();
    assert!(matches!(
        client.host(host3).await,
        Err(EngineError::NotFound { .. })
    ));

    let el8 = ElVersion::new(8, 6);
    client
        .reinstall_simulated_machine("host3.example.com", el8, HostType::Rhel, false)
        .await
        .unwrap();
    for _ in 0..500 {
        let machines = client.simulated_machines().await.unwrap();
        let host3 = machines["machines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["address"] == "host3.example.com")
            .unwrap()
            .clone();
        if host3["state"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let back = NewHost::new(
        "host3",
        "host3.example.com",
        cluster,
        SshAuthentication::Password(Password::new("s3cret")),
    );
    assert!(!format!("{back:?}").contains("s3cret"));
    let added = client.add_host(back).await.unwrap();
    assert_eq!(added.status, HostStatus::Installing);
    assert_eq!(
        added.os,
        ElVersion::new(8, 2),
        "the oldest a 4.4 Manager's hosts run"
    );
    let up = wait_for(&client, added.id, HostStatus::Up).await;
    assert_eq!(up.os, el8);
    let sim = server.engine().simulator();
    let violations = sim.history().check(sim.inventory(), sim.now());
    assert!(violations.is_empty(), "{violations:?}");
}

async fn wait_for(client: &Client, host: model::HostId, status: model::HostStatus) -> model::Host {
    for _ in 0..1000 {
        let read = client.host(host).await.unwrap();
        if read.status == status {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("host {host} never got {status}");
}

/// Polls the engine until `done` holds of what `read` gives.
async fn until<T, F: std::future::Future<Output = T>>(
    read: impl Fn() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    for _ in 0..500 {
        let value = read().await;
        if done(&value) {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never got there");
}

/// Guide §1.1.9 through the seam over HTTP: the local domain out of service, destroyed,
/// imported again with its id, attached, and its VMs registered down.
#[tokio::test]
async fn a_local_domain_is_destroyed_imported_and_its_vms_registered() {
    let mut simulator = Simulator::new(
        crate::example("local-storage"),
        SimConfig::default(),
        Faults::default(),
        7,
        START,
    );
    simulator
        .set_manager_version("4.4.10".parse().unwrap())
        .unwrap();
    let server = HttpSim::start(SimEngine::new(simulator, 600.0, 7), ServeOptions::default())
        .await
        .unwrap();
    let client = Client::connect(&config(&server, &password()))
        .await
        .unwrap();
    let before = client.inventory().await.unwrap();
    let old = before.storage_domains[0].clone();
    assert_eq!(old.path.as_deref(), Some("/data/branch-local"));
    let (dc, cluster, host) = (
        before.data_centers[0].id,
        before.clusters[0].id,
        before.hosts[0].id,
    );
    for vm in &before.vms {
        client.vm_action(vm.id, VmAction::Stop).await.unwrap();
        until(
            || client.vm(vm.id),
            |v| v.as_ref().unwrap().status == VmStatus::Down,
        )
        .await
        .unwrap();
    }
    client
        .storage_domain_action(dc, old.id, DomainAction::Deactivate)
        .await
        .unwrap();
    until(
        || client.inventory(),
        |i| i.as_ref().unwrap().storage_domains[0].status == StorageDomainStatus::Maintenance,
    )
    .await
    .unwrap();
    client.destroy_storage_domain(old.id).await.unwrap();
    assert_eq!(
        client.destroy_storage_domain(old.id).await.unwrap_err(),
        EngineError::NotFound {
            kind: "storage domain",
            id: old.id.to_string()
        }
    );

    // No REST call imports a local domain: the administrator does it in the portal.
    let imported = server
        .engine()
        .import_local_domain("branch-host", "/data/branch-local", &old.name)
        .unwrap();
    assert_eq!(imported, old.id);
    until(
        || client.inventory(),
        |i| i.as_ref().unwrap().storage_domains[0].status == StorageDomainStatus::Active,
    )
    .await
    .unwrap();
    // A new local domain is attached by the engine itself, beside the imported master.
    let made = client
        .add_local_domain(NewLocalDomain {
            name: "branch-new".into(),
            host,
            path: "/localfs".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        (made.data_center, made.path.as_deref()),
        (Some(dc), Some("/localfs"))
    );
    let waiting = client.unregistered_vms(old.id).await.unwrap();
    let mut names: Vec<&str> = waiting.iter().map(|v| v.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["file-server", "print-server"]);
    for vm in &waiting {
        client.register_vm(old.id, vm.id, cluster).await.unwrap();
        assert_eq!(client.vm(vm.id).await.unwrap().status, VmStatus::Down);
    }
    assert!(client.unregistered_vms(old.id).await.unwrap().is_empty());
    let again = client
        .register_vm(old.id, waiting[0].id, cluster)
        .await
        .unwrap_err();
    assert!(
        matches!(again, EngineError::Refused { status: 409, .. }),
        "{again:?}"
    );
}
