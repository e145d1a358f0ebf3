//! Every route through the router itself: the token, the Upgrade Helper against `plan`'s
//! renderer and tracker, the check and discrepancies reports, and the live run's event stream.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use futures_util::StreamExt as _;
use model::{ClusterId, Lang, Timestamp, Uuid};
use orchestrator::journal::Record;
use orchestrator::{Journal, Options, RunHeader};
use tower::ServiceExt as _;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const CHOICES: &str = "from=4.3.11&to=4.4&deployment=self-hosted&ovn=on";

/// The router over `dir`, whose `storage` holds the demo's file domains as the simulator
/// writes them.
fn app(dir: &Path) -> Router {
    let storage = dir.join("storage");
    if !storage.exists() {
        let inventory = scenario::load("example:demo").unwrap();
        discrepancies::sim::write_storage(&inventory, &storage, 0, 0).unwrap();
    }
    web::router(
        web::Config {
            state_dir: dir.join("state"),
            runs_dir: dir.to_path_buf(),
            environment: Some(web::Environment {
                name: "example:demo".into(),
                load: Arc::new(|| Ok(scenario::load("example:demo")?)),
            }),
            storage: Some(web::Storage {
                name: storage.display().to_string(),
                simulated: true,
                sources: vec![discrepancies::StorageSource::FileDomain(storage)],
            }),
            lang: Lang::En,
            poll: Duration::from_millis(20),
        },
        TOKEN.into(),
    )
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn plan() -> guide::Plan {
    let choices = guide::Choices {
        from: Some("4.3.11".parse().unwrap()),
        to: Some("4.4".parse().unwrap()),
        deployment: Some(guide::DeploymentKind::SelfHosted),
        ovn: true,
        ..guide::Choices::default()
    };
    guide::resolve(&choices, None).unwrap().plan().unwrap()
}

#[tokio::test]
async fn every_page_wants_the_token_and_a_token_in_the_address_sets_the_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    for path in [
        "/",
        "/plan",
        "/check",
        "/discrepancies",
        "/runs",
        "/runs/x.sqlite/events",
    ] {
        assert_eq!(get(&app, path).await.0, StatusCode::UNAUTHORIZED, "{path}");
        let wrong = format!("{path}?token=0123456789abcdef0123456789abcdee");
        assert_eq!(
            get(&app, &wrong).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let response = app
        .clone()
        .oneshot(
            Request::get(format!("/?token={TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let with_cookie = Request::get("/runs")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, with_cookie).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_form_gives_plans_checklist_and_the_printable_page_is_plans_html() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let plan = plan();
    let (status, page) = get(&app, &format!("/plan?token={TOKEN}&{CHOICES}")).await;
    assert_eq!(status, StatusCode::OK);
    let checklist = guide::render::html::checklist(&plan, Lang::En, Some(&Default::default()));
    assert!(page.contains(&checklist.into_string()), "{page}");
    let (status, printable) = get(&app, &format!("/plan/print?token={TOKEN}&{CHOICES}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        printable,
        guide::render::html::render(&plan, Lang::En, Some(&Default::default()))
    );

    let (status, page) = get(&app, &format!("/plan?token={TOKEN}&from=4.3.11&to=4.9")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("class=\"error\""), "{page}");
}

#[tokio::test]
async fn a_tick_is_kept_by_plans_tracker() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let plan = plan();
    let step = plan.steps().nth(2).unwrap().id.clone();
    let tick = |done: bool| {
        Request::post(format!("/plan/tick?token={TOKEN}&{CHOICES}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("step={step}&done={done}")))
            .unwrap()
    };
    assert_eq!(send(&app, tick(true)).await.0, StatusCode::NO_CONTENT);
    let tracker = std::fs::read_dir(dir.path().join("state"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (saved, _) =
        guide::Tracker::from_json(&std::fs::read(&tracker).unwrap(), "tracker").unwrap();
    assert_eq!(
        saved.done_ids().into_iter().collect::<Vec<_>>(),
        std::slice::from_ref(&step)
    );

    let (_, page) = get(&app, &format!("/plan?token={TOKEN}&{CHOICES}")).await;
    assert!(
        page.contains(&format!("<section class=\"step done\" id=\"{step}\">")),
        "{page}"
    );

    assert_eq!(send(&app, tick(false)).await.0, StatusCode::NO_CONTENT);
    let (saved, _) =
        guide::Tracker::from_json(&std::fs::read(&tracker).unwrap(), "tracker").unwrap();
    assert!(saved.done.is_empty());
}

#[tokio::test]
async fn the_check_report_is_checks_html_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let (status, page) = get(&app, &format!("/check?token={TOKEN}&lang=ja")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<html lang=\"ja\">"), "{page}");
    let accept_japanese = Request::get(format!("/?token={TOKEN}"))
        .header(header::ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    assert!(send(&app, accept_japanese)
        .await
        .1
        .contains("ブラウザで使う"));
}

#[tokio::test]
async fn the_discrepancies_report_is_made_again_at_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let uri = format!("/discrepancies?token={TOKEN}");
    let (status, page) = get(&app, &uri).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(": 0 discrepancies"), "{page}");
    assert!(page.contains("No missing images found"), "{page}");
    assert!(page.contains("id=\"refresh\""), "{page}");

    // A disk gone from storage shows at the next request.
    let images = std::fs::read_dir(dir.path().join("storage"))
        .unwrap()
        .map(|domain| domain.unwrap().path().join("images"))
        .find(|images| images.read_dir().is_ok_and(|mut d| d.next().is_some()))
        .unwrap();
    let image = images.read_dir().unwrap().next().unwrap().unwrap().path();
    std::fs::remove_dir_all(&image).unwrap();
    let (_, page) = get(&app, &uri).await;
    assert!(page.contains("is on DB but not on storage"), "{page}");
    assert!(!page.contains(": 0 discrepancies"), "{page}");

    let (_, page) = get(&app, &format!("{uri}&lang=ja")).await;
    assert!(page.contains("不一致"), "{page}");
}

fn header() -> RunHeader {
    RunHeader {
        run_id: "run".into(),
        engine: "sim:test".into(),
        cluster: ClusterId(Uuid::derived("cluster", "Production")),
        cluster_name: "Production".into(),
        correlation_id: "c".into(),
        created_ms: 0,
        options: Options::default(),
    }
}

#[tokio::test]
async fn the_event_stream_sends_the_run_again_as_its_journal_grows() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let mut journal = Journal::create(&dir.path().join("run.sqlite"), header()).unwrap();
    journal
        .append(Timestamp(1_000), &Record::Began { resumed: false })
        .unwrap();

    let (status, list) = get(&app, &format!("/runs?token={TOKEN}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("run.sqlite") && list.contains("cluster-upgrade"),
        "{list}"
    );
    let (status, page) = get(&app, &format!("/runs/run.sqlite?token={TOKEN}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("the run began"), "{page}");
    assert_eq!(
        get(&app, &format!("/runs/..%2Fx.sqlite?token={TOKEN}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let response = app
        .clone()
        .oneshot(
            Request::get(format!("/runs/run.sqlite/events?token={TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut stream = response.into_body().into_data_stream();
    let mut next_update = async || loop {
        let chunk = stream.next().await.unwrap().unwrap();
        let text = String::from_utf8(chunk.to_vec()).unwrap();
        if text.contains("event: update") {
            return text;
        }
    };
    let first = next_update().await;
    assert!(
        first.contains("the run began") && first.contains("id: 1"),
        "{first}"
    );
    journal
        .append(Timestamp(2_000), &Record::Progress { percent: 40 })
        .unwrap();
    let second = next_update().await;
    assert!(
        second.contains("progress 40%") && second.contains("id: 2"),
        "{second}"
    );
    journal
        .append(
            Timestamp(3_000),
            &Record::Stopping {
                reason: "asked to stop".into(),
            },
        )
        .unwrap();
    assert!(next_update().await.contains("asked to stop"));
}
