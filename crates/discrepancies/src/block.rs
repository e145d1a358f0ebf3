//! Block storage domains (iSCSI, FC): one LVM volume group per domain, named by its UUID.
//!
//! Each volume is an LV named by the volume's UUID, tagged `IU_<image>`, `PU_<parent>` and
//! `MD_<slot>`; its metadata lives in the `metadata` LV at that slot. The input is the JSON of
//! `lvs --reportformat json -o vg_name,lv_name,lv_tags,lv_size` and, per volume group, a path to
//! the metadata LV (the device `/dev/<vg>/metadata`, or a copy of it in a file).

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use model::{DiskId, StorageDomainId, VolumeId};
use serde::Serialize;

use crate::file::REMOVED_PREFIX;
use crate::storage::{
    fold_volumes, DomainScan, RemovedImage, ScanKind, ScanProblem, StorageError, StorageVolume,
};
use crate::vocab::looks_like_uuid;
use crate::volmeta::{self, MetadataError, METADATA_SIZE};

/// LVs of a block domain that are not volumes.
pub const SPECIAL_LVS: [&str; 7] = [
    "metadata", "leases", "ids", "inbox", "outbox", "xleases", "master",
];

/// Tag vdsm puts on an LV while it creates the volume; such LVs are skipped, as vdsm does.
pub const INITIALIZING_TAG: &str = "OVIRT_VOL_INITIALIZING";

/// Where a slot's metadata starts in the metadata LV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlotLayout {
    /// Domains up to v4: `slot × 512`, slots 0–3 reserved.
    V4,
    /// Domains v5: `1 MiB + slot × 8 KiB`, slot 0 reserved.
    V5,
}

impl SlotLayout {
    pub fn offset(self, slot: u64) -> u64 {
        match self {
            SlotLayout::V4 => slot * 512,
            SlotLayout::V5 => (1 << 20) + slot * 8192,
        }
    }

    pub fn first_slot(self) -> u64 {
        match self {
            SlotLayout::V4 => 4,
            SlotLayout::V5 => 1,
        }
    }

    /// The layout of a domain format version (`VERSION=` / `MDT_VERSION`).
    pub fn for_version(version: u8) -> SlotLayout {
        if version >= 5 {
            SlotLayout::V5
        } else {
            SlotLayout::V4
        }
    }
}

/// One LV row of the `lvs` report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LvRow {
    pub vg: String,
    pub name: String,
    pub tags: Vec<String>,
    /// Size in bytes, when the report gave it exactly (`--units b`).
    pub size: Option<u64>,
}

/// Reads the rows of `lvs --reportformat json` (every report of the output).
pub fn parse_lvs(bytes: &[u8]) -> Result<Vec<LvRow>, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let reports = value
        .get("report")
        .and_then(|r| r.as_array())
        .ok_or("there is no \"report\" array: was lvs run with --reportformat json?")?;
    let mut rows = Vec::new();
    for report in reports {
        let Some(lvs) = report.get("lv").and_then(|l| l.as_array()) else {
            continue;
        };
        for lv in lvs {
            let field = |name: &str| lv.get(name).and_then(|v| v.as_str()).unwrap_or("");
            let (vg, name) = (field("vg_name"), field("lv_name"));
            if vg.is_empty() || name.is_empty() {
                return Err(format!(
                    "an LV entry lacks vg_name or lv_name: {lv} (run lvs with -o vg_name,lv_name,lv_tags,lv_size)"
                ));
            }
            rows.push(LvRow {
                vg: vg.to_owned(),
                name: name.to_owned(),
                tags: field("lv_tags")
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                size: parse_exact_size(field("lv_size")),
            });
        }
    }
    Ok(rows)
}

/// `1073741824B` or `1073741824` (lvs `--units b`); human sizes such as `1.00g` are not exact.
fn parse_exact_size(text: &str) -> Option<u64> {
    text.trim_end_matches(['B', 'b']).parse().ok()
}

/// How to read the block domains of an `lvs` report.
#[derive(Debug, Clone, Default)]
pub struct BlockOptions {
    /// The metadata LV of each volume group; `/dev/<vg>/metadata` when not given.
    pub metadata_paths: BTreeMap<String, PathBuf>,
    /// The slot layout; found from the metadata itself when not given.
    pub layout: Option<SlotLayout>,
}

impl BlockOptions {
    fn metadata_path(&self, vg: &str) -> PathBuf {
        self.metadata_paths
            .get(vg)
            .cloned()
            .unwrap_or_else(|| Path::new("/dev").join(vg).join("metadata"))
    }
}

/// Reads every storage domain in an `lvs` report: volume groups named by a UUID that have a
/// `metadata` LV or volume tags. `source` names the report in messages.
pub fn scan(
    lvs_json: &[u8],
    source: &Path,
    options: &BlockOptions,
) -> Result<Vec<DomainScan>, StorageError> {
    let rows = parse_lvs(lvs_json).map_err(|message| StorageError::BadJson {
        path: source.to_owned(),
        message,
    })?;
    let mut groups: BTreeMap<&str, Vec<&LvRow>> = BTreeMap::new();
    for row in &rows {
        groups.entry(row.vg.as_str()).or_default().push(row);
    }
    let mut scans = Vec::new();
    for (vg, lvs) in groups {
        let Ok(id) = vg.parse() else { continue };
        let is_domain = looks_like_uuid(vg)
            && lvs
                .iter()
                .any(|lv| lv.name == "metadata" || lv.tags.iter().any(|t| t.starts_with("IU_")));
        if is_domain {
            scans.push(scan_group(StorageDomainId(id), &lvs, options));
        }
    }
    Ok(scans)
}

/// A volume LV and what its tags say.
struct TaggedLv<'a> {
    id: VolumeId,
    row: &'a LvRow,
    image: Option<DiskId>,
    removed: bool,
    parent: Option<VolumeId>,
    slot: Option<u64>,
}

fn scan_group(id: StorageDomainId, lvs: &[&LvRow], options: &BlockOptions) -> DomainScan {
    let vg = &lvs[0].vg;
    let path = options.metadata_path(vg);
    let mut scan = DomainScan::new(id, ScanKind::Block, format!("volume group {vg}"));
    let mut tagged = Vec::new();
    for row in lvs {
        if SPECIAL_LVS.contains(&row.name.as_str()) {
            continue;
        }
        let Some(volume) = row.name.parse().ok().filter(|_| looks_like_uuid(&row.name)) else {
            continue;
        };
        let volume = VolumeId(volume);
        if row.tags.iter().any(|t| t == INITIALIZING_TAG) {
            scan.initializing.push(volume);
            continue;
        }
        let tag = |prefix: &str| row.tags.iter().find_map(|t| t.strip_prefix(prefix));
        let (removed, image) = match tag("IU_") {
            Some(value) => match value.strip_prefix(REMOVED_PREFIX) {
                Some(rest) => (true, rest.parse().ok().map(DiskId)),
                None => (false, value.parse().ok().map(DiskId)),
            },
            None => (false, None),
        };
        tagged.push(TaggedLv {
            id: volume,
            row,
            image,
            removed,
            parent: tag("PU_")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p != model::Uuid::NIL)
                .map(VolumeId),
            slot: tag("MD_").and_then(|s| s.parse().ok()),
        });
    }

    let file = match File::open(&path) {
        Ok(file) => Some(file),
        Err(error) => {
            scan.problems.push(ScanProblem::new(
                path.display().to_string(),
                format!("cannot open the metadata LV: {error}"),
            ));
            None
        }
    };
    let read_slot = |layout: SlotLayout, slot: u64| -> Result<Vec<u8>, MetadataError> {
        let Some(file) = &file else {
            return Err(MetadataError::Unreadable {
                message: format!("the metadata LV {} cannot be opened", path.display()),
            });
        };
        let mut buffer = vec![0u8; METADATA_SIZE];
        file.read_exact_at(&mut buffer, layout.offset(slot))
            .map_err(|error| MetadataError::Unreadable {
                message: if error.kind() == std::io::ErrorKind::UnexpectedEof {
                    format!("slot {slot} lies beyond the end of the metadata LV")
                } else {
                    error.to_string()
                },
            })?;
        Ok(buffer)
    };
    let layout = options.layout.unwrap_or_else(|| {
        let found = detect_layout(&tagged, &read_slot);
        if found.is_none() && file.is_some() && !tagged.is_empty() {
            scan.problems.push(ScanProblem::new(
                path.display().to_string(),
                "no volume's metadata was found at the slot offsets of either version; reading it as version 5",
            ));
        }
        found.unwrap_or(SlotLayout::V5)
    });

    let mut found = Vec::new();
    let mut removed: BTreeMap<DiskId, Vec<VolumeId>> = BTreeMap::new();
    for lv in &tagged {
        if lv.removed {
            if let Some(image) = lv.image {
                removed.entry(image).or_default().push(lv.id);
            }
            continue;
        }
        let location = match lv.slot {
            Some(slot) => format!("{} slot {slot} ({})", path.display(), lv.row.name),
            None => format!("LV {}/{}", lv.row.vg, lv.row.name),
        };
        let metadata = match lv.slot {
            None => Err(MetadataError::MissingKey { key: "MD_ tag" }),
            Some(slot) if slot < layout.first_slot() => Err(MetadataError::BadValue {
                key: "MD_ tag",
                value: format!("{slot} (a reserved slot)"),
            }),
            Some(slot) => read_slot(layout, slot).and_then(|bytes| volmeta::parse(&bytes)),
        };
        found.push((
            StorageVolume {
                id: lv.id,
                found_in: lv.image.into_iter().collect(),
                location,
                tag_parent: lv.parent,
                metadata,
            },
            0,
        ));
    }
    scan.volumes = fold_volumes(found, &mut scan.problems);
    scan.removed = removed
        .into_iter()
        .map(|(image, mut volumes)| {
            volumes.sort();
            RemovedImage {
                image,
                volumes,
                location: format!("volume group {vg}, tag IU_{REMOVED_PREFIX}{image}"),
            }
        })
        .collect();
    scan.initializing.sort();
    scan
}

/// Finds the slot layout by reading a few volumes' slots at both offsets: the layout under
/// which a slot holds metadata naming the LV's own image wins.
fn detect_layout(
    tagged: &[TaggedLv<'_>],
    read_slot: &dyn Fn(SlotLayout, u64) -> Result<Vec<u8>, MetadataError>,
) -> Option<SlotLayout> {
    let mut score = [0u32; 2];
    for lv in tagged.iter().filter(|lv| lv.slot.is_some()).take(16) {
        let slot = lv.slot.unwrap_or_default();
        for (i, layout) in [SlotLayout::V4, SlotLayout::V5].into_iter().enumerate() {
            if slot < layout.first_slot() {
                continue;
            }
            if let Ok(meta) = read_slot(layout, slot).and_then(|b| volmeta::parse(&b)) {
                if !matches!(lv.image, Some(image) if image != meta.image) {
                    score[i] += 1;
                }
            }
        }
    }
    match score {
        [0, 0] => None,
        [v4, v5] if v4 > v5 => Some(SlotLayout::V4),
        _ => Some(SlotLayout::V5),
    }
}

/// Writes a block domain the way vdsm lays it out: returns the `lvs` rows and the metadata
/// LV's bytes. Used by tests, the simulator and benchmarks.
pub fn layout_domain(
    domain: StorageDomainId,
    layout: SlotLayout,
    volumes: &[volmeta::VolumeMetadata],
    volume_ids: &[VolumeId],
) -> (Vec<LvRow>, Vec<u8>) {
    let vg = domain.to_string();
    let mut rows: Vec<LvRow> = SPECIAL_LVS
        .iter()
        .map(|name| LvRow {
            vg: vg.clone(),
            name: (*name).to_owned(),
            tags: Vec::new(),
            size: Some(128 << 20),
        })
        .collect();
    let first = layout.first_slot();
    let end = layout.offset(first + volumes.len() as u64);
    let mut bytes = vec![0u8; end as usize];
    for (n, (meta, id)) in volumes.iter().zip(volume_ids).enumerate() {
        let slot = first + n as u64;
        let text = meta.to_text();
        let offset = layout.offset(slot) as usize;
        let len = text.len().min(METADATA_SIZE);
        bytes[offset..offset + len].copy_from_slice(&text.as_bytes()[..len]);
        let parent = meta
            .parent
            .map_or_else(|| crate::vocab::BLANK_UUID.to_owned(), |p| p.to_string());
        rows.push(LvRow {
            vg: vg.clone(),
            name: id.to_string(),
            tags: vec![
                format!("IU_{}", meta.image),
                format!("MD_{slot}"),
                format!("PU_{parent}"),
            ],
            size: Some(meta.capacity),
        });
    }
    (rows, bytes)
}

/// The JSON `lvs --reportformat json -o vg_name,lv_name,lv_tags,lv_size --units b` prints.
pub fn lvs_json(rows: &[LvRow]) -> String {
    let lv: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!({
                "vg_name": row.vg,
                "lv_name": row.name,
                "lv_tags": row.tags.join(","),
                "lv_size": row.size.map_or_else(String::new, |s| format!("{s}B")),
            })
        })
        .collect();
    let report = serde_json::json!({ "report": [ { "lv": lv } ] });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_offsets_of_both_versions() {
        assert_eq!(SlotLayout::V4.offset(4), 2048);
        assert_eq!(SlotLayout::V5.offset(1), (1 << 20) + 8192);
        assert_eq!(SlotLayout::for_version(4), SlotLayout::V4);
        assert_eq!(SlotLayout::for_version(5), SlotLayout::V5);
    }

    #[test]
    fn lvs_report_rows() {
        let json = br#"{"report":[{"lv":[{"vg_name":"vg","lv_name":"lv","lv_tags":"IU_a,MD_4","lv_size":"1.00g"}]}]}"#;
        let rows = parse_lvs(json).unwrap();
        assert_eq!(rows[0].tags, vec!["IU_a", "MD_4"]);
        assert_eq!(rows[0].size, None);
        assert_eq!(parse_exact_size("1073741824B"), Some(1 << 30));
        assert!(parse_lvs(b"{}").is_err());
        assert!(parse_lvs(br#"{"report":[{"lv":[{"lv_name":"x"}]}]}"#).is_err());
    }
}
