//! The simulated engine over HTTP, driven with a plain HTTP client: what real clients see on
//! the wire (research §1–§7 and the §10 traps).

mod conformance;

use std::time::Duration;

use model::{HostStatus, Timestamp};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};
use ovirt_wire::{from_xml, list_from_xml, Action, Api, Cluster, Event, Host, Job, Vm};
use reqwest::{Client, StatusCode};

const START: Timestamp = Timestamp::from_millis(1_768_046_400_000);

/// A served example, with a client logged in through SSO.
struct Served {
    server: HttpSim,
    client: Client,
    token: String,
}

fn client() -> Client {
    // reqwest is built without a TLS provider of its own; ring is ours.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a client")
}

async fn start(example: &str, faults: &str, speed: f64, tls: bool) -> HttpSim {
    let inventory = scenario::load(&format!("example:{example}")).unwrap();
    let simulator = Simulator::new(
        inventory,
        SimConfig::default(),
        faults.parse().unwrap(),
        7,
        START,
    );
    let options = ServeOptions {
        tls,
        ..ServeOptions::default()
    };
    HttpSim::start(SimEngine::new(simulator, speed, 7), options)
        .await
        .expect("the server starts")
}

/// reqwest is built without its `json` feature; the body is read as text.
async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

fn root(server: &HttpSim) -> String {
    server
        .api_url()
        .trim_end_matches("/ovirt-engine/api")
        .to_owned()
}

async fn login(client: &Client, server: &HttpSim, password: &str) -> reqwest::Response {
    let form = format!(
        "grant_type=password&scope=ovirt-app-api&username=admin%40internal&password={password}"
    );
    client
        .post(format!("{}/ovirt-engine/sso/oauth/token", root(server)))
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
}

async fn serve(example: &str, faults: &str, speed: f64) -> Served {
    let server = start(example, faults, speed, false).await;
    let client = client();
    let answer: serde_json::Value =
        json(login(&client, &server, &Credentials::default().password).await).await;
    let token = answer["access_token"].as_str().expect("a token").to_owned();
    Served {
        server,
        client,
        token,
    }
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.api_url())
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .header("Version", "4")
            .send()
            .await
            .unwrap()
    }

    async fn text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (StatusCode, String) {
        let response = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .header("Content-Type", content_type)
            .header("Correlation-Id", "test-session")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        assert!(
            response.headers().get("content-type").is_some(),
            "every body has a content type"
        );
        (response.status(), response.text().await.unwrap())
    }

    async fn post(&self, path: &str, body: &str) -> (StatusCode, String) {
        self.send(reqwest::Method::POST, path, "application/xml", body)
            .await
    }

    async fn hosts(&self, query: &str) -> Vec<Host> {
        list_from_xml(self.text(&format!("/hosts{query}")).await.as_bytes()).unwrap()
    }

    async fn host_named(&self, name: &str) -> Host {
        self.hosts(&format!("?search=name%3D%22{name}%22"))
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no host {name}"))
    }

    async fn vm_named(&self, name: &str) -> Vm {
        let vms: Vec<Vm> = list_from_xml(
            self.text(&format!("/vms?search=name%3D{name}"))
                .await
                .as_bytes(),
        )
        .unwrap();
        vms.into_iter()
            .next()
            .unwrap_or_else(|| panic!("no VM {name}"))
    }

    /// Polls a host until `done` holds, remembering every status seen.
    async fn watch_host(&self, id: &str, done: impl Fn(&Host) -> bool) -> Vec<HostStatus> {
        let mut seen: Vec<HostStatus> = Vec::new();
        for _ in 0..600 {
            let host: Host = from_xml(self.text(&format!("/hosts/{id}")).await.as_bytes()).unwrap();
            let status = host.status.unwrap();
            if seen.last() != Some(&status) {
                seen.push(status);
            }
            if done(&host) {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("host {id} never got there; statuses seen: {seen:?}");
    }
}

#[tokio::test]
async fn sso_tokens_let_clients_in_until_they_log_out() {
    let served = serve("self-hosted", "", 1.0).await;
    let response = served.get("").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml;charset=UTF-8"
    );
    assert!(response.headers().contains_key("correlation-id"));
    let api: Api = from_xml(response.text().await.unwrap().as_bytes()).unwrap();
    let version = api.product_info.unwrap().version.unwrap();
    assert_eq!((version.major, version.minor), (Some(4), Some(3)));
    assert!(
        version.full_version.is_some() && version.build.is_some() && version.revision.is_some()
    );
    assert!(api
        .link
        .iter()
        .any(|l| l.rel == "hosts" && l.href == "/ovirt-engine/api/hosts"));

    let logout = served
        .client
        .post(format!(
            "{}/ovirt-engine/services/sso-logout",
            root(&served.server)
        ))
        .body(format!("scope=ovirt-app-api&token={}", served.token))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.headers()["content-type"], "application/json");
    assert_eq!(logout.text().await.unwrap(), "{}");
    let after = served.get("/hosts").await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        after.headers()["www-authenticate"],
        "Basic realm=\"RESTAPI\""
    );
    assert_eq!(
        after.text().await.unwrap(),
        "",
        "the 401 has no body, so the SDK raises AuthError"
    );
}

#[tokio::test]
async fn wrong_passwords_and_missing_credentials_are_refused() {
    let server = start("self-hosted", "", 1.0, false).await;
    let client = client();
    let refused = login(&client, &server, "wrong").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.headers()["content-type"], "application/json");
    let body: serde_json::Value = json(refused).await;
    assert_eq!(body["error_code"], "access_denied");
    assert!(body["error"].as_str().unwrap().contains("admin@internal"));

    let anonymous = client.get(server.api_url()).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let credentials = Credentials::default();
    let basic = client
        .get(format!("{}/hosts", server.api_url()))
        .basic_auth(&credentials.username, Some(&credentials.password))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::OK,
        "HTTP Basic still works, as on the engine"
    );
}

#[tokio::test]
async fn lists_search_sort_cut_and_speak_json_on_request() {
    let served = serve("self-hosted", "", 1.0).await;
    let all = served.hosts("").await;
    let names: Vec<String> = all.iter().map(|h| h.name.clone().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "hosts come sorted by name");

    // The role's query: plus-encoded spaces, `*`, juxtaposition binding last (trap §10.7).
    let up = served.hosts("?all_content=false&follow=&search=cluster%3DProduction+update_available%3Dtrue+name%3D%2A+status%3Dup").await;
    assert_eq!(up.len(), 5);
    assert_eq!(
        served.hosts("?search=status%3Dinstallfailed").await.len(),
        1,
        "enum values without underscores"
    );
    assert_eq!(
        served
            .hosts("?search=name%3Dprod-host0%2A&max=2")
            .await
            .len(),
        2
    );
    let second_page = served
        .hosts("?search=name%3Dprod-host0%2A+page+2&max=2")
        .await;
    assert_eq!(
        second_page
            .iter()
            .map(|h| h.name.clone().unwrap())
            .collect::<Vec<_>>(),
        ["prod-host03", "prod-host04"]
    );
    assert!(served
        .hosts("?search=page+2&max=18446744073709551615")
        .await
        .is_empty());
    let desc = served
        .hosts("?search=name%3Dprod-host0%2A+sortby+name+desc")
        .await;
    assert_eq!(desc.first().unwrap().name.as_deref(), Some("prod-host05"));

    let (status, body) = served
        .send(
            reqwest::Method::GET,
            "/hosts?search=colour%3Dred",
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("<fault>") && body.contains("colour"),
        "{body}"
    );

    let answer = served
        .client
        .get(served.url("/hosts?search=name%3Dprod-host01"))
        .bearer_auth(&served.token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["content-type"], "application/json");
    let value = json(answer).await;
    assert_eq!(value["host"][0]["name"], "prod-host01");
    assert_eq!(
        value["host"][0]["update_available"], "true",
        "the engine's JSON writes booleans as strings"
    );
    let none = served
        .client
        .get(served.url("/hosts?search=name%3Dnobody"))
        .bearer_auth(&served.token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(none.text().await.unwrap(), "{}");

    let vms: Vec<Vm> = list_from_xml(
        served
            .text("/vms?search=cluster%3DProduction+and+status%3Dup")
            .await
            .as_bytes(),
    )
    .unwrap();
    assert!(!vms.is_empty());
    for vm in &vms {
        assert!(
            vm.placement_policy
                .as_ref()
                .and_then(|p| p.affinity)
                .is_some(),
            "trap §10.10"
        );
        assert!(vm
            .cluster
            .as_ref()
            .and_then(|c| c.href.as_deref())
            .is_some_and(|h| h.starts_with("/ovirt-engine/api/clusters/")));
    }
    let clusters: Vec<Cluster> = list_from_xml(served.text("/clusters").await.as_bytes()).unwrap();
    assert!(clusters.iter().all(|c| c
        .custom_scheduling_policy_properties
        .as_ref()
        .is_some_and(|p| !p.is_empty())
        && c.ksm.is_some()));
    for path in [
        "/datacenters",
        "/storagedomains",
        "/disks",
        "/schedulingpolicies",
        "/networks",
        "/clusterlevels",
        "/macpools",
        "/jobs",
    ] {
        served.text(path).await;
    }
    let dc = served.text("/datacenters").await;
    let dc_id = dc
        .split("<data_center href=\"/ovirt-engine/api/datacenters/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let attached = served
        .text(&format!("/datacenters/{dc_id}/storagedomains"))
        .await;
    assert!(
        attached.contains("<status>active</status>"),
        "attached domains show their status in their data center's list"
    );
}

#[tokio::test]
async fn hosted_engine_details_need_all_content() {
    let served = serve("self-hosted", "", 1.0).await;
    assert!(served
        .hosts("")
        .await
        .iter()
        .all(|h| h.hosted_engine.is_none()));
    assert!(served
        .hosts("?all_content=true")
        .await
        .iter()
        .any(|h| h.hosted_engine.is_some()));
    let by_header = served
        .client
        .get(served.url("/hosts"))
        .bearer_auth(&served.token)
        .header("All-Content", "true")
        .send()
        .await
        .unwrap();
    let hosts: Vec<Host> = list_from_xml(by_header.text().await.unwrap().as_bytes()).unwrap();
    assert!(hosts.iter().any(|h| h.hosted_engine.is_some()));
}

#[tokio::test]
async fn follow_inlines_a_vms_disk_attachments_and_snapshots() {
    let served = serve("pinned-and-ha", "", 1.0).await;
    let get = |path: &'static str| async {
        let body = served
            .client
            .get(served.url(path))
            .bearer_auth(&served.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        list_from_xml::<Vm>(body.as_bytes()).unwrap()
    };
    let plain = get("/vms").await;
    assert!(
        plain
            .iter()
            .all(|vm| vm.disk_attachments.is_none() && vm.snapshots.is_none()),
        "links only, unless followed"
    );
    let followed = get("/vms?follow=disk_attachments,snapshots").await;
    assert!(followed
        .iter()
        .all(|vm| vm.disk_attachments.is_some() && vm.snapshots.is_some()));
    let attached: usize = followed
        .iter()
        .map(|vm| vm.disk_attachments.as_ref().unwrap().len())
        .sum();
    assert!(attached > 0, "the example's VMs have disks");
    assert!(
        followed
            .iter()
            .any(|vm| !vm.snapshots.as_ref().unwrap().is_empty()),
        "and one has a snapshot in preview"
    );
}

#[tokio::test]
async fn an_upgraded_host_goes_through_maintenance_and_comes_back_up() {
    let served = serve("standalone-local", "", 3600.0).await;
    let host = served.host_named("host1").await;
    let id = host.id.clone().unwrap();
    assert_eq!(host.update_available, Some(false));

    // No update yet: the engine's 409 inside the echoed action.
    let (status, body) = served
        .post(
            &format!("/hosts/{id}/upgrade"),
            "<action>\n  <reboot>true</reboot>\n</action>",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let refused: Action = from_xml(body.as_bytes()).unwrap();
    assert_eq!(refused.status.as_deref(), Some("failed"));
    assert!(refused
        .fault
        .unwrap()
        .detail
        .unwrap()
        .contains("no available updates"));

    let publish = served
        .client
        .post(format!(
            "{}/ovirt-sim/host-update?vdsm=4.30.52-1.el7ev",
            root(&served.server)
        ))
        .bearer_auth(&served.token)
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), StatusCode::OK);
    let (status, body) = served
        .post(&format!("/hosts/{id}/upgradecheck"), "<action/>")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    served
        .watch_host(&id, |h| h.update_available == Some(true))
        .await;

    let (status, body) = served
        .post(
            &format!("/hosts/{id}/upgrade"),
            "<action>\n  <reboot>true</reboot>\n</action>",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accepted: Action = from_xml(body.as_bytes()).unwrap();
    assert_eq!(accepted.status.as_deref(), Some("complete"));
    assert_eq!(accepted.reboot, Some(true), "the request is echoed");
    let job = accepted.job.unwrap().href.unwrap();
    let job: Job = from_xml(
        served
            .text(job.trim_start_matches("/ovirt-engine/api"))
            .await
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(job.description.as_deref(), Some("Upgrading Host host1"));

    let seen = served
        .watch_host(&id, |h| {
            h.status == Some(HostStatus::Up) && h.update_available == Some(false)
        })
        .await;
    assert!(
        seen.contains(&HostStatus::Installing) || seen.contains(&HostStatus::Reboot),
        "{seen:?}"
    );
    let upgraded = served.host_named("host1").await;
    assert!(upgraded
        .version
        .unwrap()
        .full_version
        .unwrap()
        .contains("4.30.52"));

    // ansible's wait: the last event, then the finish events naming the host (trap §10.8).
    let last: Vec<Event> = list_from_xml(served.text("/events?max=1").await.as_bytes()).unwrap();
    assert_eq!(last.len(), 1);
    let finished: Vec<Event> = list_from_xml(
        served
            .text("/events?from=1&search=type%3D842+or+type%3D841+or+type%3D888")
            .await
            .as_bytes(),
    )
    .unwrap();
    assert!(finished
        .iter()
        .any(|e| e.code == Some(888) && e.description.as_deref().unwrap().contains("host1")));
    assert!(finished
        .iter()
        .all(|e| e.host.as_ref().and_then(|h| h.name.as_deref()) == Some("host1")));
    let all: Vec<Event> = list_from_xml(served.text("/events").await.as_bytes()).unwrap();
    let ids: Vec<i64> = all.iter().map(|e| e.index.unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert!(all
        .iter()
        .any(|e| e.code == Some(840) && e.correlation_id.as_deref() == Some("test-session")));
}

#[tokio::test]
async fn refusals_and_unknowns_answer_as_the_engine_does() {
    let served = serve("pinned-and-ha", "", 1.0).await;
    let pinned = served.vm_named("sap-hana").await;
    let (status, body) = served
        .post(&format!("/vms/{}/migrate", pinned.id.unwrap()), "<action/>")
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("<status>failed</status>")
            && body.contains("Cannot migrate VM. VM is pinned to Host."),
        "{body}"
    );

    let missing = served
        .get("/hosts/00000000-0000-0000-0000-0000000000ff")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.text().await.unwrap(),
        "",
        "404 with an empty body (trap §10.3)"
    );
    assert_eq!(
        served.get("/nothing-here").await.status(),
        StatusCode::NOT_FOUND
    );

    let host = served.hosts("").await.remove(0).id.unwrap();
    let (status, body) = served
        .post(&format!("/hosts/{host}/deactivate"), "<action><reason>")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with("<?xml") && body.contains("<fault>") && body.contains("malformed XML"),
        "{body}"
    );
    let (status, body) = served
        .send(
            reqwest::Method::PATCH,
            &format!("/hosts/{host}"),
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");

    let version_3 = served
        .client
        .get(served.url("/hosts"))
        .bearer_auth(&served.token)
        .header("Version", "3")
        .send()
        .await
        .unwrap();
    assert_eq!(version_3.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        served
            .client
            .get(served.url("/v4/hosts"))
            .bearer_auth(&served.token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn cluster_levels_rise_and_the_upgrade_flag_takes_the_roles_json() {
    let served = serve("rhv-4.2", "", 1.0).await;
    let clusters: Vec<Cluster> = list_from_xml(
        served
            .text("/clusters?search=name%3Dlegacy")
            .await
            .as_bytes(),
    )
    .unwrap();
    let cluster = clusters.into_iter().next().unwrap();
    let id = cluster.id.unwrap();
    // A data center never goes above its clusters.
    let dcs: Vec<ovirt_wire::DataCenter> =
        list_from_xml(served.text("/datacenters").await.as_bytes()).unwrap();
    let dc = dcs[0].id.clone().unwrap();
    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/datacenters/{dc}"),
            "application/xml",
            "<data_center><version><major>4</major><minor>2</minor></version></data_center>",
        )
        .await;
    // `UpdateStoragePoolCommand`: ERROR_CANNOT_UPDATE_STORAGE_POOL_COMPATIBILITY_VERSION_BIGGER_THAN_CLUSTERS, a 400.
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("The following clusters should be upgraded: legacy"),
        "{body}"
    );

    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/clusters/{id}"),
            "application/xml",
            "<cluster><version><major>4</major><minor>2</minor></version></cluster>",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let raised: Cluster = from_xml(body.as_bytes()).unwrap();
    assert_eq!(raised.version.unwrap().minor, Some(2));
    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/clusters/{id}"),
            "application/xml",
            "<cluster><version><major>4</major><minor>1</minor></version></cluster>",
        )
        .await;
    // `UpdateClusterCommand.validate`: a refusal of the engine's own rules is a 400.
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "levels do not go down with hosts in the cluster: {body}"
    );
    assert!(body.starts_with("<?xml") && body.contains("<fault>"));
    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/datacenters/{dc}"),
            "application/xml",
            "<data_center><version><major>4</major><minor>2</minor></version></data_center>",
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "once its clusters are there, the data center follows: {body}"
    );

    // What ansible's `uri` sends (trap §10.13): JSON, no Accept, only 200 counts. The progress
    // shows from engine 4.5.0 on.
    let control = served
        .client
        .post(format!(
            "{}/ovirt-sim/manager-version?version=4.5.6",
            root(&served.server)
        ))
        .bearer_auth(&served.token);
    assert_eq!(control.send().await.unwrap().status(), StatusCode::OK);
    let upgrade = format!("/clusters/{id}/upgrade");
    let (status, body) = served
        .send(
            reqwest::Method::POST,
            &upgrade,
            "application/json",
            r#"{"upgrade_action": "start"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = served
        .send(
            reqwest::Method::POST,
            &upgrade,
            "application/json",
            r#"{"upgrade_action": "start"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an upgrade starts once");
    let (status, body) = served
        .send(
            reqwest::Method::POST,
            &upgrade,
            "application/json",
            r#"{"upgrade_action": "update_progress", "upgrade_percent_complete": "42"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let running: Cluster =
        from_xml(served.text(&format!("/clusters/{id}")).await.as_bytes()).unwrap();
    assert_eq!(
        (
            running.upgrade_in_progress,
            running.upgrade_percent_complete
        ),
        (Some(true), Some(42))
    );
    assert_eq!(
        running.upgrade_correlation_id.as_deref(),
        Some("test-session")
    );
    let (status, _) = served
        .send(
            reqwest::Method::POST,
            &upgrade,
            "application/json",
            r#"{"upgrade_action": "finish"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let finished: Cluster =
        from_xml(served.text(&format!("/clusters/{id}")).await.as_bytes()).unwrap();
    assert_eq!(
        (
            finished.upgrade_in_progress,
            finished.upgrade_percent_complete
        ),
        (Some(false), Some(0))
    );
}

#[tokio::test]
async fn the_manager_moves_to_a_new_version_and_invariants_are_reported() {
    let served = serve("self-hosted", "", 1.0).await;
    let control = |path: &str| {
        served
            .client
            .post(format!("{}/ovirt-sim/{path}", root(&served.server)))
            .bearer_auth(&served.token)
    };
    assert_eq!(
        control("manager-version?version=4.4.10")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let api: Api = from_xml(served.text("").await.as_bytes()).unwrap();
    assert_eq!(api.product_info.unwrap().version.unwrap().minor, Some(4));
    let levels = served.text("/clusterlevels").await;
    assert!(
        levels.contains("id=\"4.6\""),
        "a 4.4 Manager offers level 4.6: {levels}"
    );
    let refused = control("manager-version?version=9.1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        control("host-update").send().await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "the version is required"
    );
    assert_eq!(
        served
            .client
            .post(format!(
                "{}/ovirt-sim/host-update?vdsm=1",
                root(&served.server)
            ))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let report = json(
        served
            .client
            .get(format!("{}/ovirt-sim/invariants", root(&served.server)))
            .bearer_auth(&served.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["violations"], serde_json::json!([]));
}

#[tokio::test]
async fn transport_faults_are_real_503s_dropped_connections_and_expired_tokens() {
    let unavailable = serve("self-hosted", "unavailable:1", 1.0).await;
    let answer = unavailable.get("/hosts").await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "as the proxy in front of the engine answers"
    );

    let dropped = serve("self-hosted", "drop:1", 1.0).await;
    let error = dropped
        .client
        .get(dropped.url("/hosts"))
        .bearer_auth(&dropped.token)
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_status(), "no answer at all: {error}");

    let expiring = serve("self-hosted", "token-expiry:1", 1.0).await;
    assert_eq!(
        expiring.get("/hosts").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let credentials = Credentials::default();
    let basic = expiring
        .client
        .get(expiring.url("/hosts"))
        .basic_auth(&credentials.username, Some(&credentials.password))
        .send()
        .await
        .unwrap();
    assert_eq!(
        basic.status(),
        StatusCode::OK,
        "Basic credentials carry no token to expire"
    );
    let sso = login(&expiring.client, &expiring.server, &credentials.password).await;
    assert_eq!(
        sso.status(),
        StatusCode::OK,
        "logging in again works: faults strike the API only"
    );
}

#[tokio::test]
async fn tls_is_verified_with_the_ca_the_engine_publishes() {
    let server = start("self-hosted", "", 1.0, true).await;
    assert!(server.api_url().starts_with("https://127.0.0.1:"));
    let ca = server.ca_pem().expect("a CA").to_owned();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusting = Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let published = trusting
        .get(format!(
            "{}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA",
            root(&server)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(published.text().await.unwrap(), ca);
    let credentials = Credentials::default();
    let hosts = trusting
        .get(format!("{}/hosts", server.api_url()))
        .basic_auth(&credentials.username, Some(&credentials.password))
        .send()
        .await
        .unwrap();
    assert_eq!(hosts.status(), StatusCode::OK);

    let stranger = Client::builder().tls_certs_only([]).build().unwrap();
    let refused = stranger.get(server.api_url()).send().await.unwrap_err();
    assert!(
        refused.is_connect(),
        "an unknown CA fails the handshake: {refused}"
    );
    server.stop().await;
}

/// `PUT /vms/{id}` with a placement policy alone (`BackendVmResource.update`, `VmBaseMapper`:
/// the hosts become those listed, an absent affinity stays; `UpdateVmCommand`): answered with
/// the VM as it is now; a running pinned VM cannot leave the host it runs on (409,
/// `ACTION_TYPE_FAILED_PINNED_VM_NOT_RUNNING_ON_DEDICATED_HOST`).
#[tokio::test]
async fn a_vms_placement_is_edited_with_put() {
    let served = serve("standalone-local", "", 1.0).await;
    let hosts: Vec<Host> = list_from_xml(served.text("/hosts").await.as_bytes()).unwrap();
    let id_of = |name: &str| {
        hosts
            .iter()
            .find(|h| h.name.as_deref() == Some(name))
            .and_then(|h| h.id.clone())
            .unwrap()
    };
    let vms: Vec<Vm> = list_from_xml(served.text("/vms").await.as_bytes()).unwrap();
    let web1 = vms
        .iter()
        .find(|v| v.name.as_deref() == Some("web1"))
        .and_then(|v| v.id.clone())
        .unwrap();
    let pin = |host: &str| {
        format!(
            "<vm><placement_policy><affinity>pinned</affinity><hosts><host id=\"{host}\"/></hosts></placement_policy></vm>"
        )
    };
    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/vms/{web1}"),
            "application/xml",
            &pin(&id_of("host1")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let vm: Vm = from_xml(body.as_bytes()).unwrap();
    let placement = vm.placement_policy.unwrap();
    assert_eq!(placement.affinity, Some(model::Affinity::Pinned));
    let pinned: Vec<String> = placement
        .hosts
        .unwrap()
        .into_iter()
        .filter_map(|h| h.id)
        .collect();
    assert_eq!(pinned, [id_of("host1")]);

    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/vms/{web1}"),
            "application/xml",
            &pin(&id_of("host2")),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("Running VM is hosted on host1"), "{body}");

    let (status, body) = served
        .send(
            reqwest::Method::PUT,
            &format!("/vms/{web1}"),
            "application/xml",
            "<vm><placement_policy><hosts/></placement_policy></vm>",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let vm: Vm = from_xml(body.as_bytes()).unwrap();
    let placement = vm.placement_policy.unwrap();
    assert_eq!(placement.affinity, Some(model::Affinity::Pinned), "kept");
    assert!(placement.hosts.unwrap_or_default().is_empty());
}
