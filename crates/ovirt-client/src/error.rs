//! What can go wrong talking to an engine. Every error names what was asked (the request's
//! method and URL, or the object) and, where there is one, what to do about it.

use std::fmt;

use model::engine::EngineError;

/// Why a request to the engine failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The connection settings cannot work (a URL that is not http(s), a CA file without a
    /// certificate).
    Config,
    /// Nothing answered at the address: refused, unreachable, no such host.
    Connect,
    /// The TLS handshake failed: a certificate nobody vouches for, a wrong host name.
    Tls,
    /// No answer in time.
    Timeout,
    /// Login failed, or the credentials were refused.
    Authentication,
    /// The object does not exist on the engine (404).
    NotFound { kind: &'static str, id: String },
    /// The engine refused: its `<fault>` (409 for conflicts, 400 for bad requests).
    Refused {
        status: u16,
        reason: String,
        detail: String,
    },
    /// The engine answered 502, 503 or 504, or the connection broke, after every retry.
    Unavailable,
    /// The answer is not what the API sends: an HTML page, malformed XML, a value that does
    /// not fit.
    Protocol,
}

/// An error of the client: what failed, on which request or object, and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    pub kind: ErrorKind,
    /// What was asked: `GET https://engine.example.com/ovirt-engine/api/hosts`, or the object.
    // Boxed strings keep the error small: it travels in every `Result` of the client.
    pub target: Box<str>,
    pub message: Box<str>,
    /// What to do about it.
    pub hint: Option<Box<str>>,
}

impl ClientError {
    pub fn new(kind: ErrorKind, target: impl Into<String>, message: impl Into<String>) -> Self {
        ClientError {
            kind,
            target: target.into().into_boxed_str(),
            message: message.into().into_boxed_str(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Unavailable
        )
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.target, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ClientError {}

impl From<ClientError> for EngineError {
    fn from(error: ClientError) -> EngineError {
        match &error.kind {
            ErrorKind::NotFound { kind, id } => EngineError::NotFound {
                kind,
                id: id.clone(),
            },
            ErrorKind::Refused {
                status,
                reason,
                detail,
            } => EngineError::Refused {
                status: *status,
                reason: reason.clone(),
                detail: detail.clone(),
            },
            ErrorKind::Authentication => EngineError::Authentication(error.to_string()),
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Unavailable => {
                EngineError::Unavailable(error.to_string())
            }
            ErrorKind::Config | ErrorKind::Tls | ErrorKind::Protocol => {
                EngineError::Protocol(error.to_string())
            }
        }
    }
}
