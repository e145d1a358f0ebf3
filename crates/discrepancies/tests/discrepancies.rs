//! The discrepancies crate end to end: storage trees written to disk, read back, compared with
//! an engine view from an inventory or from a real PostgreSQL database.
//!
//! The database tests need a server: run `export OVIRT_UPGRADE_TEST_PG="$(scripts/postgres-test-server)"`
//! first. Without it they fail, saying so.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use discrepancies::block::{self, BlockOptions, SlotLayout};
use discrepancies::chain::ChainRule;
use discrepancies::db::{DbSource, PgConfig};
use discrepancies::dommeta;
use discrepancies::engine::{view_of_inventory, EngineDomain, EngineView, EngineVolume};
use discrepancies::report::{Attribute, FindingKind, Severity, Side};
use discrepancies::sim::{self, PlantKind};
use discrepancies::vocab::{DiskType, EngineStatus, StorageLegality, VolType};
use discrepancies::volmeta::{MetaVersion, VolumeMetadata};
use discrepancies::{
    collect_storage, compare, confirm, render_text, EngineSource, Report, StorageSource,
    StorageView,
};
use model::{
    Allocation, DiskId, DomainRole, Inventory, StorageDomainId, Uuid, VolumeFormat, VolumeId,
};

/// The sample output of the Upgrade Guide, exactly.
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

fn uuid(text: &str) -> Uuid {
    text.parse().unwrap()
}

fn sd(text: &str) -> StorageDomainId {
    StorageDomainId(uuid(text))
}

fn disk(text: &str) -> DiskId {
    DiskId(uuid(text))
}

fn vol(text: &str) -> VolumeId {
    VolumeId(uuid(text))
}

fn numbered(kind: u128, n: u128) -> Uuid {
    Uuid::from_random_bits((kind << 96) | (n * 0x9e37_79b9_7f4a_7c15))
}

/// A volume the way both sides should agree on it.
#[derive(Clone)]
struct Vol {
    domain: StorageDomainId,
    image: DiskId,
    id: VolumeId,
    parent: Option<VolumeId>,
    capacity: u64,
    format: VolumeFormat,
    allocation: Allocation,
    content: DiskType,
    voltype: VolType,
}

impl Vol {
    fn new(domain: StorageDomainId, image: DiskId, id: VolumeId, capacity: u64) -> Vol {
        Vol {
            domain,
            image,
            id,
            parent: None,
            capacity,
            format: VolumeFormat::Raw,
            allocation: Allocation::Preallocated,
            content: DiskType::Data,
            voltype: VolType::Leaf,
        }
    }

    fn meta(&self, version: MetaVersion) -> VolumeMetadata {
        VolumeMetadata {
            version,
            capacity: self.capacity,
            image: self.image,
            parent: self.parent,
            domain: self.domain,
            format: self.format,
            allocation: Some(self.allocation),
            legality: StorageLegality::Legal,
            disk_type: self.content,
            disk_type_text: self.content.as_str().to_owned(),
            voltype: self.voltype,
            ctime: 1_600_000_000,
            generation: 0,
            sequence: (version == MetaVersion::V5).then_some(0),
            description: String::new(),
        }
    }

    fn engine(&self) -> EngineVolume {
        EngineVolume {
            id: self.id,
            image: self.image,
            parent: self.parent,
            capacity: self.capacity,
            format: Some(self.format),
            allocation: Some(self.allocation),
            status: Some(EngineStatus::Ok),
            content: Some(self.content),
            alias: String::new(),
        }
    }
}

/// Writes a file domain: sealed metadata and one `.meta` per volume.
fn write_file_domain(
    root: &Path,
    id: StorageDomainId,
    role: DomainRole,
    volumes: &[Vol],
) -> PathBuf {
    write_file_domain_version(root, id, role, volumes, MetaVersion::V5)
}

fn write_file_domain_version(
    root: &Path,
    id: StorageDomainId,
    role: DomainRole,
    volumes: &[Vol],
    version: MetaVersion,
) -> PathBuf {
    let dir = root.join(id.to_string());
    fs::create_dir_all(dir.join("dom_md")).unwrap();
    fs::create_dir_all(dir.join("images")).unwrap();
    let fields: BTreeMap<String, String> = [
        ("CLASS", discrepancies::vocab::class_name(role).to_owned()),
        ("SDUUID", id.to_string()),
        ("TYPE", "NFS".to_owned()),
        (
            "VERSION",
            if version == MetaVersion::V5 { "5" } else { "4" }.to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    fs::write(dir.join("dom_md/metadata"), dommeta::to_text(&fields)).unwrap();
    for v in volumes {
        let image_dir = dir.join("images").join(v.image.to_string());
        fs::create_dir_all(&image_dir).unwrap();
        fs::write(
            image_dir.join(format!("{}.meta", v.id)),
            v.meta(version).to_text(),
        )
        .unwrap();
    }
    dir
}

fn engine_of(domains: &[(StorageDomainId, DomainRole)], volumes: &[Vol]) -> EngineView {
    let domains = domains
        .iter()
        .map(|(id, role)| EngineDomain {
            id: *id,
            name: format!("sd-{}", &id.to_string()[..8]),
            role: Some(*role),
            volumes: volumes
                .iter()
                .filter(|v| v.domain == *id)
                .map(Vol::engine)
                .collect(),
        })
        .collect();
    EngineView::new(domains, Vec::new())
}

fn scan(paths: &[&Path]) -> StorageView {
    let sources: Vec<StorageSource> = paths
        .iter()
        .map(|p| StorageSource::FileDomain(p.to_path_buf()))
        .collect();
    collect_storage(&sources).unwrap()
}

fn kinds(report: &Report) -> Vec<&FindingKind> {
    report
        .domains
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| &f.kind))
        .collect()
}

// ----- The guide's sample ------------------------------------------------------------------

const SAMPLE_SD1: &str = "c277ad93-0973-43d9-a0ca-22199bc8e801";
const SAMPLE_SD2: &str = "c64637b4-f0e8-408c-b8af-6a52946113e2";

/// The storage side of the sample: two uploads whose capacity the engine rounded differently,
/// and a second domain that agrees.
fn sample_volumes() -> (Vec<Vol>, Vec<Vol>) {
    let on_storage = vec![
        Vol::new(
            sd(SAMPLE_SD1),
            disk("2f1c3a5e-8d4b-4f6a-9c2e-1a7b3d5e9f01"),
            vol("ef325650-4b39-43cf-9e00-62b9f7659020"),
            2_696_984_576,
        ),
        Vol::new(
            sd(SAMPLE_SD1),
            disk("7a4e9b2c-3d5f-4e8a-b1c6-9d2f4a6b8c03"),
            vol("852613ce-79ee-4adc-a56a-ea650dcb4cfa"),
            5_424_252_928,
        ),
        Vol::new(
            sd(SAMPLE_SD2),
            disk("4d6e8f0a-1b3c-4d5e-8f7a-9b0c1d2e3f45"),
            vol("9e8d7c6b-5a49-4382-a716-0f1e2d3c4b5a"),
            10 << 30,
        ),
    ];
    let mut in_engine = on_storage.clone();
    in_engine[0].capacity = 2_696_986_624;
    in_engine[1].capacity = 5_424_254_976;
    (on_storage, in_engine)
}

/// An inventory whose storage domains and disks are the sample's.
fn sample_inventory(volumes: &[Vol]) -> Inventory {
    let mut inventory = scenario::load("example:standalone-local").unwrap();
    let dc = inventory.data_centers[0].id;
    inventory.storage_domains = [SAMPLE_SD1, SAMPLE_SD2]
        .iter()
        .enumerate()
        .map(|(n, id)| model::StorageDomain {
            id: sd(id),
            name: format!("data{}", n + 1),
            data_center: Some(dc),
            role: DomainRole::Data,
            storage: model::StorageType::Nfs,
            status: model::StorageDomainStatus::Active,
            master: n == 0,
            hosted_engine: false,
            format_version: Some(5),
            path: None,
        })
        .collect();
    inventory.disks = volumes
        .iter()
        .enumerate()
        .map(|(n, v)| model::Disk {
            id: v.image,
            alias: format!("upload{n}"),
            storage_domain: v.domain,
            vm: None,
            content_type: model::ContentType::Data,
            volumes: vec![model::Volume {
                id: v.id,
                parent: v.parent,
                capacity: v.capacity,
                actual_size: v.capacity,
                format: v.format,
                allocation: v.allocation,
                legality: model::Legality::Legal,
            }],
        })
        .collect();
    inventory
}

fn write_sample_storage(root: &Path) -> (PathBuf, PathBuf) {
    let (on_storage, _) = sample_volumes();
    let first: Vec<Vol> = on_storage
        .iter()
        .filter(|v| v.domain == sd(SAMPLE_SD1))
        .cloned()
        .collect();
    let second: Vec<Vol> = on_storage
        .iter()
        .filter(|v| v.domain == sd(SAMPLE_SD2))
        .cloned()
        .collect();
    (
        write_file_domain(root, sd(SAMPLE_SD1), DomainRole::Data, &first),
        write_file_domain(root, sd(SAMPLE_SD2), DomainRole::Data, &second),
    )
}

#[test]
fn the_guide_sample_is_reproduced_byte_for_byte_from_an_inventory() {
    let tmp = tempfile::tempdir().unwrap();
    write_sample_storage(tmp.path());
    let (_, in_engine) = sample_volumes();
    let inventory = sample_inventory(&in_engine);
    // Through JSON and back, as `--inventory FILE` reads it.
    let inventory =
        scenario::parse_inventory(&scenario::to_json(&inventory), "sample.json").unwrap();
    let mut source = discrepancies::InventorySource::new(inventory, "sample.json");
    let engine = source.collect().unwrap();
    // The mount point holding both domains, as under /rhev/data-center/mnt/<server>/.
    let storage = scan(&[tmp.path()]);
    let report = compare(&storage, &engine);
    assert_eq!(render_text(&report), GUIDE_SAMPLE);
    assert!(report.has_discrepancies());
    let summary = report.summary();
    assert_eq!(summary.discrepancies, 2);
    assert_eq!(summary.volumes_on_storage, 3);
    assert_eq!(summary.volumes_in_engine, 3);
}

// ----- Planted discrepancies ---------------------------------------------------------------

fn tree_files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn check_planted(example: &str, seed: u64, plant: usize) -> (Report, sim::SimOutput) {
    let inventory = scenario::load(example).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let output = sim::write_storage(&inventory, tmp.path(), plant, seed).unwrap();
    let storage = scan(&[tmp.path()]);
    let report = compare(&storage, &view_of_inventory(&inventory));
    for planted in &output.planted {
        assert!(
            planted.is_found_in(&report),
            "{example} seed {seed}: planted {planted:?} not found in\n{}",
            render_text(&report)
        );
    }
    (report, output)
}

#[test]
fn every_kind_of_planted_discrepancy_is_found() {
    for seed in [1, 2, 3, 42] {
        let (report, output) = check_planted("example:self-hosted", seed, PlantKind::ALL.len());
        let mut planted: Vec<PlantKind> = output.planted.iter().map(|p| p.kind).collect();
        planted.sort();
        assert_eq!(planted, PlantKind::ALL.to_vec(), "seed {seed}");
        assert!(report.has_discrepancies());
    }
    // Many plants on a version-4 domain, several of each kind.
    let (_, output) = check_planted("example:rhv-4.2", 7, 40);
    assert!(
        output.planted.len() >= 20,
        "{} planted",
        output.planted.len()
    );
}

#[test]
fn a_clean_tree_gives_no_finding() {
    for example in [
        "example:self-hosted",
        "example:rhv-4.2",
        "example:hyperconverged",
    ] {
        let (report, output) = check_planted(example, 9, 0);
        assert!(output.planted.is_empty());
        assert!(!output.domains.is_empty(), "{example} has file domains");
        assert!(
            kinds(&report).is_empty(),
            "{example}:\n{}",
            render_text(&report)
        );
        assert!(!report.has_discrepancies());
        let text = render_text(&report);
        assert_eq!(
            text.matches("No missing images found").count(),
            report.domains.len()
        );
        assert_eq!(
            text.matches("No discrepancies found").count(),
            report.domains.len()
        );
    }
}

#[test]
fn the_same_seed_writes_the_same_tree() {
    let inventory = scenario::load("example:self-hosted").unwrap();
    let trees: Vec<_> = [5, 5, 6]
        .iter()
        .map(|seed| {
            let tmp = tempfile::tempdir().unwrap();
            sim::write_storage(&inventory, tmp.path(), 10, *seed).unwrap();
            tree_files(tmp.path())
        })
        .collect();
    assert_eq!(trees[0], trees[1]);
    assert_ne!(trees[0], trees[2]);
}

// ----- File domains: bad input, templates, removed images, ISO and Export -------------------

fn one_domain_fixture(tmp: &Path) -> (StorageDomainId, Vec<Vol>, PathBuf) {
    let domain = StorageDomainId(numbered(1, 1));
    let volumes: Vec<Vol> = (1..=6)
        .map(|n| {
            Vol::new(
                domain,
                DiskId(numbered(2, n)),
                VolumeId(numbered(3, n)),
                (n as u64) << 30,
            )
        })
        .collect();
    let dir = write_file_domain(tmp, domain, DomainRole::Data, &volumes);
    (domain, volumes, dir)
}

fn meta_path(dir: &Path, v: &Vol) -> PathBuf {
    dir.join("images")
        .join(v.image.to_string())
        .join(format!("{}.meta", v.id))
}

#[test]
fn bad_metadata_is_reported_per_volume_and_the_scan_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let text = volumes[0].meta(MetaVersion::V5).to_text();
    fs::write(meta_path(&dir, &volumes[0]), &text[..text.len() / 3]).unwrap();
    fs::write(
        meta_path(&dir, &volumes[1]),
        [0xde, 0xad, 0xbe, 0xef, 0xff, 0x00, 0x17],
    )
    .unwrap();
    fs::write(meta_path(&dir, &volumes[2]), text.replace("EOF\n", "")).unwrap();
    fs::write(meta_path(&dir, &volumes[3]), vec![b'A'; 200_000]).unwrap();
    fs::remove_file(meta_path(&dir, &volumes[4])).unwrap();
    fs::create_dir(meta_path(&dir, &volumes[4])).unwrap();
    // Image "directories" that cannot be listed: a dangling link and a plain file.
    std::os::unix::fs::symlink(
        "/nonexistent/ovirt-upgrade",
        dir.join("images").join(numbered(4, 1).to_string()),
    )
    .unwrap();
    fs::write(
        dir.join("images").join(numbered(4, 2).to_string()),
        b"not a directory",
    )
    .unwrap();
    // Files vdsm ignores.
    fs::write(dir.join("images").join("README"), b"x").unwrap();
    fs::write(
        dir.join("images")
            .join(volumes[5].image.to_string())
            .join("notes.meta"),
        b"x",
    )
    .unwrap();

    let storage = scan(&[&dir]);
    let report = compare(
        &storage,
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    let invalid: BTreeMap<VolumeId, String> = kinds(&report)
        .into_iter()
        .filter_map(|k| match k {
            FindingKind::InvalidMetadata {
                volume, problem, ..
            } => Some((*volume, problem.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(invalid.len(), 5, "{}", render_text(&report));
    assert!(invalid[&volumes[0].id].contains("no EOF"));
    assert!(invalid[&volumes[1].id].contains("not UTF-8"));
    assert!(invalid[&volumes[2].id].contains("no EOF"));
    assert!(invalid[&volumes[3].id].contains("200000 bytes"));
    assert!(invalid[&volumes[4].id].contains("cannot be read"));
    let unreadable = kinds(&report)
        .into_iter()
        .filter(|k| matches!(k, FindingKind::Unreadable { .. }))
        .count();
    assert_eq!(unreadable, 2);
    // The good volume was compared, and nothing was reported missing: the bad ones exist.
    assert!(!kinds(&report).iter().any(|k| matches!(
        k,
        FindingKind::OnlyInEngine { .. }
            | FindingKind::OnlyOnStorage { .. }
            | FindingKind::Attribute { .. }
    )));
}

#[test]
fn a_broken_domain_seal_and_a_wrong_role_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let metadata = fs::read_to_string(dir.join("dom_md/metadata")).unwrap();
    fs::write(
        dir.join("dom_md/metadata"),
        metadata.replace("TYPE=NFS", "TYPE=GLUSTERFS"),
    )
    .unwrap();
    let engine = engine_of(&[(domain, DomainRole::Export)], &volumes);
    let report = compare(&scan(&[&dir]), &engine);
    let found = kinds(&report);
    assert!(found.iter().any(|k| matches!(k, FindingKind::DomainMetadata { problem } if problem.contains("seal is broken"))));
    assert!(found.iter().any(|k| matches!(k, FindingKind::DomainAttribute { attribute: Attribute::Role, storage, engine } if storage == "Data" && engine == "Backup")));

    fs::write(dir.join("dom_md/metadata"), b"\xff\xfe").unwrap();
    let report = compare(&scan(&[&dir]), &engine);
    assert!(kinds(&report).iter().any(
        |k| matches!(k, FindingKind::DomainMetadata { problem } if problem.contains("not UTF-8"))
    ));

    fs::remove_file(dir.join("dom_md/metadata")).unwrap();
    let report = compare(&scan(&[&dir]), &engine);
    assert!(kinds(&report).iter().any(|k| matches!(k, FindingKind::Unreadable { location, .. } if location.ends_with("dom_md/metadata"))));
}

#[test]
fn template_volumes_hard_linked_into_several_images_are_one_volume() {
    let tmp = tempfile::tempdir().unwrap();
    let domain = StorageDomainId(numbered(1, 2));
    let mut template = Vol::new(
        domain,
        DiskId(numbered(2, 100)),
        VolumeId(numbered(3, 100)),
        8 << 30,
    );
    template.voltype = VolType::Shared;
    let mut volumes = vec![template.clone()];
    for n in 1..=3 {
        let mut thin = Vol::new(
            domain,
            DiskId(numbered(2, n)),
            VolumeId(numbered(3, n)),
            8 << 30,
        );
        thin.parent = Some(template.id);
        thin.format = VolumeFormat::Cow;
        thin.allocation = Allocation::Sparse;
        volumes.push(thin);
    }
    let dir = write_file_domain(tmp.path(), domain, DomainRole::Data, &volumes);
    for thin in &volumes[1..] {
        let target = dir
            .join("images")
            .join(thin.image.to_string())
            .join(format!("{}.meta", template.id));
        fs::hard_link(meta_path(&dir, &template), target).unwrap();
    }
    let storage = scan(&[&dir]);
    let scanned = &storage.domains[0];
    assert_eq!(scanned.volumes.len(), 4);
    let shared = scanned.volume(template.id).unwrap();
    assert_eq!(shared.found_in.len(), 4);
    let report = compare(
        &storage,
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    assert!(kinds(&report).is_empty(), "{}", render_text(&report));

    // A copy that is not a link is a second, different file with the same volume id.
    let copy = dir
        .join("images")
        .join(volumes[1].image.to_string())
        .join(format!("{}.meta", template.id));
    fs::remove_file(&copy).unwrap();
    fs::write(&copy, template.meta(MetaVersion::V5).to_text()).unwrap();
    let report = compare(
        &scan(&[&dir]),
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    assert!(kinds(&report).iter().any(|k| matches!(k, FindingKind::Unreadable { message, .. } if message.contains("different files"))));
}

#[test]
fn images_being_removed_are_notices_unless_the_engine_still_has_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let images = dir.join("images");
    // Garbage of a disk the engine deleted.
    let gone = Vol::new(
        domain,
        DiskId(numbered(2, 50)),
        VolumeId(numbered(3, 50)),
        1 << 30,
    );
    let gone_dir = images.join(format!("_remove_me_{}", gone.image));
    fs::create_dir(&gone_dir).unwrap();
    fs::write(
        gone_dir.join(format!("{}.meta", gone.id)),
        gone.meta(MetaVersion::V5).to_text(),
    )
    .unwrap();
    // A disk the engine still records, which storage is deleting.
    let kept = &volumes[0];
    fs::rename(
        images.join(kept.image.to_string()),
        images.join(format!("_remove_me_{}", kept.image)),
    )
    .unwrap();

    let report = compare(
        &scan(&[&dir]),
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    let domain_report = &report.domains[0];
    let removed: Vec<_> = domain_report
        .findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::RemovedImage { .. }))
        .collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].severity, Severity::Notice);
    assert!(domain_report.findings.iter().any(|f| matches!(
        &f.kind,
        FindingKind::OnlyInEngine { volume, being_removed: true, .. } if *volume == kept.id
    )));
    assert_eq!(report.summary().discrepancies, 1);
    assert!(render_text(&report).contains("(storage is deleting it: _remove_me_)"));
}

#[test]
fn iso_and_export_domains_are_reported_but_safe_to_ignore() {
    let tmp = tempfile::tempdir().unwrap();
    let export = StorageDomainId(numbered(1, 3));
    let iso = StorageDomainId(numbered(1, 4));
    let exported: Vec<Vol> = (1..=2)
        .map(|n| {
            Vol::new(
                export,
                DiskId(numbered(2, n)),
                VolumeId(numbered(3, n)),
                1 << 30,
            )
        })
        .collect();
    let export_dir = write_file_domain(tmp.path(), export, DomainRole::Export, &exported);
    let iso_dir = write_file_domain(tmp.path(), iso, DomainRole::Iso, &[]);
    let iso_images = iso_dir
        .join("images")
        .join(discrepancies::vocab::ISO_IMAGE_UUID);
    fs::create_dir_all(&iso_images).unwrap();
    fs::write(iso_images.join("rhel.iso"), b"").unwrap();
    let engine = engine_of(&[(export, DomainRole::Export), (iso, DomainRole::Iso)], &[]);

    let report = compare(&scan(&[&export_dir, &iso_dir]), &engine);
    let export_report = report.domains.iter().find(|d| d.id == export).unwrap();
    assert!(export_report.safe_to_ignore);
    assert_eq!(export_report.findings.len(), 2);
    assert!(export_report
        .findings
        .iter()
        .all(|f| f.safe_to_ignore && !f.counts()));
    let iso_report = report.domains.iter().find(|d| d.id == iso).unwrap();
    assert!(iso_report.findings.is_empty());
    assert!(!report.has_discrepancies());
    assert_eq!(report.summary().safe_to_ignore, 2);
    assert!(render_text(&report)
        .contains("This is an Export domain: the DB keeps no image entries for it"));
}

#[test]
fn each_attribute_difference_is_named_with_both_values() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let mut engine_side = volumes.clone();
    engine_side[0].capacity += 512;
    engine_side[1].format = VolumeFormat::Cow;
    engine_side[2].allocation = Allocation::Sparse;
    engine_side[3].content = DiskType::Ovfs;
    engine_side[4].image = DiskId(numbered(2, 99));
    let mut engine = engine_of(&[(domain, DomainRole::Data)], &engine_side);
    let vols = &mut engine.domains[0].volumes;
    let fifth = vols.iter_mut().find(|v| v.id == volumes[5].id).unwrap();
    fifth.status = Some(EngineStatus::Illegal);
    let report = compare(&scan(&[&dir]), &engine);
    let text = render_text(&report);
    for line in [
        format!(
            "image {} has a different attribute capacity on storage({}) and on DB({})",
            volumes[0].id,
            1u64 << 30,
            (1u64 << 30) + 512
        ),
        format!(
            "image {} has a different attribute format on storage(RAW) and on DB(COW)",
            volumes[1].id
        ),
        format!(
            "image {} has a different attribute type on storage(PREALLOCATED) and on DB(SPARSE)",
            volumes[2].id
        ),
        format!(
            "image {} has a different attribute disktype on storage(DATA) and on DB(OVFS)",
            volumes[3].id
        ),
        format!(
            "image {} has a different attribute image on storage({}) and on DB({})",
            volumes[4].id,
            volumes[4].image,
            numbered(2, 99)
        ),
        format!(
            "image {} has a different attribute legality on storage(LEGAL) and on DB(ILLEGAL)",
            volumes[5].id
        ),
    ] {
        assert!(text.contains(&line), "missing `{line}` in\n{text}");
    }

    // A locked volume is an operation in flight: a notice, legality not compared.
    let mut engine = engine_of(&[(domain, DomainRole::Data)], &volumes);
    engine.domains[0].volumes[0].status = Some(EngineStatus::Locked);
    let report = compare(&scan(&[&dir]), &engine);
    assert_eq!(report.summary().notices, 1);
    assert!(!report.has_discrepancies());
}

#[test]
fn volumes_only_on_one_side_and_leftovers_of_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let other = StorageDomainId(numbered(1, 9));
    let mut engine_side: Vec<Vol> = volumes[1..].to_vec();
    let mut moved = volumes[0].clone();
    moved.domain = other;
    engine_side.push(moved);
    let phantom = Vol::new(
        domain,
        DiskId(numbered(2, 77)),
        VolumeId(numbered(3, 77)),
        1 << 30,
    );
    engine_side.push(phantom.clone());
    let engine = engine_of(
        &[(domain, DomainRole::Data), (other, DomainRole::Data)],
        &engine_side,
    );
    let report = compare(&scan(&[&dir]), &engine);
    let text = render_text(&report);
    assert!(text.contains(&format!(
        "image {} of disk {} is on storage but not on DB (DB has it on storage domain {other}: a leftover of a move?)",
        volumes[0].id, volumes[0].image
    )), "{text}");
    assert!(text.contains(&format!(
        "image {} of disk {} is on DB but not on storage",
        phantom.id, phantom.image
    )));
    assert!(!text.contains("No missing images found"));
    assert_eq!(report.not_scanned, vec![other]);
}

#[test]
fn chains_are_checked_on_both_sides() {
    let tmp = tempfile::tempdir().unwrap();
    let domain = StorageDomainId(numbered(1, 5));
    let image = DiskId(numbered(2, 1));
    let base = Vol::new(domain, image, VolumeId(numbered(3, 1)), 1 << 30);
    let mut top = Vol::new(domain, image, VolumeId(numbered(3, 2)), 1 << 30);
    top.parent = Some(base.id);
    let mut twin = top.clone();
    twin.id = VolumeId(numbered(3, 3));
    let dir = write_file_domain(
        tmp.path(),
        domain,
        DomainRole::Data,
        &[base.clone(), top.clone(), twin.clone()],
    );
    // The engine has a loop where storage has two children of the base.
    let mut engine_top = top.clone();
    engine_top.parent = Some(twin.id);
    let mut engine_twin = twin.clone();
    engine_twin.parent = Some(top.id);
    let engine = engine_of(
        &[(domain, DomainRole::Data)],
        &[base, engine_top, engine_twin],
    );
    let report = compare(&scan(&[&dir]), &engine);
    let chains: Vec<(Side, ChainRule)> = kinds(&report)
        .into_iter()
        .filter_map(|k| match k {
            FindingKind::Chain { side, fault, .. } => Some((*side, fault.rule)),
            _ => None,
        })
        .collect();
    assert_eq!(
        chains,
        vec![
            (Side::Storage, ChainRule::DuplicateParent),
            (Side::Engine, ChainRule::Loop)
        ]
    );
    assert!(render_text(&report).contains(&format!(
        "disk {image} has a broken volume chain on storage: volumes"
    )));
}

#[test]
fn version_4_metadata_reads_sizes_in_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let domain = StorageDomainId(numbered(1, 6));
    let volumes: Vec<Vol> = (1..=3)
        .map(|n| {
            Vol::new(
                domain,
                DiskId(numbered(2, n)),
                VolumeId(numbered(3, n)),
                n as u64 * (3 << 29),
            )
        })
        .collect();
    let dir = write_file_domain_version(
        tmp.path(),
        domain,
        DomainRole::Data,
        &volumes,
        MetaVersion::V4,
    );
    let text = fs::read_to_string(meta_path(&dir, &volumes[0])).unwrap();
    assert!(
        text.contains("SIZE=3145728\n") && text.contains("MTIME=0\n") && !text.contains("CAP=")
    );
    let report = compare(
        &scan(&[&dir]),
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    assert!(kinds(&report).is_empty(), "{}", render_text(&report));
}

#[test]
fn a_domain_unknown_to_the_engine_and_a_missing_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, _, dir) = one_domain_fixture(tmp.path());
    let report = compare(&scan(&[&dir]), &EngineView::default());
    assert!(matches!(
        kinds(&report)[..],
        [FindingKind::DomainNotInEngine { volumes: 6 }]
    ));
    assert!(collect_storage(&[StorageSource::FileDomain(tmp.path().join("nope"))]).is_err());
    let empty = tempfile::tempdir().unwrap();
    assert!(collect_storage(&[StorageSource::FileDomain(empty.path().to_path_buf())]).is_err());
}

// ----- Block domains and dumps ---------------------------------------------------------------

fn block_fixture(
    layout: SlotLayout,
) -> (
    tempfile::TempDir,
    StorageDomainId,
    Vec<Vol>,
    PathBuf,
    PathBuf,
) {
    let tmp = tempfile::tempdir().unwrap();
    let domain = StorageDomainId(numbered(1, 7));
    let image = DiskId(numbered(2, 1));
    let mut volumes: Vec<Vol> = (1..=4)
        .map(|n| Vol::new(domain, image, VolumeId(numbered(3, n)), 20 << 30))
        .collect();
    for n in 1..volumes.len() {
        volumes[n].parent = Some(volumes[n - 1].id);
        volumes[n - 1].voltype = VolType::Internal;
    }
    let version = match layout {
        SlotLayout::V4 => MetaVersion::V4,
        SlotLayout::V5 => MetaVersion::V5,
    };
    let metas: Vec<VolumeMetadata> = volumes.iter().map(|v| v.meta(version)).collect();
    let ids: Vec<VolumeId> = volumes.iter().map(|v| v.id).collect();
    let (rows, bytes) = block::layout_domain(domain, layout, &metas, &ids);
    let lvs = tmp.path().join("lvs.json");
    let metadata = tmp.path().join("metadata.lv");
    fs::write(&lvs, block::lvs_json(&rows)).unwrap();
    fs::write(&metadata, bytes).unwrap();
    (tmp, domain, volumes, lvs, metadata)
}

fn block_source(
    domain: StorageDomainId,
    lvs: &Path,
    metadata: &Path,
    layout: Option<SlotLayout>,
) -> StorageSource {
    StorageSource::Block {
        lvs: lvs.to_path_buf(),
        options: BlockOptions {
            metadata_paths: [(domain.to_string(), metadata.to_path_buf())]
                .into_iter()
                .collect(),
            layout,
        },
    }
}

#[test]
fn block_domains_of_both_versions_are_read_from_lvs_and_the_metadata_lv() {
    for layout in [SlotLayout::V4, SlotLayout::V5] {
        let (_tmp, domain, volumes, lvs, metadata) = block_fixture(layout);
        let engine = engine_of(&[(domain, DomainRole::Data)], &volumes);
        for given in [None, Some(layout)] {
            let storage = collect_storage(&[block_source(domain, &lvs, &metadata, given)]).unwrap();
            assert_eq!(storage.domains[0].volumes.len(), 4);
            let report = compare(&storage, &engine);
            assert!(
                kinds(&report).is_empty(),
                "{layout:?} {given:?}: {}",
                render_text(&report)
            );
        }
        // Read with the other version's offsets, nothing is valid.
        let wrong = match layout {
            SlotLayout::V4 => SlotLayout::V5,
            SlotLayout::V5 => SlotLayout::V4,
        };
        let report = compare(
            &collect_storage(&[block_source(domain, &lvs, &metadata, Some(wrong))]).unwrap(),
            &engine,
        );
        assert!(kinds(&report)
            .iter()
            .any(|k| matches!(k, FindingKind::InvalidMetadata { .. })));
    }
}

#[test]
fn block_domain_bad_slots_tags_and_missing_metadata_lv() {
    let (_tmp, domain, volumes, lvs, metadata) = block_fixture(SlotLayout::V5);
    // Garbage in the second volume's slot, and a report with an initializing LV, a removed
    // image, an LV without MD_ tag and one whose slot lies past the end of the metadata LV.
    let mut bytes = fs::read(&metadata).unwrap();
    let offset = SlotLayout::V5.offset(2) as usize;
    bytes[offset..offset + 64].copy_from_slice(&[b'#'; 64]);
    fs::write(&metadata, &bytes).unwrap();
    let mut report_json: serde_json::Value =
        serde_json::from_slice(&fs::read(&lvs).unwrap()).unwrap();
    let lv_list = report_json["report"][0]["lv"].as_array_mut().unwrap();
    let vg = domain.to_string();
    let extra = |name: Uuid, tags: &str| serde_json::json!({"vg_name": vg, "lv_name": name.to_string(), "lv_tags": tags, "lv_size": "1073741824B"});
    lv_list.push(extra(
        numbered(3, 10),
        &format!(
            "IU_{},MD_9,PU_00000000-0000-0000-0000-000000000000,OVIRT_VOL_INITIALIZING",
            numbered(2, 10)
        ),
    ));
    lv_list.push(extra(
        numbered(3, 11),
        &format!(
            "IU__remove_me_{},MD_10,PU_00000000-0000-0000-0000-000000000000",
            numbered(2, 11)
        ),
    ));
    lv_list.push(extra(
        numbered(3, 12),
        &format!(
            "IU_{},PU_00000000-0000-0000-0000-000000000000",
            numbered(2, 12)
        ),
    ));
    lv_list.push(extra(
        numbered(3, 13),
        &format!(
            "IU_{},MD_100000,PU_00000000-0000-0000-0000-000000000000",
            numbered(2, 13)
        ),
    ));
    fs::write(&lvs, serde_json::to_vec(&report_json).unwrap()).unwrap();

    let storage = collect_storage(&[block_source(domain, &lvs, &metadata, None)]).unwrap();
    let scanned = &storage.domains[0];
    assert_eq!(scanned.initializing, vec![VolumeId(numbered(3, 10))]);
    assert_eq!(scanned.removed.len(), 1);
    let report = compare(
        &storage,
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    let invalid: Vec<String> = kinds(&report)
        .into_iter()
        .filter_map(|k| match k {
            FindingKind::InvalidMetadata { problem, .. } => Some(problem.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(invalid.len(), 3, "{invalid:?}");
    assert!(invalid.iter().any(|p| p.contains("MD_ tag")));
    assert!(invalid.iter().any(|p| p.contains("beyond the end")));
    let notices = report.summary().notices;
    assert_eq!(notices, 2, "{}", render_text(&report));

    // Without its metadata LV, every volume is reported and the scan still ends.
    fs::remove_file(&metadata).unwrap();
    let storage = collect_storage(&[block_source(domain, &lvs, &metadata, None)]).unwrap();
    let report = compare(
        &storage,
        &engine_of(&[(domain, DomainRole::Data)], &volumes),
    );
    assert!(kinds(&report).iter().any(
        |k| matches!(k, FindingKind::Unreadable { message, .. } if message.contains("metadata LV"))
    ));

    // Not lvs JSON at all.
    fs::write(&lvs, b"  LV   VG   Attr\n").unwrap();
    assert!(collect_storage(&[block_source(domain, &lvs, &metadata, None)]).is_err());
}

#[test]
fn vdsm_dumps_in_both_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let domain = StorageDomainId(numbered(1, 8));
    let volumes: Vec<Vol> = (1..=3)
        .map(|n| {
            Vol::new(
                domain,
                DiskId(numbered(2, n)),
                VolumeId(numbered(3, n)),
                4 << 30,
            )
        })
        .collect();
    let engine = engine_of(&[(domain, DomainRole::Data)], &volumes);
    let pairs: Vec<(VolumeId, VolumeMetadata)> = volumes
        .iter()
        .map(|v| (v.id, v.meta(MetaVersion::V5)))
        .collect();

    // dump-volume-chains -o json, named after its domain.
    let chains = tmp.path().join(format!("{domain}.json"));
    fs::write(&chains, discrepancies::dump::chains_json(&pairs)).unwrap();
    let source = StorageSource::Dump {
        path: chains.clone(),
        domain: None,
    };
    let report = compare(&collect_storage(&[source]).unwrap(), &engine);
    assert!(kinds(&report).is_empty(), "{}", render_text(&report));

    // StorageDomain.dump, with numbers as strings the way old hosts sent them, an INVALID
    // volume and a REMOVED one.
    let mut volumes_json = serde_json::Map::new();
    let chains_value: serde_json::Value =
        serde_json::from_slice(&fs::read(&chains).unwrap()).unwrap();
    for (_, by_volume) in chains_value.as_object().unwrap() {
        for (id, entry) in by_volume.as_object().unwrap() {
            let mut entry = entry.clone();
            entry["capacity"] = serde_json::Value::String(entry["capacity"].to_string());
            volumes_json.insert(id.clone(), entry);
        }
    }
    volumes_json.insert(
        numbered(3, 20).to_string(),
        serde_json::json!({"status": "INVALID", "image": numbered(2, 20).to_string()}),
    );
    volumes_json.insert(
        numbered(3, 21).to_string(),
        serde_json::json!({"status": "REMOVED", "image": numbered(2, 21).to_string()}),
    );
    let dump = serde_json::json!({"metadata": {"uuid": domain.to_string(), "class": "Data"}, "volumes": volumes_json});
    let dump_path = tmp.path().join("dump.json");
    fs::write(&dump_path, dump.to_string()).unwrap();
    let storage = collect_storage(&[StorageSource::Dump {
        path: dump_path.clone(),
        domain: None,
    }])
    .unwrap();
    assert_eq!(storage.domains[0].id, domain);
    assert_eq!(storage.domains[0].removed.len(), 1);
    let report = compare(&storage, &engine);
    let found = kinds(&report);
    assert!(found.iter().any(|k| matches!(k, FindingKind::InvalidMetadata { volume, .. } if *volume == VolumeId(numbered(3, 20)))));
    assert!(found.iter().any(|k| matches!(k, FindingKind::OnlyOnStorage { volume, .. } if *volume == VolumeId(numbered(3, 20)))));

    // Bad dumps are errors of the source, not panics.
    for bad in [
        &b"[1, 2]"[..],
        b"{\"volumes\": 3}",
        b"{\"x\": 3}",
        b"{trunc",
    ] {
        fs::write(&dump_path, bad).unwrap();
        assert!(collect_storage(&[StorageSource::Dump {
            path: dump_path.clone(),
            domain: Some(domain)
        }])
        .is_err());
    }
    let unnamed = tmp.path().join("chains.json");
    fs::write(&unnamed, discrepancies::dump::chains_json(&pairs)).unwrap();
    assert!(collect_storage(&[StorageSource::Dump {
        path: unnamed,
        domain: None
    }])
    .is_err());
}

// ----- --confirm -----------------------------------------------------------------------------

#[test]
fn confirm_keeps_only_what_both_collections_found() {
    let tmp = tempfile::tempdir().unwrap();
    let (domain, volumes, dir) = one_domain_fixture(tmp.path());
    let mut engine_side = volumes.clone();
    engine_side[0].capacity += 512;
    engine_side[1].capacity += 512;
    let first = compare(
        &scan(&[&dir]),
        &engine_of(&[(domain, DomainRole::Data)], &engine_side),
    );
    // Between the two collections an operation finished on one volume and began on another.
    engine_side[1].capacity = volumes[1].capacity;
    engine_side[2].format = VolumeFormat::Cow;
    let second = compare(
        &scan(&[&dir]),
        &engine_of(&[(domain, DomainRole::Data)], &engine_side),
    );
    let confirmed = confirm(&first, &second);
    assert!(confirmed.confirmed);
    assert_eq!(confirmed.transient, 2);
    let found = kinds(&confirmed);
    assert_eq!(found.len(), 1);
    assert!(
        matches!(found[0], FindingKind::Attribute { volume, attribute: Attribute::Capacity, .. } if *volume == volumes[0].id)
    );
    assert_eq!(confirmed.summary().transient, 2);
}

// ----- The engine database -------------------------------------------------------------------

/// The test server's settings, from OVIRT_UPGRADE_TEST_PG.
fn test_server() -> PgConfig {
    let text = std::env::var("OVIRT_UPGRADE_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "OVIRT_UPGRADE_TEST_PG is not set. These tests read a real PostgreSQL server: run \
             `export OVIRT_UPGRADE_TEST_PG=\"$(scripts/postgres-test-server)\"` from the repository \
             root first (it installs PostgreSQL if needed and starts a test server)."
        )
    });
    text.parse().unwrap_or_else(|e| {
        panic!("OVIRT_UPGRADE_TEST_PG=`{text}` is not a connection string: {e}")
    })
}

/// A fresh database on the test server, dropped again at the end.
struct TestDb {
    admin: postgres::Client,
    name: String,
    config: PgConfig,
}

impl TestDb {
    fn new(label: &str) -> TestDb {
        let server = test_server();
        let mut admin = server.connect(postgres::NoTls).unwrap_or_else(|e| {
            panic!("cannot reach the test PostgreSQL server ({e}); start it with scripts/postgres-test-server")
        });
        let name = format!("disc_{}_{label}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut config = server.clone();
        config.dbname(&name);
        TestDb {
            admin,
            name,
            config,
        }
    }

    fn client(&self) -> postgres::Client {
        self.config.connect(postgres::NoTls).unwrap()
    }

    fn source(&self) -> DbSource {
        DbSource::new(self.config.clone())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// The engine tables this tool reads, with the engine's column types and defaults.
const ENGINE_SCHEMA: &str = "
CREATE TABLE storage_domain_static (
    id uuid PRIMARY KEY,
    storage varchar(250) NOT NULL,
    storage_name varchar(250) NOT NULL,
    storage_domain_type integer,
    storage_type integer NOT NULL,
    storage_domain_format_type varchar(50) DEFAULT '0'
);
CREATE TABLE base_disks (
    disk_id uuid PRIMARY KEY,
    disk_alias varchar(255),
    disk_description varchar(500),
    shareable boolean DEFAULT false,
    disk_storage_type smallint,
    disk_content_type smallint NOT NULL DEFAULT 0
);
CREATE TABLE images (
    image_guid uuid PRIMARY KEY,
    creation_date timestamp with time zone NOT NULL DEFAULT now(),
    size bigint NOT NULL,
    it_guid uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    parentid uuid,
    imagestatus integer DEFAULT 0,
    lastmodified timestamp with time zone,
    vm_snapshot_id uuid,
    volume_type integer NOT NULL DEFAULT 2,
    volume_format integer NOT NULL DEFAULT 4,
    image_group_id uuid,
    active boolean NOT NULL DEFAULT false,
    volume_classification smallint,
    qcow_compat integer DEFAULT 0
);
CREATE TABLE image_storage_domain_map (
    image_id uuid NOT NULL REFERENCES images (image_guid) ON DELETE CASCADE,
    storage_domain_id uuid NOT NULL REFERENCES storage_domain_static (id) ON DELETE CASCADE,
    quota_id uuid,
    disk_profile_id uuid,
    PRIMARY KEY (image_id, storage_domain_id)
);
";

fn load_engine(
    client: &mut postgres::Client,
    domains: &[(StorageDomainId, &str, i32)],
    volumes: &[Vol],
) {
    client.batch_execute(ENGINE_SCHEMA).unwrap();
    for (id, name, kind) in domains {
        client
            .execute(
                "INSERT INTO storage_domain_static (id, storage, storage_name, storage_domain_type, storage_type, storage_domain_format_type) \
                 VALUES ($1::text::uuid, $2, $3, $4, 1, '5')",
                &[&id.to_string(), &format!("{id}-connection"), name, kind],
            )
            .unwrap();
    }
    let mut disks_seen = std::collections::BTreeSet::new();
    for v in volumes {
        if disks_seen.insert(v.image) {
            client
                .execute(
                    "INSERT INTO base_disks (disk_id, disk_alias, disk_content_type) VALUES ($1::text::uuid, $2, $3)",
                    &[&v.image.to_string(), &format!("disk-{}", &v.image.to_string()[..8]), &(v.content.db_value() as i16)],
                )
                .unwrap();
        }
        let parent = v.parent.map_or_else(
            || "00000000-0000-0000-0000-000000000000".to_owned(),
            |p| p.to_string(),
        );
        let volume_type: i32 = match v.allocation {
            Allocation::Preallocated => 1,
            Allocation::Sparse => 2,
        };
        let volume_format: i32 = match v.format {
            VolumeFormat::Cow => 4,
            VolumeFormat::Raw => 5,
        };
        client
            .execute(
                "INSERT INTO images (image_guid, size, parentid, imagestatus, volume_type, volume_format, image_group_id, active) \
                 VALUES ($1::text::uuid, $2, $3::text::uuid, 1, $4, $5, $6::text::uuid, $7)",
                &[&v.id.to_string(), &(v.capacity as i64), &parent, &volume_type, &volume_format, &v.image.to_string(), &(v.voltype == VolType::Leaf)],
            )
            .unwrap();
        client
            .execute(
                "INSERT INTO image_storage_domain_map (image_id, storage_domain_id) VALUES ($1::text::uuid, $2::text::uuid)",
                &[&v.id.to_string(), &v.domain.to_string()],
            )
            .unwrap();
    }
}

#[test]
fn the_guide_sample_is_reproduced_byte_for_byte_from_the_engine_database() {
    let db = TestDb::new("sample");
    let (_, in_engine) = sample_volumes();
    load_engine(
        &mut db.client(),
        &[
            (sd(SAMPLE_SD1), "data1", 0),
            (sd(SAMPLE_SD2), "data2", 1),
            (StorageDomainId(numbered(1, 40)), "iso", 2),
        ],
        &in_engine,
    );
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = write_sample_storage(tmp.path());
    let mut source = db.source();
    let engine = source.collect().unwrap();
    assert!(engine.problems.is_empty(), "{:?}", engine.problems);
    assert_eq!(
        engine.domain(sd(SAMPLE_SD1)).unwrap().role,
        Some(DomainRole::Data)
    );
    assert_eq!(
        engine
            .domain(StorageDomainId(numbered(1, 40)))
            .unwrap()
            .role,
        Some(DomainRole::Iso)
    );
    let report = compare(&scan(&[&first, &second]), &engine);
    assert_eq!(render_text(&report), GUIDE_SAMPLE);
    // The engine view from the database is the one the inventory gives.
    let from_inventory = view_of_inventory(&sample_inventory(&in_engine));
    for domain in &from_inventory.domains {
        let from_db = engine.domain(domain.id).unwrap();
        let strip = |v: &EngineVolume| EngineVolume {
            alias: String::new(),
            ..v.clone()
        };
        assert_eq!(
            from_db.volumes.iter().map(strip).collect::<Vec<_>>(),
            domain.volumes.iter().map(strip).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_engine_database_with_planted_discrepancies() {
    let db = TestDb::new("planted");
    let domain = StorageDomainId(numbered(1, 30));
    let template_image = DiskId(numbered(2, 30));
    let mut template = Vol::new(domain, template_image, VolumeId(numbered(3, 30)), 10 << 30);
    template.voltype = VolType::Shared;
    let mut volumes = vec![template.clone()];
    for n in 1..=5 {
        let mut thin = Vol::new(
            domain,
            DiskId(numbered(2, n)),
            VolumeId(numbered(3, n)),
            10 << 30,
        );
        thin.parent = Some(template.id);
        thin.format = VolumeFormat::Cow;
        thin.allocation = Allocation::Sparse;
        volumes.push(thin);
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = write_file_domain(tmp.path(), domain, DomainRole::Data, &volumes);
    for thin in &volumes[1..] {
        let target = dir
            .join("images")
            .join(thin.image.to_string())
            .join(format!("{}.meta", template.id));
        fs::hard_link(meta_path(&dir, &template), target).unwrap();
    }
    let mut in_db = volumes.clone();
    in_db[1].content = DiskType::Memd;
    in_db[2].allocation = Allocation::Preallocated;
    in_db.remove(3);
    load_engine(&mut db.client(), &[(domain, "data", 1)], &in_db);
    let engine = db.source().collect().unwrap();
    let report = compare(&scan(&[&dir]), &engine);
    let text = render_text(&report);
    assert!(
        text.contains(&format!(
            "image {} has a different attribute disktype on storage(DATA) and on DB(MEMD)",
            volumes[1].id
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "image {} has a different attribute type on storage(SPARSE) and on DB(PREALLOCATED)",
        volumes[2].id
    )));
    assert!(text.contains(&format!(
        "image {} of disk {} is on storage but not on DB",
        volumes[3].id, volumes[3].image
    )));
    assert_eq!(report.summary().discrepancies, 3, "{text}");
}

#[test]
fn a_database_without_the_expected_tables_is_reported_not_fatal() {
    // No table at all.
    let db = TestDb::new("empty");
    let engine = db.source().collect().unwrap();
    assert!(engine.domains.is_empty());
    let subjects: Vec<&str> = engine.problems.iter().map(|p| p.subject.as_str()).collect();
    assert_eq!(
        subjects,
        vec![
            "table storage_domain_static",
            "table images",
            "table image_storage_domain_map"
        ]
    );
    assert!(engine.problems[1].message.contains("no such table"));
    let tmp = tempfile::tempdir().unwrap();
    let (_, _, dir) = one_domain_fixture(tmp.path());
    let report = compare(&scan(&[&dir]), &engine);
    assert!(report.has_discrepancies());
    let text = render_text(&report);
    assert!(text.contains("\n\n Reading the engine's records\n    table storage_domain_static: there is no such table"), "{text}");
    assert!(text.contains("\n    table images: there is no such table (is this the engine database?); no volume could be read\n"));

    // An older engine: no base_disks, no storage_domain_static, a bad row.
    let db = TestDb::new("partial");
    let (domain, volumes, _) = one_domain_fixture(tempfile::tempdir().unwrap().path());
    let mut client = db.client();
    load_engine(&mut client, &[(domain, "data", 1)], &volumes);
    client
        .batch_execute(
            "ALTER TABLE image_storage_domain_map DROP CONSTRAINT image_storage_domain_map_storage_domain_id_fkey;
             DROP TABLE base_disks; DROP TABLE storage_domain_static;
             UPDATE images SET size = -1 WHERE size = 1073741824;",
        )
        .unwrap();
    let engine = db.source().collect().unwrap();
    let domain_view = engine.domain(domain).unwrap();
    assert_eq!(domain_view.role, None);
    assert_eq!(domain_view.volumes.len(), 5);
    assert!(domain_view.volumes.iter().all(|v| v.content.is_none()));
    let messages: Vec<String> = engine
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.subject, p.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("table base_disks: there is no such table")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("its size is missing or negative")),
        "{messages:?}"
    );

    // A table with the right name but not the engine's columns.
    let db = TestDb::new("columns");
    db.client()
        .batch_execute("CREATE TABLE images (image_guid uuid, size bigint)")
        .unwrap();
    let engine = db.source().collect().unwrap();
    assert!(engine.problems.iter().any(|p| p.subject == "table images"
        && p.message
            .contains("lacks the columns image_group_id, parentid")));
}

#[test]
fn an_unreachable_database_is_an_error_of_the_source() {
    let mut config = test_server();
    config.dbname("ovirt_upgrade_no_such_database");
    let error = DbSource::new(config).collect().unwrap_err();
    assert!(error.message.contains("cannot connect"), "{error}");
    assert!(error.to_string().contains("ovirt_upgrade_no_such_database"));
}
