//! XML reading and writing, and recognising bodies that are not what was asked for.

mod read;
mod write;

pub use read::{line_and_column, Child, XmlReader};
pub use write::{XmlStyle, XmlWriter};

use crate::error::WireError;

/// Which format a caller expected, for the "got something else" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Xml,
    Json,
}

/// Checks that `body` looks like the expected format and returns it as text: an empty
/// body, an HTML page, JSON where XML was asked for (and the reverse) and text that is no
/// UTF-8 are refused with errors that say what arrived.
pub fn sniff<'a>(body: &'a [u8], expected: Expected, what: &str) -> Result<&'a str, WireError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(error) => {
            let valid = &body[..error.valid_up_to()];
            let text = std::str::from_utf8(valid).unwrap_or("");
            let (line, column) = line_and_column(text, valid.len() as u64);
            let message = "the body is not UTF-8 text".to_owned();
            return Err(match expected {
                Expected::Xml => WireError::MalformedXml {
                    line,
                    column,
                    message,
                },
                Expected::Json => WireError::MalformedJson {
                    line,
                    column,
                    message,
                },
            });
        }
    };
    let start = text.trim_start();
    if start.is_empty() {
        return Err(WireError::Empty {
            expected: what.to_owned(),
        });
    }
    if looks_like_html(start) {
        return Err(html_error(text, what));
    }
    let found = match (expected, start.as_bytes()[0]) {
        (Expected::Xml, b'<') | (Expected::Json, b'{' | b'[') => return Ok(text),
        (Expected::Json, b'<') => "XML",
        (Expected::Xml, b'{' | b'[') => "JSON",
        _ => "plain text",
    };
    Err(WireError::WrongFormat {
        expected: what.to_owned(),
        found,
        snippet: snippet(start, 120),
    })
}

fn looks_like_html(start: &str) -> bool {
    let head: String = start
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The error for an HTML page, with its title and the start of its visible text.
pub fn html_error(page: &str, what: &str) -> WireError {
    let lower = page.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|open| {
        let content_start = open + lower[open..].find('>')? + 1;
        let content_end = content_start + lower[content_start..].find("</title")?;
        Some(collapse_whitespace(&page[content_start..content_end]))
    });
    let body_start = lower.find("<body").unwrap_or(0);
    let text = collapse_whitespace(&strip_tags(&page[body_start..]));
    WireError::Html {
        expected: what.to_owned(),
        title: title.filter(|t| !t.is_empty()),
        text: (!text.is_empty()).then(|| snippet(&text, 200)),
    }
}

fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len().min(4096));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn snippet(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_what_arrived_instead_of_xml() {
        let page = b"<html><head><title>Error</title></head><body>Unauthorized</body></html>";
        match sniff(page, Expected::Xml, "a <hosts> document") {
            Err(WireError::Html { title, text, .. }) => {
                assert_eq!(title.as_deref(), Some("Error"));
                assert_eq!(text.as_deref(), Some("Unauthorized"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            sniff(b"  \n", Expected::Xml, "x"),
            Err(WireError::Empty { .. })
        ));
        assert!(matches!(
            sniff(b"{\"host\":[]}", Expected::Xml, "x"),
            Err(WireError::WrongFormat { found: "JSON", .. })
        ));
        assert!(matches!(
            sniff(b"Service Unavailable", Expected::Xml, "x"),
            Err(WireError::WrongFormat {
                found: "plain text",
                ..
            })
        ));
        assert!(matches!(
            sniff(b"<hosts/>", Expected::Json, "x"),
            Err(WireError::WrongFormat { found: "XML", .. })
        ));
        assert!(matches!(
            sniff(b"<a>\xff</a>", Expected::Xml, "x"),
            Err(WireError::MalformedXml {
                line: 1,
                column: 4,
                ..
            })
        ));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF<api/>", Expected::Xml, "x").unwrap(),
            "<api/>"
        );
    }
}
