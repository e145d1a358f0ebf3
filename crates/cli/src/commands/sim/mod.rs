//! `ovirt-upgrade sim`: the simulated side of the tool.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use model::{Deployment, ElVersion, HostType, Version};
use scenario::GenerateParams;

use crate::context::{Context, Verbosity};
use crate::exit::Exit;

mod import_domain;
mod reinstall;
mod serve;
mod storage;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DeploymentArg {
    SelfHosted,
    Standalone,
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Generate a large environment as an inventory (JSON). The same seed gives the same bytes.
    Generate {
        /// Number of hosts.
        #[arg(long)]
        hosts: u32,
        /// Number of VMs.
        #[arg(long)]
        vms: u32,
        /// Number of clusters the hosts and VMs are spread over.
        #[arg(long, default_value_t = 1)]
        clusters: u32,
        /// Disks per VM.
        #[arg(long, default_value_t = 1)]
        disks_per_vm: u32,
        /// Manager version of the environment.
        #[arg(long = "manager-version", default_value = "4.3.11")]
        manager_version: Version,
        #[arg(long, value_enum, default_value_t = DeploymentArg::Standalone)]
        deployment: DeploymentArg,
        /// Seed of every random choice.
        #[arg(long)]
        seed: u64,
        /// Where to write the inventory [default: standard output].
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the storage tree of an environment's file domains, with discrepancies planted on
    /// purpose, for `ovirt-upgrade discrepancies`. The same seed gives the same tree.
    Storage {
        /// A scenario (.toml), an inventory (.json) or `example:NAME`.
        #[arg(long, value_name = "FILE")]
        scenario: String,
        /// A new or empty directory; one subdirectory per storage domain is written in it.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// How many discrepancies to plant (each kind in turn, then again).
        #[arg(long, default_value_t = 0)]
        plant: usize,
        /// Seed of every random choice.
        #[arg(long)]
        seed: u64,
    },
    /// Serve a simulated engine over HTTP at /ovirt-engine/api, for real clients: the oVirt
    /// Python SDK, the ovirt.ovirt Ansible collection, curl, or this tool's --engine. Prints
    /// the URL and the credentials; runs until Ctrl-C, then reports the invariant checks
    /// (exit code 1 when one broke).
    #[command(after_help = "Sim-only controls (same credentials):\n  \
POST /ovirt-sim/host-update?vdsm=VERSION      publish newer host packages for upgradecheck\n  \
POST /ovirt-sim/manager-version?version=X.Y.Z  move the Manager to a new version\n  \
POST /ovirt-sim/reinstall?host=FQDN&os=el8.6  reinstall a machine's operating system\n  \
POST /ovirt-sim/import-domain?host=FQDN&path=/data  the portal's Import Domain of a local domain\n  \
GET  /ovirt-sim/machines                      the machines behind the hosts\n  \
GET  /ovirt-sim/invariants                    the invariant checks so far\n\
See docs/simulator.md for the endpoints, the faults and TLS.")]
    Serve(serve::ServeArgs),
    /// Reinstall a machine's operating system on a running `sim serve` (--engine and its
    /// credentials), as PXE or kickstart would: what a --reinstall-command hook runs in the
    /// demo. Its host must have been removed from the engine first.
    Reinstall {
        /// The machine: its FQDN, or the name its host first had.
        machine: String,
        /// The system it gets, with its minor release (el8.6).
        #[arg(long)]
        os: ElVersion,
        /// What is installed: rhel (Enterprise Linux) or ovirt_node (RHVH, oVirt Node).
        #[arg(long = "type", value_name = "TYPE", default_value = "rhel")]
        host_type: HostType,
        /// Leave the engine's SSH key out, so that only a root password deploys it.
        #[arg(long)]
        without_engine_key: bool,
        /// Wait until the machine answers again; exit 1 if its reinstall failed.
        #[arg(long)]
        wait: bool,
    },
    /// Import a local domain on a running `sim serve` (--engine and its credentials), as the
    /// Administration Portal's Import Domain does (no REST call can): what an administrator
    /// does when `migrate-hosts` asks for it (guide §1.1.9).
    ImportDomain {
        /// The machine whose host holds the domain: its FQDN, or the name its host first had.
        machine: String,
        /// The domain's directory on the host.
        #[arg(long)]
        path: String,
        /// Its name in the engine [default: the one it had].
        #[arg(long, default_value = "")]
        name: String,
    },
}

pub fn run(command: SimCommand, ctx: &Context) -> anyhow::Result<Exit> {
    match command {
        SimCommand::Generate {
            hosts,
            vms,
            clusters,
            disks_per_vm,
            manager_version,
            deployment,
            seed,
            out,
        } => {
            let params = GenerateParams {
                hosts,
                vms,
                clusters,
                disks_per_vm,
                seed,
                manager_version,
                deployment: match deployment {
                    DeploymentArg::SelfHosted => Deployment::SelfHosted,
                    DeploymentArg::Standalone => Deployment::Standalone,
                },
            };
            let inventory = scenario::generate(&params)?;
            let bytes = scenario::to_json(&inventory);
            match &out {
                Some(path) => {
                    std::fs::write(path, &bytes).with_context(|| {
                        format!("cannot write the inventory to {}", path.display())
                    })?;
                    if ctx.says(Verbosity::Normal) {
                        eprintln!(
                            "wrote {} ({} hosts, {} VMs, {} disks, {:.1} MB)",
                            path.display(),
                            inventory.hosts.len(),
                            inventory.vms.len(),
                            inventory.disks.len(),
                            bytes.len() as f64 / 1e6
                        );
                    }
                }
                None => std::io::stdout()
                    .lock()
                    .write_all(&bytes)
                    .context("cannot write the inventory to standard output")?,
            }
            Ok(Exit::Success)
        }
        SimCommand::Storage {
            scenario,
            out,
            plant,
            seed,
        } => storage::run(&scenario, &out, plant, seed, ctx),
        SimCommand::Reinstall {
            machine,
            os,
            host_type,
            without_engine_key,
            wait,
        } => reinstall::run(&machine, os, host_type, !without_engine_key, wait, ctx),
        SimCommand::ImportDomain {
            machine,
            path,
            name,
        } => import_domain::run(&machine, &path, &name, ctx),
        SimCommand::Serve(args) => serve::run(args, ctx),
    }
}
