//! One module per command: its arguments, one library call, and a reporter. Each returns how
//! it ended ([`Exit`]) or an error whose type says whose fault it is.

pub mod backup;
pub mod bench;
pub mod certs;
pub mod check;
pub mod cluster_upgrade;
pub mod compat;
pub mod demo;
pub mod discrepancies;
pub mod global_maintenance;
pub mod inventory;
pub mod migrate_hosts;
pub mod plan;
pub mod resume;
pub mod serve;
pub mod sim;
pub mod status;

use std::process::ExitCode;

pub use crate::report::print_json;

use crate::cli::Command;
use crate::context::Context;
use crate::exit::Exit;

pub fn run(command: Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    let exit: Exit = match command {
        Command::Inventory(command) => inventory::run(command, ctx)?,
        Command::Sim(command) => sim::run(command, ctx)?,
        Command::Discrepancies(args) => discrepancies::run(args, ctx)?,
        Command::Check(args) => check::run(args, ctx)?,
        Command::Plan(args) => plan::run(args, ctx)?,
        Command::ClusterUpgrade(args) => cluster_upgrade::run(args, ctx)?,
        Command::MigrateHosts(args) => migrate_hosts::run(args, ctx)?,
        Command::Resume(args) => resume::run(args, ctx)?,
        Command::Status(args) => status::run(args, ctx)?,
        Command::Bench(command) => bench::run(command, ctx)?,
        Command::GlobalMaintenance(args) => global_maintenance::run(args, ctx)?,
        Command::Compat(args) => compat::run_compat(args, ctx)?,
        Command::Finish(args) => compat::run_finish(args, ctx)?,
        Command::Demo(args) => demo::run(args, ctx)?,
        Command::Backup(command) => backup::run(command, ctx)?,
        Command::Certs(args) => certs::run(args, ctx)?,
        Command::Serve(args) => serve::run(args, ctx)?,
    };
    Ok(exit.into())
}

/// A duration in minutes: `60m`, `90`, or hours like `2h`.
pub fn parse_minutes(text: &str) -> Result<u32, String> {
    let error =
        || format!("`{text}` is not a duration: write minutes like 60m or 90, or hours like 2h");
    let (number, factor) = match text.trim() {
        t if t.ends_with('h') => (&t[..t.len() - 1], 60),
        t if t.ends_with('m') => (&t[..t.len() - 1], 1),
        t => (t, 1),
    };
    let minutes = number
        .trim()
        .parse::<u32>()
        .map_err(|_| error())?
        .checked_mul(factor)
        .ok_or_else(error)?;
    if minutes == 0 {
        return Err("a host needs more than no time: give at least 1m".into());
    }
    Ok(minutes)
}
