//! One module per command; each takes its arguments and the context and returns an exit code.

pub mod backup;
pub mod bench;
mod bench_role;
pub mod certs;
pub mod check;
pub mod cluster_upgrade;
pub mod compat;
pub mod demo;
pub mod discrepancies;
pub mod global_maintenance;
pub mod inventory;
pub mod plan;
pub mod sim;

use std::process::ExitCode;

use crate::cli::Command;
use crate::context::Context;

pub fn run(command: Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    match command {
        Command::Inventory(command) => inventory::run(command, ctx),
        Command::Sim(command) => sim::run(command, ctx),
        Command::Discrepancies(args) => discrepancies::run(args, ctx),
        Command::Check(args) => check::run(args, ctx),
        Command::Plan(args) => plan::run(args, ctx),
        Command::ClusterUpgrade(args) => cluster_upgrade::run(args, ctx),
        Command::Resume(args) => cluster_upgrade::resume(args, ctx),
        Command::Status(args) => cluster_upgrade::status(args, ctx),
        Command::Bench(command) => bench::run(command, ctx),
        Command::GlobalMaintenance(args) => global_maintenance::run(args, ctx),
        Command::Compat(args) => compat::run_compat(args, ctx),
        Command::Finish(args) => compat::run_finish(args, ctx),
        Command::Demo(args) => demo::run(args, ctx),
        Command::Backup(command) => backup::run(command, ctx),
        Command::Certs(args) => certs::run(args, ctx),
    }
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}
