//! Progress measured and passed on, the engine's events relayed, and the end of every run:
//! the cluster put back and the summary made.

use super::*;

impl<E: Engine, C: Clock> Executor<'_, E, C> {
    /// The measured share of the work done: finished hosts whole, the others by how far
    /// their VMs moved and how far the engine says their upgrade is.
    fn measured_percent(&self) -> u8 {
        let mut total = 0u64;
        let mut done = 0f64;
        let upgrade_weight = if self.options.reboot {
            self.options.timing.host_upgrade_seconds
        } else {
            self.options.timing.host_upgrade_no_reboot_seconds
        };
        let plan_steps: HashMap<HostId, &HostStep> =
            self.plan().steps().map(|s| (s.host, s)).collect();
        for (&host, &weight) in &self.state.weights {
            let weight = weight.max(1);
            if self.state.finished_hosts.contains_key(&host) {
                total += weight;
                done += weight as f64;
                continue;
            }
            let Some(step) = plan_steps.get(&host) else {
                continue;
            };
            total += weight;
            let upgrade = upgrade_weight.min(weight);
            let evacuation = weight - upgrade;
            let moved = step
                .migrations
                .iter()
                .filter(|m| {
                    self.state.vm_steps(m.vm).any(|(_, s)| {
                        s.effect == Some(Effect::Done)
                            && matches!(s.action, Action::Migrate { from, .. } if from == host)
                    })
                })
                .count();
            let moved_share = if step.migrations.is_empty() {
                0.0
            } else {
                moved as f64 / step.migrations.len() as f64
            };
            let upgrading = self
                .state
                .host_steps(host)
                .any(|(_, s)| matches!(s.action, Action::Upgrade { .. }) && s.refused().is_none());
            let upgrade_share = if !upgrading {
                0.0
            } else {
                match self.seen_status.get(&host) {
                    Some(HostStatus::PreparingForMaintenance) => 0.05,
                    Some(HostStatus::Maintenance) => 0.1,
                    Some(HostStatus::Installing) => 0.3,
                    Some(HostStatus::Reboot) => 0.7,
                    Some(
                        HostStatus::NonResponsive
                        | HostStatus::Connecting
                        | HostStatus::Initializing
                        | HostStatus::Unassigned,
                    ) => 0.85,
                    _ => 0.0,
                }
            };
            done += evacuation as f64 * if upgrading { 1.0 } else { moved_share }
                + upgrade as f64 * upgrade_share;
        }
        if total == 0 {
            return 0;
        }
        ((done / total as f64) * 100.0).floor().clamp(0.0, 100.0) as u8
    }

    pub(super) async fn report_progress(&mut self) -> Result<(), Abort> {
        let measured = self.measured_percent().max(self.percent).min(100);
        if measured > self.percent {
            self.percent = measured;
            self.emit(RunEvent::Progress { percent: measured });
        }
        if !self.flag_visible() {
            if measured / PROGRESS_STEP > self.state.progress_recorded / PROGRESS_STEP {
                self.record(Record::Progress { percent: measured })?;
            }
            return Ok(());
        }
        let sent = self.state.progress_sent();
        if self.state.flag_running() && measured / PROGRESS_STEP > sent / PROGRESS_STEP {
            let (step, answer) = self
                .act(Action::UpdateProgress { percent: measured })
                .await?;
            if let Answer::NoAnswer { .. } = answer {
                // Harmless to lose: the next update carries a newer value.
                self.observed(
                    step,
                    Effect::Failed {
                        reason: "no answer".into(),
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Passes on the engine's own events about the cluster.
    pub(super) async fn relay_events(&mut self) {
        let Some(after) = self.last_event else { return };
        let engine = self.engine;
        let Reply::Ok(mut events) = self.call("events", engine.events(Some(after))).await else {
            return;
        };
        events.sort_by_key(|e| e.id);
        for event in events {
            self.last_event = Some(self.last_event.map_or(event.id, |l| l.max(event.id)));
            if let Some(host) = event.host.filter(|_| HOST_TROUBLE.contains(&event.code)) {
                self.host_trouble.entry(host).or_default().push(Trouble {
                    at: event.time,
                    code: event.code,
                    vm: event.vm,
                    text: event.description.clone(),
                });
            }
            let ours = event.cluster == Some(self.cluster)
                || event.host.is_some_and(|h| self.host_names.contains_key(&h))
                || event.vm.is_some_and(|v| self.cluster_vms.contains(&v));
            if ours {
                self.emit(RunEvent::EngineEvent {
                    id: event.id,
                    code: event.code,
                    severity: event.severity,
                    description: event.description,
                    correlation_id: event.correlation_id,
                });
            }
        }
    }

    /// Puts the cluster back whatever happened: the policy, the pinned VMs, the flag.
    pub(super) async fn finish(mut self, outcome: Outcome) -> Result<Summary, Abort> {
        let mut put_back = true;
        if let (Some(original), true) = (self.state.original_policy(), self.state.policy_switched())
        {
            let from = self
                .state
                .policy_set()
                .map_or(SchedulingPolicy::ClusterMaintenance, |(p, _)| p);
            let action = Action::SetPolicy {
                from,
                to: original,
                reason: PolicyReason::RunEnds,
            };
            match self.cluster_step(action, RESTORE_PATIENCE_MS).await? {
                Ok(()) => self.emit(RunEvent::PolicySwitched {
                    from,
                    to: original,
                    reason: PolicyReason::RunEnds,
                }),
                Err(detail) => {
                    put_back = false;
                    self.emit(RunEvent::Retrying {
                        call: "restore the scheduling policy".into(),
                        error: detail,
                    });
                }
            }
        }
        if put_back {
            self.start_remaining_vms().await?;
        }
        if matches!(outcome, Outcome::Completed) && self.flag_visible() && self.state.flag_running()
        {
            let (step, answer) = self.act(Action::UpdateProgress { percent: 100 }).await?;
            if matches!(answer, Answer::NoAnswer { .. }) {
                self.observed(
                    step,
                    Effect::Failed {
                        reason: "no answer".into(),
                    },
                )?;
            }
            if self.percent < 100 {
                self.percent = 100;
                self.emit(RunEvent::Progress { percent: 100 });
            }
        }
        if self.state.flag_running()
            && self
                .cluster_step(Action::FinishUpgradeFlag, RESTORE_PATIENCE_MS)
                .await?
                .is_err()
        {
            put_back = false;
        }
        self.settle_migrations().await?;
        let summary = self.summary(outcome).await;
        // A stopped or cut-off run stays open for `resume`; the others are over.
        let over = put_back
            && !matches!(
                summary.outcome,
                Outcome::Stopped | Outcome::EngineUnreachable { .. }
            );
        if over {
            self.record(Record::Finished {
                summary: summary.clone(),
            })?;
        } else if !put_back {
            self.record(Record::Stopping {
                reason: "the cluster could not be put back; `ovirt-upgrade resume` finishes it"
                    .into(),
            })?;
        }
        self.emit(RunEvent::RunFinished {
            summary: summary.clone(),
        });
        Ok(summary)
    }

    /// Records how the migrations still open ended (those of hosts that failed meanwhile),
    /// so the summary counts what happened.
    async fn settle_migrations(&mut self) -> Result<(), Abort> {
        let open: Vec<(usize, VmId, HostId)> = self
            .state
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect.is_none() && s.refused().is_none())
            .filter_map(|(i, s)| match s.action {
                Action::Migrate { vm, from, .. } => Some((i, vm, from)),
                _ => None,
            })
            .collect();
        for (index, vm, from) in open {
            let engine = self.engine;
            if let Reply::Ok(vm) = self.call("vm", engine.vm(vm)).await {
                if vm.status == VmStatus::Migrating {
                    continue;
                }
                let effect = if vm.is_running() && vm.host != Some(from) {
                    Effect::Done
                } else {
                    Effect::Failed {
                        reason: "the VM stayed where it was".into(),
                    }
                };
                self.observed(index, effect)?;
            }
        }
        Ok(())
    }

    /// After the policy is back, starts every pinned VM still down whose host is up.
    async fn start_remaining_vms(&mut self) -> Result<(), Abort> {
        let began = self.now();
        loop {
            if let Reply::Ok(inventory) = self.inventory().await {
                for host in inventory.hosts.iter().filter(|h| h.cluster == self.cluster) {
                    self.seen_status.insert(host.id, host.status);
                }
            }
            if !self.restarts_pending()
                || self.since(began) > START_GRACE_MS * START_ATTEMPTS as i64
                || self.unreachable().is_some()
            {
                return Ok(());
            }
            self.start_stopped_vms().await?;
            if !self.restarts_pending() {
                return Ok(());
            }
            self.clock.sleep(POLL_INTERVAL).await;
        }
    }

    /// Without a journal the run cannot go on; it still tries to put the cluster back.
    pub(super) async fn emergency_restore(&mut self) {
        let engine = self.engine;
        if let (Some(original), true) = (self.state.original_policy(), self.state.policy_switched())
        {
            let update = ClusterUpdate {
                version: None,
                scheduling_policy: Some(original),
            };
            let _ = engine.update_cluster(self.cluster, update).await;
        }
        if self.state.flag_running() {
            let _ = engine
                .cluster_upgrade(self.cluster, ClusterUpgrade::Finish)
                .await;
        }
    }

    async fn summary(&mut self, outcome: Outcome) -> Summary {
        let live = match self.inventory().await {
            Reply::Ok(inventory) => Some(inventory),
            _ => None,
        };
        let first = self.state.first_plan.clone().expect("a run has a plan");
        let mut upgraded = Vec::new();
        let mut failed = Vec::new();
        let mut skipped: Vec<SkippedHostReport> = Vec::new();
        for (name, result) in self
            .state
            .finish_order
            .iter()
            .filter_map(|h| self.state.finished_hosts.get(h))
        {
            match result {
                HostResult::Upgraded { seconds } => upgraded.push(UpgradedHost {
                    host: name.clone(),
                    seconds: *seconds,
                }),
                HostResult::Failed { failure } => failed.push(FailedHost {
                    host: name.clone(),
                    failure: failure.clone(),
                }),
                HostResult::Current => skipped.push(SkippedHostReport {
                    host: name.clone(),
                    reason: SkipReason::NoUpdate.to_string(),
                }),
            }
        }
        let mut seen_skips = BTreeSet::new();
        for plan in [Some(&first), self.state.plan.as_ref()]
            .into_iter()
            .flatten()
        {
            for skip in &plan.skipped {
                if seen_skips.insert(skip.host)
                    && !self.state.finished_hosts.contains_key(&skip.host)
                {
                    skipped.push(SkippedHostReport {
                        host: skip.name.clone(),
                        reason: skip.reason.to_string(),
                    });
                }
            }
        }
        let not_started: Vec<String> = self
            .plan()
            .steps()
            .filter(|s| !self.state.finished_hosts.contains_key(&s.host))
            .map(|s| s.name.clone())
            .collect();
        let migrations = self.state.migrations();
        let live_vm = |id: VmId| {
            live.as_ref()
                .and_then(|i| i.vms.iter().find(|v| v.id == id))
        };
        let live_host = |id: HostId| {
            live.as_ref()
                .and_then(|i| i.hosts.iter().find(|h| h.id == id))
        };
        let now = self.now();
        let vm_downtime = self
            .state
            .stopped_vms()
            .into_iter()
            .map(|s| {
                let back = self.state.restarted(s.vm, s.first_step);
                let running = live_vm(s.vm).is_some_and(Vm::is_running);
                let still_down = (back.is_none() && !running).then(|| {
                    let refusal = self
                        .state
                        .vm_steps(s.vm)
                        .filter(|(i, st)| {
                            *i > s.first_step && matches!(st.action, Action::Start { .. })
                        })
                        .filter_map(|(_, st)| st.refused().map(str::to_owned))
                        .last();
                    match (refusal, live_host(s.host)) {
                        (Some(detail), _) => format!("the engine refused to start it: {detail}"),
                        (None, Some(h)) if h.status != HostStatus::Up => {
                            format!("its host {} is {}", h.name, h.status)
                        }
                        _ => "it was not started again; start it by hand".to_owned(),
                    }
                });
                let end = back.unwrap_or(now);
                VmDowntime {
                    vm: s.name,
                    seconds: ((end.0 - s.since.0) / 1000).max(0) as u64,
                    still_down,
                }
            })
            .collect();
        let planned: BTreeSet<HostId> = self.state.weights.keys().copied().collect();
        let needs_attention = match &live {
            Some(inventory) => inventory
                .hosts
                .iter()
                .filter(|h| planned.contains(&h.id) && h.status != HostStatus::Up)
                .map(|h| NeedsAttention {
                    host: h.name.clone(),
                    status: h.status,
                    why: self.attention(h),
                })
                .collect(),
            None => self
                .seen_status
                .iter()
                .filter(|(h, s)| planned.contains(h) && **s != HostStatus::Up)
                .map(|(h, s)| NeedsAttention {
                    host: self.host_name(*h),
                    status: *s,
                    why: "last seen so; the engine could not be asked at the end".into(),
                })
                .collect(),
        };
        let original = self.state.original_policy();
        let restored = self
            .state
            .policy_set()
            .is_some_and(|(p, r)| r == PolicyReason::RunEnds && Some(p) == original);
        let began = self.state.began.first().copied().unwrap_or(now);
        Summary {
            outcome,
            cluster: self.cluster_name.clone(),
            upgraded,
            skipped,
            failed,
            not_started,
            migrations: migrations.values().map(|&n| n as usize).sum(),
            vms_moved: migrations.len(),
            max_migrations_of_a_vm: migrations.values().copied().max().unwrap_or(0),
            vm_downtime,
            duration_seconds: ((now.0 - began.0) / 1000).max(0) as u64,
            predicted_seconds: first.prediction.duration_seconds,
            policy_restored: original.filter(|_| restored),
            needs_attention,
        }
    }

    fn attention(&self, host: &Host) -> String {
        match self.state.finished_hosts.get(&host.id) {
            Some((_, HostResult::Failed { failure })) => failure.to_string(),
            Some((_, HostResult::Upgraded { .. })) if host.status == HostStatus::Maintenance => {
                "upgraded and left in maintenance, as it was found".into()
            }
            _ if host.status == HostStatus::Maintenance => "in maintenance, as it was found".into(),
            _ => format!("it is {}; the run did not finish with it", host.status),
        }
    }
}
