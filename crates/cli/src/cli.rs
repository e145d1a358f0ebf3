//! The command line: global options shared by every command, and the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{
    check::CheckArgs, discrepancies::DiscrepanciesArgs, inventory::InventoryCommand,
    sim::SimCommand,
};

/// Plan, check and carry out oVirt / RHV / OLVM upgrades, the way the Upgrade Guide describes.
#[derive(Debug, Parser)]
#[command(
    name = "ovirt-upgrade",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 ok; 1 findings or a failure; 2 a usage or input error.\n\
Environments are given as a scenario (.toml), an inventory (.json) or `example:NAME`."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read and summarise environments.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// The simulated environment: generate large inventories, serve a simulated engine.
    #[command(subcommand)]
    Sim(SimCommand),
    /// Compare storage-domain volume metadata with the engine's records (the Image
    /// Discrepancies tool). Exit code 1 when it finds any.
    Discrepancies(DiscrepanciesArgs),
    /// Find every known blocker and risk before the upgrade window (the Log Collection
    /// Analysis tool, done again): text, JSON and an HTML report. Exit code 1 on a failure.
    #[command(alias = "analyze")]
    Check(CheckArgs),
    /// Make the upgrade checklist for an environment and route, from the Upgrade Guide; track
    /// its steps through the window (`plan done`, `plan status`).
    Plan(crate::commands::plan::PlanArgs),
    /// Upgrade a cluster's hosts one wave at a time: planned first (`--dry-run`), each VM
    /// migrated once where the cluster allows, journaled and resumable.
    ClusterUpgrade(crate::commands::cluster_upgrade::ClusterUpgradeArgs),
    /// Move a cluster's hosts from 4.3 to 4.4: each emptied, removed, reinstalled with
    /// Enterprise Linux 8 by your hook and added back; planned first, journaled, resumable.
    MigrateHosts(crate::commands::migrate_hosts::MigrateHostsArgs),
    /// Continue a cluster upgrade or a compatibility chain after a crash, a kill or Ctrl-C,
    /// from its journal.
    Resume(crate::commands::resume::ResumeArgs),
    /// Show where a cluster upgrade or a compatibility chain stands, from its journal.
    Status(crate::commands::status::StatusArgs),
    /// Benchmarks that print numbers.
    #[command(subcommand)]
    Bench(crate::commands::bench::BenchCommand),
    /// Turn a self-hosted engine's global maintenance on or off (waiting for the engine's
    /// health), or show it like `hosted-engine --vm-status`.
    GlobalMaintenance(crate::commands::global_maintenance::GlobalMaintenanceArgs),
    /// Raise a cluster's or a data center's compatibility level, validated first, and
    /// restart the VMs left with a pending configuration in batches.
    Compat(crate::commands::compat::CompatArgs),
    /// Raise every cluster and data center to a level, in the right order, restart the VMs,
    /// and verify the end state.
    Finish(crate::commands::compat::FinishArgs),
    /// Run a whole upgrade once on the embedded simulated engine, end to end: check, plan,
    /// global maintenance, the Manager's update, every cluster, the compatibility chain.
    Demo(crate::commands::demo::DemoArgs),
    /// Check an engine-backup archive before the Manager is rebuilt: `backup verify FILE`.
    #[command(subcommand)]
    Backup(crate::commands::backup::BackupCommand),
    /// Read the engine's CA and HTTPS certificate as presented: signature algorithm, expiry,
    /// names against the engine's FQDN, and whether the CA issued the HTTPS certificate.
    Certs(crate::commands::certs::CertsArgs),
    /// Serve the Upgrade Helper's checklist, the check and discrepancies reports and live runs as
    /// web pages.
    Serve(crate::commands::serve::ServeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Ja,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Language of the output [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Say more (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Say only what was asked for, and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How to reach a real engine, the way the oVirt tools take it. The password is never an
/// argument: it comes from OVIRT_PASSWORD, --password-file, or a prompt.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Engine connection")]
pub struct ConnectionArgs {
    /// Engine URL, such as https://engine.example.com/ovirt-engine/api.
    #[arg(long, global = true, env = "OVIRT_URL", value_name = "URL")]
    pub engine: Option<String>,
    /// User name with its profile.
    #[arg(
        long,
        global = true,
        env = "OVIRT_USERNAME",
        default_value = "admin@internal",
        value_name = "USER"
    )]
    pub username: String,
    /// File whose first line is the password (otherwise OVIRT_PASSWORD, otherwise a prompt).
    #[arg(long, global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The engine's CA certificate (PEM), from
    /// /ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA.
    #[arg(long, global = true, env = "OVIRT_CAFILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the engine's TLS certificate. Only for test environments.
    #[arg(long, global = true, conflicts_with = "ca_file")]
    pub insecure: bool,
}
