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
use crate::{convert_error, Client, ClientError, ErrorKind};

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

impl Client {
    /// A domain from an answer of the top-level shape, which hides an attached domain's
    /// status: that one is read again from its data center's list.
    async fn domain_model(
        &self,
        target: &str,
        domain: ovirt_wire::StorageDomain,
    ) -> Result<StorageDomain, EngineError> {
        let data_center = domain
            .data_centers
            .as_deref()
            .and_then(<[ovirt_wire::Ref]>::first)
            .and_then(|dc| dc.id.clone());
        let domain = match (domain.status, data_center, domain.id.clone()) {
            (None, Some(dc), Some(id)) => {
                let call = Call::get(format!("datacenters/{dc}/storagedomains/{id}"))
                    .about("storage domain", &id);
                self.get::<ovirt_wire::StorageDomain>(call).await?.1
            }
            _ => domain,
        };
        Ok(domain
            .to_model()
            .map_err(|error| convert_error(target, error))?)
    }

    /// The local domain a lost `POST /storagedomains` may have made: its name, at its path.
    async fn local_domain_named(
        &self,
        new: &NewLocalDomain,
    ) -> Result<Option<StorageDomain>, EngineError> {
        let call = Call::get("storagedomains").query("search", format!("name=\"{}\"", new.name));
        let found = self
            .list(call, |_, domain: ovirt_wire::StorageDomain| {
                let same = domain.name.as_deref() == Some(new.name.as_str())
                    && domain.storage.as_ref().and_then(|s| s.path.as_deref())
                        == Some(new.path.as_str());
                Ok(same.then_some(domain))
            })
            .await?;
        match found.into_iter().next() {
            Some(domain) => Ok(Some(self.domain_model("GET storagedomains", domain).await?)),
            None => Ok(None),
        }
    }

    /// Whether the engine shows a storage domain at `path` (404: it does not).
    async fn has_domain_at(&self, path: String) -> Result<bool, EngineError> {
        match self.get::<ovirt_wire::StorageDomain>(Call::get(path)).await {
            Ok(_) => Ok(true),
            Err(error) if matches!(error.kind, ErrorKind::NotFound { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

/// What to do when a call that must not repeat got no answer and reading did not show it done.
const LOST_HINT: &str =
    "the engine may still be doing it: look in its events and tasks before asking again";

/// Whether the request may have reached the engine without its answer reaching us.
fn answer_lost(error: &ClientError) -> bool {
    matches!(error.kind, ErrorKind::Timeout | ErrorKind::Unavailable)
}

/// A call whose answer was lost, not seen done: "try again" would be the wrong advice.
fn lost(error: ClientError, object: &str) -> ClientError {
    about(
        ClientError {
            hint: None,
            ..error
        },
        object,
        LOST_HINT,
    )
}

/// Names the object a call was about, and says what usually stands in the way where the
/// error has no hint of its own.
fn about(error: ClientError, object: &str, hint: &str) -> ClientError {
    let hinted = error.hint.is_some();
    let error = ClientError {
        target: format!("{object}: {}", error.target).into_boxed_str(),
        ..error
    };
    if hinted {
        error
    } else {
        error.with_hint(hint)
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

    async fn destroy_storage_domain(&self, id: StorageDomainId) -> Result<(), EngineError> {
        // Sent again, it would find no domain: a lost answer is checked by reading instead.
        let call = Call {
            method: Method::DELETE,
            replay: Replay::UnsentOnly,
            ..Call::get(format!("storagedomains/{id}"))
        }
        .query("destroy", "true")
        .about("storage domain", id);
        let object = format!("storage domain {id}");
        match self.run_action(&call).await {
            Err(error) if answer_lost(&error) => {
                if !self.has_domain_at(format!("storagedomains/{id}")).await? {
                    return Ok(());
                }
                Err(lost(error, &object).into())
            }
            result => Ok(result.map_err(|error| {
                about(
                    error,
                    &object,
                    "a domain is destroyed only out of service: deactivate it in its data center first (a master goes last)",
                )
            })?),
        }
    }

    async fn add_local_domain(&self, new: NewLocalDomain) -> Result<StorageDomain, EngineError> {
        let body = ovirt_wire::StorageDomain::for_new_local(&new);
        let call = Call::send(
            Method::POST,
            "storagedomains",
            ovirt_wire::to_request_xml(&body),
            Replay::UnsentOnly,
        )
        .about("host", new.host);
        let object = format!(
            "local domain {:?} ({} on host {})",
            new.name, new.path, new.host
        );
        match self.get::<ovirt_wire::StorageDomain>(call).await {
            Ok((target, added)) => self.domain_model(&target, added).await,
            Err(error) if answer_lost(&error) => match self.local_domain_named(&new).await? {
                Some(found) => Ok(found),
                None => Err(lost(error, &object).into()),
            },
            Err(error) => Err(about(
                error,
                &object,
                "the host must be up in its local data center, and the directory empty and writable by vdsm (owner 36:36)",
            )
            .into()),
        }
    }

    async fn attach_storage_domain(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        let body = ovirt_wire::StorageDomain::for_attach(domain);
        let call = Call::send(
            Method::POST,
            format!("datacenters/{data_center}/storagedomains"),
            ovirt_wire::to_request_xml(&body),
            Replay::UnsentOnly,
        )
        .about("data center", data_center);
        let object = format!("storage domain {domain} into data center {data_center}");
        match self.execute(&call).await {
            Ok(_) => Ok(()),
            Err(error) if answer_lost(&error) => {
                let path = format!("datacenters/{data_center}/storagedomains/{domain}");
                if self.has_domain_at(path).await? {
                    return Ok(());
                }
                Err(lost(error, &object).into())
            }
            Err(error) => Err(about(
                error,
                &object,
                "the domain must be unattached, and a local domain's host up in that local data center",
            )
            .into()),
        }
    }

    async fn storage_domain_action(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        let (segment, body) = Action::for_domain(action);
        // Either, sent twice, is refused the second time: the domain is already there.
        self.act(
            format!("datacenters/{data_center}/storagedomains/{domain}/{segment}"),
            &body,
            Replay::UnsentOnly,
            ("storage domain", domain.to_string()),
        )
        .await
        .map_err(|error| {
            about(
                error,
                &format!("storage domain {domain} in data center {data_center}"),
                match action {
                    DomainAction::Activate => "its data center's hosts must be up",
                    DomainAction::Deactivate => "the VMs with disks there must be down first",
                },
            )
        })?;
        Ok(())
    }

    async fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        // The matrix parameter, bare: `BackendStorageDomainVmsResource` reads it as true.
        let call = Call::get(format!("storagedomains/{domain}/vms;unregistered"))
            .about("storage domain", domain);
        Ok(self
            .list(call, |target, vm: ovirt_wire::Vm| {
                vm.to_unregistered()
                    .map(Some)
                    .map_err(|error| convert_error(target, error))
            })
            .await?)
    }

    async fn register_vm(
        &self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        let body = Action::for_register(cluster);
        let call = Call::send(
            Method::POST,
            format!("storagedomains/{domain}/vms/{vm}/register"),
            ovirt_wire::to_request_xml(&body),
            Replay::UnsentOnly,
        )
        .about("storage domain", domain);
        let object = format!("VM {vm} of storage domain {domain}");
        match self.run_action(&call).await {
            Ok(()) => Ok(()),
            // Registered twice, the second is refused (the id is in use): look instead.
            Err(error) if answer_lost(&error) => match self.vm(vm).await {
                Ok(_) => Ok(()),
                Err(EngineError::NotFound { .. }) => Err(lost(error, &object).into()),
                Err(other) => Err(other),
            },
            Err(error) => Err(about(
                error,
                &object,
                "the domain must be active in the cluster's data center, and the VM among its unregistered ones",
            )
            .into()),
        }
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
