//! The simulated storage side: writes the file-domain trees an inventory describes, with
//! discrepancies planted on purpose, so that the comparison can be shown end to end. The same
//! inventory and seed give the same tree, byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use model::rng::Rng;
use model::{
    Allocation, DiskId, DomainRole, Inventory, Legality, StorageDomain, StorageDomainId,
    StorageType, Uuid, VolumeFormat, VolumeId,
};
use serde::Serialize;

use crate::chain::ChainRule;
use crate::dommeta;
use crate::file::REMOVED_PREFIX;
use crate::report::{Attribute, FindingKind, Report, Side};
use crate::vocab::{self, DiskType, StorageLegality, VolType, ISO_IMAGE_UUID};
use crate::volmeta::{MetaVersion, VolumeMetadata};

/// The kinds of discrepancy the simulator plants, each found by a different rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantKind {
    Capacity,
    Image,
    Parent,
    Format,
    Allocation,
    ContentType,
    Legality,
    OnlyOnStorage,
    OnlyInEngine,
    InvalidMetadata,
    DuplicateParent,
    NoBaseVolume,
    Loop,
    Orphan,
    RemovedImage,
    Role,
    BrokenSeal,
}

impl PlantKind {
    pub const ALL: [PlantKind; 17] = [
        PlantKind::Capacity,
        PlantKind::Image,
        PlantKind::Parent,
        PlantKind::Format,
        PlantKind::Allocation,
        PlantKind::ContentType,
        PlantKind::Legality,
        PlantKind::OnlyOnStorage,
        PlantKind::OnlyInEngine,
        PlantKind::InvalidMetadata,
        PlantKind::DuplicateParent,
        PlantKind::NoBaseVolume,
        PlantKind::Loop,
        PlantKind::Orphan,
        PlantKind::RemovedImage,
        PlantKind::Role,
        PlantKind::BrokenSeal,
    ];

    /// The kind's name, as in `planted.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlantKind::Capacity => "capacity",
            PlantKind::Image => "image",
            PlantKind::Parent => "parent",
            PlantKind::Format => "format",
            PlantKind::Allocation => "allocation",
            PlantKind::ContentType => "content_type",
            PlantKind::Legality => "legality",
            PlantKind::OnlyOnStorage => "only_on_storage",
            PlantKind::OnlyInEngine => "only_in_engine",
            PlantKind::InvalidMetadata => "invalid_metadata",
            PlantKind::DuplicateParent => "duplicate_parent",
            PlantKind::NoBaseVolume => "no_base_volume",
            PlantKind::Loop => "loop",
            PlantKind::Orphan => "orphan",
            PlantKind::RemovedImage => "removed_image",
            PlantKind::Role => "role",
            PlantKind::BrokenSeal => "broken_seal",
        }
    }

    fn is_domain_level(self) -> bool {
        matches!(self, PlantKind::Role | PlantKind::BrokenSeal)
    }
}

/// One planted discrepancy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plant {
    pub kind: PlantKind,
    pub domain: StorageDomainId,
    /// The disk concerned (not for domain-level plants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<DiskId>,
    /// The volume concerned, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeId>,
    /// What was done, for people.
    pub detail: String,
}

impl Plant {
    /// Whether `report` has the finding this plant must cause.
    pub fn is_found_in(&self, report: &Report) -> bool {
        let Some(domain) = report.domains.iter().find(|d| d.id == self.domain) else {
            return false;
        };
        domain.findings.iter().any(|f| match (&f.kind, self.kind) {
            (
                FindingKind::Attribute {
                    volume,
                    attribute: a,
                    ..
                },
                kind,
            ) => {
                Some(*volume) == self.volume
                    && match kind {
                        PlantKind::Capacity => *a == Attribute::Capacity,
                        PlantKind::Image => *a == Attribute::Image,
                        PlantKind::Parent => *a == Attribute::Parent,
                        PlantKind::Format => *a == Attribute::Format,
                        PlantKind::Allocation => *a == Attribute::Allocation,
                        PlantKind::ContentType => *a == Attribute::ContentType,
                        PlantKind::Legality => *a == Attribute::Legality,
                        _ => false,
                    }
            }
            (FindingKind::OnlyOnStorage { volume, .. }, PlantKind::OnlyOnStorage)
            | (FindingKind::OnlyInEngine { volume, .. }, PlantKind::OnlyInEngine)
            | (FindingKind::InvalidMetadata { volume, .. }, PlantKind::InvalidMetadata) => {
                Some(*volume) == self.volume
            }
            (
                FindingKind::Chain {
                    image,
                    side: Side::Storage,
                    fault,
                },
                kind,
            ) => {
                Some(*image) == self.image
                    && match kind {
                        PlantKind::DuplicateParent => fault.rule == ChainRule::DuplicateParent,
                        PlantKind::NoBaseVolume => fault.rule == ChainRule::NoBaseVolume,
                        PlantKind::Loop => fault.rule == ChainRule::Loop,
                        PlantKind::Orphan => fault.rule == ChainRule::Orphan,
                        _ => false,
                    }
            }
            (FindingKind::RemovedImage { image, .. }, PlantKind::RemovedImage) => {
                Some(*image) == self.image
            }
            (
                FindingKind::DomainAttribute {
                    attribute: Attribute::Role,
                    ..
                },
                PlantKind::Role,
            )
            | (FindingKind::DomainMetadata { .. }, PlantKind::BrokenSeal) => true,
            _ => false,
        })
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimOutput {
    pub domains: Vec<WrittenDomain>,
    /// Domains the inventory has that are not file domains.
    pub skipped: Vec<SkippedDomain>,
    pub planted: Vec<Plant>,
    /// How many plants were asked for; fewer are planted when the inventory has too few disks.
    pub requested: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenDomain {
    pub id: StorageDomainId,
    pub name: String,
    pub path: PathBuf,
    pub volumes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedDomain {
    pub id: StorageDomainId,
    pub name: String,
    pub reason: String,
}

/// The simulator's choices, all from the project's seeded generator.
struct Choices(Rng);

impl Choices {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.between(0, n.saturating_sub(1) as u64) as usize
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_random_bits(((self.next() as u128) << 64) | self.next() as u128)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A volume file about to be written.
struct SimVolume {
    /// The image directory's name (`_remove_me_` prefixed for a removed image).
    dir: String,
    id: VolumeId,
    meta: VolumeMetadata,
    /// When set, written instead of the metadata (planted bad input).
    raw: Option<Vec<u8>>,
    /// Planted "only in the engine": not written.
    absent: bool,
}

struct SimDomain<'a> {
    sd: &'a StorageDomain,
    fields: BTreeMap<String, String>,
    broken_seal: bool,
    volumes: Vec<SimVolume>,
    /// Indexes into `volumes` by disk, in inventory order.
    disks: Vec<(DiskId, Vec<usize>)>,
    domain_planted: bool,
}

fn is_file_storage(storage: StorageType) -> bool {
    matches!(
        storage,
        StorageType::Nfs | StorageType::Glusterfs | StorageType::Localfs | StorageType::Posixfs
    )
}

fn storage_word(storage: StorageType) -> &'static str {
    match storage {
        StorageType::Nfs => "NFS",
        StorageType::Glusterfs => "GLUSTERFS",
        StorageType::Localfs => "LOCALFS",
        StorageType::Posixfs => "POSIXFS",
        StorageType::Iscsi => "ISCSI",
        StorageType::Fcp => "FCP",
    }
}

/// Writes under `out` one directory per file storage domain of `inventory` (named by its
/// UUID, as under `/rhev/data-center/mnt/<server>/`), then plants `plant` discrepancies chosen
/// by `seed`.
pub fn write_storage(
    inventory: &Inventory,
    out: &Path,
    plant: usize,
    seed: u64,
) -> std::io::Result<SimOutput> {
    let mut rng = Choices(Rng::new(seed));
    let mut skipped = Vec::new();
    let mut domains: Vec<SimDomain<'_>> = Vec::new();
    for sd in &inventory.storage_domains {
        if !is_file_storage(sd.storage) {
            skipped.push(SkippedDomain {
                id: sd.id,
                name: sd.name.clone(),
                reason: format!(
                    "{} is block storage: read it with `lvs` and its metadata LV",
                    storage_word(sd.storage)
                ),
            });
            continue;
        }
        domains.push(sim_domain(inventory, sd));
    }

    let mut planted = Vec::new();
    if !domains.is_empty() {
        let mut kinds = PlantKind::ALL;
        rng.shuffle(&mut kinds);
        // Every (domain, disk) of a data domain, in a seeded order; each plant uses its own disk.
        let mut disks: Vec<(usize, usize)> = domains
            .iter()
            .enumerate()
            .filter(|(_, d)| d.sd.role == DomainRole::Data)
            .flat_map(|(i, d)| (0..d.disks.len()).map(move |k| (i, k)))
            .collect();
        rng.shuffle(&mut disks);
        let mut next_kind = 0;
        let mut failures = 0;
        while planted.len() < plant && failures < kinds.len() {
            let kind = kinds[next_kind % kinds.len()];
            next_kind += 1;
            match plant_one(kind, &mut domains, &mut disks, &mut rng) {
                Some(p) => {
                    failures = 0;
                    planted.push(p);
                }
                None => failures += 1,
            }
        }
    }

    let mut written = Vec::new();
    for domain in &domains {
        written.push(write_domain(domain, out)?);
    }
    Ok(SimOutput {
        domains: written,
        skipped,
        planted,
        requested: plant,
    })
}

fn sim_domain<'a>(inventory: &'a Inventory, sd: &'a StorageDomain) -> SimDomain<'a> {
    let version = sd.format_version.unwrap_or(5);
    let mut fields: BTreeMap<String, String> = [
        ("ALIGNMENT", "1048576".to_owned()),
        ("BLOCK_SIZE", "512".to_owned()),
        ("CLASS", vocab::class_name(sd.role).to_owned()),
        ("DESCRIPTION", sd.name.clone()),
        ("IOOPTIMEOUTSEC", "10".to_owned()),
        ("LEASERETRIES", "3".to_owned()),
        ("LEASETIMESEC", "60".to_owned()),
        ("LOCKPOLICY", String::new()),
        ("LOCKRENEWALINTERVALSEC", "5".to_owned()),
        (
            "POOL_UUID",
            sd.data_center.map_or_else(String::new, |dc| dc.to_string()),
        ),
        (
            "REMOTE_PATH",
            format!("storage.example.com:/exports/{}", sd.name),
        ),
        (
            "ROLE",
            if sd.master { "Master" } else { "Regular" }.to_owned(),
        ),
        ("SDUUID", sd.id.to_string()),
        ("TYPE", storage_word(sd.storage).to_owned()),
        ("VERSION", version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if version < 5 {
        fields.remove("ALIGNMENT");
        fields.remove("BLOCK_SIZE");
    }
    let meta_version = if version >= 5 {
        MetaVersion::V5
    } else {
        MetaVersion::V4
    };
    let mut volumes = Vec::new();
    let mut disks = Vec::new();
    for (n, disk) in inventory
        .disks
        .iter()
        .filter(|d| d.storage_domain == sd.id)
        .enumerate()
    {
        let mut indexes = Vec::new();
        for (k, volume) in disk.volumes.iter().enumerate() {
            let top = k + 1 == disk.volumes.len();
            indexes.push(volumes.len());
            volumes.push(SimVolume {
                dir: disk.id.to_string(),
                id: volume.id,
                meta: VolumeMetadata {
                    version: meta_version,
                    capacity: volume.capacity,
                    image: disk.id,
                    parent: volume.parent,
                    domain: sd.id,
                    format: volume.format,
                    allocation: Some(volume.allocation),
                    legality: match volume.legality {
                        Legality::Legal => StorageLegality::Legal,
                        Legality::Illegal => StorageLegality::Illegal,
                    },
                    disk_type: disk.content_type.into(),
                    disk_type_text: DiskType::from(disk.content_type).as_str().to_owned(),
                    voltype: if top {
                        VolType::Leaf
                    } else {
                        VolType::Internal
                    },
                    ctime: 1_700_000_000 + (n as u64) * 60 + k as u64,
                    generation: 0,
                    sequence: (meta_version == MetaVersion::V5).then_some(0),
                    description: serde_json::json!({
                        "DiskAlias": disk.alias,
                        "DiskDescription": ""
                    })
                    .to_string(),
                },
                raw: None,
                absent: false,
            });
        }
        disks.push((disk.id, indexes));
    }
    SimDomain {
        sd,
        fields,
        broken_seal: false,
        volumes,
        disks,
        domain_planted: false,
    }
}

/// The metadata of a volume a plant adds, in the image of `like`.
fn extra_volume(like: &VolumeMetadata, parent: Option<VolumeId>) -> VolumeMetadata {
    VolumeMetadata {
        parent,
        voltype: VolType::Leaf,
        format: VolumeFormat::Cow,
        allocation: Some(Allocation::Sparse),
        ..like.clone()
    }
}

fn plant_one(
    kind: PlantKind,
    domains: &mut [SimDomain<'_>],
    disks: &mut Vec<(usize, usize)>,
    rng: &mut Choices,
) -> Option<Plant> {
    if kind.is_domain_level() {
        let candidates: Vec<usize> = (0..domains.len())
            .filter(|&i| !domains[i].domain_planted && domains[i].sd.role == DomainRole::Data)
            .collect();
        let index = *candidates.get(rng.below(candidates.len()))?;
        let domain = &mut domains[index];
        domain.domain_planted = true;
        let detail = if kind == PlantKind::Role {
            domain.fields.insert("CLASS".into(), "Iso".into());
            "dom_md/metadata says CLASS=Iso (resealed)".to_owned()
        } else {
            domain.broken_seal = true;
            "dom_md/metadata edited after sealing: _SHA_CKSUM no longer matches".to_owned()
        };
        return Some(Plant {
            kind,
            domain: domain.sd.id,
            image: None,
            volume: None,
            detail,
        });
    }
    let (d, k) = disks.pop()?;
    let domain = &mut domains[d];
    let (image, indexes) = domain.disks[k].clone();
    // The base volume and the top one of the disk.
    let base = indexes[0];
    let top = *indexes.last()?;
    let sd = domain.sd.id;
    let plant = |volume: Option<VolumeId>, detail: String| Plant {
        kind,
        domain: sd,
        image: Some(image),
        volume,
        detail,
    };
    let target = &mut domain.volumes[top];
    let id = target.id;
    let result = match kind {
        PlantKind::Capacity => {
            target.meta.capacity += 2048;
            plant(
                Some(id),
                format!("CAP grown by 2048 bytes to {}", target.meta.capacity),
            )
        }
        PlantKind::Image => {
            let other = DiskId(rng.uuid());
            target.meta.image = other;
            plant(Some(id), format!("IMAGE={other}"))
        }
        PlantKind::Parent => {
            let other = VolumeId(rng.uuid());
            target.meta.parent = Some(other);
            plant(Some(id), format!("PUUID={other}"))
        }
        PlantKind::Format => {
            target.meta.format = match target.meta.format {
                VolumeFormat::Cow => VolumeFormat::Raw,
                VolumeFormat::Raw => VolumeFormat::Cow,
            };
            plant(
                Some(id),
                format!("FORMAT={}", vocab::format_name(target.meta.format)),
            )
        }
        PlantKind::Allocation => {
            let flipped = match target.meta.allocation {
                Some(Allocation::Sparse) => Allocation::Preallocated,
                _ => Allocation::Sparse,
            };
            target.meta.allocation = Some(flipped);
            plant(
                Some(id),
                format!("TYPE={}", vocab::allocation_name(flipped)),
            )
        }
        PlantKind::ContentType => {
            let other = if target.meta.disk_type == DiskType::Data {
                DiskType::Memd
            } else {
                DiskType::Data
            };
            target.meta.disk_type = other;
            target.meta.disk_type_text = other.as_str().to_owned();
            plant(Some(id), format!("DISKTYPE={}", other.as_str()))
        }
        PlantKind::Legality => {
            target.meta.legality = match target.meta.legality {
                StorageLegality::Legal => StorageLegality::Illegal,
                _ => StorageLegality::Legal,
            };
            plant(
                Some(id),
                format!("LEGALITY={}", target.meta.legality.as_str()),
            )
        }
        PlantKind::OnlyInEngine => {
            target.absent = true;
            plant(Some(id), "the volume's files were not written".into())
        }
        PlantKind::InvalidMetadata => {
            let text = target.meta.to_text();
            let (raw, what) = match rng.below(5) {
                0 => (
                    text.as_bytes()[..text.len() / 2].to_vec(),
                    "cut in half (no EOF)",
                ),
                1 => (
                    (0..200).map(|_| (rng.next() & 0xff) as u8).collect(),
                    "200 random bytes",
                ),
                2 => (
                    b"NONE=####################################\nEOF\n".to_vec(),
                    "cleared (NONE=)",
                ),
                3 => (Vec::new(), "empty"),
                _ => (
                    text.replace("CTIME=", "CTIME=yesterday").into_bytes(),
                    "CTIME is not a number",
                ),
            };
            target.raw = Some(raw);
            plant(Some(id), format!("the .meta file is {what}"))
        }
        PlantKind::OnlyOnStorage => {
            let image = DiskId(rng.uuid());
            let volume = VolumeId(rng.uuid());
            let mut meta = extra_volume(&target.meta, None);
            meta.image = image;
            domain.volumes.push(SimVolume {
                dir: image.to_string(),
                id: volume,
                meta,
                raw: None,
                absent: false,
            });
            Plant {
                kind,
                domain: sd,
                image: Some(image),
                volume: Some(volume),
                detail: "a disk the engine does not know".into(),
            }
        }
        PlantKind::RemovedImage => {
            let image = DiskId(rng.uuid());
            let volume = VolumeId(rng.uuid());
            let mut meta = extra_volume(&target.meta, None);
            meta.image = image;
            domain.volumes.push(SimVolume {
                dir: format!("{REMOVED_PREFIX}{image}"),
                id: volume,
                meta,
                raw: None,
                absent: false,
            });
            Plant {
                kind,
                domain: sd,
                image: Some(image),
                volume: Some(volume),
                detail: "an image directory vdsm was deleting".into(),
            }
        }
        PlantKind::DuplicateParent | PlantKind::Loop | PlantKind::Orphan => {
            let volume = VolumeId(rng.uuid());
            let dir = target.dir.clone();
            let like = target.meta.clone();
            let (parent, detail) = match kind {
                PlantKind::DuplicateParent => (
                    like.parent,
                    format!("volume {volume} added beside {id} with the same parent"),
                ),
                PlantKind::Loop => (
                    Some(id),
                    format!("volume {volume} added on top of {id}, and {id}'s parent set to it"),
                ),
                _ => {
                    let missing = VolumeId(rng.uuid());
                    (
                        Some(missing),
                        format!(
                            "volume {volume} added with the parent {missing}, which does not exist"
                        ),
                    )
                }
            };
            if kind == PlantKind::Loop {
                target.meta.parent = Some(volume);
            }
            domain.volumes.push(SimVolume {
                dir,
                id: volume,
                meta: extra_volume(&like, parent),
                raw: None,
                absent: false,
            });
            plant(Some(volume), detail)
        }
        PlantKind::NoBaseVolume => {
            let base_volume = &mut domain.volumes[base];
            let other = VolumeId(rng.uuid());
            base_volume.meta.parent = Some(other);
            Plant {
                kind,
                domain: sd,
                image: Some(image),
                volume: Some(base_volume.id),
                detail: format!("the base volume's PUUID set to {other}, which does not exist"),
            }
        }
        PlantKind::Role | PlantKind::BrokenSeal => return None,
    };
    Some(result)
}

fn write_domain(domain: &SimDomain<'_>, out: &Path) -> std::io::Result<WrittenDomain> {
    let root = out.join(domain.sd.id.to_string());
    let dom_md = root.join("dom_md");
    fs::create_dir_all(&dom_md)?;
    let mut metadata = dommeta::to_text(&domain.fields);
    if domain.broken_seal {
        metadata = metadata.replace("DESCRIPTION=", "DESCRIPTION=edited ");
    }
    fs::write(dom_md.join("metadata"), metadata)?;
    for name in ["ids", "leases", "inbox", "outbox"] {
        fs::write(dom_md.join(name), b"")?;
    }
    let images = root.join("images");
    fs::create_dir_all(&images)?;
    if domain.sd.role == DomainRole::Iso {
        let iso = images.join(ISO_IMAGE_UUID);
        fs::create_dir_all(&iso)?;
        fs::write(iso.join("virtio-win.iso"), b"")?;
    }
    if domain.sd.role == DomainRole::Export {
        fs::create_dir_all(root.join("master").join("vms"))?;
    }
    let mut count = 0;
    for volume in &domain.volumes {
        if volume.absent {
            continue;
        }
        let dir = images.join(&volume.dir);
        fs::create_dir_all(&dir)?;
        let name = volume.id.to_string();
        let meta = match &volume.raw {
            Some(raw) => raw.clone(),
            None => volume.meta.to_text().into_bytes(),
        };
        fs::write(dir.join(format!("{name}.meta")), meta)?;
        fs::write(dir.join(&name), b"")?;
        fs::write(dir.join(format!("{name}.lease")), b"")?;
        count += 1;
    }
    Ok(WrittenDomain {
        id: domain.sd.id,
        name: domain.sd.name.clone(),
        path: root,
        volumes: count,
    })
}
