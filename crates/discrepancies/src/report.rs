//! The result of a comparison and its text form, which is the Image Discrepancies tool's:
//!
//! ```text
//!  Checking storage domain <sd>
//!     Looking for missing images...
//!     No missing images found
//!     Checking discrepancies between SD/DB attributes...
//!     image <volume> has a different attribute capacity on storage(N) and on DB(M)
//!     No discrepancies found
//! ```
//!
//! ("image" is the tool's word for a volume.) Findings the tool never printed use the same style.

use std::fmt::Write as _;

use model::{DiskId, DomainRole, Lang, StorageDomainId, Text, VolumeId};
use serde::Serialize;

use crate::chain::{ChainFault, ChainRule};

/// Which side of the comparison a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Storage,
    Engine,
}

/// An attribute compared between storage and the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Capacity,
    Image,
    Parent,
    Format,
    Allocation,
    ContentType,
    Legality,
    Role,
}

impl Attribute {
    /// The word in the text output; `capacity` is the tool's own.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Capacity => "capacity",
            Attribute::Image => "image",
            Attribute::Parent => "parent",
            Attribute::Format => "format",
            Attribute::Allocation => "type",
            Attribute::ContentType => "disktype",
            Attribute::Legality => "legality",
            Attribute::Role => "role",
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Storage and engine disagree, or storage is broken: exit code 1.
    Discrepancy,
    /// Worth knowing, harmless by itself (garbage being deleted, an operation in flight).
    Notice,
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// A volume on storage that the engine does not record on this domain.
    OnlyOnStorage {
        volume: VolumeId,
        image: Option<DiskId>,
        /// Domains where the engine does record it (a leftover of a move).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        engine_domains: Vec<StorageDomainId>,
    },
    /// A volume the engine records on this domain that storage does not have.
    OnlyInEngine {
        volume: VolumeId,
        image: DiskId,
        /// Storage has it in an image being deleted.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        being_removed: bool,
    },
    /// A volume attribute that differs.
    Attribute {
        volume: VolumeId,
        attribute: Attribute,
        storage: String,
        engine: String,
    },
    /// A storage-domain attribute that differs (its role).
    DomainAttribute {
        attribute: Attribute,
        storage: String,
        engine: String,
    },
    /// A broken volume chain.
    Chain {
        image: DiskId,
        side: Side,
        #[serde(flatten)]
        fault: ChainFault,
    },
    /// A volume whose metadata cannot be read: nothing of it was compared.
    InvalidMetadata {
        volume: VolumeId,
        location: String,
        problem: String,
    },
    /// A problem with the domain's own metadata (seal broken, unreadable, wrong id).
    DomainMetadata { problem: String },
    /// The engine does not know the storage domain at all.
    DomainNotInEngine { volumes: usize },
    /// An image vdsm was deleting (`_remove_me_`) that the engine no longer records.
    RemovedImage {
        image: DiskId,
        volumes: Vec<VolumeId>,
        location: String,
    },
    /// A volume vdsm was still creating; not compared.
    Initializing { volume: VolumeId },
    /// The engine holds a lock on the volume: an operation is running, its legality is not
    /// compared.
    Locked { volume: VolumeId },
    /// Something on storage could not be read; the scan went on without it.
    Unreadable { location: String, message: String },
}

/// Which part of a domain's output a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// "Looking for missing images..."
    Missing,
    /// "Checking discrepancies between SD/DB attributes..."
    Attributes,
}

impl FindingKind {
    pub fn section(&self) -> Section {
        match self {
            FindingKind::OnlyOnStorage { .. }
            | FindingKind::OnlyInEngine { .. }
            | FindingKind::RemovedImage { .. }
            | FindingKind::DomainNotInEngine { .. } => Section::Missing,
            _ => Section::Attributes,
        }
    }

    fn severity(&self) -> Severity {
        match self {
            FindingKind::RemovedImage { .. }
            | FindingKind::Initializing { .. }
            | FindingKind::Locked { .. } => Severity::Notice,
            _ => Severity::Discrepancy,
        }
    }

    /// The line of text output, without its indentation.
    pub fn line(&self, domain: StorageDomainId) -> String {
        let image_of =
            |image: &Option<DiskId>| image.map_or_else(String::new, |i| format!(" of disk {i}"));
        match self {
            FindingKind::OnlyOnStorage {
                volume,
                image,
                engine_domains,
            } => {
                let mut line = format!(
                    "image {volume}{} is on storage but not on DB",
                    image_of(image)
                );
                if !engine_domains.is_empty() {
                    let list: Vec<String> =
                        engine_domains.iter().map(|d| d.to_string()).collect();
                    let _ = write!(
                        line,
                        " (DB has it on storage domain {}: a leftover of a move?)",
                        list.join(", ")
                    );
                }
                line
            }
            FindingKind::OnlyInEngine {
                volume,
                image,
                being_removed,
            } => {
                let mut line = format!("image {volume} of disk {image} is on DB but not on storage");
                if *being_removed {
                    line.push_str(" (storage is deleting it: _remove_me_)");
                }
                line
            }
            FindingKind::Attribute {
                volume,
                attribute,
                storage,
                engine,
            } => format!(
                "image {volume} has a different attribute {} on storage({storage}) and on DB({engine})",
                attribute.as_str()
            ),
            FindingKind::DomainAttribute {
                attribute,
                storage,
                engine,
            } => format!(
                "storage domain {domain} has a different attribute {} on storage({storage}) and on DB({engine})",
                attribute.as_str()
            ),
            FindingKind::Chain { image, side, fault } => {
                let where_ = match side {
                    Side::Storage => "on storage",
                    Side::Engine => "on DB",
                };
                let volumes: Vec<String> = fault.volumes.iter().map(|v| v.to_string()).collect();
                let detail = match fault.rule {
                    ChainRule::DuplicateParent => format!(
                        "volumes {} share the parent {}",
                        volumes.join(", "),
                        fault
                            .parent
                            .map_or_else(|| crate::vocab::BLANK_UUID.to_owned(), |p| p.to_string())
                    ),
                    ChainRule::NoBaseVolume => format!(
                        "no base volume: none of {} has a blank parent",
                        volumes.join(", ")
                    ),
                    ChainRule::Loop => format!("a loop of parents through {}", volumes.join(", ")),
                    ChainRule::Orphan => format!(
                        "orphan volumes {}: their parents are not in the chain",
                        volumes.join(", ")
                    ),
                };
                format!("disk {image} has a broken volume chain {where_}: {detail}")
            }
            FindingKind::InvalidMetadata {
                volume,
                location,
                problem,
            } => format!("image {volume} has invalid metadata on storage: {problem} ({location})"),
            FindingKind::DomainMetadata { problem } => {
                format!("storage domain {domain} metadata: {problem}")
            }
            FindingKind::DomainNotInEngine { volumes } => format!(
                "storage domain {domain} is not on DB; its {volumes} volume(s) were not compared"
            ),
            FindingKind::RemovedImage {
                image, volumes, ..
            } => format!(
                "disk {image} is being deleted on storage (_remove_me_, {} volume(s)) and is not on DB",
                volumes.len()
            ),
            FindingKind::Initializing { volume } => {
                format!("image {volume} is still being created on storage; not compared")
            }
            FindingKind::Locked { volume } => format!(
                "image {volume} is locked on DB: an operation is running; run again when it ends"
            ),
            FindingKind::Unreadable { location, message } => format!("cannot read {location}: {message}"),
        }
    }
}

/// One finding on one domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub kind: FindingKind,
    pub severity: Severity,
    /// Found on an ISO or Export domain: the engine keeps no image records for those, so the
    /// guide says such findings can be ignored.
    pub safe_to_ignore: bool,
}

impl Finding {
    pub fn new(kind: FindingKind, safe_to_ignore: bool) -> Finding {
        Finding {
            severity: kind.severity(),
            kind,
            safe_to_ignore,
        }
    }

    /// Whether the finding makes the run fail (exit code 1).
    pub fn counts(&self) -> bool {
        self.severity == Severity::Discrepancy && !self.safe_to_ignore
    }
}

/// The comparison of one storage domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainReport {
    pub id: StorageDomainId,
    /// Its name in the engine, when the engine knows it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub role: Option<DomainRole>,
    /// ISO and Export domains: findings here can be ignored.
    pub safe_to_ignore: bool,
    /// What the storage side was read from.
    pub source: String,
    pub volumes_on_storage: usize,
    pub volumes_in_engine: usize,
    /// In output order.
    pub findings: Vec<Finding>,
}

/// Counts over a whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub domains_checked: usize,
    pub volumes_on_storage: usize,
    pub volumes_in_engine: usize,
    /// Findings that make the run fail.
    pub discrepancies: usize,
    /// Findings on ISO and Export domains.
    pub safe_to_ignore: usize,
    pub notices: usize,
    /// Findings of the first collection not seen again in the second (`--confirm`).
    pub transient: usize,
    /// Problems reading the engine side.
    pub engine_problems: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub domains: Vec<DomainReport>,
    /// Problems reading the engine side (a missing table...).
    pub engine_problems: Vec<crate::engine::EngineProblem>,
    /// Data domains the engine knows that no storage source covered.
    pub not_scanned: Vec<StorageDomainId>,
    /// Whether this report keeps only findings seen in two collections.
    pub confirmed: bool,
    pub transient: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let findings = || self.domains.iter().flat_map(|d| d.findings.iter());
        Summary {
            domains_checked: self.domains.len(),
            volumes_on_storage: self.domains.iter().map(|d| d.volumes_on_storage).sum(),
            volumes_in_engine: self.domains.iter().map(|d| d.volumes_in_engine).sum(),
            discrepancies: findings().filter(|f| f.counts()).count() + self.engine_problems.len(),
            safe_to_ignore: findings()
                .filter(|f| f.severity == Severity::Discrepancy && f.safe_to_ignore)
                .count(),
            notices: findings()
                .filter(|f| f.severity == Severity::Notice)
                .count(),
            transient: self.transient,
            engine_problems: self.engine_problems.len(),
        }
    }

    /// Whether anything makes the run fail.
    pub fn has_discrepancies(&self) -> bool {
        self.summary().discrepancies > 0
    }
}

/// The report in the Image Discrepancies tool's text format.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    for (n, domain) in report.domains.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&domain_text(domain));
    }
    if !report.engine_problems.is_empty() {
        if !report.domains.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, " Reading the engine's records");
        for problem in &report.engine_problems {
            let _ = writeln!(out, "    {}: {}", problem.subject, problem.message);
        }
    }
    out
}

/// One domain's part of the text format, from its "Checking storage domain" line on.
pub fn domain_text(domain: &DomainReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, " Checking storage domain {}", domain.id);
    let _ = writeln!(out, "    Looking for missing images...");
    section(
        &mut out,
        domain,
        Section::Missing,
        "No missing images found",
    );
    let _ = writeln!(
        out,
        "    Checking discrepancies between SD/DB attributes..."
    );
    section(
        &mut out,
        domain,
        Section::Attributes,
        "No discrepancies found",
    );
    if domain.safe_to_ignore && !domain.findings.is_empty() {
        let kind = match domain.role {
            Some(DomainRole::Iso) => "an ISO",
            _ => "an Export",
        };
        let _ = writeln!(
            out,
            "    This is {kind} domain: the DB keeps no image entries for it, so these differences can be ignored"
        );
    }
    out
}

/// The comparison summed up in both languages: the counts, the data domains no storage source
/// covered, and, when something was found without `--confirm`, the advice to confirm it.
pub fn summary_lines(report: &Report, summary: &Summary) -> Vec<Text> {
    let Summary {
        domains_checked: domains,
        volumes_on_storage: on_storage,
        volumes_in_engine: in_engine,
        discrepancies: found,
        safe_to_ignore,
        notices,
        transient,
        ..
    } = *summary;
    let ending = if found == 1 { "y" } else { "ies" };
    let mut parts = vec![Text::owned(
        format!("{domains} storage domain(s), {on_storage} volume(s) on storage, {in_engine} in the engine's records: {found} discrepanc{ending}"),
        format!("ストレージドメイン {domains}、ストレージ上のボリューム {on_storage}、エンジンの記録 {in_engine}: 不一致 {found} 件"),
    )];
    if safe_to_ignore > 0 {
        parts.push(Text::owned(
            format!("{safe_to_ignore} on ISO/Export domains (safe to ignore)"),
            format!("ISO/Export ドメイン上 {safe_to_ignore} 件 (無視できます)"),
        ));
    }
    if notices > 0 {
        parts.push(Text::owned(
            format!("{notices} notice(s)"),
            format!("お知らせ {notices} 件"),
        ));
    }
    if report.confirmed {
        parts.push(Text::owned(
            format!("{transient} seen in only one of the two collections (not reported)"),
            format!("2 回の収集の一方でのみ検出 {transient} 件 (報告対象外)"),
        ));
    }
    let joined = |lang: Lang, separator: &str| {
        parts
            .iter()
            .map(|part| part.get(lang))
            .collect::<Vec<_>>()
            .join(separator)
    };
    let mut lines = vec![Text::owned(
        format!("Summary: {}", joined(Lang::En, ", ")),
        format!("概要: {}", joined(Lang::Ja, "、")),
    )];
    if !report.not_scanned.is_empty() {
        let list: Vec<String> = report.not_scanned.iter().map(|d| d.to_string()).collect();
        let list = list.join(", ");
        lines.push(Text::owned(
            format!("Not scanned: the engine has data domain(s) no storage source covered: {list}"),
            format!("未確認: ストレージ側の入力がないデータドメイン: {list}"),
        ));
    }
    if summary.discrepancies > 0 && !report.confirmed {
        lines.push(Text::new(
            "Stop storage activity and run again with --confirm to drop differences caused by operations in flight.",
            "ストレージの操作を止め、--confirm を付けて再実行すると、実行中の操作による差異を除外できます。",
        ));
    }
    lines
}

/// One section's lines: its discrepancies, or the tool's "none found" line when it has none,
/// then its notices.
fn section(out: &mut String, domain: &DomainReport, section: Section, none_found: &str) {
    let findings = || {
        domain
            .findings
            .iter()
            .filter(move |f| f.kind.section() == section)
    };
    let mut any = false;
    for finding in findings().filter(|f| f.severity == Severity::Discrepancy) {
        any = true;
        let _ = writeln!(out, "    {}", finding.kind.line(domain.id));
    }
    if !any {
        let _ = writeln!(out, "    {none_found}");
    }
    for finding in findings().filter(|f| f.severity == Severity::Notice) {
        let _ = writeln!(out, "    {}", finding.kind.line(domain.id));
    }
}
