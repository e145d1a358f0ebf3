//! The client against engines that behave and engines that do not: login (SSO, Basic, an
//! expired token), retries, refusals, jobs, TLS, bad answers, and the whole inventory read
//! back through the API.

mod certs;
mod recorded;
mod sim;
mod stub;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use model::engine::{Engine, EngineError, HostAction, VmAction};
use model::Inventory;
use ovirt_client::{Client, ClientError, Config, ErrorKind, Password, Progress, Retry, Scope, Tls};
use stub::{Stub, StubTls, PASSWORD, USER};

fn example(name: &str) -> Inventory {
    scenario::load(&format!("example:{name}")).unwrap()
}

/// Quick retries, so that the tests that exhaust them do not wait.
fn config(url: &str, password: &str) -> Config {
    let mut config = Config::new(url, USER, Password::new(password));
    config.retry = Retry {
        attempts: 3,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    };
    config.connect_timeout = Duration::from_secs(5);
    config.read_timeout = Duration::from_secs(30);
    config
}

async fn connect(url: &str) -> Client {
    Client::connect(&config(url, PASSWORD)).await.unwrap()
}

fn shown(error: &ClientError) -> String {
    error.to_string()
}

#[tokio::test]
async fn sso_login_then_every_request_carries_the_token_version_and_correlation_id() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let mut config = config(&url, PASSWORD);
    config.correlation_id = Some("run-42".into());
    let client = Client::connect(&config).await.unwrap();
    assert_eq!(client.engine_version(), stub.inventory.manager.version);

    let host = &stub.inventory.hosts[0];
    let read = client.host(host.id).await.unwrap();
    assert_eq!(read.name, host.name);

    assert_eq!(
        stub.logins.load(Ordering::SeqCst),
        1,
        "one login for the session"
    );
    let seen = stub.api_requests();
    assert!(seen.len() >= 2);
    for request in &seen {
        assert_eq!(request.version.as_deref(), Some("4"), "{request:?}");
        assert_eq!(request.correlation_id.as_deref(), Some("run-42"));
        assert_eq!(request.authorization.as_deref(), Some("Bearer token-1"));
    }
    let host_request = seen.last().unwrap();
    assert!(
        host_request.uri.contains("all_content=true"),
        "{host_request:?}"
    );
    assert_eq!(host_request.all_content.as_deref(), Some("true"));

    client.close().await.unwrap();
    assert_eq!(stub.logouts.load(Ordering::SeqCst), 1);
    assert_eq!(stub.live_tokens(), 0, "the token was revoked");
}

#[tokio::test]
async fn without_sso_the_client_falls_back_to_basic_authentication() {
    let stub = Stub::new(example("self-hosted"));
    stub.sso.store(false, Ordering::SeqCst);
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    client.host(stub.inventory.hosts[0].id).await.unwrap();
    let seen = stub.api_requests();
    assert!(seen.iter().all(|r| r
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("Basic "))));
    client.close().await.unwrap();
    assert_eq!(
        stub.logouts.load(Ordering::SeqCst),
        0,
        "no token, no logout"
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_request_replayed() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    stub.expire_tokens();
    let host = client.host(stub.inventory.hosts[0].id).await.unwrap();
    assert_eq!(host.id, stub.inventory.hosts[0].id);
    assert_eq!(stub.logins.load(Ordering::SeqCst), 2);
    let last = stub.api_requests().pop().unwrap();
    assert_eq!(last.authorization.as_deref(), Some("Bearer token-2"));
}

#[tokio::test]
async fn reads_are_retried_on_503_until_the_budget_is_spent() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let host = stub.inventory.hosts[0].id;

    stub.unavailable.store(2, Ordering::SeqCst);
    let before = stub.api_requests().len();
    client.host(host).await.unwrap();
    assert_eq!(
        stub.api_requests().len() - before,
        3,
        "two 503s, then the answer"
    );

    stub.unavailable.store(100, Ordering::SeqCst);
    let error = client.host(host).await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    let EngineError::Unavailable(message) = error else {
        panic!("expected unavailable, got {error}");
    };
    assert!(message.contains("503"), "{message}");
    assert!(
        message.contains("/ovirt-engine/api/hosts/"),
        "names the request: {message}"
    );
}

#[tokio::test]
async fn actions_that_must_not_repeat_are_retried_only_when_the_engine_did_not_take_them() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let host = stub.inventory.hosts[0].id;

    // A 503 means the engine did not take it: sent again.
    stub.unavailable.store(1, Ordering::SeqCst);
    client
        .host_action(
            host,
            HostAction::Upgrade {
                reboot: true,
                timeout_minutes: None,
            },
        )
        .await
        .unwrap();
    let upgrades = stub
        .api_requests()
        .iter()
        .filter(|r| r.method == "POST" && r.uri.ends_with("/upgrade"))
        .count();
    assert_eq!(upgrades, 2);
}

#[tokio::test]
async fn a_refusal_carries_the_engines_fault() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    stub.action_answers.lock().unwrap().push((
        409,
        "<action><fault><detail>[Cannot upgrade Host. There are no available updates for the host.]</detail>\
         <reason>Operation Failed</reason></fault><status>failed</status></action>"
            .into(),
    ));
    let error = client
        .host_action(
            stub.inventory.hosts[0].id,
            HostAction::Upgrade {
                reboot: true,
                timeout_minutes: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        error,
        EngineError::Refused {
            status: 409,
            reason: "Operation Failed".into(),
            detail: "[Cannot upgrade Host. There are no available updates for the host.]".into(),
        }
    );
}

#[tokio::test]
async fn an_action_still_running_is_waited_for_and_its_failed_job_reported() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let vm = stub.inventory.vms[0].id;
    let running = "<action><job href=\"/ovirt-engine/api/jobs/77\" id=\"77\"/><status>in_progress</status></action>";
    stub.action_answers
        .lock()
        .unwrap()
        .push((202, running.into()));
    *stub.job_states.lock().unwrap() = vec!["started", "finished"];
    client
        .vm_action(
            vm,
            VmAction::Migrate {
                host: None,
                force: false,
            },
        )
        .await
        .unwrap();
    let polls = stub
        .api_requests()
        .iter()
        .filter(|r| r.uri.ends_with("/jobs/77"))
        .count();
    assert_eq!(polls, 2, "polled until the job finished");

    stub.action_answers
        .lock()
        .unwrap()
        .push((202, running.into()));
    *stub.job_states.lock().unwrap() = vec!["failed"];
    let error = client
        .vm_action(
            vm,
            VmAction::Migrate {
                host: None,
                force: false,
            },
        )
        .await
        .unwrap_err();
    let EngineError::Refused {
        status,
        reason,
        detail,
    } = error
    else {
        panic!("expected a refusal, got {error}");
    };
    assert_eq!(
        (status, reason.as_str(), detail.as_str()),
        (202, "job failed", "Migrating VM")
    );
}

#[tokio::test]
async fn a_wrong_password_says_to_check_the_credentials() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let error = Client::connect(&config(&url, "wrong")).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Authentication);
    let text = shown(&error);
    assert!(text.contains("/ovirt-engine/sso/oauth/token"), "{text}");
    assert!(
        text.contains("Cannot authenticate user 'admin@internal'"),
        "{text}"
    );
    assert!(text.contains("hint: check the user name"), "{text}");
    assert!(text.contains("--password-file"), "{text}");

    // The same through Basic authentication: the engine's 401.
    stub.sso.store(false, Ordering::SeqCst);
    let error = Client::connect(&config(&url, "wrong")).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Authentication);
    assert!(
        shown(&error).contains("refused the credentials of admin@internal (HTTP 401)"),
        "{error}"
    );
    assert!(shown(&error).contains("--password-file"));
}

#[tokio::test]
async fn a_refused_connection_names_the_address() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{address}/ovirt-engine/api");
    let error = Client::connect(&config(&url, PASSWORD)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Connect);
    let text = shown(&error);
    assert!(text.contains("connection refused"), "{text}");
    assert!(
        text.contains(&format!("nothing listens at http://{address}")),
        "{text}"
    );
}

#[tokio::test]
async fn tls_with_an_unknown_ca_suggests_the_ca_file_and_works_with_it() {
    let tls = StubTls::generate();
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), Some(&tls)).await;

    let error = Client::connect(&config(&url, PASSWORD)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Tls, "{error}");
    let text = shown(&error);
    assert!(text.contains("TLS handshake failed"), "{text}");
    assert!(
        text.contains("pass --ca-file with the CA from https://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains(
            "/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA"
        ),
        "{text}"
    );
    assert!(text.contains("--insecure"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &tls.ca_pem).unwrap();
    let mut trusted = config(&url, PASSWORD);
    trusted.tls = Tls::CaFile(ca);
    let client = Client::connect(&trusted).await.unwrap();
    client.host(stub.inventory.hosts[0].id).await.unwrap();

    let mut insecure = config(&url, PASSWORD);
    insecure.tls = Tls::Insecure;
    Client::connect(&insecure).await.unwrap();

    // A CA file that is another CA: the hint says to fetch the engine's again.
    let other = StubTls::generate();
    let wrong = dir.path().join("other.pem");
    std::fs::write(&wrong, &other.ca_pem).unwrap();
    let mut mistaken = config(&url, PASSWORD);
    mistaken.tls = Tls::CaFile(wrong);
    let error = Client::connect(&mistaken).await.unwrap_err();
    assert!(
        shown(&error).contains("did not sign the engine's certificate"),
        "{error}"
    );

    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let mut broken = config(&url, PASSWORD);
    broken.tls = Tls::CaFile(not_pem);
    let error = Client::connect(&broken).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(
        shown(&error).contains("holds no PEM certificate"),
        "{error}"
    );
}

#[tokio::test]
async fn a_web_page_instead_of_the_api_is_said_so() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    *stub.canned.lock().unwrap() = Some((
        200,
        "text/html",
        "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>hello</body></html>".into(),
    ));
    let error = Client::connect(&config(&url, PASSWORD)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Protocol);
    let text = shown(&error);
    assert!(text.contains("got an HTML page"), "{text}");
    assert!(text.contains("Welcome to nginx!"), "{text}");
    assert!(
        text.contains("hint: a web page answered where the API should"),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_xml_names_where_it_breaks() {
    let stub = Stub::new(example("self-hosted"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    *stub.canned.lock().unwrap() = Some((
        200,
        "application/xml",
        "<host id=\"9be35c00-6523-4c2f-89d2-680a6b6da4c0\">\n  <name>h1</name>\n  <status>up</stat>\n</host>".into(),
    ));
    let error = client.host(stub.inventory.hosts[0].id).await.unwrap_err();
    let EngineError::Protocol(text) = error else {
        panic!("expected a protocol error, got {error}");
    };
    assert!(text.contains("malformed XML at line 3"), "{text}");
    assert!(text.contains("/ovirt-engine/api/hosts/"), "{text}");

    *stub.canned.lock().unwrap() = Some((
        200,
        "application/xml",
        "<host id=\"9be35c00-6523-4c2f-89d2-680a6b6da4c0\"><name>h1</name><status>flying</status></host>".into(),
    ));
    let error = client.host(stub.inventory.hosts[0].id).await.unwrap_err();
    assert!(error.to_string().contains("host \"h1\""), "{error}");
    assert!(
        error
            .to_string()
            .contains("<status> has unknown value \"flying\""),
        "{error}"
    );
}

/// What the API cannot carry, set as a read through it leaves it, with the reason.
fn as_the_api_shows_it(mut inventory: Inventory) -> Inventory {
    // Where the inventory came from and when: the reader says the engine URL and its time.
    inventory.name.clear();
    inventory.source.clear();
    inventory.captured_at = None;
    // The reader says what it could not see; the lines below clear exactly those facts.
    inventory.unseen = model::Unseen::ALL.to_vec();
    let manager = &mut inventory.manager;
    // The API shows the Manager's version only: its machine, databases, Data Warehouse,
    // extensions, certificates, OVN provider and backups are not in it.
    manager.fqdn.clear();
    manager.database = Default::default();
    manager.dwh = Default::default();
    manager.grafana = false;
    manager.extensions.clear();
    manager.certificates.clear();
    manager.ovn = false;
    manager.last_backup = None;
    for host in &mut inventory.hosts {
        // Hosts do not say which cluster levels their vdsm supports, nor OVN; of their
        // packages only vdsm (<version>) and libvirt (<libvirt_version>) show.
        host.supported_levels.clear();
        host.ovn_configured = false;
        host.packages
            .retain(|name, _| name == "vdsm" || name == "libvirt");
    }
    for vm in &mut inventory.vms {
        // vGPUs and host devices are sub-collections outside the API subset read here.
        vm.vgpu = false;
        vm.host_devices = 0;
        for snapshot in &mut vm.snapshots {
            // The cluster level lives in the snapshot's OVF, not in the API.
            snapshot.cluster_level = None;
        }
    }
    // Gluster volumes, their heals and geo-replication are outside the API subset.
    inventory.gluster_volumes.clear();
    sorted(inventory)
}

/// Lists in id order: the API sorts by name, scenarios keep their own order.
fn sorted(mut inventory: Inventory) -> Inventory {
    inventory.data_centers.sort_by_key(|x| x.id);
    inventory.clusters.sort_by_key(|x| x.id);
    inventory.hosts.sort_by_key(|x| x.id);
    inventory.vms.sort_by_key(|x| x.id);
    inventory.storage_domains.sort_by_key(|x| x.id);
    inventory.disks.sort_by_key(|x| x.id);
    inventory
}

/// The example with the most objects.
fn largest_example() -> Inventory {
    scenario::EXAMPLES
        .iter()
        .map(|e| example(e.name))
        .max_by_key(|i| i.hosts.len() + i.vms.len() + i.disks.len() + i.storage_domains.len())
        .unwrap()
}

#[tokio::test]
async fn the_whole_inventory_reads_back_through_the_api() {
    let stub = Stub::new(largest_example());
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let stages = Arc::new(Mutex::new(Vec::new()));
    let seen = stages.clone();
    let read = client
        .read_inventory(Scope::Everything, &move |p| {
            if let Progress::Finished { stage, objects } = p {
                seen.lock().unwrap().push((stage.as_str(), objects));
            }
        })
        .await
        .unwrap();
    let expected = stub.inventory.clone();
    assert_eq!(read.source, url);
    assert_eq!(read.manager.fqdn, "127.0.0.1");
    // The package version shows the EL major release only.
    assert_eq!(read.manager.os.major, expected.manager.os.major);
    let mut read_back = as_the_api_shows_it(read);
    read_back.manager.os = expected.manager.os;
    assert_eq!(read_back, as_the_api_shows_it(expected.clone()));

    let stages = stages.lock().unwrap().clone();
    let names: Vec<&str> = stages.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "data centers",
            "clusters",
            "hosts",
            "VMs",
            "storage domains",
            "disks",
            "volumes"
        ]
    );
    assert_eq!(stages[3].1, expected.vms.len());
}

#[tokio::test]
async fn without_follow_each_vms_disks_and_snapshots_are_read_on_their_own() {
    let stub = Stub::new(example("pinned-and-ha"));
    stub.follow.store(false, Ordering::SeqCst);
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let read = client
        .read_inventory(Scope::Everything, &|_| {})
        .await
        .unwrap();
    let mut read_back = as_the_api_shows_it(read);
    read_back.manager.os = stub.inventory.manager.os;
    assert_eq!(read_back, as_the_api_shows_it(stub.inventory.clone()));
    let per_vm = stub
        .api_requests()
        .iter()
        .filter(|r| r.uri.ends_with("/diskattachments"))
        .count();
    assert_eq!(per_vm, stub.inventory.vms.len());
}

#[tokio::test]
async fn the_storage_scope_reads_only_what_image_checks_need() {
    let stub = Stub::new(example("standalone-remote"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let read = client
        .read_inventory(Scope::Storage, &|_| {})
        .await
        .unwrap();
    assert!(read.hosts.is_empty() && read.vms.is_empty() && read.clusters.is_empty());
    assert_eq!(
        read.storage_domains.len(),
        stub.inventory.storage_domains.len()
    );
    let volumes = |i: &Inventory| i.disks.iter().map(|d| d.volumes.len()).sum::<usize>();
    assert_eq!(volumes(&read), volumes(&stub.inventory));
    assert!(stub.api_requests().iter().all(|r| !r.uri.contains("/vms")));
}

#[tokio::test]
async fn the_seam_reads_no_disks_when_told_to() {
    let stub = Stub::new(example("self-hosted"));
    stub.follow.store(false, Ordering::SeqCst);
    let url = stub::serve(stub.clone(), None).await;
    let mut compute = config(&url, PASSWORD);
    compute.seam_scope = Scope::Compute;
    let client = Client::connect(&compute).await.unwrap();
    let read = client.inventory().await.unwrap();
    assert_eq!(read.hosts.len(), stub.inventory.hosts.len());
    assert_eq!(read.vms.len(), stub.inventory.vms.len());
    // The domains, with their statuses, for a local-storage host's migration; no disks.
    assert!(read.disks.is_empty());
    assert_eq!(
        read.storage_domains.len(),
        stub.inventory.storage_domains.len()
    );
    let seen = stub.api_requests();
    assert!(
        seen.iter()
            .all(|r| !r.uri.contains("disk") && !r.uri.contains("snapshots")),
        "no VM details, disks or volumes: {seen:?}"
    );
}

#[tokio::test]
async fn storage_calls_use_the_rest_layers_parameters_and_look_before_repeating() {
    let stub = Stub::new(example("local-storage"));
    let url = stub::serve(stub.clone(), None).await;
    let client = connect(&url).await;
    let sd = stub.inventory.storage_domains[0].id;
    let waiting = client.unregistered_vms(sd).await.unwrap();
    assert_eq!(waiting[0].id.to_string(), stub::UNREGISTERED);
    client.destroy_storage_domain(sd).await.unwrap();
    let seen = stub.api_requests();
    assert!(seen.iter().any(|r| r.method == "GET"
        && r.uri
            .ends_with(&format!("/storagedomains/{sd}/vms;unregistered"))));
    assert!(seen.iter().any(|r| r.method == "DELETE"
        && r.uri
            .ends_with(&format!("/storagedomains/{sd}?destroy=true"))));

    // A 502 after the engine took it: the VM is there, so the registration is not sent again.
    let cluster = stub.inventory.clusters[0].id;
    let known = stub.inventory.vms[0].id;
    stub.action_answers
        .lock()
        .unwrap()
        .push((502, String::new()));
    client.register_vm(sd, known, cluster).await.unwrap();
    let registrations = |stub: &Stub| {
        stub.api_requests()
            .iter()
            .filter(|r| r.method == "POST" && r.uri.ends_with("/register"))
            .count()
    };
    assert_eq!(registrations(&stub), 1);
    // Not there: the error names the VM and its domain and says to look before asking again.
    stub.action_answers
        .lock()
        .unwrap()
        .push((502, String::new()));
    let lost: model::VmId = stub::UNREGISTERED.parse().unwrap();
    let error = client.register_vm(sd, lost, cluster).await.unwrap_err();
    assert_eq!(registrations(&stub), 2);
    let EngineError::Unavailable(text) = error else {
        panic!("{error:?}")
    };
    assert!(
        text.contains(&format!("VM {lost} of storage domain {sd}"))
            && text.contains("look in its events"),
        "{text}"
    );
}
