//! The checklist as one self-contained, printable HTML page: no script, no external file, every
//! piece of text escaped.

use std::fmt::Write as _;

use model::Lang;

use super::{
    automation_parts, distinct_verify_command, from_inventory, heading, next_step, origin,
    progress_line, shown_settings, Done, Labels,
};
use crate::plan::{step_number, Plan};
use crate::step::{Command, CommandKind, Step};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','Hiragino Sans','Noto Sans CJK JP',sans-serif;\
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #444}h3{margin-top:1.8rem}\
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top}\
.step{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0;break-inside:avoid}\
.step.done{background:#f2f8f2}.step h4{margin:.2rem 0}.id,.src{color:#666;font-size:.85rem}\
.warn{border-left:4px solid #c60;padding-left:.6rem}.beyond{color:#a40;font-size:.85rem;font-weight:bold}\
pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}\
code{font-family:ui-monospace,'SFMono-Regular',Menlo,monospace}\
input[type=checkbox]{transform:scale(1.3);margin-right:.5rem}\
@media print{body{margin:0;max-width:none}.step{border-color:#888}pre{background:none;border:1px solid #bbb}}";

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn command(out: &mut String, command: &Command, lang: Lang) {
    match &command.kind {
        CommandKind::Shell => {
            let _ = writeln!(out, "<pre><code>{}</code></pre>", escape(&command.text));
        }
        CommandKind::File { path } => {
            let _ = writeln!(
                out,
                "<p>{} <code>{}</code>:</p><pre><code>{}</code></pre>",
                Labels::in_file().get(lang),
                escape(path),
                escape(&command.text)
            );
        }
        CommandKind::Search => {
            let _ = writeln!(
                out,
                "<p>{}: <code>{}</code></p>",
                Labels::search().get(lang),
                escape(&command.text)
            );
        }
    }
    if let Some(note) = &command.note {
        let _ = writeln!(out, "<p class=\"src\">{}</p>", escape(note.get(lang)));
    }
    if let Some(source) = command.beyond {
        let _ = writeln!(
            out,
            "<p class=\"beyond\">{}</p>",
            escape(source.describe().get(lang))
        );
    }
}

fn labelled(out: &mut String, label: &str, text: &str) {
    let _ = writeln!(out, "<p><b>{}:</b> {}</p>", escape(label), escape(text));
}

fn step(out: &mut String, number: &str, step: &Step, show_source: bool, done: bool, lang: Lang) {
    let (class, checked) = if done {
        ("step done", " checked")
    } else {
        ("step", "")
    };
    let _ = writeln!(
        out,
        "<section class=\"{class}\" id=\"{}\">",
        escape(&step.id)
    );
    let _ = writeln!(
        out,
        "<h4><label><input type=\"checkbox\"{checked}>{} {}</label> <span class=\"id\">{}</span></h4>",
        escape(number),
        escape(step.title.get(lang)),
        escape(&step.id)
    );
    labelled(
        out,
        Labels::runs_on().get(lang),
        step.runs_on.label().get(lang),
    );
    if !step.targets.is_empty() {
        labelled(out, Labels::targets().get(lang), &step.targets.join(", "));
    }
    let _ = writeln!(out, "<p>{}</p>", escape(step.explanation.get(lang)));
    for prerequisite in &step.prerequisites {
        labelled(out, Labels::before().get(lang), prerequisite.get(lang));
    }
    for warning in &step.warnings {
        let _ = writeln!(
            out,
            "<p class=\"warn\"><b>{}:</b> {}</p>",
            Labels::warning().get(lang),
            escape(warning.get(lang))
        );
    }
    for c in &step.commands {
        command(out, c, lang);
    }
    if let Some(verify) = &step.verify {
        labelled(out, Labels::check().get(lang), verify.how.get(lang));
        if let Some(c) = distinct_verify_command(step) {
            command(out, c, lang);
        }
        if let Some(expect) = &verify.expect {
            if expect.contains('\n') {
                let _ = writeln!(
                    out,
                    "<p>{}:</p><pre><code>{}</code></pre>",
                    Labels::expect().get(lang),
                    escape(expect)
                );
            } else {
                let _ = writeln!(
                    out,
                    "<p>{}: <code>{}</code></p>",
                    Labels::expect().get(lang),
                    escape(expect)
                );
            }
        }
    }
    if let Some(auto) = &step.automated_by {
        let (label, command, state) = automation_parts(auto, lang);
        let _ = writeln!(
            out,
            "<p>{}: <code>{}</code> ({})</p>",
            escape(label),
            escape(&command),
            escape(state)
        );
    }
    if show_source {
        let _ = writeln!(
            out,
            "<p class=\"src\">{}: {}</p>",
            Labels::source().get(lang),
            escape(step.source.describe().get(lang))
        );
    }
    let _ = writeln!(out, "</section>");
}

/// The whole checklist as one HTML document.
pub fn render(plan: &Plan, lang: Lang, done: Option<&Done>) -> String {
    let title = heading(plan, lang);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    labelled(&mut out, Labels::route().get(lang), &plan.route.to_string());
    if let Some(done) = done {
        labelled(
            &mut out,
            Labels::progress().get(lang),
            &progress_line(plan, done, lang),
        );
        if let Some((number, next)) = next_step(plan, done) {
            labelled(
                &mut out,
                Labels::next().get(lang),
                &format!("{number} {} ({})", next.title.get(lang), next.id),
            );
        }
    }
    let settings = shown_settings(plan);
    if !settings.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<table>", Labels::settings().get(lang));
        for setting in settings {
            let _ = writeln!(
                out,
                "<tr><th><code>{}</code></th><td>{}</td><td>{}</td></tr>",
                escape(&setting.name),
                escape(&setting.value),
                escape(&origin(setting, lang))
            );
        }
        let _ = writeln!(out, "</table>");
        if from_inventory(plan) {
            let _ = writeln!(out, "<p>{}</p>", escape(Labels::undetectable().get(lang)));
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", Labels::notes().get(lang));
        for note in &plan.notes {
            let _ = writeln!(out, "<li>{}</li>", escape(note.get(lang)));
        }
        let _ = writeln!(out, "</ul>");
    }
    for (p, part) in plan.parts.iter().enumerate() {
        let _ = writeln!(
            out,
            "<h2>{} {}. {}</h2>",
            Labels::part().get(lang),
            p + 1,
            escape(part.title.get(lang))
        );
        for (s, section) in part.sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "<h3>{}.{} {} <span class=\"src\">({})</span></h3>",
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
    let _ = writeln!(out, "</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
