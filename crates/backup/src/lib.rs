//! Whether an `engine-backup` archive can be restored, checked before the Manager it came from
//! is rebuilt: the archive read whole, its checksums, its version against the restore target,
//! what it holds, the product files a restore needs, and every database dump read with
//! PostgreSQL's own `pg_restore`. docs/backup.md lists the checks and the engine-backup facts
//! they rest on.
//!
//! `verify` does IO (it reads the archive, writes dumps to a temporary directory and runs
//! `pg_restore`) and returns a `Report`; it never prints.

mod archive;
mod dump;
mod report;
pub mod sim;
mod version;

use std::path::{Path, PathBuf};

pub use archive::Compression;
pub use dump::{DumpFormat, PgRestore, Toc};
pub use report::{Checksums, Database, DumpReport, FilesReport, Finding, Part, Report};
pub use version::{
    default_target, restore_path, ManagerVersion, RestorePath, VersionRefusal, VersionSyntaxError,
    RESTORE_PAIRS,
};

/// What `verify` needs besides the archive.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The Manager version or line the archive will be restored on; the backup's next line
    /// (4.3 → 4.4) when not given.
    pub target: Option<ManagerVersion>,
    /// The directory holding pg_restore; searched for when not given.
    pub pg_bin: Option<PathBuf>,
    /// Where the dumps are decompressed while they are checked (TMPDIR when not given), as
    /// engine-backup unpacks the archive under --tmpdir.
    pub temp_dir: Option<PathBuf>,
}

/// Why an archive could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot read {}: {source} (check the path given)", archive.display())]
    Open {
        archive: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is not a tar archive ({} data that holds no tar): give the file that \
         `engine-backup --mode=backup --file=FILE` wrote",
        archive.display(),
        compression.engine_backup_name()
    )]
    NotAnArchive {
        archive: PathBuf,
        compression: Compression,
    },
    #[error(
        "{} is a tar archive but not engine-backup's: it has none of version, config, \
         sha256sum, md5sum, files or db/ (it holds {}); give the file that \
         `engine-backup --mode=backup --file=FILE` wrote",
        archive.display(),
        if members.is_empty() { "no files".to_owned() } else { members.join(", ") }
    )]
    NotEngineBackup {
        archive: PathBuf,
        members: Vec<String>,
    },
    #[error("cannot make a temporary directory in {}: {source} (give another with --tmpdir)", dir.display())]
    Scratch {
        dir: PathBuf,
        source: std::io::Error,
    },
}

impl BackupError {
    /// Whether the error is in what the user gave (exit code 2) rather than a failure here.
    pub fn is_input(&self) -> bool {
        !matches!(self, BackupError::Scratch { .. })
    }
}

/// Reads the archive at `path` and says whether it can be restored on the target.
pub fn verify(path: &Path, options: &Options) -> Result<Report, BackupError> {
    let temp_dir = options.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
    let scratch = tempfile::Builder::new()
        .prefix("ovirt-upgrade-backup.")
        .tempdir_in(&temp_dir)
        .map_err(|source| BackupError::Scratch {
            dir: temp_dir.clone(),
            source,
        })?;
    let contents = archive::read(path, scratch.path(), |name| {
        Database::from_member(name).is_some()
    })
    .map_err(|error| match error {
        archive::OpenError::Io(source) => BackupError::Open {
            archive: path.to_owned(),
            source,
        },
        archive::OpenError::NotTar { compression } => BackupError::NotAnArchive {
            archive: path.to_owned(),
            compression,
        },
    })?;
    let ours = contents.members.keys().any(|name| {
        archive::TEXT_MEMBERS.contains(&name.as_str())
            || name == archive::FILES_MEMBER
            || name.starts_with("db/")
    });
    if !ours && contents.truncated.is_none() {
        return Err(BackupError::NotEngineBackup {
            archive: path.to_owned(),
            members: contents.members.keys().take(5).cloned().collect(),
        });
    }
    Ok(report::build(path, &contents, options))
}
