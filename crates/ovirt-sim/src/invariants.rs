//! The simulator's record of everything that changed, and the checks every run must pass:
//! no VM lost or duplicated, no VM down unless someone stopped it, highly available VMs
//! running, no host over its memory, only transitions the engine makes, no VM left on a
//! host the engine removed. A VM whose storage domain left the engine's records is not lost
//! while that storage holds it, only unregistered; wiped with it, it is lost.

use std::collections::{HashMap, HashSet};
use std::fmt;

use model::{HostId, HostStatus, Inventory, Timestamp, VmId, VmStatus};

use crate::placement::VM_OVERHEAD;

/// One change of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Host {
        host: HostId,
        from: HostStatus,
        to: HostStatus,
    },
    /// A host record added to the engine (it starts `installing`).
    HostAdded { host: HostId, name: String },
    /// A host record removed from the engine; its machine stays.
    HostRemoved { host: HostId, name: String },
    Vm {
        vm: VmId,
        from: VmStatus,
        to: VmStatus,
        from_host: Option<HostId>,
        to_host: Option<HostId>,
    },
}

/// A broken invariant, with when it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub at: Timestamp,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

#[derive(Debug, Clone)]
pub struct History {
    pub transitions: Vec<(Timestamp, Transition)>,
    initially_running: HashSet<VmId>,
    explicit_stops: HashSet<VmId>,
    violations: Vec<Violation>,
    /// VMs out of the engine's records with their domain, by name, and where their storage is.
    unregistered: HashMap<VmId, (String, String)>,
    /// VMs whose storage was wiped, already reported.
    wiped: HashSet<VmId>,
}

fn legal_host_transition(from: HostStatus, to: HostStatus) -> bool {
    use HostStatus::*;
    matches!(
        (from, to),
        (
            Up | NonOperational | InstallFailed | Error | NonResponsive | Down,
            PreparingForMaintenance
        ) | (PreparingForMaintenance, Maintenance | Unassigned)
            | (NonResponsive | Down, Maintenance)
            // A new host back from the reboot after its deployment.
            | (NonResponsive, Initializing)
            | (Maintenance, Installing | Unassigned)
            | (
                Installing,
                Reboot | InstallFailed | Initializing | Maintenance
            )
            | (Reboot, Maintenance | NonResponsive)
            | (
                NonResponsive | Initializing | Unassigned,
                Up | NonOperational
            )
            | (NonOperational | Error | InstallFailed, Unassigned)
    )
}

fn legal_vm_transition(from: VmStatus, to: VmStatus) -> bool {
    use VmStatus::*;
    let running = !matches!(from, Down | Unassigned);
    matches!(
        (from, to),
        (Up | PoweringUp | Paused | RebootInProgress, Migrating)
            | (Up, RebootInProgress)
            | (Migrating, Up)
            | (PoweringDown, Down)
            | (Down, WaitForLaunch)
            | (WaitForLaunch | RebootInProgress | PoweringUp, Up)
            | (WaitForLaunch, PoweringUp)
            // A guest that fails to boot (the start-fail fault).
            | (WaitForLaunch | RebootInProgress, Down)
    ) || (running && to == PoweringDown)
}

impl History {
    pub fn new(inventory: &Inventory, _start: Timestamp) -> History {
        History {
            transitions: Vec::new(),
            initially_running: inventory
                .vms
                .iter()
                .filter(|v| v.is_running())
                .map(|v| v.id)
                .collect(),
            explicit_stops: HashSet::new(),
            violations: Vec::new(),
            unregistered: HashMap::new(),
            wiped: HashSet::new(),
        }
    }

    pub(crate) fn record(&mut self, at: Timestamp, transition: Transition) {
        let legal = match &transition {
            Transition::Host { from, to, .. } => legal_host_transition(*from, *to),
            Transition::Vm { from, to, .. } => from == to || legal_vm_transition(*from, *to),
            Transition::HostAdded { .. } | Transition::HostRemoved { .. } => true,
        };
        if !legal {
            self.violations.push(Violation {
                at,
                message: format!("illegal transition {transition:?}"),
            });
        }
        if let Transition::Vm {
            vm,
            to: VmStatus::Down,
            ..
        } = &transition
        {
            if !self.explicit_stops.contains(vm) {
                self.violations.push(Violation {
                    at,
                    message: format!("VM {vm} went down without being stopped"),
                });
            }
        }
        self.transitions.push((at, transition));
    }

    pub(crate) fn host_added(&mut self, at: Timestamp, host: HostId, name: &str) {
        self.record(
            at,
            Transition::HostAdded {
                host,
                name: name.to_owned(),
            },
        );
    }

    /// A host leaves the engine; `running` VMs still on it would be lost with it.
    pub(crate) fn host_removed(&mut self, at: Timestamp, host: HostId, name: &str, running: usize) {
        if running > 0 {
            self.violations.push(Violation {
                at,
                message: format!("host {name} was removed with {running} VMs running on it"),
            });
        }
        self.record(
            at,
            Transition::HostRemoved {
                host,
                name: name.to_owned(),
            },
        );
    }

    /// A VM left the engine's records with its storage domain; `storage` says where it stays.
    pub(crate) fn vm_unregistered(&mut self, vm: VmId, name: &str, storage: String) {
        self.unregistered.insert(vm, (name.to_owned(), storage));
    }

    /// A VM registered again from its domain's configuration.
    pub(crate) fn vm_registered(&mut self, vm: VmId) {
        self.unregistered.remove(&vm);
    }

    /// The storage holding an unregistered VM was wiped: whether it ran or not, it is gone.
    pub(crate) fn vm_wiped(&mut self, at: Timestamp, vm: VmId) {
        if let Some((name, storage)) = self.unregistered.remove(&vm) {
            self.wiped.insert(vm);
            self.violations.push(Violation {
                at,
                message: format!("VM {name} is lost: {storage} was wiped before it was imported"),
            });
        }
    }

    pub(crate) fn explicit_stop(&mut self, vm: VmId) {
        self.explicit_stops.insert(vm);
    }

    pub(crate) fn check_memory(&mut self, at: Timestamp, host: &model::Host, used: u64) {
        if used > host.memory {
            self.violations.push(Violation {
                at,
                message: format!(
                    "host {} holds {} MiB of VMs in {} MiB of memory",
                    host.name,
                    used >> 20,
                    host.memory >> 20
                ),
            });
        }
    }

    /// Every violation over the whole run, ending in `state`.
    pub fn check(&self, state: &Inventory, now: Timestamp) -> Vec<Violation> {
        let mut violations = self.violations.clone();
        let mut seen = HashSet::new();
        for vm in &state.vms {
            if !seen.insert(vm.id) {
                violations.push(Violation {
                    at: now,
                    message: format!("VM {} appears twice", vm.name),
                });
            }
            let stopped = self.explicit_stops.contains(&vm.id);
            if self.initially_running.contains(&vm.id) && !vm.is_running() && !stopped {
                violations.push(Violation {
                    at: now,
                    message: format!("VM {} was running and is now {}", vm.name, vm.status),
                });
            }
            if vm.high_availability
                && !vm.is_running()
                && !stopped
                && self.initially_running.contains(&vm.id)
            {
                violations.push(Violation {
                    at: now,
                    message: format!("highly available VM {} is not running", vm.name),
                });
            }
            let host = vm.host.map(|h| (h, state.hosts.iter().find(|x| x.id == h)));
            if let (Some((id, None)), true) = (host, vm.is_running()) {
                violations.push(Violation {
                    at: now,
                    message: format!(
                        "VM {} runs on host {id}, which the engine no longer has",
                        vm.name
                    ),
                });
            }
            if let Some((_, Some(host))) = host {
                if vm.is_running()
                    && !matches!(
                        host.status,
                        HostStatus::Up | HostStatus::PreparingForMaintenance
                    )
                {
                    violations.push(Violation {
                        at: now,
                        message: format!(
                            "VM {} runs on host {}, which is {}",
                            vm.name, host.name, host.status
                        ),
                    });
                }
            }
        }
        for id in &self.initially_running {
            if seen.contains(id) || self.wiped.contains(id) {
                continue;
            }
            let message = match self.unregistered.get(id) {
                Some((name, storage)) => format!(
                    "VM {name} is not in the engine: its domain was taken out of the records and it was not registered again (it stays in {storage})"
                ),
                None => format!("VM {id} is lost"),
            };
            violations.push(Violation { at: now, message });
        }
        for host in &state.hosts {
            let used: u64 = state
                .vms
                .iter()
                .filter(|v| v.host == Some(host.id) && v.is_running())
                .map(|v| v.memory + VM_OVERHEAD)
                .sum();
            if used > host.memory {
                violations.push(Violation {
                    at: now,
                    message: format!("host {} ends over its memory", host.name),
                });
            }
        }
        violations
    }
}
