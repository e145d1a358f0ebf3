//! Local storage domains leaving the engine's records and imported again (guide §1.1.9).
// BASE STUB: the bodies are filled by the storage work; nothing here may land as it is.

use model::engine::{DomainAction, NewLocalDomain, UnregisteredVm};

use super::*;

impl Simulator {
    pub fn destroy_storage_domain(&mut self, id: StorageDomainId) -> Result<(), EngineError> {
        let _ = id;
        Err(refused(501, "not built yet"))
    }

    pub fn add_local_domain(
        &mut self,
        new: NewLocalDomain,
    ) -> Result<StorageDomainId, EngineError> {
        let _ = new;
        Err(refused(501, "not built yet"))
    }

    pub fn attach_storage_domain(
        &mut self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        let _ = (data_center, domain);
        Err(refused(501, "not built yet"))
    }

    pub fn storage_domain_action(
        &mut self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        let _ = (data_center, domain, action);
        Err(refused(501, "not built yet"))
    }

    pub fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        let _ = domain;
        Err(refused(501, "not built yet"))
    }

    pub fn register_vm(
        &mut self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        let _ = (domain, vm, cluster);
        Err(refused(501, "not built yet"))
    }
}
