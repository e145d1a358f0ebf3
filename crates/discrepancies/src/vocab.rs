//! vdsm's and the engine's words for volume attributes, and how they map onto each other.
//!
//! vdsm writes `FORMAT=COW`, `TYPE=SPARSE`, `DISKTYPE=DATA` into volume metadata; the engine
//! database keeps the same facts as numbers (`volume_format` 4, `volume_type` 2,
//! `disk_content_type` 0). Both are read into the enums here, so the comparison compares values
//! rather than spellings, and reports show vdsm's spelling.

use model::{Allocation, ContentType, DomainRole, Legality, VolumeFormat};
use serde::{Deserialize, Serialize};

/// The nil UUID vdsm writes as the parent of a base volume (`PUUID`).
pub const BLANK_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// The image directory under which ISO domains keep their ISO files.
pub const ISO_IMAGE_UUID: &str = "11111111-1111-1111-1111-111111111111";

/// vdsm's name for a volume format.
pub fn format_name(format: VolumeFormat) -> &'static str {
    match format {
        VolumeFormat::Cow => "COW",
        VolumeFormat::Raw => "RAW",
    }
}

pub fn parse_format(text: &str) -> Option<VolumeFormat> {
    match text {
        "COW" => Some(VolumeFormat::Cow),
        "RAW" => Some(VolumeFormat::Raw),
        _ => None,
    }
}

/// vdsm's name for an allocation policy (`TYPE=`).
pub fn allocation_name(allocation: Allocation) -> &'static str {
    match allocation {
        Allocation::Preallocated => "PREALLOCATED",
        Allocation::Sparse => "SPARSE",
    }
}

/// `TYPE=`: `UNKNOWN` is a valid word that says nothing, hence the nested option.
pub fn parse_allocation(text: &str) -> Option<Option<Allocation>> {
    match text {
        "PREALLOCATED" => Some(Some(Allocation::Preallocated)),
        "SPARSE" => Some(Some(Allocation::Sparse)),
        "UNKNOWN" => Some(None),
        _ => None,
    }
}

/// Volume legality as vdsm records it (`LEGALITY=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum StorageLegality {
    Legal,
    Illegal,
    /// A placeholder volume of old export domains; never a usable volume.
    Fake,
}

impl StorageLegality {
    pub fn as_str(self) -> &'static str {
        match self {
            StorageLegality::Legal => "LEGAL",
            StorageLegality::Illegal => "ILLEGAL",
            StorageLegality::Fake => "FAKE",
        }
    }

    pub fn parse(text: &str) -> Option<StorageLegality> {
        match text {
            "LEGAL" => Some(StorageLegality::Legal),
            "ILLEGAL" => Some(StorageLegality::Illegal),
            "FAKE" => Some(StorageLegality::Fake),
            _ => None,
        }
    }
}

/// A volume's status in the engine (`images.imagestatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EngineStatus {
    /// 1: usable.
    Ok,
    /// 2: an operation holds the volume; its attributes may be changing.
    Locked,
    /// 4: the engine knows the volume is broken.
    Illegal,
}

impl EngineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineStatus::Ok => "OK",
            EngineStatus::Locked => "LOCKED",
            EngineStatus::Illegal => "ILLEGAL",
        }
    }

    /// The engine's `ImageStatus` numbers; 0 (unassigned) and unknown numbers give `None`.
    pub fn from_db(value: i64) -> Option<EngineStatus> {
        match value {
            1 => Some(EngineStatus::Ok),
            2 => Some(EngineStatus::Locked),
            4 => Some(EngineStatus::Illegal),
            _ => None,
        }
    }

    /// Whether vdsm's legality says the same as this status. A locked volume agrees with
    /// anything: its legality is in flux until the operation ends.
    pub fn agrees_with(self, legality: StorageLegality) -> bool {
        matches!(
            (self, legality),
            (EngineStatus::Locked, _)
                | (EngineStatus::Ok, StorageLegality::Legal)
                | (EngineStatus::Illegal, StorageLegality::Illegal)
        )
    }
}

impl From<Legality> for EngineStatus {
    fn from(legality: Legality) -> Self {
        match legality {
            Legality::Legal => EngineStatus::Ok,
            Legality::Illegal => EngineStatus::Illegal,
        }
    }
}

/// A volume's place in its chain (`VOLTYPE=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum VolType {
    /// The top of a chain, written by the guest.
    Leaf,
    /// Below the leaf, read only.
    Internal,
    /// A template volume, the base of other disks' chains.
    Shared,
}

impl VolType {
    pub fn as_str(self) -> &'static str {
        match self {
            VolType::Leaf => "LEAF",
            VolType::Internal => "INTERNAL",
            VolType::Shared => "SHARED",
        }
    }

    pub fn parse(text: &str) -> Option<VolType> {
        match text {
            "LEAF" => Some(VolType::Leaf),
            "INTERNAL" => Some(VolType::Internal),
            "SHARED" => Some(VolType::Shared),
            _ => None,
        }
    }
}

/// What a disk holds, in vdsm's words (`DISKTYPE=`) and the engine's numbers
/// (`base_disks.disk_content_type`, enum `DiskContentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum DiskType {
    Data,
    Ovfs,
    Memd,
    Memm,
    Isof,
    Hevd,
    Hesd,
    Hemd,
    Heci,
    Scrd,
}

impl DiskType {
    pub const ALL: [DiskType; 10] = [
        DiskType::Data,
        DiskType::Ovfs,
        DiskType::Memd,
        DiskType::Memm,
        DiskType::Isof,
        DiskType::Hevd,
        DiskType::Hesd,
        DiskType::Hemd,
        DiskType::Heci,
        DiskType::Scrd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiskType::Data => "DATA",
            DiskType::Ovfs => "OVFS",
            DiskType::Memd => "MEMD",
            DiskType::Memm => "MEMM",
            DiskType::Isof => "ISOF",
            DiskType::Hevd => "HEVD",
            DiskType::Hesd => "HESD",
            DiskType::Hemd => "HEMD",
            DiskType::Heci => "HECI",
            DiskType::Scrd => "SCRD",
        }
    }

    /// `DISKTYPE=` as vdsm reads it: engines before 4.2 wrote `2` and virt-v2v wrote `1` for
    /// data disks.
    pub fn parse(text: &str) -> Option<DiskType> {
        match text {
            "2" | "1" => Some(DiskType::Data),
            _ => DiskType::ALL.iter().copied().find(|t| t.as_str() == text),
        }
    }

    /// The engine's `DiskContentType` number.
    pub fn from_db(value: i64) -> Option<DiskType> {
        usize::try_from(value)
            .ok()
            .and_then(|i| DiskType::ALL.get(i).copied())
    }

    /// The number the engine stores for this content type.
    pub fn db_value(self) -> i64 {
        DiskType::ALL.iter().position(|t| *t == self).unwrap_or(0) as i64
    }
}

impl From<ContentType> for DiskType {
    fn from(content: ContentType) -> Self {
        match content {
            ContentType::Data => DiskType::Data,
            ContentType::OvfStore => DiskType::Ovfs,
            ContentType::MemoryDumpVolume => DiskType::Memd,
            ContentType::MemoryMetadataVolume => DiskType::Memm,
            ContentType::Iso => DiskType::Isof,
            ContentType::HostedEngine => DiskType::Hevd,
            ContentType::HostedEngineSanlock => DiskType::Hesd,
            ContentType::HostedEngineMetadata => DiskType::Hemd,
            ContentType::HostedEngineConfiguration => DiskType::Heci,
        }
    }
}

/// A storage domain's class in its own metadata (`CLASS=`): Backup is vdsm's word for an
/// Export domain.
pub fn class_name(role: DomainRole) -> &'static str {
    match role {
        DomainRole::Data => "Data",
        DomainRole::Iso => "Iso",
        DomainRole::Export => "Backup",
    }
}

pub fn parse_class(text: &str) -> Option<DomainRole> {
    match text {
        "Data" => Some(DomainRole::Data),
        "Iso" => Some(DomainRole::Iso),
        "Backup" => Some(DomainRole::Export),
        _ => None,
    }
}

/// The engine's `storage_domain_type`: 0 Master and 1 Data hold disks, 2 ISO, 3 Export
/// (ImportExport); the rest (Image, Volume, ManagedBlockStorage...) have no vdsm volumes.
pub fn role_from_db(value: i64) -> Option<DomainRole> {
    match value {
        0 | 1 => Some(DomainRole::Data),
        2 => Some(DomainRole::Iso),
        3 => Some(DomainRole::Export),
        _ => None,
    }
}

/// The engine's `VolumeFormat` numbers: 4 COW, 5 RAW (3 is unassigned).
pub fn format_from_db(value: i64) -> Option<VolumeFormat> {
    match value {
        4 => Some(VolumeFormat::Cow),
        5 => Some(VolumeFormat::Raw),
        _ => None,
    }
}

/// The engine's `VolumeType` numbers: 1 Preallocated, 2 Sparse (0 is unassigned).
pub fn allocation_from_db(value: i64) -> Option<Allocation> {
    match value {
        1 => Some(Allocation::Preallocated),
        2 => Some(Allocation::Sparse),
        _ => None,
    }
}

/// Whether `text` is a UUID the way vdsm names volumes and images (36 characters, hex and
/// dashes); used to tell volume files and image directories from anything else.
pub fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36 && text.parse::<model::Uuid>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_types_round_trip_both_spellings() {
        for t in DiskType::ALL {
            assert_eq!(DiskType::parse(t.as_str()), Some(t));
            assert_eq!(DiskType::from_db(t.db_value()), Some(t));
        }
        assert_eq!(DiskType::parse("2"), Some(DiskType::Data));
        assert_eq!(DiskType::parse("1"), Some(DiskType::Data));
        assert_eq!(DiskType::parse("data"), None);
        assert_eq!(DiskType::from_db(10), None);
        assert_eq!(DiskType::from_db(-1), None);
    }

    #[test]
    fn legality_agreement() {
        assert!(EngineStatus::Ok.agrees_with(StorageLegality::Legal));
        assert!(!EngineStatus::Ok.agrees_with(StorageLegality::Illegal));
        assert!(!EngineStatus::Illegal.agrees_with(StorageLegality::Fake));
        assert!(EngineStatus::Locked.agrees_with(StorageLegality::Illegal));
    }
}
