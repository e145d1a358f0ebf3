//! How `discrepancies` sums up a comparison: on standard error, in either language, so that
//! standard output keeps exactly the Image Discrepancies tool's format.

use discrepancies::report::{summary_lines, Summary};
use discrepancies::Report;
use model::Lang;

/// The summary on standard error, so that standard output stays exactly the tool's format.
pub fn summary(report: &Report, summary: &Summary, lang: Lang) -> String {
    let mut out = String::from("\n");
    for line in summary_lines(report, summary) {
        out.push_str(line.get(lang));
        out.push('\n');
    }
    out
}
