//! One step of a checklist: what to do, where, with which commands, how to tell it worked, and
//! which `ovirt-upgrade` command can do it instead.

use serde::{Deserialize, Serialize};

use model::Text;

use crate::text::tr;

/// Where a step is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunsOn {
    /// The standalone Manager machine.
    Manager,
    /// The self-hosted engine's Manager VM (HostedEngine).
    ManagerVm,
    /// Any one self-hosted-engine node.
    HostedEngineNode,
    /// The host the 4.4 self-hosted engine is deployed from.
    DeploymentHost,
    /// Every host, one at a time.
    EachHost,
    /// Any one host of the cluster.
    AnyHost,
    /// The first host of a hyperconverged cluster to be reinstalled.
    FirstHost,
    /// The remote Data Warehouse machine.
    DwhMachine,
    /// The remote engine database machine.
    DatabaseMachine,
    /// The Administration Portal.
    Portal,
    /// Each administrator's web browser.
    Browser,
    /// The machine serving the local repository mirror.
    RepositoryServer,
}

impl RunsOn {
    pub const ALL: &'static [RunsOn] = &[
        RunsOn::Manager,
        RunsOn::ManagerVm,
        RunsOn::HostedEngineNode,
        RunsOn::DeploymentHost,
        RunsOn::EachHost,
        RunsOn::AnyHost,
        RunsOn::FirstHost,
        RunsOn::DwhMachine,
        RunsOn::DatabaseMachine,
        RunsOn::Portal,
        RunsOn::Browser,
        RunsOn::RepositoryServer,
    ];

    /// The id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            RunsOn::Manager => "manager",
            RunsOn::ManagerVm => "manager-vm",
            RunsOn::HostedEngineNode => "hosted-engine-node",
            RunsOn::DeploymentHost => "deployment-host",
            RunsOn::EachHost => "each-host",
            RunsOn::AnyHost => "any-host",
            RunsOn::FirstHost => "first-host",
            RunsOn::DwhMachine => "dwh-machine",
            RunsOn::DatabaseMachine => "database-machine",
            RunsOn::Portal => "portal",
            RunsOn::Browser => "browser",
            RunsOn::RepositoryServer => "repository-server",
        }
    }

    pub fn label(self) -> Text {
        match self {
            RunsOn::Manager => tr("Manager machine", "Manager マシン"),
            RunsOn::ManagerVm => tr(
                "Manager virtual machine (HostedEngine)",
                "Manager 用仮想マシン (HostedEngine)",
            ),
            RunsOn::HostedEngineNode => tr(
                "any self-hosted-engine node",
                "いずれかのセルフホストエンジンノード",
            ),
            RunsOn::DeploymentHost => tr(
                "the self-hosted-engine deployment host",
                "セルフホストエンジンのデプロイ用ホスト",
            ),
            RunsOn::EachHost => tr("each host, one at a time", "各ホスト (1 台ずつ)"),
            RunsOn::AnyHost => tr(
                "any one host of the cluster",
                "クラスター内の任意のホスト 1 台",
            ),
            RunsOn::FirstHost => tr(
                "the first host to be reinstalled",
                "最初に再インストールするホスト",
            ),
            RunsOn::DwhMachine => tr("Data Warehouse machine", "Data Warehouse マシン"),
            RunsOn::DatabaseMachine => tr(
                "remote engine database machine",
                "リモートの Manager データベースマシン",
            ),
            RunsOn::Portal => tr("Administration Portal", "管理ポータル"),
            RunsOn::Browser => tr("each administrator's browser", "各管理者のブラウザー"),
            RunsOn::RepositoryServer => tr(
                "the local repository server",
                "ローカルリポジトリーのサーバー",
            ),
        }
    }
}

/// What kind of instruction a command is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CommandKind {
    /// A shell command, typed as root.
    Shell,
    /// Lines to put into a file.
    File { path: String },
    /// A query for the Administration Portal's search bar.
    Search,
}

/// A command exactly as the guide gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    #[serde(flatten)]
    pub kind: CommandKind,
    pub text: String,
    /// When to use it, for commands that are alternatives or optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    /// Set when the guide does not print this command: the document it comes from (always a
    /// [`Source::Beyond`]), which every renderer shows beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beyond: Option<Source>,
}

impl Command {
    pub fn shell(text: impl Into<String>) -> Command {
        Command {
            kind: CommandKind::Shell,
            text: text.into(),
            note: None,
            beyond: None,
        }
    }

    pub fn file(path: impl Into<String>, text: impl Into<String>) -> Command {
        Command {
            kind: CommandKind::File { path: path.into() },
            text: text.into(),
            note: None,
            beyond: None,
        }
    }

    pub fn search(text: impl Into<String>) -> Command {
        Command {
            kind: CommandKind::Search,
            text: text.into(),
            note: None,
            beyond: None,
        }
    }

    pub fn noted(mut self, note: Text) -> Command {
        self.note = Some(note);
        self
    }

    /// Marks a command the guide does not print, with the document it comes from.
    pub fn beyond_the_guide(mut self, source: Source) -> Command {
        debug_assert!(!source.in_guide(), "{source:?} is the guide itself");
        self.beyond = Some(source);
        self
    }

    /// Whether the guide prints this command.
    pub fn in_guide(&self) -> bool {
        self.beyond.is_none()
    }
}

/// How to tell a step worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verify {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    /// What the command prints when all is well, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    pub how: Text,
}

/// The `ovirt-upgrade` commands that can carry out a step for the administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    Check,
    Discrepancies,
    GlobalMaintenance,
    ClusterUpgrade,
    Compat,
    Finish,
}

impl Tool {
    pub const ALL: &'static [Tool] = &[
        Tool::Check,
        Tool::Discrepancies,
        Tool::GlobalMaintenance,
        Tool::ClusterUpgrade,
        Tool::Compat,
        Tool::Finish,
    ];

    /// The subcommand's name.
    pub fn subcommand(self) -> &'static str {
        match self {
            Tool::Check => "check",
            Tool::Discrepancies => "discrepancies",
            Tool::GlobalMaintenance => "global-maintenance",
            Tool::ClusterUpgrade => "cluster-upgrade",
            Tool::Compat => "compat",
            Tool::Finish => "finish",
        }
    }

    /// Whether the subcommand ships in this build.
    pub fn available(self) -> bool {
        AVAILABLE_TOOLS.contains(&self)
    }
}

/// The tools that ship in this build; the others are planned. Add a tool here when its command
/// lands: the CLI's tests compare this list with the real command list.
pub const AVAILABLE_TOOLS: &[Tool] = &[
    Tool::Check,
    Tool::Discrepancies,
    Tool::GlobalMaintenance,
    Tool::ClusterUpgrade,
    Tool::Compat,
    Tool::Finish,
];

/// An `ovirt-upgrade` command line that does a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Automation {
    pub tool: Tool,
    /// The arguments after the subcommand.
    pub args: String,
}

impl Automation {
    pub fn command_line(&self) -> String {
        if self.args.is_empty() {
            format!("ovirt-upgrade {}", self.tool.subcommand())
        } else {
            format!("ovirt-upgrade {} {}", self.tool.subcommand(), self.args)
        }
    }
}

/// Where a step's content comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// A section of the Japanese Upgrade Guide, such as `2.1.5`.
    Guide { section: &'static str },
    /// Beyond the guide: the document it comes from, named in both languages.
    Beyond { en: &'static str, ja: &'static str },
}

impl Source {
    pub fn describe(self) -> Text {
        match self {
            // The appendices are lettered.
            Source::Guide { section } if section.starts_with(|c: char| c.is_ascii_uppercase()) => {
                tr(
                    format!("guide appendix {section}"),
                    format!("ガイド 付録 {section}"),
                )
            }
            Source::Guide { section } => {
                tr(format!("guide §{section}"), format!("ガイド {section}"))
            }
            Source::Beyond { en, ja } => {
                tr(format!("beyond the guide: {en}"), format!("ガイド外: {ja}"))
            }
        }
    }

    pub fn in_guide(self) -> bool {
        matches!(self, Source::Guide { .. })
    }
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Stable across runs: `{hop}/{key}`, such as `4.3-4.4/engine-backup`.
    pub id: String,
    pub title: Text,
    pub explanation: Text,
    pub runs_on: RunsOn,
    pub commands: Vec<Command>,
    pub prerequisites: Vec<Text>,
    pub warnings: Vec<Text>,
    pub verify: Option<Verify>,
    pub automated_by: Option<Automation>,
    pub source: Source,
    /// The clusters, data centers or hosts the step acts on, when an inventory named them.
    pub targets: Vec<String>,
}

/// A group of steps that belong to one procedure of the guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `{hop}/{key}`, such as `4.3-4.4/hosts`.
    pub id: String,
    pub title: Text,
    pub source: Source,
    pub steps: Vec<Step>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_has_a_distinct_id_and_a_label_in_both_languages() {
        let ids: std::collections::BTreeSet<_> = RunsOn::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), RunsOn::ALL.len());
        for place in RunsOn::ALL {
            let label = place.label();
            assert!(!label.en.is_empty() && !label.ja.is_empty(), "{place:?}");
            let json = serde_json::to_value(place).unwrap();
            assert_eq!(json, place.id(), "the JSON id and id() agree");
        }
    }

    #[test]
    fn sources_name_sections_appendices_and_other_documents() {
        let section = Source::Guide { section: "2.1.5" }.describe();
        assert_eq!(
            (section.en.as_ref(), section.ja.as_ref()),
            ("guide §2.1.5", "ガイド 2.1.5")
        );
        assert_eq!(
            Source::Guide { section: "A" }.describe().en,
            "guide appendix A"
        );
        let beyond = Source::Beyond {
            en: "notes",
            ja: "ノート",
        };
        assert_eq!(beyond.describe().ja, "ガイド外: ノート");
        assert!(!beyond.in_guide());
        let automation = Automation {
            tool: Tool::GlobalMaintenance,
            args: "on".into(),
        };
        assert_eq!(
            automation.command_line(),
            "ovirt-upgrade global-maintenance on"
        );
    }
}
