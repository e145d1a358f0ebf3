//! What the engine says: its storage domains and the volumes it expects on each.
//!
//! An [`EngineSource`] collects an [`EngineView`]. Two sources exist: an inventory
//! ([`InventorySource`]) and the engine database ([`crate::db::DbSource`]). A source that reads
//! the REST API (disks and disk snapshots per storage domain) is one more implementation of the
//! same trait.

use std::collections::BTreeMap;

use model::{Allocation, DiskId, DomainRole, Inventory, StorageDomainId, VolumeFormat, VolumeId};
use serde::Serialize;

use crate::vocab::{DiskType, EngineStatus};

/// The engine's view of every storage domain it knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EngineView {
    /// Sorted by id.
    pub domains: Vec<EngineDomain>,
    /// What could not be read (a missing table, a value out of range); collection went on.
    pub problems: Vec<EngineProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineDomain {
    pub id: StorageDomainId,
    pub name: String,
    /// `None` when the source does not say (a database without `storage_domain_static`), or
    /// for domain kinds without vdsm volumes (Cinder, managed block storage).
    pub role: Option<DomainRole>,
    /// Sorted by id.
    pub volumes: Vec<EngineVolume>,
}

/// One volume as the engine records it (`images` joined with `base_disks`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineVolume {
    pub id: VolumeId,
    /// The disk (image group).
    pub image: DiskId,
    /// `None` for a base volume.
    pub parent: Option<VolumeId>,
    pub capacity: u64,
    /// `None` when the engine's value is unassigned or unknown: not compared.
    pub format: Option<VolumeFormat>,
    pub allocation: Option<Allocation>,
    pub status: Option<EngineStatus>,
    pub content: Option<DiskType>,
    /// The disk's alias, for people.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alias: String,
}

/// Something the engine side could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineProblem {
    /// The table, query or object concerned.
    pub subject: String,
    pub message: String,
}

impl EngineView {
    /// Builds a view from unsorted parts: sorts domains and volumes by id.
    pub fn new(mut domains: Vec<EngineDomain>, problems: Vec<EngineProblem>) -> EngineView {
        domains.sort_by_key(|d| d.id);
        for domain in &mut domains {
            domain.volumes.sort_by_key(|v| v.id);
        }
        EngineView { domains, problems }
    }

    pub fn domain(&self, id: StorageDomainId) -> Option<&EngineDomain> {
        self.domains
            .binary_search_by_key(&id, |d| d.id)
            .ok()
            .map(|i| &self.domains[i])
    }

    /// Every domain that records `volume`.
    pub fn domains_of(&self, volume: VolumeId) -> impl Iterator<Item = StorageDomainId> + '_ {
        self.domains
            .iter()
            .filter(move |d| d.volume(volume).is_some())
            .map(|d| d.id)
    }

    pub fn volume_count(&self) -> usize {
        self.domains.iter().map(|d| d.volumes.len()).sum()
    }
}

impl EngineDomain {
    pub fn volume(&self, id: VolumeId) -> Option<&EngineVolume> {
        self.volumes
            .binary_search_by_key(&id, |v| v.id)
            .ok()
            .map(|i| &self.volumes[i])
    }
}

/// Why a source gave no view at all (it could not connect, for instance). Problems inside a
/// reachable source are [`EngineProblem`]s in the view instead.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct SourceError {
    pub source_name: String,
    pub message: String,
}

/// Somewhere the engine's view can be collected from, as many times as asked (`--confirm`
/// collects twice).
pub trait EngineSource {
    /// Names the source in messages: "inventory examples/self-hosted.toml", "database engine@db".
    fn describe(&self) -> String;
    fn collect(&mut self) -> Result<EngineView, SourceError>;
}

/// The engine's view written down in an inventory (a scenario or a snapshot): every disk's
/// volumes on its storage domain.
#[derive(Debug, Clone)]
pub struct InventorySource {
    pub inventory: Inventory,
    pub name: String,
}

impl InventorySource {
    pub fn new(inventory: Inventory, name: impl Into<String>) -> InventorySource {
        InventorySource {
            inventory,
            name: name.into(),
        }
    }
}

impl EngineSource for InventorySource {
    fn describe(&self) -> String {
        format!("inventory {}", self.name)
    }

    fn collect(&mut self) -> Result<EngineView, SourceError> {
        Ok(view_of_inventory(&self.inventory))
    }
}

/// The engine's view an inventory describes.
pub fn view_of_inventory(inventory: &Inventory) -> EngineView {
    let mut domains: BTreeMap<StorageDomainId, EngineDomain> = inventory
        .storage_domains
        .iter()
        .map(|sd| {
            (
                sd.id,
                EngineDomain {
                    id: sd.id,
                    name: sd.name.clone(),
                    role: Some(sd.role),
                    volumes: Vec::new(),
                },
            )
        })
        .collect();
    let mut problems = Vec::new();
    for disk in &inventory.disks {
        let Some(domain) = domains.get_mut(&disk.storage_domain) else {
            problems.push(EngineProblem {
                subject: format!("disk {} ({})", disk.id, disk.alias),
                message: format!(
                    "its storage domain {} is not in the inventory",
                    disk.storage_domain
                ),
            });
            continue;
        };
        for volume in &disk.volumes {
            domain.volumes.push(EngineVolume {
                id: volume.id,
                image: disk.id,
                parent: volume.parent,
                capacity: volume.capacity,
                format: Some(volume.format),
                allocation: Some(volume.allocation),
                status: Some(volume.legality.into()),
                content: Some(disk.content_type.into()),
                alias: disk.alias.clone(),
            });
        }
    }
    EngineView::new(domains.into_values().collect(), problems)
}
