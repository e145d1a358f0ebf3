//! The `ovirt-upgrade` binary as a user runs it, one module per command family, in one test
//! binary so that CI links it once.

mod check;
mod cli;
mod clients;
mod cluster_upgrade;
mod discrepancies;
mod finish;
mod plan;
mod sim_serve;
