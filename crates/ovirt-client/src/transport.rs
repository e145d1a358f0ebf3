//! One request to the engine, done properly: the headers the API expects, the session's
//! credential (a new SSO token once when the old one is refused), retries with exponential
//! backoff where replaying is safe, and every failure turned into a [`ClientError`] that
//! names the request and says what to do.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::auth::{Credential, Session};
use crate::config::{Config, Retry, Tls};
use crate::error::{ClientError, ErrorKind};
use crate::wire_error;

/// Whether a request may be sent again when its answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Reads, updates with a full value, and actions whose repetition changes nothing.
    Idempotent,
    /// Actions that must not happen twice: sent again only when the engine surely did not
    /// take them (the connection never opened, or it answered 503).
    UnsentOnly,
}

/// A request relative to the API URL.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    /// `hosts`, `hosts/{id}/upgrade`; empty for the API root.
    pub path: String,
    /// `path` is from the server's root (`/ovirt-sim/machines`), not the API's.
    pub from_root: bool,
    pub query: Vec<(&'static str, String)>,
    /// An XML request body.
    pub body: Option<String>,
    /// Ask for the fields only sent on request (hosts' `hosted_engine`).
    pub all_content: bool,
    pub replay: Replay,
    /// What a 404 means: the kind and id of the object asked for.
    pub subject: Option<(&'static str, String)>,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            from_root: false,
            query: Vec::new(),
            body: None,
            all_content: false,
            replay: Replay::Idempotent,
            subject: None,
        }
    }

    pub fn send(method: Method, path: impl Into<String>, body: String, replay: Replay) -> Call {
        Call {
            method,
            path: path.into(),
            body: Some(body),
            replay,
            ..Call::get("")
        }
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.query.push((name, value.into()));
        self
    }

    pub fn all_content(mut self) -> Call {
        self.all_content = true;
        self
    }

    pub fn about(mut self, kind: &'static str, id: impl ToString) -> Call {
        self.subject = Some((kind, id.to_string()));
        self
    }
}

/// What the engine answered.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// The HTTP side of a [`crate::Client`].
pub(crate) struct Transport {
    http: reqwest::Client,
    /// The API URL without a trailing slash.
    api: Url,
    tls: Tls,
    retry: Retry,
    correlation_id: String,
    pub(crate) session: Session,
}

/// The user agent the engine logs.
const USER_AGENT: &str = concat!("ovirt-upgrade/", env!("CARGO_PKG_VERSION"));

/// The engine's CA, as every engine publishes it.
pub(crate) const CA_PATH: &str =
    "/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA";

impl Transport {
    pub fn new(config: &Config) -> Result<Transport, ClientError> {
        let api = parse_api_url(&config.url)?;
        // reqwest is built without a default crypto provider: ring is ours. Installing it
        // fails harmlessly when something in the process already chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .no_proxy()
            .http1_only();
        match &config.tls {
            Tls::System => {}
            Tls::Insecure => builder = builder.tls_danger_accept_invalid_certs(true),
            Tls::CaFile(path) => {
                let target = format!("CA file {}", path.display());
                let pem = read_ca_file(path)?;
                let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                    .ok()
                    .filter(|certificates| !certificates.is_empty())
                    .ok_or_else(|| {
                        ClientError::new(ErrorKind::Config, &target, "holds no PEM certificate")
                            .with_hint(format!("download the engine's CA from {}", ca_url(&api)))
                    })?;
                builder = builder.tls_certs_only(certificates);
            }
        }
        let http = builder.build().map_err(|error| {
            ClientError::new(
                ErrorKind::Config,
                api.as_str(),
                format!("cannot set up HTTP: {}", innermost(&error)),
            )
        })?;
        let correlation_id = match &config.correlation_id {
            Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
            _ => fresh_correlation_id(),
        };
        Ok(Transport {
            http,
            session: Session::new(&api, &config.username, config.password.clone()),
            api,
            tls: config.tls.clone(),
            retry: config.retry,
            correlation_id,
        })
    }

    pub fn api(&self) -> &Url {
        &self.api
    }

    pub fn tls(&self) -> &Tls {
        &self.tls
    }

    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn retry(&self) -> Retry {
        self.retry
    }

    pub fn url(&self, call: &Call) -> Url {
        let mut url = self.api.clone();
        if call.from_root {
            url.set_path(&call.path);
        } else if !call.path.is_empty() {
            let path = format!("{}/{}", self.api.path().trim_end_matches('/'), call.path);
            url.set_path(&path);
        }
        let mut query: Vec<(&str, String)> = call.query.clone();
        if call.all_content {
            query.push(("all_content", "true".to_owned()));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends `call` until it has an answer worth returning: a 2xx body, or an error.
    pub async fn execute(&self, call: &Call) -> Result<Answer, ClientError> {
        let url = self.url(call);
        let target = format!("{} {url}", call.method);
        let mut attempt = 1;
        let mut renewals = 0;
        loop {
            let credential = self.session.credential(self).await?;
            let mut request = self
                .http
                .request(call.method.clone(), url.clone())
                .headers(self.headers(call.all_content));
            request = match &credential {
                Credential::Token(token) => request.bearer_auth(token),
                Credential::Basic => request.basic_auth(
                    self.session.username(),
                    Some(self.session.password().expose()),
                ),
            };
            if let Some(body) = &call.body {
                request = request
                    .header(CONTENT_TYPE, "application/xml")
                    .body(body.clone());
            }
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED {
                        match credential {
                            // Tokens expire with the engine's session: log in again. A token
                            // refused right after a login is the engine's trouble, not the
                            // password's; it gets the retry budget.
                            Credential::Token(token) if renewals + 1 < self.retry.attempts.max(2) => {
                                renewals += 1;
                                self.session.renew(self, &token).await?;
                                continue;
                            }
                            Credential::Token(_) => {
                                return Err(ClientError::new(
                                    ErrorKind::Authentication,
                                    &target,
                                    format!("the engine refused its own new session token {renewals} times in a row (HTTP 401)"),
                                )
                                .with_hint("the engine's SSO sessions end at once: check its clock and the engine.log"))
                            }
                            Credential::Basic => return Err(self.refused_credentials(&target)),
                        }
                    }
                    let gateway = matches!(
                        status,
                        StatusCode::BAD_GATEWAY
                            | StatusCode::SERVICE_UNAVAILABLE
                            | StatusCode::GATEWAY_TIMEOUT
                    );
                    if gateway {
                        // A 503 is the engine (or its proxy) saying it did not take the request.
                        let replayable = call.replay == Replay::Idempotent
                            || status == StatusCode::SERVICE_UNAVAILABLE;
                        Failure {
                            error: ClientError::new(
                                ErrorKind::Unavailable,
                                &target,
                                format!("the engine answered {status}"),
                            )
                            .with_hint("the engine may be starting or overloaded; try again in a few minutes"),
                            replayable,
                        }
                    } else {
                        match read_body(response).await {
                            Ok(body) => {
                                if status.is_success() {
                                    return Ok(Answer { status, body });
                                }
                                return Err(refusal(call, &target, status, &body));
                            }
                            Err(error) => Failure {
                                error: self.classify(&error, &target),
                                replayable: call.replay == Replay::Idempotent,
                            },
                        }
                    }
                }
                Err(error) => Failure {
                    replayable: call.replay == Replay::Idempotent || never_sent(&error),
                    error: self.classify(&error, &target),
                },
            };
            if failure.replayable && failure.error.is_transient() && attempt < self.retry.attempts {
                attempt += 1;
                tokio::time::sleep(self.retry.delay_before(attempt)).await;
                continue;
            }
            return Err(failure.error);
        }
    }

    fn headers(&self, all_content: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("Version", HeaderValue::from_static("4"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/xml"));
        if let Ok(value) = HeaderValue::from_str(&self.correlation_id) {
            headers.insert("Correlation-Id", value);
        }
        if all_content {
            headers.insert("All-Content", HeaderValue::from_static("true"));
        }
        headers
    }

    fn refused_credentials(&self, target: &str) -> ClientError {
        ClientError::new(
            ErrorKind::Authentication,
            target,
            format!(
                "the engine refused the credentials of {} (HTTP 401)",
                self.session.username()
            ),
        )
        .with_hint(credentials_hint())
    }

    /// What a request that got no answer ran into.
    pub fn classify(&self, error: &reqwest::Error, target: &str) -> ClientError {
        if let Some(tls) = find_tls_error(error) {
            return self.tls_error(&tls, target);
        }
        if let Some(io) = find_io_error(error) {
            if io == std::io::ErrorKind::ConnectionRefused {
                return ClientError::new(ErrorKind::Connect, target, "connection refused")
                    .with_hint(format!(
                        "nothing listens at {}; check the engine's address and port, and that ovirt-engine and httpd run there",
                        self.origin()
                    ));
            }
        }
        if error.is_timeout() {
            return ClientError::new(ErrorKind::Timeout, target, "no answer in time")
                .with_hint("the engine may be overloaded or the network slow; try again later");
        }
        if error.is_connect() {
            return ClientError::new(
                ErrorKind::Connect,
                target,
                format!("cannot connect: {}", innermost(error)),
            )
            .with_hint(
                "check the engine's host name in the URL and the network between here and there",
            );
        }
        ClientError::new(
            ErrorKind::Unavailable,
            target,
            format!("the connection broke: {}", innermost(error)),
        )
    }

    fn tls_error(&self, error: &rustls::Error, target: &str) -> ClientError {
        use rustls::CertificateError as Cert;
        let ca = ca_url(&self.api);
        let message = format!("TLS handshake failed: {error}");
        let hint = match error {
            rustls::Error::InvalidCertificate(Cert::UnknownIssuer | Cert::BadSignature) => {
                match &self.tls {
                    Tls::CaFile(path) => format!(
                        "the CA in {} did not sign the engine's certificate; download the engine's CA again from {ca}",
                        path.display()
                    ),
                    _ => format!(
                        "the engine's certificate is signed by its own CA: pass --ca-file with the CA from {ca}, or --insecure on a test environment"
                    ),
                }
            }
            rustls::Error::InvalidCertificate(
                Cert::NotValidForName | Cert::NotValidForNameContext { .. },
            ) => format!(
                "the certificate was issued for another name: use the engine's FQDN in the URL instead of {}",
                self.api.host_str().unwrap_or("this address")
            ),
            rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => {
                "the engine's certificate has expired: renew it (engine-setup --offline renews the engine's certificates)".to_owned()
            }
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => format!(
                "the server at {} may not speak TLS: try http:// instead of https://",
                self.origin()
            ),
            _ => format!("check the URL, or pass --ca-file with the CA from {ca}"),
        };
        ClientError::new(ErrorKind::Tls, target, message).with_hint(hint)
    }

    /// `https://engine.example.com` (with the port when it is not the default).
    pub fn origin(&self) -> String {
        self.api.origin().ascii_serialization()
    }
}

/// The body in one buffer sized from `Content-Length`: collecting a large list chunk by
/// chunk and joining them would hold it twice.
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let expected = response.content_length().unwrap_or(0);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

struct Failure {
    error: ClientError,
    replayable: bool,
}

/// The hint for refused credentials.
pub(crate) fn credentials_hint() -> &'static str {
    "check the user name with its profile (--username, such as admin@internal) and the password (--password-file or OVIRT_PASSWORD)"
}

/// The PEM text of a CA file.
pub(crate) fn read_ca_file(path: &std::path::Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|error| {
        ClientError::new(
            ErrorKind::Config,
            format!("CA file {}", path.display()),
            format!("cannot read it: {error}"),
        )
    })
}

pub(crate) fn ca_url(api: &Url) -> String {
    format!("{}{CA_PATH}", api.origin().ascii_serialization())
}

/// The API URL, checked: http(s), a host, no trailing slash.
pub(crate) fn parse_api_url(text: &str) -> Result<Url, ClientError> {
    let error = |message: String| {
        ClientError::new(ErrorKind::Config, format!("engine URL {text}"), message)
            .with_hint("write it like https://engine.example.com/ovirt-engine/api")
    };
    let mut url = Url::parse(text.trim()).map_err(|e| error(format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(error(format!("uses {}://, not https://", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("names no host".to_owned()));
    }
    if url.path() == "/" || url.path().is_empty() {
        // Only the host was given: the API lives at its usual place.
        url.set_path("/ovirt-engine/api");
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Turns an error answer into a [`ClientError`]: 404 names the object, a `<fault>` is the
/// engine refusing, anything else is said as it came.
fn refusal(call: &Call, target: &str, status: StatusCode, body: &[u8]) -> ClientError {
    if status == StatusCode::NOT_FOUND {
        if let Some((kind, id)) = &call.subject {
            return ClientError::new(
                ErrorKind::NotFound {
                    kind,
                    id: id.clone(),
                },
                target,
                format!("{kind} {id} does not exist on the engine"),
            );
        }
        return ClientError::new(
            ErrorKind::NotFound {
                kind: "object",
                id: call.path.clone(),
            },
            target,
            "not found (HTTP 404)",
        )
        .with_hint("check that the URL is the engine's API, such as https://engine.example.com/ovirt-engine/api");
    }
    let (reason, detail) = match ovirt_wire::parse_document(body) {
        Ok(ovirt_wire::Document::Fault(fault)) => (
            fault.reason.clone().unwrap_or_default(),
            fault.detail.clone().unwrap_or_default(),
        ),
        Ok(ovirt_wire::Document::Action(action)) if action.fault.is_some() => {
            let fault = action.fault.unwrap_or_default();
            (
                fault.reason.unwrap_or_default(),
                fault.detail.unwrap_or_default(),
            )
        }
        Ok(_) | Err(_) => (
            status.canonical_reason().unwrap_or("error").to_owned(),
            text_snippet(body),
        ),
    };
    let message = if detail.is_empty() {
        format!("the engine refused: {reason} (HTTP {})", status.as_u16())
    } else {
        format!(
            "the engine refused: {detail} (HTTP {}, {reason})",
            status.as_u16()
        )
    };
    ClientError::new(
        ErrorKind::Refused {
            status: status.as_u16(),
            reason,
            detail,
        },
        target,
        message,
    )
}

/// The start of a body that is not a document, for a message.
fn text_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Reads a body as a `T`, with an error naming the request.
pub(crate) fn decode<T>(
    target: &str,
    body: &[u8],
    read: impl FnOnce(&[u8]) -> Result<T, ovirt_wire::WireError>,
) -> Result<T, ClientError> {
    read(body).map_err(|error| wire_error(target, error))
}

/// Whether the request surely never reached the engine.
fn never_sent(error: &reqwest::Error) -> bool {
    error.is_connect()
}

/// Every cause below `error`, looking inside `io::Error`s too, which hide their payload
/// from `source()` (hyper wraps rustls' verdict in two of them).
fn causes<'a>(error: &'a reqwest::Error) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut found = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = next {
        found.push(current);
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => current.source(),
            },
            None => current.source(),
        };
    }
    found
}

fn find_tls_error(error: &reqwest::Error) -> Option<rustls::Error> {
    causes(error)
        .into_iter()
        .find_map(|cause| cause.downcast_ref::<rustls::Error>().cloned())
}

fn find_io_error(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    causes(error)
        .into_iter()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
        .find(|kind| *kind != std::io::ErrorKind::Other)
}

/// The deepest cause's text: reqwest's own messages ("error sending request") say little.
pub(crate) fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest = error;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    deepest.to_string()
}

/// `ovirt-upgrade-` and 16 hex digits from the time and the process: unique enough to
/// group one session's events.
fn fresh_correlation_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = model::rng::Rng::new(nanos ^ u64::from(std::process::id()).rotate_left(32));
    format!("ovirt-upgrade-{:016x}", rng.next_u64())
}

/// How long to wait between two looks at a job.
pub(crate) const JOB_POLL: Duration = Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_are_normalised() {
        let url = parse_api_url("https://engine.example.com").unwrap();
        assert_eq!(url.as_str(), "https://engine.example.com/ovirt-engine/api");
        let url = parse_api_url("http://127.0.0.1:8080/ovirt-engine/api/").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/ovirt-engine/api");
        let error = parse_api_url("ftp://engine").unwrap_err();
        assert!(error.to_string().contains("uses ftp://"), "{error}");
    }
}
