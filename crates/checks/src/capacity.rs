//! Whether each host can be emptied into the other active hosts of its cluster.
//!
//! For every active host, its VMs that can migrate are placed, largest first, onto the other
//! active hosts with the most free scheduling memory, as the engine's even distribution would;
//! the Manager VM goes first and only to hosts that can run it. Hosts that keep their VMs
//! (pinned, vGPU, host devices) are reported by their own rules and not counted here.
//!
//! Each cluster's hosts are sorted by free memory once; a host's evacuation then touches only
//! as many receivers as it has VMs, so the work grows as V·log V, not with VMs × hosts.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use model::{Host, HostStatus, Vm};

use crate::facts::{can_run_engine_vm, Facts};

/// A VM that cannot leave its host by live migration.
pub(crate) fn stays_on_host(vm: &Vm) -> bool {
    vm.affinity == model::Affinity::Pinned || vm.vgpu || vm.host_devices > 0
}

pub(crate) struct HostEvacuation<'a> {
    pub host: &'a Host,
    /// VMs that must migrate away, the Manager VM included.
    pub moving: Vec<&'a Vm>,
    pub moving_memory: u64,
    /// Other active hosts of the cluster.
    pub receivers: usize,
    pub free_total: u64,
    pub largest_free: u64,
    pub verdict: Verdict<'a>,
}

pub(crate) enum Verdict<'a> {
    /// Every VM finds a place.
    Fits,
    /// No other active host in the cluster.
    NoOtherHost,
    /// Not enough memory in total, or a VM larger than any host's free memory.
    Short,
    /// Enough in total, but these VMs find no single host with room.
    Fragmented(Vec<&'a Vm>),
    /// The Manager VM finds no hosted-engine host with room; its largest free memory.
    EngineVmNoRoom(u64),
}

/// Receivers of one cluster, most free memory first.
struct Receivers<'a> {
    hosts: Vec<(&'a Host, u64)>,
    total: u64,
}

impl<'a> Receivers<'a> {
    fn new(hosts: impl Iterator<Item = &'a Host>) -> Self {
        let mut hosts: Vec<(&Host, u64)> = hosts.map(|h| (h, h.max_scheduling_memory)).collect();
        hosts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        let total = hosts.iter().map(|&(_, free)| free).sum();
        Receivers { hosts, total }
    }

    /// Position and free memory of the roomiest receiver other than `source`.
    fn largest_except(&self, source: &Host) -> Option<(usize, u64)> {
        self.hosts
            .iter()
            .enumerate()
            .find(|(_, (h, _))| h.id != source.id)
            .map(|(i, &(_, free))| (i, free))
    }
}

/// Greedy placement onto the roomiest receiver: untouched receivers come from the sorted
/// list, touched ones from a heap holding their memory left.
struct Placement<'r, 'a> {
    receivers: &'r Receivers<'a>,
    source: &'a Host,
    next: usize,
    touched: HashSet<usize>,
    heap: BinaryHeap<(u64, Reverse<usize>)>,
}

impl<'r, 'a> Placement<'r, 'a> {
    fn new(receivers: &'r Receivers<'a>, source: &'a Host) -> Self {
        Placement {
            receivers,
            source,
            next: 0,
            touched: HashSet::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn untouched(&mut self) -> Option<(usize, u64)> {
        while let Some(&(host, free)) = self.receivers.hosts.get(self.next) {
            if host.id != self.source.id && !self.touched.contains(&self.next) {
                return Some((self.next, free));
            }
            self.next += 1;
        }
        None
    }

    /// Places `memory` on the receiver with the most room; false when none has enough.
    fn place(&mut self, memory: u64) -> bool {
        let fresh = self.untouched();
        let used = self.heap.peek().map(|&(free, Reverse(i))| (i, free));
        let (position, free, from_heap) = match (fresh, used) {
            (Some(f), Some(u)) if u.1 > f.1 => (u.0, u.1, true),
            (Some(f), _) => (f.0, f.1, false),
            (None, Some(u)) => (u.0, u.1, true),
            (None, None) => return false,
        };
        if free < memory {
            return false;
        }
        if from_heap {
            self.heap.pop();
        } else {
            self.touched.insert(position);
            self.next += 1;
        }
        self.heap.push((free - memory, Reverse(position)));
        true
    }

    /// Places the Manager VM on a given receiver.
    fn place_at(&mut self, position: usize, free: u64, memory: u64) {
        self.touched.insert(position);
        self.heap.push((free - memory, Reverse(position)));
    }
}

/// The evacuation of every active host that runs VMs, cluster by cluster.
pub(crate) fn evacuations<'a>(f: &Facts<'a>) -> Vec<HostEvacuation<'a>> {
    let mut out = Vec::new();
    for cluster in &f.inventory.clusters {
        let up = || {
            f.hosts_in_cluster(cluster.id)
                .iter()
                .copied()
                .filter(|h| h.status == HostStatus::Up)
        };
        let receivers = Receivers::new(up());
        let engine_receivers = Receivers::new(up().filter(|h| can_run_engine_vm(h)));
        for host in up() {
            let moving: Vec<&Vm> = f
                .running_on(host.id)
                .iter()
                .copied()
                .filter(|vm| !stays_on_host(vm))
                .collect();
            if moving.is_empty() {
                continue;
            }
            out.push(evacuate(host, moving, &receivers, &engine_receivers));
        }
    }
    out
}

fn evacuate<'a>(
    host: &'a Host,
    mut moving: Vec<&'a Vm>,
    receivers: &Receivers<'a>,
    engine_receivers: &Receivers<'a>,
) -> HostEvacuation<'a> {
    let moving_memory: u64 = moving.iter().map(|vm| vm.memory).sum();
    let largest_vm = moving.iter().map(|vm| vm.memory).max().unwrap_or(0);
    let receivers_count = receivers.hosts.len() - 1;
    let free_total = receivers.total - host.max_scheduling_memory;
    let largest_free = receivers.largest_except(host).map_or(0, |(_, free)| free);
    let mut evacuation = HostEvacuation {
        host,
        moving: Vec::new(),
        moving_memory,
        receivers: receivers_count,
        free_total,
        largest_free,
        verdict: Verdict::Fits,
    };
    evacuation.verdict = if receivers_count == 0 {
        Verdict::NoOtherHost
    } else if moving_memory > free_total || largest_vm > largest_free {
        Verdict::Short
    } else {
        place_all(host, &mut moving, receivers, engine_receivers)
    };
    evacuation.moving = moving;
    evacuation
}

fn place_all<'a>(
    host: &'a Host,
    moving: &mut [&'a Vm],
    receivers: &Receivers<'a>,
    engine_receivers: &Receivers<'a>,
) -> Verdict<'a> {
    let mut placement = Placement::new(receivers, host);
    if let Some(engine) = moving.iter().find(|vm| vm.hosted_engine) {
        // No hosted-engine receiver at all is he.no-spare-host's finding, not this one's.
        if let Some((_, free)) = engine_receivers.largest_except(host) {
            if free < engine.memory {
                return Verdict::EngineVmNoRoom(free);
            }
            let target = engine_receivers
                .hosts
                .iter()
                .find(|(h, _)| h.id != host.id)
                .map(|(h, _)| h.id);
            if let Some(position) = receivers
                .hosts
                .iter()
                .position(|(h, _)| Some(h.id) == target)
            {
                placement.place_at(position, receivers.hosts[position].1, engine.memory);
            }
        }
    }
    moving.sort_by(|a, b| b.memory.cmp(&a.memory).then_with(|| a.name.cmp(&b.name)));
    let unplaced: Vec<&Vm> = moving
        .iter()
        .copied()
        .filter(|vm| !vm.hosted_engine)
        .filter(|vm| !placement.place(vm.memory))
        .collect();
    if unplaced.is_empty() {
        Verdict::Fits
    } else {
        Verdict::Fragmented(unplaced)
    }
}
