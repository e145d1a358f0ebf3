//! Which Manager versions can restore a backup: engine-backup's `verifyVersion`.
//!
//! engine-backup restores an archive when the archive's `version` has the installed version's
//! major.minor and is not newer, or when the two lines are a pair it names in
//! `VALID_BACKUP_RESTORE_PAIRS`: 4.3 → 4.4 in 4.4's engine-backup (ovirt-engine de76134a,
//! 2020), 4.3 → 4.5 and 4.4 → 4.5 in 4.5's (6222b87f, 2022). Since 4.4.3 (02c8a4b0) it
//! refuses a 4.3 backup older than 4.3.10: the guide has the Manager updated to the latest 4.3
//! first, and 4.3.10 is the first 4.3 whose backup holds the cinderlib database.

use std::fmt;
use std::str::FromStr;

use model::{Level, PackageVersion};
use serde::Serialize;

/// The pairs of release lines (backup, restore) engine-backup allows across lines.
pub const RESTORE_PAIRS: [(Level, Level); 3] = [
    (Level::new(4, 3), Level::new(4, 4)),
    (Level::new(4, 3), Level::new(4, 5)),
    (Level::new(4, 4), Level::new(4, 5)),
];

/// The oldest 4.3 whose backup a later line restores.
pub const OLDEST_4_3_TO_UPGRADE: u16 = 10;

/// A version as engine-backup writes it in `version` (its PACKAGE_VERSION, `4.3.10.4`), or as
/// the user names a restore target: the numbers up to the first part that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerVersion {
    pub text: String,
    pub line: Level,
    /// The third number, when there is one.
    pub micro: Option<u16>,
}

/// Why a version was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Manager version (write it like 4.4 or 4.4.10.7)")]
pub struct VersionSyntaxError(pub String);

impl FromStr for ManagerVersion {
    type Err = VersionSyntaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let error = || VersionSyntaxError(text.to_owned());
        let mut numbers = text.split('.').map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u16>().ok()
        });
        let major = numbers.next().flatten().ok_or_else(error)?;
        let minor = numbers.next().flatten().ok_or_else(error)?;
        Ok(ManagerVersion {
            text: text.to_owned(),
            line: Level::new(major, minor),
            micro: numbers.next().flatten(),
        })
    }
}

impl fmt::Display for ManagerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for ManagerVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl ManagerVersion {
    /// Whether the user named only a line (`4.4`), not a version within it.
    fn is_line_only(&self) -> bool {
        self.text.split('.').count() == 2
    }
}

/// How a backup reaches its target, when it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestorePath {
    /// The same line: restored as is.
    SameLine,
    /// A line pair engine-backup allows; engine-setup then upgrades the database.
    Upgrade,
}

/// Why engine-backup on the target refuses the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum VersionRefusal {
    /// Same line, but the backup is newer than the target.
    BackupNewer,
    /// engine-backup names no pair from the backup's line to the target's.
    NoPath { allowed: Vec<Level> },
    /// A 4.3 backup older than 4.3.10.
    Below4310,
}

/// engine-backup's `verifyVersion`, for `backup` restored on `target`. A target given as a line
/// (`4.4`) stands for any version of it; a same-line backup is then accepted, as the target's
/// latest version will restore it.
pub fn restore_path(
    backup: &ManagerVersion,
    target: &ManagerVersion,
) -> Result<RestorePath, VersionRefusal> {
    if backup.line == target.line {
        let newer = !target.is_line_only()
            && PackageVersion::new(&backup.text) > PackageVersion::new(&target.text);
        return if newer {
            Err(VersionRefusal::BackupNewer)
        } else {
            Ok(RestorePath::SameLine)
        };
    }
    if !RESTORE_PAIRS.contains(&(backup.line, target.line)) {
        let allowed = RESTORE_PAIRS
            .iter()
            .filter(|(from, _)| *from == backup.line)
            .map(|(_, to)| *to)
            .collect();
        return Err(VersionRefusal::NoPath { allowed });
    }
    if backup.line == Level::new(4, 3) && backup.micro.unwrap_or(0) < OLDEST_4_3_TO_UPGRADE {
        return Err(VersionRefusal::Below4310);
    }
    Ok(RestorePath::Upgrade)
}

/// The line a backup is restored on when no target is named: the upgrade this tool is for,
/// the backup's line's successor (4.3 → 4.4).
pub fn default_target(backup: &ManagerVersion) -> ManagerVersion {
    let line = backup.line.next();
    ManagerVersion {
        text: line.to_string(),
        line,
        micro: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ManagerVersion {
        text.parse().unwrap()
    }

    #[test]
    fn versions_read_like_engine_backup_writes_them() {
        let version = v("4.3.10.4");
        assert_eq!(version.line, Level::new(4, 3));
        assert_eq!(version.micro, Some(10));
        assert_eq!(v("4.5.0_master").micro, Some(0));
        assert!("four".parse::<ManagerVersion>().is_err());
        assert!("4".parse::<ManagerVersion>().is_err());
    }

    #[test]
    fn engine_backup_allows_the_documented_paths_only() {
        assert_eq!(
            restore_path(&v("4.3.10.4"), &v("4.4")),
            Ok(RestorePath::Upgrade)
        );
        assert_eq!(
            restore_path(&v("4.3.9.1"), &v("4.4")),
            Err(VersionRefusal::Below4310)
        );
        assert_eq!(
            restore_path(&v("4.4.10.7"), &v("4.5.0")),
            Ok(RestorePath::Upgrade)
        );
        assert_eq!(
            restore_path(&v("4.2.8.2"), &v("4.4")),
            Err(VersionRefusal::NoPath { allowed: vec![] })
        );
        assert_eq!(
            restore_path(&v("4.4.9.5"), &v("4.4.10.7")),
            Ok(RestorePath::SameLine)
        );
        assert_eq!(
            restore_path(&v("4.4.10.7"), &v("4.4.9.5")),
            Err(VersionRefusal::BackupNewer)
        );
        assert_eq!(
            restore_path(&v("4.4.10.7"), &v("4.4")),
            Ok(RestorePath::SameLine)
        );
        assert_eq!(
            restore_path(&v("4.4.1"), &v("4.3")),
            Err(VersionRefusal::NoPath {
                allowed: vec![Level::new(4, 5)]
            })
        );
        assert_eq!(default_target(&v("4.3.10.4")).to_string(), "4.4");
    }
}
