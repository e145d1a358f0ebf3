//! `ovirt-upgrade sim`: the simulated side of the tool.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use model::{Deployment, Version};
use scenario::GenerateParams;

use crate::context::{Context, Verbosity};
use crate::input_error;

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
}

pub fn run(command: SimCommand, ctx: &Context) -> anyhow::Result<ExitCode> {
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
            let inventory = scenario::generate(&params).map_err(input_error)?;
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
            Ok(ExitCode::SUCCESS)
        }
        SimCommand::Storage {
            scenario,
            out,
            plant,
            seed,
        } => super::discrepancies::sim_storage(&scenario, &out, plant, seed, ctx),
    }
}
