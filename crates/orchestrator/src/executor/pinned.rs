//! Pinned VMs back: started again as soon as their own host is done, with the original
//! scheduling policy put back for the moment their start takes.

use super::*;

impl<E: Engine, C: Clock> Executor<'_, E, C> {
    /// Whether the run should start `vm` again now: it stopped it, has not started it, and
    /// its host is done with (upgraded, failed or released) and up.
    pub(super) fn restart_due(&self, stopped: &StoppedVm) -> bool {
        if self
            .state
            .restarted(stopped.vm, stopped.first_step)
            .is_some()
        {
            return false;
        }
        let starts = self
            .state
            .vm_steps(stopped.vm)
            .filter(|(i, s)| *i > stopped.first_step && matches!(s.action, Action::Start { .. }))
            .count();
        if starts >= START_ATTEMPTS {
            return false;
        }
        let home_up = self.seen_status.get(&stopped.host) == Some(&HostStatus::Up);
        home_up && !self.host_busy(stopped.host)
    }

    /// The host is still being emptied or upgraded.
    fn host_busy(&self, host: HostId) -> bool {
        if self.state.finished_hosts.contains_key(&host) || self.draining.is_some() {
            return false;
        }
        let upgraded = self.state.host_steps(host).any(|(_, s)| {
            matches!(s.action, Action::Upgrade { .. }) && s.effect == Some(Effect::Done)
        });
        !upgraded
            && self
                .current_wave()
                .is_some_and(|w| w.hosts.iter().any(|s| s.host == host))
    }

    pub(super) fn restarts_pending(&self) -> bool {
        self.state.stopped_vms().iter().any(|s| self.restart_due(s))
    }

    /// Starts the pinned VMs whose hosts are back, opening the original policy for the moment
    /// it takes when `cluster_maintenance` would refuse them.
    pub(super) async fn start_stopped_vms(&mut self) -> Result<(), Abort> {
        let due: Vec<StoppedVm> = self
            .state
            .stopped_vms()
            .into_iter()
            .filter(|s| self.restart_due(s))
            .collect();
        let mut to_start: Vec<(StoppedVm, bool)> = Vec::new();
        for stopped in due {
            let engine = self.engine;
            let vm = match self.call("vm", engine.vm(stopped.vm)).await {
                Reply::Ok(vm) => vm,
                _ => continue,
            };
            let open = self
                .state
                .vm_steps(stopped.vm)
                .filter(|(i, s)| {
                    *i > stopped.first_step && matches!(s.action, Action::Start { .. })
                })
                .last()
                .filter(|(_, s)| s.effect.is_none() && s.refused().is_none())
                .map(|(i, s)| (i, s.at));
            if vm.is_running() && vm.status != VmStatus::PoweringDown {
                if let Some((index, _)) = open {
                    self.observed(index, Effect::Done)?;
                    self.emit(RunEvent::VmStarted {
                        vm: stopped.name.clone(),
                    });
                } else {
                    // Started by someone else: nothing left to do but to note it.
                    let step = self.state.next_step() as usize;
                    self.record(Record::Intent {
                        step: step as u64,
                        action: Action::Start {
                            vm: stopped.vm,
                            vm_name: stopped.name.clone(),
                        },
                    })?;
                    self.record(Record::Observed {
                        step: step as u64,
                        effect: Effect::Done,
                    })?;
                }
                continue;
            }
            if let Some((index, at)) = open {
                if self.since(at) < START_GRACE_MS {
                    continue;
                }
                self.observed(
                    index,
                    Effect::Failed {
                        reason: "the VM did not start".into(),
                    },
                )?;
            }
            if vm.status == VmStatus::Down {
                to_start.push((stopped, vm.high_availability));
            }
        }
        let window_open = self
            .state
            .policy_set()
            .is_some_and(|(_, r)| r == PolicyReason::PinnedVmsStart);
        let original = self.state.original_policy();
        let in_maintenance = self.state.policy_set().is_some_and(|(p, r)| {
            p == SchedulingPolicy::ClusterMaintenance && r != PolicyReason::RunEnds
        });
        let needs_window = to_start.iter().any(|(_, ha)| !ha) && in_maintenance;
        if needs_window {
            if let Some(original) = original {
                let action = Action::SetPolicy {
                    from: SchedulingPolicy::ClusterMaintenance,
                    to: original,
                    reason: PolicyReason::PinnedVmsStart,
                };
                if self
                    .cluster_step(action, POLL_INTERVAL.as_millis() as i64)
                    .await?
                    .is_ok()
                {
                    self.emit(RunEvent::PolicySwitched {
                        from: SchedulingPolicy::ClusterMaintenance,
                        to: original,
                        reason: PolicyReason::PinnedVmsStart,
                    });
                }
            }
        }
        for (stopped, _) in to_start {
            let (_, answer) = self
                .act(Action::Start {
                    vm: stopped.vm,
                    vm_name: stopped.name.clone(),
                })
                .await?;
            if let Answer::Refused { detail } = answer {
                self.emit(RunEvent::VmStartFailed {
                    vm: stopped.name.clone(),
                    reason: detail,
                });
            }
        }
        let opened = self
            .state
            .policy_set()
            .is_some_and(|(_, r)| r == PolicyReason::PinnedVmsStart);
        if (needs_window || window_open) && opened {
            let from = original.unwrap_or(SchedulingPolicy::None);
            let action = Action::SetPolicy {
                from,
                to: SchedulingPolicy::ClusterMaintenance,
                reason: PolicyReason::PinnedVmsStarted,
            };
            if self
                .cluster_step(action, UNREACHABLE_LIMIT_MS)
                .await?
                .is_ok()
            {
                self.emit(RunEvent::PolicySwitched {
                    from,
                    to: SchedulingPolicy::ClusterMaintenance,
                    reason: PolicyReason::PinnedVmsStarted,
                });
            }
        }
        Ok(())
    }
}
