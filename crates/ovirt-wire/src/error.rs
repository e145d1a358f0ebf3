//! What can go wrong reading a document, and converting between wire and model types.
//!
//! Every message names what failed and, when it is about one object, which object:
//! `host "host2" (id 9be35c00-…): <status> has unknown value "flying" (expected one of: …)`.

use std::fmt;

use crate::types::Fault;

/// The object an error is about, as people recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectLabel {
    /// What it is, in words: `host`, `storage domain`.
    pub kind: &'static str,
    pub name: Option<String>,
    pub id: Option<String>,
    /// 1-based position in its list, shown when it has neither name nor id.
    pub position: Option<usize>,
}

impl ObjectLabel {
    pub fn new(kind: &'static str, name: Option<&str>, id: Option<&str>) -> Self {
        ObjectLabel {
            kind,
            name: name.map(str::to_owned),
            id: id.map(str::to_owned),
            position: None,
        }
    }
}

impl fmt::Display for ObjectLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind)?;
        if let Some(name) = &self.name {
            write!(f, " \"{name}\"")?;
        }
        match (&self.id, self.position) {
            (Some(id), _) => write!(f, " (id {id})"),
            (None, Some(position)) if self.name.is_none() => write!(f, " #{position}"),
            _ => Ok(()),
        }
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WireError {
    #[error("the body is empty; expected {expected}")]
    Empty { expected: String },

    /// A proxy or the engine's servlet container answered with a web page (an error page,
    /// a login page) instead of an API document.
    #[error("expected {expected} but got an HTML page{}", html_summary(.title, .text))]
    Html {
        expected: String,
        title: Option<String>,
        text: Option<String>,
    },

    #[error("expected {expected} but got {found}: {snippet:?}")]
    WrongFormat {
        expected: String,
        found: &'static str,
        snippet: String,
    },

    #[error("malformed XML at line {line}, column {column}: {message}")]
    MalformedXml {
        line: usize,
        column: usize,
        message: String,
    },

    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },

    #[error("expected {expected} but the document is {found}")]
    UnexpectedRoot { expected: String, found: String },

    /// The engine refused: a `<fault>` document, or an `<action>` that carries one.
    #[error("the engine answered with a fault: {0}")]
    Fault(Box<Fault>),

    /// A value that does not fit its element, inside an otherwise well-formed document.
    #[error("{object}: {element} {problem}")]
    InvalidValue {
        object: Box<ObjectLabel>,
        /// Where, relative to the object: `<spm><status>` (XML) or `spm.status` (JSON).
        element: String,
        problem: String,
    },
}

fn html_summary(title: &Option<String>, text: &Option<String>) -> String {
    match (title, text) {
        (Some(title), Some(text)) if title != text => format!(" (title {title:?}: {text:?})"),
        (Some(title), _) => format!(" (title {title:?})"),
        (None, Some(text)) => format!(" ({text:?})"),
        (None, None) => String::new(),
    }
}

/// Why a wire object could not become a model object (or the other way round).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConvertError {
    pub object: Box<ObjectLabel>,
    /// The element at fault, relative to the object: `<placement_policy><affinity>`; empty
    /// when the problem is the object itself.
    pub element: String,
    pub problem: String,
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.element.is_empty() {
            write!(f, "{}: {}", self.object, self.problem)
        } else {
            write!(f, "{}: {} {}", self.object, self.element, self.problem)
        }
    }
}
