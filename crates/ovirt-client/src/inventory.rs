//! Reading a whole environment through the API into the model's [`Inventory`].
//!
//! One request per collection, plus one per data center (the status of its storage domains)
//! and one per data domain (the volumes of its disks). VMs come with their disk attachments
//! and snapshots inline (`follow`); from an engine that does not inline them they are read
//! VM by VM, a few at a time.
//!
//! What the API does not carry stays at the model's defaults: see `ovirt_wire`'s crate
//! documentation for objects, and for the Manager everything but its version, its
//! deployment (a hosted-engine VM or host makes it self-hosted), its host name and, when the
//! package version says it, its Enterprise Linux release.

use std::collections::{HashMap, HashSet};
use std::fmt;

use model::{
    Deployment, DiskId, ElVersion, Inventory, LeftOut, Manager, Snapshot, VmId, INVENTORY_FORMAT,
};
use ovirt_wire::{ConvertError, DiskContentType, DiskSnapshot, Entity, Member, ObjectLabel};
use tokio::task::JoinSet;

use crate::error::ClientError;
use crate::transport::Call;
use crate::{convert_error, Client};

/// How many VMs are read at once from an engine that does not inline their details.
const DETAIL_CONCURRENCY: usize = 8;

/// How long the inspection of the engine's certificates may take.
const CERTIFICATE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// How much of the environment to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything the inventory holds.
    Everything,
    /// Data centers, clusters, hosts, VMs and storage domains, without disks and snapshots:
    /// what the runs watch (a host migration takes a local data center's domains out and
    /// back).
    Compute,
    /// Data centers, storage domains, disks and their volumes: the engine's side of an
    /// image-discrepancy check.
    Storage,
}

/// The parts of a read, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    DataCenters,
    Clusters,
    Hosts,
    Vms,
    /// Disk attachments and snapshots, VM by VM, from an engine that did not inline them.
    VmDetails,
    StorageDomains,
    Disks,
    /// Each data domain's disk snapshots: the older volumes of the disks' chains.
    Volumes,
}

impl Stage {
    /// What it reads, in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::DataCenters => "data centers",
            Stage::Clusters => "clusters",
            Stage::Hosts => "hosts",
            Stage::Vms => "VMs",
            Stage::VmDetails => "VM disks and snapshots",
            Stage::StorageDomains => "storage domains",
            Stage::Disks => "disks",
            Stage::Volumes => "volumes",
        }
    }

    /// The stages a read of this scope goes through (VM details only when needed).
    pub fn of(scope: Scope) -> &'static [Stage] {
        match scope {
            Scope::Everything => &[
                Stage::DataCenters,
                Stage::Clusters,
                Stage::Hosts,
                Stage::Vms,
                Stage::StorageDomains,
                Stage::Disks,
                Stage::Volumes,
            ],
            Scope::Compute => &[
                Stage::DataCenters,
                Stage::Clusters,
                Stage::Hosts,
                Stage::Vms,
                Stage::StorageDomains,
            ],
            Scope::Storage => &[
                Stage::DataCenters,
                Stage::StorageDomains,
                Stage::Disks,
                Stage::Volumes,
            ],
        }
    }
}

/// What a read has done, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A stage begins; `parts` requests when it makes several (per VM, per domain).
    Started { stage: Stage, parts: usize },
    /// One of a stage's several requests is done.
    Advanced { stage: Stage, done: usize },
    /// A stage is done, having read `objects`.
    Finished { stage: Stage, objects: usize },
}

/// An environment read from an engine, and what of the engine's answer it does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// Whole and consistent; what it could not hold is in its `left_out`.
    pub inventory: Inventory,
    /// Every object left out and every detail dropped, in the order they were met.
    pub warnings: Vec<Warning>,
}

/// Something of the engine's answer the inventory does not hold, named by its object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub object: ObjectLabel,
    /// What was left out or dropped, and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.object, self.message)
    }
}

/// What a read leaves out or drops as it goes. A real engine's answer never stops a read:
/// an object the model cannot hold is left out, and what refers to it follows it.
#[derive(Default)]
struct Leniency {
    warnings: Vec<Warning>,
    left_out: Vec<LeftOut>,
}

impl Leniency {
    fn leave_out(&mut self, object: ObjectLabel, reason: String) {
        self.left_out.push(LeftOut {
            kind: object.kind.to_owned(),
            name: object.name.clone(),
            id: object.id.clone(),
            reason: reason.clone(),
        });
        self.warnings.push(Warning {
            object,
            message: format!("left out: {reason}"),
        });
    }

    fn drop_detail(&mut self, object: ObjectLabel, message: String) {
        self.warnings.push(Warning { object, message });
    }

    /// The object when every value in it was readable; else it is left out, since a value
    /// the upgrade does not know is not guessed.
    fn readable<T>(&mut self, member: Member<T>) -> Option<T> {
        match member.unreadable {
            None => Some(member.value),
            Some(error) => {
                self.leave_out(*error.object.clone(), problem(&error));
                None
            }
        }
    }

    /// The model object, or `None` with the wire object left out.
    fn converted<R>(&mut self, result: Result<R, ConvertError>) -> Option<R> {
        result
            .map_err(|error| self.leave_out(*error.object.clone(), problem(&error)))
            .ok()
    }

    /// How an object left out is named in the reasons of those that refer to it.
    fn named(&self, kind: &str, id: impl ToString) -> String {
        let id = id.to_string();
        match self
            .left_out
            .iter()
            .find(|o| o.kind == kind && o.id.as_deref() == Some(id.as_str()))
        {
            Some(LeftOut {
                name: Some(name), ..
            }) => format!("{kind} \"{name}\", which is left out"),
            _ => format!("{kind} {id}, which is not in the inventory"),
        }
    }
}

/// A conversion error without its object, which the warning names.
fn problem(error: &ConvertError) -> String {
    if error.element.is_empty() {
        error.problem.clone()
    } else {
        format!("{} {}", error.element, error.problem)
    }
}

fn label(kind: &'static str, name: &str, id: impl ToString) -> ObjectLabel {
    ObjectLabel::new(kind, Some(name), Some(&id.to_string()))
}

/// A VM's disks and snapshots.
#[derive(Default)]
struct VmDetails {
    disks: Vec<DiskId>,
    snapshots: Vec<Snapshot>,
}

impl Client {
    /// Reads the environment, calling `progress` as it goes; what it could not hold is in
    /// the inventory's `left_out` (see [`Client::export`] for the warnings).
    pub async fn read_inventory(
        &self,
        scope: Scope,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Inventory, ClientError> {
        Ok(self.export(scope, progress).await?.inventory)
    }

    /// Reads the environment, calling `progress` as it goes, with a warning for every object
    /// left out and every detail dropped. Only a broken answer (not XML, not the engine's
    /// shape, a request that fails) is an error.
    pub async fn export(
        &self,
        scope: Scope,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Export, ClientError> {
        self.read(scope, progress, None).await
    }

    /// What the seam's `inventory()` reads: as [`Client::export`], but a host being deployed
    /// (no operating system reported yet) is kept, taken to run `unreported_os`, as
    /// `Engine::host` takes it: a run waiting for a host it added must see it while it
    /// installs. An export leaves such a host out with a warning rather than guess its system.
    pub(crate) async fn read_for_seam(
        &self,
        unreported_os: ElVersion,
    ) -> Result<Inventory, ClientError> {
        let export = self
            .read(self.inner.seam_scope, &|_| {}, Some(unreported_os))
            .await?;
        Ok(export.inventory)
    }

    async fn read(
        &self,
        scope: Scope,
        progress: &(dyn Fn(Progress) + Send + Sync),
        unreported_os: Option<ElVersion>,
    ) -> Result<Export, ClientError> {
        // The entry point again: the engine's time now, and its version, which an upgrade of
        // the Manager may have changed since the login.
        let (target, root): (_, ovirt_wire::Api) = self.get(Call::get("")).await?;
        let version = root
            .engine_version()
            .map_err(|error| convert_error(&target, error))?;
        let mut leniency = Leniency::default();

        let data_centers = self
            .stage(
                Stage::DataCenters,
                progress,
                Call::get("datacenters"),
                &mut leniency,
                |dc: &ovirt_wire::DataCenter| dc.to_model().map(Some),
            )
            .await?;

        let (clusters, hosts, mut vms, mut vm_details) = if scope != Scope::Storage {
            let clusters = self
                .stage(
                    Stage::Clusters,
                    progress,
                    Call::get("clusters"),
                    &mut leniency,
                    |c: &ovirt_wire::Cluster| c.to_model().map(Some),
                )
                .await?;
            let hosts = self
                .stage(
                    Stage::Hosts,
                    progress,
                    Call::get("hosts").all_content(),
                    &mut leniency,
                    |h: &ovirt_wire::Host| match unreported_os {
                        Some(os) => h.to_model_or(os).map(Some),
                        None => h.to_model().map(Some),
                    },
                )
                .await?;
            let (vms, details) = self
                .read_vms(scope == Scope::Everything, progress, &mut leniency)
                .await?;
            (clusters, hosts, vms, details)
        } else {
            Default::default()
        };

        let storage_domains = self
            .read_storage_domains(&data_centers, progress, &mut leniency)
            .await?;
        let disks = if scope == Scope::Compute {
            Vec::new()
        } else {
            self.read_disks(&storage_domains, &vm_details, progress, &mut leniency)
                .await?
        };

        for vm in &mut vms {
            if let Some(details) = vm_details.get_mut(&vm.id) {
                vm.snapshots = std::mem::take(&mut details.snapshots);
            }
        }
        // The engine's CA and HTTPS certificate, as presented; when they cannot be read the
        // pki rules stay skipped for the unseen Manager machine rather than fail the read.
        let certificates = match (scope, self.inner.transport.api().scheme()) {
            (Scope::Everything, "https") => crate::certs::read_certificates(
                self.url(),
                self.inner.transport.tls(),
                CERTIFICATE_PATIENCE,
            )
            .await
            .map(|read| read.to_model())
            .unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut inventory = Inventory {
            format: INVENTORY_FORMAT,
            name: String::new(),
            source: self.url().to_owned(),
            captured_at: root
                .time
                .map(|time| model::Timestamp::from(time).to_string()),
            // None of these are in the API subset read here.
            unseen: model::Unseen::ALL.to_vec(),
            manager: Manager {
                version,
                deployment: Deployment::Standalone,
                fqdn: self
                    .inner
                    .transport
                    .api()
                    .host_str()
                    .unwrap_or_default()
                    .to_owned(),
                os: manager_os(root.manager_os(), version),
                database: Default::default(),
                dwh: Default::default(),
                grafana: false,
                extensions: Vec::new(),
                certificates,
                ovn: false,
                last_backup: None,
            },
            data_centers,
            clusters,
            hosts,
            vms,
            storage_domains,
            disks,
            gluster_volumes: Vec::new(),
            left_out: Vec::new(),
        };
        keep_consistent(&mut inventory, &mut leniency);
        if inventory.vms.iter().any(|vm| vm.hosted_engine)
            || inventory
                .hosts
                .iter()
                .any(|host| host.hosted_engine.is_some())
        {
            inventory.manager.deployment = Deployment::SelfHosted;
        }
        inventory.left_out = leniency.left_out;
        Ok(Export {
            inventory,
            warnings: leniency.warnings,
        })
    }

    /// One collection read as one stage, each member converted to the model as it comes;
    /// a member that cannot be is left out.
    async fn stage<T: Entity, R>(
        &self,
        stage: Stage,
        progress: &(dyn Fn(Progress) + Send + Sync),
        call: Call,
        leniency: &mut Leniency,
        mut convert: impl FnMut(&T) -> Result<Option<R>, ConvertError>,
    ) -> Result<Vec<R>, ClientError> {
        progress(Progress::Started { stage, parts: 1 });
        let objects = self
            .list_members(call, |member: Member<T>| {
                let member = leniency.readable(member)?;
                leniency.converted(convert(&member)).flatten()
            })
            .await?;
        progress(Progress::Finished {
            stage,
            objects: objects.len(),
        });
        Ok(objects)
    }

    /// The VMs, with the disks attached to each and their snapshots when `with_details`.
    async fn read_vms(
        &self,
        with_details: bool,
        progress: &(dyn Fn(Progress) + Send + Sync),
        leniency: &mut Leniency,
    ) -> Result<(Vec<model::Vm>, HashMap<VmId, VmDetails>), ClientError> {
        let mut details: HashMap<VmId, VmDetails> = HashMap::new();
        let mut missing: Vec<VmId> = Vec::new();
        let mut call = Call::get("vms");
        if with_details {
            call = call.query("follow", "disk_attachments,snapshots");
        }
        let vms = self
            .stage(
                Stage::Vms,
                progress,
                call,
                leniency,
                |vm: &ovirt_wire::Vm| {
                    let model = vm.to_model()?;
                    match (&vm.disk_attachments, &vm.snapshots) {
                        (Some(attachments), Some(snapshots)) => {
                            details.insert(model.id, vm_details(attachments, snapshots)?);
                        }
                        _ if with_details => missing.push(model.id),
                        _ => {}
                    }
                    Ok(Some(model))
                },
            )
            .await?;
        if !missing.is_empty() {
            details.extend(self.read_vm_details(&missing, progress).await?);
        }
        Ok((vms, details))
    }

    /// Disk attachments and snapshots VM by VM, a few at a time.
    async fn read_vm_details(
        &self,
        vms: &[VmId],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Vec<(VmId, VmDetails)>, ClientError> {
        let stage = Stage::VmDetails;
        progress(Progress::Started {
            stage,
            parts: vms.len(),
        });
        let mut pending = vms.iter().copied();
        let mut running = JoinSet::new();
        let mut read = Vec::with_capacity(vms.len());
        loop {
            while running.len() < DETAIL_CONCURRENCY {
                let Some(vm) = pending.next() else { break };
                let client = self.clone();
                running.spawn(async move { (vm, client.read_one_vm_details(vm).await) });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (vm, details) = joined.map_err(|error| {
                ClientError::new(
                    crate::ErrorKind::Protocol,
                    self.url(),
                    format!("reading VMs' disks and snapshots stopped: {error}"),
                )
            })?;
            read.push((vm, details?));
            progress(Progress::Advanced {
                stage,
                done: read.len(),
            });
        }
        progress(Progress::Finished {
            stage,
            objects: read.len(),
        });
        Ok(read)
    }

    async fn read_one_vm_details(&self, vm: VmId) -> Result<VmDetails, ClientError> {
        let attachments = self
            .list(
                Call::get(format!("vms/{vm}/diskattachments")).about("VM", vm),
                |_, attachment: ovirt_wire::DiskAttachment| Ok(Some(attachment)),
            )
            .await?;
        let snapshots = self
            .list(
                Call::get(format!("vms/{vm}/snapshots")).about("VM", vm),
                |_, snapshot: ovirt_wire::Snapshot| Ok(Some(snapshot)),
            )
            .await?;
        let target = format!("VM {vm}");
        vm_details(&attachments, &snapshots).map_err(|error| convert_error(&target, error))
    }

    /// Every domain the inventory keeps, with the status its data center's view shows.
    async fn read_storage_domains(
        &self,
        data_centers: &[model::DataCenter],
        progress: &(dyn Fn(Progress) + Send + Sync),
        leniency: &mut Leniency,
    ) -> Result<Vec<model::StorageDomain>, ClientError> {
        let stage = Stage::StorageDomains;
        progress(Progress::Started {
            stage,
            parts: 1 + data_centers.len(),
        });
        let top_level = self
            .list_members(Call::get("storagedomains"), |member| {
                leniency.readable(member)
            })
            .await?;
        let mut attached = Vec::new();
        for (done, dc) in data_centers.iter().enumerate() {
            let call = Call::get(format!("datacenters/{}/storagedomains", dc.id))
                .about("data center", dc.id);
            attached.extend(
                self.list_members(call, |member| leniency.readable(member))
                    .await?,
            );
            progress(Progress::Advanced {
                stage,
                done: done + 2,
            });
        }
        let domains: Vec<model::StorageDomain> =
            ovirt_wire::merge_storage_domain_views(top_level, attached)
                .into_iter()
                .filter(ovirt_wire::StorageDomain::kept_in_inventory)
                .filter_map(|sd| leniency.converted(sd.to_model()))
                .collect();
        progress(Progress::Finished {
            stage,
            objects: domains.len(),
        });
        Ok(domains)
    }

    /// Every image disk with its chain of volumes and the VM it is attached to.
    async fn read_disks(
        &self,
        domains: &[model::StorageDomain],
        vms: &HashMap<VmId, VmDetails>,
        progress: &(dyn Fn(Progress) + Send + Sync),
        leniency: &mut Leniency,
    ) -> Result<Vec<model::Disk>, ClientError> {
        progress(Progress::Started {
            stage: Stage::Disks,
            parts: 1,
        });
        let disks = self
            .list_members(Call::get("disks"), |member: Member<ovirt_wire::Disk>| {
                let disk = leniency.readable(member)?;
                // A backup's scratch disk lives only while the backup runs.
                let kept = disk.kept_in_inventory()
                    && disk.content_type != Some(DiskContentType::BackupScratch);
                kept.then_some(disk)
            })
            .await?;
        progress(Progress::Finished {
            stage: Stage::Disks,
            objects: disks.len(),
        });

        // Disk snapshots are listed per domain; only data domains hold disks with chains.
        let data_domains: Vec<&model::StorageDomain> = domains
            .iter()
            .filter(|sd| sd.role == model::DomainRole::Data && sd.data_center.is_some())
            .collect();
        progress(Progress::Started {
            stage: Stage::Volumes,
            parts: data_domains.len(),
        });
        let mut chains: HashMap<String, Vec<DiskSnapshot>> = HashMap::new();
        // Disks with a volume that could not be read: their chains would be wrong.
        let mut broken_chains: HashSet<String> = HashSet::new();
        let mut volumes = 0;
        for (done, sd) in data_domains.iter().enumerate() {
            let call = Call::get(format!("storagedomains/{}/disksnapshots", sd.id))
                .about("storage domain", sd.id);
            let snapshots = self
                .list_members(call, |member: Member<DiskSnapshot>| {
                    let disk = member.value.disk.as_ref().and_then(|d| d.id.clone());
                    let snapshot = leniency.readable(member);
                    if snapshot.is_none() {
                        broken_chains.extend(disk.map(|id| id.to_ascii_lowercase()));
                    }
                    snapshot
                })
                .await?;
            volumes += snapshots.len();
            for snapshot in snapshots {
                let Some(disk) = snapshot.disk.as_ref().and_then(|d| d.id.clone()) else {
                    continue;
                };
                chains
                    .entry(disk.to_ascii_lowercase())
                    .or_default()
                    .push(snapshot);
            }
            progress(Progress::Advanced {
                stage: Stage::Volumes,
                done: done + 1,
            });
        }

        let mut owner: HashMap<DiskId, VmId> = HashMap::new();
        for (vm, details) in vms {
            for disk in &details.disks {
                // A shared disk belongs to the first VM found; the inventory keeps one.
                owner.entry(*disk).or_insert(*vm);
            }
        }
        let disks = disks
            .into_iter()
            .filter_map(|disk| {
                let id = disk.id.clone().unwrap_or_default().to_ascii_lowercase();
                if broken_chains.contains(&id) {
                    leniency.leave_out(
                        disk.label(),
                        "a volume of its chain could not be read".to_owned(),
                    );
                    return None;
                }
                let vm = id
                    .parse::<DiskId>()
                    .ok()
                    .and_then(|id| owner.get(&id).copied());
                let chain = chains.remove(&id).unwrap_or_default();
                leniency.converted(disk.to_model(&chain, vm))
            })
            .collect();
        progress(Progress::Finished {
            stage: Stage::Volumes,
            objects: volumes,
        });
        Ok(disks)
    }
}

/// Leaves out what refers to an object that is not in the inventory, so that the inventory
/// is whole (`Inventory::validate`): clusters of a data center left out, hosts and VMs of a
/// cluster left out, running VMs without their host, domains and disks likewise. Details
/// that only point at something missing (a stopped VM's last host, a pin to a host left out,
/// a disk's VM left out) are dropped with a warning.
fn keep_consistent(inventory: &mut Inventory, leniency: &mut Leniency) {
    let data_centers: HashSet<_> = inventory.data_centers.iter().map(|dc| dc.id).collect();
    inventory.clusters.retain(|cluster| {
        let kept = data_centers.contains(&cluster.data_center);
        if !kept {
            let reason = format!("its {}", leniency.named("data center", cluster.data_center));
            leniency.leave_out(label("cluster", &cluster.name, cluster.id), reason);
        }
        kept
    });
    let clusters: HashSet<_> = inventory.clusters.iter().map(|c| c.id).collect();
    inventory.hosts.retain(|host| {
        let kept = clusters.contains(&host.cluster);
        if !kept {
            let reason = format!("its {}", leniency.named("cluster", host.cluster));
            leniency.leave_out(label("host", &host.name, host.id), reason);
        }
        kept
    });
    let hosts: HashSet<_> = inventory.hosts.iter().map(|h| h.id).collect();
    inventory
        .vms
        .retain_mut(|vm| vm_kept(vm, &clusters, &hosts, leniency));
    let domains: HashSet<_> = inventory
        .storage_domains
        .iter()
        .filter(|sd| sd.data_center.is_none_or(|dc| data_centers.contains(&dc)))
        .map(|sd| sd.id)
        .collect();
    inventory.storage_domains.retain(|sd| {
        let kept = domains.contains(&sd.id);
        if let (false, Some(dc)) = (kept, sd.data_center) {
            let reason = format!("it is attached to {}", leniency.named("data center", dc));
            leniency.leave_out(label("storage domain", &sd.name, sd.id), reason);
        }
        kept
    });
    let vms: HashSet<_> = inventory.vms.iter().map(|vm| vm.id).collect();
    inventory.disks.retain_mut(|disk| {
        let object = || label("disk", &disk.alias, disk.id);
        if !domains.contains(&disk.storage_domain) {
            let reason = format!(
                "it lives on {}",
                leniency.named("storage domain", disk.storage_domain)
            );
            leniency.leave_out(object(), reason);
            return false;
        }
        if let Some(vm) = disk.vm.filter(|vm| !vms.contains(vm)) {
            let message = format!(
                "its attachment is dropped: it is attached to {}",
                leniency.named("VM", vm)
            );
            leniency.drop_detail(object(), message);
            disk.vm = None;
        }
        true
    });
}

/// Whether a VM stays, its links to what is missing dropped.
fn vm_kept(
    vm: &mut model::Vm,
    clusters: &HashSet<model::ClusterId>,
    hosts: &HashSet<model::HostId>,
    leniency: &mut Leniency,
) -> bool {
    let object = label("VM", &vm.name, vm.id);
    if !clusters.contains(&vm.cluster) {
        let reason = format!("its {}", leniency.named("cluster", vm.cluster));
        leniency.leave_out(object, reason);
        return false;
    }
    match (vm.host, vm.is_running()) {
        (None, true) => {
            let reason = format!(
                "it is {} but the engine names no host it runs on",
                vm.status
            );
            leniency.leave_out(object, reason);
            return false;
        }
        (Some(host), true) if !hosts.contains(&host) => {
            let reason = format!("it runs on {}", leniency.named("host", host));
            leniency.leave_out(object, reason);
            return false;
        }
        (Some(host), false) => {
            let message = format!(
                "its host link is dropped: it is {} and runs nowhere, but the engine names host {host}",
                vm.status
            );
            leniency.drop_detail(object.clone(), message);
            vm.host = None;
        }
        _ => {}
    }
    let pins = vm.pinned_hosts.len();
    vm.pinned_hosts.retain(|host| hosts.contains(host));
    if vm.pinned_hosts.len() < pins {
        let dropped = pins - vm.pinned_hosts.len();
        if vm.affinity == model::Affinity::Pinned && vm.pinned_hosts.is_empty() {
            let reason = "it is pinned, and no host it is pinned to is in the inventory".to_owned();
            leniency.leave_out(object, reason);
            return false;
        }
        let message =
            format!("{dropped} of its pinned hosts are dropped: they are not in the inventory");
        leniency.drop_detail(object, message);
    }
    true
}

/// A VM's disks from its attachments, and its snapshots but the "Active VM" one.
fn vm_details(
    attachments: &[ovirt_wire::DiskAttachment],
    snapshots: &[ovirt_wire::Snapshot],
) -> Result<VmDetails, ovirt_wire::ConvertError> {
    Ok(VmDetails {
        disks: attachments
            .iter()
            .map(ovirt_wire::DiskAttachment::disk_id)
            .collect::<Result<_, _>>()?,
        snapshots: snapshots
            .iter()
            .filter(|s| s.kept_in_inventory())
            .map(ovirt_wire::Snapshot::to_model)
            .collect::<Result<_, _>>()?,
    })
}

/// The Manager's Enterprise Linux release. Its package version names the major release at
/// most (`.el8`); the minor, and the whole release where even that is missing, is taken as
/// the newest the Manager's version supports, so that a live check does not fail a rule on
/// a fact the API cannot show.
fn manager_os(shown: Option<ElVersion>, version: model::Version) -> ElVersion {
    let supported = model::release::release_of(version)
        .map(|release| release.manager_os)
        .unwrap_or_default();
    match shown {
        Some(os) if os.minor.is_some() => os,
        Some(os) => supported
            .iter()
            .rev()
            .find(|range| range.to.major == os.major)
            .map_or(os, |range| range.to),
        None => supported
            .last()
            .map_or(ElVersion::major_only(8), |range| range.to),
    }
}
