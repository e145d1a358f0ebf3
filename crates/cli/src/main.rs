//! `ovirt-upgrade`: the only crate that prints. Libraries return values; this turns them into
//! text or JSON, in English or Japanese, and into exit codes.

mod cli;
mod commands;
mod context;
mod live;
mod text;

use std::process::ExitCode;

use clap::Parser;

/// An error in the user's input (a file, an option) rather than a failure: exit code 2.
/// It shows as the error it wraps.
#[derive(Debug)]
pub struct InputError(pub anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Marks an error as the user's input, for `map_err`.
pub fn input_error(error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(InputError(error.into()))
}

/// Exit code when the work found problems or failed.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code for a usage or input error (clap uses it for usage errors too).
pub const EXIT_INPUT: u8 = 2;

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
            let input = error
                .chain()
                .any(|cause| cause.is::<InputError>() || cause.is::<scenario::LoadError>());
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
            ExitCode::from(if input { EXIT_INPUT } else { EXIT_FINDINGS })
        }
    }
}
