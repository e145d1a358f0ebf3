//! vdsm's own dumps of a domain's volumes:
//!
//! - `vdsm-tool dump-volume-chains <sd> -o json`: `{image: {volume: VolumeDump}}`;
//! - `vdsm-client StorageDomain dump sd_id=<sd>`: `{"metadata": {...}, "volumes": {volume: VolumeDump}}`.
//!
//! A `VolumeDump` has `status` (`OK`, `INVALID`, `REMOVED`), `capacity`, `parent`, `image`,
//! `format`, `type`, `legality`, `disktype`, `voltype`, `ctime`, `generation`, `description` and
//! sizes; numbers may come as JSON numbers or, from older hosts, as strings.

use std::collections::BTreeMap;
use std::path::Path;

use model::{DiskId, StorageDomainId, Uuid, VolumeId};
use serde_json::{Map, Value};

use crate::storage::{
    fold_volumes, DomainScan, RemovedImage, ScanKind, ScanProblem, StorageError, StorageVolume,
};
use crate::vocab::{self, DiskType, StorageLegality, VolType};
use crate::volmeta::{MetaVersion, MetadataError, VolumeMetadata};

/// Reads a dump. The domain is `domain` when given, else the dump's `metadata.uuid`, else the
/// file's name when it is a UUID (`<sd_uuid>.json`).
pub fn read(
    bytes: &[u8],
    path: &Path,
    domain: Option<StorageDomainId>,
) -> Result<DomainScan, StorageError> {
    let bad = |message: String| StorageError::BadJson {
        path: path.to_owned(),
        message,
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    let Value::Object(top) = value else {
        return Err(bad("the top level is not an object".into()));
    };
    let metadata = top.get("metadata").and_then(Value::as_object);
    let stated = metadata
        .and_then(|m| m.get("uuid"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .map(StorageDomainId);
    let from_name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.parse().ok())
        .map(StorageDomainId);
    let id = domain
        .or(stated)
        .or(from_name)
        .ok_or_else(|| StorageError::UnknownDomain {
            path: path.to_owned(),
            hint: "give it as SD_UUID=FILE, or name the file <sd_uuid>.json".into(),
        })?;
    let mut scan = DomainScan::new(id, ScanKind::Dump, path.display().to_string());
    scan.stated_role = metadata
        .and_then(|m| m.get("class"))
        .and_then(Value::as_str)
        .and_then(vocab::parse_class);
    if let (Some(stated), Some(domain)) = (stated, domain) {
        if stated != domain {
            scan.problems.push(ScanProblem::new(
                path.display().to_string(),
                format!("the dump says it is of storage domain {stated}, not {domain}"),
            ));
        }
    }

    // (volume, the image key it was listed under, its dump entry)
    let mut entries: Vec<(String, Option<String>, &Map<String, Value>)> = Vec::new();
    let not_object = |key: &str| bad(format!("the entry for {key} is not an object"));
    match top.get("volumes") {
        Some(Value::Object(volumes)) => {
            for (volume, entry) in volumes {
                let entry = entry.as_object().ok_or_else(|| not_object(volume))?;
                entries.push((volume.clone(), None, entry));
            }
        }
        Some(_) => return Err(bad("\"volumes\" is not an object".into())),
        None => {
            for (image, volumes) in &top {
                let volumes = volumes.as_object().ok_or_else(|| not_object(image))?;
                for (volume, entry) in volumes {
                    let entry = entry.as_object().ok_or_else(|| not_object(volume))?;
                    entries.push((volume.clone(), Some(image.clone()), entry));
                }
            }
        }
    }

    let mut found = Vec::new();
    let mut removed: BTreeMap<DiskId, Vec<VolumeId>> = BTreeMap::new();
    for (volume, listed_under, entry) in entries {
        let location = format!("{} volume {volume}", path.display());
        let Ok(id) = volume.parse::<Uuid>() else {
            scan.problems.push(ScanProblem::new(
                location,
                format!("`{volume}` is not a volume UUID"),
            ));
            continue;
        };
        let id = VolumeId(id);
        let text = |key: &str| entry.get(key).and_then(Value::as_str);
        let listed = listed_under
            .as_deref()
            .and_then(|i| i.parse().ok())
            .map(DiskId);
        let image = listed.or_else(|| text("image").and_then(|i| i.parse().ok()).map(DiskId));
        match text("status") {
            Some("REMOVED") => {
                if let Some(image) = image {
                    removed.entry(image).or_default().push(id);
                }
                continue;
            }
            Some("INVALID") => {
                found.push((
                    StorageVolume {
                        id,
                        found_in: image.into_iter().collect(),
                        location,
                        tag_parent: None,
                        metadata: Err(MetadataError::BadValue {
                            key: "status",
                            value: "INVALID (vdsm could not read the metadata)".into(),
                        }),
                    },
                    0,
                ));
                continue;
            }
            _ => {}
        }
        found.push((
            StorageVolume {
                id,
                found_in: image.into_iter().collect(),
                location,
                tag_parent: None,
                metadata: volume_from_dump(entry, scan.id),
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
                location: format!("{} (status REMOVED)", path.display()),
            }
        })
        .collect();
    Ok(scan)
}

fn volume_from_dump(
    entry: &Map<String, Value>,
    domain: StorageDomainId,
) -> Result<VolumeMetadata, MetadataError> {
    let text = |key: &'static str| -> Result<&str, MetadataError> {
        entry
            .get(key)
            .and_then(Value::as_str)
            .ok_or(MetadataError::MissingKey { key })
    };
    let number = |key: &'static str| -> Result<Option<u64>, MetadataError> {
        match entry.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(MetadataError::NotANumber {
                key,
                value: n.to_string(),
            }),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|_| MetadataError::NotANumber {
                key,
                value: s.clone(),
            }),
            Some(other) => Err(MetadataError::NotANumber {
                key,
                value: other.to_string(),
            }),
        }
    };
    let bad = |key: &'static str, value: &str| MetadataError::BadValue {
        key,
        value: value.to_owned(),
    };
    let uuid = |key: &'static str| -> Result<Uuid, MetadataError> {
        let value = text(key)?;
        value.parse().map_err(|_| bad(key, value))
    };
    let capacity = number("capacity")?.ok_or(MetadataError::MissingKey { key: "capacity" })?;
    let parent = uuid("parent")?;
    let allocation_text = text("type")?;
    let disk_type_text = text("disktype")?;
    Ok(VolumeMetadata {
        version: MetaVersion::V5,
        capacity,
        image: DiskId(uuid("image")?),
        parent: (parent != Uuid::NIL).then_some(VolumeId(parent)),
        domain,
        format: {
            let value = text("format")?;
            vocab::parse_format(value).ok_or_else(|| bad("format", value))?
        },
        allocation: vocab::parse_allocation(allocation_text)
            .ok_or_else(|| bad("type", allocation_text))?,
        legality: {
            let value = text("legality")?;
            StorageLegality::parse(value).ok_or_else(|| bad("legality", value))?
        },
        disk_type: DiskType::parse(disk_type_text)
            .ok_or_else(|| bad("disktype", disk_type_text))?,
        disk_type_text: disk_type_text.to_owned(),
        voltype: {
            let value = text("voltype")?;
            VolType::parse(value).ok_or_else(|| bad("voltype", value))?
        },
        ctime: number("ctime")?.unwrap_or(0),
        generation: number("generation")?.unwrap_or(0),
        sequence: number("sequence")?,
        description: entry
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    })
}

/// A dump in `dump-volume-chains -o json` form for `volumes`, each under its own image.
pub fn chains_json(volumes: &[(VolumeId, VolumeMetadata)]) -> String {
    let mut top: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for (id, meta) in volumes {
        let parent = meta
            .parent
            .map_or_else(|| vocab::BLANK_UUID.to_owned(), |p| p.to_string());
        top.entry(meta.image.to_string()).or_default().insert(
            id.to_string(),
            serde_json::json!({
                "status": "OK",
                "capacity": meta.capacity,
                "parent": parent,
                "image": meta.image.to_string(),
                "format": vocab::format_name(meta.format),
                "type": meta.allocation.map_or("UNKNOWN", vocab::allocation_name),
                "legality": meta.legality.as_str(),
                "disktype": meta.disk_type_text,
                "voltype": meta.voltype.as_str(),
                "ctime": meta.ctime,
                "generation": meta.generation,
                "description": meta.description,
                "truesize": 0,
                "apparentsize": 0,
            }),
        );
    }
    serde_json::to_string_pretty(&top).unwrap_or_default()
}
