//! Reports made from a [`Report`](crate::Report): the terminal text, JSON for programs, and a
//! self-contained HTML page. Each returns a string; the binary decides where it goes.

mod html;
mod json;
mod text;

pub use html::html;
pub use json::{json, JSON_FORMAT};
pub use text::{text, TextOptions};

use model::{Deployment, Lang, Text};

use crate::Report;

fn deployment(deployment: Deployment) -> Text {
    match deployment {
        Deployment::SelfHosted => Text::new("self-hosted engine", "セルフホストエンジン"),
        Deployment::Standalone => Text::new("standalone Manager", "スタンドアロン Manager"),
    }
}

/// "Manager 4.3.11 (self-hosted engine) → target 4.4.10, as of 2026-11-23".
fn route_line(report: &Report, lang: Lang) -> String {
    let (current, target, now) = (report.current, report.target, report.now);
    let kind = deployment(report.inventory.manager.deployment).into_lang(lang);
    match lang {
        Lang::En => format!("Manager {current} ({kind}) → target {target}, as of {now}"),
        Lang::Ja => format!("Manager {current} ({kind}) → ターゲット {target}、{now} 時点"),
    }
}

/// Columns a string takes in a terminal: East Asian wide characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// The names of the stages, joined for one line.
fn stages(lang: Lang, stages: &[crate::Stage]) -> String {
    let separator = match lang {
        Lang::En => ", ",
        Lang::Ja => "、",
    };
    stages
        .iter()
        .map(|s| s.title().into_lang(lang))
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(display_width("合計:"), 5);
        assert_eq!(display_width("TOTAL:"), 6);
    }
}
