//! An async HTTP client for real oVirt / RHV engines (REST API v4), implementing the engine
//! seam [`model::engine::Engine`].
//!
//! * **Connection** ([`Config`]): the API URL, a user with its profile, the password, TLS
//!   checked against the system's authorities, the engine's own CA ([`Tls::CaFile`]) or not
//!   at all ([`Tls::Insecure`]); connect and read timeouts.
//! * **Login** as the Python SDK does it: an SSO token (password grant, scope
//!   `ovirt-app-api`), or HTTP Basic on every request where the engine has no SSO endpoint;
//!   a new token once when a request is refused with 401 (the engine's session expired); a
//!   logout from [`Client::close`].
//! * **Every request** sends `Version: 4` and the session's `Correlation-Id`, so the engine's
//!   events and jobs of one run group together.
//! * **Retries** with exponential backoff ([`Retry`]): reads and idempotent updates on 502,
//!   503, 504, timeouts and broken connections; actions that must not happen twice only when
//!   the engine surely did not take them (connection refused, 503).
//! * **Actions** return once the engine accepted them, as the seam says; when the engine
//!   answers that an action still runs (`pending` / `in_progress`) with a job, the client
//!   waits for that job and reports its failure.
//! * **The inventory** ([`Client::read_inventory`]) reads the whole environment with a
//!   progress callback: data centers, clusters, hosts (`all_content` for their
//!   hosted-engine state), VMs with their disk attachments and snapshots (`follow`), storage
//!   domains (merged with each data center's view, which alone shows attached domains'
//!   status), disks and their volume chains (each domain's disk snapshots). Any valid answer
//!   reads: what the model cannot hold is left out by name ([`Client::export`] returns a
//!   [`Warning`] for each; docs/client.md lists the cases).
//!
//! * **The seam's `inventory()`** reads [`Config::seam_scope`]: everything by default, only
//!   data centers, clusters, hosts and VMs for the rolling upgrade, which looks every wave.
//!
//! Errors ([`ClientError`]) name the request or object and carry a hint: a wrong password,
//! an unknown CA, a refused connection, a web page where the API should be, malformed XML
//! (with its line and element). Nothing here prints.

mod auth;
mod certs;
mod config;
mod engine;
mod error;
mod inventory;
mod sim;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use ovirt_wire::{Action, ApiPath, Entity, JobStatus, WireError};
use reqwest::Method;

pub use certs::{read_certificates, CaSource, CertificateFacts, ChainCheck, EngineCertificates};
pub use config::{Config, Password, Retry, Tls};
pub use error::{ClientError, ErrorKind};
pub use inventory::{Export, Progress, Scope, Stage, Warning};

use transport::{decode, Call, Replay, Transport, JOB_POLL};

/// How long an action the engine still runs is waited for before it counts as accepted.
const JOB_PATIENCE: Duration = Duration::from_secs(15 * 60);

/// A logged-in connection to one engine. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    /// Where hrefs in request bodies point.
    api_path: ApiPath,
    /// The Manager's version when the session began.
    version: model::Version,
    /// What the seam's `inventory()` reads.
    seam_scope: Scope,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Logs in and reads the API's entry point, which proves the URL, the TLS settings and
    /// the credentials.
    pub async fn connect(config: &Config) -> Result<Client, ClientError> {
        let transport = Transport::new(config)?;
        let api_path = ApiPath::new(transport.api().path());
        let call = Call::get("");
        let target = format!("GET {}", transport.url(&call));
        let answer = transport.execute(&call).await?;
        let root: ovirt_wire::Api = decode(&target, &answer.body, ovirt_wire::from_xml)?;
        let version = root
            .engine_version()
            .map_err(|error| convert_error(&target, error))?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                api_path,
                version,
                seam_scope: config.seam_scope,
            }),
        })
    }

    /// The API URL, as normalised (`https://engine.example.com/ovirt-engine/api`).
    pub fn url(&self) -> &str {
        self.inner.transport.api().as_str()
    }

    /// The `Correlation-Id` every request of this session carries.
    pub fn correlation_id(&self) -> &str {
        self.inner.transport.correlation_id()
    }

    /// The Manager's version when the session began (an inventory read shows it anew).
    pub fn engine_version(&self) -> model::Version {
        self.inner.version
    }

    /// Ends the session: revokes the SSO token (nothing to do with Basic authentication).
    pub async fn close(&self) -> Result<(), ClientError> {
        self.inner
            .transport
            .session
            .logout(&self.inner.transport)
            .await
    }

    fn api_path(&self) -> &ApiPath {
        &self.inner.api_path
    }

    async fn execute(&self, call: &Call) -> Result<(String, Vec<u8>, u16), ClientError> {
        let target = format!("{} {}", call.method, self.inner.transport.url(call));
        let answer = self.inner.transport.execute(call).await?;
        Ok((target, answer.body, answer.status.as_u16()))
    }

    /// One object.
    async fn get<T: Entity>(&self, call: Call) -> Result<(String, T), ClientError> {
        let (target, body, _) = self.execute(&call).await?;
        let value = decode(&target, &body, ovirt_wire::from_xml)?;
        Ok((target, value))
    }

    /// A collection, each member turned into `R` as it is read, so that the wire objects of
    /// a large list are never all held at once.
    async fn list<T: Entity, R>(
        &self,
        call: Call,
        mut each: impl FnMut(&str, T) -> Result<Option<R>, ClientError>,
    ) -> Result<Vec<R>, ClientError> {
        let (target, body, _) = self.execute(&call).await?;
        let members =
            ovirt_wire::iter_xml_list::<T>(&body).map_err(|error| wire_error(&target, error))?;
        let mut out = Vec::new();
        for member in members {
            let member = member.map_err(|error| wire_error(&target, error))?;
            if let Some(value) = each(&target, member)? {
                out.push(value);
            }
        }
        Ok(out)
    }

    /// A collection read leniently: each member comes with the first value in it that did
    /// not fit its element (see [`ovirt_wire::Member`]); only a broken document is an error.
    async fn list_members<T: Entity, R>(
        &self,
        call: Call,
        mut each: impl FnMut(ovirt_wire::Member<T>) -> Option<R>,
    ) -> Result<Vec<R>, ClientError> {
        let (target, body, _) = self.execute(&call).await?;
        let mut members =
            ovirt_wire::iter_xml_list::<T>(&body).map_err(|error| wire_error(&target, error))?;
        let mut out = Vec::new();
        while let Some(member) = members.next_member() {
            let member = member.map_err(|error| wire_error(&target, error))?;
            out.extend(each(member));
        }
        Ok(out)
    }

    /// Sends an action and reads the engine's answer: a fault is a refusal; an action the
    /// engine still runs under a job is waited for.
    async fn act(
        &self,
        path: String,
        body: &Action,
        replay: Replay,
        subject: (&'static str, String),
    ) -> Result<(), ClientError> {
        let mut call = Call::send(Method::POST, path, ovirt_wire::to_request_xml(body), replay);
        call.subject = Some(subject);
        self.run_action(&call).await
    }

    /// Sends an action-like request (an action, a `DELETE`) and reads the `<action>` answer.
    async fn run_action(&self, call: &Call) -> Result<(), ClientError> {
        let (target, body, status) = self.execute(call).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let answer: Action = decode(&target, &body, ovirt_wire::from_xml)?;
        let answer = answer
            .into_result()
            .map_err(|error| refused_with_status(wire_error(&target, error), status))?;
        match answer.status.as_deref() {
            Some("failed") => Err(ClientError::new(
                ErrorKind::Refused {
                    status,
                    reason: "Operation Failed".into(),
                    detail: String::new(),
                },
                &target,
                "the engine reports the action failed",
            )),
            Some("pending" | "in_progress") => match answer.job.and_then(|job| job.id) {
                Some(job) => self.wait_for_job(&job, &target, status).await,
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Polls a job until it ends; a failed or aborted job is a refusal of the action.
    async fn wait_for_job(&self, job: &str, action: &str, status: u16) -> Result<(), ClientError> {
        let deadline = tokio::time::Instant::now() + JOB_PATIENCE;
        while tokio::time::Instant::now() < deadline {
            let (_, state): (_, ovirt_wire::Job) = self
                .get(Call::get(format!("jobs/{job}")).about("job", job))
                .await?;
            match state.status {
                Some(JobStatus::Finished) => return Ok(()),
                Some(outcome @ (JobStatus::Failed | JobStatus::Aborted)) => {
                    let detail = state.description.clone().unwrap_or_default();
                    return Err(ClientError::new(
                        ErrorKind::Refused {
                            status,
                            reason: format!("job {}", outcome.as_str()),
                            detail: detail.clone(),
                        },
                        action,
                        format!("the engine's job {job} {}: {detail}", outcome.as_str()),
                    ));
                }
                _ => tokio::time::sleep(JOB_POLL).await,
            }
        }
        // Still running: accepted all the same; its effects show in the state.
        Ok(())
    }
}

/// A document that could not be read, as an error about the request.
fn wire_error(target: &str, error: WireError) -> ClientError {
    match error {
        WireError::Fault(fault) => ClientError::new(
            ErrorKind::Refused {
                status: 200,
                reason: fault.reason.clone().unwrap_or_default(),
                detail: fault.detail.clone().unwrap_or_default(),
            },
            target,
            format!("the engine refused: {fault}"),
        ),
        WireError::Html { .. } => ClientError::new(ErrorKind::Protocol, target, error.to_string())
            .with_hint(
                "a web page answered where the API should: check that the URL is the engine's API, such as https://engine.example.com/ovirt-engine/api, and that no proxy or login page stands in between",
            ),
        WireError::Empty { .. } | WireError::WrongFormat { .. } | WireError::UnexpectedRoot { .. } => {
            ClientError::new(ErrorKind::Protocol, target, error.to_string()).with_hint(
                "check that the URL is the engine's API, such as https://engine.example.com/ovirt-engine/api",
            )
        }
        WireError::MalformedXml { .. } | WireError::MalformedJson { .. } => {
            ClientError::new(ErrorKind::Protocol, target, error.to_string()).with_hint(
                "the answer was cut short or garbled; try again, and check any proxy between here and the engine",
            )
        }
        WireError::InvalidValue { .. } => ClientError::new(ErrorKind::Protocol, target, error.to_string())
            .with_hint("this engine sends a value the upgrade does not know; report it with the engine's version"),
    }
}

fn refused_with_status(mut error: ClientError, status: u16) -> ClientError {
    if let ErrorKind::Refused { status: s, .. } = &mut error.kind {
        *s = status;
    }
    error
}

/// An object whose content the model cannot take.
fn convert_error(target: &str, error: ovirt_wire::ConvertError) -> ClientError {
    ClientError::new(ErrorKind::Protocol, target, error.to_string())
        .with_hint("the engine's answer lacks something the upgrade needs; report it with the engine's version")
}
