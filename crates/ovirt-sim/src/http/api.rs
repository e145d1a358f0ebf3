//! The API at `/ovirt-engine/api`: collections, single objects, actions and updates, served
//! from the simulator's state with the shapes `ovirt-wire` gives them (research §3–§7).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use model::engine::{DomainAction, EngineError, Event as ModelEvent, HostAction};
use model::*;
use ovirt_wire as wire;
use ovirt_wire::{Entity, StorageDomainView};

use super::fields;
use super::jobs::{JobRecord, JobStore, JobSubject};
use super::query::{decode_component, split_matrix, Params};
use super::reply::{self, Format};
use super::{App, API_PATH, MAX_BODY};
use crate::search::{FieldValue, Query};
use crate::{ExternalEvent, Simulator};

/// Counts requests, to give each one without a `Correlation-Id` its own.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// The engine keeps the first 36 characters of a client's correlation id, letters, digits,
/// `-` and `_` only.
fn correlation_id(parts: &Parts, params: &Params) -> Option<String> {
    let given = parts
        .headers
        .get("correlation-id")
        .and_then(|v| v.to_str().ok())
        .or(params.get("correlation_id"))?;
    let clean: String = given
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(36)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

pub async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut params = Params::parse(parts.uri.query());
    let explicit = correlation_id(&parts, &params);
    let echoed = explicit.clone().unwrap_or_else(|| {
        Uuid::derived(
            "request",
            &REQUESTS.fetch_add(1, AtomicOrdering::Relaxed).to_string(),
        )
        .to_string()
    });
    let format = Format::from_accept(params.get("accept").or(header_text(&parts, "accept")));
    let mut response = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => app.answer(&parts, &mut params, &body, explicit.as_deref(), format),
        Err(_) => reply::fault(
            StatusCode::PAYLOAD_TOO_LARGE,
            format,
            "Bad Request",
            "The request body is too large.",
        ),
    };
    if let Ok(value) = HeaderValue::from_str(&echoed) {
        response.headers_mut().insert("correlation-id", value);
    }
    response
}

/// One API request, read.
struct Call<'a> {
    method: &'a Method,
    segments: Vec<String>,
    params: &'a Params,
    format: Format,
    body: &'a [u8],
    body_is_json: bool,
    /// The client's `Correlation-Id`, when it sent one.
    correlation: Option<&'a str>,
    all_content: bool,
}

/// Why a request was not served.
#[derive(Debug)]
enum Failure {
    /// 404 with an empty body, as the engine answers for an unknown id or path.
    NotFound,
    Fault {
        status: StatusCode,
        reason: String,
        detail: String,
    },
}

impl Failure {
    fn bad_request(detail: impl std::fmt::Display) -> Failure {
        Failure::Fault {
            status: StatusCode::BAD_REQUEST,
            reason: "Bad Request".into(),
            detail: detail.to_string(),
        }
    }

    fn incomplete(error: wire::ConvertError) -> Failure {
        Failure::Fault {
            status: StatusCode::BAD_REQUEST,
            reason: "Incomplete parameters".into(),
            detail: error.to_string(),
        }
    }

    fn into_response(self, format: Format) -> Response {
        match self {
            Failure::NotFound => reply::empty(StatusCode::NOT_FOUND),
            Failure::Fault {
                status,
                reason,
                detail,
            } => reply::fault(status, format, &reason, &detail),
        }
    }
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Failure {
        let fault = |status, reason: &str, detail: String| Failure::Fault {
            status,
            reason: reason.to_owned(),
            detail,
        };
        match error {
            EngineError::Refused {
                status,
                reason,
                detail,
            } => fault(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                &reason,
                detail,
            ),
            EngineError::NotFound { .. } => Failure::NotFound,
            EngineError::Unavailable(detail) => fault(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
                detail,
            ),
            EngineError::Authentication(detail) => {
                fault(StatusCode::UNAUTHORIZED, "Unauthorized", detail)
            }
            EngineError::Protocol(detail) => fault(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                detail,
            ),
        }
    }
}

fn parse_id<I: FromStr>(text: &str) -> Result<I, Failure> {
    text.parse().map_err(|_| Failure::NotFound)
}

/// The id of an object a request body refers to (`<cluster id="…"/>`).
fn referenced<I: FromStr>(element: &Option<wire::Ref>, name: &str) -> Result<Option<I>, Failure> {
    let Some(id) = element.as_ref().and_then(|r| r.id.as_deref()) else {
        return Ok(None);
    };
    id.parse()
        .map(Some)
        .map_err(|_| Failure::bad_request(format!("<{name}> id {id:?} is not a UUID")))
}

/// Filters, sorts and cuts a collection as `search` (with `sortby` and `page`),
/// `case_sensitive` and `max` ask. `items` come in the collection's default order.
fn select<'a, T>(
    items: Vec<&'a T>,
    params: &Params,
    field: impl Fn(&T, &str) -> Option<Vec<FieldValue>>,
) -> Result<Vec<&'a T>, Failure> {
    let query = match params.get("search") {
        Some(text) => Query::parse(text).map_err(Failure::bad_request)?,
        None => Query::default(),
    };
    let case_sensitive = params.flag("case_sensitive").unwrap_or(false);
    let mut chosen = Vec::with_capacity(items.len());
    for item in items {
        if query
            .matches(&|key| field(item, key), case_sensitive)
            .map_err(Failure::bad_request)?
        {
            chosen.push(item);
        }
    }
    if let Some((key, ascending)) = &query.sort_by {
        if let Some(first) = chosen.first() {
            if field(first, key).is_none() {
                return Err(Failure::bad_request(
                    crate::search::SearchError::UnknownKey(key.clone()),
                ));
            }
        }
        chosen.sort_by(|a, b| {
            let order = compare_values(field(a, key), field(b, key));
            if *ascending {
                order
            } else {
                order.reverse()
            }
        });
    }
    let max = params.number("max").map(|m| m as usize);
    if let (Some(page), Some(max)) = (query.page, max) {
        chosen.drain(
            ..chosen
                .len()
                .min((page.saturating_sub(1) as usize).saturating_mul(max)),
        );
    }
    if let Some(max) = max {
        chosen.truncate(max);
    }
    Ok(chosen)
}

fn compare_values(a: Option<Vec<FieldValue>>, b: Option<Vec<FieldValue>>) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    let first = |values: Option<Vec<FieldValue>>| values.and_then(|v| v.into_iter().next());
    match (first(a), first(b)) {
        (Some(FieldValue::Number(a)), Some(FieldValue::Number(b))) => a.cmp(&b),
        (Some(FieldValue::Bool(a)), Some(FieldValue::Bool(b))) => a.cmp(&b),
        (
            Some(FieldValue::Text(a) | FieldValue::Enum(a)),
            Some(FieldValue::Text(b) | FieldValue::Enum(b)),
        ) => a.cmp(&b),
        _ => Equal,
    }
}

fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<&T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by(|a, b| name(a).cmp(name(b)));
    sorted
}

const HOST_ACTIONS: [&str; 4] = ["activate", "deactivate", "upgrade", "upgradecheck"];
const VM_ACTIONS: [&str; 6] = [
    "maintenance",
    "migrate",
    "reboot",
    "shutdown",
    "start",
    "stop",
];

impl App {
    fn answer(
        &self,
        parts: &Parts,
        params: &mut Params,
        body: &[u8],
        correlation: Option<&str>,
        format: Format,
    ) -> Response {
        if let Some(version) = header_text(parts, "version")
            .map(str::trim)
            .filter(|v| *v != "4")
        {
            return reply::fault(
                StatusCode::BAD_REQUEST,
                format,
                "Bad Request",
                &format!(
                    "Version {version} is not supported; this engine serves version 4 of the API."
                ),
            );
        }
        if self
            .tokens
            .admit(header_text(parts, "authorization"), &self.credentials)
            .is_none()
        {
            return reply::unauthorized();
        }
        let rest = parts.uri.path().strip_prefix(API_PATH).unwrap_or("");
        let mut segments = Vec::new();
        for raw in rest.split('/').filter(|s| !s.is_empty()) {
            let (name, matrix) = split_matrix(raw);
            if let Some(matrix) = matrix {
                params.add_matrix(matrix);
            }
            segments.push(decode_component(name));
        }
        if let Some(first) = segments.first() {
            if first == "v4" {
                segments.remove(0);
            } else if first.len() > 1
                && first.starts_with('v')
                && first[1..].bytes().all(|b| b.is_ascii_digit())
            {
                return reply::fault(
                    StatusCode::BAD_REQUEST,
                    format,
                    "Bad Request",
                    &format!(
                        "Version {} is not supported; this engine serves version 4 of the API.",
                        &first[1..]
                    ),
                );
            }
        }
        let all_content = params
            .flag("all_content")
            .or_else(|| {
                header_text(parts, "all-content").map(|v| v.trim().eq_ignore_ascii_case("true"))
            })
            .unwrap_or(false);
        let content_type = header_text(parts, header::CONTENT_TYPE.as_str()).unwrap_or("");
        let body_is_json = content_type.contains("json")
            || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let call = Call {
            method: &parts.method,
            segments,
            params,
            format,
            body,
            body_is_json,
            correlation,
            all_content,
        };
        self.route(&call)
            .unwrap_or_else(|failure| failure.into_response(format))
    }

    fn route(&self, call: &Call) -> Result<Response, Failure> {
        let path: Vec<&str> = call.segments.iter().map(String::as_str).collect();
        let get = call.method == Method::GET;
        let post = call.method == Method::POST;
        let put = call.method == Method::PUT;
        let delete = call.method == Method::DELETE;
        match path.as_slice() {
            [] if get => Ok(self.root(call)),
            ["hosts"] if get => self.hosts(call),
            ["hosts"] if post => self.add_host(call),
            ["hosts", id] if get => self.host(call, id),
            ["hosts", id] if delete => self.remove_host(call, id),
            ["hosts", id, action] if post && HOST_ACTIONS.contains(action) => {
                self.host_action(call, id, action)
            }
            ["vms"] if get => self.vms(call),
            ["vms", id] if get => self.vm(call, id),
            ["vms", id] if put => self.update_vm(call, id),
            ["vms", id, "numanodes"] if get => self.vm_numa_nodes(call, id),
            ["vms", id, "diskattachments"] if get => self.vm_disk_attachments(call, id),
            ["vms", id, "snapshots"] if get => self.vm_snapshots(call, id),
            ["vms", id, action] if post && VM_ACTIONS.contains(action) => {
                self.vm_action(call, id, action)
            }
            ["clusters"] if get => self.clusters(call),
            ["clusters", id] if get => self.cluster(call, id),
            ["clusters", id] if put => self.update_cluster(call, id),
            ["clusters", id, "upgrade"] if post => self.cluster_upgrade(call, id),
            ["clusters", id, "networks"] if get => self.cluster_networks(call, id),
            ["datacenters"] if get => self.data_centers(call),
            ["datacenters", id] if get => self.data_center(call, id),
            ["datacenters", id] if put => self.update_data_center(call, id),
            ["datacenters", id, "storagedomains"] if get => {
                self.attached_storage_domains(call, id, None)
            }
            ["datacenters", id, "storagedomains"] if post => self.attach_storage_domain(call, id),
            ["datacenters", id, "storagedomains", sd] if get => {
                self.attached_storage_domains(call, id, Some(sd))
            }
            ["datacenters", id, "storagedomains", sd, action]
                if post && wire::StorageDomain::ATTACHED_ACTIONS.contains(action) =>
            {
                self.storage_domain_action(call, id, sd, action)
            }
            ["datacenters", id, "networks"] if get => self.networks(call, Some(id)),
            ["storagedomains"] if get => self.storage_domains(call),
            ["storagedomains"] if post => self.add_storage_domain(call),
            ["storagedomains", id] if get => self.storage_domain(call, id),
            ["storagedomains", id] if delete => self.remove_storage_domain(call, id),
            ["storagedomains", id, "vms"] if get => self.storage_domain_vms(call, id),
            ["storagedomains", id, "vms", vm, "register"] if post => self.register_vm(call, id, vm),
            ["storagedomains", id, "disks"] if get => self.disks(call, Some(id)),
            ["storagedomains", id, "disksnapshots"] if get => {
                self.disk_snapshots(call, DiskSnapshotsOf::StorageDomain(id))
            }
            ["disks"] if get => self.disks(call, None),
            ["disks", id] if get => self.disk(call, id),
            ["disks", id, "disksnapshots"] if get => {
                self.disk_snapshots(call, DiskSnapshotsOf::Disk(id))
            }
            ["events"] if get => self.events(call),
            ["events"] if post => self.add_event(call),
            ["events", id] if get => self.event(call, id),
            ["jobs"] if get => self.jobs(call),
            ["jobs"] if post => self.add_job(call),
            ["jobs", id] if get => self.job(call, id),
            ["jobs", id, "end"] if post => self.end_job(call, id),
            ["jobs", id, "steps"] if get => self.steps(call, id, None),
            ["jobs", id, "steps"] if post => self.add_step(call, id),
            ["jobs", id, "steps", step] if get => self.steps(call, id, Some(step)),
            ["jobs", id, "steps", step, "end"] if post => self.end_step(call, id, step),
            ["schedulingpolicies"] if get => self.scheduling_policies(call, None),
            ["schedulingpolicies", id] if get => self.scheduling_policies(call, Some(id)),
            ["networks"] if get => self.networks(call, None),
            ["networks", id] if get => self.network(call, id),
            ["clusterlevels"] if get => self.cluster_levels(call, None),
            ["clusterlevels", id] if get => self.cluster_levels(call, Some(id)),
            ["macpools"] if get => Ok(reply::list(
                call.format,
                &[wire::MacPool::default_pool(&self.api)],
            )),
            ["macpools", id] if get && *id == wire::DEFAULT_MAC_POOL_ID => Ok(reply::one(
                StatusCode::OK,
                call.format,
                &wire::MacPool::default_pool(&self.api),
            )),
            ["users", id] if get => self.user(call, id),
            _ if !(get || post || put || delete) => Err(Failure::Fault {
                status: StatusCode::METHOD_NOT_ALLOWED,
                reason: "Method Not Allowed".into(),
                detail: format!(
                    "The simulated engine does not serve {} requests.",
                    call.method
                ),
            }),
            _ => Err(Failure::NotFound),
        }
    }

    // ----- the entry point -----

    fn root(&self, call: &Call) -> Response {
        let api = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let manager = &inventory.manager;
            let full_version = format!("{}-1.el{}", manager.version, manager.os.major);
            let mut api = wire::Api::for_engine(manager.version, &full_version, &self.api);
            if let Some(info) = &mut api.product_info {
                info.instance_id = Some(Uuid::derived("engine", &manager.fqdn).to_string());
            }
            let item = |active: usize, total: usize| wire::ApiSummaryItem {
                active: Some(active as i64),
                total: Some(total as i64),
            };
            api.summary = Some(wire::ApiSummary {
                hosts: Some(item(
                    inventory
                        .hosts
                        .iter()
                        .filter(|h| h.status == HostStatus::Up)
                        .count(),
                    inventory.hosts.len(),
                )),
                storage_domains: Some(item(
                    inventory
                        .storage_domains
                        .iter()
                        .filter(|s| s.status == StorageDomainStatus::Active)
                        .count(),
                    inventory.storage_domains.len(),
                )),
                users: Some(item(1, 1)),
                vms: Some(item(
                    inventory.vms.iter().filter(|v| v.is_running()).count(),
                    inventory.vms.len(),
                )),
            });
            api.time = Some(sim.now().into());
            api.authenticated_user = Some(self.api.reference("users", self.user_id()));
            api.effective_user = api.authenticated_user.clone();
            api
        };
        reply::one(StatusCode::OK, call.format, &api)
    }

    fn user_id(&self) -> Uuid {
        Uuid::derived("user", &self.credentials.username)
    }

    fn user(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        if id != self.user_id().to_string() {
            return Err(Failure::NotFound);
        }
        let name = self
            .credentials
            .username
            .split('@')
            .next()
            .unwrap_or_default();
        let user = wire::User {
            href: Some(self.api.entity("users", id)),
            id: Some(id.to_owned()),
            name: Some(name.to_owned()),
            principal: Some(name.to_owned()),
            user_name: Some(self.credentials.username.clone()),
            namespace: Some("*".to_owned()),
            ..wire::User::default()
        };
        Ok(reply::one(StatusCode::OK, call.format, &user))
    }

    // ----- hosts -----

    fn host_wire(&self, host: &Host, all_content: bool) -> wire::Host {
        let mut wire = wire::Host::from_model(host, &self.api);
        // The engine adds the hosted-engine state only when asked for all content (§10.14).
        if !all_content {
            wire.hosted_engine = None;
        }
        // Until its vdsm reports (once deployed), the engine knows nothing of its system:
        // `HostMapper.mapOperatingSystem` then gives only the (empty) custom kernel command line.
        if !host.packages.contains_key("vdsm") {
            wire.os = Some(wire::OperatingSystem {
                custom_kernel_cmdline: Some(String::new()),
                ..wire::OperatingSystem::default()
            });
        }
        wire
    }

    fn hosts(&self, call: &Call) -> Result<Response, Failure> {
        let hosts = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let chosen = select(
                by_name(&inventory.hosts, |h| &h.name),
                call.params,
                |h, key| fields::host(inventory, h, key),
            )?;
            chosen
                .into_iter()
                .map(|h| self.host_wire(h, call.all_content))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &hosts))
    }

    fn host(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: HostId = parse_id(id)?;
        let host = self
            .engine
            .simulator()
            .host(id)
            .map(|h| self.host_wire(h, call.all_content))?;
        Ok(reply::one(StatusCode::OK, call.format, &host))
    }

    fn host_action(&self, call: &Call, id: &str, segment: &str) -> Result<Response, Failure> {
        let id: HostId = parse_id(id)?;
        let request: wire::Action = parse_body(call)?;
        let mut action = request
            .to_host_action(segment)
            .map_err(Failure::incomplete)?;
        if let HostAction::Deactivate {
            stop_gluster_service,
            ..
        } = &mut action
        {
            // `BackendHostResource.deactivate` reads it from the URL, never from the body.
            *stop_gluster_service = call.params.flag("stop_gluster_service").unwrap_or(false);
        }
        let outcome = self.act(call, Some(JobSubject::Host(id)), |sim| {
            let name = sim.host(id)?.name.clone();
            let description = match segment {
                "deactivate" => format!("Moving Host {name} to Maintenance"),
                "activate" => format!("Activating Host {name}"),
                "upgradecheck" => format!("Checking for available updates on Host {name}"),
                _ => format!("Upgrading Host {name}"),
            };
            sim.host_action(id, action).map(|()| description)
        });
        Ok(self.action_reply(call, request, outcome))
    }

    /// `DELETE /hosts/{id}` (`BackendHostResource.remove`): an unknown host is a 404; a
    /// refusal is a bare `<fault>`; done, an `<action>` with its job and
    /// `<status>complete</status>`. `force` is a URL parameter.
    fn remove_host(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: HostId = parse_id(id)?;
        let force = call.params.flag("force").unwrap_or(false);
        let job = self.act(call, Some(JobSubject::Host(id)), |sim| {
            let name = sim.host(id)?.name.clone();
            sim.remove_host(id, force)
                .map(|()| format!("Removing Host {name}"))
        })?;
        let action = wire::Action {
            job: Some(job),
            status: Some("complete".to_owned()),
            ..wire::Action::default()
        };
        Ok(reply::one(StatusCode::OK, call.format, &action))
    }

    /// `POST /hosts` (`BackendHostsResource.add`): `name` and `address` are required; the
    /// cluster is given by id or name (`Default` when absent); `deploy_hosted_engine`,
    /// `activate` and `reboot` are URL parameters. Answers 201 with the host, `installing`.
    fn add_host(&self, call: &Call) -> Result<Response, Failure> {
        let request: wire::Host = parse_body(call)?;
        let required = [
            ("name", request.name.is_some()),
            ("address", request.address.is_some()),
        ];
        if required.iter().any(|(_, given)| !given) {
            return Err(incomplete("Host", &required));
        }
        let cluster = self.cluster_of_new_host(request.cluster.as_ref())?;
        let mut new = request.to_new_host(cluster).map_err(Failure::incomplete)?;
        new.deploy_hosted_engine = call.params.flag("deploy_hosted_engine").unwrap_or(false);
        new.activate = call.params.flag("activate").unwrap_or(true);
        new.reboot = call.params.flag("reboot").unwrap_or(true);
        let host = self.as_called(call, |sim| {
            let added = sim.add_host(new)?;
            Ok::<_, Failure>(self.host_wire(sim.host(added)?, call.all_content))
        })?;
        Ok(created(call.format, &host, host.href.as_deref()))
    }

    /// `BackendHostsResource.getClusterId`: by id, else by name, else the cluster named
    /// `Default`.
    fn cluster_of_new_host(&self, cluster: Option<&wire::Ref>) -> Result<ClusterId, Failure> {
        let default = wire::Ref::named("Default");
        self.resolve(
            cluster.unwrap_or(&default),
            "cluster",
            "Cluster",
            cluster_named,
        )
    }

    /// The object a request body refers to, by id, else by name (the REST layer's
    /// `getEntity(…, "Cluster: name=…")`). An unknown id is left to the command to refuse;
    /// an unknown name is not found, as `Entity not found: {label}: name={name}`.
    fn resolve<I: FromStr>(
        &self,
        reference: &wire::Ref,
        element: &str,
        label: &str,
        by_name: impl Fn(&Inventory, &str) -> Option<I>,
    ) -> Result<I, Failure> {
        if let Some(id) = reference.id.as_deref() {
            return id
                .parse()
                .map_err(|_| Failure::bad_request(format!("<{element}> id {id:?} is not a UUID")));
        }
        let Some(name) = reference.name.as_deref() else {
            return Err(Failure::bad_request(format!(
                "<{element}> has neither id nor name"
            )));
        };
        by_name(self.engine.simulator().inventory(), name).ok_or_else(|| Failure::Fault {
            status: StatusCode::NOT_FOUND,
            reason: "Operation Failed".into(),
            detail: format!("Entity not found: {label}: name={name}"),
        })
    }

    // ----- VMs -----

    fn vms(&self, call: &Call) -> Result<Response, Failure> {
        let vms = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let chosen = select(
                by_name(&inventory.vms, |v| &v.name),
                call.params,
                |v, key| fields::vm(inventory, v, key),
            )?;
            // One pass over the disks for the whole list, not one per VM.
            let mut attached: HashMap<VmId, Vec<DiskId>> = HashMap::new();
            for disk in &inventory.disks {
                if let Some(vm) = disk.vm {
                    attached.entry(vm).or_default().push(disk.id);
                }
            }
            chosen
                .into_iter()
                .map(|v| self.vm_wire(v, attached.get(&v.id).map_or(&[], Vec::as_slice), call))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &vms))
    }

    fn vm(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        let mut vm = {
            let sim = self.engine.simulator();
            let found = sim.vm(id)?;
            self.vm_wire(found, &disks_of(sim.inventory(), id), call)
        };
        // The pending configuration runs at the cluster's level once the VM restarts.
        if call.params.flag("next_run") == Some(true)
            && vm.next_run_configuration_exists == Some(true)
        {
            vm.custom_compatibility_version = None;
        }
        Ok(reply::one(StatusCode::OK, call.format, &vm))
    }

    /// `PUT /vms/{id}` (`BackendVmResource.update`, `UpdateVmCommand`): the simulated engine
    /// edits a VM's placement alone. An absent affinity keeps the VM's; the hosts become those
    /// listed (`VmBaseMapper`). Answers with the VM as it is now.
    fn update_vm(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        let request: wire::Vm = parse_body(call)?;
        let Some(wire::RequestedPlacement { affinity, hosts }) = request
            .requested_placement()
            .map_err(Failure::bad_request)?
        else {
            return Err(Failure::bad_request(
                "The simulated engine updates a VM's placement_policy only; the request has none.",
            ));
        };
        self.act(call, None, |sim| {
            let vm = sim.vm(id)?;
            let (name, current) = (vm.name.clone(), vm.affinity);
            sim.set_vm_placement(id, affinity.unwrap_or(current), hosts)
                .map(|()| format!("Editing VM {name}"))
        })?;
        // The engine answers an update with the whole object.
        self.vm(call, &id.to_string())
    }

    /// A VM with what `follow=disk_attachments,snapshots` asks to be inlined, as the engine
    /// does; other links stay links.
    fn vm_wire(&self, vm: &Vm, disks: &[DiskId], call: &Call) -> wire::Vm {
        let mut wire_vm = wire::Vm::from_model(vm, &self.api);
        let follow = call.params.get("follow").unwrap_or("");
        for link in follow.split(',').map(str::trim) {
            match link {
                "disk_attachments" => {
                    wire_vm.disk_attachments = Some(self.attachments(vm.id, disks))
                }
                "snapshots" => {
                    wire_vm.snapshots = Some(
                        vm.snapshots
                            .iter()
                            .map(|s| wire::Snapshot::from_model(s, vm.id, &self.api))
                            .collect(),
                    )
                }
                _ => {}
            }
        }
        wire_vm
    }

    /// The first disk is the bootable one.
    fn attachments(&self, vm: VmId, disks: &[DiskId]) -> Vec<wire::DiskAttachment> {
        disks
            .iter()
            .enumerate()
            .map(|(i, disk)| wire::DiskAttachment::from_model(*disk, vm, i == 0, &self.api))
            .collect()
    }

    fn vm_numa_nodes(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        self.engine.simulator().vm(id)?;
        Ok(reply::list::<wire::VmNumaNode>(call.format, &[]))
    }

    fn vm_disk_attachments(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        let attachments = {
            let sim = self.engine.simulator();
            sim.vm(id)?;
            self.attachments(id, &disks_of(sim.inventory(), id))
        };
        Ok(reply::list(call.format, &attachments))
    }

    fn vm_snapshots(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        let snapshots = {
            let sim = self.engine.simulator();
            let vm = sim.vm(id)?;
            vm.snapshots
                .iter()
                .map(|s| wire::Snapshot::from_model(s, id, &self.api))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &snapshots))
    }

    fn vm_action(&self, call: &Call, id: &str, segment: &str) -> Result<Response, Failure> {
        let id: VmId = parse_id(id)?;
        let request: wire::Action = parse_body(call)?;
        let action = {
            let sim = self.engine.simulator();
            let hosts = &sim.inventory().hosts;
            request
                .to_vm_action(segment, |name| {
                    hosts.iter().find(|h| h.name == name).map(|h| h.id)
                })
                .map_err(Failure::incomplete)?
        };
        let subject = (segment != "maintenance").then_some(JobSubject::Vm(id));
        let outcome = self.act(call, subject, |sim| {
            let name = sim.vm(id)?.name.clone();
            let description = match segment {
                "migrate" => format!("Migrating VM {name}"),
                "start" => format!("Launching VM {name}"),
                "stop" => format!("Stopping VM {name}"),
                "shutdown" => format!("Shutting down VM {name}"),
                "reboot" => format!("Rebooting VM {name}"),
                _ => format!("Setting global maintenance through VM {name}"),
            };
            sim.vm_action(id, action).map(|()| description)
        });
        Ok(self.action_reply(call, request, outcome))
    }

    // ----- clusters and data centers -----

    fn cluster_wire(&self, sim: &Simulator, cluster: &Cluster) -> wire::Cluster {
        let mut wire = wire::Cluster::from_model(cluster, &self.api);
        if sim.tracks_upgrade_progress() {
            let (percent, correlation_id) = sim.cluster_upgrade_state(cluster.id);
            wire.upgrade_percent_complete = Some(if cluster.upgrade_running {
                i32::from(percent)
            } else {
                0
            });
            wire.upgrade_correlation_id = correlation_id.map(str::to_owned);
        } else {
            // Before 4.5.0 the engine keeps the flag to itself (`ClusterMapper` at 4.4.10.7).
            wire.upgrade_in_progress = None;
            wire.upgrade_percent_complete = None;
            wire.upgrade_correlation_id = None;
        }
        wire
    }

    fn find_cluster(sim: &Simulator, id: ClusterId) -> Result<&Cluster, Failure> {
        sim.inventory()
            .clusters
            .iter()
            .find(|c| c.id == id)
            .ok_or(Failure::NotFound)
    }

    fn clusters(&self, call: &Call) -> Result<Response, Failure> {
        let clusters = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let chosen = select(
                by_name(&inventory.clusters, |c| &c.name),
                call.params,
                |c, key| fields::cluster(inventory, c, key),
            )?;
            chosen
                .into_iter()
                .map(|c| self.cluster_wire(&sim, c))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &clusters))
    }

    fn cluster(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: ClusterId = parse_id(id)?;
        let cluster = {
            let sim = self.engine.simulator();
            self.cluster_wire(&sim, Self::find_cluster(&sim, id)?)
        };
        Ok(reply::one(StatusCode::OK, call.format, &cluster))
    }

    fn update_cluster(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: ClusterId = parse_id(id)?;
        let request: wire::Cluster = parse_body(call)?;
        let update = request.to_update().map_err(Failure::bad_request)?;
        self.act(call, None, |sim| {
            let name = Self::find_cluster(sim, id)
                .map_err(|_| EngineError::NotFound {
                    kind: "cluster",
                    id: id.to_string(),
                })?
                .name
                .clone();
            sim.update_cluster(id, update)
                .map(|()| format!("Editing Cluster {name}"))
        })?;
        // The engine answers an update with the whole object.
        self.cluster(call, &id.to_string())
    }

    fn cluster_upgrade(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: ClusterId = parse_id(id)?;
        if !release::has_cluster_upgrade_action(self.engine.simulator().inventory().manager.version)
        {
            // Before 4.3.3 the engine has no such path.
            return Err(Failure::NotFound);
        }
        let request: wire::Action = parse_body(call)?;
        let upgrade = request.to_cluster_upgrade().map_err(Failure::incomplete)?;
        // The effective correlation id: the body's, else the request's (ENGINE
        // `ClusterUpgradeParameters.getEffectiveCorrelationid`).
        let correlation = request
            .correlation_id
            .clone()
            .filter(|c| !c.trim().is_empty())
            .or(call.correlation.map(str::to_owned));
        let outcome = self.act(call, None, |sim| {
            sim.cluster_upgrade(id, upgrade, correlation.as_deref())?;
            let name = Self::find_cluster(sim, id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            Ok(format!("Updating the upgrade state of Cluster {name}"))
        });
        Ok(self.action_reply(call, request, outcome))
    }

    fn data_centers(&self, call: &Call) -> Result<Response, Failure> {
        let dcs = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let chosen = select(
                by_name(&inventory.data_centers, |d| &d.name),
                call.params,
                fields::data_center,
            )?;
            chosen
                .into_iter()
                .map(|d| wire::DataCenter::from_model(d, &self.api))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &dcs))
    }

    fn find_data_center(sim: &Simulator, id: DataCenterId) -> Result<&DataCenter, Failure> {
        sim.inventory()
            .data_centers
            .iter()
            .find(|d| d.id == id)
            .ok_or(Failure::NotFound)
    }

    fn data_center(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: DataCenterId = parse_id(id)?;
        let dc = {
            let sim = self.engine.simulator();
            wire::DataCenter::from_model(Self::find_data_center(&sim, id)?, &self.api)
        };
        Ok(reply::one(StatusCode::OK, call.format, &dc))
    }

    fn update_data_center(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: DataCenterId = parse_id(id)?;
        let request: wire::DataCenter = parse_body(call)?;
        let level = request.requested_version().map_err(Failure::bad_request)?;
        if let Some(level) = level {
            self.act(call, None, |sim| {
                let name = Self::find_data_center(sim, id)
                    .map_err(|_| EngineError::NotFound {
                        kind: "data center",
                        id: id.to_string(),
                    })?
                    .name
                    .clone();
                sim.update_data_center(id, level)?;
                Ok(format!("Editing Data Center {name}"))
            })?;
        }
        // The engine answers an update with the whole object.
        self.data_center(call, &id.to_string())
    }

    // ----- storage -----

    fn storage_domains(&self, call: &Call) -> Result<Response, Failure> {
        let domains = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let chosen = select(
                by_name(&inventory.storage_domains, |s| &s.name),
                call.params,
                |s, key| fields::storage_domain(inventory, s, key),
            )?;
            chosen
                .into_iter()
                .map(|s| wire::StorageDomain::from_model(s, &self.api, StorageDomainView::TopLevel))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &domains))
    }

    fn storage_domain(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: StorageDomainId = parse_id(id)?;
        let domain = {
            let sim = self.engine.simulator();
            let sd = sim.storage_domain(id)?;
            wire::StorageDomain::from_model(sd, &self.api, StorageDomainView::TopLevel)
        };
        Ok(reply::one(StatusCode::OK, call.format, &domain))
    }

    /// `datacenters/{id}/storagedomains[/{sd}]`: where attached domains show their status.
    fn attached_storage_domains(
        &self,
        call: &Call,
        dc: &str,
        sd: Option<&str>,
    ) -> Result<Response, Failure> {
        let dc: DataCenterId = parse_id(dc)?;
        let sd: Option<StorageDomainId> = sd.map(parse_id).transpose()?;
        let domains = {
            let sim = self.engine.simulator();
            Self::find_data_center(&sim, dc)?;
            let inventory = sim.inventory();
            let attached: Vec<&StorageDomain> = by_name(&inventory.storage_domains, |s| &s.name)
                .into_iter()
                .filter(|s| s.data_center == Some(dc) && sd.is_none_or(|id| s.id == id))
                .collect();
            let chosen = select(attached, call.params, |s, key| {
                fields::storage_domain(inventory, s, key)
            })?;
            chosen
                .into_iter()
                .map(|s| {
                    wire::StorageDomain::from_model(s, &self.api, StorageDomainView::InDataCenter)
                })
                .collect::<Vec<_>>()
        };
        match (sd, domains.first()) {
            (None, _) => Ok(reply::list(call.format, &domains)),
            (Some(_), Some(domain)) => Ok(reply::one(StatusCode::OK, call.format, domain)),
            (Some(_), None) => Err(Failure::NotFound),
        }
    }

    /// A domain as the top-level list shows it, or not found.
    fn storage_domain_wire(
        &self,
        sim: &Simulator,
        id: StorageDomainId,
        view: StorageDomainView,
    ) -> Result<wire::StorageDomain, Failure> {
        let sd = sim.storage_domain(id)?;
        Ok(wire::StorageDomain::from_model(sd, &self.api, view))
    }

    /// `POST /storagedomains` (`BackendStorageDomainsResource.add`): `host` (by id or
    /// name), `type` and `storage` are required, and a file domain's `<storage><path>`;
    /// only local domains are of this subset. Answers 201 with the domain.
    fn add_storage_domain(&self, call: &Call) -> Result<Response, Failure> {
        let request: wire::StorageDomain = parse_body(call)?;
        let (Some(host), Some(_), Some(storage)) =
            (&request.host, &request.type_, &request.storage)
        else {
            return Err(incomplete(
                "StorageDomain",
                &[
                    ("host.id|name", request.host.is_some()),
                    ("type", request.type_.is_some()),
                    ("storage", request.storage.is_some()),
                ],
            ));
        };
        if storage.path.is_none() {
            return Err(incomplete("HostStorage", &[("path", false)]));
        }
        let host = self.resolve(host, "host", "Hosts", |inventory, name| {
            inventory
                .hosts
                .iter()
                .find(|h| h.name == name)
                .map(|h| h.id)
        })?;
        let new = request
            .to_new_local_domain(host)
            .map_err(Failure::bad_request)?;
        let domain = self.as_called(call, |sim| {
            let id = sim
                .add_local_domain(new)
                .map_err(|error| refused_creation(error, "add Storage"))?;
            self.storage_domain_wire(sim, id, StorageDomainView::TopLevel)
        })?;
        Ok(created(call.format, &domain, domain.href.as_deref()))
    }

    /// `DELETE /storagedomains/{id}` (`BackendStorageDomainResource.remove`): an unknown
    /// domain is a 404; with `destroy` the engine forgets it (`ForceRemoveStorageDomain`)
    /// and answers an `<action>`; without it the engine needs `host` and removes the
    /// storage too, which the simulated engine does not do.
    fn remove_storage_domain(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: StorageDomainId = parse_id(id)?;
        let (name, data_center) = {
            let sim = self.engine.simulator();
            let sd = sim.storage_domain(id)?;
            let dc = sd
                .data_center
                .map_or_else(String::new, |dc| sim.data_center_name(dc));
            (sd.name.clone(), dc)
        };
        if call.params.switch("destroy") != Some(true) {
            if call.params.get("host").is_none() {
                return Err(Failure::Fault {
                    status: StatusCode::BAD_REQUEST,
                    reason: "host parameter is missing".into(),
                    detail: String::new(),
                });
            }
            return Err(Failure::bad_request(
                "The simulated engine removes storage domains only with destroy=true.",
            ));
        }
        let job = self.act(call, None, |sim| {
            sim.destroy_storage_domain(id).map(|()| {
                format!(
                    "Removing Storage Domain {name} (Force Remove) from Data Center {data_center}"
                )
            })
        })?;
        let action = wire::Action {
            job: Some(job),
            status: Some("complete".to_owned()),
            ..wire::Action::default()
        };
        Ok(reply::one(StatusCode::OK, call.format, &action))
    }

    /// `POST /datacenters/{id}/storagedomains` (`BackendAttachedStorageDomainsResource.add`,
    /// `AttachStorageDomainToPool`): the domain by id or name. Answers 201 with the domain
    /// as its data center shows it.
    fn attach_storage_domain(&self, call: &Call, dc: &str) -> Result<Response, Failure> {
        let dc: DataCenterId = parse_id(dc)?;
        let request: wire::StorageDomain = parse_body(call)?;
        if request.id.is_none() && request.name.is_none() {
            return Err(incomplete("StorageDomain", &[("id|name", false)]));
        }
        let reference = wire::Ref {
            id: request.id.clone(),
            href: None,
            name: request.name.clone(),
        };
        let sd: StorageDomainId = self.resolve(
            &reference,
            "storage_domain",
            "Storage",
            |inventory, name| {
                inventory
                    .storage_domains
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.id)
            },
        )?;
        let domain = self.as_called(call, |sim| {
            sim.attach_storage_domain(dc, sd)
                .map_err(|error| refused_creation(error, "attach Storage"))?;
            self.storage_domain_wire(sim, sd, StorageDomainView::InDataCenter)
        })?;
        Ok(created(call.format, &domain, domain.href.as_deref()))
    }

    /// `POST /datacenters/{id}/storagedomains/{sd}/activate|deactivate`
    /// (`BackendAttachedStorageDomainResource`: `ActivateStorageDomain`,
    /// `DeactivateStorageDomainWithOvfUpdate`).
    fn storage_domain_action(
        &self,
        call: &Call,
        dc: &str,
        sd: &str,
        segment: &str,
    ) -> Result<Response, Failure> {
        let dc: DataCenterId = parse_id(dc)?;
        let sd: StorageDomainId = parse_id(sd)?;
        let request: wire::Action = parse_body(call)?;
        let action = wire::Action::to_domain_action(segment).map_err(Failure::incomplete)?;
        let outcome = self.act(call, None, |sim| {
            let (name, pool) = (domain_name(sim, sd), sim.data_center_name(dc));
            sim.storage_domain_action(dc, sd, action)?;
            Ok(match action {
                DomainAction::Activate => {
                    format!("Activating Storage Domain {name} on Data Center {pool}")
                }
                DomainAction::Deactivate => {
                    format!("Deactivating Storage Domain {name} in Data Center {pool}.")
                }
            })
        });
        Ok(self.action_reply(call, request, outcome))
    }

    /// `GET /storagedomains/{id}/vms` (`BackendStorageDomainVmsResource.list`): with
    /// `unregistered` (a query or matrix parameter, true when bare), the VMs the domain's
    /// OVF stores hold that the engine does not know; else the VMs with a disk there.
    fn storage_domain_vms(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: StorageDomainId = parse_id(id)?;
        let vms = {
            let sim = self.engine.simulator();
            self.storage_domain_wire(&sim, id, StorageDomainView::TopLevel)?;
            if call.params.switch("unregistered") == Some(true) {
                sim.unregistered_vms(id)?
                    .iter()
                    .map(|vm| wire::Vm::unregistered(vm, id, &self.api))
                    .collect::<Vec<_>>()
            } else {
                let inventory = sim.inventory();
                let mut held: Vec<VmId> = inventory
                    .disks
                    .iter()
                    .filter(|d| d.storage_domain == id)
                    .filter_map(|d| d.vm)
                    .collect();
                held.sort();
                held.dedup();
                by_name(&inventory.vms, |v| &v.name)
                    .into_iter()
                    .filter(|v| held.binary_search(&v.id).is_ok())
                    .map(|v| {
                        let mut vm = self.vm_wire(v, &disks_of(inventory, v.id), call);
                        vm.storage_domain = Some(self.api.reference("storagedomains", id));
                        vm
                    })
                    .collect()
            }
        };
        Ok(reply::list(call.format, &vms))
    }

    /// `POST /storagedomains/{id}/vms/{vm}/register` (`BackendStorageDomainVmResource.register`,
    /// `ImportVmFromConfiguration`): the cluster by id or name. The engine takes the
    /// cluster of the VM's OVF when none is given; the simulated engine needs one.
    fn register_vm(&self, call: &Call, sd: &str, vm: &str) -> Result<Response, Failure> {
        let sd: StorageDomainId = parse_id(sd)?;
        let vm: VmId = parse_id(vm)?;
        let request: wire::Action = parse_body(call)?;
        let Some(reference) = &request.cluster else {
            return Err(incomplete_for(
                "Action",
                "register",
                &[("cluster.id|name", false)],
            ));
        };
        let cluster = self.resolve(reference, "cluster", "Cluster", cluster_named)?;
        let outcome = self.act(call, Some(JobSubject::Vm(vm)), |sim| {
            let name = sim
                .unregistered_vms(sd)
                .ok()
                .and_then(|vms| vms.into_iter().find(|v| v.id == vm))
                .map_or_else(|| vm.to_string(), |v| v.name);
            let to = Self::find_cluster(sim, cluster)
                .map_or_else(|_| cluster.to_string(), |c| c.name.clone());
            sim.register_vm(sd, vm, cluster)?;
            Ok(format!(
                "Importing VM {name} from configuration to Cluster {to}"
            ))
        });
        Ok(self.action_reply(call, request, outcome))
    }

    fn disks(&self, call: &Call, on: Option<&str>) -> Result<Response, Failure> {
        let on: Option<StorageDomainId> = on.map(parse_id).transpose()?;
        let disks = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            if let Some(sd) = on {
                inventory
                    .storage_domains
                    .iter()
                    .find(|s| s.id == sd)
                    .ok_or(Failure::NotFound)?;
            }
            let candidates: Vec<&Disk> = by_name(&inventory.disks, |d| &d.alias)
                .into_iter()
                .filter(|d| on.is_none_or(|sd| d.storage_domain == sd))
                .collect();
            let chosen = select(candidates, call.params, fields::disk)?;
            chosen
                .into_iter()
                .map(|d| wire::Disk::from_model(d, &self.api))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &disks))
    }

    fn disk(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: DiskId = parse_id(id)?;
        let disk = {
            let sim = self.engine.simulator();
            let disk = sim
                .inventory()
                .disks
                .iter()
                .find(|d| d.id == id)
                .ok_or(Failure::NotFound)?;
            wire::Disk::from_model(disk, &self.api)
        };
        Ok(reply::one(StatusCode::OK, call.format, &disk))
    }

    fn disk_snapshots(&self, call: &Call, of: DiskSnapshotsOf) -> Result<Response, Failure> {
        let include_active = call.params.flag("include_active").unwrap_or(false);
        let mut snapshots = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            let disks: Vec<&Disk> = match of {
                DiskSnapshotsOf::StorageDomain(sd) => {
                    let sd: StorageDomainId = parse_id(sd)?;
                    inventory
                        .storage_domains
                        .iter()
                        .find(|s| s.id == sd)
                        .ok_or(Failure::NotFound)?;
                    inventory
                        .disks
                        .iter()
                        .filter(|d| d.storage_domain == sd)
                        .collect()
                }
                DiskSnapshotsOf::Disk(id) => {
                    let id: DiskId = parse_id(id)?;
                    vec![inventory
                        .disks
                        .iter()
                        .find(|d| d.id == id)
                        .ok_or(Failure::NotFound)?]
                }
            };
            disks
                .into_iter()
                .flat_map(|d| wire::DiskSnapshot::chain_from_model(d, &self.api, include_active))
                .collect::<Vec<_>>()
        };
        if let Some(max) = call.params.number("max") {
            snapshots.truncate(max as usize);
        }
        Ok(reply::list(call.format, &snapshots))
    }

    // ----- events and jobs -----

    fn events(&self, call: &Call) -> Result<Response, Failure> {
        let events = {
            let sim = self.engine.simulator();
            let inventory = sim.inventory();
            // Newest first; `from=N` keeps the ids above N.
            let all = sim.events(call.params.number("from"));
            let chosen = select(all.iter().collect(), call.params, |e: &ModelEvent, key| {
                fields::event(inventory, e, key)
            })?;
            let index = InventoryIndex::new(inventory);
            chosen
                .into_iter()
                .map(|e| wire::Event::from_model(e, &index, &self.api))
                .collect::<Vec<_>>()
        };
        Ok(reply::list(call.format, &events))
    }

    fn event(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: u64 = parse_id(id)?;
        let event = {
            let sim = self.engine.simulator();
            let event = sim
                .events(id.checked_sub(1))
                .into_iter()
                .find(|e| e.id == id)
                .ok_or(Failure::NotFound)?;
            wire::Event::from_model(&event, &InventoryIndex::new(sim.inventory()), &self.api)
        };
        Ok(reply::one(StatusCode::OK, call.format, &event))
    }

    /// `POST /events`: a client's event (`BackendEventsResource.add`, `AddExternalEventCommand`).
    fn add_event(&self, call: &Call) -> Result<Response, Failure> {
        let request: wire::Event = parse_body(call)?;
        let given = [
            ("origin", request.origin.is_some()),
            ("severity", request.severity.is_some()),
            ("customId", request.custom_id.is_some()),
            ("description", request.description.is_some()),
        ];
        let missing: Vec<&str> = given
            .iter()
            .filter(|(_, set)| !set)
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(Failure::Fault {
                status: StatusCode::BAD_REQUEST,
                reason: "Incomplete parameters".into(),
                detail: format!("Event [{}] required for add", missing.join(", ")),
            });
        }
        let event = ExternalEvent {
            source: model::engine::ExternalSource {
                origin: request.origin.clone().unwrap_or_default(),
                custom_id: request.custom_id.unwrap_or_default(),
            },
            severity: request
                .severity
                .map(wire::LogSeverity::to_model)
                .unwrap_or(model::engine::Severity::Normal),
            description: request.description.clone().unwrap_or_default(),
            correlation_id: request
                .correlation_id
                .clone()
                .or(call.correlation.map(str::to_owned)),
            host: referenced(&request.host, "host")?,
            vm: referenced(&request.vm, "vm")?,
            cluster: referenced(&request.cluster, "cluster")?,
            data_center: referenced(&request.data_center, "data_center")?,
        };
        let event = {
            let mut sim = self.engine.simulator();
            let id = sim.add_external_event(event)?;
            let added = sim
                .events(id.checked_sub(1))
                .into_iter()
                .find(|e| e.id == id)
                .ok_or(Failure::NotFound)?;
            wire::Event::from_model(&added, &InventoryIndex::new(sim.inventory()), &self.api)
        };
        Ok(reply::one(StatusCode::CREATED, call.format, &event))
    }

    fn owner(&self) -> wire::Ref {
        self.api.reference("users", self.user_id())
    }

    /// The job store, with the engine jobs whose work ended since the last look finished.
    fn settled_jobs(&self) -> std::sync::MutexGuard<'_, JobStore> {
        let sim = self.engine.simulator();
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.settle(&sim);
        jobs
    }

    fn jobs(&self, call: &Call) -> Result<Response, Failure> {
        let jobs = self.settled_jobs();
        let chosen = select(
            jobs.all().iter().rev().collect(),
            call.params,
            |job: &JobRecord, key| match key {
                "correlation_id" => Some(vec![FieldValue::Text(
                    job.correlation_id.clone().unwrap_or_default(),
                )]),
                "description" => Some(vec![FieldValue::Text(job.description.clone())]),
                "status" => Some(vec![FieldValue::Enum(job.status.as_str().to_owned())]),
                "external" => Some(vec![FieldValue::Bool(job.external)]),
                _ => None,
            },
        )?;
        let wire: Vec<wire::Job> = chosen
            .into_iter()
            .map(|job| job.to_wire(&self.api, self.owner()))
            .collect();
        Ok(reply::list(call.format, &wire))
    }

    fn job(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let jobs = self.settled_jobs();
        let job = jobs.get(id).ok_or(Failure::NotFound)?;
        Ok(reply::one(
            StatusCode::OK,
            call.format,
            &job.to_wire(&self.api, self.owner()),
        ))
    }

    /// `POST /jobs`: a client's job (`BackendJobsResource.add`: `description` is required,
    /// `auto_cleared` defaults to false).
    fn add_job(&self, call: &Call) -> Result<Response, Failure> {
        let request: wire::Job = parse_body(call)?;
        let Some(description) = request.description.clone() else {
            return Err(Failure::Fault {
                status: StatusCode::BAD_REQUEST,
                reason: "Incomplete parameters".into(),
                detail: "Job [description] required for add".into(),
            });
        };
        let now = self.engine.simulator().now();
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let job = jobs.add_external(
            description,
            request.auto_cleared.unwrap_or(false),
            call.correlation.map(str::to_owned),
            now,
        );
        Ok(reply::one(
            StatusCode::CREATED,
            call.format,
            &job.to_wire(&self.api, self.owner()),
        ))
    }

    /// `POST /jobs/{id}/end` (`BackendJobResource.end`: `succeeded` defaults to true, `force` to false).
    fn end_job(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let request: wire::Action = parse_body(call)?;
        let now = self.engine.simulator().now();
        let outcome = self.jobs.lock().unwrap_or_else(|p| p.into_inner()).end(
            id,
            request.succeeded.unwrap_or(true),
            request.force.unwrap_or(false),
            now,
        );
        Ok(self.action_reply(
            call,
            request,
            outcome.map(|()| self.api.reference("jobs", id)),
        ))
    }

    /// `GET /jobs/{id}/steps[/{step}]`.
    fn steps(&self, call: &Call, job: &str, step: Option<&str>) -> Result<Response, Failure> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let record = jobs.get(job).ok_or(Failure::NotFound)?;
        let steps: Vec<wire::Step> = record
            .steps
            .iter()
            .filter(|s| step.is_none_or(|id| s.id == id))
            .map(|s| s.to_wire(&self.api, job))
            .collect();
        match (step, steps.first()) {
            (None, _) => Ok(reply::list(call.format, &steps)),
            (Some(_), Some(found)) => Ok(reply::one(StatusCode::OK, call.format, found)),
            (Some(_), None) => Err(Failure::NotFound),
        }
    }

    /// `POST /jobs/{id}/steps` (`BackendStepsResource.add`: `type` and `description` are required).
    fn add_step(&self, call: &Call, job: &str) -> Result<Response, Failure> {
        let request: wire::Step = parse_body(call)?;
        let missing: Vec<&str> = [
            ("type", request.type_.is_some()),
            ("description", request.description.is_some()),
        ]
        .iter()
        .filter(|(_, set)| !set)
        .map(|(name, _)| *name)
        .collect();
        if !missing.is_empty() {
            return Err(Failure::Fault {
                status: StatusCode::BAD_REQUEST,
                reason: "Incomplete parameters".into(),
                detail: format!("Step [{}] required for add", missing.join(", ")),
            });
        }
        let now = self.engine.simulator().now();
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let step = jobs.add_step(
            job,
            request.description.clone().unwrap_or_default(),
            request.type_.unwrap_or(wire::StepType::Unknown),
            now,
        )?;
        Ok(reply::one(
            StatusCode::CREATED,
            call.format,
            &step.to_wire(&self.api, job),
        ))
    }

    /// `POST /jobs/{id}/steps/{step}/end` (`BackendStepResource.end`: `succeeded` defaults to true).
    fn end_step(&self, call: &Call, job: &str, step: &str) -> Result<Response, Failure> {
        let request: wire::Action = parse_body(call)?;
        let now = self.engine.simulator().now();
        let outcome = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .end_step(job, step, request.succeeded.unwrap_or(true), now);
        Ok(self.action_reply(
            call,
            request,
            outcome.map(|()| self.api.reference("jobs", job)),
        ))
    }

    /// Runs an action on the simulator under the client's correlation id and records its
    /// job. `run` returns the job's description.
    fn act(
        &self,
        call: &Call,
        subject: Option<JobSubject>,
        run: impl FnOnce(&mut Simulator) -> Result<String, EngineError>,
    ) -> Result<wire::Ref, EngineError> {
        self.as_called(call, |sim| {
            let description = run(sim)?;
            let id = self
                .jobs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .record_action(
                    description,
                    call.correlation.map(str::to_owned),
                    subject,
                    sim,
                );
            Ok(self.api.reference("jobs", &id))
        })
    }

    /// Runs `run` on the simulator under the request's correlation id, which the engine's
    /// events then carry.
    fn as_called<T>(&self, call: &Call, run: impl FnOnce(&mut Simulator) -> T) -> T {
        let mut sim = self.engine.simulator();
        sim.set_correlation_id(call.correlation.map(str::to_owned));
        let result = run(&mut sim);
        sim.set_correlation_id(None);
        result
    }

    /// The engine's answer to an action: the request echoed with `<status>complete</status>`
    /// and its job, or with the fault and `<status>failed</status>` (research §5.1).
    fn action_reply(
        &self,
        call: &Call,
        mut action: wire::Action,
        outcome: Result<wire::Ref, EngineError>,
    ) -> Response {
        action.fault = None;
        match outcome {
            Ok(job) => {
                action.status = Some("complete".to_owned());
                action.job = Some(job);
                reply::one(StatusCode::OK, call.format, &action)
            }
            Err(error) => match Failure::from(error.clone()) {
                Failure::NotFound => {
                    let segment = call.segments.last().map_or("run", String::as_str);
                    action.status = Some("failed".to_owned());
                    action.fault = Some(wire::Fault::new(
                        "Operation Failed",
                        &missing_target(&error, segment),
                    ));
                    reply::one(StatusCode::BAD_REQUEST, call.format, &action)
                }
                Failure::Fault {
                    status,
                    reason,
                    detail,
                } => {
                    action.status = Some("failed".to_owned());
                    action.fault = Some(wire::Fault::new(&reason, &detail));
                    reply::one(status, call.format, &action)
                }
            },
        }
    }

    // ----- catalogs -----

    fn scheduling_policies(&self, call: &Call, id: Option<&str>) -> Result<Response, Failure> {
        let policies = wire::SchedulingPolicy::built_ins(&self.api);
        match id {
            None => {
                let chosen = select(policies.iter().collect(), call.params, |p, key| match key {
                    "name" => Some(vec![FieldValue::Text(p.name.clone().unwrap_or_default())]),
                    _ => None,
                })?;
                Ok(reply::list(
                    call.format,
                    &chosen.into_iter().cloned().collect::<Vec<_>>(),
                ))
            }
            Some(id) => {
                let policy = policies
                    .iter()
                    .find(|p| p.id.as_deref() == Some(id))
                    .ok_or(Failure::NotFound)?;
                Ok(reply::one(StatusCode::OK, call.format, policy))
            }
        }
    }

    /// Each data center's management network, `ovirtmgmt` (the inventory keeps no networks).
    fn management_network(&self, dc: &DataCenter) -> wire::Network {
        let id = Uuid::derived("network", &format!("{}/ovirtmgmt", dc.id)).to_string();
        wire::Network {
            href: Some(self.api.entity("networks", &id)),
            id: Some(id),
            links: wire::Network::LINKS,
            name: Some("ovirtmgmt".to_owned()),
            description: Some("Management Network".to_owned()),
            comment: Some(String::new()),
            mtu: Some(0),
            stp: Some(false),
            usages: Some(vec![wire::NetworkUsage::Vm]),
            data_center: Some(self.api.reference("datacenters", dc.id)),
            ..wire::Network::default()
        }
    }

    fn networks(&self, call: &Call, of: Option<&str>) -> Result<Response, Failure> {
        let of: Option<DataCenterId> = of.map(parse_id).transpose()?;
        let networks = {
            let sim = self.engine.simulator();
            if let Some(dc) = of {
                Self::find_data_center(&sim, dc)?;
            }
            let dcs = by_name(&sim.inventory().data_centers, |d| &d.name);
            dcs.into_iter()
                .filter(|d| of.is_none_or(|id| d.id == id))
                .map(|d| self.management_network(d))
                .collect::<Vec<_>>()
        };
        let chosen = select(networks.iter().collect(), call.params, |n, key| match key {
            "name" => Some(vec![FieldValue::Text(n.name.clone().unwrap_or_default())]),
            _ => None,
        })?;
        Ok(reply::list(
            call.format,
            &chosen.into_iter().cloned().collect::<Vec<_>>(),
        ))
    }

    fn network(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let network = {
            let sim = self.engine.simulator();
            sim.inventory()
                .data_centers
                .iter()
                .map(|d| self.management_network(d))
                .find(|n| n.id.as_deref() == Some(id))
                .ok_or(Failure::NotFound)?
        };
        Ok(reply::one(StatusCode::OK, call.format, &network))
    }

    /// `clusters/{id}/networks`: the data center's networks with the cluster's view of them.
    fn cluster_networks(&self, call: &Call, id: &str) -> Result<Response, Failure> {
        let id: ClusterId = parse_id(id)?;
        let network = {
            let sim = self.engine.simulator();
            let cluster = Self::find_cluster(&sim, id)?;
            let dc = Self::find_data_center(&sim, cluster.data_center)?;
            let mut network = self.management_network(dc);
            network.href = Some(format!(
                "{}/networks/{}",
                self.api.entity("clusters", &id.to_string()),
                network.id.as_deref().unwrap_or_default()
            ));
            network.status = Some(wire::NetworkStatus::Operational);
            network.required = Some(true);
            network.display = Some(false);
            network.usages = Some(vec![wire::NetworkUsage::Management, wire::NetworkUsage::Vm]);
            network.cluster = Some(self.api.reference("clusters", id));
            network
        };
        Ok(reply::list(call.format, &[network]))
    }

    fn cluster_levels(&self, call: &Call, id: Option<&str>) -> Result<Response, Failure> {
        let levels: Vec<wire::ClusterLevel> = {
            let sim = self.engine.simulator();
            release::supported_cluster_levels(sim.inventory().manager.version)
                .iter()
                .map(|&level| wire::ClusterLevel::for_level(level, &self.api))
                .collect()
        };
        match id {
            None => Ok(reply::list(call.format, &levels)),
            Some(id) => {
                let level = levels
                    .iter()
                    .find(|l| l.id.as_deref() == Some(id))
                    .ok_or(Failure::NotFound)?;
                Ok(reply::one(StatusCode::OK, call.format, level))
            }
        }
    }
}

#[derive(Clone, Copy)]
enum DiskSnapshotsOf<'a> {
    StorageDomain(&'a str),
    Disk(&'a str),
}

/// Why the engine refuses an action on an object it does not have: the command's
/// validation fails with a bad-parameters message (`VDS_INVALID_SERVER_ID`,
/// `ACTION_TYPE_FAILED_VM_NOT_FOUND`), which the REST layer answers with 400, not 404.
fn missing_target(error: &EngineError, action: &str) -> String {
    match error {
        EngineError::NotFound { kind: "host", .. } => {
            format!("[Cannot {action} Host. Invalid Host Id.]")
        }
        EngineError::NotFound { kind: "VM", .. } => {
            format!("[Cannot {action} VM. VM is not found.]")
        }
        EngineError::NotFound { kind, .. } => {
            format!("[Cannot {action} {kind}. The {kind} is not found.]")
        }
        other => other.to_string(),
    }
}

/// Reads a request body in XML or JSON; an empty body is an empty object (`<action/>`).
/// The disks attached to one VM, in the inventory's order.
fn disks_of(inventory: &Inventory, vm: VmId) -> Vec<DiskId> {
    inventory
        .disks
        .iter()
        .filter(|d| d.vm == Some(vm))
        .map(|d| d.id)
        .collect()
}

/// 201 with the object made, and its address in `Location` (`performCreate`).
fn created<T: Entity>(format: Format, value: &T, href: Option<&str>) -> Response {
    let mut response = reply::one(StatusCode::CREATED, format, value);
    if let Some(location) = href.and_then(|h| HeaderValue::from_str(h).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `validateParameters`: 400 naming the fields of `required` a request lacks (those
/// marked false), as `StorageDomain [host.id|name, type] required for add`.
fn incomplete(entity: &str, required: &[(&str, bool)]) -> Failure {
    incomplete_for(entity, "add", required)
}

/// As [`incomplete`], for the request `verb` (`add`, an action's name).
fn incomplete_for(entity: &str, verb: &str, required: &[(&str, bool)]) -> Failure {
    let missing: Vec<&str> = required
        .iter()
        .filter(|(_, given)| !given)
        .map(|(name, _)| *name)
        .collect();
    Failure::Fault {
        status: StatusCode::BAD_REQUEST,
        reason: "Incomplete parameters".into(),
        detail: format!("{entity} [{}] required for {verb}", missing.join(", ")),
    }
}

/// A creation the command refused: an object it names that does not exist fails its
/// validation (400), as for actions.
fn refused_creation(error: EngineError, verb: &str) -> Failure {
    match error {
        EngineError::NotFound { kind, .. } => Failure::Fault {
            status: StatusCode::BAD_REQUEST,
            reason: "Operation Failed".into(),
            detail: format!("[Cannot {verb}. The {kind} is not found.]"),
        },
        other => Failure::from(other),
    }
}

fn cluster_named(inventory: &Inventory, name: &str) -> Option<ClusterId> {
    inventory
        .clusters
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.id)
}

fn domain_name(sim: &Simulator, id: StorageDomainId) -> String {
    sim.storage_domain(id)
        .map_or_else(|_| id.to_string(), |s| s.name.clone())
}

fn parse_body<T: Entity>(call: &Call) -> Result<T, Failure> {
    if call.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let parsed = if call.body_is_json {
        wire::from_json(call.body)
    } else {
        wire::from_xml(call.body)
    };
    parsed.map_err(|error| Failure::bad_request(format!("Cannot read the request body: {error}")))
}
