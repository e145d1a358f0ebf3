//! The simulator served in-process through the engine seam, on tokio's clock. With the
//! clock paused (tests), virtual time moves only when every task waits, so a run is a pure
//! function of its seed; `speed` stretches time for wall-clock demos.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use model::engine::{
    ClusterUpdate, ClusterUpgrade, DomainAction, Engine, EngineError, Event, HostAction, NewHost,
    NewLocalDomain, UnregisteredVm, VmAction,
};
use model::rng::Rng;
use model::*;
use tokio::time::Instant;

use crate::engine::{Reinstall, Simulator};
use crate::faults::TransportFaults;

/// The correlation id of the in-process client's requests.
const IN_PROCESS_CORRELATION_ID: &str = "ovirt-upgrade-in-process";

/// How long a "slow" answer takes.
pub const SLOW_ANSWER: Duration = Duration::from_secs(5);

/// Which transport faults strike one request, drawn from the seed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransportRoll {
    pub slow: bool,
    pub unavailable: bool,
    pub dropped: bool,
    /// The client's token is found expired (only meaningful over HTTP).
    pub token_expired: bool,
}

/// A [`Simulator`] behind the [`Engine`] trait.
#[derive(Clone)]
pub struct SimEngine {
    simulator: Arc<Mutex<Simulator>>,
    origin: Instant,
    start: Timestamp,
    speed: f64,
    transport: TransportFaults,
    transport_rng: Arc<Mutex<Rng>>,
}

impl SimEngine {
    /// Serves `simulator`, whose virtual time runs `speed` times as fast as tokio's clock.
    pub fn new(simulator: Simulator, speed: f64, seed: u64) -> SimEngine {
        let start = simulator.now();
        let transport = simulator.faults().transport;
        SimEngine {
            simulator: Arc::new(Mutex::new(simulator)),
            origin: Instant::now(),
            start,
            speed,
            transport,
            transport_rng: Arc::new(Mutex::new(Rng::new(seed ^ 0x7472_616e_7370_6f72))),
        }
    }

    /// The simulator, brought up to the current virtual time. Hold the guard briefly.
    pub fn simulator(&self) -> MutexGuard<'_, Simulator> {
        let elapsed = Instant::now().duration_since(self.origin).as_secs_f64() * self.speed;
        let now = self.start.plus_millis((elapsed * 1000.0) as i64);
        let mut simulator = self
            .simulator
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        simulator.advance_to(now);
        simulator
    }

    /// Sim control: reinstalls a machine's operating system (see
    /// [`Simulator::reinstall_machine`]); it answers again after the simulator's
    /// `reinstall_ms` of virtual time.
    pub fn reinstall_machine(&self, address: &str, to: Reinstall) -> Result<(), EngineError> {
        self.simulator().reinstall_machine(address, to)
    }

    /// Sim control: the Administration Portal's Import Domain of the local domain at `path`
    /// on `machine` (see [`Simulator::import_local_domain`]).
    pub fn import_local_domain(
        &self,
        machine: &str,
        path: &str,
        name: &str,
    ) -> Result<StorageDomainId, EngineError> {
        self.simulator().import_local_domain(machine, path, name)
    }

    /// Draws the transport faults of one request.
    pub fn roll_transport(&self) -> TransportRoll {
        let mut rng = self
            .transport_rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut roll = |p: f64| p > 0.0 && rng.chance((p * 1_000_000.0) as u64, 1_000_000);
        TransportRoll {
            slow: roll(self.transport.slow),
            unavailable: roll(self.transport.unavailable),
            dropped: roll(self.transport.dropped),
            token_expired: roll(self.transport.token_expiry),
        }
    }

    /// Applies the transport faults to one request: maybe slow, maybe refused.
    async fn transport(&self) -> Result<(), EngineError> {
        let roll = self.roll_transport();
        if roll.slow {
            tokio::time::sleep(SLOW_ANSWER).await;
        }
        if roll.unavailable {
            return Err(EngineError::Unavailable("503 Service Unavailable".into()));
        }
        if roll.dropped {
            return Err(EngineError::Unavailable(
                "connection closed before an answer".into(),
            ));
        }
        Ok(())
    }
}

impl Engine for SimEngine {
    async fn inventory(&self) -> Result<Inventory, EngineError> {
        self.transport().await?;
        Ok(self.simulator().inventory().clone())
    }

    async fn host(&self, id: HostId) -> Result<Host, EngineError> {
        self.transport().await?;
        self.simulator().host(id).cloned()
    }

    async fn vm(&self, id: VmId) -> Result<Vm, EngineError> {
        self.transport().await?;
        self.simulator().vm(id).cloned()
    }

    async fn host_action(&self, id: HostId, action: HostAction) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().host_action(id, action)
    }

    async fn vm_action(&self, id: VmId, action: VmAction) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().vm_action(id, action)
    }

    async fn remove_host(&self, id: HostId, force: bool) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().remove_host(id, force)
    }

    async fn add_host(&self, host: NewHost) -> Result<Host, EngineError> {
        self.transport().await?;
        let mut simulator = self.simulator();
        let id = simulator.add_host(host)?;
        simulator.host(id).cloned()
    }

    async fn set_vm_placement(
        &self,
        id: VmId,
        affinity: Affinity,
        hosts: Vec<HostId>,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().set_vm_placement(id, affinity, hosts)
    }

    async fn destroy_storage_domain(&self, id: StorageDomainId) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().destroy_storage_domain(id)
    }

    async fn add_local_domain(&self, new: NewLocalDomain) -> Result<StorageDomain, EngineError> {
        self.transport().await?;
        let mut simulator = self.simulator();
        let id = simulator.add_local_domain(new)?;
        Ok(simulator
            .inventory()
            .storage_domains
            .iter()
            .find(|d| d.id == id)
            .cloned()
            .expect("a domain just added"))
    }

    async fn attach_storage_domain(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().attach_storage_domain(data_center, domain)
    }

    async fn storage_domain_action(
        &self,
        data_center: DataCenterId,
        domain: StorageDomainId,
        action: DomainAction,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator()
            .storage_domain_action(data_center, domain, action)
    }

    async fn unregistered_vms(
        &self,
        domain: StorageDomainId,
    ) -> Result<Vec<UnregisteredVm>, EngineError> {
        self.transport().await?;
        self.simulator().unregistered_vms(domain)
    }

    async fn register_vm(
        &self,
        domain: StorageDomainId,
        vm: VmId,
        cluster: ClusterId,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().register_vm(domain, vm, cluster)
    }

    async fn update_cluster(
        &self,
        id: ClusterId,
        update: ClusterUpdate,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().update_cluster(id, update)
    }

    async fn update_data_center(
        &self,
        id: DataCenterId,
        version: Level,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        self.simulator().update_data_center(id, version)
    }

    async fn cluster_upgrade(
        &self,
        id: ClusterId,
        action: ClusterUpgrade,
    ) -> Result<(), EngineError> {
        self.transport().await?;
        // One client, one correlation id, as the HTTP client sends it with every request: a
        // progress update then matches the start it follows.
        self.simulator()
            .cluster_upgrade(id, action, Some(IN_PROCESS_CORRELATION_ID))
    }

    async fn events(&self, after: Option<u64>) -> Result<Vec<Event>, EngineError> {
        self.transport().await?;
        Ok(self.simulator().events(after))
    }
}
