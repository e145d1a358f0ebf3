//! Scan speed of a file storage domain against a plain read of its metadata files.
//!
//! ```text
//! cargo run --release -p discrepancies --example scan_bench [-- VOLUMES]
//! ```
//!
//! Writes a file domain of VOLUMES volumes (default 500,000: 100,000 disks of 5 volumes, one
//! `.meta` file each, about 2 GB of 4 KiB blocks) in the temporary directory, then times in the
//! same run, three times each, alternately:
//!
//! - `find DIR -name '*.meta' | xargs cat > /dev/null`, the raw read;
//! - `discrepancies::file::scan`, which lists, reads and parses every file;
//! - the comparison of that scan with an engine view of the same volumes.
//!
//! and prints volumes per second. The tree is deleted afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use discrepancies::engine::{EngineDomain, EngineView, EngineVolume};
use discrepancies::vocab::{DiskType, EngineStatus, StorageLegality, VolType};
use discrepancies::volmeta::{MetaVersion, VolumeMetadata};
use discrepancies::{compare, file, StorageView};
use model::{Allocation, DiskId, StorageDomainId, Uuid, VolumeFormat, VolumeId};

const VOLUMES_PER_DISK: usize = 5;
const ROUNDS: usize = 3;

/// Removes the tree however the run ends.
struct TempTree(PathBuf);

impl Drop for TempTree {
    fn drop(&mut self) {
        let started = Instant::now();
        if std::fs::remove_dir_all(&self.0).is_ok() {
            eprintln!(
                "removed {} in {:.1} s",
                self.0.display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
}

fn id(kind: u128, n: usize) -> Uuid {
    Uuid::from_random_bits(
        (kind << 100) ^ (n as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
    )
}

fn main() {
    let volumes: usize = match std::env::args().nth(1) {
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("usage: scan_bench [VOLUMES]");
            std::process::exit(2)
        }),
        None => 500_000,
    };
    let disks = volumes.div_ceil(VOLUMES_PER_DISK);
    let root = TempTree(
        std::env::temp_dir().join(format!("ovirt-upgrade-scan-bench-{}", std::process::id())),
    );
    let domain = StorageDomainId(id(1, 0));
    let domain_dir = root.0.join(domain.to_string());

    let started = Instant::now();
    let engine = write_tree(&domain_dir, domain, disks, volumes);
    println!(
        "wrote {volumes} volumes in {disks} image directories under {} in {:.1} s",
        domain_dir.display(),
        started.elapsed().as_secs_f64()
    );

    let raw_command = format!(
        "find {} -name '*.meta' | xargs cat > /dev/null",
        domain_dir.display()
    );
    let mut raw = Vec::new();
    let mut scan = Vec::new();
    let mut comparison = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let status = Command::new("sh")
            .arg("-c")
            .arg(&raw_command)
            .status()
            .expect("sh runs");
        assert!(status.success(), "{raw_command} failed");
        raw.push(started.elapsed());

        let started = Instant::now();
        let scans = file::scan(&domain_dir).expect("the domain is readable");
        scan.push(started.elapsed());
        assert_eq!(scans[0].volumes.len(), volumes);
        assert!(scans[0].problems.is_empty());

        let storage = StorageView { domains: scans };
        let started = Instant::now();
        let report = compare(&storage, &engine);
        comparison.push(started.elapsed());
        assert!(!report.has_discrepancies());
    }

    let best = |times: &[Duration]| times.iter().min().copied().unwrap_or_default();
    let rate = |time: Duration| volumes as f64 / time.as_secs_f64().max(1e-9);
    let show = |name: &str, times: &[Duration]| {
        let all: Vec<String> = times
            .iter()
            .map(|t| format!("{:.2}", t.as_secs_f64()))
            .collect();
        println!(
            "{name:<34} best {:>6.2} s  {:>10.0} volumes/s   (runs: {} s)",
            best(times).as_secs_f64(),
            rate(best(times)),
            all.join(", ")
        );
    };
    println!(
        "{} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    show("raw read (find | xargs cat)", &raw);
    show("scan (list, read, parse)", &scan);
    show("compare with the engine view", &comparison);
    let ratio = best(&scan).as_secs_f64() / best(&raw).as_secs_f64().max(1e-9);
    println!(
        "scan / raw read = {ratio:.2} (target: at most 2.00) {}",
        if ratio <= 2.0 { "ok" } else { "OVER TARGET" }
    );
}

/// Writes the domain and returns the engine view that agrees with it.
fn write_tree(dir: &Path, domain: StorageDomainId, disks: usize, volumes: usize) -> EngineView {
    std::fs::create_dir_all(dir.join("dom_md")).expect("temporary directory is writable");
    let fields: BTreeMap<String, String> = [
        ("CLASS", "Data"),
        ("SDUUID", &*domain.to_string()),
        ("VERSION", "5"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    std::fs::write(
        dir.join("dom_md/metadata"),
        discrepancies::dommeta::to_text(&fields),
    )
    .expect("write");

    let mut engine_volumes = Vec::with_capacity(volumes);
    let mut plan: Vec<(DiskId, Vec<(VolumeId, VolumeMetadata)>)> = Vec::with_capacity(disks);
    for d in 0..disks {
        let image = DiskId(id(2, d));
        let mut chain = Vec::new();
        let mut parent = None;
        let count = VOLUMES_PER_DISK.min(volumes - d * VOLUMES_PER_DISK);
        for k in 0..count {
            let volume = VolumeId(id(3, d * VOLUMES_PER_DISK + k));
            let capacity = ((d % 200) as u64 + 1) << 30;
            let meta = VolumeMetadata {
                version: MetaVersion::V5,
                capacity,
                image,
                parent,
                domain,
                format: if k == 0 {
                    VolumeFormat::Raw
                } else {
                    VolumeFormat::Cow
                },
                allocation: Some(if k == 0 {
                    Allocation::Preallocated
                } else {
                    Allocation::Sparse
                }),
                legality: StorageLegality::Legal,
                disk_type: DiskType::Data,
                disk_type_text: "DATA".to_owned(),
                voltype: if k + 1 == count {
                    VolType::Leaf
                } else {
                    VolType::Internal
                },
                ctime: 1_700_000_000 + d as u64,
                generation: 0,
                sequence: Some(0),
                description: format!("{{\"DiskAlias\":\"vm{d}_Disk1\",\"DiskDescription\":\"\"}}"),
            };
            engine_volumes.push(EngineVolume {
                id: volume,
                image,
                parent,
                capacity,
                format: Some(meta.format),
                allocation: meta.allocation,
                status: Some(EngineStatus::Ok),
                content: Some(DiskType::Data),
                alias: String::new(),
            });
            chain.push((volume, meta));
            parent = Some(volume);
        }
        plan.push((image, chain));
    }
    let images = dir.join("images");
    std::fs::create_dir_all(&images).expect("write");
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let chunk = plan.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        for part in plan.chunks(chunk) {
            let images = &images;
            s.spawn(move || {
                for (image, chain) in part {
                    let image_dir = images.join(image.to_string());
                    std::fs::create_dir(&image_dir).expect("write");
                    for (volume, meta) in chain {
                        std::fs::write(image_dir.join(format!("{volume}.meta")), meta.to_text())
                            .expect("write");
                    }
                }
            });
        }
    });
    EngineView::new(
        vec![EngineDomain {
            id: domain,
            name: "bench".to_owned(),
            role: Some(model::DomainRole::Data),
            volumes: engine_volumes,
        }],
        Vec::new(),
    )
}
