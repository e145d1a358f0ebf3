//! What oVirt's `ovirt.ovirt.cluster_upgrade` role needs of the engine, each behaviour as the
//! engine class named in its test's comment has it.

use model::Version;
use ovirt_wire::{
    from_xml, list_from_xml, Action, Cluster, Event, Job, JobStatus, Step, StepStatus,
    StorageDomain,
};
use reqwest::StatusCode;

use super::{client, json, login, Served, START};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};

/// The demo served with its Manager at `version`, a client logged in.
async fn serve_at(version: Version) -> Served {
    let mut inventory = scenario::load("example:demo").unwrap();
    inventory.manager.version = version;
    let simulator = Simulator::new(
        inventory,
        SimConfig::default(),
        "".parse().unwrap(),
        7,
        START,
    );
    let server = HttpSim::start(SimEngine::new(simulator, 1.0, 7), ServeOptions::default())
        .await
        .expect("the server starts");
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

async fn cluster_named(served: &Served, name: &str) -> Cluster {
    let clusters: Vec<Cluster> = list_from_xml(
        served
            .text(&format!("/clusters?search=name%3D{name}"))
            .await
            .as_bytes(),
    )
    .unwrap();
    clusters.into_iter().next().unwrap()
}

fn progress_event(origin: &str, custom_id: i32, cluster: &str) -> String {
    format!(
        "<event><origin>{origin}</origin><custom_id>{custom_id}</custom_id><severity>warning</severity>\
         <description>Cluster upgrade progress: 0%</description><cluster id=\"{cluster}\"/></event>"
    )
}

#[tokio::test]
/// `BackendEventsResource.add` and `AddExternalEventCommand`: 201 with the event, code 9802
/// for a warning (`AuditLogType.EXTERNAL_EVENT_WARNING`), its origin and custom id kept, the
/// request's correlation id on it; a search by origin finds it.
async fn a_client_event_is_logged_under_its_origin_with_the_external_code() {
    let served = serve_at(Version::new(4, 5, 6)).await;
    let cluster = cluster_named(&served, "Branch").await.id.unwrap();
    let (status, body) = served
        .post("/events", &progress_event("cluster_upgrade", 42, &cluster))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let event: Event = from_xml(body.as_bytes()).unwrap();
    assert_eq!(event.code, Some(9802));
    assert_eq!(
        (event.origin.as_deref(), event.custom_id),
        (Some("cluster_upgrade"), Some(42))
    );
    assert_eq!(
        event.cluster.and_then(|c| c.name).as_deref(),
        Some("Branch")
    );
    assert_eq!(event.correlation_id.as_deref(), Some("test-session"));
    let found: Vec<Event> = list_from_xml(
        served
            .text("/events?search=origin%3Dcluster_upgrade")
            .await
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        found.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        [event.id]
    );
}

#[tokio::test]
/// `BackendEventsResource.add` validates `origin`, `severity`, `customId` and `description`
/// (`CompletenessAssertor`: 400 "Incomplete parameters"); `AddExternalEventCommand` refuses the
/// engine's own origin and a custom id its origin already used (`BAD_PARAMETERS`, 400).
async fn events_need_their_fields_a_foreign_origin_and_a_new_custom_id() {
    let served = serve_at(Version::new(4, 4, 10)).await;
    let cluster = cluster_named(&served, "Branch").await.id.unwrap();
    let (status, body) = served
        .post(
            "/events",
            "<event><severity>normal</severity><description>x</description></event>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("Incomplete parameters")
            && body.contains("Event [origin, customId] required for add"),
        "{body}"
    );

    assert_eq!(
        served
            .post("/events", &progress_event("cluster_upgrade", 7, &cluster))
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, body) = served
        .post("/events", &progress_event("cluster_upgrade", 7, &cluster))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("External Event with this custom id already exists"),
        "{body}"
    );
    assert_eq!(
        served
            .post("/events", &progress_event("backup", 7, &cluster))
            .await
            .0,
        StatusCode::CREATED,
        "custom ids are per origin"
    );
    let (status, body) = served
        .post("/events", &progress_event("oVirt", 8, &cluster))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Illegal Origin"), "{body}");
}

#[tokio::test]
/// `BackendJobsResource.add` / `AddExternalJobCommand`: an external job starts, not
/// auto-cleared unless asked; `BackendStepsResource.add` numbers its steps;
/// `EndExternalStepCommand` ends one; `EndExternalJobCommand` ends the job (failed when
/// `succeeded` is false, `force` clears it) and its open steps with it
/// (`JobRepositoryImpl.updateCompletedJobAndSteps`); ending a job the engine does not have is
/// `ACTION_TYPE_NO_JOB`, 400.
async fn an_external_job_runs_until_the_client_ends_it() {
    let served = serve_at(Version::new(4, 5, 6)).await;
    let (status, body) = served
        .post(
            "/jobs",
            "<job><description>Upgrading hosts in Branch</description></job>",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let job: Job = from_xml(body.as_bytes()).unwrap();
    assert_eq!(
        (job.status, job.external, job.auto_cleared),
        (Some(JobStatus::Started), Some(true), Some(false))
    );
    let id = job.id.unwrap();

    let step = |description: &str| {
        format!("<step><description>{description}</description><type>unknown</type></step>")
    };
    let (status, body) = served
        .post(
            &format!("/jobs/{id}/steps"),
            &step("Preparing host for upgrade: branch-host01"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first: Step = from_xml(body.as_bytes()).unwrap();
    served
        .post(
            &format!("/jobs/{id}/steps"),
            &step("Upgrading host: branch-host01"),
        )
        .await;
    let (status, body) = served
        .post(
            &format!("/jobs/{id}/steps/{}/end", first.id.clone().unwrap()),
            "<action><succeeded>true</succeeded></action>",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let steps: Vec<Step> =
        list_from_xml(served.text(&format!("/jobs/{id}/steps")).await.as_bytes()).unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|s| (s.number, s.status))
            .collect::<Vec<_>>(),
        [
            (Some(0), Some(StepStatus::Finished)),
            (Some(1), Some(StepStatus::Started))
        ]
    );

    let (status, body) = served
        .post(
            &format!("/jobs/{id}/end"),
            "<action><force>true</force><succeeded>false</succeeded></action>",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ended: Job = from_xml(served.text(&format!("/jobs/{id}")).await.as_bytes()).unwrap();
    assert_eq!(
        (ended.status, ended.auto_cleared),
        (Some(JobStatus::Failed), Some(true))
    );
    assert!(ended.end_time.is_some());
    let steps: Vec<Step> =
        list_from_xml(served.text(&format!("/jobs/{id}/steps")).await.as_bytes()).unwrap();
    assert_eq!(
        steps[1].status,
        Some(StepStatus::Failed),
        "the open step ends with its job"
    );
    let listed: Vec<Job> = list_from_xml(
        served
            .text("/jobs?search=description%3D%22Upgrading+hosts+in+Branch%22")
            .await
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(listed.len(), 1);

    let (status, body) = served
        .post(
            "/jobs/8b5c7d7e-0000-4000-8000-000000000000/end",
            "<action/>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Job not found"), "{body}");
}

#[tokio::test]
/// Engine 4.5 (commit 5cfed654892, from ovirt-engine-4.5.0.1): `ClusterMapper` shows
/// `upgrade_in_progress`, `upgrade_percent_complete` and `upgrade_correlation_id`;
/// `StartClusterUpgradeCommand` keeps the body's correlation id, else the request's;
/// `UpdateClusterUpgradeCommand` takes progress only under that id; a second start is 400
/// with event 893; `FinishClusterUpgradeCommand` resets the percentage.
async fn the_upgrade_flag_shows_its_progress_from_engine_4_5() {
    let served = serve_at(Version::new(4, 5, 6)).await;
    let id = cluster_named(&served, "Branch").await.id.unwrap();
    let path = format!("/clusters/{id}/upgrade");
    let (status, body) = served.post(&path, "<action><upgrade_action>start</upgrade_action><correlation_id>role-run</correlation_id></action>").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = served
        .post(
            &path,
            "<action><upgrade_action>start</upgrade_action></action>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let action: Action = from_xml(body.as_bytes()).unwrap();
    assert_eq!(action.status.as_deref(), Some("failed"));
    let codes: Vec<Option<i32>> =
        list_from_xml::<Event>(served.text("/events?max=1").await.as_bytes())
            .unwrap()
            .into_iter()
            .map(|e| e.code)
            .collect();
    assert_eq!(codes, [Some(893)]);

    let (status, body) = served.post(&path, "<action><upgrade_action>update_progress</upgrade_action><upgrade_percent_complete>30</upgrade_percent_complete></action>").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the request's id (test-session) is not the upgrade's"
    );
    assert!(body.contains("correlation id does not match"), "{body}");
    let (status, body) = served
        .post(&path, "<action><correlation_id>role-run</correlation_id><upgrade_action>update_progress</upgrade_action><upgrade_percent_complete>30</upgrade_percent_complete></action>")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cluster = cluster_named(&served, "Branch").await;
    assert_eq!(
        (
            cluster.upgrade_in_progress,
            cluster.upgrade_percent_complete,
            cluster.upgrade_correlation_id.as_deref()
        ),
        (Some(true), Some(30), Some("role-run"))
    );

    assert_eq!(
        served
            .post(
                &path,
                "<action><upgrade_action>finish</upgrade_action></action>"
            )
            .await
            .0,
        StatusCode::OK
    );
    let cluster = cluster_named(&served, "Branch").await;
    assert_eq!(
        (
            cluster.upgrade_in_progress,
            cluster.upgrade_percent_complete
        ),
        (Some(false), Some(0))
    );
}

#[tokio::test]
/// Engine 4.4.10.7: `ClusterMapper` shows none of the upgrade fields, and
/// `BackendClusterResource.upgrade` runs `FinishClusterUpgradeCommand` for anything but
/// `start` (api-model 4.4.35 has no `update_progress`; its generated `fromValue` reads an
/// unknown value as null). Not checked against a running 4.4 engine.
async fn an_engine_before_4_5_hides_the_flag_and_finishes_on_update_progress() {
    let served = serve_at(Version::new(4, 4, 10)).await;
    let id = cluster_named(&served, "Branch").await.id.unwrap();
    let path = format!("/clusters/{id}/upgrade");
    assert_eq!(
        served
            .post(
                &path,
                "<action><upgrade_action>start</upgrade_action></action>"
            )
            .await
            .0,
        StatusCode::OK
    );
    let xml = served.text(&format!("/clusters/{id}")).await;
    assert!(
        !xml.contains("upgrade_in_progress")
            && !xml.contains("upgrade_percent_complete")
            && !xml.contains("upgrade_correlation_id"),
        "{xml}"
    );

    let (status, body) = served.post(&path, "<action><upgrade_action>update_progress</upgrade_action><upgrade_percent_complete>30</upgrade_percent_complete></action>").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<Option<i32>> =
        list_from_xml::<Event>(served.text("/events?max=1").await.as_bytes())
            .unwrap()
            .into_iter()
            .map(|e| e.code)
            .collect();
    assert_eq!(codes, [Some(894)], "the flag was cleared");
}

#[tokio::test]
/// `AbstractBackendSubResource` reads the id with `asGuidOr404`: a malformed id is 404 for a
/// GET and an action alike. A well-formed id the engine does not have is 404 for a GET
/// (`performGet`) but 400 for an action, whose command fails validation with a bad-parameters
/// message (`VDS_INVALID_SERVER_ID`, `ACTION_TYPE_FAILED_VM_NOT_FOUND`,
/// `ACTION_TYPE_FAILED_CLUSTER_IS_NOT_VALID`; `ErrorMessageHelper`).
async fn actions_on_unknown_objects_answer_400_and_malformed_ids_404() {
    let served = serve_at(Version::new(4, 5, 6)).await;
    let unknown = "5b0a7c1e-1234-4abc-8def-0123456789ab";
    assert_eq!(
        served.get(&format!("/hosts/{unknown}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let malformed = served
        .client
        .post(served.url("/hosts/not-a-uuid/deactivate"))
        .bearer_auth(&served.token)
        .body("<action/>")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::NOT_FOUND);
    for (path, says) in [
        (format!("/hosts/{unknown}/deactivate"), "Invalid Host Id"),
        (format!("/vms/{unknown}/start"), "VM is not found"),
        (
            format!("/clusters/{unknown}/upgrade"),
            "Cluster ID is not valid",
        ),
    ] {
        let body = if path.contains("clusters") {
            "<action><upgrade_action>start</upgrade_action></action>"
        } else {
            "<action/>"
        };
        let (status, answer) = served.post(&path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        let action: Action = from_xml(answer.as_bytes()).unwrap();
        assert_eq!(action.status.as_deref(), Some("failed"), "{path}");
        assert!(
            action
                .fault
                .and_then(|f| f.detail)
                .is_some_and(|d| d.contains(says)),
            "{path}: {answer}"
        );
    }
}

#[tokio::test]
/// `ExecutionHandler` ends an action's job when its command and callbacks end: a move to
/// maintenance answers at once, and its job stays started until the host is in maintenance.
async fn an_actions_job_stays_started_until_its_asynchronous_work_ends() {
    let served = super::serve("standalone-local", "", 60.0).await;
    let host = served
        .hosts("?search=name%3Dhost1")
        .await
        .remove(0)
        .id
        .unwrap();
    let (status, body) = served
        .post(&format!("/hosts/{host}/deactivate"), "<action/>")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let job_id = from_xml::<Action>(body.as_bytes())
        .unwrap()
        .job
        .and_then(|j| j.id)
        .expect("the answer links its job");
    let job = |text: String| from_xml::<Job>(text.as_bytes()).unwrap();
    let started = job(served.text(&format!("/jobs/{job_id}")).await);
    assert_eq!(started.status, Some(JobStatus::Started));
    assert!(started.end_time.is_none());
    served
        .watch_host(&host, |h| h.status == Some(model::HostStatus::Maintenance))
        .await;
    let ended = job(served.text(&format!("/jobs/{job_id}")).await);
    assert_eq!(ended.status, Some(JobStatus::Finished));
    assert!(ended.end_time.is_some());
}

/// `BackendHostResource.remove` (`get()` first: an unknown host is a 404; `performAction`
/// without an action: a refusal is a bare `<fault>`, success an `<action>` with its job) and
/// `BackendHostsResource.add` (`validateParameters(host, "name", "address")`, then
/// `performCreate`: 201 with the host and its `Location`). The reinstall between them is the
/// simulator's control. Not run against a real engine.
#[tokio::test]
async fn hosts_are_added_with_201_and_removed_with_an_action() {
    let served = super::serve("standalone-local", "", 100_000.0).await;
    let control = |path: &str| {
        served
            .client
            .post(format!("{}{path}", super::root(&served.server)))
            .bearer_auth(&served.token)
    };
    let answer = control("/ovirt-sim/manager-version?version=4.4.10")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let host1 = served.host_named("host1").await.id.unwrap();
    let (status, body) = served
        .send(
            reqwest::Method::DELETE,
            &format!("/hosts/{host1}"),
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let fault: ovirt_wire::Fault = from_xml(body.as_bytes()).unwrap();
    assert!(fault.detail.unwrap().contains("Maintenance mode first"));

    let host3 = served.host_named("host3").await.id.unwrap();
    let (status, _) = served
        .post(&format!("/hosts/{host3}/deactivate"), "<action/>")
        .await;
    assert_eq!(status, StatusCode::OK);
    served
        .watch_host(&host3, |h| h.status == Some(model::HostStatus::Maintenance))
        .await;
    let (status, body) = served
        .send(
            reqwest::Method::DELETE,
            &format!("/hosts/{host3}"),
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let action: Action = from_xml(body.as_bytes()).unwrap();
    assert_eq!(action.status.as_deref(), Some("complete"));
    assert!(action.job.is_some());
    assert_eq!(
        served.get(&format!("/hosts/{host3}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let again = served
        .client
        .delete(served.url(&format!("/hosts/{host3}")))
        .bearer_auth(&served.token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    let answer = control("/ovirt-sim/reinstall?host=host3.example.com&os=el8.6")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    let machines = || async {
        json(
            served
                .client
                .get(format!(
                    "{}/ovirt-sim/machines",
                    super::root(&served.server)
                ))
                .bearer_auth(&served.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    for _ in 0..500 {
        let state = machines().await["machines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["address"] == "host3.example.com")
            .unwrap()["state"]
            .clone();
        if state == "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    let (status, body) = served
        .post("/hosts", "<host><name>host3</name></host>")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Host [address] required for add"), "{body}");
    let request = r#"{"name": "host3", "address": "host3.example.com", "root_password": "s3cret", "cluster": {"name": "Default"}}"#;
    let response = served
        .client
        .post(served.url("/hosts?reboot=false"))
        .bearer_auth(&served.token)
        .header("Content-Type", "application/json")
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let added: ovirt_wire::Host = from_xml(response.text().await.unwrap().as_bytes()).unwrap();
    assert_eq!(added.status, Some(model::HostStatus::Installing));
    assert!(added.root_password.is_none(), "the password is never shown");
    // HostMapper.mapOperatingSystem (restapi types): the version and type only once the
    // host reported its system; the custom kernel command line always.
    let os = added.os.expect("<os> is always there");
    assert!(
        os.version.is_none() && os.type_.is_none(),
        "nothing is known of its system before it reports: {os:?}"
    );
    let id = added.id.unwrap();
    assert!(location.ends_with(&format!("/hosts/{id}")));
    use model::HostStatus::*;
    let seen = served.watch_host(&id, |h| h.status == Some(Up)).await;
    assert_eq!(seen.first(), Some(&Installing));
    assert!(!seen.contains(&Reboot), "reboot=false: {seen:?}");
}

/// The local-storage example's one domain, its data center and the VMs on it.
async fn local_domain(served: &Served) -> (String, String) {
    let domains: Vec<StorageDomain> =
        list_from_xml(served.text("/storagedomains").await.as_bytes()).unwrap();
    let local = domains
        .into_iter()
        .find(|d| d.name.as_deref() == Some("branch-local"))
        .expect("the example's local domain");
    let dc = local.data_centers.unwrap()[0].id.clone().unwrap();
    (local.id.unwrap(), dc)
}

#[tokio::test]
/// `BackendStorageDomainsResource.mapFileDomain`: a local domain's `<storage>` carries its
/// directory as `<path>`, in the top-level list, alone and in its data center's list.
async fn a_local_domain_shows_its_directory() {
    let served = super::serve("local-storage", "", 1.0).await;
    let (sd, dc) = local_domain(&served).await;
    for path in [
        "/storagedomains".to_owned(),
        format!("/storagedomains/{sd}"),
        format!("/datacenters/{dc}/storagedomains/{sd}"),
    ] {
        let compact: String = served.text(&path).await.split_whitespace().collect();
        assert!(
            compact
                .contains("<storage><path>/data/branch-local</path><type>localfs</type></storage>"),
            "{path}: {compact}"
        );
    }
}

#[tokio::test]
/// The REST layer checks a request before any command runs: `validateParameters` (400,
/// `StorageDomain [host.id|name] required for add`, `HostStorage [path]`, `[id|name]` to
/// attach), a host or domain named but unknown (`getEntity`: 404, `Entity not found`), a
/// removal without `destroy` and without `host` (`BackendStorageDomainResource.remove`:
/// 400, `host parameter is missing`), an unknown domain to remove or list (404), and a
/// malformed id (`asGuidOr404`).
async fn storage_requests_are_checked_as_the_rest_layer_does() {
    let served = super::serve("local-storage", "", 1.0).await;
    let (sd, dc) = local_domain(&served).await;
    let fault = |answer: &str| -> (String, String) {
        let fault: ovirt_wire::Fault = from_xml(answer.as_bytes()).unwrap();
        (
            fault.reason.unwrap_or_default(),
            fault.detail.unwrap_or_default(),
        )
    };
    let (status, answer) = served
        .post(
            "/storagedomains",
            "<storage_domain><name>l</name><type>data</type><storage><type>localfs</type><path>/data</path></storage></storage_domain>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        fault(&answer),
        (
            "Incomplete parameters".to_owned(),
            "StorageDomain [host.id|name] required for add".to_owned()
        )
    );
    let (status, answer) = served
        .post(
            "/storagedomains",
            "<storage_domain><name>l</name><type>data</type><host><name>branch-host</name></host><storage><type>localfs</type></storage></storage_domain>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fault(&answer).1, "HostStorage [path] required for add");
    let (status, answer) = served
        .post(
            "/storagedomains",
            "<storage_domain><name>l</name><type>data</type><host><name>nobody</name></host><storage><type>localfs</type><path>/data</path></storage></storage_domain>",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(fault(&answer).1, "Entity not found: Hosts: name=nobody");

    let (status, answer) = served
        .post(
            &format!("/datacenters/{dc}/storagedomains"),
            "<storage_domain/>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fault(&answer).1, "StorageDomain [id|name] required for add");
    let (status, answer) = served
        .post(
            &format!("/datacenters/{dc}/storagedomains"),
            "<storage_domain><name>nowhere</name></storage_domain>",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(fault(&answer).1, "Entity not found: Storage: name=nowhere");

    let (status, answer) = served
        .send(
            reqwest::Method::DELETE,
            &format!("/storagedomains/{sd}"),
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fault(&answer).0, "host parameter is missing");
    let unknown = "5b0a7c1e-1234-4abc-8def-0123456789ab";
    for path in [
        format!("/storagedomains/{unknown}?destroy=true"),
        "/storagedomains/not-a-uuid?destroy=true".to_owned(),
    ] {
        let answer = served
            .client
            .delete(served.url(&path))
            .bearer_auth(&served.token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        served
            .get(&format!("/storagedomains/{unknown}/vms;unregistered"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (status, answer) = served
        .post(
            &format!("/storagedomains/{sd}/vms/{unknown}/register"),
            "<action/>",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        fault(&answer).1,
        "Action [cluster.id|name] required for register"
    );
}

/// Polls `path` until the object there satisfies `done`.
async fn poll<T: ovirt_wire::Entity>(served: &Served, path: &str, done: impl Fn(&T) -> bool) -> T {
    for _ in 0..500 {
        let object: T = from_xml(served.text(path).await.as_bytes()).unwrap();
        if done(&object) {
            return object;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{path} never got there");
}

#[tokio::test]
/// Guide §1.1.9 over the wire: `BackendAttachedStorageDomainResource.deactivate`, then
/// `BackendStorageDomainResource.remove` with `destroy` (`ForceRemoveStorageDomain`, an
/// `<action>`); `BackendStorageDomainsResource.add` with `import` still makes a new localfs
/// domain (`AddLocalStorageDomain`), which the directory holding the old one refuses; the
/// portal's import (a sim control) brings it back with its id; a new domain is attached by
/// the engine itself (201, `Location`); `BackendAttachedStorageDomainsResource.add` refuses a
/// domain attached already; `BackendStorageDomainVmsResource.list` with the `unregistered`
/// matrix parameter, `BackendStorageDomainVmResource.register` (an `<action>` with its job;
/// the VM back, down).
async fn a_local_domain_is_destroyed_imported_attached_and_its_vms_registered() {
    let served = super::serve("local-storage", "", 100_000.0).await;
    let answer = served
        .client
        .post(format!(
            "{}/ovirt-sim/manager-version?version=4.4.10",
            super::root(&served.server)
        ))
        .bearer_auth(&served.token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let (sd, dc) = local_domain(&served).await;
    let vms: Vec<ovirt_wire::Vm> = list_from_xml(served.text("/vms").await.as_bytes()).unwrap();
    for vm in &vms {
        let id = vm.id.as_deref().unwrap();
        let (status, answer) = served.post(&format!("/vms/{id}/stop"), "<action/>").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        poll(&served, &format!("/vms/{id}"), |v: &ovirt_wire::Vm| {
            v.status == Some(model::VmStatus::Down)
        })
        .await;
    }

    let in_dc = format!("/datacenters/{dc}/storagedomains/{sd}");
    let (status, answer) = served
        .post(&format!("{in_dc}/deactivate"), "<action/>")
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let action: Action = from_xml(answer.as_bytes()).unwrap();
    assert_eq!(action.status.as_deref(), Some("complete"));
    poll(&served, &in_dc, |d: &StorageDomain| {
        d.status == Some(model::StorageDomainStatus::Maintenance)
    })
    .await;

    let (status, answer) = served
        .send(
            reqwest::Method::DELETE,
            &format!("/storagedomains/{sd}?destroy=true"),
            "application/xml",
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let action: Action = from_xml(answer.as_bytes()).unwrap();
    assert_eq!(action.status.as_deref(), Some("complete"));
    assert!(action.job.is_some());
    assert_eq!(
        served.get(&format!("/storagedomains/{sd}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        list_from_xml::<ovirt_wire::Vm>(served.text("/vms").await.as_bytes())
            .unwrap()
            .is_empty()
    );

    let import = "<storage_domain><name>branch-local</name><import>true</import><type>data</type>\
        <host><name>branch-host</name></host>\
        <storage><type>localfs</type><path>/data/branch-local</path></storage></storage_domain>";
    let (status, answer) = served.post("/storagedomains", import).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer.contains("already holds storage domain branch-local"),
        "{answer}"
    );

    let imported = served
        .client
        .post(format!(
            "{}/ovirt-sim/import-domain?host=branch-host&path=/data/branch-local",
            super::root(&served.server)
        ))
        .bearer_auth(&served.token)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    assert!(imported.text().await.unwrap().contains(&sd));
    poll(&served, &in_dc, |d: &StorageDomain| {
        d.status == Some(model::StorageDomainStatus::Active) && d.master == Some(true)
    })
    .await;

    let new = "<storage_domain><name>branch-new</name><type>data</type>\
        <host><name>branch-host</name></host>\
        <storage><type>localfs</type><path>/localfs</path></storage></storage_domain>";
    let response = served
        .client
        .post(served.url("/storagedomains"))
        .bearer_auth(&served.token)
        .header("Content-Type", "application/xml")
        .body(new)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let made: StorageDomain = from_xml(response.text().await.unwrap().as_bytes()).unwrap();
    let made_id = made.id.clone().unwrap();
    assert_eq!(
        location,
        format!("/ovirt-engine/api/storagedomains/{made_id}")
    );
    assert_eq!(
        made.storage.and_then(|s| s.path).as_deref(),
        Some("/localfs")
    );
    let (status, answer) = served
        .post(
            &format!("/datacenters/{dc}/storagedomains"),
            &format!("<storage_domain id=\"{made_id}\"/>"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "attached by the engine already: {answer}"
    );

    let listed: Vec<ovirt_wire::Vm> = list_from_xml(
        served
            .text(&format!("/storagedomains/{sd}/vms;unregistered"))
            .await
            .as_bytes(),
    )
    .unwrap();
    let mut names: Vec<&str> = listed.iter().filter_map(|v| v.name.as_deref()).collect();
    names.sort();
    assert_eq!(names, ["file-server", "print-server"]);
    for vm in &listed {
        let id = vm.id.as_deref().unwrap();
        let (status, answer) = served
            .post(
                &format!("/storagedomains/{sd}/vms/{id}/register"),
                "<action><cluster><name>branch</name></cluster></action>",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let action: Action = from_xml(answer.as_bytes()).unwrap();
        assert_eq!(action.status.as_deref(), Some("complete"));
        assert!(action.job.is_some());
        let back: ovirt_wire::Vm =
            from_xml(served.text(&format!("/vms/{id}")).await.as_bytes()).unwrap();
        assert_eq!(back.status, Some(model::VmStatus::Down));
    }
    assert!(list_from_xml::<ovirt_wire::Vm>(
        served
            .text(&format!("/storagedomains/{sd}/vms?unregistered=true"))
            .await
            .as_bytes()
    )
    .unwrap()
    .is_empty());
    let held: Vec<ovirt_wire::Vm> = list_from_xml(
        served
            .text(&format!("/storagedomains/{sd}/vms"))
            .await
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(held.len(), 2, "registered VMs have their disks there");
}
