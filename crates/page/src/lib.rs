//! The pieces every HTML page of ovirt-upgrade shares, whether written to a file (the check
//! report, the checklist) or served: the document with its language and head, the stylesheet,
//! and the document's body as maud [`Markup`]. Templates are [maud](https://maud.lambda.xyz/)
//! macros, checked when the crate compiles; maud escapes everything a template interpolates, so
//! no page escapes by hand. (A crate with templates depends on maud itself: its macro names the
//! `maud` crate.)
//!
//! A page stands alone: its stylesheet is inline and it has no script, so it opens anywhere,
//! text-mode browsers included. Nothing is said by colour alone: a status is a word.

use maud::{html, Markup, PreEscaped};

use model::Lang;

/// The rules every page starts from: type that reads in both languages (the Japanese faces
/// named before the generic family), plain tables, code, and print without backgrounds.
pub const BASE_STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','Hiragino Sans','Noto Sans CJK JP',sans-serif;\
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #444}h3{margin-top:1.8rem}\
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top}\
pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}\
code{font-family:ui-monospace,'SFMono-Regular',Menlo,monospace}\
@media print{body{margin:0;max-width:none}pre{background:none;border:1px solid #bbb}}";

/// A whole page in `lang`: `<html lang>`, the head with `title` and the stylesheet (the base,
/// then `style`, the page's own rules), and `body`. Every element of the page's source sits on
/// its own line, so a page reads and diffs line by line.
pub fn document(lang: Lang, title: &str, style: &str, body: Markup) -> Markup {
    html! {
        (maud::DOCTYPE) "\n"
        html lang=(lang) {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                title { (title) } "\n"
                style { (PreEscaped(BASE_STYLE)) (PreEscaped(style)) } "\n"
            }
            "\n"
            body { "\n" (body) }
            "\n"
        }
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_names_its_language_and_escapes_its_title() {
        let page = document(
            Lang::Ja,
            "<script>\"x\" & 'y'",
            ".own{}",
            html! { p { "本文" } "\n" },
        )
        .into_string();
        assert_eq!(
            page,
            format!(
                "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
                 <title>&lt;script&gt;&quot;x&quot; &amp; 'y'</title>\n\
                 <style>{BASE_STYLE}.own{{}}</style>\n</head>\n<body>\n<p>本文</p>\n</body>\n</html>\n"
            )
        );
    }

    #[test]
    fn the_base_style_loads_nothing_from_elsewhere() {
        for outside in ["@import", "url(", "http"] {
            assert!(!BASE_STYLE.contains(outside), "{outside}");
        }
    }
}
