//! Local storage domains leaving the engine's records and imported again (guide §1.1.9).
//! Storage outlives the records: a domain destroyed in the engine (`ForceRemoveStorageDomain`)
//! stays on its machine's disk with the VMs it held, until imported
//! (`AddExistingFileStorageDomain`), attached, and its VMs registered
//! (`ImportVmFromConfiguration`). Refusals carry the engine's texts (`AppErrors.properties`,
//! with `${action}` and `${type}` filled in as the command sets them).

use model::engine::{DomainAction, NewLocalDomain, UnregisteredVm};

use super::*;

/// From deactivation to maintenance: vdsm's monitoring stops on the host.
const DOMAIN_MAINTENANCE_MS: u64 = 5_000;
/// From attachment or activation to active: the domain is connected and monitored.
const DOMAIN_ACTIVATION_MS: u64 = 5_000;

/// A local domain as its directory holds it, outside the engine's records: the VMs whose
/// disks were all there, with those disks, as they were when the domain left the records.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDomain {
    pub id: StorageDomainId,
    pub name: String,
    pub format_version: Option<u8>,
    pub path: String,
    pub vms: Vec<Vm>,
    pub disks: Vec<Disk>,
}

/// `StorageDomainStatus.isStorageDomainInProcess`: an operation on the domain runs.
fn in_process(status: StorageDomainStatus) -> bool {
    matches!(
        status,
        StorageDomainStatus::Locked
            | StorageDomainStatus::PreparingForMaintenance
            | StorageDomainStatus::Detaching
            | StorageDomainStatus::Activating
    )
}

/// A domain status as the engine's messages print it (the Java enum's name).
fn java_status(status: StorageDomainStatus) -> String {
    format!("{status:?}")
}

impl Simulator {
    /// The machine behind each local domain of the starting inventory: its data center's host.
    pub(super) fn starting_local_domains(&self) -> HashMap<StorageDomainId, usize> {
        self.inventory
            .storage_domains
            .iter()
            .filter(|sd| sd.storage == StorageType::Localfs)
            .filter_map(|sd| {
                let host = self.hosts_in(sd.data_center?).into_iter().next()?;
                let address = &self.host(host).ok()?.address;
                Some((sd.id, self.machine_index(address)?))
            })
            .collect()
    }

    fn hosts_in(&self, data_center: DataCenterId) -> Vec<HostId> {
        self.inventory
            .hosts
            .iter()
            .filter(|h| self.cluster(h.cluster).map(|c| c.data_center) == Some(data_center))
            .map(|h| h.id)
            .collect()
    }

    pub fn storage_domain(&self, id: StorageDomainId) -> Result<&StorageDomain, EngineError> {
        self.inventory
            .storage_domains
            .iter()
            .find(|sd| sd.id == id)
            .ok_or_else(|| EngineError::NotFound {
                kind: "storage domain",
                id: id.to_string(),
            })
    }

    fn domain_mut(&mut self, id: StorageDomainId) -> Option<&mut StorageDomain> {
        self.inventory
            .storage_domains
            .iter_mut()
            .find(|sd| sd.id == id)
    }

    /// Its name, or its id when the engine does not know it.
    pub(crate) fn data_center_name(&self, id: DataCenterId) -> String {
        self.data_center(id)
            .map_or_else(|_| id.to_string(), |dc| dc.name.clone())
    }

    fn set_data_center_status(&mut self, id: DataCenterId, status: DataCenterStatus) {
        if let Some(&i) = self.data_centers.get(&id) {
            self.inventory.data_centers[i].status = status;
        }
        if status != DataCenterStatus::Up {
            // The SPM is stopped with its pool (`DeactivateStorageDomainCommand`, `SpmStopOnIrs`).
            for host in self.hosts_in(id) {
                self.host_mut(host).spm = SpmStatus::None;
            }
        }
    }

    /// `StorageHandlingCommandBase.calcStoragePoolStatusByDomainsStatus`: no master is
    /// uninitialized, a master in maintenance is maintenance, an active one up, else not
    /// operational.
    fn recalculate_data_center(&mut self, id: DataCenterId) {
        let master = self
            .inventory
            .storage_domains
            .iter()
            .find(|sd| sd.data_center == Some(id) && sd.master)
            .map(|sd| sd.status);
        let status = match master {
            None => DataCenterStatus::Uninitialized,
            Some(StorageDomainStatus::Maintenance) => DataCenterStatus::Maintenance,
            Some(StorageDomainStatus::Active) => DataCenterStatus::Up,
            Some(_) => DataCenterStatus::NotOperational,
        };
        self.set_data_center_status(id, status);
        if status == DataCenterStatus::Up {
            if let Some(host) = self
                .hosts_in(id)
                .into_iter()
                .find(|&h| self.host(h).is_ok_and(|h| h.status == HostStatus::Up))
            {
                self.become_spm_if_none(host);
            }
        }
    }

    /// `StorageDomainCommandBase.electNewMaster()`: another data domain of the pool, active.
    fn elect_new_master(&self, leaving: &StorageDomain) -> Option<StorageDomainId> {
        self.inventory
            .storage_domains
            .iter()
            .find(|sd| {
                sd.id != leaving.id
                    && sd.data_center == leaving.data_center
                    && sd.role == DomainRole::Data
                    && !sd.master
                    && sd.status == StorageDomainStatus::Active
            })
            .map(|sd| sd.id)
    }

    fn up_host_in(&self, data_center: DataCenterId) -> bool {
        self.hosts_in(data_center)
            .into_iter()
            .any(|h| self.host(h).is_ok_and(|h| h.status == HostStatus::Up))
    }

    /// VMs that are not down with a disk on the domain (`VmDao.getAllActiveForStorageDomain`).
    fn active_vms_on(&self, domain: StorageDomainId) -> bool {
        self.inventory.vms.iter().any(|vm| {
            vm.is_running()
                && self
                    .inventory
                    .disks
                    .iter()
                    .any(|d| d.vm == Some(vm.id) && d.storage_domain == domain)
        })
    }

    // ----- deactivation and activation -----

    pub fn storage_domain_action(
        &mut self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        self.data_center(data_center)?;
        let sd = self.storage_domain(domain)?.clone();
        if sd.data_center != Some(data_center) {
            return Err(EngineError::NotFound {
                kind: "storage domain in the data center",
                id: domain.to_string(),
            });
        }
        match action {
            DomainAction::Deactivate => self.deactivate_domain(&sd, data_center),
            DomainAction::Activate => self.activate_domain(&sd, data_center),
        }
    }

    /// `DeactivateStorageDomainCommand`: validated at once; the domain prepares for
    /// maintenance and reaches it once no host accesses it. A master with another active data
    /// domain hands the role over; the last master takes its data center to maintenance.
    fn deactivate_domain(
        &mut self,
        sd: &StorageDomain,
        data_center: DataCenterId,
    ) -> Result<(), EngineError> {
        let prefix = "Cannot deactivate Storage.";
        // `validateDomainStatus`: a user may deactivate a monitored domain (active, inactive).
        if !matches!(
            sd.status,
            StorageDomainStatus::Active | StorageDomainStatus::Inactive
        ) {
            return Err(conflict(self.status_refusal(prefix, sd.status)));
        }
        if sd.hosted_engine {
            return Err(conflict(format!(
                "{prefix} The storage selected contains the self hosted engine."
            )));
        }
        if sd.master {
            self.check_master_deactivation(sd)?;
        }
        if self.active_vms_on(sd.id) {
            return Err(conflict(format!("{prefix} VMs in a state other than \"Down\" were detected.\n-Please ensure all VMs associated with this Storage Domain are stopped and in the Down state first.")));
        }
        let new_master = sd.master.then(|| self.elect_new_master(sd)).flatten();
        let last_master = sd.master && new_master.is_none();
        if let Some(new_master) = new_master {
            self.domain_mut(new_master).expect("elected").master = true;
            self.domain_mut(sd.id).expect("domain").master = false;
        }
        self.domain_mut(sd.id).expect("domain").status =
            StorageDomainStatus::PreparingForMaintenance;
        let dc = self.data_center_name(data_center);
        // `getAuditLogTypeValue`: 1030 for the last master, else 968.
        let (code, text) = if last_master {
            (
                msg::USER_DEACTIVATED_LAST_MASTER_STORAGE_DOMAIN,
                format!(
                    "Storage Domain {} (Data Center {dc}) was deactivated.",
                    sd.name
                ),
            )
        } else {
            (msg::USER_DEACTIVATED_STORAGE_DOMAIN, format!("Storage Domain {} (Data Center {dc}) was deactivated and has moved to 'Preparing for maintenance' until it will no longer be accessed by any Host of the Data Center.", sd.name))
        };
        self.event(code, Severity::Normal, text, None, None, None);
        self.schedule(
            DOMAIN_MAINTENANCE_MS,
            Step::DomainMaintenance { domain: sd.id },
        );
        Ok(())
    }

    /// `DeactivateStorageDomainCommand.validateMasterDeactivationAllowed`.
    fn check_master_deactivation(&self, sd: &StorageDomain) -> Result<(), EngineError> {
        let pool: Vec<&StorageDomain> = self
            .inventory
            .storage_domains
            .iter()
            .filter(|d| d.data_center == sd.data_center)
            .collect();
        let active: Vec<&&StorageDomain> = pool
            .iter()
            .filter(|d| d.id != sd.id && d.status == StorageDomainStatus::Active)
            .collect();
        if !active.is_empty() && !active.iter().any(|d| d.role == DomainRole::Data) {
            return Err(conflict("Cannot deactivate a Master Storage Domain while there are active non-data domains in the Data Center.\n-Please deactivate all the non-data domains first."));
        }
        if pool.iter().any(|d| in_process(d.status)) {
            return Err(conflict("You are trying to deactivate a Master storage domain while there are locked domains in the Data Center. Please wait for the operations on those domains to finish first."));
        }
        Ok(())
    }

    /// `StorageDomainCommandBase.checkStorageDomainStatus`: a domain in process is locked,
    /// any other wrong status is named.
    fn status_refusal(&self, prefix: &str, status: StorageDomainStatus) -> String {
        if in_process(status) {
            format!("{prefix} Related operation is currently in progress. Please try again later.")
        } else {
            format!(
                "{prefix} The relevant Storage Domain's status is {}.",
                java_status(status)
            )
        }
    }

    pub(super) fn domain_maintenance(&mut self, domain: StorageDomainId) {
        self.domain_settles(
            domain,
            &[StorageDomainStatus::PreparingForMaintenance],
            StorageDomainStatus::Maintenance,
        );
    }

    pub(super) fn domain_active(&mut self, domain: StorageDomainId) {
        self.domain_settles(
            domain,
            &[StorageDomainStatus::Locked, StorageDomainStatus::Activating],
            StorageDomainStatus::Active,
        );
    }

    /// A domain still in one of `from` reaches `to`; its data center follows its master.
    fn domain_settles(
        &mut self,
        domain: StorageDomainId,
        from: &[StorageDomainStatus],
        to: StorageDomainStatus,
    ) {
        let Some(sd) = self
            .domain_mut(domain)
            .filter(|sd| from.contains(&sd.status))
        else {
            return;
        };
        sd.status = to;
        let (master, data_center) = (sd.master, sd.data_center);
        if let Some(dc) = data_center.filter(|_| master) {
            self.recalculate_data_center(dc);
        }
    }

    /// `ActivateStorageDomainCommand`: the pool is initialized, the domain in maintenance or
    /// inactive, the master up unless this is the master, and a host up in the data center.
    fn activate_domain(
        &mut self,
        sd: &StorageDomain,
        data_center: DataCenterId,
    ) -> Result<(), EngineError> {
        let prefix = "Cannot activate Storage.";
        if self.data_center(data_center)?.status == DataCenterStatus::Uninitialized {
            return Err(conflict(format!(
                "{prefix} The relevant Data Center's status is Uninitialized."
            )));
        }
        if !matches!(
            sd.status,
            StorageDomainStatus::Maintenance | StorageDomainStatus::Inactive
        ) {
            return Err(conflict(self.status_refusal(prefix, sd.status)));
        }
        if !sd.master {
            self.check_master_up("activate", data_center)?;
        }
        if !self.up_host_in(data_center) {
            return Err(conflict(format!(
                "{prefix} There is no active Host in the Data Center."
            )));
        }
        self.domain_mut(sd.id).expect("domain").status = StorageDomainStatus::Activating;
        let dc = self.data_center_name(data_center);
        self.event(
            msg::USER_ACTIVATED_STORAGE_DOMAIN,
            Severity::Normal,
            format!(
                "Storage Domain {} (Data Center {dc}) was activated by {USER}",
                sd.name
            ),
            None,
            None,
            None,
        );
        self.schedule(DOMAIN_ACTIVATION_MS, Step::DomainActive { domain: sd.id });
        Ok(())
    }

    /// `StorageDomainCommandBase.checkMasterDomainIsUp`.
    fn check_master_up(&self, action: &str, data_center: DataCenterId) -> Result<(), EngineError> {
        let up = self.inventory.storage_domains.iter().any(|d| {
            d.data_center == Some(data_center)
                && d.master
                && d.status == StorageDomainStatus::Active
        });
        if up {
            Ok(())
        } else {
            Err(conflict(format!("Failed to {action} Storage due to an error on the Data Center master Storage Domain.\n-Please activate the master Storage Domain first.")))
        }
    }

    // ----- leaving the records -----

    /// `ForceRemoveStorageDomainCommand`: the domain and what only it holds leave the records
    /// (`Force_Delete_storage_domain`, `Remove_Entities_From_storage_domain`: VMs whose disks
    /// are all there, and its disks); the storage is untouched, so it stays on its machine.
    pub fn destroy_storage_domain(&mut self, id: StorageDomainId) -> Result<(), EngineError> {
        let sd = self.storage_domain(id)?.clone();
        let prefix = "Cannot destroy Storage.";
        if sd.status == StorageDomainStatus::Active {
            return Err(conflict(self.status_refusal(prefix, sd.status)));
        }
        let others = self
            .inventory
            .storage_domains
            .iter()
            .any(|d| d.id != id && d.data_center.is_some() && d.data_center == sd.data_center);
        let mut new_master = None;
        if let Some(dc) = sd.data_center.filter(|_| sd.master && others) {
            new_master = self.elect_new_master(&sd);
            if new_master.is_none() {
                return Err(conflict("Cannot destroy the master Storage Domain from the Data Center without another active Storage Domain to take its place.\n-Either activate another Storage Domain in the Data Center, or remove the Data Center.\n-If you have problems with the master Data Domain, consider following the recovery process described in the documentation, or contact your system administrator."));
            }
            if !self.up_host_in(dc) {
                return Err(conflict("In order to complete the operation a new master Storage Domain needs to be elected, which requires at least one active Host in the Data Center.\n-Please make sure one of the Hosts is active in the Data Center first."));
            }
        }
        let (vms, disks) = self.remove_entities(id);
        let machine = self.local_domains.remove(&id);
        let leftover = self.unregistered.remove(&id);
        if let (Some(machine), Some(path)) = (machine, sd.path.clone()) {
            let mut stored = leftover.unwrap_or_else(|| StoredDomain {
                id,
                name: sd.name.clone(),
                format_version: sd.format_version,
                path: path.clone(),
                vms: Vec::new(),
                disks: Vec::new(),
            });
            let place = format!(
                "storage domain {} at {path} on {}",
                sd.name, self.machines[machine].address
            );
            for vm in &vms {
                self.history.vm_unregistered(vm.id, &vm.name, place.clone());
            }
            stored.vms.extend(vms);
            stored.disks.extend(disks);
            self.machines[machine].storage.insert(path, stored);
        }
        self.inventory.storage_domains.retain(|d| d.id != id);
        if let Some(new_master) = new_master {
            // `ReconstructMasterDomain`.
            self.domain_mut(new_master).expect("elected").master = true;
        }
        self.event(
            msg::USER_FORCE_REMOVE_STORAGE_DOMAIN,
            Severity::Normal,
            format!("Storage Domain {} was forcibly removed by {USER}", sd.name),
            None,
            None,
            None,
        );
        if let Some(dc) = sd.data_center.filter(|_| sd.master) {
            self.recalculate_data_center(dc);
        }
        Ok(())
    }

    /// `Remove_Entities_From_storage_domain`: every disk on the domain leaves the records, and
    /// with them the VMs that had disks there and nowhere else. Returns those VMs and their disks.
    fn remove_entities(&mut self, domain: StorageDomainId) -> (Vec<Vm>, Vec<Disk>) {
        let disks = &self.inventory.disks;
        let only_there = |vm: &Vm| {
            let mut own = disks.iter().filter(|d| d.vm == Some(vm.id)).peekable();
            own.peek().is_some() && own.all(|d| d.storage_domain == domain)
        };
        let (leaving, staying): (Vec<Vm>, Vec<Vm>) = std::mem::take(&mut self.inventory.vms)
            .into_iter()
            .partition(only_there);
        self.inventory.vms = staying;
        let (gone, kept): (Vec<Disk>, Vec<Disk>) = std::mem::take(&mut self.inventory.disks)
            .into_iter()
            .partition(|d| d.storage_domain == domain);
        self.inventory.disks = kept;
        self.reindex_vms();
        for vm in &leaving {
            self.migrating_to.remove(&vm.id);
        }
        let held = gone
            .into_iter()
            .filter(|d| d.vm.is_some_and(|v| leaving.iter().any(|vm| vm.id == v)))
            .collect();
        (leaving, held)
    }

    fn reindex_vms(&mut self) {
        self.vms = self
            .inventory
            .vms
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id, i))
            .collect();
    }

    // ----- coming back -----

    /// `AddLocalStorageDomainCommand` through `AddStorageDomainCommand.validate`: a new
    /// domain in an empty directory, then attached to the host's data center by the command
    /// itself (`executeCommand` runs `AttachStorageDomainToPool`). A failed attach leaves the
    /// domain made and unattached, as the engine does.
    pub fn add_local_domain(
        &mut self,
        new: NewLocalDomain,
    ) -> Result<StorageDomainId, EngineError> {
        let (host, data_center, machine, recorded) = self.local_target(new.host, &new.path)?;
        let id = self.create_local_domain(new, &host, &data_center, machine, recorded)?;
        self.attach_storage_domain(data_center.id, id)?;
        Ok(id)
    }

    /// Sim control: the Administration Portal's Import Domain of a local domain (Storage →
    /// Import Domain, "Local on Host"), which the REST API does not offer: the frontend runs
    /// `AddExistingFileStorageDomainCommand`, then attaches the domain to the host's data
    /// center. `name` empty keeps the domain's own.
    pub fn import_local_domain(
        &mut self,
        machine: &str,
        path: &str,
        name: &str,
    ) -> Result<StorageDomainId, EngineError> {
        let host = self
            .machine_index(machine)
            .and_then(|i| self.host_on(&self.machines[i]).map(|h| h.id))
            .ok_or_else(|| {
                conflict(format!(
                    "machine {machine} is no host of the engine: add it to its cluster first"
                ))
            })?;
        let (host, data_center, index, recorded) = self.local_target(host, path)?;
        let id = self.import_existing(name, path, &host, index, recorded)?;
        self.attach_storage_domain(data_center.id, id)?;
        Ok(id)
    }

    /// `AddStorageDomainCommand.validate` and `AddLocalStorageDomainCommand.validate` for a
    /// directory of `host`: the host, its local data center, its machine, and the domain the
    /// engine records there, if any.
    fn local_target(
        &self,
        host: HostId,
        path: &str,
    ) -> Result<(Host, DataCenter, usize, Option<StorageDomain>), EngineError> {
        let host = self.host(host)?.clone();
        let prefix = "Cannot add Storage.";
        if host.status != HostStatus::Up {
            return Err(conflict(format!(
                "{prefix} Operation can be performed only when Host status is Up."
            )));
        }
        let data_center = self
            .cluster(host.cluster)
            .map(|c| c.data_center)
            .and_then(|dc| self.data_center(dc).ok())
            .cloned()
            .ok_or_else(|| {
                refused(
                    400,
                    format!("{prefix} The host's cluster is in no data center."),
                )
            })?;
        // `AddLocalStorageDomainCommand.validate`: ACTION_TYPE_FAILED_STORAGE_POOL_IS_NOT_LOCAL.
        if data_center.storage != StorageKind::Local {
            return Err(conflict("Data Center must be \"Local Storage\""));
        }
        if !path.starts_with('/') {
            return Err(refused(
                400,
                format!("{prefix} The path {path} is not absolute."),
            ));
        }
        let machine = self
            .machine_index(&host.address)
            .expect("an up host has its machine");
        let recorded = self
            .inventory
            .storage_domains
            .iter()
            .find(|d| {
                d.path.as_deref() == Some(path) && self.local_domains.get(&d.id) == Some(&machine)
            })
            .cloned();
        Ok((host, data_center, machine, recorded))
    }

    fn check_name(&self, name: &str) -> Result<(), EngineError> {
        if self
            .inventory
            .storage_domains
            .iter()
            .any(|d| d.name == name)
        {
            return Err(conflict(
                "Cannot add Storage. The Storage Domain name is already in use.",
            ));
        }
        Ok(())
    }

    fn create_local_domain(
        &mut self,
        new: NewLocalDomain,
        host: &Host,
        data_center: &DataCenter,
        machine: usize,
        recorded: Option<StorageDomain>,
    ) -> Result<StorageDomainId, EngineError> {
        if new.name.trim().is_empty() {
            return Err(refused(400, "Cannot add Storage. The name is empty."));
        }
        if data_center.status != DataCenterStatus::Uninitialized {
            self.check_master_up("add", data_center.id)?;
        }
        let held = recorded.map(|d| d.name).or_else(|| {
            self.machines[machine]
                .storage
                .get(&new.path)
                .map(|d| d.name.clone())
        });
        if let Some(held) = held {
            // vdsm refuses to create a domain in a directory that is not empty.
            return Err(conflict(format!(
                "Cannot add Storage. {} on host {} already holds storage domain {held}; import it instead.",
                new.path, host.name
            )));
        }
        self.check_name(&new.name)?;
        let id = StorageDomainId(self.random_uuid());
        // `VersionStorageFormatUtil`: V5 from level 4.3, V4 before.
        let format = if data_center.version >= Level::new(4, 3) {
            5
        } else {
            4
        };
        self.record_domain(id, new.name, Some(format), new.path, machine);
        Ok(id)
    }

    /// `AddExistingFileStorageDomainCommand.checkExistingStorageDomain`: the domain must be
    /// there (vdsm `getStorageDomainInfo`) and its id unknown to the engine.
    fn import_existing(
        &mut self,
        name: &str,
        path: &str,
        host: &Host,
        machine: usize,
        recorded: Option<StorageDomain>,
    ) -> Result<StorageDomainId, EngineError> {
        if recorded.is_some() {
            return Err(conflict(
                "Cannot add Storage. The Storage Domain already exists.",
            ));
        }
        let Some(stored) = self.machines[machine].storage.get(path).cloned() else {
            return Err(conflict(format!(
                "Cannot add Storage. Storage Domain doesn't exist. (Nothing is stored at {path} on host {}.)",
                host.name
            )));
        };
        // `initStorageDomainProperties`: without a name it keeps the one it had.
        let name = if name.trim().is_empty() {
            stored.name.clone()
        } else {
            name.to_owned()
        };
        self.check_name(&name)?;
        self.machines[machine].storage.remove(path);
        let id = stored.id;
        let format = stored.format_version;
        self.record_domain(id, name, format, stored.path.clone(), machine);
        self.unregistered.insert(id, stored);
        Ok(id)
    }

    /// An unattached local data domain in the records, on `machine`'s disk (956).
    fn record_domain(
        &mut self,
        id: StorageDomainId,
        name: String,
        format_version: Option<u8>,
        path: String,
        machine: usize,
    ) {
        self.local_domains.insert(id, machine);
        self.event(
            msg::USER_ADD_STORAGE_DOMAIN,
            Severity::Normal,
            format!("Storage Domain {name} was added by {USER}"),
            None,
            None,
            None,
        );
        self.inventory.storage_domains.push(StorageDomain {
            id,
            name,
            data_center: None,
            role: DomainRole::Data,
            storage: StorageType::Localfs,
            status: StorageDomainStatus::Unattached,
            master: false,
            hosted_engine: false,
            format_version,
            path: Some(path),
        });
    }

    /// `AttachStorageDomainToPoolCommand`: the domain in no pool, local only into a local data
    /// center, and there on a machine of that data center; an uninitialized data center takes
    /// a data domain as its master and comes up with it.
    pub fn attach_storage_domain(
        &mut self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        let dc = self.data_center(data_center)?.clone();
        let sd = self.storage_domain(domain)?.clone();
        let prefix = "Cannot attach Storage.";
        if !self.up_host_in(data_center) {
            return Err(conflict(format!(
                "{prefix} There is no active Host in the Data Center."
            )));
        }
        // `StorageDomainToPoolRelationValidator.isStorageDomainNotInAnyPool`.
        if sd.data_center.is_some() {
            return Err(conflict(format!("{prefix} The relevant Storage Domain is inaccessible.\n-Please handle Storage Domain issues and retry the operation.")));
        }
        if sd.storage == StorageType::Localfs && dc.storage != StorageKind::Local {
            return Err(conflict(
                "Cannot attach a local Storage Domain to a shared storage Data Center.",
            ));
        }
        if let Some(&machine) = self.local_domains.get(&domain) {
            let address = &self.machines[machine].address;
            let here = self.hosts_in(data_center).into_iter().any(|h| {
                self.host(h)
                    .is_ok_and(|h| h.address.eq_ignore_ascii_case(address))
            });
            if !here {
                return Err(conflict(format!(
                    "{prefix} Storage domain {} is on {address}, which is no host of data center {}.",
                    sd.name, dc.name
                )));
            }
        }
        let uninitialized = dc.status == DataCenterStatus::Uninitialized;
        if uninitialized && sd.role != DomainRole::Data {
            return Err(conflict(
                "Cannot attach Storage Domain.\n-Please attach Data Domain to the Data Center first.",
            ));
        }
        if !uninitialized {
            self.check_master_up("attach", data_center)?;
        }
        let attached = self.domain_mut(domain).expect("domain");
        attached.data_center = Some(data_center);
        attached.status = StorageDomainStatus::Locked;
        attached.master = uninitialized;
        self.event(
            msg::USER_ATTACH_STORAGE_DOMAIN_TO_POOL,
            Severity::Normal,
            format!(
                "Storage Domain {} was attached to Data Center {} by {USER}",
                sd.name, dc.name
            ),
            None,
            None,
            None,
        );
        self.schedule(DOMAIN_ACTIVATION_MS, Step::DomainActive { domain });
        Ok(())
    }

    /// What the domain's OVF stores hold that the engine does not know
    /// (`GetUnregisteredVmsQuery`): read once the domain is active in a data center, so
    /// nothing before.
    pub fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        let sd = self.storage_domain(domain)?;
        if sd.data_center.is_none() || sd.status != StorageDomainStatus::Active {
            return Ok(Vec::new());
        }
        Ok(self
            .unregistered
            .get(&domain)
            .map(|stored| {
                stored
                    .vms
                    .iter()
                    .filter(|vm| self.vm(vm.id).is_err())
                    .map(|vm| UnregisteredVm {
                        id: vm.id,
                        name: vm.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `ImportVmFromConfigurationCommand` through `ImportVmCommand.validate` and
    /// `ImportVmCommandBase.validate`: the VM comes back down, with its id and disks, in the
    /// cluster asked for.
    pub fn register_vm(
        &mut self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        let sd = self.storage_domain(domain)?.clone();
        let prefix = "Cannot import VM.";
        if sd.data_center.is_none() || sd.status != StorageDomainStatus::Active {
            return Err(conflict(format!(
                "{prefix} The relevant Storage Domain's status is {}.",
                java_status(sd.status)
            )));
        }
        let found = self
            .unregistered
            .get(&domain)
            .and_then(|s| s.vms.iter().find(|v| v.id == vm))
            .cloned();
        let Some(mut found) = found else {
            return Err(conflict(format!("{prefix} VM is not found.")));
        };
        let Some(target) = self.cluster(cluster).cloned() else {
            return Err(refused(
                400,
                format!("{prefix} The relevant Cluster doesn't exist."),
            ));
        };
        if Some(target.data_center) != sd.data_center {
            return Err(conflict(format!("{prefix} Cluster ID is not valid.")));
        }
        if let Ok(known) = self.vm(vm) {
            return Err(conflict(format!("Import VM failed - VM ID already exists in the system. Please remove the VM ({}) from the system first", known.name)));
        }
        let name_taken = self.inventory.vms.iter().any(|v| {
            v.name == found.name
                && self.cluster(v.cluster).map(|c| c.data_center) == Some(target.data_center)
        });
        if name_taken {
            return Err(conflict("Import VM failed - VM Name already exists in the Data Center. Please rename the VM in the Data Center first"));
        }
        let stored = self.unregistered.get_mut(&domain).expect("found there");
        stored.vms.retain(|v| v.id != vm);
        let (disks, rest): (Vec<Disk>, Vec<Disk>) = std::mem::take(&mut stored.disks)
            .into_iter()
            .partition(|d| d.vm == Some(vm));
        stored.disks = rest;
        found.cluster = cluster;
        found.status = VmStatus::Down;
        found.host = None;
        // Hosts it was pinned to that the engine no longer has are dropped.
        found.pinned_hosts.retain(|&h| self.hosts.contains_key(&h));
        let name = found.name.clone();
        self.vms.insert(vm, self.inventory.vms.len());
        self.inventory.vms.push(found);
        self.inventory.disks.extend(disks);
        self.history.vm_registered(vm);
        self.event(
            msg::VM_IMPORT_FROM_CONFIGURATION_EXECUTED_SUCCESSFULLY,
            Severity::Normal,
            format!("VM {name} has been successfully imported from the given configuration."),
            None,
            Some(vm),
            Some(cluster),
        );
        Ok(())
    }
}
