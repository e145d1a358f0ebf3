//! A pull reader over quick-xml that walks one element's children at a time.
//!
//! No tree is built: generated code asks for the next child, reads the ones it knows and
//! skips the rest, borrowing text straight from the input. Structural faults (bad syntax,
//! a tag left open) stop the read at once. Faults in a value (`<memory>lots</memory>`) are
//! *deferred*: the first is remembered and reading goes on to the end of the object, so the
//! error can name the object even when its `<name>` comes after the bad value.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::error::WireError;

/// An element that has just been opened.
pub struct Child<'a> {
    start: BytesStart<'a>,
    empty: bool,
}

impl<'a> Child<'a> {
    pub fn name(&self) -> &[u8] {
        self.start.name().into_inner()
    }

    /// The element name as text (element names of a `str` input are always UTF-8).
    pub fn name_str(&self) -> &str {
        std::str::from_utf8(self.name()).unwrap_or("")
    }

    /// Written as `<x/>`: it has no content at all.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Calls `found` with each attribute's name and unescaped value.
    pub fn for_each_attribute(
        &self,
        reader: &XmlReader<'a>,
        mut found: impl FnMut(&[u8], Cow<'_, str>),
    ) -> Result<(), WireError> {
        for attribute in self.start.attributes() {
            let attribute = attribute.map_err(|e| reader.malformed(e.into()))?;
            let value = attribute
                .unescape_value()
                .map_err(|e| reader.malformed(e))?;
            found(attribute.key.as_ref(), value);
        }
        Ok(())
    }
}

struct Deferred {
    element: String,
    problem: String,
}

/// The reader. `path` holds the tags of the known elements being read, so that a deferred
/// value error can say where it is relative to its object.
pub struct XmlReader<'a> {
    source: &'a str,
    inner: Reader<&'a [u8]>,
    path: Vec<&'static str>,
    object_depth: usize,
    deferred: Option<Deferred>,
}

impl<'a> XmlReader<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut inner = Reader::from_str(source);
        let config = inner.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        XmlReader {
            source,
            inner,
            path: Vec::with_capacity(16),
            object_depth: 0,
            deferred: None,
        }
    }

    /// Reads the prolog and opens the root element.
    pub fn root(&mut self) -> Result<Child<'a>, WireError> {
        loop {
            match self.event()? {
                Event::Start(start) => {
                    return Ok(Child {
                        start,
                        empty: false,
                    })
                }
                Event::Empty(start) => return Ok(Child { start, empty: true }),
                Event::Text(text) if is_blank(&text) => {}
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => return Err(self.malformed_here("the document has no root element")),
                Event::End(_) => return Err(self.malformed_here("a closing tag before the root")),
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(self.malformed_here("text before the root element"))
                }
            }
        }
    }

    /// After the root element has closed: only blanks, comments and processing
    /// instructions may follow.
    pub fn finish(&mut self) -> Result<(), WireError> {
        loop {
            match self.event()? {
                Event::Eof => return Ok(()),
                Event::Text(text) if is_blank(&text) => {}
                Event::Comment(_) | Event::PI(_) => {}
                _ => return Err(self.malformed_here("content after the root element")),
            }
        }
    }

    /// The next child of the element being read; `None` once that element closes.
    /// Stray text between children is ignored, as the SDK does.
    pub fn next_child(&mut self) -> Result<Option<Child<'a>>, WireError> {
        loop {
            match self.event()? {
                Event::Start(start) => {
                    return Ok(Some(Child {
                        start,
                        empty: false,
                    }))
                }
                Event::Empty(start) => return Ok(Some(Child { start, empty: true })),
                Event::End(_) => return Ok(None),
                Event::Text(_)
                | Event::CData(_)
                | Event::GeneralRef(_)
                | Event::Comment(_)
                | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.malformed_here("a declaration inside an element"))
                }
                Event::Eof => return Err(self.unexpected_end()),
            }
        }
    }

    /// Consumes a child that is not read.
    pub fn skip(&mut self, child: &Child<'a>) -> Result<(), WireError> {
        if !child.empty {
            self.inner
                .read_to_end(child.start.name())
                .map_err(|e| self.malformed(e))?;
        }
        Ok(())
    }

    /// The text of a child: `None` for `<x/>`, `""` for `<x></x>`. Not trimmed.
    pub fn text(&mut self, child: &Child<'a>) -> Result<Option<Cow<'a, str>>, WireError> {
        if child.empty {
            return Ok(None);
        }
        let mut value: Option<Cow<'a, str>> = None;
        let mut holds_element = false;
        loop {
            match self.event()? {
                Event::Text(text) => {
                    let piece = text.xml10_content().map_err(|e| self.malformed(e.into()))?;
                    append(&mut value, piece);
                }
                Event::CData(data) => {
                    let piece = data.xml10_content().map_err(|e| self.malformed(e.into()))?;
                    append(&mut value, piece);
                }
                Event::GeneralRef(reference) => {
                    let character = self.resolve(&reference)?;
                    append(&mut value, Cow::Owned(character.to_string()));
                }
                // A value that held an element is not set (its error is deferred).
                Event::End(_) if holds_element => return Ok(None),
                Event::End(_) => return Ok(Some(value.unwrap_or(Cow::Borrowed("")))),
                Event::Start(start) => {
                    let name = String::from_utf8_lossy(start.name().into_inner()).into_owned();
                    self.defer(format!("should hold a value but holds an element <{name}>"));
                    holds_element = true;
                    self.inner
                        .read_to_end(start.name())
                        .map_err(|e| self.malformed(e))?;
                }
                Event::Empty(start) => {
                    let name = String::from_utf8_lossy(start.name().into_inner()).into_owned();
                    self.defer(format!("should hold a value but holds an element <{name}>"));
                    holds_element = true;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(self.malformed_here("a declaration inside an element"))
                }
                Event::Eof => return Err(self.unexpected_end()),
            }
        }
    }

    /// Marks that the known element `tag` is being read.
    pub fn enter(&mut self, tag: &'static str) {
        self.path.push(tag);
    }

    pub fn leave(&mut self) {
        self.path.pop();
    }

    /// Starts a top-level object: deferred errors are collected afresh and their paths are
    /// made relative to it. Returns what [`Self::end_object`] needs to restore.
    pub fn begin_object(&mut self) -> usize {
        self.deferred = None;
        std::mem::replace(&mut self.object_depth, self.path.len())
    }

    /// Ends a top-level object; returns its first deferred value error as
    /// (element path, problem).
    pub fn end_object(&mut self, saved_depth: usize) -> Option<(String, String)> {
        self.object_depth = saved_depth;
        self.deferred
            .take()
            .map(|deferred| (deferred.element, deferred.problem))
    }

    /// Remembers a value error at the current element, unless one is already remembered.
    pub fn defer(&mut self, problem: String) {
        if self.deferred.is_none() {
            let element = self.path[self.object_depth.min(self.path.len())..]
                .iter()
                .map(|tag| format!("<{tag}>"))
                .collect::<String>();
            self.deferred = Some(Deferred { element, problem });
        }
    }

    fn event(&mut self) -> Result<Event<'a>, WireError> {
        self.inner.read_event().map_err(|e| self.malformed(e))
    }

    fn resolve(&self, reference: &BytesRef<'_>) -> Result<char, WireError> {
        if let Some(character) = reference
            .resolve_char_ref()
            .map_err(|e| self.malformed(e))?
        {
            return Ok(character);
        }
        match reference.as_ref() {
            b"lt" => Ok('<'),
            b"gt" => Ok('>'),
            b"amp" => Ok('&'),
            b"apos" => Ok('\''),
            b"quot" => Ok('"'),
            other => Err(self.malformed_here(&format!(
                "unknown entity &{};",
                String::from_utf8_lossy(other)
            ))),
        }
    }

    fn unexpected_end(&self) -> WireError {
        self.malformed_here("the document ends inside an element")
    }

    /// A quick-xml error, placed where quick-xml saw it.
    pub fn malformed(&self, error: quick_xml::Error) -> WireError {
        self.malformed_at(self.inner.error_position(), &error.to_string())
    }

    fn malformed_here(&self, message: &str) -> WireError {
        self.malformed_at(self.inner.buffer_position(), message)
    }

    fn malformed_at(&self, offset: u64, message: &str) -> WireError {
        let (line, column) = line_and_column(self.source, offset);
        WireError::MalformedXml {
            line,
            column,
            message: message.to_owned(),
        }
    }
}

fn append<'a>(value: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    match value {
        None => *value = Some(piece),
        Some(existing) => existing.to_mut().push_str(&piece),
    }
}

fn is_blank(text: &[u8]) -> bool {
    text.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_and_column(source: &str, offset: u64) -> (usize, usize) {
    let mut end = (offset as usize).min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
