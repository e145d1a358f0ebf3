//! Faults the simulated engine can be told to inject, per object or at random by seed.
//!
//! Written on the command line as a comma-separated list:
//! `install-fail:host3,never-return:host5,migration-fail:web07,unavailable:0.02,slow:0.05,drop:0.01,token-expiry:0.01,random:0.1`.
//! The compatibility chain's faults: `start-fail:web07` (a VM that will not start again),
//! `refuse-level:Production` (the engine refuses to change that cluster's or data center's
//! level), and `install-fail-once:host3` (a host whose first installation fails).
//! The host migration's: `reinstall-fail:host3` (a machine's operating-system reinstall
//! fails), `reinstall-lost:host3` (a machine never comes back from its reinstall) and
//! `storage-wiped:host3` (its reinstall wipes the local storage domains on its disk); all
//! name the machine by its first host name or its address.

use std::collections::HashSet;
use std::fmt;

/// What goes wrong, and where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Hosts (by name) whose package installation fails: they end in `install_failed`.
    pub install_fail: HashSet<String>,
    /// Hosts (by name) whose first package installation fails; a later one succeeds.
    pub install_fail_once: HashSet<String>,
    /// Hosts (by name) that never come back from their reboot: `non_responsive` for good.
    pub never_return: HashSet<String>,
    /// Hosts (by name) an upgrade cannot take to maintenance (as when a VM there finds no
    /// destination): the engine accepts the upgrade, then gives it up with 17 and 841.
    pub upgrade_abandoned: HashSet<String>,
    /// VMs (by name) whose migrations fail (event 65) and leave them where they were.
    pub migration_fail: HashSet<String>,
    /// VMs (by name) that do not come up again once stopped or rebooted: their new
    /// configuration fails to start.
    pub start_fail: HashSet<String>,
    /// Clusters and data centers (by name) whose compatibility level the engine refuses to
    /// change, as when updating their VMs and templates fails.
    pub refuse_level: HashSet<String>,
    /// Machines (by first host name or address) whose operating-system reinstall fails: they
    /// do not boot and must be reinstalled again.
    pub reinstall_fail: HashSet<String>,
    /// Machines (by first host name or address) that never come back from a reinstall.
    pub reinstall_lost: HashSet<String>,
    /// Machines (by first host name or address) whose reinstall wipes their data disk: the
    /// local domains kept there are gone, so importing them again finds nothing.
    pub storage_wiped: HashSet<String>,
    /// Probability that any one host upgrade, deployment, reinstall or migration fails,
    /// drawn from the seed.
    pub random_failure: f64,
    /// Transport faults, applied by whatever serves the simulator (HTTP or in-process).
    pub transport: TransportFaults,
}

/// Faults of the conversation with the engine rather than of the environment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TransportFaults {
    /// Share of requests answered 503 Service Unavailable.
    pub unavailable: f64,
    /// Share of requests answered slowly (several seconds).
    pub slow: f64,
    /// Share of connections dropped without an answer.
    pub dropped: f64,
    /// Share of requests whose token is found expired (401), forcing a new login.
    pub token_expiry: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault `{item}` is not understood: {reason} (write e.g. `install-fail:host3,migration-fail:web07,random:0.05,unavailable:0.02`)")]
pub struct FaultSpecError {
    pub item: String,
    pub reason: &'static str,
}

impl std::str::FromStr for Faults {
    type Err = FaultSpecError;
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let error = |reason| FaultSpecError {
                item: item.to_owned(),
                reason,
            };
            let (kind, value) = item
                .split_once(':')
                .ok_or_else(|| error("expected KIND:VALUE"))?;
            let probability = || -> Result<f64, FaultSpecError> {
                let p: f64 = value
                    .parse()
                    .map_err(|_| error("expected a probability such as 0.05"))?;
                if (0.0..=1.0).contains(&p) {
                    Ok(p)
                } else {
                    Err(error("a probability lies between 0 and 1"))
                }
            };
            match kind {
                "install-fail" => drop(faults.install_fail.insert(value.to_owned())),
                "install-fail-once" => drop(faults.install_fail_once.insert(value.to_owned())),
                "start-fail" => drop(faults.start_fail.insert(value.to_owned())),
                "refuse-level" => drop(faults.refuse_level.insert(value.to_owned())),
                "never-return" => drop(faults.never_return.insert(value.to_owned())),
                "upgrade-abandoned" => drop(faults.upgrade_abandoned.insert(value.to_owned())),
                "migration-fail" => drop(faults.migration_fail.insert(value.to_owned())),
                "reinstall-fail" => drop(faults.reinstall_fail.insert(value.to_owned())),
                "reinstall-lost" => drop(faults.reinstall_lost.insert(value.to_owned())),
                "storage-wiped" => drop(faults.storage_wiped.insert(value.to_owned())),
                "random" => faults.random_failure = probability()?,
                "unavailable" => faults.transport.unavailable = probability()?,
                "slow" => faults.transport.slow = probability()?,
                "drop" => faults.transport.dropped = probability()?,
                "token-expiry" => faults.transport.token_expiry = probability()?,
                _ => return Err(error("unknown kind")),
            }
        }
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        let mut named = |kind: &str, names: &HashSet<String>| {
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort();
            items.extend(sorted.into_iter().map(|n| format!("{kind}:{n}")));
        };
        named("install-fail", &self.install_fail);
        named("install-fail-once", &self.install_fail_once);
        named("never-return", &self.never_return);
        named("upgrade-abandoned", &self.upgrade_abandoned);
        named("migration-fail", &self.migration_fail);
        named("start-fail", &self.start_fail);
        named("refuse-level", &self.refuse_level);
        named("reinstall-fail", &self.reinstall_fail);
        named("reinstall-lost", &self.reinstall_lost);
        named("storage-wiped", &self.storage_wiped);
        for (kind, p) in [
            ("random", self.random_failure),
            ("unavailable", self.transport.unavailable),
            ("slow", self.transport.slow),
            ("drop", self.transport.dropped),
            ("token-expiry", self.transport.token_expiry),
        ] {
            if p > 0.0 {
                items.push(format!("{kind}:{p}"));
            }
        }
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        let faults: Faults =
            "install-fail:h3, never-return:h5,migration-fail:web,random:0.1,unavailable:0.02"
                .parse()
                .unwrap();
        assert!(faults.install_fail.contains("h3"));
        assert!(faults.never_return.contains("h5"));
        assert_eq!(faults.transport.unavailable, 0.02);
        assert_eq!(
            faults.to_string(),
            "install-fail:h3,never-return:h5,migration-fail:web,random:0.1,unavailable:0.02"
        );
        let chain: Faults = "start-fail:db,refuse-level:Production,install-fail-once:h2"
            .parse()
            .unwrap();
        assert!(chain.start_fail.contains("db") && chain.refuse_level.contains("Production"));
        assert_eq!(
            chain.to_string(),
            "install-fail-once:h2,start-fail:db,refuse-level:Production"
        );
        let migration: Faults = "reinstall-fail:h1,reinstall-lost:h2.example.com,storage-wiped:h3"
            .parse()
            .unwrap();
        assert!(migration.reinstall_fail.contains("h1"));
        assert!(migration.storage_wiped.contains("h3"));
        assert_eq!(
            migration.to_string(),
            "reinstall-fail:h1,reinstall-lost:h2.example.com,storage-wiped:h3"
        );
        assert!("explode:h1".parse::<Faults>().is_err());
        assert!("random:2".parse::<Faults>().is_err());
        assert!("install-fail".parse::<Faults>().is_err());
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
    }
}
