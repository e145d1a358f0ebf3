//! How a command ends, typed: success, findings, or the user's input at fault. Commands
//! return an [`Exit`] or an error; whose fault an error is, is read from its type here, once,
//! instead of being marked where it is passed on.

use std::process::ExitCode;

use orchestrator::hosted_engine::HostedEngineError;
use orchestrator::workflow::WorkflowError;
use orchestrator::{ExecuteError, JournalError, PlanError};

/// How a command ended, as its exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done.
    Success,
    /// 1: the work found problems, or failed.
    Findings,
    /// 2: a usage or input error.
    Input,
}

impl Exit {
    /// Success when `clean`, findings otherwise.
    pub fn clean(clean: bool) -> Exit {
        if clean {
            Exit::Success
        } else {
            Exit::Findings
        }
    }

    /// Whose fault `error` is: the outermost cause whose type knows decides; an error no type
    /// claims is a failure.
    pub fn of_error(error: &anyhow::Error) -> Exit {
        error.chain().find_map(blame).unwrap_or(Exit::Findings)
    }
}

/// The exit code of findings or a failure.
pub const EXIT_FINDINGS: u8 = 1;
/// The exit code of a usage or input error (clap uses it for usage errors too).
pub const EXIT_INPUT: u8 = 2;

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Findings => ExitCode::from(EXIT_FINDINGS),
            Exit::Input => ExitCode::from(EXIT_INPUT),
        }
    }
}

/// What one cause says about whose fault it is, if its type knows.
fn blame(cause: &(dyn std::error::Error + 'static)) -> Option<Exit> {
    let input = |is_input: bool| {
        Some(if is_input {
            Exit::Input
        } else {
            Exit::Findings
        })
    };
    if cause.is::<InputError>()
        || cause.is::<scenario::LoadError>()
        || cause.is::<checks::TargetError>()
        || cause.is::<guide::TrackerError>()
        || cause.is::<discrepancies::StorageError>()
        || cause.is::<ovirt_sim::faults::FaultSpecError>()
        || cause.is::<PlanError>()
        || cause.is::<orchestrator::chain::ChainError>()
        // A journal that cannot be made, opened or resumed here is the one the user named.
        || cause.is::<JournalError>()
    {
        return Some(Exit::Input);
    }
    if let Some(error) = cause.downcast_ref::<ExecuteError>() {
        return input(!matches!(
            error,
            ExecuteError::Journal(_) | ExecuteError::Infeasible { .. }
        ));
    }
    if let Some(error) = cause.downcast_ref::<HostedEngineError>() {
        return input(matches!(error, HostedEngineError::NoHostedEngine { .. }));
    }
    if cause.is::<WorkflowError>() {
        return Some(Exit::Findings);
    }
    None
}

/// An error in the user's input (a file, an option) rather than a failure: exit code 2.
/// It shows as the error it holds.
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

/// Marks an error whose type cannot tell as the user's input, for `map_err`.
pub fn input_error(error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(InputError(error.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outermost_error_that_knows_decides() {
        let journal = JournalError::Missing {
            path: "x.sqlite".into(),
        };
        assert_eq!(Exit::of_error(&anyhow::Error::new(journal)), Exit::Input);
        let during_run = ExecuteError::Journal(JournalError::Killed { writes: 3 });
        assert_eq!(
            Exit::of_error(&anyhow::Error::new(during_run)),
            Exit::Findings
        );
        let finished = ExecuteError::AlreadyFinished { path: "x".into() };
        assert_eq!(
            Exit::of_error(&anyhow::Error::new(finished).context("resuming")),
            Exit::Input
        );
        assert_eq!(
            Exit::of_error(&anyhow::anyhow!("the engine went away")),
            Exit::Findings
        );
    }
}
