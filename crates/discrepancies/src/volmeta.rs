//! Volume metadata: the `KEY=value` lines vdsm keeps in `<volume>.meta` on file domains and in
//! one slot of the `metadata` LV on block domains.
//!
//! Two versions exist. Domains up to v4 write `SIZE=` (512-byte blocks) and `MTIME=0`; v5
//! domains write `CAP=` (bytes) and, from 4.5, `SEQ=`. Both end with a line `EOF`; on block
//! domains the slot is padded with NUL bytes after it.

use std::fmt::Write as _;

use model::{Allocation, DiskId, StorageDomainId, Uuid, VolumeFormat, VolumeId};
use serde::Serialize;

use crate::vocab::{self, DiskType, StorageLegality, VolType, BLANK_UUID};

/// vdsm's bound on a volume's metadata (`METADATA_SIZE`): one 512-byte block.
pub const METADATA_SIZE: usize = 512;

/// Which layout a volume's metadata uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaVersion {
    /// `SIZE=` in blocks, `MTIME=0`: domains v3 and v4.
    V4,
    /// `CAP=` in bytes, optional `SEQ=`: domains v5.
    V5,
}

/// A volume's metadata, read whole and valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeMetadata {
    pub version: MetaVersion,
    /// Virtual size in bytes (`CAP`, or `SIZE` × 512).
    pub capacity: u64,
    pub image: DiskId,
    /// `PUUID`; `None` when it is the blank UUID (a base volume).
    pub parent: Option<VolumeId>,
    /// `DOMAIN`.
    pub domain: StorageDomainId,
    pub format: VolumeFormat,
    /// `TYPE`; `None` for vdsm's `UNKNOWN`.
    pub allocation: Option<Allocation>,
    pub legality: StorageLegality,
    pub disk_type: DiskType,
    /// The word actually written for `DISKTYPE` (legacy data disks say `2` or `1`).
    pub disk_type_text: String,
    pub voltype: VolType,
    pub ctime: u64,
    pub generation: u64,
    pub sequence: Option<u64>,
    pub description: String,
}

/// Why a volume's metadata cannot be used. vdsm would call the volume `INVALID`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MetadataError {
    #[error("the metadata is empty")]
    Empty,
    #[error("the metadata is not UTF-8 text (byte {offset})")]
    NotText { offset: usize },
    #[error("the metadata has no EOF line: it was cut short")]
    NoEof,
    #[error("the metadata was cleared (a NONE key): the volume was being deleted")]
    Cleared,
    #[error("the metadata has no {key} key")]
    MissingKey { key: &'static str },
    #[error("{key}={value} is not a number")]
    NotANumber { key: &'static str, value: String },
    #[error("{key}={value} is not a value vdsm writes")]
    BadValue { key: &'static str, value: String },
    #[error("the metadata is {size} bytes long; vdsm writes at most {METADATA_SIZE}")]
    TooLarge { size: u64 },
    #[error("the metadata cannot be read: {message}")]
    Unreadable { message: String },
}

/// The keys vdsm always writes, apart from the capacity (`CAP` or `SIZE`).
const REQUIRED: [&str; 9] = [
    "CTIME",
    "DESCRIPTION",
    "DISKTYPE",
    "DOMAIN",
    "FORMAT",
    "IMAGE",
    "LEGALITY",
    "PUUID",
    "VOLTYPE",
];

/// Reads metadata bytes the way vdsm does: lines up to the first one starting with `EOF`,
/// `KEY=value` split at the first `=` and trimmed, lines without `=` skipped. Anything after
/// `EOF` (the NUL padding of a block slot, old garbage) is ignored.
pub fn parse(bytes: &[u8]) -> Result<VolumeMetadata, MetadataError> {
    let content = match bytes.iter().position(|&b| b == 0) {
        // A block slot: content ends where the padding starts.
        Some(end) => &bytes[..end],
        None => bytes,
    };
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(MetadataError::Empty);
    }
    let text = std::str::from_utf8(content).map_err(|e| MetadataError::NotText {
        offset: e.valid_up_to(),
    })?;
    let mut fields: Vec<(&str, &str)> = Vec::with_capacity(16);
    let mut saw_eof = false;
    for line in text.lines() {
        if line.starts_with("EOF") {
            saw_eof = true;
            break;
        }
        if let Some((key, value)) = line.split_once('=') {
            fields.push((key.trim(), value.trim()));
        }
    }
    if fields.iter().any(|(key, _)| *key == "NONE") {
        return Err(MetadataError::Cleared);
    }
    if !saw_eof {
        return Err(MetadataError::NoEof);
    }
    let get = |key: &'static str| {
        fields
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    };
    for key in REQUIRED {
        if get(key).is_none() {
            return Err(MetadataError::MissingKey { key });
        }
    }
    let number = |key: &'static str| -> Result<Option<u64>, MetadataError> {
        get(key)
            .map(|value| {
                value.parse::<u64>().map_err(|_| MetadataError::NotANumber {
                    key,
                    value: value.to_owned(),
                })
            })
            .transpose()
    };
    let (version, capacity) = match (number("CAP")?, number("SIZE")?) {
        (Some(cap), _) => (MetaVersion::V5, cap),
        (None, Some(blocks)) => (
            MetaVersion::V4,
            blocks
                .checked_mul(512)
                .ok_or_else(|| MetadataError::NotANumber {
                    key: "SIZE",
                    value: blocks.to_string(),
                })?,
        ),
        (None, None) => return Err(MetadataError::MissingKey { key: "CAP" }),
    };
    let required = |key: &'static str| get(key).unwrap_or_default();
    let bad = |key: &'static str| MetadataError::BadValue {
        key,
        value: required(key).to_owned(),
    };
    let uuid = |key: &'static str| required(key).parse::<Uuid>().map_err(|_| bad(key));
    let parent = uuid("PUUID")?;
    let disk_type_text = required("DISKTYPE");
    Ok(VolumeMetadata {
        version,
        capacity,
        image: DiskId(uuid("IMAGE")?),
        parent: (parent != Uuid::NIL).then_some(VolumeId(parent)),
        domain: StorageDomainId(uuid("DOMAIN")?),
        format: vocab::parse_format(required("FORMAT")).ok_or_else(|| bad("FORMAT"))?,
        allocation: match get("TYPE") {
            Some(text) => vocab::parse_allocation(text).ok_or_else(|| bad("TYPE"))?,
            None => return Err(MetadataError::MissingKey { key: "TYPE" }),
        },
        legality: StorageLegality::parse(required("LEGALITY")).ok_or_else(|| bad("LEGALITY"))?,
        disk_type: DiskType::parse(disk_type_text).ok_or_else(|| bad("DISKTYPE"))?,
        disk_type_text: disk_type_text.to_owned(),
        voltype: VolType::parse(required("VOLTYPE")).ok_or_else(|| bad("VOLTYPE"))?,
        ctime: number("CTIME")?.unwrap_or_default(),
        generation: number("GEN")?.unwrap_or(0),
        sequence: number("SEQ")?,
        description: required("DESCRIPTION").to_owned(),
    })
}

impl VolumeMetadata {
    /// The metadata as vdsm writes it for its version: keys sorted, then `EOF`.
    pub fn to_text(&self) -> String {
        let parent = self
            .parent
            .map_or_else(|| BLANK_UUID.to_owned(), |p| p.to_string());
        let mut lines: Vec<(&str, String)> = vec![
            ("CTIME", self.ctime.to_string()),
            ("DESCRIPTION", self.description.clone()),
            ("DISKTYPE", self.disk_type_text.clone()),
            ("DOMAIN", self.domain.to_string()),
            ("FORMAT", vocab::format_name(self.format).to_owned()),
            ("GEN", self.generation.to_string()),
            ("IMAGE", self.image.to_string()),
            ("LEGALITY", self.legality.as_str().to_owned()),
            ("PUUID", parent),
            (
                "TYPE",
                self.allocation
                    .map_or("UNKNOWN", vocab::allocation_name)
                    .to_owned(),
            ),
            ("VOLTYPE", self.voltype.as_str().to_owned()),
        ];
        match self.version {
            MetaVersion::V5 => {
                lines.push(("CAP", self.capacity.to_string()));
                if let Some(sequence) = self.sequence {
                    lines.push(("SEQ", sequence.to_string()));
                }
            }
            MetaVersion::V4 => {
                lines.push(("SIZE", self.capacity.div_ceil(512).to_string()));
                lines.push(("MTIME", "0".to_owned()));
            }
        }
        lines.sort_by(|a, b| a.0.cmp(b.0));
        let mut text = String::with_capacity(320);
        for (key, value) in lines {
            let _ = writeln!(text, "{key}={value}");
        }
        text.push_str("EOF\n");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V5: &str = "CAP=1073741824\nCTIME=1461095629\nDESCRIPTION=\nDISKTYPE=DATA\n\
DOMAIN=275766cb-c7d8-43d6-a663-4e52160de620\nFORMAT=RAW\nGEN=0\n\
IMAGE=f0e8b2a4-9e32-4f4b-9b1e-6f3c1d2a5b70\nLEGALITY=LEGAL\n\
PUUID=00000000-0000-0000-0000-000000000000\nSEQ=0\nTYPE=SPARSE\nVOLTYPE=LEAF\nEOF\n";

    #[test]
    fn reads_and_writes_v5() {
        let meta = parse(V5.as_bytes()).unwrap();
        assert_eq!(meta.version, MetaVersion::V5);
        assert_eq!(meta.capacity, 1 << 30);
        assert_eq!(meta.parent, None);
        assert_eq!(meta.format, VolumeFormat::Raw);
        assert_eq!(meta.allocation, Some(Allocation::Sparse));
        assert_eq!(meta.sequence, Some(0));
        assert_eq!(meta.to_text(), V5);
    }

    #[test]
    fn reads_v4_sizes_in_blocks_and_round_trips() {
        let v4 = V5
            .replace("CAP=1073741824\n", "")
            .replace("SEQ=0\n", "")
            .replace("LEGALITY=LEGAL\n", "LEGALITY=LEGAL\nMTIME=0\n")
            .replace("PUUID=", "SIZE=2097152\nPUUID=");
        let meta = parse(v4.as_bytes()).unwrap();
        assert_eq!(meta.version, MetaVersion::V4);
        assert_eq!(meta.capacity, 1 << 30);
        let again = parse(meta.to_text().as_bytes()).unwrap();
        assert_eq!(again, meta);
    }

    #[test]
    fn block_slot_padding_is_ignored() {
        let mut slot = V5.as_bytes().to_vec();
        slot.resize(METADATA_SIZE, 0);
        assert!(parse(&slot).is_ok());
        assert_eq!(parse(&[0u8; 512]), Err(MetadataError::Empty));
    }

    #[test]
    fn bad_metadata_is_named() {
        let cut = &V5[..V5.len() / 2];
        assert_eq!(parse(cut.as_bytes()), Err(MetadataError::NoEof));
        assert_eq!(parse(b"NONE=######\nEOF\n"), Err(MetadataError::Cleared));
        assert_eq!(
            parse(V5.replace("CAP=1073741824", "CAP=big").as_bytes()),
            Err(MetadataError::NotANumber {
                key: "CAP",
                value: "big".into()
            })
        );
        assert_eq!(
            parse(V5.replace("FORMAT=RAW", "FORMAT=QCOW").as_bytes()),
            Err(MetadataError::BadValue {
                key: "FORMAT",
                value: "QCOW".into()
            })
        );
        assert_eq!(
            parse(V5.replace("IMAGE=", "IMAGO=").as_bytes()),
            Err(MetadataError::MissingKey { key: "IMAGE" })
        );
        assert!(matches!(
            parse(&[0xff, 0xfe, b'\n']),
            Err(MetadataError::NotText { offset: 0 })
        ));
        assert_eq!(parse(b"\n\n"), Err(MetadataError::Empty));
    }
}
