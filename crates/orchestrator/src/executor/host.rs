//! One host's way through a wave: its VMs migrated to their planned destinations, its pinned
//! VMs shut down, its upgrade asked for and watched until it is back.

use super::*;

impl<E: Engine, C: Clock> Executor<'_, E, C> {
    fn set_phase(&mut self, host: &HostStep, phase: HostPhase) {
        if self.phases.insert(host.host, phase) != Some(phase) {
            self.emit(RunEvent::HostPhase {
                host: host.name.clone(),
                phase,
            });
        }
    }

    fn note_status(&mut self, host: &Host) {
        if self.seen_status.insert(host.id, host.status) != Some(host.status) {
            self.emit(RunEvent::HostStatus {
                host: host.name.clone(),
                status: host.status,
            });
        }
    }

    pub(super) async fn tick_host(
        &mut self,
        step: &HostStep,
        wave: &Wave,
    ) -> Result<HostTick, Abort> {
        if self.state.finished_hosts.contains_key(&step.host) {
            return Ok(HostTick::Finished);
        }
        let engine = self.engine;
        let host = match self.call("host", engine.host(step.host)).await {
            Reply::Ok(host) => host,
            Reply::Refused(detail) => {
                self.host_failed(step, HostFailure::Refused { detail })?;
                return Ok(HostTick::Finished);
            }
            Reply::Unavailable(_) => return Ok(HostTick::Working),
        };
        self.note_status(&host);
        let upgrade = self
            .state
            .host_steps(step.host)
            .filter(|(_, s)| matches!(s.action, Action::Upgrade { .. }))
            .map(|(i, s)| (i, s.clone()))
            .last();
        if let Some((index, upgrade)) = &upgrade {
            match (&upgrade.effect, upgrade.refused()) {
                (Some(Effect::Done), _) => return self.after_upgrade(step),
                (None, Some(detail)) => {
                    let detail = detail.to_owned();
                    self.host_failed(step, HostFailure::Refused { detail })?;
                    return Ok(HostTick::Finished);
                }
                (None, None) => return self.watch_upgrade(step, &host, *index, upgrade.at),
                (Some(Effect::Failed { .. }), _) => {}
            }
        }
        if self.draining.is_some() {
            return self.release(step).await;
        }
        let evacuation = if step.migrations.is_empty() {
            Stage::Done
        } else {
            self.evacuate(step, wave).await?
        };
        match evacuation {
            Stage::InProgress => {
                self.set_phase(step, HostPhase::Evacuating);
                return Ok(HostTick::Working);
            }
            Stage::Failed(failure) => {
                self.host_failed(step, failure)?;
                return Ok(HostTick::Finished);
            }
            Stage::Done => {}
        }
        if !step.stops.is_empty() {
            match self.stop_pinned(step).await? {
                Stage::InProgress => {
                    self.set_phase(step, HostPhase::StoppingPinnedVms);
                    return Ok(HostTick::Working);
                }
                Stage::Failed(failure) => {
                    self.host_failed(step, failure)?;
                    return Ok(HostTick::Finished);
                }
                Stage::Done => {}
            }
        }
        if host.spm == SpmStatus::Spm && self.partners_still_up(step, wave) {
            // The engine hands the SPM role to a host that is up: not to one about to leave.
            return Ok(HostTick::Working);
        }
        self.start_upgrade(step, &host).await
    }

    /// Other hosts of the wave that have not yet left for their upgrade.
    fn partners_still_up(&self, step: &HostStep, wave: &Wave) -> bool {
        wave.hosts
            .iter()
            .filter(|s| {
                s.host != step.host
                    && !s.in_place
                    && !self.state.finished_hosts.contains_key(&s.host)
            })
            .any(|s| {
                let issued = self.state.host_steps(s.host).any(|(_, st)| {
                    matches!(st.action, Action::Upgrade { .. }) && st.refused().is_none()
                });
                !issued || self.seen_status.get(&s.host) == Some(&HostStatus::Up)
            })
    }

    /// Moves the host's VMs to their planned destinations, a few at a time.
    async fn evacuate(&mut self, step: &HostStep, wave: &Wave) -> Result<Stage, Abort> {
        let per_host = self.options.timing.migrations_per_host.max(1);
        let mut outgoing = 0;
        let mut incoming = self.incoming(wave);
        let mut done = true;
        let mut still_here: Option<&str> = None;
        for m in &step.migrations {
            let steps: Vec<(usize, crate::state::Step)> = self
                .state
                .vm_steps(m.vm)
                .filter(
                    |(_, s)| matches!(s.action, Action::Migrate { from, .. } if from == step.host),
                )
                .map(|(i, s)| (i, s.clone()))
                .collect();
            if steps
                .last()
                .is_some_and(|(_, s)| s.effect == Some(Effect::Done))
            {
                continue;
            }
            let engine = self.engine;
            let vm = match self.call("vm", engine.vm(m.vm)).await {
                Reply::Ok(vm) => vm,
                Reply::Refused(_) => continue,
                Reply::Unavailable(_) => {
                    done = false;
                    continue;
                }
            };
            let open = steps
                .last()
                .filter(|(_, s)| s.effect.is_none() && s.refused().is_none())
                .map(|(i, s)| (*i, s.at));
            if !vm.is_running() {
                if let Some((index, _)) = open {
                    self.observed(
                        index,
                        Effect::Failed {
                            reason: "the VM stopped".into(),
                        },
                    )?;
                }
                continue;
            }
            if vm.host != Some(step.host) {
                if let Some((index, _)) = open {
                    self.observed(index, Effect::Done)?;
                    let to = vm.host.map(|h| self.host_name(h)).unwrap_or_default();
                    self.emit(RunEvent::MigrationDone {
                        vm: m.vm_name.clone(),
                        to,
                    });
                }
                continue;
            }
            done = false;
            still_here.get_or_insert(&m.vm_name);
            match vm.status {
                VmStatus::Migrating => {
                    outgoing += 1;
                    continue;
                }
                VmStatus::Up => {}
                status if is_stuck(status) => {
                    return Ok(Stage::Failed(HostFailure::CannotEvacuate {
                        vm: m.vm_name.clone(),
                        detail: format!("it is {status}"),
                    }))
                }
                _ => continue,
            }
            if let Some((index, at)) = open {
                if self.since(at) < MIGRATION_START_GRACE_MS {
                    outgoing += 1;
                    continue;
                }
                let to = self.destination_of(m.vm, m.to);
                let reason = self
                    .migration_failure(step.host, m.vm, at)
                    .unwrap_or_else(|| "the migration failed; the VM is still on its host".into());
                self.observed(
                    index,
                    Effect::Failed {
                        reason: reason.clone(),
                    },
                )?;
                let attempt = steps.len() as u32;
                self.emit(RunEvent::MigrationFailed {
                    vm: m.vm_name.clone(),
                    to: self.host_name(to),
                    reason,
                    attempt,
                });
            }
            let failed_attempts = self
                .state
                .vm_steps(m.vm)
                .filter(|(_, s)| {
                    matches!(s.action, Action::Migrate { from, .. } if from == step.host)
                        && !s.took_effect()
                })
                .count();
            if failed_attempts >= MIGRATION_ATTEMPTS {
                let detail = steps
                    .iter()
                    .rev()
                    .find_map(|(_, s)| {
                        s.refused()
                            .map(str::to_owned)
                            .or_else(|| self.migration_failure(step.host, m.vm, s.at))
                    })
                    .unwrap_or_else(|| format!("{MIGRATION_ATTEMPTS} migrations failed"));
                return Ok(Stage::Failed(HostFailure::CannotEvacuate {
                    vm: m.vm_name.clone(),
                    detail,
                }));
            }
            let to = self.destination_of(m.vm, m.to);
            if outgoing >= per_host || incoming.get(&to).copied().unwrap_or(0) >= per_host {
                continue;
            }
            let action = Action::Migrate {
                vm: m.vm,
                vm_name: m.vm_name.clone(),
                from: step.host,
                to,
                force: m.force,
            };
            let (_, answer) = self.act(action).await?;
            match answer {
                Answer::Accepted | Answer::NoAnswer { .. } => {
                    outgoing += 1;
                    *incoming.entry(to).or_default() += 1;
                    self.emit(RunEvent::MigrationStarted {
                        vm: m.vm_name.clone(),
                        from: step.name.clone(),
                        to: self.host_name(to),
                    });
                }
                Answer::Refused { detail } => {
                    self.emit(RunEvent::MigrationFailed {
                        vm: m.vm_name.clone(),
                        to: self.host_name(to),
                        reason: detail.clone(),
                        attempt: (failed_attempts + 1) as u32,
                    });
                    if !self.retarget(m.vm, wave, &detail).await? {
                        return Ok(Stage::Failed(HostFailure::CannotEvacuate {
                            vm: m.vm_name.clone(),
                            detail,
                        }));
                    }
                }
            }
        }
        if let (Some(vm), Some(since)) = (still_here, self.state.wave_at) {
            let minutes = self.options.host_timeout_minutes;
            if self.since(since) > i64::from(minutes) * 60_000 {
                let detail = format!("the host was not emptied within {minutes} minutes");
                return Ok(Stage::Failed(HostFailure::CannotEvacuate {
                    vm: vm.to_owned(),
                    detail,
                }));
            }
        }
        Ok(if done { Stage::Done } else { Stage::InProgress })
    }

    fn destination_of(&self, vm: VmId, planned: HostId) -> HostId {
        self.state.retargets.get(&vm).copied().unwrap_or(planned)
    }

    /// Migrations under way into each host, from the journal (those of hosts still working).
    fn incoming(&self, wave: &Wave) -> HashMap<HostId, usize> {
        let mut incoming = HashMap::new();
        let working = wave
            .hosts
            .iter()
            .filter(|s| !self.state.finished_hosts.contains_key(&s.host));
        for m in working.flat_map(|s| &s.migrations) {
            let open = self
                .state
                .vm_steps(m.vm)
                .last()
                .filter(|(_, s)| s.effect.is_none() && s.refused().is_none());
            if let Some((_, step)) = open {
                if let Action::Migrate { to, .. } = step.action {
                    *incoming.entry(to).or_default() += 1;
                }
            }
        }
        incoming
    }

    /// Finds another destination after the engine refused one; false when there is none.
    async fn retarget(&mut self, vm: VmId, wave: &Wave, reason: &str) -> Result<bool, Abort> {
        let Reply::Ok(inventory) = self.inventory().await else {
            return Ok(true);
        };
        let mut excluded: BTreeSet<HostId> = wave.hosts.iter().map(|s| s.host).collect();
        excluded.extend(
            self.state
                .finished_hosts
                .iter()
                .filter(|(_, (_, r))| matches!(r, HostResult::Failed { .. }))
                .map(|(h, _)| *h),
        );
        let progress = self.progress();
        let later: BTreeSet<HostId> = progress
            .remaining
            .iter()
            .copied()
            .filter(|h| !excluded.contains(h))
            .collect();
        let Some(to) = planner::destination(
            &inventory,
            self.cluster,
            vm,
            &excluded,
            &progress.upgraded,
            &later,
        ) else {
            return Ok(false);
        };
        self.record(Record::Retargeted {
            vm,
            to,
            reason: reason.to_owned(),
        })?;
        Ok(true)
    }

    /// Shuts the host's pinned VMs down, gracefully first.
    async fn stop_pinned(&mut self, step: &HostStep) -> Result<Stage, Abort> {
        let mut done = true;
        for pinned in &step.stops {
            let engine = self.engine;
            let vm = match self.call("vm", engine.vm(pinned.vm)).await {
                Reply::Ok(vm) => vm,
                Reply::Refused(_) => continue,
                Reply::Unavailable(_) => {
                    done = false;
                    continue;
                }
            };
            let stops: Vec<(usize, crate::state::Step)> = self
                .state
                .vm_steps(pinned.vm)
                .filter(|(_, s)| {
                    matches!(s.action, Action::Shutdown { .. } | Action::PowerOff { .. })
                })
                .map(|(i, s)| (i, s.clone()))
                .collect();
            let open: Vec<usize> = stops
                .iter()
                .filter(|(_, s)| s.effect.is_none())
                .map(|(i, _)| *i)
                .collect();
            if !vm.is_running() || vm.host != Some(step.host) {
                if !open.is_empty() {
                    for index in open {
                        self.observed(index, Effect::Done)?;
                    }
                    self.emit(RunEvent::VmStopped {
                        vm: pinned.name.clone(),
                    });
                }
                continue;
            }
            done = false;
            let accepted = |kind: fn(&Action) -> bool| {
                stops
                    .iter()
                    .filter(|(_, s)| kind(&s.action) && s.refused().is_none())
                    .map(|(_, s)| s.at)
                    .next_back()
            };
            let shutdown = accepted(|a| matches!(a, Action::Shutdown { .. }));
            let power_off = accepted(|a| matches!(a, Action::PowerOff { .. }));
            let refusals = stops.iter().filter(|(_, s)| s.refused().is_some()).count();
            if refusals >= STOP_ATTEMPTS {
                let detail = stops
                    .iter()
                    .rev()
                    .find_map(|(_, s)| s.refused().map(str::to_owned))
                    .unwrap_or_default();
                return Ok(Stage::Failed(HostFailure::CannotStopVm {
                    vm: pinned.name.clone(),
                    detail,
                }));
            }
            let action = match (shutdown, power_off) {
                (_, Some(at)) if self.since(at) >= POWER_OFF_TIMEOUT_MS => {
                    return Ok(Stage::Failed(HostFailure::CannotStopVm {
                        vm: pinned.name.clone(),
                        detail: "still running after a power-off".into(),
                    }))
                }
                (_, Some(_)) => continue,
                (Some(at), None) if self.since(at) >= SHUTDOWN_TIMEOUT_MS => Action::PowerOff {
                    vm: pinned.vm,
                    vm_name: pinned.name.clone(),
                    host: step.host,
                },
                (Some(_), None) => continue,
                (None, _) if vm.status != VmStatus::Up => continue,
                (None, _) => Action::Shutdown {
                    vm: pinned.vm,
                    vm_name: pinned.name.clone(),
                    host: step.host,
                },
            };
            let forced = matches!(action, Action::PowerOff { .. });
            let (_, answer) = self.act(action).await?;
            if !matches!(answer, Answer::Refused { .. }) {
                self.emit(RunEvent::VmStopping {
                    vm: pinned.name.clone(),
                    host: step.name.clone(),
                    forced,
                });
            }
        }
        Ok(if done { Stage::Done } else { Stage::InProgress })
    }

    async fn start_upgrade(&mut self, step: &HostStep, host: &Host) -> Result<HostTick, Abort> {
        let attempts = self
            .state
            .host_steps(step.host)
            .filter(|(_, s)| matches!(s.action, Action::Upgrade { .. }))
            .count();
        if attempts >= UPGRADE_ATTEMPTS {
            let detail = "the engine accepted the upgrade but the host never started it".to_owned();
            self.host_failed(step, HostFailure::Refused { detail })?;
            return Ok(HostTick::Finished);
        }
        if !matches!(host.status, HostStatus::Up | HostStatus::Maintenance)
            && host.status != step.found()
        {
            let since = self.state.wave_at.unwrap_or_else(|| self.now());
            if self.since(since) > i64::from(self.options.host_timeout_minutes) * 60_000 {
                self.host_failed(
                    step,
                    HostFailure::BadState {
                        status: host.status,
                        reason: self.engine_reason(step.host, since, &[CLUSTER_LEVEL_UNSUPPORTED]),
                    },
                )?;
                return Ok(HostTick::Finished);
            }
            return Ok(HostTick::Working);
        }
        if !host.update_available {
            self.record(Record::HostFinished {
                host: step.host,
                name: step.name.clone(),
                result: HostResult::Current,
            })?;
            return Ok(HostTick::Finished);
        }
        self.set_phase(step, HostPhase::Upgrading);
        self.upgrade_seen.remove(&step.host);
        let (_, answer) = self
            .act(Action::Upgrade {
                host: step.host,
                reboot: self.options.reboot,
            })
            .await?;
        if let Answer::Refused { detail } = answer {
            self.host_failed(step, HostFailure::Refused { detail })?;
            return Ok(HostTick::Finished);
        }
        Ok(HostTick::Working)
    }

    /// Waits for an upgrade the engine accepted (or may have) to end.
    fn watch_upgrade(
        &mut self,
        step: &HostStep,
        host: &Host,
        index: usize,
        at: Timestamp,
    ) -> Result<HostTick, Abort> {
        let return_to = step.ends();
        let seen = self.upgrade_seen.contains(&step.host);
        if host.status == return_to && !host.update_available {
            self.observed(index, Effect::Done)?;
            return self.after_upgrade(step);
        }
        let failure = match host.status {
            // Found install_failed: it stays so until the engine starts installing it again.
            HostStatus::InstallFailed if step.found() == HostStatus::InstallFailed && !seen => None,
            HostStatus::InstallFailed => Some(HostFailure::InstallFailed),
            HostStatus::Error | HostStatus::NonOperational => Some(HostFailure::BadState {
                status: host.status,
                reason: self.engine_reason(step.host, at, &[CLUSTER_LEVEL_UNSUPPORTED]),
            }),
            _ => None,
        };
        if let Some(failure) = failure {
            self.observed(
                index,
                Effect::Failed {
                    reason: failure.to_string(),
                },
            )?;
            self.host_failed(step, failure)?;
            return Ok(HostTick::Finished);
        }
        if host.status == return_to || host.status == step.found() {
            if self
                .engine_reason(step.host, at, &[UPGRADE_FAILED])
                .is_some()
            {
                // 841 with the host back where it was: the engine answered the upgrade, then
                // could not take the host to maintenance (17 says so first).
                let detail = self
                    .engine_reason(
                        step.host,
                        at,
                        &[
                            MAINTENANCE_FAILED,
                            MAINTENANCE_MIGRATION_FAILED,
                            MIGRATION_TO_HOST_FAILED,
                            UPGRADE_FAILED,
                        ],
                    )
                    .unwrap_or_default();
                let failure = HostFailure::Abandoned { detail };
                self.observed(
                    index,
                    Effect::Failed {
                        reason: failure.to_string(),
                    },
                )?;
                self.host_failed(step, failure)?;
                return Ok(HostTick::Finished);
            }
            if !seen && self.since(at) >= UPGRADE_START_GRACE_MS {
                self.observed(
                    index,
                    Effect::Failed {
                        reason: "the upgrade did not start".into(),
                    },
                )?;
            }
            return Ok(HostTick::Working);
        }
        self.upgrade_seen.insert(step.host);
        let minutes = self.options.host_timeout_minutes;
        if self.since(at) > i64::from(minutes) * 60_000 {
            let failure = HostFailure::TimedOut {
                status: host.status,
                minutes,
            };
            self.observed(
                index,
                Effect::Failed {
                    reason: failure.to_string(),
                },
            )?;
            self.host_failed(step, failure)?;
            return Ok(HostTick::Finished);
        }
        Ok(HostTick::Working)
    }

    /// The host is upgraded; it is finished once its pinned VMs were started again.
    fn after_upgrade(&mut self, step: &HostStep) -> Result<HostTick, Abort> {
        let waiting = self
            .state
            .stopped_vms()
            .into_iter()
            .any(|s| s.host == step.host && self.restart_due(&s));
        if waiting {
            self.set_phase(step, HostPhase::StartingPinnedVms);
            return Ok(HostTick::Working);
        }
        let began = self.host_began(step.host).unwrap_or_else(|| self.now());
        let seconds = (self.since(began) / 1000).max(0) as u64;
        self.record(Record::HostFinished {
            host: step.host,
            name: step.name.clone(),
            result: HostResult::Upgraded { seconds },
        })?;
        self.emit(RunEvent::HostUpgraded {
            host: step.name.clone(),
            seconds,
        });
        Ok(HostTick::Finished)
    }

    /// When the run first acted on `host` (a migration off it, a stop on it, its upgrade).
    fn host_began(&self, host: HostId) -> Option<Timestamp> {
        self.state
            .steps
            .iter()
            .filter(|s| match &s.action {
                Action::Migrate { from, .. } => *from == host,
                Action::Shutdown { host: h, .. }
                | Action::PowerOff { host: h, .. }
                | Action::Upgrade { host: h, .. } => *h == host,
                _ => false,
            })
            .map(|s| s.at)
            .next()
    }

    /// The run stops: the host is left up (its pinned VMs start again) once no migration of
    /// its VMs is under way.
    async fn release(&mut self, step: &HostStep) -> Result<HostTick, Abort> {
        for m in &step.migrations {
            let open = self
                .state
                .vm_steps(m.vm)
                .last()
                .filter(|(_, s)| {
                    s.effect.is_none()
                        && s.refused().is_none()
                        && matches!(s.action, Action::Migrate { .. })
                })
                .map(|(i, _)| i);
            let Some(index) = open else { continue };
            let engine = self.engine;
            match self.call("vm", engine.vm(m.vm)).await {
                Reply::Ok(vm) if vm.status == VmStatus::Migrating => return Ok(HostTick::Working),
                Reply::Ok(vm) => {
                    let effect = if vm.host != Some(step.host) && vm.is_running() {
                        Effect::Done
                    } else {
                        Effect::Failed {
                            reason: "the run stopped".into(),
                        }
                    };
                    self.observed(index, effect)?;
                }
                Reply::Refused(_) => {}
                Reply::Unavailable(_) => return Ok(HostTick::Working),
            }
        }
        Ok(HostTick::Released)
    }

    fn host_failed(&mut self, step: &HostStep, failure: HostFailure) -> Result<(), Abort> {
        self.record(Record::HostFinished {
            host: step.host,
            name: step.name.clone(),
            result: HostResult::Failed {
                failure: failure.clone(),
            },
        })?;
        self.emit(RunEvent::HostFailed {
            host: step.name.clone(),
            failure,
        });
        Ok(())
    }
}
