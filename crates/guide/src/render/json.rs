//! The checklist as JSON, in one language:
//! `{"route": ..., "steps": [{"id", "title", "runs_on", "commands", "verify", "automated_by"}]}`.

use model::Lang;
use serde_json::{json, Value};

use super::{next_step, origin, Done};
use crate::plan::Plan;
use crate::resolve::Origin;
use crate::step::{Command, CommandKind, Step};

/// The version of this JSON shape.
pub const JSON_FORMAT: u32 = 1;

fn command(command: &Command, lang: Lang) -> Value {
    let mut value = match &command.kind {
        CommandKind::Shell => json!({ "kind": "shell", "text": command.text }),
        CommandKind::File { path } => json!({ "kind": "file", "path": path, "text": command.text }),
        CommandKind::Search => json!({ "kind": "search", "text": command.text }),
    };
    if let Some(note) = &command.note {
        value["note"] = json!(note.get(lang));
    }
    if let Some(source) = command.beyond {
        value["source"] = json!(source.describe().get(lang));
        value["in_guide"] = json!(false);
    }
    value
}

fn step(number: &str, section: &str, step: &Step, lang: Lang, done: Option<&Done>) -> Value {
    let mut value = json!({
        "id": step.id,
        "number": number,
        "section": section,
        "title": step.title.get(lang),
        "explanation": step.explanation.get(lang),
        "runs_on": { "id": step.runs_on.id(), "label": step.runs_on.label().get(lang) },
        "commands": step.commands.iter().map(|c| command(c, lang)).collect::<Vec<_>>(),
        "prerequisites": step.prerequisites.iter().map(|t| t.get(lang)).collect::<Vec<_>>(),
        "warnings": step.warnings.iter().map(|t| t.get(lang)).collect::<Vec<_>>(),
        "verify": step.verify.as_ref().map(|v| json!({
            "command": v.command.as_ref().map(|c| command(c, lang)),
            "expect": v.expect,
            "how": v.how.get(lang),
        })),
        "automated_by": step.automated_by.as_ref().map(|a| json!({
            "command": a.command_line(),
            "available": a.tool.available(),
        })),
        "source": step.source.describe().get(lang),
        "in_guide": step.source.in_guide(),
        "targets": step.targets,
    });
    if let Some(done) = done {
        value["done"] = json!(done.contains(&step.id));
    }
    value
}

/// The whole plan as a JSON value.
pub fn render(plan: &Plan, lang: Lang, done: Option<&Done>) -> Value {
    let hops: Vec<Value> = plan
        .parts
        .iter()
        .map(|part| {
            json!({
                "id": part.hop.id(),
                "kind": part.hop.kind,
                "from": part.hop.from,
                "to": part.hop.to,
                "chapter": part.chapter,
                "in_guide": part.hop.in_guide(),
                "title": part.title.get(lang),
            })
        })
        .collect();
    let settings: Vec<Value> = plan
        .settings
        .iter()
        .map(|s| {
            let source = match &s.origin {
                Origin::Option => json!({ "kind": "option" }),
                Origin::Inventory { evidence } => {
                    json!({ "kind": "inventory", "evidence": evidence.get(lang) })
                }
                Origin::Default { reason } => {
                    json!({ "kind": "default", "reason": reason.get(lang) })
                }
            };
            json!({
                "name": s.name,
                "value": s.value,
                "origin": source,
                "description": origin(s, lang),
            })
        })
        .collect();
    let numbered = plan.numbered();
    let mut sections = Vec::new();
    for (p, part) in plan.parts.iter().enumerate() {
        for (s, section) in part.sections.iter().enumerate() {
            sections.push(json!({
                "id": section.id,
                "number": format!("{}.{}", p + 1, s + 1),
                "title": section.title.get(lang),
                "source": section.source.describe().get(lang),
            }));
        }
    }
    let steps: Vec<Value> = numbered
        .iter()
        .map(|(number, section, item)| step(number, &section.id, item, lang, done))
        .collect();
    let mut value = json!({
        "format": JSON_FORMAT,
        "lang": lang,
        "route": {
            "from": plan.route.from,
            "to": plan.route.to,
            "deployment": plan.request.deployment,
            "hops": hops,
        },
        "settings": settings,
        "notes": plan.notes.iter().map(|n| n.get(lang)).collect::<Vec<_>>(),
        "sections": sections,
        "steps": steps,
    });
    if let Some(done) = done {
        let total = plan.steps().count();
        let finished = plan.steps().filter(|s| done.contains(&s.id)).count();
        value["progress"] = json!({
            "done": finished,
            "total": total,
            "next": next_step(plan, done).map(|(_, step)| step.id.clone()),
        });
    }
    value
}
