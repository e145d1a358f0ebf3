//! The controls only `ovirt-upgrade sim serve` has, under `/ovirt-sim/` (docs/simulator.md),
//! reached with the session's credentials and TLS settings. No real engine answers them.

use model::{ElVersion, HostType};
use reqwest::Method;

use crate::transport::{Call, Replay};
use crate::{Client, ClientError, ErrorKind};

impl Client {
    /// Reinstalls a simulated machine's operating system, as PXE or kickstart would
    /// (`POST /ovirt-sim/reinstall`); `engine_key` puts the engine's SSH key on it. Answers
    /// at once with the machine; it is back after the simulator's reinstall time.
    pub async fn reinstall_simulated_machine(
        &self,
        address: &str,
        os: ElVersion,
        host_type: HostType,
        engine_key: bool,
    ) -> Result<serde_json::Value, ClientError> {
        let call = Call {
            method: Method::POST,
            from_root: true,
            replay: Replay::UnsentOnly,
            ..Call::get("/ovirt-sim/reinstall")
        }
        .query("host", address)
        .query("os", os.to_string())
        .query("type", host_type.as_str())
        .query("engine_key", engine_key.to_string());
        self.control(&call).await
    }

    /// The Administration Portal's Import Domain of the local domain at `path` on the host of
    /// `machine`, which no REST call does (`POST /ovirt-sim/import-domain`); `name` empty
    /// keeps the domain's own.
    pub async fn import_simulated_domain(
        &self,
        machine: &str,
        path: &str,
        name: &str,
    ) -> Result<serde_json::Value, ClientError> {
        let mut call = Call {
            method: Method::POST,
            from_root: true,
            replay: Replay::UnsentOnly,
            ..Call::get("/ovirt-sim/import-domain")
        }
        .query("host", machine)
        .query("path", path);
        if !name.is_empty() {
            call = call.query("name", name);
        }
        self.control(&call).await
    }

    /// The simulated machines with their system and state (`GET /ovirt-sim/machines`).
    pub async fn simulated_machines(&self) -> Result<serde_json::Value, ClientError> {
        let call = Call {
            from_root: true,
            ..Call::get("/ovirt-sim/machines")
        };
        self.control(&call).await
    }

    async fn control(&self, call: &Call) -> Result<serde_json::Value, ClientError> {
        let (target, body, _) = self.execute(call).await?;
        serde_json::from_slice(&body).map_err(|error| {
            ClientError::new(
                ErrorKind::Protocol,
                &target,
                format!("the answer is not JSON: {error}"),
            )
            .with_hint("the controls exist on `ovirt-upgrade sim serve` only, not on a real engine")
        })
    }
}
