//! `ovirt-upgrade discrepancies` and `ovirt-upgrade sim storage`: output and exit codes.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use discrepancies::vocab::{DiskType, StorageLegality, VolType};
use discrepancies::volmeta::{MetaVersion, VolumeMetadata};
use model::{Allocation, DiskId, StorageDomainId, VolumeFormat, VolumeId};

const GUIDE_SAMPLE: &str = " Checking storage domain c277ad93-0973-43d9-a0ca-22199bc8e801
    Looking for missing images...
    No missing images found
    Checking discrepancies between SD/DB attributes...
    image ef325650-4b39-43cf-9e00-62b9f7659020 has a different attribute capacity on storage(2696984576) and on DB(2696986624)
    image 852613ce-79ee-4adc-a56a-ea650dcb4cfa has a different attribute capacity on storage(5424252928) and on DB(5424254976)

 Checking storage domain c64637b4-f0e8-408c-b8af-6a52946113e2
    Looking for missing images...
    No missing images found
    Checking discrepancies between SD/DB attributes...
    No discrepancies found
";

use crate::sim_serve;
use crate::{stderr, stdout};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .env("LANG", "C")
        .env_remove("PGPASSWORD")
        .output()
        .unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

/// (domain, image, volume, capacity on storage, capacity in the engine)
const SAMPLE: [(&str, &str, &str, u64, u64); 3] = [
    (
        "c277ad93-0973-43d9-a0ca-22199bc8e801",
        "2f1c3a5e-8d4b-4f6a-9c2e-1a7b3d5e9f01",
        "ef325650-4b39-43cf-9e00-62b9f7659020",
        2_696_984_576,
        2_696_986_624,
    ),
    (
        "c277ad93-0973-43d9-a0ca-22199bc8e801",
        "7a4e9b2c-3d5f-4e8a-b1c6-9d2f4a6b8c03",
        "852613ce-79ee-4adc-a56a-ea650dcb4cfa",
        5_424_252_928,
        5_424_254_976,
    ),
    (
        "c64637b4-f0e8-408c-b8af-6a52946113e2",
        "4d6e8f0a-1b3c-4d5e-8f7a-9b0c1d2e3f45",
        "9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a",
        10 << 30,
        10 << 30,
    ),
];

/// The guide's sample as files: the storage tree under `root/mnt` and the engine's records as
/// an inventory at `root/engine.json`.
fn write_sample(root: &Path) {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let dc = inventory.data_centers[0].id;
    let mut domains: Vec<StorageDomainId> = SAMPLE.iter().map(|s| s.0.parse().unwrap()).collect();
    domains.dedup();
    inventory.storage_domains = domains
        .iter()
        .enumerate()
        .map(|(n, id)| model::StorageDomain {
            id: *id,
            name: format!("data{n}"),
            data_center: Some(dc),
            role: model::DomainRole::Data,
            storage: model::StorageType::Nfs,
            status: model::StorageDomainStatus::Active,
            master: n == 0,
            hosted_engine: false,
            format_version: Some(5),
            path: None,
        })
        .collect();
    inventory.disks.clear();
    for (n, (domain, image, volume, on_storage, in_engine)) in SAMPLE.iter().enumerate() {
        let domain: StorageDomainId = domain.parse().unwrap();
        let image: DiskId = image.parse().unwrap();
        let volume: VolumeId = volume.parse().unwrap();
        inventory.disks.push(model::Disk {
            id: image,
            alias: format!("upload{n}"),
            storage_domain: domain,
            vm: None,
            content_type: model::ContentType::Data,
            volumes: vec![model::Volume {
                id: volume,
                parent: None,
                capacity: *in_engine,
                actual_size: *in_engine,
                format: VolumeFormat::Raw,
                allocation: Allocation::Preallocated,
                legality: model::Legality::Legal,
            }],
        });
        let meta = VolumeMetadata {
            version: MetaVersion::V5,
            capacity: *on_storage,
            image,
            parent: None,
            domain,
            format: VolumeFormat::Raw,
            allocation: Some(Allocation::Preallocated),
            legality: StorageLegality::Legal,
            disk_type: DiskType::Data,
            disk_type_text: "DATA".into(),
            voltype: VolType::Leaf,
            ctime: 1_600_000_000,
            generation: 0,
            sequence: Some(0),
            description: String::new(),
        };
        let dir = root.join("mnt").join(domain.to_string());
        fs::create_dir_all(dir.join("images").join(image.to_string())).unwrap();
        let fields: BTreeMap<String, String> = [("CLASS", "Data"), ("VERSION", "5")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        fs::create_dir_all(dir.join("dom_md")).unwrap();
        fs::write(
            dir.join("dom_md/metadata"),
            discrepancies::dommeta::to_text(&fields),
        )
        .unwrap();
        fs::write(
            dir.join("images")
                .join(image.to_string())
                .join(format!("{volume}.meta")),
            meta.to_text(),
        )
        .unwrap();
    }
    fs::write(root.join("engine.json"), scenario::to_json(&inventory)).unwrap();
}

#[test]
fn prints_the_guide_sample_exactly_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    write_sample(tmp.path());
    let engine = tmp.path().join("engine.json");
    let mnt = tmp.path().join("mnt");
    let output = run(&[
        "discrepancies",
        "--inventory",
        engine.to_str().unwrap(),
        "--domain-dir",
        mnt.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&output), GUIDE_SAMPLE);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("2 discrepancies"),
        "{}",
        stderr(&output)
    );

    // Quiet: the tool's lines only.
    let output = run(&[
        "discrepancies",
        "-q",
        "--inventory",
        engine.to_str().unwrap(),
        "--domain-dir",
        mnt.to_str().unwrap(),
    ]);
    assert_eq!(stdout(&output), GUIDE_SAMPLE);
    assert_eq!(stderr(&output), "");

    // JSON, with the summary.
    let output = run(&[
        "discrepancies",
        "--output",
        "json",
        "--inventory",
        engine.to_str().unwrap(),
        "--domain-dir",
        mnt.to_str().unwrap(),
        "--confirm",
        "--confirm-interval",
        "0",
    ]);
    assert_eq!(code(&output), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["summary"]["discrepancies"], 2);
    assert_eq!(json["summary"]["transient"], 0);
    assert_eq!(json["confirmed"], true);
    assert_eq!(json["domains"][0]["findings"][0]["attribute"], "capacity");
    assert_eq!(json["domains"][0]["findings"][0]["storage"], "2696984576");
}

#[test]
fn a_clean_simulated_tree_exits_0_and_planted_ones_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean");
    let output = run(&[
        "sim",
        "storage",
        "--scenario",
        "example:self-hosted",
        "--out",
        clean.to_str().unwrap(),
        "--seed",
        "1",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = run(&[
        "discrepancies",
        "--scenario",
        "example:self-hosted",
        "--domain-dir",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let text = stdout(&output);
    assert_eq!(text.matches("No missing images found").count(), 2);
    assert_eq!(text.matches("No discrepancies found").count(), 2);

    let planted = tmp.path().join("planted");
    let output = run(&[
        "sim",
        "storage",
        "--scenario",
        "example:self-hosted",
        "--out",
        planted.to_str().unwrap(),
        "--plant",
        "17",
        "--seed",
        "4",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("planted 17/17"),
        "{}",
        stdout(&output)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(planted.join("planted.json")).unwrap()).unwrap();
    assert_eq!(manifest.as_array().unwrap().len(), 17);
    let output = run(&[
        "discrepancies",
        "--output",
        "json",
        "--scenario",
        "example:self-hosted",
        "--domain-dir",
        planted.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(json["summary"]["discrepancies"].as_u64().unwrap() >= 16);

    // The same seed writes the same tree; a used directory is refused.
    let again = tmp.path().join("again");
    run(&[
        "sim",
        "storage",
        "--scenario",
        "example:self-hosted",
        "--out",
        again.to_str().unwrap(),
        "--plant",
        "17",
        "--seed",
        "4",
    ]);
    assert_eq!(
        fs::read(planted.join("planted.json")).unwrap(),
        fs::read(again.join("planted.json")).unwrap()
    );
    let output = run(&[
        "sim",
        "storage",
        "--scenario",
        "example:self-hosted",
        "--out",
        again.to_str().unwrap(),
        "--seed",
        "4",
    ]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("is not empty"));
}

#[test]
fn usage_and_input_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let nowhere = tmp.path().join("nowhere");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["discrepancies", "--domain-dir", dir], "required"),
        (
            vec!["discrepancies", "--scenario", "example:self-hosted"],
            "name the storage side",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--inventory",
                "x.json",
                "--domain-dir",
                dir,
            ],
            "cannot be used with",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:nope",
                "--domain-dir",
                dir,
            ],
            "no example named",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--domain-dir",
                nowhere.to_str().unwrap(),
            ],
            "cannot read",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--domain-dir",
                dir,
            ],
            "is not a storage domain",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--lvs",
                "l.json",
                "--metadata-lv",
                "novg",
            ],
            "VG=PATH",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--lvs",
                "l.json",
                "--block-version",
                "7",
            ],
            "format version",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--metadata-lv",
                "vg=/dev/vg/metadata",
            ],
            "give their --lvs",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--dump",
                "notauuid=f.json",
            ],
            "not a storage domain UUID",
        ),
        (
            vec!["discrepancies", "--db", "nonsense", "--domain-dir", dir],
            "connection string",
        ),
        (
            vec![
                "discrepancies",
                "--scenario",
                "example:self-hosted",
                "--domain-dir",
                dir,
                "--confirm-interval",
                "3",
            ],
            "--confirm",
        ),
    ];
    for (args, expected) in cases {
        let output = run(&args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let conf = tmp.path().join("10-setup-database.conf");
    fs::write(&conf, "ENGINE_DB_HOST=\"db\"\nENGINE_DB_SECURED=\"True\"\n").unwrap();
    let output = run(&[
        "discrepancies",
        "--db-conf",
        conf.to_str().unwrap(),
        "--domain-dir",
        dir,
    ]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("TLS"), "{}", stderr(&output));
}

#[test]
fn an_unreachable_database_is_a_failure_not_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_sample(tmp.path());
    let socket = tmp.path().join("no-server-here");
    fs::create_dir(&socket).unwrap();
    let connection = format!(
        "host={} port=5432 user=engine dbname=engine connect_timeout=2",
        socket.display()
    );
    let output = run(&[
        "discrepancies",
        "--db",
        &connection,
        "--domain-dir",
        tmp.path().join("mnt").to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot connect"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_engine_side_can_come_from_a_live_engine() {
    let served = sim_serve::Served::start("example:self-hosted", "60");
    let tmp = tempfile::tempdir().unwrap();
    let planted = tmp.path().join("planted");
    let output = run(&[
        "sim",
        "storage",
        "--scenario",
        "example:self-hosted",
        "--out",
        planted.to_str().unwrap(),
        "--plant",
        "5",
        "--seed",
        "2",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let from_file = run(&[
        "discrepancies",
        "--scenario",
        "example:self-hosted",
        "--domain-dir",
        planted.to_str().unwrap(),
    ]);
    let live = served.run(
        tmp.path(),
        &["discrepancies", "--domain-dir", planted.to_str().unwrap()],
    );
    assert_eq!(code(&live), 1, "{}", stderr(&live));
    assert_eq!(stdout(&live), stdout(&from_file));

    let output = run(&["discrepancies", "--domain-dir", planted.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("the engine side is required"),
        "{}",
        stderr(&output)
    );
}
