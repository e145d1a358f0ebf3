//! `ovirt-upgrade status`: where a journaled run stands, whatever its kind.

use std::path::PathBuf;

use clap::Args;
use orchestrator::chain::{ChainJournal, ChainRun, ChainStatus};
use orchestrator::journal::{kind_of, ClusterRun, RunKind};
use orchestrator::migrate::{MigrateJournal, MigrateRun, MigrateStatus};
use orchestrator::state::RunStatus;
use orchestrator::workflow::{WorkflowJournal, WorkflowStatus};
use orchestrator::Journal;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Exit;
use crate::report::{chain, demo, migrate, print_json, rolling};
use crate::runs::journal;

/// Show where a cluster upgrade, a compatibility chain or a host migration stands, from its
/// journal.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The run's journal [default: the newest in the state directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

pub fn run(args: StatusArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let path = match args.journal {
        Some(path) => path,
        None => journal::newest()?,
    };
    let lang = ctx.lang;
    match kind_of(&path)?.as_str() {
        ChainRun::NAME => {
            let journal = ChainJournal::open(&path)?;
            let status = ChainStatus::from_journal(journal.header(), &journal.entries()?);
            show(&status, || chain::render_status(&status, &path, lang), ctx)
        }
        MigrateRun::NAME => {
            let journal = MigrateJournal::open(&path)?;
            let status = MigrateStatus::from_journal(journal.header(), &journal.entries()?);
            show(
                &status,
                || migrate::render_status(&status, &path, lang),
                ctx,
            )
        }
        ClusterRun::NAME => {
            let journal = Journal::open(&path)?;
            let status = RunStatus::from_journal(journal.header(), &journal.entries()?);
            show(
                &status,
                || rolling::render_status(&status, &path, lang),
                ctx,
            )
        }
        _ => {
            let journal = WorkflowJournal::open(&path)?;
            let status = WorkflowStatus::from_journal(journal.header(), &journal.entries()?);
            show(&status, || demo::render_status(&status, &path, lang), ctx)
        }
    }
}

/// A status as JSON, or as the text `render` makes.
fn show<S: Serialize>(
    status: &S,
    render: impl FnOnce() -> String,
    ctx: &Context,
) -> anyhow::Result<Exit> {
    match ctx.output {
        OutputFormat::Json => print_json(status)?,
        OutputFormat::Text => print!("{}", render()),
    }
    Ok(Exit::Success)
}
