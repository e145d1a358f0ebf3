//! What a run cost, read back from the simulator's history: how long a VM was out of service
//! and how long a set of hosts was not whole. The benchmarks measure every client this way,
//! ours and oVirt's own role alike, so neither is judged by its own account.

use std::collections::{BTreeMap, BTreeSet};

use model::{HostId, HostStatus, Timestamp, VmId, VmStatus};

use crate::invariants::{History, Transition};

impl History {
    /// Milliseconds between `from` and `until` during which `vm` was not up (stopped for a
    /// host's maintenance, booting again); `initially_up` says how it stood at `from`.
    pub fn downtime_ms(
        &self,
        vm: VmId,
        initially_up: bool,
        from: Timestamp,
        until: Timestamp,
    ) -> i64 {
        let mut down_since = (!initially_up).then_some(from);
        let mut total = 0;
        for (at, transition) in self.transitions_between(from, until) {
            let Transition::Vm { vm: id, to, .. } = transition else {
                continue;
            };
            if *id != vm {
                continue;
            }
            let up = matches!(to, VmStatus::Up | VmStatus::Migrating);
            match (up, down_since) {
                (true, Some(since)) => {
                    total += at.0 - since.0;
                    down_since = None;
                }
                (false, None) => down_since = Some(*at),
                _ => {}
            }
        }
        total + down_since.map_or(0, |since| until.0 - since.0)
    }

    /// Milliseconds between `from` and `until` during which at least one of `hosts` was not
    /// up: the time the cluster ran short, whatever the client was doing meanwhile.
    pub fn degraded_ms(&self, hosts: &BTreeSet<HostId>, from: Timestamp, until: Timestamp) -> i64 {
        let mut not_up: BTreeMap<HostId, bool> = BTreeMap::new();
        let mut degraded_since: Option<Timestamp> = None;
        let mut total = 0;
        for (at, transition) in self.transitions_between(from, until) {
            let Transition::Host { host, to, .. } = transition else {
                continue;
            };
            if !hosts.contains(host) {
                continue;
            }
            not_up.insert(*host, *to != HostStatus::Up);
            let degraded = not_up.values().any(|&down| down);
            match (degraded, degraded_since) {
                (true, None) => degraded_since = Some(*at),
                (false, Some(since)) => {
                    total += at.0 - since.0;
                    degraded_since = None;
                }
                _ => {}
            }
        }
        total + degraded_since.map_or(0, |since| until.0 - since.0)
    }

    fn transitions_between(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> impl Iterator<Item = &(Timestamp, Transition)> {
        self.transitions
            .iter()
            .filter(move |(at, _)| *at >= from && *at <= until)
    }
}
