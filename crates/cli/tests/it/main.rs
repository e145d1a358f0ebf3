//! The `ovirt-upgrade` binary as a user runs it, one module per command family, in one test
//! binary so that CI links it once.

mod backup;
mod certs;
mod check;
mod cli;
mod clients;
mod cluster_upgrade;
mod discrepancies;
mod finish;
mod migrate_hosts;
mod plan;
mod serve;
mod sim_serve;

use std::process::Output;

/// What the binary printed, as text.
fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}
