//! The checks on an archive read once, and the report they make.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::Lang;
use serde::Serialize;

use crate::archive::{Compression, Contents, Member, FILES_MEMBER};
use crate::dump::{self, DumpFormat, PgRestore, Toc};
use crate::version::{self, ManagerVersion, RestorePath, VersionRefusal};
use crate::Options;

/// A PostgreSQL database engine-backup dumps, each under its own name in `db/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Database {
    Engine,
    Dwh,
    Cinderlib,
    ManagedBlock,
    Keycloak,
}

impl Database {
    pub const ALL: [Database; 5] = [
        Database::Engine,
        Database::Dwh,
        Database::Cinderlib,
        Database::ManagedBlock,
        Database::Keycloak,
    ];

    /// The dump's member in the archive (engine-backup's `*_BACKUP_FILE_NAME`).
    pub fn member(self) -> &'static str {
        match self {
            Database::Engine => "db/engine_backup.db",
            Database::Dwh => "db/dwh_backup.db",
            Database::Cinderlib => "db/cinderlib_backup.db",
            Database::ManagedBlock => "db/managedblock_backup.db",
            Database::Keycloak => "db/keycloak_backup.db",
        }
    }

    pub fn from_member(name: &str) -> Option<Database> {
        Database::ALL.into_iter().find(|db| db.member() == name)
    }

    /// The prefix of the dump's settings in the archive's `config` (`DWH_DB_DUMP_FORMAT`).
    fn config_prefix(self) -> &'static str {
        match self {
            Database::Engine => "DB_",
            Database::Dwh => "DWH_DB_",
            Database::Cinderlib => "CINDERLIB_DB_",
            Database::ManagedBlock => "MANAGEDBLOCK_DB_",
            Database::Keycloak => "KEYCLOAK_DB_",
        }
    }

    pub fn part(self) -> Part {
        match self {
            Database::Engine => Part::EngineDb,
            Database::Dwh => Part::DwhDb,
            Database::Cinderlib => Part::CinderlibDb,
            Database::ManagedBlock => Part::ManagedBlockDb,
            Database::Keycloak => Part::KeycloakDb,
        }
    }
}

/// What an archive can hold: engine-backup's scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Files,
    EngineDb,
    DwhDb,
    CinderlibDb,
    ManagedBlockDb,
    KeycloakDb,
    GrafanaDb,
}

impl Part {
    /// engine-backup's name for the scope (`--scope=dwhdb`).
    pub fn scope_name(self) -> &'static str {
        match self {
            Part::Files => "files",
            Part::EngineDb => "db",
            Part::DwhDb => "dwhdb",
            Part::CinderlibDb => "cinderlibdb",
            Part::ManagedBlockDb => "managedblockdb",
            Part::KeycloakDb => "keycloakdb",
            Part::GrafanaDb => "grafanadb",
        }
    }

    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Part::Files, Lang::En) => "product files",
            (Part::Files, Lang::Ja) => "製品ファイル",
            (Part::EngineDb, Lang::En) => "engine database",
            (Part::EngineDb, Lang::Ja) => "エンジンデータベース",
            (Part::DwhDb, Lang::En) => "Data Warehouse database",
            (Part::DwhDb, Lang::Ja) => "Data Warehouse データベース",
            (Part::CinderlibDb, Lang::En) => "cinderlib database",
            (Part::CinderlibDb, Lang::Ja) => "cinderlib データベース",
            (Part::ManagedBlockDb, Lang::En) => "Managed Block database",
            (Part::ManagedBlockDb, Lang::Ja) => "Managed Block データベース",
            (Part::KeycloakDb, Lang::En) => "Keycloak database",
            (Part::KeycloakDb, Lang::Ja) => "Keycloak データベース",
            (Part::GrafanaDb, Lang::En) => "Grafana database",
            (Part::GrafanaDb, Lang::Ja) => "Grafana データベース",
        }
    }
}

const GRAFANA_MEMBER: &str = "db/grafana.db";

/// The product files a restore cannot do without, under `files` (paths relative to /).
pub const REQUIRED_FILES: [&str; 7] = [
    // The engine database's credentials: without them engine-backup restores no engine database.
    "etc/ovirt-engine/engine.conf.d/10-setup-database.conf",
    // engine-setup's record of the installation, read by engine-setup after the restore.
    "etc/ovirt-engine-setup.conf.d/20-setup-ovirt-post.conf",
    // The engine CA, which every host trusts, and its key.
    "etc/pki/ovirt-engine/ca.pem",
    "etc/pki/ovirt-engine/private/ca.pem",
    // The engine's certificate and key store, and the SSH key it reaches hosts with.
    "etc/pki/ovirt-engine/certs/engine.cer",
    "etc/pki/ovirt-engine/keys/engine.p12",
    "etc/pki/ovirt-engine/keys/engine_id_rsa",
];

/// The DWH service's database settings: where they are, the DWH runs on this Manager.
const DWH_SETUP_FILE: &str = "etc/ovirt-engine-dwh/ovirt-engine-dwhd.conf.d/10-setup-database.conf";

/// The checksum files engine-backup's restore looks for, in its order (`AVAILABLE_HASHERS`).
const CHECKSUM_FILES: [&str; 2] = ["sha256sum", "md5sum"];

/// Whether the archive can be restored, and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub archive: PathBuf,
    pub restorable: bool,
    pub compression: Compression,
    /// The Manager version that made the backup (the archive's `version`).
    pub version: Option<ManagerVersion>,
    /// The operating system it ran on (`os_version`, such as `centos7`).
    pub os_version: Option<String>,
    /// What the backup was checked against: the target given, or the backup's next line.
    pub target: Option<ManagerVersion>,
    pub restore_path: Option<RestorePath>,
    pub checksums: Option<Checksums>,
    pub scope: Vec<Part>,
    pub files: Option<FilesReport>,
    pub dumps: Vec<DumpReport>,
    pub pg_restore: Option<PgRestore>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Checksums {
    /// `sha256sum` or `md5sum`.
    pub file: String,
    /// How many members it lists.
    pub listed: usize,
    /// How many of them matched.
    pub matched: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FilesReport {
    pub compression: Option<Compression>,
    pub entries: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DumpReport {
    pub database: Database,
    pub member: String,
    pub size: u64,
    pub compression: Compression,
    pub format: Option<DumpFormat>,
    /// The table of contents, for a custom dump pg_restore read.
    pub toc: Option<Toc>,
}

/// Something that stops the archive from being restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The archive ends early, or its compressed stream is damaged.
    Truncated {
        detail: String,
    },
    /// Neither `sha256sum` nor `md5sum`: engine-backup refuses to restore.
    NoChecksumFile,
    ChecksumLineUnreadable {
        file: String,
        line: usize,
    },
    /// The checksum file lists a member the archive lacks.
    ChecksumMemberMissing {
        file: String,
        member: String,
    },
    ChecksumMismatch {
        file: String,
        member: String,
        expected: String,
        actual: String,
    },
    VersionMissing,
    VersionUnreadable {
        text: String,
    },
    VersionNotRestorable {
        backup: String,
        target: String,
        #[serde(flatten)]
        refusal: VersionRefusal,
    },
    /// No `config`: engine-backup sources it to learn each dump's format.
    ConfigMissing,
    /// A part the Manager's restore needs is not in the archive.
    PartMissing {
        part: Part,
    },
    FilesUnreadable {
        detail: String,
    },
    RequiredFileMissing {
        path: String,
    },
    /// The dump is not in the format or compression `config` says, which restore believes.
    DumpNotAsConfigured {
        member: String,
        configured: String,
        found: String,
    },
    DumpUnreadable {
        member: String,
        detail: String,
    },
    /// pg_restore was not found, so a custom dump could not be read.
    DumpNotChecked {
        member: String,
        reason: String,
    },
    GrafanaDbUnreadable {
        member: String,
    },
}

impl Finding {
    /// The archive member the finding is about, when it is about one.
    pub fn member(&self) -> Option<&str> {
        match self {
            Finding::ChecksumLineUnreadable { file, .. } => Some(file),
            Finding::ChecksumMemberMissing { member, .. }
            | Finding::ChecksumMismatch { member, .. }
            | Finding::DumpNotAsConfigured { member, .. }
            | Finding::DumpUnreadable { member, .. }
            | Finding::DumpNotChecked { member, .. }
            | Finding::GrafanaDbUnreadable { member } => Some(member),
            Finding::VersionMissing | Finding::VersionUnreadable { .. } => Some("version"),
            Finding::ConfigMissing => Some("config"),
            Finding::FilesUnreadable { .. } | Finding::RequiredFileMissing { .. } => {
                Some(FILES_MEMBER)
            }
            Finding::PartMissing { part } => Some(match part {
                Part::Files => FILES_MEMBER,
                Part::GrafanaDb => GRAFANA_MEMBER,
                Part::EngineDb => Database::Engine.member(),
                Part::DwhDb => Database::Dwh.member(),
                Part::CinderlibDb => Database::Cinderlib.member(),
                Part::ManagedBlockDb => Database::ManagedBlock.member(),
                Part::KeycloakDb => Database::Keycloak.member(),
            }),
            Finding::Truncated { .. }
            | Finding::NoChecksumFile
            | Finding::VersionNotRestorable { .. } => None,
        }
    }

    /// What is wrong, in one sentence.
    pub fn message(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            Finding::Truncated { detail } if en => {
                format!("the archive is truncated or damaged: {detail}")
            }
            Finding::Truncated { detail } => {
                format!("アーカイブが途中で切れているか破損しています: {detail}")
            }
            Finding::NoChecksumFile if en => {
                "the archive has no checksum file (sha256sum or md5sum)".into()
            }
            Finding::NoChecksumFile => {
                "アーカイブにチェックサムファイル (sha256sum または md5sum) がありません".into()
            }
            Finding::ChecksumLineUnreadable { file, line } if en => {
                format!("{file} line {line} is not `CHECKSUM  MEMBER`")
            }
            Finding::ChecksumLineUnreadable { file, line } => {
                format!("{file} の {line} 行目が `CHECKSUM  MEMBER` の形ではありません")
            }
            Finding::ChecksumMemberMissing { file, member } if en => {
                format!("{file} lists {member}, which the archive does not hold")
            }
            Finding::ChecksumMemberMissing { file, member } => {
                format!("{file} に記載の {member} がアーカイブにありません")
            }
            Finding::ChecksumMismatch {
                file,
                member,
                expected,
                actual,
            } if en => {
                format!("{member} does not match its checksum in {file} (expected {expected}, found {actual})")
            }
            Finding::ChecksumMismatch {
                file,
                member,
                expected,
                actual,
            } => {
                format!("{member} が {file} のチェックサムと一致しません (期待値 {expected}、実際 {actual})")
            }
            Finding::VersionMissing if en => "the archive has no `version` file".into(),
            Finding::VersionMissing => "アーカイブに `version` ファイルがありません".into(),
            Finding::VersionUnreadable { text } if en => {
                format!("`version` holds `{text}`, not a Manager version")
            }
            Finding::VersionUnreadable { text } => {
                format!("`version` の内容 `{text}` は Manager のバージョンではありません")
            }
            Finding::VersionNotRestorable {
                backup,
                target,
                refusal,
            } => version_message(backup, target, refusal, lang),
            Finding::ConfigMissing if en => {
                "the archive has no `config` file (each dump's format and compressor)".into()
            }
            Finding::ConfigMissing => {
                "アーカイブに `config` ファイル (各ダンプの形式と圧縮方式) がありません".into()
            }
            Finding::PartMissing { part } if en => {
                format!("the archive holds no {}", part.describe(lang))
            }
            Finding::PartMissing { part } => {
                format!("アーカイブに{}がありません", part.describe(lang))
            }
            Finding::FilesUnreadable { detail } if en => {
                format!("the product files cannot be read: {detail}")
            }
            Finding::FilesUnreadable { detail } => {
                format!("製品ファイルを読み取れません: {detail}")
            }
            Finding::RequiredFileMissing { path } if en => {
                format!("the product files lack /{path}")
            }
            Finding::RequiredFileMissing { path } => format!("製品ファイルに /{path} がありません"),
            Finding::DumpNotAsConfigured {
                member,
                configured,
                found,
            } if en => {
                format!("{member} is {found}, but `config` says {configured}")
            }
            Finding::DumpNotAsConfigured {
                member,
                configured,
                found,
            } => {
                format!("{member} は {found} ですが、`config` では {configured} です")
            }
            Finding::DumpUnreadable { member, detail } if en => {
                format!("{member} cannot be read: {detail}")
            }
            Finding::DumpUnreadable { member, detail } => {
                format!("{member} を読み取れません: {detail}")
            }
            Finding::DumpNotChecked { member, reason } if en => {
                format!("{member} was not checked: {reason}")
            }
            Finding::DumpNotChecked { member, reason } => {
                format!("{member} を確認できませんでした: {reason}")
            }
            Finding::GrafanaDbUnreadable { member } if en => {
                format!("{member} is not an SQLite database")
            }
            Finding::GrafanaDbUnreadable { member } => {
                format!("{member} は SQLite データベースではありません")
            }
        }
    }

    /// What to do about it.
    pub fn hint(&self, lang: Lang) -> &'static str {
        let text = match self {
            Finding::Truncated { .. } | Finding::ChecksumMismatch { .. } | Finding::ChecksumMemberMissing { .. } => (
                "the copy is damaged: copy the archive again from where engine-backup wrote it, or take a new backup",
                "コピーが破損しています: engine-backup が書き出した場所から再度コピーするか、バックアップを取り直してください",
            ),
            Finding::VersionNotRestorable { .. } => (
                "update the Manager to the latest release of its line, take a new backup (engine-backup --scope=all --mode=backup), and restore it on a version engine-backup accepts",
                "Manager を同じ系列の最新リリースに更新してからバックアップを取り直し (engine-backup --scope=all --mode=backup)、engine-backup が受け付けるバージョンでリストアしてください",
            ),
            Finding::DumpNotChecked { .. } => (
                "install the PostgreSQL client tools (the postgresql package) or name their directory with --pg-bin",
                "PostgreSQL クライアントツール (postgresql パッケージ) をインストールするか、--pg-bin でそのディレクトリを指定してください",
            ),
            Finding::DumpUnreadable { .. } => (
                "take a new backup; if pg_restore says the dump's version is unsupported, use a newer pg_restore (--pg-bin)",
                "バックアップを取り直してください。pg_restore がダンプのバージョンを未対応と言う場合は、より新しい pg_restore を使ってください (--pg-bin)",
            ),
            _ => (
                "take a new, complete backup on the Manager: engine-backup --scope=all --mode=backup --file=FILE --log=LOG",
                "Manager で完全なバックアップを取り直してください: engine-backup --scope=all --mode=backup --file=FILE --log=LOG",
            ),
        };
        match lang {
            Lang::En => text.0,
            Lang::Ja => text.1,
        }
    }
}

fn version_message(backup: &str, target: &str, refusal: &VersionRefusal, lang: Lang) -> String {
    match (refusal, lang) {
        (VersionRefusal::BackupNewer, Lang::En) => {
            format!("the backup was made by {backup}, newer than the target {target}: engine-backup restores only on the same or a newer version")
        }
        (VersionRefusal::BackupNewer, Lang::Ja) => {
            format!("バックアップは {backup} で作成されており、リストア先 {target} より新しいバージョンです: engine-backup は同じか新しいバージョンにしかリストアしません")
        }
        (VersionRefusal::NoPath { allowed }, _) => {
            let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            match lang {
                Lang::En if allowed.is_empty() => format!("a backup made by {backup} cannot be restored on {target}: engine-backup restores it only on its own line"),
                Lang::En => format!("a backup made by {backup} cannot be restored on {target}: engine-backup restores it only on its own line or on {}", allowed.join(", ")),
                Lang::Ja if allowed.is_empty() => format!("{backup} のバックアップは {target} にリストアできません: engine-backup は同じ系列にしかリストアしません"),
                Lang::Ja => format!("{backup} のバックアップは {target} にリストアできません: engine-backup がリストアできるのは同じ系列か {} です", allowed.join(", ")),
            }
        }
        (VersionRefusal::Below4310, Lang::En) => {
            format!("a backup made by {backup} cannot be restored on {target}: engine-backup restores a 4.3 backup on a later line only from 4.3.10 on")
        }
        (VersionRefusal::Below4310, Lang::Ja) => {
            format!("{backup} のバックアップは {target} にリストアできません: engine-backup が新しい系列にリストアする 4.3 のバックアップは 4.3.10 以降のものだけです")
        }
    }
}

/// Runs every check on what was read.
pub(crate) fn build(path: &Path, contents: &Contents, options: &Options) -> Report {
    let mut findings = Vec::new();
    if let Some(detail) = &contents.truncated {
        findings.push(Finding::Truncated {
            detail: detail.clone(),
        });
    }
    let members = &contents.members;
    let text = |name: &str| members.get(name).and_then(|m| m.text.as_deref());

    let checksums = check_checksums(members, &mut findings);

    let first_line = |name: &str| text(name).and_then(|t| t.lines().next()).map(str::trim);
    let version = match first_line("version") {
        None => {
            findings.push(Finding::VersionMissing);
            None
        }
        Some(text) => match text.parse::<ManagerVersion>() {
            Ok(version) => Some(version),
            Err(_) => {
                findings.push(Finding::VersionUnreadable {
                    text: text.to_owned(),
                });
                None
            }
        },
    };
    let target = options
        .target
        .clone()
        .or_else(|| version.as_ref().map(version::default_target));
    let mut restore_path = None;
    if let (Some(backup), Some(target)) = (&version, &target) {
        match version::restore_path(backup, target) {
            Ok(path) => restore_path = Some(path),
            Err(refusal) => findings.push(Finding::VersionNotRestorable {
                backup: backup.to_string(),
                target: target.to_string(),
                refusal,
            }),
        }
    }

    let config = text("config").map(parse_config);
    if config.is_none() {
        findings.push(Finding::ConfigMissing);
    }

    // engine-backup's restore takes a part into its scope only when its member is not empty.
    let present = |name: &str| members.get(name).is_some_and(|m| m.size > 0);
    let mut scope = Vec::new();
    if present(FILES_MEMBER) {
        scope.push(Part::Files);
    }
    scope.extend(
        Database::ALL
            .into_iter()
            .filter(|db| present(db.member()))
            .map(Database::part),
    );
    if present(GRAFANA_MEMBER) {
        scope.push(Part::GrafanaDb);
    }

    let files = check_files(
        members.get(FILES_MEMBER).filter(|m| m.size > 0),
        &mut findings,
    );
    for part in [Part::Files, Part::EngineDb] {
        if !scope.contains(&part) {
            findings.push(Finding::PartMissing { part });
        }
    }
    let dwh_here = members
        .get(FILES_MEMBER)
        .and_then(|m| m.files.as_ref())
        .is_some_and(|listing| listing.paths.contains(DWH_SETUP_FILE));
    if dwh_here && !scope.contains(&Part::DwhDb) {
        findings.push(Finding::PartMissing { part: Part::DwhDb });
    }

    // Grafana keeps its database in SQLite; engine-backup copies it with sqlite3's `.backup`.
    if members
        .get(GRAFANA_MEMBER)
        .is_some_and(|m| m.size > 0 && !m.head.starts_with(b"SQLite format 3\0"))
    {
        findings.push(Finding::GrafanaDbUnreadable {
            member: GRAFANA_MEMBER.to_owned(),
        });
    }

    let (dumps, pg_restore) = check_dumps(members, config.as_ref(), options, &mut findings);

    Report {
        archive: path.to_owned(),
        restorable: findings.is_empty(),
        compression: contents.compression,
        version,
        os_version: first_line("os_version")
            .map(str::to_owned)
            .filter(|t| !t.is_empty()),
        target,
        restore_path,
        checksums,
        scope,
        files,
        dumps,
        pg_restore,
        findings,
    }
}

/// engine-backup's `verifyhash`: the first checksum file found, every line checked.
fn check_checksums(
    members: &BTreeMap<String, Member>,
    findings: &mut Vec<Finding>,
) -> Option<Checksums> {
    let Some((file, text)) = CHECKSUM_FILES
        .iter()
        .find_map(|name| Some((*name, members.get(*name)?.text.as_deref()?)))
    else {
        findings.push(Finding::NoChecksumFile);
        return None;
    };
    let mut summary = Checksums {
        file: file.to_owned(),
        listed: 0,
        matched: 0,
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // `sha256sum FILE` writes `HASH  FILE` (text mode) or `HASH *FILE` (binary mode).
        let Some((expected, name)) = line.split_once("  ").or_else(|| line.split_once(" *")) else {
            findings.push(Finding::ChecksumLineUnreadable {
                file: file.to_owned(),
                line: index + 1,
            });
            continue;
        };
        summary.listed += 1;
        let name = name.trim_start_matches("./");
        let Some(member) = members.get(name) else {
            findings.push(Finding::ChecksumMemberMissing {
                file: file.to_owned(),
                member: name.to_owned(),
            });
            continue;
        };
        let actual = if file == "md5sum" {
            &member.md5
        } else {
            &member.sha256
        };
        if actual.eq_ignore_ascii_case(expected.trim()) {
            summary.matched += 1;
        } else {
            findings.push(Finding::ChecksumMismatch {
                file: file.to_owned(),
                member: name.to_owned(),
                expected: expected.trim().to_owned(),
                actual: actual.clone(),
            });
        }
    }
    Some(summary)
}

/// The archive's `config`: `NAME=value` lines, as engine-backup's `dump_config_for_restore`
/// writes them.
fn parse_config(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| {
            (
                name.trim().to_owned(),
                value.trim().trim_matches('"').to_owned(),
            )
        })
        .collect()
}

fn check_files(member: Option<&Member>, findings: &mut Vec<Finding>) -> Option<FilesReport> {
    let listing = member?.files.as_ref()?;
    if let Some(detail) = &listing.error {
        findings.push(Finding::FilesUnreadable {
            detail: detail.clone(),
        });
    } else {
        for path in REQUIRED_FILES {
            if !listing.paths.contains(path) {
                findings.push(Finding::RequiredFileMissing {
                    path: path.to_owned(),
                });
            }
        }
    }
    Some(FilesReport {
        compression: listing.compression,
        entries: listing.paths.len(),
    })
}

/// Each dump against `config`, then read: custom ones with pg_restore, plain ones by their
/// first and last lines.
fn check_dumps(
    members: &BTreeMap<String, Member>,
    config: Option<&BTreeMap<String, String>>,
    options: &Options,
    findings: &mut Vec<Finding>,
) -> (Vec<DumpReport>, Option<PgRestore>) {
    let mut reports = Vec::new();
    let mut pg_restore: Option<Result<PgRestore, String>> = None;
    for database in Database::ALL {
        let member_name = database.member();
        let Some(member) = members.get(member_name).filter(|m| m.size > 0) else {
            continue;
        };
        let Some(saved) = &member.dump else { continue };
        let mut report = DumpReport {
            database,
            member: member_name.to_owned(),
            size: member.size,
            compression: saved.compression,
            format: None,
            toc: None,
        };
        if let Some(detail) = &saved.error {
            findings.push(Finding::DumpUnreadable {
                member: member_name.to_owned(),
                detail: format!("{} data: {detail}", saved.compression.engine_backup_name()),
            });
            reports.push(report);
            continue;
        }
        let format = match DumpFormat::detect(&saved.path) {
            Ok(format) => format,
            Err(error) => {
                findings.push(Finding::DumpUnreadable {
                    member: member_name.to_owned(),
                    detail: error.to_string(),
                });
                reports.push(report);
                continue;
            }
        };
        report.format = Some(format);
        if let Some(config) = config {
            let setting = |name: &str| {
                config
                    .get(&format!("{}{name}", database.config_prefix()))
                    .map(String::as_str)
            };
            // engine-backup's defaults when `config` does not name them: custom, no compressor.
            let configured_format = setting("DUMP_FORMAT")
                .filter(|v| !v.is_empty())
                .unwrap_or("custom");
            let configured_compressor = setting("DUMP_COMPRESSOR")
                .filter(|v| !v.is_empty())
                .unwrap_or("None");
            let found_compressor = saved.compression.engine_backup_name();
            if configured_format != format.engine_backup_name()
                || configured_compressor != found_compressor
            {
                findings.push(Finding::DumpNotAsConfigured {
                    member: member_name.to_owned(),
                    configured: format!("{configured_format}, compressor {configured_compressor}"),
                    found: format!(
                        "{}, compressor {found_compressor}",
                        format.engine_backup_name()
                    ),
                });
            }
        }
        let read = match format {
            DumpFormat::Plain => dump::check_plain(&saved.path),
            DumpFormat::Custom => {
                match pg_restore.get_or_insert_with(|| PgRestore::find(options.pg_bin.as_deref())) {
                    Err(reason) => {
                        findings.push(Finding::DumpNotChecked {
                            member: member_name.to_owned(),
                            reason: reason.clone(),
                        });
                        reports.push(report);
                        continue;
                    }
                    Ok(tool) => tool.list(&saved.path).and_then(|toc| {
                        report.toc = Some(toc);
                        tool.read_all(&saved.path)
                    }),
                }
            }
        };
        if let Err(detail) = read {
            findings.push(Finding::DumpUnreadable {
                member: member_name.to_owned(),
                detail,
            });
        }
        reports.push(report);
    }
    (reports, pg_restore.and_then(Result::ok))
}
