//! Controls only a simulator has, under `/ovirt-sim/`, with the API's credentials:
//!
//! * `POST /ovirt-sim/host-update?vdsm=4.50.3.5-1.el8` — new host packages are published, so
//!   `upgradecheck` finds updates on hosts running an older vdsm;
//! * `POST /ovirt-sim/manager-version?version=4.5.6` — the Manager now runs this version, as
//!   if `engine-setup` had run (the API root and the cluster levels it accepts follow);
//! * `GET /ovirt-sim/invariants` — the invariant checks over the history so far.
//!
//! Answers are JSON.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use model::engine::EngineError;
use model::{PackageVersion, Version};
use serde_json::json;

use super::query::Params;
use super::{reply, App};

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    reply::text(status, reply::JSON, body.to_string())
}

fn refused(detail: impl std::fmt::Display) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({ "error": detail.to_string() }),
    )
}

/// The request's parameters, when its credentials are the API's.
fn admitted(app: &App, request: &Request) -> Option<Params> {
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    app.tokens.admit(authorization, &app.credentials)?;
    Some(Params::parse(request.uri().query()))
}

pub async fn publish_host_update(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(params) = admitted(&app, &request) else {
        return reply::unauthorized();
    };
    let Some(vdsm) = params.get("vdsm") else {
        return refused(
            "say which vdsm version is published: /ovirt-sim/host-update?vdsm=4.50.3.5-1.el8",
        );
    };
    app.engine
        .simulator()
        .publish_host_update(PackageVersion::new(vdsm));
    answer(StatusCode::OK, json!({ "published": { "vdsm": vdsm } }))
}

pub async fn set_manager_version(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(params) = admitted(&app, &request) else {
        return reply::unauthorized();
    };
    let Some(text) = params.get("version") else {
        return refused(
            "say which version the Manager runs: /ovirt-sim/manager-version?version=4.5.6",
        );
    };
    let version: Version = match text.parse() {
        Ok(version) => version,
        Err(error) => return refused(error),
    };
    match app.engine.simulator().set_manager_version(version) {
        Ok(()) => answer(
            StatusCode::OK,
            json!({ "manager_version": version.to_string() }),
        ),
        Err(EngineError::Refused { detail, .. }) => refused(detail),
        Err(other) => refused(other),
    }
}

pub async fn invariants(State(app): State<Arc<App>>, request: Request) -> Response {
    if admitted(&app, &request).is_none() {
        return reply::unauthorized();
    }
    let sim = app.engine.simulator();
    let violations: Vec<String> = sim
        .history()
        .check(sim.inventory(), sim.now())
        .iter()
        .map(ToString::to_string)
        .collect();
    answer(
        StatusCode::OK,
        json!({ "virtual_time": sim.now().to_string(), "ok": violations.is_empty(), "violations": violations }),
    )
}
