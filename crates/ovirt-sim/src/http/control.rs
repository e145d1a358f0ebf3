//! Controls only a simulator has, under `/ovirt-sim/`, with the API's credentials:
//!
//! * `POST /ovirt-sim/host-update?vdsm=4.50.3.5-1.el8` — new host packages are published, so
//!   `upgradecheck` finds updates on hosts running an older vdsm;
//! * `POST /ovirt-sim/manager-version?version=4.5.6` — the Manager now runs this version, as
//!   if `engine-setup` had run (the API root and the cluster levels it accepts follow);
//! * `POST /ovirt-sim/reinstall?host=FQDN&os=el8.6[&type=ovirt_node][&engine_key=false]` —
//!   the machine's operating system is reinstalled, as PXE or kickstart would (its host
//!   removed from the engine first); it answers again after the reinstall's virtual time;
//! * `POST /ovirt-sim/import-domain?host=MACHINE&path=/data[&name=NAME]` — the Administration
//!   Portal's Import Domain of the local domain at `path` on the machine's host, which no REST
//!   call does: taken in with its id and attached to the host's data center;
//! * `GET /ovirt-sim/machines` — the machines behind the hosts, with their system and state;
//! * `GET /ovirt-sim/invariants` — the invariant checks over the history so far.
//!
//! Answers are JSON.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use model::engine::EngineError;
use model::{ElVersion, HostType, PackageVersion, Version};
use serde_json::json;

use super::query::Params;
use super::{reply, App};
use crate::{Machine, MachineState, Reinstall};

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

pub async fn reinstall(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(params) = admitted(&app, &request) else {
        return reply::unauthorized();
    };
    let usage = "/ovirt-sim/reinstall?host=host01.example.com&os=el8.6[&type=ovirt_node][&engine_key=false]";
    let (Some(host), Some(os)) = (params.get("host"), params.get("os")) else {
        return refused(format!(
            "say which machine gets which operating system: {usage}"
        ));
    };
    let os: ElVersion = match os.parse() {
        Ok(os) => os,
        Err(error) => return refused(error),
    };
    let host_type = match params.get("type").map(str::parse::<HostType>) {
        None => HostType::Rhel,
        Some(Ok(host_type)) => host_type,
        Some(Err(error)) => return refused(error),
    };
    let to = Reinstall {
        os,
        host_type,
        engine_key: params.flag("engine_key").unwrap_or(true),
    };
    let engine = app.engine.clone();
    let outcome = engine.reinstall_machine(host, to);
    let sim = engine.simulator();
    match outcome {
        Ok(()) => {
            let machine = sim.machines().iter().find(|m| m.is(host));
            answer(
                StatusCode::ACCEPTED,
                json!({
                    "reinstalling": machine.map(describe),
                    "takes_seconds": sim.config().reinstall_ms / 1000,
                }),
            )
        }
        Err(EngineError::Refused { detail, .. }) => refused(detail.trim_matches(['[', ']'])),
        Err(other) => refused(other),
    }
}

pub async fn import_domain(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(params) = admitted(&app, &request) else {
        return reply::unauthorized();
    };
    let (Some(host), Some(path)) = (params.get("host"), params.get("path")) else {
        return refused(
            "say which host's directory holds the domain: /ovirt-sim/import-domain?host=branch-host.example.com&path=/data[&name=NAME]",
        );
    };
    match app
        .engine
        .import_local_domain(host, path, params.get("name").unwrap_or(""))
    {
        Ok(id) => answer(StatusCode::OK, json!({ "imported": id.to_string() })),
        Err(EngineError::Refused { detail, .. }) => refused(detail.trim_matches(['[', ']'])),
        Err(other) => refused(other),
    }
}

fn describe(machine: &Machine) -> serde_json::Value {
    let reinstalling_to = match &machine.state {
        MachineState::Reinstalling(to) => Some(json!({
            "os": to.os.to_string(),
            "type": to.host_type.as_str(),
        })),
        MachineState::Running | MachineState::Failed => None,
    };
    json!({
        "address": machine.address,
        "name": machine.name,
        "os": machine.os.to_string(),
        "type": machine.host_type.as_str(),
        "engine_key": machine.engine_key,
        "state": machine.state.as_str(),
        "reinstalling_to": reinstalling_to,
    })
}

pub async fn machines(State(app): State<Arc<App>>, request: Request) -> Response {
    if admitted(&app, &request).is_none() {
        return reply::unauthorized();
    }
    let sim = app.engine.simulator();
    let machines: Vec<serde_json::Value> = sim.machines().iter().map(describe).collect();
    answer(
        StatusCode::OK,
        json!({ "virtual_time": sim.now().to_string(), "machines": machines }),
    )
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
