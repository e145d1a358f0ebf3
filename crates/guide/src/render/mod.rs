//! The plan as text for the terminal, Markdown, a single printable HTML page, and JSON, in
//! English or Japanese. Renderers return strings and values; they never print.
//!
//! Every renderer takes the ids of the steps already done (from a tracker file), or `None` for
//! a fresh checklist.

pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use std::collections::BTreeSet;

use model::Lang;

use crate::plan::Plan;
use crate::resolve::{Origin, Setting};
use crate::step::{Automation, Command, Step};
use model::Text;

use crate::text::tr;

/// The ids of the steps marked done.
pub type Done = BTreeSet<String>;

/// Words the renderers share.
pub(crate) struct Labels;

impl Labels {
    pub fn title() -> Text {
        tr("Upgrade plan", "アップグレード計画")
    }
    pub fn route() -> Text {
        tr("Route", "ルート")
    }
    pub fn settings() -> Text {
        tr("Settings", "設定")
    }
    pub fn notes() -> Text {
        tr("Notes", "注記")
    }
    pub fn runs_on() -> Text {
        tr("On", "実行場所")
    }
    pub fn before() -> Text {
        tr("Before", "前提条件")
    }
    pub fn check() -> Text {
        tr("Check", "確認")
    }
    pub fn expect() -> Text {
        tr("Expect", "期待される出力")
    }
    pub fn warning() -> Text {
        tr("Warning", "注意")
    }
    pub fn targets() -> Text {
        tr("For", "対象")
    }
    pub fn search() -> Text {
        tr("Search", "検索")
    }
    pub fn in_file() -> Text {
        tr("In", "ファイル")
    }
    pub fn source() -> Text {
        tr("Source", "出典")
    }
    pub fn part() -> Text {
        tr("Part", "パート")
    }
    pub fn progress() -> Text {
        tr("Progress", "進捗")
    }
    pub fn next() -> Text {
        tr("Next", "次の手順")
    }
    pub fn all_done() -> Text {
        tr("Every step is done.", "すべての手順が完了しました。")
    }
    pub fn undetectable() -> Text {
        tr(
            "An inventory cannot show these; add them if they apply: --offline-repo, \
             --new-manager-machine.",
            "次の項目はインベントリーからは判別できません。該当する場合は指定してください: --offline-repo、--new-manager-machine。",
        )
    }
}

/// The label, command line and state of an automation, for renderers that style them.
pub(crate) fn automation_parts(
    automation: &Automation,
    lang: Lang,
) -> (&'static str, String, &'static str) {
    let label = match lang {
        Lang::En => "ovirt-upgrade can do this",
        Lang::Ja => "ovirt-upgrade で実行可能",
    };
    let state = match (lang, automation.tool.available()) {
        (Lang::En, true) => "available",
        (Lang::En, false) => "planned",
        (Lang::Ja, true) => "利用可能",
        (Lang::Ja, false) => "予定",
    };
    (label, automation.command_line(), state)
}

/// "ovirt-upgrade can do this: ovirt-upgrade check --target 4.4 (planned)".
pub(crate) fn automation(automation: &Automation, lang: Lang) -> String {
    let (label, command, state) = automation_parts(automation, lang);
    format!("{label}: {command} ({state})")
}

/// "inventory: manager.version = 4.3.11".
pub(crate) fn origin(setting: &Setting, lang: Lang) -> String {
    match &setting.origin {
        Origin::Option => match lang {
            Lang::En => format!("option --{}", setting.name),
            Lang::Ja => format!("オプション --{}", setting.name),
        },
        Origin::Inventory { evidence } => match lang {
            Lang::En => format!("inventory: {}", evidence.get(lang)),
            Lang::Ja => format!("インベントリー: {}", evidence.get(lang)),
        },
        Origin::Default { reason } => match lang {
            Lang::En => format!("default: {}", reason.get(lang)),
            Lang::Ja => format!("既定: {}", reason.get(lang)),
        },
    }
}

/// The settings worth showing: every one that is on, and every one an inventory decided.
pub(crate) fn shown_settings(plan: &Plan) -> Vec<&Setting> {
    plan.settings
        .iter()
        .filter(|s| s.value != "no" || matches!(s.origin, Origin::Inventory { .. }))
        .collect()
}

/// Whether the settings came partly from an inventory.
pub(crate) fn from_inventory(plan: &Plan) -> bool {
    plan.settings
        .iter()
        .any(|s| matches!(s.origin, Origin::Inventory { .. }))
}

/// "Upgrade plan: 4.3.11 → 4.4.10 — self-hosted engine".
pub fn heading(plan: &Plan, lang: Lang) -> String {
    format!(
        "{}: {} → {} — {}",
        Labels::title().get(lang),
        plan.route.from,
        plan.route.to,
        plan.deployment_label().get(lang)
    )
}

/// "12 / 40 steps done".
pub(crate) fn progress_line(plan: &Plan, done: &Done, lang: Lang) -> String {
    let total = plan.steps().count();
    let finished = plan.steps().filter(|s| done.contains(&s.id)).count();
    match lang {
        Lang::En => format!("{finished} of {total} steps done"),
        Lang::Ja => format!("{total} 手順中 {finished} 完了"),
    }
}

/// The first step not yet done, with its number.
pub fn next_step<'a>(plan: &'a Plan, done: &Done) -> Option<(String, &'a Step)> {
    plan.numbered()
        .into_iter()
        .find(|(_, _, step)| !done.contains(&step.id))
        .map(|(number, _, step)| (number, step))
}

/// The verification command, unless it repeats one of the step's own commands.
pub(crate) fn distinct_verify_command(step: &Step) -> Option<&Command> {
    step.verify
        .as_ref()
        .and_then(|verify| verify.command.as_ref())
        .filter(|command| !step.commands.contains(command))
}
