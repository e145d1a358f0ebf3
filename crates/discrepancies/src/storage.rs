//! What the storage side says: one [`DomainScan`] per storage domain, whichever reader made it
//! (a mounted file domain, `lvs` output with the metadata LV, or a vdsm dump).

use std::path::PathBuf;

use model::{DiskId, StorageDomainId, VolumeId};
use serde::Serialize;

use crate::dommeta::{DomainMetadata, DomainMetadataError};
use crate::volmeta::{MetadataError, VolumeMetadata};

/// Where a domain scan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    /// A mounted file domain (NFS, POSIX, Gluster, local).
    File,
    /// A block domain (iSCSI, FC): `lvs` tags and the metadata LV.
    Block,
    /// vdsm's own dump (`vdsm-tool dump-volume-chains -o json`, `StorageDomain.dump`).
    Dump,
}

/// One storage domain as its storage shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainScan {
    pub id: StorageDomainId,
    pub kind: ScanKind,
    /// The directory, file or volume group read.
    pub source: String,
    /// The domain's own metadata; `None` when the source does not carry it (block tags,
    /// dumps without a `metadata` section).
    pub metadata: Option<Result<DomainMetadata, DomainMetadataError>>,
    /// The role the source states when it has no domain metadata (a dump's `class`).
    pub stated_role: Option<model::DomainRole>,
    /// Every volume found, once each, sorted by id.
    pub volumes: Vec<StorageVolume>,
    /// Images being deleted (`_remove_me_<image>`): garbage vdsm has not finished removing.
    pub removed: Vec<RemovedImage>,
    /// Volumes skipped because vdsm is still creating them (`OVIRT_VOL_INITIALIZING`).
    pub initializing: Vec<VolumeId>,
    /// What could not be read: the scan went on without it.
    pub problems: Vec<ScanProblem>,
}

impl DomainScan {
    pub fn new(id: StorageDomainId, kind: ScanKind, source: String) -> DomainScan {
        DomainScan {
            id,
            kind,
            source,
            metadata: None,
            stated_role: None,
            volumes: Vec::new(),
            removed: Vec::new(),
            initializing: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The role the storage itself states: `CLASS` of the domain metadata, or the dump's class.
    pub fn role(&self) -> Option<model::DomainRole> {
        match &self.metadata {
            Some(Ok(meta)) => meta.role.or(self.stated_role),
            _ => self.stated_role,
        }
    }

    pub fn volume(&self, id: VolumeId) -> Option<&StorageVolume> {
        self.volumes
            .binary_search_by_key(&id, |v| v.id)
            .ok()
            .map(|i| &self.volumes[i])
    }
}

/// One volume on storage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorageVolume {
    pub id: VolumeId,
    /// The images it was found under: its image directory (several for a template volume
    /// hard-linked into the disks made from it), its `IU_` tag, or its dump entry.
    pub found_in: Vec<DiskId>,
    /// Its metadata file, or the slot of the metadata LV.
    pub location: String,
    /// Its parent according to the LV's `PU_` tag (block domains).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_parent: Option<VolumeId>,
    pub metadata: Result<VolumeMetadata, MetadataError>,
}

impl StorageVolume {
    /// The image the volume belongs to: its metadata's `IMAGE`, else where it was found.
    pub fn image(&self) -> Option<DiskId> {
        match &self.metadata {
            Ok(meta) => Some(meta.image),
            Err(_) => self.found_in.first().copied(),
        }
    }
}

/// An image vdsm was deleting (`_remove_me_` prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedImage {
    pub image: DiskId,
    pub volumes: Vec<VolumeId>,
    pub location: String,
}

/// Something on storage that could not be read; the rest of the scan goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanProblem {
    /// The file, directory or slot.
    pub location: String,
    pub message: String,
}

impl ScanProblem {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> ScanProblem {
        ScanProblem {
            location: location.into(),
            message: message.into(),
        }
    }
}

/// Why a storage source could not be read at all (as opposed to a file or slot inside it).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a storage domain: it has neither dom_md/ nor images/, nor domain directories named by UUID")]
    NotADomain { path: PathBuf },
    #[error("cannot tell the storage domain of {path}: {hint}")]
    UnknownDomain { path: PathBuf, hint: String },
    #[error("{path} is not the JSON expected: {message}")]
    BadJson { path: PathBuf, message: String },
}

/// Every domain the storage side showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StorageView {
    pub domains: Vec<DomainScan>,
}

impl StorageView {
    /// Adds scans, merging a domain seen twice (two sources naming the same domain) into one
    /// entry with a problem saying so.
    pub fn add(&mut self, scans: Vec<DomainScan>) {
        for scan in scans {
            match self.domains.iter_mut().find(|d| d.id == scan.id) {
                Some(existing) => existing.problems.push(ScanProblem::new(
                    scan.source,
                    format!(
                        "storage domain {} was already read from {}; this copy was not used",
                        scan.id, existing.source
                    ),
                )),
                None => self.domains.push(scan),
            }
        }
        self.domains.sort_by_key(|d| d.id);
    }
}

/// Sorts volumes by id and folds repeated ids. Each sighting comes with its inode (0 when the
/// source has none): two sightings with the same inode are one volume hard-linked into several
/// images; otherwise the later one is reported as a problem.
pub(crate) fn fold_volumes(
    mut found: Vec<(StorageVolume, u64)>,
    problems: &mut Vec<ScanProblem>,
) -> Vec<StorageVolume> {
    found.sort_by(|a, b| {
        a.0.id
            .cmp(&b.0.id)
            .then_with(|| a.0.location.cmp(&b.0.location))
    });
    let mut volumes: Vec<StorageVolume> = Vec::with_capacity(found.len());
    let mut last_inode = 0;
    for (volume, inode) in found {
        match volumes.last_mut() {
            Some(previous) if previous.id == volume.id => {
                if inode != 0 && inode == last_inode {
                    previous.found_in.extend(volume.found_in);
                } else {
                    let message = if inode == 0 {
                        format!(
                            "volume {} is listed twice; the other entry is {}",
                            volume.id, previous.location
                        )
                    } else {
                        format!(
                            "volume {} is also at {}, and the two are different files",
                            volume.id, previous.location
                        )
                    };
                    problems.push(ScanProblem::new(volume.location, message));
                }
            }
            _ => {
                last_inode = inode;
                volumes.push(volume);
            }
        }
    }
    volumes
}
