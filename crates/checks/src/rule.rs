//! What a rule is and what it says: severities, sections, scopes, the stages of an upgrade a
//! finding stands in the way of, and findings with their evidence.

use model::{Text, Uuid};
use serde::Serialize;

use crate::facts::Facts;

/// How bad it is when a rule finds something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing when planning the window; nothing to fix.
    Info,
    /// A risk or extra work: the upgrade can go on, but look first.
    Warn,
    /// A blocker: a step of the upgrade will refuse or fail until it is fixed.
    Fail,
}

/// What one rule concluded for an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The rule looked and found nothing.
    Pass,
    /// The rule does not apply to this environment or route.
    Skip,
    Info,
    Warn,
    Fail,
}

impl Status {
    /// The word the reports print, the same in both languages (like `pve8to9`).
    pub const fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Skip => "SKIP",
            Status::Info => "INFO",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

impl From<Severity> for Status {
    fn from(severity: Severity) -> Status {
        match severity {
            Severity::Info => Status::Info,
            Severity::Warn => Status::Warn,
            Severity::Fail => Status::Fail,
        }
    }
}

/// The report's sections, in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    Route,
    Manager,
    HostedEngine,
    Compatibility,
    Hosts,
    Evacuation,
    Vms,
    Storage,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Route,
        Section::Manager,
        Section::HostedEngine,
        Section::Compatibility,
        Section::Hosts,
        Section::Evacuation,
        Section::Vms,
        Section::Storage,
    ];

    /// A short name for anchors and file names, as in JSON.
    pub const fn id(self) -> &'static str {
        match self {
            Section::Route => "route",
            Section::Manager => "manager",
            Section::HostedEngine => "hosted-engine",
            Section::Compatibility => "compatibility",
            Section::Hosts => "hosts",
            Section::Evacuation => "evacuation",
            Section::Vms => "vms",
            Section::Storage => "storage",
        }
    }

    pub const fn title(self) -> Text {
        match self {
            Section::Route => Text::new("Upgrade route", "アップグレードの経路"),
            Section::Manager => Text::new(
                "Manager, databases and certificates",
                "Manager、データベース、証明書",
            ),
            Section::HostedEngine => Text::new("Self-hosted engine", "セルフホストエンジン"),
            Section::Compatibility => Text::new(
                "Data centers, clusters and compatibility levels",
                "データセンター、クラスター、互換レベル",
            ),
            Section::Hosts => Text::new("Hosts", "ホスト"),
            Section::Evacuation => Text::new(
                "Host evacuation (maintenance of each host)",
                "ホストの退避 (各ホストのメンテナンス)",
            ),
            Section::Vms => Text::new("Virtual machines", "仮想マシン"),
            Section::Storage => Text::new("Storage and Gluster", "ストレージと Gluster"),
        }
    }
}

/// The kind of object a rule judges, and the kind of each object in its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Manager,
    Certificate,
    Database,
    HostedEngine,
    DataCenter,
    Cluster,
    Host,
    Vm,
    Snapshot,
    StorageDomain,
    Disk,
    GlusterVolume,
}

impl Scope {
    pub const fn title(self) -> Text {
        match self {
            Scope::Manager => Text::new("Manager", "Manager"),
            Scope::Certificate => Text::new("certificate", "証明書"),
            Scope::Database => Text::new("database", "データベース"),
            Scope::HostedEngine => Text::new("hosted engine", "ホストエンジン"),
            Scope::DataCenter => Text::new("data center", "データセンター"),
            Scope::Cluster => Text::new("cluster", "クラスター"),
            Scope::Host => Text::new("host", "ホスト"),
            Scope::Vm => Text::new("VM", "仮想マシン"),
            Scope::Snapshot => Text::new("snapshot", "スナップショット"),
            Scope::StorageDomain => Text::new("storage domain", "ストレージドメイン"),
            Scope::Disk => Text::new("disk", "ディスク"),
            Scope::GlusterVolume => Text::new("gluster volume", "Gluster ボリューム"),
        }
    }
}

/// A step of the upgrade that a finding stands in the way of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// engine-setup on the Manager (or the restore onto a new Manager).
    ManagerUpgrade,
    /// Putting a host into maintenance and upgrading or reinstalling it.
    HostUpgrade,
    /// Raising a cluster's compatibility level.
    ClusterLevel,
    /// Raising a data center's compatibility level.
    DataCenterLevel,
    /// Keeping VMs running through the window.
    VmAvailability,
    /// Going back if the upgrade fails.
    Recovery,
}

impl Stage {
    pub const fn title(self) -> Text {
        match self {
            Stage::ManagerUpgrade => Text::new("Manager upgrade", "Manager のアップグレード"),
            Stage::HostUpgrade => Text::new("host upgrade", "ホストのアップグレード"),
            Stage::ClusterLevel => Text::new(
                "cluster compatibility level change",
                "クラスター互換レベルの変更",
            ),
            Stage::DataCenterLevel => Text::new(
                "data center compatibility level change",
                "データセンター互換レベルの変更",
            ),
            Stage::VmAvailability => Text::new("VM availability", "仮想マシンの稼働"),
            Stage::Recovery => Text::new("recovery from a failed upgrade", "失敗時の復旧"),
        }
    }
}

/// One object that made a rule fire, and what about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub kind: Scope,
    pub name: String,
    pub id: Option<Uuid>,
    pub detail: Text,
}

impl Evidence {
    pub fn new(kind: Scope, name: impl Into<String>, id: Option<Uuid>, detail: Text) -> Self {
        Evidence {
            kind,
            name: name.into(),
            id,
            detail,
        }
    }
}

/// One problem a rule found: what it is, and the objects that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub message: Text,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    pub fn new(message: Text, evidence: Vec<Evidence>) -> Finding {
        Finding { message, evidence }
    }
}

/// What a rule's check returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The rule does not apply here, and why.
    Skipped(Text),
    /// What it found; empty when the environment passes.
    Found(Vec<Finding>),
}

impl Outcome {
    pub(crate) fn pass() -> Outcome {
        Outcome::Found(Vec::new())
    }

    pub(crate) fn skip(reason: Text) -> Outcome {
        Outcome::Skipped(reason)
    }

    /// One finding when there is evidence, none otherwise.
    pub(crate) fn one_if_any(
        evidence: Vec<Evidence>,
        message: impl FnOnce(usize) -> Text,
    ) -> Outcome {
        if evidence.is_empty() {
            Outcome::pass()
        } else {
            let message = message(evidence.len());
            Outcome::Found(vec![Finding::new(message, evidence)])
        }
    }
}

/// One entry of the rule catalogue.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, `area.what` (`cluster.compat-too-old`); never reused for another meaning.
    pub id: &'static str,
    pub severity: Severity,
    pub section: Section,
    pub scope: Scope,
    /// The condition the rule wants to hold, as a checklist line ("A recent engine-backup").
    pub title: Text,
    /// The stages of the upgrade its findings stand in the way of.
    pub blocks: &'static [Stage],
    /// What to do: a command or an Administration Portal action.
    pub fix: Text,
    pub(crate) check: fn(&Facts) -> Outcome,
}
