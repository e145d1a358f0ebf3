//! The comparison: storage against the engine, domain by domain. Pure: values in, a report out.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use model::{DiskId, DomainRole, VolumeId};

use crate::chain;
use crate::dommeta::Seal;
use crate::engine::{EngineDomain, EngineView};
use crate::report::{Attribute, DomainReport, Finding, FindingKind, Report, Side};
use crate::storage::{DomainScan, StorageView};
use crate::vocab::{self, EngineStatus, VolType, BLANK_UUID};

/// Compares every scanned domain with the engine's records of it.
pub fn compare(storage: &StorageView, engine: &EngineView) -> Report {
    let domains: Vec<DomainReport> = storage
        .domains
        .iter()
        .map(|scan| compare_domain(scan, engine))
        .collect();
    let scanned: BTreeSet<_> = storage.domains.iter().map(|d| d.id).collect();
    let not_scanned = engine
        .domains
        .iter()
        .filter(|d| d.role == Some(DomainRole::Data) && !scanned.contains(&d.id))
        .map(|d| d.id)
        .collect();
    Report {
        domains,
        engine_problems: engine.problems.clone(),
        not_scanned,
        confirmed: false,
        transient: 0,
    }
}

/// Keeps the findings of `second` that `first` also had, exactly: what changed between two
/// collections was an operation in flight, not a discrepancy. Counts the others as transient.
pub fn confirm(first: &Report, second: &Report) -> Report {
    let mut confirmed = second.clone();
    confirmed.confirmed = true;
    let mut transient = 0;
    for domain in &mut confirmed.domains {
        let before: HashSet<&Finding> = first
            .domains
            .iter()
            .find(|d| d.id == domain.id)
            .map(|d| d.findings.iter().collect())
            .unwrap_or_default();
        let after: HashSet<Finding> = domain.findings.iter().cloned().collect();
        transient += before.iter().filter(|f| !after.contains(**f)).count();
        let total = domain.findings.len();
        domain.findings.retain(|f| before.contains(f));
        transient += total - domain.findings.len();
    }
    transient += first
        .domains
        .iter()
        .filter(|d| !second.domains.iter().any(|s| s.id == d.id))
        .map(|d| d.findings.len())
        .sum::<usize>();
    confirmed.transient = transient;
    confirmed
}

fn compare_domain(scan: &DomainScan, engine: &EngineView) -> DomainReport {
    let recorded = engine.domain(scan.id);
    let role = recorded.and_then(|d| d.role).or_else(|| scan.role());
    let safe = matches!(role, Some(DomainRole::Iso | DomainRole::Export));
    let finding = |kind| Finding::new(kind, safe);
    let mut findings = Vec::new();

    match &scan.metadata {
        Some(Err(error)) => findings.push(finding(FindingKind::DomainMetadata {
            problem: error.to_string(),
        })),
        Some(Ok(meta)) => {
            if let Seal::Broken { recorded, computed } = &meta.seal {
                findings.push(finding(FindingKind::DomainMetadata {
                    problem: format!(
                        "its seal is broken (_SHA_CKSUM={recorded}, the content gives {computed}); vdsm refuses such metadata"
                    ),
                }));
            }
        }
        None => {}
    }
    if let (Some(on_storage), Some(in_engine)) = (scan.role(), recorded.and_then(|d| d.role)) {
        if on_storage != in_engine {
            findings.push(finding(FindingKind::DomainAttribute {
                attribute: Attribute::Role,
                storage: vocab::class_name(on_storage).to_owned(),
                engine: vocab::class_name(in_engine).to_owned(),
            }));
        }
    }

    let engine_chains = recorded.map(engine_chains).unwrap_or_default();
    let storage_chains = storage_chains(scan);
    let position = |image: DiskId, volume: VolumeId| {
        engine_chains
            .get(&image)
            .or_else(|| storage_chains.get(&image))
            .and_then(|check| check.order.iter().position(|v| *v == volume))
            .unwrap_or(usize::MAX)
    };

    let mut missing = Vec::new();
    let mut attributes = Vec::new();
    match recorded {
        None => {
            missing.push((
                (DiskId(model::Uuid::NIL), VolumeId(model::Uuid::NIL)),
                finding(FindingKind::DomainNotInEngine {
                    volumes: scan.volumes.len(),
                }),
            ));
        }
        Some(recorded) => {
            for volume in &scan.volumes {
                if recorded.volume(volume.id).is_none() {
                    let image = volume.image();
                    missing.push((
                        (image.unwrap_or(DiskId(model::Uuid::NIL)), volume.id),
                        finding(FindingKind::OnlyOnStorage {
                            volume: volume.id,
                            image,
                            engine_domains: engine
                                .domains_of(volume.id)
                                .filter(|d| *d != scan.id)
                                .collect(),
                        }),
                    ));
                }
            }
            let removing: BTreeSet<VolumeId> = scan
                .removed
                .iter()
                .flat_map(|r| r.volumes.iter().copied())
                .collect();
            for volume in &recorded.volumes {
                let Some(on_storage) = scan.volume(volume.id) else {
                    missing.push((
                        (volume.image, volume.id),
                        finding(FindingKind::OnlyInEngine {
                            volume: volume.id,
                            image: volume.image,
                            being_removed: removing.contains(&volume.id),
                        }),
                    ));
                    continue;
                };
                let Ok(meta) = &on_storage.metadata else {
                    continue;
                };
                let key = (volume.image, position(volume.image, volume.id), volume.id);
                let mut differ = |attribute, storage: String, engine: String| {
                    attributes.push((
                        key,
                        attribute,
                        finding(FindingKind::Attribute {
                            volume: volume.id,
                            attribute,
                            storage,
                            engine,
                        }),
                    ));
                };
                if meta.capacity != volume.capacity {
                    differ(
                        Attribute::Capacity,
                        meta.capacity.to_string(),
                        volume.capacity.to_string(),
                    );
                }
                if meta.image != volume.image {
                    differ(
                        Attribute::Image,
                        meta.image.to_string(),
                        volume.image.to_string(),
                    );
                }
                if meta.parent != volume.parent {
                    let show = |p: Option<VolumeId>| {
                        p.map_or_else(|| BLANK_UUID.to_owned(), |p| p.to_string())
                    };
                    differ(Attribute::Parent, show(meta.parent), show(volume.parent));
                }
                if let Some(format) = volume.format.filter(|f| *f != meta.format) {
                    differ(
                        Attribute::Format,
                        vocab::format_name(meta.format).to_owned(),
                        vocab::format_name(format).to_owned(),
                    );
                }
                if let (Some(on_storage), Some(in_engine)) = (meta.allocation, volume.allocation) {
                    if on_storage != in_engine {
                        differ(
                            Attribute::Allocation,
                            vocab::allocation_name(on_storage).to_owned(),
                            vocab::allocation_name(in_engine).to_owned(),
                        );
                    }
                }
                if let Some(content) = volume.content.filter(|c| *c != meta.disk_type) {
                    differ(
                        Attribute::ContentType,
                        meta.disk_type_text.clone(),
                        content.as_str().to_owned(),
                    );
                }
                match volume.status {
                    Some(EngineStatus::Locked) => attributes.push((
                        key,
                        Attribute::Legality,
                        finding(FindingKind::Locked { volume: volume.id }),
                    )),
                    Some(status) if !status.agrees_with(meta.legality) => differ(
                        Attribute::Legality,
                        meta.legality.as_str().to_owned(),
                        status.as_str().to_owned(),
                    ),
                    _ => {}
                }
            }
            for removed in &scan.removed {
                if removed
                    .volumes
                    .iter()
                    .all(|v| recorded.volume(*v).is_none())
                {
                    missing.push((
                        (removed.image, VolumeId(model::Uuid::NIL)),
                        finding(FindingKind::RemovedImage {
                            image: removed.image,
                            volumes: removed.volumes.clone(),
                            location: removed.location.clone(),
                        }),
                    ));
                }
            }
        }
    }
    missing.sort_by_key(|m| m.0);
    findings.extend(missing.into_iter().map(|(_, f)| f));
    attributes.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    findings.extend(attributes.into_iter().map(|(_, _, f)| f));

    for volume in &scan.volumes {
        if let Err(problem) = &volume.metadata {
            findings.push(finding(FindingKind::InvalidMetadata {
                volume: volume.id,
                location: volume.location.clone(),
                problem: problem.to_string(),
            }));
        }
    }
    for (side, chains) in [
        (Side::Storage, &storage_chains),
        (Side::Engine, &engine_chains),
    ] {
        for (image, check) in chains {
            for fault in &check.faults {
                findings.push(finding(FindingKind::Chain {
                    image: *image,
                    side,
                    fault: fault.clone(),
                }));
            }
        }
    }
    for problem in &scan.problems {
        findings.push(finding(FindingKind::Unreadable {
            location: problem.location.clone(),
            message: problem.message.clone(),
        }));
    }
    for volume in &scan.initializing {
        findings.push(finding(FindingKind::Initializing { volume: *volume }));
    }

    DomainReport {
        id: scan.id,
        name: recorded.map(|d| d.name.clone()).unwrap_or_default(),
        role,
        safe_to_ignore: safe,
        source: scan.source.clone(),
        volumes_on_storage: scan.volumes.len(),
        volumes_in_engine: recorded.map_or(0, |d| d.volumes.len()),
        findings,
    }
}

/// The chain check of every image, with the faults already computed.
type Chains = BTreeMap<DiskId, chain::ChainCheck>;

/// Storage chains, image by image as storage groups them (image directory, `IU_` tag, dump
/// entry). An image with a volume whose metadata is invalid is not checked: that volume is
/// already reported and its parent is unknown.
fn storage_chains(scan: &DomainScan) -> Chains {
    let mut images: BTreeMap<DiskId, Vec<(VolumeId, Option<VolumeId>)>> = BTreeMap::new();
    let mut unknown: BTreeSet<DiskId> = BTreeSet::new();
    for volume in &scan.volumes {
        for image in &volume.found_in {
            match &volume.metadata {
                Ok(meta) => images
                    .entry(*image)
                    .or_default()
                    .push((volume.id, meta.parent)),
                Err(_) => {
                    unknown.insert(*image);
                }
            }
        }
    }
    let is_template = |parent: VolumeId| {
        scan.volume(parent)
            .and_then(|v| v.metadata.as_ref().ok())
            .is_some_and(|m| m.voltype == VolType::Shared)
    };
    images
        .into_iter()
        .filter(|(image, _)| !unknown.contains(image))
        .map(|(image, links)| (image, chain::check(&links, is_template)))
        .collect()
}

/// The engine's chains, disk by disk. A parent in another disk of the domain is a template.
fn engine_chains(domain: &EngineDomain) -> Chains {
    let mut images: BTreeMap<DiskId, Vec<(VolumeId, Option<VolumeId>)>> = BTreeMap::new();
    for volume in &domain.volumes {
        images
            .entry(volume.image)
            .or_default()
            .push((volume.id, volume.parent));
    }
    images
        .into_iter()
        .map(|(image, links)| {
            let check = chain::check(&links, |parent| {
                domain.volume(parent).is_some_and(|p| p.image != image)
            });
            (image, check)
        })
        .collect()
}
