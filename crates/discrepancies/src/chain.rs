//! Volume chains: the rules `vdsm-tool dump-volume-chains` applies to the volumes of one image.
//!
//! A chain starts at a base volume (parent blank, or a template volume of another image on the
//! same domain) and each volume has at most one child. Faults: two volumes with the same
//! parent, no base volume, a loop of parents, and orphans (volumes that no walk from the base
//! reaches).

use std::collections::{BTreeMap, BTreeSet};

use model::VolumeId;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainRule {
    /// More than one volume points to the same parent.
    DuplicateParent,
    /// No volume has a blank parent (or a template parent).
    NoBaseVolume,
    /// Following parents comes back to where it started.
    Loop,
    /// Volumes of the image that the chain from its base does not reach.
    Orphan,
}

impl ChainRule {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainRule::DuplicateParent => "duplicate parent",
            ChainRule::NoBaseVolume => "no base volume",
            ChainRule::Loop => "loop",
            ChainRule::Orphan => "orphan volumes",
        }
    }
}

/// One broken rule, with the volumes concerned (sorted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ChainFault {
    pub rule: ChainRule,
    pub volumes: Vec<VolumeId>,
    /// The parent the volumes share, for a duplicate parent (`None`: the blank parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<VolumeId>,
}

/// What checking one image's chain found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainCheck {
    pub faults: Vec<ChainFault>,
    /// The volumes reached from the base, base first.
    pub order: Vec<VolumeId>,
}

/// Checks the chain of one image given each volume's parent. `is_template` says whether a
/// parent outside the image is a template volume the image may start from.
pub fn check(
    links: &[(VolumeId, Option<VolumeId>)],
    is_template: impl Fn(VolumeId) -> bool,
) -> ChainCheck {
    let members: BTreeMap<VolumeId, Option<VolumeId>> = links.iter().copied().collect();
    let mut children: BTreeMap<Option<VolumeId>, Vec<VolumeId>> = BTreeMap::new();
    for (&volume, &parent) in &members {
        children.entry(parent).or_default().push(volume);
    }
    let mut faults = Vec::new();
    for (parent, kids) in &children {
        if kids.len() > 1 {
            faults.push(ChainFault {
                rule: ChainRule::DuplicateParent,
                volumes: kids.clone(),
                parent: *parent,
            });
        }
    }

    let bases: Vec<VolumeId> = members
        .iter()
        .filter(|(_, parent)| match parent {
            None => true,
            Some(parent) => !members.contains_key(parent) && is_template(*parent),
        })
        .map(|(&volume, _)| volume)
        .collect();
    let mut order = Vec::with_capacity(members.len());
    let mut reached: BTreeSet<VolumeId> = BTreeSet::new();
    let mut queue: std::collections::VecDeque<VolumeId> = bases.iter().copied().collect();
    while let Some(volume) = queue.pop_front() {
        if !reached.insert(volume) {
            continue;
        }
        order.push(volume);
        if let Some(kids) = children.get(&Some(volume)) {
            queue.extend(kids.iter().copied());
        }
    }

    // Among the volumes not reached, find the loops by following parents.
    let mut in_loop: BTreeSet<VolumeId> = BTreeSet::new();
    let mut settled: BTreeSet<VolumeId> = reached.clone();
    for &start in members.keys() {
        if settled.contains(&start) {
            continue;
        }
        let mut path: Vec<VolumeId> = Vec::new();
        let mut current = Some(start);
        while let Some(volume) = current {
            if settled.contains(&volume) || !members.contains_key(&volume) {
                break;
            }
            if let Some(at) = path.iter().position(|v| *v == volume) {
                let mut cycle = path[at..].to_vec();
                cycle.sort();
                in_loop.extend(cycle.iter().copied());
                faults.push(ChainFault {
                    rule: ChainRule::Loop,
                    volumes: cycle,
                    parent: None,
                });
                break;
            }
            path.push(volume);
            current = members.get(&volume).copied().flatten();
        }
        settled.extend(path);
    }

    let stray: Vec<VolumeId> = members
        .keys()
        .filter(|v| !reached.contains(v) && !in_loop.contains(v))
        .copied()
        .collect();
    if !stray.is_empty() {
        faults.push(ChainFault {
            rule: if bases.is_empty() {
                ChainRule::NoBaseVolume
            } else {
                ChainRule::Orphan
            },
            volumes: stray,
            parent: None,
        });
    }
    faults.sort_by(|a, b| a.rule.cmp(&b.rule).then_with(|| a.volumes.cmp(&b.volumes)));
    ChainCheck { faults, order }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Uuid;

    fn v(n: u128) -> VolumeId {
        VolumeId(Uuid(n))
    }

    fn rules(check: &ChainCheck) -> Vec<ChainRule> {
        check.faults.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_good_chain_is_ordered_base_first() {
        let check = check(
            &[(v(3), Some(v(2))), (v(1), None), (v(2), Some(v(1)))],
            |_| false,
        );
        assert!(check.faults.is_empty());
        assert_eq!(check.order, vec![v(1), v(2), v(3)]);
    }

    #[test]
    fn a_template_parent_is_a_base() {
        let ok = check(&[(v(2), Some(v(9)))], |p| p == v(9));
        assert!(ok.faults.is_empty());
        let broken = check(&[(v(2), Some(v(9)))], |_| false);
        assert_eq!(rules(&broken), vec![ChainRule::NoBaseVolume]);
    }

    #[test]
    fn each_rule() {
        let duplicate = check(
            &[(v(1), None), (v(2), Some(v(1))), (v(3), Some(v(1)))],
            |_| false,
        );
        assert_eq!(rules(&duplicate), vec![ChainRule::DuplicateParent]);
        assert_eq!(duplicate.faults[0].volumes, vec![v(2), v(3)]);
        assert_eq!(duplicate.faults[0].parent, Some(v(1)));

        let no_base = check(&[(v(2), Some(v(1))), (v(3), Some(v(2)))], |_| false);
        assert_eq!(rules(&no_base), vec![ChainRule::NoBaseVolume]);

        let looped = check(
            &[(v(1), None), (v(2), Some(v(3))), (v(3), Some(v(2)))],
            |_| false,
        );
        assert_eq!(rules(&looped), vec![ChainRule::Loop]);
        assert_eq!(looped.faults[0].volumes, vec![v(2), v(3)]);

        let orphan = check(
            &[(v(1), None), (v(2), Some(v(1))), (v(4), Some(v(3)))],
            |_| false,
        );
        assert_eq!(rules(&orphan), vec![ChainRule::Orphan]);
        assert_eq!(orphan.faults[0].volumes, vec![v(4)]);

        let self_parent = check(&[(v(1), Some(v(1)))], |_| false);
        assert_eq!(rules(&self_parent), vec![ChainRule::Loop]);
    }
}
