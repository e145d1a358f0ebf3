//! An indenting XML writer into a `String`.

/// How a document is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlStyle {
    /// As the engine answers: `<?xml … standalone="yes"?>` and 4-space indentation.
    Engine,
    /// As the Python SDK sends requests: no declaration, 2-space indentation.
    Request,
}

pub struct XmlWriter {
    out: String,
    indent: &'static str,
    depth: usize,
}

impl XmlWriter {
    pub fn new(style: XmlStyle) -> Self {
        Self::with_capacity(style, 1024)
    }

    pub fn with_capacity(style: XmlStyle, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        let indent = match style {
            XmlStyle::Engine => {
                out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
                "    "
            }
            XmlStyle::Request => "  ",
        };
        XmlWriter {
            out,
            indent,
            depth: 0,
        }
    }

    fn line(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        for _ in 0..self.depth {
            self.out.push_str(self.indent);
        }
    }

    /// Opens `<tag href=… id=…>`; returns a mark for [`Self::close`].
    pub fn open(&mut self, tag: &str, href: Option<&str>, id: Option<&str>) -> usize {
        self.line();
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in [("href", href), ("id", id)] {
            if let Some(value) = value {
                self.out.push(' ');
                self.out.push_str(name);
                self.out.push_str("=\"");
                escape_into(&mut self.out, value, true);
                self.out.push('"');
            }
        }
        self.out.push('>');
        self.depth += 1;
        self.out.len()
    }

    /// Closes what [`Self::open`] opened; an element that got no content becomes `<tag/>`.
    pub fn close(&mut self, tag: &str, mark: usize) {
        self.depth -= 1;
        if self.out.len() == mark {
            self.out.pop();
            self.out.push_str("/>");
        } else {
            self.line();
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push('>');
        }
    }

    /// `<tag>text</tag>` on one line; an empty text gives `<tag></tag>`, which readers take
    /// as the empty string (`<tag/>` would read as "not set").
    pub fn leaf(&mut self, tag: &str, text: &str) {
        self.line();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    /// `<link href="…" rel="…"/>`.
    pub fn link(&mut self, href: &str, rel: &str) {
        self.line();
        self.out.push_str("<link href=\"");
        escape_into(&mut self.out, href, true);
        self.out.push_str("\" rel=\"");
        escape_into(&mut self.out, rel, true);
        self.out.push_str("\"/>");
    }

    /// `<link href="{base}/{rel}" rel="{rel}"/>`, the form of an entity's sub-links and actions.
    pub fn link_under(&mut self, base: &str, rel: &str) {
        self.line();
        self.out.push_str("<link href=\"");
        escape_into(&mut self.out, base, true);
        self.out.push('/');
        escape_into(&mut self.out, rel, true);
        self.out.push_str("\" rel=\"");
        escape_into(&mut self.out, rel, true);
        self.out.push_str("\"/>");
    }

    pub fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
}

/// Escapes markup characters. Characters XML 1.0 cannot carry at all become U+FFFD, and a
/// carriage return is written as a reference so that it survives end-of-line normalisation.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    // Byte scan for the fast path: markup, control characters, and 0xEF, the lead byte of
    // U+F000..=U+FFFF, where the two non-characters U+FFFE and U+FFFF live.
    let needs_work = |b: u8| match b {
        b'&' | b'<' | b'>' | b'\r' | 0xEF => true,
        b'"' | b'\n' | b'\t' => attribute,
        b => b < 0x20,
    };
    if !text.bytes().any(needs_work) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if !is_xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_keeps_plain_text_as_is() {
        let mut w = XmlWriter::new(XmlStyle::Request);
        let mark = w.open("vm", Some("/a?b=\"c\"&d"), Some("1"));
        w.leaf("name", "a<b & c>d");
        w.leaf("description", "");
        w.leaf("comment", "line1\r\nline2\u{1}");
        w.close("vm", mark);
        let mark = w.open("empty", None, None);
        w.close("empty", mark);
        assert_eq!(
            w.finish(),
            "<vm href=\"/a?b=&quot;c&quot;&amp;d\" id=\"1\">\n  <name>a&lt;b &amp; c&gt;d</name>\n  \
             <description></description>\n  <comment>line1&#13;\nline2\u{FFFD}</comment>\n</vm>\n<empty/>\n"
        );
    }
}
