//! How to reach an engine: its URL, who logs in, how TLS is checked, how long to wait and
//! how often to try again.

pub use model::engine::Password;
use std::path::PathBuf;
use std::time::Duration;

use crate::Scope;

/// How the engine's TLS certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tls {
    /// Against the system's trusted authorities.
    #[default]
    System,
    /// Against the engine's own CA only (PEM), as downloaded from
    /// `/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA`.
    CaFile(PathBuf),
    /// Not at all. Test environments only.
    Insecure,
}

/// When and how often a failed request is tried again. Delays double from `first_delay` up
/// to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 4,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl Retry {
    /// The pause before try number `attempt` (2 for the first retry).
    pub fn delay_before(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(16);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

/// Everything needed to connect.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API's URL: `https://engine.example.com/ovirt-engine/api`.
    pub url: String,
    /// With its profile: `admin@internal`.
    pub username: String,
    pub password: Password,
    pub tls: Tls,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long an answer may stay silent (between two reads of its body).
    pub read_timeout: Duration,
    pub retry: Retry,
    /// Sent as `Correlation-Id` with every request, so that the engine's events and jobs for
    /// this session group together [default: a new `ovirt-upgrade-…` id].
    pub correlation_id: Option<String>,
    /// What the engine seam's `inventory()` reads [default: everything]. The rolling upgrade
    /// looks at it every wave and needs only [`Scope::Compute`].
    pub seam_scope: Scope,
}

impl Config {
    pub fn new(url: impl Into<String>, username: impl Into<String>, password: Password) -> Self {
        Config {
            url: url.into(),
            username: username.into(),
            password,
            tls: Tls::System,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(120),
            retry: Retry::default(),
            correlation_id: None,
            seam_scope: Scope::Everything,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let retry = Retry::default();
        let delays: Vec<u64> = (2..=7)
            .map(|n| retry.delay_before(n).as_millis() as u64)
            .collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000]);
    }

    #[test]
    fn passwords_do_not_show() {
        let config = Config::new(
            "https://e/ovirt-engine/api",
            "admin@internal",
            Password::new("s3cret"),
        );
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
