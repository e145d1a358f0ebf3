//! File storage domains, read from a mounted domain directory:
//!
//! ```text
//! <sd_uuid>/dom_md/metadata             domain metadata, sealed
//! <sd_uuid>/images/<image>/<volume>.meta  one per volume
//! <sd_uuid>/images/_remove_me_<image>/  an image vdsm is deleting
//! ```
//!
//! Image directories are read by several threads; the result does not depend on their number.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::DirEntryExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use model::{DiskId, StorageDomainId, VolumeId};

use crate::dommeta;
use crate::storage::{
    fold_volumes, DomainScan, RemovedImage, ScanKind, ScanProblem, StorageError, StorageVolume,
};
use crate::vocab::{looks_like_uuid, ISO_IMAGE_UUID};
use crate::volmeta::{self, MetadataError};

/// Prefix vdsm gives an image directory while deleting it.
pub const REMOVED_PREFIX: &str = "_remove_me_";

/// Metadata files longer than this are not read whole; vdsm writes at most 512 bytes.
const READ_LIMIT: usize = 64 * 1024;

/// Reads `path`: a domain directory (it has `dom_md/` or `images/`), or a directory holding
/// domain directories named by their UUID (a mount point such as
/// `/rhev/data-center/mnt/server:_export`).
pub fn scan(path: &Path) -> Result<Vec<DomainScan>, StorageError> {
    let io = |source| StorageError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_dir() {
        return Err(StorageError::NotADomain {
            path: path.to_owned(),
        });
    }
    if is_domain_dir(path) {
        return scan_domain(path).map(|scan| vec![scan]);
    }
    let mut domains = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let child = entry.path();
        if name.to_str().is_some_and(looks_like_uuid) && is_domain_dir(&child) {
            domains.push(scan_domain(&child)?);
        }
    }
    if domains.is_empty() {
        return Err(StorageError::NotADomain {
            path: path.to_owned(),
        });
    }
    domains.sort_by_key(|d| d.id);
    Ok(domains)
}

fn is_domain_dir(path: &Path) -> bool {
    path.join("dom_md").is_dir() || path.join("images").is_dir()
}

/// Reads one domain directory.
pub fn scan_domain(path: &Path) -> Result<DomainScan, StorageError> {
    let display = path.display().to_string();
    let metadata_path = path.join("dom_md").join("metadata");
    let mut problems = Vec::new();
    let metadata = match std::fs::read(&metadata_path) {
        Ok(bytes) => Some(dommeta::parse(&bytes)),
        Err(error) => {
            problems.push(ScanProblem::new(
                metadata_path.display().to_string(),
                format!("cannot read the domain metadata: {error}"),
            ));
            None
        }
    };
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .map(StorageDomainId);
    let recorded = metadata
        .as_ref()
        .and_then(|m| m.as_ref().ok())
        .and_then(|m| m.id);
    let id = match (named, recorded) {
        (Some(named), Some(recorded)) => {
            if named != recorded {
                problems.push(ScanProblem::new(
                    metadata_path.display().to_string(),
                    format!(
                        "the directory is named {named} but its metadata says SDUUID={recorded}"
                    ),
                ));
            }
            named
        }
        (Some(id), None) | (None, Some(id)) => id,
        (None, None) => return Err(StorageError::UnknownDomain {
            path: path.to_owned(),
            hint:
                "name the directory by the domain's UUID, or give it a dom_md/metadata with SDUUID"
                    .into(),
        }),
    };
    let mut scan = DomainScan::new(id, ScanKind::File, display);
    scan.metadata = metadata;
    scan.problems = problems;
    let is_iso = scan.role() == Some(model::DomainRole::Iso);

    let images_path = path.join("images");
    let mut image_dirs: Vec<(DiskId, PathBuf, bool)> = Vec::new();
    match std::fs::read_dir(&images_path) {
        Ok(entries) => {
            for entry in entries {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        scan.problems.push(ScanProblem::new(
                            images_path.display().to_string(),
                            format!("cannot list the images: {error}"),
                        ));
                        break;
                    }
                };
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                let (removed, uuid) = match name.strip_prefix(REMOVED_PREFIX) {
                    Some(rest) => (true, rest),
                    None => (false, name),
                };
                if is_iso && uuid == ISO_IMAGE_UUID {
                    continue;
                }
                if let Ok(image) = uuid.parse() {
                    if looks_like_uuid(uuid) {
                        image_dirs.push((DiskId(image), entry.path(), removed));
                    }
                }
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => scan.problems.push(ScanProblem::new(
            images_path.display().to_string(),
            format!("cannot list the images: {error}"),
        )),
    }
    image_dirs.sort_by(|a, b| a.1.cmp(&b.1));

    let results = read_image_dirs(&image_dirs);
    let mut found = Vec::new();
    for (index, result) in results.into_iter().enumerate() {
        let (image, dir, removed) = &image_dirs[index];
        match result {
            DirResult::Volumes(volumes) if *removed => {
                scan.removed.push(RemovedImage {
                    image: *image,
                    volumes: volumes.iter().map(|(v, _)| v.id).collect(),
                    location: dir.display().to_string(),
                });
            }
            DirResult::Volumes(volumes) => found.extend(volumes),
            DirResult::Unreadable(problem) => scan.problems.push(problem),
        }
    }
    scan.volumes = fold_volumes(found, &mut scan.problems);
    scan.removed.sort_by_key(|r| r.image);
    Ok(scan)
}

enum DirResult {
    Volumes(Vec<(StorageVolume, u64)>),
    Unreadable(ScanProblem),
}

/// Reads every image directory, spreading them over the machine's cores.
fn read_image_dirs(dirs: &[(DiskId, PathBuf, bool)]) -> Vec<DirResult> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(dirs.len().div_ceil(64).max(1));
    if workers == 1 {
        let mut buffer = Vec::with_capacity(4096);
        return dirs
            .iter()
            .map(|(image, dir, _)| read_image_dir(*image, dir, &mut buffer))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, DirResult)>> = Mutex::new(Vec::with_capacity(dirs.len()));
    const BATCH: usize = 32;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut buffer = Vec::with_capacity(4096);
                let mut mine = Vec::new();
                loop {
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= dirs.len() {
                        break;
                    }
                    for (offset, (image, dir, _)) in dirs[start..(start + BATCH).min(dirs.len())]
                        .iter()
                        .enumerate()
                    {
                        mine.push((start + offset, read_image_dir(*image, dir, &mut buffer)));
                    }
                }
                // A poisoned lock means another worker panicked; its panic is re-raised by
                // the scope, so these results are never looked at.
                if let Ok(mut done) = done.lock() {
                    done.extend(mine);
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn read_image_dir(image: DiskId, dir: &Path, buffer: &mut Vec<u8>) -> DirResult {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            return DirResult::Unreadable(ScanProblem::new(
                dir.display().to_string(),
                format!("cannot list the image directory: {error}"),
            ))
        }
    };
    let mut volumes = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                return DirResult::Unreadable(ScanProblem::new(
                    dir.display().to_string(),
                    format!("cannot list the image directory: {error}"),
                ))
            }
        };
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".meta")) else {
            continue;
        };
        if !looks_like_uuid(stem) {
            continue;
        }
        let Ok(id) = stem.parse() else { continue };
        let path = entry.path();
        let metadata = read_limited(&path, buffer).and_then(|()| volmeta::parse(buffer));
        volumes.push((
            StorageVolume {
                id: VolumeId(id),
                found_in: vec![image],
                location: path.display().to_string(),
                tag_parent: None,
                metadata,
            },
            entry.ino(),
        ));
    }
    DirResult::Volumes(volumes)
}

/// Reads a metadata file into `buffer`, refusing files far beyond vdsm's 512 bytes.
fn read_limited(path: &Path, buffer: &mut Vec<u8>) -> Result<(), MetadataError> {
    buffer.clear();
    let unreadable = |error: std::io::Error| MetadataError::Unreadable {
        message: error.to_string(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let read = file
        .take(READ_LIMIT as u64 + 1)
        .read_to_end(buffer)
        .map_err(unreadable)?;
    if read > READ_LIMIT {
        let size = std::fs::metadata(path).map_or(read as u64, |m| m.len());
        return Err(MetadataError::TooLarge { size });
    }
    Ok(())
}
