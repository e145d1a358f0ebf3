//! TLS for the simulated engine: a CA made at start, as `engine-setup` makes the engine's own,
//! and a server certificate it signs for the loopback names, so clients can verify the
//! connection with the CA they download from `/ovirt-engine/services/pki-resource`. A
//! [`TlsProfile`] chooses what state those certificates are in.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use model::Date;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// Days the server certificate of [`TlsProfile::Expiring`] has left: inside the 30 days that
/// the checks warn about.
pub const EXPIRING_DAYS: i64 = 20;

/// The state of the certificates the simulated engine presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsProfile {
    /// Signed with SHA-256 and valid for centuries: what a current `engine-setup` makes.
    #[default]
    Sha256,
    /// An RSA CA and server certificate both signed with SHA-1, as engines set up before 4.x
    /// have them until the guide's SHA-1 to SHA-256 procedure. ring cannot sign with SHA-1, so
    /// the `openssl` command makes them.
    Sha1,
    /// As [`TlsProfile::Sha256`], but the server certificate expires in [`EXPIRING_DAYS`] days.
    Expiring,
}

impl TlsProfile {
    pub const ALL: &'static [TlsProfile] =
        &[TlsProfile::Sha256, TlsProfile::Sha1, TlsProfile::Expiring];

    pub const fn as_str(self) -> &'static str {
        match self {
            TlsProfile::Sha256 => "sha256",
            TlsProfile::Sha1 => "sha1",
            TlsProfile::Expiring => "expiring",
        }
    }
}

impl std::fmt::Display for TlsProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TlsProfile {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TlsProfile::ALL
            .iter()
            .copied()
            .find(|profile| profile.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = TlsProfile::ALL.iter().map(|p| p.as_str()).collect();
                format!(
                    "unknown TLS profile `{text}`: choose one of {}",
                    known.join(", ")
                )
            })
    }
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot make the simulator's certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Config(#[from] tokio_rustls::rustls::Error),
    #[error("cannot make the SHA-1 certificates with `{command}`: {reason} (the sha1 profile needs the openssl command: install openssl, or choose another --tls-profile)")]
    Openssl { command: String, reason: String },
    #[error("cannot read the certificates openssl made in {}: {reason}", dir.display())]
    OpensslOutput { dir: PathBuf, reason: String },
}

/// The CA (as PEM, for clients) and the acceptor that presents the server certificate.
pub struct Tls {
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

/// Makes a CA and a server certificate valid for `localhost`, the loopback addresses and
/// `listen` (when it is a specific address), in the state `profile` says.
pub fn generate(listen: IpAddr, profile: TlsProfile) -> Result<Tls, TlsError> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !listen.is_unspecified() && !listen.is_loopback() {
        names.push(listen.to_string());
    }
    let (ca_pem, chain, key) = match profile {
        TlsProfile::Sha256 | TlsProfile::Expiring => signed_by_rcgen(names, profile)?,
        TlsProfile::Sha1 => signed_by_openssl_sha1(&names)?,
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        ca_pem,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    })
}

/// The CA's PEM, the server's chain and its key.
type Certificates = (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn signed_by_rcgen(names: Vec<String>, profile: TlsProfile) -> Result<Certificates, TlsError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "ovirt-upgrade simulated engine");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Simulated engine CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

    let mut server_params = CertificateParams::new(names)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    if profile == TlsProfile::Expiring {
        // Certificates count real days: the clients that check them read the real clock.
        let today = Date::from_days_since_epoch(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs() as i64
                / 86_400,
        );
        let day = |date: Date| rcgen::date_time_ymd(date.year, date.month, date.day);
        server_params.not_before = day(today.add_days(-1));
        server_params.not_after = day(today.add_days(EXPIRING_DAYS));
    }
    let server_key = KeyPair::generate()?;
    let server = server_params.signed_by(&server_key, &ca)?;

    let chain = vec![
        server.der().clone(),
        CertificateDer::from(ca.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    Ok((ca.pem(), chain, key))
}

/// An RSA CA and a server certificate for `names`, both signed with SHA-1 by the `openssl`
/// command in a directory of its own that is removed afterwards.
fn signed_by_openssl_sha1(names: &[String]) -> Result<Certificates, TlsError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .subsec_nanos();
    let dir = std::env::temp_dir().join(format!("ovirt-sim-tls-{}-{nanos}", std::process::id()));
    let result = openssl_sha1_in(&dir, names);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn openssl_sha1_in(dir: &Path, names: &[String]) -> Result<Certificates, TlsError> {
    let output_error = |reason: String| TlsError::OpensslOutput {
        dir: dir.to_owned(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| output_error(e.to_string()))?;
    let alt_names: Vec<String> = names
        .iter()
        .map(|name| {
            if name.parse::<IpAddr>().is_ok() {
                format!("IP:{name}")
            } else {
                format!("DNS:{name}")
            }
        })
        .collect();
    let extensions = format!(
        "subjectAltName={}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        alt_names.join(",")
    );
    std::fs::write(dir.join("server.ext"), extensions).map_err(|e| output_error(e.to_string()))?;
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha1",
            "-days",
            "3650",
            "-subj",
            "/O=ovirt-upgrade simulated engine/CN=Simulated engine CA (SHA-1)",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    )?;
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    )?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-sha1",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "825",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    )?;
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| output_error(format!("{name}: {e}")))
    };
    let ca_pem =
        String::from_utf8(read("ca.pem")?).map_err(|e| output_error(format!("ca.pem: {e}")))?;
    let server = CertificateDer::from_pem_slice(&read("server.pem")?)
        .map_err(|e| output_error(format!("server.pem: {e}")))?;
    let ca = CertificateDer::from_pem_slice(ca_pem.as_bytes())
        .map_err(|e| output_error(format!("ca.pem: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(&read("server.key")?)
        .map_err(|e| output_error(format!("server.key: {e}")))?;
    Ok((ca_pem, vec![server, ca], key))
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), TlsError> {
    let failed = |reason: String| TlsError::Openssl {
        command: format!("openssl {}", args[..2].join(" ")),
        reason,
    };
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(format!(
            "{}: {}",
            output.status,
            stderr.lines().last().unwrap_or_default()
        )));
    }
    Ok(())
}
