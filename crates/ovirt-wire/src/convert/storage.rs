//! Storage domains, disks and their volumes.

use std::collections::HashMap;

use model::engine::{NewLocalDomain, UnregisteredVm};
use model::{
    Allocation, ContentType, DataCenterId, DiskId, DomainRole, HostId, Legality, StorageDomainId,
    StorageDomainStatus, VmId, VmStatus, VolumeId,
};

use super::{empty, ApiPath, Converting};
use crate::error::ConvertError;
use crate::types::*;

/// The name hosted-engine deployment gives the domain holding the engine's VM; the API has
/// no other mark for it.
pub const HOSTED_ENGINE_STORAGE_DOMAIN: &str = "hosted_storage";

/// Which list a storage domain is shown in (trap §10.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageDomainView {
    /// `GET /storagedomains`: `<status>` only when unattached, the data centers as a list.
    TopLevel,
    /// `GET /datacenters/{id}/storagedomains`: with `<status>`, `<data_center>`, and
    /// `activate` / `deactivate`. Falls back to the top-level shape for an unattached domain.
    InDataCenter,
}

/// Puts together what a client reads: the top-level list (every domain, statuses of the
/// unattached ones) and the data centers' lists (statuses of the attached ones). A domain
/// seen in a data center's list replaces its top-level entry; order is the top-level one.
pub fn merge_storage_domain_views(
    top_level: Vec<StorageDomain>,
    in_data_centers: Vec<StorageDomain>,
) -> Vec<StorageDomain> {
    let mut attached: HashMap<Option<String>, StorageDomain> = in_data_centers
        .into_iter()
        .map(|sd| (sd.id.clone(), sd))
        .collect();
    let mut merged: Vec<StorageDomain> = top_level
        .into_iter()
        .map(|sd| attached.remove(&sd.id).unwrap_or(sd))
        .collect();
    let mut rest: Vec<StorageDomain> = attached.into_values().collect();
    rest.sort_by(|a, b| a.id.cmp(&b.id));
    merged.extend(rest);
    merged
}

impl StorageDomain {
    pub fn from_model(
        sd: &model::StorageDomain,
        api: &ApiPath,
        view: StorageDomainView,
    ) -> StorageDomain {
        let id = sd.id.to_string();
        let role = match sd.role {
            DomainRole::Data => StorageDomainType::Data,
            DomainRole::Iso => StorageDomainType::Iso,
            DomainRole::Export => StorageDomainType::Export,
        };
        let storage_type = match sd.storage {
            model::StorageType::Nfs => StorageType::Nfs,
            model::StorageType::Iscsi => StorageType::Iscsi,
            model::StorageType::Fcp => StorageType::Fcp,
            model::StorageType::Glusterfs => StorageType::Glusterfs,
            model::StorageType::Localfs => StorageType::Localfs,
            model::StorageType::Posixfs => StorageType::Posixfs,
        };
        let data_center_ref = |dc: DataCenterId| api.reference("datacenters", dc);
        let mut domain = StorageDomain {
            href: Some(api.entity("storagedomains", &id)),
            actions: StorageDomain::ACTIONS,
            links: StorageDomain::LINKS,
            name: Some(sd.name.clone()),
            description: empty(),
            comment: empty(),
            backup: Some(false),
            block_size: Some(512),
            critical_space_action_blocker: Some(5),
            discard_after_delete: Some(false),
            external_status: Some("ok".to_owned()),
            master: Some(sd.master),
            status: (sd.data_center.is_none()).then_some(StorageDomainStatus::Unattached),
            storage: Some(HostStorage {
                type_: Some(storage_type),
                path: sd.path.clone(),
                ..HostStorage::default()
            }),
            storage_format: sd.format_version.and_then(StorageFormat::from_number),
            supports_discard: Some(false),
            supports_discard_zeroes_data: Some(false),
            type_: Some(role),
            warning_low_space_indicator: Some(10),
            wipe_after_delete: Some(false),
            data_centers: sd.data_center.map(|dc| vec![data_center_ref(dc)]),
            ..StorageDomain::default()
        };
        if let (StorageDomainView::InDataCenter, Some(dc)) = (view, sd.data_center) {
            let dc_id = dc.to_string();
            domain.href = Some(format!(
                "{}/storagedomains/{id}",
                api.entity("datacenters", &dc_id)
            ));
            domain.actions = StorageDomain::ATTACHED_ACTIONS;
            domain.links = StorageDomain::ATTACHED_LINKS;
            domain.status = Some(sd.status);
            domain.data_center = Some(data_center_ref(dc));
        }
        domain.id = Some(id);
        domain
    }

    /// Whether the inventory holds it: data, ISO and export domains; not the Glance, Cinder
    /// and managed-block-storage providers.
    pub fn kept_in_inventory(&self) -> bool {
        matches!(
            self.type_,
            Some(StorageDomainType::Data | StorageDomainType::Iso | StorageDomainType::Export)
        ) && !matches!(
            self.storage.as_ref().and_then(|s| s.type_),
            Some(StorageType::Glance | StorageType::Cinder | StorageType::ManagedBlockStorage)
        )
    }

    pub fn to_model(&self) -> Result<model::StorageDomain, ConvertError> {
        let c = Converting::of(self);
        let not_kept = |element: &str, value: &str| {
            c.error(
                element,
                format!("is {value:?}, a kind of domain the inventory does not keep (filter with kept_in_inventory)"),
            )
        };
        let role = match c.required(&self.type_, "<type>")? {
            StorageDomainType::Data => DomainRole::Data,
            StorageDomainType::Iso => DomainRole::Iso,
            StorageDomainType::Export => DomainRole::Export,
            other => return Err(not_kept("<type>", other.as_str())),
        };
        let storage_type = self
            .storage
            .as_ref()
            .and_then(|storage| storage.type_)
            .ok_or_else(|| c.error("<storage><type>", "is missing"))?;
        let storage = match storage_type {
            StorageType::Nfs => model::StorageType::Nfs,
            StorageType::Iscsi => model::StorageType::Iscsi,
            StorageType::Fcp => model::StorageType::Fcp,
            StorageType::Glusterfs => model::StorageType::Glusterfs,
            StorageType::Localfs => model::StorageType::Localfs,
            StorageType::Posixfs => model::StorageType::Posixfs,
            other => return Err(not_kept("<storage><type>", other.as_str())),
        };
        let data_center = match &self.data_center {
            Some(dc) => Some(c.reference_id::<DataCenterId>(dc, "<data_center>")?),
            None => match self.data_centers.as_deref().and_then(<[Ref]>::first) {
                Some(dc) => Some(c.reference_id(dc, "<data_centers><data_center>")?),
                None => None,
            },
        };
        let status = match (self.status, data_center) {
            (Some(status), _) => status,
            (None, None) => StorageDomainStatus::Unattached,
            (None, Some(_)) => {
                return Err(c.error(
                    "<status>",
                    "is missing: an attached domain shows its status only in GET /datacenters/{id}/storagedomains",
                ))
            }
        };
        let name = c.name(&self.name)?;
        Ok(model::StorageDomain {
            id: c.own_id::<StorageDomainId>(&self.id)?,
            hosted_engine: name == HOSTED_ENGINE_STORAGE_DOMAIN,
            name,
            data_center,
            role,
            storage,
            status,
            master: self.master.unwrap_or(false),
            format_version: self.storage_format.map(StorageFormat::number),
            path: match storage {
                model::StorageType::Localfs => self.storage.as_ref().and_then(|s| s.path.clone()),
                _ => None,
            },
        })
    }
}

impl StorageDomain {
    /// The body of `POST /storagedomains` that creates a local data domain in a directory of
    /// `new.host`.
    pub fn for_new_local(new: &NewLocalDomain) -> StorageDomain {
        StorageDomain {
            name: Some(new.name.clone()),
            storage: Some(HostStorage {
                type_: Some(StorageType::Localfs),
                path: Some(new.path.clone()),
                ..HostStorage::default()
            }),
            type_: Some(StorageDomainType::Data),
            host: Some(Ref::id(new.host.to_string())),
            ..StorageDomain::default()
        }
    }

    /// What a `POST /storagedomains` body asks for, made by `host` (which the server
    /// resolves from `<host>` by id or name). Only local data domains are of this subset; an
    /// `<import>` is read and, as the REST layer does for `localfs`
    /// (`BackendStorageDomainsResource.add`), makes no difference.
    pub fn to_new_local_domain(&self, host: HostId) -> Result<NewLocalDomain, ConvertError> {
        let c = Converting::of(self);
        match c.required(&self.type_, "<type>")? {
            StorageDomainType::Data => {}
            other => {
                return Err(c.error(
                    "<type>",
                    format!("is {:?}; a local domain is a data domain", other.as_str()),
                ))
            }
        }
        let storage = c.required(&self.storage, "<storage>")?;
        match c.required(&storage.type_, "<storage><type>")? {
            StorageType::Localfs => {}
            other => {
                return Err(c.error(
                    "<storage><type>",
                    format!(
                        "is {:?}; only local domains (localfs) are added through this API subset",
                        other.as_str()
                    ),
                ))
            }
        }
        Ok(NewLocalDomain {
            name: c.name(&self.name)?,
            host,
            path: c.required(&storage.path, "<storage><path>")?,
        })
    }

    /// The body of `POST /datacenters/{id}/storagedomains`: the domain by id alone.
    pub fn for_attach(id: StorageDomainId) -> StorageDomain {
        StorageDomain {
            id: Some(id.to_string()),
            ..StorageDomain::default()
        }
    }
}

impl Vm {
    /// A VM a data domain holds that the engine does not know, as `GET
    /// /storagedomains/{id}/vms;unregistered` lists it: down, under its domain.
    pub fn unregistered(vm: &UnregisteredVm, domain: StorageDomainId, api: &ApiPath) -> Vm {
        let id = vm.id.to_string();
        let sd = domain.to_string();
        Vm {
            href: Some(format!("{}/vms/{id}", api.entity("storagedomains", &sd))),
            id: Some(id),
            actions: Vm::ON_DOMAIN_ACTIONS,
            links: Vm::ON_DOMAIN_LINKS,
            name: Some(vm.name.clone()),
            status: Some(VmStatus::Down),
            storage_domain: Some(api.reference("storagedomains", sd)),
            ..Vm::default()
        }
    }

    /// The seam's view of a member of that list: its id and name.
    pub fn to_unregistered(&self) -> Result<UnregisteredVm, ConvertError> {
        let c = Converting::of(self);
        Ok(UnregisteredVm {
            id: c.own_id(&self.id)?,
            name: c.name(&self.name)?,
        })
    }
}

fn content_type_to_wire(content: ContentType) -> DiskContentType {
    match content {
        ContentType::Data => DiskContentType::Data,
        ContentType::OvfStore => DiskContentType::OvfStore,
        ContentType::MemoryDumpVolume => DiskContentType::MemoryDumpVolume,
        ContentType::MemoryMetadataVolume => DiskContentType::MemoryMetadataVolume,
        ContentType::Iso => DiskContentType::Iso,
        ContentType::HostedEngine => DiskContentType::HostedEngine,
        ContentType::HostedEngineSanlock => DiskContentType::HostedEngineSanlock,
        ContentType::HostedEngineMetadata => DiskContentType::HostedEngineMetadata,
        ContentType::HostedEngineConfiguration => DiskContentType::HostedEngineConfiguration,
    }
}

fn content_type_to_model(
    c: &Converting,
    content: DiskContentType,
) -> Result<ContentType, ConvertError> {
    Ok(match content {
        DiskContentType::Data => ContentType::Data,
        DiskContentType::OvfStore => ContentType::OvfStore,
        DiskContentType::MemoryDumpVolume => ContentType::MemoryDumpVolume,
        DiskContentType::MemoryMetadataVolume => ContentType::MemoryMetadataVolume,
        DiskContentType::Iso => ContentType::Iso,
        DiskContentType::HostedEngine => ContentType::HostedEngine,
        DiskContentType::HostedEngineSanlock => ContentType::HostedEngineSanlock,
        DiskContentType::HostedEngineMetadata => ContentType::HostedEngineMetadata,
        DiskContentType::HostedEngineConfiguration => ContentType::HostedEngineConfiguration,
        DiskContentType::BackupScratch => {
            return Err(c.error(
                "<content_type>",
                "is \"backup_scratch\", a temporary disk of a running backup, which the inventory does not keep",
            ))
        }
    })
}

fn legality_to_status(legality: Legality) -> DiskStatus {
    match legality {
        Legality::Legal => DiskStatus::Ok,
        Legality::Illegal => DiskStatus::Illegal,
    }
}

/// A locked image is legal; the lock is a transient state of an operation.
fn status_to_legality(status: Option<DiskStatus>) -> Legality {
    match status {
        Some(DiskStatus::Illegal) => Legality::Illegal,
        _ => Legality::Legal,
    }
}

impl Disk {
    /// The disk as `GET /disks` shows it: its active (top) volume's format and sizes, and
    /// `total_size` over the whole chain.
    pub fn from_model(disk: &model::Disk, api: &ApiPath) -> Disk {
        let id = disk.id.to_string();
        let top = disk.volumes.last();
        Disk {
            href: Some(api.entity("disks", &id)),
            id: Some(id),
            actions: Disk::ACTIONS,
            links: Disk::LINKS,
            name: Some(disk.alias.clone()),
            description: empty(),
            actual_size: top.map(|v| v.actual_size),
            alias: Some(disk.alias.clone()),
            backup: Some("none".to_owned()),
            content_type: Some(content_type_to_wire(disk.content_type)),
            format: top.map(|v| v.format),
            image_id: top.map(|v| v.id.to_string()),
            propagate_errors: Some(false),
            provisioned_size: Some(disk.capacity()),
            qcow_version: top
                .filter(|v| v.format == model::VolumeFormat::Cow)
                .map(|_| "qcow2_v3".to_owned()),
            shareable: Some(false),
            sparse: top.map(|v| v.allocation == Allocation::Sparse),
            status: top.map(|v| legality_to_status(v.legality)),
            storage_type: Some(DiskStorageType::Image),
            total_size: Some(disk.volumes.iter().map(|v| v.actual_size).sum()),
            wipe_after_delete: Some(false),
            storage_domains: Some(vec![api.reference("storagedomains", disk.storage_domain)]),
            ..Disk::default()
        }
    }

    /// Whether the inventory holds it: image disks; not direct LUNs, Cinder or managed
    /// block storage disks, which have no volumes on a storage domain.
    pub fn kept_in_inventory(&self) -> bool {
        matches!(self.storage_type, None | Some(DiskStorageType::Image))
    }

    /// The disk with its chain of volumes, base first. `snapshots` are its disk snapshots
    /// (`GET /disks/{id}/disksnapshots`, or a storage domain's list: members of other disks
    /// are ignored); without them the chain is the active volume alone. `vm` is the VM it is
    /// attached to, from the VMs' disk attachments.
    pub fn to_model(
        &self,
        snapshots: &[DiskSnapshot],
        vm: Option<VmId>,
    ) -> Result<model::Disk, ConvertError> {
        let c = Converting::of(self);
        let id: DiskId = c.own_id(&self.id)?;
        let own_id = self.id.as_deref().unwrap_or_default();
        let alias = match (&self.alias, &self.name) {
            (Some(alias), _) | (None, Some(alias)) => alias.clone(),
            (None, None) => return Err(c.error("<alias>", "is missing")),
        };
        let storage_domain: StorageDomainId =
            match self.storage_domains.as_deref().and_then(<[Ref]>::first) {
                Some(sd) => c.reference_id(sd, "<storage_domains><storage_domain>")?,
                None => return Err(c.error("<storage_domains>", "is missing")),
            };
        let content_type = match self.content_type {
            Some(content) => content_type_to_model(&c, content)?,
            None => ContentType::Data,
        };
        let active_id: VolumeId = match self.image_id.as_deref() {
            Some(image) => image
                .parse()
                .map_err(|_| c.error("<image_id>", format!("{image:?} is not a UUID")))?,
            None => return Err(c.error("<image_id>", "is missing")),
        };

        let mut volumes: HashMap<VolumeId, model::Volume> = HashMap::new();
        for snapshot in snapshots {
            let owner = snapshot.disk.as_ref().and_then(|d| d.id.as_deref());
            if owner.is_some_and(|owner| !owner.eq_ignore_ascii_case(own_id)) {
                continue;
            }
            let volume = snapshot.to_volume(&c)?;
            volumes.insert(volume.id, volume);
        }
        if !volumes.contains_key(&active_id) {
            // The active volume is not a disk snapshot unless asked for (include_active):
            // it sits on top of the one volume nothing else has as parent.
            let parents: Vec<VolumeId> = volumes.values().filter_map(|v| v.parent).collect();
            let mut tops: Vec<VolumeId> = volumes
                .keys()
                .copied()
                .filter(|id| !parents.contains(id))
                .collect();
            tops.sort();
            if tops.len() > 1 {
                return Err(c.error(
                    "<disksnapshots>",
                    format!("form {} separate chains, not one", tops.len()),
                ));
            }
            volumes.insert(
                active_id,
                model::Volume {
                    id: active_id,
                    parent: tops.first().copied(),
                    capacity: c.required(&self.provisioned_size, "<provisioned_size>")?,
                    actual_size: self.actual_size.unwrap_or(0),
                    format: c.required(&self.format, "<format>")?,
                    allocation: allocation(self.sparse),
                    legality: status_to_legality(self.status),
                },
            );
        }

        let mut chain = Vec::with_capacity(volumes.len());
        let mut next = Some(active_id);
        while let Some(volume_id) = next {
            let volume = volumes.remove(&volume_id).ok_or_else(|| {
                c.error(
                    "<disksnapshots>",
                    format!(
                        "lack volume {volume_id}, the parent of {}",
                        chain_top(&chain)
                    ),
                )
            })?;
            next = volume.parent;
            chain.push(volume);
        }
        if let Some(stray) = volumes.keys().min() {
            return Err(c.error(
                "<disksnapshots>",
                format!("include volume {stray}, which is not in the chain below {active_id}"),
            ));
        }
        chain.reverse();
        Ok(model::Disk {
            id,
            alias,
            storage_domain,
            vm,
            content_type,
            volumes: chain,
        })
    }
}

fn chain_top(chain: &[model::Volume]) -> String {
    chain
        .last()
        .map_or_else(|| "the active volume".to_owned(), |v| v.id.to_string())
}

fn allocation(sparse: Option<bool>) -> Allocation {
    if sparse == Some(false) {
        Allocation::Preallocated
    } else {
        Allocation::Sparse
    }
}

impl DiskSnapshot {
    /// The volumes of a disk as `GET /storagedomains/{sd}/disksnapshots` lists them: every
    /// volume below the active one, or all of them with `include_active`.
    pub fn chain_from_model(
        disk: &model::Disk,
        api: &ApiPath,
        include_active: bool,
    ) -> Vec<DiskSnapshot> {
        let below_top = disk.volumes.len().saturating_sub(1);
        let count = if include_active {
            disk.volumes.len()
        } else {
            below_top
        };
        let sd = disk.storage_domain.to_string();
        disk.volumes[..count]
            .iter()
            .map(|volume| {
                let id = volume.id.to_string();
                DiskSnapshot {
                    href: Some(format!(
                        "{}/disksnapshots/{id}",
                        api.entity("storagedomains", &sd)
                    )),
                    name: Some(disk.alias.clone()),
                    actual_size: Some(volume.actual_size),
                    alias: Some(disk.alias.clone()),
                    content_type: Some(content_type_to_wire(disk.content_type)),
                    format: Some(volume.format),
                    image_id: Some(id.clone()),
                    provisioned_size: Some(volume.capacity),
                    sparse: Some(volume.allocation == Allocation::Sparse),
                    status: Some(legality_to_status(volume.legality)),
                    storage_type: Some(DiskStorageType::Image),
                    disk: Some(api.reference("disks", disk.id)),
                    parent: volume.parent.map(|parent| Ref::id(parent.to_string())),
                    storage_domains: Some(vec![api.reference("storagedomains", &sd)]),
                    id: Some(id),
                    ..DiskSnapshot::default()
                }
            })
            .collect()
    }

    fn to_volume(&self, disk: &Converting) -> Result<model::Volume, ConvertError> {
        let c = Converting::of(self);
        let within = |error: ConvertError| {
            disk.error("<disksnapshots>", format!("have a bad member: {error}"))
        };
        let parent = match &self.parent {
            Some(parent) => {
                let parent: VolumeId = c.reference_id(parent, "<parent>").map_err(within)?;
                // The engine writes the empty UUID for "no parent" in places.
                (parent.0 != model::Uuid::NIL).then_some(parent)
            }
            None => None,
        };
        Ok(model::Volume {
            id: c.own_id(&self.id).map_err(within)?,
            parent,
            capacity: c
                .required(&self.provisioned_size, "<provisioned_size>")
                .map_err(within)?,
            actual_size: self.actual_size.unwrap_or(0),
            format: c.required(&self.format, "<format>").map_err(within)?,
            allocation: allocation(self.sparse),
            legality: status_to_legality(self.status),
        })
    }
}

impl DiskAttachment {
    /// `GET /vms/{vm}/diskattachments/{disk}`.
    pub fn from_model(disk: DiskId, vm: VmId, bootable: bool, api: &ApiPath) -> DiskAttachment {
        let id = disk.to_string();
        DiskAttachment {
            href: Some(format!(
                "{}/diskattachments/{id}",
                api.entity("vms", &vm.to_string())
            )),
            id: Some(id.clone()),
            active: Some(true),
            bootable: Some(bootable),
            interface: Some("virtio_scsi".to_owned()),
            pass_discard: Some(false),
            read_only: Some(false),
            uses_scsi_reservation: Some(false),
            disk: Some(api.reference("disks", id)),
            vm: Some(api.reference("vms", vm)),
            ..DiskAttachment::default()
        }
    }

    /// The attached disk's id.
    pub fn disk_id(&self) -> Result<DiskId, ConvertError> {
        let c = Converting::of(self);
        match &self.disk {
            Some(disk) => c.reference_id(disk, "<disk>"),
            None => c.own_id(&self.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(id: &str, status: Option<StorageDomainStatus>) -> StorageDomain {
        StorageDomain {
            id: Some(id.to_owned()),
            status,
            ..StorageDomain::default()
        }
    }

    #[test]
    fn a_data_centers_view_replaces_the_top_level_entry() {
        let merged = merge_storage_domain_views(
            vec![
                domain("b", None),
                domain("a", Some(StorageDomainStatus::Unattached)),
            ],
            vec![
                domain("c", Some(StorageDomainStatus::Active)),
                domain("b", Some(StorageDomainStatus::Maintenance)),
            ],
        );
        let seen: Vec<(&str, Option<StorageDomainStatus>)> = merged
            .iter()
            .map(|d| (d.id.as_deref().unwrap(), d.status))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("b", Some(StorageDomainStatus::Maintenance)),
                ("a", Some(StorageDomainStatus::Unattached)),
                ("c", Some(StorageDomainStatus::Active)),
            ]
        );
    }

    #[test]
    fn providers_and_luns_are_not_inventory() {
        let glance = StorageDomain {
            type_: Some(StorageDomainType::Image),
            storage: Some(HostStorage {
                type_: Some(StorageType::Glance),
                ..HostStorage::default()
            }),
            ..StorageDomain::default()
        };
        assert!(!glance.kept_in_inventory());
        let lun = Disk {
            storage_type: Some(DiskStorageType::Lun),
            ..Disk::default()
        };
        assert!(!lun.kept_in_inventory());
        assert!(Disk::default().kept_in_inventory());
    }
}
