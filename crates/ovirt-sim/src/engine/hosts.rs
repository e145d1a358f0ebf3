//! Hosts coming and going. The machines behind the hosts outlive their host records: a
//! host is removed (`RemoveVdsCommand`), its machine's operating system reinstalled outside
//! the engine (PXE, kickstart, Foreman), and the machine added back as a new host
//! (`AddVdsCommand`, then `InstallVdsInternalCommand` deploys it in the background).

use std::collections::BTreeMap;

use model::engine::{NewHost, SshAuthentication};

use super::storage::StoredDomain;
use super::*;

/// A physical machine the engine may know as a host.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// Its FQDN or address: what a host is added by.
    pub address: String,
    /// The name its host had when the simulator started; faults name machines by it.
    pub name: String,
    pub os: ElVersion,
    pub host_type: HostType,
    /// Physical memory in bytes.
    pub memory: u64,
    /// The engine's SSH key is in root's `authorized_keys`, so public-key deployment works.
    pub engine_key: bool,
    pub state: MachineState,
    /// What its disk holds that the engine no longer records: local domains taken out of the
    /// records, by path. A reinstall keeps them (the guide's kickstart keeps the data disk).
    pub storage: BTreeMap<String, StoredDomain>,
}

/// Whether a machine answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineState {
    /// Its operating system runs and answers SSH.
    Running,
    /// Being reinstalled, unreachable until it is done (for good with `reinstall-lost`).
    Reinstalling(Reinstall),
    /// Its last reinstall failed: it does not boot until reinstalled again.
    Failed,
}

impl MachineState {
    pub fn as_str(&self) -> &'static str {
        match self {
            MachineState::Running => "running",
            MachineState::Reinstalling(_) => "reinstalling",
            MachineState::Failed => "failed",
        }
    }
}

/// What a reinstall puts on a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reinstall {
    /// With its minor release: which hosts a release supports depends on it.
    pub os: ElVersion,
    /// Enterprise Linux with packages, or an oVirt Node / RHVH image.
    pub host_type: HostType,
    /// The installation puts the engine's SSH key in root's `authorized_keys` (as a
    /// kickstart fetching it from the engine's `pki-resource` does).
    pub engine_key: bool,
}

/// What a deployment was asked to do once its packages are in.
#[derive(Debug, Clone, Copy)]
pub(super) struct DeployRun {
    activate: bool,
    reboot: bool,
    hosted_engine: bool,
}

/// `MaxVdsNameLength`.
const MAX_HOST_NAME: usize = 255;

/// Where the engine writes a host's deployment log.
fn deploy_log(address: &str) -> String {
    format!("/var/log/ovirt-engine/host-deploy/ovirt-host-deploy-ansible-{address}.log")
}

/// `ValidationUtils.validHostname`: an IP address, or RFC 952 / 1123 labels.
fn valid_address(address: &str) -> bool {
    if address.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = address.strip_suffix('.').unwrap_or(address);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl Machine {
    /// The machine behind a host of the starting inventory.
    pub(super) fn of(host: &Host) -> Machine {
        Machine {
            address: host.address.clone(),
            name: host.name.clone(),
            os: host.os,
            host_type: host.host_type,
            memory: host.memory,
            engine_key: true,
            state: MachineState::Running,
            storage: BTreeMap::new(),
        }
    }

    /// Whether `text` names it: its address (without case) or its first host name.
    pub fn is(&self, text: &str) -> bool {
        self.address.eq_ignore_ascii_case(text) || self.name == text
    }

    fn named_in(&self, names: &std::collections::HashSet<String>) -> bool {
        names.contains(&self.name) || names.contains(&self.address)
    }
}

impl Simulator {
    pub fn machines(&self) -> &[Machine] {
        &self.machines
    }

    pub(super) fn machine_index(&self, address: &str) -> Option<usize> {
        self.machines.iter().position(|m| m.is(address))
    }

    /// The host record a machine is known by, if any.
    pub(super) fn host_on(&self, machine: &Machine) -> Option<&Host> {
        self.inventory
            .hosts
            .iter()
            .find(|h| h.address.eq_ignore_ascii_case(&machine.address))
    }

    /// Sim control: the machine's operating system is reinstalled, as an administrator does
    /// it outside the engine. Its host must have been removed first; the machine answers
    /// again after `reinstall_ms`, unless a fault says otherwise.
    pub fn reinstall_machine(&mut self, address: &str, to: Reinstall) -> Result<(), EngineError> {
        let Some(index) = self.machine_index(address) else {
            let known: Vec<&str> = self.machines.iter().map(|m| m.address.as_str()).collect();
            return Err(refused(
                400,
                format!(
                    "no machine is called {address}; the simulator has {}",
                    known.join(", ")
                ),
            ));
        };
        if to.os.minor.is_none() {
            return Err(refused(400, format!(
                "say which minor release {address} gets, such as el8.6: the hosts a Manager supports depend on it"
            )));
        }
        let machine = self.machines[index].clone();
        if let Some(host) = self.host_on(&machine) {
            return Err(conflict(format!(
                "machine {} is still host {} in the engine ({}): move its VMs away, put it in maintenance and remove it (DELETE /hosts/{}) before reinstalling it",
                machine.address, host.name, host.status, host.id
            )));
        }
        if matches!(machine.state, MachineState::Reinstalling(_)) {
            return Err(conflict(format!(
                "machine {} is already being reinstalled",
                machine.address
            )));
        }
        self.machines[index].state = MachineState::Reinstalling(to);
        if !machine.named_in(&self.faults.reinstall_lost) {
            self.schedule(
                self.config.reinstall_ms,
                Step::ReinstallDone { machine: index },
            );
        }
        Ok(())
    }

    /// Sim control: a reinstall under way ends now, as an administrator finishing one by
    /// hand at the machine's console (a `reinstall-lost` machine comes back this way).
    pub fn finish_reinstall(&mut self, address: &str) {
        if let Some(index) = self.machine_index(address) {
            self.reinstall_done(index);
        }
    }

    pub(super) fn reinstall_done(&mut self, index: usize) {
        let MachineState::Reinstalling(to) = self.machines[index].state else {
            return;
        };
        if self.machines[index].named_in(&self.faults.storage_wiped) {
            let wiped = std::mem::take(&mut self.machines[index].storage);
            for vm in wiped.values().flat_map(|d| &d.vms) {
                self.history.vm_wiped(self.now, vm.id);
            }
        }
        let failed =
            self.machines[index].named_in(&self.faults.reinstall_fail) || self.random_failure();
        let machine = &mut self.machines[index];
        if failed {
            machine.state = MachineState::Failed;
            return;
        }
        machine.os = to.os;
        machine.host_type = to.host_type;
        machine.engine_key = to.engine_key;
        machine.state = MachineState::Running;
    }

    // ----- removal -----

    /// `RemoveVdsCommand`: validated at once; the record goes, the host-remove playbook runs
    /// on the machine (562, then 563, or 564 when it cannot be reached), then 44.
    pub fn remove_host(&mut self, id: HostId, force: bool) -> Result<(), EngineError> {
        let host = self.host(id)?.clone();
        self.check_removal(&host, force)?;
        let version = self.inventory.manager.version;
        let reachable = host.status != HostStatus::NonResponsive
            && self
                .machine_index(&host.address)
                .is_some_and(|i| self.machines[i].state == MachineState::Running);
        let name = host.name.clone();
        let log = format!(
            "/var/log/ovirt-engine/host-deploy/ovirt-host-remove-ansible-{}.log",
            host.address
        );
        self.event(
            msg::VDS_ANSIBLE_HOST_REMOVE_STARTED,
            Severity::Normal,
            format!("Ansible host-remove playbook execution started on host {name}."),
            Some(id),
            None,
            None,
        );
        // From 4.4.0 an unreachable host that is down counts as done (bug 1707451).
        let down_is_done = host.status == HostStatus::Down && version >= Version::new(4, 4, 0);
        if reachable || down_is_done {
            self.event(
                msg::VDS_ANSIBLE_HOST_REMOVE_FINISHED,
                Severity::Normal,
                format!("Ansible host-remove playbook execution has successfully finished on host {name}. For more details check log {log}"),
                Some(id),
                None,
                None,
            );
        } else {
            self.event(
                msg::VDS_ANSIBLE_HOST_REMOVE_FAILED,
                Severity::Warning,
                format!("Ansible host-remove playbook execution failed on host {name}. For more details please check log {log}"),
                Some(id),
                None,
                None,
            );
            if version >= Version::new(4, 4, 0) {
                self.event(
                    msg::VDS_ANSIBLE_HOST_REMOVE_NO_SUCCESS,
                    Severity::Warning,
                    format!("Unconfiguring OVN on host {name} might have failed. Please ensure that the host is removed from the OVN Southbound database by using '/usr/share/ovirt-provider-ovn/scripts/remove_chassis.sh {name}' manually."),
                    Some(id),
                    None,
                    None,
                );
            }
        }
        self.event(
            msg::USER_REMOVE_VDS,
            Severity::Normal,
            format!("Host {name} was removed by {USER}."),
            Some(id),
            None,
            Some(host.cluster),
        );
        let running: Vec<VmId> = self.running_on(id);
        self.history
            .host_removed(self.now, id, &host.name, running.len());
        let index = self.hosts[&id];
        self.inventory.hosts.remove(index);
        self.hosts = self
            .inventory
            .hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i))
            .collect();
        self.host_runs.remove(&id);
        self.outgoing_slots.remove(&id);
        // The engine drops the host from the VMs that preferred it.
        for vm in &mut self.inventory.vms {
            vm.pinned_hosts.retain(|&h| h != id);
        }
        Ok(())
    }

    /// `RemoveVdsCommand.validate`. It names no SPM or hosted-engine rule: a host in
    /// maintenance holds neither role, and undeploying hosted engine first is the
    /// Administration Guide's advice, not a check.
    fn check_removal(&self, host: &Host, force: bool) -> Result<(), EngineError> {
        use HostStatus::*;
        if !matches!(
            host.status,
            NonResponsive
                | Maintenance
                | Down
                | Unassigned
                | InstallFailed
                | PendingApproval
                | NonOperational
                | InstallingOs
        ) {
            return Err(conflict(
                "Cannot remove Host. Host is operational. Please switch Host to Maintenance mode first.",
            ));
        }
        let incoming = self.migrating_to.values().any(|&to| to == host.id);
        if !self.running_on(host.id).is_empty() || incoming {
            return Err(conflict(
                "Cannot remove Host. One or more VMs are still running on this Host.",
            ));
        }
        let preferring: Vec<&Vm> = self
            .inventory
            .vms
            .iter()
            .filter(|v| v.pinned_hosts.contains(&host.id))
            .collect();
        let only_pinned =
            release::only_pinned_vms_block_host_removal(self.inventory.manager.version);
        let pinned: Vec<&str> = preferring
            .iter()
            .filter(|v| !only_pinned || v.affinity == Affinity::Pinned)
            .map(|v| v.name.as_str())
            .collect();
        if !pinned.is_empty() {
            return Err(conflict(format!(
                "Cannot remove Host. The following VMs are set to run specifically only on this Host: {}.\nIn order to remove Host, you need to remove the association between the VMs and the Host (Using Edit VM properties).",
                pinned.join(",")
            )));
        }
        let devices: Vec<&str> = preferring
            .iter()
            .filter(|v| only_pinned && v.host_devices > 0)
            .map(|v| v.name.as_str())
            .collect();
        if !devices.is_empty() {
            return Err(conflict(format!(
                "Cannot remove Host. The following VMs are assigned with host devices from this Host: {}.",
                devices.join(",")
            )));
        }
        let cluster = self.cluster(host.cluster).cloned();
        let data_center = cluster
            .as_ref()
            .and_then(|c| self.data_center(c.data_center).ok());
        if let Some(dc) = data_center.filter(|dc| dc.storage == StorageKind::Local) {
            if self
                .inventory
                .storage_domains
                .iter()
                .any(|sd| sd.data_center == Some(dc.id))
            {
                return Err(conflict("Cannot remove Host, as it contains a local Storage Domain. Please activate the Host and remove the Data Center first.\n- If Host cannot be activated, use the Force-Remove option on the Data Center object.\n- Please note that this action is destructive."));
            }
        }
        if let Some(cluster) = cluster.filter(|c| c.gluster_service) {
            // The inventory keeps no bricks: in a hyperconverged cluster every host holds
            // bricks of every volume.
            let bricks = self
                .inventory
                .gluster_volumes
                .iter()
                .any(|g| g.cluster == cluster.id);
            let others = self
                .inventory
                .hosts
                .iter()
                .filter(|h| h.id != host.id && h.cluster == cluster.id);
            let up_server = others.clone().any(|h| h.status == HostStatus::Up);
            let several = others.count() > 0;
            let having_volume = "Cannot remove Host. Server having Gluster volume.";
            if !force && bricks {
                return Err(conflict(having_volume));
            }
            if !force && !up_server && several {
                return Err(conflict(format!(
                    "Cannot remove Host. No up server found in {}.",
                    cluster.name
                )));
            }
            if force && bricks && up_server {
                return Err(conflict(having_volume));
            }
        }
        Ok(())
    }

    // ----- addition -----

    /// `AddVdsCommand`: validated at once (`HostValidator`, then an SSH connection to the
    /// machine); the host is recorded `installing` (42) and deployed in the background.
    pub fn add_host(&mut self, new: NewHost) -> Result<HostId, EngineError> {
        let cluster = self
            .cluster(new.cluster)
            .cloned()
            .ok_or_else(|| refused(400, "Cannot add Host. Cluster ID is not valid."))?;
        let machine = self.check_addition(&new, &cluster)?;
        let id = HostId(self.random_uuid());
        let host = Host {
            id,
            name: new.name.clone(),
            address: new.address.clone(),
            cluster: cluster.id,
            host_type: machine.host_type,
            os: machine.os,
            packages: Default::default(),
            status: HostStatus::Installing,
            update_available: false,
            memory: machine.memory,
            max_scheduling_memory: machine.memory.saturating_sub(HOST_RESERVED_MEMORY),
            spm: SpmStatus::None,
            hosted_engine: None,
            supported_levels: Vec::new(),
            ovn_configured: false,
        };
        self.hosts.insert(id, self.inventory.hosts.len());
        self.inventory.hosts.push(host);
        self.history.host_added(self.now, id, &new.name);
        self.host_runs.entry(id).or_default().deploy = Some(DeployRun {
            activate: new.activate,
            reboot: new.reboot && release::reboots_new_hosts(self.inventory.manager.version),
            hosted_engine: new.deploy_hosted_engine,
        });
        self.event(
            msg::USER_ADD_VDS,
            Severity::Normal,
            format!("Host {} was added by {USER}.", new.name),
            Some(id),
            None,
            Some(cluster.id),
        );
        if self.otopi_deploys() {
            self.log_install_stage(id, &new.name, "Initializing");
        } else {
            self.log_playbook_started(id, &new.name);
        }
        self.schedule(self.config.install_ms, Step::DeployDone { host: id });
        Ok(id)
    }

    /// `HostValidator` in `AddVdsCommand.validate`, then `canConnect`. Returns the machine.
    fn check_addition(&self, new: &NewHost, cluster: &Cluster) -> Result<Machine, EngineError> {
        if new.name.trim().is_empty() {
            return Err(refused(400, "Can not add Host. The given name is empty."));
        }
        if new.name.chars().count() > MAX_HOST_NAME {
            return Err(refused(400, "Cannot add Host. The given name is too long."));
        }
        if !valid_address(&new.address) {
            return Err(refused(400, "Can not add Host. The given Host name is invalid. Only Host names corresponding to RFC-952 and RFC-1123 are allowed."));
        }
        let per_cluster = release::host_names_unique_per_cluster(self.inventory.manager.version);
        let rivals = || {
            self.inventory
                .hosts
                .iter()
                .filter(move |h| !per_cluster || h.cluster == cluster.id)
        };
        if rivals().any(|h| h.name == new.name) {
            return Err(conflict("Cannot add Host. The Host name is already in use, please choose a unique name and try again."));
        }
        if rivals().any(|h| h.address.eq_ignore_ascii_case(&new.address)) {
            return Err(conflict(
                "Cannot add Host. Host with the same address already exists.",
            ));
        }
        let local = self
            .data_center(cluster.data_center)
            .is_ok_and(|dc| dc.storage == StorageKind::Local);
        if local && self.inventory.hosts.iter().any(|h| h.cluster == cluster.id) {
            return Err(refused(
                400,
                "Cannot add more than one Host to \"Local Storage\" Data Center",
            ));
        }
        if matches!(&new.ssh, SshAuthentication::Password(p) if p.expose().is_empty()) {
            return Err(refused(400, "Cannot install Host with empty password."));
        }
        if new.deploy_hosted_engine {
            let Some(engine_vm) = self.inventory.vms.iter().find(|v| v.hosted_engine) else {
                return Err(conflict("Cannot add Host. You are using an unmanaged hosted engine VM. Please add the first storage domain in order to start the hosted engine import process."));
            };
            let engine_dc = self.cluster(engine_vm.cluster).map(|c| c.data_center);
            if engine_dc != Some(cluster.data_center) {
                return Err(conflict("Cannot add Host. You are using host from data center other than hosted engine VM runs on. In order to start the hosted engine import process, please select host from the same data center or move the host there first."));
            }
        }
        let machine = self
            .machine_index(&new.address)
            .map(|i| self.machines[i].clone())
            .filter(|m| m.state == MachineState::Running)
            .ok_or_else(|| conflict("Cannot add Host. Connecting to host via SSH has failed, verify that the host is reachable (IP address, routable address etc.) You may refer to the engine.log file for further details."))?;
        if new.ssh == SshAuthentication::PublicKey && !machine.engine_key {
            return Err(conflict("Cannot add Host. SSH authentication failed, verify authentication parameters are correct (Username/Password, public-key etc.) You may refer to the engine.log file for further details."));
        }
        Ok(machine)
    }

    /// Before 4.4 host-deploy was otopi, which reported its stages (509), and the Ansible
    /// playbook ran after it; from 4.4 the playbook does it all.
    fn otopi_deploys(&self) -> bool {
        self.inventory.manager.version < Version::new(4, 4, 0)
    }

    fn log_install_stage(&mut self, id: HostId, name: &str, stage: &str) {
        self.event(
            msg::VDS_INSTALL_IN_PROGRESS,
            Severity::Normal,
            format!("Installing Host {name}. Stage: {stage}."),
            Some(id),
            None,
            None,
        );
    }

    fn log_playbook_started(&mut self, id: HostId, name: &str) {
        self.event(
            msg::VDS_ANSIBLE_INSTALL_STARTED,
            Severity::Normal,
            format!("Ansible host-deploy playbook execution has started on host {name}."),
            Some(id),
            None,
            None,
        );
    }

    /// `InstallVdsInternalCommand` after host-deploy ran: the Manager's repositories must
    /// serve the machine's operating system (4.4 hosts need EL8, guide §1.1.8), else
    /// `install_failed` and 505. Then 561, an SSH reboot when asked (197), and the host
    /// initializes, or stays in maintenance when it was not to be activated.
    pub(super) fn deploy_done(&mut self, host_id: HostId) {
        let Some(run) = self.host_runs.get(&host_id).and_then(|r| r.deploy) else {
            return;
        };
        let host = self.host(host_id).expect("host").clone();
        let machine = self
            .machine_index(&host.address)
            .map(|i| self.machines[i].clone());
        let named = |names: &std::collections::HashSet<String>| {
            names.contains(&host.name) || machine.as_ref().is_some_and(|m| m.named_in(names))
        };
        let (always, once) = (
            named(&self.faults.install_fail),
            named(&self.faults.install_fail_once),
        );
        let version = self.inventory.manager.version;
        let release = release::release_of(version)
            .ok()
            .filter(|r| r.host_os_supported(host.os));
        let failure = if release.is_none() {
            Some(format!(
                "the host runs {}, which hosts of engine {version} cannot run",
                host.os
            ))
        } else if always
            || (once && self.failed_once.insert(host.address.clone()))
            || self.random_failure()
        {
            Some("package installation failed".to_owned())
        } else {
            None
        };
        let name = host.name.clone();
        if let Some(reason) = failure {
            self.host_runs.get_mut(&host_id).expect("run").deploy = None;
            self.set_host_status(host_id, HostStatus::InstallFailed);
            self.event(
                msg::VDS_INSTALL_FAILED,
                Severity::Error,
                format!(
                    "Host {name} installation failed. Failed to execute Ansible host-deploy role: {reason}. Please check logs for more details: {}.",
                    deploy_log(&host.address)
                ),
                Some(host_id),
                None,
                None,
            );
            return;
        }
        let release = release.expect("a release serves the host");
        let levels = release.all_cluster_levels().to_vec();
        let h = self.host_mut(host_id);
        h.packages.insert(
            "vdsm".into(),
            PackageVersion::new(release::vdsm_version(release.line)),
        );
        h.supported_levels = levels;
        if run.hosted_engine {
            h.hosted_engine = Some(HostedEngineState::default());
        }
        if self.otopi_deploys() {
            self.log_install_stage(host_id, &name, "Termination");
            self.log_playbook_started(host_id, &name);
        }
        self.event(
            msg::VDS_ANSIBLE_INSTALL_FINISHED,
            Severity::Normal,
            format!(
                "Ansible host-deploy playbook execution has successfully finished on host {name}."
            ),
            Some(host_id),
            None,
            None,
        );
        if run.reboot {
            self.set_host_status(host_id, HostStatus::Reboot);
            self.event(
                msg::SYSTEM_SSH_HOST_RESTART,
                Severity::Normal,
                format!("Host {name} was restarted using SSH by the engine."),
                Some(host_id),
                None,
                None,
            );
            self.schedule(
                self.config.reboot_ms,
                Step::DeployRebooted { host: host_id },
            );
        } else {
            self.finish_deploy(host_id);
        }
    }

    /// `SshHostRebootCommand.getStatusAfterReboot` for a new host: non-responsive once
    /// back, and the installation carries on.
    pub(super) fn deploy_rebooted(&mut self, host_id: HostId) {
        if self.host(host_id).map(|h| h.status) != Ok(HostStatus::Reboot) {
            return;
        }
        self.set_host_status(host_id, HostStatus::NonResponsive);
        self.finish_deploy(host_id);
    }

    fn finish_deploy(&mut self, host_id: HostId) {
        let Some(run) = self
            .host_runs
            .get_mut(&host_id)
            .and_then(|r| r.deploy.take())
        else {
            return;
        };
        let status = if run.activate {
            HostStatus::Initializing
        } else {
            HostStatus::Maintenance
        };
        self.set_host_status(host_id, status);
        let name = self
            .host(host_id)
            .map(|h| h.name.clone())
            .unwrap_or_default();
        self.event(
            msg::VDS_INSTALL,
            Severity::Normal,
            format!("Host {name} installed"),
            Some(host_id),
            None,
            None,
        );
        if run.activate {
            self.schedule(self.config.activate_ms, Step::Reconnected { host: host_id });
        }
    }
}
