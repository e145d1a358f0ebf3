//! The two ways others upgrade a cluster, rebuilt from the research
//! (`shared/research/cluster-upgrade-peers.md`, `rolling-upgrade-field.md`) so that
//! `bench rolling` can measure our planner against them on the same simulated engine.
//!
//! - [`ovirt_role`]: the `ovirt.ovirt.cluster_upgrade` role with the wizard's defaults —
//!   hosts flagged `update_available` and up, alphabetical, one at a time; the cluster in
//!   `cluster_maintenance`; `user_migratable` VMs force-migrated one by one to wherever the
//!   engine chooses (a refused migration ends the run, a failed one does not: `ovirt_vm` waits
//!   only for the VM to be up); pinned VMs powered off (hard) and started only at the very end; then the
//!   engine's upgrade, which evacuates the rest to destinations it chooses; the wait polls
//!   every 3 s for up to 60 minutes; the first failure ends the run. Ansible's own time
//!   counts: every task of the playbook takes about a second of real time, which an engine
//!   run faster than real time sees stretched (see [`AnsiblePace`]).
//! - [`xen_orchestra`]: Xen Orchestra's rolling pool update on oVirt's terms — remember every
//!   VM's home; host by host (the SPM first, as XAPI takes the pool master first): shut the
//!   pinned VMs down cleanly, evacuate (maintenance, the engine choosing destinations),
//!   upgrade, activate, start the pinned VMs on their host; then migrate every VM back home,
//!   walking the hosts in reverse order with retry passes, and count the VMs stranded.

use std::collections::BTreeMap;
use std::time::Duration;

use model::engine::{ClusterUpdate, ClusterUpgrade, Engine, HostAction, VmAction};
use model::{
    Affinity, ClusterId, HostId, HostStatus, Inventory, SchedulingPolicy, SpmStatus, Timestamp,
    VmId, VmStatus,
};

use crate::clock::Clock;

const POLL: Duration = Duration::from_secs(3);
/// The role's `upgrade_timeout` and the wizard's 60 minutes.
const ROLE_UPGRADE_TIMEOUT_MS: i64 = 3_600_000;
/// `ovirt_vm` waits this long for a migration.
const ROLE_MIGRATE_TIMEOUT_MS: i64 = 180_000;
/// `ovirt_host` re-checks a non-responsive host 4 times, 20 s apart.
const ROLE_NON_RESPONSIVE_CHECKS: u32 = 4;
/// Xen Orchestra's `restartHostTimeout` and `vmShutdownTimeout`.
const XO_RESTART_TIMEOUT_MS: i64 = 20 * 60_000;
const XO_SHUTDOWN_TIMEOUT_MS: i64 = 10 * 60_000;
/// An evacuation that has not finished in an hour is stuck.
const XO_EVACUATION_TIMEOUT_MS: i64 = 3_600_000;
/// Events that end the role's wait for a host: upgrade failed, finished, finished and rebooting.
const ROLE_DONE_EVENTS: [u32; 3] = [841, 842, 888];
/// One task of `ansible-playbook`, in real time: against `sim serve` the 17 module calls
/// between one host's end and the next host's upgrade took 16 to 18 s.
const ANSIBLE_TASK: Duration = Duration::from_secs(1);

/// The role's own time on the engine's clock. Its tasks, its 3-second polls and its module
/// timeouts last real seconds; an engine running `engine_speed` times faster than real time
/// (`sim serve --speed`) sees each of them that many times longer, and goes on migrating
/// meanwhile. Against a real engine the speed is 1.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AnsiblePace {
    pub engine_speed: f64,
}

impl AnsiblePace {
    pub const REAL_TIME: AnsiblePace = AnsiblePace { engine_speed: 1.0 };

    fn engine_time(self, real: Duration) -> Duration {
        real.mul_f64(self.engine_speed)
    }

    /// `count` tasks of the playbook that the engine sees only as time passing (progress
    /// events, job steps, look-ups) or that end in the call made right after.
    async fn tasks(self, clock: &impl Clock, count: u32) {
        clock.sleep(self.engine_time(ANSIBLE_TASK * count)).await;
    }

    async fn poll(self, clock: &impl Clock) {
        clock.sleep(self.engine_time(POLL)).await;
    }

    fn timeout_ms(self, real_ms: i64) -> i64 {
        (real_ms as f64 * self.engine_speed) as i64
    }
}

/// How a baseline run ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineOutcome {
    pub upgraded: Vec<HostId>,
    /// The host that ended the run, and why.
    pub failed: Option<(HostId, String)>,
    /// A wait ran out while the engine was still trying (an evacuation that could not finish).
    pub stuck: bool,
    /// VMs Xen Orchestra could not bring home.
    pub stranded_vms: usize,
}

fn elapsed(clock: &impl Clock, since: Timestamp) -> i64 {
    clock.now().0 - since.0
}

async fn inventory<E: Engine, C: Clock>(engine: &E, clock: &C) -> Inventory {
    loop {
        if let Ok(inventory) = engine.inventory().await {
            return inventory;
        }
        clock.sleep(POLL).await;
    }
}

/// The oVirt `cluster_upgrade` role, as the Administration Portal wizard runs it. The task
/// counts follow the role's `main.yml` and `upgrade.yml`; a progress note is two tasks (the
/// event and the cluster's upgrade percentage).
pub async fn ovirt_role<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    cluster: ClusterId,
    pace: AnsiblePace,
) -> BaselineOutcome {
    let mut outcome = BaselineOutcome::default();
    // Login, progress, API and cluster look-ups, progress, then the running flag.
    pace.tasks(clock, 7).await;
    let _ = engine.cluster_upgrade(cluster, ClusterUpgrade::Start).await;
    // Progress, the hosts' look-up, the job, progress, then the policy.
    pace.tasks(clock, 7).await;
    let start = inventory(engine, clock).await;
    let mut hosts: Vec<(String, HostId)> = start
        .hosts
        .iter()
        .filter(|h| h.cluster == cluster && h.update_available && h.status == HostStatus::Up)
        .map(|h| (h.name.clone(), h.id))
        .collect();
    hosts.sort();
    let original = start
        .clusters
        .iter()
        .find(|c| c.id == cluster)
        .map(|c| c.scheduling_policy);
    let maintenance = ClusterUpdate {
        version: None,
        scheduling_policy: Some(SchedulingPolicy::ClusterMaintenance),
    };
    let _ = engine.update_cluster(cluster, maintenance).await;
    // The pinned VMs' look-up and two progress notes.
    pace.tasks(clock, 5).await;
    let mut powered_off: Vec<VmId> = Vec::new();

    for (name, host) in hosts {
        // The job step, a progress note, then the host's VMs.
        pace.tasks(clock, 4).await;
        let now = inventory(engine, clock).await;
        let on_host: Vec<&model::Vm> = now
            .vms
            .iter()
            .filter(|v| v.host == Some(host) && v.status == VmStatus::Up)
            .collect();
        let mut failure = None;
        for vm in on_host
            .iter()
            .filter(|v| v.affinity == Affinity::UserMigratable)
        {
            // `ovirt_vm` with `migrate: true`: a refused action fails the task; an accepted one
            // is waited for until the VM is up again, on whichever host. A migration the engine
            // then fails leaves the VM up where it was, and the role goes on to the upgrade.
            pace.tasks(clock, 1).await;
            if let Err(error) = engine
                .vm_action(
                    vm.id,
                    VmAction::Migrate {
                        host: None,
                        force: true,
                    },
                )
                .await
            {
                failure = Some(format!("migration of {}: {error}", vm.name));
                break;
            }
            if !wait_vm(
                engine,
                clock,
                vm.id,
                |v| v.status == VmStatus::Up,
                pace.engine_time(POLL),
                pace.timeout_ms(ROLE_MIGRATE_TIMEOUT_MS),
            )
            .await
            {
                failure = Some(format!("migration of {} timed out", vm.name));
            }
            if failure.is_some() {
                break;
            }
        }
        if failure.is_none() {
            // A progress note, then one task per pinned VM.
            pace.tasks(clock, 2).await;
            for vm in on_host.iter().filter(|v| v.affinity == Affinity::Pinned) {
                pace.tasks(clock, 1).await;
                if engine.vm_action(vm.id, VmAction::Stop).await.is_ok() {
                    powered_off.push(vm.id);
                    loop {
                        pace.poll(clock).await;
                        if engine
                            .vm(vm.id)
                            .await
                            .is_ok_and(|v| v.status == VmStatus::Down)
                        {
                            break;
                        }
                    }
                }
            }
        }
        if failure.is_none() {
            // A progress note, the job steps, then `ovirt_host`.
            pace.tasks(clock, 4).await;
            failure = role_upgrade_host(engine, clock, pace, host, &name, &mut outcome).await;
        }
        // A progress note and the job step, or the rescue's event and job.
        pace.tasks(clock, 3).await;
        match failure {
            None => outcome.upgraded.push(host),
            Some(reason) => {
                outcome.failed = Some((host, reason));
                break;
            }
        }
    }

    // The job's end, progress, the closing event, then the `always` block's policy.
    pace.tasks(clock, 4).await;
    if let Some(policy) = original {
        let _ = engine
            .update_cluster(
                cluster,
                ClusterUpdate {
                    version: None,
                    scheduling_policy: Some(policy),
                },
            )
            .await;
    }
    pace.tasks(clock, 2).await;
    for vm in powered_off {
        pace.tasks(clock, 1).await;
        let _ = engine.vm_action(vm, VmAction::Start).await;
    }
    pace.tasks(clock, 3).await;
    let _ = engine
        .cluster_upgrade(cluster, ClusterUpgrade::Finish)
        .await;
    outcome
}

/// `ovirt_host: state=upgraded` with `check_upgrade=false`, `reboot=true`.
async fn role_upgrade_host<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    pace: AnsiblePace,
    host: HostId,
    name: &str,
    outcome: &mut BaselineOutcome,
) -> Option<String> {
    let last_event = engine
        .events(None)
        .await
        .ok()
        .and_then(|e| e.first().map(|e| e.id));
    if let Err(error) = engine
        .host_action(
            host,
            HostAction::Upgrade {
                reboot: true,
                timeout_minutes: None,
            },
        )
        .await
    {
        return Some(format!("{name}: {error}"));
    }
    let began = clock.now();
    let mut non_responsive = 0;
    loop {
        pace.poll(clock).await;
        let Ok(h) = engine.host(host).await else {
            continue;
        };
        match h.status {
            HostStatus::Error | HostStatus::InstallFailed | HostStatus::NonOperational => {
                return Some(format!("{name} is {}", h.status));
            }
            HostStatus::NonResponsive => {
                non_responsive += 1;
                if non_responsive > ROLE_NON_RESPONSIVE_CHECKS {
                    return Some(format!("{name} is non_responsive"));
                }
                clock.sleep(pace.engine_time(Duration::from_secs(20))).await;
                continue;
            }
            HostStatus::Up => {
                let finished = engine.events(last_event).await.is_ok_and(|events| {
                    events
                        .iter()
                        .any(|e| e.host == Some(host) && ROLE_DONE_EVENTS.contains(&e.code))
                });
                if finished {
                    return None;
                }
            }
            _ => non_responsive = 0,
        }
        if elapsed(clock, began) > ROLE_UPGRADE_TIMEOUT_MS {
            outcome.stuck = h.status == HostStatus::PreparingForMaintenance;
            return Some(format!("{name}: timed out in {}", h.status));
        }
    }
}

/// Waits until `host` shows `status` (and, when asked, no more update), or the time runs out.
async fn wait_host<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    host: HostId,
    status: HostStatus,
    upgraded: bool,
    timeout_ms: i64,
) -> Result<(), HostStatus> {
    let began = clock.now();
    let mut last = status;
    loop {
        clock.sleep(POLL).await;
        if let Ok(h) = engine.host(host).await {
            last = h.status;
            if h.status == status && !(upgraded && h.update_available) {
                return Ok(());
            }
            if h.status == HostStatus::InstallFailed {
                return Err(h.status);
            }
        }
        if elapsed(clock, began) > timeout_ms {
            return Err(last);
        }
    }
}

async fn wait_vm<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    vm: VmId,
    done: impl Fn(&model::Vm) -> bool,
    poll: Duration,
    timeout_ms: i64,
) -> bool {
    let began = clock.now();
    loop {
        clock.sleep(poll).await;
        if engine.vm(vm).await.is_ok_and(|v| done(&v)) {
            return true;
        }
        if elapsed(clock, began) > timeout_ms {
            return false;
        }
    }
}

/// Xen Orchestra's rolling pool update, with `shutdownPinnedVms` and the migration back home.
pub async fn xen_orchestra<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    cluster: ClusterId,
) -> BaselineOutcome {
    let mut outcome = BaselineOutcome::default();
    let start = inventory(engine, clock).await;
    let homes: BTreeMap<VmId, HostId> = start
        .vms
        .iter()
        .filter(|v| v.cluster == cluster && v.is_running())
        .filter_map(|v| v.host.map(|h| (v.id, h)))
        .collect();
    let mut hosts: Vec<&model::Host> = start
        .hosts
        .iter()
        .filter(|h| h.cluster == cluster && h.update_available && h.status == HostStatus::Up)
        .collect();
    // The pool master first (for oVirt: the SPM), the others in the engine's order.
    hosts.sort_by_key(|h| h.spm != SpmStatus::Spm);
    let hosts: Vec<HostId> = hosts.iter().map(|h| h.id).collect();

    for &host in &hosts {
        let now = inventory(engine, clock).await;
        let pinned: Vec<VmId> = now
            .vms
            .iter()
            .filter(|v| v.host == Some(host) && v.is_running() && v.affinity == Affinity::Pinned)
            .map(|v| v.id)
            .collect();
        for &vm in &pinned {
            let _ = engine.vm_action(vm, VmAction::Shutdown).await;
        }
        for &vm in &pinned {
            if !wait_vm(
                engine,
                clock,
                vm,
                |v| v.status == VmStatus::Down,
                POLL,
                XO_SHUTDOWN_TIMEOUT_MS,
            )
            .await
            {
                let _ = engine.vm_action(vm, VmAction::Stop).await;
                wait_vm(
                    engine,
                    clock,
                    vm,
                    |v| v.status == VmStatus::Down,
                    POLL,
                    XO_SHUTDOWN_TIMEOUT_MS,
                )
                .await;
            }
        }
        if engine
            .host_action(
                host,
                HostAction::Deactivate {
                    reason: Some("rolling pool update".into()),
                    stop_gluster_service: false,
                },
            )
            .await
            .is_err()
        {
            outcome.failed = Some((host, "the engine refused maintenance".into()));
            break;
        }
        if let Err(status) = wait_host(
            engine,
            clock,
            host,
            HostStatus::Maintenance,
            false,
            XO_EVACUATION_TIMEOUT_MS,
        )
        .await
        {
            outcome.stuck = status == HostStatus::PreparingForMaintenance;
            // Xen Orchestra enables the host again when its evacuation fails.
            let _ = engine.host_action(host, HostAction::Activate).await;
            let _ = wait_host(
                engine,
                clock,
                host,
                HostStatus::Up,
                false,
                XO_RESTART_TIMEOUT_MS,
            )
            .await;
            outcome.failed = Some((host, format!("evacuation did not finish ({status})")));
            break;
        }
        if let Err(error) = engine
            .host_action(
                host,
                HostAction::Upgrade {
                    reboot: true,
                    timeout_minutes: None,
                },
            )
            .await
        {
            outcome.failed = Some((host, error.to_string()));
            break;
        }
        if let Err(status) = wait_host(
            engine,
            clock,
            host,
            HostStatus::Maintenance,
            true,
            XO_EVACUATION_TIMEOUT_MS,
        )
        .await
        {
            outcome.failed = Some((host, format!("the upgrade ended {status}")));
            break;
        }
        let _ = engine.host_action(host, HostAction::Activate).await;
        if let Err(status) = wait_host(
            engine,
            clock,
            host,
            HostStatus::Up,
            false,
            XO_RESTART_TIMEOUT_MS,
        )
        .await
        {
            outcome.failed = Some((host, format!("not back up ({status})")));
            break;
        }
        for &vm in &pinned {
            let _ = engine.vm_action(vm, VmAction::Start).await;
        }
        outcome.upgraded.push(host);
    }

    // Back home: hosts in reverse order, passes while anything moved.
    loop {
        let mut moved = false;
        for &host in outcome.upgraded.iter().rev() {
            let now = inventory(engine, clock).await;
            let away: Vec<VmId> = now
                .vms
                .iter()
                .filter(|v| {
                    homes.get(&v.id) == Some(&host)
                        && v.status == VmStatus::Up
                        && v.host != Some(host)
                })
                .map(|v| v.id)
                .collect();
            for vm in away {
                if engine
                    .vm_action(
                        vm,
                        VmAction::Migrate {
                            host: Some(host),
                            force: true,
                        },
                    )
                    .await
                    .is_ok()
                    && wait_vm(
                        engine,
                        clock,
                        vm,
                        |v| v.status == VmStatus::Up,
                        POLL,
                        ROLE_MIGRATE_TIMEOUT_MS,
                    )
                    .await
                    && engine.vm(vm).await.is_ok_and(|v| v.host == Some(host))
                {
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    let end = inventory(engine, clock).await;
    outcome.stranded_vms = end
        .vms
        .iter()
        .filter(|v| {
            v.is_running()
                && homes
                    .get(&v.id)
                    .is_some_and(|home| outcome.upgraded.contains(home) && v.host != Some(*home))
        })
        .count();
    outcome
}
