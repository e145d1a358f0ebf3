//! Journal files: where they go (the state directory, one file per cluster or chain), the
//! newest one for `resume` and `status`, and making way for a new run, whatever its kind.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use orchestrator::chain::{ChainRun, ChainStatus};
use orchestrator::journal::{slug, ClusterRun, Log, RunKind};
use orchestrator::migrate::{MigrateRun, MigrateStatus};
use orchestrator::state::{RunPhase, RunStatus};
use orchestrator::JournalError;

use super::ids;
use super::target::JournalEngine;
use crate::exit::input_error;

/// A kind of run journaled in the state directory.
pub trait JournalFile: RunKind + Sized {
    /// How its journals' names begin.
    const PREFIX: &'static str;
    /// Whether the run ended, and what it is while it has not ("an unfinished run of
    /// cluster Production").
    fn standing(journal: &Log<Self>) -> Result<(bool, String), JournalError>;
}

impl JournalFile for ClusterRun {
    const PREFIX: &'static str = "cluster-upgrade-";
    fn standing(journal: &Log<Self>) -> Result<(bool, String), JournalError> {
        let status = RunStatus::from_journal(journal.header(), &journal.entries()?);
        Ok((
            status.state == RunPhase::Finished,
            format!("an unfinished run of cluster {}", status.cluster),
        ))
    }
}

impl JournalFile for ChainRun {
    const PREFIX: &'static str = "compat-";
    fn standing(journal: &Log<Self>) -> Result<(bool, String), JournalError> {
        let status = ChainStatus::from_journal(journal.header(), &journal.entries()?);
        Ok((
            status.state == RunPhase::Finished,
            format!("an unfinished chain ({})", status.command),
        ))
    }
}

impl JournalFile for MigrateRun {
    const PREFIX: &'static str = "migrate-hosts-";
    fn standing(journal: &Log<Self>) -> Result<(bool, String), JournalError> {
        let status = MigrateStatus::from_journal(journal.header(), &journal.entries()?);
        Ok((
            status.state == RunPhase::Finished,
            format!("an unfinished host migration of cluster {}", status.cluster),
        ))
    }
}

/// `$XDG_STATE_HOME/ovirt-upgrade`, else `~/.local/state/ovirt-upgrade`.
pub fn state_directory() -> anyhow::Result<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })
        .context("neither XDG_STATE_HOME nor HOME is set; name the journal with --journal FILE")?;
    Ok(base.join("ovirt-upgrade"))
}

/// The newest journal in the state directory, for `resume` and `status` without `--journal`.
pub fn newest() -> anyhow::Result<PathBuf> {
    let dir = state_directory()?;
    let none_here = || {
        input_error(anyhow!(
            "no journal in {}: no cluster upgrade or compatibility chain has run here; name one with --journal FILE",
            dir.display()
        ))
    };
    let entries = std::fs::read_dir(&dir).map_err(|_| none_here())?;
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            [ClusterRun::PREFIX, ChainRun::PREFIX, MigrateRun::PREFIX]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                && name.ends_with(".sqlite")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
        .ok_or_else(none_here)
}

/// Where a new run of kind `K` journals: `path`, or the state directory's file for `name`
/// (in-process runs apart from live ones). A journal already there from a finished run, or
/// from an in-process engine (never resumable), is moved aside; an unfinished one of a real
/// engine must be resumed first.
pub fn prepare<K: JournalFile>(
    path: Option<&Path>,
    name: &str,
    engine: &JournalEngine,
) -> anyhow::Result<PathBuf> {
    let path = match path {
        Some(path) => path.to_owned(),
        None => {
            let kind = if engine.is_in_process() { "sim-" } else { "" };
            state_directory()?.join(format!("{}{kind}{}.sqlite", K::PREFIX, slug(name)))
        }
    };
    if !path.exists() {
        return Ok(path);
    }
    let journal = Log::<K>::open(&path)?;
    let (finished, what) = K::standing(&journal)?;
    let in_process = JournalEngine::of(K::engine(journal.header())).is_in_process();
    if !finished && !in_process {
        return Err(input_error(anyhow!(
            "journal {} holds {what}; `ovirt-upgrade resume --journal {}` continues it, or move the file away to start afresh",
            path.display(),
            path.display()
        )));
    }
    let aside = path.with_extension(format!(
        "{}.sqlite",
        ids::short(K::run_id(journal.header()))
    ));
    drop(journal);
    std::fs::rename(&path, &aside)
        .with_context(|| format!("cannot move the old journal {} aside", path.display()))?;
    Ok(path)
}
