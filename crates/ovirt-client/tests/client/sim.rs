//! The client against the HTTP simulated engine (`ovirt_sim::http`), the same server
//! `ovirt-upgrade sim serve` runs: login, faults, TLS with its CA, and the whole environment
//! read back.

use std::time::Duration;

use model::engine::{Engine, HostAction};
use model::{Inventory, Timestamp};
use ovirt_client::{Client, Config, ErrorKind, Password, Retry, Scope, Tls};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};

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
