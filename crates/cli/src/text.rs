//! Small helpers for terminal text: fixed labels in two languages, widths, tables.

use std::borrow::Cow;

use model::{Lang, Text};

/// Fixed wording in `lang`: the [`Text`] of `en` and `ja`, read where it is printed, kept as
/// long as the literals live so that labels can be stored and returned.
pub fn tr(lang: Lang, en: &'static str, ja: &'static str) -> &'static str {
    match Text::new(en, ja).into_lang(lang) {
        Cow::Borrowed(text) => text,
        Cow::Owned(_) => unreachable!("Text::new borrows its wording"),
    }
}

/// "1 host", "3 hosts", "ホスト 3".
pub fn count_of(lang: Lang, count: usize, (one, many): (&str, &str), ja: &str) -> String {
    let en = if count == 1 { one } else { many };
    Text::owned(format!("{count} {en}"), format!("{ja} {count}"))
        .into_lang(lang)
        .into_owned()
}

/// Columns a string takes in a terminal: East Asian wide characters take two.
pub fn display_width(text: &str) -> usize {
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

/// Pads `text` with spaces to `width` terminal columns.
pub fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_owned();
    padded.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(display_width(text)),
    ));
    padded
}

/// Renders rows as columns separated by two spaces, each column as wide as its widest cell.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| display_width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| pad(cell, widths[c]))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `12 GiB`, or `1.5 TiB` for large sizes.
pub fn gib(bytes: u64) -> String {
    let gib = bytes as f64 / model::GIB as f64;
    if gib >= 1024.0 {
        format!("{:.1} TiB", gib / 1024.0)
    } else {
        format!("{gib:.0} GiB")
    }
}

/// Appends a titled section of indented lines to `out`; nothing when there are no lines.
pub fn section(out: &mut String, title: &str, lines: Vec<String>) {
    if lines.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str(title);
    out.push('\n');
    for line in lines {
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(display_width("ホスト"), 6);
        assert_eq!(display_width("host"), 4);
        assert_eq!(pad("仮想マシン", 12), "仮想マシン  ");
        assert_eq!(
            table(&[
                vec!["a".into(), "bb".into()],
                vec!["ccc".into(), "d".into()]
            ]),
            "a    bb\nccc  d\n"
        );
        assert_eq!(gib(3 << 39), "1.5 TiB");
    }
}
