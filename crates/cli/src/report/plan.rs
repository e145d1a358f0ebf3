//! How `plan`, `plan done` and `plan status` show a checklist and its tracker.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use guide::render::{self, Done};
use guide::{Marked, Plan, Tracker};
use model::{Lang, Text};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::input_error;
use crate::text::tr;

/// The whole checklist, with the marks of a tracker when there is one.
pub fn print(plan: &Plan, done: Option<&Done>, ctx: &Context) -> anyhow::Result<()> {
    match ctx.output {
        OutputFormat::Json => super::print_json(&render::json::render(plan, ctx.lang, done)),
        OutputFormat::Text => {
            print!("{}", render::text::render(plan, ctx.lang, done));
            Ok(())
        }
    }
}

/// What `plan done` changed: one line per step named, then how far the plan has come.
pub fn marks(
    plan: &Plan,
    done: &Done,
    changed: &[(String, Marked)],
    undo: bool,
    file: &Path,
    ctx: &Context,
) -> anyhow::Result<()> {
    if ctx.output == OutputFormat::Json {
        let next = render::next_step(plan, done).map(|(_, step)| step.id.clone());
        return super::print_json(&serde_json::json!({
            "file": file.display().to_string(),
            "undo": undo,
            "steps": changed.iter().map(|(id, marked)| serde_json::json!({
                "id": id,
                "changed": *marked == Marked::Changed,
            })).collect::<Vec<_>>(),
            "done": done.len(),
            "total": plan.steps().count(),
            "next": next,
        }));
    }
    let numbers: BTreeMap<String, String> = plan
        .numbered()
        .into_iter()
        .map(|(number, _, step)| (step.id.clone(), number))
        .collect();
    for (id, marked) in changed {
        let step = plan.step(id).expect("marked steps exist in the plan");
        let mark = match (undo, marked) {
            (false, Marked::Changed) => "[x]",
            (true, Marked::Changed) => "[ ]",
            (false, Marked::AlreadyThat) => tr(ctx.lang, "[x] already", "[x] 完了済み"),
            (true, Marked::AlreadyThat) => tr(ctx.lang, "[ ] was not done", "[ ] 未完了"),
        };
        println!(
            "{mark} {} {} ({id})",
            numbers.get(id).map_or("", String::as_str),
            step.title.get(ctx.lang)
        );
    }
    if ctx.says(Verbosity::Normal) {
        print!("{}", progress_summary(plan, done, ctx.lang));
    }
    Ok(())
}

/// Renders a checklist document in a language, with the marks of a tracker.
type Renderer = fn(&Plan, Lang, Option<&Done>) -> String;

/// Writes the Markdown and HTML documents asked for; says whether one went to standard output.
pub fn write_documents(
    plan: &Plan,
    documents: &crate::commands::plan::DocumentArgs,
    done: Option<&Done>,
    ctx: &Context,
) -> anyhow::Result<bool> {
    let is_stdout = |path: &Path| path == Path::new("-");
    let markdown = documents.markdown.as_deref();
    let html = documents.html.as_deref();
    if markdown.is_some_and(is_stdout) && html.is_some_and(is_stdout) {
        return Err(input_error(anyhow::anyhow!(
            "--markdown - and --html - cannot both go to standard output: give one of them a file"
        )));
    }
    let mut printed = false;
    let wanted: [(Option<&Path>, Renderer); 2] = [
        (markdown, render::markdown::render),
        (html, render::html::render),
    ];
    for (path, renderer) in wanted {
        let Some(path) = path else { continue };
        let document = renderer(plan, ctx.lang, done);
        if is_stdout(path) {
            print!("{document}");
            printed = true;
        } else {
            write_atomically(path, document.as_bytes())?;
            if ctx.says(Verbosity::Normal) {
                eprintln!(
                    "{} {}",
                    tr(ctx.lang, "Wrote", "書き出しました:"),
                    path.display()
                );
            }
        }
    }
    Ok(printed)
}

/// `plan status`: the plan in brief, how far it has come, and the checklist with its marks.
pub fn status(plan: &Plan, tracker: &Tracker, lang: Lang) {
    print!("{}", render::text::summary(plan, lang));
    print!("{}", progress_summary(plan, &tracker.done_ids(), lang));
    println!();
    print!("{}", render::text::checklist(plan, lang, &tracker.done));
}

/// "12 of 40 steps done" and the next step.
fn progress_summary(plan: &Plan, done: &Done, lang: Lang) -> String {
    let total = plan.steps().count();
    let finished = plan.steps().filter(|s| done.contains(&s.id)).count();
    let mut out = Text::owned(
        format!("{finished} of {total} steps done\n"),
        format!("{total} 手順中 {finished} 完了\n"),
    )
    .into_lang(lang)
    .into_owned();
    match render::next_step(plan, done) {
        Some((number, step)) => {
            out.push_str(&format!(
                "{} {number} {} ({})\n",
                tr(lang, "Next:", "次の手順:"),
                step.title.get(lang),
                step.id
            ));
            out.push_str(&format!(
                "  {}: {}\n",
                tr(lang, "On", "実行場所"),
                step.runs_on.label().get(lang)
            ));
        }
        None => out.push_str(tr(
            lang,
            "Every step is done.\n",
            "すべての手順が完了しました。\n",
        )),
    }
    out
}

/// Writes a tracker or a document whole or not at all, naming the file when it cannot.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    guide::file::write_atomically(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}
