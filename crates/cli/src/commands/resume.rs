//! `ovirt-upgrade resume`: a cluster upgrade or a compatibility chain picked up from its
//! journal, against the engine it was written for.

use std::path::{Path, PathBuf};

use clap::Args;
use orchestrator::chain::{ChainJournal, ChainRun};
use orchestrator::journal::{kind_of, ClusterRun, RunKind};
use orchestrator::migrate::{MigrateJournal, MigrateRun};
use orchestrator::workflow::WorkflowJournal;
use orchestrator::Journal;

use super::migrate_hosts;
use crate::context::Context;
use crate::exit::Exit;
use crate::report;
use crate::runs::clock::wall_clock;
use crate::runs::journal;
use crate::runs::target::{connect_for_resume, Target};
use crate::runs::work::{Chain, Rolling};

/// Continue a cluster upgrade, a compatibility chain or a host migration after a crash, a
/// kill or Ctrl-C.
#[derive(Debug, Args)]
#[command(after_help = "\
The journal is replayed and every step whose outcome it does not know is settled by asking the
engine what it says now; nothing destructive is repeated blindly. A journal written against
another engine or cluster is refused.

Exit codes: 0 every planned host upgraded; 1 a failed host or a stopped run; 2 no journal, or
a journal that cannot be resumed here.")]
pub struct ResumeArgs {
    /// The run's journal [default: the newest in the state directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

pub fn run(args: ResumeArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let path = match args.journal {
        Some(path) => path,
        None => journal::newest()?,
    };
    match kind_of(&path)?.as_str() {
        ChainRun::NAME => chain(&path, ctx),
        ClusterRun::NAME => rolling(&path, ctx),
        MigrateRun::NAME => migration(&path, ctx),
        // The demo's workflow, whose engine ended with its process: refused as such.
        _ => {
            let journal = WorkflowJournal::open(&path)?;
            let header = journal.header();
            connect_for_resume(ctx, &path, &header.engine, &header.correlation_id)?;
            Err(anyhow::anyhow!(
                "journal {} holds a whole upgrade, which only `ovirt-upgrade demo` runs",
                path.display()
            ))
        }
    }
}

fn rolling(path: &Path, ctx: &Context) -> anyhow::Result<Exit> {
    let mut journal = Journal::open(path)?;
    let header = journal.header().clone();
    let live = connect_for_resume(ctx, path, &header.engine, &header.correlation_id)?;
    journal.check_target(live.client.url(), header.cluster, &header.cluster_name)?;
    let work = Rolling {
        journal: &mut journal,
        plan: None,
        ctx,
    };
    let summary = Target::Live(live).carry_out(wall_clock(), None, work)??;
    Ok(report::finish(&summary, ctx, path))
}

fn chain(path: &Path, ctx: &Context) -> anyhow::Result<Exit> {
    let mut journal = ChainJournal::open(path)?;
    let header = journal.header().clone();
    let live = connect_for_resume(ctx, path, &header.engine, &header.correlation_id)?;
    journal.check_engine(live.client.url())?;
    let work = Chain {
        journal: &mut journal,
        plan: None,
        ctx,
    };
    let summary = Target::Live(live).carry_out(wall_clock(), None, work)??;
    Ok(report::finish(&summary, ctx, path))
}

/// A host migration, its reinstalls done the way its journal says (the command or the
/// pause), root's password read from its file again.
fn migration(path: &Path, ctx: &Context) -> anyhow::Result<Exit> {
    let mut journal = MigrateJournal::open(path)?;
    let header = journal.header().clone();
    let live = connect_for_resume(ctx, path, &header.engine, &header.correlation_id)?;
    journal.check_engine(live.client.url())?;
    let ssh = migrate_hosts::ssh_from(header.root_password_file.as_deref())?;
    let summary = migrate_hosts::carry_out_live(
        Target::Live(live),
        &mut journal,
        None,
        &header.reinstall,
        &[],
        ssh,
        ctx,
    )??;
    Ok(report::finish(&summary, ctx, path))
}
