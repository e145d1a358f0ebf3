//! The engine's certificates read the way the Upgrade Guide reads them: the CA it publishes at
//! `pki-resource`, and the certificate its HTTPS server (apache) presents in the handshake.
//!
//! The presented chain is recorded by a verifier that accepts whatever it is shown, used only
//! for this one inspection connection: a SHA-1 or expired certificate is exactly what must be
//! looked at, so it cannot be refused before it is read. Nothing secret travels on that
//! connection (no login); the client's own connections keep verifying as configured.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use model::Date;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use url::Url;
use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::extensions::GeneralName;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;

use crate::config::Tls;
use crate::error::{ClientError, ErrorKind};
use crate::transport::{ca_url, innermost, parse_api_url, read_ca_file};

/// The facts of one certificate that the upgrade cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// As OpenSSL prints it: `CN=engine.example.com, O=Example`.
    pub subject: String,
    pub issuer: String,
    /// Hexadecimal, colon-separated.
    pub serial: String,
    /// As OpenSSL names it (`sha256WithRSAEncryption`), or the dotted OID.
    pub signature_algorithm: String,
    pub not_before: Date,
    pub not_after: Date,
    /// DNS names and addresses of its subject alternative names (empty when it has none).
    pub subject_alt_names: Vec<String>,
}

/// Where the CA that the HTTPS certificate is compared with came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaSource {
    /// Downloaded from the engine's `pki-resource` at this URL.
    Published(String),
    /// The file given with `--ca-file`.
    File(PathBuf),
}

/// Whether the HTTPS certificate was issued by the CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Its issuer is the CA's subject and the CA's key verifies its signature.
    Verified,
    /// Its issuer is the CA's subject, but the CA's key does not verify its signature: another
    /// CA of the same name signed it.
    BadSignature,
    /// Its issuer is the CA's subject; its signature algorithm cannot be verified here, so
    /// only the names were compared.
    NamesOnly { algorithm: String },
    /// Another CA issued it: an external CA's certificate (or a proxy's) stands in front.
    OtherIssuer,
}

impl ChainCheck {
    /// Whether the engine's own CA issued the certificate, as far as could be seen.
    pub fn issued_by_ca(&self) -> bool {
        matches!(self, ChainCheck::Verified | ChainCheck::NamesOnly { .. })
    }
}

/// What the engine presents: its CA and its HTTPS certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineCertificates {
    /// The host clients reach the engine by (the host of the URL).
    pub fqdn: String,
    pub ca: CertificateFacts,
    pub ca_source: CaSource,
    /// The server's own certificate, the first of the presented chain.
    pub https: CertificateFacts,
    /// How many certificates the server presented (its own included).
    pub presented: usize,
    pub chain: ChainCheck,
}

impl EngineCertificates {
    /// Whether the HTTPS certificate is valid for [`EngineCertificates::fqdn`].
    pub fn https_valid_for_fqdn(&self) -> bool {
        self.https_record()
            .is_valid_for(&self.fqdn)
            .unwrap_or(false)
    }

    /// The two certificates as the inventory records them, named as engine-setup names them:
    /// `ca` and `apache`.
    pub fn to_model(&self) -> Vec<model::Certificate> {
        let ca = model::Certificate {
            name: "ca".to_owned(),
            signature_algorithm: self.ca.signature_algorithm.clone(),
            not_after: self.ca.not_after,
            external_ca: false,
            subject_alt_names: None,
        };
        vec![ca, self.https_record()]
    }

    fn https_record(&self) -> model::Certificate {
        model::Certificate {
            name: "apache".to_owned(),
            signature_algorithm: self.https.signature_algorithm.clone(),
            not_after: self.https.not_after,
            external_ca: !self.chain.issued_by_ca(),
            subject_alt_names: Some(self.https.subject_alt_names.clone()),
        }
    }
}

/// Reads the engine's certificates at the engine of `api_url`. Only https URLs have them. The
/// CA is the file of [`Tls::CaFile`] when one is configured, else the one the engine publishes.
pub async fn read_certificates(
    api_url: &str,
    tls: &Tls,
    timeout: Duration,
) -> Result<EngineCertificates, ClientError> {
    let api = parse_api_url(api_url)?;
    if api.scheme() != "https" {
        return Err(ClientError::new(
            ErrorKind::Config,
            api.as_str(),
            "a plain http:// URL presents no certificate",
        )
        .with_hint("give the engine's https:// URL: the engine itself always serves HTTPS"));
    }
    let fqdn = api
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let recorder = Arc::new(ChainRecorder::new());
    let published = ca_url(&api);
    // The CA download opens the inspection connection, whose handshake records the chain.
    let download = download(&recorder, &published, timeout).await;
    let chain = recorder.chain().ok_or_else(|| match &download {
        Err(error) => error.clone(),
        Ok(_) => ClientError::new(
            ErrorKind::Tls,
            origin(&api),
            "the server presented no certificate",
        ),
    })?;
    let (ca_pem, ca_source) = match tls {
        Tls::CaFile(path) => (read_ca_file(path)?, CaSource::File(path.clone())),
        Tls::System | Tls::Insecure => (download?, CaSource::Published(published.clone())),
    };
    let ca_target = match &ca_source {
        CaSource::Published(url) => format!("GET {url}"),
        CaSource::File(path) => format!("CA file {}", path.display()),
    };
    let ca_der = first_pem_certificate(&ca_pem).ok_or_else(|| {
        ClientError::new(ErrorKind::Protocol, &ca_target, "holds no PEM certificate")
            .with_hint(format!("the engine publishes its CA at {published}"))
    })?;
    let ca = parse(&ca_der, &ca_target)?;
    let https_target = format!("the certificate presented by {}", origin(&api));
    let leaf = parse(&chain[0], &https_target)?;
    Ok(EngineCertificates {
        fqdn,
        chain: chain_check(&leaf, &ca),
        ca: facts(&ca),
        ca_source,
        https: facts(&leaf),
        presented: chain.len(),
    })
}

fn origin(api: &Url) -> String {
    api.origin().ascii_serialization()
}

/// The CA's PEM from `url`, over a connection that records the presented chain.
async fn download(
    recorder: &Arc<ChainRecorder>,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, ClientError> {
    let target = format!("GET {url}");
    let config = rustls::ClientConfig::builder_with_provider(recorder.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| ClientError::new(ErrorKind::Config, &target, error.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .connect_timeout(timeout)
        .timeout(timeout)
        .no_proxy()
        .http1_only()
        .build()
        .map_err(|error| {
            ClientError::new(
                ErrorKind::Config,
                &target,
                format!("cannot set up HTTP: {}", innermost(&error)),
            )
        })?;
    let failed = |error: reqwest::Error| {
        let kind = if error.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Connect
        };
        ClientError::new(kind, &target, innermost(&error))
            .with_hint("check the engine's host name and port in the URL")
    };
    let response = http.get(url).send().await.map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(ClientError::new(
            ErrorKind::Refused {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or_default().to_owned(),
                detail: String::new(),
            },
            &target,
            format!("the engine answered {status} where it publishes its CA"),
        )
        .with_hint("give the engine's CA with --ca-file"));
    }
    Ok(response.bytes().await.map_err(failed)?.to_vec())
}

/// The first certificate of a PEM bundle, as DER.
fn first_pem_certificate(pem: &[u8]) -> Option<Vec<u8>> {
    Pem::iter_from_buffer(pem)
        .filter_map(Result::ok)
        .find(|pem| pem.label == "CERTIFICATE")
        .map(|pem| pem.contents)
}

fn parse<'a>(der: &'a [u8], target: &str) -> Result<X509Certificate<'a>, ClientError> {
    X509Certificate::from_der(der)
        .map(|(_, certificate)| certificate)
        .map_err(|error| {
            ClientError::new(
                ErrorKind::Protocol,
                target,
                format!("is not an X.509 certificate: {error}"),
            )
        })
}

fn facts(certificate: &X509Certificate<'_>) -> CertificateFacts {
    let algorithm = &certificate.signature_algorithm.algorithm;
    let date = |time: x509_parser::time::ASN1Time| {
        Date::from_days_since_epoch(time.timestamp().div_euclid(86_400))
    };
    let subject_alt_names = match certificate.subject_alternative_name() {
        Ok(Some(extension)) => extension
            .value
            .general_names
            .iter()
            .filter_map(general_name)
            .collect(),
        _ => Vec::new(),
    };
    CertificateFacts {
        subject: certificate.subject().to_string(),
        issuer: certificate.issuer().to_string(),
        serial: certificate.raw_serial_as_string(),
        signature_algorithm: x509_parser::objects::oid2sn(
            algorithm,
            x509_parser::objects::oid_registry(),
        )
        .map(str::to_owned)
        .unwrap_or_else(|_| algorithm.to_id_string()),
        not_before: date(certificate.validity().not_before),
        not_after: date(certificate.validity().not_after),
        subject_alt_names,
    }
}

/// A DNS name or an address; other kinds of names do not name a server.
fn general_name(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(name) => Some((*name).to_owned()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => <[u8; 4]>::try_from(*bytes)
                .ok()
                .map(|b| IpAddr::from(b).to_string()),
            16 => <[u8; 16]>::try_from(*bytes)
                .ok()
                .map(|b| IpAddr::from(b).to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn chain_check(leaf: &X509Certificate<'_>, ca: &X509Certificate<'_>) -> ChainCheck {
    if leaf.issuer().as_raw() != ca.subject().as_raw() {
        return ChainCheck::OtherIssuer;
    }
    match leaf.verify_signature(Some(ca.public_key())) {
        Ok(()) => ChainCheck::Verified,
        Err(X509Error::SignatureUnsupportedAlgorithm) => ChainCheck::NamesOnly {
            algorithm: facts(leaf).signature_algorithm,
        },
        Err(_) => ChainCheck::BadSignature,
    }
}

/// Accepts any certificate and keeps the chain it was shown. The handshake's own signature is
/// still checked against the presented key, so the chain is the server's.
#[derive(Debug)]
struct ChainRecorder {
    provider: Arc<CryptoProvider>,
    chain: Mutex<Option<Vec<Vec<u8>>>>,
}

impl ChainRecorder {
    fn new() -> Self {
        ChainRecorder {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            chain: Mutex::new(None),
        }
    }

    fn chain(&self) -> Option<Vec<Vec<u8>>> {
        self.chain
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.to_vec())
            .collect();
        *self
            .chain
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(chain);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
