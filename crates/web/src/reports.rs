//! The check report of the environment, made afresh on every request (a reload refreshes it),
//! with the same rules and HTML renderer as `ovirt-upgrade check`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use model::{Inventory, Text};

use crate::layout::{problem, PageLang};
use crate::{App, Environment};

/// Reads the environment on a thread of its own: a live engine's client runs its own runtime.
pub(crate) async fn load(environment: &Environment) -> Result<Inventory, Text> {
    let load = environment.load.clone();
    let (send, receive) = tokio::sync::oneshot::channel();
    // Dropping the answer when the page was closed meanwhile is fine.
    std::thread::spawn(move || {
        let _ = send.send(load());
    });
    let failed = |detail: String| {
        Text::owned(
            format!("Cannot read the environment {}: {detail}", environment.name),
            format!("環境 {} を読み取れません: {detail}", environment.name),
        )
    };
    match receive.await {
        Ok(Ok(inventory)) => Ok(inventory),
        Ok(Err(error)) => Err(failed(format!("{error:#}"))),
        Err(_) => Err(failed("the reader stopped".to_owned())),
    }
}

/// `GET /check`: the report `check --html` writes, for the next stop on the route.
pub(crate) async fn check(State(app): State<Arc<App>>, PageLang(lang): PageLang) -> Response {
    let Some(environment) = &app.config.environment else {
        return problem(
            StatusCode::NOT_FOUND,
            lang,
            "/check",
            &Text::new(
                "No environment to check: start serve with --env FILE, --env example:NAME or --engine URL.",
                "チェックする環境がありません。serve を --env FILE、--env example:NAME または --engine URL 付きで起動してください。",
            ),
        );
    };
    let inventory = match load(environment).await {
        Ok(inventory) => inventory,
        Err(message) => return problem(StatusCode::BAD_GATEWAY, lang, "/check", &message),
    };
    let target = checks::default_target(inventory.manager.version);
    match checks::check(&inventory, target, orchestrator::clock::wall_clock().date()) {
        Ok(report) => Html(checks::render::html(&report, lang)).into_response(),
        Err(error) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            "/check",
            &Text::same(error.to_string()),
        ),
    }
}
