//! What a plan is asked for: the versions, the deployment, and one option per conditional part
//! of the guide. A [`PlanRequest`] is complete and resolved; [`crate::resolve`] builds one from
//! command-line choices and what an inventory shows.

use std::fmt;
use std::str::FromStr;

use model::{ElVersion, Level, Version, VersionError};
use serde::{Deserialize, Serialize};

/// A word that is not one of the accepted values of a setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind} (expected one of: {expected})")]
pub struct UnknownWord {
    pub kind: &'static str,
    pub value: String,
    pub expected: String,
}

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident ($kind:literal) { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| UnknownWord {
                    kind: $kind,
                    value: s.to_owned(),
                    expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })
            }
        }
    };
}

word_enum!(
    /// The three environments the guide has a chapter for.
    DeploymentKind ("deployment") {
        /// Chapter 1: the Manager runs as the HostedEngine VM, databases inside it.
        SelfHosted = "self-hosted",
        /// Chapter 2: a standalone Manager with both databases on the Manager machine.
        Standalone = "standalone",
        /// Chapter 3: a standalone Manager whose engine or Data Warehouse database lives elsewhere.
        StandaloneRemoteDb = "standalone-remote-db",
    }
);

word_enum!(
    /// What the hosts run, which decides the repositories and the RHVH-only warnings.
    HostTypes ("host type") {
        /// Red Hat Enterprise Linux (or another EL) hosts.
        Rhel = "rhel",
        /// Red Hat Virtualization Host / oVirt Node images.
        Rhvh = "rhvh",
        /// Both kinds: the plan shows both variants.
        Mixed = "mixed",
    }
);

word_enum!(
    /// How hosts are updated in place (guide §4.1.5, §4.1.9, §4.1.10).
    HostUpdate ("host update method") {
        /// The Administration Portal's cluster upgrade, a cluster at a time.
        Cluster = "cluster",
        /// One host at a time from the Administration Portal.
        Individual = "individual",
        /// `dnf` on each host, outside the Manager's control.
        Manual = "manual",
    }
);

word_enum!(
    /// Which half of the SHA-1 → SHA-256 certificate procedure applies.
    Sha1Scope ("certificate scope") {
        /// Re-sign the Apache certificate only, to stop browser warnings.
        Apache = "apache",
        /// Re-sign the CA and every certificate it issued, and enroll the hosts again.
        All = "all",
    }
);

impl HostTypes {
    pub fn has_rhel(self) -> bool {
        self != HostTypes::Rhvh
    }

    pub fn has_rhvh(self) -> bool {
        self != HostTypes::Rhel
    }
}

/// One switch per conditional part of the guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// The engine database lives on a machine of its own (chapter 3).
    pub remote_engine_db: bool,
    /// Data Warehouse lives on a machine of its own (chapter 3, §3.1.6, §3.2.6.1).
    pub remote_dwh: bool,
    /// Some data center keeps its VMs on storage local to a host (§1.1.9, §2.1.7, §3.1.8).
    pub local_storage: bool,
    /// Hosts serve gluster storage (hyperconverged, §2.1.8).
    pub gluster: bool,
    /// The Manager's PKI still signs with SHA-1 (§1.2.12 and its copies).
    pub sha1_certs: Option<Sha1Scope>,
    /// The Apache (HTTPS) certificate was issued by an external CA.
    pub external_ca: bool,
    /// ovirt-provider-ovn is in use (the OVN/OvS 2.11 → OVN 2021 / OvS 2.15 considerations).
    pub ovn: bool,
    /// The LDAP extension packages are installed (ovirt-engine-extension-aaa-ldap / -misc).
    pub aaa_ldap: bool,
    /// Packages come from a local repository mirror (appendices A and B).
    pub offline_repo: bool,
    /// The 4.4 Manager goes on a new machine (or, self-hosted, is deployed from a new host).
    pub new_manager_machine: bool,
    pub host_types: HostTypes,
    pub host_update: HostUpdate,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            remote_engine_db: false,
            remote_dwh: false,
            local_storage: false,
            gluster: false,
            sha1_certs: None,
            external_ca: false,
            ovn: false,
            aaa_ldap: false,
            offline_repo: false,
            new_manager_machine: false,
            host_types: HostTypes::Mixed,
            host_update: HostUpdate::Cluster,
        }
    }
}

/// A named object and its compatibility level, as an inventory shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedLevel {
    pub name: String,
    pub level: Level,
}

/// Facts about the environment that make the checklist concrete: names to act on, levels to
/// raise first, the address to download the CA from. Absent when planning from options alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_fqdn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_os: Option<ElVersion>,
    #[serde(default)]
    pub clusters: Vec<NamedLevel>,
    #[serde(default)]
    pub data_centers: Vec<NamedLevel>,
}

/// Everything the planner needs, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    pub from: Version,
    pub to: Version,
    pub deployment: DeploymentKind,
    pub options: Options,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
}

/// A version as typed on the command line: `4.4` means a whole line, `4.4.10` one release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    Line(Level),
    Exact(Version),
}

impl FromStr for VersionSpec {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().split('.').count() == 2 {
            s.parse().map(VersionSpec::Line)
        } else {
            s.parse().map(VersionSpec::Exact)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_name_the_choices() {
        for kind in DeploymentKind::ALL {
            assert_eq!(kind.as_str().parse::<DeploymentKind>().unwrap(), *kind);
        }
        let err = "hosted".parse::<DeploymentKind>().unwrap_err().to_string();
        assert!(
            err.contains("self-hosted, standalone, standalone-remote-db"),
            "{err}"
        );
        assert!(HostTypes::Mixed.has_rhel() && HostTypes::Mixed.has_rhvh());
        assert!(!HostTypes::Rhel.has_rhvh());
    }

    #[test]
    fn two_part_versions_mean_a_line() {
        assert_eq!(
            "4.4".parse::<VersionSpec>().unwrap(),
            VersionSpec::Line(Level::new(4, 4))
        );
        assert_eq!(
            "4.4.3".parse::<VersionSpec>().unwrap(),
            VersionSpec::Exact(Version::new(4, 4, 3))
        );
        assert!("4.x".parse::<VersionSpec>().is_err());
    }
}
