//! `backup::verify` on archives laid out the way engine-backup lays them out, with dumps made by
//! the real `pg_dump` on the test server: run
//! `export OVIRT_UPGRADE_TEST_PG="$(scripts/postgres-test-server)"` first.

use std::path::Path;
use std::sync::OnceLock;

use backup::sim::{compress, ArchiveSpec, SampleDumps};
use backup::{
    BackupError, Compression, Database, DumpFormat, Finding, ManagerVersion, Options, Part,
    RestorePath, VersionRefusal,
};

/// The dumps, made once per run on the test server.
fn dumps() -> &'static SampleDumps {
    static DUMPS: OnceLock<SampleDumps> = OnceLock::new();
    DUMPS.get_or_init(|| {
        SampleDumps::from_test_server("lib").unwrap_or_else(|error| panic!("{error}"))
    })
}

fn good_spec() -> ArchiveSpec {
    dumps().archive()
}

/// Writes the archive and verifies it against `target` (the default, 4.4, when `None`).
fn verify_bytes(bytes: &[u8], target: Option<&str>) -> Result<backup::Report, BackupError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("engine.backup");
    std::fs::write(&path, bytes).unwrap();
    let options = Options {
        target: target.map(|t| t.parse::<ManagerVersion>().unwrap()),
        ..Options::default()
    };
    backup::verify(&path, &options)
}

fn verify(spec: &ArchiveSpec, target: Option<&str>) -> backup::Report {
    verify_bytes(&spec.build().unwrap(), target).unwrap()
}

#[test]
fn a_good_archive_is_restorable_and_says_what_it_holds() {
    let report = verify(&good_spec(), None);
    assert_eq!(report.findings, vec![]);
    assert!(report.restorable);
    assert_eq!(report.compression, Compression::Gzip);
    assert_eq!(report.version.as_ref().unwrap().to_string(), "4.3.10.4");
    assert_eq!(report.target.as_ref().unwrap().to_string(), "4.4");
    assert_eq!(report.restore_path, Some(RestorePath::Upgrade));
    assert_eq!(report.os_version.as_deref(), Some("centos7"));
    assert_eq!(report.scope, vec![Part::Files, Part::EngineDb, Part::DwhDb]);
    let checksums = report.checksums.as_ref().unwrap();
    assert_eq!(
        (checksums.file.as_str(), checksums.listed, checksums.matched),
        ("sha256sum", 6, 6)
    );
    assert_eq!(
        report.files.as_ref().unwrap().compression,
        Some(Compression::Xz)
    );
    let engine = &report.dumps[0];
    assert_eq!(
        (engine.database, engine.format),
        (Database::Engine, Some(DumpFormat::Custom))
    );
    assert_eq!(
        engine.toc.unwrap().tables,
        2,
        "pg_restore --list sees both tables' data"
    );
    assert!(report
        .pg_restore
        .as_ref()
        .unwrap()
        .version
        .contains("PostgreSQL"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["restorable"], true);
    assert_eq!(
        json["scope"],
        serde_json::json!(["files", "engine_db", "dwh_db"])
    );
}

#[test]
fn small_size_archives_and_md5sum_archives_verify_too() {
    // engine-backup --small-size: xz archive, plain dumps through xz; and an older 4.3's md5sum.
    let mut spec = ArchiveSpec::new(vec![(
        Database::Engine,
        compress(Compression::Xz, &dumps().engine_plain).unwrap(),
    )]);
    spec.compression = Compression::Xz;
    spec.config = "DB_DUMP_COMPRESSOR=xz\nDB_DUMP_FORMAT=plain\n".to_owned();
    spec.checksum_file = "md5sum";
    let report = verify(&spec, Some("4.4.10.7"));
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.dumps[0].compression, Compression::Xz);
    assert_eq!(report.dumps[0].format, Some(DumpFormat::Plain));
    assert_eq!(report.checksums.unwrap().file, "md5sum");

    spec.compression = Compression::Bzip2;
    assert!(
        verify(&spec, None).restorable,
        "a bzip2 archive reads as well"
    );
}

#[test]
fn a_truncated_archive_is_not_restorable() {
    let bytes = good_spec().build().unwrap();
    let report = verify_bytes(&bytes[..bytes.len() * 2 / 3], None).unwrap();
    assert!(!report.restorable);
    assert!(
        matches!(&report.findings[0], Finding::Truncated { .. }),
        "{:?}",
        report.findings
    );
    assert!(report.findings[0]
        .message(model::Lang::En)
        .contains("truncated"));
}

#[test]
fn a_tampered_member_fails_its_checksum() {
    let mut spec = good_spec();
    spec.tampered = vec!["os_version".to_owned()];
    let report = verify(&spec, None);
    assert!(!report.restorable);
    let [Finding::ChecksumMismatch { file, member, .. }] = report.findings.as_slice() else {
        panic!("{:?}", report.findings);
    };
    assert_eq!(
        (file.as_str(), member.as_str()),
        ("sha256sum", "os_version")
    );
    assert_eq!(report.findings[0].member(), Some("os_version"));
}

#[test]
fn garbage_where_a_dump_should_be_is_unreadable() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut spec = good_spec();
    spec.dumps[0].1 = garbage;
    let report = verify(&spec, None);
    // The checksums match (the dump was bad when the backup was taken), and config says custom.
    assert!(
        report.findings.iter().any(|f| matches!(f,
        Finding::DumpUnreadable { member, .. } if member == "db/engine_backup.db")),
        "{:?}",
        report.findings
    );
    assert!(!report.restorable);

    // A custom dump cut short: its header is right, pg_restore fails reading the data.
    let mut spec = good_spec();
    let engine = &dumps().engine;
    spec.dumps[0].1 = engine[..engine.len() - 200].to_vec();
    let report = verify(&spec, None);
    let [Finding::DumpUnreadable { member, detail }] = report.findings.as_slice() else {
        panic!("{:?}", report.findings);
    };
    assert_eq!(member, "db/engine_backup.db");
    assert!(
        detail.contains("pg_restore"),
        "pg_restore's own words: {detail}"
    );
}

#[test]
fn the_version_must_restore_on_the_target() {
    let spec = good_spec();
    let report = verify(&spec, Some("4.2"));
    let [Finding::VersionNotRestorable {
        backup,
        target,
        refusal,
    }] = report.findings.as_slice()
    else {
        panic!("{:?}", report.findings);
    };
    assert_eq!((backup.as_str(), target.as_str()), ("4.3.10.4", "4.2"));
    assert!(matches!(refusal, VersionRefusal::NoPath { .. }));

    let mut old = good_spec();
    old.version = "4.3.8.2".to_owned();
    let report = verify(&old, Some("4.4"));
    assert!(matches!(
        report.findings.as_slice(),
        [Finding::VersionNotRestorable {
            refusal: VersionRefusal::Below4310,
            ..
        }]
    ));
    assert!(report.findings[0]
        .message(model::Lang::En)
        .contains("4.3.10"));
    assert!(
        verify(&old, Some("4.3.11")).restorable,
        "its own line restores it"
    );
}

#[test]
fn a_missing_required_file_or_part_is_named() {
    let mut spec = good_spec();
    spec.files
        .retain(|(path, _)| path != "etc/pki/ovirt-engine/private/ca.pem");
    let report = verify(&spec, None);
    assert_eq!(
        report.findings,
        vec![Finding::RequiredFileMissing {
            path: "etc/pki/ovirt-engine/private/ca.pem".to_owned()
        }]
    );
    assert_eq!(report.findings[0].member(), Some("files"));

    // A backup taken with --scope=files only cannot rebuild the Manager.
    let mut spec = good_spec();
    spec.dumps.clear();
    let report = verify(&spec, None);
    assert_eq!(
        report.findings,
        vec![Finding::PartMissing {
            part: Part::EngineDb
        }]
    );
}

#[test]
fn a_dump_unlike_its_config_is_named() {
    let mut spec = good_spec();
    spec.config = spec.config.replace(
        "DB_DUMP_COMPRESSOR=\nDB_DUMP_FORMAT=custom",
        "DB_DUMP_COMPRESSOR=xz\nDB_DUMP_FORMAT=custom",
    );
    let report = verify(&spec, None);
    let [Finding::DumpNotAsConfigured {
        member,
        configured,
        found,
    }] = report.findings.as_slice()
    else {
        panic!("{:?}", report.findings);
    };
    assert_eq!(member, "db/engine_backup.db");
    assert_eq!(
        (configured.as_str(), found.as_str()),
        ("custom, compressor xz", "custom, compressor None")
    );
}

#[test]
fn a_file_that_is_no_archive_is_an_input_error() {
    let error = verify_bytes(b"just some text, not a backup\n", None).unwrap_err();
    assert!(matches!(error, BackupError::NotAnArchive { .. }), "{error}");
    assert!(error.is_input());
    assert!(
        error.to_string().contains("engine-backup --mode=backup"),
        "{error}"
    );

    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    tar.append_data(&mut header, "notes.txt", &b"hi\n"[..])
        .unwrap();
    let error = verify_bytes(&tar.into_inner().unwrap(), None).unwrap_err();
    assert!(
        matches!(error, BackupError::NotEngineBackup { .. }),
        "{error}"
    );

    let missing =
        backup::verify(Path::new("/nonexistent/engine.backup"), &Options::default()).unwrap_err();
    assert!(missing.is_input() && missing.to_string().contains("/nonexistent/engine.backup"));
}
