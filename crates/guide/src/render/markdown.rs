//! The checklist as GitHub-flavoured Markdown: task-list items, code blocks for commands.

use std::fmt::Write as _;

use model::Lang;

use super::{
    automation_parts, distinct_verify_command, from_inventory, heading, next_step, origin,
    progress_line, shown_settings, Done, Labels,
};
use crate::plan::{step_number, Plan};
use crate::step::{Command, CommandKind, Step};

/// Escapes text so Markdown shows it as written (`<volume>` stays visible, `*` stays a star).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline code that survives backticks inside it.
fn code(text: &str) -> String {
    let longest = longest_backtick_run(text);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// A fenced block indented under a list item.
fn block(out: &mut String, info: &str, text: &str) {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let _ = writeln!(out, "\n  {fence}{info}");
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "  {fence}");
}

fn command(out: &mut String, command: &Command, lang: Lang) {
    match &command.kind {
        CommandKind::Shell => block(out, "sh", &command.text),
        CommandKind::File { path } => {
            let _ = writeln!(out, "\n  {} {}:", Labels::in_file().get(lang), code(path));
            block(out, "", &command.text);
        }
        CommandKind::Search => {
            let _ = writeln!(
                out,
                "\n  {}: {}",
                Labels::search().get(lang),
                code(&command.text)
            );
        }
    }
    if let Some(note) = &command.note {
        let _ = writeln!(out, "\n  *{}*", escape(note.get(lang)));
    }
    if let Some(source) = command.beyond {
        let _ = writeln!(out, "\n  **{}**", escape(source.describe().get(lang)));
    }
}

fn step(out: &mut String, number: &str, step: &Step, show_source: bool, done: bool, lang: Lang) {
    let mark = if done { "[x]" } else { "[ ]" };
    let _ = writeln!(
        out,
        "- {mark} **{number} {}** {}",
        escape(step.title.get(lang)),
        code(&step.id)
    );
    let _ = writeln!(
        out,
        "\n  *{}:* {}",
        Labels::runs_on().get(lang),
        escape(step.runs_on.label().get(lang))
    );
    if !step.targets.is_empty() {
        let _ = writeln!(
            out,
            "\n  *{}:* {}",
            Labels::targets().get(lang),
            escape(&step.targets.join(", "))
        );
    }
    let _ = writeln!(out, "\n  {}", escape(step.explanation.get(lang)));
    for prerequisite in &step.prerequisites {
        let _ = writeln!(
            out,
            "\n  *{}:* {}",
            Labels::before().get(lang),
            escape(prerequisite.get(lang))
        );
    }
    for warning in &step.warnings {
        let _ = writeln!(
            out,
            "\n  > **{}:** {}",
            Labels::warning().get(lang),
            escape(warning.get(lang))
        );
    }
    for c in &step.commands {
        command(out, c, lang);
    }
    if let Some(verify) = &step.verify {
        let _ = writeln!(
            out,
            "\n  *{}:* {}",
            Labels::check().get(lang),
            escape(verify.how.get(lang))
        );
        if let Some(c) = distinct_verify_command(step) {
            command(out, c, lang);
        }
        if let Some(expect) = &verify.expect {
            if expect.contains('\n') {
                let _ = writeln!(out, "\n  {}:", Labels::expect().get(lang));
                block(out, "", expect);
            } else {
                let _ = writeln!(out, "\n  {}: {}", Labels::expect().get(lang), code(expect));
            }
        }
    }
    if let Some(auto) = &step.automated_by {
        let (label, command, state) = automation_parts(auto, lang);
        let _ = writeln!(out, "\n  {label}: {} ({state})", code(&command));
    }
    if show_source {
        let _ = writeln!(
            out,
            "\n  *{}:* {}",
            Labels::source().get(lang),
            escape(step.source.describe().get(lang))
        );
    }
    out.push('\n');
}

/// The whole checklist as one Markdown document.
pub fn render(plan: &Plan, lang: Lang, done: Option<&Done>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(&heading(plan, lang)));
    let _ = writeln!(
        out,
        "**{}:** {}",
        Labels::route().get(lang),
        escape(&plan.route.to_string())
    );
    if let Some(done) = done {
        let _ = writeln!(
            out,
            "\n**{}:** {}",
            Labels::progress().get(lang),
            escape(&progress_line(plan, done, lang))
        );
        if let Some((number, next)) = next_step(plan, done) {
            let _ = writeln!(
                out,
                "\n**{}:** {number} {} {}",
                Labels::next().get(lang),
                escape(next.title.get(lang)),
                code(&next.id)
            );
        }
    }
    let settings = shown_settings(plan);
    if !settings.is_empty() {
        let _ = writeln!(out, "\n## {}\n", Labels::settings().get(lang));
        for setting in settings {
            let _ = writeln!(
                out,
                "- {} = {} — {}",
                code(&setting.name),
                code(&setting.value),
                escape(&origin(setting, lang))
            );
        }
        if from_inventory(plan) {
            let _ = writeln!(out, "\n{}", escape(Labels::undetectable().get(lang)));
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "\n## {}\n", Labels::notes().get(lang));
        for note in &plan.notes {
            let _ = writeln!(out, "- {}", escape(note.get(lang)));
        }
    }
    for (p, part) in plan.parts.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n## {} {}. {}",
            Labels::part().get(lang),
            p + 1,
            escape(part.title.get(lang))
        );
        for (s, section) in part.sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n### {}.{} {} ({})\n",
                p + 1,
                s + 1,
                escape(section.title.get(lang)),
                escape(section.source.describe().get(lang))
            );
            for (k, item) in section.steps.iter().enumerate() {
                let number = &step_number(p, s, k);
                let is_done = done.is_some_and(|d| d.contains(&item.id));
                step(
                    &mut out,
                    number,
                    item,
                    item.source != section.source,
                    is_done,
                    lang,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_code_are_kept_literal() {
        assert_eq!(escape("a <volume> *b*"), "a &lt;volume&gt; \\*b\\*");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("for vol in `x`"), "`` for vol in `x` ``");
        let mut out = String::new();
        block(&mut out, "sh", "echo ```");
        assert!(out.contains("````sh"), "{out}");
    }
}
