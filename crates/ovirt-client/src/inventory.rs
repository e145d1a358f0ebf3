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

use std::collections::HashMap;

use model::{Deployment, DiskId, ElVersion, Inventory, Manager, Snapshot, VmId, INVENTORY_FORMAT};
use ovirt_wire::{DiskContentType, DiskSnapshot};
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
    /// Data centers, clusters, hosts and VMs, without the VMs' disks and snapshots: what
    /// the rolling upgrade watches.
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

/// A VM's disks and snapshots.
#[derive(Default)]
struct VmDetails {
    disks: Vec<DiskId>,
    snapshots: Vec<Snapshot>,
}

impl Client {
    /// Reads the environment, calling `progress` as it goes.
    pub async fn read_inventory(
        &self,
        scope: Scope,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<Inventory, ClientError> {
        // The entry point again: the engine's time now, and its version, which an upgrade of
        // the Manager may have changed since the login.
        let (target, root): (_, ovirt_wire::Api) = self.get(Call::get("")).await?;
        let version = root
            .engine_version()
            .map_err(|error| convert_error(&target, error))?;

        let data_centers = self
            .stage(
                Stage::DataCenters,
                progress,
                Call::get("datacenters"),
                |dc: ovirt_wire::DataCenter| dc.to_model().map(Some),
            )
            .await?;

        let (clusters, hosts, mut vms, mut vm_details) = if scope != Scope::Storage {
            let clusters = self
                .stage(
                    Stage::Clusters,
                    progress,
                    Call::get("clusters"),
                    |c: ovirt_wire::Cluster| c.to_model().map(Some),
                )
                .await?;
            let hosts = self
                .stage(
                    Stage::Hosts,
                    progress,
                    Call::get("hosts").all_content(),
                    |h: ovirt_wire::Host| h.to_model().map(Some),
                )
                .await?;
            let (vms, details) = self.read_vms(scope == Scope::Everything, progress).await?;
            (clusters, hosts, vms, details)
        } else {
            Default::default()
        };

        let (storage_domains, disks) = if scope == Scope::Compute {
            Default::default()
        } else {
            let domains = self.read_storage_domains(&data_centers, progress).await?;
            let disks = self.read_disks(&domains, &vm_details, progress).await?;
            (domains, disks)
        };

        for vm in &mut vms {
            if let Some(details) = vm_details.get_mut(&vm.id) {
                vm.snapshots = std::mem::take(&mut details.snapshots);
            }
        }
        // The engine's CA and HTTPS certificate, as presented; when they cannot be read the
        // pki rules stay skipped for the unseen Manager machine rather than fail the read.
        let certificates = match (scope, self.inner.transport.api().scheme()) {
            (Scope::Everything, "https") => crate::certs::read_certificates(self.url(), self.inner.transport.tls(), CERTIFICATE_PATIENCE)
                .await
                .map(|read| read.to_model())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let deployment = if vms.iter().any(|vm| vm.hosted_engine)
            || hosts
                .iter()
                .any(|host: &model::Host| host.hosted_engine.is_some())
        {
            Deployment::SelfHosted
        } else {
            Deployment::Standalone
        };
        Ok(Inventory {
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
                deployment,
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
        })
    }

    /// One collection read as one stage, each member converted to the model as it comes.
    async fn stage<T: ovirt_wire::Entity, R>(
        &self,
        stage: Stage,
        progress: &(dyn Fn(Progress) + Send + Sync),
        call: Call,
        mut convert: impl FnMut(T) -> Result<Option<R>, ovirt_wire::ConvertError>,
    ) -> Result<Vec<R>, ClientError> {
        progress(Progress::Started { stage, parts: 1 });
        let objects = self
            .list(call, |target, member: T| {
                convert(member).map_err(|error| convert_error(target, error))
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
    ) -> Result<(Vec<model::Vm>, HashMap<VmId, VmDetails>), ClientError> {
        let mut details: HashMap<VmId, VmDetails> = HashMap::new();
        let mut missing: Vec<VmId> = Vec::new();
        let mut call = Call::get("vms");
        if with_details {
            call = call.query("follow", "disk_attachments,snapshots");
        }
        let vms = self
            .stage(Stage::Vms, progress, call, |vm: ovirt_wire::Vm| {
                let model = vm.to_model()?;
                match (&vm.disk_attachments, &vm.snapshots) {
                    (Some(attachments), Some(snapshots)) => {
                        details.insert(model.id, vm_details(attachments, snapshots)?);
                    }
                    _ if with_details => missing.push(model.id),
                    _ => {}
                }
                Ok(Some(model))
            })
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
    ) -> Result<Vec<model::StorageDomain>, ClientError> {
        let stage = Stage::StorageDomains;
        progress(Progress::Started {
            stage,
            parts: 1 + data_centers.len(),
        });
        let keep = |_: &str, sd: ovirt_wire::StorageDomain| Ok(Some(sd));
        let top_level = self.list(Call::get("storagedomains"), keep).await?;
        let mut attached = Vec::new();
        for (done, dc) in data_centers.iter().enumerate() {
            let call = Call::get(format!("datacenters/{}/storagedomains", dc.id))
                .about("data center", dc.id);
            attached.extend(self.list(call, keep).await?);
            progress(Progress::Advanced {
                stage,
                done: done + 2,
            });
        }
        let target = format!("{}/storagedomains", self.url());
        let domains = ovirt_wire::merge_storage_domain_views(top_level, attached)
            .into_iter()
            .filter(ovirt_wire::StorageDomain::kept_in_inventory)
            .map(|sd| sd.to_model().map_err(|error| convert_error(&target, error)))
            .collect::<Result<Vec<_>, _>>()?;
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
    ) -> Result<Vec<model::Disk>, ClientError> {
        progress(Progress::Started {
            stage: Stage::Disks,
            parts: 1,
        });
        let disks = self
            .list(Call::get("disks"), |_, disk: ovirt_wire::Disk| {
                // A backup's scratch disk lives only while the backup runs.
                let kept = disk.kept_in_inventory()
                    && disk.content_type != Some(DiskContentType::BackupScratch);
                Ok(kept.then_some(disk))
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
        let mut volumes = 0;
        for (done, sd) in data_domains.iter().enumerate() {
            let call = Call::get(format!("storagedomains/{}/disksnapshots", sd.id))
                .about("storage domain", sd.id);
            let snapshots = self
                .list(call, |_, snapshot: DiskSnapshot| Ok(Some(snapshot)))
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
        let target = format!("{}/disks", self.url());
        let disks = disks
            .into_iter()
            .map(|disk| {
                let id = disk.id.clone().unwrap_or_default().to_ascii_lowercase();
                let vm = id
                    .parse::<DiskId>()
                    .ok()
                    .and_then(|id| owner.get(&id).copied());
                let chain = chains.remove(&id).unwrap_or_default();
                disk.to_model(&chain, vm)
                    .map_err(|error| convert_error(&target, error))
            })
            .collect::<Result<Vec<_>, _>>()?;
        progress(Progress::Finished {
            stage: Stage::Volumes,
            objects: volumes,
        });
        Ok(disks)
    }
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
