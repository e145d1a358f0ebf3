//! The database dumps, read with PostgreSQL's own `pg_restore`.
//!
//! engine-backup dumps with `pg_dump --format=custom` by default (`--format=plain` with
//! `--small-size`), optionally piped through a compressor; the archive's `config` says which,
//! and restore believes it. A custom dump is checked twice: `pg_restore --list` reads its table
//! of contents, and `pg_restore --file=/dev/null` reads every entry's data, as a restore would.
//! A plain dump is SQL text for `psql`: it must start as pg_dump's output does and end with
//! pg_dump's closing line, which a dump cut short lacks.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

/// The PostgreSQL client tools used to read custom dumps.
#[derive(Debug, Clone, Serialize)]
pub struct PgRestore {
    pub path: PathBuf,
    /// What `pg_restore --version` says (`pg_restore (PostgreSQL) 16.4`).
    pub version: String,
}

/// Where pg_restore is looked for, newest PostgreSQL first, before PATH: Debian's and PGDG's
/// versioned directories and the Software Collection the 4.3 Manager's PostgreSQL comes from.
const VERSIONED_DIRS: [(&str, &str); 3] = [
    ("/usr/lib/postgresql", "bin"),
    ("/usr", "bin"),
    ("/opt/rh", "root/usr/bin"),
];

impl PgRestore {
    /// Finds pg_restore: in `dir` when given, else the newest versioned PostgreSQL directory,
    /// else PATH. A newer pg_restore reads older dumps, never the reverse.
    pub fn find(dir: Option<&Path>) -> Result<PgRestore, String> {
        let candidates: Vec<PathBuf> = match dir {
            Some(dir) => vec![dir.join("pg_restore")],
            None => versioned_candidates()
                .into_iter()
                .chain(path_candidates())
                .collect(),
        };
        for path in candidates {
            if let Ok(output) = Command::new(&path).arg("--version").output() {
                if output.status.success() {
                    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                    return Ok(PgRestore { path, version });
                }
            }
        }
        Err(match dir {
            Some(dir) => format!("no working pg_restore in {}", dir.display()),
            None => "no pg_restore under /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, \
                     /opt/rh/rh-postgresql*/root/usr/bin or on PATH"
                .to_owned(),
        })
    }

    /// The directory pg_restore is in, which holds PostgreSQL's other client tools too.
    pub fn bin_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The dump's table of contents: how many entries and how many tables' data it holds.
    pub fn list(&self, dump: &Path) -> Result<Toc, String> {
        let output = self.run(&["--list".as_ref(), dump.as_os_str()])?;
        let lines = output
            .lines()
            .filter(|line| !line.starts_with(';') && !line.trim().is_empty());
        let (mut entries, mut tables) = (0, 0);
        for line in lines {
            entries += 1;
            if line.contains(" TABLE DATA ") {
                tables += 1;
            }
        }
        Ok(Toc { entries, tables })
    }

    /// Reads every entry, data included, into a script that is thrown away.
    pub fn read_all(&self, dump: &Path) -> Result<(), String> {
        self.run(&["--file=/dev/null".as_ref(), dump.as_os_str()])
            .map(drop)
    }

    fn run(&self, args: &[&std::ffi::OsStr]) -> Result<String, String> {
        let output = Command::new(&self.path)
            .args(args)
            .output()
            .map_err(|error| format!("cannot run {}: {error}", self.path.display()))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Err(stderr.trim().to_owned())
        }
    }
}

fn versioned_candidates() -> Vec<PathBuf> {
    let mut found: Vec<(Vec<u32>, PathBuf)> = Vec::new();
    for (parent, bin) in VERSIONED_DIRS {
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = match parent {
                "/usr" => name.strip_prefix("pgsql-"),
                "/opt/rh" => name.strip_prefix("rh-postgresql"),
                _ => Some(name.as_str()),
            };
            let Some(version) = version else { continue };
            let numbers: Option<Vec<u32>> = version.split('.').map(|n| n.parse().ok()).collect();
            let candidate = entry.path().join(bin).join("pg_restore");
            if let Some(numbers) = numbers.filter(|_| candidate.is_file()) {
                found.push((numbers, candidate));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, path)| path).collect()
}

fn path_candidates() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("pg_restore"))
                .collect()
        })
        .unwrap_or_default()
}

/// What `pg_restore --list` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Toc {
    pub entries: usize,
    pub tables: usize,
}

/// A dump's format, from its first bytes (custom dumps start with `PGDMP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DumpFormat {
    Custom,
    Plain,
}

impl DumpFormat {
    pub fn detect(path: &Path) -> io::Result<DumpFormat> {
        let mut head = [0u8; 5];
        let n = File::open(path)?.read(&mut head)?;
        Ok(if &head[..n] == b"PGDMP" {
            DumpFormat::Custom
        } else {
            DumpFormat::Plain
        })
    }

    /// The name engine-backup's `--*-dump-format` and its `config` use.
    pub fn engine_backup_name(self) -> &'static str {
        match self {
            DumpFormat::Custom => "custom",
            DumpFormat::Plain => "plain",
        }
    }
}

/// The line pg_dump ends a plain dump with.
const PLAIN_DUMP_END: &str = "-- PostgreSQL database dump complete";

/// Checks a plain dump starts and ends the way pg_dump writes one.
pub fn check_plain(path: &Path) -> Result<(), String> {
    let mut file = File::open(path).map_err(|error| error.to_string())?;
    let mut head = [0u8; 64];
    let n = file.read(&mut head).map_err(|error| error.to_string())?;
    if !String::from_utf8_lossy(&head[..n]).contains("PostgreSQL database dump") {
        return Err("it does not start like a pg_dump SQL script".to_owned());
    }
    let length = file.metadata().map_err(|error| error.to_string())?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(4096)))
        .map_err(|error| error.to_string())?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)
        .map_err(|error| error.to_string())?;
    if !String::from_utf8_lossy(&tail).contains(PLAIN_DUMP_END) {
        return Err(format!(
            "it does not end with pg_dump's `{PLAIN_DUMP_END}`: it was cut short"
        ));
    }
    Ok(())
}
