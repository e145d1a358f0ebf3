//! The checklist for a terminal: parts, numbered sections and steps, commands behind `$`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use model::Lang;

use super::{
    automation, distinct_verify_command, from_inventory, heading, next_step, origin, progress_line,
    shown_settings, Done, Labels,
};
use crate::plan::{step_number, Plan};
use crate::step::{Command, CommandKind, Section, Step};
use crate::tracker::DoneMark;

const INDENT: &str = "      ";

/// Writes a command: `$ ` before shell lines, `| ` before file contents.
fn command(out: &mut String, command: &Command, lang: Lang, indent: &str) {
    match &command.kind {
        CommandKind::Shell => {
            for (i, line) in command.text.lines().enumerate() {
                let prompt = if i == 0 { "$ " } else { "  " };
                let _ = writeln!(out, "{indent}{prompt}{line}");
            }
        }
        CommandKind::File { path } => {
            let _ = writeln!(out, "{indent}{} {path}:", Labels::in_file().get(lang));
            for line in command.text.lines() {
                let _ = writeln!(out, "{indent}| {line}");
            }
        }
        CommandKind::Search => {
            let _ = writeln!(
                out,
                "{indent}{}: {}",
                Labels::search().get(lang),
                command.text
            );
        }
    }
    if let Some(note) = &command.note {
        let _ = writeln!(out, "{indent}  ({})", note.get(lang));
    }
    if let Some(source) = command.beyond {
        let _ = writeln!(out, "{indent}  ({})", source.describe().get(lang));
    }
}

fn step(out: &mut String, number: &str, section: &Section, step: &Step, done: bool, lang: Lang) {
    let mark = if done { "[x]" } else { "[ ]" };
    let _ = writeln!(
        out,
        "{mark} {number} {}  ({})",
        step.title.get(lang),
        step.id
    );
    let _ = writeln!(
        out,
        "{INDENT}{}: {}",
        Labels::runs_on().get(lang),
        step.runs_on.label().get(lang)
    );
    if !step.targets.is_empty() {
        let _ = writeln!(
            out,
            "{INDENT}{}: {}",
            Labels::targets().get(lang),
            step.targets.join(", ")
        );
    }
    let _ = writeln!(out, "{INDENT}{}", step.explanation.get(lang));
    for prerequisite in &step.prerequisites {
        let _ = writeln!(
            out,
            "{INDENT}{}: {}",
            Labels::before().get(lang),
            prerequisite.get(lang)
        );
    }
    for warning in &step.warnings {
        let _ = writeln!(
            out,
            "{INDENT}! {}: {}",
            Labels::warning().get(lang),
            warning.get(lang)
        );
    }
    for c in &step.commands {
        command(out, c, lang, INDENT);
    }
    if let Some(verify) = &step.verify {
        let _ = writeln!(
            out,
            "{INDENT}{}: {}",
            Labels::check().get(lang),
            verify.how.get(lang)
        );
        let nested = format!("{INDENT}  ");
        if let Some(c) = distinct_verify_command(step) {
            command(out, c, lang, &nested);
        }
        if let Some(expect) = &verify.expect {
            let _ = write!(out, "{nested}{}:", Labels::expect().get(lang));
            if expect.contains('\n') {
                out.push('\n');
                for line in expect.lines() {
                    let _ = writeln!(out, "{nested}  {line}");
                }
            } else {
                let _ = writeln!(out, " {expect}");
            }
        }
    }
    if let Some(auto) = &step.automated_by {
        let _ = writeln!(out, "{INDENT}{}", automation(auto, lang));
    }
    if step.source != section.source {
        let _ = writeln!(
            out,
            "{INDENT}{}: {}",
            Labels::source().get(lang),
            step.source.describe().get(lang)
        );
    }
    out.push('\n');
}

/// The whole checklist; `done` marks the steps a tracker recorded.
pub fn render(plan: &Plan, lang: Lang, done: Option<&Done>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(plan, lang));
    let _ = writeln!(out, "{}: {}", Labels::route().get(lang), plan.route);
    if let Some(done) = done {
        let _ = writeln!(
            out,
            "{}: {}",
            Labels::progress().get(lang),
            progress_line(plan, done, lang)
        );
        match next_step(plan, done) {
            Some((number, step)) => {
                let _ = writeln!(
                    out,
                    "{}: {number} {} ({})",
                    Labels::next().get(lang),
                    step.title.get(lang),
                    step.id
                );
            }
            None => {
                let _ = writeln!(out, "{}", Labels::all_done().get(lang));
            }
        }
    }
    let settings = shown_settings(plan);
    if !settings.is_empty() {
        let _ = writeln!(out, "\n{}", Labels::settings().get(lang));
        let width = settings.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let value_width = settings.iter().map(|s| s.value.len()).max().unwrap_or(0);
        for setting in settings {
            let _ = writeln!(
                out,
                "  {:width$}  {:value_width$}  {}",
                setting.name,
                setting.value,
                origin(setting, lang)
            );
        }
        if from_inventory(plan) {
            let _ = writeln!(out, "  {}", Labels::undetectable().get(lang));
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "\n{}", Labels::notes().get(lang));
        for note in &plan.notes {
            let _ = writeln!(out, "  - {}", note.get(lang));
        }
    }
    for (p, part) in plan.parts.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n=== {} {}. {} ===\n",
            Labels::part().get(lang),
            p + 1,
            part.title.get(lang)
        );
        for (s, section) in part.sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}.{} {}  [{}]\n",
                p + 1,
                s + 1,
                section.title.get(lang),
                section.source.describe().get(lang)
            );
            for (k, item) in section.steps.iter().enumerate() {
                let number = &step_number(p, s, k);
                let is_done = done.is_some_and(|d| d.contains(&item.id));
                step(&mut out, number, section, item, is_done, lang);
            }
        }
    }
    out
}

/// The plan's heading and route, two lines.
pub fn summary(plan: &Plan, lang: Lang) -> String {
    format!(
        "{}\n{}: {}\n",
        heading(plan, lang),
        Labels::route().get(lang),
        plan.route
    )
}

/// One line per step, `[x]` for those done with the time they were marked.
pub fn checklist(plan: &Plan, lang: Lang, marks: &BTreeMap<String, DoneMark>) -> String {
    let mut out = String::new();
    let mut part = None;
    for (number, _, step) in plan.numbered() {
        let this_part = number.split('.').next().map(str::to_owned);
        if this_part != part {
            let index: usize = this_part
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            if let Some(title) = plan.parts.get(index - 1).map(|p| p.title.get(lang)) {
                let _ = writeln!(out, "{} {index}. {title}", Labels::part().get(lang));
            }
            part = this_part;
        }
        let (mark, at) = match marks.get(&step.id) {
            Some(mark) => ("[x]", mark.at.as_deref().unwrap_or("")),
            None => ("[ ]", ""),
        };
        let line = format!("  {mark} {number} {}  ({})", step.title.get(lang), step.id);
        if at.is_empty() {
            let _ = writeln!(out, "{line}");
        } else {
            let _ = writeln!(out, "{line}  {at}");
        }
    }
    out
}
