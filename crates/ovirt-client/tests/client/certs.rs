//! The engine's certificates read from the simulated engine in each of its TLS profiles, as
//! presented (a SHA-1 or expiring certificate is read, not refused), and the pki rules run on
//! the inventory read live.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use checks::Status;
use model::{Date, Inventory};
use ovirt_client::{
    read_certificates, CaSource, ChainCheck, Client, Config, ErrorKind, Scope, Tls,
};
use ovirt_sim::http::{HttpSim, ServeOptions, TlsProfile, EXPIRING_DAYS};

use crate::sim::{config, password, serve};

const PATIENCE: Duration = Duration::from_secs(20);

fn today() -> Date {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Date::from_days_since_epoch((seconds / 86_400) as i64)
}

async fn serve_tls(profile: TlsProfile, listen: [u8; 4]) -> HttpSim {
    let options = ServeOptions {
        tls: true,
        tls_profile: profile,
        listen: SocketAddr::from((listen, 0)),
        ..ServeOptions::default()
    };
    serve(crate::example("self-hosted"), "", options).await
}

/// The environment read through the API with `tls`, and the pki rules' verdicts on it.
async fn pki_verdicts(server: &HttpSim, tls: Tls) -> (Inventory, Vec<(&'static str, Status)>) {
    let mut config: Config = config(server, &password());
    config.tls = tls;
    let client = Client::connect(&config).await.unwrap();
    let inventory = client
        .read_inventory(Scope::Everything, &|_| {})
        .await
        .unwrap();
    client.close().await.unwrap();
    let report = checks::check(&inventory, inventory.manager.version, today()).unwrap();
    let verdicts = report
        .results
        .iter()
        .filter(|r| r.rule.id.starts_with("pki."))
        .map(|r| (r.rule.id, r.status()))
        .collect();
    (inventory, verdicts)
}

fn status(verdicts: &[(&str, Status)], id: &str) -> Status {
    verdicts
        .iter()
        .find(|(rule, _)| *rule == id)
        .map(|(_, status)| *status)
        .unwrap()
}

fn ca_file(server: &HttpSim, dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("engine-ca.pem");
    std::fs::write(&path, server.ca_pem().unwrap()).unwrap();
    path
}

#[tokio::test]
async fn a_sha256_engine_shows_its_ca_and_https_certificate_and_the_pki_rules_pass() {
    let server = serve_tls(TlsProfile::Sha256, [127, 0, 0, 1]).await;
    let read = read_certificates(&server.api_url(), &Tls::System, PATIENCE)
        .await
        .unwrap();
    assert!(
        matches!(read.ca_source, CaSource::Published(ref url) if url.ends_with("resource=ca-certificate&format=X509-PEM-CA")),
        "{:?}",
        read.ca_source
    );
    assert_eq!(
        read.ca.subject,
        "CN=Simulated engine CA, O=ovirt-upgrade simulated engine"
    );
    assert_eq!(read.https.issuer, read.ca.subject);
    assert_eq!(read.https.signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(
        read.presented, 2,
        "the server sends its certificate and the CA"
    );
    assert_eq!(read.chain, ChainCheck::Verified);
    assert_eq!(read.fqdn, "127.0.0.1");
    assert!(
        read.https
            .subject_alt_names
            .contains(&"127.0.0.1".to_owned()),
        "{:?}",
        read.https.subject_alt_names
    );
    assert!(read.https_valid_for_fqdn());
    assert!(read.https.not_after > today().add_days(3650));

    let dir = tempfile::tempdir().unwrap();
    let (inventory, verdicts) = pki_verdicts(&server, Tls::CaFile(ca_file(&server, &dir))).await;
    let names: Vec<&str> = inventory
        .manager
        .certificates
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["ca", "apache"]);
    for (rule, verdict) in &verdicts {
        // pki.external-ca applies only on the move to 4.4, which this route is not.
        let expected = if *rule == "pki.external-ca" {
            Status::Skip
        } else {
            Status::Pass
        };
        assert_eq!(*verdict, expected, "{rule} runs live and finds nothing");
    }
    assert_eq!(verdicts.len(), 6, "{verdicts:?}");
}

#[tokio::test]
async fn a_sha1_engine_is_read_not_refused_and_the_sha1_rule_fires() {
    let server = serve_tls(TlsProfile::Sha1, [127, 0, 0, 1]).await;
    let read = read_certificates(&server.api_url(), &Tls::System, PATIENCE)
        .await
        .unwrap();
    assert_eq!(read.ca.signature_algorithm, "sha1WithRSAEncryption");
    assert_eq!(read.https.signature_algorithm, "sha1WithRSAEncryption");
    assert_eq!(
        read.chain,
        ChainCheck::Verified,
        "ring verifies a SHA-1 signature for inspection"
    );

    // The client's own connections keep verifying, and refuse the SHA-1 chain.
    let dir = tempfile::tempdir().unwrap();
    let mut verifying = config(&server, &password());
    verifying.tls = Tls::CaFile(ca_file(&server, &dir));
    let error = Client::connect(&verifying).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Tls, "{error}");

    let (inventory, verdicts) = pki_verdicts(&server, Tls::Insecure).await;
    assert_eq!(status(&verdicts, "pki.sha1-signature"), Status::Warn);
    let report = checks::check(&inventory, inventory.manager.version, today()).unwrap();
    let sha1 = report
        .results
        .iter()
        .find(|r| r.rule.id == "pki.sha1-signature")
        .unwrap();
    let named: Vec<&str> = sha1.findings()[0]
        .evidence
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(named, ["ca", "apache"]);
    assert_eq!(status(&verdicts, "pki.expiring-30-days"), Status::Pass);
}

#[tokio::test]
async fn an_expiring_https_certificate_fires_the_expiry_rule() {
    let server = serve_tls(TlsProfile::Expiring, [127, 0, 0, 1]).await;
    let read = read_certificates(&server.api_url(), &Tls::System, PATIENCE)
        .await
        .unwrap();
    assert_eq!(read.https.not_after, today().add_days(EXPIRING_DAYS));
    let dir = tempfile::tempdir().unwrap();
    let (_, verdicts) = pki_verdicts(&server, Tls::CaFile(ca_file(&server, &dir))).await;
    assert_eq!(status(&verdicts, "pki.expiring-30-days"), Status::Warn);
    assert_eq!(status(&verdicts, "pki.expired"), Status::Pass);
    assert_eq!(status(&verdicts, "pki.sha1-signature"), Status::Pass);
}

#[tokio::test]
async fn another_ca_and_another_name_are_told_apart() {
    let server = serve_tls(TlsProfile::Sha256, [127, 0, 0, 1]).await;
    let other = serve_tls(TlsProfile::Sha256, [127, 0, 0, 1]).await;
    let dir = tempfile::tempdir().unwrap();
    // Same CA name, another key: only the signature tells them apart.
    let read = read_certificates(
        &server.api_url(),
        &Tls::CaFile(ca_file(&other, &dir)),
        PATIENCE,
    )
    .await
    .unwrap();
    assert_eq!(read.chain, ChainCheck::BadSignature);
    assert!(read.to_model()[1].external_ca);

    // Reached at an address its certificate does not name (127.0.0.0/8 is all loopback).
    let elsewhere = serve_tls(TlsProfile::Sha256, [127, 0, 0, 2]).await;
    let read = read_certificates(&elsewhere.api_url(), &Tls::System, PATIENCE)
        .await
        .unwrap();
    assert!(
        !read.https_valid_for_fqdn(),
        "{:?}",
        read.https.subject_alt_names
    );
    let (_, verdicts) = pki_verdicts(&elsewhere, Tls::Insecure).await;
    assert_eq!(status(&verdicts, "pki.san-mismatch"), Status::Warn);
}

#[tokio::test]
async fn plain_http_presents_no_certificate() {
    let server = serve(crate::example("self-hosted"), "", ServeOptions::default()).await;
    let error = read_certificates(&server.api_url(), &Tls::System, PATIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Config);
    assert!(error.to_string().contains("https://"), "{error}");
}
