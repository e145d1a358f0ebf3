//! The engine seam over HTTP: what the orchestrator and the live checks ask, as API requests.

use model::engine::{
    ClusterUpdate, ClusterUpgrade, DomainAction, Engine, EngineError, Event, HostAction, NewHost,
    NewLocalDomain, UnregisteredVm, VmAction,
};
use model::{
    release, Affinity, ClusterId, DataCenterId, ElVersion, Host, HostId, Inventory, Level,
    StorageDomain, StorageDomainId, VmId,
};
use ovirt_wire::Action;
use reqwest::Method;

use crate::transport::{Call, Replay};
use crate::{convert_error, Client};

/// Whether sending the host action twice changes nothing.
fn host_replay(action: &HostAction) -> Replay {
    match action {
        HostAction::UpgradeCheck => Replay::Idempotent,
        HostAction::Deactivate { .. } | HostAction::Activate | HostAction::Upgrade { .. } => {
            Replay::UnsentOnly
        }
    }
}

fn vm_replay(action: &VmAction) -> Replay {
    match action {
        // Setting global maintenance to a value twice leaves it at that value.
        VmAction::GlobalMaintenance { .. } => Replay::Idempotent,
        VmAction::Migrate { .. }
        | VmAction::Start
        | VmAction::Stop
        | VmAction::Shutdown
        | VmAction::Reboot => Replay::UnsentOnly,
    }
}

impl Client {
    /// What a host being deployed runs before it says so: the oldest release this Manager's
    /// host-deploy accepts (it refuses the others).
    fn unreported_os(&self) -> ElVersion {
        release::release_of(self.engine_version())
            .ok()
            .and_then(|r| r.host_os.first())
            .map_or(ElVersion::major_only(8), |range| range.from)
    }

    fn host_model(&self, target: &str, host: &ovirt_wire::Host) -> Result<Host, EngineError> {
        Ok(host
            .to_model_or(self.unreported_os())
            .map_err(|error| convert_error(target, error))?)
    }
}

impl Engine for Client {
    async fn inventory(&self) -> Result<Inventory, EngineError> {
        Ok(self.read_for_seam(self.unreported_os()).await?)
    }

    async fn host(&self, id: HostId) -> Result<Host, EngineError> {
        let call = Call::get(format!("hosts/{id}"))
            .all_content()
            .about("host", id);
        let (target, host): (_, ovirt_wire::Host) = self.get(call).await?;
        self.host_model(&target, &host)
    }

    async fn vm(&self, id: VmId) -> Result<model::Vm, EngineError> {
        let call = Call::get(format!("vms/{id}")).about("VM", id);
        let (target, vm): (_, ovirt_wire::Vm) = self.get(call).await?;
        Ok(vm
            .to_model()
            .map_err(|error| convert_error(&target, error))?)
    }

    async fn host_action(&self, id: HostId, action: HostAction) -> Result<(), EngineError> {
        let (segment, body) = Action::for_host(&action);
        self.act(
            format!("hosts/{id}/{segment}"),
            &body,
            host_replay(&action),
            ("host", id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn vm_action(&self, id: VmId, action: VmAction) -> Result<(), EngineError> {
        let (segment, body) = Action::for_vm(&action);
        self.act(
            format!("vms/{id}/{segment}"),
            &body,
            vm_replay(&action),
            ("VM", id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn remove_host(&self, id: HostId, force: bool) -> Result<(), EngineError> {
        // A removal whose answer was lost is not sent again: the second would find no host.
        let mut call = Call {
            method: Method::DELETE,
            replay: Replay::UnsentOnly,
            ..Call::get(format!("hosts/{id}"))
        }
        .about("host", id);
        if force {
            call = call.query("force", "true");
        }
        self.run_action(&call).await?;
        Ok(())
    }

    /// The root password goes in the request body only; nothing here logs it.
    async fn add_host(&self, host: NewHost) -> Result<Host, EngineError> {
        let body = ovirt_wire::Host::for_new(&host);
        let mut call = Call::send(
            Method::POST,
            "hosts",
            ovirt_wire::to_request_xml(&body),
            Replay::UnsentOnly,
        );
        for (name, value) in ovirt_wire::new_host_query(&host) {
            call = call.query(name, value.to_string());
        }
        let (target, added): (_, ovirt_wire::Host) = self.get(call).await?;
        self.host_model(&target, &added)
    }

    async fn set_vm_placement(
        &self,
        id: VmId,
        affinity: Affinity,
        hosts: Vec<HostId>,
    ) -> Result<(), EngineError> {
        let body = ovirt_wire::Vm::placement_update(affinity, &hosts);
        let call = Call::send(
            Method::PUT,
            format!("vms/{id}"),
            ovirt_wire::to_request_xml(&body),
            Replay::Idempotent,
        )
        .about("VM", id);
        self.execute(&call).await?;
        Ok(())
    }

    // BASE STUB: filled by the client work; nothing here may land as it is.
    async fn destroy_storage_domain(&self, id: StorageDomainId) -> Result<(), EngineError> {
        let _ = id;
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn add_local_domain(&self, new: NewLocalDomain) -> Result<StorageDomain, EngineError> {
        let _ = new;
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn attach_storage_domain(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        let _ = (data_center, domain);
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn storage_domain_action(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        let _ = (data_center, domain, action);
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        let _ = domain;
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn register_vm(
        &self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        let _ = (domain, vm, cluster);
        Err(EngineError::Protocol("not built yet".into()))
    }

    async fn update_cluster(
        &self,
        id: ClusterId,
        update: ClusterUpdate,
    ) -> Result<(), EngineError> {
        let body = ovirt_wire::Cluster::from_update(&update, self.api_path());
        let call = Call::send(
            Method::PUT,
            format!("clusters/{id}"),
            ovirt_wire::to_request_xml(&body),
            Replay::Idempotent,
        )
        .about("cluster", id);
        self.execute(&call).await?;
        Ok(())
    }

    async fn update_data_center(
        &self,
        id: DataCenterId,
        version: Level,
    ) -> Result<(), EngineError> {
        let body = ovirt_wire::DataCenter::version_update(version);
        let call = Call::send(
            Method::PUT,
            format!("datacenters/{id}"),
            ovirt_wire::to_request_xml(&body),
            Replay::Idempotent,
        )
        .about("data center", id);
        self.execute(&call).await?;
        Ok(())
    }

    async fn cluster_upgrade(
        &self,
        id: ClusterId,
        action: ClusterUpgrade,
    ) -> Result<(), EngineError> {
        // Starting twice is refused; progress and finish may be repeated.
        let replay = match action {
            ClusterUpgrade::Start => Replay::UnsentOnly,
            ClusterUpgrade::UpdateProgress { .. } | ClusterUpgrade::Finish => Replay::Idempotent,
        };
        let body = Action::for_cluster_upgrade(action);
        self.act(
            format!("clusters/{id}/upgrade"),
            &body,
            replay,
            ("cluster", id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn events(&self, after: Option<u64>) -> Result<Vec<Event>, EngineError> {
        let mut call = Call::get("events");
        if let Some(after) = after {
            call = call.query("from", after.to_string());
        }
        let mut events = self
            .list(call, |target, event: ovirt_wire::Event| {
                event
                    .to_model()
                    .map(Some)
                    .map_err(|error| convert_error(target, error))
            })
            .await?;
        // An engine that ignores `from` still answers only what was asked.
        if let Some(after) = after {
            events.retain(|event| event.id > after);
        }
        events.sort_by_key(|event| std::cmp::Reverse(event.id));
        Ok(events)
    }

    /// One event, the newest: the engine lists its log newest first.
    async fn newest_event_id(&self) -> Result<Option<u64>, EngineError> {
        let newest = self
            .list(
                Call::get("events").query("max", "1"),
                |target, event: ovirt_wire::Event| {
                    event
                        .to_model()
                        .map(|event| Some(event.id))
                        .map_err(|error| convert_error(target, error))
                },
            )
            .await?;
        Ok(newest.into_iter().max())
    }
}
