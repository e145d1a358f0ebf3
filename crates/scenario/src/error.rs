//! Load errors that name the file, the line or field, and the fix.

use std::fmt;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Line and column, both from 1.
    Line { line: usize, column: usize },
    /// A path into the inventory (`vms[12].host`), for files without useful lines.
    Field(String),
    /// The file as a whole.
    File,
}

/// One problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub message: String,
    /// What to do about it; empty when the message says it all.
    pub hint: String,
}

/// Why a scenario or inventory could not be loaded. Nothing is half-loaded: either the whole
/// environment comes back, or this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub problems: Vec<Problem>,
}

/// How many problems a message lists before it summarises the rest.
const SHOWN_PROBLEMS: usize = 20;

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match &problem.location {
                Location::Line { line, column } => write!(f, "{}:{line}:{column}: ", self.file)?,
                Location::Field(field) => write!(f, "{}, field {field}: ", self.file)?,
                Location::File => write!(f, "{}: ", self.file)?,
            }
            f.write_str(&problem.message)?;
            if !problem.hint.is_empty() {
                write!(f, "\n  hint: {}", problem.hint)?;
            }
        }
        if self.problems.len() > SHOWN_PROBLEMS {
            write!(
                f,
                "\n... and {} more problems",
                self.problems.len() - SHOWN_PROBLEMS
            )?;
        }
        Ok(())
    }
}

impl LoadError {
    pub fn whole_file(
        file: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> LoadError {
        LoadError {
            file: file.to_owned(),
            problems: vec![Problem {
                location: Location::File,
                message: message.into(),
                hint: hint.into(),
            }],
        }
    }
}

/// Line and column (from 1) of a byte offset in `text`.
pub fn line_and_column(text: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Location::Line { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(
            line_and_column(text, 0),
            Location::Line { line: 1, column: 1 }
        );
        assert_eq!(
            line_and_column(text, 6),
            Location::Line { line: 2, column: 1 }
        );
        assert_eq!(
            line_and_column(text, 10),
            Location::Line { line: 2, column: 4 }
        );
    }
}
