//! `ovirt-upgrade`: the only crate that prints. Libraries return values; this turns them into
//! text or JSON, in English or Japanese, and into exit codes.
//!
//! Three rooms: `commands/` (arguments → one library call → a reporter), `runs/` (the engine,
//! journal files, ids, clock and runtime every run needs) and `report/` (one progress
//! reporter for every kind of run, the summaries, text and JSON).

mod cli;
mod commands;
mod context;
mod exit;
mod report;
mod runs;
mod text;

use std::process::ExitCode;

use clap::Parser;

pub use exit::EXIT_FINDINGS;

/// Indents every line after the first, so a cause listing several problems stays readable.
fn indent_continuation(text: &str, spaces: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(spaces)))
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result =
        context::Context::new(&cli.global).and_then(|ctx| commands::run(cli.command, &ctx));
    match result {
        Ok(code) => code,
        Err(error) => {
            let mut chain = error.chain();
            if let Some(top) = chain.next() {
                eprintln!("error: {}", indent_continuation(&top.to_string(), 2));
            }
            for cause in chain {
                eprintln!(
                    "  caused by: {}",
                    indent_continuation(&cause.to_string(), 4)
                );
            }
            exit::Exit::of_error(&error).into()
        }
    }
}
