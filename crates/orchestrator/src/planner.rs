//! The planner: from an inventory and the user's options to a [`Plan`]. Pure and
//! deterministic; the seed only steers the search when the first attempt finds a blocker.
//!
//! It plays the run forward wave by wave on a model of the cluster. Each wave takes the host
//! whose VMs land best — on hosts already upgraded (or not in the run), so they migrate once —
//! and among equals the emptiest, so the VMs of the first host, which have nowhere upgraded to
//! go, are as few as possible. A spare empty host therefore makes every VM migrate exactly
//! once. Further hosts join a wave only while the hosts that stay up hold every VM of the wave
//! with headroom, no VM would move a third time, at most one hosted-engine host is out, and the host
//! running the hosted-engine VM comes last. Whatever cannot be placed is a blocker, named
//! before anything is touched.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use model::rng::Rng;
use model::{ClusterId, HostId, HostStatus, Inventory, SchedulingPolicy};

use crate::cluster::{ClusterModel, Mobility};
use crate::options::{Options, PinnedPolicy};
use crate::plan::*;

/// Candidates weighed for each place in a wave before the best so far is taken.
const CANDIDATES_PER_CHOICE: usize = 8;
/// Seeded attempts made when the first plan has a capacity blocker.
const SEARCH_ATTEMPTS: usize = 16;

/// Where a run stands, for planning the rest of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Hosts this run has upgraded: the preferred destinations.
    pub upgraded: BTreeSet<HostId>,
    /// Hosts that failed in this run: not upgraded again, and destinations only while up.
    pub failed: BTreeSet<HostId>,
    /// Hosts still to upgrade; the others are left as they are.
    pub remaining: BTreeSet<HostId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("there is no cluster named `{name}`{}", suggest(suggestion, known))]
    UnknownCluster {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error(
        "cluster {cluster} has no host named {}{}",
        quoted(names),
        suggest_many(suggestions, known)
    )]
    UnknownHosts {
        cluster: String,
        names: Vec<String>,
        suggestions: Vec<String>,
        known: Vec<String>,
    },
    #[error("cluster {id} is no longer on the engine")]
    ClusterGone { id: ClusterId },
    #[error("--max-parallel must be at least 1: a run upgrades at least one host at a time")]
    NoParallelism,
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggest(suggestion: &Option<String>, known: &[String]) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => format!(" (clusters: {})", known.join(", ")),
    }
}

fn suggest_many(suggestions: &[String], known: &[String]) -> String {
    if suggestions.is_empty() {
        format!(" (hosts: {})", known.join(", "))
    } else {
        format!(" (did you mean {}?)", quoted(suggestions))
    }
}

/// Letters to change to turn `a` into `b` (Levenshtein), for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

pub(crate) fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    known
        .map(|k| (edit_distance(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.to_owned())
}

/// The cluster called `name`.
pub fn find_cluster(inventory: &Inventory, name: &str) -> Result<ClusterId, PlanError> {
    if let Some(c) = inventory.clusters.iter().find(|c| c.name == name) {
        return Ok(c.id);
    }
    let known: Vec<String> = inventory.clusters.iter().map(|c| c.name.clone()).collect();
    Err(PlanError::UnknownCluster {
        name: name.to_owned(),
        suggestion: closest(name, known.iter().map(String::as_str)),
        known,
    })
}

/// Plans a run from the start.
pub fn plan(
    inventory: &Inventory,
    cluster: ClusterId,
    options: &Options,
) -> Result<Plan, PlanError> {
    plan_with(inventory, cluster, options, None)
}

/// Plans the rest of a run from the live state.
pub fn replan(
    inventory: &Inventory,
    cluster: ClusterId,
    options: &Options,
    progress: &Progress,
) -> Result<Plan, PlanError> {
    plan_with(inventory, cluster, options, Some(progress))
}

fn plan_with(
    inventory: &Inventory,
    cluster: ClusterId,
    options: &Options,
    progress: Option<&Progress>,
) -> Result<Plan, PlanError> {
    if options.max_parallel == 0 {
        return Err(PlanError::NoParallelism);
    }
    let model =
        ClusterModel::new(inventory, cluster).ok_or(PlanError::ClusterGone { id: cluster })?;
    let unknown: Vec<String> = options
        .hosts
        .iter()
        .filter(|n| !model.hosts.iter().any(|h| &h.name == *n))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        let known: Vec<String> = model.hosts.iter().map(|h| h.name.clone()).collect();
        let suggestions = unknown
            .iter()
            .filter_map(|n| closest(n, known.iter().map(String::as_str)))
            .collect();
        return Err(PlanError::UnknownHosts {
            cluster: model.name.clone(),
            names: unknown,
            suggestions,
            known,
        });
    }
    let planner = Planner {
        model: &model,
        options,
    };
    Ok(planner.plan(progress))
}

/// Another destination for `vm`, leaving its host now, by the planner's rules: an upgraded
/// host if one has room, then a host left alone, then a host upgraded later; never one of
/// `excluded`.
pub fn destination(
    inventory: &Inventory,
    cluster: ClusterId,
    vm: model::VmId,
    excluded: &BTreeSet<HostId>,
    upgraded: &BTreeSet<HostId>,
    later: &BTreeSet<HostId>,
) -> Option<HostId> {
    let model = ClusterModel::new(inventory, cluster)?;
    let v = &model.vms[model.vm_position(vm)?];
    let tier = |id: &HostId| {
        if upgraded.contains(id) {
            0
        } else if later.contains(id) {
            2
        } else {
            1
        }
    };
    model
        .hosts
        .iter()
        .enumerate()
        .filter(|(h, host)| {
            host.status == HostStatus::Up
                && Some(*h) != v.host
                && !excluded.contains(&host.id)
                && host.free >= v.need
                && (!v.hosted_engine
                    || (host.hosted_engine
                        && (host.hosted_engine_ready || upgraded.contains(&host.id))))
                && v.allowed_hosts
                    .as_ref()
                    .is_none_or(|allowed| allowed.contains(h))
        })
        .min_by_key(|(h, host)| (tier(&host.id), Reverse(host.free), *h))
        .map(|(_, host)| host.id)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Up, to be upgraded in this run.
    Upgrade,
    /// In maintenance, to be upgraded where it is.
    InPlace,
    /// Up and left alone by this run: takes VMs, which then stay.
    Receiver,
    /// Neither up nor upgraded here: takes nothing.
    Out,
    /// Upgraded by this run and back up.
    Upgraded,
}

#[derive(Debug, Clone)]
struct State {
    role: Vec<Role>,
    free: Vec<u64>,
    on_host: Vec<Vec<usize>>,
    /// Migrations planned so far, by VM.
    moves: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Placement {
    /// (VM, destination, the destination is upgraded later).
    moves: Vec<(usize, usize, bool)>,
    moves_again: usize,
    /// VMs that moved before and would have to move yet again.
    third_moves: usize,
}

#[derive(Debug, Clone)]
struct Unplaced {
    vms: Vec<usize>,
    largest_need: u64,
    largest_free: u64,
    no_other_host_up: bool,
    hosted_engine_homeless: bool,
}

struct Attempt {
    waves: Vec<Vec<(usize, Placement)>>,
    blockers: Vec<Blocker>,
    migrations: usize,
}

struct Planner<'a> {
    model: &'a ClusterModel,
    options: &'a Options,
}

impl Planner<'_> {
    fn plan(&self, progress: Option<&Progress>) -> Plan {
        let model = self.model;
        let mut skipped = Vec::new();
        let mut blockers = Vec::new();
        let mut notices = Vec::new();
        let state = self.initial_state(progress, &mut skipped);

        if progress.is_none() {
            if model.upgrade_running {
                blockers.push(Blocker::UpgradeAlreadyRunning {
                    cluster: model.name.clone(),
                });
            }
            if model.policy == SchedulingPolicy::ClusterMaintenance
                && self.options.use_maintenance_policy
            {
                notices.push(Notice::PolicyAlreadyMaintenance);
            }
        }
        let upgrading: Vec<usize> = (0..model.hosts.len())
            .filter(|&h| matches!(state.role[h], Role::Upgrade | Role::InPlace))
            .collect();
        if !upgrading.is_empty() && !model.healing_volumes.is_empty() {
            blockers.push(Blocker::GlusterHealing {
                volumes: model.healing_volumes.clone(),
            });
        }
        if model.gluster && self.options.max_parallel > 1 && upgrading.len() > 1 {
            notices.push(Notice::GlusterOneAtATime);
        }
        for &h in &upgrading {
            for &v in &state.on_host[h] {
                let vm = &model.vms[v];
                if vm.is_stuck() {
                    blockers.push(Blocker::VmNotMovable {
                        host: model.hosts[h].name.clone(),
                        vm: vm.name.clone(),
                        status: vm.status,
                    });
                } else if vm.is_settling() {
                    notices.push(Notice::VmSettling {
                        vm: vm.name.clone(),
                        status: vm.status,
                    });
                }
                if vm.mobility == Mobility::Fixed && vm.highly_available {
                    notices.push(Notice::PinnedHighlyAvailable {
                        vm: vm.name.clone(),
                        host: model.hosts[h].name.clone(),
                    });
                }
            }
        }

        let limit = if model.gluster {
            1
        } else {
            self.options.max_parallel
        };
        let mut attempt = self.search(&state, limit);
        if limit > 1 && !attempt.blockers.is_empty() {
            // Waves of several hosts can strand a later host; one at a time may not.
            let single = self.search(&state, 1);
            if single.blockers.len() < attempt.blockers.len() {
                attempt = single;
                notices.push(Notice::OneAtATime);
            }
        }
        blockers.extend(attempt.blockers);

        let in_place: Vec<usize> = (0..model.hosts.len())
            .filter(|&h| state.role[h] == Role::InPlace)
            .collect();
        let mut waves: Vec<Wave> = attempt
            .waves
            .iter()
            .map(|wave| Wave {
                hosts: wave
                    .iter()
                    .map(|(h, placement)| self.step(*h, placement, &state, false))
                    .collect(),
            })
            .collect();
        if !in_place.is_empty() {
            let empty = Placement {
                moves: Vec::new(),
                moves_again: 0,
                third_moves: 0,
            };
            let steps = in_place.iter().map(|&h| self.step(h, &empty, &state, true));
            match waves.first_mut() {
                Some(first) => first.hosts.extend(steps),
                None => waves.push(Wave {
                    hosts: steps.collect(),
                }),
            }
        }
        let assumed: Vec<String> = waves
            .iter()
            .flat_map(|w| &w.hosts)
            .filter(|s| {
                !model.hosts[model.host_position(s.host).expect("planned host")].update_available
            })
            .map(|s| s.name.clone())
            .collect();
        if !assumed.is_empty() {
            notices.push(Notice::AssumesUpdates { hosts: assumed });
        }
        notices.extend(
            waves
                .iter()
                .flat_map(|w| &w.hosts)
                .filter(|s| s.in_place && s.in_place_ends == HostStatus::Up)
                .map(|s| Notice::RetriesInstallFailed {
                    host: s.name.clone(),
                }),
        );
        let prediction = self.predict(&waves, &state);
        Plan {
            cluster: model.id,
            cluster_name: model.name.clone(),
            waves,
            skipped,
            blockers,
            notices,
            prediction,
        }
    }

    /// Decides each host's role: to upgrade, in place, left alone (and why), or out.
    fn initial_state(&self, progress: Option<&Progress>, skipped: &mut Vec<SkippedHost>) -> State {
        let model = self.model;
        let on_host = model.running_by_host();
        let mut role = Vec::with_capacity(model.hosts.len());
        for (h, host) in model.hosts.iter().enumerate() {
            let up = host.status == HostStatus::Up;
            let stays = if up { Role::Receiver } else { Role::Out };
            let selected = self.options.hosts.is_empty() || self.options.hosts.contains(&host.name);
            if let Some(progress) = progress {
                if progress.upgraded.contains(&host.id) {
                    role.push(if up { Role::Upgraded } else { Role::Out });
                    continue;
                }
                if progress.failed.contains(&host.id) || !progress.remaining.contains(&host.id) {
                    role.push(stays);
                    continue;
                }
            } else if !selected {
                role.push(stays);
                continue;
            }
            let mut skip = |reason| {
                skipped.push(SkippedHost {
                    host: host.id,
                    name: host.name.clone(),
                    reason,
                });
            };
            let has_update = host.update_available || self.options.check_upgrade;
            let fixed: Vec<String> = on_host[h]
                .iter()
                .map(|&v| &model.vms[v])
                .filter(|v| v.mobility == Mobility::Fixed)
                .map(|v| v.name.clone())
                .collect();
            match host.status {
                HostStatus::Up if !has_update => {
                    skip(SkipReason::NoUpdate);
                    role.push(Role::Receiver);
                }
                HostStatus::Up
                    if !fixed.is_empty() && self.options.pinned == PinnedPolicy::SkipHost =>
                {
                    skip(SkipReason::RunsPinnedVms { vms: fixed });
                    role.push(Role::Receiver);
                }
                HostStatus::Up => role.push(Role::Upgrade),
                HostStatus::Maintenance if !has_update => {
                    skip(SkipReason::NoUpdate);
                    role.push(Role::Out);
                }
                HostStatus::Maintenance => role.push(Role::InPlace),
                // `UpgradeHostCommand` takes an install_failed host; it runs no VMs.
                HostStatus::InstallFailed if host.update_available => role.push(Role::InPlace),
                status => {
                    skip(SkipReason::Status { status });
                    role.push(Role::Out);
                }
            }
        }
        State {
            role,
            free: model.hosts.iter().map(|h| h.free).collect(),
            on_host,
            moves: vec![0; model.vms.len()],
        }
    }

    /// The deterministic attempt, and when it finds a capacity blocker, seeded ones that
    /// take the candidates in a shaken order; the best of them.
    fn search(&self, state: &State, limit: usize) -> Attempt {
        let mut best = self.attempt(state, limit, None);
        if best
            .blockers
            .iter()
            .any(|b| matches!(b, Blocker::CannotEvacuate { .. }))
        {
            let mut rng = Rng::new(self.options.seed);
            for _ in 0..SEARCH_ATTEMPTS {
                let other = self.attempt(state, limit, Some(&mut rng));
                if (other.blockers.len(), other.migrations) < (best.blockers.len(), best.migrations)
                {
                    best = other;
                }
                if best.blockers.is_empty() {
                    break;
                }
            }
        }
        best
    }

    /// Plays the waves forward; `rng` shakes the order of the candidates.
    fn attempt(&self, initial: &State, limit: usize, mut rng: Option<&mut Rng>) -> Attempt {
        let model = self.model;
        let mut state = initial.clone();
        let mut remaining: Vec<usize> = (0..model.hosts.len())
            .filter(|&h| state.role[h] == Role::Upgrade)
            .collect();
        let mut waves = Vec::new();
        let mut blockers = Vec::new();
        let mut migrations = 0;
        while !remaining.is_empty() {
            // The host running the hosted-engine VM goes last, so that VM moves once, onto
            // an upgraded host; if nothing else can go before it, that is a blocker.
            let engine_host = self.hosted_engine_host(&state);
            let candidates: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|&h| Some(h) != engine_host || remaining.len() == 1)
                .collect();
            let ordered = self.ordered(&state, candidates, rng.as_deref_mut());
            let Some((host, placement)) = self.choose(&state, &[], &ordered) else {
                blockers.extend(remaining.iter().filter_map(|&h| self.blocker(&state, h)));
                break;
            };
            let mut members = vec![host];
            let mut placement = placement;
            while members.len() < limit {
                // The hosted-engine VM's host may join the last wave, as long as nothing
                // else is left after it.
                let last_host = engine_host.filter(|_| remaining.len() == members.len() + 1);
                let allowed: Vec<usize> = ordered
                    .iter()
                    .copied()
                    .chain(last_host)
                    .filter(|&c| !members.contains(&c) && self.may_join(&members, c))
                    .collect();
                // The whole wave is placed afresh with the newcomer out too.
                let Some((joining, combined)) = self.choose(&state, &members, &allowed) else {
                    break;
                };
                members.push(joining);
                placement = combined;
            }
            let split = self.split_by_source(&state, &members, placement);
            for (h, p) in &split {
                migrations += p.moves.len();
                self.commit(&mut state, *h, p);
            }
            remaining.retain(|h| !members.contains(h));
            waves.push(split);
        }
        Attempt {
            waves,
            blockers,
            migrations,
        }
    }

    /// The host the hosted-engine VM runs on, if that host is still to be upgraded.
    fn hosted_engine_host(&self, state: &State) -> Option<usize> {
        (0..self.model.hosts.len()).find(|&h| {
            state.role[h] == Role::Upgrade
                && state.on_host[h]
                    .iter()
                    .any(|&v| self.model.vms[v].hosted_engine)
        })
    }

    /// Candidates, emptiest first: fewest VMs to move, then least memory to move.
    fn ordered(&self, state: &State, mut hosts: Vec<usize>, rng: Option<&mut Rng>) -> Vec<usize> {
        let load = |h: usize| {
            let movers = state.on_host[h]
                .iter()
                .map(|&v| &self.model.vms[v])
                .filter(|v| v.mobility != Mobility::Fixed);
            movers.fold((0usize, 0u64), |(n, m), v| (n + 1, m + v.need))
        };
        match rng {
            None => hosts.sort_by_key(|&h| (load(h), h)),
            Some(rng) => {
                let mut keyed: Vec<((usize, u64), u64, usize)> = hosts
                    .iter()
                    .map(|&h| (load(h), rng.between(0, 3), h))
                    .collect();
                keyed.sort_by_key(|&((n, m), jitter, h)| (n + jitter as usize, m, h));
                hosts = keyed.into_iter().map(|(_, _, h)| h).collect();
            }
        }
        hosts
    }

    /// May `host` be upgraded together with `members`? At most one hosted-engine host is
    /// out at a time. (The SPM may go with others: the executor upgrades it after them, so
    /// the engine hands the role to a host that stays up.)
    fn may_join(&self, members: &[usize], host: usize) -> bool {
        let hosts = &self.model.hosts;
        members
            .iter()
            .chain([&host])
            .filter(|&&m| hosts[m].hosted_engine)
            .count()
            <= 1
    }

    /// The best of the first few candidates that can join `members`: fewest VMs that would
    /// have to move again, then the earliest in order.
    fn choose(
        &self,
        state: &State,
        members: &[usize],
        candidates: &[usize],
    ) -> Option<(usize, Placement)> {
        let mut best: Option<(usize, Placement)> = None;
        let mut weighed = 0;
        for &candidate in candidates {
            let wave: Vec<usize> = members.iter().copied().chain([candidate]).collect();
            let Ok(placement) = self.place(state, &wave) else {
                continue;
            };
            // A wave grows only while it keeps headroom and sends no VM on a third move.
            if wave.len() > 1
                && (!self.keeps_headroom(state, &wave, &placement) || placement.third_moves > 0)
            {
                continue;
            }
            weighed += 1;
            if best
                .as_ref()
                .is_none_or(|(_, b)| placement.moves_again < b.moves_again)
            {
                let done = placement.moves_again == 0;
                best = Some((candidate, placement));
                if done {
                    break;
                }
            }
            if weighed >= CANDIDATES_PER_CHOICE {
                break;
            }
        }
        best
    }

    fn takes_vms(&self, state: &State, host: usize, wave: &[usize]) -> bool {
        matches!(
            state.role[host],
            Role::Upgrade | Role::Receiver | Role::Upgraded
        ) && !wave.contains(&host)
    }

    /// Upgraded hosts first (the VM moves once), then hosts left alone, then hosts upgraded
    /// later (the VM will move again).
    fn tier(&self, state: &State, host: usize) -> u8 {
        match state.role[host] {
            Role::Upgraded => 0,
            Role::Receiver => 1,
            _ => 2,
        }
    }

    /// Whether `vm` may go to `host`, memory aside: the engine's filters.
    fn admits(&self, state: &State, vm: usize, host: usize) -> bool {
        let vm = &self.model.vms[vm];
        let h = &self.model.hosts[host];
        if vm.hosted_engine
            && !(h.hosted_engine && (h.hosted_engine_ready || state.role[host] == Role::Upgraded))
        {
            return false;
        }
        vm.allowed_hosts
            .as_ref()
            .is_none_or(|allowed| allowed.contains(&host))
    }

    /// Destinations for every VM that must leave `wave`, largest first, each to the emptiest
    /// host of the best tier that admits it.
    fn place(&self, state: &State, wave: &[usize]) -> Result<Placement, Unplaced> {
        let model = self.model;
        let hosts = 0..model.hosts.len();
        let no_other_host_up = !hosts.clone().any(|h| self.takes_vms(state, h, wave));
        let mut movers: Vec<usize> = wave
            .iter()
            .flat_map(|&h| state.on_host[h].iter().copied())
            .filter(|&v| model.vms[v].mobility != Mobility::Fixed)
            .collect();
        // VMs with few possible hosts go first, then those that moved already (so that they
        // get the places where they stay), then the largest.
        let constrained =
            |v: usize| model.vms[v].hosted_engine || model.vms[v].allowed_hosts.is_some();
        movers.sort_by_key(|&v| {
            (
                !constrained(v),
                Reverse(state.moves[v]),
                Reverse(model.vms[v].need),
                v,
            )
        });
        let mut free = state.free.clone();
        let mut placement = Placement {
            moves: Vec::new(),
            moves_again: 0,
            third_moves: 0,
        };
        let mut unplaced = Vec::new();
        for v in movers {
            let need = model.vms[v].need;
            let best = hosts
                .clone()
                .filter(|&h| {
                    self.takes_vms(state, h, wave) && free[h] >= need && self.admits(state, v, h)
                })
                .min_by_key(|&h| (self.tier(state, h), Reverse(free[h]), h));
            match best {
                Some(h) => {
                    free[h] -= need;
                    let again = self.tier(state, h) == 2;
                    placement.moves_again += usize::from(again);
                    placement.third_moves += usize::from(again && state.moves[v] > 0);
                    placement.moves.push((v, h, again));
                }
                None => unplaced.push(v),
            }
        }
        if unplaced.is_empty() && !no_other_host_up {
            return Ok(placement);
        }
        let largest_need = unplaced
            .iter()
            .map(|&v| model.vms[v].need)
            .max()
            .unwrap_or(0);
        let largest_free = unplaced
            .iter()
            .flat_map(|&v| {
                hosts
                    .clone()
                    .filter(move |&h| self.takes_vms(state, h, wave) && self.admits(state, v, h))
            })
            .map(|h| free[h])
            .max()
            .unwrap_or(0);
        let hosted_engine_homeless = unplaced.iter().any(|&v| {
            model.vms[v].hosted_engine
                && !hosts
                    .clone()
                    .any(|h| self.takes_vms(state, h, wave) && self.admits(state, v, h))
        });
        Err(Unplaced {
            vms: unplaced,
            largest_need,
            largest_free,
            no_other_host_up,
            hosted_engine_homeless,
        })
    }

    /// A wave of several hosts must leave the receiving hosts `headroom_percent` of their
    /// memory free, so one slow or failed migration cannot wedge it.
    fn keeps_headroom(&self, state: &State, wave: &[usize], placement: &Placement) -> bool {
        let receivers: Vec<usize> = (0..self.model.hosts.len())
            .filter(|&h| self.takes_vms(state, h, wave))
            .collect();
        let memory: u64 = receivers.iter().map(|&h| self.model.hosts[h].memory).sum();
        let placed: u64 = placement
            .moves
            .iter()
            .map(|&(v, _, _)| self.model.vms[v].need)
            .sum();
        let free: u64 = receivers
            .iter()
            .map(|&h| state.free[h])
            .sum::<u64>()
            .saturating_sub(placed);
        free * 100 >= memory * u64::from(self.options.headroom_percent)
    }

    /// The moves of a wave, grouped by the host each VM leaves.
    fn split_by_source(
        &self,
        state: &State,
        members: &[usize],
        placement: Placement,
    ) -> Vec<(usize, Placement)> {
        members
            .iter()
            .map(|&h| {
                let moves: Vec<(usize, usize, bool)> = placement
                    .moves
                    .iter()
                    .copied()
                    .filter(|&(v, _, _)| state.on_host[h].contains(&v))
                    .collect();
                let moves_again = moves.iter().filter(|m| m.2).count();
                let third_moves = moves.iter().filter(|m| m.2 && state.moves[m.0] > 0).count();
                (
                    h,
                    Placement {
                        moves,
                        moves_again,
                        third_moves,
                    },
                )
            })
            .collect()
    }

    /// The state after `host` is upgraded: its VMs moved as placed, the host back up with its
    /// pinned VMs started again on it.
    fn commit(&self, state: &mut State, host: usize, placement: &Placement) {
        for &(v, to, _) in &placement.moves {
            let need = self.model.vms[v].need;
            state.on_host[host].retain(|&x| x != v);
            state.free[host] = (state.free[host] + need).min(self.model.hosts[host].memory);
            state.on_host[to].push(v);
            state.free[to] -= need;
            state.moves[v] += 1;
        }
        state.role[host] = Role::Upgraded;
    }

    fn blocker(&self, state: &State, host: usize) -> Option<Blocker> {
        let unplaced = self.place(state, &[host]).err()?;
        let name = self.model.hosts[host].name.clone();
        Some(if unplaced.no_other_host_up {
            Blocker::OnlyHostUp { host: name }
        } else if unplaced.hosted_engine_homeless {
            Blocker::HostedEngineNoSpare { host: name }
        } else {
            Blocker::CannotEvacuate {
                host: name,
                vms: unplaced
                    .vms
                    .iter()
                    .map(|&v| self.model.vms[v].name.clone())
                    .collect(),
                largest_need: unplaced.largest_need,
                largest_free: unplaced.largest_free,
            }
        })
    }

    fn step(
        &self,
        host: usize,
        placement: &Placement,
        initial: &State,
        in_place: bool,
    ) -> HostStep {
        let model = self.model;
        let h = &model.hosts[host];
        let migrations: Vec<Migration> = placement
            .moves
            .iter()
            .map(|&(v, to, again)| {
                let vm = &model.vms[v];
                Migration {
                    vm: vm.id,
                    vm_name: vm.name.clone(),
                    memory: vm.memory,
                    from: h.id,
                    to: model.hosts[to].id,
                    to_name: model.hosts[to].name.clone(),
                    force: vm.mobility == Mobility::UserMigratable,
                    moves_again: again,
                }
            })
            .collect();
        let stops: Vec<PinnedVm> = initial.on_host[host]
            .iter()
            .map(|&v| &model.vms[v])
            .filter(|v| v.mobility == Mobility::Fixed)
            .map(|v| PinnedVm {
                vm: v.id,
                name: v.name.clone(),
                memory: v.memory,
                highly_available: v.highly_available,
            })
            .collect();
        let predicted_seconds = self.host_seconds(&migrations, !stops.is_empty());
        HostStep {
            host: h.id,
            name: h.name.clone(),
            in_place,
            in_place_ends: match h.status {
                HostStatus::InstallFailed => HostStatus::Up,
                _ => HostStatus::Maintenance,
            },
            migrations,
            stops,
            predicted_seconds,
        }
    }

    /// Migrations spread over the host's parallel streams, longest first; then the upgrade,
    /// with the pinned VMs' shutdown and start around it.
    fn host_seconds(&self, migrations: &[Migration], stops: bool) -> u64 {
        let timing = &self.options.timing;
        let mut durations: Vec<u64> = migrations
            .iter()
            .map(|m| timing.migration_ms(m.memory))
            .collect();
        durations.sort_unstable_by(|a, b| b.cmp(a));
        let mut streams = vec![0u64; timing.migrations_per_host.max(1)];
        for d in durations {
            let least = streams.iter_mut().min().expect("at least one stream");
            *least += d;
        }
        let evacuation = streams.into_iter().max().unwrap_or(0) / 1000;
        let upgrade = if self.options.reboot {
            timing.host_upgrade_seconds
        } else {
            timing.host_upgrade_no_reboot_seconds
        };
        let pinned = if stops {
            timing.vm_shutdown_seconds + timing.vm_start_seconds
        } else {
            0
        };
        evacuation + upgrade + pinned
    }

    fn predict(&self, waves: &[Wave], initial: &State) -> Prediction {
        let mut moves_per_vm = std::collections::BTreeMap::new();
        for m in waves
            .iter()
            .flat_map(|w| &w.hosts)
            .flat_map(|s| &s.migrations)
        {
            *moves_per_vm.entry(m.vm).or_insert(0usize) += 1;
        }
        let check = if self.options.check_upgrade {
            self.options.timing.upgrade_check_seconds
        } else {
            0
        };
        Prediction {
            hosts: waves.iter().map(|w| w.hosts.len()).sum(),
            waves: waves.len(),
            max_hosts_out: waves.iter().map(Wave::hosts_taken_out).max().unwrap_or(0),
            migrations: moves_per_vm.values().sum(),
            vms_moved: moves_per_vm.len(),
            vms_moving_twice: moves_per_vm.values().filter(|&&n| n > 1).count(),
            running_vms: initial.on_host.iter().map(Vec::len).sum(),
            vms_stopped: waves
                .iter()
                .flat_map(|w| &w.hosts)
                .map(|s| s.stops.len())
                .sum(),
            duration_seconds: check
                + waves
                    .iter()
                    .map(|w| {
                        w.hosts
                            .iter()
                            .map(|s| s.predicted_seconds)
                            .max()
                            .unwrap_or(0)
                    })
                    .sum::<u64>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_neighbours() {
        assert_eq!(edit_distance("prod-host1", "prod-host01"), 1);
        assert_eq!(
            closest("Prodution", ["Production", "Development"].into_iter()),
            Some("Production".into())
        );
        assert_eq!(closest("x", ["Production"].into_iter()), None);
    }
}
