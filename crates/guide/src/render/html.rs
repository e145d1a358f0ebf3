//! The checklist as one self-contained, printable HTML page: no script, no external file; the
//! template engine escapes every piece of text.

use maud::{html, Markup};
use model::Lang;

use super::{
    automation_parts, distinct_verify_command, from_inventory, heading, next_step, origin,
    progress_line, shown_settings, Done, Labels,
};
use crate::plan::{step_number, Plan};
use crate::step::{Command, CommandKind, Step};

/// The checklist's own rules, after the shared base: a framed card per step, muted ids and
/// sources, and warnings marked by a bar as well as by their label. Public for pages that show
/// the checklist inside one of their own (`serve`).
pub const STYLE: &str = "\
.step{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0;break-inside:avoid}\
.step.done{background:#f2f8f2}.step h4{margin:.2rem 0}.id,.src{color:#666;font-size:.85rem}\
.warn{border-left:4px solid #c60;padding-left:.6rem}.beyond{color:#a40;font-size:.85rem;font-weight:bold}\
input[type=checkbox]{transform:scale(1.3);margin-right:.5rem}\
@media print{.step{border-color:#888}}";

fn command(command: &Command, lang: Lang) -> Markup {
    html! {
        @match &command.kind {
            CommandKind::Shell => { pre { code { (command.text) } } "\n" }
            CommandKind::File { path } => {
                p { (Labels::in_file().get(lang)) " " code { (path) } ":" }
                pre { code { (command.text) } } "\n"
            }
            CommandKind::Search => {
                p { (Labels::search().get(lang)) ": " code { (command.text) } } "\n"
            }
        }
        @if let Some(note) = &command.note {
            p.src { (note.get(lang)) } "\n"
        }
        @if let Some(source) = command.beyond {
            p.beyond { (source.describe().get(lang)) } "\n"
        }
    }
}

fn labelled(label: &str, text: &str) -> Markup {
    html! { p { b { (label) ":" } " " (text) } "\n" }
}

fn step(number: &str, step: &Step, show_source: bool, done: bool, lang: Lang) -> Markup {
    html! {
        section.step.done[done] id=(step.id) {
            "\n"
            h4 {
                label { input type="checkbox" checked[done]; (number) " " (step.title.get(lang)) }
                " " span.id { (step.id) }
            }
            "\n"
            (labelled(Labels::runs_on().get(lang), step.runs_on.label().get(lang)))
            @if !step.targets.is_empty() {
                (labelled(Labels::targets().get(lang), &step.targets.join(", ")))
            }
            p { (step.explanation.get(lang)) } "\n"
            @for prerequisite in &step.prerequisites {
                (labelled(Labels::before().get(lang), prerequisite.get(lang)))
            }
            @for warning in &step.warnings {
                p.warn { b { (Labels::warning().get(lang)) ":" } " " (warning.get(lang)) } "\n"
            }
            @for c in &step.commands {
                (command(c, lang))
            }
            @if let Some(verify) = &step.verify {
                (labelled(Labels::check().get(lang), verify.how.get(lang)))
                @if let Some(c) = distinct_verify_command(step) {
                    (command(c, lang))
                }
                @if let Some(expect) = &verify.expect {
                    @if expect.contains('\n') {
                        p { (Labels::expect().get(lang)) ":" } pre { code { (expect) } } "\n"
                    } @else {
                        p { (Labels::expect().get(lang)) ": " code { (expect) } } "\n"
                    }
                }
            }
            @if let Some(auto) = &step.automated_by {
                @let (label, command, state) = automation_parts(auto, lang);
                p { (label) ": " code { (command) } " (" (state) ")" } "\n"
            }
            @if show_source {
                p.src { (Labels::source().get(lang)) ": " (step.source.describe().get(lang)) } "\n"
            }
        }
        "\n"
    }
}

/// The whole checklist as one HTML document.
pub fn render(plan: &Plan, lang: Lang, done: Option<&Done>) -> String {
    page::document(
        lang,
        &heading(plan, lang),
        STYLE,
        checklist(plan, lang, done),
    )
    .into_string()
}

/// The document's body: the checklist with its settings, notes and every step, ticked where
/// `done` says.
pub fn checklist(plan: &Plan, lang: Lang, done: Option<&Done>) -> Markup {
    let title = heading(plan, lang);
    let settings = shown_settings(plan);
    html! {
        h1 { (title) } "\n"
        (labelled(Labels::route().get(lang), &plan.route.to_string()))
        @if let Some(done) = done {
            (labelled(Labels::progress().get(lang), &progress_line(plan, done, lang)))
            @if let Some((number, next)) = next_step(plan, done) {
                (labelled(
                    Labels::next().get(lang),
                    &format!("{number} {} ({})", next.title.get(lang), next.id),
                ))
            }
        }
        @if !settings.is_empty() {
            h2 { (Labels::settings().get(lang)) } "\n"
            table {
                "\n"
                @for setting in &settings {
                    tr {
                        th { code { (setting.name) } }
                        td { (setting.value) }
                        td { (origin(setting, lang)) }
                    }
                    "\n"
                }
            }
            "\n"
            @if from_inventory(plan) {
                p { (Labels::undetectable().get(lang)) } "\n"
            }
        }
        @if !plan.notes.is_empty() {
            h2 { (Labels::notes().get(lang)) } "\n"
            ul {
                "\n"
                @for note in &plan.notes {
                    li { (note.get(lang)) } "\n"
                }
            }
            "\n"
        }
        @for (p, part) in plan.parts.iter().enumerate() {
            h2 { (Labels::part().get(lang)) " " (p + 1) ". " (part.title.get(lang)) } "\n"
            @for (s, section) in part.sections.iter().enumerate() {
                h3 {
                    (p + 1) "." (s + 1) " " (section.title.get(lang)) " "
                    span.src { "(" (section.source.describe().get(lang)) ")" }
                }
                "\n"
                @for (k, item) in section.steps.iter().enumerate() {
                    (step(
                        &step_number(p, s, k),
                        item,
                        item.source != section.source,
                        done.is_some_and(|d| d.contains(&item.id)),
                        lang,
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{DeploymentKind, Options, PlanRequest};

    #[test]
    fn text_from_the_guide_and_the_options_is_escaped() {
        let mut plan = crate::plan(&PlanRequest {
            from: "4.3.5".parse().unwrap(),
            to: "4.3.11".parse().unwrap(),
            deployment: DeploymentKind::Standalone,
            options: Options::default(),
            environment: None,
        })
        .unwrap();
        plan.notes.push(model::Text::same(r#"<a href="x">&'"#));
        let page = render(&plan, Lang::En, None);
        assert!(
            page.contains("<li>&lt;a href=&quot;x&quot;&gt;&amp;'</li>"),
            "{page}"
        );
        assert!(!page.contains("<a href"));
    }
}
