//! The self-hosted engine: what `hosted-engine --vm-status` shows, derived from the engine's
//! own view (the Manager VM's status and each hosted-engine host's HA state), and global
//! maintenance on and off through the Manager VM's `maintenance` action (guide §1.1.5,
//! §1.2.7).
//!
//! Turning it off waits, as the guide asks, until the engine reports
//! `{"health": "good", "vm": "up", "detail": "Up"}`, telling each status on the way
//! (`Powering up` while the Manager VM boots).

use std::fmt;
use std::time::Duration;

use model::engine::{Engine, EngineError, VmAction};
use model::{Deployment, HostId, HostStatus, Inventory, Vm, VmId, VmStatus};
use serde::Serialize;

use crate::clock::Clock;
use crate::event::{EventSink, RunEvent};
use crate::executor::POLL_INTERVAL;

/// How the engine is doing, in the words of `hosted-engine --vm-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub health: Health,
    pub vm: VmState,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Good,
    Bad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VmState {
    Up,
    Down,
}

impl EngineStatus {
    /// The engine's status as the HA agent on `host` reports it.
    pub fn on_host(vm: &Vm, host: HostId) -> EngineStatus {
        if vm.host != Some(host) || !vm.is_running() {
            return EngineStatus::bad("vm not running on this host", VmState::Down, "unknown");
        }
        let detail = match vm.status {
            VmStatus::Up => {
                return EngineStatus {
                    reason: None,
                    health: Health::Good,
                    vm: VmState::Up,
                    detail: "Up".into(),
                }
            }
            VmStatus::WaitForLaunch | VmStatus::PoweringUp => "Powering up",
            VmStatus::RebootInProgress => "Reboot in progress",
            VmStatus::PoweringDown => "Powering down",
            VmStatus::Migrating => "Migration Source",
            VmStatus::Paused => "Paused",
            other => other.as_str(),
        };
        EngineStatus::bad("bad vm status", VmState::Up, detail)
    }

    /// The engine's API does not answer (its VM is starting, or it is away).
    pub fn not_answering(error: &str) -> EngineStatus {
        EngineStatus::bad(
            &format!("engine not answering: {error}"),
            VmState::Up,
            "unknown",
        )
    }

    fn bad(reason: &str, vm: VmState, detail: &str) -> EngineStatus {
        EngineStatus {
            reason: Some(reason.to_owned()),
            health: Health::Bad,
            vm,
            detail: detail.to_owned(),
        }
    }

    pub fn is_healthy(&self) -> bool {
        self.health == Health::Good && self.vm == VmState::Up && self.detail == "Up"
    }
}

/// As `hosted-engine --vm-status` prints it: `{"health": "good", "vm": "up", "detail": "Up"}`.
impl fmt::Display for EngineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        if let Some(reason) = &self.reason {
            write!(f, "\"reason\": \"{reason}\", ")?;
        }
        let health = match self.health {
            Health::Good => "good",
            Health::Bad => "bad",
        };
        let vm = match self.vm {
            VmState::Up => "up",
            VmState::Down => "down",
        };
        write!(
            f,
            "\"health\": \"{health}\", \"vm\": \"{vm}\", \"detail\": \"{}\"}}",
            self.detail
        )
    }
}

/// One hosted-engine host, as `hosted-engine --vm-status` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostedEngineHost {
    pub name: String,
    pub address: String,
    pub status: HostStatus,
    pub score: u32,
    pub engine_status: EngineStatus,
    pub local_maintenance: bool,
    /// As the engine last polled it: stale when the HA agent is not alive.
    pub global_maintenance: bool,
    /// The host's HA agent is alive (the API's `hosted_engine/active`), so its flags are current.
    pub agent_alive: bool,
    /// The Manager VM runs here.
    pub running_engine: bool,
}

/// Whether the hosted-engine hosts are in global maintenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GlobalMaintenance {
    On,
    Off,
    /// Some hosts with a live agent say on, others off: they have not all caught up.
    Partly,
}

/// The self-hosted engine at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostedEngineView {
    pub engine_vm: String,
    pub vm_status: VmStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_on: Option<String>,
    pub engine_status: EngineStatus,
    pub global_maintenance: GlobalMaintenance,
    pub hosts: Vec<HostedEngineHost>,
}

/// Why global maintenance could not be set or the engine did not come back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostedEngineError {
    #[error("{environment} has no hosted engine (its Manager is {deployment}): global maintenance applies only to self-hosted engines; nothing was changed")]
    NoHostedEngine {
        environment: String,
        deployment: Deployment,
    },
    #[error("the engine refused to turn global maintenance {}: {detail}", on_off(*enabled))]
    Refused { enabled: bool, detail: String },
    #[error("the hosted-engine hosts did not report global maintenance {} within {minutes} min; look at `hosted-engine --vm-status` on one of them", on_off(*enabled))]
    NotReported { enabled: bool, minutes: u64 },
    #[error("the engine did not come back with good health within {minutes} min; it last showed {last}. Look at `hosted-engine --vm-status` on a hosted-engine host and at the Manager VM's console")]
    NotHealthy { minutes: u64, last: String },
    #[error("the engine could not be reached: {0}")]
    Unreachable(String),
}

fn on_off(enabled: bool) -> &'static str {
    if enabled {
        "on"
    } else {
        "off"
    }
}

impl HostedEngineView {
    /// The view of `inventory`'s self-hosted engine, or why there is none.
    pub fn of(inventory: &Inventory) -> Result<HostedEngineView, HostedEngineError> {
        let no_engine = || HostedEngineError::NoHostedEngine {
            environment: if inventory.name.is_empty() {
                "this environment".to_owned()
            } else {
                format!("environment \"{}\"", inventory.name)
            },
            deployment: inventory.manager.deployment,
        };
        let vm = inventory
            .vms
            .iter()
            .find(|v| v.hosted_engine)
            .ok_or_else(no_engine)?;
        let hosts: Vec<HostedEngineHost> = inventory
            .hosts
            .iter()
            .filter_map(|h| {
                let he = h.hosted_engine.filter(|he| he.configured)?;
                Some(HostedEngineHost {
                    name: h.name.clone(),
                    address: h.address.clone(),
                    status: h.status,
                    score: he.score,
                    engine_status: EngineStatus::on_host(vm, h.id),
                    local_maintenance: he.local_maintenance,
                    global_maintenance: he.global_maintenance,
                    agent_alive: he.active,
                    running_engine: vm.host == Some(h.id),
                })
            })
            .collect();
        if hosts.is_empty() {
            return Err(no_engine());
        }
        // A host whose agent is down keeps the flag the engine last polled: only live agents
        // tell where global maintenance stands (all of them when none is alive).
        let live: Vec<&HostedEngineHost> = hosts.iter().filter(|h| h.agent_alive).collect();
        let judged: Vec<&HostedEngineHost> = if live.is_empty() {
            hosts.iter().collect()
        } else {
            live
        };
        let on = judged.iter().filter(|h| h.global_maintenance).count();
        let global_maintenance = match on {
            0 => GlobalMaintenance::Off,
            n if n == judged.len() => GlobalMaintenance::On,
            _ => GlobalMaintenance::Partly,
        };
        let running = hosts.iter().find(|h| h.running_engine);
        Ok(HostedEngineView {
            engine_vm: vm.name.clone(),
            vm_status: vm.status,
            running_on: running.map(|h| h.name.clone()),
            engine_status: running.map_or_else(
                || EngineStatus::bad("vm not running on any host", VmState::Down, "Down"),
                |h| h.engine_status.clone(),
            ),
            global_maintenance,
            hosts,
        })
    }
}

/// What turning global maintenance on or off did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlobalMaintenanceReport {
    pub enabled: bool,
    /// It was so already; nothing was asked of the engine.
    pub already: bool,
    /// Engine time from the request until the hosts (and, turning it off, the engine's
    /// health) showed it.
    pub seconds: u64,
    pub view: HostedEngineView,
}

/// Turns global maintenance on or off through the Manager VM and waits until every
/// hosted-engine host reports it; turning it off also waits for the engine's good health.
/// Gives up after `timeout` of engine time. Environments without a hosted engine are
/// refused before anything is asked.
pub async fn set_global_maintenance<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    enabled: bool,
    timeout: Duration,
    sink: &dyn EventSink,
) -> Result<GlobalMaintenanceReport, HostedEngineError> {
    let began = clock.now();
    let deadline = began.plus_millis(timeout.as_millis() as i64);
    let minutes = timeout.as_secs().div_ceil(60);
    let inventory = fetch(engine, clock, deadline, sink).await?;
    let mut view = HostedEngineView::of(&inventory)?;
    let engine_vm = inventory
        .vms
        .iter()
        .find(|v| v.hosted_engine)
        .map(|v| v.id)
        .expect("the view found it");
    let wanted = if enabled {
        GlobalMaintenance::On
    } else {
        GlobalMaintenance::Off
    };
    let already = view.global_maintenance == wanted;
    if !already {
        ask(engine, clock, engine_vm, enabled, deadline, sink).await?;
        loop {
            view = HostedEngineView::of(&fetch(engine, clock, deadline, sink).await?)?;
            if view.global_maintenance == wanted {
                break;
            }
            if clock.now() >= deadline {
                return Err(HostedEngineError::NotReported { enabled, minutes });
            }
            clock.sleep(POLL_INTERVAL).await;
        }
    }
    sink.emit(
        clock.now(),
        RunEvent::GlobalMaintenance { enabled, already },
    );
    if !enabled {
        view = wait_for_health(engine, clock, view, deadline, minutes, sink).await?;
        let seconds = seconds_since(clock, began);
        sink.emit(clock.now(), RunEvent::EngineHealthy { seconds });
    }
    Ok(GlobalMaintenanceReport {
        enabled,
        already,
        seconds: seconds_since(clock, began),
        view,
    })
}

fn seconds_since<C: Clock>(clock: &C, began: model::Timestamp) -> u64 {
    ((clock.now().0 - began.0).max(0) / 1000) as u64
}

/// The inventory, asked again while the engine is away, until `deadline`.
async fn fetch<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    deadline: model::Timestamp,
    sink: &dyn EventSink,
) -> Result<Inventory, HostedEngineError> {
    loop {
        match engine.inventory().await {
            Ok(inventory) => return Ok(inventory),
            Err(error) if error.is_transient() => {
                if clock.now() >= deadline {
                    return Err(HostedEngineError::Unreachable(error.to_string()));
                }
                sink.emit(
                    clock.now(),
                    RunEvent::Retrying {
                        call: "inventory".into(),
                        error: error.to_string(),
                    },
                );
                clock.sleep(POLL_INTERVAL).await;
            }
            Err(error) => return Err(HostedEngineError::Unreachable(error.to_string())),
        }
    }
}

/// The `maintenance` action on the Manager VM, asked again while the engine is away.
async fn ask<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    engine_vm: VmId,
    enabled: bool,
    deadline: model::Timestamp,
    sink: &dyn EventSink,
) -> Result<(), HostedEngineError> {
    loop {
        match engine
            .vm_action(engine_vm, VmAction::GlobalMaintenance { enabled })
            .await
        {
            Ok(()) => return Ok(()),
            Err(error) if error.is_transient() && clock.now() < deadline => {
                sink.emit(
                    clock.now(),
                    RunEvent::Retrying {
                        call: "global maintenance".into(),
                        error: error.to_string(),
                    },
                );
                clock.sleep(POLL_INTERVAL).await;
            }
            Err(EngineError::Refused { detail, .. }) => {
                return Err(HostedEngineError::Refused { enabled, detail })
            }
            Err(error) => return Err(HostedEngineError::Unreachable(error.to_string())),
        }
    }
}

/// Polls until the engine shows good health, telling each status it passes through. An
/// engine that does not answer is waited for: it is starting in its VM.
async fn wait_for_health<E: Engine, C: Clock>(
    engine: &E,
    clock: &C,
    mut view: HostedEngineView,
    deadline: model::Timestamp,
    minutes: u64,
    sink: &dyn EventSink,
) -> Result<HostedEngineView, HostedEngineError> {
    let mut last: Option<EngineStatus> = None;
    let mut status = view.engine_status.clone();
    loop {
        if last.as_ref() != Some(&status) {
            sink.emit(
                clock.now(),
                RunEvent::EngineStatus {
                    status: status.clone(),
                },
            );
            last = Some(status.clone());
        }
        if status.is_healthy() {
            return Ok(view);
        }
        if clock.now() >= deadline {
            return Err(HostedEngineError::NotHealthy {
                minutes,
                last: status.to_string(),
            });
        }
        clock.sleep(POLL_INTERVAL).await;
        status = match engine.inventory().await {
            Ok(inventory) => {
                view = HostedEngineView::of(&inventory)?;
                view.engine_status.clone()
            }
            Err(error) if error.is_transient() => EngineStatus::not_answering(&error.to_string()),
            Err(error) => return Err(HostedEngineError::Unreachable(error.to_string())),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_print_as_hosted_engine_prints_them() {
        let good = EngineStatus {
            reason: None,
            health: Health::Good,
            vm: VmState::Up,
            detail: "Up".into(),
        };
        assert_eq!(
            good.to_string(),
            r#"{"health": "good", "vm": "up", "detail": "Up"}"#
        );
        assert!(good.is_healthy());
        let booting = EngineStatus::bad("bad vm status", VmState::Up, "Powering up");
        assert_eq!(
            booting.to_string(),
            r#"{"reason": "bad vm status", "health": "bad", "vm": "up", "detail": "Powering up"}"#
        );
        assert!(!booting.is_healthy());
    }
}
