//! Talking to the engine for an executor: an answer, a refusal, or no answer; notes about
//! retries without repeating them every poll; and how long the engine has been away.

use std::future::Future;

use model::engine::EngineError;
use model::Timestamp;

use crate::event::{EventSink, RunEvent};
use crate::journal::Answer;

/// With no answer from the engine for this long, a run stops and waits for `resume`.
pub(crate) const UNREACHABLE_LIMIT_MS: i64 = 10 * 60_000;
/// A note about retrying is repeated at most this often.
const RETRY_NOTE_INTERVAL_MS: i64 = 60_000;

/// What the engine said to a call.
pub(crate) enum Reply<T> {
    Ok(T),
    Refused(String),
    Unavailable(String),
}

impl Reply<()> {
    /// How the journal records the engine's answer to an action.
    pub(crate) fn into_answer(self) -> Answer {
        match self {
            Reply::Ok(()) => Answer::Accepted,
            Reply::Refused(detail) => Answer::Refused { detail },
            Reply::Unavailable(error) => Answer::NoAnswer { error },
        }
    }
}

/// The state of the conversation with the engine.
pub(crate) struct Caller {
    last_success: Timestamp,
    last_error: String,
    last_retry_note: Option<Timestamp>,
}

impl Caller {
    pub(crate) fn new(now: Timestamp) -> Caller {
        Caller {
            last_success: now,
            last_error: String::new(),
            last_retry_note: None,
        }
    }

    /// Awaits `answer`; transient failures are told through `sink` (once a minute, or when
    /// the error changes) and come back as [`Reply::Unavailable`].
    pub(crate) async fn call<T>(
        &mut self,
        now: impl Fn() -> Timestamp,
        sink: &dyn EventSink,
        what: &str,
        answer: impl Future<Output = Result<T, EngineError>>,
    ) -> Reply<T> {
        match answer.await {
            Ok(value) => {
                self.last_success = now();
                Reply::Ok(value)
            }
            Err(error)
                if error.is_transient() || matches!(error, EngineError::Authentication(_)) =>
            {
                let text = error.to_string();
                let at = now();
                let due = self
                    .last_retry_note
                    .is_none_or(|t| at.0 - t.0 >= RETRY_NOTE_INTERVAL_MS);
                if due || text != self.last_error {
                    self.last_retry_note = Some(at);
                    sink.emit(
                        at,
                        RunEvent::Retrying {
                            call: what.to_owned(),
                            error: text.clone(),
                        },
                    );
                }
                self.last_error = text.clone();
                Reply::Unavailable(text)
            }
            Err(error) => {
                self.last_success = now();
                Reply::Refused(match error {
                    EngineError::Refused { detail, .. } => detail,
                    other => other.to_string(),
                })
            }
        }
    }

    /// The last error, once the engine has not answered for too long.
    pub(crate) fn unreachable(&self, now: Timestamp) -> Option<String> {
        (now.0 - self.last_success.0 > UNREACHABLE_LIMIT_MS).then(|| self.last_error.clone())
    }
}
