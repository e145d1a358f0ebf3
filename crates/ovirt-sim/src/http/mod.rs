//! The simulator over HTTP at `/ovirt-engine/api`, as the official clients expect it.
//!
//! One [`SimEngine`] is served: real time × its speed drives the virtual clock, so a client
//! polling a host sees it go through maintenance, installing and reboot in seconds.
//!
//! * `/ovirt-engine/api[/v4]/…` — the API subset (research §1–§7): collections with
//!   `search`, `max`, `follow`, `all_content`, `case_sensitive`, single objects, actions,
//!   `PUT` of clusters and data centers; XML unless `Accept` asks for JSON.
//! * `/ovirt-engine/sso/oauth/token`, `/ovirt-engine/services/sso-logout` — SSO ([`auth`]).
//! * `/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA` — the CA
//!   when served with TLS.
//! * `/ovirt-sim/…` — controls that only a simulator has ([`control`]).
//!
//! Transport faults ([`crate::TransportFaults`]) strike API requests as real 503s, slow
//! answers, connections closed without an answer and tokens found expired.

mod api;
pub mod auth;
mod control;
pub mod fields;
mod jobs;
pub mod query;
mod reply;
mod server;
mod tls;

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use ovirt_wire::ApiPath;

use crate::SimEngine;
use auth::Tokens;
use query::Params;

pub use auth::Credentials;
pub use server::{HttpSim, ServeError, ServeOptions};
pub use tls::{TlsError, TlsProfile, EXPIRING_DAYS};

/// Where the API is served.
pub const API_PATH: &str = "/ovirt-engine/api";

/// The largest request body read (action and update bodies are a few hundred bytes).
const MAX_BODY: usize = 1 << 20;

/// What every request handler shares.
struct App {
    engine: SimEngine,
    tokens: Tokens,
    credentials: Credentials,
    api: ApiPath,
    /// The CA, in PEM, when served with TLS.
    ca_pem: Option<String>,
    jobs: Mutex<jobs::JobStore>,
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/ovirt-engine/sso/oauth/token", post(sso_token))
        .route("/ovirt-engine/services/sso-logout", post(sso_logout))
        .route("/ovirt-engine/services/pki-resource", get(pki_resource))
        .route(API_PATH, any(api::handle))
        .route("/ovirt-engine/api/", any(api::handle))
        .route("/ovirt-engine/api/{*rest}", any(api::handle))
        .route("/ovirt-sim/host-update", post(control::publish_host_update))
        .route(
            "/ovirt-sim/manager-version",
            post(control::set_manager_version),
        )
        .route("/ovirt-sim/reinstall", post(control::reinstall))
        .route("/ovirt-sim/import-domain", post(control::import_domain))
        .route("/ovirt-sim/machines", get(control::machines))
        .route("/ovirt-sim/invariants", get(control::invariants))
        .with_state(app)
}

/// The request body as form parameters (`grant_type=password&username=…`).
async fn form(request: Request) -> Result<Params, Response> {
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| {
            reply::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                reply::JSON,
                "{\"error\":\"the request body is too large\"}".into(),
            )
        })?;
    Ok(Params::parse(Some(&String::from_utf8_lossy(&body))))
}

async fn sso_token(State(app): State<Arc<App>>, request: Request) -> Response {
    let form = match form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let answer = app.tokens.login(&form, &app.credentials);
    reply::text(
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST),
        reply::JSON,
        answer.body,
    )
}

async fn sso_logout(State(app): State<Arc<App>>, request: Request) -> Response {
    let form = match form(request).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let answer = app.tokens.logout(&form);
    reply::text(StatusCode::OK, reply::JSON, answer.body)
}

/// The engine CA, as `engine-setup` publishes it for clients to verify the engine with.
async fn pki_resource(State(app): State<Arc<App>>, request: Request) -> Response {
    let params = Params::parse(request.uri().query());
    if params.get("resource") != Some("ca-certificate") {
        return reply::text(
            StatusCode::NOT_FOUND,
            "text/plain",
            "Only resource=ca-certificate is served by the simulated engine.\n".into(),
        );
    }
    match &app.ca_pem {
        Some(pem) => reply::text(StatusCode::OK, "application/x-x509-ca-cert", pem.clone()),
        None => reply::text(
            StatusCode::NOT_FOUND,
            "text/plain",
            "The simulated engine is served without TLS, so it has no CA; start it with --tls.\n"
                .into(),
        ),
    }
}
