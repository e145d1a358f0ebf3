//! `ovirt-upgrade backup verify`: the report, its languages and the exit codes. The archives
//! hold dumps the real pg_dump made: run
//! `export OVIRT_UPGRADE_TEST_PG="$(scripts/postgres-test-server)"` first.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use backup::sim::{ArchiveSpec, SampleDumps};

use crate::{stderr, stdout};

fn dumps() -> &'static SampleDumps {
    static DUMPS: OnceLock<SampleDumps> = OnceLock::new();
    DUMPS.get_or_init(|| {
        SampleDumps::from_test_server("cli").unwrap_or_else(|error| panic!("{error}"))
    })
}

fn write(dir: &Path, spec: &ArchiveSpec) -> PathBuf {
    let path = dir.join("engine.backup");
    std::fs::write(&path, spec.build().unwrap()).unwrap();
    path
}

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["backup", "verify"])
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap()
}

#[test]
fn a_good_backup_verifies_with_exit_code_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &dumps().archive());
    let output = verify(&[path.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let text = stdout(&output);
    // Columns are padded to the widest label: compare with the spaces collapsed.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "made by 4.3.10.4 (centos7)",
        "restore on 4.4 (an upgrade engine-backup allows)",
        "archive gzip; sha256sum: 6 of 6 members match",
        "holds product files, engine database, Data Warehouse database",
        "db/engine_backup.db custom, None; 10 entries, tables with data: 2",
    ] {
        assert!(flat.contains(expected), "expected `{expected}` in:\n{text}");
    }
    assert!(text.ends_with("Restorable: yes\n"), "{text}");

    let output = verify(&[
        path.to_str().unwrap(),
        "--output",
        "json",
        "--target",
        "4.4.10.7",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["restorable"], true);
    assert_eq!(json["target"], "4.4.10.7");
    assert_eq!(json["dumps"][0]["toc"]["tables"], 2);
}

#[test]
fn each_fault_is_named_with_its_member_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(ArchiveSpec, &str)> = vec![
        (
            ArchiveSpec {
                tampered: vec!["config".into()],
                ..dumps().archive()
            },
            "✗ config does not match its checksum in sha256sum",
        ),
        (
            ArchiveSpec {
                version: "4.3.9.1".into(),
                ..dumps().archive()
            },
            "engine-backup restores a 4.3 backup on a later line only from 4.3.10 on",
        ),
        (
            {
                let mut spec = dumps().archive();
                spec.dumps[1].1 = b"PGDMP garbage, not a dump".to_vec();
                spec
            },
            "✗ db/dwh_backup.db cannot be read: pg_restore",
        ),
        (
            {
                let mut spec = dumps().archive();
                spec.files
                    .retain(|(path, _)| !path.ends_with("10-setup-database.conf"));
                spec
            },
            "✗ the product files lack /etc/ovirt-engine/engine.conf.d/10-setup-database.conf",
        ),
    ];
    for (spec, expected) in cases {
        let path = write(dir.path(), &spec);
        let output = verify(&[path.to_str().unwrap()]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(text.contains("Restorable: no (1 finding)"), "{text}");
        assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
        assert!(text.contains("    hint: "), "{text}");
    }

    // Truncated: the archive itself breaks off.
    let bytes = dumps().archive().build().unwrap();
    let path = dir.path().join("cut.backup");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let output = verify(&[path.to_str().unwrap(), "--lang", "ja"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("アーカイブが途中で切れているか破損しています"),
        "{text}"
    );
    assert!(text.contains("リストア可能: いいえ"), "{text}");
}

#[test]
fn a_file_that_is_not_a_backup_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "not an archive\n").unwrap();
    let output = verify(&[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a tar archive"),
        "{}",
        stderr(&output)
    );

    let output = verify(&[path.to_str().unwrap(), "--target", "four"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--target"), "{}", stderr(&output));
}
