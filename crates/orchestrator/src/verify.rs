//! An independent check of a plan: replays it wave by wave on the inventory it was made from
//! and proves every intermediate state feasible — every VM has a place that admits it and has
//! the memory, no more hosts out than allowed, at most one hosted-engine host out, the host
//! running the hosted-engine VM last. The planner's tests and property tests
//! run every plan through it.

use std::collections::{BTreeMap, BTreeSet};

use model::{HostStatus, Inventory};

use crate::cluster::{ClusterModel, Mobility};
use crate::options::Options;
use crate::plan::Plan;

/// Checks `plan` against the state it was made from; returns what is wrong, if anything.
pub fn check(inventory: &Inventory, options: &Options, plan: &Plan) -> Vec<String> {
    let Some(model) = ClusterModel::new(inventory, plan.cluster) else {
        return vec![format!("cluster {} is not in the inventory", plan.cluster)];
    };
    let mut problems = Vec::new();
    let n = model.hosts.len();
    let mut free: Vec<u64> = model.hosts.iter().map(|h| h.free).collect();
    let mut location: Vec<Option<usize>> = model.vms.iter().map(|v| v.host).collect();
    let mut upgraded = vec![false; n];
    let mut planned = BTreeSet::new();
    let mut moves: BTreeMap<usize, usize> = BTreeMap::new();
    let engine_vm = model
        .vms
        .iter()
        .position(|v| v.hosted_engine && v.host.is_some());
    let last_wave_out = plan.waves.iter().rposition(|w| w.hosts_taken_out() > 0);

    for (w, wave) in plan.waves.iter().enumerate() {
        let mut members = Vec::new();
        for step in &wave.hosts {
            let Some(h) = model.host_position(step.host) else {
                problems.push(format!(
                    "wave {}: host {} is not in the cluster",
                    w + 1,
                    step.name
                ));
                continue;
            };
            if !planned.insert(h) {
                problems.push(format!(
                    "wave {}: host {} is planned twice",
                    w + 1,
                    step.name
                ));
            }
            let expected = if step.in_place {
                HostStatus::Maintenance
            } else {
                HostStatus::Up
            };
            if model.hosts[h].status != expected {
                problems.push(format!(
                    "wave {}: host {} is {}, not {expected}",
                    w + 1,
                    step.name,
                    model.hosts[h].status
                ));
            }
            if !step.in_place {
                members.push(h);
            }
        }
        if members.len() > options.max_parallel {
            problems.push(format!(
                "wave {} takes {} hosts out, more than {}",
                w + 1,
                members.len(),
                options.max_parallel
            ));
        }
        if members
            .iter()
            .filter(|&&h| model.hosts[h].hosted_engine)
            .count()
            > 1
        {
            problems.push(format!(
                "wave {} takes several hosted-engine hosts out",
                w + 1
            ));
        }
        let receives =
            |h: usize| -> bool { model.hosts[h].status == HostStatus::Up && !members.contains(&h) };
        if !members.is_empty() && !(0..n).any(&receives) {
            problems.push(format!("wave {} leaves no host up in the cluster", w + 1));
        }
        if let Some(engine_vm) = engine_vm {
            if location[engine_vm].is_some_and(|h| members.contains(&h)) && Some(w) != last_wave_out
            {
                problems.push(format!(
                    "wave {}: the host running the hosted-engine VM is not last",
                    w + 1
                ));
            }
        }
        for step in &wave.hosts {
            let Some(h) = model.host_position(step.host) else {
                continue;
            };
            let running: BTreeSet<usize> = (0..model.vms.len())
                .filter(|&v| location[v] == Some(h))
                .collect();
            let mut leaving = BTreeSet::new();
            for m in &step.migrations {
                let (Some(v), Some(to)) = (model.vm_position(m.vm), model.host_position(m.to))
                else {
                    problems.push(format!(
                        "wave {}: {} → {} names an object outside the cluster",
                        w + 1,
                        m.vm_name,
                        m.to_name
                    ));
                    continue;
                };
                let vm = &model.vms[v];
                *moves.entry(v).or_default() += 1;
                leaving.insert(v);
                if location[v] != Some(h) {
                    problems.push(format!(
                        "wave {}: {} is not on {} when it is moved",
                        w + 1,
                        vm.name,
                        step.name
                    ));
                }
                if vm.mobility == Mobility::Fixed {
                    problems.push(format!("wave {}: {} cannot migrate", w + 1, vm.name));
                }
                if !receives(to) {
                    problems.push(format!(
                        "wave {}: {} goes to {}, which is out",
                        w + 1,
                        vm.name,
                        m.to_name
                    ));
                }
                let target = &model.hosts[to];
                if vm.hosted_engine
                    && !(target.hosted_engine && (target.hosted_engine_ready || upgraded[to]))
                {
                    problems.push(format!(
                        "wave {}: the hosted-engine VM goes to {}, which cannot run it",
                        w + 1,
                        m.to_name
                    ));
                }
                if vm.allowed_hosts.as_ref().is_some_and(|a| !a.contains(&to)) {
                    problems.push(format!(
                        "wave {}: {} goes to {}, outside its pinned hosts",
                        w + 1,
                        vm.name,
                        m.to_name
                    ));
                }
                if free[to] < vm.need {
                    problems.push(format!(
                        "wave {}: {} does not fit on {}",
                        w + 1,
                        vm.name,
                        m.to_name
                    ));
                }
                free[to] = free[to].saturating_sub(vm.need);
                // A blocked plan stops early: what it says moves again, it cannot show.
                let later = plan.waves[w + 1..]
                    .iter()
                    .flat_map(|x| &x.hosts)
                    .any(|s| s.host == m.to);
                if plan.is_feasible() && later != m.moves_again {
                    problems.push(format!(
                        "wave {}: {} says moves_again={} but its destination is {}",
                        w + 1,
                        vm.name,
                        m.moves_again,
                        if later {
                            "upgraded later"
                        } else {
                            "not upgraded later"
                        }
                    ));
                }
                location[v] = Some(to);
            }
            let stopped: BTreeSet<_> = step
                .stops
                .iter()
                .filter_map(|s| model.vm_position(s.vm))
                .collect();
            for &v in &running {
                let vm = &model.vms[v];
                let handled = if vm.mobility == Mobility::Fixed {
                    stopped.contains(&v)
                } else {
                    leaving.contains(&v)
                };
                if !handled {
                    problems.push(format!(
                        "wave {}: {} is left running on {}",
                        w + 1,
                        vm.name,
                        step.name
                    ));
                }
            }
            for &v in &leaving {
                free[h] = (free[h] + model.vms[v].need).min(model.hosts[h].memory);
            }
        }
        if members.len() > 1 {
            let receivers: Vec<usize> = (0..n).filter(|&h| receives(h)).collect();
            let memory: u64 = receivers.iter().map(|&h| model.hosts[h].memory).sum();
            let left: u64 = receivers.iter().map(|&h| free[h]).sum();
            if left * 100 < memory * u64::from(options.headroom_percent) {
                problems.push(format!(
                    "wave {} leaves less than {}% of the receiving hosts' memory free",
                    w + 1,
                    options.headroom_percent
                ));
            }
        }
        for &h in &members {
            upgraded[h] = true;
        }
    }
    let counted: usize = moves.values().sum();
    if counted != plan.prediction.migrations {
        problems.push(format!(
            "the plan predicts {} migrations but holds {counted}",
            plan.prediction.migrations
        ));
    }
    problems
}
