//! The engine seam's values ([`model::engine`]): events, and actions as request bodies.

use model::engine::{
    ClusterUpgrade, DomainAction, ExternalSource, HostAction, NewHost, Password, Severity,
    SshAuthentication, VmAction,
};
use model::{ClusterId, DataCenterId, HostId, InventoryIndex, VmId};

use super::{ApiPath, Converting};
use crate::error::{ConvertError, ObjectLabel};
use crate::types::*;

fn severity_to_wire(severity: Severity) -> LogSeverity {
    match severity {
        Severity::Normal => LogSeverity::Normal,
        Severity::Warning => LogSeverity::Warning,
        Severity::Error => LogSeverity::Error,
        Severity::Alert => LogSeverity::Alert,
    }
}

impl LogSeverity {
    pub fn to_model(self) -> Severity {
        severity_to_model(self)
    }
}

/// The origin of the engine's own events; clients may not add events under it.
pub const ENGINE_ORIGIN: &str = "oVirt";

fn severity_to_model(severity: LogSeverity) -> Severity {
    match severity {
        LogSeverity::Normal => Severity::Normal,
        LogSeverity::Warning => Severity::Warning,
        LogSeverity::Error => Severity::Error,
        LogSeverity::Alert => Severity::Alert,
    }
}

impl Event {
    /// The event as the engine lists it, its objects linked with their names from
    /// `inventory` (ansible looks for `host.name` in the events, trap §10.8).
    pub fn from_model(
        event: &model::engine::Event,
        inventory: &InventoryIndex<'_>,
        api: &ApiPath,
    ) -> Event {
        let id = event.id.to_string();
        let named = |segment: &str, id: String, name: Option<&str>| {
            let reference = api.reference(segment, id);
            match name {
                Some(name) => reference.with_name(name),
                None => reference,
            }
        };
        let cluster = event.cluster.map(|id| inventory.cluster(id));
        // An event names its data center, or the engine shows its cluster's.
        let data_center = match event.data_center {
            Some(id) => Some((id, inventory.data_center(id).map(|dc| dc.name.as_str()))),
            None => cluster
                .flatten()
                .and_then(|cluster| inventory.data_center(cluster.data_center))
                .map(|dc| (dc.id, Some(dc.name.as_str()))),
        };
        Event {
            href: Some(api.entity("events", &id)),
            id: Some(id),
            description: Some(event.description.clone()),
            code: Some(i32::try_from(event.code).unwrap_or(i32::MAX)),
            correlation_id: event.correlation_id.clone(),
            custom_id: Some(event.external.as_ref().map_or(-1, |e| e.custom_id)),
            flood_rate: Some(30),
            index: Some(i64::try_from(event.id).unwrap_or(i64::MAX)),
            origin: Some(
                event
                    .external
                    .as_ref()
                    .map_or(ENGINE_ORIGIN, |e| e.origin.as_str())
                    .to_owned(),
            ),
            severity: Some(severity_to_wire(event.severity)),
            time: Some(event.time.into()),
            cluster: event.cluster.map(|id| {
                named(
                    "clusters",
                    id.to_string(),
                    cluster.flatten().map(|c| c.name.as_str()),
                )
            }),
            data_center: data_center.map(|(id, name)| named("datacenters", id.to_string(), name)),
            host: event.host.map(|id| {
                named(
                    "hosts",
                    id.to_string(),
                    inventory.host(id).map(|h| h.name.as_str()),
                )
            }),
            vm: event.vm.map(|id| {
                named(
                    "vms",
                    id.to_string(),
                    inventory.vm(id).map(|v| v.name.as_str()),
                )
            }),
            ..Event::default()
        }
    }

    pub fn to_model(&self) -> Result<model::engine::Event, ConvertError> {
        let c = Converting::of(self);
        let id = c.required(&self.id, "id")?;
        let code = c.required(&self.code, "<code>")?;
        let external = self
            .origin
            .as_ref()
            .filter(|origin| !origin.eq_ignore_ascii_case(ENGINE_ORIGIN))
            .map(|origin| ExternalSource {
                origin: origin.clone(),
                custom_id: self.custom_id.unwrap_or(-1),
            });
        // The engine's own events show their cluster's data center; only a client's names one.
        let data_center = match external {
            Some(_) => c.optional_reference::<DataCenterId>(&self.data_center, "<data_center>")?,
            None => None,
        };
        Ok(model::engine::Event {
            id: id
                .parse()
                .map_err(|_| c.error("id", format!("{id:?} is not an event number")))?,
            code: c.unsigned(Some(code), "<code>")?.unwrap_or_default(),
            severity: severity_to_model(c.required(&self.severity, "<severity>")?),
            description: self.description.clone().unwrap_or_default(),
            time: c.required(&self.time, "<time>")?.into(),
            host: c.optional_reference::<HostId>(&self.host, "<host>")?,
            vm: c.optional_reference::<VmId>(&self.vm, "<vm>")?,
            cluster: c.optional_reference::<ClusterId>(&self.cluster, "<cluster>")?,
            correlation_id: self.correlation_id.clone(),
            data_center,
            external,
        })
    }
}

/// Errors about an action name it by its URL segment: `action "upgrade": …`.
fn converting_action(segment: &str) -> Converting {
    Converting::labelled(ObjectLabel::new("action", Some(segment), None))
}

impl Host {
    /// The body of `POST /hosts` adding `host`; its flags travel as URL parameters
    /// ([`new_host_query`]). A root password goes as `root_password`, as the SDK sends it.
    pub fn for_new(host: &NewHost) -> Host {
        let (method, root_password) = match &host.ssh {
            SshAuthentication::PublicKey => (SshAuthenticationMethod::Publickey, None),
            SshAuthentication::Password(password) => (
                SshAuthenticationMethod::Password,
                Some(password.expose().to_owned()),
            ),
        };
        Host {
            name: Some(host.name.clone()),
            address: Some(host.address.clone()),
            cluster: Some(Ref::id(host.cluster.to_string())),
            root_password,
            ssh: Some(Ssh {
                authentication_method: Some(method),
                ..Ssh::default()
            }),
            ..Host::default()
        }
    }

    /// What a `POST /hosts` body asks for, in `cluster` (which the server resolves from
    /// `<cluster>` by id or name), with the engine's defaults for the URL parameters.
    /// Without `<ssh><authentication_method>` the engine logs in with the root password.
    pub fn to_new_host(&self, cluster: ClusterId) -> Result<NewHost, ConvertError> {
        let c = Converting::of(self);
        let ssh = match self.ssh.as_ref().and_then(|ssh| ssh.authentication_method) {
            Some(SshAuthenticationMethod::Publickey) => SshAuthentication::PublicKey,
            Some(SshAuthenticationMethod::Password) | None => SshAuthentication::Password(
                Password::new(self.root_password.clone().unwrap_or_default()),
            ),
        };
        Ok(NewHost::new(
            c.name(&self.name)?,
            c.required(&self.address, "<address>")?,
            cluster,
            ssh,
        ))
    }
}

/// The URL parameters of `POST /hosts` for `host` (`BackendHostsResource.add`), each
/// written only where it differs from the engine's default.
pub fn new_host_query(host: &NewHost) -> Vec<(&'static str, bool)> {
    [
        ("deploy_hosted_engine", host.deploy_hosted_engine, false),
        ("activate", host.activate, true),
        ("reboot", host.reboot, true),
    ]
    .into_iter()
    .filter(|&(_, value, default)| value != default)
    .map(|(name, value, _)| (name, value))
    .collect()
}

impl Action {
    /// The URL segment (`hosts/{id}/<segment>`) and the body of a host action.
    pub fn for_host(action: &HostAction) -> (&'static str, Action) {
        match action {
            HostAction::Deactivate { reason, .. } => (
                "deactivate",
                Action {
                    reason: reason.clone(),
                    ..Action::default()
                },
            ),
            HostAction::Activate => ("activate", Action::default()),
            HostAction::UpgradeCheck => ("upgradecheck", Action::default()),
            HostAction::Upgrade {
                reboot,
                timeout_minutes,
            } => (
                "upgrade",
                Action {
                    reboot: Some(*reboot),
                    timeout: timeout_minutes.map(|m| i32::try_from(m).unwrap_or(i32::MAX)),
                    ..Action::default()
                },
            ),
        }
    }

    /// The host action a request to `hosts/{id}/<segment>` with this body asks for.
    pub fn to_host_action(&self, segment: &str) -> Result<HostAction, ConvertError> {
        let c = converting_action(segment);
        Ok(match segment {
            "deactivate" => HostAction::Deactivate {
                reason: self.reason.clone(),
                // The engine reads it from the URL only (`BackendHostResource.deactivate`).
                stop_gluster_service: false,
            },
            "activate" => HostAction::Activate,
            "upgradecheck" => HostAction::UpgradeCheck,
            "upgrade" => HostAction::Upgrade {
                // The engine's default: reboot after upgrading.
                reboot: self.reboot.unwrap_or(true),
                timeout_minutes: c.unsigned(self.timeout, "<timeout>")?,
            },
            _ => return Err(c.error("", "is not a host action of this API subset")),
        })
    }

    /// The URL segment (`vms/{id}/<segment>`) and the body of a VM action.
    pub fn for_vm(action: &VmAction) -> (&'static str, Action) {
        match action {
            VmAction::Migrate { host, force } => (
                "migrate",
                Action {
                    host: host.map(|host| Ref::id(host.to_string())),
                    force: force.then_some(true),
                    ..Action::default()
                },
            ),
            VmAction::Start => ("start", Action::default()),
            VmAction::Stop => ("stop", Action::default()),
            VmAction::Shutdown => ("shutdown", Action::default()),
            VmAction::Reboot => ("reboot", Action::default()),
            VmAction::GlobalMaintenance { enabled } => (
                "maintenance",
                Action {
                    maintenance_enabled: Some(*enabled),
                    ..Action::default()
                },
            ),
        }
    }

    /// The VM action a request to `vms/{id}/<segment>` with this body asks for. A migration
    /// destination may be given by name (`<host><name>h</name></host>`); `host_named` finds it.
    pub fn to_vm_action(
        &self,
        segment: &str,
        host_named: impl Fn(&str) -> Option<HostId>,
    ) -> Result<VmAction, ConvertError> {
        let c = converting_action(segment);
        Ok(match segment {
            "migrate" => {
                let host = match &self.host {
                    None => None,
                    Some(host) if host.id.is_some() => Some(c.reference_id(host, "<host>")?),
                    Some(Ref {
                        name: Some(name), ..
                    }) => Some(host_named(name).ok_or_else(|| {
                        c.error("<host>", format!("names no known host: {name:?}"))
                    })?),
                    Some(_) => return Err(c.error("<host>", "has neither id nor name")),
                };
                VmAction::Migrate {
                    host,
                    force: self.force.unwrap_or(false),
                }
            }
            "start" => VmAction::Start,
            "stop" => VmAction::Stop,
            "shutdown" => VmAction::Shutdown,
            "reboot" => VmAction::Reboot,
            "maintenance" => VmAction::GlobalMaintenance {
                enabled: c.required(&self.maintenance_enabled, "<maintenance_enabled>")?,
            },
            _ => return Err(c.error("", "is not a VM action of this API subset")),
        })
    }

    /// The URL segment (`datacenters/{id}/storagedomains/{sd}/<segment>`) and the body of a
    /// storage domain's activation or deactivation.
    pub fn for_domain(action: DomainAction) -> (&'static str, Action) {
        let segment = match action {
            DomainAction::Activate => "activate",
            DomainAction::Deactivate => "deactivate",
        };
        (segment, Action::default())
    }

    /// The domain action a request to `…/storagedomains/{sd}/<segment>` asks for.
    pub fn to_domain_action(segment: &str) -> Result<DomainAction, ConvertError> {
        match segment {
            "activate" => Ok(DomainAction::Activate),
            "deactivate" => Ok(DomainAction::Deactivate),
            _ => Err(converting_action(segment)
                .error("", "is not a storage domain action of this API subset")),
        }
    }

    /// The body of `POST storagedomains/{sd}/vms/{vm}/register`: the cluster to register
    /// the VM into.
    pub fn for_register(cluster: ClusterId) -> Action {
        Action {
            cluster: Some(Ref::id(cluster.to_string())),
            ..Action::default()
        }
    }

    /// The body of `POST clusters/{id}/upgrade`.
    pub fn for_cluster_upgrade(action: ClusterUpgrade) -> Action {
        let (upgrade_action, percent) = match action {
            ClusterUpgrade::Start => (ClusterUpgradeAction::Start, None),
            ClusterUpgrade::UpdateProgress { percent } => (
                ClusterUpgradeAction::UpdateProgress,
                Some(i32::from(percent)),
            ),
            ClusterUpgrade::Finish => (ClusterUpgradeAction::Finish, None),
        };
        Action {
            upgrade_action: Some(upgrade_action),
            upgrade_percent_complete: percent,
            ..Action::default()
        }
    }

    /// What a cluster `upgrade` request asks for. The correlation id, when given, is in
    /// `correlation_id`.
    pub fn to_cluster_upgrade(&self) -> Result<ClusterUpgrade, ConvertError> {
        let c = converting_action("upgrade");
        Ok(
            match c.required(&self.upgrade_action, "<upgrade_action>")? {
                ClusterUpgradeAction::Start => ClusterUpgrade::Start,
                ClusterUpgradeAction::Finish => ClusterUpgrade::Finish,
                ClusterUpgradeAction::UpdateProgress => {
                    let percent =
                        c.required(&self.upgrade_percent_complete, "<upgrade_percent_complete>")?;
                    let percent =
                        u8::try_from(percent)
                            .ok()
                            .filter(|p| *p <= 100)
                            .ok_or_else(|| {
                                c.error(
                            "<upgrade_percent_complete>",
                            format!("is {percent}; the value needs to be in the range of 0 to 100"),
                        )
                            })?;
                    ClusterUpgrade::UpdateProgress { percent }
                }
            },
        )
    }
}
