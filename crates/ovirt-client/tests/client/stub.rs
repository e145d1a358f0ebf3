//! A small engine for the client's tests: SSO, Basic, the API's read paths over an inventory
//! (built with the wire crate's own conversions), actions, and switches for every fault the
//! client must survive: expired tokens, 503s, canned bodies, TLS with its own CA.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use model::Inventory;
use ovirt_wire::{ApiPath, StorageDomainView};
use tokio::net::{TcpListener, TcpStream};

pub const USER: &str = "admin@internal";
pub const PASSWORD: &str = "secret";
/// The VM `storagedomains/{id}/vms;unregistered` lists.
pub const UNREGISTERED: &str = "5b0a7c1e-1234-4abc-8def-0123456789ab";
/// `admin@internal:secret`.
const BASIC: &str = "Basic YWRtaW5AaW50ZXJuYWw6c2VjcmV0";

/// One request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub version: Option<String>,
    pub correlation_id: Option<String>,
    pub all_content: Option<String>,
    pub authorization: Option<String>,
}

pub struct Stub {
    pub inventory: Inventory,
    /// Whether the SSO endpoint exists.
    pub sso: AtomicBool,
    /// Whether `follow` inlines VMs' disk attachments and snapshots.
    pub follow: AtomicBool,
    tokens: Mutex<Vec<String>>,
    pub logins: AtomicUsize,
    pub logouts: AtomicUsize,
    /// API requests still to answer with 503.
    pub unavailable: AtomicUsize,
    /// Recorded answers of a real engine, by API path (`clusters`,
    /// `datacenters/{id}/storagedomains`); they take the place of the inventory's.
    pub recorded: Mutex<HashMap<String, String>>,
    /// An answer to every API request instead of the real one: status, content type, body.
    pub canned: Mutex<Option<(u16, &'static str, String)>>,
    /// Answers to the next actions: status and body.
    pub action_answers: Mutex<Vec<(u16, String)>>,
    /// Answers to `GET /jobs/{id}`, in turn; the last one repeats.
    pub job_states: Mutex<Vec<&'static str>>,
    pub seen: Mutex<Vec<Seen>>,
}

impl Stub {
    pub fn new(inventory: Inventory) -> Arc<Stub> {
        Arc::new(Stub {
            inventory,
            sso: AtomicBool::new(true),
            follow: AtomicBool::new(true),
            tokens: Mutex::new(Vec::new()),
            logins: AtomicUsize::new(0),
            logouts: AtomicUsize::new(0),
            unavailable: AtomicUsize::new(0),
            recorded: Mutex::new(HashMap::new()),
            canned: Mutex::new(None),
            action_answers: Mutex::new(Vec::new()),
            job_states: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
        })
    }

    /// Answers with a recorded environment: each file of `dir` is the body of the request
    /// its name spells, `/` written `--` (`datacenters--{id}--storagedomains.xml`).
    pub fn replay(&self, dir: &Path) {
        let mut recorded = self.recorded.lock().unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .replace("--", "/");
            recorded.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }

    /// Forgets every token, as an engine does when its sessions expire.
    pub fn expire_tokens(&self) {
        self.tokens.lock().unwrap().clear();
    }

    pub fn live_tokens(&self) -> usize {
        self.tokens.lock().unwrap().len()
    }

    pub fn api_requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// TLS for the stub: a CA of its own and a certificate for 127.0.0.1 and localhost.
pub struct StubTls {
    pub ca_pem: String,
    config: Arc<rustls::ServerConfig>,
}

impl StubTls {
    pub fn generate() -> StubTls {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "stub engine CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .unwrap();
        let certificate = params.signed_by(&key, &ca).unwrap();
        let private = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![certificate.der().clone()], private)
            .unwrap();
        StubTls {
            ca_pem: ca.pem(),
            config: Arc::new(config),
        }
    }
}

struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, address)) = self.tcp.accept().await else {
                continue;
            };
            // A client that refuses our certificate ends its handshake here.
            if let Ok(stream) = self.acceptor.accept(tcp).await {
                return (stream, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// Serves the stub on a free loopback port; returns the API URL.
pub async fn serve(stub: Arc<Stub>, tls: Option<&StubTls>) -> String {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    let router = Router::new().fallback(handle).with_state(stub);
    match tls {
        None => {
            tokio::spawn(async move { axum::serve(tcp, router).await });
            format!("http://{address}/ovirt-engine/api")
        }
        Some(tls) => {
            let listener = TlsListener {
                tcp,
                acceptor: tokio_rustls::TlsAcceptor::from(tls.config.clone()),
            };
            tokio::spawn(async move { axum::serve(listener, router).await });
            format!("https://{address}/ovirt-engine/api")
        }
    }
}

fn answer(status: u16, content_type: &'static str, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", content_type)],
        body,
    )
        .into_response()
}

fn xml(body: String) -> Response {
    answer(200, "application/xml;charset=UTF-8", body)
}

fn json(status: u16, body: &str) -> Response {
    answer(status, "application/json", body.to_owned())
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

async fn handle(
    State(stub): State<Arc<Stub>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match uri.path() {
        "/ovirt-engine/sso/oauth/token" => {
            if !stub.sso.load(Ordering::SeqCst) {
                return answer(
                    404,
                    "text/html;charset=UTF-8",
                    "<html><head><title>Error</title></head><body>Not Found</body></html>".into(),
                );
            }
            let pairs = form(&body);
            if field(&pairs, "username") != Some(USER)
                || field(&pairs, "password") != Some(PASSWORD)
            {
                return json(
                    400,
                    r#"{"error_code":"access_denied","error":"Cannot authenticate user 'admin@internal': The username or password is incorrect."}"#,
                );
            }
            let number = stub.logins.fetch_add(1, Ordering::SeqCst) + 1;
            let token = format!("token-{number}");
            stub.tokens.lock().unwrap().push(token.clone());
            json(
                200,
                &format!(
                    r#"{{"access_token":"{token}","scope":"ovirt-app-api","exp":"4102444800000","token_type":"bearer"}}"#
                ),
            )
        }
        "/ovirt-engine/services/sso-logout" => {
            let pairs = form(&body);
            if let Some(token) = field(&pairs, "token") {
                stub.tokens.lock().unwrap().retain(|t| t != token);
            }
            stub.logouts.fetch_add(1, Ordering::SeqCst);
            json(200, "{}")
        }
        path if path.starts_with("/ovirt-engine/api") => {
            stub.seen.lock().unwrap().push(Seen {
                method: method.to_string(),
                uri: uri.to_string(),
                version: header("version"),
                correlation_id: header("correlation-id"),
                all_content: header("all-content"),
                authorization: header("authorization"),
            });
            let authorised = match header("authorization") {
                Some(value) if value == BASIC => true,
                Some(value) => value
                    .strip_prefix("Bearer ")
                    .is_some_and(|token| stub.tokens.lock().unwrap().iter().any(|t| t == token)),
                None => false,
            };
            if !authorised {
                return answer(401, "text/plain", String::new());
            }
            if stub
                .unavailable
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return answer(
                    503,
                    "text/html",
                    "<html><body>Service Unavailable</body></html>".into(),
                );
            }
            if let Some((status, content_type, body)) = stub.canned.lock().unwrap().clone() {
                return answer(status, content_type, body);
            }
            let rest = path
                .trim_start_matches("/ovirt-engine/api")
                .trim_start_matches('/');
            if let Some(body) = stub
                .recorded
                .lock()
                .unwrap()
                .get(rest)
                .filter(|_| method == Method::GET)
            {
                return xml(body.clone());
            }
            let query: Vec<(String, String)> = form(uri.query().unwrap_or("").as_bytes());
            api(&stub, &method, rest, &query)
        }
        _ => answer(
            404,
            "text/html",
            "<html><body>Not Found</body></html>".into(),
        ),
    }
}

/// The read paths the inventory needs, and actions.
fn api(stub: &Stub, method: &Method, rest: &str, query: &[(String, String)]) -> Response {
    let inventory = &stub.inventory;
    let path = ApiPath::default();
    let parts: Vec<&str> = rest.split('/').collect();
    if method == Method::POST || method == Method::DELETE {
        if matches!(
            parts.first(),
            Some(&("hosts" | "vms" | "storagedomains" | "datacenters"))
        ) {
            let mut answers = stub.action_answers.lock().unwrap();
            if !answers.is_empty() {
                let (status, body) = answers.remove(0);
                return answer(status, "application/xml", body);
            }
            return xml("<action><status>complete</status></action>".into());
        }
        return answer(404, "application/xml", String::new());
    }
    let all_content = field(query, "all_content") == Some("true");
    let follow = field(query, "follow").unwrap_or("");
    let by_id = |id: &str| id.to_owned();
    match parts.as_slice() {
        [""] => {
            let version = inventory.manager.version;
            let full = format!("{version}-1.el{}", inventory.manager.os.major);
            xml(ovirt_wire::to_xml(&ovirt_wire::Api::for_engine(
                version, &full, &path,
            )))
        }
        ["datacenters"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .data_centers
                .iter()
                .map(|dc| ovirt_wire::DataCenter::from_model(dc, &path))
                .collect::<Vec<_>>(),
        )),
        ["clusters"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .clusters
                .iter()
                .map(|c| ovirt_wire::Cluster::from_model(c, &path))
                .collect::<Vec<_>>(),
        )),
        ["hosts"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .hosts
                .iter()
                .map(|h| host(h, all_content, &path))
                .collect::<Vec<_>>(),
        )),
        ["hosts", id] => match inventory
            .hosts
            .iter()
            .find(|h| h.id.to_string() == by_id(id))
        {
            Some(h) => xml(ovirt_wire::to_xml(&host(h, all_content, &path))),
            None => answer(404, "application/xml", String::new()),
        },
        ["vms"] => {
            let inline = stub.follow.load(Ordering::SeqCst);
            xml(ovirt_wire::list_to_xml(
                &inventory
                    .vms
                    .iter()
                    .map(|vm| {
                        let mut wire = ovirt_wire::Vm::from_model(vm, &path);
                        if inline && follow.contains("disk_attachments") {
                            wire.disk_attachments = Some(attachments(inventory, vm.id, &path));
                        }
                        if inline && follow.contains("snapshots") {
                            wire.snapshots = Some(snapshots(vm, &path));
                        }
                        wire
                    })
                    .collect::<Vec<_>>(),
            ))
        }
        ["vms", id] => match inventory.vms.iter().find(|v| v.id.to_string() == *id) {
            Some(vm) => xml(ovirt_wire::to_xml(&ovirt_wire::Vm::from_model(vm, &path))),
            None => answer(404, "application/xml", String::new()),
        },
        ["vms", id, "diskattachments"] => {
            match inventory.vms.iter().find(|v| v.id.to_string() == *id) {
                Some(vm) => xml(ovirt_wire::list_to_xml(&attachments(
                    inventory, vm.id, &path,
                ))),
                None => answer(404, "application/xml", String::new()),
            }
        }
        ["vms", id, "snapshots"] => match inventory.vms.iter().find(|v| v.id.to_string() == *id) {
            Some(vm) => xml(ovirt_wire::list_to_xml(&snapshots(vm, &path))),
            None => answer(404, "application/xml", String::new()),
        },
        ["storagedomains"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .storage_domains
                .iter()
                .map(|sd| {
                    ovirt_wire::StorageDomain::from_model(sd, &path, StorageDomainView::TopLevel)
                })
                .collect::<Vec<_>>(),
        )),
        ["datacenters", id, "storagedomains"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .storage_domains
                .iter()
                .filter(|sd| sd.data_center.is_some_and(|dc| dc.to_string() == *id))
                .map(|sd| {
                    ovirt_wire::StorageDomain::from_model(
                        sd,
                        &path,
                        StorageDomainView::InDataCenter,
                    )
                })
                .collect::<Vec<_>>(),
        )),
        ["disks"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .disks
                .iter()
                .map(|d| ovirt_wire::Disk::from_model(d, &path))
                .collect::<Vec<_>>(),
        )),
        ["storagedomains", id, "disksnapshots"] => xml(ovirt_wire::list_to_xml(
            &inventory
                .disks
                .iter()
                .filter(|d| d.storage_domain.to_string() == *id)
                .flat_map(|d| ovirt_wire::DiskSnapshot::chain_from_model(d, &path, false))
                .collect::<Vec<_>>(),
        )),
        ["jobs", id] => {
            let mut states = stub.job_states.lock().unwrap();
            let state = if states.len() > 1 {
                states.remove(0)
            } else {
                states.first().copied().unwrap_or("finished")
            };
            xml(format!(
                "<job id=\"{id}\"><description>Migrating VM</description><status>{state}</status></job>"
            ))
        }
        ["storagedomains", sd, "vms;unregistered"] => xml(format!(
            "<vms><vm href=\"/ovirt-engine/api/storagedomains/{sd}/vms/{UNREGISTERED}\" id=\"{UNREGISTERED}\"><name>lost</name></vm></vms>"
        )),
        ["events"] => xml("<events/>".into()),
        _ => answer(404, "application/xml", String::new()),
    }
}

fn host(host: &model::Host, all_content: bool, path: &ApiPath) -> ovirt_wire::Host {
    let mut wire = ovirt_wire::Host::from_model(host, path);
    if !all_content {
        wire.hosted_engine = None;
    }
    wire
}

fn attachments(
    inventory: &Inventory,
    vm: model::VmId,
    path: &ApiPath,
) -> Vec<ovirt_wire::DiskAttachment> {
    inventory
        .disks
        .iter()
        .filter(|d| d.vm == Some(vm))
        .enumerate()
        .map(|(n, d)| ovirt_wire::DiskAttachment::from_model(d.id, vm, n == 0, path))
        .collect()
}

fn snapshots(vm: &model::Vm, path: &ApiPath) -> Vec<ovirt_wire::Snapshot> {
    vm.snapshots
        .iter()
        .map(|s| ovirt_wire::Snapshot::from_model(s, vm.id, path))
        .collect()
}
